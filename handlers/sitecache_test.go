package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
)

// siteReadsStore counts what the site's kept pages read from the store:
// the latest publications and the case statistics; a count can be held
// until release is closed.
type siteReadsStore struct {
	store.Store
	publications atomic.Int32
	counts       atomic.Int32
	hold         atomic.Pointer[chan struct{}]
	during       atomic.Pointer[func()]
}

func (s *siteReadsStore) ListPublished(ctx context.Context, f store.PublishedFilter) ([]store.Published, int, error) {
	s.publications.Add(1)
	page, total, err := s.Store.ListPublished(ctx, f)
	if hook := s.during.Swap(nil); hook != nil {
		(*hook)()
	}
	return page, total, err
}

func (s *siteReadsStore) CaseStatistics(ctx context.Context) ([]store.CaseStatsRow, error) {
	s.counts.Add(1)
	if hold := s.hold.Load(); hold != nil {
		<-*hold
	}
	return s.Store.CaseStatistics(ctx)
}

// sitePaths are the site's kept pages and answers.
var sitePaths = []string{
	"/", "/guide", "/contact", "/statistics", "/statistics?from=2025&to=2026", "/statistics.csv", "/statistics.json",
	"/api/v1/statistics", "/api/v1/statistics?from=2026", "/api/v1/openapi.json",
}

// TestSitePagesAreKeptAndShareNothingPrivate: the home page, the guide,
// 联系我们, the statistics and the OpenAPI document are kept: a second
// request reads nothing from the store and gets the same bytes, with the
// caching headers of a public answer, and none of them carries a form
// token or sets a cookie, so what is kept for one visitor holds nothing of
// another's.
func TestSitePagesAreKeptAndShareNothingPrivate(t *testing.T) {
	st, _ := openTestStore(t)
	rs := &siteReadsStore{Store: st}
	e := newTestEnvWithStore(t, rs)
	e.statsFixture()
	e.publish(announcement("关于某单位骗取社会保险基金问题的通报"))
	first := map[string]string{}
	for _, p := range sitePaths {
		resp, body := e.request(http.MethodGet, p, nil, map[string]string{"Cookie": "fw_csrf=" + strings.Repeat("a", 26)})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", p, resp.StatusCode)
		}
		first[p] = body
	}
	rs.publications.Store(0)
	rs.counts.Store(0)
	for _, p := range sitePaths {
		resp, body := e.request(http.MethodGet, p, nil, nil)
		if resp.StatusCode != http.StatusOK || body != first[p] {
			t.Errorf("GET %s again: status %d, the same body %v", p, resp.StatusCode, body == first[p])
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
			t.Errorf("GET %s: Cache-Control %q", p, cc)
		}
		if resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("GET %s: ETag %q, Last-Modified %q", p, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
		}
		if len(resp.Header.Values("Set-Cookie")) > 0 || strings.Contains(body, `name="_csrf"`) {
			t.Errorf("GET %s: sets a cookie %q or carries a form token", p, resp.Header.Values("Set-Cookie"))
		}
		if got := resp.Header.Get("X-Request-Id"); got == "" || strings.Contains(body, got) {
			t.Errorf("GET %s: request id %q missing or in the kept body", p, got)
		}
	}
	if n, c := rs.publications.Load(), rs.counts.Load(); n != 0 || c != 0 {
		t.Errorf("kept answers read the store: %d lists of publications, %d counts", n, c)
	}
}

// TestKeptPagesFollowTheTextSizeOfEachReader: 大字版 is one reader's
// choice, kept apart from the standard page.
func TestKeptPagesFollowTheTextSizeOfEachReader(t *testing.T) {
	e := newTestEnv(t)
	for _, p := range []string{"/", "/guide", "/contact", "/statistics"} {
		for _, large := range []bool{false, true, false, true} {
			headers := map[string]string{}
			if large {
				headers["Cookie"] = "fw_textsize=large"
			}
			resp, body := e.request(http.MethodGet, p, nil, headers)
			if got := strings.Contains(body, `class="large-text"`); resp.StatusCode != http.StatusOK || got != large {
				t.Errorf("GET %s, large text %v: status %d, large page %v", p, large, resp.StatusCode, got)
			}
			if !strings.Contains(resp.Header.Get("Vary"), "Cookie") {
				t.Errorf("GET %s: Vary %q lacks Cookie", p, resp.Header.Get("Vary"))
			}
		}
	}
}

// TestHomePageShowsAPublicationAtOnce: a publication made here (which
// empties the public cache) or on another instance (which the published
// stamp's watch turns into the same) is on the next home page.
func TestHomePageShowsAPublicationAtOnce(t *testing.T) {
	e := newTestEnv(t)
	e.publish(announcement("第一份通报"))
	if _, body := e.get("/"); !strings.Contains(body, "第一份通报") {
		t.Fatal("the home page lacks the first announcement")
	}
	e.publish(announcement("第二份通报"))
	if _, body := e.get("/"); !strings.Contains(body, "第二份通报") {
		t.Error("the home page lacks an announcement published here")
	}
	// Elsewhere: the store has it, and only the watch of the published
	// stamp empties the public cache.
	e.publishElsewhere(announcement("第三份通报"))
	if _, body := e.get("/"); strings.Contains(body, "第三份通报") {
		t.Fatal("the test is wrong: the page changed before the cache was emptied")
	}
	e.h.PublicCache.Invalidate()
	if _, body := e.get("/"); !strings.Contains(body, "第三份通报") {
		t.Error("the home page lacks an announcement published on another instance")
	}
}

