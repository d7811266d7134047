package store

import (
	"context"
	"io"
	"time"
)

// BlobStore keeps the bytes of evidence files (证据材料) beside the Store:
// files on disk under the data directory for the embedded default
// (store/disk), GridFS for MongoDB (store/mongo). What it keeps is opaque
// ciphertext: the service layer encrypts every file with a key of its own
// before PutBlob and keeps that key, sealed, in the file's record in the
// Store (Attachment.SealedKey). So a copy of the blobs alone reveals
// nothing, and removing the record's key destroys the file for good even
// where a disk keeps old sectors.
//
// The record in the Store is written only after PutBlob returned, so a case
// never points at a blob that is not fully stored. A crash between the two
// leaves a blob nothing points at; the sweep (Blobs, then DeleteBlob of
// what no record names) removes it.
//
// Ids are app-generated (NewID); a backend refuses any other form with
// EINVALID, so an id can never name a path outside the store.
type BlobStore interface {
	// PutBlob stores everything r yields under id and returns its size.
	// The blob becomes visible (OpenBlob, Blobs) only once it is fully
	// and durably stored; on any error (r failing, ctx cancelled, the disk
	// full) nothing is left under id. An id already stored is ECONFLICT.
	PutBlob(ctx context.Context, id string, r io.Reader) (int64, error)
	// OpenBlob streams a stored blob; ENOTFOUND when there is none.
	OpenBlob(ctx context.Context, id string) (io.ReadCloser, error)
	// DeleteBlob removes a blob. Deleting one that is not there is not an
	// error, so a sweep and a purge may race.
	DeleteBlob(ctx context.Context, id string) error
	// Blobs calls fn for every blob stored before the given time, in no
	// particular order, and stops at fn's first error, which it returns.
	Blobs(ctx context.Context, before time.Time, fn func(id string, storedAt time.Time) error) error
	// Ping tells whether blobs can be stored right now (for /readyz).
	Ping(ctx context.Context) error
	Close() error
}

// ValidID reports whether id has the form NewID gives: 26 characters of
// lowercase Crockford base32. Backends check blob ids with it.
func ValidID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' && c != 'i' && c != 'l' && c != 'o' && c != 'u') {
			return false
		}
	}
	return true
}
