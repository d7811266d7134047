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

// A publication is a row of publications, its revisions rows of
// publication_revisions. Every change reads the publication and writes it
// and the revisions it touches in one write transaction on the single
// writer, so the checks (version, pending status, withdrawal) and the
// writes see the same state, and two changes from one view cannot both
// pass.

const pubColumns = `id, kind, region_code, year, source_id, from_case_id, title,
	live_revision, pending_revision, pending_status, scheduled_at, first_published_at, last_published_at,
	withdrawn_at, withdrawn_by, withdrawn_reason, created_by, created_at, updated_at, version, indexed_version`

const revColumns = `publication_id, number, status, title, summary, body, event_date, amount_fen,
	insurance_types, handling_result, fund_rows, rate_basis_points, fund_size_fen, returns_fen,
	correction_note, scheduled_at, return_note, created_by, created_at, updated_at,
	submitted_by, submitted_at, approved_by, approved_at, published_by, published_at`

func pubNotFound() error { return store.NotFound(store.MsgPublicationNotFound) }

func stalePub() error { return store.Conflict(store.MsgStaleRecord) }

// publicationSteps are the pairs StepPublication allows, from → to.
var publicationSteps = map[[2]string]bool{
	{store.RevDraft, store.RevSubmitted}:    true,
	{store.RevSubmitted, store.RevDraft}:    true,
	{store.RevSubmitted, store.RevApproved}: true,
	{store.RevApproved, store.RevPublished}: true,
}

// holdsSlot tells whether p takes its kind, region and year: a fund report
// or account note that is not withdrawn.
func holdsSlot(p *store.Publication) bool {
	return (p.Kind == store.PubFundReport || p.Kind == store.PubAccountNote) && p.WithdrawnAt.IsZero()
}

// CreatePublication stores p with r as its draft revision 1.
func (db *DB) CreatePublication(ctx context.Context, p *store.Publication, r *store.Revision) error {
	if err := checkPublication(p); err != nil {
		return err
	}
	if r == nil {
		return incomplete("publication revision")
	}
	row := *p
	row.Title = r.Title
	row.LiveRevision, row.PendingRevision, row.PendingStatus = 0, 1, store.RevDraft
	row.ScheduledAt, row.FirstPublishedAt, row.LastPublishedAt = time.Time{}, time.Time{}, time.Time{}
	row.WithdrawnAt, row.WithdrawnBy, row.WithdrawnReason = time.Time{}, "", ""
	row.Version, row.IndexedVersion = 1, 0
	rev := *r
	rev.PublicationID, rev.Number, rev.Status = p.ID, 1, store.RevDraft
	rev.ReturnNote = ""
	rev.SubmittedBy, rev.SubmittedAt = "", time.Time{}
	rev.ApprovedBy, rev.ApprovedAt = "", time.Time{}
	rev.PublishedBy, rev.PublishedAt = "", time.Time{}
	err := db.inWriteTx(ctx, "create publication", func(ctx context.Context, tx *sql.Tx) error {
		if err := checkPublicationConflicts(ctx, tx, &row); err != nil {
			return err
		}
		if err := insertPublication(ctx, tx, &row); err != nil {
			return err
		}
		return insertRevision(ctx, tx, p.ID, &rev)
	})
	if err != nil {
		return err
	}
	*p, *r = row, rev
	return nil
}

// ImportPublication stores p and its revisions as given.
func (db *DB) ImportPublication(ctx context.Context, p *store.Publication, revs []*store.Revision) error {
	if err := checkPublication(p); err != nil {
		return err
	}
	if p.Version < 1 {
		return incomplete("publication version")
	}
	if len(revs) == 0 {
		return incomplete("publication revisions")
	}
	for i, r := range revs {
		if r == nil || r.Number != i+1 {
			return incomplete("publication revisions numbered 1…n")
		}
	}
	// This installation's search index has not seen the publication.
	row := *p
	row.IndexedVersion = 0
	return db.inWriteTx(ctx, "import publication", func(ctx context.Context, tx *sql.Tx) error {
		if err := checkPublicationConflicts(ctx, tx, &row); err != nil {
			return err
		}
		if err := insertPublication(ctx, tx, &row); err != nil {
			return err
		}
		for _, r := range revs {
			if err := insertRevision(ctx, tx, p.ID, r); err != nil {
				return err
			}
		}
		return nil
	})
}

