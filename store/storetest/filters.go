package storetest

import (
	"maps"
	"slices"
	"testing"
	"time"

	"fundwatch/store"
)

// inboxFixture is one case of the admin inbox fixtures: what the filters of
// store.CaseFilter look at.
type inboxFixture struct {
	id, region, status, kind, category string
	types                              []string
	channel, class, assignee           string
	due                                time.Duration // from base; 0 for no deadline
	discovered                         string
	demo                               bool
}

// day is one day, for deadlines.
const day = 24 * time.Hour

// inboxFixtures are created in this order, an hour apart, so newest first
// is f10 … f1.
var inboxFixtures = []inboxFixture{
	{"f1", "220101", store.StatusReceived, store.KindReport, "fraudulent_claims", []string{"medical"},
		store.ChannelMedicalSecurity, store.ClassNone, "", 3 * day, "", false},
	{"f2", "220102", store.StatusAccepted, store.KindComplaint, "unpaid_contributions", []string{"pension", "work_injury"},
		store.ChannelFundSupervision, "", "u1", 10 * day, "", false},
	{"f3", "220201", store.StatusInvestigating, store.KindReport, "embezzlement", []string{"pension"},
		store.ChannelFundSupervision, store.ClassImportant, "u1", 40 * day, "2026-03-02", false},
	{"f4", "220101", store.StatusInvestigating, store.KindReport, "misappropriation", []string{"unemployment"},
		store.ChannelFundSupervision, store.ClassMajor, "u2", 20 * day, "2026-03-10", false},
	{"f5", "220102", store.StatusConcluded, store.KindReport, "fraudulent_claims", []string{"medical", "maternity"},
		store.ChannelMedicalSecurity, store.ClassMajor, "u2", 0, "2026-02-20", false},
	{"f6", "220201", store.StatusReceived, store.KindComplaint, "other", nil,
		store.ChannelLabourInspection, "", "", 1 * day, "", true},
	{"f7", "220100", store.StatusTransferred, store.KindReport, "agency_misconduct", []string{"annuity"},
		store.ChannelFundSupervision, store.ClassNone, "u3", 5 * day, "", false},
	{"f8", "220101", store.StatusClosed, store.KindReport, "embezzlement", []string{"pension", "medical"},
		store.ChannelFundSupervision, store.ClassImportant, "", 0, "2026-03-01", true},
	{"f9", "220102", store.StatusRejected, store.KindComplaint, "unpaid_contributions", []string{"work_injury"},
		store.ChannelLabourInspection, store.ClassNone, "", 0, "", false},
	{"f10", "220201", store.StatusInvestigating, store.KindReport, "improper_storage", []string{"resident_pension"},
		store.ChannelFundSupervision, store.ClassImportant, "u1", 3 * day, "2026-03-05", false},
}

// createInbox stores the inbox fixtures, each created received and moved to
// its status by one UpdateCase, and returns their statuses by ID.
func createInbox(t *testing.T, s store.CaseStore) map[string]string {
	t.Helper()
	statuses := map[string]string{}
	for i, f := range inboxFixtures {
		c := newCase(f.id, at(time.Duration(i+1)*time.Hour))
		unhandled(c)
		c.RegionCode, c.Kind, c.Category, c.InsuranceTypes = f.region, f.kind, f.category, f.types
		c.Channel, c.ImportantClass, c.AssigneeID, c.DiscoveredOn, c.Demo = f.channel, f.class, f.assignee, f.discovered, f.demo
		if f.due != 0 {
			c.DueAt = at(f.due)
		}
		mustCreate(t, s, c)
		if f.status != store.StatusReceived {
			u := statusUpdate(mustGet(t, s, c.ID), "ev-"+f.id+"-status", f.status, c.CreatedAt.Add(time.Minute))
			if f.status == store.StatusConcluded {
				u.Event.Result, u.Set.Result = store.ResultPartly, ptr(store.ResultPartly)
			}
			mustUpdate(t, s, u)
		}
		statuses[f.id] = f.status
	}
	return statuses
}

