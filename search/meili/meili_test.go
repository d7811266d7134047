package meili

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"fundwatch/search"
)

func testConfig(f *fakeMeili) Config {
	return Config{URL: f.srv.URL, APIKey: "test-key", Timeout: 5 * time.Second}
}

func openFake(t *testing.T, f *fakeMeili, name string) *Index {
	t.Helper()
	f.mu.Lock()
	f.apiKey = "test-key"
	f.mu.Unlock()
	ix, err := Open(context.Background(), testConfig(f), name)
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}

// decodeJSON decodes a request body into a map.
func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %s: %v", b, err)
	}
	return m
}

// asJSON turns v into what decoding its JSON gives, to compare with
// decoded bodies.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenCreatesIndexAndAppliesSettings(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	if ix.UID() != "fundwatch_public" {
		t.Errorf("uid = %q", ix.UID())
	}

	creates := f.requestsTo("POST", "/indexes")
	if len(creates) != 1 {
		t.Fatalf("%d index creations, want 1", len(creates))
	}
	if got := decodeJSON(t, creates[0].Body); got["uid"] != "fundwatch_public" || got["primaryKey"] != "id" {
		t.Errorf("create index body %v", got)
	}
	if creates[0].Auth != "Bearer test-key" {
		t.Errorf("Authorization %q", creates[0].Auth)
	}

	patches := f.requestsTo("PATCH", "/indexes/fundwatch_public/settings")
	if len(patches) != 1 {
		t.Fatalf("%d settings updates, want 1", len(patches))
	}
	got := decodeJSON(t, patches[0].Body)
	searchable := []any{"titleUnits", "titleAlt", "extraUnits", "extraAlt", "bodyUnits", "bodyAlt"}
	want := map[string]any{
		"rankingRules":         []any{"words", "typo", "proximity", "attribute", "exactness", "sort"},
		"searchableAttributes": searchable,
		"displayedAttributes":  []any{"id", "type", "title", "body", "regionCode", "year", "date"},
		"filterableAttributes": []any{"type", "regionCode", "year", "status", "class", "category", "kind"},
		"sortableAttributes":   []any{"date", "id"},
		"localizedAttributes":  []any{map[string]any{"attributePatterns": searchable, "locales": []any{"cmn"}}},
		// pagination is left out: a new index already has maxTotalHits
		// 1000, search.MaxWindow (TestOpenUpdatesOnlyWhatDiffers sets it).
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings body\n got %v\nwant %v", got, want)
	}
	// Phrases get no synonyms and a dictionary term would hide the shorter
	// words inside it, so neither is set (see document.go).
	for _, k := range []string{"dictionary", "synonyms", "stopWords"} {
		if _, ok := got[k]; ok {
			t.Errorf("settings body sets %s", k)
		}
	}

	// Open waited for both tasks: each was polled until it finished.
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.tasks) != 2 {
		t.Fatalf("%d tasks, want 2", len(f.tasks))
	}
	for _, task := range f.tasks {
		if task.status != "succeeded" {
			t.Errorf("task %d (%s) is %s after Open", task.uid, task.kind, task.status)
		}
	}
	if ixf := f.indexes["fundwatch_public"]; ixf == nil || ixf.primaryKey != "id" {
		t.Errorf("index after Open: %+v", ixf)
	}
}

func TestOpenAgainChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	first := openFake(t, f, search.IndexCases)
	_ = first.Close()
	before := len(f.writes())

	second := openFake(t, f, search.IndexCases)
	if w := f.writes()[before:]; len(w) != 0 {
		t.Errorf("reopening an index set up alike sent %v", w)
	}
	if second.UID() != "fundwatch_cases" {
		t.Errorf("uid = %q", second.UID())
	}
}

