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
	// AppendAudit adds e at the end of the chain: it sets e.At to its stored
	// form (Truncate), e.Seq to one more than the last entry's, e.PrevHash to
	// that entry's Hash and e.Hash to AuditHash(e), and stores it; whatever
	// the caller put in Seq, PrevHash and Hash is ignored. A zero At or an
	// empty Action is EINVALID (MsgIncomplete): the store never reads the
	// clock, and an entry that says nothing happened is a caller's bug.
	// Two writers can never both append after the same entry (each Seq is
	// unique in the store); a writer that loses the race retries after the
	// new last entry, so AppendAudit does not fail because of a concurrent
	// append (a backend that must bound its retries reports running out as
	// EUNAVAILABLE, never as a broken chain).
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// ListAudit returns matching entries newest first (by Seq, the order of
	// appending, whatever At says), one page of them by Limit and Offset,
	// and how many match in all. RegionCodes match exactly, like the case
	// filter's; ActionPrefix is a byte-wise prefix, case-sensitive.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error)
	// AuditEntries returns up to limit entries with Seq > afterSeq in Seq
	// order, as stored (nothing recomputed), for walking the chain. limit
	// follows PageBounds (0 means DefaultLimit, at most MaxLimit).
	AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]AuditEntry, error)
	// ImportAuditEntry stores e exactly as another store holds it, for
	// copying an installation between backends (fundwatch migrate-data):
	// Seq, PrevHash and Hash as given, nothing recomputed, At in stored
	// form. It does not check that e links to the entry before it: copying
	// a log entry by entry in Seq order into an empty log gives the same
	// chain, which VerifyAuditChain then checks on the copy, and a chain
	// that is broken in the source arrives broken at the same place, as
	// evidence, instead of being refused or silently repaired. A Seq below
	// 1, a zero At or an empty Action is EINVALID (MsgIncomplete); a Seq
	// the log holds already is ECONFLICT (MsgConflict) and changes nothing.
	// AppendAudit afterwards appends after the highest Seq stored.
	ImportAuditEntry(ctx context.Context, e AuditEntry) error
}

// VerifyAuditChain walks the whole audit log in Seq order, batch entries at
// a time (batch follows PageBounds), and checks every entry as stored: its
// Seq is one more than the entry before (1 for the first), its PrevHash is
// the Hash of the entry before ("" for the first), and its Hash is
// AuditHash of its fields. This is what `fundwatch audit verify` runs.
//
// It stops at the first entry that fails a check and returns its Seq as
// firstBad, with checked the number of entries found sound before it; an
// intact log gives firstBad 0 and checked the length of the log. An edited
// entry fails its own Hash check; an entry whose Hash was recomputed after
// an edit breaks the PrevHash of the one after; a removed entry breaks the
// Seq of the one after. Entries removed from the end leave a shorter intact
// chain: only comparing the last Hash with one kept elsewhere shows that.
// err is a store error from reading the log, never a broken chain.
// firstBad is always ≥ 1 when the chain is broken.
func VerifyAuditChain(ctx context.Context, s AuditStore, batch int) (checked int64, firstBad int64, err error) {
	batch, _ = PageBounds(batch, 0)
	var lastSeq int64
	lastHash := ""
	for {
		entries, err := s.AuditEntries(ctx, lastSeq, batch)
		if err != nil {
			return checked, 0, err
		}
		if len(entries) == 0 {
			return checked, 0, nil
		}
		for _, e := range entries {
			if e.Seq != lastSeq+1 || e.PrevHash != lastHash || e.Hash != AuditHash(e) {
				// A store that honours afterSeq returns e.Seq > lastSeq;
				// should one not, firstBad still names a place (≥ 1) in
				// the chain, never 0, which would read as intact.
				return checked, max(e.Seq, lastSeq+1), nil
			}
			checked++
			lastSeq, lastHash = e.Seq, e.Hash
		}
	}
}
