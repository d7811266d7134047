package web

import (
	"context"
	"io"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"time"
)

// NewLogHandler is a slog handler that writes exactly what
// slog.NewTextHandler (json false) or slog.NewJSONHandler (json true) with
// no options but the level would write, byte for byte, but formats the
// common record — attributes that are strings of printable ASCII, integers
// and ordinary floats — itself, which slog's handlers do several times
// slower (a fifth of the time of a kept public page went into the access
// log line; the JSON handler formats a float through encoding/json).
// Anything else, and any handler made from it with WithAttrs or WithGroup,
// is slog's own.
func NewLogHandler(json bool, w io.Writer, level slog.Leveler) slog.Handler {
	lw := &lockedWriter{w: w}
	opts := &slog.HandlerOptions{Level: level}
	var slow slog.Handler = slog.NewTextHandler(lw, opts)
	if json {
		slow = slog.NewJSONHandler(lw, opts)
	}
	if level == nil {
		level = slog.LevelInfo
	}
	return &logHandler{json: json, w: lw, level: level, slow: slow}
}

type logHandler struct {
	json  bool
	w     *lockedWriter
	level slog.Leveler
	slow  slog.Handler
}

// lockedWriter is the one writer of both paths, so that their lines never
// interleave.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var logBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (h *logHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler { return h.slow.WithAttrs(as) }

func (h *logHandler) WithGroup(name string) slog.Handler { return h.slow.WithGroup(name) }

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	bp := logBufs.Get().(*[]byte)
	defer logBufs.Put(bp)
	buf, ok := h.appendRecord((*bp)[:0], r)
	*bp = buf[:0]
	if !ok {
		return h.slow.Handle(ctx, r)
	}
	_, err := h.w.Write(buf)
	return err
}

// appendRecord formats r as slog's handler would; ok is false when r has
// anything the fast path leaves to it.
func (h *logHandler) appendRecord(buf []byte, r slog.Record) ([]byte, bool) {
	ok := true
	first := true
	key := func(k string) {
		if !first {
			if h.json {
				buf = append(buf, ',')
			} else {
				buf = append(buf, ' ')
			}
		}
		first = false
		buf, ok = h.appendString(buf, k, ok)
		if h.json {
			buf = append(buf, ':')
		} else {
			buf = append(buf, '=')
		}
	}
	if h.json {
		buf = append(buf, '{')
	}
	if !r.Time.IsZero() {
		t := r.Time.Round(0)
		key(slog.TimeKey)
		if h.json {
			if y := t.Year(); y < 0 || y >= 10000 {
				return buf, false
			}
			buf = append(buf, '"')
			buf = t.AppendFormat(buf, time.RFC3339Nano)
			buf = append(buf, '"')
		} else {
			buf = appendRFC3339Millis(buf, t)
		}
	}
	key(slog.LevelKey)
	buf, ok = h.appendString(buf, r.Level.String(), ok)
	key(slog.MessageKey)
	buf, ok = h.appendString(buf, r.Message, ok)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "" {
			ok = false // slog elides empty attributes and inlines groups
			return false
		}
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			key(a.Key)
			buf, ok = h.appendString(buf, v.String(), ok)
		case slog.KindInt64:
			key(a.Key)
			buf = strconv.AppendInt(buf, v.Int64(), 10)
		case slog.KindFloat64:
			f := v.Float64()
			key(a.Key)
			if !h.json {
				buf = strconv.AppendFloat(buf, f, 'g', -1, 64)
				break
			}
			// encoding/json's form, which slog's JSON handler uses: 'f'
			// between 1e-6 and 1e21; the rest is left to it.
			if abs := math.Abs(f); math.IsNaN(f) || math.IsInf(f, 0) || (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
				ok = false
				break
			}
			buf = strconv.AppendFloat(buf, f, 'f', -1, 64)
		default:
			ok = false
		}
		return ok
	})
	if h.json {
		buf = append(buf, '}')
	}
	return append(buf, '\n'), ok
}

// appendString appends s as slog's handler would when s needs no quoting
// (text) or escaping (JSON): printable ASCII without '"', and in text
// without space or '=' (a backslash is left as it is there), in JSON
// without '\'. Anything else makes ok false.
func (h *logHandler) appendString(buf []byte, s string, ok bool) ([]byte, bool) {
	if !ok {
		return buf, false
	}
	if h.json {
		for i := 0; i < len(s); i++ {
			if b := s[i]; b < 0x20 || b > 0x7e || b == '"' || b == '\\' {
				return buf, false
			}
		}
		buf = append(buf, '"')
		buf = append(buf, s...)
		return append(buf, '"'), true
	}
	if s == "" {
		return buf, false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; b <= 0x20 || b > 0x7e || b == '"' || b == '=' {
			return buf, false
		}
	}
	return append(buf, s...), true
}

// appendRFC3339Millis is slog's text form of a time: RFC 3339 with exactly
// three digits of the second's fraction.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}
