package main

// Browser journeys: the real server (run with a real SQLite store in a temp
// dir) on a random 127.0.0.1 port, driven by Debian's chromium through
// chromedp like a person would: click, type, submit, read what the page says.
// See /work/shared/TESTING.md, "In a real browser".
//
// One journey also runs axe-core (vendored in testdata/axe) on each kind of
// page and fails on any WCAG 2.1 A or AA violation.
//
// Screenshots go to $FUNDWATCH_SCREENSHOTS when set, else to the test's temp
// dir; their paths are logged. Without a browser the tests skip, except in CI
// (env CI set), where a missing browser is a failure.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// readyWait bounds how long a server may take to answer /readyz.
const readyWait = 90 * time.Second

// journeyTimeout bounds each journey, and the start of the browser.
const journeyTimeout = 60 * time.Second

// A person who files a named report in these journeys.
const (
	reporterName  = "李建国"
	reporterID    = "11010519491231002X"
	reporterPhone = "13912345678"
	subjectName   = "长春某某商贸有限公司"
	subjectCode   = "91220102MA12345676" // valid GB 32100 check character
	goodDesc      = "该公司自2025年3月起按最低缴费基数为全部32名职工申报养老保险和失业保险，实际工资普遍在每月6000元以上。工资条和社保缴费明细可以对照。"
	followupMsg   = "补充：2025年6月又有5名新入职职工没有参保，工资表在财务室。"
)

// browserPath finds a Chromium-family browser, or "" when there is none.
func browserPath() string {
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startServer runs the real fundwatch server in this process on a free
// 127.0.0.1 port with a fresh data dir, waits until /readyz answers 200 and
// stops it when the test ends. It returns the base URL.
func startServer(t *testing.T, extra ...string) string {
	t.Helper()
	return newInstallation(t).start(extra...)
}

// installation is one data dir and store, on which commands (fundwatch user
// add, …) can run before and while the server serves it.
type installation struct {
	t    *testing.T
	args []string // --data and the store flags
}

func newInstallation(t *testing.T) *installation {
	t.Helper()
	return &installation{t: t, args: append([]string{"--data", t.TempDir()}, testStoreArgs(t)...)}
}

// command runs `fundwatch cmd args…` on the installation and returns its exit
// code and output.
func (in *installation) command(stdin string, cmd string, args ...string) (int, string) {
	in.t.Helper()
	full := append([]string{}, args...)
	full = append(full, in.args...)
	var out, errb strings.Builder
	var code int
	switch cmd {
	case "user":
		code = userCommand(context.Background(), full, strings.NewReader(stdin), &out, &errb)
	case "audit":
		code = auditCommand(context.Background(), full, &out, &errb)
	case "import":
		code = importCommand(context.Background(), full, &out, &errb)
	case "reindex":
		code = reindexCommand(context.Background(), full, &out, &errb)
	case "purge":
		code = purgeCommand(context.Background(), full, &out, &errb)
	default:
		in.t.Fatalf("unknown command %q", cmd)
	}
	return code, out.String() + errb.String()
}

// start runs the server on the installation and returns its base URL.
func (in *installation) start(extra ...string) string {
	t := in.t
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()

	args := append([]string{"serve", "--addr", addr}, in.args...)
	args = append(args, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, args) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("run returned %d after shutdown, want 0", code)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("server did not stop within 20s of cancel")
		}
	})

	base := "http://" + addr
	client := &http.Client{Timeout: time.Second}
	// Generous: under -race on two busy cores a start that loads the demo
	// (argon2id hashes of the demo accounts included) takes seconds.
	deadline := time.Now().Add(readyWait)
	for {
		select {
		case code := <-done:
			done <- code // let the cleanup see it too
			t.Fatalf("server exited with %d before it was ready", code)
		default:
		}
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				client.CloseIdleConnections()
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server at %s not ready after %s (last error %v)", base, readyWait, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// browser is one headless chromium, with a fresh profile, shared by the
// journeys of TestJourneys; each journey has its own browser context (own
// cookies, like a private window) and tab.
type browser struct {
	ctx   context.Context // the browser's first tab; the browser lives with it
	shots string          // where screenshots go
}

// startBrowser starts chromium for the test, or skips (fails in CI) when
// there is none.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	path := browserPath()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not installed: .ci/run must install it")
		}
		t.Skip("no chromium, chromium-browser or google-chrome found; install Debian's chromium (apt-get install -y chromium fonts-noto-cjk) to run the browser journeys")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// Without these it tries to reach the internet and stalls.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Chrome is trying out keeping no-store pages in the back/forward
		// cache; off, it judges them as Lighthouse and other browsers do.
		chromedp.Flag("disable-features", "CacheControlNoStoreEnterBackForwardCache"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1800),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
		defer ccancel()
		_ = chromedp.Cancel(cctx)
		cancel()
		cancelAlloc()
	})
	// The browser lives as long as the context of its first run, so that
	// one has no deadline; a timer bounds the start instead.
	t0 := time.Now()
	watchdog := time.AfterFunc(journeyTimeout, cancelAlloc)
	err := chromedp.Do(ctx)
	if !watchdog.Stop() {
		t.Fatalf("%s did not start within %s", path, journeyTimeout)
	}
	if err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	t.Logf("started %s in %s", path, time.Since(t0).Round(time.Millisecond))

	shots := os.Getenv("FUNDWATCH_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatalf("screenshot dir: %v", err)
	}
	return &browser{ctx: ctx, shots: shots}
}

// journey is one tab on one server, with helpers that fail the test with the
// step that went wrong.
type journey struct {
	t       *testing.T
	ctx     context.Context // the tab, bounded by timeout
	timeout time.Duration
	base    string
	name    string // screenshot file prefix
	shots   string
}

type tabOpts struct {
	noJS    bool          // JavaScript off, as on an old phone
	phone   bool          // a 390x844 phone: mobile viewport, touch, DPR 2
	width   int           // the phone's width when not 390 (320: a small phone)
	timeout time.Duration // for the whole journey; journeyTimeout when 0
}

// journey opens a new private tab for a journey against base.
func (b *browser) journey(t *testing.T, base, name string, o tabOpts) *journey {
	t.Helper()
	tabCtx, cancelTab := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	if o.timeout == 0 {
		o.timeout = journeyTimeout
	}
	ctx, cancel := context.WithTimeout(tabCtx, o.timeout)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	if o.noJS {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
	}
	if o.phone {
		w := int64(390)
		if o.width > 0 {
			w = int64(o.width)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 844,
			chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
			t.Fatalf("emulate a phone: %v", err)
		}
	}
	return &journey{t: t, ctx: ctx, timeout: o.timeout, base: base, name: name, shots: b.shots}
}

// byID selects an element by id; the form's ids contain dots
// ("reporter.idNumber"), which a "#id" selector would read as a class.
func byID(id string) chromedp.CSS { return chromedp.CSS(`[id="` + id + `"]`) }

func (j *journey) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	j.t.Helper()
	if err := chromedp.Do(j.ctx, actions...); err != nil {
		j.fail(step, err)
	}
}

func (j *journey) fail(step string, err error) {
	j.t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		j.t.Fatalf("%s: journey timed out after %s (an element never appeared?): %v", step, j.timeout, err)
	}
	j.t.Fatalf("%s: %v", step, err)
}

