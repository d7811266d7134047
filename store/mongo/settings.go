package mongo

import (
	"context"
	"errors"
	"time"

	"fundwatch/store"
)

// Placeholders until this area is implemented; they keep the package
// compiling while the area is built. Nothing calls them yet.

var _ = time.Time{}

func todoSettings() error {
	return store.Wrap(store.EINTERNAL, errors.New("mongo: settings not implemented"), store.MsgInternal)
}

func (db *DB) CalendarEntries(ctx context.Context) ([]store.CalendarEntry, error) {
	return nil, todoSettings()
}

func (db *DB) PutCalendarYear(ctx context.Context, year int, entries []store.CalendarEntry) error {
	return todoSettings()
}

func (db *DB) SettingByKey(ctx context.Context, key string) (*store.Setting, error) {
	return nil, todoSettings()
}

func (db *DB) PutSetting(ctx context.Context, s *store.Setting) error { return todoSettings() }
