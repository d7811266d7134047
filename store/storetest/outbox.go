package storetest

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"fundwatch/store"
)

// testOutbox is the conformance suite of the outbox area (e-mail waiting to
// be sent).
func testOutbox(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("EnqueueMail", func(t *testing.T) { testEnqueueMail(t, open) })
	t.Run("ClaimMail", func(t *testing.T) { testClaimMail(t, open) })
	t.Run("ConcurrentClaims", func(t *testing.T) { testConcurrentClaims(t, open) })
	t.Run("MarkMail", func(t *testing.T) { testMarkMail(t, open) })
	t.Run("RequeueMail", func(t *testing.T) { testRequeueMail(t, open) })
	t.Run("ListMail", func(t *testing.T) { testListMail(t, open) })
}

// newMail returns a mail to a staff address with every field a new mail
// can have set, created at base+created (given in CST with sub-millisecond
// digits).
func newMail(id, region string, created time.Duration) *store.Mail {
	return &store.Mail{
		ID:         id,
		To:         "handler-" + id + "@hrss.jl.gov.cn",
		Subject:    "新案件待受理：" + id,
		Body:       unicodeText,
		Kind:       "case.new",
		CaseID:     "case-" + id,
		RegionCode: region,
		CreatedAt:  callerTime(created),
	}
}

func mustEnqueue(t *testing.T, s store.OutboxStore, m *store.Mail) *store.Mail {
	t.Helper()
	if err := s.EnqueueMail(t.Context(), m); err != nil {
		t.Fatalf("EnqueueMail(%q): %v", m.ID, err)
	}
	return m
}

// mustMail finds one mail through ListMail, the only read of the outbox.
func mustMail(t *testing.T, s store.OutboxStore, id string) *store.Mail {
	t.Helper()
	list, _, err := s.ListMail(t.Context(), store.MailFilter{Limit: store.MaxLimit})
	if err != nil {
		t.Fatalf("ListMail: %v", err)
	}
	for _, m := range list {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("mail %q is not in the outbox (%v)", id, mailIDs(list))
	return nil
}

// storedMail is what a read of m returns right after EnqueueMail.
func storedMail(m *store.Mail) *store.Mail {
	w := *m
	w.CreatedAt = store.Truncate(m.CreatedAt)
	w.Status = store.MailPending
	w.Attempts = 0
	w.NextAttemptAt = w.CreatedAt
	w.LeaseUntil, w.SentAt = time.Time{}, time.Time{}
	w.LastError = ""
	return &w
}

func mailDiff(want, got *store.Mail) string {
	if got == nil {
		return "got a nil mail"
	}
	var d differ
	d.field("ID", want.ID, got.ID)
	d.field("To", want.To, got.To)
	d.field("ReporterCaseID", want.ReporterCaseID, got.ReporterCaseID)
	d.field("Subject", want.Subject, got.Subject)
	d.field("Body", want.Body, got.Body)
	d.field("Kind", want.Kind, got.Kind)
	d.field("CaseID", want.CaseID, got.CaseID)
	d.field("RegionCode", want.RegionCode, got.RegionCode)
	d.field("Status", want.Status, got.Status)
	d.field("Attempts", want.Attempts, got.Attempts)
	d.time("NextAttemptAt", want.NextAttemptAt, got.NextAttemptAt)
	d.time("LeaseUntil", want.LeaseUntil, got.LeaseUntil)
	d.field("LastError", want.LastError, got.LastError)
	d.time("CreatedAt", want.CreatedAt, got.CreatedAt)
	d.time("SentAt", want.SentAt, got.SentAt)
	return d.String()
}

func checkMail(t *testing.T, what string, want, got *store.Mail) {
	t.Helper()
	if diff := mailDiff(want, got); diff != "" {
		t.Errorf("%s differs:\n\t%s", what, diff)
	}
}

func mailIDs(ms []*store.Mail) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		if m == nil {
			ids[i] = "<nil>"
			continue
		}
		ids[i] = m.ID
	}
	return ids
}

func mustClaim(t *testing.T, s store.OutboxStore, now time.Time, lease time.Duration, limit int) []*store.Mail {
	t.Helper()
	ms, err := s.ClaimMail(t.Context(), now, lease, limit)
	if err != nil {
		t.Fatalf("ClaimMail(%s, %s, %d): %v", now, lease, limit, err)
	}
	return ms
}

