package store

import "context"

// Areas the search indexes follow.
const (
	IndexCases        = "cases"        // every case (the admin index)
	IndexPublications = "publications" // every publication (the public index: the sync indexes live ones and deletes the others)
)

// IndexMark names one version of one record: the version the sync loop
// read and indexed.
type IndexMark struct {
	ID      string
	Version int64
}

// IndexStore is the bookkeeping of the search sync loop (search/). Every
// indexable record — a case, a publication — carries a Version, which every
// change raises in the same atomic write as the change itself, and an
// IndexedVersion, the version the search index last saw. A record is
// pending while its Version is above its IndexedVersion. The loop takes a
// batch of pending records, indexes what it reads of them and marks the
// versions it read; a crash anywhere between a write and its mark leaves
// the record pending, so nothing is missed, and at worst a record is
// indexed twice.
//
// IndexedVersion never exceeds Version and is never negative; a new or
// imported record starts at 0, so it is pending. Only MarkIndexed and
// ResetIndexed change it, and neither changes anything else.
//
// Every method takes an area (IndexCases or IndexPublications); any other
// value is EINVALID (MsgIncomplete).
type IndexStore interface {
	// PendingIndex returns up to limit records of area whose Version is
	// above their IndexedVersion, the least recently updated first
	// (UpdatedAt ascending, then ID ascending), each with its current
	// Version. limit < 1 returns none.
	PendingIndex(ctx context.Context, area string, limit int) ([]IndexMark, error)
	// MarkIndexed records that the index holds each named record at
	// mark.Version: the record's IndexedVersion becomes mark.Version if
	// that is above the IndexedVersion it holds and not above its Version.
	// So it never lowers IndexedVersion, an older mark (the record changed
	// since it was read) leaves the record pending with its IndexedVersion
	// raised, and a mark above the record's Version — a version the store
	// never held, as after a restore from a backup — is ignored, leaving
	// the record pending to be indexed again from what the store holds. A
	// missing ID (the record may have been deleted) and an empty one are
	// skipped silently, and so are marks of version 0 or less. No marks is
	// no work. The marks apply in one transaction on SQLite, one by one
	// (each atomic) on MongoDB. It changes nothing else of a record: not
	// Version, not UpdatedAt.
	MarkIndexed(ctx context.Context, area string, marks []IndexMark) error
	// IndexState counts the records of area that are pending (Version >
	// IndexedVersion) and those indexed at least once (IndexedVersion > 0);
	// a record changed since it was indexed is both.
	IndexState(ctx context.Context, area string) (pending, indexed int64, err error)
	// ResetIndexed sets IndexedVersion to 0 on every record of area, so
	// every record is pending again (fundwatch reindex, or an index found
	// empty or rebuilt). Records of the other areas are left alone.
	ResetIndexed(ctx context.Context, area string) error
}

// KnownIndexArea tells whether area is one an IndexStore keeps.
func KnownIndexArea(area string) bool { return area == IndexCases || area == IndexPublications }
