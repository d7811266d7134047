package mongo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"fundwatch/store"
)

// maxNumberAttempts bounds how often CreateCase takes a new number after its
// insert collided with an existing number. On MongoDB the counter is atomic
// and a collision only happens if the counter was set back (a partial
// restore, say); each retry skips past the collision, so a handful suffice.
const maxNumberAttempts = 16

// headProjection leaves the embedded timeline and messages out of reads
// that return cases, so lists stay small however long a case's history is.
var headProjection = bson.D{{Key: fieldEvents, Value: 0}, {Key: fieldMessages, Value: 0}, {Key: fieldFiles, Value: 0}}

// CreateCase inserts the case with its first event as one document, after
// taking its number from the year's counter. See the package comment for
// why a crash in between only leaves a gap.
//
// A duplicate ID or idempotency key is ECONFLICT, and nothing is stored.
// On MongoDB it is looked for before a number is taken, so an ordinary
// retried submission costs no number; two submissions with the same key
// racing each other can still burn one (and on FerretDB every duplicate
// does, see DB.precheck), which leaves a gap like a crash does.
func (db *DB) CreateCase(ctx context.Context, c *store.Case, first store.Event) error {
	switch {
	case c == nil || c.ID == "":
		return incomplete("case ID")
	case c.IdempotencyKey == "":
		return incomplete("idempotency key")
	case first.ID == "":
		return incomplete("first event ID")
	}

	createdAt := store.Truncate(c.CreatedAt)
	if c.CreatedAt.IsZero() {
		createdAt = store.Now()
	}
	updatedAt := store.Truncate(c.UpdatedAt)
	if c.UpdatedAt.IsZero() {
		updatedAt = createdAt
	}
	year := createdAt.In(store.CST).Year()

	unlock := db.gate.lockCreate()
	defer unlock()

	if db.precheck {
		if err := db.checkNewCase(ctx, c.ID, c.IdempotencyKey, nil); err != nil {
			return err
		}
	}

	head := newCaseHead(c)
	head.Year = year
	head.CreatedAt = createdAt
	head.UpdatedAt = updatedAt
	head.Version, head.IndexedVersion, head.IndexPending = 1, 0, true
	ev := newEventDoc(first)
	if first.At.IsZero() {
		ev.At = createdAt
	}
	files, err := newFileDocs("", c.Files)
	if err != nil {
		return err
	}
	doc := caseDoc{Head: head, Events: []eventDoc{ev}, Messages: []messageDoc{}, Files: files}

	for range maxNumberAttempts {
		seq, err := db.nextSeq(ctx, year)
		if err != nil {
			return err
		}
		doc.Head.Seq = seq
		doc.Head.Number = store.FormatNumber(year, seq)

		_, err = db.cases.InsertOne(ctx, doc)
		if err == nil {
			c.Number, c.Year, c.Seq = doc.Head.Number, doc.Head.Year, doc.Head.Seq
			c.CreatedAt, c.UpdatedAt = createdAt, updatedAt
			c.Version, c.IndexedVersion = 1, 0
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return translate("insert case", err)
		}
		// FerretDB does not say which unique index an insert hit, so find
		// out by looking: a duplicate ID or key is the caller's conflict,
		// anything else was the number.
		if err := db.checkNewCase(ctx, c.ID, c.IdempotencyKey, err); err != nil {
			return err
		}
		if err := db.raiseSeq(ctx, year, seq); err != nil {
			return err
		}
	}
	return store.Wrap(store.EINTERNAL,
		fmt.Errorf("mongo: no free case number for %d after %d attempts", year, maxNumberAttempts), msgInternal)
}

