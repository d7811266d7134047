package handlers

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"fundwatch/casework"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

var (
	caseNumberFormat = regexp.MustCompile(`^\d{4}-\d{6}$`)
	accessCodeFormat = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$`)
)

// The named citizen of validReportForm.
const (
	reporterName     = "张三"
	reporterIDTyped  = "11010519491231002x"
	reporterID       = "11010519491231002X"
	reporterPhoneRaw = "138 0013 8000"
	reporterPhone    = "13800138000"
)

func TestNamedReportShowsReceiptWithNumberCodeAndWarning(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.submitForm(nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200\n%s", resp.StatusCode, mainOf(body))
	}
	number, code := receiptOf(t, body)
	if !caseNumberFormat.MatchString(number) || !strings.HasPrefix(number, "2026-") {
		t.Errorf("number %q, want 2026-NNNNNN", number)
	}
	if !accessCodeFormat.MatchString(code) {
		t.Errorf("access code %q, want six groups of four", code)
	}
	for _, want := range []string{"提交成功", "请立即抄写、拍照或打印保存下面的查询编号和查询码", "查询码只在这里显示", "平台不保存查询码原文"} {
		if !strings.Contains(body, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	for _, secret := range []string{reporterName, reporterIDTyped, reporterID, reporterPhoneRaw, reporterPhone} {
		if strings.Contains(body, secret) {
			t.Errorf("receipt shows the reporter's %q", secret)
		}
	}
	if strings.Contains(body, "已经提交过") {
		t.Error("a first submission is shown as a repeat")
	}
}

func TestNamedReportIsStoredAsReceivedWithSealedIdentity(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	if n := e.caseCount(); n != 1 {
		t.Fatalf("%d cases stored, want 1", n)
	}
	c := e.caseByNumber(number)
	if c.Status != store.StatusReceived {
		t.Errorf("status %q, want received", c.Status)
	}
	if c.Channel != store.ChannelFundSupervision {
		t.Errorf("channel %q, want fund_supervision", c.Channel)
	}
	if !c.AmountGiven || c.AmountFen != 8650000 {
		t.Errorf("amount %d fen (given %v), want 8650000 for 86,500.00 yuan", c.AmountFen, c.AmountGiven)
	}
	if c.OccurredFrom != "2026-03-01" || c.OccurredTo != "" {
		t.Errorf("occurred %q–%q, want from 2026-03-01", c.OccurredFrom, c.OccurredTo)
	}
	if c.NoticeVersion != casework.NoticeVersion {
		t.Errorf("notice version %q, want %q", c.NoticeVersion, casework.NoticeVersion)
	}
	if c.Kind != "report" || c.Category != "unpaid_contributions" || c.RegionCode != "220102" || c.Anonymous {
		t.Errorf("stored kind %q category %q region %q anonymous %v", c.Kind, c.Category, c.RegionCode, c.Anonymous)
	}
	if strings.Join(c.InsuranceTypes, ",") != "pension,unemployment" {
		t.Errorf("insurance types %v", c.InsuranceTypes)
	}
	if c.Subject.Name != "长春某某商贸有限公司" || c.Subject.CreditCode != "91350200776049653A" {
		t.Errorf("subject %+v", c.Subject)
	}
	if !e.h.Keyring.CheckAccessCode(c, code) {
		t.Error("stored access code hash does not match the receipt's code")
	}
	if len(c.ReporterSealed) == 0 {
		t.Fatal("named report stored without a sealed identity")
	}
	id, err := e.h.Keyring.OpenIdentity(c.ID, c.ReporterSealed)
	if err != nil {
		t.Fatalf("open identity: %v", err)
	}
	if id.Name != reporterName || id.IDNumber != reporterID || id.Phone != reporterPhone || id.Email != "" {
		t.Errorf("sealed identity %q %q %q %q, want %s %s %s", id.Name, id.IDNumber, id.Phone, id.Email,
			reporterName, reporterID, reporterPhone)
	}
	events, err := e.store.CaseEvents(context.Background(), c.ID)
	if err != nil || len(events) != 1 || events[0].ToStatus != store.StatusReceived {
		t.Errorf("events %+v, %v; want one received event", events, err)
	}
	if !c.CreatedAt.Equal(e.h.now()) {
		t.Errorf("created at %v, want the clock's %v", c.CreatedAt, e.h.now())
	}
}

func TestDatabaseFilesNeverHoldReporterIdentityInClear(t *testing.T) {
	e := newTestEnv(t)
	if e.dbPath == "" {
		t.Skip("reads the SQLite files; on MongoDB the sealed identity is checked by TestNamedReportIsStoredAsReceivedWithSealedIdentity")
	}
	e.submitValid()
	var raw []byte
	for _, p := range []string{e.dbPath, e.dbPath + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	if len(raw) == 0 {
		t.Fatal("database files are empty")
	}
	// The subject is public case content and must be there: proves we read
	// the right files.
	if !bytes.Contains(raw, []byte("长春某某商贸有限公司")) {
		t.Fatal("subject name not found in the database files; wrong files read?")
	}
	for _, secret := range []string{reporterName, reporterID, reporterIDTyped, reporterPhone} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("database files contain the reporter's %q in clear", secret)
		}
	}
}

func TestAnonymousReportStoresNoIdentityEvenWhenSent(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.submitForm(func(v url.Values) {
		v.Set("anonymous", "true")
		v.Set("reporter.email", "zhangsan@example.com")
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(body))
	}
	number, _ := receiptOf(t, body)
	if !strings.Contains(body, "匿名") {
		t.Error("receipt does not say the report is anonymous")
	}
	c := e.caseByNumber(number)
	if !c.Anonymous || c.ReporterSealed != nil {
		t.Errorf("anonymous %v, sealed identity %d bytes; want anonymous with none", c.Anonymous, len(c.ReporterSealed))
	}
	var raw []byte
	for _, p := range []string{e.dbPath, e.dbPath + "-wal"} {
		if p == "" || p == "-wal" {
			continue // not on SQLite: ReporterSealed == nil above is the check
		}
		b, _ := os.ReadFile(p)
		raw = append(raw, b...)
	}
	for _, secret := range []string{reporterName, reporterID, reporterPhone, "zhangsan@example.com"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("anonymous report stored the %q it was sent", secret)
		}
	}
}

// employerReport turns the valid form into a named report by an employer.
func employerReport(v url.Values) {
	v.Set("reporterType", "employer")
	v.Del("reporter.name")
	v.Del("reporter.idNumber")
	v.Del("reporter.phone")
	v.Set("organisation.name", "吉林某某建筑工程有限公司")
	v.Set("organisation.creditCode", "91350200776049653A")
	v.Set("organisation.contactPerson", "王五")
	v.Set("organisation.contactPhone", "0431-88888888")
}

func TestEmployerReportWithValidCreditCodeIsStoredSealed(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.submitForm(employerReport)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(body))
	}
	number, _ := receiptOf(t, body)
	c := e.caseByNumber(number)
	if c.ReporterType != store.ReporterEmployer {
		t.Errorf("reporter type %q", c.ReporterType)
	}
	id, err := e.h.Keyring.OpenIdentity(c.ID, c.ReporterSealed)
	if err != nil {
		t.Fatal(err)
	}
	if id.OrgName != "吉林某某建筑工程有限公司" || id.CreditCode != "91350200776049653A" ||
		id.ContactPerson != "王五" || id.ContactPhone != "0431-88888888" || id.Name != "" {
		t.Errorf("sealed organisation identity %+v", id)
	}
	if strings.Contains(body, "吉林某某建筑工程有限公司") || strings.Contains(body, "王五") {
		t.Error("receipt shows the reporting organisation")
	}
}

func TestCreditCodeWithBadChecksumAsksToConfirmThenAccepts(t *testing.T) {
	const badChecksum = "91350200776049653B"
	if casework.CreditCodeStatus(badChecksum) != casework.CreditCodeBadChecksum {
		t.Fatalf("test code %s is not a bad-checksum code", badChecksum)
	}
	for _, field := range []string{"subject.creditCode", "organisation.creditCode"} {
		t.Run(field, func(t *testing.T) {
			e := newTestEnv(t)
			csrf, idem := e.formTokens("/report")
			v := validReportForm(csrf, idem)
			if field == "organisation.creditCode" {
				employerReport(v)
			}
			v.Set(field, badChecksum)
			resp, body := e.postForm("/report", v)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", resp.StatusCode, mainOf(body))
			}
			if msg := fieldError(body, field); msg != html.EscapeString(creditCodeConfirmMsg) {
				t.Errorf("message at %s = %q, want the confirm message", field, msg)
			}
			confirm := strings.TrimSuffix(field, "creditCode") + "confirmCreditCode"
			if !strings.Contains(body, `name="`+confirm+`" value="true"`) {
				t.Errorf("no confirm checkbox %s", confirm)
			}
			if !strings.Contains(body, `value="`+badChecksum+`"`) {
				t.Error("the typed credit code is not kept")
			}
			if n := e.caseCount(); n != 0 {
				t.Fatalf("%d cases stored before confirmation", n)
			}
			v.Set(confirm, "true")
			resp, body = e.postForm("/report", v)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("confirmed: status %d, want 200\n%s", resp.StatusCode, mainOf(body))
			}
			receiptOf(t, body)
			if n := e.caseCount(); n != 1 {
				t.Errorf("%d cases stored after confirmation, want 1", n)
			}
		})
	}
}

func TestInvalidReportFormIsShownAgainWithMessageAndNothingStored(t *testing.T) {
	allTypes := []string{"pension", "resident_pension", "medical", "unemployment", "work_injury",
		"maternity", "annuity", "other", "pension"}
	feb30 := idNumberWithCheck("11010519900230123")
	badCheck := "110105194912310021"
	if casework.ValidIDNumber(feb30) || casework.ValidIDNumber(badCheck) {
		t.Fatal("test ID numbers are valid")
	}
	tests := []struct {
		name  string
		edit  func(v url.Values)
		field string
		kept  []string // what the user typed, shown again
	}{
		{"missing kind", func(v url.Values) { v.Del("kind") }, "kind", []string{"长春某某商贸有限公司"}},
		{"bad category", func(v url.Values) { v.Set("category", "gossip") }, "category", []string{"长春某某商贸有限公司"}},
		{"no insurance type", func(v url.Values) { v.Del("insuranceTypes") }, "insuranceTypes", []string{"长春某某商贸有限公司"}},
		{"nine insurance types", func(v url.Values) { v["insuranceTypes"] = allTypes }, "insuranceTypes",
			[]string{`value="annuity" checked`}},
		{"unknown region", func(v url.Values) { v.Set("regionCode", "110101") }, "regionCode", []string{"长春某某商贸有限公司"}},
		{"province as region", func(v url.Values) { v.Set("regionCode", "220000") }, "regionCode", []string{"长春某某商贸有限公司"}},
		{"missing subject name", func(v url.Values) { v.Set("subject.name", "  ") }, "subject.name",
			[]string{"该公司自2025年3月起按最低缴费基数"}},
		{"description under 20 characters", func(v url.Values) { v.Set("description", "公司不交社保，请查处。") },
			"description", []string{">公司不交社保，请查处。</textarea>"}},
		{"description over 5000 characters", func(v url.Values) { v.Set("description", strings.Repeat("欠", 5001)) },
			"description", []string{strings.Repeat("欠", 5001)}},
		{"ID number with wrong check character", func(v url.Values) { v.Set("reporter.idNumber", badCheck) },
			"reporter.idNumber", []string{`value="` + badCheck + `"`}},
		{"ID number born on 30 February", func(v url.Values) { v.Set("reporter.idNumber", feb30) },
			"reporter.idNumber", []string{`value="` + feb30 + `"`}},
		{"bad mobile number", func(v url.Values) { v.Set("reporter.phone", "2380013800") },
			"reporter.phone", []string{`value="2380013800"`}},
		{"bad email", func(v url.Values) { v.Set("reporter.email", "zhangsan@") },
			"reporter.email", []string{`value="zhangsan@"`}},
		{"amount with three decimals", func(v url.Values) { v.Set("amountYuan", "100.005") },
			"amountYuan", []string{`value="100.005"`}},
		{"negative amount", func(v url.Values) { v.Set("amountYuan", "-500") },
			"amountYuan", []string{`value="-500"`}},
		{"amount in letters", func(v url.Values) { v.Set("amountYuan", "abc") },
			"amountYuan", []string{`value="abc"`}},
		{"occurred in the future", func(v url.Values) { v.Set("occurredFrom", "2026-11-28") },
			"occurredFrom", []string{`value="2026-11-28"`}},
		{"invalid UTF-8 in description", func(v url.Values) {
			v.Set("description", "该公司长期少报缴费基数，职工工资远高于申报数\xff\xfe额。")
		}, "description", []string{"该公司长期少报缴费基数"}},
		{"NUL in description", func(v url.Values) {
			v.Set("description", "该公司长期少报缴费基数，\x00职工工资远高于申报数额。")
		}, "description", []string{"该公司长期少报缴费基数"}},
		{"control character in subject name", func(v url.Values) { v.Set("subject.name", "某某公司\x07") },
			"subject.name", []string{"该公司自2025年3月起"}},
	}
	e := newTestEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			resp, body := e.submitForm(tt.edit)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", resp.StatusCode, mainOf(body))
			}
			msg := fieldError(body, tt.field)
			t.Logf("message at %s: %s", tt.field, msg)
			if msg == "" || !hasHan(msg) {
				t.Errorf("no Chinese message at field %s (got %q)\n%s", tt.field, msg, mainOf(body))
			}
			if !strings.Contains(body, `class="field has-error" id="f-`+tt.field+`"`) {
				t.Errorf("field %s not marked has-error", tt.field)
			}
			if !strings.Contains(body, "提交的内容有需要修改的地方") {
				t.Error("no error summary")
			}
			for _, k := range tt.kept {
				if !strings.Contains(body, k) {
					t.Errorf("input not kept: page lacks %q", clip(k, 80))
				}
			}
			// The rest of the form is kept too.
			if tt.field != "reporter.phone" && !strings.Contains(body, `value="`+reporterPhoneRaw+`"`) {
				t.Error("reporter phone not kept as typed")
			}
			if !strings.Contains(body, `name="idem" value="`) {
				t.Error("form shown again without its idempotency token")
			}
			if n := e.caseCount(); n != 0 {
				t.Fatalf("%d cases stored from invalid input", n)
			}
		})
	}
}

