package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"fundwatch/store"
)

// testImportant is the conformance suite of the important area (要情 reports
// and quarterly statistics).
func testImportant(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("CreateImportantReport", func(t *testing.T) { testCreateImportantReport(t, open) })
	t.Run("ImportantReportInRegions", func(t *testing.T) { testImportantReportInRegions(t, open) })
	t.Run("UpdateImportantDraft", func(t *testing.T) { testUpdateImportantDraft(t, open) })
	t.Run("SignImportantReport", func(t *testing.T) { testSignImportantReport(t, open) })
	t.Run("SubmitImportantReport", func(t *testing.T) { testSubmitImportantReport(t, open) })
	t.Run("Revisions", func(t *testing.T) { testReportRevisions(t, open) })
	t.Run("ListImportantReports", func(t *testing.T) { testListImportantReports(t, open) })
	t.Run("QuarterlyReports", func(t *testing.T) { testQuarterlyReports(t, open) })
}

// callerTime returns base plus d as a caller might pass it: in China Standard
// Time and with sub-millisecond digits the store must drop.
func callerTime(d time.Duration) time.Time {
	return base.Add(d + 456_789*time.Nanosecond).In(store.CST)
}

// newReport returns a draft with every field a draft can have set to a
// non-zero value, and times in a zone other than UTC with more than
// millisecond precision.
func newReport(id, caseID, region string, due, created time.Duration) *store.ImportantReport {
	return &store.ImportantReport{
		ID:             id,
		CaseID:         caseID,
		CaseNumber:     "2026-000042",
		RegionCode:     region,
		Revision:       1,
		Supersedes:     "",
		ChangeNote:     "",
		Class:          store.ClassMajor,
		National:       true,
		DiscoveredOn:   "2026-03-13",
		DueAt:          callerTime(due),
		AmountFen:      50_000_000, // 500,000.00 yuan: goes national
		Category:       "embezzlement",
		InsuranceTypes: []string{"pension", "work_injury"},
		Title:          "关于某社保经办机构工作人员侵吞养老保险基金的要情报告",
		Body:           unicodeText,
		Recipients:     []string{"吉林省社会保险基金监督委员会", "人力资源社会保障部"},
		Status:         store.ReportDraft,
		DraftedBy:      "user-handler-1",
		CreatedAt:      callerTime(created),
		UpdatedAt:      callerTime(created),
	}
}

// storedReport is what a read of r should return right after a successful
// CreateImportantReport.
func storedReport(r *store.ImportantReport) *store.ImportantReport {
	w := *r
	w.InsuranceTypes = nilIfEmpty(r.InsuranceTypes)
	w.Recipients = nilIfEmpty(r.Recipients)
	w.DueAt = store.Truncate(r.DueAt)
	w.CreatedAt = store.Truncate(r.CreatedAt)
	w.UpdatedAt = store.Truncate(r.UpdatedAt)
	w.SignedAt = store.Truncate(r.SignedAt)
	w.SubmittedAt = store.Truncate(r.SubmittedAt)
	w.Status = store.ReportDraft
	w.Version = 1
	return &w
}

func mustCreateReport(t *testing.T, s store.ImportantStore, r *store.ImportantReport) *store.ImportantReport {
	t.Helper()
	if err := s.CreateImportantReport(t.Context(), r); err != nil {
		t.Fatalf("CreateImportantReport(%q): %v", r.ID, err)
	}
	return r
}

func mustGetReport(t *testing.T, s store.ImportantStore, id, region string) *store.ImportantReport {
	t.Helper()
	r, err := s.ImportantReportInRegions(t.Context(), id, []string{region})
	if err != nil {
		t.Fatalf("ImportantReportInRegions(%q, %q): %v", id, region, err)
	}
	if r == nil {
		t.Fatalf("ImportantReportInRegions(%q) returned nil and no error", id)
	}
	return r
}

