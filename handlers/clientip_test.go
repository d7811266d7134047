package handlers

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// app.Test connects from 0.0.0.0, so trusting 0.0.0.0 makes the test client a
// trusted proxy.
func TestClientIPTakesTheRightmostUntrustedForwardedAddress(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) { h.Config.TrustedProxies = []string{"0.0.0.0", "10.0.0.0/8"} })
	tests := []struct {
		name, xff, want string
	}{
		{"no header: the proxy itself", "", "0.0.0.0"},
		{"one hop", "203.0.113.9", "203.0.113.9"},
		{"a forged left entry is ignored", "1.2.3.4, 203.0.113.9", "203.0.113.9"},
		{"inner trusted proxies are skipped", "203.0.113.9, 10.1.2.3", "203.0.113.9"},
		{"garbage stops the walk at the proxy", "203.0.113.9, not-an-ip", "0.0.0.0"},
		{"IPv6 client", "2001:db8::1", "2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			if tt.xff != "" {
				req.Header.Set("X-Forwarded-For", tt.xff)
			}
			e.do(req)
			if got := lastLoggedIP(e); got != tt.want {
				t.Errorf("clientIP = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClientIPIgnoresForwardedForFromUntrustedPeers(t *testing.T) {
	e := newTestEnv(t) // no trusted proxies
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	e.do(req)
	if got := lastLoggedIP(e); got != "0.0.0.0" {
		t.Errorf("clientIP = %q, want the connection's address 0.0.0.0", got)
	}
}

func TestSubmitLimitCannotBeDodgedByForgingForwardedFor(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) {
		h.Config.TrustedProxies = []string{"0.0.0.0"}
		h.Config.Limits.SubmitPerIP = 1
	})
	for i, forged := range []string{"1.1.1.1", "2.2.2.2"} {
		resp, _ := e.postJSON("/api/v1/reports", validReportJSON, map[string]string{
			"X-Forwarded-For": forged + ", 203.0.113.9",
		})
		want := http.StatusCreated
		if i == 1 {
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want {
			t.Errorf("request %d (forged %s): status %d, want %d", i+1, forged, resp.StatusCode, want)
		}
	}
}

// lastLoggedIP is the client address of the last access-log line.
func lastLoggedIP(e *testEnv) string {
	lines := e.logLines()
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i]["msg"] == "request" {
			ip, _ := lines[i]["ip"].(string)
			return ip
		}
	}
	return ""
}
