package mongo

import (
	"context"
	"errors"
	"io"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"fundwatch/store"
)

// Evidence files live in the GridFS bucket "evidence" of the store's
// database: evidence.files holds one document per complete blob (_id is
// the blob id, uploadDate when it was stored), evidence.chunks its bytes in
// chunks of 255 KiB, keyed {files_id, n}.
//
// GridFS writes the chunks first and the files document last, so a blob is
// visible (OpenBlob, Blobs) only once complete. What GridFS does not do is
// keep a put to itself: the chunks of two uploads of one id would share
// files_id and collide on the unique {files_id, n} index, and cleaning up
// the loser by files_id would delete the winner's chunks. So a put first
// claims its id with a document in evidence.uploads (_id the blob id, a
// token of its own, when it started): a second put of the id fails on the
// claim's unique _id before it writes anything, and only the claim's owner
// ever writes or removes chunks of an id without a files document. The
// owner removes its claim when it is done, after removing its chunks if it
// failed.
//
// A put that dies with its process leaves its claim and perhaps chunks
// that no files document names. Blobs, which the sweep of unreferenced
// blobs calls anyway, removes claims older than abandonedAfter together
// with their chunks; a put is bounded by maxPut, far shorter, so such a
// claim's owner is surely gone.
//
// FerretDB v1.24 (the tests' embedded server) has what this needs: unique
// compound indexes, collection names with dots, and GridFS's commands.
const (
	blobBucket           = "evidence"
	collBlobFiles        = blobBucket + ".files"
	collBlobChunks       = blobBucket + ".chunks"
	collBlobUploads      = blobBucket + ".uploads"
	abandonedAfter       = 24 * time.Hour
	maxPut               = time.Hour
	blobCleanupTimeout   = time.Minute
	blobCopyBuffer       = 256 << 10
	fieldBlobUploadDate  = "uploadDate"
	fieldBlobFilesID     = "files_id"
	fieldUploadToken     = "token"
	fieldUploadStartedAt = "started_at"
)

// BlobBucket is the store.BlobStore of a MongoDB database, on GridFS. It
// shares the client of the DB it came from: the DB's Close disconnects it,
// and its own Close does nothing. It is safe for concurrent use.
type BlobBucket struct {
	database *mongodrv.Database
	// read serves OpenBlob and Blobs. A GridFSBucket is not safe for
	// concurrent uploads (it notes its first write in a plain field), so
	// each put opens a bucket of its own.
	read    *mongodrv.GridFSBucket
	files   *mongodrv.Collection
	chunks  *mongodrv.Collection
	uploads *mongodrv.Collection
	now     func() time.Time
}

var _ store.BlobStore = (*BlobBucket)(nil)

// Blobs returns the evidence file store of this database. Its collections
// and indexes are made by the migrations Open runs.
func (db *DB) Blobs() *BlobBucket {
	return &BlobBucket{
		database: db.database,
		read:     db.database.GridFSBucket(bucketOptions()),
		files:    db.database.Collection(collBlobFiles),
		chunks:   db.database.Collection(collBlobChunks),
		uploads:  db.database.Collection(collBlobUploads),
		now:      time.Now,
	}
}

// bucketOptions name the bucket. Write and read concerns are the
// database's (majority, journaled), which GridFS's collections inherit.
func bucketOptions() *options.BucketOptionsBuilder {
	return options.GridFSBucket().SetName(blobBucket)
}

// migrateBlobs creates the bucket's collections and indexes: GridFS's own
// two, under the names the driver would give them, so that the driver
// finds them and creates nothing on a first upload; and uploadDate alone,
// for Blobs.
func migrateBlobs(ctx context.Context, db *mongodrv.Database) error {
	for _, name := range []string{collBlobFiles, collBlobChunks, collBlobUploads} {
		if err := createCollection(ctx, db, name); err != nil {
			return err
		}
	}
	if err := createIndexesOneByOne(ctx, db.Collection(collBlobFiles), []mongodrv.IndexModel{
		{Keys: bson.D{{Key: "filename", Value: int32(1)}, {Key: fieldBlobUploadDate, Value: int32(1)}}},
		{Keys: bson.D{{Key: fieldBlobUploadDate, Value: 1}}, Options: options.Index().SetName("upload_date")},
	}); err != nil {
		return err
	}
	return createIndexesOneByOne(ctx, db.Collection(collBlobChunks), []mongodrv.IndexModel{
		{Keys: bson.D{{Key: fieldBlobFilesID, Value: int32(1)}, {Key: "n", Value: int32(1)}},
			Options: options.Index().SetUnique(true)},
	})
}

