package casework

import "testing"

func TestSingleLineTextRefusesInvisibleCharacters(t *testing.T) {
	for s, want := range map[string]bool{
		"长春某某商贸有限公司": true, "阿卜杜·热合曼": true, "Zhang San (张三)": true, "吉林省长春市南关区人民大街1号": true,
		"a\u200bb": false, "a\u200fb": false, "a\u061cb": false, "\ufeffab": false, "a\U000e0041b": false,
		"a\u2028b": false, "a\u2029b": false, "a\uffffb": false, "a\U0001fffeb": false, "a\ufdd0b": false,
		"a\u00adb": false, "a\u200db": false, "a\nb": false, "a\tb": false, "a\x00b": false, "a\u202eb": false,
		"\xff": false,
	} {
		if got := SingleLineText(s); got != want {
			t.Errorf("SingleLineText(%+q) = %v, want %v", s, got, want)
		}
	}
}

func TestPlainTextKeepsWhatTextAreasNeed(t *testing.T) {
	for s, want := range map[string]bool{
		"第一行\n第二行\t制表": true, "👩\u200d⚕️ 医生": true, "a\u202eb": false, "a\u2067b": false, "a\u200fb": false,
		"a\x07b": false, "\xff": false,
	} {
		if got := PlainText(s); got != want {
			t.Errorf("PlainText(%+q) = %v, want %v", s, got, want)
		}
	}
}
