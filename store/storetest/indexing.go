package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"fundwatch/store"
)

// testIndexing is the conformance suite of the search sync loop's
// bookkeeping (store.IndexStore), and of the loaders the loop and the
// search pages read records with (CasesByIDs is in RunCases,
// PublishedByIDs in the publications suite).
//
// Beyond the doc comments, it encodes these readings of the contract:
//
//   - "Pending" is exactly Version > IndexedVersion as the records read
//     back: after every write and every mark, PendingIndex returns exactly
//     those records, least recently updated first, and IndexState counts
//     them (checkPendingAgrees). A backend that keeps a derived flag for
//     the query (store/mongo) is held to the versions here.
//   - Every write that raises a record's Version makes it pending with its
//     IndexedVersion unchanged; a refused write leaves it as it was.
//   - A mark above the record's Version is ignored rather than clamped:
//     the index cannot have seen a version the store never held, so the
//     record stays pending and is indexed again from what the store holds.
//   - The areas are separate: a case and a publication with the same ID
//     are two records.
func testIndexing(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("an unknown area is EINVALID", func(t *testing.T) { testIndexUnknownArea(t, open) })
	t.Run("new records are pending, the least recently updated first", func(t *testing.T) { testIndexNewPending(t, open) })
	t.Run("MarkIndexed", func(t *testing.T) { testMarkIndexed(t, open) })
	t.Run("every write of a case makes it pending again", func(t *testing.T) { testIndexCaseWrites(t, open) })
	t.Run("every write of a publication makes it pending again", func(t *testing.T) { testIndexPublicationWrites(t, open) })
	t.Run("imported records start at IndexedVersion 0", func(t *testing.T) { testIndexImports(t, open) })
	t.Run("IndexState", func(t *testing.T) { testIndexState(t, open) })
	t.Run("ResetIndexed", func(t *testing.T) { testResetIndexed(t, open) })
	t.Run("a sync loop in batches misses nothing", func(t *testing.T) { testIndexSyncLoop(t, open) })
}

func mustPendingIndex(t *testing.T, s store.IndexStore, area string, limit int) []store.IndexMark {
	t.Helper()
	marks, err := s.PendingIndex(t.Context(), area, limit)
	if err != nil {
		t.Fatalf("PendingIndex(%q, %d): %v", area, limit, err)
	}
	return marks
}

func mustMarkIndexed(t *testing.T, s store.IndexStore, area string, marks ...store.IndexMark) {
	t.Helper()
	if err := s.MarkIndexed(t.Context(), area, marks); err != nil {
		t.Fatalf("MarkIndexed(%q, %v): %v", area, marks, err)
	}
}

func mustIndexState(t *testing.T, s store.IndexStore, area string) (pending, indexed int64) {
	t.Helper()
	pending, indexed, err := s.IndexState(t.Context(), area)
	if err != nil {
		t.Fatalf("IndexState(%q): %v", area, err)
	}
	return pending, indexed
}

func checkMarks(t *testing.T, what string, want, got []store.IndexMark) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !slices.Equal(want, got) {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
}

// indexRecord is what the suite reads of a record to tell whether it is
// pending.
type indexRecord struct {
	id                      string
	updatedAt               time.Time
	version, indexedVersion int64
}

// indexRecords reads every record of area (the suite's stores hold fewer
// than store.MaxLimit).
func indexRecords(t *testing.T, s store.Store, area string) []indexRecord {
	t.Helper()
	var out []indexRecord
	switch area {
	case store.IndexCases:
		cs, _, err := s.ListCases(t.Context(), store.CaseFilter{Limit: store.MaxLimit})
		if err != nil {
			t.Fatalf("ListCases: %v", err)
		}
		for _, c := range cs {
			out = append(out, indexRecord{c.ID, c.UpdatedAt, c.Version, c.IndexedVersion})
		}
	case store.IndexPublications:
		ps, _, err := s.ListPublications(t.Context(), store.PublicationFilter{Limit: store.MaxLimit})
		if err != nil {
			t.Fatalf("ListPublications: %v", err)
		}
		for _, p := range ps {
			out = append(out, indexRecord{p.ID, p.UpdatedAt, p.Version, p.IndexedVersion})
		}
	}
	return out
}

