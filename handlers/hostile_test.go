package handlers

// Hostile input: the payload lists of TESTING.md ("Against hostile input")
// sent through every field of every form and API endpoint, each payload as a
// separate submission with the rest of the form valid. An answer passes when
// it is never a 5xx, never carries a payload containing '<' unescaped (in the
// body or a header), stores exactly what it claims (a receipt: one record; a
// refusal: none; see ledger), and, when it is a 4xx, says what is wrong in
// Chinese. Free text gets every payload, other fields a deterministic third
// (see sampleEvery).
//
// Payloads: the Big List of Naughty Strings, vendored in testdata/hostile
// (MIT, see the README there), and wfuzz's Injections wordlists, read at run
// time from the Debian package (GPL, so not vendored). Without wfuzz the tests
// skip locally and fail under CI, which installs it.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fundwatch/handlers/web"
	"fundwatch/store"
)

const wfuzzInjections = "/usr/share/wfuzz/wordlist/Injections"

var (
	payloadsOnce sync.Once
	payloadsList []string
	payloadsErr  error
	payloadsFrom string
)

// hostilePayloads returns the deduplicated payloads of blns.json and every
// wfuzz Injections list, in a stable order (blns first, then the wfuzz files
// by name, each in file order).
func hostilePayloads(t *testing.T) []string {
	t.Helper()
	if _, err := os.Stat(wfuzzInjections); err != nil {
		msg := "wfuzz payload lists not found in " + wfuzzInjections + ": install them with `apt-get install -y wfuzz`"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	payloadsOnce.Do(func() {
		seen := map[string]bool{}
		add := func(s string) {
			if !seen[s] {
				seen[s] = true
				payloadsList = append(payloadsList, s)
			}
		}
		b, err := os.ReadFile(filepath.Join("testdata", "hostile", "blns.json"))
		if err != nil {
			payloadsErr = err
			return
		}
		var blns []string
		if err := json.Unmarshal(b, &blns); err != nil {
			payloadsErr = fmt.Errorf("blns.json: %w", err)
			return
		}
		for _, s := range blns {
			add(s)
		}
		nBLNS := len(payloadsList)
		files, err := filepath.Glob(filepath.Join(wfuzzInjections, "*.txt"))
		if err != nil || len(files) == 0 {
			payloadsErr = fmt.Errorf("no wordlists in %s", wfuzzInjections)
			return
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				payloadsErr = err
				return
			}
			// Lines as bytes: bad_chars.txt holds Latin-1, i.e. invalid UTF-8,
			// which is wanted here.
			for _, line := range strings.Split(string(b), "\n") {
				if line = strings.TrimSuffix(line, "\r"); line != "" {
					add(line)
				}
			}
		}
		payloadsFrom = fmt.Sprintf("%d from blns, %d more from %d wfuzz lists", nBLNS, len(payloadsList)-nBLNS, len(files))
	})
	if payloadsErr != nil {
		t.Fatal(payloadsErr)
	}
	return payloadsList
}

// hostileEnv is a test portal with the rate limits off, so that thousands of
// submissions from one address are judged on their content.
func hostileEnv(t *testing.T) *testEnv {
	t.Helper()
	return newTestEnv(t, func(h *Handler) {
		h.Config.Limits = Limits{SubmitPerIP: -1, FollowupPerIP: -1, FollowupPerNumber: -1, FollowupPerClientNumber: -1}
	})
}

