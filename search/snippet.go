package search

import (
	"html"
	"slices"
	"strings"
	"unicode/utf8"
)

// Span is a byte range [Start, End) of a text.
type Span struct{ Start, End int }

// MergeSpans sorts spans and merges those that overlap or touch; spans out
// of order or empty are dropped.
func MergeSpans(spans []Span) []Span {
	spans = slices.DeleteFunc(slices.Clone(spans), func(s Span) bool { return s.End <= s.Start || s.Start < 0 })
	slices.SortFunc(spans, func(a, b Span) int { return a.Start - b.Start })
	var out []Span
	for _, s := range spans {
		if n := len(out); n > 0 && s.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

// Mark returns text as safe HTML: every part escaped, the spans wrapped in
// <mark>…</mark>. Spans must lie on character boundaries within text
// (others are dropped).
func Mark(text string, spans []Span) string {
	var b strings.Builder
	at := 0
	for _, s := range MergeSpans(spans) {
		if s.Start < at || !onBoundaries(text, s) {
			continue
		}
		b.WriteString(html.EscapeString(text[at:s.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.Start:s.End]))
		b.WriteString("</mark>")
		at = s.End
	}
	b.WriteString(html.EscapeString(text[at:]))
	return b.String()
}

// onBoundaries tells whether s lies within text, starting and ending at
// character boundaries.
func onBoundaries(text string, s Span) bool {
	return s.Start >= 0 && s.End <= len(text) && s.Start < len(text) && utf8.RuneStart(text[s.Start]) &&
		(s.End == len(text) || utf8.RuneStart(text[s.End]))
}

// SnippetRunes is about how many characters a snippet shows.
const SnippetRunes = 120

// Snippet returns a window of about SnippetRunes characters of text around
// its first span, escaped and marked as by Mark, with "…" where text was
// cut. Spans not on character boundaries within text are dropped, as by
// Mark. Without spans it is the start of text ("" for an empty text).
func Snippet(text string, spans []Span) string {
	spans = MergeSpans(spans)
	spans = slices.DeleteFunc(spans, func(s Span) bool { return !onBoundaries(text, s) })
	from := 0
	if len(spans) > 0 {
		// Start a quarter of the window before the first match, at a
		// character boundary.
		from = spans[0].Start
		for n := 0; n < SnippetRunes/4 && from > 0; n++ {
			_, size := utf8.DecodeLastRuneInString(text[:from])
			from -= size
		}
	}
	to := from
	for n := 0; n < SnippetRunes && to < len(text); n++ {
		_, size := utf8.DecodeRuneInString(text[to:])
		to += size
	}
	var inside []Span
	for _, s := range spans {
		if s.Start >= from && s.End <= to {
			inside = append(inside, Span{s.Start - from, s.End - from})
		}
	}
	out := Mark(text[from:to], inside)
	if from > 0 {
		out = "…" + out
	}
	if to < len(text) {
		out += "…"
	}
	return out
}
