package casework

import (
	"strings"
	"testing"
	"time"

	"fundwatch/store"
)

func TestClassifyImportantCase(t *testing.T) {
	rules := DefaultImportantCaseRules()
	tests := []struct {
		name         string
		category     string
		amountFen    int64
		serious      bool
		wantClass    string
		wantNational bool
	}{
		{"a small embezzlement is 要情", CategoryEmbezzlement, 500000, false, ClassImportant, false},
		{"99,999.99 yuan is 要情", CategoryEmbezzlement, 9999999, false, ClassImportant, false},
		{"100,000.00 yuan is 重大要情", CategoryEmbezzlement, 10000000, false, ClassMajor, false},
		{"499,999.99 yuan is not national", CategoryMisappropriation, 49999999, false, ClassMajor, false},
		{"500,000.00 yuan goes national", CategoryMisappropriation, 50000000, false, ClassMajor, true},
		{"a large fraudulent claim goes national", CategoryFraudulentClaims, 123456789, false, ClassMajor, true},
		{"serious impact makes a small case major", CategoryFraudulentClaims, 100, true, ClassMajor, false},
		{"serious impact alone does not send it national", CategoryFraudulentClaims, 49999999, true, ClassMajor, false},
		{"an amount not given is 要情", CategoryEmbezzlement, 0, false, ClassImportant, false},
		{"unpaid contributions are not 要情 however large", CategoryUnpaidContributions, 100000000, true, ClassNone, false},
		{"improper storage is not 要情", CategoryImproperStorage, 100000000, false, ClassNone, false},
		{"agency misconduct is not 要情", CategoryAgencyMisconduct, 100000000, false, ClassNone, false},
		{"other is not 要情", CategoryOther, 100000000, false, ClassNone, false},
		{"an unknown category is not 要情", "bogus", 100000000, false, ClassNone, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			class, national := ClassifyImportantCase(tt.category, tt.amountFen, tt.serious, rules)
			if class != tt.wantClass || national != tt.wantNational {
				t.Errorf("ClassifyImportantCase(%q, %d, %v) = %q, %v; want %q, %v",
					tt.category, tt.amountFen, tt.serious, class, national, tt.wantClass, tt.wantNational)
			}
		})
	}
}

func TestClassifyImportantCaseUsesConfiguredThresholds(t *testing.T) {
	rules := ImportantCaseRules{MajorThresholdFen: 5000000, NationalThresholdFen: 20000000, ImportantDays: 1, MajorDays: 2}
	if class, national := ClassifyImportantCase(CategoryEmbezzlement, 5000000, false, rules); class != ClassMajor || national {
		t.Errorf("at the configured major threshold: %q, %v", class, national)
	}
	if _, national := ClassifyImportantCase(CategoryEmbezzlement, 20000000, false, rules); !national {
		t.Error("at the configured national threshold: not national")
	}
}

func TestDefaultImportantCaseRules(t *testing.T) {
	want := ImportantCaseRules{MajorThresholdFen: 10000000, NationalThresholdFen: 50000000, ImportantDays: 2, MajorDays: 3}
	if got := DefaultImportantCaseRules(); got != want {
		t.Errorf("DefaultImportantCaseRules() = %+v, want %+v", got, want)
	}
	if err := want.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestImportantCaseRulesValidate(t *testing.T) {
	def := DefaultImportantCaseRules()
	tests := []struct {
		name    string
		change  func(*ImportantCaseRules)
		wantMsg string
	}{
		{"zero major threshold", func(r *ImportantCaseRules) { r.MajorThresholdFen = 0 }, "大于零"},
		{"negative national threshold", func(r *ImportantCaseRules) { r.NationalThresholdFen = -1 }, "大于零"},
		{"national below major", func(r *ImportantCaseRules) { r.NationalThresholdFen = r.MajorThresholdFen - 1 }, "不能低于"},
		{"zero days", func(r *ImportantCaseRules) { r.ImportantDays = 0 }, "至少为 1 个工作日"},
		{"negative major days", func(r *ImportantCaseRules) { r.MajorDays = -3 }, "至少为 1 个工作日"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := def
			tt.change(&r)
			err := r.Validate()
			if store.ErrorCode(err) != store.EINVALID || !strings.Contains(store.ErrorMessage(err), tt.wantMsg) {
				t.Errorf("Validate() = %v, want EINVALID with %q", err, tt.wantMsg)
			}
		})
	}
}

func TestImportantCaseDeadline(t *testing.T) {
	cal := DefaultCalendar()
	rules := DefaultImportantCaseRules()
	friday := cst(2026, 11, 27, 15, 0)
	tests := []struct {
		name   string
		class  string
		want   time.Time
		wantOK bool
	}{
		{"要情 found Friday: end of Tuesday", ClassImportant, endOfDayCST(2026, 12, 1), true},
		{"重大要情 found Friday: end of Wednesday", ClassMajor, endOfDayCST(2026, 12, 2), true},
		{"no class, no deadline", ClassNone, time.Time{}, false},
		{"unknown class, no deadline", "bogus", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ImportantCaseDeadline(tt.class, friday, cal, rules)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("ImportantCaseDeadline(%q) = %v, %v; want %v, %v", tt.class, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
