package admin

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"fundwatch/store"
)

var adminAssetURL = regexp.MustCompile(`(?:href|src)="(/admin/static/[^"]+)"`)

func TestAdminPagesLinkHashedAssetsServedImmutable(t *testing.T) {
	e := newAdminEnv(t)
	cl := e.client()
	_, page := cl.get("/admin/login")
	m := adminAssetURL.FindAllStringSubmatch(page, -1)
	if len(m) != 1 || !regexp.MustCompile(`^/admin/static/admin\.[0-9a-f]{10}\.css$`).MatchString(m[0][1]) {
		t.Fatalf("sign-in page links %v, want the content-hashed admin.css", m)
	}
	if strings.Contains(page, "?v=") {
		t.Error("sign-in page still has a ?v= asset URL")
	}
	if !strings.Contains(page, `<meta name="description" content="`) {
		t.Error("sign-in page has no description")
	}
	want, err := fs.ReadFile(Static, "admin.css")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, cache string
	}{
		{"hashed name", m[0][1], "public, max-age=31536000, immutable"},
		{"unhashed name", "/admin/static/admin.css", "public, max-age=300"},
		{"versioned name of earlier pages", "/admin/static/admin.css?v=dev", "public, max-age=300"},
		{"hash of another build", "/admin/static/admin.0123456789.css", "public, max-age=300"},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			resp, body := cl.do(httptest.NewRequest(method, tt.path, nil))
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s %s: status %d", method, tt.name, resp.StatusCode)
				continue
			}
			if cc := resp.Header.Get("Cache-Control"); cc != tt.cache {
				t.Errorf("%s %s: Cache-Control %q, want %q", method, tt.name, cc, tt.cache)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
				t.Errorf("%s %s: Content-Type %q", method, tt.name, ct)
			}
			if method == http.MethodGet && body != string(want) {
				t.Errorf("GET %s: body is not admin.css", tt.name)
			}
			if method == http.MethodHead && (body != "" || resp.ContentLength != int64(len(want))) {
				t.Errorf("HEAD %s: %d body bytes, Content-Length %d", tt.name, len(body), resp.ContentLength)
			}
		}
	}
	req := httptest.NewRequest(http.MethodGet, m[0][1], nil)
	req.Header.Set("Accept-Encoding", "br")
	if resp, _ := cl.do(req); resp.Header.Get("Content-Encoding") != "br" {
		t.Errorf("admin.css asked with brotli: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	if resp, _ := cl.get("/admin/static/nope.css"); resp.StatusCode != http.StatusNotFound || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("unknown asset: status %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

// TestAdminPagesAreNeverCompressed: an admin page carries the session's
// CSRF token beside case contents anyone can write by filing a report, and
// search terms from the URL — what BREACH needs — so none is compressed,
// whatever the browser asks; and none is kept by a cache.
func TestAdminPagesAreNeverCompressed(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("zip", store.RoleHandler, "220100")
	cs := e.fileCase("220102", "unpaid_contributions", 0)
	cl := e.client()
	get := func(path string) (*http.Response, string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		return cl.do(req)
	}
	check := func(name string, resp *http.Response, body string) {
		t.Helper()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
		if len(body) < 1024 {
			t.Errorf("%s: only %d bytes; too small to show anything", name, len(body))
		}
		if enc := resp.Header.Get("Content-Encoding"); enc != "" {
			t.Errorf("%s: Content-Encoding %q: admin pages are never compressed", name, enc)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", name, cc)
		}
	}
	resp, body := get("/admin/login")
	check("sign-in page", resp, body)
	cl.login(h)
	for _, path := range []string{"/admin", "/admin/cases?q=" + "guess", "/admin/cases/" + cs.ID} {
		resp, body := get(path)
		check(path, resp, body)
	}
}
