package casework

import (
	"fmt"
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

func TestCalendarDaysAndYearDays(t *testing.T) {
	cal, err := NewCalendar([]CalendarDay{
		{Date: "2027-02-06", Name: "春节", OffDay: true},
		{Date: "2026-10-01", Name: "国庆节", OffDay: true},
		{Date: "2027-01-01", Name: "元旦", OffDay: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	var dates []string
	for _, d := range cal.Days() {
		dates = append(dates, d.Date)
	}
	if want := []string{"2026-10-01", "2027-01-01", "2027-02-06"}; !slices.Equal(dates, want) {
		t.Errorf("Days() dates = %v, want %v (in date order)", dates, want)
	}
	if got := cal.YearDays(2027); len(got) != 2 || got[0].Name != "元旦" || got[1].Name != "春节" {
		t.Errorf("YearDays(2027) = %+v, want 元旦 then 春节", got)
	}
	if got := cal.YearDays(2025); len(got) != 0 {
		t.Errorf("YearDays(2025) = %+v, want none", got)
	}
	if n := len(DefaultCalendar().Days()); n < 90 {
		t.Errorf("the embedded calendar has %d entries, want the three years of data/cn-holidays.csv", n)
	}
}

func TestReplaceYears(t *testing.T) {
	base := DefaultCalendar()
	// An administrator's 2026 that moves 国庆节 (made up) and a new 2027.
	merged, err := base.ReplaceYears([]CalendarDay{
		{Date: "2026-10-12", Name: "国庆节", OffDay: true},
		{Date: "2027-01-01", Name: "元旦", OffDay: true},
		{Date: "2027-02-20", Name: "春节", OffDay: false},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"the stored 2026 replaces the embedded one: 2026-10-01 is now a plain Thursday", cst(2026, 10, 1, 9, 0), true},
		{"the stored 2026 replaces the embedded one: 2026-02-16 春节 is gone too", cst(2026, 2, 16, 9, 0), true},
		{"the stored 2026 holiday applies", cst(2026, 10, 12, 9, 0), false},
		{"a new year is added", cst(2027, 1, 1, 9, 0), false},
		{"an adjusted Saturday of the new year works", cst(2027, 2, 20, 9, 0), true},
		{"a year not stored keeps the embedded entries", cst(2025, 10, 1, 9, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := merged.IsWorkingDay(tt.at); got != tt.want {
				t.Errorf("IsWorkingDay(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
	if got := merged.Years(); !slices.Equal(got, []int{2024, 2025, 2026, 2027}) {
		t.Errorf("Years() = %v, want 2024–2027", got)
	}
	if !base.IsWorkingDay(cst(2027, 1, 1, 9, 0)) || base.IsWorkingDay(cst(2026, 10, 1, 9, 0)) {
		t.Error("ReplaceYears changed the calendar it was called on")
	}
	same, err := base.ReplaceYears(nil)
	if err != nil || len(same.Days()) != len(base.Days()) {
		t.Errorf("ReplaceYears(nil) = %d entries, %v; want the base's %d", len(same.Days()), err, len(base.Days()))
	}
	if _, err := base.ReplaceYears([]CalendarDay{{Date: "2027-01-04", Name: "元旦", OffDay: false}}); store.ErrorCode(err) != store.EINVALID {
		t.Errorf("ReplaceYears with a weekday as adjusted working day: %v, want EINVALID", err)
	}
}

func TestCheckCalendarYear(t *testing.T) {
	days := []CalendarDay{
		{Date: "2027-01-01", Name: "元旦", OffDay: true},       // 0 fine
		{Date: "2026-12-31", Name: "元旦", OffDay: true},       // 1 other year
		{Date: "2027-13-01", Name: "元旦", OffDay: true},       // 2 malformed
		{Date: "2027-01-01", Name: "元旦", OffDay: true},       // 3 repeated
		{Date: "2027-01-04", Name: "元旦", OffDay: false},      // 4 Monday as adjusted working day
		{Date: "2027-02-06", Name: "", OffDay: true},         // 5 no name
		{Date: "2027-02-07", Name: "春节\u202e", OffDay: true}, // 6 bidi override
		{Date: "2027-02-20", Name: "春节", OffDay: false},      // 7 fine: a Saturday
	}
	// 8…: names with invisible characters: direction marks, zero-width
	// space, byte-order mark, line separator, soft hyphen, a tag character,
	// a non-character, a tab, invalid UTF-8, surrounding space.
	invisible := []string{"春\u200f节", "春\u200e节", "春\u061c节", "春\u200b节", "春\ufeff节", "春\u2028节", "春\u00ad节",
		"春\U000E0041节", "春\ufdd0节", "春\t节", "春\xff节", " 春节"}
	for i, name := range invisible {
		days = append(days, CalendarDay{Date: fmt.Sprintf("2027-03-%02d", i+1), Name: name, OffDay: true})
	}
	got := CheckCalendarYear(2027, days)
	want := []struct {
		index int
		msg   string
	}{
		{1, "不在 2027 年内"}, {2, "格式不正确"}, {3, "重复出现"}, {4, "本来就是工作日"}, {5, "请填写节日名称"}, {6, "不可见字符"},
	}
	for i := range invisible {
		want = append(want, struct {
			index int
			msg   string
		}{8 + i, "不可见字符"})
	}
	if len(got) != len(want) {
		t.Fatalf("CheckCalendarYear = %+v, want %d problems", got, len(want))
	}
	for i, w := range want {
		if got[i].Index != w.index || !strings.Contains(got[i].Message, w.msg) {
			t.Errorf("problem %d = %+v, want entry %d with %q", i, got[i], w.index, w.msg)
		}
	}
	if p := CheckCalendarYear(2027, []CalendarDay{days[0], days[7]}); len(p) != 0 {
		t.Errorf("valid entries: %+v", p)
	}
	if p := CheckCalendarYear(0, []CalendarDay{{Date: "2207-01-01", Name: "元旦", OffDay: true}}); len(p) != 1 || !strings.Contains(p[0].Message, "2000 至 2100") {
		t.Errorf("a mistyped year: %+v, want the year range", p)
	}
	err := CalendarYearError(got)
	if store.ErrorCode(err) != store.EINVALID || !strings.Contains(store.ErrorMessage(err), fmt.Sprintf("共有 %d 处错误", len(want))) ||
		!strings.Contains(store.ErrorMessage(err), "第 2 行：日期 2026-12-31 不在 2027 年内") {
		t.Errorf("CalendarYearError = %v", err)
	}
	if CalendarYearError(nil) != nil {
		t.Error("CalendarYearError(nil) is not nil")
	}
}

func TestReadCalendarCSV(t *testing.T) {
	t.Run("reads the embedded file's format, several years, any column order", func(t *testing.T) {
		csv := "\ufeffoff_day,date,name,source\n" +
			"true,2027-01-01,元旦,https://www.gov.cn/\n" +
			"\n" +
			"false,2027-02-20,春节,\n" +
			"true,2028-01-01,元旦,\n"
		days, err := ReadCalendarCSV(strings.NewReader(csv))
		if err != nil {
			t.Fatal(err)
		}
		want := []CalendarDay{{"2027-01-01", "元旦", true}, {"2027-02-20", "春节", false}, {"2028-01-01", "元旦", true}}
		if !slices.Equal(days, want) {
			t.Errorf("days = %+v, want %+v", days, want)
		}
	})
	t.Run("names every wrong line by its number in the file", func(t *testing.T) {
		csv := "date,name,off_day\n" + // line 1
			"2027-01-01,元旦,true\n" + // 2
			"2027-01-04,元旦,false\n" + // 3 a Monday
			"\n" + // 4 blank, skipped
			"2027-02-30,春节,true\n" + // 5 impossible date
			"2027-02-11,春节,maybe\n" + // 6
			"2027-01-01,元旦,true\n" + // 7 repeats line 2
			"2027-02-12\n" + // 8 too few columns
			"\"2027-02-13,春节,true\n" // 9 an open quote
		_, err := ReadCalendarCSV(strings.NewReader(csv))
		msg := store.ErrorMessage(err)
		if store.ErrorCode(err) != store.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
		for _, want := range []string{"共有 6 处错误，未保存任何内容", "第 3 行：2027-01-04 是周一至周五", "第 5 行：日期“2027-02-30”格式不正确",
			"第 6 行：off_day 应为 true", "第 7 行：日期 2027-01-01 重复出现", "第 8 行：应有 date、name、off_day 三列", "第 9 行：CSV 格式不正确"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message %q lacks %q", msg, want)
			}
		}
		if strings.Index(msg, "第 3 行") > strings.Index(msg, "第 5 行") {
			t.Errorf("problems not in file order: %q", msg)
		}
	})
	t.Run("lists ten problems and counts the rest", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("date,name,off_day\n")
		for d := 1; d <= 14; d++ {
			fmt.Fprintf(&b, "2027-03-%02d,错,yes\n", d)
		}
		msg := store.ErrorMessage(func() error { _, err := ReadCalendarCSV(strings.NewReader(b.String())); return err }())
		if !strings.Contains(msg, "共有 14 处错误") || !strings.Contains(msg, "第 11 行") || strings.Contains(msg, "第 12 行") || !strings.Contains(msg, "另有 4 处") {
			t.Errorf("message = %q", msg)
		}
	})
	for _, tt := range []struct{ name, csv, want string }{
		{"no header", "", "无法读取"},
		{"a column missing", "date,name\n2027-01-01,元旦\n", "缺少 off_day 列"},
		{"only a header", "date,name,off_day\n", "没有任何日期"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCalendarCSV(strings.NewReader(tt.csv))
			if store.ErrorCode(err) != store.EINVALID || !strings.Contains(store.ErrorMessage(err), tt.want) {
				t.Errorf("err = %v, want EINVALID with %q", err, tt.want)
			}
		})
	}
}
