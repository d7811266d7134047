package casework

import (
	"fmt"
	"time"
)

// ImportantCaseRules are the configurable parts of the 要情 reporting rules
// (吉政办发〔2007〕9号 §5): the amount thresholds and the reporting deadlines in
// working days. An administrator can change them without a rebuild (setting
// "important").
type ImportantCaseRules struct {
	// MajorThresholdFen: from this amount up a case is 重大要情.
	MajorThresholdFen int64 `json:"majorThresholdFen"`
	// NationalThresholdFen: from this amount up a 重大要情 also goes to the
	// national departments at the same time as to the province.
	NationalThresholdFen int64 `json:"nationalThresholdFen"`
	// ImportantDays and MajorDays: working days after discovery to report.
	ImportantDays int `json:"importantDays"`
	MajorDays     int `json:"majorDays"`
}

// DefaultImportantCaseRules returns the rules of the seed notice: 重大要情 from
// 100,000 yuan, national from 500,000 yuan, 2 working days for 要情 and 3 for
// 重大要情.
func DefaultImportantCaseRules() ImportantCaseRules {
	return ImportantCaseRules{
		MajorThresholdFen:    100_000_00,
		NationalThresholdFen: 500_000_00,
		ImportantDays:        2,
		MajorDays:            3,
	}
}

// Problems lists what makes the rules unfit to save, at most one per field,
// in field order: non-positive thresholds, a national threshold below the
// major one (every national case must be major), reporting deadlines
// outside 1 to 60 working days.
func (r ImportantCaseRules) Problems() []FieldProblem {
	var out []FieldProblem
	if r.MajorThresholdFen <= 0 {
		out = append(out, FieldProblem{"majorThresholdFen", "要情金额标准必须大于零。"})
	}
	switch {
	case r.NationalThresholdFen <= 0:
		out = append(out, FieldProblem{"nationalThresholdFen", "要情金额标准必须大于零。"})
	case r.NationalThresholdFen < r.MajorThresholdFen:
		out = append(out, FieldProblem{"nationalThresholdFen", "报送国家相关部门的金额标准不能低于重大要情的金额标准。"})
	}
	days := func(field string, n int) {
		switch {
		case n < 1:
			out = append(out, FieldProblem{field, "要情报告时限至少为 1 个工作日。"})
		case n > maxRuleWorkingDays:
			out = append(out, FieldProblem{field, fmt.Sprintf("要情报告时限最多为 %d 个工作日。", maxRuleWorkingDays)})
		}
	}
	days("importantDays", r.ImportantDays)
	days("majorDays", r.MajorDays)
	return out
}

// Validate refuses rules an administrator may not save: the first of
// Problems, as *store.Error EINVALID in Chinese.
func (r ImportantCaseRules) Validate() error { return firstProblem(r.Problems()) }

// IsImportantCategory reports whether problems of this category fall under
// the 要情 reporting system at all: embezzlement, misappropriation and
// fraudulent claims do; the others are handled as ordinary cases.
func IsImportantCategory(category string) bool {
	switch category {
	case CategoryEmbezzlement, CategoryMisappropriation, CategoryFraudulentClaims:
		return true
	}
	return false
}

// ClassifyImportantCase returns the 要情 class of a problem and whether it must
// also be reported to the national departments. Boundaries belong to the upper
// class: with the defaults 99,999.99 yuan is 要情, 100,000.00 is 重大要情 and
// 500,000.00 goes national. seriousImpact (性质严重、造成一定社会影响, a flag a
// leader sets) makes a case major whatever the amount, but only the amount
// sends it national. An amount not given counts as zero.
func ClassifyImportantCase(category string, amountFen int64, seriousImpact bool, rules ImportantCaseRules) (class string, national bool) {
	if !IsImportantCategory(category) {
		return ClassNone, false
	}
	national = amountFen >= rules.NationalThresholdFen
	if national || seriousImpact || amountFen >= rules.MajorThresholdFen {
		return ClassMajor, national
	}
	return ClassImportant, false
}

// ImportantCaseDeadline returns when the report of a 要情 of the given class,
// discovered at discovered, is due: the end (24:00 China Standard Time, in UTC)
// of the ImportantDays-th or MajorDays-th working day after the day of
// discovery. ok is false for ClassNone or an unknown class, which have no
// reporting deadline.
func ImportantCaseDeadline(class string, discovered time.Time, cal *Calendar, rules ImportantCaseRules) (deadline time.Time, ok bool) {
	switch class {
	case ClassImportant:
		return cal.WorkingDaysDeadline(discovered, rules.ImportantDays), true
	case ClassMajor:
		return cal.WorkingDaysDeadline(discovered, rules.MajorDays), true
	}
	return time.Time{}, false
}
