package caseflow_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/casework/mailer/mailtest"
	"fundwatch/store"
)

var testKey = bytes.Repeat([]byte{0x24}, 32)

// Monday 2026-11-30, 10:00 CST.
var testStart = time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)

const (
	reporterEmail     = "zhang.jianguo@example.com"
	secretDescription = "该公司少报缴费基数，长期按最低基数为职工申报养老保险。"
)

// secrets are what no staff mail may hold: who reported, and what.
var secrets = []string{"张建国", "13812345678", "11010519491231002X", reporterEmail, secretDescription, "某某商贸"}

type env struct {
	t       *testing.T
	st      store.Store
	svc     *caseflow.Service
	regions *casework.Regions
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
	e := &env{t: t, st: st, regions: casework.DefaultRegions(), logs: &syncBuffer{}, now: testStart}
	e.svc = &caseflow.Service{Store: st, Keyring: k, Regions: e.regions, Rules: caseflow.DefaultRules(), Clock: e.clock,
		Log: slog.New(slog.NewJSONHandler(e.logs, nil)), BaseURL: "https://jb.example.gov.cn"}
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) set(t time.Time) {
	e.mu.Lock()
	e.now = t
	e.mu.Unlock()
}

func eachOutbox(t *testing.T, test func(t *testing.T, e *env)) {
	for _, v := range mailtest.Outboxes(mailtest.OpenSQLite) {
		t.Run(v.Name, func(t *testing.T) { test(t, newEnv(t, v.Open(t))) })
	}
}

func (e *env) addUser(username, role, region, email string, disabled bool) *store.User {
	e.t.Helper()
	now := e.clock()
	u := &store.User{ID: store.NewID(), Username: username, Name: "测试" + username, Role: role, RegionCode: region,
		Email: email, Disabled: disabled, PasswordHash: "unused", CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now}
	if err := e.st.CreateUser(context.Background(), u); err != nil {
		e.t.Fatalf("create user %s: %v", username, err)
	}
	return u
}

// filing is a named report in region whose reporter gave identity.
func filing(region string, identity *casework.ReporterIdentity) caseflow.Filing {
	return caseflow.Filing{
		Kind: store.KindReport, ReporterType: store.ReporterCitizen, Category: "fraudulent_claims",
		InsuranceTypes: []string{"pension"}, RegionCode: region, Subject: store.Party{Name: "某某商贸有限公司"},
		Description: secretDescription, Identity: identity, Anonymous: identity == nil,
		IdempotencyKey: store.NewID(), Digest: "d", RequestID: "req-file",
	}
}

var withEmail = &casework.ReporterIdentity{Name: "张建国", IDNumber: "11010519491231002X", Phone: "13812345678", Email: reporterEmail}

func (e *env) file(f caseflow.Filing) *store.Case {
	e.t.Helper()
	r, err := e.svc.FileCase(context.Background(), f)
	if err != nil {
		e.t.Fatalf("file case: %v", err)
	}
	return r.Case
}

func (e *env) mails(kind string) []*store.Mail {
	e.t.Helper()
	var out []*store.Mail
	for _, m := range mailtest.AllMail(e.t, e.st) {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

func recipients(ms []*store.Mail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.To)
	}
	slices.Sort(out)
	return out
}