func reportDiff(want, got *store.ImportantReport) string {
	if got == nil {
		return "got a nil report"
	}
	var d differ
	d.field("ID", want.ID, got.ID)
	d.field("CaseID", want.CaseID, got.CaseID)
	d.field("CaseNumber", want.CaseNumber, got.CaseNumber)
	d.field("RegionCode", want.RegionCode, got.RegionCode)
	d.field("Revision", want.Revision, got.Revision)
	d.field("Supersedes", want.Supersedes, got.Supersedes)
	d.field("ChangeNote", want.ChangeNote, got.ChangeNote)
	d.field("Class", want.Class, got.Class)
	d.field("National", want.National, got.National)
	d.field("DiscoveredOn", want.DiscoveredOn, got.DiscoveredOn)
	d.time("DueAt", want.DueAt, got.DueAt)
	d.field("AmountFen", want.AmountFen, got.AmountFen)
	d.field("Category", want.Category, got.Category)
	d.field("InsuranceTypes", want.InsuranceTypes, got.InsuranceTypes)
	d.field("Title", want.Title, got.Title)
	d.field("Body", want.Body, got.Body)
	d.field("Recipients", want.Recipients, got.Recipients)
	d.field("Status", want.Status, got.Status)
	d.field("DraftedBy", want.DraftedBy, got.DraftedBy)
	d.time("CreatedAt", want.CreatedAt, got.CreatedAt)
	d.time("UpdatedAt", want.UpdatedAt, got.UpdatedAt)
	d.field("SignedBy", want.SignedBy, got.SignedBy)
	d.field("SignedByName", want.SignedByName, got.SignedByName)
	d.time("SignedAt", want.SignedAt, got.SignedAt)
	d.field("SignedHash", want.SignedHash, got.SignedHash)
	d.field("SubmittedBy", want.SubmittedBy, got.SubmittedBy)
	d.time("SubmittedAt", want.SubmittedAt, got.SubmittedAt)
	d.field("Version", want.Version, got.Version)
	return d.String()
}

func checkReport(t *testing.T, what string, want, got *store.ImportantReport) {
	t.Helper()
	if diff := reportDiff(want, got); diff != "" {
		t.Errorf("%s differs:\n\t%s", what, diff)
	}
}

// wantCodeAndMessage checks both the code and the exact sentence of a
// store error.
func wantCodeAndMessage(t *testing.T, what string, err error, code, message string) {
	t.Helper()
	wantCode(t, what, err, code)
	if got := store.ErrorMessage(err); err != nil && got != message {
		t.Errorf("%s: message %q, want %q", what, got, message)
	}
}

func reportIDs(rs []*store.ImportantReport) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		if r == nil {
			ids[i] = "<nil>"
			continue
		}
		ids[i] = r.ID
	}
	return ids
}

func countReports(t *testing.T, s store.ImportantStore) int {
	t.Helper()
	_, total, err := s.ListImportantReports(t.Context(), store.ImportantFilter{})
	if err != nil {
		t.Fatalf("ListImportantReports: %v", err)
	}
	return total
}

const hashA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func testCreateImportantReport(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("stores every field as a draft at version 1, times in UTC milliseconds", func(t *testing.T) {
		s := open(t)
		r := newReport("rep-1", "case-1", "220102", 48*time.Hour, 0)
		// Whatever the caller put in Status and Version, a new report is a
		// draft at version 1.
		r.Status, r.Version = store.ReportSubmitted, 7
		want := storedReport(r)
		mustCreateReport(t, s, r)
		if r.Status != store.ReportDraft || r.Version != 1 {
			t.Errorf("written back Status %q Version %d, want %q 1", r.Status, r.Version, store.ReportDraft)
		}
		got, err := s.ImportantReportInRegions(t.Context(), r.ID, []string{"220100", "220102"})
		if err != nil {
			t.Fatalf("ImportantReportInRegions: %v", err)
		}
		checkReport(t, "stored report", want, got)
	})

	t.Run("empty lists come back nil", func(t *testing.T) {
		s := open(t)
		r := newReport("rep-empty", "case-1", "220102", time.Hour, 0)
		r.InsuranceTypes, r.Recipients = []string{}, nil
		mustCreateReport(t, s, r)
		got := mustGetReport(t, s, r.ID, r.RegionCode)
		if got.InsuranceTypes != nil || got.Recipients != nil {
			t.Errorf("InsuranceTypes %#v Recipients %#v, want nil and nil", got.InsuranceTypes, got.Recipients)
		}
	})

	t.Run("requires ID, case, region and a revision of at least 1", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			change func(r *store.ImportantReport)
		}{
			{"no ID", func(r *store.ImportantReport) { r.ID = "" }},
			{"no case", func(r *store.ImportantReport) { r.CaseID = "" }},
			{"no region", func(r *store.ImportantReport) { r.RegionCode = "" }},
			{"revision 0", func(r *store.ImportantReport) { r.Revision = 0 }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := open(t)
				r := newReport("rep-bad", "case-1", "220102", time.Hour, 0)
				tc.change(r)
				wantCodeAndMessage(t, "CreateImportantReport", s.CreateImportantReport(t.Context(), r), store.EINVALID, store.MsgIncomplete)
				if n := countReports(t, s); n != 0 {
					t.Errorf("%d reports stored, want 0", n)
				}
			})
		}
	})

	t.Run("a used ID or a second report of one case revision is ECONFLICT and stores nothing", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			second *store.ImportantReport
		}{
			{"same ID, other case", newReport("rep-1", "case-2", "220102", time.Hour, time.Minute)},
			{"other ID, same case and revision", newReport("rep-2", "case-1", "220102", time.Hour, time.Minute)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := open(t)
				first := mustCreateReport(t, s, newReport("rep-1", "case-1", "220102", time.Hour, 0))
				want := storedReport(first)
				tc.second.Title = "第二份"
				wantCodeAndMessage(t, "second CreateImportantReport", s.CreateImportantReport(t.Context(), tc.second), store.ECONFLICT, store.MsgConflict)
				if n := countReports(t, s); n != 1 {
					t.Errorf("%d reports stored, want 1", n)
				}
				checkReport(t, "first report", want, mustGetReport(t, s, first.ID, first.RegionCode))
			})
		}
	})
}

