package web

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"fundwatch/public"
)

func TestPreferredEncoding(t *testing.T) {
	tests := []struct {
		header   string
		br, gzip bool
		onTie    string
		want     string
		why      string
	}{
		{"gzip, deflate, br", true, true, "gzip", "gzip", "browsers: a tie, per-request compression takes gzip"},
		{"gzip, deflate, br", true, true, "br", "br", "browsers: a tie, static assets take brotli"},
		{"gzip, deflate", true, true, "br", "gzip", "no brotli asked"},
		{"br", true, true, "gzip", "br", "brotli only"},
		{"", true, true, "br", "", "no header: identity"},
		{"identity", true, true, "br", "", ""},
		{"*", true, true, "br", "br", "any coding"},
		{"*", true, true, "gzip", "gzip", "any coding"},
		{"*;q=0", true, true, "br", "", "any coding refused"},
		{"br;q=0, gzip", true, true, "br", "gzip", ""},
		{"br;q=0, *", true, true, "br", "gzip", "brotli refused, the rest welcome"},
		{"gzip;q=0.8, br;q=0.9", true, true, "gzip", "br", "preferred by q"},
		{"gzip;q=1.0, br;q=0.5", true, true, "br", "gzip", "preferred by q"},
		{"GZIP", true, true, "br", "gzip", "case-insensitive"},
		{"x-gzip", true, true, "br", "gzip", ""},
		{"deflate", true, true, "br", "", "deflate is not offered"},
		{"br;q=2, gzip", true, true, "br", "gzip", "q over 1 is malformed: ignored"},
		{"br;q=x, gzip", true, true, "br", "gzip", "q not a number: ignored"},
		{"br;q=-1", true, true, "br", "", ""},
		{"br;level=5;q=0", true, true, "br", "", "q after another parameter"},
		{"br, gzip", false, true, "br", "gzip", "no brotli variant"},
		{"br", false, true, "br", "", "only brotli asked, only gzip available"},
		{"gzip", true, false, "gzip", "", "only gzip asked, only brotli available"},
		{"br, gzip", false, false, "br", "", "nothing available"},
		{" br ; q=0.5 ,gzip;q=0.4", true, true, "gzip", "br", "spaces"},
	}
	for _, tt := range tests {
		if got := preferredEncoding(tt.header, tt.br, tt.gzip, tt.onTie); got != tt.want {
			t.Errorf("preferredEncoding(%q, br=%v, gzip=%v, tie %s) = %q, want %q (%s)",
				tt.header, tt.br, tt.gzip, tt.onTie, got, tt.want, tt.why)
		}
	}
}

func TestAssetNames(t *testing.T) {
	tests := []struct{ name, hashed string }{
		{"site.css", "site.0123456789.css"},
		{"img/logo.svg", "img/logo.0123456789.svg"},
		{"LICENSE", "LICENSE.0123456789"},
		{"jquery.min.js", "jquery.min.0123456789.js"},
	}
	for _, tt := range tests {
		if got := hashedName(tt.name, "0123456789"); got != tt.hashed {
			t.Errorf("hashedName(%q) = %q, want %q", tt.name, got, tt.hashed)
		}
		if got, ok := stripAssetHash(tt.hashed); !ok || got != tt.name {
			t.Errorf("stripAssetHash(%q) = %q, %v; want %q", tt.hashed, got, ok, tt.name)
		}
	}
	for _, name := range []string{"site.css", "site.012345678.css", "site.0123456789abc.css", "site.ABCDEF0123.css", "a.b.c.d"} {
		if got, ok := stripAssetHash(name); ok {
			t.Errorf("stripAssetHash(%q) = %q, want no hash found", name, got)
		}
	}
}

func TestAssetURLRefusesUnknownNames(t *testing.T) {
	a, err := NewAssets("/static", fstest.MapFS{"site.css": {Data: []byte("body{}")}})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := a.URL("site.css"); err != nil || !strings.HasPrefix(u, "/static/site.") {
		t.Errorf("URL(site.css) = %q, %v", u, err)
	}
	if u, err := a.URL("sité.css"); err == nil {
		t.Errorf("URL of an unknown asset = %q, want an error", u)
	}
}

