package mongo

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"fundwatch/store"
)

// Evidence file records are embedded in their case, like its messages, so
// a case and the files filed with it (or a message and its files) are one
// single-document write. Their bytes are in the GridFS bucket.

const (
	fieldFiles       = "files"
	fieldFileID      = "files.id"
	fieldReporterKey = "reporter_sealed"
)

// fileDoc is store.Attachment embedded in its case.
type fileDoc struct {
	ID                 string     `bson:"id"`
	MessageID          string     `bson:"message_id,omitempty"`
	Name               string     `bson:"name"`
	Type               string     `bson:"type"`
	Size               int64      `bson:"size"`
	SHA256             []byte     `bson:"sha256"`
	SealedKey          []byte     `bson:"sealed_key"`
	Author             string     `bson:"author"`
	Actor              string     `bson:"actor"`
	HiddenFromReporter bool       `bson:"hidden_from_reporter"`
	At                 time.Time  `bson:"at"`
	PurgedAt           *time.Time `bson:"purged_at"`
}

type filesOnly struct {
	Files []fileDoc `bson:"files"`
}

func newFileDocs(messageID string, files []store.Attachment) ([]fileDoc, error) {
	docs := make([]fileDoc, 0, len(files))
	for _, f := range files {
		// A purged file (an import) has no key left; any other needs one.
		if f.ID == "" || (len(f.SealedKey) == 0 && f.PurgedAt.IsZero()) {
			return nil, incomplete("file ID or key")
		}
		d := fileDoc{ID: f.ID, MessageID: messageID, Name: f.Name, Type: f.Type, Size: f.Size, SHA256: f.SHA256,
			SealedKey: f.SealedKey, Author: f.Author, Actor: f.Actor, HiddenFromReporter: f.HiddenFromReporter,
			At: store.Truncate(f.At)}
		if !f.PurgedAt.IsZero() {
			t := store.Truncate(f.PurgedAt)
			d.PurgedAt = &t
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func (d fileDoc) attachment(caseID string) store.Attachment {
	f := store.Attachment{ID: d.ID, CaseID: caseID, MessageID: d.MessageID, Name: d.Name, Type: d.Type, Size: d.Size,
		SHA256: d.SHA256, SealedKey: d.SealedKey, Author: d.Author, Actor: d.Actor,
		HiddenFromReporter: d.HiddenFromReporter, At: d.At.UTC()}
	if d.PurgedAt != nil {
		f.PurgedAt = d.PurgedAt.UTC()
	}
	return f
}

// CaseFiles returns the files of a case, oldest first.
func (db *DB) CaseFiles(ctx context.Context, caseID string) ([]store.Attachment, error) {
	if caseID == "" {
		return nil, store.NotFound(store.MsgCaseNotFound)
	}
	var doc filesOnly
	opts := options.FindOne().SetProjection(bson.D{{Key: fieldFiles, Value: 1}})
	err := db.cases.FindOne(ctx, bson.D{{Key: fieldID, Value: caseID}}, opts).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, store.NotFound(store.MsgCaseNotFound)
	} else if err != nil {
		return nil, translate("case files", err)
	}
	slices.SortStableFunc(doc.Files, func(a, b fileDoc) int { return a.At.Compare(b.At) })
	var out []store.Attachment
	for _, d := range doc.Files {
		out = append(out, d.attachment(caseID))
	}
	return out, nil
}

// CaseFile returns one file of a case.
func (db *DB) CaseFile(ctx context.Context, caseID, fileID string) (*store.Attachment, error) {
	files, err := db.CaseFiles(ctx, caseID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil, store.NotFound(store.MsgFileNotFound)
	} else if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.ID == fileID {
			return &f, nil
		}
	}
	return nil, store.NotFound(store.MsgFileNotFound)
}

// SetFileHidden sets whether the reporter sees a file.
func (db *DB) SetFileHidden(ctx context.Context, caseID, fileID string, hidden bool, at time.Time) error {
	return db.rewriteFiles(ctx, "set file hidden", caseID, func(doc *caseFilesDoc) (bson.D, error) {
		i := slices.IndexFunc(doc.Files, func(f fileDoc) bool { return f.ID == fileID })
		if i < 0 {
			return nil, store.NotFound(store.MsgFileNotFound)
		}
		doc.Files[i].HiddenFromReporter = hidden
		return bson.D{{Key: fieldFiles, Value: doc.Files}, {Key: fieldUpdatedAt, Value: store.Truncate(at)}}, nil
	})
}

// caseFilesDoc is what rewriteFiles reads of a case.
type caseFilesDoc struct {
	Version int64     `bson:"version"`
	Sealed  []byte    `bson:"reporter_sealed"`
	Files   []fileDoc `bson:"files"`
}

// rewriteFiles changes a case's files by writing the array whole, on the
// condition that the case is still at the version read, retrying a few
// times when another write came between: FerretDB v1 has neither the
// positional operator nor array filters. change returns the fields to set,
// or nil to write nothing; the write also bumps Version.
func (db *DB) rewriteFiles(ctx context.Context, op, caseID string, change func(*caseFilesDoc) (bson.D, error)) error {
	unlock := db.gate.lockCase(caseID)
	defer unlock()
	opts := options.FindOne().SetProjection(bson.D{{Key: fieldVersion, Value: 1}, {Key: fieldReporterKey, Value: 1}, {Key: fieldFiles, Value: 1}})
	for range 5 {
		var doc caseFilesDoc
		err := db.cases.FindOne(ctx, bson.D{{Key: fieldID, Value: caseID}}, opts).Decode(&doc)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return store.NotFound(store.MsgCaseNotFound)
		} else if err != nil {
			return translate(op, err)
		}
		set, err := change(&doc)
		if err != nil || set == nil {
			return err
		}
		set = append(set, bson.E{Key: fieldIndexPending, Value: true})
		res, err := db.cases.UpdateOne(ctx, bson.D{{Key: fieldID, Value: caseID}, {Key: fieldVersion, Value: doc.Version}},
			bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: fieldVersion, Value: int64(1)}}}})
		if err != nil {
			return translate(op, err)
		}
		if res.MatchedCount == 1 {
			return nil
		}
	}
	return store.Conflict(store.MsgStale)
}

