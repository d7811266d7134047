-- Case handling: who works a case, the deadline running now, the 要情 class,
-- how it was investigated and what was found; the action and visibility of
-- timeline events; and the indexes of the admin inbox.
--
-- Existing rows get the values of a case nobody has handled yet: no
-- assignee, no deadline (due_at NULL), class 'none'. Existing events were
-- all status changes shown to the reporter.

ALTER TABLE cases ADD COLUMN assignee_id TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN due_at INTEGER; -- unix millis; NULL when no deadline runs
ALTER TABLE cases ADD COLUMN important_class TEXT NOT NULL DEFAULT 'none' CHECK (important_class <> '');
ALTER TABLE cases ADD COLUMN national INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN serious_impact INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN discovered_on TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN investigation_mode TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN extension_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN conclusion_amount_involved_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN conclusion_amount_recovered_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN conclusion_measures TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN conclusion_rectify_by TEXT NOT NULL DEFAULT '';

ALTER TABLE case_events ADD COLUMN action TEXT NOT NULL DEFAULT 'status' CHECK (action <> '');
ALTER TABLE case_events ADD COLUMN internal INTEGER NOT NULL DEFAULT 0;

-- The insurance types of a case, one row each, so that "cases of this type"
-- is an index search rather than a scan of every case's JSON array
-- (cases.insurance_types stays the source for reading, in order). Each row
-- also carries copies of the case columns that the inbox scopes, filters
-- and sorts by, so that the commonest use, one insurance type within a
-- region scope (by status, by deadline), is answered from this table's
-- index alone instead of looking up every matching case. Triggers keep the
-- rows equal to the case's, in the same statement as the write to cases,
-- whatever code does the writing.
CREATE TABLE case_insurance_types (
	case_id     TEXT    NOT NULL REFERENCES cases (id),
	type        TEXT    NOT NULL,
	region_code TEXT    NOT NULL,
	status      TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	seq         INTEGER NOT NULL,
	due_at      INTEGER,
	PRIMARY KEY (case_id, type)
) STRICT, WITHOUT ROWID;

CREATE INDEX case_insurance_types_inbox ON case_insurance_types (type, region_code, status, created_at, seq, due_at);

CREATE TRIGGER case_insurance_types_insert AFTER INSERT ON cases
BEGIN
	INSERT OR IGNORE INTO case_insurance_types (case_id, type, region_code, status, created_at, seq, due_at)
		SELECT NEW.id, types.value, NEW.region_code, NEW.status, NEW.created_at, NEW.seq, NEW.due_at
		FROM json_each(NEW.insurance_types) AS types;
END;

CREATE TRIGGER case_insurance_types_update
AFTER UPDATE OF region_code, status, created_at, seq, due_at ON cases
BEGIN
	UPDATE case_insurance_types
		SET region_code = NEW.region_code, status = NEW.status, created_at = NEW.created_at, seq = NEW.seq,
			due_at = NEW.due_at
		WHERE case_id = NEW.id;
END;

INSERT OR IGNORE INTO case_insurance_types (case_id, type, region_code, status, created_at, seq, due_at)
	SELECT cases.id, types.value, cases.region_code, cases.status, cases.created_at, cases.seq, cases.due_at
	FROM cases, json_each(cases.insurance_types) AS types;

-- The admin inbox always filters by region scope (region_code IN the codes
-- of the user's regions), usually by one more field, and sorts newest
-- first, oldest first or by deadline; the status tabs count by status.
-- Each filter gets an index that leads with the filter's column and goes on
-- with region_code, status and the sort keys, so that
--   - the filter and the scope are both index constraints (one seek per
--     region code),
--   - counting, and the counts by status, never read a table row, and
--   - finding one page reads only index entries; only the page's own rows
--     are read from the table.
-- due_at closes every index so that the deadline order, too, is sorted
-- from index entries alone.
DROP INDEX cases_status;
CREATE INDEX cases_region_status ON cases (region_code, status, created_at, seq, due_at);
CREATE INDEX cases_status_region ON cases (status, region_code, created_at, seq, due_at);
CREATE INDEX cases_kind ON cases (kind, region_code, status, created_at, seq, due_at);
CREATE INDEX cases_category ON cases (category, region_code, status, created_at, seq, due_at);
CREATE INDEX cases_channel ON cases (channel, region_code, status, created_at, seq, due_at);
CREATE INDEX cases_important_class ON cases (important_class, region_code, status, created_at, seq, due_at);
CREATE INDEX cases_assignee ON cases (assignee_id, region_code, status, created_at, seq, due_at);
CREATE INDEX cases_demo ON cases (demo, region_code, status, created_at, seq, due_at);
-- Ranges: the scope first, then the range, so both constrain the search.
CREATE INDEX cases_region_due ON cases (region_code, due_at, status, created_at, seq);
CREATE INDEX cases_region_discovered ON cases (region_code, discovered_on, status, created_at, seq, due_at);
-- Unscoped internal callers (a reminder job looking for deadlines) range
-- over all regions.
CREATE INDEX cases_due ON cases (due_at, status);
