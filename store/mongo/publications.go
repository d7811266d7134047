package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"

	"fundwatch/store"
)

// A publication is one document in publications with its revisions
// embedded, so every change — a draft saved, a step of the workflow with
// the revision it supersedes, a withdrawal that drops the pending revision
// — is one single-document update of every field (but indexed_version,
// which only MarkIndexed writes) guarded by the version the change was
// checked against: of two changes from one view exactly one matches. On
// FerretDB, which does not isolate the update, the writeGate serialises
// the changes of a publication within the process.
//
// The contract's uniqueness rules hold across processes through two unique
// indexes on derived keys, since partial indexes are not portable: slot is
// "kind/region/year" for a fund report or account note that is not
// withdrawn and "id:"+ID otherwise (withdrawing sets it to the latter,
// which frees the slot); source_key is "src:"+SourceID for an imported
// article and "id:"+ID otherwise.
const (
	collPublications = "publications"

	pubFieldSlot             = "slot"
	pubFieldSourceKey        = "source_key"
	pubFieldYear             = "year"
	pubFieldLiveRevision     = "live_revision"
	pubFieldPendingStatus    = "pending_status"
	pubFieldScheduledAt      = "scheduled_at"
	pubFieldFirstPublishedAt = "first_published_at"
	pubFieldWithdrawnAt      = "withdrawn_at"
	pubFieldRevisions        = "revisions"
)

// publicationSteps are the pairs StepPublication allows, from → to.
var publicationSteps = map[[2]string]bool{
	{store.RevDraft, store.RevSubmitted}:    true,
	{store.RevSubmitted, store.RevDraft}:    true,
	{store.RevSubmitted, store.RevApproved}: true,
	{store.RevApproved, store.RevPublished}: true,
}

// pubHeadProjection leaves the embedded revisions out of reads of the
// publication alone.
var pubHeadProjection = bson.D{{Key: pubFieldRevisions, Value: 0}}

// publicationDoc is store.Publication on disk with its revisions. A zero
// ScheduledAt is stored as the zero time, which sorts before every real
// one and is at or before any instant, as DuePublications wants; a
// publication not withdrawn has a null withdrawn_at.
type publicationDoc struct {
	ID               string        `bson:"_id"`
	Kind             string        `bson:"kind"`
	RegionCode       string        `bson:"region_code"`
	Year             int           `bson:"year"`
	SourceID         string        `bson:"source_id"`
	FromCaseID       string        `bson:"from_case_id"`
	Title            string        `bson:"title"`
	LiveRevision     int           `bson:"live_revision"`
	PendingRevision  int           `bson:"pending_revision"`
	PendingStatus    string        `bson:"pending_status"`
	ScheduledAt      time.Time     `bson:"scheduled_at"`
	FirstPublishedAt time.Time     `bson:"first_published_at"`
	LastPublishedAt  time.Time     `bson:"last_published_at"`
	WithdrawnAt      *time.Time    `bson:"withdrawn_at"`
	WithdrawnBy      string        `bson:"withdrawn_by"`
	WithdrawnReason  string        `bson:"withdrawn_reason"`
	CreatedBy        string        `bson:"created_by"`
	CreatedAt        time.Time     `bson:"created_at"`
	UpdatedAt        time.Time     `bson:"updated_at"`
	Version          int64         `bson:"version"`
	IndexedVersion   int64         `bson:"indexed_version"`
	IndexPending     bool          `bson:"index_pending"` // version > indexed_version, as on a case
	Slot             string        `bson:"slot"`
	SourceKey        string        `bson:"source_key"`
	Revisions        []revisionDoc `bson:"revisions"`
}

type revisionDoc struct {
	Number          int          `bson:"number"`
	Status          string       `bson:"status"`
	Title           string       `bson:"title"`
	Summary         string       `bson:"summary"`
	Body            string       `bson:"body"`
	EventDate       string       `bson:"event_date"`
	AmountFen       int64        `bson:"amount_fen"`
	InsuranceTypes  []string     `bson:"insurance_types"`
	HandlingResult  string       `bson:"handling_result"`
	FundRows        []fundRowDoc `bson:"fund_rows"`
	RateBasisPoints int64        `bson:"rate_basis_points"`
	FundSizeFen     int64        `bson:"fund_size_fen"`
	ReturnsFen      int64        `bson:"returns_fen"`
	CorrectionNote  string       `bson:"correction_note"`
	ScheduledAt     time.Time    `bson:"scheduled_at"`
	ReturnNote      string       `bson:"return_note"`
	CreatedBy       string       `bson:"created_by"`
	CreatedAt       time.Time    `bson:"created_at"`
	UpdatedAt       time.Time    `bson:"updated_at"`
	SubmittedBy     string       `bson:"submitted_by"`
	SubmittedAt     time.Time    `bson:"submitted_at"`
	ApprovedBy      string       `bson:"approved_by"`
	ApprovedAt      time.Time    `bson:"approved_at"`
	PublishedBy     string       `bson:"published_by"`
	PublishedAt     time.Time    `bson:"published_at"`
}

