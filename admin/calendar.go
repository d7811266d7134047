package admin

import (
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// blankCalendarRows is how many empty rows the year form offers; "增加空行"
// adds as many again without JavaScript.
const blankCalendarRows = 10

// maxCalendarRows bounds the rows a posted year form may have: a year has
// 366 days.
const maxCalendarRows = 400

// calendarYear is one line of the years table.
type calendarYear struct {
	Year             int
	Holidays, Worked int
	Stored           bool // entered by administrators (else embedded in the binary)
	Missing          bool // no entries at all: deadlines count weekends only
}

// calendarRow is one row of the year form.
type calendarRow struct {
	Date, Name string
	OffDay     bool
	Error      string
	badKind    bool // the row's kind was neither of the select's options
}

// msgCalendarKind is the problem of a row whose kind is not one the form
// offers.
const msgCalendarKind = "请选择“放假”或“调休上班”。"

// msgCalendarRows refuses a year form whose row count is not one the page
// can have written: reading it otherwise would drop rows, or all of them
// and clear the year.
const msgCalendarRows = "表单不完整，未保存任何内容。请刷新页面后重新填写。"

// calendarState is what a calendar page shows besides the calendar.
type calendarState struct {
	Status  int
	Year    int
	Rows    []calendarRow // nil: the year's entries
	Flash   string
	Problem string // of the year form
	// CSV and CSVProblem are the import form's pasted text and refusal.
	CSV        string
	CSVProblem string
}

// calendarPage shows the working-day calendar: every year known, embedded
// or entered, and one year's entries, editable by an administrator of the
// province, read-only for the others.
func (a *Admin) calendarPage(c *fiber.Ctx) error {
	st := calendarState{Status: fiber.StatusOK, Year: a.now().In(store.CST).Year() + 1}
	if y, err := strconv.Atoi(c.Query("year")); err == nil && y >= casework.MinCalendarYear && y <= casework.MaxCalendarYear {
		st.Year = y
	}
	switch c.Query("done") {
	case "saved":
		st.Flash = "已保存 " + itoa(st.Year) + " 年工作日历，新计算的期限即按此执行。"
	case "cleared":
		st.Flash = "已清除录入的 " + itoa(st.Year) + " 年工作日历。"
	case "imported":
		var years []string
		for _, y := range strings.Split(c.Query("years"), ",") {
			if n, err := strconv.Atoi(y); err == nil && n >= casework.MinCalendarYear && n <= casework.MaxCalendarYear {
				years = append(years, itoa(n))
			}
		}
		st.Flash = "已导入 " + strings.Join(years, "、") + " 年工作日历，新计算的期限即按此执行。"
	}
	return a.renderCalendar(c, st)
}

func (a *Admin) renderCalendar(c *fiber.Ctx, st calendarState) error {
	rs, err := caseflow.ReadRuleSettings(c.UserContext(), a.Store)
	if err != nil {
		return err
	}
	canEdit := a.Cases.MayChangeRules(a.actor(c), casework.PermManageCalendar)
	rows := st.Rows
	if rows == nil {
		for _, d := range rs.Calendar.YearDays(st.Year) {
			rows = append(rows, calendarRow{Date: d.Date, Name: d.Name, OffDay: d.OffDay})
		}
		if canEdit {
			rows = append(rows, blankRows(blankCalendarRows)...)
		}
	}
	return a.render(c, st.Status, "calendar", fiber.Map{
		"Title": "工作日历", "Nav": "calendar", "State": st, "Rows": rows, "CanEdit": canEdit,
		"Years": a.calendarYears(rs, st.Year), "Stored": slices.Contains(rs.StoredYears, st.Year),
		"Embedded": slices.Contains(casework.DefaultCalendar().Years(), st.Year),
		"Warning":  a.calendarWarning(), "ProvinceOnly": caseflow.MsgProvinceOnly,
		"MinYear": casework.MinCalendarYear, "MaxYear": casework.MaxCalendarYear,
	})
}

func blankRows(n int) []calendarRow {
	rows := make([]calendarRow, n)
	for i := range rows {
		rows[i].OffDay = true
	}
	return rows
}

// calendarYears lists the years of the calendar, the year shown, and this
// year and next when they are missing, ascending.
func (a *Admin) calendarYears(rs *caseflow.RuleSettings, shown int) []calendarYear {
	this := a.now().In(store.CST).Year()
	years := rs.Calendar.Years()
	for _, y := range []int{this, this + 1, shown} {
		if !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	out := make([]calendarYear, 0, len(years))
	for _, y := range years {
		cy := calendarYear{Year: y, Stored: slices.Contains(rs.StoredYears, y)}
		for _, d := range rs.Calendar.YearDays(y) {
			if d.OffDay {
				cy.Holidays++
			} else {
				cy.Worked++
			}
		}
		cy.Missing = cy.Holidays+cy.Worked == 0
		out = append(out, cy)
	}
	return out
}

// readCalendarRows reads the year form's rows; a row with neither date nor
// name is left out. index maps each entry to its row. The row count must be
// the one the page wrote, 1 to maxCalendarRows (ok false otherwise); a
// row's kind must be one of the select's options, "off" or "work", else
// the row is marked badKind.
func readCalendarRows(c *fiber.Ctx) (rows []calendarRow, days []casework.CalendarDay, index []int, ok bool) {
	s := form(c, "rows")
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxCalendarRows || strconv.Itoa(n) != s {
		return nil, nil, nil, false
	}
	for i := range n {
		k := strconv.Itoa(i)
		kind := form(c, "kind"+k)
		r := calendarRow{
			Date:    strings.TrimSpace(form(c, "date"+k)),
			Name:    strings.TrimSpace(form(c, "name"+k)),
			OffDay:  kind != "work",
			badKind: kind != "off" && kind != "work",
		}
		if r.Date == "" && r.Name == "" {
			r.badKind = false // a blank row: its kind says nothing
		}
		rows = append(rows, calendarRow{Date: clip(r.Date, 20), Name: clip(r.Name, casework.MaxHolidayNameRunes+10), OffDay: r.OffDay,
			badKind: r.badKind})
		if r.Date == "" && r.Name == "" {
			continue
		}
		days = append(days, casework.CalendarDay{Date: r.Date, Name: r.Name, OffDay: r.OffDay})
		index = append(index, len(rows)-1)
	}
	return rows, days, index, true
}

// calendarSave stores the year form: the whole year as the rows say.
func (a *Admin) calendarSave(c *fiber.Ctx) error {
	year, err := strconv.Atoi(form(c, "year"))
	rows, days, index, ok := readCalendarRows(c)
	st := calendarState{Status: fiber.StatusUnprocessableEntity, Year: year, Rows: rows}
	if err != nil || year < casework.MinCalendarYear || year > casework.MaxCalendarYear {
		st.Year = a.now().In(store.CST).Year() + 1
		st.Rows = nil
		st.Problem = "年份应在 " + itoa(casework.MinCalendarYear) + " 至 " + itoa(casework.MaxCalendarYear) + " 年之间。"
		return a.renderCalendar(c, st)
	}
	if !ok {
		st.Problem = msgCalendarRows // the year's entries are shown again
		return a.renderCalendar(c, st)
	}
	if form(c, "more") != "" {
		st.Status = fiber.StatusOK
		st.Rows = append(rows, blankRows(min(blankCalendarRows, maxCalendarRows-len(rows)))...)
		return a.renderCalendar(c, st)
	}
	problems := casework.CheckCalendarYear(year, days)
	for _, p := range problems {
		st.Rows[index[p.Index]].Error = p.Message
	}
	bad := len(problems)
	for i := range st.Rows {
		if st.Rows[i].badKind && st.Rows[i].Error == "" {
			st.Rows[i].Error = msgCalendarKind
			bad++
		}
	}
	if bad > 0 {
		st.Problem = "共有 " + itoa(bad) + " 行填写有误，请按各行提示修改；未保存任何内容。"
		return a.renderCalendar(c, st)
	}
	err = a.Cases.PutCalendarYear(c.UserContext(), a.actor(c), year, days)
	if store.ErrorCode(err) == store.EINVALID {
		st.Problem = store.ErrorMessage(err)
		return a.renderCalendar(c, st)
	} else if err != nil {
		return err
	}
	done := "saved"
	if len(days) == 0 {
		done = "cleared"
	}
	return c.Redirect(web.AdminPrefix+"/calendar?year="+itoa(year)+"&done="+done, fiber.StatusSeeOther)
}

// calendarImport stores the years of a CSV file, uploaded or pasted.
func (a *Admin) calendarImport(c *fiber.Ctx) error {
	text := strings.TrimSpace(postedValue(c, "csv"))
	var r io.Reader = strings.NewReader(text)
	uploaded := false
	if isMultipart(c) {
		if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
			f, err := fh.Open()
			if err != nil {
				return err
			}
			defer f.Close()
			r, text, uploaded = f, "", true
		}
	}
	st := calendarState{Status: fiber.StatusUnprocessableEntity, Year: a.now().In(store.CST).Year() + 1, CSV: clip(text, caseflow.MaxCalendarCSVBytes)}
	if y, err := strconv.Atoi(postedValue(c, "year")); err == nil && y >= casework.MinCalendarYear && y <= casework.MaxCalendarYear {
		st.Year = y
	}
	if text == "" && !uploaded {
		st.CSVProblem = "请选择 CSV 文件，或将文件内容粘贴到文本框中。"
		return a.renderCalendar(c, st)
	}
	years, err := a.Cases.ImportCalendarCSV(c.UserContext(), a.actor(c), r)
	if store.ErrorCode(err) == store.EINVALID {
		st.CSVProblem = store.ErrorMessage(err)
		return a.renderCalendar(c, st)
	} else if err != nil {
		return err
	}
	names := make([]string, len(years))
	for i, y := range years {
		names[i] = itoa(y)
	}
	return c.Redirect(web.AdminPrefix+"/calendar?year="+itoa(years[0])+"&done=imported&years="+strings.Join(names, ","), fiber.StatusSeeOther)
}
