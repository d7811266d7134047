package casework

import (
	"testing"
	"time"

	"fundwatch/store"
)

func TestAcceptanceDeadlineIsTheEndOfTheFifthWorkingDayAfter(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name     string
		received time.Time
		lastDay  string // the last day of the period, CST
	}{
		// Saturday: counting starts Sunday, working days Mon 30 … Fri 4.
		{"received on a Saturday", time.Date(2026, 11, 28, 15, 0, 0, 0, store.CST), "2026-12-04"},
		// Wednesday 23:59 CST is still Wednesday: Thu, Fri, Mon, Tue, Wed.
		{"received late on a Wednesday", time.Date(2026, 11, 25, 23, 59, 0, 0, store.CST), "2026-12-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.AcceptanceDeadline(tt.received.UTC())
			wantEnd, _ := time.ParseInLocation("2006-01-02", tt.lastDay, store.CST)
			if want := wantEnd.AddDate(0, 0, 1); !got.Equal(want) {
				t.Errorf("deadline %v, want the end of %s CST (%v)", got.In(store.CST), tt.lastDay, want.In(store.CST))
			}
		})
	}
}
