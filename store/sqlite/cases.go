package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"fundwatch/store"
)

const caseColumns = `id, number, year, seq, kind, reporter_type, anonymous, category, insurance_types,
	region_code, subject_name, subject_credit_code, subject_id_number, subject_address,
	amount_fen, amount_given, occurred_on, description, channel, status, result,
	reporter_sealed, access_code_hash, idempotency_key, submission_hash, demo,
	created_at, updated_at, version, indexed_version`

// List limits from store.CaseFilter.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// CreateCase stores c and its first event in one transaction together with
// the counter update that numbers it, so a number is never handed out for a
// case that was not stored (an idempotency conflict rolls the counter back).
func (db *DB) CreateCase(ctx context.Context, c *store.Case, first store.Event) error {
	switch {
	case c == nil || c.ID == "":
		return incomplete("case ID")
	case c.IdempotencyKey == "":
		return incomplete("idempotency key")
	case first.ID == "":
		return incomplete("first event ID")
	}
	types, err := encodeTypes(c.InsuranceTypes)
	if err != nil {
		return translate("create case", err)
	}
	year := c.CreatedAt.In(store.CST).Year()
	var seq int64
	err = db.inWriteTx(ctx, "create case", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO case_counters (year, last_seq) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET last_seq = last_seq + 1
			RETURNING last_seq`, year).Scan(&seq)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO cases (`+caseColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0)`,
			c.ID, formatNumber(year, seq), year, seq, c.Kind, c.ReporterType, c.Anonymous, c.Category, types,
			c.RegionCode, c.Subject.Name, c.Subject.CreditCode, c.Subject.IDNumber, c.Subject.Address,
			c.AmountFen, c.AmountGiven, c.OccurredOn, c.Description, c.Channel, c.Status, c.Result,
			blob(c.ReporterSealed), blob(c.AccessCodeHash), c.IdempotencyKey, c.SubmissionHash, c.Demo,
			millis(c.CreatedAt), millis(c.UpdatedAt))
		if err != nil {
			return err
		}
		first.CaseID = c.ID
		return insertEvent(ctx, tx, first)
	})
	if err != nil {
		return err
	}
	c.Number, c.Year, c.Seq = formatNumber(year, seq), year, seq
	c.Version, c.IndexedVersion = 1, 0
	return nil
}

// CaseByID returns the case with the given ID.
func (db *DB) CaseByID(ctx context.Context, id string) (*store.Case, error) {
	return db.caseWhere(ctx, "case by id", "id = ?", id)
}

// CaseByNumber returns the case with the given number, e.g. "2026-000123".
func (db *DB) CaseByNumber(ctx context.Context, number string) (*store.Case, error) {
	return db.caseWhere(ctx, "case by number", "number = ?", number)
}

// CaseByIdempotencyKey returns the case a submission with this key created.
func (db *DB) CaseByIdempotencyKey(ctx context.Context, key string) (*store.Case, error) {
	return db.caseWhere(ctx, "case by idempotency key", "idempotency_key = ?", key)
}

func (db *DB) caseWhere(ctx context.Context, op, where string, arg any) (*store.Case, error) {
	c, err := scanCase(db.read.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, caseNotFound()
	}
	if err != nil {
		return nil, translate(op, err)
	}
	return c, nil
}

// ListCases returns one page of matching cases, newest first, and the number
// of matches in all; both come from one snapshot.
func (db *DB) ListCases(ctx context.Context, f store.CaseFilter) ([]*store.Case, int, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	offset := max(f.Offset, 0)

	var conds []string
	var args []any
	if len(f.RegionCodes) > 0 {
		conds = append(conds, "region_code IN ("+placeholders(len(f.RegionCodes))+")")
		for _, r := range f.RegionCodes {
			args = append(args, r)
		}
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, "status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	if f.Kind != "" {
		conds = append(conds, "kind = ?")
		args = append(args, f.Kind)
	}
	if f.Demo != nil {
		conds = append(conds, "demo = ?")
		args = append(args, *f.Demo)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}

	var total int
	cases := []*store.Case{}
	err := db.inReadTx(ctx, "list cases", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+caseColumns+` FROM cases`+where+
			` ORDER BY created_at DESC, seq DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				return err
			}
			cases = append(cases, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, err
	}
	return cases, total, nil
}

