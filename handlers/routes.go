package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"fundwatch/handlers/web"
)

func (h *Handler) routes(app *fiber.App) {
	app.Get("/static/*", h.assets.Serve)
	app.Get("/healthz", h.healthz)
	app.Get("/readyz", h.readyz)

	api := app.Group("/api/v1")
	api.Get("/openapi.json", h.apiOpenAPI)
	api.Post("/reports", h.limitSubmit, h.Web.Uploads("POST", "/api/v1/reports", h.Cases), h.apiCreateReport)
	api.Get("/reports/:number", h.apiGetReport)
	api.Post("/reports/:number/messages", h.apiAddMessage)
	api.Post("/reports/:number/files", h.apiCaseFirst, h.Web.Uploads("POST", "/api/v1/reports/:number/files", h.Cases), h.apiAddFiles)
	api.Get("/reports/:number/files/:id", h.apiGetFile)
	api.Get("/articles", h.apiListHandler(articleKinds, "type", false))
	api.Get("/articles/:id", h.apiOneHandler(articleKinds))
	api.Get("/disclosures", h.apiListHandler(disclosureKinds, "kind", true))
	api.Get("/disclosures/:id", h.apiOneHandler(disclosureKinds))
	api.Get("/fund-table", h.apiFundTable)
	api.Get("/statistics", h.apiStatistics)
	api.Get("/search", h.apiSearch)

	// No catch-all handlers after the routes: Fiber's own "no route" error is
	// 405 when the path exists with another method and 404 otherwise, and
	// the error handler turns both into the Chinese page or JSON. A
	// catch-all would match every method and make 405 impossible. For the
	// same reason the CSRF check guards each POST route, not every path.
	app.Get("/", h.home)
	app.Get("/guide", h.guide)
	app.Get("/contact", h.contact)
	app.Get("/statistics", h.statisticsPage)
	app.Get("/search", h.searchPage)
	app.Get("/statistics.csv", h.statisticsCSV)
	app.Get("/statistics.json", h.statisticsJSON)
	app.Get("/textsize", h.textSize)
	app.Get("/robots.txt", h.robotsTxt)
	app.Get("/favicon.ico", h.faviconICO)
	app.Get("/report", h.reportForm)
	app.Post("/report", h.limitSubmit, h.Web.Uploads("POST", "/report", h.Cases), h.csrfOr(h.reportExpired), h.reportSubmit)
	app.Get("/followup", h.followupForm)
	app.Post("/followup", h.csrfOr(h.followupExpired), h.followupLogin)
	app.Get("/followup/case", h.followupView)
	app.Post("/followup/case/messages", h.Web.Uploads("POST", "/followup/case/messages", h.Cases), h.csrfOr(h.messageExpired), h.followupAddMessage)
	app.Get("/followup/case/files/:id", h.followupFile)
	app.Post("/followup/case/rating", h.checkCSRF, h.followupRate)
	app.Post("/receipt/download", h.checkCSRF, h.receiptDownload)
	app.Post("/followup/logout", h.checkCSRF, h.followupLogout)

	// The disclosure (信息公开): disclosure.go, disclosure_funds.go,
	// disclosure_accounts.go, articles.go, feeds.go.
	app.Get("/disclosure", h.disclosureIndex)
	app.Get("/disclosure/funds", h.fundsPage)
	app.Get("/disclosure/funds.csv", h.fundsDownload("csv"))
	app.Get("/disclosure/funds.json", h.fundsDownload("json"))
	app.Get("/disclosure/accounts", h.accountsPage)
	app.Get("/disclosure/accounts.csv", h.accountsDownload("csv"))
	app.Get("/disclosure/accounts.json", h.accountsDownload("json"))
	for _, k := range pubKinds {
		if isArticle(k.Kind) {
			app.Get("/disclosure/"+k.Slug, h.articleList(k))
		}
	}
	app.Get("/disclosure/:slug/:id", h.itemPage)
	app.Get("/disclosure/:slug/:id/revisions/:n", h.revisionPage)
	app.Get(announcementsFeed.Path, h.serveFeed(announcementsFeed))
	app.Get(disclosuresFeed.Path, h.serveFeed(disclosuresFeed))
}

// healthz answers that the process is alive, and its version: the build
// is for operators, and the public pages no longer show it.
func (h *Handler) healthz(c *fiber.Ctx) error {
	return c.SendString("ok fundwatch " + h.Config.Version)
}

// readyz answers 200 only when the store answers, so a load balancer stops
// sending citizens to an instance that cannot take their reports.
func (h *Handler) readyz(c *fiber.Ctx) error {
	if err := h.Store.Ping(c.UserContext()); err != nil {
		h.Log.Warn("not ready", "request_id", web.RequestID(c), "error", err)
		c.Set(fiber.HeaderRetryAfter, "10")
		return c.Status(fiber.StatusServiceUnavailable).SendString("store unavailable")
	}
	return c.SendString("ready")
}

// home is the home page, with the summary of the public statistics and
// the latest publications; kept rendered until either changes
// (sitecache.go).
func (h *Handler) home(c *fiber.Ctx) error {
	return h.sitePage(c, h.site.home, "/", func(c *fiber.Ctx) error {
		return h.renderPage(c, fiber.StatusOK, "home", fiber.Map{"Title": "首页", "Nav": "home", "Back": "/",
			"Stats": h.homeSummary(c), "Latest": h.latestForHome(c)})
	})
}

// guide is 办事指南: the same for everyone until the next build.
func (h *Handler) guide(c *fiber.Ctx) error {
	return h.sitePage(c, h.site.fixed, "/guide", func(c *fiber.Ctx) error {
		return h.renderPage(c, fiber.StatusOK, "guide", fiber.Map{"Title": "办事指南", "Nav": "guide", "Back": "/guide"})
	})
}

// limitSubmit counts a submission against the client's limit before its
// body is read, so a client over the limit stores no file.
func (h *Handler) limitSubmit(c *fiber.Ctx) error {
	if !h.limiter.Allow("submit:"+h.clientIP(c), h.Config.Limits.SubmitPerIP, h.Config.Limits.Window) {
		return errTooMany
	}
	return c.Next()
}

// isAPI tells whether a request belongs to the JSON API.
func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), web.APIPrefix) }

// isAdmin tells whether a request belongs to the admin site.
func isAdmin(c *fiber.Ctx) bool {
	p := c.Path()
	return p == web.AdminPrefix || strings.HasPrefix(p, web.AdminPrefix+"/")
}
