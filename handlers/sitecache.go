package handlers

import (
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// The pages of the site that are the same for every visitor without a
// session and hold nothing private, besides the disclosure: the home page,
// the guide, 联系我们, the statistics (page, CSV and JSON downloads, API)
// and the OpenAPI document. They were rendered (or hashed and compressed)
// on every request; they are kept rendered in web.PageCaches like the
// disclosure's, which answer a hit with the kept bytes, its brotli or gzip
// copy made once, its ETag and Last-Modified, or a 304.
//
// Besides the configuration and the build (fixed for the process, and the
// text size, which is part of a page's key), what they show comes from:
//
//   - the case statistics, counted at most once a minute (statsCache): the
//     home page and the statistics;
//   - the latest publications, which change with the public page cache's
//     generation: the home page;
//   - the offices (受理机构) administrators entered, read again after every
//     change and every minute: 联系我们;
//   - the current year (China Standard Time): the home page's summary and
//     the statistics' default years.
//
// Each group of pages that show the same sources has a cache of its own
// (keptPages), so that a change of one source rebuilds only the pages that
// show it, and their Last-Modified moves only then. Before its lookup a
// page reads the current state of its group's sources (cheap: a lock and a
// comparison each). When one differs from what the kept pages were built
// from, the group's cache is emptied; a page being built meanwhile is not
// kept (the cache's generation check), and a build reads the sources
// itself, after the lookup, so no page is kept from a state older than the
// one its request saw. The sources move at most a few times a minute, so
// the pages are rebuilt at most that often.
type siteSource uint8

const (
	fromStats siteSource = 1 << iota
	fromPublications
	fromOffices
	fromYear
)

// siteState is the state of the sources, as a group's kept pages were
// built from them.
type siteState struct {
	stats   uint64
	public  uint64
	offices *casework.OfficeDirectory
	year    int
}

// keptPages is one group of the site's pages, kept in their own page cache
// and rebuilt when one of the sources they show changes.
type keptPages struct {
	from  siteSource
	cache *web.PageCache

	mu   sync.Mutex
	seen siteState
	// fresh is false until the first check: the state of the first
	// request is what the first pages are built from.
	fresh bool
}

func newKeptPages(from siteSource, clock func() time.Time) *keptPages {
	pc := web.NewPageCache(clock)
	pc.SetMaxAge(web.PageMaxAge)
	return &keptPages{from: from, cache: pc}
}

// sitePages are the site's kept pages, by what they show.
type sitePages struct {
	// fixed: the guide and the OpenAPI document, which change only with
	// the build or the configuration.
	fixed *keptPages
	// home: the home page, with the statistics summary and the latest
	// publications.
	home *keptPages
	// stats: the statistics in every form, whose Last-Modified is then
	// when the figures last changed (as the API documents it).
	stats *keptPages
	// offices: 联系我们.
	offices *keptPages
}

func newSitePages(clock func() time.Time) sitePages {
	return sitePages{
		fixed:   newKeptPages(0, clock),
		home:    newKeptPages(fromStats|fromPublications|fromYear, clock),
		stats:   newKeptPages(fromStats|fromYear, clock),
		offices: newKeptPages(fromOffices, clock),
	}
}

// checkSources reads the current state of the group's sources and empties its
// cache when one has changed since its pages were built.
func (h *Handler) checkSources(c *fiber.Ctx, k *keptPages) {
	if k.from == 0 {
		return
	}
	var cur siteState
	statsKnown := false
	if k.from&fromStats != 0 {
		// A store that cannot count (and never could) leaves the
		// statistics as they were: the pages are built without them, and
		// the first count that succeeds moves the version.
		if s, err := h.caseStatistics(c.UserContext()); err == nil {
			cur.stats, statsKnown = s.version, true
		}
	}
	if k.from&fromPublications != 0 {
		cur.public = h.PublicCache.Generation()
	}
	if k.from&fromOffices != 0 {
		cur.offices = h.offices()
	}
	if k.from&fromYear != 0 {
		cur.year = h.now().In(store.CST).Year()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if !statsKnown {
		cur.stats = k.seen.stats
	}
	if k.fresh && cur == k.seen {
		return
	}
	// Under k.mu, so that two requests that saw two states empty the
	// cache in the order they recorded them.
	k.seen, k.fresh = cur, true
	k.cache.Invalidate()
}

// sitePage serves an HTML page of group k under its canonical path,
// rendering it with build on a miss; the text size (大字版) is part of the
// key, as for the disclosure's pages.
func (h *Handler) sitePage(c *fiber.Ctx, k *keptPages, canonical string, build func(*fiber.Ctx) error) error {
	h.checkSources(c, k)
	key := "page " + canonical
	if h.largeText(c) {
		key += " large"
	}
	return k.cache.Serve(c, key, build)
}

// siteData serves a download or an API answer of group k.
func (h *Handler) siteData(c *fiber.Ctx, k *keptPages, key string, build func(*fiber.Ctx) error) error {
	h.checkSources(c, k)
	return k.cache.Serve(c, "data "+key, build)
}
