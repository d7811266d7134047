package handlers

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fundwatch/store"
)

// Test helpers publish through the store directly, step by step, as the
// service layer will: create a draft, then draft → submitted → approved →
// published, then call InvalidatePublic as the service does after a
// publication.

func (e *testEnv) publish(p *store.Publication, r *store.Revision) *store.Publication {
	e.t.Helper()
	out := e.publishElsewhere(p, r)
	e.h.InvalidatePublic()
	return out
}

// publishElsewhere publishes as another instance would: the store has the
// publication, and nothing here empties the public cache.
func (e *testEnv) publishElsewhere(p *store.Publication, r *store.Revision) *store.Publication {
	e.t.Helper()
	now := e.h.now()
	if p.ID == "" {
		p.ID = store.NewID()
	}
	p.CreatedBy, p.CreatedAt, p.UpdatedAt = "publisher-1", now, now
	r.CreatedBy, r.CreatedAt, r.UpdatedAt = "publisher-1", now, now
	if err := e.store.CreatePublication(context.Background(), p, r); err != nil {
		e.t.Fatalf("create publication %q: %v", r.Title, err)
	}
	return e.stepPublished(p.ID, p.Version)
}

// stepToPublished takes the pending draft of a publication through the
// approval workflow to published, and empties the public cache.
func (e *testEnv) stepToPublished(id string, version int64) *store.Publication {
	e.t.Helper()
	out := e.stepPublished(id, version)
	e.h.InvalidatePublic()
	return out
}

// stepPublished is stepToPublished without emptying the cache.
func (e *testEnv) stepPublished(id string, version int64) *store.Publication {
	e.t.Helper()
	var out *store.Publication
	for _, step := range [][2]string{
		{store.RevDraft, store.RevSubmitted}, {store.RevSubmitted, store.RevApproved}, {store.RevApproved, store.RevPublished},
	} {
		var err error
		out, err = e.store.StepPublication(context.Background(), store.PublicationStep{
			ID: id, ExpectVersion: version, From: step[0], To: step[1], By: "leader-1", At: e.h.now(),
		})
		if err != nil {
			e.t.Fatalf("step %s %s→%s: %v", id, step[0], step[1], err)
		}
		version = out.Version
	}
	return out
}

// correct publishes r as a correction of the live revision of p.
func (e *testEnv) correct(p *store.Publication, r *store.Revision) *store.Publication {
	e.t.Helper()
	now := e.h.now()
	r.Number = p.LiveRevision + 1
	r.CreatedBy, r.CreatedAt, r.UpdatedAt = "publisher-1", now, now
	out, err := e.store.SaveDraft(context.Background(), p.ID, p.Version, r)
	if err != nil {
		e.t.Fatalf("correction draft of %s: %v", p.ID, err)
	}
	return e.stepToPublished(p.ID, out.Version)
}

func (e *testEnv) withdraw(p *store.Publication, reason string) *store.Publication {
	e.t.Helper()
	out, err := e.store.WithdrawPublication(context.Background(), p.ID, p.Version, "leader-1", reason, e.h.now())
	if err != nil {
		e.t.Fatalf("withdraw %s: %v", p.ID, err)
	}
	e.h.InvalidatePublic()
	return out
}

// The figures of the test fund reports: 12,345,678,901 fen is
// 12,345.678901 万元, shown to the last fen.
func pensionRow(scale int64) store.FundRow {
	return store.FundRow{
		InsuranceType: "pension",
		IncomeFen:     12_345_678_901 * scale, PremiumFen: 10_000_000_000 * scale, SubsidyFen: 2_000_000_000 * scale,
		InterestFen: 345_678_901 * scale, TransferInFen: 0, OtherIncomeFen: 0,
		ExpenditureFen: 11_000_000_000 * scale, BenefitFen: 10_900_000_000 * scale, TransferOutFen: 100_000_000 * scale,
		BalanceFen: 1_345_678_901 * scale, AccumulatedFen: 50_000_000_000 * scale,
	}
}

var medicalRow = store.FundRow{
	InsuranceType: "medical",
	IncomeFen:     3_000_000_00, PremiumFen: 3_000_000_00,
	ExpenditureFen: 3_250_000_00, BenefitFen: 3_250_000_00,
	BalanceFen: -250_000_00, AccumulatedFen: 1_000_000_00,
}

func fundReport(region string, year int, rows ...store.FundRow) (*store.Publication, *store.Revision) {
	return &store.Publication{Kind: store.PubFundReport, RegionCode: region, Year: year},
		&store.Revision{Title: "吉林省" + itoa(year) + "年社会保险基金收支情况", Summary: "全省社会保险基金收支和结余。",
			Body: "本表为全省汇总数据。\n\n数据来源：各地经办机构决算。", FundRows: rows}
}

func itoa(n int) string { return strconv.Itoa(n) }

// seedFunds publishes two years of the province and one of 长春市.
func seedFunds(e *testEnv) (p2024, p2023 *store.Publication) {
	e.t.Helper()
	p2023 = e.publish(fundReport("220000", 2023, pensionRow(1)))
	e.advance(24 * time.Hour)
	p2024 = e.publish(fundReport("220000", 2024, pensionRow(2), medicalRow))
	e.advance(24 * time.Hour)
	e.publish(fundReport("220100", 2024, medicalRow))
	return p2024, p2023
}