func checkPublication(p *store.Publication) error {
	switch {
	case p == nil || p.ID == "":
		return incomplete("publication ID")
	case p.Kind == "":
		return incomplete("publication kind")
	case p.RegionCode == "":
		return incomplete("publication region")
	}
	return nil
}

// checkPublicationConflicts tells which rule a new p would break: its ID or
// SourceID in use (MsgConflict), or its kind, region and year held
// (MsgPublicationExists). The unique indexes keep the rules (a violation
// they catch is MsgConflict); this only chooses the sentence.
func checkPublicationConflicts(ctx context.Context, tx *sql.Tx, p *store.Publication) error {
	for _, c := range []struct {
		apply bool
		where string
		args  []any
		msg   string
	}{
		{true, `id = ?`, []any{p.ID}, store.MsgConflict},
		{p.SourceID != "", `source_id = ?`, []any{p.SourceID}, store.MsgConflict},
		{holdsSlot(p), `kind = ? AND region_code = ? AND year = ? AND withdrawn_at IS NULL`,
			[]any{p.Kind, p.RegionCode, p.Year}, store.MsgPublicationExists},
	} {
		if !c.apply {
			continue
		}
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM publications WHERE `+c.where+`)`, c.args...).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return store.Conflict(c.msg)
		}
	}
	return nil
}

// PublicationInRegions reads a publication within a region scope; the
// scope is part of the query, so one outside it is simply not found.
func (db *DB) PublicationInRegions(ctx context.Context, id string, regionCodes []string) (*store.Publication, error) {
	if id == "" || len(regionCodes) == 0 {
		return nil, pubNotFound()
	}
	args := []any{id}
	for _, c := range regionCodes {
		args = append(args, c)
	}
	return db.publicationWhere(ctx, "publication in regions",
		`id = ? AND region_code IN (`+placeholders(len(regionCodes))+`)`, args...)
}

// PublicationBySource reads the publication imported with sourceID.
func (db *DB) PublicationBySource(ctx context.Context, sourceID string) (*store.Publication, error) {
	if sourceID == "" {
		return nil, pubNotFound()
	}
	return db.publicationWhere(ctx, "publication by source", `source_id = ?`, sourceID)
}

func (db *DB) publicationWhere(ctx context.Context, op, where string, args ...any) (*store.Publication, error) {
	p, err := scanPublication(db.read.QueryRowContext(ctx, `SELECT `+pubColumns+` FROM publications WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, pubNotFound()
	}
	if err != nil {
		return nil, translate(op, err)
	}
	return p, nil
}

