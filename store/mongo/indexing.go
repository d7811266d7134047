package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"fundwatch/store"
)

// The search sync loop's bookkeeping (store.IndexStore) on cases and
// publications alike.
//
// A pending record is one whose version is above its indexed_version, a
// comparison of two fields of one document, which no MongoDB index can
// serve (a filter on it, {$expr: {$gt: ["$version", "$indexed_version"]}},
// reads every document on every poll) and which FerretDB v1.24 cannot even
// evaluate ($gt inside $expr is not implemented there). So each document
// also carries index_pending, the comparison's result, written by the same
// single-document write that changes version or indexed_version: every
// write that raises version sets it true (CreateCase, ImportCase,
// UpdateCase, AddMessage, RateCase, CreatePublication, ImportPublication
// and every change of a publication), and MarkIndexed sets it false only
// in the update that brings indexed_version up to a version still
// current. The conformance suite checks after each of those writes that
// PendingIndex agrees with the versions a read returns.
//
// PendingIndex and the pending count then read the index
// {index_pending, updated_at, _id}: on MongoDB that costs what is pending,
// not the size of the collection. (A partial index holding only the pending
// documents would be smaller, but FerretDB has no partial indexes.) On
// FerretDB v1, which scans the collection for any filter but a bare {_id},
// each call decodes every document of the area, as its lists do.

// indexCollection is the collection of an index area and the lock that
// serialises its documents' writes on FerretDB (see writeGate).
func (db *DB) indexCollection(area string) (*mongodrv.Collection, func(id string) func(), error) {
	switch area {
	case store.IndexCases:
		return db.cases, db.gate.lockCase, nil
	case store.IndexPublications:
		return db.publications(), db.publicationLock, nil
	}
	return nil, nil, incomplete(fmt.Sprintf("index area %q", area))
}

var pendingFilter = bson.D{{Key: fieldIndexPending, Value: true}}

