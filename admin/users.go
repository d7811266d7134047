package admin

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// userList lists the users of the administrator's region scope.
func (a *Admin) userList(c *fiber.Ctx) error {
	actor := a.actor(c)
	f := store.UserFilter{RegionCodes: actor.Scope, IncludeDisabled: true}
	if r := c.Query("role"); casework.ValidRole(r) {
		f.Role = r
	}
	users, err := a.Store.ListUsers(c.UserContext(), f)
	if err != nil {
		return err
	}
	flash := ""
	switch c.Query("done") {
	case "created":
		flash = "用户已创建。请将初始密码当面或通过安全渠道告知本人；首次登录时须修改密码。"
	}
	return a.render(c, fiber.StatusOK, "users", fiber.Map{
		"Title": "用户管理", "Nav": "users", "Users": users, "Roles": casework.Roles(), "Role": f.Role, "Flash": flash,
	})
}

// userInput is the user form.
type userInput struct {
	Username, Name, Role, Region, Email, Password string
	Disabled                                      bool
}

func readUserInput(c *fiber.Ctx) userInput {
	return userInput{
		Username: strings.TrimSpace(form(c, "username")),
		Name:     strings.TrimSpace(form(c, "name")),
		Role:     form(c, "role"),
		Region:   form(c, "region"),
		Email:    strings.TrimSpace(form(c, "email")),
		Password: form(c, "password"),
		Disabled: form(c, "disabled") == "true",
	}
}

func (a *Admin) userNew(c *fiber.Ctx) error {
	return a.renderUserForm(c, fiber.StatusOK, nil, userInput{Role: store.RoleHandler}, nil)
}

func (a *Admin) renderUserForm(c *fiber.Ctx, status int, u *store.User, in userInput, errs map[string]string) error {
	title := "新建用户"
	if u != nil {
		title = "编辑用户 " + u.Username
	}
	flash := ""
	switch c.Query("done") {
	case "saved":
		flash = "已保存。"
	case "password":
		flash = "已重置密码，该用户的登录已全部退出；下次登录时须修改密码。"
	case "totp":
		flash = "已解除动态验证码绑定；该用户下次登录时需重新绑定（负责人和系统管理员必须绑定）。"
	}
	return a.render(c, status, "user_form", fiber.Map{
		"Title": title, "Nav": "users", "Edit": u, "In": in, "Errors": errs, "Flash": flash,
		"Roles": casework.Roles(), "Regions": a.scopeRegions(a.actor(c).Scope),
		"MinPassword": casework.MinPasswordRunes,
	})
}

