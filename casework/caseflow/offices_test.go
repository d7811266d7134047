package caseflow

import (
	"context"
	"strings"
	"testing"

	"fundwatch/casework"
	"fundwatch/store"
)

func TestRegionOfficesAreSavedScopedVersionedAndAudited(t *testing.T) {
	e := newRulesEnv(t, openSQLite(t))
	ctx := context.Background()
	regions := e.svc.Regions
	offices := NewStoredOffices(e.st, regions, nil)
	e.svc.Offices = offices
	if err := offices.Load(ctx); err != nil {
		t.Fatal(err)
	}
	cityAdmin := Actor{UserID: "admin-cc", Username: "admin.cc", Role: store.RoleAdmin, RegionCode: "220100", Scope: regions.Descendants("220100")}
	handler := Actor{UserID: "h", Username: "h", Role: store.RoleHandler, RegionCode: "220100", Scope: regions.Descendants("220100")}
	fund := casework.Office{Channel: store.ChannelFundSupervision, Name: "长春市社会保险基金监督科", Address: "长春市某路1号", Phone: "0431-8888 0000", Hours: "工作日"}
	blank := casework.Office{Channel: store.ChannelMedicalSecurity}

	if _, ok := offices.Directory().For("220102", store.ChannelFundSupervision, false); ok {
		t.Fatal("before anything is entered a real deployment has no office")
	}
	if err := e.svc.PutRegionOffices(ctx, cityAdmin, "220100", []casework.Office{fund, blank}, 0); err != nil {
		t.Fatalf("city administrator saving the city's offices: %v", err)
	}
	o, ok := offices.Directory().For("220102", store.ChannelFundSupervision, false)
	if !ok || o.Name != fund.Name || o.Phone != fund.Phone || o.Example {
		t.Errorf("after saving, a county of the city is served by %+v, %v; want %q", o, ok, fund.Name)
	}
	got, err := ReadRegionOffices(ctx, e.st, regions, "220100")
	if err != nil || got.Version != 1 || len(got.Offices) != 1 || got.Offices[0].Name != fund.Name {
		t.Fatalf("ReadRegionOffices = %+v, %v; want version 1 with the one office (the blank channel dropped)", got, err)
	}

	for _, tc := range []struct {
		name    string
		actor   Actor
		region  string
		offices []casework.Office
		version int64
		code    string
	}{
		{"another city", cityAdmin, "220200", []casework.Office{fund}, 0, store.EFORBIDDEN},
		{"the province", cityAdmin, "220000", []casework.Office{fund}, 0, store.EFORBIDDEN},
		{"a handler", handler, "220100", []casework.Office{fund}, 1, store.EFORBIDDEN},
		{"a stale version", cityAdmin, "220100", []casework.Office{fund}, 0, store.ECONFLICT},
		{"details without a name", cityAdmin, "220100", []casework.Office{{Channel: store.ChannelFundSupervision, Phone: "1"}}, 1, store.EINVALID},
		{"an unknown region", provinceAdmin(regions), "999999", []casework.Office{fund}, 0, store.ENOTFOUND},
	} {
		err := e.svc.PutRegionOffices(ctx, tc.actor, tc.region, tc.offices, tc.version)
		if store.ErrorCode(err) != tc.code {
			t.Errorf("%s: error %v, want %s", tc.name, err, tc.code)
		}
	}
	if err := e.svc.PutRegionOffices(ctx, provinceAdmin(regions), "220200", []casework.Office{{Channel: store.ChannelLabourInspection, Name: "吉林市劳动保障监察支队"}}, 0); err != nil {
		t.Errorf("the province's administrator saving a city's offices: %v", err)
	}
	if !e.svc.MayChangeOffices(provinceAdmin(regions), "220200") || e.svc.MayChangeOffices(cityAdmin, "220200") || !e.svc.MayChangeOffices(cityAdmin, "220102") {
		t.Error("MayChangeOffices: want the province anywhere, a city in its own scope only")
	}

	entries, _, err := e.st.ListAudit(ctx, store.AuditFilter{ActionPrefix: AuditSettings})
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, a := range entries {
		details = append(details, a.Detail)
	}
	if len(entries) != 2 || !strings.Contains(strings.Join(details, "|"), "长春市的受理机构：社会保险基金监督：长春市社会保险基金监督科") {
		t.Errorf("audit details %q, want the two saves", details)
	}

	// A second instance reading the store sees the same.
	other := NewStoredOffices(e.st, regions, nil)
	if err := other.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if o, ok := other.Directory().For("220281", store.ChannelLabourInspection, false); !ok || o.Name != "吉林市劳动保障监察支队" {
		t.Errorf("another instance finds %+v, %v", o, ok)
	}
}

func TestReadOfficesRefusesWhatTheStoreShouldNotHold(t *testing.T) {
	st := openSQLite(t)
	ctx := context.Background()
	if err := st.PutSetting(ctx, &store.Setting{Key: OfficesKey("999999"), Value: []byte(`{"offices":[]}`), UpdatedBy: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadOffices(ctx, st, casework.DefaultRegions()); store.ErrorCode(err) != store.EINTERNAL {
		t.Errorf("an office setting of an unknown region: %v, want EINTERNAL", err)
	}
}
