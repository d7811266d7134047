package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"fundwatch/store"
)

// mustUpdate applies u and fails the test if it cannot.
func mustUpdate(t *testing.T, s store.CaseStore, u store.CaseUpdate) *store.Case {
	t.Helper()
	c, err := s.UpdateCase(t.Context(), u)
	if err != nil {
		t.Fatalf("UpdateCase(%q, event %q): %v", u.CaseID, u.Event.ID, err)
	}
	if c == nil {
		t.Fatalf("UpdateCase(%q) returned a nil case and a nil error", u.CaseID)
	}
	return c
}

// statusUpdate moves c (as read) from its status to to, based on the view
// c gives, changing nothing else.
func statusUpdate(c *store.Case, eventID, to string, at time.Time) store.CaseUpdate {
	return store.CaseUpdate{
		CaseID:        c.ID,
		ExpectStatus:  c.Status,
		ExpectVersion: c.Version,
		Event: store.Event{
			ID: eventID, At: at, Action: store.ActionStatus, FromStatus: c.Status, ToStatus: to,
			Note: "状态变更", Actor: "user-1",
		},
	}
}

// withEvent is the event u should append, as CaseEvents returns it.
func withEvent(u store.CaseUpdate) store.Event {
	e := u.Event
	e.CaseID = u.CaseID
	return e
}

// applied is what a read of before should give after u went through.
func applied(before *store.Case, u store.CaseUpdate) *store.Case {
	w := *before
	w.Status = u.Event.ToStatus
	w.UpdatedAt = store.Truncate(u.Event.At)
	w.Version = before.Version + 1
	set := u.Set
	if set.RegionCode != nil {
		w.RegionCode = *set.RegionCode
	}
	if set.Channel != nil {
		w.Channel = *set.Channel
	}
	if set.AssigneeID != nil {
		w.AssigneeID = *set.AssigneeID
	}
	if set.DueAt != nil {
		w.DueAt = truncateOrZero(*set.DueAt)
	}
	if set.Result != nil {
		w.Result = *set.Result
	}
	if set.ImportantClass != nil {
		w.ImportantClass = classOrNone(*set.ImportantClass)
	}
	if set.National != nil {
		w.National = *set.National
	}
	if set.SeriousImpact != nil {
		w.SeriousImpact = *set.SeriousImpact
	}
	if set.DiscoveredOn != nil {
		w.DiscoveredOn = *set.DiscoveredOn
	}
	if set.InvestigationMode != nil {
		w.InvestigationMode = *set.InvestigationMode
	}
	if set.ExtensionDays != nil {
		w.ExtensionDays = *set.ExtensionDays
	}
	if set.Conclusion != nil {
		w.Conclusion = *set.Conclusion
	}
	return &w
}

func ptr[T any](v T) *T { return &v }

