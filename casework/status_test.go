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
	regions := DefaultRegions()
	caseIn := func(status string) *store.Case {
		return &store.Case{ID: "c1", Status: status, RegionCode: "220102", Channel: store.ChannelFundSupervision}
	}
	type req = TransitionRequest
	measures := store.Conclusion{AmountInvolvedFen: 100_00, AmountRecoveredFen: 50_00, Measures: "责令补缴", RectifyBy: "2026-12-31"}
	tests := []struct {
		name    string
		c       *store.Case
		r       TransitionRequest
		wantErr string // "" means success
	}{
		{"accepts a received case", caseIn(store.StatusReceived), req{To: store.StatusAccepted}, ""},
		{"rejects a received case with a reason", caseIn(store.StatusReceived), req{To: store.StatusRejected, Note: "不属于社会保险基金监督范围"}, ""},
		{"refuses rejecting without a reason", caseIn(store.StatusReceived), req{To: store.StatusRejected}, "不予受理须写明理由"},
		{"refuses rejecting with only spaces", caseIn(store.StatusReceived), req{To: store.StatusRejected, Note: " \u3000\n"}, "不予受理须写明理由"},
		{"transfers to another region with a note", caseIn(store.StatusReceived), req{To: store.StatusTransferred, Note: "转吉林市办理", TransferRegion: "220200"}, ""},
		{"transfers to the medical security channel", caseIn(store.StatusAccepted), req{To: store.StatusTransferred, Note: "涉及医保基金", TransferChannel: store.ChannelMedicalSecurity}, ""},
		{"refuses transferring without a note", caseIn(store.StatusAccepted), req{To: store.StatusTransferred, TransferRegion: "220200"}, "转办须写明"},
		{"refuses transferring without a destination", caseIn(store.StatusAccepted), req{To: store.StatusTransferred, Note: "转办"}, "转办须选择"},
		{"refuses transferring to two destinations", caseIn(store.StatusAccepted), req{To: store.StatusTransferred, Note: "转办", TransferRegion: "220200", TransferChannel: store.ChannelMedicalSecurity}, "请选择其一"},
		{"refuses transferring to the same region", caseIn(store.StatusAccepted), req{To: store.StatusTransferred, Note: "转办", TransferRegion: "220102"}, "请选择其他地区"},
		{"refuses transferring to the province", caseIn(store.StatusAccepted), req{To: store.StatusTransferred, Note: "转办", TransferRegion: "220000"}, "请从列表中选择"},
		{"refuses transferring to an unknown region", caseIn(store.StatusAccepted), req{To: store.StatusTransferred, Note: "转办", TransferRegion: "110000"}, "请从列表中选择"},
		{"refuses transferring to the same channel", caseIn(store.StatusAccepted), req{To: store.StatusTransferred, Note: "转办", TransferChannel: store.ChannelFundSupervision}, "其他部门"},
		{"refuses a destination outside transferring", caseIn(store.StatusReceived), req{To: store.StatusAccepted, TransferRegion: "220200"}, "只有转办时"},
		{"the receiving office accepts a transferred case", caseIn(store.StatusTransferred), req{To: store.StatusAccepted}, ""},
		{"the receiving office investigates a transferred case", caseIn(store.StatusTransferred), req{To: store.StatusInvestigating, Mode: store.ModeOnSite}, ""},
		{"starts an off-site investigation", caseIn(store.StatusAccepted), req{To: store.StatusInvestigating, Mode: store.ModeOffSite}, ""},
		{"refuses investigating without a mode", caseIn(store.StatusAccepted), req{To: store.StatusInvestigating}, "调查方式"},
		{"refuses a mode outside investigating", caseIn(store.StatusReceived), req{To: store.StatusAccepted, Mode: store.ModeOnSite}, "只有开始调查时"},
		{"concludes with a result and measures", caseIn(store.StatusInvestigating), req{To: store.StatusConcluded, Result: store.ResultPartly, Note: "已责令整改", Conclusion: measures}, ""},
		{"concludes not substantiated without measures", caseIn(store.StatusInvestigating), req{To: store.StatusConcluded, Result: store.ResultNotSubstantiated}, ""},
		{"refuses a substantiated conclusion without measures", caseIn(store.StatusInvestigating), req{To: store.StatusConcluded, Result: store.ResultSubstantiated}, "须填写处理措施"},
		{"refuses recovering more than involved", caseIn(store.StatusInvestigating), req{To: store.StatusConcluded, Result: store.ResultSubstantiated, Conclusion: store.Conclusion{AmountInvolvedFen: 1, AmountRecoveredFen: 2, Measures: "追回"}}, "追回金额不能大于"},
		{"refuses negative amounts", caseIn(store.StatusInvestigating), req{To: store.StatusConcluded, Result: store.ResultSubstantiated, Conclusion: store.Conclusion{AmountInvolvedFen: -1, Measures: "追回"}}, "不能为负数"},
		{"refuses a bad rectification date", caseIn(store.StatusInvestigating), req{To: store.StatusConcluded, Result: store.ResultSubstantiated, Conclusion: store.Conclusion{Measures: "整改", RectifyBy: "2026-13-01"}}, "整改期限应为有效日期"},
		{"refuses a rectification date in the past", caseIn(store.StatusInvestigating), req{To: store.StatusConcluded, Result: store.ResultSubstantiated, Conclusion: store.Conclusion{Measures: "整改", RectifyBy: "2026-11-26"}}, "不能早于今天"},
		{"refuses concluding without a result", caseIn(store.StatusInvestigating), req{To: store.StatusConcluded}, "办结须选择调查结论"},
		{"refuses concluding with an unknown result", caseIn(store.StatusInvestigating), req{To: store.StatusConcluded, Result: "true"}, "办结须选择调查结论"},
		{"refuses a result outside concluding", caseIn(store.StatusReceived), req{To: store.StatusAccepted, Result: store.ResultSubstantiated}, "只有办结时"},
		{"closes a concluded case", caseIn(store.StatusConcluded), req{To: store.StatusClosed}, ""},
		{"refuses skipping investigation", caseIn(store.StatusAccepted), req{To: store.StatusConcluded, Result: store.ResultSubstantiated}, "案件当前为“已受理”，不能改为“调查完毕”"},
		{"refuses reopening a closed case", caseIn(store.StatusClosed), req{To: store.StatusInvestigating, Mode: store.ModeOnSite}, "不能改为"},
		{"refuses a rejected case going on", caseIn(store.StatusRejected), req{To: store.StatusAccepted}, "不能改为"},
		{"refuses staying in the same status", caseIn(store.StatusAccepted), req{To: store.StatusAccepted}, "不能改为"},
		{"refuses an unknown target status", caseIn(store.StatusReceived), req{To: "done"}, "未知的办理状态"},
		{"refuses a nil case", nil, req{To: store.StatusAccepted}, "未找到"},
		{"refuses a note that is too long", caseIn(store.StatusReceived), req{To: store.StatusRejected, Note: strings.Repeat("长", MaxNoteRunes+1)}, "最多 2000 个字"},
		{"accepts a note of the maximum length", caseIn(store.StatusReceived), req{To: store.StatusRejected, Note: strings.Repeat("长", MaxNoteRunes)}, ""},
		{"refuses invalid UTF-8", caseIn(store.StatusReceived), req{To: store.StatusRejected, Note: "理由\xff"}, "无法识别"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			r.Actor, r.At, r.EventID, r.ExpectVersion = "u1", at, "e1", 7
			u, err := PlanTransition(tt.c, r, regions)
			if tt.wantErr != "" {
				if store.ErrorCode(err) != store.EINVALID || !strings.Contains(store.ErrorMessage(err), tt.wantErr) {
					t.Fatalf("PlanTransition error = %v, want EINVALID containing %q", err, tt.wantErr)
				}
				if u.CaseID != "" || u.Event.ID != "" {
					t.Errorf("PlanTransition returned %+v with an error", u)
				}
				return
			}
			if err != nil {
				t.Fatalf("PlanTransition: %v", err)
			}
			wantEvent := store.Event{
				ID: "e1", CaseID: "c1", At: store.Truncate(at), Action: store.ActionStatus, FromStatus: tt.c.Status,
				ToStatus: r.To, Result: r.Result, Note: strings.TrimSpace(r.Note), Actor: "u1",
			}
			if u.Event != wantEvent || u.CaseID != "c1" || u.ExpectStatus != tt.c.Status || u.ExpectVersion != 7 {
				t.Errorf("PlanTransition = %+v, want event %+v from status %s at version 7", u, wantEvent, tt.c.Status)
			}
			if u.Event.At.Location() != time.UTC || u.Event.At.Nanosecond()%int(time.Millisecond) != 0 {
				t.Errorf("At = %v, want UTC truncated to milliseconds", u.Event.At)
			}
			checkSet(t, tt.c, r, u.Set)
		})
	}
}

