package store

import (
	"context"
	"errors"
	"fmt"
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
	// PutCalendarYear replaces all stored entries of year with entries,
	// atomically: afterwards the year holds exactly entries and other years
	// are untouched. No entries removes the year from the store, so the
	// embedded default of that year, if any, applies again: a year is
	// "stored" exactly when CalendarEntries returns at least one entry of
	// it. Entries that CheckCalendarYear refuses are EINVALID
	// (MsgCalendarDate) and change nothing.
	//
	// An entry holds nothing the store assigns, so PutCalendarYear with the
	// entries of one year as CalendarEntries of another store returns them
	// copies that year exactly: fundwatch migrate-data uses it for that
	// (only for a year the destination does not hold, since it replaces),
	// and there is no separate import method.
	PutCalendarYear(ctx context.Context, year int, entries []CalendarEntry) error
	// SettingByKey returns a setting, or ENOTFOUND (MsgNotFound) when never
	// saved. An empty Value comes back nil.
	SettingByKey(ctx context.Context, key string) (*Setting, error)
	// PutSetting saves s if the stored version is still s.Version (0 for a
	// setting never saved), then sets s.Version to the new version (one
	// more) and s.UpdatedAt to the stored form; a stale version is ECONFLICT
	// (MsgStaleRecord) and changes nothing. Of two saves from the same
	// version exactly one wins. An empty Key is EINVALID.
	PutSetting(ctx context.Context, s *Setting) error
	// ListSettings returns every saved setting, by key (byte-wise); none
	// is an empty list. Empty Values come back nil.
	ListSettings(ctx context.Context) ([]*Setting, error)
	// ImportSetting stores s exactly as another store holds it, for copying
	// an installation between backends (fundwatch migrate-data): Value,
	// Version, UpdatedBy and UpdatedAt (in stored form) as given, where
	// PutSetting would number the version itself. It writes nothing back
	// into s. An empty Key or a Version below 1 is EINVALID (MsgIncomplete);
	// a key saved already is ECONFLICT (MsgConflict) and changes nothing.
	ImportSetting(ctx context.Context, s *Setting) error
}

// CheckCalendarYear is the check every backend applies in PutCalendarYear:
// year lies in 1–9999, every date is a real day written YYYY-MM-DD within
// year, and no date appears twice. The error is EINVALID with
// MsgCalendarDate; which entry failed is kept for the log.
func CheckCalendarYear(year int, entries []CalendarEntry) error {
	invalid := func(format string, args ...any) error {
		return &Error{Code: EINVALID, Message: MsgCalendarDate, Err: fmt.Errorf(format, args...)}
	}
	if year < 1 || year > 9999 {
		return invalid("calendar year %d out of range", year)
	}
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		d, err := time.Parse(time.DateOnly, e.Date)
		switch {
		case err != nil || d.Format(time.DateOnly) != e.Date:
			return invalid("calendar date %q: %w", e.Date, errors.Join(err, errors.New("not YYYY-MM-DD")))
		case d.Year() != year:
			return invalid("calendar date %q is not in %d", e.Date, year)
		case seen[e.Date]:
			return invalid("calendar date %q given twice", e.Date)
		}
		seen[e.Date] = true
	}
	return nil
}