// TransitionCase changes the status only if it is still t.FromStatus, in the
// same transaction that appends the event, so two handlers acting on the
// same case cannot both succeed. t.Result replaces the case's result only
// when set: closing a concluded case keeps what the investigation found.
func (db *DB) TransitionCase(ctx context.Context, t store.CaseTransition) (*store.Case, error) {
	if t.EventID == "" {
		return nil, incomplete("event ID")
	}
	var c *store.Case
	err := db.inWriteTx(ctx, "transition case", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cases
			SET status = ?, result = CASE WHEN ? = '' THEN result ELSE ? END,
				version = version + 1, updated_at = ?
			WHERE id = ? AND status = ?`,
			t.ToStatus, t.Result, t.Result, millis(t.At), t.CaseID, t.FromStatus)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if err := caseExists(ctx, tx, t.CaseID); err != nil {
				return err
			}
			return staleStatus()
		}
		err = insertEvent(ctx, tx, store.Event{
			ID: t.EventID, CaseID: t.CaseID, At: t.At, FromStatus: t.FromStatus,
			ToStatus: t.ToStatus, Result: t.Result, Note: t.Note, Actor: t.Actor,
		})
		if err != nil {
			return err
		}
		c, err = scanCase(tx.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, t.CaseID))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// AddMessage appends m to its case and bumps the case's version, so the
// search index picks up the change.
func (db *DB) AddMessage(ctx context.Context, m *store.Message) error {
	if m == nil || m.ID == "" {
		return incomplete("message ID")
	}
	return db.inWriteTx(ctx, "add message", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cases SET version = version + 1, updated_at = ? WHERE id = ?`,
			millis(m.At), m.CaseID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return caseNotFound()
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO case_messages (id, case_id, at, author, body, actor)
			VALUES (?, ?, ?, ?, ?, ?)`, m.ID, m.CaseID, millis(m.At), m.Author, m.Body, m.Actor)
		return err
	})
}

// CaseEvents returns the timeline of a case, oldest first.
func (db *DB) CaseEvents(ctx context.Context, caseID string) ([]store.Event, error) {
	var evs []store.Event
	err := db.inReadTx(ctx, "case events", func(tx *sql.Tx) error {
		if err := caseExists(ctx, tx, caseID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, case_id, at, from_status, to_status, result, note, actor
			FROM case_events WHERE case_id = ? ORDER BY at, pos`, caseID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e store.Event
			var at int64
			if err := rows.Scan(&e.ID, &e.CaseID, &at, &e.FromStatus, &e.ToStatus, &e.Result, &e.Note, &e.Actor); err != nil {
				return err
			}
			e.At = fromMillis(at)
			evs = append(evs, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return evs, nil
}

// CaseMessages returns the messages of a case, oldest first.
func (db *DB) CaseMessages(ctx context.Context, caseID string) ([]store.Message, error) {
	var ms []store.Message
	err := db.inReadTx(ctx, "case messages", func(tx *sql.Tx) error {
		if err := caseExists(ctx, tx, caseID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, case_id, at, author, body, actor
			FROM case_messages WHERE case_id = ? ORDER BY at, pos`, caseID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m store.Message
			var at int64
			if err := rows.Scan(&m.ID, &m.CaseID, &at, &m.Author, &m.Body, &m.Actor); err != nil {
				return err
			}
			m.At = fromMillis(at)
			ms = append(ms, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return ms, nil
}

func insertEvent(ctx context.Context, tx *sql.Tx, e store.Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events (id, case_id, at, from_status, to_status, result, note, actor)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.CaseID, millis(e.At), e.FromStatus, e.ToStatus, e.Result, e.Note, e.Actor)
	return err
}

// caseExists returns an ENOTFOUND error when there is no case with this ID.
func caseExists(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM cases WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return caseNotFound()
	}
	return err
}

func scanCase(row interface{ Scan(dest ...any) error }) (*store.Case, error) {
	var c store.Case
	var types string
	var created, updated int64
	err := row.Scan(&c.ID, &c.Number, &c.Year, &c.Seq, &c.Kind, &c.ReporterType, &c.Anonymous, &c.Category, &types,
		&c.RegionCode, &c.Subject.Name, &c.Subject.CreditCode, &c.Subject.IDNumber, &c.Subject.Address,
		&c.AmountFen, &c.AmountGiven, &c.OccurredOn, &c.Description, &c.Channel, &c.Status, &c.Result,
		&c.ReporterSealed, &c.AccessCodeHash, &c.IdempotencyKey, &c.SubmissionHash, &c.Demo,
		&created, &updated, &c.Version, &c.IndexedVersion)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(types), &c.InsuranceTypes); err != nil {
		return nil, fmt.Errorf("case %s: insurance_types: %w", c.ID, err)
	}
	if len(c.InsuranceTypes) == 0 {
		c.InsuranceTypes = nil
	}
	if len(c.ReporterSealed) == 0 {
		c.ReporterSealed = nil
	}
	if len(c.AccessCodeHash) == 0 {
		c.AccessCodeHash = nil
	}
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &c, nil
}

// formatNumber renders the public case number, e.g. "2026-000123".
func formatNumber(year int, seq int64) string { return store.FormatNumber(year, seq) }

func encodeTypes(types []string) (string, error) {
	if len(types) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(types)
	return string(b), err
}

// blob stores an empty []byte as NULL, so nil and empty read back the same.
func blob(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
