package casework

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fundwatch/store"
)

func TestCanTransition(t *testing.T) {
	allowed := map[[2]string]bool{
		{store.StatusReceived, store.StatusAccepted}:         true,
		{store.StatusReceived, store.StatusRejected}:         true,
		{store.StatusReceived, store.StatusTransferred}:      true,
		{store.StatusAccepted, store.StatusInvestigating}:    true,
		{store.StatusAccepted, store.StatusTransferred}:      true,
		{store.StatusTransferred, store.StatusAccepted}:      true,
		{store.StatusTransferred, store.StatusRejected}:      true,
		{store.StatusTransferred, store.StatusInvestigating}: true,
		{store.StatusInvestigating, store.StatusConcluded}:   true,
		{store.StatusConcluded, store.StatusClosed}:          true,
	}
	statuses := []string{"", "bogus"}
	for _, o := range Statuses() {
		statuses = append(statuses, o.Code)
	}
	// Every pair, so a transition added by mistake fails here too.
	for _, from := range statuses {
		for _, to := range statuses {
			want := allowed[[2]string{from, to}]
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%q, %q) = %v, want %v", from, to, got, want)
			}
		}
	}
}

func TestNextStatuses(t *testing.T) {
	if got, want := NextStatuses(store.StatusReceived), []string{store.StatusAccepted, store.StatusRejected, store.StatusTransferred}; !slices.Equal(got, want) {
		t.Errorf("NextStatuses(received) = %v, want %v", got, want)
	}
	for _, final := range []string{store.StatusRejected, store.StatusClosed, "bogus"} {
		if got := NextStatuses(final); got != nil {
			t.Errorf("NextStatuses(%q) = %v, want nil", final, got)
		}
	}
	got := NextStatuses(store.StatusReceived)
	got[0] = "changed"
	if NextStatuses(store.StatusReceived)[0] != store.StatusAccepted {
		t.Error("changing the result of NextStatuses changed the rules")
	}
}