// PendingIndex returns up to limit pending records of area, the least
// recently updated first.
func (db *DB) PendingIndex(ctx context.Context, area string, limit int) ([]store.IndexMark, error) {
	coll, _, err := db.indexCollection(area)
	if err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, nil
	}
	cur, err := coll.Find(ctx, pendingFilter, options.Find().
		SetProjection(bson.D{{Key: fieldID, Value: 1}, {Key: fieldVersion, Value: 1}}).
		SetSort(bson.D{{Key: fieldUpdatedAt, Value: 1}, {Key: fieldID, Value: 1}}).
		SetLimit(int64(limit)))
	if err != nil {
		return nil, translate("pending index", err)
	}
	var docs []struct {
		ID      string `bson:"_id"`
		Version int64  `bson:"version"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("pending index", err)
	}
	var out []store.IndexMark
	for _, d := range docs {
		out = append(out, store.IndexMark{ID: d.ID, Version: d.Version})
	}
	return out, nil
}

// MarkIndexed applies each mark with at most two conditional updates, each
// atomic on its document: the first catches the usual case, a mark of the
// version the record is still at, and clears index_pending with it; only
// when it matches nothing does the second raise indexed_version of a record
// that has moved on since (and so stays pending). Neither matches a record
// that is missing, indexed at the mark or later, or below the mark.
func (db *DB) MarkIndexed(ctx context.Context, area string, marks []store.IndexMark) error {
	coll, lock, err := db.indexCollection(area)
	if err != nil {
		return err
	}
	for _, m := range marks {
		if m.ID == "" || m.Version < 1 {
			continue
		}
		if err := markIndexed(ctx, coll, lock, m); err != nil {
			return err
		}
	}
	return nil
}

func markIndexed(ctx context.Context, coll *mongodrv.Collection, lock func(id string) func(), m store.IndexMark) error {
	unlock := lock(m.ID)
	defer unlock()
	below := bson.E{Key: fieldIndexedVersion, Value: bson.D{{Key: "$lt", Value: m.Version}}}
	res, err := coll.UpdateOne(ctx,
		bson.D{{Key: fieldID, Value: m.ID}, {Key: fieldVersion, Value: m.Version}, below},
		bson.D{{Key: "$set", Value: bson.D{{Key: fieldIndexedVersion, Value: m.Version}, {Key: fieldIndexPending, Value: false}}}})
	if err != nil {
		return translate("mark indexed", err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	_, err = coll.UpdateOne(ctx,
		bson.D{{Key: fieldID, Value: m.ID}, {Key: fieldVersion, Value: bson.D{{Key: "$gt", Value: m.Version}}}, below},
		bson.D{{Key: "$set", Value: bson.D{{Key: fieldIndexedVersion, Value: m.Version}}}})
	return translate("mark indexed", err)
}

// IndexState counts the pending records of area and those indexed at
// least once. The two counts are two reads; under concurrent writes they
// may not be of one instant.
func (db *DB) IndexState(ctx context.Context, area string) (pending, indexed int64, err error) {
	coll, _, err := db.indexCollection(area)
	if err != nil {
		return 0, 0, err
	}
	if pending, err = coll.CountDocuments(ctx, pendingFilter); err != nil {
		return 0, 0, translate("index state", err)
	}
	if indexed, err = coll.CountDocuments(ctx, indexedFilter); err != nil {
		return 0, 0, translate("index state", err)
	}
	return pending, indexed, nil
}

// indexedFilter matches the records indexed at least once, the ones
// ResetIndexed changes.
var indexedFilter = bson.D{{Key: fieldIndexedVersion, Value: bson.D{{Key: "$gt", Value: 0}}}}

// resetIndexed is the update that makes a record pending from scratch.
var resetIndexed = bson.D{{Key: "$set", Value: bson.D{{Key: fieldIndexedVersion, Value: int64(0)}, {Key: fieldIndexPending, Value: true}}}}

// ResetIndexed makes every record of area pending. On MongoDB that is one
// updateMany, atomic per document. On FerretDB, whose updates rewrite each
// document from a copy read without isolation, an updateMany beside a
// change of a case would undo the change; there the records are reset one
// by one, each under its write lock.
func (db *DB) ResetIndexed(ctx context.Context, area string) error {
	coll, lock, err := db.indexCollection(area)
	if err != nil {
		return err
	}
	if !db.gate.serialize {
		_, err := coll.UpdateMany(ctx, indexedFilter, resetIndexed)
		return translate("reset indexed", err)
	}
	cur, err := coll.Find(ctx, indexedFilter, options.Find().SetProjection(bson.D{{Key: fieldID, Value: 1}}))
	if err != nil {
		return translate("reset indexed", err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return translate("reset indexed", err)
	}
	for _, d := range docs {
		unlock := lock(d.ID)
		_, err := coll.UpdateOne(ctx, bson.D{{Key: fieldID, Value: d.ID}}, resetIndexed)
		unlock()
		if err != nil {
			return translate("reset indexed", err)
		}
	}
	return nil
}

// migrateSearchIndex is step 10 (see migrate.go): the bookkeeping of the
// search sync loop on the records stored before it. No earlier version
// raised a case's indexed_version, and publications had none, so every
// such record is pending: it gets indexed_version 0 and index_pending true
// (Version is at least 1). The filter on a missing index_pending makes the
// step idempotent and leaves alone a record that a write of this version
// already marked. Then the indexes of PendingIndex and IndexState.
func migrateSearchIndex(ctx context.Context, db *mongodrv.Database) error {
	missing := bson.D{{Key: fieldIndexPending, Value: bson.D{{Key: "$exists", Value: false}}}}
	for _, name := range []string{collCases, collPublications} {
		coll := db.Collection(name)
		if _, err := coll.UpdateMany(ctx, missing, resetIndexed); err != nil {
			return err
		}
		err := createIndexesOneByOne(ctx, coll, []mongodrv.IndexModel{
			// PendingIndex: the pending records, least recently updated
			// first; and their count.
			{Keys: bson.D{{Key: fieldIndexPending, Value: 1}, {Key: fieldUpdatedAt, Value: 1}, {Key: fieldID, Value: 1}},
				Options: options.Index().SetName("index_pending_updated_at")},
			// IndexState and ResetIndexed: the records indexed at least once.
			{Keys: bson.D{{Key: fieldIndexedVersion, Value: 1}},
				Options: options.Index().SetName("indexed_version")},
		})
		if err != nil {
			return err
		}
	}
	return nil
}
