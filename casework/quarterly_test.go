package casework

import (
	"reflect"
	"testing"
	"time"

	"fundwatch/store"
)

func TestQuarterOf(t *testing.T) {
	tests := []struct {
		at            time.Time
		year, quarter int
	}{
		{cst(2026, 1, 1, 0, 0), 2026, 1},
		{cst(2026, 3, 31, 23, 59), 2026, 1},
		{cst(2026, 4, 1, 0, 0), 2026, 2},
		{cst(2026, 9, 30, 12, 0), 2026, 3},
		{cst(2026, 12, 31, 23, 59), 2026, 4},
		// 2026-03-31 16:30 UTC is already 1 April in CST.
		{time.Date(2026, 3, 31, 16, 30, 0, 0, time.UTC), 2026, 2},
		// 2025-12-31 16:00 UTC is New Year in CST.
		{time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC), 2026, 1},
	}
	for _, tt := range tests {
		if y, q := QuarterOf(tt.at); y != tt.year || q != tt.quarter {
			t.Errorf("QuarterOf(%v) = %d Q%d, want %d Q%d", tt.at, y, q, tt.year, tt.quarter)
		}
	}
}

func TestQuarterBounds(t *testing.T) {
	tests := []struct {
		year, quarter int
		first, last   string
	}{
		{2026, 1, "2026-01-01", "2026-03-31"},
		{2024, 1, "2024-01-01", "2024-03-31"},
		{2026, 2, "2026-04-01", "2026-06-30"},
		{2026, 3, "2026-07-01", "2026-09-30"},
		{2026, 4, "2026-10-01", "2026-12-31"},
		{2026, 0, "", ""},
		{2026, 5, "", ""},
	}
	for _, tt := range tests {
		if first, last := QuarterBounds(tt.year, tt.quarter); first != tt.first || last != tt.last {
			t.Errorf("QuarterBounds(%d, %d) = %s, %s; want %s, %s", tt.year, tt.quarter, first, last, tt.first, tt.last)
		}
	}
}

