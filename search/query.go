package search

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Query limits. A longer query is refused with a message, never cut
// silently.
const (
	MaxQueryRunes = 100
	MaxQueryWords = 10
)

// QueryError is a query the user has to change; Message says how, in
// Chinese, for the page or the API's 422.
type QueryError struct{ Message string }

func (e *QueryError) Error() string { return e.Message }

// The sentences of QueryError.
const (
	MsgQueryEmpty    = "请输入要搜索的内容。"
	MsgQueryTooLong  = "搜索内容最多100个字，请缩短后再搜索。"
	MsgQueryTooMany  = "一次最多搜索10个词，请减少空格分隔的词语后再搜索。"
	MsgQueryNoLetter = "请输入汉字、字母或数字。"
)

// Word is one required word of a query.
type Word struct {
	// Text is the word normalised, as typed.
	Text string
	// Variants are the unit sequences that match the word: its own and
	// those of its synonym spellings (see Synonyms); any one matches.
	Variants [][]string
	// Amount is the word's value in yuan when the word is an amount (a
	// number, optionally followed by 万 or 亿, optionally by 元); it then
	// also matches any amount of that value in the text. "" otherwise.
	Amount string
}

// ParseQuery reads what the user typed into the words that must all match.
// Spaces separate words; so does punctuation inside a word (2026-000123 is
// the words 2026 and 000123, both required), and so does a byte that is not
// UTF-8; a word repeated counts once.
// An empty query, one longer than MaxQueryRunes, one with more than
// MaxQueryWords words, or one without a letter, digit or character is a
// *QueryError.
func ParseQuery(text string) ([]Word, error) {
	// Bytes that are not UTF-8 (a mangled URL) separate words as any
	// other non-letter does; they are no reason to say the query is long.
	text = strings.TrimSpace(strings.ToValidUTF8(text, " "))
	if text == "" {
		return nil, &QueryError{MsgQueryEmpty}
	}
	if utf8.RuneCountInString(text) > MaxQueryRunes {
		return nil, &QueryError{MsgQueryTooLong}
	}
	var words []Word
	seen := map[string]bool{}
	units := Units(text)
	for start := 0; start < len(units); {
		end := start + 1
		for end < len(units) && !units[end].Gap {
			end++
		}
		w := makeWord(units[start:end])
		start = end
		if seen[w.Text] {
			continue
		}
		seen[w.Text] = true
		words = append(words, w)
	}
	switch {
	case len(words) == 0:
		return nil, &QueryError{MsgQueryNoLetter}
	case len(words) > MaxQueryWords:
		return nil, &QueryError{MsgQueryTooMany}
	}
	return words, nil
}

func makeWord(units []Unit) Word {
	texts := Texts(units)
	w := Word{Text: strings.Join(texts, ""), Variants: [][]string{texts}}
	if units[0].Amount != "" {
		rest := texts[1:]
		if len(rest) > 0 && (rest[0] == "万" || rest[0] == "亿") {
			rest = rest[1:]
		}
		if len(rest) == 0 || (len(rest) == 1 && rest[0] == "元") {
			w.Amount = units[0].Amount
		}
	}
	for _, v := range synonymSpellings(w.Text) {
		vt := Texts(Units(v))
		if len(vt) > 0 && !slices.ContainsFunc(w.Variants, func(x []string) bool { return slices.Equal(x, vt) }) {
			w.Variants = append(w.Variants, vt)
		}
	}
	return w
}

// synonymSpellings returns the other spellings of word: each synonym group
// member it contains replaced by each other member of the group, then the
// same for those, up to maxVariants spellings in all (word included). A
// group whose member holds another works both ways: 挪用 is also spelled
// 挤占挪用, and 挤占挪用 also 挪用.
func synonymSpellings(word string) []string {
	out := []string{word}
	for i := 0; i < len(out) && len(out) < maxVariants; i++ {
		for _, group := range Synonyms {
			for _, m := range group {
				if !strings.Contains(out[i], m) {
					continue
				}
				for _, other := range group {
					// A member holding m (挤占挪用 holds 挪用) is not put
					// in where it already stands: that would only nest it.
					if other == m || (strings.Contains(other, m) && strings.Contains(out[i], other)) {
						continue
					}
					v := strings.ReplaceAll(out[i], m, other)
					if !slices.Contains(out, v) && len(out) < maxVariants {
						out = append(out, v)
					}
				}
			}
		}
	}
	return out[1:]
}

// Matches tells whether text holds word as ParseQuery's rules read it; the
// reference the engines are tested against (search/searchtest), and what
// the relevance set's expectations are checked with.
func (w Word) Matches(units []Unit) bool {
	for _, v := range w.Variants {
		if len(Occurrences(units, v)) > 0 {
			return true
		}
	}
	if w.Amount != "" {
		for _, u := range units {
			if u.Amount == w.Amount {
				return true
			}
		}
	}
	return false
}

// Spans returns where word occurs in the text of units (byte ranges of the
// original text), in order, overlapping ones merged.
func (w Word) Spans(units []Unit) []Span {
	var spans []Span
	for _, v := range w.Variants {
		for _, i := range Occurrences(units, v) {
			spans = append(spans, Span{units[i].Start, units[i+len(v)-1].End})
		}
	}
	if w.Amount != "" {
		for i, u := range units {
			if u.Amount == w.Amount {
				end := u.End
				if i+1 < len(units) && !units[i+1].Gap && (units[i+1].Text == "万" || units[i+1].Text == "亿") {
					end = units[i+1].End
				}
				spans = append(spans, Span{u.Start, end})
			}
		}
	}
	return MergeSpans(spans)
}

// Occurrences returns the indexes in units where the unit texts seq start
// one after the other with no gap inside them: where a word's spelling
// stands in a text.
func Occurrences(units []Unit, seq []string) []int {
	var at []int
	for i := 0; i+len(seq) <= len(units); i++ {
		ok := true
		for j, t := range seq {
			if units[i+j].Text != t || (j > 0 && units[i+j].Gap) {
				ok = false
				break
			}
		}
		if ok {
			at = append(at, i)
		}
	}
	return at
}
