package casework

import (
	"fmt"
	"time"

	"fundwatch/store"
)

// AcceptanceWorkingDays is the national rule (2023): decide whether to accept
// a report within 5 working days of receiving it.
const AcceptanceWorkingDays = 5

// DeadlineRules are the configurable case-handling deadlines of the 2023
// national rules (DOMAIN.md): decide on acceptance within AcceptWorkingDays
// working days of receipt, tell a named reporter within NotifyWorkingDays
// working days of receipt, finish the investigation within InvestigationDays
// calendar days of its start, extendable once by ExtensionDays with a
// leader's approval. An administrator can change them (setting "deadlines").
type DeadlineRules struct {
	AcceptWorkingDays int `json:"acceptWorkingDays"`
	NotifyWorkingDays int `json:"notifyWorkingDays"`
	InvestigationDays int `json:"investigationDays"`
	ExtensionDays     int `json:"extensionDays"`
}

// DefaultDeadlineRules returns 5 and 10 working days, 60 days and 30 more.
func DefaultDeadlineRules() DeadlineRules {
	return DeadlineRules{
		AcceptWorkingDays: AcceptanceWorkingDays,
		NotifyWorkingDays: 10,
		InvestigationDays: 60,
		ExtensionDays:     30,
	}
}

// Upper bounds Validate puts on the rules: far above anything a rule would
// say, low enough to catch an extra zero typed by mistake.
const (
	maxRuleWorkingDays  = 60
	maxRuleCalendarDays = 365
)

// FieldProblem is what is wrong with one field of an administrator's
// settings: Field is its JSON name (the admin form uses the same names),
// Message says what is wrong, in Chinese.
type FieldProblem struct {
	Field   string
	Message string
}

// firstProblem is the EINVALID error of the first problem, or nil.
func firstProblem(problems []FieldProblem) error {
	if len(problems) == 0 {
		return nil
	}
	return store.Errorf(store.EINVALID, "%s", problems[0].Message)
}

// Problems lists what makes the rules unfit to save, at most one per field,
// in field order, so a form can show each next to its field.
func (r DeadlineRules) Problems() []FieldProblem {
	var out []FieldProblem
	add := func(field, format string, args ...any) {
		out = append(out, FieldProblem{field, fmt.Sprintf(format, args...)})
	}
	if r.AcceptWorkingDays < 1 || r.AcceptWorkingDays > maxRuleWorkingDays {
		add("acceptWorkingDays", "受理期限应为 1 至 %d 个工作日。", maxRuleWorkingDays)
	}
	switch {
	case r.NotifyWorkingDays < 1 || r.NotifyWorkingDays > maxRuleWorkingDays:
		add("notifyWorkingDays", "告知举报人期限应为 1 至 %d 个工作日。", maxRuleWorkingDays)
	case r.NotifyWorkingDays < r.AcceptWorkingDays:
		add("notifyWorkingDays", "告知举报人期限不能短于受理期限：先决定是否受理，才能告知。")
	}
	if r.InvestigationDays < 1 || r.InvestigationDays > maxRuleCalendarDays {
		add("investigationDays", "调查期限应为 1 至 %d 日。", maxRuleCalendarDays)
	}
	if r.ExtensionDays < 0 || r.ExtensionDays > maxRuleCalendarDays {
		add("extensionDays", "延长调查期限应为 0 至 %d 日（0 表示不允许延长）。", maxRuleCalendarDays)
	}
	return out
}

// Validate refuses rules an administrator may not save: the first of
// Problems, as *store.Error EINVALID in Chinese.
func (r DeadlineRules) Validate() error { return firstProblem(r.Problems()) }

// AcceptanceDeadline is when the decision to accept a case received at
// received is due under the default rules: the end (24:00 CST) of the fifth
// working day after it. Callers with an administrator's rules use AcceptanceDue.
func (c *Calendar) AcceptanceDeadline(received time.Time) time.Time {
	return AcceptanceDue(received, c, DefaultDeadlineRules())
}

// AcceptanceDue is when the decision whether to accept a case received at
// received is due: the end (24:00 CST, in UTC) of the AcceptWorkingDays-th
// working day after the day of receipt (民法典 第二百零一条).
func AcceptanceDue(received time.Time, cal *Calendar, r DeadlineRules) time.Time {
	return cal.WorkingDaysDeadline(received, r.AcceptWorkingDays)
}

// NotifyDue is when a named reporter must have been told whether the case
// was accepted: the end of the NotifyWorkingDays-th working day after the
// day of receipt.
func NotifyDue(received time.Time, cal *Calendar, r DeadlineRules) time.Time {
	return cal.WorkingDaysDeadline(received, r.NotifyWorkingDays)
}

// InvestigationDue is when an investigation started at started must end:
// InvestigationDays calendar days plus extensionDays (the case's
// ExtensionDays, what a leader granted, 0 if none) counted from the day after
// the start, ending on the next working day when the last day is a rest day
// or holiday (民法典 第二百零三条). The extension lengthens the one period;
// the roll to a working day applies only to its final end, so a 60-day
// period ending in 国庆 and extended by 30 days ends 90 days after the start,
// not 30 days after the first working day after 国庆.
func InvestigationDue(started time.Time, extensionDays int, cal *Calendar, r DeadlineRules) time.Time {
	return cal.CalendarDaysDeadline(started, r.InvestigationDays+max(extensionDays, 0))
}

// Overdue reports whether a deadline due has passed at now. The zero time
// is no deadline and never overdue.
func Overdue(due, now time.Time) bool {
	return !due.IsZero() && !now.Before(due)
}

// DueSoon reports whether a deadline that has not yet passed ends within the
// next workingDays working days: at the latest at the end of the
// workingDays-th working day after today (CST). With workingDays 0 it is true
// for a deadline ending today. An overdue deadline, or none, is not "soon":
// the pages show those as overdue.
func DueSoon(due, now time.Time, cal *Calendar, workingDays int) bool {
	if due.IsZero() || Overdue(due, now) {
		return false
	}
	return !due.After(cal.WorkingDaysDeadline(now, max(workingDays, 0)))
}
