package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"fundwatch/store"
)

const auditColumns = `seq, at, actor_id, actor_name, action, target_type, target_id, region_code,
	detail, ip, request_id, prev_hash, hash`

// AppendAudit links e to the last entry and inserts it in one write
// transaction. All writes share one connection, so no other append can come
// between reading the last entry and inserting after it; seq being the
// primary key would refuse a second entry in the same place anyway.
func (db *DB) AppendAudit(ctx context.Context, e *store.AuditEntry) error {
	switch {
	case e == nil || e.At.IsZero():
		return store.Incomplete("sqlite", "audit time")
	case e.Action == "":
		return store.Incomplete("sqlite", "audit action")
	}
	entry := *e
	entry.At = store.Truncate(e.At)
	err := db.inWriteTx(ctx, "append audit", func(ctx context.Context, tx *sql.Tx) error {
		var lastSeq int64
		lastHash := ""
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&lastSeq, &lastHash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		entry.Seq, entry.PrevHash = lastSeq+1, lastHash
		entry.Hash = store.AuditHash(entry)
		_, err = tx.ExecContext(ctx, `INSERT INTO audit (`+auditColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			entry.Seq, millis(entry.At), entry.ActorID, entry.ActorName, entry.Action, entry.TargetType,
			entry.TargetID, entry.RegionCode, entry.Detail, entry.IP, entry.RequestID, entry.PrevHash, entry.Hash)
		return err
	})
	if err != nil {
		return err
	}
	*e = entry
	return nil
}

// ListAudit returns one page of matching entries, newest first, and the
// number of matches; both come from one snapshot.
func (db *DB) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, int, error) {
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	var conds []string
	var args []any
	if len(f.RegionCodes) > 0 {
		// Entries with no region (sign-ins, system work) belong to every
		// scope.
		conds = append(conds, "region_code IN ("+placeholders(len(f.RegionCodes)+1)+")")
		for _, r := range f.RegionCodes {
			args = append(args, r)
		}
		args = append(args, "")
	}
	if f.ActorID != "" {
		conds = append(conds, "actor_id = ?")
		args = append(args, f.ActorID)
	}
	if f.ActionPrefix != "" {
		// A range on the bytes, not LIKE: LIKE ignores ASCII case and
		// gives % and _ a meaning, and a range can use the index.
		if upper, ok := prefixUpperBound(f.ActionPrefix); ok {
			conds = append(conds, "action >= ? AND action < ?")
			args = append(args, f.ActionPrefix, upper)
		} else {
			conds = append(conds, "action >= ?")
			args = append(args, f.ActionPrefix)
		}
	}
	if f.TargetID != "" {
		conds = append(conds, "target_id = ?")
		args = append(args, f.TargetID)
	}
	if !f.From.IsZero() {
		conds = append(conds, "at >= ?")
		args = append(args, millis(store.Truncate(f.From)))
	}
	if !f.To.IsZero() {
		conds = append(conds, "at < ?")
		args = append(args, millis(store.Truncate(f.To)))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}

	var total int
	entries := []store.AuditEntry{}
	err := db.inReadTx(ctx, "list audit", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit`+where, args...).Scan(&total); err != nil {
			return err
		}
		var err error
		entries, err = queryAudit(ctx, tx, `SELECT `+auditColumns+` FROM audit`+where+
			` ORDER BY seq DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return entries, total, nil
}

// AuditEntries returns entries after afterSeq in chain order, as stored.
func (db *DB) AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]store.AuditEntry, error) {
	limit, _ = store.PageBounds(limit, 0)
	var entries []store.AuditEntry
	err := db.inReadTx(ctx, "audit entries", func(tx *sql.Tx) error {
		var err error
		entries, err = queryAudit(ctx, tx, `SELECT `+auditColumns+` FROM audit WHERE seq > ? ORDER BY seq LIMIT ?`,
			afterSeq, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	return entries, nil
}

func queryAudit(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]store.AuditEntry, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	entries := []store.AuditEntry{}
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		err := rows.Scan(&e.Seq, &at, &e.ActorID, &e.ActorName, &e.Action, &e.TargetType, &e.TargetID,
			&e.RegionCode, &e.Detail, &e.IP, &e.RequestID, &e.PrevHash, &e.Hash)
		if err != nil {
			return nil, err
		}
		e.At = fromMillis(at)
		entries = append(entries, e)
	}
	return entries, rows.Err()
}

// prefixUpperBound returns the least string greater than every string that
// starts with prefix, comparing bytes (SQLite's BINARY collation): prefix
// with its last byte below 0xff incremented and what follows dropped. ok is
// false when there is none (prefix is all 0xff bytes).
func prefixUpperBound(prefix string) (upper string, ok bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