func TestReportFormKeepsIdempotencyTokenAfterInvalidInput(t *testing.T) {
	e := newTestEnv(t)
	csrf, idem := e.formTokens("/report")
	v := validReportForm(csrf, idem)
	v.Set("description", "太短")
	_, body := e.postForm("/report", v)
	if m := idemField.FindStringSubmatch(body); m == nil || m[1] != idem {
		t.Fatalf("422 form has idem %v, want the same %q so a fix-and-resubmit is one submission", m, idem)
	}
	v = validReportForm(csrf, idem)
	resp, body := e.postForm("/report", v)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("corrected: status %d\n%s", resp.StatusCode, mainOf(body))
	}
}

func TestRoutingToChannelIsShownOnReceipt(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(v url.Values)
		channel string
		notice  string
	}{
		{"medical and maternity only goes to medical security", func(v url.Values) {
			v["insuranceTypes"] = []string{"medical", "maternity"}
			v.Set("category", "fraudulent_claims")
		}, store.ChannelMedicalSecurity, "医疗保障部门"},
		{"complaint goes to labour inspection", complaintForm, store.ChannelLabourInspection, "劳动保障监察"},
		{"mixed report stays with fund supervision", func(v url.Values) {
			v["insuranceTypes"] = []string{"medical", "pension"}
		}, store.ChannelFundSupervision, "社会保险基金监督机构"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			resp, body := e.submitForm(tt.edit)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(body))
			}
			number, _ := receiptOf(t, body)
			if c := e.caseByNumber(number); c.Channel != tt.channel {
				t.Errorf("channel %q, want %q", c.Channel, tt.channel)
			}
			if !strings.Contains(body, tt.notice) || !strings.Contains(body, casework.ChannelNotice(tt.channel)) {
				t.Errorf("receipt lacks the channel notice %q", tt.notice)
			}
		})
	}
}