func testImportantReportInRegions(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	r := mustCreateReport(t, s, newReport("rep-changchun", "case-1", "220102", time.Hour, 0))
	for _, tc := range []struct {
		name    string
		id      string
		regions []string
		found   bool
	}{
		{"its own region", r.ID, []string{"220102"}, true},
		{"its region among others", r.ID, []string{"220200", "220102", "220300"}, true},
		{"another region", r.ID, []string{"220200"}, false},
		{"a parent code is not expanded by the store", r.ID, []string{"220100"}, false},
		{"an empty scope", r.ID, nil, false},
		{"a missing ID", "rep-missing", []string{"220102"}, false},
		{"an empty ID", "", []string{"220102"}, false},
		{"an ID that looks like an operator", `{"$ne": ""}`, []string{"220102"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ImportantReportInRegions(t.Context(), tc.id, tc.regions)
			if tc.found {
				if err != nil || got == nil || got.ID != r.ID {
					t.Errorf("got %v, %v; want report %q", got, err, r.ID)
				}
				return
			}
			if got != nil {
				t.Errorf("got report %q, want none", got.ID)
			}
			// Another region and a missing report answer alike, so a
			// handler cannot tell whether a report exists out of scope.
			wantCodeAndMessage(t, "ImportantReportInRegions", err, store.ENOTFOUND, store.MsgReportNotFound)
		})
	}
}

func testUpdateImportantDraft(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("replaces the editable fields only and bumps version", func(t *testing.T) {
		s := open(t)
		r := mustCreateReport(t, s, newReport("rep-1", "case-1", "220102", time.Hour, 0))
		want := storedReport(r)

		edit := *r
		edit.Title, edit.Body = "修改后的标题", "修改后的正文 😀"
		edit.Recipients = []string{"长春市社会保险基金监督委员会"}
		edit.AmountFen = 9_999_999
		edit.Category = "misappropriation"
		edit.InsuranceTypes = []string{"unemployment"}
		edit.Class, edit.National = store.ClassImportant, false
		edit.DiscoveredOn = "2026-03-12"
		edit.DueAt = callerTime(24 * time.Hour)
		edit.ChangeNote = "补充核实情况"
		edit.UpdatedAt = callerTime(30 * time.Minute)
		// Not editable: the store keeps what it has.
		edit.CaseID, edit.CaseNumber, edit.RegionCode = "case-other", "2026-999999", "220200"
		edit.Revision, edit.Supersedes, edit.DraftedBy = 9, "rep-0", "user-other"
		edit.CreatedAt = callerTime(time.Hour)
		edit.Status = store.ReportSubmitted
		edit.SignedBy, edit.SignedHash = "user-leader", hashA
		if err := s.UpdateImportantDraft(t.Context(), &edit); err != nil {
			t.Fatalf("UpdateImportantDraft: %v", err)
		}
		if edit.Version != 2 {
			t.Errorf("written back Version %d, want 2", edit.Version)
		}
		want.Title, want.Body, want.Recipients = edit.Title, edit.Body, edit.Recipients
		want.AmountFen, want.Category, want.InsuranceTypes = edit.AmountFen, edit.Category, edit.InsuranceTypes
		want.Class, want.National, want.DiscoveredOn = edit.Class, edit.National, edit.DiscoveredOn
		want.DueAt, want.ChangeNote, want.UpdatedAt = store.Truncate(edit.DueAt), edit.ChangeNote, store.Truncate(edit.UpdatedAt)
		want.Version = 2
		checkReport(t, "updated draft", want, mustGetReport(t, s, r.ID, r.RegionCode))

		again := edit
		again.Title = "再次修改"
		if err := s.UpdateImportantDraft(t.Context(), &again); err != nil {
			t.Fatalf("second UpdateImportantDraft: %v", err)
		}
		if got := mustGetReport(t, s, r.ID, r.RegionCode); got.Version != 3 || got.Title != again.Title || again.Version != 3 {
			t.Errorf("after the second update: Version %d (written back %d) Title %q, want 3 and %q", got.Version, again.Version, got.Title, again.Title)
		}
	})

	t.Run("a stale version is MsgStaleRecord and changes nothing", func(t *testing.T) {
		s := open(t)
		r := mustCreateReport(t, s, newReport("rep-1", "case-1", "220102", time.Hour, 0))
		mine, theirs := *r, *r
		theirs.Title = "他人的修改"
		if err := s.UpdateImportantDraft(t.Context(), &theirs); err != nil {
			t.Fatalf("UpdateImportantDraft: %v", err)
		}
		want := mustGetReport(t, s, r.ID, r.RegionCode)
		mine.Title = "我的修改"
		wantCodeAndMessage(t, "UpdateImportantDraft from version 1", s.UpdateImportantDraft(t.Context(), &mine), store.ECONFLICT, store.MsgStaleRecord)
		if mine.Version != 1 {
			t.Errorf("a refused update wrote back Version %d, want 1 kept", mine.Version)
		}
		checkReport(t, "report after the refused update", want, mustGetReport(t, s, r.ID, r.RegionCode))
	})

	t.Run("a missing report is not found", func(t *testing.T) {
		s := open(t)
		r := newReport("rep-missing", "case-1", "220102", time.Hour, 0)
		r.Version = 1
		wantCodeAndMessage(t, "UpdateImportantDraft", s.UpdateImportantDraft(t.Context(), r), store.ENOTFOUND, store.MsgReportNotFound)
	})
}