// checkPendingAgrees checks, in both areas, that PendingIndex returns
// exactly the records whose Version is above their IndexedVersion as they
// read back, in the contract's order and with their Version, and that
// IndexState counts what the reads show; and that no record's
// IndexedVersion is above its Version.
func checkPendingAgrees(t *testing.T, s store.Store, what string) {
	t.Helper()
	for _, area := range []string{store.IndexCases, store.IndexPublications} {
		recs := indexRecords(t, s, area)
		slices.SortFunc(recs, func(a, b indexRecord) int {
			return cmp.Or(a.updatedAt.Compare(b.updatedAt), cmp.Compare(a.id, b.id))
		})
		var want []store.IndexMark
		var indexed int64
		for _, r := range recs {
			if r.version > r.indexedVersion {
				want = append(want, store.IndexMark{ID: r.id, Version: r.version})
			}
			if r.indexedVersion > 0 {
				indexed++
			}
			if r.indexedVersion > r.version || r.indexedVersion < 0 {
				t.Errorf("%s: %s %s has IndexedVersion %d, Version %d", what, area, r.id, r.indexedVersion, r.version)
			}
		}
		checkMarks(t, what+": PendingIndex("+area+")", want, mustPendingIndex(t, s, area, 2*store.MaxLimit))
		pending, gotIndexed := mustIndexState(t, s, area)
		if pending != int64(len(want)) || gotIndexed != indexed {
			t.Errorf("%s: IndexState(%s) = %d pending, %d indexed; the records read show %d and %d",
				what, area, pending, gotIndexed, len(want), indexed)
		}
	}
}

func testIndexUnknownArea(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	mustCreate(t, s, newCase("case-1", at(0)))
	for _, area := range []string{"", "case", "Cases", "publication", "audit"} {
		_, err := s.PendingIndex(t.Context(), area, 10)
		wantCodeAndMessage(t, fmt.Sprintf("PendingIndex(%q)", area), err, store.EINVALID, store.MsgIncomplete)
		err = s.MarkIndexed(t.Context(), area, []store.IndexMark{{ID: "case-1", Version: 1}})
		wantCodeAndMessage(t, fmt.Sprintf("MarkIndexed(%q)", area), err, store.EINVALID, store.MsgIncomplete)
		_, _, err = s.IndexState(t.Context(), area)
		wantCodeAndMessage(t, fmt.Sprintf("IndexState(%q)", area), err, store.EINVALID, store.MsgIncomplete)
		err = s.ResetIndexed(t.Context(), area)
		wantCodeAndMessage(t, fmt.Sprintf("ResetIndexed(%q)", area), err, store.EINVALID, store.MsgIncomplete)
	}
	// Even with nothing to do, the area is checked.
	wantCodeAndMessage(t, "MarkIndexed of no marks in an unknown area", s.MarkIndexed(t.Context(), "nope", nil),
		store.EINVALID, store.MsgIncomplete)
	_, err := s.PendingIndex(t.Context(), "nope", 0)
	wantCodeAndMessage(t, "PendingIndex of limit 0 in an unknown area", err, store.EINVALID, store.MsgIncomplete)
	checkPendingAgrees(t, s, "after the refused calls")
}

func testIndexNewPending(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	// Created in one order, updated in another, two at the same instant
	// (the ID breaks the tie).
	for i, c := range []struct {
		id      string
		updated time.Duration
	}{
		{"case-c", 3 * time.Hour},
		{"case-a", time.Hour},
		{"case-b2", 2 * time.Hour},
		{"case-b1", 2 * time.Hour},
	} {
		nc := newCase(c.id, at(time.Duration(i)*time.Minute))
		nc.UpdatedAt = at(c.updated)
		mustCreate(t, s, nc)
	}
	mustCreatePub(t, s, newPublication("pub-z", store.PubNews, "220100", 0, 2*time.Hour), newRevision("新闻 z", 2*time.Hour))
	mustCreatePub(t, s, newPublication("pub-y", store.PubNotice, "220200", 0, time.Hour), newRevision("公告 y", time.Hour))
	// A publication with a case's ID is another record.
	mustCreatePub(t, s, newPublication("case-a", store.PubNews, "220100", 0, 4*time.Hour), newRevision("同名", 4*time.Hour))

	cases := []store.IndexMark{{ID: "case-a", Version: 1}, {ID: "case-b1", Version: 1}, {ID: "case-b2", Version: 1}, {ID: "case-c", Version: 1}}
	for _, limit := range []int{10, 4, 3, 1} {
		checkMarks(t, fmt.Sprintf("PendingIndex(cases, %d)", limit), cases[:min(limit, len(cases))],
			mustPendingIndex(t, s, store.IndexCases, limit))
	}
	for _, limit := range []int{0, -1} {
		if got := mustPendingIndex(t, s, store.IndexCases, limit); len(got) != 0 {
			t.Errorf("PendingIndex(cases, %d) = %v, want none", limit, got)
		}
	}
	checkMarks(t, "PendingIndex(publications)",
		[]store.IndexMark{{ID: "pub-y", Version: 1}, {ID: "pub-z", Version: 1}, {ID: "case-a", Version: 1}},
		mustPendingIndex(t, s, store.IndexPublications, 10))
	if p, i := mustIndexState(t, s, store.IndexCases); p != 4 || i != 0 {
		t.Errorf("IndexState(cases) = %d, %d; want 4 pending, 0 indexed", p, i)
	}
	if p, i := mustIndexState(t, s, store.IndexPublications); p != 3 || i != 0 {
		t.Errorf("IndexState(publications) = %d, %d; want 3 pending, 0 indexed", p, i)
	}
	for _, id := range []string{"case-a", "case-c"} {
		if got := mustGet(t, s, id); got.IndexedVersion != 0 || got.Version != 1 {
			t.Errorf("%s: Version %d IndexedVersion %d, want 1 and 0", id, got.Version, got.IndexedVersion)
		}
	}
	checkPendingAgrees(t, s, "new records")
}

