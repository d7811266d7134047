package admin

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fundwatch/casework/caseflow"
	"fundwatch/store"
)

// endOfDay is 24:00 CST of the given day, in UTC: the form deadlines take.
func endOfDay(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d+1, 0, 0, 0, 0, store.CST).UTC()
}

// calendarForm is the year form with the given rows (date, name, kind) and
// blank rows after them, as the page posts it.
func calendarForm(year int, rows ...[3]string) url.Values {
	v := url.Values{"year": {strconv.Itoa(year)}, "rows": {strconv.Itoa(len(rows) + 3)}}
	for i, r := range rows {
		k := strconv.Itoa(i)
		v.Set("date"+k, r[0])
		v.Set("name"+k, r[1])
		v.Set("kind"+k, r[2])
	}
	for i := len(rows); i < len(rows)+3; i++ {
		v.Set("kind"+strconv.Itoa(i), "off")
	}
	return v
}

// postMultipart posts fields and an optional file as multipart/form-data,
// the way the import form is sent.
func (cl *client) postMultipart(path string, fields map[string]string, fileName, file string) (*http.Response, string) {
	cl.e.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			cl.e.t.Fatal(err)
		}
	}
	if fileName != "" {
		fw, err := w.CreateFormFile("file", fileName)
		if err != nil {
			cl.e.t.Fatal(err)
		}
		fw.Write([]byte(file))
	}
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return cl.do(req)
}

func (e *adminEnv) storedCalendar() []store.CalendarEntry {
	e.t.Helper()
	entries, err := e.st.CalendarEntries(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return entries
}

// provinceAdmin signs in an administrator of the province at Wednesday
// 2026-12-30 10:00 CST, the day before the year ends.
func provinceAdmin(t *testing.T) (*adminEnv, *client) {
	t.Helper()
	e := newAdminEnv(t)
	e.advance(30 * 24 * time.Hour)
	admin := e.addUser("sheng.admin", store.RoleAdmin, "220000")
	cl := e.client()
	cl.login(admin)
	return e, cl
}

func TestAddingNextYearsHolidaysChangesNewDeadlines(t *testing.T) {
	e, cl := provinceAdmin(t)
	// Received Wednesday 2026-12-30. Without 2027 in the calendar 元旦 is
	// an ordinary Friday: Thu 31, Fri 1, Mon 4, Tue 5, Wed 6.
	before := e.fileCase("220102", "embezzlement", 0)
	if want := endOfDay(2027, 1, 6); !before.DueAt.Equal(want) {
		t.Fatalf("acceptance due before = %v, want %v", before.DueAt, want)
	}
	_, home := cl.get("/admin")
	if !strings.Contains(home, `id="calendar-warning"`) || !strings.Contains(home, "2027年") {
		t.Errorf("the dashboard does not warn that 2027 is missing")
	}
	resp, page := cl.get("/admin/calendar")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="calendar-form"`) || !strings.Contains(page, `<h2 id="year-title">2027 年`) {
		t.Fatalf("calendar page: %d, want the 2027 form by default\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(page, `id="year-2027"`) || !strings.Contains(page, "尚未录入") {
		t.Error("the years table does not show 2027 as missing")
	}

	form := calendarForm(2027, [3]string{"2027-01-01", "元旦", "off"}, [3]string{"2027-01-02", "元旦", "off"}, [3]string{"2027-01-03", "元旦", "off"})
	resp, body := cl.postWith("/admin/calendar?year=2027", "/admin/calendar", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/calendar?year=2027&done=saved" {
		t.Fatalf("save 2027: %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	after := e.fileCase("220102", "embezzlement", 0)
	if want := endOfDay(2027, 1, 7); !after.DueAt.Equal(want) {
		t.Errorf("acceptance due after adding 2027 = %v, want %v (元旦 skipped)", after.DueAt, want)
	}
	_, page = cl.get("/admin/calendar?year=2027&done=saved")
	for _, want := range []string{"已保存 2027 年工作日历", `value="2027-01-03"`, "管理员录入"} {
		if !strings.Contains(page, want) {
			t.Errorf("calendar page after saving lacks %q", want)
		}
	}
	if _, home := cl.get("/admin"); strings.Contains(home, `id="calendar-warning"`) {
		t.Error("the dashboard still warns after 2027 was entered")
	}
	if !slices.Contains(e.auditActions(), caseflow.AuditCalendar) {
		t.Errorf("no %s audit entry", caseflow.AuditCalendar)
	}
}

func TestCalendarFormKeepsInputAndNamesEveryBadRow(t *testing.T) {
	e, cl := provinceAdmin(t)
	form := calendarForm(2027,
		[3]string{"2027-01-01", "元旦", "off"},
		[3]string{"2027-01-04", "元旦", "work"}, // a Monday
		[3]string{"2026-12-31", "元旦", "off"},  // the wrong year
		[3]string{"2027-02-06", "", "off"},    // no name
	)
	resp, body := cl.postWith("/admin/calendar?year=2027", "/admin/calendar", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	for _, want := range []string{`id="year-problem"`, "共有 3 行", `id="e-row1"`, "本来就是工作日", `id="e-row2"`, "不在 2027 年内",
		`id="e-row3"`, "节日名称", `value="2027-01-04"`, `value="2026-12-31"`, `<option value="work" selected>`} {
		if !strings.Contains(body, want) {
			t.Errorf("refused form lacks %q", want)
		}
	}
	if strings.Contains(body, `id="e-row0"`) {
		t.Error("the good row is marked wrong")
	}
	if got := e.storedCalendar(); len(got) != 0 {
		t.Errorf("a refused form stored %v", got)
	}

	// "增加空行" keeps what was typed and stores nothing.
	more := calendarForm(2027, [3]string{"2027-01-01", "元旦", "off"})
	more.Set("more", "1")
	resp, body = cl.postWith("/admin/calendar?year=2027", "/admin/calendar", more)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="2027-01-01"`) || !strings.Contains(body, `name="date13"`) {
		t.Errorf("more rows: %d, want the typed row kept and 10 more blank rows", resp.StatusCode)
	}
	if got := e.storedCalendar(); len(got) != 0 {
		t.Errorf("adding rows stored %v", got)
	}
}

