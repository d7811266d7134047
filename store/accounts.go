package store

import (
	"context"
	"strings"
	"time"
)

// Roles of staff users. Each user has one role and one region scope.
const (
	RoleHandler   = "handler"   // 承办人: works the cases of their region
	RoleLeader    = "leader"    // 负责人: approves, signs 要情 reports, extends deadlines
	RolePublisher = "publisher" // 信息公开: prepares disclosures
	RoleAdmin     = "admin"     // 系统管理员: users, calendar, settings, audit log
)

// User is a member of staff who signs in to the admin pages.
type User struct {
	ID string // app-generated
	// Username is what the user types to sign in, stored in lowercase;
	// unique among all users.
	Username   string
	Name       string // 姓名, shown in timelines and on signed reports
	Role       string
	RegionCode string // the region whose cases the user sees, with all below it
	Email      string // for notifications; "" for none

	// PasswordHash is an argon2id hash in PHC string form.
	PasswordHash string
	// TOTPSealed is the sealed TOTP secret (casework.Keyring), nil when the
	// user has no second factor.
	TOTPSealed []byte
	// TOTPLastStep is the last 30-second step whose code was accepted, so no
	// code is accepted twice. Only UseTOTPStep moves it.
	TOTPLastStep int64

	Disabled bool
	// MustChangePassword asks the user to choose a new password at the next
	// sign-in (set when an administrator sets a password for them).
	MustChangePassword bool

	CreatedAt         time.Time
	UpdatedAt         time.Time
	PasswordChangedAt time.Time
	// Version increases with every UpdateUser; UpdateUser refuses a stale one.
	Version int64
}

// NormalizeUsername is the stored form of a username: in lowercase, so a
// name is found however its user types it. Backends apply it on every write
// and lookup; the admin pages may show it back.
func NormalizeUsername(username string) string { return strings.ToLower(username) }

// UserFilter narrows ListUsers. Empty fields do not filter; the zero
// filter leaves disabled users out, so UserFilter{IncludeDisabled: true} is
// the one that lists every user.
type UserFilter struct {
	RegionCodes     []string
	Role            string
	IncludeDisabled bool
}

// Session is a signed-in user's session. ID is a hash of the token in the
// session cookie, never the token itself, so a copy of the store does not
// let anyone sign in.
type Session struct {
	ID         string
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time // for the idle timeout
	ExpiresAt  time.Time // the absolute timeout
	// Pending is true between a correct password and a correct second
	// factor: such a session opens nothing but the second-factor page.
	Pending bool
}

// LoginThrottle counts the failed sign-ins of one key (a keyed hash of the
// username typed, so unknown names are throttled exactly like real ones).
type LoginThrottle struct {
	Key         string
	Failures    int
	LastFailure time.Time
}

// AccountStore keeps staff users, their sessions and the sign-in throttle.
type AccountStore interface {
	// CreateUser stores a new user with Version 1 and writes back into u
	// what it stored: Username in lowercase (NormalizeUsername), the times in
	// stored form (Truncate), Version 1. An empty ID or Username is EINVALID
	// (MsgIncomplete). A username in use, in whatever case, is ECONFLICT
	// with MsgUsernameTaken; an ID in use (with a free username) is
	// ECONFLICT with MsgConflict. Empty TOTPSealed reads back as nil.
	CreateUser(ctx context.Context, u *User) error
	// UserByID returns the user, or ENOTFOUND (MsgUserNotFound).
	UserByID(ctx context.Context, id string) (*User, error)
	// UserByUsername finds a user by username (compared in lowercase), or
	// is ENOTFOUND (MsgUserNotFound).
	UserByUsername(ctx context.Context, username string) (*User, error)
	// ListUsers returns matching users ordered by username (byte-wise).
	// RegionCodes and Role match exactly; disabled users are left out
	// unless IncludeDisabled. No match is an empty list, not an error.
	ListUsers(ctx context.Context, f UserFilter) ([]*User, error)
	// UpdateUser replaces the user's mutable fields (everything but ID,
	// Username, CreatedAt and TOTPLastStep) if the stored Version is still
	// u.Version, then sets u.Version to the new version. A stale version is
	// ECONFLICT (MsgStaleRecord), a missing user ENOTFOUND (MsgUserNotFound).
	UpdateUser(ctx context.Context, u *User) error
	// UseTOTPStep records step as the user's last accepted TOTP step if it
	// is later than the one recorded; otherwise it is ECONFLICT (MsgCodeUsed)
	// and changes nothing. Two sign-ins racing with one code: one wins. A
	// missing user is ENOTFOUND (MsgUserNotFound). It leaves Version alone,
	// so signing in never makes an administrator's open edit form stale.
	UseTOTPStep(ctx context.Context, userID string, step int64) error
	// ImportUser stores u exactly as another store holds it, for copying an
	// installation between backends (fundwatch migrate-data): every field
	// as given, Version and TOTPLastStep included (so a TOTP code used
	// before the copy stays used), Username in lowercase and the times in
	// stored form. It writes nothing back into u. An empty ID or Username,
	// or a Version below 1, is EINVALID (MsgIncomplete). A username in use,
	// in whatever case, is ECONFLICT with MsgUsernameTaken; an ID in use
	// (with a free username) is ECONFLICT with MsgConflict; either way
	// nothing is written. Sessions and login-throttle counts have no import:
	// they are not copied, and people sign in again on the new store.
	ImportUser(ctx context.Context, u *User) error

	// RecordLoginFailure adds one failure to key at the given time and
	// returns the counts after it, atomically (two failures at once count
	// two). LastFailure becomes the latest of the times recorded (so racing
	// calls leave the same result in any order). An empty key is EINVALID.
	RecordLoginFailure(ctx context.Context, key string, at time.Time) (LoginThrottle, error)
	// LoginFailures returns the counts of key; a key never seen (or
	// cleared) has zero Failures, a zero LastFailure and no error.
	LoginFailures(ctx context.Context, key string) (LoginThrottle, error)
	// ClearLoginFailures forgets key's failures (after a sign-in succeeds).
	ClearLoginFailures(ctx context.Context, key string) error

	// CreateSession stores a new session (times in stored form, written
	// back into s); an empty ID or UserID is EINVALID, an ID in use is
	// ECONFLICT (MsgConflict). It does not check that the user exists: the
	// caller has just read the user to sign them in.
	CreateSession(ctx context.Context, s *Session) error
	// SessionByID returns the session, or ENOTFOUND (MsgSessionNotFound).
	// It does not check expiry: the caller decides with its clock.
	SessionByID(ctx context.Context, id string) (*Session, error)
	// TouchSession sets LastSeenAt; a missing session is ENOTFOUND
	// (MsgSessionNotFound).
	TouchSession(ctx context.Context, id string, at time.Time) error
	// DeleteSession removes a session; a missing one is not an error.
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions removes every session of a user (password change,
	// disabling), returning how many went.
	DeleteUserSessions(ctx context.Context, userID string) (int, error)
	// DeleteExpiredSessions removes sessions whose ExpiresAt or whose
	// LastSeenAt+idle is before now (strictly: a session at the very limit
	// stays), returning how many went. idle ≤ 0 means no idle timeout.
	DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int, error)
}
