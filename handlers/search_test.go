package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fundwatch/search"
	searchbleve "fundwatch/search/bleve"
	"fundwatch/store"
)

// faultIndex is the real Bleve public index, counting the searches that
// reach it, that a test can make fail: with an error wrapping
// search.ErrUnavailable for an engine that is down, or with any other.
type faultIndex struct {
	search.Index
	mu       sync.Mutex
	fail     error
	searches int
}

// newBleveIndex opens a public Bleve index in a temp dir.
func newBleveIndex(t testing.TB) *faultIndex {
	t.Helper()
	idx, err := searchbleve.Open(t.TempDir(), search.IndexPublic)
	if err != nil {
		t.Fatalf("open the Bleve index: %v", err)
	}
	t.Cleanup(func() { idx.Close() })
	return &faultIndex{Index: idx}
}

func (f *faultIndex) setFail(err error) {
	f.mu.Lock()
	f.fail = err
	f.mu.Unlock()
}

func (f *faultIndex) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	f.mu.Lock()
	f.searches++
	fail := f.fail
	f.mu.Unlock()
	if fail != nil {
		return nil, fail
	}
	return f.Index.Search(ctx, q)
}

func (f *faultIndex) searchCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.searches
}

// searchEnv is a portal with a public Bleve index fed by the sync loop.
type searchEnv struct {
	*testEnv
	idx    *faultIndex
	syncer *search.Syncer
}

func newSearchEnv(t *testing.T) *searchEnv {
	t.Helper()
	idx := newBleveIndex(t)
	e := newTestEnv(t, func(h *Handler) { h.Search = idx })
	return &searchEnv{testEnv: e, idx: idx, syncer: publicSyncer(e, idx)}
}

// publicSyncer is the sync loop feeding idx from e's store.
func publicSyncer(e *testEnv, idx search.Index) *search.Syncer {
	return &search.Syncer{Source: e.store, Regions: e.h.Regions, Public: idx, Log: e.h.Log}
}

// sync runs the sync loop once: the index then holds what is published
// now. Between two runs the index lags behind the store, as it does while
// the loop has not caught up.
func (e *searchEnv) sync() {
	e.t.Helper()
	if _, err := e.syncer.SyncOnce(context.Background()); err != nil {
		e.t.Fatalf("sync: %v", err)
	}
}

// withSearchContent gives e a public index holding an announcement whose
// text is hostile, and news, for the hostile tests; it returns pages
// of search answers that carry no payload, for the judge's baseline.
func withSearchContent(e *testEnv) []string {
	e.t.Helper()
	idx := newBleveIndex(e.t)
	e.h.Search = idx
	// Every payload must reach the search, not the per-client limit.
	e.h.Config.Limits.SearchPerIP = -1
	e.publish(announcement(hostileTitle))
	e.publish(article(store.PubNews, "220000", "医保基金专项检查", "医保基金专项检查正文。"))
	if _, err := publicSyncer(e, idx).SyncOnce(context.Background()); err != nil {
		e.t.Fatalf("sync: %v", err)
	}
	var bodies []string
	for _, p := range []string{"/search", "/search?q=%E9%80%9A%E6%8A%A5+%E7%AC%AC%E4%B8%80%E6%AE%B5", "/search?q=%E5%8C%BB%E4%BF%9D",
		"/search?q=x&type=x&region=x&year=x&page=x", "/api/v1/search?q=%E5%8C%BB%E4%BF%9D"} {
		_, body := e.get(p)
		bodies = append(bodies, body)
	}
	return bodies
}

func article(kind, region, title, body string) (*store.Publication, *store.Revision) {
	return &store.Publication{Kind: kind, RegionCode: region},
		&store.Revision{Title: title, Summary: "摘要。", Body: body}
}

// hitTitles returns the text of the hits' title links, in order.
func hitTitles(page string) []string {
	var out []string
	for _, m := range hitTitle.FindAllStringSubmatch(page, -1) {
		out = append(out, html.UnescapeString(markTag.ReplaceAllString(m[1], "")))
	}
	return out
}

var (
	hitTitle = regexp.MustCompile(`<a class="pub-title" href="[^"]*">(.*?)</a>`)
	markTag  = regexp.MustCompile(`</?mark>`)
)

// apiSearch sends path to the API and decodes its 200 answer.
func (e *searchEnv) apiSearch(t *testing.T, path string) apiSearchResult {
	t.Helper()
	resp, body := e.in(t).get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	var out apiSearchResult
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	return out
}