type fundRowDoc struct {
	InsuranceType       string `bson:"insurance_type"`
	IncomeFen           int64  `bson:"income_fen"`
	PremiumFen          int64  `bson:"premium_fen"`
	SubsidyFen          int64  `bson:"subsidy_fen"`
	InterestFen         int64  `bson:"interest_fen"`
	TransferInFen       int64  `bson:"transfer_in_fen"`
	OtherIncomeFen      int64  `bson:"other_income_fen"`
	ExpenditureFen      int64  `bson:"expenditure_fen"`
	BenefitFen          int64  `bson:"benefit_fen"`
	TransferOutFen      int64  `bson:"transfer_out_fen"`
	OtherExpenditureFen int64  `bson:"other_expenditure_fen"`
	BalanceFen          int64  `bson:"balance_fen"`
	AccumulatedFen      int64  `bson:"accumulated_fen"`
}

// newPublicationDoc is p on disk, its derived keys set, without revisions,
// as a new record: not seen by the search index (IndexedVersion 0), so
// pending.
func newPublicationDoc(p *store.Publication) publicationDoc {
	d := publicationDoc{
		ID:               p.ID,
		Kind:             p.Kind,
		RegionCode:       p.RegionCode,
		Year:             p.Year,
		SourceID:         p.SourceID,
		FromCaseID:       p.FromCaseID,
		Title:            p.Title,
		LiveRevision:     p.LiveRevision,
		PendingRevision:  p.PendingRevision,
		PendingStatus:    p.PendingStatus,
		ScheduledAt:      store.Truncate(p.ScheduledAt),
		FirstPublishedAt: store.Truncate(p.FirstPublishedAt),
		LastPublishedAt:  store.Truncate(p.LastPublishedAt),
		WithdrawnAt:      optionalTime(p.WithdrawnAt),
		WithdrawnBy:      p.WithdrawnBy,
		WithdrawnReason:  p.WithdrawnReason,
		CreatedBy:        p.CreatedBy,
		CreatedAt:        store.Truncate(p.CreatedAt),
		UpdatedAt:        store.Truncate(p.UpdatedAt),
		Version:          p.Version,
		IndexedVersion:   0,
		IndexPending:     p.Version > 0,
	}
	d.setKeys()
	return d
}

// setKeys derives slot and source_key from the document's fields.
func (d *publicationDoc) setKeys() {
	d.Slot = "id:" + d.ID
	if (d.Kind == store.PubFundReport || d.Kind == store.PubAccountNote) && d.WithdrawnAt == nil {
		d.Slot = fmt.Sprintf("%s/%s/%d", d.Kind, d.RegionCode, d.Year)
	}
	d.SourceKey = "id:" + d.ID
	if d.SourceID != "" {
		d.SourceKey = "src:" + d.SourceID
	}
}

func (d *publicationDoc) toPublication() *store.Publication {
	return &store.Publication{
		ID:               d.ID,
		Kind:             d.Kind,
		RegionCode:       d.RegionCode,
		Year:             d.Year,
		SourceID:         d.SourceID,
		FromCaseID:       d.FromCaseID,
		Title:            d.Title,
		LiveRevision:     d.LiveRevision,
		PendingRevision:  d.PendingRevision,
		PendingStatus:    d.PendingStatus,
		ScheduledAt:      d.ScheduledAt.UTC(),
		FirstPublishedAt: d.FirstPublishedAt.UTC(),
		LastPublishedAt:  d.LastPublishedAt.UTC(),
		WithdrawnAt:      fromOptionalTime(d.WithdrawnAt),
		WithdrawnBy:      d.WithdrawnBy,
		WithdrawnReason:  d.WithdrawnReason,
		CreatedBy:        d.CreatedBy,
		CreatedAt:        d.CreatedAt.UTC(),
		UpdatedAt:        d.UpdatedAt.UTC(),
		Version:          d.Version,
		IndexedVersion:   d.IndexedVersion,
	}
}