func testEnqueueMail(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("stores a pending mail due at once, with no attempt and no lease", func(t *testing.T) {
		s := open(t)
		m := newMail("mail-1", "220102", 0)
		// What the caller put in the worker's fields does not count.
		m.Status, m.Attempts, m.LastError = store.MailSent, 3, "old"
		m.LeaseUntil, m.SentAt, m.NextAttemptAt = callerTime(time.Hour), callerTime(time.Hour), callerTime(time.Hour)
		want := storedMail(m)
		mustEnqueue(t, s, m)
		if m.Status != store.MailPending || !m.NextAttemptAt.Equal(want.CreatedAt) {
			t.Errorf("written back Status %q NextAttemptAt %s, want %q %s", m.Status, m.NextAttemptAt, store.MailPending, want.CreatedAt)
		}
		checkMail(t, "stored mail", want, mustMail(t, s, m.ID))
	})

	t.Run("a mail to a case's reporter stores no address", func(t *testing.T) {
		s := open(t)
		m := newMail("mail-reporter", "", 0)
		m.To, m.ReporterCaseID, m.Kind = "", "case-7", "reporter.update"
		mustEnqueue(t, s, m)
		checkMail(t, "stored mail", storedMail(m), mustMail(t, s, m.ID))
	})

	t.Run("requires an ID and exactly one recipient", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			change func(m *store.Mail)
		}{
			{"no ID", func(m *store.Mail) { m.ID = "" }},
			{"no recipient", func(m *store.Mail) { m.To, m.ReporterCaseID = "", "" }},
			{"two recipients", func(m *store.Mail) { m.ReporterCaseID = "case-7" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := open(t)
				m := newMail("mail-bad", "220102", 0)
				tc.change(m)
				wantCodeAndMessage(t, "EnqueueMail", s.EnqueueMail(t.Context(), m), store.EINVALID, store.MsgIncomplete)
				if _, total, err := s.ListMail(t.Context(), store.MailFilter{}); err != nil || total != 0 {
					t.Errorf("ListMail: total %d, %v; want 0 mails", total, err)
				}
			})
		}
	})

	t.Run("a used ID is ECONFLICT and keeps the first mail", func(t *testing.T) {
		s := open(t)
		first := mustEnqueue(t, s, newMail("mail-1", "220102", 0))
		second := newMail("mail-1", "220200", time.Minute)
		second.Subject = "第二封"
		wantCodeAndMessage(t, "second EnqueueMail", s.EnqueueMail(t.Context(), second), store.ECONFLICT, store.MsgConflict)
		checkMail(t, "stored mail", storedMail(first), mustMail(t, s, "mail-1"))
	})
}

func testClaimMail(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("leases due mails oldest first, up to the limit", func(t *testing.T) {
		s := open(t)
		// Enqueued out of order; mail-c is not due until an hour later.
		c := mustEnqueue(t, s, newMail("mail-c", "220102", time.Hour))
		mustEnqueue(t, s, newMail("mail-b", "220102", 2*time.Minute))
		a := mustEnqueue(t, s, newMail("mail-a", "220102", time.Minute))
		now, lease := callerTime(10*time.Minute), 5*time.Minute
		until := store.Truncate(now.Add(lease))

		if got := mustClaim(t, s, now, lease, 0); len(got) != 0 {
			t.Errorf("limit 0 claimed %v, want nothing", mailIDs(got))
		}
		got := mustClaim(t, s, now, lease, 1)
		if ids := mailIDs(got); !slices.Equal(ids, []string{"mail-a"}) {
			t.Fatalf("limit 1 claimed %v, want [mail-a]", ids)
		}
		want := storedMail(a)
		want.LeaseUntil = until
		checkMail(t, "claimed mail", want, got[0])
		checkMail(t, "stored claimed mail", want, mustMail(t, s, "mail-a"))

		if ids := mailIDs(mustClaim(t, s, now, lease, 10)); !slices.Equal(ids, []string{"mail-b"}) {
			t.Errorf("second claim got %v, want [mail-b]: mail-a is leased, mail-c not due", ids)
		}
		if ids := mailIDs(mustClaim(t, s, now.Add(lease-time.Millisecond), lease, 10)); len(ids) != 0 {
			t.Errorf("claim before the leases run out got %v, want nothing", ids)
		}
		// At now+lease the leases have run out. This time they are taken
		// for two hours, past the time mail-c falls due (its creation, an
		// hour after base).
		if ids := mailIDs(mustClaim(t, s, until, 2*time.Hour, 10)); !slices.Equal(ids, []string{"mail-a", "mail-b"}) {
			t.Errorf("claim when the leases ran out got %v, want [mail-a mail-b]", ids)
		}
		if ids := mailIDs(mustClaim(t, s, c.CreatedAt, lease, 10)); !slices.Equal(ids, []string{"mail-c"}) {
			t.Errorf("claim when mail-c fell due got %v, want [mail-c]", ids)
		}
	})

	t.Run("sent and failed mails are never claimed", func(t *testing.T) {
		s := open(t)
		for _, id := range []string{"mail-sent", "mail-failed", "mail-pending"} {
			mustEnqueue(t, s, newMail(id, "220102", 0))
		}
		if err := s.MarkMailSent(t.Context(), "mail-sent", at(time.Minute)); err != nil {
			t.Fatalf("MarkMailSent: %v", err)
		}
		if err := s.MarkMailFailed(t.Context(), "mail-failed", "550 no such user", time.Time{}, true); err != nil {
			t.Fatalf("MarkMailFailed: %v", err)
		}
		if ids := mailIDs(mustClaim(t, s, at(24*time.Hour), time.Minute, 10)); !slices.Equal(ids, []string{"mail-pending"}) {
			t.Errorf("claimed %v, want only [mail-pending]", ids)
		}
	})
}