// inboxFilters are the filters of the admin inbox, each alone and combined,
// with the cases they select, newest first.
func inboxFilters() []struct {
	name   string
	filter store.CaseFilter
	want   []string
} {
	yes, no := true, false
	return []struct {
		name   string
		filter store.CaseFilter
		want   []string
	}{
		{"no filter", store.CaseFilter{}, []string{"f10", "f9", "f8", "f7", "f6", "f5", "f4", "f3", "f2", "f1"}},
		{"region scope", store.CaseFilter{RegionCodes: []string{"220101", "220100"}}, []string{"f8", "f7", "f4", "f1"}},
		{"statuses", store.CaseFilter{Statuses: []string{store.StatusInvestigating, store.StatusTransferred}},
			[]string{"f10", "f7", "f4", "f3"}},
		{"kind", store.CaseFilter{Kind: store.KindComplaint}, []string{"f9", "f6", "f2"}},
		{"category", store.CaseFilter{Category: "fraudulent_claims"}, []string{"f5", "f1"}},
		{"insurance type among several", store.CaseFilter{InsuranceType: "pension"}, []string{"f8", "f3", "f2"}},
		{"insurance type listed second", store.CaseFilter{InsuranceType: "medical"}, []string{"f8", "f5", "f1"}},
		{"insurance type matches whole codes only", store.CaseFilter{InsuranceType: "pens"}, nil},
		{"insurance type that looks like JSON", store.CaseFilter{InsuranceType: `pension"`}, nil},
		{"insurance type nobody has", store.CaseFilter{InsuranceType: "other"}, nil},
		{"channel", store.CaseFilter{Channel: store.ChannelLabourInspection}, []string{"f9", "f6"}},
		{"important class none matches unclassified cases", store.CaseFilter{ImportantClass: store.ClassNone},
			[]string{"f9", "f7", "f6", "f2", "f1"}},
		{"important class", store.CaseFilter{ImportantClass: store.ClassImportant}, []string{"f10", "f8", "f3"}},
		{"major class", store.CaseFilter{ImportantClass: store.ClassMajor}, []string{"f5", "f4"}},
		{"assignee", store.CaseFilter{AssigneeID: "u1"}, []string{"f10", "f3", "f2"}},
		{"unassigned", store.CaseFilter{Unassigned: true}, []string{"f9", "f8", "f6", "f1"}},
		{"assignee and unassigned match nothing", store.CaseFilter{AssigneeID: "u1", Unassigned: true}, nil},
		{"due before", store.CaseFilter{DueBefore: at(4 * day)}, []string{"f10", "f6", "f1"}},
		{"due before is strict", store.CaseFilter{DueBefore: at(3 * day)}, []string{"f6"}},
		{"due before a time in another zone", store.CaseFilter{DueBefore: at(5*day + time.Millisecond).In(store.CST)},
			[]string{"f10", "f7", "f6", "f1"}},
		{"discovered from, inclusive", store.CaseFilter{DiscoveredFrom: "2026-03-02"}, []string{"f10", "f4", "f3"}},
		{"discovered to, inclusive, leaves out unclassified cases", store.CaseFilter{DiscoveredTo: "2026-03-02"},
			[]string{"f8", "f5", "f3"}},
		{"discovered from and to", store.CaseFilter{DiscoveredFrom: "2026-03-01", DiscoveredTo: "2026-03-05"},
			[]string{"f10", "f8", "f3"}},
		{"demo only", store.CaseFilter{Demo: &yes}, []string{"f8", "f6"}},
		{"real cases only", store.CaseFilter{Demo: &no}, []string{"f10", "f9", "f7", "f5", "f4", "f3", "f2", "f1"}},
		{"scope, class and status", store.CaseFilter{RegionCodes: []string{"220101", "220102"},
			ImportantClass: store.ClassMajor, Statuses: []string{store.StatusInvestigating}}, []string{"f4"}},
		{"scope, assignee and insurance type", store.CaseFilter{RegionCodes: []string{"220201"}, AssigneeID: "u1",
			InsuranceType: "pension"}, []string{"f3"}},
		{"unassigned real complaints", store.CaseFilter{Unassigned: true, Demo: &no, Kind: store.KindComplaint},
			[]string{"f9"}},
		{"due soon in one channel", store.CaseFilter{DueBefore: at(4 * day), Channel: store.ChannelFundSupervision},
			[]string{"f10"}},
		{"category and insurance type", store.CaseFilter{Category: "embezzlement", InsuranceType: "medical"},
			[]string{"f8"}},
		{"discovered range in a scope", store.CaseFilter{RegionCodes: []string{"220201"}, DiscoveredFrom: "2026-03-03"},
			[]string{"f10"}},
		{"every filter at once", store.CaseFilter{
			RegionCodes: []string{"220201", "220101"}, Statuses: []string{store.StatusInvestigating},
			Kind: store.KindReport, Category: "improper_storage", InsuranceType: "resident_pension",
			Channel: store.ChannelFundSupervision, ImportantClass: store.ClassImportant, AssigneeID: "u1",
			DueBefore: at(4 * day), DiscoveredFrom: "2026-03-05", DiscoveredTo: "2026-03-05", Demo: &no,
		}, []string{"f10"}},
		{"filters that exclude each other", store.CaseFilter{Kind: store.KindComplaint, ImportantClass: store.ClassMajor}, nil},
	}
}