func testMarkIndexed(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	c := mustCreate(t, s, newCase("case-1", at(0)))
	other := mustCreate(t, s, newCase("case-2", at(time.Minute)))
	mustCreatePub(t, s, newPublication("case-1", store.PubNews, "220100", 0, 0), newRevision("同名的公开信息", 0))
	pubBefore := mustPub(t, s, "case-1", "220100")

	// state checks c's IndexedVersion and whether it is pending (with the
	// version it reads back), and that nothing but IndexedVersion changed
	// since want was read.
	state := func(what string, want *store.Case, indexed int64, pending bool) {
		t.Helper()
		got := mustGet(t, s, c.ID)
		w := *want
		w.IndexedVersion = indexed
		checkCase(t, what, &w, got)
		listed := slices.Contains(mustPendingIndex(t, s, store.IndexCases, 10), store.IndexMark{ID: c.ID, Version: got.Version})
		if listed != pending {
			t.Errorf("%s: pending %v, want %v", what, listed, pending)
		}
		checkPendingAgrees(t, s, what)
	}

	view := mustGet(t, s, c.ID)
	mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: c.ID, Version: 1})
	state("marked at its version", view, 1, false)
	checkMarks(t, "PendingIndex after the mark", []store.IndexMark{{ID: other.ID, Version: 1}},
		mustPendingIndex(t, s, store.IndexCases, 10))
	checkPub(t, "the publication with the same ID", pubBefore, mustPub(t, s, "case-1", "220100"))

	mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: c.ID, Version: 1})
	state("marked again at the same version", view, 1, false)

	view = mustUpdate(t, s, store.CaseUpdate{CaseID: c.ID, ExpectStatus: store.StatusReceived,
		Event: store.Event{ID: "ev-accept", At: at(time.Hour), FromStatus: store.StatusReceived, ToStatus: store.StatusAccepted}})
	state("updated", view, 1, true)
	mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: c.ID, Version: 1})
	state("marked at the version before the update", view, 1, true)

	if err := s.AddMessage(t.Context(), &store.Message{ID: "msg-1", CaseID: c.ID, At: at(2 * time.Hour),
		Author: store.AuthorReporter, Body: "补充"}); err != nil {
		t.Fatal(err)
	}
	view = mustGet(t, s, c.ID) // Version 3
	mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: c.ID, Version: 2})
	state("marked at an older version", view, 2, true)
	mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: c.ID, Version: 1})
	state("marked lower than it holds", view, 2, true)
	mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: c.ID, Version: 4})
	state("marked above its version", view, 2, true)
	mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: c.ID, Version: 0}, store.IndexMark{ID: c.ID, Version: -3})
	state("marked at versions 0 and below", view, 2, true)

	mustMarkIndexed(t, s, store.IndexCases,
		store.IndexMark{ID: "case-missing", Version: 1},
		store.IndexMark{ID: "", Version: 3},
		store.IndexMark{ID: c.ID, Version: 3},
		store.IndexMark{ID: other.ID, Version: 1},
		store.IndexMark{ID: other.ID, Version: 1})
	state("marked among missing, empty and repeated IDs", view, 3, false)
	if got := mustGet(t, s, other.ID); got.IndexedVersion != 1 {
		t.Errorf("the other case of the batch: IndexedVersion %d, want 1", got.IndexedVersion)
	}
	if _, err := s.CaseByID(t.Context(), "case-missing"); store.ErrorCode(err) != store.ENOTFOUND {
		t.Errorf("marking a missing ID created something: CaseByID = %v", err)
	}

	for _, marks := range [][]store.IndexMark{nil, {}} {
		if err := s.MarkIndexed(t.Context(), store.IndexCases, marks); err != nil {
			t.Errorf("MarkIndexed(%#v): %v", marks, err)
		}
	}
	state("after marking nothing", view, 3, false)
	checkPub(t, "the publication with the same ID, after every case mark", pubBefore, mustPub(t, s, "case-1", "220100"))

	mustMarkIndexed(t, s, store.IndexPublications, store.IndexMark{ID: "case-1", Version: 1})
	wantPub := *pubBefore
	wantPub.IndexedVersion = 1
	checkPub(t, "the publication marked", &wantPub, mustPub(t, s, "case-1", "220100"))
	checkPendingAgrees(t, s, "the publication marked")
}

