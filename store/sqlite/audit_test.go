package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"fundwatch/store"
)

// TestAuditTampering edits the audit table behind the store's back, the
// way someone with the database file could, and checks that walking the
// chain with store.VerifyAuditChain (what `fundwatch audit verify` does)
// names the first entry that no longer fits.
func TestAuditTampering(t *testing.T) {
	const n = 6
	tests := []struct {
		name            string
		tamper          func(t *testing.T, file *sql.DB, entries []store.AuditEntry)
		checked, broken int64
	}{
		{"an edited detail breaks that entry's hash", func(t *testing.T, file *sql.DB, _ []store.AuditEntry) {
			mustExecOne(t, file, `UPDATE audit SET detail = '无异常' WHERE seq = 3`)
		}, 2, 3},
		{"an edited time breaks that entry's hash", func(t *testing.T, file *sql.DB, _ []store.AuditEntry) {
			mustExecOne(t, file, `UPDATE audit SET at = at + 1 WHERE seq = 5`)
		}, 4, 5},
		{"an edit with its hash recomputed breaks the next entry's link", func(t *testing.T, file *sql.DB, es []store.AuditEntry) {
			e := es[2]
			e.Detail = "无异常"
			mustExecOne(t, file, `UPDATE audit SET detail = ?, hash = ? WHERE seq = 3`, e.Detail, store.AuditHash(e))
		}, 3, 4},
		{"a removed entry breaks the sequence", func(t *testing.T, file *sql.DB, _ []store.AuditEntry) {
			mustExecOne(t, file, `DELETE FROM audit WHERE seq = 3`)
		}, 2, 4},
		{"removing the first entry breaks the start", func(t *testing.T, file *sql.DB, _ []store.AuditEntry) {
			mustExecOne(t, file, `DELETE FROM audit WHERE seq = 1`)
		}, 0, 2},
		{"swapped entries break at the first of them", func(t *testing.T, file *sql.DB, _ []store.AuditEntry) {
			mustExecOne(t, file, `UPDATE audit SET seq = 100 WHERE seq = 2`)
			mustExecOne(t, file, `UPDATE audit SET seq = 2 WHERE seq = 3`)
			mustExecOne(t, file, `UPDATE audit SET seq = 3 WHERE seq = 100`)
		}, 1, 2},
		// The chain alone cannot show this; comparing the last hash with
		// one kept elsewhere can. The test documents the limit.
		{"removing the last entry leaves a shorter intact chain", func(t *testing.T, file *sql.DB, _ []store.AuditEntry) {
			mustExecOne(t, file, `DELETE FROM audit WHERE seq = ?`, n)
		}, n - 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "fundwatch.db")
			db, err := Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { _ = db.Close() })
			for i := range n {
				e := store.AuditEntry{
					At: time.Date(2026, 5, 1, 9, i, 0, 0, time.UTC), ActorID: "user-1", ActorName: "zhang.san",
					Action: "case.accept", TargetType: "case", TargetID: fmt.Sprintf("case-%d", i),
					RegionCode: "220102", Detail: fmt.Sprintf("受理第 %d 件", i), IP: "192.0.2.1",
				}
				if err := db.AppendAudit(t.Context(), &e); err != nil {
					t.Fatalf("AppendAudit: %v", err)
				}
			}
			if checked, firstBad, err := store.VerifyAuditChain(t.Context(), db, 2); err != nil || checked != n || firstBad != 0 {
				t.Fatalf("before tampering: VerifyAuditChain = %d, %d, %v; want %d, 0, nil", checked, firstBad, err, n)
			}
			entries, err := db.AuditEntries(t.Context(), 0, n)
			if err != nil {
				t.Fatalf("AuditEntries: %v", err)
			}

			// A connection of its own to the file, as a second process.
			file, err := sql.Open("sqlite", dsn(path, "_pragma=busy_timeout(5000)"))
			if err != nil {
				t.Fatalf("open the file: %v", err)
			}
			t.Cleanup(func() { _ = file.Close() })
			tc.tamper(t, file, entries)

			checked, firstBad, err := store.VerifyAuditChain(t.Context(), db, 2)
			if err != nil {
				t.Fatalf("VerifyAuditChain: %v", err)
			}
			if checked != tc.checked || firstBad != tc.broken {
				t.Errorf("VerifyAuditChain = checked %d, first bad %d; want %d, %d", checked, firstBad, tc.checked, tc.broken)
			}
		})
	}
}

func mustExecOne(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	res, err := db.ExecContext(t.Context(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("%s: changed %d rows (%v), want 1", query, n, err)
	}
}