// checkUserInput checks the form against the rules and the administrator's
// scope (a user can only be given a region the administrator sees).
func (a *Admin) checkUserInput(c *fiber.Ctx, in userInput, creating bool) map[string]string {
	errs := map[string]string{}
	actor := a.actor(c)
	if creating {
		if problem := casework.CheckUsername(in.Username); problem != "" {
			errs["username"] = problem
		}
		if problem := casework.CheckNewPassword(in.Password, in.Username); problem != "" {
			errs["password"] = problem
		}
	}
	switch n := len([]rune(in.Name)); {
	case n == 0:
		errs["name"] = "请填写姓名。"
	case n > 50 || !casework.SingleLineText(in.Name):
		errs["name"] = "姓名最多50个字，且不能含有无法识别的字符。"
	}
	if !casework.ValidRole(in.Role) {
		errs["role"] = "请从列表中选择角色。"
	}
	if !a.Regions.ValidUserRegion(in.Region) || !contains(actor.Scope, in.Region) {
		errs["region"] = "请从列表中选择所属地区（只能是您管理范围内的地区）。"
	}
	if in.Email != "" && !casework.ValidEmail(in.Email) {
		errs["email"] = "电子邮箱格式不正确。"
	}
	return errs
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// userCreate adds a user with an initial password the user must change at
// first sign-in.
func (a *Admin) userCreate(c *fiber.Ctx) error {
	in := readUserInput(c)
	if errs := a.checkUserInput(c, in, true); len(errs) > 0 {
		in.Password = ""
		return a.renderUserForm(c, fiber.StatusUnprocessableEntity, nil, in, errs)
	}
	u, err := a.Cases.CreateUser(c.UserContext(), a.actor(c), caseflow.NewUser{
		Username: in.Username, Name: in.Name, Role: in.Role, RegionCode: in.Region, Email: in.Email,
		Password: in.Password, MustChangePassword: true,
	})
	if store.ErrorCode(err) == store.ECONFLICT {
		in.Password = ""
		return a.renderUserForm(c, fiber.StatusConflict, nil, in, map[string]string{"username": store.ErrorMessage(err)})
	} else if err != nil {
		return err
	}
	_ = u
	return c.Redirect(web.AdminPrefix+"/users?done=created", fiber.StatusSeeOther)
}

// userInScope loads a user the administrator may manage; others answer as
// missing.
func (a *Admin) userInScope(c *fiber.Ctx) (*store.User, error) {
	u, err := a.Store.UserByID(c.UserContext(), c.Params("id"))
	if err != nil {
		return nil, err
	}
	if !contains(a.actor(c).Scope, u.RegionCode) {
		return nil, store.NotFound(store.MsgUserNotFound)
	}
	return u, nil
}

func (a *Admin) userEdit(c *fiber.Ctx) error {
	u, err := a.userInScope(c)
	if err != nil {
		return err
	}
	in := userInput{Username: u.Username, Name: u.Name, Role: u.Role, Region: u.RegionCode, Email: u.Email, Disabled: u.Disabled}
	return a.renderUserForm(c, fiber.StatusOK, u, in, nil)
}

func (a *Admin) userUpdate(c *fiber.Ctx) error {
	u, err := a.userInScope(c)
	if err != nil {
		return err
	}
	in := readUserInput(c)
	in.Username = u.Username
	if errs := a.checkUserInput(c, in, false); len(errs) > 0 {
		return a.renderUserForm(c, fiber.StatusUnprocessableEntity, u, in, errs)
	}
	if u.ID == current(c).User.ID && (in.Disabled || in.Role != u.Role) {
		return a.renderUserForm(c, fiber.StatusUnprocessableEntity, u, in,
			map[string]string{"role": "不能停用自己的账户或更改自己的角色，请由其他管理员操作。"})
	}
	version, err := formVersion(c, store.MsgStaleRecord)
	if err == nil {
		err = a.Cases.UpdateUser(c.UserContext(), a.actor(c), u, caseflow.UserChanges{
			Name: in.Name, Role: in.Role, RegionCode: in.Region, Email: in.Email, Disabled: in.Disabled,
		}, version)
	}
	if store.ErrorCode(err) == store.ECONFLICT {
		return a.renderUserForm(c, fiber.StatusConflict, u, in, map[string]string{"": store.ErrorMessage(err)})
	} else if err != nil {
		return err
	}
	return c.Redirect(web.AdminPrefix+"/users/"+u.ID+"?done=saved", fiber.StatusSeeOther)
}

func (a *Admin) userResetPassword(c *fiber.Ctx) error {
	u, err := a.userInScope(c)
	if err != nil {
		return err
	}
	pw := form(c, "password")
	if problem := casework.CheckNewPassword(pw, u.Username); problem != "" {
		in := userInput{Username: u.Username, Name: u.Name, Role: u.Role, Region: u.RegionCode, Email: u.Email, Disabled: u.Disabled}
		return a.renderUserForm(c, fiber.StatusUnprocessableEntity, u, in, map[string]string{"password": problem})
	}
	if err := a.Cases.ResetPassword(c.UserContext(), a.actor(c), u.ID, pw); err != nil {
		return err
	}
	return c.Redirect(web.AdminPrefix+"/users/"+u.ID+"?done=password", fiber.StatusSeeOther)
}

func (a *Admin) userResetTOTP(c *fiber.Ctx) error {
	u, err := a.userInScope(c)
	if err != nil {
		return err
	}
	if err := a.Cases.ResetTOTP(c.UserContext(), a.actor(c), u.ID); err != nil {
		return err
	}
	return c.Redirect(web.AdminPrefix+"/users/"+u.ID+"?done=totp", fiber.StatusSeeOther)
}
