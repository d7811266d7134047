package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"fundwatch/store"
)

// TestCaseHandlingMigration opens a database written by a program that knew
// only migration 0001 and checks that its cases read as unhandled cases,
// its events as status changes shown to the reporter, and that the inbox
// filters and updates work on them.
func TestCaseHandlingMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fundwatch.db")
	old, err := sql.Open("sqlite", dsn(path, writeParams))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2025, 12, 1, 2, 0, 0, 0, time.UTC)
	at := func(d time.Duration) int64 { return created.Add(d).UnixMilli() }
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL,
			applied_at INTEGER NOT NULL) STRICT`, nil},
		{ms[0].sql, nil},
		{`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', 0)`, nil},
		{`INSERT INTO cases (id, number, year, seq, kind, reporter_type, anonymous, category, insurance_types,
			region_code, subject_name, subject_credit_code, subject_id_number, subject_address, amount_fen,
			amount_given, occurred_on, description, channel, status, result, reporter_sealed, access_code_hash,
			idempotency_key, submission_hash, demo, created_at, updated_at, version, indexed_version)
			VALUES ('case-old', '2025-000001', 2025, 1, 'report', 'citizen', 0, 'embezzlement',
			'["pension","medical"]', '220102', '某公司', '', '', '', 0, 0, '', '旧案件', 'fund_supervision',
			'accepted', '', NULL, NULL, 'idem-old', '', 0, ?, ?, 2, 0)`, []any{at(0), at(time.Hour)}},
		{`INSERT INTO case_events (id, case_id, at, from_status, to_status, result, note, actor)
			VALUES ('ev-old-1', 'case-old', ?, '', 'received', '', '已收到', 'system'),
			       ('ev-old-2', 'case-old', ?, 'received', 'accepted', '', '已受理', 'user-1')`,
			[]any{at(0), at(time.Hour)}},
	} {
		if _, err := old.Exec(stmt.sql, stmt.args...); err != nil {
			t.Fatalf("old schema: %v\n%s", err, stmt.sql)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open of a 0001 database: %v", err)
	}
	defer db.Close()
	c, err := db.CaseByID(t.Context(), "case-old")
	if err != nil {
		t.Fatalf("CaseByID: %v", err)
	}
	if c.AssigneeID != "" || !c.DueAt.IsZero() || c.ImportantClass != store.ClassNone || c.National ||
		c.SeriousImpact || c.DiscoveredOn != "" || c.InvestigationMode != "" || c.ExtensionDays != 0 ||
		c.Conclusion != (store.Conclusion{}) {
		t.Errorf("old case reads with handling %+v, want none", c)
	}
	if c.OccurredTo != "" || c.Subject.LegalRepresentative != "" || c.Complaint != (store.Complaint{}) || c.NoticeVersion != "" {
		t.Errorf("old case reads with the facts of migration 0006 %q %q %+v %q, want none",
			c.OccurredTo, c.Subject.LegalRepresentative, c.Complaint, c.NoticeVersion)
	}
	evs, err := db.CaseEvents(t.Context(), "case-old")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Action != store.ActionStatus || e.Internal {
			t.Errorf("old event %s: Action %q Internal %v, want status, shown", e.ID, e.Action, e.Internal)
		}
	}
	for _, f := range []store.CaseFilter{
		{InsuranceType: "medical", RegionCodes: []string{"220102"}},
		{InsuranceType: "pension", Category: "embezzlement"},
		{ImportantClass: store.ClassNone, Unassigned: true},
	} {
		got, total, err := db.ListCases(t.Context(), f)
		if err != nil || total != 1 || len(got) != 1 {
			t.Errorf("ListCases(%+v) = %d of %d, %v; want the old case", f, len(got), total, err)
		}
	}

	u := store.CaseUpdate{CaseID: c.ID, ExpectStatus: c.Status, ExpectVersion: c.Version,
		Event: store.Event{ID: "ev-new", At: created.Add(2 * time.Hour), FromStatus: c.Status,
			ToStatus: store.StatusTransferred, Actor: "user-2"},
		Set: store.CaseChanges{RegionCode: ptrTo("222401")}}
	if _, err := db.UpdateCase(t.Context(), u); err != nil {
		t.Fatalf("UpdateCase: %v", err)
	}
	got, _, err := db.ListCases(t.Context(), store.CaseFilter{InsuranceType: "medical", RegionCodes: []string{"222401"},
		Statuses: []string{store.StatusTransferred}})
	if err != nil || len(got) != 1 {
		t.Errorf("after a transfer the insurance-type list of the new region = %d cases, %v; want the old case", len(got), err)
	}
}

func ptrTo[T any](v T) *T { return &v }
