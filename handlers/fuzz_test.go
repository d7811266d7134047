package handlers

// Fuzz targets for the two ways a report comes in. Each keeps one portal per
// fuzzing process (a real SQLite store in a temp dir) and checks every input
// against the hostile-input rules: never a 5xx, a Chinese message on a 4xx,
// nothing stored unless a receipt was given, no '<' of the input unescaped.
//
//	go test ./handlers/ -run '^$' -fuzz FuzzReportAPI -fuzztime 30s
//	go test ./handlers/ -run '^$' -fuzz FuzzReportForm -fuzztime 30s
//
// Crashers found are kept under testdata/fuzz/<target>/ and replayed by every
// plain `go test`.

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
	"fundwatch/store/sqlite"
)

// fuzzPortal is testEnv's portal for a testing.TB: the fuzz engine gives
// each input its own *testing.T, while the portal lives as long as *testing.F.
type fuzzPortal struct {
	mu       sync.Mutex
	app      *fiber.App
	store    store.Store
	logs     *syncBuffer
	csrf     string
	cookie   string
	baseline []string
}

func newFuzzPortal(f *testing.F) *fuzzPortal {
	f.Helper()
	st, err := sqlite.Open(filepath.Join(f.TempDir(), "fundwatch.db"))
	if err != nil {
		f.Fatalf("open store: %v", err)
	}
	f.Cleanup(func() { st.Close() })
	k, err := casework.NewKeyring(testKey)
	if err != nil {
		f.Fatal(err)
	}
	regions := casework.DefaultRegions()
	v, err := NewValidator(regions)
	if err != nil {
		f.Fatal(err)
	}
	logs := &syncBuffer{}
	now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	h := &Handler{
		Store: st, Keyring: k, Regions: regions, Calendar: casework.DefaultCalendar(), Validate: v,
		Cases: &caseflow.Service{Store: st, Keyring: k, Regions: regions, Rules: caseflow.DefaultRules(),
			Clock: func() time.Time { return now }},
		Clock: func() time.Time { return now },
		// Warnings and errors only: the access log of every input would
		// grow without bound, and a 5xx is what needs explaining.
		Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Config: Config{BaseURL: "http://localhost:8080", Version: "test",
			Limits: Limits{SubmitPerIP: -1, FollowupPerIP: -1, FollowupPerNumber: -1, FollowupPerClientNumber: -1}},
	}
	app, err := h.App()
	if err != nil {
		f.Fatalf("build app: %v", err)
	}
	p := &fuzzPortal{app: app, store: st, logs: logs}
	resp, body, err := p.send(httptest.NewRequest(http.MethodGet, "/report", nil))
	if err != nil || resp.StatusCode != http.StatusOK {
		f.Fatalf("GET /report: %v", err)
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		f.Fatal("no CSRF token on /report")
	}
	p.csrf = m[1]
	for _, c := range resp.Cookies() {
		p.cookie = c.Name + "=" + c.Value
	}
	p.baseline = append(p.baseline, body)
	for _, path := range []string{"/", "/followup", "/no-such-page"} {
		_, b, _ := p.send(httptest.NewRequest(http.MethodGet, path, nil))
		p.baseline = append(p.baseline, b)
	}
	v0 := validReportForm(p.csrf, web.NewToken())
	v0.Set("description", "")
	_, b, _ := p.postForm(v0)
	p.baseline = append(p.baseline, b)
	_, b, _ = p.postForm(validReportForm(p.csrf, web.NewToken()))
	p.baseline = append(p.baseline, b)
	return p
}

// send is one request through app.Test; an exchange under /api/ is held
// against the OpenAPI document like testEnv.do's, a disagreement being a
// contractError.
func (p *fuzzPortal) send(req *http.Request) (*http.Response, string, error) {
	req.RemoteAddr = "192.0.2.10:1234"
	var sent []byte
	if req.Body != nil {
		sent, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(sent))
	}
	resp, err := p.app.Test(req, 10000)
	if err != nil {
		return nil, "", err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.HasPrefix(req.URL.Path, web.APIPrefix) {
		c, err := loadContract()
		if err != nil {
			return resp, string(b), err
		}
		if problems := c.check(req, sent, resp, b); len(problems) > 0 {
			return resp, string(b), contractError(problems)
		}
	}
	return resp, string(b), nil
}

