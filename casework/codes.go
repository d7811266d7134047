package casework

import (
	"strings"
	"time"
)

// idWeights are the GB 11643-1999 weights of the first 17 digits of a resident
// ID number; idCheckChars maps the weighted sum mod 11 to the check character.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// The birth date of an ID number must fall in this range. The lower bound is
// generous because real, still-valid records carry 19th-century dates (the
// published example 440524188001015368 is born in 1880).
const (
	idMinBirth = 18000101
	idMaxBirth = 21001231
)

// ValidIDNumber reports whether s is a well-formed 18-character resident ID
// number (GB 11643-1999): 17 digits whose digits 7–14 are a real date, then
// the check character (a lowercase x is accepted). The region prefix is not
// checked because codes of abolished regions stay valid for life.
// User input should go through NormalizeIDNumber first.
func ValidIDNumber(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := range 17 {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * idWeights[i]
	}
	check := s[17]
	if check == 'x' {
		check = 'X'
	}
	if check != idCheckChars[sum%11] {
		return false
	}
	return validIDDate(s[6:14])
}

// validIDDate reports whether d (8 ASCII digits, YYYYMMDD) is a real calendar
// date in the accepted birth range.
func validIDDate(d string) bool {
	n := 0
	for i := range len(d) {
		n = n*10 + int(d[i]-'0')
	}
	if n < idMinBirth || n > idMaxBirth {
		return false
	}
	y, m, day := n/10000, n/100%100, n%100
	t := time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC)
	return t.Year() == y && int(t.Month()) == m && t.Day() == day
}

// NormalizeIDNumber turns a typed ID number into the stored form: surrounding
// space removed, full-width characters folded to ASCII and the check character
// x uppercased. It does not validate.
func NormalizeIDNumber(s string) string {
	return strings.ToUpper(strings.TrimSpace(foldWidth(s)))
}

// CreditCode is the result of checking a Unified Social Credit Code. It has
// three outcomes rather than two because some early, genuinely issued codes
// fail the checksum: the form then asks the user to confirm instead of refusing.
type CreditCode int

// Outcomes of CreditCodeStatus. The zero value is CreditCodeMalformed so an
// unchecked value never passes for valid.
const (
	// CreditCodeMalformed: wrong length or a character outside the alphabet.
	CreditCodeMalformed CreditCode = iota
	// CreditCodeBadChecksum: well-formed, but the check character does not match.
	CreditCodeBadChecksum
	// CreditCodeValid: well-formed with a matching check character.
	CreditCodeValid
)

// String names the outcome for logs and test failures.
func (c CreditCode) String() string {
	switch c {
	case CreditCodeValid:
		return "valid"
	case CreditCodeBadChecksum:
		return "bad_checksum"
	default:
		return "malformed"
	}
}

// creditAlphabet lists the characters of a credit code in value order (GB
// 32100-2015: digits 0–9, then letters without I O S V Z, valued 10–30).
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditValue returns the value of a credit code character, or -1 if it is
// not in the alphabet (lowercase letters are not: normalize first).
func creditValue(c byte) int {
	return strings.IndexByte(creditAlphabet, c)
}

// CreditCodeStatus checks a Unified Social Credit Code (GB 32100-2015) in its
// normalized form (see NormalizeCreditCode): 18 characters from the alphabet
// 0-9 A-H J-N P Q R T U W X Y, the last one a checksum over the first 17.
func CreditCodeStatus(s string) CreditCode {
	if len(s) != 18 {
		return CreditCodeMalformed
	}
	sum := 0
	for i := range 17 {
		v := creditValue(s[i])
		if v < 0 {
			return CreditCodeMalformed
		}
		sum += v * creditWeights[i]
	}
	check := creditValue(s[17])
	if check < 0 {
		return CreditCodeMalformed
	}
	if check != (31-sum%31)%31 {
		return CreditCodeBadChecksum
	}
	return CreditCodeValid
}

// NormalizeCreditCode turns a typed credit code into the stored form:
// surrounding space removed, full-width characters folded to ASCII, uppercase.
// It does not validate.
func NormalizeCreditCode(s string) string {
	return strings.ToUpper(strings.TrimSpace(foldWidth(s)))
}

// ValidMobile reports whether s is a mainland mobile number in the stored form:
// 11 ASCII digits starting with 1. User input should go through
// NormalizeMobile first, which removes a country code and separators.
func ValidMobile(s string) bool {
	if len(s) != 11 || s[0] != '1' {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizeMobile turns a typed phone number into the stored form: full-width
// characters folded, spaces and hyphens removed, and a leading +86, 0086 or 86
// country code dropped when what follows has 11 digits. It does not validate.
func NormalizeMobile(s string) string {
	s = removeSpaceAndDashes(foldWidth(s))
	switch {
	case strings.HasPrefix(s, "+86"):
		s = s[3:]
	case strings.HasPrefix(s, "0086") && len(s) == 15:
		s = s[4:]
	case strings.HasPrefix(s, "86") && len(s) == 13:
		s = s[2:]
	}
	return s
}
