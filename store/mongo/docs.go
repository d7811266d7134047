package mongo

import (
	"time"

	"fundwatch/store"
)

// The types in this file are the BSON shape of what the store keeps. They
// are separate from the store types so that field names on disk are spelled
// out once, here, and store stays free of driver tags.
//
// A case is one document in the cases collection with its timeline and its
// messages embedded as arrays. That is what lets every Store method be a
// single-document write, which MongoDB applies atomically without a
// multi-document transaction.

// Collection and field names used in filters and updates. Filters are built
// only from these constants and typed values, never from caller-supplied
// maps, so no input can smuggle in a query operator.
const (
	collCases      = "cases"
	collCounters   = "counters"
	collMigrations = "migrations"

	fieldID             = "_id"
	fieldNumber         = "number"
	fieldSeq            = "seq"
	fieldKind           = "kind"
	fieldRegionCode     = "region_code"
	fieldStatus         = "status"
	fieldResult         = "result"
	fieldIdempotencyKey = "idempotency_key"
	fieldDemo           = "demo"
	fieldCreatedAt      = "created_at"
	fieldUpdatedAt      = "updated_at"
	fieldVersion        = "version"
	fieldIndexedVersion = "indexed_version"
	fieldIndexPending   = "index_pending"
	fieldEvents         = "events"
	fieldMessages       = "messages"
	fieldEventID        = "events.id"
	fieldMessageID      = "messages.id"

	fieldCategory          = "category"
	fieldInsuranceTypes    = "insurance_types"
	fieldChannel           = "channel"
	fieldAssigneeID        = "assignee_id"
	fieldDueAt             = "due_at"
	fieldImportantClass    = "important_class"
	fieldNational          = "national"
	fieldSeriousImpact     = "serious_impact"
	fieldDiscoveredOn      = "discovered_on"
	fieldInvestigationMode = "investigation_mode"
	fieldExtensionDays     = "extension_days"
	fieldConclusion        = "conclusion"
	fieldSatisfaction      = "satisfaction"
	fieldRating            = "satisfaction.rating"
)

// partyDoc is store.Party on disk.
type partyDoc struct {
	Name       string `bson:"name"`
	CreditCode string `bson:"credit_code"`
	IDNumber   string `bson:"id_number"`
	Address    string `bson:"address"`
	// LegalRepresentative is absent from documents written before issue 7.
	LegalRepresentative string `bson:"legal_representative,omitempty"`
}

// complaintDoc is store.Complaint on disk; absent for reports and for
// cases written before issue 7.
type complaintDoc struct {
	Request  string `bson:"request,omitempty"`
	HiredOn  string `bson:"hired_on,omitempty"`
	Position string `bson:"position,omitempty"`
	Contract string `bson:"contract,omitempty"`
}

