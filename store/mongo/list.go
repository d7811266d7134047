package mongo

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"fundwatch/store"
)

// caseFilter renders f as a query filter. withStatuses is false for the
// counts by status, which ignore f.Statuses. Values go in under fixed keys
// as typed values, so no input is ever read as an operator.
func caseFilter(f store.CaseFilter, withStatuses bool) bson.D {
	filter := bson.D{}
	add := func(field string, value any) { filter = append(filter, bson.E{Key: field, Value: value}) }
	if len(f.RegionCodes) > 0 {
		add(fieldRegionCode, bson.D{{Key: "$in", Value: f.RegionCodes}})
	}
	if withStatuses && len(f.Statuses) > 0 {
		add(fieldStatus, bson.D{{Key: "$in", Value: f.Statuses}})
	}
	if f.Kind != "" {
		add(fieldKind, f.Kind)
	}
	if f.Category != "" {
		add(fieldCategory, f.Category)
	}
	if f.InsuranceType != "" {
		// On an array field, equality matches an element.
		add(fieldInsuranceTypes, f.InsuranceType)
	}
	if f.Channel != "" {
		add(fieldChannel, f.Channel)
	}
	if f.ImportantClass != "" {
		add(fieldImportantClass, f.ImportantClass)
	}
	switch {
	case f.AssigneeID != "" && f.Unassigned:
		// Assigned to this user and to nobody: no case is both.
		add(fieldAssigneeID, bson.D{{Key: "$in", Value: bson.A{}}})
	case f.AssigneeID != "":
		add(fieldAssigneeID, f.AssigneeID)
	case f.Unassigned:
		add(fieldAssigneeID, "")
	}
	if !f.DueBefore.IsZero() {
		// $lt on a date matches dates only, never the null of "no deadline".
		add(fieldDueAt, bson.D{{Key: "$lt", Value: store.Truncate(f.DueBefore)}})
	}
	if f.DiscoveredFrom != "" || f.DiscoveredTo != "" {
		discovered := bson.D{{Key: "$gt", Value: ""}}
		if f.DiscoveredFrom != "" {
			discovered = append(discovered, bson.E{Key: "$gte", Value: f.DiscoveredFrom})
		}
		if f.DiscoveredTo != "" {
			discovered = append(discovered, bson.E{Key: "$lte", Value: f.DiscoveredTo})
		}
		add(fieldDiscoveredOn, discovered)
	}
	if f.Satisfaction != "" {
		add(fieldRating, f.Satisfaction)
	}
	if f.Demo != nil {
		add(fieldDemo, *f.Demo)
	}
	return filter
}

var (
	newestFirst = bson.D{{Key: fieldCreatedAt, Value: -1}, {Key: fieldSeq, Value: -1}}
	oldestFirst = bson.D{{Key: fieldCreatedAt, Value: 1}, {Key: fieldSeq, Value: 1}}
	soonestDue  = bson.D{{Key: fieldDueAt, Value: 1}, {Key: fieldCreatedAt, Value: -1}, {Key: fieldSeq, Value: -1}}
)

// ListCases returns a page of matching cases in the filter's order, and the
// number of matching cases in all. Count and page are separate reads, so
// under concurrent writes they may disagree by a case; nothing depends on
// them agreeing exactly.
func (db *DB) ListCases(ctx context.Context, f store.CaseFilter) ([]*store.Case, int, error) {
	filter := caseFilter(f, true)
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	total, err := db.cases.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, translate("count cases", err)
	}
	var page []*store.Case
	switch f.Sort {
	case store.SortDue:
		page, err = db.pageByDue(ctx, filter, limit, offset)
	case store.SortOldest:
		page, err = db.page(ctx, filter, oldestFirst, limit, offset)
	default:
		page, err = db.page(ctx, filter, newestFirst, limit, offset)
	}
	if err != nil {
		return nil, 0, err
	}
	return page, int(total), nil
}

// pageByDue pages through the cases with a deadline, soonest first, and
// then those without, newest first. Sorting on due_at alone would put the
// nulls of "no deadline" first, so the two parts are two queries, each
// served by an index in its own order.
func (db *DB) pageByDue(ctx context.Context, filter bson.D, limit, offset int) ([]*store.Case, error) {
	withDue := bson.D{{Key: "$and", Value: bson.A{filter, bson.D{{Key: fieldDueAt, Value: bson.D{{Key: "$ne", Value: nil}}}}}}}
	withoutDue := bson.D{{Key: "$and", Value: bson.A{filter, bson.D{{Key: fieldDueAt, Value: nil}}}}}
	due, err := db.cases.CountDocuments(ctx, withDue)
	if err != nil {
		return nil, translate("count cases with a deadline", err)
	}
	var page []*store.Case
	if int64(offset) < due {
		page, err = db.page(ctx, withDue, soonestDue, limit, offset)
		if err != nil {
			return nil, err
		}
	}
	if rest := limit - len(page); rest > 0 {
		more, err := db.page(ctx, withoutDue, newestFirst, rest, max(offset-int(due), 0))
		if err != nil {
			return nil, err
		}
		page = append(page, more...)
	}
	return page, nil
}

