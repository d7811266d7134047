package store

import (
	"context"
	"time"
)

// Kind says whether a submission is a report about a fund violation (举报) or a
// complaint about the submitter's own rights (投诉).
const (
	KindReport    = "report"
	KindComplaint = "complaint"
)

// Reporter types.
const (
	ReporterCitizen      = "citizen"
	ReporterEmployer     = "employer"
	ReporterOrganization = "organization"
)

// Channels: which administration a case belongs to (DOMAIN.md "Routing").
const (
	ChannelFundSupervision  = "fund_supervision"
	ChannelMedicalSecurity  = "medical_security"
	ChannelLabourInspection = "labour_inspection"
)

// Case statuses, in the order a reporter normally sees them. casework owns the
// allowed transitions between them.
const (
	StatusReceived      = "received"
	StatusAccepted      = "accepted"
	StatusRejected      = "rejected"
	StatusTransferred   = "transferred"
	StatusInvestigating = "investigating"
	StatusConcluded     = "concluded"
	StatusClosed        = "closed"
)

// Investigation results of a concluded case.
const (
	ResultSubstantiated    = "substantiated"
	ResultPartly           = "partly_substantiated"
	ResultNotSubstantiated = "not_substantiated"
)

// Investigation modes (DOMAIN.md "Supervision work").
const (
	ModeOnSite  = "onsite"  // 现场监督
	ModeOffSite = "offsite" // 非现场监督
)

// 要情 classes of a case (DOMAIN.md "Important-case reporting"); "none" is
// also what an unclassified case holds.
const (
	ClassNone      = "none"
	ClassImportant = "important"
	ClassMajor     = "major"
)

// Satisfaction ratings (满意度评价) a reporter gives a case once its
// investigation is concluded.
const (
	SatisfactionSatisfied    = "satisfied"
	SatisfactionBasically    = "basically_satisfied"
	SatisfactionDissatisfied = "dissatisfied"
)

// Message authors. AuthorNote marks an internal note between staff: it is
// never shown to the reporter.
const (
	AuthorReporter = "reporter"
	AuthorHandler  = "handler"
	AuthorNote     = "note"
)

// Event actions. A status change is ActionStatus; the others record what was
// done to a case without moving it, and are internal (Event.Internal).
const (
	ActionStatus   = "status"   // the status changed (FromStatus → ToStatus)
	ActionAssign   = "assign"   // the case was assigned or reassigned
	ActionClassify = "classify" // the 要情 class was set or changed
	ActionExtend   = "extend"   // a leader extended the investigation deadline
	ActionOnSite   = "onsite"   // an off-site investigation opened an on-site one
)

// Labour contract answers of a complaint (Complaint.Contract): did the
// complainant sign a written labour contract with the reported employer.
const (
	ContractSigned    = "signed"     // 已签订书面劳动合同
	ContractNotSigned = "not_signed" // 未签订书面劳动合同
)

// Party is the reported party (被举报对象): a person or an organisation.
type Party struct {
	Name       string
	CreditCode string // 统一社会信用代码, when known
	IDNumber   string // 身份证号码 of a reported person, when known
	Address    string
	// LegalRepresentative is the 法定代表人 of a reported organisation,
	// when known (public information of the business register).
	LegalRepresentative string
}

// Complaint is what only a complaint (投诉, about the complainant's own
// rights) carries; it is zero for a report. The employment fields describe
// the complainant's job with the reported employer, which labour inspection
// needs to act on a complaint; they are facts of the case, not the
// complainant's identity (that stays sealed in Case.ReporterSealed), and
// like the case's other facts only staff see them.
type Complaint struct {
	Request  string // 投诉请求事项: what the complainant asks for
	HiredOn  string // 入职时间, YYYY-MM; "" when not asked (a complaint by an organisation)
	Position string // 岗位, or "" when not given
	Contract string // ContractSigned or ContractNotSigned; "" when not asked
}