// revision returns the embedded revision number, or nil.
func (d *publicationDoc) revision(number int) *revisionDoc {
	for i := range d.Revisions {
		if d.Revisions[i].Number == number {
			return &d.Revisions[i]
		}
	}
	return nil
}

func newRevisionDoc(r *store.Revision) revisionDoc {
	d := revisionDoc{
		Number:          r.Number,
		Status:          r.Status,
		Title:           r.Title,
		Summary:         r.Summary,
		Body:            r.Body,
		EventDate:       r.EventDate,
		AmountFen:       r.AmountFen,
		InsuranceTypes:  nilIfEmpty(r.InsuranceTypes),
		HandlingResult:  r.HandlingResult,
		RateBasisPoints: r.RateBasisPoints,
		FundSizeFen:     r.FundSizeFen,
		ReturnsFen:      r.ReturnsFen,
		CorrectionNote:  r.CorrectionNote,
		ScheduledAt:     store.Truncate(r.ScheduledAt),
		ReturnNote:      r.ReturnNote,
		CreatedBy:       r.CreatedBy,
		CreatedAt:       store.Truncate(r.CreatedAt),
		UpdatedAt:       store.Truncate(r.UpdatedAt),
		SubmittedBy:     r.SubmittedBy,
		SubmittedAt:     store.Truncate(r.SubmittedAt),
		ApprovedBy:      r.ApprovedBy,
		ApprovedAt:      store.Truncate(r.ApprovedAt),
		PublishedBy:     r.PublishedBy,
		PublishedAt:     store.Truncate(r.PublishedAt),
	}
	for _, row := range r.FundRows {
		d.FundRows = append(d.FundRows, fundRowDoc(row))
	}
	return d
}

func (d *revisionDoc) toRevision(publicationID string) *store.Revision {
	r := &store.Revision{
		PublicationID:   publicationID,
		Number:          d.Number,
		Status:          d.Status,
		Title:           d.Title,
		Summary:         d.Summary,
		Body:            d.Body,
		EventDate:       d.EventDate,
		AmountFen:       d.AmountFen,
		InsuranceTypes:  nilIfEmpty(d.InsuranceTypes),
		HandlingResult:  d.HandlingResult,
		RateBasisPoints: d.RateBasisPoints,
		FundSizeFen:     d.FundSizeFen,
		ReturnsFen:      d.ReturnsFen,
		CorrectionNote:  d.CorrectionNote,
		ScheduledAt:     d.ScheduledAt.UTC(),
		ReturnNote:      d.ReturnNote,
		CreatedBy:       d.CreatedBy,
		CreatedAt:       d.CreatedAt.UTC(),
		UpdatedAt:       d.UpdatedAt.UTC(),
		SubmittedBy:     d.SubmittedBy,
		SubmittedAt:     d.SubmittedAt.UTC(),
		ApprovedBy:      d.ApprovedBy,
		ApprovedAt:      d.ApprovedAt.UTC(),
		PublishedBy:     d.PublishedBy,
		PublishedAt:     d.PublishedAt.UTC(),
	}
	for _, row := range d.FundRows {
		r.FundRows = append(r.FundRows, store.FundRow(row))
	}
	return r
}

// setContent copies the content fields (Title … ScheduledAt) and UpdatedAt
// of r into d.
func (d *revisionDoc) setContent(r *store.Revision) {
	c := newRevisionDoc(r)
	d.Title, d.Summary, d.Body = c.Title, c.Summary, c.Body
	d.EventDate, d.AmountFen, d.InsuranceTypes, d.HandlingResult = c.EventDate, c.AmountFen, c.InsuranceTypes, c.HandlingResult
	d.FundRows = c.FundRows
	d.RateBasisPoints, d.FundSizeFen, d.ReturnsFen = c.RateBasisPoints, c.FundSizeFen, c.ReturnsFen
	d.CorrectionNote, d.ScheduledAt, d.UpdatedAt = c.CorrectionNote, c.ScheduledAt, c.UpdatedAt
}

func (db *DB) publications() *mongodrv.Collection { return db.database.Collection(collPublications) }

