package admin

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/store"
)

// formVersionOf reads the version field of the form with id on the last page.
func formVersionOf(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no form %s in page", id)
	}
	m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page[i:])
	if m == nil {
		t.Fatalf("no version in form %s", id)
	}
	return m[1]
}

func deadlineForm(version string, accept, notify, investigation, extension string) url.Values {
	return url.Values{"version": {version}, "acceptWorkingDays": {accept}, "notifyWorkingDays": {notify},
		"investigationDays": {investigation}, "extensionDays": {extension}}
}

func TestSettingsPageChangesTheDeadlines(t *testing.T) {
	e, cl := provinceAdmin(t)
	resp, page := cl.get("/admin/settings")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("settings page: %d", resp.StatusCode)
	}
	for _, want := range []string{"受理期限", "告知实名举报人期限", "调查期限", "可延长调查期限", "重大要情金额标准", "同时报送国家相关部门的金额标准",
		`name="acceptWorkingDays" value="5"`, `name="majorThreshold" value="100,000.00"`, `name="nationalThreshold" value="500,000.00"`, "尚未修改过"} {
		if !strings.Contains(page, want) {
			t.Errorf("settings page lacks %q", want)
		}
	}
	v := formVersionOf(t, page, "deadlines-form")

	// Refused by the rules: the message next to the field, what was typed kept.
	resp, body := cl.postWith("/admin/settings", "/admin/settings/deadlines", deadlineForm(v, "5", "3", "六十", "30"))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad deadlines: %d, want 422", resp.StatusCode)
	}
	for _, want := range []string{`id="e-investigationDays"`, "请填写整数", `name="notifyWorkingDays" value="3"`, `value="六十"`} {
		if !strings.Contains(body, want) {
			t.Errorf("refused form lacks %q", want)
		}
	}
	resp, body = cl.postWith("/admin/settings", "/admin/settings/deadlines", deadlineForm(v, "5", "3", "60", "30"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-notifyWorkingDays"`) ||
		!strings.Contains(body, "告知举报人期限不能短于受理期限") {
		t.Errorf("notify before accept: %d, want 422 with the message at the field", resp.StatusCode)
	}

	// Saved: new deadlines follow at once.
	resp, _ = cl.postWith("/admin/settings", "/admin/settings/deadlines", deadlineForm(v, "3", "8", "45", "15"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save deadlines: %d", resp.StatusCode)
	}
	// From Wednesday 2026-12-30: Thu 31, Fri 1 (2027 not entered), Mon 4.
	if cs := e.fileCase("220102", "embezzlement", 0); !cs.DueAt.Equal(endOfDay(2027, 1, 4)) {
		t.Errorf("acceptance due = %v, want the end of 2027-01-04 (3 working days)", cs.DueAt)
	}
	_, page = cl.get("/admin/settings?done=deadlines")
	if !strings.Contains(page, "已保存办理期限") || !strings.Contains(page, `name="acceptWorkingDays" value="3"`) || !strings.Contains(page, "最近修改") {
		t.Error("the page does not show the saved deadlines")
	}

	// A second save from the page loaded before the first: 409, input kept.
	resp, body = cl.postWith("/admin/settings", "/admin/settings/deadlines", deadlineForm(v, "7", "10", "60", "30"))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, store.MsgStaleRecord) || !strings.Contains(body, `name="acceptWorkingDays" value="7"`) {
		t.Errorf("stale save: %d, want 409 with %q and the input kept", resp.StatusCode, store.MsgStaleRecord)
	}
	if got := e.rules.Deadlines().AcceptWorkingDays; got != 3 {
		t.Errorf("a stale save changed acceptance to %d days", got)
	}
	if n := countOf(e.auditActions(), caseflow.AuditSettings); n != 1 {
		t.Errorf("%d %s audit entries, want 1", n, caseflow.AuditSettings)
	}
}

func TestSettingsPageChangesTheImportantCaseRules(t *testing.T) {
	e, cl := provinceAdmin(t)
	_, page := cl.get("/admin/settings")
	v := formVersionOf(t, page, "important-form")
	form := func(major, national string) url.Values {
		return url.Values{"version": {v}, "majorThreshold": {major}, "nationalThreshold": {national}, "importantDays": {"2"}, "majorDays": {"3"}}
	}
	resp, body := cl.postWith("/admin/settings", "/admin/settings/important", form("十万", "400000"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-majorThreshold"`) || !strings.Contains(body, "请以“元”为单位填写金额") {
		t.Errorf("amount in words: %d, want 422 with the amount message", resp.StatusCode)
	}
	resp, body = cl.postWith("/admin/settings", "/admin/settings/important", form("100000", "50000"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-nationalThreshold"`) || !strings.Contains(body, "不能低于") {
		t.Errorf("national below major: %d, want 422 at the national field", resp.StatusCode)
	}
	resp, _ = cl.postWith("/admin/settings", "/admin/settings/important", form("80,000.50", "400000元"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	want := casework.ImportantCaseRules{MajorThresholdFen: 80_000_50, NationalThresholdFen: 400_000_00, ImportantDays: 2, MajorDays: 3}
	if got := e.rules.Important(); got != want {
		t.Errorf("rules in use = %+v, want %+v (amounts in fen)", got, want)
	}
	if _, page := cl.get("/admin/settings"); !strings.Contains(page, `name="majorThreshold" value="80,000.50"`) {
		t.Error("the page does not show the saved threshold in yuan")
	}
}

func TestSettingsCheckTheWholeValueTyped(t *testing.T) {
	e, cl := provinceAdmin(t)
	// The page shows a refused value cut to 40 characters; what is checked
	// is all of it, so a number followed by 40 spaces and more is refused.
	pad := strings.Repeat(" ", 40)
	_, page := cl.get("/admin/settings")
	dv, iv := formVersionOf(t, page, "deadlines-form"), formVersionOf(t, page, "important-form")
	for _, c := range []struct {
		path  string
		form  url.Values
		field string
	}{
		{"/admin/settings/deadlines", deadlineForm(dv, "5"+pad+"x", "10", "60", "30"), "acceptWorkingDays"},
		{"/admin/settings/deadlines", deadlineForm(dv, "5", "10", "60"+pad+"天以上", "30"), "investigationDays"},
		{"/admin/settings/important", url.Values{"version": {iv}, "majorThreshold": {"100000" + pad + "万"},
			"nationalThreshold": {"500000"}, "importantDays": {"2"}, "majorDays": {"3"}}, "majorThreshold"},
		{"/admin/settings/important", url.Values{"version": {iv}, "majorThreshold": {"100000"},
			"nationalThreshold": {"500000"}, "importantDays": {"2"}, "majorDays": {"3" + pad + "3"}}, "majorDays"},
	} {
		resp, body := cl.postWith("/admin/settings", c.path, c.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-`+c.field+`"`) {
			t.Errorf("%s with a long %s: %d, want 422 at the field", c.path, c.field, resp.StatusCode)
		}
	}
	for _, key := range []string{caseflow.SettingDeadlines, caseflow.SettingImportant} {
		if _, err := e.st.SettingByKey(context.Background(), key); store.ErrorCode(err) != store.ENOTFOUND {
			t.Errorf("setting %s after refused forms: %v, want ENOTFOUND", key, err)
		}
	}
}

func TestCityAdministratorSeesCalendarAndSettingsReadOnly(t *testing.T) {
	e := newAdminEnv(t)
	city := e.addUser("changchun.admin", store.RoleAdmin, "220100")
	cl := e.client()
	cl.login(city)

	_, home := cl.get("/admin")
	if !strings.Contains(home, `href="/admin/calendar"`) || !strings.Contains(home, `href="/admin/settings"`) {
		t.Error("a city administrator has no links to the calendar and settings")
	}
	for _, path := range []string{"/admin/calendar", "/admin/calendar?year=2026", "/admin/settings"} {
		resp, page := cl.get(path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="read-only"`) || !strings.Contains(page, caseflow.MsgProvinceOnly) {
			t.Errorf("GET %s: %d, want the read-only page", path, resp.StatusCode)
		}
		for _, form := range []string{`id="calendar-form"`, `id="import-form"`, `id="deadlines-form"`, `id="important-form"`} {
			if strings.Contains(page, form) {
				t.Errorf("GET %s offers %s to a city administrator", path, form)
			}
		}
	}
	if _, page := cl.get("/admin/calendar?year=2026"); !strings.Contains(page, "2026-10-01") {
		t.Error("the read-only calendar does not show the year's entries")
	}
	if _, page := cl.get("/admin/settings"); !strings.Contains(page, "100,000.00 元") {
		t.Error("the read-only settings do not show the values")
	}

	token := cl.token("/admin/account")
	posts := map[string]url.Values{
		"/admin/calendar":           calendarForm(2027, [3]string{"2027-01-01", "元旦", "off"}),
		"/admin/calendar/import":    {"csv": {"date,name,off_day\n2027-01-01,元旦,true\n"}},
		"/admin/settings/deadlines": deadlineForm("0", "3", "8", "45", "15"),
		"/admin/settings/important": {"version": {"0"}, "majorThreshold": {"1"}, "nationalThreshold": {"2"}, "importantDays": {"1"}, "majorDays": {"1"}},
	}
	for path, v := range posts {
		v.Set("_csrf", token)
		if resp, body := cl.post(path, v); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, caseflow.MsgProvinceOnly) {
			t.Errorf("POST %s by a city administrator: %d, want 403 with %q", path, resp.StatusCode, caseflow.MsgProvinceOnly)
		}
	}
	if got := e.storedCalendar(); len(got) != 0 {
		t.Errorf("a city administrator stored %v", got)
	}
	for _, key := range []string{caseflow.SettingDeadlines, caseflow.SettingImportant} {
		if _, err := e.st.SettingByKey(context.Background(), key); store.ErrorCode(err) != store.ENOTFOUND {
			t.Errorf("setting %s after refused changes: %v, want ENOTFOUND", key, err)
		}
	}
}

func TestOnlyAdministratorsSeeTheCalendarAndSettingsLinks(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("chengban", store.RoleHandler, "220000")
	cl := e.client()
	cl.login(h)
	_, home := cl.get("/admin")
	if strings.Contains(home, `href="/admin/calendar"`) || strings.Contains(home, `href="/admin/settings"`) {
		t.Error("a handler sees links to the calendar or settings")
	}
	for _, path := range []string{"/admin/calendar", "/admin/settings"} {
		if resp, _ := cl.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s as a handler: %d, want 403", path, resp.StatusCode)
		}
	}
}

func countOf(list []string, v string) int {
	n := 0
	for i := slices.Index(list, v); i >= 0; i = slices.Index(list, v) {
		n++
		list = list[i+1:]
	}
	return n
}