func TestNewCaseNotifiesTheCaseWorkersOfItsRegion(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *env) {
		e.addUser("city", store.RoleHandler, "220100", "city@example.gov.cn", false)       // 长春市: contains 南关区
		e.addUser("county", store.RoleHandler, "220102", "county@example.gov.cn", false)   // 南关区 itself
		e.addUser("leader", store.RoleLeader, "220000", "leader@example.gov.cn", false)    // the province
		e.addUser("jilin", store.RoleHandler, "220200", "jilin@example.gov.cn", false)     // 吉林市: another city
		e.addUser("sibling", store.RoleHandler, "220103", "sibling@example.gov.cn", false) // 宽城区: a sibling county
		e.addUser("nomail", store.RoleHandler, "220100", "", false)
		e.addUser("admin", store.RoleAdmin, "220000", "admin@example.gov.cn", false)
		e.addUser("publisher", store.RolePublisher, "220000", "pub@example.gov.cn", false)
		e.addUser("gone", store.RoleHandler, "220100", "gone@example.gov.cn", true)
		f := filing("220102", withEmail)
		cs := e.file(f)

		got := e.mails(caseflow.MailNewCase)
		want := []string{"city@example.gov.cn", "county@example.gov.cn", "leader@example.gov.cn"}
		if !slices.Equal(recipients(got), want) {
			t.Fatalf("new-case mail went to %v, want %v", recipients(got), want)
		}
		for _, m := range got {
			if m.CaseID != cs.ID || m.RegionCode != "220102" || m.ReporterCaseID != "" || m.Status != store.MailPending {
				t.Errorf("mail %s: case %q region %q reporter case %q status %s", m.ID, m.CaseID, m.RegionCode, m.ReporterCaseID, m.Status)
			}
			text := m.Subject + "\n" + m.Body
			for _, want := range []string{cs.Number, casework.CategoryLabel(cs.Category), e.regions.FullName("220102"),
				"2026年12月07日", "https://jb.example.gov.cn/admin/cases/" + cs.ID} {
				if !strings.Contains(text, want) {
					t.Errorf("mail to %s lacks %q:\n%s", m.To, want, text)
				}
			}
			for _, secret := range secrets {
				if strings.Contains(text, secret) {
					t.Errorf("mail to %s contains %q", m.To, secret)
				}
			}
		}
		// A retried submission (same key, same content) queues nothing more.
		r, err := e.svc.FileCase(context.Background(), f)
		if err != nil || !r.Repeat {
			t.Fatalf("retried filing: %v, repeat %v", err, r != nil && r.Repeat)
		}
		if n := len(e.mails(caseflow.MailNewCase)); n != 3 {
			t.Errorf("%d new-case mails after a retried filing, want 3", n)
		}
		// Transferred to 吉林市: its handler hears of it as new; nobody
		// hears twice.
		system := caseflow.SystemActor("test", e.regions)
		if _, err := e.svc.Transition(context.Background(), system, cs.ID, caseflow.TransitionInput{
			To: store.StatusTransferred, TransferRegion: "220202", Note: "属吉林市管辖，转吉林市办理。"}); err != nil {
			t.Fatalf("transfer: %v", err)
		}
		got = e.mails(caseflow.MailNewCase)
		want = []string{"city@example.gov.cn", "county@example.gov.cn", "jilin@example.gov.cn", "leader@example.gov.cn"}
		if !slices.Equal(recipients(got), want) {
			t.Fatalf("after the transfer new-case mail went to %v, want %v", recipients(got), want)
		}
		for _, m := range got {
			if m.To == "jilin@example.gov.cn" && (!strings.Contains(m.Body, "转办") || m.RegionCode != "220202" ||
				!strings.Contains(m.Body, e.regions.FullName("220202"))) {
				t.Errorf("transfer mail: region %s\n%s", m.RegionCode, m.Body)
			}
		}
		// Demo content sends nothing.
		demo := filing("220102", withEmail)
		demo.Demo = true
		e.file(demo)
		if n := len(e.mails(caseflow.MailNewCase)); n != 4 {
			t.Errorf("%d new-case mails after a demo case, want 4", n)
		}
	})
}

func TestReporterHearsOnlyThatThereIsAnUpdate(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *env) {
		h := e.addUser("county", store.RoleHandler, "220102", "", false)
		actor := caseflow.Actor{UserID: h.ID, Username: h.Username, Role: h.Role, RegionCode: h.RegionCode,
			Scope: e.regions.Descendants(h.RegionCode), RequestID: "req-reply"}
		ctx := context.Background()
		named := e.file(filing("220102", withEmail))
		noEmail := e.file(filing("220102", &casework.ReporterIdentity{Name: "李四", Phone: "13912345678"}))
		anonymous := e.file(filing("220102", nil))

		const reply = "经核查，该公司已补缴全部欠费，感谢您的监督。"
		for _, cs := range []*store.Case{named, noEmail, anonymous} {
			if _, err := e.svc.Reply(ctx, actor, cs.ID, reply, "idem-"+cs.ID); err != nil {
				t.Fatalf("reply: %v", err)
			}
			if _, err := e.svc.AddNote(ctx, actor, cs.ID, "内部备注：已电话联系用人单位。", ""); err != nil {
				t.Fatalf("note: %v", err)
			}
		}
		// The same reply retried (double click): one mail.
		if _, err := e.svc.Reply(ctx, actor, named.ID, reply, "idem-"+named.ID); err != nil {
			t.Fatalf("retried reply: %v", err)
		}
		got := e.mails(caseflow.MailReporterUpdate)
		if len(got) != 1 {
			t.Fatalf("%d reporter mails, want 1 (named with e-mail, one reply)", len(got))
		}
		m := got[0]
		if m.ReporterCaseID != named.ID || m.To != "" || m.CaseID != named.ID || m.RegionCode != "220102" {
			t.Errorf("reporter mail: reporter case %q, to %q, case %q, region %q", m.ReporterCaseID, m.To, m.CaseID, m.RegionCode)
		}
		if !strings.Contains(m.Subject, named.Number) || m.Body != caseflow.ReporterUpdateBody(named.Number, "https://jb.example.gov.cn/followup") {
			t.Errorf("reporter mail says:\n%s\n%s", m.Subject, m.Body)
		}
		for _, content := range append(slices.Clone(secrets), reply, "补缴", "内部备注", "受理") {
			if strings.Contains(m.Subject+m.Body, content) {
				t.Errorf("reporter mail contains %q", content)
			}
		}
		// A status change is an update too.
		updated, err := e.svc.Transition(ctx, actor, named.ID, caseflow.TransitionInput{To: store.StatusAccepted, Version: 0})
		if err != nil {
			t.Fatalf("accept: %v", err)
		}
		if n := len(e.mails(caseflow.MailReporterUpdate)); n != 2 {
			t.Errorf("%d reporter mails after accepting, want 2", n)
		}
		for _, m := range e.mails(caseflow.MailReporterUpdate) {
			if strings.Contains(m.Subject+m.Body, casework.StatusLabel(updated.Status)) {
				t.Errorf("reporter mail names the status %q", casework.StatusLabel(updated.Status))
			}
		}
	})
}

