package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fundwatch/store"
	"fundwatch/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestImportConformance(t *testing.T) {
	storetest.RunImports(t, func(t *testing.T) store.Store { return openTemp(t) })
}

// openTemp opens a fresh database in the test's temporary directory and
// closes it when the test ends.
func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "fundwatch.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func testCase(id string, createdAt time.Time) *store.Case {
	return &store.Case{
		ID: id, Kind: store.KindReport, ReporterType: store.ReporterCitizen, Category: "embezzlement",
		InsuranceTypes: []string{"pension"}, RegionCode: "220102", Description: "测试 " + id,
		Channel: store.ChannelFundSupervision, Status: store.StatusReceived,
		AccessCodeHash: []byte{1, 2, 3}, IdempotencyKey: "idem-" + id,
		CreatedAt: createdAt, UpdatedAt: createdAt,
	}
}

func createTestCase(t *testing.T, db *DB, id string, createdAt time.Time) *store.Case {
	t.Helper()
	c := testCase(id, createdAt)
	err := db.CreateCase(t.Context(), c, store.Event{ID: "ev-" + id, At: createdAt, ToStatus: store.StatusReceived})
	if err != nil {
		t.Fatalf("CreateCase(%q): %v", id, err)
	}
	return c
}

func TestDataSurvivesCloseAndOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "fundwatch.db")
	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	created := time.Date(2026, 4, 1, 2, 3, 4, 5_000_000, time.UTC)
	c := createTestCase(t, db, "case-durable", created)
	if _, err := db.UpdateCase(t.Context(), store.CaseUpdate{
		CaseID: c.ID, ExpectStatus: store.StatusReceived, ExpectVersion: c.Version,
		Event: store.Event{ID: "ev-accept", At: created.Add(time.Hour), Action: store.ActionStatus,
			FromStatus: store.StatusReceived, ToStatus: store.StatusAccepted, Actor: "user-1"},
	}); err != nil {
		t.Fatalf("UpdateCase: %v", err)
	}
	if err := db.AddMessage(t.Context(), &store.Message{
		ID: "msg-1", CaseID: c.ID, At: created.Add(2 * time.Hour), Author: store.AuthorHandler, Body: "已受理", Actor: "user-1",
	}); err != nil {
		t.Fatalf("AddMessage: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	got, err := db.CaseByNumber(t.Context(), "2026-000001")
	if err != nil {
		t.Fatalf("CaseByNumber after reopen: %v", err)
	}
	if got.ID != c.ID || got.Status != store.StatusAccepted || got.Version != 3 || !got.CreatedAt.Equal(created) {
		t.Errorf("after reopen: ID %q Status %q Version %d CreatedAt %s, want %q accepted 3 %s",
			got.ID, got.Status, got.Version, got.CreatedAt, c.ID, created)
	}
	if evs, err := db.CaseEvents(t.Context(), c.ID); err != nil || len(evs) != 2 {
		t.Errorf("CaseEvents after reopen: %d events, err %v; want 2", len(evs), err)
	}
	if ms, err := db.CaseMessages(t.Context(), c.ID); err != nil || len(ms) != 1 || ms[0].Body != "已受理" {
		t.Errorf("CaseMessages after reopen: %+v, err %v; want the one message", ms, err)
	}
	next := createTestCase(t, db, "case-after-reopen", created.Add(24*time.Hour))
	if next.Number != "2026-000002" {
		t.Errorf("numbering after reopen gave %q, want 2026-000002", next.Number)
	}
}

func TestMigrations(t *testing.T) {
	t.Run("files are numbered from 1 without gaps", func(t *testing.T) {
		ms, err := loadMigrations()
		if err != nil {
			t.Fatalf("loadMigrations: %v", err)
		}
		if len(ms) == 0 {
			t.Fatal("no migrations embedded")
		}
	})

	t.Run("re-running on an up-to-date database is a no-op", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "fundwatch.db")
		db, err := Open(path)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		createTestCase(t, db, "case-before", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
		before := appliedMigrations(t, db)
		if err := db.migrate(t.Context()); err != nil {
			t.Fatalf("migrate again: %v", err)
		}
		if after := appliedMigrations(t, db); !equalMigrations(before, after) {
			t.Errorf("migrate again changed schema_migrations: before %v, after %v", before, after)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		db, err = Open(path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer db.Close()
		if after := appliedMigrations(t, db); !equalMigrations(before, after) {
			t.Errorf("reopen changed schema_migrations: before %v, after %v", before, after)
		}
		ms, _ := loadMigrations()
		if len(before) != len(ms) {
			t.Errorf("schema_migrations records %d migrations, %d are embedded", len(before), len(ms))
		}
		if _, err := db.CaseByID(t.Context(), "case-before"); err != nil {
			t.Errorf("case created before the re-run: %v", err)
		}
	})

	t.Run("a database from a newer program is refused", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "fundwatch.db")
		db, err := Open(path)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if _, err := db.write.ExecContext(t.Context(),
			`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`); err != nil {
			t.Fatalf("insert future migration: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		db, err = Open(path)
		if err == nil {
			db.Close()
			t.Fatal("Open of a newer schema succeeded")
		}
		if code := store.ErrorCode(err); code != store.EINTERNAL {
			t.Errorf("error code %q, want %q (%v)", code, store.EINTERNAL, err)
		}
	})
}

func appliedMigrations(t *testing.T, db *DB) map[int]int64 {
	t.Helper()
	rows, err := db.read.QueryContext(t.Context(), `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	defer rows.Close()
	applied := map[int]int64{}
	for rows.Next() {
		var v int
		var at int64
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatalf("scan schema_migrations: %v", err)
		}
		applied[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	return applied
}

func equalMigrations(a, b map[int]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for v, at := range a {
		if b[v] != at {
			return false
		}
	}
	return true
}

func TestOpen(t *testing.T) {
	t.Run("creates missing parent directories", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a", "b", "fundwatch.db")
		db, err := Open(path)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer db.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("database file: %v", err)
		}
	})

	t.Run("paths with URI characters open the named file", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "odd?name#50%")
		path := filepath.Join(dir, "fund watch.db")
		db, err := Open(path)
		if err != nil {
			t.Fatalf("Open(%q): %v", path, err)
		}
		defer db.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("database file: %v", err)
		}
	})

	// SQLite ignores an unknown pragma, so a typo in the DSN would silently
	// drop durability; read the settings back instead of trusting the string.
	t.Run("connections get the configured pragmas", func(t *testing.T) {
		db := openTemp(t)
		tests := []struct {
			name   string
			pool   *sql.DB
			pragma string
			want   string
		}{
			{"writer journal mode", db.write, "journal_mode", "wal"},
			{"writer synchronous", db.write, "synchronous", "2"}, // FULL
			{"writer foreign keys", db.write, "foreign_keys", "1"},
			{"writer busy timeout", db.write, "busy_timeout", "5000"},
			{"writer accepts writes", db.write, "query_only", "0"},
			{"reader journal mode", db.read, "journal_mode", "wal"},
			{"reader busy timeout", db.read, "busy_timeout", "5000"},
			{"reader is query only", db.read, "query_only", "1"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var got string
				if err := tt.pool.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
					t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
				}
				if got != tt.want {
					t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
				}
			})
		}
	})

	t.Run("the read pool refuses writes", func(t *testing.T) {
		db := openTemp(t)
		_, err := db.read.ExecContext(t.Context(), `INSERT INTO case_counters (year, last_seq) VALUES (2026, 1)`)
		if err == nil {
			t.Error("a write through the read pool succeeded")
		}
	})

	t.Run("an empty path is invalid", func(t *testing.T) {
		_, err := Open("")
		if code := store.ErrorCode(err); code != store.EINVALID {
			t.Errorf("error code %q, want %q (%v)", code, store.EINVALID, err)
		}
	})

	t.Run("a directory that is not writable gives an error", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("running as root, which ignores directory permissions, so the directory would be writable")
		}
		readOnly := filepath.Join(t.TempDir(), "readonly")
		if err := os.Mkdir(readOnly, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(readOnly, 0o700) })
		for _, path := range []string{
			filepath.Join(readOnly, "fundwatch.db"),
			filepath.Join(readOnly, "data", "fundwatch.db"),
		} {
			db, err := Open(path)
			if err == nil {
				db.Close()
				t.Errorf("Open(%q) succeeded in a read-only directory", path)
				continue
			}
			var se *store.Error
			if !errors.As(err, &se) || se.Code != store.EUNAVAILABLE || se.Message == "" {
				t.Errorf("Open(%q): %v, want an EUNAVAILABLE *store.Error", path, err)
			}
		}
	})
}

func TestUseAfterClose(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "fundwatch.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err = db.CaseByID(t.Context(), "any")
	if code := store.ErrorCode(err); code != store.EUNAVAILABLE {
		t.Errorf("CaseByID after Close: code %q (%v), want %q", code, err, store.EUNAVAILABLE)
	}
	if err := db.Ping(t.Context()); store.ErrorCode(err) != store.EUNAVAILABLE {
		t.Errorf("Ping after Close: %v, want EUNAVAILABLE", err)
	}
}

func TestTranslate(t *testing.T) {
	lockedErr := busyError(t)
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"no rows is not found", sql.ErrNoRows, store.ENOTFOUND},
		{"wrapped no rows is not found", errors.Join(errors.New("query"), sql.ErrNoRows), store.ENOTFOUND},
		{"a locked database is unavailable", lockedErr, store.EUNAVAILABLE},
		{"a deadline is unavailable", context.DeadlineExceeded, store.EUNAVAILABLE},
		{"a store error passes through", store.Errorf(store.EFORBIDDEN, "无权访问"), store.EFORBIDDEN},
		{"anything else is internal", errors.New("boom"), store.EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := translate("test", tt.err)
			var se *store.Error
			if !errors.As(err, &se) {
				t.Fatalf("translate(%v) = %v (%T), want a *store.Error", tt.err, err, err)
			}
			if se.Code != tt.code || se.Message == "" {
				t.Errorf("translate(%v) = code %q message %q, want code %q and a message", tt.err, se.Code, se.Message, tt.code)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("translate(%v) lost the original error", tt.err)
			}
		})
	}
	if translate("test", nil) != nil {
		t.Error("translate(nil) is not nil")
	}
}

// busyError returns the real driver error for a write attempted while another
// connection holds the write lock, with no busy timeout to wait it out.
func busyError(t *testing.T) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "busy.db")
	holder, err := sql.Open("sqlite", dsn(path, "_pragma=journal_mode(WAL)&_txlock=immediate"))
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(t.Context(), `CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	tx, err := holder.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := sql.Open("sqlite", dsn(path, "_pragma=busy_timeout(0)&_txlock=immediate"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.ExecContext(t.Context(), `INSERT INTO t (x) VALUES (1)`)
	if err == nil {
		t.Fatal("write while another connection holds the lock succeeded")
	}
	return err
}

func TestDatabaseFilesAreReadableByTheOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	db, err := Open(filepath.Join(dir, "fundwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	createTestCase(t, db, "case-perm", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	for _, name := range []string{"fundwatch.db", "fundwatch.db-wal", "fundwatch.db-shm"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group or others", name, perm)
		}
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	db.Close()
}
