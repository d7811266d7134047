package web

import (
	"github.com/gofiber/fiber/v2"
)

// ContentSecurityPolicy allows only the portal's own scripts, styles and
// images: nothing inline, nothing from elsewhere.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// securityHeaders sets the headers a security review expects on every answer.
func (w *Web) securityHeaders(c *fiber.Ctx) error {
	w.setSecurityHeaders(c)
	return c.Next()
}

func (w *Web) setSecurityHeaders(c *fiber.Ctx) {
	h := &c.Response().Header
	for _, l := range securityHeaderLines {
		h.SetCanonical(l.key, l.value)
	}
	if w.Secure() {
		h.SetCanonical(headerHSTS, valueHSTS)
	}
	// Nothing is kept unless its handler says so (cache.go): pages carry
	// CSRF tokens, receipts and case details. Static assets and the public
	// pages without anything private set their own Cache-Control.
	h.SetCanonical(headerCacheControl, valueNoStore)
}

// securityHeaderLines are the headers of every answer, in canonical form,
// set without being parsed again on every request.
var securityHeaderLines = []headerLine{
	{[]byte("Content-Security-Policy"), []byte(ContentSecurityPolicy)},
	{[]byte("X-Content-Type-Options"), []byte("nosniff")},
	{[]byte("X-Frame-Options"), []byte("DENY")},
	// same-origin keeps the Referer the CSRF check needs over https, and
	// sends nothing to other sites.
	{[]byte("Referrer-Policy"), []byte("same-origin")},
	{[]byte("Permissions-Policy"), []byte("camera=(), microphone=(), geolocation=(), payment=()")},
	{[]byte("Cross-Origin-Opener-Policy"), []byte("same-origin")},
	{[]byte("Cross-Origin-Resource-Policy"), []byte("same-origin")},
}

var (
	headerHSTS   = []byte("Strict-Transport-Security")
	valueHSTS    = []byte("max-age=31536000; includeSubDomains")
	valueNoStore = []byte("no-store")
)
