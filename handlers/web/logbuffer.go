package web

import (
	"io"
	"sync"
	"time"
)

// LogBuffer batches what is written to it and passes it on to its writer
// when a batch would exceed its size and every interval, so that the access
// log costs a write system call per batch rather than per request. At
// tens of thousands of requests a second one write per request line was a
// fifth of the time a kept public page took to serve (docs/load.md, issue
// 11). Each Write is kept whole: lines are never split across batches.
//
// The price: a line reaches the writer up to one interval after its
// request ended, and a process killed without Close (SIGKILL, a crash of
// the runtime) loses the lines of its last interval. It is meant for the
// request lines, where that is acceptable; errors go to the log directly.
type LogBuffer struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte
	size int

	stop chan struct{}
	done chan struct{}
}

// NewLogBuffer passes what is written on to w in batches of at most size
// bytes (a line longer than that goes on alone), at least every interval.
// Close stops it.
func NewLogBuffer(w io.Writer, size int, interval time.Duration) *LogBuffer {
	b := &LogBuffer{w: w, buf: make([]byte, 0, size), size: size, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				_ = b.Flush()
			}
		}
	}()
	return b
}

// Write keeps p for the next batch; it passes the batch on first when p
// would not fit.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > b.size {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > b.size {
			return b.w.Write(p)
		}
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// Flush passes on what is kept.
func (b *LogBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *LogBuffer) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	// What could not be written is dropped rather than kept to grow: a
	// log that cannot be written must not take the server's memory.
	b.buf = b.buf[:0]
	return err
}

// Close stops the interval's flushes and passes on what is kept. Writes
// after Close go straight to the writer.
func (b *LogBuffer) Close() error {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.flushLocked()
	b.size = 0
	return err
}
