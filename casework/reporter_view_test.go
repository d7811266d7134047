package casework

import (
	"testing"

	"fundwatch/store"
)

func TestReporterStepsMarksTheStageReached(t *testing.T) {
	tests := []struct {
		status      string
		wantLen     int
		wantCurrent string
		wantDone    int
	}{
		{store.StatusReceived, 5, "已收到", 0},
		{store.StatusAccepted, 5, "已受理", 1},
		{store.StatusTransferred, 5, "已转办", 1},
		{store.StatusRejected, 2, "不予受理", 1},
		{store.StatusInvestigating, 5, "调查中", 2},
		{store.StatusConcluded, 5, "已办结", 3},
		{store.StatusClosed, 5, "已结案", 4},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			steps := ReporterSteps(tt.status)
			if len(steps) != tt.wantLen {
				t.Fatalf("len = %d, want %d", len(steps), tt.wantLen)
			}
			done, current := 0, ""
			for _, s := range steps {
				if s.Done {
					done++
				}
				if s.Current {
					current = s.Label
				}
			}
			if done != tt.wantDone || current != tt.wantCurrent {
				t.Errorf("done=%d current=%q, want %d %q", done, current, tt.wantDone, tt.wantCurrent)
			}
		})
	}
}

func TestReporterMayAddMessageUntilClosedOrRejected(t *testing.T) {
	for status, want := range map[string]bool{
		store.StatusReceived: true, store.StatusAccepted: true, store.StatusInvestigating: true,
		store.StatusConcluded: true, store.StatusTransferred: true,
		store.StatusClosed: false, store.StatusRejected: false,
	} {
		if got := ReporterMayAddMessage(status); got != want {
			t.Errorf("%s: got %v, want %v", status, got, want)
		}
	}
}
