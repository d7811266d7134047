package mongo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"

	"fundwatch/store"
)

// The audit log is one document per entry with the entry's Seq as _id. The
// _id index is unique on every server, so two appends after the same entry
// cannot both be stored: that is what keeps the chain linear without a
// multi-document transaction.
const (
	collAudit = "audit"

	fieldAt       = "at"
	fieldActorID  = "actor_id"
	fieldAction   = "action"
	fieldTargetID = "target_id"
	fieldHash     = "hash"
)

// maxAuditAttempts bounds how often AppendAudit reads the end of the chain
// again after another writer appended first. Each lost round means some
// other append succeeded, so only a long burst of appends from many writers
// at once can exhaust it; auditBackoffCap keeps the waits between rounds
// short and random, so racing writers spread out.
const (
	maxAuditAttempts = 100
	auditBackoffCap  = 20 * time.Millisecond
)

// auditDoc is store.AuditEntry on disk.
type auditDoc struct {
	Seq        int64     `bson:"_id"`
	At         time.Time `bson:"at"`
	ActorID    string    `bson:"actor_id"`
	ActorName  string    `bson:"actor_name"`
	Action     string    `bson:"action"`
	TargetType string    `bson:"target_type"`
	TargetID   string    `bson:"target_id"`
	RegionCode string    `bson:"region_code"`
	Detail     string    `bson:"detail"`
	IP         string    `bson:"ip"`
	RequestID  string    `bson:"request_id"`
	PrevHash   string    `bson:"prev_hash"`
	Hash       string    `bson:"hash"`
}

func newAuditDoc(e store.AuditEntry) auditDoc {
	return auditDoc{
		Seq: e.Seq, At: e.At, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action,
		TargetType: e.TargetType, TargetID: e.TargetID, RegionCode: e.RegionCode, Detail: e.Detail,
		IP: e.IP, RequestID: e.RequestID, PrevHash: e.PrevHash, Hash: e.Hash,
	}
}

func (d *auditDoc) toEntry() store.AuditEntry {
	return store.AuditEntry{
		Seq: d.Seq, At: d.At, ActorID: d.ActorID, ActorName: d.ActorName, Action: d.Action,
		TargetType: d.TargetType, TargetID: d.TargetID, RegionCode: d.RegionCode, Detail: d.Detail,
		IP: d.IP, RequestID: d.RequestID, PrevHash: d.PrevHash, Hash: d.Hash,
	}
}

func (db *DB) audit() *mongo.Collection { return db.database.Collection(collAudit) }

// auditLocal reads the end of the chain with read concern local: the entry
// another writer just appended is on the primary before it is majority
// committed, and appending after anything older would only collide.
func (db *DB) auditLocal() *mongo.Collection {
	return db.database.Collection(collAudit, options.Collection().SetReadConcern(readconcern.Local()))
}

// migrateAudit creates the audit collection and its indexes; it is part of
// step 5, migrateAccounts, which says why.
func migrateAudit(ctx context.Context, db *mongo.Database) error {
	// ListAudit sorts by _id (Seq) descending within each filter.
	_, err := db.Collection(collAudit).Indexes().CreateMany(ctx, []mongo.IndexModel{
		{Keys: bson.D{{Key: fieldRegionCode, Value: 1}, {Key: fieldID, Value: -1}},
			Options: options.Index().SetName("region_code_seq")},
		{Keys: bson.D{{Key: fieldActorID, Value: 1}, {Key: fieldID, Value: -1}},
			Options: options.Index().SetName("actor_id_seq")},
		{Keys: bson.D{{Key: fieldAction, Value: 1}, {Key: fieldID, Value: -1}},
			Options: options.Index().SetName("action_seq")},
		{Keys: bson.D{{Key: fieldTargetID, Value: 1}, {Key: fieldID, Value: -1}},
			Options: options.Index().SetName("target_id_seq")},
		{Keys: bson.D{{Key: fieldAt, Value: 1}}, Options: options.Index().SetName("at")},
	})
	if err != nil {
		return fmt.Errorf("audit indexes: %w", err)
	}
	return nil
}

