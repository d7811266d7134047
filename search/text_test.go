package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"２０２５", "2025"},
		{"ＡＢＣ ｘｙｚ", "abc xyz"},
		{"ABC公司", "abc公司"},
		{"１２．６万元", "12.6万元"},
		{"１２６，０００元", "126,000元"},
		{"医保　社保", "医保 社保"},               // the ideographic space is a space
		{"⼈⼒资源和社会保障局", "人力资源和社会保障局"},     // Kangxi radicals, as copied out of PDFs
		{"\uF900\uFA10", "\u8C48\u585A"}, // compatibility ideographs are their unified ones
		{"吉林省，长春市。", "吉林省,长春市。"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// unitsString writes units as their texts separated by "|", a unit after a
// gap prefixed with "_".
func unitsString(units []Unit) string {
	parts := make([]string, len(units))
	for i, u := range units {
		parts[i] = u.Text
		if u.Gap {
			parts[i] = "_" + u.Text
		}
	}
	return strings.Join(parts, "|")
}

func TestUnits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"12.6万元", "12.6|万|元"},
		{"126,000元", "126000|元"},
		{"126000.00元", "126000.00|元"},
		{"1,234,567.89元", "1234567.89|元"},
		{"１２６，０００元", "126000|元"},
		{"2026-000123", "2026|_000123"},
		{"ABC公司2025年", "abc|公|司|2025|年"},
		{"Ａｂｃ１２３", "abc123"},
		{"医保，社保", "医|保|_社|保"},
		{"医保 社保", "医|保|_社|保"},
		{"  医保", "医|保"}, // the first unit has no gap
		{"追回126000，12人被问责", "追|回|126000|_12|人|被|问|责"},
		{"分别为3，5，8人", "分|别|为|3|_5|_8|人"},
		{"2024,2025年", "2024|_2025|年"},
		{"2,000,00", "2000|_00"},
		{"12,34", "12|_34"},
		{"12.5,000", "12.5|_000"}, // no thousands group after the point
		{"12.6.3", "12.6|_3"},
		{"金额12.", "金|额|12"},
		{"金额12.。", "金|额|12"},
		{".5元", "5|元"},
		{"v2.0", "v2|_0"},
		{"a.b", "a|_b"},
		{"第1,234号", "第|1234|号"},
		{"⼈⼒资源", "人|力|资|源"},
		{"ｅ-mail", "e|_mail"},
		{"!!!", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := unitsString(Units(tt.in)); got != tt.want {
			t.Errorf("Units(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnitsOffsets(t *testing.T) {
	tests := []struct {
		in   string
		want []string // the original text of each unit
	}{
		{"全角１２６，０００元", []string{"全", "角", "１２６，０００", "元"}},
		{"共12.6万元。", []string{"共", "12.6", "万", "元"}},
		{"编号2026-000123", []string{"编", "号", "2026", "000123"}},
		{"ＡＢＣ公司", []string{"ＡＢＣ", "公", "司"}},
	}
	for _, tt := range tests {
		var got []string
		for _, u := range Units(tt.in) {
			got = append(got, tt.in[u.Start:u.End])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Units(%q) cover %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnitsCJK(t *testing.T) {
	units := Units("吉林abc")
	want := []bool{true, true, false}
	for i, u := range units {
		if u.CJK != want[i] {
			t.Errorf("unit %q: CJK = %v, want %v", u.Text, u.CJK, want[i])
		}
	}
}

func TestUnitsAmount(t *testing.T) {
	tests := []struct {
		in   string
		unit string // the number's unit
		want string // its Amount
	}{
		{"12.6万元", "12.6", "126000"},
		{"12.60万元", "12.60", "126000"},
		{"126万元", "126", "1260000"},
		{"1.26万元", "1.26", "12600"},
		{"126,000元", "126000", "126000"},
		{"126000.00元", "126000.00", "126000"},
		{"１２．６万元", "12.6", "126000"},
		{"1.5亿元", "1.5", "150000000"},
		{"12.6 万元", "12.6", "12.6"}, // a gap: 万 is not the number's
		{"0.5", "0.5", "0.5"},
		{"0", "0", "0"},
		{"0.000001万", "0.000001", "0.01"},
		{"编号000123", "000123", ""}, // zero-padded: an identifier
		{"2025-03-14", "03", ""},
		{"abc123", "abc123", ""},
		{"2025年", "2025", "2025"},
	}
	for _, tt := range tests {
		found := false
		for _, u := range Units(tt.in) {
			if u.Text != tt.unit {
				continue
			}
			found = true
			if u.Amount != tt.want {
				t.Errorf("Units(%q): unit %q has Amount %q, want %q", tt.in, u.Text, u.Amount, tt.want)
			}
		}
		if !found {
			t.Errorf("Units(%q) = %q: no unit %q", tt.in, unitsString(Units(tt.in)), tt.unit)
		}
	}
}

func TestScaleDecimal(t *testing.T) {
	tests := []struct {
		s     string
		shift int
		want  string
	}{
		{"12.60", 4, "126000"},
		{"12.6", 4, "126000"},
		{"1.26", 4, "12600"},
		{"126", 4, "1260000"},
		{"1.23456", 4, "12345.6"},
		{"0.0001", 4, "1"},
		{"0.00001", 4, "0.1"},
		{"1.2", 8, "120000000"},
		{"100", 8, "10000000000"},
		{"0.5", 0, "0.5"},
		{"007", 0, "7"},
		{"0", 4, "0"},
		{"0.0", 0, "0"},
		{"126000.00", 0, "126000"},
		{"10.10", 0, "10.1"},
	}
	for _, tt := range tests {
		if got := scaleDecimal(tt.s, tt.shift); got != tt.want {
			t.Errorf("scaleDecimal(%q, %d) = %q, want %q", tt.s, tt.shift, got, tt.want)
		}
	}
}

func TestTexts(t *testing.T) {
	if got := Texts(Units("医保 12.6万")); !slices.Equal(got, []string{"医", "保", "12.6", "万"}) {
		t.Errorf("Texts = %q", got)
	}
}

// FuzzUnits checks that Units never panics, that its spans lie within the
// text on character boundaries, and that marking them (and a query's spans,
// and a snippet) escapes everything but the marks.
func FuzzUnits(f *testing.F) {
	for _, s := range []string{
		"12.6万元", "126,000元", "2026-000123", "<script>alert(1)</script>医保", "ＡＢＣ１２３",
		"⼈⼒资源", "㋀㍻½", "1.2.3,456,78", "a\x80b\xff医", "&lt;mark&gt;", "İstanbul", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		bounds := map[int]bool{len(s): true}
		for i := 0; i < len(s); {
			bounds[i] = true
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
		units := Units(s)
		var spans []Span
		for _, u := range units {
			if u.Text == "" || u.Start < 0 || u.End > len(s) || u.Start >= u.End {
				t.Fatalf("Units(%q): unit %+v out of the text", s, u)
			}
			if !bounds[u.Start] || !bounds[u.End] {
				t.Fatalf("Units(%q): unit %+v not on character boundaries", s, u)
			}
			spans = append(spans, Span{u.Start, u.End})
		}
		checkMarked(t, s, Mark(s, spans))
		checkMarked(t, s, Snippet(s, spans))
		words, err := ParseQuery(s)
		if err != nil {
			return
		}
		for _, w := range words {
			ws := w.Spans(units)
			if len(ws) > 0 && !w.Matches(units) {
				t.Fatalf("%q: word %q has spans but does not match", s, w.Text)
			}
			checkMarked(t, s, Mark(s, ws))
		}
	})
}

// checkMarked fails when out holds a "<" that is not of <mark> or </mark>.
func checkMarked(t *testing.T, text, out string) {
	t.Helper()
	rest := strings.ReplaceAll(strings.ReplaceAll(out, "<mark>", ""), "</mark>", "")
	if strings.Contains(rest, "<") || strings.Contains(rest, ">") {
		t.Fatalf("%q marked as %q: an unescaped < or >", text, out)
	}
	if strings.Count(out, "<mark>") != strings.Count(out, "</mark>") {
		t.Fatalf("%q marked as %q: unbalanced marks", text, out)
	}
}
