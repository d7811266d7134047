package handlers

// Tests for the security findings of issue 7, each failing before its fix.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// Finding 5: number, code and message body come from the POST body only.
func TestFollowupReadsCredentialsAndBodyFromThePostBodyOnly(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	q := url.Values{"number": {number}, "code": {code}}
	resp, body := e.postForm("/followup?"+q.Encode(), url.Values{"_csrf": {e.csrfToken("/followup")}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写回执上的查询编号和查询码") {
		t.Errorf("number and code in the query string: status %d, want 422 asking for them", resp.StatusCode)
	}
	e.mustLogin(number, code)
	csrf, idem := e.formTokens("/followup/case")
	msg := url.Values{"body": {"补充：这段文字只在地址里，不在表单正文中。"}}
	resp, _ = e.postForm("/followup/case/messages?"+msg.Encode(), url.Values{"_csrf": {csrf}, "idem": {idem}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("message body in the query string: status %d, want 422", resp.StatusCode)
	}
	if n := e.messageCount(number); n != 0 {
		t.Errorf("%d messages stored from a query string, want 0", n)
	}
}

// Finding 8: JSON keys match exactly, duplicates are refused, and the media
// type is application/json exactly.
func TestAPIMatchesJSONKeysExactlyAndRefusesDuplicates(t *testing.T) {
	e := newTestEnv(t)
	before := e.caseCount()
	for _, tc := range []struct {
		name, body, contentType string
		want                    int
		wantText                string
	}{
		{"a key in other case", strings.Replace(validReportJSON, `"description"`, `"DESCRIPTION"`, 1), "application/json", 422, "DESCRIPTION"},
		{"a key matched by Unicode folding", strings.Replace(validReportJSON, `"kind"`, `"\u212aind"`, 1), "application/json", 422, "不支持的字段"},
		{"a duplicate key", strings.Replace(validReportJSON, `"anonymous": false`, `"anonymous": true, "anonymous": false`, 1), "application/json", 400, "重复"},
		{"a media type that only starts like JSON", validReportJSON, "application/jsonx", 415, "application/json"},
		{"a JSON media type with another charset", validReportJSON, "application/json; charset=gbk", 415, "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.request(http.MethodPost, "/api/v1/reports", strings.NewReader(tc.body),
				map[string]string{"Content-Type": tc.contentType})
			if resp.StatusCode != tc.want || !strings.Contains(body, tc.wantText) {
				t.Errorf("status %d, want %d with %q:\n%s", resp.StatusCode, tc.want, tc.wantText, body)
			}
		})
	}
	if n := e.caseCount(); n != before {
		t.Errorf("%d cases stored from refused requests", n-before)
	}
	// What stays accepted: the exact type, with or without charset=utf-8.
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"} {
		resp, body := e.request(http.MethodPost, "/api/v1/reports", strings.NewReader(validReportJSON),
			map[string]string{"Content-Type": ct, "Idempotency-Key": web.NewToken()})
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("Content-Type %q: status %d\n%s", ct, resp.StatusCode, body)
		}
	}
}