// publicationsLocal reads with read concern local, only to find out which
// unique index an insert hit: the document that holds the key exists on the
// primary but need not be majority-committed yet.
func (db *DB) publicationsLocal() *mongodrv.Collection {
	return db.database.Collection(collPublications, options.Collection().SetReadConcern(readconcern.Local()))
}

func (db *DB) publicationLock(id string) func() { return db.gate.lockCase("publication/" + id) }

func pubNotFound() error { return store.NotFound(store.MsgPublicationNotFound) }

func stalePub() error { return store.Conflict(store.MsgStaleRecord) }

func checkPublication(p *store.Publication) error {
	switch {
	case p == nil || p.ID == "":
		return store.Incomplete("mongo", "publication ID")
	case p.Kind == "":
		return store.Incomplete("mongo", "publication kind")
	case p.RegionCode == "":
		return store.Incomplete("mongo", "publication region")
	}
	return nil
}

// CreatePublication inserts p with r as its draft revision 1.
func (db *DB) CreatePublication(ctx context.Context, p *store.Publication, r *store.Revision) error {
	if err := checkPublication(p); err != nil {
		return err
	}
	if r == nil {
		return store.Incomplete("mongo", "publication revision")
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
	doc := newPublicationDoc(&row)
	doc.Revisions = []revisionDoc{newRevisionDoc(&rev)}
	if err := db.insertPublication(ctx, "create publication", doc); err != nil {
		return err
	}
	*p, *r = row, rev
	return nil
}

// ImportPublication inserts p with its revisions as given, but for
// IndexedVersion, which starts at 0 (newPublicationDoc).
func (db *DB) ImportPublication(ctx context.Context, p *store.Publication, revs []*store.Revision) error {
	if err := checkPublication(p); err != nil {
		return err
	}
	if p.Version < 1 {
		return store.Incomplete("mongo", "publication version")
	}
	if len(revs) == 0 {
		return store.Incomplete("mongo", "publication revisions")
	}
	doc := newPublicationDoc(p)
	for i, r := range revs {
		if r == nil || r.Number != i+1 {
			return store.Incomplete("mongo", "publication revisions numbered 1…n")
		}
		doc.Revisions = append(doc.Revisions, newRevisionDoc(r))
	}
	return db.insertPublication(ctx, "import publication", doc)
}

// insertPublication inserts doc; the unique _id, source_key and slot
// refuse it as a whole, and whyPublicationConflict says which.
func (db *DB) insertPublication(ctx context.Context, op string, doc publicationDoc) error {
	_, err := db.publications().InsertOne(ctx, doc)
	if mongodrv.IsDuplicateKeyError(err) {
		msg, werr := db.whyPublicationConflict(ctx, doc)
		if werr != nil {
			return werr
		}
		return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo %s %q: %w", op, doc.ID, err), msg)
	}
	return translate(op, err)
}

// whyPublicationConflict names the rule an insert of doc broke, in the
// contract's order: an ID or a SourceID in use is MsgConflict, a slot held
// is MsgPublicationExists.
func (db *DB) whyPublicationConflict(ctx context.Context, doc publicationDoc) (string, error) {
	coll := db.publicationsLocal()
	for _, filter := range []bson.D{
		{{Key: fieldID, Value: doc.ID}},
		{{Key: pubFieldSourceKey, Value: doc.SourceKey}},
	} {
		err := coll.FindOne(ctx, filter, options.FindOne().SetProjection(bson.D{{Key: fieldID, Value: 1}})).Err()
		if err == nil {
			return store.MsgConflict, nil
		}
		if !errors.Is(err, mongodrv.ErrNoDocuments) {
			return "", translate("check publication conflict", err)
		}
	}
	return store.MsgPublicationExists, nil
}

// PublicationInRegions reads a publication with the scope in the filter,
// so one outside it is simply not found.
func (db *DB) PublicationInRegions(ctx context.Context, id string, regionCodes []string) (*store.Publication, error) {
	if id == "" || len(regionCodes) == 0 {
		return nil, pubNotFound()
	}
	return db.findPublication(ctx, "publication in regions", bson.D{
		{Key: fieldID, Value: id},
		{Key: fieldRegionCode, Value: bson.D{{Key: "$in", Value: regionCodes}}},
	})
}

// PublicationBySource reads the publication imported with sourceID,
// through its unique source_key.
func (db *DB) PublicationBySource(ctx context.Context, sourceID string) (*store.Publication, error) {
	if sourceID == "" {
		return nil, pubNotFound()
	}
	return db.findPublication(ctx, "publication by source", bson.D{{Key: pubFieldSourceKey, Value: "src:" + sourceID}})
}

func (db *DB) findPublication(ctx context.Context, op string, filter bson.D) (*store.Publication, error) {
	var doc publicationDoc
	err := db.publications().FindOne(ctx, filter, options.FindOne().SetProjection(pubHeadProjection)).Decode(&doc)
	if errors.Is(err, mongodrv.ErrNoDocuments) {
		return nil, pubNotFound()
	}
	if err != nil {
		return nil, translate(op, err)
	}
	return doc.toPublication(), nil
}

// Revisions returns the embedded revisions by number.
func (db *DB) Revisions(ctx context.Context, id string) ([]*store.Revision, error) {
	doc, err := db.publicationDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []*store.Revision
	for _, r := range doc.Revisions {
		out = append(out, r.toRevision(doc.ID))
	}
	// Revisions are appended in number order; the sort is a guard.
	slices.SortFunc(out, func(a, b *store.Revision) int { return a.Number - b.Number })
	return out, nil
}

// publicationDoc reads the whole document of publication id.
func (db *DB) publicationDoc(ctx context.Context, id string) (*publicationDoc, error) {
	if id == "" {
		return nil, pubNotFound()
	}
	var doc publicationDoc
	err := db.publications().FindOne(ctx, bson.D{{Key: fieldID, Value: id}}).Decode(&doc)
	if errors.Is(err, mongodrv.ErrNoDocuments) {
		return nil, pubNotFound()
	}
	if err != nil {
		return nil, translate("read publication", err)
	}
	return &doc, nil
}

// SaveDraft edits the pending draft, or starts a correction after the live
// revision.
func (db *DB) SaveDraft(ctx context.Context, id string, expectVersion int64, r *store.Revision) (*store.Publication, error) {
	if r == nil {
		return nil, store.Incomplete("mongo", "publication revision")
	}
	return db.changePublication(ctx, "save publication draft", id, func(d *publicationDoc) error {
		switch {
		case d.WithdrawnAt != nil:
			return store.Conflict(store.MsgPublicationWithdrawn)
		case d.PendingStatus == store.RevSubmitted || d.PendingStatus == store.RevApproved:
			return store.Conflict(store.MsgPublicationFrozen)
		case d.Version != expectVersion:
			return stalePub()
		}
		switch {
		case d.PendingStatus == store.RevDraft && r.Number == d.PendingRevision:
			draft := d.revision(r.Number)
			if draft == nil {
				return fmt.Errorf("publication %s has no pending revision %d", d.ID, r.Number)
			}
			draft.setContent(r)
		case d.PendingStatus == "" && d.LiveRevision > 0 && r.Number == d.LiveRevision+1:
			draft := revisionDoc{Number: r.Number, Status: store.RevDraft,
				CreatedBy: r.CreatedBy, CreatedAt: store.Truncate(r.CreatedAt)}
			draft.setContent(r)
			d.Revisions = append(d.Revisions, draft)
			d.PendingRevision, d.PendingStatus = r.Number, store.RevDraft
		default:
			return stalePub()
		}
		if d.LiveRevision == 0 {
			d.Title = r.Title
		}
		d.UpdatedAt = store.Truncate(r.UpdatedAt)
		return nil
	})
}

// StepPublication moves the pending revision one step of the workflow.
func (db *DB) StepPublication(ctx context.Context, s store.PublicationStep) (*store.Publication, error) {
	if !publicationSteps[[2]string{s.From, s.To}] {
		return nil, store.Incomplete("mongo", fmt.Sprintf("publication step %q → %q", s.From, s.To))
	}
	at := store.Truncate(s.At)
	return db.changePublication(ctx, "step publication", s.ID, func(d *publicationDoc) error {
		switch {
		case d.WithdrawnAt != nil:
			return store.Conflict(store.MsgPublicationWithdrawn)
		case d.Version != s.ExpectVersion || d.PendingStatus != s.From || d.PendingRevision == 0:
			return stalePub()
		}
		rev := d.revision(d.PendingRevision)
		if rev == nil {
			return fmt.Errorf("publication %s has no pending revision %d", d.ID, d.PendingRevision)
		}
		rev.Status, d.PendingStatus = s.To, s.To
		switch s.To {
		case store.RevSubmitted:
			rev.SubmittedBy, rev.SubmittedAt, rev.ReturnNote = s.By, at, ""
		case store.RevDraft:
			rev.ReturnNote = s.Note
		case store.RevApproved:
			rev.ApprovedBy, rev.ApprovedAt = s.By, at
			d.ScheduledAt = rev.ScheduledAt
		case store.RevPublished:
			rev.PublishedBy, rev.PublishedAt = s.By, at
			if live := d.revision(d.LiveRevision); live != nil {
				live.Status = store.RevSuperseded
			}
			d.LiveRevision, d.PendingRevision, d.PendingStatus = rev.Number, 0, ""
			d.ScheduledAt, d.LastPublishedAt = time.Time{}, at
			if d.FirstPublishedAt.IsZero() {
				d.FirstPublishedAt = at
			}
			d.Title = rev.Title
		}
		d.UpdatedAt = at
		return nil
	})
}

// WithdrawPublication leaves a tombstone of a published publication,
// drops its pending revision and frees its slot.
func (db *DB) WithdrawPublication(ctx context.Context, id string, expectVersion int64, by, reason string, at time.Time) (*store.Publication, error) {
	return db.changePublication(ctx, "withdraw publication", id, func(d *publicationDoc) error {
		switch {
		case d.WithdrawnAt != nil:
			return store.Conflict(store.MsgPublicationWithdrawn)
		case d.LiveRevision == 0:
			return store.Conflict(store.MsgNotPublished)
		case d.Version != expectVersion:
			return stalePub()
		}
		if d.PendingRevision > 0 {
			kept := d.Revisions[:0]
			for _, r := range d.Revisions {
				if r.Number != d.PendingRevision {
					kept = append(kept, r)
				}
			}
			d.Revisions = kept
		}
		d.PendingRevision, d.PendingStatus, d.ScheduledAt = 0, "", time.Time{}
		d.WithdrawnAt, d.WithdrawnBy, d.WithdrawnReason = optionalTime(at), by, reason
		d.UpdatedAt = store.Truncate(at)
		return nil
	})
}

// changePublication reads publication id, lets change check and change the
// document, and writes it one version on, and pending for the search index,
// if it is still at the version read. A write that matches nothing means
// another change came first: the document is read again and checked again,
// so the caller is told why (withdrawn, frozen, stale) as if it had come
// second from the start.
//
// The write sets every field but _id and indexed_version, which is
// MarkIndexed's: a mark landing between the read and the write is kept
// (and the record is pending anyway, one version on).
func (db *DB) changePublication(ctx context.Context, op, id string, change func(d *publicationDoc) error) (*store.Publication, error) {
	unlock := db.publicationLock(id)
	defer unlock()
	doc, err := db.publicationDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	version := doc.Version
	if err := change(doc); err != nil {
		return nil, translate(op, err)
	}
	doc.Version = version + 1
	doc.IndexPending = true
	doc.setKeys()
	set, err := setAllBut(doc, fieldID, fieldIndexedVersion)
	if err != nil {
		return nil, translate(op, err)
	}
	var stored publicationDoc
	err = db.publications().FindOneAndUpdate(ctx, bson.D{{Key: fieldID, Value: id}, {Key: fieldVersion, Value: version}},
		bson.D{{Key: "$set", Value: set}}, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&stored)
	if err == nil {
		return stored.toPublication(), nil
	}
	if !errors.Is(err, mongodrv.ErrNoDocuments) {
		return nil, translate(op, err)
	}
	if doc, err = db.publicationDoc(ctx, id); err != nil {
		return nil, err
	}
	if err := change(doc); err != nil {
		return nil, translate(op, err)
	}
	// Every change checks the caller's expected version, which the other
	// change moved on; this is not reached, but stale is the answer.
	return nil, stalePub()
}

// ListPublications returns one page of matching publications, the most
// recently updated first, and the number of matches. Count and page are
// two reads; under concurrent writes they may disagree by one.
func (db *DB) ListPublications(ctx context.Context, f store.PublicationFilter) ([]*store.Publication, int, error) {
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	filter := bson.D{}
	filter = appendIn(filter, fieldRegionCode, f.RegionCodes)
	filter = appendIn(filter, fieldKind, f.Kinds)
	filter = appendIn(filter, pubFieldPendingStatus, f.PendingStatuses)
	if f.Year != 0 {
		filter = append(filter, bson.E{Key: pubFieldYear, Value: f.Year})
	}
	total, err := db.publications().CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, translate("count publications", err)
	}
	docs, err := db.findPublications(ctx, "list publications", filter, options.Find().
		SetProjection(pubHeadProjection).
		SetSort(bson.D{{Key: fieldUpdatedAt, Value: -1}, {Key: fieldID, Value: 1}}).
		SetSkip(int64(offset)).
		SetLimit(int64(limit)))
	if err != nil {
		return nil, 0, err
	}
	var out []*store.Publication
	for i := range docs {
		out = append(out, docs[i].toPublication())
	}
	return out, int(total), nil
}

