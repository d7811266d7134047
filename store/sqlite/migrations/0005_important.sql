-- 要情 reports and the cities' quarterly 要情 statistics. Times are INTEGER
-- unix milliseconds UTC, NULL where the store's time is zero (not signed,
-- not submitted); booleans are 0/1; insurance_types and recipients are JSON
-- arrays of strings.
--
-- case_id does not reference cases: MongoDB cannot enforce it without
-- transactions, and both backends must accept and refuse the same calls.

CREATE TABLE important_reports (
	id              TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
	case_id         TEXT    NOT NULL CHECK (case_id <> ''),
	case_number     TEXT    NOT NULL,
	region_code     TEXT    NOT NULL CHECK (region_code <> ''),
	revision        INTEGER NOT NULL CHECK (revision >= 1),
	supersedes      TEXT    NOT NULL,
	change_note     TEXT    NOT NULL,
	class           TEXT    NOT NULL,
	national        INTEGER NOT NULL CHECK (national IN (0, 1)),
	discovered_on   TEXT    NOT NULL,
	due_at          INTEGER NOT NULL,
	amount_fen      INTEGER NOT NULL,
	category        TEXT    NOT NULL,
	insurance_types TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(insurance_types)),
	title           TEXT    NOT NULL,
	body            TEXT    NOT NULL,
	recipients      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(recipients)),
	status          TEXT    NOT NULL CHECK (status IN ('draft', 'signed', 'submitted')),
	drafted_by      TEXT    NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	signed_by       TEXT    NOT NULL,
	signed_by_name  TEXT    NOT NULL,
	signed_at       INTEGER,
	signed_hash     TEXT    NOT NULL,
	submitted_by    TEXT    NOT NULL,
	submitted_at    INTEGER,
	version         INTEGER NOT NULL CHECK (version >= 1),
	-- One report per revision of a case: two corrections of the same
	-- report drafted at once cannot both be stored.
	UNIQUE (case_id, revision)
) STRICT;

-- ListImportantReports: due soonest first, within a scope or a status.
CREATE INDEX important_reports_region_due ON important_reports (region_code, due_at);
CREATE INDEX important_reports_status_due ON important_reports (status, due_at);
CREATE INDEX important_reports_due ON important_reports (due_at, created_at DESC);

-- A submitted quarterly report is written once and read whole, never
-- queried by its rows, so the rows are one JSON array (as they are one
-- embedded array in MongoDB) rather than a child table: one INSERT stores
-- the report, and the province's totals are summed in Go on both backends.
CREATE TABLE quarterly_reports (
	id                TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
	city_code         TEXT    NOT NULL CHECK (city_code <> ''),
	year              INTEGER NOT NULL,
	quarter           INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
	rows_json         TEXT    NOT NULL CHECK (json_valid(rows_json)),
	due_at            INTEGER NOT NULL,
	submitted_by      TEXT    NOT NULL,
	submitted_by_name TEXT    NOT NULL,
	submitted_at      INTEGER NOT NULL,
	UNIQUE (year, quarter, city_code)
) STRICT;
