package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// Observer is told what operators count. cmd/fundwatch gives it the
// Prometheus metrics; web calls it from one middleware and from the error
// handler, so neither the sites nor this package know Prometheus. Its
// methods must be cheap and safe for concurrent use.
type Observer interface {
	// ObserveRequest is called once for each answered request, with its
	// final status. route is the pattern of the route that answered
	// ("/api/v1/reports/:number"), never the path, which may carry a case
	// number; UnmatchedRoute for a request no route took. method is one of
	// the methods Fiber serves, or "OTHER".
	ObserveRequest(route, method string, status int, elapsed time.Duration)
	// RequestError is called with each error a request ended with that is
	// not an HTTP condition (a missing page, a rate limit, a stale form):
	// the errors of the store, the service layer and search that
	// HandleError answers or LogError logs.
	RequestError(err error)
}

// UnmatchedRoute is the route of requests no route took: unknown paths,
// methods a path does not serve, and requests answered before routing.
const UnmatchedRoute = "unmatched"

// observeRequests tells the Observer of every request once accessLog,
// inside it, has turned an error into the response.
func (w *Web) observeRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	w.observeRequest(c, start)
	return err
}

func (w *Web) observeRequest(c *fiber.Ctx, start time.Time) {
	w.Observer.ObserveRequest(w.routeLabel(c), methodLabel(c.Method()), c.Response().StatusCode(), time.Since(start))
}

// routeLabel is the pattern of the route that answered c. After the chain
// has run, c.Route() is the last route that matched: an endpoint, or a
// middleware route (app.Use, a group's handlers) when no endpoint did —
// whose Path is a prefix, "/" for app.Use, which must not pass for the
// home page — or, when routing never ran, a stand-in carrying the raw
// path. Only the endpoints Finish found give their pattern.
func (w *Web) routeLabel(c *fiber.Ctx) string {
	if r := c.Route(); r != nil {
		if _, ok := w.endpoints[r]; ok {
			return r.Path
		}
	}
	return UnmatchedRoute
}

// endpointRoutes finds the routes of app that are endpoints, not
// middleware. Fiber keeps that flag unexported; GetRoutes(true) leaves the
// middleware out but returns copies, and a copy shares its handlers'
// backing array with the route in the stack, so the first handler's
// address identifies it.
func endpointRoutes(app *fiber.App) map[*fiber.Route]struct{} {
	first := map[*fiber.Handler]bool{}
	for _, r := range app.GetRoutes(true) {
		if len(r.Handlers) > 0 {
			first[&r.Handlers[0]] = true
		}
	}
	set := map[*fiber.Route]struct{}{}
	for _, routes := range app.Stack() {
		for _, r := range routes {
			if len(r.Handlers) > 0 && first[&r.Handlers[0]] {
				set[r] = struct{}{}
			}
		}
	}
	return set
}

// methodLabel maps a request's method to a constant: a method Fiber does
// not serve is "OTHER", so a client cannot add label values.
func methodLabel(m string) string {
	switch m {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodHead:
		return fiber.MethodHead
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodPut:
		return fiber.MethodPut
	case fiber.MethodDelete:
		return fiber.MethodDelete
	case fiber.MethodPatch:
		return fiber.MethodPatch
	case fiber.MethodOptions:
		return fiber.MethodOptions
	case fiber.MethodConnect:
		return fiber.MethodConnect
	case fiber.MethodTrace:
		return fiber.MethodTrace
	}
	return "OTHER"
}

// MetricsPath is where the metrics are served.
const MetricsPath = "/metrics"

// ServeMetrics serves h (the Prometheus exposition) at MetricsPath on app
// to a request carrying "Authorization: Bearer token"; call it before
// Finish, like every route. Any other request
// there gets the page of an unknown page, so the public cannot tell the
// endpoint exists. The token is compared in constant time (as digests, so
// not even its length shows).
func (w *Web) ServeMetrics(app *fiber.App, token string, h http.Handler) {
	want := sha256.Sum256([]byte(token))
	// The adapted request's context is fasthttp's RequestCtx; a timeout
	// derived from it (promhttp's) starts a goroutine that reads it while
	// a shutdown writes it, a data race the race detector caught. The
	// scrape runs on a context detached from it, bounded by promhttp's
	// own timeout.
	serve := adaptor.HTTPHandler(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(rw, r.WithContext(context.WithoutCancel(r.Context())))
	}))
	app.Get(MetricsPath, func(c *fiber.Ctx) error {
		if !bearerMatches(c.Get(fiber.HeaderAuthorization), want) {
			return ErrNotFound
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return serve(c)
	})
}

func bearerMatches(header string, want [sha256.Size]byte) bool {
	const scheme = "Bearer "
	if len(header) <= len(scheme) || !strings.EqualFold(header[:len(scheme)], scheme) {
		return false
	}
	got := sha256.Sum256([]byte(header[len(scheme):]))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