// page finds one page of cases, without their embedded history.
func (db *DB) page(ctx context.Context, filter, sort bson.D, limit, offset int) ([]*store.Case, error) {
	opts := options.Find().
		SetProjection(headProjection).
		SetSort(sort).
		SetSkip(int64(offset)).
		SetLimit(int64(limit))
	cur, err := db.cases.Find(ctx, filter, opts)
	if err != nil {
		return nil, translate("list cases", err)
	}
	var heads []caseHead
	if err := cur.All(ctx, &heads); err != nil {
		return nil, translate("list cases", err)
	}
	var out []*store.Case
	for i := range heads {
		out = append(out, heads[i].toCase())
	}
	return out, nil
}

// CountCasesByStatus counts the cases matching f per status, ignoring
// f.Statuses and paging: the statuses present, then one count each. That
// is k+1 index-served reads on MongoDB, and it avoids $group, whose support
// in FerretDB v1 is partial.
func (db *DB) CountCasesByStatus(ctx context.Context, f store.CaseFilter) (map[string]int, error) {
	filter := caseFilter(f, false)
	var statuses []string
	if err := db.cases.Distinct(ctx, fieldStatus, filter).Decode(&statuses); err != nil {
		return nil, translate("distinct case statuses", err)
	}
	counts := make(map[string]int, len(statuses))
	for _, status := range statuses {
		one := append(slices.Clone(filter), bson.E{Key: fieldStatus, Value: status})
		n, err := db.cases.CountDocuments(ctx, one)
		if err != nil {
			return nil, translate("count cases by status", err)
		}
		if n > 0 {
			counts[status] = int(n)
		}
	}
	return counts, nil
}

// migrateCaseHandling is step 4 (see migrate.go): the indexes of the admin
// inbox, and the handling fields on cases stored before them.
//
// The inbox always filters by region scope (region_code $in the codes of
// the user's regions), often by one more field, and sorts newest first,
// oldest first or by deadline. Each filter's index has the filter's field
// first (equality), then region_code, then the sort keys, so MongoDB seeks
// each (value, region) pair and merges the sorted runs instead of sorting
// the matches; the deadline and discovery ranges come after region_code.
func migrateCaseHandling(ctx context.Context, db *mongo.Database) error {
	cases := db.Collection(collCases)
	byRegionNewest := bson.D{{Key: fieldRegionCode, Value: 1}, {Key: fieldCreatedAt, Value: -1}, {Key: fieldSeq, Value: -1}}
	filterIndex := func(field string) mongo.IndexModel {
		keys := append(bson.D{{Key: field, Value: 1}}, byRegionNewest...)
		return mongo.IndexModel{Keys: keys, Options: options.Index().SetName(field + "_region_code_created_at")}
	}
	indexes := []mongo.IndexModel{
		filterIndex(fieldStatus),
		filterIndex(fieldKind),
		filterIndex(fieldCategory),
		filterIndex(fieldInsuranceTypes), // multikey: one entry per type
		filterIndex(fieldChannel),
		filterIndex(fieldImportantClass),
		filterIndex(fieldAssigneeID),
		filterIndex(fieldDemo),
		{Keys: bson.D{{Key: fieldRegionCode, Value: 1}, {Key: fieldDueAt, Value: 1}, {Key: fieldCreatedAt, Value: -1},
			{Key: fieldSeq, Value: -1}}, Options: options.Index().SetName("region_code_due_at")},
		{Keys: bson.D{{Key: fieldRegionCode, Value: 1}, {Key: fieldDiscoveredOn, Value: 1}},
			Options: options.Index().SetName("region_code_discovered_on")},
		// Unscoped internal callers (a reminder job) look for deadlines
		// across all regions.
		{Keys: bson.D{{Key: fieldDueAt, Value: 1}}, Options: options.Index().SetName("due_at")},
	}
	// One createIndexes per index: re-running the step (after a crash
	// before it was recorded) must find them present and go on, and
	// FerretDB v1.24 panics on a createIndexes of several indexes that all
	// exist, where one at a time is answered as MongoDB does.
	for _, index := range indexes {
		if _, err := cases.Indexes().CreateOne(ctx, index); err != nil {
			return err
		}
	}
	// A case stored before this step gets the values of a case nobody has
	// handled, so the filters on them (ClassNone, Unassigned, no deadline)
	// match it. Events keep their missing action: it reads as a status
	// change (see eventDoc).
	_, err := cases.UpdateMany(ctx,
		bson.D{{Key: fieldImportantClass, Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: fieldAssigneeID, Value: ""},
			{Key: fieldDueAt, Value: nil},
			{Key: fieldImportantClass, Value: store.ClassNone},
			{Key: fieldNational, Value: false},
			{Key: fieldSeriousImpact, Value: false},
			{Key: fieldDiscoveredOn, Value: ""},
			{Key: fieldInvestigationMode, Value: ""},
			{Key: fieldExtensionDays, Value: 0},
			{Key: fieldConclusion, Value: conclusionDoc{}},
		}}})
	return err
}