// quickCaseCount counts cases without reading a page of them.
func quickCaseCount(e *testEnv) int {
	e.t.Helper()
	_, n, err := e.store.ListCases(context.Background(), store.CaseFilter{Limit: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func messageCount(e *testEnv, caseID string) int {
	e.t.Helper()
	msgs, err := e.store.CaseMessages(context.Background(), caseID)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(msgs)
}

// judge applies the pass rules to answers and keeps the first failures
// readable: after maxReported, failures are only counted.
type judge struct {
	t        *testing.T
	baseline []string
	inBase   map[string]bool
	requests int
	failures int
	skipped  int // payloads not checked for reflection: they occur in a page anyway
	byStatus map[int]int
}

const maxReported = 30

func newJudge(t *testing.T) *judge {
	return &judge{t: t, inBase: map[string]bool{}, byStatus: map[int]int{}}
}

// addBaseline records a body that carries no payload: a payload found in one
// of them (such as "<p>" or "</a>") is part of the page, not a reflection.
func (j *judge) addBaseline(body string) { j.baseline = append(j.baseline, body) }

func (j *judge) failf(format string, args ...any) {
	j.t.Helper()
	j.failures++
	if j.failures <= maxReported {
		j.t.Errorf(format, args...)
	} else if j.failures == maxReported+1 {
		j.t.Errorf("… further failures are counted, not shown")
	}
}

func (j *judge) summary(start time.Time) {
	j.t.Helper()
	j.t.Logf("%d requests in %v; statuses %v; %d payloads skipped for the reflection check (they occur in pages anyway); %d failures",
		j.requests, time.Since(start).Round(time.Millisecond), j.byStatus, j.skipped, j.failures)
}

var hanRune = regexp.MustCompile(`\p{Han}`)

// rawForms are the forms in which a payload would be dangerous if found in a
// response: as sent, and trimmed as the handlers normalise it.
func rawForms(p string) []string {
	var out []string
	for _, s := range []string{p, strings.TrimSpace(p), strings.ReplaceAll(strings.TrimSpace(p), "\r\n", "\n")} {
		if strings.Contains(s, "<") && (len(out) == 0 || out[len(out)-1] != s) {
			out = append(out, s)
		}
	}
	return out
}

// check judges one answer: no 5xx, a Chinese message on a 4xx, and no
// payload containing '<' in the body or headers as it was sent.
func (j *judge) check(what, payload string, resp *http.Response, body string) {
	j.t.Helper()
	j.requests++
	j.byStatus[resp.StatusCode]++
	if resp.StatusCode >= 500 {
		j.failf("%s with %q: status %d\n%s", what, clip(payload, 80), resp.StatusCode, clip(body, 400))
	}
	if resp.StatusCode >= 400 && resp.StatusCode < 500 && !hanRune.MatchString(body) {
		j.failf("%s with %q: status %d without a Chinese message: %s", what, clip(payload, 80), resp.StatusCode, clip(body, 300))
	}
	j.notReflected(what, payload, resp, body)
}

// notReflected fails when the payload, if it holds a '<', is found as it
// was sent in the body or a header of the answer.
func (j *judge) notReflected(what, payload string, resp *http.Response, body string) {
	j.t.Helper()
	for _, p := range rawForms(payload) {
		if j.inBaseline(p) {
			j.skipped++
			continue
		}
		if strings.Contains(body, p) {
			j.failf("%s: payload %q appears unescaped in the response body (status %d)", what, clip(p, 80), resp.StatusCode)
		}
		for k, vs := range resp.Header {
			for _, v := range vs {
				if strings.Contains(v, p) {
					j.failf("%s: payload %q appears in response header %s", what, clip(p, 80), k)
				}
			}
		}
	}
}

func (j *judge) inBaseline(p string) bool {
	if in, ok := j.inBase[p]; ok {
		return in
	}
	in := false
	for _, b := range j.baseline {
		if strings.Contains(b, p) {
			in = true
			break
		}
	}
	j.inBase[p] = in
	return in
}

// counted judges what a request stored: stored tells whether the answer
// claims it stored one record.
func (j *judge) counted(what, payload string, status int, stored bool, before, after int) {
	j.t.Helper()
	want := before
	if stored {
		want++
	}
	if status >= 400 && stored {
		j.failf("%s with %q: status %d claims a stored record", what, clip(payload, 80), status)
	}
	if after != want {
		j.failf("%s with %q: status %d, records %d → %d, want %d (half-way or silent store)",
			what, clip(payload, 80), status, before, after, want)
	}
}

// ledger checks stored-record counts in batches. Reading a count from SQLite
// costs more under -race than most requests, so each answer's claim (stored
// one record or none) is noted, the real count is compared every ledgerBatch
// requests, and a batch that is off is sent again one request at a time, with
// a count around each, to name the request that stored half-way.
type ledger struct {
	j     *judge
	count func() int
	want  int
	batch []ledgerEntry
}

type ledgerEntry struct {
	what, payload string
	status        int
	stored        bool
	again         func() (status int, stored bool)
}

const ledgerBatch = 50

func newLedger(j *judge, count func() int) *ledger {
	return &ledger{j: j, count: count, want: count()}
}

// note records one answer. again sends the same request anew (with fresh
// tokens) and reports what it answered.
func (l *ledger) note(what, payload string, status int, stored bool, again func() (int, bool)) {
	l.j.t.Helper()
	if status >= 400 && stored {
		l.j.failf("%s with %q: status %d claims a stored record", what, clip(payload, 80), status)
	}
	if stored {
		l.want++
	}
	l.batch = append(l.batch, ledgerEntry{what, payload, status, stored, again})
	if len(l.batch) >= ledgerBatch {
		l.flush()
	}
}

// flush compares the count with what the answers claimed.
func (l *ledger) flush() {
	l.j.t.Helper()
	if len(l.batch) == 0 {
		return
	}
	if got := l.count(); got != l.want {
		l.j.failf("%d requests from %s with %q on: records %d, answers claim %d; replaying them one by one",
			len(l.batch), l.batch[0].what, clip(l.batch[0].payload, 40), got, l.want)
		for _, e := range l.batch {
			before := l.count()
			status, stored := e.again()
			l.j.counted(e.what+" (replayed)", e.payload, status, stored, before, l.count())
		}
	}
	l.batch = l.batch[:0]
	l.want = l.count()
}

// checkJSON additionally requires an API answer to be JSON, so a browser can
// never sniff a reflected value as a page.
func (j *judge) checkJSON(what, payload string, resp *http.Response, body string) {
	j.t.Helper()
	j.check(what, payload, resp, body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		j.failf("%s with %q: API answer has Content-Type %q (status %d)", what, clip(payload, 80), ct, resp.StatusCode)
	}
}

// pick is the deterministic sample of payloads for one field: every payload
// when every is 1, else every every-th starting at an offset that differs
// per field, so that the fields together still see every payload.
func pick(payloads []string, every, field int) []string {
	if every <= 1 {
		return payloads
	}
	var out []string
	for i := field % every; i < len(payloads); i += every {
		out = append(out, payloads[i])
	}
	return out
}

// collectBaseline loads the pages a run can produce without any payload.
func collectBaseline(e *testEnv, j *judge) {
	e.t.Helper()
	for _, p := range []string{"/", "/guide", "/report", "/followup", "/followup?expired=1", "/no-such-page", "/api/v1/openapi.json", "/api/v1/nope"} {
		_, body := e.get(p)
		j.addBaseline(body)
	}
	csrf, idem := e.formTokens("/report")
	v := validReportForm(csrf, idem)
	v.Set("description", "")
	_, body := e.postForm("/report", v)
	j.addBaseline(body)
	v.Del("_csrf")
	_, body = e.postForm("/report", v)
	j.addBaseline(body)
	v = validReportForm(csrf, web.NewToken())
	v.Set("confirmCreditCode", "")
	v.Set("subject.creditCode", "91350200776049653B")
	_, body = e.postForm("/report", v)
	j.addBaseline(body)
	number, code := e.submitValid()
	_, body = e.postForm("/followup", url.Values{"_csrf": {csrf}, "number": {number}, "code": {"wrong"}})
	j.addBaseline(body)
	resp, _ := e.postForm("/followup", url.Values{"_csrf": {csrf}, "number": {number}, "code": {code}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("baseline login: status %d", resp.StatusCode)
	}
	_, body = e.get("/followup/case")
	j.addBaseline(body)
	_, body = e.postForm("/followup/case/messages", url.Values{"_csrf": {csrf}, "body": {"短"}})
	j.addBaseline(body)
	_, body = e.postJSON("/api/v1/reports", `{"kind":1}`, nil)
	j.addBaseline(body)
	_, _ = e.postForm("/followup/logout", url.Values{"_csrf": {csrf}})
}

// reportFormFields lists every field of the report form; org fields are sent
// on an employer's form, where they are read.
var reportFormFields = []string{
	"kind", "reporterType", "anonymous", "category", "insuranceTypes", "regionCode",
	"subject.name", "subject.creditCode", "subject.idNumber", "subject.address", "subject.legalRepresentative",
	"amountYuan", "occurredFrom", "occurredTo", "description",
	"complaint.request", "complaint.hiredOn", "complaint.position", "complaint.labourContract",
	"reporter.name", "reporter.idType", "reporter.idNumber", "reporter.phone", "reporter.email",
	"organisation.name", "organisation.creditCode", "organisation.contactPerson", "organisation.contactPhone",
	"subject.confirmCreditCode", "organisation.confirmCreditCode", "acknowledgeNotice", "idem", "website", "_csrf",
	"", // the payload as a field name
}

// fullListFields get every payload even when the rest are sampled: the free
// text that is stored and shown again.
var fullListFields = map[string]bool{"description": true, "subject.name": true, "body": true}

func employerForm(csrf, idem string) url.Values {
	v := validReportForm(csrf, idem)
	for _, k := range []string{"reporter.name", "reporter.idNumber", "reporter.phone"} {
		v.Del(k)
	}
	v.Set("reporterType", "employer")
	v.Set("organisation.name", "长春某某科技有限公司")
	v.Set("organisation.creditCode", "91350200776049653A")
	v.Set("organisation.contactPerson", "王五")
	v.Set("organisation.contactPhone", "0431-88888888")
	return v
}

// formFor is the valid form in which field is read: an employer's for the
// organisation's fields, a citizen's complaint for a complaint's fields.
func formFor(field, csrf string) url.Values {
	switch {
	case strings.HasPrefix(field, "organisation."):
		return employerForm(csrf, web.NewToken())
	case strings.HasPrefix(field, "complaint."):
		v := validReportForm(csrf, web.NewToken())
		complaintForm(v)
		return v
	}
	return validReportForm(csrf, web.NewToken())
}

// sampleEvery: the free text that is stored and shown again (fullListFields)
// gets every payload; every other field gets every third, with an offset per
// field (see pick), so that each payload still goes through a third of them.
// Every payload through every field is about 70,000 requests, over ten
// minutes under -race on two cores; sampled, the Hostile tests take about
// two. Set it to 1 to run the lot.
const sampleEvery = 3

func TestHostileReportForm(t *testing.T) {
	t.Parallel()
	payloads := hostilePayloads(t)
	start := time.Now()
	e := hostileEnv(t)
	j := newJudge(t)
	collectBaseline(e, j)
	csrf, _ := e.formTokens("/report")
	cases := newLedger(j, func() int { return quickCaseCount(e) })
	type stored struct{ payload, number, code string }
	var shown []stored
	for fi, field := range reportFormFields {
		list := payloads
		if !fullListFields[field] {
			list = pick(payloads, sampleEvery, fi)
		}
		what := "POST /report field " + field
		if field == "" {
			what = "POST /report payload as field name"
		}
		for _, p := range list {
			send := func() (*http.Response, string, bool) {
				v := formFor(field, csrf)
				if field == "" {
					v.Set(p, "x")
				} else {
					v.Set(field, p)
				}
				resp, body := e.postForm("/report", v)
				return resp, body, resp.StatusCode == http.StatusOK && receiptNumber.MatchString(body)
			}
			resp, body, ok := send()
			j.check(what, p, resp, body)
			if resp.StatusCode == http.StatusOK && !ok {
				j.failf("%s with %q: 200 without a receipt", what, clip(p, 80))
			}
			cases.note(what, p, resp.StatusCode, ok, func() (int, bool) { r, _, ok := send(); return r.StatusCode, ok })
			if ok && (field == "subject.name" || field == "description") && len(rawForms(p)) > 0 {
				shown = append(shown, stored{p,
					receiptNumber.FindStringSubmatch(body)[1], codeText(receiptCode.FindStringSubmatch(body)[1])})
			}
		}
		cases.flush()
	}
	// Stored payloads come back on the reporter's case page: escaped.
	for _, s := range shown {
		resp, body := e.postForm("/followup", url.Values{"_csrf": {csrf}, "number": {s.number}, "code": {s.code}})
		if resp.StatusCode != http.StatusSeeOther {
			j.failf("login to stored case %s: status %d", s.number, resp.StatusCode)
			continue
		}
		resp, body = e.get("/followup/case")
		j.check("GET /followup/case of a stored payload", s.payload, resp, body)
		if resp.StatusCode != http.StatusOK {
			j.failf("case page of %s: status %d", s.number, resp.StatusCode)
		}
	}
	t.Logf("payloads: %d (%s); %d fields, 1 in %d payloads (all for %v); %d stored payloads with '<' viewed again",
		len(payloads), payloadsFrom, len(reportFormFields), sampleEvery, fullListFields, len(shown))
	j.summary(start)
}

// apiReportFields are the JSON paths of POST /api/v1/reports.
var apiReportFields = []string{
	"kind", "reporterType", "anonymous", "category", "insuranceTypes", "regionCode",
	"subject.name", "subject.creditCode", "subject.idNumber", "subject.address", "subject.legalRepresentative",
	"amountYuan", "occurredFrom", "occurredTo", "occurredOn", "description",
	"complaint.request", "complaint.hiredOn", "complaint.position", "complaint.labourContract",
	"reporter.name", "reporter.idType", "reporter.idNumber", "reporter.phone", "reporter.email",
	"organisation.name", "organisation.creditCode", "organisation.contactPerson", "organisation.contactPhone",
	"confirmCreditCode", "acknowledgeNotice",
	"",                // the payload as a field name
	"Idempotency-Key", // the payload as the header
}

const employerJSON = `{
  "kind": "report", "reporterType": "employer", "anonymous": false,
  "category": "unpaid_contributions", "insuranceTypes": ["pension"], "regionCode": "220102",
  "subject": {"name": "长春某某商贸有限公司", "creditCode": "91350200776049653A"},
  "description": "该公司自2025年3月起按最低缴费基数为全部职工申报养老保险，实际工资远高于申报基数。",
  "organisation": {"name": "长春某某科技有限公司", "creditCode": "91350200776049653A",
    "contactPerson": "王五", "contactPhone": "0431-88888888"},
  "acknowledgeNotice": true
}`

func jsonBase(employer bool) map[string]any {
	src := validReportJSON
	if employer {
		src = employerJSON
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(src), &m); err != nil {
		panic(err)
	}
	return m
}

// jsonFor is the valid API body in which field is read (see formFor).
func jsonFor(field string) map[string]any {
	m := jsonBase(strings.HasPrefix(field, "organisation."))
	if strings.HasPrefix(field, "complaint.") {
		m["kind"] = "complaint"
		m["complaint"] = map[string]any{"request": "要求单位补缴社会保险费", "hiredOn": "2019-07", "labourContract": "signed"}
	}
	return m
}

func setPath(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, ok := m[p].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[p] = sub
		}
		m = sub
	}
	m[parts[len(parts)-1]] = v
}

// rawJSON encodes without HTML escaping: '<' goes over the wire as '<'.
func rawJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return b.String()
}

func TestHostileReportAPI(t *testing.T) {
	t.Parallel()
	payloads := hostilePayloads(t)
	start := time.Now()
	e := hostileEnv(t)
	j := newJudge(t)
	collectBaseline(e, j)
	cases := newLedger(j, func() int { return quickCaseCount(e) })
	for fi, field := range apiReportFields {
		list := payloads
		if !fullListFields[field] {
			list = pick(payloads, sampleEvery, fi)
		}
		what := "POST /api/v1/reports field " + field
		switch field {
		case "":
			what = "POST /api/v1/reports payload as field name"
		case "Idempotency-Key":
			what = "POST /api/v1/reports header Idempotency-Key"
		}
		for _, p := range list {
			send := func() (*http.Response, string, bool) {
				m := jsonFor(field)
				headers := map[string]string{"Idempotency-Key": web.NewToken()}
				switch field {
				case "":
					m[p] = "x"
				case "Idempotency-Key":
					headers["Idempotency-Key"] = strings.NewReplacer("\r", "", "\n", "").Replace(p)
					if headers["Idempotency-Key"] == "" {
						delete(headers, "Idempotency-Key")
					}
					// A different description per request, so that a payload
					// which is a valid key never meets an earlier submission.
					m["description"] = m["description"].(string) + web.NewToken()
				case "insuranceTypes":
					m[field] = []any{p}
				default:
					setPath(m, field, p)
				}
				resp, body := e.postJSON("/api/v1/reports", rawJSON(m), headers)
				return resp, body, resp.StatusCode == http.StatusCreated
			}
			resp, body, ok := send()
			j.checkJSON(what, p, resp, body)
			if ok && !strings.Contains(body, `"accessCode"`) {
				j.failf("%s with %q: 201 without a receipt", what, clip(p, 80))
			}
			cases.note(what, p, resp.StatusCode, ok, func() (int, bool) { r, _, ok := send(); return r.StatusCode, ok })
		}
		cases.flush()
	}
	t.Logf("payloads: %d (%s); %d fields, 1 in %d payloads (all for %v)",
		len(payloads), payloadsFrom, len(apiReportFields), sampleEvery, fullListFields)
	j.summary(start)
}

// reporterSession files a valid case, logs in to its follow-up page and
// returns its number, code and id.
func reporterSession(e *testEnv, csrf string) (number, code, id string) {
	e.t.Helper()
	number, code = e.submitValid()
	resp, body := e.postForm("/followup", url.Values{"_csrf": {csrf}, "number": {number}, "code": {code}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login: status %d\n%s", resp.StatusCode, body)
	}
	c, err := e.store.CaseByNumber(context.Background(), number)
	if err != nil {
		e.t.Fatal(err)
	}
	return number, code, c.ID
}

func TestHostileFollowup(t *testing.T) {
	t.Parallel()
	payloads := hostilePayloads(t)
	start := time.Now()
	e := hostileEnv(t)
	j := newJudge(t)
	collectBaseline(e, j)
	csrf, _ := e.formTokens("/report")
	number, code, caseID := reporterSession(e, csrf)
	cases := newLedger(j, func() int { return quickCaseCount(e) })
	msgs := newLedger(j, func() int { return messageCount(e, caseID) })

	// Login: number and code.
	for i, field := range []string{"number", "code"} {
		what := "POST /followup field " + field
		for _, p := range pick(payloads, sampleEvery, i) {
			send := func() (*http.Response, string) {
				v := url.Values{"_csrf": {csrf}, "number": {number}, "code": {code}}
				v.Set(field, p)
				return e.postForm("/followup", v)
			}
			resp, body := send()
			j.check(what, p, resp, body)
			if resp.StatusCode == http.StatusSeeOther {
				j.failf("%s with %q: logged in", what, clip(p, 80))
			}
			cases.note(what, p, resp.StatusCode, false, func() (int, bool) { r, _ := send(); return r.StatusCode, false })
		}
	}
	cases.flush()

	// Messages through the form. A fresh case every 150 payloads keeps the
	// case page (which lists every message) small; before leaving a case its
	// page is checked once with all the payloads it stored.
	const perCase = 150
	var kept []string
	viewStored := func() {
		resp, body := e.get("/followup/case")
		j.check("GET /followup/case listing stored messages", "", resp, body)
		if resp.StatusCode != http.StatusOK {
			j.failf("case page with %d stored messages: status %d", len(kept), resp.StatusCode)
		}
		for _, p := range kept {
			j.notReflected("GET /followup/case listing stored messages", p, resp, body)
		}
		kept = kept[:0]
	}
	for i, f := range []string{"body", "idem"} {
		list := payloads
		if !fullListFields[f] {
			list = pick(payloads, sampleEvery, i)
		}
		what := "POST /followup/case/messages field " + f
		for n, p := range list {
			if n%perCase == 0 && n > 0 {
				msgs.flush()
				viewStored()
				number, code, caseID = reporterSession(e, csrf)
				msgs.want = msgs.count()
			}
			send := func() (*http.Response, string, bool) {
				v := url.Values{"_csrf": {csrf}, "body": {"补充：该公司还有其他职工未参保。"}, "idem": {web.NewToken()}}
				v.Set(f, p)
				resp, body := e.postForm("/followup/case/messages", v)
				return resp, body, resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/followup/case?sent=1"
			}
			resp, body, ok := send()
			j.check(what, p, resp, body)
			if resp.StatusCode == http.StatusSeeOther && !ok {
				j.failf("%s with %q: redirected to %q", what, clip(p, 80), resp.Header.Get("Location"))
			}
			msgs.note(what, p, resp.StatusCode, ok, func() (int, bool) { r, _, ok := send(); return r.StatusCode, ok })
			if ok && f == "body" {
				kept = append(kept, p)
			}
		}
		msgs.flush()
		viewStored()
	}

	// Messages through the API: body, Idempotency-Key and X-Access-Code.
	apiPath := "/api/v1/reports/" + number + "/messages"
	for i, f := range []string{"body", "Idempotency-Key", "X-Access-Code"} {
		list := payloads
		if !fullListFields[f] {
			list = pick(payloads, sampleEvery, i)
		}
		what := "POST " + apiPath + " " + f
		for _, p := range list {
			send := func() (*http.Response, string, bool) {
				headers := map[string]string{"X-Access-Code": code, "Idempotency-Key": web.NewToken()}
				m := map[string]any{"body": "补充：该公司还有其他职工未参保。" + web.NewToken()}
				if f == "body" {
					m["body"] = p
				} else {
					headers[f] = strings.NewReplacer("\r", "", "\n", "").Replace(p)
				}
				resp, body := e.postJSON(apiPath, rawJSON(m), headers)
				return resp, body, resp.StatusCode == http.StatusCreated
			}
			resp, body, ok := send()
			j.checkJSON(what, p, resp, body)
			if f == "X-Access-Code" && ok {
				j.failf("%s with %q: accepted a wrong access code", what, clip(p, 80))
			}
			msgs.note(what, p, resp.StatusCode, ok, func() (int, bool) { r, _, ok := send(); return r.StatusCode, ok })
		}
		msgs.flush()
	}

	// The number in the path of GET and POST, and the code of GET: anything
	// but the receipt's is refused, alike (404).
	for i, f := range []string{"path", "X-Access-Code", "path messages"} {
		for _, p := range pick(payloads, sampleEvery, i) {
			target := "/api/v1/reports/" + number
			method := http.MethodGet
			hdrs := map[string]string{"X-Access-Code": code}
			switch f {
			case "path":
				target = "/api/v1/reports/" + url.PathEscape(p)
			case "path messages":
				target = "/api/v1/reports/" + url.PathEscape(p) + "/messages"
				method = http.MethodPost
			default:
				hdrs["X-Access-Code"] = strings.NewReplacer("\r", "", "\n", "").Replace(p)
			}
			send := func() (*http.Response, string) {
				req := httptest.NewRequest(method, target, strings.NewReader(`{"body":"补充：该公司还有其他职工未参保。"}`))
				req.Header.Set("Content-Type", "application/json")
				for k, v := range hdrs {
					req.Header.Set(k, v)
				}
				return e.do(req)
			}
			resp, body := send()
			what := method + " /api/v1/reports/{number} " + f
			j.checkJSON(what, p, resp, body)
			if resp.StatusCode < 400 {
				j.failf("%s with %q: status %d, want a refusal", what, clip(p, 80), resp.StatusCode)
			}
			msgs.note(what, p, resp.StatusCode, false, func() (int, bool) { r, _ := send(); return r.StatusCode, false })
		}
	}
	msgs.flush()
	t.Logf("payloads: %d (%s); 1 in %d payloads (all for %v)", len(payloads), payloadsFrom, sampleEvery, fullListFields)
	j.summary(start)
}

func TestHostileQueryStrings(t *testing.T) {
	t.Parallel()
	payloads := hostilePayloads(t)
	start := time.Now()
	e := hostileEnv(t)
	j := newJudge(t)
	collectBaseline(e, j)
	for _, b := range withSearchContent(e) {
		j.addBaseline(b)
	}
	csrf, _ := e.formTokens("/report")
	number, code, _ := reporterSession(e, csrf)
	pages := []string{"/", "/guide", "/report", "/followup", "/followup/case", "/healthz", "/readyz",
		"/api/v1/openapi.json", "/api/v1/reports/" + number, "/static/site.css", "/no-such-page",
		"/search", "/api/v1/search"}
	cases := newLedger(j, func() int { return quickCaseCount(e) })
	for pi, page := range pages {
		for _, p := range pick(payloads, sampleEvery, pi) {
			send := func() (*http.Response, string) {
				q := url.QueryEscape(p)
				req := httptest.NewRequest(http.MethodGet, page+"?q="+q+"&expired="+q+"&sent="+q+"&"+q+"=1", nil)
				req.Header.Set("X-Access-Code", code)
				return e.do(req)
			}
			resp, body := send()
			j.check("GET "+page+" query", p, resp, body)
			cases.note("GET "+page+" query", p, resp.StatusCode, false, func() (int, bool) { r, _ := send(); return r.StatusCode, false })
		}
	}
	cases.flush()
	t.Logf("payloads: %d (%s); %d pages, 1 in %d payloads on each", len(payloads), payloadsFrom, len(pages), sampleEvery)
	j.summary(start)
}

// TestHostileSearchParameters sends every payload (sampled per parameter)
// as each parameter of the search page and the search API, the others
// valid: the query reaches the index, the filters are refused with their
// message, and nothing is reflected unescaped.
func TestHostileSearchParameters(t *testing.T) {
	t.Parallel()
	payloads := hostilePayloads(t)
	start := time.Now()
	e := hostileEnv(t)
	j := newJudge(t)
	collectBaseline(e, j)
	for _, b := range withSearchContent(e) {
		j.addBaseline(b)
	}
	for fi, field := range []string{"q", "type", "region", "year", "page"} {
		for _, p := range pick(payloads, sampleEvery, fi) {
			v := url.Values{"q": {"医保"}, "type": {"news"}, "region": {"220000"}, "year": {"2026"}, "page": {"1"}}
			v.Set(field, p)
			for _, path := range []string{"/search", "/api/v1/search"} {
				resp, body := e.get(path + "?" + v.Encode())
				what := "GET " + path + " " + field
				if strings.HasPrefix(path, "/api/") {
					j.checkJSON(what, p, resp, body)
				} else {
					j.check(what, p, resp, body)
				}
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnprocessableEntity {
					j.failf("%s with %q: status %d, want 200 or 422", what, clip(p, 80), resp.StatusCode)
				}
			}
		}
	}
	t.Logf("payloads: %d (%s); 1 in %d payloads per parameter", len(payloads), payloadsFrom, sampleEvery)
	j.summary(start)
}

// liveServer serves the app on a loopback port, for requests app.Test cannot
// carry: fasthttp refuses them before a handler runs (a body over the limit,
// bytes a header may not hold) and app.Test then returns only an error.
func liveServer(t *testing.T, e *testEnv) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	t.Cleanup(func() { _ = e.app.ShutdownWithTimeout(5 * time.Second) })
	return ln.Addr().String()
}

// rawExchange writes head and body as they are onto a new connection and
// reads one response. The body is written while the response is read: the
// server may answer (413) and close before taking it. An exchange under
// /api/ is held against the OpenAPI document like testEnv.do's; a
// disagreement is a contractError.
func rawExchange(addr, head string, body []byte) (*http.Response, string, error) {
	resp, b, err := rawSend(addr, head, body)
	if err != nil {
		return resp, b, err
	}
	if problems := checkRawExchange(head, body, resp, []byte(b)); len(problems) > 0 {
		return resp, b, contractError(problems)
	}
	return resp, b, nil
}

func rawSend(addr, head string, body []byte) (*http.Response, string, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	go func() {
		if _, err := conn.Write([]byte(head)); err == nil && len(body) > 0 {
			_, _ = conn.Write(body)
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), err
}

// rawRequest builds a request head with Host, Connection: close and the
// given lines, plus Content-Length when there is a body.
func rawRequest(method, target string, lines []string, body []byte) string {
	var b strings.Builder
	b.WriteString(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
	for _, l := range lines {
		b.WriteString(l + "\r\n")
	}
	if body != nil {
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

func cookieLine(e *testEnv) string {
	var parts []string
	for k, v := range e.cookies {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return "Cookie: " + strings.Join(parts, "; ")
}

// TestHostileRawHeaders sends each payload byte for byte (CR and LF removed,
// which would end the header) in the headers a client controls: the access
// code, the idempotency key, the request id, forwarding headers and cookies.
func TestHostileRawHeaders(t *testing.T) {
	t.Parallel()
	payloads := hostilePayloads(t)
	start := time.Now()
	e := hostileEnv(t)
	j := newJudge(t)
	collectBaseline(e, j)
	csrf, _ := e.formTokens("/report")
	number, code, _ := reporterSession(e, csrf)
	addr := liveServer(t, e)
	cases := newLedger(j, func() int { return quickCaseCount(e) })
	send := func(what, p, head string, body []byte) *http.Response {
		t.Helper()
		resp, b, err := rawExchange(addr, head, body)
		if err != nil {
			j.failf("%s with %q: %v", what, clip(p, 80), err)
			return nil
		}
		j.check(what, p, resp, b)
		if id := resp.Header.Get("X-Request-Id"); id != "" && strings.Contains(p, id) {
			j.failf("%s with %q: request id taken from the client", what, clip(p, 80))
		}
		cases.note(what, p, resp.StatusCode, resp.StatusCode == http.StatusCreated, func() (int, bool) {
			r, _, err := rawExchange(addr, head, body)
			if err != nil {
				return 0, false
			}
			return r.StatusCode, r.StatusCode == http.StatusCreated
		})
		return resp
	}
	for i, p := range payloads {
		hp := strings.NewReplacer("\r", "", "\n", "").Replace(p)
		if i%2 == 0 {
			resp := send("GET /api/v1/reports/{number} raw X-Access-Code", p,
				rawRequest("GET", "/api/v1/reports/"+number, []string{"X-Access-Code: " + hp, "X-Request-Id: " + hp, "X-Forwarded-For: " + hp}, nil), nil)
			if resp != nil && resp.StatusCode < 400 && hp != code {
				j.failf("raw X-Access-Code %q: status %d", clip(p, 80), resp.StatusCode)
			}
		} else {
			body := []byte(rawJSON(jsonBase(false)))
			send("POST /api/v1/reports raw Idempotency-Key", p,
				rawRequest("POST", "/api/v1/reports", []string{"Content-Type: application/json", "Idempotency-Key: " + hp, "User-Agent: " + hp}, body), body)
		}
		resp := send("GET /followup/case raw fw_followup cookie", p,
			rawRequest("GET", "/followup/case", []string{"Cookie: fw_followup=" + hp, "Referer: " + hp}, nil), nil)
		if resp != nil && resp.StatusCode != http.StatusSeeOther {
			j.failf("forged follow-up cookie %q: status %d, want 303", clip(p, 80), resp.StatusCode)
		}
		if i%2 == 1 {
			send("GET /report raw fw_csrf cookie", p,
				rawRequest("GET", "/report", []string{"Cookie: fw_csrf=" + hp, "Accept-Language: " + hp}, nil), nil)
		}
	}
	cases.flush()
	t.Logf("payloads: %d (%s)", len(payloads), payloadsFrom)
	j.summary(start)
}

// TestHostileTraversal asks for files outside the static tree, with the
// two classic paths and every payload of wfuzz's Traversal list (as raw
// request targets, since most are not valid URLs).
func TestHostileTraversal(t *testing.T) {
	t.Parallel()
	hostilePayloads(t) // skips or fails like the others without wfuzz
	start := time.Now()
	e := hostileEnv(t)
	j := newJudge(t)
	addr := liveServer(t, e)
	b, err := os.ReadFile(filepath.Join(wfuzzInjections, "Traversal.txt"))
	if err != nil {
		t.Fatal(err)
	}
	targets := []string{
		"/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fetc/passwd",
		"/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/static//etc/passwd", "/static/..\\..\\etc\\passwd",
		"/../../../../etc/passwd", "/static/../handlers/env_test.go", "/static/../templates/report.html",
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" {
			continue
		}
		line = strings.ReplaceAll(line, " ", "%20")
		for _, prefix := range []string{"/static/", "/"} {
			targets = append(targets, prefix+strings.TrimPrefix(line, "/"))
		}
	}
	leaks := []string{"root:x:0:0", "root:*:0:0", "[boot loader]", "[fonts]", "localhost", "{{define", "{{.", "package handlers"}
	for _, target := range targets {
		resp, body, err := rawExchange(addr, rawRequest("GET", target, nil, nil), nil)
		if err != nil {
			j.failf("GET %s: %v", target, err)
			continue
		}
		j.check("GET "+target, "", resp, body)
		if resp.StatusCode == http.StatusOK {
			j.failf("GET %s: status 200, want a refusal", target)
		}
		for _, l := range leaks {
			if strings.Contains(body, l) {
				j.failf("GET %s: body contains %q: file content leaked", target, l)
			}
		}
	}
	j.summary(start)
}

// TestHostileExtras covers what the lists do not: broken encodings, sizes,
// repetition, content types, odd JSON, CSRF and sessions.
func TestHostileExtras(t *testing.T) {
	t.Parallel()
	start := time.Now()
	e := hostileEnv(t)
	j := newJudge(t)
	collectBaseline(e, j)
	addr := liveServer(t, e)
	csrf, _ := e.formTokens("/report")
	number, code, caseID := reporterSession(e, csrf)
	msgPath := "/api/v1/reports/" + number + "/messages"

	expectStatus := func(what string, resp *http.Response, body string, want ...int) {
		t.Helper()
		for _, w := range want {
			if resp.StatusCode == w {
				return
			}
		}
		j.failf("%s: status %d, want %v\n%s", what, resp.StatusCode, want, clip(body, 300))
	}
	// refused runs one request that must be refused: no case and no message
	// stored, and the answer judged by the usual rules.
	refused := func(what string, send func() (*http.Response, string), want ...int) {
		t.Helper()
		cases, msgs := quickCaseCount(e), messageCount(e, caseID)
		resp, body := send()
		if resp == nil {
			return
		}
		j.check(what, "", resp, body)
		expectStatus(what, resp, body, want...)
		j.counted(what, "", resp.StatusCode, false, cases, quickCaseCount(e))
		j.counted(what+" (messages)", "", resp.StatusCode, false, msgs, messageCount(e, caseID))
	}
	raw := func(what, head string, body []byte) func() (*http.Response, string) {
		return func() (*http.Response, string) {
			// A server that answers 413 and closes with the body unread may
			// reset the connection before the answer is read: try again.
			var err error
			for range 3 {
				var resp *http.Response
				var b string
				if resp, b, err = rawExchange(addr, head, body); err == nil {
					return resp, b
				}
				var ce contractError
				if errors.As(err, &ce) {
					j.failf("%s: %v", what, err)
					return resp, b
				}
			}
			j.failf("%s: %v", what, err)
			return nil, ""
		}
	}
	// run is t.Run with the env and the judge reporting to the subtest, so
	// that a fatal helper failure ends the subtest and not its parent.
	run := func(name string, f func(t *testing.T)) {
		t.Run(name, func(st *testing.T) {
			e.t, j.t = st, st
			defer func() { e.t, j.t = t, t }()
			f(st)
		})
	}
	form := func(path string, v url.Values) func() (*http.Response, string) {
		return func() (*http.Response, string) { return e.postForm(path, v) }
	}
	api := func(path, body string, headers map[string]string) func() (*http.Response, string) {
		return func() (*http.Response, string) { return e.postJSON(path, body, headers) }
	}

	run("invalid UTF-8 in every field", func(t *testing.T) {
		bad := []string{"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "abc\x80def", "张\xe5\xbc三", "\xef\xbb\xbf\xfe\xfe"}
		for _, b := range bad {
			for _, field := range reportFormFields {
				// anonymous and confirmCreditCode mean yes only for "true":
				// anything else, broken bytes included, is a valid no.
				if field == "" || field == "_csrf" || field == "anonymous" || strings.HasSuffix(field, "confirmCreditCode") {
					continue
				}
				v := formFor(field, csrf)
				v.Set(field, v.Get(field)+b)
				refused("POST /report invalid UTF-8 in "+field, form("/report", v), 422)
			}
			for _, field := range apiReportFields[:len(apiReportFields)-2] {
				if field == "anonymous" || field == "confirmCreditCode" {
					continue
				}
				// JSON with the raw bytes inside the string, which encoding/json
				// turns into U+FFFD: the plain-text check must still refuse.
				m := jsonFor(field)
				marker := "INVALIDUTF8MARKER"
				if field == "insuranceTypes" {
					m[field] = []any{"pension" + marker}
				} else {
					setPath(m, field, "值"+marker)
				}
				body := strings.Replace(rawJSON(m), marker, b, 1)
				refused("POST /api/v1/reports invalid UTF-8 in "+field,
					api("/api/v1/reports", body, map[string]string{"Idempotency-Key": web.NewToken()}), 422)
			}
			refused("POST /followup/case/messages invalid UTF-8",
				form("/followup/case/messages", url.Values{"_csrf": {csrf}, "body": {"补充信息内容" + b}, "idem": {web.NewToken()}}), 422)
			refused("POST messages API invalid UTF-8",
				api(msgPath, `{"body":"补充信息内容`+b+`"}`, map[string]string{"X-Access-Code": code}), 422)
			refused("POST /followup invalid UTF-8 number",
				form("/followup", url.Values{"_csrf": {csrf}, "number": {number + b}, "code": {code}}), 422)
		}
	})

	run("1 MB field gets 413", func(t *testing.T) {
		big := strings.Repeat("举", 350*1024) // 1.05 MB of UTF-8
		cookie := cookieLine(e)
		for _, field := range []string{"description", "subject.name", "reporter.name", "amountYuan"} {
			v := validReportForm(csrf, web.NewToken())
			v.Set(field, big)
			body := []byte(v.Encode())
			refused("POST /report 1 MB "+field, raw("POST /report 1 MB "+field, rawRequest("POST", "/report",
				[]string{"Content-Type: application/x-www-form-urlencoded", cookie}, body), body), 413)
			m := jsonBase(false)
			setPath(m, field, big)
			body = []byte(rawJSON(m))
			refused("POST /api/v1/reports 1 MB "+field, raw("api 1 MB "+field, rawRequest("POST", "/api/v1/reports",
				[]string{"Content-Type: application/json"}, body), body), 413)
		}
		body := []byte(url.Values{"_csrf": {csrf}, "body": {big}}.Encode())
		refused("POST /followup/case/messages 1 MB body", raw("messages 1 MB", rawRequest("POST", "/followup/case/messages",
			[]string{"Content-Type: application/x-www-form-urlencoded", cookie}, body), body), 413)
		body = []byte(url.Values{"_csrf": {csrf}, "number": {big}, "code": {code}}.Encode())
		refused("POST /followup 1 MB number", raw("followup 1 MB", rawRequest("POST", "/followup",
			[]string{"Content-Type: application/x-www-form-urlencoded", cookie}, body), body), 413)
		body = []byte(rawJSON(map[string]string{"body": big}))
		refused("POST messages API 1 MB body", raw("api messages 1 MB", rawRequest("POST", msgPath,
			[]string{"Content-Type: application/json", "X-Access-Code: " + code}, body), body), 413)
		// Headers and URLs are bounded by the read buffer instead.
		refused("GET /report with a 1 MB query", raw("1 MB query", rawRequest("GET", "/report?q="+url.QueryEscape(big), nil, nil), nil), 431, 414, 400)
		refused("GET with a 64 KB header", raw("64 KB header", rawRequest("GET", "/api/v1/reports/"+number,
			[]string{"X-Access-Code: " + strings.Repeat("A", 64*1024)}, nil), nil), 431)
	})

	run("10,000 repeated fields", func(t *testing.T) {
		for _, field := range []string{"insuranceTypes", "description", "kind", "subject.name", "_csrf", "idem"} {
			// The valid form, then 10,000 more values of one field. Eight
			// insurance types at most: 10,000 is refused. Of the other fields
			// the first value is read and it is valid, so a receipt is right.
			value := "x"
			if field == "insuranceTypes" {
				value = "pension"
			}
			body := []byte(validReportForm(csrf, web.NewToken()).Encode() + strings.Repeat("&"+url.QueryEscape(field)+"="+value, 10000))
			want := []int{422, 413}
			if field != "insuranceTypes" {
				want = append(want, 200)
			}
			what := "POST /report 10,000 × " + field
			cases := quickCaseCount(e)
			began := time.Now()
			resp, b, err := rawExchange(addr, rawRequest("POST", "/report",
				[]string{"Content-Type: application/x-www-form-urlencoded", cookieLine(e)}, body), body)
			took := time.Since(began)
			if err != nil {
				j.failf("%s: %v", what, err)
				continue
			}
			j.check(what, "", resp, b)
			expectStatus(what, resp, b, want...)
			stored := resp.StatusCode == http.StatusOK && receiptNumber.MatchString(b)
			j.counted(what, "", resp.StatusCode, stored, cases, quickCaseCount(e))
			t.Logf("%s (%d KB): status %d in %v", what, len(body)/1024, resp.StatusCode, took.Round(time.Millisecond))
		}
		types := make([]string, 10000)
		for i := range types {
			types[i] = "pension"
		}
		m := jsonBase(false)
		m["insuranceTypes"] = types
		began := time.Now()
		refused("POST /api/v1/reports 10,000 insuranceTypes", api("/api/v1/reports", rawJSON(m), nil), 422, 413)
		t.Logf("API 10,000 insuranceTypes: %v", time.Since(began).Round(time.Millisecond))
	})

	run("wrong content types on the API are 415", func(t *testing.T) {
		body := rawJSON(jsonBase(false))
		for _, ct := range []string{"application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "text/plain", "", "text/html", "application/xml", "json", "application/jso"} {
			for _, path := range []string{"/api/v1/reports", msgPath} {
				lines := []string{"X-Access-Code: " + code}
				if ct != "" {
					lines = append(lines, "Content-Type: "+ct)
				}
				b := []byte(body)
				if path == msgPath {
					b = []byte(`{"body":"补充：该公司还有其他职工未参保。"}`)
				}
				// A malformed multipart body (JSON here) on the route that
				// takes files is a broken upload (400); everywhere else it
				// is the wrong content type.
				want := 415
				if path == "/api/v1/reports" && strings.HasPrefix(ct, "multipart/") {
					want = 400
				}
				refused(fmt.Sprintf("POST %s Content-Type %q", path, ct), raw("ct", rawRequest("POST", path, lines, b), b), want)
			}
		}
		// A real multipart and form body, as a browser would send them.
		var mp bytes.Buffer
		mp.WriteString("--xyz\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nreport\r\n--xyz--\r\n")
		// The API takes multipart with the report in the part "report": a
		// body without it is 422 naming the part.
		refused("POST /api/v1/reports multipart body", raw("mp", rawRequest("POST", "/api/v1/reports",
			[]string{"Content-Type: multipart/form-data; boundary=xyz"}, mp.Bytes()), mp.Bytes()), 422)
		refused("POST "+msgPath+" multipart body", raw("mp", rawRequest("POST", msgPath,
			[]string{"X-Access-Code: " + code, "Content-Type: multipart/form-data; boundary=xyz"}, mp.Bytes()), mp.Bytes()), 415)
		fb := []byte(validReportForm(csrf, web.NewToken()).Encode())
		refused("POST /api/v1/reports form body", raw("form", rawRequest("POST", "/api/v1/reports",
			[]string{"Content-Type: application/x-www-form-urlencoded"}, fb), fb), 415)
	})

	run("odd JSON", func(t *testing.T) {
		deep := func(n int) string { return strings.Repeat("[", n) + `"pension"` + strings.Repeat("]", n) }
		valid := rawJSON(jsonBase(false))
		bodies := map[string]string{
			"nested 100 in insuranceTypes":    strings.Replace(valid, `["pension"]`, deep(100), 1),
			"nested 10,001 in insuranceTypes": strings.Replace(valid, `["pension"]`, deep(10001), 1),
			"nested 100,000 as body":          strings.Repeat("[", 100000) + strings.Repeat("]", 100000),
			"nested objects as body":          strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000),
			"nested object in subject":        strings.Replace(valid, `"subject":{"name":"王某某"}`, `"subject":`+strings.Repeat(`{"name":`, 5000)+`"x"`+strings.Repeat("}", 5000), 1),
			"huge number for a string":        strings.Replace(valid, `"amountYuan":"126000"`, `"amountYuan":1e999999`, 1),
			"huge number for a bool":          strings.Replace(valid, `"anonymous":false`, `"anonymous":123456789012345678901234567890`, 1),
			"huge amount string":              strings.Replace(valid, `"amountYuan":"126000"`, `"amountYuan":"99999999999999999999999999999999999999"`, 1),
			"amount 2^63 fen":                 strings.Replace(valid, `"amountYuan":"126000"`, `"amountYuan":"92233720368547758.08"`, 1),
			"negative amount":                 strings.Replace(valid, `"amountYuan":"126000"`, `"amountYuan":"-92233720368547758.08"`, 1),
			"amount NaN":                      strings.Replace(valid, `"amountYuan":"126000"`, `"amountYuan":"NaN"`, 1),
			"amount exponent":                 strings.Replace(valid, `"amountYuan":"126000"`, `"amountYuan":"1e308"`, 1),
			"number for an array":             strings.Replace(valid, `["pension"]`, `1e400`, 1),
			"object for a string":             strings.Replace(valid, `"kind":"report"`, `"kind":{"$ne":null}`, 1),
			"array for a string":              strings.Replace(valid, `"kind":"report"`, `"kind":["report"]`, 1),
			"date out of range":               strings.Replace(valid, `"amountYuan":"126000"`, `"occurredFrom":"9999-12-31"`, 1),
			"date before 1990":                strings.Replace(valid, `"amountYuan":"126000"`, `"occurredFrom":"0001-01-01"`, 1),
			"null body":                       `null`,
			"empty body":                      ``,
			"array body":                      `[]`,
			"string body":                     `"report"`,
			"number body":                     `1e400`,
			"two objects":                     valid + valid,
			"trailing garbage":                valid + `x`,
			"truncated":                       valid[:len(valid)/2],
			"NUL in key":                      strings.Replace(valid, `"kind"`, `"ki\u0000nd"`, 1),
			"BOM":                             "\ufeff" + valid,
			"proto pollution":                 strings.Replace(valid, `{`, `{"__proto__":{"admin":true},"constructor":{"prototype":{}},`, 1),
			"unknown nested key":              strings.Replace(valid, `"subject":{"name":"王某某"}`, `"subject":{"name":"王某某","<script>alert(1)</script>":1}`, 1),
			"dup keys, last invalid":          strings.TrimSuffix(strings.TrimSpace(valid), "}") + `,"kind":"<script>"}`,
			"dup description, last short":     strings.TrimSuffix(strings.TrimSpace(valid), "}") + `,"description":"短"}`,
		}
		nulls := jsonBase(true)
		for k := range nulls {
			nulls[k] = nil
		}
		bodies["null for every field"] = rawJSON(nulls)
		for _, path := range []string{"subject.name", "subject.creditCode", "subject.idNumber", "subject.address",
			"reporter.name", "reporter.idNumber", "reporter.phone", "reporter.email",
			"organisation.name", "organisation.creditCode", "organisation.contactPerson", "organisation.contactPhone"} {
			m := jsonBase(strings.HasPrefix(path, "organisation."))
			setPath(m, path, nil)
			if path != "reporter.email" && path != "subject.creditCode" && path != "subject.idNumber" && path != "subject.address" {
				bodies["null "+path] = rawJSON(m)
			}
		}
		for _, k := range []string{"kind", "reporterType", "category", "insuranceTypes", "regionCode", "description", "subject", "reporter", "organisation"} {
			m := jsonBase(k == "organisation")
			m[k] = nil
			bodies["null "+k] = rawJSON(m)
		}
		names := make([]string, 0, len(bodies))
		for k := range bodies {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, name := range names {
			b := bodies[name]
			if len(b) > web.MaxBodyBytes {
				t.Fatalf("%s: %d bytes is over the body limit; the case would not reach the decoder", name, len(b))
			}
			refused("POST /api/v1/reports "+name, api("/api/v1/reports", b, map[string]string{"Idempotency-Key": web.NewToken()}), 400, 415, 422)
		}
		// A repeated object key is decoded into the same struct, field by
		// field (encoding/json): an empty second "subject" keeps the first's
		// name, and the report is valid. Whatever the answer, it must be
		// whole: 201 with one case, or a refusal with none.
		for _, b := range []string{
			strings.TrimSuffix(strings.TrimSpace(valid), "}") + `,"subject":{}}`,
			strings.TrimSuffix(strings.TrimSpace(valid), "}") + `,"reporter":{"email":"a@example.com"}}`,
			strings.TrimSuffix(strings.TrimSpace(valid), "}") + `,"insuranceTypes":["medical"],"insuranceTypes":["pension"]}`,
		} {
			what := "POST /api/v1/reports duplicate key " + clip(b[len(b)-40:], 40)
			cases := quickCaseCount(e)
			resp, body := e.postJSON("/api/v1/reports", b, map[string]string{"Idempotency-Key": web.NewToken()})
			j.checkJSON(what, "", resp, body)
			j.counted(what, "", resp.StatusCode, resp.StatusCode == http.StatusCreated, cases, quickCaseCount(e))
		}
		for _, b := range []string{`null`, `{"body":null}`, `{"body":1e400}`, `{"body":["补充信息内容补充"]}`, `{"body":"补充信息内容","body":""}`, strings.Repeat("[", 100000)} {
			refused("POST messages API "+clip(b, 30), api(msgPath, b, map[string]string{"X-Access-Code": code}), 400, 422)
		}
	})

	run("missing CSRF token on every form POST is 403", func(t *testing.T) {
		posts := map[string]url.Values{
			"/report":                 validReportForm("", web.NewToken()),
			"/followup":               {"number": {number}, "code": {code}},
			"/followup/case/messages": {"body": {"补充：该公司还有其他职工未参保。"}, "idem": {web.NewToken()}},
			"/followup/logout":        {},
		}
		for path, v := range posts {
			v.Del("_csrf")
			refused("POST "+path+" without _csrf", form(path, v), 403)
			v.Set("_csrf", "")
			refused("POST "+path+" with empty _csrf", form(path, v), 403)
			v.Set("_csrf", csrf+"x")
			refused("POST "+path+" with a wrong _csrf", form(path, v), 403)
			v.Set("_csrf", csrf)
			saved := e.cookies["fw_csrf"]
			delete(e.cookies, "fw_csrf")
			refused("POST "+path+" without the CSRF cookie", form(path, v), 403)
			e.cookies["fw_csrf"] = saved
		}
		// The token in a header is not the form's: refused. (One in the query
		// string is accepted: fasthttp's FormValue reads the query first. It
		// still has to match the cookie, so it is no way around the check.)
		req := httptest.NewRequest(http.MethodPost, "/report", strings.NewReader(validReportForm("", web.NewToken()).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Csrf-Token", csrf)
		refused("POST /report token in a header only", func() (*http.Response, string) { return e.do(req) }, 403)
		// The refused logout left the session open.
		resp, _ := e.get("/followup/case")
		expectStatus("GET /followup/case after refused logouts", resp, "", 200)
	})

	run("expired follow-up session redirects", func(t *testing.T) {
		token := e.cookies["fw_followup"]
		if token == "" {
			t.Fatal("no follow-up session cookie")
		}
		// Let the session entry run out as its TTL would.
		if err := e.h.Storage.Set(followupKey(token), []byte(caseID), time.Millisecond); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		msgs := messageCount(e, caseID)
		resp, body := e.get("/followup/case")
		j.check("GET /followup/case expired", "", resp, body)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/followup?expired=1" {
			j.failf("expired session: status %d to %q, want 303 to /followup?expired=1", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body = e.postForm("/followup/case/messages", url.Values{"_csrf": {csrf}, "body": {"补充：该公司还有其他职工未参保。"}, "idem": {web.NewToken()}})
		j.check("POST /followup/case/messages expired", "", resp, body)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/followup?expired=1" {
			j.failf("message on expired session: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		j.counted("message on expired session", "", resp.StatusCode, false, msgs, messageCount(e, caseID))
		resp, body = e.get("/followup?expired=1")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "查询已超时") {
			j.failf("expired notice: status %d", resp.StatusCode)
		}
		// A logged-out session is as dead as an expired one.
		_, _, caseID = reporterSession(e, csrf)
		stale := e.cookies["fw_followup"]
		resp, _ = e.postForm("/followup/logout", url.Values{"_csrf": {csrf}})
		expectStatus("logout", resp, "", http.StatusSeeOther)
		e.cookies["fw_followup"] = stale
		resp, _ = e.get("/followup/case")
		expectStatus("GET /followup/case after logout", resp, "", http.StatusSeeOther)
	})

	run("wrong methods", func(t *testing.T) {
		for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions, "TRACE", "CONNECT"} {
			for _, path := range []string{"/report", "/followup", "/followup/logout", "/api/v1/reports", "/api/v1/reports/" + number} {
				refused(m+" "+path, raw(m, rawRequest(m, path, []string{"X-Access-Code: " + code}, []byte("{}")), []byte("{}")), 403, 404, 405, 400)
			}
		}
		// A method Fiber does not know gets the same Chinese 405 page as a
		// known method on the wrong path (answerUnknownMethods); here: no 5xx,
		// nothing stored, a 405.
		for _, m := range []string{"PROPFIND", "FOO", "GETS"} {
			cases := quickCaseCount(e)
			resp, b, err := rawExchange(addr, rawRequest(m, "/report", nil, []byte("{}")), []byte("{}"))
			if err != nil {
				j.failf("%s /report: %v", m, err)
				continue
			}
			if resp.StatusCode != http.StatusMethodNotAllowed {
				j.failf("%s /report: status %d, want 405", m, resp.StatusCode)
			}
			j.counted(m+" /report", "", resp.StatusCode, false, cases, quickCaseCount(e))
			t.Logf("%s /report: %d %q", m, resp.StatusCode, clip(b, 40))
		}
	})
	j.summary(start)
}
