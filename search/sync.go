package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
)

// Source is what the sync loop reads from the store: the index bookkeeping
// (which records changed since they were indexed) and the records.
type Source interface {
	store.IndexStore
	CasesByIDs(ctx context.Context, ids []string, regionCodes []string) ([]*store.Case, error)
	PublishedByIDs(ctx context.Context, ids []string) ([]store.Published, error)
}

// Syncer feeds the indexes from the store. Every case and publication has
// a Version and an IndexedVersion; the loop indexes the records whose
// Version is ahead, in batches, and only then marks them indexed. So a
// write never waits for (or fails with) search, and a crash between a write
// and its indexing loses nothing: the record is still ahead when the loop
// runs again. While an engine is down the loop retries with backoff and the
// backlog grows; it drains once the engine is back.
//
// One process should run the loop per store: with several instances on one
// MongoDB, two loops may race and index an older version after a newer one
// (the next change to the record puts it right); run the loop on one of
// them (--search-sync).
type Syncer struct {
	Source  Source
	Regions *casework.Regions
	// Public and Cases are the two indexes; either may be nil (not fed).
	Public, Cases Index
	Log           *slog.Logger
	// Batch is how many records one round reads and indexes together
	// (default and most: store.MaxLimit, what the store reads by ID at
	// once; each batch is a segment Bleve writes and later merges, so
	// under a stream of new cases fewer, larger batches cost less CPU per
	// case: about 6% less at 500 than at 200 in the intake load test).
	// Interval is how often the loop looks for changes (default 1s);
	// MaxBackoff the longest wait between retries while an engine fails
	// (default 1 min).
	Batch      int
	Interval   time.Duration
	MaxBackoff time.Duration
	// Failed, when set, is told of every failed round of an area — each
	// retry, where the log says it once per failure streak — with the
	// store's or the engine's error: cmd counts them for operators.
	Failed func(area string, err error)

	kick chan struct{}
	once sync.Once

	mu    sync.Mutex
	state map[string]*areaState
}

type areaState struct {
	lastErr   error
	failSince time.Time
	indexed   int64 // records indexed by this process
	prepared  bool  // Prepare has checked the index against the store
}

// AreaStatus is what the admin dashboard shows of one index.
type AreaStatus struct {
	Area    string // store.IndexCases or store.IndexPublications
	Pending int64  // records changed since they were last indexed
	Indexed int64  // records indexed at least once
	// Failing is the engine's error while it fails (a sentence for staff,
	// no record content), and FailingSince since when; "" and zero when
	// the last round succeeded.
	Failing      string
	FailingSince time.Time
}

func (s *Syncer) init() {
	s.once.Do(func() {
		s.kick = make(chan struct{}, 1)
		s.state = map[string]*areaState{store.IndexCases: {}, store.IndexPublications: {}}
		// The store reads at most store.MaxLimit records by ID at once; a
		// larger batch would fail every round and never index anything.
		if s.Batch <= 0 || s.Batch > store.MaxLimit {
			s.Batch = store.MaxLimit
		}
		if s.Interval <= 0 {
			s.Interval = time.Second
		}
		if s.MaxBackoff <= 0 {
			s.MaxBackoff = time.Minute
		}
		if s.Log == nil {
			s.Log = slog.Default()
		}
	})
}

// feed is one area of the store and the index it feeds.
type feed struct {
	area string
	idx  Index
}

// areas lists the feeds of this syncer.
func (s *Syncer) areas() []feed {
	var out []feed
	if s.Cases != nil {
		out = append(out, feed{store.IndexCases, s.Cases})
	}
	if s.Public != nil {
		out = append(out, feed{store.IndexPublications, s.Public})
	}
	return out
}