func TestSearchPageShowsHitsWithTypeDateRegionAndMarks(t *testing.T) {
	e := newSearchEnv(t)
	p := e.publish(article(store.PubAnnouncement, "220102", "关于某公司骗取失业保险金的通报", "经查，该公司虚构劳动关系骗取失业保险金12.6万元。"))
	e.publish(article(store.PubNews, "220000", "全省开展社保基金专项检查", "专项检查覆盖全部市州。"))
	e.sync()

	resp, page := e.get("/search?q=" + url.QueryEscape("失业保险金"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(page))
	}
	for _, s := range []string{
		"共找到 1 条结果",
		`<span class="badge kind">重大违纪案件通报</span>`,
		`<a class="pub-title" href="` + itemPath(p) + `">关于某公司骗取<mark>失业保险金</mark>的通报</a>`,
		`<p class="snippet">经查，该公司虚构劳动关系骗取<mark>失业保险金</mark>12.6万元。</p>`,
		`<time datetime="` + p.FirstPublishedAt.UTC().Format(time.RFC3339) + `">2026年11月27日</time> · 吉林省 长春市 南关区`,
		`value="失业保险金"`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %s\n%s", s, mainOf(page))
		}
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q: a search answer is not kept", cc)
	}

	// The same search through the API: plain text and the marked HTML.
	resp, body := e.get("/api/v1/search?q=" + url.QueryEscape("失业保险金"))
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("API: Cache-Control %q: a search answer is not kept", cc)
	}
	var out apiSearchResult
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if out.Total != 1 || len(out.Hits) != 1 || out.Page != 1 || out.PageSize != 10 || out.Pages != 1 {
		t.Fatalf("answer %+v", out)
	}
	h := out.Hits[0]
	want := apiSearchHit{
		ID: p.ID, Type: store.PubAnnouncement, TypeLabel: "重大违纪案件通报",
		Title: "关于某公司骗取失业保险金的通报", TitleHTML: "关于某公司骗取<mark>失业保险金</mark>的通报",
		URL:     "http://localhost:8080" + itemPath(p),
		Snippet: "经查，该公司虚构劳动关系骗取失业保险金12.6万元。", SnippetHTML: "经查，该公司虚构劳动关系骗取<mark>失业保险金</mark>12.6万元。",
		PublishedAt: p.FirstPublishedAt, RegionCode: "220102", RegionName: "吉林省 长春市 南关区",
	}
	if !h.PublishedAt.Equal(want.PublishedAt) {
		t.Errorf("publishedAt %v, want %v", h.PublishedAt, want.PublishedAt)
	}
	h.PublishedAt = want.PublishedAt
	if h != want {
		t.Errorf("hit\n %+v\nwant\n %+v", h, want)
	}
}

func TestSearchWithoutWordsShowsTheFormOnly(t *testing.T) {
	e := newSearchEnv(t)
	for _, path := range []string{"/search", "/search?q=", "/search?q=+++&type=news", "/search?q=%E3%80%80", "/search?q=%FF%FE"} {
		resp, page := e.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", path, resp.StatusCode)
		}
		if !strings.Contains(page, `<form class="panel search-form" method="get" action="/search"`) ||
			!strings.Contains(page, `class="hint search-hint"`) || strings.Contains(page, "共找到") {
			t.Errorf("%s: want the form and the hint only\n%s", path, mainOf(page))
		}
	}
	if e.idx.searchCount() != 0 {
		t.Errorf("%d searches for no words", e.idx.searchCount())
	}
	// The API has no form to show: no words is a refusal.
	for _, q := range []string{"", "+", "%FF"} {
		resp, body := e.get("/api/v1/search?q=" + q)
		if resp.StatusCode != http.StatusUnprocessableEntity || decodeJSONBody(t, body)["errors"].(map[string]any)["q"] != search.MsgQueryEmpty {
			t.Errorf("API with q=%s: status %d\n%s", q, resp.StatusCode, body)
		}
	}
}