func TestOpenUpdatesOnlyWhatDiffers(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	openFake(t, f, search.IndexPublic).Close()
	f.mu.Lock()
	s := f.indexes["fundwatch_public"].settings
	s["pagination"] = map[string]any{"maxTotalHits": 5000}
	s["rankingRules"] = defaultSettings()["rankingRules"]
	s["proximityPrecision"] = "byAttribute"
	// Order does not matter in a set.
	s["displayedAttributes"] = []any{"date", "year", "regionCode", "body", "title", "type", "id"}
	f.mu.Unlock()
	before := len(f.requestsTo("PATCH", "/indexes/fundwatch_public/settings"))

	openFake(t, f, search.IndexPublic)
	patches := f.requestsTo("PATCH", "/indexes/fundwatch_public/settings")[before:]
	if len(patches) != 1 {
		t.Fatalf("%d settings updates, want 1", len(patches))
	}
	got := decodeJSON(t, patches[0].Body)
	want := map[string]any{
		"pagination":         map[string]any{"maxTotalHits": float64(search.MaxWindow)},
		"rankingRules":       []any{"words", "typo", "proximity", "attribute", "exactness", "sort"},
		"proximityPrecision": "byWord",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings body\n got %v\nwant %v", got, want)
	}
}

func TestOpenResetsTokenSettings(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	f.addIndex("fundwatch_public", "id", map[string]any{
		"dictionary": []any{"基本养老保险", "吉林市"},
		"synonyms":   map[string]any{"医保": []any{"医疗保险"}, "医疗保险": []any{"医保"}},
		"stopWords":  []any{"的"},
	})
	openFake(t, f, search.IndexPublic)
	for _, name := range []string{"dictionary", "synonyms", "stop-words"} {
		if n := len(f.requestsTo("DELETE", "/indexes/fundwatch_public/settings/"+name)); n != 1 {
			t.Errorf("%d resets of %s, want 1", n, name)
		}
	}
	for _, name := range []string{"separator-tokens", "non-separator-tokens"} {
		if n := len(f.requestsTo("DELETE", "/indexes/fundwatch_public/settings/"+name)); n != 0 {
			t.Errorf("%s reset although empty", name)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.indexes["fundwatch_public"].settings
	if len(s["dictionary"].([]any)) != 0 || len(s["synonyms"].(map[string]any)) != 0 || len(s["stopWords"].([]any)) != 0 {
		t.Errorf("after Open: dictionary %v, synonyms %v, stop words %v", s["dictionary"], s["synonyms"], s["stopWords"])
	}
}

func TestOpenFailedSettingsTask(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	f.failNext["settingsUpdate"] = apiErr("invalid_settings_ranking_rules", "`sort` ranking rule is invalid.")
	_, err := Open(context.Background(), testConfig(f), search.IndexPublic)
	var te *TaskError
	if !errors.As(err, &te) || te.Code != "invalid_settings_ranking_rules" || te.Status != "failed" {
		t.Fatalf("Open = %v, want the failed task", err)
	}
	if errors.Is(err, search.ErrUnavailable) {
		t.Error("a failed task is reported as an unavailable engine")
	}
}

func TestOpenIndexCreatedMeanwhile(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	// The index is missing when asked for, then another process creates
	// it before this one does.
	f.setOverride(func(w http.ResponseWriter, r *http.Request) {
		reply(w, 404, apiErr("index_not_found", "Index `fundwatch_public` not found."))
		f.addIndex("fundwatch_public", "id", nil)
		f.setOverride(nil)
	})
	if _, err := Open(context.Background(), testConfig(f), search.IndexPublic); err != nil {
		t.Fatalf("Open while another process created the index: %v", err)
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	f.addIndex("fundwatch_public", "uuid", nil)
	tests := []struct {
		name string
		cfg  Config
		idx  string
	}{
		{"unknown index name", testConfig(f), "private"},
		{"empty URL", Config{}, search.IndexPublic},
		{"URL without scheme", Config{URL: "127.0.0.1:7700"}, search.IndexPublic},
		{"prefix with a slash", Config{URL: f.srv.URL, IndexPrefix: "a/b"}, search.IndexPublic},
		{"index with another primary key", testConfig(f), search.IndexPublic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ix, err := Open(context.Background(), tt.cfg, tt.idx); err == nil {
				ix.Close()
				t.Fatal("Open succeeded")
			} else if errors.Is(err, search.ErrUnavailable) {
				t.Errorf("Open = %v: not an outage", err)
			}
		})
	}
}

func TestIndexPrefix(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	cfg := testConfig(f)
	cfg.IndexPrefix = "fwtest_a1_"
	ix, err := Open(context.Background(), cfg, search.IndexCases)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.UID() != "fwtest_a1_cases" || ix.Name() != search.IndexCases || ix.Config().IndexPrefix != "fwtest_a1_" {
		t.Errorf("uid %q name %q config %+v", ix.UID(), ix.Name(), ix.Config())
	}
	if err := Drop(context.Background(), cfg, search.IndexCases); err != nil {
		t.Fatalf("Drop: %v", err)
	}
	f.mu.Lock()
	_, still := f.indexes["fwtest_a1_cases"]
	f.mu.Unlock()
	if still {
		t.Error("Drop left the index")
	}
	if err := Drop(context.Background(), cfg, search.IndexCases); err != nil {
		t.Errorf("Drop of a missing index: %v", err)
	}
}

var putDocs = []search.Document{
	{
		ID: "01j0000000000000000000000a", Type: search.TypeAnnouncement, Title: "吉林市通报", Body: "挤占挪用医保基金12.6万元",
		Extra: "摘要", RegionCode: "220200", Year: 2025, Date: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC),
	},
	{
		ID: "01j0000000000000000000000b", Type: search.TypeCase, Title: "2026-000123", Body: "举报",
		RegionCode: "220100", Year: 2026, Date: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC),
		Status: "pending", Class: "important", Category: "fraud", Kind: "report",
	},
}

