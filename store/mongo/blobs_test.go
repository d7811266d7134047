package mongo_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"fundwatch/store"
	mongostore "fundwatch/store/mongo"
	"fundwatch/store/mongo/mongotest"
	"fundwatch/store/storetest"
)

func TestBlobConformance(t *testing.T) {
	uri := mongotest.URI(t)
	storetest.RunBlobs(t, func(t *testing.T) store.BlobStore {
		return openDB(t, uri, mongotest.DatabaseName(t)).Blobs()
	})
}

// freshBlobs opens the blob bucket of a database of the test's own, with a
// plain connection to the same database to look at the documents.
func freshBlobs(t *testing.T) (*mongostore.BlobBucket, *mongo.Database) {
	t.Helper()
	db, uri, name := fresh(t)
	return db.Blobs(), raw(t, uri, name)
}

func chunksOf(id string) bson.D { return bson.D{{Key: "files_id", Value: id}} }

func mustPutBlob(t *testing.T, b *mongostore.BlobBucket, id string, data []byte) {
	t.Helper()
	if n, err := b.PutBlob(t.Context(), id, bytes.NewReader(data)); err != nil || n != int64(len(data)) {
		t.Fatalf("PutBlob(%s) = %d, %v; want %d bytes", id, n, err, len(data))
	}
}

