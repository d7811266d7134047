package caseflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
)

// E-mail notifications. The service layer only writes mail into the outbox
// (store.OutboxStore); the mailer sends it later with retries, so a mail
// server that is down never fails or slows a filing, a reply or a status
// change. Queuing a notification never fails the action it follows: a
// failure is logged with the request id and the action stands.
//
// What a mail may hold is deliberately little, because mail leaves the
// portal: staff hear the case number, category, region and deadline with a
// link to the case page, never who reported or what was reported; a named
// reporter hears only that their case has an update, to be read on the
// follow-up page with their access code.

// Kinds of mail in the outbox (store.Mail.Kind).
const (
	MailNewCase        = "case.new"        // a new case in a handler's region
	MailDeadline       = "deadline"        // the daily digest of deadlines coming due
	MailReporterUpdate = "reporter.update" // a named reporter's case has an update
)

// MailKindLabel names a kind of mail on the admin pages.
func MailKindLabel(kind string) string {
	switch kind {
	case MailNewCase:
		return "新案件通知"
	case MailDeadline:
		return "期限提醒"
	case MailReporterUpdate:
		return "举报人进展通知"
	}
	return kind
}

// ReminderWorkingDays is how far ahead the deadline digest looks: cases due
// within this many working days, as the dashboard counts them, and overdue
// ones.
const ReminderWorkingDays = 3

// ReminderFromHour is the hour (CST) from which the day's deadline digest
// is queued, so it reaches people in the working day rather than at
// midnight.
const ReminderFromHour = 8

const mailFooter = "\n\n——\n本邮件由社保基金监督平台自动发送，请勿直接回复。"

// openStatuses are the statuses whose deadline runs.
var openStatuses = []string{store.StatusReceived, store.StatusAccepted, store.StatusTransferred, store.StatusInvestigating}

// mailID derives an outbox id from what a mail is about, so an action
// retried after it went through queues its mail once: a second EnqueueMail
// of the same id is ECONFLICT, which means "already queued".
func mailID(kind string, parts ...string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + strings.Join(parts, "\x00")))
	return "ml" + hex.EncodeToString(sum[:16])
}

// link is the absolute address of a path of the portal, or the path alone
// when the service has no BaseURL.
func (s *Service) link(path string) string {
	return strings.TrimSuffix(s.BaseURL, "/") + path
}

// enqueue stores m in the outbox; an id already queued is success.
func (s *Service) enqueue(ctx context.Context, m *store.Mail) error {
	err := s.Store.EnqueueMail(ctx, s.pending(m))
	if store.ErrorCode(err) == store.ECONFLICT {
		return nil
	}
	return err
}

// caseWorkers are the active users with an e-mail address who work the
// cases of region: their role accepts cases and their region contains it.
func (s *Service) caseWorkers(ctx context.Context, region string) ([]*store.User, error) {
	if _, ok := s.Regions.Lookup(region); !ok {
		return nil, nil
	}
	users, err := s.ActiveUsers.list(ctx, s.Store)
	if err != nil {
		return nil, err
	}
	var out []*store.User
	for _, u := range users {
		if worksCasesOf(s.Regions, u, region) && u.Email != "" {
			out = append(out, u)
		}
	}
	return out, nil
}

// activeUsersTTL is how long ActiveUsers reuses the list of active users
// for the notification of a new case. Every filing needs it, and listing the users
// took a fifth of the CPU of a submission (BenchmarkSubmission); users
// change seldom. A change made through this service is seen at once;
// one made by another process (the fundwatch user command) or directly
// in the store (a user's own e-mail address on the account page) within
// this time.
const activeUsersTTL = 30 * time.Second

// ActiveUsers is the cached list of active users; its zero value is ready.
type ActiveUsers struct {
	mu    sync.Mutex
	at    time.Time // when listed, on the monotonic clock
	users []*store.User
}