// Every refusal, on the page (422, the message next to its field, the
// query kept as typed) and in the API (422, the message under the
// parameter's name).
func TestSearchRefusesBadParameters(t *testing.T) {
	e := newSearchEnv(t)
	long := strings.Repeat("医", 101)
	tests := []struct {
		name, query, field string
		page, api          string
	}{
		{"unknown type", "q=医保&type=case", "type", searchMessages["type"][0], searchMessages["type"][1]},
		{"type in another case", "q=医保&type=News", "type", searchMessages["type"][0], searchMessages["type"][1]},
		{"region not in the list", "q=医保&region=110000", "region", searchMessages["region"][0], searchMessages["region"][1]},
		{"region not a code", "q=医保&region=changchun", "region", searchMessages["region"][0], searchMessages["region"][1]},
		{"year not a number", "q=医保&year=abcd", "year", searchMessages["year"][0], searchMessages["year"][1]},
		{"year of 5 digits", "q=医保&year=20250", "year", searchMessages["year"][0], searchMessages["year"][1]},
		{"year too early", "q=医保&year=1989", "year", searchMessages["year"][0], searchMessages["year"][1]},
		{"year too late", "q=医保&year=2101", "year", searchMessages["year"][0], searchMessages["year"][1]},
		{"year with a sign", "q=医保&year=%2B202", "year", searchMessages["year"][0], searchMessages["year"][1]},
		{"page zero", "q=医保&page=0", "page", searchMessages["page"][0], searchMessages["page"][1]},
		{"page negative", "q=医保&page=-1", "page", searchMessages["page"][0], searchMessages["page"][1]},
		{"page with a leading zero", "q=医保&page=02", "page", searchMessages["page"][0], searchMessages["page"][1]},
		{"page not a number", "q=医保&page=two", "page", searchMessages["page"][0], searchMessages["page"][1]},
		{"page past the window", "q=医保&page=101", "page", searchMessages["window"][0], searchMessages["window"][1]},
		{"page past any int", "q=医保&page=99999999999999999999", "page", searchMessages["window"][0], searchMessages["window"][1]},
		{"query of 101 characters", "q=" + long, "q", search.MsgQueryTooLong, search.MsgQueryTooLong},
		{"query of 100 and a space", "q=" + strings.Repeat("医", 100) + "+", "q", search.MsgQueryTooLong, search.MsgQueryTooLong},
		{"punctuation only", "q=" + url.QueryEscape("！？……——“”"), "q", search.MsgQueryNoLetter, search.MsgQueryNoLetter},
		{"eleven words", "q=" + url.QueryEscape("一 二 三 四 五 六 七 八 九 十 百"), "q", search.MsgQueryTooMany, search.MsgQueryTooMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := e.in(t)
			before := e.idx.searchCount()
			resp, page := te.get("/search?" + tt.query)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("page: status %d, want 422\n%s", resp.StatusCode, mainOf(page))
			}
			if got := fieldError(page, tt.field); got != tt.page {
				t.Errorf("page: message at %s %q, want %q\n%s", tt.field, got, tt.page, mainOf(page))
			}
			if tt.name == "query of 101 characters" && !strings.Contains(page, `value="`+long+`"`) {
				t.Errorf("page: the query typed is not kept in the form")
			}
			resp, body := te.get("/api/v1/search?" + tt.query)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("API: status %d, want 422\n%s", resp.StatusCode, body)
			}
			m := decodeJSONBody(t, body)
			errs, _ := m["errors"].(map[string]any)
			if errs[tt.field] != tt.api || len(errs) != 1 || !hasHan(m["error"].(string)) || m["requestId"] == "" {
				t.Errorf("API: %s", body)
			}
			if e.idx.searchCount() != before {
				t.Errorf("a refused search reached the index")
			}
		})
	}

	// Several wrong parameters: each gets its message at once.
	resp, page := e.get("/search?q=医保&type=x&region=x&year=x&page=x")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, f := range []string{"type", "region", "year", "page"} {
		if fieldError(page, f) == "" {
			t.Errorf("no message at %s", f)
		}
	}
}

func TestSearchTakesAQueryOfExactly100Characters(t *testing.T) {
	e := newSearchEnv(t)
	title := strings.Repeat("医", 100)
	p := e.publish(article(store.PubNews, "220000", title, "正文。"))
	e.sync()
	for _, q := range []string{title, " " + strings.Repeat("医", 98) + " "} {
		resp, page := e.get("/search?q=" + url.QueryEscape(q))
		if resp.StatusCode != http.StatusOK || !slices.Equal(hitTitles(page), []string{title}) {
			t.Errorf("%d characters: status %d, hits %q", len([]rune(q)), resp.StatusCode, hitTitles(page))
		}
		out := e.apiSearch(t, "/api/v1/search?q="+url.QueryEscape(q))
		if out.Total != 1 || out.Hits[0].ID != p.ID {
			t.Errorf("API, %d characters: %+v", len([]rune(q)), out)
		}
	}
}

