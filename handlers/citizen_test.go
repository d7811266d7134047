package handlers

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/store"
)

// fixedOffices is an office directory the test sets.
type fixedOffices struct{ d *casework.OfficeDirectory }

func (f fixedOffices) Directory() *casework.OfficeDirectory { return f.d }

func withOffices(offices ...casework.Office) func(*Handler) {
	return func(h *Handler) { h.Offices = fixedOffices{casework.NewOfficeDirectory(h.Regions, offices)} }
}

var changchunFund = casework.Office{RegionCode: "220100", Channel: store.ChannelFundSupervision,
	Name: "长春市人社局社会保险基金监督科", Address: "长春市人民大街 1000 号", Phone: "0431-8888 1234", Hours: "工作日 9:00–17:00"}

var jilinCityFund = casework.Office{RegionCode: "220200", Channel: store.ChannelFundSupervision,
	Name: "吉林市社会保险基金监督科", Phone: "0432-6666 0000"}

// officeCell is the text of the receipt's 受理机构 cell.
func officeCell(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<td id="receipt-office">(.*?)</td>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("receipt has no 受理机构 row:\n%s", mainOf(body))
	}
	return codeText(m[1])
}

func TestReceiptNamesTheOfficeHandlingTheCase(t *testing.T) {
	t.Run("an office entered for the city serves its county", func(t *testing.T) {
		e := newTestEnv(t, withOffices(changchunFund))
		_, body := e.submitForm(nil)
		cell := officeCell(t, body)
		for _, want := range []string{changchunFund.Name, changchunFund.Address, changchunFund.Phone, changchunFund.Hours} {
			if !strings.Contains(cell, want) {
				t.Errorf("受理机构 %q lacks %q", cell, want)
			}
		}
		if strings.Contains(cell, "示例") {
			t.Errorf("an office an administrator entered is marked 示例: %q", cell)
		}
	})
	t.Run("without demo and without an entry: the kind of office and the hotlines, nothing invented", func(t *testing.T) {
		e := newTestEnv(t)
		_, body := e.submitForm(nil)
		cell := officeCell(t, body)
		if !strings.Contains(cell, "社会保险基金监督机构") || !strings.Contains(cell, "12333") {
			t.Errorf("受理机构 %q: want the kind of office and 12333", cell)
		}
		for _, def := range casework.DefaultOffices(casework.DefaultRegions()) {
			if strings.Contains(body, def.Phone) || strings.Contains(body, def.Address) {
				t.Errorf("a real deployment shows the invented %q / %q", def.Phone, def.Address)
			}
		}
	})
	t.Run("in demo mode the shipped example, marked 示例, also in print", func(t *testing.T) {
		e := newTestEnv(t, func(h *Handler) { h.Config.Demo = true })
		_, body := e.submitForm(nil)
		cell := officeCell(t, body)
		def := casework.DefaultOffices(casework.DefaultRegions())[0]
		if !strings.Contains(cell, def.Name) || !strings.Contains(cell, def.Phone) || !strings.Contains(cell, "示例") {
			t.Errorf("demo 受理机构 %q: want %q with its phone, marked 示例", cell, def.Name)
		}
		if !strings.Contains(body, `class="print-only demo-stamp"`) {
			t.Error("the demo receipt prints without its 示例 mark")
		}
	})
}

