package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"fundwatch/handlers/web"
	"fundwatch/store"
)

var followupAlert = regexp.MustCompile(`<div class="alert" role="alert">([^<]*)</div>`)

func TestFollowupWithNumberAndCodeShowsTimelineAndReplies(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	resp, body := e.login(number, code)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/followup/case" {
		t.Fatalf("login: status %d location %q\n%s", resp.StatusCode, resp.Header.Get("Location"), mainOf(body))
	}
	resp, body = e.get("/followup/case")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("case page: status %d", resp.StatusCode)
	}
	for _, want := range []string{number, "已收到", "平台已收到，等待审查是否受理。", "暂无往来信息", `action="/followup/case/messages"`} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if strings.Contains(body, code) {
		t.Error("case page shows the access code")
	}

	e.transition(number, store.StatusAccepted, "", "经审查，符合受理条件，已受理。")
	e.handlerReply(number, "您好，请补充该公司职工名单。")
	_, body = e.get("/followup/case")
	for _, want := range []string{"已受理", "经审查，符合受理条件，已受理。", "承办人员回复", "您好，请补充该公司职工名单。"} {
		if !strings.Contains(body, want) {
			t.Errorf("after acceptance, case page lacks %q", want)
		}
	}
	if strings.Contains(body, "handler-1") {
		t.Error("case page shows the internal actor id")
	}
}

func TestFollowupAcceptsCodeInAnyCaseWithSpacesAndWithoutHyphens(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	compact := strings.ReplaceAll(code, "-", "")
	spaced := strings.ToLower(strings.Join(strings.Split(code, "-"), " "))
	tests := map[string]struct{ number, code string }{
		"lowercase with spaces":             {number, "  " + spaced + " "},
		"no hyphens":                        {number, compact},
		"lowercase without hyphens":         {number, strings.ToLower(compact)},
		"number with spaces and full-width": {" " + strings.Replace(number, "-", "－", 1) + " ", code},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e := e.in(t)
			e.mustLogin(tt.number, tt.code)
			if resp, _ := e.get("/followup/case"); resp.StatusCode != http.StatusOK {
				t.Errorf("case page: status %d", resp.StatusCode)
			}
		})
	}
}

func TestFollowupWrongCodeAndWrongNumberLookTheSame(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	wrongCode := "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"
	if wrongCode == code {
		t.Fatal("unlucky code")
	}
	tests := []struct{ name, number, code string }{
		{"wrong code", number, wrongCode},
		{"unknown number", "2026-999999", code},
		{"malformed number", "abc", code},
		{"malformed code", number, "not-a-code"},
	}
	var first string
	for _, tt := range tests {
		resp, body := e.login(tt.number, tt.code)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d, want 422", tt.name, resp.StatusCode)
		}
		m := followupAlert.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no error message\n%s", tt.name, mainOf(body))
		}
		if first == "" {
			first = m[1]
			if first != msgWrongCredentials {
				t.Errorf("message %q, want %q", first, msgWrongCredentials)
			}
		} else if m[1] != first {
			t.Errorf("%s: message %q differs from %q", tt.name, m[1], first)
		}
		if !strings.Contains(body, `name="number" value="`+tt.number+`"`) {
			t.Errorf("%s: number not kept", tt.name)
		}
		if strings.Contains(body, tt.code) {
			t.Errorf("%s: the code typed is echoed in the page", tt.name)
		}
		if setCookie(resp, "fw_followup") != nil {
			t.Errorf("%s: a session cookie was set", tt.name)
		}
	}
}

func TestFollowupEmptyFieldsAsksForBoth(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.login("", "")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写回执上的查询编号和查询码") {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(body))
	}
}

