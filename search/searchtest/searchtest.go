// Package searchtest is the conformance suite every search.Index engine
// passes (Run), and the relevance set both engines are measured against
// (RunRelevance). An engine's test builds a Harness and calls both.
package searchtest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fundwatch/search"
)

// Harness is what the suite needs of an engine.
type Harness struct {
	// New returns a fresh, empty index named name (search.IndexPublic or
	// search.IndexCases), closed by the engine's test when t ends. What
	// Put and Delete return must be visible to the next Search.
	New func(t *testing.T, name string) search.Index
	// Reopen closes idx and opens the same index again; nil when the
	// engine cannot, and the persistence test is then reported skipped.
	Reopen func(t *testing.T, idx search.Index) search.Index
}

// base is the date the suite's documents are dated from.
var base = time.Date(2025, 3, 14, 8, 30, 0, 123_000_000, time.UTC)

// doc is a public document with the usual defaults.
func doc(id, typ, title, body string) search.Document {
	return search.Document{
		ID: id, Type: typ, Title: title, Body: body,
		RegionCode: "220100", Year: 2025, Date: base, Version: 1,
	}
}

// caseDoc is a cases-index document.
func caseDoc(id, region, status, class, category, title, body string) search.Document {
	return search.Document{
		ID: id, Type: search.TypeCase, Title: title, Body: body,
		Extra:      "举报 " + category,
		RegionCode: region, Year: 2025, Date: base, Version: 1,
		Status: status, Class: class, Category: category, Kind: "report",
	}
}

func put(t *testing.T, idx search.Index, docs ...search.Document) {
	t.Helper()
	if err := idx.Put(context.Background(), docs); err != nil {
		t.Fatalf("Put: %v", err)
	}
}

func run(t *testing.T, idx search.Index, q search.Query) *search.Result {
	t.Helper()
	res, err := idx.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

// ids returns the hits' ids in order.
func ids(res *search.Result) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

// expectIDs runs q and checks the set of ids it finds (order aside) and
// that Total agrees.
func expectIDs(t *testing.T, idx search.Index, q search.Query, want ...string) {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = search.MaxLimit
	}
	res := run(t, idx, q)
	got := slices.Sorted(slices.Values(ids(res)))
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("Search(%q %s) = %v, want %v", q.Text, describe(q), got, want)
	}
	if res.Total != len(want) {
		t.Errorf("Search(%q %s).Total = %d, want %d", q.Text, describe(q), res.Total, len(want))
	}
}

func describe(q search.Query) string {
	var parts []string
	add := func(name string, v any, set bool) {
		if set {
			parts = append(parts, fmt.Sprintf("%s=%v", name, v))
		}
	}
	add("types", q.Types, len(q.Types) > 0)
	add("regions", q.RegionCodes, len(q.RegionCodes) > 0)
	add("year", q.Year, q.Year != 0)
	add("statuses", q.Statuses, len(q.Statuses) > 0)
	add("class", q.Class, q.Class != "")
	add("category", q.Category, q.Category != "")
	return "[" + strings.Join(parts, " ") + "]"
}

// Run runs the conformance suite on the engine h gives.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"put search replace delete", testPutSearchReplaceDelete},
		{"count", testCount},
		{"hit fields", testHitFields},
		{"public filters", testPublicFilters},
		{"case filters", testCaseFilters},
		{"cases index requires a scope", testScopeRequired},
		{"facets count all matches", testFacets},
		{"paging and bounds", testPaging},
		{"sort order", testSortOrder},
		{"full-width digits", testFullWidth},
		{"one-character words", testOneCharacter},
		{"phrase semantics", testPhrases},
		{"amounts", testAmounts},
		{"synonyms", testSynonyms},
		{"every word required", testMultiWord},
		{"highlights are escaped then marked", testEscapedHighlights},
		{"query errors", testQueryErrors},
		{"persistence across reopen", testPersistence},
		{"concurrent put and search", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
}

