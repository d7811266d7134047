package casework

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"fundwatch/store"
)

// QuarterlyDueDays is the seed notice's rule: each city (州) office reports
// the quarter's 要情 statistics to the province within 15 days after the
// quarter ends.
const QuarterlyDueDays = 15

// QuarterOf returns the year and quarter (1–4) that t falls in, in China
// Standard Time.
func QuarterOf(t time.Time) (year, quarter int) {
	t = t.In(store.CST)
	return t.Year(), (int(t.Month())-1)/3 + 1
}

// QuarterBounds returns the first and last day (YYYY-MM-DD) of a quarter,
// the inclusive DiscoveredFrom and DiscoveredTo of the cases it counts. A
// quarter outside 1–4 gives "", "".
func QuarterBounds(year, quarter int) (first, last string) {
	if quarter < 1 || quarter > 4 {
		return "", ""
	}
	start := time.Date(year, time.Month(3*quarter-2), 1, 0, 0, 0, 0, store.CST)
	end := start.AddDate(0, 3, -1)
	return start.Format(time.DateOnly), end.Format(time.DateOnly)
}

// QuarterlyDue is when a city's statistics for the quarter are due: the end
// of the 15th calendar day after the quarter's last day, moved to the next
// working day if that is a rest day (民法典 第二百零三条) — for Q4 2027,
// 2028-01-15 is a Saturday, so the end of Monday 2028-01-17.
func QuarterlyDue(year, quarter int, cal *Calendar) time.Time {
	_, last := QuarterBounds(year, quarter)
	if last == "" {
		return time.Time{}
	}
	day, _ := time.ParseInLocation(time.DateOnly, last, store.CST)
	return cal.CalendarDaysDeadline(day, QuarterlyDueDays)
}

// QuarterlyReportID is the ID of a city's statistics for a quarter,
// "220100-2026-Q1": one per city and quarter, so a second submission is a
// conflict in the store.
func QuarterlyReportID(cityCode string, year, quarter int) string {
	return fmt.Sprintf("%s-%04d-Q%d", cityCode, year, quarter)
}

// AggregateQuarter counts 要情 cases (classified important or major; others
// are skipped) by class, problem category (the nature of the case) and
// insurance type, and sums the amounts involved (AmountFen, where
// AmountGiven). The caller passes the cases of one city discovered in the
// quarter (QuarterBounds as DiscoveredFrom/To).
//
// A case concerning two insurance types counts once under each type, with
// its whole amount under each: the rows answer "how many cases, how much
// money, touched pension funds", so the totals over types can exceed the
// number of cases and the money involved. Add up per type, or per class and
// category over one type, never across types. A case with no insurance type
// counts under "other"; a type listed twice counts once.
//
// Rows come in the order of ImportantClasses, Categories and InsuranceTypes;
// codes not in those lists sort after them, alphabetically.
func AggregateQuarter(cases []*store.Case) []store.QuarterlyRow {
	type key struct{ class, category, insurance string }
	rows := map[key]*store.QuarterlyRow{}
	for _, c := range cases {
		if c == nil || (c.ImportantClass != ClassImportant && c.ImportantClass != ClassMajor) {
			continue
		}
		types := slices.Clone(c.InsuranceTypes)
		if len(types) == 0 {
			types = []string{InsuranceOther}
		}
		slices.Sort(types)
		types = slices.Compact(types)
		for _, it := range types {
			k := key{c.ImportantClass, c.Category, it}
			row := rows[k]
			if row == nil {
				row = &store.QuarterlyRow{Class: k.class, Category: k.category, InsuranceType: k.insurance}
				rows[k] = row
			}
			row.Count++
			if fen, ok := InvolvedAmount(c); ok {
				row.AmountFen += fen
			}
		}
	}
	out := make([]store.QuarterlyRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b store.QuarterlyRow) int {
		if c := compareOption(importantClassOptions, a.Class, b.Class); c != 0 {
			return c
		}
		if c := compareOption(categoryOptions, a.Category, b.Category); c != 0 {
			return c
		}
		return compareOption(insuranceTypeOptions, a.InsuranceType, b.InsuranceType)
	})
	return out
}

// compareOption orders two codes by their place in opts, unknown codes last
// and alphabetically among themselves.
func compareOption(opts []Option, a, b string) int {
	pos := func(code string) int {
		i := slices.IndexFunc(opts, func(o Option) bool { return o.Code == code })
		if i < 0 {
			return len(opts)
		}
		return i
	}
	if c := pos(a) - pos(b); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// Statuses of a city's quarterly statistics, for the province's overview.
const (
	QuarterlyMissing       = "missing"        // not submitted, not yet due
	QuarterlyLate          = "late"           // not submitted, past due
	QuarterlySubmitted     = "submitted"      // submitted in time
	QuarterlySubmittedLate = "submitted_late" // submitted after the due time
)

var quarterlyStatusOptions = []Option{
	{QuarterlyMissing, "未报送"},
	{QuarterlyLate, "逾期未报送"},
	{QuarterlySubmitted, "已按时报送"},
	{QuarterlySubmittedLate, "逾期报送"},
}

// QuarterlyStatus tells where a city's statistics stand at now, given the
// due time (QuarterlyDue) and the submitted report (nil when none).
// Submitted before due is in time; due itself is the first instant late.
func QuarterlyStatus(report *store.QuarterlyReport, due, now time.Time) string {
	switch {
	case report != nil && !report.SubmittedAt.IsZero():
		if report.SubmittedAt.Before(due) {
			return QuarterlySubmitted
		}
		return QuarterlySubmittedLate
	case now.Before(due):
		return QuarterlyMissing
	}
	return QuarterlyLate
}

// QuarterlyStatuses lists the statuses of quarterly statistics.
func QuarterlyStatuses() []Option { return slices.Clone(quarterlyStatusOptions) }

// QuarterlyStatusLabel returns the Chinese label of a quarterly status.
func QuarterlyStatusLabel(code string) string { return label(quarterlyStatusOptions, code) }

// InvolvedAmount is the fund amount a case involves as far as it is known:
// what the investigation found once it concluded with an amount, else what
// the reporter estimated. ok is false when neither is known.
func InvolvedAmount(c *store.Case) (fen int64, ok bool) {
	if c.Conclusion.AmountInvolvedFen > 0 {
		return c.Conclusion.AmountInvolvedFen, true
	}
	if c.AmountGiven {
		return c.AmountFen, true
	}
	return 0, false
}
