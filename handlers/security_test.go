package handlers

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Citizens point 4 of issue 7: an expired form lost the report (the 403
// page said go back and refresh, which cleared the ID number and then the
// description). Now the form comes back with everything typed, a fresh
// token and one line saying why; still 403, and nothing stored.
func TestPostWithoutValidCSRFTokenShowsTheFormAgainAsTyped(t *testing.T) {
	tests := []struct {
		name string
		edit func(e *testEnv, v url.Values)
	}{
		{"no token", func(e *testEnv, v url.Values) { v.Del("_csrf") }},
		{"wrong token", func(e *testEnv, v url.Values) { v.Set("_csrf", "0123456789abcdef0123456789abcdef") }},
		{"token but no cookie (browser restarted)", func(e *testEnv, v url.Values) { delete(e.cookies, "fw_csrf") }},
		{"cookie and token agree but were never issued", func(e *testEnv, v url.Values) {
			v.Set("_csrf", "forged-token-value")
			e.cookies["fw_csrf"] = "forged-token-value"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			csrf, idem := e.formTokens("/report")
			v := validReportForm(csrf, idem)
			complaintForm(v)
			v.Set("reporter.email", "zhangsan@example.com")
			v.Set("occurredTo", "2026-10-31")
			v.Set("subject.legalRepresentative", "王某某")
			tt.edit(e, v)
			resp, body := e.postForm("/report", v)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
			if !strings.Contains(body, `<strong>`+msgReportExpired+`</strong>`) {
				t.Errorf("no line saying why the form came back:\n%s", mainOf(body))
			}
			kept := []string{
				`value="长春某某商贸有限公司"`, `value="91350200776049653A"`, `value="86,500.00"`, `value="2026-03-01"`,
				`value="2026-10-31"`, `value="王某某"`, ">该公司自2025年3月起按最低缴费基数为全部职工申报养老保险，实际工资远高于申报基数。</textarea>",
				">要求单位为本人补缴2025年3月以来的养老保险费和失业保险费。</textarea>", `value="2019-07"`, `value="仓库保管员"`,
				`value="张三"`, `value="` + reporterIDTyped + `"`, `value="` + reporterPhoneRaw + `"`, `value="zhangsan@example.com"`,
				`value="complaint" checked`, `value="pension" checked`, `value="unemployment" checked`, `value="220102" selected`,
				`value="unpaid_contributions" selected`, `value="signed" checked`, `name="acknowledgeNotice" value="true" required checked`,
			}
			for _, k := range kept {
				if !strings.Contains(body, html.EscapeString(k)) && !strings.Contains(body, k) {
					t.Errorf("not kept: %s", k)
				}
			}
			if n := e.caseCount(); n != 0 {
				t.Fatalf("%d cases stored", n)
			}
			// The page's fresh tokens let the same content through.
			csrf2 := csrfField.FindStringSubmatch(body)
			idem2 := idemField.FindStringSubmatch(body)
			if csrf2 == nil || idem2 == nil || idem2[1] == idem {
				t.Fatalf("no fresh tokens in the page: csrf %v idem %v (posted idem %s)", csrf2, idem2, idem)
			}
			v.Set("_csrf", csrf2[1])
			v.Set("idem", idem2[1])
			resp, body = e.postForm("/report", v)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("sent again: status %d, want 200\n%s", resp.StatusCode, mainOf(body))
			}
			receiptOf(t, body)
		})
	}
}

