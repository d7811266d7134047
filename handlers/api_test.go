package handlers

import (
	"bufio"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"fundwatch/handlers/web"
	"fundwatch/store"
)

// The reporter of validReportJSON.
const (
	apiReporterName  = "李四"
	apiReporterID    = "440524188001015368"
	apiReporterPhone = "13900139000"
)

func TestAPICreateReportAnswers201WithReceipt(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.postJSON("/api/v1/reports", validReportJSON, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d, want 201\n%s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var r apiReceipt
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if !caseNumberFormat.MatchString(r.Number) || !accessCodeFormat.MatchString(r.AccessCode) {
		t.Errorf("number %q code %q", r.Number, r.AccessCode)
	}
	if r.Status != "received" || r.StatusLabel != "已收到" || r.Channel != store.ChannelFundSupervision || r.ChannelNotice == "" {
		t.Errorf("receipt %+v", r)
	}
	if !r.CreatedAt.Equal(e.h.now()) || !r.AcceptDeadline.After(r.CreatedAt) {
		t.Errorf("createdAt %v acceptDeadline %v", r.CreatedAt, r.AcceptDeadline)
	}
	m := decodeJSONBody(t, body)
	for _, key := range []string{"number", "accessCode", "status", "channel", "channelNotice", "createdAt", "acceptDeadline"} {
		if _, ok := m[key]; !ok {
			t.Errorf("receipt lacks %q", key)
		}
	}
	for _, secret := range []string{apiReporterName, apiReporterID, apiReporterPhone} {
		if strings.Contains(body, secret) {
			t.Errorf("receipt contains %q", secret)
		}
	}
	c := e.caseByNumber(r.Number)
	if c.AmountFen != 12600000 || !c.AmountGiven || c.RegionCode != "220281" {
		t.Errorf("stored amount %d region %q", c.AmountFen, c.RegionCode)
	}
	id, err := e.h.Keyring.OpenIdentity(c.ID, c.ReporterSealed)
	if err != nil || id.Name != apiReporterName || id.IDNumber != apiReporterID || id.Phone != apiReporterPhone {
		t.Errorf("sealed identity %q %q %q, %v", id.Name, id.IDNumber, id.Phone, err)
	}
	if !e.h.Keyring.CheckAccessCode(c, r.AccessCode) {
		t.Error("stored code hash does not match the receipt")
	}
}

func TestAPIRepeatedIdempotencyKeyReplaysTheReceipt(t *testing.T) {
	e := newTestEnv(t)
	key := map[string]string{"Idempotency-Key": "app-7f3a9c1e-2b4d-4e8f"}
	resp, first := e.postJSON("/api/v1/reports", validReportJSON, key)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("first: status %d\n%s", resp.StatusCode, first)
	}
	if resp.Header.Get("Idempotent-Replayed") != "" {
		t.Error("first answer marked as replayed")
	}
	resp, second := e.postJSON("/api/v1/reports", validReportJSON, key)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("replay: status %d, want 200\n%s", resp.StatusCode, second)
	}
	if resp.Header.Get("Idempotent-Replayed") != "true" {
		t.Error("replay without Idempotent-Replayed: true")
	}
	var a, b apiReceipt
	_ = json.Unmarshal([]byte(first), &a)
	_ = json.Unmarshal([]byte(second), &b)
	if a.Number != b.Number || a.AccessCode != b.AccessCode || a.Number == "" {
		t.Errorf("replay %s/%s, want %s/%s", b.Number, b.AccessCode, a.Number, a.AccessCode)
	}
	if n := e.caseCount(); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}

func TestAPISameIdempotencyKeyOtherBodyIsConflict(t *testing.T) {
	e := newTestEnv(t)
	key := map[string]string{"Idempotency-Key": "app-7f3a9c1e-2b4d-4e8f"}
	e.apiSubmit(validReportJSON, key)
	other := reportJSON(t, func(m map[string]any) { m["amountYuan"] = "1" })
	resp, body := e.postJSON("/api/v1/reports", other, key)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("status %d, want 409\n%s", resp.StatusCode, body)
	}
	m := decodeJSONBody(t, body)
	if msg, _ := m["error"].(string); !strings.Contains(msg, "内容与本次不同") {
		t.Errorf("error %q", msg)
	}
	if m["requestId"] != resp.Header.Get("X-Request-Id") {
		t.Errorf("requestId %v, header %q", m["requestId"], resp.Header.Get("X-Request-Id"))
	}
	if _, ok := m["accessCode"]; ok {
		t.Error("409 carries an access code")
	}
	if n := e.caseCount(); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}

