package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"fundwatch/casework"
	"fundwatch/store"
)

// Citizens point 7 of issue 7: the form's choices — complaints, periods,
// the 《举报须知》, identity documents, the employer's legal representative.

func TestCitizenComplaintIsStoredWithRequestAndEmployment(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.submitForm(func(v url.Values) {
		complaintForm(v)
		v.Set("complaint.hiredOn", "2019年7月") // a browser without a month field
		v.Set("subject.legalRepresentative", " 王某某 ")
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(body))
	}
	number, _ := receiptOf(t, body)
	c := e.caseByNumber(number)
	want := store.Complaint{Request: "要求单位为本人补缴2025年3月以来的养老保险费和失业保险费。", HiredOn: "2019-07",
		Position: "仓库保管员", Contract: store.ContractSigned}
	if c.Kind != store.KindComplaint || c.Channel != store.ChannelLabourInspection || c.Complaint != want {
		t.Errorf("stored kind %q channel %q complaint %+v; want complaint, labour inspection, %+v", c.Kind, c.Channel, c.Complaint, want)
	}
	if c.Subject.LegalRepresentative != "王某某" {
		t.Errorf("legal representative %q", c.Subject.LegalRepresentative)
	}
	if c.Anonymous || len(c.ReporterSealed) == 0 {
		t.Errorf("a complaint stored anonymous=%v with %d bytes of identity", c.Anonymous, len(c.ReporterSealed))
	}
}