func TestPutWaitsForTask(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	if err := ix.Put(context.Background(), putDocs); err != nil {
		t.Fatalf("Put: %v", err)
	}
	adds := f.requestsTo("POST", "/indexes/fundwatch_public/documents")
	if len(adds) != 1 {
		t.Fatalf("%d document additions, want 1", len(adds))
	}
	if adds[0].RawQuery != "primaryKey=id" {
		t.Errorf("query %q", adds[0].RawQuery)
	}
	var sent []map[string]any
	if err := json.Unmarshal(adds[0].Body, &sent); err != nil {
		t.Fatal(err)
	}
	want := asJSON(t, []document{toDocument(putDocs[0]), toDocument(putDocs[1])})
	if !reflect.DeepEqual(asJSON(t, sent), want) {
		t.Errorf("documents sent\n got %v\nwant %v", sent, want)
	}
	// The documents are in the index when Put returns: it waited.
	n, err := ix.Count(context.Background())
	if err != nil || n != 2 {
		t.Errorf("Count = %d, %v; want 2", n, err)
	}

	if err := ix.Put(context.Background(), nil); err != nil {
		t.Errorf("Put of nothing: %v", err)
	}
	if n := len(f.requestsTo("POST", "/indexes/fundwatch_public/documents")); n != 1 {
		t.Errorf("Put of nothing sent a request")
	}
}

func TestPutFailedTask(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	f.failNext["documentAdditionOrUpdate"] = apiErr("invalid_document_fields", "The document has too many fields.")
	err := ix.Put(context.Background(), putDocs)
	var te *TaskError
	if !errors.As(err, &te) || te.Code != "invalid_document_fields" || te.Type != "documentAdditionOrUpdate" {
		t.Fatalf("Put = %v, want the failed task", err)
	}
	if errors.Is(err, search.ErrUnavailable) {
		t.Error("a failed task is reported as an unavailable engine")
	}
	if !strings.Contains(err.Error(), "too many fields") {
		t.Errorf("error %q does not say why", err)
	}
}

func TestPutAndDeleteRefuseBadIDs(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	before := f.requestCount()
	for _, id := range []string{"", "a/b", "a b", "一", strings.Repeat("a", 512)} {
		if err := ix.Put(context.Background(), []search.Document{{ID: id, Title: "x"}}); err == nil {
			t.Errorf("Put with id %q succeeded", id)
		}
		if err := ix.Delete(context.Background(), []string{id}); err == nil {
			t.Errorf("Delete of id %q succeeded", id)
		}
	}
	if n := f.requestCount() - before; n != 0 {
		t.Errorf("%d requests sent for bad ids", n)
	}
}