func testUpdateCase(t *testing.T, open func(t *testing.T) store.CaseStore) {
	t.Run("sets every field of CaseChanges, moves the status and appends the event", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-update-all", at(0)))
		before := mustGet(t, s, c.ID)
		u := store.CaseUpdate{
			CaseID:        c.ID,
			ExpectStatus:  store.StatusReceived,
			ExpectVersion: 1,
			Event: store.Event{
				ID: "ev-update-all", At: at(49 * time.Hour), Action: store.ActionStatus,
				FromStatus: store.StatusReceived, ToStatus: store.StatusConcluded, Result: store.ResultSubstantiated,
				Note: "调查属实 " + unicodeText, Actor: "user-9",
			},
			Set: store.CaseChanges{
				RegionCode:        ptr("220201"),
				Channel:           ptr(store.ChannelFundSupervision),
				AssigneeID:        ptr("user-assignee-2"),
				DueAt:             ptr(time.Date(2026, 5, 20, 23, 59, 59, 999_999_999, store.CST)),
				Result:            ptr(store.ResultSubstantiated),
				ImportantClass:    ptr(store.ClassMajor),
				National:          ptr(false),
				SeriousImpact:     ptr(false),
				DiscoveredOn:      ptr("2026-03-15"),
				InvestigationMode: ptr(store.ModeOnSite),
				ExtensionDays:     ptr(15),
				Conclusion: &store.Conclusion{
					AmountInvolvedFen: 50_000_000, AmountRecoveredFen: 49_999_999,
					Measures: "移送司法机关", RectifyBy: "2026-09-30",
				},
			},
		}
		got := mustUpdate(t, s, u)
		want := applied(before, u)
		if want.DueAt.Location() != time.UTC || want.DueAt.Nanosecond() != 999_000_000 {
			t.Fatalf("fixture: DueAt %s is not in the stored form", want.DueAt)
		}
		checkCase(t, "returned case", want, got)
		checkCase(t, "CaseByID", want, mustGet(t, s, c.ID))
		first := firstEvent(c)
		first.CaseID = c.ID
		checkEvents(t, "CaseEvents", []store.Event{first, withEvent(u)}, mustEvents(t, s, c.ID))
	})

	t.Run("sets each field alone and leaves the others as they are", func(t *testing.T) {
		changes := []struct {
			name string
			set  store.CaseChanges
		}{
			{"nothing", store.CaseChanges{}},
			{"RegionCode", store.CaseChanges{RegionCode: ptr("222401")}},
			{"Channel", store.CaseChanges{Channel: ptr(store.ChannelLabourInspection)}},
			{"AssigneeID", store.CaseChanges{AssigneeID: ptr("user-other")}},
			{"AssigneeID cleared", store.CaseChanges{AssigneeID: ptr("")}},
			{"DueAt", store.CaseChanges{DueAt: ptr(at(99*time.Hour + 7*time.Millisecond))}},
			{"DueAt cleared by the zero time", store.CaseChanges{DueAt: ptr(time.Time{})}},
			{"Result", store.CaseChanges{Result: ptr(store.ResultNotSubstantiated)}},
			{"ImportantClass", store.CaseChanges{ImportantClass: ptr(store.ClassMajor)}},
			{"ImportantClass none", store.CaseChanges{ImportantClass: ptr(store.ClassNone)}},
			{"ImportantClass empty is kept as none", store.CaseChanges{ImportantClass: ptr("")}},
			{"National", store.CaseChanges{National: ptr(false)}},
			{"SeriousImpact", store.CaseChanges{SeriousImpact: ptr(false)}},
			{"DiscoveredOn", store.CaseChanges{DiscoveredOn: ptr("2026-01-02")}},
			{"DiscoveredOn cleared", store.CaseChanges{DiscoveredOn: ptr("")}},
			{"InvestigationMode", store.CaseChanges{InvestigationMode: ptr(store.ModeOnSite)}},
			{"ExtensionDays", store.CaseChanges{ExtensionDays: ptr(0)}},
			{"Conclusion", store.CaseChanges{Conclusion: &store.Conclusion{Measures: "责令限期整改"}}},
			{"Conclusion cleared", store.CaseChanges{Conclusion: &store.Conclusion{}}},
		}
		s := open(t)
		for i, ch := range changes {
			t.Run(ch.name, func(t *testing.T) {
				c := mustCreate(t, s, newCase(fmt.Sprintf("case-set-%02d", i), at(time.Duration(i)*time.Minute)))
				before := mustGet(t, s, c.ID)
				u := store.CaseUpdate{
					CaseID: c.ID, ExpectStatus: store.StatusReceived, ExpectVersion: before.Version,
					Event: store.Event{
						ID: "ev-set-" + c.ID, At: at(time.Duration(i)*time.Minute + time.Hour), Action: store.ActionClassify,
						FromStatus: store.StatusReceived, ToStatus: store.StatusReceived, Note: ch.name,
						Actor: "user-2", Internal: true,
					},
					Set: ch.set,
				}
				want := applied(before, u)
				checkCase(t, "returned case", want, mustUpdate(t, s, u))
				checkCase(t, "CaseByID", want, mustGet(t, s, c.ID))
			})
		}
	})

	t.Run("keeps the event's action and internal flag; an empty action reads back as status", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-actions", at(0)))
		first := firstEvent(c)
		first.CaseID = c.ID
		want := []store.Event{first}
		steps := []store.Event{
			{ID: "ev-a1", Action: "", FromStatus: store.StatusReceived, ToStatus: store.StatusAccepted, Note: "已受理"},
			{ID: "ev-a2", Action: store.ActionAssign, FromStatus: store.StatusAccepted, ToStatus: store.StatusAccepted,
				Note: "分配给承办人", Internal: true},
			{ID: "ev-a3", Action: store.ActionStatus, FromStatus: store.StatusAccepted, ToStatus: store.StatusInvestigating,
				Note: "开始调查"},
			{ID: "ev-a4", Action: store.ActionOnSite, FromStatus: store.StatusInvestigating,
				ToStatus: store.StatusInvestigating, Note: "转现场监督", Internal: true},
			{ID: "ev-a5", Action: store.ActionExtend, FromStatus: store.StatusInvestigating,
				ToStatus: store.StatusInvestigating, Note: "延长30日", Internal: true},
			{ID: "ev-a6", Action: store.ActionClassify, FromStatus: store.StatusInvestigating,
				ToStatus: store.StatusInvestigating, Note: "定为要情", Internal: true},
		}
		for i, ev := range steps {
			cur := mustGet(t, s, c.ID)
			ev.At = at(time.Duration(i+1) * time.Hour)
			ev.Actor = "user-4"
			u := store.CaseUpdate{CaseID: c.ID, ExpectStatus: ev.FromStatus, ExpectVersion: cur.Version, Event: ev}
			mustUpdate(t, s, u)
			want = append(want, withEvent(u))
		}
		got := mustEvents(t, s, c.ID)
		checkEvents(t, "CaseEvents", want, got)
		if len(got) > 1 && got[1].Action != store.ActionStatus {
			t.Errorf("event with an empty action read back with Action %q, want %q", got[1].Action, store.ActionStatus)
		}
	})

	t.Run("UpdatedAt is the event's time, Version one more, IndexedVersion untouched", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-update-version", at(0)))
		for i := range 3 {
			cur := mustGet(t, s, c.ID)
			evAt := time.Date(2026, 4, 1, 9, 0, i, 123_456_789, store.CST)
			got := mustUpdate(t, s, store.CaseUpdate{
				CaseID: c.ID, ExpectStatus: cur.Status,
				Event: store.Event{ID: fmt.Sprintf("ev-v%d", i), At: evAt, Action: store.ActionAssign,
					FromStatus: cur.Status, ToStatus: cur.Status, Actor: "user-1", Internal: true},
				Set: store.CaseChanges{AssigneeID: ptr(fmt.Sprintf("user-%d", i))},
			})
			if got.Version != cur.Version+1 || !got.UpdatedAt.Equal(store.Truncate(evAt)) ||
				got.UpdatedAt.Location() != time.UTC || got.IndexedVersion != 0 {
				t.Errorf("update %d: Version %d UpdatedAt %s IndexedVersion %d, want %d %s 0",
					i, got.Version, got.UpdatedAt, got.IndexedVersion, cur.Version+1, store.Truncate(evAt))
			}
		}
	})

	t.Run("ExpectVersion 0 does not check the version", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-no-version", at(0)))
		if err := s.AddMessage(t.Context(), &store.Message{ID: "msg-1", CaseID: c.ID, At: at(time.Hour),
			Author: store.AuthorReporter, Body: "补充"}); err != nil {
			t.Fatalf("AddMessage: %v", err)
		}
		got := mustUpdate(t, s, store.CaseUpdate{
			CaseID: c.ID, ExpectStatus: store.StatusReceived,
			Event: store.Event{ID: "ev-accept", At: at(2 * time.Hour), FromStatus: store.StatusReceived,
				ToStatus: store.StatusAccepted, Actor: "user-1"},
		})
		if got.Status != store.StatusAccepted || got.Version != 3 {
			t.Errorf("Status %q Version %d, want accepted 3", got.Status, got.Version)
		}
	})

	t.Run("a status change alone moves only the status, UpdatedAt and Version", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-accept", at(0)))
		u := store.CaseUpdate{
			CaseID: c.ID, ExpectStatus: store.StatusReceived,
			Event: store.Event{
				ID: "ev-accept", At: at(26 * time.Hour), Action: store.ActionStatus,
				FromStatus: store.StatusReceived, ToStatus: store.StatusAccepted,
				Note: "已受理，由长春市医疗保障局办理 ✔", Actor: "user-17",
			},
		}
		got := mustUpdate(t, s, u)
		want := stored(c)
		want.Status = store.StatusAccepted
		want.Version = 2
		want.UpdatedAt = u.Event.At
		checkCase(t, "returned case", want, got)
		checkCase(t, "CaseByID", want, mustGet(t, s, c.ID))
		first := firstEvent(c)
		first.CaseID = c.ID
		checkEvents(t, "CaseEvents", []store.Event{first, withEvent(u)}, mustEvents(t, s, c.ID))
	})

	t.Run("sets the result on concluding and keeps it on closing", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-conclude", at(0)))
		steps := []struct {
			to, result string
		}{
			{store.StatusAccepted, ""},
			{store.StatusInvestigating, ""},
			{store.StatusConcluded, store.ResultPartly},
			{store.StatusClosed, ""}, // sets no result: the concluded one stays
		}
		first := firstEvent(c)
		first.CaseID = c.ID
		events := []store.Event{first}
		view := mustGet(t, s, c.ID)
		for i, st := range steps {
			u := store.CaseUpdate{
				CaseID: c.ID, ExpectStatus: view.Status, ExpectVersion: view.Version,
				Event: store.Event{
					ID: fmt.Sprintf("ev-%d-%s", i, st.to), At: at(time.Duration(i+1) * 24 * time.Hour),
					Action: store.ActionStatus, FromStatus: view.Status, ToStatus: st.to, Result: st.result,
					Note: "第" + fmt.Sprint(i+1) + "步", Actor: "user-3",
				},
			}
			if st.result != "" {
				u.Set.Result = ptr(st.result)
			}
			want := applied(view, u)
			got := mustUpdate(t, s, u)
			checkCase(t, fmt.Sprintf("case returned by %s -> %s", view.Status, st.to), want, got)
			events = append(events, withEvent(u))
			view = got
		}
		got := mustGet(t, s, c.ID)
		if got.Status != store.StatusClosed || got.Result != store.ResultPartly || got.Version != 5 || got.IndexedVersion != 0 {
			t.Errorf("stored Status %q Result %q Version %d IndexedVersion %d, want closed %q 5 0",
				got.Status, got.Result, got.Version, got.IndexedVersion, store.ResultPartly)
		}
		checkCase(t, "CaseByID", view, got)
		checkEvents(t, "CaseEvents", events, mustEvents(t, s, c.ID))
	})

	t.Run("orders events by At, then by insertion", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-event-order", at(0)))
		u := store.CaseUpdate{
			CaseID: c.ID, ExpectStatus: store.StatusReceived,
			Event: store.Event{
				ID: "ev-same-instant", At: c.CreatedAt, Action: store.ActionStatus, FromStatus: store.StatusReceived,
				ToStatus: store.StatusRejected, Note: "不属于受理范围", Actor: "user-2",
			},
		}
		mustUpdate(t, s, u)
		first := firstEvent(c)
		first.CaseID = c.ID
		checkEvents(t, "CaseEvents", []store.Event{first, withEvent(u)}, mustEvents(t, s, c.ID))
	})

	// conflicts checks that each update of a case fails with ECONFLICT and
	// msg and leaves the case and its timeline as they were.
	conflicts := []struct {
		name string
		msg  string
		// prepare brings the case into the state the update is stale
		// against and returns the update.
		prepare func(t *testing.T, s store.CaseStore, c *store.Case) store.CaseUpdate
	}{
		{"a stale ExpectStatus", store.MsgStale, func(t *testing.T, s store.CaseStore, c *store.Case) store.CaseUpdate {
			view := mustGet(t, s, c.ID)
			mustUpdate(t, s, statusUpdate(view, "ev-other", store.StatusAccepted, at(time.Hour)))
			u := statusUpdate(view, "ev-mine", store.StatusRejected, at(2*time.Hour))
			u.ExpectVersion = 0 // the status alone is stale
			return u
		}},
		{"an ExpectStatus the case has never been in", store.MsgStale, func(t *testing.T, s store.CaseStore, c *store.Case) store.CaseUpdate {
			u := statusUpdate(mustGet(t, s, c.ID), "ev-mine", store.StatusInvestigating, at(time.Hour))
			u.ExpectStatus, u.Event.FromStatus = store.StatusAccepted, store.StatusAccepted
			u.ExpectVersion = 0 // the status alone is stale
			return u
		}},
		{"a stale ExpectVersion with the status unchanged", store.MsgStale, func(t *testing.T, s store.CaseStore, c *store.Case) store.CaseUpdate {
			view := mustGet(t, s, c.ID)
			mustUpdate(t, s, store.CaseUpdate{
				CaseID: c.ID, ExpectStatus: view.Status, ExpectVersion: view.Version,
				Event: store.Event{ID: "ev-other", At: at(time.Hour), Action: store.ActionAssign,
					FromStatus: view.Status, ToStatus: view.Status, Actor: "user-1", Internal: true},
				Set: store.CaseChanges{AssigneeID: ptr("user-first")},
			})
			return store.CaseUpdate{
				CaseID: c.ID, ExpectStatus: view.Status, ExpectVersion: view.Version,
				Event: store.Event{ID: "ev-mine", At: at(2 * time.Hour), Action: store.ActionAssign,
					FromStatus: view.Status, ToStatus: view.Status, Actor: "user-2", Internal: true},
				Set: store.CaseChanges{AssigneeID: ptr("user-second")},
			}
		}},
		{"a version moved on by a message", store.MsgStale, func(t *testing.T, s store.CaseStore, c *store.Case) store.CaseUpdate {
			view := mustGet(t, s, c.ID)
			if err := s.AddMessage(t.Context(), &store.Message{ID: "msg-between", CaseID: c.ID, At: at(time.Hour),
				Author: store.AuthorReporter, Body: "补充材料"}); err != nil {
				t.Fatalf("AddMessage: %v", err)
			}
			return statusUpdate(view, "ev-mine", store.StatusAccepted, at(2*time.Hour))
		}},
		{"an ExpectVersion ahead of the case", store.MsgStale, func(t *testing.T, s store.CaseStore, c *store.Case) store.CaseUpdate {
			u := statusUpdate(mustGet(t, s, c.ID), "ev-mine", store.StatusAccepted, at(time.Hour))
			u.ExpectVersion = 7
			return u
		}},
		{"the first event's ID again", store.MsgAlreadyDone, func(t *testing.T, s store.CaseStore, c *store.Case) store.CaseUpdate {
			return statusUpdate(mustGet(t, s, c.ID), firstEvent(c).ID, store.StatusAccepted, at(time.Hour))
		}},
		{"an event ID the case has, from a fresh view", store.MsgAlreadyDone, func(t *testing.T, s store.CaseStore, c *store.Case) store.CaseUpdate {
			mustUpdate(t, s, statusUpdate(mustGet(t, s, c.ID), "ev-done", store.StatusAccepted, at(time.Hour)))
			return statusUpdate(mustGet(t, s, c.ID), "ev-done", store.StatusInvestigating, at(2*time.Hour))
		}},
		{"a retried update that went through", store.MsgAlreadyDone, func(t *testing.T, s store.CaseStore, c *store.Case) store.CaseUpdate {
			u := statusUpdate(mustGet(t, s, c.ID), "ev-done", store.StatusAccepted, at(time.Hour))
			mustUpdate(t, s, u)
			return u
		}},
	}
	for _, tt := range conflicts {
		t.Run(tt.name+" is ECONFLICT and changes nothing", func(t *testing.T) {
			s := open(t)
			c := mustCreate(t, s, newCase("case-conflict", at(0)))
			u := tt.prepare(t, s, c)
			before := mustGet(t, s, c.ID)
			beforeEvents := mustEvents(t, s, c.ID)
			u.Set.AssigneeID = ptr("user-should-not-be-set")
			u.Set.ImportantClass = ptr(store.ClassMajor)
			got, err := s.UpdateCase(t.Context(), u)
			wantCode(t, "UpdateCase", err, store.ECONFLICT)
			if msg := store.ErrorMessage(err); msg != tt.msg {
				t.Errorf("message %q, want %q", msg, tt.msg)
			}
			if got != nil {
				t.Errorf("UpdateCase returned case %q along with the error, want nil", got.ID)
			}
			checkCase(t, "CaseByID after the conflict", before, mustGet(t, s, c.ID))
			checkEvents(t, "CaseEvents after the conflict", beforeEvents, mustEvents(t, s, c.ID))
		})
	}

	t.Run("of concurrent updates from one view exactly one wins", func(t *testing.T) {
		tests := []struct {
			name string
			// update is the i-th contender's update from view.
			update func(view *store.Case, i int) store.CaseUpdate
		}{
			{"assignments guarded by the version", func(view *store.Case, i int) store.CaseUpdate {
				return store.CaseUpdate{
					CaseID: view.ID, ExpectStatus: view.Status, ExpectVersion: view.Version,
					Event: store.Event{ID: fmt.Sprintf("ev-assign-%d", i), At: at(time.Duration(i+1) * time.Minute),
						Action: store.ActionAssign, FromStatus: view.Status, ToStatus: view.Status,
						Actor: "leader-1", Internal: true},
					Set: store.CaseChanges{AssigneeID: ptr(fmt.Sprintf("user-%d", i))},
				}
			}},
			{"status changes guarded by the status alone", func(view *store.Case, i int) store.CaseUpdate {
				u := statusUpdate(view, fmt.Sprintf("ev-status-%d", i), store.StatusAccepted, at(time.Duration(i+1)*time.Minute))
				u.ExpectVersion = 0
				u.Set.AssigneeID = ptr(fmt.Sprintf("user-%d", i))
				return u
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := open(t)
				c := newCase("case-update-race", at(0))
				unhandled(c)
				mustCreate(t, s, c)
				view := mustGet(t, s, c.ID)
				const n = 8
				us := make([]store.CaseUpdate, n)
				errs := make([]error, n)
				var start, done sync.WaitGroup
				start.Add(1)
				for i := range n {
					us[i] = tt.update(view, i)
					done.Go(func() {
						start.Wait()
						_, errs[i] = s.UpdateCase(t.Context(), us[i])
					})
				}
				start.Done()
				done.Wait()
				winner := -1
				for i, err := range errs {
					if err == nil {
						if winner >= 0 {
							t.Errorf("updates %d and %d both succeeded", winner, i)
						}
						winner = i
						continue
					}
					wantCode(t, fmt.Sprintf("update %d", i), err, store.ECONFLICT)
					if msg := store.ErrorMessage(err); msg != store.MsgStale {
						t.Errorf("update %d: message %q, want %q", i, msg, store.MsgStale)
					}
				}
				if winner < 0 {
					t.Fatal("no update succeeded")
				}
				checkCase(t, "CaseByID", applied(view, us[winner]), mustGet(t, s, c.ID))
				first := firstEvent(c)
				first.CaseID = c.ID
				checkEvents(t, "CaseEvents", []store.Event{first, withEvent(us[winner])}, mustEvents(t, s, c.ID))
			})
		}
	})
}
