package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"fundwatch/store"
)

// testSettings is the conformance suite of the settings area (the
// working-day calendar and administrators' settings).
func testSettings(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Calendar", func(t *testing.T) { testCalendar(t, open) })
	t.Run("Settings", func(t *testing.T) { testSettingValues(t, open) })
}

func mustCalendar(t *testing.T, s store.SettingsStore) []store.CalendarEntry {
	t.Helper()
	entries, err := s.CalendarEntries(t.Context())
	if err != nil {
		t.Fatalf("CalendarEntries: %v", err)
	}
	return entries
}

func mustPutYear(t *testing.T, s store.SettingsStore, year int, entries []store.CalendarEntry) {
	t.Helper()
	if err := s.PutCalendarYear(t.Context(), year, entries); err != nil {
		t.Fatalf("PutCalendarYear(%d): %v", year, err)
	}
}

func checkCalendar(t *testing.T, what string, want, got []store.CalendarEntry) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !slices.Equal(want, got) {
		t.Errorf("%s:\n\tgot  %v\n\twant %v", what, got, want)
	}
}

// Parts of the official 2025 and 2026 calendars, given out of date order.
var (
	calendar2025 = []store.CalendarEntry{
		{Date: "2025-10-01", Name: "国庆节、中秋节", OffDay: true},
		{Date: "2025-01-26", Name: "春节调休上班", OffDay: false},
		{Date: "2025-01-28", Name: "春节", OffDay: true},
	}
	calendar2026 = []store.CalendarEntry{
		{Date: "2026-02-16", Name: "春节", OffDay: true},
		{Date: "2026-01-01", Name: "元旦", OffDay: true},
		{Date: "2026-02-14", Name: "春节调休上班", OffDay: false},
		{Date: "2026-12-31", Name: "年末 😀 'quoted' \"name\"", OffDay: true},
	}
)

func sortedEntries(lists ...[]store.CalendarEntry) []store.CalendarEntry {
	all := slices.Concat(lists...)
	slices.SortFunc(all, func(a, b store.CalendarEntry) int {
		switch {
		case a.Date < b.Date:
			return -1
		case a.Date > b.Date:
			return 1
		}
		return 0
	})
	return all
}

func testCalendar(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("a new store has no entries", func(t *testing.T) {
		s := open(t)
		checkCalendar(t, "CalendarEntries", nil, mustCalendar(t, s))
	})

	t.Run("returns every year's entries by date", func(t *testing.T) {
		s := open(t)
		mustPutYear(t, s, 2026, calendar2026)
		mustPutYear(t, s, 2025, calendar2025)
		checkCalendar(t, "CalendarEntries", sortedEntries(calendar2025, calendar2026), mustCalendar(t, s))
	})

	t.Run("replacing a year removes its old entries and leaves other years alone", func(t *testing.T) {
		s := open(t)
		mustPutYear(t, s, 2025, calendar2025)
		mustPutYear(t, s, 2026, calendar2026)
		replacement := []store.CalendarEntry{
			{Date: "2026-02-16", Name: "春节（更正）", OffDay: true},
			{Date: "2026-05-01", Name: "劳动节", OffDay: true},
		}
		mustPutYear(t, s, 2026, replacement)
		checkCalendar(t, "after replacing 2026", sortedEntries(calendar2025, replacement), mustCalendar(t, s))

		mustPutYear(t, s, 2026, nil)
		checkCalendar(t, "after emptying 2026", sortedEntries(calendar2025), mustCalendar(t, s))
	})

	t.Run("entries that do not fit the year are EINVALID and change nothing", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			year  int
			dates []string
		}{
			{"a date of the next year", 2026, []string{"2026-01-01", "2027-01-01"}},
			{"a date of the year before", 2026, []string{"2025-12-31"}},
			{"a day that does not exist", 2026, []string{"2026-02-29"}},
			{"a month that does not exist", 2026, []string{"2026-13-01"}},
			{"no leading zeros", 2026, []string{"2026-2-1"}},
			{"a time of day", 2026, []string{"2026-02-01T00:00:00Z"}},
			{"slashes", 2026, []string{"2026/02/01"}},
			{"an empty date", 2026, []string{""}},
			{"a date given twice", 2026, []string{"2026-02-16", "2026-02-16"}},
			{"year 0", 0, []string{"0000-01-01"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := open(t)
				mustPutYear(t, s, 2026, calendar2026)
				var entries []store.CalendarEntry
				for _, d := range tc.dates {
					entries = append(entries, store.CalendarEntry{Date: d, Name: "坏数据", OffDay: true})
				}
				wantCodeAndMessage(t, "PutCalendarYear", s.PutCalendarYear(t.Context(), tc.year, entries), store.EINVALID, store.MsgCalendarDate)
				checkCalendar(t, "CalendarEntries after the refused year", sortedEntries(calendar2026), mustCalendar(t, s))
			})
		}
	})
}

