package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"fundwatch/store"
)

const userColumns = `id, username, name, role, region_code, email, password_hash, totp_sealed, totp_last_step,
	disabled, must_change_password, created_at, updated_at, password_changed_at, version`

// CreateUser stores u with Version 1, in one write transaction (see
// insertUser).
func (db *DB) CreateUser(ctx context.Context, u *store.User) error {
	switch {
	case u == nil || u.ID == "":
		return store.Incomplete("sqlite", "user ID")
	case u.Username == "":
		return store.Incomplete("sqlite", "username")
	}
	row := storedUser(u)
	row.Version = 1
	if err := db.inWriteTx(ctx, "create user", func(ctx context.Context, tx *sql.Tx) error { return insertUser(ctx, tx, row) }); err != nil {
		return err
	}
	u.Username, u.CreatedAt, u.UpdatedAt, u.PasswordChangedAt = row.Username, row.CreatedAt, row.UpdatedAt, row.PasswordChangedAt
	u.Version = 1
	return nil
}

// storedUser is u in stored form: username in lowercase, times truncated.
func storedUser(u *store.User) *store.User {
	row := *u
	row.Username = store.NormalizeUsername(u.Username)
	row.CreatedAt, row.UpdatedAt = store.Truncate(u.CreatedAt), store.Truncate(u.UpdatedAt)
	row.PasswordChangedAt = store.Truncate(u.PasswordChangedAt)
	return &row
}

// insertUser inserts u, in stored form, as it is, version included. The
// username is checked before the insert, so a taken name is told apart
// from a taken ID without parsing the driver's constraint message; the
// UNIQUE index stays the guard.
func insertUser(ctx context.Context, tx *sql.Tx, u *store.User) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE username = ?`, u.Username).Scan(&one)
	if err == nil {
		return store.Conflict(store.MsgUsernameTaken)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Username, u.Name, u.Role, u.RegionCode, u.Email, u.PasswordHash, blob(u.TOTPSealed),
		u.TOTPLastStep, u.Disabled, u.MustChangePassword, millis(u.CreatedAt), millis(u.UpdatedAt),
		millis(u.PasswordChangedAt), u.Version)
	return conflictAs(err, store.MsgConflict)
}

// UserByID returns the user with the given ID.
func (db *DB) UserByID(ctx context.Context, id string) (*store.User, error) {
	return db.userWhere(ctx, "user by id", "id = ?", id)
}

// UserByUsername returns the user with the given username, in any case.
func (db *DB) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	return db.userWhere(ctx, "user by username", "username = ?", store.NormalizeUsername(username))
}

func (db *DB) userWhere(ctx context.Context, op, where string, arg any) (*store.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.NotFound(store.MsgUserNotFound)
	}
	if err != nil {
		return nil, translate(op, err)
	}
	return u, nil
}

// ListUsers returns the matching users ordered by username.
func (db *DB) ListUsers(ctx context.Context, f store.UserFilter) ([]*store.User, error) {
	var conds []string
	var args []any
	if len(f.RegionCodes) > 0 {
		conds = append(conds, "region_code IN ("+placeholders(len(f.RegionCodes))+")")
		for _, r := range f.RegionCodes {
			args = append(args, r)
		}
	}
	if f.Role != "" {
		conds = append(conds, "role = ?")
		args = append(args, f.Role)
	}
	if !f.IncludeDisabled {
		conds = append(conds, "disabled = 0")
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users`+where+` ORDER BY username`, args...)
	if err != nil {
		return nil, translate("list users", err)
	}
	defer rows.Close()
	users := []*store.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, translate("list users", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, translate("list users", err)
	}
	return users, nil
}

// UpdateUser replaces the mutable fields if the version still matches.
func (db *DB) UpdateUser(ctx context.Context, u *store.User) error {
	if u == nil || u.ID == "" {
		return store.NotFound(store.MsgUserNotFound)
	}
	err := db.inWriteTx(ctx, "update user", func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, role = ?, region_code = ?, email = ?,
				password_hash = ?, totp_sealed = ?, disabled = ?, must_change_password = ?,
				updated_at = ?, password_changed_at = ?, version = version + 1
			WHERE id = ? AND version = ?`,
			u.Name, u.Role, u.RegionCode, u.Email, u.PasswordHash, blob(u.TOTPSealed), u.Disabled,
			u.MustChangePassword, millis(u.UpdatedAt), millis(u.PasswordChangedAt), u.ID, u.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if err := userExists(ctx, tx, u.ID); err != nil {
				return err
			}
			return store.Conflict(store.MsgStaleRecord)
		}
		return nil
	})
	if err != nil {
		return err
	}
	u.Version++
	return nil
}

// UseTOTPStep moves the last accepted step forward in one conditional
// UPDATE, so of two sign-ins with the same code only one changes a row.
func (db *DB) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	return db.inWriteTx(ctx, "use totp step", func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`,
			step, userID, step)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if err := userExists(ctx, tx, userID); err != nil {
				return err
			}
			return store.Conflict(store.MsgCodeUsed)
		}
		return nil
	})
}

// userExists returns ENOTFOUND (MsgUserNotFound) when there is no user
// with this ID.
func userExists(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return store.NotFound(store.MsgUserNotFound)
	}
	return err
}

