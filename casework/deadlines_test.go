package casework

import (
	"slices"
	"testing"
	"time"

	"fundwatch/store"
)

func TestAcceptanceDeadlineIsTheEndOfTheFifthWorkingDayAfter(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name     string
		received time.Time
		lastDay  string // the last day of the period, CST
	}{
		// Saturday: counting starts Sunday, working days Mon 30 … Fri 4.
		{"received on a Saturday", time.Date(2026, 11, 28, 15, 0, 0, 0, store.CST), "2026-12-04"},
		// Wednesday 23:59 CST is still Wednesday: Thu, Fri, Mon, Tue, Wed.
		{"received late on a Wednesday", time.Date(2026, 11, 25, 23, 59, 0, 0, store.CST), "2026-12-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.AcceptanceDeadline(tt.received.UTC())
			wantEnd, _ := time.ParseInLocation("2006-01-02", tt.lastDay, store.CST)
			if want := wantEnd.AddDate(0, 0, 1); !got.Equal(want) {
				t.Errorf("deadline %v, want the end of %s CST (%v)", got.In(store.CST), tt.lastDay, want.In(store.CST))
			}
		})
	}
}

func TestDeadlineRulesValidate(t *testing.T) {
	if err := DefaultDeadlineRules().Validate(); err != nil {
		t.Fatalf("the defaults do not validate: %v", err)
	}
	if d := DefaultDeadlineRules(); d != (DeadlineRules{5, 10, 60, 30}) {
		t.Errorf("defaults = %+v, want 5, 10, 60, 30", d)
	}
	mod := func(f func(*DeadlineRules)) DeadlineRules {
		r := DefaultDeadlineRules()
		f(&r)
		return r
	}
	tests := []struct {
		name    string
		rules   DeadlineRules
		wantMsg string // "" for valid
	}{
		{"no extension allowed", mod(func(r *DeadlineRules) { r.ExtensionDays = 0 }), ""},
		{"notify equal to accept", mod(func(r *DeadlineRules) { r.NotifyWorkingDays = 5 }), ""},
		{"zero acceptance days", mod(func(r *DeadlineRules) { r.AcceptWorkingDays = 0 }), "受理期限应为 1 至 60 个工作日。"},
		{"an extra zero", mod(func(r *DeadlineRules) { r.AcceptWorkingDays = 50; r.NotifyWorkingDays = 100 }), "告知举报人期限应为 1 至 60 个工作日。"},
		{"notify before accept", mod(func(r *DeadlineRules) { r.NotifyWorkingDays = 3 }), "告知举报人期限不能短于受理期限：先决定是否受理，才能告知。"},
		{"negative investigation", mod(func(r *DeadlineRules) { r.InvestigationDays = -60 }), "调查期限应为 1 至 365 日。"},
		{"investigation of 600 days", mod(func(r *DeadlineRules) { r.InvestigationDays = 600 }), "调查期限应为 1 至 365 日。"},
		{"negative extension", mod(func(r *DeadlineRules) { r.ExtensionDays = -1 }), "延长调查期限应为 0 至 365 日（0 表示不允许延长）。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rules.Validate()
			if tt.wantMsg == "" {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			if store.ErrorCode(err) != store.EINVALID || store.ErrorMessage(err) != tt.wantMsg {
				t.Errorf("Validate = %v, want EINVALID %q", err, tt.wantMsg)
			}
		})
	}
}

