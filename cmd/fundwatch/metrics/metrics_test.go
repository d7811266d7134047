package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"fundwatch/search"
	"fundwatch/store"
)

// scrape serves reg as Prometheus scrapes it and returns the text.
func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	Handler(reg, slog.New(slog.NewTextHandler(io.Discard, nil))).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d\n%s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// wantLines fails for each line that is not in the scraped text.
func wantLines(t *testing.T, text string, lines ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("no line %q in the scrape", l)
		}
	}
}

func TestRequestsAreCountedAndTimedByRouteMethodAndStatus(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg, "v1.2.3")
	m.ObserveRequest("/api/v1/reports/:number", "GET", 200, 3*time.Millisecond)
	m.ObserveRequest("/api/v1/reports/:number", "GET", 200, 40*time.Millisecond)
	m.ObserveRequest("/api/v1/reports/:number", "GET", 404, 300*time.Microsecond)
	m.ObserveRequest("unmatched", "OTHER", 405, time.Millisecond)
	wantLines(t, scrape(t, reg),
		`fundwatch_http_requests_total{method="GET",route="/api/v1/reports/:number",status="200"} 2`,
		`fundwatch_http_requests_total{method="GET",route="/api/v1/reports/:number",status="404"} 1`,
		`fundwatch_http_requests_total{method="OTHER",route="unmatched",status="405"} 1`,
		`fundwatch_http_request_duration_seconds_bucket{method="GET",route="/api/v1/reports/:number",le="0.0005"} 1`,
		`fundwatch_http_request_duration_seconds_bucket{method="GET",route="/api/v1/reports/:number",le="0.005"} 2`,
		`fundwatch_http_request_duration_seconds_bucket{method="GET",route="/api/v1/reports/:number",le="0.05"} 3`,
		`fundwatch_http_request_duration_seconds_bucket{method="GET",route="/api/v1/reports/:number",le="10"} 3`,
		`fundwatch_http_request_duration_seconds_count{method="GET",route="/api/v1/reports/:number"} 3`,
		`fundwatch_build_info{version="v1.2.3"} 1`,
	)
}

func TestConcurrentRequestsOnNewSeriesLoseNoCount(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg, "test")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				m.ObserveRequest(fmt.Sprintf("/r%d", i%5), "GET", 200+g%2, time.Millisecond)
			}
		}()
	}
	wg.Wait()
	text := scrape(t, reg)
	for r := range 5 {
		wantLines(t, text,
			fmt.Sprintf(`fundwatch_http_requests_total{method="GET",route="/r%d",status="200"} 400`, r),
			fmt.Sprintf(`fundwatch_http_requests_total{method="GET",route="/r%d",status="201"} 400`, r),
			fmt.Sprintf(`fundwatch_http_request_duration_seconds_count{method="GET",route="/r%d"} 800`, r))
	}
}

func TestErrorsAreCountedAsSearchOrStoreByCode(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg, "test")
	text := scrape(t, reg)
	// Present at 0 before any error, so increase() sees the first one.
	wantLines(t, text,
		`fundwatch_store_errors_total{code="unavailable"} 0`,
		`fundwatch_search_errors_total{code="unavailable"} 0`)

	m.RequestError(store.Errorf(store.EUNAVAILABLE, "down"))
	m.RequestError(fmt.Errorf("file case: %w", store.Errorf(store.ECONFLICT, "taken")))
	m.RequestError(errors.New("a plain error"))
	m.RequestError(search.Unavailable(errors.New("connection refused")))
	m.RequestError(&search.QueryError{Message: "太短"})
	m.SearchSyncFailed(store.IndexCases, search.Unavailable(errors.New("timeout")))
	m.SearchSyncFailed(store.IndexCases, store.Errorf(store.EUNAVAILABLE, "store down"))
	m.RequestError(nil)
	wantLines(t, scrape(t, reg),
		`fundwatch_store_errors_total{code="unavailable"} 2`,
		`fundwatch_store_errors_total{code="conflict"} 1`,
		`fundwatch_store_errors_total{code="internal"} 1`,
		`fundwatch_search_errors_total{code="unavailable"} 2`,
		`fundwatch_search_errors_total{code="invalid"} 1`)
}

