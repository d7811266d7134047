package caseflow

import (
	"context"
	"strings"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
)

// Filing is a complaint or report as checked by the site that took it in:
// valid codes, normalised text, the amount parsed into fen.
type Filing struct {
	Kind           string
	ReporterType   string
	Anonymous      bool
	Category       string
	InsuranceTypes []string
	RegionCode     string
	Subject        store.Party
	AmountFen      int64
	AmountGiven    bool
	// OccurredFrom and OccurredTo are the period of the violation (see
	// store.Case); CheckOccurredPeriod must pass.
	OccurredFrom string
	OccurredTo   string
	Description  string
	// Complaint is what a complaint carries; it is dropped from a report.
	Complaint store.Complaint
	// NoticeVersion is the 《举报须知》 the reporter acknowledged
	// (casework.NoticeVersion), "" where none was shown (demo, import).
	NoticeVersion string
	// Files are the evidence files filed with the case, stored by
	// StoreUpload. FileCase takes them in with the case, or discards them
	// when it stores no new case (a refusal, a repeated submission).
	Files []store.Attachment
	// Identity is who filed a named report; nil when anonymous.
	Identity *casework.ReporterIdentity
	// IdempotencyKey is unique and unguessable per submission (a token the
	// server issued with the form, or the API client's Idempotency-Key).
	IdempotencyKey string
	// Digest is a keyed digest of the normalised submission, so a retry
	// with the same key can be told from other content reusing it.
	Digest string
	// Demo marks demo content; ReceivedAt, when set, backdates it.
	Demo       bool
	ReceivedAt time.Time
	// RequestID is the id of the request that brought the filing, for the
	// log line of anything that goes wrong after the case is stored.
	RequestID string
}

// Receipt is what a reporter gets back once the case is durably stored.
type Receipt struct {
	Case           *store.Case
	AccessCode     string
	ChannelNotice  string
	AcceptDeadline time.Time
	// Repeat is true when this answers a retried submission of a case that
	// was already stored: same number, same code, no second case.
	Repeat bool
}

// MsgOtherContent answers a submission key reused with other content.
const MsgOtherContent = "这份表单已经提交过一次，且内容与本次不同。如需反映新的问题，请重新打开举报投诉页面填写。"

const firstEventNote = "平台已收到，等待审查是否受理。"