func TestAcceptanceAndNotifyDue(t *testing.T) {
	cal := DefaultCalendar()
	rules := DefaultDeadlineRules()
	tests := []struct {
		name         string
		received     time.Time
		accept       time.Time
		notify       time.Time
		acceptReason string
	}{
		{"Friday before 国庆 2025", cst(2025, 9, 26, 10, 0), endOfDayCST(2025, 10, 10), endOfDayCST(2025, 10, 16),
			"Sun 9-28 (调休) and Mon–Tue 9-29/30, holiday to 10-8, then Thu 10-9 and Fri 10-10; notify adds Sat 10-11 (调休) and 10-13…16"},
		{"Saturday before 国庆 2025", cst(2025, 9, 27, 10, 0), endOfDayCST(2025, 10, 10), endOfDayCST(2025, 10, 16), "same days as from Friday"},
		{"during 国庆 2025", cst(2025, 10, 1, 10, 0), endOfDayCST(2025, 10, 14), endOfDayCST(2025, 10, 21),
			"10-9, 10-10, Sat 10-11 (调休), 10-13, 10-14"},
		{"Thursday before 春节 2026", cst(2026, 2, 12, 10, 0), endOfDayCST(2026, 2, 26), endOfDayCST(2026, 3, 4),
			"Fri 2-13, Sat 2-14 (调休), holiday to 2-23, then 2-24…26; notify adds 2-27, Sat 2-28 (调休), 3-2…4"},
		{"Friday night before 春节 2026", cst(2026, 2, 13, 23, 59), endOfDayCST(2026, 2, 27), endOfDayCST(2026, 3, 5),
			"Sat 2-14 (调休), 2-24…27"},
		{"00:30 CST on the adjusted Saturday is that Saturday", time.Date(2026, 2, 13, 16, 30, 0, 0, time.UTC), endOfDayCST(2026, 2, 28), endOfDayCST(2026, 3, 6),
			"counting from Sunday: 2-24…27 and Sat 2-28 (调休)"},
		{"an ordinary week", cst(2026, 11, 25, 9, 0), endOfDayCST(2026, 12, 2), endOfDayCST(2026, 12, 9), "Thu, Fri, Mon, Tue, Wed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AcceptanceDue(tt.received, cal, rules); !got.Equal(tt.accept) {
				t.Errorf("AcceptanceDue = %v, want %v (%s)", got.In(store.CST), tt.accept.In(store.CST), tt.acceptReason)
			}
			if got := cal.AcceptanceDeadline(tt.received); !got.Equal(tt.accept) {
				t.Errorf("Calendar.AcceptanceDeadline = %v, want %v", got.In(store.CST), tt.accept.In(store.CST))
			}
			if got := NotifyDue(tt.received, cal, rules); !got.Equal(tt.notify) {
				t.Errorf("NotifyDue = %v, want %v", got.In(store.CST), tt.notify.In(store.CST))
			}
		})
	}
	custom := DeadlineRules{AcceptWorkingDays: 3, NotifyWorkingDays: 7, InvestigationDays: 30, ExtensionDays: 15}
	if got, want := AcceptanceDue(cst(2025, 9, 26, 10, 0), cal, custom), endOfDayCST(2025, 9, 30); !got.Equal(want) {
		t.Errorf("AcceptanceDue with 3 working days = %v, want %v", got.In(store.CST), want.In(store.CST))
	}
}

func TestInvestigationDue(t *testing.T) {
	cal := DefaultCalendar()
	rules := DefaultDeadlineRules()
	tests := []struct {
		name      string
		started   time.Time
		extension int
		want      time.Time
	}{
		{"60th day is 国庆 2025: rolls to 10-9", cst(2025, 8, 2, 10, 0), 0, endOfDayCST(2025, 10, 9)},
		{"extended by 30: 90 days from the start, not from 10-9", cst(2025, 8, 2, 10, 0), 30, endOfDayCST(2025, 10, 31)},
		{"60th day in 春节 2026: rolls past the holiday to 2-24", cst(2025, 12, 18, 10, 0), 0, endOfDayCST(2026, 2, 24)},
		{"the same, extended: a working Wednesday", cst(2025, 12, 18, 10, 0), 30, endOfDayCST(2026, 3, 18)},
		{"60th day is 劳动节 2026: rolls to 5-6", cst(2026, 3, 3, 10, 0), 0, endOfDayCST(2026, 5, 6)},
		{"60th day is a Saturday: rolls to Monday", cst(2026, 9, 29, 10, 0), 0, endOfDayCST(2026, 11, 30)},
		{"60th day a working day", cst(2026, 8, 1, 10, 0), 0, endOfDayCST(2026, 9, 30)},
		{"a negative extension counts as none", cst(2026, 8, 1, 10, 0), -5, endOfDayCST(2026, 9, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := InvestigationDue(tt.started, tt.extension, cal, rules); !got.Equal(tt.want) {
				t.Errorf("InvestigationDue = %v, want %v", got.In(store.CST), tt.want.In(store.CST))
			}
		})
	}
}

