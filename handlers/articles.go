package handlers

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/store"
)

// Articles — serious-case announcements (重大违纪案件通报), news releases and
// hearing notices — in paged lists, and the page of every publication (an
// article, a fund report or an account note) with its revision history:
// the live text with a dated correction note, every earlier revision at
// its own address marked as superseded, and a tombstone (410 Gone) for a
// withdrawn one saying when and why.

// listPageSize is how many items a list page shows.
const listPageSize = 20

// pageNumber reads ?page= (1 when absent); ok is false for anything but a
// positive number.
func pageNumber(c *fiber.Ctx) (int, bool) {
	s := c.Query("page")
	if s == "" {
		return 1, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || strconv.Itoa(n) != s {
		return 0, false
	}
	return n, true
}

// pager is the paging of a list page.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string
}

func newPager(base string, page, total int) pager {
	p := pager{Page: page, Total: total, Pages: max(1, (total+listPageSize-1)/listPageSize)}
	if page > 1 {
		p.Prev = base + "?page=" + strconv.Itoa(page-1)
	}
	if page < p.Pages {
		p.Next = base + "?page=" + strconv.Itoa(page+1)
	}
	return p
}

// articleList is /disclosure/announcements, /disclosure/news and
// /disclosure/notices: newest first, withdrawn items listed as such.
func (h *Handler) articleList(k pubKind) fiber.Handler {
	base := "/disclosure/" + k.Slug
	return func(c *fiber.Ctx) error {
		page, ok := pageNumber(c)
		if !ok {
			return errNotFound
		}
		canonical := base
		if page > 1 {
			canonical += "?page=" + strconv.Itoa(page)
		}
		return h.cachedPage(c, canonical, func(c *fiber.Ctx) error {
			items, total, err := h.Store.ListPublished(c.UserContext(), store.PublishedFilter{
				Kinds: []string{k.Kind}, WithTombstones: true, Limit: listPageSize, Offset: (page - 1) * listPageSize,
			})
			if err != nil {
				return err
			}
			if page > 1 && len(items) == 0 {
				return errNotFound
			}
			var list []latestItem
			for _, p := range items {
				list = append(list, h.latestItem(p))
			}
			return h.renderPage(c, fiber.StatusOK, "disclosure/list", fiber.Map{
				"Title": k.Label, "Nav": "disclosure", "Back": canonical, "Disclosure": true,
				"Kind": k, "Items": list, "Pager": newPager(base, page, total),
				"Feed":        feedFor(k.Kind),
				"Description": listDescriptions[k.Kind],
			})
		})
	}
}

// listDescriptions are the list pages' descriptions.
var listDescriptions = map[string]string{
	store.PubAnnouncement: "社会保险基金重大违纪违法案件通报：案件发生地区、时间、涉及金额、险种和处理结果，依法及时向社会公开。",
	store.PubNews:         "社会保险基金监督工作的新闻发布：政策解读、专项检查、典型案例和工作进展。",
	store.PubNotice:       "社会保险基金监督相关听证会公告：听证事项、时间、地点和参加办法。",
}

// revisionView is a revision as a page shows it.
type revisionView struct {
	Number      int
	PublishedAt time.Time
	Path        string
	Superseded  bool
	Note        string // its correction note
}

// itemView is everything the page of a publication shows.
type itemView struct {
	Pub      *store.Publication
	Kind     pubKind
	Rev      *store.Revision
	Region   string
	Article  bool
	Amount   string   // announcements: "1,234.56元", "" without
	Types    []string // insurance type labels
	Table    *fundTable
	Account  *accountLine
	Earlier  []revisionView // every public revision but the one shown, by number
	LivePath string
	// Superseded: the page shows an earlier revision, not the live one.
	Superseded bool
}

// itemTarget resolves /disclosure/:slug/:id to a publication the public
// may see, of the kind the path names.
func (h *Handler) itemTarget(c *fiber.Ctx) (*store.Publication, pubKind, error) {
	k, ok := kindBySlug(c.Params("slug"))
	if !ok {
		return nil, k, errNotFound
	}
	p, err := h.publicPublication(c.UserContext(), c.Params("id"))
	if err != nil {
		return nil, k, err
	}
	if p.Kind != k.Kind {
		return nil, k, errPublicationNotFound
	}
	return p, k, nil
}

