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

const reportColumns = `id, case_id, case_number, region_code, revision, supersedes, change_note,
	class, national, discovered_on, due_at, amount_fen, category, insurance_types, title, body, recipients,
	status, drafted_by, created_at, updated_at,
	signed_by, signed_by_name, signed_at, signed_hash, submitted_by, submitted_at, version`

// CreateImportantReport stores r as a new draft at version 1.
func (db *DB) CreateImportantReport(ctx context.Context, r *store.ImportantReport) error {
	switch {
	case r == nil || r.ID == "":
		return store.Incomplete("sqlite", "report ID")
	case r.CaseID == "":
		return store.Incomplete("sqlite", "report case ID")
	case r.RegionCode == "":
		return store.Incomplete("sqlite", "report region")
	case r.Revision < 1:
		return store.Incomplete("sqlite", "report revision")
	}
	if err := db.insertReport(ctx, "create important report", r, store.ReportDraft, 1); err != nil {
		return err
	}
	r.Status, r.Version = store.ReportDraft, 1
	return nil
}

// insertReport inserts r with the given status and version; an ID or a
// case revision in use is ECONFLICT (MsgConflict).
func (db *DB) insertReport(ctx context.Context, op string, r *store.ImportantReport, status string, version int64) error {
	types, err := encodeStringList(r.InsuranceTypes)
	if err != nil {
		return translate(op, err)
	}
	recipients, err := encodeStringList(r.Recipients)
	if err != nil {
		return translate(op, err)
	}
	_, err = db.exec(ctx, `INSERT INTO important_reports (`+reportColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.CaseID, r.CaseNumber, r.RegionCode, r.Revision, r.Supersedes, r.ChangeNote,
		r.Class, r.National, r.DiscoveredOn, millis(r.DueAt), r.AmountFen, r.Category, types, r.Title, r.Body, recipients,
		status, r.DraftedBy, millis(r.CreatedAt), millis(r.UpdatedAt),
		r.SignedBy, r.SignedByName, optionalMillis(r.SignedAt), r.SignedHash, r.SubmittedBy, optionalMillis(r.SubmittedAt),
		version)
	if err != nil {
		if store.ErrorCode(translate("", err)) == store.ECONFLICT {
			return store.Wrap(store.ECONFLICT, fmt.Errorf("sqlite: %s %q: %w", op, r.ID, err), store.MsgConflict)
		}
		return translate(op, err)
	}
	return nil
}

// ImportantReportInRegions reads a report within a region scope; the scope
// is part of the query, so a report outside it is simply not found.
func (db *DB) ImportantReportInRegions(ctx context.Context, id string, regionCodes []string) (*store.ImportantReport, error) {
	if len(regionCodes) == 0 {
		return nil, store.NotFound(store.MsgReportNotFound)
	}
	args := []any{id}
	for _, c := range regionCodes {
		args = append(args, c)
	}
	r, err := scanReport(db.read.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM important_reports
		WHERE id = ? AND region_code IN (`+placeholders(len(regionCodes))+`)`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.NotFound(store.MsgReportNotFound)
	}
	if err != nil {
		return nil, translate("important report in regions", err)
	}
	return r, nil
}

// UpdateImportantDraft replaces the editable fields of a draft still at
// r.Version.
func (db *DB) UpdateImportantDraft(ctx context.Context, r *store.ImportantReport) error {
	if r == nil || r.ID == "" {
		return store.NotFound(store.MsgReportNotFound)
	}
	types, err := encodeStringList(r.InsuranceTypes)
	if err != nil {
		return translate("update important draft", err)
	}
	recipients, err := encodeStringList(r.Recipients)
	if err != nil {
		return translate("update important draft", err)
	}
	err = db.inWriteTx(ctx, "update important draft", func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE important_reports
			SET title = ?, body = ?, recipients = ?, amount_fen = ?, category = ?, insurance_types = ?,
				class = ?, national = ?, discovered_on = ?, due_at = ?, change_note = ?, updated_at = ?,
				version = version + 1
			WHERE id = ? AND status = ? AND version = ?`,
			r.Title, r.Body, recipients, r.AmountFen, r.Category, types,
			r.Class, r.National, r.DiscoveredOn, millis(r.DueAt), r.ChangeNote, millis(r.UpdatedAt),
			r.ID, store.ReportDraft, r.Version)
		if err != nil {
			return err
		}
		return explainReportMiss(ctx, tx, res, r.ID, store.ReportDraft, store.MsgReportFrozen)
	})
	if err != nil {
		return err
	}
	r.Version++
	return nil
}

