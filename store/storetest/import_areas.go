package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"fundwatch/store"
)

// RunImports runs the part of the suite about copying an installation
// between backends, area by area: the import methods, the list methods that
// find every record to copy, and the methods that copy as they are
// (SubmitQuarterlyReport, PutCalendarYear). It is the conformance that
// fundwatch migrate-data relies on beyond ImportCase (which RunCases
// covers). Run does not include it, so that a backend's tests can run it on
// its own (go test -run Import, next to migrate-data's tests); every
// backend's tests call both.
//
// Beyond the doc comments it pins down: an import writes nothing back into
// what it was given; a record read from one store and imported into
// another reads back equal, field by field; and an imported record goes on
// from its state (an imported draft can be edited from its version, a
// used TOTP step stays used, AppendAudit continues the imported chain).
func RunImports(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	runGroups(t, open, []group[store.Store]{
		{"ImportUser", testImportUser},
		{"ImportAuditEntry", testImportAuditEntry},
		{"ImportImportantReport", testImportImportantReport},
		{"CopyQuarterlyReports", testCopyQuarterlyReports},
		{"ImportSetting", testImportSetting},
		{"CopyCalendar", testCopyCalendar},
		{"ImportMail", testImportMail},
		{"ImportPublication", testImportPublication},
	})
}

// unchanged fails the test when an import wrote into what it was given.
func unchanged[T any](t *testing.T, what string, before T, after T) {
	t.Helper()
	if !reflect.DeepEqual(before, after) {
		t.Errorf("%s wrote into the record it was given:\n\tbefore %+v\n\tafter  %+v", what, before, after)
	}
}

func allUsers(t *testing.T, s store.AccountStore) []*store.User {
	t.Helper()
	us, err := s.ListUsers(t.Context(), store.UserFilter{IncludeDisabled: true})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	return us
}

func testImportUser(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("stores every field as given, Version and TOTPLastStep included", func(t *testing.T) {
		s := open(t)
		u := newUser("user-imported", "Li.Si")
		u.Version, u.TOTPLastStep, u.Disabled = 7, 58_000_123, true
		before := *u
		if err := s.ImportUser(t.Context(), u); err != nil {
			t.Fatalf("ImportUser: %v", err)
		}
		unchanged(t, "ImportUser", before, *u)
		want := storedUser(u)
		want.Version = 7
		checkUser(t, "UserByID", want, mustUser(t, s, u.ID))
		got, err := s.UserByUsername(t.Context(), "LI.SI")
		if err != nil {
			t.Fatalf("UserByUsername: %v", err)
		}
		checkUser(t, "UserByUsername", want, got)
		if all := allUsers(t, s); len(all) != 1 {
			t.Errorf("ListUsers(IncludeDisabled) gives %d users, want the disabled imported one", len(all))
		}
	})

	t.Run("a user read from one store reads back the same from another", func(t *testing.T) {
		src := open(t)
		u := mustCreateUser(t, src, newUser("user-1", "wang.wu"))
		u.Name, u.Role, u.PasswordHash = "王五（调任）", store.RoleLeader, "$argon2id$v=19$m=65536,t=3,p=2$bmV3$bmV3aGFzaA"
		if err := src.UpdateUser(t.Context(), u); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if err := src.UseTOTPStep(t.Context(), u.ID, 58_000_500); err != nil {
			t.Fatalf("UseTOTPStep: %v", err)
		}
		plain := newUser("user-2", "no.totp")
		plain.TOTPSealed, plain.TOTPLastStep = nil, 0
		mustCreateUser(t, src, plain)

		dst := open(t)
		for _, su := range allUsers(t, src) {
			if err := dst.ImportUser(t.Context(), su); err != nil {
				t.Fatalf("ImportUser(%q): %v", su.ID, err)
			}
		}
		for _, id := range []string{"user-1", "user-2"} {
			checkUser(t, "imported "+id, mustUser(t, src, id), mustUser(t, dst, id))
		}
	})

	t.Run("an imported user goes on from its version and last TOTP step", func(t *testing.T) {
		s := open(t)
		u := newUser("user-1", "zhao.liu")
		u.Version, u.TOTPLastStep = 5, 1000
		if err := s.ImportUser(t.Context(), u); err != nil {
			t.Fatalf("ImportUser: %v", err)
		}
		wantError(t, "UseTOTPStep of the imported last step", s.UseTOTPStep(t.Context(), u.ID, 1000), store.ECONFLICT, store.MsgCodeUsed)
		if err := s.UseTOTPStep(t.Context(), u.ID, 1001); err != nil {
			t.Errorf("UseTOTPStep after the imported last step: %v", err)
		}
		edit := mustUser(t, s, u.ID)
		edit.Name = "赵六"
		if err := s.UpdateUser(t.Context(), edit); err != nil || edit.Version != 6 {
			t.Errorf("UpdateUser from the imported version 5: %v, version %d; want nil, 6", err, edit.Version)
		}
	})

	t.Run("an ID or a username in use is ECONFLICT and writes nothing", func(t *testing.T) {
		s := open(t)
		first := mustCreateUser(t, s, newUser("user-1", "Li.Si"))
		takenName := newUser("user-2", "LI.SI")
		takenName.Version = 3
		wantError(t, "ImportUser with a taken username", s.ImportUser(t.Context(), takenName), store.ECONFLICT, store.MsgUsernameTaken)
		takenID := newUser("user-1", "zhou.qi")
		takenID.Version = 3
		wantError(t, "ImportUser with a taken ID", s.ImportUser(t.Context(), takenID), store.ECONFLICT, store.MsgConflict)
		checkUser(t, "the first user", storedUser(first), mustUser(t, s, "user-1"))
		if all := allUsers(t, s); len(all) != 1 {
			t.Errorf("%d users after refused imports, want 1", len(all))
		}
	})

	t.Run("an empty ID or username, or a version below 1, is EINVALID and writes nothing", func(t *testing.T) {
		s := open(t)
		for _, tc := range []struct {
			name     string
			id, user string
			version  int64
		}{
			{"no ID", "", "no.id", 1},
			{"no username", "user-x", "", 1},
			{"version 0", "user-x", "zero", 0},
			{"negative version", "user-x", "negative", -1},
		} {
			u := newUser(tc.id, tc.user)
			u.Version = tc.version
			wantError(t, "ImportUser with "+tc.name, s.ImportUser(t.Context(), u), store.EINVALID, store.MsgIncomplete)
		}
		if all := allUsers(t, s); len(all) != 0 {
			t.Errorf("%d users after refused imports, want none", len(all))
		}
	})
}

