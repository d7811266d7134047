// Package bleve is the embedded search engine: one Bleve (scorch) index
// directory per search index, Chinese read as search.Units (a bigram field
// for phrases, a unigram field for one-character words and amounts), and
// the highlights computed from the stored text with the reference matcher,
// so they are exact and escaped before they are marked.
//
// One process owns an index directory.
package bleve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	blevelib "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
	blevesearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"go.etcd.io/bbolt"

	"fundwatch/search"
)

// MappingVersion is written into every index. Change it whenever the
// mapping, the analyzers or what search.Units reads changes: an index of
// another version is removed on Open and created empty, and the sync loop
// (which sees Count 0) feeds it again.
const MappingVersion = "1"

// versionKey is the internal key MappingVersion is kept under.
var versionKey = []byte("fundwatch.mapping_version")

// Field names. Each searched text is indexed twice, as bigrams and as
// unigrams; Title and Body are also stored (not indexed) for the hits.
const (
	fieldType     = "type"
	fieldRegion   = "region"
	fieldYear     = "year"
	fieldStatus   = "status"
	fieldClass    = "class"
	fieldCategory = "category"
	fieldKind     = "kind"
	fieldDate     = "date"  // sortable: unix milliseconds, zero-padded (dateKey)
	fieldTitle    = "title" // stored only
	fieldBody     = "body"  // stored only

	suffixBigram  = "_bi"
	suffixUnigram = "_uni"
)

// searched are the searched texts and how much a match in each weighs.
var searched = []struct {
	name  string
	boost float64
	text  func(search.Document) string
}{
	{"title", 4, func(d search.Document) string { return d.Title }},
	{"body", 1, func(d search.Document) string { return d.Body }},
	{"extra", 0.5, func(d search.Document) string { return d.Extra }},
}

// facetSize bounds the values a facet reports: the types are a handful,
// and years well under this.
const facetSize = 200

// Index is one Bleve index. It implements search.Index.
type Index struct {
	name string
	path string

	mu  sync.RWMutex
	idx blevelib.Index // nil once closed, or after a failed batch until reopened
	// closed is set by Close: the index is not opened again.
	closed bool
}

var _ search.Index = (*Index)(nil)

// Open opens the index name (search.IndexPublic or search.IndexCases)
// under dir, in dir/<name>.bleve, creating it when missing. An index
// written with another MappingVersion, or one that cannot be read, is
// removed and created anew: it is then empty (Count 0), which tells the
// caller to feed it again.
func Open(dir, name string) (*Index, error) {
	return open(dir, name, MappingVersion)
}

func open(dir, name, version string) (*Index, error) {
	if name != search.IndexPublic && name != search.IndexCases {
		return nil, fmt.Errorf("search/bleve: unknown index %q", name)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, search.Unavailable(fmt.Errorf("search/bleve: %w", err))
	}
	path := filepath.Join(dir, name+".bleve")
	idx, err := openVersion(path, version)
	if err != nil {
		return nil, search.Unavailable(fmt.Errorf("search/bleve: open %s: %w", path, err))
	}
	return &Index{name: name, path: path, idx: idx}, nil
}

// openVersion opens the index at path if it holds version, and otherwise
// (missing, another version, unreadable) starts it afresh: everything in
// it comes from the store. An index another process holds is an error,
// never removed.
func openVersion(path, version string) (blevelib.Index, error) {
	idx, err := blevelib.OpenUsing(path, map[string]any{"bolt_timeout": lockTimeout.String()})
	switch {
	case err == nil:
		got, gerr := idx.GetInternal(versionKey)
		if gerr == nil && string(got) == version {
			return idx, nil
		}
		if cerr := idx.Close(); cerr != nil {
			return nil, cerr
		}
	case errors.Is(err, bbolt.ErrTimeout):
		return nil, fmt.Errorf("held by another process: %w", err)
	}
	if err := os.RemoveAll(path); err != nil {
		return nil, err
	}
	idx, err = blevelib.New(path, newMapping())
	if err != nil {
		return nil, err
	}
	if err := idx.SetInternal(versionKey, []byte(version)); err != nil {
		_ = idx.Close()
		return nil, err
	}
	return idx, nil
}

// lockTimeout is how long Open waits for an index another process holds.
const lockTimeout = 2 * time.Second

