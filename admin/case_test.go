package admin

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"fundwatch/store"
)

func TestHandlerWorksACaseFromInboxToClosing(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("chengban", store.RoleHandler, "220100")
	cs := e.fileCase("220102", "unpaid_contributions", 86_500_00)
	cl := e.client()
	cl.login(h)

	_, inbox := cl.get("/admin/cases?status=received")
	if !strings.Contains(inbox, cs.Number) || !strings.Contains(inbox, `id="tab-received"`) {
		t.Fatalf("the new case %s is not in the inbox", cs.Number)
	}
	_, page := cl.get("/admin/cases/" + cs.ID)
	for _, want := range []string{cs.Number, "张*", "1101**********002X", "138****5678", `id="form-accept"`, `id="form-reject"`, `id="form-transfer"`} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	for _, secret := range []string{"张建国", "11010519491231002X", "13812345678"} {
		if strings.Contains(page, secret) {
			t.Errorf("case page shows %q unmasked before the reveal", secret)
		}
	}

	if resp, body := cl.act(cs.ID, "assign", url.Values{"assignee": {h.User.ID}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := cl.act(cs.ID, "accept", url.Values{"note": {"经审查，属于受理范围。"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	got := e.mustGetCase(cs.ID)
	if got.Status != store.StatusAccepted || got.AssigneeID != h.User.ID || got.DueAt.IsZero() {
		t.Fatalf("after accepting: status %s, assignee %q, due %v", got.Status, got.AssigneeID, got.DueAt)
	}
	if resp, _ := cl.act(cs.ID, "reply", url.Values{"body": {"您反映的问题已受理，我们将组织核查。"}, "idem": {"reply-token-0000001"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d", resp.StatusCode)
	}
	if resp, _ := cl.act(cs.ID, "note", url.Values{"body": {"内部：该公司去年已被处罚过一次。"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("note: %d", resp.StatusCode)
	}
	// Investigating needs a mode.
	if resp, body := cl.act(cs.ID, "investigate", nil); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "调查方式") {
		t.Errorf("investigate without a mode: %d", resp.StatusCode)
	}
	if resp, _ := cl.act(cs.ID, "investigate", url.Values{"mode": {"offsite"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("investigate: %d", resp.StatusCode)
	}
	if resp, _ := cl.act(cs.ID, "onsite", url.Values{"note": {"比对缴费数据发现少报基数。"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("onsite: %d", resp.StatusCode)
	}
	// Concluding: the form is kept on a mistake.
	bad := url.Values{"result": {"substantiated"}, "amountInvolved": {"十万"}, "measures": {"责令补缴"}}
	resp, body := cl.act(cs.ID, "conclude", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "查实涉及金额") || !strings.Contains(body, "责令补缴") {
		t.Errorf("conclude with a bad amount: %d, want 422 with the message and the typed measures", resp.StatusCode)
	}
	good := url.Values{"result": {"substantiated"}, "amountInvolved": {"86,500.00"}, "amountRecovered": {"61200"},
		"measures": {"责令补报缴费基数并补缴社会保险费及滞纳金。"}, "rectifyBy": {"2026-12-31"}, "note": {"经核查，反映情况属实。"}}
	if resp, body := cl.act(cs.ID, "conclude", good); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("conclude: %d\n%s", resp.StatusCode, body)
	}
	got = e.mustGetCase(cs.ID)
	if got.Status != store.StatusConcluded || got.Result != store.ResultSubstantiated ||
		got.Conclusion.AmountInvolvedFen != 86_500_00 || got.Conclusion.AmountRecoveredFen != 61_200_00 || !got.DueAt.IsZero() {
		t.Errorf("after concluding: %+v", got)
	}
	if resp, _ := cl.act(cs.ID, "close", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d", resp.StatusCode)
	}
	// Closed: no more actions, and a late form is refused with a message.
	_, page = cl.get("/admin/cases/" + cs.ID)
	if strings.Contains(page, `id="form-accept"`) || strings.Contains(page, `action="/admin/cases/`+cs.ID+`/reply"`) {
		t.Error("a closed case still offers actions")
	}
	want := []string{"case.assign", "case.status", "case.reply", "case.note", "case.status", "case.onsite", "case.status", "case.status"}
	var caseActions []string
	for _, a := range e.auditActions() {
		if strings.HasPrefix(a, "case.") {
			caseActions = append(caseActions, a)
		}
	}
	if strings.Join(caseActions, ",") != strings.Join(want, ",") {
		t.Errorf("audit of the case actions = %v, want %v", caseActions, want)
	}
	checked, bad2, err := store.VerifyAuditChain(context.Background(), e.st, 100)
	if err != nil || bad2 != 0 || checked == 0 {
		t.Errorf("audit chain: checked %d, first bad %d, %v", checked, bad2, err)
	}
}

func TestAStalePageChangesNothing(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("stale", store.RoleHandler, "220100")
	cs := e.fileCase("220102", "unpaid_contributions", 0)
	a, b := e.client(), e.client()
	a.login(h)
	b.login(h)
	versionB := b.caseVersion(cs.ID)
	tokenB := b.token("")
	if resp, _ := a.act(cs.ID, "accept", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first accept: %d", resp.StatusCode)
	}
	// B rejects from the page it loaded before A accepted.
	resp, body := b.post("/admin/cases/"+cs.ID+"/reject", url.Values{"_csrf": {tokenB}, "version": {versionB}, "note": {"不属于受理范围"}})
	if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale reject: %d", resp.StatusCode)
	}
	if !strings.Contains(body, "不能改为") && !strings.Contains(body, store.MsgStale) {
		t.Errorf("stale reject: no Chinese explanation")
	}
	// B assigns from the stale version: refused as stale.
	resp, body = b.post("/admin/cases/"+cs.ID+"/assign", url.Values{"_csrf": {tokenB}, "version": {versionB}, "assignee": {h.User.ID}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, store.MsgStale) {
		t.Errorf("stale assign: %d", resp.StatusCode)
	}
	got := e.mustGetCase(cs.ID)
	if got.Status != store.StatusAccepted || got.AssigneeID != "" {
		t.Errorf("after the stale forms: status %s, assignee %q", got.Status, got.AssigneeID)
	}
}

var flashRe = regexp.MustCompile(`id="identity-full"`)

func TestRevealingTheIdentityIsAudited(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("reveal", store.RoleHandler, "220100")
	cs := e.fileCase("220102", "unpaid_contributions", 0)
	cl := e.client()
	cl.login(h)
	before := len(e.auditActions())
	resp, body := cl.postWith("/admin/cases/"+cs.ID, "/admin/cases/"+cs.ID+"/identity", nil)
	if resp.StatusCode != http.StatusOK || !flashRe.MatchString(body) {
		t.Fatalf("reveal: %d", resp.StatusCode)
	}
	for _, want := range []string{"张建国", "11010519491231002X", "13812345678", "zhang@example.com"} {
		if !strings.Contains(body, want) {
			t.Errorf("revealed identity lacks %q", want)
		}
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("identity page Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	actions := e.auditActions()
	if len(actions) != before+1 || actions[len(actions)-1] != "identity.reveal" {
		t.Errorf("audit after the reveal: %v", actions[before:])
	}
	entries, _, _ := e.st.ListAudit(context.Background(), store.AuditFilter{ActionPrefix: "identity."})
	if len(entries) != 1 || entries[0].ActorID != h.User.ID || entries[0].TargetID != cs.ID {
		t.Errorf("identity audit entry = %+v", entries)
	}
	// The audit entry names the case and the person, never the identity.
	for _, en := range entries {
		if strings.Contains(en.Detail, "张建国") || strings.Contains(en.Detail, "1101") {
			t.Errorf("audit detail leaks the identity: %q", en.Detail)
		}
	}
	if strings.Contains(e.logs.String(), "张建国") || strings.Contains(e.logs.String(), "13812345678") {
		t.Error("the identity reached the log")
	}
}

func TestDeadlinesShowOnTheDashboard(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("dash", store.RoleHandler, "220100")
	overdue := e.fileCase("220102", "unpaid_contributions", 0)
	e.advance(5 * 24 * time.Hour) // Saturday 2026-12-05
	soon := e.fileCase("220102", "fraudulent_claims", 0)
	e.advance(3 * 24 * time.Hour) // Tuesday 2026-12-08: the first is past its 5 working days
	cl := e.client()
	cl.login(h)
	_, body := cl.get("/admin")
	over := between(body, `id="overdue-title"`, `id="soon-title"`)
	if !strings.Contains(over, overdue.Number) || strings.Contains(over, soon.Number) {
		t.Errorf("overdue list wrong:\n%s", over)
	}
	_, list := cl.get("/admin/cases?due=overdue")
	if !strings.Contains(list, overdue.Number) || strings.Contains(list, soon.Number) {
		t.Errorf("inbox overdue filter wrong")
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}