func testIndexCaseWrites(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, s store.Store, c *store.Case) error
	}{
		{"UpdateCase moving the status", func(t *testing.T, s store.Store, c *store.Case) error {
			_, err := s.UpdateCase(t.Context(), store.CaseUpdate{CaseID: c.ID, ExpectStatus: c.Status, ExpectVersion: c.Version,
				Event: store.Event{ID: "ev-move", At: at(time.Hour), FromStatus: c.Status, ToStatus: store.StatusAccepted}})
			return err
		}},
		{"UpdateCase keeping the status", func(t *testing.T, s store.Store, c *store.Case) error {
			_, err := s.UpdateCase(t.Context(), store.CaseUpdate{CaseID: c.ID, ExpectStatus: c.Status,
				Event: store.Event{ID: "ev-assign", At: at(time.Hour), Action: store.ActionAssign, FromStatus: c.Status,
					ToStatus: c.Status, Internal: true},
				Set: store.CaseChanges{AssigneeID: ptr("user-9")}})
			return err
		}},
		{"AddMessage", func(t *testing.T, s store.Store, c *store.Case) error {
			return s.AddMessage(t.Context(), &store.Message{ID: "msg-1", CaseID: c.ID, At: at(time.Hour),
				Author: store.AuthorNote, Body: "内部备注", Actor: "user-9"})
		}},
		{"RateCase", func(t *testing.T, s store.Store, c *store.Case) error {
			_, err := s.RateCase(t.Context(), store.CaseRating{CaseID: c.ID, ExpectStatus: c.Status,
				Satisfaction: store.Satisfaction{Rating: store.SatisfactionSatisfied, At: at(time.Hour)}})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			c := mustCreate(t, s, newCase("case-1", at(0)))
			mustCreate(t, s, newCase("case-2", at(time.Minute)))
			mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: c.ID, Version: 1})
			checkPendingAgrees(t, s, "before "+tc.name)
			if err := tc.write(t, s, mustGet(t, s, c.ID)); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got := mustGet(t, s, c.ID)
			if got.Version != 2 || got.IndexedVersion != 1 {
				t.Errorf("after %s: Version %d IndexedVersion %d, want 2 and 1", tc.name, got.Version, got.IndexedVersion)
			}
			if !slices.Contains(mustPendingIndex(t, s, store.IndexCases, 10), store.IndexMark{ID: c.ID, Version: 2}) {
				t.Errorf("after %s the case is not pending at version 2", tc.name)
			}
			checkPendingAgrees(t, s, "after "+tc.name)
			mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: c.ID, Version: 2})
			checkPendingAgrees(t, s, "marked after "+tc.name)
		})
	}

	t.Run("a refused write leaves it indexed", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-1", at(0)))
		mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: c.ID, Version: 1})
		_, err := s.UpdateCase(t.Context(), store.CaseUpdate{CaseID: c.ID, ExpectStatus: store.StatusAccepted,
			Event: store.Event{ID: "ev-stale", At: at(time.Hour), FromStatus: store.StatusAccepted, ToStatus: store.StatusInvestigating}})
		wantCode(t, "UpdateCase from a stale status", err, store.ECONFLICT)
		_, err = s.RateCase(t.Context(), store.CaseRating{CaseID: c.ID, ExpectStatus: store.StatusClosed,
			Satisfaction: store.Satisfaction{Rating: store.SatisfactionSatisfied, At: at(time.Hour)}})
		wantCode(t, "RateCase of a stale status", err, store.ECONFLICT)
		if got := mustGet(t, s, c.ID); got.Version != 1 || got.IndexedVersion != 1 {
			t.Errorf("after refused writes: Version %d IndexedVersion %d, want 1 and 1", got.Version, got.IndexedVersion)
		}
		checkPendingAgrees(t, s, "after refused writes")
	})
}

