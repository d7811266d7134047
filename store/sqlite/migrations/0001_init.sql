-- Cases, their status timeline, their messages and the per-year counters that
-- number them. Times are INTEGER unix milliseconds UTC; booleans are 0/1;
-- insurance_types is a JSON array of codes.

CREATE TABLE cases (
	id                  TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
	number              TEXT    NOT NULL UNIQUE,
	year                INTEGER NOT NULL,
	seq                 INTEGER NOT NULL,
	kind                TEXT    NOT NULL,
	reporter_type       TEXT    NOT NULL,
	anonymous           INTEGER NOT NULL,
	category            TEXT    NOT NULL,
	insurance_types     TEXT    NOT NULL DEFAULT '[]',
	region_code         TEXT    NOT NULL,
	subject_name        TEXT    NOT NULL,
	subject_credit_code TEXT    NOT NULL,
	subject_id_number   TEXT    NOT NULL,
	subject_address     TEXT    NOT NULL,
	amount_fen          INTEGER NOT NULL,
	amount_given        INTEGER NOT NULL,
	occurred_on         TEXT    NOT NULL,
	description         TEXT    NOT NULL,
	channel             TEXT    NOT NULL,
	status              TEXT    NOT NULL,
	result              TEXT    NOT NULL,
	reporter_sealed     BLOB,
	access_code_hash    BLOB,
	idempotency_key     TEXT    NOT NULL UNIQUE CHECK (idempotency_key <> ''),
	submission_hash     TEXT    NOT NULL,
	demo                INTEGER NOT NULL,
	created_at          INTEGER NOT NULL,
	updated_at          INTEGER NOT NULL,
	version             INTEGER NOT NULL,
	indexed_version     INTEGER NOT NULL,
	UNIQUE (year, seq)
) STRICT;

-- ListCases: newest first, within a region scope or across all regions.
CREATE INDEX cases_created ON cases (created_at DESC, seq DESC);
CREATE INDEX cases_region_created ON cases (region_code, created_at DESC, seq DESC);
CREATE INDEX cases_status ON cases (status, created_at DESC);

-- pos keeps insertion order for events and messages that share an instant.
CREATE TABLE case_events (
	pos         INTEGER PRIMARY KEY,
	id          TEXT    NOT NULL UNIQUE CHECK (id <> ''),
	case_id     TEXT    NOT NULL REFERENCES cases (id),
	at          INTEGER NOT NULL,
	from_status TEXT    NOT NULL,
	to_status   TEXT    NOT NULL,
	result      TEXT    NOT NULL,
	note        TEXT    NOT NULL,
	actor       TEXT    NOT NULL
) STRICT;

CREATE INDEX case_events_case ON case_events (case_id, at, pos);

CREATE TABLE case_messages (
	pos     INTEGER PRIMARY KEY,
	id      TEXT    NOT NULL UNIQUE CHECK (id <> ''),
	case_id TEXT    NOT NULL REFERENCES cases (id),
	at      INTEGER NOT NULL,
	author  TEXT    NOT NULL,
	body    TEXT    NOT NULL,
	actor   TEXT    NOT NULL
) STRICT;

CREATE INDEX case_messages_case ON case_messages (case_id, at, pos);

-- The last sequence handed out per year (China Standard Time) of CreatedAt.
CREATE TABLE case_counters (
	year     INTEGER NOT NULL PRIMARY KEY,
	last_seq INTEGER NOT NULL
) STRICT;