// TestAHomePageBuiltAcrossAPublicationIsNotServedAfterIt: the home page
// that read the latest publications just before a publication is answered
// as it was read, and the next request shows the new one.
func TestAHomePageBuiltAcrossAPublicationIsNotServedAfterIt(t *testing.T) {
	st, _ := openTestStore(t)
	rs := &siteReadsStore{Store: st}
	e := newTestEnvWithStore(t, rs)
	e.publish(announcement("第一份通报"))
	meanwhile := func() { e.publish(announcement("期间发布的通报")) }
	rs.during.Store(&meanwhile)
	if resp, _ := e.get("/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if _, body := e.get("/"); !strings.Contains(body, "期间发布的通报") {
		t.Error("the home page read before a publication is still served after it")
	}
}

// TestKeptStatisticsShowNewFiguresAfterTheMinute: the home page and every
// form of the statistics show a change of the figures once they are
// counted again, not before.
func TestKeptStatisticsShowNewFiguresAfterTheMinute(t *testing.T) {
	e := newTestEnv(t)
	e.fileStatsCases([]statsCase{{region: "220102", at: e.clock(), status: store.StatusReceived}})
	paths := []string{"/", "/statistics", "/statistics.csv", "/api/v1/statistics"}
	before := map[string]string{}
	for _, p := range paths {
		_, before[p] = e.get(p)
	}
	e.fileStatsCases([]statsCase{
		{region: "220102", at: e.clock(), status: store.StatusReceived},
		{region: "220102", at: e.clock(), status: store.StatusReceived},
	})
	e.advance(StatsRefresh - time.Second)
	for _, p := range paths {
		if _, body := e.get(p); body != before[p] {
			t.Errorf("%s changed within the minute", p)
		}
	}
	e.advance(time.Second)
	for _, p := range paths {
		if _, body := e.get(p); body == before[p] {
			t.Errorf("%s did not change after the minute", p)
		}
	}
	if _, body := e.get("/statistics"); rowOf(pageTables(t, body)["2026"], "长春市")[1] != "3" {
		t.Error("the statistics page does not show the three cases")
	}
}

// TestACountDoesNotHoldUpOtherReaders: while one request counts the
// statistics again, the others are answered with the last count.
func TestACountDoesNotHoldUpOtherReaders(t *testing.T) {
	st, _ := openTestStore(t)
	rs := &siteReadsStore{Store: st}
	e := newTestEnvWithStore(t, rs)
	e.fileStatsCases([]statsCase{{region: "220102", at: e.clock(), status: store.StatusReceived}})
	_, before := e.get("/statistics")
	e.fileStatsCases([]statsCase{
		{region: "220102", at: e.clock(), status: store.StatusReceived},
		{region: "220102", at: e.clock(), status: store.StatusReceived},
	})
	e.advance(StatsRefresh)
	release := make(chan struct{})
	rs.hold.Store(&release)
	counting := make(chan string)
	go func() {
		resp, err := e.app.Test(httptest.NewRequest(http.MethodGet, "/statistics", nil), -1)
		if err != nil {
			counting <- err.Error()
			return
		}
		resp.Body.Close()
		counting <- resp.Status
	}()
	for rs.counts.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	for _, p := range []string{"/statistics", "/", "/api/v1/statistics"} {
		resp, err := e.app.Test(httptest.NewRequest(http.MethodGet, p, nil), 5000)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s while counting: %v %v", p, resp, err)
		}
		resp.Body.Close()
	}
	if _, body := e.get("/statistics"); body != before {
		t.Error("the page changed before the count ended")
	}
	rs.hold.Store(nil)
	close(release)
	if s := <-counting; s != "200 OK" {
		t.Fatalf("the counting request: %s", s)
	}
	if _, body := e.get("/statistics"); rowOf(pageTables(t, body)["2026"], "长春市")[1] != "3" {
		t.Error("the new count is not shown")
	}
	if n := rs.counts.Load(); n != 2 {
		t.Errorf("counted %d times, want twice", n)
	}
}

// swappableOffices is an office directory the test replaces, as an
// administrator's change does through StoredOffices.
type swappableOffices struct {
	d atomic.Pointer[casework.OfficeDirectory]
}

func (s *swappableOffices) Directory() *casework.OfficeDirectory { return s.d.Load() }

// TestContactPageShowsChangedOffices: 联系我们 is kept until the offices
// are read again.
func TestContactPageShowsChangedOffices(t *testing.T) {
	offices := &swappableOffices{}
	e := newTestEnv(t, func(h *Handler) {
		offices.d.Store(casework.NewOfficeDirectory(h.Regions, []casework.Office{changchunFund}))
		h.Offices = offices
	})
	if _, body := e.get("/contact"); !strings.Contains(body, changchunFund.Name) || strings.Contains(body, jilinCityFund.Name) {
		t.Fatal("the first contact page is not the first offices'")
	}
	offices.d.Store(casework.NewOfficeDirectory(e.h.Regions, []casework.Office{changchunFund, jilinCityFund}))
	if _, body := e.get("/contact"); !strings.Contains(body, jilinCityFund.Name) {
		t.Error("the contact page lacks the office added since")
	}
}
