package main

// The disclosure journey of issue 8, in a real browser: a publisher of
// 长春市 imports the year's fund table from a CSV file with one bad row, sees
// the error by row and column, fixes the file and submits the draft; the
// city's leader approves it; the public fund page shows the table and the
// trend chart beside it; a correction shows its dated note and the earlier
// revision; the CSV download holds the figures the page shows; and axe-core
// checks the public disclosure pages, with the demo's content as well.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The figures of the journey's file, in 万元 as a publisher types them
// (the template's column order: 基金收入 and its five parts, 基金支出 and
// its three parts, 本年收支结余, 年末滚存结余). The parts add up to their
// totals and each balance is income minus expenditure, so the import has
// nothing to warn about.
var (
	filePension      = []string{"356789.12", "250000", "90000", "1234.5678", "5000", "10554.5522", "301234.56", "295000", "4000", "2234.56", "55554.56", "987654.32"}
	fileUnemployment = []string{"12045.60", "11000", "0", "245.6", "300", "500", "9876.54", "9500", "200", "176.54", "2169.06", "45678.9"}
	// The bad row: the letter O typed for a zero in 基金收入 (column E of
	// file row 3).
	fileUnemploymentBad = append([]string{"12O45.60"}, fileUnemployment[1:]...)
)

// The table as the public page must show it: every figure grouped by
// thousands with at least two decimals and no digit lost, the 合计 row last.
var (
	pageBeforeCorrection = [][]string{
		{"企业职工基本养老保险", "356,789.12", "250,000.00", "90,000.00", "1,234.5678", "5,000.00", "10,554.5522", "301,234.56", "295,000.00", "4,000.00", "2,234.56", "55,554.56", "987,654.32"},
		{"失业保险", "12,045.60", "11,000.00", "0.00", "245.60", "300.00", "500.00", "9,876.54", "9,500.00", "200.00", "176.54", "2,169.06", "45,678.90"},
		{"合计", "368,834.72", "261,000.00", "90,000.00", "1,480.1678", "5,300.00", "11,054.5522", "311,111.10", "304,500.00", "4,200.00", "2,411.10", "57,723.62", "1,033,333.22"},
	}
	// The correction moves 50 万元 of 失业保险 from 其他收入 to 保险费收入.
	pageAfterCorrection = [][]string{
		pageBeforeCorrection[0],
		{"失业保险", "12,045.60", "11,050.00", "0.00", "245.60", "300.00", "450.00", "9,876.54", "9,500.00", "200.00", "176.54", "2,169.06", "45,678.90"},
		{"合计", "368,834.72", "261,050.00", "90,000.00", "1,480.1678", "5,300.00", "11,004.5522", "311,111.10", "304,500.00", "4,200.00", "2,411.10", "57,723.62", "1,033,333.22"},
	}
)

const correctionNote = "更正失业保险“保险费收入”和“其他收入”的划分：原表将 50 万元保险费收入误计入其他收入，基金收入合计不变。"

// TestDisclosureJourney walks the publishing of a fund table and its
// correction from the admin site to the public pages, and checks the
// public disclosure pages (the journey's and the demo's) with axe-core.
func TestDisclosureJourney(t *testing.T) {
	b := startBrowser(t)
	for _, tc := range []struct {
		name    string
		journey func(*testing.T, *browser)
	}{
		{"a fund table is imported, approved, published, corrected and downloaded", journeyFundTable},
		{"the demo's disclosure pages pass axe WCAG 2.1 AA and fit a phone", journeyDisclosureDemo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // own server, own tabs: independent
			tc.journey(t, b)
		})
	}
}

func readAxe(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatalf("vendored axe-core: %v", err)
	}
	return src
}

