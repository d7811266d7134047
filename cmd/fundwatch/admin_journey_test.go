package main

// Browser journeys through the admin site, as case handlers, leaders and the
// province work: sign in with a second factor, find the new case in the
// inbox, accept it and reply (and the reporter sees the reply), conclude a
// case, sign a 重大要情 report and print it, see a city's late quarterly
// statistics; and axe-core on every kind of admin page.

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

const staffPassword = "Jingyue Lake 2026 autumn"

// staffUser is a user made with `fundwatch user add` for a journey.
type staffUser struct {
	name, password, secret string
}

var otpSecret = regexp.MustCompile(`otpauth://\S*[?&]secret=([A-Z2-7]+)`)

// addStaff creates a user on the installation from the command line, as
// the first administrator would, with a second factor when totp is set.
func (in *installation) addStaff(name, role, region, fullName string, withTOTP bool) staffUser {
	in.t.Helper()
	args := []string{"add", "--name", name, "--role", role, "--region", region, "--full-name", fullName}
	if withTOTP {
		args = append(args, "--totp")
	}
	code, out := in.command(staffPassword+"\n", "user", args...)
	if code != 0 {
		in.t.Fatalf("fundwatch user add %s: exit %d\n%s", name, code, out)
	}
	u := staffUser{name: name, password: staffPassword}
	if withTOTP {
		m := otpSecret.FindStringSubmatch(out)
		if m == nil {
			in.t.Fatalf("fundwatch user add --totp printed no otpauth URI:\n%s", out)
		}
		u.secret = m[1]
	}
	return u
}

// fileByAPI files a report through the JSON API, as the 12345 hotline's
// system does, and returns its number and access code.
func fileByAPI(t *testing.T, base, category, region, amountYuan string) (number, code string) {
	t.Helper()
	body := `{"kind":"report","reporterType":"citizen","anonymous":false,"category":` + jsString(category) +
		`,"insuranceTypes":["pension"],"regionCode":` + jsString(region) + `,"subject":{"name":"某某建材有限公司"},"amountYuan":` +
		jsString(amountYuan) + `,"description":"该公司财务负责人将代扣的职工社会保险费挪作他用，已有两年未足额缴纳。",` +
		`"reporter":{"name":"王立新","idNumber":"440524188001015368","phone":"13900139000","email":"wang@example.com"},"acknowledgeNotice":true}`
	resp, err := http.Post(base+"/api/v1/reports", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("file by API: %v", err)
	}
	defer resp.Body.Close()
	var r struct{ Number, AccessCode string }
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("file by API: status %d, %v", resp.StatusCode, err)
	}
	return r.Number, r.AccessCode
}

// followSearch clicks what an XPath (or text) search finds and waits for
// the page it loads.
func (j *journey) followSearch(step, query string) int64 {
	j.t.Helper()
	resp, err := chromedp.RunResponse(j.ctx, chromedp.Click(chromedp.Search(query)))
	if err != nil {
		j.fail(step, err)
	}
	return resp.Status
}

// adminLogin signs a member of staff in: username and password, then the
// six digits of their authenticator when they have one.
func (j *journey) adminLogin(u staffUser) {
	j.t.Helper()
	j.open("/admin/login")
	j.wantText(byID("login-title"), "工作人员登录")
	j.do("type username and password",
		chromedp.SendKeys(byID("username"), u.name),
		chromedp.SendKeys(byID("password"), u.password))
	if st := j.follow("sign in", chromedp.CSS(`form[action="/admin/login"] button[type="submit"]`)).Status; st != http.StatusOK {
		j.t.Fatalf("sign in: status %d; page: %s", st, shorten(j.pageText(), 300))
	}
	if strings.HasPrefix(j.location(), "/admin/login/totp") {
		j.wantText(byID("totp-title"), "动态验证码")
		code, err := totp.GenerateCode(u.secret, time.Now())
		if err != nil {
			j.t.Fatal(err)
		}
		j.do("type the code", chromedp.SendKeys(byID("code"), code))
		if st := j.follow("verify the code", chromedp.CSS(`form[action="/admin/login/totp"] button[type="submit"]`)).Status; st != http.StatusOK {
			j.t.Fatalf("TOTP: status %d; page: %s", st, shorten(j.pageText(), 300))
		}
	}
	if loc := j.location(); loc != "/admin" && loc != "/admin/" {
		j.t.Fatalf("after sign-in at %s; page: %s", loc, shorten(j.pageText(), 300))
	}
	j.wantText(chromedp.CSS("h1"), "工作台")
}

