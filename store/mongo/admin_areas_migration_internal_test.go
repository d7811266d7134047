package mongo

import (
	"strings"
	"testing"

	"fundwatch/store/mongo/mongotest"
)

// TestAdminAreaMigrationsAreIdempotent runs the important, settings,
// outbox, publications and search index steps again on an opened database, as a crash
// between running a step and recording it would, and checks that each index
// exists once.
func TestAdminAreaMigrationsAreIdempotent(t *testing.T) {
	db, err := Open(t.Context(), mongotest.URI(t), mongotest.DatabaseName(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	for range 2 {
		if err := migrateImportant(t.Context(), db.database); err != nil {
			t.Fatalf("migrateImportant again: %v", err)
		}
		if err := migrateAuditSettingsOutbox(t.Context(), db.database); err != nil {
			t.Fatalf("migrateAuditSettingsOutbox again: %v", err)
		}
		if err := migratePublications(t.Context(), db.database); err != nil {
			t.Fatalf("migratePublications again: %v", err)
		}
		if err := migrateSearchIndex(t.Context(), db.database); err != nil {
			t.Fatalf("migrateSearchIndex again: %v", err)
		}
	}
	for _, tc := range []struct {
		collection string
		indexes    []string
	}{
		{collImportantReports, []string{"case_revision_unique", "region_code_due_at", "status_due_at", "due_at_created_at"}},
		{collQuarterlyReports, []string{"year_quarter_city_code_unique"}},
		{collOutbox, []string{"status_next_attempt_at", "created_at", "region_code_created_at"}},
		{collSettings, nil},
		{collCalendar, nil},
		{collPublications, []string{"slot_unique", "source_key_unique", "updated_at", "region_code_updated_at",
			"first_published_at", "pending_status_scheduled_at", "index_pending_updated_at", "indexed_version"}},
	} {
		t.Run(tc.collection, func(t *testing.T) {
			specs, err := db.database.Collection(tc.collection).Indexes().ListSpecifications(t.Context())
			if err != nil {
				t.Fatalf("list indexes: %v", err)
			}
			seen := map[string]int{}
			unique := map[string]bool{}
			for _, s := range specs {
				seen[s.Name]++
				unique[s.Name] = s.Unique != nil && *s.Unique
			}
			if seen["_id_"] != 1 {
				t.Errorf("the collection has no _id index (indexes %v): it was not created", seen)
			}
			for _, name := range tc.indexes {
				if seen[name] != 1 {
					t.Errorf("index %q present %d times, want once (indexes %v)", name, seen[name], seen)
				}
				if want := strings.HasSuffix(name, "_unique"); unique[name] != want {
					t.Errorf("index %q unique = %v, want %v", name, unique[name], want)
				}
			}
			if len(seen) != len(tc.indexes)+1 {
				t.Errorf("indexes %v, want _id_ and %v", seen, tc.indexes)
			}
		})
	}
}