// journeyFundTable is the journey of issue 8's "Done means".
func journeyFundTable(t *testing.T, b *browser) {
	start := time.Now()
	axeSrc := readAxe(t)
	in := newInstallation(t)
	publisher := in.addStaff("wanggk", "publisher", "220100", "王公开", false)
	leader := in.addStaff("ccleader", "leader", "220100", "长春负责人", true)
	base := in.start()

	// 1. The publisher imports the file: first with a mistake, then fixed.
	pub := b.journey(t, base, "disclosure1-publisher", tabOpts{timeout: 3 * journeyTimeout})
	pub.adminLogin(publisher)
	pub.follow("open 信息公开", chromedp.CSS(`.nav a[href="/admin/publications"]`))
	pub.follow("open 导入基金收支表", chromedp.CSS(`#new-links a[href="/admin/publications/import"]`))
	pub.wantText(chromedp.CSS("h1"), "导入基金收支表")
	template := pub.download(chromedp.CSS("#template-csv"))
	if template.Status != http.StatusOK || !bytes.HasPrefix(template.body(), []byte(utf8BOM)) {
		t.Fatalf("CSV template: status %d, starts %q", template.Status, shorten(string(template.body()), 20))
	}
	header := strings.SplitN(strings.TrimPrefix(string(template.body()), utf8BOM), "\r\n", 2)[0]
	dir := t.TempDir()
	badFile := writeFundCSV(t, dir, "长春市2025年基金收支.csv", header, filePension, fileUnemploymentBad)
	pub.do("choose the file with a mistake", chromedp.SetUploadFiles(byID("import-file"), []string{badFile}))
	if st := pub.follow("upload the file with a mistake", chromedp.CSS(`#form-import button[type="submit"]`)).Status; st != http.StatusUnprocessableEntity {
		t.Fatalf("upload with a mistake: status %d, want 422; page: %s", st, shorten(pub.pageText(), 500))
	}
	pub.wantText(byID("errors-title"), "长春市2025年基金收支.csv", "有 1 处错误", "没有导入任何数据")
	errs := pub.tableRows("#import-errors table")
	if len(errs) != 1 || len(errs[0]) != 4 || errs[0][0] != "第 3 行" || errs[0][1] != "基金收入" || errs[0][2] != "E3" || errs[0][3] == "" {
		t.Errorf("import errors %q, want one: 第 3 行, 基金收入, E3 and what to do", errs)
	}
	pub.shot("import-error")

	goodFile := writeFundCSV(t, dir, "长春市2025年基金收支（改正）.csv", header, filePension, fileUnemployment)
	pub.do("choose the fixed file", chromedp.SetUploadFiles(byID("import-file"), []string{goodFile}))
	if st := pub.follow("upload the fixed file", chromedp.CSS(`#form-import button[type="submit"]`)).Status; st != http.StatusOK {
		t.Fatalf("upload the fixed file: status %d; page: %s", st, shorten(pub.pageText(), 500))
	}
	pub.wantText(byID("import-done"), "已导入 1 张表", "新建草稿")
	if pub.eval("errors gone", `!!document.getElementById("import-errors")`) {
		t.Error("the fixed file still lists errors")
	}
	pub.shot("import-done")
	pub.follow("open the draft", chromedp.CSS(`#import-done li a`))
	pub.wantText(byID("pending-status"), "草稿")
	if pub.eval("warnings", `!!document.getElementById("warnings")`) {
		t.Errorf("a consistent table shows warnings: %s", pub.text(byID("warnings")))
	}
	adminPath, _, _ := strings.Cut(pub.location(), "?")
	pub.follow("submit the draft", chromedp.CSS(`#form-submit button[type="submit"]`))
	pub.wantText(byID("flash"), "已提交审核")
	pub.wantText(byID("pending-status"), "待审核")
	pub.shot("submitted")

	// 2. The city's leader approves: the table is published.
	lead := b.journey(t, base, "disclosure1-leader", tabOpts{timeout: 2 * journeyTimeout})
	lead.adminLogin(leader)
	lead.approve(adminPath, 1)
	lead.shot("approved")

	// 3. The public reads the table and the chart, on a desktop and a phone.
	reader := b.journey(t, base, "disclosure1-public", tabOpts{timeout: 3 * journeyTimeout})
	reader.open("/disclosure")
	reader.wantText(chromedp.CSS(`section[aria-labelledby="sec-funds"]`), "2025")
	reader.follow("open the fund tables", chromedp.CSS(`section[aria-labelledby="sec-funds"] .more a`))
	// The only published table is the one shown without a choice.
	fundsPath := reader.location()
	reader.wantText(byID("table-title"), "2025年", "长春市")
	reader.wantFundTable("fund page", "table.fund-table", pageBeforeCorrection)
	reader.wantText(chromedp.CSS("table.trend-table"), "2025年", "368,834.72", "311,111.10", "1,033,333.22")
	reader.wantText(byID("trend-summary"), "368,834.72", "1,033,333.22")
	reader.chartDrawn("fund page")
	reader.chartMatchesTrend("fund page")
	reader.shot("funds")
	reader.csvMatchesPage("fund page") // the download, checked again after the correction

	phone := b.journey(t, base, "disclosure1-phone", tabOpts{phone: true, timeout: 2 * journeyTimeout})
	phone.open(fundsPath)
	phone.wantFundTable("fund page on a phone", "table.fund-table", pageBeforeCorrection)
	phone.chartDrawn("fund page on a phone")
	phone.fits("fund page")
	phone.shot("funds-390")
	phone.scrollTable("fund page")
	phone.shot("funds-390-scrolled")

	// 4. The publisher corrects a figure; the leader approves the correction.
	pub.open(adminPath)
	pub.follow("start a correction", chromedp.CSS(`#form-correct button[type="submit"]`))
	pub.wantText(byID("flash"), "已创建更正稿")
	pub.wantText(byID("pending-title"), "第 2 版", "更正稿", "草稿")
	premium, other := chromedp.CSS(`input[name="row-unemployment-premium"]`), chromedp.CSS(`input[name="row-unemployment-other_income"]`)
	pub.do("change the figures and write the note",
		chromedp.Clear(premium), chromedp.SendKeys(premium, "11050"),
		chromedp.Clear(other), chromedp.SendKeys(other, "450"),
		chromedp.SendKeys(byID("p-note"), correctionNote))
	if st := pub.follow("save the correction", chromedp.CSS(`#form-publication button[type="submit"]`)).Status; st != http.StatusOK {
		t.Fatalf("save the correction: status %d; page: %s", st, shorten(pub.pageText(), 500))
	}
	pub.wantText(byID("flash"), "草稿已保存")
	pub.shot("correction-saved")
	pub.follow("submit the correction", chromedp.CSS(`#form-submit button[type="submit"]`))
	pub.wantText(byID("flash"), "已提交审核")
	lead.approve(adminPath, 2)
	lead.wantText(byID("revisions"), correctionNote)

	// The public sees the corrected table, the dated note, and the earlier
	// revision with the old figure. A browser that showed the page in the
	// last minute may show it again without asking (the public pages are
	// "max-age=60" with an ETag), until the reader reloads it.
	reader.open(fundsPath)
	reader.do("reload the fund page", chromedp.Reload())
	reader.wantFundTable("reloaded fund page", "table.fund-table", pageAfterCorrection)
	reader = b.journey(t, base, "disclosure1-public-later", tabOpts{timeout: 3 * journeyTimeout})
	reader.open(fundsPath)
	reader.wantText(chromedp.CSS(".source"), "已更正")
	reader.wantFundTable("corrected fund page", "table.fund-table", pageAfterCorrection)
	reader.chartDrawn("corrected fund page")
	reader.csvMatchesPage("corrected fund page")
	reader.follow("open the published table", chromedp.CSS(".source a"))
	itemPath := reader.location()
	reader.wantText(chromedp.CSS("h1"), "2025")
	reader.wantText(chromedp.CSS(".correction"), "更正说明", correctionNote)
	if date := reader.text(chromedp.CSS(".correction time")); !slices.Contains(cstDays(start, time.Now()), date) {
		t.Errorf("the correction note is dated %q, want the day it was approved (%q)", date, cstDays(start, time.Now()))
	}
	reader.wantText(chromedp.CSS(".article-meta"), "第 2 版")
	reader.wantFundTable("corrected item page", "table.fund-table", pageAfterCorrection)
	reader.wantText(chromedp.CSS(".revisions"), "第 1 版", "已被更正")
	reader.shot("item-corrected")
	reader.follow("open the earlier revision", chromedp.CSS(`.revisions a`))
	revisionPath := reader.location()
	if revisionPath != itemPath+"/revisions/1" {
		t.Errorf("the earlier revision is at %s, want %s/revisions/1", revisionPath, itemPath)
	}
	reader.wantText(chromedp.CSS(".superseded"), "此为已被更正的旧版本", "第 1 版", "查看现行版本")
	reader.wantFundTable("earlier revision", "table.fund-table", pageBeforeCorrection)
	if reader.eval("no note on the first revision", `!!document.querySelector(".correction")`) {
		t.Error("the first revision shows a correction note")
	}
	reader.shot("revision-1")

	for _, p := range []struct{ name, path string }{{"item", itemPath}, {"revision", revisionPath}} {
		phone.open(p.path)
		phone.fits(p.name + " page")
		phone.shot(p.name + "-390")
	}

	// 5. axe-core on the public pages of the journey.
	for _, p := range []struct{ name, path string }{
		{"disclosure", "/disclosure"}, {"funds", fundsPath}, {"item", itemPath}, {"revision", revisionPath}, {"statistics", "/statistics"},
	} {
		reader.open(p.path)
		reader.axe(p.name, axeSrc)
	}
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeyDisclosureDemo: the demo's disclosure, with five years of tables,
// account notes, announcements and a correction, passes axe-core's WCAG 2.1
// A and AA rules, and each page fits a 390 px phone with its chart drawn.
func journeyDisclosureDemo(t *testing.T, b *browser) {
	start := time.Now()
	axeSrc := readAxe(t)
	base := startServer(t, "--demo")
	j := b.journey(t, base, "disclosure2-demo", tabOpts{timeout: 3 * journeyTimeout})
	phone := b.journey(t, base, "disclosure2-demo-phone", tabOpts{phone: true, timeout: 2 * journeyTimeout})

	j.open("/disclosure")
	article := j.attr(chromedp.CSS(`section[aria-labelledby="sec-announcements"] .pub-title`), "href")
	// The demo corrected the province's 2024 table.
	j.open("/disclosure/funds?region=220000&year=2024")
	j.wantText(chromedp.CSS(".source"), "已更正")
	corrected := j.attr(chromedp.CSS(".source a"), "href")
	pages := []struct {
		name, path string
		chart      bool
	}{
		{"disclosure", "/disclosure", false},
		{"announcements", "/disclosure/announcements", false},
		{"article", article, false},
		{"funds", "/disclosure/funds", true},
		{"funds-2023", "/disclosure/funds?region=220200&year=2023", true},
		{"funds-pension", "/disclosure/funds?region=220100&year=2024&type=pension", true},
		{"accounts", "/disclosure/accounts", true},
		{"corrected", corrected, false},
		{"corrected-revision-1", corrected + "/revisions/1", false},
		{"statistics", "/statistics", false},
	}
	for _, p := range pages {
		j.open(p.path)
		if p.chart {
			j.chartDrawn(p.name)
			j.csvMatchesPage(p.name)
			if strings.HasPrefix(p.path, "/disclosure/funds") {
				j.chartMatchesTrend(p.name)
			}
		}
		j.axe(p.name, axeSrc)
		j.shot(p.name)

		phone.open(p.path)
		if p.chart {
			phone.chartDrawn(p.name + " on a phone")
		}
		phone.fits(p.name)
		phone.shot(p.name + "-390")
	}

	// Search: from the disclosure index's box, two words, both required;
	// the hits are marked and lead to the published page.
	j.open("/disclosure")
	j.do("type two words into the search box", chromedp.SendKeys(byID("disclosure-q"), "养老 基金"))
	j.follow("search", chromedp.CSS(`form.searchbox button[type="submit"]`))
	if loc := j.location(); !strings.HasPrefix(loc, "/search?q=") {
		t.Errorf("the search box went to %s", loc)
	}
	j.wantText(byID("results-title"), "共找到")
	if !j.eval("marked hits", `document.querySelectorAll(".search-hit mark").length > 0`) {
		t.Error("no hit marks the words searched for")
	}
	searchPath := j.location()
	j.axe("search", axeSrc)
	j.shot("search")
	j.follow("open the first hit", chromedp.CSS(`.search-hit .pub-title`))
	if loc := j.location(); !strings.HasPrefix(loc, "/disclosure/") {
		t.Errorf("the first hit leads to %s", loc)
	}
	phone.open(searchPath)
	phone.fits("search")
	phone.shot("search-390")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// utf8BOM starts every CSV file the portal sends, so that Excel reads it as
// UTF-8.
const utf8BOM = "\ufeff"

// writeFundCSV writes a CSV file as Excel's "CSV UTF-8" saves it: a byte
// order mark, the template's header, and a row of 长春市's 2025 figures per
// insurance type (the first 企业职工基本养老保险, the second 失业保险).
func writeFundCSV(t *testing.T, dir, name, header string, rows ...[]string) string {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(utf8BOM + header + "\r\n")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	types := []string{"企业职工基本养老保险", "失业保险"}
	for i, r := range rows {
		rec := append([]string{"2025", "220100", "长春市", types[i]}, r...)
		if err := w.Write(append(rec, "")); err != nil { // 备注 left empty
			t.Fatal(err)
		}
	}
	w.Flush()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// approve opens a submitted publication as its region's leader and
// approves it, which publishes revision n.
func (j *journey) approve(adminPath string, n int) {
	j.t.Helper()
	j.open(adminPath)
	j.wantText(byID("pending-status"), "待审核")
	if st := j.follow("approve", chromedp.CSS(`#form-approve button[type="submit"]`)).Status; st != http.StatusOK {
		j.t.Fatalf("approve: status %d; page: %s", st, shorten(j.pageText(), 500))
	}
	j.wantText(byID("flash"), "审核通过")
	j.wantText(byID("pub-state"), "已发布第 "+strconv.Itoa(n)+" 版")
}

// cstDays are the days in China Standard Time, as the public pages write
// them, from one time to another (the journey may pass midnight).
func cstDays(from, to time.Time) []string {
	days := []string{from.In(cst()).Format("2006年01月02日")}
	if d := to.In(cst()).Format("2006年01月02日"); d != days[0] {
		days = append(days, d)
	}
	return days
}

// attr reads an attribute of the first element a selector finds.
func (j *journey) attr(sel chromedp.CSS, name string) string {
	j.t.Helper()
	v, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](
		`(document.querySelector(`+jsString(string(sel))+`) || {getAttribute: () => ""}).getAttribute(`+jsString(name)+`) || ""`))
	if err != nil {
		j.fail("read "+name+" of "+string(sel), err)
	}
	if v == "" {
		j.t.Fatalf("no %s on %s; page: %s", name, sel, shorten(j.pageText(), 400))
	}
	return v
}

// tableRows reads the rows of a table's body and foot as a reader sees
// them: each cell's text, the row header first.
func (j *journey) tableRows(table string) [][]string {
	j.t.Helper()
	rows, err := chromedp.Run(j.ctx, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll(`+
		jsString(table+" > tbody > tr, "+table+" > tfoot > tr")+`)).map(tr => Array.from(tr.cells).map(c => c.textContent.trim()))`))
	if err != nil {
		j.fail("read the rows of "+table, err)
	}
	return rows
}

// wantFundTable fails unless the fund table shows exactly want.
func (j *journey) wantFundTable(page, table string, want [][]string) {
	j.t.Helper()
	if got := j.tableRows(table); !slices.EqualFunc(got, want, slices.Equal) {
		j.t.Errorf("%s: the table shows\n%q\nwant\n%q", page, got, want)
	}
}

// fetched is a file the browser fetched.
type fetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Bytes       []int  `json:"bytes"`
}

func (f fetched) body() []byte {
	b := make([]byte, len(f.Bytes))
	for i, v := range f.Bytes {
		b[i] = byte(v)
	}
	return b
}

// download fetches what a link points to as the browser would download it
// (same cookies), and returns it with its status and headers.
func (j *journey) download(link chromedp.CSS) fetched {
	j.t.Helper()
	href := j.attr(link, "href")
	f, err := chromedp.Run(j.ctx, chromedp.Evaluate[fetched](`fetch(`+jsString(href)+`, {credentials: "same-origin"}).then(async r => ({
			status: r.status, type: r.headers.get("content-type") || "", disposition: r.headers.get("content-disposition") || "",
			bytes: Array.from(new Uint8Array(await r.arrayBuffer()))}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		j.fail("download "+href, err)
	}
	return f
}

// csvMatchesPage downloads the page's CSV file from its link and fails
// unless it starts with a byte order mark and holds, row by row, the
// figures of the page's fund or account table (the page groups thousands,
// the file does not).
func (j *journey) csvMatchesPage(page string) {
	j.t.Helper()
	f := j.download(chromedp.CSS(`.downloads a[href*=".csv"]`))
	if f.Status != http.StatusOK || !strings.HasPrefix(f.Type, "text/csv") || !strings.HasPrefix(f.Disposition, "attachment") {
		j.t.Errorf("%s: CSV download: status %d, type %q, disposition %q", page, f.Status, f.Type, f.Disposition)
	}
	body := f.body()
	if !bytes.HasPrefix(body, []byte(utf8BOM)) {
		j.t.Errorf("%s: the CSV file does not start with a UTF-8 byte order mark: %q", page, shorten(string(body), 20))
	}
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte(utf8BOM)))).ReadAll()
	if err != nil || len(records) < 2 {
		j.t.Fatalf("%s: CSV file: %d records, %v", page, len(records), err)
	}
	table := "table.fund-table"
	account := j.eval("account table", `!!document.querySelector("table.account-table")`)
	if account {
		table = "table.account-table"
	}
	rows := j.tableRows(table)
	data := records[1:]
	if len(data) != len(rows) {
		j.t.Errorf("%s: the CSV file has %d rows, the page %d", page, len(data), len(rows))
		return
	}
	for i, rec := range data {
		row := rows[i]
		// The row's heading: the insurance type (合计 for the total) or the
		// year, which the file writes without 年.
		if !slices.Contains(rec, row[0]) && rec[0]+"年" != row[0] {
			j.t.Errorf("%s: CSV row %d is %q; the page's row is headed %q", page, i+2, rec, row[0])
		}
		// The page's row: a header cell and the figures; the file's: year,
		// region code and name, the row's name and the figures. The
		// account table's last cell links the note and is not a figure.
		figures := row[1:]
		if account {
			figures = row[1 : len(row)-1]
		}
		if len(figures) > len(rec) {
			j.t.Errorf("%s: CSV row %d is %q; the page's row is %q", page, i+2, rec, row)
			continue
		}
		fileFigures := rec[len(rec)-len(figures):]
		for k, cell := range figures {
			want := strings.NewReplacer(",", "", "%", "").Replace(cell)
			if fileFigures[k] != want {
				j.t.Errorf("%s: CSV row %d is %q; the page's row is %q", page, i+2, rec, row)
				break
			}
		}
	}
}