func testIndexPublicationWrites(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	p := newPublication("pub-1", store.PubFundReport, "220100", 2025, 0)
	p.IndexedVersion = 5 // whatever the caller put there
	mustCreatePub(t, s, p, newRevision("2025年度基金收支", 0))
	if p.IndexedVersion != 0 {
		t.Errorf("CreatePublication wrote back IndexedVersion %d, want 0", p.IndexedVersion)
	}
	checkMarks(t, "PendingIndex after CreatePublication", []store.IndexMark{{ID: p.ID, Version: 1}},
		mustPendingIndex(t, s, store.IndexPublications, 10))
	mustCreatePub(t, s, newPublication("pub-2", store.PubNews, "220100", 0, time.Minute), newRevision("另一条", time.Minute))

	draft := func(number int, d time.Duration) *store.Revision {
		r := newRevision(fmt.Sprintf("第%d版 %s", number, d), d)
		r.Number = number
		return r
	}
	step := func(from, to, by string, d time.Duration) func(p *store.Publication) (*store.Publication, error) {
		return func(p *store.Publication) (*store.Publication, error) {
			return s.StepPublication(t.Context(), store.PublicationStep{ID: p.ID, ExpectVersion: p.Version,
				From: from, To: to, By: by, At: callerTime(d), Note: "请补充数据"})
		}
	}
	for _, w := range []struct {
		name  string
		write func(p *store.Publication) (*store.Publication, error)
	}{
		{"SaveDraft of the draft", func(p *store.Publication) (*store.Publication, error) {
			return s.SaveDraft(t.Context(), p.ID, p.Version, draft(1, time.Hour))
		}},
		{"submission", step(store.RevDraft, store.RevSubmitted, "user-publisher-1", 2*time.Hour)},
		{"return to draft", step(store.RevSubmitted, store.RevDraft, "user-leader", 3*time.Hour)},
		{"submission again", step(store.RevDraft, store.RevSubmitted, "user-publisher-1", 4*time.Hour)},
		{"approval", step(store.RevSubmitted, store.RevApproved, "user-leader", 5*time.Hour)},
		{"scheduled publication", step(store.RevApproved, store.RevPublished, "system", 6*time.Hour)},
		{"SaveDraft of a correction", func(p *store.Publication) (*store.Publication, error) {
			return s.SaveDraft(t.Context(), p.ID, p.Version, draft(2, 7*time.Hour))
		}},
		{"submission of the correction", step(store.RevDraft, store.RevSubmitted, "user-publisher-1", 8*time.Hour)},
		{"WithdrawPublication", func(p *store.Publication) (*store.Publication, error) {
			return s.WithdrawPublication(t.Context(), p.ID, p.Version, "user-leader", "数据有误", callerTime(9*time.Hour))
		}},
	} {
		mustMarkIndexed(t, s, store.IndexPublications, store.IndexMark{ID: p.ID, Version: p.Version})
		checkPendingAgrees(t, s, "marked before "+w.name)
		got, err := w.write(p)
		if err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if got.Version != p.Version+1 || got.IndexedVersion != p.Version {
			t.Errorf("%s returned Version %d IndexedVersion %d, want %d and %d", w.name, got.Version, got.IndexedVersion,
				p.Version+1, p.Version)
		}
		checkPub(t, "after "+w.name, got, mustPub(t, s, p.ID, p.RegionCode))
		if !slices.Contains(mustPendingIndex(t, s, store.IndexPublications, 10), store.IndexMark{ID: p.ID, Version: got.Version}) {
			t.Errorf("after %s the publication is not pending at version %d", w.name, got.Version)
		}
		checkPendingAgrees(t, s, "after "+w.name)
		p = got
	}

	t.Run("a refused write leaves it indexed", func(t *testing.T) {
		mustMarkIndexed(t, s, store.IndexPublications, store.IndexMark{ID: p.ID, Version: p.Version})
		_, err := s.WithdrawPublication(t.Context(), p.ID, p.Version, "user-leader", "再次撤回", callerTime(10*time.Hour))
		wantCode(t, "WithdrawPublication of a withdrawn publication", err, store.ECONFLICT)
		q := mustPub(t, s, "pub-2", "220100")
		mustMarkIndexed(t, s, store.IndexPublications, store.IndexMark{ID: q.ID, Version: q.Version})
		_, err = s.SaveDraft(t.Context(), q.ID, q.Version-1, draft(1, 10*time.Hour))
		wantCode(t, "SaveDraft from a stale version", err, store.ECONFLICT)
		checkMarks(t, "PendingIndex after refused writes", nil, mustPendingIndex(t, s, store.IndexPublications, 10))
		checkPendingAgrees(t, s, "after refused writes")
	})
}

func testIndexImports(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	c := stored(newCase("case-imported", at(0)))
	c.Number, c.Year, c.Seq = "2026-000031", 2026, 31
	c.Version, c.IndexedVersion = 4, 3
	c.UpdatedAt = at(2 * time.Hour)
	if err := s.ImportCase(t.Context(), c, []store.Event{firstEvent(c)}, nil); err != nil {
		t.Fatalf("ImportCase: %v", err)
	}
	p, revs := importablePublication("pub-imported")
	p.IndexedVersion = 7
	if err := s.ImportPublication(t.Context(), p, revs); err != nil {
		t.Fatalf("ImportPublication: %v", err)
	}
	if got := mustGet(t, s, c.ID); got.IndexedVersion != 0 {
		t.Errorf("imported case: IndexedVersion %d, want 0", got.IndexedVersion)
	}
	if got := mustPub(t, s, p.ID, p.RegionCode); got.IndexedVersion != 0 {
		t.Errorf("imported publication: IndexedVersion %d, want 0", got.IndexedVersion)
	}
	checkMarks(t, "PendingIndex(cases)", []store.IndexMark{{ID: c.ID, Version: 4}}, mustPendingIndex(t, s, store.IndexCases, 10))
	checkMarks(t, "PendingIndex(publications)", []store.IndexMark{{ID: p.ID, Version: p.Version}},
		mustPendingIndex(t, s, store.IndexPublications, 10))
	checkPendingAgrees(t, s, "after the imports")

	// The imported state goes on as any other.
	mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: c.ID, Version: 4})
	mustMarkIndexed(t, s, store.IndexPublications, store.IndexMark{ID: p.ID, Version: p.Version})
	checkPendingAgrees(t, s, "the imports marked")
	published := mustStep(t, s, p, store.RevPublished, "system", callerTime(100*time.Hour), "")
	checkMarks(t, "PendingIndex(publications) after publishing the import",
		[]store.IndexMark{{ID: p.ID, Version: published.Version}}, mustPendingIndex(t, s, store.IndexPublications, 10))
	checkPendingAgrees(t, s, "the import published")
}