// ListPublished returns one page of published publications with their
// live revisions, the most recently first published first, and the number
// of matches. Count and page are two reads.
func (db *DB) ListPublished(ctx context.Context, f store.PublishedFilter) ([]store.Published, int, error) {
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	filter := bson.D{{Key: pubFieldLiveRevision, Value: bson.D{{Key: "$gt", Value: 0}}}}
	if !f.WithTombstones {
		filter = append(filter, bson.E{Key: pubFieldWithdrawnAt, Value: nil})
	}
	filter = appendIn(filter, fieldKind, f.Kinds)
	filter = appendIn(filter, fieldRegionCode, f.RegionCodes)
	if f.Year != 0 {
		filter = append(filter, bson.E{Key: pubFieldYear, Value: f.Year})
	}
	total, err := db.publications().CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, translate("count published", err)
	}
	docs, err := db.findPublications(ctx, "list published", filter, options.Find().
		SetSort(bson.D{{Key: pubFieldFirstPublishedAt, Value: -1}, {Key: fieldID, Value: 1}}).
		SetSkip(int64(offset)).
		SetLimit(int64(limit)))
	if err != nil {
		return nil, 0, err
	}
	var out []store.Published
	for i := range docs {
		d := &docs[i]
		item := store.Published{Publication: d.toPublication()}
		if d.WithdrawnAt == nil {
			live := d.revision(d.LiveRevision)
			if live == nil {
				return nil, 0, translate("list published", fmt.Errorf("publication %s has no live revision %d", d.ID, d.LiveRevision))
			}
			item.Live = live.toRevision(d.ID)
		}
		out = append(out, item)
	}
	return out, int(total), nil
}