// open navigates to a path of the portal.
func (j *journey) open(path string) {
	j.t.Helper()
	resp, err := chromedp.Run(j.ctx, chromedp.NavigateResponse(j.base+path))
	if err != nil {
		j.fail("open "+path, err)
	}
	if resp.Status != http.StatusOK {
		j.t.Fatalf("open %s: status %d, want 200", path, resp.Status)
	}
}

// follow clicks something that loads a new page (a link or a submit
// button), waits for it and returns the response of the new document.
func (j *journey) follow(step string, sel chromedp.CSS) *network.Response {
	j.t.Helper()
	resp, err := chromedp.RunResponse(j.ctx, chromedp.Click(sel))
	if err != nil {
		j.fail(step, err)
	}
	return resp
}

func (j *journey) text(sel chromedp.CSS) string {
	j.t.Helper()
	s, err := chromedp.Run(j.ctx, chromedp.Text(sel))
	if err != nil {
		j.fail("read "+string(sel), err)
	}
	return strings.TrimSpace(s)
}

func (j *journey) value(sel chromedp.CSS) string {
	j.t.Helper()
	s, err := chromedp.Run(j.ctx, chromedp.Value(sel))
	if err != nil {
		j.fail("read value of "+string(sel), err)
	}
	return s
}

func (j *journey) eval(step, js string) bool {
	j.t.Helper()
	v, err := chromedp.Run(j.ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		j.fail(step, err)
	}
	return v
}

// location is the path (and query) of the current page.
func (j *journey) location() string {
	j.t.Helper()
	u, err := chromedp.Run(j.ctx, chromedp.Location())
	if err != nil {
		j.fail("read location", err)
	}
	return strings.TrimPrefix(u, j.base)
}

// pageText is what a reader sees on the page.
func (j *journey) pageText() string {
	j.t.Helper()
	return j.text(chromedp.CSS("body"))
}

// wantText fails unless the element's text contains every want.
func (j *journey) wantText(sel chromedp.CSS, wants ...string) {
	j.t.Helper()
	got := j.text(sel)
	for _, w := range wants {
		if !strings.Contains(got, w) {
			j.t.Errorf("%s: text %q does not contain %q", sel, shorten(got, 400), w)
		}
	}
}

// visible tells whether the element that a CSS selector finds takes up room
// on the page (not hidden, not display:none).
func (j *journey) visible(sel string) bool {
	j.t.Helper()
	return j.eval("visibility of "+sel,
		`(function(){var e=document.querySelector(`+jsString(sel)+`);return !!e && e.getClientRects().length>0;})()`)
}

// shot saves a full-page screenshot and logs its path.
func (j *journey) shot(step string) {
	j.t.Helper()
	buf, err := chromedp.Run(j.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		j.fail("screenshot "+step, err)
	}
	p := filepath.Join(j.shots, j.name+"-"+step+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		j.t.Fatalf("write screenshot: %v", err)
	}
	j.t.Logf("screenshot %s", p)
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// report is what a person types into the complaint form.
type report struct {
	idNumber    string
	description string
}

// fillReport fills the report form as a named citizen, field by field, the
// way a person does: clicks on radios and boxes, choices in the lists, typing
// in the text fields.
func (j *journey) fillReport(r report) {
	j.t.Helper()
	j.do("fill the report form",
		chromedp.Click(chromedp.CSS(`input[name="kind"][value="report"]`)),
		chromedp.SetValue(byID("category"), "unpaid_contributions"),
		chromedp.Click(chromedp.CSS(`input[name="insuranceTypes"][value="pension"]`)),
		chromedp.Click(chromedp.CSS(`input[name="insuranceTypes"][value="unemployment"]`)),
		chromedp.SetValue(byID("regionCode"), "220102"),
		chromedp.SendKeys(byID("amountYuan"), "86500.50"),
		chromedp.SendKeys(byID("subject.name"), subjectName),
		chromedp.SendKeys(byID("subject.creditCode"), subjectCode),
		chromedp.SendKeys(byID("subject.address"), "长春市南关区人民大街1号"),
		chromedp.SendKeys(byID("description"), r.description),
		chromedp.Click(chromedp.CSS(`input[name="reporterType"][value="citizen"]`)),
		chromedp.Click(chromedp.CSS(`input[name="anonymous"][value="false"]`)),
		chromedp.SendKeys(byID("reporter.name"), reporterName),
		chromedp.SendKeys(byID("reporter.idNumber"), r.idNumber),
		chromedp.SendKeys(byID("reporter.phone"), reporterPhone),
		chromedp.Click(byID("acknowledgeNotice")),
	)
	j.typeDate("occurredFrom", "2025-03-15")
	j.typeDate("occurredTo", "2025-10-31")
}

// typeDate types a date into an <input type=date> with the keyboard. The
// order of the parts depends on the browser's locale, so it tries the orders
// people type (month first as in en-US, year first as in zh-CN, day first)
// and keeps the one that gives the date.
func (j *journey) typeDate(id, iso string) {
	j.t.Helper()
	y, m, d := iso[0:4], iso[5:7], iso[8:10]
	var seen []string
	for _, keys := range []string{m + d + y, y + kb.ArrowRight + m + d, d + m + y} {
		j.do("type the date", chromedp.Blur(byID(id)), chromedp.Focus(byID(id)), chromedp.SendKeys(byID(id), keys))
		got := j.value(byID(id))
		if got == iso {
			return
		}
		seen = append(seen, got)
		j.do("clear the date", chromedp.Clear(byID(id)))
	}
	j.t.Fatalf("typing %s into #%s gave %q, not that date", iso, id, seen)
}

// readReceipt checks the receipt page and returns the number and code.
func (j *journey) readReceipt() (number, code string) {
	j.t.Helper()
	j.wantText(chromedp.CSS("h1"), "提交成功")
	number = j.text(byID("receipt-number"))
	code = j.text(byID("receipt-code"))
	if !regexp.MustCompile(`^\d{4}-\d+$`).MatchString(number) {
		j.t.Errorf("receipt number %q, want like 2026-000123", number)
	}
	if len(strings.ReplaceAll(code, "-", "")) < 16 {
		j.t.Errorf("receipt code %q looks too short", code)
	}
	j.wantText(chromedp.CSS(".alert.warn"), "请立即抄写、拍照或打印保存", "遗失后无法找回")
	j.wantText(chromedp.CSS("table.facts"), "举报", "南关区", subjectName, "实名（身份信息已加密保存）")
	j.noIdentity("receipt")
	return number, code
}

// noIdentity fails when the page shows anything of the reporter's identity.
func (j *journey) noIdentity(page string) {
	j.t.Helper()
	body := j.pageText()
	for _, secret := range []string{reporterName, reporterID, reporterPhone} {
		if strings.Contains(body, secret) {
			j.t.Errorf("%s page shows the reporter's %q", page, secret)
		}
	}
}

// followUp logs in with number and code, checks the case page, adds a
// message and checks it is listed.
func (j *journey) followUp(number, code string) {
	j.t.Helper()
	if resp := j.follow("go to 进度查询", chromedp.CSS(`.site-nav a[href="/followup"]`)); resp.Status != http.StatusOK {
		j.t.Fatalf("followup page: status %d", resp.Status)
	}
	j.do("type number and code",
		chromedp.SendKeys(byID("number"), number),
		chromedp.SendKeys(byID("code"), code),
	)
	resp := j.follow("submit number and code", chromedp.CSS(`form[action="/followup"] button[type="submit"]`))
	if resp.Status != http.StatusOK || j.location() != "/followup/case" {
		j.t.Fatalf("after login: status %d at %s, want 200 at /followup/case; page: %s", resp.Status, j.location(), shorten(j.pageText(), 300))
	}
	j.wantText(byID("case-title"), "办理进度", number)
	j.wantText(chromedp.CSS(".status-line"), "已收到")
	j.wantText(chromedp.CSS(".timeline"), "已收到", "平台已收到")
	j.wantText(chromedp.CSS("table.facts"), subjectName, "南关区")
	j.noIdentity("case")

	j.do("type a message", chromedp.SendKeys(byID("body"), followupMsg))
	resp = j.follow("submit the message", chromedp.CSS(`#add-message button[type="submit"]`))
	if resp.Status != http.StatusOK {
		j.t.Fatalf("after adding a message: status %d", resp.Status)
	}
	j.wantText(chromedp.CSS(".alert.ok"), "补充信息已提交")
	j.wantText(chromedp.CSS(".messages"), "我补充的信息", followupMsg)
	j.wantText(byID("msg-title"), "往来信息")
	if v := j.value(byID("body")); v != "" {
		j.t.Errorf("message box still holds %q after sending", v)
	}
}

// TestJourneys walks the public site in a real browser, as the people who
// use it do. All journeys share one chromium; each has its own server, data
// dir and private browser context, so they run in parallel.
func TestJourneys(t *testing.T) {
	b := startBrowser(t)
	for _, tc := range []struct {
		name    string
		journey func(*testing.T, *browser)
	}{
		{"report and follow up with JavaScript", journeyWithJavaScript},
		{"report and follow up without JavaScript", journeyWithoutJavaScript},
		{"validation errors keep the input", journeyValidation},
		{"demo case shows the handling", journeyDemo},
		{"phone pages fit the screen", journeyPhone},
		{"pages pass axe WCAG 2.1 AA", journeyAxe},
		{"public pages stay in the back/forward cache", journeyBackForwardCache},
		{"complaint with a passport, named, with JavaScript", journeyComplaint},
		{"complaint without JavaScript cannot be anonymous", journeyComplaintWithoutJavaScript},
		{"an expired form keeps what was typed", journeyExpiredForm},
		{"the credit-code box sits next to its field", journeyCreditCodeConfirm},
		{"a 320 px phone types the number without its hyphen", journeySmallPhone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // own server, own tab and cookies: independent
			tc.journey(t, b)
		})
	}
}

