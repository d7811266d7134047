package casework

import (
	"unicode"
	"unicode/utf8"
)

// PlainText accepts what a person can type into a text area: valid UTF-8
// without control characters other than line breaks and tabs, and without
// the bidirectional overrides and isolates that reorder text on screen.
// Joiners stay allowed: emoji sequences need them.
func PlainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\n' || r == '\t' {
			continue
		}
		if unicode.IsControl(r) || r == utf8.RuneError || isBidiControl(r) {
			return false
		}
	}
	return true
}

// SingleLineText accepts a name or an address: one line of visible text.
// Beyond PlainText it refuses line and paragraph separators, tabs, every
// format character (zero-width spaces and joiners, direction marks, the
// byte-order mark, soft hyphens, tag characters) and non-characters, which
// can make two names that look alike differ or hide text from a reader.
func SingleLineText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r), r == utf8.RuneError, isBidiControl(r),
			unicode.Is(unicode.Cf, r), unicode.In(r, unicode.Zl, unicode.Zp), isNonCharacter(r):
			return false
		}
	}
	return true
}

func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// isNonCharacter reports the 66 code points Unicode reserves never to
// assign: U+FDD0–U+FDEF and the last two of every plane.
func isNonCharacter(r rune) bool {
	return (r >= 0xFDD0 && r <= 0xFDEF) || r&0xFFFE == 0xFFFE
}
