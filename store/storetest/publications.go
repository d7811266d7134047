package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"fundwatch/store"
)

// testPublications is the conformance suite of the publications area
// (disclosures and articles with their revisions and approval workflow).
// ImportPublication is in RunImports (testImportPublication).
func testPublications(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("CreatePublication", func(t *testing.T) { testCreatePublication(t, open) })
	t.Run("Slots", func(t *testing.T) { testPublicationSlots(t, open) })
	t.Run("PublicationInRegions", func(t *testing.T) { testPublicationInRegions(t, open) })
	t.Run("PublicationBySource", func(t *testing.T) { testPublicationBySource(t, open) })
	t.Run("Revisions", func(t *testing.T) { testRevisions(t, open) })
	t.Run("SaveDraft", func(t *testing.T) { testSaveDraft(t, open) })
	t.Run("StepPublication", func(t *testing.T) { testStepPublication(t, open) })
	t.Run("WithdrawPublication", func(t *testing.T) { testWithdrawPublication(t, open) })
	t.Run("ListPublications", func(t *testing.T) { testListPublications(t, open) })
	t.Run("ListPublished", func(t *testing.T) { testListPublished(t, open) })
	t.Run("DuePublications", func(t *testing.T) { testDuePublications(t, open) })
	t.Run("PublishedByIDs", func(t *testing.T) { testPublishedByIDs(t, open) })
	t.Run("PublishedStamp", func(t *testing.T) { testPublishedStamp(t, open) })
}

// testPublishedStamp: the stamp changes with every step that changes what
// the public sees (publishing, a correction, a withdrawal), on a store
// opened once, and stays put when nothing changed.
func testPublishedStamp(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	stamp := func() string {
		t.Helper()
		v, err := s.PublishedStamp(t.Context())
		if err != nil {
			t.Fatalf("PublishedStamp: %v", err)
		}
		return v
	}
	empty := stamp()
	if again := stamp(); again != empty {
		t.Errorf("the stamp changed with nothing done: %q then %q", empty, again)
	}
	p := mustCreatePub(t, s, newPublication("pub-stamp", store.PubNews, "220100", 0, 0), newRevision("pub-stamp", 0))
	if got := stamp(); got != empty {
		t.Errorf("a draft changed the stamp: %q then %q", empty, got)
	}
	for i, next := range []string{store.RevSubmitted, store.RevApproved, store.RevPublished} {
		p = mustStep(t, s, p, next, "user-leader", callerTime(time.Duration(i+1)*time.Minute), "")
	}
	published := stamp()
	if published == empty {
		t.Fatal("publishing did not change the stamp")
	}
	r := newRevision("pub-stamp", 10*time.Minute)
	r.Number, r.CorrectionNote = 2, "更正"
	p, err := s.SaveDraft(t.Context(), p.ID, p.Version, r)
	if err != nil {
		t.Fatal(err)
	}
	for i, next := range []string{store.RevSubmitted, store.RevApproved, store.RevPublished} {
		p = mustStep(t, s, p, next, "user-leader", callerTime(time.Duration(20+i)*time.Minute), "")
	}
	corrected := stamp()
	if corrected == published {
		t.Error("publishing a correction did not change the stamp")
	}
	if _, err := s.WithdrawPublication(t.Context(), p.ID, p.Version, "user-leader", "撤回", callerTime(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if withdrawn := stamp(); withdrawn == corrected {
		t.Error("a withdrawal did not change the stamp")
	}
}

// newPublication returns a publication with every field a caller sets on
// creation non-zero, times in China Standard Time with sub-millisecond
// digits.
func newPublication(id, kind, region string, year int, created time.Duration) *store.Publication {
	return &store.Publication{
		ID:         id,
		Kind:       kind,
		RegionCode: region,
		Year:       year,
		FromCaseID: "case-" + id,
		CreatedBy:  "user-publisher-1",
		CreatedAt:  callerTime(created),
		UpdatedAt:  callerTime(created),
	}
}

// sampleFundRows are two rows of a fund report in an order that is not
// sorted, the second a deficit year.
func sampleFundRows() []store.FundRow {
	return []store.FundRow{
		{InsuranceType: "unemployment", IncomeFen: 1_000_000_000, PremiumFen: 800_000_000, SubsidyFen: 100_000_000,
			InterestFen: 50_000_000, TransferInFen: 30_000_000, OtherIncomeFen: 20_000_000,
			ExpenditureFen: 700_000_000, BenefitFen: 600_000_000, TransferOutFen: 60_000_000, OtherExpenditureFen: 40_000_000,
			BalanceFen: 300_000_000, AccumulatedFen: 9_300_000_000},
		{InsuranceType: "pension", IncomeFen: 45_678_900_000_00, PremiumFen: 30_000_000_000_00, SubsidyFen: 15_000_000_000_00,
			InterestFen: 300_000_000_00, TransferInFen: 200_000_000_00, OtherIncomeFen: 178_900_000_00,
			ExpenditureFen: 47_000_000_000_00, BenefitFen: 46_000_000_000_00, TransferOutFen: 700_000_000_00, OtherExpenditureFen: 300_000_000_00,
			BalanceFen: -1_321_100_000_00, AccumulatedFen: -5_000_000_01},
	}
}

// newRevision returns content with every field a revision can carry set to
// a non-zero value (whatever the kind), created at base+created and due to
// be published two days later.
func newRevision(title string, created time.Duration) *store.Revision {
	return &store.Revision{
		Title:           title,
		Summary:         "摘要：" + title,
		Body:            unicodeText,
		EventDate:       "2026-02-27",
		AmountFen:       123_456_789,
		InsuranceTypes:  []string{"pension", "medical", "其他"},
		HandlingResult:  "追回基金 1,234,567.89 元，移送司法机关 😀",
		FundRows:        sampleFundRows(),
		RateBasisPoints: 612,
		FundSizeFen:     98_765_432_100,
		ReturnsFen:      -1_234_500,
		CorrectionNote:  "更正说明 " + title,
		ScheduledAt:     callerTime(created + 48*time.Hour),
		CreatedBy:       "user-publisher-1",
		CreatedAt:       callerTime(created),
		UpdatedAt:       callerTime(created),
	}
}

// storedPub is p in stored form: every time truncated.
func storedPub(p *store.Publication) *store.Publication {
	w := *p
	w.ScheduledAt = store.Truncate(p.ScheduledAt)
	w.FirstPublishedAt = store.Truncate(p.FirstPublishedAt)
	w.LastPublishedAt = store.Truncate(p.LastPublishedAt)
	w.WithdrawnAt = store.Truncate(p.WithdrawnAt)
	w.CreatedAt = store.Truncate(p.CreatedAt)
	w.UpdatedAt = store.Truncate(p.UpdatedAt)
	return &w
}

// storedRev is r in stored form: a deep copy with every time truncated and
// empty lists nil.
func storedRev(r *store.Revision) *store.Revision {
	w := *r
	w.InsuranceTypes = slices.Clone(nilIfEmpty(r.InsuranceTypes))
	w.FundRows = nil
	if len(r.FundRows) > 0 {
		w.FundRows = slices.Clone(r.FundRows)
	}
	w.ScheduledAt = store.Truncate(r.ScheduledAt)
	w.CreatedAt = store.Truncate(r.CreatedAt)
	w.UpdatedAt = store.Truncate(r.UpdatedAt)
	w.SubmittedAt = store.Truncate(r.SubmittedAt)
	w.ApprovedAt = store.Truncate(r.ApprovedAt)
	w.PublishedAt = store.Truncate(r.PublishedAt)
	return &w
}

// createdPub is what a read of p should return right after
// CreatePublication(p, r).
func createdPub(p *store.Publication, r *store.Revision) *store.Publication {
	w := storedPub(p)
	w.Title = r.Title
	w.LiveRevision, w.PendingRevision, w.PendingStatus = 0, 1, store.RevDraft
	w.ScheduledAt, w.FirstPublishedAt, w.LastPublishedAt = time.Time{}, time.Time{}, time.Time{}
	w.WithdrawnAt, w.WithdrawnBy, w.WithdrawnReason = time.Time{}, "", ""
	w.Version, w.IndexedVersion = 1, 0
	return w
}

// draftRev is r as a new draft number of publication pubID: in stored form,
// without the workflow's records.
func draftRev(pubID string, number int, r *store.Revision) *store.Revision {
	w := storedRev(r)
	w.PublicationID, w.Number, w.Status = pubID, number, store.RevDraft
	w.ReturnNote = ""
	w.SubmittedBy, w.SubmittedAt = "", time.Time{}
	w.ApprovedBy, w.ApprovedAt = "", time.Time{}
	w.PublishedBy, w.PublishedAt = "", time.Time{}
	return w
}

func pubDiff(want, got *store.Publication) string {
	if got == nil {
		return "got a nil publication"
	}
	var d differ
	d.field("ID", want.ID, got.ID)
	d.field("Kind", want.Kind, got.Kind)
	d.field("RegionCode", want.RegionCode, got.RegionCode)
	d.field("Year", want.Year, got.Year)
	d.field("SourceID", want.SourceID, got.SourceID)
	d.field("FromCaseID", want.FromCaseID, got.FromCaseID)
	d.field("Title", want.Title, got.Title)
	d.field("LiveRevision", want.LiveRevision, got.LiveRevision)
	d.field("PendingRevision", want.PendingRevision, got.PendingRevision)
	d.field("PendingStatus", want.PendingStatus, got.PendingStatus)
	d.time("ScheduledAt", want.ScheduledAt, got.ScheduledAt)
	d.time("FirstPublishedAt", want.FirstPublishedAt, got.FirstPublishedAt)
	d.time("LastPublishedAt", want.LastPublishedAt, got.LastPublishedAt)
	d.time("WithdrawnAt", want.WithdrawnAt, got.WithdrawnAt)
	d.field("WithdrawnBy", want.WithdrawnBy, got.WithdrawnBy)
	d.field("WithdrawnReason", want.WithdrawnReason, got.WithdrawnReason)
	d.field("CreatedBy", want.CreatedBy, got.CreatedBy)
	d.time("CreatedAt", want.CreatedAt, got.CreatedAt)
	d.time("UpdatedAt", want.UpdatedAt, got.UpdatedAt)
	d.field("Version", want.Version, got.Version)
	d.field("IndexedVersion", want.IndexedVersion, got.IndexedVersion)
	return d.String()
}

func revDiff(want, got *store.Revision) string {
	if got == nil {
		return "got a nil revision"
	}
	var d differ
	d.field("PublicationID", want.PublicationID, got.PublicationID)
	d.field("Number", want.Number, got.Number)
	d.field("Status", want.Status, got.Status)
	d.field("Title", want.Title, got.Title)
	d.field("Summary", want.Summary, got.Summary)
	d.field("Body", want.Body, got.Body)
	d.field("EventDate", want.EventDate, got.EventDate)
	d.field("AmountFen", want.AmountFen, got.AmountFen)
	d.field("InsuranceTypes", want.InsuranceTypes, got.InsuranceTypes)
	d.field("HandlingResult", want.HandlingResult, got.HandlingResult)
	d.field("FundRows", want.FundRows, got.FundRows)
	d.field("RateBasisPoints", want.RateBasisPoints, got.RateBasisPoints)
	d.field("FundSizeFen", want.FundSizeFen, got.FundSizeFen)
	d.field("ReturnsFen", want.ReturnsFen, got.ReturnsFen)
	d.field("CorrectionNote", want.CorrectionNote, got.CorrectionNote)
	d.time("ScheduledAt", want.ScheduledAt, got.ScheduledAt)
	d.field("ReturnNote", want.ReturnNote, got.ReturnNote)
	d.field("CreatedBy", want.CreatedBy, got.CreatedBy)
	d.time("CreatedAt", want.CreatedAt, got.CreatedAt)
	d.time("UpdatedAt", want.UpdatedAt, got.UpdatedAt)
	d.field("SubmittedBy", want.SubmittedBy, got.SubmittedBy)
	d.time("SubmittedAt", want.SubmittedAt, got.SubmittedAt)
	d.field("ApprovedBy", want.ApprovedBy, got.ApprovedBy)
	d.time("ApprovedAt", want.ApprovedAt, got.ApprovedAt)
	d.field("PublishedBy", want.PublishedBy, got.PublishedBy)
	d.time("PublishedAt", want.PublishedAt, got.PublishedAt)
	return d.String()
}

func checkPub(t *testing.T, what string, want, got *store.Publication) {
	t.Helper()
	if diff := pubDiff(want, got); diff != "" {
		t.Errorf("%s differs:\n\t%s", what, diff)
	}
}

func checkRevs(t *testing.T, what string, want, got []*store.Revision) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d revisions %v, want %d %v", what, len(got), revNumbers(got), len(want), revNumbers(want))
		return
	}
	for i := range want {
		if diff := revDiff(want[i], got[i]); diff != "" {
			t.Errorf("%s: revision %d differs:\n\t%s", what, i+1, diff)
		}
	}
}