// openCase goes from the inbox to the case with this number.
func (j *journey) openCase(number string) {
	j.t.Helper()
	j.follow("open 案件办理", chromedp.CSS(`.nav a[href="/admin/cases"]`))
	j.wantText(byID("inbox"), number)
	if st := j.followSearch("open the case from the inbox", `//table[@id="inbox"]//a[normalize-space()="`+number+`"]`); st != http.StatusOK {
		j.t.Fatalf("case page: status %d", st)
	}
	j.wantText(byID("case-number"), number)
}

// action opens one action's form on the case page, lets fill it, submits
// and checks the confirmation.
func (j *journey) action(name string, fill func(), wantFlash string) {
	j.t.Helper()
	j.do("open the "+name+" form", chromedp.Click(chromedp.CSS(`#form-`+name+` > summary`)))
	if fill != nil {
		fill()
	}
	if st := j.follow("submit "+name, chromedp.CSS(`#form-`+name+` button[type="submit"]`)).Status; st != http.StatusOK {
		j.t.Fatalf("%s: status %d; page: %s", name, st, shorten(j.pageText(), 500))
	}
	j.wantText(byID("flash"), wantFlash)
}

// TestAdminJourneys walks the admin site in a real browser.
func TestAdminJourneys(t *testing.T) {
	b := startBrowser(t)
	for _, tc := range []struct {
		name    string
		journey func(*testing.T, *browser)
	}{
		{"handler accepts and replies, reporter sees the reply", journeyHandlerReplies},
		{"handler concludes a case", journeyHandlerConcludes},
		{"leader signs a major important-case report", journeyLeaderSigns},
		{"province sees a city's late quarterly statistics", journeyProvinceQuarterly},
		{"admin pages pass axe WCAG 2.1 AA", journeyAdminAxe},
		{"reporter attaches a photo and a PDF, handler downloads them and sends a file back", journeyEvidenceFiles},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.journey(t, b)
		})
	}
}