func TestAPIInvalidFieldsAnswer422KeyedByJSONPath(t *testing.T) {
	tests := []struct {
		name string
		edit func(m map[string]any)
		keys []string
	}{
		{"bad ID number and short description", func(m map[string]any) {
			m["reporter"].(map[string]any)["idNumber"] = "440524188001015369"
			m["description"] = "太短了"
		}, []string{"reporter.idNumber", "description"}},
		{"bad subject credit code", func(m map[string]any) {
			m["subject"].(map[string]any)["creditCode"] = "91350200776049653B"
		}, []string{"subject.creditCode"}},
		{"unknown insurance type", func(m map[string]any) { m["insuranceTypes"] = []string{"pension", "lottery"} },
			[]string{"insuranceTypes"}},
		{"named without reporter", func(m map[string]any) { delete(m, "reporter") },
			[]string{"reporter.name", "reporter.idNumber", "reporter.phone"}},
		{"employer without organisation", func(m map[string]any) { m["reporterType"] = "employer" },
			[]string{"organisation.name", "organisation.creditCode"}},
		{"future date and bad amount", func(m map[string]any) {
			m["occurredFrom"] = "2027-01-01"
			m["amountYuan"] = "12万"
		}, []string{"occurredFrom", "amountYuan"}},
		{"unknown field", func(m map[string]any) { m["reporterAge"] = 41 }, []string{"reporterAge"}},
		{"insurance types as a string", func(m map[string]any) { m["insuranceTypes"] = "pension" },
			[]string{"insuranceTypes"}},
		{"anonymous as a string", func(m map[string]any) { m["anonymous"] = "no" }, []string{"anonymous"}},
	}
	e := newTestEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			resp, body := e.postJSON("/api/v1/reports", reportJSON(t, tt.edit), nil)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", resp.StatusCode, body)
			}
			var v apiValidation
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Fatal(err)
			}
			if !hasHan(v.Error) || v.RequestID == "" {
				t.Errorf("error %q requestId %q", v.Error, v.RequestID)
			}
			for _, k := range tt.keys {
				if msg := v.Errors[k]; !hasHan(msg) {
					t.Errorf("errors[%q] = %q, want a Chinese message; errors: %v", k, msg, v.Errors)
				}
			}
			if n := e.caseCount(); n != 0 {
				t.Fatalf("%d cases stored", n)
			}
		})
	}
}

func TestAPICreditCodeConfirmFlagAcceptsBadChecksum(t *testing.T) {
	e := newTestEnv(t)
	body := reportJSON(t, func(m map[string]any) {
		m["subject"].(map[string]any)["creditCode"] = "91350200776049653B"
		m["confirmCreditCode"] = true
	})
	e.apiSubmit(body, nil)
}

func TestAPIRequestFormatErrors(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		headers     map[string]string
		status      int
	}{
		{"malformed JSON", "application/json", `{"kind": "report",`, nil, http.StatusBadRequest},
		{"not an object", "application/json", `["report"]`, nil, http.StatusBadRequest},
		{"two objects", "application/json", validReportJSON + validReportJSON, nil, http.StatusBadRequest},
		{"empty body", "application/json", ``, nil, http.StatusBadRequest},
		{"text/plain", "text/plain", validReportJSON, nil, http.StatusUnsupportedMediaType},
		{"form encoded", "application/x-www-form-urlencoded", "kind=report", nil, http.StatusUnsupportedMediaType},
		{"Idempotency-Key too short", "application/json", validReportJSON,
			map[string]string{"Idempotency-Key": "abc"}, http.StatusUnprocessableEntity},
		{"Idempotency-Key with spaces", "application/json", validReportJSON,
			map[string]string{"Idempotency-Key": "has spaces in it 123"}, http.StatusUnprocessableEntity},
	}
	e := newTestEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			h := map[string]string{"Content-Type": tt.contentType}
			for k, v := range tt.headers {
				h[k] = v
			}
			resp, body := e.request(http.MethodPost, "/api/v1/reports", strings.NewReader(tt.body), h)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tt.status, body)
			}
			m := decodeJSONBody(t, body)
			if msg, _ := m["error"].(string); !hasHan(msg) {
				t.Errorf("error %q, want Chinese", msg)
			}
			if m["requestId"] == "" || m["requestId"] == nil {
				t.Error("no requestId")
			}
			if tt.status == http.StatusUnprocessableEntity {
				if errs, _ := m["errors"].(map[string]any); errs["Idempotency-Key"] == nil {
					t.Errorf("errors %v lack Idempotency-Key", m["errors"])
				}
			}
			if n := e.caseCount(); n != 0 {
				t.Fatalf("%d cases stored", n)
			}
		})
	}
}