func revNumbers(rs []*store.Revision) []int {
	out := make([]int, len(rs))
	for i, r := range rs {
		if r == nil {
			out[i] = -1
			continue
		}
		out[i] = r.Number
	}
	return out
}

func pubIDs(ps []*store.Publication) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		if p == nil {
			ids[i] = "<nil>"
			continue
		}
		ids[i] = p.ID
	}
	return ids
}

func publishedIDs(ps []store.Published) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		if p.Publication == nil {
			ids[i] = "<nil>"
			continue
		}
		ids[i] = p.Publication.ID
	}
	return ids
}

func mustCreatePub(t *testing.T, s store.PublicationStore, p *store.Publication, r *store.Revision) *store.Publication {
	t.Helper()
	if err := s.CreatePublication(t.Context(), p, r); err != nil {
		t.Fatalf("CreatePublication(%q): %v", p.ID, err)
	}
	return p
}

func mustPub(t *testing.T, s store.PublicationStore, id, region string) *store.Publication {
	t.Helper()
	p, err := s.PublicationInRegions(t.Context(), id, []string{region})
	if err != nil {
		t.Fatalf("PublicationInRegions(%q, %q): %v", id, region, err)
	}
	if p == nil {
		t.Fatalf("PublicationInRegions(%q) returned nil and no error", id)
	}
	return p
}

func mustRevisions(t *testing.T, s store.PublicationStore, id string) []*store.Revision {
	t.Helper()
	rs, err := s.Revisions(t.Context(), id)
	if err != nil {
		t.Fatalf("Revisions(%q): %v", id, err)
	}
	return rs
}

func countPubs(t *testing.T, s store.PublicationStore) int {
	t.Helper()
	_, total, err := s.ListPublications(t.Context(), store.PublicationFilter{})
	if err != nil {
		t.Fatalf("ListPublications: %v", err)
	}
	return total
}

// mustStep moves p's pending revision from its status to to, from the
// version p has, and returns the publication afterwards.
func mustStep(t *testing.T, s store.PublicationStore, p *store.Publication, to, by string, at time.Time, note string) *store.Publication {
	t.Helper()
	got, err := s.StepPublication(t.Context(), store.PublicationStep{
		ID: p.ID, ExpectVersion: p.Version, From: p.PendingStatus, To: to, By: by, At: at, Note: note,
	})
	if err != nil {
		t.Fatalf("StepPublication(%q, %s → %s at version %d): %v", p.ID, p.PendingStatus, to, p.Version, err)
	}
	return got
}

// mustPublish takes p's pending revision through the rest of the workflow
// to published, each step at at, and returns the publication afterwards.
func mustPublish(t *testing.T, s store.PublicationStore, p *store.Publication, at time.Time) *store.Publication {
	t.Helper()
	next := map[string]string{store.RevDraft: store.RevSubmitted, store.RevSubmitted: store.RevApproved, store.RevApproved: store.RevPublished}
	for p.PendingStatus != "" {
		p = mustStep(t, s, p, next[p.PendingStatus], "user-leader", at, "")
	}
	return p
}

func mustSaveDraft(t *testing.T, s store.PublicationStore, p *store.Publication, r *store.Revision) *store.Publication {
	t.Helper()
	got, err := s.SaveDraft(t.Context(), p.ID, p.Version, r)
	if err != nil {
		t.Fatalf("SaveDraft(%q, revision %d at version %d): %v", p.ID, r.Number, p.Version, err)
	}
	return got
}

func mustWithdraw(t *testing.T, s store.PublicationStore, p *store.Publication, at time.Time) *store.Publication {
	t.Helper()
	got, err := s.WithdrawPublication(t.Context(), p.ID, p.Version, "user-leader", "数据有误，撤回重新核对", at)
	if err != nil {
		t.Fatalf("WithdrawPublication(%q at version %d): %v", p.ID, p.Version, err)
	}
	return got
}

// correction returns the content of revision number, a correction.
func correction(number int, created time.Duration) *store.Revision {
	r := newRevision(fmt.Sprintf("更正后的标题（第%d版）", number), created)
	r.Number = number
	r.CorrectionNote = fmt.Sprintf("第%d版更正了结余数据", number)
	r.FundRows[1].BalanceFen = -1
	return r
}

func testCreatePublication(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("stores a draft revision 1 and writes back what it assigns", func(t *testing.T) {
		s := open(t)
		p := newPublication("pub-1", store.PubFundReport, "220100", 2025, 0)
		p.SourceID = "old-site-0001"
		// What the store assigns, whatever the caller put there.
		p.Title, p.LiveRevision, p.PendingRevision, p.PendingStatus = "调用方的标题", 3, 5, store.RevApproved
		p.ScheduledAt, p.FirstPublishedAt, p.LastPublishedAt = callerTime(time.Hour), callerTime(time.Hour), callerTime(time.Hour)
		p.WithdrawnAt, p.WithdrawnBy, p.WithdrawnReason = callerTime(time.Hour), "user-x", "撤回"
		p.Version, p.IndexedVersion = 9, 7
		r := newRevision("2025年度吉林省长春市社会保险基金收支情况", 0)
		r.PublicationID, r.Number, r.Status = "pub-other", 7, store.RevPublished
		r.ReturnNote = "退回"
		r.SubmittedBy, r.SubmittedAt = "user-x", callerTime(time.Minute)
		r.ApprovedBy, r.ApprovedAt = "user-y", callerTime(2*time.Minute)
		r.PublishedBy, r.PublishedAt = "user-z", callerTime(3*time.Minute)
		wantPub := createdPub(p, r)
		wantRev := draftRev(p.ID, 1, r)
		mustCreatePub(t, s, p, r)

		if p.Version != 1 || p.IndexedVersion != 0 || p.PendingRevision != 1 || p.PendingStatus != store.RevDraft || p.Title != r.Title ||
			p.LiveRevision != 0 || !p.ScheduledAt.IsZero() || !p.FirstPublishedAt.IsZero() || !p.LastPublishedAt.IsZero() ||
			p.Withdrawn() || p.WithdrawnBy != "" || p.WithdrawnReason != "" {
			t.Errorf("written back into p: %+v", p)
		}
		if r.Number != 1 || r.Status != store.RevDraft || r.PublicationID != p.ID || r.ReturnNote != "" ||
			r.SubmittedBy != "" || !r.SubmittedAt.IsZero() || r.ApprovedBy != "" || !r.ApprovedAt.IsZero() ||
			r.PublishedBy != "" || !r.PublishedAt.IsZero() {
			t.Errorf("written back into r: %+v", r)
		}
		got, err := s.PublicationInRegions(t.Context(), p.ID, []string{"220000", "220100"})
		if err != nil {
			t.Fatalf("PublicationInRegions: %v", err)
		}
		checkPub(t, "stored publication", wantPub, got)
		checkRevs(t, "stored revisions", []*store.Revision{wantRev}, mustRevisions(t, s, p.ID))
	})

	t.Run("empty lists come back nil", func(t *testing.T) {
		s := open(t)
		p := newPublication("pub-1", store.PubNews, "220100", 0, 0)
		r := newRevision("新闻发布", 0)
		r.InsuranceTypes, r.FundRows = []string{}, []store.FundRow{}
		mustCreatePub(t, s, p, r)
		revs := mustRevisions(t, s, p.ID)
		if len(revs) != 1 {
			t.Fatalf("%d revisions, want 1", len(revs))
		}
		if revs[0].InsuranceTypes != nil || revs[0].FundRows != nil {
			t.Errorf("InsuranceTypes %#v FundRows %#v, want nil and nil", revs[0].InsuranceTypes, revs[0].FundRows)
		}
	})

	t.Run("requires ID, kind, region and a revision", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			change func(p *store.Publication, r **store.Revision)
		}{
			{"no ID", func(p *store.Publication, _ **store.Revision) { p.ID = "" }},
			{"no kind", func(p *store.Publication, _ **store.Revision) { p.Kind = "" }},
			{"no region", func(p *store.Publication, _ **store.Revision) { p.RegionCode = "" }},
			{"no revision", func(_ *store.Publication, r **store.Revision) { *r = nil }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := open(t)
				p := newPublication("pub-1", store.PubNews, "220100", 0, 0)
				r := newRevision("新闻发布", 0)
				tc.change(p, &r)
				wantCodeAndMessage(t, "CreatePublication", s.CreatePublication(t.Context(), p, r), store.EINVALID, store.MsgIncomplete)
				if n := countPubs(t, s); n != 0 {
					t.Errorf("%d publications stored, want 0", n)
				}
			})
		}
	})

	t.Run("an ID or a SourceID in use is MsgConflict and stores nothing", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			second *store.Publication
		}{
			{"same ID, other kind and region", newPublication("pub-1", store.PubNews, "220200", 0, time.Minute)},
			{"same ID and the same slot", newPublication("pub-1", store.PubFundReport, "220100", 2025, time.Minute)},
			{"same SourceID, other ID", func() *store.Publication {
				p := newPublication("pub-2", store.PubNews, "220200", 0, time.Minute)
				p.SourceID = "old-site-0001"
				return p
			}()},
			{"same SourceID and the same slot", func() *store.Publication {
				p := newPublication("pub-2", store.PubFundReport, "220100", 2025, time.Minute)
				p.SourceID = "old-site-0001"
				return p
			}()},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := open(t)
				first := newPublication("pub-1", store.PubFundReport, "220100", 2025, 0)
				first.SourceID = "old-site-0001"
				mustCreatePub(t, s, first, newRevision("第一条", 0))
				want := mustPub(t, s, first.ID, first.RegionCode)
				wantRevs := mustRevisions(t, s, first.ID)
				err := s.CreatePublication(t.Context(), tc.second, newRevision("第二条", time.Minute))
				wantCodeAndMessage(t, "second CreatePublication", err, store.ECONFLICT, store.MsgConflict)
				if n := countPubs(t, s); n != 1 {
					t.Errorf("%d publications stored, want 1", n)
				}
				checkPub(t, "first publication", want, mustPub(t, s, first.ID, first.RegionCode))
				checkRevs(t, "first publication's revisions", wantRevs, mustRevisions(t, s, first.ID))
			})
		}
	})
}

