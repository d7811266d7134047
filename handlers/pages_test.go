package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"fundwatch/handlers/web"
	"fundwatch/store"
)

func TestPublicPagesRenderInChinese(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		path  string
		title string
		want  string
	}{
		{"/", "首页", "守护百姓的“养命钱”“救命钱”"},
		{"/report", "我要举报投诉", `<form method="post" action="/report"`},
		{"/followup", "进度查询", `<form method="post" action="/followup"`},
		{"/guide", "办事指南", "受理范围"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			e := e.in(t)
			resp, body := e.get(tt.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(ct, "utf-8") {
				t.Errorf("Content-Type %q, want text/html; charset=utf-8", ct)
			}
			for _, want := range []string{`<html lang="zh-CN">`, "<title>" + tt.title + " - 社保基金监督公开平台</title>", tt.want} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
		})
	}
}

func TestFormPagesCarryCSRFAndIdempotencyTokens(t *testing.T) {
	e := newTestEnv(t)
	csrf, idem := e.formTokens("/report")
	if csrf == "" || !web.ValidToken(idem) {
		t.Fatalf("report form tokens: csrf %q idem %q", csrf, idem)
	}
	_, idem2 := e.formTokens("/report")
	if idem2 == idem {
		t.Error("two loads of the report form got the same idempotency token")
	}
	if csrf, _ := e.formTokens("/followup"); csrf == "" {
		t.Error("follow-up form has no CSRF token")
	}
}

func TestUnknownPathAnswers404ChinesePage(t *testing.T) {
	e := newTestEnv(t)
	for _, path := range []string{"/nope", "/report/extra", "/static/missing.css", "/followup/case/other"} {
		t.Run(path, func(t *testing.T) {
			e := e.in(t)
			resp, body := e.get(path)
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("status %d, want 404", resp.StatusCode)
			}
			for _, want := range []string{"错误 404", "页面不存在", "您访问的页面不存在或已被移除", `<html lang="zh-CN">`} {
				if !strings.Contains(body, want) {
					t.Errorf("404 page lacks %q", want)
				}
			}
			if strings.Contains(body, "Cannot GET") {
				t.Error("404 page shows Fiber's English message")
			}
		})
	}
}

func TestWrongMethodAnswers405ChinesePage(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct{ method, path string }{
		{http.MethodGet, "/followup/logout"},
		{http.MethodGet, "/followup/case/messages"},
		{http.MethodPut, "/report"},
		{http.MethodDelete, "/followup"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			e := e.in(t)
			// A token with the request, so the CSRF check of unsafe methods
			// passes and the method itself is what is refused.
			csrf := e.csrfToken("/report")
			body := url.Values{"_csrf": {csrf}}.Encode()
			resp, page := e.request(tt.method, tt.path, strings.NewReader(body),
				map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Fatalf("status %d, want 405\n%s", resp.StatusCode, page)
			}
			if resp.Header.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
			for _, want := range []string{"错误 405", "请求方式不正确", "该页面不支持这种访问方式"} {
				if !strings.Contains(page, want) {
					t.Errorf("405 page lacks %q", want)
				}
			}
		})
	}
}

func TestHealthzAnswersOK(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.get("/healthz")
	if resp.StatusCode != http.StatusOK || body != "ok fundwatch test" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
}

func TestReadyzAnswers200WhenStoreAnswers(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.get("/readyz")
	if resp.StatusCode != http.StatusOK || body != "ready" {
		t.Fatalf("readyz: %d %q", resp.StatusCode, body)
	}
}

func TestReadyzAnswers503WhenStorePingFails(t *testing.T) {
	e, fs := newFaultEnv(t)
	fs.ping = func(context.Context) error {
		return store.Wrap(store.EUNAVAILABLE, errors.New("disk I/O error"), "数据库暂时不可用")
	}
	resp, body := e.get("/readyz")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if strings.Contains(body, "disk I/O") {
		t.Errorf("readyz leaks the store error: %q", body)
	}
}

func TestUnknownHTTPMethodGetsTheChinese405Page(t *testing.T) {
	e := newTestEnv(t)
	for _, method := range []string{"PROPFIND", "FOO"} {
		resp, body := e.do(httptest.NewRequest(method, "/report", nil))
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s: status %d, want 405", method, resp.StatusCode)
		}
		if !strings.Contains(body, "请求方式不正确") || resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s: want the Chinese page with security headers and a request id; got %q", method, body)
		}
	}
	resp, body := e.do(httptest.NewRequest("PROPFIND", "/api/v1/reports", nil))
	if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(body, `"error"`) {
		t.Errorf("API: status %d body %s, want a JSON 405", resp.StatusCode, body)
	}
}
