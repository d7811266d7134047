package search

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// tenWords is a query of 100 runes: ten words of 9 or 10 characters and
// the nine spaces between them.
var tenWords = func() string {
	var words []string
	for _, c := range strings.Split("一二三四五六七八九十", "") {
		words = append(words, c+strings.Repeat("保", 8))
	}
	words[0] += "险"
	return strings.Join(words, " ")
}()

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		name, q string
		want    string // the QueryError's message, "" when accepted
	}{
		{"empty", "", MsgQueryEmpty},
		{"spaces", "   ", MsgQueryEmpty},
		{"ideographic space", "\u3000\u3000", MsgQueryEmpty},
		{"100 runes", strings.Repeat("医", 100), ""},
		{"101 runes", strings.Repeat("医", 101), MsgQueryTooLong},
		{"100 runes in 10 words", tenWords, ""},
		{"101 runes in 10 words", tenWords + "险", MsgQueryTooLong},
		{"101 full-width runes", strings.Repeat("２", 101), MsgQueryTooLong},
		{"spaces around do not count", "  " + strings.Repeat("医", 100) + "  ", ""},
		{"10 words", "一 二 三 四 五 六 七 八 九 十", ""},
		{"11 words", "一 二 三 四 五 六 七 八 九 十 百", MsgQueryTooMany},
		{"11 words by punctuation", "一,二,三,四,五,六,七,八,九,十,百", MsgQueryTooMany},
		{"a repeated word counts once", strings.Repeat("医保 ", 11), ""},
		{"punctuation only", "，。！？", MsgQueryNoLetter},
		{"ascii punctuation", "-- ?? ..", MsgQueryNoLetter},
		{"html only", "<>&\"'", MsgQueryNoLetter},
		{"not UTF-8 only", "\xff\xfe", MsgQueryEmpty},
		{"not UTF-8 inside", "医保\xff骗保", ""},
		{"one character", "骗", ""},
		{"one digit", "３", ""},
	}
	for _, tt := range tests {
		words, err := ParseQuery(tt.q)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: ParseQuery(%q) = %v, want words", tt.name, tt.q, err)
			} else if len(words) == 0 {
				t.Errorf("%s: ParseQuery(%q) gave no words", tt.name, tt.q)
			}
			continue
		}
		var qe *QueryError
		if !errors.As(err, &qe) {
			t.Errorf("%s: ParseQuery(%q) = %v, %v, want a *QueryError", tt.name, tt.q, words, err)
			continue
		}
		if qe.Message != tt.want || qe.Error() != tt.want {
			t.Errorf("%s: ParseQuery(%q) says %q, want %q", tt.name, tt.q, qe.Message, tt.want)
		}
	}
}

func wordTexts(words []Word) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w.Text
	}
	return out
}

