package search

import (
	"context"
	"sync"
	"time"
)

// Lazy is an Index that opens its engine on first use and, while the engine
// cannot be reached, answers every call with an ErrUnavailable error and
// tries again on a later call (at most once per retry interval). So a
// portal whose search server is down at start still starts, takes reports
// and shows 搜索暂时不可用 until the server is back.
type Lazy struct {
	open  func(ctx context.Context) (Index, error)
	retry time.Duration

	mu      sync.Mutex
	idx     Index
	lastTry time.Time
	lastErr error
	closed  bool
}

// NewLazy returns a Lazy index over open, trying again at most every retry
// after a failure (1s when 0).
func NewLazy(open func(ctx context.Context) (Index, error), retry time.Duration) *Lazy {
	if retry <= 0 {
		retry = time.Second
	}
	return &Lazy{open: open, retry: retry}
}

// get returns the open index or the reason it is not open.
func (l *Lazy) get(ctx context.Context) (Index, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, Unavailable(errClosed)
	}
	if l.idx != nil {
		return l.idx, nil
	}
	if !l.lastTry.IsZero() && time.Since(l.lastTry) < l.retry {
		return nil, Unavailable(l.lastErr)
	}
	l.lastTry = time.Now()
	idx, err := l.open(ctx)
	if err != nil {
		l.lastErr = err
		return nil, Unavailable(err)
	}
	l.idx = idx
	return idx, nil
}

var errClosed = errorString("search index is closed")

type errorString string

func (e errorString) Error() string { return string(e) }

func (l *Lazy) Put(ctx context.Context, docs []Document) error {
	idx, err := l.get(ctx)
	if err != nil {
		return err
	}
	return idx.Put(ctx, docs)
}

func (l *Lazy) Delete(ctx context.Context, ids []string) error {
	idx, err := l.get(ctx)
	if err != nil {
		return err
	}
	return idx.Delete(ctx, ids)
}

func (l *Lazy) Search(ctx context.Context, q Query) (*Result, error) {
	if _, err := ParseQuery(q.Text); err != nil {
		return nil, err // a bad query is told even while the engine is down
	}
	idx, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return idx.Search(ctx, q)
}

func (l *Lazy) Count(ctx context.Context) (int64, error) {
	idx, err := l.get(ctx)
	if err != nil {
		return 0, err
	}
	return idx.Count(ctx)
}

func (l *Lazy) Ping(ctx context.Context) error {
	idx, err := l.get(ctx)
	if err != nil {
		return err
	}
	return idx.Ping(ctx)
}

// Close closes the engine's index if it was opened; later calls fail.
func (l *Lazy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.idx == nil {
		return nil
	}
	return l.idx.Close()
}
