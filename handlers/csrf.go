package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"

	"github.com/gofiber/fiber/v2"

	"fundwatch/handlers/web"
)

// The public forms are protected by signed double-submit tokens: a random
// value in an HttpOnly, SameSite cookie, and in each form a keyed digest of
// it. A cross-site page can neither read the cookie nor compute the digest.
// Nothing is stored on the server, so a request without a cookie costs no
// memory (issue 7, finding 3: the stored tokens of the previous middleware
// grew with every cookie-less request), and the cookie is set only by pages
// that have a form, so pages without one stay cacheable. The digest is
// masked afresh in every page, so the form pages may be compressed.
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
	return maskCSRF(h.csrfDigest(v))
}

// csrfDigest is the unmasked token of a cookie value: 16 bytes of its keyed
// digest.
func (h *Handler) csrfDigest(cookie string) []byte {
	d, _ := hex.DecodeString(h.Keyring.Digest("public-csrf", []byte(cookie))[:2*csrfDigestLen])
	return d
}

const csrfDigestLen = 16

// maskCSRF hides the digest under a fresh random pad: the form carries pad
// and pad XOR digest, in hex. The token is then different in every response
// while it stays tied to the cookie, so compressing a form page gives BREACH
// nothing to converge on (web/compress.go).
func maskCSRF(digest []byte) string {
	out := make([]byte, 2*len(digest))
	pad := out[:len(digest)]
	if _, err := rand.Read(pad); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	for i, b := range digest {
		out[len(digest)+i] = pad[i] ^ b
	}
	return hex.EncodeToString(out)
}

// unmaskCSRF recovers the digest of a posted token. The unmasked form (the
// digest alone, as pages rendered before masking carried it) is accepted
// too, so a form open across the upgrade still submits.
func unmaskCSRF(token string) []byte {
	b, err := hex.DecodeString(token)
	switch {
	case err != nil:
		return nil
	case len(b) == csrfDigestLen:
		return b
	case len(b) != 2*csrfDigestLen:
		return nil
	}
	d := make([]byte, csrfDigestLen)
	for i := range d {
		d[i] = b[i] ^ b[csrfDigestLen+i]
	}
	return d
}

// checkCSRF guards each public POST route: the token of the url-encoded body
// (never the query string), unmasked, must be the digest of the request's
// cookie.
func (h *Handler) checkCSRF(c *fiber.Ctx) error {
	v := c.Cookies(h.cookieName(csrfCookie))
	posted, _ := web.CSRFFromBody(c)
	if !web.ValidToken(v) || posted == "" || len(posted) > 4*csrfDigestLen {
		return errCSRF
	}
	got := unmaskCSRF(posted)
	if got == nil || !hmac.Equal(got, h.csrfDigest(v)) {
		return errCSRF
	}
	return c.Next()
}
