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
	data["Site"] = h.Config.Site
	data["BaseURL"] = h.Config.BaseURL
	data["LargeText"] = h.largeText(c)
	// The switch to 大字版 and back returns to this page (GET pages only:
	// the answer to a POST is not a page one can go back to).
	back := "/"
	if c.Method() == fiber.MethodGet {
		back = localPath(string(c.Request().URI().RequestURI()))
	}
	data["Back"] = back
	if _, ok := data["Nav"]; !ok {
		data["Nav"] = ""
	}
	// The page depends on the 大字版 cookie: a cache must not hand one
	// reader's text size to another.
	c.Vary(fiber.HeaderCookie)
	return h.pages.Render(c, status, name, data)
}

// formPages are the pages with a form, the only ones that set the CSRF
// cookie.
var formPages = map[string]bool{"report": true, "followup": true, "case": true, "receipt": true}

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