func TestAFailedQueueNeverFailsTheAction(t *testing.T) {
	ob := mailtest.NewOutbox()
	ob.FailEnqueue = store.Wrap(store.EUNAVAILABLE, errors.New("disk full"), store.MsgUnavailable)
	e := newEnv(t, mailtest.WithOutbox(mailtest.OpenSQLite(t), ob))
	h := e.addUser("county", store.RoleHandler, "220102", "county@example.gov.cn", false)
	cs := e.file(filing("220102", withEmail))
	actor := caseflow.Actor{UserID: h.ID, Username: h.Username, Role: h.Role, RegionCode: h.RegionCode,
		Scope: e.regions.Descendants(h.RegionCode), RequestID: "req-reply"}
	if _, err := e.svc.Reply(context.Background(), actor, cs.ID, "您反映的问题已受理，正在核查。", ""); err != nil {
		t.Fatalf("reply failed with the outbox: %v", err)
	}
	logs := e.logs.String()
	for _, want := range []string{`"request_id":"req-file"`, `"request_id":"req-reply"`, "disk full"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, reporterEmail) {
		t.Error("the log holds the reporter's address")
	}
}

func TestDeadlineRemindersGoOncePerPersonPerDay(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		city := e.addUser("city", store.RoleHandler, "220100", "city@example.gov.cn", false)
		e.addUser("county", store.RoleHandler, "220102", "county@example.gov.cn", false)
		e.addUser("jilin", store.RoleHandler, "220200", "jilin@example.gov.cn", false)
		leaving := e.addUser("leaving", store.RoleHandler, "220102", "leaving@example.gov.cn", false)
		system := caseflow.SystemActor("test", e.regions)
		at := func(day string) caseflow.Filing {
			f := filing("220102", withEmail)
			d, _ := time.ParseInLocation(time.DateOnly, day, store.CST)
			f.ReceivedAt = d.Add(9 * time.Hour)
			return f
		}
		// Overdue (due at the end of Friday 27 November), assigned to city.
		overdue := e.file(at("2026-11-20"))
		if _, err := e.svc.Assign(ctx, system, overdue.ID, 0, city.ID); err != nil {
			t.Fatal(err)
		}
		// Due at the end of Wednesday 2 December, unassigned: everyone of 南关区.
		soon := e.file(at("2026-11-25"))
		// Assigned to someone who has since been disabled: as if unassigned.
		orphan := e.file(at("2026-11-25"))
		if _, err := e.svc.Assign(ctx, system, orphan.ID, 0, leaving.ID); err != nil {
			t.Fatal(err)
		}
		leaving.Disabled = true
		if err := e.st.UpdateUser(ctx, leaving); err != nil {
			t.Fatal(err)
		}
		// Due at the end of Thursday 3 December, the third working day: in.
		boundary := e.file(at("2026-11-26"))
		// Due on Monday 7 December: not yet.
		later := e.file(at("2026-11-30"))
		jf := at("2026-11-20")
		jf.RegionCode = "220202"
		jilinCase := e.file(jf)
		// Demo cases send nothing.
		demo := at("2026-11-20")
		demo.Demo = true
		e.file(demo)

		n, err := e.svc.QueueDeadlineReminders(ctx, testStart)
		if err != nil || n != 3 {
			t.Fatalf("QueueDeadlineReminders: %d, %v; want 3 digests", n, err)
		}
		got := map[string]*store.Mail{}
		for _, m := range e.mails(caseflow.MailDeadline) {
			got[m.To] = m
		}
		want := map[string][]*store.Case{
			"city@example.gov.cn":   {overdue, soon, orphan, boundary},
			"county@example.gov.cn": {soon, orphan, boundary},
			"jilin@example.gov.cn":  {jilinCase},
		}
		if len(got) != len(want) {
			t.Errorf("digests went to %v, want %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
		for to, cases := range want {
			m := got[to]
			if m == nil {
				t.Errorf("no digest for %s", to)
				continue
			}
			text := m.Subject + "\n" + m.Body
			for _, c := range cases {
				if !strings.Contains(text, c.Number) || !strings.Contains(text, "https://jb.example.gov.cn/admin/cases/"+c.ID) {
					t.Errorf("digest for %s lacks %s:\n%s", to, c.Number, text)
				}
			}
			for _, c := range []*store.Case{later} {
				if strings.Contains(text, c.Number) {
					t.Errorf("digest for %s lists %s, due later", to, c.Number)
				}
			}
			if strings.Count(m.Body, "https://") != len(cases) {
				t.Errorf("digest for %s lists %d cases, want %d:\n%s", to, strings.Count(m.Body, "https://"), len(cases), m.Body)
			}
			for _, secret := range secrets {
				if strings.Contains(text, secret) {
					t.Errorf("digest for %s contains %q", to, secret)
				}
			}
		}
		if m := got["city@example.gov.cn"]; m != nil && !strings.Contains(m.Body, "已逾期") {
			t.Errorf("the overdue case is not marked overdue:\n%s", m.Body)
		}
		if got["leaving@example.gov.cn"] != nil {
			t.Error("a disabled user got a digest")
		}

		// Hourly calls the same day queue nothing more.
		e.set(testStart.Add(3 * time.Hour))
		if n, err := e.svc.QueueDeadlineReminders(ctx, e.clock()); err != nil || n != 0 {
			t.Errorf("second run the same day: %d, %v; want 0", n, err)
		}
		steps := []struct {
			name string
			at   time.Time
			want int
		}{
			{"Saturday", time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC), 0},
			{"Monday before eight", time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC), 0},
			{"Tuesday", time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), 3},
		}
		for _, s := range steps {
			e.set(s.at)
			if n, err := e.svc.QueueDeadlineReminders(ctx, s.at); err != nil || n != s.want {
				t.Errorf("%s: %d digests, %v; want %d", s.name, n, err, s.want)
			}
		}
		if n := len(e.mails(caseflow.MailDeadline)); n != 6 {
			t.Errorf("%d digests in all, want 6 (three people, two days)", n)
		}
	})
}

