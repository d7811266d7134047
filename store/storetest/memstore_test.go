package storetest_test

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"testing"

	"fundwatch/store"
	"fundwatch/store/storetest"
)

// TestReferenceStore runs the suite against memStore, a plain-Go reading of
// the contract. It keeps the suite honest: every expectation must be met by
// a store with no SQL and no transactions, not only by the SQLite backend.
func TestReferenceStore(t *testing.T) {
	storetest.RunCases(t, func(t *testing.T) store.CaseStore { return newMemStore() })
}

// memStore is the smallest store that satisfies the contract: one mutex
// around maps. Returned values are copies so callers can't alias its state.
type memStore struct {
	mu       sync.Mutex
	cases    map[string]*store.Case
	order    []string // case IDs in creation order
	counters map[int]int64
	events   map[string][]store.Event
	messages map[string][]store.Message
}

func newMemStore() *memStore {
	return &memStore{
		cases:    map[string]*store.Case{},
		counters: map[int]int64{},
		events:   map[string][]store.Event{},
		messages: map[string][]store.Message{},
	}
}

var (
	errNotFound = store.Errorf(store.ENOTFOUND, "记录不存在")
	errConflict = store.Errorf(store.ECONFLICT, "记录已存在")
	errInvalid  = store.Errorf(store.EINVALID, "参数不完整")
)

func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return store.Wrap(store.EUNAVAILABLE, err, "请求已取消")
	}
	return nil
}

func copyCase(c *store.Case) *store.Case {
	out := *c
	out.InsuranceTypes = slices.Clone(c.InsuranceTypes)
	out.ReporterSealed = slices.Clone(c.ReporterSealed)
	out.AccessCodeHash = slices.Clone(c.AccessCodeHash)
	return &out
}

func (s *memStore) CreateCase(ctx context.Context, c *store.Case, first store.Event) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if c.ID == "" || c.IdempotencyKey == "" || first.ID == "" {
		return errInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cases[c.ID]; ok {
		return errConflict
	}
	for _, other := range s.cases {
		if other.IdempotencyKey == c.IdempotencyKey {
			return errConflict
		}
	}
	year := c.CreatedAt.In(store.CST).Year()
	s.counters[year]++
	c.Year, c.Seq = year, s.counters[year]
	c.Number = store.FormatNumber(c.Year, c.Seq)
	c.Version, c.IndexedVersion = 1, 0

	stored := copyCase(c)
	if len(stored.InsuranceTypes) == 0 {
		stored.InsuranceTypes = nil
	}
	if len(stored.ReporterSealed) == 0 {
		stored.ReporterSealed = nil
	}
	if len(stored.AccessCodeHash) == 0 {
		stored.AccessCodeHash = nil
	}
	stored.CreatedAt = store.Truncate(c.CreatedAt)
	stored.UpdatedAt = store.Truncate(c.UpdatedAt)
	s.cases[c.ID] = stored
	s.order = append(s.order, c.ID)
	first.CaseID = c.ID
	first.At = store.Truncate(first.At)
	s.events[c.ID] = []store.Event{first}
	return nil
}

func (s *memStore) find(ctx context.Context, match func(*store.Case) bool) (*store.Case, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.cases {
		if match(c) {
			return copyCase(c), nil
		}
	}
	return nil, errNotFound
}

func (s *memStore) CaseByID(ctx context.Context, id string) (*store.Case, error) {
	return s.find(ctx, func(c *store.Case) bool { return c.ID == id })
}

func (s *memStore) CaseByNumber(ctx context.Context, number string) (*store.Case, error) {
	return s.find(ctx, func(c *store.Case) bool { return c.Number == number })
}

func (s *memStore) CaseByIdempotencyKey(ctx context.Context, key string) (*store.Case, error) {
	return s.find(ctx, func(c *store.Case) bool { return c.IdempotencyKey == key })
}