var jsonScript = regexp.MustCompile(`<script type="application/json" id="([^"]+)">([^<]*)</script>`)

// tableOf returns the rows of the first <table> with class cls: each the
// text of its th and td cells.
func tableOf(t *testing.T, page, cls string) [][]string {
	t.Helper()
	i := strings.Index(page, `class="data `+cls)
	if i < 0 {
		t.Fatalf("no table %s in page:\n%s", cls, mainOf(page))
	}
	table := page[i:]
	table = table[:strings.Index(table, "</table>")]
	var rows [][]string
	cell := regexp.MustCompile(`<t[hd][^>]*>([^<]*)</t[hd]>`)
	for _, tr := range strings.Split(table, "<tr>")[1:] {
		var row []string
		for _, m := range cell.FindAllStringSubmatch(tr, -1) {
			row = append(row, html.UnescapeString(m[1]))
		}
		rows = append(rows, row)
	}
	return rows
}

func TestFundTablePageShowsExactFiguresAChartAndItsTable(t *testing.T) {
	e := newTestEnv(t)
	seedFunds(e)
	resp, page := e.get("/disclosure/funds")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(page))
	}
	rows := tableOf(t, page, "fund-table")
	// Two header rows, pension, medical, then the total.
	if len(rows) != 5 {
		t.Fatalf("%d table rows, want 5: %q", len(rows), rows)
	}
	want := map[string][]string{
		"企业职工基本养老保险": {"24,691.357802", "20,000.00", "4,000.00", "691.357802", "0.00", "0.00", "22,000.00", "21,800.00", "200.00", "0.00", "2,691.357802", "100,000.00"},
		"基本医疗保险":     {"300.00", "300.00", "0.00", "0.00", "0.00", "0.00", "325.00", "325.00", "0.00", "0.00", "-25.00", "100.00"},
		"合计":         {"24,991.357802", "20,300.00", "4,000.00", "691.357802", "0.00", "0.00", "22,325.00", "22,125.00", "200.00", "0.00", "2,666.357802", "100,100.00"},
	}
	for _, r := range rows[2:] {
		if w, ok := want[r[0]]; !ok || !slices.Equal(r[1:], w) {
			t.Errorf("row %q, want %q", r, w)
		}
	}
	for _, s := range []string{
		`<caption>2024年 吉林省 社会保险基金收支和结余<span class="unit">（单位：万元）</span></caption>`,
		`<th scope="colgroup" colspan="6">基金收入</th>`, `<th scope="row">合计</th>`,
		`<option value="2023">2023年</option>`, `<option value="220100">吉林省 长春市</option>`,
		`href="/disclosure/funds.csv?region=220000&amp;year=2024"`, `href="/disclosure/funds.json?region=220000&amp;year=2024"`,
		`data-chart="fund-trend-data" role="img" aria-labelledby="trend-summary"`,
		"2023年至2024年，吉林省（各险种合计）基金收入由12,345.678901万元变为24,991.357802万元",
		`/static/vendor/echarts/echarts.common.min.`, `/static/charts.`, `/static/disclosure.`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %s", s)
		}
	}
	// The trend's table and chart data carry the same figures, oldest first.
	trend := tableOf(t, page, "trend-table")
	if !slices.Equal(trend[1], []string{"2023年", "12,345.678901", "11,000.00", "50,000.00"}) ||
		!slices.Equal(trend[2], []string{"2024年", "24,991.357802", "22,325.00", "100,100.00"}) {
		t.Errorf("trend table %q", trend)
	}
	m := jsonScript.FindStringSubmatch(page)
	if m == nil || m[1] != "fund-trend-data" {
		t.Fatalf("no chart data element")
	}
	var chart struct {
		Unit       string
		Categories []string
		Series     []struct {
			Name string
			Type string
			Data []json.Number
		}
	}
	if err := json.Unmarshal([]byte(m[2]), &chart); err != nil {
		t.Fatalf("chart data is not JSON: %v\n%s", err, m[2])
	}
	if chart.Unit != "万元" || !slices.Equal(chart.Categories, []string{"2023年", "2024年"}) || len(chart.Series) != 3 ||
		chart.Series[0].Data[0] != "12345.678901" || chart.Series[2].Data[1] != "100100.00" {
		t.Errorf("chart data %+v", chart)
	}
	// CSP: the only script elements without src are JSON data.
	for _, s := range regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1) {
		if !strings.Contains(s, ` src="/static/`) && !strings.Contains(s, `type="application/json"`) {
			t.Errorf("script element %s would be blocked by the CSP", s)
		}
	}
	if strings.Contains(page, " style=") {
		t.Error("an inline style attribute, which the CSP blocks")
	}
}

