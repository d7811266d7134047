package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fundwatch/store"
)

const mailColumns = `id, to_address, reporter_case_id, subject, body, kind, case_id, region_code,
	status, attempts, next_attempt_at, lease_until, last_error, created_at, sent_at`

// EnqueueMail stores m as pending, due at its CreatedAt.
func (db *DB) EnqueueMail(ctx context.Context, m *store.Mail) error {
	switch {
	case m == nil || m.ID == "":
		return store.Incomplete("sqlite", "mail ID")
	case (m.To == "") == (m.ReporterCaseID == ""):
		return store.Incomplete("sqlite", "mail recipient (exactly one of To and ReporterCaseID)")
	}
	_, err := db.exec(ctx, `INSERT INTO outbox (`+mailColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, NULL, '', ?, NULL)`,
		m.ID, m.To, m.ReporterCaseID, m.Subject, m.Body, m.Kind, m.CaseID, m.RegionCode,
		store.MailPending, millis(m.CreatedAt), millis(m.CreatedAt))
	if err != nil {
		if store.ErrorCode(translate("", err)) == store.ECONFLICT {
			return store.Wrap(store.ECONFLICT, fmt.Errorf("sqlite: enqueue mail %q: %w", m.ID, err), store.MsgConflict)
		}
		return translate("enqueue mail", err)
	}
	m.Status, m.NextAttemptAt = store.MailPending, store.Truncate(m.CreatedAt)
	return nil
}

// ClaimMail leases due mails. The single writer connection runs one
// transaction at a time, so two claims never see the same mail free.
func (db *DB) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*store.Mail, error) {
	out := []*store.Mail{}
	if limit < 1 {
		return out, nil
	}
	until := millis(now.Add(lease))
	err := db.inWriteTx(ctx, "claim mail", func(ctx context.Context, tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET lease_until = ?
			WHERE id IN (SELECT id FROM outbox
				WHERE status = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
				ORDER BY created_at, id LIMIT ?)
			RETURNING `+mailColumns,
			until, store.MailPending, millis(now), millis(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMail(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// RETURNING gives rows in no promised order.
	slices.SortFunc(out, func(a, b *store.Mail) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// MarkMailSent records that a pending mail went out.
func (db *DB) MarkMailSent(ctx context.Context, id string, at time.Time) error {
	return db.updateMail(ctx, "mark mail sent", id, store.MailPending, `UPDATE outbox
		SET status = ?, sent_at = ?, attempts = attempts + 1, lease_until = NULL
		WHERE id = ? AND status = ?`, store.MailSent, millis(at), id, store.MailPending)
}

// MarkMailFailed records a failed attempt of a pending mail.
func (db *DB) MarkMailFailed(ctx context.Context, id string, lastError string, next time.Time, final bool) error {
	if final {
		return db.updateMail(ctx, "mark mail failed", id, store.MailPending, `UPDATE outbox
			SET status = ?, attempts = attempts + 1, last_error = ?, lease_until = NULL
			WHERE id = ? AND status = ?`, store.MailFailed, lastError, id, store.MailPending)
	}
	return db.updateMail(ctx, "mark mail failed", id, store.MailPending, `UPDATE outbox
		SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, lease_until = NULL
		WHERE id = ? AND status = ?`, lastError, millis(next), id, store.MailPending)
}

// RequeueMail makes a failed mail pending again.
func (db *DB) RequeueMail(ctx context.Context, id string, at time.Time) error {
	return db.updateMail(ctx, "requeue mail", id, store.MailFailed, `UPDATE outbox
		SET status = ?, next_attempt_at = ?, lease_until = NULL
		WHERE id = ? AND status = ?`, store.MailPending, millis(at), id, store.MailFailed)
}

// updateMail runs an UPDATE of one mail conditional on its status being
// from; no row changed is ENOTFOUND for a missing mail, else ECONFLICT
// (MsgAlreadyDone).
func (db *DB) updateMail(ctx context.Context, op, id, from, update string, args ...any) error {
	return db.inWriteTx(ctx, op, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, update, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		var status string
		err = tx.QueryRowContext(ctx, `SELECT status FROM outbox WHERE id = ?`, id).Scan(&status)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return store.NotFound(store.MsgNotFound)
		case err != nil:
			return err
		}
		return store.Wrap(store.ECONFLICT, fmt.Errorf("sqlite: %s: mail %q is %s, not %s", op, id, status, from), store.MsgAlreadyDone)
	})
}

// mailScope is the WHERE condition of a region scope: mails of the regions
// and mails with no region. No codes means no condition.
func mailScope(regionCodes []string) (string, []any) {
	if len(regionCodes) == 0 {
		return "", nil
	}
	args := []any{""}
	for _, c := range regionCodes {
		args = append(args, c)
	}
	return "region_code IN (?, " + placeholders(len(regionCodes)) + ")", args
}

// ListMail returns one page of matching mails, newest first, and how many
// match, from one snapshot.
func (db *DB) ListMail(ctx context.Context, f store.MailFilter) ([]*store.Mail, int, error) {
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	var conds []string
	var args []any
	if cond, scope := mailScope(f.RegionCodes); cond != "" {
		conds = append(conds, cond)
		args = append(args, scope...)
	}
	if f.Status != "" {
		conds = append(conds, "status = ?")
		args = append(args, f.Status)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	mails := []*store.Mail{}
	err := db.inReadTx(ctx, "list mail", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+mailColumns+` FROM outbox`+where+
			` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMail(rows)
			if err != nil {
				return err
			}
			mails = append(mails, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, err
	}
	return mails, total, nil
}

// CountMail counts the mails of a scope by status.
func (db *DB) CountMail(ctx context.Context, regionCodes []string) (map[string]int, error) {
	where, args := mailScope(regionCodes)
	if where != "" {
		where = " WHERE " + where
	}
	rows, err := db.read.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox`+where+` GROUP BY status`, args...)
	if err != nil {
		return nil, translate("count mail", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, translate("count mail", err)
		}
		counts[status] = n
	}
	if err := rows.Err(); err != nil {
		return nil, translate("count mail", err)
	}
	return counts, nil
}

func scanMail(row interface{ Scan(dest ...any) error }) (*store.Mail, error) {
	var m store.Mail
	var next, created int64
	var lease, sent sql.NullInt64
	err := row.Scan(&m.ID, &m.To, &m.ReporterCaseID, &m.Subject, &m.Body, &m.Kind, &m.CaseID, &m.RegionCode,
		&m.Status, &m.Attempts, &next, &lease, &m.LastError, &created, &sent)
	if err != nil {
		return nil, err
	}
	m.NextAttemptAt, m.CreatedAt = fromMillis(next), fromMillis(created)
	m.LeaseUntil, m.SentAt = fromOptionalMillis(lease), fromOptionalMillis(sent)
	return &m, nil
}
