package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"fundwatch/store"
)

// base is the instant the fixtures count from. The suite never reads the wall
// clock, so a failure reproduces exactly.
var base = time.Date(2026, 3, 14, 1, 26, 53, 589_000_000, time.UTC)

// at returns base plus d in the stored form (UTC, milliseconds).
func at(d time.Duration) time.Time { return store.Truncate(base.Add(d)) }

// unicodeText exercises what a form can carry: CJK (including a character
// outside the BMP), emoji with joiners, right-to-left text, combining marks,
// quotes, backslashes, newlines, a NUL byte and text that looks like SQL or a
// query operator.
const unicodeText = "举报：某定点医院通过虚构住院、挂床住院骗取医保基金，涉及金额约123.45万元。\n" +
	"第二行\t'单引号' \"双引号\" \\反斜杠 😀 👩‍⚕️ 𠮷野家 مرحبا é(e\u0301) \x00 尾部" +
	"'); DROP TABLE cases;-- {\"$gt\": \"\"} %_ "

// newCase returns a case with every field set to a non-zero value, so a
// field a backend forgets to store shows up as a difference.
func newCase(id string, createdAt time.Time) *store.Case {
	return &store.Case{
		ID:             id,
		Kind:           store.KindReport,
		ReporterType:   store.ReporterEmployer,
		Anonymous:      true,
		Category:       "fraudulent_claims",
		InsuranceTypes: []string{"medical", "maternity", "其他"},
		RegionCode:     "220102",
		Subject: store.Party{
			Name:       "长春市某某大药房连锁有限公司（第一分店）",
			CreditCode: "91220101MA17XXXX3Q",
			IDNumber:   "22010219800101123X",
			Address:    "吉林省长春市南关区人民大街 1 号 😀",

			LegalRepresentative: "欧阳娜娜 😀",
		},
		AmountFen:    123_456_789, // 1,234,567.89 yuan
		AmountGiven:  true,
		OccurredFrom: "2025-11-30",
		OccurredTo:   "2026-02-28",
		Description:  unicodeText,
		Channel:      store.ChannelMedicalSecurity,
		// A report carries no complaint; these are set so that the
		// backends are seen to store them.
		Complaint: store.Complaint{
			Request:  "请求补缴 2025 年养老保险费 " + unicodeText,
			HiredOn:  "2019-07",
			Position: "仓库保管员 😀",
			Contract: store.ContractNotSigned,
		},
		NoticeVersion: "2026-1",
		Status:        store.StatusReceived,
		Result:        "",

		// A new case normally has no handling yet; these are set so that
		// CreateCase is seen to store them (the acceptance deadline does
		// run from the start).
		AssigneeID:        "user-assignee-1",
		DueAt:             createdAt.Add(5 * 24 * time.Hour),
		ImportantClass:    store.ClassImportant,
		National:          true,
		SeriousImpact:     true,
		DiscoveredOn:      "2026-03-13",
		InvestigationMode: store.ModeOffSite,
		ExtensionDays:     30,
		Conclusion: store.Conclusion{
			AmountInvolvedFen:  98_765_432,
			AmountRecoveredFen: 1_234_500,
			Measures:           "责令整改，追回基金 " + unicodeText,
			RectifyBy:          "2026-06-30",
		},
		Satisfaction: store.Satisfaction{
			Rating: store.SatisfactionDissatisfied, Reason: "处理太慢 " + unicodeText, At: createdAt.Add(time.Hour),
		},

		ReporterSealed: []byte{0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x00},
		AccessCodeHash: []byte("\x00hmac-sha256 of the access code\xff"),
		IdempotencyKey: "idem-" + id,
		SubmissionHash: "sha256:" + id,
		Demo:           true,
		CreatedAt:      createdAt,
		UpdatedAt:      createdAt,
	}
}

// unhandled clears the handling fields of c, as the intake of a new case
// leaves them.
func unhandled(c *store.Case) {
	c.AssigneeID, c.DueAt, c.ImportantClass = "", time.Time{}, ""
	c.National, c.SeriousImpact, c.DiscoveredOn = false, false, ""
	c.InvestigationMode, c.ExtensionDays, c.Conclusion = "", 0, store.Conclusion{}
	c.Satisfaction = store.Satisfaction{}
}

// firstEvent is the "received" event that goes with c on CreateCase. Its
// CaseID is left empty: the store fills it in.
func firstEvent(c *store.Case) store.Event {
	return store.Event{
		ID:       "ev-" + c.ID + "-received",
		At:       c.CreatedAt,
		ToStatus: store.StatusReceived,
		Note:     "已收到您的举报 " + unicodeText,
		Actor:    "system",
	}
}

// mustCreate stores c with its first event and fails the test if it cannot.
func mustCreate(t *testing.T, s store.CaseStore, c *store.Case) *store.Case {
	t.Helper()
	if err := s.CreateCase(t.Context(), c, firstEvent(c)); err != nil {
		t.Fatalf("CreateCase(%q): %v", c.ID, err)
	}
	return c
}

