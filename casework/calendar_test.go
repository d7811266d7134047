package casework

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fundwatch/store"
)

// cst returns a time given in China Standard Time.
func cst(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, store.CST)
}

// endOfDayCST returns 24:00 CST of the given day in UTC, the form deadlines take.
func endOfDayCST(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d+1, 0, 0, 0, 0, store.CST).UTC()
}

func TestDefaultCalendarIsWorkingDay(t *testing.T) {
	cal := DefaultCalendar()
	if DefaultCalendar() != cal {
		t.Error("DefaultCalendar parses the embedded file more than once")
	}
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"an ordinary Wednesday works", cst(2026, 11, 25, 10, 0), true},
		{"an ordinary Saturday is off", cst(2026, 11, 28, 10, 0), false},
		{"an ordinary Sunday is off", cst(2026, 11, 29, 10, 0), false},
		{"New Year's Day 2026 is off", cst(2026, 1, 1, 10, 0), false},
		{"Friday 2026-01-02 is off (元旦)", cst(2026, 1, 2, 10, 0), false},
		{"Sunday 2026-01-04 is an adjusted working day", cst(2026, 1, 4, 10, 0), true},
		{"Saturday 2026-02-14 is an adjusted working day before 春节", cst(2026, 2, 14, 10, 0), true},
		{"Monday 2026-02-16 is off (春节)", cst(2026, 2, 16, 10, 0), false},
		{"Monday 2026-02-23 is the last day of 春节", cst(2026, 2, 23, 10, 0), false},
		{"Tuesday 2026-02-24 is the first working day after 春节", cst(2026, 2, 24, 10, 0), true},
		{"Saturday 2026-02-28 is an adjusted working day after 春节", cst(2026, 2, 28, 10, 0), true},
		{"Saturday 2026-10-10 is an adjusted working day after 国庆节", cst(2026, 10, 10, 10, 0), true},
		{"Thursday 2026-10-08 is a working day after 国庆节", cst(2026, 10, 8, 10, 0), true},
		{"2024 is loaded too: 2024-02-04 Sunday works", cst(2024, 2, 4, 10, 0), true},
		{"an unlisted year counts weekends only", cst(2027, 1, 1, 10, 0), true},
		{"the day is taken in CST: 2026-02-14 16:30 UTC is 春节 Sunday", time.Date(2026, 2, 14, 16, 30, 0, 0, time.UTC), false},
		{"the day is taken in CST: 2026-02-13 16:30 UTC is the adjusted Saturday", time.Date(2026, 2, 13, 16, 30, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.IsWorkingDay(tt.at); got != tt.want {
				t.Errorf("IsWorkingDay(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestDefaultCalendarYears(t *testing.T) {
	if got := DefaultCalendar().Years(); !slices.Equal(got, []int{2024, 2025, 2026}) {
		t.Errorf("Years() = %v, want [2024 2025 2026]", got)
	}
}

func TestWorkingDaysDeadline(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name  string
		event time.Time
		n     int
		want  time.Time
	}{
		{"要情 found on Friday 2026-11-27 is due end of Tuesday", cst(2026, 11, 27, 10, 0), 2, endOfDayCST(2026, 12, 1)},
		{"重大要情 found on Friday 2026-11-27 is due end of Wednesday", cst(2026, 11, 27, 10, 0), 3, endOfDayCST(2026, 12, 2)},
		{"found on a Saturday counts from Monday", cst(2026, 11, 28, 10, 0), 2, endOfDayCST(2026, 12, 1)},
		{"found Thursday 23:59 CST: Friday and Monday", cst(2026, 11, 26, 23, 59), 2, endOfDayCST(2026, 11, 30)},
		{"found Friday 00:01 CST (still Thursday in UTC): Monday and Tuesday", cst(2026, 11, 27, 0, 1), 2, endOfDayCST(2026, 12, 1)},
		{"the adjusted Saturday before 春节 counts", cst(2026, 2, 12, 10, 0), 2, endOfDayCST(2026, 2, 14)},
		{"春节 is skipped", cst(2026, 2, 13, 10, 0), 2, endOfDayCST(2026, 2, 24)},
		{"found during 春节", cst(2026, 2, 18, 10, 0), 2, endOfDayCST(2026, 2, 25)},
		{"the adjusted Saturday after 春节 counts", cst(2026, 2, 26, 10, 0), 2, endOfDayCST(2026, 2, 28)},
		{"国庆节 is skipped", cst(2026, 9, 30, 10, 0), 1, endOfDayCST(2026, 10, 8)},
		{"the adjusted Sunday 2026-01-04 counts", cst(2025, 12, 31, 10, 0), 1, endOfDayCST(2026, 1, 4)},
		{"n = 0 ends with the event day", cst(2026, 11, 27, 10, 0), 0, endOfDayCST(2026, 11, 27)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.WorkingDaysDeadline(tt.event, tt.n)
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("WorkingDaysDeadline(%v, %d) = %v, want %v (UTC)", tt.event, tt.n, got, tt.want)
			}
		})
	}
}