func testFilters(t *testing.T, open func(t *testing.T) store.CaseStore) {
	s := open(t)
	createInbox(t, s)
	for _, tt := range inboxFilters() {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.ListCases(t.Context(), tt.filter)
			if err != nil {
				t.Fatalf("ListCases(%+v): %v", tt.filter, err)
			}
			if ids := caseIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("ListCases = %v, want %v", ids, tt.want)
			}
			if total != len(tt.want) {
				t.Errorf("total = %d, want %d", total, len(tt.want))
			}
			if len(tt.want) < 2 {
				return
			}
			f := tt.filter
			f.Limit, f.Offset = 1, 1
			got, total, err = s.ListCases(t.Context(), f)
			if err != nil {
				t.Fatalf("ListCases(%+v): %v", f, err)
			}
			if ids := caseIDs(got); !slices.Equal(ids, tt.want[1:2]) || total != len(tt.want) {
				t.Errorf("second page of one = %v of %d, want %v of %d", ids, total, tt.want[1:2], len(tt.want))
			}
		})
	}

	t.Run("filtered cases are complete", func(t *testing.T) {
		got, _, err := s.ListCases(t.Context(), store.CaseFilter{InsuranceType: "medical", AssigneeID: "u2"})
		if err != nil {
			t.Fatalf("ListCases: %v", err)
		}
		if len(got) != 1 {
			t.Fatalf("got %v, want f5", caseIDs(got))
		}
		checkCase(t, "listed case", mustGet(t, s, "f5"), got[0])
	})

	t.Run("a transfer, a reassignment and a cleared deadline move a case between filters", func(t *testing.T) {
		s := open(t)
		createInbox(t, s)
		view := mustGet(t, s, "f1")
		u := store.CaseUpdate{
			CaseID: view.ID, ExpectStatus: view.Status, ExpectVersion: view.Version,
			Event: store.Event{ID: "ev-f1-transfer", At: at(20 * time.Hour), Action: store.ActionStatus,
				FromStatus: view.Status, ToStatus: store.StatusTransferred, Note: "转延边州办理", Actor: "leader-1"},
			Set: store.CaseChanges{RegionCode: ptr("222401"), AssigneeID: ptr("u1"), DueAt: ptr(time.Time{}),
				ImportantClass: ptr(store.ClassMajor)},
		}
		mustUpdate(t, s, u)
		for _, tt := range []struct {
			filter store.CaseFilter
			want   []string
		}{
			{store.CaseFilter{AssigneeID: "u1"}, []string{"f10", "f3", "f2", "f1"}},
			{store.CaseFilter{Unassigned: true}, []string{"f9", "f8", "f6"}},
			{store.CaseFilter{DueBefore: at(4 * day)}, []string{"f10", "f6"}},
			{store.CaseFilter{ImportantClass: store.ClassMajor}, []string{"f5", "f4", "f1"}},
			{store.CaseFilter{RegionCodes: []string{"220101"}}, []string{"f8", "f4"}},
			{store.CaseFilter{Statuses: []string{store.StatusTransferred}}, []string{"f7", "f1"}},
			{store.CaseFilter{InsuranceType: "medical", RegionCodes: []string{"222401"}}, []string{"f1"}},
			{store.CaseFilter{InsuranceType: "medical", RegionCodes: []string{"220101"}}, []string{"f8"}},
			{store.CaseFilter{InsuranceType: "medical", Statuses: []string{store.StatusTransferred}}, []string{"f1"}},
			{store.CaseFilter{InsuranceType: "medical", DueBefore: at(4 * day)}, nil},
			{store.CaseFilter{InsuranceType: "medical", Sort: store.SortDue}, []string{"f8", "f5", "f1"}},
		} {
			got, total, err := s.ListCases(t.Context(), tt.filter)
			if err != nil {
				t.Fatalf("ListCases(%+v): %v", tt.filter, err)
			}
			if ids := caseIDs(got); !slices.Equal(ids, tt.want) || total != len(tt.want) {
				t.Errorf("ListCases(%+v) = %v of %d, want %v", tt.filter, ids, total, tt.want)
			}
		}
		counts, err := s.CountCasesByStatus(t.Context(), store.CaseFilter{InsuranceType: "medical"})
		if err != nil {
			t.Fatalf("CountCasesByStatus: %v", err)
		}
		want := map[string]int{store.StatusClosed: 1, store.StatusConcluded: 1, store.StatusTransferred: 1}
		if !maps.Equal(counts, want) {
			t.Errorf("CountCasesByStatus(medical) = %v, want %v", counts, want)
		}
	})
}