// checkNewCase returns ECONFLICT if a case with this ID or idempotency key
// exists. cause is the insert error that prompted the check, kept for logs.
func (db *DB) checkNewCase(ctx context.Context, id, key string, cause error) error {
	filter := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: fieldID, Value: id}},
		bson.D{{Key: fieldIdempotencyKey, Value: key}},
	}}}
	var found struct {
		ID string `bson:"_id"`
	}
	opts := options.FindOne().SetProjection(bson.D{{Key: fieldID, Value: 1}})
	err := db.casesLocal.FindOne(ctx, filter, opts).Decode(&found)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil
	case err != nil:
		return translate("find existing case", err)
	}
	if cause == nil {
		cause = fmt.Errorf("case %q or idempotency key %q exists", id, key)
	}
	if found.ID == id {
		return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo insert case: duplicate id: %w", cause), msgDuplicateEntry)
	}
	return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo insert case: duplicate idempotency key: %w", cause), msgDuplicate)
}

// counterDoc is one year's case counter in the counters collection.
type counterDoc struct {
	ID  string `bson:"_id"`
	Seq int64  `bson:"seq"`
}

func counterID(year int) string { return fmt.Sprintf("case_seq_%d", year) }

// nextSeq atomically increments the year's counter, creating it on the
// first case of the year, and returns the new value.
func (db *DB) nextSeq(ctx context.Context, year int) (int64, error) {
	filter := bson.D{{Key: fieldID, Value: counterID(year)}}
	update := bson.D{{Key: "$inc", Value: bson.D{{Key: fieldSeq, Value: int64(1)}}}}
	opts := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)
	var ctr counterDoc
	err := db.counters.FindOneAndUpdate(ctx, filter, update, opts).Decode(&ctr)
	if mongo.IsDuplicateKeyError(err) {
		// Two first-of-the-year upserts raced and this one lost the insert;
		// the counter exists now, so the increment will find it.
		err = db.counters.FindOneAndUpdate(ctx, filter, update, opts).Decode(&ctr)
	}
	if err != nil {
		return 0, translate("next case number", err)
	}
	return ctr.Seq, nil
}

// raiseSeq moves the year's counter to at least seq, creating it if need
// be: after an insert found seq already taken, so the next number is past
// it, and after importing a case numbered seq.
func (db *DB) raiseSeq(ctx context.Context, year int, seq int64) error {
	filter := bson.D{{Key: fieldID, Value: counterID(year)}}
	update := bson.D{{Key: "$max", Value: bson.D{{Key: fieldSeq, Value: seq}}}}
	opts := options.UpdateOne().SetUpsert(true)
	_, err := db.counters.UpdateOne(ctx, filter, update, opts)
	if mongo.IsDuplicateKeyError(err) {
		// As in nextSeq: a racing upsert created the counter first.
		_, err = db.counters.UpdateOne(ctx, filter, update, opts)
	}
	return translate("raise case counter", err)
}

// CaseByID returns the case with the given ID, without events or messages.
func (db *DB) CaseByID(ctx context.Context, id string) (*store.Case, error) {
	return db.findCase(ctx, "case by id", fieldID, id)
}

// CaseByNumber returns the case with the given public number.
func (db *DB) CaseByNumber(ctx context.Context, number string) (*store.Case, error) {
	return db.findCase(ctx, "case by number", fieldNumber, number)
}

// CaseByIdempotencyKey returns the case a submission with this key created.
func (db *DB) CaseByIdempotencyKey(ctx context.Context, key string) (*store.Case, error) {
	return db.findCase(ctx, "case by idempotency key", fieldIdempotencyKey, key)
}