func TestSubmissionsAreCountedByKindAndVia(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg, "test")
	m.InitSubmissions(store.KindComplaint, "api")
	m.SubmissionFiled(store.KindReport, "web")
	m.SubmissionFiled(store.KindReport, "web")
	wantLines(t, scrape(t, reg),
		`fundwatch_submissions_total{kind="complaint",via="api"} 0`,
		`fundwatch_submissions_total{kind="report",via="web"} 2`)
}

func TestCommitBatchSizesFillTheirHistogram(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg, "test")
	var observe func(batchSize int) = m.ObserveCommitBatch
	for _, n := range []int{1, 3, 3, 20, 128, 300} {
		observe(n)
	}
	wantLines(t, scrape(t, reg),
		`fundwatch_store_commit_batch_size_bucket{le="1"} 1`,
		`fundwatch_store_commit_batch_size_bucket{le="2"} 1`,
		`fundwatch_store_commit_batch_size_bucket{le="4"} 3`,
		`fundwatch_store_commit_batch_size_bucket{le="16"} 3`,
		`fundwatch_store_commit_batch_size_bucket{le="32"} 4`,
		`fundwatch_store_commit_batch_size_bucket{le="128"} 5`,
		`fundwatch_store_commit_batch_size_bucket{le="+Inf"} 6`,
		`fundwatch_store_commit_batch_size_sum 455`,
		`fundwatch_store_commit_batch_size_count 6`)
}

// backlogStore answers the backlog's two questions, or blocks until the
// scrape's deadline.
type backlogStore struct {
	mail    map[string]int
	pending map[string]int64
	block   bool
}

func (s *backlogStore) CountMail(ctx context.Context, regionCodes []string) (map[string]int, error) {
	if regionCodes != nil {
		return nil, fmt.Errorf("regions %v: the backlog is the whole outbox", regionCodes)
	}
	if s.block {
		<-ctx.Done()
		return nil, store.Wrap(store.EUNAVAILABLE, ctx.Err(), "slow")
	}
	return s.mail, nil
}

func (s *backlogStore) IndexState(ctx context.Context, area string) (int64, int64, error) {
	if s.block {
		<-ctx.Done()
		return 0, 0, store.Wrap(store.EUNAVAILABLE, ctx.Err(), "slow")
	}
	return s.pending[area], 99, nil
}

func TestBacklogsAreReadFromTheStoreAtScrapeTime(t *testing.T) {
	src := &backlogStore{
		mail:    map[string]int{store.MailPending: 4, store.MailSent: 120},
		pending: map[string]int64{store.IndexCases: 7},
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewBacklog(src, time.Second))
	wantLines(t, scrape(t, reg),
		`fundwatch_outbox_mails{status="pending"} 4`,
		`fundwatch_outbox_mails{status="failed"} 0`,
		`fundwatch_search_index_backlog{area="cases"} 7`,
		`fundwatch_search_index_backlog{area="publications"} 0`)
	src.mail[store.MailPending], src.pending[store.IndexPublications] = 1, 2
	wantLines(t, scrape(t, reg),
		`fundwatch_outbox_mails{status="pending"} 1`,
		`fundwatch_search_index_backlog{area="publications"} 2`)
}

func TestASlowStoreLeavesTheBacklogsOutWithinTheTimeout(t *testing.T) {
	reg := prometheus.NewRegistry()
	New(reg, "test")
	reg.MustRegister(NewBacklog(&backlogStore{block: true}, 100*time.Millisecond))
	start := time.Now()
	text := scrape(t, reg)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("scrape took %s with a 100ms backlog timeout", d)
	}
	if strings.Contains(text, "fundwatch_outbox_mails{") || strings.Contains(text, "fundwatch_search_index_backlog{") {
		t.Errorf("backlogs served though the store did not answer:\n%s", text)
	}
	wantLines(t, text, `fundwatch_build_info{version="test"} 1`)
}

// BenchmarkObserveRequest is the cost a request pays once its series
// exists: it should allocate nothing.
func BenchmarkObserveRequest(b *testing.B) {
	m := New(prometheus.NewRegistry(), "bench")
	routes := []string{"/", "/report", "/api/v1/reports/:number", "/disclosure/:slug/:id", "unmatched"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m.ObserveRequest(routes[i%len(routes)], "GET", 200, 3*time.Millisecond)
			i++
		}
	})
}
