package handlers

import (
	"html/template"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/public"
	"fundwatch/store"
)

// SiteInfo is what the footer and the contact page say about who runs the
// portal, as the operator configured it. Every field is optional: what is
// not configured is left out, never invented.
type SiteInfo struct {
	Sponsor  string // 主办单位, e.g. 吉林省人力资源和社会保障厅
	Address  string // the sponsor's address
	Phone    string // a contact phone number
	Email    string // a contact e-mail address
	SiteCode string // 网站标识码 of a government website
	ICP      string // ICP 备案号, e.g. 吉ICP备12345678号
}

// Offices is where the public site finds the offices (受理机构) that
// handle cases: caseflow.StoredOffices in a running portal.
type Offices interface {
	Directory() *casework.OfficeDirectory
}

// offices is the directory in use: the configured source's, or only the
// shipped defaults (shown in demo mode alone), made once: the contact page
// is kept until the directory is another one.
func (h *Handler) offices() *casework.OfficeDirectory {
	if h.Offices != nil {
		return h.Offices.Directory()
	}
	return h.defaultOffices
}

// officeView is an office as a page shows it: the office (if any) and the
// sentence that stands in for missing contact details.
type officeView struct {
	Office  casework.Office
	Found   bool
	Hotline string
	Channel string // the channel's label
	Region  string // the full name of the case's region
	// Generic names the office by its kind where none was entered:
	// "吉林省 长春市 南关区 社会保险基金监督机构".
	Generic string
}

// genericOffice names the kind of office of a channel.
func genericOffice(channel string) string {
	switch channel {
	case store.ChannelMedicalSecurity:
		return "医疗保障部门"
	case store.ChannelLabourInspection:
		return "劳动保障监察机构"
	}
	return "社会保险基金监督机构"
}

// officeFor is the office handling a case in region on channel: after a
// transfer the case's region or channel is the new one, so this is where
// it went. Shipped examples show in demo mode only.
func (h *Handler) officeFor(region, channel string) officeView {
	o, ok := h.offices().For(region, channel, h.Config.Demo)
	v := officeView{Office: o, Found: ok, Channel: casework.ChannelLabel(channel), Region: h.Regions.FullName(region)}
	v.Generic = v.Region + " " + genericOffice(channel)
	if !ok || (o.Address == "" && o.Phone == "") {
		v.Hotline = casework.HotlineSentence
	}
	return v
}

// contact is the 联系我们 page: who runs the portal, the offices that
// handle cases, and the hotlines; kept rendered until the offices change.
func (h *Handler) contact(c *fiber.Ctx) error {
	return h.sitePage(c, h.site.offices, "/contact", func(c *fiber.Ctx) error {
		var groups []officeGroup
		for _, o := range h.offices().All(h.Config.Demo) {
			if len(groups) == 0 || groups[len(groups)-1].Code != o.RegionCode {
				r, _ := h.Regions.Lookup(o.RegionCode)
				groups = append(groups, officeGroup{Code: r.Code, Name: h.Regions.FullName(r.Code)})
			}
			g := &groups[len(groups)-1]
			g.Offices = append(g.Offices, o)
		}
		return h.renderPage(c, fiber.StatusOK, "contact", fiber.Map{
			"Title":   "联系我们",
			"Nav":     "contact",
			"Back":    "/contact",
			"Groups":  groups,
			"Hotline": casework.HotlineSentence,
		})
	})
}

type officeGroup struct {
	Code, Name string
	Offices    []casework.Office
}

// textSizeCookie holds the reader's choice of 大字版; the layout reads it.
const textSizeCookie = "fw_textsize"

// largeText tells whether the reader chose 大字版.
func (h *Handler) largeText(c *fiber.Ctx) bool {
	// Read in place (c.Cookies copies on this Immutable app): every kept
	// page asks, for its key.
	return string(c.Request().Header.Cookie(h.textSizeName)) == "large"
}

// textSize switches between 大字版 and 标准版 with a plain link, so it works
// without JavaScript: it sets (or clears) a year-long cookie and sends the
// reader back to the page they came from. Only a path of this site is
// followed back, never another site.
func (h *Handler) textSize(c *fiber.Ctx) error {
	cookie := &fiber.Cookie{
		Name: h.cookieName(textSizeCookie), Path: "/", HTTPOnly: true, Secure: h.secure(),
		SameSite: fiber.CookieSameSiteLaxMode,
	}
	if c.Query("size") == "large" {
		cookie.Value, cookie.MaxAge = "large", 365*24*3600
	} else {
		cookie.Value, cookie.Expires = "", time.Unix(0, 0)
	}
	c.Cookie(cookie)
	return c.Redirect(localPath(c.Query("next")), fiber.StatusSeeOther)
}

// localPath is next when it is a path of this site ("/guide"), else "/".
// A path starting with two slashes or a backslash would be read by browsers
// as another host.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") ||
		u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return u.EscapedPath() + queryOf(u)
}

func queryOf(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	return "?" + u.RawQuery
}

// robotsTxt lets search engines index the public pages, and keeps them
// off the follow-up pages, the admin site and the API.
func (h *Handler) robotsTxt(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString("User-agent: *\nDisallow: /admin\nDisallow: /followup\nDisallow: /api/\nDisallow: /receipt\nDisallow: /textsize\n")
}

// faviconICO answers the /favicon.ico every browser asks for, from the
// embedded icon, so it is never a 404.
func (h *Handler) faviconICO(c *fiber.Ctx) error {
	b, err := fs.ReadFile(public.Static, "favicon.ico")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/x-icon")
	return c.Send(b)
}

// accessCodeGroups shows an access code in its groups of four, each kept
// on one line (a code never wraps mid-group, on a phone or on paper); the
// hyphens between the groups stay in the text, so what is selected and
// copied is the code as printed.
func accessCodeGroups(code string) template.HTML {
	var b strings.Builder
	for i, g := range strings.Split(code, "-") {
		if i > 0 {
			b.WriteString("-<wbr>")
		}
		b.WriteString(`<span class="code-group">`)
		b.WriteString(template.HTMLEscapeString(g))
		b.WriteString(`</span>`)
	}
	return template.HTML(b.String())
}
