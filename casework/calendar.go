package casework

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
		t, problem := checkDate(d)
		if problem != "" {
			return nil, store.Errorf(store.EINVALID, "%s", problem)
		}
		key := dayKey(t)
		if _, dup := c.days[key]; dup {
			return nil, store.Errorf(store.EINVALID, "日期 %s 重复出现。", d.Date)
		}
		c.days[key] = d
		if !slices.Contains(c.years, t.Year()) {
			c.years = append(c.years, t.Year())
		}
	}
	slices.Sort(c.years)
	return c, nil
}

// checkDate returns the day of d in China Standard Time, or why no calendar
// may hold d: a malformed date, or a weekday marked as an adjusted working
// day.
func checkDate(d CalendarDay) (time.Time, string) {
	t, err := time.ParseInLocation(time.DateOnly, d.Date, store.CST)
	if err != nil {
		return time.Time{}, "日期“" + d.Date + "”格式不正确，应为 YYYY-MM-DD。"
	}
	if !d.OffDay && !isWeekend(t) {
		return time.Time{}, d.Date + " 是周一至周五，本来就是工作日，不能标为调休上班日。"
	}
	return t, ""
}

// Years administrators may enter: far around any calendar in use, narrow
// enough to catch a mistyped year before it is stored.
const (
	MinCalendarYear = 2000
	MaxCalendarYear = 2100
)

// MaxHolidayNameRunes bounds the name of a calendar entry (春节, 国庆节、中秋节).
const MaxHolidayNameRunes = 20

// CalendarProblem is one thing wrong with a calendar entry an administrator
// typed or imported: Index is the entry's position in the list checked,
// Message says what is wrong, in Chinese.
type CalendarProblem struct {
	Index   int
	Message string
}

// CheckCalendarYear checks the entries an administrator gives for year, each
// on its own so the page can show every problem next to its row: a
// well-formed date within year, a name, no date twice, no weekday marked as
// an adjusted working day. No problems means NewCalendar accepts them. A
// year of 0 accepts any year from MinCalendarYear to MaxCalendarYear (a file
// may hold several).
func CheckCalendarYear(year int, days []CalendarDay) []CalendarProblem {
	var out []CalendarProblem
	seen := make(map[int]bool, len(days))
	for i, d := range days {
		t, problem := checkDate(d)
		switch {
		case problem != "":
		case year != 0 && t.Year() != year:
			problem = fmt.Sprintf("日期 %s 不在 %d 年内。", d.Date, year)
		case t.Year() < MinCalendarYear || t.Year() > MaxCalendarYear:
			problem = fmt.Sprintf("日期 %s 的年份应在 %d 至 %d 年之间。", d.Date, MinCalendarYear, MaxCalendarYear)
		case seen[dayKey(t)]:
			problem = "日期 " + d.Date + " 重复出现。"
		case d.Name == "" || utf8.RuneCountInString(d.Name) > MaxHolidayNameRunes:
			problem = fmt.Sprintf("请填写节日名称（最多%d个字，例如 春节）。", MaxHolidayNameRunes)
		case !validHolidayName(d.Name):
			problem = "节日名称含有不可见字符或控制字符，请删除后重新输入。"
		}
		if problem != "" {
			out = append(out, CalendarProblem{Index: i, Message: problem})
			continue
		}
		seen[dayKey(t)] = true
	}
	return out
}

// validHolidayName accepts a holiday's name as every name is accepted: one
// line of visible text (SingleLineText), without surrounding spaces. Direction
// marks, zero-width and other invisible characters would make two names
// that look alike differ on the calendar page and in the audit log.
func validHolidayName(name string) bool {
	return SingleLineText(name) && strings.TrimSpace(name) == name
}

// maxListedProblems is how many problems an import error names before it
// says that there are more.
const maxListedProblems = 10

// problemsError is the one EINVALID error for a list of problems, each
// already saying where it is, so nothing is stored and the administrator
// sees what to fix in one go.
func problemsError(problems []string) error {
	msg := fmt.Sprintf("共有 %d 处错误，未保存任何内容：", len(problems))
	listed := problems[:min(len(problems), maxListedProblems)]
	msg += strings.Join(listed, "；")
	if len(problems) > len(listed) {
		msg += fmt.Sprintf("；……另有 %d 处", len(problems)-len(listed))
	}
	return store.Errorf(store.EINVALID, "%s。", strings.TrimSuffix(msg, "。"))
}