func readBlob(t *testing.T, b *mongostore.BlobBucket, id string) []byte {
	t.Helper()
	rc, err := b.OpenBlob(t.Context(), id)
	if err != nil {
		t.Fatalf("OpenBlob(%s): %v", id, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading blob %s: %v", id, err)
	}
	return data
}

func TestBlobDeleteRemovesEveryChunk(t *testing.T) {
	// The retention purge relies on the bytes being gone from the
	// database, not only unreachable.
	b, r := freshBlobs(t)
	gone, kept := store.NewID(), store.NewID()
	data := bytes.Repeat([]byte("证据材料密文"), 200_000) // 3.6 MB, 15 chunks
	mustPutBlob(t, b, gone, data)
	mustPutBlob(t, b, kept, data)
	if n := countDocs(t, r, "evidence.chunks", chunksOf(gone)); n < 2 {
		t.Fatalf("the blob has %d chunks, want several", n)
	}
	if err := b.DeleteBlob(t.Context(), gone); err != nil {
		t.Fatalf("DeleteBlob: %v", err)
	}
	if n := countDocs(t, r, "evidence.chunks", chunksOf(gone)); n != 0 {
		t.Errorf("after DeleteBlob %d chunks of the blob remain in evidence.chunks", n)
	}
	if n := countDocs(t, r, "evidence.files", bson.D{{Key: "_id", Value: gone}}); n != 0 {
		t.Errorf("after DeleteBlob its files document remains")
	}
	if got := readBlob(t, b, kept); !bytes.Equal(got, data) {
		t.Errorf("deleting one blob changed another")
	}
}

func TestBlobFailedPutLeavesNoChunkNorClaim(t *testing.T) {
	b, r := freshBlobs(t)
	id := store.NewID()
	broken := errors.New("broken upload")
	// Past the 16 MiB the upload stream buffers, so chunks were written.
	src := io.MultiReader(io.LimitReader(zeros{}, 17<<20), iotest.ErrReader(broken))
	if _, err := b.PutBlob(t.Context(), id, src); !errors.Is(err, broken) {
		t.Fatalf("PutBlob with a failing reader: %v, want %v", err, broken)
	}
	if n := countDocs(t, r, "evidence.chunks", chunksOf(id)); n != 0 {
		t.Errorf("after a failed put %d chunks remain", n)
	}
	if n := countDocs(t, r, "evidence.uploads", bson.D{}); n != 0 {
		t.Errorf("after a failed put %d claims remain", n)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestBlobPutReleasesItsClaim(t *testing.T) {
	b, r := freshBlobs(t)
	mustPutBlob(t, b, store.NewID(), []byte("证据"))
	if n := countDocs(t, r, "evidence.uploads", bson.D{}); n != 0 {
		t.Errorf("after a put %d claims remain", n)
	}
}

func TestBlobAbandonedUploads(t *testing.T) {
	b, r := freshBlobs(t)
	ctx := t.Context()
	insertClaim := func(id string, startedAt time.Time) {
		t.Helper()
		_, err := r.Collection("evidence.uploads").InsertOne(ctx, bson.D{
			{Key: "_id", Value: id}, {Key: "token", Value: bson.NewObjectID()}, {Key: "started_at", Value: startedAt}})
		if err != nil {
			t.Fatal(err)
		}
	}
	insertChunks := func(id string) {
		t.Helper()
		for n := range 2 {
			_, err := r.Collection("evidence.chunks").InsertOne(ctx, bson.D{
				{Key: "_id", Value: bson.NewObjectID()}, {Key: "files_id", Value: id}, {Key: "n", Value: int32(n)},
				{Key: "data", Value: bson.Binary{Data: []byte("half an upload")}}})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	// What a process that died in the middle of a put two days ago left.
	dead := store.NewID()
	insertClaim(dead, time.Now().Add(-48*time.Hour))
	insertChunks(dead)
	// A put under way in another process.
	busy := store.NewID()
	insertClaim(busy, time.Now())
	insertChunks(busy)
	// A put that died after storing its blob, before releasing its claim.
	done := store.NewID()
	mustPutBlob(t, b, done, []byte("完整"))
	insertClaim(done, time.Now().Add(-48*time.Hour))

	t.Run("a put of an id claimed by another put is ECONFLICT", func(t *testing.T) {
		_, err := b.PutBlob(ctx, busy, strings.NewReader("x"))
		wantCode(t, "PutBlob of a claimed id", err, store.ECONFLICT)
	})

	t.Run("DeleteBlob leaves an upload under way alone", func(t *testing.T) {
		if err := b.DeleteBlob(ctx, busy); err != nil {
			t.Fatalf("DeleteBlob: %v", err)
		}
		if n := countDocs(t, r, "evidence.chunks", chunksOf(busy)); n != 2 {
			t.Errorf("DeleteBlob of an id being uploaded left %d of its 2 chunks", n)
		}
	})

	t.Run("Blobs removes abandoned uploads and nothing else", func(t *testing.T) {
		var listed []string
		err := b.Blobs(ctx, time.Now().Add(time.Hour), func(id string, _ time.Time) error {
			listed = append(listed, id)
			return nil
		})
		if err != nil {
			t.Fatalf("Blobs: %v", err)
		}
		if len(listed) != 1 || listed[0] != done {
			t.Errorf("Blobs lists %v, want only the stored blob %s", listed, done)
		}
		if n := countDocs(t, r, "evidence.chunks", chunksOf(dead)); n != 0 {
			t.Errorf("%d chunks of the abandoned upload remain", n)
		}
		if n := countDocs(t, r, "evidence.uploads", bson.D{{Key: "_id", Value: dead}}); n != 0 {
			t.Errorf("the abandoned upload's claim remains")
		}
		if n := countDocs(t, r, "evidence.chunks", chunksOf(busy)); n != 2 {
			t.Errorf("the upload under way has %d of its 2 chunks", n)
		}
		if n := countDocs(t, r, "evidence.uploads", bson.D{{Key: "_id", Value: busy}}); n != 1 {
			t.Errorf("the claim of the upload under way is gone")
		}
		if n := countDocs(t, r, "evidence.uploads", bson.D{{Key: "_id", Value: done}}); n != 0 {
			t.Errorf("the stale claim of a stored blob remains")
		}
		if got := readBlob(t, b, done); string(got) != "完整" {
			t.Errorf("the stored blob reads %q after the sweep", got)
		}
	})

	t.Run("the id of an abandoned upload can be stored", func(t *testing.T) {
		mustPutBlob(t, b, dead, []byte("重新上传"))
		if got := readBlob(t, b, dead); string(got) != "重新上传" {
			t.Errorf("blob reads %q", got)
		}
	})
}

func TestBlobIndexes(t *testing.T) {
	// GridFS needs the unique {files_id, n} index; having it under the
	// driver's own name keeps the driver from building a second one.
	_, r := freshBlobs(t)
	want := map[string]map[string]bool{
		"evidence.files":  {"filename_1_uploadDate_1": false, "upload_date": false},
		"evidence.chunks": {"files_id_1_n_1": true},
	}
	for coll, indexes := range want {
		specs, err := r.Collection(coll).Indexes().ListSpecifications(t.Context())
		if err != nil {
			t.Fatalf("list indexes of %s: %v", coll, err)
		}
		got := map[string]bool{}
		for _, s := range specs {
			got[s.Name] = s.Unique != nil && *s.Unique
		}
		for name, unique := range indexes {
			if u, ok := got[name]; !ok {
				t.Errorf("%s has no index %s (it has %v)", coll, name, got)
			} else if u != unique {
				t.Errorf("%s index %s: unique %v, want %v", coll, name, u, unique)
			}
		}
	}
}
