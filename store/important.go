package store

import (
	"context"
	"time"
)

// Statuses of a 要情 report.
const (
	ReportDraft     = "draft"     // being written; may change
	ReportSigned    = "signed"    // signed by a leader: frozen
	ReportSubmitted = "submitted" // sent to the next level; frozen
)

// ImportantReport is a 要情 report (seed §5) about one case: prefilled from
// the case, edited while a draft, then signed by a leader of its region,
// which freezes it, and submitted to the next level. A correction of a
// signed report is a new report with Revision+1 and Supersedes pointing at
// the one it corrects.
type ImportantReport struct {
	ID         string
	CaseID     string
	CaseNumber string
	// RegionCode is the reporting unit's region (the case's when drafted).
	RegionCode string
	Revision   int    // 1 for the first report of a case
	Supersedes string // ID of the report this one corrects, or ""
	ChangeNote string // why the correction was made

	Class          string // ClassImportant or ClassMajor
	National       bool
	DiscoveredOn   string    // YYYY-MM-DD (CST)
	DueAt          time.Time // end of the reporting deadline
	AmountFen      int64
	Category       string
	InsuranceTypes []string
	Title          string
	Body           string // the situation found so far, as the leader signs it
	Recipients     []string

	Status    string
	DraftedBy string // user ID
	CreatedAt time.Time
	UpdatedAt time.Time

	SignedBy     string // user ID of the leader
	SignedByName string
	SignedAt     time.Time
	// SignedHash is the hex SHA-256 of exactly the text signed (see
	// casework's report text), recorded at signing.
	SignedHash string

	SubmittedBy string
	SubmittedAt time.Time

	Version int64
}

// ImportantFilter narrows ListImportantReports. Empty fields do not filter.
// RegionCodes is the caller's region scope, applied by the store's query; an
// empty RegionCodes applies no region filter and is for internal callers
// only (the service layer always passes a scope).
type ImportantFilter struct {
	RegionCodes []string
	CaseID      string
	Statuses    []string
	DueBefore   time.Time // reports whose DueAt is before this instant
	Limit       int       // see PageBounds
	Offset      int
}

// QuarterlyRow is one cell group of the quarterly 要情 statistics: the cases
// of one class, category (nature) and insurance type.
type QuarterlyRow struct {
	Class         string
	Category      string
	InsuranceType string
	Count         int
	AmountFen     int64
}

// QuarterlyReport is a city's quarterly 要情 statistics as submitted to the
// province (due 15 calendar days after the quarter ends).
type QuarterlyReport struct {
	ID              string // casework's QuarterlyReportID(city, year, quarter)
	CityCode        string
	Year            int
	Quarter         int // 1–4
	Rows            []QuarterlyRow
	DueAt           time.Time
	SubmittedBy     string
	SubmittedByName string
	SubmittedAt     time.Time
}

// ImportantStore keeps 要情 reports and the quarterly statistics.
//
// Times come back in UTC truncated to milliseconds; empty InsuranceTypes,
// Recipients and Rows come back nil. A missing report is ENOTFOUND with
// MsgReportNotFound from every method.
type ImportantStore interface {
	// CreateImportantReport stores a new draft: it sets Status to
	// ReportDraft and Version to 1 and writes both back into r. ID, CaseID
	// and RegionCode are required and Revision must be at least 1
	// (EINVALID otherwise). An ID in use, or a second report of the same
	// case with the same Revision (two corrections of one report drafted at
	// once), is ECONFLICT (MsgConflict) and stores nothing.
	CreateImportantReport(ctx context.Context, r *ImportantReport) error
	// ImportantReportInRegions returns the report if its region is one of
	// regionCodes; otherwise, and for an empty regionCodes, it answers
	// exactly as for a missing one (ENOTFOUND, MsgReportNotFound).
	ImportantReportInRegions(ctx context.Context, id string, regionCodes []string) (*ImportantReport, error)
	// UpdateImportantDraft replaces the editable fields (Title, Body,
	// Recipients, AmountFen, Category, InsuranceTypes, Class, National,
	// DiscoveredOn, DueAt, ChangeNote, UpdatedAt) of a draft whose Version
	// is still r.Version, and sets r.Version to the new one (one more). A
	// report no longer a draft is ECONFLICT (MsgReportFrozen), whatever
	// r.Version; a stale version of a draft is ECONFLICT (MsgStaleRecord).
	UpdateImportantDraft(ctx context.Context, r *ImportantReport) error
	// SignImportantReport moves a draft at version to signed, recording the
	// signer, time and hash; UpdatedAt becomes at and Version one more.
	// Errors are those of UpdateImportantDraft (signing a signed report is
	// MsgReportFrozen). It returns the report as stored afterwards.
	SignImportantReport(ctx context.Context, id string, version int64, signerID, signerName string, at time.Time, hash string) (*ImportantReport, error)
	// SubmitImportantReport moves a signed report to submitted, recording
	// who and when; UpdatedAt becomes at and Version one more. A report in
	// another status (a draft, or one submitted already) is ECONFLICT
	// (MsgAlreadyDone).
	SubmitImportantReport(ctx context.Context, id string, by string, at time.Time) (*ImportantReport, error)
	// ListImportantReports returns one page of matching reports, those due
	// soonest first, then the newest (CreatedAt descending), then by ID; and
	// how many match in all, ignoring Limit and Offset. The order is total,
	// so paging through the zero filter visits every report once.
	ListImportantReports(ctx context.Context, f ImportantFilter) ([]*ImportantReport, int, error)
	// ImportImportantReport stores r exactly as another store holds it, for
	// copying an installation between backends (fundwatch migrate-data):
	// every field as given — Status, Version, Revision and Supersedes, the
	// signature and the submission included — with the times in stored
	// form, empty lists as nil. It writes nothing back into r. ID, CaseID
	// and RegionCode are required, Revision and Version must be at least 1
	// and Status one of ReportDraft, ReportSigned and ReportSubmitted
	// (EINVALID otherwise). An ID in use, or a report of the same case with
	// the same Revision, is ECONFLICT (MsgConflict) and stores nothing.
	ImportImportantReport(ctx context.Context, r *ImportantReport) error

	// SubmitQuarterlyReport stores a city's statistics for a quarter, rows
	// in the order given. ID and CityCode are required and Quarter must be
	// 1–4 (EINVALID otherwise). A second submission of the same ID, or of
	// the same city, year and quarter, is ECONFLICT (MsgAlreadyDone).
	//
	// It stores every field as given (times in stored form) and assigns
	// nothing, so it also copies a report read from another store
	// unchanged: fundwatch migrate-data uses it for that, and there is no
	// separate import method.
	SubmitQuarterlyReport(ctx context.Context, q *QuarterlyReport) error
	// QuarterlyReports returns the submitted statistics of a quarter for the
	// given cities (all cities when cityCodes is empty), by city code.
	QuarterlyReports(ctx context.Context, year, quarter int, cityCodes []string) ([]*QuarterlyReport, error)
	// ListQuarterlyReports returns one page of all submitted statistics,
	// the earliest quarter first (by Year, Quarter, then CityCode), and how
	// many there are in all, ignoring limit and offset (which follow
	// PageBounds). It is how every report is found to be copied.
	ListQuarterlyReports(ctx context.Context, limit, offset int) ([]*QuarterlyReport, int, error)
}