// RehashIdempotencyKeys replaces the keys not yet in prefixed form, one case
// at a time; each update is conditional on the old key, so a second process
// doing the same never hashes a key twice.
func (db *DB) RehashIdempotencyKeys(ctx context.Context, prefix string, hash func(string) string) (int, error) {
	filter := bson.D{{Key: fieldIdempotencyKey, Value: bson.D{{Key: "$not",
		Value: bson.Regex{Pattern: "^" + regexp.QuoteMeta(prefix)}}}}}
	opts := options.Find().SetProjection(bson.D{{Key: fieldID, Value: 1}, {Key: fieldIdempotencyKey, Value: 1}})
	cur, err := db.cases.Find(ctx, filter, opts)
	if err != nil {
		return 0, translate("find keys to rehash", err)
	}
	var todo []struct {
		ID  string `bson:"_id"`
		Key string `bson:"idempotency_key"`
	}
	if err := cur.All(ctx, &todo); err != nil {
		return 0, translate("find keys to rehash", err)
	}
	n := 0
	for _, t := range todo {
		if strings.HasPrefix(t.Key, prefix) {
			continue
		}
		unlock := db.gate.lockCase(t.ID)
		res, err := db.cases.UpdateOne(ctx, bson.D{{Key: fieldID, Value: t.ID}, {Key: fieldIdempotencyKey, Value: t.Key}},
			bson.D{{Key: "$set", Value: bson.D{{Key: fieldIdempotencyKey, Value: hash(t.Key)}}}})
		unlock()
		if err != nil {
			return n, translate("rehash idempotency key", err)
		}
		n += int(res.ModifiedCount)
	}
	return n, nil
}

// findCase looks a case up by one field. The value goes into the filter as a
// plain string under a fixed key: a value such as `{"$ne": ""}` or "$where"
// is compared literally, never read as an operator.
func (db *DB) findCase(ctx context.Context, op, field, value string) (*store.Case, error) {
	if value == "" {
		return nil, store.Errorf(store.ENOTFOUND, msgNotFound)
	}
	var head caseHead
	opts := options.FindOne().SetProjection(headProjection)
	if err := db.cases.FindOne(ctx, bson.D{{Key: field, Value: value}}, opts).Decode(&head); err != nil {
		return nil, translate(op, err)
	}
	return head.toCase(), nil
}

// CaseInRegions returns the case only if its region is one of regionCodes.
// The scope is part of the filter, so a case outside it is not even read,
// and the answer is the same as for a missing case.
func (db *DB) CaseInRegions(ctx context.Context, id string, regionCodes []string) (*store.Case, error) {
	if id == "" || len(regionCodes) == 0 {
		return nil, store.NotFound(msgNotFound)
	}
	filter := bson.D{
		{Key: fieldID, Value: id},
		{Key: fieldRegionCode, Value: bson.D{{Key: "$in", Value: regionCodes}}},
	}
	var head caseHead
	opts := options.FindOne().SetProjection(headProjection)
	if err := db.cases.FindOne(ctx, filter, opts).Decode(&head); err != nil {
		return nil, translate("case in regions", err)
	}
	return head.toCase(), nil
}

