package handlers

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// The public disclosure (信息公开, DOMAIN.md "Disclosure"): fund income,
// expenditure and balance, personal-account returns, serious-case
// announcements, news and hearing notices, as they are published. Every
// page here reads published content only (a live revision, or the
// tombstone of a withdrawn item), is the same for everyone, and is served
// from the public page cache (web.PageCache), which the writer of
// publications empties on every publication through InvalidatePublic.

// pubKind is how one kind of publication appears on the public site; the
// service layer names the kinds for both sites.
type pubKind = caseflow.PublicationKind

var pubKinds = caseflow.PublicationKindInfo()

func kindBySlug(slug string) (pubKind, bool) {
	for _, k := range pubKinds {
		if k.Slug == slug {
			return k, true
		}
	}
	return pubKind{}, false
}

func kindOf(kind string) pubKind { return caseflow.PublicationKindOf(kind) }

// pubKindLabel names a kind of publication, for templates.
func pubKindLabel(kind string) string { return kindOf(kind).Label }

// isArticle tells the kinds shown as articles (text first) from the
// disclosures of figures.
func isArticle(kind string) bool {
	return kind == store.PubAnnouncement || kind == store.PubNews || kind == store.PubNotice
}

// itemPath is the public page of a publication.
func itemPath(p *store.Publication) string {
	return "/disclosure/" + kindOf(p.Kind).Slug + "/" + url.PathEscape(p.ID)
}

// revisionPath is the page of one earlier revision of a publication.
func revisionPath(p *store.Publication, n int) string {
	return itemPath(p) + "/revisions/" + strconv.Itoa(n)
}

// InvalidatePublic empties the public page cache. The writer of
// publications calls it after every publication, correction and
// withdrawal, once the store has it (cmd wires it to the service).
func (h *Handler) InvalidatePublic() {
	if h.PublicCache != nil {
		h.PublicCache.Invalidate()
	}
}

// cachedPage serves an HTML page of the disclosure from the public cache
// under its canonical path, rendering it with build on a miss. The text
// size (大字版) is part of the key: it is the one thing a page takes from
// the reader.
func (h *Handler) cachedPage(c *fiber.Ctx, canonical string, build func(*fiber.Ctx) error) error {
	key := "page " + canonical
	if h.largeText(c) {
		key += " large"
	}
	return h.PublicCache.Serve(c, key, build)
}

// cachedData serves a download, feed or API answer from the public cache.
func (h *Handler) cachedData(c *fiber.Ctx, key string, build func(*fiber.Ctx) error) error {
	return h.PublicCache.Serve(c, "data "+key, build)
}

// queryKey is the part of a cache key that a page choosing among what is
// published (a region, a year, a type) takes from the request: the named
// query parameters that are set, as the page reads them, in a fixed
// order. The key is looked up before anything is read from the store, so
// a hit costs no store read at all; the page's build reads the store and
// answers 200 only when every given value names something published (any
// other choice is redirected or refused, and not kept), so the keys kept
// stay bounded by what is published. The build runs under the cache's
// generation check, so what it reads can never outlive a publication.
func queryKey(c *fiber.Ctx, names ...string) string {
	var b strings.Builder
	for _, n := range names {
		if s := c.Query(n); s != "" {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(n)
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(s))
		}
	}
	return b.String()
}

var errPublicationNotFound = store.NotFound(store.MsgPublicationNotFound)

// publicPublication returns a publication the public may see: published
// (live, or withdrawn after it was). Drafts are not found, exactly like a
// missing id.
func (h *Handler) publicPublication(ctx context.Context, id string) (*store.Publication, error) {
	p, err := h.Store.PublicationInRegions(ctx, id, h.allRegions)
	if err != nil {
		return nil, err
	}
	if p.LiveRevision == 0 && !p.Withdrawn() {
		return nil, errPublicationNotFound
	}
	return p, nil
}