// mustGet reads a case by ID and fails the test if it cannot.
func mustGet(t *testing.T, s store.CaseStore, id string) *store.Case {
	t.Helper()
	c, err := s.CaseByID(t.Context(), id)
	if err != nil {
		t.Fatalf("CaseByID(%q): %v", id, err)
	}
	if c == nil {
		t.Fatalf("CaseByID(%q) returned nil case and nil error", id)
	}
	return c
}

// mustEvents reads a case's timeline and fails the test if it cannot.
func mustEvents(t *testing.T, s store.CaseStore, caseID string) []store.Event {
	t.Helper()
	evs, err := s.CaseEvents(t.Context(), caseID)
	if err != nil {
		t.Fatalf("CaseEvents(%q): %v", caseID, err)
	}
	return evs
}

// mustMessages reads a case's messages and fails the test if it cannot.
func mustMessages(t *testing.T, s store.CaseStore, caseID string) []store.Message {
	t.Helper()
	ms, err := s.CaseMessages(t.Context(), caseID)
	if err != nil {
		t.Fatalf("CaseMessages(%q): %v", caseID, err)
	}
	return ms
}

// countCases returns how many cases the store holds in all.
func countCases(t *testing.T, s store.CaseStore) int {
	t.Helper()
	_, total, err := s.ListCases(t.Context(), store.CaseFilter{})
	if err != nil {
		t.Fatalf("ListCases: %v", err)
	}
	return total
}

// stored returns what a read of c should give back right after CreateCase:
// c as written back by the store, with times in the stored form.
func stored(c *store.Case) *store.Case {
	w := *c
	w.InsuranceTypes = nilIfEmpty(c.InsuranceTypes)
	w.ReporterSealed = nilIfEmptyBytes(c.ReporterSealed)
	w.AccessCodeHash = nilIfEmptyBytes(c.AccessCodeHash)
	w.CreatedAt = store.Truncate(c.CreatedAt)
	w.UpdatedAt = store.Truncate(c.UpdatedAt)
	w.DueAt = truncateOrZero(c.DueAt)
	w.Satisfaction.At = truncateOrZero(c.Satisfaction.At)
	w.ImportantClass = classOrNone(c.ImportantClass)
	w.Version = 1
	w.IndexedVersion = 0
	w.Files = nil // reads leave Files empty; CaseFiles reads them
	return &w
}

// classOrNone is how the store keeps a 要情 class: "" as store.ClassNone.
func classOrNone(class string) string {
	if class == "" {
		return store.ClassNone
	}
	return class
}

// actionOrStatus is how the store keeps an event's action: "" as
// store.ActionStatus.
func actionOrStatus(action string) string {
	if action == "" {
		return store.ActionStatus
	}
	return action
}

// truncateOrZero is the stored form of an optional time: the zero time stays
// zero (in UTC), any other is truncated.
func truncateOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return store.Truncate(t)
}

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

// checkError checks that a non-nil error from the store is a *store.Error
// with a code and a message a handler can show.
func checkError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var se *store.Error
	if !errors.As(err, &se) {
		t.Errorf("%s: error %v (%T) is not a *store.Error", what, err, err)
		return
	}
	if se.Code == "" {
		t.Errorf("%s: error %v has an empty Code", what, err)
	}
	if se.Message == "" {
		t.Errorf("%s: error %v has an empty Message", what, err)
	}
}

// wantCode checks that err carries the given store error code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := store.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (err %v), want %q", what, got, err, code)
	}
	checkError(t, what, err)
}

// differ collects field differences so one failure lists everything that
// came back wrong, not just the first field.
type differ struct{ diffs []string }

func (d *differ) field(name string, want, got any) {
	if !reflect.DeepEqual(want, got) {
		d.diffs = append(d.diffs, fmt.Sprintf("%s: got %#v, want %#v", name, got, want))
	}
}

func (d *differ) time(name string, want, got time.Time) {
	if !got.Equal(want) {
		d.diffs = append(d.diffs, fmt.Sprintf("%s: got %s, want %s", name,
			got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano)))
	}
	if got.Location() != time.UTC {
		d.diffs = append(d.diffs, fmt.Sprintf("%s: location %q, want UTC", name, got.Location()))
	}
}

// optionalTime compares a time that may be unset: zero must come back zero,
// anything else as d.time does.
func (d *differ) optionalTime(name string, want, got time.Time) {
	if want.IsZero() || got.IsZero() {
		if !want.IsZero() || !got.IsZero() {
			d.diffs = append(d.diffs, fmt.Sprintf("%s: got %s, want %s", name,
				got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano)))
		}
		return
	}
	d.time(name, want, got)
}

func (d *differ) String() string { return strings.Join(d.diffs, "\n\t") }