func testImportAuditEntry(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("a chain copied in Seq order is the same chain, verifies, and goes on", func(t *testing.T) {
		src := open(t)
		for i := range 7 {
			mustAppend(t, src, newAuditEntry(i))
		}
		want := allAudit(t, src)
		dst := open(t)
		for _, e := range want {
			if err := dst.ImportAuditEntry(t.Context(), e); err != nil {
				t.Fatalf("ImportAuditEntry(%d): %v", e.Seq, err)
			}
		}
		checkAudit(t, "the copied log", want, allAudit(t, dst))
		if checked, firstBad, err := store.VerifyAuditChain(t.Context(), dst, 3); err != nil || checked != 7 || firstBad != 0 {
			t.Errorf("VerifyAuditChain on the copy = %d, %d, %v; want 7, 0, nil", checked, firstBad, err)
		}
		next := mustAppend(t, dst, newAuditEntry(7))
		if next.Seq != 8 || next.PrevHash != want[6].Hash {
			t.Errorf("AppendAudit after the copy: Seq %d PrevHash %q; want 8 after %q", next.Seq, next.PrevHash, want[6].Hash)
		}
		checkChain(t, allAudit(t, dst))
	})

	t.Run("stores Seq, PrevHash and Hash as given and recomputes nothing", func(t *testing.T) {
		s := open(t)
		e := newAuditEntry(1)
		e.Seq, e.PrevHash, e.Hash = 1, "not-empty-for-the-first", "not-the-hash"
		if err := s.ImportAuditEntry(t.Context(), e); err != nil {
			t.Fatalf("ImportAuditEntry: %v", err)
		}
		want := e
		want.At = store.Truncate(e.At)
		checkAudit(t, "the imported entry", []store.AuditEntry{want}, allAudit(t, s))
		// A broken chain arrives broken, where it was broken.
		if checked, firstBad, err := store.VerifyAuditChain(t.Context(), s, 10); err != nil || checked != 0 || firstBad != 1 {
			t.Errorf("VerifyAuditChain = %d, %d, %v; want 0, 1, nil", checked, firstBad, err)
		}
	})

	t.Run("a Seq in use is ECONFLICT and changes nothing", func(t *testing.T) {
		s := open(t)
		first := mustAppend(t, s, newAuditEntry(0))
		other := newAuditEntry(5)
		other.Seq, other.Hash = 1, store.AuditHash(other)
		wantError(t, "ImportAuditEntry of an appended Seq", s.ImportAuditEntry(t.Context(), other), store.ECONFLICT, store.MsgConflict)
		copied := first
		copied.Detail = "改过的内容"
		wantError(t, "ImportAuditEntry of the same Seq again", s.ImportAuditEntry(t.Context(), copied), store.ECONFLICT, store.MsgConflict)
		checkAudit(t, "the log", []store.AuditEntry{first}, allAudit(t, s))
	})

	t.Run("a Seq below 1, a zero At or an empty Action is EINVALID", func(t *testing.T) {
		s := open(t)
		valid := newAuditEntry(1)
		valid.Seq = 1
		for _, tc := range []struct {
			name   string
			change func(e *store.AuditEntry)
		}{
			{"Seq 0", func(e *store.AuditEntry) { e.Seq = 0 }},
			{"Seq -1", func(e *store.AuditEntry) { e.Seq = -1 }},
			{"zero At", func(e *store.AuditEntry) { e.At = time.Time{} }},
			{"empty Action", func(e *store.AuditEntry) { e.Action = "" }},
		} {
			e := valid
			tc.change(&e)
			wantError(t, "ImportAuditEntry with "+tc.name, s.ImportAuditEntry(t.Context(), e), store.EINVALID, store.MsgIncomplete)
		}
		if all := allAudit(t, s); len(all) != 0 {
			t.Errorf("%d entries after refused imports, want none", len(all))
		}
	})
}

