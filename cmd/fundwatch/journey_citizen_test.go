package main

// Browser journeys for what citizens met on the public site (issue 7):
// who handles their case, keeping the access code (groups that never wrap,
// copy, save as a file, a printed receipt on one A4 page), the follow-up
// page (deadline, stage, rating), layout on 320 and 390 px phones, and
// 大字版 without JavaScript. Same machinery as journey_test.go.

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The sizes the citizen journeys look at: the narrowest phones still in
// use, a common phone, and a desktop.
var citizenViewports = []struct {
	name          string
	width, height int64
	phone         bool
}{
	{"320", 320, 640, true},
	{"390", 390, 844, true},
	{"desktop", 1280, 900, false},
}

// viewport sizes the tab: a phone (mobile, touch, DPR 2) or a desktop.
func (j *journey) viewport(width, height int64, phone bool) {
	j.t.Helper()
	opts := []chromedp.EmulateViewportOption{}
	if phone {
		opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	j.do(fmt.Sprintf("viewport %dx%d", width, height), chromedp.EmulateViewport(width, height, opts...))
}

// media emulates a CSS media type ("print", or "" for the screen).
func (j *journey) media(m string) {
	j.t.Helper()
	if _, err := chromedp.Call(j.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
		j.fail("emulate media "+m, err)
	}
}

// fitsWidth fails when the page scrolls sideways, naming the widest
// elements.
func (j *journey) fitsWidth(page string) {
	j.t.Helper()
	if !j.eval("scroll width", `document.documentElement.scrollWidth <= window.innerWidth`) {
		w, _ := chromedp.Run(j.ctx, chromedp.Evaluate[string](
			`document.documentElement.scrollWidth + " > " + window.innerWidth + "; widest: " + Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).slice(0, 5).map(e => e.tagName + "." + e.className + "#" + e.id).join(", ")`))
		j.t.Errorf("%s scrolls sideways: %s", page, w)
	}
}

// groupsUnbroken fails when a group of an access code under sel is broken
// over two lines.
func (j *journey) groupsUnbroken(page, sel string) {
	j.t.Helper()
	broken, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll(`+jsString(sel+" .code-group")+`))
		.filter(g => g.getClientRects().length !== 1).map(g => g.textContent).join(",")`))
	if err != nil {
		j.fail("measure code groups", err)
	}
	n := j.eval("groups present", `document.querySelectorAll(`+jsString(sel+" .code-group")+`).length >= 6`)
	if !n {
		j.t.Errorf("%s: no access code in groups under %s", page, sel)
	}
	if broken != "" {
		j.t.Errorf("%s: code groups wrap mid-group: %s", page, broken)
	}
}

// footerOrphans returns the footer paragraphs whose last line holds a
// single character.
func (j *journey) footerOrphans() string {
	j.t.Helper()
	s, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`(() => {
		const out = [];
		for (const p of document.querySelectorAll(".site-footer p")) {
			const tops = [];
			const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
			let n;
			while ((n = walker.nextNode())) {
				for (let i = 0; i < n.data.length; i++) {
					if (/\s/.test(n.data[i])) continue;
					const r = document.createRange();
					r.setStart(n, i);
					r.setEnd(n, i + 1);
					const rect = r.getClientRects()[0];
					if (rect) tops.push(Math.round(rect.top));
				}
			}
			if (tops.length < 2) continue;
			const last = tops[tops.length - 1];
			if (tops.filter(t => Math.abs(t - last) < 4).length < 2) out.push(p.textContent.trim().slice(-16));
		}
		return out.join(" | ");
	})()`))
	if err != nil {
		j.fail("measure the footer", err)
	}
	return s
}

// placeholdersFit fails when the placeholder of an input is wider than the
// room inside it.
func (j *journey) placeholdersFit(page string, ids ...string) {
	j.t.Helper()
	for _, id := range ids {
		ok := j.eval("placeholder of "+id, `(() => {
			const i = document.getElementById(`+jsString(id)+`);
			const cs = getComputedStyle(i);
			const c = document.createElement("canvas").getContext("2d");
			c.font = cs.fontStyle + " " + cs.fontWeight + " " + cs.fontSize + " " + cs.fontFamily;
			const room = i.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
			return c.measureText(i.placeholder).width <= room;
		})()`)
		if !ok {
			j.t.Errorf("%s: the placeholder of #%s is cut off", page, id)
		}
	}
}

// printPDF prints the page to an A4 PDF as a browser's "save as PDF"
// does, saves it beside the screenshots and returns its number of pages.
func (j *journey) printPDF(step string) int {
	j.t.Helper()
	res, err := chromedp.Call(j.ctx, page.PrintToPDF, page.PrintToPDFParams{
		PaperWidth: 8.27, PaperHeight: 11.69, PreferCSSPageSize: ptrTo(true), PrintBackground: ptrTo(true),
	})
	if err != nil {
		j.fail("print "+step+" to PDF", err)
	}
	p := filepath.Join(j.shots, j.name+"-"+step+".pdf")
	if err := os.WriteFile(p, res.Data, 0o644); err != nil {
		j.t.Fatalf("write PDF: %v", err)
	}
	j.t.Logf("PDF %s", p)
	pages := len(regexp.MustCompile(`/Type\s*/Page\b[^s]`).FindAll(res.Data, -1))
	if pages == 0 {
		j.t.Fatalf("%s: no page objects found in the PDF (%d bytes)", step, len(res.Data))
	}
	if m := regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]`).FindSubmatch(res.Data); m != nil {
		if w, h := string(m[1]), string(m[2]); !strings.HasPrefix(w, "59") || !strings.HasPrefix(h, "84") {
			j.t.Errorf("%s: PDF page is %s×%s pt, want A4 (595×842)", step, w, h)
		}
	}
	return pages
}

