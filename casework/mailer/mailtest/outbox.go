// Package mailtest helps the tests of the mailer, the service layer and the
// admin site: an in-memory outbox that keeps the store contract, a way to
// put it in front of a real store, and real SMTP servers (emersion/go-smtp)
// on the loopback address that accept, refuse, defer or hang. Test-only:
// nothing but tests imports it.
package mailtest

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fundwatch/store"
	"fundwatch/store/sqlite"
)

// Outbox is an in-memory store.OutboxStore that keeps the contract of
// store/outbox.go, for tests that run before (or besides) a backend's own.
type Outbox struct {
	mu    sync.Mutex
	mails map[string]*store.Mail
	// FailEnqueue, when set, is returned by EnqueueMail (a store in
	// trouble).
	FailEnqueue error
}

// NewOutbox returns an empty outbox.
func NewOutbox() *Outbox { return &Outbox{mails: map[string]*store.Mail{}} }

func clone(m *store.Mail) *store.Mail { c := *m; return &c }

func (o *Outbox) EnqueueMail(ctx context.Context, m *store.Mail) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.FailEnqueue != nil {
		return o.FailEnqueue
	}
	if m.ID == "" || (m.To == "") == (m.ReporterCaseID == "") {
		return store.Incomplete("mailtest", "mail id or its one recipient")
	}
	if _, ok := o.mails[m.ID]; ok {
		return store.Conflict(store.MsgConflict)
	}
	c := clone(m)
	c.Status = store.MailPending
	c.CreatedAt = store.Truncate(m.CreatedAt)
	c.NextAttemptAt = c.CreatedAt
	c.LeaseUntil, c.SentAt, c.Attempts, c.LastError = time.Time{}, time.Time{}, 0, ""
	o.mails[m.ID] = c
	return nil
}

func (o *Outbox) ImportMail(ctx context.Context, m *store.Mail) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case m == nil || m.ID == "" || (m.To == "") == (m.ReporterCaseID == ""):
		return store.Incomplete("mailtest", "mail id or its one recipient")
	case m.Status != store.MailPending && m.Status != store.MailSent && m.Status != store.MailFailed:
		return store.Incomplete("mailtest", "mail status")
	}
	if _, ok := o.mails[m.ID]; ok {
		return store.Conflict(store.MsgConflict)
	}
	c := clone(m)
	c.NextAttemptAt, c.LeaseUntil = store.Truncate(m.NextAttemptAt), store.Truncate(m.LeaseUntil)
	c.CreatedAt, c.SentAt = store.Truncate(m.CreatedAt), store.Truncate(m.SentAt)
	o.mails[m.ID] = c
	return nil
}

func (o *Outbox) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*store.Mail, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now = store.Truncate(now)
	var due []*store.Mail
	for _, m := range o.mails {
		if m.Status == store.MailPending && !m.NextAttemptAt.After(now) && !m.LeaseUntil.After(now) {
			due = append(due, m)
		}
	}
	slices.SortFunc(due, func(a, b *store.Mail) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if limit > 0 && len(due) > limit {
		due = due[:limit]
	}
	out := make([]*store.Mail, len(due))
	for i, m := range due {
		m.LeaseUntil = store.Truncate(now.Add(lease))
		out[i] = clone(m)
	}
	return out, nil
}

func (o *Outbox) MarkMailSent(ctx context.Context, id string, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, ok := o.mails[id]
	if !ok {
		return store.NotFound(store.MsgNotFound)
	}
	m.Status, m.SentAt, m.LeaseUntil = store.MailSent, store.Truncate(at), time.Time{}
	return nil
}

func (o *Outbox) MarkMailFailed(ctx context.Context, id string, lastError string, next time.Time, final bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, ok := o.mails[id]
	if !ok {
		return store.NotFound(store.MsgNotFound)
	}
	m.Attempts++
	m.LastError = lastError
	m.LeaseUntil = time.Time{}
	if final {
		m.Status = store.MailFailed
	} else {
		m.NextAttemptAt = store.Truncate(next)
	}
	return nil
}

