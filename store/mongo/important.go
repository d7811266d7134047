package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"fundwatch/store"
)

// A 要情 report is one document in important_reports; a city's quarterly
// statistics are one document in quarterly_reports with their rows
// embedded. Every write of the area is therefore a single-document write:
// an insert, or an update whose filter holds the status (and version) the
// caller saw, so of two racing leaders exactly one signs.
const (
	collImportantReports = "important_reports"
	collQuarterlyReports = "quarterly_reports"

	reportFieldCaseID   = "case_id"
	reportFieldRevision = "revision"
	reportFieldDueAt    = "due_at"
	quarterlyFieldYear  = "year"
	quarterlyFieldQtr   = "quarter"
	quarterlyFieldCity  = "city_code"
)

// reportDoc is store.ImportantReport on disk. Times not reached yet
// (SignedAt, SubmittedAt) are stored as the zero time.
type reportDoc struct {
	ID             string    `bson:"_id"`
	CaseID         string    `bson:"case_id"`
	CaseNumber     string    `bson:"case_number"`
	RegionCode     string    `bson:"region_code"`
	Revision       int       `bson:"revision"`
	Supersedes     string    `bson:"supersedes"`
	ChangeNote     string    `bson:"change_note"`
	Class          string    `bson:"class"`
	National       bool      `bson:"national"`
	DiscoveredOn   string    `bson:"discovered_on"`
	DueAt          time.Time `bson:"due_at"`
	AmountFen      int64     `bson:"amount_fen"`
	Category       string    `bson:"category"`
	InsuranceTypes []string  `bson:"insurance_types"`
	Title          string    `bson:"title"`
	Body           string    `bson:"body"`
	Recipients     []string  `bson:"recipients"`
	Status         string    `bson:"status"`
	DraftedBy      string    `bson:"drafted_by"`
	CreatedAt      time.Time `bson:"created_at"`
	UpdatedAt      time.Time `bson:"updated_at"`
	SignedBy       string    `bson:"signed_by"`
	SignedByName   string    `bson:"signed_by_name"`
	SignedAt       time.Time `bson:"signed_at"`
	SignedHash     string    `bson:"signed_hash"`
	SubmittedBy    string    `bson:"submitted_by"`
	SubmittedAt    time.Time `bson:"submitted_at"`
	Version        int64     `bson:"version"`
}

func newReportDoc(r *store.ImportantReport) reportDoc {
	return reportDoc{
		ID:             r.ID,
		CaseID:         r.CaseID,
		CaseNumber:     r.CaseNumber,
		RegionCode:     r.RegionCode,
		Revision:       r.Revision,
		Supersedes:     r.Supersedes,
		ChangeNote:     r.ChangeNote,
		Class:          r.Class,
		National:       r.National,
		DiscoveredOn:   r.DiscoveredOn,
		DueAt:          store.Truncate(r.DueAt),
		AmountFen:      r.AmountFen,
		Category:       r.Category,
		InsuranceTypes: nilIfEmpty(r.InsuranceTypes),
		Title:          r.Title,
		Body:           r.Body,
		Recipients:     nilIfEmpty(r.Recipients),
		Status:         r.Status,
		DraftedBy:      r.DraftedBy,
		CreatedAt:      store.Truncate(r.CreatedAt),
		UpdatedAt:      store.Truncate(r.UpdatedAt),
		SignedBy:       r.SignedBy,
		SignedByName:   r.SignedByName,
		SignedAt:       store.Truncate(r.SignedAt),
		SignedHash:     r.SignedHash,
		SubmittedBy:    r.SubmittedBy,
		SubmittedAt:    store.Truncate(r.SubmittedAt),
		Version:        r.Version,
	}
}

func (d *reportDoc) toReport() *store.ImportantReport {
	return &store.ImportantReport{
		ID:             d.ID,
		CaseID:         d.CaseID,
		CaseNumber:     d.CaseNumber,
		RegionCode:     d.RegionCode,
		Revision:       d.Revision,
		Supersedes:     d.Supersedes,
		ChangeNote:     d.ChangeNote,
		Class:          d.Class,
		National:       d.National,
		DiscoveredOn:   d.DiscoveredOn,
		DueAt:          d.DueAt.UTC(),
		AmountFen:      d.AmountFen,
		Category:       d.Category,
		InsuranceTypes: nilIfEmpty(d.InsuranceTypes),
		Title:          d.Title,
		Body:           d.Body,
		Recipients:     nilIfEmpty(d.Recipients),
		Status:         d.Status,
		DraftedBy:      d.DraftedBy,
		CreatedAt:      d.CreatedAt.UTC(),
		UpdatedAt:      d.UpdatedAt.UTC(),
		SignedBy:       d.SignedBy,
		SignedByName:   d.SignedByName,
		SignedAt:       d.SignedAt.UTC(),
		SignedHash:     d.SignedHash,
		SubmittedBy:    d.SubmittedBy,
		SubmittedAt:    d.SubmittedAt.UTC(),
		Version:        d.Version,
	}
}