func TestFundTableSelectorsKeepToWhatIsPublished(t *testing.T) {
	e := newTestEnv(t)
	seedFunds(e)
	tests := []struct {
		query    string
		status   int
		location string // for a redirect
		rows     []string
	}{
		{"?region=220000&year=2023", http.StatusOK, "", []string{"企业职工基本养老保险"}},
		{"?region=220000&year=2024&type=medical", http.StatusOK, "", []string{"基本医疗保险"}},
		{"?region=220100", http.StatusOK, "", []string{"基本医疗保险"}},
		{"?year=2024&region=220000&extra=1", http.StatusOK, "", []string{"企业职工基本养老保险", "基本医疗保险", "合计"}},
		{"?region=220100&year=2023", http.StatusFound, "/disclosure/funds?region=220100&year=2024", nil},
		{"?region=220000&year=2024&type=annuity", http.StatusFound, "/disclosure/funds?region=220000&year=2024", nil},
		{"?region=999999", http.StatusFound, "/disclosure/funds?region=220000&year=2024", nil},
		{"?year=abc", http.StatusFound, "/disclosure/funds?region=220000&year=2024", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			e := e.in(t)
			resp, page := e.get("/disclosure/funds" + tt.query)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.location != "" {
				if got := resp.Header.Get("Location"); got != tt.location {
					t.Errorf("Location %q, want %q", got, tt.location)
				}
				return
			}
			var labels []string
			for _, r := range tableOf(t, page, "fund-table")[2:] {
				labels = append(labels, r[0])
			}
			if !slices.Equal(labels, tt.rows) {
				t.Errorf("rows %q, want %q", labels, tt.rows)
			}
		})
	}
}

