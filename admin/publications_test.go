package admin

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/store"
)

var pubLink = regexp.MustCompile(`/admin/publications/([0-9a-z]{26})`)

const fundHeader = "年度,地区代码,地区,险种,基金收入（万元）,保险费收入（万元）,财政补贴收入（万元）,利息收入（万元）,转移收入（万元）,其他收入（万元）,基金支出（万元）,社会保险待遇支出（万元）,转移支出（万元）,其他支出（万元）,本年收支结余（万元）,年末滚存结余（万元）\n"

// fundFormRow is the form fields of one insurance type's row, in 万元.
func fundFormRow(v url.Values, typ string, figures ...string) {
	keys := []string{"income", "premium", "subsidy", "interest", "transfer_in", "other_income",
		"expenditure", "benefit", "transfer_out", "other_expenditure", "balance", "accumulated"}
	for i, k := range keys {
		v.Set("row-"+typ+"-"+k, figures[i])
	}
}

// pubVersion loads the publication's page (as a user does before acting)
// and returns the version the store holds: pages show a version only in
// the forms the user may post.
func (cl *client) pubVersion(id string) string {
	cl.e.t.Helper()
	if resp, _ := cl.get("/admin/publications/" + id); resp.StatusCode != http.StatusOK {
		cl.e.t.Fatalf("GET publication %s: %d", id, resp.StatusCode)
	}
	p, _ := cl.e.publication(id)
	return strconv.FormatInt(p.Version, 10)
}

// pubAct posts a workflow action from a freshly loaded publication page.
func (cl *client) pubAct(id, action string, v url.Values) (*http.Response, string) {
	cl.e.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	v.Set("version", cl.pubVersion(id))
	v.Set("_csrf", cl.token(""))
	return cl.post("/admin/publications/"+id+"/"+action, v)
}

