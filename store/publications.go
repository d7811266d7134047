package store

import (
	"context"
	"time"
)

// Kinds of publication (DOMAIN.md "Disclosure").
const (
	PubFundReport   = "fund_report"  // 基金收支和结余: one year × region, a row per insurance type
	PubAccountNote  = "account_note" // 个人账户基金保值增值情况: one year × region
	PubAnnouncement = "announcement" // 重大违纪案件通报
	PubNews         = "news"         // 新闻发布
	PubNotice       = "notice"       // 听证会公告
)

// Statuses of a revision. A publication's content lives in revisions: the
// pending one goes draft → submitted → approved → published (a leader may
// send a submitted one back to draft); publishing it supersedes the revision
// that was live, which stays readable.
const (
	RevDraft      = "draft"
	RevSubmitted  = "submitted"
	RevApproved   = "approved"
	RevPublished  = "published"
	RevSuperseded = "superseded"
)

// FundRow is one insurance type's line of a fund report, in fen (exact; the
// pages show 万元). Balance may be negative (a deficit year).
type FundRow struct {
	InsuranceType string

	IncomeFen      int64 // 基金收入
	PremiumFen     int64 // of which 保险费收入
	SubsidyFen     int64 // 财政补贴收入
	InterestFen    int64 // 利息收入
	TransferInFen  int64 // 转移收入
	OtherIncomeFen int64 // 其他收入

	ExpenditureFen      int64 // 基金支出
	BenefitFen          int64 // of which 社会保险待遇支出
	TransferOutFen      int64 // 转移支出
	OtherExpenditureFen int64 // 其他支出

	BalanceFen     int64 // 本年收支结余
	AccumulatedFen int64 // 年末滚存结余
}

// Publication is one item of the public disclosure: its identity, where it
// stands and which of its revisions is live. The content is in Revision.
type Publication struct {
	ID         string
	Kind       string // one of the Pub* kinds
	RegionCode string // the publishing unit's region; fund rows are of this region
	// Year is the year reported by a fund report or account note; 0 for
	// articles.
	Year int
	// SourceID is the id an imported article had on the old site
	// (fundwatch import articles is idempotent on it); "" otherwise.
	SourceID string
	// FromCaseID is the closed case an announcement was started from, for
	// staff only; "" otherwise.
	FromCaseID string

	// Title is the title of the live revision, or of the pending one while
	// nothing is live, so lists need not read revisions.
	Title string
	// LiveRevision is the number of the published revision, 0 before the
	// first publication. PendingRevision is the number of the revision in
	// the workflow (draft, submitted or approved), 0 when there is none.
	LiveRevision    int
	PendingRevision int
	// PendingStatus is the status of the pending revision, "" without one.
	PendingStatus string
	// ScheduledAt is when an approved pending revision is due to be
	// published (copied from the revision on approval); zero otherwise.
	ScheduledAt time.Time

	FirstPublishedAt time.Time // when revision 1 was published (its original date for imports)
	LastPublishedAt  time.Time // when the live revision was published

	// Withdrawal (撤回): a withdrawn publication keeps a tombstone that says
	// when and why; it has no pending revision and cannot be changed again.
	WithdrawnAt     time.Time
	WithdrawnBy     string
	WithdrawnReason string

	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version increases with every change to the publication or its
	// revisions; IndexedVersion is the version the search index last saw
	// (see IndexStore).
	Version        int64
	IndexedVersion int64
}

// Withdrawn tells whether the publication was withdrawn.
func (p *Publication) Withdrawn() bool { return !p.WithdrawnAt.IsZero() }

// Revision is one version of a publication's content. Only a draft may
// change; from submission on a revision is frozen, and a correction of a
// published one is a new revision with a CorrectionNote.
type Revision struct {
	PublicationID string
	Number        int // 1, 2, …
	Status        string

	Title   string
	Summary string // a sentence for lists and feeds
	Body    string // plain text; paragraphs separated by a blank line

	// Announcements (重大违纪案件通报): the date of the case or decision,
	// the amount involved, the insurance types and the handling result.
	EventDate      string // YYYY-MM-DD, "" when not applicable
	AmountFen      int64
	InsuranceTypes []string
	HandlingResult string

	// Fund reports: one row per insurance type, in the order given.
	FundRows []FundRow

	// Account notes: 记账利率 in hundredths of a percent (612 is 6.12%),
	// fund size and returns in fen.
	RateBasisPoints int64
	FundSizeFen     int64
	ReturnsFen      int64

	// CorrectionNote says what a revision after the first corrects; shown
	// on the public page with the date the correction was published.
	CorrectionNote string
	// ScheduledAt is the earliest time the revision may be published; zero
	// means as soon as it is approved.
	ScheduledAt time.Time
	// ReturnNote is the leader's reason for sending a submitted revision
	// back to draft (kept until it is submitted again).
	ReturnNote string

	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SubmittedBy string
	SubmittedAt time.Time
	ApprovedBy  string
	ApprovedAt  time.Time
	PublishedBy string
	PublishedAt time.Time
}