// Finding 7: a message Idempotency-Key reused with another body is refused,
// as the intake API refuses a reused key with other content.
func TestAPIRefusesAMessageKeyReusedWithAnotherBody(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	key := web.NewToken()
	send := func(body string) (*http.Response, string) {
		return e.postJSON("/api/v1/reports/"+number+"/messages", `{"body":`+strconv.Quote(body)+`}`,
			map[string]string{"X-Access-Code": code, "Idempotency-Key": key})
	}
	if resp, body := send("补充：第一次提交的内容。"); resp.StatusCode != http.StatusCreated {
		t.Fatalf("first message: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := send("补充：第一次提交的内容。"); resp.StatusCode != http.StatusCreated {
		t.Errorf("same key, same body (a retry): %d\n%s", resp.StatusCode, body)
	}
	resp, body := send("补充：换了内容却用同一个键。")
	if resp.StatusCode != http.StatusConflict || strings.Contains(body, "换了内容") {
		t.Errorf("same key, another body: status %d, want 409 without echoing the new body\n%s", resp.StatusCode, body)
	}
	if n := e.messageCount(number); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
}

// Finding 2: follow-up messages are limited per client and per case, and
// what a reporter may add to one case is capped.
func TestFollowupMessagesAreLimitedPerClientPerCaseAndInTotal(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	send := func(ip string, i int) int {
		resp, _ := e.request(http.MethodPost, "/api/v1/reports/"+number+"/messages",
			strings.NewReader(`{"body":"补充信息第`+strconv.Itoa(i)+`条：`+strings.Repeat("细节", 20)+`"}`),
			map[string]string{"Content-Type": "application/json", "X-Access-Code": code, "X-Forwarded-For": ip})
		return resp.StatusCode
	}
	lim := e.h.Config.Limits
	accepted := 0
	for i := range 30 {
		switch st := send("", i); st {
		case http.StatusCreated:
			accepted++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("message %d: status %d", i, st)
		}
	}
	if want := min(lim.MessagesPerIP, lim.MessagesPerCase); accepted != want {
		t.Errorf("one client sent 30 messages quickly: %d accepted, want %d", accepted, want)
	}
	resp, _ := e.request(http.MethodPost, "/api/v1/reports/"+number+"/messages", strings.NewReader(`{"body":"再补充一条信息内容"}`),
		map[string]string{"Content-Type": "application/json", "X-Access-Code": code})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("over the limit: status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// After the window more can be added, up to the total a case takes.
	for round := 0; round < 40; round++ {
		e.advance(lim.MessageWindow + time.Second)
		for i := range lim.MessagesPerCase {
			send("", 1000+round*100+i)
		}
	}
	msgs, err := e.store.CaseMessages(t.Context(), e.caseByNumber(number).ID)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, m := range msgs {
		total += len([]rune(m.Body))
	}
	if len(msgs) > caseflow.MaxReporterMessages || total > caseflow.MaxReporterRunes {
		t.Errorf("a case took %d messages of %d characters, beyond the caps %d and %d", len(msgs), total,
			caseflow.MaxReporterMessages, caseflow.MaxReporterRunes)
	}
	e.advance(lim.MessageWindow + time.Second)
	resp, body := e.request(http.MethodPost, "/api/v1/reports/"+number+"/messages", strings.NewReader(`{"body":"超过上限后的补充信息"}`),
		map[string]string{"Content-Type": "application/json", "X-Access-Code": code, "X-Forwarded-For": "198.51.100.7"})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "上限") {
		t.Errorf("beyond the total: status %d\n%s", resp.StatusCode, body)
	}
}

// Over the limit, the follow-up form comes back with what was typed and how
// long to wait.
func TestFollowupFormOverTheMessageLimitKeepsTheDraft(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) { h.Config.Limits.MessagesPerIP = 1 })
	number, code := e.submitValid()
	e.mustLogin(number, code)
	post := func(text string) (*http.Response, string) {
		csrf, idem := e.formTokens("/followup/case")
		return e.postForm("/followup/case/messages", url.Values{"_csrf": {csrf}, "idem": {idem}, "body": {text}})
	}
	if resp, _ := post("第一条补充信息的内容"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first message: %d", resp.StatusCode)
	}
	resp, body := post("第二条补充信息的内容，会被限制")
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "第二条补充信息的内容，会被限制") ||
		!strings.Contains(body, "后再试") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("over the limit: status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// Finding 9: names and addresses are one line of visible text: format and
// direction characters, non-characters and line separators are refused.
func TestSingleLineFieldsRefuseInvisibleAndDirectionCharacters(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) { h.Config.Limits.SubmitPerIP = -1 })
	before := e.caseCount()
	for _, bad := range []string{"\u200b", "\u200f", "\u061c", "\ufeff", "\U000e0041", "\u2028", "\u2029", "\uffff", "\ufdd0", "\u00ad", "\n", "\t"} {
		for _, field := range []string{"subject.name", "subject.address", "reporter.name"} {
			resp, body := e.submitForm(func(v url.Values) { v.Set(field, "长春某某"+bad+"公司") })
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-`+field+`"`) {
				t.Errorf("%s with %U: status %d, want 422 with a message at the field", field, []rune(bad)[0], resp.StatusCode)
			}
		}
	}
	if n := e.caseCount(); n != before {
		t.Errorf("%d cases stored", n-before)
	}
	// What people do type stays accepted: CJK, middle dots, brackets.
	resp, _ := e.submitForm(func(v url.Values) { v.Set("reporter.name", "阿卜杜·热合曼") })
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a name with a middle dot: status %d", resp.StatusCode)
	}
}

// Finding 6: behind trusted proxies every X-Forwarded-For header line is
// read; a client's forged line comes first and a proxy's appended one last.
func TestClientIPReadsEveryForwardedForLine(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) { h.Config.TrustedProxies = []string{"0.0.0.0", "10.0.0.0/8"} })
	for _, tc := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"a forged first line", []string{"1.2.3.4", "203.0.113.9"}, "203.0.113.9"},
		{"lists on several lines", []string{"1.2.3.4, 5.6.7.8", "203.0.113.9, 10.0.0.7"}, "203.0.113.9"},
		{"garbage in the proxy's line", []string{"203.0.113.9", "not-an-ip"}, "0.0.0.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			for _, l := range tc.lines {
				req.Header.Add("X-Forwarded-For", l)
			}
			e.do(req)
			if got := lastLoggedIP(e); got != tc.want {
				t.Errorf("clientIP = %q, want %q", got, tc.want)
			}
		})
	}
}