func testPutSearchReplaceDelete(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	ctx := context.Background()
	put(t, idx,
		doc("a", search.TypeNews, "养老保险基金监督检查通报", "本次检查覆盖全省各地。"),
		doc("b", search.TypeNews, "工伤保险政策解读", "工伤认定流程说明。"),
	)
	expectIDs(t, idx, search.Query{Text: "监督检查"}, "a")
	expectIDs(t, idx, search.Query{Text: "保险"}, "a", "b")

	// Replace a: the old words go, the new ones come.
	put(t, idx, doc("a", search.TypeNews, "失业保险稽核公告", "稽核结果如下。"))
	expectIDs(t, idx, search.Query{Text: "监督检查"})
	expectIDs(t, idx, search.Query{Text: "稽核"}, "a")
	expectIDs(t, idx, search.Query{Text: "保险"}, "a", "b")

	// Putting the same again is harmless.
	put(t, idx, doc("a", search.TypeNews, "失业保险稽核公告", "稽核结果如下。"))
	expectIDs(t, idx, search.Query{Text: "稽核"}, "a")

	if err := idx.Delete(ctx, []string{"a", "missing"}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	expectIDs(t, idx, search.Query{Text: "稽核"})
	expectIDs(t, idx, search.Query{Text: "保险"}, "b")
	if err := idx.Delete(ctx, nil); err != nil {
		t.Errorf("Delete(nil): %v", err)
	}
	if err := idx.Put(ctx, nil); err != nil {
		t.Errorf("Put(nil): %v", err)
	}
}

func count(t *testing.T, idx search.Index) int64 {
	t.Helper()
	n, err := idx.Count(context.Background())
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	return n
}

func testCount(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	ctx := context.Background()
	if err := idx.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if n := count(t, idx); n != 0 {
		t.Fatalf("fresh index Count = %d, want 0", n)
	}
	docs := []search.Document{
		doc("c1", search.TypeNews, "一", "正文"),
		doc("c2", search.TypeNews, "二", "正文"),
		doc("c3", search.TypeNews, "三", "正文"),
	}
	put(t, idx, docs...)
	if n := count(t, idx); n != 3 {
		t.Errorf("Count after 3 puts = %d, want 3", n)
	}
	put(t, idx, docs...)
	if n := count(t, idx); n != 3 {
		t.Errorf("Count after putting the same 3 again = %d, want 3", n)
	}
	if err := idx.Delete(ctx, []string{"c2"}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, idx); n != 2 {
		t.Errorf("Count after a delete = %d, want 2", n)
	}
}

func testHitFields(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	d := search.Document{
		ID: "f1", Type: search.TypeFundReport, Title: "2024年度基金收支和结余情况",
		Body: "全省基金运行平稳。", Extra: "摘要 吉林市", RegionCode: "220200", Year: 2024,
		Date: time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.UTC), Version: 3,
	}
	put(t, idx, d)
	res := run(t, idx, search.Query{Text: "收支"})
	if len(res.Hits) != 1 {
		t.Fatalf("hits = %v, want f1", ids(res))
	}
	got := res.Hits[0]
	if got.ID != d.ID || got.Type != d.Type || got.RegionCode != d.RegionCode || got.Year != d.Year || !got.Date.Equal(d.Date) {
		t.Errorf("hit = %+v, want the document's id, type, region, year and date %v", got, d.Date)
	}
	if got.Score <= 0 {
		t.Errorf("hit score = %v, want > 0", got.Score)
	}
	if got.TitleHTML != "2024年度基金<mark>收支</mark>和结余情况" {
		t.Errorf("TitleHTML = %q", got.TitleHTML)
	}
	if got.SnippetHTML != "全省基金运行平稳。" {
		t.Errorf("SnippetHTML without a body match = %q, want the start of the body", got.SnippetHTML)
	}

	// A match in Extra only finds the document; the body has no mark.
	res = run(t, idx, search.Query{Text: "摘要"})
	if len(res.Hits) != 1 || strings.Contains(res.Hits[0].SnippetHTML, "<mark>") {
		t.Errorf("Extra-only match: hits %v, snippet %q", ids(res), firstSnippet(res))
	}
	res = run(t, idx, search.Query{Text: "平稳"})
	if s := firstSnippet(res); s != "全省基金运行<mark>平稳</mark>。" {
		t.Errorf("SnippetHTML = %q", s)
	}
}