// FilesKnown tells which of ids have a file record.
func (db *DB) FilesKnown(ctx context.Context, ids []string) (map[string]bool, error) {
	known := make(map[string]bool, len(ids))
	ids = store.DistinctIDs(ids)
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		cur, err := db.cases.Find(ctx, bson.D{{Key: fieldFileID, Value: bson.D{{Key: "$in", Value: batch}}}},
			options.Find().SetProjection(bson.D{{Key: fieldFileID, Value: 1}}))
		if err != nil {
			return nil, translate("files known", err)
		}
		var docs []filesOnly
		if err := cur.All(ctx, &docs); err != nil {
			return nil, translate("files known", err)
		}
		for _, d := range docs {
			for _, f := range d.Files {
				if want[f.ID] {
					known[f.ID] = true
				}
			}
		}
	}
	return known, nil
}

// PurgeCaseIdentity removes a case's sealed identity and its files' keys in
// one update of the case document.
func (db *DB) PurgeCaseIdentity(ctx context.Context, caseID string, at time.Time) ([]string, error) {
	var purged []string
	at = store.Truncate(at)
	err := db.rewriteFiles(ctx, "purge case identity", caseID, func(doc *caseFilesDoc) (bson.D, error) {
		purged = nil
		for i := range doc.Files {
			if doc.Files[i].PurgedAt == nil {
				doc.Files[i].PurgedAt = &at
				doc.Files[i].SealedKey = nil
				purged = append(purged, doc.Files[i].ID)
			}
		}
		if doc.Sealed == nil && len(purged) == 0 {
			return nil, nil
		}
		set := bson.D{{Key: fieldReporterKey, Value: nil}, {Key: fieldUpdatedAt, Value: at}}
		if doc.Files != nil {
			set = append(set, bson.E{Key: fieldFiles, Value: doc.Files})
		}
		return set, nil
	})
	if err != nil {
		return nil, err
	}
	return purged, nil
}

// migrateFiles indexes the embedded file ids, for FilesKnown.
func migrateFiles(ctx context.Context, db *mongo.Database) error {
	_, err := db.Collection(collCases).Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: fieldFileID, Value: 1}},
		Options: options.Index().SetName("files_id"),
	})
	return err
}