// list returns the active users, listed at most activeUsersTTL ago (or
// now, on a nil l). The users returned are shared: callers must not change
// them.
func (l *ActiveUsers) list(ctx context.Context, st store.Store) ([]*store.User, error) {
	if l == nil {
		return st.ListUsers(ctx, store.UserFilter{})
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users != nil && time.Since(l.at) < activeUsersTTL {
		return l.users, nil
	}
	users, err := st.ListUsers(ctx, store.UserFilter{})
	if err != nil {
		return nil, err
	}
	l.users, l.at = users, time.Now()
	return users, nil
}

// forget drops the cached list after a change to a user.
func (l *ActiveUsers) forget() {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.users = nil
	l.mu.Unlock()
}

// worksCasesOf reports whether u is an active user whose role works cases
// and whose region contains region.
func worksCasesOf(regions *casework.Regions, u *store.User, region string) bool {
	return !u.Disabled && casework.RoleAllows(u.Role, casework.PermAcceptCase) && regions.IsWithin(region, u.RegionCode)
}

// deadlineLabel names the deadline a case in status is running against.
func deadlineLabel(status string) string {
	if status == store.StatusAccepted || status == store.StatusInvestigating {
		return "调查期限"
	}
	return "受理期限"
}

// deadlineDay is the last day of a deadline that ends at 24:00 CST.
func deadlineDay(due time.Time) string {
	return due.Add(-time.Millisecond).In(store.CST).Format("2006年01月02日")
}

// notifyNewCase tells the handlers of the case's region that it came in
// (filed, or transferred there from another region): one mail each, with
// the number, category, region and acceptance deadline and a link to the
// case page — never who reported it or what they wrote. Someone who already
// heard of the case (a provincial handler, when it moves between two of
// their cities) is not told again. Demo cases send nothing. A failure is
// logged and the action stands.
func (s *Service) notifyNewCase(ctx context.Context, c *store.Case, transferred bool, requestID string) {
	if c.Demo {
		return
	}
	users, err := s.caseWorkers(ctx, c.RegionCode)
	if err != nil {
		s.log().Error("new-case notification not queued", "case_id", c.ID, "request_id", requestID, "error", err)
		return
	}
	subject := fmt.Sprintf("【新案件】%s %s（%s）", c.Number, casework.CategoryLabel(c.Category), s.Regions.FullName(c.RegionCode))
	var b strings.Builder
	if transferred {
		b.WriteString("您好：\n\n一件" + casework.KindLabel(c.Kind) + "已转办至您所在地区，请及时审查是否受理。\n\n")
	} else {
		b.WriteString("您好：\n\n平台收到一件属于您所在地区的" + casework.KindLabel(c.Kind) + "，请及时审查是否受理。\n\n")
	}
	fmt.Fprintf(&b, "案件编号：%s\n问题类别：%s\n所属地区：%s\n", c.Number, casework.CategoryLabel(c.Category), s.Regions.FullName(c.RegionCode))
	if !c.DueAt.IsZero() {
		fmt.Fprintf(&b, "%s：%s\n", deadlineLabel(c.Status), deadlineDay(c.DueAt))
	}
	fmt.Fprintf(&b, "\n请登录业务管理系统查看：\n%s\n", s.link("/admin/cases/"+c.ID))
	b.WriteString("\n为保护举报人，邮件中不含举报人信息和举报内容。" + mailFooter)
	for _, u := range users {
		m := &store.Mail{
			ID: mailID(MailNewCase, c.ID, u.ID), To: u.Email, Subject: subject, Body: b.String(),
			Kind: MailNewCase, CaseID: c.ID, RegionCode: c.RegionCode,
		}
		if err := s.enqueue(ctx, m); err != nil {
			s.log().Error("new-case notification not queued", "case_id", c.ID, "mail_id", m.ID, "request_id", requestID, "error", err)
		}
	}
}

// notifyReporter tells a named reporter who gave an e-mail address that
// case c has an update (event is the id of the reply or status change), and
// nothing else: no status, no content, only where to read it. The address
// stays in the sealed identity; the outbox names the case, and the mailer
// opens the identity when it sends. Anonymous reporters and demo cases get
// nothing. A failure is logged and the action stands.
func (s *Service) notifyReporter(ctx context.Context, c *store.Case, event, requestID string) {
	if c.Anonymous || len(c.ReporterSealed) == 0 || c.Demo {
		return
	}
	id, err := s.Keyring.OpenIdentity(c.ID, c.ReporterSealed)
	if err != nil {
		s.log().Error("reporter notification not queued: identity does not open", "case_id", c.ID, "request_id", requestID, "error", err)
		return
	}
	if id.Email == "" {
		return
	}
	m := &store.Mail{
		ID:             mailID(MailReporterUpdate, c.ID, event),
		ReporterCaseID: c.ID,
		Subject:        fmt.Sprintf("您反映的问题（案件编号 %s）有新的办理进展", c.Number),
		Body:           ReporterUpdateBody(c.Number, s.link("/followup")),
		Kind:           MailReporterUpdate,
		CaseID:         c.ID,
		RegionCode:     c.RegionCode,
	}
	if err := s.enqueue(ctx, m); err != nil {
		s.log().Error("reporter notification not queued", "case_id", c.ID, "mail_id", m.ID, "request_id", requestID, "error", err)
	}
}

// ReporterUpdateBody is the whole of what a reporter's notification says.
func ReporterUpdateBody(number, followupURL string) string {
	return "您好：\n\n您通过社保基金监督平台反映的问题（案件编号 " + number + "）有新的办理进展。\n\n" +
		"请访问以下页面，输入案件编号和查询码查看：\n" + followupURL + "\n\n" +
		"为保护您的信息，本邮件不包含办理情况的具体内容。如果您没有反映过上述问题，请忽略本邮件。" + mailFooter
}

// QueueDeadlineReminders queues the day's deadline digest: for every open
// case due within ReminderWorkingDays working days or overdue at now, its
// assignee hears of it, or — when nobody (active) is assigned — every
// handler whose region contains the case's. Each person gets one mail
// listing their cases, queued at most once per person per day (CST), so
// calling it every hour is safe. On a rest day, and before ReminderFromHour,
// it queues nothing. It returns how many digests it queued.
func (s *Service) QueueDeadlineReminders(ctx context.Context, now time.Time) (int, error) {
	now = store.Truncate(now)
	cal := s.Rules.Calendar()
	if !cal.IsWorkingDay(now) || now.In(store.CST).Hour() < ReminderFromHour {
		return 0, nil
	}
	// Due at the latest at the end of the last of those working days, as
	// casework.DueSoon counts (DueBefore is strict; times are milliseconds).
	f := store.CaseFilter{Statuses: openStatuses, DueBefore: cal.WorkingDaysDeadline(now, ReminderWorkingDays).Add(time.Millisecond),
		Sort: store.SortDue, Limit: store.MaxLimit}
	var due []*store.Case
	for {
		page, total, err := s.Store.ListCases(ctx, f)
		if err != nil {
			return 0, err
		}
		due = append(due, page...)
		f.Offset += len(page)
		if len(page) == 0 || f.Offset >= total {
			break
		}
	}
	due = slices.DeleteFunc(due, func(c *store.Case) bool { return c.Demo || c.DueAt.IsZero() })
	if len(due) == 0 {
		return 0, nil
	}
	users, err := s.Store.ListUsers(ctx, store.UserFilter{})
	if err != nil {
		return 0, err
	}
	byID := map[string]*store.User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	perUser := map[string][]*store.Case{}
	for _, c := range due {
		if u := byID[c.AssigneeID]; u != nil && worksCasesOf(s.Regions, u, c.RegionCode) {
			perUser[u.ID] = append(perUser[u.ID], c)
			continue
		}
		for _, u := range users {
			if worksCasesOf(s.Regions, u, c.RegionCode) {
				perUser[u.ID] = append(perUser[u.ID], c)
			}
		}
	}
	day := now.In(store.CST).Format(time.DateOnly)
	queued := 0
	var firstErr error
	for _, u := range users { // in username order, for a stable outbox
		cases := perUser[u.ID]
		if len(cases) == 0 || u.Email == "" {
			continue
		}
		m := &store.Mail{
			ID: mailID(MailDeadline, u.ID, day), To: u.Email,
			Subject: fmt.Sprintf("【期限提醒】%d件案件即将到期或已逾期（%s）", len(cases), now.In(store.CST).Format("2006年01月02日")),
			Body:    s.digestBody(cases, now), Kind: MailDeadline, RegionCode: u.RegionCode,
		}
		err := s.Store.EnqueueMail(ctx, s.pending(m))
		switch {
		case err == nil:
			queued++
		case store.ErrorCode(err) == store.ECONFLICT: // already queued today
		default:
			s.log().Error("deadline reminder not queued", "user_id", u.ID, "mail_id", m.ID, "error", err)
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	return queued, firstErr
}

// pending sets the outbox fields of a new mail.
func (s *Service) pending(m *store.Mail) *store.Mail {
	m.Status = store.MailPending
	m.CreatedAt = s.now()
	m.NextAttemptAt = m.CreatedAt
	return m
}

// digestBody lists cases with their deadlines and links.
func (s *Service) digestBody(cases []*store.Case, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "您好：\n\n截至%s，以下案件的办理期限将在%d个工作日内届满或已经逾期，请及时办理：\n",
		now.In(store.CST).Format("2006年01月02日 15:04"), ReminderWorkingDays)
	for i, c := range cases {
		state := "届满"
		if casework.Overdue(c.DueAt, now) {
			state = "已逾期"
		}
		fmt.Fprintf(&b, "\n%d. %s %s（%s，%s）\n   %s %s%s\n   %s\n", i+1, c.Number, casework.CategoryLabel(c.Category),
			s.Regions.FullName(c.RegionCode), casework.StatusLabel(c.Status),
			deadlineLabel(c.Status), deadlineDay(c.DueAt), state, s.link("/admin/cases/"+c.ID))
	}
	b.WriteString(mailFooter)
	return b.String()
}

// RequeueMail sends a failed mail again (an administrator's "重新发送"),
// audited. The mail must be one of the actor's region scope: it is looked
// up among the failed mail of that scope, so a mail of another region
// answers exactly as a missing one (ENOTFOUND).
func (s *Service) RequeueMail(ctx context.Context, a Actor, id string) (*store.Mail, error) {
	if err := s.require(a, casework.PermReadOutbox); err != nil {
		return nil, err
	}
	m, err := s.mailInScope(ctx, id, store.MailFailed, a.Scope)
	if store.ErrorCode(err) == store.ENOTFOUND {
		// A second click, or another administrator was quicker.
		if _, perr := s.mailInScope(ctx, id, store.MailPending, a.Scope); perr == nil {
			return nil, store.Conflict(store.MsgAlreadyDone)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := s.Store.RequeueMail(ctx, m.ID, s.now()); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditMailSend, "mail", m.ID, m.RegionCode, "重新发送邮件："+m.Subject); err != nil {
		return nil, err
	}
	return m, nil
}

// mailInScope finds a mail of scope in status by id. The outbox has no
// lookup by id; failed and pending mail is little, and reading it through
// the scoped list keeps the scope part of the query.
func (s *Service) mailInScope(ctx context.Context, id, status string, scope []string) (*store.Mail, error) {
	if len(scope) == 0 || id == "" {
		return nil, store.NotFound(store.MsgNotFound)
	}
	f := store.MailFilter{RegionCodes: scope, Status: status, Limit: store.MaxLimit}
	for {
		page, total, err := s.Store.ListMail(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			if m.ID == id {
				return m, nil
			}
		}
		f.Offset += len(page)
		if len(page) == 0 || f.Offset >= total {
			return nil, store.NotFound(store.MsgNotFound)
		}
	}
}
