package admin

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"fundwatch/store"
)

var volatile = regexp.MustCompile(`<code>[0-9a-f]{16}</code>|name="_csrf" value="[^"]*"`)

// TestAnotherCitysCaseAnswersLikeAMissingOne: a handler of 长春市 asks for
// a case of 吉林市 by every route that takes a case id; each answers
// exactly as for an id that does not exist, and nothing changes.
func TestAnotherCitysCaseAnswersLikeAMissingOne(t *testing.T) {
	e := newAdminEnv(t)
	changchun := e.addUser("cchandler", store.RoleHandler, "220100")
	jilinCase := e.fileCase("220202", "embezzlement", 120_000_00) // 吉林市昌邑区
	ownCase := e.fileCase("220102", "embezzlement", 0)
	cl := e.client()
	cl.login(changchun)

	missing := "0000000000000000000000000z"
	respM, bodyM := cl.get("/admin/cases/" + missing)
	respO, bodyO := cl.get("/admin/cases/" + jilinCase.ID)
	if respM.StatusCode != http.StatusNotFound || respO.StatusCode != respM.StatusCode ||
		volatile.ReplaceAllString(bodyO, "") != volatile.ReplaceAllString(bodyM, "") {
		t.Errorf("case page: other region %d, missing %d; pages differ: %v", respO.StatusCode, respM.StatusCode,
			volatile.ReplaceAllString(bodyO, "") != volatile.ReplaceAllString(bodyM, ""))
	}
	token := cl.token("/admin/cases/" + ownCase.ID)
	forms := map[string]url.Values{
		"accept": {}, "reject": {"note": {"x理由充分"}}, "transfer": {"note": {"转办"}, "target": {"region:220100"}},
		"investigate": {"mode": {"onsite"}}, "conclude": {"result": {"not_substantiated"}}, "close": {},
		"onsite": {"note": {"发现问题"}}, "assign": {"assignee": {changchun.User.ID}},
		"reply": {"body": {"您好，已受理您的举报。"}}, "note": {"body": {"内部备注内容"}},
		"classify": {"discoveredOn": {"2026-11-30"}}, "identity": {},
	}
	for action, v := range forms {
		v.Set("_csrf", token)
		v.Set("version", "1")
		rO, bO := cl.post("/admin/cases/"+jilinCase.ID+"/"+action, v)
		rM, bM := cl.post("/admin/cases/"+missing+"/"+action, v)
		if rO.StatusCode != http.StatusNotFound || rM.StatusCode != http.StatusNotFound ||
			volatile.ReplaceAllString(bO, "") != volatile.ReplaceAllString(bM, "") {
			t.Errorf("%s: other region %d, missing %d, same page %v", action, rO.StatusCode, rM.StatusCode,
				volatile.ReplaceAllString(bO, "") == volatile.ReplaceAllString(bM, ""))
		}
		if strings.Contains(bO, jilinCase.Number) {
			t.Errorf("%s: the answer names the other region's case", action)
		}
	}
	got := e.mustGetCase(jilinCase.ID)
	if got.Status != store.StatusReceived || got.Version != jilinCase.Version {
		t.Errorf("other region's case changed: status %s, version %d", got.Status, got.Version)
	}
	// The inbox does not list it, with or without a region filter for it.
	for _, q := range []string{"", "?region=220200", "?region=220202", "?class=none", "?sort=due", "?number=" + jilinCase.Number} {
		_, page := cl.get("/admin/cases" + q)
		list := between(page, `<p id="result-count">`, "</table>")
		if strings.Contains(list, jilinCase.Number) || !strings.Contains(page, `id="result-count"`) {
			t.Errorf("inbox%s lists the other region's case", q)
		}
		if !strings.Contains(list, ownCase.Number) && !strings.Contains(q, "number") {
			t.Errorf("inbox%s lacks the user's own case", q)
		}
	}
	// Finding one's own case by number, typed as people do.
	_, found := cl.get("/admin/cases?number=" + url.QueryEscape(" "+strings.Replace(ownCase.Number, "-", "－", 1)+" "))
	if !strings.Contains(between(found, `id="inbox"`, "</table>"), ownCase.Number) || !strings.Contains(found, "共 1 件") {
		t.Errorf("finding %s by number failed", ownCase.Number)
	}
	// The audit log has no entry for the refused attempts on the other case.
	for _, a := range e.auditActions() {
		if strings.HasPrefix(a, "case.") || a == "identity.reveal" {
			t.Errorf("a refused action was audited as done: %s", a)
		}
	}
}

// TestProvinceSeesEveryCity: the provincial handler's scope holds every
// region below the province.
func TestProvinceSeesEveryCity(t *testing.T) {
	e := newAdminEnv(t)
	prov := e.addUser("sheng", store.RoleHandler, "220000")
	a := e.fileCase("220202", "embezzlement", 0)
	b := e.fileCase("222401", "embezzlement", 0) // 延吉市
	cl := e.client()
	cl.login(prov)
	_, list := cl.get("/admin/cases")
	if !strings.Contains(list, a.Number) || !strings.Contains(list, b.Number) {
		t.Error("the province does not see every city's cases")
	}
	if resp, _ := cl.get("/admin/cases/" + b.ID); resp.StatusCode != http.StatusOK {
		t.Errorf("province opening a 延边 case: %d", resp.StatusCode)
	}
}
