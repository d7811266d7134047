package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
	"fundwatch/store/disk"
	"fundwatch/store/mongo"
	"fundwatch/store/mongo/mongotest"
	"fundwatch/store/sqlite"
)

// testEnv is a real portal in a temp dir: SQLite store, fixed key, a clock the
// test controls, and a log buffer to check what was (not) logged.
type testEnv struct {
	t       testing.TB // a test, or a benchmark (bench_test.go)
	app     *fiber.App
	h       *Handler
	store   store.Store
	logs    *syncBuffer
	mu      sync.Mutex
	now     time.Time
	cookies map[string]string
	// blobs holds the evidence files of the env (disk, or GridFS on MongoDB).
	blobs store.BlobStore
	// dbPath is the SQLite file of newTestEnv ("" for another store).
	dbPath string
	// contractOff, when not "", is why this env's exchanges under
	// /api/v1/ are not held against the OpenAPI document (see
	// contract_test.go); every env is checked unless it says why not.
	contractOff string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testKey is a fixed master key for tests only.
var testKey = bytes.Repeat([]byte{0x42}, 32)

func newTestEnv(t testing.TB, configure ...func(*Handler)) *testEnv {
	t.Helper()
	st, path := openTestStore(t)
	env := newTestEnvWithStore(t, st, configure...)
	env.dbPath = path
	return env
}

// openTestStore opens the store the handler tests run on: SQLite in a temp
// dir by default (path is its file), or MongoDB when FUNDWATCH_TEST_STORE=mongo
// (TEST_MONGO_URI or an embedded FerretDB; path is "").
func openTestStore(t testing.TB) (st store.Store, path string) {
	t.Helper()
	switch os.Getenv("FUNDWATCH_TEST_STORE") {
	case "", "sqlite":
		path = filepath.Join(t.TempDir(), "fundwatch.db")
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db, path
	case "mongo":
		db, err := mongo.Open(context.Background(), mongotest.URI(t), mongotest.DatabaseName(t))
		if err != nil {
			t.Fatalf("open mongo store: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db, ""
	}
	t.Fatalf("FUNDWATCH_TEST_STORE=%q: want sqlite or mongo", os.Getenv("FUNDWATCH_TEST_STORE"))
	return nil, ""
}

func newTestEnvWithStore(t testing.TB, st store.Store, configure ...func(*Handler)) *testEnv {
	t.Helper()
	k, err := casework.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	regions := casework.DefaultRegions()
	v, err := NewValidator(regions)
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{t: t, store: st, logs: &syncBuffer{}, cookies: map[string]string{},
		now: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
	log := slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var blobs store.BlobStore
	if m, ok := st.(*mongo.DB); ok {
		blobs = m.Blobs()
	} else {
		d, err := disk.Open(filepath.Join(t.TempDir(), "files"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		blobs = d
	}
	env.blobs = blobs
	h := &Handler{
		Store: st, Keyring: k, Regions: regions, Calendar: casework.DefaultCalendar(), Validate: v,
		Cases: &caseflow.Service{Store: st, Blobs: blobs, Keyring: k, Regions: regions, Rules: caseflow.DefaultRules(),
			Clock: env.clock, Log: log},
		Clock:  env.clock,
		Log:    log,
		Config: Config{BaseURL: "http://localhost:8080", Version: "test"},
	}
	for _, f := range configure {
		f(h)
	}
	app, err := h.App()
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	env.app, env.h = app, h
	if ms, ok := h.Storage.(*web.MemoryStorage); ok {
		t.Cleanup(func() { ms.Close() })
	}
	return env
}

func (e *testEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *testEnv) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// do sends a request through app.Test, keeping cookies like a browser.
// An exchange under /api/ is held against the OpenAPI document, and a
// disagreement fails the test (contract_test.go).
func (e *testEnv) do(req *http.Request) (*http.Response, string) {
	e.t.Helper()
	resp, body, problems := e.exchange(req)
	for _, p := range problems {
		e.t.Errorf("API and OpenAPI document disagree: %s", p)
	}
	return resp, body
}

// exchange is do without failing the test: it returns the disagreements
// with the OpenAPI document instead.
func (e *testEnv) exchange(req *http.Request) (*http.Response, string, []string) {
	e.t.Helper()
	for name, v := range e.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	if req.RemoteAddr == "" {
		req.RemoteAddr = "192.0.2.10:1234"
	}
	checked := e.contractOff == "" && strings.HasPrefix(req.URL.Path, web.APIPrefix)
	var reqBody []byte
	if checked && req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			e.t.Fatalf("%s %s: read request body: %v", req.Method, req.URL, err)
		}
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := e.app.Test(req, 10000)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var problems []string
	if checked {
		c, err := loadContract()
		if err != nil {
			e.t.Fatal(err)
		}
		problems = c.check(req, reqBody, resp, body)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) || c.Value == "" {
			delete(e.cookies, c.Name)
		} else {
			e.cookies[c.Name] = c.Value
		}
	}
	return resp, string(body), problems
}

func (e *testEnv) get(path string) (*http.Response, string) {
	e.t.Helper()
	return e.do(httptest.NewRequest(http.MethodGet, path, nil))
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
var idemField = regexp.MustCompile(`name="idem" value="([^"]+)"`)

// formTokens loads a page and returns its CSRF token and idempotency token.
func (e *testEnv) formTokens(path string) (csrf, idem string) {
	e.t.Helper()
	resp, body := e.get(path)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("GET %s: no CSRF token in page", path)
	}
	csrf = m[1]
	if m := idemField.FindStringSubmatch(body); m != nil {
		idem = m[1]
	}
	return csrf, idem
}

// postForm posts url-encoded values (with the CSRF token added when csrf != "").
func (e *testEnv) postForm(path string, v url.Values) (*http.Response, string) {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

func (e *testEnv) postJSON(path, body string, headers map[string]string) (*http.Response, string) {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return e.do(req)
}

// validReportForm is a named citizen report that passes every check.
func validReportForm(csrf, idem string) url.Values {
	return url.Values{
		"_csrf":              {csrf},
		"idem":               {idem},
		"kind":               {"report"},
		"reporterType":       {"citizen"},
		"anonymous":          {"false"},
		"category":           {"unpaid_contributions"},
		"insuranceTypes":     {"pension", "unemployment"},
		"regionCode":         {"220102"},
		"subject.name":       {"长春某某商贸有限公司"},
		"subject.creditCode": {"91350200776049653A"},
		"amountYuan":         {"86,500.00"},
		"occurredFrom":       {"2026-03-01"},
		"description":        {"该公司自2025年3月起按最低缴费基数为全部职工申报养老保险，实际工资远高于申报基数。"},
		"reporter.name":      {"张三"},
		"reporter.idNumber":  {"11010519491231002x"},
		"reporter.phone":     {"138 0013 8000"},
		"acknowledgeNotice":  {"true"},
	}
}

const validReportJSON = `{
  "kind": "report", "reporterType": "citizen", "anonymous": false,
  "category": "fraudulent_claims", "insuranceTypes": ["pension"], "regionCode": "220281",
  "subject": {"name": "王某某"}, "amountYuan": "126000",
  "description": "王某某的父亲已于2021年去世，家属未办理注销，至今仍在按月领取养老金。",
  "reporter": {"name": "李四", "idNumber": "440524188001015368", "phone": "13900139000"},
  "acknowledgeNotice": true
}`

// complaintForm turns the valid form into a named citizen's complaint
// about the employer, with what a complaint needs.
func complaintForm(v url.Values) {
	v.Set("kind", "complaint")
	v.Set("complaint.request", "要求单位为本人补缴2025年3月以来的养老保险费和失业保险费。")
	v.Set("complaint.hiredOn", "2019-07")
	v.Set("complaint.position", "仓库保管员")
	v.Set("complaint.labourContract", "signed")
}

var receiptNumber = regexp.MustCompile(`id="receipt-number">([^<]+)<`)

// receiptCode finds the access code on a receipt, shown in groups of four
// (each in a span that keeps it on one line); codeText makes it text.
var receiptCode = regexp.MustCompile(`id="receipt-code">(.+?)</dd>`)

// codeText is the text of HTML without its tags: the access code as a
// reader copies it from the receipt.
func codeText(html string) string { return regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html, "") }

// submitValid files the valid form and returns the receipt's number and code.
func (e *testEnv) submitValid() (number, code string) {
	e.t.Helper()
	csrf, idem := e.formTokens("/report")
	resp, body := e.postForm("/report", validReportForm(csrf, idem))
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("submit: status %d\n%s", resp.StatusCode, body)
	}
	n, c := receiptNumber.FindStringSubmatch(body), receiptCode.FindStringSubmatch(body)
	if n == nil || c == nil {
		e.t.Fatalf("submit: no receipt in page:\n%s", body)
	}
	return n[1], codeText(c[1])
}

func (e *testEnv) caseCount() int {
	e.t.Helper()
	_, n, err := e.store.ListCases(context.Background(), store.CaseFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// request sends a request with the given headers (cookies added by do).
func (e *testEnv) request(method, path string, body io.Reader, headers map[string]string) (*http.Response, string) {
	e.t.Helper()
	req := httptest.NewRequest(method, path, body)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return e.do(req)
}

// getWith is a GET with extra headers, e.g. X-Access-Code for the API.
func (e *testEnv) getWith(path string, headers map[string]string) (*http.Response, string) {
	e.t.Helper()
	return e.request(http.MethodGet, path, nil, headers)
}

// postFormFrom is postForm with extra headers (X-Forwarded-For in the rate
// limit tests).
func (e *testEnv) postFormFrom(path string, v url.Values, headers map[string]string) (*http.Response, string) {
	e.t.Helper()
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for k, val := range headers {
		h[k] = val
	}
	return e.request(http.MethodPost, path, strings.NewReader(v.Encode()), h)
}

// csrfToken loads path and returns only its CSRF token.
func (e *testEnv) csrfToken(path string) string {
	e.t.Helper()
	csrf, _ := e.formTokens(path)
	return csrf
}

// submitForm loads /report for fresh tokens, lets edit change the valid form,
// and posts it.
func (e *testEnv) submitForm(edit func(v url.Values)) (*http.Response, string) {
	e.t.Helper()
	csrf, idem := e.formTokens("/report")
	v := validReportForm(csrf, idem)
	if edit != nil {
		edit(v)
	}
	return e.postForm("/report", v)
}

// receiptOf returns the number and access code shown on a receipt page.
func receiptOf(t *testing.T, body string) (number, code string) {
	t.Helper()
	n, c := receiptNumber.FindStringSubmatch(body), receiptCode.FindStringSubmatch(body)
	if n == nil || c == nil {
		t.Fatalf("no receipt number and code in page:\n%s", body)
	}
	return n[1], codeText(c[1])
}

// login enters number and code on the follow-up form.
func (e *testEnv) login(number, code string) (*http.Response, string) {
	e.t.Helper()
	return e.postForm("/followup", url.Values{
		"_csrf": {e.csrfToken("/followup")}, "number": {number}, "code": {code},
	})
}

// mustLogin logs in and fails the test unless it redirects to the case page.
func (e *testEnv) mustLogin(number, code string) {
	e.t.Helper()
	resp, body := e.login(number, code)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/followup/case" {
		e.t.Fatalf("login %s: status %d location %q\n%s", number, resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

// caseByNumber reads a case straight from the store.
func (e *testEnv) caseByNumber(number string) *store.Case {
	e.t.Helper()
	c, err := e.store.CaseByNumber(context.Background(), number)
	if err != nil {
		e.t.Fatalf("case %s: %v", number, err)
	}
	return c
}

// transition changes a case's status directly on the store, as a handler
// working in the admin pages would.
func (e *testEnv) transition(number, to, result, note string) *store.Case {
	e.t.Helper()
	c := e.caseByNumber(number)
	u := store.CaseUpdate{
		CaseID: c.ID, ExpectStatus: c.Status, ExpectVersion: c.Version,
		Event: store.Event{
			ID: web.NewID(), At: e.h.now(), Action: store.ActionStatus, FromStatus: c.Status, ToStatus: to,
			Result: result, Note: note, Actor: "handler-1",
		},
	}
	if result != "" {
		u.Set.Result = &result
	}
	out, err := e.store.UpdateCase(context.Background(), u)
	if err != nil {
		e.t.Fatalf("transition %s %s→%s: %v", number, c.Status, to, err)
	}
	return out
}

// closeCase takes a new case through every stage to closed.
func (e *testEnv) closeCase(number string) {
	e.t.Helper()
	e.transition(number, store.StatusAccepted, "", "已受理。")
	e.transition(number, store.StatusInvestigating, "", "正在调查。")
	e.transition(number, store.StatusConcluded, store.ResultSubstantiated, "经查属实，已责令补缴。")
	e.transition(number, store.StatusClosed, "", "已结案。")
}

// handlerReply adds a handler's message to a case directly on the store.
func (e *testEnv) handlerReply(number, body string) {
	e.t.Helper()
	c := e.caseByNumber(number)
	err := e.store.AddMessage(context.Background(), &store.Message{
		ID: web.NewID(), CaseID: c.ID, At: e.h.now(), Author: store.AuthorHandler, Body: body, Actor: "handler-1",
	})
	if err != nil {
		e.t.Fatalf("handler message: %v", err)
	}
}

// messageCount counts the messages of a case in the store.
func (e *testEnv) messageCount(number string) int {
	e.t.Helper()
	msgs, err := e.store.CaseMessages(context.Background(), e.caseByNumber(number).ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(msgs)
}

// logLines parses the JSON log buffer, one record per line.
func (e *testEnv) logLines() []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			e.t.Fatalf("log line is not JSON: %v\n%s", err, line)
		}
		out = append(out, rec)
	}
	return out
}

// errorLogs returns the error-level log records of one request.
func (e *testEnv) errorLogs(requestID string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, rec := range e.logLines() {
		if rec["level"] == "ERROR" && rec["request_id"] == requestID {
			out = append(out, rec)
		}
	}
	return out
}

// faultStore wraps a real store and lets a test replace single methods, to
// make the store fail, be unavailable or panic.
type faultStore struct {
	store.Store
	createCase   func(ctx context.Context, c *store.Case, first store.Event) error
	caseByNumber func(ctx context.Context, number string) (*store.Case, error)
	caseEvents   func(ctx context.Context, caseID string) ([]store.Event, error)
	ping         func(ctx context.Context) error
}

func (f *faultStore) CaseEvents(ctx context.Context, caseID string) ([]store.Event, error) {
	if f.caseEvents != nil {
		return f.caseEvents(ctx, caseID)
	}
	return f.Store.CaseEvents(ctx, caseID)
}

func (f *faultStore) CreateCase(ctx context.Context, c *store.Case, first store.Event) error {
	if f.createCase != nil {
		return f.createCase(ctx, c, first)
	}
	return f.Store.CreateCase(ctx, c, first)
}

func (f *faultStore) CaseByNumber(ctx context.Context, number string) (*store.Case, error) {
	if f.caseByNumber != nil {
		return f.caseByNumber(ctx, number)
	}
	return f.Store.CaseByNumber(ctx, number)
}

func (f *faultStore) Ping(ctx context.Context) error {
	if f.ping != nil {
		return f.ping(ctx)
	}
	return f.Store.Ping(ctx)
}

// newFaultEnv is a test env whose store is a faultStore over real SQLite.
func newFaultEnv(t *testing.T, configure ...func(*Handler)) (*testEnv, *faultStore) {
	t.Helper()
	st, path := openTestStore(t)
	fs := &faultStore{Store: st}
	env := newTestEnvWithStore(t, fs, configure...)
	env.dbPath = path
	return env, fs
}

var fieldErrorText = regexp.MustCompile(`<p class="error"[^>]*>([^<]+)</p>`)

// fieldError returns the error message shown inside the form field with the
// given key (the element id="f-KEY"), or "".
func fieldError(body, key string) string {
	start := strings.Index(body, `id="f-`+key+`"`)
	if start < 0 {
		return ""
	}
	rest := body[start+len(`id="f-`+key+`"`):]
	if end := strings.Index(rest, `id="f-`); end >= 0 {
		rest = rest[:end]
	}
	if m := fieldErrorText.FindStringSubmatch(rest); m != nil {
		return m[1]
	}
	return ""
}

// hasHan reports whether s contains a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// idNumberWithCheck completes 17 digits with their GB 11643 check character,
// so a test can build an ID number that is wrong only in its date.
func idNumberWithCheck(first17 string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * weights[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

// decodeJSONBody decodes an API response body into a generic map.
func decodeJSONBody(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, body)
	}
	return m
}

// reportJSON returns validReportJSON with edit applied to its decoded form.
func reportJSON(t *testing.T, edit func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(validReportJSON), &m); err != nil {
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

// apiSubmit posts a report to the API and returns number and code, failing
// unless the answer is 201.
func (e *testEnv) apiSubmit(body string, headers map[string]string) (number, code string) {
	e.t.Helper()
	resp, out := e.postJSON("/api/v1/reports", body, headers)
	if resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("API submit: status %d\n%s", resp.StatusCode, out)
	}
	var r struct{ Number, AccessCode string }
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		e.t.Fatal(err)
	}
	return r.Number, r.AccessCode
}

// in makes the env's helpers report failures to t, a subtest, until t ends:
// a helper calling FailNow on the parent test from a subtest would abort it.
func (e *testEnv) in(t *testing.T) *testEnv {
	old := e.t
	e.t = t
	t.Cleanup(func() { e.t = old })
	return e
}

// mainOf returns the <main> part of a page, for short failure messages.
func mainOf(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		body = body[i:]
		if j := strings.Index(body, `</main>`); j >= 0 {
			body = body[:j+len(`</main>`)]
		}
	}
	if len(body) > 4000 {
		body = body[:4000] + "…"
	}
	return body
}