func caseDiff(want, got *store.Case) string {
	if got == nil {
		return "got a nil case"
	}
	var d differ
	d.field("ID", want.ID, got.ID)
	d.field("Files", len(want.Files), len(got.Files))
	d.field("Number", want.Number, got.Number)
	d.field("Year", want.Year, got.Year)
	d.field("Seq", want.Seq, got.Seq)
	d.field("Kind", want.Kind, got.Kind)
	d.field("ReporterType", want.ReporterType, got.ReporterType)
	d.field("Anonymous", want.Anonymous, got.Anonymous)
	d.field("Category", want.Category, got.Category)
	d.field("InsuranceTypes", want.InsuranceTypes, got.InsuranceTypes)
	d.field("RegionCode", want.RegionCode, got.RegionCode)
	d.field("Subject", want.Subject, got.Subject)
	d.field("AmountFen", want.AmountFen, got.AmountFen)
	d.field("AmountGiven", want.AmountGiven, got.AmountGiven)
	d.field("OccurredFrom", want.OccurredFrom, got.OccurredFrom)
	d.field("OccurredTo", want.OccurredTo, got.OccurredTo)
	d.field("Description", want.Description, got.Description)
	d.field("Channel", want.Channel, got.Channel)
	d.field("Complaint", want.Complaint, got.Complaint)
	d.field("NoticeVersion", want.NoticeVersion, got.NoticeVersion)
	d.field("Status", want.Status, got.Status)
	d.field("Result", want.Result, got.Result)
	d.field("AssigneeID", want.AssigneeID, got.AssigneeID)
	d.optionalTime("DueAt", want.DueAt, got.DueAt)
	d.field("ImportantClass", want.ImportantClass, got.ImportantClass)
	d.field("National", want.National, got.National)
	d.field("SeriousImpact", want.SeriousImpact, got.SeriousImpact)
	d.field("DiscoveredOn", want.DiscoveredOn, got.DiscoveredOn)
	d.field("InvestigationMode", want.InvestigationMode, got.InvestigationMode)
	d.field("ExtensionDays", want.ExtensionDays, got.ExtensionDays)
	d.field("Conclusion", want.Conclusion, got.Conclusion)
	d.field("Satisfaction.Rating", want.Satisfaction.Rating, got.Satisfaction.Rating)
	d.field("Satisfaction.Reason", want.Satisfaction.Reason, got.Satisfaction.Reason)
	d.optionalTime("Satisfaction.At", want.Satisfaction.At, got.Satisfaction.At)
	d.field("ReporterSealed", want.ReporterSealed, got.ReporterSealed)
	d.field("AccessCodeHash", want.AccessCodeHash, got.AccessCodeHash)
	d.field("IdempotencyKey", want.IdempotencyKey, got.IdempotencyKey)
	d.field("SubmissionHash", want.SubmissionHash, got.SubmissionHash)
	d.field("Demo", want.Demo, got.Demo)
	d.time("CreatedAt", want.CreatedAt, got.CreatedAt)
	d.time("UpdatedAt", want.UpdatedAt, got.UpdatedAt)
	d.field("Version", want.Version, got.Version)
	d.field("IndexedVersion", want.IndexedVersion, got.IndexedVersion)
	return d.String()
}

func eventDiff(want, got store.Event) string {
	var d differ
	d.field("ID", want.ID, got.ID)
	d.field("CaseID", want.CaseID, got.CaseID)
	d.time("At", store.Truncate(want.At), got.At)
	d.field("Action", actionOrStatus(want.Action), got.Action)
	d.field("FromStatus", want.FromStatus, got.FromStatus)
	d.field("ToStatus", want.ToStatus, got.ToStatus)
	d.field("Result", want.Result, got.Result)
	d.field("Note", want.Note, got.Note)
	d.field("Actor", want.Actor, got.Actor)
	d.field("Internal", want.Internal, got.Internal)
	return d.String()
}

func messageDiff(want, got store.Message) string {
	var d differ
	d.field("ID", want.ID, got.ID)
	d.field("CaseID", want.CaseID, got.CaseID)
	d.time("At", store.Truncate(want.At), got.At)
	d.field("Author", want.Author, got.Author)
	d.field("Body", want.Body, got.Body)
	d.field("Actor", want.Actor, got.Actor)
	return d.String()
}

// checkCase fails the test with every differing field of a case.
func checkCase(t *testing.T, what string, want, got *store.Case) {
	t.Helper()
	if diff := caseDiff(want, got); diff != "" {
		t.Errorf("%s differs:\n\t%s", what, diff)
	}
}

// checkEvents compares a whole timeline, event by event.
func checkEvents(t *testing.T, what string, want, got []store.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d events %v, want %d", what, len(got), eventIDs(got), len(want))
		return
	}
	for i := range want {
		if diff := eventDiff(want[i], got[i]); diff != "" {
			t.Errorf("%s: event %d differs:\n\t%s", what, i, diff)
		}
	}
}

// checkMessages compares a whole message list, message by message.
func checkMessages(t *testing.T, what string, want, got []store.Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d messages %v, want %d", what, len(got), messageIDs(got), len(want))
		return
	}
	for i := range want {
		if diff := messageDiff(want[i], got[i]); diff != "" {
			t.Errorf("%s: message %d differs:\n\t%s", what, i, diff)
		}
	}
}

func eventIDs(evs []store.Event) []string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	return ids
}

func messageIDs(ms []store.Message) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

func caseIDs(cs []*store.Case) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		if c == nil {
			ids[i] = "<nil>"
			continue
		}
		ids[i] = c.ID
	}
	return ids
}
