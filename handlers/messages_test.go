package handlers

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"fundwatch/casework"
)

// Citizens point 3 of issue 7: validation messages read as machine-made
// ("涉及险种必须至少包含1项", "问题描述长度必须至少为20个字符" even for an empty
// field). Each case here is one field in one state, with the exact message
// the person must read, through the JSON API and the HTML form alike.

// base says which valid submission a field is read in.
type base int

const (
	baseCitizen   base = iota // a named citizen's report
	baseEmployer              // a named employer's report
	baseComplaint             // a named citizen's complaint
)

type messageCase struct {
	name  string
	base  base
	field string // the key of the message, and the field set to value
	value any    // a string, a []string, a bool, or nil to delete the field
	want  string
	// apiOnly: the form cannot send it (occurredOn, a JSON type).
	apiOnly bool
}

const (
	msgRequest = "请填写投诉请求事项：您希望解决什么问题"
)

func messageCases() []messageCase {
	long := func(n int) string { return strings.Repeat("字", n) }
	allTypes := []string{"pension", "resident_pension", "medical", "unemployment", "work_injury", "maternity", "annuity", "other", "pension"}
	return []messageCase{
		{"kind empty", baseCitizen, "kind", "", "请选择事项类型：举报或投诉", false},
		{"kind unknown", baseCitizen, "kind", "suggestion", "事项类型只能是举报或投诉，请重新选择", false},
		{"reporter type empty", baseCitizen, "reporterType", "", "请选择反映人类型：公民个人、用人单位或其他社会组织", false},
		{"reporter type unknown", baseCitizen, "reporterType", "robot", "反映人类型只能是公民个人、用人单位或其他社会组织，请重新选择", false},
		{"category empty", baseCitizen, "category", "", "请选择问题类别", false},
		{"category unknown", baseCitizen, "category", "gossip", "问题类别不在列表中，请从列表中重新选择", false},
		{"no insurance type", baseCitizen, "insuranceTypes", []string{}, "请至少选择一个险种", false},
		{"nine insurance types", baseCitizen, "insuranceTypes", allTypes, "险种最多选择8项", false},
		{"an insurance type twice", baseCitizen, "insuranceTypes", []string{"pension", "pension"}, "每个险种只能选择一次", false},
		{"an unknown insurance type", baseCitizen, "insuranceTypes", []string{"pension", "lottery"}, "险种不在列表中，请从列表中重新选择", false},
		{"region empty", baseCitizen, "regionCode", "", "请选择发生地区", false},
		{"region outside Jilin", baseCitizen, "regionCode", "110101", "发生地区不在列表中，请选择吉林省内的市（州）或县（市、区）", false},
		{"region the province itself", baseCitizen, "regionCode", "220000", "发生地区不在列表中，请选择吉林省内的市（州）或县（市、区）", false},

		{"start tomorrow", baseCitizen, "occurredFrom", "2026-11-28", "开始日期不能晚于今天", false},
		{"start before 1990", baseCitizen, "occurredFrom", "1989-12-31", "开始日期不能早于1990年1月1日，请核对年份", false},
		{"start not a date", baseCitizen, "occurredFrom", "2025-02-30", "开始日期应为有效日期，格式如 2026-01-31", false},
		{"end tomorrow", baseCitizen, "occurredTo", "2026-11-28", "结束日期不能晚于今天", false},
		{"end before start", baseCitizen, "occurredTo", "2026-02-28", "结束日期不能早于开始日期", false},
		{"end not a date", baseCitizen, "occurredTo", "31/01/2026", "结束日期应为有效日期，格式如 2026-01-31", false},
		{"the old name beside the new", baseCitizen, "occurredOn", "2025-01-01",
			"occurredOn 是 occurredFrom 的旧名称，两者只能填写一个，请只填写 occurredFrom", true},

		{"amount too long", baseCitizen, "amountYuan", strings.Repeat("1", 41), "涉及金额太长了，请只填写以元为单位的数字，如 12000.50", false},
		{"amount on two lines", baseCitizen, "amountYuan", "12\n000", "涉及金额只能是一行数字，如 12000.50", false},
		{"amount in letters", baseCitizen, "amountYuan", "abc", string(casework.ErrAmountMalformed), false},
		{"amount in 万", baseCitizen, "amountYuan", "十二万", string(casework.ErrAmountUnit), false},
		{"amount with three decimals", baseCitizen, "amountYuan", "100.005", string(casework.ErrAmountPrecision), false},

		{"subject name empty", baseCitizen, "subject.name", "", "请填写被反映单位或个人的名称", false},
		{"subject name only spaces", baseCitizen, "subject.name", "  \u3000 ", "请填写被反映单位或个人的名称", false},
		{"subject name too long", baseCitizen, "subject.name", long(101), "被反映对象名称最多100个字，请填写全称，不必加说明", false},
		{"subject name with a zero-width space", baseCitizen, "subject.name", "某某\u200b公司", "被反映对象名称" + msgOneLine, false},
		{"subject credit code malformed", baseCitizen, "subject.creditCode", "9135020077", msgCredit + "；不知道可以不填", false},
		{"subject credit code with a bad check", baseCitizen, "subject.creditCode", "91350200776049653B", creditCodeConfirmMsg, false},
		{"subject ID number malformed", baseCitizen, "subject.idNumber", "22010219800101", "被反映人的身份证号码应为18位，请核对出生日期和最后一位校验码；不知道可以不填", false},
		{"legal representative too long", baseCitizen, "subject.legalRepresentative", long(51), "法定代表人姓名最多50个字", false},
		{"legal representative with a tab", baseCitizen, "subject.legalRepresentative", "王\t某", "法定代表人姓名" + msgOneLine, false},
		{"address too long", baseCitizen, "subject.address", long(201), "地址最多200个字，请写到门牌号即可", false},
		{"address on two lines", baseCitizen, "subject.address", "长春市\n南关区", "地址" + msgOneLine, false},

		{"description empty", baseCitizen, "description", "", "请填写问题描述", false},
		{"description only spaces", baseCitizen, "description", " \n\n ", "请填写问题描述", false},
		{"description of 19 characters", baseCitizen, "description", long(19),
			"问题描述至少需要20个字，请写明谁、在什么时间、用什么方式、造成了什么后果，以及有哪些证据", false},
		{"description of 5001 characters", baseCitizen, "description", long(5001), "问题描述最多5000字，请精简；提交后还可以在进度查询中分次补充", false},
		{"description with a NUL", baseCitizen, "description", long(20) + "\x00", "问题描述" + msgReadable, false},

		{"complaint request empty", baseComplaint, "complaint.request", "", msgRequest, false},
		{"complaint request missing", baseComplaint, "complaint.request", nil, msgRequest, false},
		{"complaint request of 3 characters", baseComplaint, "complaint.request", "补缴费", "投诉请求事项至少需要4个字，请写明希望解决什么问题", false},
		{"complaint request of 1001 characters", baseComplaint, "complaint.request", long(1001), "投诉请求事项最多1000字，请精简，事实经过写在问题描述中", false},
		{"complaint request with a NUL", baseComplaint, "complaint.request", "要求补缴\x00社保", "投诉请求事项" + msgReadable, false},
		{"hired on empty", baseComplaint, "complaint.hiredOn", "", "请填写入职时间（年月），如 2019-07", false},
		{"hired on in words", baseComplaint, "complaint.hiredOn", "前年七月", "入职时间请填写年和月，如 2019-07", false},
		{"hired on next month", baseComplaint, "complaint.hiredOn", "2026-12", "入职时间不能晚于本月", false},
		{"hired on in 1949", baseComplaint, "complaint.hiredOn", "1949年12月", "入职时间不能早于1950年，请核对年份", false},
		{"position too long", baseComplaint, "complaint.position", long(51), "岗位最多50个字，如“仓库保管员”", false},
		{"position on two lines", baseComplaint, "complaint.position", "厨师\n帮工", "岗位" + msgOneLine, false},
		{"labour contract not answered", baseComplaint, "complaint.labourContract", "", "请选择是否与单位签订了书面劳动合同", false},
		{"labour contract unknown", baseComplaint, "complaint.labourContract", "maybe", "劳动合同情况不在选项中，请重新选择", false},
		{"anonymous complaint", baseComplaint, "anonymous", true, casework.MsgComplaintNotAnonymous, false},

		{"name empty", baseCitizen, "reporter.name", "", "请填写您的姓名", false},
		{"name too long", baseCitizen, "reporter.name", long(51), "姓名最多50个字", false},
		{"name with a direction mark", baseCitizen, "reporter.name", "张\u202e三", "姓名" + msgOneLine, false},
		{"document type unknown", baseCitizen, "reporter.idType", "driving_licence", "证件类型不在列表中，请重新选择", false},
		{"document number empty", baseCitizen, "reporter.idNumber", "", "请填写证件号码", false},
		{"resident ID with a wrong check", baseCitizen, "reporter.idNumber", "110105194912310021", casework.IDDocumentProblem(casework.DocResidentID), false},
		{"phone empty", baseCitizen, "reporter.phone", "", "请填写手机号码，承办人员需要时会与您联系", false},
		{"phone of 10 digits", baseCitizen, "reporter.phone", "2380013800", "手机号码应为以1开头的11位数字，请核对", false},
		{"email too long", baseCitizen, "reporter.email", strings.Repeat("a", 90) + "@example.com", "电子邮箱最多100个字符", false},
		{"email without domain", baseCitizen, "reporter.email", "zhangsan@", "电子邮箱格式不正确，请核对，如 zhangsan@example.com；没有可以不填", false},

		{"organisation name empty", baseEmployer, "organisation.name", "", "请填写单位名称", false},
		{"organisation name too long", baseEmployer, "organisation.name", long(101), "单位名称最多100个字，请填写营业执照上的全称", false},
		{"organisation name on two lines", baseEmployer, "organisation.name", "某某\n公司", "单位名称" + msgOneLine, false},
		{"organisation credit code empty", baseEmployer, "organisation.creditCode", "", "请填写单位的统一社会信用代码", false},
		{"organisation credit code malformed", baseEmployer, "organisation.creditCode", "91350200776049653S", msgCredit, false},
		{"organisation credit code with a bad check", baseEmployer, "organisation.creditCode", "91350200776049653B", creditCodeConfirmMsg, false},
		{"contact person empty", baseEmployer, "organisation.contactPerson", "", "请填写联系人姓名", false},
		{"contact person too long", baseEmployer, "organisation.contactPerson", long(51), "联系人姓名最多50个字", false},
		{"contact person with a tab", baseEmployer, "organisation.contactPerson", "王\t五", "联系人姓名" + msgOneLine, false},
		{"contact phone empty", baseEmployer, "organisation.contactPhone", "", "请填写联系电话", false},
		{"contact phone too short", baseEmployer, "organisation.contactPhone", "12345", "联系电话应为11位手机号码，或带区号的固定电话，如 0431-88888888", false},

		{"notice not acknowledged", baseCitizen, "acknowledgeNotice", false, msgAcknowledgeNotice, false},
	}
}

