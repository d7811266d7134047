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
	c.Set("Content-Security-Policy", ContentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	// same-origin keeps the Referer the CSRF check needs over https, and
	// sends nothing to other sites.
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Cross-Origin-Resource-Policy", "same-origin")
	if w.Secure() {
		c.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	// Nothing is kept unless its handler says so (cache.go): pages carry
	// CSRF tokens, receipts and case details. Static assets and the public
	// pages without anything private set their own Cache-Control.
	c.Set(fiber.HeaderCacheControl, "no-store")
}