// Conclusion is what an investigation found, recorded when a case is
// concluded. Amounts are in fen.
type Conclusion struct {
	AmountInvolvedFen  int64
	AmountRecoveredFen int64
	Measures           string // 处理措施: rectification, penalties, transfer to judicial organs …
	RectifyBy          string // YYYY-MM-DD deadline for rectification (整改期限), or ""
}

// Satisfaction is the reporter's rating of how a case was handled. The
// zero value is "not rated".
type Satisfaction struct {
	Rating string    // one of the Satisfaction* constants, or "" when not rated
	Reason string    // what the reporter said, required with SatisfactionDissatisfied (the service layer checks)
	At     time.Time // when the rating was given or last changed; zero when not rated
}

// Case is one complaint or report and the state of its handling.
//
// The reporter's identity is never held in clear here: ReporterSealed is the
// AES-256-GCM ciphertext produced by casework.Keyring, and the store neither
// knows nor needs the key. Only a keyed hash of the access code is kept.
type Case struct {
	ID     string // app-generated, identical across backends
	Number string // e.g. "2026-000123", assigned by the store on CreateCase
	Year   int    // the year part of Number (China Standard Time)
	Seq    int64  // the sequence part of Number, per Year

	Kind           string
	ReporterType   string
	Anonymous      bool
	Category       string
	InsuranceTypes []string
	RegionCode     string
	Subject        Party
	AmountFen      int64 // amount involved in fen; meaningful only when AmountGiven
	AmountGiven    bool
	// OccurredFrom and OccurredTo are the period of the violation as the
	// reporter gives it (YYYY-MM-DD, China Standard Time): from the first
	// day, or "" when not given, to the last day, or "" when it goes on or
	// is not known. OccurredTo is never set without OccurredFrom nor
	// before it (the service layer checks).
	OccurredFrom string
	OccurredTo   string
	Description  string
	Channel      string
	// Complaint is set for a complaint (KindComplaint), zero for a report.
	Complaint Complaint
	// NoticeVersion is the version of the 《举报须知》 the reporter
	// acknowledged on filing (casework.NoticeVersion), "" for cases filed
	// before the form asked for it.
	NoticeVersion string

	Status string
	Result string // one of the Result* constants once concluded, else ""

	// Handling. A new case has none of these set.

	// AssigneeID is the user id of the handler (承办人) working the case, or "".
	AssigneeID string
	// DueAt is the end of the deadline running now: the acceptance decision
	// while received or transferred, the investigation while investigating.
	// Zero when no deadline runs. The service layer sets it from the
	// calendar; the store only keeps and filters on it.
	DueAt time.Time
	// ImportantClass is the 要情 class (ClassNone until classified),
	// National whether it also goes to the national departments, and
	// SeriousImpact whether a leader marked it serious (性质严重、造成一定社会影响).
	// The store keeps "" as ClassNone (on create, import and update), so
	// "unclassified" has one representation that filters can match.
	ImportantClass string
	National       bool
	SeriousImpact  bool
	// DiscoveredOn is the day (YYYY-MM-DD, CST) the problem was found, from
	// which the 要情 reporting deadline counts; "" until classified.
	DiscoveredOn string
	// InvestigationMode is ModeOnSite or ModeOffSite once investigating.
	InvestigationMode string
	// ExtensionDays is how many days a leader added to the investigation
	// deadline (at most one extension).
	ExtensionDays int
	Conclusion    Conclusion
	// Satisfaction is the reporter's rating, set only through RateCase
	// (and carried over by ImportCase).
	Satisfaction Satisfaction

	// ReporterSealed is the sealed reporter identity (nil for anonymous cases).
	ReporterSealed []byte
	// AccessCodeHash is HMAC-SHA256 of the normalised access code.
	AccessCodeHash []byte
	// IdempotencyKey is the token of the form or API call that created the case;
	// unique, so a retried submission never creates a second case.
	IdempotencyKey string
	// SubmissionHash is a digest of what was submitted, so a retry with the same
	// key can be told apart from a different submission reusing a key.
	SubmissionHash string

	Demo bool // demo content, marked 示例 on every page

	// Files are the evidence files filed with the case: CreateCase stores
	// them in the same atomic write as the case. Reads leave Files empty;
	// CaseFiles reads them.
	Files []Attachment

	CreatedAt time.Time
	UpdatedAt time.Time
	// Version increases with every change to the case, its events or messages;
	// IndexedVersion is the version the search index last saw (see
	// IndexStore).
	Version        int64
	IndexedVersion int64
}

