package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"fundwatch/store"
)

func testTransitionCase(t *testing.T, open func(t *testing.T) store.CaseStore) {
	t.Run("changes the status, appends the event and bumps version", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-accept", at(0)))
		tr := store.CaseTransition{
			CaseID:     c.ID,
			EventID:    "ev-accept",
			FromStatus: store.StatusReceived,
			ToStatus:   store.StatusAccepted,
			Note:       "已受理，由长春市医疗保障局办理 ✔",
			Actor:      "user-17",
			At:         at(26 * time.Hour),
		}
		got, err := s.TransitionCase(t.Context(), tr)
		if err != nil {
			t.Fatalf("TransitionCase: %v", err)
		}
		want := stored(c)
		want.Status = store.StatusAccepted
		want.Version = 2
		want.UpdatedAt = tr.At
		checkCase(t, "returned case", want, got)
		checkCase(t, "CaseByID", want, mustGet(t, s, c.ID))

		first := firstEvent(c)
		first.CaseID = c.ID
		checkEvents(t, "CaseEvents", []store.Event{first, eventOf(tr)}, mustEvents(t, s, c.ID))
	})

	t.Run("sets the result on concluding and keeps it on closing", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-conclude", at(0)))
		steps := []struct {
			to, result, wantResult string
		}{
			{store.StatusAccepted, "", ""},
			{store.StatusInvestigating, "", ""},
			{store.StatusConcluded, store.ResultPartly, store.ResultPartly},
			{store.StatusClosed, "", store.ResultPartly},
		}
		first := firstEvent(c)
		first.CaseID = c.ID
		events := []store.Event{first}
		from := store.StatusReceived
		for i, st := range steps {
			tr := store.CaseTransition{
				CaseID: c.ID, EventID: fmt.Sprintf("ev-%d-%s", i, st.to),
				FromStatus: from, ToStatus: st.to, Result: st.result,
				Note: "第" + fmt.Sprint(i+1) + "步", Actor: "user-3",
				At: at(time.Duration(i+1) * 24 * time.Hour),
			}
			got, err := s.TransitionCase(t.Context(), tr)
			if err != nil {
				t.Fatalf("TransitionCase %s -> %s: %v", from, st.to, err)
			}
			if got.Status != st.to || got.Result != st.wantResult || got.Version != int64(i+2) || !got.UpdatedAt.Equal(tr.At) {
				t.Errorf("after %s -> %s: Status %q Result %q Version %d UpdatedAt %s, want %q %q %d %s",
					from, st.to, got.Status, got.Result, got.Version, got.UpdatedAt, st.to, st.wantResult, i+2, tr.At)
			}
			events = append(events, eventOf(tr))
			from = st.to
		}
		got := mustGet(t, s, c.ID)
		if got.Status != store.StatusClosed || got.Result != store.ResultPartly || got.Version != 5 || got.IndexedVersion != 0 {
			t.Errorf("stored Status %q Result %q Version %d IndexedVersion %d, want closed %q 5 0",
				got.Status, got.Result, got.Version, got.IndexedVersion, store.ResultPartly)
		}
		checkEvents(t, "CaseEvents", events, mustEvents(t, s, c.ID))
	})

	t.Run("orders events by At, then by insertion", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-event-order", at(0)))
		tr := store.CaseTransition{
			CaseID: c.ID, EventID: "ev-same-instant", FromStatus: store.StatusReceived,
			ToStatus: store.StatusRejected, Note: "不属于受理范围", Actor: "user-2", At: c.CreatedAt,
		}
		if _, err := s.TransitionCase(t.Context(), tr); err != nil {
			t.Fatalf("TransitionCase: %v", err)
		}
		first := firstEvent(c)
		first.CaseID = c.ID
		checkEvents(t, "CaseEvents", []store.Event{first, eventOf(tr)}, mustEvents(t, s, c.ID))
	})

	t.Run("a stale FromStatus is a conflict and changes nothing", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-stale", at(0)))
		want := stored(c)
		got, err := s.TransitionCase(t.Context(), store.CaseTransition{
			CaseID: c.ID, EventID: "ev-stale", FromStatus: store.StatusAccepted,
			ToStatus: store.StatusInvestigating, Actor: "user-1", At: at(time.Hour),
		})
		wantCode(t, "TransitionCase from a stale status", err, store.ECONFLICT)
		if got != nil {
			t.Errorf("TransitionCase returned case %q along with the error, want nil", got.ID)
		}
		checkCase(t, "CaseByID after the conflict", want, mustGet(t, s, c.ID))
		if evs := mustEvents(t, s, c.ID); len(evs) != 1 {
			t.Errorf("case has events %v, want only the first", eventIDs(evs))
		}
	})

	t.Run("of concurrent transitions from one status exactly one wins", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-race", at(0)))
		const n = 8
		errs := make([]error, n)
		trs := make([]store.CaseTransition, n)
		var wg sync.WaitGroup
		for i := range n {
			trs[i] = store.CaseTransition{
				CaseID: c.ID, EventID: fmt.Sprintf("ev-race-%d", i), FromStatus: store.StatusReceived,
				ToStatus: store.StatusAccepted, Actor: fmt.Sprintf("user-%d", i), At: at(time.Duration(i+1) * time.Minute),
			}
			wg.Go(func() { _, errs[i] = s.TransitionCase(t.Context(), trs[i]) })
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Errorf("transitions %d and %d both succeeded", winner, i)
				}
				winner = i
				continue
			}
			wantCode(t, fmt.Sprintf("transition %d", i), err, store.ECONFLICT)
		}
		if winner < 0 {
			t.Fatal("no transition succeeded")
		}
		got := mustGet(t, s, c.ID)
		if got.Status != store.StatusAccepted || got.Version != 2 || !got.UpdatedAt.Equal(trs[winner].At) {
			t.Errorf("Status %q Version %d UpdatedAt %s, want accepted 2 %s", got.Status, got.Version, got.UpdatedAt, trs[winner].At)
		}
		evs := mustEvents(t, s, c.ID)
		if len(evs) != 2 || evs[1].ID != trs[winner].EventID {
			t.Errorf("events %v, want the first and %q", eventIDs(evs), trs[winner].EventID)
		}
	})
}

// eventOf is the event a transition should append.
func eventOf(tr store.CaseTransition) store.Event {
	return store.Event{
		ID: tr.EventID, CaseID: tr.CaseID, At: tr.At, FromStatus: tr.FromStatus,
		ToStatus: tr.ToStatus, Result: tr.Result, Note: tr.Note, Actor: tr.Actor,
	}
}
