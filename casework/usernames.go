package casework

import (
	"net/mail"
	"strings"
)

// CheckUsername returns a Chinese problem with a new username, or "": 3 to
// 32 characters of lowercase letters, digits, dot, hyphen and underscore,
// starting with a letter (what staff type every day, the same on every
// keyboard and input method).
func CheckUsername(name string) string {
	if len(name) < 3 || len(name) > 32 {
		return "用户名应为3至32个字符。"
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'):
		default:
			return "用户名只能使用小写英文字母、数字、点、连字符和下划线，并以字母开头。"
		}
	}
	return ""
}

// NormalizeUsername is how a username is compared and stored: trimmed and
// lowercased, full-width letters folded.
func NormalizeUsername(name string) string {
	return strings.ToLower(strings.TrimSpace(foldWidth(name)))
}

// ValidEmail accepts a plain address (name@domain) of at most 100
// characters, without a display name.
func ValidEmail(s string) bool {
	if len(s) > 100 || strings.ContainsAny(s, " <>\r\n") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}
