package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"fundwatch/store"
)

func testListCases(t *testing.T, open func(t *testing.T) store.CaseStore) {
	t.Run("filters, order and paging", func(t *testing.T) {
		s := open(t)
		fixtures := []struct {
			id, region, kind, status string
			demo                     bool
			created                  time.Duration
		}{
			{"l1", "220101", store.KindReport, store.StatusReceived, false, 1 * time.Hour},
			{"l2", "220102", store.KindComplaint, store.StatusAccepted, false, 2 * time.Hour},
			{"l3", "220201", store.KindReport, store.StatusReceived, true, 3 * time.Hour},
			{"l4", "220101", store.KindReport, store.StatusInvestigating, false, 4 * time.Hour},
			{"l5", "220102", store.KindComplaint, store.StatusRejected, true, 5 * time.Hour},
			// Same CreatedAt as l5 but created after it: the higher Seq comes first.
			{"l6", "220201", store.KindReport, store.StatusReceived, false, 5 * time.Hour},
			{"l7", "220100", store.KindReport, store.StatusReceived, false, 6 * time.Hour},
		}
		for _, f := range fixtures {
			c := newCase(f.id, at(f.created))
			c.RegionCode, c.Kind, c.Demo = f.region, f.kind, f.demo
			mustCreate(t, s, c)
			if f.status != store.StatusReceived {
				moveTo(t, s, c, f.status)
			}
		}
		all := []string{"l7", "l6", "l5", "l4", "l3", "l2", "l1"}
		yes, no := true, false
		tests := []struct {
			name   string
			filter store.CaseFilter
			want   []string
			total  int
		}{
			{"no filter returns all, newest first", store.CaseFilter{}, all, 7},
			{"empty region list is no region filter", store.CaseFilter{RegionCodes: []string{}}, all, 7},
			{"one region code", store.CaseFilter{RegionCodes: []string{"220101"}}, []string{"l4", "l1"}, 2},
			{"several region codes", store.CaseFilter{RegionCodes: []string{"220101", "220102"}}, []string{"l5", "l4", "l2", "l1"}, 4},
			{"region codes match exactly, not as a prefix", store.CaseFilter{RegionCodes: []string{"220100"}}, []string{"l7"}, 1},
			{"a scope without cases returns none", store.CaseFilter{RegionCodes: []string{"229999"}}, nil, 0},
			{"one status", store.CaseFilter{Statuses: []string{store.StatusReceived}}, []string{"l7", "l6", "l3", "l1"}, 4},
			{"several statuses", store.CaseFilter{Statuses: []string{store.StatusAccepted, store.StatusRejected}}, []string{"l5", "l2"}, 2},
			{"kind", store.CaseFilter{Kind: store.KindComplaint}, []string{"l5", "l2"}, 2},
			{"demo only", store.CaseFilter{Demo: &yes}, []string{"l5", "l3"}, 2},
			{"real cases only", store.CaseFilter{Demo: &no}, []string{"l7", "l6", "l4", "l2", "l1"}, 5},
			{"filters combine", store.CaseFilter{
				RegionCodes: []string{"220101", "220102"}, Kind: store.KindReport, Demo: &no,
			}, []string{"l4", "l1"}, 2},
			{"scope combines with status", store.CaseFilter{
				RegionCodes: []string{"220201"}, Statuses: []string{store.StatusReceived},
			}, []string{"l6", "l3"}, 2},
			{"limit", store.CaseFilter{Limit: 2}, []string{"l7", "l6"}, 7},
			{"limit and offset", store.CaseFilter{Limit: 2, Offset: 2}, []string{"l5", "l4"}, 7},
			{"offset to the last case", store.CaseFilter{Offset: 6}, []string{"l1"}, 7},
			{"offset past the end", store.CaseFilter{Offset: 10}, nil, 7},
			{"paging a filtered list", store.CaseFilter{Statuses: []string{store.StatusReceived}, Limit: 1, Offset: 1}, []string{"l6"}, 4},
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
				if total != tt.total {
					t.Errorf("ListCases(%+v) total = %d, want %d", tt.filter, total, tt.total)
				}
			})
		}

		t.Run("listed cases are complete", func(t *testing.T) {
			got, _, err := s.ListCases(t.Context(), store.CaseFilter{})
			if err != nil {
				t.Fatalf("ListCases: %v", err)
			}
			for _, c := range got {
				checkCase(t, "listed case "+c.ID, mustGet(t, s, c.ID), c)
			}
		})
	})

	t.Run("limit 0 means 50 and limits are capped at 500", func(t *testing.T) {
		s := open(t)
		const n = 501
		for i := range n {
			mustCreate(t, s, newCase(fmt.Sprintf("case-%03d", i), at(time.Duration(i)*time.Minute)))
		}
		tests := []struct {
			name  string
			limit int
			want  int
		}{
			{"limit 0 returns 50", 0, 50},
			{"limit 120 returns 120", 120, 120},
			{"limit 500 returns 500", 500, 500},
			{"limit 1000 returns 500", 1000, 500},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := s.ListCases(t.Context(), store.CaseFilter{Limit: tt.limit})
				if err != nil {
					t.Fatalf("ListCases: %v", err)
				}
				if len(got) != tt.want || total != n {
					t.Fatalf("got %d cases of %d, want %d of %d", len(got), total, tt.want, n)
				}
				if got[0].ID != fmt.Sprintf("case-%03d", n-1) {
					t.Errorf("first case %q, want the newest case-%03d", got[0].ID, n-1)
				}
			})
		}
	})
}

// moveTo walks a received case along the usual path to status.
func moveTo(t *testing.T, s store.CaseStore, c *store.Case, status string) {
	t.Helper()
	path := map[string][]string{
		store.StatusAccepted:      {store.StatusAccepted},
		store.StatusRejected:      {store.StatusRejected},
		store.StatusInvestigating: {store.StatusAccepted, store.StatusInvestigating},
	}[status]
	if path == nil {
		t.Fatalf("moveTo: no path to %q", status)
	}
	from := store.StatusReceived
	for i, to := range path {
		mustUpdate(t, s, store.CaseUpdate{
			CaseID: c.ID, ExpectStatus: from,
			Event: store.Event{
				ID: fmt.Sprintf("ev-%s-%d", c.ID, i), At: c.CreatedAt.Add(time.Duration(i+1) * time.Minute),
				Action: store.ActionStatus, FromStatus: from, ToStatus: to, Actor: "user-1",
			},
		})
		from = to
	}
}
