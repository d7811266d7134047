package handlers

import (
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"

	"fundwatch/handlers/web"
)

// The OpenAPI document and the server agree on every report below (issue
// 7): what people type the server takes and the document admits, and what
// the document forbids the server refuses with a Chinese 422 at the field.
// testEnv.do holds each exchange against the document besides; these tests
// name the cases and assert the document's side too, so neither side can
// change alone.

// organisationJSON is a named report by an employer.
func organisationJSON(t *testing.T, edit func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(employerJSON), &m); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func citizenComplaint(m map[string]any) {
	m["kind"] = "complaint"
	m["complaint"] = map[string]any{"request": "要求单位为本人补缴养老保险费", "hiredOn": "2019-07", "labourContract": "signed"}
}

func TestAPIAcceptsTheTypedFormsTheDocumentAdmits(t *testing.T) {
	reporter := func(field, value string) func(m map[string]any) {
		return func(m map[string]any) { m["reporter"].(map[string]any)[field] = value }
	}
	subject := func(field, value string) func(m map[string]any) {
		return func(m map[string]any) { m["subject"].(map[string]any)[field] = value }
	}
	top := func(field, value string) func(m map[string]any) {
		return func(m map[string]any) { m[field] = value }
	}
	hired := func(value string) func(m map[string]any) {
		return func(m map[string]any) {
			citizenComplaint(m)
			m["complaint"].(map[string]any)["hiredOn"] = value
		}
	}
	tests := []struct {
		name     string
		employer bool
		edit     func(m map[string]any)
	}{
		{"phone with +86, space and hyphens", false, reporter("phone", "+86 138-0013-8000")},
		{"phone in full-width with 0086", false, reporter("phone", "００８６　１３８－００１３－８０００")},
		{"phone with 86 and an en dash", false, reporter("phone", "86 138\u20130013\u20138000")},
		{"amount with thousands and 元", false, top("amountYuan", "1,234,567.89元")},
		{"amount in full-width with a space before 元", false, top("amountYuan", "　１２３４．５６ 元")},
		{"amount with full-width commas", false, top("amountYuan", "８６，５００")},
		{"only white space as the amount", false, top("amountYuan", "  ")},
		{"ID number in full-width with a small x", false, reporter("idNumber", "１１０１０５１９４９１２３１００２ｘ")},
		{"ID number in groups", false, reporter("idNumber", "110105 19491231 002x")},
		{"empty idType is the resident ID", false, reporter("idType", "")},
		{"e-mail between spaces", false, reporter("email", " zhangsan@example.com ")},
		{"subject's ID number in full-width between spaces", false, subject("idNumber", "\u3000１１０１０５１９４９１２３１００２Ｘ ")},
		{"subject's credit code in small full-width letters", false, subject("creditCode", "９１３５０２００７７６０４９６５３ａ")},
		{"dates between spaces, no end", false, func(m map[string]any) { m["occurredFrom"], m["occurredTo"] = " 2024-01-01\t", "" }},
		{"hired in 2019年7月", false, hired("2019年7月")},
		{"hired in full-width with a slash", false, hired("２０１９／７")},
		{"hired 2019.7 with a month sign", false, hired(" 2019.7 月")},
		{"organisation's mobile with +86", true, func(m map[string]any) {
			m["organisation"].(map[string]any)["contactPhone"] = "+86 139 0013 9000"
		}},
		{"organisation's landline with extension between spaces", true, func(m map[string]any) {
			m["organisation"].(map[string]any)["contactPhone"] = " 0431-8888888-123 "
		}},
		{"organisation's credit code in small letters", true, func(m map[string]any) {
			m["organisation"].(map[string]any)["creditCode"] = " 91350200776049653a "
		}},
		{"employer's complaint with empty job fields", true, func(m map[string]any) {
			m["kind"] = "complaint"
			m["complaint"] = map[string]any{"request": "要求处理该公司拒不缴费问题", "hiredOn": "", "position": "", "labourContract": ""}
		}},
	}
	e := newTestEnv(t, func(h *Handler) { h.Config.Limits.SubmitPerIP = 2 * len(tests) })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			var body string
			if tt.employer {
				body = organisationJSON(t, tt.edit)
			} else {
				body = reportJSON(t, tt.edit)
			}
			if err := documentForbids(t, http.MethodPost, "/api/v1/reports", body, map[string]string{"Content-Type": "application/json"}); err != nil {
				t.Errorf("the document forbids it: %v", err)
			}
			resp, out := e.postJSON("/api/v1/reports", body, nil)
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("status %d, want 201\n%s", resp.StatusCode, out)
			}
		})
	}
}

