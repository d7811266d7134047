package casework

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fundwatch/store"
)

// transitions lists, for each status, the statuses a handler may move a case
// to, in the order the admin page offers them. rejected and closed are final.
// A transferred case is decided by the receiving office, which accepts it,
// rejects it or goes straight to investigation.
var transitions = map[string][]string{
	store.StatusReceived:      {store.StatusAccepted, store.StatusRejected, store.StatusTransferred},
	store.StatusAccepted:      {store.StatusInvestigating, store.StatusTransferred},
	store.StatusTransferred:   {store.StatusAccepted, store.StatusInvestigating, store.StatusRejected},
	store.StatusInvestigating: {store.StatusConcluded},
	store.StatusConcluded:     {store.StatusClosed},
}

// MaxNoteRunes bounds the note of a status change. The note is shown to the
// reporter on the follow-up page, so it is a sentence or a paragraph, not a file.
const MaxNoteRunes = 2000

// CanTransition reports whether a case in status from may move to status to.
func CanTransition(from, to string) bool {
	return slices.Contains(transitions[from], to)
}

// NextStatuses returns the statuses a case in status from may move to, in the
// order the admin page shows the buttons; nil for a final or unknown status.
func NextStatuses(from string) []string {
	return slices.Clone(transitions[from])
}

// TransitionRequest is a status change a member of staff asks for, as their
// form sent it. Which fields matter depends on To: rejecting and transferring
// need a Note (the reporter is told why, or where to); transferring names
// either another region of the tree or another channel; investigating needs a
// Mode; concluding needs a Result and takes the Conclusion.
type TransitionRequest struct {
	To              string
	Note            string
	Result          string
	Mode            string // store.ModeOnSite or store.ModeOffSite, for investigating
	TransferRegion  string // region code, for transferring to another region
	TransferChannel string // channel code, for transferring to another department
	Conclusion      store.Conclusion
	// ExpectVersion is the version of the case the form was made from, so a
	// change based on a stale page is refused (0 skips that check).
	ExpectVersion int64
	Actor         string
	At            time.Time
	EventID       string
}

// MaxMeasuresRunes bounds the measures text of a conclusion.
const MaxMeasuresRunes = 5000

// PlanTransition checks a status change of c and returns the update to hand
// to store.UpdateCase. ExpectStatus is c's current status, so the store
// refuses the change (ECONFLICT) if someone else moved the case in the
// meantime. Deadlines are not set here: the service layer adds DueAt from
// the calendar. Errors are *store.Error EINVALID with a Chinese message for
// the member of staff.
func PlanTransition(c *store.Case, req TransitionRequest, regions *Regions) (store.CaseUpdate, error) {
	invalid := func(format string, args ...any) (store.CaseUpdate, error) {
		return store.CaseUpdate{}, store.Errorf(store.EINVALID, format, args...)
	}
	to := req.To
	note := strings.TrimSpace(req.Note)
	switch {
	case c == nil || c.ID == "":
		return invalid("未找到要办理的案件。")
	case req.Actor == "" || req.EventID == "" || req.At.IsZero():
		return invalid("缺少办理人、事件编号或办理时间。")
	case !ValidStatus(to):
		return invalid("未知的办理状态“%s”。", to)
	case !CanTransition(c.Status, to):
		return invalid("案件当前为“%s”，不能改为“%s”。", StatusLabel(c.Status), StatusLabel(to))
	case !utf8.ValidString(note) || !utf8.ValidString(req.Conclusion.Measures):
		return invalid("说明含有无法识别的字符，请重新填写。")
	case utf8.RuneCountInString(note) > MaxNoteRunes:
		return invalid("说明最多 %d 个字。", MaxNoteRunes)
	case to == store.StatusRejected && note == "":
		return invalid("不予受理须写明理由，理由将告知举报人。")
	case to == store.StatusTransferred && note == "":
		return invalid("转办须写明转往的地区或部门及理由，将告知举报人。")
	case to == store.StatusConcluded && !ValidResult(req.Result):
		return invalid("办结须选择调查结论：属实、部分属实或不属实。")
	case to != store.StatusConcluded && req.Result != "":
		return invalid("只有办结时才填写调查结论。")
	case to == store.StatusInvestigating && req.Mode != store.ModeOnSite && req.Mode != store.ModeOffSite:
		return invalid("开始调查须选择调查方式：现场监督或非现场监督。")
	case to != store.StatusInvestigating && req.Mode != "":
		return invalid("只有开始调查时才选择调查方式。")
	case to != store.StatusTransferred && (req.TransferRegion != "" || req.TransferChannel != ""):
		return invalid("只有转办时才选择转往的地区或部门。")
	}
	u := store.CaseUpdate{
		CaseID:        c.ID,
		ExpectStatus:  c.Status,
		ExpectVersion: req.ExpectVersion,
		Event: store.Event{
			ID:         req.EventID,
			CaseID:     c.ID,
			At:         store.Truncate(req.At),
			Action:     store.ActionStatus,
			FromStatus: c.Status,
			ToStatus:   to,
			Result:     req.Result,
			Note:       note,
			Actor:      req.Actor,
		},
	}
	switch to {
	case store.StatusTransferred:
		switch {
		case req.TransferRegion != "" && req.TransferChannel != "":
			return invalid("转办只能转往一个地区或一个部门，请选择其一。")
		case req.TransferRegion != "":
			r, ok := regions.Lookup(req.TransferRegion)
			if !ok || r.Level == LevelProvince {
				return invalid("请从列表中选择转往的市（州）或县（市、区）。")
			}
			if r.Code == c.RegionCode {
				return invalid("案件已在%s，请选择其他地区。", r.Name)
			}
			u.Set.RegionCode = &r.Code
			// The receiving office decides whom it goes to.
			none := ""
			u.Set.AssigneeID = &none
		case req.TransferChannel != "":
			if !ValidChannel(req.TransferChannel) || req.TransferChannel == c.Channel {
				return invalid("请选择案件要转往的其他部门。")
			}
			ch := req.TransferChannel
			u.Set.Channel = &ch
		default:
			return invalid("转办须选择转往的地区或部门。")
		}
	case store.StatusInvestigating:
		mode := req.Mode
		u.Set.InvestigationMode = &mode
	case store.StatusConcluded:
		cc := req.Conclusion
		cc.Measures = strings.TrimSpace(cc.Measures)
		switch {
		case cc.AmountInvolvedFen < 0 || cc.AmountRecoveredFen < 0:
			return invalid("金额不能为负数。")
		case cc.AmountRecoveredFen > cc.AmountInvolvedFen && cc.AmountInvolvedFen > 0:
			return invalid("追回金额不能大于查实涉及金额。")
		case utf8.RuneCountInString(cc.Measures) > MaxMeasuresRunes:
			return invalid("处理措施最多 %d 个字。", MaxMeasuresRunes)
		case req.Result != store.ResultNotSubstantiated && cc.Measures == "":
			return invalid("反映问题属实或部分属实的，须填写处理措施（整改、追回、处罚或移送等）。")
		}
		if cc.RectifyBy != "" {
			d, err := time.ParseInLocation(time.DateOnly, cc.RectifyBy, store.CST)
			if err != nil {
				return invalid("整改期限应为有效日期，格式如 2026-12-31。")
			}
			if d.Before(startOfDayCST(req.At)) {
				return invalid("整改期限不能早于今天。")
			}
		}
		result := req.Result
		u.Set.Result = &result
		u.Set.Conclusion = &cc
	}
	return u, nil
}