// documentCases: each document type with a number of another's format.
func documentCases() []messageCase {
	var out []messageCase
	for _, d := range casework.IDDocuments() {
		bad := "AB"
		out = append(out, messageCase{"a bad " + d.Label + " number", baseCitizen, "reporter.idNumber", bad, d.Problem, false})
	}
	return out
}

// json returns the valid API body of b.
func (b base) json(t *testing.T) map[string]any {
	t.Helper()
	m := jsonBase(b == baseEmployer)
	m["occurredFrom"] = "2026-03-01"
	if b == baseComplaint {
		m["kind"] = "complaint"
		m["complaint"] = map[string]any{"request": "要求单位补缴2025年3月以来的养老保险费。", "hiredOn": "2019-07",
			"position": "仓库保管员", "labourContract": "signed"}
	}
	return m
}

func (b base) form(csrf, idem string) url.Values {
	v := validReportForm(csrf, idem)
	switch b {
	case baseEmployer:
		employerReport(v)
	case baseComplaint:
		complaintForm(v)
	}
	return v
}

func TestEveryFieldSaysWhatToDoInItsOwnWords(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) { h.Config.Limits.SubmitPerIP = -1 })
	cases := append(messageCases(), documentCases()...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := e.in(t)
			m := tc.base.json(t)
			if tc.field == "reporter.idNumber" && strings.HasPrefix(tc.name, "a bad ") {
				for _, d := range casework.IDDocuments() {
					if strings.HasSuffix(tc.name, " "+d.Label+" number") {
						setPath(m, "reporter.idType", d.Code)
					}
				}
			}
			if tc.value == nil {
				delete(m["complaint"].(map[string]any), strings.TrimPrefix(tc.field, "complaint."))
			} else {
				setPath(m, tc.field, tc.value)
			}
			if tc.field == "occurredTo" && tc.want == "结束日期不能早于开始日期" {
				m["occurredFrom"] = "2026-03-01"
			}
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			resp, body := e.postJSON("/api/v1/reports", string(b), nil)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("API: status %d, want 422\n%s", resp.StatusCode, body)
			}
			var got apiValidation
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			if got.Errors[tc.field] != tc.want {
				t.Errorf("API message at %s = %q, want %q (all: %v)", tc.field, got.Errors[tc.field], tc.want, got.Errors)
			}
			if tc.apiOnly {
				return
			}

			csrf, idem := e.formTokens("/report")
			v := tc.base.form(csrf, idem)
			switch val := tc.value.(type) {
			case nil:
				v.Del(tc.field)
			case string:
				v.Set(tc.field, val)
			case []string:
				v[tc.field] = val
			case bool:
				if val {
					v.Set(tc.field, "true")
				} else {
					v.Del(tc.field)
				}
			}
			if tc.field == "reporter.idNumber" {
				v.Set("reporter.idType", setIDType(m))
			}
			resp, page := e.postForm("/report", v)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("form: status %d, want 422\n%s", resp.StatusCode, mainOf(page))
			}
			if msg := fieldError(page, tc.field); msg != html.EscapeString(tc.want) {
				t.Errorf("form message at %s = %q, want %q", tc.field, html.UnescapeString(msg), tc.want)
			}
		})
	}
}