func testSignImportantReport(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("records who, when and the hash, and freezes the report", func(t *testing.T) {
		s := open(t)
		r := mustCreateReport(t, s, newReport("rep-1", "case-1", "220102", time.Hour, 0))
		want := storedReport(r)
		signedAt := callerTime(40 * time.Minute)
		got, err := s.SignImportantReport(t.Context(), r.ID, 1, "user-leader", "王局长", signedAt, hashA)
		if err != nil {
			t.Fatalf("SignImportantReport: %v", err)
		}
		want.Status = store.ReportSigned
		want.SignedBy, want.SignedByName, want.SignedAt, want.SignedHash = "user-leader", "王局长", store.Truncate(signedAt), hashA
		want.UpdatedAt = store.Truncate(signedAt)
		want.Version = 2
		checkReport(t, "returned report", want, got)
		checkReport(t, "stored report", want, mustGetReport(t, s, r.ID, r.RegionCode))

		edit := *got
		edit.Body = "签发后篡改"
		wantCodeAndMessage(t, "UpdateImportantDraft of a signed report", s.UpdateImportantDraft(t.Context(), &edit), store.ECONFLICT, store.MsgReportFrozen)
		stale := *r
		wantCodeAndMessage(t, "UpdateImportantDraft of a signed report at its draft version", s.UpdateImportantDraft(t.Context(), &stale), store.ECONFLICT, store.MsgReportFrozen)
		_, err = s.SignImportantReport(t.Context(), r.ID, 2, "user-leader-2", "李局长", callerTime(time.Hour), "other")
		wantCodeAndMessage(t, "SignImportantReport of a signed report", err, store.ECONFLICT, store.MsgReportFrozen)
		checkReport(t, "report after the refused changes", want, mustGetReport(t, s, r.ID, r.RegionCode))
	})

	t.Run("a stale version is MsgStaleRecord and signs nothing", func(t *testing.T) {
		s := open(t)
		r := mustCreateReport(t, s, newReport("rep-1", "case-1", "220102", time.Hour, 0))
		edit := *r
		edit.Body = "领导看过之后又改了"
		if err := s.UpdateImportantDraft(t.Context(), &edit); err != nil {
			t.Fatalf("UpdateImportantDraft: %v", err)
		}
		_, err := s.SignImportantReport(t.Context(), r.ID, 1, "user-leader", "王局长", callerTime(time.Hour), hashA)
		wantCodeAndMessage(t, "SignImportantReport at version 1", err, store.ECONFLICT, store.MsgStaleRecord)
		if got := mustGetReport(t, s, r.ID, r.RegionCode); got.Status != store.ReportDraft || got.SignedBy != "" || !got.SignedAt.IsZero() {
			t.Errorf("after a stale sign: Status %q SignedBy %q SignedAt %s, want an unsigned draft", got.Status, got.SignedBy, got.SignedAt)
		}
	})

	t.Run("a missing report is not found", func(t *testing.T) {
		s := open(t)
		_, err := s.SignImportantReport(t.Context(), "rep-missing", 1, "user-leader", "王局长", callerTime(0), hashA)
		wantCodeAndMessage(t, "SignImportantReport", err, store.ENOTFOUND, store.MsgReportNotFound)
	})

	t.Run("of concurrent signs from one version exactly one wins", func(t *testing.T) {
		s := open(t)
		r := mustCreateReport(t, s, newReport("rep-1", "case-1", "220102", time.Hour, 0))
		const n = 5
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.SignImportantReport(t.Context(), r.ID, 1, fmt.Sprintf("leader-%d", i), "领导", callerTime(time.Hour), hashA)
			})
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Errorf("signs %d and %d both succeeded", winner, i)
				}
				winner = i
				continue
			}
			wantCode(t, fmt.Sprintf("sign %d", i), err, store.ECONFLICT)
		}
		if winner < 0 {
			t.Fatalf("no sign succeeded: %v", errs)
		}
		if got := mustGetReport(t, s, r.ID, r.RegionCode); got.SignedBy != fmt.Sprintf("leader-%d", winner) || got.Version != 2 {
			t.Errorf("SignedBy %q Version %d, want leader-%d and 2", got.SignedBy, got.Version, winner)
		}
	})
}