// allReports pages through every report with the zero filter.
func allReports(t *testing.T, s store.ImportantStore, limit int) []*store.ImportantReport {
	t.Helper()
	var out []*store.ImportantReport
	for {
		page, total, err := s.ListImportantReports(t.Context(), store.ImportantFilter{Limit: limit, Offset: len(out)})
		if err != nil {
			t.Fatalf("ListImportantReports: %v", err)
		}
		out = append(out, page...)
		if len(page) == 0 || len(out) >= total {
			return out
		}
	}
}

func testImportImportantReport(t *testing.T, open func(t *testing.T) store.Store) {
	// reports builds, in one store, a submitted report, its correction as a
	// draft, and a draft of another case without lists, and returns them as
	// stored.
	reports := func(t *testing.T, s store.Store) []*store.ImportantReport {
		t.Helper()
		first := mustCreateReport(t, s, newReport("rep-1", "case-1", "220102", time.Hour, 0))
		if _, err := s.SignImportantReport(t.Context(), first.ID, 1, "user-leader", "王局长", callerTime(10*time.Minute), hashA); err != nil {
			t.Fatalf("SignImportantReport: %v", err)
		}
		if _, err := s.SubmitImportantReport(t.Context(), first.ID, "user-leader", callerTime(11*time.Minute)); err != nil {
			t.Fatalf("SubmitImportantReport: %v", err)
		}
		correction := newReport("rep-2", "case-1", "220102", time.Hour, 20*time.Minute)
		correction.Revision, correction.Supersedes, correction.ChangeNote = 2, first.ID, "更正涉及金额"
		mustCreateReport(t, s, correction)
		bare := newReport("rep-3", "case-2", "220202", 2*time.Hour, 30*time.Minute)
		bare.InsuranceTypes, bare.Recipients = nil, []string{}
		mustCreateReport(t, s, bare)
		return []*store.ImportantReport{
			mustGetReport(t, s, "rep-1", "220102"), mustGetReport(t, s, "rep-2", "220102"), mustGetReport(t, s, "rep-3", "220202"),
		}
	}

	t.Run("copies submitted reports, corrections and drafts field by field", func(t *testing.T) {
		src := open(t)
		want := reports(t, src)
		dst := open(t)
		for _, r := range want {
			before := *r
			if err := dst.ImportImportantReport(t.Context(), r); err != nil {
				t.Fatalf("ImportImportantReport(%q): %v", r.ID, err)
			}
			unchanged(t, "ImportImportantReport", before, *r)
		}
		for _, r := range want {
			checkReport(t, "imported "+r.ID, r, mustGetReport(t, dst, r.ID, r.RegionCode))
		}
		if got := reportIDs(allReports(t, dst, 0)); len(got) != 3 {
			t.Errorf("ListImportantReports lists %v, want the 3 imported", got)
		}
	})

	t.Run("stores times in stored form and the status and version as given", func(t *testing.T) {
		s := open(t)
		r := newReport("rep-1", "case-1", "220102", time.Hour, 0)
		r.Status, r.Version = store.ReportSigned, 4
		r.SignedBy, r.SignedByName, r.SignedAt, r.SignedHash = "user-leader", "王局长", callerTime(time.Minute), hashA
		if err := s.ImportImportantReport(t.Context(), r); err != nil {
			t.Fatalf("ImportImportantReport: %v", err)
		}
		want := storedReport(r)
		want.Status, want.Version = store.ReportSigned, 4
		checkReport(t, "imported report", want, mustGetReport(t, s, r.ID, r.RegionCode))
	})

	t.Run("an imported report goes on from its status and version", func(t *testing.T) {
		src := open(t)
		rs := reports(t, src)
		dst := open(t)
		for _, r := range rs {
			if err := dst.ImportImportantReport(t.Context(), r); err != nil {
				t.Fatalf("ImportImportantReport(%q): %v", r.ID, err)
			}
		}
		draft := mustGetReport(t, dst, "rep-2", "220102")
		draft.Title = "更正后的标题"
		if err := dst.UpdateImportantDraft(t.Context(), draft); err != nil || draft.Version != 2 {
			t.Errorf("UpdateImportantDraft of the imported draft: %v, version %d; want nil, 2", err, draft.Version)
		}
		submitted := mustGetReport(t, dst, "rep-1", "220102")
		wantCodeAndMessage(t, "UpdateImportantDraft of the imported submitted report",
			dst.UpdateImportantDraft(t.Context(), submitted), store.ECONFLICT, store.MsgReportFrozen)
	})

	t.Run("an ID or a case revision in use is ECONFLICT and stores nothing", func(t *testing.T) {
		s := open(t)
		first := mustCreateReport(t, s, newReport("rep-1", "case-1", "220102", time.Hour, 0))
		want := mustGetReport(t, s, first.ID, first.RegionCode)
		sameID := *want
		sameID.CaseID, sameID.Title = "case-9", "另一份"
		wantCodeAndMessage(t, "ImportImportantReport with an ID in use", s.ImportImportantReport(t.Context(), &sameID), store.ECONFLICT, store.MsgConflict)
		sameRevision := *want
		sameRevision.ID = "rep-other"
		wantCodeAndMessage(t, "ImportImportantReport of a case revision in use", s.ImportImportantReport(t.Context(), &sameRevision), store.ECONFLICT, store.MsgConflict)
		checkReport(t, "the first report", want, mustGetReport(t, s, first.ID, first.RegionCode))
		if n := countReports(t, s); n != 1 {
			t.Errorf("%d reports after refused imports, want 1", n)
		}
	})

	t.Run("a missing ID, case, region, revision, version or status is EINVALID", func(t *testing.T) {
		s := open(t)
		for _, tc := range []struct {
			name   string
			change func(r *store.ImportantReport)
		}{
			{"no ID", func(r *store.ImportantReport) { r.ID = "" }},
			{"no case", func(r *store.ImportantReport) { r.CaseID = "" }},
			{"no region", func(r *store.ImportantReport) { r.RegionCode = "" }},
			{"revision 0", func(r *store.ImportantReport) { r.Revision = 0 }},
			{"version 0", func(r *store.ImportantReport) { r.Version = 0 }},
			{"no status", func(r *store.ImportantReport) { r.Status = "" }},
			{"an unknown status", func(r *store.ImportantReport) { r.Status = "approved" }},
		} {
			r := newReport("rep-1", "case-1", "220102", time.Hour, 0)
			r.Version = 1
			tc.change(r)
			wantCodeAndMessage(t, "ImportImportantReport with "+tc.name, s.ImportImportantReport(t.Context(), r), store.EINVALID, store.MsgIncomplete)
		}
		if n := countReports(t, s); n != 0 {
			t.Errorf("%d reports after refused imports, want none", n)
		}
	})

	t.Run("paging through the zero filter visits every report once", func(t *testing.T) {
		s := open(t)
		var want []string
		for i := range 7 {
			// Three due times and two creation times: many ties before ID.
			r := newReport(fmt.Sprintf("rep-%d", 6-i), fmt.Sprintf("case-%d", i), "220102",
				time.Duration(i%3)*time.Hour, time.Duration(i%2)*time.Minute)
			mustCreateReport(t, s, r)
			want = append(want, r.ID)
		}
		got := reportIDs(allReports(t, s, 2))
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("pages of 2 gave %v, want each of %v once", got, want)
		}
	})
}

