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