func testSubmitImportantReport(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("moves a signed report to submitted, once", func(t *testing.T) {
		s := open(t)
		r := mustCreateReport(t, s, newReport("rep-1", "case-1", "220102", time.Hour, 0))
		signed, err := s.SignImportantReport(t.Context(), r.ID, 1, "user-leader", "王局长", callerTime(40*time.Minute), hashA)
		if err != nil {
			t.Fatalf("SignImportantReport: %v", err)
		}
		submittedAt := callerTime(50 * time.Minute)
		got, err := s.SubmitImportantReport(t.Context(), r.ID, "user-clerk", submittedAt)
		if err != nil {
			t.Fatalf("SubmitImportantReport: %v", err)
		}
		want := *signed
		want.Status = store.ReportSubmitted
		want.SubmittedBy, want.SubmittedAt = "user-clerk", store.Truncate(submittedAt)
		want.UpdatedAt = store.Truncate(submittedAt)
		want.Version = 3
		checkReport(t, "returned report", &want, got)
		checkReport(t, "stored report", &want, mustGetReport(t, s, r.ID, r.RegionCode))

		_, err = s.SubmitImportantReport(t.Context(), r.ID, "user-clerk-2", callerTime(time.Hour))
		wantCodeAndMessage(t, "second SubmitImportantReport", err, store.ECONFLICT, store.MsgAlreadyDone)
		edit := *got
		wantCodeAndMessage(t, "UpdateImportantDraft of a submitted report", s.UpdateImportantDraft(t.Context(), &edit), store.ECONFLICT, store.MsgReportFrozen)
		_, err = s.SignImportantReport(t.Context(), r.ID, 3, "user-leader", "王局长", callerTime(time.Hour), hashA)
		wantCodeAndMessage(t, "SignImportantReport of a submitted report", err, store.ECONFLICT, store.MsgReportFrozen)
		checkReport(t, "report after the refused changes", &want, mustGetReport(t, s, r.ID, r.RegionCode))
	})

	t.Run("a draft cannot be submitted", func(t *testing.T) {
		s := open(t)
		r := mustCreateReport(t, s, newReport("rep-1", "case-1", "220102", time.Hour, 0))
		_, err := s.SubmitImportantReport(t.Context(), r.ID, "user-clerk", callerTime(time.Hour))
		wantCodeAndMessage(t, "SubmitImportantReport of a draft", err, store.ECONFLICT, store.MsgAlreadyDone)
		if got := mustGetReport(t, s, r.ID, r.RegionCode); got.Status != store.ReportDraft || got.Version != 1 || got.SubmittedBy != "" {
			t.Errorf("Status %q Version %d SubmittedBy %q, want an untouched draft", got.Status, got.Version, got.SubmittedBy)
		}
	})

	t.Run("a missing report is not found", func(t *testing.T) {
		s := open(t)
		_, err := s.SubmitImportantReport(t.Context(), "rep-missing", "user-clerk", callerTime(0))
		wantCodeAndMessage(t, "SubmitImportantReport", err, store.ENOTFOUND, store.MsgReportNotFound)
	})
}

