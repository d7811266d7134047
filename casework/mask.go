package casework

import (
	"strings"
	"unicode/utf8"
)

// Masking shows staff who may not reveal a reporter's identity enough to
// tell records apart ("张*, 138****5678") and nothing to identify the person.
// Revealing the full identity is a separate, audited permission
// (PermRevealIdentity). Masks keep the length of what they hide except in
// e-mail addresses, where a fixed "****" hides the length of the local part.

// MaskName keeps the first character of a name and stars the rest:
// "张三" → "张*", "欧阳娜娜" → "欧***". A one-character name is fully starred,
// since its first character would be all of it.
func MaskName(s string) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch n {
	case 0:
		return ""
	case 1:
		return "*"
	}
	first, _ := utf8.DecodeRuneInString(s)
	return string(first) + strings.Repeat("*", n-1)
}

// MaskIDNumber keeps the first 4 (province and city) and last 4 characters of
// an ID number: "11010519491231002X" → "1101**********002X". The birth date
// and most of the sequence are hidden.
func MaskIDNumber(s string) string { return keepEnds(strings.TrimSpace(s), 4, 4) }

// MaskCreditCode keeps the first 4 and last 4 characters of a 统一社会信用代码:
// "91350200776049653A" → "9135**********653A".
func MaskCreditCode(s string) string { return keepEnds(strings.TrimSpace(s), 4, 4) }

// keepEnds keeps head leading and tail trailing characters and stars the
// rest; a string too short to hide at least 4 characters that way is
// starred completely.
func keepEnds(s string, head, tail int) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	if len(r)-head-tail < 4 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}

// MaskPhone hides the middle of a phone number and keeps its separators:
// a mobile number keeps its first 3 and last 4 digits ("13812345678" →
// "138****5678"); a landline keeps its area code (3 digits for 010 and 02x,
// else 4) and last 4 digits ("0431-88886666" → "0431-****6666"); a number
// without area code keeps its last 4. A leading +86 is kept. Full-width
// digits are folded first. Numbers too short to hide at least 3 digits are
// starred completely.
func MaskPhone(s string) string {
	s = foldWidth(strings.TrimSpace(s))
	prefix := ""
	if rest, ok := strings.CutPrefix(s, "+86"); ok {
		prefix, s = "+86", rest
	}
	var digits []byte
	for i := range len(s) {
		if s[i] >= '0' && s[i] <= '9' {
			digits = append(digits, s[i])
		}
	}
	n := len(digits)
	if n == 0 {
		return prefix + MaskName(s)
	}
	keep := 0
	switch {
	case n == 11 && digits[0] == '1':
		keep = 3
	case digits[0] == '0' && n > 1 && (digits[1] == '1' || digits[1] == '2'):
		keep = 3
	case digits[0] == '0':
		keep = 4
	}
	tail := 4
	if n-keep-tail < 3 {
		keep = 0
	}
	if n-tail < 3 {
		tail = 0
	}
	var b strings.Builder
	b.WriteString(prefix)
	i := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			b.WriteRune(r)
			continue
		}
		if i < keep || i >= n-tail {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
		i++
	}
	return b.String()
}

// MaskEmail keeps the first character of the local part and the domain:
// "zhang@example.com" → "z****@example.com". The stars are always four, so
// the length of the name is hidden too. Without an @ it masks like a name.
func MaskEmail(s string) string {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return MaskName(s)
	}
	local, domain := s[:at], s[at+1:]
	if utf8.RuneCountInString(local) < 2 {
		return "****@" + domain
	}
	first, _ := utf8.DecodeRuneInString(local)
	return string(first) + "****@" + domain
}

// MaskIdentity masks every field of a reporter's identity for the staff
// pages: names (of the person, the organisation and its contact) with
// MaskName, numbers with MaskIDDocumentNumber, MaskCreditCode and MaskPhone,
// the address with MaskEmail. The document type is kept: it tells staff how
// to read the number and identifies nobody. Empty fields stay empty, so the
// page still shows which were given.
func MaskIdentity(id ReporterIdentity) ReporterIdentity {
	return ReporterIdentity{
		Name:          MaskName(id.Name),
		IDType:        id.IDType,
		IDNumber:      MaskIDDocumentNumber(id.IDNumber),
		Phone:         MaskPhone(id.Phone),
		Email:         MaskEmail(id.Email),
		OrgName:       MaskName(id.OrgName),
		CreditCode:    MaskCreditCode(id.CreditCode),
		ContactPerson: MaskName(id.ContactPerson),
		ContactPhone:  MaskPhone(id.ContactPhone),
	}
}
