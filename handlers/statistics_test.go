package handlers

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// statsCase is one case the statistics tests file and handle through the
// service layer.
type statsCase struct {
	region       string
	demo         bool
	at           time.Time // when it is filed
	status       string    // how far it is taken: received, accepted or concluded
	recoveredFen int64
}

// statsSubject and statsMeasures are texts of the cases that must never
// reach the statistics.
const (
	statsSubject  = "统计测试某某有限公司"
	statsMeasures = "统计测试处理措施：责令退回"
)

// fileStatsCases files each case at its time and takes it to its status
// as staff would, through caseflow, and returns the case numbers.
func (e *testEnv) fileStatsCases(cases []statsCase) []string {
	e.t.Helper()
	ctx := context.Background()
	system := caseflow.SystemActor("statistics-test", e.h.Regions)
	saved := e.clock()
	defer func() { e.mu.Lock(); e.now = saved; e.mu.Unlock() }()
	var numbers []string
	for _, sc := range cases {
		e.mu.Lock()
		e.now = sc.at
		e.mu.Unlock()
		r, err := e.h.Cases.FileCase(ctx, caseflow.Filing{
			Kind: store.KindReport, ReporterType: store.ReporterCitizen, Anonymous: true,
			Category: "fraudulent_claims", InsuranceTypes: []string{"pension"}, RegionCode: sc.region,
			Subject: store.Party{Name: statsSubject}, Description: "统计测试：冒领养老金的问题描述。",
			IdempotencyKey: web.NewToken(), Digest: "statistics-test", Demo: sc.demo,
		})
		if err != nil {
			e.t.Fatalf("file a case in %s: %v", sc.region, err)
		}
		numbers = append(numbers, r.Case.Number)
		steps := map[string][]caseflow.TransitionInput{
			store.StatusReceived: nil,
			store.StatusAccepted: {{To: store.StatusAccepted}},
			store.StatusConcluded: {
				{To: store.StatusAccepted},
				{To: store.StatusInvestigating, Mode: store.ModeOnSite},
				{To: store.StatusConcluded, Result: store.ResultSubstantiated, Conclusion: store.Conclusion{
					AmountInvolvedFen: sc.recoveredFen, AmountRecoveredFen: sc.recoveredFen, Measures: statsMeasures}},
			},
		}[sc.status]
		for _, in := range steps {
			if _, err := e.h.Cases.Transition(ctx, system, r.Case.ID, in); err != nil {
				e.t.Fatalf("case %s → %s: %v", r.Case.Number, in.To, err)
			}
		}
	}
	return numbers
}

// statsFixture files the cases of the statistics tests:
//
//   - 长春市: 3 cases of 2026 in a county and the city itself, concluded,
//     100,000 + 200,000 + 305,000 yuan recovered: shown as they are;
//   - 吉林市: 2 cases of 2026, concluded, 33,300 + 44,400 yuan: "<3", and
//     no amount;
//   - 辽源市: 1 case of 2026, concluded, 11,100 yuan: "<3", no amount;
//   - 通化市: 3 cases filed at 00:30 on 1 January 2026 in Beijing (still
//     2025 in UTC), and 3 a minute before midnight on 31 December 2025,
//     all still received.
func (e *testEnv) statsFixture() []string {
	e.t.Helper()
	in2026 := time.Date(2026, 5, 10, 2, 0, 0, 0, time.UTC)
	var cases []statsCase
	for i, c := range []struct {
		region string
		fen    int64
	}{
		{"220102", 10_000_000}, {"220104", 20_000_000}, {"220100", 30_500_000},
		{"220281", 3_330_000}, {"220202", 4_440_000},
		{"220402", 1_110_000},
	} {
		cases = append(cases, statsCase{region: c.region, at: in2026.Add(time.Duration(i) * time.Hour),
			status: store.StatusConcluded, recoveredFen: c.fen})
	}
	for i := range 3 {
		cases = append(cases,
			statsCase{region: "220502", at: time.Date(2025, 12, 31, 16, 30, i, 0, time.UTC), status: store.StatusReceived},
			statsCase{region: "220502", at: time.Date(2025, 12, 31, 15, 59, i, 0, time.UTC), status: store.StatusReceived})
	}
	return e.fileStatsCases(cases)
}

