// Package storetest is the conformance suite every store.Store backend must
// pass, split by area like package store (cases, accounts, audit, important,
// settings, outbox, publications, indexing). The rest of fundwatch is written against
// the store interfaces alone, so the suite, not any one backend, is where
// the contract lives: a behaviour that is not pinned down here is one that
// backends will drift apart on.
//
// A backend's test calls Run with a function that opens a fresh, empty store
// and arranges its cleanup (t.Cleanup). The suite calls open once per subtest
// and assumes nothing else about the backend: it uses no transactions, no
// backend-specific queries and no wall-clock time, so it runs unchanged on
// SQLite and on MongoDB servers without multi-document transactions.
//
// Beyond what the store interfaces' doc comments say, the case suite encodes
// these decisions:
//
//   - Times come back in UTC (Location() == time.UTC) truncated to the
//     millisecond (store.Truncate), whatever zone and precision went in.
//   - Empty slices and empty []byte come back as nil (InsuranceTypes,
//     ReporterSealed, AccessCodeHash), so "absent" has one representation.
//   - CreateCase assigns Number "YYYY-NNNNNN" (sequence zero padded to six
//     digits), Year and Seq from the year of CreatedAt in China Standard Time,
//     sets Version to 1 and IndexedVersion to 0, ignoring whatever the caller
//     put in those fields, and writes Number, Year, Seq and Version back into
//     the passed *Case. Sequences have no gaps under concurrent creation.
//   - The store fills in the first event's CaseID from the case.
//   - CreateCase and ImportCase store the handling fields (AssigneeID,
//     DueAt, the 要情 class and flags, DiscoveredOn, InvestigationMode,
//     ExtensionDays, Conclusion) as given. An ImportantClass of "" is kept
//     as store.ClassNone, on create, import and update alike, so a new case
//     reads back "none". A zero DueAt means no deadline and reads back as
//     the zero time.
//   - An event's Action of "" is kept as store.ActionStatus (the backends
//     normalise it when writing, so old and new rows read alike); Internal
//     is kept as given.
//   - Case ID, IdempotencyKey, the first event's ID, an update's Event.ID
//     and a message's ID are required: empty ones are EINVALID. (An empty
//     IdempotencyKey would otherwise make every second key-less case an
//     idempotency conflict.) UpdateCase also requires ExpectStatus and
//     Event.ToStatus, and Event.FromStatus equal to ExpectStatus; each
//     failure of UpdateCase is EINVALID with store.MsgIncomplete.
//   - A duplicate case ID or IdempotencyKey is ECONFLICT and leaves no trace.
//   - UpdateCase sets exactly the non-nil fields of CaseChanges; a pointer
//     to the zero time clears DueAt. A status change that leaves Set.Result
//     nil keeps the case's Result, so closing a concluded case keeps its
//     investigation result. A missing case (or an empty CaseID) is
//     ENOTFOUND with store.MsgCaseNotFound. An event ID the case already
//     has is ECONFLICT with store.MsgAlreadyDone even when the view is also
//     stale (a retried request is told it went through); otherwise a stale
//     ExpectStatus or non-zero ExpectVersion is ECONFLICT with
//     store.MsgStale. A conflict changes neither the case nor its timeline.
//     ExpectVersion 0 checks the status only. Of several concurrent
//     updates from one view exactly one wins, the others get MsgStale.
//   - CaseInRegions answers a case outside the scope, an empty or nil
//     scope, a missing case and an empty ID alike: ENOTFOUND with
//     store.MsgCaseNotFound. Region codes match exactly, never as prefixes.
//   - AddMessage sets UpdatedAt to m.At and bumps Version. CaseEvents and
//     CaseMessages order by At, then by insertion; a case without messages
//     has an empty list, a missing case is ENOTFOUND.
//   - ListCases orders by CreatedAt, then Seq, both descending (SortNewest);
//     SortOldest is the exact reverse; SortDue puts cases with a DueAt
//     first, soonest first, ties and the cases without a deadline newest
//     first; any other Sort sorts as SortNewest. RegionCodes matches region codes exactly (the caller expands a
//     region tree into the codes of its scope); an empty list means no
//     region filter. Limit 0 means 50, more than 500 means 500. The total
//     ignores Limit and Offset.
//   - Every filter of CaseFilter combines with the others by AND.
//     InsuranceType matches one whole code of InsuranceTypes. ClassNone
//     matches unclassified cases. AssigneeID together with Unassigned
//     matches nothing. DueBefore is strict and leaves out cases without a
//     deadline. DiscoveredFrom and DiscoveredTo are inclusive and leave out
//     cases without a DiscoveredOn.
//   - CountCasesByStatus agrees with ListCases: for any filter, its counts
//     are those of the cases ListCases returns for the same filter without
//     Statuses. Statuses without cases are absent.
//   - RateCase sets exactly the rating (Rating, Reason, At in stored form),
//     UpdatedAt to its At and Version one more, and touches neither the
//     status, the timeline nor the messages. A rating that came with
//     CreateCase or ImportCase is stored as given, like the handling fields.
//     The Satisfaction filter matches the rating code exactly and combines
//     with every other filter, InsuranceType included.
//   - CaseStatistics groups every case by the calendar year of CreatedAt
//     in China Standard Time (2025-12-31T16:30Z is 2026), its current
//     region and its demo flag, ordered by year, region and demo (false
//     first); it follows every change of status, result, conclusion and
//     region. A conclusion's recovered amount counts only for a concluded
//     case (store.StatsConcluded) and only when above zero.
//   - Every non-nil error is (or wraps) a *store.Error with a non-empty Code
//     and a non-empty Message. A missing case is ENOTFOUND with
//     store.MsgCaseNotFound from every lookup and update of a case; the
//     other sentences the suite names (MsgStale, MsgAlreadyDone,
//     MsgIncomplete) are those of store/messages.go too.
//
// Subtests do not run in parallel, because open is not promised to be safe
// for concurrent use.
package storetest