// liveApp serves the app on a random local port, for requests app.Test
// cannot make (a body over the server's limit ends app.Test with an error).
func liveApp(t *testing.T, e *testEnv) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	t.Cleanup(func() { _ = e.app.ShutdownWithTimeout(5 * time.Second) })
	return ln.Addr().String()
}

// postDeclaringLength sends only the head of a POST whose Content-Length
// announces n bytes and reads the answer. The server refuses an oversized
// body from its length alone; sending the body too would race the server
// closing the connection.
func postDeclaringLength(t *testing.T, addr, path, contentType string, n int) *http.Response {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	head := "POST " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: " + contentType +
		"\r\nContent-Length: " + strconv.Itoa(n) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestBodyOver256KiBAnswers413(t *testing.T) {
	e := newTestEnv(t)
	addr := liveApp(t, e)
	tests := []struct{ name, path, contentType string }{
		{"API", "/api/v1/reports", "application/json"},
		{"form", "/report", "application/x-www-form-urlencoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := postDeclaringLength(t, addr, tt.path, tt.contentType, web.MaxBodyBytes+1)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413\n%s", resp.StatusCode, b)
			}
			if !strings.Contains(string(b), "提交的内容超过了允许的大小") {
				t.Errorf("413 without the Chinese message:\n%s", b)
			}
			id := resp.Header.Get("X-Request-Id")
			if id == "" || !strings.Contains(string(b), id) {
				t.Errorf("413 request id %q not in the answer", id)
			}
			if resp.Header.Get("Content-Security-Policy") != web.ContentSecurityPolicy ||
				resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("413 without the security headers: %v", resp.Header)
			}
			if tt.name == "API" {
				decodeJSONBody(t, string(b))
				head := "POST " + tt.path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + tt.contentType + "\r\n\r\n"
				for _, p := range checkRawExchange(head, nil, resp, b) {
					t.Errorf("API and OpenAPI document disagree: %s", p)
				}
			}
		})
	}
	if n := e.caseCount(); n != 0 {
		t.Errorf("%d cases stored", n)
	}
}

func TestBodyJustUnder256KiBIsRead(t *testing.T) {
	// A body within the limit reaches the handler, which judges its content.
	e := newTestEnv(t)
	body := reportJSON(t, func(m map[string]any) { m["description"] = strings.Repeat("长", 80_000) })
	if len(body) > web.MaxBodyBytes {
		t.Fatalf("test body %d bytes is over the limit", len(body))
	}
	resp, out := e.postJSON("/api/v1/reports", body, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(out, `"description"`) {
		t.Errorf("status %d, want 422 for the description\n%s", resp.StatusCode, clip(out, 300))
	}
}

// walkKeys calls fn for every object key in a decoded JSON value.
func walkKeys(v any, fn func(key string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			fn(k)
			walkKeys(child, fn)
		}
	case []any:
		for _, child := range x {
			walkKeys(child, fn)
		}
	}
}

