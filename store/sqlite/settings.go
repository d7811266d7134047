package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fundwatch/store"
)

// CalendarEntries returns every stored calendar day, by date.
func (db *DB) CalendarEntries(ctx context.Context) ([]store.CalendarEntry, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT date, name, off_day FROM calendar_entries ORDER BY date`)
	if err != nil {
		return nil, translate("calendar entries", err)
	}
	defer rows.Close()
	entries := []store.CalendarEntry{}
	for rows.Next() {
		var e store.CalendarEntry
		if err := rows.Scan(&e.Date, &e.Name, &e.OffDay); err != nil {
			return nil, translate("calendar entries", err)
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, translate("calendar entries", err)
	}
	return entries, nil
}

// PutCalendarYear replaces a year's days in one transaction: the year's
// date range is emptied, then the new days are inserted.
func (db *DB) PutCalendarYear(ctx context.Context, year int, entries []store.CalendarEntry) error {
	if err := store.CheckCalendarYear(year, entries); err != nil {
		return err
	}
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b store.CalendarEntry) int { return strings.Compare(a.Date, b.Date) })
	return db.inWriteTx(ctx, "put calendar year", func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM calendar_entries WHERE date BETWEEN ? AND ?`,
			fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year))
		if err != nil {
			return err
		}
		for _, e := range sorted {
			if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_entries (date, name, off_day) VALUES (?, ?, ?)`,
				e.Date, e.Name, e.OffDay); err != nil {
				return err
			}
		}
		return nil
	})
}

const settingColumns = `key, value, version, updated_at, updated_by`

// SettingByKey returns the setting saved under key.
func (db *DB) SettingByKey(ctx context.Context, key string) (*store.Setting, error) {
	s, err := scanSetting(db.read.QueryRowContext(ctx, `SELECT `+settingColumns+` FROM settings WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.NotFound(store.MsgNotFound)
	}
	if err != nil {
		return nil, translate("setting by key", err)
	}
	return s, nil
}

// ListSettings returns every saved setting, by key. The key column is
// compared with SQLite's default BINARY collation, byte-wise.
func (db *DB) ListSettings(ctx context.Context) ([]*store.Setting, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+settingColumns+` FROM settings ORDER BY key`)
	if err != nil {
		return nil, translate("list settings", err)
	}
	defer rows.Close()
	out := []*store.Setting{}
	for rows.Next() {
		s, err := scanSetting(rows)
		if err != nil {
			return nil, translate("list settings", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, translate("list settings", err)
	}
	return out, nil
}

func scanSetting(row interface{ Scan(dest ...any) error }) (*store.Setting, error) {
	var s store.Setting
	var updated int64
	if err := row.Scan(&s.Key, &s.Value, &s.Version, &updated, &s.UpdatedBy); err != nil {
		return nil, err
	}
	if len(s.Value) == 0 {
		s.Value = nil
	}
	s.UpdatedAt = fromMillis(updated)
	return &s, nil
}

// PutSetting saves s if the stored version is still s.Version: version 0 is
// an INSERT, which the primary key refuses once the setting exists; any
// other version is an UPDATE conditional on it.
func (db *DB) PutSetting(ctx context.Context, s *store.Setting) error {
	if s == nil || s.Key == "" {
		return store.Incomplete("sqlite", "setting key")
	}
	var (
		res sql.Result
		err error
	)
	if s.Version == 0 {
		res, err = db.exec(ctx, `INSERT INTO settings (key, value, version, updated_at, updated_by)
			VALUES (?, ?, 1, ?, ?) ON CONFLICT (key) DO NOTHING`,
			s.Key, blob(s.Value), millis(s.UpdatedAt), s.UpdatedBy)
	} else {
		res, err = db.exec(ctx, `UPDATE settings
			SET value = ?, version = version + 1, updated_at = ?, updated_by = ?
			WHERE key = ? AND version = ?`,
			blob(s.Value), millis(s.UpdatedAt), s.UpdatedBy, s.Key, s.Version)
	}
	if err != nil {
		return translate("put setting", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return translate("put setting", err)
	} else if n == 0 {
		return store.Conflict(store.MsgStaleRecord)
	}
	s.Version++
	s.UpdatedAt = store.Truncate(s.UpdatedAt)
	return nil
}