func TestParseQueryWords(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"医保", []string{"医保"}},
		{"医保 骗保", []string{"医保", "骗保"}},
		{"医保　骗保", []string{"医保", "骗保"}},
		{"医保，骗保", []string{"医保", "骗保"}},
		{"  医保  ", []string{"医保"}},
		{"医保 医保 ＡＢＣ abc", []string{"医保", "abc"}},
		{"2026-000123", []string{"2026", "000123"}},
		{"ＡＢＣ公司", []string{"abc公司"}},
		{"１２．６万元", []string{"12.6万元"}},
		{"126,000元", []string{"126000元"}},
		{"长春市 失业保险金 2025", []string{"长春市", "失业保险金", "2025"}},
		{"《通报》", []string{"通报"}},
		{"医保\xff骗保", []string{"医保", "骗保"}},
	}
	for _, tt := range tests {
		words, err := ParseQuery(tt.q)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", tt.q, err)
			continue
		}
		if got := wordTexts(words); !slices.Equal(got, tt.want) {
			t.Errorf("ParseQuery(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestParseQueryAmount(t *testing.T) {
	tests := []struct{ q, want string }{
		{"12.6万元", "126000"},
		{"12.6万", "126000"},
		{"12.60万元", "126000"},
		{"126,000元", "126000"},
		{"126000", "126000"},
		{"126000.00元", "126000"},
		{"１２６０００元", "126000"},
		{"1.26万", "12600"},
		{"126万元", "1260000"},
		{"1.5亿", "150000000"},
		{"0.5元", "0.5"},
		{"2025年", ""},
		{"12.6万元整", ""},
		{"万元", ""},
		{"000123", ""},
		{"abc123", ""},
	}
	for _, tt := range tests {
		words, err := ParseQuery(tt.q)
		if err != nil || len(words) != 1 {
			t.Errorf("ParseQuery(%q) = %v, %v, want one word", tt.q, words, err)
			continue
		}
		if words[0].Amount != tt.want {
			t.Errorf("ParseQuery(%q): Amount %q, want %q", tt.q, words[0].Amount, tt.want)
		}
	}
}

func TestParseQueryVariants(t *testing.T) {
	tests := []struct {
		q    string
		want []string // spellings among the variants (the word's own first)
		not  []string // spellings that must not be
	}{
		{"医保", []string{"医保", "医疗保险"}, []string{"医疗保障"}},
		{"医疗保险", []string{"医疗保险", "医保"}, nil},
		{"医保基金", []string{"医保基金", "医疗保险基金"}, nil},
		{"社保卡", []string{"社保卡", "社会保障卡", "社会保险卡"}, nil},
		{"失业金", []string{"失业金", "失业保险金"}, nil},
		{"人社局", []string{"人社局", "人力资源和社会保障局"}, nil},
		{"骗保", []string{"骗保", "骗取社会保险基金"}, nil},
		{"欠缴", []string{"欠缴", "未缴纳", "未按规定缴纳"}, nil},
		{"挪用", []string{"挪用", "挤占挪用"}, []string{"挤占挤占挪用"}},
		{"挤占挪用", []string{"挤占挪用", "挪用"}, []string{"挤占挤占挪用"}},
		{"吉林市", []string{"吉林市"}, nil},
		{"ＡＢＣ", []string{"abc"}, nil},
	}
	for _, tt := range tests {
		words, err := ParseQuery(tt.q)
		if err != nil || len(words) != 1 {
			t.Errorf("ParseQuery(%q) = %v, %v, want one word", tt.q, words, err)
			continue
		}
		var got []string
		for _, v := range words[0].Variants {
			got = append(got, strings.Join(v, ""))
		}
		if got[0] != tt.want[0] {
			t.Errorf("ParseQuery(%q): first variant %q, want the word itself %q", tt.q, got[0], tt.want[0])
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("ParseQuery(%q): variants %q lack %q", tt.q, got, w)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("ParseQuery(%q): variants %q hold %q", tt.q, got, w)
			}
		}
		if len(got) > maxVariants {
			t.Errorf("ParseQuery(%q): %d variants, more than %d", tt.q, len(got), maxVariants)
		}
	}
}

func TestParseQueryVariantsBounded(t *testing.T) {
	words, err := ParseQuery("医保社保失业金养老金工伤险生育险人社局欠缴")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(words[0].Variants); n > maxVariants || n < 2 {
		t.Errorf("%d variants, want 2..%d", n, maxVariants)
	}
}

// TestSynonymsNormalised checks the list is written as Normalize reads it,
// with groups of two or more distinct members.
func TestSynonymsNormalised(t *testing.T) {
	for _, g := range Synonyms {
		if len(g) < 2 {
			t.Errorf("group %q has fewer than two members", g)
		}
		for i, m := range g {
			if m != Normalize(m) || strings.ContainsAny(m, " ,.") || m == "" {
				t.Errorf("member %q is not written normalised", m)
			}
			if slices.Contains(g[i+1:], m) {
				t.Errorf("group %q repeats %q", g, m)
			}
		}
	}
}