func ptrTo[T any](v T) *T { return &v }

// TestCitizenJourneys walks the points citizens raised, in a real browser.
func TestCitizenJourneys(t *testing.T) {
	b := startBrowser(t)
	for _, tc := range []struct {
		name    string
		journey func(*testing.T, *browser)
	}{
		{"the receipt keeps the code on phones, in print and as a file", journeyReceiptKeepsTheCode},
		{"the demo receipt prints its 示例 mark and office on one A4 page", journeyDemoReceiptPrint},
		{"the follow-up pages fit phones and explain the case", journeyFollowupOnPhones},
		{"大字版 works without JavaScript and stays", journeyLargeText},
		{"contact page, footer and the files browsers ask for", journeyContactAndFooter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.journey(t, b)
		})
	}
}

// journeyReceiptKeepsTheCode: a named report filed on a desktop, the
// receipt looked at on 320 and 390 px phones and the desktop, the code
// copied, printed to PDF and saved as a file.
func journeyReceiptKeepsTheCode(t *testing.T, b *browser) {
	base := startServer(t, "--site-sponsor", "吉林省人力资源和社会保障厅")
	j := b.journey(t, base, "citizen1-receipt", tabOpts{timeout: 3 * journeyTimeout})
	j.open("/report")
	j.fillReport(report{idNumber: reporterID, description: goodDesc})
	if resp := j.follow("submit the report", chromedp.CSS(`#report-form button[type="submit"]`)); resp.Status != http.StatusOK {
		t.Fatalf("submit: status %d; page: %s", resp.Status, shorten(j.pageText(), 600))
	}
	number, code := j.readReceipt()
	j.wantText(byID("receipt-office"), "社会保险基金监督机构", "12333")
	for _, v := range citizenViewports {
		j.viewport(v.width, v.height, v.phone)
		j.fitsWidth("receipt at " + v.name)
		j.groupsUnbroken("receipt at "+v.name, "#receipt-code")
		if got := j.footerOrphans(); got != "" {
			t.Errorf("receipt at %s: a footer line ends with one character alone: %s", v.name, got)
		}
		j.shot("receipt-" + v.name)
	}

	// Copy: the button shows with JavaScript and says what it did.
	if !j.visible("[data-copy]") {
		t.Fatal("the 复制查询码 button is not shown with JavaScript")
	}
	j.do("click 复制查询码", chromedp.Click(chromedp.CSS("[data-copy]")))
	if _, err := chromedp.Run(j.ctx, chromedp.Poll[bool](`document.getElementById("copy-status").textContent !== ""`)); err != nil {
		j.fail("wait for the copy status", err)
	}
	j.wantText(byID("copy-status"), "查询码")
	if got := j.text(byID("receipt-code")); strings.ReplaceAll(got, "\u200b", "") != code {
		t.Errorf("the code reads %q after copying, want %q", got, code)
	}

	// Print: the site's address, the office and the code in whole groups,
	// one A4 page.
	j.media("print")
	for _, sel := range []string{".print-head", "#receipt-office", ".print-foot"} {
		if !j.visible(sel) {
			t.Errorf("printed receipt: %s is not printed", sel)
		}
	}
	// The server names itself by its --base-url (localhost:PORT by default).
	j.wantText(chromedp.CSS(".print-head"), "http://localhost:"+base[strings.LastIndex(base, ":")+1:])
	if j.visible(".site-nav") || j.visible("[data-copy]") {
		t.Error("printed receipt: navigation or buttons are printed")
	}
	j.media("")
	if pages := j.printPDF("receipt"); pages != 1 {
		t.Errorf("the printed receipt takes %d A4 pages, want 1", pages)
	}

	// Save as a file: a POST download (the code is never in a URL).
	if !j.visible("#receipt-download") {
		t.Error("no 保存回执为文件 button")
	}
	if j.eval("download form method", `document.querySelector('form[action="/receipt/download"]').method !== "post"`) {
		t.Error("the download form is not a POST")
	}
	_ = number
}