// SignImportantReport freezes a draft still at version with the signer's
// name, time and hash of what was signed.
func (db *DB) SignImportantReport(ctx context.Context, id string, version int64, signerID, signerName string, at time.Time, hash string) (*store.ImportantReport, error) {
	return db.moveReport(ctx, "sign important report", id, store.ReportDraft, store.MsgReportFrozen, `UPDATE important_reports
		SET status = ?, signed_by = ?, signed_by_name = ?, signed_at = ?, signed_hash = ?,
			updated_at = ?, version = version + 1
		WHERE id = ? AND status = ? AND version = ?`,
		store.ReportSigned, signerID, signerName, millis(at), hash, millis(at), id, store.ReportDraft, version)
}

// SubmitImportantReport marks a signed report as sent to the next level.
func (db *DB) SubmitImportantReport(ctx context.Context, id string, by string, at time.Time) (*store.ImportantReport, error) {
	return db.moveReport(ctx, "submit important report", id, store.ReportSigned, store.MsgAlreadyDone, `UPDATE important_reports
		SET status = ?, submitted_by = ?, submitted_at = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND status = ?`,
		store.ReportSubmitted, by, millis(at), millis(at), id, store.ReportSigned)
}

// moveReport runs an UPDATE of one report conditional on its status being
// from (and maybe on its version) and returns the report afterwards; see
// explainReportMiss for a miss.
func (db *DB) moveReport(ctx context.Context, op, id, from, wrongStatus, update string, args ...any) (*store.ImportantReport, error) {
	var r *store.ImportantReport
	err := db.inWriteTx(ctx, op, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, update, args...)
		if err != nil {
			return err
		}
		if err := explainReportMiss(ctx, tx, res, id, from, wrongStatus); err != nil {
			return err
		}
		r, err = scanReport(tx.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM important_reports WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// explainReportMiss turns an UPDATE conditional on status from (and on a
// version) that changed no row into the contract's error: the report is
// missing (ENOTFOUND), in another status (ECONFLICT with wrongStatus), or at
// another version (ECONFLICT, MsgStaleRecord). It returns nil when the
// UPDATE changed the row.
func explainReportMiss(ctx context.Context, tx *sql.Tx, res sql.Result, id, from, wrongStatus string) error {
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM important_reports WHERE id = ?`, id).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return store.NotFound(store.MsgReportNotFound)
	case err != nil:
		return err
	case status != from:
		return store.Conflict(wrongStatus)
	default:
		return store.Conflict(store.MsgStaleRecord)
	}
}

// ListImportantReports returns one page of matching reports, due soonest
// first, and the number of matches, from one snapshot.
func (db *DB) ListImportantReports(ctx context.Context, f store.ImportantFilter) ([]*store.ImportantReport, int, error) {
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	var conds []string
	var args []any
	if len(f.RegionCodes) > 0 {
		conds = append(conds, "region_code IN ("+placeholders(len(f.RegionCodes))+")")
		for _, c := range f.RegionCodes {
			args = append(args, c)
		}
	}
	if f.CaseID != "" {
		conds = append(conds, "case_id = ?")
		args = append(args, f.CaseID)
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, "status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	if !f.DueBefore.IsZero() {
		conds = append(conds, "due_at < ?")
		args = append(args, millis(f.DueBefore))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	reports := []*store.ImportantReport{}
	err := db.inReadTx(ctx, "list important reports", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM important_reports`+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+reportColumns+` FROM important_reports`+where+
			` ORDER BY due_at, created_at DESC, id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanReport(rows)
			if err != nil {
				return err
			}
			reports = append(reports, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, err
	}
	return reports, total, nil
}

func scanReport(row interface{ Scan(dest ...any) error }) (*store.ImportantReport, error) {
	var r store.ImportantReport
	var types, recipients string
	var due, created, updated int64
	var signed, submitted sql.NullInt64
	err := row.Scan(&r.ID, &r.CaseID, &r.CaseNumber, &r.RegionCode, &r.Revision, &r.Supersedes, &r.ChangeNote,
		&r.Class, &r.National, &r.DiscoveredOn, &due, &r.AmountFen, &r.Category, &types, &r.Title, &r.Body, &recipients,
		&r.Status, &r.DraftedBy, &created, &updated,
		&r.SignedBy, &r.SignedByName, &signed, &r.SignedHash, &r.SubmittedBy, &submitted, &r.Version)
	if err != nil {
		return nil, err
	}
	if r.InsuranceTypes, err = decodeStringList(types); err != nil {
		return nil, fmt.Errorf("important report %s: insurance_types: %w", r.ID, err)
	}
	if r.Recipients, err = decodeStringList(recipients); err != nil {
		return nil, fmt.Errorf("important report %s: recipients: %w", r.ID, err)
	}
	r.DueAt, r.CreatedAt, r.UpdatedAt = fromMillis(due), fromMillis(created), fromMillis(updated)
	r.SignedAt, r.SubmittedAt = fromOptionalMillis(signed), fromOptionalMillis(submitted)
	return &r, nil
}

// quarterlyRowJSON is one store.QuarterlyRow in quarterly_reports.rows_json;
// the tags fix the stored names whatever the Go fields are called.
type quarterlyRowJSON struct {
	Class         string `json:"class"`
	Category      string `json:"category"`
	InsuranceType string `json:"insurance_type"`
	Count         int    `json:"count"`
	AmountFen     int64  `json:"amount_fen"`
}

// SubmitQuarterlyReport stores a city's quarterly statistics once.
func (db *DB) SubmitQuarterlyReport(ctx context.Context, q *store.QuarterlyReport) error {
	switch {
	case q == nil || q.ID == "":
		return store.Incomplete("sqlite", "quarterly report ID")
	case q.CityCode == "":
		return store.Incomplete("sqlite", "quarterly report city")
	case q.Quarter < 1 || q.Quarter > 4:
		return store.Incomplete("sqlite", "quarterly report quarter")
	}
	rows := make([]quarterlyRowJSON, len(q.Rows))
	for i, r := range q.Rows {
		rows[i] = quarterlyRowJSON(r)
	}
	encoded, err := json.Marshal(rows)
	if err != nil {
		return translate("submit quarterly report", err)
	}
	_, err = db.exec(ctx, `INSERT INTO quarterly_reports (id, city_code, year, quarter, rows_json,
			due_at, submitted_by, submitted_by_name, submitted_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		q.ID, q.CityCode, q.Year, q.Quarter, string(encoded),
		millis(q.DueAt), q.SubmittedBy, q.SubmittedByName, millis(q.SubmittedAt))
	if err != nil {
		if store.ErrorCode(translate("", err)) == store.ECONFLICT {
			return store.Wrap(store.ECONFLICT, fmt.Errorf("sqlite: submit quarterly report %q: %w", q.ID, err), store.MsgAlreadyDone)
		}
		return translate("submit quarterly report", err)
	}
	return nil
}

// QuarterlyReports returns a quarter's submitted statistics by city code.
func (db *DB) QuarterlyReports(ctx context.Context, year, quarter int, cityCodes []string) ([]*store.QuarterlyReport, error) {
	query := `SELECT ` + quarterlyColumns + ` FROM quarterly_reports WHERE year = ? AND quarter = ?`
	args := []any{year, quarter}
	if len(cityCodes) > 0 {
		query += ` AND city_code IN (` + placeholders(len(cityCodes)) + `)`
		for _, c := range cityCodes {
			args = append(args, c)
		}
	}
	rows, err := db.read.QueryContext(ctx, query+` ORDER BY city_code`, args...)
	if err != nil {
		return nil, translate("quarterly reports", err)
	}
	out, err := scanQuarterlyRows(rows)
	if err != nil {
		return nil, translate("quarterly reports", err)
	}
	return out, nil
}

const quarterlyColumns = `id, city_code, year, quarter, rows_json, due_at, submitted_by, submitted_by_name, submitted_at`

// ListQuarterlyReports returns one page of every submitted report, the
// earliest quarter first, and how many there are, from one snapshot.
func (db *DB) ListQuarterlyReports(ctx context.Context, limit, offset int) ([]*store.QuarterlyReport, int, error) {
	limit, offset = store.PageBounds(limit, offset)
	var total int
	var out []*store.QuarterlyReport
	err := db.inReadTx(ctx, "list quarterly reports", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM quarterly_reports`).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+quarterlyColumns+` FROM quarterly_reports
			ORDER BY year, quarter, city_code LIMIT ? OFFSET ?`, limit, offset)
		if err != nil {
			return err
		}
		out, err = scanQuarterlyRows(rows)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// scanQuarterlyRows reads quarterlyColumns from every row and closes rows.
func scanQuarterlyRows(rows *sql.Rows) ([]*store.QuarterlyReport, error) {
	defer rows.Close()
	out := []*store.QuarterlyReport{}
	for rows.Next() {
		var q store.QuarterlyReport
		var encoded string
		var due, submitted int64
		if err := rows.Scan(&q.ID, &q.CityCode, &q.Year, &q.Quarter, &encoded, &due,
			&q.SubmittedBy, &q.SubmittedByName, &submitted); err != nil {
			return nil, err
		}
		var stored []quarterlyRowJSON
		if err := json.Unmarshal([]byte(encoded), &stored); err != nil {
			return nil, fmt.Errorf("quarterly report %s: rows: %w", q.ID, err)
		}
		for _, r := range stored {
			q.Rows = append(q.Rows, store.QuarterlyRow(r))
		}
		q.DueAt, q.SubmittedAt = fromMillis(due), fromMillis(submitted)
		out = append(out, &q)
	}
	return out, rows.Err()
}

// encodeStringList stores a list of codes or names as a JSON array; nil and
// empty both become "[]".
func encodeStringList(list []string) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	return string(b), err
}

// decodeStringList reads what encodeStringList stored; an empty array comes
// back nil, so "absent" has one representation.
func decodeStringList(s string) ([]string, error) {
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// fromOptionalMillis reads what optionalMillis stored.
func fromOptionalMillis(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return fromMillis(ms.Int64)
}
