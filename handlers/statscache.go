package handlers

import (
	"context"
	"slices"
	"sync"
	"time"

	"fundwatch/store"
)

// StatsRefresh is how long the public statistics are served from memory
// before the store is counted again. They are public, the same for everyone
// and change only as cases are handled, so the store is read at most once
// a minute however many people look.
const StatsRefresh = time.Minute

// statsCache holds the store's case statistics between refreshes. Its zero
// value is empty and ready.
type statsCache struct {
	mu   sync.Mutex
	rows []store.CaseStatsRow
	// readAt is when the store was last counted (zero: never).
	readAt time.Time
	// changedAt is when the figures were first seen as they are now: the
	// Last-Modified of what is built from them.
	changedAt time.Time
	// version counts the changes of the figures: the pages built from
	// them are kept until it moves (sitecache.go).
	version uint64
	// counting is closed when the count under way ends; nil when none is.
	counting chan struct{}
}

// statsSnapshot is the statistics as one count found them.
type statsSnapshot struct {
	rows      []store.CaseStatsRow
	changedAt time.Time
	version   uint64
}

// caseStatistics returns the store's case statistics as of at most
// StatsRefresh ago, and when they last changed. One request at a time
// counts. While it does, the others are answered with the last count
// rather than made to wait for it (a count of 100,000 cases takes a while,
// and at a few thousand page views a second every one of them would wait
// once a minute); only before the first count do they wait. If the store
// fails after an earlier count, the earlier figures are served (and the
// failure logged) rather than an error page: they are at most minutes old.
func (h *Handler) caseStatistics(ctx context.Context) (statsSnapshot, error) {
	sc := &h.stats
	for {
		sc.mu.Lock()
		now := h.now()
		fresh := !sc.readAt.IsZero() && !now.Before(sc.readAt) && now.Sub(sc.readAt) < StatsRefresh
		if fresh || (sc.counting != nil && !sc.readAt.IsZero()) {
			snap := sc.snapshotLocked()
			sc.mu.Unlock()
			return snap, nil
		}
		if wait := sc.counting; wait != nil {
			// The first count is under way: wait for it, then look again.
			sc.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return statsSnapshot{}, ctx.Err()
			}
		}
		done := make(chan struct{})
		sc.counting = done
		sc.mu.Unlock()

		rows, err := h.Store.CaseStatistics(ctx)

		sc.mu.Lock()
		sc.counting = nil
		close(done)
		if err != nil {
			defer sc.mu.Unlock()
			if sc.readAt.IsZero() {
				return statsSnapshot{}, err
			}
			h.Log.Warn("case statistics: serving the last count", "counted_at", sc.readAt, "error", err)
			return sc.snapshotLocked(), nil
		}
		if sc.changedAt.IsZero() || !slices.Equal(rows, sc.rows) {
			sc.rows, sc.changedAt = rows, now
			sc.version++
		}
		sc.readAt = now
		snap := sc.snapshotLocked()
		sc.mu.Unlock()
		return snap, nil
	}
}

func (sc *statsCache) snapshotLocked() statsSnapshot {
	return statsSnapshot{rows: sc.rows, changedAt: sc.changedAt, version: sc.version}
}

// lastModified is the Last-Modified of a response built from figures that
// last changed at changed: not before the process started, since a new
// build may render the same figures differently.
func (h *Handler) lastModified(changed time.Time) time.Time {
	if changed.Before(h.started) {
		changed = h.started
	}
	return changed.UTC().Truncate(time.Second)
}
