-- The search sync loop's bookkeeping (store.IndexStore). Cases have carried
-- version and indexed_version since 0001; publications gain indexed_version,
-- 0 for the existing ones, so every publication is pending once.
--
-- PendingIndex reads the pending records, the least recently updated first:
-- the partial indexes hold only those rows, so the read costs what is
-- pending, not the size of the table, and they carry every column the read
-- and its WHERE use, so it never touches the table. SQLite uses a partial
-- index only for a query whose WHERE contains the index's WHERE term
-- itself: the store's queries say "version > indexed_version" exactly so
-- (store/sqlite/indexing.go, TestIndexQueryPlans).
--
-- IndexState counts the records indexed at least once through the plain
-- indexes on indexed_version, and ResetIndexed finds them with it.

ALTER TABLE publications ADD COLUMN indexed_version INTEGER NOT NULL DEFAULT 0;

CREATE INDEX cases_index_pending ON cases (updated_at, id, version, indexed_version)
	WHERE version > indexed_version;
CREATE INDEX cases_indexed_version ON cases (indexed_version);

CREATE INDEX publications_index_pending ON publications (updated_at, id, version, indexed_version)
	WHERE version > indexed_version;
CREATE INDEX publications_indexed_version ON publications (indexed_version);