// checkSet checks the fields an update sets besides the status.
func checkSet(t *testing.T, c *store.Case, r TransitionRequest, set store.CaseChanges) {
	t.Helper()
	str := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	switch {
	case r.To == store.StatusTransferred && r.TransferRegion != "":
		if str(set.RegionCode) != r.TransferRegion || str(set.AssigneeID) != "" || set.AssigneeID == nil || set.Channel != nil {
			t.Errorf("transfer to a region sets region %s, assignee %s, channel %v", str(set.RegionCode), str(set.AssigneeID), set.Channel)
		}
	case r.To == store.StatusTransferred:
		if str(set.Channel) != r.TransferChannel || set.RegionCode != nil {
			t.Errorf("transfer to a channel sets channel %s, region %v", str(set.Channel), set.RegionCode)
		}
	case r.To == store.StatusInvestigating:
		if str(set.InvestigationMode) != r.Mode {
			t.Errorf("investigating sets mode %s, want %s", str(set.InvestigationMode), r.Mode)
		}
	case r.To == store.StatusConcluded:
		if str(set.Result) != r.Result || set.Conclusion == nil || *set.Conclusion != r.Conclusion {
			t.Errorf("concluding sets result %s, conclusion %+v", str(set.Result), set.Conclusion)
		}
	default:
		if set != (store.CaseChanges{}) {
			t.Errorf("%s → %s sets %+v, want nothing", c.Status, r.To, set)
		}
	}
}

func TestPlanTransitionNeedsActorEventAndTime(t *testing.T) {
	c := &store.Case{ID: "c1", Status: store.StatusReceived}
	at := time.Now()
	for name, r := range map[string]TransitionRequest{
		"no actor":    {To: store.StatusAccepted, At: at, EventID: "e1"},
		"no event id": {To: store.StatusAccepted, Actor: "u1", At: at},
		"no time":     {To: store.StatusAccepted, Actor: "u1", EventID: "e1"},
	} {
		if _, err := PlanTransition(c, r, DefaultRegions()); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("%s: error = %v, want EINVALID", name, err)
		}
	}
}

func TestPlanTransitionTrimsTheNote(t *testing.T) {
	c := &store.Case{ID: "c1", Status: store.StatusReceived}
	r := TransitionRequest{To: store.StatusRejected, Note: "  重复举报，已在 2026-000001 中办理。\n", Actor: "u1", At: time.Now(), EventID: "e1"}
	u, err := PlanTransition(c, r, DefaultRegions())
	if err != nil || u.Event.Note != "重复举报，已在 2026-000001 中办理。" {
		t.Errorf("PlanTransition note = %q, %v", u.Event.Note, err)
	}
}