// What is shown is what the store has now: a publication withdrawn since
// it was indexed is not shown, and a corrected one shows its correction.
func TestSearchShowsOnlyWhatTheStoreStillPublishes(t *testing.T) {
	e := newSearchEnv(t)
	kept := e.publish(article(store.PubAnnouncement, "220100", "长春市挪用医保基金案通报", "挪用医保基金的案情。"))
	gone := e.publish(article(store.PubAnnouncement, "220200", "吉林市挪用医保基金案通报", "挪用医保基金的案情，已撤回。"))
	fixed := e.publish(article(store.PubNews, "220000", "医保基金监管新闻（错名张三）", "医保基金新闻正文，误写张三。"))
	e.sync()
	e.withdraw(gone, "内容有误。")
	now := e.h.now()
	e.correct(fixed, &store.Revision{Title: "医保基金监管新闻", Body: "医保基金新闻正文。", CorrectionNote: "删去姓名。",
		CreatedAt: now, UpdatedAt: now})

	resp, page := e.get("/search?q=" + url.QueryEscape("医保基金"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	titles := hitTitles(page)
	slices.Sort(titles)
	if want := []string{"医保基金监管新闻", "长春市挪用医保基金案通报"}; !slices.Equal(titles, want) {
		t.Errorf("hits %q, want %q", titles, want)
	}
	for _, s := range []string{"吉林市挪用", "张三", "已撤回。"} {
		if strings.Contains(page, s) {
			t.Errorf("page shows %q, which the store no longer publishes", s)
		}
	}
	if !strings.Contains(page, "共找到 2 条结果") || !strings.Contains(page, "<mark>医保基金</mark>监管新闻") {
		t.Errorf("page\n%s", mainOf(page))
	}

	out := e.apiSearch(t, "/api/v1/search?q="+url.QueryEscape("医保基金"))
	var ids []string
	for _, h := range out.Hits {
		ids = append(ids, h.ID)
		if strings.Contains(h.Title+h.TitleHTML+h.Snippet+h.SnippetHTML, "张三") {
			t.Errorf("API shows the corrected text: %+v", h)
		}
	}
	slices.Sort(ids)
	want := []string{kept.ID, fixed.ID}
	slices.Sort(want)
	if out.Total != 2 || !slices.Equal(ids, want) {
		t.Errorf("API: total %d ids %q, want %q", out.Total, ids, want)
	}
}

// What a publisher wrote is text: a title or body holding markup shows
// escaped, and the only markup a hit adds is <mark>.
func TestSearchHighlightsAreEscapedText(t *testing.T) {
	e := newSearchEnv(t)
	p := e.publish(announcement(hostileTitle))
	e.sync()
	resp, page := e.get("/search?q=" + url.QueryEscape("通报 第一段"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "共找到 1 条结果") {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(page))
	}
	for _, bad := range []string{"<script>alert", "<img src=x", `<a href="javascript`, "onerror=alert(1)>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q unescaped", bad)
		}
	}
	hits := page[strings.Index(page, `<ul class="search-hits">`):]
	hits = hits[:strings.Index(hits, "</ul>")]
	tags := regexp.MustCompile(`<(/?[a-z]+)`).FindAllStringSubmatch(hits, -1)
	for _, tag := range tags {
		if !slices.Contains([]string{"ul", "li", "/li", "span", "/span", "a", "/a", "p", "/p", "mark", "/mark", "time", "/time"}, tag[1]) {
			t.Errorf("hit holds a <%s> tag", tag[1])
		}
	}
	for _, s := range []string{
		`关于&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;的<mark>通报</mark> &amp; &#34;引号&#34;`,
		`<mark>第一段</mark>&lt;img src=x onerror=alert(1)&gt;。`,
	} {
		if !strings.Contains(hits, s) {
			t.Errorf("hits lack %s\n%s", s, hits)
		}
	}

	out := e.apiSearch(t, "/api/v1/search?q="+url.QueryEscape("通报 第一段"))
	if len(out.Hits) != 1 {
		t.Fatalf("API: %+v", out)
	}
	h := out.Hits[0]
	if h.ID != p.ID || h.Title != hostileTitle ||
		h.TitleHTML != `关于&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;的<mark>通报</mark> &amp; &#34;引号&#34;` ||
		!strings.HasPrefix(h.Snippet, "第一段<img src=x onerror=alert(1)>。") ||
		!strings.HasPrefix(h.SnippetHTML, "<mark>第一段</mark>&lt;img src=x onerror=alert(1)&gt;。") {
		t.Errorf("API hit %+v", h)
	}
}

