package store

import (
	"context"
	"time"
)

// Attachment is one evidence file (证据材料) of a case: what the reporter
// filed with the case or sent later, or what a handler attached. Its bytes
// are a blob of the BlobStore under the same ID, encrypted under a key of
// its own that only this record holds, sealed (SealedKey).
//
// A record is written only after its blob is fully stored, in the same
// atomic write as what it comes with (the case, a message), so a case never
// points at a file that is not there.
type Attachment struct {
	ID     string // also the blob's id
	CaseID string
	// MessageID is the message the file came with, "" for the files filed
	// with the case.
	MessageID string
	Name      string // the display name, already made safe (evidence.SafeName)
	Type      string // the MIME type its content was checked to be
	Size      int64  // bytes of the file (not of its stored, encrypted form)
	SHA256    []byte // of the file's bytes as checked and stored
	SealedKey []byte // the file's key, sealed for its ID (casework.SealFileKey); nil once purged
	Author    string // AuthorReporter or AuthorHandler
	Actor     string // internal: user id of the handler who attached it; "" for the reporter
	// HiddenFromReporter keeps a file of a handler's away from the
	// follow-up page (a handler's internal working file); a file the
	// reporter sent is never hidden from them.
	HiddenFromReporter bool
	At                 time.Time
	// PurgedAt is when retention removed the file (its key and blob); zero
	// while it is kept. The record stays, so the case still shows what was
	// there.
	PurgedAt time.Time
}

// FileStore keeps the records of evidence files; the bytes are in a
// BlobStore. Files are written with what they come with: Case.Files by
// CreateCase, Message.Files by AddMessage.
type FileStore interface {
	// CaseFiles returns the files of a case, oldest first, hidden and
	// purged ones included: views for the reporter leave out hidden ones.
	// A missing case is ENOTFOUND (MsgCaseNotFound).
	CaseFiles(ctx context.Context, caseID string) ([]Attachment, error)
	// CaseFile returns one file of a case; a file of another case, or
	// none, is ENOTFOUND (MsgFileNotFound).
	CaseFile(ctx context.Context, caseID, fileID string) (*Attachment, error)
	// SetFileHidden sets whether the reporter sees a file and bumps the
	// case's Version, atomically; ENOTFOUND as CaseFile.
	SetFileHidden(ctx context.Context, caseID, fileID string, hidden bool, at time.Time) error
	// FilesKnown tells which of ids name a file record (purged ones too),
	// for the sweep that removes blobs no record names.
	FilesKnown(ctx context.Context, ids []string) (map[string]bool, error)
	// PurgeCaseIdentity removes, for retention, the sealed reporter
	// identity of a case and the keys of its files (setting PurgedAt on
	// the files not purged yet), and bumps Version, atomically. It returns
	// the ids of the files it purged, whose blobs the caller then deletes.
	// Purging a purged case again changes nothing and returns none.
	PurgeCaseIdentity(ctx context.Context, caseID string, at time.Time) ([]string, error)
}
