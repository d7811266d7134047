package mailer_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/casework/mailer"
	"fundwatch/casework/mailer/mailtest"
	"fundwatch/store"
)

var testKey = bytes.Repeat([]byte{0x24}, 32)

// Monday 2026-11-30, 10:00 CST.
var testStart = time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)

const reporterEmail = "zhang.jianguo@example.com"

// env is a store (with the outbox of the variant), the service layer that
// queues mail, and a clock the test moves.
type env struct {
	t       *testing.T
	st      store.Store
	svc     *caseflow.Service
	keyring *casework.Keyring
	logs    *syncBuffer

	mu  sync.Mutex
	now time.Time
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv(t *testing.T, st store.Store) *env {
	t.Helper()
	k, err := casework.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, keyring: k, logs: &syncBuffer{}, now: testStart}
	e.svc = &caseflow.Service{Store: st, Keyring: k, Regions: casework.DefaultRegions(), Rules: caseflow.DefaultRules(),
		Clock: e.clock, Log: e.logger(), BaseURL: "https://jb.example.gov.cn"}
	return e
}

func (e *env) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func (e *env) addHandler(username, region, email string) *store.User {
	e.t.Helper()
	now := e.clock()
	u := &store.User{ID: store.NewID(), Username: username, Name: "测试" + username, Role: store.RoleHandler,
		RegionCode: region, Email: email, PasswordHash: "unused", CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now}
	if err := e.st.CreateUser(context.Background(), u); err != nil {
		e.t.Fatalf("create user: %v", err)
	}
	return u
}

const secretDescription = "该公司少报缴费基数，长期按最低基数为职工申报养老保险。"

// fileNamed files a named report whose reporter gave an e-mail address.
func (e *env) fileNamed(region string) *store.Case {
	e.t.Helper()
	r, err := e.svc.FileCase(context.Background(), caseflow.Filing{
		Kind: store.KindReport, ReporterType: store.ReporterCitizen, Category: "fraudulent_claims",
		InsuranceTypes: []string{"pension"}, RegionCode: region, Subject: store.Party{Name: "某某商贸有限公司"},
		Description:    secretDescription,
		Identity:       &casework.ReporterIdentity{Name: "张建国", Phone: "13812345678", Email: reporterEmail},
		IdempotencyKey: store.NewID(), Digest: "d",
	})
	if err != nil {
		e.t.Fatalf("file case: %v", err)
	}
	return r.Case
}

func (e *env) worker(addr string, timeout time.Duration) *mailer.Worker {
	e.t.Helper()
	s, err := mailer.NewSMTP(mailer.Config{Addr: addr, From: testFrom, TLS: mailer.TLSNone, Timeout: timeout})
	if err != nil {
		e.t.Fatal(err)
	}
	return &mailer.Worker{Store: e.st, Sender: s, Keyring: e.keyring, Clock: e.clock, Log: e.logger()}
}

func (e *env) mail(id string) *store.Mail {
	e.t.Helper()
	for _, m := range mailtest.AllMail(e.t, e.st) {
		if m.ID == id {
			return m
		}
	}
	e.t.Fatalf("mail %s not in the outbox", id)
	return nil
}

// eachOutbox runs test on the in-memory outbox and on the store's own.
func eachOutbox(t *testing.T, test func(t *testing.T, e *env)) {
	for _, v := range mailtest.Outboxes(mailtest.OpenSQLite) {
		t.Run(v.Name, func(t *testing.T) { test(t, newEnv(t, v.Open(t))) })
	}
}

