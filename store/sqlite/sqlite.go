// Package sqlite is fundwatch's embedded default store: one SQLite file in WAL
// mode through modernc.org/sqlite, which is pure Go, so the binary needs no C
// toolchain and no database server.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"fundwatch/store"
)

// Connection parameters, applied by the driver to every new connection.
// busy_timeout lets a second process (a backup, `fundwatch migrate`) wait for
// the lock instead of failing at once; synchronous(FULL) makes a commit
// durable before CreateCase returns, which is what a receipt promises;
// _txlock=immediate takes the write lock at BEGIN, so a transaction never
// fails half-way when upgrading a read lock; secure_delete(1) overwrites
// what is deleted, so a purged identity or file key is gone from the file.
const (
	writeParams = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)&_pragma=secure_delete(1)&_pragma=temp_store(2)&_txlock=immediate"
	// Readers never write, so they take no write lock and refuse writes
	// (query_only) should a write ever be sent to the wrong pool.
	readParams = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_query_only=1"
)

// DB is a store.Store on one SQLite file. SQLite allows one writer at a time,
// so all writes share a single connection and queue in database/sql rather
// than spin on SQLITE_BUSY; reads use a separate pool that WAL lets run
// beside the writer, so a slow write never blocks a page view.
type DB struct {
	write  *sql.DB
	writer *writer  // runs inWriteTx's transactions on write, in groups (groupcommit.go)
	hot    prepared // statements of the busiest writes, prepared on write (prepared.go)
	read   *sql.DB
	reads  prepared // statements of the busiest reads, prepared on read (prepared.go)
}

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path, creating its
// directory too, and applies any migrations it has not seen yet. Opening an
// up-to-date database changes nothing.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, store.Errorf(store.EINVALID, "未配置数据库文件路径")
	}
	path = filepath.Clean(path)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, store.Wrap(store.EUNAVAILABLE, fmt.Errorf("sqlite: create data directory: %w", err), "无法创建数据目录")
	}
	// The database holds what reporters wrote: create it readable by the
	// owner only. SQLite gives the -wal and -shm files the same mode.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		_ = f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, store.Wrap(store.EUNAVAILABLE, fmt.Errorf("sqlite: create database file: %w", err), "无法创建数据库文件")
	}
	ctx := context.Background()

	write, err := sql.Open("sqlite", dsn(path, writeParams))
	if err != nil {
		return nil, translate("open", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	db := &DB{write: write}
	// The first statement on the writer opens the file (and switches it to
	// WAL), so migrating also reports a path that cannot be opened.
	if err := db.migrate(ctx); err != nil {
		_ = write.Close()
		return nil, err
	}
	if db.hot, err = prepare(ctx, write, hotStatements...); err != nil {
		_ = write.Close()
		return nil, err
	}
	db.writer = newWriter(write, db.hot)

	read, err := sql.Open("sqlite", dsn(path, readParams))
	if err != nil {
		db.writer.stop()
		_ = db.hot.close()
		_ = write.Close()
		return nil, translate("open", err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	db.read = read
	// From here on, Close undoes everything opened.
	if err := read.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, translate("open read pool", err)
	}
	if db.reads, err = prepare(ctx, read, readStatements...); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// dsn builds a SQLite URI for path. The driver hands "file:" names to SQLite
// as URIs, so characters that mean something in a URI are escaped.
func dsn(path, params string) string {
	escape := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")
	return "file:" + escape.Replace(path) + "?" + params
}

// Ping checks that both pools can reach the database file.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return translate("ping writer", err)
	}
	if err := db.read.PingContext(ctx); err != nil {
		return translate("ping readers", err)
	}
	return nil
}

// Close closes both pools, after the writes in progress. The writer closes
// last so that SQLite, seeing its last connection go, checkpoints the WAL
// into the main file.
func (db *DB) Close() error {
	db.writer.stop()
	return translate("close", errors.Join(db.reads.close(), db.read.Close(), db.hot.close(), db.write.Close()))
}

// inReadTx runs fn in a read transaction on the reader pool, so that several
// queries (a count and a page, a list and an existence check) see one
// snapshot.
func (db *DB) inReadTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return translate(op, err)
	}
	defer func() { _ = tx.Rollback() }()
	return translate(op, fn(tx))
}