func (p *fuzzPortal) postForm(v url.Values) (*http.Response, string, error) {
	req := httptest.NewRequest(http.MethodPost, "/report", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", p.cookie)
	return p.send(req)
}

func (p *fuzzPortal) cases(t *testing.T) int {
	t.Helper()
	_, n, err := p.store.ListCases(context.Background(), store.CaseFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (p *fuzzPortal) inBaseline(s string) bool {
	for _, b := range p.baseline {
		if strings.Contains(b, s) {
			return true
		}
	}
	return false
}

// judgeAnswer applies the rules common to both targets.
func (p *fuzzPortal) judgeAnswer(t *testing.T, what string, resp *http.Response, body string, stored bool, before, after int) {
	t.Helper()
	if resp.StatusCode >= 500 {
		t.Fatalf("%s: status %d\nbody: %s\nlog: %s", what, resp.StatusCode, clip(body, 500), clip(p.logs.String(), 4000))
	}
	if resp.StatusCode >= 400 && !hanRune.MatchString(body) {
		t.Fatalf("%s: status %d without a Chinese message: %s", what, resp.StatusCode, clip(body, 300))
	}
	want := before
	if stored {
		want++
	}
	if after != want {
		t.Fatalf("%s: status %d, cases %d → %d, want %d", what, resp.StatusCode, before, after, want)
	}
}

func FuzzReportAPI(f *testing.F) {
	p := newFuzzPortal(f)
	f.Add([]byte(validReportJSON))
	f.Add([]byte(employerJSON))
	f.Add([]byte(`{"kind":"report","insuranceTypes":[[[["pension"]]]],"amountYuan":1e400}`))
	f.Add([]byte(`{"kind":"<script>alert(1)</script>","subject":{"name":"\u003cimg src=x onerror=alert(1)\u003e"}}`))
	f.Add([]byte(`{"description":null,"reporter":null,"organisation":{"creditCode":"91350200776049653B"},"confirmCreditCode":true}`))
	f.Add([]byte(`{"amountYuan":"-0.001","occurredOn":"2026-02-30","kind":"report","kind":"complaint"}`))
	f.Add([]byte(`{"<x>":1}`))
	f.Add([]byte(`{"kind":"complaint","anonymous":true,"complaint":{"request":"<b>x</b>","hiredOn":"2019年7月","labourContract":"maybe"},"reporter":{"idType":"passport","idNumber":"<svg>"},"occurredOn":"2025-01-01","occurredFrom":"2025-02-01","occurredTo":"2024-01-01","acknowledgeNotice":true}`))
	f.Add([]byte("{\"subject\":{\"name\":\"\xff\xfe\"}}"))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > web.MaxBodyBytes {
			return // answered 413 by fasthttp before any handler; see TestHostileExtras
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		before := p.cases(t)
		req := httptest.NewRequest(http.MethodPost, "/api/v1/reports", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", web.NewToken())
		resp, answer, err := p.send(req)
		if err != nil {
			t.Fatalf("POST /api/v1/reports %q: %v", clip(string(body), 200), err)
		}
		p.judgeAnswer(t, "POST /api/v1/reports "+clip(string(body), 200), resp, answer,
			resp.StatusCode == http.StatusCreated, before, p.cases(t))
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("answer is %q, not JSON", ct)
		}
		// Every API answer is encoding/json, which escapes '<': one raw '<'
		// would be an input reflected as it came.
		if strings.Contains(answer, "<") {
			t.Fatalf("raw '<' in the API answer: %s", clip(answer, 300))
		}
	})
}

func FuzzReportForm(f *testing.F) {
	p := newFuzzPortal(f)
	type form struct {
		kind, reporterType        string
		anonymous                 bool
		category, types, region   string
		sName, sCredit, sID, sAdr string
		amount, occurred, desc    string
		rName, rID, rPhone, rMail string
		oName, oCredit, oPer, oPh string
		confirm                   bool
		until, idType             string
		cRequest, cHired, cCon    string
	}
	add := func(v form) {
		f.Add(v.kind, v.reporterType, v.anonymous, v.category, v.types, v.region,
			v.sName, v.sCredit, v.sID, v.sAdr, v.amount, v.occurred, v.desc,
			v.rName, v.rID, v.rPhone, v.rMail, v.oName, v.oCredit, v.oPer, v.oPh, v.confirm,
			v.until, v.idType, v.cRequest, v.cHired, v.cCon)
	}
	valid := form{"report", "citizen", false, "unpaid_contributions", "pension,unemployment", "220102",
		"长春某某商贸有限公司", "91350200776049653A", "", "长春市南关区某某路1号", "86,500.00", "2026-03-01",
		"该公司自2025年3月起按最低缴费基数为全部职工申报养老保险，实际工资远高于申报基数。",
		"张三", "11010519491231002x", "138 0013 8000", "", "", "", "", "", false, "", "resident_id", "", "", ""}
	add(valid)
	complaint := valid
	complaint.kind, complaint.until, complaint.idType, complaint.rID = "complaint", "2026-10-31", "hk_macao_permit", "h12345678"
	complaint.cRequest, complaint.cHired, complaint.cCon = "要求补缴社会保险费", "2019年7月", "signed"
	add(complaint)
	badComplaint := complaint
	badComplaint.anonymous, badComplaint.until, badComplaint.cHired, badComplaint.cCon = true, "2020-01-01", "七月", "maybe"
	add(badComplaint)
	employer := valid
	employer.reporterType, employer.oName, employer.oCredit, employer.oPer, employer.oPh =
		"employer", "长春某某科技有限公司", "91350200776049653A", "王五", "0431-88888888"
	add(employer)
	anon := valid
	anon.anonymous, anon.rName = true, "<script>alert(1)</script>"
	add(anon)
	hostile := valid
	hostile.sName, hostile.desc, hostile.amount = `"><img src=x onerror=alert(1)>`,
		"<script>alert(document.cookie)</script> 这里是二十个字以上的问题描述内容，用来通过长度校验。", "１２,３４５.６７８"
	add(hostile)
	odd := valid
	odd.types, odd.region, odd.occurred, odd.sCredit, odd.confirm = "pension,pension", "220000", "1989-12-31", "91350200776049653B", true
	add(odd)
	f.Fuzz(func(t *testing.T, kind, reporterType string, anonymous bool, category, types, region,
		sName, sCredit, sID, sAdr, amount, occurred, desc,
		rName, rID, rPhone, rMail, oName, oCredit, oPer, oPh string, confirm bool,
		until, idType, cRequest, cHired, cCon string) {
		v := url.Values{
			"_csrf": {p.csrf}, "idem": {web.NewToken()},
			"kind": {kind}, "reporterType": {reporterType}, "anonymous": {boolField(anonymous)},
			"category": {category}, "regionCode": {region},
			"subject.name": {sName}, "subject.creditCode": {sCredit}, "subject.idNumber": {sID}, "subject.address": {sAdr},
			"amountYuan": {amount}, "occurredFrom": {occurred}, "description": {desc},
			"reporter.name": {rName}, "reporter.idNumber": {rID}, "reporter.phone": {rPhone}, "reporter.email": {rMail},
			"organisation.name": {oName}, "organisation.creditCode": {oCredit},
			"organisation.contactPerson": {oPer}, "organisation.contactPhone": {oPh},
			"subject.confirmCreditCode": {boolField(confirm)}, "organisation.confirmCreditCode": {boolField(confirm)},
			"acknowledgeNotice": {"true"}, "occurredTo": {until}, "reporter.idType": {idType},
			"complaint.request": {cRequest}, "complaint.hiredOn": {cHired}, "complaint.labourContract": {cCon},
		}
		if types != "" {
			v["insuranceTypes"] = strings.Split(types, ",")
		}
		if len(v.Encode()) > web.MaxBodyBytes {
			return // 413 before any handler; see TestHostileExtras
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		before := p.cases(t)
		resp, body, err := p.postForm(v)
		if err != nil {
			t.Fatalf("POST /report: %v", err)
		}
		stored := resp.StatusCode == http.StatusOK && receiptNumber.MatchString(body)
		if resp.StatusCode == http.StatusOK && !stored {
			t.Fatalf("200 without a receipt")
		}
		p.judgeAnswer(t, "POST /report", resp, body, stored, before, p.cases(t))
		for key, vals := range v {
			for _, val := range vals {
				for _, s := range rawForms(val) {
					if strings.Contains(body, s) && !p.inBaseline(s) {
						t.Fatalf("field %s: %q appears unescaped (status %d)", key, s, resp.StatusCode)
					}
				}
			}
		}
	})
}

func boolField(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