func firstSnippet(res *search.Result) string {
	if len(res.Hits) == 0 {
		return ""
	}
	return res.Hits[0].SnippetHTML
}

func testPublicFilters(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	mk := func(id, typ, region string, year int) search.Document {
		d := doc(id, typ, "基金公告"+id, "社会保险基金监督。")
		d.RegionCode, d.Year = region, year
		return d
	}
	put(t, idx,
		mk("p1", search.TypeAnnouncement, "220100", 2024),
		mk("p2", search.TypeNews, "220102", 2025),
		mk("p3", search.TypeNotice, "220200", 2025),
		mk("p4", search.TypeFundReport, "220000", 2023),
		mk("p5", search.TypeAccountNote, "220100", 2025),
	)
	tests := []struct {
		name string
		q    search.Query
		want []string
	}{
		{"no filter", search.Query{}, []string{"p1", "p2", "p3", "p4", "p5"}},
		{"one type", search.Query{Types: []string{search.TypeNews}}, []string{"p2"}},
		{"any of two types", search.Query{Types: []string{search.TypeNews, search.TypeFundReport}}, []string{"p2", "p4"}},
		{"a type none has", search.Query{Types: []string{search.TypeCase}}, nil},
		{"one region", search.Query{RegionCodes: []string{"220100"}}, []string{"p1", "p5"}},
		{"a city and a county", search.Query{RegionCodes: []string{"220100", "220102"}}, []string{"p1", "p2", "p5"}},
		{"year", search.Query{Year: 2025}, []string{"p2", "p3", "p5"}},
		{"a year none has", search.Query{Year: 2019}, nil},
		{"type, region and year", search.Query{Types: []string{search.TypeAccountNote, search.TypeAnnouncement}, RegionCodes: []string{"220100"}, Year: 2025}, []string{"p5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Text = "基金"
			expectIDs(t, idx, tc.q, tc.want...)
		})
	}
}

func testCaseFilters(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexCases)
	put(t, idx,
		caseDoc("k1", "220102", "received", "none", "fraudulent_claims", "2025-000001 长春市某某医院", "虚构住院骗取医保基金。"),
		caseDoc("k2", "220104", "investigating", "important", "unpaid_contributions", "2025-000002 长春市某某建筑有限公司", "未按规定缴纳社会保险费。"),
		caseDoc("k3", "220202", "investigating", "major", "fraudulent_claims", "2025-000003 吉林市某某药店", "刷卡套现骗取医保基金。"),
		caseDoc("k4", "220102", "concluded", "important", "embezzlement", "2025-000004 长春市某某人力资源公司", "挪用社会保险基金。"),
	)
	changchun := []string{"220100", "220102", "220104"}
	all := []string{"220100", "220102", "220104", "220200", "220202"}
	tests := []struct {
		name string
		q    search.Query
		want []string
	}{
		{"scope of a city", search.Query{RegionCodes: changchun}, []string{"k1", "k2", "k4"}},
		{"scope of a county", search.Query{RegionCodes: []string{"220202"}}, []string{"k3"}},
		{"scope without cases", search.Query{RegionCodes: []string{"220300"}}, nil},
		{"one status", search.Query{RegionCodes: all, Statuses: []string{"investigating"}}, []string{"k2", "k3"}},
		{"any of two statuses", search.Query{RegionCodes: all, Statuses: []string{"received", "concluded"}}, []string{"k1", "k4"}},
		{"class", search.Query{RegionCodes: all, Class: "important"}, []string{"k2", "k4"}},
		{"category", search.Query{RegionCodes: all, Category: "fraudulent_claims"}, []string{"k1", "k3"}},
		{"scope, status, class and category", search.Query{RegionCodes: changchun, Statuses: []string{"investigating", "received"}, Class: "important", Category: "unpaid_contributions"}, []string{"k2"}},
		{"type case", search.Query{RegionCodes: all, Types: []string{search.TypeCase}}, []string{"k1", "k2", "k3", "k4"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Text = "某某"
			expectIDs(t, idx, tc.q, tc.want...)
		})
	}
	// Filters narrow a text search too.
	expectIDs(t, idx, search.Query{Text: "骗取", RegionCodes: changchun}, "k1")
	expectIDs(t, idx, search.Query{Text: "2025-000003", RegionCodes: all}, "k3")
}