// journeyDemoReceiptPrint: in demo mode the printed receipt carries the
// 示例 mark and the shipped example office, marked 示例, on one A4 page.
func journeyDemoReceiptPrint(t *testing.T, b *browser) {
	j := b.journey(t, startServer(t, "--demo"), "citizen2-demo-receipt", tabOpts{timeout: 2 * journeyTimeout})
	j.open("/report")
	j.fillReport(report{idNumber: reporterID, description: goodDesc})
	if resp := j.follow("submit the report", chromedp.CSS(`#report-form button[type="submit"]`)); resp.Status != http.StatusOK {
		t.Fatalf("submit: status %d; page: %s", resp.Status, shorten(j.pageText(), 600))
	}
	j.readReceipt()
	j.wantText(byID("receipt-office"), "社会保险基金监督处", "示例", "0431")
	j.media("print")
	if !j.visible(".demo-stamp") {
		t.Error("the printed demo receipt lacks its 示例 mark")
	}
	j.wantText(chromedp.CSS(".demo-stamp"), "示例")
	j.shot("receipt-print")
	j.media("")
	if pages := j.printPDF("receipt"); pages != 1 {
		t.Errorf("the printed demo receipt takes %d A4 pages, want 1", pages)
	}
	j.viewport(320, 640, true)
	j.fitsWidth("demo receipt at 320")
	j.groupsUnbroken("demo receipt at 320", "#receipt-code")
	j.shot("receipt-320")
}

