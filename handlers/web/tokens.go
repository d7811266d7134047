package web

import "fundwatch/store"

// NewID returns a random 128-bit id (store.NewID).
func NewID() string { return store.NewID() }

// NewToken returns a random 128-bit token for forms and sessions.
func NewToken() string { return store.NewID() }

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
