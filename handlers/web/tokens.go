package web

import (
	"crypto/rand"
	"encoding/base32"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a random 128-bit id, lowercase Crockford base32 (26
// characters): case, event, message, user and session ids.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

// NewToken returns a random 128-bit token for forms and sessions.
func NewToken() string { return NewID() }

// ValidToken accepts the tokens NewToken makes (26 base32 characters) and,
// for API clients, any 16–128 characters of [A-Za-z0-9_-].
func ValidToken(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