func testIndexState(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	for _, area := range []string{store.IndexCases, store.IndexPublications} {
		if p, i := mustIndexState(t, s, area); p != 0 || i != 0 {
			t.Errorf("IndexState(%s) of an empty store = %d, %d; want 0, 0", area, p, i)
		}
	}
	never := mustCreate(t, s, newCase("case-never", at(0)))
	current := mustCreate(t, s, newCase("case-current", at(time.Minute)))
	changed := mustCreate(t, s, newCase("case-changed", at(2*time.Minute)))
	mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: current.ID, Version: 1}, store.IndexMark{ID: changed.ID, Version: 1})
	if err := s.AddMessage(t.Context(), &store.Message{ID: "msg-1", CaseID: changed.ID, At: at(time.Hour),
		Author: store.AuthorReporter, Body: "补充"}); err != nil {
		t.Fatal(err)
	}
	mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("新闻", 0))
	mustMarkIndexed(t, s, store.IndexPublications, store.IndexMark{ID: "pub-1", Version: 1})

	// never is pending, current indexed, changed both.
	if p, i := mustIndexState(t, s, store.IndexCases); p != 2 || i != 2 {
		t.Errorf("IndexState(cases) = %d pending, %d indexed; want 2 (%s, %s) and 2 (%s, %s)", p, i,
			never.ID, changed.ID, current.ID, changed.ID)
	}
	if p, i := mustIndexState(t, s, store.IndexPublications); p != 0 || i != 1 {
		t.Errorf("IndexState(publications) = %d pending, %d indexed; want 0 and 1", p, i)
	}
	checkPendingAgrees(t, s, "mixed states")
}

func testResetIndexed(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	for _, area := range []string{store.IndexCases, store.IndexPublications} {
		if err := s.ResetIndexed(t.Context(), area); err != nil {
			t.Errorf("ResetIndexed(%s) of an empty store: %v", area, err)
		}
	}
	var ids []string
	for i := range 3 {
		c := newCase(fmt.Sprintf("case-%d", i), at(time.Duration(i)*time.Minute))
		c.UpdatedAt = at(time.Duration(3-i) * time.Hour)
		ids = append(ids, mustCreate(t, s, c).ID)
		mustMarkIndexed(t, s, store.IndexCases, store.IndexMark{ID: c.ID, Version: 1})
	}
	if err := s.AddMessage(t.Context(), &store.Message{ID: "msg-1", CaseID: ids[0], At: at(4 * time.Hour),
		Author: store.AuthorReporter, Body: "补充"}); err != nil {
		t.Fatal(err)
	}
	mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("新闻", 0))
	mustMarkIndexed(t, s, store.IndexPublications, store.IndexMark{ID: "pub-1", Version: 1})
	pubBefore := mustPub(t, s, "pub-1", "220100")
	var before []*store.Case
	for _, id := range ids {
		before = append(before, mustGet(t, s, id))
	}

	if err := s.ResetIndexed(t.Context(), store.IndexCases); err != nil {
		t.Fatalf("ResetIndexed(cases): %v", err)
	}
	for _, b := range before {
		want := *b
		want.IndexedVersion = 0
		checkCase(t, "after ResetIndexed", &want, mustGet(t, s, b.ID))
	}
	checkMarks(t, "PendingIndex(cases) after ResetIndexed",
		[]store.IndexMark{{ID: ids[2], Version: 1}, {ID: ids[1], Version: 1}, {ID: ids[0], Version: 2}},
		mustPendingIndex(t, s, store.IndexCases, 10))
	if p, i := mustIndexState(t, s, store.IndexCases); p != 3 || i != 0 {
		t.Errorf("IndexState(cases) after ResetIndexed = %d, %d; want 3 pending, 0 indexed", p, i)
	}
	checkPub(t, "a publication after ResetIndexed(cases)", pubBefore, mustPub(t, s, "pub-1", "220100"))
	checkPendingAgrees(t, s, "after ResetIndexed(cases)")

	// Marking works on from the reset.
	mustMarkIndexed(t, s, store.IndexCases, mustPendingIndex(t, s, store.IndexCases, 10)...)
	if p, i := mustIndexState(t, s, store.IndexCases); p != 0 || i != 3 {
		t.Errorf("IndexState(cases) after marking the reset cases = %d, %d; want 0 pending, 3 indexed", p, i)
	}
	checkPendingAgrees(t, s, "the reset cases marked")

	if err := s.ResetIndexed(t.Context(), store.IndexPublications); err != nil {
		t.Fatalf("ResetIndexed(publications): %v", err)
	}
	checkMarks(t, "PendingIndex(publications) after ResetIndexed", []store.IndexMark{{ID: "pub-1", Version: 1}},
		mustPendingIndex(t, s, store.IndexPublications, 10))
	if p, _ := mustIndexState(t, s, store.IndexCases); p != 0 {
		t.Errorf("ResetIndexed(publications) made %d cases pending", p)
	}
	checkPendingAgrees(t, s, "after ResetIndexed(publications)")
}

