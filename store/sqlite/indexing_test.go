package sqlite

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"fundwatch/store"
)

// TestIndexQueryPlans checks that the sync loop's reads use the indexes of
// migration 0009: PendingIndex reads the partial index of pending rows
// alone, in its order (no sort, no visit of the table), IndexState counts
// from the partial index and from the index on indexed_version, and
// ResetIndexed finds the indexed rows through the latter. Like the inbox
// plans, it runs without statistics, as production does.
func TestIndexQueryPlans(t *testing.T) {
	db := openTemp(t)
	for _, table := range []string{"cases", "publications"} {
		pending, indexed := stateQueries(table)
		for _, tc := range []struct {
			name, sql string
			args      []any
			want      string // the plan's one line
		}{
			{"pending", pendingQuery(table), []any{100},
				"SCAN " + table + " USING COVERING INDEX " + table + "_index_pending"},
			{"pending count", pending, nil,
				"SCAN " + table + " USING COVERING INDEX " + table + "_index_pending"},
			{"indexed count", indexed, nil,
				"SEARCH " + table + " USING COVERING INDEX " + table + "_indexed_version (indexed_version>?)"},
			{"reset", `UPDATE ` + table + ` SET indexed_version = 0 WHERE indexed_version > 0`, nil,
				"SEARCH " + table + " USING INDEX " + table + "_indexed_version (indexed_version>?)"},
		} {
			t.Run(table+"/"+tc.name, func(t *testing.T) {
				plan := queryPlan(t, db.write, tc.sql, tc.args)
				if len(plan) != 1 || plan[0] != tc.want {
					t.Errorf("plan:\n\t%s\nwant the one line\n\t%s\nquery: %s", strings.Join(plan, "\n\t"), tc.want, tc.sql)
				}
			})
		}
	}
}

// BenchmarkIndexBookkeeping100k measures the sync loop's store calls on
// 100,000 cases of which 100 are pending: a batch of PendingIndex, the
// IndexState counts, and marking a batch of 100 indexed.
//
//	go test -run '^$' -bench IndexBookkeeping100k -benchtime 20x ./store/sqlite/
func BenchmarkIndexBookkeeping100k(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "fundwatch.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	const n, pending = 100_000, 100
	fillCases(b, db, n)
	// fillCases stores every case at version 1, indexed 0: mark all but
	// the last few indexed.
	if _, err := db.write.ExecContext(b.Context(), `UPDATE cases SET indexed_version = 1 WHERE seq <= ?`, n-pending); err != nil {
		b.Fatal(err)
	}
	b.Run("PendingIndex", func(b *testing.B) {
		for b.Loop() {
			if marks, err := db.PendingIndex(b.Context(), store.IndexCases, 100); err != nil || len(marks) != pending {
				b.Fatalf("PendingIndex: %d marks, %v", len(marks), err)
			}
		}
	})
	b.Run("IndexState", func(b *testing.B) {
		for b.Loop() {
			if p, i, err := db.IndexState(b.Context(), store.IndexCases); err != nil || p != pending || i != n-pending {
				b.Fatalf("IndexState: %d pending, %d indexed, %v", p, i, err)
			}
		}
	})
	b.Run("MarkIndexed100", func(b *testing.B) {
		marks := make([]store.IndexMark, pending)
		for i := range marks {
			marks[i] = store.IndexMark{ID: fmt.Sprintf("case-%06d", n-pending+i), Version: 1}
		}
		for b.Loop() {
			if err := db.MarkIndexed(b.Context(), store.IndexCases, marks); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if _, err := db.write.ExecContext(b.Context(), `UPDATE cases SET indexed_version = 0 WHERE seq > ?`, n-pending); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
}