func (db *DB) importantReports() *mongodrv.Collection {
	return db.database.Collection(collImportantReports)
}

func (db *DB) quarterlyReports() *mongodrv.Collection {
	return db.database.Collection(collQuarterlyReports)
}

// reportLock serialises the conditional updates of one report on FerretDB
// (see writeGate); on MongoDB it does nothing.
func (db *DB) reportLock(id string) func() { return db.gate.lockCase("important_report/" + id) }

// CreateImportantReport inserts r as a draft at version 1. The _id and the
// unique (case_id, revision) index refuse a second report of either.
func (db *DB) CreateImportantReport(ctx context.Context, r *store.ImportantReport) error {
	switch {
	case r == nil || r.ID == "":
		return store.Incomplete("mongo", "report ID")
	case r.CaseID == "":
		return store.Incomplete("mongo", "report case ID")
	case r.RegionCode == "":
		return store.Incomplete("mongo", "report region")
	case r.Revision < 1:
		return store.Incomplete("mongo", "report revision")
	}
	doc := newReportDoc(r)
	doc.Status, doc.Version = store.ReportDraft, 1
	_, err := db.importantReports().InsertOne(ctx, doc)
	if mongodrv.IsDuplicateKeyError(err) {
		return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo create important report %q: %w", r.ID, err), store.MsgConflict)
	}
	if err != nil {
		return translate("create important report", err)
	}
	r.Status, r.Version = store.ReportDraft, 1
	return nil
}

// ImportImportantReport inserts r as given, status and version included;
// the _id and the unique (case_id, revision) index refuse a second report
// of either.
func (db *DB) ImportImportantReport(ctx context.Context, r *store.ImportantReport) error {
	switch {
	case r == nil || r.ID == "":
		return store.Incomplete("mongo", "report ID")
	case r.CaseID == "":
		return store.Incomplete("mongo", "report case ID")
	case r.RegionCode == "":
		return store.Incomplete("mongo", "report region")
	case r.Revision < 1:
		return store.Incomplete("mongo", "report revision")
	case r.Version < 1:
		return store.Incomplete("mongo", "report version")
	case r.Status != store.ReportDraft && r.Status != store.ReportSigned && r.Status != store.ReportSubmitted:
		return store.Incomplete("mongo", "report status")
	}
	_, err := db.importantReports().InsertOne(ctx, newReportDoc(r))
	if mongodrv.IsDuplicateKeyError(err) {
		return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo import important report %q: %w", r.ID, err), store.MsgConflict)
	}
	return translate("import important report", err)
}

// ImportantReportInRegions reads a report with the scope in the filter, so
// a report outside it is simply not found.
func (db *DB) ImportantReportInRegions(ctx context.Context, id string, regionCodes []string) (*store.ImportantReport, error) {
	if id == "" || len(regionCodes) == 0 {
		return nil, store.NotFound(store.MsgReportNotFound)
	}
	filter := bson.D{
		{Key: fieldID, Value: id},
		{Key: fieldRegionCode, Value: bson.D{{Key: "$in", Value: regionCodes}}},
	}
	var doc reportDoc
	err := db.importantReports().FindOne(ctx, filter).Decode(&doc)
	if errors.Is(err, mongodrv.ErrNoDocuments) {
		return nil, store.NotFound(store.MsgReportNotFound)
	}
	if err != nil {
		return nil, translate("important report in regions", err)
	}
	return doc.toReport(), nil
}

