package storetest

import (
	"testing"
	"time"

	"fundwatch/store"
)

func testCaseInRegions(t *testing.T, open func(t *testing.T) store.CaseStore) {
	s := open(t)
	c := newCase("case-scoped", at(0))
	c.RegionCode = "220102"
	mustCreate(t, s, c)
	mustCreate(t, s, newCase("case-other", at(time.Minute)))

	t.Run("returns the case when its region is in the scope", func(t *testing.T) {
		want := mustGet(t, s, c.ID)
		for _, scope := range [][]string{
			{"220102"},
			{"220101", "220102", "220103"},
			{"220102", "220102"},
		} {
			got, err := s.CaseInRegions(t.Context(), c.ID, scope)
			if err != nil {
				t.Fatalf("CaseInRegions(%v): %v", scope, err)
			}
			checkCase(t, "CaseInRegions", want, got)
		}
	})

	// missing is how the store answers for a case that does not exist;
	// outside the scope it must answer exactly so, leaking nothing.
	_, missingErr := s.CaseByID(t.Context(), "case-missing")
	wantCode(t, "CaseByID of a missing case", missingErr, store.ENOTFOUND)
	if msg := store.ErrorMessage(missingErr); msg != store.MsgCaseNotFound {
		t.Errorf("CaseByID of a missing case: message %q, want %q", msg, store.MsgCaseNotFound)
	}

	outside := []struct {
		name  string
		id    string
		scope []string
	}{
		{"another region", c.ID, []string{"220201"}},
		{"the parent region's code", c.ID, []string{"220100"}},
		{"a prefix of the region code", c.ID, []string{"2201"}},
		{"a longer code starting with the region code", c.ID, []string{"2201020"}},
		{"an empty scope", c.ID, []string{}},
		{"a nil scope", c.ID, nil},
		{"an empty region code", c.ID, []string{""}},
		{"a missing case", "case-missing", []string{"220102"}},
		{"an empty ID", "", []string{"220102"}},
		{"an operator-looking ID", `{"$ne": ""}`, []string{"220102"}},
	}
	for _, tt := range outside {
		t.Run(tt.name+" answers like a missing case", func(t *testing.T) {
			got, err := s.CaseInRegions(t.Context(), tt.id, tt.scope)
			wantCode(t, "CaseInRegions", err, store.ErrorCode(missingErr))
			if msg, want := store.ErrorMessage(err), store.ErrorMessage(missingErr); msg != want {
				t.Errorf("message %q, want %q as for a missing case", msg, want)
			}
			if got != nil {
				t.Errorf("CaseInRegions returned case %q along with the error", got.ID)
			}
		})
	}

	t.Run("a transfer moves the case out of the old scope and into the new one", func(t *testing.T) {
		view := mustGet(t, s, c.ID)
		u := statusUpdate(view, "ev-transfer", store.StatusTransferred, at(time.Hour))
		u.Set.RegionCode = ptr("222401")
		mustUpdate(t, s, u)
		_, err := s.CaseInRegions(t.Context(), c.ID, []string{"220102"})
		wantCode(t, "CaseInRegions of the old scope", err, store.ENOTFOUND)
		got, err := s.CaseInRegions(t.Context(), c.ID, []string{"222401"})
		if err != nil {
			t.Fatalf("CaseInRegions of the new scope: %v", err)
		}
		if got.RegionCode != "222401" || got.Status != store.StatusTransferred {
			t.Errorf("RegionCode %q Status %q, want 222401 transferred", got.RegionCode, got.Status)
		}
	})
}
