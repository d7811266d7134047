package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fundwatch/handlers/web"
	"fundwatch/store"
)

const injectedError = "sqlite: disk image is malformed at page 4711 (secret detail)"

// failingCreate makes CreateCase fail with err, or panic when err is nil.
func failingCreate(err error) func(context.Context, *store.Case, store.Event) error {
	return func(context.Context, *store.Case, store.Event) error {
		if err == nil {
			panic("store exploded: " + injectedError)
		}
		return err
	}
}

func TestStoreFailureOnSubmitAnswers500WithSafeMessageLoggedOnce(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"plain error", errors.New(injectedError)},
		{"EINTERNAL store error", store.Wrap(store.EINTERNAL, errors.New(injectedError), "系统内部错误，请稍后再试")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, fs := newFaultEnv(t)
			fs.createCase = failingCreate(tt.err)
			resp, body := e.submitForm(nil)
			if resp.StatusCode != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500\n%s", resp.StatusCode, mainOf(body))
			}
			id := resp.Header.Get("X-Request-Id")
			for _, want := range []string{"错误 500", "系统内部错误，请稍后再试", id} {
				if !strings.Contains(body, want) {
					t.Errorf("500 page lacks %q", want)
				}
			}
			for _, leak := range []string{"disk image", "4711", "secret detail", "sqlite"} {
				if strings.Contains(body, leak) {
					t.Errorf("500 page leaks %q", leak)
				}
			}
			if receiptCode.MatchString(body) {
				t.Error("500 page shows an access code")
			}
			lines := e.errorLogs(id)
			if len(lines) != 1 {
				t.Fatalf("%d error log lines for request %s, want 1:\n%s", len(lines), id, e.logs.String())
			}
			if msg, _ := lines[0]["error"].(string); !strings.Contains(msg, injectedError) {
				t.Errorf("error log line lacks the cause: %v", lines[0])
			}
			if n := e.caseCount(); n != 0 {
				t.Errorf("%d cases", n)
			}
		})
	}
}

func TestStoreUnavailableOnSubmitAnswers503WithoutReceipt(t *testing.T) {
	e, fs := newFaultEnv(t)
	fs.createCase = failingCreate(store.Wrap(store.EUNAVAILABLE, errors.New(injectedError), "数据库暂时不可用，请稍后再试"))
	resp, body := e.submitForm(nil)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503\n%s", resp.StatusCode, mainOf(body))
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	for _, want := range []string{"错误 503", "服务暂时不可用", "您的内容未被保存，请稍后重新提交"} {
		if !strings.Contains(body, want) {
			t.Errorf("503 page lacks %q", want)
		}
	}
	if receiptNumber.MatchString(body) || receiptCode.MatchString(body) || strings.Contains(body, "提交成功") {
		t.Error("503 page shows a receipt")
	}
	if strings.Contains(body, "disk image") {
		t.Error("503 page leaks the cause")
	}
	if lines := e.errorLogs(resp.Header.Get("X-Request-Id")); len(lines) != 1 {
		t.Errorf("%d error log lines, want 1", len(lines))
	}
}

func TestPanicInStoreAnswers500LoggedOnceWithStack(t *testing.T) {
	e, fs := newFaultEnv(t)
	fs.createCase = failingCreate(nil)
	resp, body := e.submitForm(nil)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500\n%s", resp.StatusCode, mainOf(body))
	}
	if !strings.Contains(body, "系统内部错误，请稍后再试") || strings.Contains(body, "exploded") || strings.Contains(body, "disk image") {
		t.Errorf("500 page after a panic:\n%s", mainOf(body))
	}
	if resp.Header.Get("Content-Security-Policy") != web.ContentSecurityPolicy {
		t.Error("500 page after a panic lacks the CSP")
	}
	id := resp.Header.Get("X-Request-Id")
	lines := e.errorLogs(id)
	if len(lines) != 1 {
		t.Fatalf("%d error log lines, want 1:\n%s", len(lines), e.logs.String())
	}
	stack, _ := lines[0]["stack"].(string)
	if !strings.Contains(stack, "goroutine") || !strings.Contains(stack, "failingCreate") {
		t.Errorf("panic log without the stack: %v", lines[0])
	}
	if p, _ := lines[0]["panic"].(string); !strings.Contains(p, "store exploded") {
		t.Errorf("panic log without the value: %v", lines[0])
	}
	// The app keeps serving.
	if resp, _ := e.get("/"); resp.StatusCode != http.StatusOK {
		t.Errorf("after a panic, home: %d", resp.StatusCode)
	}
}

func TestStoreFailuresOnAPIAnswerJSON(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		msg    string
	}{
		{"internal", errors.New(injectedError), http.StatusInternalServerError, "系统内部错误"},
		{"unavailable", store.Wrap(store.EUNAVAILABLE, errors.New(injectedError), "x"), http.StatusServiceUnavailable, "未被保存"},
		{"panic", nil, http.StatusInternalServerError, "系统内部错误"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, fs := newFaultEnv(t)
			fs.createCase = failingCreate(tt.err)
			resp, body := e.postJSON("/api/v1/reports", validReportJSON, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tt.status, body)
			}
			m := decodeJSONBody(t, body)
			if msg, _ := m["error"].(string); !strings.Contains(msg, tt.msg) {
				t.Errorf("error %q, want it to contain %q", msg, tt.msg)
			}
			id := resp.Header.Get("X-Request-Id")
			if m["requestId"] != id {
				t.Errorf("requestId %v, header %q", m["requestId"], id)
			}
			if _, ok := m["accessCode"]; ok || strings.Contains(body, "disk image") || strings.Contains(body, "exploded") {
				t.Errorf("answer leaks: %s", body)
			}
			if tt.status == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			if lines := e.errorLogs(id); len(lines) != 1 {
				t.Errorf("%d error log lines, want 1", len(lines))
			}
		})
	}
}

func TestStoreFailureOnFollowupLookup(t *testing.T) {
	e, fs := newFaultEnv(t)
	number, code := e.submitValid()
	fs.caseByNumber = func(context.Context, string) (*store.Case, error) {
		return nil, store.Wrap(store.EUNAVAILABLE, errors.New(injectedError), "x")
	}
	resp, body := e.login(number, code)
	if resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(body, "disk image") {
		t.Errorf("page: status %d, want 503 without the cause", resp.StatusCode)
	}
	if strings.Contains(body, msgWrongCredentials) {
		t.Error("an unavailable store is reported as a wrong code")
	}
	resp, body = e.getWith("/api/v1/reports/"+number, map[string]string{"X-Access-Code": code})
	if resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(body, "disk image") {
		t.Errorf("API: status %d, want 503 without the cause\n%s", resp.StatusCode, body)
	}
}

func TestClientErrorsAreNotLoggedAsErrors(t *testing.T) {
	e := newTestEnv(t)
	e.get("/nope")
	e.submitForm(func(v url.Values) { v.Set("description", "短") })
	e.postJSON("/api/v1/reports", `{`, nil)
	for _, rec := range e.logLines() {
		if rec["level"] == "ERROR" {
			t.Errorf("client error logged at error level: %v", rec)
		}
	}
}