func TestFundDownloadsAndAPIHoldExactlyWhatThePageShows(t *testing.T) {
	e := newTestEnv(t)
	seedFunds(e)
	for _, query := range []string{"region=220000&year=2024", "region=220000&year=2024&type=pension", "region=220100&year=2024"} {
		t.Run(query, func(t *testing.T) {
			e := e.in(t)
			_, page := e.get("/disclosure/funds?" + query)
			shown := tableOf(t, page, "fund-table")[2:]

			resp, body := e.get("/disclosure/funds.csv?" + query)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
				!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="fund-report-`) {
				t.Fatalf("CSV: status %d, type %q, disposition %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
			}
			if !strings.HasPrefix(body, "\ufeff") {
				t.Error("CSV without a UTF-8 byte order mark")
			}
			records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(records) != len(shown)+1 || records[0][4] != "基金收入（万元）" {
				t.Fatalf("CSV has %d records for %d rows shown: %q", len(records), len(shown), records)
			}
			for i, r := range shown {
				rec := records[i+1]
				if rec[3] != r[0] {
					t.Errorf("CSV row %d is %q, the page's %q", i, rec[3], r[0])
				}
				for j, cell := range r[1:] {
					if rec[4+j] != strings.ReplaceAll(cell, ",", "") {
						t.Errorf("CSV %s %s: %q, page %q", r[0], fundColumns[j].Label, rec[4+j], cell)
					}
				}
			}

			resp, download := e.get("/disclosure/funds.json?" + query)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
				t.Fatalf("JSON download: status %d, disposition %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
			}
			var table fundTableJSON
			if err := json.Unmarshal([]byte(download), &table); err != nil {
				t.Fatal(err)
			}
			all := table.Rows
			if table.Total != nil {
				all = append(all, *table.Total)
			}
			if len(all) != len(shown) || table.Unit != "万元" {
				t.Fatalf("JSON has %d rows for %d shown, unit %q", len(all), len(shown), table.Unit)
			}
			for i, r := range shown {
				if all[i]["insuranceTypeLabel"] != r[0] {
					t.Errorf("JSON row %d is %q, the page's %q", i, all[i]["insuranceTypeLabel"], r[0])
				}
				for j, cell := range r[1:] {
					if got := all[i][fundColumns[j].Key]; got != strings.ReplaceAll(cell, ",", "") {
						t.Errorf("JSON %s %s: %q, page %q", r[0], fundColumns[j].Key, got, cell)
					}
				}
			}
			if resp, api := e.get("/api/v1/fund-table?" + query); resp.StatusCode != http.StatusOK || api != download {
				t.Errorf("API: status %d, body differs from the download:\n%s\n%s", resp.StatusCode, api, download)
			}
		})
	}
	for _, path := range []string{"/disclosure/funds.csv?region=220100&year=2023", "/disclosure/funds.json?type=annuity", "/api/v1/fund-table?region=1"} {
		if resp, _ := e.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestDisclosurePagesWithNothingPublished(t *testing.T) {
	e := newTestEnv(t)
	for path, want := range map[string]string{
		"/disclosure":               "暂无已发布的重大违纪案件通报",
		"/disclosure/funds":         "暂无已发布的社会保险基金收支和结余数据",
		"/disclosure/accounts":      "暂无已发布的个人账户基金保值增值情况",
		"/disclosure/announcements": "暂无已发布的重大违纪案件通报",
		"/disclosure/news":          "暂无已发布的新闻发布",
		"/disclosure/notices":       "暂无已发布的听证会公告",
	} {
		resp, page := e.get(path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("%s: status %d, want 200 with %q\n%s", path, resp.StatusCode, want, mainOf(page))
		}
		if strings.Contains(page, "echarts") {
			t.Errorf("%s loads ECharts without a chart", path)
		}
	}
	for _, path := range []string{"/disclosure/funds.csv", "/disclosure/accounts.json", "/api/v1/fund-table"} {
		if resp, _ := e.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, body := e.get("/api/v1/articles"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"items":[]`) {
		t.Errorf("empty article list: status %d\n%s", resp.StatusCode, body)
	}
}

func accountNote(region string, year int, bp, size, returns int64) (*store.Publication, *store.Revision) {
	return &store.Publication{Kind: store.PubAccountNote, RegionCode: region, Year: year},
		&store.Revision{Title: itoa(year) + "年个人账户基金保值增值情况", Body: "个人账户记账利率按国家规定执行。",
			RateBasisPoints: bp, FundSizeFen: size, ReturnsFen: returns}
}

func TestAccountNotesShowRatesAsPercentAndSizesInWan(t *testing.T) {
	e := newTestEnv(t)
	e.publish(accountNote("220000", 2023, 397, 12_345_678_901, 490_000_000))
	e.advance(time.Hour)
	p := e.publish(accountNote("220000", 2024, 262, 13_000_000_000, 340_600_001))
	resp, page := e.get("/disclosure/accounts")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	rows := tableOf(t, page, "account-table")
	if !slices.Equal(rows[1][:4], []string{"2024年", "2.62%", "13,000.00", "340.600001"}) ||
		!slices.Equal(rows[2][:4], []string{"2023年", "3.97%", "12,345.678901", "490.00"}) {
		t.Errorf("rows %q", rows)
	}
	if !strings.Contains(page, "2023年至2024年，吉林省个人账户记账利率在2.62%至3.97%之间，2024年为2.62%。") {
		t.Errorf("no summary sentence:\n%s", mainOf(page))
	}
	_, body := e.get("/disclosure/accounts.csv?region=220000")
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || !strings.HasPrefix(body, "\ufeff") {
		t.Fatalf("CSV: %v, BOM %v", err, strings.HasPrefix(body, "\ufeff"))
	}
	if !slices.Equal(records[1], []string{"2024", "220000", "吉林省", "2.62", "13000.00", "340.600001"}) {
		t.Errorf("CSV %q", records)
	}
	_, item := e.get(itemPath(p))
	for _, s := range []string{"<td>2.62%</td>", "<td>13,000.00 万元</td>", "<td>340.600001 万元</td>"} {
		if !strings.Contains(item, s) {
			t.Errorf("note page lacks %s", s)
		}
	}
	_, api := e.get("/api/v1/disclosures/" + p.ID)
	if !strings.Contains(api, `"accountNote":{"ratePercent":"2.62","fundSizeWan":"13000.00","returnsWan":"340.600001"}`) {
		t.Errorf("API: %s", api)
	}
}

const hostileTitle = `关于<script>alert("x")</script>的通报 & "引号"`

func announcement(title string) (*store.Publication, *store.Revision) {
	return &store.Publication{Kind: store.PubAnnouncement, RegionCode: "220102"},
		&store.Revision{
			Title: title, Summary: "某经办机构工作人员挪用失业保险基金。",
			Body:           "第一段<img src=x onerror=alert(1)>。\n第一段的第二行。\n\n第二段 <a href=\"javascript:alert(1)\">链接</a>",
			EventDate:      "2026-05-20",
			AmountFen:      123_456_789,
			InsuranceTypes: []string{"unemployment", "pension"},
			HandlingResult: "追回全部资金，当事人被开除并移送司法机关。",
		}
}

func TestAnnouncementPageShowsItsFieldsAndEscapesWhatThePublisherWrote(t *testing.T) {
	e := newTestEnv(t)
	p := e.publish(announcement(hostileTitle))
	resp, page := e.get(itemPath(p))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(page))
	}
	for _, bad := range []string{"<script>alert", "<img src=x", `<a href="javascript`, "onerror=alert(1)>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page carries %s unescaped", bad)
		}
	}
	for _, s := range []string{
		`关于&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;的通报 &amp; &#34;引号&#34;`,
		"<p>第一段&lt;img src=x onerror=alert(1)&gt;。<br>第一段的第二行。</p>",
		"<tr><th scope=\"row\">地区</th><td>吉林省 长春市 南关区</td></tr>",
		"<td>2026-05-20</td>", "<td>1,234,567.89元</td>", "<td>失业保险、企业职工基本养老保险</td>",
		"追回全部资金，当事人被开除并移送司法机关。",
	} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %s\n%s", s, mainOf(page))
		}
	}
	// The list, the index, the feed and the API escape the title too.
	for _, path := range []string{"/disclosure/announcements", "/disclosure", "/feeds/announcements.atom"} {
		if _, body := e.get(path); strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s: the title is not escaped", path)
		}
	}
	_, api := e.get("/api/v1/articles/" + p.ID)
	if strings.Contains(api, "<script>") || !strings.Contains(api, `"amountYuan":"1234567.89"`) || !strings.Contains(api, `"eventDate":"2026-05-20"`) {
		t.Errorf("API: %s", api)
	}
	// The announcement is not found under another kind's path or API.
	for _, path := range []string{"/disclosure/news/" + p.ID, "/api/v1/disclosures/" + p.ID, "/disclosure/bogus/" + p.ID} {
		if resp, _ := e.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestCorrectionShowsItsDatedNoteAndEarlierRevisionsStayReadable(t *testing.T) {
	e := newTestEnv(t)
	p := e.publish(announcement("关于挪用失业保险基金案的通报"))
	e.advance(72 * time.Hour) // published 2026-11-27 10:00 CST, corrected 11-30
	_, r := announcement("关于挪用失业保险基金案的通报（更正）")
	r.Body = "更正后的正文。"
	r.AmountFen = 100_000_000
	r.CorrectionNote = "涉及金额由1,234,567.89元更正为1,000,000.00元。"
	p = e.correct(p, r)

	_, page := e.get(itemPath(p))
	for _, s := range []string{
		`<strong>更正说明</strong>（<time datetime="2026-11-30T02:00:00Z">2026年11月30日</time>）：<span class="user-text">涉及金额由1,234,567.89元更正为1,000,000.00元。</span>`,
		"更正后的正文。", "<td>1,000,000.00元</td>",
		`<a href="` + revisionPath(p, 1) + `">第 1 版</a>`, "已被更正",
		"发布日期：<time datetime=\"2026-11-27T02:00:00Z\">2026年11月27日</time>",
	} {
		if !strings.Contains(page, s) {
			t.Errorf("live page lacks %s\n%s", s, mainOf(page))
		}
	}
	if strings.Contains(page, "第一段") {
		t.Error("the live page shows the superseded text")
	}

	resp, old := e.get(revisionPath(p, 1))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revision 1: status %d", resp.StatusCode)
	}
	for _, s := range []string{"此为已被更正的旧版本", "第一段", "<td>1,234,567.89元</td>", `<a href="` + itemPath(p) + `">查看现行版本</a>`, "现行版本"} {
		if !strings.Contains(old, s) {
			t.Errorf("revision 1 lacks %s", s)
		}
	}
	if resp, _ := e.get(revisionPath(p, 2)); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != itemPath(p) {
		t.Errorf("the live revision's own address: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, n := range []string{"3", "0", "01", "x"} {
		if resp, _ := e.get(itemPath(p) + "/revisions/" + n); resp.StatusCode != http.StatusNotFound {
			t.Errorf("revision %s: status %d, want 404", n, resp.StatusCode)
		}
	}
	_, list := e.get("/disclosure/announcements")
	if !strings.Contains(list, `<span class="badge corrected">已更正</span>`) {
		t.Error("the list does not mark the correction")
	}
	_, api := e.get("/api/v1/articles/" + p.ID)
	var a struct {
		Revision   int
		Corrected  bool
		Correction struct{ Note string }
		Revisions  []struct {
			Number int
			Status string
		}
	}
	if err := json.Unmarshal([]byte(api), &a); err != nil {
		t.Fatal(err)
	}
	if a.Revision != 2 || !a.Corrected || a.Correction.Note != r.CorrectionNote || len(a.Revisions) != 2 ||
		a.Revisions[0].Status != "superseded" || a.Revisions[1].Status != "published" {
		t.Errorf("API: %s", api)
	}
}

func TestAPendingCorrectionAndADraftAreNeverPublic(t *testing.T) {
	e := newTestEnv(t)
	p := e.publish(announcement("已发布的通报"))
	draft := &store.Revision{Number: 2, Title: "未发布的更正稿", Body: "草稿正文不得公开。", CreatedBy: "publisher-1",
		CreatedAt: e.h.now(), UpdatedAt: e.h.now(), CorrectionNote: "草稿"}
	if _, err := e.store.SaveDraft(context.Background(), p.ID, p.Version, draft); err != nil {
		t.Fatal(err)
	}
	unpublished := &store.Publication{ID: store.NewID(), Kind: store.PubNews, RegionCode: "220000", CreatedBy: "publisher-1",
		CreatedAt: e.h.now(), UpdatedAt: e.h.now()}
	if err := e.store.CreatePublication(context.Background(), unpublished, &store.Revision{Title: "未发布的新闻", Body: "不得公开",
		CreatedBy: "publisher-1", CreatedAt: e.h.now(), UpdatedAt: e.h.now()}); err != nil {
		t.Fatal(err)
	}
	e.h.InvalidatePublic()
	for _, path := range []string{itemPath(p), "/disclosure", "/disclosure/announcements", "/feeds/announcements.atom", "/api/v1/articles/" + p.ID, "/api/v1/articles"} {
		_, body := e.get(path)
		if strings.Contains(body, "未发布") || strings.Contains(body, "不得公开") {
			t.Errorf("%s shows a draft", path)
		}
	}
	if resp, _ := e.get(revisionPath(p, 2)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the draft revision's address: status %d, want 404", resp.StatusCode)
	}
	for _, path := range []string{"/disclosure/news/" + unpublished.ID, "/api/v1/articles/" + unpublished.ID, "/disclosure/news/nope"} {
		if resp, _ := e.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestWithdrawnPublicationLeavesATombstone(t *testing.T) {
	e := newTestEnv(t)
	p := e.publish(announcement("将被撤回的通报"))
	e.advance(time.Hour)
	_, r := announcement("将被撤回的通报")
	r.CorrectionNote = "更正金额。"
	p = e.correct(p, r)
	e.advance(24 * time.Hour)
	p = e.withdraw(p, "涉及案件已进入司法程序，<b>暂不公开</b>。")

	for _, path := range []string{itemPath(p), revisionPath(p, 1)} {
		resp, page := e.get(path)
		if resp.StatusCode != http.StatusGone {
			t.Fatalf("%s: status %d, want 410", path, resp.StatusCode)
		}
		for _, s := range []string{"将被撤回的通报", "已于 <time datetime=\"2026-11-28T03:00:00Z\">2026年11月28日 11:00</time> 撤回",
			"撤回原因：</strong><span class=\"user-text\">涉及案件已进入司法程序，&lt;b&gt;暂不公开&lt;/b&gt;。</span>"} {
			if !strings.Contains(page, s) {
				t.Errorf("%s lacks %s\n%s", path, s, mainOf(page))
			}
		}
		if strings.Contains(page, "第一段") || strings.Contains(page, "挪用失业保险基金") {
			t.Errorf("%s still shows the withdrawn text", path)
		}
		if resp.Header.Get("Cache-Control") != "public, max-age=60" {
			t.Errorf("%s: Cache-Control %q", path, resp.Header.Get("Cache-Control"))
		}
	}
	_, list := e.get("/disclosure/announcements")
	if !strings.Contains(list, `<span class="badge gone">已撤回</span>`) {
		t.Error("the list does not mark the withdrawal")
	}
	resp, api := e.get("/api/v1/articles/" + p.ID)
	if resp.StatusCode != http.StatusGone || !strings.Contains(api, `"withdrawnReason":"涉及案件已进入司法程序，\u003cb\u003e暂不公开\u003c/b\u003e。"`) {
		t.Errorf("API: status %d\n%s", resp.StatusCode, api)
	}
	_, feed := e.get("/feeds/announcements.atom")
	if !strings.Contains(feed, "<title>【已撤回】将被撤回的通报</title>") || strings.Contains(feed, "第一段") {
		t.Errorf("feed:\n%s", feed)
	}
}

func TestArticleListsPageByTwenty(t *testing.T) {
	e := newTestEnv(t)
	for i := range 21 {
		e.advance(time.Minute)
		e.publish(&store.Publication{Kind: store.PubNews, RegionCode: "220000"}, &store.Revision{Title: "新闻第" + itoa(i+1) + "条", Body: "正文"})
	}
	_, first := e.get("/disclosure/news")
	if strings.Count(first, `class="pub-item`) != 20 || !strings.Contains(first, "新闻第21条") || strings.Contains(first, "新闻第1条<") ||
		!strings.Contains(first, `href="/disclosure/news?page=2" rel="next"`) {
		t.Errorf("page 1:\n%s", mainOf(first))
	}
	resp, second := e.get("/disclosure/news?page=2")
	if resp.StatusCode != http.StatusOK || strings.Count(second, `class="pub-item`) != 1 || !strings.Contains(second, "新闻第1条<") ||
		!strings.Contains(second, `href="/disclosure/news?page=1" rel="prev"`) {
		t.Errorf("page 2: status %d\n%s", resp.StatusCode, mainOf(second))
	}
	for _, q := range []string{"?page=3", "?page=0", "?page=-1", "?page=x", "?page=02"} {
		if resp, _ := e.get("/disclosure/news" + q); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", q, resp.StatusCode)
		}
	}
	_, api := e.get("/api/v1/articles?type=news&page=2")
	var list apiList
	if err := json.Unmarshal([]byte(api), &list); err != nil {
		t.Fatal(err)
	}
	if list.Total != 21 || list.Pages != 2 || len(list.Items) != 1 || list.Items[0].Title != "新闻第1条" {
		t.Errorf("API page 2: %+v", list)
	}
	for q, status := range map[string]int{"?page=3": 404, "?page=0": 400, "?type=fund_report": 400, "?type=announcement": 200} {
		if resp, _ := e.get("/api/v1/articles" + q); resp.StatusCode != status {
			t.Errorf("API %s: status %d, want %d", q, resp.StatusCode, status)
		}
	}
}

func TestDisclosureAPIListsFilterByKindRegionAndYear(t *testing.T) {
	e := newTestEnv(t)
	seedFunds(e)
	e.publish(accountNote("220000", 2024, 262, 1, 1))
	tests := []struct {
		query  string
		status int
		total  int
	}{
		{"", 200, 4},
		{"?kind=fund_report", 200, 3},
		{"?kind=account_note", 200, 1},
		{"?region=220000", 200, 3},
		{"?region=220000&year=2024&kind=fund_report", 200, 1},
		{"?year=2023", 200, 1},
		{"?region=999999", 400, 0},
		{"?year=24", 400, 0},
		{"?kind=news", 400, 0},
	}
	for _, tt := range tests {
		resp, body := e.get("/api/v1/disclosures" + tt.query)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.query, resp.StatusCode, tt.status)
			continue
		}
		if tt.status == 200 {
			var list apiList
			if err := json.Unmarshal([]byte(body), &list); err != nil || list.Total != tt.total {
				t.Errorf("%s: total %d, want %d (%v)", tt.query, list.Total, tt.total, err)
			}
		}
	}
}

