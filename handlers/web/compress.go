package web

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Compression, and which responses may have it.
//
// BREACH: when a response is compressed, its size tells how much of it
// repeats itself. An attacker who can make a victim's browser send many
// requests whose responses carry both a secret and text of the attacker's
// choosing, and who sees the sizes on the wire (TLS hides content, not
// length), learns the secret a character at a time: the guess that matches
// compresses best. Three things are needed together — a secret that stays
// the same from one response to the next, attacker-chosen text beside it,
// and compression. fundwatch removes the third wherever the first two could
// meet, and compresses only responses a handler has marked with
// AllowCompression. A handler marks a response only when nothing in it is a
// lasting secret:
//
//   - static assets, the home page, the guide and the OpenAPI document hold
//     no secret at all: whatever may be kept by a shared cache for everyone
//     may be compressed for everyone (a PageCache compresses what it
//     keeps);
//   - the report and follow-up forms, on GET: their one lasting secret, the
//     CSRF token, is masked with a fresh random pad in every response
//     (handlers/csrf.go), so no two responses carry the same bytes for an
//     attacker to converge on, and the idempotency token is new on every
//     load; they reflect nothing of the request either.
//
// Never compressed: receipts (the access code, next to what the reporter
// submitted), the reporter's case page and the case JSON (the reporter's
// identity, the case, staff replies, a session's token), every admin page (a
// session CSRF token that lasts the session, beside case contents that anyone
// on the internet can write by filing a report, and search terms reflected
// from the URL — the textbook BREACH page), error pages, and every answer to a
// POST. These are a few KB each; what compression buys is on the pages above.
//
// Marking is opt-in, so a new page is uncompressed until someone decides
// otherwise: a forgotten mark costs bytes, never a secret.
const localsCompress = "fundwatch.compress"

// AllowCompression marks the response of c as safe to compress: it holds no
// secret that stays the same across responses (see above). Call it only
// after making sure of that.
func AllowCompression(c *fiber.Ctx) { c.Locals(localsCompress, true) }

// defaultCompressMinBytes is the size below which compression saves too
// little to be worth the header and the work.
const defaultCompressMinBytes = 1024

// Responses compressed per request use gzip 6 when the client takes both:
// on the report form brotli 4 is 4% smaller but takes about 2.5 times the
// CPU (BenchmarkCompressPage), and brotli 1, as fast as gzip, is no smaller.
// Brotli is used where it is cheap: static assets, compressed once at start
// at its best level (site.css: 2.5 KB against gzip's 3.0 KB), and for a
// client that prefers it by q-value or takes nothing else.
const (
	dynamicBrotliLevel = fasthttp.CompressBrotliDefaultCompression
	dynamicGzipLevel   = fasthttp.CompressDefaultCompression
)

// compress compresses the marked responses with brotli or gzip, as the
// client's Accept-Encoding prefers. Error pages never reach it: a handler's
// error goes past it to the error handler.
func (w *Web) compress(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	if ok, _ := c.Locals(localsCompress).(bool); !ok {
		return nil
	}
	resp := c.Response()
	if resp.IsBodyStream() || len(resp.Header.ContentEncoding()) > 0 || !compressibleType(resp.Header.ContentType()) {
		return nil
	}
	addVary(c, fiber.HeaderAcceptEncoding)
	body := resp.Body()
	if len(body) < w.CompressMinBytes {
		return nil
	}
	var out []byte
	enc := preferredEncoding(c.Get(fiber.HeaderAcceptEncoding), true, true, "gzip")
	switch enc {
	case "br":
		out = fasthttp.AppendBrotliBytesLevel(nil, body, dynamicBrotliLevel)
	case "gzip":
		out = fasthttp.AppendGzipBytesLevel(nil, body, dynamicGzipLevel)
	default:
		return nil
	}
	if len(out) >= len(body) {
		return nil
	}
	resp.SetBodyRaw(out)
	resp.Header.SetContentEncoding(enc)
	// A strong validator names exact bytes; these bytes are new.
	if etag := resp.Header.Peek(fiber.HeaderETag); len(etag) > 0 && !bytes.HasPrefix(etag, []byte("W/")) {
		resp.Header.Set(fiber.HeaderETag, "W/"+string(etag))
	}
	return nil
}

// compressibleType tells whether a media type is text that compresses well:
// HTML, CSS, scripts, JSON, SVG, plain text.
func compressibleType(ct []byte) bool {
	mt, _, _ := bytes.Cut(ct, []byte(";"))
	switch strings.ToLower(string(bytes.TrimSpace(mt))) {
	case "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
		"image/svg+xml", "text/plain":
		return true
	}
	return false
}

// preferredEncoding picks "br" or "gzip" from an Accept-Encoding header, of
// those available, or "" for none (identity). It honours q-values, q=0 as a
// refusal and "*" for codings not named; on a tie, onTie ("br" or "gzip")
// wins.
func preferredEncoding(header string, brAvailable, gzipAvailable bool, onTie string) string {
	qBr, qGzip, qAny := -1.0, -1.0, -1.0
	for rest := header; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(part, ";")
		q, ok := qValue(params)
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "br":
			qBr = q
		case "gzip", "x-gzip":
			qGzip = q
		case "*":
			qAny = q
		}
	}
	if qBr < 0 {
		qBr = qAny
	}
	if qGzip < 0 {
		qGzip = qAny
	}
	if !brAvailable {
		qBr = 0
	}
	if !gzipAvailable {
		qGzip = 0
	}
	switch {
	case qBr <= 0 && qGzip <= 0:
		return ""
	case qBr > qGzip:
		return "br"
	case qGzip > qBr:
		return "gzip"
	}
	return onTie
}

// qValue reads the q parameter of one Accept-Encoding element (1 when
// absent); ok is false when it is malformed, and the element is ignored.
func qValue(params string) (q float64, ok bool) {
	q = 1
	for rest := params; rest != ""; {
		var p string
		p, rest, _ = strings.Cut(rest, ";")
		k, v, found := strings.Cut(p, "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || f > 1 {
			return 0, false
		}
		q = f
	}
	return q, true
}

// addVary adds field to the Vary header unless it is there already.
func addVary(c *fiber.Ctx, field string) {
	vary := c.Response().Header.Peek(fiber.HeaderVary)
	switch {
	case len(vary) == 0:
		c.Response().Header.Set(fiber.HeaderVary, field)
	case !varyHas(string(vary), field):
		c.Vary(field)
	}
}

// varyHas tells whether a Vary header lists field.
func varyHas(vary, field string) bool {
	for rest := vary; rest != ""; {
		var f string
		f, rest, _ = strings.Cut(rest, ",")
		if strings.EqualFold(strings.TrimSpace(f), field) {
			return true
		}
	}
	return false
}