func TestCalendarFormRefusesRowsAndKindsThePageCannotSend(t *testing.T) {
	e, cl := provinceAdmin(t)
	saved := calendarForm(2027, [3]string{"2027-01-01", "元旦", "off"}, [3]string{"2027-01-02", "元旦", "off"})
	if resp, _ := cl.postWith("/admin/calendar?year=2027", "/admin/calendar", saved); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save 2027: %d", resp.StatusCode)
	}
	stored := e.storedCalendar()
	audited := len(e.auditActions())
	// A row count the page never writes would read no rows (and clear the
	// year) or drop some: the form is refused and the year stays.
	for _, rows := range []string{"", "x", "0", "-1", "+2", "02", "2.0", " 2", "401", "100000"} {
		v := calendarForm(2027, [3]string{"2027-01-01", "元旦", "off"})
		v.Set("rows", rows)
		resp, body := cl.postWith("/admin/calendar?year=2027", "/admin/calendar", v)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msgCalendarRows) || !strings.Contains(body, `value="2027-01-02"`) {
			t.Errorf("rows %q: %d, want 422 with %q and the stored year shown", rows, resp.StatusCode, msgCalendarRows)
		}
	}
	// A kind that is neither option is a problem at its row, not a holiday.
	for _, kind := range []string{"", "holiday", "OFF", "off ", "work\xff"} {
		v := calendarForm(2027, [3]string{"2027-01-01", "元旦", "off"}, [3]string{"2027-01-09", "春节", kind})
		resp, body := cl.postWith("/admin/calendar?year=2027", "/admin/calendar", v)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-row1"`) || !strings.Contains(body, msgCalendarKind) ||
			strings.Contains(body, `id="e-row0"`) {
			t.Errorf("kind %q: %d, want 422 with %q at row 2 only", kind, resp.StatusCode, msgCalendarKind)
		}
	}
	if got := e.storedCalendar(); !slices.Equal(got, stored) || len(e.auditActions()) != audited {
		t.Errorf("refused forms changed the calendar to %v or audited %v", got, e.auditActions()[audited:])
	}
	// Blank rows' kinds are not read; a full form gets no more rows.
	v := calendarForm(2027, [3]string{"2027-01-01", "元旦", "off"})
	v.Set("kind2", "garbage")
	if resp, _ := cl.postWith("/admin/calendar?year=2027", "/admin/calendar", v); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a blank row with another kind: %d, want it saved", resp.StatusCode)
	}
	full := calendarForm(2027)
	full.Set("rows", strconv.Itoa(maxCalendarRows))
	full.Set("more", "1")
	if _, body := cl.postWith("/admin/calendar?year=2027", "/admin/calendar", full); !strings.Contains(body, `name="rows" value="400"`) {
		t.Errorf("adding rows to a form of %d rows made it longer", maxCalendarRows)
	}
}