// Finding 3: a request without a cookie stores nothing. The previous CSRF
// middleware kept a token for 4 hours for every cookie-less GET or HEAD, 404s
// included; now nothing is stored, and pages without a form set no cookie.
func TestCookielessRequestsStoreNothing(t *testing.T) {
	// The access log goes nowhere: the test's log buffer would otherwise
	// be what grows.
	e := newTestEnv(t, func(h *Handler) { h.Log = slog.New(slog.NewTextHandler(io.Discard, nil)) })
	ms, ok := e.h.Storage.(*web.MemoryStorage)
	if !ok {
		t.Skip("the storage is not the in-memory one (FUNDWATCH_TEST_STORE=mongo keeps it in MongoDB)")
	}
	handler := e.app.Handler()
	var rctx fasthttp.RequestCtx
	n := 500_000
	if raceEnabled {
		n = 20_000 // the race detector makes each request ten times slower
	}
	// The pages of the finding, and now and then a page with a form (which
	// sets a cookie, and is slower to render).
	paths := []string{"/", "/guide", "/nope", "/", "/guide", "/nope", "/", "/guide", "/nope", "/report"}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		rctx.Request.Reset()
		rctx.Response.Reset()
		if i%2 == 0 {
			rctx.Request.Header.SetMethod(http.MethodHead)
		} else {
			rctx.Request.Header.SetMethod(http.MethodGet)
		}
		rctx.Request.SetRequestURI(paths[i%len(paths)])
		handler(&rctx)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	// Flat: what a request leaves behind must not add up. 500,000 requests
	// that each kept 100 bytes would hold 48 MiB.
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 16<<20 {
		t.Errorf("heap grew by %.1f MiB over %d cookie-less requests", float64(grown)/(1<<20), n)
	}
	if got := ms.Len(); got != 0 {
		t.Errorf("%d requests without a cookie left %d entries in the storage, want 0", n, got)
	}
	t.Logf("%d cookie-less requests: heap in use %.1f MiB before, %.1f MiB after", n,
		float64(before.HeapInuse)/(1<<20), float64(after.HeapInuse)/(1<<20))
	// Pages without a form set no cookie; POST to a page without a form is 405.
	for _, p := range []string{"/", "/guide", "/nope"} {
		resp, _ := e.get(p)
		if len(resp.Cookies()) != 0 {
			t.Errorf("GET %s set cookies %v", p, resp.Cookies())
		}
	}
	resp, _ := e.postForm("/", url.Values{})
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: status %d, want 405", resp.StatusCode)
	}
}

// Finding 1: a copy of the database does not give anyone a case's access
// code: the idempotency key the code derives from is stored only as a keyed
// hash, and only the original key replays the receipt.
func TestADatabaseCopyDoesNotRevealAccessCodes(t *testing.T) {
	e := newTestEnv(t)
	key := web.NewToken()
	resp, body := e.postJSON("/api/v1/reports", validReportJSON, map[string]string{"Idempotency-Key": key})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("submit: %d\n%s", resp.StatusCode, body)
	}
	var r struct{ Number, AccessCode string }
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	stored := e.caseByNumber(r.Number)
	if strings.Contains(stored.IdempotencyKey, key) || stored.IdempotencyKey == "" {
		t.Errorf("the store holds the idempotency key in clear: %q", stored.IdempotencyKey)
	}
	// What the store holds, replayed as a key, opens nothing.
	resp, body = e.postJSON("/api/v1/reports", validReportJSON, map[string]string{"Idempotency-Key": strings.TrimPrefix(stored.IdempotencyKey, "h1:")})
	if strings.Contains(body, r.AccessCode) {
		t.Errorf("replaying the stored key returned the access code (status %d)", resp.StatusCode)
	}
	// The submitter's own retry still gets the receipt again.
	resp, body = e.postJSON("/api/v1/reports", validReportJSON, map[string]string{"Idempotency-Key": key})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, r.AccessCode) {
		t.Errorf("the submitter's retry: status %d", resp.StatusCode)
	}
	if e.h.Keyring.AccessCodeFor(stored.IdempotencyKey) == r.AccessCode {
		t.Error("the access code derives from what the store holds")
	}
}

// The API's access log line carries the route, not the case number with the
// client's address; the public footer shows no build version (/healthz
// does); an oversize chunked API body gets JSON.
func TestLogsFooterAndOversizeBodiesGiveNothingAway(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	e.getWith("/api/v1/reports/"+number, map[string]string{"X-Access-Code": code})
	for _, l := range e.logLines() {
		if l["msg"] == "request" && strings.Contains(fmt.Sprint(l["path"]), number) {
			t.Errorf("access log pairs the case number with the client: %v", l)
		}
	}
	_, home := e.get("/")
	if strings.Contains(home, "版本 test") {
		t.Error("the public footer shows the build version")
	}
	if _, body := e.get("/healthz"); !strings.Contains(body, "test") {
		t.Errorf("/healthz does not say the version: %q", body)
	}
	// A chunked body needs a real connection: app.Test refuses it itself.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	t.Cleanup(func() { _ = e.app.Shutdown() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	chunk := strings.Repeat("长", web.MaxBodyBytes/3+10)
	fmt.Fprintf(conn, "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(chunk), chunk)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("oversize chunked API body: status %d, type %q\n%.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	head := "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n"
	for _, p := range checkRawExchange(head, []byte(chunk), resp, body) {
		t.Errorf("API and OpenAPI document disagree: %s", p)
	}
}
