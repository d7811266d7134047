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

// PlanTransition checks a handler's status change of c and returns the
// transition to hand to store.TransitionCase. FromStatus is c's current status,
// so the store refuses the change (ECONFLICT) if someone else moved the case
// in the meantime. Rejecting and transferring need a note (the reporter is
// told why, or where to), concluding needs a result, and only concluding takes
// one. Errors are *store.Error EINVALID with a Chinese message for the handler.
func PlanTransition(c *store.Case, to, result, note, actor string, at time.Time, eventID string) (store.CaseTransition, error) {
	invalid := func(format string, args ...any) (store.CaseTransition, error) {
		return store.CaseTransition{}, store.Errorf(store.EINVALID, format, args...)
	}
	note = strings.TrimSpace(note)
	switch {
	case c == nil || c.ID == "":
		return invalid("未找到要办理的案件。")
	case actor == "" || eventID == "" || at.IsZero():
		return invalid("缺少办理人、事件编号或办理时间。")
	case !ValidStatus(to):
		return invalid("未知的办理状态“%s”。", to)
	case !CanTransition(c.Status, to):
		return invalid("案件当前为“%s”，不能改为“%s”。", StatusLabel(c.Status), StatusLabel(to))
	case !utf8.ValidString(note):
		return invalid("说明含有无法识别的字符，请重新填写。")
	case utf8.RuneCountInString(note) > MaxNoteRunes:
		return invalid("说明最多 %d 个字。", MaxNoteRunes)
	case to == store.StatusRejected && note == "":
		return invalid("不予受理须写明理由，理由将告知举报人。")
	case to == store.StatusTransferred && note == "":
		return invalid("转办须写明转往的地区或部门及理由，将告知举报人。")
	case to == store.StatusConcluded && !ValidResult(result):
		return invalid("办结须选择调查结论：属实、部分属实或不属实。")
	case to != store.StatusConcluded && result != "":
		return invalid("只有办结时才填写调查结论。")
	}
	return store.CaseTransition{
		CaseID:     c.ID,
		EventID:    eventID,
		FromStatus: c.Status,
		ToStatus:   to,
		Result:     result,
		Note:       note,
		Actor:      actor,
		At:         store.Truncate(at),
	}, nil
}