func TestQuarterlyDue(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name          string
		year, quarter int
		want          time.Time
	}{
		{"Q1 2026: 15 April", 2026, 1, endOfDayCST(2026, 4, 15)},
		{"Q3 2025: 15 October, after 国庆", 2025, 3, endOfDayCST(2025, 10, 15)},
		{"Q4 2025: 15 January of the next year", 2025, 4, endOfDayCST(2026, 1, 15)},
		{"Q4 2027: the 15th is a Saturday, so Monday", 2027, 4, endOfDayCST(2028, 1, 17)},
		{"no such quarter", 2026, 7, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := QuarterlyDue(tt.year, tt.quarter, cal); !got.Equal(tt.want) {
				t.Errorf("QuarterlyDue = %v, want %v", got.In(store.CST), tt.want.In(store.CST))
			}
		})
	}
	// A holiday on the 15th moves the end to the next working day.
	holiday, err := NewCalendar([]CalendarDay{{Date: "2026-04-15", Name: "测试假日", OffDay: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := QuarterlyDue(2026, 1, holiday), endOfDayCST(2026, 4, 16); !got.Equal(want) {
		t.Errorf("QuarterlyDue with 4-15 off = %v, want %v", got.In(store.CST), want.In(store.CST))
	}
}

func TestQuarterlyReportID(t *testing.T) {
	if got := QuarterlyReportID("220100", 2026, 1); got != "220100-2026-Q1" {
		t.Errorf("QuarterlyReportID = %q", got)
	}
	if QuarterlyReportID("220100", 2026, 1) == QuarterlyReportID("220200", 2026, 1) ||
		QuarterlyReportID("220100", 2026, 1) == QuarterlyReportID("220100", 2026, 2) {
		t.Error("IDs of different cities or quarters collide")
	}
}

func TestAggregateQuarter(t *testing.T) {
	c := func(class, category string, amount int64, given bool, types ...string) *store.Case {
		return &store.Case{ImportantClass: class, Category: category, AmountFen: amount, AmountGiven: given, InsuranceTypes: types}
	}
	cases := []*store.Case{
		c(ClassMajor, CategoryEmbezzlement, 200_000_00, true, InsurancePension, InsuranceMedical),
		c(ClassImportant, CategoryFraudulentClaims, 3_000_00, true, InsurancePension),
		c(ClassImportant, CategoryFraudulentClaims, 5_000_00, true, InsurancePension),
		c(ClassImportant, CategoryFraudulentClaims, 9_999_00, false, InsurancePension), // amount not given
		c(ClassImportant, CategoryMisappropriation, 1_00, true),                        // no type: other
		c(ClassImportant, CategoryMisappropriation, 2_00, true, InsuranceWorkInjury, InsuranceWorkInjury),
		c(ClassNone, CategoryEmbezzlement, 1_000_00, true, InsurancePension), // not a 要情
		c("", CategoryEmbezzlement, 1_000_00, true, InsurancePension),        // unclassified
		nil,
	}
	want := []store.QuarterlyRow{
		{Class: ClassImportant, Category: CategoryFraudulentClaims, InsuranceType: InsurancePension, Count: 3, AmountFen: 8_000_00},
		{Class: ClassImportant, Category: CategoryMisappropriation, InsuranceType: InsuranceWorkInjury, Count: 1, AmountFen: 2_00},
		{Class: ClassImportant, Category: CategoryMisappropriation, InsuranceType: InsuranceOther, Count: 1, AmountFen: 1_00},
		{Class: ClassMajor, Category: CategoryEmbezzlement, InsuranceType: InsurancePension, Count: 1, AmountFen: 200_000_00},
		{Class: ClassMajor, Category: CategoryEmbezzlement, InsuranceType: InsuranceMedical, Count: 1, AmountFen: 200_000_00},
	}
	if got := AggregateQuarter(cases); !reflect.DeepEqual(got, want) {
		t.Errorf("AggregateQuarter =\n%+v\nwant\n%+v", got, want)
	}
	if got := AggregateQuarter(nil); got == nil || len(got) != 0 {
		t.Errorf("AggregateQuarter(nil) = %#v, want an empty slice", got)
	}
	// The input is not changed (types are sorted on a copy).
	two := c(ClassImportant, CategoryEmbezzlement, 1, true, InsuranceWorkInjury, InsurancePension)
	AggregateQuarter([]*store.Case{two})
	if two.InsuranceTypes[0] != InsuranceWorkInjury {
		t.Error("AggregateQuarter reordered a case's insurance types")
	}
}

func TestAggregateQuarterOrdersUnknownCodesLast(t *testing.T) {
	cases := []*store.Case{
		{ImportantClass: ClassImportant, Category: "zzz", InsuranceTypes: []string{"b"}},
		{ImportantClass: ClassImportant, Category: "zzz", InsuranceTypes: []string{"a"}},
		{ImportantClass: ClassImportant, Category: CategoryOther, InsuranceTypes: []string{InsuranceOther}},
	}
	got := AggregateQuarter(cases)
	order := []string{got[0].Category + "/" + got[0].InsuranceType, got[1].Category + "/" + got[1].InsuranceType, got[2].Category + "/" + got[2].InsuranceType}
	if want := []string{"other/other", "zzz/a", "zzz/b"}; !reflect.DeepEqual(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
}

func TestQuarterlyStatus(t *testing.T) {
	due := endOfDayCST(2026, 4, 15)
	submitted := func(at time.Time) *store.QuarterlyReport { return &store.QuarterlyReport{SubmittedAt: at} }
	tests := []struct {
		name   string
		report *store.QuarterlyReport
		now    time.Time
		want   string
		label  string
	}{
		{"nothing yet, not due", nil, cst(2026, 4, 10, 9, 0), QuarterlyMissing, "未报送"},
		{"nothing at the due instant", nil, due, QuarterlyLate, "逾期未报送"},
		{"nothing after the due time", nil, cst(2026, 4, 20, 9, 0), QuarterlyLate, "逾期未报送"},
		{"in time", submitted(cst(2026, 4, 8, 9, 0)), cst(2026, 5, 1, 9, 0), QuarterlySubmitted, "已按时报送"},
		{"a minute before the end", submitted(due.Add(-time.Minute)), cst(2026, 5, 1, 9, 0), QuarterlySubmitted, "已按时报送"},
		{"late", submitted(cst(2026, 4, 16, 9, 0)), cst(2026, 5, 1, 9, 0), QuarterlySubmittedLate, "逾期报送"},
		{"a report without a time counts as none", &store.QuarterlyReport{}, cst(2026, 4, 10, 9, 0), QuarterlyMissing, "未报送"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := QuarterlyStatus(tt.report, due, tt.now)
			if got != tt.want || QuarterlyStatusLabel(got) != tt.label {
				t.Errorf("QuarterlyStatus = %q (%s), want %q (%s)", got, QuarterlyStatusLabel(got), tt.want, tt.label)
			}
		})
	}
	if len(QuarterlyStatuses()) != 4 {
		t.Error("QuarterlyStatuses does not list four statuses")
	}
}