// TestNewCaseNotificationsWithTheListOfUsersKept: with ActiveUsers, as the
// server runs, a user disabled through the service gets no mail for the
// next case, while one written straight into the store within the list's
// lifetime is not seen yet (the delay the list trades for a query per
// filing).
func TestNewCaseNotificationsWithTheListOfUsersKept(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *env) {
		e.svc.ActiveUsers = &caseflow.ActiveUsers{}
		city := e.addUser("city", store.RoleHandler, "220100", "city@example.gov.cn", false)
		admin := e.addUser("admin", store.RoleAdmin, "220000", "admin@example.gov.cn", false)
		cs1 := e.file(filing("220102", nil))
		if got := recipients(e.mails(caseflow.MailNewCase)); !slices.Equal(got, []string{"city@example.gov.cn"}) {
			t.Fatalf("first case mailed to %v, want the city's handler", got)
		}

		actor := caseflow.Actor{UserID: admin.ID, Username: admin.Username, Role: admin.Role, RegionCode: admin.RegionCode,
			Scope: e.regions.Descendants(admin.RegionCode), RequestID: "req-disable"}
		ch := caseflow.UserChanges{Name: city.Name, Role: city.Role, RegionCode: city.RegionCode, Email: city.Email, Disabled: true}
		if err := e.svc.UpdateUser(context.Background(), actor, city, ch, 0); err != nil {
			t.Fatal(err)
		}
		cs2 := e.file(filing("220102", nil))
		e.addUser("county", store.RoleHandler, "220102", "county@example.gov.cn", false)
		cs3 := e.file(filing("220102", nil))
		for _, m := range e.mails(caseflow.MailNewCase) {
			switch m.CaseID {
			case cs2.ID:
				t.Errorf("the case filed after the handler was disabled was mailed to %s", m.To)
			case cs3.ID:
				t.Errorf("the case filed right after a user was added past the service was mailed to %s", m.To)
			}
		}
		if cs1.ID == cs2.ID {
			t.Fatal("the same case twice")
		}
	})
}
