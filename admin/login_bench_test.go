package admin

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"fundwatch/store"
)

// BenchmarkFailedSignIn measures a failed sign-in for a user that exists
// (wrong password) and one that does not: both do one argon2id check, so
// their times should be close; compare the two ns/op.
func BenchmarkFailedSignIn(b *testing.B) {
	for _, tc := range []struct{ name, username string }{{"wrong-password", "exists"}, {"unknown-user", "nobody.here"}} {
		b.Run(tc.name, func(b *testing.B) {
			e := newAdminEnv(b)
			e.addUser("exists", store.RoleHandler, "220100")
			cl := e.client()
			token := cl.token("/admin/login")
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				// Each attempt as another name's first failure, so no delay
				// or lock applies; the name typed differs only in case.
				e.advance(time.Hour)
				resp, _ := cl.post("/admin/login", url.Values{"_csrf": {token}, "username": {tc.username}, "password": {"not the password at all"}})
				if resp.StatusCode != http.StatusUnauthorized {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
