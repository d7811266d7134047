package casework

import (
	"slices"
	"strings"
	"testing"

	"fundwatch/store"
)

func TestRouteChannel(t *testing.T) {
	tests := []struct {
		name  string
		kind  string
		types []string
		want  string
	}{
		{"a complaint about one's own rights goes to labour inspection", store.KindComplaint, []string{InsurancePension}, store.ChannelLabourInspection},
		{"a complaint about medical insurance still goes to labour inspection", store.KindComplaint, []string{InsuranceMedical}, store.ChannelLabourInspection},
		{"a medical report goes to medical security", store.KindReport, []string{InsuranceMedical}, store.ChannelMedicalSecurity},
		{"a maternity report goes to medical security", store.KindReport, []string{InsuranceMaternity}, store.ChannelMedicalSecurity},
		{"a medical and maternity report goes to medical security", store.KindReport, []string{InsuranceMaternity, InsuranceMedical}, store.ChannelMedicalSecurity},
		{"a pension report stays with fund supervision", store.KindReport, []string{InsurancePension}, store.ChannelFundSupervision},
		{"a work injury and unemployment report stays", store.KindReport, []string{InsuranceWorkInjury, InsuranceUnemployment}, store.ChannelFundSupervision},
		{"a mixed medical and pension report stays", store.KindReport, []string{InsuranceMedical, InsurancePension}, store.ChannelFundSupervision},
		{"a report without insurance types stays", store.KindReport, nil, store.ChannelFundSupervision},
		{"an unknown insurance code counts as other", store.KindReport, []string{InsuranceMedical, "bogus"}, store.ChannelFundSupervision},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RouteChannel(tt.kind, tt.types); got != tt.want {
				t.Errorf("RouteChannel(%q, %v) = %q, want %q", tt.kind, tt.types, got, tt.want)
			}
		})
	}
}

func TestChannelNoticeNamesWhereTheMatterGoes(t *testing.T) {
	tests := []struct{ channel, mustSay string }{
		{store.ChannelFundSupervision, "社会保险基金监督"},
		{store.ChannelMedicalSecurity, "医疗保障部门"},
		{store.ChannelLabourInspection, "劳动保障监察"},
	}
	for _, tt := range tests {
		got := ChannelNotice(tt.channel)
		if !strings.Contains(got, tt.mustSay) || !strings.Contains(got, "查询码") {
			t.Errorf("ChannelNotice(%q) = %q, want it to name %q and the access code", tt.channel, got, tt.mustSay)
		}
	}
	if got := ChannelNotice("bogus"); got != "" {
		t.Errorf("ChannelNotice(bogus) = %q, want empty", got)
	}
	want := "本件涉及基本医疗保险或生育保险基金，按规定由医疗保障部门处理。平台已登记，并将转交有关医疗保障部门，您可凭查询码继续查看办理进展。"
	if got := ChannelNotice(store.ChannelMedicalSecurity); got != want {
		t.Errorf("medical security notice = %q, want %q", got, want)
	}
}

func TestRoutingNotice(t *testing.T) {
	tests := []struct {
		name  string
		kind  string
		types []string
		want  []string
	}{
		{"a mixed report adds the medical note", store.KindReport, []string{InsurancePension, InsuranceMaternity},
			[]string{ChannelNotice(store.ChannelFundSupervision), MixedMedicalNotice}},
		{"a medical-only report has no mixed note", store.KindReport, []string{InsuranceMedical},
			[]string{ChannelNotice(store.ChannelMedicalSecurity)}},
		{"a pension report has no mixed note", store.KindReport, []string{InsurancePension},
			[]string{ChannelNotice(store.ChannelFundSupervision)}},
		{"a complaint has no mixed note", store.KindComplaint, []string{InsurancePension, InsuranceMedical},
			[]string{ChannelNotice(store.ChannelLabourInspection)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RoutingNotice(tt.kind, tt.types); !slices.Equal(got, tt.want) {
				t.Errorf("RoutingNotice(%q, %v) = %q, want %q", tt.kind, tt.types, got, tt.want)
			}
		})
	}
}

func TestCaseRoutingNoticeFollowsTheCasesChannel(t *testing.T) {
	mixed := &store.Case{Kind: store.KindReport, InsuranceTypes: []string{"pension", "medical"}, Channel: store.ChannelFundSupervision}
	if got := CaseRoutingNotice(mixed); !strings.Contains(got, MixedMedicalNotice) || !strings.HasPrefix(got, ChannelNotice(store.ChannelFundSupervision)) {
		t.Errorf("mixed report as routed: %q", got)
	}
	moved := *mixed
	moved.Channel = store.ChannelMedicalSecurity
	if got := CaseRoutingNotice(&moved); got != ChannelNotice(store.ChannelMedicalSecurity) {
		t.Errorf("case moved to another channel: %q, want that channel's notice only", got)
	}
}