func TestDeleteWaitsForTask(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	if err := ix.Put(context.Background(), putDocs); err != nil {
		t.Fatal(err)
	}
	ids := []string{putDocs[0].ID, "missing"}
	if err := ix.Delete(context.Background(), ids); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	dels := f.requestsTo("POST", "/indexes/fundwatch_public/documents/delete-batch")
	if len(dels) != 1 {
		t.Fatalf("%d deletions, want 1", len(dels))
	}
	var sent []string
	if err := json.Unmarshal(dels[0].Body, &sent); err != nil || !slices.Equal(sent, ids) {
		t.Errorf("deletion body %s", dels[0].Body)
	}
	if n, err := ix.Count(context.Background()); err != nil || n != 1 {
		t.Errorf("Count = %d, %v; want 1", n, err)
	}
	if err := ix.Delete(context.Background(), nil); err != nil {
		t.Errorf("Delete of nothing: %v", err)
	}
}

// lastSearch returns the body of the last search request.
func lastSearch(t *testing.T, f *fakeMeili, uid string) map[string]any {
	t.Helper()
	reqs := f.requestsTo("POST", "/indexes/"+uid+"/search")
	if len(reqs) == 0 {
		t.Fatal("no search request")
	}
	return decodeJSON(t, reqs[len(reqs)-1].Body)
}

func TestSearchRequest(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	q := search.Query{
		Text: "吉林市  12.6万 医保基金", Types: []string{search.TypeNews, search.TypeNotice},
		RegionCodes: []string{"220100", `220200" OR regionCode = "*`}, Year: 2025, Offset: 10, Limit: 5, Facets: true,
	}
	if _, err := ix.Search(context.Background(), q); err != nil {
		t.Fatalf("Search: %v", err)
	}
	got := lastSearch(t, f, "fundwatch_public")
	want := map[string]any{
		"q":                `"吉 林 市" "126000" "医 保 基 金"`,
		"locales":          []any{"cmn"},
		"matchingStrategy": "all",
		"filter":           `type IN ["news", "notice"] AND regionCode IN ["220100", "220200\" OR regionCode = \"*"] AND year = 2025`,
		"facets":           []any{"type", "year"},
		"sort":             []any{"date:desc", "id:asc"},
		"offset":           float64(10),
		"limit":            float64(5),
		"showRankingScore": true,
		"hybrid":           nil, // meilisearch-go always sends it; Meilisearch reads null as absent
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("search body\n got %v\nwant %v", got, want)
	}
	for _, k := range []string{"attributesToHighlight", "showMatchesPosition", "hitsPerPage", "page"} {
		if _, ok := got[k]; ok {
			t.Errorf("search body has %s", k)
		}
	}
}

func TestSearchWithoutFilters(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	if _, err := ix.Search(context.Background(), search.Query{Text: "社保"}); err != nil {
		t.Fatal(err)
	}
	got := lastSearch(t, f, "fundwatch_public")
	if _, ok := got["filter"]; ok {
		t.Errorf("filter %v sent for a query without filters", got["filter"])
	}
	if got["limit"] != float64(search.DefaultLimit) {
		t.Errorf("limit %v, want the default %d", got["limit"], search.DefaultLimit)
	}
	if _, ok := got["offset"]; ok {
		t.Errorf("offset %v sent for the first page", got["offset"])
	}
}