// Event is one entry of a case's timeline. Status changes are shown to the
// reporter with their Note; Internal events (assignment, classification,
// extension) are for staff only.
type Event struct {
	ID         string
	CaseID     string
	At         time.Time
	Action     string // one of the Action* constants; "" is stored and read back as ActionStatus
	FromStatus string // "" for the first event
	ToStatus   string // equal to FromStatus for an action that does not move the case
	Result     string // set when ToStatus is concluded
	Note       string // shown to the reporter unless Internal
	Actor      string // internal: user id of who made the change; never shown to reporters
	Internal   bool   // never shown to the reporter
}

// Message is a message on a case: a reply from a handler, added information
// from the reporter, or an internal note between staff (AuthorNote).
type Message struct {
	ID     string
	CaseID string
	At     time.Time
	Author string // AuthorReporter, AuthorHandler or AuthorNote
	Body   string
	Actor  string // internal: user id of the handler; "" for the reporter
	// Files are the evidence files sent with the message: AddMessage
	// stores them in the same atomic write. Reads leave Files empty;
	// CaseFiles reads them (Attachment.MessageID links them back).
	Files []Attachment
}

// CaseChanges are the fields an update sets besides the status; nil fields
// are left as they are.
type CaseChanges struct {
	RegionCode        *string
	Channel           *string
	AssigneeID        *string
	DueAt             *time.Time // a pointer to the zero time clears the deadline
	Result            *string
	ImportantClass    *string
	National          *bool
	SeriousImpact     *bool
	DiscoveredOn      *string
	InvestigationMode *string
	ExtensionDays     *int
	Conclusion        *Conclusion
}

// CaseUpdate changes a case and appends one event, atomically. The update
// applies only if the case is still in ExpectStatus and, when ExpectVersion
// is non-zero, still at that version: a change based on a stale view of the
// case fails with ECONFLICT (MsgStale) and changes nothing. The case's status
// becomes Event.ToStatus; Event.FromStatus must equal ExpectStatus.
//
// Event.ID, ExpectStatus and Event.ToStatus are required, and a FromStatus
// other than ExpectStatus is a caller's mistake: each is EINVALID
// (MsgIncomplete) and changes nothing. The store fills in Event.CaseID from
// CaseID.
type CaseUpdate struct {
	CaseID        string
	ExpectStatus  string
	ExpectVersion int64
	Event         Event
	Set           CaseChanges
}

// CaseRating is a reporter's satisfaction rating to record on a case (see
// RateCase). The rating applies only if the case is still in ExpectStatus,
// the status the reporter saw when rating; with OnlyFirst it applies only
// if the case has no rating yet.
type CaseRating struct {
	CaseID       string
	ExpectStatus string
	OnlyFirst    bool
	Satisfaction Satisfaction
}

// Sort orders for ListCases.
const (
	SortNewest = ""       // CreatedAt, then Seq, descending
	SortOldest = "oldest" // CreatedAt, then Seq, ascending
	SortDue    = "due"    // cases with a deadline first, soonest first; then newest
)