// The type facet and the pages are links to the same search with the
// other parameters kept.
func TestSearchFacetsAndPagesKeepTheOtherParameters(t *testing.T) {
	e := newSearchEnv(t)
	for i := range 12 {
		e.publish(article(store.PubAnnouncement, "220102", "养老保险通报"+itoa(i+1), "养老保险基金案情。"))
		e.advance(time.Minute)
	}
	for i := range 2 {
		e.publish(article(store.PubNews, "220100", "养老保险新闻"+itoa(i+1), "养老保险新闻正文。"))
	}
	e.publish(article(store.PubNews, "220200", "吉林市养老保险新闻", "不在长春市。"))
	e.sync()

	base := "q=" + url.QueryEscape("养老保险") + "&region=220100&year=2026"
	resp, page := e.get("/search?" + base)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "共找到 14 条结果") {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(page))
	}
	if n := len(hitTitles(page)); n != 10 {
		t.Errorf("%d hits on page 1, want 10", n)
	}
	q := "q=%E5%85%BB%E8%80%81%E4%BF%9D%E9%99%A9"
	for _, s := range []string{
		`<a href="/search?` + q + `&amp;region=220100&amp;year=2026" aria-current="true">全部类别<span class="count">14</span></a>`,
		`<a href="/search?` + q + `&amp;region=220100&amp;type=announcement&amp;year=2026">重大违纪案件通报<span class="count">12</span></a>`,
		`<a href="/search?` + q + `&amp;region=220100&amp;type=news&amp;year=2026">新闻发布<span class="count">2</span></a>`,
		`<a href="/search?page=2&amp;` + q + `&amp;region=220100&amp;year=2026" rel="next">下一页</a>`,
		"第 1 页，共 2 页",
		`<option value="220100" selected>长春市</option>`, `<option value="2026" selected>2026年</option>`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %s", s)
		}
	}
	if strings.Contains(page, "听证会公告<span") {
		t.Errorf("facet lists a type without matches")
	}

	// Page 2 of the announcements: the type kept in the pages' links, and
	// the facet still counts every type.
	resp, page = e.get("/search?" + base + "&type=announcement&page=2")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if titles := hitTitles(page); len(titles) != 2 || !strings.HasPrefix(titles[0], "养老保险通报") {
		t.Errorf("page 2 hits %q", titles)
	}
	for _, s := range []string{
		`<a href="/search?page=1&amp;` + q, // never: page 1 has no page parameter
	} {
		if strings.Contains(page, s) {
			t.Errorf("page holds %s", s)
		}
	}
	for _, s := range []string{
		`<a href="/search?` + q + `&amp;region=220100&amp;type=announcement&amp;year=2026" rel="prev">上一页</a>`,
		`<a href="/search?` + q + `&amp;region=220100&amp;type=news&amp;year=2026">新闻发布<span class="count">2</span></a>`,
		`aria-current="true">重大违纪案件通报<span class="count">12</span></a>`,
		`<option value="announcement" selected>重大违纪案件通报</option>`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("page 2 lacks %s\n%s", s, mainOf(page))
		}
	}

	// A page after the last one says so and links back.
	resp, page = e.get("/search?" + base + "&page=5")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "这一页没有结果：共 2 页。") || len(hitTitles(page)) != 0 {
		t.Errorf("page 5: status %d\n%s", resp.StatusCode, mainOf(page))
	}
	out := e.apiSearch(t, "/api/v1/search?"+base+"&page=2")
	if out.Total != 14 || out.Page != 2 || out.Pages != 2 || len(out.Hits) != 4 {
		t.Errorf("API page 2: total %d page %d pages %d hits %d", out.Total, out.Page, out.Pages, len(out.Hits))
	}
	// The province is every region.
	if out := e.apiSearch(t, "/api/v1/search?q="+url.QueryEscape("养老保险")+"&region=220000"); out.Total != 15 {
		t.Errorf("the province: total %d, want 15", out.Total)
	}
	// A county the select does not list is still a region of the tree.
	resp, page = e.get("/search?q=" + url.QueryEscape("养老保险") + "&region=220102")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "共找到 12 条结果") ||
		!strings.Contains(page, `<option value="220102" selected>吉林省 长春市 南关区</option>`) {
		t.Errorf("a county: status %d\n%s", resp.StatusCode, mainOf(page))
	}
}