func testScopeRequired(t *testing.T, h Harness) {
	cases := h.New(t, search.IndexCases)
	put(t, cases, caseDoc("s1", "220102", "received", "none", "other", "2025-000009 某单位", "问题描述。"))
	_, err := cases.Search(context.Background(), search.Query{Text: "问题"})
	if !errors.Is(err, search.ErrScopeRequired) {
		t.Errorf("cases search without RegionCodes: err = %v, want ErrScopeRequired", err)
	}
	expectIDs(t, cases, search.Query{Text: "问题", RegionCodes: []string{"220102"}}, "s1")

	public := h.New(t, search.IndexPublic)
	put(t, public, doc("s2", search.TypeNews, "问题通报", "正文"))
	expectIDs(t, public, search.Query{Text: "问题"}, "s2")
}

func testFacets(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	var docs []search.Document
	add := func(n int, typ string, year int) {
		for range n {
			d := doc(fmt.Sprintf("fc%02d", len(docs)), typ, "监督公告", "基金监督。")
			d.Year = year
			docs = append(docs, d)
		}
	}
	add(3, search.TypeNews, 2025)
	add(2, search.TypeAnnouncement, 2024)
	add(2, search.TypeNotice, 2025)
	add(1, search.TypeFundReport, 2023)
	// Not matching: counted nowhere.
	other := doc("other", search.TypeAccountNote, "无关", "无关内容。")
	put(t, idx, append(docs, other)...)

	res := run(t, idx, search.Query{Text: "监督", Limit: 1})
	if len(res.Facets.Types) != 0 || len(res.Facets.Years) != 0 {
		t.Errorf("facets counted without being asked: %+v", res.Facets)
	}
	res = run(t, idx, search.Query{Text: "监督", Limit: 1, Facets: true})
	if res.Total != 8 || len(res.Hits) != 1 {
		t.Fatalf("Total = %d with %d hits, want 8 with 1", res.Total, len(res.Hits))
	}
	wantTypes := facets(search.TypeNews, 3, search.TypeAnnouncement, 2, search.TypeNotice, 2, search.TypeFundReport, 1)
	wantYears := facets("2025", 5, "2024", 2, "2023", 1)
	if !slices.Equal(res.Facets.Types, wantTypes) {
		t.Errorf("Facets.Types = %v, want %v", res.Facets.Types, wantTypes)
	}
	if !slices.Equal(res.Facets.Years, wantYears) {
		t.Errorf("Facets.Years = %v, want %v", res.Facets.Years, wantYears)
	}

	// Facets follow the filters.
	res = run(t, idx, search.Query{Text: "监督", Year: 2025, Facets: true})
	wantTypes = facets(search.TypeNews, 3, search.TypeNotice, 2)
	if !slices.Equal(res.Facets.Types, wantTypes) || !slices.Equal(res.Facets.Years, facets("2025", 5)) {
		t.Errorf("filtered facets = %+v, want types %v and years [2025:5]", res.Facets, wantTypes)
	}
}