func (o *Outbox) RequeueMail(ctx context.Context, id string, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, ok := o.mails[id]
	if !ok {
		return store.NotFound(store.MsgNotFound)
	}
	if m.Status != store.MailFailed {
		return store.Conflict(store.MsgAlreadyDone)
	}
	m.Status, m.NextAttemptAt = store.MailPending, store.Truncate(at)
	return nil
}

// inRegions is the region filter of MailFilter: mail of these regions and
// mail with no region; all mail when regions is empty.
func inRegions(m *store.Mail, regions []string) bool {
	return len(regions) == 0 || m.RegionCode == "" || slices.Contains(regions, m.RegionCode)
}

func (o *Outbox) ListMail(ctx context.Context, f store.MailFilter) ([]*store.Mail, int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var match []*store.Mail
	for _, m := range o.mails {
		if inRegions(m, f.RegionCodes) && (f.Status == "" || m.Status == f.Status) {
			match = append(match, m)
		}
	}
	slices.SortFunc(match, func(a, b *store.Mail) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	total := len(match)
	match = match[min(offset, total):min(offset+limit, total)]
	out := make([]*store.Mail, len(match))
	for i, m := range match {
		out[i] = clone(m)
	}
	return out, total, nil
}

func (o *Outbox) CountMail(ctx context.Context, regionCodes []string) (map[string]int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := map[string]int{}
	for _, m := range o.mails {
		if inRegions(m, regionCodes) {
			out[m.Status]++
		}
	}
	return out, nil
}

// WithOutbox is st with its outbox replaced by ob.
func WithOutbox(st store.Store, ob store.OutboxStore) store.Store { return &withOutbox{st, ob} }

type withOutbox struct {
	store.Store
	ob store.OutboxStore
}

func (w *withOutbox) EnqueueMail(ctx context.Context, m *store.Mail) error {
	return w.ob.EnqueueMail(ctx, m)
}

func (w *withOutbox) ImportMail(ctx context.Context, m *store.Mail) error {
	return w.ob.ImportMail(ctx, m)
}

func (w *withOutbox) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*store.Mail, error) {
	return w.ob.ClaimMail(ctx, now, lease, limit)
}

func (w *withOutbox) MarkMailSent(ctx context.Context, id string, at time.Time) error {
	return w.ob.MarkMailSent(ctx, id, at)
}

func (w *withOutbox) MarkMailFailed(ctx context.Context, id string, lastError string, next time.Time, final bool) error {
	return w.ob.MarkMailFailed(ctx, id, lastError, next, final)
}

func (w *withOutbox) RequeueMail(ctx context.Context, id string, at time.Time) error {
	return w.ob.RequeueMail(ctx, id, at)
}

func (w *withOutbox) ListMail(ctx context.Context, f store.MailFilter) ([]*store.Mail, int, error) {
	return w.ob.ListMail(ctx, f)
}

func (w *withOutbox) CountMail(ctx context.Context, regionCodes []string) (map[string]int, error) {
	return w.ob.CountMail(ctx, regionCodes)
}

// Outboxes are the outboxes a test runs on: the store's own, the one that
// matters. (The in-memory outbox of this package is for tests that need a
// fault a real store cannot be made to have, such as a failing enqueue.)
func Outboxes(open func(t *testing.T) store.Store) []Variant {
	return []Variant{{"store outbox", open}}
}

// Variant is one store a test runs on.
type Variant struct {
	Name string
	Open func(t *testing.T) store.Store
}

// AllMail lists every mail of st, oldest first.
func AllMail(t testing.TB, st store.OutboxStore) []*store.Mail {
	t.Helper()
	var out []*store.Mail
	f := store.MailFilter{Limit: store.MaxLimit}
	for {
		page, total, err := st.ListMail(context.Background(), f)
		if err != nil {
			t.Fatalf("list mail: %v", err)
		}
		out = append(out, page...)
		f.Offset += len(page)
		if len(page) == 0 || f.Offset >= total {
			break
		}
	}
	slices.Reverse(out)
	return out
}

// OpenSQLite opens a fresh SQLite store in a temporary directory, closed
// when the test ends.
func OpenSQLite(t *testing.T) store.Store {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "fundwatch.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
