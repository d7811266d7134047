package handlers

import (
	"context"
	"errors"
	"html"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/search"
	"fundwatch/store"
)

// Search of what is published (站内搜索): GET /search, the page, and GET
// /api/v1/search, its JSON. Both read the public index (Handler.Search)
// with the reader's words and filters, then load every hit back through
// the store: a hit whose publication is no longer live (withdrawn, gone)
// is skipped, and what is shown is the live revision, so the store stays
// the authority on what the public may read even while the index lags
// behind it. Answers depend on the query and are not cached; an engine
// that is down (or none configured) is a friendly 503, never a 500.

// searchPageSize is how many hits a page shows.
const searchPageSize = 10

// searchMaxPage is the last page a search offers: no engine pages past
// search.MaxWindow results.
const searchMaxPage = search.MaxWindow / searchPageSize

// Year bounds of the year filter, as on the disclosure API.
const (
	searchMinYear = 1990
	searchMaxYear = 2100
)

// searchYearsOffered is how many recent years the year select lists.
const searchYearsOffered = 10

// searchKinds are the public types a search filters by, in the order the
// type select lists them.
var searchKinds = []string{store.PubAnnouncement, store.PubNews, store.PubNotice, store.PubFundReport, store.PubAccountNote}

// The refusals of the search parameters: the page's sentence, then the
// API's, which names the parameter and what it takes. The query's own are
// search.Msg*, the same on both.
var searchMessages = map[string][2]string{
	"type": {"信息类别不正确，请从列表中选择。",
		"参数 type 不正确，可选值为 " + strings.Join(searchKinds, "、") + "。"},
	"region": {"地区不正确，请从列表中选择。", "参数 region 不是吉林省的地区代码。"},
	"year":   {"年度不正确，请从列表中选择。", "参数 year 应为1990至2100之间的四位数年份。"},
	"page":   {"页码不正确，请使用页面上的翻页链接。", "参数 page 应为正整数。"},
	"window": {"最多只能查看前1000条结果（第1至100页），请增加搜索词或选择类别、地区、年度缩小范围。",
		"参数 page 最大为100：最多只能查看前1000条结果，请增加搜索词或用 type、region、year 缩小范围。"},
}

// searchRequest is a search as sent and as read. The strings are what the
// form shows again; words and query mean something only when errors is
// empty.
type searchRequest struct {
	Q, Type, Region, Year string
	PageText              string
	page                  int
	year                  int
	words                 []search.Word
	query                 search.Query
	// blank: no words at all, so the page shows the form only.
	blank  bool
	errors FieldErrors
}