func testPublicationSlots(t *testing.T, open func(t *testing.T) store.Store) {
	for _, kind := range []string{store.PubFundReport, store.PubAccountNote} {
		t.Run(kind+": one per region and year while not withdrawn", func(t *testing.T) {
			s := open(t)
			first := mustCreatePub(t, s, newPublication("pub-1", kind, "220100", 2025, 0), newRevision("第一条", 0))
			second := newPublication("pub-2", kind, "220100", 2025, time.Minute)
			wantCodeAndMessage(t, "a second of the same kind, region and year, the first a draft",
				s.CreatePublication(t.Context(), second, newRevision("第二条", time.Minute)), store.ECONFLICT, store.MsgPublicationExists)
			if n := countPubs(t, s); n != 1 {
				t.Errorf("%d publications stored, want 1", n)
			}

			live := mustPublish(t, s, first, callerTime(time.Hour))
			wantCodeAndMessage(t, "a second of the same kind, region and year, the first published",
				s.CreatePublication(t.Context(), second, newRevision("第二条", time.Minute)), store.ECONFLICT, store.MsgPublicationExists)

			for i, other := range []*store.Publication{
				newPublication("pub-other-year", kind, "220100", 2024, time.Minute),
				newPublication("pub-other-region", kind, "220200", 2025, time.Minute),
				newPublication("pub-other-kind", otherSlotKind(kind), "220100", 2025, time.Minute),
				newPublication("pub-article", store.PubNews, "220100", 2025, time.Minute),
			} {
				if err := s.CreatePublication(t.Context(), other, newRevision(fmt.Sprintf("其他 %d", i), time.Minute)); err != nil {
					t.Errorf("CreatePublication(%q): %v", other.ID, err)
				}
			}

			mustWithdraw(t, s, live, callerTime(2*time.Hour))
			second = newPublication("pub-2", kind, "220100", 2025, 3*time.Hour)
			if err := s.CreatePublication(t.Context(), second, newRevision("第二条", 3*time.Hour)); err != nil {
				t.Fatalf("CreatePublication after the first was withdrawn: %v", err)
			}
			third := newPublication("pub-3", kind, "220100", 2025, 4*time.Hour)
			wantCodeAndMessage(t, "a third while the second holds the slot",
				s.CreatePublication(t.Context(), third, newRevision("第三条", 4*time.Hour)), store.ECONFLICT, store.MsgPublicationExists)
		})
	}

	t.Run("articles never conflict, with a year or without", func(t *testing.T) {
		s := open(t)
		for i, p := range []*store.Publication{
			newPublication("pub-news-1", store.PubNews, "220100", 0, 0),
			newPublication("pub-news-2", store.PubNews, "220100", 0, time.Minute),
			newPublication("pub-announcement-1", store.PubAnnouncement, "220100", 0, 2*time.Minute),
			newPublication("pub-announcement-2", store.PubAnnouncement, "220100", 0, 3*time.Minute),
			newPublication("pub-notice-1", store.PubNotice, "220100", 2025, 4*time.Minute),
			newPublication("pub-notice-2", store.PubNotice, "220100", 2025, 5*time.Minute),
		} {
			// No SourceID either: "" is no source, not a shared one.
			if err := s.CreatePublication(t.Context(), p, newRevision(fmt.Sprintf("文章 %d", i), 0)); err != nil {
				t.Errorf("CreatePublication(%q): %v", p.ID, err)
			}
		}
		if n := countPubs(t, s); n != 6 {
			t.Errorf("%d publications stored, want 6", n)
		}
	})
}

func otherSlotKind(kind string) string {
	if kind == store.PubFundReport {
		return store.PubAccountNote
	}
	return store.PubFundReport
}

func testPublicationInRegions(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	p := mustCreatePub(t, s, newPublication("pub-changchun", store.PubNews, "220102", 0, 0), newRevision("新闻", 0))
	for _, tc := range []struct {
		name    string
		id      string
		regions []string
		found   bool
	}{
		{"its own region", p.ID, []string{"220102"}, true},
		{"its region among others", p.ID, []string{"220200", "220102", "220300"}, true},
		{"another region", p.ID, []string{"220200"}, false},
		{"a parent code is not expanded by the store", p.ID, []string{"220100"}, false},
		{"a prefix of its code", p.ID, []string{"2201"}, false},
		{"an empty scope", p.ID, nil, false},
		{"an empty, non-nil scope", p.ID, []string{}, false},
		{"a missing ID", "pub-missing", []string{"220102"}, false},
		{"an empty ID", "", []string{"220102"}, false},
		{"an ID that looks like an operator", `{"$ne": ""}`, []string{"220102"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.PublicationInRegions(t.Context(), tc.id, tc.regions)
			if tc.found {
				if err != nil || got == nil || got.ID != p.ID {
					t.Errorf("got %v, %v; want publication %q", got, err, p.ID)
				}
				return
			}
			if got != nil {
				t.Errorf("got publication %q, want none", got.ID)
			}
			wantCodeAndMessage(t, "PublicationInRegions", err, store.ENOTFOUND, store.MsgPublicationNotFound)
		})
	}
}

func testPublicationBySource(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	imported := newPublication("pub-imported", store.PubNews, "220100", 0, 0)
	imported.SourceID = "old-site/2019/0042"
	mustCreatePub(t, s, imported, newRevision("旧网站的文章", 0))
	mustCreatePub(t, s, newPublication("pub-new", store.PubNews, "220100", 0, time.Minute), newRevision("新文章", time.Minute))
	want := mustPub(t, s, imported.ID, imported.RegionCode)

	got, err := s.PublicationBySource(t.Context(), "old-site/2019/0042")
	if err != nil {
		t.Fatalf("PublicationBySource: %v", err)
	}
	checkPub(t, "publication by source", want, got)
	for _, source := range []string{"", "old-site/2019/0043", "old-site", `{"$ne": ""}`} {
		got, err := s.PublicationBySource(t.Context(), source)
		if got != nil {
			t.Errorf("PublicationBySource(%q) = %q, want none", source, got.ID)
		}
		wantCodeAndMessage(t, fmt.Sprintf("PublicationBySource(%q)", source), err, store.ENOTFOUND, store.MsgPublicationNotFound)
	}
}

func testRevisions(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("every revision, by number, whatever its status", func(t *testing.T) {
		s := open(t)
		p := mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("第1版", 0))
		p = mustPublish(t, s, p, callerTime(time.Hour))
		p = mustSaveDraft(t, s, p, correction(2, 2*time.Hour))
		p = mustPublish(t, s, p, callerTime(3*time.Hour))
		mustSaveDraft(t, s, p, correction(3, 4*time.Hour))
		revs := mustRevisions(t, s, p.ID)
		var statuses []string
		for _, r := range revs {
			statuses = append(statuses, r.Status)
			if r.PublicationID != p.ID {
				t.Errorf("revision %d has PublicationID %q, want %q", r.Number, r.PublicationID, p.ID)
			}
		}
		if got := revNumbers(revs); !slices.Equal(got, []int{1, 2, 3}) ||
			!slices.Equal(statuses, []string{store.RevSuperseded, store.RevPublished, store.RevDraft}) {
			t.Errorf("revisions %v with statuses %v, want [1 2 3] superseded, published, draft", got, statuses)
		}
	})

	t.Run("of a missing publication is not found", func(t *testing.T) {
		s := open(t)
		for _, id := range []string{"pub-missing", ""} {
			revs, err := s.Revisions(t.Context(), id)
			if revs != nil {
				t.Errorf("Revisions(%q) = %v, want nil", id, revNumbers(revs))
			}
			wantCodeAndMessage(t, fmt.Sprintf("Revisions(%q)", id), err, store.ENOTFOUND, store.MsgPublicationNotFound)
		}
	})
}