func TestWorkingDaysDeadlineEndsAt24CST(t *testing.T) {
	got := DefaultCalendar().WorkingDaysDeadline(time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC), 2)
	if want := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("deadline = %v, want %v (2026-12-02 00:00 CST)", got, want)
	}
}

func TestCalendarDaysDeadline(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name  string
		event time.Time
		n     int
		want  time.Time
	}{
		{"quarterly statistics: 15 days after Q1 ends", cst(2026, 3, 31, 23, 0), 15, endOfDayCST(2026, 4, 15)},
		{"a last day on Sunday moves to Monday", cst(2026, 11, 14, 10, 0), 15, endOfDayCST(2026, 11, 30)},
		{"a last day in 春节 moves past it", cst(2026, 2, 1, 10, 0), 15, endOfDayCST(2026, 2, 24)},
		{"a last day on an adjusted working Saturday stays", cst(2026, 1, 30, 10, 0), 15, endOfDayCST(2026, 2, 14)},
		{"60-day investigation", cst(2026, 1, 5, 10, 0), 60, endOfDayCST(2026, 3, 6)},
		{"the day is taken in CST", time.Date(2026, 3, 31, 16, 30, 0, 0, time.UTC), 15, endOfDayCST(2026, 4, 16)},
		{"n = 0 on a rest day moves to the next working day", cst(2026, 11, 28, 10, 0), 0, endOfDayCST(2026, 11, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.CalendarDaysDeadline(tt.event, tt.n)
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("CalendarDaysDeadline(%v, %d) = %v, want %v (UTC)", tt.event, tt.n, got, tt.want)
			}
		})
	}
}

func TestNewCalendarFromAdministratorEntries(t *testing.T) {
	cal, err := NewCalendar([]CalendarDay{
		{Date: "2027-01-01", Name: "元旦", OffDay: true},
		{Date: "2027-01-02", Name: "元旦", OffDay: true},
		{Date: "2027-01-03", Name: "元旦", OffDay: true},
		{Date: "2027-01-09", Name: "元旦", OffDay: false},
	})
	if err != nil {
		t.Fatal(err)
	}
	if cal.IsWorkingDay(cst(2027, 1, 1, 9, 0)) || !cal.IsWorkingDay(cst(2027, 1, 9, 9, 0)) {
		t.Error("2027 entries not applied")
	}
	// Found on Thursday 2026-12-31: 2027-01-01 is off, then the weekend.
	if got, want := cal.WorkingDaysDeadline(cst(2026, 12, 31, 9, 0), 1), endOfDayCST(2027, 1, 4); !got.Equal(want) {
		t.Errorf("deadline = %v, want %v", got, want)
	}
	if !slices.Equal(cal.Years(), []int{2027}) {
		t.Errorf("Years() = %v", cal.Years())
	}
}

func TestLoadCalendarRefusesBadData(t *testing.T) {
	const header = "date,name,off_day\n"
	tests := []struct {
		name, csv, wantMsg string
	}{
		{"empty file", "", "无法读取"},
		{"missing off_day column", "date,name\n2026-01-01,元旦\n", "无法读取"},
		{"malformed date", header + "2026-1-1,元旦,true\n", "格式不正确"},
		{"impossible date", header + "2026-02-30,春节,true\n", "格式不正确"},
		{"repeated date", header + "2026-01-01,元旦,true\n2026-01-01,元旦,true\n", "重复"},
		{"weekday as adjusted working day", header + "2026-01-05,元旦,false\n", "本来就是工作日"},
		{"off_day not a boolean", header + "2026-01-01,元旦,yes\n", "第 2 行"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCalendar(strings.NewReader(tt.csv))
			if store.ErrorCode(err) != store.EINVALID || !strings.Contains(store.ErrorMessage(err), tt.wantMsg) {
				t.Errorf("LoadCalendar error = %v, want EINVALID with %q", err, tt.wantMsg)
			}
		})
	}
}