// UpdateImportantDraft replaces the editable fields of a draft still at
// r.Version, in one update filtered on both.
func (db *DB) UpdateImportantDraft(ctx context.Context, r *store.ImportantReport) error {
	if r == nil || r.ID == "" {
		return store.NotFound(store.MsgReportNotFound)
	}
	filter := bson.D{
		{Key: fieldID, Value: r.ID},
		{Key: fieldStatus, Value: store.ReportDraft},
		{Key: fieldVersion, Value: r.Version},
	}
	update := bson.D{
		{Key: "$set", Value: bson.D{
			{Key: "title", Value: r.Title},
			{Key: "body", Value: r.Body},
			{Key: "recipients", Value: nilIfEmpty(r.Recipients)},
			{Key: "amount_fen", Value: r.AmountFen},
			{Key: "category", Value: r.Category},
			{Key: "insurance_types", Value: nilIfEmpty(r.InsuranceTypes)},
			{Key: "class", Value: r.Class},
			{Key: "national", Value: r.National},
			{Key: "discovered_on", Value: r.DiscoveredOn},
			{Key: reportFieldDueAt, Value: store.Truncate(r.DueAt)},
			{Key: "change_note", Value: r.ChangeNote},
			{Key: fieldUpdatedAt, Value: store.Truncate(r.UpdatedAt)},
		}},
		{Key: "$inc", Value: bson.D{{Key: fieldVersion, Value: int64(1)}}},
	}
	unlock := db.reportLock(r.ID)
	defer unlock()
	res, err := db.importantReports().UpdateOne(ctx, filter, update)
	if err != nil {
		return translate("update important draft", err)
	}
	if res.MatchedCount == 0 {
		return db.whyReportUnchanged(ctx, r.ID, store.ReportDraft, store.MsgReportFrozen)
	}
	r.Version++
	return nil
}

// SignImportantReport freezes a draft still at version, recording the
// signer, the time and the hash of what was signed.
func (db *DB) SignImportantReport(ctx context.Context, id string, version int64, signerID, signerName string, at time.Time, hash string) (*store.ImportantReport, error) {
	at = store.Truncate(at)
	filter := bson.D{
		{Key: fieldID, Value: id},
		{Key: fieldStatus, Value: store.ReportDraft},
		{Key: fieldVersion, Value: version},
	}
	set := bson.D{
		{Key: fieldStatus, Value: store.ReportSigned},
		{Key: "signed_by", Value: signerID},
		{Key: "signed_by_name", Value: signerName},
		{Key: "signed_at", Value: at},
		{Key: "signed_hash", Value: hash},
		{Key: fieldUpdatedAt, Value: at},
	}
	return db.moveReport(ctx, "sign important report", id, filter, set, store.ReportDraft, store.MsgReportFrozen)
}

// SubmitImportantReport marks a signed report as sent to the next level.
func (db *DB) SubmitImportantReport(ctx context.Context, id string, by string, at time.Time) (*store.ImportantReport, error) {
	at = store.Truncate(at)
	filter := bson.D{
		{Key: fieldID, Value: id},
		{Key: fieldStatus, Value: store.ReportSigned},
	}
	set := bson.D{
		{Key: fieldStatus, Value: store.ReportSubmitted},
		{Key: "submitted_by", Value: by},
		{Key: "submitted_at", Value: at},
		{Key: fieldUpdatedAt, Value: at},
	}
	return db.moveReport(ctx, "submit important report", id, filter, set, store.ReportSigned, store.MsgAlreadyDone)
}

// moveReport applies set and a version increment to the report matching
// filter (its ID and the status from it must be in), returning the report
// afterwards; see whyReportUnchanged for a miss.
func (db *DB) moveReport(ctx context.Context, op, id string, filter, set bson.D, from, wrongStatus string) (*store.ImportantReport, error) {
	if id == "" {
		return nil, store.NotFound(store.MsgReportNotFound)
	}
	update := bson.D{
		{Key: "$set", Value: set},
		{Key: "$inc", Value: bson.D{{Key: fieldVersion, Value: int64(1)}}},
	}
	unlock := db.reportLock(id)
	defer unlock()
	var doc reportDoc
	opts := options.FindOneAndUpdate().SetReturnDocument(options.After)
	err := db.importantReports().FindOneAndUpdate(ctx, filter, update, opts).Decode(&doc)
	if errors.Is(err, mongodrv.ErrNoDocuments) {
		return nil, db.whyReportUnchanged(ctx, id, from, wrongStatus)
	}
	if err != nil {
		return nil, translate(op, err)
	}
	return doc.toReport(), nil
}

// whyReportUnchanged explains an update filtered on status from (and
// maybe on a version) that matched nothing: the report is missing
// (ENOTFOUND), in another status (ECONFLICT with wrongStatus), or at
// another version (ECONFLICT, MsgStaleRecord).
func (db *DB) whyReportUnchanged(ctx context.Context, id, from, wrongStatus string) error {
	var doc struct {
		Status string `bson:"status"`
	}
	opts := options.FindOne().SetProjection(bson.D{{Key: fieldStatus, Value: 1}})
	err := db.importantReports().FindOne(ctx, bson.D{{Key: fieldID, Value: id}}, opts).Decode(&doc)
	switch {
	case errors.Is(err, mongodrv.ErrNoDocuments):
		return store.NotFound(store.MsgReportNotFound)
	case err != nil:
		return translate("check important report", err)
	case doc.Status != from:
		return store.Conflict(wrongStatus)
	default:
		return store.Conflict(store.MsgStaleRecord)
	}
}

