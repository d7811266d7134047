package handlers

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fundwatch/store"
)

// publicReadsStore counts the store reads of the public disclosure pages,
// and can run a hook right after a ListPublished (a publication landing
// after a page read the store and before it is kept).
type publicReadsStore struct {
	store.Store
	reads  atomic.Int32
	during atomic.Pointer[func()]
}

func (s *publicReadsStore) ListPublished(ctx context.Context, f store.PublishedFilter) ([]store.Published, int, error) {
	s.reads.Add(1)
	page, total, err := s.Store.ListPublished(ctx, f)
	if hook := s.during.Swap(nil); hook != nil {
		(*hook)()
	}
	return page, total, err
}

func (s *publicReadsStore) PublicationInRegions(ctx context.Context, id string, regions []string) (*store.Publication, error) {
	s.reads.Add(1)
	return s.Store.PublicationInRegions(ctx, id, regions)
}

func (s *publicReadsStore) Revisions(ctx context.Context, id string) ([]*store.Revision, error) {
	s.reads.Add(1)
	return s.Store.Revisions(ctx, id)
}

// TestKeptPublicPagesReadNothingFromTheStore: once a disclosure page,
// download or API answer is kept, serving it again reads nothing from the
// store — the fund table and account pages, which choose among everything
// published, included — and choices that are not published are redirected
// or refused without being kept.
func TestKeptPublicPagesReadNothingFromTheStore(t *testing.T) {
	st, _ := openTestStore(t)
	rs := &publicReadsStore{Store: st}
	e := newTestEnvWithStore(t, rs)
	seedFunds(e)
	e.publish(accountNote("220000", 2024, 262, 13_000_000_000, 340_600_001))
	a := e.publish(announcement("关于挪用失业保险基金案的通报"))
	e.advance(time.Hour)
	_, r := announcement("关于挪用失业保险基金案的通报（更正）")
	r.CorrectionNote = "更正标题。"
	a = e.correct(a, r)

	paths := []string{
		"/disclosure/funds", "/disclosure/funds?region=220000&year=2024", "/disclosure/funds?year=2023&region=220000",
		"/disclosure/funds?region=220000&year=2024&type=medical", "/disclosure/funds.csv?region=220100&year=2024",
		"/disclosure/funds.json?region=220000&year=2023", "/api/v1/fund-table?region=220000&year=2024",
		"/disclosure/accounts", "/disclosure/accounts.csv?region=220000", "/disclosure/accounts.json?region=220000",
		"/disclosure", "/disclosure/announcements", itemPath(a), revisionPath(a, 1), "/api/v1/articles/" + a.ID,
		"/api/v1/disclosures", "/feeds/announcements.atom",
	}
	for _, p := range paths {
		if resp, _ := e.get(p); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", p, resp.StatusCode)
		}
	}
	kept := e.h.PublicCache.Len()
	rs.reads.Store(0)
	for _, p := range paths {
		if resp, _ := e.get(p); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s again: status %d", p, resp.StatusCode)
		}
		if n := rs.reads.Swap(0); n != 0 {
			t.Errorf("GET %s again: %d store reads, want none", p, n)
		}
	}

	notPublished := []struct {
		path   string
		status int
	}{
		{"/disclosure/funds?region=220200", http.StatusFound},
		{"/disclosure/funds?region=220000&year=2019", http.StatusFound},
		{"/disclosure/funds?region=220000&year=02024", http.StatusFound},
		{"/disclosure/funds?region=220100&year=2024&type=pension", http.StatusFound},
		{"/disclosure/funds.csv?region=220000&year=2019", http.StatusNotFound},
		{"/api/v1/fund-table?region=229999", http.StatusNotFound},
		{"/disclosure/accounts?region=220100", http.StatusFound},
		{"/disclosure/accounts.json?region=220100", http.StatusNotFound},
		{"/disclosure/announcements/" + store.NewID(), http.StatusNotFound},
		{"/disclosure/news/" + a.ID, http.StatusNotFound},
		{revisionPath(a, 2), http.StatusFound},
		{revisionPath(a, 3), http.StatusNotFound},
		{"/api/v1/disclosures/" + a.ID, http.StatusNotFound},
	}
	for _, tt := range notPublished {
		for range 2 {
			if resp, _ := e.get(tt.path); resp.StatusCode != tt.status {
				t.Errorf("GET %s: status %d, want %d", tt.path, resp.StatusCode, tt.status)
			}
		}
	}
	if n := e.h.PublicCache.Len(); n != kept {
		t.Errorf("the cache holds %d responses after asking for what is not published, want the %d it held", n, kept)
	}
}

// TestAPublicationDuringABuildIsNotKeptStale: a fund table page that read
// the store just before a publication (which empties the cache) is served
// as it was read but not kept, so the next request reads the store again
// and shows the new table.
func TestAPublicationDuringABuildIsNotKeptStale(t *testing.T) {
	st, _ := openTestStore(t)
	rs := &publicReadsStore{Store: st}
	e := newTestEnvWithStore(t, rs)
	seedFunds(e)
	publishMeanwhile := func() {
		p, r := fundReport("220000", 2025, pensionRow(3))
		now := e.h.now()
		p.ID, p.CreatedBy, p.CreatedAt, p.UpdatedAt = store.NewID(), "publisher-1", now, now
		r.CreatedBy, r.CreatedAt, r.UpdatedAt = "publisher-1", now, now
		if err := st.CreatePublication(context.Background(), p, r); err != nil {
			t.Fatal(err)
		}
		version := p.Version
		for _, step := range [][2]string{{store.RevDraft, store.RevSubmitted}, {store.RevSubmitted, store.RevApproved}, {store.RevApproved, store.RevPublished}} {
			out, err := st.StepPublication(context.Background(), store.PublicationStep{ID: p.ID, ExpectVersion: version, From: step[0], To: step[1], By: "leader-1", At: now})
			if err != nil {
				t.Fatal(err)
			}
			version = out.Version
		}
		e.h.InvalidatePublic()
	}
	rs.during.Store(&publishMeanwhile)
	if resp, _ := e.get("/disclosure/funds"); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if n := e.h.PublicCache.Len(); n != 0 {
		t.Errorf("a page built across a publication was kept (%d responses)", n)
	}
	// Without a year the page shows the latest one: now 2025.
	const caption = "2025年 吉林省 社会保险基金收支和结余"
	resp, page := e.get("/disclosure/funds")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, caption) {
		t.Errorf("after the publication: status %d, %q shown %v", resp.StatusCode, caption, strings.Contains(page, caption))
	}
}