func testSaveDraft(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("replaces the pending draft's content and keeps the rest", func(t *testing.T) {
		s := open(t)
		p := newPublication("pub-1", store.PubAnnouncement, "220100", 0, 0)
		first := newRevision("初稿", 0)
		mustCreatePub(t, s, p, first)
		p = mustStep(t, s, p, store.RevSubmitted, "user-publisher-1", callerTime(time.Minute), "")
		p = mustStep(t, s, p, store.RevDraft, "user-leader", callerTime(2*time.Minute), "请补充处理结果")
		before := *p

		edit := newRevision("修改后的标题", 10*time.Minute)
		edit.Number = 1
		edit.Summary, edit.Body, edit.EventDate = "修改后的摘要", "修改后的正文\n\n第二段 😀", "2026-03-01"
		edit.AmountFen, edit.InsuranceTypes, edit.HandlingResult = 1, []string{"work_injury"}, "已移送公安机关"
		edit.FundRows = []store.FundRow{{InsuranceType: "maternity", IncomeFen: 5, BalanceFen: -7}}
		edit.RateBasisPoints, edit.FundSizeFen, edit.ReturnsFen = 250, 1, 2
		edit.CorrectionNote, edit.ScheduledAt = "", callerTime(72*time.Hour)
		// Not content: the store keeps what the draft has.
		edit.PublicationID, edit.Status, edit.ReturnNote = "pub-other", store.RevPublished, "调用方的退回意见"
		edit.CreatedBy, edit.CreatedAt = "user-other", callerTime(9*time.Minute)
		edit.SubmittedBy, edit.SubmittedAt = "user-other", callerTime(9*time.Minute)
		edit.ApprovedBy, edit.ApprovedAt = "user-other", callerTime(9*time.Minute)
		edit.PublishedBy, edit.PublishedAt = "user-other", callerTime(9*time.Minute)
		editBefore := *storedRev(edit)
		got, err := s.SaveDraft(t.Context(), p.ID, p.Version, edit)
		if err != nil {
			t.Fatalf("SaveDraft: %v", err)
		}
		if diff := revDiff(&editBefore, storedRev(edit)); diff != "" {
			t.Errorf("SaveDraft wrote into r:\n\t%s", diff)
		}

		wantPub := before
		wantPub.Title, wantPub.UpdatedAt, wantPub.Version = edit.Title, store.Truncate(edit.UpdatedAt), before.Version+1
		checkPub(t, "returned publication", &wantPub, got)
		checkPub(t, "stored publication", &wantPub, mustPub(t, s, p.ID, p.RegionCode))

		wantRev := draftRev(p.ID, 1, first)
		content := storedRev(edit)
		wantRev.Title, wantRev.Summary, wantRev.Body, wantRev.EventDate = content.Title, content.Summary, content.Body, content.EventDate
		wantRev.AmountFen, wantRev.InsuranceTypes, wantRev.HandlingResult = content.AmountFen, content.InsuranceTypes, content.HandlingResult
		wantRev.FundRows, wantRev.RateBasisPoints, wantRev.FundSizeFen, wantRev.ReturnsFen =
			content.FundRows, content.RateBasisPoints, content.FundSizeFen, content.ReturnsFen
		wantRev.CorrectionNote, wantRev.ScheduledAt, wantRev.UpdatedAt = content.CorrectionNote, content.ScheduledAt, content.UpdatedAt
		wantRev.ReturnNote = "请补充处理结果"
		wantRev.SubmittedBy, wantRev.SubmittedAt = "user-publisher-1", store.Truncate(callerTime(time.Minute))
		checkRevs(t, "revisions", []*store.Revision{wantRev}, mustRevisions(t, s, p.ID))

		edit.Title, edit.InsuranceTypes, edit.FundRows = "再次修改", nil, nil
		again, err := s.SaveDraft(t.Context(), p.ID, got.Version, edit)
		if err != nil {
			t.Fatalf("second SaveDraft: %v", err)
		}
		revs := mustRevisions(t, s, p.ID)
		if again.Version != got.Version+1 || again.Title != "再次修改" || len(revs) != 1 ||
			revs[0].Title != "再次修改" || revs[0].InsuranceTypes != nil || revs[0].FundRows != nil {
			t.Errorf("after the second save: Version %d Title %q, revisions %d; want %d, %q, one with empty lists",
				again.Version, again.Title, len(revs), got.Version+1, "再次修改")
		}
	})

	t.Run("a stale version is MsgStaleRecord and changes nothing", func(t *testing.T) {
		s := open(t)
		p := mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("初稿", 0))
		theirs := newRevision("他人的修改", time.Minute)
		theirs.Number = 1
		mustSaveDraft(t, s, p, theirs)
		want := mustPub(t, s, p.ID, p.RegionCode)
		wantRevs := mustRevisions(t, s, p.ID)
		mine := newRevision("我的修改", 2*time.Minute)
		mine.Number = 1
		_, err := s.SaveDraft(t.Context(), p.ID, 1, mine)
		wantCodeAndMessage(t, "SaveDraft from version 1", err, store.ECONFLICT, store.MsgStaleRecord)
		checkPub(t, "publication after the refused save", want, mustPub(t, s, p.ID, p.RegionCode))
		checkRevs(t, "revisions after the refused save", wantRevs, mustRevisions(t, s, p.ID))
	})

	t.Run("a wrong number is MsgStaleRecord", func(t *testing.T) {
		s := open(t)
		mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("初稿", 0))
		p := mustPub(t, s, "pub-1", "220100")
		for _, number := range []int{0, 2, -1} {
			r := newRevision("编号不对", time.Minute)
			r.Number = number
			_, err := s.SaveDraft(t.Context(), p.ID, p.Version, r)
			wantCodeAndMessage(t, fmt.Sprintf("SaveDraft of number %d over draft 1", number), err, store.ECONFLICT, store.MsgStaleRecord)
		}
		checkPub(t, "publication after the refused saves", p, mustPub(t, s, p.ID, p.RegionCode))
	})

	t.Run("a submitted or approved revision is frozen, whatever the version", func(t *testing.T) {
		s := open(t)
		p := mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("初稿", 0))
		for _, to := range []string{store.RevSubmitted, store.RevApproved} {
			p = mustStep(t, s, p, to, "user-leader", callerTime(time.Minute), "")
			wantRevs := mustRevisions(t, s, p.ID)
			r := newRevision("提交后的修改", 2*time.Minute)
			r.Number = 1
			for _, version := range []int64{p.Version, 1} {
				_, err := s.SaveDraft(t.Context(), p.ID, version, r)
				wantCodeAndMessage(t, fmt.Sprintf("SaveDraft of a %s revision at version %d", to, version), err,
					store.ECONFLICT, store.MsgPublicationFrozen)
			}
			checkPub(t, "publication after the refused saves", p, mustPub(t, s, p.ID, p.RegionCode))
			checkRevs(t, "revisions after the refused saves", wantRevs, mustRevisions(t, s, p.ID))
		}
	})

	t.Run("after publication a correction is a new draft LiveRevision+1", func(t *testing.T) {
		s := open(t)
		first := newRevision("第1版", 0)
		p := mustCreatePub(t, s, newPublication("pub-1", store.PubFundReport, "220100", 2025, 0), first)
		published := mustPublish(t, s, p, callerTime(time.Hour))
		liveRevs := mustRevisions(t, s, p.ID)

		for _, number := range []int{1, 3, 0} {
			_, err := s.SaveDraft(t.Context(), p.ID, published.Version, correction(number, 2*time.Hour))
			wantCodeAndMessage(t, fmt.Sprintf("SaveDraft of number %d after revision 1 was published", number), err,
				store.ECONFLICT, store.MsgStaleRecord)
		}
		checkPub(t, "publication after the refused saves", published, mustPub(t, s, p.ID, p.RegionCode))

		fix := correction(2, 2*time.Hour)
		fix.CreatedBy = "user-publisher-2"
		fix.ReturnNote, fix.SubmittedBy, fix.ApprovedBy, fix.PublishedBy = "x", "x", "x", "x"
		got := mustSaveDraft(t, s, published, fix)
		want := *published
		want.PendingRevision, want.PendingStatus = 2, store.RevDraft
		want.UpdatedAt, want.Version = store.Truncate(fix.UpdatedAt), published.Version+1
		// The title stays the live revision's while the correction is a draft.
		checkPub(t, "returned publication", &want, got)
		checkPub(t, "stored publication", &want, mustPub(t, s, p.ID, p.RegionCode))
		checkRevs(t, "revisions", append(liveRevs, draftRev(p.ID, 2, fix)), mustRevisions(t, s, p.ID))

		edit := correction(2, 3*time.Hour)
		edit.Title = "更正稿再改"
		again := mustSaveDraft(t, s, got, edit)
		if again.Title != first.Title || again.PendingRevision != 2 || again.LiveRevision != 1 {
			t.Errorf("after editing the correction: Title %q Pending %d Live %d, want %q 2 1", again.Title, again.PendingRevision, again.LiveRevision, first.Title)
		}
		revs := mustRevisions(t, s, p.ID)
		if len(revs) != 2 || revs[1].Title != "更正稿再改" || revs[1].CreatedBy != "user-publisher-2" ||
			!revs[1].CreatedAt.Equal(store.Truncate(fix.CreatedAt)) || revs[0].Status != store.RevPublished {
			t.Errorf("revisions after editing the correction: %+v", revs)
		}
	})

	t.Run("a withdrawn publication is MsgPublicationWithdrawn, whatever the version", func(t *testing.T) {
		s := open(t)
		p := mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("初稿", 0))
		p = mustPublish(t, s, p, callerTime(time.Hour))
		withdrawn := mustWithdraw(t, s, p, callerTime(2*time.Hour))
		for _, version := range []int64{withdrawn.Version, p.Version} {
			_, err := s.SaveDraft(t.Context(), p.ID, version, correction(2, 3*time.Hour))
			wantCodeAndMessage(t, fmt.Sprintf("SaveDraft of a withdrawn publication at version %d", version), err,
				store.ECONFLICT, store.MsgPublicationWithdrawn)
		}
		checkPub(t, "publication after the refused saves", withdrawn, mustPub(t, s, p.ID, p.RegionCode))
		if revs := mustRevisions(t, s, p.ID); len(revs) != 1 {
			t.Errorf("revisions %v, want [1]", revNumbers(revs))
		}
	})

	t.Run("a missing publication is not found", func(t *testing.T) {
		s := open(t)
		r := newRevision("初稿", 0)
		r.Number = 1
		for _, id := range []string{"pub-missing", ""} {
			_, err := s.SaveDraft(t.Context(), id, 1, r)
			wantCodeAndMessage(t, fmt.Sprintf("SaveDraft(%q)", id), err, store.ENOTFOUND, store.MsgPublicationNotFound)
		}
	})
}

