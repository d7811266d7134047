// Package casework holds fundwatch's rules: identity codes and amounts as people
// type them, the region tree, the working-day calendar and deadlines, routing,
// labels, case status transitions, 要情 classification and the text a leader
// signs, quarterly 要情 statistics, roles and permissions, identity masking,
// receipts, the keys that protect reporters, staff sign-in (argon2id
// passwords, TOTP, throttling), and the rules of fund disclosure (amounts in
// 万元, the fund table's columns and checks, personal data in announcements;
// files of fund reports are read and written by casework/fundfile). Everything here is a pure function over store
// types (the only I/O is the go:embed of the seed data, random numbers for
// salts, nonces and secrets, and WriteCSV writing to the writer it is given),
// so the web layer and every storage backend apply the same rules and tests
// need no fixtures.
//
// Validators (ValidIDNumber, CreditCodeStatus, ValidMobile) check the canonical
// form; the matching Normalize functions turn what a person typed (full-width
// characters from a Chinese input method, spaces, lowercase) into it. Normalize
// first, then validate and store the normalized value.
package casework

import (
	"strings"
	"unicode"
)

// foldWidth maps full-width ASCII variants (U+FF01–U+FF5E), which Chinese input
// methods produce in full-width mode, to ASCII, and the ideographic space to a
// plain space. Other characters are kept.
func foldWidth(s string) string {
	if !strings.ContainsFunc(s, isWide) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFF01 + '!'
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

func isWide(r rune) bool { return (r >= 0xFF01 && r <= 0xFF5E) || r == 0x3000 }

// removeSpaceAndDashes drops every Unicode space and dash, the separators
// people put into long codes to read them back.
func removeSpaceAndDashes(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || isDash(r) {
			return -1
		}
		return r
	}, s)
}

// isDash reports whether r is a hyphen or one of the dashes an input method or
// a word processor puts in its place (full-width forms are folded before).
func isDash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\uFE63':
		return true
	}
	return false
}