func TestSameFormPostedTwiceStoresOneCaseAndShowsSameReceipt(t *testing.T) {
	e := newTestEnv(t)
	csrf, idem := e.formTokens("/report")
	v := validReportForm(csrf, idem)
	resp, first := e.postForm("/report", v)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first: status %d", resp.StatusCode)
	}
	n1, c1 := receiptOf(t, first)
	resp, second := e.postForm("/report", v)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("second: status %d, want 200\n%s", resp.StatusCode, mainOf(second))
	}
	n2, c2 := receiptOf(t, second)
	if n1 != n2 || c1 != c2 {
		t.Errorf("second receipt %s/%s, want the first %s/%s", n2, c2, n1, c1)
	}
	if !strings.Contains(second, "已经提交过") {
		t.Error("second receipt does not say the content was already submitted")
	}
	if n := e.caseCount(); n != 1 {
		t.Errorf("%d cases stored, want 1", n)
	}
}

func TestSameIdempotencyTokenWithOtherContentIsConflict(t *testing.T) {
	e := newTestEnv(t)
	csrf, idem := e.formTokens("/report")
	v := validReportForm(csrf, idem)
	if resp, _ := e.postForm("/report", v); resp.StatusCode != http.StatusOK {
		t.Fatalf("first: status %d", resp.StatusCode)
	}
	v.Set("description", "这是另一件事：该公司还拖欠了工伤保险费，涉及职工三十余人，时间超过一年。")
	resp, body := e.postForm("/report", v)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("status %d, want 409\n%s", resp.StatusCode, mainOf(body))
	}
	for _, want := range []string{"错误 409", "这份表单已经提交过一次，且内容与本次不同"} {
		if !strings.Contains(body, want) {
			t.Errorf("409 page lacks %q", want)
		}
	}
	if receiptCode.MatchString(body) {
		t.Error("409 page shows an access code")
	}
	if n := e.caseCount(); n != 1 {
		t.Errorf("%d cases stored, want 1", n)
	}
}

