package store

import (
	"context"
	"time"
)

// CalendarEntry is one day of the working-day calendar that administrators
// maintain: a public holiday (OffDay) or an adjusted working weekend day.
type CalendarEntry struct {
	Date   string // YYYY-MM-DD
	Name   string
	OffDay bool
}

// Setting is one administrator setting: a JSON document under a key (e.g.
// "deadlines"), versioned so two administrators cannot overwrite each other.
type Setting struct {
	Key       string
	Value     []byte
	Version   int64
	UpdatedAt time.Time
	UpdatedBy string // the user id of who saved it (or the system actor's name)
}

// SettingsStore keeps the calendar years administrators add and the
// settings they change. What is not stored falls back to the defaults
// embedded in the binary.
type SettingsStore interface {
	// CalendarEntries returns the stored entries of every year, by date.
	CalendarEntries(ctx context.Context) ([]CalendarEntry, error)
	// PutCalendarYear replaces all stored entries of year with entries
	// (whose dates must all lie in that year, else EINVALID), atomically.
	// No entries removes the year from the store, so the embedded default
	// of that year, if any, applies again: a year is "stored" exactly when
	// CalendarEntries returns at least one entry of it.
	PutCalendarYear(ctx context.Context, year int, entries []CalendarEntry) error
	// SettingByKey returns a setting, or ENOTFOUND when never saved.
	SettingByKey(ctx context.Context, key string) (*Setting, error)
	// PutSetting saves s if the stored version is still s.Version (0 for a
	// setting never saved), then sets s.Version to the new version; a stale
	// version is ECONFLICT (MsgStaleRecord).
	PutSetting(ctx context.Context, s *Setting) error
}