// journeyFollowupOnPhones: the follow-up form and the demo cases on 320
// and 390 px phones and the desktop: the demo list and the placeholders
// fit, the code field can be hidden, and each case page says what happens
// now, the deadline and the office; the concluded case takes a rating.
func journeyFollowupOnPhones(t *testing.T, b *browser) {
	j := b.journey(t, startServer(t, "--demo"), "citizen3-followup", tabOpts{timeout: 4 * journeyTimeout})
	for _, v := range citizenViewports {
		j.viewport(v.width, v.height, v.phone)
		j.open("/followup")
		j.fitsWidth("follow-up form at " + v.name)
		j.placeholdersFit("follow-up form at "+v.name, "number", "code")
		j.groupsUnbroken("demo list at "+v.name, ".demo-cases li:first-child")
		j.shot("followup-" + v.name)
	}

	// The code field is plain text; the button hides and shows it.
	j.do("type a code", chromedp.SendKeys(byID("code"), "K7QX-M3PD"))
	if j.eval("code field type", `document.getElementById("code").type !== "text"`) {
		t.Error("the code field is masked from the start")
	}
	j.do("hide the code", chromedp.Click(chromedp.CSS("[data-reveal]")))
	if !j.eval("hidden", `document.getElementById("code").type === "password"`) {
		t.Error("隐藏 does not mask the code")
	}
	j.wantText(chromedp.CSS("[data-reveal]"), "显示")
	j.do("show the code", chromedp.Click(chromedp.CSS("[data-reveal]")))
	if !j.eval("shown", `document.getElementById("code").type === "text"`) {
		t.Error("显示 does not unmask the code")
	}
	j.do("clear the code", chromedp.Clear(byID("code")))

	login := func(n int) {
		t.Helper()
		j.open("/followup")
		li := chromedp.CSS(fmt.Sprintf(".demo-cases li:nth-child(%d)", n))
		number, code := j.text(li+" code:first-of-type"), j.text(li+" code.access-code")
		j.do("type the demo receipt", chromedp.SendKeys(byID("number"), number), chromedp.SendKeys(byID("code"), code))
		if resp := j.follow("log in", chromedp.CSS(`form[action="/followup"] button[type="submit"]`)); resp.Status != http.StatusOK || j.location() != "/followup/case" {
			t.Fatalf("demo login %d: status %d at %s", n, resp.Status, j.location())
		}
	}

	// The investigating case: its deadline and what happens now.
	j.viewport(390, 844, true)
	login(2)
	j.wantText(byID("deadline"), "调查期限", "24时前")
	j.wantText(byID("stage-guide"), "现在：", "您可以：", "调查")
	j.wantText(byID("case-office"), "受理机构", "示例")
	j.fitsWidth("investigating case at 390")
	j.shot("case-investigating-390")

	// The transferred case: where it went.
	login(3)
	j.wantText(byID("case-office"), "已转至", "医疗保障")
	j.wantText(chromedp.CSS(".status-line"), "已转办")
	j.shot("case-transferred-390")

	// The concluded case: 调查完毕, not confusable with 已结案归档, and a rating.
	j.viewport(320, 640, true)
	login(1)
	j.wantText(chromedp.CSS(".status-line"), "调查完毕")
	j.wantText(chromedp.CSS(".steps"), "调查完毕", "已结案归档")
	if !j.visible("#rating-form") {
		t.Fatal("the concluded demo case offers no rating")
	}
	j.do("choose 不满意", chromedp.Click(chromedp.CSS(`#rating-form input[value="dissatisfied"]`)))
	if resp := j.follow("rate without a reason", chromedp.CSS(`#rating-form button[type="submit"]`)); resp.Status != http.StatusUnprocessableEntity {
		t.Errorf("不满意 without a reason: status %d, want 422", resp.Status)
	}
	j.wantText(byID("rating-problem"), "不满意的原因")
	j.do("give a reason", chromedp.SendKeys(byID("reason"), "没有说明核查了哪些材料。"))
	if resp := j.follow("rate", chromedp.CSS(`#rating-form button[type="submit"]`)); resp.Status != http.StatusOK {
		t.Fatalf("rating: status %d", resp.Status)
	}
	j.wantText(chromedp.CSS(".alert.ok"), "感谢您的评价")
	j.wantText(byID("rating-given"), "不满意", "没有说明核查了哪些材料。")
	j.fitsWidth("rated case at 320")
	j.shot("case-rated-320")
	j.viewport(1280, 900, false)
	j.shot("case-rated-desktop")
}

// journeyLargeText: with JavaScript off, the 大字版 link makes the text
// larger on every page until 标准版 is chosen, and the pages still fit a
// 320 px phone; then, in a tab with JavaScript (axe needs it), the pages
// pass axe in both sizes.
func journeyLargeText(t *testing.T, b *browser) {
	src, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatalf("vendored axe-core: %v", err)
	}
	base := startServer(t, "--demo")
	j := b.journey(t, base, "citizen4-large", tabOpts{noJS: true, timeout: 2 * journeyTimeout})
	fontSize := func(j *journey) float64 {
		t.Helper()
		s, err := chromedp.Run(j.ctx, chromedp.Evaluate[float64](`parseFloat(getComputedStyle(document.body).fontSize)`))
		if err != nil {
			j.fail("read the font size", err)
		}
		return s
	}
	j.open("/guide")
	standard := fontSize(j)
	if resp := j.follow("click 大字版", byID("text-size")); resp.Status != http.StatusOK || j.location() != "/guide" {
		t.Fatalf("大字版: status %d at %s, want the guide again", resp.Status, j.location())
	}
	if large := fontSize(j); large < standard*1.2 {
		t.Errorf("大字版 text is %.0fpx, standard %.0fpx: want at least a fifth larger", large, standard)
	}
	j.wantText(byID("text-size"), "标准版")
	j.shot("guide-large-desktop")
	for _, path := range []string{"/", "/report", "/followup", "/contact"} {
		j.open(path)
		if !j.eval("large class", `document.documentElement.classList.contains("large-text")`) {
			t.Errorf("%s: 大字版 did not stay", path)
		}
	}
	j.viewport(320, 640, true)
	for _, p := range []struct{ name, path string }{{"home", "/"}, {"followup", "/followup"}, {"guide", "/guide"}, {"report", "/report"}} {
		j.open(p.path)
		j.fitsWidth(p.name + " in 大字版 at 320")
		if got := j.footerOrphans(); got != "" {
			t.Errorf("%s in 大字版 at 320: a footer line ends with one character alone: %s", p.name, got)
		}
		j.shot(p.name + "-large-320")
	}
	j.open("/followup")
	if resp := j.follow("click 标准版", byID("text-size")); resp.Status != http.StatusOK {
		t.Fatalf("标准版: status %d", resp.Status)
	}
	if got := fontSize(j); got != standard {
		t.Errorf("after 标准版 the text is %.0fpx, want %.0fpx", got, standard)
	}

	a := b.journey(t, base, "citizen4-large-axe", tabOpts{timeout: 3 * journeyTimeout})
	a.open("/guide")
	a.axe("guide-standard", src)
	a.follow("click 大字版", byID("text-size"))
	for _, p := range []struct{ name, path string }{{"guide", "/guide"}, {"home", "/"}, {"report", "/report"}, {"followup", "/followup"}, {"contact", "/contact"}} {
		a.open(p.path)
		a.axe(p.name+"-large", src)
	}
}

