package web

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Caching. Every response is "Cache-Control: no-store" (setSecurityHeaders)
// unless its handler decides otherwise, so a page that shows a case, a
// receipt, a form with a token or anything of the admin site is never kept.
// Two kinds of response decide otherwise:
//
//   - static assets (Assets.Serve): immutable for a year under their hashed
//     name, five minutes under any other;
//   - responses that are the same for everyone and hold nothing private —
//     the disclosure, the home page, the guide, the statistics, the OpenAPI
//     document: kept in a PageCache (pagecache.go), public for a minute or
//     for PageMaxAge, then revalidated by ETag or Last-Modified. Such
//     pages set no cookie, so the browser's back/forward cache keeps them
//     too.

// PageMaxAge is how long a public page without anything private may be kept
// before it is revalidated. Five minutes bounds how long a changed page (a
// new deployment, a new demo banner) can be seen stale, while repeat visits,
// back and forward, and a proxy or CDN in front need no request at all.
const PageMaxAge = 5 * time.Minute

// bodyETag is a weak validator of a rendered body: weak, because the same
// page may be sent compressed or not.
func bodyETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + hex.EncodeToString(sum[:12]) + `"`
}

// etagMatches is If-None-Match's weak comparison: any listed tag, or "*",
// names the same entity as etag.
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for rest := ifNoneMatch; rest != ""; {
		var t string
		t, rest, _ = strings.Cut(rest, ",")
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

func setsCookie(c *fiber.Ctx) bool {
	found := false
	c.Response().Header.VisitAllCookie(func(_, _ []byte) { found = true })
	return found
}