func TestFollowupCaseWithoutSessionRedirectsToForm(t *testing.T) {
	e := newTestEnv(t)
	for _, cookie := range []string{"", "garbage", "0123456789abcdefghjkmnpqrs"} {
		if cookie != "" {
			e.cookies["fw_followup"] = cookie
		}
		resp, _ := e.get("/followup/case")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/followup?expired=1" {
			t.Errorf("cookie %q: status %d location %q, want 303 to /followup?expired=1",
				cookie, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, body := e.get("/followup?expired=1")
	if !strings.Contains(body, "查询已超时或已退出") {
		t.Error("expired form does not say so")
	}
}

func TestFollowupAddMessageIsListed(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	e.mustLogin(number, code)
	csrf, idem := e.formTokens("/followup/case")
	resp, body := e.postForm("/followup/case/messages", url.Values{
		"_csrf": {csrf}, "idem": {idem}, "body": {"补充：该公司共有职工45人，均按最低基数申报。"},
	})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/followup/case?sent=1" {
		t.Fatalf("status %d location %q\n%s", resp.StatusCode, resp.Header.Get("Location"), mainOf(body))
	}
	_, body = e.get("/followup/case?sent=1")
	for _, want := range []string{"补充信息已提交", "我补充的信息", "补充：该公司共有职工45人，均按最低基数申报。"} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if n := e.messageCount(number); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
}

func TestFollowupAddMessageTooShortKeepsDraft(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	e.mustLogin(number, code)
	tests := []struct{ name, body, msg, kept string }{
		{"too short", "好的", "补充信息至少需要5个字", ">好的</textarea>"},
		{"empty", "   ", "请填写补充信息", "></textarea>"},
		{"too long", strings.Repeat("长", 5001), "补充信息不能超过5000字", ">" + strings.Repeat("长", 5001) + "</textarea>"},
		{"control character", "补充信息\x01内容很多", "补充信息包含无法识别的字符", "内容很多</textarea>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			csrf, idem := e.formTokens("/followup/case")
			resp, body := e.postForm("/followup/case/messages", url.Values{"_csrf": {csrf}, "idem": {idem}, "body": {tt.body}})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			if !strings.Contains(body, `<p class="error" id="e-body">`+tt.msg) {
				t.Errorf("no message %q at the field", tt.msg)
			}
			if !strings.Contains(body, tt.kept) {
				t.Errorf("draft not kept: page lacks %q", clip(tt.kept, 40))
			}
			if n := e.messageCount(number); n != 0 {
				t.Errorf("%d messages stored", n)
			}
		})
	}
}

func TestFollowupSameMessageFormPostedTwiceIsStoredOnce(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	e.mustLogin(number, code)
	csrf, idem := e.formTokens("/followup/case")
	form := url.Values{"_csrf": {csrf}, "idem": {idem}, "body": {"补充：去年十月起停缴了失业保险。"}}
	for i := range 2 {
		if resp, _ := e.postForm("/followup/case/messages", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("post %d: status %d", i+1, resp.StatusCode)
		}
	}
	if n := e.messageCount(number); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
	_, idem2 := e.formTokens("/followup/case")
	form.Set("idem", idem2)
	e.postForm("/followup/case/messages", form)
	if n := e.messageCount(number); n != 2 {
		t.Errorf("a new form's message: %d messages stored, want 2", n)
	}
}