func TestAPIGetReportShowsProgressButNoIdentity(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.apiSubmit(validReportJSON, nil)
	resp, body := e.getWith("/api/v1/reports/"+number, map[string]string{"X-Access-Code": code})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	var v apiCase
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	if v.Number != number || v.Status != "received" || len(v.Timeline) != 1 || v.Timeline[0].Status != "received" ||
		v.Messages == nil || len(v.Messages) != 0 || v.RegionName != "吉林省 吉林市 蛟河市" {
		t.Errorf("case view %+v", v)
	}

	e.transition(number, store.StatusAccepted, "", "已受理，正在核实。")
	e.handlerReply(number, "请提供死亡证明的复印件。")
	resp, body = e.getWith("/api/v1/reports/"+number, map[string]string{"X-Access-Code": strings.ToLower(code)})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("second read: status %d", resp.StatusCode)
	}
	v = apiCase{}
	_ = json.Unmarshal([]byte(body), &v)
	if len(v.Timeline) != 2 || v.Timeline[1].Status != "accepted" || v.Timeline[1].Note != "已受理，正在核实。" {
		t.Errorf("timeline %+v", v.Timeline)
	}
	if len(v.Messages) != 1 || v.Messages[0].Author != "handler" || v.Messages[0].Body != "请提供死亡证明的复印件。" {
		t.Errorf("messages %+v", v.Messages)
	}

	for _, secret := range []string{apiReporterName, apiReporterID, apiReporterPhone, code, "handler-1"} {
		if strings.Contains(body, secret) {
			t.Errorf("case JSON contains %q", secret)
		}
	}
	var raw any
	_ = json.Unmarshal([]byte(body), &raw)
	forbidden := map[string]bool{"reporter": true, "organisation": true, "reporterSealed": true, "idNumber": true,
		"phone": true, "email": true, "name": true, "accessCode": true, "accessCodeHash": true, "actor": true,
		"idempotencyKey": true, "submissionHash": true, "id": true}
	walkKeys(raw, func(k string) {
		if forbidden[k] {
			t.Errorf("case JSON has the field %q", k)
		}
	})
}

func TestAPIWrongCodeAndWrongNumberAreIdentical404s(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.apiSubmit(validReportJSON, nil)
	tests := []struct {
		name    string
		number  string
		headers map[string]string
	}{
		{"wrong code", number, map[string]string{"X-Access-Code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"}},
		{"unknown number", "2026-999999", map[string]string{"X-Access-Code": code}},
		{"malformed number", "not-a-number", map[string]string{"X-Access-Code": code}},
		{"missing header", number, nil},
	}
	var want map[string]any
	var wantRaw string
	for _, tt := range tests {
		resp, body := e.getWith("/api/v1/reports/"+tt.number, tt.headers)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: status %d, want 404\n%s", tt.name, resp.StatusCode, body)
		}
		raw := strings.Replace(body, resp.Header.Get("X-Request-Id"), "ID", 1)
		if wantRaw == "" {
			wantRaw = raw
		} else if raw != wantRaw {
			t.Errorf("%s: body %s, want byte-identical %s", tt.name, raw, wantRaw)
		}
		m := decodeJSONBody(t, body)
		if m["requestId"] != resp.Header.Get("X-Request-Id") {
			t.Errorf("%s: requestId %v ≠ header", tt.name, m["requestId"])
		}
		delete(m, "requestId")
		if want == nil {
			want = m
			if m["error"] != msgWrongCredentials || len(m) != 1 {
				t.Errorf("body %v", m)
			}
		} else if len(m) != len(want) || m["error"] != want["error"] {
			t.Errorf("%s: body %v differs from %v", tt.name, m, want)
		}
	}
}

func TestAPIAddMessageAnswers201AndIsStoredOnce(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.apiSubmit(validReportJSON, nil)
	h := map[string]string{"X-Access-Code": code, "Idempotency-Key": "msg-0001-aaaa-bbbb"}
	for i := range 2 {
		resp, body := e.postJSON("/api/v1/reports/"+number+"/messages", `{"body": "补充：冒领人住在蛟河市某某街道。"}`, h)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("post %d: status %d, want 201\n%s", i+1, resp.StatusCode, body)
		}
		var m apiMessage
		if err := json.Unmarshal([]byte(body), &m); err != nil || m.Author != "reporter" || m.Body != "补充：冒领人住在蛟河市某某街道。" {
			t.Errorf("post %d: message %+v %v", i+1, m, err)
		}
	}
	if n := e.messageCount(number); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
	_, body := e.getWith("/api/v1/reports/"+number, map[string]string{"X-Access-Code": code})
	if !strings.Contains(body, "补充：冒领人住在蛟河市某某街道。") {
		t.Error("message not in the case view")
	}
}

