package handlers

import (
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/store"
)

// renderPage renders a public template inside the main layout with the base
// view model every page needs: CSRF token, demo marker, asset version.
func (h *Handler) renderPage(c *fiber.Ctx, status int, name string, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	token, _ := c.Locals(localCSRF).(string)
	data["CSRF"] = token
	data["Demo"] = h.Config.Demo
	data["Version"] = h.Config.Version
	data["AssetVersion"] = assetVersion(h.Config.Version)
	data["RequestID"] = reqID(c)
	if _, ok := data["Nav"]; !ok {
		data["Nav"] = ""
	}
	c.Status(status)
	return c.Render(name, data)
}

func assetVersion(v string) string {
	if v == "" {
		return "dev"
	}
	return strings.NewReplacer("+", "-", " ", "-").Replace(v)
}

// templateFuncs are the helpers templates may call. They only format; no rule
// lives in a template.
func (h *Handler) templateFuncs() map[string]any {
	return map[string]any{
		"kindLabel":          casework.KindLabel,
		"categoryLabel":      casework.CategoryLabel,
		"insuranceTypeLabel": casework.InsuranceTypeLabel,
		"channelLabel":       casework.ChannelLabel,
		"statusLabel":        casework.StatusLabel,
		"resultLabel":        casework.ResultLabel,
		"regionName":         h.Regions.FullName,
		"yuan":               casework.FormatYuan,
		"cstTime":            func(t time.Time) string { return t.In(store.CST).Format("2006年01月02日 15:04") },
		// deadlineDay names the last day of a deadline that ends at 24:00 CST.
		"deadlineDay": func(t time.Time) string {
			return t.Add(-time.Millisecond).In(store.CST).Format("2006年01月02日")
		},
		"isoTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"has": func(list []string, v string) bool {
			for _, s := range list {
				if s == v {
					return true
				}
			}
			return false
		},
		"paragraphs": paragraphs,
	}
}

// paragraphs splits user text on blank lines into escaped paragraphs with line
// breaks. The text is escaped first; only our own <p> and <br> are added.
func paragraphs(s string) template.HTML {
	var b strings.Builder
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		b.WriteString("<p>")
		lines := strings.Split(p, "\n")
		for i, l := range lines {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(template.HTMLEscapeString(l))
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}