// caseHead is a case without its embedded arrays: what lists and lookups
// decode, so a list of cases never carries every case's full history.
type caseHead struct {
	ID     string `bson:"_id"`
	Number string `bson:"number"`
	Year   int    `bson:"year"`
	Seq    int64  `bson:"seq"`

	Kind           string        `bson:"kind"`
	ReporterType   string        `bson:"reporter_type"`
	Anonymous      bool          `bson:"anonymous"`
	Category       string        `bson:"category"`
	InsuranceTypes []string      `bson:"insurance_types"`
	RegionCode     string        `bson:"region_code"`
	Subject        partyDoc      `bson:"subject"`
	AmountFen      int64         `bson:"amount_fen"`
	AmountGiven    bool          `bson:"amount_given"`
	OccurredFrom   string        `bson:"occurred_on"` // its name from when it was one day
	OccurredTo     string        `bson:"occurred_to,omitempty"`
	Description    string        `bson:"description"`
	Channel        string        `bson:"channel"`
	Complaint      *complaintDoc `bson:"complaint,omitempty"`
	NoticeVersion  string        `bson:"notice_version,omitempty"`

	Status string `bson:"status"`
	Result string `bson:"result"`

	AssigneeID string `bson:"assignee_id"`
	// DueAt is null when no deadline runs: null sorts and filters as
	// "no deadline" (see ListCases), where the zero time would be a date.
	DueAt             *time.Time    `bson:"due_at"`
	ImportantClass    string        `bson:"important_class"`
	National          bool          `bson:"national"`
	SeriousImpact     bool          `bson:"serious_impact"`
	DiscoveredOn      string        `bson:"discovered_on"`
	InvestigationMode string        `bson:"investigation_mode"`
	ExtensionDays     int           `bson:"extension_days"`
	Conclusion        conclusionDoc `bson:"conclusion"`
	// Satisfaction is absent from documents written before ratings: it
	// decodes as "not rated".
	Satisfaction satisfactionDoc `bson:"satisfaction"`

	ReporterSealed []byte `bson:"reporter_sealed"`
	AccessCodeHash []byte `bson:"access_code_hash"`
	IdempotencyKey string `bson:"idempotency_key"`
	SubmissionHash string `bson:"submission_hash"`

	Demo bool `bson:"demo"`

	CreatedAt      time.Time `bson:"created_at"`
	UpdatedAt      time.Time `bson:"updated_at"`
	Version        int64     `bson:"version"`
	IndexedVersion int64     `bson:"indexed_version"`
	// IndexPending is version > indexed_version, kept by every write that
	// changes either (see indexing.go): the one condition of PendingIndex
	// that an index can serve.
	IndexPending bool `bson:"index_pending"`
}

// newComplaintDoc is nil for a report, so its document has no complaint.
func newComplaintDoc(c store.Complaint) *complaintDoc {
	if c == (store.Complaint{}) {
		return nil
	}
	return &complaintDoc{Request: c.Request, HiredOn: c.HiredOn, Position: c.Position, Contract: c.Contract}
}

func (d *complaintDoc) toComplaint() store.Complaint {
	if d == nil {
		return store.Complaint{}
	}
	return store.Complaint{Request: d.Request, HiredOn: d.HiredOn, Position: d.Position, Contract: d.Contract}
}

// conclusionDoc is store.Conclusion on disk.
type conclusionDoc struct {
	AmountInvolvedFen  int64  `bson:"amount_involved_fen"`
	AmountRecoveredFen int64  `bson:"amount_recovered_fen"`
	Measures           string `bson:"measures"`
	RectifyBy          string `bson:"rectify_by"`
}

func newConclusionDoc(c store.Conclusion) conclusionDoc {
	return conclusionDoc{
		AmountInvolvedFen:  c.AmountInvolvedFen,
		AmountRecoveredFen: c.AmountRecoveredFen,
		Measures:           c.Measures,
		RectifyBy:          c.RectifyBy,
	}
}

func (d conclusionDoc) toConclusion() store.Conclusion {
	return store.Conclusion{
		AmountInvolvedFen:  d.AmountInvolvedFen,
		AmountRecoveredFen: d.AmountRecoveredFen,
		Measures:           d.Measures,
		RectifyBy:          d.RectifyBy,
	}
}

// satisfactionDoc is store.Satisfaction on disk; At is null when not rated.
type satisfactionDoc struct {
	Rating string     `bson:"rating"`
	Reason string     `bson:"reason"`
	At     *time.Time `bson:"at"`
}

func newSatisfactionDoc(s store.Satisfaction) satisfactionDoc {
	return satisfactionDoc{Rating: s.Rating, Reason: s.Reason, At: optionalTime(s.At)}
}

func (d satisfactionDoc) toSatisfaction() store.Satisfaction {
	return store.Satisfaction{Rating: d.Rating, Reason: d.Reason, At: fromOptionalTime(d.At)}
}

// caseDoc is the whole case document as inserted.
type caseDoc struct {
	// Head is a named field: the encoder skips an embedded field whose
	// type is unexported, inline or not.
	Head caseHead `bson:",inline"`
	// Both arrays are always present (never BSON null), because $push
	// refuses to append to a null field.
	Events   []eventDoc   `bson:"events"`
	Messages []messageDoc `bson:"messages"`
	// Files are absent from a case without evidence files ($push creates
	// the array on a missing field, unlike on null).
	Files []fileDoc `bson:"files,omitempty"`
}

