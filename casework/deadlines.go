package casework

import "time"

// AcceptanceWorkingDays is the national rule (2023): decide whether to accept
// a report within 5 working days of receiving it.
const AcceptanceWorkingDays = 5

// AcceptanceDeadline is when the decision to accept a case received at
// received is due: the end (24:00 CST) of the fifth working day after it.
func (c *Calendar) AcceptanceDeadline(received time.Time) time.Time {
	return c.WorkingDaysDeadline(received, AcceptanceWorkingDays)
}