// CaseFilter narrows ListCases and CountCasesByStatus. Empty fields do not
// filter; the fields that are set combine with AND. RegionCodes is the
// caller's region scope and is applied by the store's query itself; an
// empty RegionCodes applies no region filter and is for internal callers
// only (the service layer always passes a scope).
type CaseFilter struct {
	RegionCodes    []string
	Statuses       []string
	Kind           string
	Category       string
	InsuranceType  string // cases whose InsuranceTypes contain it
	Channel        string
	ImportantClass string    // ClassNone matches unclassified cases
	AssigneeID     string    // cases assigned to this user
	Unassigned     bool      // cases assigned to nobody (with AssigneeID too: none match)
	DueBefore      time.Time // cases whose DueAt is set and strictly before this instant
	// DiscoveredFrom and DiscoveredTo (YYYY-MM-DD, inclusive) select
	// classified cases by the day the problem was found; either one set
	// leaves out cases without a DiscoveredOn.
	DiscoveredFrom string
	DiscoveredTo   string
	// Satisfaction selects cases rated with this rating (one of the
	// Satisfaction* codes); "" does not filter.
	Satisfaction string
	Demo         *bool
	Sort         string // SortNewest, SortOldest or SortDue; any other value sorts as SortNewest
	Limit        int    // see PageBounds
	Offset       int
}

// CaseStatsRow counts the cases of one group of CaseStatistics: those
// received in Year (China Standard Time, of CreatedAt) that are now in
// RegionCode, demo or not. The counts follow the cases' current state, so
// a figure of an earlier year still moves while its cases are handled:
//
//   - Received counts every case of the group.
//   - Accepted counts the cases a handling office has taken on: status
//     accepted, investigating, concluded or closed. received awaits the
//     decision and rejected was refused; transferred awaits the decision of
//     the office it went to (casework lets that office still reject it), so
//     it is not accepted until that office accepts it or starts
//     investigating, even if the first office had accepted it. A transferred
//     case is counted in the region it is now in.
//   - Concluded counts the cases whose investigation is over: status
//     concluded, or closed with an investigation Result (every path to
//     closed goes through concluded, so only an imported case can lack one).
//   - RecoveredFen sums Conclusion.AmountRecoveredFen over the concluded
//     cases that recovered something (an amount above zero), and
//     RecoveredCases counts those cases, so a caller can tell an amount
//     that stands for one or two cases.
type CaseStatsRow struct {
	Year           int
	RegionCode     string
	Demo           bool
	Received       int
	Accepted       int
	Concluded      int
	RecoveredFen   int64
	RecoveredCases int
}

// StatsAccepted tells whether a case in status counts as accepted in
// CaseStatsRow.
func StatsAccepted(status string) bool {
	switch status {
	case StatusAccepted, StatusInvestigating, StatusConcluded, StatusClosed:
		return true
	}
	return false
}

// StatsConcluded tells whether a case in status with this investigation
// result counts as concluded in CaseStatsRow.
func StatsConcluded(status, result string) bool {
	return status == StatusConcluded || (status == StatusClosed && result != "")
}

