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
	created_at, updated_at, version, indexed_version,
	assignee_id, due_at, important_class, national, serious_impact, discovered_on, investigation_mode,
	extension_days, conclusion_amount_involved_fen, conclusion_amount_recovered_fen, conclusion_measures,
	conclusion_rectify_by,
	subject_legal_rep, occurred_to, complaint_request, complaint_hired_on, complaint_position, complaint_contract,
	notice_version, satisfaction, satisfaction_reason, satisfaction_at`

const eventColumns = `id, case_id, at, action, from_status, to_status, result, note, actor, internal`

// The statements that file a case (prepared on open, see prepared.go).
const (
	nextSeqSQL = `INSERT INTO case_counters (year, last_seq) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last_seq = last_seq + 1
		RETURNING last_seq`
	insertCaseSQL = `INSERT INTO cases (` + caseColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertEventSQL = `INSERT INTO case_events (` + eventColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
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
	year := c.CreatedAt.In(store.CST).Year()
	var seq int64
	err := db.inWriteTx(ctx, "create case", func(ctx context.Context, tx *sql.Tx) error {
		err := db.hot.queryRow(ctx, tx, nextSeqSQL, year).Scan(&seq)
		if err != nil {
			return err
		}
		row := *c
		row.Number, row.Year, row.Seq = formatNumber(year, seq), year, seq
		row.Version, row.IndexedVersion = 1, 0
		if err := db.insertCase(ctx, tx, &row); err != nil {
			return err
		}
		first.CaseID = c.ID
		if err := db.insertEvent(ctx, tx, first); err != nil {
			return err
		}
		return db.insertFiles(ctx, tx, c.ID, "", c.Files)
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
	return db.caseWhere(ctx, "case by id", caseByIDSQL, id)
}

// CaseByNumber returns the case with the given number, e.g. "2026-000123".
func (db *DB) CaseByNumber(ctx context.Context, number string) (*store.Case, error) {
	return db.caseWhere(ctx, "case by number", caseByNumberSQL, number)
}

// CaseByIdempotencyKey returns the case a submission with this key created.
func (db *DB) CaseByIdempotencyKey(ctx context.Context, key string) (*store.Case, error) {
	return db.caseWhere(ctx, "case by idempotency key", caseByIdempotencyKeySQL, key)
}

// RehashIdempotencyKeys replaces the keys not yet in prefixed form, in one
// transaction.
func (db *DB) RehashIdempotencyKeys(ctx context.Context, prefix string, hash func(string) string) (int, error) {
	n := 0
	err := db.inWriteTx(ctx, "rehash idempotency keys", func(ctx context.Context, tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, idempotency_key FROM cases WHERE substr(idempotency_key, 1, ?) <> ?`,
			len(prefix), prefix)
		if err != nil {
			return err
		}
		type row struct{ id, key string }
		var todo []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.key); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, r := range todo {
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET idempotency_key = ? WHERE id = ?`, hash(r.key), r.id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Reads of one case, prepared on open (readStatements).
const (
	caseByIDSQL             = `SELECT ` + caseColumns + ` FROM cases WHERE id = ?`
	caseByNumberSQL         = `SELECT ` + caseColumns + ` FROM cases WHERE number = ?`
	caseByIdempotencyKeySQL = `SELECT ` + caseColumns + ` FROM cases WHERE idempotency_key = ?`
)

// caseWhere reads the one case query (SELECT caseColumns …) finds, with
// its prepared statement when it is one.
func (db *DB) caseWhere(ctx context.Context, op, query string, args ...any) (*store.Case, error) {
	var row *sql.Row
	if s, ok := db.reads[query]; ok {
		row = s.QueryRowContext(ctx, args...)
	} else {
		row = db.read.QueryRowContext(ctx, query, args...)
	}
	c, err := scanCase(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, caseNotFound()
	}
	if err != nil {
		return nil, translate(op, err)
	}
	return c, nil
}

// CaseInRegions returns the case only if its region is one of regionCodes;
// the scope is part of the query, so a case outside it is not even read.
func (db *DB) CaseInRegions(ctx context.Context, id string, regionCodes []string) (*store.Case, error) {
	if len(regionCodes) == 0 {
		return nil, caseNotFound()
	}
	args := []any{id}
	for _, r := range regionCodes {
		args = append(args, r)
	}
	return db.caseWhere(ctx, "case in regions", `SELECT `+caseColumns+` FROM cases WHERE id = ? AND region_code IN (`+placeholders(len(regionCodes))+`)`, args...)
}

// CasesByIDs reads the cases among ids within a scope in one query and
// puts them in the order of ids.
func (db *DB) CasesByIDs(ctx context.Context, ids []string, regionCodes []string) ([]*store.Case, error) {
	if len(ids) > store.MaxLimit {
		return nil, incomplete(fmt.Sprintf("at most %d case IDs", store.MaxLimit))
	}
	ids = store.DistinctIDs(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	var conds []string
	var args []any
	conds, args = inCondition(conds, args, "id", ids)
	conds, args = inCondition(conds, args, "region_code", regionCodes)
	rows, err := db.read.QueryContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE `+strings.Join(conds, " AND "), args...)
	if err != nil {
		return nil, translate("cases by ids", err)
	}
	defer rows.Close()
	found := make(map[string]*store.Case, len(ids))
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, translate("cases by ids", err)
		}
		found[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, translate("cases by ids", err)
	}
	return inIDOrder(ids, found), nil
}