// facets builds facet counts from value, count pairs.
func facets(pairs ...any) []search.FacetCount {
	var out []search.FacetCount
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, search.FacetCount{Value: pairs[i].(string), Count: pairs[i+1].(int)})
	}
	return out
}

func testPaging(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	const n = 60
	var docs []search.Document
	for i := range n {
		d := doc(fmt.Sprintf("pg%02d", i), search.TypeNews, "基金公告", "社会保险基金。")
		d.Date = base.Add(time.Duration(i) * time.Hour)
		docs = append(docs, d)
	}
	put(t, idx, docs...)

	seen := map[string]bool{}
	for offset := 0; offset < n; offset += 25 {
		res := run(t, idx, search.Query{Text: "基金", Offset: offset, Limit: 25})
		want := min(25, n-offset)
		if len(res.Hits) != want || res.Total != n {
			t.Errorf("offset %d: %d hits, Total %d; want %d, %d", offset, len(res.Hits), res.Total, want, n)
		}
		for _, id := range ids(res) {
			if seen[id] {
				t.Errorf("offset %d: %s seen on an earlier page", offset, id)
			}
			seen[id] = true
		}
	}
	if len(seen) != n {
		t.Errorf("pages covered %d documents, want %d", len(seen), n)
	}

	tests := []struct {
		name          string
		offset, limit int
		wantHits      int
	}{
		{"limit 0 is the default", 0, 0, search.DefaultLimit},
		{"limit above the maximum is the maximum", 0, 500, search.MaxLimit},
		{"negative offset is 0", -5, 10, 10},
		{"offset past the matches", 70, 10, 0},
		{"offset at the window", search.MaxWindow, 10, 0},
		{"offset past the window", search.MaxWindow + 10, 10, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, idx, search.Query{Text: "基金", Offset: tc.offset, Limit: tc.limit})
			if len(res.Hits) != tc.wantHits || res.Total != n {
				t.Errorf("%d hits, Total %d; want %d, %d", len(res.Hits), res.Total, tc.wantHits, n)
			}
		})
	}
	first := run(t, idx, search.Query{Text: "基金", Offset: -5, Limit: 3})
	zero := run(t, idx, search.Query{Text: "基金", Limit: 3})
	if !slices.Equal(ids(first), ids(zero)) {
		t.Errorf("negative offset gave %v, offset 0 gave %v", ids(first), ids(zero))
	}
}

func testSortOrder(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	same := func(id string, date time.Time) search.Document {
		d := doc(id, search.TypeNews, "通报", "养老保险基金稽核情况。")
		d.Date = date
		return d
	}
	put(t, idx,
		same("s-b", base),
		same("s-a", base),
		same("s-old", base.AddDate(-1, 0, 0)),
		same("s-new", base.AddDate(0, 1, 0)),
		// A title match outranks body matches, though it is the oldest.
		func() search.Document {
			d := doc("s-title", search.TypeNews, "稽核情况通报", "正文另有内容。")
			d.Date = base.AddDate(-3, 0, 0)
			return d
		}(),
	)
	res := run(t, idx, search.Query{Text: "稽核"})
	// s-a and s-b tie on score and date: either order is right.
	got := ids(res)
	if !slices.Equal(got, []string{"s-title", "s-new", "s-a", "s-b", "s-old"}) && !slices.Equal(got, []string{"s-title", "s-new", "s-b", "s-a", "s-old"}) {
		t.Errorf("order = %v, want s-title, s-new, then s-a and s-b in either order, s-old (title first, then newest)", got)
	}
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].Score > res.Hits[i-1].Score {
			t.Errorf("hit %d scores %v above hit %d's %v", i, res.Hits[i].Score, i-1, res.Hits[i-1].Score)
		}
	}
}