func testStepPublication(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("every allowed step records what it should", func(t *testing.T) {
		s := open(t)
		p := newPublication("pub-1", store.PubFundReport, "220100", 2025, 0)
		first := newRevision("2025年度基金收支情况", 0)
		mustCreatePub(t, s, p, first)
		wantPub := createdPub(p, first)
		wantRev := draftRev(p.ID, 1, first)

		// step runs one step, checks the publication it returns and the
		// stored one against wantPub (after change) and the revisions
		// against revs.
		step := func(from, to, by string, at time.Time, note string, change func(), revs func() []*store.Revision) {
			t.Helper()
			got, err := s.StepPublication(t.Context(), store.PublicationStep{
				ID: p.ID, ExpectVersion: wantPub.Version, From: from, To: to, By: by, At: at, Note: note,
			})
			if err != nil {
				t.Fatalf("StepPublication %s → %s: %v", from, to, err)
			}
			wantPub.UpdatedAt, wantPub.Version = store.Truncate(at), wantPub.Version+1
			change()
			checkPub(t, fmt.Sprintf("publication returned by %s → %s", from, to), wantPub, got)
			checkPub(t, fmt.Sprintf("publication stored by %s → %s", from, to), wantPub, mustPub(t, s, p.ID, p.RegionCode))
			checkRevs(t, fmt.Sprintf("revisions after %s → %s", from, to), revs(), mustRevisions(t, s, p.ID))
		}
		only := func() []*store.Revision { return []*store.Revision{wantRev} }

		t1 := callerTime(time.Minute)
		step(store.RevDraft, store.RevSubmitted, "user-publisher-1", t1, "提交时的备注不是退回意见", func() {
			wantPub.PendingStatus = store.RevSubmitted
			wantRev.Status, wantRev.SubmittedBy, wantRev.SubmittedAt = store.RevSubmitted, "user-publisher-1", store.Truncate(t1)
		}, only)
		t2 := callerTime(2 * time.Minute)
		step(store.RevSubmitted, store.RevDraft, "user-leader", t2, "请补充数据来源", func() {
			wantPub.PendingStatus = store.RevDraft
			wantRev.Status, wantRev.ReturnNote = store.RevDraft, "请补充数据来源"
		}, only)
		t3 := callerTime(3 * time.Minute)
		step(store.RevDraft, store.RevSubmitted, "user-publisher-2", t3, "", func() {
			wantPub.PendingStatus = store.RevSubmitted
			wantRev.Status, wantRev.ReturnNote = store.RevSubmitted, ""
			wantRev.SubmittedBy, wantRev.SubmittedAt = "user-publisher-2", store.Truncate(t3)
		}, only)
		t4 := callerTime(4 * time.Minute)
		step(store.RevSubmitted, store.RevApproved, "user-leader", t4, "", func() {
			wantPub.PendingStatus, wantPub.ScheduledAt = store.RevApproved, store.Truncate(first.ScheduledAt)
			wantRev.Status, wantRev.ApprovedBy, wantRev.ApprovedAt = store.RevApproved, "user-leader", store.Truncate(t4)
		}, only)
		t5 := callerTime(50 * time.Hour)
		step(store.RevApproved, store.RevPublished, "system", t5, "", func() {
			wantPub.LiveRevision, wantPub.PendingRevision, wantPub.PendingStatus = 1, 0, ""
			wantPub.ScheduledAt = time.Time{}
			wantPub.FirstPublishedAt, wantPub.LastPublishedAt = store.Truncate(t5), store.Truncate(t5)
			wantRev.Status, wantRev.PublishedBy, wantRev.PublishedAt = store.RevPublished, "system", store.Truncate(t5)
		}, only)

		// A correction: publishing it supersedes revision 1.
		fix := correction(2, 51*time.Hour)
		fix.ScheduledAt = time.Time{}
		saved := mustSaveDraft(t, s, wantPub, fix)
		wantPub.PendingRevision, wantPub.PendingStatus = 2, store.RevDraft
		wantPub.UpdatedAt, wantPub.Version = store.Truncate(fix.UpdatedAt), wantPub.Version+1
		checkPub(t, "publication with the correction's draft", wantPub, saved)
		wantFix := draftRev(p.ID, 2, fix)
		both := func() []*store.Revision { return []*store.Revision{wantRev, wantFix} }
		t6 := callerTime(52 * time.Hour)
		step(store.RevDraft, store.RevSubmitted, "user-publisher-1", t6, "", func() {
			wantPub.PendingStatus = store.RevSubmitted
			wantFix.Status, wantFix.SubmittedBy, wantFix.SubmittedAt = store.RevSubmitted, "user-publisher-1", store.Truncate(t6)
		}, both)
		t7 := callerTime(53 * time.Hour)
		step(store.RevSubmitted, store.RevApproved, "user-leader", t7, "", func() {
			// The correction has no schedule: the publication's stays zero.
			wantPub.PendingStatus = store.RevApproved
			wantFix.Status, wantFix.ApprovedBy, wantFix.ApprovedAt = store.RevApproved, "user-leader", store.Truncate(t7)
		}, both)
		t8 := callerTime(54 * time.Hour)
		step(store.RevApproved, store.RevPublished, "user-leader", t8, "", func() {
			wantPub.LiveRevision, wantPub.PendingRevision, wantPub.PendingStatus = 2, 0, ""
			wantPub.Title, wantPub.LastPublishedAt = fix.Title, store.Truncate(t8)
			wantRev.Status = store.RevSuperseded
			wantFix.Status, wantFix.PublishedBy, wantFix.PublishedAt = store.RevPublished, "user-leader", store.Truncate(t8)
		}, both)
	})

	t.Run("a pair that is not a step is EINVALID and changes nothing", func(t *testing.T) {
		s := open(t)
		mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("初稿", 0))
		p := mustPub(t, s, "pub-1", "220100")
		for _, tc := range []struct{ from, to string }{
			{store.RevDraft, store.RevApproved},
			{store.RevDraft, store.RevPublished},
			{store.RevDraft, store.RevDraft},
			{store.RevSubmitted, store.RevPublished},
			{store.RevSubmitted, store.RevSubmitted},
			{store.RevApproved, store.RevDraft},
			{store.RevApproved, store.RevSubmitted},
			{store.RevPublished, store.RevDraft},
			{store.RevPublished, store.RevSuperseded},
			{store.RevDraft, store.RevSuperseded},
			{"", store.RevSubmitted},
			{store.RevDraft, ""},
			{"Draft", "Submitted"},
		} {
			_, err := s.StepPublication(t.Context(), store.PublicationStep{
				ID: p.ID, ExpectVersion: p.Version, From: tc.from, To: tc.to, By: "user-leader", At: callerTime(time.Minute),
			})
			wantCodeAndMessage(t, fmt.Sprintf("StepPublication %q → %q", tc.from, tc.to), err, store.EINVALID, store.MsgIncomplete)
		}
		checkPub(t, "publication after the refused steps", p, mustPub(t, s, p.ID, p.RegionCode))
		// The pair is checked before the publication is looked for.
		_, err := s.StepPublication(t.Context(), store.PublicationStep{
			ID: "pub-missing", ExpectVersion: 1, From: store.RevDraft, To: store.RevPublished, At: callerTime(time.Minute),
		})
		wantCodeAndMessage(t, "StepPublication draft → published of a missing publication", err, store.EINVALID, store.MsgIncomplete)
	})

	t.Run("a stale version or a from that is not the pending status is MsgStaleRecord", func(t *testing.T) {
		s := open(t)
		p := mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("初稿", 0))
		submitted := mustStep(t, s, p, store.RevSubmitted, "user-publisher-1", callerTime(time.Minute), "")
		for _, tc := range []struct {
			name string
			step store.PublicationStep
		}{
			{"the version before the submission", store.PublicationStep{ExpectVersion: 1, From: store.RevSubmitted, To: store.RevApproved}},
			{"a version not reached yet", store.PublicationStep{ExpectVersion: 9, From: store.RevSubmitted, To: store.RevApproved}},
			{"from draft, already submitted", store.PublicationStep{ExpectVersion: submitted.Version, From: store.RevDraft, To: store.RevSubmitted}},
			{"from approved, only submitted", store.PublicationStep{ExpectVersion: submitted.Version, From: store.RevApproved, To: store.RevPublished}},
		} {
			tc.step.ID, tc.step.By, tc.step.At = p.ID, "user-leader", callerTime(2*time.Minute)
			_, err := s.StepPublication(t.Context(), tc.step)
			wantCodeAndMessage(t, tc.name, err, store.ECONFLICT, store.MsgStaleRecord)
		}
		checkPub(t, "publication after the refused steps", submitted, mustPub(t, s, p.ID, p.RegionCode))

		live := mustPublish(t, s, submitted, callerTime(time.Hour))
		_, err := s.StepPublication(t.Context(), store.PublicationStep{
			ID: p.ID, ExpectVersion: live.Version, From: store.RevDraft, To: store.RevSubmitted, By: "user-publisher-1", At: callerTime(2 * time.Hour),
		})
		wantCodeAndMessage(t, "a step with nothing pending", err, store.ECONFLICT, store.MsgStaleRecord)
		checkPub(t, "publication after the refused step", live, mustPub(t, s, p.ID, p.RegionCode))
	})

	t.Run("a withdrawn publication is MsgPublicationWithdrawn", func(t *testing.T) {
		s := open(t)
		p := mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("初稿", 0))
		p = mustPublish(t, s, p, callerTime(time.Hour))
		p = mustSaveDraft(t, s, p, correction(2, 2*time.Hour))
		withdrawn := mustWithdraw(t, s, p, callerTime(3*time.Hour))
		for _, version := range []int64{withdrawn.Version, p.Version} {
			_, err := s.StepPublication(t.Context(), store.PublicationStep{
				ID: p.ID, ExpectVersion: version, From: store.RevDraft, To: store.RevSubmitted, By: "user-publisher-1", At: callerTime(4 * time.Hour),
			})
			wantCodeAndMessage(t, fmt.Sprintf("a step of a withdrawn publication at version %d", version), err,
				store.ECONFLICT, store.MsgPublicationWithdrawn)
		}
		checkPub(t, "publication after the refused steps", withdrawn, mustPub(t, s, p.ID, p.RegionCode))
	})

	t.Run("a missing publication is not found", func(t *testing.T) {
		s := open(t)
		for _, id := range []string{"pub-missing", ""} {
			_, err := s.StepPublication(t.Context(), store.PublicationStep{
				ID: id, ExpectVersion: 1, From: store.RevDraft, To: store.RevSubmitted, By: "user-publisher-1", At: callerTime(0),
			})
			wantCodeAndMessage(t, fmt.Sprintf("StepPublication(%q)", id), err, store.ENOTFOUND, store.MsgPublicationNotFound)
		}
	})

	t.Run("of concurrent steps from one view exactly one wins", func(t *testing.T) {
		for _, tc := range []struct{ from, to string }{
			{store.RevDraft, store.RevSubmitted},
			{store.RevApproved, store.RevPublished},
		} {
			t.Run(tc.from+" → "+tc.to, func(t *testing.T) {
				s := open(t)
				p := mustCreatePub(t, s, newPublication("pub-1", store.PubFundReport, "220100", 2025, 0), newRevision("初稿", 0))
				for p.PendingStatus != tc.from {
					p = mustStep(t, s, p, map[string]string{store.RevDraft: store.RevSubmitted, store.RevSubmitted: store.RevApproved}[p.PendingStatus],
						"user-leader", callerTime(time.Minute), "")
				}
				const n = 5
				errs := make([]error, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() {
						_, errs[i] = s.StepPublication(t.Context(), store.PublicationStep{
							ID: p.ID, ExpectVersion: p.Version, From: tc.from, To: tc.to,
							By: fmt.Sprintf("user-%d", i), At: callerTime(time.Hour + time.Duration(i)*time.Minute),
						})
					})
				}
				wg.Wait()
				winner := -1
				for i, err := range errs {
					if err == nil {
						if winner >= 0 {
							t.Errorf("steps %d and %d both succeeded", winner, i)
						}
						winner = i
						continue
					}
					wantCodeAndMessage(t, fmt.Sprintf("step %d", i), err, store.ECONFLICT, store.MsgStaleRecord)
				}
				if winner < 0 {
					t.Fatalf("no step succeeded: %v", errs)
				}
				got := mustPub(t, s, p.ID, p.RegionCode)
				wantAt := store.Truncate(callerTime(time.Hour + time.Duration(winner)*time.Minute))
				if got.Version != p.Version+1 || !got.UpdatedAt.Equal(wantAt) {
					t.Errorf("Version %d UpdatedAt %s, want %d and %s (step %d)", got.Version, got.UpdatedAt, p.Version+1, wantAt, winner)
				}
				revs := mustRevisions(t, s, p.ID)
				by := revs[0].SubmittedBy
				if tc.to == store.RevPublished {
					by = revs[0].PublishedBy
				}
				if len(revs) != 1 || revs[0].Status != tc.to || by != fmt.Sprintf("user-%d", winner) {
					t.Errorf("revision after the race: Status %q by %q, want %q by user-%d", revs[0].Status, by, tc.to, winner)
				}
			})
		}
	})
}