func TestMissingOrGarbageIdempotencyTokenKeepsInputAndStoresNothing(t *testing.T) {
	e := newTestEnv(t)
	for _, idem := range []string{"", "short", "<script>alert(1)</script>aaaaaaaaaaaaaa", strings.Repeat("a", 129)} {
		t.Run("idem="+clip(idem, 20), func(t *testing.T) {
			e := e.in(t)
			csrf, _ := e.formTokens("/report")
			v := validReportForm(csrf, idem)
			if idem == "" {
				v.Del("idem")
			}
			resp, body := e.postForm("/report", v)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", resp.StatusCode, mainOf(body))
			}
			if !strings.Contains(body, "表单已失效，请核对内容后再次提交。") {
				t.Error("no message about the stale form")
			}
			for _, kept := range []string{"长春某某商贸有限公司", "该公司自2025年3月起", `value="` + reporterPhoneRaw + `"`} {
				if !strings.Contains(body, kept) {
					t.Errorf("input not kept: %q", kept)
				}
			}
			m := idemField.FindStringSubmatch(body)
			if m == nil || !web.ValidToken(m[1]) || m[1] == idem {
				t.Errorf("form shown again without a fresh token: %v", m)
			}
			if n := e.caseCount(); n != 0 {
				t.Fatalf("%d cases stored", n)
			}
		})
	}
}

