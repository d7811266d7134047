package admin

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
)

func itoa(n int) string { return strconv.Itoa(n) }

// accountPage lets users change their own password and, when their role
// leaves it optional, bind a second factor.
func (a *Admin) accountPage(c *fiber.Ctx) error {
	flash := ""
	switch c.Query("done") {
	case "password":
		flash = "密码已修改。其他设备上的登录已全部退出。"
	case "totp":
		flash = "动态验证码已绑定，下次登录时需要输入。"
	}
	info := ""
	if c.Query("must") != "" || current(c).User.MustChangePassword {
		info = "您的密码由管理员设置或已重置，请先设置自己的新密码。"
	}
	return a.renderAccount(c, fiber.StatusOK, flash, info, "", "")
}

func (a *Admin) renderAccount(c *fiber.Ctx, status int, flash, info, problem, form string) error {
	u := current(c).User
	data := fiber.Map{
		"Title": "我的账户", "Nav": "account", "Flash": flash, "Info": info,
		"Problem": problem, "ProblemForm": form, "HasTOTP": len(u.TOTPSealed) > 0,
		"MinPassword": casework.MinPasswordRunes,
	}
	if len(u.TOTPSealed) == 0 {
		secret, uri, err := casework.NewTOTPSecret(a.Config.Issuer, u.Username)
		if err != nil {
			return err
		}
		sealed, err := a.sealEnrolSecret(u.ID, secret)
		if err != nil {
			return err
		}
		qr, err := qrDataURI(uri)
		if err != nil {
			return err
		}
		data["Secret"], data["URI"], data["QR"], data["Sealed"] = groupSecret(secret), uri, qr, sealed
	}
	return a.render(c, status, "account", data)
}

// changePassword checks the current password, the new one against the
// rules, stores its hash, and ends every session of the user but a new one
// for this browser.
func (a *Admin) changePassword(c *fiber.Ctx) error {
	s := current(c)
	ctx := c.UserContext()
	old, next, confirm := form(c, "current"), form(c, "new"), form(c, "confirm")
	if ok, _ := casework.CheckPassword(s.User.PasswordHash, old); !ok {
		return a.renderAccount(c, fiber.StatusUnprocessableEntity, "", "", "当前密码不正确。", "password")
	}
	if next != confirm {
		return a.renderAccount(c, fiber.StatusUnprocessableEntity, "", "", "两次输入的新密码不一致。", "password")
	}
	if next == old {
		return a.renderAccount(c, fiber.StatusUnprocessableEntity, "", "", "新密码不能与当前密码相同。", "password")
	}
	if problem := casework.CheckNewPassword(next, s.User.Username); problem != "" {
		return a.renderAccount(c, fiber.StatusUnprocessableEntity, "", "", problem, "password")
	}
	hash, err := casework.HashPassword(next)
	if err != nil {
		return err
	}
	u, err := a.Store.UserByID(ctx, s.User.ID)
	if err != nil {
		return err
	}
	now := a.now()
	u.PasswordHash, u.MustChangePassword, u.PasswordChangedAt, u.UpdatedAt = hash, false, now, now
	if err := a.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	if _, err := a.Store.DeleteUserSessions(ctx, u.ID); err != nil {
		return err
	}
	c.Locals(localSession, &signedInUser{}) // the old session is gone
	if _, err := a.startSession(c, u, false); err != nil {
		return err
	}
	_ = a.Cases.Audit(ctx, a.actor(c), caseflow.AuditPasswordChange, "user", u.ID, u.RegionCode, "修改本人密码")
	return c.Redirect(web.AdminPrefix+"/account?done=password", fiber.StatusSeeOther)
}

// accountEnrolTOTP binds a second factor for a user who chose to have one.
func (a *Admin) accountEnrolTOTP(c *fiber.Ctx) error {
	u := current(c).User
	if len(u.TOTPSealed) > 0 {
		return a.renderAccount(c, fiber.StatusConflict, "", "", "您已绑定动态验证码。如需更换，请联系系统管理员重置。", "totp")
	}
	if _, err := a.enrolFromForm(c, u); err != nil {
		if problem, ok := enrolProblem(err); ok {
			return a.renderAccount(c, fiber.StatusUnprocessableEntity, "", "", problem, "totp")
		}
		return err
	}
	return c.Redirect(web.AdminPrefix+"/account?done=totp", fiber.StatusSeeOther)
}
