package storetest_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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
	errNotFound    = store.NotFound(store.MsgCaseNotFound)
	errConflict    = store.Conflict(store.MsgConflict)
	errStale       = store.Conflict(store.MsgStale)
	errAlreadyDone = store.Conflict(store.MsgAlreadyDone)
	errInvalid     = store.Incomplete("memstore", "a required field")
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

// storedForm is c as the store keeps it: empty slices nil, times truncated,
// "" class as none.
func storedForm(c *store.Case) *store.Case {
	out := copyCase(c)
	if len(out.InsuranceTypes) == 0 {
		out.InsuranceTypes = nil
	}
	if len(out.ReporterSealed) == 0 {
		out.ReporterSealed = nil
	}
	if len(out.AccessCodeHash) == 0 {
		out.AccessCodeHash = nil
	}
	out.CreatedAt = store.Truncate(c.CreatedAt)
	out.UpdatedAt = store.Truncate(c.UpdatedAt)
	out.DueAt = optionalTime(c.DueAt)
	out.ImportantClass = cmp.Or(c.ImportantClass, store.ClassNone)
	out.Satisfaction.At = optionalTime(c.Satisfaction.At)
	return out
}

func optionalTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return store.Truncate(t)
}

// storedEvent is e as the store keeps it.
func storedEvent(e store.Event, caseID string) store.Event {
	e.CaseID = caseID
	e.At = store.Truncate(e.At)
	e.Action = cmp.Or(e.Action, store.ActionStatus)
	return e
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

	s.cases[c.ID] = storedForm(c)
	s.order = append(s.order, c.ID)
	s.events[c.ID] = []store.Event{storedEvent(first, c.ID)}
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

func (s *memStore) RehashIdempotencyKeys(ctx context.Context, prefix string, hash func(string) string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.cases {
		if !strings.HasPrefix(c.IdempotencyKey, prefix) {
			c.IdempotencyKey = hash(c.IdempotencyKey)
			n++
		}
	}
	return n, nil
}

// matches tells whether c passes every filter of f but Statuses, Sort and
// paging.
func matches(c *store.Case, f store.CaseFilter) bool {
	switch {
	case len(f.RegionCodes) > 0 && !slices.Contains(f.RegionCodes, c.RegionCode),
		f.Kind != "" && c.Kind != f.Kind,
		f.Category != "" && c.Category != f.Category,
		f.InsuranceType != "" && !slices.Contains(c.InsuranceTypes, f.InsuranceType),
		f.Channel != "" && c.Channel != f.Channel,
		f.ImportantClass != "" && c.ImportantClass != f.ImportantClass,
		f.AssigneeID != "" && c.AssigneeID != f.AssigneeID,
		f.Unassigned && c.AssigneeID != "",
		!f.DueBefore.IsZero() && (c.DueAt.IsZero() || !c.DueAt.Before(f.DueBefore)),
		(f.DiscoveredFrom != "" || f.DiscoveredTo != "") && c.DiscoveredOn == "",
		f.DiscoveredFrom != "" && c.DiscoveredOn < f.DiscoveredFrom,
		f.DiscoveredTo != "" && c.DiscoveredOn > f.DiscoveredTo,
		f.Satisfaction != "" && c.Satisfaction.Rating != f.Satisfaction,
		f.Demo != nil && c.Demo != *f.Demo:
		return false
	}
	return true
}

func newestFirst(a, b *store.Case) int {
	if n := b.CreatedAt.Compare(a.CreatedAt); n != 0 {
		return n
	}
	return cmp.Compare(b.Seq, a.Seq)
}

// orders are the sort orders of ListCases.
var orders = map[string]func(a, b *store.Case) int{
	store.SortNewest: newestFirst,
	store.SortOldest: func(a, b *store.Case) int { return newestFirst(b, a) },
	store.SortDue: func(a, b *store.Case) int {
		switch {
		case a.DueAt.IsZero() != b.DueAt.IsZero():
			if a.DueAt.IsZero() {
				return 1
			}
			return -1
		case !a.DueAt.Equal(b.DueAt):
			return a.DueAt.Compare(b.DueAt)
		}
		return newestFirst(a, b)
	},
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
		if matches(c, f) && (len(f.Statuses) == 0 || slices.Contains(f.Statuses, c.Status)) {
			matched = append(matched, c)
		}
	}
	order, ok := orders[f.Sort]
	if !ok {
		order = newestFirst
	}
	slices.SortFunc(matched, order)
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	var page []*store.Case
	for i := offset; i < len(matched) && i < offset+limit; i++ {
		page = append(page, copyCase(matched[i]))
	}
	return page, len(matched), nil
}

func (s *memStore) CountCasesByStatus(ctx context.Context, f store.CaseFilter) (map[string]int, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := map[string]int{}
	for _, c := range s.cases {
		if matches(c, f) {
			counts[c.Status]++
		}
	}
	return counts, nil
}