func TestHoneypotFieldFilledIsRefused(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.submitForm(func(v url.Values) { v.Set("website", "http://spam.example") })
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	if !strings.Contains(body, "提交未通过自动校验") {
		t.Error("no message")
	}
	if n := e.caseCount(); n != 0 {
		t.Errorf("%d cases stored", n)
	}
}

func TestSubmitRateLimitPerClient(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) {
		h.Config.Limits.SubmitPerIP = 2
		h.Config.TrustedProxies = []string{"0.0.0.0"}
	})
	from := func(ip string) (*http.Response, string) {
		csrf, idem := e.formTokens("/report")
		return e.postFormFrom("/report", validReportForm(csrf, idem), map[string]string{"X-Forwarded-For": ip})
	}
	for i := range 2 {
		if resp, body := from("198.51.100.7"); resp.StatusCode != http.StatusOK {
			t.Fatalf("submission %d: status %d\n%s", i+1, resp.StatusCode, mainOf(body))
		}
	}
	resp, body := from("198.51.100.7")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third submission: status %d, want 429", resp.StatusCode)
	}
	for _, want := range []string{"操作过于频繁", "12345"} {
		if !strings.Contains(body, want) {
			t.Errorf("429 page lacks %q", want)
		}
	}
	if n := e.caseCount(); n != 2 {
		t.Errorf("%d cases stored, want 2", n)
	}
	if resp, _ := from("198.51.100.8"); resp.StatusCode != http.StatusOK {
		t.Errorf("another client: status %d, want 200", resp.StatusCode)
	}
	e.advance(e.h.Config.Limits.Window)
	if resp, _ := from("198.51.100.7"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the window: status %d, want 200", resp.StatusCode)
	}
}

