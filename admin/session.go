package admin

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

const (
	cookieSession = "fw_admin"
	cookieLogin   = "fw_admin_login"
	localSession  = "admin.session"
	// pendingTTL bounds the time between a correct password and the second
	// factor.
	pendingTTL = 5 * time.Minute
	// touchEvery limits how often a request writes LastSeenAt.
	touchEvery = time.Minute
)

// signedInUser is the session and user of the current request.
type signedInUser struct {
	Session *store.Session
	User    *store.User
	Token   string
	// Expired is true when a session cookie came with the request but the
	// session had run out (shown on the sign-in page).
	Expired bool
}

func (s *signedInUser) full() bool { return s != nil && s.User != nil && !s.Session.Pending }

func current(c *fiber.Ctx) *signedInUser {
	s, _ := c.Locals(localSession).(*signedInUser)
	return s
}

// sessionID is what the store keeps for a session token: its SHA-256, so a
// copy of the store lets nobody sign in.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// loadSession reads the session cookie, ends a session past its idle or
// absolute timeout, and puts the session and its user in the request's
// locals. It never refuses a request itself; guard does.
func (a *Admin) loadSession(c *fiber.Ctx) error {
	token := c.Cookies(a.Web.CookieName(cookieSession))
	if token == "" {
		return c.Next()
	}
	if !web.ValidToken(token) {
		a.clearSessionCookie(c)
		return c.Next()
	}
	ctx := c.UserContext()
	id := sessionID(token)
	sess, err := a.Store.SessionByID(ctx, id)
	if store.ErrorCode(err) == store.ENOTFOUND {
		a.clearSessionCookie(c)
		c.Locals(localSession, &signedInUser{Expired: true})
		return c.Next()
	} else if err != nil {
		return err
	}
	now := a.now()
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.LastSeenAt.Add(a.Config.IdleTimeout)) {
		_ = a.Store.DeleteSession(ctx, id)
		a.clearSessionCookie(c)
		c.Locals(localSession, &signedInUser{Expired: true})
		return c.Next()
	}
	u, err := a.Store.UserByID(ctx, sess.UserID)
	if store.ErrorCode(err) == store.ENOTFOUND || (err == nil && u.Disabled) {
		_ = a.Store.DeleteSession(ctx, id)
		a.clearSessionCookie(c)
		return c.Next()
	} else if err != nil {
		return err
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := a.Store.TouchSession(ctx, id, now); err != nil && store.ErrorCode(err) != store.ENOTFOUND {
			return err
		}
		sess.LastSeenAt = now
	}
	c.Locals(localSession, &signedInUser{Session: sess, User: u, Token: token})
	return c.Next()
}

// guard applies a route's policy, and checks the CSRF token of every POST:
// the session's token for signed-in routes, the sign-in form's token for
// the public ones.
func (a *Admin) guard(p policy) fiber.Handler {
	return func(c *fiber.Ctx) error {
		s := current(c)
		isPost := c.Method() == fiber.MethodPost
		if isPost && c.Get("Sec-Fetch-Site") == "cross-site" {
			return web.ErrCSRF
		}
		switch p.kind {
		case kindPublic:
			return c.Next()
		case kindPending:
			if s == nil || s.User == nil || !s.Session.Pending {
				return a.toLogin(c, s)
			}
		default:
			if !s.full() {
				return a.toLogin(c, s)
			}
			if s.User.MustChangePassword && c.Path() != web.AdminPrefix+"/account" &&
				c.Path() != web.AdminPrefix+"/account/password" && c.Path() != web.AdminPrefix+"/logout" {
				return c.Redirect(web.AdminPrefix+"/account?must=1", fiber.StatusSeeOther)
			}
			if p.kind == kindPermitted && !casework.RoleAllows(s.User.Role, p.perm) {
				return errForbidden
			}
		}
		if isPost && !hmac.Equal([]byte(postedCSRF(c)), []byte(a.csrfToken(s))) {
			return web.ErrCSRF
		}
		return c.Next()
	}
}

