package storetest

import (
	"testing"
	"time"

	"fundwatch/store"
)

func testImportCase(t *testing.T, open func(t *testing.T) store.CaseStore) {
	// fullCase builds, in a first store, a case with a timeline and messages,
	// the way a live installation holds it.
	fullCase := func(t *testing.T, id string, createdAt time.Time) (*store.Case, []store.Event, []store.Message) {
		t.Helper()
		s := open(t)
		c := mustCreate(t, s, newCase(id, createdAt))
		mustUpdate(t, s, store.CaseUpdate{
			CaseID: c.ID, ExpectStatus: store.StatusReceived, ExpectVersion: c.Version,
			Event: store.Event{ID: "ev-" + id + "-acc", At: createdAt.Add(time.Hour), Action: store.ActionStatus,
				FromStatus: store.StatusReceived, ToStatus: store.StatusAccepted, Note: "已受理", Actor: "user-1"},
		})
		m := &store.Message{ID: "msg-" + id, CaseID: c.ID, At: createdAt.Add(2 * time.Hour), Author: store.AuthorHandler,
			Body: "回复 " + unicodeText, Actor: "user-1"}
		if err := s.AddMessage(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		view := mustGet(t, s, c.ID)
		mustUpdate(t, s, store.CaseUpdate{
			CaseID: c.ID, ExpectStatus: view.Status, ExpectVersion: view.Version,
			Event: store.Event{ID: "ev-" + id + "-classify", At: createdAt.Add(3 * time.Hour), Action: store.ActionClassify,
				FromStatus: view.Status, ToStatus: view.Status, Note: "定为重大要情", Actor: "leader-1", Internal: true},
			Set: store.CaseChanges{ImportantClass: ptr(store.ClassMajor), DiscoveredOn: ptr("2026-03-14"),
				DueAt: ptr(createdAt.Add(72 * time.Hour)), AssigneeID: ptr("user-7")},
		})
		return mustGet(t, s, c.ID), mustEvents(t, s, c.ID), mustMessages(t, s, c.ID)
	}

	t.Run("copies a case with its number, timeline and messages unchanged", func(t *testing.T) {
		c, events, msgs := fullCase(t, "case-import", at(0))
		dst := open(t)
		if err := dst.ImportCase(t.Context(), c, events, msgs); err != nil {
			t.Fatalf("ImportCase: %v", err)
		}
		want := *c
		want.IndexedVersion = 0
		checkCase(t, "CaseByID after import", &want, mustGet(t, dst, c.ID))
		got, err := dst.CaseByNumber(t.Context(), c.Number)
		if err != nil || got.ID != c.ID {
			t.Fatalf("CaseByNumber(%q) = %v, %v", c.Number, got, err)
		}
		checkEvents(t, "CaseEvents after import", events, mustEvents(t, dst, c.ID))
		checkMessages(t, "CaseMessages after import", msgs, mustMessages(t, dst, c.ID))
	})

	t.Run("carries the handling fields and the events' action and internal flag", func(t *testing.T) {
		c := stored(newCase("case-import-handling", at(0)))
		c.Number, c.Year, c.Seq = "2026-000017", 2026, 17
		c.Status, c.Result = store.StatusConcluded, store.ResultPartly
		c.Version = 6
		c.IndexedVersion = 4
		events := []store.Event{
			{ID: "ev-h0", At: at(0), Action: store.ActionStatus, ToStatus: store.StatusReceived, Note: "收到", Actor: "system"},
			{ID: "ev-h1", At: at(time.Hour), Action: "", FromStatus: store.StatusReceived, ToStatus: store.StatusAccepted, Note: "受理"},
			{ID: "ev-h2", At: at(time.Hour), Action: store.ActionAssign, FromStatus: store.StatusAccepted,
				ToStatus: store.StatusAccepted, Note: "分配", Actor: "leader-1", Internal: true},
			{ID: "ev-h3", At: at(2 * time.Hour), Action: store.ActionOnSite, FromStatus: store.StatusAccepted,
				ToStatus: store.StatusAccepted, Note: "现场", Actor: "user-1", Internal: true},
			{ID: "ev-h4", At: at(3 * time.Hour), Action: store.ActionStatus, FromStatus: store.StatusAccepted,
				ToStatus: store.StatusConcluded, Result: store.ResultPartly, Note: "部分属实", Actor: "user-1"},
		}
		dst := open(t)
		if err := dst.ImportCase(t.Context(), c, events, nil); err != nil {
			t.Fatalf("ImportCase: %v", err)
		}
		want := *c
		want.IndexedVersion = 0
		checkCase(t, "CaseByID after import", &want, mustGet(t, dst, c.ID))
		for i := range events {
			events[i].CaseID = c.ID
		}
		checkEvents(t, "CaseEvents after import", events, mustEvents(t, dst, c.ID))

		for _, f := range []store.CaseFilter{
			{InsuranceType: "maternity"}, {AssigneeID: c.AssigneeID}, {ImportantClass: c.ImportantClass},
			{DueBefore: c.DueAt.Add(time.Millisecond)}, {DiscoveredFrom: c.DiscoveredOn, DiscoveredTo: c.DiscoveredOn},
			{Statuses: []string{store.StatusConcluded}, RegionCodes: []string{c.RegionCode}},
		} {
			got, total, err := dst.ListCases(t.Context(), f)
			if err != nil || total != 1 || len(got) != 1 || got[0].ID != c.ID {
				t.Errorf("ListCases(%+v) = %v of %d, %v; want the imported case", f, caseIDs(got), total, err)
			}
		}
	})

	t.Run("an imported case without a class is unclassified", func(t *testing.T) {
		c := stored(newCase("case-import-none", at(0)))
		c.Number, c.Year, c.Seq = "2026-000001", 2026, 1
		unhandled(c)
		dst := open(t)
		if err := dst.ImportCase(t.Context(), c, []store.Event{firstEvent(c)}, nil); err != nil {
			t.Fatalf("ImportCase: %v", err)
		}
		want := *c
		want.ImportantClass = store.ClassNone
		checkCase(t, "CaseByID after import", &want, mustGet(t, dst, c.ID))
		got, _, err := dst.ListCases(t.Context(), store.CaseFilter{ImportantClass: store.ClassNone, Unassigned: true})
		if err != nil || len(got) != 1 {
			t.Errorf("ListCases(none, unassigned) = %v, %v; want the imported case", caseIDs(got), err)
		}
	})

	t.Run("new cases continue numbering after the imported ones", func(t *testing.T) {
		c, events, msgs := fullCase(t, "case-import-seq", at(0))
		c.Seq = 41
		c.Number = store.FormatNumber(c.Year, c.Seq)
		dst := open(t)
		if err := dst.ImportCase(t.Context(), c, events, msgs); err != nil {
			t.Fatalf("ImportCase: %v", err)
		}
		next := mustCreate(t, dst, newCase("case-after-import", at(time.Minute)))
		if next.Seq != 42 || next.Number != store.FormatNumber(c.Year, 42) {
			t.Errorf("next case got %s (seq %d), want seq 42", next.Number, next.Seq)
		}
	})

	t.Run("importing the same case again is ECONFLICT and changes nothing", func(t *testing.T) {
		c, events, msgs := fullCase(t, "case-import-twice", at(0))
		dst := open(t)
		if err := dst.ImportCase(t.Context(), c, events, msgs); err != nil {
			t.Fatalf("ImportCase: %v", err)
		}
		changed := *c
		changed.Description = "被改过的内容"
		wantCode(t, "second ImportCase", dst.ImportCase(t.Context(), &changed, events, msgs), store.ECONFLICT)
		if got := mustGet(t, dst, c.ID); got.Description != c.Description {
			t.Errorf("Description = %q after a refused import, want the first one", got.Description)
		}
		if n := len(mustEvents(t, dst, c.ID)); n != len(events) {
			t.Errorf("%d events after a refused import, want %d", n, len(events))
		}
		if n := countCases(t, dst); n != 1 {
			t.Errorf("%d cases, want 1", n)
		}
	})

	t.Run("a case without number or ID is EINVALID", func(t *testing.T) {
		c, events, msgs := fullCase(t, "case-import-bad", at(0))
		dst := open(t)
		noNumber := *c
		noNumber.Number, noNumber.Seq = "", 0
		wantCode(t, "ImportCase without number", dst.ImportCase(t.Context(), &noNumber, events, msgs), store.EINVALID)
		noID := *c
		noID.ID = ""
		wantCode(t, "ImportCase without ID", dst.ImportCase(t.Context(), &noID, events, msgs), store.EINVALID)
		if n := countCases(t, dst); n != 0 {
			t.Errorf("%d cases after refused imports, want 0", n)
		}
	})
}