func TestDueSoonAndOverdue(t *testing.T) {
	cal := DefaultCalendar()
	afterSpring := endOfDayCST(2026, 2, 24)
	afterNationalDay := endOfDayCST(2025, 10, 9)
	tests := []struct {
		name       string
		due, now   time.Time
		days       int
		soon, late bool
	}{
		{"two working days across 春节 reach 2-24", afterSpring, cst(2026, 2, 13, 10, 0), 2, true, false},
		{"one working day (the adjusted Saturday) does not", afterSpring, cst(2026, 2, 13, 10, 0), 1, false, false},
		{"due today with 0 days", afterSpring, cst(2026, 2, 24, 23, 0), 0, true, false},
		{"due tomorrow with 0 days", afterSpring, cst(2026, 2, 23, 10, 0), 0, false, false},
		{"three working days before 国庆 do not reach 10-9", afterNationalDay, cst(2025, 9, 26, 10, 0), 3, false, false},
		{"four do (9-28 调休 counts)", afterNationalDay, cst(2025, 9, 26, 10, 0), 4, true, false},
		{"overdue is not soon", afterSpring, cst(2026, 2, 25, 0, 0), 3, false, true},
		{"the deadline instant itself is overdue", afterSpring, afterSpring, 3, false, true},
		{"no deadline", time.Time{}, cst(2026, 2, 13, 10, 0), 3, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DueSoon(tt.due, tt.now, cal, tt.days); got != tt.soon {
				t.Errorf("DueSoon = %v, want %v", got, tt.soon)
			}
			if got := Overdue(tt.due, tt.now); got != tt.late {
				t.Errorf("Overdue = %v, want %v", got, tt.late)
			}
		})
	}
}

func TestRulesProblemsNameEachField(t *testing.T) {
	tests := []struct {
		name  string
		got   []FieldProblem
		field []string
	}{
		{"the deadline defaults", DefaultDeadlineRules().Problems(), nil},
		{"the 要情 defaults", DefaultImportantCaseRules().Problems(), nil},
		{"every deadline wrong", DeadlineRules{AcceptWorkingDays: 0, NotifyWorkingDays: 61, InvestigationDays: 0, ExtensionDays: -1}.Problems(),
			[]string{"acceptWorkingDays", "notifyWorkingDays", "investigationDays", "extensionDays"}},
		{"notify shorter than accept", DeadlineRules{AcceptWorkingDays: 5, NotifyWorkingDays: 4, InvestigationDays: 60}.Problems(),
			[]string{"notifyWorkingDays"}},
		{"every 要情 rule wrong", ImportantCaseRules{MajorThresholdFen: 0, NationalThresholdFen: -5, ImportantDays: 0, MajorDays: 61}.Problems(),
			[]string{"majorThresholdFen", "nationalThresholdFen", "importantDays", "majorDays"}},
		{"national below major", ImportantCaseRules{MajorThresholdFen: 100, NationalThresholdFen: 99, ImportantDays: 2, MajorDays: 3}.Problems(),
			[]string{"nationalThresholdFen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fields []string
			for _, p := range tt.got {
				if p.Message == "" {
					t.Errorf("field %s has no message", p.Field)
				}
				fields = append(fields, p.Field)
			}
			if !slices.Equal(fields, tt.field) {
				t.Errorf("fields = %v, want %v (%+v)", fields, tt.field, tt.got)
			}
		})
	}
}