func testCountCasesByStatus(t *testing.T, open func(t *testing.T) store.CaseStore) {
	s := open(t)
	statuses := createInbox(t, s)

	t.Run("counts every status of the whole store", func(t *testing.T) {
		got, err := s.CountCasesByStatus(t.Context(), store.CaseFilter{})
		if err != nil {
			t.Fatalf("CountCasesByStatus: %v", err)
		}
		want := map[string]int{
			store.StatusReceived: 2, store.StatusAccepted: 1, store.StatusInvestigating: 3, store.StatusConcluded: 1,
			store.StatusTransferred: 1, store.StatusClosed: 1, store.StatusRejected: 1,
		}
		if !maps.Equal(got, want) {
			t.Errorf("CountCasesByStatus = %v, want %v", got, want)
		}
	})

	t.Run("ignores Statuses, Sort, Limit and Offset", func(t *testing.T) {
		f := store.CaseFilter{RegionCodes: []string{"220201"}, Statuses: []string{store.StatusClosed},
			Sort: store.SortDue, Limit: 1, Offset: 2}
		got, err := s.CountCasesByStatus(t.Context(), f)
		if err != nil {
			t.Fatalf("CountCasesByStatus: %v", err)
		}
		if want := map[string]int{store.StatusReceived: 1, store.StatusInvestigating: 2}; !maps.Equal(got, want) {
			t.Errorf("CountCasesByStatus(%+v) = %v, want %v", f, got, want)
		}
	})

	t.Run("statuses without cases are absent", func(t *testing.T) {
		got, err := s.CountCasesByStatus(t.Context(), store.CaseFilter{RegionCodes: []string{"229999"}})
		if err != nil {
			t.Fatalf("CountCasesByStatus: %v", err)
		}
		if len(got) != 0 {
			t.Errorf("CountCasesByStatus of an empty scope = %v, want no statuses", got)
		}
	})

	for _, tt := range inboxFilters() {
		t.Run("agrees with the list: "+tt.name, func(t *testing.T) {
			got, err := s.CountCasesByStatus(t.Context(), tt.filter)
			if err != nil {
				t.Fatalf("CountCasesByStatus(%+v): %v", tt.filter, err)
			}
			// The same filter without its statuses, as the count sees it.
			f := tt.filter
			f.Statuses = nil
			matched := wantWithoutStatuses(t, s, f)
			want := map[string]int{}
			for _, id := range matched {
				want[statuses[id]]++
			}
			if !maps.Equal(got, want) {
				t.Errorf("CountCasesByStatus(%+v) = %v, want %v", tt.filter, got, want)
			}
		})
	}
}

// wantWithoutStatuses lists every case f matches.
func wantWithoutStatuses(t *testing.T, s store.CaseStore, f store.CaseFilter) []string {
	t.Helper()
	f.Limit, f.Offset = store.MaxLimit, 0
	got, _, err := s.ListCases(t.Context(), f)
	if err != nil {
		t.Fatalf("ListCases(%+v): %v", f, err)
	}
	return caseIDs(got)
}