// Kick asks the loop to look for changes now rather than at its next tick.
func (s *Syncer) Kick() {
	s.init()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Prepare readies the indexes (SyncOnce does it for an area not yet
// ready, so an engine down at start is readied once it is back): an index
// that holds no document while the store says records were indexed (a new,
// rebuilt or lost index — Bleve rebuilds on a mapping change) has every
// record of its area marked pending, so the loop feeds it from scratch.
func (s *Syncer) Prepare(ctx context.Context) error {
	s.init()
	for _, a := range s.areas() {
		if err := s.prepare(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

func (s *Syncer) prepare(ctx context.Context, a feed) error {
	s.mu.Lock()
	done := s.state[a.area].prepared
	s.mu.Unlock()
	if done {
		return nil
	}
	n, err := a.idx.Count(ctx)
	if err != nil {
		return fmt.Errorf("count the %s index: %w", a.area, err)
	}
	if n == 0 {
		_, indexed, err := s.Source.IndexState(ctx, a.area)
		if err != nil {
			return err
		}
		if indexed > 0 {
			s.Log.Info("search index is empty but the store has indexed records: indexing them all again", "area", a.area, "records", indexed)
			if err := s.Source.ResetIndexed(ctx, a.area); err != nil {
				return err
			}
		}
	}
	s.mu.Lock()
	s.state[a.area].prepared = true
	s.mu.Unlock()
	return nil
}

// Run feeds the indexes until ctx ends.
func (s *Syncer) Run(ctx context.Context) {
	s.init()
	backoff := time.Duration(0)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
			if backoff > 0 {
				// While an engine fails, writes must not turn into a
				// retry storm: wait out the backoff.
				continue
			}
		}
		_, err := s.SyncOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			backoff = min(max(2*backoff, time.Second), s.MaxBackoff)
		default:
			backoff = 0
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(max(backoff, s.Interval))
	}
}

// SyncOnce indexes every pending record of every area, batch after batch,
// and returns how many it indexed or deleted. An area whose engine or store
// fails stops at that batch; the others go on; the first error is returned.
func (s *Syncer) SyncOnce(ctx context.Context) (int, error) {
	s.init()
	total := 0
	var first error
	for _, a := range s.areas() {
		n, err := 0, s.prepare(ctx, a)
		if err == nil {
			n, err = s.drain(ctx, a.area, a.idx)
		}
		total += n
		s.record(a.area, n, err)
		if err != nil && s.Failed != nil && ctx.Err() == nil {
			s.Failed(a.area, err)
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return total, first
}

func (s *Syncer) drain(ctx context.Context, area string, idx Index) (int, error) {
	total := 0
	for {
		marks, err := s.Source.PendingIndex(ctx, area, s.Batch)
		if err != nil {
			return total, err
		}
		if len(marks) == 0 {
			return total, nil
		}
		var done []store.IndexMark
		if area == store.IndexCases {
			done, err = s.casesBatch(ctx, idx, marks)
		} else {
			done, err = s.publicationsBatch(ctx, idx, marks)
		}
		if err != nil {
			return total, err
		}
		if err := s.Source.MarkIndexed(ctx, area, done); err != nil {
			return total, err
		}
		total += len(done)
		if len(marks) < s.Batch {
			return total, nil
		}
	}
}

func (s *Syncer) casesBatch(ctx context.Context, idx Index, marks []store.IndexMark) ([]store.IndexMark, error) {
	cases, err := s.Source.CasesByIDs(ctx, markIDs(marks), nil)
	if err != nil {
		return nil, err
	}
	docs := make([]Document, 0, len(cases))
	found := map[string]bool{}
	done := make([]store.IndexMark, 0, len(marks))
	for _, c := range cases {
		docs = append(docs, CaseDocument(c, s.Regions))
		found[c.ID] = true
		done = append(done, store.IndexMark{ID: c.ID, Version: c.Version})
	}
	return s.apply(ctx, idx, docs, marks, found, done)
}

func (s *Syncer) publicationsBatch(ctx context.Context, idx Index, marks []store.IndexMark) ([]store.IndexMark, error) {
	pubs, err := s.Source.PublishedByIDs(ctx, markIDs(marks))
	if err != nil {
		return nil, err
	}
	docs := make([]Document, 0, len(pubs))
	found := map[string]bool{}
	done := make([]store.IndexMark, 0, len(marks))
	for _, p := range pubs {
		if p.Live == nil || p.Publication.Withdrawn() {
			continue // a tombstone leaves the index, like a draft never published
		}
		docs = append(docs, PublicationDocument(p, s.Regions))
		found[p.Publication.ID] = true
		done = append(done, store.IndexMark{ID: p.Publication.ID, Version: p.Publication.Version})
	}
	return s.apply(ctx, idx, docs, marks, found, done)
}

// apply puts docs, deletes the marked records that have no document (gone,
// withdrawn, never published), and returns the marks to record: the
// versions the documents were built from, and the pending versions of the
// deleted ones.
func (s *Syncer) apply(ctx context.Context, idx Index, docs []Document, marks []store.IndexMark, found map[string]bool, done []store.IndexMark) ([]store.IndexMark, error) {
	var gone []string
	for _, m := range marks {
		if !found[m.ID] {
			gone = append(gone, m.ID)
			done = append(done, m)
		}
	}
	if len(docs) > 0 {
		if err := idx.Put(ctx, docs); err != nil {
			return nil, err
		}
	}
	if len(gone) > 0 {
		if err := idx.Delete(ctx, gone); err != nil {
			return nil, err
		}
	}
	return done, nil
}

func (s *Syncer) record(area string, n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state[area]
	st.indexed += int64(n)
	switch {
	case err == nil:
		if st.lastErr != nil {
			s.Log.Info("search indexing works again", "area", area, "down_for", time.Since(st.failSince).Round(time.Second).String())
		}
		st.lastErr, st.failSince = nil, time.Time{}
	case st.lastErr == nil:
		// Logged once per failure streak, not at every retry.
		st.lastErr, st.failSince = err, time.Now()
		s.Log.Warn("search indexing fails; writes go on and the backlog is indexed once it works again", "area", area, "error", err)
	default:
		st.lastErr = err
	}
}

// Status reports each index's backlog and health for the admin dashboard.
func (s *Syncer) Status(ctx context.Context) ([]AreaStatus, error) {
	s.init()
	var out []AreaStatus
	for _, a := range s.areas() {
		pending, indexed, err := s.Source.IndexState(ctx, a.area)
		if err != nil {
			return nil, err
		}
		st := AreaStatus{Area: a.area, Pending: pending, Indexed: indexed}
		s.mu.Lock()
		if e := s.state[a.area].lastErr; e != nil {
			st.Failing = "搜索引擎暂时不可用"
			if !errors.Is(e, ErrUnavailable) {
				st.Failing = "索引写入失败"
			}
			st.FailingSince = s.state[a.area].failSince
		}
		s.mu.Unlock()
		out = append(out, st)
	}
	return out, nil
}

// Reindex marks every record of area pending and indexes them all now:
// fundwatch reindex. Every document is rewritten from the store.
func (s *Syncer) Reindex(ctx context.Context, area string) (int, error) {
	s.init()
	for _, a := range s.areas() {
		if a.area != area {
			continue
		}
		if err := s.Source.ResetIndexed(ctx, area); err != nil {
			return 0, err
		}
		n, err := s.drain(ctx, a.area, a.idx)
		s.record(a.area, n, err)
		return n, err
	}
	return 0, fmt.Errorf("search: no index is fed for %q", area)
}

func markIDs(marks []store.IndexMark) []string {
	ids := make([]string, len(marks))
	for i, m := range marks {
		ids[i] = m.ID
	}
	return ids
}
