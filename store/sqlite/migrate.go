package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"fundwatch/store"
)

// Migrations are numbered SQL files, applied in order, each in its own
// transaction and recorded in schema_migrations. A released file is never
// edited: a change to the schema is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded files and checks they are numbered
// 1, 2, 3 … without gaps, so a misnamed file fails every test, not a
// production start.
func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(prefix)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %q: name must start with a positive number and '_'", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: version, name: e.Name(), sql: string(body)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %q: expected number %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrateTx runs fn in a transaction of its own on write. Migrations run
// on open, before the writer of inWriteTx starts and before the statements
// of the write path can be prepared against the schema.
func migrateTx(ctx context.Context, write *sql.DB, op string, fn func(tx *sql.Tx) error) error {
	tx, err := write.BeginTx(ctx, nil)
	if err != nil {
		return translate(op, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return translate(op, err)
	}
	return translate(op, tx.Commit())
}

// migrate brings the schema up to date. Each migration is checked for inside
// its own immediate transaction, so two processes opening the same file at
// once apply it exactly once.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return store.Wrap(store.EINTERNAL, fmt.Errorf("sqlite: load migrations: %w", err), msgInternal)
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return translate("create schema_migrations", err)
	}
	var latest int
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return translate("read schema version", err)
	}
	if latest > len(ms) {
		// An older binary must not write to a schema it does not know.
		return store.Wrap(store.EINTERNAL,
			fmt.Errorf("sqlite: database schema version %d is newer than this program's %d", latest, len(ms)),
			"数据库版本高于程序版本，请升级程序")
	}
	for _, m := range ms {
		err := migrateTx(ctx, db.write, "migrate "+m.name, func(tx *sql.Tx) error {
			var applied int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&applied); err != nil {
				return err
			}
			if applied > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