import (
	"testing"

	"fundwatch/store"
)

// group is one named part of an area's suite.
type group[S any] struct {
	name string
	run  func(t *testing.T, open func(t *testing.T) S)
}

func runGroups[S any](t *testing.T, open func(t *testing.T) S, groups []group[S]) {
	t.Helper()
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, open) })
	}
}

// Run runs the conformance suite against the backend that open creates,
// all but the part about copying between backends, which RunImports runs:
// a backend's tests call both. open must return a fresh, empty store each
// time it is called and should close it through t.Cleanup; the suite never
// calls Close itself.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	t.Run("Cases", func(t *testing.T) {
		RunCases(t, func(t *testing.T) store.CaseStore { return open(t) })
	})
	runGroups(t, open, []group[store.Store]{
		{"Accounts", testAccounts},
		{"Audit", testAudit},
		{"Important", testImportant},
		{"Settings", testSettings},
		{"Outbox", testOutbox},
		{"Publications", testPublications},
		{"Indexing", testIndexing},
		{"Files", testFiles},
		{"Ping", testPing},
	})
}

// RunCases runs the part of the suite about CaseStore, for a store that
// implements only that (the plain-Go reference store of this package's
// tests).
func RunCases(t *testing.T, open func(t *testing.T) store.CaseStore) {
	t.Helper()
	runGroups(t, open, []group[store.CaseStore]{
		{"CreateCase", testCreateCase},
		{"Numbers", testNumbers},
		{"Idempotency", testIdempotency},
		{"Invalid", testInvalid},
		{"NotFound", testNotFound},
		{"UpdateCase", testUpdateCase},
		{"CaseInRegions", testCaseInRegions},
		{"AddMessage", testAddMessage},
		{"ListCases", testListCases},
		{"Filters", testFilters},
		{"Sort", testSortCases},
		{"CountCasesByStatus", testCountCasesByStatus},
		{"ImportCase", testImportCase},
		{"RehashIdempotencyKeys", testRehashIdempotencyKeys},
		{"RateCase", testRateCase},
		{"CaseStatistics", testCaseStatistics},
		{"CasesByIDs", testCasesByIDs},
	})
}

func testPing(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("an open store answers Ping", func(t *testing.T) {
		s := open(t)
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}
