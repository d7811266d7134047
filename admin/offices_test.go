package admin

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fundwatch/casework/caseflow"
	"fundwatch/store"
)

func officesForm(version, region string, fields map[string]string) url.Values {
	v := url.Values{"version": {version}, "region": {region}}
	for k, val := range fields {
		v.Set(k, val)
	}
	return v
}

func TestOfficesPageIsScopedVersionedAndAudited(t *testing.T) {
	e := newAdminEnv(t)
	cityAdmin := e.addUser("admin.cc", store.RoleAdmin, "220100")
	cl := e.client()
	cl.login(cityAdmin)

	resp, page := cl.get("/admin/offices")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("offices page: %d", resp.StatusCode)
	}
	for _, want := range []string{"吉林省 长春市", `name="fund_supervision.name"`, `name="medical_security.phone"`, `name="labour_inspection.hours"`, "本地区尚未录入受理机构"} {
		if !strings.Contains(page, want) {
			t.Errorf("offices page lacks %q", want)
		}
	}
	if strings.Contains(page, `<option value="220200"`) {
		t.Error("a city's administrator is offered another city")
	}
	v := formVersionOf(t, page, "offices-form")

	// A detail without a name: refused at the field, what was typed kept.
	resp, body := cl.postWith("/admin/offices", "/admin/offices", officesForm(v, "220100", map[string]string{"fund_supervision.phone": "0431-8888 1234"}))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-fund_supervision.name"`) || !strings.Contains(body, `value="0431-8888 1234"`) {
		t.Errorf("an office without a name: %d, want 422 with the message at the field and the phone kept", resp.StatusCode)
	}
	resp, _ = cl.postWith("/admin/offices", "/admin/offices", officesForm(v, "220100", map[string]string{
		"fund_supervision.name": "长春市社会保险基金监督科", "fund_supervision.phone": "0431-8888 1234", "fund_supervision.address": "长春市人民大街1000号"}))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, page = cl.get("/admin/offices?done=1&region=220100")
	if !strings.Contains(page, "已保存受理机构") || !strings.Contains(page, `value="长春市社会保险基金监督科"`) || !strings.Contains(page, "最近修改") {
		t.Error("the saved offices are not shown back")
	}
	// The county below now shows where its cases go when it has none.
	if _, page := cl.get("/admin/offices?region=220102"); !strings.Contains(page, "由吉林省 长春市的“长春市社会保险基金监督科”受理") {
		t.Error("a county's page does not say which office above serves it")
	}

	// A stale page: 409.
	resp, _ = cl.postWith("/admin/offices", "/admin/offices", officesForm(v, "220100", map[string]string{"fund_supervision.name": "改名"}))
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("a save from a stale page: %d, want 409", resp.StatusCode)
	}
	// Another city: refused.
	resp, _ = cl.postWith("/admin/offices", "/admin/offices", officesForm("0", "220200", map[string]string{"fund_supervision.name": "吉林市的"}))
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("another city's offices: %d, want 403", resp.StatusCode)
	}
	if _, err := e.st.SettingByKey(t.Context(), caseflow.OfficesKey("220200")); store.ErrorCode(err) != store.ENOTFOUND {
		t.Errorf("another city's offices were stored: %v", err)
	}
	if got := strings.Join(e.auditActions(), ","); !strings.Contains(got, caseflow.AuditSettings) {
		t.Errorf("audit actions %s lack %s", got, caseflow.AuditSettings)
	}

	// The province's administrator may change any region's.
	prov := e.addUser("admin.jl", store.RoleAdmin, "220000")
	pcl := e.client()
	pcl.login(prov)
	_, page = pcl.get("/admin/offices?region=220200")
	resp, _ = pcl.postWith("/admin/offices?region=220200", "/admin/offices", officesForm(formVersionOf(t, page, "offices-form"), "220200",
		map[string]string{"labour_inspection.name": "吉林市劳动保障监察支队"}))
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("province administrator saving a city's offices: %d", resp.StatusCode)
	}
}

func TestHandlersSeeTheReporterRatingAndTheDashboardCountsRatings(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("handler.cc", store.RoleHandler, "220100")
	sys := caseflow.SystemActor("test", e.regions)
	rated := func(rating, reason string) *store.Case {
		t.Helper()
		cs := e.fileCase("220102", "embezzlement", 0)
		for _, in := range []caseflow.TransitionInput{
			{To: store.StatusAccepted}, {To: store.StatusInvestigating, Mode: store.ModeOnSite},
			{To: store.StatusConcluded, Result: store.ResultNotSubstantiated},
		} {
			cur := e.mustGetCase(cs.ID)
			in.Version = cur.Version
			if _, err := e.svc.Transition(t.Context(), sys, cs.ID, in); err != nil {
				t.Fatalf("transition to %s: %v", in.To, err)
			}
		}
		out, err := e.svc.RateCase(t.Context(), e.mustGetCase(cs.ID), rating, reason)
		if err != nil {
			t.Fatalf("rate: %v", err)
		}
		return out
	}
	unhappy := rated(store.SatisfactionDissatisfied, "调查结论没有说明依据。")
	rated(store.SatisfactionSatisfied, "")
	rated(store.SatisfactionSatisfied, "")
	cl := e.client()
	cl.login(h)

	_, page := cl.get("/admin/cases/" + unhappy.ID)
	if !strings.Contains(page, `id="case-satisfaction"><strong>不满意</strong>`) || !strings.Contains(page, "调查结论没有说明依据。") {
		t.Errorf("the case page does not show the rating and its reason")
	}
	_, page = cl.get("/admin")
	for _, want := range []string{"满意 2 件", "基本满意 0 件", "不满意 1 件", "共 3 件已评价"} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	_, page = cl.get("/admin/cases?satisfaction=dissatisfied")
	if !strings.Contains(page, unhappy.Number) || strings.Count(page, `<a href="/admin/cases/`) != 1 {
		t.Errorf("the inbox filtered by 不满意 does not list exactly the one case")
	}
}