func TestWordMatches(t *testing.T) {
	tests := []struct {
		q, text string
		want    bool
	}{
		{"吉林市", "吉林市医疗保障局", true},
		{"吉林市", "吉林省医疗保障局", false},
		{"吉林省", "吉林市医疗保障局", false},
		{"吉林", "吉林省", true},
		{"吉林市", "吉林 市", false},
		{"吉林市", "吉林，市", false},
		{"处理", "待处理", true},
		{"待处理", "已处理", false},
		{"待处理", "待处理", true},
		{"医保", "医疗保险基金", true},
		{"医疗保险", "医保基金", true},
		{"医保", "医疗保障局", false},
		{"医保", "医，保", false},
		{"社保", "社会保险费", true},
		{"失业金", "失业保险金", true},
		{"挤占挪用", "挪用社保基金", true},
		{"abc", "ABC公司", true},
		{"ＡＢＣ", "abc公司", true},
		{"abc", "abcd", false}, // a Latin run is one unit
		{"2025", "２０２５年", true},
		{"12.6万元", "126,000元", true},
		{"12.6万元", "126000.00元", true},
		{"12.6万元", "12.60万元", true},
		{"126000", "12.6万元", true},
		{"126000", "126万元", false},
		{"126000", "1.26万元", false},
		{"12.6万", "126万元", false},
		{"12.6万", "1.26万元", false},
		{"126万元", "1,260,000元", true},
		{"126000", "12.6 万元", false}, // a gap: the number is 12.6
		{"000123", "2026-000123", true},
		{"123", "2026-000123", false},
		{"000123", "123人", false},
		{"骗", "骗取医保基金", true},
		{"险", "医保基金", false},
	}
	for _, tt := range tests {
		words, err := ParseQuery(tt.q)
		if err != nil || len(words) != 1 {
			t.Errorf("ParseQuery(%q) = %v, %v, want one word", tt.q, words, err)
			continue
		}
		if got := words[0].Matches(Units(tt.text)); got != tt.want {
			t.Errorf("%q Matches %q = %v, want %v", tt.q, tt.text, got, tt.want)
		}
	}
}

func TestWordSpans(t *testing.T) {
	tests := []struct{ q, text, want string }{
		{"医保", "关于医疗保险基金的通报", "关于<mark>医疗保险</mark>基金的通报"},
		{"医保", "医保医保，医疗保险", "<mark>医保医保</mark>，<mark>医疗保险</mark>"},
		{"126000", "追回12.6万元", "追回<mark>12.6万</mark>元"},
		{"12.6万元", "追回12.6万元", "追回<mark>12.6万元</mark>"},
		{"12.6万元", "追回126,000元和12.60万元", "追回<mark>126,000</mark>元和<mark>12.60万</mark>元"},
		{"2025", "２０２５年", "<mark>２０２５</mark>年"},
		{"abc", "ＡＢＣ公司", "<mark>ＡＢＣ</mark>公司"},
		{"吉林市", "吉林省吉林市", "吉林省<mark>吉林市</mark>"},
		{"吉林市", "吉林省", "吉林省"},
		{"处理", "<b>待处理</b>", "&lt;b&gt;待<mark>处理</mark>&lt;/b&gt;"},
	}
	for _, tt := range tests {
		words, err := ParseQuery(tt.q)
		if err != nil || len(words) != 1 {
			t.Errorf("ParseQuery(%q) = %v, %v, want one word", tt.q, words, err)
			continue
		}
		if got := Mark(tt.text, words[0].Spans(Units(tt.text))); got != tt.want {
			t.Errorf("%q in %q marked %q, want %q", tt.q, tt.text, got, tt.want)
		}
	}
}

func TestTenWordsIs100Runes(t *testing.T) {
	if n := len([]rune(tenWords)); n != 100 {
		t.Fatalf("tenWords has %d runes", n)
	}
	words, err := ParseQuery(tenWords)
	if err != nil || len(words) != 10 {
		t.Fatalf("ParseQuery(tenWords) = %d words, %v", len(words), err)
	}
}
