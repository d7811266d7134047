package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one line of the append-only audit log: every admin action,
// every sign-in attempt and every showing of a reporter's identity. Each
// entry carries the hash of the one before, so an edited, removed or
// reordered entry breaks the chain at that point (see AuditHash).
type AuditEntry struct {
	// Seq is the entry's place in the chain: 1, 2, 3 … without gaps,
	// assigned by the store on append.
	Seq int64
	At  time.Time
	// ActorID and ActorName are who acted: a user's ID and username, or ""
	// and the username typed for a failed sign-in, or "" and "system".
	ActorID   string
	ActorName string
	// Action says what happened, e.g. "login.success", "case.accept",
	// "identity.reveal" (the audit package of the service layer lists them).
	Action string
	// TargetType and TargetID name what was acted on ("case", "user", …).
	TargetType string
	TargetID   string
	// RegionCode is the region the target belongs to, so administrators of
	// a city read their own part of the log.
	RegionCode string
	// Detail is a short description for the reader. It never holds a
	// reporter's identity.
	Detail    string
	IP        string
	RequestID string
	// PrevHash is the Hash of entry Seq-1 ("" for Seq 1); Hash is
	// AuditHash of this entry.
	PrevHash string
	Hash     string
}

// AuditHash is the hex SHA-256 over the entry's fields and PrevHash, each
// field length-prefixed so no two different entries serialise alike. It is
// the chain's definition: backends set Hash with it on append, and
// `fundwatch audit verify` recomputes it.
func AuditHash(e AuditEntry) string {
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
		b.WriteByte(';')
	}
	field("fundwatch-audit-v1")
	field(strconv.FormatInt(e.Seq, 10))
	field(strconv.FormatInt(e.At.UTC().UnixMilli(), 10))
	field(e.ActorID)
	field(e.ActorName)
	field(e.Action)
	field(e.TargetType)
	field(e.TargetID)
	field(e.RegionCode)
	field(e.Detail)
	field(e.IP)
	field(e.RequestID)
	field(e.PrevHash)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// AuditFilter narrows ListAudit. Empty fields do not filter.
type AuditFilter struct {
	RegionCodes  []string // entries of these regions, and entries with no region
	ActorID      string
	ActionPrefix string // e.g. "login." or "case."
	TargetID     string
	From, To     time.Time // At in [From, To)
	Limit        int       // see PageBounds
	Offset       int
}

// AuditStore keeps the hash-chained audit log.
type AuditStore interface {
	// AppendAudit adds e at the end of the chain: it sets e.Seq to one more
	// than the last entry's, e.PrevHash to that entry's Hash and e.Hash to
	// AuditHash(e), and stores it. Two writers can never both append after
	// the same entry (each Seq is unique in the store); a writer that loses
	// the race retries after the new last entry, so AppendAudit does not fail
	// because of a concurrent append.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// ListAudit returns matching entries newest first, and how many match.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error)
	// AuditEntries returns up to limit entries with Seq > afterSeq in Seq
	// order, as stored (nothing recomputed), for walking the chain.
	AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]AuditEntry, error)
}
