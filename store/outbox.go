package store

import (
	"context"
	"time"
)

// Mail statuses.
const (
	MailPending = "pending" // waiting for its first or next attempt
	MailSent    = "sent"
	MailFailed  = "failed" // gave up after the last attempt
)

// Mail is an e-mail in the outbox. Notifications are written to the outbox
// in the store and sent by a worker with retries, so a mail server that is
// down delays mail but never loses it or fails a handler's action.
type Mail struct {
	ID string // app-generated; a second EnqueueMail of the same ID is ECONFLICT
	// Exactly one recipient: To (a staff address) or ReporterCaseID, the
	// case whose named reporter is written to. The reporter's address is
	// read from the sealed identity at sending time and never stored here.
	To             string
	ReporterCaseID string
	Subject        string
	Body           string
	Kind           string // what the mail is about, e.g. "case.new", "deadline", "reporter.update"
	CaseID         string // the case it concerns, or ""
	RegionCode     string // the region of that case, for the admin page's scope

	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LeaseUntil    time.Time // a worker holds the mail until then
	LastError     string    // the SMTP server's answer, for administrators
	CreatedAt     time.Time
	SentAt        time.Time
}

// MailFilter narrows ListMail. Empty fields do not filter.
type MailFilter struct {
	RegionCodes []string // mails of these regions, and mails with no region
	Status      string
	Limit       int // see PageBounds
	Offset      int
}

// OutboxStore keeps e-mail waiting to be sent.
//
// Times come back in UTC truncated to milliseconds; a zero LeaseUntil or
// SentAt means none. A missing mail is ENOTFOUND (MsgNotFound).
type OutboxStore interface {
	// EnqueueMail stores m as pending with NextAttemptAt = CreatedAt, no
	// attempts and no lease, and writes Status and NextAttemptAt back into
	// m. ID is required and exactly one of To and ReporterCaseID must be
	// set (EINVALID otherwise).
	EnqueueMail(ctx context.Context, m *Mail) error
	// ClaimMail leases up to limit pending mails whose NextAttemptAt has come
	// and whose lease has run out (both at or before now), setting
	// LeaseUntil to now+lease, oldest first (CreatedAt, then ID); the
	// returned mails carry the new LeaseUntil. Two workers never hold the
	// same mail at once. A limit below 1 claims nothing.
	ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Mail, error)
	// MarkMailSent records success: status sent, SentAt at, Attempts+1, the
	// lease released.
	MarkMailSent(ctx context.Context, id string, at time.Time) error
	// MarkMailFailed records a failed attempt: Attempts+1, LastError, and
	// either the next attempt time (status stays pending) or, when final,
	// status failed (NextAttemptAt unchanged). The lease is released.
	//
	// Both Mark methods apply to a pending mail only; a mail already sent
	// or failed is ECONFLICT (MsgAlreadyDone) and unchanged.
	MarkMailFailed(ctx context.Context, id string, lastError string, next time.Time, final bool) error
	// RequeueMail makes a failed mail pending again with its next attempt at
	// at (an administrator's "send again"), keeping Attempts and LastError;
	// a mail that is not failed is ECONFLICT (MsgAlreadyDone).
	RequeueMail(ctx context.Context, id string, at time.Time) error
	// ListMail returns one page of matching mails, newest first (CreatedAt,
	// then ID, descending), and how many match in all. The order is total,
	// so paging through the zero filter visits every mail once.
	ListMail(ctx context.Context, f MailFilter) ([]*Mail, int, error)
	// ImportMail stores m exactly as another store holds it, for copying an
	// installation between backends (fundwatch migrate-data): Status,
	// Attempts, NextAttemptAt, LeaseUntil, LastError and SentAt as given
	// (times in stored form, a zero time meaning none), where EnqueueMail
	// would make it a new pending mail. It writes nothing back into m. ID
	// is required, exactly one of To and ReporterCaseID must be set and
	// Status must be MailPending, MailSent or MailFailed (EINVALID
	// otherwise); an ID in use is ECONFLICT (MsgConflict) and changes
	// nothing.
	ImportMail(ctx context.Context, m *Mail) error
	// CountMail counts mails of the given regions (and mails with no
	// region; all mails when regionCodes is empty) by status. Statuses
	// without mails are absent from the map.
	CountMail(ctx context.Context, regionCodes []string) (map[string]int, error)
}
