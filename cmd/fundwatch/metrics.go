package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"fundwatch/cmd/fundwatch/metrics"
	"fundwatch/handlers"
	"fundwatch/handlers/web"
	"fundwatch/store"
	"fundwatch/store/sqlite"
)

// backlogScrapeTimeout bounds the store calls of one scrape (the outbox and
// search backlogs), far inside Prometheus's default 10 s scrape timeout.
const backlogScrapeTimeout = 2 * time.Second

// operatorMetrics is what serve wires when metrics are on: fundwatch's
// metrics on a registry of their own (never Prometheus's default one),
// with the Go runtime, the process and the store's backlogs, and the
// handler that serves them.
type operatorMetrics struct {
	*metrics.Metrics
	handler http.Handler
}

// newOperatorMetrics builds the metrics, or returns nil when neither
// --metrics-addr nor --metrics-token asks for them: then nothing is
// counted and no request pays for it.
func newOperatorMetrics(cfg *config, st store.Store, log *slog.Logger) *operatorMetrics {
	if cfg.MetricsAddr == "" && cfg.MetricsToken == "" {
		return nil
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		metrics.NewBacklog(st, backlogScrapeTimeout),
	)
	m := metrics.New(reg, version)
	for _, kind := range []string{store.KindComplaint, store.KindReport} {
		for _, via := range []string{handlers.ViaWeb, handlers.ViaAPI} {
			m.InitSubmissions(kind, via)
		}
	}
	return &operatorMetrics{Metrics: m, handler: metrics.Handler(reg, log)}
}

// observer is the web.Observer of om; a nil interface, not a nil
// pointer in one, when metrics are off.
func (om *operatorMetrics) observer() web.Observer {
	if om == nil {
		return nil
	}
	return om.Metrics
}

// observeCommitBatches hands the sizes of the embedded store's group
// commits to observe (fundwatch_store_commit_batch_size). MongoDB has no
// group commit of ours: its series stays empty. serve calls this before
// anything writes.
func observeCommitBatches(st store.Store, observe func(batchSize int)) {
	if db, ok := st.(*sqlite.DB); ok {
		db.ObserveCommits(observe)
	}
}

// serveMetricsListener serves /metrics on addr, a listener of its own meant
// for a private network, until ctx ends. The address is bound now, so one
// that is bad or taken stops the start. The returned channel is closed
// once the listener has shut down.
func serveMetricsListener(ctx context.Context, addr string, h http.Handler, log *slog.Logger) (<-chan struct{}, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on --metrics-addr %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+web.MetricsPath, h)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		log.Info("serving metrics", "metrics_addr", ln.Addr().String(), "path", web.MetricsPath)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped; the portal goes on without it", "error", err)
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	return done, nil
}