// newMapping is the one document mapping both indexes use.
func newMapping() *mapping.IndexMappingImpl {
	dm := mapping.NewDocumentStaticMapping()
	for _, f := range searched {
		dm.AddFieldMappingsAt(f.name+suffixBigram, textField(BigramAnalyzer, true))
		dm.AddFieldMappingsAt(f.name+suffixUnigram, textField(UnigramAnalyzer, false))
	}
	for _, name := range []string{fieldTitle, fieldBody} {
		fm := mapping.NewTextFieldMapping()
		fm.Index, fm.Store, fm.IncludeTermVectors, fm.IncludeInAll, fm.DocValues = false, true, false, false, false
		dm.AddFieldMappingsAt(name, fm)
	}
	for _, name := range []string{fieldType, fieldRegion, fieldYear, fieldStatus, fieldClass, fieldCategory, fieldKind, fieldDate} {
		fm := mapping.NewKeywordFieldMapping()
		fm.IncludeTermVectors, fm.IncludeInAll, fm.SkipFreqNorm = false, false, true
		fm.Store = name == fieldType || name == fieldRegion || name == fieldYear || name == fieldDate
		fm.DocValues = name == fieldType || name == fieldYear || name == fieldDate // facets, sort
		dm.AddFieldMappingsAt(name, fm)
	}
	// Nothing is searched through the composite _all field.
	dm.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())

	im := mapping.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = keyword.Name
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	return im
}

func textField(analyzer string, positions bool) *mapping.FieldMapping {
	fm := mapping.NewTextFieldMapping()
	fm.Analyzer = analyzer
	fm.Store = false
	fm.IncludeTermVectors = positions // phrase queries read the positions
	fm.IncludeInAll = false
	fm.DocValues = false
	return fm
}

// source is the document as the mapping reads it; empty keywords are left
// out rather than indexed as the empty term.
func source(d search.Document) map[string]any {
	m := map[string]any{
		fieldTitle: d.Title,
		fieldBody:  d.Body,
	}
	for _, f := range searched {
		text := f.text(d)
		m[f.name+suffixBigram] = text
		m[f.name+suffixUnigram] = text
	}
	keywords := map[string]string{
		fieldType: d.Type, fieldRegion: d.RegionCode, fieldStatus: d.Status,
		fieldClass: d.Class, fieldCategory: d.Category, fieldKind: d.Kind,
	}
	if d.Year != 0 {
		keywords[fieldYear] = strconv.Itoa(d.Year) // counted in the year facet
	}
	if !d.Date.IsZero() {
		keywords[fieldDate] = dateKey(d.Date)
	}
	for k, v := range keywords {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// dateKey writes t so that strings sort as times do: unix milliseconds,
// zero-padded (one keyword term, cheaper to sort on than a datetime field's
// several precision terms). Dates before 1970 do not occur.
func dateKey(t time.Time) string {
	return fmt.Sprintf("%015d", max(t.UnixMilli(), 0))
}

// index returns the open index under the read lock; the caller unlocks.
// An index a failed batch discarded is opened again first.
func (x *Index) index() (blevelib.Index, error) {
	for {
		x.mu.RLock()
		if x.idx != nil {
			return x.idx, nil
		}
		x.mu.RUnlock()
		if err := x.reopen(); err != nil {
			return nil, err
		}
	}
}

// reopen opens the index from what is on disk after discard, unless Close
// was called. It never starts the index afresh as Open may: the store's
// bookkeeping says what this index holds.
func (x *Index) reopen() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	switch {
	case x.idx != nil:
		return nil
	case x.closed:
		return search.Unavailable(fmt.Errorf("search/bleve: index %s: %w", x.name, blevelib.ErrorIndexClosed))
	}
	idx, err := blevelib.OpenUsing(x.path, map[string]any{"bolt_timeout": lockTimeout.String()})
	if err != nil {
		return x.fail("reopen", err)
	}
	x.idx = idx
	return nil
}

// batch applies the batch build fills, in one Bleve batch.
//
// Scorch adds a batch's segment to the index before it persists it and,
// when persisting fails (a full or read-only disk), closes that segment
// while the index still holds it; every later batch or search that reaches
// it then panics (bleve v2.6.3, zapx v17: "assignment to entry in nil map"),
// and the sync loop's panic stopped the whole server. So after a failed
// batch the index is discarded and opened again from disk on the next call:
// it holds what the last persisted batch left, and the failed batch's
// records are still pending in the store, which sends them again.
func (x *Index) batch(op string, build func(b *blevelib.Batch) error) error {
	idx, err := x.index()
	if err != nil {
		return err
	}
	b := idx.NewBatch()
	if err := build(b); err != nil {
		x.mu.RUnlock()
		return err
	}
	err = idx.Batch(b)
	x.mu.RUnlock()
	if err != nil {
		x.discard(idx)
		return x.fail(op, err)
	}
	return nil
}

// discard closes idx, which a failed batch left unusable, unless it was
// closed or discarded meanwhile.
func (x *Index) discard(idx blevelib.Index) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx != idx {
		return
	}
	_ = idx.Close()
	x.idx = nil
}

