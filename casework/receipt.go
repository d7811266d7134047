package casework

import (
	"fundwatch/store"

	"strconv"
	"strings"
	"unicode"
)

// FormatCaseNumber returns the public number of a case, "2026-000123": the
// year in China Standard Time and the sequence within that year, zero-padded
// to at least six digits so numbers sort and read alike.
func FormatCaseNumber(year int, seq int64) string { return store.FormatNumber(year, seq) }

// ParseCaseNumber reads a case number as a reporter types it from a receipt.
// It tolerates spaces anywhere, full-width digits and hyphen (and other dash
// characters an input method may produce), and a missing hyphen: the year
// always has four digits, so "2026000123" and "2026 000123" can only be
// 2026-000123 (a phone's numeric keypad may have no "-" at all). It is strict
// otherwise: once spaces are removed and the hyphen is put back, it accepts
// exactly what FormatCaseNumber produces for a year 1000–9999 and a sequence
// from 1, so a parsed number formats back to the same text.
func ParseCaseNumber(s string) (year int, seq int64, ok bool) {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case isDash(r):
			return '-'
		}
		return r
	}, foldWidth(s))
	ys, ss, found := strings.Cut(s, "-")
	if !found && len(s) > 4 {
		ys, ss = s[:4], s[4:]
	}
	if len(ys) != 4 || ys[0] == '0' || !allDigits(ys) ||
		len(ss) < 6 || len(ss) > 18 || !allDigits(ss) || (len(ss) > 6 && ss[0] == '0') {
		return 0, 0, false
	}
	y, _ := strconv.Atoi(ys)
	n, err := strconv.ParseInt(ss, 10, 64)
	if err != nil || n < 1 {
		return 0, 0, false
	}
	return y, n, true
}

// The access code alphabet is Crockford's base32: digits and uppercase letters
// without I, L, O and U, so a code read aloud or copied by hand from paper
// survives (I, L and O are read as 1, 1 and 0).
const accessCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// AccessCodeLength is the number of characters of an access code without its
// hyphens: 24 base32 characters carry 120 bits.
const AccessCodeLength = 24

// NormalizeAccessCode turns a typed access code into the compact form that is
// hashed: full-width characters folded, spaces and hyphens removed, letters
// uppercased, O read as 0 and I and L as 1. ok is false unless exactly 24
// characters of the alphabet remain.
func NormalizeAccessCode(s string) (string, bool) {
	s = removeSpaceAndDashes(foldWidth(s))
	if len(s) != AccessCodeLength {
		return "", false
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		switch c {
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		if strings.IndexByte(accessCodeAlphabet, c) < 0 {
			return "", false
		}
		b[i] = c
	}
	return string(b), true
}

// GroupAccessCode writes a typed access code as the receipt prints it,
// "K7QX-M3PD-9RTF-2WHA-BC4N-8Y1E"; ok is false for anything that is not an
// access code.
func GroupAccessCode(s string) (string, bool) {
	compact, ok := NormalizeAccessCode(s)
	if !ok {
		return "", false
	}
	return groupAccessCode(compact), true
}

// groupAccessCode writes a compact code in groups of four separated by
// hyphens, "K7QX-M3PD-9RTF-2WHA-BC4N-8Y1E", for the receipt.
func groupAccessCode(compact string) string {
	var sb strings.Builder
	for i := 0; i < len(compact); i += 4 {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(compact[i:min(i+4, len(compact))])
	}
	return sb.String()
}