// CaseStore keeps complaints and reports with their timelines and messages.
type CaseStore interface {
	// CreateCase stores a new case together with its first "received" event.
	// The store assigns Number, Year and Seq (sequential per year of
	// c.CreatedAt in China Standard Time), sets Version to 1 and writes them
	// back into c. If a case with the same IdempotencyKey exists, it returns
	// an ECONFLICT error and changes nothing; CaseByIdempotencyKey then finds
	// the earlier case. The handling fields are stored as given (the
	// acceptance deadline runs from the start), ImportantClass "" as
	// ClassNone. The method returns only after the write is durable.
	CreateCase(ctx context.Context, c *Case, first Event) error
	CaseByID(ctx context.Context, id string) (*Case, error)
	CaseByNumber(ctx context.Context, number string) (*Case, error)
	CaseByIdempotencyKey(ctx context.Context, key string) (*Case, error)
	// CaseInRegions returns the case with this ID only if its region is one
	// of regionCodes; otherwise, and for an empty regionCodes, it answers
	// exactly as for a missing case (ENOTFOUND, MsgCaseNotFound). It is how
	// staff pages read a case: the scope is part of the query.
	CaseInRegions(ctx context.Context, id string, regionCodes []string) (*Case, error)
	// CasesByIDs loads the cases among ids whose region is one of
	// regionCodes, in the order of ids, for the admin search pages and the
	// sync loop. Missing ids, empty ones and cases outside the scope are
	// left out (a page cannot tell them apart), and an id given twice comes
	// once, at its first place. Region codes match exactly; an empty
	// regionCodes applies no region filter and is for internal callers
	// only, as in CaseFilter. More than MaxLimit ids is EINVALID
	// (MsgIncomplete); none returns none.
	CasesByIDs(ctx context.Context, ids []string, regionCodes []string) ([]*Case, error)
	// ListCases returns one page of matching cases in the filter's order,
	// and how many match in all.
	ListCases(ctx context.Context, f CaseFilter) ([]*Case, int, error)
	// CountCasesByStatus counts the cases matching f for every status,
	// ignoring f.Statuses, Sort, Limit and Offset. Statuses without cases
	// are absent from the map.
	CountCasesByStatus(ctx context.Context, f CaseFilter) (map[string]int, error)
	// UpdateCase applies u (see CaseUpdate) and returns the case as it is
	// afterwards: UpdatedAt is u.Event.At and Version is one more. A missing
	// case is ENOTFOUND (MsgCaseNotFound). An event ID the case already has
	// is ECONFLICT with MsgAlreadyDone, whatever else changed: it is a
	// retried request whose first attempt went through. Otherwise a stale
	// ExpectStatus or ExpectVersion is ECONFLICT with MsgStale. Either
	// conflict changes nothing. Of several concurrent updates from the same
	// view exactly one wins.
	UpdateCase(ctx context.Context, u CaseUpdate) (*Case, error)
	// AddMessage appends a message to a case and bumps the case's Version. A
	// message ID already used on the case is ECONFLICT and changes nothing, so
	// a retried submission of the same message is stored once.
	AddMessage(ctx context.Context, m *Message) error
	// RateCase records r.Satisfaction as the case's rating, replacing an
	// earlier one, atomically with the checks: the case must still be in
	// r.ExpectStatus (else ECONFLICT, MsgStale) and, with r.OnlyFirst, not
	// rated yet (else ECONFLICT, MsgAlreadyDone); either conflict changes
	// nothing. It sets UpdatedAt to Satisfaction.At (stored form), bumps
	// Version and returns the case as it is afterwards. ExpectStatus,
	// Satisfaction.Rating and Satisfaction.At are required (EINVALID,
	// MsgIncomplete); a missing case is ENOTFOUND (MsgCaseNotFound). Which
	// statuses may be rated, and which ratings need a reason, is the service
	// layer's rule; the store keeps what it is given.
	RateCase(ctx context.Context, r CaseRating) (*Case, error)
	// CaseStatistics counts all cases by year of CreatedAt in China
	// Standard Time, current region and demo flag (see CaseStatsRow), one
	// row per group that has cases, ordered by Year, RegionCode and Demo
	// (false first). It reads every case and is meant to be called rarely
	// (the public statistics cache it); it returns no case's details.
	CaseStatistics(ctx context.Context) ([]CaseStatsRow, error)
	// CaseEvents returns the timeline of a case, oldest first.
	CaseEvents(ctx context.Context, caseID string) ([]Event, error)
	// CaseMessages returns the messages of a case, oldest first, internal
	// notes included: views for the reporter leave those out.
	CaseMessages(ctx context.Context, caseID string) ([]Message, error)

	// RehashIdempotencyKeys replaces every idempotency key that does not
	// start with prefix by hash(key), so keys that older versions stored in
	// clear are kept only in the form new ones are. Keys that start with
	// prefix are left alone, so running it again changes nothing. It
	// returns how many keys it replaced; a crash part-way leaves every key
	// either old or new, never lost.
	RehashIdempotencyKeys(ctx context.Context, prefix string, hash func(key string) string) (int, error)

	// ImportCase stores a complete case as another store holds it (number,
	// version, handling, timeline, messages), for copying an installation
	// between backends; the year's counter is raised to at least its Seq and
	// IndexedVersion starts at 0. An existing ID, number or idempotency key
	// is ECONFLICT and nothing is written.
	ImportCase(ctx context.Context, c *Case, events []Event, messages []Message) error
}
