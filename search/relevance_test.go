package search

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"fundwatch/casework"
)

// relevancePath is the relevance set both engines are run against
// (search/searchtest); this file checks the set itself against the
// reference reading of text (Units, ParseQuery, Word.Matches) and the
// filters, so an engine failing it is the engine's fault, not the set's.
const relevancePath = "searchtest/testdata/relevance.json"

type relevanceSet struct {
	Documents []relevanceDoc   `json:"documents"`
	Queries   []relevanceQuery `json:"queries"`
}

type relevanceDoc struct {
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

type relevanceQuery struct {
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

// The keys every document and every query has, no more, no fewer: the
// runner of search/searchtest reads the file in this shape.
var (
	relevanceDocKeys = []string{"index", "id", "type", "title", "body", "extra", "regionCode", "year", "date",
		"status", "class", "category", "kind"}
	relevanceQueryKeys = []string{"index", "q", "types", "regionCodes", "year", "statuses", "class", "category",
		"must", "mustNot", "why"}
)

func loadRelevance(t *testing.T) relevanceSet {
	t.Helper()
	data, err := os.ReadFile(relevancePath)
	if err != nil {
		t.Fatal(err)
	}
	var set relevanceSet
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&set); err != nil {
		t.Fatalf("%s: %v", relevancePath, err)
	}
	var raw struct {
		Documents []map[string]json.RawMessage `json:"documents"`
		Queries   []map[string]json.RawMessage `json:"queries"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	checkKeys := func(what string, objs []map[string]json.RawMessage, keys []string) {
		t.Helper()
		for i, o := range objs {
			for _, k := range keys {
				if v, ok := o[k]; !ok || string(v) == "null" {
					t.Errorf("%s %d lacks %q (or it is null)", what, i, k)
				}
			}
		}
	}
	checkKeys("document", raw.Documents, relevanceDocKeys)
	checkKeys("query", raw.Queries, relevanceQueryKeys)
	return set
}

// refMatches is the reference: every word of the query matches the title,
// the body or the extra text of d (each field on its own), and d passes
// every filter of q.
func refMatches(d relevanceDoc, q relevanceQuery, words []Word) bool {
	return refPassesFilters(d, q, true) && refMatchesText(d, words)
}

func refMatchesText(d relevanceDoc, words []Word) bool {
	fields := [][]Unit{Units(d.Title), Units(d.Body), Units(d.Extra)}
	for _, w := range words {
		if !slices.ContainsFunc(fields, w.Matches) {
			return false
		}
	}
	return true
}

func refPassesFilters(d relevanceDoc, q relevanceQuery, region bool) bool {
	switch {
	case d.Index != q.Index:
		return false
	case len(q.Types) > 0 && !slices.Contains(q.Types, d.Type):
		return false
	case region && len(q.RegionCodes) > 0 && !slices.Contains(q.RegionCodes, d.RegionCode):
		return false
	case q.Year != 0 && d.Year != q.Year:
		return false
	case len(q.Statuses) > 0 && !slices.Contains(q.Statuses, d.Status):
		return false
	case q.Class != "" && d.Class != q.Class:
		return false
	case q.Category != "" && d.Category != q.Category:
		return false
	}
	return true
}

var publicTypes = []string{TypeAnnouncement, TypeNews, TypeNotice, TypeFundReport, TypeAccountNote}

func TestRelevanceDocuments(t *testing.T) {
	set := loadRelevance(t)
	regions := casework.DefaultRegions()
	seen := map[string]bool{}
	count := map[string]int{}
	for _, d := range set.Documents {
		if d.ID == "" || seen[d.ID] {
			t.Errorf("document id %q is empty or not unique", d.ID)
		}
		seen[d.ID] = true
		count[d.Index]++
		if _, ok := regions.Lookup(d.RegionCode); !ok {
			t.Errorf("%s: unknown region %q", d.ID, d.RegionCode)
		}
		date, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			t.Errorf("%s: date %q: %v", d.ID, d.Date, err)
		}
		if d.Title == "" || d.Body == "" || d.Extra == "" {
			t.Errorf("%s: empty title, body or extra", d.ID)
		}
		for _, s := range []string{d.Title, d.Body, d.Extra} {
			if !utf8.ValidString(s) {
				t.Errorf("%s: text is not UTF-8", d.ID)
			}
		}
		switch d.Index {
		case IndexPublic:
			if !slices.Contains(publicTypes, d.Type) {
				t.Errorf("%s: type %q is not a public type", d.ID, d.Type)
			}
			if d.Status != "" || d.Class != "" || d.Category != "" || d.Kind != "" {
				t.Errorf("%s: a publication with case keywords", d.ID)
			}
			if d.Year < 2000 || d.Year > date.Year() {
				t.Errorf("%s: year %d for a publication of %s", d.ID, d.Year, d.Date)
			}
		case IndexCases:
			switch {
			case d.Type != TypeCase:
				t.Errorf("%s: type %q in the cases index", d.ID, d.Type)
			case !casework.ValidStatus(d.Status) || !casework.ValidImportantClass(d.Class) ||
				!casework.ValidCategory(d.Category) || !casework.ValidKind(d.Kind):
				t.Errorf("%s: status %q, class %q, category %q or kind %q unknown", d.ID, d.Status, d.Class, d.Category, d.Kind)
			case d.Year != date.Year():
				t.Errorf("%s: year %d, filed %s", d.ID, d.Year, d.Date)
			}
			// A case's title is its number (the year filed, a sequence) and
			// the reported party.
			num, _, _ := strings.Cut(d.Title, " ")
			if y, seq, ok := strings.Cut(num, "-"); !ok || y != d.Date[:4] || len(seq) != 6 {
				t.Errorf("%s: title %q does not start with a case number of %d", d.ID, d.Title, d.Year)
			}
			for _, label := range []string{casework.StatusLabel(d.Status), casework.ImportantClassLabel(d.Class),
				casework.CategoryLabel(d.Category), casework.KindLabel(d.Kind)} {
				if !strings.Contains(d.Extra, label) {
					t.Errorf("%s: extra %q lacks the label %q", d.ID, d.Extra, label)
				}
			}
		default:
			t.Errorf("%s: unknown index %q", d.ID, d.Index)
		}
	}
	if count[IndexPublic] < 50 || count[IndexCases] < 25 {
		t.Errorf("%d public documents and %d cases, want at least 50 and 25", count[IndexPublic], count[IndexCases])
	}
	t.Logf("%d public documents, %d cases", count[IndexPublic], count[IndexCases])
}

func TestRelevanceQueries(t *testing.T) {
	set := loadRelevance(t)
	docs := map[string]relevanceDoc{}
	for _, d := range set.Documents {
		docs[d.ID] = d
	}
	placeNames := regionNames()

	var oneChar, amount, place, multi, crossField, filtered, synonym, scopeShown, punct, fullWidth, nothing int
	for i, q := range set.Queries {
		name := q.Index + " " + q.Q
		words, err := ParseQuery(q.Q)
		if err != nil {
			t.Errorf("query %d %q: %v", i, name, err)
			continue
		}
		switch q.Index {
		case IndexPublic:
		case IndexCases:
			if len(q.RegionCodes) == 0 {
				t.Errorf("%s: a cases query without the caller's region scope", name)
			}
		default:
			t.Errorf("%s: unknown index", name)
		}
		for _, typ := range q.Types {
			if !slices.Contains(publicTypes, typ) && typ != TypeCase {
				t.Errorf("%s: unknown type %q", name, typ)
			}
		}
		for _, s := range q.Statuses {
			if !casework.ValidStatus(s) {
				t.Errorf("%s: unknown status %q", name, s)
			}
		}
		if (q.Class != "" && !casework.ValidImportantClass(q.Class)) || (q.Category != "" && !casework.ValidCategory(q.Category)) {
			t.Errorf("%s: unknown class %q or category %q", name, q.Class, q.Category)
		}
		if q.Why == "" {
			t.Errorf("%s: no why", name)
		}
		if len(q.MustNot) == 0 {
			t.Errorf("%s: no mustNot", name)
		}

		listed := map[string]bool{}
		check := func(ids []string, want bool) {
			for _, id := range ids {
				d, ok := docs[id]
				switch {
				case !ok:
					t.Errorf("%s: unknown document %q", name, id)
					continue
				case d.Index != q.Index:
					t.Errorf("%s: %s is in the %s index", name, id, d.Index)
					continue
				case listed[id]:
					t.Errorf("%s: %s listed twice", name, id)
				}
				listed[id] = true
				if got := refMatches(d, q, words); got != want {
					t.Errorf("%s: %s matches = %v, want %v (%s)\n\ttitle: %s\n\tbody: %s\n\textra: %s",
						name, id, got, want, q.Why, d.Title, d.Body, d.Extra)
				}
			}
		}
		check(q.Must, true)
		check(q.MustNot, false)

		if len(q.Must) == 0 {
			// Only a query that matches nothing at all may expect nothing.
			nothing++
			for _, d := range set.Documents {
				if refMatches(d, q, words) {
					t.Errorf("%s: must is empty, but %s matches", name, d.ID)
				}
			}
		}

		// What the query shows, counted for the minimums below.
		if utf8.RuneCountInString(strings.TrimSpace(q.Q)) == 1 {
			oneChar++
		}
		if slices.ContainsFunc(words, func(w Word) bool { return w.Amount != "" }) {
			amount++
		}
		if slices.ContainsFunc(words, func(w Word) bool {
			return slices.ContainsFunc(placeNames, func(n string) bool { return strings.Contains(w.Text, n) })
		}) {
			place++
		}
		if len(words) > 1 {
			multi++
		}
		if slices.ContainsFunc(q.Must, func(id string) bool { return acrossFields(docs[id], words) }) {
			crossField++
		}
		if len(q.Types) > 0 || q.Year != 0 || len(q.Statuses) > 0 || q.Class != "" || q.Category != "" ||
			(q.Index == IndexPublic && len(q.RegionCodes) > 0) {
			filtered++
		}
		if q.Q != Normalize(q.Q) {
			fullWidth++
		}
		if len(Units(q.Q)) > 1 && slices.ContainsFunc(Units(q.Q), func(u Unit) bool { return u.Gap }) &&
			!strings.Contains(q.Q, " ") {
			punct++
		}
		if slices.ContainsFunc(q.Must, func(id string) bool { return onlyBySynonym(docs[id], words) }) {
			synonym++
		}
		if q.Index == IndexCases && slices.ContainsFunc(q.MustNot, func(id string) bool {
			d := docs[id]
			return refPassesFilters(d, q, false) && refMatchesText(d, words)
		}) {
			scopeShown++
		}
	}

	mins := []struct {
		what      string
		got, want int
	}{
		{"queries", len(set.Queries), 40},
		{"one-character queries", oneChar, 5},
		{"amount queries", amount, 3},
		{"place-name queries", place, 3},
		{"multi-word queries", multi, 3},
		{"queries whose words match only in different fields", crossField, 1},
		{"filtered queries", filtered, 5},
		{"queries found only through a synonym", synonym, 5},
		{"cases queries whose scope leaves out a matching case", scopeShown, 2},
		{"queries with punctuation inside", punct, 1},
		{"queries typed full-width", fullWidth, 1},
		{"queries matching nothing", nothing, 1},
	}
	for _, m := range mins {
		if m.got < m.want {
			t.Errorf("%d %s, want at least %d", m.got, m.what, m.want)
		}
		t.Logf("%3d %s", m.got, m.what)
	}
}

// regionNames lists the names of every region of the tree.
func regionNames() []string {
	rs := casework.DefaultRegions()
	names := []string{rs.Root().Name}
	for _, c := range rs.Cities() {
		names = append(names, c.Name)
		for _, k := range rs.Counties(c.Code) {
			names = append(names, k.Name)
		}
	}
	return names
}

// acrossFields tells whether d matches words, but no one field of d holds
// them all.
func acrossFields(d relevanceDoc, words []Word) bool {
	if !refMatchesText(d, words) {
		return false
	}
	for _, f := range []string{d.Title, d.Body, d.Extra} {
		if refMatchesText(relevanceDoc{Title: f}, words) {
			return false
		}
	}
	return true
}

// onlyBySynonym tells whether d matches words, but not without the synonym
// spellings: some word matches no field in its own spelling or amount.
func onlyBySynonym(d relevanceDoc, words []Word) bool {
	if !refMatchesText(d, words) {
		return false
	}
	for _, w := range words {
		own := w
		own.Variants = w.Variants[:1]
		if !refMatchesText(d, []Word{own}) {
			return true
		}
	}
	return false
}
