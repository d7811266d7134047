package mailer

import (
	"context"
	"log/slog"
	"regexp"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
)

// Backoff is how long the worker waits after each failed attempt before
// the next one; after MaxAttempts attempts the mail is given up (failed)
// and listed for administrators, who may send it again.
var Backoff = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 4 * time.Hour}

// MaxAttempts is how many times a mail is tried before it is given up.
const MaxAttempts = 6

// Store is what the worker reads and writes: the outbox, and the case of a
// reporter's mail to find the sealed address.
type Store interface {
	store.OutboxStore
	CaseByID(ctx context.Context, id string) (*store.Case, error)
}

// Sender delivers one message; *SMTP is one.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Worker sends the outbox. Several workers (one per instance) may run on
// one store: ClaimMail leases each mail to one of them.
type Worker struct {
	Store   Store
	Sender  Sender
	Keyring *casework.Keyring
	// Reminders, when set, queues the day's deadline digests (caseflow's
	// QueueDeadlineReminders); Run calls it once an hour.
	Reminders func(ctx context.Context, now time.Time) (int, error)
	Clock     func() time.Time
	Log       *slog.Logger

	// PollEvery is how often Run looks for due mail (15 s when 0).
	PollEvery time.Duration
	// Lease is how long a claimed mail is held (5 min when 0); SendTimeout
	// bounds one whole send (2 min when 0) and must stay below it.
	Lease       time.Duration
	SendTimeout time.Duration
	// ReminderEvery is how often Run queues reminders (1 h when 0).
	ReminderEvery time.Duration
}

// maxPerPass bounds the mail one pass sends, so a long backlog yields to
// the reminder job and to shutdown between passes.
const maxPerPass = 100

func (w *Worker) now() time.Time {
	if w.Clock == nil {
		return store.Now()
	}
	return store.Truncate(w.Clock())
}

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.Default()
	}
	return w.Log
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Run sends due mail every PollEvery and queues the deadline reminders
// every ReminderEvery until ctx ends. It never stops on an error: the store
// or the mail server being down only delays mail.
func (w *Worker) Run(ctx context.Context) {
	tick := time.NewTicker(orDefault(w.PollEvery, 15*time.Second))
	defer tick.Stop()
	var nextReminders time.Time
	for {
		if now := w.now(); w.Reminders != nil && !now.Before(nextReminders) {
			nextReminders = now.Add(orDefault(w.ReminderEvery, time.Hour))
			if n, err := w.Reminders(ctx, now); err != nil {
				w.log().Error("deadline reminders not queued", "error", err)
			} else if n > 0 {
				w.log().Info("deadline reminders queued", "mails", n)
			}
		}
		if _, err := w.SendDue(ctx); err != nil && ctx.Err() == nil {
			w.log().Warn("outbox pass stopped", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// SendDue makes one pass over the outbox: it claims due mail one at a time
// and sends it, until none is due. A mail the server refused for good
// (5xx), or that can have no recipient, is given up at once; any other
// failure schedules the next attempt by Backoff and ends the pass, so a
// server in trouble is not hammered with the whole backlog. It returns how
// many mails were sent; the error is the one that ended the pass.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	lease := orDefault(w.Lease, 5*time.Minute)
	sent := 0
	for range maxPerPass {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		claimed, err := w.Store.ClaimMail(ctx, w.now(), lease, 1)
		if err != nil {
			return sent, err
		}
		if len(claimed) == 0 {
			return sent, nil
		}
		ok, err := w.deliver(ctx, claimed[0])
		if ok {
			sent++
		}
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// deliver sends one claimed mail and records the outcome. ok is true when
// it was sent; err is non-nil when the pass should stop.
func (w *Worker) deliver(ctx context.Context, m *store.Mail) (bool, error) {
	to := m.To
	if m.ReporterCaseID != "" {
		addr, reason, err := w.reporterAddress(ctx, m.ReporterCaseID)
		if err != nil {
			// The store is in trouble: the lease brings the mail back.
			return false, err
		}
		if reason != "" {
			return false, w.giveUp(ctx, m, reason)
		}
		to = addr
	}
	sendCtx, cancel := context.WithTimeout(ctx, orDefault(w.SendTimeout, 2*time.Minute))
	err := w.Sender.Send(sendCtx, Message{ID: m.ID, To: to, Subject: m.Subject, Body: m.Body, Date: w.now()})
	cancel()
	if err == nil {
		// Recorded even when shutting down, or it would be sent again.
		if err := w.Store.MarkMailSent(context.WithoutCancel(ctx), m.ID, w.now()); err != nil {
			w.log().Error("mail sent but not marked: it may be sent again", "mail_id", m.ID, "error", err)
			return true, err
		}
		w.log().Info("mail sent", "mail_id", m.ID, "kind", m.Kind, "case_id", m.CaseID)
		return true, nil
	}
	if ctx.Err() != nil {
		// Shutting down: not an attempt; the lease brings it back.
		return false, ctx.Err()
	}
	reason := Describe(err)
	if m.ReporterCaseID != "" {
		// A server's answer may quote the recipient; the reporter's address
		// never reaches the outbox or the log.
		reason = redact(reason, to)
	}
	if Permanent(err) {
		return false, w.giveUp(ctx, m, reason)
	}
	attempts := m.Attempts + 1
	final := attempts >= MaxAttempts
	next := w.now().Add(Backoff[min(attempts, len(Backoff))-1])
	if err := w.Store.MarkMailFailed(ctx, m.ID, reason, next, final); err != nil {
		return false, err
	}
	w.log().Warn("mail not sent", "mail_id", m.ID, "kind", m.Kind, "attempts", attempts, "final", final, "reason", reason)
	return false, errString(reason)
}

// giveUp marks m failed for good.
func (w *Worker) giveUp(ctx context.Context, m *store.Mail, reason string) error {
	if err := w.Store.MarkMailFailed(ctx, m.ID, reason, time.Time{}, true); err != nil {
		return err
	}
	w.log().Warn("mail given up", "mail_id", m.ID, "kind", m.Kind, "reason", reason)
	return nil
}

// reporterAddress opens the sealed identity of a named reporter's case for
// its e-mail address, at the moment of sending and nowhere else. reason is
// why there is no address to send to (the mail is then given up); err is a
// store failure.
func (w *Worker) reporterAddress(ctx context.Context, caseID string) (addr, reason string, err error) {
	c, err := w.Store.CaseByID(ctx, caseID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return "", "案件不存在，无法发送", nil
	}
	if err != nil {
		return "", "", err
	}
	if c.Anonymous || len(c.ReporterSealed) == 0 {
		return "", "匿名举报，不向举报人发送邮件", nil
	}
	id, err := w.Keyring.OpenIdentity(c.ID, c.ReporterSealed)
	if err != nil {
		w.log().Error("reporter identity does not open", "case_id", c.ID, "error", err)
		return "", "举报人身份信息无法解密，请联系系统管理员", nil
	}
	if id.Email == "" {
		return "", "举报人未留电子邮箱，无法发送", nil
	}
	return id.Email, "", nil
}

// redact removes addr, in any letter case, from s.
func redact(s, addr string) string {
	if addr == "" {
		return s
	}
	return regexp.MustCompile(`(?i)`+regexp.QuoteMeta(addr)).ReplaceAllString(s, "[举报人邮箱]")
}

type errString string

func (e errString) Error() string { return string(e) }
