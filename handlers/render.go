package handlers

import (
	"github.com/gofiber/fiber/v2"

	"fundwatch/handlers/web"
)

// pagePolicy is what a public page carries, and so how it may be cached and
// compressed. Every page is decided here, in one table; a page not in it is
// private: no-store and never compressed.
type pagePolicy struct {
	// form: the page has a form, so it gets a CSRF token (and sets the
	// cookie the token is derived from).
	form bool
	// kept: the page is the same for everyone and holds nothing private —
	// no form, no cookie, no case. Its handler serves it from one of the
	// site's page caches (sitecache.go), which keeps it rendered, lets
	// any cache keep it for web.PageMaxAge (which also lets the
	// back/forward cache keep it), answers revalidations and compresses
	// it once; renderPage adds nothing.
	kept bool
	// compressGET: shown by GET, the page's only lasting secret is the CSRF
	// token, masked afresh in every response, so it may be compressed
	// (web/compress.go says why). It stays no-store: the token is tied to
	// this browser's cookie.
	compressGET bool
	// description is the page's <meta name="description">.
	description string
}

// siteDescription describes the whole site, for pages without their own.
const siteDescription = "社保基金监督公开平台：受理社会保险基金违法违规问题的举报和参保人员本人社保权益受侵害的投诉，" +
	"可实名或匿名在线提交，凭回执查询办理进度和处理结果。"

// publicPages: home, guide, contact and statistics are kept; the report and follow-up forms
// are compressed on GET but never kept; the receipt (access code, and the
// form that downloads it), the case page (the reporter's case and identity)
// and error pages are private.
var publicPages = map[string]pagePolicy{
	"home": {kept: true, description: "发现用人单位欠缴社保费、骗取社保待遇、侵吞挪用社保基金等问题，" +
		"可在这里实名或匿名举报投诉，并凭回执随时查询办理进度。"},
	"guide": {kept: true, description: "社会保险基金监督举报投诉的受理范围、办理部门、办理时限、" +
		"实名与匿名的区别和注意事项。"},
	"report": {form: true, compressGET: true, description: "在线举报社会保险基金违法违规问题，或投诉本人社保权益受到侵害；" +
		"可实名或匿名，提交后立即获得查询编号和查询码。"},
	"followup": {form: true, compressGET: true, description: "凭回执上的查询编号和查询码，" +
		"查询举报投诉的受理情况、办理进度和处理结果，并补充信息。"},
	"case": {form: true, description: "举报投诉的办理进度和处理结果。"},
	// 联系我们: kept like the home page; the site's description.
	"contact": {kept: true},
	// The disclosure pages are the same for everyone and served from the
	// public page cache (web.PageCache), which sets their caching headers.
	"disclosure/index": {description: "社会保险基金信息公开：基金收支和结余、个人账户基金保值增值情况、" +
		"重大违纪案件通报、新闻发布和听证会公告，可查阅、检索和下载。"},
	"disclosure/funds": {description: "按年度、地区和险种公开的社会保险基金收入、支出、本年收支结余和年末滚存结余（万元），" +
		"附历年趋势图，可下载CSV和JSON数据。"},
	"disclosure/accounts": {description: "个人账户基金保值增值情况：历年记账利率、基金规模和投资收益，" +
		"可下载CSV和JSON数据。"},
	"disclosure/list": {description: "社会保险基金监督信息公开目录。"},
	"disclosure/item": {description: "社会保险基金监督公开信息的全文、更正说明和历次版本。"},
	"disclosure/gone": {description: "该公开信息已撤回：撤回的时间和原因。"},
	"statistics": {kept: true, description: "社会保险基金举报投诉的收到、受理、办结件数和追回金额，" +
		"按年度和市（州）统计，可下载 CSV 和 JSON 数据。"},
	// The search page answers one query: never kept (it is per query and
	// changes with every publication), compressed by its handler.
	"search": {description: "检索社会保险基金监督公开信息：重大违纪案件通报、新闻发布、听证会公告、" +
		"基金收支和结余、个人账户基金保值增值情况，可按类别、地区和年度筛选。"},
	"receipt": {form: true, description: "举报投诉已提交：请保存查询编号和查询码，凭其查询办理进度。"},
}

// renderPage renders a public template inside the main layout with the base
// view model every page needs (CSRF token, demo marker, description), then
// applies the page's caching and compression policy.
func (h *Handler) renderPage(c *fiber.Ctx, status int, name string, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	policy := publicPages[name]
	if policy.form {
		data["CSRF"] = h.formToken(c)
	}
	data["RequestID"] = web.RequestID(c)
	h.baseData(c, name, data)
	// The page depends on the 大字版 cookie: a cache must not hand one
	// reader's text size to another.
	c.Vary(fiber.HeaderCookie)
	if err := h.pages.Render(c, status, name, data); err != nil {
		return err
	}
	get := c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead
	if status == fiber.StatusOK && get && policy.compressGET {
		web.AllowCompression(c)
	}
	return nil
}

// baseData fills in what every page's view model has besides the CSRF
// token and the request id: the demo marker, the site, the text size, the
// page to come back to, the navigation and the description.
func (h *Handler) baseData(c *fiber.Ctx, name string, data fiber.Map) {
	policy := publicPages[name]
	data["Demo"] = h.Config.Demo
	data["Site"] = h.Config.Site
	data["BaseURL"] = h.Config.BaseURL
	data["LargeText"] = h.largeText(c)
	// The switch to 大字版 and back returns to this page (GET pages only:
	// the answer to a POST is not a page one can go back to).
	// A cached page names its canonical address itself, so what a reader
	// typed into the query never lands in a page kept for everyone.
	if _, ok := data["Back"]; !ok {
		back := "/"
		if c.Method() == fiber.MethodGet {
			back = localPath(string(c.Request().URI().RequestURI()))
		}
		data["Back"] = back
	}
	if _, ok := data["Nav"]; !ok {
		data["Nav"] = ""
	}
	if _, ok := data["Description"]; !ok {
		data["Description"] = policy.description
		if policy.description == "" {
			data["Description"] = siteDescription
		}
	}
}

// errorPage is the public site's error page, rendered by web.HandleError for
// every path that is not another site's.
func (h *Handler) errorPage(c *fiber.Ctx, status int, title, message string) error {
	return h.renderPage(c, status, "error", fiber.Map{
		"Title":     title,
		"Status":    status,
		"Message":   message,
		"RequestID": web.RequestID(c),
	})
}