func TestWorkerSendsStaffMailAndTheReporterUpdate(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *env) {
		h := e.addHandler("changchun", "220100", "cc.handler@example.gov.cn")
		cs := e.fileNamed("220102")
		actor := caseflow.Actor{UserID: h.ID, Username: h.Username, Role: h.Role, RegionCode: h.RegionCode,
			Scope: casework.DefaultRegions().Descendants(h.RegionCode), RequestID: "req-1"}
		if _, err := e.svc.Reply(context.Background(), actor, cs.ID, "经核查，该公司已补缴全部欠费。", "idem-reply-1"); err != nil {
			t.Fatalf("reply: %v", err)
		}
		srv := mailtest.StartServer(t, mailtest.ServerOptions{})
		sent, err := e.worker(srv.Addr, 5*time.Second).SendDue(context.Background())
		if err != nil || sent != 2 {
			t.Fatalf("SendDue: %d sent, %v; want 2", sent, err)
		}
		got := map[string]parsed{}
		for _, r := range srv.Messages() {
			got[r.To[0]] = parse(t, r.Data)
		}
		staff, ok := got["cc.handler@example.gov.cn"]
		if !ok {
			t.Fatalf("the handler got nothing; received for %v", keys(got))
		}
		if !strings.Contains(staff.subject, cs.Number) || !strings.Contains(staff.body, "https://jb.example.gov.cn/admin/cases/"+cs.ID) {
			t.Errorf("staff mail lacks the number or the link:\n%s\n%s", staff.subject, staff.body)
		}
		reporter, ok := got[reporterEmail]
		if !ok {
			t.Fatalf("the reporter got nothing; received for %v", keys(got))
		}
		if !strings.Contains(reporter.subject, cs.Number) || !strings.Contains(reporter.body, "https://jb.example.gov.cn/followup") {
			t.Errorf("reporter mail lacks the number or the follow-up link:\n%s\n%s", reporter.subject, reporter.body)
		}
		for _, secret := range []string{"张建国", "13812345678", reporterEmail, secretDescription, "某某商贸", "补缴"} {
			if strings.Contains(staff.subject+staff.body, secret) {
				t.Errorf("staff mail contains %q", secret)
			}
		}
		for _, content := range []string{"补缴", "经核查", "受理", casework.StatusLabel(cs.Status), secretDescription} {
			if strings.Contains(reporter.subject+reporter.body, content) {
				t.Errorf("reporter mail contains %q: it must say only that there is an update", content)
			}
		}
		for _, m := range mailtest.AllMail(t, e.st) {
			if m.Status != store.MailSent || m.SentAt.IsZero() {
				t.Errorf("mail %s (%s): status %s, sent at %v", m.ID, m.Kind, m.Status, m.SentAt)
			}
			if strings.Contains(m.To+m.Subject+m.Body+m.LastError, reporterEmail) {
				t.Errorf("the outbox holds the reporter's address in mail %s", m.ID)
			}
		}
		if strings.Contains(e.logs.String(), reporterEmail) {
			t.Error("the log holds the reporter's address")
		}
	})
}

func keys(m map[string]parsed) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestWorkerGivesUpAtOnceWhenTheServerRefuses(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *env) {
		cs := e.fileNamed("220102")
		actor := caseflow.SystemActor("test", casework.DefaultRegions())
		if _, err := e.svc.Transition(context.Background(), actor, cs.ID, caseflow.TransitionInput{To: store.StatusAccepted, Version: cs.Version}); err != nil {
			t.Fatalf("accept: %v", err)
		}
		all := mailtest.AllMail(t, e.st)
		if len(all) != 1 || all[0].ReporterCaseID != cs.ID {
			t.Fatalf("outbox %v, want one reporter mail", all)
		}
		// The refusal quotes the address, as real servers do.
		srv := mailtest.StartServer(t, mailtest.ServerOptions{RcptReply: &smtp.SMTPError{
			Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + strings.ToUpper(reporterEmail) + ">: Recipient address rejected"}})
		w := e.worker(srv.Addr, 5*time.Second)
		if sent, err := w.SendDue(context.Background()); sent != 0 || err != nil {
			t.Fatalf("SendDue: %d sent, %v", sent, err)
		}
		m := e.mail(all[0].ID)
		if m.Status != store.MailFailed || m.Attempts != 1 || !strings.Contains(m.LastError, "550") {
			t.Errorf("after a 550: status %s, attempts %d, last error %q; want failed after one attempt", m.Status, m.Attempts, m.LastError)
		}
		if strings.Contains(strings.ToLower(m.LastError), reporterEmail) || !strings.Contains(m.LastError, "[举报人邮箱]") {
			t.Errorf("last error %q does not hide the reporter's address", m.LastError)
		}
		if strings.Contains(strings.ToLower(e.logs.String()), reporterEmail) {
			t.Error("the log holds the reporter's address")
		}
		// Given up: a later pass does not try again.
		e.advance(24 * time.Hour)
		before := srv.Sessions()
		if sent, err := w.SendDue(context.Background()); sent != 0 || err != nil || srv.Sessions() != before {
			t.Errorf("a failed mail was tried again: %d sent, %v, sessions %d → %d", sent, err, before, srv.Sessions())
		}
	})
}

