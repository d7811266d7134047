package web

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// writes records each Write its writer gets.
type writes struct {
	mu  sync.Mutex
	got []string
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got = append(w.got, string(p))
	return len(p), nil
}

func (w *writes) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.got...)
}

func TestLogBufferWritesWholeLinesInBatches(t *testing.T) {
	out := &writes{}
	b := NewLogBuffer(out, 64, time.Hour)
	line := strings.Repeat("x", 19) + "\n" // 20 bytes: three fit in a batch
	for range 7 {
		if n, err := b.Write([]byte(line)); n != len(line) || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	got := out.all()
	if len(got) != 2 || got[0] != strings.Repeat(line, 3) || got[1] != strings.Repeat(line, 3) {
		t.Errorf("before Close: %d writes %q; want two of three lines", len(got), got)
	}
	long := strings.Repeat("y", 100) + "\n"
	b.Write([]byte(long))
	if got := out.all(); len(got) != 4 || got[2] != line || got[3] != long {
		t.Errorf("a line longer than a batch: writes %q; want the waiting line, then it alone", got[2:])
	}
	b.Write([]byte(line))
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if got := out.all(); len(got) != 5 || got[4] != line {
		t.Errorf("Close did not write what was waiting: %q", got)
	}
	b.Write([]byte(line))
	if got := out.all(); len(got) != 6 {
		t.Errorf("a write after Close was kept: %d writes", len(got))
	}
	var all bytes.Buffer
	for _, w := range out.all() {
		all.WriteString(w)
	}
	if want := strings.Repeat(line, 7) + long + line + line; all.String() != want {
		t.Error("lines lost, split or out of order")
	}
}

func TestLogBufferWritesWithinItsInterval(t *testing.T) {
	out := &writes{}
	b := NewLogBuffer(out, 1<<20, 20*time.Millisecond)
	defer b.Close()
	b.Write([]byte("one line\n"))
	deadline := time.Now().Add(5 * time.Second)
	for len(out.all()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a waiting line was not written within 5s with an interval of 20ms")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := out.all(); len(got) != 1 || got[0] != "one line\n" {
		t.Errorf("writes %q", got)
	}
}
