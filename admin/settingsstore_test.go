package admin

import (
	"bytes"
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"fundwatch/store"
)

// withSettingsStore returns st, or st with its SettingsStore area kept in
// memory while that area of the backend is still this branch's placeholder
// (it answers every call with "settings not implemented"; another branch
// implements it). Once it is implemented the admin tests run on it as they
// are, and this overlay can go.
func withSettingsStore(t *testing.T, st store.Store) store.Store {
	t.Helper()
	_, err := st.CalendarEntries(context.Background())
	if err == nil || !strings.Contains(err.Error(), "settings not implemented") {
		return st
	}
	t.Log("the store's SettingsStore is a placeholder: calendar and settings are kept in memory for this test")
	return &fakeSettings{Store: st, entries: map[string]store.CalendarEntry{}, settings: map[string]store.Setting{}}
}

// fakeSettings keeps the SettingsStore area in memory, by the contract of
// store/settings.go, over a real store for everything else.
type fakeSettings struct {
	store.Store

	mu       sync.Mutex
	entries  map[string]store.CalendarEntry // by date
	settings map[string]store.Setting
}

func (f *fakeSettings) CalendarEntries(ctx context.Context) ([]store.CalendarEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]store.CalendarEntry, 0, len(f.entries))
	for _, e := range f.entries {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out, nil
}

func (f *fakeSettings) PutCalendarYear(ctx context.Context, year int, entries []store.CalendarEntry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	prefix := strconv.Itoa(year) + "-"
	for _, e := range entries {
		if !strings.HasPrefix(e.Date, prefix) {
			return store.Errorf(store.EINVALID, "日期 %s 不在 %d 年内。", e.Date, year)
		}
	}
	for d := range f.entries {
		if strings.HasPrefix(d, prefix) {
			delete(f.entries, d)
		}
	}
	for _, e := range entries {
		f.entries[e.Date] = e
	}
	return nil
}

func (f *fakeSettings) SettingByKey(ctx context.Context, key string) (*store.Setting, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.settings[key]
	if !ok {
		return nil, store.NotFound(store.MsgNotFound)
	}
	s.Value = bytes.Clone(s.Value)
	return &s, nil
}

func (f *fakeSettings) PutSetting(ctx context.Context, s *store.Setting) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.settings[s.Key].Version != s.Version {
		return store.Conflict(store.MsgStaleRecord)
	}
	s.Version++
	c := *s
	c.Value = bytes.Clone(s.Value)
	f.settings[s.Key] = c
	return nil
}