func TestFeedsAreAtom(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) { h.Config.Site.Sponsor = "吉林省人力资源和社会保障厅" })
	seedFunds(e)
	e.publish(announcement("关于某案的通报 & 处理"))
	for _, tt := range []struct {
		path    string
		entries int
		title   string
	}{
		{"/feeds/announcements.atom", 1, "关于某案的通报 & 处理"},
		{"/feeds/disclosures.atom", 3, "吉林省2024年社会保险基金收支情况"},
	} {
		resp, body := e.get(tt.path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("%s: status %d, type %q", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var f struct {
			XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
			ID      string   `xml:"id"`
			Updated string   `xml:"updated"`
			Author  string   `xml:"author>name"`
			Entries []struct {
				ID      string `xml:"id"`
				Title   string `xml:"title"`
				Updated string `xml:"updated"`
				Link    struct {
					Href string `xml:"href,attr"`
				} `xml:"link"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(body), &f); err != nil {
			t.Fatalf("%s is not Atom: %v\n%s", tt.path, err, body)
		}
		if f.ID != "http://localhost:8080"+tt.path || f.Author != "吉林省人力资源和社会保障厅" || len(f.Entries) != tt.entries {
			t.Errorf("%s: id %q, author %q, %d entries", tt.path, f.ID, f.Author, len(f.Entries))
			continue
		}
		if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
			t.Errorf("%s: updated %q", tt.path, f.Updated)
		}
		if f.Entries[0].Title != tt.title || !strings.HasPrefix(f.Entries[0].Link.Href, "http://localhost:8080/disclosure/") {
			t.Errorf("%s: first entry %+v", tt.path, f.Entries[0])
		}
	}
}

func TestDisclosureIndexShowsTheLatestOfEveryKind(t *testing.T) {
	e := newTestEnv(t)
	seedFunds(e)
	e.publish(announcement("最新通报"))
	e.publish(&store.Publication{Kind: store.PubNotice, RegionCode: "220000"}, &store.Revision{Title: "听证会公告一", Body: "时间地点"})
	resp, page := e.get("/disclosure")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, s := range []string{"<h1>信息公开</h1>", "最新通报", "听证会公告一", "吉林省2024年社会保险基金收支情况",
		`href="/disclosure/announcements"`, `href="/disclosure/funds"`, "暂无已发布的新闻发布", `aria-current="page">信息公开</a>`} {
		if !strings.Contains(page, s) {
			t.Errorf("index lacks %s", s)
		}
	}
}

func TestDisclosurePagesAnswerConditionalRequests(t *testing.T) {
	e := newTestEnv(t)
	p2024, _ := seedFunds(e)
	ann := e.publish(announcement("通报"))
	paths := []string{
		"/disclosure", "/disclosure/funds", "/disclosure/funds?region=220000&year=2023", "/disclosure/funds.csv",
		"/disclosure/funds.json", "/disclosure/announcements", itemPath(ann), itemPath(p2024), "/feeds/announcements.atom",
		"/api/v1/articles", "/api/v1/articles/" + ann.ID, "/api/v1/disclosures", "/api/v1/fund-table",
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			e := e.in(t)
			first, body := e.get(path)
			etag, lm := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
			if first.StatusCode != http.StatusOK || !strings.HasPrefix(etag, `W/"`) || lm == "" ||
				first.Header.Get("Cache-Control") != "public, max-age=60" {
				t.Fatalf("status %d, ETag %q, Last-Modified %q, Cache-Control %q", first.StatusCode, etag, lm, first.Header.Get("Cache-Control"))
			}
			for _, h := range []map[string]string{{"If-None-Match": etag}, {"If-Modified-Since": lm}} {
				resp, b := e.getWith(path, h)
				if resp.StatusCode != http.StatusNotModified || b != "" || resp.Header.Get("ETag") != etag {
					t.Errorf("%v: status %d, %d bytes, ETag %q", h, resp.StatusCode, len(b), resp.Header.Get("ETag"))
				}
			}
			if resp, b := e.getWith(path, map[string]string{"If-None-Match": `W/"old"`, "If-Modified-Since": lm}); resp.StatusCode != http.StatusOK || b != body {
				t.Errorf("another ETag: status %d", resp.StatusCode)
			}
			for _, accept := range []string{"br", "gzip"} {
				resp, b := e.getWith(path, map[string]string{"Accept-Encoding": accept})
				if got := decoded(t, resp, b); got != body || resp.Header.Get("ETag") != etag {
					t.Errorf("%s: body or ETag differs from the identity response", accept)
				}
			}
		})
	}
	// A publication moves every validator on.
	first, before := e.get("/disclosure")
	etag := first.Header.Get("ETag")
	e.advance(time.Hour)
	e.publish(announcement("又一条通报"))
	resp, after := e.getWith("/disclosure", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != http.StatusOK || after == before || !strings.Contains(after, "又一条通报") {
		t.Errorf("after a publication: status %d, new item shown %v", resp.StatusCode, strings.Contains(after, "又一条通报"))
	}
	resp, _ = e.getWith("/disclosure", map[string]string{"If-Modified-Since": first.Header.Get("Last-Modified")})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("If-Modified-Since of before the publication: status %d", resp.StatusCode)
	}
}

func TestPublicCacheServesKeptPagesUntilAPublicationEmptiesIt(t *testing.T) {
	e := newTestEnv(t)
	e.publish(announcement("第一条通报"))
	for _, path := range []string{"/disclosure", "/disclosure/announcements", "/feeds/announcements.atom", "/api/v1/articles"} {
		e.get(path)
	}
	// Written to the store by something that does not empty the cache
	// (another instance): the kept pages stay as they were.
	e.publishElsewhere(announcement("第二条通报"))
	for _, path := range []string{"/disclosure", "/disclosure/announcements", "/feeds/announcements.atom", "/api/v1/articles"} {
		if _, body := e.get(path); strings.Contains(body, "第二条通报") {
			t.Errorf("%s: not served from the cache", path)
		}
	}
	// The stamp poller of another instance, or the service here, empties it.
	stamp := func(context.Context) (string, error) { return "after the second publication", nil }
	e.h.PublicCache.CheckStamp(context.Background(), "before", stamp, nil)
	for _, path := range []string{"/disclosure", "/disclosure/announcements", "/feeds/announcements.atom", "/api/v1/articles"} {
		if _, body := e.get(path); !strings.Contains(body, "第二条通报") {
			t.Errorf("%s: still the kept page after the stamp changed", path)
		}
	}
	if e.h.PublicCache.Len() == 0 {
		t.Error("nothing was kept")
	}
}

func TestLargeTextIsKeptApartInTheCache(t *testing.T) {
	e := newTestEnv(t)
	e.publish(announcement("通报"))
	_, standard := e.get("/disclosure")
	e.cookies["fw_textsize"] = "large"
	_, large := e.get("/disclosure")
	delete(e.cookies, "fw_textsize")
	_, again := e.get("/disclosure")
	if !strings.Contains(large, `class="large-text"`) || strings.Contains(standard, `class="large-text"`) || again != standard {
		t.Error("the text size of one reader reached another")
	}
}

func TestDisclosurePagesDescribeThemselves(t *testing.T) {
	e := newTestEnv(t)
	seedFunds(e)
	a := e.publish(announcement("通报"))
	for _, path := range []string{"/disclosure", "/disclosure/funds", "/disclosure/accounts", "/disclosure/announcements", itemPath(a)} {
		_, body := e.get(path)
		m := metaDescription.FindAllStringSubmatch(body, -1)
		if len(m) != 1 || len([]rune(m[0][1])) < 10 {
			t.Errorf("%s: descriptions %q", path, m)
		}
		if !strings.Contains(body, "<h1") || !strings.Contains(body, `rel="alternate" type="application/atom+xml"`) {
			t.Errorf("%s: no heading or no feed link", path)
		}
	}
}

func TestHomeListsTheLatestPublicationsAndFollowsEachPublish(t *testing.T) {
	e := newTestEnv(t)
	_, page := e.get("/")
	if strings.Contains(page, `id="home-latest"`) {
		t.Error("the home page has a disclosure section with nothing published")
	}
	seedFunds(e)
	e.publish(announcement("第一份通报"))
	_, page = e.get("/")
	latest := between(page, `id="home-latest"`, "</section>")
	for _, s := range []string{"第一份通报", "吉林省2024年社会保险基金收支情况", `href="/disclosure/announcements"`} {
		if !strings.Contains(latest, s) {
			t.Errorf("home's latest publications lack %s:\n%s", s, latest)
		}
	}
	// A publication (which empties the public cache) shows at once; one
	// written to the store without it does not, since home reads the
	// store once per cache generation.
	p, r := announcement("第二份通报")
	p.ID, p.CreatedAt, p.UpdatedAt, r.CreatedAt, r.UpdatedAt = store.NewID(), e.h.now(), e.h.now(), e.h.now(), e.h.now()
	if err := e.store.CreatePublication(context.Background(), p, r); err != nil {
		t.Fatal(err)
	}
	for _, st := range [][2]string{{store.RevDraft, store.RevSubmitted}, {store.RevSubmitted, store.RevApproved}, {store.RevApproved, store.RevPublished}} {
		var err error
		if p, err = e.store.StepPublication(context.Background(), store.PublicationStep{ID: p.ID, ExpectVersion: p.Version,
			From: st[0], To: st[1], By: "leader-1", At: e.h.now()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, page = e.get("/"); strings.Contains(page, "第二份通报") {
		t.Error("home read the store again without a publish")
	}
	e.h.InvalidatePublic()
	if _, page = e.get("/"); !strings.Contains(between(page, `id="home-latest"`, "</section>"), "第二份通报") {
		t.Error("home does not show a publication after the cache was emptied")
	}
}

// between is the part of s from the first from up to the next to after it,
// or "" when from is absent.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}