// Revisions returns every revision of a publication by number, read in
// one snapshot with the publication's existence.
func (db *DB) Revisions(ctx context.Context, id string) ([]*store.Revision, error) {
	var out []*store.Revision
	err := db.inReadTx(ctx, "publication revisions", func(tx *sql.Tx) error {
		if _, err := publicationByID(ctx, tx, id); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+revColumns+` FROM publication_revisions
			WHERE publication_id = ? ORDER BY number`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRevision(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SaveDraft edits the pending draft, or starts a correction after the live
// revision.
func (db *DB) SaveDraft(ctx context.Context, id string, expectVersion int64, r *store.Revision) (*store.Publication, error) {
	if r == nil {
		return nil, incomplete("publication revision")
	}
	return db.changePublication(ctx, "save publication draft", id, func(tx *sql.Tx, p *store.Publication) error {
		switch {
		case p.Withdrawn():
			return store.Conflict(store.MsgPublicationWithdrawn)
		case p.PendingStatus == store.RevSubmitted || p.PendingStatus == store.RevApproved:
			return store.Conflict(store.MsgPublicationFrozen)
		case p.Version != expectVersion:
			return stalePub()
		}
		switch {
		case p.PendingStatus == store.RevDraft && r.Number == p.PendingRevision:
			draft, err := revisionByNumber(ctx, tx, id, r.Number)
			if err != nil {
				return err
			}
			setRevisionContent(draft, r)
			if err := updateRevision(ctx, tx, draft); err != nil {
				return err
			}
		case p.PendingStatus == "" && p.LiveRevision > 0 && r.Number == p.LiveRevision+1:
			draft := &store.Revision{PublicationID: id, Number: r.Number, Status: store.RevDraft,
				CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
			setRevisionContent(draft, r)
			if err := insertRevision(ctx, tx, id, draft); err != nil {
				return err
			}
			p.PendingRevision, p.PendingStatus = r.Number, store.RevDraft
		default:
			return stalePub()
		}
		if p.LiveRevision == 0 {
			p.Title = r.Title
		}
		p.UpdatedAt = r.UpdatedAt
		return nil
	})
}

// setRevisionContent copies the content fields (Title … ScheduledAt) and
// UpdatedAt of src into dst.
func setRevisionContent(dst, src *store.Revision) {
	dst.Title, dst.Summary, dst.Body = src.Title, src.Summary, src.Body
	dst.EventDate, dst.AmountFen, dst.InsuranceTypes, dst.HandlingResult = src.EventDate, src.AmountFen, src.InsuranceTypes, src.HandlingResult
	dst.FundRows = src.FundRows
	dst.RateBasisPoints, dst.FundSizeFen, dst.ReturnsFen = src.RateBasisPoints, src.FundSizeFen, src.ReturnsFen
	dst.CorrectionNote, dst.ScheduledAt, dst.UpdatedAt = src.CorrectionNote, src.ScheduledAt, src.UpdatedAt
}

// StepPublication moves the pending revision one step of the workflow.
func (db *DB) StepPublication(ctx context.Context, s store.PublicationStep) (*store.Publication, error) {
	if !publicationSteps[[2]string{s.From, s.To}] {
		return nil, incomplete(fmt.Sprintf("publication step %q → %q", s.From, s.To))
	}
	return db.changePublication(ctx, "step publication", s.ID, func(tx *sql.Tx, p *store.Publication) error {
		switch {
		case p.Withdrawn():
			return store.Conflict(store.MsgPublicationWithdrawn)
		case p.Version != s.ExpectVersion || p.PendingStatus != s.From || p.PendingRevision == 0:
			return stalePub()
		}
		rev, err := revisionByNumber(ctx, tx, p.ID, p.PendingRevision)
		if err != nil {
			return err
		}
		rev.Status, p.PendingStatus = s.To, s.To
		switch s.To {
		case store.RevSubmitted:
			rev.SubmittedBy, rev.SubmittedAt, rev.ReturnNote = s.By, s.At, ""
		case store.RevDraft:
			rev.ReturnNote = s.Note
		case store.RevApproved:
			rev.ApprovedBy, rev.ApprovedAt = s.By, s.At
			p.ScheduledAt = rev.ScheduledAt
		case store.RevPublished:
			rev.PublishedBy, rev.PublishedAt = s.By, s.At
			if p.LiveRevision > 0 {
				if _, err := tx.ExecContext(ctx, `UPDATE publication_revisions SET status = ?
					WHERE publication_id = ? AND number = ?`, store.RevSuperseded, p.ID, p.LiveRevision); err != nil {
					return err
				}
			}
			p.LiveRevision, p.PendingRevision, p.PendingStatus = rev.Number, 0, ""
			p.ScheduledAt, p.LastPublishedAt = time.Time{}, s.At
			if p.FirstPublishedAt.IsZero() {
				p.FirstPublishedAt = s.At
			}
			p.Title = rev.Title
		}
		p.UpdatedAt = s.At
		return updateRevision(ctx, tx, rev)
	})
}

// WithdrawPublication leaves a tombstone of a published publication and
// deletes its pending revision.
func (db *DB) WithdrawPublication(ctx context.Context, id string, expectVersion int64, by, reason string, at time.Time) (*store.Publication, error) {
	return db.changePublication(ctx, "withdraw publication", id, func(tx *sql.Tx, p *store.Publication) error {
		switch {
		case p.Withdrawn():
			return store.Conflict(store.MsgPublicationWithdrawn)
		case p.LiveRevision == 0:
			return store.Conflict(store.MsgNotPublished)
		case p.Version != expectVersion:
			return stalePub()
		}
		if p.PendingRevision > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM publication_revisions WHERE publication_id = ? AND number = ?`,
				p.ID, p.PendingRevision); err != nil {
				return err
			}
		}
		p.PendingRevision, p.PendingStatus, p.ScheduledAt = 0, "", time.Time{}
		p.WithdrawnAt, p.WithdrawnBy, p.WithdrawnReason = at, by, reason
		p.UpdatedAt = at
		return nil
	})
}

// changePublication reads publication id in a write transaction, lets
// change check it and change it (and write the revisions it touches),
// then stores it one version on and returns it as stored.
func (db *DB) changePublication(ctx context.Context, op, id string, change func(tx *sql.Tx, p *store.Publication) error) (*store.Publication, error) {
	var out *store.Publication
	err := db.inWriteTx(ctx, op, func(ctx context.Context, tx *sql.Tx) error {
		p, err := publicationByID(ctx, tx, id)
		if err != nil {
			return err
		}
		version := p.Version
		if err := change(tx, p); err != nil {
			return err
		}
		p.Version = version + 1
		if err := updatePublication(ctx, tx, p, version); err != nil {
			return err
		}
		out, err = publicationByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListPublications returns one page of matching publications, the most
// recently updated first, and the number of matches, from one snapshot.
func (db *DB) ListPublications(ctx context.Context, f store.PublicationFilter) ([]*store.Publication, int, error) {
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	var conds []string
	var args []any
	conds, args = inCondition(conds, args, "region_code", f.RegionCodes)
	conds, args = inCondition(conds, args, "kind", f.Kinds)
	conds, args = inCondition(conds, args, "pending_status", f.PendingStatuses)
	if f.Year != 0 {
		conds, args = append(conds, "year = ?"), append(args, f.Year)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	var out []*store.Publication
	err := db.inReadTx(ctx, "list publications", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM publications`+where, args...).Scan(&total); err != nil {
			return err
		}
		var err error
		out, err = queryPublications(ctx, tx, `SELECT `+pubColumns+` FROM publications`+where+
			` ORDER BY updated_at DESC, id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// ListPublished returns one page of published publications with their
// live revisions, the most recently first published first, and the number
// of matches, from one snapshot.
func (db *DB) ListPublished(ctx context.Context, f store.PublishedFilter) ([]store.Published, int, error) {
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	conds := []string{"live_revision > 0"}
	var args []any
	if !f.WithTombstones {
		conds = append(conds, "withdrawn_at IS NULL")
	}
	conds, args = inCondition(conds, args, "kind", f.Kinds)
	conds, args = inCondition(conds, args, "region_code", f.RegionCodes)
	if f.Year != 0 {
		conds, args = append(conds, "year = ?"), append(args, f.Year)
	}
	where := " WHERE " + strings.Join(conds, " AND ")
	var total int
	var out []store.Published
	err := db.inReadTx(ctx, "list published", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM publications`+where, args...).Scan(&total); err != nil {
			return err
		}
		ps, err := queryPublications(ctx, tx, `SELECT `+pubColumns+` FROM publications`+where+
			` ORDER BY first_published_at DESC, id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		if err != nil {
			return err
		}
		for _, p := range ps {
			item := store.Published{Publication: p}
			if !p.Withdrawn() {
				if item.Live, err = revisionByNumber(ctx, tx, p.ID, p.LiveRevision); err != nil {
					return fmt.Errorf("live revision %d of publication %s: %w", p.LiveRevision, p.ID, err)
				}
			}
			out = append(out, item)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// PublishedByIDs reads the published publications among ids and their
// live revisions in one snapshot, two queries whatever the number of ids,
// and puts them in the order of ids.
func (db *DB) PublishedByIDs(ctx context.Context, ids []string) ([]store.Published, error) {
	if len(ids) > store.MaxLimit {
		return nil, incomplete(fmt.Sprintf("at most %d publication IDs", store.MaxLimit))
	}
	ids = store.DistinctIDs(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	conds, args := inCondition([]string{"live_revision > 0"}, nil, "id", ids)
	where := strings.Join(conds, " AND ")
	found := make(map[string]store.Published, len(ids))
	err := db.inReadTx(ctx, "published by ids", func(tx *sql.Tx) error {
		ps, err := queryPublications(ctx, tx, `SELECT `+pubColumns+` FROM publications WHERE `+where, args...)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+revColumns+` FROM publication_revisions
			WHERE (publication_id, number) IN (
				SELECT id, live_revision FROM publications WHERE `+where+` AND withdrawn_at IS NULL)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		live := map[string]*store.Revision{}
		for rows.Next() {
			r, err := scanRevision(rows)
			if err != nil {
				return err
			}
			live[r.PublicationID] = r
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range ps {
			item := store.Published{Publication: p}
			if !p.Withdrawn() {
				if item.Live = live[p.ID]; item.Live == nil {
					return fmt.Errorf("publication %s has no live revision %d", p.ID, p.LiveRevision)
				}
			}
			found[p.ID] = item
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return inIDOrder(ids, found), nil
}

// DuePublications returns the approved publications due by at, earliest
// first. A NULL (zero) schedule sorts first: it is due at once.
func (db *DB) DuePublications(ctx context.Context, at time.Time, limit int) ([]string, error) {
	if limit < 1 {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM publications
		WHERE pending_status = ? AND (scheduled_at IS NULL OR scheduled_at <= ?)
		ORDER BY scheduled_at, id LIMIT ?`, store.RevApproved, millis(at), limit)
	if err != nil {
		return nil, translate("due publications", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, translate("due publications", err)
		}
		ids = append(ids, id)
	}
	return ids, translate("due publications", rows.Err())
}

// inCondition adds "column IN (…)" for a non-empty list.
func inCondition(conds []string, args []any, column string, values []string) ([]string, []any) {
	if len(values) == 0 {
		return conds, args
	}
	for _, v := range values {
		args = append(args, v)
	}
	return append(conds, column+" IN ("+placeholders(len(values))+")"), args
}

func publicationByID(ctx context.Context, tx *sql.Tx, id string) (*store.Publication, error) {
	if id == "" {
		return nil, pubNotFound()
	}
	p, err := scanPublication(tx.QueryRowContext(ctx, `SELECT `+pubColumns+` FROM publications WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, pubNotFound()
	}
	return p, err
}

func queryPublications(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]*store.Publication, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Publication
	for rows.Next() {
		p, err := scanPublication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func revisionByNumber(ctx context.Context, tx *sql.Tx, id string, number int) (*store.Revision, error) {
	return scanRevision(tx.QueryRowContext(ctx, `SELECT `+revColumns+` FROM publication_revisions
		WHERE publication_id = ? AND number = ?`, id, number))
}

func insertPublication(ctx context.Context, tx *sql.Tx, p *store.Publication) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO publications (`+pubColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Kind, p.RegionCode, p.Year, p.SourceID, p.FromCaseID, p.Title,
		p.LiveRevision, p.PendingRevision, p.PendingStatus,
		optionalMillis(p.ScheduledAt), optionalMillis(p.FirstPublishedAt), optionalMillis(p.LastPublishedAt),
		optionalMillis(p.WithdrawnAt), p.WithdrawnBy, p.WithdrawnReason,
		p.CreatedBy, millis(p.CreatedAt), millis(p.UpdatedAt), p.Version, p.IndexedVersion)
	return err
}

// updatePublication writes the fields a change may touch, if the row is
// still at version; indexed_version is MarkIndexed's alone.
func updatePublication(ctx context.Context, tx *sql.Tx, p *store.Publication, version int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE publications
		SET title = ?, live_revision = ?, pending_revision = ?, pending_status = ?,
			scheduled_at = ?, first_published_at = ?, last_published_at = ?,
			withdrawn_at = ?, withdrawn_by = ?, withdrawn_reason = ?, updated_at = ?, version = ?
		WHERE id = ? AND version = ?`,
		p.Title, p.LiveRevision, p.PendingRevision, p.PendingStatus,
		optionalMillis(p.ScheduledAt), optionalMillis(p.FirstPublishedAt), optionalMillis(p.LastPublishedAt),
		optionalMillis(p.WithdrawnAt), p.WithdrawnBy, p.WithdrawnReason, millis(p.UpdatedAt), p.Version,
		p.ID, version)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		return stalePub()
	}
	return err
}

// fundRowJSON is one store.FundRow in publication_revisions.fund_rows; the
// tags fix the stored names whatever the Go fields are called.
type fundRowJSON struct {
	InsuranceType       string `json:"insurance_type"`
	IncomeFen           int64  `json:"income_fen"`
	PremiumFen          int64  `json:"premium_fen"`
	SubsidyFen          int64  `json:"subsidy_fen"`
	InterestFen         int64  `json:"interest_fen"`
	TransferInFen       int64  `json:"transfer_in_fen"`
	OtherIncomeFen      int64  `json:"other_income_fen"`
	ExpenditureFen      int64  `json:"expenditure_fen"`
	BenefitFen          int64  `json:"benefit_fen"`
	TransferOutFen      int64  `json:"transfer_out_fen"`
	OtherExpenditureFen int64  `json:"other_expenditure_fen"`
	BalanceFen          int64  `json:"balance_fen"`
	AccumulatedFen      int64  `json:"accumulated_fen"`
}

func encodeFundRows(rows []store.FundRow) (string, error) {
	stored := make([]fundRowJSON, len(rows))
	for i, r := range rows {
		stored[i] = fundRowJSON(r)
	}
	b, err := json.Marshal(stored)
	return string(b), err
}

func decodeFundRows(s string) ([]store.FundRow, error) {
	var stored []fundRowJSON
	if err := json.Unmarshal([]byte(s), &stored); err != nil {
		return nil, err
	}
	var rows []store.FundRow
	for _, r := range stored {
		rows = append(rows, store.FundRow(r))
	}
	return rows, nil
}

// revisionValues are r's column values in the order of revColumns.
func revisionValues(id string, r *store.Revision) ([]any, error) {
	types, err := encodeStringList(r.InsuranceTypes)
	if err != nil {
		return nil, err
	}
	rows, err := encodeFundRows(r.FundRows)
	if err != nil {
		return nil, err
	}
	return []any{id, r.Number, r.Status, r.Title, r.Summary, r.Body, r.EventDate, r.AmountFen,
		types, r.HandlingResult, rows, r.RateBasisPoints, r.FundSizeFen, r.ReturnsFen,
		r.CorrectionNote, optionalMillis(r.ScheduledAt), r.ReturnNote, r.CreatedBy, millis(r.CreatedAt), millis(r.UpdatedAt),
		r.SubmittedBy, optionalMillis(r.SubmittedAt), r.ApprovedBy, optionalMillis(r.ApprovedAt),
		r.PublishedBy, optionalMillis(r.PublishedAt)}, nil
}

func insertRevision(ctx context.Context, tx *sql.Tx, id string, r *store.Revision) error {
	values, err := revisionValues(id, r)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO publication_revisions (`+revColumns+`)
		VALUES (`+placeholders(len(values))+`)`, values...)
	return err
}

// updateRevision rewrites every column of a stored revision.
func updateRevision(ctx context.Context, tx *sql.Tx, r *store.Revision) error {
	values, err := revisionValues(r.PublicationID, r)
	if err != nil {
		return err
	}
	var set []string
	for _, c := range strings.Split(revColumns, ",")[2:] {
		set = append(set, strings.TrimSpace(c)+" = ?")
	}
	_, err = tx.ExecContext(ctx, `UPDATE publication_revisions SET `+strings.Join(set, ", ")+`
		WHERE publication_id = ? AND number = ?`, append(values[2:], r.PublicationID, r.Number)...)
	return err
}

func scanPublication(row interface{ Scan(dest ...any) error }) (*store.Publication, error) {
	var p store.Publication
	var scheduled, first, last, withdrawn sql.NullInt64
	var created, updated int64
	err := row.Scan(&p.ID, &p.Kind, &p.RegionCode, &p.Year, &p.SourceID, &p.FromCaseID, &p.Title,
		&p.LiveRevision, &p.PendingRevision, &p.PendingStatus, &scheduled, &first, &last,
		&withdrawn, &p.WithdrawnBy, &p.WithdrawnReason, &p.CreatedBy, &created, &updated, &p.Version, &p.IndexedVersion)
	if err != nil {
		return nil, err
	}
	p.ScheduledAt, p.FirstPublishedAt, p.LastPublishedAt = fromOptionalMillis(scheduled), fromOptionalMillis(first), fromOptionalMillis(last)
	p.WithdrawnAt = fromOptionalMillis(withdrawn)
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &p, nil
}

func scanRevision(row interface{ Scan(dest ...any) error }) (*store.Revision, error) {
	var r store.Revision
	var types, rows string
	var scheduled, submitted, approved, published sql.NullInt64
	var created, updated int64
	err := row.Scan(&r.PublicationID, &r.Number, &r.Status, &r.Title, &r.Summary, &r.Body, &r.EventDate, &r.AmountFen,
		&types, &r.HandlingResult, &rows, &r.RateBasisPoints, &r.FundSizeFen, &r.ReturnsFen,
		&r.CorrectionNote, &scheduled, &r.ReturnNote, &r.CreatedBy, &created, &updated,
		&r.SubmittedBy, &submitted, &r.ApprovedBy, &approved, &r.PublishedBy, &published)
	if err != nil {
		return nil, err
	}
	if r.InsuranceTypes, err = decodeStringList(types); err != nil {
		return nil, fmt.Errorf("publication %s revision %d: insurance_types: %w", r.PublicationID, r.Number, err)
	}
	if r.FundRows, err = decodeFundRows(rows); err != nil {
		return nil, fmt.Errorf("publication %s revision %d: fund_rows: %w", r.PublicationID, r.Number, err)
	}
	r.ScheduledAt, r.CreatedAt, r.UpdatedAt = fromOptionalMillis(scheduled), fromMillis(created), fromMillis(updated)
	r.SubmittedAt, r.ApprovedAt, r.PublishedAt = fromOptionalMillis(submitted), fromOptionalMillis(approved), fromOptionalMillis(published)
	return &r, nil
}

// PublishedStamp is how many publications are or were live and when the
// latest of them last changed: publishing, correcting and withdrawing all
// move one of the two.
func (db *DB) PublishedStamp(ctx context.Context) (string, error) {
	var n, latest int64
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(updated_at), 0)
		FROM publications WHERE live_revision > 0`).Scan(&n, &latest)
	if err != nil {
		return "", translate("published stamp", err)
	}
	return fmt.Sprintf("%d:%d", n, latest), nil
}