func testReportRevisions(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	first := mustCreateReport(t, s, newReport("rep-1", "case-1", "220102", time.Hour, 0))
	if _, err := s.SignImportantReport(t.Context(), first.ID, 1, "user-leader", "王局长", callerTime(10*time.Minute), hashA); err != nil {
		t.Fatalf("SignImportantReport: %v", err)
	}
	correction := newReport("rep-2", "case-1", "220102", time.Hour, 20*time.Minute)
	correction.Revision, correction.Supersedes, correction.ChangeNote = 2, first.ID, "更正涉及金额"
	correction.AmountFen = 60_000_000
	want := storedReport(correction)
	mustCreateReport(t, s, correction)
	checkReport(t, "correction", want, mustGetReport(t, s, correction.ID, correction.RegionCode))
	if got := mustGetReport(t, s, first.ID, first.RegionCode); got.Status != store.ReportSigned || got.AmountFen != first.AmountFen {
		t.Errorf("the corrected report changed: Status %q AmountFen %d", got.Status, got.AmountFen)
	}
	list, total, err := s.ListImportantReports(t.Context(), store.ImportantFilter{CaseID: "case-1"})
	if err != nil {
		t.Fatalf("ListImportantReports: %v", err)
	}
	// Both are due at the same time; the newer comes first.
	if ids := reportIDs(list); total != 2 || !slices.Equal(ids, []string{"rep-2", "rep-1"}) {
		t.Errorf("reports of the case: %v (total %d), want [rep-2 rep-1] (2)", ids, total)
	}
}

func testListImportantReports(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	// Due times and creation times chosen so that order by due time, then
	// newest, differs from order by ID and by creation.
	fixtures := []struct {
		id, caseID, region string
		revision           int
		due, created       time.Duration
		sign, submit       bool
	}{
		{"rep-a", "case-1", "220102", 1, 72 * time.Hour, 0, false, false},
		{"rep-b", "case-2", "220102", 1, 24 * time.Hour, time.Minute, true, false},
		{"rep-c", "case-3", "220202", 1, 48 * time.Hour, 2 * time.Minute, true, true},
		{"rep-d", "case-4", "220202", 1, 24 * time.Hour, 3 * time.Minute, false, false},
		{"rep-e", "case-5", "220302", 1, 96 * time.Hour, 4 * time.Minute, false, false},
		{"rep-f", "case-1", "220102", 2, 24 * time.Hour, 3 * time.Minute, false, false},
	}
	for _, f := range fixtures {
		r := newReport(f.id, f.caseID, f.region, f.due, f.created)
		r.Revision = f.revision
		mustCreateReport(t, s, r)
		if f.sign {
			if _, err := s.SignImportantReport(t.Context(), f.id, 1, "user-leader", "王局长", callerTime(time.Hour), hashA); err != nil {
				t.Fatalf("SignImportantReport(%q): %v", f.id, err)
			}
		}
		if f.submit {
			if _, err := s.SubmitImportantReport(t.Context(), f.id, "user-clerk", callerTime(2*time.Hour)); err != nil {
				t.Fatalf("SubmitImportantReport(%q): %v", f.id, err)
			}
		}
	}
	for _, tc := range []struct {
		name      string
		filter    store.ImportantFilter
		wantIDs   []string
		wantTotal int
	}{
		// rep-d and rep-f share a due time and a creation time: ID decides.
		{"everything, due soonest first, then newest", store.ImportantFilter{},
			[]string{"rep-d", "rep-f", "rep-b", "rep-c", "rep-a", "rep-e"}, 6},
		{"one region", store.ImportantFilter{RegionCodes: []string{"220102"}},
			[]string{"rep-f", "rep-b", "rep-a"}, 3},
		{"two regions", store.ImportantFilter{RegionCodes: []string{"220202", "220302"}},
			[]string{"rep-d", "rep-c", "rep-e"}, 3},
		{"a region without reports", store.ImportantFilter{RegionCodes: []string{"222400"}}, []string{}, 0},
		{"one case", store.ImportantFilter{CaseID: "case-1"}, []string{"rep-f", "rep-a"}, 2},
		{"drafts", store.ImportantFilter{Statuses: []string{store.ReportDraft}},
			[]string{"rep-d", "rep-f", "rep-a", "rep-e"}, 4},
		{"signed or submitted", store.ImportantFilter{Statuses: []string{store.ReportSigned, store.ReportSubmitted}},
			[]string{"rep-b", "rep-c"}, 2},
		{"due before two days, exclusive", store.ImportantFilter{DueBefore: at(48 * time.Hour)},
			[]string{"rep-d", "rep-f", "rep-b"}, 3},
		{"every filter at once", store.ImportantFilter{RegionCodes: []string{"220102", "220202"},
			Statuses: []string{store.ReportDraft}, DueBefore: at(100 * time.Hour), CaseID: "case-4"},
			[]string{"rep-d"}, 1},
		{"a page", store.ImportantFilter{Limit: 2, Offset: 1}, []string{"rep-f", "rep-b"}, 6},
		{"a page past the end", store.ImportantFilter{Limit: 2, Offset: 10}, []string{}, 6},
		{"a negative offset means 0", store.ImportantFilter{Limit: 1, Offset: -3}, []string{"rep-d"}, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := s.ListImportantReports(t.Context(), tc.filter)
			if err != nil {
				t.Fatalf("ListImportantReports: %v", err)
			}
			if ids := reportIDs(got); !slices.Equal(ids, tc.wantIDs) || total != tc.wantTotal {
				t.Errorf("got %v (total %d), want %v (total %d)", ids, total, tc.wantIDs, tc.wantTotal)
			}
		})
	}
	t.Run("listed reports carry every field", func(t *testing.T) {
		list, _, err := s.ListImportantReports(t.Context(), store.ImportantFilter{CaseID: "case-3"})
		if err != nil || len(list) != 1 {
			t.Fatalf("ListImportantReports: %v, %v", reportIDs(list), err)
		}
		checkReport(t, "listed report", mustGetReport(t, s, "rep-c", "220202"), list[0])
	})
}