func TestReceiptKeepsTheCodeInGroupsAndPrintsTheSiteAddress(t *testing.T) {
	e := newTestEnv(t)
	_, body := e.submitForm(nil)
	m := receiptCode.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no code on the receipt")
	}
	groups := regexp.MustCompile(`<span class="code-group">([0-9A-Z]{4})</span>`).FindAllStringSubmatch(m[1], -1)
	if len(groups) != 6 {
		t.Errorf("the code %q is not shown as six groups that do not wrap", m[1])
	}
	for _, want := range []string{`data-copy="receipt-code"`, `class="print-only print-head"`, "http://localhost:8080",
		`action="/receipt/download"`} {
		if !strings.Contains(body, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
}

func TestReceiptDownloadIsAPostOnlyAttachmentNeverCached(t *testing.T) {
	e := newTestEnv(t, withOffices(changchunFund))
	number, code := e.submitValid()
	csrf := e.csrfToken("/followup")

	resp, body := e.postForm("/receipt/download", url.Values{"_csrf": {csrf}, "number": {number}, "code": {strings.ToLower(code)}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download: status %d\n%s", resp.StatusCode, body)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, number) {
		t.Errorf("Content-Disposition %q, want an attachment named for the case", cd)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(ct, "utf-8") {
		t.Errorf("Content-Type %q, want text/plain in UTF-8", ct)
	}
	for _, want := range []string{number, code, "http://localhost:8080", changchunFund.Name, changchunFund.Phone, "长春市 南关区", "\r\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("the receipt file lacks %q:\n%s", want, body)
		}
	}
	for _, secret := range []string{"张三", "11010519491231002", "13800138000"} {
		if strings.Contains(body, secret) {
			t.Errorf("the receipt file holds the reporter's %q", secret)
		}
	}

	// Never through a URL: GET is not a route, and a query string is not read.
	if resp, _ := e.get("/receipt/download?number=" + number + "&code=" + url.QueryEscape(code)); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET with the code in the URL: status %d, want 405", resp.StatusCode)
	}
	resp, _ = e.postForm("/receipt/download?number="+number+"&code="+url.QueryEscape(code), url.Values{"_csrf": {csrf}})
	if resp.StatusCode == http.StatusOK {
		t.Error("the download read number and code from the query string")
	}
	// A wrong code gives no file.
	resp, body = e.postForm("/receipt/download", url.Values{"_csrf": {csrf}, "number": {number}, "code": {"AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get("Content-Disposition") != "" || !strings.Contains(body, "查询编号或查询码不正确") {
		t.Errorf("wrong code: status %d, disposition %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	// And a form from elsewhere is refused.
	if resp, _ := e.postForm("/receipt/download", url.Values{"number": {number}, "code": {code}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without the CSRF token: status %d, want 403", resp.StatusCode)
	}
}

func TestFooterCarriesOnlyTheConfiguredSiteDetails(t *testing.T) {
	site := SiteInfo{Sponsor: "吉林省人力资源和社会保障厅", Address: "长春市示例路 1 号", Phone: "0431-12345678",
		Email: "jijin@example.gov.cn", SiteCode: "2200000001", ICP: "吉ICP备00000000号"}
	e := newTestEnv(t, func(h *Handler) { h.Config.Site = site })
	_, body := e.get("/guide")
	footer := body[strings.Index(body, `<footer`):]
	for _, want := range []string{"主办单位：" + site.Sponsor, site.Address, site.Phone, site.Email, "网站标识码：" + site.SiteCode, site.ICP, `href="/contact"`} {
		if !strings.Contains(footer, want) {
			t.Errorf("footer lacks %q", want)
		}
	}

	plain := newTestEnv(t)
	_, body = plain.get("/guide")
	footer = body[strings.Index(body, `<footer`):]
	for _, absent := range []string{"主办单位", "网站标识码", "ICP", "电话：", "邮箱："} {
		if strings.Contains(footer, absent) {
			t.Errorf("footer shows %q although nothing is configured", absent)
		}
	}
	// 信息公开 is in the main navigation and the footer.
	nav := body[strings.Index(body, `<nav class="site-nav"`):]
	nav = nav[:strings.Index(nav, `</nav>`)]
	for name, part := range map[string]string{"navigation": nav, "footer": footer} {
		if !strings.Contains(part, `<a href="/disclosure">信息公开</a>`) {
			t.Errorf("the %s does not link 信息公开", name)
		}
	}
}

func TestContactPageListsOfficesAndErrorPagesPointToIt(t *testing.T) {
	e := newTestEnv(t, withOffices(changchunFund, jilinCityFund))
	resp, body := e.get("/contact")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/contact: status %d", resp.StatusCode)
	}
	for _, want := range []string{"联系我们", changchunFund.Name, changchunFund.Address, jilinCityFund.Name, jilinCityFund.Phone, "12333", "12393"} {
		if !strings.Contains(body, want) {
			t.Errorf("/contact lacks %q", want)
		}
	}
	if strings.Index(body, changchunFund.Name) > strings.Index(body, jilinCityFund.Name) {
		t.Error("offices are not in the order of the region tree")
	}

	plain := newTestEnv(t)
	_, body = plain.get("/contact")
	if !strings.Contains(body, `id="no-offices"`) || !strings.Contains(body, casework.HotlineSentence) {
		t.Error("without offices the contact page should point to the hotlines")
	}
	demo := newTestEnv(t, func(h *Handler) { h.Config.Demo = true })
	_, body = demo.get("/contact")
	if !strings.Contains(body, "社会保险基金监督处") || !strings.Contains(body, "示例") {
		t.Error("in demo mode the contact page lists the shipped examples, marked 示例")
	}

	resp, body = e.get("/no-such-page")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `href="/contact"`) {
		t.Errorf("404 page: status %d, link to /contact: %v", resp.StatusCode, strings.Contains(body, `href="/contact"`))
	}
}

func TestLargeTextIsAPlainLinkThatPersists(t *testing.T) {
	e := newTestEnv(t)
	_, body := e.get("/guide")
	if strings.Contains(body, `class="large-text"`) || !strings.Contains(body, `href="/textsize?size=large&amp;next=%2fguide"`) {
		t.Fatalf("the guide offers no 大字版 link back to itself:\n%s", body[:min(len(body), 2000)])
	}
	resp, _ := e.get("/textsize?size=large&next=%2fguide")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/guide" {
		t.Fatalf("switch: status %d to %q, want 303 to /guide", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == textSizeCookie {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != "large" || cookie.MaxAge < 300*24*3600 || !cookie.HttpOnly {
		t.Fatalf("text size cookie %+v, want large for a year", cookie)
	}
	for _, path := range []string{"/", "/report", "/followup", "/contact"} {
		_, body := e.get(path)
		if !strings.Contains(body, `<html lang="zh-CN" class="large-text">`) || !strings.Contains(body, "标准版") {
			t.Errorf("%s after choosing 大字版: not in large text, or no way back", path)
		}
	}
	if resp, _ := e.get("/guide"); !strings.Contains(resp.Header.Get("Vary"), "Cookie") {
		t.Errorf("Vary %q: a cache could hand one reader's text size to another", resp.Header.Get("Vary"))
	}
	if resp, _ := e.get("/textsize?size=standard&next=/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("back to standard: status %d", resp.StatusCode)
	}
	if _, body := e.get("/"); strings.Contains(body, "large-text") {
		t.Error("still large after choosing 标准版")
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""} {
		resp, _ := e.get("/textsize?size=large&next=" + url.QueryEscape(next))
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q sends the reader to %q, want /", next, loc)
		}
	}
}

func TestFaviconAndRobotsAnswer(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.get("/favicon.ico")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/x-icon" || !strings.HasPrefix(body, "\x00\x00\x01\x00") {
		t.Errorf("/favicon.ico: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, body = e.get("/robots.txt")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Disallow: /admin") || !strings.Contains(body, "Disallow: /followup") {
		t.Errorf("/robots.txt: status %d\n%s", resp.StatusCode, body)
	}
}

func TestRegionSelectNamesPrefecturesAndTheCommitteeRight(t *testing.T) {
	e := newTestEnv(t)
	_, body := e.get("/report")
	for _, want := range []string{"延边朝鲜族自治州（州本级或不确定具体县市）", "长白山管委会（管委会本级或不确定具体区域）", "长春市（市本级或不确定具体区县）"} {
		if !strings.Contains(body, want) {
			t.Errorf("region select lacks %q", want)
		}
	}
	for _, wrong := range []string{"延边朝鲜族自治州（市本级", "长白山管委会（市本级"} {
		if strings.Contains(body, wrong) {
			t.Errorf("region select says %q", wrong)
		}
	}
}

func TestGuideHasTheUsualHeadingsAndCitesTheRulesInForce(t *testing.T) {
	e := newTestEnv(t)
	_, body := e.get("/guide")
	for _, want := range []string{">受理机构</h2>", ">所需材料</h2>", ">办理时限</h2>", ">不予受理情形</h2>",
		"仲裁", "医疗保障部门受理", "人力资源社会保障部令第49号", "吉政办发〔2007〕9号",
		"《社会保险基金监督举报奖励暂行办法》（人社部发〔2022〕45号）", `href="#rewards"`} {
		if !strings.Contains(body, want) {
			t.Errorf("guide lacks %q", want)
		}
	}
}

func TestCaseViewShowsDeadlineStageAndWhereATransferredCaseWent(t *testing.T) {
	e := newTestEnv(t, withOffices(changchunFund, jilinCityFund))
	number, code := e.submitValid()
	e.mustLogin(number, code)
	_, body := e.get("/followup/case")
	main := codeText(mainOf(body))
	// Filed Friday 2026-11-27 10:00 CST: five working days end on 2026-12-04.
	for _, want := range []string{"受理审查期限：2026年12月04日24时前", "还有 7 天", "现在：", "您可以：", changchunFund.Name, changchunFund.Phone} {
		if !strings.Contains(main, want) {
			t.Errorf("case page lacks %q:\n%s", want, main)
		}
	}

	// Transferred to 吉林市: the page names that office now.
	c := e.caseByNumber(number)
	region := "220200"
	if _, err := e.store.UpdateCase(context.Background(), store.CaseUpdate{CaseID: c.ID, ExpectStatus: c.Status,
		Event: store.Event{ID: "ev-transfer", At: e.h.now(), Action: store.ActionStatus, FromStatus: c.Status,
			ToStatus: store.StatusTransferred, Note: "转吉林市办理。"},
		Set: store.CaseChanges{RegionCode: &region}}); err != nil {
		t.Fatal(err)
	}
	e.advance(9 * 24 * time.Hour)
	_, body = e.get("/followup/case")
	office := regexp.MustCompile(`(?s)<div class="office-box" id="case-office">(.*?)</div>`).FindStringSubmatch(body)
	if office == nil || !strings.Contains(office[1], "已转至") || !strings.Contains(office[1], jilinCityFund.Name) || strings.Contains(office[1], changchunFund.Name) {
		t.Errorf("after a transfer the office box is %q, want 已转至 %s", office, jilinCityFund.Name)
	}
	if main := codeText(mainOf(body)); !strings.Contains(main, "已超过 2 天") {
		t.Errorf("a deadline two days past does not say so:\n%s", main)
	}
}

func TestRatingAfterConclusionChangeableUntilClosed(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	e.mustLogin(number, code)
	if _, body := e.get("/followup/case"); strings.Contains(body, `id="rating-form"`) {
		t.Error("a received case offers a rating")
	}
	e.transition(number, store.StatusAccepted, "", "已受理。")
	e.transition(number, store.StatusInvestigating, "", "正在调查。")
	e.transition(number, store.StatusConcluded, store.ResultNotSubstantiated, "经查不属实。")

	csrf := e.csrfToken("/followup/case")
	_, body := e.get("/followup/case")
	if !strings.Contains(body, `id="rating-form"`) || !strings.Contains(body, "调查完毕") {
		t.Fatalf("a concluded case offers no rating:\n%s", mainOf(body))
	}
	resp, body := e.postForm("/followup/case/rating", url.Values{"_csrf": {csrf}, "rating": {store.SatisfactionDissatisfied}, "reason": {" "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, caseflow.MsgRatingNeedReason) {
		t.Errorf("不满意 without a reason: status %d", resp.StatusCode)
	}
	resp, _ = e.postForm("/followup/case/rating", url.Values{"_csrf": {csrf}, "rating": {store.SatisfactionDissatisfied}, "reason": {"没有说明核查了哪些材料。"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/followup/case?rated=1" {
		t.Fatalf("rating: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = e.get("/followup/case?rated=1")
	if !strings.Contains(body, "感谢您的评价") || !strings.Contains(body, "您的评价：<strong>不满意</strong>") || !strings.Contains(body, "没有说明核查了哪些材料。") {
		t.Errorf("the rating is not shown back:\n%s", mainOf(body))
	}
	if c := e.caseByNumber(number); c.Satisfaction.Rating != store.SatisfactionDissatisfied {
		t.Errorf("stored rating %+v", c.Satisfaction)
	}
	// Changed before closing.
	if resp, _ := e.postForm("/followup/case/rating", url.Values{"_csrf": {csrf}, "rating": {store.SatisfactionBasically}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("changing the rating: status %d", resp.StatusCode)
	}
	e.transition(number, store.StatusClosed, "", "已结案。")
	_, body = e.get("/followup/case")
	if strings.Contains(body, `id="rating-form"`) || !strings.Contains(body, "您的评价：<strong>基本满意</strong>") {
		t.Errorf("a closed, rated case: the form is still offered or the rating is not shown:\n%s", mainOf(body))
	}
	resp, body = e.postForm("/followup/case/rating", url.Values{"_csrf": {csrf}, "rating": {store.SatisfactionSatisfied}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, caseflow.MsgRatingFinal) {
		t.Errorf("rating a closed, rated case: status %d", resp.StatusCode)
	}
	if c := e.caseByNumber(number); c.Satisfaction.Rating != store.SatisfactionBasically {
		t.Errorf("after closing the rating became %q", c.Satisfaction.Rating)
	}
}
