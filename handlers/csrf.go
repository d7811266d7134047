package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"strings"

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
	if !h.validCSRF(c) {
		return errCSRF
	}
	return c.Next()
}

// validCSRF tells whether the posted token, unmasked, is the digest of the
// request's cookie.
func (h *Handler) validCSRF(c *fiber.Ctx) bool {
	v := c.Cookies(h.cookieName(csrfCookie))
	posted, _ := web.CSRFFromBody(c)
	if !web.ValidToken(v) || posted == "" || len(posted) > 4*csrfDigestLen {
		return false
	}
	got := unmaskCSRF(posted)
	return got != nil && hmac.Equal(got, h.csrfDigest(v))
}

// csrfOr guards a POST route whose form can be shown again: when the token
// does not verify, expired answers instead of the bare 403 page, with what
// was typed and a fresh token (issue 7, citizens point 4: the 403 page said
// to go back and refresh, which lost the report). Nothing is stored or
// looked up on that path.
//
// The status stays 403: the request was refused for a failed security
// check, not for what was typed (that is 422 on this site), and monitoring
// still sees CSRF failures as such. Browsers show the body of a 403 like
// any page. A cross-site page can make a browser post here, but all it gets
// is a form filled with its own text, which the person must still submit
// themselves; the fresh token is in the page, which the other site cannot
// read.
func (h *Handler) csrfOr(expired fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if h.validCSRF(c) {
			return c.Next()
		}
		h.Log.Info("form token did not verify: form shown again", "request_id", web.RequestID(c), "path", c.Path())
		return expired(c)
	}
}

// The one line that says why a form came back.
const (
	msgReportExpired   = "页面停留时间较长，安全校验已过期，您填写的内容已保留，请核对后再次提交。"
	msgFollowupExpired = "页面停留时间较长，安全校验已过期，已保留您填写的查询编号，请重新输入查询码后查询。"
	msgMessageExpired  = "页面停留时间较长，安全校验已过期，您填写的补充信息已保留，请核对后再次提交。"
	msgSessionExpired  = "查询已超时，补充信息未能提交。请重新输入查询编号和查询码，再补充信息。"
)

// reportExpired shows the report form again with every field as typed (the
// identity included: it is the person's own, in their own browser) and a
// fresh idempotency token: the posted one may come from another site.
func (h *Handler) reportExpired(c *fiber.Ctx) error {
	return h.renderReportForm(c, fiber.StatusForbidden, parseReportForm(c), nil, web.NewToken(), msgReportExpired)
}

// followupExpired keeps the number, never the access code.
func (h *Handler) followupExpired(c *fiber.Ctx) error {
	return h.renderFollowupForm(c, fiber.StatusForbidden, clip(strings.TrimSpace(postValue(c, "number")), 64), msgFollowupExpired)
}

// messageExpired shows the reporter's case again with the message as typed,
// when the follow-up session still holds; without one, the message cannot
// be kept against anything, and the login form says so.
func (h *Handler) messageExpired(c *fiber.Ctx) error {
	cs, err := h.followupCase(c)
	if err != nil {
		return err
	}
	if cs == nil {
		return h.renderFollowupForm(c, fiber.StatusForbidden, "", msgSessionExpired)
	}
	return h.renderCaseView(c, fiber.StatusForbidden, cs, clip(postValue(c, "body"), 6000), msgMessageExpired, "")
}