func TestStoredYearReplacesTheEmbeddedOneUntilCleared(t *testing.T) {
	e, cl := provinceAdmin(t)
	_, page := cl.get("/admin/calendar?year=2026")
	if !strings.Contains(page, "系统内置") || !strings.Contains(page, `value="2026-10-01"`) {
		t.Fatal("the embedded 2026 is not shown for editing")
	}
	form := calendarForm(2026, [3]string{"2026-10-12", "国庆节", "off"})
	if resp, _ := cl.postWith("/admin/calendar?year=2026", "/admin/calendar", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save 2026: %d", resp.StatusCode)
	}
	national := time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC)
	if !e.rules.Calendar().IsWorkingDay(national) {
		t.Error("2026-10-01 is still off after the stored 2026 left it out")
	}
	if resp, _ := cl.postWith("/admin/calendar?year=2026", "/admin/calendar", calendarForm(2026)); resp.StatusCode != http.StatusSeeOther ||
		!strings.Contains(resp.Header.Get("Location"), "done=cleared") {
		t.Fatalf("clear 2026: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if e.rules.Calendar().IsWorkingDay(national) || len(e.storedCalendar()) != 0 {
		t.Error("clearing 2026 did not bring the embedded year back")
	}
}

func TestCalendarImport(t *testing.T) {
	e, cl := provinceAdmin(t)
	token := cl.token("/admin/calendar")

	// Pasted, with a Monday as an adjusted working day on line 3.
	bad := "date,name,off_day,source\n2027-01-01,元旦,true,\n2027-01-04,元旦,false,\n2028-01-01,元旦,true,\n"
	resp, body := cl.postMultipart("/admin/calendar/import", map[string]string{"_csrf": token, "csv": bad}, "", "")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "第 3 行：2027-01-04 是周一至周五") ||
		!strings.Contains(body, "未保存任何内容") || !strings.Contains(body, "2028-01-01,元旦,true,") {
		t.Errorf("bad CSV: %d, want 422 naming line 3 with the pasted text kept\n%s", resp.StatusCode, body)
	}
	if got := e.storedCalendar(); len(got) != 0 {
		t.Fatalf("a bad file stored %v", got)
	}

	// Uploaded as a file, two years.
	good := "\ufeffdate,name,off_day,source\r\n2027-01-01,元旦,true,\r\n2027-02-20,春节,false,\r\n2028-01-01,元旦,true,\r\n"
	resp, body = cl.postMultipart("/admin/calendar/import", map[string]string{"_csrf": token}, "holidays.csv", good)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good CSV: %d\n%s", resp.StatusCode, body)
	}
	_, page := cl.get(resp.Header.Get("Location"))
	if !strings.Contains(page, "已导入 2027、2028 年工作日历") {
		t.Errorf("no confirmation after the import:\n%s", page)
	}
	if got := e.rules.Calendar().Years(); !slices.Contains(got, 2027) || !slices.Contains(got, 2028) {
		t.Errorf("calendar years after the import: %v", got)
	}

	// The same form posted url-encoded (no file input at all) works too.
	resp, _ = cl.post("/admin/calendar/import", url.Values{"_csrf": {token}, "csv": {"date,name,off_day\n2029-01-01,元旦,true\n"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("url-encoded import: %d", resp.StatusCode)
	}
	resp, body = cl.post("/admin/calendar/import", url.Values{"_csrf": {token}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择 CSV 文件") {
		t.Errorf("empty import: %d", resp.StatusCode)
	}

	// A multipart post without the session's token is refused.
	resp, _ = cl.postMultipart("/admin/calendar/import", map[string]string{"csv": "date,name,off_day\n2030-01-01,元旦,true\n"}, "", "")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("multipart import without CSRF token: %d, want 403", resp.StatusCode)
	}
	if slices.ContainsFunc(e.storedCalendar(), func(c store.CalendarEntry) bool { return c.Date == "2030-01-01" }) {
		t.Error("a post without the token stored its year")
	}
}

func TestDashboardWarnsWhenThisYearIsMissing(t *testing.T) {
	e := newAdminEnv(t)
	e.advance(120 * 24 * time.Hour) // 2027-03-30: 2027 and 2028 are both missing
	h := e.addUser("chengban", store.RoleHandler, "220100")
	cl := e.client()
	cl.login(h)
	if _, home := cl.get("/admin"); !strings.Contains(home, `id="calendar-warning"`) || !strings.Contains(home, "今年（2027年）") {
		t.Error("the dashboard does not say that this year's holidays are missing")
	}
}