var (
	statsRowRE   = regexp.MustCompile(`<tr(?: class="total")?><th scope="row">([^<]+)</th><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>`)
	statsTableRE = regexp.MustCompile(`(?s)<caption id="stats-(\d{4})">.*?</table>`)
)

// pageTables reads the tables of the statistics page: year → rows of
// name, received, accepted, concluded, recovered, as the reader sees them.
func pageTables(t *testing.T, body string) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, table := range statsTableRE.FindAllStringSubmatch(body, -1) {
		for _, m := range statsRowRE.FindAllStringSubmatch(table[0], -1) {
			row := make([]string, 5)
			for i := range row {
				row[i] = html.UnescapeString(m[i+1])
			}
			out[table[1]] = append(out[table[1]], row)
		}
	}
	return out
}

// rowOf finds the row named name.
func rowOf(rows [][]string, name string) []string {
	for _, r := range rows {
		if r[0] == name {
			return r
		}
	}
	return nil
}

func TestStatisticsPageSuppressesSmallCounts(t *testing.T) {
	e := newTestEnv(t)
	numbers := e.statsFixture()
	resp, body := e.get("/statistics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(body))
	}
	tables := pageTables(t, body)
	y2026, y2025 := tables["2026"], tables["2025"]
	if len(y2026) != 11 || len(y2025) != 11 {
		t.Fatalf("tables: 2026 has %d rows, 2025 %d; want the 10 cities and the total:\n%s", len(y2026), len(y2025), mainOf(body))
	}
	tests := []struct {
		year string
		want []string
	}{
		{"2026", []string{"长春市", "3", "3", "3", "60.50"}},
		{"2026", []string{"吉林市", "<3", "<3", "<3", "*"}},
		{"2026", []string{"辽源市", "<3", "<3", "<3", "*"}},
		{"2026", []string{"通化市", "3", "0", "0", "0.00"}},
		{"2026", []string{"白城市", "0", "0", "0", "0.00"}},
		{"2026", []string{"吉林省合计", "9", "6", "6", "69.38"}},
		{"2025", []string{"通化市", "3", "0", "0", "0.00"}},
		{"2025", []string{"吉林省合计", "3", "0", "0", "0.00"}},
	}
	for _, tt := range tests {
		if got := rowOf(tables[tt.year], tt.want[0]); strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s %s: %q, want %q", tt.year, tt.want[0], got, tt.want)
		}
	}
	for _, secret := range append(numbers, statsSubject, statsMeasures, "3.33", "4.44", "7.77", "1.11", "33,300", "11,100") {
		if strings.Contains(body, secret) {
			t.Errorf("the page contains %q", secret)
		}
	}
	for _, want := range []string{"统计数据", "&lt;3", "不足3件", `name="from"`, `name="to"`, `href="/statistics.csv?from=2025&amp;to=2026"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestStatisticsYearsAreChosenByAGetForm(t *testing.T) {
	e := newTestEnv(t)
	e.statsFixture()
	tests := []struct {
		name   string
		query  string
		status int
		years  []string
	}{
		{"by default the years since the first case", "", 200, []string{"2026", "2025"}},
		{"one year", "?from=2026&to=2026", 200, []string{"2026"}},
		{"the first year", "?from=2025&to=2025", 200, []string{"2025"}},
		{"a year before the first case", "?from=2024", 400, nil},
		{"a year to come", "?to=2027", 400, nil},
		{"from after to", "?from=2026&to=2025", 400, nil},
		{"not a year", "?from=abcd", 400, nil},
		{"a year of two digits", "?from=26", 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			resp, body := e.get("/statistics" + tt.query)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tt.status, mainOf(body))
			}
			if tt.status != 200 {
				if !strings.Contains(body, "年份") || resp.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("the error page does not say what is wrong with the year, or is cached:\n%s", mainOf(body))
				}
				return
			}
			var got []string
			for _, m := range statsTableRE.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1])
			}
			if strings.Join(got, ",") != strings.Join(tt.years, ",") {
				t.Errorf("tables of %v, want %v", got, tt.years)
			}
		})
	}
}

func TestStatisticsCSVHasTheFiguresOfThePage(t *testing.T) {
	e := newTestEnv(t)
	numbers := e.statsFixture()
	_, page := e.get("/statistics?from=2025&to=2026")
	tables := pageTables(t, page)
	resp, body := e.get("/statistics.csv?from=2025&to=2026")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="statistics-2025-2026.csv"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !strings.HasPrefix(body, "\ufeff") {
		t.Fatalf("no UTF-8 byte order mark: %q", body[:min(len(body), 20)])
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(records[0], ",") != strings.Join(statsCSVHeader, ",") {
		t.Errorf("header %q", records[0])
	}
	rows := 0
	for _, r := range records[1:] {
		rows++
		want := rowOf(tables[r[0]], r[2])
		if got := append([]string{r[2]}, r[3:]...); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("CSV %s %s: %q, page %q", r[0], r[2], got, want)
		}
	}
	if rows != len(tables["2025"])+len(tables["2026"]) || rows != 22 {
		t.Errorf("CSV has %d rows, the page %d+%d", rows, len(tables["2025"]), len(tables["2026"]))
	}
	for _, secret := range append(numbers, statsSubject, statsMeasures, "3.33", "7.77", "1.11") {
		if strings.Contains(body, secret) {
			t.Errorf("the CSV contains %q", secret)
		}
	}
}

func TestStatisticsAPI(t *testing.T) {
	e := newTestEnv(t)
	numbers := e.statsFixture()
	resp, body := e.get("/api/v1/statistics?from=2026&to=2026")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	var got apiStats
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.From != 2026 || got.To != 2026 || len(got.Years) != 1 || got.AmountUnit != "万元" || len(got.Notes) == 0 {
		t.Fatalf("answer: %s", body)
	}
	_, page := e.get("/statistics?from=2026&to=2026")
	tables := pageTables(t, page)
	for _, r := range got.Years[0].Rows {
		name := r.RegionName
		if r.Kind == "total" {
			name += "合计"
		}
		gotRow := []string{name, r.Received.Text, r.Accepted.Text, r.Concluded.Text, r.Recovered.Text}
		if want := rowOf(tables["2026"], name); strings.Join(gotRow, " ") != strings.Join(want, " ") {
			t.Errorf("API %q, page %q", gotRow, want)
		}
		for _, c := range []apiStatsCount{r.Received, r.Accepted, r.Concluded} {
			if (c.Suppressed == "") != (c.Value != nil) {
				t.Errorf("%s: a count with value %v and suppressed %q", name, c.Value, c.Suppressed)
			}
		}
		if (r.Recovered.Suppressed == "") != (r.Recovered.Fen != nil) {
			t.Errorf("%s: an amount with fen %v and suppressed %q", name, r.Recovered.Fen, r.Recovered.Suppressed)
		}
	}
	total := got.Years[0].Rows[len(got.Years[0].Rows)-1]
	if total.Kind != "total" || total.RegionCode != "220000" || total.Recovered.Fen == nil || *total.Recovered.Fen != 69_380_000 ||
		total.Recovered.WanYuan != "69.38" {
		t.Errorf("total row %+v", total)
	}
	for _, secret := range append(numbers, statsSubject, statsMeasures, "3330000", "7770000", "1110000") {
		if strings.Contains(body, secret) {
			t.Errorf("the API answer contains %q", secret)
		}
	}

	t.Run("a wrong year is a 400 in Chinese", func(t *testing.T) {
		e := e.in(t)
		resp, body := e.get("/api/v1/statistics?from=2024")
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "2025 年至 2026 年") {
			t.Errorf("status %d\n%s", resp.StatusCode, body)
		}
	})
	t.Run("the JSON download is the same document as a file", func(t *testing.T) {
		e := e.in(t)
		resp, file := e.get("/statistics.json?from=2026&to=2026")
		if resp.StatusCode != http.StatusOK || file != body {
			t.Errorf("status %d; same as the API: %v", resp.StatusCode, file == body)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="statistics-2026-2026.json"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
	})
}

func TestHomePageSummarisesTheProvince(t *testing.T) {
	e := newTestEnv(t)
	e.statsFixture()
	resp, body := e.get("/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	re := regexp.MustCompile(`<th scope="row">([^<]+)<span class="unit">[^<]*</span></th><td>([^<]*)</td><td>([^<]*)</td></tr>`)
	var got []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		got = append(got, m[1]+" "+html.UnescapeString(m[2])+" "+html.UnescapeString(m[3]))
	}
	want := []string{"收到 9 3", "受理 6 0", "办结 6 0", "追回金额 69.38 0.00"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("summary rows %q, want %q\n%s", got, want, mainOf(body))
	}
	for _, want := range []string{"2026年", "2025年", `href="/statistics"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the home page lacks %q", want)
		}
	}
}