func TestAPIAddMessageErrors(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.apiSubmit(validReportJSON, nil)
	path := "/api/v1/reports/" + number + "/messages"
	auth := map[string]string{"X-Access-Code": code}
	tests := []struct {
		name    string
		body    string
		headers map[string]string
		status  int
		errKey  string
	}{
		{"too short", `{"body": "好"}`, auth, http.StatusUnprocessableEntity, "body"},
		{"unknown field", `{"body": "补充一些新情况。", "author": "handler"}`, auth, http.StatusUnprocessableEntity, "author"},
		{"body not a string", `{"body": 5}`, auth, http.StatusUnprocessableEntity, "body"},
		{"bad Idempotency-Key", `{"body": "补充一些新情况。"}`,
			map[string]string{"X-Access-Code": code, "Idempotency-Key": "x"}, http.StatusUnprocessableEntity, "Idempotency-Key"},
		{"wrong code", `{"body": "补充一些新情况。"}`,
			map[string]string{"X-Access-Code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"}, http.StatusNotFound, ""},
		{"no code", `{"body": "补充一些新情况。"}`, nil, http.StatusNotFound, ""},
		{"malformed JSON", `{"body": `, auth, http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			resp, body := e.postJSON(path, tt.body, tt.headers)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tt.status, body)
			}
			m := decodeJSONBody(t, body)
			if tt.errKey != "" {
				if errs, _ := m["errors"].(map[string]any); errs[tt.errKey] == nil {
					t.Errorf("errors %v lack %q", m["errors"], tt.errKey)
				}
			}
			if n := e.messageCount(number); n != 0 {
				t.Errorf("%d messages stored", n)
			}
		})
	}
}

func TestAPIAddMessageToClosedCaseAnswers422(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.apiSubmit(validReportJSON, nil)
	e.closeCase(number)
	resp, body := e.postJSON("/api/v1/reports/"+number+"/messages", `{"body": "结案后还想补充一点情况。"}`,
		map[string]string{"X-Access-Code": code})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422\n%s", resp.StatusCode, body)
	}
	var v apiValidation
	_ = json.Unmarshal([]byte(body), &v)
	if !strings.Contains(v.Errors["body"], "本件已结案归档，不能再补充信息") {
		t.Errorf("errors %v", v.Errors)
	}
	if n := e.messageCount(number); n != 0 {
		t.Errorf("%d messages stored", n)
	}
}

func TestAPIFollowupRateLimitPerNumber(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.apiSubmit(validReportJSON, nil)
	for range 10 {
		e.getWith("/api/v1/reports/"+number, map[string]string{"X-Access-Code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"})
	}
	resp, body := e.getWith("/api/v1/reports/"+number, map[string]string{"X-Access-Code": code})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429\n%s", resp.StatusCode, body)
	}
	if m := decodeJSONBody(t, body); !strings.Contains(m["error"].(string), "操作过于频繁") {
		t.Errorf("429 body %v", m)
	}
}

func TestAPISubmitRateLimitPerClient(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) { h.Config.Limits.SubmitPerIP = 1 })
	e.apiSubmit(validReportJSON, nil)
	resp, body := e.postJSON("/api/v1/reports", validReportJSON, nil)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429\n%s", resp.StatusCode, body)
	}
	decodeJSONBody(t, body)
}

func TestAPIUnknownRouteAndWrongMethodAnswerJSON(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/api/v1/nope", http.StatusNotFound},
		{http.MethodPost, "/api/v1/nope", http.StatusNotFound},
		{http.MethodGet, "/api/v2/reports", http.StatusNotFound},
		{http.MethodGet, "/api/v1/reports", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/api/v1/reports/2026-000001", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		resp, body := e.request(tt.method, tt.path, nil, nil)
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
			continue
		}
		m := decodeJSONBody(t, body)
		if msg, _ := m["error"].(string); !hasHan(msg) {
			t.Errorf("%s %s: error %q", tt.method, tt.path, msg)
		}
	}
}