// FileCase stores a filing as a new case with its "received" event and
// returns the receipt; the receipt exists only once the store has made the
// case durable. A retry with the same key and the same content returns the
// first receipt (Repeat); the same key with other content is ECONFLICT.
// The acceptance deadline starts running at once.
//
// A filing that breaks a rule every site applies — an anonymous complaint,
// a period that ends before it starts or lies in the future — is EINVALID
// with the sentence the reporter reads; the sites check these first and show
// it at the field.
func (s *Service) FileCase(ctx context.Context, f Filing) (r *Receipt, err error) {
	defer func() {
		if len(f.Files) > 0 && (err != nil || r.Repeat) {
			s.DiscardUploads(ctx, f.Files)
		}
	}()
	if err := s.CheckCaseFiles(nil, f.Files); err != nil {
		return nil, err
	}
	now := s.now()
	if f.Kind == store.KindComplaint && f.Anonymous {
		return nil, store.Errorf(store.EINVALID, casework.MsgComplaintNotAnonymous)
	}
	if p := casework.CheckOccurredPeriod(f.OccurredFrom, f.OccurredTo, now); p != (casework.PeriodProblems{}) {
		return nil, store.Errorf(store.EINVALID, "发生时间有误：%s", strings.Trim(p.From+"；"+p.To, "；"))
	}
	if f.Kind != store.KindComplaint {
		f.Complaint = store.Complaint{}
	}
	received := now
	if !f.ReceivedAt.IsZero() {
		received = store.Truncate(f.ReceivedAt)
	}
	cal, rules := s.Rules.Calendar(), s.Rules.Deadlines()
	due := casework.AcceptanceDue(received, cal, rules)
	c := &store.Case{
		ID:             store.NewID(),
		Kind:           f.Kind,
		ReporterType:   f.ReporterType,
		Anonymous:      f.Anonymous,
		Category:       f.Category,
		InsuranceTypes: f.InsuranceTypes,
		RegionCode:     f.RegionCode,
		Subject:        f.Subject,
		AmountFen:      f.AmountFen,
		AmountGiven:    f.AmountGiven,
		OccurredFrom:   f.OccurredFrom,
		OccurredTo:     f.OccurredTo,
		Description:    f.Description,
		Complaint:      f.Complaint,
		NoticeVersion:  f.NoticeVersion,
		Channel:        casework.RouteChannel(f.Kind, f.InsuranceTypes),
		Status:         store.StatusReceived,
		ImportantClass: store.ClassNone,
		DueAt:          due,
		IdempotencyKey: s.storedIdempotencyKey(f.IdempotencyKey),
		SubmissionHash: f.Digest,
		Demo:           f.Demo,
		Files:          fileRecords(f.Files, store.AuthorReporter, "", false, received),
		CreatedAt:      received,
		UpdatedAt:      received,
	}
	code := s.Keyring.AccessCodeFor(f.IdempotencyKey)
	norm, _ := casework.NormalizeAccessCode(code)
	c.AccessCodeHash = s.Keyring.HashAccessCode(norm)
	if f.Identity != nil && !f.Anonymous {
		sealed, err := s.Keyring.SealIdentity(c.ID, *f.Identity)
		if err != nil {
			return nil, err
		}
		c.ReporterSealed = sealed
	}
	first := store.Event{
		ID:       store.NewID(),
		At:       received,
		Action:   store.ActionStatus,
		ToStatus: store.StatusReceived,
		Note:     firstEventNote,
	}
	err = s.Store.CreateCase(ctx, c, first)
	repeat := false
	if store.ErrorCode(err) == store.ECONFLICT {
		prev, perr := s.Store.CaseByIdempotencyKey(ctx, c.IdempotencyKey)
		if perr != nil {
			return nil, perr
		}
		if prev.SubmissionHash != f.Digest {
			return nil, store.Errorf(store.ECONFLICT, MsgOtherContent)
		}
		c, repeat, err = prev, true, nil
		// The receipt lists the files as first stored; this submission's
		// copies are discarded (see the deferred call above).
		if c.Files, err = s.Store.CaseFiles(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	if !repeat {
		s.notifyNewCase(ctx, c, false, f.RequestID)
	}
	return &Receipt{
		Case:           c,
		AccessCode:     code,
		ChannelNotice:  casework.CaseRoutingNotice(c),
		AcceptDeadline: casework.AcceptanceDue(c.CreatedAt, cal, rules),
		Repeat:         repeat,
	}, nil
}

// HashedKeyPrefix starts every idempotency key the store holds hashed.
const HashedKeyPrefix = "h1:"

// storedIdempotencyKey is what the store keeps of a submission's
// idempotency key: a keyed hash. The access code derives from the key
// itself, so someone with a copy of the database (and network access) can
// neither compute a case's code nor replay the key to be shown it; only
// the submitter, who has the key, can replay. HashedKeyPrefix marks the
// form, so keys stored in clear by older versions can be told apart and
// rehashed (RehashIdempotencyKeys).
func (s *Service) storedIdempotencyKey(key string) string {
	return StoredIdempotencyKey(s.Keyring, key)
}

// StoredIdempotencyKey is the form in which the store keeps key under k
// (for tools and tests that check a store against their own records).
func StoredIdempotencyKey(k *casework.Keyring, key string) string {
	return HashedKeyPrefix + k.Digest("idempotency-key", []byte(key))
}

// RehashIdempotencyKeys brings keys that older versions stored in clear
// into the hashed form (run at every start; a no-op once done).
func (s *Service) RehashIdempotencyKeys(ctx context.Context) (int, error) {
	return s.Store.RehashIdempotencyKeys(ctx, HashedKeyPrefix, s.storedIdempotencyKey)
}