func TestFollowupPostsNeedCSRFToken(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	resp, body := e.postForm("/followup", url.Values{"number": {number}, "code": {code}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without token: %d, want 403", resp.StatusCode)
	}
	if !strings.Contains(body, msgFollowupExpired) || !strings.Contains(body, `value="`+number+`"`) || strings.Contains(body, code) {
		t.Errorf("login without token: want the form with the number kept, never the code, and why:\n%s", mainOf(body))
	}
	e.mustLogin(number, code)
	const draft = "没有令牌的补充信息，应当原样保留。"
	resp, body = e.postForm("/followup/case/messages", url.Values{"body": {draft}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("message without token: %d, want 403", resp.StatusCode)
	}
	if !strings.Contains(body, ">"+draft+"</textarea>") || !strings.Contains(body, msgMessageExpired) {
		t.Errorf("message without token: want the case with the message kept and why:\n%s", mainOf(body))
	}
	if n := e.messageCount(number); n != 0 {
		t.Errorf("%d messages stored", n)
	}
	// With the page's fresh token it goes through.
	resp, _ = e.postForm("/followup/case/messages", url.Values{"body": {draft}, "_csrf": {csrfField.FindStringSubmatch(body)[1]},
		"idem": {idemField.FindStringSubmatch(body)[1]}})
	if resp.StatusCode != http.StatusSeeOther || e.messageCount(number) != 1 {
		t.Errorf("sent again: status %d, %d messages", resp.StatusCode, e.messageCount(number))
	}
	resp, _ = e.postForm("/followup/logout", url.Values{})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout without token: %d, want 403", resp.StatusCode)
	}
	// A message posted after the session ended cannot be kept: say so.
	delete(e.cookies, "fw_followup")
	resp, body = e.postForm("/followup/case/messages", url.Values{"body": {draft}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, msgSessionExpired) {
		t.Errorf("message without token or session: status %d\n%s", resp.StatusCode, mainOf(body))
	}
}

func TestAPIDoesNotNeedCSRFToken(t *testing.T) {
	e := newTestEnv(t)
	e.apiSubmit(validReportJSON, nil)
}

// rateKeyNow is the storage key of the rate counter for key in the current
// window, as rateLimiter writes it.
func rateKeyNow(e *testEnv, key string, window time.Duration) string {
	slot := e.clock().UnixNano() / int64(window)
	return "rl:" + key + ":" + strconv.FormatInt(slot, 10)
}

func TestForgedCSRFCookieCannotResetRateLimits(t *testing.T) {
	// The CSRF middleware accepts any token that exists as a key in its
	// storage and rewrites that key. If it shared the key space with the rate
	// counters, a script could name its own counter as its "token" and reset
	// it on every request.
	e := newTestEnv(t, func(h *Handler) { h.Config.Limits.SubmitPerIP = 2 })
	for range 2 {
		e.submitForm(nil)
	}
	if resp, _ := e.submitForm(nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third submission: %d, want 429", resp.StatusCode)
	}
	forged := rateKeyNow(e, "submit:0.0.0.0", e.h.Config.Limits.Window)
	e.cookies["fw_csrf"] = forged
	_, idem := e.formTokens("/report")
	e.cookies["fw_csrf"] = forged
	resp, _ := e.postForm("/report", validReportForm(forged, idem))
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("submission with the rate counter's key as CSRF token: status %d, want 403 or 429", resp.StatusCode)
	}
	if n := e.caseCount(); n != 2 {
		t.Errorf("%d cases stored, want 2: the limit was bypassed", n)
	}
}

func TestForgedCSRFCookieCannotResetFollowupLimit(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	for range e.h.Config.Limits.FollowupPerClientNumber {
		e.login(number, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
	}
	e.cookies["fw_csrf"] = rateKeyNow(e, "followup-client:192.0.2.10:"+number, e.h.Config.Limits.FollowupNumberSpan)
	e.get("/followup")
	resp, _ := e.login(number, code)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right code after the client's wrong ones and a forged cookie: status %d, want 429", resp.StatusCode)
	}
}

func TestLogsNeverContainReporterIdentityCodeOrDescription(t *testing.T) {
	e := newTestEnv(t)
	csrf, idem := e.formTokens("/report")
	form := validReportForm(csrf, idem)
	form.Set("reporter.email", "zhangsan@example.com")
	resp, body := e.postForm("/report", form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	number, code := receiptOf(t, body)
	e.mustLogin(number, code)
	e.get("/followup/case")
	csrf, idem = e.formTokens("/followup/case")
	e.postForm("/followup/case/messages", url.Values{"_csrf": {csrf}, "idem": {idem}, "body": {"补充材料：工资条三张。"}})
	e.login(number, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
	// The API path too, with the code in a header.
	e.getWith("/api/v1/reports/"+number, map[string]string{"X-Access-Code": code})
	_, apiBody := e.postJSON("/api/v1/reports", validReportJSON, nil)
	apiCode := decodeJSONBody(t, apiBody)["accessCode"].(string)

	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"request"`) {
		t.Fatalf("no access log lines; the check would prove nothing:\n%s", logs)
	}
	secrets := []string{
		reporterName, reporterID, reporterIDTyped, reporterPhone, reporterPhoneRaw, "zhangsan@example.com",
		code, strings.ReplaceAll(code, "-", ""), apiCode,
		form.Get("description"), "该公司自2025年3月起", "补充材料：工资条三张",
		apiReporterName, apiReporterID, apiReporterPhone, "王某某的父亲",
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain %q", s)
		}
	}
}

const (
	xssScript = `<script>alert(1)</script>`
	xssAttr   = `"><img src=x onerror=alert(1)>`
)

func TestXSSPayloadsAreShownEscaped(t *testing.T) {
	e := newTestEnv(t)
	payload := xssScript + xssAttr
	resp, body := e.submitForm(func(v url.Values) {
		v.Set("subject.name", payload)
		v.Set("description", "该单位负责人说："+payload+"，并拒绝为职工缴纳社会保险费。")
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("submit: %d\n%s", resp.StatusCode, mainOf(body))
	}
	escaped := html.EscapeString(payload)
	checkEscaped := func(page, body string, wantEscaped bool) {
		t.Helper()
		for _, raw := range []string{xssScript, xssAttr, "<img src=x", "<script>alert"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s contains the raw payload %q", page, raw)
			}
		}
		if wantEscaped && !strings.Contains(body, escaped) {
			t.Errorf("%s lacks the escaped payload %q", page, escaped)
		}
	}
	checkEscaped("receipt", body, true)
	number, code := receiptOf(t, body)
	e.mustLogin(number, code)
	_, body = e.get("/followup/case")
	checkEscaped("case page", body, true)
	if strings.Count(body, escaped) < 2 {
		t.Errorf("case page shows the escaped payload %d times, want it in the subject and the description",
			strings.Count(body, escaped))
	}

	csrf, idem := e.formTokens("/followup/case")
	e.postForm("/followup/case/messages", url.Values{"_csrf": {csrf}, "idem": {idem}, "body": {"补充" + payload}})
	e.handlerReply(number, "回复"+payload)
	_, body = e.get("/followup/case")
	checkEscaped("case page with messages", body, true)
	if strings.Count(body, escaped) < 4 {
		t.Errorf("escaped payload shown %d times, want 4 (subject, description, two messages)", strings.Count(body, escaped))
	}

	// Shown again in the form after a validation error, in attributes and
	// the textarea.
	_, body = e.submitForm(func(v url.Values) {
		v.Set("subject.name", payload)
		v.Set("description", payload)
		v.Set("amountYuan", payload)
	})
	checkEscaped("report form with errors", body, false)
	if !strings.Contains(body, `value="&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"`) {
		t.Error("report form does not show the payload escaped in the input")
	}

	// The number typed on the follow-up form is echoed in an attribute.
	_, body = e.login(xssAttr, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
	checkEscaped("follow-up form", body, false)
	if !strings.Contains(body, `value="`+html.EscapeString(xssAttr)+`"`) {
		t.Error("follow-up form does not show the typed number escaped")
	}

	// And in the JSON API as a string, not markup: JSON escapes < and >.
	_, apiBody := e.getWith("/api/v1/reports/"+number, map[string]string{"X-Access-Code": code})
	if strings.Contains(apiBody, "<script>") {
		t.Error("API answer contains unescaped <script>")
	}
}

func TestCSRFTokenInTheQueryStringIsNotAccepted(t *testing.T) {
	e := newTestEnv(t)
	csrf, idem := e.formTokens("/report")
	v := validReportForm("", idem)
	v.Del("_csrf")
	resp, _ := e.postForm("/report?_csrf="+csrf, v)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("token only in the URL: status %d, want 403", resp.StatusCode)
	}
	if n := e.caseCount(); n != 0 {
		t.Errorf("%d cases stored, want 0", n)
	}
}
