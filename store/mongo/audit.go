package mongo

import (
	"context"
	"errors"
	"time"

	"fundwatch/store"
)

// Placeholders until this area is implemented; they keep the package
// compiling while the area is built. Nothing calls them yet.

var _ = time.Time{}

func todoAudit() error {
	return store.Wrap(store.EINTERNAL, errors.New("mongo: audit not implemented"), store.MsgInternal)
}

func (db *DB) AppendAudit(ctx context.Context, e *store.AuditEntry) error { return todoAudit() }

func (db *DB) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, int, error) {
	return nil, 0, todoAudit()
}

func (db *DB) AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]store.AuditEntry, error) {
	return nil, todoAudit()
}