func (s *memStore) CaseStatistics(ctx context.Context) ([]store.CaseStatsRow, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	type key struct {
		year   int
		region string
		demo   bool
	}
	groups := map[key]*store.CaseStatsRow{}
	for _, c := range s.cases {
		k := key{c.CreatedAt.In(store.CST).Year(), c.RegionCode, c.Demo}
		r := groups[k]
		if r == nil {
			r = &store.CaseStatsRow{Year: k.year, RegionCode: k.region, Demo: k.demo}
			groups[k] = r
		}
		r.Received++
		switch c.Status {
		case store.StatusAccepted, store.StatusInvestigating, store.StatusConcluded, store.StatusClosed:
			r.Accepted++
		}
		if c.Status == store.StatusConcluded || (c.Status == store.StatusClosed && c.Result != "") {
			r.Concluded++
			if c.Conclusion.AmountRecoveredFen > 0 {
				r.RecoveredFen += c.Conclusion.AmountRecoveredFen
				r.RecoveredCases++
			}
		}
	}
	out := []store.CaseStatsRow{}
	for _, r := range groups {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b store.CaseStatsRow) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.RegionCode, b.RegionCode), boolOrder(a.Demo, b.Demo))
	})
	return out, nil
}

func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

func (s *memStore) CaseInRegions(ctx context.Context, id string, regionCodes []string) (*store.Case, error) {
	return s.find(ctx, func(c *store.Case) bool { return c.ID == id && slices.Contains(regionCodes, c.RegionCode) })
}

func (s *memStore) CasesByIDs(ctx context.Context, ids []string, regionCodes []string) ([]*store.Case, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if len(ids) > store.MaxLimit {
		return nil, errInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*store.Case
	for _, id := range store.DistinctIDs(ids) {
		if c, ok := s.cases[id]; ok && (len(regionCodes) == 0 || slices.Contains(regionCodes, c.RegionCode)) {
			out = append(out, copyCase(c))
		}
	}
	return out, nil
}

func (s *memStore) UpdateCase(ctx context.Context, u store.CaseUpdate) (*store.Case, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if u.Event.ID == "" || u.ExpectStatus == "" || u.Event.ToStatus == "" || u.Event.FromStatus != u.ExpectStatus {
		return nil, errInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cases[u.CaseID]
	if !ok {
		return nil, errNotFound
	}
	if slices.ContainsFunc(s.events[c.ID], func(e store.Event) bool { return e.ID == u.Event.ID }) {
		return nil, errAlreadyDone
	}
	if c.Status != u.ExpectStatus || u.ExpectVersion != 0 && c.Version != u.ExpectVersion {
		return nil, errStale
	}
	set := u.Set
	setIf(&c.RegionCode, set.RegionCode)
	setIf(&c.Channel, set.Channel)
	setIf(&c.AssigneeID, set.AssigneeID)
	if set.DueAt != nil {
		c.DueAt = optionalTime(*set.DueAt)
	}
	setIf(&c.Result, set.Result)
	if set.ImportantClass != nil {
		c.ImportantClass = cmp.Or(*set.ImportantClass, store.ClassNone)
	}
	setIf(&c.National, set.National)
	setIf(&c.SeriousImpact, set.SeriousImpact)
	setIf(&c.DiscoveredOn, set.DiscoveredOn)
	setIf(&c.InvestigationMode, set.InvestigationMode)
	setIf(&c.ExtensionDays, set.ExtensionDays)
	setIf(&c.Conclusion, set.Conclusion)
	c.Status = u.Event.ToStatus
	c.Version++
	c.UpdatedAt = store.Truncate(u.Event.At)
	s.events[c.ID] = append(s.events[c.ID], storedEvent(u.Event, c.ID))
	slices.SortStableFunc(s.events[c.ID], func(a, b store.Event) int { return a.At.Compare(b.At) })
	return copyCase(c), nil
}

func setIf[T any](field *T, value *T) {
	if value != nil {
		*field = *value
	}
}

func (s *memStore) RateCase(ctx context.Context, r store.CaseRating) (*store.Case, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if r.ExpectStatus == "" || r.Satisfaction.Rating == "" || r.Satisfaction.At.IsZero() {
		return nil, errInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cases[r.CaseID]
	switch {
	case !ok:
		return nil, errNotFound
	case c.Status != r.ExpectStatus:
		return nil, errStale
	case r.OnlyFirst && c.Satisfaction.Rating != "":
		return nil, errAlreadyDone
	}
	c.Satisfaction = r.Satisfaction
	c.Satisfaction.At = store.Truncate(r.Satisfaction.At)
	c.UpdatedAt = c.Satisfaction.At
	c.Version++
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
	stored := storedForm(c)
	stored.IndexedVersion = 0
	s.cases[c.ID] = stored
	s.order = append(s.order, c.ID)
	for _, e := range events {
		s.events[c.ID] = append(s.events[c.ID], storedEvent(e, c.ID))
	}
	for _, m := range messages {
		m.CaseID = c.ID
		s.messages[c.ID] = append(s.messages[c.ID], m)
	}
	s.counters[c.Year] = max(s.counters[c.Year], c.Seq)
	return nil
}