func (e *adminEnv) publication(id string) (*store.Publication, []*store.Revision) {
	e.t.Helper()
	p, err := e.st.PublicationInRegions(context.Background(), id, e.regions.Descendants("220000"))
	if err != nil {
		e.t.Fatal(err)
	}
	revs, err := e.st.Revisions(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p, revs
}

func problemOf(body string) string { return between(body, `id="problem"`, "</div>") }

func TestAPublisherPreparesAFundReportAndALeaderOfTheRegionPublishesIt(t *testing.T) {
	e := newAdminEnv(t)
	pub := e.addUser("gongkai", store.RolePublisher, "220100")
	leader := e.addUser("fuzeren", store.RoleLeader, "220100")
	provinceLeader := e.addUser("sheng.fuzeren", store.RoleLeader, "220000")
	pc, lc, plc := e.client(), e.client(), e.client()
	pc.login(pub)
	lc.login(leader)
	plc.login(provinceLeader)

	// A row whose parts exceed their total is refused with the column named.
	v := url.Values{"kind": {store.PubFundReport}, "region": {"220100"}, "year": {"2025"}}
	fundFormRow(v, "pension", "1,000", "900", "200", "0", "0", "0", "800", "700", "50", "50", "200", "5,000.5")
	resp, body := pc.postWith("/admin/publications/new?kind=fund_report", "/admin/publications", v)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(problemOf(body), "超过了基金收入") {
		t.Fatalf("parts above the total: %d %q", resp.StatusCode, problemOf(body))
	}
	if !strings.Contains(body, `value="5,000.5"`) {
		t.Error("the refused form lost what was typed")
	}
	// Corrected, it is saved as a draft; the balance that does not add up
	// only warns.
	fundFormRow(v, "pension", "1,000", "700", "200", "50", "30", "20", "800", "700", "50", "50", "150", "5,000.5")
	resp, body = pc.postWith("/admin/publications/new?kind=fund_report", "/admin/publications", v)
	m := pubLink.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %q", resp.StatusCode, problemOf(body))
	}
	id := m[1]
	_, page := pc.get("/admin/publications/" + id)
	if !strings.Contains(page, "2025年度长春市社会保险基金收支情况") || !strings.Contains(page, `id="warnings"`) ||
		!strings.Contains(page, "不等于基金收入减基金支出") {
		t.Errorf("draft page lacks the title or the balance warning:\n%s", page)
	}
	p, revs := e.publication(id)
	if p.PendingStatus != store.RevDraft || len(revs) != 1 || revs[0].FundRows[0].AccumulatedFen != 5_000_500_000 ||
		revs[0].FundRows[0].IncomeFen != 1_000_000_000 {
		t.Fatalf("stored draft: %+v %+v", p, revs[0].FundRows)
	}

	// A leader cannot approve a draft; the publisher submits.
	if resp, _ := lc.pubAct(id, "approve", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("approving a draft: %d, want 409", resp.StatusCode)
	}
	if resp, body := pc.pubAct(id, "submit", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %q", resp.StatusCode, problemOf(body))
	}
	// A submitted revision is frozen: the publisher's save is refused.
	sv := url.Values{}
	fundFormRow(sv, "pension", "1", "0", "0", "0", "0", "0", "1", "0", "0", "0", "0", "0")
	sv.Set("version", pc.pubVersion(id))
	sv.Set("_csrf", pc.token(""))
	if resp, body := pc.post("/admin/publications/"+id, sv); resp.StatusCode != http.StatusConflict || !strings.Contains(body, store.MsgPublicationFrozen) {
		t.Errorf("saving a submitted revision: %d", resp.StatusCode)
	}
	// The city's leader sees it waiting on the dashboard; the province's
	// does not (it is not theirs to approve).
	if _, dash := lc.get("/admin"); !strings.Contains(dash, `id="pubs-to-approve"`) || !strings.Contains(dash, "1 条信息公开内容等待您审核") {
		t.Error("the city leader's dashboard does not show the submission")
	}
	if _, dash := plc.get("/admin"); strings.Contains(dash, `id="pubs-to-approve"`) {
		t.Error("the province leader's dashboard shows a city's submission")
	}
	// The publisher may not approve, the province's leader is not of the
	// same region; the city's leader approves, which publishes at once.
	if resp, _ := pc.pubAct(id, "approve", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("publisher approving: %d, want 403", resp.StatusCode)
	}
	if resp, body := plc.pubAct(id, "approve", nil); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, caseflow.MsgPubSameRegion) {
		t.Errorf("province leader approving a city's table: %d", resp.StatusCode)
	}
	if resp, body := lc.pubAct(id, "approve", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %q", resp.StatusCode, problemOf(body))
	}
	p, revs = e.publication(id)
	if p.LiveRevision != 1 || p.PendingRevision != 0 || revs[0].Status != store.RevPublished || revs[0].ApprovedBy != leader.User.ID {
		t.Fatalf("after approval: %+v %+v", p, revs[0])
	}
	// Every step is in the audit log.
	entries, _, err := e.st.ListAudit(context.Background(), store.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, en := range entries {
		if en.TargetID == id {
			actions = append(actions, en.Action)
		}
	}
	for _, want := range []string{caseflow.AuditPubCreate, caseflow.AuditPubSubmit, caseflow.AuditPubApprove, caseflow.AuditPubPublish} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("audit log lacks %s: %v", want, actions)
		}
	}
	// A second table for the same region and year is refused.
	resp, body = pc.postWith("/admin/publications/new?kind=fund_report", "/admin/publications", v)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, store.MsgPublicationExists) {
		t.Errorf("second table of 2025: %d", resp.StatusCode)
	}
}

