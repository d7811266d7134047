-- The reporter's satisfaction rating (满意度评价) of a case, given after
-- the investigation is concluded. Existing cases are not rated: '' and
-- NULL. The index serves the statistics, which count the rated cases of a
-- region scope per rating.

ALTER TABLE cases ADD COLUMN satisfaction TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN satisfaction_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN satisfaction_at INTEGER; -- unix millis; NULL when not rated

CREATE INDEX cases_by_satisfaction ON cases (satisfaction, region_code);