func TestWorkerRetriesTemporaryFailuresWithBackoff(t *testing.T) {
	servers := []struct {
		name    string
		opts    mailtest.ServerOptions
		timeout time.Duration
		want    string
	}{
		{"451 deferral", mailtest.ServerOptions{RcptReply: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}}, 5 * time.Second, "451"},
		{"hanging server", mailtest.ServerOptions{HangData: true}, 300 * time.Millisecond, "没有响应"},
	}
	for _, sv := range servers {
		t.Run(sv.name, func(t *testing.T) {
			eachOutbox(t, func(t *testing.T, e *env) {
				e.addHandler("changchun", "220100", "cc.handler@example.gov.cn")
				e.fileNamed("220102")
				all := mailtest.AllMail(t, e.st)
				if len(all) != 1 {
					t.Fatalf("%d mails queued, want 1", len(all))
				}
				id := all[0].ID
				srv := mailtest.StartServer(t, sv.opts)
				w := e.worker(srv.Addr, sv.timeout)
				for attempt := 1; attempt <= mailer.MaxAttempts; attempt++ {
					sessions := srv.Sessions()
					if sent, err := w.SendDue(context.Background()); sent != 0 || err == nil {
						t.Fatalf("attempt %d: %d sent, error %v; want a failure", attempt, sent, err)
					}
					if srv.Sessions() != sessions+1 {
						t.Fatalf("attempt %d: %d sessions, want one more than %d", attempt, srv.Sessions(), sessions)
					}
					m := e.mail(id)
					if m.Attempts != attempt || !strings.Contains(m.LastError, sv.want) {
						t.Fatalf("attempt %d: attempts %d, last error %q", attempt, m.Attempts, m.LastError)
					}
					if attempt == mailer.MaxAttempts {
						if m.Status != store.MailFailed {
							t.Fatalf("after %d attempts: status %s, want failed", attempt, m.Status)
						}
						break
					}
					wait := mailer.Backoff[attempt-1]
					if m.Status != store.MailPending || !m.NextAttemptAt.Equal(e.clock().Add(wait)) {
						t.Fatalf("attempt %d: status %s, next attempt %v, want pending at now+%v", attempt, m.Status, m.NextAttemptAt, wait)
					}
					// Not due before its time.
					e.advance(wait - time.Second)
					if sent, err := w.SendDue(context.Background()); sent != 0 || err != nil || srv.Sessions() != sessions+1 {
						t.Fatalf("attempt %d: tried before the backoff ran out (%d sent, %v)", attempt, sent, err)
					}
					e.advance(time.Second)
				}
			})
		})
	}
}

func TestWorkerStopsThePassAfterATemporaryFailure(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *env) {
		e.addHandler("changchun", "220100", "cc.handler@example.gov.cn")
		e.fileNamed("220102")
		e.advance(time.Second)
		e.fileNamed("220103")
		srv := mailtest.StartServer(t, mailtest.ServerOptions{RcptReply: &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Too busy"}})
		if _, err := e.worker(srv.Addr, 5*time.Second).SendDue(context.Background()); err == nil {
			t.Fatal("SendDue reported no failure")
		}
		if srv.Sessions() != 1 {
			t.Errorf("%d sessions, want 1: a server in trouble gets one try per pass", srv.Sessions())
		}
		attempts := 0
		for _, m := range mailtest.AllMail(t, e.st) {
			attempts += m.Attempts
		}
		if attempts != 1 {
			t.Errorf("%d attempts recorded, want 1", attempts)
		}
	})
}

func TestWorkerGivesUpReporterMailWithNoAddress(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *env) {
		r, err := e.svc.FileCase(context.Background(), caseflow.Filing{
			Kind: store.KindReport, ReporterType: store.ReporterCitizen, Category: "fraudulent_claims", Anonymous: true,
			InsuranceTypes: []string{"pension"}, RegionCode: "220102", Description: secretDescription,
			IdempotencyKey: store.NewID(), Digest: "d",
		})
		if err != nil {
			t.Fatal(err)
		}
		// The service never queues this; a mail queued by mistake is still
		// not sent anywhere.
		m := &store.Mail{ID: "ml-anon", ReporterCaseID: r.Case.ID, Subject: "s", Body: "b", Kind: caseflow.MailReporterUpdate,
			CaseID: r.Case.ID, RegionCode: "220102", Status: store.MailPending, CreatedAt: e.clock(), NextAttemptAt: e.clock()}
		if err := e.st.EnqueueMail(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		srv := mailtest.StartServer(t, mailtest.ServerOptions{})
		if sent, err := e.worker(srv.Addr, 5*time.Second).SendDue(context.Background()); sent != 0 || err != nil {
			t.Fatalf("SendDue: %d sent, %v", sent, err)
		}
		got := e.mail("ml-anon")
		if got.Status != store.MailFailed || !strings.Contains(got.LastError, "匿名") || srv.Sessions() != 0 {
			t.Errorf("anonymous case's mail: status %s, error %q, %d sessions", got.Status, got.LastError, srv.Sessions())
		}
	})
}

func TestRunSendsAndQueuesRemindersUntilStopped(t *testing.T) {
	e := newEnv(t, mailtest.WithOutbox(mailtest.OpenSQLite(t), mailtest.NewOutbox()))
	e.addHandler("changchun", "220100", "cc.handler@example.gov.cn")
	e.fileNamed("220102")
	srv := mailtest.StartServer(t, mailtest.ServerOptions{})
	w := e.worker(srv.Addr, 5*time.Second)
	reminders := make(chan time.Time, 1)
	w.Reminders = func(ctx context.Context, now time.Time) (int, error) {
		select {
		case reminders <- now:
		default:
		}
		return 0, nil
	}
	w.PollEvery = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	if at := <-reminders; !at.Equal(e.clock()) {
		t.Errorf("reminders queued for %v, want the worker's clock %v", at, e.clock())
	}
	for len(srv.Messages()) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if m := mailtest.AllMail(t, e.st); len(m) != 1 || m[0].Status != store.MailSent {
		t.Errorf("outbox after Run: %+v", m)
	}
}
