// Package web is the plumbing both sites of fundwatch share — the
// citizen-facing site and API (package handlers) and the admin site (package
// admin): the Fiber app and its limits, request ids, security headers, one
// error handler that renders each site's error page (or JSON under /api/),
// the access log, panic recovery, client addresses behind proxies, rate
// limits, the short-lived key-value storage, random ids and tokens, and
// template rendering with the formatting helpers every page uses.
//
// It knows the URL space (APIPrefix, AdminPrefix) but no page: each site
// mounts its own routes on the one app that cmd/fundwatch builds with New.
// admin imports web and never handlers.
package web

// URL prefixes of the areas mounted on the one app.
const (
	APIPrefix   = "/api/"
	AdminPrefix = "/admin"
)