// itemKey is the cache key of /disclosure/:slug/:id from the request, so
// that a hit reads nothing from the store: the page is kept only when the
// id names a publication of the kind the slug names.
func itemKey(c *fiber.Ctx) string { return "/disclosure/" + c.Params("slug") + "/" + c.Params("id") }

// itemPage is the page of a publication with its live revision.
func (h *Handler) itemPage(c *fiber.Ctx) error {
	return h.cachedPage(c, itemKey(c), func(c *fiber.Ctx) error {
		p, k, err := h.itemTarget(c)
		if err != nil {
			return err
		}
		if p.Withdrawn() {
			return h.tombstonePage(c, p, k)
		}
		return h.renderItem(c, p, k, p.LiveRevision)
	})
}

// revisionPage is /disclosure/:slug/:id/revisions/:n, one earlier
// revision; the live one is the publication's page itself.
func (h *Handler) revisionPage(c *fiber.Ctx) error {
	return h.cachedPage(c, itemKey(c)+"/revisions/"+c.Params("n"), func(c *fiber.Ctx) error {
		p, k, err := h.itemTarget(c)
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(c.Params("n"))
		if err != nil || n < 1 || strconv.Itoa(n) != c.Params("n") || n > p.LiveRevision {
			return errNotFound
		}
		if n == p.LiveRevision && !p.Withdrawn() {
			return c.Redirect(itemPath(p), fiber.StatusFound)
		}
		if p.Withdrawn() {
			return h.tombstonePage(c, p, k)
		}
		return h.renderItem(c, p, k, n)
	})
}

func (h *Handler) renderItem(c *fiber.Ctx, p *store.Publication, k pubKind, number int) error {
	revs, err := h.publicRevisions(c.UserContext(), p)
	if err != nil {
		return err
	}
	v := itemView{Pub: p, Kind: k, Region: h.regionLabel(p.RegionCode), Article: isArticle(p.Kind),
		LivePath: itemPath(p), Superseded: number != p.LiveRevision}
	for _, r := range revs {
		if r.Number == number {
			v.Rev = r
			continue
		}
		v.Earlier = append(v.Earlier, revisionView{Number: r.Number, PublishedAt: r.PublishedAt,
			Path: revisionPath(p, r.Number), Superseded: r.Number != p.LiveRevision, Note: r.CorrectionNote})
	}
	if v.Rev == nil {
		return errNotFound
	}
	if v.Rev.AmountFen > 0 {
		v.Amount = casework.FormatYuan(v.Rev.AmountFen) + "元"
	}
	for _, t := range v.Rev.InsuranceTypes {
		v.Types = append(v.Types, typeName(t))
	}
	switch p.Kind {
	case store.PubFundReport:
		v.Table = h.fundTableOf(store.Published{Publication: p, Live: v.Rev}, "")
	case store.PubAccountNote:
		v.Account = &accountLine{Pub: p, Year: p.Year, Rate: percentOfBasisPoints(v.Rev.RateBasisPoints),
			Size: wanGrouped(v.Rev.FundSizeFen), Returns: wanGrouped(v.Rev.ReturnsFen), Path: itemPath(p), rev: v.Rev}
	}
	title := v.Rev.Title
	if v.Superseded {
		title += "（第" + strconv.Itoa(number) + "版，已更正）"
	}
	data := fiber.Map{
		"Title": title, "Nav": "disclosure", "Back": revisionOrItemPath(p, number), "Disclosure": true,
		"Item": v, "Columns": fundColumns,
	}
	if v.Rev.Summary != "" {
		data["Description"] = v.Rev.Summary
	}
	return h.renderPage(c, fiber.StatusOK, "disclosure/item", data)
}

func revisionOrItemPath(p *store.Publication, n int) string {
	if n == p.LiveRevision {
		return itemPath(p)
	}
	return revisionPath(p, n)
}

// tombstonePage answers a withdrawn publication with 410 Gone: gone on
// purpose, for good, and the page says when and why.
func (h *Handler) tombstonePage(c *fiber.Ctx, p *store.Publication, k pubKind) error {
	return h.renderPage(c, fiber.StatusGone, "disclosure/gone", fiber.Map{
		"Title": p.Title + "（已撤回）", "Nav": "disclosure", "Back": itemPath(p), "Disclosure": true,
		"Pub": p, "Kind": k, "Region": h.regionLabel(p.RegionCode),
	})
}
