// Package metrics is what operators see of fundwatch through Prometheus:
// the counters and histograms of requests, submissions, errors and the
// store's group commits, and the backlog gauges read at scrape time.
//
// Only cmd/fundwatch imports it. It registers on the registry cmd makes
// (never the default one) and hands the rest of the code plain methods and
// function values — web.Observer, the handlers' and the search sync loop's
// callbacks, the store's commit hook — so none of them knows Prometheus.
package metrics

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"fundwatch/search"
	"fundwatch/store"
)

// Namespace prefixes every metric of fundwatch's own.
const Namespace = "fundwatch"

// LatencyBuckets are the bounds of the request latency histogram, in
// seconds: from half a millisecond (a cached public page) to ten seconds
// (past any timeout a client waits for).
var LatencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// CommitBatchBuckets are the bounds of the group-commit batch size
// histogram: how many submissions shared one transaction and one fsync.
var CommitBatchBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128}

// Metrics holds fundwatch's own metrics. Its methods are safe for
// concurrent use and cheap enough for every request.
type Metrics struct {
	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	submissions     *prometheus.CounterVec
	storeErrors     *prometheus.CounterVec
	searchErrors    *prometheus.CounterVec
	commitBatch     prometheus.Histogram

	// series caches the counter and observer of each (route, method,
	// status) seen, so a request costs two atomic adds and no label
	// building once its series exists. The map is replaced, never changed:
	// readers load it without a lock.
	series   atomic.Pointer[map[requestKey]requestSeries]
	seriesMu sync.Mutex
}

type requestKey struct {
	route, method string
	status        int
}

type requestSeries struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

// New registers fundwatch's metrics on reg. version is the build, exported
// as fundwatch_build_info so a dashboard can tell instances apart.
func New(reg prometheus.Registerer, version string) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "http_requests_total",
			Help: "HTTP requests answered, by route pattern (never the path), method and status.",
		}, []string{"route", "method", "status"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "http_request_duration_seconds",
			Help:    "Time from a request's arrival at the app to its answer, by route pattern and method.",
			Buckets: LatencyBuckets,
		}, []string{"route", "method"}),
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "submissions_total",
			Help: "Complaints and reports filed as new cases (a retried submission is not counted again), by kind and by how they came (web form or API).",
		}, []string{"kind", "via"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "store_errors_total",
			Help: "Errors of the store and the service layer that ended a request or a round of the search sync loop, by error code.",
		}, []string{"code"}),
		searchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "search_errors_total",
			Help: "Errors of the search engine, met by a request or by a round of the search sync loop, by error code.",
		}, []string{"code"}),
		commitBatch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "store_commit_batch_size",
			Help:    "Writes that shared one transaction and one fsync in the embedded store's group commit.",
			Buckets: CommitBatchBuckets,
		}),
	}
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "build_info",
		Help:        "Always 1; the version label is the running build.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	info.Set(1)
	reg.MustRegister(m.requests, m.requestDuration, m.submissions, m.storeErrors, m.searchErrors, m.commitBatch, info)
	// Series that exist from the start, at 0: increase() needs a sample
	// before the first event, or the first one is missed.
	for _, code := range []string{store.EINTERNAL, store.EUNAVAILABLE} {
		m.storeErrors.WithLabelValues(code)
		m.searchErrors.WithLabelValues(code)
	}
	empty := map[requestKey]requestSeries{}
	m.series.Store(&empty)
	return m
}

// ObserveRequest counts one answered request and its latency. route must
// be a route pattern or another value from a small fixed set: it becomes a
// label value.
func (m *Metrics) ObserveRequest(route, method string, status int, elapsed time.Duration) {
	s := m.requestSeries(requestKey{route, method, status})
	s.count.Inc()
	s.latency.Observe(elapsed.Seconds())
}

func (m *Metrics) requestSeries(k requestKey) requestSeries {
	if s, ok := (*m.series.Load())[k]; ok {
		return s
	}
	m.seriesMu.Lock()
	defer m.seriesMu.Unlock()
	old := *m.series.Load()
	if s, ok := old[k]; ok {
		return s
	}
	s := requestSeries{
		count:   m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(k.status)),
		latency: m.requestDuration.WithLabelValues(k.route, k.method),
	}
	next := make(map[requestKey]requestSeries, len(old)+1)
	maps.Copy(next, old)
	next[k] = s
	m.series.Store(&next)
	return s
}

// RequestError counts an error a request ended with: a search engine's
// under fundwatch_search_errors_total, any other under
// fundwatch_store_errors_total, by its code.
func (m *Metrics) RequestError(err error) { m.countError(err) }

// SearchSyncFailed counts a failed round of the search sync loop for one
// area: the engine's failures as search errors, the store's as store
// errors. It fits search.Syncer's Failed.
func (m *Metrics) SearchSyncFailed(area string, err error) { m.countError(err) }

func (m *Metrics) countError(err error) {
	if err == nil {
		return
	}
	if code, ok := searchErrorCode(err); ok {
		m.searchErrors.WithLabelValues(code).Inc()
		return
	}
	m.storeErrors.WithLabelValues(store.ErrorCode(err)).Inc()
}

// searchErrorCode tells an error of the search engine from the others and
// gives it a code of the store's set: an engine that cannot serve is
// unavailable, a query it refuses is invalid.
func searchErrorCode(err error) (string, bool) {
	var qe *search.QueryError
	switch {
	case errors.Is(err, search.ErrUnavailable):
		return store.EUNAVAILABLE, true
	case errors.As(err, &qe), errors.Is(err, search.ErrScopeRequired):
		return store.EINVALID, true
	}
	return "", false
}

// SubmissionFiled counts one new case filed through the public site or
// the API, by kind (store.KindComplaint, store.KindReport) and by how it
// came (handlers.ViaWeb, handlers.ViaAPI). It fits handlers.Handler's
// Filed.
func (m *Metrics) SubmissionFiled(kind, via string) {
	m.submissions.WithLabelValues(kind, via).Inc()
}

// InitSubmissions makes the submissions series of kind and via exist at 0
// before the first such submission, so increase() sees that one too.
func (m *Metrics) InitSubmissions(kind, via string) {
	m.submissions.WithLabelValues(kind, via)
}

// ObserveCommitBatch records the size of one group commit of the embedded
// store. The method value m.ObserveCommitBatch is the func(batchSize int)
// the store's ObserveCommits takes.
func (m *Metrics) ObserveCommitBatch(batchSize int) {
	m.commitBatch.Observe(float64(batchSize))
}

// Handler serves the metrics of g in Prometheus's exposition format. A
// collector that fails (a backlog the store could not count in time) is
// logged and left out of that scrape; the others are still served.
func Handler(g prometheus.Gatherer, log *slog.Logger) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorLog:            slogPrinter{log},
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
}

// slogPrinter is promhttp's error log on slog.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) {
	p.log.Warn("metrics scrape incomplete", "error", fmt.Sprint(v...))
}