// CalendarYearError turns the problems CheckCalendarYear found into one
// EINVALID error naming each entry by its row (counted from 1), or nil when
// there are none.
func CalendarYearError(problems []CalendarProblem) error {
	if len(problems) == 0 {
		return nil
	}
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = fmt.Sprintf("第 %d 行：%s", p.Index+1, strings.TrimSuffix(p.Message, "。"))
	}
	return problemsError(lines)
}

// LoadCalendar reads a calendar from CSV in the format ReadCalendarCSV
// takes, as in data/cn-holidays.csv.
func LoadCalendar(r io.Reader) (*Calendar, error) {
	days, err := ReadCalendarCSV(r)
	if err != nil {
		return nil, err
	}
	return NewCalendar(days)
}

// ReadCalendarCSV reads calendar entries from CSV with the header
// date,name,off_day (columns found by name, in any order; extra columns such
// as source ignored), the format of data/cn-holidays.csv, one or more years.
// Every line is checked as CheckCalendarYear would, and the error (EINVALID,
// in Chinese) names each wrong line by its number in the file, so an
// administrator can fix them all at once.
func ReadCalendarCSV(r io.Reader) ([]CalendarDay, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, store.Wrap(store.EINVALID, err, "节假日文件无法读取，应为含 date、name、off_day 列的 CSV 文件。")
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, name := range []string{"date", "name", "off_day"} {
		if _, ok := cols[name]; !ok {
			return nil, store.Errorf(store.EINVALID, "节假日文件无法读取，应为含 date、name、off_day 列的 CSV 文件（第 1 行为表头，缺少 %s 列）。", name)
		}
	}
	need := max(cols["date"], cols["name"], cols["off_day"]) + 1
	var (
		days     []CalendarDay
		lines    []int             // the file line of each of days
		problems []CalendarProblem // Index is the line in the file here
	)
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			problems = append(problems, CalendarProblem{perr.Line, "CSV 格式不正确（例如引号不成对）。"})
			continue
		} else if err != nil {
			return nil, store.Wrap(store.EINVALID, err, "节假日文件无法读取，应为含 date、name、off_day 列的 CSV 文件。")
		}
		line, _ := cr.FieldPos(0)
		if len(row) < need {
			problems = append(problems, CalendarProblem{line, "应有 date、name、off_day 三列。"})
			continue
		}
		off, err := strconv.ParseBool(strings.TrimSpace(row[cols["off_day"]]))
		if err != nil {
			problems = append(problems, CalendarProblem{line, "off_day 应为 true（放假）或 false（调休上班）。"})
			continue
		}
		days = append(days, CalendarDay{
			Date:   strings.TrimSpace(row[cols["date"]]),
			Name:   strings.TrimSpace(row[cols["name"]]),
			OffDay: off,
		})
		lines = append(lines, line)
	}
	for _, p := range CheckCalendarYear(0, days) {
		problems = append(problems, CalendarProblem{lines[p.Index], p.Message})
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b CalendarProblem) int { return a.Index - b.Index })
		out := make([]string, len(problems))
		for i, p := range problems {
			out[i] = fmt.Sprintf("第 %d 行：%s", p.Index, strings.TrimSuffix(p.Message, "。"))
		}
		return nil, problemsError(out)
	}
	if len(days) == 0 {
		return nil, store.Errorf(store.EINVALID, "节假日文件中没有任何日期。")
	}
	return days, nil
}

// Days returns every entry of the calendar in date order.
func (c *Calendar) Days() []CalendarDay {
	keys := slices.Sorted(maps.Keys(c.days))
	out := make([]CalendarDay, len(keys))
	for i, k := range keys {
		out[i] = c.days[k]
	}
	return out
}

// YearDays returns the entries of year in date order.
func (c *Calendar) YearDays(year int) []CalendarDay {
	var out []CalendarDay
	for _, d := range c.Days() {
		if d.Date[:4] == strconv.Itoa(year) {
			out = append(out, d)
		}
	}
	return out
}

// ReplaceYears returns a new calendar with c's entries, except that every
// year with at least one entry in days takes exactly those entries instead
// of c's: administrators maintain a year as a whole, so their version of
// 2026 replaces the embedded one rather than adding to it (a holiday the
// State Council moved must disappear from its old date). c is not changed.
func (c *Calendar) ReplaceYears(days []CalendarDay) (*Calendar, error) {
	replaced := map[string]bool{}
	for _, d := range days {
		if len(d.Date) >= 4 {
			replaced[d.Date[:4]] = true
		}
	}
	merged := make([]CalendarDay, 0, len(c.days)+len(days))
	for _, d := range c.Days() {
		if !replaced[d.Date[:4]] {
			merged = append(merged, d)
		}
	}
	return NewCalendar(append(merged, days...))
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
