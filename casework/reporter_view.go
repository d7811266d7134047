package casework

import (
	"time"

	"fundwatch/store"
)

// ReporterMayAddMessage tells whether a reporter can still add information to
// a case: until it is closed, and not once it was not accepted.
func ReporterMayAddMessage(status string) bool {
	return status != store.StatusClosed && status != store.StatusRejected
}

// Step is one stage of the progress bar a reporter sees.
type Step struct {
	Label   string
	Done    bool
	Current bool
}

// ReporterSteps is the simplified path received → accepted → investigating →
// concluded → closed, marking the stages reached. Not accepting and
// transferring are shown as the current stage's label.
func ReporterSteps(status string) []Step {
	order := []string{store.StatusReceived, store.StatusAccepted, store.StatusInvestigating,
		store.StatusConcluded, store.StatusClosed}
	reached := 0
	switch status {
	case store.StatusReceived:
		reached = 0
	case store.StatusAccepted, store.StatusTransferred, store.StatusRejected:
		reached = 1
	case store.StatusInvestigating:
		reached = 2
	case store.StatusConcluded:
		reached = 3
	case store.StatusClosed:
		reached = 4
	}
	steps := make([]Step, len(order))
	for i, o := range order {
		steps[i] = Step{Label: StatusLabel(o), Done: i < reached, Current: i == reached}
	}
	switch status {
	case store.StatusRejected:
		steps[1].Label = StatusLabel(store.StatusRejected)
		steps = steps[:2]
	case store.StatusTransferred:
		steps[1].Label = StatusLabel(store.StatusTransferred)
	}
	return steps
}

// ReporterEvents is the part of a case's timeline its reporter sees: the
// status changes, never internal events (assignment, classification,
// extension, who acted).
func ReporterEvents(events []store.Event) []store.Event {
	out := make([]store.Event, 0, len(events))
	for _, e := range events {
		if e.Internal || (e.Action != "" && e.Action != store.ActionStatus) {
			continue
		}
		e.Actor = ""
		out = append(out, e)
	}
	return out
}

// ReporterMessages is the part of a case's messages its reporter sees:
// their own and the handlers' replies, never internal notes.
func ReporterMessages(msgs []store.Message) []store.Message {
	out := make([]store.Message, 0, len(msgs))
	for _, m := range msgs {
		if m.Author != store.AuthorReporter && m.Author != store.AuthorHandler {
			continue
		}
		m.Actor = ""
		out = append(out, m)
	}
	return out
}

// StageGuide is what the follow-up page says about the stage a case is in:
// what happens now, and what the reporter can do.
type StageGuide struct {
	Now    string
	YouCan string
}

// ReporterStageGuide explains the stage of c to its reporter in plain words.
func ReporterStageGuide(c *store.Case) StageGuide {
	switch c.Status {
	case store.StatusReceived:
		return StageGuide{
			Now:    "平台已收到您的反映，承办机构正在审查是否属于受理范围，将在受理审查期限内决定是否受理。",
			YouCan: "您可以在下方补充新的线索或证据。实名反映的，受理情况会在规定期限内告知您。",
		}
	case store.StatusAccepted:
		return StageGuide{
			Now:    "本件已受理，承办机构正在安排调查核实。",
			YouCan: "如有新的线索或证据，可以在下方补充，承办人员会一并核查。",
		}
	case store.StatusTransferred:
		return StageGuide{
			Now:    "本件已转交下方所列的受理机构办理，由该机构决定是否受理。转办理由见办理记录。",
			YouCan: "查询编号和查询码不变，您仍可在这里查看进度、补充信息。",
		}
	case store.StatusInvestigating:
		return StageGuide{
			Now:    "承办机构正在调查核实，可能进行现场检查或调取资料核对。调查期间一般不逐项告知进展。",
			YouCan: "如有新的线索或证据，可以在下方补充。调查结束后，调查结论会显示在本页。",
		}
	case store.StatusConcluded:
		return StageGuide{
			Now:    "调查已经完毕，调查结论和处理措施见下方办理记录。承办机构确认处理措施落实后结案归档。",
			YouCan: "请对本件的办理情况作出满意度评价。如对调查结论有异议或有新的情况，可以在结案归档前补充信息说明。",
		}
	case store.StatusClosed:
		return StageGuide{
			Now:    "本件已结案归档，办理程序已经结束，不能再补充信息。",
			YouCan: "如有新的事实或证据，请重新提交举报投诉，并在问题描述中注明本件查询编号 " + c.Number + "，以便承办机构关联办理。",
		}
	case store.StatusRejected:
		return StageGuide{
			Now:    "经审查，本件不予受理，理由见下方办理记录。",
			YouCan: "如有新的事实和证据，可以重新提交。已经申请劳动人事争议仲裁、提起诉讼或通过其他法定途径处理的事项，请按相应途径办理。",
		}
	}
	return StageGuide{}
}

// Deadline is the deadline running on a case as its reporter sees it.
type Deadline struct {
	Label    string    // 受理审查期限 or 调查期限
	LastDay  time.Time // 00:00 CST of the last day; the deadline ends at 24:00 of it
	DaysLeft int       // whole days from today (CST) to the last day: 0 on the last day, negative once past
	Extended int       // days a leader added to the investigation
}

// Overdue tells whether the last day has passed.
func (d Deadline) Overdue() bool { return d.DaysLeft < 0 }

// DaysOver is how many days ago the last day was.
func (d Deadline) DaysOver() int { return -d.DaysLeft }

// ReporterDeadline is the deadline running on c at now, for its reporter:
// deciding acceptance while received or transferred, the investigation
// while investigating. ok is false when none runs.
func ReporterDeadline(c *store.Case, now time.Time) (Deadline, bool) {
	if c.DueAt.IsZero() {
		return Deadline{}, false
	}
	var d Deadline
	switch c.Status {
	case store.StatusReceived, store.StatusTransferred:
		d.Label = "受理审查期限"
	case store.StatusInvestigating:
		d.Label, d.Extended = "调查期限", c.ExtensionDays
	default:
		return Deadline{}, false
	}
	// DueAt is 24:00 CST of the last day, that is 00:00 of the next.
	d.LastDay = startOfDayCST(c.DueAt.Add(-time.Millisecond))
	today := startOfDayCST(now)
	d.DaysLeft = int(d.LastDay.Sub(today).Round(time.Hour) / (24 * time.Hour))
	return d, true
}

// ReporterMayRate tells whether the reporter may rate c now: once its
// investigation is concluded, and changing the rating as often as they like
// until the case is closed. A closed case that was never rated may still
// be rated, once: the reporter may only look after it was put away, and
// their view should not be lost for that.
func ReporterMayRate(c *store.Case) bool {
	return c.Status == store.StatusConcluded || (c.Status == store.StatusClosed && c.Satisfaction.Rating == "")
}

// RatingFinal tells whether a rating given on c now can no longer be
// changed afterwards.
func RatingFinal(c *store.Case) bool { return c.Status == store.StatusClosed }