// PublishedByIDs reads the published publications among ids, their
// revisions embedded, with one find and puts them in the order of ids.
func (db *DB) PublishedByIDs(ctx context.Context, ids []string) ([]store.Published, error) {
	if len(ids) > store.MaxLimit {
		return nil, store.Incomplete("mongo", fmt.Sprintf("at most %d publication IDs", store.MaxLimit))
	}
	ids = store.DistinctIDs(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	docs, err := db.findPublications(ctx, "published by ids", bson.D{
		{Key: fieldID, Value: bson.D{{Key: "$in", Value: ids}}},
		{Key: pubFieldLiveRevision, Value: bson.D{{Key: "$gt", Value: 0}}},
	}, options.Find())
	if err != nil {
		return nil, err
	}
	found := make(map[string]store.Published, len(docs))
	for i := range docs {
		d := &docs[i]
		item := store.Published{Publication: d.toPublication()}
		if d.WithdrawnAt == nil {
			live := d.revision(d.LiveRevision)
			if live == nil {
				return nil, translate("published by ids", fmt.Errorf("publication %s has no live revision %d", d.ID, d.LiveRevision))
			}
			item.Live = live.toRevision(d.ID)
		}
		found[d.ID] = item
	}
	return inIDOrder(ids, found), nil
}

// DuePublications returns the approved publications due by at, earliest
// first; a zero schedule is the zero time, which sorts first.
func (db *DB) DuePublications(ctx context.Context, at time.Time, limit int) ([]string, error) {
	if limit < 1 {
		return nil, nil
	}
	filter := bson.D{
		{Key: pubFieldPendingStatus, Value: store.RevApproved},
		{Key: pubFieldScheduledAt, Value: bson.D{{Key: "$lte", Value: store.Truncate(at)}}},
	}
	cur, err := db.publications().Find(ctx, filter, options.Find().
		SetProjection(bson.D{{Key: fieldID, Value: 1}}).
		SetSort(bson.D{{Key: pubFieldScheduledAt, Value: 1}, {Key: fieldID, Value: 1}}).
		SetLimit(int64(limit)))
	if err != nil {
		return nil, translate("due publications", err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("due publications", err)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	return ids, nil
}

func (db *DB) findPublications(ctx context.Context, op string, filter bson.D, opts *options.FindOptionsBuilder) ([]publicationDoc, error) {
	cur, err := db.publications().Find(ctx, filter, opts)
	if err != nil {
		return nil, translate(op, err)
	}
	var docs []publicationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(op, err)
	}
	return docs, nil
}

// setAllBut is the $set of every top-level field of doc but those named:
// a change written whole, except the fields another write owns.
func setAllBut(doc any, except ...string) (bson.D, error) {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return nil, err
	}
	elems, err := bson.Raw(raw).Elements()
	if err != nil {
		return nil, err
	}
	set := make(bson.D, 0, len(elems))
	for _, e := range elems {
		if !slices.Contains(except, e.Key()) {
			set = append(set, bson.E{Key: e.Key(), Value: e.Value()})
		}
	}
	return set, nil
}

// appendIn adds {field: {$in: values}} for a non-empty list.
func appendIn(filter bson.D, field string, values []string) bson.D {
	if len(values) == 0 {
		return filter
	}
	return append(filter, bson.E{Key: field, Value: bson.D{{Key: "$in", Value: values}}})
}

// migratePublications is this area's migration step (see migrate.go): the
// collection, the unique keys that keep a SourceID once and a fund report
// or account note once per region and year, and the indexes of the lists.
func migratePublications(ctx context.Context, db *mongodrv.Database) error {
	if err := createCollection(ctx, db, collPublications); err != nil {
		return err
	}
	return createIndexesOneByOne(ctx, db.Collection(collPublications), []mongodrv.IndexModel{
		{Keys: bson.D{{Key: pubFieldSlot, Value: 1}},
			Options: options.Index().SetName("slot_unique").SetUnique(true)},
		{Keys: bson.D{{Key: pubFieldSourceKey, Value: 1}},
			Options: options.Index().SetName("source_key_unique").SetUnique(true)},
		// ListPublications: the most recently updated first, within a scope.
		{Keys: bson.D{{Key: fieldUpdatedAt, Value: -1}, {Key: fieldID, Value: 1}},
			Options: options.Index().SetName("updated_at")},
		{Keys: bson.D{{Key: fieldRegionCode, Value: 1}, {Key: fieldUpdatedAt, Value: -1}},
			Options: options.Index().SetName("region_code_updated_at")},
		// ListPublished: the most recently first published first.
		{Keys: bson.D{{Key: pubFieldFirstPublishedAt, Value: -1}, {Key: fieldID, Value: 1}},
			Options: options.Index().SetName("first_published_at")},
		// DuePublications: approved ones by schedule.
		{Keys: bson.D{{Key: pubFieldPendingStatus, Value: 1}, {Key: pubFieldScheduledAt, Value: 1}},
			Options: options.Index().SetName("pending_status_scheduled_at")},
	})
}

// PublishedStamp is how many publications are or were live and when the
// latest of them last changed: publishing, correcting and withdrawing all
// move one of the two.
func (db *DB) PublishedStamp(ctx context.Context) (string, error) {
	filter := bson.D{{Key: pubFieldLiveRevision, Value: bson.D{{Key: "$gt", Value: 0}}}}
	n, err := db.publications().CountDocuments(ctx, filter)
	if err != nil {
		return "", translate("published stamp", err)
	}
	var docs []struct {
		UpdatedAt time.Time `bson:"updated_at"`
	}
	cur, err := db.publications().Find(ctx, filter, options.Find().
		SetProjection(bson.D{{Key: "updated_at", Value: 1}}).
		SetSort(bson.D{{Key: "updated_at", Value: -1}}).SetLimit(1))
	if err != nil {
		return "", translate("published stamp", err)
	}
	if err := cur.All(ctx, &docs); err != nil {
		return "", translate("published stamp", err)
	}
	var latest int64
	if len(docs) > 0 {
		latest = docs[0].UpdatedAt.UnixMilli()
	}
	return fmt.Sprintf("%d:%d", n, latest), nil
}
