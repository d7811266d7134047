package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r) // checks the CRC-32 and the length
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSplicedPageGzipIsItsBody(t *testing.T) {
	page := []byte(strings.Repeat(`<p class="x">社保基金监督公开平台</p>`, 400))
	tests := []struct {
		name   string
		parts  [][]byte
		values []string
	}{
		{"a form with two tokens", [][]byte{page, page[:100], page}, []string{"0123456789abcdef0123456789abcdef", "k9m2p4q6r8s0t1v3w5x7y9z0ab"}},
		{"no values", [][]byte{page}, nil},
		{"empty parts", [][]byte{nil, nil, nil}, []string{"a", "b"}},
		{"a value longer than a stored block", [][]byte{page, page}, []string{strings.Repeat("v", 70000)}},
		{"an empty value", [][]byte{page, page}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewSplicedPage(tt.parts)
			body := p.Body(tt.values)
			var want []byte
			for i, part := range tt.parts {
				want = append(want, part...)
				if i < len(tt.values) {
					want = append(want, tt.values[i]...)
				}
			}
			if !bytes.Equal(body, want) {
				t.Fatal("Body is not the parts with the values between them")
			}
			z := p.Gzip(tt.values)
			if got := gunzip(t, z); !bytes.Equal(got, body) {
				t.Errorf("the gzip holds %d bytes, not the body's %d", len(got), len(body))
			}
			if len(body) > 10000 && len(body)-p.size < 100 && len(z) > len(body)/3 {
				t.Errorf("gzip of %d bytes for a body of %d", len(z), len(body))
			}
		})
	}
	// Two answers with different values of the same length have the same
	// length: the values are not compressed.
	p := NewSplicedPage([][]byte{page, page})
	a, b := p.Gzip([]string{strings.Repeat("a", 32)}), p.Gzip([]string{"0123456789abcdef" + string(page[:16])})
	if len(a) != len(b) {
		t.Errorf("lengths %d and %d: a value's content changes the size", len(a), len(b))
	}
}

func TestSendSplicedFollowsAcceptEncoding(t *testing.T) {
	w := New(Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer w.Close()
	app := w.NewApp()
	page := NewSplicedPage([][]byte{[]byte(strings.Repeat("<p>表单</p>", 300)), []byte("</html>")})
	app.Get("/", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		w.SendSpliced(c, page, []string{"token"})
		return nil
	})
	want := page.Body([]string{"token"})
	for _, tt := range []struct{ accept, encoding string }{
		{"gzip, deflate, br", "gzip"}, {"gzip", "gzip"}, {"br", "br"}, {"gzip;q=0.5, br", "br"}, {"", ""}, {"identity", ""},
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Encoding", tt.accept)
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("Content-Encoding"); got != tt.encoding {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tt.accept, got, tt.encoding)
			continue
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: Vary %q", tt.accept, resp.Header.Get("Vary"))
		}
		if tt.encoding == "gzip" {
			body = gunzip(t, body)
		}
		if tt.encoding != "br" && !bytes.Equal(body, want) {
			t.Errorf("Accept-Encoding %q: not the page", tt.accept)
		}
	}
}