func TestFollowupLogoutEndsTheSession(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	e.mustLogin(number, code)
	token := e.cookies["fw_followup"]
	csrf := e.csrfToken("/followup/case")
	resp, _ := e.postForm("/followup/logout", url.Values{"_csrf": {csrf}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/followup?expired=1" {
		t.Fatalf("logout: status %d location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, ok := e.cookies["fw_followup"]; ok {
		t.Error("logout did not clear the session cookie")
	}
	if resp, _ := e.get("/followup/case"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout: status %d, want 303", resp.StatusCode)
	}
	// The old token is dead on the server too, not only in the browser.
	e.cookies["fw_followup"] = token
	if resp, _ := e.get("/followup/case"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("old session token after logout: status %d, want 303", resp.StatusCode)
	}
}

func TestFollowupClosedCaseRefusesMessages(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	e.mustLogin(number, code)
	csrf, idem := e.formTokens("/followup/case") // the form as seen before closing
	e.closeCase(number)

	_, body := e.get("/followup/case")
	if strings.Contains(body, `action="/followup/case/messages"`) {
		t.Error("closed case still offers the add-message form")
	}
	for _, want := range []string{"已结案归档", "不能再补充信息", "经查属实，已责令补缴。", "属实", "重新提交举报投诉", number} {
		if !strings.Contains(body, want) {
			t.Errorf("closed case page lacks %q", want)
		}
	}
	if strings.Contains(body, "本件已已结案") {
		t.Error("closed case page says 本件已已结案")
	}

	resp, body := e.postForm("/followup/case/messages", url.Values{
		"_csrf": {csrf}, "idem": {idem}, "body": {"我还想补充一点新的情况。"},
	})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	if !strings.Contains(body, "本件已结案归档，不能再补充信息。如有新的事实或证据，请重新提交举报投诉，并在问题描述中注明本件查询编号。") {
		t.Errorf("422 page does not give the reason\n%s", mainOf(body))
	}
	if n := e.messageCount(number); n != 0 {
		t.Errorf("%d messages stored on a closed case", n)
	}
}

func TestFollowupOneClientGuessingANumberWaitsAlone(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) { h.Config.TrustedProxies = []string{"0.0.0.0"} })
	number, code := e.submitValid()
	login := func(ip, code string) (*http.Response, string) {
		return e.postFormFrom("/followup", url.Values{"_csrf": {e.csrfToken("/followup")}, "number": {number}, "code": {code}},
			map[string]string{"X-Forwarded-For": ip})
	}
	lim := e.h.Config.Limits
	for i := range lim.FollowupPerClientNumber {
		if resp, _ := login("203.0.113.9", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code %d: status %d, want 422", i+1, resp.StatusCode)
		}
	}
	// That client waits, even with the right code, and is told how long.
	resp, body := login("203.0.113.9", code)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right code from the guessing client: status %d, want 429", resp.StatusCode)
	}
	for _, want := range []string{"错误 429", "后再试", "12333"} {
		if !strings.Contains(body, want) {
			t.Errorf("429 page lacks %q", want)
		}
	}
	wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if wait <= 0 || time.Duration(wait)*time.Second > lim.FollowupNumberSpan {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	// Everyone else is not held up: the reporter, on another connection.
	if resp, _ := login("198.51.100.20", code); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the reporter from another client: status %d, want 303", resp.StatusCode)
	}
	// The wait said is the wait there is.
	e.advance(time.Duration(wait-1) * time.Second)
	if resp, _ := login("203.0.113.9", code); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a second before Retry-After: status %d, want 429", resp.StatusCode)
	}
	e.advance(time.Second)
	if resp, _ := login("203.0.113.9", code); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("at Retry-After: status %d, want 303", resp.StatusCode)
	}
}

// Issue 7, finding 4: nobody can lock a case number.
func TestFollowupNobodyCanLockACaseNumber(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) { h.Config.TrustedProxies = []string{"0.0.0.0"} })
	login := func(ip, number, code string) *http.Response {
		resp, _ := e.postFormFrom("/followup", url.Values{"_csrf": {e.csrfToken("/followup")}, "number": {number}, "code": {code}},
			map[string]string{"X-Forwarded-For": ip})
		return resp
	}
	// Junk against a number not issued yet keeps nothing: once the case
	// exists, its reporter gets in at once.
	for i := range 12 {
		login(fmt.Sprintf("203.0.113.%d", i), "2026-000001", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
	}
	number, code := e.submitValid()
	if number != "2026-000001" {
		t.Fatalf("case got %s", number)
	}
	if resp := login("198.51.100.20", number, code); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the reporter after junk against the number before it existed: %d, want 303", resp.StatusCode)
	}
	// Many clients guessing the number slow it down, never lock it.
	lim := e.h.Config.Limits
	for i := range lim.FollowupPerNumber + 5 {
		login(fmt.Sprintf("203.0.113.%d", 100+i), number, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
	}
	resp := login("198.51.100.20", number, code)
	wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || wait < 1 || time.Duration(wait)*time.Second > lim.FollowupSlowInterval {
		t.Fatalf("the reporter right after the guessing: status %d, Retry-After %q; want 429 for at most %s", resp.StatusCode,
			resp.Header.Get("Retry-After"), lim.FollowupSlowInterval)
	}
	e.advance(time.Duration(wait) * time.Second)
	if resp := login("198.51.100.20", number, code); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the reporter after the said wait: %d, want 303", resp.StatusCode)
	}
}