// statsCountingStore counts the calls of CaseStatistics and can make them
// fail.
type statsCountingStore struct {
	store.Store
	calls atomic.Int32
	fail  atomic.Bool
}

func (s *statsCountingStore) CaseStatistics(ctx context.Context) ([]store.CaseStatsRow, error) {
	s.calls.Add(1)
	if s.fail.Load() {
		return nil, store.Errorf(store.EUNAVAILABLE, store.MsgUnavailable)
	}
	return s.Store.CaseStatistics(ctx)
}

func TestStatisticsAreCountedAtMostOnceAMinute(t *testing.T) {
	st, _ := openTestStore(t)
	cs := &statsCountingStore{Store: st}
	e := newTestEnvWithStore(t, cs)
	e.fileStatsCases([]statsCase{{region: "220102", at: e.clock(), status: store.StatusReceived}})
	for _, path := range []string{"/", "/statistics", "/statistics.csv", "/statistics.json", "/api/v1/statistics", "/"} {
		if resp, _ := e.get(path); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
	}
	if n := cs.calls.Load(); n != 1 {
		t.Errorf("six requests counted the cases %d times, want once", n)
	}
	_, before := e.get("/statistics")
	// Two more cases: the figures change, but not before the minute is up.
	e.fileStatsCases([]statsCase{
		{region: "220102", at: e.clock(), status: store.StatusReceived},
		{region: "220102", at: e.clock(), status: store.StatusReceived},
	})
	e.advance(StatsRefresh - time.Second)
	if _, body := e.get("/statistics"); body != before {
		t.Error("the page changed within the minute")
	}
	e.advance(time.Second)
	_, after := e.get("/statistics")
	if row := rowOf(pageTables(t, after)["2026"], "长春市"); row == nil || row[1] != "3" {
		t.Errorf("after a minute 长春市 is %q, want 3 received", row)
	}
	if n := cs.calls.Load(); n != 2 {
		t.Errorf("counted %d times, want twice", n)
	}

	t.Run("a store that fails later serves the last count", func(t *testing.T) {
		e := e.in(t)
		cs.fail.Store(true)
		defer cs.fail.Store(false)
		e.advance(StatsRefresh)
		resp, body := e.get("/statistics")
		if resp.StatusCode != http.StatusOK || body != after {
			t.Errorf("status %d, same page as before: %v", resp.StatusCode, body == after)
		}
	})
}