func TestComplaintCannotBeAnonymous(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.submitForm(func(v url.Values) {
		complaintForm(v)
		v.Set("anonymous", "true")
	})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	if msg := fieldError(body, "anonymous"); !strings.Contains(msg, "须实名提交") {
		t.Errorf("message at anonymous %q", msg)
	}
	// What was typed in the identity section is still there to submit.
	if !strings.Contains(body, `value="`+reporterPhoneRaw+`"`) {
		t.Error("the identity typed before is not kept")
	}
	if n := e.caseCount(); n != 0 {
		t.Errorf("%d cases stored", n)
	}
	// The API refuses it too.
	resp, out := e.postJSON("/api/v1/reports", reportJSON(t, func(m map[string]any) {
		m["kind"], m["anonymous"] = "complaint", true
		m["complaint"] = map[string]any{"request": "要求补缴社会保险费", "hiredOn": "2019-07", "labourContract": "not_signed"}
	}), nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || decodeJSONBody(t, out)["errors"].(map[string]any)["anonymous"] != casework.MsgComplaintNotAnonymous {
		t.Errorf("API anonymous complaint: status %d\n%s", resp.StatusCode, out)
	}
}

// Without JavaScript the form says that a complaint must be named, next to
// both choices; with it, site.js disables 匿名 (see the browser journey).
func TestFormSaysWithoutJavaScriptThatComplaintsAreNamed(t *testing.T) {
	e := newTestEnv(t)
	_, body := e.get("/report")
	for _, want := range []string{"须实名（转劳动保障监察机构办理）", `id="h-anonymous">投诉须实名，匿名只适用于举报。`,
		"选择“投诉”时填写本栏；举报时本栏内容不会被保存。"} {
		if !strings.Contains(body, want) {
			t.Errorf("report form lacks %q", want)
		}
	}
}

func TestEmployerComplaintNeedsNoEmploymentAndStoresNone(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.submitForm(func(v url.Values) {
		employerReport(v)
		complaintForm(v)
		v.Set("complaint.hiredOn", "")
		v.Set("complaint.labourContract", "")
		v.Set("complaint.position", "不应保存")
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(body))
	}
	number, _ := receiptOf(t, body)
	c := e.caseByNumber(number)
	if c.Complaint.Request == "" || c.Complaint.HiredOn != "" || c.Complaint.Position != "" || c.Complaint.Contract != "" {
		t.Errorf("employer's complaint stored %+v; want the request only", c.Complaint)
	}
}

func TestReportStoresNothingOfTheComplaintSection(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.submitForm(func(v url.Values) {
		complaintForm(v)
		v.Set("kind", "report")
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(body))
	}
	number, _ := receiptOf(t, body)
	if c := e.caseByNumber(number); c.Complaint != (store.Complaint{}) {
		t.Errorf("a report stored complaint details %+v", c.Complaint)
	}
}

func TestPeriodOfTheViolationIsStored(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.submitForm(func(v url.Values) {
		v.Set("occurredFrom", "2024-01-01")
		v.Set("occurredTo", "2026-11-27") // today in China
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(body))
	}
	number, _ := receiptOf(t, body)
	if c := e.caseByNumber(number); c.OccurredFrom != "2024-01-01" || c.OccurredTo != "2026-11-27" {
		t.Errorf("stored period %q–%q", c.OccurredFrom, c.OccurredTo)
	}
}

func TestAPIReadsTheOldOccurredOnAsTheStart(t *testing.T) {
	e := newTestEnv(t)
	number, _ := e.apiSubmit(reportJSON(t, func(m map[string]any) { m["occurredOn"] = "2025-06-30" }), nil)
	if c := e.caseByNumber(number); c.OccurredFrom != "2025-06-30" || c.OccurredTo != "" {
		t.Errorf("occurredOn stored as %q–%q, want from 2025-06-30", c.OccurredFrom, c.OccurredTo)
	}
}

func TestReportNoticeIsShownAndItsAcknowledgementRequired(t *testing.T) {
	e := newTestEnv(t)
	_, body := e.get("/report")
	for _, p := range casework.ReportNotice {
		if !strings.Contains(body, p) {
			t.Errorf("the form lacks the notice's %q", clip(p, 20))
		}
	}
	if !strings.Contains(body, `<a href="/guide">办事指南</a>`) || !strings.Contains(body, `name="acknowledgeNotice" value="true"`) {
		t.Error("no link to the guide or no acknowledgement box")
	}
	resp, body := e.submitForm(func(v url.Values) { v.Del("acknowledgeNotice") })
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "acknowledgeNotice") == "" {
		t.Errorf("without the acknowledgement: status %d, message %q", resp.StatusCode, fieldError(body, "acknowledgeNotice"))
	}
	resp, _ = e.postJSON("/api/v1/reports", reportJSON(t, func(m map[string]any) { delete(m, "acknowledgeNotice") }), nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("API without the acknowledgement: status %d, want 422", resp.StatusCode)
	}
}

func TestEachIdentityDocumentIsAcceptedAndSealedWithItsType(t *testing.T) {
	tests := []struct{ doc, typed, stored string }{
		{casework.DocResidentID, "11010519491231002x", "11010519491231002X"},
		{casework.DocResidencePermit, "810000199001011230", "810000199001011230"},
		{casework.DocHKMacaoPermit, "h1234 5678", "H12345678"},
		{casework.DocTaiwanPermit, "１２３４５６７８", "12345678"},
		{casework.DocForeignPermanent, "USA110580101001", "USA110580101001"},
		{casework.DocPassport, "e12345678", "E12345678"},
	}
	if !casework.ValidIDDocument(casework.DocResidencePermit, tests[1].stored) {
		t.Fatalf("test residence permit %s is not valid", tests[1].stored)
	}
	e := newTestEnv(t)
	for _, tt := range tests {
		t.Run(tt.doc, func(t *testing.T) {
			e := e.in(t)
			resp, body := e.submitForm(func(v url.Values) {
				v.Set("reporter.idType", tt.doc)
				v.Set("reporter.idNumber", tt.typed)
			})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(body))
			}
			number, _ := receiptOf(t, body)
			c := e.caseByNumber(number)
			id, err := e.h.Keyring.OpenIdentity(c.ID, c.ReporterSealed)
			if err != nil {
				t.Fatal(err)
			}
			if id.IDType != tt.doc || id.IDNumber != tt.stored {
				t.Errorf("sealed document %q %q, want %q %q", id.IDType, id.IDNumber, tt.doc, tt.stored)
			}
			if strings.Contains(body, tt.stored) {
				t.Error("the receipt shows the document number")
			}
		})
	}
}