func TestFollowupRateLimitPerNumberCountsOnlyFailures(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	for range 12 {
		e.mustLogin(number, code)
	}
}

func TestFollowupRateLimitPerClient(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) {
		h.Config.Limits.FollowupPerIP = 3
		h.Config.TrustedProxies = []string{"0.0.0.0"}
	})
	number, code := e.submitValid()
	login := func(ip, code string) int {
		resp, _ := e.postFormFrom("/followup", url.Values{
			"_csrf": {e.csrfToken("/followup")}, "number": {number}, "code": {code},
		}, map[string]string{"X-Forwarded-For": ip})
		return resp.StatusCode
	}
	if got := login("198.51.100.1", code); got != http.StatusSeeOther {
		t.Fatalf("attempt 1: %d", got)
	}
	if got := login("198.51.100.1", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"); got != http.StatusUnprocessableEntity {
		t.Fatalf("attempt 2: %d", got)
	}
	if got := login("198.51.100.1", code); got != http.StatusSeeOther {
		t.Fatalf("attempt 3: %d", got)
	}
	if got := login("198.51.100.1", code); got != http.StatusTooManyRequests {
		t.Errorf("attempt 4: %d, want 429", got)
	}
	if got := login("198.51.100.2", code); got != http.StatusSeeOther {
		t.Errorf("another client: %d, want 303", got)
	}
}

func TestFollowupRateLimitMinusOneDisables(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) {
		h.Config.Limits.FollowupPerIP = -1
		h.Config.Limits.FollowupPerNumber = -1
		h.Config.Limits.FollowupPerClientNumber = -1
	})
	number, code := e.submitValid()
	for i := range 70 {
		if resp, _ := e.login(number, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: status %d, want 422", i+1, resp.StatusCode)
		}
	}
	e.mustLogin(number, code)
}

func TestFollowupRejectedCaseRefusesMessagesWithItsOwnReason(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	e.mustLogin(number, code)
	csrf, idem := e.formTokens("/followup/case")
	e.transition(number, store.StatusRejected, "", "不属于社会保险基金监督范围。")
	resp, body := e.postForm("/followup/case/messages", url.Values{
		"_csrf": {csrf}, "idem": {idem}, "body": {"我不同意不予受理的决定。"},
	})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	if !strings.Contains(body, "本件不予受理，不能再补充信息。") {
		t.Errorf("422 page does not give the reason\n%s", mainOf(body))
	}
	if strings.Contains(body, "已结案归档") {
		t.Error("a rejected case is described as closed")
	}
	if !strings.Contains(body, "不属于社会保险基金监督范围。") {
		t.Error("the reason for not accepting is not shown")
	}
}

func TestFollowupOverlongNumberOrCodeIsRefused(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	tests := []struct{ name, number, code string }{
		{"number over 64 characters", strings.Repeat("2", 65), code},
		{"code over 128 characters", number, strings.Repeat("A", 129)},
	}
	for _, tt := range tests {
		resp, body := e.login(tt.number, tt.code)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写回执上的查询编号和查询码") {
			t.Errorf("%s: status %d", tt.name, resp.StatusCode)
		}
		if strings.Contains(body, strings.Repeat("2", 65)) {
			t.Errorf("%s: overlong number echoed in full", tt.name)
		}
	}
}