// AppendAudit reads the last entry, links e to it and inserts e with its
// Seq as _id. If another writer appended first, the insert hits the unique
// _id: the chain is unchanged, so it reads the new last entry and tries
// again, after a short random wait.
func (db *DB) AppendAudit(ctx context.Context, e *store.AuditEntry) error {
	switch {
	case e == nil || e.At.IsZero():
		return store.Incomplete("mongo", "audit time")
	case e.Action == "":
		return store.Incomplete("mongo", "audit action")
	}
	entry := *e
	entry.At = store.Truncate(e.At)
	lastOpts := options.FindOne().
		SetSort(bson.D{{Key: fieldID, Value: -1}}).
		SetProjection(bson.D{{Key: fieldID, Value: 1}, {Key: fieldHash, Value: 1}})
	for attempt := range maxAuditAttempts {
		var last auditDoc
		err := db.auditLocal().FindOne(ctx, bson.D{}, lastOpts).Decode(&last)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return translate("read last audit entry", err)
		}
		entry.Seq, entry.PrevHash = last.Seq+1, last.Hash
		entry.Hash = store.AuditHash(entry)
		_, err = db.audit().InsertOne(ctx, newAuditDoc(entry))
		if err == nil {
			*e = entry
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return translate("append audit", err)
		}
		wait := rand.N(min(time.Duration(attempt+1)*time.Millisecond, auditBackoffCap)) + 1
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return translate("append audit", ctx.Err())
		case <-t.C:
		}
	}
	return store.Wrap(store.EUNAVAILABLE,
		fmt.Errorf("mongo append audit: still losing to other writers after %d attempts", maxAuditAttempts),
		store.MsgUnavailable)
}

// ImportAuditEntry inserts e as given with its Seq as _id, so a Seq in use
// is refused by the unique _id.
func (db *DB) ImportAuditEntry(ctx context.Context, e store.AuditEntry) error {
	switch {
	case e.Seq < 1:
		return store.Incomplete("mongo", "audit seq")
	case e.At.IsZero():
		return store.Incomplete("mongo", "audit time")
	case e.Action == "":
		return store.Incomplete("mongo", "audit action")
	}
	e.At = store.Truncate(e.At)
	_, err := db.audit().InsertOne(ctx, newAuditDoc(e))
	if mongo.IsDuplicateKeyError(err) {
		return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo import audit entry %d: %w", e.Seq, err), store.MsgConflict)
	}
	return translate("import audit entry", err)
}

// ListAudit returns one page of matching entries, newest first, and the
// number of matches. Count and page are two reads, so under concurrent
// appends they may disagree by a few entries.
func (db *DB) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, int, error) {
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	filter := bson.D{}
	if len(f.RegionCodes) > 0 {
		// Entries with no region (sign-ins, system work) belong to every
		// scope.
		codes := append(append([]string{}, f.RegionCodes...), "")
		filter = append(filter, bson.E{Key: fieldRegionCode, Value: bson.D{{Key: "$in", Value: codes}}})
	}
	if f.ActorID != "" {
		filter = append(filter, bson.E{Key: fieldActorID, Value: f.ActorID})
	}
	if f.ActionPrefix != "" {
		// An anchored regex of the quoted prefix is a prefix match that
		// MongoDB answers from the index; nothing in it is a pattern.
		filter = append(filter, bson.E{Key: fieldAction, Value: bson.Regex{Pattern: "^" + regexp.QuoteMeta(f.ActionPrefix)}})
	}
	if f.TargetID != "" {
		filter = append(filter, bson.E{Key: fieldTargetID, Value: f.TargetID})
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		rng := bson.D{}
		if !f.From.IsZero() {
			rng = append(rng, bson.E{Key: "$gte", Value: store.Truncate(f.From)})
		}
		if !f.To.IsZero() {
			rng = append(rng, bson.E{Key: "$lt", Value: store.Truncate(f.To)})
		}
		filter = append(filter, bson.E{Key: fieldAt, Value: rng})
	}

	total, err := db.audit().CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, translate("count audit", err)
	}
	opts := options.Find().
		SetSort(bson.D{{Key: fieldID, Value: -1}}).
		SetSkip(int64(offset)).
		SetLimit(int64(limit))
	entries, err := db.findAudit(ctx, "list audit", filter, opts)
	if err != nil {
		return nil, 0, err
	}
	return entries, int(total), nil
}

// AuditEntries returns entries after afterSeq in chain order, as stored.
func (db *DB) AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]store.AuditEntry, error) {
	limit, _ = store.PageBounds(limit, 0)
	filter := bson.D{{Key: fieldID, Value: bson.D{{Key: "$gt", Value: afterSeq}}}}
	opts := options.Find().SetSort(bson.D{{Key: fieldID, Value: 1}}).SetLimit(int64(limit))
	return db.findAudit(ctx, "audit entries", filter, opts)
}

func (db *DB) findAudit(ctx context.Context, op string, filter bson.D, opts *options.FindOptionsBuilder) ([]store.AuditEntry, error) {
	cur, err := db.audit().Find(ctx, filter, opts)
	if err != nil {
		return nil, translate(op, err)
	}
	var docs []auditDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(op, err)
	}
	entries := make([]store.AuditEntry, 0, len(docs))
	for i := range docs {
		entries = append(entries, docs[i].toEntry())
	}
	return entries, nil
}