// PublicationStep moves a publication's pending revision from one status to
// the next (see PublicationStore.StepPublication).
type PublicationStep struct {
	ID            string
	ExpectVersion int64 // the Publication.Version the caller saw
	From, To      string
	By            string // user ID (or the system actor for scheduled publication)
	At            time.Time
	// Note is the ReturnNote when a leader sends a revision back (To is
	// RevDraft); ignored otherwise.
	Note string
}

// PublicationFilter narrows ListPublications. Empty fields do not filter;
// RegionCodes is the caller's scope, applied by the query (empty is for
// internal callers only).
type PublicationFilter struct {
	RegionCodes []string
	Kinds       []string
	// PendingStatuses keeps publications whose pending revision has one of
	// these statuses.
	PendingStatuses []string
	Year            int
	Limit, Offset   int // see PageBounds
}

// PublishedFilter narrows ListPublished, the public side's read: only
// publications with a live revision (withdrawn ones included only with
// WithTombstones). Empty fields do not filter.
type PublishedFilter struct {
	Kinds          []string
	RegionCodes    []string
	Year           int
	WithTombstones bool
	Limit, Offset  int // see PageBounds
}

// Published is a publication with its live revision (nil for a tombstone).
type Published struct {
	Publication *Publication
	Live        *Revision
}