func testCopyQuarterlyReports(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("SubmitQuarterlyReport copies a report read from another store unchanged", func(t *testing.T) {
		src := open(t)
		full := newQuarterly("220100", 2026, 1)
		empty := newQuarterly("220200", 2026, 1)
		empty.Rows = nil
		for _, q := range []*store.QuarterlyReport{full, empty} {
			if err := src.SubmitQuarterlyReport(t.Context(), q); err != nil {
				t.Fatalf("SubmitQuarterlyReport(%q): %v", q.ID, err)
			}
		}
		read, total, err := src.ListQuarterlyReports(t.Context(), 0, 0)
		if err != nil || total != 2 || len(read) != 2 {
			t.Fatalf("ListQuarterlyReports = %d of %d, %v; want 2", len(read), total, err)
		}
		dst := open(t)
		for _, q := range read {
			before := *q
			if err := dst.SubmitQuarterlyReport(t.Context(), q); err != nil {
				t.Fatalf("SubmitQuarterlyReport(%q) into the copy: %v", q.ID, err)
			}
			unchanged(t, "SubmitQuarterlyReport", before, *q)
		}
		got, _, err := dst.ListQuarterlyReports(t.Context(), 0, 0)
		if err != nil || len(got) != 2 {
			t.Fatalf("ListQuarterlyReports of the copy = %d, %v; want 2", len(got), err)
		}
		for i := range read {
			if diff := quarterlyDiff(read[i], got[i]); diff != "" {
				t.Errorf("copied report %s differs:\n\t%s", read[i].ID, diff)
			}
		}
		if got[1].Rows != nil {
			t.Errorf("a report without rows reads back Rows %#v, want nil", got[1].Rows)
		}
	})

	t.Run("ListQuarterlyReports lists every report, earliest quarter first, in pages", func(t *testing.T) {
		s := open(t)
		if got, total, err := s.ListQuarterlyReports(t.Context(), 0, 0); err != nil || total != 0 || len(got) != 0 {
			t.Errorf("ListQuarterlyReports of an empty store = %d of %d, %v; want none", len(got), total, err)
		}
		for _, q := range []*store.QuarterlyReport{
			newQuarterly("220200", 2026, 1), newQuarterly("220100", 2026, 2), newQuarterly("220300", 2025, 4),
			newQuarterly("220100", 2026, 1), newQuarterly("220100", 2025, 4),
		} {
			if err := s.SubmitQuarterlyReport(t.Context(), q); err != nil {
				t.Fatalf("SubmitQuarterlyReport(%q): %v", q.ID, err)
			}
		}
		want := []string{"q-220100-2025-4", "q-220300-2025-4", "q-220100-2026-1", "q-220200-2026-1", "q-220100-2026-2"}
		var got []string
		for offset := 0; offset < 8; offset += 2 {
			page, total, err := s.ListQuarterlyReports(t.Context(), 2, offset)
			if err != nil || total != 5 {
				t.Fatalf("ListQuarterlyReports(2, %d): total %d, %v; want 5", offset, total, err)
			}
			for _, q := range page {
				got = append(got, q.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages gave %v, want %v", got, want)
		}
	})
}

func testImportSetting(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("ListSettings returns every saved setting by key, byte-wise", func(t *testing.T) {
		s := open(t)
		if got, err := s.ListSettings(t.Context()); err != nil || len(got) != 0 {
			t.Errorf("ListSettings of an empty store = %d, %v; want none", len(got), err)
		}
		for _, key := range []string{"thresholds", "deadlines", "Zeta", "a"} {
			value := []byte(`{"key": "` + key + `"}`)
			if key == "a" {
				value = nil
			}
			if err := s.PutSetting(t.Context(), &store.Setting{Key: key, Value: value, UpdatedAt: callerTime(0), UpdatedBy: "user-admin"}); err != nil {
				t.Fatalf("PutSetting(%q): %v", key, err)
			}
		}
		got, err := s.ListSettings(t.Context())
		if err != nil {
			t.Fatalf("ListSettings: %v", err)
		}
		var keys []string
		for _, g := range got {
			keys = append(keys, g.Key)
			checkSetting(t, "listed "+g.Key, mustSetting(t, s, g.Key), g)
		}
		if want := []string{"Zeta", "a", "deadlines", "thresholds"}; !slices.Equal(keys, want) {
			t.Errorf("ListSettings keys %v, want %v", keys, want)
		}
	})

	t.Run("stores the value, version, time and author as given", func(t *testing.T) {
		s := open(t)
		in := &store.Setting{Key: "deadlines", Value: []byte(`{"acceptWorkingDays": 7, "note": "😀"}`), Version: 4,
			UpdatedAt: callerTime(time.Hour), UpdatedBy: "user-admin-2"}
		before := *in
		if err := s.ImportSetting(t.Context(), in); err != nil {
			t.Fatalf("ImportSetting: %v", err)
		}
		unchanged(t, "ImportSetting", before, *in)
		checkSetting(t, "imported setting", &store.Setting{Key: in.Key, Value: in.Value, Version: 4, UpdatedAt: at(time.Hour),
			UpdatedBy: "user-admin-2"}, mustSetting(t, s, "deadlines"))

		// It goes on from its version.
		wantCodeAndMessage(t, "PutSetting from version 0", s.PutSetting(t.Context(), &store.Setting{Key: "deadlines", UpdatedAt: at(0)}),
			store.ECONFLICT, store.MsgStaleRecord)
		next := &store.Setting{Key: "deadlines", Value: []byte(`{}`), Version: 4, UpdatedAt: at(2 * time.Hour), UpdatedBy: "u"}
		if err := s.PutSetting(t.Context(), next); err != nil || next.Version != 5 {
			t.Errorf("PutSetting from the imported version: %v, version %d; want nil, 5", err, next.Version)
		}
	})

	t.Run("a setting read from one store reads back the same from another", func(t *testing.T) {
		src := open(t)
		for i, key := range []string{"deadlines", "important"} {
			st := &store.Setting{Key: key, Value: []byte(fmt.Sprintf(`{"v": %d}`, i)), UpdatedAt: callerTime(0), UpdatedBy: "user-admin"}
			for range i + 2 {
				if err := src.PutSetting(t.Context(), st); err != nil {
					t.Fatalf("PutSetting(%q): %v", key, err)
				}
			}
		}
		empty := &store.Setting{Key: "empty", UpdatedAt: callerTime(0), UpdatedBy: "system"}
		if err := src.PutSetting(t.Context(), empty); err != nil {
			t.Fatalf("PutSetting(empty): %v", err)
		}
		want, err := src.ListSettings(t.Context())
		if err != nil {
			t.Fatalf("ListSettings: %v", err)
		}
		dst := open(t)
		for _, st := range want {
			if err := dst.ImportSetting(t.Context(), st); err != nil {
				t.Fatalf("ImportSetting(%q): %v", st.Key, err)
			}
		}
		got, err := dst.ListSettings(t.Context())
		if err != nil || len(got) != len(want) {
			t.Fatalf("ListSettings of the copy = %d, %v; want %d", len(got), err, len(want))
		}
		for i := range want {
			checkSetting(t, "copied "+want[i].Key, want[i], got[i])
		}
	})

	t.Run("a key saved already is ECONFLICT and changes nothing", func(t *testing.T) {
		s := open(t)
		first := &store.Setting{Key: "deadlines", Value: []byte(`{"a": 1}`), UpdatedAt: callerTime(0), UpdatedBy: "user-admin"}
		if err := s.PutSetting(t.Context(), first); err != nil {
			t.Fatalf("PutSetting: %v", err)
		}
		want := mustSetting(t, s, "deadlines")
		other := &store.Setting{Key: "deadlines", Value: []byte(`{"a": 2}`), Version: 9, UpdatedAt: at(time.Hour), UpdatedBy: "x"}
		wantCodeAndMessage(t, "ImportSetting of a saved key", s.ImportSetting(t.Context(), other), store.ECONFLICT, store.MsgConflict)
		checkSetting(t, "the saved setting", want, mustSetting(t, s, "deadlines"))
	})

	t.Run("an empty key or a version below 1 is EINVALID", func(t *testing.T) {
		s := open(t)
		for _, in := range []*store.Setting{
			{Key: "", Value: []byte(`{}`), Version: 1, UpdatedAt: at(0)},
			{Key: "deadlines", Value: []byte(`{}`), Version: 0, UpdatedAt: at(0)},
			{Key: "deadlines", Value: []byte(`{}`), Version: -2, UpdatedAt: at(0)},
		} {
			wantCodeAndMessage(t, fmt.Sprintf("ImportSetting(%q, version %d)", in.Key, in.Version),
				s.ImportSetting(t.Context(), in), store.EINVALID, store.MsgIncomplete)
		}
		if got, err := s.ListSettings(t.Context()); err != nil || len(got) != 0 {
			t.Errorf("ListSettings after refused imports = %d, %v; want none", len(got), err)
		}
	})
}

func testCopyCalendar(t *testing.T, open func(t *testing.T) store.Store) {
	src := open(t)
	mustPutYear(t, src, 2026, calendar2026)
	mustPutYear(t, src, 2025, calendar2025)
	want := mustCalendar(t, src)
	byYear := map[int][]store.CalendarEntry{}
	for _, e := range want {
		year, _ := time.Parse(time.DateOnly, e.Date)
		byYear[year.Year()] = append(byYear[year.Year()], e)
	}
	dst := open(t)
	for year, entries := range byYear {
		mustPutYear(t, dst, year, entries)
	}
	checkCalendar(t, "the copied calendar", want, mustCalendar(t, dst))
}

func testImportMail(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("stores each status with its attempts, times and last error as given", func(t *testing.T) {
		s := open(t)
		leased := newMail("mail-leased", "220102", 0)
		leased.Status, leased.Attempts, leased.LastError = store.MailPending, 2, "421 try again later"
		leased.NextAttemptAt, leased.LeaseUntil = callerTime(time.Hour), callerTime(time.Hour+time.Minute)
		sent := newMail("mail-sent", "220202", time.Minute)
		sent.Status, sent.Attempts, sent.NextAttemptAt, sent.SentAt = store.MailSent, 1, callerTime(time.Minute), callerTime(2*time.Minute)
		failed := newMail("mail-failed", "", 2*time.Minute)
		failed.Status, failed.Attempts, failed.LastError = store.MailFailed, 5, "550 no such user"
		failed.NextAttemptAt = callerTime(3 * time.Hour)
		reporter := newMail("mail-reporter", "220102", 3*time.Minute)
		reporter.To, reporter.ReporterCaseID, reporter.Kind = "", "case-reporter", "reporter.update"
		reporter.Status, reporter.NextAttemptAt = store.MailPending, callerTime(3*time.Minute)

		for _, m := range []*store.Mail{leased, sent, failed, reporter} {
			before := *m
			if err := s.ImportMail(t.Context(), m); err != nil {
				t.Fatalf("ImportMail(%q): %v", m.ID, err)
			}
			unchanged(t, "ImportMail", before, *m)
			want := *m
			want.NextAttemptAt, want.LeaseUntil = store.Truncate(m.NextAttemptAt), store.Truncate(m.LeaseUntil)
			want.CreatedAt, want.SentAt = store.Truncate(m.CreatedAt), store.Truncate(m.SentAt)
			checkMail(t, "imported "+m.ID, &want, mustMail(t, s, m.ID))
		}
	})

	t.Run("mail read from one store reads back the same from another", func(t *testing.T) {
		src := open(t)
		for i, id := range []string{"mail-a", "mail-b", "mail-c", "mail-d"} {
			mustEnqueue(t, src, newMail(id, "220102", time.Duration(i)*time.Minute))
		}
		mustClaim(t, src, at(10*time.Minute), 5*time.Minute, 3) // a, b, c leased
		if err := src.MarkMailSent(t.Context(), "mail-a", at(11*time.Minute)); err != nil {
			t.Fatalf("MarkMailSent: %v", err)
		}
		if err := src.MarkMailFailed(t.Context(), "mail-b", "550 no such user", time.Time{}, true); err != nil {
			t.Fatalf("MarkMailFailed final: %v", err)
		}
		if err := src.MarkMailFailed(t.Context(), "mail-c", "421 later", at(time.Hour), false); err != nil {
			t.Fatalf("MarkMailFailed: %v", err)
		}
		mustClaim(t, src, at(20*time.Minute), 5*time.Minute, 1) // mail-d leased
		want, _, err := src.ListMail(t.Context(), store.MailFilter{})
		if err != nil {
			t.Fatalf("ListMail: %v", err)
		}
		dst := open(t)
		for _, m := range want {
			if err := dst.ImportMail(t.Context(), m); err != nil {
				t.Fatalf("ImportMail(%q): %v", m.ID, err)
			}
		}
		got, total, err := dst.ListMail(t.Context(), store.MailFilter{})
		if err != nil || total != len(want) || len(got) != len(want) {
			t.Fatalf("ListMail of the copy = %d of %d, %v; want %d", len(got), total, err, len(want))
		}
		for i := range want {
			checkMail(t, "copied "+want[i].ID, want[i], got[i])
		}
	})

	t.Run("an imported mail goes on from its state", func(t *testing.T) {
		s := open(t)
		pending := newMail("mail-pending", "220102", 0)
		pending.Status, pending.NextAttemptAt, pending.LeaseUntil = store.MailPending, at(time.Minute), at(10*time.Minute)
		sent := newMail("mail-sent", "220102", 0)
		sent.Status, sent.NextAttemptAt, sent.SentAt, sent.Attempts = store.MailSent, at(0), at(time.Minute), 1
		failed := newMail("mail-failed", "220102", 0)
		failed.Status, failed.NextAttemptAt, failed.Attempts = store.MailFailed, at(0), 5
		for _, m := range []*store.Mail{pending, sent, failed} {
			if err := s.ImportMail(t.Context(), m); err != nil {
				t.Fatalf("ImportMail(%q): %v", m.ID, err)
			}
		}
		if ids := mailIDs(mustClaim(t, s, at(5*time.Minute), time.Minute, 10)); len(ids) != 0 {
			t.Errorf("claim while the imported lease runs got %v, want nothing", ids)
		}
		if ids := mailIDs(mustClaim(t, s, at(10*time.Minute), time.Minute, 10)); !slices.Equal(ids, []string{"mail-pending"}) {
			t.Errorf("claim after the imported lease got %v, want [mail-pending]", ids)
		}
		wantCodeAndMessage(t, "MarkMailSent of an imported sent mail", s.MarkMailSent(t.Context(), "mail-sent", at(time.Hour)),
			store.ECONFLICT, store.MsgAlreadyDone)
		if err := s.RequeueMail(t.Context(), "mail-failed", at(time.Hour)); err != nil {
			t.Errorf("RequeueMail of an imported failed mail: %v", err)
		}
	})

	t.Run("an ID in use is ECONFLICT and changes nothing", func(t *testing.T) {
		s := open(t)
		first := mustEnqueue(t, s, newMail("mail-1", "220102", 0))
		want := mustMail(t, s, first.ID)
		other := newMail("mail-1", "220202", time.Hour)
		other.Status, other.Attempts = store.MailSent, 1
		wantCodeAndMessage(t, "ImportMail of an ID in use", s.ImportMail(t.Context(), other), store.ECONFLICT, store.MsgConflict)
		checkMail(t, "the first mail", want, mustMail(t, s, first.ID))
	})

	t.Run("a missing ID, recipient or status is EINVALID", func(t *testing.T) {
		s := open(t)
		for _, tc := range []struct {
			name   string
			change func(m *store.Mail)
		}{
			{"no ID", func(m *store.Mail) { m.ID = "" }},
			{"no recipient", func(m *store.Mail) { m.To = "" }},
			{"two recipients", func(m *store.Mail) { m.ReporterCaseID = "case-1" }},
			{"no status", func(m *store.Mail) { m.Status = "" }},
			{"an unknown status", func(m *store.Mail) { m.Status = "queued" }},
		} {
			m := newMail("mail-1", "220102", 0)
			m.Status = store.MailPending
			tc.change(m)
			wantCodeAndMessage(t, "ImportMail with "+tc.name, s.ImportMail(t.Context(), m), store.EINVALID, store.MsgIncomplete)
		}
		if got, total, err := s.ListMail(t.Context(), store.MailFilter{}); err != nil || total != 0 {
			t.Errorf("ListMail after refused imports = %v (%d), %v; want none", mailIDs(got), total, err)
		}
	})

	t.Run("paging through the zero filter visits every mail once", func(t *testing.T) {
		s := open(t)
		var want []string
		for i := range 7 {
			id := fmt.Sprintf("mail-%d", i)
			mustEnqueue(t, s, newMail(id, "220102", time.Duration(i%2)*time.Minute)) // ties on CreatedAt
			want = append(want, id)
		}
		var got []string
		for offset := 0; ; offset += 3 {
			page, total, err := s.ListMail(t.Context(), store.MailFilter{Limit: 3, Offset: offset})
			if err != nil {
				t.Fatalf("ListMail: %v", err)
			}
			got = append(got, mailIDs(page)...)
			if len(page) == 0 || offset+len(page) >= total {
				break
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("pages of 3 gave %v, want each of %v once", got, want)
		}
	})
}