func setIDType(m map[string]any) string {
	r, _ := m["reporter"].(map[string]any)
	s, _ := r["idType"].(string)
	return s
}

// TestEveryCheckOfEveryFieldHasAHandWrittenMessage walks reportInput: every
// tag of every validate rule must have its message in fieldMessages, and no
// message may read like the library's generated ones.
func TestEveryCheckOfEveryFieldHasAHandWrittenMessage(t *testing.T) {
	seen := map[string]bool{}
	var walk func(t reflect.Type, prefix string)
	walk = func(typ reflect.Type, prefix string) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			key := strings.Split(f.Tag.Get("json"), ",")[0]
			if key == "-" || key == "" {
				continue
			}
			key = prefix + key
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				walk(ft, key+".")
				continue
			}
			for _, rule := range strings.Split(f.Tag.Get("validate"), ",") {
				tag, _, _ := strings.Cut(rule, "=")
				if tag == "" || tag == "omitempty" || tag == "dive" {
					continue
				}
				seen[key+" "+tag] = true
				if _, ok := fieldMessages[key][tag]; !ok {
					t.Errorf("field %s: no message for its check %q in fieldMessages", key, tag)
				}
			}
		}
	}
	walk(reflect.TypeFor[reportInput](), "")
	for key, tags := range fieldMessages {
		for tag, msg := range tags {
			if !seen[key+" "+tag] {
				t.Errorf("fieldMessages[%q][%q] belongs to no check", key, tag)
			}
			for _, machine := range []string{"必须", "长度", "{0}", "字符串", "有效的"} {
				if strings.Contains(msg, machine) {
					t.Errorf("fieldMessages[%q][%q] = %q reads like a generated message (%q)", key, tag, msg, machine)
				}
			}
		}
	}
}
