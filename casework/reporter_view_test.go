package casework

import (
	"strings"
	"testing"
	"time"

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
		{store.StatusConcluded, 5, "调查完毕", 3},
		{store.StatusClosed, 5, "已结案归档", 4},
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

func TestReporterStageGuideExplainsEveryStatus(t *testing.T) {
	for _, o := range Statuses() {
		g := ReporterStageGuide(&store.Case{Status: o.Code, Number: "2026-000007"})
		if g.Now == "" || g.YouCan == "" {
			t.Errorf("%s: no explanation: %+v", o.Code, g)
		}
	}
	closed := ReporterStageGuide(&store.Case{Status: store.StatusClosed, Number: "2026-000007"})
	if !strings.Contains(closed.YouCan, "重新提交") || !strings.Contains(closed.YouCan, "2026-000007") {
		t.Errorf("a closed case must say how to report new facts, with its number: %q", closed.YouCan)
	}
	rejected := ReporterStageGuide(&store.Case{Status: store.StatusRejected})
	if !strings.Contains(rejected.YouCan, "仲裁") {
		t.Errorf("a rejected case should name the other legal routes: %q", rejected.YouCan)
	}
}

func TestReporterDeadlineCountsDaysInCST(t *testing.T) {
	// A deadline ending at 24:00 CST on Friday 2026-03-20.
	due := time.Date(2026, 3, 21, 0, 0, 0, 0, store.CST)
	tests := []struct {
		name     string
		status   string
		now      time.Time
		ok       bool
		label    string
		daysLeft int
	}{
		{"received, three days before", store.StatusReceived, time.Date(2026, 3, 17, 9, 0, 0, 0, store.CST), true, "受理审查期限", 3},
		{"late evening UTC is the next day in CST", store.StatusReceived, time.Date(2026, 3, 19, 16, 30, 0, 0, time.UTC), true, "受理审查期限", 0},
		{"on the last day", store.StatusTransferred, time.Date(2026, 3, 20, 23, 59, 0, 0, store.CST), true, "受理审查期限", 0},
		{"two days past", store.StatusInvestigating, time.Date(2026, 3, 22, 8, 0, 0, 0, store.CST), true, "调查期限", -2},
		{"accepted has no deadline shown", store.StatusAccepted, time.Date(2026, 3, 17, 9, 0, 0, 0, store.CST), false, "", 0},
		{"concluded has none", store.StatusConcluded, time.Date(2026, 3, 17, 9, 0, 0, 0, store.CST), false, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &store.Case{Status: tt.status, DueAt: due.UTC(), ExtensionDays: 30}
			d, ok := ReporterDeadline(c, tt.now)
			if ok != tt.ok || d.Label != tt.label || d.DaysLeft != tt.daysLeft {
				t.Fatalf("ReporterDeadline = %+v, %v; want %q, %d days left", d, ok, tt.label, tt.daysLeft)
			}
			if ok && d.LastDay.Format("2006-01-02") != "2026-03-20" {
				t.Errorf("last day %s, want 2026-03-20", d.LastDay.Format("2006-01-02"))
			}
			if ok && d.Overdue() != (tt.daysLeft < 0) {
				t.Errorf("Overdue() = %v with %d days left", d.Overdue(), d.DaysLeft)
			}
		})
	}
	if _, ok := ReporterDeadline(&store.Case{Status: store.StatusReceived}, time.Now()); ok {
		t.Error("a case without DueAt has no deadline")
	}
}

func TestReporterMayRateAfterConclusion(t *testing.T) {
	rated := store.Satisfaction{Rating: store.SatisfactionSatisfied}
	tests := []struct {
		status string
		rating store.Satisfaction
		may    bool
	}{
		{store.StatusInvestigating, store.Satisfaction{}, false},
		{store.StatusRejected, store.Satisfaction{}, false},
		{store.StatusConcluded, store.Satisfaction{}, true},
		{store.StatusConcluded, rated, true},
		{store.StatusClosed, store.Satisfaction{}, true},
		{store.StatusClosed, rated, false},
	}
	for _, tt := range tests {
		c := &store.Case{Status: tt.status, Satisfaction: tt.rating}
		if got := ReporterMayRate(c); got != tt.may {
			t.Errorf("ReporterMayRate(%s, rated %v) = %v, want %v", tt.status, tt.rating.Rating != "", got, tt.may)
		}
	}
}