func TestSearchBounds(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	tests := []struct {
		offset, limit int
		// wantOffset, wantLimit as sent; -1 when left out (a zero the
		// client omits); pageOfZero when the request asks hitsPerPage 0.
		wantOffset, wantLimit int
		pageOfZero            bool
	}{
		{0, 0, -1, search.DefaultLimit, false},
		{-5, 20, -1, 20, false},
		{0, 500, -1, search.MaxLimit, false},
		{40, 20, 40, 20, false},
		{990, 50, 990, 10, false},
		{999, 10, 999, 1, false},
		{1000, 10, -1, -1, true},
		{5000, 50, -1, -1, true},
	}
	for _, tt := range tests {
		if _, err := ix.Search(context.Background(), search.Query{Text: "基金", Offset: tt.offset, Limit: tt.limit}); err != nil {
			t.Fatal(err)
		}
		got := lastSearch(t, f, "fundwatch_public")
		off, hasOff := got["offset"].(float64)
		lim, hasLim := got["limit"].(float64)
		hpp, hasHPP := got["hitsPerPage"]
		if tt.pageOfZero {
			if hasOff || hasLim || !hasHPP || hpp != float64(0) {
				t.Errorf("offset %d limit %d: sent offset %v limit %v hitsPerPage %v; want only hitsPerPage 0",
					tt.offset, tt.limit, got["offset"], got["limit"], hpp)
			}
			continue
		}
		if hasHPP {
			t.Errorf("offset %d limit %d: hitsPerPage %v sent", tt.offset, tt.limit, hpp)
		}
		wantOff := tt.wantOffset
		if !hasOff {
			off = -1
		}
		if int(off) != wantOff || !hasLim || int(lim) != tt.wantLimit {
			t.Errorf("offset %d limit %d: sent offset %v limit %v, want %d %d", tt.offset, tt.limit, got["offset"], got["limit"], wantOff, tt.wantLimit)
		}
		if max(off, 0)+lim > search.MaxWindow {
			t.Errorf("offset %d limit %d: asks past maxTotalHits", tt.offset, tt.limit)
		}
	}
}

func TestSearchMapsResponse(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	body := "第一段。" + strings.Repeat("无关内容", 40) + "吉林市<b>医保基金</b>被挤占12.6万元" + strings.Repeat("其他", 80)
	f.searchReply = func(uid string, req map[string]any) any {
		return map[string]any{
			"hits": []any{
				map[string]any{
					"id": "a1", "type": "announcement", "title": `<script>alert("x")</script>吉林市医疗保险基金通报`,
					"body": body, "regionCode": "220200", "year": 2025, "date": int64(1746057600000),
					"_rankingScore": 0.93,
				},
				map[string]any{
					"id": "b2", "type": "news", "title": "无关标题", "body": "",
					"regionCode": "220000", "year": 2024, "date": int64(1704067200000), "_rankingScore": 0.5,
				},
			},
			"query": req["q"], "processingTimeMs": 3, "limit": 10, "offset": 0, "estimatedTotalHits": 42,
			"facetDistribution": map[string]any{
				"type": map[string]any{"news": 3, "notice": 5, "announcement": 3},
				"year": map[string]any{"2024": 1, "2025": 10, "2023": 10},
			},
			"facetStats": map[string]any{"year": map[string]any{"min": 2023, "max": 2025}},
		}
	}
	res, err := ix.Search(context.Background(), search.Query{Text: "吉林市 医保"})
	if err != nil {
		t.Fatal(err)
	}
	words, _ := search.ParseQuery("吉林市 医保")
	want := &search.Result{
		Total: 42,
		Hits: []search.Hit{
			{
				ID: "a1", Type: "announcement", RegionCode: "220200", Year: 2025,
				Date: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), Score: 0.93,
				TitleHTML:   `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;<mark>吉林市医疗保险</mark>基金通报`,
				SnippetHTML: search.Snippet(body, highlightSpans(words, body)),
			},
			{
				ID: "b2", Type: "news", RegionCode: "220000", Year: 2024,
				Date: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Score: 0.5,
				TitleHTML: "无关标题", SnippetHTML: "",
			},
		},
		Facets: search.Facets{
			Types: []search.FacetCount{{Value: "notice", Count: 5}, {Value: "announcement", Count: 3}, {Value: "news", Count: 3}},
			Years: []search.FacetCount{{Value: "2023", Count: 10}, {Value: "2025", Count: 10}, {Value: "2024", Count: 1}},
		},
	}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("result\n got %+v\nwant %+v", res, want)
	}
	snippet := res.Hits[0].SnippetHTML
	if !strings.Contains(snippet, "<mark>吉林市</mark>&lt;b&gt;<mark>医保</mark>基金&lt;/b&gt;") || strings.Contains(snippet, "<b>") {
		t.Errorf("snippet not escaped then marked: %s", snippet)
	}
	if !strings.HasPrefix(snippet, "…") || !strings.HasSuffix(snippet, "…") {
		t.Errorf("snippet not cut around the match: %s", snippet)
	}
}