func TestACorrectionKeepsTheEarlierRevisionAndAWithdrawalLeavesItsReason(t *testing.T) {
	e := newAdminEnv(t)
	pub := e.addUser("gongkai", store.RolePublisher, "220000")
	leader := e.addUser("fuzeren", store.RoleLeader, "220000")
	pc, lc := e.client(), e.client()
	pc.login(pub)
	lc.login(leader)
	v := url.Values{"kind": {store.PubNews}, "region": {"220000"}, "title": {"全省开展专项整治"},
		"body": {"第一段。\n\n第二段。"}}
	resp, body := pc.postWith("/admin/publications/new?kind=news", "/admin/publications", v)
	m := pubLink.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("create: %d %q", resp.StatusCode, problemOf(body))
	}
	id := m[1]
	pc.pubAct(id, "submit", nil)
	if resp, body := lc.pubAct(id, "approve", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %q", resp.StatusCode, problemOf(body))
	}
	// The publisher starts a correction; submitting it without a note is
	// refused, with one it goes to the leader.
	if resp, body := pc.pubAct(id, "correct", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("correct: %d %q", resp.StatusCode, problemOf(body))
	}
	sv := url.Values{"title": {"全省开展社会保险基金专项整治"}, "body": {"第一段。\n\n第二段（更正）。"}}
	sv.Set("version", pc.pubVersion(id))
	sv.Set("_csrf", pc.token(""))
	if resp, body := pc.post("/admin/publications/"+id, sv); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save correction: %d %q", resp.StatusCode, problemOf(body))
	}
	if resp, body := pc.pubAct(id, "submit", nil); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "更正说明") {
		t.Fatalf("submit without a note: %d", resp.StatusCode)
	}
	sv.Set("correctionNote", "标题漏写“社会保险基金”。")
	sv.Set("version", pc.pubVersion(id))
	sv.Set("_csrf", pc.token(""))
	pc.post("/admin/publications/"+id, sv)
	if resp, body := pc.pubAct(id, "submit", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit correction: %d %q", resp.StatusCode, problemOf(body))
	}
	// Until approved, the first revision stays live.
	p, _ := e.publication(id)
	if p.LiveRevision != 1 || p.Title != "全省开展专项整治" {
		t.Errorf("before approval: live %d, title %q", p.LiveRevision, p.Title)
	}
	// The leader sends it back once, with a reason the publisher sees.
	if resp, _ := lc.pubAct(id, "return", url.Values{"note": {""}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("return without a reason: %d", resp.StatusCode)
	}
	if resp, _ := lc.pubAct(id, "return", url.Values{"note": {"请补充更正日期。"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("return: %d", resp.StatusCode)
	}
	if _, page := pc.get("/admin/publications/" + id); !strings.Contains(page, "请补充更正日期。") {
		t.Error("the publisher does not see the leader's reason")
	}
	pc.pubAct(id, "submit", nil)
	if resp, body := lc.pubAct(id, "approve", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve correction: %d %q", resp.StatusCode, problemOf(body))
	}
	p, revs := e.publication(id)
	if p.LiveRevision != 2 || revs[0].Status != store.RevSuperseded || revs[1].CorrectionNote != "标题漏写“社会保险基金”。" ||
		p.Title != "全省开展社会保险基金专项整治" {
		t.Fatalf("after the correction: %+v / %+v", p, revs)
	}
	if resp, page := lc.get("/admin/publications/" + id + "/revisions/1"); resp.StatusCode != http.StatusOK || !strings.Contains(page, "全省开展专项整治") {
		t.Errorf("earlier revision: %d", resp.StatusCode)
	}
	// Withdrawal needs a reason, and leaves it on the tombstone.
	if resp, _ := pc.pubAct(id, "withdraw", url.Values{"reason": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("publisher withdrawing: %d, want 403", resp.StatusCode)
	}
	if resp, body := lc.pubAct(id, "withdraw", url.Values{"reason": {"内容已合并到年度报告。"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d %q", resp.StatusCode, problemOf(body))
	}
	p, _ = e.publication(id)
	if !p.Withdrawn() || p.WithdrawnReason != "内容已合并到年度报告。" {
		t.Errorf("after withdrawal: %+v", p)
	}
	if resp, _ := pc.pubAct(id, "correct", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("correcting a withdrawn item: %d, want 409", resp.StatusCode)
	}
}

func TestAFundTableUploadListsEveryBadCellAndTakesNothingUntilTheFileIsRight(t *testing.T) {
	e := newAdminEnv(t)
	pub := e.addUser("gongkai", store.RolePublisher, "220100")
	pc := e.client()
	pc.login(pub)
	good := "2025,220100,长春市,企业职工基本养老保险,1000,700,200,50,30,20,800,700,50,50,200,5000\n"
	bad := "2025,220100,长春市,失业保险,abc,0,0,0,0,0,10,10,0,0,-10,=cmd|' /C calc'!A0\n"
	resp, body := pc.postMultipart("/admin/publications/import", map[string]string{"_csrf": pc.token("/admin/publications/import")},
		"table.csv", "\ufeff"+fundHeader+good+bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad file: %d", resp.StatusCode)
	}
	errs := between(body, `id="import-errors"`, "</section>")
	for _, want := range []string{"第 3 行", "基金收入", "年末滚存结余", "没有导入任何数据"} {
		if !strings.Contains(body, want) || (want != "没有导入任何数据" && !strings.Contains(errs, want)) {
			t.Errorf("error list lacks %q:\n%s", want, errs)
		}
	}
	if strings.Contains(body, "=cmd|") && !strings.Contains(body, "=cmd|&#39;") {
		t.Error("the hostile cell came back unescaped")
	}
	if pubs, n, _ := e.st.ListPublications(context.Background(), store.PublicationFilter{}); n != 0 {
		t.Fatalf("a bad file stored %d publications: %+v", n, pubs)
	}
	fixed := "2025,220100,长春市,失业保险,10,10,0,0,0,0,10,10,0,0,0,100\n"
	resp, body = pc.postMultipart("/admin/publications/import", map[string]string{"_csrf": pc.token("/admin/publications/import")},
		"table.csv", "\ufeff"+fundHeader+good+fixed)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="import-done"`) {
		t.Fatalf("good file: %d\n%s", resp.StatusCode, between(body, "<main", "</main>"))
	}
	pubs, n, err := e.st.ListPublications(context.Background(), store.PublicationFilter{})
	if err != nil || n != 1 {
		t.Fatalf("after the good file: %d publications, %v", n, err)
	}
	_, revs := e.publication(pubs[0].ID)
	if len(revs[0].FundRows) != 2 || revs[0].FundRows[1].InsuranceType != "unemployment" || revs[0].FundRows[1].AccumulatedFen != 100_000_000 {
		t.Errorf("imported rows: %+v", revs[0].FundRows)
	}
	// A row of a region outside the publisher's scope is an error too.
	other := "2025,220200,吉林市,失业保险,10,10,0,0,0,0,10,10,0,0,0,100\n"
	resp, _ = pc.postMultipart("/admin/publications/import", map[string]string{"_csrf": pc.token("/admin/publications/import")},
		"table.csv", fundHeader+other)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("another region's row: %d, want 422", resp.StatusCode)
	}
	// Both templates download.
	for _, path := range []string{"/admin/publications/template.csv", "/admin/publications/template.xlsx"} {
		resp, body := pc.get(path)
		if resp.StatusCode != http.StatusOK || len(body) < 100 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s: %d, %d bytes", path, resp.StatusCode, len(body))
		}
	}
}

func TestAnAnnouncementFromAClosedCaseCarriesNothingOfTheReporter(t *testing.T) {
	e := newAdminEnv(t)
	pub := e.addUser("gongkai", store.RolePublisher, "220100")
	pc := e.client()
	pc.login(pub)
	cs := e.fileCase("220102", "fraudulent_claims", 186_000_00)
	sys := caseflow.SystemActor("test", e.regions)
	ctx := context.Background()
	c := cs
	var err error
	for _, step := range []caseflow.TransitionInput{
		{To: store.StatusAccepted},
		{To: store.StatusInvestigating, Mode: store.ModeOnSite},
		{To: store.StatusConcluded, Result: store.ResultSubstantiated, Conclusion: store.Conclusion{
			AmountInvolvedFen: 186_000_00, AmountRecoveredFen: 186_000_00, Measures: "责令退回，移送公安机关。"}},
	} {
		step.Version = c.Version
		if c, err = e.svc.Transition(ctx, sys, c.ID, step); err != nil {
			t.Fatalf("%s: %v", step.To, err)
		}
	}
	// Not yet closed: refused.
	v := url.Values{"kind": {store.PubAnnouncement}, "region": {"220100"}, "caseNumber": {c.Number}}
	if resp, body := pc.postWith("/admin/publications/new?kind=announcement", "/admin/publications", v); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, caseflow.MsgPubCaseNotClosed) {
		t.Fatalf("from a concluded case: %d", resp.StatusCode)
	}
	if c, err = e.svc.Transition(ctx, sys, c.ID, caseflow.TransitionInput{To: store.StatusClosed, Version: c.Version}); err != nil {
		t.Fatal(err)
	}
	resp, body := pc.postWith("/admin/publications/new?kind=announcement", "/admin/publications", v)
	m := pubLink.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("from a closed case: %d %q", resp.StatusCode, problemOf(body))
	}
	_, revs := e.publication(m[1])
	r := revs[0]
	all := r.Title + r.Summary + r.Body + r.HandlingResult
	for _, secret := range []string{"张建国", "11010519491231002X", "13812345678", "zhang@example.com"} {
		if strings.Contains(all, secret) {
			t.Errorf("the announcement carries the reporter's %q", secret)
		}
	}
	if r.AmountFen != 186_000_00 || !strings.Contains(r.Body, "某某商贸有限公司") || r.HandlingResult != "责令退回，移送公安机关。" {
		t.Errorf("prefilled announcement: %+v", r)
	}
	// Writing the reporter's name and phone into the text warns, masked.
	sv := url.Values{"title": {r.Title}, "body": {r.Body + "\n\n举报人张建国（电话13812345678）提供了线索。"}}
	sv.Set("version", pc.pubVersion(m[1]))
	sv.Set("_csrf", pc.token(""))
	if resp, body := pc.post("/admin/publications/"+m[1], sv); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %q", resp.StatusCode, problemOf(body))
	}
	_, page := pc.get("/admin/publications/" + m[1])
	warn := between(page, `id="warnings"`, "</div>")
	if !strings.Contains(warn, "举报人的姓名") || !strings.Contains(warn, "手机号码 138") {
		t.Errorf("warnings: %q", warn)
	}
	if strings.Contains(warn, "张建国") || strings.Contains(warn, "13812345678") {
		t.Error("the warning repeats the personal data it warns of")
	}
}

func TestAScheduledPublicationWaitsForItsTime(t *testing.T) {
	e := newAdminEnv(t)
	pub := e.addUser("gongkai", store.RolePublisher, "220000")
	leader := e.addUser("fuzeren", store.RoleLeader, "220000")
	pc, lc := e.client(), e.client()
	pc.login(pub)
	lc.login(leader)
	at := e.clock().Add(48 * time.Hour).In(store.CST).Format("2006-01-02T15:04")
	v := url.Values{"kind": {store.PubNotice}, "region": {"220000"}, "title": {"听证会公告"}, "body": {"定于下月召开听证会。"}, "scheduledAt": {at}}
	resp, body := pc.postWith("/admin/publications/new?kind=notice", "/admin/publications", v)
	m := pubLink.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("create: %d %q", resp.StatusCode, problemOf(body))
	}
	pc.pubAct(m[1], "submit", nil)
	if resp, body := lc.pubAct(m[1], "approve", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %q", resp.StatusCode, problemOf(body))
	}
	p, _ := e.publication(m[1])
	if p.LiveRevision != 0 || p.PendingStatus != store.RevApproved {
		t.Fatalf("approved for later: %+v", p)
	}
	if n, err := e.svc.PublishDue(context.Background()); err != nil || n != 0 {
		t.Fatalf("PublishDue before the time: %d, %v", n, err)
	}
	e.advance(49 * time.Hour)
	if n, err := e.svc.PublishDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("PublishDue after the time: %d, %v", n, err)
	}
	if p, _ = e.publication(m[1]); p.LiveRevision != 1 {
		t.Errorf("after its time: %+v", p)
	}
}

func TestOnlyPublishersAndLeadersSeeThePublishingPages(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("chengban", store.RoleHandler, "220100")
	hc := e.client()
	hc.login(h)
	for _, path := range []string{"/admin/publications", "/admin/publications/new?kind=news", "/admin/publications/import"} {
		if resp, _ := hc.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("handler GET %s: %d, want 403", path, resp.StatusCode)
		}
	}
	if casework.RoleAllows(store.RoleHandler, casework.PermViewPublications) {
		t.Error("handlers may view publications")
	}
	// Another region's publication answers like a missing one.
	pub := e.addUser("gongkai", store.RolePublisher, "220200")
	pc := e.client()
	pc.login(pub)
	res, err := e.svc.CreatePublication(context.Background(), caseflow.SystemActor("test", e.regions), store.PubNews, "220100", 0, "",
		caseflow.PublicationDraft{Title: "长春新闻", Body: "正文"})
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := pc.get("/admin/publications/" + res.Publication.ID)
	resp2, _ := pc.get("/admin/publications/" + strings.Repeat("0", 26))
	if resp.StatusCode != http.StatusNotFound || resp2.StatusCode != http.StatusNotFound {
		t.Errorf("another region's publication: %d, a missing one: %d", resp.StatusCode, resp2.StatusCode)
	}
}

func TestTheFundFormCountsABlankPartAsZeroAndNeedsEveryTotal(t *testing.T) {
	e := newAdminEnv(t)
	pc := e.client()
	pc.login(e.addUser("gongkai", store.RolePublisher, "220100"))
	v := url.Values{"kind": {store.PubFundReport}, "region": {"220100"}, "year": {"2025"}}
	fundFormRow(v, "pension", "1,000", "", "", "", "", "", "800", "", "", "", "200", "5,000")
	v.Set("row-unemployment-premium", "12")
	resp, body := pc.postWith("/admin/publications/new?kind=fund_report", "/admin/publications", v)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(problemOf(body), "失业保险：请填写“基金收入”") {
		t.Fatalf("a row without its totals: %d %q", resp.StatusCode, problemOf(body))
	}
	v.Del("row-unemployment-premium")
	v.Set("row-pension-premium", "abc")
	if resp, body := pc.postWith("/admin/publications/new?kind=fund_report", "/admin/publications", v); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(problemOf(body), "保险费收入”：") {
		t.Fatalf("letters in an amount: %d %q", resp.StatusCode, problemOf(body))
	}
	v.Set("row-pension-premium", "")
	resp, body = pc.postWith("/admin/publications/new?kind=fund_report", "/admin/publications", v)
	m := pubLink.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("blank parts: %d %q", resp.StatusCode, problemOf(body))
	}
	_, revs := e.publication(m[1])
	if r := revs[0].FundRows; len(r) != 1 || r[0].PremiumFen != 0 || r[0].IncomeFen != 1_000_000_000 || r[0].AccumulatedFen != 5_000_000_000 {
		t.Errorf("stored rows: %+v", r)
	}
}