func testFullWidth(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	put(t, idx,
		doc("w1", search.TypeFundReport, "2025年度基金收支情况", "正文"),
		doc("w2", search.TypeFundReport, "２０２５年第一季度通报", "ＡＢＣ医院"),
		doc("w3", search.TypeFundReport, "2024年度基金收支情况", "正文"),
	)
	expectIDs(t, idx, search.Query{Text: "２０２５"}, "w1", "w2")
	expectIDs(t, idx, search.Query{Text: "2025"}, "w1", "w2")
	expectIDs(t, idx, search.Query{Text: "2025年"}, "w1", "w2")
	expectIDs(t, idx, search.Query{Text: "abc"}, "w2")
	res := run(t, idx, search.Query{Text: "2025", Types: []string{search.TypeFundReport}})
	for _, hit := range res.Hits {
		if hit.ID == "w2" && hit.TitleHTML != "<mark>２０２５</mark>年第一季度通报" {
			t.Errorf("full-width title marked as %q", hit.TitleHTML)
		}
	}
}

func testOneCharacter(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	put(t, idx,
		doc("o1", search.TypeNews, "医保基金监管", "正文"),
		doc("o2", search.TypeNews, "工伤认定", "依法保障职工权益。"),
		doc("o3", search.TypeNews, "养老金发放", "按月发放。"),
	)
	expectIDs(t, idx, search.Query{Text: "医"}, "o1")
	expectIDs(t, idx, search.Query{Text: "保"}, "o1", "o2")
	expectIDs(t, idx, search.Query{Text: "金"}, "o1", "o3")
	expectIDs(t, idx, search.Query{Text: "伤"}, "o2")
	expectIDs(t, idx, search.Query{Text: "税"})
}

func testPhrases(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	put(t, idx,
		doc("ph1", search.TypeNews, "吉林市医保局通报", "吉林市本级。"),
		doc("ph2", search.TypeNews, "吉林省人社厅通报", "吉林省本级。"),
		doc("ph3", search.TypeNews, "案件待处理", "三件待处理。"),
		doc("ph4", search.TypeNews, "案件已处理", "两件已处理。"),
		doc("ph5", search.TypeNews, "吉林 市场监管", "吉林，市民来信。"),
	)
	expectIDs(t, idx, search.Query{Text: "吉林市"}, "ph1")
	expectIDs(t, idx, search.Query{Text: "吉林省"}, "ph2")
	expectIDs(t, idx, search.Query{Text: "吉林"}, "ph1", "ph2", "ph5")
	expectIDs(t, idx, search.Query{Text: "待处理"}, "ph3")
	expectIDs(t, idx, search.Query{Text: "已处理"}, "ph4")
	expectIDs(t, idx, search.Query{Text: "处理"}, "ph3", "ph4")
	expectIDs(t, idx, search.Query{Text: "吉林市医保局"}, "ph1")
	expectIDs(t, idx, search.Query{Text: "林市医"}, "ph1")
	expectIDs(t, idx, search.Query{Text: "市医保局通报"}, "ph1")
	expectIDs(t, idx, search.Query{Text: "医保局吉林市"})
}

func testAmounts(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexCases)
	scope := []string{"220102"}
	mk := func(id, body string) search.Document {
		return caseDoc(id, "220102", "received", "none", "other", "2025-0000"+id[1:]+" 某单位", body)
	}
	put(t, idx,
		mk("a1", "涉及金额12.6万元。"),
		mk("a2", "涉及金额126000元。"),
		mk("a3", "共计126,000元。"),
		mk("a4", "涉及金额126万元。"),
		mk("a5", "涉及金额1.26万元。"),
		mk("a6", "金额１２.６０万。"),
	)
	tests := []struct {
		q    string
		want []string
	}{
		{"12.6万", []string{"a1", "a2", "a3", "a6"}},
		{"126000", []string{"a1", "a2", "a3", "a6"}},
		{"126,000元", []string{"a1", "a2", "a3", "a6"}},
		{"12.60万元", []string{"a1", "a2", "a3", "a6"}},
		{"126万", []string{"a4"}},
		{"1260000", []string{"a4"}},
		{"1.26万", []string{"a5"}},
	}
	for _, tc := range tests {
		expectIDs(t, idx, search.Query{Text: tc.q, RegionCodes: scope}, tc.want...)
	}
	res := run(t, idx, search.Query{Text: "126000", RegionCodes: scope, Limit: search.MaxLimit})
	for _, hit := range res.Hits {
		if hit.ID == "a1" && hit.SnippetHTML != "涉及金额<mark>12.6万</mark>元。" {
			t.Errorf("amount snippet = %q", hit.SnippetHTML)
		}
	}
}

