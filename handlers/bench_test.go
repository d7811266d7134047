package handlers

import (
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
	"fundwatch/store/sqlite"
)

// BenchmarkPublicPages serves the public pages the load command measures
// (cmd/loadtest, scenarios "public") straight through the app's handler,
// with no network, against a plain Fiber handler that answers "ok": the
// fund table of the province with five years of six insurance types for
// the province and every city, the disclosure index, the same table from
// the API, the home page, the guide, the contact page, the report and
// follow-up forms (a fresh visitor each time), the statistics as a page
// and from the API, and the OpenAPI document. Every request asks for
// compression as a browser does; the access log is written, to nowhere,
// by the handler the server uses.
// Run it with
//
//	go test -run '^$' -bench PublicPages -benchmem ./handlers/
func BenchmarkPublicPages(b *testing.B) {
	// The access log goes where the server's would, a text log, but to
	// nowhere: the test env's log buffer would grow by every request.
	e := newTestEnv(b, func(h *Handler) {
		h.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		// The access log as the server writes it (cmd/fundwatch), to
		// nowhere.
		h.Web = web.New(web.Config{BaseURL: h.Config.BaseURL, Version: h.Config.Version, Log: h.Log, Clock: h.Clock,
			AccessLog: slog.New(web.NewLogHandler(false, io.Discard, slog.LevelInfo))})
		b.Cleanup(func() { h.Web.Close() })
	})
	types := []string{"pension", "resident_pension", "medical", "unemployment", "work_injury", "maternity"}
	regions := []string{"220000"}
	for _, c := range e.h.Regions.Cities() {
		regions = append(regions, c.Code)
	}
	for _, region := range regions {
		for year := 2021; year <= 2025; year++ {
			var rows []store.FundRow
			for i, t := range types {
				r := pensionRow(int64(year - 2019 + i))
				r.InsuranceType = t
				rows = append(rows, r)
			}
			e.publish(fundReport(region, year, rows...))
		}
	}
	for i := range 20 {
		e.publish(announcement("关于某单位骗取社会保险基金问题的通报（第" + itoa(i+1) + "号）"))
		e.advance(time.Hour)
	}

	baseline := fiber.New(fiber.Config{DisableStartupMessage: true})
	baseline.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })

	pages := []struct {
		name, path string
		app        *fiber.App
	}{
		{"baseline", "/", baseline},
		{"disclosure-funds", "/disclosure/funds?region=220000&year=2025", e.app},
		{"disclosure-index", "/disclosure", e.app},
		{"api-fund-table", "/api/v1/fund-table?region=220000&year=2025", e.app},
		{"home", "/", e.app},
		{"guide", "/guide", e.app},
		{"contact", "/contact", e.app},
		{"report-form", "/report", e.app},
		{"followup-form", "/followup", e.app},
		{"statistics", "/statistics", e.app},
		{"api-statistics", "/api/v1/statistics", e.app},
		{"api-openapi", "/api/v1/openapi.json", e.app},
	}
	remote := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 10), Port: 1234}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			handler := p.app.Handler()
			var req fasthttp.Request
			req.SetRequestURI(p.path)
			req.Header.Set(fiber.HeaderAcceptEncoding, "gzip, deflate, br")
			var ctx fasthttp.RequestCtx
			ctx.Init(&req, remote, nil)
			handler(&ctx) // the first request fills the cache
			if st := ctx.Response.StatusCode(); st != fiber.StatusOK {
				b.Fatalf("GET %s: status %d", p.path, st)
			}
			for b.Loop() {
				ctx.Response.Reset()
				handler(&ctx)
			}
			if st := ctx.Response.StatusCode(); st != fiber.StatusOK {
				b.Fatalf("GET %s: status %d", p.path, st)
			}
			b.ReportMetric(float64(len(ctx.Response.Body())), "body-bytes")
		})
	}
}

// BenchmarkSubmission files the valid report through the JSON API, straight
// through the app's handler with no network, from GOMAXPROCS×8 clients at
// once (b.RunParallel), each request with its own Idempotency-Key, as the
// load command's intake scenario does: validation, sealing the identity,
// the store write with its fsync (shared by the writes of a group) and the
// receipt. Run it with
//
//	go test -run '^$' -bench Submission -benchmem -cpuprofile cpu.out ./handlers/
func BenchmarkSubmission(b *testing.B) {
	e := newTestEnv(b, func(h *Handler) {
		h.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		h.Config.Limits.SubmitPerIP = -1
		h.Cases.ActiveUsers = &caseflow.ActiveUsers{} // as the server has it
	})
	var commits, writes atomic.Int64
	if db, ok := e.store.(*sqlite.DB); ok {
		db.ObserveCommits(func(size int) { commits.Add(1); writes.Add(int64(size)) })
	}
	handler := e.app.Handler()
	var seq atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var req fasthttp.Request
		var ctx fasthttp.RequestCtx
		remote := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 10), Port: 1234}
		for pb.Next() {
			req.Reset()
			req.Header.SetMethod(fiber.MethodPost)
			req.SetRequestURI("/api/v1/reports")
			req.Header.SetContentType(fiber.MIMEApplicationJSON)
			req.Header.Set("Idempotency-Key", "bench-"+strconv.FormatInt(seq.Add(1), 10)+"-0123456789abcdef")
			req.SetBodyString(validReportJSON)
			ctx.Init(&req, remote, nil)
			handler(&ctx)
			if st := ctx.Response.StatusCode(); st != fiber.StatusCreated {
				b.Fatalf("POST /api/v1/reports: status %d: %s", st, ctx.Response.Body())
			}
		}
	})
	if n := commits.Load(); n > 0 {
		b.ReportMetric(float64(writes.Load())/float64(n), "writes/commit")
	}
}
