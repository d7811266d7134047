-- Publications (disclosures and articles) and their revisions. Times are
-- INTEGER unix milliseconds UTC, NULL where the store's time is zero (not
-- scheduled, never published, not withdrawn, a workflow step not reached);
-- insurance_types and fund_rows are JSON arrays. A revision's fund rows are
-- written and read whole with it, never queried, so they are one JSON
-- column rather than a child table (as they are one embedded array in
-- MongoDB).

CREATE TABLE publications (
	id                 TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
	kind               TEXT    NOT NULL CHECK (kind <> ''),
	region_code        TEXT    NOT NULL CHECK (region_code <> ''),
	year               INTEGER NOT NULL,
	source_id          TEXT    NOT NULL, -- '' when not imported
	from_case_id       TEXT    NOT NULL,
	title              TEXT    NOT NULL,
	live_revision      INTEGER NOT NULL CHECK (live_revision >= 0),
	pending_revision   INTEGER NOT NULL CHECK (pending_revision >= 0),
	pending_status     TEXT    NOT NULL CHECK (pending_status IN ('', 'draft', 'submitted', 'approved')),
	scheduled_at       INTEGER,
	first_published_at INTEGER,
	last_published_at  INTEGER,
	withdrawn_at       INTEGER,
	withdrawn_by       TEXT    NOT NULL,
	withdrawn_reason   TEXT    NOT NULL,
	created_by         TEXT    NOT NULL,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	version            INTEGER NOT NULL CHECK (version >= 1)
) STRICT;

-- An imported article is found again by its id on the old site, and is
-- there once.
CREATE UNIQUE INDEX publications_source_unique ON publications (source_id) WHERE source_id <> '';

-- One fund report and one account note per region and year that is not
-- withdrawn: withdrawing one frees its place for a new one. The store checks
-- first to say which rule a refused publication broke; the index is what
-- keeps the rule.
CREATE UNIQUE INDEX publications_slot_unique ON publications (kind, region_code, year)
	WHERE kind IN ('fund_report', 'account_note') AND withdrawn_at IS NULL;

-- ListPublications: the most recently updated first, within a scope.
CREATE INDEX publications_updated ON publications (updated_at DESC, id);
CREATE INDEX publications_region_updated ON publications (region_code, updated_at DESC, id);
-- ListPublished: the most recently first published first.
CREATE INDEX publications_published ON publications (first_published_at DESC, id) WHERE live_revision > 0;
-- DuePublications: approved ones by schedule.
CREATE INDEX publications_due ON publications (pending_status, scheduled_at, id);

CREATE TABLE publication_revisions (
	publication_id    TEXT    NOT NULL REFERENCES publications (id),
	number            INTEGER NOT NULL CHECK (number >= 1),
	status            TEXT    NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'published', 'superseded')),
	title             TEXT    NOT NULL,
	summary           TEXT    NOT NULL,
	body              TEXT    NOT NULL,
	event_date        TEXT    NOT NULL,
	amount_fen        INTEGER NOT NULL,
	insurance_types   TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(insurance_types)),
	handling_result   TEXT    NOT NULL,
	fund_rows         TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(fund_rows)),
	rate_basis_points INTEGER NOT NULL,
	fund_size_fen     INTEGER NOT NULL,
	returns_fen       INTEGER NOT NULL,
	correction_note   TEXT    NOT NULL,
	scheduled_at      INTEGER,
	return_note       TEXT    NOT NULL,
	created_by        TEXT    NOT NULL,
	created_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL,
	submitted_by      TEXT    NOT NULL,
	submitted_at      INTEGER,
	approved_by       TEXT    NOT NULL,
	approved_at       INTEGER,
	published_by      TEXT    NOT NULL,
	published_at      INTEGER,
	PRIMARY KEY (publication_id, number)
) STRICT;
