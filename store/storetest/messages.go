package storetest

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"fundwatch/store"
)

func testAddMessage(t *testing.T, open func(t *testing.T) store.CaseStore) {
	t.Run("appends messages, bumps version and sets UpdatedAt", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-messages", at(0)))
		msgs := []store.Message{
			{ID: "msg-1", CaseID: c.ID, At: at(time.Hour), Author: store.AuthorReporter, Body: "补充材料：" + unicodeText},
			{ID: "msg-2", CaseID: c.ID, At: at(2 * time.Hour), Author: store.AuthorHandler, Body: "已收到，正在核查。", Actor: "user-9"},
			{ID: "msg-3", CaseID: c.ID, At: at(3 * time.Hour), Author: store.AuthorReporter, Body: ""},
		}
		for i := range msgs {
			m := msgs[i]
			if err := s.AddMessage(t.Context(), &m); err != nil {
				t.Fatalf("AddMessage(%q): %v", m.ID, err)
			}
			got := mustGet(t, s, c.ID)
			if got.Version != int64(i+2) || !got.UpdatedAt.Equal(m.At) || got.Status != c.Status {
				t.Errorf("after message %q: Version %d UpdatedAt %s Status %q, want %d %s %q",
					m.ID, got.Version, got.UpdatedAt, got.Status, i+2, m.At, c.Status)
			}
		}
		checkMessages(t, "CaseMessages", msgs, mustMessages(t, s, c.ID))
		if n := len(mustEvents(t, s, c.ID)); n != 1 {
			t.Errorf("messages changed the timeline: %d events, want 1", n)
		}
		want := stored(c)
		want.Version = 4
		want.UpdatedAt = msgs[2].At
		checkCase(t, "CaseByID", want, mustGet(t, s, c.ID))
	})

	t.Run("a retried message with the same ID is ECONFLICT and stored once", func(t *testing.T) {
		// The web layer derives a message's ID from the form's idempotency
		// token, so a double-click must not post the message twice.
		s := open(t)
		c := mustCreate(t, s, newCase("case-retry", at(0)))
		m := store.Message{ID: "msg-retry", CaseID: c.ID, At: at(time.Hour), Author: store.AuthorReporter, Body: "补充一次"}
		first := m
		if err := s.AddMessage(t.Context(), &first); err != nil {
			t.Fatalf("first AddMessage: %v", err)
		}
		again := m
		again.At = at(2 * time.Hour)
		wantCode(t, "AddMessage with a used ID", s.AddMessage(t.Context(), &again), store.ECONFLICT)
		checkMessages(t, "CaseMessages", []store.Message{m}, mustMessages(t, s, c.ID))
		if got := mustGet(t, s, c.ID); got.Version != 2 {
			t.Errorf("Version = %d after a rejected retry, want 2", got.Version)
		}
	})

	t.Run("a retried message is refused after later messages too", func(t *testing.T) {
		// The first message's ID is no longer the case's last one: a store
		// that compares it with any one message only (FerretDB v1 reads
		// {"messages.id": {"$ne": id}} so) would post the retry.
		s := open(t)
		c := mustCreate(t, s, newCase("case-retry-later", at(0)))
		var want []store.Message
		for i, id := range []string{"msg-1", "msg-2", "msg-3"} {
			m := store.Message{ID: id, CaseID: c.ID, At: at(time.Duration(i+1) * time.Hour), Author: store.AuthorHandler,
				Body: "答复 " + id, Actor: "user-1"}
			stored := m
			if err := s.AddMessage(t.Context(), &stored); err != nil {
				t.Fatalf("AddMessage(%s): %v", id, err)
			}
			want = append(want, m)
		}
		for _, id := range []string{"msg-1", "msg-2"} {
			again := store.Message{ID: id, CaseID: c.ID, At: at(5 * time.Hour), Author: store.AuthorHandler, Body: "重复"}
			wantCode(t, "AddMessage with the used ID "+id, s.AddMessage(t.Context(), &again), store.ECONFLICT)
		}
		checkMessages(t, "CaseMessages", want, mustMessages(t, s, c.ID))
		if got := mustGet(t, s, c.ID); got.Version != 4 {
			t.Errorf("Version = %d after rejected retries, want 4", got.Version)
		}
	})

	t.Run("orders messages by At, then by insertion", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-order", at(0)))
		add := []store.Message{
			{ID: "msg-late", At: at(3 * time.Hour)},
			{ID: "msg-early-a", At: at(1 * time.Hour)},
			{ID: "msg-early-b", At: at(1 * time.Hour)},
			{ID: "msg-middle", At: at(2 * time.Hour)},
			{ID: "msg-early-c", At: at(1 * time.Hour)},
		}
		byID := map[string]store.Message{}
		for _, m := range add {
			m.CaseID, m.Author, m.Body = c.ID, store.AuthorReporter, "内容 "+m.ID
			byID[m.ID] = m
			if err := s.AddMessage(t.Context(), &m); err != nil {
				t.Fatalf("AddMessage(%q): %v", m.ID, err)
			}
		}
		var want []store.Message
		for _, id := range []string{"msg-early-a", "msg-early-b", "msg-early-c", "msg-middle", "msg-late"} {
			want = append(want, byID[id])
		}
		checkMessages(t, "CaseMessages", want, mustMessages(t, s, c.ID))
		if got := mustGet(t, s, c.ID); !got.UpdatedAt.Equal(add[len(add)-1].At) || got.Version != 6 {
			t.Errorf("UpdatedAt %s Version %d, want the last message's At %s and 6", got.UpdatedAt, got.Version, add[len(add)-1].At)
		}
	})

	t.Run("a case without messages has an empty list", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-silent", at(0)))
		ms, err := s.CaseMessages(t.Context(), c.ID)
		if err != nil {
			t.Fatalf("CaseMessages: %v", err)
		}
		if len(ms) != 0 {
			t.Errorf("got messages %v, want none", messageIDs(ms))
		}
	})

	t.Run("messages and events stay with their case", func(t *testing.T) {
		s := open(t)
		a := mustCreate(t, s, newCase("case-a", at(0)))
		b := mustCreate(t, s, newCase("case-b", at(time.Minute)))
		for _, m := range []store.Message{
			{ID: "msg-a", CaseID: a.ID, At: at(time.Hour), Author: store.AuthorReporter, Body: "A"},
			{ID: "msg-b", CaseID: b.ID, At: at(time.Hour), Author: store.AuthorHandler, Body: "B", Actor: "user-4"},
		} {
			if err := s.AddMessage(t.Context(), &m); err != nil {
				t.Fatalf("AddMessage(%q): %v", m.ID, err)
			}
		}
		for _, tc := range []struct {
			c       *store.Case
			message string
		}{{a, "msg-a"}, {b, "msg-b"}} {
			if ms := mustMessages(t, s, tc.c.ID); len(ms) != 1 || ms[0].ID != tc.message || ms[0].CaseID != tc.c.ID {
				t.Errorf("case %q has messages %v, want only %q", tc.c.ID, messageIDs(ms), tc.message)
			}
			if evs := mustEvents(t, s, tc.c.ID); len(evs) != 1 || evs[0].CaseID != tc.c.ID {
				t.Errorf("case %q has events %v, want only its first", tc.c.ID, eventIDs(evs))
			}
		}
	})

	t.Run("concurrent messages are all kept and each bumps version", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-busy", at(0)))
		const n = 16
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				errs[i] = s.AddMessage(t.Context(), &store.Message{
					ID: fmt.Sprintf("msg-%02d", i), CaseID: c.ID, At: at(time.Duration(i+1) * time.Minute),
					Author: store.AuthorHandler, Body: fmt.Sprintf("回复 %d", i), Actor: "user-5",
				})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("AddMessage %d: %v", i, err)
			}
		}
		ms := mustMessages(t, s, c.ID)
		ids := messageIDs(ms)
		if !sort.StringsAreSorted(ids) || len(ids) != n {
			t.Errorf("messages %v, want msg-00 to msg-%02d in order of At", ids, n-1)
		}
		if got := mustGet(t, s, c.ID); got.Version != n+1 {
			t.Errorf("Version %d, want %d", got.Version, n+1)
		}
	})
}