func testWithdrawPublication(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("records the withdrawal and drops the pending revision", func(t *testing.T) {
		s := open(t)
		p := mustCreatePub(t, s, newPublication("pub-1", store.PubAccountNote, "220100", 2025, 0), newRevision("第1版", 0))
		p = mustPublish(t, s, p, callerTime(time.Hour))
		liveRevs := mustRevisions(t, s, p.ID)
		p = mustSaveDraft(t, s, p, correction(2, 2*time.Hour))
		p = mustStep(t, s, p, store.RevSubmitted, "user-publisher-1", callerTime(3*time.Hour), "")
		p = mustStep(t, s, p, store.RevApproved, "user-leader", callerTime(4*time.Hour), "")
		if p.ScheduledAt.IsZero() {
			t.Fatal("the approved correction has no ScheduledAt on the publication")
		}
		at := callerTime(5 * time.Hour)
		got, err := s.WithdrawPublication(t.Context(), p.ID, p.Version, "user-leader", "数据有误，撤回重新核对", at)
		if err != nil {
			t.Fatalf("WithdrawPublication: %v", err)
		}
		want := *p
		want.WithdrawnAt, want.WithdrawnBy, want.WithdrawnReason = store.Truncate(at), "user-leader", "数据有误，撤回重新核对"
		want.PendingRevision, want.PendingStatus, want.ScheduledAt = 0, "", time.Time{}
		want.UpdatedAt, want.Version = store.Truncate(at), p.Version+1
		checkPub(t, "returned publication", &want, got)
		checkPub(t, "stored publication", &want, mustPub(t, s, p.ID, p.RegionCode))
		if !got.Withdrawn() {
			t.Error("Withdrawn() is false after WithdrawPublication")
		}
		checkRevs(t, "revisions after the withdrawal", liveRevs, mustRevisions(t, s, p.ID))
		if due, err := s.DuePublications(t.Context(), callerTime(1000*time.Hour), 10); err != nil || len(due) != 0 {
			t.Errorf("DuePublications after the withdrawal: %v, %v; want none", due, err)
		}
	})

	t.Run("twice is MsgPublicationWithdrawn, whatever the version", func(t *testing.T) {
		s := open(t)
		p := mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("第1版", 0))
		p = mustPublish(t, s, p, callerTime(time.Hour))
		withdrawn := mustWithdraw(t, s, p, callerTime(2*time.Hour))
		for _, version := range []int64{withdrawn.Version, p.Version} {
			_, err := s.WithdrawPublication(t.Context(), p.ID, version, "user-other", "再次撤回", callerTime(3*time.Hour))
			wantCodeAndMessage(t, fmt.Sprintf("a second withdrawal at version %d", version), err, store.ECONFLICT, store.MsgPublicationWithdrawn)
		}
		checkPub(t, "publication after the refused withdrawals", withdrawn, mustPub(t, s, p.ID, p.RegionCode))
	})

	t.Run("a publication never published is MsgNotPublished, whatever the version", func(t *testing.T) {
		s := open(t)
		mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("第1版", 0))
		p := mustPub(t, s, "pub-1", "220100")
		for _, to := range []string{"", store.RevSubmitted, store.RevApproved} {
			if to != "" {
				p = mustStep(t, s, p, to, "user-leader", callerTime(time.Minute), "")
			}
			wantRevs := mustRevisions(t, s, p.ID)
			for _, version := range []int64{p.Version, p.Version + 1} {
				_, err := s.WithdrawPublication(t.Context(), p.ID, version, "user-leader", "撤回", callerTime(time.Hour))
				wantCodeAndMessage(t, fmt.Sprintf("withdrawing a %s publication at version %d", p.PendingStatus, version), err,
					store.ECONFLICT, store.MsgNotPublished)
			}
			checkPub(t, "publication after the refused withdrawal", p, mustPub(t, s, p.ID, p.RegionCode))
			checkRevs(t, "revisions after the refused withdrawal", wantRevs, mustRevisions(t, s, p.ID))
		}
	})

	t.Run("a stale version is MsgStaleRecord", func(t *testing.T) {
		s := open(t)
		p := mustCreatePub(t, s, newPublication("pub-1", store.PubNews, "220100", 0, 0), newRevision("第1版", 0))
		p = mustPublish(t, s, p, callerTime(time.Hour))
		moved := mustSaveDraft(t, s, p, correction(2, 2*time.Hour))
		_, err := s.WithdrawPublication(t.Context(), p.ID, p.Version, "user-leader", "撤回", callerTime(3*time.Hour))
		wantCodeAndMessage(t, "a withdrawal from the version before the correction", err, store.ECONFLICT, store.MsgStaleRecord)
		checkPub(t, "publication after the refused withdrawal", moved, mustPub(t, s, p.ID, p.RegionCode))
	})

	t.Run("a missing publication is not found", func(t *testing.T) {
		s := open(t)
		for _, id := range []string{"pub-missing", ""} {
			_, err := s.WithdrawPublication(t.Context(), id, 1, "user-leader", "撤回", callerTime(0))
			wantCodeAndMessage(t, fmt.Sprintf("WithdrawPublication(%q)", id), err, store.ENOTFOUND, store.MsgPublicationNotFound)
		}
	})
}

func testListPublications(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	// Updated times chosen so that the order differs from that by ID and
	// by creation; d and e share one, so ID decides.
	mustCreatePub(t, s, newPublication("pub-a", store.PubFundReport, "220100", 2025, 0), newRevision("a", 0))
	b := mustCreatePub(t, s, newPublication("pub-b", store.PubNews, "220100", 0, time.Minute), newRevision("b", time.Minute))
	mustStep(t, s, b, store.RevSubmitted, "user-publisher-1", callerTime(10*time.Minute), "")
	c := mustCreatePub(t, s, newPublication("pub-c", store.PubAccountNote, "220200", 2025, 2*time.Minute), newRevision("c", 2*time.Minute))
	c = mustStep(t, s, c, store.RevSubmitted, "user-publisher-1", callerTime(3*time.Minute), "")
	mustStep(t, s, c, store.RevApproved, "user-leader", callerTime(4*time.Minute), "")
	d := mustCreatePub(t, s, newPublication("pub-d", store.PubAnnouncement, "220200", 0, 5*time.Minute), newRevision("d", 5*time.Minute))
	mustPublish(t, s, d, callerTime(6*time.Minute))
	mustCreatePub(t, s, newPublication("pub-e", store.PubNotice, "220300", 0, 6*time.Minute), newRevision("e", 6*time.Minute))
	f := mustCreatePub(t, s, newPublication("pub-f", store.PubFundReport, "220100", 2024, 7*time.Minute), newRevision("f", 7*time.Minute))
	f = mustPublish(t, s, f, callerTime(8*time.Minute))
	mustWithdraw(t, s, f, callerTime(9*time.Minute))

	for _, tc := range []struct {
		name      string
		filter    store.PublicationFilter
		wantIDs   []string
		wantTotal int
	}{
		{"everything, the most recently updated first", store.PublicationFilter{},
			[]string{"pub-b", "pub-f", "pub-d", "pub-e", "pub-c", "pub-a"}, 6},
		{"one region", store.PublicationFilter{RegionCodes: []string{"220100"}}, []string{"pub-b", "pub-f", "pub-a"}, 3},
		{"two regions", store.PublicationFilter{RegionCodes: []string{"220300", "220200"}}, []string{"pub-d", "pub-e", "pub-c"}, 3},
		{"a parent region is not expanded", store.PublicationFilter{RegionCodes: []string{"220000"}}, []string{}, 0},
		{"disclosures", store.PublicationFilter{Kinds: []string{store.PubFundReport, store.PubAccountNote}},
			[]string{"pub-f", "pub-c", "pub-a"}, 3},
		{"drafts", store.PublicationFilter{PendingStatuses: []string{store.RevDraft}}, []string{"pub-e", "pub-a"}, 2},
		{"waiting for a leader", store.PublicationFilter{PendingStatuses: []string{store.RevSubmitted, store.RevApproved}},
			[]string{"pub-b", "pub-c"}, 2},
		{"one year", store.PublicationFilter{Year: 2025}, []string{"pub-c", "pub-a"}, 2},
		{"every filter at once", store.PublicationFilter{RegionCodes: []string{"220100", "220200"},
			Kinds: []string{store.PubFundReport}, PendingStatuses: []string{store.RevDraft}, Year: 2025}, []string{"pub-a"}, 1},
		{"a page", store.PublicationFilter{Limit: 2, Offset: 1}, []string{"pub-f", "pub-d"}, 6},
		{"a page past the end", store.PublicationFilter{Limit: 2, Offset: 10}, []string{}, 6},
		{"a negative offset means 0", store.PublicationFilter{Limit: 1, Offset: -3}, []string{"pub-b"}, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := s.ListPublications(t.Context(), tc.filter)
			if err != nil {
				t.Fatalf("ListPublications: %v", err)
			}
			if ids := pubIDs(got); !slices.Equal(ids, tc.wantIDs) || total != tc.wantTotal {
				t.Errorf("got %v (total %d), want %v (total %d)", ids, total, tc.wantIDs, tc.wantTotal)
			}
		})
	}

	t.Run("listed publications carry every field", func(t *testing.T) {
		list, _, err := s.ListPublications(t.Context(), store.PublicationFilter{})
		if err != nil {
			t.Fatalf("ListPublications: %v", err)
		}
		for _, p := range list {
			checkPub(t, "listed "+p.ID, mustPub(t, s, p.ID, p.RegionCode), p)
		}
	})

	t.Run("paging through the zero filter visits every publication once", func(t *testing.T) {
		s := open(t)
		var want []string
		for i := range 7 {
			// Two update times only: many ties broken by ID.
			p := newPublication(fmt.Sprintf("pub-%d", 6-i), store.PubNews, "220100", 0, time.Duration(i%2)*time.Minute)
			mustCreatePub(t, s, p, newRevision(p.ID, 0))
			want = append(want, p.ID)
		}
		var got []string
		for offset := 0; ; {
			page, total, err := s.ListPublications(t.Context(), store.PublicationFilter{Limit: 2, Offset: offset})
			if err != nil {
				t.Fatalf("ListPublications: %v", err)
			}
			got = append(got, pubIDs(page)...)
			offset += len(page)
			if len(page) == 0 || offset >= total {
				break
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("pages of 2 gave %v, want each of %v once", got, want)
		}
	})
}

