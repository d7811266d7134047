-- Administrators' settings, the working-day calendar they maintain and the
-- outbox of e-mail waiting to be sent. The audit log, though named in this
-- file's name, is created in 0003. Times are INTEGER unix milliseconds UTC,
-- NULL where the store's time is zero (no lease, not sent); booleans are 0/1.

-- value is the setting's JSON document, kept byte for byte.
CREATE TABLE settings (
	key        TEXT    NOT NULL PRIMARY KEY CHECK (key <> ''),
	value      BLOB,
	version    INTEGER NOT NULL CHECK (version > 0),
	updated_at INTEGER NOT NULL,
	updated_by TEXT    NOT NULL
) STRICT;

-- One row per day an administrator entered. A year is replaced by deleting
-- its date range and inserting the new days in one transaction.
CREATE TABLE calendar_entries (
	date    TEXT    NOT NULL PRIMARY KEY
	                CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	name    TEXT    NOT NULL,
	off_day INTEGER NOT NULL CHECK (off_day IN (0, 1))
) STRICT;

-- A mail has exactly one recipient: a staff address or the named reporter
-- of reporter_case_id, whose address is never stored here.
CREATE TABLE outbox (
	id               TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
	to_address       TEXT    NOT NULL,
	reporter_case_id TEXT    NOT NULL,
	subject          TEXT    NOT NULL,
	body             TEXT    NOT NULL,
	kind             TEXT    NOT NULL,
	case_id          TEXT    NOT NULL,
	region_code      TEXT    NOT NULL,
	status           TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
	attempts         INTEGER NOT NULL,
	next_attempt_at  INTEGER NOT NULL,
	lease_until      INTEGER,
	last_error       TEXT    NOT NULL,
	created_at       INTEGER NOT NULL,
	sent_at          INTEGER,
	CHECK ((to_address = '') <> (reporter_case_id = ''))
) STRICT;

-- ClaimMail: pending mails whose attempt is due, oldest first.
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
-- ListMail: newest first, across all regions or within a scope.
CREATE INDEX outbox_created ON outbox (created_at DESC, id DESC);
CREATE INDEX outbox_region_created ON outbox (region_code, created_at DESC, id DESC);
