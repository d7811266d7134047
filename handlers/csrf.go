package handlers

import (
	"crypto/hmac"

	"github.com/gofiber/fiber/v2"

	"fundwatch/handlers/web"
)

// The public forms are protected by signed double-submit tokens: a random
// value in an HttpOnly, SameSite cookie, and in each form a keyed digest of
// it. A cross-site page can neither read the cookie nor compute the digest.
// Nothing is stored on the server, so a request without a cookie costs no
// memory (issue 7, finding 3: the stored tokens of the previous middleware
// grew with every cookie-less request), and the cookie is set only by pages
// that have a form, so pages without one stay cacheable.
const csrfCookie = "fw_csrf"

// formToken returns the token for the forms of this page, setting the
// cookie it is derived from when the browser has none.
func (h *Handler) formToken(c *fiber.Ctx) string {
	name := h.cookieName(csrfCookie)
	v := c.Cookies(name)
	if !web.ValidToken(v) || len(v) > 64 {
		v = web.NewToken()
		c.Cookie(&fiber.Cookie{
			Name:     name,
			Value:    v,
			Path:     "/",
			HTTPOnly: true,
			Secure:   h.secure(),
			SameSite: fiber.CookieSameSiteLaxMode,
		})
		// The cookie of a later request is this one.
		c.Request().Header.SetCookie(name, v)
	}
	return h.Keyring.Digest("public-csrf", []byte(v))[:32]
}

// checkCSRF guards each public POST route: the token of the url-encoded body
// (never the query string) must be the digest of the request's cookie.
func (h *Handler) checkCSRF(c *fiber.Ctx) error {
	v := c.Cookies(h.cookieName(csrfCookie))
	posted, _ := web.CSRFFromBody(c)
	if !web.ValidToken(v) || posted == "" ||
		!hmac.Equal([]byte(posted), []byte(h.Keyring.Digest("public-csrf", []byte(v))[:32])) {
		return errCSRF
	}
	return c.Next()
}
