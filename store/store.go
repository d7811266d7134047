// Package store holds fundwatch's data model and the Store interface that every
// storage backend implements. It depends on the standard library only, so the
// rules (casework), the web layer (handlers) and the backends (store/sqlite,
// store/mongo) can all import it without importing each other.
package store

import (
	"context"
	"fmt"
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

// Message authors.
const (
	AuthorReporter = "reporter"
	AuthorHandler  = "handler"
)

// Party is the reported party (被举报对象): a person or an organisation.
type Party struct {
	Name       string
	CreditCode string // 统一社会信用代码, when known
	IDNumber   string // 身份证号码 of a reported person, when known
	Address    string
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
	OccurredOn     string // YYYY-MM-DD, or "" when not given
	Description    string
	Channel        string

	Status string
	Result string // one of the Result* constants once concluded, else ""

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

	CreatedAt time.Time
	UpdatedAt time.Time
	// Version increases with every change to the case, its events or messages;
	// IndexedVersion is the version the search index last saw.
	Version        int64
	IndexedVersion int64
}

// Event is one step of a case's status timeline, as the reporter sees it.
type Event struct {
	ID         string
	CaseID     string
	At         time.Time
	FromStatus string // "" for the first event
	ToStatus   string
	Result     string // set when ToStatus is concluded
	Note       string // shown to the reporter (reason for not accepting, where transferred, …)
	Actor      string // internal: user id of who made the change; never shown to reporters
}

// Message is a message on a case: a reply from a handler or added information
// from the reporter.
type Message struct {
	ID     string
	CaseID string
	At     time.Time
	Author string // AuthorReporter or AuthorHandler
	Body   string
	Actor  string // internal: user id of the handler; "" for the reporter
}

// CaseTransition moves a case from one status to another and records the event,
// atomically. FromStatus is the status the caller saw; if the case has since
// changed, the transition fails with ECONFLICT.
type CaseTransition struct {
	CaseID     string
	EventID    string
	FromStatus string
	ToStatus   string
	Result     string
	Note       string
	Actor      string
	At         time.Time
}

// CaseFilter narrows ListCases. Empty fields do not filter. RegionCodes is the
// caller's region scope and is always applied by the store itself.
type CaseFilter struct {
	RegionCodes []string
	Statuses    []string
	Kind        string
	Demo        *bool
	Limit       int // 0 means 50; capped at 500
	Offset      int
}

// Store is the system of record. Each method is atomic on its own: it either
// fully happens or leaves no trace. Not-found is always an ENOTFOUND error,
// never a nil result with a nil error.
type Store interface {
	// CreateCase stores a new case together with its first "received" event.
	// The store assigns Number, Year and Seq (sequential per year of
	// c.CreatedAt in China Standard Time), sets Version to 1 and writes them
	// back into c. If a case with the same IdempotencyKey exists, it returns
	// an ECONFLICT error and changes nothing; CaseByIdempotencyKey then finds
	// the earlier case. The method returns only after the write is durable.
	CreateCase(ctx context.Context, c *Case, first Event) error
	CaseByID(ctx context.Context, id string) (*Case, error)
	CaseByNumber(ctx context.Context, number string) (*Case, error)
	CaseByIdempotencyKey(ctx context.Context, key string) (*Case, error)
	// ListCases returns cases newest first, and how many match in all.
	ListCases(ctx context.Context, f CaseFilter) ([]*Case, int, error)
	// TransitionCase changes the status and appends the event in one step.
	TransitionCase(ctx context.Context, t CaseTransition) (*Case, error)
	// AddMessage appends a message to a case and bumps the case's Version. A
	// message ID already used on the case is ECONFLICT and changes nothing, so
	// a retried submission of the same message is stored once.
	AddMessage(ctx context.Context, m *Message) error
	// CaseEvents returns the status timeline of a case, oldest first.
	CaseEvents(ctx context.Context, caseID string) ([]Event, error)
	// CaseMessages returns the messages of a case, oldest first.
	CaseMessages(ctx context.Context, caseID string) ([]Message, error)

	// ImportCase stores a complete case as another store holds it (number,
	// version, timeline, messages), for copying an installation between
	// backends; the year's counter is raised to at least its Seq and
	// IndexedVersion starts at 0. An existing ID, number or idempotency key
	// is ECONFLICT and nothing is written.
	ImportCase(ctx context.Context, c *Case, events []Event, messages []Message) error

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
