package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// How text is read, the same way at index and at query time:
//
//   - Each character is NFKC-normalised and lower-cased (full-width ２０２５
//     is 2025, Ａ is a).
//   - Text is cut into units: every Chinese (or other CJK) character is a
//     unit of its own; a run of Latin letters and digits is one unit ("2025",
//     "abc"); inside a number a "." between digits belongs to it ("12.6") and
//     a "," before a group of exactly three digits is dropped ("126,000" is
//     126000, but "126000，12" stays two numbers). Anything else
//     (spaces, punctuation) separates units and breaks adjacency: a word
//     never matches across it.
//   - A query word matches a document when its units occur in the document
//     one after the other with nothing between (phrase semantics, so 吉林市
//     does not find 吉林省, and 待处理 does not find 已处理; a shorter word
//     does find a longer one that contains it: 处理 finds 待处理).
//   - An amount is one amount however written: a number followed by 万 or
//     亿, or a plain number, also stands for its value in yuan, so 12.6万,
//     12.60万元 and 126000 find one another (but not 126万 or 1.26万). A
//     number padded with a leading zero ("000123" of a case number, "03" of
//     a date) is an identifier, not an amount.
//   - Words separated by spaces are all required; each is expanded with the
//     domain synonyms (synonyms.go).

// Unit is one unit of text: its normalised form and where it was in the
// original text (byte offsets), so highlights mark the original.
type Unit struct {
	Text       string
	Start, End int
	// Gap is true when something that separates units (a space, a
	// punctuation mark) comes before this unit; the first unit has none.
	Gap bool
	// Amount is the unit's value in yuan when it is a number, alone or
	// followed by 万 or 亿 (set on the number's unit); "" otherwise.
	Amount string
	// CJK tells a unit of one Chinese (or other CJK) character.
	CJK bool
}

// Units cuts s into units as described above.
func Units(s string) []Unit {
	var (
		units  []Unit
		word   strings.Builder
		wStart = -1
		wEnd   int
		gap    bool
		dotOK  bool // the word so far is digits only, with at most one "."
	)
	flush := func() {
		if wStart < 0 {
			return
		}
		t := strings.TrimRight(word.String(), ".")
		if t != "" {
			units = append(units, Unit{Text: t, Start: wStart, End: wEnd, Gap: gap && len(units) > 0})
			gap = false
		}
		word.Reset()
		wStart = -1
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		n := normRune(r)
		for _, c := range n {
			switch {
			case isCJK(c):
				flush()
				units = append(units, Unit{Text: string(c), Start: i, End: i + size, Gap: gap && len(units) > 0, CJK: true})
				gap = false
			case unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.Is(unicode.Mn, c):
				if wStart < 0 {
					wStart = i
					dotOK = true
				}
				if !unicode.IsDigit(c) {
					dotOK = false
				}
				word.WriteRune(c)
				wEnd = i + size
			case c == ',' && wStart >= 0 && dotOK && !strings.Contains(word.String(), ".") && threeDigitsFollow(s, i+size):
				wEnd = i + size
			case c == '.' && wStart >= 0 && dotOK && nextIsDigit(s, i+size):
				if strings.Contains(word.String(), ".") {
					flush()
					gap = true
					continue
				}
				word.WriteByte('.')
				wEnd = i + size
			default:
				flush()
				gap = true
			}
		}
		i += size
	}
	flush()
	markAmounts(units)
	return units
}

// Normalize gives s as the units read it: NFKC, lower case. It keeps
// everything else (spaces, punctuation), so it suits showing and comparing.
func Normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(normRune(r))
	}
	return b.String()
}

func normRune(r rune) string {
	if r < utf8.RuneSelf {
		return string(unicode.ToLower(r))
	}
	// Most Han characters are their own NFKC form; the compatibility
	// ideographs and the radicals are not (text copied out of PDFs often
	// holds the Kangxi radical ⼈ U+2F08 for 人).
	if unicode.Is(unicode.Han, r) && !(r >= 0xF900 && r <= 0xFAFF) && !(r >= 0x2F800 && r <= 0x2FA1F) && !(r >= 0x2E80 && r <= 0x2FDF) {
		return string(r)
	}
	return strings.ToLower(norm.NFKC.String(string(r)))
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Bopomofo)
}

func nextIsDigit(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	for _, c := range normRune(r) {
		return unicode.IsDigit(c) && !isCJK(c)
	}
	return false
}

// threeDigitsFollow tells whether s at i holds exactly three digits (as
// normalised) and then no further digit: a thousands group.
func threeDigitsFollow(s string, i int) bool {
	for n := 0; n < 3; n++ {
		if !nextIsDigit(s, i) {
			return false
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return !nextIsDigit(s, i)
}

// markAmounts sets Amount on every number unit: its value in yuan, times
// 10,000 or 100,000,000 when the next unit (with no gap) is 万 or 亿.
func markAmounts(units []Unit) {
	for i := range units {
		u := &units[i]
		if u.CJK || !isNumber(u.Text) {
			continue
		}
		shift := 0
		if i+1 < len(units) && !units[i+1].Gap {
			switch units[i+1].Text {
			case "万":
				shift = 4
			case "亿":
				shift = 8
			}
		}
		u.Amount = scaleDecimal(u.Text, shift)
	}
}

func isNumber(s string) bool {
	if s == "" || s[0] == '.' || (len(s) > 1 && s[0] == '0' && s[1] != '.') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

// scaleDecimal multiplies the decimal number s by 10^shift exactly and
// writes it without leading zeros or a zero fraction: ("12.60", 4) is
// "126000", ("0.5", 0) is "0.5", ("007", 0) is "7".
func scaleDecimal(s string, shift int) string {
	intPart, frac, _ := strings.Cut(s, ".")
	for shift > 0 {
		if frac != "" {
			intPart += frac[:1]
			frac = frac[1:]
		} else {
			intPart += "0"
		}
		shift--
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	frac = strings.TrimRight(frac, "0")
	if frac != "" {
		return intPart + "." + frac
	}
	return intPart
}

// Texts returns the units' normalised texts.
func Texts(units []Unit) []string {
	out := make([]string, len(units))
	for i, u := range units {
		out[i] = u.Text
	}
	return out
}
