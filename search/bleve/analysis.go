package bleve

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"

	"fundwatch/search"
)

// The analyzers the mapping names. Both read text with search.Units, the
// one reading the query parser and the Meilisearch backend share, so what
// is indexed is exactly what a query word is matched against.
const (
	// BigramAnalyzer emits, at each unit's position, the unit joined with
	// the next one when no gap lies between them, and a unit with no
	// neighbour on either side on its own. A query word of n ≥ 2 units is
	// then the phrase of its n-1 bigrams: consecutive, so 吉林市 never
	// finds 吉林省.
	BigramAnalyzer = "fundwatch_bigram"
	// UnigramAnalyzer emits every unit, and for a number its value in yuan
	// ("¥" + Unit.Amount) at the same position, so one-unit words and
	// amounts however written are single terms.
	UnigramAnalyzer = "fundwatch_unigram"
)

// amountPrefix marks an amount term in the unigram fields. A unit never
// holds it (it is neither a letter nor a digit), so no text collides.
const amountPrefix = "¥"

// maxTermBytes drops tokens no query can match (a query is at most
// search.MaxQueryRunes characters) and that would only bloat the index.
const maxTermBytes = 4 * search.MaxQueryRunes

func init() {
	for name, fn := range map[string]func([]search.Unit) analysis.TokenStream{
		BigramAnalyzer:  bigramTokens,
		UnigramAnalyzer: unigramTokens,
	} {
		a := unitAnalyzer(fn)
		ctor := func(map[string]any, *registry.Cache) (analysis.Analyzer, error) { return a, nil }
		if err := registry.RegisterAnalyzer(name, ctor); err != nil {
			panic(fmt.Sprintf("search/bleve: %v", err))
		}
	}
}

// unitAnalyzer is a bleve analyzer made of one function of the units.
type unitAnalyzer func([]search.Unit) analysis.TokenStream

func (a unitAnalyzer) Analyze(text []byte) analysis.TokenStream {
	return a(search.Units(string(text)))
}

// positions gives each unit its 1-based position, one step further at
// every gap so nothing reads as adjacent across punctuation or a space.
func positions(units []search.Unit) []int {
	pos := make([]int, len(units))
	p := 0
	for i, u := range units {
		p++
		if u.Gap {
			p++
		}
		pos[i] = p
	}
	return pos
}

func bigramTokens(units []search.Unit) analysis.TokenStream {
	pos := positions(units)
	stream := make(analysis.TokenStream, 0, len(units))
	for i, u := range units {
		nextJoined := i+1 < len(units) && !units[i+1].Gap
		prevJoined := i > 0 && !u.Gap
		var term string
		end := u.End
		switch {
		case nextJoined:
			term = u.Text + units[i+1].Text
			end = units[i+1].End
		case !prevJoined:
			term = u.Text
		default:
			continue // the tail of a run, already in the previous bigram
		}
		if len(term) > maxTermBytes {
			continue
		}
		stream = append(stream, &analysis.Token{
			Term: []byte(term), Start: u.Start, End: end, Position: pos[i], Type: tokenType(u),
		})
	}
	return stream
}

func unigramTokens(units []search.Unit) analysis.TokenStream {
	pos := positions(units)
	stream := make(analysis.TokenStream, 0, len(units))
	for i, u := range units {
		if len(u.Text) > maxTermBytes {
			continue
		}
		stream = append(stream, &analysis.Token{
			Term: []byte(u.Text), Start: u.Start, End: u.End, Position: pos[i], Type: tokenType(u),
		})
		if u.Amount != "" {
			stream = append(stream, &analysis.Token{
				Term: []byte(amountPrefix + u.Amount), Start: u.Start, End: u.End, Position: pos[i], Type: analysis.Numeric,
			})
		}
	}
	return stream
}

func tokenType(u search.Unit) analysis.TokenType {
	if u.CJK {
		return analysis.Ideographic
	}
	return analysis.AlphaNumeric
}