func testSynonyms(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	put(t, idx,
		doc("y1", search.TypeNews, "医疗保险基金专项检查", "正文"),
		doc("y2", search.TypeNews, "医保基金飞行检查", "正文"),
		doc("y3", search.TypeNews, "企业欠缴社保费通报", "正文"),
		doc("y4", search.TypeNews, "某公司未按规定缴纳社会保险费", "正文"),
		doc("y5", search.TypeNews, "医疗救助", "正文"),
	)
	expectIDs(t, idx, search.Query{Text: "医保基金"}, "y1", "y2")
	expectIDs(t, idx, search.Query{Text: "医疗保险基金"}, "y1", "y2")
	expectIDs(t, idx, search.Query{Text: "欠缴"}, "y3", "y4")
	expectIDs(t, idx, search.Query{Text: "社会保险"}, "y3", "y4")
}

func testMultiWord(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	put(t, idx,
		doc("m1", search.TypeNews, "长春市医保基金检查", "正文"),
		doc("m2", search.TypeNews, "吉林市医保基金检查", "正文"),
		doc("m3", search.TypeNews, "长春市工伤保险", "医保相关内容在正文。"),
		func() search.Document {
			d := doc("m4", search.TypeNews, "通报", "正文")
			d.Extra = "长春市 医保"
			return d
		}(),
	)
	expectIDs(t, idx, search.Query{Text: "长春 医保"}, "m1", "m3", "m4")
	expectIDs(t, idx, search.Query{Text: "长春　医保 检查"}, "m1")
	expectIDs(t, idx, search.Query{Text: "长春，吉林"})
	expectIDs(t, idx, search.Query{Text: "医保 医保"}, "m1", "m2", "m3", "m4")
	// Words adjacent in the query need not be adjacent in the text.
	expectIDs(t, idx, search.Query{Text: "检查 长春市"}, "m1")
}

// unmark removes the <mark> tags and unescapes what is left.
func unmark(s string) string {
	s = strings.ReplaceAll(s, "<mark>", "")
	s = strings.ReplaceAll(s, "</mark>", "")
	return html.UnescapeString(s)
}

func testEscapedHighlights(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	title := `<script>alert(1)</script>医保"通报"&`
	body := `正文<img src=x onerror=alert(1)>医保基金<b>加粗</b>`
	put(t, idx, doc("x1", search.TypeNews, title, body))
	tests := []struct {
		q                   string
		inTitle, inBody     bool
		wantTitleHTMLInside string
	}{
		{"医保", true, true, "<mark>医保</mark>"},
		{"script", true, false, "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"},
		{"alert", true, true, "&gt;<mark>alert</mark>(1)&lt;"},
		{"img", false, true, "&lt;script&gt;"},
	}
	for _, tc := range tests {
		res := run(t, idx, search.Query{Text: tc.q})
		if len(res.Hits) != 1 {
			t.Errorf("%q: hits %v, want x1", tc.q, ids(res))
			continue
		}
		hit := res.Hits[0]
		for _, f := range []struct {
			name, got, text string
			marked          bool
		}{
			{"TitleHTML", hit.TitleHTML, title, tc.inTitle},
			{"SnippetHTML", hit.SnippetHTML, body, tc.inBody},
		} {
			stripped := strings.ReplaceAll(strings.ReplaceAll(f.got, "<mark>", ""), "</mark>", "")
			if strings.ContainsAny(stripped, `<>"`) {
				t.Errorf("%q: %s = %q holds markup other than <mark>", tc.q, f.name, f.got)
			}
			if strings.Contains(f.got, "<mark>") != f.marked {
				t.Errorf("%q: %s = %q, want marked %v", tc.q, f.name, f.got, f.marked)
			}
			if unmark(f.got) != f.text {
				t.Errorf("%q: %s = %q does not show the text %q", tc.q, f.name, f.got, f.text)
			}
		}
		if !strings.Contains(hit.TitleHTML, tc.wantTitleHTMLInside) {
			t.Errorf("%q: TitleHTML = %q, want it to hold %q", tc.q, hit.TitleHTML, tc.wantTitleHTMLInside)
		}
	}
}