func TestSearchTotalHits(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	// The answer to hitsPerPage: 0, as Meilisearch gives it.
	f.searchReply = func(uid string, req map[string]any) any {
		return map[string]any{
			"hits": []any{}, "query": req["q"], "processingTimeMs": 1, "hitsPerPage": 0, "page": 1,
			"totalPages": 0, "totalHits": 1000,
			"facetDistribution": map[string]any{"type": map[string]any{"news": 1000}, "year": map[string]any{}},
		}
	}
	res, err := ix.Search(context.Background(), search.Query{Text: "基金", Offset: 1200})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1000 || len(res.Hits) != 0 || res.Hits == nil {
		t.Errorf("total %d, hits %v", res.Total, res.Hits)
	}
	if !reflect.DeepEqual(res.Facets, search.Facets{Types: []search.FacetCount{{Value: "news", Count: 1000}}}) {
		t.Errorf("facets %+v", res.Facets)
	}
}

func TestSearchRefusesBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	public := openFake(t, f, search.IndexPublic)
	cases := openFake(t, f, search.IndexCases)
	before := f.requestCount()

	for _, text := range []string{"", "   ", "，。！", strings.Repeat("长", search.MaxQueryRunes+1), "1 2 3 4 5 6 7 8 9 10 11"} {
		_, err := public.Search(context.Background(), search.Query{Text: text})
		var qe *search.QueryError
		if !errors.As(err, &qe) {
			t.Errorf("Search(%q) = %v, want a *search.QueryError", text, err)
		}
	}
	for _, codes := range [][]string{nil, {}} {
		if _, err := cases.Search(context.Background(), search.Query{Text: "举报", RegionCodes: codes}); !errors.Is(err, search.ErrScopeRequired) {
			t.Errorf("cases search with region codes %v = %v, want ErrScopeRequired", codes, err)
		}
	}
	if n := f.requestCount() - before; n != 0 {
		t.Errorf("%d requests sent for refused searches", n)
	}

	if _, err := cases.Search(context.Background(), search.Query{Text: "举报", RegionCodes: []string{"220100"}}); err != nil {
		t.Errorf("cases search with a scope: %v", err)
	}
	if got := lastSearch(t, f, "fundwatch_cases")["filter"]; got != `regionCode IN ["220100"]` {
		t.Errorf("cases filter %v", got)
	}
	// The public index takes a search without regions.
	if _, err := public.Search(context.Background(), search.Query{Text: "举报"}); err != nil {
		t.Errorf("public search without regions: %v", err)
	}
}