func TestPlanTransition(t *testing.T) {
	at := time.Date(2026, 11, 27, 2, 3, 4, 567891234, time.FixedZone("X", 3600))
	caseIn := func(status string) *store.Case { return &store.Case{ID: "c1", Status: status} }
	tests := []struct {
		name    string
		c       *store.Case
		to      string
		result  string
		note    string
		wantErr string // "" means success
	}{
		{"accepts a received case", caseIn(store.StatusReceived), store.StatusAccepted, "", "", ""},
		{"rejects a received case with a reason", caseIn(store.StatusReceived), store.StatusRejected, "", "不属于社会保险基金监督范围", ""},
		{"refuses rejecting without a reason", caseIn(store.StatusReceived), store.StatusRejected, "", "", "不予受理须写明理由"},
		{"refuses rejecting with only spaces", caseIn(store.StatusReceived), store.StatusRejected, "", " \u3000\n", "不予受理须写明理由"},
		{"transfers with a note", caseIn(store.StatusReceived), store.StatusTransferred, "", "转吉林市社会保险基金监督机构办理", ""},
		{"refuses transferring without a note", caseIn(store.StatusAccepted), store.StatusTransferred, "", "", "转办须写明"},
		{"the receiving office accepts a transferred case", caseIn(store.StatusTransferred), store.StatusAccepted, "", "", ""},
		{"the receiving office investigates a transferred case", caseIn(store.StatusTransferred), store.StatusInvestigating, "", "", ""},
		{"concludes with a result", caseIn(store.StatusInvestigating), store.StatusConcluded, store.ResultPartly, "已责令整改", ""},
		{"refuses concluding without a result", caseIn(store.StatusInvestigating), store.StatusConcluded, "", "", "办结须选择调查结论"},
		{"refuses concluding with an unknown result", caseIn(store.StatusInvestigating), store.StatusConcluded, "true", "", "办结须选择调查结论"},
		{"refuses a result outside concluding", caseIn(store.StatusReceived), store.StatusAccepted, store.ResultSubstantiated, "", "只有办结时"},
		{"closes a concluded case", caseIn(store.StatusConcluded), store.StatusClosed, "", "", ""},
		{"refuses skipping investigation", caseIn(store.StatusAccepted), store.StatusConcluded, store.ResultSubstantiated, "", "案件当前为“已受理”，不能改为“已办结”"},
		{"refuses reopening a closed case", caseIn(store.StatusClosed), store.StatusInvestigating, "", "", "不能改为"},
		{"refuses a rejected case going on", caseIn(store.StatusRejected), store.StatusAccepted, "", "", "不能改为"},
		{"refuses staying in the same status", caseIn(store.StatusAccepted), store.StatusAccepted, "", "", "不能改为"},
		{"refuses an unknown target status", caseIn(store.StatusReceived), "done", "", "", "未知的办理状态"},
		{"refuses a nil case", nil, store.StatusAccepted, "", "", "未找到"},
		{"refuses a note that is too long", caseIn(store.StatusReceived), store.StatusRejected, "", strings.Repeat("长", MaxNoteRunes+1), "最多 2000 个字"},
		{"accepts a note of the maximum length", caseIn(store.StatusReceived), store.StatusRejected, "", strings.Repeat("长", MaxNoteRunes), ""},
		{"refuses invalid UTF-8", caseIn(store.StatusReceived), store.StatusRejected, "", "理由\xff", "无法识别"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := PlanTransition(tt.c, tt.to, tt.result, tt.note, "u1", at, "e1")
			if tt.wantErr != "" {
				if store.ErrorCode(err) != store.EINVALID || !strings.Contains(store.ErrorMessage(err), tt.wantErr) {
					t.Fatalf("PlanTransition error = %v, want EINVALID containing %q", err, tt.wantErr)
				}
				if tr != (store.CaseTransition{}) {
					t.Errorf("PlanTransition returned %+v with an error", tr)
				}
				return
			}
			if err != nil {
				t.Fatalf("PlanTransition: %v", err)
			}
			want := store.CaseTransition{
				CaseID: "c1", EventID: "e1", FromStatus: tt.c.Status, ToStatus: tt.to,
				Result: tt.result, Note: strings.TrimSpace(tt.note), Actor: "u1", At: store.Truncate(at),
			}
			if tr != want {
				t.Errorf("PlanTransition = %+v, want %+v", tr, want)
			}
			if tr.At.Location() != time.UTC || tr.At.Nanosecond()%int(time.Millisecond) != 0 {
				t.Errorf("At = %v, want UTC truncated to milliseconds", tr.At)
			}
		})
	}
}

func TestPlanTransitionNeedsActorEventAndTime(t *testing.T) {
	c := &store.Case{ID: "c1", Status: store.StatusReceived}
	at := time.Now()
	for name, call := range map[string]func() error{
		"no actor":    func() error { _, err := PlanTransition(c, store.StatusAccepted, "", "", "", at, "e1"); return err },
		"no event id": func() error { _, err := PlanTransition(c, store.StatusAccepted, "", "", "u1", at, ""); return err },
		"no time": func() error {
			_, err := PlanTransition(c, store.StatusAccepted, "", "", "u1", time.Time{}, "e1")
			return err
		},
	} {
		if err := call(); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("%s: error = %v, want EINVALID", name, err)
		}
	}
}

func TestPlanTransitionTrimsTheNote(t *testing.T) {
	c := &store.Case{ID: "c1", Status: store.StatusReceived}
	tr, err := PlanTransition(c, store.StatusRejected, "", "  重复举报，已在 2026-000001 中办理。\n", "u1", time.Now(), "e1")
	if err != nil || tr.Note != "重复举报，已在 2026-000001 中办理。" {
		t.Errorf("PlanTransition note = %q, %v", tr.Note, err)
	}
}
