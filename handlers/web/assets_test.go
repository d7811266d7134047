package web

import (
	"bytes"
	"io"
	"io/fs"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"fundwatch/public"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// assetsApp serves a's files under /static.
func assetsApp(t *testing.T, a *Assets) *fiber.App {
	t.Helper()
	w := New(Config{})
	t.Cleanup(func() { w.Close() })
	app := w.NewApp()
	app.Get("/static/*", a.Serve)
	return app
}

func fetchAsset(t *testing.T, app *fiber.App, url, acceptEncoding string) (int, string, []byte) {
	t.Helper()
	req := httptest.NewRequest("GET", url, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Encoding"), body
}

// The compressed forms made at build time are served as they are, checked
// against the file, and never under names of their own.
func TestAssetsUsePrecompressedSiblings(t *testing.T) {
	script := []byte(strings.Repeat("function chart(){return 42;}\n", 400))
	// Level 1 rather than the best: bytes the server would not make itself,
	// so serving them shows the sibling was used.
	gz := fasthttp.AppendGzipBytesLevel(nil, script, fasthttp.CompressBestSpeed)
	br := fasthttp.AppendBrotliBytesLevel(nil, script, fasthttp.CompressBrotliBestSpeed)
	if bytes.Equal(gz, fasthttp.AppendGzipBytesLevel(nil, script, fasthttp.CompressBestCompression)) {
		t.Fatal("test setup: gzip levels 1 and 9 agree; pick another body")
	}
	a, err := NewAssets("/static", fstest.MapFS{
		"vendor/lib.js":    {Data: script},
		"vendor/lib.js.gz": {Data: gz},
		"vendor/lib.js.br": {Data: br},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.byName) != 1 {
		t.Errorf("assets %v: want only vendor/lib.js, the siblings are its forms", keys(a.byName))
	}
	app := assetsApp(t, a)
	url, err := a.URL("vendor/lib.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		accept, enc string
		want        []byte
	}{{"br, gzip", "br", br}, {"gzip", "gzip", gz}, {"", "", script}} {
		status, enc, body := fetchAsset(t, app, url, tc.accept)
		if status != 200 || enc != tc.enc || !bytes.Equal(body, tc.want) {
			t.Errorf("Accept-Encoding %q: %d, encoding %q, %d bytes; want 200, %q, the %d bytes of the sibling", tc.accept, status, enc, len(body), tc.enc, len(tc.want))
		}
	}
	for _, name := range []string{"/static/vendor/lib.js.br", "/static/vendor/lib.js.gz"} {
		if status, _, _ := fetchAsset(t, app, name, ""); status != 404 {
			t.Errorf("GET %s: %d, want 404 (a compressed form is not an asset of its own)", name, status)
		}
	}
}

// A sibling that does not decode to the file — left over from the last
// version of the script — stops the start instead of being served.
func TestAssetsRefuseStalePrecompressedSiblings(t *testing.T) {
	old := []byte(strings.Repeat("var version = 1;\n", 300))
	cur := []byte(strings.Repeat("var version = 2;\n", 300))
	for _, tc := range []struct {
		name    string
		sibling string
		data    []byte
	}{
		{"stale brotli", "lib.js.br", fasthttp.AppendBrotliBytes(nil, old)},
		{"stale gzip", "lib.js.gz", fasthttp.AppendGzipBytes(nil, old)},
		{"not compressed at all", "lib.js.gz", cur},
	} {
		_, err := NewAssets("/static", fstest.MapFS{"lib.js": {Data: cur}, tc.sibling: {Data: tc.data}})
		if err == nil || !strings.Contains(err.Error(), "go generate") {
			t.Errorf("%s: NewAssets error %v, want one that says to run go generate", tc.name, err)
		}
	}
	// A .gz of its own, with no file beside it, is an ordinary asset.
	a, err := NewAssets("/static", fstest.MapFS{"data.csv.gz": {Data: fasthttp.AppendGzipBytes(nil, cur)}})
	if err != nil || a.byName["data.csv.gz"] == nil {
		t.Errorf("a lone .gz file: %v, assets %v; want it served as itself", err, keys(a.byName))
	}
}

// The portal's large vendored files come compressed from the build, and
// what is committed is current (NewAssets checks that on every start; this
// names the files that must have it, so a start never pays brotli's best
// level for them).
func TestLargeStaticFilesArePrecompressed(t *testing.T) {
	a, err := NewAssets("/static", public.Static)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	fs.WalkDir(public.Static, ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files[name] = true
		}
		return err
	})
	large := 0
	for name, as := range a.byName {
		if len(as.identity) < 64<<10 || !compressibleType([]byte(as.contentType)) {
			continue
		}
		large++
		if !files[name+".br"] || !files[name+".gz"] {
			t.Errorf("%s (%d bytes) has no .br and .gz made at build time: add it to the go:generate line of public/embed.go", name, len(as.identity))
		}
		if as.br == nil || as.gzip == nil {
			t.Errorf("%s: brotli %d, gzip %d bytes served; want both", name, len(as.br), len(as.gzip))
		}
	}
	if large == 0 {
		t.Error("no static file of 64 KiB or more; the vendored ECharts is one")
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
