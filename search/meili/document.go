package meili

import (
	"strings"
	"sync"
	"time"

	"fundwatch/search"
)

// How text is searched on Meilisearch.
//
// Meilisearch's own Chinese reading (jieba words, the dictionary setting,
// synonyms) does not follow search's rules: a query word only matches whole
// tokens (so 处理 does not find 待处理 when jieba made one token of it), a
// dictionary term becomes one token that no shorter word finds, a quoted
// phrase gets no synonyms, and an amount is never its value. So each text
// field is also stored as the units search.Units reads it, one token each:
// units separated by a space (adjacent), or by " ; " where the text had a
// gap (";" is a hard separator to Meilisearch: the next word is not
// adjacent, so no phrase matches across it). A query word is then a quoted
// phrase of its units, which finds the same texts as search's reference
// reading: the shorter word finds the longer, 吉林市 does not find 吉林省.
//
// What a phrase cannot do is done at indexing, in a second field per text
// (the "alt" field): for every synonym group member in the text, a window
// of the text with that member replaced by each other member, and the
// value of every amount (so 12.6万 finds the 126000 in an alt field).

// Field names of the documents this package writes.
const (
	fieldID         = "id"
	fieldType       = "type"
	fieldTitle      = "title"
	fieldBody       = "body"
	fieldExtra      = "extra"
	fieldRegionCode = "regionCode"
	fieldYear       = "year"
	fieldDate       = "date"
	fieldStatus     = "status"
	fieldClass      = "class"
	fieldCategory   = "category"
	fieldKind       = "kind"
	fieldTitleUnits = "titleUnits"
	fieldTitleAlt   = "titleAlt"
	fieldExtraUnits = "extraUnits"
	fieldExtraAlt   = "extraAlt"
	fieldBodyUnits  = "bodyUnits"
	fieldBodyAlt    = "bodyAlt"
)

// document is a search.Document as it is sent to Meilisearch. Date is unix
// milliseconds, a number Meilisearch can sort.
type document struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Body       string `json:"body"`
	Extra      string `json:"extra"`
	RegionCode string `json:"regionCode"`
	Year       int    `json:"year"`
	Date       int64  `json:"date"`
	Status     string `json:"status"`
	Class      string `json:"class"`
	Category   string `json:"category"`
	Kind       string `json:"kind"`

	TitleUnits string `json:"titleUnits"`
	TitleAlt   string `json:"titleAlt"`
	ExtraUnits string `json:"extraUnits"`
	ExtraAlt   string `json:"extraAlt"`
	BodyUnits  string `json:"bodyUnits"`
	BodyAlt    string `json:"bodyAlt"`
}

func toDocument(d search.Document) document {
	title, extra, body := search.Units(d.Title), search.Units(d.Extra), search.Units(d.Body)
	return document{
		ID:         d.ID,
		Type:       d.Type,
		Title:      d.Title,
		Body:       d.Body,
		Extra:      d.Extra,
		RegionCode: d.RegionCode,
		Year:       d.Year,
		Date:       d.Date.UnixMilli(),
		Status:     d.Status,
		Class:      d.Class,
		Category:   d.Category,
		Kind:       d.Kind,
		TitleUnits: unitStream(title),
		TitleAlt:   altStream(title),
		ExtraUnits: unitStream(extra),
		ExtraAlt:   altStream(extra),
		BodyUnits:  unitStream(body),
		BodyAlt:    altStream(body),
	}
}

// dateFromMillis turns a stored date back into a UTC time.
func dateFromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// gapSeparator stands between units that a gap separates; every stream,
// window and amount in an alt field is also set apart by it.
const gapSeparator = " ; "

// unitStream writes units as Meilisearch tokens: a space between adjacent
// units, gapSeparator where the text had a gap.
func unitStream(units []search.Unit) string {
	var b strings.Builder
	for i, u := range units {
		if i > 0 {
			if u.Gap {
				b.WriteString(gapSeparator)
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(u.Text)
	}
	return b.String()
}

// synonymContext is how many units of text each synonym window keeps on
// either side of the replaced member: a query word of up to this many units
// around a member finds its synonym spelling.
const synonymContext = 24

// altStream is the alt field of a text: its synonym windows, then the
// values of its amounts (each once), all set apart by gapSeparator.
//
// A window replaces one member occurrence m by another member o of its
// group, except where m contains o (挤占挪用 holds 挪用 already); a shorter
// member is spelled longer (违规挪用 also reads 违规挤占挪用), as search's
// reading finds 挪用 for the query 挤占挪用.
func altStream(units []search.Unit) string {
	var parts []string
	for _, group := range synonymUnits() {
		for mi, m := range group {
			for _, at := range search.Occurrences(units, m) {
				for oi, o := range group {
					if oi == mi || containsUnits(m, o) || within(units, at, len(m), o) {
						continue
					}
					parts = append(parts, unitStream(window(units, at, len(m), o)))
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, u := range units {
		if u.Amount != "" && !seen[u.Amount] {
			seen[u.Amount] = true
			parts = append(parts, u.Amount)
		}
	}
	return strings.Join(parts, gapSeparator)
}

// window returns up to synonymContext units either side of units[at:at+n]
// with those n units replaced by other.
func window(units []search.Unit, at, n int, other []string) []search.Unit {
	from, to := max(0, at-synonymContext), min(len(units), at+n+synonymContext)
	out := make([]search.Unit, 0, to-from-n+len(other))
	out = append(out, units[from:at]...)
	for i, t := range other {
		out = append(out, search.Unit{Text: t, Gap: i == 0 && units[at].Gap})
	}
	return append(out, units[at+n:to]...)
}

// within tells whether units[at:at+n] lies inside an occurrence of o (the
// 挪用 of 挤占挪用, when o is 挤占挪用): that text already reads as o.
func within(units []search.Unit, at, n int, o []string) bool {
	for _, i := range search.Occurrences(units, o) {
		if i <= at && at+n <= i+len(o) {
			return true
		}
	}
	return false
}

func containsUnits(a, b []string) bool {
	return strings.Contains(strings.Join(a, " "), strings.Join(b, " "))
}

// synonymUnits is search.Synonyms read as unit texts, computed once.
var synonymUnits = sync.OnceValue(func() [][][]string {
	groups := make([][][]string, len(search.Synonyms))
	for i, g := range search.Synonyms {
		for _, m := range g {
			groups[i] = append(groups[i], search.Texts(search.Units(m)))
		}
	}
	return groups
})

// queryString writes the words of a parsed query as Meilisearch's q: each
// word a quoted phrase of its units, or of its value when it is an amount
// (every number in a text has its value in the alt field, and a number in
// a text that spells the word has the word's value, so the value alone
// finds all the texts the word does). Unit texts hold only letters, digits,
// marks and a decimal point, never a quote.
func queryString(words []search.Word) string {
	parts := make([]string, len(words))
	for i, w := range words {
		phrase := strings.Join(w.Variants[0], " ")
		if w.Amount != "" {
			phrase = w.Amount
		}
		parts[i] = `"` + phrase + `"`
	}
	return strings.Join(parts, " ")
}

// highlightSpans returns where the words occur in text, as search reads it.
func highlightSpans(words []search.Word, text string) []search.Span {
	if text == "" {
		return nil
	}
	units := search.Units(text)
	var spans []search.Span
	for _, w := range words {
		spans = append(spans, w.Spans(units)...)
	}
	return search.MergeSpans(spans)
}
