package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
	"fundwatch/store/sqlite"
)

// unreadableSettings is a store whose calendar cannot be read.
type unreadableSettings struct{ store.Store }

func (unreadableSettings) CalendarEntries(context.Context) ([]store.CalendarEntry, error) {
	return nil, store.Wrap(store.EUNAVAILABLE, errors.New("disk on fire"), store.MsgUnavailable)
}

func TestServeStopsWhenTheRulesCannotBeRead(t *testing.T) {
	dir := t.TempDir()
	cfg, err := parseConfig("serve", []string{"--data", dir, "--addr", "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(filepath.Join(dir, "fundwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = serve(t.Context(), cfg, unreadableSettings{db}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "cannot read the working-day calendar") || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("serve = %v, want a start-up error naming the calendar and the cause", err)
	}
}

func TestCalendarGapNamesTheMissingYear(t *testing.T) {
	cal := casework.DefaultCalendar() // 2024–2026
	tests := []struct {
		name string
		now  time.Time
		want string // "" for no warning
	}{
		{"mid 2025: 2025 and 2026 are there", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), ""},
		{"late 2026: 2027 is missing", time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), "2027"},
		{"New Year's Eve 2026 16:30 UTC is 2027 in CST: 2027 is missing", time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC), "2027"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := calendarGap(cal, tt.now)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("calendarGap = %q, want one naming %q", got, tt.want)
			}
		})
	}
}
