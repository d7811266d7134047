package storetest

import (
	"fmt"
	"testing"
	"time"

	"fundwatch/store"
)

// statsFixture is one case of the statistics fixtures.
type statsFixture struct {
	id        string
	created   time.Time
	region    string
	demo      bool
	status    string
	result    string
	recovered int64  // Conclusion.AmountRecoveredFen set with the status change
	movedTo   string // region the status change moves the case to (a transfer), or ""
}

// createStatsCase stores f: created received without handling, then moved
// to its status by one UpdateCase that sets its result, conclusion and
// region. The store does not check transitions, so any status is one step
// away.
func createStatsCase(t *testing.T, s store.CaseStore, f statsFixture) {
	t.Helper()
	c := newCase(f.id, f.created)
	unhandled(c)
	c.RegionCode, c.Demo = f.region, f.demo
	mustCreate(t, s, c)
	if f.status == store.StatusReceived {
		return
	}
	u := statusUpdate(mustGet(t, s, f.id), "ev-"+f.id+"-"+f.status, f.status, f.created.Add(time.Hour))
	if f.result != "" {
		result := f.result
		u.Set.Result = &result
	}
	if f.recovered != 0 {
		u.Set.Conclusion = &store.Conclusion{AmountInvolvedFen: f.recovered * 2, AmountRecoveredFen: f.recovered, Measures: "责令退回"}
	}
	if f.movedTo != "" {
		region := f.movedTo
		u.Set.RegionCode = &region
	}
	mustUpdate(t, s, u)
}

// mustStatistics reads CaseStatistics and fails the test if it cannot.
func mustStatistics(t *testing.T, s store.CaseStore) []store.CaseStatsRow {
	t.Helper()
	rows, err := s.CaseStatistics(t.Context())
	if err != nil {
		t.Fatalf("CaseStatistics: %v", err)
	}
	return rows
}