// closedPortURL returns the address of a port nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("nothing listening", func(t *testing.T) {
		_, err := Open(ctx, Config{URL: closedPortURL(t)}, search.IndexPublic)
		if !errors.Is(err, search.ErrUnavailable) {
			t.Errorf("Open = %v, want ErrUnavailable", err)
		}
	})

	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	calls := map[string]func() error{
		"Search": func() error { _, err := ix.Search(ctx, search.Query{Text: "基金"}); return err },
		"Put":    func() error { return ix.Put(ctx, putDocs) },
		"Delete": func() error { return ix.Delete(ctx, []string{"a"}) },
		"Count":  func() error { _, err := ix.Count(ctx); return err },
		"Ping":   func() error { return ix.Ping(ctx) },
	}
	answers := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"503 from a proxy", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		}},
		{"500 internal", func(w http.ResponseWriter, r *http.Request) {
			reply(w, 500, apiErr("internal", "An internal error has occurred."))
		}},
		{"key refused", func(w http.ResponseWriter, r *http.Request) {
			reply(w, 403, apiErr("invalid_api_key", "The provided API key is invalid."))
		}},
		{"no key", func(w http.ResponseWriter, r *http.Request) {
			reply(w, 401, apiErr("missing_authorization_header", "The Authorization header is missing."))
		}},
		{"index gone", func(w http.ResponseWriter, r *http.Request) {
			reply(w, 404, apiErr("index_not_found", "Index `fundwatch_public` not found."))
		}},
	}
	for _, a := range answers {
		f.setOverride(a.handler)
		for name, call := range calls {
			if name == "Ping" && a.name == "index gone" {
				continue
			}
			if err := call(); !errors.Is(err, search.ErrUnavailable) {
				t.Errorf("%s, %s = %v, want ErrUnavailable", a.name, name, err)
			}
		}
	}

	t.Run("server stops", func(t *testing.T) {
		f2 := newFakeMeili(t)
		ix2 := openFake(t, f2, search.IndexPublic)
		f2.srv.Close()
		if _, err := ix2.Search(ctx, search.Query{Text: "基金"}); !errors.Is(err, search.ErrUnavailable) {
			t.Errorf("Search = %v, want ErrUnavailable", err)
		}
	})

	t.Run("request timeout", func(t *testing.T) {
		f3 := newFakeMeili(t)
		cfg := testConfig(f3)
		f3.mu.Lock()
		f3.apiKey = cfg.APIKey
		f3.mu.Unlock()
		ix3, err := Open(ctx, cfg, search.IndexPublic)
		if err != nil {
			t.Fatal(err)
		}
		defer ix3.Close()
		f3.setOverride(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := ix3.Search(short, search.Query{Text: "基金"}); !errors.Is(err, search.ErrUnavailable) {
			t.Errorf("Search past its deadline = %v, want ErrUnavailable", err)
		}
	})
}

func TestClientTimeout(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	cfg := testConfig(f)
	cfg.Timeout = 50 * time.Millisecond
	f.mu.Lock()
	f.apiKey = cfg.APIKey
	f.mu.Unlock()
	ix, err := Open(context.Background(), cfg, search.IndexPublic)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	f.setOverride(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	if _, err := ix.Search(context.Background(), search.Query{Text: "基金"}); !errors.Is(err, search.ErrUnavailable) {
		t.Errorf("Search past Config.Timeout = %v, want ErrUnavailable", err)
	}
}

func TestOrdinaryErrors(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	f.setOverride(func(w http.ResponseWriter, r *http.Request) {
		reply(w, 400, apiErr("invalid_search_filter", "Attribute `kind` is not filterable."))
	})
	_, err := ix.Search(context.Background(), search.Query{Text: "基金"})
	if err == nil || errors.Is(err, search.ErrUnavailable) {
		t.Fatalf("Search refused as invalid = %v, want an ordinary error", err)
	}
	if !strings.Contains(err.Error(), "invalid_search_filter") {
		t.Errorf("error %q does not say why", err)
	}
	var qe *search.QueryError
	if errors.As(err, &qe) {
		t.Error("an invalid request is reported as the user's query error")
	}

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	f.setOverride(nil)
	_, err = ix.Search(cancelled, search.Query{Text: "基金"})
	if !errors.Is(err, context.Canceled) || errors.Is(err, search.ErrUnavailable) {
		t.Errorf("Search with a cancelled context = %v, want context.Canceled and not ErrUnavailable", err)
	}
}

func TestPingCountClose(t *testing.T) {
	t.Parallel()
	f := newFakeMeili(t)
	ix := openFake(t, f, search.IndexPublic)
	ctx := context.Background()
	if err := ix.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if n, err := ix.Count(ctx); err != nil || n != 0 {
		t.Errorf("Count = %d, %v", n, err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	before := f.requestCount()
	checks := map[string]error{
		"Ping":   ix.Ping(ctx),
		"Put":    ix.Put(ctx, putDocs),
		"Delete": ix.Delete(ctx, []string{"a"}),
	}
	_, checks["Search"] = ix.Search(ctx, search.Query{Text: "基金"})
	_, checks["Count"] = ix.Count(ctx)
	for name, err := range checks {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	if n := f.requestCount() - before; n != 0 {
		t.Errorf("%d requests after Close", n)
	}
}