// The year select offers the last ten years and the years of what was
// found, such as an old fund report's.
func TestSearchYearsOfferedIncludeThoseFound(t *testing.T) {
	e := newSearchEnv(t)
	e.publish(fundReport("220000", 2003, pensionRow(1)))
	e.sync()
	_, page := e.get("/search")
	if !strings.Contains(page, `<option value="2017">2017年</option>`) || strings.Contains(page, `<option value="2016">`) ||
		strings.Contains(page, `<option value="2003">`) {
		t.Errorf("years without a search\n%s", mainOf(page))
	}
	resp, page := e.get("/search?q=" + url.QueryEscape("社会保险基金"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<option value="2003">2003年</option>`) {
		t.Errorf("status %d; the year found is not offered\n%s", resp.StatusCode, mainOf(page))
	}
	resp, page = e.get("/search?q=" + url.QueryEscape("社会保险基金") + "&year=2003&type=fund_report")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<option value="2003" selected>2003年</option>`) ||
		!strings.Contains(page, "共找到 1 条结果") {
		t.Errorf("status %d\n%s", resp.StatusCode, mainOf(page))
	}
}

func TestSearchWithoutMatchesIsAFriendlyEmptyState(t *testing.T) {
	e := newSearchEnv(t)
	e.publish(article(store.PubNews, "220000", "医保新闻", "正文。"))
	e.sync()
	resp, page := e.get("/search?q=" + url.QueryEscape("工伤") + "&type=news")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, s := range []string{
		"共找到 0 条结果", "没有找到与“工伤”相关的公开信息。",
		`<a href="/search?q=%E5%B7%A5%E4%BC%A4">不限类别、地区和年度再搜索</a>`,
		`<a href="/disclosure/announcements">重大违纪案件通报</a>`, `<a href="/disclosure/funds">基金收支和结余</a>`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %s\n%s", s, mainOf(page))
		}
	}
	if strings.Contains(page, `class="pager`) || strings.Contains(page, `class="facets"`) {
		t.Errorf("an empty result offers pages or types")
	}
}

// An engine that is down, and a portal without one, answer 503 with a
// friendly message and the ways to browse instead, logged once.
func TestSearchWhenTheEngineIsDown(t *testing.T) {
	down := newBleveIndex(t)
	down.setFail(search.Unavailable(errors.New("dial tcp 127.0.0.1:7700: connection refused")))
	for name, idx := range map[string]search.Index{"engine down": down, "no index configured": nil} {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t, func(h *Handler) { h.Search = idx })
			resp, page := e.get("/search?q=" + url.QueryEscape("医保") + "&type=news")
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("page: status %d\n%s", resp.StatusCode, mainOf(page))
			}
			id := resp.Header.Get("X-Request-Id")
			for _, s := range []string{
				"搜索服务暂时不可用", `<a href="/disclosure/news">新闻发布</a>`, `<a href="/disclosure/accounts">个人账户基金保值增值情况</a>`,
				`value="医保"`, `<option value="news" selected>`, id,
			} {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %s\n%s", s, mainOf(page))
				}
			}
			if strings.Contains(page, "connection refused") || strings.Contains(page, "configured") {
				t.Errorf("page shows the cause")
			}
			if resp.Header.Get("Retry-After") == "" {
				t.Errorf("no Retry-After")
			}
			if n := len(e.errorLogs(id)); n != 1 {
				t.Errorf("%d error records for the request, want 1:\n%s", n, e.logs.String())
			}

			resp, body := e.get("/api/v1/search?q=" + url.QueryEscape("医保"))
			m := decodeJSONBody(t, body)
			if resp.StatusCode != http.StatusServiceUnavailable || m["error"] != msgSearchUnavailable ||
				m["requestId"] != resp.Header.Get("X-Request-Id") || resp.Header.Get("Retry-After") == "" {
				t.Errorf("API: status %d %v\n%s", resp.StatusCode, resp.Header, body)
			}
			if n := len(e.errorLogs(resp.Header.Get("X-Request-Id"))); n != 1 {
				t.Errorf("API: %d error records, want 1", n)
			}
			// A search without words, or a refused one, needs no engine.
			if resp, _ := e.get("/search"); resp.StatusCode != http.StatusOK {
				t.Errorf("the form alone: status %d", resp.StatusCode)
			}
			if resp, _ := e.get("/search?q=医保&year=1"); resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("a refusal: status %d", resp.StatusCode)
			}
		})
	}
}

