// Package store holds fundwatch's data model and the Store interface that every
// storage backend implements. It depends on the standard library only, so the
// rules (casework), the service layer, the web layers (handlers, admin) and the
// backends (store/sqlite, store/mongo) can all import it without importing
// each other.
//
// The interface is split by area, one file each: cases.go (complaints and
// reports, their timeline and messages), accounts.go (staff users, sessions,
// login throttling), audit.go (the hash-chained audit log), important.go (要情
// reports and quarterly statistics), settings.go (the working-day calendar and
// administrators' settings), outbox.go (e-mail waiting to be sent),
// publications.go (disclosures and articles with their revisions) and
// indexing.go (which versions of cases and publications the search indexes
// hold, for the sync loop) and files.go (the records of evidence files; their
// bytes are in a BlobStore, blobs.go). Store composes them; code that needs one area
// takes that area's interface.
//
// The Chinese sentences a user may read when a store call fails are in
// messages.go, once, so every backend words the same condition the same way.
package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"time"
)

// Store is the system of record. Each method is atomic on its own: it either
// fully happens or leaves no trace. Not-found is always an ENOTFOUND error,
// never a nil result with a nil error. Every non-nil error is (or wraps) a
// *Error whose Message is one of the sentences of messages.go.
type Store interface {
	CaseStore
	AccountStore
	AuditStore
	ImportantStore
	SettingsStore
	OutboxStore
	PublicationStore
	IndexStore
	FileStore

	// Ping tells whether the store can serve requests (used by /readyz).
	Ping(ctx context.Context) error
	Close() error
}

// CST is China Standard Time, in which days, years and deadlines are counted.
var CST = time.FixedZone("CST", 8*60*60)

// Now returns the current time in UTC truncated to milliseconds, the precision
// every backend keeps.
func Now() time.Time { return Truncate(time.Now()) }

// Truncate brings a time to the stored form: UTC, millisecond precision.
func Truncate(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// FormatNumber is the case number of sequence seq in year: "2026-000123".
// Backends assign numbers with it; casework parses what people type.
func FormatNumber(year int, seq int64) string { return fmt.Sprintf("%04d-%06d", year, seq) }

// Page bounds for every List method: a Limit of 0 means DefaultLimit and
// anything above MaxLimit means MaxLimit; a negative Offset means 0.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// PageBounds applies the page rules above, so every backend pages alike.
func PageBounds(limit, offset int) (int, int) {
	switch {
	case limit <= 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	return limit, max(offset, 0)
}

// DistinctIDs returns the non-empty ids of a ByIDs loader (CasesByIDs,
// PublishedByIDs) once each, in the order they first come, so every
// backend answers a repeated or empty id alike.
func DistinctIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// NewID returns a random 128-bit id in lowercase Crockford base32 (26
// characters). Every id the application generates — cases, events, messages,
// users, reports, mails — is one of these, so ids look alike on every backend.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)