func testListPublished(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	p1 := mustCreatePub(t, s, newPublication("pub-1", store.PubFundReport, "220100", 2025, 0), newRevision("p1", 0))
	mustPublish(t, s, p1, callerTime(10*time.Minute))
	p2 := mustCreatePub(t, s, newPublication("pub-2", store.PubNews, "220200", 0, 0), newRevision("p2 第1版", 0))
	p2 = mustPublish(t, s, p2, callerTime(20*time.Minute))
	p2 = mustSaveDraft(t, s, p2, correction(2, 25*time.Minute))
	mustPublish(t, s, p2, callerTime(30*time.Minute))
	p3 := mustCreatePub(t, s, newPublication("pub-3", store.PubAnnouncement, "220100", 0, 0), newRevision("p3", 0))
	mustPublish(t, s, p3, callerTime(20*time.Minute))
	mustCreatePub(t, s, newPublication("pub-4", store.PubNotice, "220300", 0, 0), newRevision("p4 draft only", 0))
	p5 := mustCreatePub(t, s, newPublication("pub-5", store.PubAccountNote, "220200", 2024, 0), newRevision("p5", 0))
	p5 = mustPublish(t, s, p5, callerTime(5*time.Minute))
	mustWithdraw(t, s, p5, callerTime(40*time.Minute))
	p6 := mustCreatePub(t, s, newPublication("pub-6", store.PubNews, "220100", 0, 0), newRevision("p6 第1版", 0))
	p6 = mustPublish(t, s, p6, callerTime(15*time.Minute))
	p6 = mustSaveDraft(t, s, p6, correction(2, 16*time.Minute))
	p7 := mustCreatePub(t, s, newPublication("pub-7", store.PubNews, "220100", 0, 0), newRevision("p7 approved, not published", 0))
	p7 = mustStep(t, s, p7, store.RevSubmitted, "user-publisher-1", callerTime(time.Minute), "")
	mustStep(t, s, p7, store.RevApproved, "user-leader", callerTime(2*time.Minute), "")

	for _, tc := range []struct {
		name      string
		filter    store.PublishedFilter
		wantIDs   []string
		wantTotal int
	}{
		{"live ones, first published most recently first", store.PublishedFilter{},
			[]string{"pub-2", "pub-3", "pub-6", "pub-1"}, 4},
		{"with tombstones", store.PublishedFilter{WithTombstones: true},
			[]string{"pub-2", "pub-3", "pub-6", "pub-1", "pub-5"}, 5},
		{"one kind", store.PublishedFilter{Kinds: []string{store.PubNews}}, []string{"pub-2", "pub-6"}, 2},
		{"two kinds with tombstones", store.PublishedFilter{Kinds: []string{store.PubFundReport, store.PubAccountNote}, WithTombstones: true},
			[]string{"pub-1", "pub-5"}, 2},
		{"one region", store.PublishedFilter{RegionCodes: []string{"220100"}}, []string{"pub-3", "pub-6", "pub-1"}, 3},
		{"a region with only a draft", store.PublishedFilter{RegionCodes: []string{"220300"}}, []string{}, 0},
		{"one year", store.PublishedFilter{Year: 2025}, []string{"pub-1"}, 1},
		{"a year withdrawn", store.PublishedFilter{Year: 2024}, []string{}, 0},
		{"a year withdrawn, with tombstones", store.PublishedFilter{Year: 2024, WithTombstones: true}, []string{"pub-5"}, 1},
		{"every filter at once", store.PublishedFilter{Kinds: []string{store.PubNews, store.PubAnnouncement},
			RegionCodes: []string{"220100", "220300"}, WithTombstones: true}, []string{"pub-3", "pub-6"}, 2},
		{"a page", store.PublishedFilter{Limit: 2, Offset: 1}, []string{"pub-3", "pub-6"}, 4},
		{"a page past the end", store.PublishedFilter{Limit: 2, Offset: 9}, []string{}, 4},
		{"a negative offset means 0", store.PublishedFilter{Limit: 1, Offset: -1}, []string{"pub-2"}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := s.ListPublished(t.Context(), tc.filter)
			if err != nil {
				t.Fatalf("ListPublished: %v", err)
			}
			if ids := publishedIDs(got); !slices.Equal(ids, tc.wantIDs) || total != tc.wantTotal {
				t.Errorf("got %v (total %d), want %v (total %d)", ids, total, tc.wantIDs, tc.wantTotal)
			}
		})
	}

	t.Run("each comes with its live revision, a tombstone with none", func(t *testing.T) {
		got, _, err := s.ListPublished(t.Context(), store.PublishedFilter{WithTombstones: true})
		if err != nil {
			t.Fatalf("ListPublished: %v", err)
		}
		for _, item := range got {
			p := item.Publication
			checkPub(t, "listed "+p.ID, mustPub(t, s, p.ID, p.RegionCode), p)
			if p.Withdrawn() {
				if item.Live != nil {
					t.Errorf("tombstone %s comes with revision %d, want nil", p.ID, item.Live.Number)
				}
				continue
			}
			revs := mustRevisions(t, s, p.ID)
			if p.LiveRevision < 1 || p.LiveRevision > len(revs) {
				t.Fatalf("%s: LiveRevision %d of %d revisions", p.ID, p.LiveRevision, len(revs))
			}
			if diff := revDiff(revs[p.LiveRevision-1], item.Live); diff != "" {
				t.Errorf("%s: live revision differs:\n\t%s", p.ID, diff)
			}
		}
		if len(got) != 5 || got[0].Live == nil || got[0].Live.Number != 2 || got[0].Live.Status != store.RevPublished ||
			got[2].Live == nil || got[2].Live.Number != 1 || got[2].Live.Title != "p6 第1版" {
			t.Errorf("pub-2 should come with its correction and pub-6 with revision 1, not its draft: %+v", got)
		}
	})
}

