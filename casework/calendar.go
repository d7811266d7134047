package casework

import (
	"bytes"
	_ "embed"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fundwatch/store"
)

// CalendarDay is one entry of the official calendar: a public holiday
// (OffDay true) or an adjusted working day on a weekend (调休上班日, OffDay
// false). Days not listed follow the week: Monday to Friday work, weekends off.
type CalendarDay struct {
	Date   string // YYYY-MM-DD, a day in China Standard Time
	Name   string // the holiday it belongs to, e.g. 春节
	OffDay bool
}

// Calendar tells working days from rest days for deadline counting. The State
// Council publishes each year's holidays late in the previous year, so the
// calendar is data an administrator maintains, not code. A Calendar is
// read-only after it is built and safe for concurrent use.
type Calendar struct {
	days  map[int]CalendarDay // key: yyyymmdd
	years []int               // years with at least one entry, ascending
}

//go:embed data/cn-holidays.csv
var cnHolidaysCSV []byte

var defaultCalendar = sync.OnceValue(func() *Calendar {
	c, err := LoadCalendar(bytes.NewReader(cnHolidaysCSV))
	if err != nil {
		panic("casework: embedded data/cn-holidays.csv: " + err.Error())
	}
	return c
})

// DefaultCalendar returns the official holidays and adjusted working days of
// 2024–2026 embedded in the binary, the seed for the calendar an administrator
// then maintains.
func DefaultCalendar() *Calendar { return defaultCalendar() }

// NewCalendar builds a calendar from entries, refusing what would silently give
// wrong deadlines: a malformed or repeated date, or a weekday marked as an
// adjusted working day (weekdays are working days anyway, so it is a typo for
// a holiday). Errors are *store.Error EINVALID with a Chinese message for the
// administrator.
func NewCalendar(days []CalendarDay) (*Calendar, error) {
	c := &Calendar{days: make(map[int]CalendarDay, len(days))}
	for _, d := range days {
		t, err := time.ParseInLocation(time.DateOnly, d.Date, store.CST)
		if err != nil {
			return nil, store.Errorf(store.EINVALID, "日期“%s”格式不正确，应为 YYYY-MM-DD。", d.Date)
		}
		key := dayKey(t)
		if _, dup := c.days[key]; dup {
			return nil, store.Errorf(store.EINVALID, "日期 %s 重复出现。", d.Date)
		}
		if !d.OffDay && !isWeekend(t) {
			return nil, store.Errorf(store.EINVALID, "%s 是周一至周五，本来就是工作日，不能标为调休上班日。", d.Date)
		}
		c.days[key] = d
		if !slices.Contains(c.years, t.Year()) {
			c.years = append(c.years, t.Year())
		}
	}
	slices.Sort(c.years)
	return c, nil
}

// LoadCalendar reads calendar entries from CSV with the header
// date,name,off_day (columns found by name, extra columns such as source
// ignored), as in data/cn-holidays.csv.
func LoadCalendar(r io.Reader) (*Calendar, error) {
	rows, cols, err := readCSV(r, "date", "name", "off_day")
	if err != nil {
		return nil, store.Wrap(store.EINVALID, err, "节假日文件无法读取，应为含 date、name、off_day 列的 CSV 文件。")
	}
	days := make([]CalendarDay, 0, len(rows))
	for i, row := range rows {
		off, err := strconv.ParseBool(strings.TrimSpace(row[cols["off_day"]]))
		if err != nil {
			return nil, store.Errorf(store.EINVALID, "第 %d 行：off_day 应为 true（放假）或 false（调休上班）。", i+2)
		}
		days = append(days, CalendarDay{
			Date:   strings.TrimSpace(row[cols["date"]]),
			Name:   strings.TrimSpace(row[cols["name"]]),
			OffDay: off,
		})
	}
	return NewCalendar(days)
}

// Years returns the years the calendar has entries for, ascending, so the admin
// pages can warn when next year's holidays have not been entered yet (deadlines
// then count weekends only).
func (c *Calendar) Years() []int { return slices.Clone(c.years) }

// IsWorkingDay reports whether the day of t in China Standard Time is a working
// day: a public holiday is off, an adjusted working day is on, and otherwise
// Monday to Friday are working days.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	t = t.In(store.CST)
	if d, ok := c.days[dayKey(t)]; ok {
		return !d.OffDay
	}
	return !isWeekend(t)
}

// WorkingDaysDeadline returns the end of a period of n working days after
// event (民法典 第二百零一条): counting starts on the day after the event day in
// China Standard Time, and the period ends at 24:00 CST of the n-th working day,
// returned in UTC as the first instant after it. A 要情 found on a Friday with
// n = 2 is due at the end of the following Tuesday. For n <= 0 it returns the
// end of the event day.
func (c *Calendar) WorkingDaysDeadline(event time.Time, n int) time.Time {
	day := startOfDayCST(event)
	for counted := 0; counted < n; {
		day = day.AddDate(0, 0, 1)
		if c.IsWorkingDay(day) {
			counted++
		}
	}
	return day.AddDate(0, 0, 1).UTC()
}

// CalendarDaysDeadline returns the end of a period of n calendar days after
// event: counting starts on the day after the event day in China Standard Time;
// if the n-th day is a rest day or public holiday the period ends on the next
// working day (民法典 第二百零三条). The result is 24:00 CST of the last day,
// returned in UTC. For n <= 0 the last day is the event day itself.
func (c *Calendar) CalendarDaysDeadline(event time.Time, n int) time.Time {
	day := startOfDayCST(event).AddDate(0, 0, max(n, 0))
	for !c.IsWorkingDay(day) {
		day = day.AddDate(0, 0, 1)
	}
	return day.AddDate(0, 0, 1).UTC()
}

// startOfDayCST returns 00:00 China Standard Time of the day t falls on there.
func startOfDayCST(t time.Time) time.Time {
	y, m, d := t.In(store.CST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, store.CST)
}

func dayKey(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

func isWeekend(t time.Time) bool {
	wd := t.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}
