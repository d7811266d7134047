package casework

import "fundwatch/store"

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