func (s *memStore) ListCases(ctx context.Context, f store.CaseFilter) ([]*store.Case, int, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []*store.Case
	for _, id := range s.order {
		c := s.cases[id]
		if len(f.RegionCodes) > 0 && !slices.Contains(f.RegionCodes, c.RegionCode) ||
			len(f.Statuses) > 0 && !slices.Contains(f.Statuses, c.Status) ||
			f.Kind != "" && c.Kind != f.Kind ||
			f.Demo != nil && c.Demo != *f.Demo {
			continue
		}
		matched = append(matched, c)
	}
	slices.SortFunc(matched, func(a, b *store.Case) int {
		if n := b.CreatedAt.Compare(a.CreatedAt); n != 0 {
			return n
		}
		return cmp.Compare(b.Seq, a.Seq)
	})
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	offset := max(f.Offset, 0)
	var page []*store.Case
	for i := offset; i < len(matched) && i < offset+limit; i++ {
		page = append(page, copyCase(matched[i]))
	}
	return page, len(matched), nil
}

func (s *memStore) TransitionCase(ctx context.Context, t store.CaseTransition) (*store.Case, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if t.EventID == "" {
		return nil, errInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cases[t.CaseID]
	if !ok {
		return nil, errNotFound
	}
	if c.Status != t.FromStatus {
		return nil, errConflict
	}
	c.Status = t.ToStatus
	if t.Result != "" {
		c.Result = t.Result
	}
	c.Version++
	c.UpdatedAt = store.Truncate(t.At)
	s.events[c.ID] = append(s.events[c.ID], store.Event{
		ID: t.EventID, CaseID: t.CaseID, At: store.Truncate(t.At), FromStatus: t.FromStatus,
		ToStatus: t.ToStatus, Result: t.Result, Note: t.Note, Actor: t.Actor,
	})
	slices.SortStableFunc(s.events[c.ID], func(a, b store.Event) int { return a.At.Compare(b.At) })
	return copyCase(c), nil
}

func (s *memStore) AddMessage(ctx context.Context, m *store.Message) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if m.ID == "" {
		return errInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cases[m.CaseID]
	if !ok {
		return errNotFound
	}
	for _, old := range s.messages[c.ID] {
		if old.ID == m.ID {
			return errConflict
		}
	}
	c.Version++
	c.UpdatedAt = store.Truncate(m.At)
	stored := *m
	stored.At = store.Truncate(m.At)
	s.messages[c.ID] = append(s.messages[c.ID], stored)
	slices.SortStableFunc(s.messages[c.ID], func(a, b store.Message) int { return a.At.Compare(b.At) })
	return nil
}

func (s *memStore) CaseEvents(ctx context.Context, caseID string) ([]store.Event, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cases[caseID]; !ok {
		return nil, errNotFound
	}
	return slices.Clone(s.events[caseID]), nil
}

func (s *memStore) CaseMessages(ctx context.Context, caseID string) ([]store.Message, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cases[caseID]; !ok {
		return nil, errNotFound
	}
	return slices.Clone(s.messages[caseID]), nil
}

func (s *memStore) Ping(ctx context.Context) error { return ctxErr(ctx) }

func (s *memStore) Close() error { return nil }

func (s *memStore) ImportCase(ctx context.Context, c *store.Case, events []store.Event, messages []store.Message) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if c.ID == "" || c.IdempotencyKey == "" || c.Number == "" || c.Seq == 0 {
		return errInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cases[c.ID]; ok {
		return errConflict
	}
	for _, other := range s.cases {
		if other.IdempotencyKey == c.IdempotencyKey || other.Number == c.Number {
			return errConflict
		}
	}
	stored := copyCase(c)
	stored.IndexedVersion = 0
	stored.CreatedAt = store.Truncate(c.CreatedAt)
	stored.UpdatedAt = store.Truncate(c.UpdatedAt)
	s.cases[c.ID] = stored
	s.order = append(s.order, c.ID)
	for _, e := range events {
		e.CaseID = c.ID
		s.events[c.ID] = append(s.events[c.ID], e)
	}
	for _, m := range messages {
		m.CaseID = c.ID
		s.messages[c.ID] = append(s.messages[c.ID], m)
	}
	s.counters[c.Year] = max(s.counters[c.Year], c.Seq)
	return nil
}

// Placeholders until the reference store follows the case-handling contract.

func (m *memStore) CaseInRegions(ctx context.Context, id string, regionCodes []string) (*store.Case, error) {
	return nil, errInvalid
}

func (m *memStore) CountCasesByStatus(ctx context.Context, f store.CaseFilter) (map[string]int, error) {
	return nil, errInvalid
}

func (m *memStore) UpdateCase(ctx context.Context, u store.CaseUpdate) (*store.Case, error) {
	return nil, errInvalid
}
