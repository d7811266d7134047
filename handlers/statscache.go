package handlers

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/store"
)

// StatsRefresh is how long the public statistics are served from memory
// before the store is counted again. They are public, the same for everyone
// and change only as cases are handled, so the store is read at most once
// a minute however many people look.
const StatsRefresh = time.Minute

// statsCache holds the store's case statistics between refreshes. Its zero
// value is empty and ready.
type statsCache struct {
	mu   sync.Mutex
	rows []store.CaseStatsRow
	// readAt is when the store was last counted (zero: never).
	readAt time.Time
	// changedAt is when the figures were first seen as they are now: the
	// Last-Modified of what is built from them.
	changedAt time.Time
}

// caseStatistics returns the store's case statistics as of at most
// StatsRefresh ago, and when they last changed. One request at a time
// counts; the others wait for its answer. If the store fails after an
// earlier count, the earlier figures are served (and the failure logged)
// rather than an error page: they are at most minutes old.
func (h *Handler) caseStatistics(ctx context.Context) ([]store.CaseStatsRow, time.Time, error) {
	sc := &h.stats
	sc.mu.Lock()
	defer sc.mu.Unlock()
	now := h.now()
	if !sc.readAt.IsZero() && !now.Before(sc.readAt) && now.Sub(sc.readAt) < StatsRefresh {
		return sc.rows, sc.changedAt, nil
	}
	rows, err := h.Store.CaseStatistics(ctx)
	if err != nil {
		if sc.readAt.IsZero() {
			return nil, time.Time{}, err
		}
		h.Log.Warn("case statistics: serving the last count", "counted_at", sc.readAt, "error", err)
		return sc.rows, sc.changedAt, nil
	}
	if sc.changedAt.IsZero() || !slices.Equal(rows, sc.rows) {
		sc.rows, sc.changedAt = rows, now
	}
	sc.readAt = now
	return sc.rows, sc.changedAt, nil
}

// lastModified is the Last-Modified of a response built from figures that
// last changed at changed: not before the process started, since a new
// build may render the same figures differently.
func (h *Handler) lastModified(changed time.Time) time.Time {
	if changed.Before(h.started) {
		changed = h.started
	}
	return changed.UTC().Truncate(time.Second)
}

// setLastModified sends Last-Modified with a public response, after
// web.CachePublic has set its ETag and answered If-None-Match. A request
// without If-None-Match (which takes precedence, RFC 9110 §13.2.2) whose
// If-Modified-Since is no earlier than modified is answered 304. Responses
// that are not public (an error, a page that set a cookie) are left alone.
func setLastModified(c *fiber.Ctx, modified time.Time) {
	cc := string(c.Response().Header.Peek(fiber.HeaderCacheControl))
	status := c.Response().StatusCode()
	if !strings.HasPrefix(cc, "public") || (status != fiber.StatusOK && status != fiber.StatusNotModified) {
		return
	}
	c.Set(fiber.HeaderLastModified, modified.UTC().Format(http.TimeFormat))
	if status != fiber.StatusOK || c.Get(fiber.HeaderIfNoneMatch) != "" ||
		(c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead) {
		return
	}
	since, err := http.ParseTime(c.Get(fiber.HeaderIfModifiedSince))
	if err != nil || modified.After(since) {
		return
	}
	c.Status(fiber.StatusNotModified)
	c.Response().ResetBody()
}