// ListImportantReports returns one page of matching reports, due soonest
// first, and the number of matches. Count and page are two reads; under
// concurrent writes they may disagree by a report.
func (db *DB) ListImportantReports(ctx context.Context, f store.ImportantFilter) ([]*store.ImportantReport, int, error) {
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	filter := bson.D{}
	if len(f.RegionCodes) > 0 {
		filter = append(filter, bson.E{Key: fieldRegionCode, Value: bson.D{{Key: "$in", Value: f.RegionCodes}}})
	}
	if f.CaseID != "" {
		filter = append(filter, bson.E{Key: reportFieldCaseID, Value: f.CaseID})
	}
	if len(f.Statuses) > 0 {
		filter = append(filter, bson.E{Key: fieldStatus, Value: bson.D{{Key: "$in", Value: f.Statuses}}})
	}
	if !f.DueBefore.IsZero() {
		filter = append(filter, bson.E{Key: reportFieldDueAt, Value: bson.D{{Key: "$lt", Value: store.Truncate(f.DueBefore)}}})
	}
	coll := db.importantReports()
	total, err := coll.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, translate("count important reports", err)
	}
	opts := options.Find().
		SetSort(bson.D{{Key: reportFieldDueAt, Value: 1}, {Key: fieldCreatedAt, Value: -1}, {Key: fieldID, Value: 1}}).
		SetSkip(int64(offset)).
		SetLimit(int64(limit))
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, 0, translate("list important reports", err)
	}
	var docs []reportDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, translate("list important reports", err)
	}
	out := make([]*store.ImportantReport, len(docs))
	for i := range docs {
		out[i] = docs[i].toReport()
	}
	return out, int(total), nil
}

// quarterlyDoc is store.QuarterlyReport on disk, its rows embedded.
type quarterlyDoc struct {
	ID              string            `bson:"_id"`
	CityCode        string            `bson:"city_code"`
	Year            int               `bson:"year"`
	Quarter         int               `bson:"quarter"`
	Rows            []quarterlyRowDoc `bson:"rows"`
	DueAt           time.Time         `bson:"due_at"`
	SubmittedBy     string            `bson:"submitted_by"`
	SubmittedByName string            `bson:"submitted_by_name"`
	SubmittedAt     time.Time         `bson:"submitted_at"`
}

type quarterlyRowDoc struct {
	Class         string `bson:"class"`
	Category      string `bson:"category"`
	InsuranceType string `bson:"insurance_type"`
	Count         int    `bson:"count"`
	AmountFen     int64  `bson:"amount_fen"`
}

// SubmitQuarterlyReport inserts a city's quarterly statistics once: the _id
// and the unique (year, quarter, city_code) index refuse a second.
func (db *DB) SubmitQuarterlyReport(ctx context.Context, q *store.QuarterlyReport) error {
	switch {
	case q == nil || q.ID == "":
		return store.Incomplete("mongo", "quarterly report ID")
	case q.CityCode == "":
		return store.Incomplete("mongo", "quarterly report city")
	case q.Quarter < 1 || q.Quarter > 4:
		return store.Incomplete("mongo", "quarterly report quarter")
	}
	doc := quarterlyDoc{
		ID:              q.ID,
		CityCode:        q.CityCode,
		Year:            q.Year,
		Quarter:         q.Quarter,
		Rows:            make([]quarterlyRowDoc, len(q.Rows)),
		DueAt:           store.Truncate(q.DueAt),
		SubmittedBy:     q.SubmittedBy,
		SubmittedByName: q.SubmittedByName,
		SubmittedAt:     store.Truncate(q.SubmittedAt),
	}
	for i, r := range q.Rows {
		doc.Rows[i] = quarterlyRowDoc(r)
	}
	_, err := db.quarterlyReports().InsertOne(ctx, doc)
	if mongodrv.IsDuplicateKeyError(err) {
		return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo submit quarterly report %q: %w", q.ID, err), store.MsgAlreadyDone)
	}
	return translate("submit quarterly report", err)
}

// QuarterlyReports returns a quarter's submitted statistics by city code.
func (db *DB) QuarterlyReports(ctx context.Context, year, quarter int, cityCodes []string) ([]*store.QuarterlyReport, error) {
	filter := bson.D{
		{Key: quarterlyFieldYear, Value: year},
		{Key: quarterlyFieldQtr, Value: quarter},
	}
	if len(cityCodes) > 0 {
		filter = append(filter, bson.E{Key: quarterlyFieldCity, Value: bson.D{{Key: "$in", Value: cityCodes}}})
	}
	return db.findQuarterly(ctx, "quarterly reports", filter, options.Find().SetSort(bson.D{{Key: quarterlyFieldCity, Value: 1}}))
}