func testSortCases(t *testing.T, open func(t *testing.T) store.CaseStore) {
	s := open(t)
	// Created in this order, so Seq follows the IDs. s3 and s4 share a
	// CreatedAt, as do s1 and s6; s1 and s4 share a deadline.
	fixtures := []struct {
		id           string
		created, due time.Duration
	}{
		{"s1", 1 * time.Hour, 5 * day},
		{"s2", 2 * time.Hour, 0},
		{"s3", 3 * time.Hour, 2 * day},
		{"s4", 3 * time.Hour, 5 * day},
		{"s5", 4 * time.Hour, 0},
		{"s6", 1 * time.Hour, 0},
		{"s7", 2 * time.Hour, 1 * day},
	}
	for _, f := range fixtures {
		c := newCase(f.id, at(f.created))
		unhandled(c)
		if f.due != 0 {
			c.DueAt = at(f.due)
		}
		if f.id == "s7" {
			c.RegionCode = "220201"
		}
		mustCreate(t, s, c)
	}
	newest := []string{"s5", "s4", "s3", "s7", "s2", "s6", "s1"}
	oldest := []string{"s1", "s6", "s2", "s7", "s3", "s4", "s5"}
	due := []string{"s7", "s3", "s4", "s1", "s5", "s2", "s6"}
	tests := []struct {
		name   string
		filter store.CaseFilter
		want   []string
	}{
		{"newest first, Seq breaking ties", store.CaseFilter{}, newest},
		{"newest first by name", store.CaseFilter{Sort: store.SortNewest}, newest},
		{"an unknown sort is newest first", store.CaseFilter{Sort: "bogus"}, newest},
		{"oldest first, Seq breaking ties", store.CaseFilter{Sort: store.SortOldest}, oldest},
		{"due soonest first, then newest, then cases without a deadline newest first", store.CaseFilter{Sort: store.SortDue}, due},
		{"newest, a page", store.CaseFilter{Limit: 2, Offset: 2}, newest[2:4]},
		{"oldest, a page", store.CaseFilter{Sort: store.SortOldest, Limit: 3, Offset: 1}, oldest[1:4]},
		{"due, a page across the cases with and without a deadline", store.CaseFilter{Sort: store.SortDue, Limit: 2, Offset: 3}, due[3:5]},
		{"due, a page of cases without a deadline", store.CaseFilter{Sort: store.SortDue, Limit: 5, Offset: 5}, due[5:]},
		{"due, past the end", store.CaseFilter{Sort: store.SortDue, Offset: 7}, nil},
		{"due within a scope", store.CaseFilter{Sort: store.SortDue, RegionCodes: []string{"220102"}},
			[]string{"s3", "s4", "s1", "s5", "s2", "s6"}},
		{"oldest within a filter", store.CaseFilter{Sort: store.SortOldest, DueBefore: at(6 * day)},
			[]string{"s1", "s7", "s3", "s4"}},
		{"due within a filter", store.CaseFilter{Sort: store.SortDue, Unassigned: true, RegionCodes: []string{"220102"}, Limit: 3},
			[]string{"s3", "s4", "s1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.ListCases(t.Context(), tt.filter)
			if err != nil {
				t.Fatalf("ListCases(%+v): %v", tt.filter, err)
			}
			if ids := caseIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("ListCases(%+v) = %v, want %v", tt.filter, ids, tt.want)
			}
			f := tt.filter
			f.Limit, f.Offset = store.MaxLimit, 0
			all, _, err := s.ListCases(t.Context(), f)
			if err != nil {
				t.Fatalf("ListCases(%+v): %v", f, err)
			}
			if total != len(all) {
				t.Errorf("total %d, want %d", total, len(all))
			}
		})
	}

	t.Run("a deadline set later moves a case up the due order", func(t *testing.T) {
		view := mustGet(t, s, "s6")
		u := store.CaseUpdate{CaseID: view.ID, ExpectStatus: view.Status, ExpectVersion: view.Version,
			Event: store.Event{ID: "ev-s6-due", At: at(5 * time.Hour), Action: store.ActionExtend,
				FromStatus: view.Status, ToStatus: view.Status, Actor: "leader-1", Internal: true},
			Set: store.CaseChanges{DueAt: ptr(at(2 * day))}}
		mustUpdate(t, s, u)
		got, _, err := s.ListCases(t.Context(), store.CaseFilter{Sort: store.SortDue})
		if err != nil {
			t.Fatalf("ListCases: %v", err)
		}
		// s3 and s6 now share a deadline: the newer s3 comes first.
		if want := []string{"s7", "s3", "s6", "s4", "s1", "s5", "s2"}; !slices.Equal(caseIDs(got), want) {
			t.Errorf("ListCases(due) = %v, want %v", caseIDs(got), want)
		}
	})
}