func TestFollowupAddMessageWithoutSessionRedirects(t *testing.T) {
	e := newTestEnv(t)
	number, _ := e.submitValid()
	csrf := e.csrfToken("/report")
	resp, _ := e.postForm("/followup/case/messages", url.Values{"_csrf": {csrf}, "body": {"没有登录时的补充信息。"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/followup?expired=1" {
		t.Errorf("status %d location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := e.messageCount(number); n != 0 {
		t.Errorf("%d messages stored", n)
	}
}

func TestFollowupAddMessageWithGarbageIdemStillStores(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	e.mustLogin(number, code)
	csrf := e.csrfToken("/followup/case")
	resp, _ := e.postForm("/followup/case/messages", url.Values{"_csrf": {csrf}, "idem": {"<bad>"}, "body": {"令牌不对但内容有效的补充。"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", resp.StatusCode)
	}
	if n := e.messageCount(number); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
}

func TestFollowupSessionsAreSeparatePerLogin(t *testing.T) {
	e := newTestEnv(t)
	first, firstCode := e.submitValid()
	second, secondCode := e.submitValid()
	e.mustLogin(first, firstCode)
	token := e.cookies["fw_followup"]
	e.mustLogin(second, secondCode)
	if e.cookies["fw_followup"] == token {
		t.Error("a new login kept the old session token")
	}
	if _, body := e.get("/followup/case"); !strings.Contains(body, second) || strings.Contains(body, first) {
		t.Error("case page after the second login does not show the second case only")
	}
}

// failingSetStorage is a MemoryStorage whose Set fails for keys with prefix.
type failingSetStorage struct {
	*web.MemoryStorage
	prefix string
}

func (f failingSetStorage) Set(key string, val []byte, exp time.Duration) error {
	if strings.HasPrefix(key, f.prefix) {
		return errors.New("session storage: connection refused")
	}
	return f.MemoryStorage.Set(key, val, exp)
}

func TestFollowupLoginWhenSessionStorageFailsAnswers500(t *testing.T) {
	ms := web.NewMemoryStorage()
	t.Cleanup(func() { ms.Close() })
	e := newTestEnv(t, func(h *Handler) { h.Storage = failingSetStorage{MemoryStorage: ms, prefix: "followup:"} })
	number, code := e.submitValid()
	resp, body := e.login(number, code)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", resp.StatusCode)
	}
	if strings.Contains(body, "connection refused") {
		t.Error("500 page leaks the cause")
	}
	if _, ok := e.cookies["fw_followup"]; ok {
		t.Error("a session cookie was set for a session that was not stored")
	}
	if lines := e.errorLogs(resp.Header.Get("X-Request-Id")); len(lines) != 1 {
		t.Errorf("%d error log lines, want 1", len(lines))
	}
}

func TestFollowupCasePageWhenStoreFailsAnswers500(t *testing.T) {
	e, fs := newFaultEnv(t)
	number, code := e.submitValid()
	e.mustLogin(number, code)
	fs.caseEvents = func(context.Context, string) ([]store.Event, error) { return nil, errors.New(injectedError) }
	resp, body := e.get("/followup/case")
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, "disk image") {
		t.Errorf("page: status %d, want 500 without the cause", resp.StatusCode)
	}
	resp, body = e.getWith("/api/v1/reports/"+number, map[string]string{"X-Access-Code": code})
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, "disk image") {
		t.Errorf("API: status %d, want 500 without the cause", resp.StatusCode)
	}
}

func TestFollowupFormInDemoModeShowsDemoReceipts(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) {
		h.Config.Demo = true
		h.Config.DemoCases = []DemoCredential{{Number: "2026-000001", AccessCode: "K7QX-M3PD-9RTF-2WHA-BC4N-8Y1E"}}
	})
	_, body := e.get("/followup")
	for _, want := range []string{"示例", "2026-000001"} {
		if !strings.Contains(body, want) {
			t.Errorf("demo follow-up page lacks %q", want)
		}
	}
	// The code is listed in its groups, each kept on one line, so the list
	// fits a 320 px phone.
	m := regexp.MustCompile(`<code class="access-code">(.*?)</code>`).FindStringSubmatch(body)
	if m == nil || codeText(m[1]) != "K7QX-M3PD-9RTF-2WHA-BC4N-8Y1E" || !strings.Contains(m[1], `<span class="code-group">K7QX</span>`) {
		t.Errorf("demo follow-up page lists the code as %q, want K7QX-M3PD-9RTF-2WHA-BC4N-8Y1E in groups", m)
	}
	plain := newTestEnv(t)
	if _, body := plain.get("/followup"); strings.Contains(body, "demo-cases") {
		t.Error("demo receipts shown outside demo mode")
	}
}
