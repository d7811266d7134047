// Package handlers is fundwatch's web layer: the Fiber application, its
// middleware, the public pages, the JSON API and the error pages. It turns HTTP
// into calls on casework (the rules) and store.Store (the record) and never
// imports a storage or search driver; cmd/fundwatch wires those in.
package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"
	"github.com/valyala/fasthttp"

	"fundwatch/casework"
	"fundwatch/public"
	"fundwatch/store"
)

// Config is what the web layer needs to know about the deployment.
type Config struct {
	// BaseURL is the public address, e.g. https://jb.example.gov.cn. An https
	// scheme turns on Secure cookies with the __Host- prefix and HSTS.
	BaseURL string
	// TrustedProxies are the addresses whose X-Forwarded-For is believed.
	TrustedProxies []string
	// Demo marks every page as showing demo content (示例).
	Demo bool
	// Version is shown in the footer and used to bust static asset caches.
	Version string
	// DemoCases are the numbers and codes of the demo cases, shown on the
	// follow-up page in demo mode so visitors can try it.
	DemoCases []DemoCredential
	// Limits: how many submissions and follow-up attempts one client may
	// make per window. Zero values take the defaults of DefaultLimits.
	Limits Limits
}

// DemoCredential is the receipt of one demo case.
type DemoCredential struct {
	Number     string
	AccessCode string
}

// Limits are the anti-abuse rate limits. A Max of -1 disables that limit
// (used by the load command; never in production).
type Limits struct {
	SubmitPerIP        int
	FollowupPerIP      int
	FollowupPerNumber  int
	Window             time.Duration
	FollowupNumberSpan time.Duration
	// PendingWrites bounds how many submissions may wait for the store at
	// once; past it, and after WriteWait, a submission is answered 503
	// ("nothing was saved, try again") instead of queueing until clients
	// time out not knowing whether their report was stored.
	PendingWrites int
	WriteWait     time.Duration
}

// DefaultLimits are generous for people and tight for scripts.
func DefaultLimits() Limits {
	return Limits{
		SubmitPerIP:        20,
		FollowupPerIP:      60,
		FollowupPerNumber:  10,
		Window:             10 * time.Minute,
		FollowupNumberSpan: time.Hour,
		PendingWrites:      64,
		WriteWait:          3 * time.Second,
	}
}

// withDefaults fills every zero field from DefaultLimits.
func (l Limits) withDefaults() Limits {
	def := DefaultLimits()
	orDefault(&l.SubmitPerIP, def.SubmitPerIP)
	orDefault(&l.FollowupPerIP, def.FollowupPerIP)
	orDefault(&l.FollowupPerNumber, def.FollowupPerNumber)
	orDefault(&l.Window, def.Window)
	orDefault(&l.FollowupNumberSpan, def.FollowupNumberSpan)
	orDefault(&l.PendingWrites, def.PendingWrites)
	orDefault(&l.WriteWait, def.WriteWait)
	return l
}

func orDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Handler carries every dependency of the web layer. cmd builds it; nothing
// here is a package global.
type Handler struct {
	Store    store.Store
	Keyring  *casework.Keyring
	Regions  *casework.Regions
	Calendar *casework.Calendar
	Validate *Validator
	// Storage holds short-lived state: CSRF tokens, follow-up sessions and rate
	// counters. In memory for one instance; shared when several instances run.
	Storage fiber.Storage
	Clock   func() time.Time
	Log     *slog.Logger
	Config  Config

	limiter    *rateLimiter
	proxies    []netip.Prefix
	writeSlots chan struct{}
}

func (h *Handler) now() time.Time { return store.Truncate(h.Clock()) }

// secure reports whether the portal is served over https.
func (h *Handler) secure() bool { return strings.HasPrefix(h.Config.BaseURL, "https://") }

// cookieName gives the __Host- prefixed name over https, where browsers
// enforce the prefix's guarantees, and a plain name on http (development).
func (h *Handler) cookieName(name string) string {
	if h.secure() {
		return "__Host-" + name
	}
	return name
}

// App builds the Fiber application with all routes and middleware. Templates
// are parsed here so that a broken template fails the boot, not a request.
func (h *Handler) App() (*fiber.App, error) {
	if h.Store == nil || h.Keyring == nil || h.Regions == nil || h.Calendar == nil || h.Validate == nil {
		return nil, fmt.Errorf("handlers: Store, Keyring, Regions, Calendar and Validate are required")
	}
	if h.Clock == nil {
		h.Clock = time.Now
	}
	if h.Log == nil {
		h.Log = slog.Default()
	}
	if h.Storage == nil {
		h.Storage = NewMemoryStorage()
	}
	h.Config.Limits = h.Config.Limits.withDefaults()
	l := &h.Config.Limits
	h.writeSlots = make(chan struct{}, l.PendingWrites)
	h.limiter = &rateLimiter{storage: h.Storage, clock: h.Clock}
	h.proxies = parseProxies(h.Config.TrustedProxies)

	views := html.NewFileSystem(http.FS(public.Templates), ".html")
	views.AddFuncMap(h.templateFuncs())
	if err := views.Load(); err != nil {
		return nil, fmt.Errorf("handlers: load templates: %w", err)
	}

	app := fiber.New(fiber.Config{
		AppName:               "fundwatch",
		Views:                 views,
		ViewsLayout:           "layouts/main",
		Immutable:             true,
		ErrorHandler:          h.handleError,
		BodyLimit:             maxBodyBytes,
		ReadBufferSize:        16 * 1024,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		// No ProxyHeader: clientIP reads X-Forwarded-For itself, from the
		// right, so c.IP() stays the connection's address.
	})
	h.routes(app)
	h.answerUnknownMethods(app)
	return app, nil
}

// answerUnknownMethods gives requests with a method Fiber does not know
// (PROPFIND, FOO, …) the same Chinese 405 page, request id and security
// headers as everything else: Fiber would answer them with a bare
// "Invalid http method" before any middleware runs.
func (h *Handler) answerUnknownMethods(app *fiber.App) {
	srv := app.Server()
	next := srv.Handler
	srv.Handler = func(rctx *fasthttp.RequestCtx) {
		if slices.Contains(app.Config().RequestMethods, string(rctx.Method())) {
			next(rctx)
			return
		}
		c := app.AcquireCtx(rctx)
		defer app.ReleaseCtx(c)
		_ = h.handleError(c, fiber.ErrMethodNotAllowed)
	}
}

// maxBodyBytes bounds every request body; the largest legitimate form (a 5,000
// character description plus the rest) is far below it.
const maxBodyBytes = 256 * 1024
