package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
	"fundwatch/store/sqlite"
)

func TestParseScenarios(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"all", allScenarios, false},
		{"inbox", allScenarios[:6], false},
		{"followup,intake", []string{"intake", "followup"}, false},
		{" inbox-province , intake ", []string{"inbox-province", "intake"}, false},
		{"followup", nil, true},
		{"inbox-nowhere", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		got, err := parseScenarios(tt.in)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("parseScenarios(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestSeededStoreIsWhatTheInboxExpects generates a small store and reads it
// back as the inbox does: every case is there with a unique number, the
// open ones have a deadline, the worked ones an assignee of their city, and
// the users sign in with the load password.
func TestSeededStoreIsWhatTheInboxExpects(t *testing.T) {
	ctx := context.Background()
	dir, work := t.TempDir(), t.TempDir()
	now := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	const n = 600
	st, err := seedInbox(ctx, filepath.Join(dir, "data"), work, n, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.cases != n || st.users != 2+2*len(casework.DefaultRegions().Cities()) {
		t.Fatalf("stats %+v", st)
	}
	db, err := sqlite.Open(filepath.Join(dir, "data", "fundwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := db.CountCasesByStatus(ctx, store.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for status, c := range st.byStatus {
		if counts[status] != c {
			t.Errorf("%s: store has %d, generated %d", status, counts[status], c)
		}
	}
	cases, total, err := db.ListCases(ctx, store.CaseFilter{Limit: store.MaxLimit})
	if err != nil || total != n {
		t.Fatalf("ListCases: %d, %v", total, err)
	}
	regions := casework.DefaultRegions()
	numbers := map[string]bool{}
	for _, c := range cases {
		if numbers[c.Number] {
			t.Errorf("number %s twice", c.Number)
		}
		numbers[c.Number] = true
		open := c.Status == store.StatusReceived || c.Status == store.StatusAccepted ||
			c.Status == store.StatusTransferred || c.Status == store.StatusInvestigating
		if open == c.DueAt.IsZero() {
			t.Errorf("case %s %s: due %v", c.Number, c.Status, c.DueAt)
		}
		if c.AssigneeID != "" {
			u, err := db.UserByID(ctx, c.AssigneeID)
			if err != nil || !regions.IsWithin(c.RegionCode, u.RegionCode) {
				t.Errorf("case %s in %s assigned to %v (%v)", c.Number, c.RegionCode, u, err)
			}
		}
		if c.CreatedAt.After(now) || c.UpdatedAt.Before(c.CreatedAt) {
			t.Errorf("case %s: created %v, updated %v", c.Number, c.CreatedAt, c.UpdatedAt)
		}
	}
	for _, name := range []string{cityUser, provinceUser} {
		u, err := db.UserByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := casework.CheckPassword(u.PasswordHash, loadPassword); !ok || u.Role != store.RoleHandler || u.MustChangePassword {
			t.Errorf("%s: password ok %v, role %s, must change %v", name, ok, u.Role, u.MustChangePassword)
		}
	}
}