// newQuarterly returns a city's quarterly statistics with rows in an order
// that is not sorted, so a store that reorders them shows up.
func newQuarterly(city string, year, quarter int) *store.QuarterlyReport {
	return &store.QuarterlyReport{
		ID:       fmt.Sprintf("q-%s-%d-%d", city, year, quarter),
		CityCode: city,
		Year:     year,
		Quarter:  quarter,
		Rows: []store.QuarterlyRow{
			{Class: store.ClassMajor, Category: "misappropriation", InsuranceType: "pension", Count: 1, AmountFen: 12_345_678_901},
			{Class: store.ClassImportant, Category: "fraudulent_claims", InsuranceType: "medical", Count: 17, AmountFen: 9_999_999},
			{Class: store.ClassImportant, Category: "embezzlement", InsuranceType: "其他", Count: 0, AmountFen: 0},
		},
		DueAt:           callerTime(15 * 24 * time.Hour),
		SubmittedBy:     "user-city-" + city,
		SubmittedByName: "市局统计员",
		SubmittedAt:     callerTime(10 * 24 * time.Hour),
	}
}

func quarterlyDiff(want, got *store.QuarterlyReport) string {
	if got == nil {
		return "got a nil quarterly report"
	}
	var d differ
	d.field("ID", want.ID, got.ID)
	d.field("CityCode", want.CityCode, got.CityCode)
	d.field("Year", want.Year, got.Year)
	d.field("Quarter", want.Quarter, got.Quarter)
	d.field("Rows", want.Rows, got.Rows)
	d.time("DueAt", store.Truncate(want.DueAt), got.DueAt)
	d.field("SubmittedBy", want.SubmittedBy, got.SubmittedBy)
	d.field("SubmittedByName", want.SubmittedByName, got.SubmittedByName)
	d.time("SubmittedAt", store.Truncate(want.SubmittedAt), got.SubmittedAt)
	return d.String()
}

func quarterlyCities(qs []*store.QuarterlyReport) []string {
	cities := make([]string, len(qs))
	for i, q := range qs {
		cities[i] = q.CityCode
	}
	return cities
}