// eventDoc is store.Event embedded in its case; CaseID is the parent's _id
// and is not repeated.
//
// Events written before case handling have no action and no internal flag:
// they were status changes shown to the reporter, which is what the
// missing fields decode to.
type eventDoc struct {
	ID         string    `bson:"id"`
	At         time.Time `bson:"at"`
	Action     string    `bson:"action"`
	FromStatus string    `bson:"from_status"`
	ToStatus   string    `bson:"to_status"`
	Result     string    `bson:"result"`
	Note       string    `bson:"note"`
	Actor      string    `bson:"actor"`
	Internal   bool      `bson:"internal"`
}

// messageDoc is store.Message embedded in its case.
type messageDoc struct {
	ID     string    `bson:"id"`
	At     time.Time `bson:"at"`
	Author string    `bson:"author"`
	Body   string    `bson:"body"`
	Actor  string    `bson:"actor"`
}

// eventsOnly and messagesOnly decode the projections CaseEvents and
// CaseMessages ask for.
type eventsOnly struct {
	Events []eventDoc `bson:"events"`
}

type messagesOnly struct {
	Messages []messageDoc `bson:"messages"`
}

func newCaseHead(c *store.Case) caseHead {
	return caseHead{
		ID:             c.ID,
		Number:         c.Number,
		Year:           c.Year,
		Seq:            c.Seq,
		Kind:           c.Kind,
		ReporterType:   c.ReporterType,
		Anonymous:      c.Anonymous,
		Category:       c.Category,
		InsuranceTypes: nilIfEmpty(c.InsuranceTypes),
		RegionCode:     c.RegionCode,
		Subject: partyDoc{
			Name:       c.Subject.Name,
			CreditCode: c.Subject.CreditCode,
			IDNumber:   c.Subject.IDNumber,
			Address:    c.Subject.Address,

			LegalRepresentative: c.Subject.LegalRepresentative,
		},
		AmountFen:     c.AmountFen,
		AmountGiven:   c.AmountGiven,
		OccurredFrom:  c.OccurredFrom,
		OccurredTo:    c.OccurredTo,
		Description:   c.Description,
		Channel:       c.Channel,
		Complaint:     newComplaintDoc(c.Complaint),
		NoticeVersion: c.NoticeVersion,
		Status:        c.Status,
		Result:        c.Result,

		AssigneeID:        c.AssigneeID,
		DueAt:             optionalTime(c.DueAt),
		ImportantClass:    classOrNone(c.ImportantClass),
		National:          c.National,
		SeriousImpact:     c.SeriousImpact,
		DiscoveredOn:      c.DiscoveredOn,
		InvestigationMode: c.InvestigationMode,
		ExtensionDays:     c.ExtensionDays,
		Conclusion:        newConclusionDoc(c.Conclusion),
		Satisfaction:      newSatisfactionDoc(c.Satisfaction),

		ReporterSealed: nilIfEmptyBytes(c.ReporterSealed),
		AccessCodeHash: nilIfEmptyBytes(c.AccessCodeHash),
		IdempotencyKey: c.IdempotencyKey,
		SubmissionHash: c.SubmissionHash,
		Demo:           c.Demo,
		CreatedAt:      store.Truncate(c.CreatedAt),
		UpdatedAt:      store.Truncate(c.UpdatedAt),
		Version:        c.Version,
		IndexedVersion: c.IndexedVersion,
	}
}

