package handlers

import (
	"github.com/gofiber/fiber/v2"

	"fundwatch/handlers/web"
)

// renderPage renders a public template inside the main layout with the base
// view model every page needs: CSRF token, demo marker, asset version.
func (h *Handler) renderPage(c *fiber.Ctx, status int, name string, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	if formPages[name] {
		data["CSRF"] = h.formToken(c)
	}
	data["Demo"] = h.Config.Demo
	data["Version"] = h.Config.Version
	data["AssetVersion"] = web.AssetVersion(h.Config.Version)
	data["RequestID"] = web.RequestID(c)
	if _, ok := data["Nav"]; !ok {
		data["Nav"] = ""
	}
	return h.pages.Render(c, status, name, data)
}

// formPages are the pages with a form, the only ones that set the CSRF
// cookie.
var formPages = map[string]bool{"report": true, "followup": true, "case": true}

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
