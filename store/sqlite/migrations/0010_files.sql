-- Evidence files (store.FileStore): one row per file, written in the same
-- transaction as the case or message it comes with. The bytes are a blob of
-- the BlobStore under the same id, encrypted under the key sealed here;
-- purging a file clears sealed_key (with secure_delete on, its old content
-- is overwritten) and sets purged_at, and the blob is deleted.
CREATE TABLE case_files (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id),
	message_id TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL,
	type TEXT NOT NULL,
	size INTEGER NOT NULL,
	sha256 BLOB,
	sealed_key BLOB,
	author TEXT NOT NULL,
	actor TEXT NOT NULL DEFAULT '',
	hidden_from_reporter INTEGER NOT NULL DEFAULT 0,
	at INTEGER NOT NULL,
	purged_at INTEGER NOT NULL DEFAULT 0,
	pos INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX case_files_case ON case_files (case_id, at, pos);