// journeyHandlerReplies: a citizen files a report; a handler of 长春市 signs
// in with TOTP, finds it in the inbox, accepts it and replies; the citizen
// sees the acceptance and the reply on the follow-up page.
func journeyHandlerReplies(t *testing.T, b *browser) {
	start := time.Now()
	in := newInstallation(t)
	handler := in.addStaff("liming", "handler", "220100", "李明", true)
	base := in.start()

	citizen := b.journey(t, base, "admin1-citizen", tabOpts{})
	citizen.open("/report")
	citizen.fillReport(report{idNumber: reporterID, description: goodDesc})
	if st := citizen.follow("submit the report", chromedp.CSS(`#report-form button[type="submit"]`)).Status; st != http.StatusOK {
		t.Fatalf("submit: %d", st)
	}
	number, code := citizen.readReceipt()

	staff := b.journey(t, base, "admin1-handler", tabOpts{})
	staff.adminLogin(handler)
	staff.wantText(byID("stat-new"), "1", "待审查受理")
	staff.openCase(number)
	// The identity is masked until someone working the case asks for it.
	staff.wantText(byID("identity-masked"), "李*")
	if strings.Contains(staff.pageText(), reporterID) {
		t.Error("the case page shows the reporter's ID number before the reveal")
	}
	staff.shot("case-received")
	staff.action("accept", func() {
		staff.do("type the note", chromedp.SendKeys(byID("accept-note"), "经审查，本件属于社会保险基金监督受理范围，予以受理。"))
	}, "已受理")
	staff.wantText(byID("case-status"), "已受理")
	reply := "您反映的问题已受理，我们将依法组织核查，核查结果将及时告知。"
	staff.action("reply", func() {
		staff.do("type the reply", chromedp.SendKeys(byID("reply-body"), reply))
	}, "答复已发送")
	staff.wantText(byID("messages"), reply)
	staff.shot("case-accepted")

	citizen.open("/followup")
	citizen.do("type number and code", chromedp.SendKeys(byID("number"), number), chromedp.SendKeys(byID("code"), code))
	citizen.follow("follow up", chromedp.CSS(`form[action="/followup"] button[type="submit"]`))
	citizen.wantText(chromedp.CSS(".status-line"), "已受理")
	citizen.wantText(chromedp.CSS(".timeline"), "予以受理")
	citizen.wantText(chromedp.CSS(".messages"), "承办人员回复", reply)
	citizen.shot("followup-reply")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeyHandlerConcludes: a handler takes a case from acceptance through an
// off-site and an on-site investigation to its conclusion.
func journeyHandlerConcludes(t *testing.T, b *browser) {
	start := time.Now()
	in := newInstallation(t)
	handler := in.addStaff("zhaoqiang", "handler", "220200", "赵强", false)
	base := in.start()
	number, _ := fileByAPI(t, base, "unpaid_contributions", "220202", "86500")

	j := b.journey(t, base, "admin2-conclude", tabOpts{})
	j.adminLogin(handler)
	j.openCase(number)
	j.action("accept", nil, "已受理")
	j.action("investigate", func() {
		j.do("choose off-site", chromedp.Click(chromedp.CSS(`#form-investigate input[value="offsite"]`)))
	}, "已开始调查")
	j.action("onsite", func() {
		j.do("type the finding", chromedp.SendKeys(byID("onsite-note"), "比对缴费数据，发现该公司申报基数明显低于实际工资。"))
	}, "已转为现场监督")
	// A mistake first: recovered more than found.
	j.do("open the conclude form", chromedp.Click(chromedp.CSS(`#form-conclude > summary`)))
	j.do("fill the conclusion wrongly",
		chromedp.Click(chromedp.CSS(`#form-conclude input[value="substantiated"]`)),
		chromedp.SendKeys(byID("conclude-involved"), "86500"),
		chromedp.SendKeys(byID("conclude-recovered"), "90000"),
		chromedp.SendKeys(byID("conclude-measures"), "责令补缴社会保险费及滞纳金。"))
	if st := j.follow("submit the wrong conclusion", chromedp.CSS(`#form-conclude button[type="submit"]`)).Status; st != http.StatusUnprocessableEntity {
		t.Fatalf("wrong conclusion: status %d, want 422", st)
	}
	j.wantText(byID("problem"), "追回金额不能大于")
	if got := j.value(byID("conclude-measures")); got != "责令补缴社会保险费及滞纳金。" {
		t.Errorf("measures typed were lost: %q", got)
	}
	j.shot("conclude-error")
	j.do("fix the amount", chromedp.Clear(byID("conclude-recovered")), chromedp.SendKeys(byID("conclude-recovered"), "61200"),
		chromedp.SendKeys(byID("conclude-note"), "经核查，反映情况属实。"))
	if st := j.follow("submit the conclusion", chromedp.CSS(`#form-conclude button[type="submit"]`)).Status; st != http.StatusOK {
		t.Fatalf("conclude: status %d; %s", st, shorten(j.pageText(), 400))
	}
	j.wantText(byID("flash"), "调查完毕")
	j.wantText(byID("case-status"), "调查完毕")
	j.wantText(chromedp.CSS("table.facts"), "86,500.00", "61,200.00", "现场监督")
	j.wantText(byID("timeline"), "转现场监督", "调查完毕")
	j.shot("concluded")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeyLeaderSigns: a 150,000-yuan embezzlement is classified 重大要情, its
// report drafted by the handler and signed by the city's leader, then
// printed.
func journeyLeaderSigns(t *testing.T, b *browser) {
	start := time.Now()
	in := newInstallation(t)
	handler := in.addStaff("sunli", "handler", "220100", "孙丽", false)
	leader := in.addStaff("zhouzhang", "leader", "220100", "周长明", true)
	base := in.start()
	number, _ := fileByAPI(t, base, "embezzlement", "220102", "150000")

	h := b.journey(t, base, "admin3-handler", tabOpts{})
	h.adminLogin(handler)
	h.openCase(number)
	h.typeDate("discovered", time.Now().In(cst()).Format("2006-01-02"))
	if st := h.follow("save the classification", chromedp.CSS(`#form-classify button[type="submit"]`)).Status; st != http.StatusOK {
		t.Fatalf("classify: %d; %s", st, shorten(h.pageText(), 400))
	}
	h.wantText(byID("case-class"), "重大要情")
	h.wantText(byID("recipients"), "逐级报送省社会保障监督委员会")
	h.follow("draft the report", chromedp.CSS(`#form-report-draft button[type="submit"]`))
	h.wantText(byID("report-status"), "草稿")
	h.do("write the situation", chromedp.Clear(byID("r-body")), chromedp.SendKeys(byID("r-body"),
		"一、基本情况\n某某建材有限公司财务负责人挪用代扣的职工社会保险费15万元。\n二、目前查明的情况\n已调取银行流水和缴费记录。"))
	h.follow("save the draft", chromedp.CSS(`#form-report button[type="submit"]`))
	h.wantText(byID("flash"), "草稿已保存")
	reportURL := h.location()

	l := b.journey(t, base, "admin3-leader", tabOpts{})
	l.adminLogin(leader)
	l.open(reportURL)
	l.wantText(byID("report-text"), "挪用代扣的职工社会保险费15万元", "重大要情")
	l.follow("sign", chromedp.CSS(`#form-sign button[type="submit"]`))
	l.wantText(byID("flash"), "报告已签发")
	l.wantText(byID("signature"), "周长明", "与当前文本一致")
	l.shot("report-signed")
	l.follow("open the print view", chromedp.CSS(`#print-link`))
	if _, err := chromedp.Call(l.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatalf("emulate print: %v", err)
	}
	l.wantText(chromedp.CSS("h1"), "重大要情报告")
	l.wantText(chromedp.CSS(".sign"), "负责人签发：周长明", "加盖公章")
	if l.visible(".no-print") {
		t.Error("the print view shows its screen-only links when printed")
	}
	l.shot("report-print")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeyProvinceQuarterly: 长春市's leader submits last quarter's
// statistics after the deadline; the province sees it as late and every
// other city as late and missing.
func journeyProvinceQuarterly(t *testing.T, b *browser) {
	start := time.Now()
	in := newInstallation(t)
	cityLeader := in.addStaff("ccfzr", "leader", "220100", "长春负责人", true)
	province := in.addStaff("shengfzr", "leader", "220000", "省负责人", true)
	base := in.start()

	c := b.journey(t, base, "admin4-city", tabOpts{})
	c.adminLogin(cityLeader)
	c.follow("open 季度统计", chromedp.CSS(`.nav a[href="/admin/quarterly"]`))
	c.wantText(byID("quarterly-status"), "逾期未报送")
	c.follow("submit the statistics", chromedp.CSS(`#form-quarterly-submit button[type="submit"]`))
	c.wantText(byID("flash"), "已报送省级")
	c.wantText(byID("quarterly-status"), "逾期报送")

	p := b.journey(t, base, "admin4-province", tabOpts{})
	p.adminLogin(province)
	p.wantText(byID("quarterly-late"), "个市（州）逾期未报送")
	p.follow("open the late list", chromedp.CSS(`#quarterly-late a`))
	p.wantText(byID("quarterly-overview"), "长春市", "逾期报送", "吉林市", "逾期未报送", "延边朝鲜族自治州")
	p.shot("province-overview")
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

// journeyAdminAxe: every kind of admin page passes axe-core's WCAG 2.1 A
// and AA rules.
func journeyAdminAxe(t *testing.T, b *browser) {
	start := time.Now()
	src, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatalf("vendored axe-core: %v", err)
	}
	in := newInstallation(t)
	admin := in.addStaff("sysadmin", "admin", "220000", "系统管理员", true)
	leader := in.addStaff("axeleader", "leader", "220100", "测试负责人", true)
	base := in.start("--demo")
	number, _ := fileByAPI(t, base, "embezzlement", "220102", "150000")

	j := b.journey(t, base, "admin5-axe", tabOpts{timeout: 3 * journeyTimeout})
	check := func(page string) {
		t.Helper()
		j.axe(page, src)
		j.shot(page)
	}
	j.open("/admin/login")
	j.wantText(byID("demo-logins"), "demo.changchun", "示例承办人")
	check("login")
	j.do("type a wrong password", chromedp.SendKeys(byID("username"), "axeleader"), chromedp.SendKeys(byID("password"), "wrong password"))
	j.follow("sign in wrongly", chromedp.CSS(`form[action="/admin/login"] button[type="submit"]`))
	check("login-error")
	j.adminLogin(leader)
	check("dashboard")
	j.openCase(number)
	check("case")
	j.eval("open every form", `(function(){document.querySelectorAll("details").forEach(function(d){d.open=true});return true})()`)
	check("case-forms")
	j.open("/admin/cases?status=received&sort=due")
	check("inbox")
	j.open("/admin/quarterly")
	check("quarterly")
	j.open("/admin/reports")
	check("reports")
	j.open("/admin/account")
	check("account")

	a := b.journey(t, base, "admin5-axe-admin", tabOpts{timeout: 2 * journeyTimeout})
	a.adminLogin(admin)
	for _, p := range []struct{ page, path string }{{"users", "/admin/users"}, {"user-new", "/admin/users/new"}, {"audit", "/admin/audit"},
		{"offices", "/admin/offices?region=220100"}} {
		a.open(p.path)
		a.axe(p.page, src)
		a.shot(p.page)
	}
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}

func cst() *time.Location { return time.FixedZone("CST", 8*3600) }