// postedCSRF is the CSRF token posted in the body: url-encoded like every
// form, or multipart for the one form that uploads a file (the calendar
// import). Never from the query string.
func postedCSRF(c *fiber.Ctx) string {
	if isMultipart(c) {
		return postedValue(c, "_csrf")
	}
	return web.CSRFToken(c)
}

func isMultipart(c *fiber.Ctx) bool { return web.IsMultipart(c.Request().Header.ContentType()) }

// postedValue is a field of the posted body, url-encoded or multipart.
func postedValue(c *fiber.Ctx, name string) string {
	if !isMultipart(c) {
		return form(c, name)
	}
	f, err := c.MultipartForm()
	if err != nil || len(f.Value[name]) == 0 {
		return ""
	}
	return f.Value[name][0]
}

var errForbidden = web.NewHTTPError(fiber.StatusForbidden, "无权访问",
	"您的账户没有使用此功能的权限。如确需使用，请联系本单位系统管理员。")

// toLogin sends a visitor without a (full) session to the sign-in page,
// remembering where they were going when that was a page (GET).
func (a *Admin) toLogin(c *fiber.Ctx, s *signedInUser) error {
	if c.Method() != fiber.MethodGet {
		return web.ErrCSRF // a form from a session that has ended
	}
	q := url.Values{}
	if next := c.OriginalURL(); next != web.AdminPrefix && next != web.AdminPrefix+"/" {
		q.Set("next", next)
	}
	if s != nil && s.Expired {
		q.Set("expired", "1")
	}
	target := web.AdminPrefix + "/login"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// csrfToken is the CSRF token of a session: a keyed digest of its secret
// token, so it needs no storage and dies with the session.
func (a *Admin) csrfToken(s *signedInUser) string {
	if s == nil || s.Token == "" {
		return ""
	}
	return a.Keyring.Digest("admin-csrf", []byte(s.Token))[:32]
}

// startSession creates a session for u (pending the second factor or full),
// replacing any session the browser had: a new token at every sign-in step,
// so a token planted before sign-in is worth nothing after it.
func (a *Admin) startSession(c *fiber.Ctx, u *store.User, pendingStep bool) (*signedInUser, error) {
	ctx := c.UserContext()
	if old := current(c); old != nil && old.Token != "" {
		_ = a.Store.DeleteSession(ctx, sessionID(old.Token))
	}
	now := a.now()
	token := web.NewToken()
	sess := &store.Session{
		ID: sessionID(token), UserID: u.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(a.Config.AbsoluteTimeout), Pending: pendingStep,
	}
	if pendingStep {
		sess.ExpiresAt = now.Add(pendingTTL)
	}
	if err := a.Store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	c.Cookie(&fiber.Cookie{
		Name:     a.Web.CookieName(cookieSession),
		Value:    token,
		Path:     "/",
		HTTPOnly: true,
		Secure:   a.Web.Secure(),
		SameSite: fiber.CookieSameSiteStrictMode,
	})
	s := &signedInUser{Session: sess, User: u, Token: token}
	c.Locals(localSession, s)
	return s, nil
}

func (a *Admin) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: a.Web.CookieName(cookieSession), Value: "", Path: "/", HTTPOnly: true,
		Secure: a.Web.Secure(), SameSite: fiber.CookieSameSiteStrictMode, Expires: time.Unix(0, 0),
	})
}

// actor is the signed-in user as the service layer sees them.
func (a *Admin) actor(c *fiber.Ctx) caseflow.Actor {
	s := current(c)
	if !s.full() {
		return caseflow.Actor{IP: a.Web.ClientIP(c), RequestID: web.RequestID(c)}
	}
	u := s.User
	return caseflow.Actor{
		UserID: u.ID, Username: u.Username, Name: u.Name, Role: u.Role, RegionCode: u.RegionCode,
		Scope: a.Regions.Descendants(u.RegionCode), IP: a.Web.ClientIP(c), RequestID: web.RequestID(c),
	}
}
