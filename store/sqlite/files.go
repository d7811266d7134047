package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"fundwatch/store"
)

const fileColumns = `id, case_id, message_id, name, type, size, sha256, sealed_key, author, actor,
	hidden_from_reporter, at, purged_at`

// insertFileSQL adds one file of a case or message (prepared on open).
const insertFileSQL = `INSERT INTO case_files (` + fileColumns + `, pos)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertFiles writes the records of files that come with a case or a
// message, in the transaction that writes it; pos keeps their order.
func (db *DB) insertFiles(ctx context.Context, tx *sql.Tx, caseID, messageID string, files []store.Attachment) error {
	for i, f := range files {
		// A purged file (an import) has no key left; any other needs one.
		if f.ID == "" || (len(f.SealedKey) == 0 && f.PurgedAt.IsZero()) {
			return incomplete("file ID or key")
		}
		_, err := db.hot.exec(ctx, tx, insertFileSQL,
			f.ID, caseID, messageID, f.Name, f.Type, f.Size, blob(f.SHA256), blob(f.SealedKey), f.Author, f.Actor,
			f.HiddenFromReporter, millis(f.At), purgedMillis(f.PurgedAt), i)
		if err != nil {
			return err
		}
	}
	return nil
}

// purgedMillis is purged_at of a file: 0 while it is kept.
func purgedMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return millis(t)
}

func scanFile(rows interface{ Scan(...any) error }) (store.Attachment, error) {
	var f store.Attachment
	var at, purged int64
	err := rows.Scan(&f.ID, &f.CaseID, &f.MessageID, &f.Name, &f.Type, &f.Size, &f.SHA256, &f.SealedKey,
		&f.Author, &f.Actor, &f.HiddenFromReporter, &at, &purged)
	f.At = fromMillis(at)
	if purged != 0 {
		f.PurgedAt = fromMillis(purged)
	}
	return f, err
}

// caseFilesSQL reads a case's files, prepared on open (readStatements).
const caseFilesSQL = `SELECT ` + fileColumns + ` FROM case_files WHERE case_id = ? ORDER BY at, pos`

// CaseFiles returns the files of a case, oldest first.
func (db *DB) CaseFiles(ctx context.Context, caseID string) ([]store.Attachment, error) {
	var files []store.Attachment
	err := db.inReadTx(ctx, "case files", func(tx *sql.Tx) error {
		if err := caseExists(ctx, tx, db.reads, caseID); err != nil {
			return err
		}
		rows, err := db.reads.query(ctx, tx, caseFilesSQL, caseID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			f, err := scanFile(rows)
			if err != nil {
				return err
			}
			files = append(files, f)
		}
		return rows.Err()
	})
	return files, err
}

// CaseFile returns one file of a case.
func (db *DB) CaseFile(ctx context.Context, caseID, fileID string) (*store.Attachment, error) {
	var f store.Attachment
	err := db.inReadTx(ctx, "case file", func(tx *sql.Tx) error {
		var err error
		f, err = scanFile(tx.QueryRowContext(ctx, `SELECT `+fileColumns+` FROM case_files
			WHERE id = ? AND case_id = ?`, fileID, caseID))
		if errors.Is(err, sql.ErrNoRows) {
			return store.NotFound(store.MsgFileNotFound)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// SetFileHidden sets whether the reporter sees a file.
func (db *DB) SetFileHidden(ctx context.Context, caseID, fileID string, hidden bool, at time.Time) error {
	return db.inWriteTx(ctx, "set file hidden", func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE case_files SET hidden_from_reporter = ? WHERE id = ? AND case_id = ?`,
			hidden, fileID, caseID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.NotFound(store.MsgFileNotFound)
		}
		_, err = tx.ExecContext(ctx, `UPDATE cases SET version = version + 1, updated_at = ? WHERE id = ?`,
			millis(at), caseID)
		return err
	})
}

// FilesKnown tells which of ids have a file record.
func (db *DB) FilesKnown(ctx context.Context, ids []string) (map[string]bool, error) {
	known := make(map[string]bool, len(ids))
	ids = store.DistinctIDs(ids)
	err := db.inReadTx(ctx, "files known", func(tx *sql.Tx) error {
		for len(ids) > 0 {
			batch := ids[:min(len(ids), 500)]
			ids = ids[len(batch):]
			args := make([]any, len(batch))
			for i, id := range batch {
				args[i] = id
			}
			rows, err := tx.QueryContext(ctx, `SELECT id FROM case_files WHERE id IN (?`+
				strings.Repeat(", ?", len(batch)-1)+`)`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				known[id] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return known, err
}

// PurgeCaseIdentity removes a case's sealed identity and its files' keys.
// With secure_delete on (writeParams) SQLite overwrites the freed content.
func (db *DB) PurgeCaseIdentity(ctx context.Context, caseID string, at time.Time) ([]string, error) {
	var purged []string
	err := db.inWriteTx(ctx, "purge case identity", func(ctx context.Context, tx *sql.Tx) error {
		if err := caseExists(ctx, tx, nil, caseID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `UPDATE case_files SET sealed_key = NULL, purged_at = ?
			WHERE case_id = ? AND purged_at = 0 RETURNING id`, millis(at), caseID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			purged = append(purged, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE cases SET reporter_sealed = NULL WHERE id = ? AND reporter_sealed IS NOT NULL`, caseID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n > 0 || len(purged) > 0 {
			_, err = tx.ExecContext(ctx, `UPDATE cases SET version = version + 1, updated_at = ? WHERE id = ?`, millis(at), caseID)
		}
		return err
	})
	return purged, err
}
