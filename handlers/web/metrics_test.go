package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/store"
)

// recordingObserver keeps what web tells an Observer.
type recordingObserver struct {
	mu       sync.Mutex
	requests []observedRequest
	errors   []error
}

type observedRequest struct {
	route, method string
	status        int
	elapsed       time.Duration
}

func (o *recordingObserver) ObserveRequest(route, method string, status int, elapsed time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests = append(o.requests, observedRequest{route, method, status, elapsed})
}

func (o *recordingObserver) RequestError(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.errors = append(o.errors, err)
}

func (o *recordingObserver) take() ([]observedRequest, []error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, e := o.requests, o.errors
	o.requests, o.errors = nil, nil
	return r, e
}

// observedApp is an app of the plumbing alone, with a few routes shaped
// like the sites' and an observer recording what it is told.
// mount, when given, adds routes before Finish.
func observedApp(t *testing.T, mount ...func(*fiber.App, *Web)) (*fiber.App, *Web, *recordingObserver) {
	t.Helper()
	obs := &recordingObserver{}
	w := New(Config{BaseURL: "http://localhost:8080", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Observer: obs})
	t.Cleanup(func() { w.Close() })
	app := w.NewApp()
	app.Get("/api/v1/reports/:number", func(c *fiber.Ctx) error {
		time.Sleep(2 * time.Millisecond)
		return c.JSON(fiber.Map{"number": c.Params("number")})
	})
	app.Post("/report", func(c *fiber.Ctx) error { return store.Errorf(store.EUNAVAILABLE, "系统繁忙") })
	app.Get("/followup/case/files/:id", func(c *fiber.Ctx) error { return store.Errorf(store.ENOTFOUND, "不存在") })
	app.Get("/boom", func(c *fiber.Ctx) error { panic("boom") })
	app.Get("/limited", func(c *fiber.Ctx) error { return ErrTooMany })
	admin := app.Group(AdminPrefix, func(c *fiber.Ctx) error { return c.Next() })
	admin.Get("/cases/:id", func(c *fiber.Ctx) error { return c.SendString("case") })
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("home") })
	for _, m := range mount {
		m(app, w)
	}
	w.Finish(app)
	return app, w, obs
}

func TestObserverSeesRoutePatternsAndFinalStatusesNeverPaths(t *testing.T) {
	app, _, obs := observedApp(t)
	const number = "JL2026000123"
	tests := []struct {
		method, path string
		want         observedRequest
		wantErr      string // the code of the error counted, "" for none
	}{
		{"GET", "/", observedRequest{"/", "GET", 200, 0}, ""},
		{"GET", "/api/v1/reports/" + number, observedRequest{"/api/v1/reports/:number", "GET", 200, 0}, ""},
		{"HEAD", "/api/v1/reports/" + number, observedRequest{"/api/v1/reports/:number", "HEAD", 200, 0}, ""},
		{"GET", "/api/v1/reports/" + number + "/nothing", observedRequest{UnmatchedRoute, "GET", 404, 0}, ""},
		{"GET", "/nowhere/" + number, observedRequest{UnmatchedRoute, "GET", 404, 0}, ""},
		{"DELETE", "/api/v1/reports/" + number, observedRequest{UnmatchedRoute, "DELETE", 405, 0}, ""},
		{"PROPFIND", "/api/v1/reports/" + number, observedRequest{UnmatchedRoute, "OTHER", 405, 0}, ""},
		{"GET", "/admin/cases/" + number, observedRequest{"/admin/cases/:id", "GET", 200, 0}, ""},
		{"GET", "/admin/nothing/" + number, observedRequest{UnmatchedRoute, "GET", 404, 0}, ""},
		{"POST", "/report", observedRequest{"/report", "POST", 503, 0}, store.EUNAVAILABLE},
		{"GET", "/followup/case/files/" + number, observedRequest{"/followup/case/files/:id", "GET", 404, 0}, store.ENOTFOUND},
		{"GET", "/boom", observedRequest{"/boom", "GET", 500, 0}, ""},
		{"GET", "/limited", observedRequest{"/limited", "GET", 429, 0}, ""},
	}
	for _, tt := range tests {
		resp, err := app.Test(httptest.NewRequest(tt.method, tt.path, nil), 5000)
		if err != nil {
			t.Fatalf("%s %s: %v", tt.method, tt.path, err)
		}
		resp.Body.Close()
		reqs, errs := obs.take()
		if len(reqs) != 1 {
			t.Errorf("%s %s: observed %d times, want once: %+v", tt.method, tt.path, len(reqs), reqs)
			continue
		}
		got := reqs[0]
		if got.route != tt.want.route || got.method != tt.want.method || got.status != tt.want.status || got.status != resp.StatusCode {
			t.Errorf("%s %s: observed %s %s %d (answered %d), want %s %s %d", tt.method, tt.path,
				got.method, got.route, got.status, resp.StatusCode, tt.want.method, tt.want.route, tt.want.status)
		}
		if strings.Contains(got.route, number) {
			t.Errorf("%s %s: the case number is in the route label %q", tt.method, tt.path, got.route)
		}
		if got.elapsed <= 0 {
			t.Errorf("%s %s: elapsed %s", tt.method, tt.path, got.elapsed)
		}
		switch {
		case tt.wantErr == "" && len(errs) > 0:
			t.Errorf("%s %s: errors counted %v, want none", tt.method, tt.path, errs)
		case tt.wantErr != "" && (len(errs) != 1 || store.ErrorCode(errs[0]) != tt.wantErr):
			t.Errorf("%s %s: errors counted %v, want one %s", tt.method, tt.path, errs, tt.wantErr)
		}
	}
}

