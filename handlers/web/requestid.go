package web

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/gofiber/fiber/v2"
)

const localRequestID = "requestid"

// requestID gives every request a fresh random id, echoed in X-Request-Id and
// written on error pages, so a citizen's "the page said 8f3a…" finds the log
// line. An incoming X-Request-Id is not trusted: ids are ours.
func (w *Web) requestID(c *fiber.Ctx) error {
	setRequestID(c)
	if strings.HasPrefix(c.Path(), APIPrefix) {
		w.apiBodies.take(&c.Context().Request.Header)
	}
	return c.Next()
}

func setRequestID(c *fiber.Ctx) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Locals(localRequestID, id)
	c.Response().Header.SetCanonical(headerRequestID, []byte(id))
}

var headerRequestID = []byte("X-Request-Id")

// RequestID returns the id of the current request ("" before the middleware ran).
func RequestID(c *fiber.Ctx) string {
	s, _ := c.Locals(localRequestID).(string)
	return s
}
