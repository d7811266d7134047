package storetest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"fundwatch/store"
)

// RunBlobs runs the conformance suite of store.BlobStore against the backend
// that open creates. open must return a fresh, empty blob store each time it
// is called and should close it through t.Cleanup; the suite never calls
// Close itself.
//
// Beyond what the BlobStore doc comments say, the suite encodes these
// decisions:
//
//   - PutBlob of an id already stored is ECONFLICT with store.MsgFileExists
//     and leaves the stored blob as it was. Of several concurrent puts of
//     one id exactly one succeeds; the stored bytes are all its own.
//   - An id that is not store.ValidID is EINVALID with store.MsgFileID from
//     PutBlob, OpenBlob and DeleteBlob alike.
//   - A missing blob is ENOTFOUND with store.MsgFileNotFound. After
//     DeleteBlob, or after a failed PutBlob, the id is free again.
//   - When r fails, PutBlob's error wraps r's error (errors.Is holds), and
//     an error of r that is a *store.Error comes back as it is, code and
//     message: the service layer's size limit reaches the user that way.
//   - PutBlob notices a context cancelled while it reads: it fails and
//     stores nothing, even though r would have gone on.
//   - storedAt is the backend's clock when the blob was stored, in UTC and
//     truncated to the millisecond (store.Truncate); "before" is strict.
//     Blobs returns fn's error itself, and fn may delete the blob it is
//     given (the sweep does).
//   - Every non-nil error other than fn's is (or wraps) a *store.Error with
//     a code and a message.
//
// Only the part about storedAt reads the wall clock, because only the
// backend knows when it stored a blob.
func RunBlobs(t *testing.T, open func(t *testing.T) store.BlobStore) {
	t.Helper()
	runGroups(t, open, []group[store.BlobStore]{
		{"PutOpen", testBlobPutOpen},
		{"Conflict", testBlobConflict},
		{"InvalidID", testBlobInvalidID},
		{"NotFound", testBlobNotFound},
		{"Delete", testBlobDelete},
		{"FailedPut", testBlobFailedPut},
		{"Blobs", testBlobList},
		{"Concurrency", testBlobConcurrency},
		{"Ping", testBlobPing},
	})
}

// farFuture is a "before" that every stored blob precedes.
var farFuture = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)

// pattern yields n reproducible pseudo-random bytes, so the suite can write a
// blob of many megabytes and check what comes back without holding either
// in memory.
func pattern(seed uint64, n int64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return io.LimitReader(rand.NewChaCha8(key), n)
}

func mustPut(t *testing.T, s store.BlobStore, id string, r io.Reader, size int64) {
	t.Helper()
	n, err := s.PutBlob(t.Context(), id, r)
	if err != nil {
		t.Fatalf("PutBlob(%s): %v", id, err)
	}
	if n != size {
		t.Errorf("PutBlob(%s) = %d bytes, want %d", id, n, size)
	}
}

func mustDeleteBlob(t *testing.T, s store.BlobStore, id string) {
	t.Helper()
	if err := s.DeleteBlob(t.Context(), id); err != nil {
		t.Fatalf("DeleteBlob(%s): %v", id, err)
	}
}

// checkBlob opens the blob id and compares it with want as both stream.
func checkBlob(t *testing.T, s store.BlobStore, id string, want io.Reader) {
	t.Helper()
	rc, err := s.OpenBlob(t.Context(), id)
	if err != nil {
		t.Fatalf("OpenBlob(%s): %v", id, err)
	}
	defer func() {
		if err := rc.Close(); err != nil {
			t.Errorf("closing blob %s: %v", id, err)
		}
	}()
	if err := sameStream(rc, want); err != nil {
		t.Errorf("blob %s: %v", id, err)
	}
}