// testIndexSyncLoop runs the loop of search/ by hand: take a batch, "index"
// it, mark the versions taken, until nothing is pending; one case changes
// after it was taken and before its mark, so its mark is stale and it must
// come round again at its new version.
func testIndexSyncLoop(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	const n = 7
	for i := range n {
		c := newCase(fmt.Sprintf("case-%d", i), at(time.Duration(i)*time.Minute))
		mustCreate(t, s, c)
	}
	for i := range 3 {
		mustCreatePub(t, s, newPublication(fmt.Sprintf("pub-%d", i), store.PubNews, "220100", 0, time.Duration(i)*time.Minute),
			newRevision("新闻", 0))
	}
	seen := map[store.IndexMark]int{}
	changed := false
	for round := 0; ; round++ {
		if round > 10 {
			t.Fatal("the loop does not drain")
		}
		batch := mustPendingIndex(t, s, store.IndexCases, 3)
		if len(batch) == 0 {
			break
		}
		for _, m := range batch {
			seen[m]++
		}
		if !changed {
			changed = true
			if err := s.AddMessage(t.Context(), &store.Message{ID: "msg-late", CaseID: batch[1].ID, At: at(time.Hour),
				Author: store.AuthorReporter, Body: "索引期间补充的材料"}); err != nil {
				t.Fatal(err)
			}
		}
		mustMarkIndexed(t, s, store.IndexCases, batch...)
	}
	if p, i := mustIndexState(t, s, store.IndexCases); p != 0 || i != n {
		t.Errorf("after the loop IndexState(cases) = %d pending, %d indexed; want 0 and %d", p, i, n)
	}
	if seen[store.IndexMark{ID: "case-1", Version: 1}] != 1 || seen[store.IndexMark{ID: "case-1", Version: 2}] != 1 {
		t.Errorf("the case changed during its batch was taken %v; want once at version 1 and once at 2", seen)
	}
	if len(seen) != n+1 {
		t.Errorf("the loop took %d record versions, want %d: %v", len(seen), n+1, seen)
	}
	for i := range n {
		if c := mustGet(t, s, fmt.Sprintf("case-%d", i)); c.IndexedVersion != c.Version {
			t.Errorf("%s: IndexedVersion %d, Version %d", c.ID, c.IndexedVersion, c.Version)
		}
	}
	if p, _ := mustIndexState(t, s, store.IndexPublications); p != 3 {
		t.Errorf("the cases' loop changed the publications: %d pending, want 3", p)
	}
	checkPendingAgrees(t, s, "after the loop")
}

// testCasesByIDs is in RunCases: the loader of the admin search pages and
// the sync loop.
func testCasesByIDs(t *testing.T, open func(t *testing.T) store.CaseStore) {
	s := open(t)
	for i, region := range []string{"220102", "220103", "220102", "220104"} {
		c := newCase(fmt.Sprintf("case-%d", i+1), at(time.Duration(i)*time.Minute))
		c.RegionCode = region
		mustCreate(t, s, c)
	}
	byID := map[string]*store.Case{}
	for i := range 4 {
		id := fmt.Sprintf("case-%d", i+1)
		byID[id] = mustGet(t, s, id)
	}
	ids := []string{"case-3", "case-missing", "case-1", "", "case-2", "case-3", "case-4"}
	for _, tc := range []struct {
		name  string
		ids   []string
		scope []string
		want  []string
	}{
		{"no scope", ids, nil, []string{"case-3", "case-1", "case-2", "case-4"}},
		{"an empty scope", ids, []string{}, []string{"case-3", "case-1", "case-2", "case-4"}},
		{"one region", ids, []string{"220102"}, []string{"case-3", "case-1"}},
		{"two regions", []string{"case-2", "case-4", "case-1"}, []string{"220104", "220103"}, []string{"case-2", "case-4"}},
		{"a region's prefix", ids, []string{"2201", "22010"}, nil},
		{"a region without cases", ids, []string{"220199"}, nil},
		{"missing ids", []string{"case-x", "case-y"}, nil, nil},
		{"no ids", nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.CasesByIDs(t.Context(), tc.ids, tc.scope)
			if err != nil {
				t.Fatalf("CasesByIDs: %v", err)
			}
			if gotIDs := caseIDs(got); !slices.Equal(gotIDs, tc.want) && (len(gotIDs) > 0 || len(tc.want) > 0) {
				t.Fatalf("CasesByIDs(%v, %v) = %v, want %v", tc.ids, tc.scope, gotIDs, tc.want)
			}
			for _, c := range got {
				checkCase(t, "CasesByIDs "+c.ID, byID[c.ID], c)
			}
		})
	}

	t.Run(fmt.Sprintf("at most %d ids", store.MaxLimit), func(t *testing.T) {
		many := make([]string, store.MaxLimit+1)
		for i := range many {
			many[i] = fmt.Sprintf("case-none-%d", i)
		}
		many[0] = "case-1"
		got, err := s.CasesByIDs(t.Context(), many[:store.MaxLimit], nil)
		if err != nil || !slices.Equal(caseIDs(got), []string{"case-1"}) {
			t.Errorf("CasesByIDs of %d ids = %v, %v; want [case-1]", store.MaxLimit, caseIDs(got), err)
		}
		_, err = s.CasesByIDs(t.Context(), many, nil)
		wantCodeAndMessage(t, fmt.Sprintf("CasesByIDs of %d ids", len(many)), err, store.EINVALID, store.MsgIncomplete)
	})
}