// uploadDoc is a put's claim on its id.
type uploadDoc struct {
	ID        string        `bson:"_id"`
	Token     bson.ObjectID `bson:"token"`
	StartedAt time.Time     `bson:"started_at"`
}

// PutBlob claims id, uploads r through GridFS and releases the claim; on
// any failure it removes what it wrote. See the comment at the top.
func (b *BlobBucket) PutBlob(ctx context.Context, id string, r io.Reader) (int64, error) {
	if !store.ValidID(id) {
		return 0, invalidBlobID(id)
	}
	if err := ctx.Err(); err != nil {
		return 0, translateBlob("put blob", err)
	}
	// Reading a whole upload only to find the id taken would waste it.
	if found, err := b.stored(ctx, id); err != nil {
		return 0, translateBlob("put blob", err)
	} else if found {
		return 0, blobExists(id)
	}

	ctx, cancel := context.WithTimeout(ctx, maxPut)
	defer cancel()
	// The cleanup must run even when ctx is what failed the put.
	cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), blobCleanupTimeout)
	defer ccancel()
	claim := uploadDoc{ID: id, Token: bson.NewObjectID(), StartedAt: store.Truncate(b.now())}
	if _, err := b.uploads.InsertOne(ctx, claim); mongodrv.IsDuplicateKeyError(err) {
		return 0, blobExists(id)
	} else if err != nil {
		// The insert may have happened all the same (a cancelled context,
		// a lost reply): take back what would be ours, so the id is free.
		_, _ = b.uploads.DeleteOne(cctx, claimFilter(claim))
		return 0, translateBlob("claim blob", err)
	}

	n, err := b.upload(ctx, id, r)
	if err != nil {
		// If the cleanup fails too, the claim stays and the sweep in
		// Blobs finishes the job; the caller learns of the first error.
		_ = b.discard(cctx, claim)
		return 0, translateBlob("put blob", err)
	}
	// A claim left behind by a failure here does no harm: the files
	// document now answers any put of id, and the sweep removes the claim.
	_, _ = b.uploads.DeleteOne(cctx, claimFilter(claim))
	return n, nil
}

// upload writes r under id. The caller holds the claim on id.
func (b *BlobBucket) upload(ctx context.Context, id string, r io.Reader) (int64, error) {
	// A put that completed before this one claimed the id has released its
	// claim after writing its files document, so it is seen here.
	if found, err := b.stored(ctx, id); err != nil {
		return 0, err
	} else if found {
		return 0, blobExists(id)
	}
	// The upload stream buffers 16 MiB before it sends chunks, whatever
	// the size of the blob.
	us, err := b.database.GridFSBucket(bucketOptions()).OpenUploadStreamWithID(ctx, id, id)
	if err != nil {
		return 0, err
	}
	n, err := copyContext(ctx, us, r)
	if err != nil {
		// Abort deletes the chunks written so far, but with ctx, which
		// may be what failed; discard does it again with a live context.
		_ = us.Abort()
		return 0, err
	}
	return n, us.Close()
}

// discard undoes a failed put: it removes the chunks of the claim's id,
// unless a files document shows they belong to a stored blob, then the
// claim. The claim goes last, so that while it stays nobody else writes
// chunks of the id.
func (b *BlobBucket) discard(ctx context.Context, claim uploadDoc) error {
	found, err := b.stored(ctx, claim.ID)
	if err != nil {
		return err
	}
	if !found {
		if _, err := b.chunks.DeleteMany(ctx, chunksOf(claim.ID)); err != nil {
			return err
		}
	}
	_, err = b.uploads.DeleteOne(ctx, claimFilter(claim))
	return err
}

// copyContext copies r to w and stops with ctx's error once ctx is done, so
// an upload whose request went away is not stored.
func copyContext(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, blobCopyBuffer)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		m, rerr := r.Read(buf)
		if m > 0 {
			if _, werr := w.Write(buf[:m]); werr != nil {
				return n, werr
			}
			n += int64(m)
		}
		if rerr == io.EOF {
			return n, ctx.Err()
		} else if rerr != nil {
			return n, rerr
		}
	}
}

// stored reports whether id has a files document, that is a complete blob.
func (b *BlobBucket) stored(ctx context.Context, id string) (bool, error) {
	err := b.files.FindOne(ctx, bson.D{{Key: fieldID, Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: fieldID, Value: 1}})).Err()
	if errors.Is(err, mongodrv.ErrNoDocuments) {
		return false, nil
	}
	return err == nil, err
}