func testConcurrentClaims(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	const mails, workers = 30, 5
	for i := range mails {
		mustEnqueue(t, s, newMail(fmt.Sprintf("mail-%02d", i), "220102", time.Duration(i)*time.Millisecond))
	}
	now := at(time.Minute)
	claimed := make([][]string, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			// Every round that claims something takes at least one of the
			// mails for good, so a correct store needs at most `mails`
			// rounds; the bound keeps a store that ignores leases from
			// handing out the same mails for ever.
			for range mails {
				ms, err := s.ClaimMail(t.Context(), now, time.Hour, 3)
				if err != nil {
					errs[w] = err
					return
				}
				if len(ms) == 0 {
					return
				}
				claimed[w] = append(claimed[w], mailIDs(ms)...)
			}
		})
	}
	wg.Wait()
	holder := map[string]int{}
	for w := range workers {
		if errs[w] != nil {
			t.Errorf("worker %d: ClaimMail: %v", w, errs[w])
		}
		for _, id := range claimed[w] {
			if other, ok := holder[id]; ok {
				t.Errorf("mail %s was handed to workers %d and %d", id, other, w)
			}
			holder[id] = w
		}
	}
	if len(holder) != mails {
		t.Errorf("%d mails claimed, want all %d", len(holder), mails)
	}
}

