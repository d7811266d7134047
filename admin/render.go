package admin

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// render renders an admin page inside the admin layout with the base view
// model every page needs: the signed-in user, the CSRF token of the session,
// what the user's role may do (for the navigation), the demo marker.
func (a *Admin) render(c *fiber.Ctx, status int, name string, data fiber.Map) error {
	return a.renderWith(a.pages, c, status, name, data)
}

// renderPrint renders a page in the print layout (an official document).
func (a *Admin) renderPrint(c *fiber.Ctx, name string, data fiber.Map) error {
	return a.renderWith(a.print, c, fiber.StatusOK, name, data)
}

func (a *Admin) renderWith(r *web.Renderer, c *fiber.Ctx, status int, name string, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	s := current(c)
	if s.full() || (s != nil && s.User != nil) {
		data["User"] = s.User
		data["CSRF"] = a.csrfToken(s)
		data["SignedIn"] = s.full()
		data["Can"] = a.permissions(s.User.Role)
		data["UserRegion"] = a.Regions.FullName(s.User.RegionCode)
	} else {
		data["Can"] = map[string]bool{}
	}
	data["Demo"] = a.Config.Demo
	data["Version"] = a.Config.Version
	data["RequestID"] = web.RequestID(c)
	if _, ok := data["Nav"]; !ok {
		data["Nav"] = ""
	}
	return r.Render(c, status, name, data)
}

// permissions is what role may do, keyed by permission, for templates that
// show a link or a form only to those who may use it.
func (a *Admin) permissions(role string) map[string]bool {
	out := map[string]bool{}
	for _, p := range casework.RolePermissions(role) {
		out[string(p)] = true
	}
	return out
}

// errorPage is the admin site's error page.
func (a *Admin) errorPage(c *fiber.Ctx, status int, title, message string) error {
	return a.render(c, status, "error", fiber.Map{
		"Title": title, "Status": status, "Message": message,
	})
}

func (a *Admin) templateFuncs() map[string]any {
	return map[string]any{
		"roleLabel":   casework.RoleLabel,
		"officeField": officeField,
		"modeLabel": func(m string) string {
			switch m {
			case store.ModeOnSite:
				return "现场监督"
			case store.ModeOffSite:
				return "非现场监督"
			}
			return ""
		},
		"actionLabel": actionLabel,
		"pageURL": func(base url.Values, page int) string {
			v := url.Values{}
			for k, vs := range base {
				v[k] = vs
			}
			v.Set("page", strconv.Itoa(page))
			return "?" + v.Encode()
		},
		"newToken": web.NewToken,
		"reportStatus": func(st string) string {
			switch st {
			case store.ReportDraft:
				return "草稿"
			case store.ReportSigned:
				return "已签发，待报送"
			case store.ReportSubmitted:
				return "已报送"
			}
			return st
		},
		"quarterlyStatus": casework.QuarterlyStatusLabel,
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i + 1
			}
			return out
		},
		"add":       func(a, b int) int { return a + b },
		"pubKind":   caseflow.PublicationKindLabel,
		"revStatus": caseflow.RevisionStatusLabel,
		"wan":       casework.FormatWanYuan,
		"percent":   func(bp int64) string { return casework.FormatBasisPoints(bp) + "%" },
		"fundValues": func(r store.FundRow) []int64 {
			out := make([]int64, 0, len(fundColumns))
			for _, col := range fundColumns {
				out = append(out, col.Amount(r))
			}
			return out
		},
		// dict builds the data of a partial template from pairs of name
		// and value.
		"dict": func(pairs ...any) map[string]any {
			m := make(map[string]any, len(pairs)/2)
			for i := 0; i+1 < len(pairs); i += 2 {
				if k, ok := pairs[i].(string); ok {
					m[k] = pairs[i+1]
				}
			}
			return m
		},
		"sub": func(a, b int) int { return a - b },
	}
}

// actionLabel names an event's action on the case page timeline.
func actionLabel(action string) string {
	switch action {
	case store.ActionAssign:
		return "分配承办人"
	case store.ActionClassify:
		return "要情认定"
	case store.ActionExtend:
		return "批准延期"
	case store.ActionOnSite:
		return "转现场监督"
	}
	return "状态变更"
}

func queryEscape(s string) string { return url.QueryEscape(s) }
