package sqlite

import (
	"context"
	"fmt"
	"strings"
)

// IntegrityCheck runs SQLite's PRAGMA integrity_check over the whole file
// and returns nil when it answers "ok", else an error with what it found:
// for the tests that kill the server or take its disk away, to show that
// the database came through whole, and for tools an operator runs.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	rows, err := db.read.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return translate("integrity check", err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return translate("integrity check", err)
		}
		found = append(found, line)
	}
	if err := rows.Err(); err != nil {
		return translate("integrity check", err)
	}
	if len(found) == 1 && found[0] == "ok" {
		return nil
	}
	return fmt.Errorf("sqlite: integrity check: %s", strings.Join(found, "; "))
}