func testMarkMail(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("MarkMailSent records the time, counts the attempt and releases the lease", func(t *testing.T) {
		s := open(t)
		m := mustEnqueue(t, s, newMail("mail-1", "220102", 0))
		mustClaim(t, s, at(time.Minute), time.Hour, 1)
		sentAt := callerTime(2 * time.Minute)
		if err := s.MarkMailSent(t.Context(), m.ID, sentAt); err != nil {
			t.Fatalf("MarkMailSent: %v", err)
		}
		want := storedMail(m)
		want.Status, want.SentAt, want.Attempts = store.MailSent, store.Truncate(sentAt), 1
		checkMail(t, "sent mail", want, mustMail(t, s, m.ID))

		wantCodeAndMessage(t, "second MarkMailSent", s.MarkMailSent(t.Context(), m.ID, callerTime(3*time.Minute)), store.ECONFLICT, store.MsgAlreadyDone)
		wantCodeAndMessage(t, "MarkMailFailed of a sent mail", s.MarkMailFailed(t.Context(), m.ID, "late", at(time.Hour), false), store.ECONFLICT, store.MsgAlreadyDone)
		checkMail(t, "mail after the refused marks", want, mustMail(t, s, m.ID))
	})

	t.Run("a failed attempt backs off, a final one gives up", func(t *testing.T) {
		s := open(t)
		m := mustEnqueue(t, s, newMail("mail-1", "220102", 0))
		now := at(time.Minute)
		mustClaim(t, s, now, time.Hour, 1)
		next := callerTime(11 * time.Minute)
		if err := s.MarkMailFailed(t.Context(), m.ID, "421 服务暂时不可用", next, false); err != nil {
			t.Fatalf("MarkMailFailed: %v", err)
		}
		want := storedMail(m)
		want.Attempts, want.LastError, want.NextAttemptAt = 1, "421 服务暂时不可用", store.Truncate(next)
		checkMail(t, "mail after a failed attempt", want, mustMail(t, s, m.ID))

		// The lease is released, but the mail waits for its next attempt.
		if ids := mailIDs(mustClaim(t, s, at(5*time.Minute), time.Hour, 1)); len(ids) != 0 {
			t.Errorf("claim before the next attempt got %v, want nothing", ids)
		}
		if ids := mailIDs(mustClaim(t, s, store.Truncate(next), time.Hour, 1)); !slices.Equal(ids, []string{m.ID}) {
			t.Fatalf("claim at the next attempt got %v, want [%s]", ids, m.ID)
		}
		if err := s.MarkMailFailed(t.Context(), m.ID, "550 mailbox unavailable", at(time.Hour), true); err != nil {
			t.Fatalf("final MarkMailFailed: %v", err)
		}
		want.Status, want.Attempts, want.LastError = store.MailFailed, 2, "550 mailbox unavailable"
		checkMail(t, "mail after the final attempt", want, mustMail(t, s, m.ID))
		if ids := mailIDs(mustClaim(t, s, at(48*time.Hour), time.Hour, 1)); len(ids) != 0 {
			t.Errorf("a failed mail was claimed: %v", ids)
		}

		wantCodeAndMessage(t, "MarkMailFailed of a failed mail", s.MarkMailFailed(t.Context(), m.ID, "again", at(time.Hour), true), store.ECONFLICT, store.MsgAlreadyDone)
		wantCodeAndMessage(t, "MarkMailSent of a failed mail", s.MarkMailSent(t.Context(), m.ID, at(time.Hour)), store.ECONFLICT, store.MsgAlreadyDone)
		checkMail(t, "mail after the refused marks", want, mustMail(t, s, m.ID))
	})

	t.Run("a missing mail is not found", func(t *testing.T) {
		s := open(t)
		wantCodeAndMessage(t, "MarkMailSent", s.MarkMailSent(t.Context(), "mail-missing", at(0)), store.ENOTFOUND, store.MsgNotFound)
		wantCodeAndMessage(t, "MarkMailFailed", s.MarkMailFailed(t.Context(), "mail-missing", "x", at(0), false), store.ENOTFOUND, store.MsgNotFound)
	})
}

func testRequeueMail(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("makes a failed mail pending again at the given time", func(t *testing.T) {
		s := open(t)
		m := mustEnqueue(t, s, newMail("mail-1", "220102", 0))
		if err := s.MarkMailFailed(t.Context(), m.ID, "550 mailbox unavailable", time.Time{}, true); err != nil {
			t.Fatalf("MarkMailFailed: %v", err)
		}
		again := callerTime(3 * time.Hour)
		if err := s.RequeueMail(t.Context(), m.ID, again); err != nil {
			t.Fatalf("RequeueMail: %v", err)
		}
		want := storedMail(m)
		want.Attempts, want.LastError, want.NextAttemptAt = 1, "550 mailbox unavailable", store.Truncate(again)
		checkMail(t, "requeued mail", want, mustMail(t, s, m.ID))
		if ids := mailIDs(mustClaim(t, s, at(2*time.Hour), time.Minute, 1)); len(ids) != 0 {
			t.Errorf("claimed %v before the requeued time", ids)
		}
		if ids := mailIDs(mustClaim(t, s, store.Truncate(again), time.Minute, 1)); !slices.Equal(ids, []string{m.ID}) {
			t.Errorf("claim at the requeued time got %v, want [%s]", ids, m.ID)
		}
	})

	t.Run("only a failed mail can be requeued", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, newMail("mail-pending", "220102", 0))
		mustEnqueue(t, s, newMail("mail-sent", "220102", 0))
		if err := s.MarkMailSent(t.Context(), "mail-sent", at(time.Minute)); err != nil {
			t.Fatalf("MarkMailSent: %v", err)
		}
		for _, id := range []string{"mail-pending", "mail-sent"} {
			before := mustMail(t, s, id)
			wantCodeAndMessage(t, "RequeueMail("+id+")", s.RequeueMail(t.Context(), id, at(time.Hour)), store.ECONFLICT, store.MsgAlreadyDone)
			checkMail(t, id+" after the refused requeue", before, mustMail(t, s, id))
		}
		wantCodeAndMessage(t, "RequeueMail of a missing mail", s.RequeueMail(t.Context(), "mail-missing", at(time.Hour)), store.ENOTFOUND, store.MsgNotFound)
	})
}

