package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// cacheApp serves /page/:n from pc, each build counted and rendering the
// current value of *content; /gone answers 410, /missing 404, /cookie sets
// a cookie, /invalidating invalidates the cache while it builds.
type cacheApp struct {
	app     *fiber.App
	pc      *PageCache
	builds  int
	content string
	now     time.Time
}

func newCacheApp(t *testing.T) *cacheApp {
	t.Helper()
	ca := &cacheApp{content: "v1", now: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
	ca.pc = NewPageCache(func() time.Time { return ca.now })
	ca.pc.minCompress = 1
	ca.app = fiber.New()
	page := func(status int) fiber.Handler {
		return func(c *fiber.Ctx) error {
			return ca.pc.Serve(c, c.Path(), func(c *fiber.Ctx) error {
				ca.builds++
				c.Status(status)
				c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
				c.Vary(fiber.HeaderCookie)
				return c.SendString("<p>" + strings.Repeat(ca.content+" ", 50) + "</p>")
			})
		}
	}
	ca.app.Get("/page/:n", page(http.StatusOK))
	ca.app.Get("/gone", page(http.StatusGone))
	ca.app.Get("/missing", page(http.StatusNotFound))
	ca.app.Get("/failing", func(c *fiber.Ctx) error {
		return ca.pc.Serve(c, "failing", func(*fiber.Ctx) error { ca.builds++; return errors.New("store down") })
	})
	ca.app.Get("/cookie", func(c *fiber.Ctx) error {
		return ca.pc.Serve(c, "cookie", func(c *fiber.Ctx) error {
			ca.builds++
			c.Cookie(&fiber.Cookie{Name: "a", Value: "b"})
			return c.SendString("with a cookie")
		})
	})
	ca.app.Get("/invalidating", func(c *fiber.Ctx) error {
		return ca.pc.Serve(c, "invalidating", func(c *fiber.Ctx) error {
			ca.builds++
			body := ca.content // read "from the store" before the publication
			ca.pc.Invalidate()
			return c.SendString(body)
		})
	})
	return ca
}

func (ca *cacheApp) get(t *testing.T, path string, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := ca.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestPageCacheServesTheKeptPageUntilInvalidated(t *testing.T) {
	ca := newCacheApp(t)
	_, first := ca.get(t, "/page/1", nil)
	ca.content = "v2" // published, but nobody said so yet
	resp, again := ca.get(t, "/page/1", nil)
	if again != first || ca.builds != 1 {
		t.Fatalf("second load: %d builds, same body %v", ca.builds, again == first)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=60" {
		t.Errorf("Cache-Control %q", cc)
	}
	if v := resp.Header.Get("Vary"); !strings.Contains(v, "Cookie") || !strings.Contains(v, "Accept-Encoding") {
		t.Errorf("Vary %q, want Cookie and Accept-Encoding", v)
	}
	ca.pc.Invalidate()
	_, after := ca.get(t, "/page/1", nil)
	if !strings.Contains(after, "v2") || ca.builds != 2 {
		t.Errorf("after Invalidate: %d builds, body %.20q", ca.builds, after)
	}
}

func TestPageCacheKeepsNeitherErrorsNorCookiesNorPagesBuiltAcrossAnInvalidation(t *testing.T) {
	tests := []struct {
		path   string
		status int
	}{
		{"/missing", http.StatusNotFound},
		{"/failing", http.StatusInternalServerError},
		{"/cookie", http.StatusOK},
		{"/invalidating", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			ca := newCacheApp(t)
			for range 2 {
				resp, _ := ca.get(t, tt.path, nil)
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
				}
			}
			if ca.builds != 2 || ca.pc.Len() != 0 {
				t.Errorf("%d builds for 2 loads, %d entries kept; want 2 and 0", ca.builds, ca.pc.Len())
			}
		})
	}
}

func TestPageCacheKeepsTombstones(t *testing.T) {
	ca := newCacheApp(t)
	for range 2 {
		resp, _ := ca.get(t, "/gone", nil)
		if resp.StatusCode != http.StatusGone || resp.Header.Get("ETag") != "" {
			t.Fatalf("status %d ETag %q, want 410 without ETag", resp.StatusCode, resp.Header.Get("ETag"))
		}
	}
	if ca.builds != 1 {
		t.Errorf("%d builds, want 1", ca.builds)
	}
}

