package searchtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"fundwatch/search"
)

// MinPrecision and MinRecall are what an engine must reach over the whole
// relevance set.
const (
	MinPrecision = 0.95
	MinRecall    = 0.95
)

// RelevanceSet is testdata/relevance.json: documents for the public and
// the cases index, and queries with the documents each must find (must)
// and must not find (mustNot). Documents in neither list do not count.
type RelevanceSet struct {
	Documents []RelevanceDoc   `json:"documents"`
	Queries   []RelevanceQuery `json:"queries"`
}

// RelevanceDoc is one document of the set; Date is YYYY-MM-DD.
type RelevanceDoc struct {
	Index      string `json:"index"`
	ID         string `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Body       string `json:"body"`
	Extra      string `json:"extra"`
	RegionCode string `json:"regionCode"`
	Year       int    `json:"year"`
	Date       string `json:"date"`
	Status     string `json:"status"`
	Class      string `json:"class"`
	Category   string `json:"category"`
	Kind       string `json:"kind"`
}

// RelevanceQuery is one query of the set and what it must (not) find.
type RelevanceQuery struct {
	Index       string   `json:"index"`
	Q           string   `json:"q"`
	Types       []string `json:"types"`
	RegionCodes []string `json:"regionCodes"`
	Year        int      `json:"year"`
	Statuses    []string `json:"statuses"`
	Class       string   `json:"class"`
	Category    string   `json:"category"`
	Must        []string `json:"must"`
	MustNot     []string `json:"mustNot"`
	Why         string   `json:"why"`
}

// RelevancePath is where the relevance set lives, found from this file so
// any package's test can load it.
func RelevancePath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "relevance.json")
}

// LoadRelevance reads the relevance set.
func LoadRelevance(t testing.TB) *RelevanceSet {
	t.Helper()
	data, err := os.ReadFile(RelevancePath())
	if err != nil {
		t.Fatalf("relevance set: %v", err)
	}
	var set RelevanceSet
	if err := json.Unmarshal(data, &set); err != nil {
		t.Fatalf("relevance set %s: %v", RelevancePath(), err)
	}
	return &set
}

// Document is d as an index holds it.
func (d RelevanceDoc) Document() (search.Document, error) {
	out := search.Document{
		ID: d.ID, Type: d.Type, Title: d.Title, Body: d.Body, Extra: d.Extra,
		RegionCode: d.RegionCode, Year: d.Year,
		Status: d.Status, Class: d.Class, Category: d.Category, Kind: d.Kind, Version: 1,
	}
	if d.Date != "" {
		date, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			return out, fmt.Errorf("document %s: date %q: %w", d.ID, d.Date, err)
		}
		out.Date = date
	}
	return out, nil
}

// Query is q as a search.Query, without paging.
func (q RelevanceQuery) Query() search.Query {
	return search.Query{
		Text: q.Q, Types: q.Types, RegionCodes: q.RegionCodes, Year: q.Year,
		Statuses: q.Statuses, Class: q.Class, Category: q.Category,
	}
}

// RunRelevance indexes the relevance set into a public and a cases index of
// the engine h gives, runs every query (all pages up to the window), logs
// precision and recall per query and in total, and fails when the total
// precision or recall is below MinPrecision or MinRecall, listing the
// queries that returned a mustNot or missed a must.
func RunRelevance(t *testing.T, h Harness) {
	set := LoadRelevance(t)
	ctx := context.Background()
	indexes := map[string]search.Index{
		search.IndexPublic: h.New(t, search.IndexPublic),
		search.IndexCases:  h.New(t, search.IndexCases),
	}
	docs := map[string][]search.Document{}
	for _, rd := range set.Documents {
		d, err := rd.Document()
		if err != nil {
			t.Fatal(err)
		}
		if indexes[rd.Index] == nil {
			t.Fatalf("document %s: unknown index %q", rd.ID, rd.Index)
		}
		docs[rd.Index] = append(docs[rd.Index], d)
	}
	for name, ds := range docs {
		for chunk := range slices.Chunk(ds, 500) {
			if err := indexes[name].Put(ctx, chunk); err != nil {
				t.Fatalf("Put into %s: %v", name, err)
			}
		}
	}

	var (
		hitMust, hitMustNot, allMust int
		failing                      []string
	)
	for i, rq := range set.Queries {
		idx := indexes[rq.Index]
		if idx == nil {
			t.Errorf("query %d %q: unknown index %q", i, rq.Q, rq.Index)
			continue
		}
		returned, err := searchAll(ctx, idx, rq.Query())
		if err != nil {
			t.Errorf("query %d %q %s: %v", i, rq.Q, describe(rq.Query()), err)
			allMust += len(rq.Must)
			failing = append(failing, fmt.Sprintf("%q: error %v", rq.Q, err))
			continue
		}
		var missed, wrong []string
		found := 0
		for _, id := range rq.Must {
			if returned[id] {
				found++
			} else {
				missed = append(missed, id)
			}
		}
		for _, id := range rq.MustNot {
			if returned[id] {
				wrong = append(wrong, id)
			}
		}
		hitMust += found
		hitMustNot += len(wrong)
		allMust += len(rq.Must)
		t.Logf("%-4d %-24q %s precision %s recall %s",
			i, rq.Q, rq.Index, ratio(found, found+len(wrong)), ratio(found, len(rq.Must)))
		if len(missed) > 0 || len(wrong) > 0 {
			failing = append(failing, fmt.Sprintf("%q %s on %s: missed %v, returned mustNot %v (%s)",
				rq.Q, describe(rq.Query()), rq.Index, missed, wrong, rq.Why))
		}
	}
	precision := fraction(hitMust, hitMust+hitMustNot)
	recall := fraction(hitMust, allMust)
	t.Logf("total over %d queries: precision %.3f (%d/%d), recall %.3f (%d/%d)",
		len(set.Queries), precision, hitMust, hitMust+hitMustNot, recall, hitMust, allMust)
	if len(failing) > 0 {
		t.Logf("queries not fully right:\n  %s", strings.Join(failing, "\n  "))
	}
	if precision < MinPrecision || recall < MinRecall {
		t.Errorf("precision %.3f, recall %.3f; want at least %.2f and %.2f", precision, recall, MinPrecision, MinRecall)
	}
}

// searchAll runs q page by page (MaxLimit each) to the end of the matches
// or the window, and returns the ids found.
func searchAll(ctx context.Context, idx search.Index, q search.Query) (map[string]bool, error) {
	found := map[string]bool{}
	for q.Offset, q.Limit = 0, search.MaxLimit; q.Offset < search.MaxWindow; q.Offset += search.MaxLimit {
		res, err := idx.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			found[h.ID] = true
		}
		if len(res.Hits) < search.MaxLimit || q.Offset+len(res.Hits) >= res.Total {
			break
		}
	}
	return found, nil
}

func fraction(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func ratio(a, b int) string {
	if b == 0 {
		return "  -  "
	}
	return fmt.Sprintf("%.3f", float64(a)/float64(b))
}
