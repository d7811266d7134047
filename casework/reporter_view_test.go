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

func TestReporterViewsLeaveOutInternalEntries(t *testing.T) {
	events := []store.Event{
		{ID: "e1", ToStatus: store.StatusReceived, Actor: ""},
		{ID: "e2", Action: store.ActionStatus, ToStatus: store.StatusAccepted, Actor: "u1", Note: "已受理"},
		{ID: "e3", Action: store.ActionAssign, ToStatus: store.StatusAccepted, Actor: "u1", Note: "分配给 王五", Internal: true},
		{ID: "e4", Action: store.ActionClassify, ToStatus: store.StatusAccepted, Actor: "u2"},
		{ID: "e5", Action: store.ActionStatus, ToStatus: store.StatusInvestigating, Actor: "u1", Internal: true},
	}
	got := ReporterEvents(events)
	if len(got) != 2 || got[0].ID != "e1" || got[1].ID != "e2" {
		t.Fatalf("ReporterEvents = %+v, want e1 and e2 only", got)
	}
	if got[1].Actor != "" {
		t.Errorf("ReporterEvents kept the actor %q", got[1].Actor)
	}
	msgs := []store.Message{
		{ID: "m1", Author: store.AuthorReporter, Body: "补充"},
		{ID: "m2", Author: store.AuthorNote, Body: "内部备注：举报人可能是该公司前员工", Actor: "u1"},
		{ID: "m3", Author: store.AuthorHandler, Body: "已受理", Actor: "u1"},
		{ID: "m4", Author: "", Body: "unknown author"},
	}
	gotM := ReporterMessages(msgs)
	if len(gotM) != 2 || gotM[0].ID != "m1" || gotM[1].ID != "m3" || gotM[1].Actor != "" {
		t.Fatalf("ReporterMessages = %+v, want m1 and m3 without actors", gotM)
	}
}
