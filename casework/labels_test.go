package casework

import (
	"strings"
	"testing"

	"fundwatch/store"
)

func TestOptionListsAreCompleteAndLabelled(t *testing.T) {
	lists := []struct {
		name  string
		opts  []Option
		codes []string
		valid func(string) bool
		label func(string) string
	}{
		{"kinds", Kinds(), []string{store.KindReport, store.KindComplaint}, ValidKind, KindLabel},
		{"reporter types", ReporterTypes(), []string{store.ReporterCitizen, store.ReporterEmployer, store.ReporterOrganization}, ValidReporterType, ReporterTypeLabel},
		{"insurance types", InsuranceTypes(), []string{InsurancePension, InsuranceResidentPension, InsuranceMedical, InsuranceUnemployment, InsuranceWorkInjury, InsuranceMaternity, InsuranceAnnuity, InsuranceOther}, ValidInsuranceType, InsuranceTypeLabel},
		{"categories", Categories(), []string{CategoryUnpaidContributions, CategoryFraudulentClaims, CategoryEmbezzlement, CategoryMisappropriation, CategoryImproperStorage, CategoryAgencyMisconduct, CategoryOther}, ValidCategory, CategoryLabel},
		{"channels", Channels(), []string{store.ChannelFundSupervision, store.ChannelMedicalSecurity, store.ChannelLabourInspection}, ValidChannel, ChannelLabel},
		{"statuses", Statuses(), []string{store.StatusReceived, store.StatusAccepted, store.StatusRejected, store.StatusTransferred, store.StatusInvestigating, store.StatusConcluded, store.StatusClosed}, ValidStatus, StatusLabel},
		{"results", Results(), []string{store.ResultSubstantiated, store.ResultPartly, store.ResultNotSubstantiated}, ValidResult, ResultLabel},
		{"important classes", ImportantClasses(), []string{ClassNone, ClassImportant, ClassMajor}, ValidImportantClass, ImportantClassLabel},
		{"roles", Roles(), []string{store.RoleHandler, store.RoleLeader, store.RolePublisher, store.RoleAdmin}, ValidRole, RoleLabel},
		{"quarterly statuses", QuarterlyStatuses(), []string{QuarterlyMissing, QuarterlyLate, QuarterlySubmitted, QuarterlySubmittedLate}, func(c string) bool { return known(quarterlyStatusOptions, c) }, QuarterlyStatusLabel},
	}
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			if len(l.opts) != len(l.codes) {
				t.Fatalf("%d options, want %d", len(l.opts), len(l.codes))
			}
			seen := map[string]bool{}
			for i, o := range l.opts {
				if o.Code != l.codes[i] {
					t.Errorf("option %d is %q, want %q", i, o.Code, l.codes[i])
				}
				if o.Label == "" || o.Label == o.Code || seen[o.Label] {
					t.Errorf("option %q has label %q: want a distinct Chinese label", o.Code, o.Label)
				}
				seen[o.Label] = true
				if !l.valid(o.Code) || l.label(o.Code) != o.Label {
					t.Errorf("valid/label disagree with the list for %q", o.Code)
				}
			}
			for _, bad := range []string{"", "bogus", "Report", " report"} {
				if l.valid(bad) {
					t.Errorf("code %q accepted", bad)
				}
			}
			if got := l.label("bogus"); got != "bogus" {
				t.Errorf("label of an unknown code = %q, want the code itself", got)
			}
		})
	}
}

func TestLabelsFromDomain(t *testing.T) {
	tests := []struct{ got, want string }{
		{StatusLabel(store.StatusReceived), "已收到"},
		{StatusLabel(store.StatusAccepted), "已受理"},
		{StatusLabel(store.StatusRejected), "不予受理"},
		{StatusLabel(store.StatusTransferred), "已转办"},
		{StatusLabel(store.StatusInvestigating), "调查中"},
		{StatusLabel(store.StatusConcluded), "调查完毕"},
		{StatusLabel(store.StatusClosed), "已结案归档"},
		{ResultLabel(store.ResultSubstantiated), "属实"},
		{ResultLabel(store.ResultPartly), "部分属实"},
		{ResultLabel(store.ResultNotSubstantiated), "不属实"},
		{InsuranceTypeLabel(InsuranceResidentPension), "城乡居民基本养老保险"},
		{ImportantClassLabel(ClassMajor), "重大要情"},
		{KindLabel(store.KindComplaint), "投诉"},
		{ReporterTypeLabel(store.ReporterOrganization), "其他社会组织"},
		{ChannelLabel(store.ChannelLabourInspection), "劳动保障监察"},
		{CategoryLabel(CategoryMisappropriation), "挤占挪用"},
		{SatisfactionLabel(store.SatisfactionSatisfied), "满意"},
		{SatisfactionLabel(store.SatisfactionBasically), "基本满意"},
		{SatisfactionLabel(store.SatisfactionDissatisfied), "不满意"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("label = %q, want %q", tt.got, tt.want)
		}
	}
}

func TestOptionListsAreCopies(t *testing.T) {
	s := Statuses()
	s[0].Label = "changed"
	if StatusLabel(store.StatusReceived) != "已收到" || Statuses()[0].Label != "已收到" {
		t.Error("changing a returned option list changed the labels")
	}
}

// The label of a concluded case and that of a closed one must not read
// alike: 已办结 and 已结案 did (both say 已…结…), and reporters took an
// investigation with a finding for a file put away. Beyond 已 they share no
// character, and no two statuses share a label.
func TestStatusLabelsCannotBeConfused(t *testing.T) {
	concluded, closed := StatusLabel(store.StatusConcluded), StatusLabel(store.StatusClosed)
	for _, r := range concluded {
		if r != '已' && strings.ContainsRune(closed, r) {
			t.Errorf("status labels %q and %q share %q", concluded, closed, r)
		}
	}
	seen := map[string]string{}
	for _, o := range Statuses() {
		if other, dup := seen[o.Label]; dup {
			t.Errorf("statuses %s and %s are both labelled %q", other, o.Code, o.Label)
		}
		seen[o.Label] = o.Code
	}
}