func TestStatisticsWithoutAStoreAnswer(t *testing.T) {
	st, _ := openTestStore(t)
	cs := &statsCountingStore{Store: st}
	cs.fail.Store(true)
	e := newTestEnvWithStore(t, cs)
	if resp, body := e.get("/"); resp.StatusCode != http.StatusOK || strings.Contains(body, "举报投诉统计") {
		t.Errorf("home page: status %d, with a summary: %v", resp.StatusCode, strings.Contains(body, "举报投诉统计"))
	}
	if resp, _ := e.get("/statistics"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("statistics page: status %d, want 503", resp.StatusCode)
	}
	if resp, body := e.get("/api/v1/statistics"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("API: status %d, want 503\n%s", resp.StatusCode, body)
	}
}

func TestStatisticsRevalidate(t *testing.T) {
	e := newTestEnv(t)
	e.statsFixture()
	for _, path := range []string{"/statistics", "/statistics.csv", "/statistics.json", "/api/v1/statistics", "/"} {
		t.Run(path, func(t *testing.T) {
			e := e.in(t)
			first, _ := e.get(path)
			etag, modified := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
			if first.StatusCode != http.StatusOK || etag == "" || modified == "" {
				t.Fatalf("status %d, ETag %q, Last-Modified %q", first.StatusCode, etag, modified)
			}
			if cc := first.Header.Get("Cache-Control"); cc != "public, max-age=300" {
				t.Errorf("Cache-Control %q", cc)
			}
			lm, err := http.ParseTime(modified)
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name    string
				headers map[string]string
				status  int
			}{
				{"the same ETag", map[string]string{"If-None-Match": etag}, 304},
				{"another ETag", map[string]string{"If-None-Match": `W/"other"`}, 200},
				{"modified since the time sent", map[string]string{"If-Modified-Since": lm.Add(-time.Second).Format(http.TimeFormat)}, 200},
				{"not modified since the time sent", map[string]string{"If-Modified-Since": modified}, 304},
				{"a later time", map[string]string{"If-Modified-Since": lm.Add(time.Hour).Format(http.TimeFormat)}, 304},
				{"If-None-Match wins over If-Modified-Since", map[string]string{"If-None-Match": `W/"other"`, "If-Modified-Since": modified}, 200},
				{"a date that is no date", map[string]string{"If-Modified-Since": "gestern"}, 200},
			}
			for _, tt := range tests {
				resp, body := e.getWith(path, tt.headers)
				if resp.StatusCode != tt.status {
					t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
				}
				if tt.status == 304 && (body != "" || resp.Header.Get("ETag") != etag || resp.Header.Get("Last-Modified") != modified) {
					t.Errorf("%s: 304 with %d bytes, ETag %q, Last-Modified %q", tt.name, len(body), resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
				}
			}
		})
	}

	t.Run("a change of the figures is a new ETag and a later Last-Modified", func(t *testing.T) {
		e := e.in(t)
		first, _ := e.get("/api/v1/statistics")
		e.advance(StatsRefresh)
		same, _ := e.get("/api/v1/statistics")
		if same.Header.Get("ETag") != first.Header.Get("ETag") || same.Header.Get("Last-Modified") != first.Header.Get("Last-Modified") {
			t.Error("a new count of the same figures changed the validators")
		}
		e.fileStatsCases([]statsCase{{region: "220802", at: e.clock(), status: store.StatusReceived}})
		e.advance(StatsRefresh)
		changed, _ := e.getWith("/api/v1/statistics", map[string]string{"If-Modified-Since": first.Header.Get("Last-Modified")})
		if changed.StatusCode != http.StatusOK || changed.Header.Get("ETag") == first.Header.Get("ETag") {
			t.Errorf("after a change: status %d, ETag %q (was %q)", changed.StatusCode, changed.Header.Get("ETag"), first.Header.Get("ETag"))
		}
		was, _ := http.ParseTime(first.Header.Get("Last-Modified"))
		now, _ := http.ParseTime(changed.Header.Get("Last-Modified"))
		if !now.After(was) {
			t.Errorf("Last-Modified %s, not after %s", now, was)
		}
	})
}

func TestStatisticsCountDemoCasesOnlyOnADemoSite(t *testing.T) {
	for _, demoSite := range []bool{false, true} {
		st, _ := openTestStore(t)
		e := newTestEnvWithStore(t, st, func(h *Handler) { h.Config.Demo = demoSite })
		var cases []statsCase
		for range 3 {
			cases = append(cases, statsCase{region: "220102", at: e.clock(), status: store.StatusReceived, demo: true},
				statsCase{region: "220802", at: e.clock(), status: store.StatusReceived})
		}
		e.fileStatsCases(cases)
		_, body := e.get("/statistics")
		tables := pageTables(t, body)
		want := map[bool]string{false: "长春市 0 0 0 0.00", true: "长春市 3 0 0 0.00"}[demoSite]
		if got := strings.Join(rowOf(tables["2026"], "长春市"), " "); got != want {
			t.Errorf("demo site %v: %q, want %q", demoSite, got, want)
		}
		if got := strings.Join(rowOf(tables["2026"], "白城市"), " "); got != "白城市 3 0 0 0.00" {
			t.Errorf("demo site %v: %q, want the 3 real cases", demoSite, got)
		}
	}
}