// compressApp serves bodies through the middleware; /marked/* are marked
// with AllowCompression, /plain/* are not.
func compressApp(t *testing.T, body string) *fiber.App {
	t.Helper()
	w := New(Config{})
	t.Cleanup(func() { w.Close() })
	app := w.NewApp()
	serve := func(mark bool, ct string, set func(c *fiber.Ctx)) fiber.Handler {
		return func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderContentType, ct)
			if set != nil {
				set(c)
			} else {
				c.Response().SetBodyString(body)
			}
			if mark {
				AllowCompression(c)
			}
			return nil
		}
	}
	app.Get("/marked/html", serve(true, fiber.MIMETextHTMLCharsetUTF8, nil))
	app.Get("/marked/json", serve(true, fiber.MIMEApplicationJSON, nil))
	app.Get("/marked/png", serve(true, "image/png", nil))
	app.Get("/marked/small", serve(true, fiber.MIMETextHTMLCharsetUTF8, func(c *fiber.Ctx) { c.SendString("<p>hi</p>") }))
	app.Get("/marked/encoded", serve(true, fiber.MIMETextHTMLCharsetUTF8, func(c *fiber.Ctx) {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		c.Response().SetBody(fasthttp.AppendGzipBytes(nil, []byte(body)))
	}))
	app.Get("/marked/stream", serve(true, fiber.MIMETextHTMLCharsetUTF8, func(c *fiber.Ctx) {
		c.Response().SetBodyStream(strings.NewReader(body), len(body))
	}))
	app.Get("/marked/etag", serve(true, fiber.MIMETextHTMLCharsetUTF8, func(c *fiber.Ctx) {
		c.Response().SetBodyString(body)
		c.Set(fiber.HeaderETag, `"abc"`)
	}))
	app.Get("/marked/error", func(c *fiber.Ctx) error {
		AllowCompression(c)
		return fiber.ErrNotFound
	})
	app.Get("/plain/html", serve(false, fiber.MIMETextHTMLCharsetUTF8, nil))
	w.Finish(app)
	return app
}

func TestCompressMiddleware(t *testing.T) {
	body := strings.Repeat("<p>社会保险基金监督 fundwatch</p>\n", 200)
	app := compressApp(t, body)
	tests := []struct {
		path, want string
		vary       bool
		etag       string
	}{
		{"/marked/html", "gzip", true, ""},
		{"/marked/json", "gzip", true, ""},
		{"/marked/png", "", false, ""},         // not text
		{"/marked/small", "", true, ""},        // under 1 KB
		{"/marked/encoded", "gzip", false, ""}, // already encoded by its handler: left alone
		{"/marked/stream", "", false, ""},
		{"/marked/etag", "gzip", true, `W/"abc"`},
		{"/marked/error", "", false, ""},
		{"/plain/html", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			req.Header.Set("Accept-Encoding", "gzip, br")
			resp, err := app.Test(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			if got := resp.Header.Get("Content-Encoding"); got != tt.want {
				t.Errorf("Content-Encoding %q, want %q", got, tt.want)
			}
			if got := strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding"); got != tt.vary {
				t.Errorf("Vary %q: has Accept-Encoding = %v, want %v", resp.Header.Get("Vary"), got, tt.vary)
			}
			if tt.etag != "" && resp.Header.Get("ETag") != tt.etag {
				t.Errorf("ETag %q, want %q", resp.Header.Get("ETag"), tt.etag)
			}
			if tt.want == "gzip" && tt.path != "/marked/encoded" {
				out, err := fasthttp.AppendGunzipBytes(nil, raw)
				if err != nil || string(out) != body {
					t.Errorf("gzip body does not decode to the original: %v", err)
				}
			}
		})
	}
}

func TestCompressMiddlewareUsesBrotliWhenPreferred(t *testing.T) {
	body := strings.Repeat("<p>社会保险基金监督 fundwatch</p>\n", 200)
	app := compressApp(t, body)
	for _, accept := range []string{"br", "gzip;q=0.5, br"} {
		req := httptest.NewRequest(http.MethodGet, "/marked/html", nil)
		req.Header.Set("Accept-Encoding", accept)
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		if resp.Header.Get("Content-Encoding") != "br" {
			t.Errorf("%q: Content-Encoding %q, want br", accept, resp.Header.Get("Content-Encoding"))
			continue
		}
		if out, err := fasthttp.AppendUnbrotliBytes(nil, raw); err != nil || string(out) != body {
			t.Errorf("%q: brotli body does not decode to the original: %v", accept, err)
		}
	}
}

func TestAssetsServeCompressedVariants(t *testing.T) {
	a, err := NewAssets("/static", public.Static)
	if err != nil {
		t.Fatal(err)
	}
	css, _ := fs.ReadFile(public.Static, "site.css")
	as := a.byName["site.css"]
	if as.br == nil || as.gzip == nil || len(as.br) >= len(as.gzip) || len(as.gzip) >= len(css) {
		t.Errorf("site.css: %d bytes, gzip %d, brotli %d: want brotli < gzip < identity", len(css), len(as.gzip), len(as.br))
	}
	t.Logf("site.css: %d bytes, gzip %d, brotli %d", len(css), len(as.gzip), len(as.br))
}

// BenchmarkCompressPage is the per-request cost of compressing a page the
// size of the report form (its template, 17 KB of HTML and Chinese text).
func BenchmarkCompressPage(b *testing.B) {
	page, err := fs.ReadFile(public.Templates, "report.html")
	if err != nil {
		b.Fatal(err)
	}
	levels := []struct {
		name string
		f    func([]byte) []byte
	}{
		{"gzip-6", func(p []byte) []byte { return fasthttp.AppendGzipBytesLevel(nil, p, dynamicGzipLevel) }},
		{"brotli-4", func(p []byte) []byte { return fasthttp.AppendBrotliBytesLevel(nil, p, dynamicBrotliLevel) }},
	}
	for _, l := range levels {
		b.Run(l.name, func(b *testing.B) {
			var n int
			b.SetBytes(int64(len(page)))
			for b.Loop() {
				n = len(l.f(page))
			}
			b.ReportMetric(float64(n), "out-bytes")
		})
	}
}
