package web

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestLogHandlerWritesWhatSlogWrites: for records of every shape the
// access log and others write — and many it does not — the handler's line
// is byte for byte the line of slog's own handler, in both formats.
func TestLogHandlerWritesWhatSlogWrites(t *testing.T) {
	strs := []string{"request", "GET", "/disclosure/funds", "/api/v1/reports/:number", "192.0.2.10", "2001:db8::1",
		"a1b2c3d4e5f60718", "", " ", "a b", "a=b", `say "hi"`, `back\slash`, "tab\there", "new\nline", "\x00\x7f",
		"中文路径", "/disclosure/搜索", "\xff\xfe", "<script>&amp;", "\u2028", "~!@#$%^&*()_+-[]{}|;':,./<>?"}
	floats := []float64{0, 0.001, 0.123, 1.5, 12.345, 999.999, 1e6, 1234567.891, 1e-7, 1e21, 3e-5, math.Copysign(0, -1),
		math.NaN(), math.Inf(1), -2.5}
	levels := []slog.Level{slog.LevelInfo, slog.LevelWarn, slog.LevelError, slog.LevelInfo + 2}
	times := []time.Time{
		time.Date(2026, 12, 2, 4, 25, 5, 123456789, time.UTC), time.Date(2026, 12, 2, 4, 25, 5, 0, time.UTC),
		time.Date(2026, 12, 2, 12, 25, 5, 999999999, time.FixedZone("CST", 8*3600)), {},
		time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	for _, json := range []bool{false, true} {
		var fast, slow bytes.Buffer
		fh := NewLogHandler(json, &fast, slog.LevelInfo)
		opts := &slog.HandlerOptions{Level: slog.LevelInfo}
		var sh slog.Handler = slog.NewTextHandler(&slow, opts)
		if json {
			sh = slog.NewJSONHandler(&slow, opts)
		}
		for i := range 5000 {
			r := slog.NewRecord(times[rng.IntN(len(times))], levels[rng.IntN(len(levels))], pick(strs), 0)
			if i%7 == 0 {
				// The access log's record.
				r.AddAttrs(slog.String("request_id", "8f3a2b1c0d9e8f7a"), slog.String("method", "GET"),
					slog.String("path", pick(strs)), slog.Int("status", 200),
					slog.Float64("duration_ms", float64(rng.IntN(2000000))/1000), slog.String("ip", "192.0.2.10"))
			}
			for range rng.IntN(5) {
				k := pick(strs)
				switch rng.IntN(5) {
				case 0:
					r.AddAttrs(slog.String(k, pick(strs)))
				case 1:
					r.AddAttrs(slog.Int64(k, rng.Int64()-math.MaxInt64/2))
				case 2:
					r.AddAttrs(slog.Float64(k, floats[rng.IntN(len(floats))]))
				case 3:
					r.AddAttrs(slog.Bool(k, true), slog.Duration(k, time.Second))
				case 4:
					r.AddAttrs(slog.Group(k, slog.String("x", "y")), slog.Any(k, []int{1}))
				}
			}
			fast.Reset()
			slow.Reset()
			if err := fh.Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			_ = sh.Handle(context.Background(), r)
			if fast.String() != slow.String() {
				t.Fatalf("json %v, record %d:\nours %q\nslog %q", json, i, fast.String(), slow.String())
			}
			// The same record without a record, as the access log writes.
			var attrs []slog.Attr
			r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a); return true })
			fast.Reset()
			if err := fh.(*logHandler).handleAttrs(context.Background(), r.Time, r.Level, r.Message, attrs); err != nil {
				t.Fatal(err)
			}
			if fast.String() != slow.String() {
				t.Fatalf("json %v, record %d, as attributes:\nours %q\nslog %q", json, i, fast.String(), slow.String())
			}
		}
	}
}

func TestLogHandlerKeepsSlogsLevelsAndDerivedHandlers(t *testing.T) {
	var out bytes.Buffer
	h := NewLogHandler(true, &out, slog.LevelWarn)
	if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelWarn) {
		t.Error("levels below the handler's are not filtered")
	}
	slog.New(h).With("component", "web").Warn("x", "k", "v")
	if got := out.String(); !bytes.Contains([]byte(got), []byte(`"component":"web","k":"v"`)) {
		t.Errorf("WithAttrs lost its attributes: %q", got)
	}
}

func BenchmarkAccessLogLine(b *testing.B) {
	at := time.Date(2026, 12, 2, 4, 25, 5, 123456789, time.UTC)
	record := func() slog.Record {
		r := slog.NewRecord(at, slog.LevelInfo, "request", 0)
		r.AddAttrs(slog.String("request_id", "8f3a2b1c0d9e8f7a"), slog.String("method", "GET"),
			slog.String("path", "/disclosure/funds"), slog.Int("status", 200),
			slog.Float64("duration_ms", 0.123), slog.String("ip", "192.0.2.10"))
		return r
	}
	for _, json := range []bool{false, true} {
		name := map[bool]string{false: "text", true: "json"}[json]
		opts := &slog.HandlerOptions{Level: slog.LevelInfo}
		var sh slog.Handler = slog.NewTextHandler(discard{}, opts)
		if json {
			sh = slog.NewJSONHandler(discard{}, opts)
		}
		for _, h := range []struct {
			name string
			h    slog.Handler
		}{{"slog-" + name, sh}, {"web-" + name, NewLogHandler(json, discard{}, slog.LevelInfo)}} {
			b.Run(h.name, func(b *testing.B) {
				r := record()
				b.ReportAllocs()
				for b.Loop() {
					_ = h.h.Handle(context.Background(), r)
				}
			})
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
