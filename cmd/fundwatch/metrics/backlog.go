package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"fundwatch/store"
)

// BacklogSource is what the backlog gauges read: the store's own counts,
// the ones the admin dashboard shows (the outbox by status, the search
// bookkeeping by area).
type BacklogSource interface {
	CountMail(ctx context.Context, regionCodes []string) (map[string]int, error)
	IndexState(ctx context.Context, area string) (pending, indexed int64, err error)
}

// Backlog is a collector that asks the store at scrape time how much work
// is waiting: mail not sent, and records whose indexed version is behind.
// Counting at scrape time keeps the numbers true across instances and
// restarts, where a gauge kept in memory would only know this process.
type Backlog struct {
	src     BacklogSource
	timeout time.Duration
	outbox  *prometheus.Desc
	index   *prometheus.Desc
}

// NewBacklog makes the backlog collector. timeout bounds the store calls
// of one scrape, so a slow store cannot hold the scrape (and with it every
// other metric) past Prometheus's own timeout; a count not read in time is
// left out of that scrape and logged.
func NewBacklog(src BacklogSource, timeout time.Duration) *Backlog {
	return &Backlog{
		src:     src,
		timeout: timeout,
		outbox: prometheus.NewDesc(Namespace+"_outbox_mails",
			"Mails in the outbox not sent, read from the store at scrape time: pending (waiting for their next attempt) and failed (given up; an administrator can send them again).",
			[]string{"status"}, nil),
		index: prometheus.NewDesc(Namespace+"_search_index_backlog",
			"Records whose version the search index does not hold yet, read from the store at scrape time, by area (cases, publications).",
			[]string{"area"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (b *Backlog) Describe(ch chan<- *prometheus.Desc) {
	ch <- b.outbox
	ch <- b.index
}

// Collect implements prometheus.Collector.
func (b *Backlog) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	counts, err := b.src.CountMail(ctx, nil)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(b.outbox, fmt.Errorf("count the outbox: %w", err))
	} else {
		for _, status := range []string{store.MailPending, store.MailFailed} {
			ch <- prometheus.MustNewConstMetric(b.outbox, prometheus.GaugeValue, float64(counts[status]), status)
		}
	}
	for _, area := range []string{store.IndexCases, store.IndexPublications} {
		pending, _, err := b.src.IndexState(ctx, area)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(b.index, fmt.Errorf("count the %s search backlog: %w", area, err))
			continue
		}
		ch <- prometheus.MustNewConstMetric(b.index, prometheus.GaugeValue, float64(pending), area)
	}
}