// ListQuarterlyReports returns one page of every submitted report, the
// earliest quarter first, and how many there are. Count and page are two
// reads; under concurrent submissions they may disagree by a report.
func (db *DB) ListQuarterlyReports(ctx context.Context, limit, offset int) ([]*store.QuarterlyReport, int, error) {
	limit, offset = store.PageBounds(limit, offset)
	total, err := db.quarterlyReports().CountDocuments(ctx, bson.D{})
	if err != nil {
		return nil, 0, translate("count quarterly reports", err)
	}
	opts := options.Find().
		SetSort(bson.D{{Key: quarterlyFieldYear, Value: 1}, {Key: quarterlyFieldQtr, Value: 1}, {Key: quarterlyFieldCity, Value: 1}}).
		SetSkip(int64(offset)).
		SetLimit(int64(limit))
	out, err := db.findQuarterly(ctx, "list quarterly reports", bson.D{}, opts)
	if err != nil {
		return nil, 0, err
	}
	return out, int(total), nil
}

func (db *DB) findQuarterly(ctx context.Context, op string, filter bson.D, opts *options.FindOptionsBuilder) ([]*store.QuarterlyReport, error) {
	cur, err := db.quarterlyReports().Find(ctx, filter, opts)
	if err != nil {
		return nil, translate(op, err)
	}
	var docs []quarterlyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(op, err)
	}
	out := make([]*store.QuarterlyReport, len(docs))
	for i, d := range docs {
		q := &store.QuarterlyReport{
			ID:              d.ID,
			CityCode:        d.CityCode,
			Year:            d.Year,
			Quarter:         d.Quarter,
			DueAt:           d.DueAt.UTC(),
			SubmittedBy:     d.SubmittedBy,
			SubmittedByName: d.SubmittedByName,
			SubmittedAt:     d.SubmittedAt.UTC(),
		}
		for _, r := range d.Rows {
			q.Rows = append(q.Rows, store.QuarterlyRow(r))
		}
		out[i] = q
	}
	return out, nil
}

// migrateImportant is this area's migration step (see migrate.go): the two
// collections, the unique indexes that make a case revision and a city's
// quarter single, and the indexes of the lists.
func migrateImportant(ctx context.Context, db *mongodrv.Database) error {
	for _, name := range []string{collImportantReports, collQuarterlyReports} {
		if err := createCollection(ctx, db, name); err != nil {
			return err
		}
	}
	err := createIndexesOneByOne(ctx, db.Collection(collImportantReports), []mongodrv.IndexModel{
		{Keys: bson.D{{Key: reportFieldCaseID, Value: 1}, {Key: reportFieldRevision, Value: 1}},
			Options: options.Index().SetName("case_revision_unique").SetUnique(true)},
		// Lists are sorted by due time, within a scope or a status.
		{Keys: bson.D{{Key: fieldRegionCode, Value: 1}, {Key: reportFieldDueAt, Value: 1}},
			Options: options.Index().SetName("region_code_due_at")},
		{Keys: bson.D{{Key: fieldStatus, Value: 1}, {Key: reportFieldDueAt, Value: 1}},
			Options: options.Index().SetName("status_due_at")},
		{Keys: bson.D{{Key: reportFieldDueAt, Value: 1}, {Key: fieldCreatedAt, Value: -1}},
			Options: options.Index().SetName("due_at_created_at")},
	})
	if err != nil {
		return err
	}
	return createIndexesOneByOne(ctx, db.Collection(collQuarterlyReports), []mongodrv.IndexModel{
		{Keys: bson.D{{Key: quarterlyFieldYear, Value: 1}, {Key: quarterlyFieldQtr, Value: 1}, {Key: quarterlyFieldCity, Value: 1}},
			Options: options.Index().SetName("year_quarter_city_code_unique").SetUnique(true)},
	})
}

// createIndexesOneByOne creates the indexes with one createIndexes command
// each. Creating an index that exists already is a no-op, which keeps a
// migration step idempotent; but FerretDB v1.24.2 panics and drops the
// connection when one createIndexes command names several indexes that all
// exist, as a step run again after a crash would.
func createIndexesOneByOne(ctx context.Context, coll *mongodrv.Collection, models []mongodrv.IndexModel) error {
	for _, m := range models {
		if _, err := coll.Indexes().CreateOne(ctx, m); err != nil {
			return err
		}
	}
	return nil
}
