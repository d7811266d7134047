// Package disk is the store.BlobStore of the embedded default: one file per
// blob under a directory of its own (DATA/files).
//
// A blob id is NewID's 26 characters of lowercase base32, checked with
// store.ValidID before any path is built, so an id never names anything
// outside the directory. Blob id lives at dir/<first two characters>/<id>;
// the fan-out keeps directories small (32×32 of them).
//
// A put writes dir/tmp/<random> (created exclusively, mode 0600), fsyncs it,
// then hard-links it to its place and removes the temporary name. The link
// is what makes a put atomic and exclusive: it fails if the target exists,
// so of two puts of one id, in this process or another, exactly one wins,
// and a blob is never visible half-written. The directories touched are
// fsynced so a put or a delete that returned survives a crash. What a crash
// leaves in dir/tmp is removed by Open, so one process owns dir (as one
// process owns the SQLite database beside it). The filesystem must support
// hard links, as every Linux filesystem for data does.
package disk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"fundwatch/store"
)

const (
	dirMode = 0o700
	tmpName = "tmp"
	// copyBuffer is how much a put reads between two looks at its context.
	copyBuffer = 256 << 10
)

// Store keeps blobs as files under one directory. It is safe for
// concurrent use.
type Store struct {
	dir string
	tmp string

	// mu guards durable, the fan-out directories known to exist with their
	// entry in dir fsynced, so each is created and synced once.
	mu      sync.Mutex
	durable map[string]bool
}

var _ store.BlobStore = (*Store)(nil)

// Open keeps blobs under dir, creating it (mode 0700) if needed, and removes
// the temporary files an interrupted put left behind: for the process that
// owns dir (the server).
func Open(dir string) (*Store, error) { return open(dir, true) }

// Attach is Open for a command that works on dir while the server may be
// running (fundwatch purge): it leaves dir/tmp alone, where the server's
// uploads in progress are.
func Attach(dir string) (*Store, error) { return open(dir, false) }

func open(dir string, owner bool) (*Store, error) {
	if dir == "" {
		return nil, store.Errorf(store.EINVALID, "未配置文件存储目录。")
	}
	s := &Store{dir: dir, tmp: filepath.Join(dir, tmpName), durable: map[string]bool{}}
	_, err := os.Stat(dir)
	created := errors.Is(err, fs.ErrNotExist)
	if err := os.MkdirAll(s.tmp, dirMode); err != nil {
		return nil, translate("open", err)
	}
	if created {
		if err := syncDir(filepath.Dir(dir)); err != nil {
			return nil, translate("open", err)
		}
	}
	if err := syncDir(dir); err != nil {
		return nil, translate("open", err)
	}
	if !owner {
		return s, nil
	}
	leftovers, err := os.ReadDir(s.tmp)
	if err != nil {
		return nil, translate("open", err)
	}
	for _, e := range leftovers {
		if err := os.RemoveAll(filepath.Join(s.tmp, e.Name())); err != nil {
			return nil, translate("remove leftover", err)
		}
	}
	if len(leftovers) > 0 {
		if err := syncDir(s.tmp); err != nil {
			return nil, translate("open", err)
		}
	}
	return s, nil
}

// path is where blob id lives; id must be valid.
func (s *Store) path(id string) string { return filepath.Join(s.dir, id[:2], id) }

// PutBlob writes r to a temporary file and links it into place once it is
// complete and synced; see the package comment.
func (s *Store) PutBlob(ctx context.Context, id string, r io.Reader) (int64, error) {
	if !store.ValidID(id) {
		return 0, invalidID(id)
	}
	if err := ctx.Err(); err != nil {
		return 0, translate("put", err)
	}
	target := s.path(id)
	// Reading a whole upload only to find the id taken would waste it; the
	// link below is what decides.
	if _, err := os.Lstat(target); err == nil {
		return 0, exists(id)
	}

	f, err := os.CreateTemp(s.tmp, "put-")
	if err != nil {
		return 0, translate("put", err)
	}
	n, err := copyContext(ctx, f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	defer os.Remove(f.Name())
	if err != nil {
		return 0, translate("put", err)
	}

	fanout := filepath.Dir(target)
	if err := s.ensureDir(fanout); err != nil {
		return 0, translate("put", err)
	}
	if err := os.Link(f.Name(), target); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return 0, exists(id)
		}
		return 0, translate("put", err)
	}
	if err := syncDir(fanout); err != nil {
		// The blob is in place but perhaps not durably: take it back so
		// the caller's retry starts clean.
		_ = os.Remove(target)
		return 0, translate("put", err)
	}
	return n, nil
}