// inIDOrder returns the values of found in the order of ids, leaving out
// the ids found has no value for.
func inIDOrder[T any](ids []string, found map[string]T) []T {
	out := make([]T, 0, len(found))
	for _, id := range ids {
		if v, ok := found[id]; ok {
			out = append(out, v)
		}
	}
	return out
}

// UpdateCase checks u against the case and applies it in one immediate
// transaction: the single writer connection runs one at a time, so the
// check and the write see the same case, and of several updates from one
// view the first wins and the others find the case moved on.
func (db *DB) UpdateCase(ctx context.Context, u store.CaseUpdate) (*store.Case, error) {
	if err := checkUpdate(u); err != nil {
		return nil, err
	}
	var c *store.Case
	err := db.inWriteTx(ctx, "update case", func(ctx context.Context, tx *sql.Tx) error {
		var status string
		var version int64
		err := tx.QueryRowContext(ctx, `SELECT status, version FROM cases WHERE id = ?`, u.CaseID).Scan(&status, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return caseNotFound()
		} else if err != nil {
			return err
		}
		var done int
		err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_events WHERE id = ? AND case_id = ?`,
			u.Event.ID, u.CaseID).Scan(&done)
		switch {
		case err != nil:
			return err
		case done > 0:
			return alreadyDone()
		case status != u.ExpectStatus || u.ExpectVersion != 0 && version != u.ExpectVersion:
			return staleCase()
		}

		set, args := changes(u.Set)
		set = append([]string{"status = ?", "updated_at = ?", "version = version + 1"}, set...)
		args = append([]any{u.Event.ToStatus, millis(u.Event.At)}, args...)
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET `+strings.Join(set, ", ")+` WHERE id = ?`,
			append(args, u.CaseID)...); err != nil {
			return err
		}
		ev := u.Event
		ev.CaseID = u.CaseID
		if err := db.insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		c, err = scanCase(tx.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, u.CaseID))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkUpdate refuses an update the contract calls incomplete.
func checkUpdate(u store.CaseUpdate) error {
	switch {
	case u.Event.ID == "":
		return incomplete("event ID")
	case u.ExpectStatus == "":
		return incomplete("expected status")
	case u.Event.ToStatus == "":
		return incomplete("new status")
	case u.Event.FromStatus != u.ExpectStatus:
		return incomplete("event from-status equal to the expected status")
	}
	return nil
}

// changes renders the non-nil fields of ch as SET assignments.
func changes(ch store.CaseChanges) ([]string, []any) {
	var set []string
	var args []any
	add := func(column string, value any) {
		set = append(set, column+" = ?")
		args = append(args, value)
	}
	if ch.RegionCode != nil {
		add("region_code", *ch.RegionCode)
	}
	if ch.Channel != nil {
		add("channel", *ch.Channel)
	}
	if ch.AssigneeID != nil {
		add("assignee_id", *ch.AssigneeID)
	}
	if ch.DueAt != nil {
		add("due_at", optionalMillis(*ch.DueAt))
	}
	if ch.Result != nil {
		add("result", *ch.Result)
	}
	if ch.ImportantClass != nil {
		add("important_class", classOrNone(*ch.ImportantClass))
	}
	if ch.National != nil {
		add("national", *ch.National)
	}
	if ch.SeriousImpact != nil {
		add("serious_impact", *ch.SeriousImpact)
	}
	if ch.DiscoveredOn != nil {
		add("discovered_on", *ch.DiscoveredOn)
	}
	if ch.InvestigationMode != nil {
		add("investigation_mode", *ch.InvestigationMode)
	}
	if ch.ExtensionDays != nil {
		add("extension_days", *ch.ExtensionDays)
	}
	if ch.Conclusion != nil {
		add("conclusion_amount_involved_fen", ch.Conclusion.AmountInvolvedFen)
		add("conclusion_amount_recovered_fen", ch.Conclusion.AmountRecoveredFen)
		add("conclusion_measures", ch.Conclusion.Measures)
		add("conclusion_rectify_by", ch.Conclusion.RectifyBy)
	}
	return set, args
}

// RateCase checks and records a rating in one immediate transaction, so
// the check and the write see the same case.
func (db *DB) RateCase(ctx context.Context, r store.CaseRating) (*store.Case, error) {
	switch {
	case r.ExpectStatus == "":
		return nil, incomplete("expected status")
	case r.Satisfaction.Rating == "":
		return nil, incomplete("rating")
	case r.Satisfaction.At.IsZero():
		return nil, incomplete("rating time")
	}
	var c *store.Case
	err := db.inWriteTx(ctx, "rate case", func(ctx context.Context, tx *sql.Tx) error {
		var status, rating string
		err := tx.QueryRowContext(ctx, `SELECT status, satisfaction FROM cases WHERE id = ?`, r.CaseID).Scan(&status, &rating)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return caseNotFound()
		case err != nil:
			return err
		case status != r.ExpectStatus:
			return staleCase()
		case r.OnlyFirst && rating != "":
			return alreadyDone()
		}
		at := millis(r.Satisfaction.At)
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET satisfaction = ?, satisfaction_reason = ?, satisfaction_at = ?,
			updated_at = ?, version = version + 1 WHERE id = ?`,
			r.Satisfaction.Rating, r.Satisfaction.Reason, at, at, r.CaseID); err != nil {
			return err
		}
		c, err = scanCase(tx.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, r.CaseID))
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
	return db.inWriteTx(ctx, "add message", func(ctx context.Context, tx *sql.Tx) error {
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
		if err != nil {
			return err
		}
		return db.insertFiles(ctx, tx, m.CaseID, m.ID, m.Files)
	})
}

// CaseEvents returns the timeline of a case, oldest first.
func (db *DB) CaseEvents(ctx context.Context, caseID string) ([]store.Event, error) {
	var evs []store.Event
	err := db.inReadTx(ctx, "case events", func(tx *sql.Tx) error {
		if err := caseExists(ctx, tx, db.reads, caseID); err != nil {
			return err
		}
		rows, err := db.reads.query(ctx, tx, caseEventsSQL, caseID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e store.Event
			var at int64
			if err := rows.Scan(&e.ID, &e.CaseID, &at, &e.Action, &e.FromStatus, &e.ToStatus, &e.Result, &e.Note,
				&e.Actor, &e.Internal); err != nil {
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
		if err := caseExists(ctx, tx, db.reads, caseID); err != nil {
			return err
		}
		rows, err := db.reads.query(ctx, tx, caseMessagesSQL, caseID)
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

// insertCase writes the row of c as it is (number, version and all); a
// trigger adds its insurance types' rows (migration 0002).
func (db *DB) insertCase(ctx context.Context, tx *sql.Tx, c *store.Case) error {
	types, err := encodeTypes(c.InsuranceTypes)
	if err != nil {
		return err
	}
	_, err = db.hot.exec(ctx, tx, insertCaseSQL,
		c.ID, c.Number, c.Year, c.Seq, c.Kind, c.ReporterType, c.Anonymous, c.Category, types,
		c.RegionCode, c.Subject.Name, c.Subject.CreditCode, c.Subject.IDNumber, c.Subject.Address,
		c.AmountFen, c.AmountGiven, c.OccurredFrom, c.Description, c.Channel, c.Status, c.Result,
		blob(c.ReporterSealed), blob(c.AccessCodeHash), c.IdempotencyKey, c.SubmissionHash, c.Demo,
		millis(c.CreatedAt), millis(c.UpdatedAt), c.Version, c.IndexedVersion,
		c.AssigneeID, optionalMillis(c.DueAt), classOrNone(c.ImportantClass), c.National, c.SeriousImpact,
		c.DiscoveredOn, c.InvestigationMode, c.ExtensionDays,
		c.Conclusion.AmountInvolvedFen, c.Conclusion.AmountRecoveredFen, c.Conclusion.Measures, c.Conclusion.RectifyBy,
		c.Subject.LegalRepresentative, c.OccurredTo, c.Complaint.Request, c.Complaint.HiredOn, c.Complaint.Position,
		c.Complaint.Contract, c.NoticeVersion,
		c.Satisfaction.Rating, c.Satisfaction.Reason, optionalMillis(c.Satisfaction.At))
	return err
}

// insertEvent appends e to its case's timeline, an empty Action as
// store.ActionStatus.
func (db *DB) insertEvent(ctx context.Context, tx *sql.Tx, e store.Event) error {
	action := e.Action
	if action == "" {
		action = store.ActionStatus
	}
	_, err := db.hot.exec(ctx, tx, insertEventSQL,
		e.ID, e.CaseID, millis(e.At), action, e.FromStatus, e.ToStatus, e.Result, e.Note, e.Actor, e.Internal)
	return err
}

// caseExists returns an ENOTFOUND error when there is no case with this ID.
// Reads of a case's parts, prepared on open (readStatements).
const (
	caseExistsSQL   = `SELECT 1 FROM cases WHERE id = ?`
	caseEventsSQL   = `SELECT ` + eventColumns + ` FROM case_events WHERE case_id = ? ORDER BY at, pos`
	caseMessagesSQL = `SELECT id, case_id, at, author, body, actor FROM case_messages WHERE case_id = ? ORDER BY at, pos`
)

// caseExists reports caseNotFound unless the case exists, in tx: a reader's
// transaction with the readers' statements (db.reads), or the writer's
// with nil.
func caseExists(ctx context.Context, tx *sql.Tx, stmts prepared, id string) error {
	var one int
	err := stmts.queryRow(ctx, tx, caseExistsSQL, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return caseNotFound()
	}
	return err
}

func scanCase(row interface{ Scan(dest ...any) error }) (*store.Case, error) {
	var c store.Case
	var types string
	var created, updated int64
	var due, rated sql.NullInt64
	err := row.Scan(&c.ID, &c.Number, &c.Year, &c.Seq, &c.Kind, &c.ReporterType, &c.Anonymous, &c.Category, &types,
		&c.RegionCode, &c.Subject.Name, &c.Subject.CreditCode, &c.Subject.IDNumber, &c.Subject.Address,
		&c.AmountFen, &c.AmountGiven, &c.OccurredFrom, &c.Description, &c.Channel, &c.Status, &c.Result,
		&c.ReporterSealed, &c.AccessCodeHash, &c.IdempotencyKey, &c.SubmissionHash, &c.Demo,
		&created, &updated, &c.Version, &c.IndexedVersion,
		&c.AssigneeID, &due, &c.ImportantClass, &c.National, &c.SeriousImpact, &c.DiscoveredOn, &c.InvestigationMode,
		&c.ExtensionDays, &c.Conclusion.AmountInvolvedFen, &c.Conclusion.AmountRecoveredFen, &c.Conclusion.Measures,
		&c.Conclusion.RectifyBy,
		&c.Subject.LegalRepresentative, &c.OccurredTo, &c.Complaint.Request, &c.Complaint.HiredOn, &c.Complaint.Position,
		&c.Complaint.Contract, &c.NoticeVersion, &c.Satisfaction.Rating, &c.Satisfaction.Reason, &rated)
	if err != nil {
		return nil, err
	}
	if due.Valid {
		c.DueAt = fromMillis(due.Int64)
	}
	if rated.Valid {
		c.Satisfaction.At = fromMillis(rated.Int64)
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

// optionalMillis stores the zero time as NULL: no deadline, not signed
// yet, not sent yet — "not yet" rather than a date in year 1.
func optionalMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// classOrNone keeps an empty 要情 class as store.ClassNone.
func classOrNone(class string) string {
	if class == "" {
		return store.ClassNone
	}
	return class
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
