package admin

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// The facts the report form asks since issue 7 (citizens point 7) are on
// the case page: the period, the employer's legal representative, a
// complaint's request and employment, the 《举报须知》 acknowledged, and the
// reporter's identity document, masked like the ID number until revealed.
func TestCasePageShowsTheFormsNewFacts(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("facts", store.RoleHandler, "220100")
	r, err := e.svc.FileCase(context.Background(), caseflow.Filing{
		Kind: store.KindComplaint, ReporterType: store.ReporterCitizen, Category: "unpaid_contributions",
		InsuranceTypes: []string{"pension"}, RegionCode: "220102",
		Subject:      store.Party{Name: "某某餐饮管理有限公司", LegalRepresentative: "李某某"},
		OccurredFrom: "2024-03-01", OccurredTo: "2025-06-30",
		Description: "本人自2019年7月起在该公司工作，2024年3月起公司不再为我缴纳养老保险。",
		Complaint: store.Complaint{Request: "要求单位补缴2024年3月以来的养老保险费。", HiredOn: "2019-07",
			Position: "厨师", Contract: store.ContractNotSigned},
		NoticeVersion:  casework.NoticeVersion,
		Identity:       &casework.ReporterIdentity{Name: "陈大文", IDType: casework.DocPassport, IDNumber: "E12345678", Phone: "13812345678"},
		IdempotencyKey: web.NewToken(), Digest: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	cl := e.client()
	cl.login(h)
	resp, body := cl.get("/admin/cases/" + r.Case.ID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("case page: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`id="case-period">2024-03-01 至 2025-06-30<`,
		"法定代表人 李某某",
		"要求单位补缴2024年3月以来的养老保险费。",
		`id="case-employment">2019-07 入职，岗位：厨师；没有签订书面劳动合同<`,
		"反映人已阅读并确认（" + casework.NoticeVersion + " 版）",
		"<th scope=\"row\">护照号码</th><td>E******78</td>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if strings.Contains(body, "E12345678") {
		t.Error("the masked page shows the passport number")
	}
	_, body = cl.postWith("/admin/cases/"+r.Case.ID, "/admin/cases/"+r.Case.ID+"/identity", nil)
	if !strings.Contains(body, "<th scope=\"row\">护照号码</th><td>E12345678</td>") {
		t.Error("the revealed identity lacks the passport number under its name")
	}
}
