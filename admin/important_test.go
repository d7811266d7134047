package admin

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"fundwatch/casework"
	"fundwatch/store"
)

var reportLink = regexp.MustCompile(`/admin/reports/([0-9a-z]{26})`)

// classifiedCase files a case of 150,000 yuan of embezzlement in 长春市南关区
// and has the handler classify it (discovered on the given day).
func classifiedCase(t *testing.T, e *adminEnv, handler *client, day string) *store.Case {
	t.Helper()
	cs := e.fileCase("220102", "embezzlement", 150_000_00)
	if resp, body := handler.act(cs.ID, "classify", url.Values{"discoveredOn": {day}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("classify: %d\n%s", resp.StatusCode, between(body, `id="problem"`, "</div>"))
	}
	got := e.mustGetCase(cs.ID)
	if got.ImportantClass != store.ClassMajor || got.DiscoveredOn != day {
		t.Fatalf("after classifying: class %s, discovered %s", got.ImportantClass, got.DiscoveredOn)
	}
	return got
}

func TestALeaderSignsAMajorImportantReport(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("chengban", store.RoleHandler, "220100")
	l := e.addUser("fuzeren", store.RoleLeader, "220100")
	hc, lc := e.client(), e.client()
	hc.login(h)
	lc.login(l)
	cs := classifiedCase(t, e, hc, "2026-11-27") // a Friday
	_, page := hc.get("/admin/cases/" + cs.ID)
	for _, want := range []string{casework.RecipientSameLevel, casework.RecipientProvincial, "要情报告时限"} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	resp, _ := hc.postWith("/admin/cases/"+cs.ID, "/admin/cases/"+cs.ID+"/report", nil)
	m := reportLink.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("draft: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	id := m[1]
	r, err := e.st.ImportantReportInRegions(context.Background(), id, e.regions.Descendants("220000"))
	if err != nil {
		t.Fatal(err)
	}
	// 3 working days after Friday 2026-11-27: Wednesday 2026-12-02, 24:00 CST.
	if got := r.DueAt.In(store.CST).Format("2006-01-02 15:04"); got != "2026-12-03 00:00" {
		t.Errorf("report due %s, want the end of 2026-12-02", got)
	}
	// The handler writes the situation; a handler cannot sign.
	body := "一、基本情况\n某某商贸有限公司财务人员挪用社会保险费15万元。\n二、目前查明的情况\n已调取银行流水。"
	if resp, _ := hc.postWith("/admin/reports/"+id, "/admin/reports/"+id, url.Values{"title": {"关于某某商贸有限公司挪用社会保险费的重大要情报告"}, "body": {body}, "version": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save draft: %d", resp.StatusCode)
	}
	if resp, _ := hc.postWith("/admin/reports/"+id, "/admin/reports/"+id+"/sign", url.Values{"version": {"2"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a handler signing: %d, want 403", resp.StatusCode)
	}
	// The leader signs the version they read.
	if resp, _ := lc.postWith("/admin/reports/"+id, "/admin/reports/"+id+"/sign", url.Values{"version": {"1"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("signing a stale version: %d, want 409", resp.StatusCode)
	}
	if resp, body := lc.postWith("/admin/reports/"+id, "/admin/reports/"+id+"/sign", url.Values{"version": {"2"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign: %d\n%s", resp.StatusCode, body)
	}
	r, _ = e.st.ImportantReportInRegions(context.Background(), id, e.regions.Descendants("220000"))
	text := casework.ImportantReportText(r, e.regions.FullName(r.RegionCode))
	if r.Status != store.ReportSigned || r.SignedBy != l.User.ID || r.SignedHash != casework.ImportantReportHash(text) || !strings.Contains(text, "挪用社会保险费15万元") {
		t.Errorf("signed report: status %s by %s, hash %s", r.Status, r.SignedBy, r.SignedHash)
	}
	// Frozen: a later edit is refused and changes nothing.
	resp, page = hc.postWith("/admin/reports/"+id, "/admin/reports/"+id, url.Values{"title": {"改"}, "body": {"改"}, "version": {"3"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, store.MsgReportFrozen) {
		t.Errorf("editing a signed report: %d", resp.StatusCode)
	}
	// The print view is the official document with the signature and hash.
	_, print := hc.get("/admin/reports/" + id + "/print")
	for _, want := range []string{"重大要情报告", "负责人签发：测试fuzeren", r.SignedHash, "加盖公章", "150,000.00"} {
		if !strings.Contains(print, want) {
			t.Errorf("print view lacks %q", want)
		}
	}
	if resp, _ := hc.postWith("/admin/reports/"+id, "/admin/reports/"+id+"/submit", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("submit: %d", resp.StatusCode)
	}
	// A correction is a new version that shows what changed.
	resp, _ = hc.postWith("/admin/reports/"+id, "/admin/reports/"+id+"/correct", nil)
	m = reportLink.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil || m[1] == id {
		t.Fatalf("correct: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	v2 := m[1]
	if resp, page := hc.postWith("/admin/reports/"+v2, "/admin/reports/"+v2, url.Values{"title": {r.Title}, "body": {body + "\n涉及金额更正为16万元。"}, "version": {"1"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "更正说明") {
		t.Errorf("a correction without its note: %d", resp.StatusCode)
	}
	hc.postWith("/admin/reports/"+v2, "/admin/reports/"+v2, url.Values{"title": {r.Title}, "body": {body + "\n涉及金额更正为16万元。"}, "changeNote": {"补充核实的金额"}, "version": {"1"}})
	_, page = hc.get("/admin/reports/" + v2)
	if !strings.Contains(page, `id="report-diff"`) || !strings.Contains(page, "＋ 涉及金额更正为16万元。") || !strings.Contains(page, "第 2 版") {
		t.Errorf("correction page does not show what changed")
	}
	want := []string{"report.draft", "report.update", "report.sign", "report.submit", "report.correct", "report.update"}
	var got []string
	for _, a := range e.auditActions() {
		if strings.HasPrefix(a, "report.") {
			got = append(got, a)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("report audit = %v, want %v", got, want)
	}
}

func TestAFirstReportHasNoChangeNote(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("chengban", store.RoleHandler, "220100")
	hc := e.client()
	hc.login(h)
	cs := classifiedCase(t, e, hc, "2026-11-27")
	resp, _ := hc.postWith("/admin/cases/"+cs.ID, "/admin/cases/"+cs.ID+"/report", nil)
	id := reportLink.FindStringSubmatch(resp.Header.Get("Location"))[1]
	// The first report's form has no change note; one sent anyway would
	// put 更正说明 into the text a leader signs.
	resp, page := hc.postWith("/admin/reports/"+id, "/admin/reports/"+id, url.Values{"title": {"关于某某商贸有限公司的重大要情报告"},
		"body": {"一、基本情况"}, "changeNote": {"更正金额"}, "version": {"1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "更正说明只用于更正版本") {
		t.Errorf("a first report with a change note: %d, want 422", resp.StatusCode)
	}
	r, err := e.st.ImportantReportInRegions(context.Background(), id, e.regions.Descendants("220000"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != 1 || r.ChangeNote != "" || strings.Contains(casework.ImportantReportText(r, ""), "更正说明") {
		t.Errorf("after the refusal: version %d, note %q", r.Version, r.ChangeNote)
	}
	// Spaces alone are no note.
	if resp, _ := hc.postWith("/admin/reports/"+id, "/admin/reports/"+id, url.Values{"title": {"关于某某商贸有限公司的重大要情报告"},
		"body": {"一、基本情况"}, "changeNote": {" \r\n "}, "version": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a first report with a blank change note: %d, want it saved", resp.StatusCode)
	}
}

func TestReportsOfAnotherCityAreNotFound(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("chengban", store.RoleHandler, "220100")
	other := e.addUser("jilinshi", store.RoleLeader, "220200")
	hc, oc := e.client(), e.client()
	hc.login(h)
	oc.login(other)
	cs := classifiedCase(t, e, hc, "2026-11-27")
	resp, _ := hc.postWith("/admin/cases/"+cs.ID, "/admin/cases/"+cs.ID+"/report", nil)
	id := reportLink.FindStringSubmatch(resp.Header.Get("Location"))[1]
	for _, path := range []string{"/admin/reports/" + id, "/admin/reports/" + id + "/print"} {
		if resp, _ := oc.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s from 吉林市: %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := oc.postWith("/admin", "/admin/reports/"+id+"/sign", url.Values{"version": {"1"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("signing another city's report: %d", resp.StatusCode)
	}
	if _, list := oc.get("/admin/reports"); strings.Contains(list, cs.Number) {
		t.Error("another city's report listed")
	}
}

func TestQuarterlyStatisticsFromCityToProvince(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("chengban", store.RoleHandler, "220100")
	cityLeader := e.addUser("ccleader", store.RoleLeader, "220100")
	prov := e.addUser("shengji", store.RoleLeader, "220000")
	hc, lc, pc := e.client(), e.client(), e.client()
	hc.login(h)
	lc.login(cityLeader)
	pc.login(prov)
	classifiedCase(t, e, hc, "2026-08-15") // 2026 Q3
	q := "/admin/quarterly?year=2026&quarter=3"
	_, page := lc.get(q)
	if !strings.Contains(page, `id="quarterly-rows"`) || !strings.Contains(page, "侵吞贪污") || !strings.Contains(page, "150,000.00") {
		t.Errorf("city's computed statistics missing")
	}
	if resp, _ := lc.postWith(q, "/admin/quarterly/submit", url.Values{"year": {"2026"}, "quarter": {"4"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("submitting a quarter not yet ended: %d, want 422", resp.StatusCode)
	}
	// The province sees every city; Q3 was due in October, so all are late.
	_, ov := pc.get(q)
	if strings.Count(ov, `class="q-late"`) != 10 {
		t.Errorf("province overview: %d late cities, want all 10", strings.Count(ov, `class="q-late"`))
	}
	if resp, _ := lc.postWith(q, "/admin/quarterly/submit", url.Values{"year": {"2026"}, "quarter": {"3"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	if resp, _ := lc.postWith(q, "/admin/quarterly/submit", url.Values{"year": {"2026"}, "quarter": {"3"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("second submission: %d, want 409", resp.StatusCode)
	}
	_, ov = pc.get(q)
	if strings.Count(ov, `class="q-late"`) != 9 || strings.Count(ov, `class="q-submitted_late"`) != 1 {
		t.Errorf("province overview after 长春 submitted: late %d, submitted late %d", strings.Count(ov, `class="q-late"`), strings.Count(ov, `class="q-submitted_late"`))
	}
	// A handler cannot submit; a city sees only its own.
	if resp, _ := hc.postWith(q, "/admin/quarterly/submit", url.Values{"year": {"2026"}, "quarter": {"3"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("handler submitting: %d", resp.StatusCode)
	}
	// A city asking for another city's export gets its own.
	if resp, csv := lc.get("/admin/quarterly/export.csv?year=2026&quarter=3&city=220200"); resp.StatusCode != http.StatusOK ||
		!strings.Contains(csv, "长春市") || strings.Contains(csv, "吉林市") {
		t.Errorf("city export with another city in the query: %d\n%s", resp.StatusCode, csv)
	}
	// CSV: UTF-8 with BOM, Chinese headers, the submitted figures.
	resp, csv := pc.get("/admin/quarterly/export.csv?year=2026&quarter=3&city=220100")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(csv, "\ufeff") || !strings.Contains(csv, "要情类别,问题性质,险种,件数,涉及金额（元）") ||
		!strings.Contains(csv, "重大要情,侵吞贪污,企业职工基本养老保险,1,\"150,000.00\"") {
		t.Errorf("CSV export: %d\n%s", resp.StatusCode, csv)
	}
	if !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("CSV Content-Disposition %q", resp.Header.Get("Content-Disposition"))
	}
	_, print := pc.get("/admin/quarterly/print?year=2026&quarter=3&city=220100")
	if !strings.Contains(print, "要情季度统计表") || !strings.Contains(print, "2026年第三季度") {
		t.Error("print view wrong")
	}
}