// CasesByIDs reads the cases among ids within a scope with one find and
// puts them in the order of ids.
func (db *DB) CasesByIDs(ctx context.Context, ids []string, regionCodes []string) ([]*store.Case, error) {
	if len(ids) > store.MaxLimit {
		return nil, incomplete(fmt.Sprintf("at most %d case IDs", store.MaxLimit))
	}
	ids = store.DistinctIDs(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	filter := bson.D{{Key: fieldID, Value: bson.D{{Key: "$in", Value: ids}}}}
	if len(regionCodes) > 0 {
		filter = append(filter, bson.E{Key: fieldRegionCode, Value: bson.D{{Key: "$in", Value: regionCodes}}})
	}
	cur, err := db.cases.Find(ctx, filter, options.Find().SetProjection(headProjection))
	if err != nil {
		return nil, translate("cases by ids", err)
	}
	var heads []caseHead
	if err := cur.All(ctx, &heads); err != nil {
		return nil, translate("cases by ids", err)
	}
	found := make(map[string]*store.Case, len(heads))
	for i := range heads {
		found[heads[i].ID] = heads[i].toCase()
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

// UpdateCase applies u in one FindOneAndUpdate whose filter holds the
// expected status, the expected version (when given) and the absence of the
// event's ID, so of racing updates from one view exactly one matches, and a
// replayed request cannot append its event twice. When nothing matched, one
// more read tells the caller why.
func (db *DB) UpdateCase(ctx context.Context, u store.CaseUpdate) (*store.Case, error) {
	switch {
	case u.Event.ID == "":
		return nil, incomplete("event ID")
	case u.ExpectStatus == "":
		return nil, incomplete("expected status")
	case u.Event.ToStatus == "":
		return nil, incomplete("new status")
	case u.Event.FromStatus != u.ExpectStatus:
		return nil, incomplete("event from-status equal to the expected status")
	case u.CaseID == "":
		return nil, store.NotFound(msgNotFound)
	}
	ev := newEventDoc(u.Event)
	if u.Event.At.IsZero() {
		ev.At = store.Now()
	}
	set := append(bson.D{
		{Key: fieldStatus, Value: u.Event.ToStatus},
		{Key: fieldUpdatedAt, Value: ev.At},
		{Key: fieldIndexPending, Value: true},
	}, changes(u.Set)...)
	filter := bson.D{
		{Key: fieldID, Value: u.CaseID},
		{Key: fieldStatus, Value: u.ExpectStatus},
	}
	if u.ExpectVersion != 0 {
		filter = append(filter, bson.E{Key: fieldVersion, Value: u.ExpectVersion})
	}
	filter = append(filter, notHaving(fieldEventID, u.Event.ID))
	update := bson.D{
		{Key: "$set", Value: set},
		{Key: "$push", Value: bson.D{{Key: fieldEvents, Value: ev}}},
		{Key: "$inc", Value: bson.D{{Key: fieldVersion, Value: int64(1)}}},
	}

	unlock := db.gate.lockCase(u.CaseID)
	defer unlock()

	// No projection here: FerretDB does not implement one on findAndModify.
	// Decoding into caseHead skips the arrays all the same.
	var head caseHead
	opts := options.FindOneAndUpdate().SetReturnDocument(options.After)
	err := db.cases.FindOneAndUpdate(ctx, filter, update, opts).Decode(&head)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, db.whyNotUpdated(ctx, u.CaseID, u.Event.ID)
	}
	if err != nil {
		return nil, translate("update case", err)
	}
	return head.toCase(), nil
}

// changes renders the non-nil fields of ch as $set pairs.
func changes(ch store.CaseChanges) bson.D {
	var set bson.D
	add := func(field string, value any) { set = append(set, bson.E{Key: field, Value: value}) }
	if ch.RegionCode != nil {
		add(fieldRegionCode, *ch.RegionCode)
	}
	if ch.Channel != nil {
		add(fieldChannel, *ch.Channel)
	}
	if ch.AssigneeID != nil {
		add(fieldAssigneeID, *ch.AssigneeID)
	}
	if ch.DueAt != nil {
		add(fieldDueAt, optionalTime(*ch.DueAt))
	}
	if ch.Result != nil {
		add(fieldResult, *ch.Result)
	}
	if ch.ImportantClass != nil {
		add(fieldImportantClass, classOrNone(*ch.ImportantClass))
	}
	if ch.National != nil {
		add(fieldNational, *ch.National)
	}
	if ch.SeriousImpact != nil {
		add(fieldSeriousImpact, *ch.SeriousImpact)
	}
	if ch.DiscoveredOn != nil {
		add(fieldDiscoveredOn, *ch.DiscoveredOn)
	}
	if ch.InvestigationMode != nil {
		add(fieldInvestigationMode, *ch.InvestigationMode)
	}
	if ch.ExtensionDays != nil {
		add(fieldExtensionDays, *ch.ExtensionDays)
	}
	if ch.Conclusion != nil {
		add(fieldConclusion, newConclusionDoc(*ch.Conclusion))
	}
	return set
}

// whyNotUpdated explains an UpdateCase whose filter matched nothing:
// ENOTFOUND if the case does not exist, MsgAlreadyDone if it has the
// event already, else MsgStale (the status or version moved on).
func (db *DB) whyNotUpdated(ctx context.Context, caseID, eventID string) error {
	var doc struct {
		Events []struct {
			ID string `bson:"id"`
		} `bson:"events"`
	}
	opts := options.FindOne().SetProjection(bson.D{{Key: fieldEvents, Value: 1}})
	err := db.casesLocal.FindOne(ctx, bson.D{{Key: fieldID, Value: caseID}}, opts).Decode(&doc)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return store.NotFound(msgNotFound)
	case err != nil:
		return translate("check case", err)
	}
	for _, e := range doc.Events {
		if e.ID == eventID {
			return store.Conflict(store.MsgAlreadyDone)
		}
	}
	return store.Conflict(store.MsgStale)
}

// RateCase reads the case, checks r against it and writes the rating with a
// filter on the version it read, so a change in between (on this process,
// which the gate serialises, or on another) makes the write match nothing
// and the case is read again to say why. It needs no operator beyond
// equality, which FerretDB v1 matches like MongoDB.
func (db *DB) RateCase(ctx context.Context, r store.CaseRating) (*store.Case, error) {
	switch {
	case r.ExpectStatus == "":
		return nil, incomplete("expected status")
	case r.Satisfaction.Rating == "":
		return nil, incomplete("rating")
	case r.Satisfaction.At.IsZero():
		return nil, incomplete("rating time")
	case r.CaseID == "":
		return nil, store.NotFound(msgNotFound)
	}
	unlock := db.gate.lockCase(r.CaseID)
	defer unlock()
	for range 3 {
		var head caseHead
		opts := options.FindOne().SetProjection(headProjection)
		if err := db.casesLocal.FindOne(ctx, bson.D{{Key: fieldID, Value: r.CaseID}}, opts).Decode(&head); err != nil {
			return nil, translate("rate case", err)
		}
		switch {
		case head.Status != r.ExpectStatus:
			return nil, store.Conflict(store.MsgStale)
		case r.OnlyFirst && head.Satisfaction.Rating != "":
			return nil, store.Conflict(store.MsgAlreadyDone)
		}
		sat := newSatisfactionDoc(r.Satisfaction)
		filter := bson.D{{Key: fieldID, Value: r.CaseID}, {Key: fieldVersion, Value: head.Version}}
		update := bson.D{
			{Key: "$set", Value: bson.D{{Key: fieldSatisfaction, Value: sat}, {Key: fieldUpdatedAt, Value: *sat.At},
				{Key: fieldIndexPending, Value: true}}},
			{Key: "$inc", Value: bson.D{{Key: fieldVersion, Value: int64(1)}}},
		}
		res, err := db.cases.UpdateOne(ctx, filter, update)
		if err != nil {
			return nil, translate("rate case", err)
		}
		if res.MatchedCount == 1 {
			head.Satisfaction = sat
			head.UpdatedAt = *sat.At
			head.Version++
			head.IndexPending = true
			return head.toCase(), nil
		}
		// Another process changed the case between the read and the
		// write: check again against what it is now.
	}
	return nil, store.Conflict(store.MsgStale)
}

// AddMessage appends the message to its case and bumps the case's version
// in one update. Like UpdateCase with an event ID, it refuses a message
// ID the case already has.
func (db *DB) AddMessage(ctx context.Context, m *store.Message) error {
	switch {
	case m == nil || m.ID == "":
		return incomplete("message ID")
	case m.CaseID == "":
		return store.Errorf(store.ENOTFOUND, msgNotFound)
	}
	if m.At.IsZero() {
		m.At = store.Now()
	}
	m.At = store.Truncate(m.At)
	filter := bson.D{{Key: fieldID, Value: m.CaseID}, notHaving(fieldMessageID, m.ID)}
	push := bson.D{{Key: fieldMessages, Value: newMessageDoc(m)}}
	if len(m.Files) > 0 {
		files, err := newFileDocs(m.ID, m.Files)
		if err != nil {
			return err
		}
		push = append(push, bson.E{Key: fieldFiles, Value: bson.D{{Key: "$each", Value: files}}})
	}
	update := bson.D{
		{Key: "$set", Value: bson.D{{Key: fieldUpdatedAt, Value: m.At}, {Key: fieldIndexPending, Value: true}}},
		{Key: "$push", Value: push},
		{Key: "$inc", Value: bson.D{{Key: fieldVersion, Value: int64(1)}}},
	}

	unlock := db.gate.lockCase(m.CaseID)
	defer unlock()

	res, err := db.cases.UpdateOne(ctx, filter, update)
	if err != nil {
		return translate("add message", err)
	}
	if res.MatchedCount == 0 {
		return db.whyNoMatch(ctx, m.CaseID, msgDuplicateEntry)
	}
	return nil
}

// notHaving is the filter term "no element of the array has this ID" for a
// path such as events.id. It is written {$nor: [{path: id}]} rather than
// {path: {$ne: id}}, which means the same on MongoDB: FerretDB v1 reads
// $ne (and $nin, and $not) on an array path as "some element differs",
// which would let a retried request append its event or message again
// once the case has two.
func notHaving(path, id string) bson.E {
	return bson.E{Key: "$nor", Value: bson.A{bson.D{{Key: path, Value: id}}}}
}

// whyNoMatch explains a conditional update that matched nothing: ENOTFOUND
// if the case does not exist, else ECONFLICT with conflictMsg (the message
// ID was used already).
func (db *DB) whyNoMatch(ctx context.Context, caseID, conflictMsg string) error {
	opts := options.FindOne().SetProjection(bson.D{{Key: fieldID, Value: 1}})
	err := db.casesLocal.FindOne(ctx, bson.D{{Key: fieldID, Value: caseID}}, opts).Err()
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return store.Errorf(store.ENOTFOUND, msgNotFound)
	case err != nil:
		return translate("check case", err)
	default:
		return store.Errorf(store.ECONFLICT, "%s", conflictMsg)
	}
}

