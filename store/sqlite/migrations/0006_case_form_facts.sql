-- What the report form asks since issue 7: the reported employer's legal
-- representative, the end of the period of the violation (occurred_on
-- keeps its start, store.Case.OccurredFrom), what only a complaint carries
-- (the complainant's request and employment), and the version of the
-- 《举报须知》 the reporter acknowledged. Cases filed before read as "".

ALTER TABLE cases ADD COLUMN subject_legal_rep  TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN occurred_to        TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN complaint_request  TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN complaint_hired_on TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN complaint_position TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN complaint_contract TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN notice_version     TEXT NOT NULL DEFAULT '';
