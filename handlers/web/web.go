package web

import (
	"bytes"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/valyala/fasthttp"
)

// Config is what the shared plumbing needs to know about the deployment.
type Config struct {
	// BaseURL is the public address, e.g. https://jb.example.gov.cn. An https
	// scheme turns on Secure cookies with the __Host- prefix and HSTS.
	BaseURL string
	// TrustedProxies are the addresses whose X-Forwarded-For is believed.
	TrustedProxies []string
	// Version is the build, for operators (/healthz, the admin footer).
	Version string
	Log     *slog.Logger
	// AccessLog takes the one line per request (Log when nil); cmd gives
	// it a LogBuffer, so that the lines are written in batches.
	AccessLog *slog.Logger
	Clock     func() time.Time
	// Storage holds short-lived state: CSRF tokens, follow-up sessions and
	// rate counters. In memory for one instance (the default); shared (the
	// MongoDB key-value collection) when several instances run.
	Storage fiber.Storage
	// CompressMinBytes: a response smaller than this is sent as it is,
	// compression saving too little; 0 means 1 KB. Tests set 1 to show
	// which responses are never compressed, whatever their size.
	CompressMinBytes int
	// Observer, when set, is told of every answered request and of the
	// errors requests end with, for the operators' metrics.
	Observer Observer
}

// Web is the plumbing of one running app, shared by the sites mounted on it.
type Web struct {
	Config
	Log     *slog.Logger
	Storage fiber.Storage
	Limiter *RateLimiter

	proxies    []netip.Prefix
	errorPages []errorPage
	ownStorage *MemoryStorage
	apiBodies  headerSet
	// tooLarge holds the requests whose declared body is over its limit:
	// they are answered 413 before routing, without reading the body.
	tooLarge headerSet
	// uploadRoutes are the routes declared with Uploads, whose multipart
	// bodies stay a stream; uploads stores their files.
	uploadRoutes []uploadRoute
	uploads      UploadStore
	// endpoints are the app's routes that are not middleware, found by
	// Finish: the only routes whose pattern becomes a metrics label.
	endpoints map[*fiber.Route]struct{}
}

// headerSet: apiBodies remembers which requests being read are for the API, by their
// header, for one case: fasthttp resets a request whose chunked body is over
// the limit before the error handler sees it, so the path is gone by then,
// and the 413 must still be JSON. An entry lives from the end of the
// header to the start of routing or the error handler; the set is bounded.
type headerSet struct {
	mu sync.Mutex
	m  map[*fasthttp.RequestHeader]struct{}
	// n is len(m), read without the lock: the set is empty for nearly
	// every request, and take then costs no lock.
	n atomic.Int64
}

const maxHeaderSet = 10000

func (b *headerSet) add(h *fasthttp.RequestHeader) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil || len(b.m) >= maxHeaderSet {
		b.m = map[*fasthttp.RequestHeader]struct{}{}
	}
	b.m[h] = struct{}{}
	b.n.Store(int64(len(b.m)))
}

// take reports whether h was an API request's, and forgets it.
func (b *headerSet) take(h *fasthttp.RequestHeader) bool {
	if b.n.Load() == 0 {
		// An add for h happened before this request's handler ran, on
		// the connection's goroutine, so it is seen here when it was made.
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.m[h]
	delete(b.m, h)
	b.n.Store(int64(len(b.m)))
	return ok
}

// New fills the defaults of cfg and returns the plumbing.
func New(cfg Config) *Web {
	w := &Web{Config: cfg, Log: cfg.Log, Storage: cfg.Storage}
	if w.Log == nil {
		w.Log = slog.Default()
	}
	if w.AccessLog == nil {
		w.AccessLog = w.Log
	}
	if w.Clock == nil {
		w.Clock = time.Now
	}
	if w.Storage == nil {
		w.ownStorage = NewMemoryStorage()
		w.Storage = w.ownStorage
	}
	if w.CompressMinBytes <= 0 {
		w.CompressMinBytes = defaultCompressMinBytes
	}
	w.Limiter = NewRateLimiter(w.Storage, w.Clock)
	w.proxies = parseProxies(cfg.TrustedProxies)
	return w
}

// Close stops the in-memory storage if New made one.
func (w *Web) Close() error {
	if w.ownStorage != nil {
		return w.ownStorage.Close()
	}
	return nil
}

// Now is the injected clock in the stored form (UTC, milliseconds).
func (w *Web) Now() time.Time { return w.Clock().UTC().Truncate(time.Millisecond) }

// Secure reports whether the portal is served over https.
func (w *Web) Secure() bool { return strings.HasPrefix(w.BaseURL, "https://") }

// CookieName gives the __Host- prefixed name over https, where browsers
// enforce the prefix's guarantees, and a plain name on http (development).
func (w *Web) CookieName(name string) string {
	if w.Secure() {
		return "__Host-" + name
	}
	return name
}

// MaxBodyBytes bounds every request body; the largest legitimate form (a
// 5,000 character description plus the rest) is far below it.
const MaxBodyBytes = 256 * 1024

// NewApp builds the one Fiber app with its limits, the error handler and the
// middleware every request passes: request id, access log, panic recovery,
// security headers, compression of the responses marked for it. The sites
// then mount their routes on it, and Finish completes it.
func (w *Web) NewApp() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:               "fundwatch",
		Immutable:             true,
		ErrorHandler:          w.HandleError,
		BodyLimit:             MaxBodyBytes,
		ReadBufferSize:        16 * 1024,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		// Neither site takes multipart bodies. fasthttp would parse one
		// before routing and, when it is malformed, reset the request: the
		// error page then no longer knows the path, and an admin form got
		// the public site's page. Unparsed, the body reaches the handlers,
		// which refuse it like any other wrong content type.
		DisablePreParseMultipartForm: true,
		// Bodies reach the app as streams, so an upload is stored as it
		// arrives instead of held in memory; readBody reads every other
		// body within BodyLimit first (uploads.go).
		StreamRequestBody: true,
		// A response is written through a buffer of this size, and one
		// that does not fit (headers and body) takes two writes or more.
		// With fasthttp's 4 KB default the brotli fund table page (3.8 KB
		// and 0.7 KB of headers) took two; 16 KB holds nearly every
		// compressed page in one. A buffer is held only while a response
		// is being written.
		WriteBufferSize: 16 * 1024,
		// No ProxyHeader: ClientIP reads X-Forwarded-For itself, from the
		// right, so c.IP() stays the connection's address.
	})
	if w.Observer != nil {
		// Outermost, so the time covers every middleware and the status
		// is the one sent.
		app.Use(w.observeRequests)
	}
	app.Use(w.requestID, w.accessLog, w.recoverPanics, w.securityHeaders, w.compress, w.readBody)
	return app
}