func checkStats(t *testing.T, what string, want, got []store.CaseStatsRow) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func testCaseStatistics(t *testing.T, open func(t *testing.T) store.CaseStore) {
	utc := func(y int, m time.Month, d, h, min, s, ms int) time.Time {
		return time.Date(y, m, d, h, min, s, ms*int(time.Millisecond), time.UTC)
	}

	t.Run("an empty store has no rows", func(t *testing.T) {
		s := open(t)
		if rows := mustStatistics(t, s); len(rows) != 0 {
			t.Errorf("CaseStatistics of an empty store = %+v, want none", rows)
		}
	})

	t.Run("counts received, accepted and concluded cases by their status", func(t *testing.T) {
		s := open(t)
		when := at(0)
		fixtures := []statsFixture{
			{id: "st-received", status: store.StatusReceived},
			{id: "st-accepted", status: store.StatusAccepted},
			{id: "st-rejected", status: store.StatusRejected},
			{id: "st-transferred", status: store.StatusTransferred},
			{id: "st-investigating", status: store.StatusInvestigating},
			{id: "st-concluded", status: store.StatusConcluded, result: store.ResultSubstantiated, recovered: 150_000_00},
			{id: "st-concluded-0", status: store.StatusConcluded, result: store.ResultNotSubstantiated},
			{id: "st-closed", status: store.StatusClosed, result: store.ResultPartly, recovered: 12_345},
			// Closed without a result: only an import can make one; it
			// was accepted, but nothing was concluded.
			{id: "st-closed-no-result", status: store.StatusClosed, recovered: 99},
		}
		for i, f := range fixtures {
			f.created, f.region = when.Add(time.Duration(i)*time.Minute), "220102"
			createStatsCase(t, s, f)
		}
		want := []store.CaseStatsRow{{Year: 2026, RegionCode: "220102", Received: 9, Accepted: 6, Concluded: 3,
			RecoveredFen: 150_000_00 + 12_345, RecoveredCases: 2}}
		checkStats(t, "statistics by status", want, mustStatistics(t, s))
	})

	t.Run("a recovered amount counts only once the case is concluded", func(t *testing.T) {
		s := open(t)
		// newCase carries a conclusion with a recovered amount; a case
		// still being handled does not count it.
		c := newCase("st-early-conclusion", at(0))
		c.Demo = false
		mustCreate(t, s, c)
		want := []store.CaseStatsRow{{Year: 2026, RegionCode: c.RegionCode, Received: 1}}
		checkStats(t, "a received case with a conclusion", want, mustStatistics(t, s))
	})

	t.Run("groups by year in China Standard Time, region and demo flag, in order", func(t *testing.T) {
		s := open(t)
		fixtures := []statsFixture{
			// 23:59:59.999 on 31 December 2025 in Beijing.
			{id: "y-2025-last", created: utc(2025, 12, 31, 15, 59, 59, 999), region: "220102", status: store.StatusAccepted},
			// Midnight and half past on 1 January 2026 in Beijing, while
			// still 2025 in UTC.
			{id: "y-2026-first", created: utc(2025, 12, 31, 16, 0, 0, 0), region: "220102", status: store.StatusReceived},
			{id: "y-2026-half", created: utc(2025, 12, 31, 16, 30, 0, 0), region: "220102", status: store.StatusConcluded,
				result: store.ResultSubstantiated, recovered: 500},
			{id: "y-2026-demo", created: utc(2026, 6, 1, 0, 0, 0, 0), region: "220102", demo: true, status: store.StatusReceived},
			{id: "y-2026-other", created: utc(2026, 6, 1, 0, 0, 0, 0), region: "220201", status: store.StatusRejected},
			{id: "y-2026-county", created: utc(2026, 6, 2, 0, 0, 0, 0), region: "220101", status: store.StatusReceived},
			// 1 January 2027 in Beijing.
			{id: "y-2027-first", created: utc(2026, 12, 31, 16, 0, 0, 0), region: "220102", status: store.StatusReceived},
		}
		for _, f := range fixtures {
			createStatsCase(t, s, f)
		}
		want := []store.CaseStatsRow{
			{Year: 2025, RegionCode: "220102", Received: 1, Accepted: 1},
			{Year: 2026, RegionCode: "220101", Received: 1},
			{Year: 2026, RegionCode: "220102", Received: 2, Accepted: 1, Concluded: 1, RecoveredFen: 500, RecoveredCases: 1},
			{Year: 2026, RegionCode: "220102", Demo: true, Received: 1},
			{Year: 2026, RegionCode: "220201", Received: 1},
			{Year: 2027, RegionCode: "220102", Received: 1},
		}
		checkStats(t, "statistics by year, region and demo", want, mustStatistics(t, s))
	})

	t.Run("a transferred case counts in the region it is now in", func(t *testing.T) {
		s := open(t)
		createStatsCase(t, s, statsFixture{id: "tr-1", created: at(0), region: "220102", status: store.StatusTransferred, movedTo: "220201"})
		createStatsCase(t, s, statsFixture{id: "tr-2", created: at(time.Minute), region: "220102", status: store.StatusAccepted})
		want := []store.CaseStatsRow{
			{Year: 2026, RegionCode: "220102", Received: 1, Accepted: 1},
			{Year: 2026, RegionCode: "220201", Received: 1},
		}
		checkStats(t, "after a transfer", want, mustStatistics(t, s))

		// The receiving office accepts it: now it counts as accepted there.
		mustUpdate(t, s, statusUpdate(mustGet(t, s, "tr-1"), "ev-tr-1-accept", store.StatusAccepted, at(time.Hour)))
		want[1].Accepted = 1
		checkStats(t, "after the receiving office accepted", want, mustStatistics(t, s))
	})

	t.Run("follows every change of a case", func(t *testing.T) {
		s := open(t)
		createStatsCase(t, s, statsFixture{id: "ch-1", created: at(0), region: "220102", status: store.StatusInvestigating})
		checkStats(t, "investigating", []store.CaseStatsRow{{Year: 2026, RegionCode: "220102", Received: 1, Accepted: 1}},
			mustStatistics(t, s))
		u := statusUpdate(mustGet(t, s, "ch-1"), "ev-ch-1-concluded", store.StatusConcluded, at(2*time.Hour))
		result := store.ResultPartly
		u.Set.Result = &result
		u.Set.Conclusion = &store.Conclusion{AmountInvolvedFen: 1_000_000_00, AmountRecoveredFen: 987_654_321_00, Measures: "追回"}
		mustUpdate(t, s, u)
		checkStats(t, "concluded", []store.CaseStatsRow{{Year: 2026, RegionCode: "220102", Received: 1, Accepted: 1,
			Concluded: 1, RecoveredFen: 987_654_321_00, RecoveredCases: 1}}, mustStatistics(t, s))
		mustUpdate(t, s, statusUpdate(mustGet(t, s, "ch-1"), "ev-ch-1-closed", store.StatusClosed, at(3*time.Hour)))
		checkStats(t, "closed keeps the result", []store.CaseStatsRow{{Year: 2026, RegionCode: "220102", Received: 1, Accepted: 1,
			Concluded: 1, RecoveredFen: 987_654_321_00, RecoveredCases: 1}}, mustStatistics(t, s))
	})

	t.Run("counts imported cases by their creation time", func(t *testing.T) {
		s := open(t)
		c := newCase("st-imported", utc(2025, 12, 31, 16, 30, 0, 0))
		c.Demo = false
		c.Number, c.Year, c.Seq, c.Version = "2026-000042", 2026, 42, 3
		c.Status, c.Result = store.StatusClosed, store.ResultSubstantiated
		c.Conclusion.AmountRecoveredFen = 70_000
		if err := s.ImportCase(t.Context(), c, []store.Event{firstEvent(c)}, nil); err != nil {
			t.Fatalf("ImportCase: %v", err)
		}
		want := []store.CaseStatsRow{{Year: 2026, RegionCode: c.RegionCode, Received: 1, Accepted: 1, Concluded: 1,
			RecoveredFen: 70_000, RecoveredCases: 1}}
		checkStats(t, "an imported closed case", want, mustStatistics(t, s))
	})
}
