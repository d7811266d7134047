package admin

import (
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// msgBadLogin is the one answer to a wrong username, a wrong password, a
// disabled account and a locked one alike, so the page does not tell which
// usernames exist.
const msgBadLogin = "用户名或密码不正确。连续多次输错后需等待一段时间才能再试，账户可能被暂时锁定。"

// totpPurpose labels sealed TOTP secrets (casework.Keyring.SealSecret).
const totpPurpose = casework.TOTPSealPurpose

// loginToken is the sign-in form's CSRF token: a keyed digest of a random
// cookie (signed double submit), since there is no session yet.
func (a *Admin) loginToken(c *fiber.Ctx, issue bool) string {
	name := a.Web.CookieName(cookieLogin)
	v := c.Cookies(name)
	if !web.ValidToken(v) {
		if !issue {
			return ""
		}
		v = web.NewToken()
		c.Cookie(&fiber.Cookie{Name: name, Value: v, Path: "/", HTTPOnly: true, Secure: a.Web.Secure(),
			SameSite: fiber.CookieSameSiteStrictMode})
	}
	return a.Keyring.Digest("admin-login-csrf", []byte(v))[:32]
}

func (a *Admin) loginForm(c *fiber.Ctx) error {
	if current(c).full() {
		return c.Redirect(web.AdminPrefix, fiber.StatusSeeOther)
	}
	msg := ""
	if c.Query("expired") != "" {
		msg = "登录已超时或已退出，请重新登录。"
	}
	return a.renderLogin(c, fiber.StatusOK, "", msg, "")
}

func (a *Admin) renderLogin(c *fiber.Ctx, status int, username, info, problem string) error {
	return a.render(c, status, "login", fiber.Map{
		"Title":      "工作人员登录",
		"LoginCSRF":  a.loginToken(c, true),
		"Username":   username,
		"Info":       info,
		"Problem":    problem,
		"Next":       safeNext(c.Query("next")),
		"DemoLogins": a.demoLogins(),
	})
}

// demoLogins lists the demo accounts only in demo mode.
func (a *Admin) demoLogins() []DemoLogin {
	if !a.Config.Demo {
		return nil
	}
	return a.Config.DemoLogins
}

// safeNext keeps a post-login destination only when it is a page of the
// admin site, so the sign-in page cannot be used to send people elsewhere.
func safeNext(next string) string {
	if strings.HasPrefix(next, web.AdminPrefix+"/") && !strings.HasPrefix(next, "//") &&
		!strings.ContainsAny(next, "\\\r\n") && !strings.Contains(next, "/../") {
		return next
	}
	return ""
}

// loginSubmit checks a username and password. Unknown users, wrong
// passwords, disabled and locked accounts get the same answer after the
// same work (an argon2id check against a dummy hash when there is no user).
// Failures are counted per username typed: a growing wait between attempts
// and, after casework.LockAfterFailures, a temporary lock.
func (a *Admin) loginSubmit(c *fiber.Ctx) error {
	want := a.loginToken(c, false)
	if want == "" || !hmac.Equal([]byte(web.CSRFToken(c)), []byte(want)) {
		return web.ErrCSRF
	}
	ip := a.Web.ClientIP(c)
	if !a.Web.Limiter.Allow("admin-login-ip:"+ip, a.Config.LoginPerIP, a.Config.LoginWindow) {
		return web.ErrTooMany
	}
	username := strings.TrimSpace(string(c.Request().PostArgs().Peek("username")))
	password := string(c.Request().PostArgs().Peek("password"))
	shown := clip(username, 64)
	if username == "" || password == "" {
		return a.renderLogin(c, fiber.StatusUnprocessableEntity, shown, "", "请输入用户名和密码。")
	}
	if len(username) > 64 || len(password) > 1024 {
		return a.renderLogin(c, fiber.StatusUnauthorized, shown, "", msgBadLogin)
	}
	ctx := c.UserContext()
	now := a.now()
	key := casework.ThrottleKey(a.Keyring, username)
	th, err := a.Store.LoginFailures(ctx, key)
	if err != nil {
		return err
	}
	if casework.ThrottleExpired(th, now) {
		if err := a.Store.ClearLoginFailures(ctx, key); err != nil {
			return err
		}
		th = store.LoginThrottle{Key: key}
	}
	actor := caseflow.Actor{Username: shown, IP: ip, RequestID: web.RequestID(c)}
	if until, locked := casework.LoginLocked(th, now); locked {
		_, _ = casework.CheckPassword(casework.DummyPasswordHash(), password)
		_ = a.Cases.Audit(ctx, actor, caseflow.AuditLoginFailure, "user", "", "", "账户暂时锁定期间尝试登录")
		return a.renderLogin(c, fiber.StatusUnauthorized, shown, "",
			fmt.Sprintf("%s请于 %s 后再试。", msgBadLogin, until.In(store.CST).Format("15:04")))
	}
	if wait := casework.LoginDelay(th, now); wait > 0 {
		_, _ = casework.CheckPassword(casework.DummyPasswordHash(), password)
		secs := int((wait + time.Second - 1) / time.Second)
		return a.renderLogin(c, fiber.StatusTooManyRequests, shown, "",
			fmt.Sprintf("%s请等待 %d 秒后再试。", msgBadLogin, secs))
	}

	u, err := a.Store.UserByUsername(ctx, username)
	if err != nil && store.ErrorCode(err) != store.ENOTFOUND {
		return err
	}
	hash := casework.DummyPasswordHash()
	if u != nil {
		hash = u.PasswordHash
	}
	ok, _ := casework.CheckPassword(hash, password)
	if u == nil || !ok || u.Disabled {
		if _, err := a.Store.RecordLoginFailure(ctx, key, now); err != nil {
			return err
		}
		if u != nil {
			actor.UserID, actor.RegionCode = u.ID, u.RegionCode
		}
		_ = a.Cases.Audit(ctx, actor, caseflow.AuditLoginFailure, "user", actor.UserID, actor.RegionCode, "用户名或密码错误")
		return a.renderLogin(c, fiber.StatusUnauthorized, shown, "", msgBadLogin)
	}
	if err := a.Store.ClearLoginFailures(ctx, key); err != nil {
		return err
	}
	needSecond := len(u.TOTPSealed) > 0 || casework.RoleRequiresTOTP(u.Role)
	s, err := a.startSession(c, u, needSecond)
	if err != nil {
		return err
	}
	next := safeNext(string(c.Request().PostArgs().Peek("next")))
	if needSecond {
		target := web.AdminPrefix + "/login/totp"
		if len(u.TOTPSealed) == 0 {
			target = web.AdminPrefix + "/login/enrol"
		}
		if next != "" {
			target += "?next=" + queryEscape(next)
		}
		return c.Redirect(target, fiber.StatusSeeOther)
	}
	return a.signedIn(c, s, next)
}

// signedIn finishes a sign-in: audited, then on to where the user was going.
func (a *Admin) signedIn(c *fiber.Ctx, s *signedInUser, next string) error {
	_ = a.Cases.Audit(c.UserContext(), a.actor(c), caseflow.AuditLoginSuccess, "user", s.User.ID, s.User.RegionCode, "登录成功")
	if next == "" {
		next = web.AdminPrefix
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (a *Admin) totpForm(c *fiber.Ctx) error {
	return a.render(c, fiber.StatusOK, "totp", fiber.Map{"Title": "动态验证码", "Next": safeNext(c.Query("next"))})
}

// totpSubmit checks the second factor of a pending session. A code is
// accepted once: the store records its step, and a step not later than the
// last accepted one is refused. Failures count like password failures.
func (a *Admin) totpSubmit(c *fiber.Ctx) error {
	s := current(c)
	ctx := c.UserContext()
	now := a.now()
	next := safeNext(string(c.Request().PostArgs().Peek("next")))
	u := s.User
	key := casework.ThrottleKey(a.Keyring, u.Username)
	th, err := a.Store.LoginFailures(ctx, key)
	if err != nil {
		return err
	}
	problem := ""
	if _, locked := casework.LoginLocked(th, now); locked {
		problem = "验证码错误次数过多，账户已暂时锁定，请稍后重新登录。"
	} else {
		secret, err := a.Keyring.OpenSecret(totpPurpose, u.ID, u.TOTPSealed)
		if err != nil {
			return err
		}
		code := string(c.Request().PostArgs().Peek("code"))
		step, ok := casework.VerifyTOTP(string(secret), code, now, u.TOTPLastStep)
		clear(secret)
		if ok {
			err := a.Store.UseTOTPStep(ctx, u.ID, step)
			if err == nil {
				full, err := a.startSession(c, u, false)
				if err != nil {
					return err
				}
				return a.signedIn(c, full, next)
			}
			if store.ErrorCode(err) != store.ECONFLICT {
				return err
			}
		}
		problem = "动态验证码不正确或已使用过，请输入验证器中最新的6位数字。"
	}
	if _, err := a.Store.RecordLoginFailure(ctx, key, now); err != nil {
		return err
	}
	_ = a.Cases.Audit(ctx, caseflow.Actor{UserID: u.ID, Username: u.Username, RegionCode: u.RegionCode,
		IP: a.Web.ClientIP(c), RequestID: web.RequestID(c)}, caseflow.AuditLoginTOTPFail, "user", u.ID, u.RegionCode, "动态验证码错误")
	return a.render(c, fiber.StatusUnauthorized, "totp", fiber.Map{"Title": "动态验证码", "Problem": problem, "Next": next})
}

// enrolForm shows a new TOTP secret to a user whose role needs a second
// factor and who has none yet. The secret travels in the form sealed to
// this user, so nothing is stored until the user proves they set it up.
func (a *Admin) enrolForm(c *fiber.Ctx) error {
	return a.renderEnrol(c, fiber.StatusOK, "", "", safeNext(c.Query("next")))
}

func (a *Admin) renderEnrol(c *fiber.Ctx, status int, sealed, problem, next string) error {
	u := current(c).User
	var secret, uri string
	if sealed != "" {
		b, err := a.openEnrolSecret(u.ID, sealed)
		if err != nil {
			sealed = ""
		} else {
			secret = string(b)
		}
	}
	if sealed == "" {
		var err error
		secret, uri, err = casework.NewTOTPSecret(a.Config.Issuer, u.Username)
		if err != nil {
			return err
		}
		if sealed, err = a.sealEnrolSecret(u.ID, secret); err != nil {
			return err
		}
	} else {
		uri = casework.TOTPURI(a.Config.Issuer, u.Username, secret)
	}
	qr, err := qrDataURI(uri)
	if err != nil {
		return err
	}
	return a.render(c, status, "enrol", fiber.Map{
		"Title": "绑定动态验证码", "Secret": groupSecret(secret), "URI": uri, "QR": qr,
		"Sealed": sealed, "Problem": problem, "Next": next,
		"Required": casework.RoleRequiresTOTP(u.Role),
	})
}

func (a *Admin) sealEnrolSecret(userID, secret string) (string, error) {
	b, err := a.Keyring.SealSecret("totp-enrol", userID, []byte(secret))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (a *Admin) openEnrolSecret(userID, sealed string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return nil, err
	}
	return a.Keyring.OpenSecret("totp-enrol", userID, b)
}

// enrolSubmit binds the secret once the user typed a correct code from it.
func (a *Admin) enrolSubmit(c *fiber.Ctx) error {
	s := current(c)
	next := safeNext(string(c.Request().PostArgs().Peek("next")))
	u, err := a.enrolFromForm(c, s.User)
	if err != nil {
		if problem, ok := enrolProblem(err); ok {
			return a.renderEnrol(c, fiber.StatusUnprocessableEntity, string(c.Request().PostArgs().Peek("sealed")), problem, next)
		}
		return err
	}
	full, err := a.startSession(c, u, false)
	if err != nil {
		return err
	}
	return a.signedIn(c, full, next)
}

type enrolError string

func (e enrolError) Error() string { return string(e) }

func enrolProblem(err error) (string, bool) {
	if e, ok := err.(enrolError); ok {
		return string(e), true
	}
	if store.ErrorCode(err) == store.ECONFLICT {
		return store.ErrorMessage(err), true
	}
	return "", false
}

// enrolFromForm checks the code typed against the sealed secret of the
// form and stores the secret on the user, with the code's step as used.
func (a *Admin) enrolFromForm(c *fiber.Ctx, u *store.User) (*store.User, error) {
	args := c.Request().PostArgs()
	secret, err := a.openEnrolSecret(u.ID, string(args.Peek("sealed")))
	if err != nil {
		return nil, enrolError("页面已过期，请使用新显示的密钥重新绑定。")
	}
	defer clear(secret)
	now := a.now()
	step, ok := casework.VerifyTOTP(string(secret), string(args.Peek("code")), now, 0)
	if !ok {
		return nil, enrolError("验证码不正确，请确认验证器中已添加上方密钥，并输入最新的6位数字。")
	}
	sealed, err := a.Keyring.SealSecret(totpPurpose, u.ID, secret)
	if err != nil {
		return nil, err
	}
	fresh, err := a.Store.UserByID(c.UserContext(), u.ID)
	if err != nil {
		return nil, err
	}
	fresh.TOTPSealed = sealed
	fresh.UpdatedAt = now
	if err := a.Store.UpdateUser(c.UserContext(), fresh); err != nil {
		return nil, err
	}
	if err := a.Store.UseTOTPStep(c.UserContext(), u.ID, step); err != nil && store.ErrorCode(err) != store.ECONFLICT {
		return nil, err
	}
	_ = a.Cases.Audit(c.UserContext(), caseflow.Actor{UserID: u.ID, Username: u.Username, RegionCode: u.RegionCode,
		IP: a.Web.ClientIP(c), RequestID: web.RequestID(c)}, caseflow.AuditTOTPEnrol, "user", u.ID, u.RegionCode, "绑定动态验证码")
	return fresh, nil
}

func (a *Admin) logout(c *fiber.Ctx) error {
	s := current(c)
	_ = a.Cases.Audit(c.UserContext(), a.actor(c), caseflow.AuditLogout, "user", s.User.ID, s.User.RegionCode, "退出登录")
	if err := a.Store.DeleteSession(c.UserContext(), s.Session.ID); err != nil {
		return err
	}
	a.clearSessionCookie(c)
	return c.Redirect(web.AdminPrefix+"/login?expired=1", fiber.StatusSeeOther)
}

// groupSecret writes a base32 secret in groups of four for typing by hand.
func groupSecret(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