// Finish is called once every site is mounted. It gives requests with a
// method Fiber does not know (PROPFIND, FOO, …) the same 405 page, request
// id and security headers as everything else: Fiber would answer them with a
// bare "Invalid http method" before any middleware runs.
//
// Routes added after Finish are counted under UnmatchedRoute.
func (w *Web) Finish(app *fiber.App) {
	if w.Observer != nil {
		w.endpoints = endpointRoutes(app)
	}
	srv := app.Server()
	srv.HeaderReceived = func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		if bytes.HasPrefix(h.RequestURI(), []byte(APIPrefix)) {
			w.apiBodies.add(h)
		}
		limit, conf := int64(MaxBodyBytes), fasthttp.RequestConfig{}
		if w.streamsUpload(h) {
			limit, conf = maxUploadBody(w.uploads.EvidenceLimits()), fasthttp.RequestConfig{ReadTimeout: uploadReadTimeout}
		}
		if int64(h.ContentLength()) > limit {
			// Bodies are streamed, and fasthttp would wait for the first
			// 8 KB of one before calling the handler. A body declared over
			// its limit is refused now, as fasthttp did without streaming:
			// nothing of it is read, and the connection is closed after
			// the 413 so its bytes are never taken for a next request.
			w.tooLarge.add(h)
			h.SetContentLength(0)
		}
		return conf
	}
	next := srv.Handler
	methods := slices.Clone(app.Config().RequestMethods)
	known := func(method []byte) bool {
		for _, m := range methods {
			if string(method) == m {
				return true
			}
		}
		return false
	}
	srv.Handler = func(rctx *fasthttp.RequestCtx) {
		if w.tooLarge.take(&rctx.Request.Header) {
			start := time.Now()
			rctx.SetConnectionClose()
			c := app.AcquireCtx(rctx)
			defer app.ReleaseCtx(c)
			_ = w.HandleError(c, fiber.ErrRequestEntityTooLarge)
			w.apiBodies.take(&rctx.Request.Header)
			if w.Observer != nil {
				w.observeRequest(c, start)
			}
			return
		}
		if known(rctx.Method()) {
			next(rctx)
			return
		}
		start := time.Now()
		c := app.AcquireCtx(rctx)
		defer app.ReleaseCtx(c)
		_ = w.HandleError(c, fiber.ErrMethodNotAllowed)
		if w.Observer != nil {
			w.observeRequest(c, start)
		}
	}
}

// CSRFFromBody reads a CSRF token from the url-encoded POST body only:
// fasthttp's FormValue would also take it from the query string, and tokens
// do not belong in URLs or logs.
func CSRFFromBody(c *fiber.Ctx) (string, error) {
	token := string(c.Request().PostArgs().Peek("_csrf"))
	if token == "" {
		return "", csrf.ErrTokenNotFound
	}
	return token, nil
}

// CSRFToken returns the CSRF token posted in the url-encoded body, or "".
func CSRFToken(c *fiber.Ctx) string {
	t, _ := CSRFFromBody(c)
	return t
}