// journeyWithJavaScript: a citizen files a named report with JavaScript on,
// keeps the receipt, and follows up with a message.
func journeyWithJavaScript(t *testing.T, b *browser) {
	start := time.Now()
	j := b.journey(t, startServer(t), "journey1-js", tabOpts{})

	j.open("/")
	j.wantText(chromedp.CSS(".hero h1"), "养命钱")
	if resp := j.follow("click 我要举报投诉", chromedp.CSS(`.hero a[href="/report"]`)); resp.Status != http.StatusOK {
		t.Fatalf("report form: status %d", resp.Status)
	}
	j.wantText(byID("rf-title"), "我要举报投诉")

	// With JavaScript only the identity section that applies is shown.
	if !j.eval("js class", `document.documentElement.classList.contains("js")`) {
		t.Fatal("site.js did not run: <html> has no js class")
	}
	if !j.visible("#citizen-section") || j.visible("#org-section") {
		t.Errorf("citizen chosen: citizen section visible=%v (want true), organisation section visible=%v (want false)",
			j.visible("#citizen-section"), j.visible("#org-section"))
	}
	j.do("choose 用人单位", chromedp.Click(chromedp.CSS(`input[name="reporterType"][value="employer"]`)))
	if j.visible("#citizen-section") || !j.visible("#org-section") {
		t.Errorf("employer chosen: citizen section visible=%v (want false), organisation section visible=%v (want true)",
			j.visible("#citizen-section"), j.visible("#org-section"))
	}
	j.do("choose 匿名", chromedp.Click(chromedp.CSS(`input[name="anonymous"][value="true"]`)))
	if j.visible("#citizen-section") || j.visible("#org-section") {
		t.Errorf("anonymous: an identity section is still shown")
	}

	j.fillReport(report{idNumber: reporterID, description: goodDesc})
	if !j.visible("#citizen-section") || j.visible("#org-section") {
		t.Errorf("named citizen again: citizen section visible=%v, organisation section visible=%v", j.visible("#citizen-section"), j.visible("#org-section"))
	}
	j.wantText(byID("description-count"), "已输入")
	resp := j.follow("submit the report", chromedp.CSS(`#report-form button[type="submit"]`))
	if resp.Status != http.StatusOK {
		t.Fatalf("submit: status %d, want 200; page: %s", resp.Status, shorten(j.pageText(), 600))
	}
	number, code := j.readReceipt()
	if !j.visible("[data-print]") {
		t.Errorf("with JavaScript the 打印回执 button should be shown")
	}
	t.Logf("receipt %s / %s", number, code)
	j.shot("receipt")

	j.followUp(number, code)
	j.shot("case")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeyBackForwardCache: the home page and the guide, which hold nothing
// private, set no cookie and are not no-store, are kept in the browser's
// back/forward cache: going back shows the very page left, its scripts'
// state included, without asking the server (issue 7: every page was
// no-store, which kept every page out of it).
func journeyBackForwardCache(t *testing.T, b *browser) {
	j := b.journey(t, startServer(t), "journey-bfcache", tabOpts{})
	// The browser says how each back navigation went: a frame navigated of
	// type BackForwardCacheRestore, or the reasons it did not use the cache.
	outcome := make(chan string, 16)
	if err := chromedp.Listen(j.ctx, func(ev any) {
		var o string
		switch e := ev.(type) {
		case *page.EventFrameNavigated:
			if e.Type != page.NavigationTypeBackForwardCacheRestore {
				return
			}
			o = "restored"
		case *page.EventBackForwardCacheNotUsed:
			var reasons []string
			for _, r := range e.NotRestoredExplanations {
				reasons = append(reasons, string(r.Reason))
			}
			o = "not used: " + strings.Join(reasons, ", ")
		default:
			return
		}
		select {
		case outcome <- o:
		default:
		}
	}); err != nil {
		t.Fatalf("listen to the tab: %v", err)
	}
	back := func(from string) string {
		t.Helper()
		for len(outcome) > 0 {
			<-outcome
		}
		// history.back() in a timer, so the evaluation has answered before
		// the page goes: called directly, the navigation can win the race
		// and the evaluation fails with "Inspected target navigated".
		j.eval("go back from "+from, `(setTimeout(() => history.back(), 0), true)`)
		select {
		case o := <-outcome:
			return o
		case <-j.ctx.Done():
			j.fail("go back from "+from, j.ctx.Err())
		}
		return ""
	}
	for _, tc := range []struct{ page, next string }{
		{"/", "/guide"},
		{"/guide", "/"},
	} {
		j.open(tc.page)
		j.follow("go to "+tc.next, chromedp.CSS(`.site-nav a[href="`+tc.next+`"]`))
		if o := back(tc.next); o != "restored" {
			t.Errorf("going back to %s: %s; want it restored from the back/forward cache", tc.page, o)
		}
	}
	// The report form, with its token, stays no-store and out of it.
	j.open("/report")
	j.follow("go to /guide", chromedp.CSS(`.site-nav a[href="/guide"]`))
	if o := back("/guide"); !strings.Contains(o, "NoStore") {
		t.Errorf("going back to /report: %s; want it not restored, being no-store", o)
	}
}

// journeyWithoutJavaScript: the same on an old phone
// with JavaScript off: plain HTML forms, every identity section shown.
func journeyWithoutJavaScript(t *testing.T, b *browser) {
	start := time.Now()
	j := b.journey(t, startServer(t), "journey2-nojs", tabOpts{noJS: true})

	j.open("/")
	j.follow("click 我要举报投诉", chromedp.CSS(`.site-nav a[href="/report"]`))
	j.wantText(byID("rf-title"), "我要举报投诉")
	if j.eval("js class", `document.documentElement.classList.contains("js")`) {
		t.Fatal("JavaScript ran although it is disabled")
	}
	for _, sel := range []string{"#citizen-section", "#org-section"} {
		if !j.visible(sel) {
			t.Errorf("without JavaScript %s must be visible", sel)
		}
	}
	j.wantText(chromedp.CSS("#citizen-section .nojs-only"), "选择“公民个人”且“实名”时填写本栏")
	j.wantText(chromedp.CSS("#org-section .nojs-only"), "选择“用人单位”或“其他社会组织”且“实名”时填写本栏")

	j.fillReport(report{idNumber: reporterID, description: goodDesc})
	resp := j.follow("submit the report", chromedp.CSS(`#report-form button[type="submit"]`))
	if resp.Status != http.StatusOK {
		t.Fatalf("submit: status %d, want 200; page: %s", resp.Status, shorten(j.pageText(), 600))
	}
	number, code := j.readReceipt()
	if j.visible("[data-print]") {
		t.Errorf("without JavaScript the 打印回执 button must stay hidden")
	}
	j.shot("receipt")

	j.followUp(number, code)
	j.shot("case")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeyValidation: a bad ID number and a too-short
// description come back as Chinese messages at the fields, with everything
// else as typed; fixed, the report goes through.
func journeyValidation(t *testing.T, b *browser) {
	start := time.Now()
	j := b.journey(t, startServer(t), "journey3-validation", tabOpts{})

	j.open("/report")
	j.fillReport(report{idNumber: "110105194912310021", description: "工资少报了。"})
	resp := j.follow("submit with mistakes", chromedp.CSS(`#report-form button[type="submit"]`))
	if resp.Status != http.StatusUnprocessableEntity {
		t.Fatalf("submit with mistakes: status %d, want 422", resp.Status)
	}
	j.wantText(byID("error-summary"), "提交的内容有需要修改的地方")
	j.wantText(byID("e-reporter.idNumber"), "居民身份证号码应为18位，请核对出生日期和最后一位校验码")
	j.wantText(byID("e-description"), "问题描述")
	for _, id := range []string{"f-reporter.idNumber", "f-description"} {
		if !j.eval("error class", `document.getElementById(`+jsString(id)+`).classList.contains("has-error")`) {
			t.Errorf("#%s is not marked has-error", id)
		}
	}
	// Fields without a mistake carry no message.
	for _, id := range []string{"e-subject.name", "e-reporter.phone", "e-regionCode", "e-amountYuan"} {
		if j.eval("no error", `!!document.getElementById(`+jsString(id)+`)`) {
			t.Errorf("unexpected error message #%s: %s", id, j.text(byID(id)))
		}
	}
	j.shot("errors")

	// Everything typed is still there.
	for sel, want := range map[chromedp.CSS]string{
		byID("category"):           "unpaid_contributions",
		byID("regionCode"):         "220102",
		byID("amountYuan"):         "86500.50",
		byID("occurredFrom"):       "2025-03-15",
		byID("occurredTo"):         "2025-10-31",
		byID("subject.name"):       subjectName,
		byID("subject.creditCode"): subjectCode,
		byID("subject.address"):    "长春市南关区人民大街1号",
		byID("description"):        "工资少报了。",
		byID("reporter.name"):      reporterName,
		byID("reporter.idNumber"):  "110105194912310021",
		byID("reporter.phone"):     reporterPhone,
	} {
		if got := j.value(sel); got != want {
			t.Errorf("%s after the error: %q, want %q as typed", sel, got, want)
		}
	}
	for _, sel := range []string{
		`input[name="kind"][value="report"]`,
		`input[name="insuranceTypes"][value="pension"]`,
		`input[name="insuranceTypes"][value="unemployment"]`,
		`input[name="reporterType"][value="citizen"]`,
		`input[name="anonymous"][value="false"]`,
		`input[name="acknowledgeNotice"]`,
	} {
		if !j.eval("checked", `document.querySelector(`+jsString(sel)+`).checked`) {
			t.Errorf("%s is no longer checked", sel)
		}
	}
	if j.eval("other boxes", `document.querySelectorAll('input[name="insuranceTypes"]:checked').length !== 2`) {
		t.Errorf("want exactly the two ticked insurance types")
	}

	// Fix the two fields and send again.
	j.do("fix the mistakes",
		chromedp.Clear(byID("reporter.idNumber")),
		chromedp.SendKeys(byID("reporter.idNumber"), reporterID),
		chromedp.Clear(byID("description")),
		chromedp.SendKeys(byID("description"), goodDesc),
	)
	resp = j.follow("submit the fixed form", chromedp.CSS(`#report-form button[type="submit"]`))
	if resp.Status != http.StatusOK {
		t.Fatalf("submit fixed form: status %d, want 200; page: %s", resp.Status, shorten(j.pageText(), 600))
	}
	number, _ := j.readReceipt()
	t.Logf("receipt %s", number)
	j.shot("receipt")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeyDemo: in demo mode the follow-up page lists sample receipts; the
// first one shows a case handled to the end, with a handler's reply, and
// every page carries the 示例 banner.
func journeyDemo(t *testing.T, b *browser) {
	start := time.Now()
	j := b.journey(t, startServer(t, "--demo"), "journey4-demo", tabOpts{})

	banner := func(page string) {
		t.Helper()
		if !j.eval("banner", `!!document.querySelector(".demo-banner")`) {
			t.Errorf("%s: no 示例 banner", page)
			return
		}
		j.wantText(chromedp.CSS(".demo-banner"), "示例", "演示环境")
	}
	for _, path := range []string{"/", "/report", "/guide"} {
		j.open(path)
		banner(path)
	}
	j.follow("go to 进度查询", chromedp.CSS(`.site-nav a[href="/followup"]`))
	banner("followup")
	first := chromedp.CSS(".demo-cases li:first-child")
	j.wantText(first, "编号", "查询码")
	number := j.text(first + " code:first-of-type")
	code := j.text(first + " code:last-of-type")
	t.Logf("demo receipt %s / %s", number, code)

	j.do("type the demo receipt", chromedp.SendKeys(byID("number"), number), chromedp.SendKeys(byID("code"), code))
	resp := j.follow("submit number and code", chromedp.CSS(`form[action="/followup"] button[type="submit"]`))
	if resp.Status != http.StatusOK || j.location() != "/followup/case" {
		t.Fatalf("demo login: status %d at %s; page: %s", resp.Status, j.location(), shorten(j.pageText(), 300))
	}
	banner("case")
	j.wantText(byID("case-title"), number, "示例")
	j.wantText(chromedp.CSS(".status-line"), "调查完毕")
	j.wantText(chromedp.CSS(".timeline"), "已收到", "已受理", "调查中", "调查完毕")
	j.wantText(chromedp.CSS(".messages"), "承办人员回复", "感谢您的补充", "我补充的信息")
	// 调查完毕 is not 已结案归档: the reporter can still add information.
	j.wantText(byID("add-message"), "补充信息")
	j.shot("case")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeyPhone: on a 390x844 phone the pages fit the screen width, from the
// home page to the case page.
func journeyPhone(t *testing.T, b *browser) {
	start := time.Now()
	j := b.journey(t, startServer(t), "journey5-phone", tabOpts{phone: true})

	fits := func(page string) {
		t.Helper()
		if !j.eval("scroll width", `document.documentElement.scrollWidth <= window.innerWidth`) {
			w, _ := chromedp.Run(j.ctx, chromedp.Evaluate[string](
				`document.documentElement.scrollWidth + " > " + window.innerWidth + "; widest: " + Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).slice(0, 5).map(e => e.tagName + "." + e.className + "#" + e.id).join(", ")`))
			t.Errorf("%s page scrolls sideways on a phone: %s", page, w)
		}
	}
	j.open("/")
	if w := j.eval("viewport", `window.innerWidth === 390`); !w {
		t.Errorf("viewport is not 390 wide")
	}
	fits("home")
	j.shot("home")

	j.follow("click 我要举报投诉", chromedp.CSS(`.hero a[href="/report"]`))
	fits("report")
	j.shot("report")

	j.fillReport(report{idNumber: reporterID, description: goodDesc})
	resp := j.follow("submit the report", chromedp.CSS(`#report-form button[type="submit"]`))
	if resp.Status != http.StatusOK {
		t.Fatalf("submit: status %d; page: %s", resp.Status, shorten(j.pageText(), 600))
	}
	number, code := j.readReceipt()
	fits("receipt")
	j.shot("receipt")

	j.followUp(number, code)
	fits("case")
	j.shot("case")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// axeTags are the axe-core rule tags of WCAG 2.1 levels A and AA, the level
// the public pages claim.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// axeOptions are the options of the main axe run on a page: the rules of
// axeTags, and also the two duplicate-id rules of WCAG 2.1's 4.1.1 Parsing,
// which axe 4 tags "wcag2a-obsolete" and leaves off (WCAG 2.2 dropped 4.1.1),
// but which WCAG 2.1 still has; they catch an id used twice that no ARIA
// attribute refers to (duplicate-id-aria, in wcag2a, covers the others), such
// as the field ids that the error summary links to.
func axeOptions() map[string]any {
	return map[string]any{
		"runOnly":     map[string]any{"type": "tag", "values": axeTags},
		"rules":       map[string]any{"duplicate-id": map[string]bool{"enabled": true}, "duplicate-id-active": map[string]bool{"enabled": true}},
		"resultTypes": []string{"violations", "incomplete"},
	}
}

// axeResult is one axe rule that failed or needs review, with its elements.
type axeResult struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target         []any  `json:"target"` // CSS selectors (arrays of them inside iframes)
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeResults is what the journey reads back from axe.run.
type axeResults struct {
	Violations []axeResult `json:"violations"`
	Incomplete []axeResult `json:"incomplete"` // "needs review"
}

func (v axeResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s, %d element(s) <%s>", v.ID, v.Impact, v.Help, len(v.Nodes), v.HelpURL)
	for i, n := range v.Nodes {
		if i == 5 {
			fmt.Fprintf(&b, "\n    … and %d more", len(v.Nodes)-i)
			break
		}
		target, _ := json.Marshal(n.Target)
		fmt.Fprintf(&b, "\n    %s: %s", target, strings.Join(strings.Fields(n.FailureSummary), " "))
	}
	return b.String()
}

// runAxe runs axe-core (injected already) on context (a JS expression:
// document, or an axe context object) with options, and returns the results.
// With skipHeaderContrast it leaves out the contrast checks that axe could
// not decide in the site header (see axe).
func (j *journey) runAxe(page, context string, options map[string]any, skipHeaderContrast bool) axeResults {
	j.t.Helper()
	options["elementRef"] = true // for the header filter; not sent back
	opts, err := json.Marshal(options)
	if err != nil {
		j.t.Fatalf("axe options: %v", err)
	}
	res, err := chromedp.Run(j.ctx, chromedp.Evaluate[axeResults](
		`axe.run(`+context+`, `+string(opts)+`).then(r => {
			const header = document.querySelector(".site-header");
			const skip = (rule, node) => `+fmt.Sprint(skipHeaderContrast)+` && rule === "color-contrast" && !!header && header.contains(node.element);
			const plain = v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
				nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary}))});
			return {
				violations: r.violations.map(plain),
				incomplete: r.incomplete.map(v => ({...v, nodes: v.nodes.filter(n => !skip(v.id, n))}))
					.filter(v => v.nodes.length > 0).map(plain),
			};
		})`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		j.fail("run axe on "+page, err)
	}
	return res
}

// axe injects the vendored axe-core (testdata/axe) into the current page and
// fails the test with each WCAG 2.1 A/AA violation that it finds there.
//
// The script goes in through the DevTools protocol (Runtime.evaluate), to
// which the page's Content-Security-Policy (script-src 'self': no inline
// script) does not apply; the portal does not serve axe, and an inline
// <script> that the page added would be blocked.
func (j *journey) axe(page string, src []byte) {
	j.t.Helper()
	if _, err := chromedp.Run(j.ctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
		j.fail("inject axe-core into "+page, err)
	}
	if !j.eval("axe loaded", `typeof axe === "object" && typeof axe.run === "function"`) {
		j.t.Fatalf("%s: axe-core did not load", page)
	}
	where := page + " (" + j.location() + ")"

	res := j.runAxe(page, "document", axeOptions(), true)
	for _, v := range res.Violations {
		j.t.Errorf("axe on %s: %s", where, v)
	}
	// What axe cannot decide ("needs review") is logged for a person to look
	// at, except the contrast of the text on the header's gradient, which is
	// checked below.
	for _, v := range res.Incomplete {
		j.t.Logf("axe on %s: needs review: %s", where, v)
	}

	// axe does not judge contrast on a gradient. The header's runs from
	// --blue to the darker --blue-dark under white text, so check its text
	// again on --blue alone, the worst case, then put the gradient back.
	// (Setting element.style from DevTools is CSSOM, allowed by the CSP.)
	if !j.eval("plain header", `(() => {
			const h = document.querySelector(".site-header, .top");
			if (!h) return false;
			h.style.backgroundImage = "none";
			h.style.backgroundColor = getComputedStyle(document.documentElement).getPropertyValue("--blue");
			return true;
		})()`) {
		j.t.Fatalf("axe on %s: no .site-header or .top", where)
	}
	hdr := j.runAxe(page, `{include: [[document.querySelector(".site-header") ? ".site-header" : ".top"]]}`, map[string]any{"runOnly": map[string]any{"type": "rule", "values": []string{"color-contrast"}}}, false)
	j.eval("restore header", `(() => {
			const h = document.querySelector(".site-header, .top");
			h.style.removeProperty("background-image");
			h.style.removeProperty("background-color");
			return true;
		})()`)
	for _, v := range append(hdr.Violations, hdr.Incomplete...) {
		j.t.Errorf("axe on %s, header on its lighter gradient colour: %s", where, v)
	}
	j.t.Logf("axe on %s: %d violation(s), %d rule(s) needing review", where, len(res.Violations), len(res.Incomplete))
}

// groupNames returns the accessible names of the groups of controls
// (roles group and radiogroup) in the current page, as Chromium's
// accessibility tree, which screen readers read, has them.
func (j *journey) groupNames() []string {
	j.t.Helper()
	tree, err := chromedp.Call(j.ctx, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	if err != nil {
		j.fail("read the accessibility tree", err)
	}
	var names []string
	for _, n := range tree.Nodes {
		if n.Ignored || n.Role == nil || n.Name == nil {
			continue
		}
		var role, name string
		if json.Unmarshal(n.Role.Value, &role) != nil || (role != "group" && role != "radiogroup") {
			continue
		}
		if json.Unmarshal(n.Name.Value, &name) == nil {
			names = append(names, strings.TrimSpace(name))
		}
	}
	return names
}

// journeyAxe: every kind of public page, in the states a person meets them
// (empty form, form with errors, receipt, demo case), passes axe-core's WCAG
// 2.1 A and AA rules: labelled fields, contrast, unique ids, landmarks.
func journeyAxe(t *testing.T, b *browser) {
	start := time.Now()
	src, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatalf("vendored axe-core: %v", err)
	}
	// Seven pages, each with axe-core to load and run: twice the time.
	j := b.journey(t, startServer(t, "--demo"), "journey6-axe", tabOpts{timeout: 2 * journeyTimeout})
	check := func(page string) {
		t.Helper()
		j.axe(page, src)
		j.shot(page)
	}

	for _, p := range []struct{ page, path string }{{"home", "/"}, {"report", "/report"}, {"guide", "/guide"}, {"followup", "/followup"}} {
		j.open(p.path)
		check(p.page)
		if p.page == "report" {
			// axe does not check that a group of radios or boxes is named
			// by its label (WCAG 1.3.1): a screen reader names each group.
			got := j.groupNames()
			for _, want := range []string{"事项类型", "涉及险种（可多选）", "反映人类型", "实名或匿名"} {
				if !slices.Contains(got, want) {
					t.Errorf("report form: no group of choices named %q in the accessibility tree; groups: %q", want, got)
				}
			}
		}
	}

	// The form sent with mistakes: 422, messages at the fields (a text
	// field, a text area and a group of boxes) and on top.
	j.open("/report")
	j.fillReport(report{idNumber: "110105194912310021", description: "工资少报了。"})
	pension := chromedp.CSS(`input[name="insuranceTypes"][value="pension"]`)
	j.do("untick the insurance types",
		chromedp.Click(pension),
		chromedp.Click(chromedp.CSS(`input[name="insuranceTypes"][value="unemployment"]`)))
	if resp := j.follow("submit with mistakes", chromedp.CSS(`#report-form button[type="submit"]`)); resp.Status != http.StatusUnprocessableEntity {
		t.Fatalf("submit with mistakes: status %d, want 422", resp.Status)
	}
	j.wantText(byID("error-summary"), "提交的内容有需要修改的地方")
	for _, id := range []string{"e-reporter.idNumber", "e-description", "e-insuranceTypes"} {
		if !j.eval("error shown", `!!document.getElementById(`+jsString(id)+`)`) {
			t.Errorf("report form with mistakes: no #%s", id)
		}
	}
	check("report-errors")

	// Fixed and sent again: the receipt.
	j.do("fix the mistakes",
		chromedp.Click(pension),
		chromedp.Clear(byID("reporter.idNumber")),
		chromedp.SendKeys(byID("reporter.idNumber"), reporterID),
		chromedp.Clear(byID("description")),
		chromedp.SendKeys(byID("description"), goodDesc),
	)
	if resp := j.follow("submit the fixed form", chromedp.CSS(`#report-form button[type="submit"]`)); resp.Status != http.StatusOK {
		t.Fatalf("submit fixed form: status %d, want 200; page: %s", resp.Status, shorten(j.pageText(), 600))
	}
	j.readReceipt()
	check("receipt")

	// The demo case, with the first sample receipt listed on /followup.
	j.open("/followup")
	first := chromedp.CSS(".demo-cases li:first-child")
	j.do("type the demo receipt",
		chromedp.SendKeys(byID("number"), j.text(first+" code:first-of-type")),
		chromedp.SendKeys(byID("code"), j.text(first+" code:last-of-type")))
	if resp := j.follow("submit number and code", chromedp.CSS(`form[action="/followup"] button[type="submit"]`)); resp.Status != http.StatusOK || j.location() != "/followup/case" {
		t.Fatalf("demo login: status %d at %s; page: %s", resp.Status, j.location(), shorten(j.pageText(), 300))
	}
	j.wantText(chromedp.CSS(".messages"), "承办人员回复")
	// axe logs the 示例 badge in the title as needing review ("partially
	// obscured"): at one corner it samples, the rounding lets the h1 show
	// through. Its colours, #3a1d00 on #ffd166, give 10.7:1.
	check("case")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// typeMonth types a year and month into an <input type=month>, trying the
// orders of the browser's locales as typeDate does.
func (j *journey) typeMonth(id, ym string) {
	j.t.Helper()
	y, m := ym[0:4], ym[5:7]
	var seen []string
	// The month-first layout (Chromium's en-US) comes first, with an
	// explicit move to the year: a failed attempt leaves the field's
	// segments half-typed in a way Clear does not undo, so the order
	// matters. "07" then → then "2019" is what a person types there.
	for _, keys := range []string{m + kb.ArrowRight + y, y + kb.ArrowRight + m, m + y} {
		j.do("type the month", chromedp.Blur(byID(id)), chromedp.Focus(byID(id)), chromedp.SendKeys(byID(id), keys))
		got := j.value(byID(id))
		if got == ym {
			return
		}
		seen = append(seen, got)
		j.do("clear the month", chromedp.Clear(byID(id)))
	}
	j.t.Fatalf("typing %s into #%s gave %q, not that month", ym, id, seen)
}

// fits fails when the page scrolls sideways.
func (j *journey) fits(page string) {
	j.t.Helper()
	if !j.eval("scroll width", `document.documentElement.scrollWidth <= window.innerWidth`) {
		w, _ := chromedp.Run(j.ctx, chromedp.Evaluate[string](
			`document.documentElement.scrollWidth + " > " + window.innerWidth + "; widest: " + Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).slice(0, 5).map(e => e.tagName + "." + e.className + "#" + e.id).join(", ")`))
		j.t.Errorf("%s page scrolls sideways: %s", page, w)
	}
}

// journeyComplaint: a named citizen who holds a Hong Kong and Macao permit
// files a complaint. With JavaScript, 匿名 cannot be chosen for a complaint
// (and comes back for a report), the complaint's section appears, its
// employment only for a citizen; the hint of the number follows the
// document type.
func journeyComplaint(t *testing.T, b *browser) {
	start := time.Now()
	j := b.journey(t, startServer(t), "journey7-complaint", tabOpts{})
	j.open("/report")
	if j.visible("#complaint-section") {
		t.Error("a report shows the complaint's section")
	}
	j.do("choose 匿名 for a report", chromedp.Click(chromedp.CSS(`input[name="anonymous"][value="true"]`)))
	j.do("choose 投诉", chromedp.Click(chromedp.CSS(`input[name="kind"][value="complaint"]`)))
	if !j.eval("anonymous disabled", `document.querySelector('input[name="anonymous"][value="true"]').disabled`) ||
		!j.eval("named chosen", `document.querySelector('input[name="anonymous"][value="false"]').checked`) {
		t.Error("投诉 chosen: 匿名 is still possible")
	}
	j.wantText(byID("h-anonymous"), "投诉须实名")
	if !j.visible("#complaint-section") || !j.visible("#employment") || !j.visible("#citizen-section") {
		t.Error("投诉 by a citizen: the complaint, employment or identity section is hidden")
	}
	j.do("choose 用人单位", chromedp.Click(chromedp.CSS(`input[name="reporterType"][value="employer"]`)))
	if j.visible("#employment") || !j.visible("#complaint-section") {
		t.Error("an employer's complaint: employment shown, or the request hidden")
	}
	j.do("back to 公民个人", chromedp.Click(chromedp.CSS(`input[name="reporterType"][value="citizen"]`)))
	j.do("back to 举报", chromedp.Click(chromedp.CSS(`input[name="kind"][value="report"]`)))
	if j.eval("anonymous enabled", `document.querySelector('input[name="anonymous"][value="true"]').disabled`) {
		t.Error("举报 chosen again: 匿名 stays disabled")
	}
	j.do("choose 投诉 again", chromedp.Click(chromedp.CSS(`input[name="kind"][value="complaint"]`)))

	j.do("fill the complaint",
		chromedp.SetValue(byID("category"), "unpaid_contributions"),
		chromedp.Click(chromedp.CSS(`input[name="insuranceTypes"][value="pension"]`)),
		chromedp.SetValue(byID("regionCode"), "220104"),
		chromedp.SendKeys(byID("subject.name"), "长春市某某餐饮管理有限公司"),
		chromedp.SendKeys(byID("subject.legalRepresentative"), "李某某"),
		chromedp.SendKeys(byID("description"), "本人自2019年7月起在该公司工作，2024年3月起公司不再为我缴纳养老保险，工资条上仍扣除个人缴费部分。"),
		chromedp.SendKeys(byID("complaint.request"), "要求单位为本人补缴2024年3月以来的养老保险费。"),
		chromedp.SendKeys(byID("complaint.position"), "厨师"),
		chromedp.Click(chromedp.CSS(`input[name="complaint.labourContract"][value="signed"]`)),
		chromedp.SendKeys(byID("reporter.name"), "陈大文"),
		chromedp.SetValue(byID("reporter.idType"), "hk_macao_permit"),
	)
	// SetValue fires no change event; a person's choice does.
	j.eval("announce the choice", `document.getElementById("reporter.idType").dispatchEvent(new Event("change", {bubbles: true})) || true`)
	j.wantText(byID("h-reporter.idNumber"), "港澳居民来往内地通行证号码", "H或M开头")
	j.do("type the permit and phone",
		chromedp.SendKeys(byID("reporter.idNumber"), "h12345678"),
		chromedp.SendKeys(byID("reporter.phone"), "13900139000"),
		chromedp.Click(byID("acknowledgeNotice")),
	)
	j.typeMonth("complaint.hiredOn", "2019-07")
	j.typeDate("occurredFrom", "2024-03-01")
	j.shot("filled")
	resp := j.follow("submit the complaint", chromedp.CSS(`#report-form button[type="submit"]`))
	if resp.Status != http.StatusOK {
		t.Fatalf("submit: status %d, want 200; page: %s", resp.Status, shorten(j.pageText(), 800))
	}
	j.wantText(chromedp.CSS("h1"), "提交成功")
	j.wantText(chromedp.CSS("table.facts"), "投诉", "劳动保障监察")
	if strings.Contains(j.pageText(), "H12345678") {
		t.Error("the receipt shows the permit number")
	}
	j.shot("receipt")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeyComplaintWithoutJavaScript: without JavaScript every section shows
// with a note saying when it applies, the form says a complaint is named,
// and an anonymous complaint comes back with the reason and the input.
func journeyComplaintWithoutJavaScript(t *testing.T, b *browser) {
	start := time.Now()
	j := b.journey(t, startServer(t), "journey8-complaint-nojs", tabOpts{noJS: true, phone: true})
	j.open("/report")
	for _, sel := range []string{"#complaint-section", "#employment", "#citizen-section", "#org-section"} {
		if !j.visible(sel) {
			t.Errorf("without JavaScript %s must be visible", sel)
		}
	}
	j.wantText(chromedp.CSS("#complaint-section .nojs-only"), "选择“投诉”时填写本栏")
	j.wantText(byID("h-anonymous"), "投诉须实名")
	j.wantText(byID("f-kind"), "须实名")
	j.fillReport(report{idNumber: reporterID, description: goodDesc})
	j.do("make it an anonymous complaint",
		chromedp.Click(chromedp.CSS(`input[name="kind"][value="complaint"]`)),
		chromedp.Click(chromedp.CSS(`input[name="anonymous"][value="true"]`)),
		chromedp.SendKeys(byID("complaint.request"), "要求单位为本人补缴养老保险费。"),
		chromedp.SendKeys(byID("complaint.hiredOn"), "2019-07"),
		chromedp.Click(chromedp.CSS(`input[name="complaint.labourContract"][value="not_signed"]`)),
	)
	if j.value(byID("complaint.hiredOn")) != "2019-07" {
		// Chromium has a month field: type it as a person would there.
		j.do("clear the month", chromedp.Clear(byID("complaint.hiredOn")))
		j.typeMonth("complaint.hiredOn", "2019-07")
	}
	resp := j.follow("submit an anonymous complaint", chromedp.CSS(`#report-form button[type="submit"]`))
	if resp.Status != http.StatusUnprocessableEntity {
		t.Fatalf("anonymous complaint: status %d, want 422", resp.Status)
	}
	j.wantText(byID("e-anonymous"), "投诉是为维护您本人的权益，须实名提交")
	j.wantText(byID("error-summary"), "须实名提交")
	if got := j.value(byID("complaint.request")); got != "要求单位为本人补缴养老保险费。" {
		t.Errorf("complaint request after the error: %q", got)
	}
	j.fits("complaint errors")
	j.shot("anonymous-refused")
	j.do("choose 实名", chromedp.Click(chromedp.CSS(`input[name="anonymous"][value="false"]`)))
	resp = j.follow("submit named", chromedp.CSS(`#report-form button[type="submit"]`))
	if resp.Status != http.StatusOK {
		t.Fatalf("named complaint: status %d; page: %s", resp.Status, shorten(j.pageText(), 600))
	}
	j.wantText(chromedp.CSS("h1"), "提交成功")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeyExpiredForm: the form's security cookie is gone (the browser was
// restarted, the phone cleared it) when the person submits: the form comes
// back with everything typed, a line saying why, and goes through on the
// next click.
func journeyExpiredForm(t *testing.T, b *browser) {
	start := time.Now()
	j := b.journey(t, startServer(t), "journey9-expired", tabOpts{phone: true})
	j.open("/report")
	j.fillReport(report{idNumber: reporterID, description: goodDesc})
	if _, err := chromedp.Call(j.ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "fw_csrf", URL: j.base + "/"}); err != nil {
		j.fail("lose the form's cookie", err)
	}
	resp := j.follow("submit after the cookie is gone", chromedp.CSS(`#report-form button[type="submit"]`))
	if resp.Status != http.StatusForbidden {
		t.Fatalf("expired form: status %d, want 403", resp.Status)
	}
	j.wantText(byID("error-summary"), "页面停留时间较长，安全校验已过期，您填写的内容已保留，请核对后再次提交")
	for sel, want := range map[chromedp.CSS]string{
		byID("subject.name"):      subjectName,
		byID("description"):       goodDesc,
		byID("reporter.name"):     reporterName,
		byID("reporter.idNumber"): reporterID,
		byID("reporter.phone"):    reporterPhone,
		byID("occurredFrom"):      "2025-03-15",
		byID("occurredTo"):        "2025-10-31",
		byID("amountYuan"):        "86500.50",
	} {
		if got := j.value(sel); got != want {
			t.Errorf("%s after the expired submit: %q, want %q", sel, got, want)
		}
	}
	if !j.eval("acknowledged", `document.getElementById("acknowledgeNotice").checked`) {
		t.Error("the notice's box is no longer ticked")
	}
	j.fits("expired form")
	j.shot("expired")
	resp = j.follow("submit again", chromedp.CSS(`#report-form button[type="submit"]`))
	if resp.Status != http.StatusOK {
		t.Fatalf("submit again: status %d; page: %s", resp.Status, shorten(j.pageText(), 600))
	}
	j.readReceipt()
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeyCreditCodeConfirm: a credit code whose check character does not
// match comes back with the confirmation box right under the field (it was
// 1,500 px below it), on a desktop and a phone.
func journeyCreditCodeConfirm(t *testing.T, b *browser) {
	start := time.Now()
	for _, o := range []struct {
		name string
		opts tabOpts
	}{{"desktop", tabOpts{}}, {"phone", tabOpts{phone: true}}} {
		j := b.journey(t, startServer(t), "journey10-credit-"+o.name, o.opts)
		j.open("/report")
		j.fillReport(report{idNumber: reporterID, description: goodDesc})
		j.eval("empty the credit code", `(document.getElementById("subject.creditCode").value = "") === ""`)
		j.do("a code with a wrong check character", chromedp.SendKeys(byID("subject.creditCode"), "91350200776049653B"))
		resp := j.follow("submit", chromedp.CSS(`#report-form button[type="submit"]`))
		if resp.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d, want 422", o.name, resp.Status)
		}
		j.wantText(byID("e-subject.creditCode"), "校验位不符")
		gap, err := chromedp.Run(j.ctx, chromedp.Evaluate[float64](`(() => {
			const field = document.getElementById("subject.creditCode").getBoundingClientRect();
			const box = document.querySelector('input[name="subject.confirmCreditCode"]').getBoundingClientRect();
			return box.top - field.bottom;
		})()`))
		if err != nil {
			j.fail("measure the gap", err)
		}
		t.Logf("%s: the box is %.0f px under the field", o.name, gap)
		if gap < 0 || gap > 160 {
			t.Errorf("%s: the confirmation box is %.0f px under its field, want right under it (message between)", o.name, gap)
		}
		j.do("scroll to the field", chromedp.ScrollIntoView(byID("f-subject.creditCode")))
		j.shot("confirm")
		j.do("confirm", chromedp.Click(chromedp.CSS(`input[name="subject.confirmCreditCode"]`)))
		if resp := j.follow("submit confirmed", chromedp.CSS(`#report-form button[type="submit"]`)); resp.Status != http.StatusOK {
			t.Fatalf("%s confirmed: status %d; page: %s", o.name, resp.Status, shorten(j.pageText(), 600))
		}
	}
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeySmallPhone: on a 320 px phone the report form (empty, and with
// every kind of message) fits, and a reporter types the receipt's number
// without its hyphen into a field that takes any keyboard.
func journeySmallPhone(t *testing.T, b *browser) {
	start := time.Now()
	j := b.journey(t, startServer(t), "journey11-320", tabOpts{phone: true, width: 320})
	j.open("/report")
	if !j.eval("viewport", `window.innerWidth === 320`) {
		t.Errorf("viewport is not 320 wide")
	}
	j.fits("report")
	j.do("choose 投诉", chromedp.Click(chromedp.CSS(`input[name="kind"][value="complaint"]`)))
	j.fits("complaint form")
	j.shot("report")
	resp := j.follow("submit an empty complaint", chromedp.CSS(`#report-form button[type="submit"]`))
	if resp.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty complaint: status %d, want 422", resp.Status)
	}
	j.wantText(byID("error-summary"), "请填写问题描述", "请至少选择一个险种", "请填写投诉请求事项", "请阅读《举报须知》")
	j.fits("errors")
	j.shot("errors")

	j.open("/report")
	j.fillReport(report{idNumber: reporterID, description: goodDesc})
	if resp := j.follow("submit", chromedp.CSS(`#report-form button[type="submit"]`)); resp.Status != http.StatusOK {
		t.Fatalf("submit: status %d; page: %s", resp.Status, shorten(j.pageText(), 600))
	}
	number, code := j.readReceipt()
	j.open("/followup")
	if mode := j.text(chromedp.CSS("#number")); mode != "" {
		t.Logf("number field text %q", mode)
	}
	if !j.eval("keyboard", `["text", ""].includes(document.getElementById("number").inputMode) && document.getElementById("number").type === "text"`) {
		t.Error("the number field asks for a keypad that may have no hyphen")
	}
	j.wantText(byID("h-number"), "短横线可以省略")
	j.fits("followup")
	j.shot("followup")
	j.do("type the number without its hyphen",
		chromedp.SendKeys(byID("number"), strings.ReplaceAll(number, "-", "")),
		chromedp.SendKeys(byID("code"), code))
	resp = j.follow("submit number and code", chromedp.CSS(`form[action="/followup"] button[type="submit"]`))
	if resp.Status != http.StatusOK || j.location() != "/followup/case" {
		t.Fatalf("login without hyphen: status %d at %s; page: %s", resp.Status, j.location(), shorten(j.pageText(), 300))
	}
	j.wantText(byID("case-title"), number)
	j.wantText(chromedp.CSS("table.facts"), "2025-03-15 至 2025-10-31")
	j.fits("case")
	j.shot("case")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}