func testQueryErrors(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	put(t, idx, doc("q1", search.TypeNews, "通报", "正文"))
	tests := []struct {
		name, text, msg string
	}{
		{"empty", "", search.MsgQueryEmpty},
		{"spaces only", " 　 ", search.MsgQueryEmpty},
		{"101 characters", strings.Repeat("医", search.MaxQueryRunes+1), search.MsgQueryTooLong},
		{"11 words", "a b c d e f g h i j k", search.MsgQueryTooMany},
		{"punctuation only", "，。！", search.MsgQueryNoLetter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := idx.Search(context.Background(), search.Query{Text: tc.text})
			var qe *search.QueryError
			if !errors.As(err, &qe) || qe.Message != tc.msg {
				t.Errorf("err = %v, want a QueryError %q", err, tc.msg)
			}
			if errors.Is(err, search.ErrUnavailable) {
				t.Errorf("a query error reads as ErrUnavailable: %v", err)
			}
		})
	}
	// 100 characters is allowed.
	run(t, idx, search.Query{Text: strings.Repeat("医", search.MaxQueryRunes)})
}

func testPersistence(t *testing.T, h Harness) {
	if h.Reopen == nil {
		t.Skip("the engine cannot reopen an index")
	}
	idx := h.New(t, search.IndexPublic)
	put(t, idx,
		doc("r1", search.TypeNews, "养老保险基金", "正文"),
		doc("r2", search.TypeNews, "失业保险", "正文"),
	)
	if err := idx.Delete(context.Background(), []string{"r2"}); err != nil {
		t.Fatal(err)
	}
	idx = h.Reopen(t, idx)
	if n := count(t, idx); n != 1 {
		t.Errorf("Count after reopen = %d, want 1", n)
	}
	expectIDs(t, idx, search.Query{Text: "保险"}, "r1")
	put(t, idx, doc("r3", search.TypeNews, "工伤保险", "正文"))
	expectIDs(t, idx, search.Query{Text: "保险"}, "r1", "r3")
}

func testConcurrent(t *testing.T, h Harness) {
	idx := h.New(t, search.IndexPublic)
	put(t, idx, doc("seed", search.TypeNews, "社会保险基金", "正文"))
	const writers, perWriter, readers = 4, 10, 4
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter+readers*perWriter)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				d := doc(fmt.Sprintf("cc-%d-%d", w, i), search.TypeNews, "社会保险基金通报", "并发写入。")
				if err := idx.Put(ctx, []search.Document{d}); err != nil {
					errs <- fmt.Errorf("Put: %w", err)
				}
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for range perWriter {
				res, err := idx.Search(ctx, search.Query{Text: "保险基金"})
				switch {
				case err != nil:
					errs <- fmt.Errorf("Search: %w", err)
				case res.Total < 1:
					errs <- errors.New("Search lost the seed document")
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := count(t, idx); n != writers*perWriter+1 {
		t.Errorf("Count = %d, want %d", n, writers*perWriter+1)
	}
	res := run(t, idx, search.Query{Text: "保险基金", Limit: 1})
	if res.Total != writers*perWriter+1 {
		t.Errorf("Total = %d, want %d", res.Total, writers*perWriter+1)
	}
}