// readSearch reads and checks q, type, region, year and page; api picks
// the API's sentences. Every parameter is checked, so each wrong one gets
// its message at once.
func (h *Handler) readSearch(c *fiber.Ctx, api bool) *searchRequest {
	msg := func(key string) string {
		if api {
			return searchMessages[key][1]
		}
		return searchMessages[key][0]
	}
	r := &searchRequest{
		Q: strings.ToValidUTF8(c.Query("q"), "\uFFFD"), Type: c.Query("type"), Region: c.Query("region"),
		Year: c.Query("year"), PageText: c.Query("page"), errors: FieldErrors{},
	}
	raw := c.Query("q")
	switch {
	case utf8.RuneCountInString(raw) > search.MaxQueryRunes:
		// Counted as sent, spaces included: that is what the form and the
		// OpenAPI document's maxLength count, and a query is refused
		// rather than cut.
		r.errors.Add("q", search.MsgQueryTooLong)
	case strings.TrimSpace(strings.ToValidUTF8(raw, " ")) == "":
		// Bytes that are not UTF-8 separate words (search.ParseQuery):
		// alone, they are nothing typed.
		r.blank = true
	default:
		words, err := search.ParseQuery(raw)
		var qe *search.QueryError
		switch {
		case errors.As(err, &qe):
			r.errors.Add("q", qe.Message)
		case err != nil:
			r.errors.Add("q", search.MsgQueryNoLetter)
		}
		r.words = words
	}
	q := search.Query{Text: raw}
	if r.Type != "" {
		if !slices.Contains(searchKinds, r.Type) {
			r.errors.Add("type", msg("type"))
		}
		q.Types = []string{r.Type}
	}
	if r.Region != "" {
		if _, ok := h.Regions.Lookup(r.Region); !ok {
			r.errors.Add("region", msg("region"))
		} else if r.Region != h.Regions.Root().Code {
			q.RegionCodes = h.Regions.Descendants(r.Region)
		}
	}
	if r.Year != "" {
		n, err := strconv.Atoi(r.Year)
		if err != nil || len(r.Year) != 4 || strconv.Itoa(n) != r.Year || n < searchMinYear || n > searchMaxYear {
			r.errors.Add("year", msg("year"))
		}
		r.year, q.Year = n, n
	}
	r.page = 1
	if r.PageText != "" {
		digits := strings.Trim(r.PageText, "0123456789") == "" && r.PageText[0] != '0'
		n, err := strconv.Atoi(r.PageText)
		switch {
		case !digits:
			r.errors.Add("page", msg("page"))
		case err != nil || n > searchMaxPage:
			r.errors.Add("page", msg("window"))
		default:
			r.page = n
		}
	}
	q.Offset, q.Limit = search.Bounds((r.page-1)*searchPageSize, searchPageSize)
	r.query = q
	return r
}