func TestPageCacheAnswers304(t *testing.T) {
	ca := newCacheApp(t)
	first, _ := ca.get(t, "/page/1", nil)
	etag, lm := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	if !strings.HasPrefix(etag, `W/"`) || lm != "Fri, 27 Nov 2026 02:00:00 GMT" {
		t.Fatalf("ETag %q Last-Modified %q", etag, lm)
	}
	tests := []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"same ETag", map[string]string{"If-None-Match": etag}, http.StatusNotModified},
		{"strong form of the ETag", map[string]string{"If-None-Match": strings.TrimPrefix(etag, "W/")}, http.StatusNotModified},
		{"one of several", map[string]string{"If-None-Match": `"x", ` + etag}, http.StatusNotModified},
		{"other ETag", map[string]string{"If-None-Match": `W/"x"`}, http.StatusOK},
		{"other ETag wins over a matching date", map[string]string{"If-None-Match": `W/"x"`, "If-Modified-Since": lm}, http.StatusOK},
		{"same date", map[string]string{"If-Modified-Since": lm}, http.StatusNotModified},
		{"later date", map[string]string{"If-Modified-Since": "Sat, 28 Nov 2026 00:00:00 GMT"}, http.StatusNotModified},
		{"earlier date", map[string]string{"If-Modified-Since": "Fri, 27 Nov 2026 01:59:59 GMT"}, http.StatusOK},
		{"malformed date", map[string]string{"If-Modified-Since": "yesterday"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := ca.get(t, "/page/1", tt.headers)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == http.StatusNotModified && (body != "" || resp.Header.Get("ETag") != etag || resp.Header.Get("Last-Modified") != lm) {
				t.Errorf("304: %d body bytes, ETag %q, Last-Modified %q", len(body), resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
			}
		})
	}
	// A publication in the same second still moves Last-Modified on.
	ca.content = "v2"
	ca.pc.Invalidate()
	resp, _ := ca.get(t, "/page/1", map[string]string{"If-Modified-Since": lm})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Last-Modified") == lm {
		t.Errorf("after an invalidation in the same second: status %d, Last-Modified %q", resp.StatusCode, resp.Header.Get("Last-Modified"))
	}
}

func TestPageCacheCompressesOnceAsAsked(t *testing.T) {
	ca := newCacheApp(t)
	_, plain := ca.get(t, "/page/1", nil)
	for _, enc := range []string{"br", "gzip"} {
		resp, body := ca.get(t, "/page/1", map[string]string{"Accept-Encoding": enc})
		if resp.Header.Get("Content-Encoding") != enc || len(body) >= len(plain) {
			t.Errorf("%s: Content-Encoding %q, %d bytes of %d", enc, resp.Header.Get("Content-Encoding"), len(body), len(plain))
		}
	}
	if resp, _ := ca.get(t, "/page/1", map[string]string{"Accept-Encoding": "gzip, br"}); resp.Header.Get("Content-Encoding") != "br" {
		t.Errorf("either taken: %q, want br", resp.Header.Get("Content-Encoding"))
	}
	if ca.builds != 1 {
		t.Errorf("%d builds", ca.builds)
	}
}

func TestPageCacheEvictsTheOldestPastItsBounds(t *testing.T) {
	ca := newCacheApp(t)
	ca.pc.SetBounds(2, 1<<20)
	for _, p := range []string{"/page/1", "/page/2", "/page/3"} {
		ca.get(t, p, nil)
	}
	if ca.pc.Len() != 2 {
		t.Fatalf("%d entries, want 2", ca.pc.Len())
	}
	ca.get(t, "/page/3", nil)
	ca.get(t, "/page/2", nil)
	if ca.builds != 3 {
		t.Errorf("the newest two rebuilt: %d builds, want 3", ca.builds)
	}
	ca.get(t, "/page/1", nil)
	if ca.builds != 4 {
		t.Errorf("the oldest kept: %d builds, want 4", ca.builds)
	}
	ca.pc.SetBounds(10, 100) // bodies of about 200 bytes: none fits
	if ca.pc.Len() != 0 {
		t.Errorf("%d entries over the byte bound", ca.pc.Len())
	}
}

func TestCheckStampInvalidatesWhenTheStampChanges(t *testing.T) {
	ca := newCacheApp(t)
	stamp, fail := "s1", false
	poll := func(context.Context) (string, error) {
		if fail {
			return "", errors.New("store down")
		}
		return stamp, nil
	}
	ctx := context.Background()
	fill := func() { ca.get(t, "/page/1", nil) }
	steps := []struct {
		name       string
		edit       func()
		invalidate bool
	}{
		{"first answer", func() {}, true},
		{"unchanged", func() {}, false},
		{"failing", func() { fail = true }, false},
		{"back, unchanged", func() { fail = false }, false},
		{"changed", func() { stamp = "s2" }, true},
	}
	last := ""
	for _, s := range steps {
		fill()
		s.edit()
		last = ca.pc.CheckStamp(ctx, last, poll, nil)
		if got := ca.pc.Len() == 0; got != s.invalidate {
			t.Errorf("%s: emptied %v, want %v", s.name, got, s.invalidate)
		}
	}
	if last != "s2" {
		t.Errorf("last stamp %q", last)
	}
}