func testListMail(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	fixtures := []struct {
		id, region string
		created    time.Duration
		status     string
	}{
		{"mail-a", "220102", 0, store.MailPending},
		{"mail-b", "220202", time.Minute, store.MailSent},
		{"mail-c", "", 2 * time.Minute, store.MailFailed},
		{"mail-d", "220102", 3 * time.Minute, store.MailSent},
		{"mail-e", "220302", 4 * time.Minute, store.MailPending},
		{"mail-f", "", 4 * time.Minute, store.MailPending},
	}
	for _, f := range fixtures {
		mustEnqueue(t, s, newMail(f.id, f.region, f.created))
		switch f.status {
		case store.MailSent:
			if err := s.MarkMailSent(t.Context(), f.id, at(time.Hour)); err != nil {
				t.Fatalf("MarkMailSent(%q): %v", f.id, err)
			}
		case store.MailFailed:
			if err := s.MarkMailFailed(t.Context(), f.id, "550", time.Time{}, true); err != nil {
				t.Fatalf("MarkMailFailed(%q): %v", f.id, err)
			}
		}
	}
	for _, tc := range []struct {
		name      string
		filter    store.MailFilter
		wantIDs   []string
		wantTotal int
	}{
		// mail-e and mail-f share a creation time: the higher ID first.
		{"everything, newest first", store.MailFilter{},
			[]string{"mail-f", "mail-e", "mail-d", "mail-c", "mail-b", "mail-a"}, 6},
		{"a region and the mails with no region", store.MailFilter{RegionCodes: []string{"220102"}},
			[]string{"mail-f", "mail-d", "mail-c", "mail-a"}, 4},
		{"two regions", store.MailFilter{RegionCodes: []string{"220202", "220302"}},
			[]string{"mail-f", "mail-e", "mail-c", "mail-b"}, 4},
		{"a region without mails still sees the unregioned", store.MailFilter{RegionCodes: []string{"222400"}},
			[]string{"mail-f", "mail-c"}, 2},
		{"pending", store.MailFilter{Status: store.MailPending}, []string{"mail-f", "mail-e", "mail-a"}, 3},
		{"sent in a region", store.MailFilter{Status: store.MailSent, RegionCodes: []string{"220102"}}, []string{"mail-d"}, 1},
		{"failed", store.MailFilter{Status: store.MailFailed}, []string{"mail-c"}, 1},
		{"a page", store.MailFilter{Limit: 2, Offset: 2}, []string{"mail-d", "mail-c"}, 6},
		{"a page past the end", store.MailFilter{Limit: 2, Offset: 6}, []string{}, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := s.ListMail(t.Context(), tc.filter)
			if err != nil {
				t.Fatalf("ListMail: %v", err)
			}
			if ids := mailIDs(got); !slices.Equal(ids, tc.wantIDs) || total != tc.wantTotal {
				t.Errorf("got %v (total %d), want %v (total %d)", ids, total, tc.wantIDs, tc.wantTotal)
			}
		})
	}
	for _, tc := range []struct {
		name    string
		regions []string
		want    map[string]int
	}{
		{"all mails", nil, map[string]int{store.MailPending: 3, store.MailSent: 2, store.MailFailed: 1}},
		{"a region and the unregioned", []string{"220102"}, map[string]int{store.MailPending: 2, store.MailSent: 1, store.MailFailed: 1}},
		{"a region with only pending mail", []string{"220302"}, map[string]int{store.MailPending: 2, store.MailFailed: 1}},
		{"a region without mails", []string{"222400"}, map[string]int{store.MailPending: 1, store.MailFailed: 1}},
	} {
		t.Run("CountMail: "+tc.name, func(t *testing.T) {
			got, err := s.CountMail(t.Context(), tc.regions)
			if err != nil {
				t.Fatalf("CountMail: %v", err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