// sameStream reads got and want to their ends and says where they differ.
func sameStream(got, want io.Reader) error {
	const block = 64 << 10
	g, w := make([]byte, block), make([]byte, block)
	var off int64
	for {
		gn, gerr := io.ReadFull(got, g)
		wn, werr := io.ReadFull(want, w)
		if gerr != nil && gerr != io.EOF && gerr != io.ErrUnexpectedEOF {
			return fmt.Errorf("reading at offset %d: %v", off+int64(gn), gerr)
		}
		if werr != nil && werr != io.EOF && werr != io.ErrUnexpectedEOF {
			return fmt.Errorf("reading the expected bytes: %v", werr)
		}
		if i := firstDifference(g[:gn], w[:wn]); i >= 0 {
			return fmt.Errorf("differs from the stored bytes at offset %d (got %d bytes in this block, want %d)",
				off+int64(i), gn, wn)
		}
		off += int64(gn)
		if gn < block {
			return nil
		}
	}
}

func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// listBlobs returns what Blobs reports for before, checking that no id comes
// twice and that every storedAt is in the stored form.
func listBlobs(t *testing.T, s store.BlobStore, before time.Time) map[string]time.Time {
	t.Helper()
	got := map[string]time.Time{}
	err := s.Blobs(t.Context(), before, func(id string, storedAt time.Time) error {
		if _, dup := got[id]; dup {
			t.Errorf("Blobs reported %s twice", id)
		}
		got[id] = storedAt
		if storedAt.Location() != time.UTC || !storedAt.Equal(store.Truncate(storedAt)) {
			t.Errorf("Blobs: storedAt of %s is %s, want UTC truncated to the millisecond",
				id, storedAt.Format(time.RFC3339Nano))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Blobs(%s): %v", before.Format(time.RFC3339Nano), err)
	}
	return got
}

func sortedKeys(m map[string]time.Time) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// wantNoBlob checks that nothing is left under id: OpenBlob says ENOTFOUND
// and Blobs does not list it.
func wantNoBlob(t *testing.T, s store.BlobStore, id string) {
	t.Helper()
	rc, err := s.OpenBlob(t.Context(), id)
	if err == nil {
		_ = rc.Close()
	}
	wantCodeAndMessage(t, "OpenBlob("+id+")", err, store.ENOTFOUND, store.MsgFileNotFound)
	if _, listed := listBlobs(t, s, farFuture)[id]; listed {
		t.Errorf("Blobs lists %s, which should not be stored", id)
	}
}

func testBlobPutOpen(t *testing.T, open func(t *testing.T) store.BlobStore) {
	t.Run("a small blob reads back as stored, with its size", func(t *testing.T) {
		s := open(t)
		var all []byte
		for i := range 3 * 256 {
			all = append(all, byte(i))
		}
		id := store.NewID()
		mustPut(t, s, id, bytes.NewReader(all), int64(len(all)))
		checkBlob(t, s, id, bytes.NewReader(all))
		// A second reader of the same blob starts from the beginning.
		checkBlob(t, s, id, bytes.NewReader(all))
	})

	t.Run("an empty blob is stored and reads back empty", func(t *testing.T) {
		s := open(t)
		id := store.NewID()
		mustPut(t, s, id, strings.NewReader(""), 0)
		checkBlob(t, s, id, strings.NewReader(""))
		if _, ok := listBlobs(t, s, farFuture)[id]; !ok {
			t.Errorf("Blobs does not list the empty blob %s", id)
		}
	})

	t.Run("readers that give a byte at a time or data with EOF are read whole", func(t *testing.T) {
		s := open(t)
		const size = 5000
		slow := store.NewID()
		mustPut(t, s, slow, iotest.OneByteReader(pattern(1, size)), size)
		checkBlob(t, s, slow, pattern(1, size))
		eager := store.NewID()
		mustPut(t, s, eager, iotest.DataErrReader(pattern(2, size)), size)
		checkBlob(t, s, eager, pattern(2, size))
	})

	t.Run("a blob of many megabytes streams in and back intact", func(t *testing.T) {
		// Larger than an evidence file may be, not a multiple of any
		// plausible chunk size, and beyond GridFS's 16 MiB upload buffer.
		const size = 20<<20 + 12345
		s := open(t)
		id := store.NewID()
		mustPut(t, s, id, pattern(3, size), size)
		checkBlob(t, s, id, pattern(3, size))
	})

	t.Run("blobs are kept apart", func(t *testing.T) {
		s := open(t)
		ids := []string{store.NewID(), store.NewID(), store.NewID()}
		for i, id := range ids {
			mustPut(t, s, id, pattern(uint64(10+i), int64(1000*(i+1))), int64(1000*(i+1)))
		}
		for i, id := range ids {
			checkBlob(t, s, id, pattern(uint64(10+i), int64(1000*(i+1))))
		}
	})
}

func testBlobConflict(t *testing.T, open func(t *testing.T) store.BlobStore) {
	t.Run("a second put of an id is ECONFLICT and keeps the first content", func(t *testing.T) {
		s := open(t)
		id := store.NewID()
		const size = 600_000
		mustPut(t, s, id, pattern(20, size), size)
		_, err := s.PutBlob(t.Context(), id, pattern(21, size+1))
		wantCodeAndMessage(t, "second PutBlob", err, store.ECONFLICT, store.MsgFileExists)
		_, err = s.PutBlob(t.Context(), id, strings.NewReader(""))
		wantCodeAndMessage(t, "empty second PutBlob", err, store.ECONFLICT, store.MsgFileExists)
		checkBlob(t, s, id, pattern(20, size))
		if got := sortedKeys(listBlobs(t, s, farFuture)); !slices.Equal(got, []string{id}) {
			t.Errorf("Blobs lists %v, want only %s", got, id)
		}
	})
}

func testBlobInvalidID(t *testing.T, open func(t *testing.T) store.BlobStore) {
	invalid := []string{
		"",
		"../x",
		"..",
		"/etc/passwd",
		strings.Repeat("A", 26),                // upper case
		strings.Repeat("a", 25),                // too short
		strings.Repeat("a", 27),                // too long
		"0123456789abcdefghjkmnpqr/",           // a separator
		"..23456789abcdefghjkmnpqrs",           // dots
		"0123456789abcdefghjkmnpqri",           // not Crockford base32
		"0123456789abcdefghjkmnpqr\x00",        // NUL
		"0123456789abcdefghjkmnpq\u00e9",       // 26 bytes, not ASCII
		`{"$gt":""}` + strings.Repeat("a", 16), // a query operator
		"..\\..\\" + strings.Repeat("a", 20),   // Windows separators
		strings.Repeat("a", 24) + "\n\n",       // control characters
		"./" + strings.Repeat("a", 24),         // a relative path
		strings.Repeat("a", 2) + "/" + strings.Repeat("a", 23), // the fan-out layout
	}
	t.Run("ids that NewID cannot give are EINVALID everywhere", func(t *testing.T) {
		s := open(t)
		for _, id := range invalid {
			if store.ValidID(id) {
				t.Fatalf("%q is a valid id; the test is wrong", id)
			}
			_, err := s.PutBlob(t.Context(), id, strings.NewReader("证据"))
			wantCodeAndMessage(t, fmt.Sprintf("PutBlob(%q)", id), err, store.EINVALID, store.MsgFileID)
			rc, err := s.OpenBlob(t.Context(), id)
			if err == nil {
				_ = rc.Close()
			}
			wantCodeAndMessage(t, fmt.Sprintf("OpenBlob(%q)", id), err, store.EINVALID, store.MsgFileID)
			err = s.DeleteBlob(t.Context(), id)
			wantCodeAndMessage(t, fmt.Sprintf("DeleteBlob(%q)", id), err, store.EINVALID, store.MsgFileID)
		}
		if got := listBlobs(t, s, farFuture); len(got) != 0 {
			t.Errorf("after puts with invalid ids Blobs lists %v", sortedKeys(got))
		}
	})
}

func testBlobNotFound(t *testing.T, open func(t *testing.T) store.BlobStore) {
	t.Run("OpenBlob of a blob never stored is ENOTFOUND", func(t *testing.T) {
		s := open(t)
		mustPut(t, s, store.NewID(), strings.NewReader("另一个文件"), int64(len("另一个文件")))
		wantNoBlob(t, s, store.NewID())
	})
}

func testBlobDelete(t *testing.T, open func(t *testing.T) store.BlobStore) {
	t.Run("DeleteBlob removes the blob and only it", func(t *testing.T) {
		s := open(t)
		const size = 700_000
		gone, kept := store.NewID(), store.NewID()
		mustPut(t, s, gone, pattern(30, size), size)
		mustPut(t, s, kept, pattern(31, size), size)
		mustDeleteBlob(t, s, gone)
		wantNoBlob(t, s, gone)
		checkBlob(t, s, kept, pattern(31, size))
	})

	t.Run("deleting twice or deleting what was never stored is not an error", func(t *testing.T) {
		s := open(t)
		id := store.NewID()
		mustPut(t, s, id, strings.NewReader("x"), 1)
		mustDeleteBlob(t, s, id)
		mustDeleteBlob(t, s, id)
		mustDeleteBlob(t, s, store.NewID())
	})

	t.Run("a deleted id can be stored again", func(t *testing.T) {
		s := open(t)
		id := store.NewID()
		mustPut(t, s, id, pattern(32, 300_000), 300_000)
		mustDeleteBlob(t, s, id)
		mustPut(t, s, id, pattern(33, 1000), 1000)
		checkBlob(t, s, id, pattern(33, 1000))
	})
}

var errBrokenUpload = errors.New("storetest: the upload broke off")

// cancelAfter cancels a context once n bytes have been read through it and
// goes on giving bytes, as a request body does when its client goes away
// while the body is still buffered.
type cancelAfter struct {
	r      io.Reader
	n      int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n <= 0 {
		c.cancel()
	}
	return n, err
}

func testBlobFailedPut(t *testing.T, open func(t *testing.T) store.BlobStore) {
	// afterwards checks that a failed put left nothing under id and that
	// the id can then be stored.
	afterwards := func(t *testing.T, s store.BlobStore, id string) {
		t.Helper()
		wantNoBlob(t, s, id)
		mustPut(t, s, id, pattern(40, 2000), 2000)
		checkBlob(t, s, id, pattern(40, 2000))
	}

	t.Run("a reader failing half-way leaves nothing", func(t *testing.T) {
		s := open(t)
		id := store.NewID()
		r := io.MultiReader(pattern(41, 1<<20), iotest.ErrReader(errBrokenUpload))
		_, err := s.PutBlob(t.Context(), id, r)
		if !errors.Is(err, errBrokenUpload) {
			t.Errorf("PutBlob with a failing reader: error %v, want one wrapping %v", err, errBrokenUpload)
		}
		checkError(t, "PutBlob with a failing reader", err)
		afterwards(t, s, id)
	})

	t.Run("a reader failing after many megabytes leaves nothing", func(t *testing.T) {
		// Past the point where a backend has written some of the blob
		// where it will be kept (GridFS sends chunks every 16 MiB).
		s := open(t)
		id := store.NewID()
		r := io.MultiReader(pattern(42, 17<<20), iotest.ErrReader(errBrokenUpload))
		_, err := s.PutBlob(t.Context(), id, r)
		if !errors.Is(err, errBrokenUpload) {
			t.Errorf("PutBlob with a failing reader: error %v, want one wrapping %v", err, errBrokenUpload)
		}
		checkError(t, "PutBlob with a failing reader", err)
		afterwards(t, s, id)
	})

	t.Run("a store error of the reader comes back as it is", func(t *testing.T) {
		s := open(t)
		id := store.NewID()
		tooLarge := store.Errorf(store.EINVALID, "上传的文件超过大小限制。")
		r := io.MultiReader(pattern(43, 100_000), iotest.ErrReader(tooLarge))
		_, err := s.PutBlob(t.Context(), id, r)
		wantCodeAndMessage(t, "PutBlob with a reader refusing the size", err, store.EINVALID, tooLarge.Message)
		afterwards(t, s, id)
	})

	t.Run("a context cancelled before the put stores nothing", func(t *testing.T) {
		s := open(t)
		id := store.NewID()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := s.PutBlob(ctx, id, pattern(44, 1000))
		if err == nil {
			t.Errorf("PutBlob with a cancelled context succeeded")
		}
		checkError(t, "PutBlob with a cancelled context", err)
		afterwards(t, s, id)
	})

	t.Run("a context cancelled during the put stores nothing", func(t *testing.T) {
		s := open(t)
		id := store.NewID()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		_, err := s.PutBlob(ctx, id, &cancelAfter{r: pattern(45, 4<<20), n: 1 << 20, cancel: cancel})
		if err == nil {
			t.Errorf("PutBlob whose context was cancelled while reading succeeded")
		}
		checkError(t, "PutBlob cancelled while reading", err)
		afterwards(t, s, id)
	})
}

func testBlobList(t *testing.T, open func(t *testing.T) store.BlobStore) {
	t.Run("an empty store lists nothing", func(t *testing.T) {
		s := open(t)
		if got := listBlobs(t, s, farFuture); len(got) != 0 {
			t.Errorf("Blobs lists %v in an empty store", sortedKeys(got))
		}
	})

	t.Run("lists what was stored before the time and not what came after", func(t *testing.T) {
		s := open(t)
		start := time.Now()
		older := store.NewID()
		mustPut(t, s, older, strings.NewReader("较早的证据"), int64(len("较早的证据")))
		olderAt, ok := listBlobs(t, s, farFuture)[older]
		if !ok {
			t.Fatalf("Blobs does not list %s", older)
		}
		// storedAt is the backend's clock; it only has to be plausible.
		if d := olderAt.Sub(start); d < -time.Hour || d > time.Hour {
			t.Errorf("storedAt %s is far from the time of the put, %s", olderAt, start)
		}

		// Store a younger blob until the backend's clock, at its
		// resolution, has moved past the older one.
		var younger string
		var youngerAt time.Time
		for deadline := time.Now().Add(10 * time.Second); ; {
			time.Sleep(5 * time.Millisecond)
			younger = store.NewID()
			mustPut(t, s, younger, strings.NewReader("较晚的证据"), int64(len("较晚的证据")))
			youngerAt = listBlobs(t, s, farFuture)[younger]
			if youngerAt.After(olderAt) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the backend's storedAt did not move past %s in 10 seconds", olderAt)
			}
			mustDeleteBlob(t, s, younger)
		}

		got := listBlobs(t, s, youngerAt)
		if want := []string{older}; !slices.Equal(sortedKeys(got), want) {
			t.Errorf("Blobs(before the younger blob) = %v, want %v", sortedKeys(got), want)
		} else if !got[older].Equal(olderAt) {
			t.Errorf("storedAt of %s = %s, and %s before", older, got[older], olderAt)
		}
		if got := listBlobs(t, s, olderAt); len(got) != 0 {
			t.Errorf("Blobs(the older blob's storedAt) = %v, want nothing: before is strict", sortedKeys(got))
		}
		if got := sortedKeys(listBlobs(t, s, farFuture)); !slices.Equal(got, sortedKeys(map[string]time.Time{older: {}, younger: {}})) {
			t.Errorf("Blobs(far future) = %v, want both blobs", got)
		}
	})

	t.Run("stops at fn's first error and returns it", func(t *testing.T) {
		s := open(t)
		for range 3 {
			mustPut(t, s, store.NewID(), strings.NewReader("x"), 1)
		}
		errStop := errors.New("storetest: stop")
		calls := 0
		err := s.Blobs(t.Context(), farFuture, func(string, time.Time) error {
			calls++
			return errStop
		})
		if err != errStop {
			t.Errorf("Blobs returned %v, want fn's error %v", err, errStop)
		}
		if calls != 1 {
			t.Errorf("fn was called %d times after returning an error, want 1", calls)
		}
	})

	t.Run("fn may delete the blob it is given", func(t *testing.T) {
		// This is what the sweep does with a blob no record names.
		s := open(t)
		want := map[string]time.Time{}
		for range 5 {
			id := store.NewID()
			mustPut(t, s, id, pattern(50, 300_000), 300_000)
			want[id] = time.Time{}
		}
		seen := map[string]time.Time{}
		err := s.Blobs(t.Context(), farFuture, func(id string, _ time.Time) error {
			seen[id] = time.Time{}
			return s.DeleteBlob(t.Context(), id)
		})
		if err != nil {
			t.Fatalf("Blobs deleting as it goes: %v", err)
		}
		if got := sortedKeys(seen); !slices.Equal(got, sortedKeys(want)) {
			t.Errorf("Blobs deleting as it goes visited %v, want %v", got, sortedKeys(want))
		}
		if got := listBlobs(t, s, farFuture); len(got) != 0 {
			t.Errorf("after deleting every blob Blobs lists %v", sortedKeys(got))
		}
	})
}

func testBlobConcurrency(t *testing.T, open func(t *testing.T) store.BlobStore) {
	t.Run("goroutines putting, opening and deleting their own blobs", func(t *testing.T) {
		s := open(t)
		const workers, each = 6, 4
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			kept = map[string]time.Time{}
		)
		for w := range workers {
			wg.Go(func() {
				for j := range each {
					if err := blobRoundTrip(t.Context(), s, uint64(100+w*each+j), int64(1000+w*70_000+j*130_000), j%2 == 0, &mu, kept); err != nil {
						t.Errorf("worker %d, blob %d: %v", w, j, err)
						return
					}
				}
			})
		}
		wg.Wait()
		if got := sortedKeys(listBlobs(t, s, farFuture)); !slices.Equal(got, sortedKeys(kept)) {
			t.Errorf("Blobs lists %v, want the kept blobs %v", got, sortedKeys(kept))
		}
	})

	t.Run("of concurrent puts of one id exactly one wins and its bytes are stored", func(t *testing.T) {
		s := open(t)
		id := store.NewID()
		const racers = 5
		sizes := [racers]int64{}
		errs := [racers]error{}
		var wg sync.WaitGroup
		for i := range racers {
			sizes[i] = 400_000 + int64(i)
			wg.Go(func() {
				var n int64
				n, errs[i] = s.PutBlob(t.Context(), id, pattern(uint64(200+i), sizes[i]))
				if errs[i] == nil && n != sizes[i] {
					t.Errorf("racer %d stored %d bytes, want %d", i, n, sizes[i])
				}
			})
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Errorf("racers %d and %d both stored %s", winner, i, id)
				}
				winner = i
				continue
			}
			wantCodeAndMessage(t, fmt.Sprintf("racer %d", i), err, store.ECONFLICT, store.MsgFileExists)
		}
		if winner < 0 {
			t.Fatalf("no racer stored %s", id)
		}
		checkBlob(t, s, id, pattern(uint64(200+winner), sizes[winner]))
	})
}