func TestSubmitRateLimitMinusOneDisables(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) { h.Config.Limits.SubmitPerIP = -1 })
	for i := range 25 {
		if resp, _ := e.submitForm(nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("submission %d: status %d", i+1, resp.StatusCode)
		}
	}
}

func TestSubmitRateLimitDefaultsApplyWhenUnset(t *testing.T) {
	e := newTestEnv(t)
	if got, want := e.h.Config.Limits, DefaultLimits(); got != want {
		t.Errorf("limits %+v, want defaults %+v", got, want)
	}
}

func TestMixedMedicalAndPensionReportSaysTheMedicalPartIsPassedOn(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.submitForm(func(v url.Values) {
		v["insuranceTypes"] = []string{"pension", "medical"}
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !strings.Contains(body, casework.MixedMedicalNotice) || !strings.Contains(body, "社会保险基金监督机构受理") {
		t.Errorf("receipt of a mixed report lacks the channel and the medical note:\n%s", mainOf(body))
	}
	number, _ := receiptOf(t, body)
	if c := e.caseByNumber(number); c.Channel != "fund_supervision" {
		t.Errorf("channel %q, want fund_supervision", c.Channel)
	}
}

func TestErrorSummaryListsProblemsInFormOrder(t *testing.T) {
	// Alphabetically the keys would run amountYuan, description, subject.name;
	// on the form the subject comes before the description.
	e := newTestEnv(t)
	resp, body := e.submitForm(func(v url.Values) {
		v.Set("description", "太短")
		v.Set("subject.name", "")
		v.Set("amountYuan", "abc")
	})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	amount := strings.Index(body, `<li><a href="#f-amountYuan">`)
	subject := strings.Index(body, `<li><a href="#f-subject.name">`)
	desc := strings.Index(body, `<li><a href="#f-description">`)
	if amount < 0 || subject < 0 || desc < 0 || !(amount < subject && subject < desc) {
		t.Errorf("summary positions: amountYuan %d, subject.name %d, description %d; want form order", amount, subject, desc)
	}
}
