package meili

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"fundwatch/search"
)

// These tests run against a real Meilisearch (v1.10 or later) when
// TEST_MEILI_URL is set (TEST_MEILI_KEY for its key); each uses indexes of
// its own and drops them at the end. They check what the tests above
// assume about Meilisearch: how it cuts the unit streams, that a phrase
// matches adjacent tokens only, that ";" breaks adjacency.

var liveSeq atomic.Int64

// liveConfig returns a configuration for a real server with an index
// prefix of the test's own, and drops the test's indexes when it ends; it
// skips the test when TEST_MEILI_URL is not set.
func liveConfig(t *testing.T) Config {
	t.Helper()
	url := os.Getenv("TEST_MEILI_URL")
	if url == "" {
		t.Skip("TEST_MEILI_URL is not set: no Meilisearch server to test against")
	}
	cfg := Config{
		URL:    url,
		APIKey: os.Getenv("TEST_MEILI_KEY"),
		IndexPrefix: "fwtest_" + strconv.FormatInt(time.Now().UnixNano(), 36) + "_" +
			strconv.FormatInt(liveSeq.Add(1), 10) + "_",
		Timeout: 30 * time.Second,
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, name := range []string{search.IndexPublic, search.IndexCases} {
			if err := Drop(ctx, cfg, name); err != nil {
				t.Errorf("drop %s%s: %v", cfg.IndexPrefix, name, err)
			}
		}
	})
	return cfg
}

// modelConfig returns a configuration for a fake server that answers
// searches under the model (fakeMeili.modelSearch): the live tests' own
// check, and a run of the whole flow with no server.
func modelConfig(t *testing.T) Config {
	t.Helper()
	f := newFakeMeili(t)
	f.searchReply = f.modelSearch
	return Config{URL: f.srv.URL, Timeout: 5 * time.Second}
}

func TestLiveMatchesReference(t *testing.T)      { checkMatchesReference(t, liveConfig(t)) }
func TestModelMatchesReferenceFlow(t *testing.T) { checkMatchesReference(t, modelConfig(t)) }

func TestLiveFiltersSortAndMarks(t *testing.T)  { checkFiltersSortAndMarks(t, liveConfig(t)) }
func TestModelFiltersSortAndMarks(t *testing.T) { checkFiltersSortAndMarks(t, modelConfig(t)) }

// checkMatchesReference puts the model texts and checks that every model
// query finds the documents search's reading finds.
func checkMatchesReference(t *testing.T, cfg Config) {
	ctx := context.Background()
	ix, err := Open(ctx, cfg, search.IndexPublic)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()

	var docs []search.Document
	for i, text := range modelTexts {
		docs = append(docs, search.Document{
			ID: fmt.Sprintf("d%02d", i), Type: search.TypeNews, Body: text,
			Year: 2020 + i%5, Date: time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC),
		})
	}
	if err := ix.Put(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if n, err := ix.Count(ctx); err != nil || n != int64(len(docs)) {
		t.Fatalf("Count = %d, %v; want %d", n, err, len(docs))
	}
	for _, qt := range modelQueries {
		words, err := search.ParseQuery(qt)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i, d := range docs {
			if referenceMatches(d, words) || knownDifference(modelTexts[i], qt) {
				want = append(want, d.ID)
			}
		}
		res, err := ix.Search(ctx, search.Query{Text: qt, Limit: search.MaxLimit})
		if err != nil {
			t.Fatalf("Search(%q): %v", qt, err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) || res.Total != len(want) {
			t.Errorf("query %q: hits %v (total %d), want %v", qt, got, res.Total, want)
		}
	}
}

// checkFiltersSortAndMarks checks filters with hostile values, the order
// of equal hits, the marks, the facets and a reopen.
func checkFiltersSortAndMarks(t *testing.T, cfg Config) {
	ctx := context.Background()
	ix, err := Open(ctx, cfg, search.IndexCases)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	hostile := `220100" OR regionCode = "220200`
	docs := []search.Document{
		{ID: "c1", Type: search.TypeCase, Title: "<b>吉林市</b>骗保案", Body: "骗取医保基金12.6万元", RegionCode: "220100",
			Year: 2025, Date: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Status: "pending", Category: "fraud"},
		{ID: "c2", Type: search.TypeCase, Title: "吉林市骗保案", Body: "骗取医保基金", RegionCode: "220200",
			Year: 2026, Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Status: "closed", Category: "fraud"},
		{ID: "c3", Type: search.TypeCase, Title: "吉林市骗保案", Body: "骗取医保基金", RegionCode: hostile,
			Year: 2026, Date: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Status: "pending", Category: `a"b\c`},
	}
	if err := ix.Put(ctx, docs); err != nil {
		t.Fatal(err)
	}
	ids := func(res *search.Result) []string {
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	tests := []struct {
		q    search.Query
		want []string
	}{
		{search.Query{Text: "骗保", RegionCodes: []string{"220100", "220200"}}, []string{"c2", "c1"}},
		{search.Query{Text: "骗保", RegionCodes: []string{"220100"}}, []string{"c1"}},
		{search.Query{Text: "骗保", RegionCodes: []string{hostile}}, []string{"c3"}},
		{search.Query{Text: "骗保", RegionCodes: []string{"220100", "220200", hostile}, Category: `a"b\c`}, []string{"c3"}},
		{search.Query{Text: "骗保", RegionCodes: []string{"220100", "220200", hostile}, Statuses: []string{"pending"}, Year: 2026}, []string{"c3"}},
		{search.Query{Text: "126000", RegionCodes: []string{"220100", "220200"}}, []string{"c1"}},
	}
	for _, tt := range tests {
		res, err := ix.Search(ctx, tt.q)
		if err != nil {
			t.Fatalf("Search(%+v): %v", tt.q, err)
		}
		if got := ids(res); !slices.Equal(got, tt.want) {
			t.Errorf("Search(%+v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	res, err := ix.Search(ctx, search.Query{Text: "吉林市 12.6万", RegionCodes: []string{"220100"}, Facets: true})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("Search = %+v, %v", res, err)
	}
	h := res.Hits[0]
	if h.TitleHTML != "&lt;b&gt;<mark>吉林市</mark>&lt;/b&gt;骗保案" || h.SnippetHTML != "骗取医保基金<mark>12.6万</mark>元" {
		t.Errorf("marks: title %s, snippet %s", h.TitleHTML, h.SnippetHTML)
	}
	if !slices.Equal(res.Facets.Years, []search.FacetCount{{Value: "2025", Count: 1}}) {
		t.Errorf("facets %+v", res.Facets)
	}

	// Reopening finds the settings in place.
	ix.Close()
	again, err := Open(ctx, cfg, search.IndexCases)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	cur, err := again.index.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if upd, resets := settingsChange(cur); upd != nil || len(resets) != 0 {
		t.Errorf("settings differ after Open: update %+v, resets %v", upd, resets)
	}
	if err := again.Delete(ctx, []string{"c1", "nope"}); err != nil {
		t.Fatal(err)
	}
	if n, err := again.Count(ctx); err != nil || n != 2 {
		t.Errorf("Count = %d, %v; want 2", n, err)
	}
	if _, err := again.Search(ctx, search.Query{Text: "x"}); !errors.Is(err, search.ErrScopeRequired) {
		t.Errorf("cases search without scope = %v", err)
	}
	if err := again.Ping(ctx); err != nil {
		t.Error(err)
	}
}
