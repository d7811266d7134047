package web

import (
	"encoding/binary"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// MemoryStorage is a fiber.Storage kept in process memory: CSRF tokens,
// follow-up sessions and rate counters of a single instance. Expired entries
// are dropped lazily and by a sweep every minute.
type MemoryStorage struct {
	mu   sync.Mutex
	data map[string]memEntry
	stop chan struct{}
}

type memEntry struct {
	val []byte
	exp time.Time // zero: never
}

var _ fiber.Storage = (*MemoryStorage)(nil)

// NewMemoryStorage starts an empty storage and its sweeper.
func NewMemoryStorage() *MemoryStorage {
	m := &MemoryStorage{data: map[string]memEntry{}, stop: make(chan struct{})}
	go m.sweep()
	return m
}

func (m *MemoryStorage) sweep() {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case now := <-t.C:
			m.mu.Lock()
			for k, e := range m.data {
				if !e.exp.IsZero() && now.After(e.exp) {
					delete(m.data, k)
				}
			}
			m.mu.Unlock()
		}
	}
}

// Get returns nil for a missing or expired key, as fiber.Storage requires.
func (m *MemoryStorage) Get(key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.data[key]
	if !ok || (!e.exp.IsZero() && time.Now().After(e.exp)) {
		return nil, nil
	}
	return append([]byte(nil), e.val...), nil
}

// Set stores a copy of val; exp 0 means no expiry.
func (m *MemoryStorage) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	e := memEntry{val: append([]byte(nil), val...)}
	if exp > 0 {
		e.exp = time.Now().Add(exp)
	}
	m.mu.Lock()
	m.data[key] = e
	m.mu.Unlock()
	return nil
}

func (m *MemoryStorage) Delete(key string) error {
	m.mu.Lock()
	delete(m.data, key)
	m.mu.Unlock()
	return nil
}

func (m *MemoryStorage) Reset() error {
	m.mu.Lock()
	m.data = map[string]memEntry{}
	m.mu.Unlock()
	return nil
}

func (m *MemoryStorage) Close() error {
	select {
	case <-m.stop:
	default:
		close(m.stop)
	}
	return nil
}

// Len is the number of entries held, expired ones included until swept
// (for tests that show memory stays bounded).
func (m *MemoryStorage) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.data)
}

// RateLimiter counts events per key in fixed windows over a fiber.Storage, so
// the same limits hold across instances once the storage is shared.
type RateLimiter struct {
	mu      sync.Mutex
	storage fiber.Storage
	clock   func() time.Time
}

// NewRateLimiter counts in storage under keys of its own ("rl:…").
func NewRateLimiter(storage fiber.Storage, clock func() time.Time) *RateLimiter {
	return &RateLimiter{storage: storage, clock: clock}
}

// Allow records one event for key and reports whether it is within max per
// window. max < 0 disables the limit.
func (r *RateLimiter) Allow(key string, max int, window time.Duration) bool {
	if max < 0 {
		return true
	}
	n := r.hit(key, window, true)
	return n <= max
}

// AllowWait is Allow that also says, when the event is refused, how long
// until the window ends and events are counted afresh: the truthful
// Retry-After.
func (r *RateLimiter) AllowWait(key string, max int, window time.Duration) (bool, time.Duration) {
	if r.Allow(key, max, window) {
		return true, 0
	}
	now := r.clock()
	slot := now.UnixNano() / int64(window)
	return false, time.Duration((slot+1)*int64(window) - now.UnixNano())
}

// ExceededWait is Exceeded that also says how long until the window ends.
func (r *RateLimiter) ExceededWait(key string, max int, window time.Duration) (bool, time.Duration) {
	if !r.Exceeded(key, max, window) {
		return false, 0
	}
	now := r.clock()
	slot := now.UnixNano() / int64(window)
	return true, time.Duration((slot+1)*int64(window) - now.UnixNano())
}

// Exceeded reports whether key has already reached max in the current window,
// without counting a new event.
func (r *RateLimiter) Exceeded(key string, max int, window time.Duration) bool {
	if max < 0 {
		return false
	}
	return r.hit(key, window, false) >= max
}

func (r *RateLimiter) hit(key string, window time.Duration, add bool) int {
	now := r.clock()
	slot := now.UnixNano() / int64(window)
	k := "rl:" + key + ":" + strconv.FormatInt(slot, 10)
	r.mu.Lock()
	defer r.mu.Unlock()
	var n uint64
	if b, err := r.storage.Get(k); err == nil && len(b) == 8 {
		n = binary.BigEndian.Uint64(b)
	}
	if add {
		n++
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], n)
		remaining := time.Duration((slot+1)*int64(window) - now.UnixNano())
		_ = r.storage.Set(k, b[:], remaining+time.Second)
	}
	return int(n)
}

// Keyspace gives one user of a shared fiber.Storage keys of its own. The CSRF
// middleware accepts any token that exists as a key in its storage, and then
// rewrites that key: sharing the key space with the rate counters would let a
// client send its own counter's key as cookie and token and so reset the
// counter with every request.
type Keyspace struct {
	Storage fiber.Storage
	Prefix  string
}

func (k Keyspace) Get(key string) ([]byte, error) { return k.Storage.Get(k.Prefix + key) }

func (k Keyspace) Set(key string, val []byte, exp time.Duration) error {
	return k.Storage.Set(k.Prefix+key, val, exp)
}

func (k Keyspace) Delete(key string) error { return k.Storage.Delete(k.Prefix + key) }

// Reset and Close belong to the owner of the shared storage: a no-op here.
func (k Keyspace) Reset() error { return nil }

func (k Keyspace) Close() error { return nil }