func (x *Index) fail(op string, err error) error {
	return search.Unavailable(fmt.Errorf("search/bleve: %s %s: %w", op, x.name, err))
}

// Put adds or replaces docs by ID in one batch.
func (x *Index) Put(ctx context.Context, docs []search.Document) error {
	if len(docs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return x.fail("put", err)
	}
	return x.batch("put", func(b *blevelib.Batch) error {
		for _, d := range docs {
			if d.ID == "" {
				return fmt.Errorf("search/bleve: put %s: a document without an id", x.name)
			}
			if err := b.Index(d.ID, source(d)); err != nil {
				return x.fail("put", err)
			}
		}
		return nil
	})
}

// Delete removes ids; missing ones are no error.
func (x *Index) Delete(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return x.fail("delete", err)
	}
	return x.batch("delete", func(b *blevelib.Batch) error {
		for _, id := range ids {
			b.Delete(id)
		}
		return nil
	})
}

// Count tells how many documents the index holds.
func (x *Index) Count(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, x.fail("count", err)
	}
	idx, err := x.index()
	if err != nil {
		return 0, err
	}
	defer x.mu.RUnlock()
	n, err := idx.DocCount()
	if err != nil {
		return 0, x.fail("count", err)
	}
	return int64(n), nil
}

// Ping tells whether the index is open and readable.
func (x *Index) Ping(ctx context.Context) error {
	_, err := x.Count(ctx)
	return err
}

// Close releases the index; later calls report ErrUnavailable.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.closed = true
	if x.idx == nil {
		return nil
	}
	err := x.idx.Close()
	x.idx = nil
	if err != nil {
		return fmt.Errorf("search/bleve: close %s: %w", x.name, err)
	}
	return nil
}

// Search runs q: every word required, filters applied without scoring,
// hits by score, then the newest date (equal both, in index order).
func (x *Index) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	if x.name == search.IndexCases && len(q.RegionCodes) == 0 {
		return nil, search.ErrScopeRequired
	}
	words, err := search.ParseQuery(q.Text)
	if err != nil {
		return nil, err
	}
	offset, limit := search.Bounds(q.Offset, q.Limit)

	bq := blevelib.NewBooleanQuery()
	must := make([]query.Query, len(words))
	for i, w := range words {
		must[i] = wordQuery(w)
	}
	bq.AddMust(must...)
	if filter := filterQuery(q); filter != nil {
		bq.AddFilter(filter)
	}

	req := blevelib.NewSearchRequestOptions(bq, limit, offset, false)
	req.Fields = []string{fieldType, fieldRegion, fieldYear, fieldDate, fieldTitle, fieldBody}
	req.SortByCustom(blevesearch.SortOrder{
		&blevesearch.SortScore{Desc: true},
		&blevesearch.SortField{Field: fieldDate, Desc: true, Type: blevesearch.SortFieldAsString, Missing: blevesearch.SortFieldMissingLast},
	})
	if q.Facets {
		req.AddFacet(fieldType, blevelib.NewFacetRequest(fieldType, facetSize))
		req.AddFacet(fieldYear, blevelib.NewFacetRequest(fieldYear, facetSize))
	}

	idx, err := x.index()
	if err != nil {
		return nil, err
	}
	res, err := idx.SearchInContext(ctx, req)
	x.mu.RUnlock()
	if err != nil {
		return nil, x.fail("search", err)
	}

	out := &search.Result{
		Total: int(res.Total),
		Hits:  make([]search.Hit, 0, len(res.Hits)),
		Facets: search.Facets{
			Types: facetCounts(res.Facets[fieldType]),
			Years: facetCounts(res.Facets[fieldYear]),
		},
	}
	for _, m := range res.Hits {
		out.Hits = append(out.Hits, hit(m, words))
	}
	return out, nil
}

