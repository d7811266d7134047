package admin

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/casework/mailer/mailtest"
	"fundwatch/store"
)

// withEmail gives s's user an e-mail address for notifications.
func (e *adminEnv) withEmail(s staff, email string) staff {
	e.t.Helper()
	s.User.Email = email
	if err := e.st.UpdateUser(context.Background(), s.User); err != nil {
		e.t.Fatalf("set e-mail: %v", err)
	}
	return s
}

// mailOf returns the one mail of kind in the outbox.
func (e *adminEnv) mailOf(kind string) *store.Mail {
	e.t.Helper()
	var found []*store.Mail
	for _, m := range mailtest.AllMail(e.t, e.st) {
		if m.Kind == kind {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		e.t.Fatalf("%d mails of kind %s, want 1", len(found), kind)
	}
	return found[0]
}

func TestOutboxPageListsFailedAndPendingMailWithoutReporterAddresses(t *testing.T) {
	for _, v := range mailtest.Outboxes(func(t *testing.T) store.Store { return openTestStore(t) }) {
		t.Run(v.Name, func(t *testing.T) { testOutboxPage(t, newAdminEnvOn(t, v.Open(t), Config{Version: "test"})) })
	}
}

func testOutboxPage(t *testing.T, e *adminEnv) {
	ctx := context.Background()
	sysadmin := e.addUser("sysadmin", store.RoleAdmin, "220000")
	jilinAdmin := e.addUser("jladmin", store.RoleAdmin, "220200")
	h := e.withEmail(e.addUser("chengban", store.RoleHandler, "220100"), "cc.handler@example.gov.cn")
	cs := e.fileCase("220102", "fraudulent_claims", 0)
	actor := caseflow.Actor{UserID: h.User.ID, Username: h.User.Username, Role: h.User.Role, RegionCode: h.User.RegionCode,
		Scope: e.regions.Descendants(h.User.RegionCode)}
	if _, err := e.svc.Reply(ctx, actor, cs.ID, "您反映的问题已受理，我们将组织核查。", "reply-1"); err != nil {
		t.Fatal(err)
	}
	staffMail, reporterMail := e.mailOf(caseflow.MailNewCase), e.mailOf(caseflow.MailReporterUpdate)
	// The staff mail was refused for good; the reporter's waits for a retry.
	if err := e.st.MarkMailFailed(ctx, staffMail.ID, "邮件服务器拒收（rcpt）：550 5.1.1 No such user", e.clock(), true); err != nil {
		t.Fatal(err)
	}
	if err := e.st.MarkMailFailed(ctx, reporterMail.ID, "邮件服务器拒收（rcpt）：451 4.3.0 Try again later", e.clock().Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}

	cl := e.client()
	cl.login(sysadmin)
	_, dash := cl.get("/admin")
	for _, want := range []string{`id="mail-not-configured"`, "待发送 1 封，发送失败 1 封", `href="/admin/outbox"`} {
		if !strings.Contains(dash, want) {
			t.Errorf("administrator's dashboard lacks %q", want)
		}
	}
	resp, page := cl.get("/admin/outbox")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("outbox page: status %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{"cc.handler@example.gov.cn", reporterRecipient, "550 5.1.1 No such user", "451 4.3.0",
		cs.Number, "新案件通知", "举报人进展通知", `id="mail-not-configured"`, `action="/admin/outbox/` + staffMail.ID + `/retry"`} {
		if !strings.Contains(page, want) {
			t.Errorf("outbox page lacks %q", want)
		}
	}
	for _, secret := range []string{"zhang@example.com", "张建国", "13812345678", "少报缴费基数"} {
		if strings.Contains(page, secret) {
			t.Errorf("outbox page shows %q", secret)
		}
	}
	if strings.Contains(page, `action="/admin/outbox/`+reporterMail.ID+`/retry"`) {
		t.Error("a pending mail has a 重新发送 button")
	}

	// 重新发送: pending again, audited; a second click changes nothing.
	resp, _ = cl.postWith("/admin/outbox", "/admin/outbox/"+staffMail.ID+"/retry", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/outbox?done=retry" {
		t.Fatalf("retry: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if m := e.mailOf(caseflow.MailNewCase); m.Status != store.MailPending {
		t.Errorf("after 重新发送 the mail is %s, want pending", m.Status)
	}
	resp, _ = cl.postWith("/admin/outbox", "/admin/outbox/"+staffMail.ID+"/retry", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("second retry: status %d", resp.StatusCode)
	}
	var requeues int
	for _, a := range e.auditActions() {
		if a == caseflow.AuditMailSend {
			requeues++
		}
	}
	if requeues != 1 {
		t.Errorf("%d %s audit entries, want 1", requeues, caseflow.AuditMailSend)
	}
	if resp, _ := cl.postWith("/admin/outbox", "/admin/outbox/ml0000000000000000000000000000000000/retry", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("retry of an unknown mail: status %d, want 404", resp.StatusCode)
	}

	// Another city's administrator sees neither mail and cannot send it.
	other := e.client()
	other.login(jilinAdmin)
	if err := e.st.MarkMailFailed(ctx, staffMail.ID, "again", e.clock(), true); err != nil {
		t.Fatal(err)
	}
	_, page = other.get("/admin/outbox")
	if strings.Contains(page, staffMail.ID) || strings.Contains(page, reporterMail.ID) || strings.Contains(page, "cc.handler@") {
		t.Error("吉林市's administrator sees 长春市's mail")
	}
	if resp, _ := other.postWith("/admin/outbox", "/admin/outbox/"+staffMail.ID+"/retry", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("retry of another region's mail: status %d, want 404", resp.StatusCode)
	}
	if m := e.mailOf(caseflow.MailNewCase); m.Status != store.MailFailed {
		t.Errorf("another region's administrator changed the mail to %s", m.Status)
	}

	// Those who work cases have no outbox.
	hc := e.client()
	hc.login(h)
	_, dash = hc.get("/admin")
	if strings.Contains(dash, `href="/admin/outbox"`) || strings.Contains(dash, `id="outbox-counts"`) {
		t.Error("a handler's dashboard shows the outbox")
	}
	if resp, _ := hc.get("/admin/outbox"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("handler opens the outbox: status %d, want 403", resp.StatusCode)
	}
	if !casework.RoleAllows(store.RoleAdmin, casework.PermReadOutbox) || slices.Contains(casework.RolePermissions(store.RoleHandler), casework.PermReadOutbox) {
		t.Error("the role table changed: this test assumes administrators, and only they, read the outbox")
	}
}

func TestDashboardSaysNothingOfMailWhenAServerIsConfigured(t *testing.T) {
	e := newAdminEnvOn(t, mailtest.WithOutbox(openTestStore(t), mailtest.NewOutbox()), Config{Version: "test", MailConfigured: true})
	cl := e.client()
	cl.login(e.addUser("sysadmin", store.RoleAdmin, "220000"))
	_, dash := cl.get("/admin")
	if strings.Contains(dash, `id="mail-not-configured"`) || !strings.Contains(dash, "待发送 0 封，发送失败 0 封") {
		t.Errorf("dashboard with mail configured:\n%s", dash)
	}
}

func TestDashboardOpensWhenTheOutboxCannotBeRead(t *testing.T) {
	ob := mailtest.NewOutbox()
	e := newAdminEnvOn(t, &brokenOutbox{mailtest.WithOutbox(openTestStore(t), ob)}, Config{Version: "test"})
	cl := e.client()
	cl.login(e.addUser("sysadmin", store.RoleAdmin, "220000"))
	resp, dash := cl.get("/admin")
	if resp.StatusCode != http.StatusOK || !strings.Contains(dash, "暂时无法读取") {
		t.Errorf("dashboard with a broken outbox: status %d", resp.StatusCode)
	}
}

// brokenOutbox is a store whose outbox counts fail.
type brokenOutbox struct{ store.Store }

func (b *brokenOutbox) CountMail(ctx context.Context, regionCodes []string) (map[string]int, error) {
	return nil, store.Errorf(store.EUNAVAILABLE, store.MsgUnavailable)
}