// journeyContactAndFooter: the 联系我们 page in demo mode lists the example
// offices marked 示例; the footer carries the configured sponsor and codes
// with no character alone on a line at any width; error pages link to
// 联系我们; /favicon.ico and /robots.txt answer.
func journeyContactAndFooter(t *testing.T, b *browser) {
	src, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatalf("vendored axe-core: %v", err)
	}
	base := startServer(t, "--demo", "--site-sponsor", "吉林省人力资源和社会保障厅", "--site-phone", "0431-88888888",
		"--site-code", "2200000001", "--site-icp", "吉ICP备00000000号")
	j := b.journey(t, base, "citizen5-contact", tabOpts{timeout: 3 * journeyTimeout})
	j.open("/")
	j.follow("click 联系我们", chromedp.CSS(`.toolbar a[href="/contact"]`))
	j.wantText(byID("contact-title"), "联系我们")
	j.wantText(chromedp.CSS("main"), "吉林省人力资源和社会保障厅", "社会保险基金监督处", "示例", "12333", "12393")
	j.axe("contact", src)
	for _, v := range citizenViewports {
		j.viewport(v.width, v.height, v.phone)
		for _, path := range []string{"/contact", "/guide", "/"} {
			j.open(path)
			j.fitsWidth(path + " at " + v.name)
			if got := j.footerOrphans(); got != "" {
				t.Errorf("%s at %s: a footer line ends with one character alone: %s", path, v.name, got)
			}
		}
		j.open("/contact")
		j.shot("contact-" + v.name)
	}
	j.wantText(chromedp.CSS(".site-footer"), "主办单位：吉林省人力资源和社会保障厅", "网站标识码：2200000001", "吉ICP备00000000号", "0431-88888888")
	// 信息公开 leads somewhere real: the disclosure, from the header and
	// the footer.
	if !j.eval("信息公开 links", `document.querySelector('.site-nav a[href="/disclosure"]') !== null && document.querySelector('.site-footer a[href="/disclosure"]') !== null`) {
		t.Error("the header or the footer lacks the link to 信息公开 (/disclosure)")
	}

	// The guide: the usual headings.
	j.open("/guide")
	j.wantText(chromedp.CSS("main"), "受理机构", "所需材料", "办理时限", "不予受理情形", "人力资源社会保障部令第49号", "人社部发〔2022〕45号")
	j.shot("guide-320")

	// An error page points to 联系我们.
	resp, err := chromedp.Run(j.ctx, chromedp.NavigateResponse(base+"/no-such-page"))
	if err != nil || resp.Status != http.StatusNotFound {
		t.Fatalf("/no-such-page: %v %v", resp, err)
	}
	if !j.eval("contact link", `!!document.querySelector('main a[href="/contact"]')`) {
		t.Error("the error page does not link to 联系我们")
	}

	client := &http.Client{Timeout: 5 * time.Second}
	for path, want := range map[string]string{"/favicon.ico": "image/x-icon", "/robots.txt": "text/plain"} {
		r, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), want) {
			t.Errorf("GET %s: status %d, type %q", path, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
}
