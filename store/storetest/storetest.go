// Package storetest is the conformance suite every store.Store backend must
// pass, split by area like package store (cases, accounts, audit, important,
// settings, outbox). The rest of fundwatch is written against the store
// interfaces alone, so the
// suite, not any one backend, is where the contract lives: a behaviour that
// is not pinned down here is one that backends will drift apart on.
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
//   - Case ID, IdempotencyKey, the first event's ID, a transition's EventID
//     and a message's ID are required: empty ones are EINVALID. (An empty
//     IdempotencyKey would otherwise make every second key-less case an
//     idempotency conflict.)
//   - A duplicate case ID or IdempotencyKey is ECONFLICT and leaves no trace.
//   - TransitionCase sets UpdatedAt to t.At and bumps Version. It replaces the
//     case's Result only when t.Result is non-empty, so closing a concluded
//     case keeps its investigation result. A missing case is ENOTFOUND; a
//     FromStatus that no longer matches is ECONFLICT. Of several concurrent
//     transitions from the same status exactly one wins.
//   - AddMessage sets UpdatedAt to m.At and bumps Version. CaseEvents and
//     CaseMessages order by At, then by insertion; a case without messages
//     has an empty list, a missing case is ENOTFOUND.
//   - ListCases orders by CreatedAt, then Seq, both descending. RegionCodes
//     matches region codes exactly (the caller expands a region tree into
//     the codes of its scope); an empty list means no region filter. Limit 0
//     means 50, more than 500 means 500. The total ignores Limit and Offset.
//   - Every non-nil error is (or wraps) a *store.Error with a non-empty Code
//     and a non-empty Message.
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

// Run runs the whole conformance suite against the backend that open creates.
// open must return a fresh, empty store each time it is called and should
// close it through t.Cleanup; the suite never calls Close itself.
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
		{"TransitionCase", testTransitionCase},
		{"AddMessage", testAddMessage},
		{"ListCases", testListCases},
		{"ImportCase", testImportCase},
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
