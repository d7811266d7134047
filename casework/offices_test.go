package casework

import (
	"strings"
	"testing"

	"fundwatch/store"
)

func TestOfficeDirectoryFindsTheNearestOffice(t *testing.T) {
	regions := DefaultRegions()
	entered := []Office{
		{RegionCode: "220100", Channel: store.ChannelFundSupervision, Name: "长春市社会保险基金监督科", Phone: "0431-1"},
		{RegionCode: "220102", Channel: store.ChannelFundSupervision, Name: "南关区社保基金监督股", Phone: "0431-2"},
		{RegionCode: "220000", Channel: store.ChannelMedicalSecurity, Name: "吉林省医疗保障局基金监管处", Phone: "0431-3"},
	}
	d := NewOfficeDirectory(regions, entered)
	tests := []struct {
		name, region, channel string
		examples              bool
		want                  string // office name, "" for none
		wantExample           bool
	}{
		{"the county's own office", "220102", store.ChannelFundSupervision, false, "南关区社保基金监督股", false},
		{"a county without one goes to its city", "220103", store.ChannelFundSupervision, false, "长春市社会保险基金监督科", false},
		{"the city itself", "220100", store.ChannelFundSupervision, false, "长春市社会保险基金监督科", false},
		{"another city with none entered, no examples", "220200", store.ChannelFundSupervision, false, "", false},
		{"another city in demo mode gets the province's example", "220200", store.ChannelFundSupervision, true,
			"吉林省人力资源和社会保障厅社会保险基金监督处", true},
		{"an entered province office beats the example", "222401", store.ChannelMedicalSecurity, true, "吉林省医疗保障局基金监管处", false},
		{"labour inspection in demo mode", "229900", store.ChannelLabourInspection, true, "所在地劳动保障监察机构", true},
		{"labour inspection without demo", "229900", store.ChannelLabourInspection, false, "", false},
		{"an unknown region", "999999", store.ChannelFundSupervision, true, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := d.For(tt.region, tt.channel, tt.examples)
			if ok != (tt.want != "") || o.Name != tt.want || o.Example != tt.wantExample {
				t.Errorf("For(%s, %s, %v) = %+v, %v; want %q (example %v)", tt.region, tt.channel, tt.examples, o, ok, tt.want, tt.wantExample)
			}
		})
	}
	if got := d.Entered("220100"); len(got) != 1 || got[0].Name != "长春市社会保险基金监督科" {
		t.Errorf("Entered(220100) = %+v", got)
	}
	if n := len(d.All(false)); n != 3 {
		t.Errorf("All(false) lists %d offices, want the 3 entered", n)
	}
	all := d.All(true)
	if len(all) != 5 || all[0].RegionCode != "220000" {
		t.Errorf("All(true) = %+v; want the 3 entered and 2 examples, the province first", all)
	}
}

func TestDefaultOfficesAreExamplesAtTheProvince(t *testing.T) {
	defs := DefaultOffices(DefaultRegions())
	channels := map[string]bool{}
	for _, o := range defs {
		if !o.Example || o.RegionCode != "220000" || o.Name == "" || o.Phone == "" {
			t.Errorf("default office %+v: want an example at the province with a name and phone", o)
		}
		channels[o.Channel] = true
	}
	if len(channels) != 3 {
		t.Errorf("defaults cover channels %v, want all three", channels)
	}
	if !strings.Contains(defs[0].Name, "社会保险基金监督") {
		t.Errorf("the fund channel's default is %q, want the province's 社会保险基金监督 office", defs[0].Name)
	}
}

func TestCheckOffices(t *testing.T) {
	long := strings.Repeat("长", MaxOfficeName+1)
	tests := []struct {
		name    string
		offices []Office
		want    []string // fields refused
	}{
		{"a full office", []Office{{Channel: store.ChannelFundSupervision, Name: "某某科", Address: "某路1号", Phone: "0431-1", Hours: "工作日"}}, nil},
		{"a name alone", []Office{{Channel: store.ChannelMedicalSecurity, Name: "某某科"}}, nil},
		{"details without a name", []Office{{Channel: store.ChannelFundSupervision, Phone: "0431-1"}}, []string{"fund_supervision.name"}},
		{"a name too long", []Office{{Channel: store.ChannelFundSupervision, Name: long}}, []string{"fund_supervision.name"}},
		{"a hidden character in the phone", []Office{{Channel: store.ChannelFundSupervision, Name: "科", Phone: "0431\u200b1"}}, []string{"fund_supervision.phone"}},
		{"a line break in the address", []Office{{Channel: store.ChannelFundSupervision, Name: "科", Address: "a\nb"}}, []string{"fund_supervision.address"}},
		{"a channel twice", []Office{{Channel: store.ChannelFundSupervision, Name: "甲"}, {Channel: store.ChannelFundSupervision, Name: "乙"}}, []string{"fund_supervision.name"}},
		{"an unknown channel", []Office{{Channel: "x", Name: "甲"}}, []string{"x.name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range CheckOffices(tt.offices) {
				got = append(got, p.Field)
				if p.Message == "" {
					t.Errorf("problem with %s has no message", p.Field)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("CheckOffices refused %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOwnLevelLabelNamesPrefecturesAndTheCommittee(t *testing.T) {
	regions := DefaultRegions()
	for code, want := range map[string]string{
		"220100": "长春市（市本级或不确定具体区县）",
		"222400": "延边朝鲜族自治州（州本级或不确定具体县市）",
		"229900": "长白山管委会（管委会本级或不确定具体区域）",
	} {
		r, _ := regions.Lookup(code)
		if got := r.OwnLevelLabel(); got != want {
			t.Errorf("OwnLevelLabel(%s) = %q, want %q", code, got, want)
		}
	}
}