func TestOpenAPIDocumentsEveryAPIRoute(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.get("/api/v1/openapi.json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("not valid JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	// Served without the file's indentation, and otherwise the file.
	var served, file any
	if err := json.Unmarshal([]byte(body), &served); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(openAPIDoc, &file); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(served, file) {
		t.Error("the served document differs from handlers/openapi.json")
	}
	if len(body) >= len(openAPIDoc)*3/4 || strings.Contains(body, "\n  ") {
		t.Errorf("served %d bytes of the file's %d: want it without the indentation", len(body), len(openAPIDoc))
	}
	seen := 0
	for _, r := range e.app.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1") || r.Method == http.MethodHead {
			continue
		}
		seen++
		path := r.Path
		for _, p := range r.Params {
			path = strings.Replace(path, ":"+p, "{"+p+"}", 1)
		}
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("route %s %s: path %s not documented", r.Method, r.Path, path)
			continue
		}
		if _, ok := ops[strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s: method not documented", r.Method, r.Path)
		}
	}
	if seen < 4 {
		t.Errorf("walked %d API routes, want at least 4", seen)
	}
}

func TestAPIMessagesWithoutIdempotencyKeyAreEachStored(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.apiSubmit(validReportJSON, nil)
	for range 2 {
		e.postJSON("/api/v1/reports/"+number+"/messages", `{"body": "同样的补充信息发两次。"}`, map[string]string{"X-Access-Code": code})
	}
	if n := e.messageCount(number); n != 2 {
		t.Errorf("%d messages, want 2 (no key, no deduplication)", n)
	}
}

func TestAPIOverlongCodeOrNumberIs404(t *testing.T) {
	e := newTestEnv(t)
	number, _ := e.apiSubmit(validReportJSON, nil)
	for name, tt := range map[string]struct{ number, code string }{
		"code over 128":  {number, strings.Repeat("A", 129)},
		"number over 64": {strings.Repeat("2", 65), "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"},
	} {
		resp, body := e.getWith("/api/v1/reports/"+tt.number, map[string]string{"X-Access-Code": tt.code})
		if resp.StatusCode != http.StatusNotFound || decodeJSONBody(t, body)["error"] != msgWrongCredentials {
			t.Errorf("%s: status %d\n%s", name, resp.StatusCode, body)
		}
	}
}

// The request examples in the OpenAPI document are what integrators copy:
// each must be accepted by the API as it stands.
func TestOpenAPIRequestExamplesAreAccepted(t *testing.T) {
	e := newTestEnv(t)
	var doc struct {
		Components struct {
			Examples map[string]struct {
				Value json.RawMessage `json:"value"`
			} `json:"examples"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"NamedCitizenReport", "AnonymousMedicalReport", "CitizenComplaint"} {
		ex, ok := doc.Components.Examples[name]
		if !ok || len(ex.Value) == 0 {
			t.Fatalf("example %s missing from the OpenAPI document", name)
		}
		resp, body := e.postJSON("/api/v1/reports", string(ex.Value), nil)
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("example %s: status %d\n%s", name, resp.StatusCode, body)
		}
	}
}

// The documented 422 examples are the server's own messages, so that the
// hand-written messages and the document cannot drift apart.
func TestOpenAPIValidationExamplesAreWhatTheServerSays(t *testing.T) {
	e := newTestEnv(t)
	var doc struct {
		Components struct {
			Examples map[string]struct {
				Value struct {
					Errors map[string]string `json:"errors"`
				} `json:"value"`
			} `json:"examples"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(m map[string]any){
		"ValidationFailed": func(m map[string]any) {
			m["reporter"].(map[string]any)["idNumber"] = "110105194912310021"
			m["subject"].(map[string]any)["name"] = " "
			m["insuranceTypes"] = []string{}
			m["amountYuan"] = "100.005"
		},
		"CreditCodeChecksum": func(m map[string]any) {
			m["subject"].(map[string]any)["creditCode"] = "91350200776049653B"
		},
		"UnknownField": func(m map[string]any) { m["reporterName"] = "李四" },
		"NullField":    func(m map[string]any) { m["anonymous"] = nil },
		"SectionNotApplicable": func(m map[string]any) {
			m["anonymous"] = true
			delete(m["reporter"].(map[string]any), "phone")
		},
	} {
		want := doc.Components.Examples[name].Value.Errors
		resp, body := e.postJSON("/api/v1/reports", reportJSON(t, edit), nil)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d\n%s", name, resp.StatusCode, body)
		}
		var got struct {
			Errors map[string]string `json:"errors"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 || !maps.Equal(got.Errors, want) {
			t.Errorf("example %s documents %v; the server says %v", name, want, got.Errors)
		}
	}
}