// CaseEvents returns the case's timeline ordered by time; events with the
// same time keep the order they were added in.
func (db *DB) CaseEvents(ctx context.Context, caseID string) ([]store.Event, error) {
	if caseID == "" {
		return nil, store.Errorf(store.ENOTFOUND, msgNotFound)
	}
	var doc eventsOnly
	opts := options.FindOne().SetProjection(bson.D{{Key: fieldEvents, Value: 1}})
	if err := db.cases.FindOne(ctx, bson.D{{Key: fieldID, Value: caseID}}, opts).Decode(&doc); err != nil {
		return nil, translate("case events", err)
	}
	slices.SortStableFunc(doc.Events, func(a, b eventDoc) int { return a.At.Compare(b.At) })
	var out []store.Event
	for _, e := range doc.Events {
		out = append(out, e.toEvent(caseID))
	}
	return out, nil
}

// CaseMessages returns the case's messages ordered by time; messages with
// the same time keep the order they were added in.
func (db *DB) CaseMessages(ctx context.Context, caseID string) ([]store.Message, error) {
	if caseID == "" {
		return nil, store.Errorf(store.ENOTFOUND, msgNotFound)
	}
	var doc messagesOnly
	opts := options.FindOne().SetProjection(bson.D{{Key: fieldMessages, Value: 1}})
	if err := db.cases.FindOne(ctx, bson.D{{Key: fieldID, Value: caseID}}, opts).Decode(&doc); err != nil {
		return nil, translate("case messages", err)
	}
	slices.SortStableFunc(doc.Messages, func(a, b messageDoc) int { return a.At.Compare(b.At) })
	var out []store.Message
	for _, m := range doc.Messages {
		out = append(out, m.toMessage(caseID))
	}
	return out, nil
}
