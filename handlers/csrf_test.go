package handlers

import (
	"net/http"
	"strings"
	"testing"
)

func TestCSRFTokenIsMaskedAfreshInEveryForm(t *testing.T) {
	e := newTestEnv(t)
	first, idem := e.formTokens("/report")
	second, _ := e.formTokens("/report") // same cookie
	if first == second {
		t.Fatal("two loads of the form with the same cookie carry the same CSRF token")
	}
	cookie := e.cookies["fw_csrf"]
	digest := e.h.Keyring.Digest("public-csrf", []byte(cookie))[:32]
	if strings.Contains(first, digest) || strings.Contains(second, digest) {
		t.Error("the form shows the unmasked digest")
	}
	flip := func(tok string) string {
		b := []byte(tok)
		if b[40] == '0' {
			b[40] = '1'
		} else {
			b[40] = '0'
		}
		return string(b)
	}
	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{"first masked token", first, true},
		{"second masked token", second, true},
		{"unmasked digest of a page from before masking", digest, true},
		{"masked token with a changed digit", flip(first), false},
		{"mask only", first[:32], false},
		{"token with the halves swapped", first[32:] + first[:32], true}, // XOR is symmetric: still the same digest
		{"token longer than any", first + first, false},
		{"not hex", strings.Repeat("z", 64), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			v := validReportForm(tt.token, idem)
			v.Set("description", "太短") // stop at validation: 422 means the token passed
			resp, body := e.postForm("/report", v)
			passed := resp.StatusCode == http.StatusUnprocessableEntity
			if passed != tt.ok || (!passed && resp.StatusCode != http.StatusForbidden) {
				t.Errorf("status %d; token accepted = %v, want %v\n%s", resp.StatusCode, passed, tt.ok, mainOf(body))
			}
		})
	}
	// A token for another cookie is refused.
	other := newTestEnv(t)
	foreign, _ := other.formTokens("/report")
	v := validReportForm(foreign, idem)
	if resp, _ := e.postForm("/report", v); resp.StatusCode != http.StatusForbidden {
		t.Errorf("token of another browser's cookie: status %d, want 403", resp.StatusCode)
	}
}
