package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
		{"public", allScenarios[6:23], false},
		{"search", allScenarios[23:26], false},
		{"disclosure-funds,home", []string{"home", "disclosure-funds"}, false},
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
	st, err := seedStore(ctx, filepath.Join(dir, "data"), work, seedPlan{cases: n}, now, nil)
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

// TestSeededDisclosureIsPublished publishes the load test's disclosure into
// an empty store and reads it back as the public site does: five years of
// fund tables for the province and every city, the account notes and the
// articles, all live.
func TestSeededDisclosureIsPublished(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	st, err := seedStore(ctx, filepath.Join(dir, "data"), "", seedPlan{disclosure: true}, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	regions := casework.DefaultRegions()
	wantFunds := (1 + len(regions.Cities())) * len(seedFundYears)
	if st.cases != 0 || st.disclosure == nil || st.disclosure.fundReports != wantFunds ||
		st.disclosure.accountNotes != len(seedFundYears) || st.disclosure.articles != seedAnnouncements+seedNews+seedNotices {
		t.Fatalf("stats %+v, disclosure %+v", st, st.disclosure)
	}
	db, err := sqlite.Open(filepath.Join(dir, "data", "fundwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tests := []struct {
		kind string
		want int
	}{
		{store.PubFundReport, wantFunds},
		{store.PubAccountNote, len(seedFundYears)},
		{store.PubAnnouncement, seedAnnouncements},
		{store.PubNews, seedNews},
		{store.PubNotice, seedNotices},
	}
	for _, tt := range tests {
		page, total, err := db.ListPublished(ctx, store.PublishedFilter{Kinds: []string{tt.kind}, Limit: store.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		if total != tt.want || len(page) != tt.want {
			t.Errorf("%s: %d published (page %d), want %d", tt.kind, total, len(page), tt.want)
		}
		for _, p := range page {
			if p.Live == nil || p.Publication.Withdrawn() {
				t.Errorf("%s %s: not live", tt.kind, p.Publication.ID)
			}
		}
	}
	page, _, err := db.ListPublished(ctx, store.PublishedFilter{Kinds: []string{store.PubFundReport},
		RegionCodes: []string{regions.Root().Code}, Year: 2025, Limit: 1})
	if err != nil || len(page) != 1 || len(page[0].Live.FundRows) != len(seedFundTypes) {
		t.Fatalf("the province's 2025 table: %v, %v", page, err)
	}
}

// TestStoreCacheCopiesTheStoreOfItsPlanOnly: a kept store is copied into a
// later run's data directory for the same plan, and not for another.
func TestStoreCacheCopiesTheStoreOfItsPlanOnly(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	for path, content := range map[string]string{"fundwatch.db": "db", "secret.key": "key", "search/cases/index_meta.json": "{}"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(data, path)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, path), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sc := storeCache{dir: filepath.Join(dir, "cache")}
	plan := seedPlan{cases: 100, disclosure: true}
	if _, ok, err := sc.load(plan, filepath.Join(dir, "run1")); ok || err != nil {
		t.Fatalf("an empty cache: ok %v, %v", ok, err)
	}
	if err := sc.save(plan, data, "100 cases"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := sc.load(seedPlan{cases: 100}, filepath.Join(dir, "run2")); ok || err != nil {
		t.Errorf("another plan: ok %v, %v", ok, err)
	}
	info, ok, err := sc.load(plan, filepath.Join(dir, "run3"))
	if !ok || err != nil || !strings.HasPrefix(info, "100 cases") {
		t.Fatalf("the same plan: %q, ok %v, %v", info, ok, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "run3", "search/cases/index_meta.json")); err != nil || string(b) != "{}" {
		t.Errorf("the index was not copied: %q, %v", b, err)
	}
}