func testDuePublications(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	// approve creates a publication whose revision is scheduled at
	// scheduled (zero: none) and takes it to status to.
	approve := func(id string, scheduled time.Time, to string) *store.Publication {
		t.Helper()
		r := newRevision(id, 0)
		r.ScheduledAt = scheduled
		p := mustCreatePub(t, s, newPublication(id, store.PubNews, "220100", 0, 0), r)
		for _, next := range []string{store.RevSubmitted, store.RevApproved, store.RevPublished} {
			if p.PendingStatus == to {
				break
			}
			p = mustStep(t, s, p, next, "user-leader", callerTime(time.Minute), "")
		}
		return p
	}
	a := approve("pub-a", time.Time{}, store.RevApproved)
	approve("pub-f", callerTime(time.Hour), store.RevApproved)
	approve("pub-c", callerTime(2*time.Hour), store.RevApproved)
	approve("pub-b", callerTime(time.Hour), store.RevApproved)
	approve("pub-d", callerTime(0), store.RevSubmitted)
	approve("pub-e", time.Time{}, store.RevDraft)
	approve("pub-g", time.Time{}, "")

	for _, tc := range []struct {
		name  string
		at    time.Time
		limit int
		want  []string
	}{
		{"before any schedule only the unscheduled", callerTime(-time.Hour), 10, []string{"pub-a"}},
		{"at a schedule, inclusive", callerTime(time.Hour), 10, []string{"pub-a", "pub-b", "pub-f"}},
		{"between schedules", callerTime(90 * time.Minute), 10, []string{"pub-a", "pub-b", "pub-f"}},
		{"after every schedule", callerTime(3 * time.Hour), 10, []string{"pub-a", "pub-b", "pub-f", "pub-c"}},
		{"at most limit", callerTime(3 * time.Hour), 2, []string{"pub-a", "pub-b"}},
		{"a limit of 0 returns none", callerTime(3 * time.Hour), 0, []string{}},
		{"a negative limit returns none", callerTime(3 * time.Hour), -1, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.DuePublications(t.Context(), tc.at, tc.limit)
			if err != nil {
				t.Fatalf("DuePublications: %v", err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("a published one is no longer due", func(t *testing.T) {
		mustStep(t, s, a, store.RevPublished, "system", callerTime(time.Minute), "")
		got, err := s.DuePublications(t.Context(), callerTime(3*time.Hour), 10)
		if err != nil {
			t.Fatalf("DuePublications: %v", err)
		}
		if want := []string{"pub-b", "pub-f", "pub-c"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}

// cloneRevisions deep-copies the revisions an import is given, to check
// that it writes nothing into them.
func cloneRevisions(rs []*store.Revision) []store.Revision {
	out := make([]store.Revision, len(rs))
	for i, r := range rs {
		out[i] = *r
		out[i].InsuranceTypes = slices.Clone(r.InsuranceTypes)
		out[i].FundRows = slices.Clone(r.FundRows)
	}
	return out
}

// importablePublication returns a publication as another store might hold
// it: revision 1 superseded, 2 live, 3 approved and scheduled, every field
// set, times in China Standard Time with sub-millisecond digits.
func importablePublication(id string) (*store.Publication, []*store.Revision) {
	p := newPublication(id, store.PubFundReport, "220100", 2025, 0)
	p.SourceID, p.Title = "old-site/"+id, "第2版标题"
	p.LiveRevision, p.PendingRevision, p.PendingStatus = 2, 3, store.RevApproved
	p.ScheduledAt = callerTime(100 * time.Hour)
	p.FirstPublishedAt, p.LastPublishedAt = callerTime(10*time.Hour), callerTime(20*time.Hour)
	p.UpdatedAt, p.Version = callerTime(30*time.Hour), 11
	revs := []*store.Revision{newRevision("第1版标题", 0), correction(2, 15*time.Hour), correction(3, 25*time.Hour)}
	revs[1].Title = "第2版标题"
	for i, r := range revs {
		d := time.Duration(i) * 10 * time.Hour
		r.PublicationID, r.Number = id, i+1
		r.ReturnNote = fmt.Sprintf("第%d版曾被退回", i+1)
		r.SubmittedBy, r.SubmittedAt = "user-publisher-1", callerTime(d+time.Hour)
		r.ApprovedBy, r.ApprovedAt = "user-leader", callerTime(d+2*time.Hour)
		if i < 2 {
			r.PublishedBy, r.PublishedAt = "system", callerTime(d+10*time.Hour)
		}
	}
	revs[0].Status, revs[1].Status, revs[2].Status = store.RevSuperseded, store.RevPublished, store.RevApproved
	revs[2].ScheduledAt = p.ScheduledAt
	return p, revs
}

func testImportPublication(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("stores every field as given but IndexedVersion, and writes nothing back", func(t *testing.T) {
		s := open(t)
		p, revs := importablePublication("pub-1")
		p.IndexedVersion = 7       // the source's index saw it; this one has not
		revs[1].PublicationID = "" // taken as p.ID
		beforePub, beforeRevs := *p, cloneRevisions(revs)
		if err := s.ImportPublication(t.Context(), p, revs); err != nil {
			t.Fatalf("ImportPublication: %v", err)
		}
		unchanged(t, "ImportPublication", beforePub, *p)
		unchanged(t, "ImportPublication", beforeRevs, cloneRevisions(revs))
		wantPub := storedPub(p)
		wantPub.IndexedVersion = 0
		checkPub(t, "imported publication", wantPub, mustPub(t, s, p.ID, p.RegionCode))
		var want []*store.Revision
		for _, r := range revs {
			w := storedRev(r)
			w.PublicationID = p.ID
			want = append(want, w)
		}
		checkRevs(t, "imported revisions", want, mustRevisions(t, s, p.ID))
		if got, err := s.PublicationBySource(t.Context(), p.SourceID); err != nil || got.ID != p.ID {
			t.Errorf("PublicationBySource after the import: %v, %v", got, err)
		}
		if due, err := s.DuePublications(t.Context(), callerTime(100*time.Hour), 10); err != nil || !slices.Equal(due, []string{p.ID}) {
			t.Errorf("DuePublications after the import: %v, %v; want [%s]", due, err, p.ID)
		}
		published, _, err := s.ListPublished(t.Context(), store.PublishedFilter{})
		if err != nil || len(published) != 1 || published[0].Live == nil {
			t.Fatalf("ListPublished after the import: %v, %v", published, err)
		}
		if diff := revDiff(want[1], published[0].Live); diff != "" {
			t.Errorf("live revision of the import differs:\n\t%s", diff)
		}
	})

	t.Run("a tombstone and a bare draft round-trip too", func(t *testing.T) {
		s := open(t)
		tomb, revs := importablePublication("pub-tomb")
		tomb.PendingRevision, tomb.PendingStatus, tomb.ScheduledAt = 0, "", time.Time{}
		tomb.WithdrawnAt, tomb.WithdrawnBy, tomb.WithdrawnReason = callerTime(40*time.Hour), "user-leader", "撤回"
		revs = revs[:2]
		if err := s.ImportPublication(t.Context(), tomb, revs); err != nil {
			t.Fatalf("ImportPublication of a tombstone: %v", err)
		}
		checkPub(t, "imported tombstone", storedPub(tomb), mustPub(t, s, tomb.ID, tomb.RegionCode))
		checkRevs(t, "imported tombstone's revisions", []*store.Revision{storedRev(revs[0]), storedRev(revs[1])}, mustRevisions(t, s, tomb.ID))

		bare := newPublication("pub-bare", store.PubNews, "220200", 0, 0)
		bare.FromCaseID, bare.CreatedBy = "", ""
		bare.Title, bare.PendingRevision, bare.PendingStatus, bare.Version = "", 1, store.RevDraft, 1
		rev := &store.Revision{Number: 1, Status: store.RevDraft, InsuranceTypes: []string{}, FundRows: []store.FundRow{}}
		if err := s.ImportPublication(t.Context(), bare, []*store.Revision{rev}); err != nil {
			t.Fatalf("ImportPublication of a bare draft: %v", err)
		}
		checkPub(t, "imported bare draft", storedPub(bare), mustPub(t, s, bare.ID, bare.RegionCode))
		checkRevs(t, "imported bare draft's revisions", []*store.Revision{{PublicationID: bare.ID, Number: 1, Status: store.RevDraft}},
			mustRevisions(t, s, bare.ID))
	})

	t.Run("a copy from another store reads back equal and goes on from its state", func(t *testing.T) {
		src := open(t)
		p := mustCreatePub(t, src, newPublication("pub-1", store.PubFundReport, "220100", 2025, 0), newRevision("第1版", 0))
		p = mustPublish(t, src, p, callerTime(time.Hour))
		p = mustSaveDraft(t, src, p, correction(2, 2*time.Hour))
		p = mustStep(t, src, p, store.RevSubmitted, "user-publisher-1", callerTime(3*time.Hour), "")
		p = mustStep(t, src, p, store.RevApproved, "user-leader", callerTime(4*time.Hour), "")
		gone := mustCreatePub(t, src, newPublication("pub-2", store.PubNews, "220200", 0, 0), newRevision("撤回的新闻", 0))
		gone = mustPublish(t, src, gone, callerTime(time.Hour))
		mustWithdraw(t, src, gone, callerTime(2*time.Hour))

		dst := open(t)
		list, total, err := src.ListPublications(t.Context(), store.PublicationFilter{})
		if err != nil || total != 2 {
			t.Fatalf("ListPublications of the source: %d, %v", total, err)
		}
		for _, q := range list {
			if err := dst.ImportPublication(t.Context(), q, mustRevisions(t, src, q.ID)); err != nil {
				t.Fatalf("ImportPublication(%q): %v", q.ID, err)
			}
		}
		for _, q := range list {
			checkPub(t, "copied "+q.ID, q, mustPub(t, dst, q.ID, q.RegionCode))
			checkRevs(t, "copied revisions of "+q.ID, mustRevisions(t, src, q.ID), mustRevisions(t, dst, q.ID))
		}

		live := mustStep(t, dst, p, store.RevPublished, "system", callerTime(5*time.Hour), "")
		if live.LiveRevision != 2 || live.Version != p.Version+1 || !live.FirstPublishedAt.Equal(p.FirstPublishedAt) {
			t.Errorf("publishing the copied approved correction: %+v", live)
		}
		if revs := mustRevisions(t, dst, p.ID); len(revs) != 2 || revs[0].Status != store.RevSuperseded {
			t.Errorf("revisions of the copy after publishing: %+v", revs)
		}
		// The copied fund report holds its slot.
		wantCodeAndMessage(t, "a new fund report in the copied one's slot",
			dst.CreatePublication(t.Context(), newPublication("pub-3", store.PubFundReport, "220100", 2025, 0), newRevision("新", 0)),
			store.ECONFLICT, store.MsgPublicationExists)
	})

	t.Run("an ID, SourceID or slot in use is refused and stores nothing", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			change  func(p *store.Publication)
			message string
		}{
			{"same ID", func(p *store.Publication) { p.SourceID, p.Year = "", 2020 }, store.MsgConflict},
			{"same SourceID", func(p *store.Publication) { p.ID, p.Year = "pub-2", 2020 }, store.MsgConflict},
			{"same slot", func(p *store.Publication) { p.ID, p.SourceID = "pub-2", "" }, store.MsgPublicationExists},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := open(t)
				p, revs := importablePublication("pub-1")
				if err := s.ImportPublication(t.Context(), p, revs); err != nil {
					t.Fatalf("ImportPublication: %v", err)
				}
				want, wantRevs := mustPub(t, s, p.ID, p.RegionCode), mustRevisions(t, s, p.ID)
				second, secondRevs := importablePublication("pub-1")
				tc.change(second)
				for _, r := range secondRevs {
					r.PublicationID, r.Title = second.ID, "第二条 "+r.Title
				}
				wantCodeAndMessage(t, "ImportPublication", s.ImportPublication(t.Context(), second, secondRevs), store.ECONFLICT, tc.message)
				if n := countPubs(t, s); n != 1 {
					t.Errorf("%d publications after the refused import, want 1", n)
				}
				checkPub(t, "the first publication", want, mustPub(t, s, p.ID, p.RegionCode))
				checkRevs(t, "the first publication's revisions", wantRevs, mustRevisions(t, s, p.ID))
				if second.ID != p.ID {
					_, err := s.Revisions(t.Context(), second.ID)
					wantCodeAndMessage(t, "Revisions of the refused import", err, store.ENOTFOUND, store.MsgPublicationNotFound)
				}
			})
		}

		t.Run("a withdrawn one holds no slot", func(t *testing.T) {
			s := open(t)
			tomb, revs := importablePublication("pub-tomb")
			tomb.PendingRevision, tomb.PendingStatus, tomb.ScheduledAt = 0, "", time.Time{}
			tomb.WithdrawnAt, tomb.WithdrawnBy, tomb.WithdrawnReason = callerTime(40*time.Hour), "user-leader", "撤回"
			if err := s.ImportPublication(t.Context(), tomb, revs[:2]); err != nil {
				t.Fatalf("ImportPublication of a tombstone: %v", err)
			}
			live, liveRevs := importablePublication("pub-live")
			if err := s.ImportPublication(t.Context(), live, liveRevs); err != nil {
				t.Errorf("ImportPublication into the slot of a tombstone: %v", err)
			}
		})
	})

	t.Run("a missing ID, kind, region or version, or revisions not 1…n, is EINVALID", func(t *testing.T) {
		s := open(t)
		for _, tc := range []struct {
			name   string
			change func(p *store.Publication, revs []*store.Revision) []*store.Revision
		}{
			{"no ID", func(p *store.Publication, revs []*store.Revision) []*store.Revision { p.ID = ""; return revs }},
			{"no kind", func(p *store.Publication, revs []*store.Revision) []*store.Revision { p.Kind = ""; return revs }},
			{"no region", func(p *store.Publication, revs []*store.Revision) []*store.Revision { p.RegionCode = ""; return revs }},
			{"version 0", func(p *store.Publication, revs []*store.Revision) []*store.Revision { p.Version = 0; return revs }},
			{"no revisions", func(*store.Publication, []*store.Revision) []*store.Revision { return nil }},
			{"a nil revision", func(_ *store.Publication, revs []*store.Revision) []*store.Revision { revs[1] = nil; return revs }},
			{"a gap", func(_ *store.Publication, revs []*store.Revision) []*store.Revision {
				return []*store.Revision{revs[0], revs[2]}
			}},
			{"not from 1", func(_ *store.Publication, revs []*store.Revision) []*store.Revision { return revs[1:] }},
			{"a number twice", func(_ *store.Publication, revs []*store.Revision) []*store.Revision { revs[2].Number = 2; return revs }},
			{"out of order", func(_ *store.Publication, revs []*store.Revision) []*store.Revision {
				return []*store.Revision{revs[1], revs[0], revs[2]}
			}},
		} {
			p, revs := importablePublication("pub-1")
			revs = tc.change(p, revs)
			wantCodeAndMessage(t, "ImportPublication with "+tc.name, s.ImportPublication(t.Context(), p, revs), store.EINVALID, store.MsgIncomplete)
		}
		if n := countPubs(t, s); n != 0 {
			t.Errorf("%d publications after refused imports, want none", n)
		}
	})
}