// blobRoundTrip stores a blob of size bytes under a new id, reads it back
// and deletes it if drop is set (checking it is gone), else records it in
// kept. It returns errors instead of failing, for use in goroutines.
func blobRoundTrip(ctx context.Context, s store.BlobStore, seed uint64, size int64, drop bool, mu *sync.Mutex, kept map[string]time.Time) error {
	id := store.NewID()
	n, err := s.PutBlob(ctx, id, pattern(seed, size))
	if err != nil {
		return fmt.Errorf("PutBlob(%s): %w", id, err)
	}
	if n != size {
		return fmt.Errorf("PutBlob(%s) = %d bytes, want %d", id, n, size)
	}
	rc, err := s.OpenBlob(ctx, id)
	if err != nil {
		return fmt.Errorf("OpenBlob(%s): %w", id, err)
	}
	err = sameStream(rc, pattern(seed, size))
	if cerr := rc.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close: %w", cerr)
	}
	if err != nil {
		return fmt.Errorf("blob %s: %w", id, err)
	}
	if !drop {
		mu.Lock()
		kept[id] = time.Time{}
		mu.Unlock()
		return nil
	}
	if err := s.DeleteBlob(ctx, id); err != nil {
		return fmt.Errorf("DeleteBlob(%s): %w", id, err)
	}
	rc, err = s.OpenBlob(ctx, id)
	if err == nil {
		_ = rc.Close()
	}
	if store.ErrorCode(err) != store.ENOTFOUND {
		return fmt.Errorf("OpenBlob(%s) after DeleteBlob: %v, want ENOTFOUND", id, err)
	}
	return nil
}

func testBlobPing(t *testing.T, open func(t *testing.T) store.BlobStore) {
	t.Run("an open blob store answers Ping", func(t *testing.T) {
		s := open(t)
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}