// Any other failure of the engine is an internal error, logged once, its
// cause not shown.
func TestSearchEngineFailureIsAnInternalError(t *testing.T) {
	idx := newBleveIndex(t)
	idx.setFail(errors.New("index corrupt: segment 7"))
	e := newTestEnv(t, func(h *Handler) { h.Search = idx })
	for _, path := range []string{"/search?q=医保", "/api/v1/search?q=医保"} {
		resp, body := e.get(path)
		if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, "segment") {
			t.Errorf("%s: status %d\n%s", path, resp.StatusCode, mainOf(body))
		}
		if n := len(e.errorLogs(resp.Header.Get("X-Request-Id"))); n != 1 {
			t.Errorf("%s: %d error records, want 1", path, n)
		}
	}
}

// The search box: in the header of every page but the search page (a link
// in the toolbar for narrow screens), on the home page and on the
// disclosure index.
func TestSearchBoxes(t *testing.T) {
	e := newSearchEnv(t)
	e.publish(article(store.PubNews, "220000", "新闻", "正文。"))
	for path, want := range map[string][]string{
		"/":           {`<form class="header-search" method="get" action="/search"`, `<a href="/search" class="toolbar-search">`, `<input id="home-q" name="q"`},
		"/disclosure": {`<form class="header-search" method="get" action="/search"`, `<input id="disclosure-q" name="q"`},
		"/guide":      {`<form class="header-search" method="get" action="/search"`},
	} {
		resp, page := e.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		for _, s := range want {
			if !strings.Contains(page, s) {
				t.Errorf("%s lacks %s", path, s)
			}
		}
	}
	_, page := e.get("/search")
	if strings.Contains(page, `class="header-search"`) || strings.Contains(page, `class="toolbar-search"`) {
		t.Errorf("the search page repeats the search box in its header")
	}
}

// The OpenAPI document says what the server checks: q's length, the
// types, the year and page patterns.
func TestOpenAPISearchParametersAreTheServers(t *testing.T) {
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	op := c.doc.Paths.Find("/api/v1/search").Get
	for _, p := range op.Parameters {
		s := p.Value.Schema.Value
		switch p.Value.Name {
		case "q":
			if !p.Value.Required || s.MaxLength == nil || int(*s.MaxLength) != search.MaxQueryRunes || s.MinLength != 1 {
				t.Errorf("q: required %v maxLength %v minLength %d", p.Value.Required, s.MaxLength, s.MinLength)
			}
		case "type":
			var enum []string
			for _, v := range s.Enum {
				enum = append(enum, v.(string))
			}
			if !slices.Equal(enum, append([]string{""}, searchKinds...)) {
				t.Errorf("type enum %q, the server's %q", enum, searchKinds)
			}
		case "page":
			if s.Pattern != "^([1-9][0-9]?|100)?$" || searchMaxPage != 100 {
				t.Errorf("page pattern %q", s.Pattern)
			}
		}
	}
}

// A client running searches past its limit waits, told for how long; the
// refused queries and the empty form do not count, and other clients
// search on.
func TestSearchIsLimitedPerClient(t *testing.T) {
	idx := newBleveIndex(t)
	e := newTestEnv(t, func(h *Handler) { h.Search = idx; h.Config.Limits.SearchPerIP = 3 })
	for range 5 {
		e.get("/search")                                                // the form only
		e.get("/search?q=" + url.QueryEscape(strings.Repeat("养", 101))) // refused
	}
	for i := range 3 {
		if resp, _ := e.get("/search?q=" + url.QueryEscape("养老")); resp.StatusCode != http.StatusOK {
			t.Fatalf("search %d: status %d", i+1, resp.StatusCode)
		}
	}
	resp, page := e.get("/api/v1/search?q=" + url.QueryEscape("养老"))
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(page, "请") {
		t.Errorf("fourth search: status %d, Retry-After %q, %s", resp.StatusCode, resp.Header.Get("Retry-After"), page)
	}
	if resp, _ := e.get("/search?q=" + url.QueryEscape("养老")); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the page past the limit: status %d", resp.StatusCode)
	}
}
