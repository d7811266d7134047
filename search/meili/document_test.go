package meili

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"fundwatch/search"
)

func TestUnitStream(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", ""},
		{"吉林市", "吉 林 市"},
		{"吉林，市场", "吉 林 ; 市 场"},
		{"全角２０２５年度", "全 角 2025 年 度"},
		{"涉案金额12.6万元", "涉 案 金 额 12.6 万 元"},
		{"金额126,000元", "金 额 126000 元"},
		{"ABC公司 2026-000123号", "abc 公 司 ; 2026 ; 000123 号"},
		{`<script>"x"</script>`, "script ; x ; script"},
	}
	for _, tt := range tests {
		if got := unitStream(search.Units(tt.text)); got != tt.want {
			t.Errorf("unitStream(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestAltStream(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", ""},
		{"没有同义词也没有数字", ""},
		{"医保基金", "医 疗 保 险 基 金"},
		{"吉林市医疗保险基金被挤占", "吉 林 市 医 保 基 金 被 挤 占"},
		{"金额12.6万元，另有126,000元", "126000"},
		{"收入2025年0.50亿元", "2025 ; 50000000"},
		// 挪用 and 挤占挪用 hold one another: no window either way.
		{"挤占挪用", ""},
		// A gap before the member stays a gap in the window.
		{"违规，医保", "违 规 ; 医 疗 保 险"},
	}
	for _, tt := range tests {
		if got := altStream(search.Units(tt.text)); got != tt.want {
			t.Errorf("altStream(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestAltStreamWindowIsBounded(t *testing.T) {
	text := strings.Repeat("甲", 40) + "医保" + strings.Repeat("乙", 40)
	got := altStream(search.Units(text))
	want := strings.TrimSpace(strings.Repeat("甲 ", synonymContext) + "医 疗 保 险" + strings.Repeat(" 乙", synonymContext))
	if got != want {
		t.Errorf("altStream = %q, want %q", got, want)
	}
}

func TestToDocument(t *testing.T) {
	date := time.Date(2026, 3, 1, 8, 30, 0, 123e6, time.UTC)
	d := toDocument(search.Document{
		ID: "01hq", Type: search.TypeCase, Title: "2026-000123 吉林市某公司", Body: "骗取医保基金12.6万元",
		Extra: "欺诈骗保 待处理", RegionCode: "220200", Year: 2026, Date: date,
		Status: "pending", Class: "important", Category: "fraud", Kind: "report", Version: 7,
	})
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id": "01hq", "type": "case", "title": "2026-000123 吉林市某公司", "body": "骗取医保基金12.6万元",
		"extra": "欺诈骗保 待处理", "regionCode": "220200", "year": float64(2026), "date": float64(date.UnixMilli()),
		"status": "pending", "class": "important", "category": "fraud", "kind": "report",
		"titleUnits": "2026 ; 000123 ; 吉 林 市 某 公 司",
		"titleAlt":   "2026",
		"extraUnits": "欺 诈 骗 保 ; 待 处 理",
		"extraAlt":   "欺 诈 骗 取 社 会 保 险 基 金 ; 待 处 理",
		"bodyUnits":  "骗 取 医 保 基 金 12.6 万 元",
		"bodyAlt":    "骗 取 医 疗 保 险 基 金 12.6 万 元 ; 126000",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %#v, want %#v", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("document has fields %v, want exactly %d", keys(got), len(want))
	}
	if back := dateFromMillis(d.Date); !back.Equal(date) || back.Location() != time.UTC {
		t.Errorf("date reads back as %v, want %v", back, date)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestQueryString(t *testing.T) {
	tests := []struct{ text, want string }{
		{"吉林市", `"吉 林 市"`},
		{"吉林市 待处理", `"吉 林 市" "待 处 理"`},
		{"２０２６－000123", `"2026" "000123"`},
		{"12.6万", `"126000"`},
		{"12.60万元", `"126000"`},
		{"12.6亿吨", `"12.6 亿 吨"`},
		{"2025年", `"2025 年"`},
		{"医保基金", `"医 保 基 金"`},
		{`"吉林市" OR "x`, `"吉 林 市" "or" "x"`},
		{`\"; type = news`, `"type" "news"`},
	}
	for _, tt := range tests {
		words, err := search.ParseQuery(tt.text)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", tt.text, err)
		}
		if got := queryString(words); got != tt.want {
			t.Errorf("queryString(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
}

// The tests below check the encoding against search's reference reading
// with a model of how Meilisearch matches the streams: tokens are cut at
// spaces, ";" is a hard separator (the next token is not adjacent) and a
// quoted phrase matches its tokens at adjacent positions of one field.
// That model is what document.go relies on; it is checked here, not
// against a server.

var phrasePattern = regexp.MustCompile(`"([^"]*)"`)

// modelMatches tells whether doc matches q under the model.
func modelMatches(doc document, q string) bool {
	fields := []string{doc.TitleUnits, doc.TitleAlt, doc.ExtraUnits, doc.ExtraAlt, doc.BodyUnits, doc.BodyAlt}
	for _, m := range phrasePattern.FindAllStringSubmatch(q, -1) {
		phrase := strings.Fields(m[1])
		found := false
		for _, f := range fields {
			for _, segment := range strings.Split(f, gapSeparator) {
				if containsRun(strings.Fields(segment), phrase) {
					found = true
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func containsRun(tokens, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(tokens); i++ {
		ok := true
		for j, p := range phrase {
			if tokens[i+j] != p {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// referenceMatches is search's reading: every word matches the title, the
// extra or the body.
func referenceMatches(d search.Document, words []search.Word) bool {
	texts := [][]search.Unit{search.Units(d.Title), search.Units(d.Extra), search.Units(d.Body)}
	for _, w := range words {
		ok := false
		for _, u := range texts {
			if w.Matches(u) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

var modelTexts = []string{
	"吉林市社会保险基金",
	"吉林省医疗保险基金管理办法",
	"待处理的举报",
	"已处理",
	"涉案金额12.6万元",
	"金额126,000元",
	"金额12.6 万元",
	"全角２０２５年度报告",
	"挤占挪用医保基金",
	"违规挪用",
	"未按规定缴纳社会保险费",
	"欠缴社保费",
	"吉林市人力资源和社会保障局",
	"人社局通报",
	"吉林，市场监管",
	"ABC公司社保卡",
	"办理社会保障卡",
	"医保局",
	"骗取社会保险基金案",
	"失业保险金发放",
	"失业金",
	"收入0.5亿元",
	"50000000元",
}

var modelQueries = []string{
	"吉林市", "吉林", "林市", "处理", "待处理", "已处理",
	"12.6万", "126000", "12.60万元", "12.6", "2025", "2025年", "２０２５年度",
	"医保基金", "医疗保险基金", "社保基金", "社会保险基金", "医保", "医疗保险",
	"挪用", "挤占挪用", "欠缴", "未缴纳", "未按规定缴纳",
	"人社局", "人力资源和社会保障局", "社保卡", "社会保障卡", "社保",
	"吉林 市场", "市场", "abc", "ＡＢＣ公司", "医保局", "医疗保障局",
	"骗保", "骗取社保基金", "失业金", "失业保险金", "5000万", "0.5亿", "50000000",
}

func TestModelMatchesReference(t *testing.T) {
	for _, text := range modelTexts {
		for _, field := range []string{"title", "extra", "body"} {
			d := search.Document{ID: "x", Type: search.TypeNews}
			switch field {
			case "title":
				d.Title = text
			case "extra":
				d.Extra = text
			case "body":
				d.Body = text
			}
			doc := toDocument(d)
			for _, qt := range modelQueries {
				words, err := search.ParseQuery(qt)
				if err != nil {
					t.Fatalf("ParseQuery(%q): %v", qt, err)
				}
				want := referenceMatches(d, words)
				if knownDifference(text, qt) {
					continue
				}
				if got := modelMatches(doc, queryString(words)); got != want {
					t.Errorf("%s %q, query %q: streams match %v, reference %v", field, text, qt, got, want)
				}
			}
		}
	}
}

// knownDifferences are where the streams find more than the reference: a
// window spells the text with one member replaced, so a word that shares
// only part of the replacement (社保 in the window 社保卡 of 社会保障卡, 保基
// in the window 医保基金 of 医疗保险基金) finds it although the reference
// spells neither the word nor the text that way.
var knownDifferences = []struct{ text, query string }{
	{"办理社会保障卡", "社保"},
	{"医疗保险基金", "保基"},
}

func knownDifference(text, query string) bool {
	for _, k := range knownDifferences {
		if k.text == text && k.query == query {
			return true
		}
	}
	return false
}

func TestModelKnownDifferences(t *testing.T) {
	for _, k := range knownDifferences {
		d := search.Document{ID: "x", Body: k.text}
		words, err := search.ParseQuery(k.query)
		if err != nil {
			t.Fatal(err)
		}
		if referenceMatches(d, words) {
			t.Errorf("the reference finds %q in %q: drop it from knownDifferences", k.query, k.text)
		}
		if !modelMatches(toDocument(d), queryString(words)) {
			t.Errorf("the streams no longer find %q in %q: drop it from knownDifferences", k.query, k.text)
		}
	}
}

func TestHighlightSpans(t *testing.T) {
	words, err := search.ParseQuery("吉林市 12.6万 医保")
	if err != nil {
		t.Fatal(err)
	}
	title := `<script>alert(1)</script>吉林市医疗保险基金被骗126,000元`
	got := search.Mark(title, highlightSpans(words, title))
	// Touching spans merge into one mark (search.MergeSpans).
	want := `&lt;script&gt;alert(1)&lt;/script&gt;<mark>吉林市医疗保险</mark>基金被骗<mark>126,000</mark>元`
	if got != want {
		t.Errorf("marked title\n got %s\nwant %s", got, want)
	}
	if spans := highlightSpans(words, ""); spans != nil {
		t.Errorf("spans of an empty text = %v", spans)
	}
}