// href is the address of this search with the given type and page, the
// other parameters kept.
func (r *searchRequest) href(typ string, page int) string {
	v := url.Values{"q": {r.Q}}
	if typ != "" {
		v.Set("type", typ)
	}
	if r.Region != "" {
		v.Set("region", r.Region)
	}
	if r.Year != "" {
		v.Set("year", r.Year)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "/search?" + v.Encode()
}

// searchHit is one hit as the page and the API show it: read from the
// store's live revision, with the engine's highlights where they still
// match that text.
type searchHit struct {
	ID          string
	Kind        pubKind
	Path        string
	Title       string
	Snippet     string // the snippet's text without the marks
	TitleHTML   template.HTML
	SnippetHTML template.HTML
	Date        time.Time // first published
	RegionCode  string
	Region      string
}

// searchFacet is one line of the type facet: a link to the same search
// with that type (or with none, for 全部).
type searchFacet struct {
	Label   string
	Count   int
	Href    string
	Current bool
}

// searchResults is what one search found, loaded back through the store.
type searchResults struct {
	Total  int
	Hits   []searchHit
	Facets []searchFacet
	// Skipped counts hits of this page whose publication is no longer
	// live: the index has not caught up with a withdrawal yet.
	Skipped int
	// Years are the years the matches have, for the year select.
	Years []int
}

// errSearchNotConfigured is what a portal without a search index answers:
// like an engine that is down.
var errSearchNotConfigured = search.Unavailable(errors.New("no search index configured"))

// runSearch asks the index and loads the hits back through the store.
func (h *Handler) runSearch(ctx context.Context, r *searchRequest) (*searchResults, error) {
	if h.Search == nil {
		return nil, errSearchNotConfigured
	}
	// With a type chosen the facets still count every type, so a reader
	// can move between them: they come from the same search without the
	// type (one hit is the least a page asks for).
	q := r.query
	q.Facets = r.Type == ""
	res, err := h.Search.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	all := res
	if r.Type != "" {
		q := r.query
		q.Types, q.Offset, q.Limit, q.Facets = nil, 0, 1, true
		if all, err = h.Search.Search(ctx, q); err != nil {
			return nil, err
		}
	}
	out := &searchResults{Total: res.Total}
	for _, f := range all.Facets.Years {
		if y, err := strconv.Atoi(f.Value); err == nil && y >= searchMinYear && y <= searchMaxYear {
			out.Years = append(out.Years, y)
		}
	}
	if all.Total == 0 {
		return out, nil
	}
	out.Facets = append(out.Facets, searchFacet{Label: "全部类别", Count: all.Total, Href: r.href("", 1), Current: r.Type == ""})
	counts := map[string]int{}
	for _, f := range all.Facets.Types {
		counts[f.Value] = f.Count
	}
	for _, k := range searchKinds {
		if counts[k] > 0 || k == r.Type {
			out.Facets = append(out.Facets, searchFacet{Label: caseflow.PublicationKindLabel(k), Count: counts[k],
				Href: r.href(k, 1), Current: k == r.Type})
		}
	}
	if len(res.Hits) == 0 {
		return out, nil
	}
	ids := make([]string, len(res.Hits))
	for i, hit := range res.Hits {
		ids[i] = hit.ID
	}
	pubs, err := h.Store.PublishedByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	live := make(map[string]store.Published, len(pubs))
	for _, p := range pubs {
		if p.Live != nil && !p.Publication.Withdrawn() {
			live[p.Publication.ID] = p
		}
	}
	for _, hit := range res.Hits {
		p, ok := live[hit.ID]
		if !ok {
			out.Skipped++
			continue
		}
		out.Hits = append(out.Hits, h.searchHitOf(hit, p, r.words))
	}
	// The engine's total still counts what this page skipped; what the
	// reader can open is that much less.
	out.Total = max(out.Total-out.Skipped, len(out.Hits))
	return out, nil
}

// searchHitOf shows hit as the store has it now. The engine's marked title
// and snippet are used while they are the live revision's text; after a
// correction the index has not caught up with, they are marked anew from
// the live text with the same words, so a corrected text never shows.
func (h *Handler) searchHitOf(hit search.Hit, p store.Published, words []search.Word) searchHit {
	pub, rev := p.Publication, p.Live
	titleHTML := hit.TitleHTML
	if markedText(titleHTML) != rev.Title {
		titleHTML = search.Mark(rev.Title, wordSpans(words, rev.Title))
	}
	snippetHTML := hit.SnippetHTML
	if s := strings.Trim(markedText(snippetHTML), "…"); !strings.Contains(rev.Body, s) || (s == "" && rev.Body != "") {
		snippetHTML = search.Snippet(rev.Body, wordSpans(words, rev.Body))
	}
	return searchHit{
		ID: pub.ID, Kind: kindOf(pub.Kind), Path: itemPath(pub),
		Title: rev.Title, Snippet: markedText(snippetHTML),
		// Safe HTML by search.Mark's contract: the text escaped first,
		// then only <mark> and </mark> added. Nothing else is trusted.
		TitleHTML:   template.HTML(titleHTML),
		SnippetHTML: template.HTML(snippetHTML),
		Date:        pub.FirstPublishedAt, RegionCode: pub.RegionCode, Region: h.regionLabel(pub.RegionCode),
	}
}

// markedText is the text of escaped-then-marked HTML: without the marks,
// unescaped. A "<mark>" in the text itself was escaped, so only the
// marks are removed.
func markedText(s string) string {
	s = strings.ReplaceAll(s, "<mark>", "")
	s = strings.ReplaceAll(s, "</mark>", "")
	return html.UnescapeString(s)
}

// wordSpans is where the words occur in text.
func wordSpans(words []search.Word, text string) []search.Span {
	units := search.Units(text)
	var spans []search.Span
	for _, w := range words {
		spans = append(spans, w.Spans(units)...)
	}
	return spans
}

// searchView is what the search page shows.
type searchView struct {
	Form    *searchRequest
	Errors  FieldErrors
	Types   []option
	Regions []option
	Years   []option
	Results *searchResults
	Pager   *searchPager
	// Unavailable: the engine is down; the page says so.
	Unavailable bool
	// Filtered: a type, region or year narrows the search (the empty
	// state offers the search without them).
	Filtered   bool
	Unfiltered string
}

// searchPager is the paging of the hits: never past searchMaxPage.
type searchPager struct {
	Page, Pages int
	Prev, Next  string
	First       string
	// Capped: there are more matches than the pages offer.
	Capped bool
	// Past: the page asked for is after the last one.
	Past bool
}

func newSearchPager(r *searchRequest, total int) *searchPager {
	pages := max(1, (total+searchPageSize-1)/searchPageSize)
	p := &searchPager{Page: r.page, Pages: min(pages, searchMaxPage), Capped: total > search.MaxWindow,
		First: r.href(r.Type, 1)}
	p.Past = r.page > p.Pages
	if r.page > 1 && !p.Past {
		p.Prev = r.href(r.Type, r.page-1)
	}
	if r.page < p.Pages {
		p.Next = r.href(r.Type, r.page+1)
	}
	return p
}

// searchPage is GET /search.
func (h *Handler) searchPage(c *fiber.Ctx) error {
	r := h.readSearch(c, false)
	v := &searchView{Form: r, Errors: r.errors, Filtered: r.Type != "" || r.Region != "" || r.Year != ""}
	v.Unfiltered = "/search?" + url.Values{"q": {r.Q}}.Encode()
	status := fiber.StatusOK
	switch {
	case len(r.errors) > 0:
		status = fiber.StatusUnprocessableEntity
	case r.blank:
	default:
		if err := h.searchAllowed(c); err != nil {
			return err
		}
		res, err := h.runSearch(c.UserContext(), r)
		var qe *search.QueryError
		switch {
		case errors.Is(err, search.ErrUnavailable):
			h.Web.LogError(c, "search unavailable", err)
			status, v.Unavailable = fiber.StatusServiceUnavailable, true
			c.Set(fiber.HeaderRetryAfter, "30")
		case errors.As(err, &qe):
			r.errors.Add("q", qe.Message)
			status = fiber.StatusUnprocessableEntity
		case err != nil:
			return err
		default:
			v.Results, v.Pager = res, newSearchPager(r, res.Total)
		}
	}
	h.searchOptions(v, v.Results)
	title := "站内搜索"
	if r.Q != "" && status == fiber.StatusOK {
		title = "搜索：" + clipRunes(strings.TrimSpace(r.Q), 30)
	}
	data := fiber.Map{"Title": title, "Nav": "search", "Disclosure": true, "Search": v, "Kinds": pubKinds}
	if err := h.renderPage(c, status, "search", data); err != nil {
		return err
	}
	// The page holds no secret (no form token, no session): it may be
	// compressed although it reflects the query (web/compress.go).
	web.AllowCompression(c)
	return nil
}

// searchAllowed counts a search against the client's limit (429 with the
// real wait past it). Refused queries and the empty form do not count.
func (h *Handler) searchAllowed(c *fiber.Ctx) error {
	lim := h.Config.Limits
	if ok, wait := h.limiter.AllowWait("search-ip:"+h.clientIP(c), lim.SearchPerIP, lim.SearchWindow); !ok {
		return web.TooMany(wait)
	}
	return nil
}

// clipRunes cuts s to n characters, with "…" when cut.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// searchOptions fills the selects: every public type; the province (all of
// it) and its cities, plus a county when one was asked for; the recent
// years, those the results have and the one asked for.
func (h *Handler) searchOptions(v *searchView, res *searchResults) {
	r := v.Form
	v.Types = []option{{"", "全部类别", r.Type == ""}}
	for _, k := range searchKinds {
		v.Types = append(v.Types, option{k, caseflow.PublicationKindLabel(k), k == r.Type})
	}
	root := h.Regions.Root()
	chosen := r.Region
	if chosen == root.Code {
		chosen = ""
	}
	v.Regions = []option{{"", root.Name + "（全省）", chosen == ""}}
	found := chosen == ""
	for _, city := range h.Regions.Cities() {
		v.Regions = append(v.Regions, option{city.Code, city.Name, city.Code == chosen})
		found = found || city.Code == chosen
	}
	if !found && v.Errors["region"] == "" {
		v.Regions = append(v.Regions, option{chosen, h.regionLabel(chosen), true})
	}
	years := map[int]bool{}
	this := h.now().In(store.CST).Year()
	for y := this; y > this-searchYearsOffered; y-- {
		years[y] = true
	}
	if r.year != 0 && v.Errors["year"] == "" {
		years[r.year] = true
	}
	if res != nil {
		for _, y := range res.Years {
			years[y] = true
		}
	}
	list := make([]int, 0, len(years))
	for y := range years {
		list = append(list, y)
	}
	slices.Sort(list)
	slices.Reverse(list)
	v.Years = []option{{"", "全部年度", r.year == 0 || v.Errors["year"] != ""}}
	for _, y := range list {
		s := strconv.Itoa(y)
		v.Years = append(v.Years, option{s, s + "年", s == r.Year})
	}
}

// apiSearchHit is one hit of GET /api/v1/search.
type apiSearchHit struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"`
	TypeLabel   string    `json:"typeLabel"`
	Title       string    `json:"title"`
	TitleHTML   string    `json:"titleHtml"`
	URL         string    `json:"url"`
	Snippet     string    `json:"snippet"`
	SnippetHTML string    `json:"snippetHtml"`
	PublishedAt time.Time `json:"publishedAt"`
	RegionCode  string    `json:"regionCode"`
	RegionName  string    `json:"regionName"`
}

