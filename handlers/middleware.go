package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

const localRequestID = "requestid"

// requestID gives every request a fresh random id, echoed in X-Request-Id and
// written on error pages, so a citizen's "the page said 8f3a…" finds the log
// line. An incoming X-Request-Id is not trusted: ids are ours.
func requestID(c *fiber.Ctx) error {
	setRequestID(c)
	return c.Next()
}

func setRequestID(c *fiber.Ctx) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Locals(localRequestID, id)
	c.Set("X-Request-Id", id)
}

func reqID(c *fiber.Ctx) string {
	s, _ := c.Locals(localRequestID).(string)
	return s
}

// recoverPanics turns a panic into a 500 that goes through the error handler,
// logging the stack once with the request id.
func (h *Handler) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			h.Log.Error("panic", "request_id", reqID(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = errInternalLogged
		}
	}()
	return c.Next()
}

// accessLog writes one structured line per request: method, route path (never
// the query string or body, which may carry what a reporter wrote), status,
// duration and request id.
func (h *Handler) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Let the error handler write the response so the status is final.
		if herr := h.handleError(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelWarn
	}
	h.Log.Log(c.UserContext(), level, "request",
		"request_id", reqID(c),
		"method", c.Method(),
		"path", c.Path(),
		"status", status,
		"duration_ms", float64(time.Since(start).Microseconds())/1000,
		"ip", h.clientIP(c),
	)
	return nil
}

// contentSecurityPolicy allows only the portal's own scripts, styles and
// images: nothing inline, nothing from elsewhere.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// securityHeaders sets the headers a security review expects on every answer.
func (h *Handler) securityHeaders(c *fiber.Ctx) error {
	h.setSecurityHeaders(c)
	return c.Next()
}

func (h *Handler) setSecurityHeaders(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	// same-origin keeps the Referer the CSRF check needs over https, and
	// sends nothing to other sites.
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Cross-Origin-Resource-Policy", "same-origin")
	if h.secure() {
		c.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	if !strings.HasPrefix(c.Path(), "/static/") {
		// Pages carry CSRF tokens, receipts and case details: never cache.
		c.Set("Cache-Control", "no-store")
	}
}