// PublicationStore keeps disclosures and articles with their revisions.
//
// Times come back in UTC truncated to milliseconds; a revision's empty
// InsuranceTypes and FundRows come back nil. A missing publication (and an
// empty id) is ENOTFOUND with MsgPublicationNotFound from every method.
//
// Of several concurrent changes from one view (the same expected version)
// exactly one succeeds; the others are ECONFLICT (MsgStaleRecord).
type PublicationStore interface {
	// CreatePublication stores p with r as its revision 1 in status
	// RevDraft, sets p.Version to 1, p.PendingRevision to 1, p.PendingStatus
	// to RevDraft, p.Title to r.Title, r.Number to 1, r.Status to RevDraft
	// and r.PublicationID to p.ID, and writes these back. p.ID, p.Kind and
	// p.RegionCode are required (EINVALID otherwise). An ID in use, or a
	// SourceID in use, is ECONFLICT (MsgConflict); a fund report or account
	// note of the same kind, region and year that is not withdrawn is
	// ECONFLICT (MsgPublicationExists); the ID is checked first, then the
	// SourceID, then the slot. Nothing is stored on error. A new
	// publication has nothing live and nothing withdrawn: CreatePublication
	// stores (and writes back) LiveRevision 0 and a zero ScheduledAt,
	// First/LastPublishedAt and Withdrawn…, and a revision 1 without the
	// workflow's records (Submitted…, Approved…, Published…, ReturnNote),
	// whatever the caller put there. It stores and writes back
	// IndexedVersion 0, so the new publication is pending for the search
	// index. r is required (EINVALID).
	CreatePublication(ctx context.Context, p *Publication, r *Revision) error
	// PublicationInRegions returns the publication if its region is one of
	// regionCodes; otherwise, and for an empty regionCodes, exactly as for a
	// missing one.
	PublicationInRegions(ctx context.Context, id string, regionCodes []string) (*Publication, error)
	// PublicationBySource returns the publication imported with sourceID;
	// an empty sourceID is not found.
	PublicationBySource(ctx context.Context, sourceID string) (*Publication, error)
	// Revisions returns every revision of a publication, by Number.
	Revisions(ctx context.Context, id string) ([]*Revision, error)
	// SaveDraft writes r as the publication's draft, if the publication is
	// still at expectVersion (ECONFLICT MsgStaleRecord otherwise). With a
	// pending draft, r.Number must be that draft's number and its content
	// fields (Title … ScheduledAt, UpdatedAt) replace the draft's; without
	// a pending revision and with a live one, r.Number must be
	// LiveRevision+1 and a new draft is created (a correction: CreatedBy,
	// CreatedAt from r). A pending revision already submitted or approved
	// is ECONFLICT (MsgPublicationFrozen); a withdrawn publication is
	// ECONFLICT (MsgPublicationWithdrawn); a wrong r.Number is ECONFLICT
	// (MsgStaleRecord). Withdrawn and frozen are told whatever
	// expectVersion, since they tell the user more than "reload"; the
	// number is checked after the version. r.PublicationID and r.Status are ignored, and the draft's
	// ReturnNote, CreatedBy and CreatedAt are kept when it is edited. The
	// publication's Title follows as for CreatePublication (the live
	// revision's while one is live), UpdatedAt becomes r.UpdatedAt and
	// Version one more. It writes nothing into r and returns the
	// publication as stored afterwards.
	SaveDraft(ctx context.Context, id string, expectVersion int64, r *Revision) (*Publication, error)
	// StepPublication moves the pending revision from s.From to s.To, if
	// the publication is at s.ExpectVersion and the pending revision is in
	// s.From (ECONFLICT MsgStaleRecord otherwise; a withdrawn publication is
	// MsgPublicationWithdrawn). The steps are draft → submitted (records
	// SubmittedBy/At, clears ReturnNote), submitted → draft (records
	// s.Note as ReturnNote), submitted → approved (records ApprovedBy/At,
	// copies the revision's ScheduledAt to the publication) and approved →
	// published (records PublishedBy/At; the live revision, if any, becomes
	// RevSuperseded; LiveRevision becomes the pending number, PendingRevision
	// 0, PendingStatus "", ScheduledAt zero, LastPublishedAt s.At, and
	// FirstPublishedAt s.At if it was zero). Any other pair is EINVALID
	// (MsgIncomplete), checked before anything is read. A withdrawn
	// publication is told whatever s.ExpectVersion. The revision's
	// UpdatedAt (its content's) and a returned revision's SubmittedBy/At
	// stay as they were. On publication Title becomes the new live
	// revision's. UpdatedAt becomes s.At and Version one more. It returns
	// the publication as stored afterwards.
	StepPublication(ctx context.Context, s PublicationStep) (*Publication, error)
	// WithdrawPublication marks a publication withdrawn (by, reason, at)
	// if it is at expectVersion and has a live revision; a pending revision
	// is dropped: deleted with its revision, so Revisions lists 1…
	// LiveRevision afterwards, and PendingRevision, PendingStatus and
	// ScheduledAt are cleared. LiveRevision, Title and the revisions'
	// statuses stay as they were (the tombstone says what was withdrawn).
	// Withdrawn already is ECONFLICT (MsgPublicationWithdrawn) and a
	// publication never published is ECONFLICT (MsgNotPublished), both
	// whatever expectVersion; otherwise a stale expectVersion is
	// MsgStaleRecord. UpdatedAt becomes at and Version one more. A withdrawn
	// fund report or account note frees its kind, region and year for a new
	// publication.
	WithdrawPublication(ctx context.Context, id string, expectVersion int64, by, reason string, at time.Time) (*Publication, error)
	// ListPublications returns one page for the admin lists, withdrawn
	// publications included, the most recently updated first (then by ID,
	// ascending), and how many match in all, ignoring Limit and Offset. The
	// order is total, so paging through the zero filter visits every
	// publication once.
	ListPublications(ctx context.Context, f PublicationFilter) ([]*Publication, int, error)
	// ListPublished returns one page of published items with their live
	// revisions (nil Live for a tombstone) for the public side, the most
	// recently first published first, then by ID ascending; and how many
	// match in all, ignoring Limit and Offset. "Published" means
	// LiveRevision is not 0.
	ListPublished(ctx context.Context, f PublishedFilter) ([]Published, int, error)
	// PublishedByIDs loads the published items among ids for the public
	// search pages and the sync loop: for each id of a publication whose
	// LiveRevision is not 0, a Published with its live revision (nil Live
	// for a withdrawn tombstone), in the order of ids. Missing ids, empty
	// ones and publications never published are left out, and an id given
	// twice comes once, at its first place. More than MaxLimit ids is
	// EINVALID (MsgIncomplete); none returns none.
	PublishedByIDs(ctx context.Context, ids []string) ([]Published, error)
	// DuePublications returns the ids of publications whose pending
	// revision is approved and whose ScheduledAt is at or before at (a zero
	// ScheduledAt is due at once), the earliest first (then by ID), at most
	// limit; a limit below 1 returns none.
	DuePublications(ctx context.Context, at time.Time, limit int) ([]string, error)
	// PublishedStamp returns a short value that changes whenever what the
	// public side shows may have changed — a publication, a correction, a
	// withdrawal — on any instance, so each instance can drop its cached
	// public pages within one poll of it. It is cheap (callers poll it every
	// few seconds) and may also change when nothing public did (a
	// correction's draft saved), never the other way round.
	PublishedStamp(ctx context.Context) (string, error)
	// ImportPublication stores p and its revisions exactly as another store
	// holds them (fundwatch migrate-data): every field as given (Version,
	// the workflow state and the withdrawal included), times in stored
	// form, each revision's PublicationID taken as p.ID; it writes nothing
	// back. The one exception is IndexedVersion, which starts at 0: this
	// installation's search index has not seen the publication. p.ID, p.Kind and p.RegionCode are required, Version must be at
	// least 1 and revs must be numbered 1…n in that order, n at least 1
	// (EINVALID otherwise). Conflicts are those of CreatePublication (an
	// imported withdrawn fund report holds no slot); nothing is stored on
	// error.
	ImportPublication(ctx context.Context, p *Publication, revs []*Revision) error
}
