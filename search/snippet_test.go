package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMergeSpans(t *testing.T) {
	tests := []struct {
		name string
		in   []Span
		want []Span
	}{
		{"none", nil, nil},
		{"sorted", []Span{{6, 9}, {0, 3}}, []Span{{0, 3}, {6, 9}}},
		{"overlapping", []Span{{0, 6}, {3, 9}}, []Span{{0, 9}}},
		{"touching", []Span{{0, 3}, {3, 6}}, []Span{{0, 6}}},
		{"inside", []Span{{0, 9}, {3, 6}}, []Span{{0, 9}}},
		{"empty and reversed dropped", []Span{{3, 3}, {6, 4}, {1, 2}}, []Span{{1, 2}}},
		{"negative dropped", []Span{{-3, 2}, {4, 5}}, []Span{{4, 5}}},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.in)
		if got := MergeSpans(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s: MergeSpans(%v) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
		if !slices.Equal(in, tt.in) {
			t.Errorf("%s: MergeSpans changed its argument", tt.name)
		}
	}
}

func TestMark(t *testing.T) {
	const script = "<script>alert(1)</script>医保"
	tests := []struct {
		name, text string
		spans      []Span
		want       string
	}{
		{"no spans", "医保基金", nil, "医保基金"},
		{"escaped, no spans", script, nil, "&lt;script&gt;alert(1)&lt;/script&gt;医保"},
		{"escaped around the mark", script, []Span{{25, 31}}, "&lt;script&gt;alert(1)&lt;/script&gt;<mark>医保</mark>"},
		{"escaped inside the mark", "a<b>c", []Span{{1, 4}}, "a<mark>&lt;b&gt;</mark>c"},
		{"quotes and ampersands", `"A&B's"`, []Span{{1, 4}}, "&#34;<mark>A&amp;B</mark>&#39;s&#34;"},
		{"two spans", "医保和社保", []Span{{9, 15}, {0, 6}}, "<mark>医保</mark>和<mark>社保</mark>"},
		{"overlapping merged", "医保基金", []Span{{0, 6}, {3, 9}}, "<mark>医保基</mark>金"},
		{"start not on a boundary", "医保基金", []Span{{1, 6}}, "医保基金"},
		{"end not on a boundary", "医保基金", []Span{{0, 5}}, "医保基金"},
		{"past the end", "医保", []Span{{3, 9}}, "医保"},
		{"at the end", "医保", []Span{{6, 6}}, "医保"},
		{"whole text", "医保", []Span{{0, 6}}, "<mark>医保</mark>"},
		{"bad span beside a good one", "医保基金", []Span{{1, 2}, {6, 12}}, "医保<mark>基金</mark>"},
		{"empty text", "", []Span{{0, 3}}, ""},
	}
	for _, tt := range tests {
		if got := Mark(tt.text, tt.spans); got != tt.want {
			t.Errorf("%s: Mark(%q, %v) = %q, want %q", tt.name, tt.text, tt.spans, got, tt.want)
		}
	}
}

// plain is a snippet without its marks and ellipses, unescaped enough for
// the texts below (which hold no HTML).
func plain(s string) string {
	for _, m := range []string{"<mark>", "</mark>", "…"} {
		s = strings.ReplaceAll(s, m, "")
	}
	return s
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("甲", 200) + "医保" + strings.Repeat("乙", 200) // 402 runes
	at := strings.Index(long, "医保")
	match := []Span{{at, at + len("医保")}}

	tests := []struct {
		name       string
		text       string
		spans      []Span
		lead, tail bool   // "…" before, after
		runes      int    // runes shown
		holds      string // a part the snippet must hold
	}{
		{"empty", "", nil, false, false, 0, ""},
		{"short, no spans", "医保基金", nil, false, false, 4, "医保基金"},
		{"short with a span", "关于医保基金", []Span{{6, 12}}, false, false, 6, "关于<mark>医保</mark>基金"},
		{"long, no spans", long, nil, false, true, SnippetRunes, strings.Repeat("甲", 10)},
		{"long, match in the middle", long, match, true, true, SnippetRunes,
			strings.Repeat("甲", SnippetRunes/4) + "<mark>医保</mark>乙"},
		{"long, match at the start", "医保" + long, []Span{{0, 6}}, false, true, SnippetRunes, "<mark>医保</mark>甲"},
		{"long, match near the end", long + "社保", []Span{{len(long), len(long) + 6}}, true, false,
			SnippetRunes/4 + 2, "乙<mark>社保</mark>"},
		{"span not on a boundary is dropped", long, []Span{{at + 1, at + 6}}, false, true, SnippetRunes, ""},
		{"span past the text is dropped", "医保", []Span{{0, 60}}, false, false, 2, "医保"},
	}
	for _, tt := range tests {
		got := Snippet(tt.text, tt.spans)
		if strings.HasPrefix(got, "…") != tt.lead || strings.HasSuffix(got, "…") != tt.tail {
			t.Errorf("%s: Snippet = %q: leading … %v, trailing … %v wanted", tt.name, got, tt.lead, tt.tail)
		}
		if n := utf8.RuneCountInString(plain(got)); n != tt.runes {
			t.Errorf("%s: Snippet = %q shows %d characters, want %d", tt.name, got, n, tt.runes)
		}
		if !strings.Contains(got, tt.holds) {
			t.Errorf("%s: Snippet = %q, want it to hold %q", tt.name, got, tt.holds)
		}
		if !utf8.ValidString(got) {
			t.Errorf("%s: Snippet = %q is not valid UTF-8", tt.name, got)
		}
		checkMarked(t, tt.text, got)
	}
}

func TestSnippetEscapes(t *testing.T) {
	text := strings.Repeat("<i>", 100) + "医保"
	at := strings.Index(text, "医保")
	got := Snippet(text, []Span{{at, at + 6}})
	if !strings.HasSuffix(got, "<mark>医保</mark>") || !strings.HasPrefix(got, "…&lt;") {
		t.Errorf("Snippet = %q", got)
	}
	checkMarked(t, text, got)
}

func TestSnippetMarksOnlyInside(t *testing.T) {
	// A second match beyond the window is not marked and does not break
	// the window.
	text := "医保" + strings.Repeat("甲", 300) + "医保"
	got := Snippet(text, []Span{{0, 6}, {len(text) - 6, len(text)}})
	if strings.Count(got, "<mark>") != 1 || !strings.HasPrefix(got, "<mark>医保</mark>") {
		t.Errorf("Snippet = %q", got)
	}
}
