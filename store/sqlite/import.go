package sqlite

import (
	"context"
	"database/sql"

	"fundwatch/store"
)

// ImportCase stores a complete case as another store holds it — number,
// version, timeline and messages unchanged — for copying an installation
// between backends. The year's counter is raised to at least the case's Seq so
// new cases continue after it. IndexedVersion starts at 0: the new store's
// search index has not seen the case. An existing ID, number or idempotency
// key is ECONFLICT and nothing is written.
func (db *DB) ImportCase(ctx context.Context, c *store.Case, events []store.Event, messages []store.Message) error {
	switch {
	case c == nil || c.ID == "":
		return incomplete("case ID")
	case c.IdempotencyKey == "":
		return incomplete("idempotency key")
	case c.Number == "" || c.Year == 0 || c.Seq == 0:
		return incomplete("case number")
	}
	row := *c
	row.IndexedVersion = 0
	return db.inWriteTx(ctx, "import case", func(tx *sql.Tx) error {
		if err := insertCase(ctx, tx, &row); err != nil {
			return err
		}
		for _, e := range events {
			if e.ID == "" {
				return incomplete("event ID")
			}
			e.CaseID = c.ID
			if err := insertEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		for _, m := range messages {
			if m.ID == "" {
				return incomplete("message ID")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_messages (id, case_id, at, author, body, actor)
				VALUES (?, ?, ?, ?, ?, ?)`, m.ID, c.ID, millis(m.At), m.Author, m.Body, m.Actor); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO case_counters (year, last_seq) VALUES (?, ?)
			ON CONFLICT (year) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)`, c.Year, c.Seq)
		return err
	})
}