func (d *caseHead) toCase() *store.Case {
	return &store.Case{
		ID:             d.ID,
		Number:         d.Number,
		Year:           d.Year,
		Seq:            d.Seq,
		Kind:           d.Kind,
		ReporterType:   d.ReporterType,
		Anonymous:      d.Anonymous,
		Category:       d.Category,
		InsuranceTypes: nilIfEmpty(d.InsuranceTypes),
		RegionCode:     d.RegionCode,
		Subject: store.Party{
			Name:       d.Subject.Name,
			CreditCode: d.Subject.CreditCode,
			IDNumber:   d.Subject.IDNumber,
			Address:    d.Subject.Address,

			LegalRepresentative: d.Subject.LegalRepresentative,
		},
		AmountFen:     d.AmountFen,
		AmountGiven:   d.AmountGiven,
		OccurredFrom:  d.OccurredFrom,
		OccurredTo:    d.OccurredTo,
		Description:   d.Description,
		Channel:       d.Channel,
		Complaint:     d.Complaint.toComplaint(),
		NoticeVersion: d.NoticeVersion,
		Status:        d.Status,
		Result:        d.Result,

		AssigneeID:        d.AssigneeID,
		DueAt:             fromOptionalTime(d.DueAt),
		ImportantClass:    classOrNone(d.ImportantClass),
		National:          d.National,
		SeriousImpact:     d.SeriousImpact,
		DiscoveredOn:      d.DiscoveredOn,
		InvestigationMode: d.InvestigationMode,
		ExtensionDays:     d.ExtensionDays,
		Conclusion:        d.Conclusion.toConclusion(),
		Satisfaction:      d.Satisfaction.toSatisfaction(),

		ReporterSealed: nilIfEmptyBytes(d.ReporterSealed),
		AccessCodeHash: nilIfEmptyBytes(d.AccessCodeHash),
		IdempotencyKey: d.IdempotencyKey,
		SubmissionHash: d.SubmissionHash,
		Demo:           d.Demo,
		CreatedAt:      d.CreatedAt.UTC(),
		UpdatedAt:      d.UpdatedAt.UTC(),
		Version:        d.Version,
		IndexedVersion: d.IndexedVersion,
	}
}

func newEventDoc(e store.Event) eventDoc {
	return eventDoc{
		ID:         e.ID,
		At:         store.Truncate(e.At),
		Action:     actionOrStatus(e.Action),
		FromStatus: e.FromStatus,
		ToStatus:   e.ToStatus,
		Result:     e.Result,
		Note:       e.Note,
		Actor:      e.Actor,
		Internal:   e.Internal,
	}
}

func (d eventDoc) toEvent(caseID string) store.Event {
	return store.Event{
		ID:         d.ID,
		CaseID:     caseID,
		At:         d.At.UTC(),
		Action:     actionOrStatus(d.Action),
		FromStatus: d.FromStatus,
		ToStatus:   d.ToStatus,
		Result:     d.Result,
		Note:       d.Note,
		Actor:      d.Actor,
		Internal:   d.Internal,
	}
}

func newMessageDoc(m *store.Message) messageDoc {
	return messageDoc{
		ID:     m.ID,
		At:     store.Truncate(m.At),
		Author: m.Author,
		Body:   m.Body,
		Actor:  m.Actor,
	}
}

func (d messageDoc) toMessage(caseID string) store.Message {
	return store.Message{
		ID:     d.ID,
		CaseID: caseID,
		At:     d.At.UTC(),
		Author: d.Author,
		Body:   d.Body,
		Actor:  d.Actor,
	}
}

// optionalTime stores the zero time as null (no deadline), any other time
// in the stored form; fromOptionalTime reads it back.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = store.Truncate(t)
	return &t
}

func fromOptionalTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// classOrNone keeps an empty 要情 class as store.ClassNone, so that
// "unclassified" has one value to filter on; a document from before case
// handling that the migration has not reached yet reads the same.
func classOrNone(class string) string {
	if class == "" {
		return store.ClassNone
	}
	return class
}

// actionOrStatus keeps an empty event action as store.ActionStatus.
func actionOrStatus(action string) string {
	if action == "" {
		return store.ActionStatus
	}
	return action
}

// nilIfEmpty and nilIfEmptyBytes give "absent" one representation: the
// conformance suite expects empty slices back as nil, and BSON would
// otherwise round-trip them as empty arrays and empty binaries.
func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func nilIfEmptyBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
