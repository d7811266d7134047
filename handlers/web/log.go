package web

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/gofiber/fiber/v2"
)

// recoverPanics turns a panic into a 500 that goes through the error handler,
// logging the stack once with the request id.
func (w *Web) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			w.Log.Error("panic", "request_id", RequestID(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = ErrInternalLogged
		}
	}()
	return c.Next()
}

// accessLog writes one structured line per request to the access log: method, path (never
// the query string or body, which may carry what a reporter wrote), status,
// duration and request id. For a route with parameters the route is logged,
// not the path: "/api/v1/reports/:number" rather than a case number beside
// the client's address.
func (w *Web) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Let the error handler write the response so the status is final.
		if herr := w.HandleError(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelWarn
	}
	// The record is made here, typed, rather than through Logger.Log with
	// key-value pairs: the same line, without boxing each value or asking
	// the runtime for the caller (the handlers do not log the source).
	ctx := c.UserContext()
	if !w.AccessLog.Enabled(ctx, level) {
		return nil
	}
	end := time.Now()
	attrs := [...]slog.Attr{
		slog.String("request_id", RequestID(c)),
		slog.String("method", c.Method()),
		slog.String("path", loggedPath(c)),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(end.Sub(start).Microseconds())/1000),
		slog.String("ip", w.ClientIP(c)),
	}
	if h, ok := w.AccessLog.Handler().(*logHandler); ok {
		_ = h.handleAttrs(ctx, end, level, "request", attrs[:])
		return nil
	}
	r := slog.NewRecord(end, level, "request", 0)
	r.AddAttrs(attrs[:]...)
	_ = w.AccessLog.Handler().Handle(ctx, r)
	return nil
}

// loggedPath is the route of a request with path parameters, else its path.
func loggedPath(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && len(r.Params) > 0 {
		return r.Path
	}
	return c.Path()
}
