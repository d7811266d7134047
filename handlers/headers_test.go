package handlers

import (
	"fundwatch/handlers/web"
	"net/http"
	"strings"
	"testing"
)

func TestSecurityHeadersOnPagesAndAPI(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		name   string
		method string
		path   string
		status int
		cache  string // Cache-Control
	}{
		{"home page", http.MethodGet, "/", http.StatusOK, "public, max-age=300"},
		{"report form", http.MethodGet, "/report", http.StatusOK, "no-store"},
		{"follow-up form", http.MethodGet, "/followup", http.StatusOK, "no-store"},
		{"404 page", http.MethodGet, "/nope", http.StatusNotFound, "no-store"},
		{"CSRF failure page", http.MethodPost, "/report", http.StatusForbidden, "no-store"},
		{"API 404", http.MethodGet, "/api/v1/reports/2026-000001", http.StatusNotFound, "no-store"},
		{"API 415", http.MethodPost, "/api/v1/reports", http.StatusUnsupportedMediaType, "no-store"},
		{"API document", http.MethodGet, "/api/v1/openapi.json", http.StatusOK, "public, max-age=300"},
		{"health", http.MethodGet, "/healthz", http.StatusOK, "no-store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			resp, _ := e.request(tt.method, tt.path, strings.NewReader(""), nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if csp != web.ContentSecurityPolicy {
				t.Errorf("CSP %q, want %q", csp, web.ContentSecurityPolicy)
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP allows unsafe sources: %q", csp)
			}
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP lacks %q", want)
				}
			}
			want := map[string]string{
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
				"Referrer-Policy":        "same-origin",
			}
			for k, v := range want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if got := resp.Header.Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cache)
			}
			if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
				t.Errorf("HSTS %q sent over plain http", got)
			}
			if resp.Header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
		})
	}
}

func TestTemplatesHaveNoInlineScriptsOrStyles(t *testing.T) {
	// The CSP forbids inline code; a page that relied on it would break.
	e := newTestEnv(t)
	for _, path := range []string{"/", "/report", "/followup", "/guide", "/nope"} {
		_, body := e.get(path)
		for _, bad := range []string{"<script>", "<style", " style=", " onclick=", " onload=", "javascript:"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %q, which the CSP blocks", path, bad)
			}
		}
	}
}

func TestHSTSOnlyWhenBaseURLIsHTTPS(t *testing.T) {
	https := newTestEnv(t, func(h *Handler) { h.Config.BaseURL = "https://jb.example.gov.cn" })
	for _, path := range []string{"/", "/api/v1/openapi.json", "/nope"} {
		resp, _ := https.get(path)
		if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=31536000") {
			t.Errorf("https %s: HSTS %q, want max-age=31536000…", path, got)
		}
	}
	plain := newTestEnv(t)
	resp, _ := plain.get("/")
	if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("http: HSTS %q, want none", got)
	}
}

// setCookie finds the Set-Cookie header of the cookie named name.
func setCookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestCookiesAreSecureWithHostPrefixOverHTTPS(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) { h.Config.BaseURL = "https://jb.example.gov.cn" })
	resp, _ := e.get("/report")
	c := setCookie(resp, "__Host-fw_csrf")
	if c == nil {
		t.Fatalf("no __Host-fw_csrf cookie; got %v", resp.Header.Values("Set-Cookie"))
	}
	if !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" {
		t.Errorf("CSRF cookie: Secure=%v HttpOnly=%v Path=%q Domain=%q; __Host- needs Secure, Path=/ and no Domain",
			c.Secure, c.HttpOnly, c.Path, c.Domain)
	}
	if setCookie(resp, "fw_csrf") != nil {
		t.Error("an unprefixed fw_csrf cookie is set over https")
	}

	number, code := e.submitValid()
	resp, body := e.login(number, code)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login over https: status %d\n%s", resp.StatusCode, body)
	}
	f := setCookie(resp, "__Host-fw_followup")
	if f == nil {
		t.Fatalf("no __Host-fw_followup cookie; got %v", resp.Header.Values("Set-Cookie"))
	}
	if !f.Secure || !f.HttpOnly || f.Path != "/" || f.Domain != "" || f.SameSite != http.SameSiteStrictMode {
		t.Errorf("follow-up cookie: Secure=%v HttpOnly=%v Path=%q Domain=%q SameSite=%v",
			f.Secure, f.HttpOnly, f.Path, f.Domain, f.SameSite)
	}
	if resp, _ := e.get("/followup/case"); resp.StatusCode != http.StatusOK {
		t.Errorf("case page with the __Host- session cookie: status %d", resp.StatusCode)
	}
}

func TestCookiesArePlainOverHTTP(t *testing.T) {
	e := newTestEnv(t)
	resp, _ := e.get("/report")
	c := setCookie(resp, "fw_csrf")
	if c == nil {
		t.Fatalf("no fw_csrf cookie; got %v", resp.Header.Values("Set-Cookie"))
	}
	if c.Secure {
		t.Error("CSRF cookie is Secure over http: a browser would drop it")
	}
	if !c.HttpOnly {
		t.Error("CSRF cookie is not HttpOnly")
	}
	if setCookie(resp, "__Host-fw_csrf") != nil {
		t.Error("__Host- cookie over http")
	}
	number, code := e.submitValid()
	resp, _ = e.login(number, code)
	f := setCookie(resp, "fw_followup")
	if f == nil {
		t.Fatalf("no fw_followup cookie; got %v", resp.Header.Values("Set-Cookie"))
	}
	if f.Secure || !f.HttpOnly || f.SameSite != http.SameSiteStrictMode {
		t.Errorf("follow-up cookie over http: Secure=%v HttpOnly=%v SameSite=%v", f.Secure, f.HttpOnly, f.SameSite)
	}
}
