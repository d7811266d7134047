package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"fundwatch/handlers/web"
	"fundwatch/public"
)

const localCSRF = "csrf"

func (h *Handler) routes(app *fiber.App) {
	app.Use("/static", filesystem.New(filesystem.Config{
		Root:   http.FS(public.Static),
		MaxAge: 7 * 24 * 3600,
	}))
	app.Get("/healthz", h.healthz)
	app.Get("/readyz", h.readyz)

	api := app.Group("/api/v1")
	api.Get("/openapi.json", h.apiOpenAPI)
	api.Post("/reports", h.apiCreateReport)
	api.Get("/reports/:number", h.apiGetReport)
	api.Post("/reports/:number/messages", h.apiAddMessage)

	// No catch-all handlers after the routes: Fiber's own "no route" error is
	// 405 when the path exists with another method and 404 otherwise, and
	// handleError turns both into the Chinese page or JSON. A catch-all
	// would match every method and make 405 impossible.
	app.Use(csrf.New(csrf.Config{
		// The API authenticates by access code, not by cookie, so it has no
		// CSRF token to check; unknown /api/ paths get a JSON 404, not 403.
		// Admin pages check their own session-bound tokens.
		Next:      func(c *fiber.Ctx) bool { return isAPI(c) || isAdmin(c) },
		KeyLookup: "form:_csrf",
		// Only from the POST body: fasthttp's FormValue would also take it
		// from the query string, and tokens do not belong in URLs or logs.
		Extractor:      web.CSRFFromBody,
		CookieName:     h.cookieName("fw_csrf"),
		CookiePath:     "/",
		CookieSecure:   h.secure(),
		CookieHTTPOnly: true,
		CookieSameSite: "Lax",
		Expiration:     4 * time.Hour,
		Storage:        web.Keyspace{Storage: h.Storage, Prefix: "csrf:"},
		ContextKey:     localCSRF,
		ErrorHandler:   func(c *fiber.Ctx, err error) error { return errCSRF },
	}))
	app.Get("/", h.home)
	app.Get("/guide", h.guide)
	app.Get("/report", h.reportForm)
	app.Post("/report", h.reportSubmit)
	app.Get("/followup", h.followupForm)
	app.Post("/followup", h.followupLogin)
	app.Get("/followup/case", h.followupView)
	app.Post("/followup/case/messages", h.followupAddMessage)
	app.Post("/followup/logout", h.followupLogout)
}

func (h *Handler) healthz(c *fiber.Ctx) error {
	return c.SendString("ok")
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

func (h *Handler) home(c *fiber.Ctx) error {
	return h.renderPage(c, fiber.StatusOK, "home", fiber.Map{"Title": "首页", "Nav": "home"})
}

func (h *Handler) guide(c *fiber.Ctx) error {
	return h.renderPage(c, fiber.StatusOK, "guide", fiber.Map{"Title": "办事指南", "Nav": "guide"})
}

// isAPI tells whether a request belongs to the JSON API.
func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), web.APIPrefix) }

// isAdmin tells whether a request belongs to the admin site.
func isAdmin(c *fiber.Ctx) bool {
	p := c.Path()
	return p == web.AdminPrefix || strings.HasPrefix(p, web.AdminPrefix+"/")
}
