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

// tokens allocates a stream's tokens and their terms in two blocks
// rather than two allocations per token.
type tokens struct {
	stream analysis.TokenStream
	block  []analysis.Token
	terms  []byte
}

func newTokens(n, termBytes int) *tokens {
	return &tokens{
		stream: make(analysis.TokenStream, 0, n),
		block:  make([]analysis.Token, 0, n),
		terms:  make([]byte, 0, termBytes),
	}
}

// add appends the token whose term is the parts joined.
func (ts *tokens) add(start, end, pos int, typ analysis.TokenType, parts ...string) {
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	if size > maxTermBytes {
		return
	}
	from := len(ts.terms)
	for _, p := range parts {
		ts.terms = append(ts.terms, p...)
	}
	ts.block = append(ts.block, analysis.Token{
		Term: ts.terms[from:len(ts.terms):len(ts.terms)], Start: start, End: end, Position: pos, Type: typ,
	})
	ts.stream = append(ts.stream, &ts.block[len(ts.block)-1])
}

func textBytes(units []search.Unit) int {
	n := 0
	for _, u := range units {
		n += len(u.Text)
	}
	return n
}

func bigramTokens(units []search.Unit) analysis.TokenStream {
	pos := positions(units)
	ts := newTokens(len(units), 2*textBytes(units))
	for i, u := range units {
		switch {
		case i+1 < len(units) && !units[i+1].Gap:
			ts.add(u.Start, units[i+1].End, pos[i], tokenType(u), u.Text, units[i+1].Text)
		case i == 0 || u.Gap:
			ts.add(u.Start, u.End, pos[i], tokenType(u), u.Text) // a unit with no neighbour
		}
		// else the tail of a run, already in the previous bigram
	}
	return ts.stream
}

func unigramTokens(units []search.Unit) analysis.TokenStream {
	pos := positions(units)
	n, size := len(units), textBytes(units)
	for _, u := range units {
		if u.Amount != "" {
			n++
			size += len(amountPrefix) + len(u.Amount)
		}
	}
	ts := newTokens(n, size)
	for i, u := range units {
		ts.add(u.Start, u.End, pos[i], tokenType(u), u.Text)
		if u.Amount != "" {
			ts.add(u.Start, u.End, pos[i], analysis.Numeric, amountPrefix, u.Amount)
		}
	}
	return ts.stream
}

func tokenType(u search.Unit) analysis.TokenType {
	if u.CJK {
		return analysis.Ideographic
	}
	return analysis.AlphaNumeric
}