// copyContext copies r to w and stops with ctx's error once ctx is done, so
// an upload whose request went away is not stored.
func copyContext(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, copyBuffer)
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

// ensureDir creates a fan-out directory and fsyncs dir, so the directory
// entry a new blob hangs from survives a crash, once per directory.
func (s *Store) ensureDir(fanout string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.durable[fanout] {
		return nil
	}
	if err := os.Mkdir(fanout, dirMode); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	s.durable[fanout] = true
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// OpenBlob opens the file of blob id.
func (s *Store) OpenBlob(ctx context.Context, id string) (io.ReadCloser, error) {
	if !store.ValidID(id) {
		return nil, invalidID(id)
	}
	if err := ctx.Err(); err != nil {
		return nil, translate("open blob", err)
	}
	f, err := os.Open(s.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound(id)
	} else if err != nil {
		return nil, translate("open blob", err)
	}
	return &blobFile{f: f}, nil
}

// blobFile turns the errors of reading a blob into store errors.
type blobFile struct {
	f      *os.File
	closed bool
}

func (b *blobFile) Read(p []byte) (int, error) {
	n, err := b.f.Read(p)
	if err != nil && err != io.EOF {
		err = translate("read blob", err)
	}
	return n, err
}

// Close closes the file; closing twice is not an error.
func (b *blobFile) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	return translate("close blob", b.f.Close())
}

// DeleteBlob removes the file of blob id and syncs its directory, so a purge
// that returned stays done after a crash.
func (s *Store) DeleteBlob(ctx context.Context, id string) error {
	if !store.ValidID(id) {
		return invalidID(id)
	}
	if err := ctx.Err(); err != nil {
		return translate("delete", err)
	}
	target := s.path(id)
	if err := os.Remove(target); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return translate("delete", err)
	}
	return translate("delete", syncDir(filepath.Dir(target)))
}

// Blobs walks the fan-out directories; storedAt is a file's modification
// time, which is when its put finished writing. Anything that is not a blob
// in its place (the tmp directory, stray files) is skipped.
func (s *Store) Blobs(ctx context.Context, before time.Time, fn func(id string, storedAt time.Time) error) error {
	fanouts, err := os.ReadDir(s.dir)
	if err != nil {
		return translate("list", err)
	}
	for _, d := range fanouts {
		if !d.IsDir() || len(d.Name()) != 2 || !store.ValidID(d.Name()+"000000000000000000000000") {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(s.dir, d.Name()))
		if err != nil {
			return translate("list", err)
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return translate("list", err)
			}
			id := e.Name()
			if !store.ValidID(id) || id[:2] != d.Name() || !e.Type().IsRegular() {
				continue
			}
			info, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted since the directory was read
			} else if err != nil {
				return translate("list", err)
			}
			storedAt := store.Truncate(info.ModTime())
			if !storedAt.Before(before) {
				continue
			}
			if err := fn(id, storedAt); err != nil {
				return err
			}
		}
	}
	return nil
}

// Ping creates and removes a small file, which is what a put needs.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return translate("ping", err)
	}
	f, err := os.CreateTemp(s.tmp, "ping-")
	if err != nil {
		return translate("ping", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write([]byte{0})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return translate("ping", err)
}

// Close releases nothing: every call opens and closes its own files.
func (s *Store) Close() error { return nil }

func invalidID(id string) error {
	return store.Wrap(store.EINVALID, fmt.Errorf("disk: invalid blob id %q", id), store.MsgFileID)
}

func notFound(id string) error {
	return store.Wrap(store.ENOTFOUND, fmt.Errorf("disk: no blob %s", id), store.MsgFileNotFound)
}

func exists(id string) error {
	return store.Wrap(store.ECONFLICT, fmt.Errorf("disk: blob %s exists", id), store.MsgFileExists)
}

// translate is the one place where filesystem errors become store errors;
// the original stays in Err for the logs. Errors that already are store
// errors (a reader's, say) pass through unchanged.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *store.Error
	if errors.As(err, &se) {
		return err
	}
	wrapped := fmt.Errorf("disk %s: %w", op, err)
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), errors.Is(err, syscall.EROFS):
		return store.Wrap(store.EUNAVAILABLE, wrapped, store.MsgFileUnavailable)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return store.Wrap(store.EUNAVAILABLE, wrapped, store.MsgFileUnavailable)
	default:
		return store.Wrap(store.EINTERNAL, wrapped, store.MsgInternal)
	}
}