// chartDrawn waits for ECharts to draw the page's chart and fails unless
// its canvas has something on it and the chart covers neither its summary
// nor the table beside it.
func (j *journey) chartDrawn(page string) {
	j.t.Helper()
	if _, err := chromedp.Run(j.ctx, chromedp.Poll[bool](`!!document.querySelector(".chart.chart-ready canvas")`,
		chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		j.t.Errorf("%s: no chart drawn (%v); chart element: %v", page, err, j.eval("chart element", `!!document.querySelector(".chart")`))
		return
	}
	painted, err := chromedp.Run(j.ctx, chromedp.Evaluate[int](`(() => {
		const c = document.querySelector(".chart.chart-ready canvas");
		const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } }
		return n;
	})()`))
	if err != nil {
		j.fail("read the chart's pixels", err)
	}
	if painted < 1000 {
		j.t.Errorf("%s: the chart's canvas has %d painted pixels: nothing drawn", page, painted)
	}
	overlap, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`(() => {
		const chart = document.querySelector(".chart.chart-ready").getBoundingClientRect();
		const panel = document.querySelector(".chart.chart-ready").closest("section");
		const hit = [];
		for (const e of panel.querySelectorAll(".chart-summary, .table-scroll, .table-note")) {
			const r = e.getBoundingClientRect();
			if (r.left < chart.right && chart.left < r.right && r.top < chart.bottom && chart.top < r.bottom) { hit.push(e.className); }
		}
		// The figures are in a table in the chart's panel or in the one
		// just before it.
		const before = panel.previousElementSibling;
		if (!panel.querySelector(".table-scroll table") && !(before && before.querySelector(".table-scroll table"))) { hit.push("no table beside the chart"); }
		if (chart.width < 200 || chart.height < 200) { hit.push("chart only " + chart.width + "x" + chart.height); }
		return hit.join(", ");
	})()`))
	if err != nil {
		j.fail("measure the chart", err)
	}
	if overlap != "" {
		j.t.Errorf("%s: the chart and what is beside it: %s", page, overlap)
	}
}