func TestAPIWithoutDocumentTypeReadsAResidentID(t *testing.T) {
	e := newTestEnv(t)
	number, _ := e.apiSubmit(validReportJSON, nil)
	c := e.caseByNumber(number)
	id, err := e.h.Keyring.OpenIdentity(c.ID, c.ReporterSealed)
	if err != nil || id.IDType != casework.DocResidentID {
		t.Errorf("document type %q, %v; want resident_id", id.IDType, err)
	}
}

var confirmNextToField = regexp.MustCompile(`(?s)<div class="field has-error" id="f-(subject|organisation)\.creditCode">.*?</div>\s*</div>`)

// Citizens point 5: the confirmation box sits inside the field it confirms,
// right under its message, not at the end of the form.
func TestCreditCodeConfirmationSitsInItsField(t *testing.T) {
	for _, field := range []string{"subject.creditCode", "organisation.creditCode"} {
		t.Run(field, func(t *testing.T) {
			e := newTestEnv(t)
			resp, body := e.submitForm(func(v url.Values) {
				if strings.HasPrefix(field, "organisation.") {
					employerReport(v)
				}
				v.Set(field, "91350200776049653B")
			})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", resp.StatusCode)
			}
			start := strings.Index(body, `id="f-`+field+`"`)
			next := strings.Index(body[start:], `<div class="field`)
			if start < 0 || next < 0 {
				t.Fatalf("field %s not found", field)
			}
			inField := body[start : start+next]
			box := `name="` + strings.TrimSuffix(field, "creditCode") + `confirmCreditCode"`
			if !strings.Contains(inField, box) || strings.Index(inField, box) < strings.Index(inField, `class="error"`) {
				t.Errorf("the box %s is not in the field, after its message:\n%s", box, inField)
			}
			if strings.Count(body, "confirmCreditCode\" value=\"true\"") != 1 {
				t.Error("want exactly one confirmation box, for the one code that needs it")
			}
		})
	}
}

var dateInput = regexp.MustCompile(`<input[^>]*type="(date|month)"[^>]*>`)

// The W3C validator's one error on the site: placeholder is not allowed on
// <input type="date"> (nor month).
func TestDateFieldsHaveNoPlaceholder(t *testing.T) {
	e := newTestEnv(t)
	_, body := e.get("/report")
	inputs := dateInput.FindAllString(body, -1)
	if len(inputs) != 3 {
		t.Errorf("%d date and month fields, want 3 (start, end, hired on)", len(inputs))
	}
	for _, in := range inputs {
		if strings.Contains(in, "placeholder") {
			t.Errorf("placeholder on %s", in)
		}
	}
}

// The reporter's own view shows what they filed that concerns the case (the
// period, a complaint's request), not their employment, which is about them.
func TestFollowupViewShowsPeriodAndComplaintRequest(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.submitForm(func(v url.Values) {
		complaintForm(v)
		v.Set("occurredFrom", "2025-03-01")
		v.Set("occurredTo", "2026-10-31")
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(body))
	}
	number, code := receiptOf(t, body)
	e.mustLogin(number, code)
	_, body = e.get("/followup/case")
	for _, want := range []string{"2025-03-01 至 2026-10-31", "要求单位为本人补缴2025年3月以来的养老保险费和失业保险费。"} {
		if !strings.Contains(body, want) {
			t.Errorf("follow-up view lacks %q", want)
		}
	}
	if strings.Contains(body, "仓库保管员") || strings.Contains(body, "2019-07") {
		t.Error("the follow-up view shows the complainant's employment")
	}
}