// testPublishedByIDs is in the publications suite: the loader of the public
// search pages and the sync loop.
func testPublishedByIDs(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	mustCreatePub(t, s, newPublication("pub-draft", store.PubNews, "220100", 0, 0), newRevision("草稿", 0))
	mustPublish(t, s, mustCreatePub(t, s, newPublication("pub-live", store.PubNews, "220100", 0, 0),
		newRevision("已发布", 0)), callerTime(time.Hour))
	pending := mustPublish(t, s, mustCreatePub(t, s, newPublication("pub-pending", store.PubFundReport, "220200", 2025, 0),
		newRevision("待更正", 0)), callerTime(time.Hour))
	mustSaveDraft(t, s, pending, correction(2, 2*time.Hour))
	corrected := mustPublish(t, s, mustCreatePub(t, s, newPublication("pub-corrected", store.PubAccountNote, "220100", 2025, 0),
		newRevision("已更正", 0)), callerTime(time.Hour))
	mustPublish(t, s, mustSaveDraft(t, s, corrected, correction(2, 2*time.Hour)), callerTime(3*time.Hour))
	mustWithdraw(t, s, mustPublish(t, s, mustCreatePub(t, s, newPublication("pub-gone", store.PubAnnouncement, "220300", 0, 0),
		newRevision("已撤回", 0)), callerTime(time.Hour)), callerTime(4*time.Hour))

	regions := map[string]string{"pub-live": "220100", "pub-pending": "220200", "pub-corrected": "220100", "pub-gone": "220300"}
	got, err := s.PublishedByIDs(t.Context(), []string{"pub-gone", "pub-missing", "pub-draft", "pub-live", "",
		"pub-pending", "pub-live", "pub-corrected"})
	if err != nil {
		t.Fatalf("PublishedByIDs: %v", err)
	}
	if ids, want := publishedIDs(got), []string{"pub-gone", "pub-live", "pub-pending", "pub-corrected"}; !slices.Equal(ids, want) {
		t.Fatalf("PublishedByIDs = %v, want %v", ids, want)
	}
	for _, item := range got {
		id := item.Publication.ID
		checkPub(t, "PublishedByIDs "+id, mustPub(t, s, id, regions[id]), item.Publication)
		if id == "pub-gone" {
			if item.Live != nil {
				t.Errorf("the tombstone came with a live revision %d", item.Live.Number)
			}
			continue
		}
		revs := mustRevisions(t, s, id)
		if item.Live == nil {
			t.Errorf("%s came without its live revision", id)
			continue
		}
		want := revs[item.Publication.LiveRevision-1]
		if want.Status != store.RevPublished {
			t.Fatalf("%s: revision %d is %s, the fixture is wrong", id, want.Number, want.Status)
		}
		if diff := revDiff(want, item.Live); diff != "" {
			t.Errorf("PublishedByIDs %s: live revision differs:\n\t%s", id, diff)
		}
	}

	for _, ids := range [][]string{nil, {}, {"pub-draft", "pub-missing", ""}} {
		if got, err := s.PublishedByIDs(t.Context(), ids); err != nil || len(got) != 0 {
			t.Errorf("PublishedByIDs(%q) = %v, %v; want none", ids, publishedIDs(got), err)
		}
	}
	many := make([]string, store.MaxLimit+1)
	for i := range many {
		many[i] = fmt.Sprintf("pub-none-%d", i)
	}
	many[1] = "pub-live"
	if got, err := s.PublishedByIDs(t.Context(), many[:store.MaxLimit]); err != nil || !slices.Equal(publishedIDs(got), []string{"pub-live"}) {
		t.Errorf("PublishedByIDs of %d ids = %v, %v; want [pub-live]", store.MaxLimit, publishedIDs(got), err)
	}
	_, err = s.PublishedByIDs(t.Context(), many)
	wantCodeAndMessage(t, fmt.Sprintf("PublishedByIDs of %d ids", len(many)), err, store.EINVALID, store.MsgIncomplete)
}
