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
	st := h.begin((*bp)[:0], r.Time, r.Level, r.Message)
	r.Attrs(st.attr)
	buf, ok := st.end()
	*bp = buf[:0]
	if !ok {
		return h.slow.Handle(ctx, r)
	}
	_, err := h.w.Write(buf)
	return err
}

// handleAttrs writes the record of t, level, msg and attrs without making
// it first, as the access log does for every request: a record keeps five
// attributes inline and allocates for a sixth. What the fast path leaves
// to slog goes to it as a record.
func (h *logHandler) handleAttrs(ctx context.Context, t time.Time, level slog.Level, msg string, attrs []slog.Attr) error {
	bp := logBufs.Get().(*[]byte)
	defer logBufs.Put(bp)
	st := h.begin((*bp)[:0], t, level, msg)
	for _, a := range attrs {
		if !st.attr(a) {
			break
		}
	}
	buf, ok := st.end()
	*bp = buf[:0]
	if !ok {
		r := slog.NewRecord(t, level, msg, 0)
		r.AddAttrs(attrs...)
		return h.slow.Handle(ctx, r)
	}
	_, err := h.w.Write(buf)
	return err
}

// line is a record being formatted as slog's handler would format it; ok
// turns false at anything the fast path leaves to slog.
type line struct {
	h     *logHandler
	buf   []byte
	ok    bool
	first bool
}

// begin formats the built-in attributes: time, level, message.
func (h *logHandler) begin(buf []byte, at time.Time, level slog.Level, msg string) line {
	l := line{h: h, buf: buf, ok: true, first: true}
	if h.json {
		l.buf = append(l.buf, '{')
	}
	if !at.IsZero() {
		t := at.Round(0)
		l.key(slog.TimeKey)
		if h.json {
			if y := t.Year(); y < 0 || y >= 10000 {
				l.ok = false
				return l
			}
			l.buf = append(l.buf, '"')
			l.buf = t.AppendFormat(l.buf, time.RFC3339Nano)
			l.buf = append(l.buf, '"')
		} else {
			l.buf = appendRFC3339Millis(l.buf, t)
		}
	}
	l.key(slog.LevelKey)
	l.str(level.String())
	l.key(slog.MessageKey)
	l.str(msg)
	return l
}

func (l *line) key(k string) {
	if !l.first {
		if l.h.json {
			l.buf = append(l.buf, ',')
		} else {
			l.buf = append(l.buf, ' ')
		}
	}
	l.first = false
	l.str(k)
	if l.h.json {
		l.buf = append(l.buf, ':')
	} else {
		l.buf = append(l.buf, '=')
	}
}

func (l *line) str(s string) { l.buf, l.ok = l.h.appendString(l.buf, s, l.ok) }

// attr formats one attribute; false stops at one the fast path leaves.
func (l *line) attr(a slog.Attr) bool {
	if !l.ok {
		return false
	}
	if a.Key == "" {
		l.ok = false // slog elides empty attributes and inlines groups
		return false
	}
	switch v := a.Value; v.Kind() {
	case slog.KindString:
		l.key(a.Key)
		l.str(v.String())
	case slog.KindInt64:
		l.key(a.Key)
		l.buf = strconv.AppendInt(l.buf, v.Int64(), 10)
	case slog.KindFloat64:
		f := v.Float64()
		l.key(a.Key)
		if !l.h.json {
			l.buf = strconv.AppendFloat(l.buf, f, 'g', -1, 64)
			break
		}
		// encoding/json's form, which slog's JSON handler uses: 'f'
		// between 1e-6 and 1e21; the rest is left to it.
		if abs := math.Abs(f); math.IsNaN(f) || math.IsInf(f, 0) || (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
			l.ok = false
			break
		}
		l.buf = strconv.AppendFloat(l.buf, f, 'f', -1, 64)
	default:
		l.ok = false
	}
	return l.ok
}

// end closes the line.
func (l *line) end() ([]byte, bool) {
	if l.h.json {
		l.buf = append(l.buf, '}')
	}
	return append(l.buf, '\n'), l.ok
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