// chartMatchesTrend fails unless the fund page's chart is drawn from the
// figures of the trend table beside it: income, expenditure and the
// year-end balance of each year, digit for digit.
func (j *journey) chartMatchesTrend(page string) {
	j.t.Helper()
	src, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`document.getElementById("fund-trend-data").textContent`))
	if err != nil {
		j.fail("read the chart's data", err)
	}
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	var chart struct {
		Categories []string
		Series     []struct {
			Name string
			Data []*json.Number
		}
	}
	if err := dec.Decode(&chart); err != nil {
		j.t.Fatalf("%s: chart data %q: %v", page, shorten(src, 200), err)
	}
	rows := j.tableRows("table.trend-table")
	if len(chart.Categories) != len(rows) || len(chart.Series) != 3 {
		j.t.Fatalf("%s: the chart has %d years and %d series, the trend table %d years", page, len(chart.Categories), len(chart.Series), len(rows))
	}
	for i, row := range rows {
		if row[0] != chart.Categories[i] {
			j.t.Errorf("%s: the chart's year %d is %q, the table's %q", page, i, chart.Categories[i], row[0])
		}
		for k, s := range chart.Series {
			got := "—"
			if n := s.Data[i]; n != nil {
				got = n.String()
			}
			if want := strings.ReplaceAll(row[k+1], ",", ""); got != want {
				j.t.Errorf("%s: %s %s in the chart is %s, in the table %s", page, row[0], s.Name, got, row[k+1])
			}
		}
	}
}

// scrollTable scrolls the page's first table box to its right end, as a
// reader swipes to the last columns, and fails unless the row headings stay
// in view at the box's left edge.
func (j *journey) scrollTable(page string) {
	j.t.Helper()
	problem, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`(() => {
		const box = document.querySelector(".table-scroll");
		box.scrollLeft = box.scrollWidth;
		if (box.scrollLeft === 0) { return "the table box does not scroll"; }
		const b = box.getBoundingClientRect();
		for (const th of box.querySelectorAll("th[scope=row]")) {
			const r = th.getBoundingClientRect();
			if (Math.abs(r.left - b.left) > 1) { return th.textContent + " is at " + r.left + ", the box at " + b.left; }
		}
		return "";
	})()`))
	if err != nil {
		j.fail("scroll the table", err)
	}
	if problem != "" {
		j.t.Errorf("%s: the table scrolled to its end: %s", page, problem)
	}
}
