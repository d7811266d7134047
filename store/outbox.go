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
type OutboxStore interface {
	// EnqueueMail stores m as pending with NextAttemptAt = CreatedAt.
	EnqueueMail(ctx context.Context, m *Mail) error
	// ClaimMail leases up to limit pending mails whose NextAttemptAt has come
	// and whose lease has run out (LeaseUntil not after now), setting
	// LeaseUntil to now+lease, oldest (CreatedAt) first. Two workers never
	// hold the same mail at once.
	ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Mail, error)
	// MarkMailSent records success.
	MarkMailSent(ctx context.Context, id string, at time.Time) error
	// MarkMailFailed records a failed attempt: Attempts+1, LastError, and
	// either the next attempt time (status stays pending) or, when final,
	// status failed. The lease is released.
	MarkMailFailed(ctx context.Context, id string, lastError string, next time.Time, final bool) error
	// RequeueMail makes a failed mail pending again with its next attempt at
	// at (an administrator's "send again"); a mail that is not failed is
	// ECONFLICT (MsgAlreadyDone).
	RequeueMail(ctx context.Context, id string, at time.Time) error
	// ListMail returns matching mails newest first, and how many match.
	ListMail(ctx context.Context, f MailFilter) ([]*Mail, int, error)
	// CountMail counts mails by status, selecting by region as ListMail's
	// RegionCodes does: mails of the given regions and mails with no region
	// (all mails when regionCodes is empty), so the counts on the admin
	// pages match the lists beside them.
	CountMail(ctx context.Context, regionCodes []string) (map[string]int, error)
}