func TestAPIRefusesWhatTheDocumentForbids(t *testing.T) {
	drop := func(section string) func(m map[string]any) { return func(m map[string]any) { delete(m, section) } }
	tests := []struct {
		name     string
		employer bool
		edit     func(m map[string]any)
		status   int
		field    string // the key of the 422's errors
		says     string // in its message
	}{
		{"anonymous: null", false, func(m map[string]any) { m["anonymous"] = nil }, 422, "anonymous", "不能为 null，应为布尔值（true 或 false）"},
		{"description: null", false, func(m map[string]any) { m["description"] = nil }, 422, "description", "应为字符串"},
		{"reporter: null", false, func(m map[string]any) { m["reporter"] = nil }, 422, "reporter", "应为对象"},
		{"a null in insuranceTypes", false, func(m map[string]any) { m["insuranceTypes"] = []any{"pension", nil} }, 422, "insuranceTypes", "不能为 null"},
		{"a null inside subject", false, func(m map[string]any) { m["subject"].(map[string]any)["address"] = nil }, 422, "subject.address", "不能为 null"},
		{"a reporter without ID and phone on an anonymous report", false, func(m map[string]any) {
			m["anonymous"] = true
			m["reporter"] = map[string]any{"name": "李四"}
		}, 422, "reporter", msgAnonymousNoReporter},
		{"an organisation on an anonymous report", true, func(m map[string]any) { m["anonymous"] = true }, 422, "organisation", msgAnonymousNoOrg},
		{"an organisation on a citizen's report", false, func(m map[string]any) {
			m["organisation"] = map[string]any{"name": "某公司", "creditCode": "91350200776049653A", "contactPerson": "王五", "contactPhone": "0431-88888888"}
		}, 422, "organisation", msgCitizenNoOrg},
		{"a reporter on an employer's report", true, func(m map[string]any) {
			m["reporter"] = map[string]any{"name": "李四", "idNumber": "440524188001015368", "phone": "13900139000"}
		}, 422, "reporter", msgOrgNoReporter},
		{"a complaint section on a report", false, func(m map[string]any) {
			m["complaint"] = map[string]any{"request": "要求补缴"}
		}, 422, "complaint", msgReportNoComplaint},
		{"a job on an employer's complaint", true, func(m map[string]any) {
			m["kind"] = "complaint"
			m["complaint"] = map[string]any{"request": "要求处理该公司拒不缴费问题", "hiredOn": "2019-07"}
		}, 422, "complaint.hiredOn", msgOrgComplaintNoJob},
		{"a code with a space", false, func(m map[string]any) { m["kind"] = " report" }, 422, "kind", "事项类型"},
		{"an insurance type with a space", false, func(m map[string]any) { m["insuranceTypes"] = []any{"pension "} }, 422, "insuranceTypes", "险种"},
		{"a region code with a space", false, func(m map[string]any) { m["regionCode"] = "220281 " }, 422, "regionCode", "发生地区"},
		{"a name of 100 characters and a space", false, func(m map[string]any) {
			m["subject"].(map[string]any)["name"] = strings.Repeat("某", 100) + " "
		}, 422, "subject.name", "最多100个字"},
		{"a phone padded past 40 characters", false, func(m map[string]any) {
			m["reporter"].(map[string]any)["phone"] = "13900139000" + strings.Repeat(" ", 30)
		}, 422, "reporter.phone", "手机号码"},
		{"a date in full-width", false, func(m map[string]any) { m["occurredFrom"] = "２０２４-01-01" }, 422, "occurredFrom", "有效日期"},
		{"a phone with a dotless i", false, func(m map[string]any) {
			m["reporter"].(map[string]any)["phone"] = "139ı0013900"
		}, 422, "reporter.phone", "手机号码"},
		{"a passport number with a long s", false, func(m map[string]any) {
			r := m["reporter"].(map[string]any)
			r["idType"], r["idNumber"] = "passport", "\u017f1234567"
		}, 422, "reporter.idNumber", "护照"},
		{"no reporter on a named report", false, drop("reporter"), 422, "reporter.name", "姓名"},
	}
	e := newTestEnv(t, func(h *Handler) { h.Config.Limits.SubmitPerIP = 2 * len(tests) })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			var body string
			if tt.employer {
				body = organisationJSON(t, tt.edit)
			} else {
				body = reportJSON(t, tt.edit)
			}
			if documentForbids(t, http.MethodPost, "/api/v1/reports", body, map[string]string{"Content-Type": "application/json"}) == nil {
				t.Error("the document allows it")
			}
			before := e.caseCount()
			resp, out := e.postJSON("/api/v1/reports", body, map[string]string{"Idempotency-Key": web.NewToken()})
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tt.status, out)
			}
			var got apiValidation
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			if msg := got.Errors[tt.field]; !strings.Contains(msg, tt.says) || !hasHan(msg) {
				t.Errorf("errors[%q] = %q, want it to say %q; all: %v", tt.field, msg, tt.says, got.Errors)
			}
			if n := e.caseCount(); n != before {
				t.Errorf("cases %d → %d", before, n)
			}
		})
	}
}

// A body of null is not an object: 400, as for any other non-object.
func TestAPIRefusesANullBody(t *testing.T) {
	e := newTestEnv(t)
	for _, body := range []string{"null", " null\n"} {
		resp, out := e.postJSON("/api/v1/reports", body, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(out, "JSON 对象") {
			t.Errorf("%q: status %d\n%s", body, resp.StatusCode, out)
		}
	}
}

// A message's maxLength counts the body as sent, like the report's fields;
// a shorter body padded with spaces and CRLF line ends is refused past it.
func TestAPIMessageLengthIsCountedAsSent(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.apiSubmit(validReportJSON, nil)
	path := "/api/v1/reports/" + number + "/messages"
	headers := map[string]string{"X-Access-Code": code}
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"5000 characters", strings.Repeat("补", 5000), http.StatusCreated},
		{"4990 characters and 11 spaces", strings.Repeat("补", 4990) + strings.Repeat(" ", 11), http.StatusUnprocessableEntity},
		{"2500 lines ended by CRLF", strings.Repeat("补\r\n", 2500), http.StatusUnprocessableEntity},
		{"null", "", http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			payload := map[string]any{"body": tt.body}
			if tt.name == "null" {
				payload["body"] = nil
			}
			b, _ := json.Marshal(payload)
			h := maps.Clone(headers)
			h["Idempotency-Key"] = web.NewToken()
			resp, out := e.postJSON(path, string(b), h)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tt.status, clip(out, 300))
			}
			if tt.status == http.StatusUnprocessableEntity && !strings.Contains(out, `"body"`) {
				t.Errorf("422 not at body: %s", out)
			}
		})
	}
}