// publicRevisions returns the revisions of p the public may read: the live
// one and those it superseded, by number. A pending draft, submitted or
// approved revision is never among them.
func (h *Handler) publicRevisions(ctx context.Context, p *store.Publication) ([]*store.Revision, error) {
	revs, err := h.Store.Revisions(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := revs[:0:0]
	for _, r := range revs {
		if r.Number <= p.LiveRevision && (r.Status == store.RevPublished || r.Status == store.RevSuperseded) {
			out = append(out, r)
		}
	}
	return out, nil
}

// allPublished pages through ListPublished for every item of f.
func (h *Handler) allPublished(ctx context.Context, f store.PublishedFilter) ([]store.Published, error) {
	var out []store.Published
	f.Limit = store.MaxLimit
	for f.Offset = 0; ; f.Offset += store.MaxLimit {
		page, total, err := h.Store.ListPublished(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < store.MaxLimit || len(out) >= total {
			return out, nil
		}
	}
}

// regionOrder sorts region codes as the region tree lists them (the
// province, then its cities, then their counties), unknown codes last.
func (h *Handler) regionOrder(codes []string) []string {
	pos := make(map[string]int, len(h.allRegions))
	for i, c := range h.allRegions {
		pos[c] = i
	}
	out := slices.Clone(codes)
	slices.SortStableFunc(out, func(a, b string) int {
		pa, oka := pos[a]
		pb, okb := pos[b]
		switch {
		case oka && okb:
			return pa - pb
		case oka:
			return -1
		case okb:
			return 1
		}
		return 0
	})
	return out
}

// regionLabel is the name of a region for lists and selects: its full
// name, or the code when the tree no longer has it.
func (h *Handler) regionLabel(code string) string {
	if n := h.Regions.FullName(code); n != "" {
		return n
	}
	return code
}

// pubDate is the day a publication was first published, in CST.
func pubDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(store.CST).Format("2006-01-02")
}

// latestItem is one line of a list of publications.
type latestItem struct {
	Title     string
	Path      string
	Region    string
	Date      time.Time // first published
	Corrected bool
	Withdrawn bool
	Summary   string
	Year      int
}

func (h *Handler) latestItem(p store.Published) latestItem {
	it := latestItem{
		Title: p.Publication.Title, Path: itemPath(p.Publication), Region: h.regionLabel(p.Publication.RegionCode),
		Date: p.Publication.FirstPublishedAt, Corrected: p.Publication.LiveRevision > 1,
		Withdrawn: p.Publication.Withdrawn(), Year: p.Publication.Year,
	}
	if p.Live != nil {
		it.Summary = p.Live.Summary
	}
	return it
}

// indexSection is one kind's part of the disclosure index.
type indexSection struct {
	Kind  pubKind
	Items []latestItem
	Total int
	More  string // the page with all of them
}

// indexLatest is how many of each kind the index shows.
const indexLatest = 5

// disclosureIndex is /disclosure (信息公开): the latest of every kind.
func (h *Handler) disclosureIndex(c *fiber.Ctx) error {
	return h.cachedPage(c, "/disclosure", func(c *fiber.Ctx) error {
		var sections []indexSection
		for _, k := range pubKinds {
			page, total, err := h.Store.ListPublished(c.UserContext(), store.PublishedFilter{Kinds: []string{k.Kind}, Limit: indexLatest})
			if err != nil {
				return err
			}
			s := indexSection{Kind: k, Total: total, More: "/disclosure/" + k.Slug}
			for _, p := range page {
				s.Items = append(s.Items, h.latestItem(p))
			}
			sections = append(sections, s)
		}
		return h.renderPage(c, fiber.StatusOK, "disclosure/index", fiber.Map{
			"Title": "信息公开", "Nav": "disclosure", "Back": "/disclosure", "Disclosure": true,
			"Sections": sections,
		})
	})
}

// homeLatest is what the home page shows of the disclosure: the latest
// announcements and the latest disclosures of figures (fund tables and
// account notes) and news. It is read from the store once per generation
// of the public cache — after each publish — not per request, since the
// home page is the most visited one.
type homeLatest struct {
	Announcements []latestItem
	Disclosures   []latestItem
	News          []latestItem
}

// homeLatestCount is how many of each the home page lists.
const homeLatestCount = 5

func (h *Handler) latestForHome(c *fiber.Ctx) *homeLatest {
	gen := h.PublicCache.Generation()
	h.homeMu.Lock()
	if h.homeGen == gen && h.homeLatest != nil {
		l := h.homeLatest
		h.homeMu.Unlock()
		return l
	}
	h.homeMu.Unlock()
	l := &homeLatest{}
	for _, part := range []struct {
		kinds []string
		dst   *[]latestItem
	}{
		{[]string{store.PubAnnouncement}, &l.Announcements},
		{[]string{store.PubFundReport, store.PubAccountNote}, &l.Disclosures},
		{[]string{store.PubNews, store.PubNotice}, &l.News},
	} {
		page, _, err := h.Store.ListPublished(c.UserContext(), store.PublishedFilter{Kinds: part.kinds, Limit: homeLatestCount})
		if err != nil {
			h.Log.Warn("home page without the latest publications", "request_id", web.RequestID(c), "error", err)
			return nil
		}
		for _, p := range page {
			*part.dst = append(*part.dst, h.latestItem(p))
		}
	}
	h.homeMu.Lock()
	h.homeGen, h.homeLatest = gen, l
	h.homeMu.Unlock()
	return l
}