func chunksOf(id string) bson.D {
	return bson.D{{Key: fieldBlobFilesID, Value: bson.D{{Key: "$eq", Value: id}}}}
}

func claimFilter(c uploadDoc) bson.D {
	return bson.D{{Key: fieldID, Value: c.ID}, {Key: fieldUploadToken, Value: c.Token}}
}

// OpenBlob streams the chunks of blob id in order.
func (b *BlobBucket) OpenBlob(ctx context.Context, id string) (io.ReadCloser, error) {
	if !store.ValidID(id) {
		return nil, invalidBlobID(id)
	}
	ds, err := b.read.OpenDownloadStream(ctx, id)
	if err != nil {
		return nil, translateBlob("open blob", err)
	}
	return &blobStream{ds: ds}, nil
}

// blobStream turns the errors of a download into store errors.
type blobStream struct {
	ds     *mongodrv.GridFSDownloadStream
	closed bool
}

func (s *blobStream) Read(p []byte) (int, error) {
	n, err := s.ds.Read(p)
	if err != nil && err != io.EOF {
		err = translateBlob("read blob", err)
	}
	return n, err
}

// Close ends the download; closing twice is not an error.
func (s *blobStream) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	return translateBlob("close blob", s.ds.Close())
}

// DeleteBlob removes the chunks of blob id, then its files document. The
// order is the reverse of GridFS's own Delete, so that a crash in between
// leaves a files document, which Blobs lists and the sweep deletes again,
// rather than chunks that nothing lists: the retention purge relies on the
// bytes being gone. An id without a files document is left alone: it is
// either not there or a put under way, whose chunks are its owner's.
func (b *BlobBucket) DeleteBlob(ctx context.Context, id string) error {
	if !store.ValidID(id) {
		return invalidBlobID(id)
	}
	if found, err := b.stored(ctx, id); err != nil || !found {
		return translateBlob("delete blob", err)
	}
	if _, err := b.chunks.DeleteMany(ctx, chunksOf(id)); err != nil {
		return translateBlob("delete blob chunks", err)
	}
	_, err := b.files.DeleteOne(ctx, bson.D{{Key: fieldID, Value: id}})
	return translateBlob("delete blob", err)
}

// Blobs lists the files documents uploaded before before, after removing
// the uploads abandoned by a crash (see the comment at the top).
func (b *BlobBucket) Blobs(ctx context.Context, before time.Time, fn func(id string, storedAt time.Time) error) error {
	if err := b.sweepAbandoned(ctx); err != nil {
		return translateBlob("sweep abandoned uploads", err)
	}
	// uploadDate has milliseconds; rounding before up to the next one
	// keeps "storedAt < before" exact.
	limit := before.Truncate(time.Millisecond)
	if limit.Before(before) {
		limit = limit.Add(time.Millisecond)
	}
	cur, err := b.read.Find(ctx, bson.D{{Key: fieldBlobUploadDate, Value: bson.D{{Key: "$lt", Value: limit}}}})
	if err != nil {
		return translateBlob("list blobs", err)
	}
	defer func() { _ = cur.Close(context.WithoutCancel(ctx)) }()
	for cur.Next(ctx) {
		var doc struct {
			ID         bson.RawValue `bson:"_id"`
			UploadDate time.Time     `bson:"uploadDate"`
		}
		if err := cur.Decode(&doc); err != nil {
			return translateBlob("list blobs", err)
		}
		id, ok := doc.ID.StringValueOK()
		if !ok || !store.ValidID(id) {
			continue // not one of ours
		}
		if err := fn(id, store.Truncate(doc.UploadDate)); err != nil {
			return err
		}
	}
	return translateBlob("list blobs", cur.Err())
}

// sweepAbandoned discards the claims of puts that started more than
// abandonedAfter ago, and their chunks.
func (b *BlobBucket) sweepAbandoned(ctx context.Context) error {
	cutoff := store.Truncate(b.now().Add(-abandonedAfter))
	cur, err := b.uploads.Find(ctx, bson.D{{Key: fieldUploadStartedAt, Value: bson.D{{Key: "$lt", Value: cutoff}}}})
	if err != nil {
		return err
	}
	var abandoned []uploadDoc
	if err := cur.All(ctx, &abandoned); err != nil {
		return err
	}
	for _, c := range abandoned {
		if err := b.discard(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// Ping tells whether the server answers; the bucket has no state of its own.
func (b *BlobBucket) Ping(ctx context.Context) error {
	return translateBlob("ping", b.database.Client().Ping(ctx, readpref.Primary()))
}

// Close does nothing: the DB the bucket came from owns the client.
func (b *BlobBucket) Close() error { return nil }
