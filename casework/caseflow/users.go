package caseflow

import (
	"context"

	"fundwatch/casework"
	"fundwatch/store"
)

// NewUser is a user as an administrator (or the command line) creates them.
type NewUser struct {
	Username, Name, Role, RegionCode, Email string
	Password                                string
	// MustChangePassword asks for a new password at first sign-in: true
	// whenever someone other than the user chose the password.
	MustChangePassword bool
	// TOTPSecret, when set, binds a second factor at once (the command
	// line's --totp); otherwise users whose role needs one enrol at first
	// sign-in.
	TOTPSecret string
}

// CreateUser checks and stores a new user, audited. Callers have checked
// the form; the rules are checked again here because the command line
// calls it too.
func (s *Service) CreateUser(ctx context.Context, a Actor, in NewUser) (*store.User, error) {
	if err := s.require(a, casework.PermManageUsers); err != nil {
		return nil, err
	}
	username := casework.NormalizeUsername(in.Username)
	switch {
	case casework.CheckUsername(username) != "":
		return nil, store.Errorf(store.EINVALID, "%s", casework.CheckUsername(username))
	case casework.CheckNewPassword(in.Password, username) != "":
		return nil, store.Errorf(store.EINVALID, "%s", casework.CheckNewPassword(in.Password, username))
	case !casework.ValidRole(in.Role):
		return nil, store.Errorf(store.EINVALID, "角色无效，应为 handler、leader、publisher 或 admin。")
	case !s.Regions.ValidUserRegion(in.RegionCode) || !contains(a.Scope, in.RegionCode):
		return nil, store.Errorf(store.EINVALID, "所属地区无效或不在您的管理范围内。")
	case in.Email != "" && !casework.ValidEmail(in.Email):
		return nil, store.Errorf(store.EINVALID, "电子邮箱格式不正确。")
	case in.Name == "" || !casework.SingleLineText(in.Name) || len([]rune(in.Name)) > 50:
		return nil, store.Errorf(store.EINVALID, "请填写姓名（最多50个字）。")
	}
	hash, err := casework.HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	u := &store.User{
		ID: store.NewID(), Username: username, Name: in.Name, Role: in.Role, RegionCode: in.RegionCode,
		Email: in.Email, PasswordHash: hash, MustChangePassword: in.MustChangePassword,
		CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now,
	}
	if in.TOTPSecret != "" {
		if u.TOTPSealed, err = s.Keyring.SealSecret(casework.TOTPSealPurpose, u.ID, []byte(in.TOTPSecret)); err != nil {
			return nil, err
		}
	}
	defer s.ActiveUsers.forget()
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditUserCreate, "user", u.ID, u.RegionCode,
		"新建用户 "+u.Username+"（"+casework.RoleLabel(u.Role)+"）"); err != nil {
		return nil, err
	}
	return u, nil
}

// UserChanges are what an administrator may change of a user.
type UserChanges struct {
	Name, Role, RegionCode, Email string
	Disabled                      bool
}

// UpdateUser saves an administrator's changes to u, made from the page of
// version; disabling a user ends their sessions.
func (s *Service) UpdateUser(ctx context.Context, a Actor, u *store.User, ch UserChanges, version int64) error {
	if err := s.require(a, casework.PermManageUsers); err != nil {
		return err
	}
	if !contains(a.Scope, u.RegionCode) || !contains(a.Scope, ch.RegionCode) {
		return store.NotFound(store.MsgUserNotFound)
	}
	before := *u
	u.Name, u.Role, u.RegionCode, u.Email, u.Disabled = ch.Name, ch.Role, ch.RegionCode, ch.Email, ch.Disabled
	u.UpdatedAt = s.now()
	if version > 0 {
		u.Version = version
	}
	defer s.ActiveUsers.forget()
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	if u.Disabled && !before.Disabled {
		if _, err := s.Store.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
	}
	action, detail := AuditUserUpdate, "修改用户 "+u.Username
	if u.Role != before.Role || u.RegionCode != before.RegionCode {
		detail += "：" + casework.RoleLabel(before.Role) + "/" + s.Regions.FullName(before.RegionCode) +
			" → " + casework.RoleLabel(u.Role) + "/" + s.Regions.FullName(u.RegionCode)
	}
	switch {
	case u.Disabled && !before.Disabled:
		action, detail = AuditUserDisable, "停用用户 "+u.Username
	case !u.Disabled && before.Disabled:
		action, detail = AuditUserEnable, "启用用户 "+u.Username
	}
	return s.audit(ctx, a, action, "user", u.ID, u.RegionCode, detail)
}

// ResetPassword sets a password an administrator chose; the user must
// change it at the next sign-in, and every session of theirs ends.
func (s *Service) ResetPassword(ctx context.Context, a Actor, userID, password string) error {
	if err := s.require(a, casework.PermManageUsers); err != nil {
		return err
	}
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if !contains(a.Scope, u.RegionCode) {
		return store.NotFound(store.MsgUserNotFound)
	}
	if problem := casework.CheckNewPassword(password, u.Username); problem != "" {
		return store.Errorf(store.EINVALID, "%s", problem)
	}
	hash, err := casework.HashPassword(password)
	if err != nil {
		return err
	}
	now := s.now()
	u.PasswordHash, u.MustChangePassword, u.PasswordChangedAt, u.UpdatedAt = hash, a.UserID != u.ID, now, now
	defer s.ActiveUsers.forget()
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	if _, err := s.Store.DeleteUserSessions(ctx, u.ID); err != nil {
		return err
	}
	return s.audit(ctx, a, AuditUserReset, "user", u.ID, u.RegionCode, "重置用户 "+u.Username+" 的密码")
}

// ResetTOTP removes a user's second factor (a lost phone); they enrol again
// at the next sign-in, and every session of theirs ends.
func (s *Service) ResetTOTP(ctx context.Context, a Actor, userID string) error {
	if err := s.require(a, casework.PermManageUsers); err != nil {
		return err
	}
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if !contains(a.Scope, u.RegionCode) {
		return store.NotFound(store.MsgUserNotFound)
	}
	u.TOTPSealed, u.UpdatedAt = nil, s.now()
	defer s.ActiveUsers.forget()
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	if _, err := s.Store.DeleteUserSessions(ctx, u.ID); err != nil {
		return err
	}
	return s.audit(ctx, a, AuditUserUpdate, "user", u.ID, u.RegionCode, "解除用户 "+u.Username+" 的动态验证码绑定")
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