func mustSetting(t *testing.T, s store.SettingsStore, key string) *store.Setting {
	t.Helper()
	got, err := s.SettingByKey(t.Context(), key)
	if err != nil {
		t.Fatalf("SettingByKey(%q): %v", key, err)
	}
	if got == nil {
		t.Fatalf("SettingByKey(%q) returned nil and no error", key)
	}
	return got
}

func settingDiff(want, got *store.Setting) string {
	var d differ
	d.field("Key", want.Key, got.Key)
	if !bytes.Equal(want.Value, got.Value) || (want.Value == nil) != (got.Value == nil) {
		d.diffs = append(d.diffs, fmt.Sprintf("Value: got %q, want %q", got.Value, want.Value))
	}
	d.field("Version", want.Version, got.Version)
	d.time("UpdatedAt", store.Truncate(want.UpdatedAt), got.UpdatedAt)
	d.field("UpdatedBy", want.UpdatedBy, got.UpdatedBy)
	return d.String()
}

func checkSetting(t *testing.T, what string, want, got *store.Setting) {
	t.Helper()
	if diff := settingDiff(want, got); diff != "" {
		t.Errorf("%s differs:\n\t%s", what, diff)
	}
}

func testSettingValues(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("a setting never saved is not found", func(t *testing.T) {
		s := open(t)
		got, err := s.SettingByKey(t.Context(), "deadlines")
		if got != nil {
			t.Errorf("got %+v, want nil", got)
		}
		wantCodeAndMessage(t, "SettingByKey", err, store.ENOTFOUND, store.MsgNotFound)
	})

	t.Run("saves count versions up and keep the value byte for byte", func(t *testing.T) {
		s := open(t)
		value := []byte(`{"acceptWorkingDays": 5, "note": "受理期限 😀", "nested": {"$gt": ""}}` + "\n")
		first := &store.Setting{Key: "deadlines", Value: value, UpdatedAt: callerTime(0), UpdatedBy: "user-admin"}
		if err := s.PutSetting(t.Context(), first); err != nil {
			t.Fatalf("PutSetting from version 0: %v", err)
		}
		if first.Version != 1 || !first.UpdatedAt.Equal(at(0)) || first.UpdatedAt.Location() != time.UTC {
			t.Errorf("written back Version %d UpdatedAt %s, want 1 and %s UTC", first.Version, first.UpdatedAt, at(0))
		}
		checkSetting(t, "first save", &store.Setting{Key: "deadlines", Value: value, Version: 1, UpdatedAt: at(0), UpdatedBy: "user-admin"},
			mustSetting(t, s, "deadlines"))

		second := &store.Setting{Key: "deadlines", Value: []byte(`{"acceptWorkingDays": 7}`), Version: 1,
			UpdatedAt: callerTime(time.Hour), UpdatedBy: "user-admin-2"}
		if err := s.PutSetting(t.Context(), second); err != nil {
			t.Fatalf("PutSetting from version 1: %v", err)
		}
		if second.Version != 2 {
			t.Errorf("written back Version %d, want 2", second.Version)
		}
		want := &store.Setting{Key: "deadlines", Value: second.Value, Version: 2, UpdatedAt: at(time.Hour), UpdatedBy: "user-admin-2"}
		checkSetting(t, "second save", want, mustSetting(t, s, "deadlines"))

		for _, version := range []int64{0, 1, 3, -1} {
			stale := &store.Setting{Key: "deadlines", Value: []byte(`{"stale": true}`), Version: version,
				UpdatedAt: callerTime(2 * time.Hour), UpdatedBy: "user-late"}
			wantCodeAndMessage(t, fmt.Sprintf("PutSetting from version %d", version), s.PutSetting(t.Context(), stale), store.ECONFLICT, store.MsgStaleRecord)
			if stale.Version != version {
				t.Errorf("a refused save from version %d wrote back Version %d", version, stale.Version)
			}
		}
		checkSetting(t, "after the refused saves", want, mustSetting(t, s, "deadlines"))
	})

	t.Run("a version other than 0 for a setting never saved is stale", func(t *testing.T) {
		s := open(t)
		err := s.PutSetting(t.Context(), &store.Setting{Key: "thresholds", Value: []byte(`{}`), Version: 1, UpdatedAt: at(0)})
		wantCodeAndMessage(t, "PutSetting from version 1", err, store.ECONFLICT, store.MsgStaleRecord)
		_, err = s.SettingByKey(t.Context(), "thresholds")
		wantCodeAndMessage(t, "SettingByKey", err, store.ENOTFOUND, store.MsgNotFound)
	})

	t.Run("keys are separate", func(t *testing.T) {
		s := open(t)
		for _, key := range []string{"deadlines", "thresholds", "设置.键"} {
			if err := s.PutSetting(t.Context(), &store.Setting{Key: key, Value: []byte(`"` + key + `"`), UpdatedAt: at(0)}); err != nil {
				t.Fatalf("PutSetting(%q): %v", key, err)
			}
		}
		for _, key := range []string{"deadlines", "thresholds", "设置.键"} {
			if got := mustSetting(t, s, key); string(got.Value) != `"`+key+`"` || got.Version != 1 {
				t.Errorf("%q: Value %q Version %d, want its own value at version 1", key, got.Value, got.Version)
			}
		}
	})

	t.Run("an empty value comes back nil; an empty key is EINVALID", func(t *testing.T) {
		s := open(t)
		if err := s.PutSetting(t.Context(), &store.Setting{Key: "empty", Value: []byte{}, UpdatedAt: at(0)}); err != nil {
			t.Fatalf("PutSetting: %v", err)
		}
		if got := mustSetting(t, s, "empty"); got.Value != nil {
			t.Errorf("Value %#v, want nil", got.Value)
		}
		wantCode(t, "PutSetting with no key", s.PutSetting(t.Context(), &store.Setting{Value: []byte(`{}`), UpdatedAt: at(0)}), store.EINVALID)
	})

	for _, from := range []int64{0, 1} {
		t.Run(fmt.Sprintf("of concurrent saves from version %d exactly one wins", from), func(t *testing.T) {
			s := open(t)
			if from == 1 {
				if err := s.PutSetting(t.Context(), &store.Setting{Key: "deadlines", Value: []byte(`{}`), UpdatedAt: at(0)}); err != nil {
					t.Fatalf("PutSetting: %v", err)
				}
			}
			const n = 5
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					errs[i] = s.PutSetting(t.Context(), &store.Setting{
						Key: "deadlines", Value: fmt.Appendf(nil, `{"by": %d}`, i), Version: from,
						UpdatedAt: at(time.Hour), UpdatedBy: fmt.Sprintf("admin-%d", i),
					})
				})
			}
			wg.Wait()
			winner := -1
			for i, err := range errs {
				if err == nil {
					if winner >= 0 {
						t.Errorf("saves %d and %d both succeeded", winner, i)
					}
					winner = i
					continue
				}
				wantCodeAndMessage(t, fmt.Sprintf("save %d", i), err, store.ECONFLICT, store.MsgStaleRecord)
			}
			if winner < 0 {
				t.Fatalf("no save succeeded: %v", errs)
			}
			got := mustSetting(t, s, "deadlines")
			if want := fmt.Sprintf(`{"by": %d}`, winner); string(got.Value) != want || got.Version != from+1 ||
				got.UpdatedBy != fmt.Sprintf("admin-%d", winner) {
				t.Errorf("stored Value %q Version %d UpdatedBy %q, want the winner's %q at version %d", got.Value, got.Version, got.UpdatedBy, want, from+1)
			}
		})
	}
}