type apiSearchResult struct {
	Total    int            `json:"total"`
	Page     int            `json:"page"`
	PageSize int            `json:"pageSize"`
	Pages    int            `json:"pages"`
	Hits     []apiSearchHit `json:"hits"`
}

// apiSearch is GET /api/v1/search: the page's search as JSON.
func (h *Handler) apiSearch(c *fiber.Ctx) error {
	r := h.readSearch(c, true)
	if r.blank {
		r.errors.Add("q", search.MsgQueryEmpty)
	}
	if len(r.errors) > 0 {
		return h.apiSearchInvalid(c, r.errors)
	}
	if err := h.searchAllowed(c); err != nil {
		return err
	}
	res, err := h.runSearch(c.UserContext(), r)
	var qe *search.QueryError
	switch {
	case errors.Is(err, search.ErrUnavailable):
		h.Web.LogError(c, "search unavailable", err)
		c.Set(fiber.HeaderRetryAfter, "30")
		return sendJSON(c, fiber.StatusServiceUnavailable, apiError{Error: msgSearchUnavailable, RequestID: web.RequestID(c)})
	case errors.As(err, &qe):
		return h.apiSearchInvalid(c, FieldErrors{"q": qe.Message})
	case err != nil:
		return err
	}
	out := apiSearchResult{Total: res.Total, Page: r.page, PageSize: searchPageSize,
		Pages: newSearchPager(r, res.Total).Pages, Hits: []apiSearchHit{}}
	for _, hit := range res.Hits {
		out.Hits = append(out.Hits, apiSearchHit{
			ID: hit.ID, Type: hit.Kind.Kind, TypeLabel: hit.Kind.Label, Title: hit.Title, TitleHTML: string(hit.TitleHTML),
			URL: h.absolute(hit.Path), Snippet: hit.Snippet, SnippetHTML: string(hit.SnippetHTML),
			PublishedAt: hit.Date, RegionCode: hit.RegionCode, RegionName: hit.Region,
		})
	}
	if err := sendJSON(c, fiber.StatusOK, out); err != nil {
		return err
	}
	web.AllowCompression(c)
	return nil
}

// msgSearchUnavailable is the API's 503 sentence; the page says more.
const msgSearchUnavailable = "搜索服务暂时不可用，请稍后再试。公开信息仍可通过 /api/v1/articles 和 /api/v1/disclosures 浏览。"

func (h *Handler) apiSearchInvalid(c *fiber.Ctx, fe FieldErrors) error {
	return sendJSON(c, fiber.StatusUnprocessableEntity, apiValidation{
		Error: "搜索参数有需要修改的地方", Errors: fe, RequestID: web.RequestID(c),
	})
}