func TestLogErrorCountsTheErrorAHandlerAnswersItself(t *testing.T) {
	obs := &recordingObserver{}
	w := New(Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Observer: obs})
	t.Cleanup(func() { w.Close() })
	app := w.NewApp()
	down := errors.New("search: engine unavailable")
	app.Get("/search", func(c *fiber.Ctx) error {
		w.LogError(c, "search unavailable", down)
		return c.SendString("搜索暂时不可用")
	})
	w.Finish(app)
	resp, err := app.Test(httptest.NewRequest("GET", "/search?q=x", nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, errs := obs.take(); len(errs) != 1 || errs[0] != down {
		t.Errorf("errors counted %v, want the one logged", errs)
	}
}

func TestWithoutObserverNothingIsObservedAndRequestsStillWork(t *testing.T) {
	w := New(Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(func() { w.Close() })
	app := w.NewApp()
	app.Get("/x", func(c *fiber.Ctx) error { return store.Errorf(store.EUNAVAILABLE, "down") })
	w.Finish(app)
	for _, m := range []string{"GET", "PROPFIND"} {
		resp, err := app.Test(httptest.NewRequest(m, "/x", nil))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 503 && resp.StatusCode != 405 {
			t.Errorf("%s /x: status %d", m, resp.StatusCode)
		}
	}
}

func TestServeMetricsAnswersOnlyTheBearerToken(t *testing.T) {
	const token = "0123456789abcdef-metrics"
	app, _, obs := observedApp(t, func(app *fiber.App, w *Web) {
		w.ServeMetrics(app, token, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/plain; version=0.0.4")
			io.WriteString(rw, "fundwatch_build_info{version=\"test\"} 1\n")
		}))
	})
	tests := []struct {
		auth string
		want int
	}{
		{"", 404},
		{"Bearer", 404},
		{"Bearer ", 404},
		{"Bearer wrong-token-of-some-length", 404},
		{"Bearer " + token + "x", 404},
		{"Bearer " + token[:len(token)-1], 404},
		{"Basic " + token, 404},
		{token, 404},
		{"Bearer " + token, 200},
		{"bearer " + token, 200},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", MetricsPath, nil)
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("Authorization %q: status %d, want %d", tt.auth, resp.StatusCode, tt.want)
			continue
		}
		metrics := strings.Contains(string(body), "fundwatch_build_info")
		if metrics != (tt.want == 200) {
			t.Errorf("Authorization %q: metrics in the body %v, want %v:\n%s", tt.auth, metrics, tt.want == 200, body)
		}
		if tt.want == 404 && !strings.Contains(string(body), ErrNotFound.Title) {
			t.Errorf("Authorization %q: not the page of an unknown page:\n%s", tt.auth, body)
		}
		if reqs, _ := obs.take(); len(reqs) != 1 || reqs[0].route != MetricsPath || reqs[0].status != tt.want {
			t.Errorf("Authorization %q: observed %+v, want %s %d", tt.auth, reqs, MetricsPath, tt.want)
		}
	}
}