func scanUser(row interface{ Scan(dest ...any) error }) (*store.User, error) {
	var u store.User
	var created, updated, changed int64
	err := row.Scan(&u.ID, &u.Username, &u.Name, &u.Role, &u.RegionCode, &u.Email, &u.PasswordHash,
		&u.TOTPSealed, &u.TOTPLastStep, &u.Disabled, &u.MustChangePassword, &created, &updated, &changed, &u.Version)
	if err != nil {
		return nil, err
	}
	if len(u.TOTPSealed) == 0 {
		u.TOTPSealed = nil
	}
	u.CreatedAt, u.UpdatedAt, u.PasswordChangedAt = fromMillis(created), fromMillis(updated), fromMillis(changed)
	return &u, nil
}

// RecordLoginFailure counts one failure in a single upsert, so concurrent
// failures each add one.
func (db *DB) RecordLoginFailure(ctx context.Context, key string, at time.Time) (store.LoginThrottle, error) {
	if key == "" {
		return store.LoginThrottle{}, store.Incomplete("sqlite", "throttle key")
	}
	lt := store.LoginThrottle{Key: key}
	var last int64
	err := db.inWriteTx(ctx, "record login failure", func(ctx context.Context, tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO login_throttle (key, failures, last_failure) VALUES (?, 1, ?)
			ON CONFLICT (key) DO UPDATE SET failures = failures + 1,
				last_failure = MAX(last_failure, excluded.last_failure)
			RETURNING failures, last_failure`, key, millis(store.Truncate(at))).Scan(&lt.Failures, &last)
	})
	if err != nil {
		return store.LoginThrottle{}, err
	}
	lt.LastFailure = fromMillis(last)
	return lt, nil
}

// LoginFailures returns the counts of key, zero for a key never seen.
func (db *DB) LoginFailures(ctx context.Context, key string) (store.LoginThrottle, error) {
	lt := store.LoginThrottle{Key: key}
	var last int64
	err := db.read.QueryRowContext(ctx, `SELECT failures, last_failure FROM login_throttle WHERE key = ?`, key).
		Scan(&lt.Failures, &last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return lt, nil
	case err != nil:
		return store.LoginThrottle{}, translate("login failures", err)
	}
	lt.LastFailure = fromMillis(last)
	return lt, nil
}

// ClearLoginFailures forgets key's failures.
func (db *DB) ClearLoginFailures(ctx context.Context, key string) error {
	return db.inWriteTx(ctx, "clear login failures", func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = ?`, key)
		return err
	})
}

// CreateSession stores s.
func (db *DB) CreateSession(ctx context.Context, s *store.Session) error {
	switch {
	case s == nil || s.ID == "":
		return store.Incomplete("sqlite", "session ID")
	case s.UserID == "":
		return store.Incomplete("sqlite", "session user ID")
	}
	created, seen, expires := store.Truncate(s.CreatedAt), store.Truncate(s.LastSeenAt), store.Truncate(s.ExpiresAt)
	err := db.inWriteTx(ctx, "create session", func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, pending)
			VALUES (?, ?, ?, ?, ?, ?)`, s.ID, s.UserID, millis(created), millis(seen), millis(expires), s.Pending)
		return conflictAs(err, store.MsgConflict)
	})
	if err != nil {
		return err
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = created, seen, expires
	return nil
}

// SessionByID returns the session without judging its expiry.
func (db *DB) SessionByID(ctx context.Context, id string) (*store.Session, error) {
	var s store.Session
	var created, seen, expires int64
	err := db.read.QueryRowContext(ctx, `SELECT id, user_id, created_at, last_seen_at, expires_at, pending
		FROM sessions WHERE id = ?`, id).Scan(&s.ID, &s.UserID, &created, &seen, &expires, &s.Pending)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, store.NotFound(store.MsgSessionNotFound)
	case err != nil:
		return nil, translate("session by id", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMillis(created), fromMillis(seen), fromMillis(expires)
	return &s, nil
}

// TouchSession sets LastSeenAt.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	return db.inWriteTx(ctx, "touch session", func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, millis(store.Truncate(at)), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.NotFound(store.MsgSessionNotFound)
		}
		return nil
	})
}

// DeleteSession removes a session if it exists.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	_, err := db.deleteSessions(ctx, "delete session", `DELETE FROM sessions WHERE id = ?`, id)
	return err
}

// DeleteUserSessions removes every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	return db.deleteSessions(ctx, "delete user sessions", `DELETE FROM sessions WHERE user_id = ?`, userID)
}

// DeleteExpiredSessions removes sessions past either timeout.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int, error) {
	if idle <= 0 {
		return db.deleteSessions(ctx, "delete expired sessions",
			`DELETE FROM sessions WHERE expires_at < ?`, millis(now))
	}
	return db.deleteSessions(ctx, "delete expired sessions",
		`DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?`, millis(now), millis(now.Add(-idle)))
}

func (db *DB) deleteSessions(ctx context.Context, op, query string, args ...any) (int, error) {
	var n int64
	err := db.inWriteTx(ctx, op, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// conflictAs gives a unique violation the sentence msg (translate's generic
// one does not say what was taken); other errors pass unchanged.
func conflictAs(err error, msg string) error {
	if err == nil {
		return nil
	}
	if code, _ := classify(err); code == store.ECONFLICT {
		return store.Wrap(store.ECONFLICT, err, msg)
	}
	return err
}