func testQuarterlyReports(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("stores rows in order and reads them back whole", func(t *testing.T) {
		s := open(t)
		q := newQuarterly("220100", 2026, 1)
		if err := s.SubmitQuarterlyReport(t.Context(), q); err != nil {
			t.Fatalf("SubmitQuarterlyReport: %v", err)
		}
		got, err := s.QuarterlyReports(t.Context(), 2026, 1, []string{"220100"})
		if err != nil {
			t.Fatalf("QuarterlyReports: %v", err)
		}
		if len(got) != 1 {
			t.Fatalf("got %d reports, want 1", len(got))
		}
		if diff := quarterlyDiff(q, got[0]); diff != "" {
			t.Errorf("quarterly report differs:\n\t%s", diff)
		}
	})

	t.Run("a quarter without cases has no rows", func(t *testing.T) {
		s := open(t)
		q := newQuarterly("220800", 2026, 2)
		q.Rows = []store.QuarterlyRow{}
		if err := s.SubmitQuarterlyReport(t.Context(), q); err != nil {
			t.Fatalf("SubmitQuarterlyReport: %v", err)
		}
		got, err := s.QuarterlyReports(t.Context(), 2026, 2, nil)
		if err != nil || len(got) != 1 {
			t.Fatalf("QuarterlyReports: %d reports, %v", len(got), err)
		}
		if got[0].Rows != nil {
			t.Errorf("Rows %#v, want nil", got[0].Rows)
		}
	})

	t.Run("a second submission is MsgAlreadyDone and keeps the first", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			id   string
		}{
			{"same ID", "q-220100-2026-1"},
			{"same city and quarter under another ID", "q-other"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := open(t)
				first := newQuarterly("220100", 2026, 1)
				if err := s.SubmitQuarterlyReport(t.Context(), first); err != nil {
					t.Fatalf("SubmitQuarterlyReport: %v", err)
				}
				second := newQuarterly("220100", 2026, 1)
				second.ID = tc.id
				second.Rows = second.Rows[:1]
				second.SubmittedBy = "user-late"
				wantCodeAndMessage(t, "second SubmitQuarterlyReport", s.SubmitQuarterlyReport(t.Context(), second), store.ECONFLICT, store.MsgAlreadyDone)
				got, err := s.QuarterlyReports(t.Context(), 2026, 1, nil)
				if err != nil || len(got) != 1 {
					t.Fatalf("QuarterlyReports: %d reports, %v", len(got), err)
				}
				if diff := quarterlyDiff(first, got[0]); diff != "" {
					t.Errorf("stored report differs from the first submission:\n\t%s", diff)
				}
			})
		}
	})

	t.Run("requires ID, city and a quarter from 1 to 4", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			change func(q *store.QuarterlyReport)
		}{
			{"no ID", func(q *store.QuarterlyReport) { q.ID = "" }},
			{"no city", func(q *store.QuarterlyReport) { q.CityCode = "" }},
			{"quarter 0", func(q *store.QuarterlyReport) { q.Quarter = 0 }},
			{"quarter 5", func(q *store.QuarterlyReport) { q.Quarter = 5 }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := open(t)
				q := newQuarterly("220100", 2026, 1)
				tc.change(q)
				wantCodeAndMessage(t, "SubmitQuarterlyReport", s.SubmitQuarterlyReport(t.Context(), q), store.EINVALID, store.MsgIncomplete)
			})
		}
	})

	t.Run("selects a quarter and cities, by city code", func(t *testing.T) {
		s := open(t)
		for _, q := range []*store.QuarterlyReport{
			newQuarterly("222400", 2026, 1),
			newQuarterly("220100", 2026, 1),
			newQuarterly("220300", 2026, 1),
			newQuarterly("220100", 2026, 2),
			newQuarterly("220100", 2025, 1),
		} {
			if err := s.SubmitQuarterlyReport(t.Context(), q); err != nil {
				t.Fatalf("SubmitQuarterlyReport(%q): %v", q.ID, err)
			}
		}
		for _, tc := range []struct {
			name          string
			year, quarter int
			cities        []string
			want          []string
		}{
			{"all cities", 2026, 1, nil, []string{"220100", "220300", "222400"}},
			{"some cities", 2026, 1, []string{"222400", "220100", "220200"}, []string{"220100", "222400"}},
			{"a city that has not submitted", 2026, 1, []string{"220200"}, []string{}},
			{"another quarter", 2026, 2, nil, []string{"220100"}},
			{"another year", 2025, 1, []string{"220100"}, []string{"220100"}},
			{"a quarter nobody submitted", 2026, 3, nil, []string{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.QuarterlyReports(t.Context(), tc.year, tc.quarter, tc.cities)
				if err != nil {
					t.Fatalf("QuarterlyReports: %v", err)
				}
				if cities := quarterlyCities(got); !slices.Equal(cities, tc.want) {
					t.Errorf("got cities %v, want %v", cities, tc.want)
				}
				for _, q := range got {
					if q.Year != tc.year || q.Quarter != tc.quarter {
						t.Errorf("report %q is of %d Q%d, want %d Q%d", q.ID, q.Year, q.Quarter, tc.year, tc.quarter)
					}
				}
			})
		}
	})
}
