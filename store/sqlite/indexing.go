package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"fundwatch/store"
)

// pendingWhere is the condition of a pending record, word for word the
// WHERE of the partial indexes of migration 0009: SQLite uses a partial
// index only for a query that states its condition.
const pendingWhere = "version > indexed_version"

// indexTable is the table of an index area.
func indexTable(area string) (string, error) {
	switch area {
	case store.IndexCases:
		return "cases", nil
	case store.IndexPublications:
		return "publications", nil
	}
	return "", incomplete(fmt.Sprintf("index area %q", area))
}

// pendingQuery reads the pending records of table from its partial index
// alone, in the index's order.
func pendingQuery(table string) string {
	return `SELECT id, version FROM ` + table + ` WHERE ` + pendingWhere + ` ORDER BY updated_at, id LIMIT ?`
}

// stateQueries count the pending records of table (from the partial index)
// and those indexed at least once (from the index on indexed_version).
func stateQueries(table string) (pending, indexed string) {
	return `SELECT COUNT(*) FROM ` + table + ` WHERE ` + pendingWhere,
		`SELECT COUNT(*) FROM ` + table + ` WHERE indexed_version > 0`
}

// PendingIndex returns up to limit pending records of area, the least
// recently updated first.
func (db *DB) PendingIndex(ctx context.Context, area string, limit int) ([]store.IndexMark, error) {
	table, err := indexTable(area)
	if err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, pendingQuery(table), limit)
	if err != nil {
		return nil, translate("pending index", err)
	}
	defer rows.Close()
	var out []store.IndexMark
	for rows.Next() {
		var m store.IndexMark
		if err := rows.Scan(&m.ID, &m.Version); err != nil {
			return nil, translate("pending index", err)
		}
		out = append(out, m)
	}
	return out, translate("pending index", rows.Err())
}

// MarkIndexed raises the IndexedVersion of each named record of area to
// its mark, within the record's Version, in one write transaction.
func (db *DB) MarkIndexed(ctx context.Context, area string, marks []store.IndexMark) error {
	table, err := indexTable(area)
	if err != nil {
		return err
	}
	if len(marks) == 0 {
		return nil
	}
	return db.inWriteTx(ctx, "mark indexed", func(ctx context.Context, tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE `+table+` SET indexed_version = ?
			WHERE id = ? AND indexed_version < ? AND version >= ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, m := range marks {
			if m.ID == "" || m.Version < 1 {
				continue
			}
			if _, err := stmt.ExecContext(ctx, m.Version, m.ID, m.Version, m.Version); err != nil {
				return err
			}
		}
		return nil
	})
}

// IndexState counts the pending records of area and those indexed at
// least once, from one snapshot.
func (db *DB) IndexState(ctx context.Context, area string) (pending, indexed int64, err error) {
	table, err := indexTable(area)
	if err != nil {
		return 0, 0, err
	}
	pendingSQL, indexedSQL := stateQueries(table)
	err = db.inReadTx(ctx, "index state", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, pendingSQL).Scan(&pending); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, indexedSQL).Scan(&indexed)
	})
	if err != nil {
		return 0, 0, err
	}
	return pending, indexed, nil
}

// ResetIndexed makes every record of area pending, in one statement.
func (db *DB) ResetIndexed(ctx context.Context, area string) error {
	table, err := indexTable(area)
	if err != nil {
		return err
	}
	_, err = db.exec(ctx, `UPDATE `+table+` SET indexed_version = 0 WHERE indexed_version > 0`)
	return translate("reset indexed", err)
}