// wordQuery matches w in any searched text: any of its variants, or its
// amount.
func wordQuery(w search.Word) query.Query {
	var any []query.Query
	for _, f := range searched {
		for _, v := range w.Variants {
			var q query.Query
			switch len(v) {
			case 0:
				continue
			case 1:
				t := blevelib.NewTermQuery(v[0])
				t.SetField(f.name + suffixUnigram)
				t.SetBoost(f.boost)
				q = t
			case 2:
				t := blevelib.NewTermQuery(v[0] + v[1])
				t.SetField(f.name + suffixBigram)
				t.SetBoost(f.boost)
				q = t
			default:
				p := blevelib.NewPhraseQuery(sparseBigrams(v), f.name+suffixBigram)
				p.SetBoost(f.boost)
				q = p
			}
			any = append(any, q)
		}
		if w.Amount != "" {
			t := blevelib.NewTermQuery(amountPrefix + w.Amount)
			t.SetField(f.name + suffixUnigram)
			t.SetBoost(f.boost)
			any = append(any, t)
		}
	}
	return blevelib.NewDisjunctionQuery(any...)
}

// sparseBigrams is the phrase of units as the bigrams that cover them with
// as few terms as possible: every other bigram, and the last one, with ""
// (any term) between them — 长春市某 is 长春 _ 市某 rather than 长春 春市
// 市某. Each bigram left out is one posting list less to walk, and the
// bigrams kept still pin every unit at its place.
func sparseBigrams(units []string) []string {
	all := bigrams(units)
	out := make([]string, len(all))
	for i := range all {
		if i%2 == 0 || i == len(all)-1 {
			out[i] = all[i]
		}
	}
	return out
}

// bigrams are the consecutive pairs of units, as BigramAnalyzer indexes a
// run of units without gaps.
func bigrams(units []string) []string {
	out := make([]string, len(units)-1)
	for i := range out {
		out[i] = units[i] + units[i+1]
	}
	return out
}

// filterQuery is the conjunction of q's filters, or nil when it has none.
func filterQuery(q search.Query) query.Query {
	var all []query.Query
	anyOf := func(field string, values []string) {
		if len(values) == 0 {
			return
		}
		var one []query.Query
		for _, v := range slices.Compact(slices.Sorted(slices.Values(values))) {
			t := blevelib.NewTermQuery(v)
			t.SetField(field)
			one = append(one, t)
		}
		all = append(all, blevelib.NewDisjunctionQuery(one...))
	}
	anyOf(fieldType, q.Types)
	anyOf(fieldRegion, q.RegionCodes)
	if q.Year != 0 {
		anyOf(fieldYear, []string{strconv.Itoa(q.Year)})
	}
	anyOf(fieldStatus, q.Statuses)
	if q.Class != "" {
		anyOf(fieldClass, []string{q.Class})
	}
	if q.Category != "" {
		anyOf(fieldCategory, []string{q.Category})
	}
	if len(all) == 0 {
		return nil
	}
	return blevelib.NewConjunctionQuery(all...)
}

func facetCounts(fr *blevesearch.FacetResult) []search.FacetCount {
	if fr == nil || fr.Terms == nil {
		return nil
	}
	var out []search.FacetCount
	for _, t := range fr.Terms.Terms() {
		out = append(out, search.FacetCount{Value: t.Term, Count: t.Count})
	}
	slices.SortFunc(out, func(a, b search.FacetCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return cmpString(a.Value, b.Value)
	})
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// hit builds a Hit from the stored fields, highlighting with the
// reference matcher over the stored text.
func hit(m *blevesearch.DocumentMatch, words []search.Word) search.Hit {
	str := func(name string) string {
		s, _ := m.Fields[name].(string)
		return s
	}
	h := search.Hit{
		ID:         m.ID,
		Type:       str(fieldType),
		RegionCode: str(fieldRegion),
		Score:      m.Score,
	}
	h.Year, _ = strconv.Atoi(str(fieldYear))
	if ms, err := strconv.ParseInt(str(fieldDate), 10, 64); err == nil {
		h.Date = time.UnixMilli(ms).UTC()
	}
	title, body := str(fieldTitle), str(fieldBody)
	h.TitleHTML = search.Mark(title, spans(title, words))
	h.SnippetHTML = search.Snippet(body, spans(body, words))
	return h
}

func spans(text string, words []search.Word) []search.Span {
	if text == "" {
		return nil
	}
	units := search.Units(text)
	var out []search.Span
	for _, w := range words {
		out = append(out, w.Spans(units)...)
	}
	return out
}
