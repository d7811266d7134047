-- Staff users, their sessions, the sign-in throttle, and the audit log.
--
-- The audit table is here rather than in 0004_audit_settings_outbox.sql on
-- purpose: the audit log is written by the same area (every sign-in appends
-- an entry) and was built with it, while settings and the outbox are built
-- by another developer in 0004. Keeping the audit table in this file lets
-- both files be written at once without the two areas editing one file.
-- Times are INTEGER unix milliseconds UTC; booleans are 0/1.

-- username is stored in lowercase (store.NormalizeUsername); the CHECK is a
-- safety net for the ASCII letters SQLite's lower() knows.
CREATE TABLE users (
	id                   TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
	username             TEXT    NOT NULL UNIQUE CHECK (username <> '' AND username = lower(username)),
	name                 TEXT    NOT NULL,
	role                 TEXT    NOT NULL,
	region_code          TEXT    NOT NULL,
	email                TEXT    NOT NULL,
	password_hash        TEXT    NOT NULL,
	totp_sealed          BLOB,
	totp_last_step       INTEGER NOT NULL,
	disabled             INTEGER NOT NULL,
	must_change_password INTEGER NOT NULL,
	created_at           INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL,
	password_changed_at  INTEGER NOT NULL,
	version              INTEGER NOT NULL
) STRICT;

-- ListUsers: by region scope or by role, ordered by username.
CREATE INDEX users_region_username ON users (region_code, username);
CREATE INDEX users_role_username ON users (role, username);

-- id is a hash of the cookie's token. No foreign key to users: users are
-- never deleted (they are disabled), and MongoDB could not enforce one, so
-- both backends accept the same calls.
CREATE TABLE sessions (
	id           TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
	user_id      TEXT    NOT NULL CHECK (user_id <> ''),
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	pending      INTEGER NOT NULL
) STRICT;

-- DeleteUserSessions, and DeleteExpiredSessions by either timeout.
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- key is a keyed hash of the username typed.
CREATE TABLE login_throttle (
	key          TEXT    NOT NULL PRIMARY KEY CHECK (key <> ''),
	failures     INTEGER NOT NULL,
	last_failure INTEGER NOT NULL
) STRICT;

-- The hash-chained audit log (store.AuditHash). seq is the primary key, so
-- two appends can never both take the same place in the chain.
CREATE TABLE audit (
	seq         INTEGER NOT NULL PRIMARY KEY CHECK (seq > 0),
	at          INTEGER NOT NULL,
	actor_id    TEXT    NOT NULL,
	actor_name  TEXT    NOT NULL,
	action      TEXT    NOT NULL,
	target_type TEXT    NOT NULL,
	target_id   TEXT    NOT NULL,
	region_code TEXT    NOT NULL,
	detail      TEXT    NOT NULL,
	ip          TEXT    NOT NULL,
	request_id  TEXT    NOT NULL,
	prev_hash   TEXT    NOT NULL,
	hash        TEXT    NOT NULL
) STRICT;

-- ListAudit: newest first (seq DESC) within a region scope, for an actor, an
-- action prefix or a target, or over a time range.
CREATE INDEX audit_region ON audit (region_code, seq);
CREATE INDEX audit_actor ON audit (actor_id, seq);
CREATE INDEX audit_action ON audit (action, seq);
CREATE INDEX audit_target ON audit (target_id, seq);
CREATE INDEX audit_at ON audit (at);
