// Package handlers is fundwatch's web layer: the Fiber application, its
// middleware, the public pages, the JSON API and the error pages. It turns HTTP
// into calls on casework (the rules) and store.Store (the record) and never
// imports a storage or search driver; cmd/fundwatch wires those in.
package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/public"
	"fundwatch/search"
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
	// Version is the build, answered by /healthz.
	Version string
	// DemoCases are the numbers and codes of the demo cases, shown on the
	// follow-up page in demo mode so visitors can try it.
	DemoCases []DemoCredential
	// Limits: how many submissions and follow-up attempts one client may
	// make per window. Zero values take the defaults of DefaultLimits.
	Limits Limits
	// Site is who runs the portal, for the footer and the contact page.
	Site SiteInfo
}

// DemoCredential is the receipt of one demo case.
type DemoCredential struct {
	Number     string
	AccessCode string
}

// Limits are the anti-abuse rate limits. A Max of -1 disables that limit
// (used by the load command; never in production).
type Limits struct {
	SubmitPerIP   int
	FollowupPerIP int
	// FollowupPerClientNumber bounds the wrong codes one client may try for
	// one case number per FollowupNumberSpan: past it that client, and only
	// it, waits for the span to end.
	FollowupPerClientNumber int
	// After FollowupPerNumber wrong codes for a number from anyone within
	// FollowupNumberSpan, the number slows down: one attempt per
	// FollowupSlowInterval, never a lock, so nobody can lock its reporter
	// out.
	FollowupSlowInterval time.Duration
	// MessagesPerIP and MessagesPerCase bound the information reporters add
	// per MessageWindow: from one client, and to one case from anywhere.
	MessagesPerIP      int
	MessagesPerCase    int
	MessageWindow      time.Duration
	FollowupPerNumber  int
	Window             time.Duration
	FollowupNumberSpan time.Duration
	// PendingWrites bounds how many submissions may wait for the store at
	// once; past it, and after WriteWait, a submission is answered 503
	// ("nothing was saved, try again") instead of queueing until clients
	// time out not knowing whether their report was stored.
	PendingWrites int
	WriteWait     time.Duration
	// SearchPerIP bounds the searches (page and API) one client may run per
	// SearchWindow: a search walks the index, a scripted flood of them
	// would slow it for everyone.
	SearchPerIP  int
	SearchWindow time.Duration
}

// DefaultLimits are generous for people and tight for scripts.
func DefaultLimits() Limits {
	return Limits{
		SubmitPerIP:             20,
		FollowupPerIP:           60,
		MessagesPerIP:           10,
		MessagesPerCase:         10,
		MessageWindow:           time.Hour,
		FollowupPerNumber:       10,
		FollowupPerClientNumber: 5,
		FollowupSlowInterval:    10 * time.Second,
		Window:                  10 * time.Minute,
		FollowupNumberSpan:      time.Hour,
		PendingWrites:           64,
		WriteWait:               3 * time.Second,
		SearchPerIP:             120,
		SearchWindow:            time.Minute,
	}
}

// withDefaults fills every zero field from DefaultLimits.
func (l Limits) withDefaults() Limits {
	def := DefaultLimits()
	orDefault(&l.SubmitPerIP, def.SubmitPerIP)
	orDefault(&l.FollowupPerIP, def.FollowupPerIP)
	orDefault(&l.MessagesPerIP, def.MessagesPerIP)
	orDefault(&l.MessagesPerCase, def.MessagesPerCase)
	orDefault(&l.MessageWindow, def.MessageWindow)
	orDefault(&l.FollowupPerNumber, def.FollowupPerNumber)
	orDefault(&l.FollowupPerClientNumber, def.FollowupPerClientNumber)
	orDefault(&l.FollowupSlowInterval, def.FollowupSlowInterval)
	orDefault(&l.Window, def.Window)
	orDefault(&l.FollowupNumberSpan, def.FollowupNumberSpan)
	orDefault(&l.PendingWrites, def.PendingWrites)
	orDefault(&l.WriteWait, def.WriteWait)
	orDefault(&l.SearchPerIP, def.SearchPerIP)
	orDefault(&l.SearchWindow, def.SearchWindow)
	return l
}

func orDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Store is what the public site needs of the store: the cases, the
// published disclosures, and a ping for /readyz.
type Store interface {
	store.CaseStore
	store.PublicationStore
	Ping(ctx context.Context) error
}

// Handler carries every dependency of the citizen-facing site and API. cmd
// builds it; nothing here is a package global.
type Handler struct {
	Store    Store
	Keyring  *casework.Keyring
	Regions  *casework.Regions
	Calendar *casework.Calendar
	Validate *Validator
	// Offices finds the office (受理机构) of a case; nil shows only the
	// shipped defaults, and those only in demo mode.
	Offices Offices
	// Cases is the service layer: the only writer of cases.
	Cases *caseflow.Service
	// Search is the public index (published content only) that /search
	// and /api/v1/search read; nil means search is not configured, and
	// both answer as for an engine that is down.
	Search search.Index
	// Web is the shared plumbing of the app this site is mounted on. When
	// nil, App makes one from Config, Clock, Log and Storage.
	Web *web.Web
	// Storage holds short-lived state: CSRF tokens, follow-up sessions and
	// rate counters; used only when App makes the plumbing itself.
	Storage fiber.Storage
	Clock   func() time.Time
	Log     *slog.Logger
	Config  Config
	// Filed, when set, is told of every case this site filed anew (not of a
	// retried submission answered with its first receipt), by kind
	// (store.KindComplaint, store.KindReport) and by how it came (ViaWeb,
	// ViaAPI): cmd counts them for operators.
	Filed func(kind, via string)
	// PublicCache keeps the rendered disclosure pages, downloads, feeds and
	// API answers. cmd makes it, hands its Invalidate to the writer of
	// publications and runs its Watch over the store's published stamp;
	// when nil, Mount makes one (emptied only through InvalidatePublic).
	PublicCache *web.PageCache
	// homeLatest is the home page's list of the latest publications, as of
	// the public cache's generation homeGen.
	homeMu     sync.Mutex
	homeGen    uint64
	homeLatest *homeLatest

	allRegions []string // every region code: the public may read them all
	limiter    *web.RateLimiter
	writeSlots chan struct{}
	pages      *web.Renderer
	assets     *web.Assets
	// started is when Mount ran: no public response is older than the
	// build that renders it (lastModified).
	started time.Time
	stats   statsCache
	// site keeps the pages that are the same for everyone besides the
	// disclosure, by what they show (sitecache.go).
	site sitePages
	// forms keeps the report and follow-up forms rendered, with holes
	// for each visitor's tokens (formcache.go).
	forms *formPages
	// defaultOffices is the directory of the shipped defaults, when no
	// Offices are configured.
	defaultOffices *casework.OfficeDirectory
	// textSizeName is the name of the 大字版 cookie.
	textSizeName string
}

func (h *Handler) now() time.Time { return store.Truncate(h.Clock()) }

func (h *Handler) secure() bool { return h.Web.Secure() }

func (h *Handler) cookieName(name string) string { return h.Web.CookieName(name) }

func (h *Handler) clientIP(c *fiber.Ctx) string { return h.Web.ClientIP(c) }

// App builds a Fiber application serving this site alone, with its own
// plumbing: what the handler tests use. cmd/fundwatch instead builds one app
// with web.New and mounts every site on it.
func (h *Handler) App() (*fiber.App, error) {
	if h.Web == nil {
		if h.Clock == nil {
			h.Clock = time.Now
		}
		h.Web = web.New(web.Config{
			BaseURL: h.Config.BaseURL, TrustedProxies: h.Config.TrustedProxies, Version: h.Config.Version,
			Log: h.Log, Clock: h.Clock, Storage: h.Storage,
		})
	}
	app := h.Web.NewApp()
	if err := h.Mount(app); err != nil {
		return nil, err
	}
	h.Web.Finish(app)
	return app, nil
}

// Mount adds the public site and the API to app, whose plumbing is h.Web.
// Templates are parsed here so that a broken template fails the boot, not a
// request.
func (h *Handler) Mount(app *fiber.App) error {
	if h.Store == nil || h.Keyring == nil || h.Regions == nil || h.Calendar == nil || h.Validate == nil || h.Web == nil || h.Cases == nil {
		return fmt.Errorf("handlers: Store, Keyring, Regions, Calendar, Validate, Cases and Web are required")
	}
	h.Clock = h.Web.Clock
	h.Log = h.Web.Log
	h.Storage = h.Web.Storage
	h.Config.Limits = h.Config.Limits.withDefaults()
	h.started = h.now()
	h.writeSlots = make(chan struct{}, h.Config.Limits.PendingWrites)
	if h.PublicCache == nil {
		h.PublicCache = web.NewPageCache(h.Clock)
	}
	h.textSizeName = h.cookieName(textSizeCookie)
	h.site = newSitePages(h.Clock)
	h.forms = newFormPages()
	h.defaultOffices = casework.NewOfficeDirectory(h.Regions, nil)
	h.allRegions = h.Regions.Descendants(h.Regions.Root().Code)
	h.limiter = h.Web.Limiter

	assets, err := web.NewAssets("/static", public.Static)
	if err != nil {
		return err
	}
	funcs := web.TemplateFuncs(h.Regions)
	funcs["asset"] = assets.URL
	funcs["codeGroups"] = accessCodeGroups
	funcs["pubKindLabel"] = pubKindLabel
	funcs["join"] = strings.Join
	funcs["statsRowName"] = statsRowName
	pages, err := web.NewRenderer(public.Templates, "layouts/main", funcs)
	if err != nil {
		return err
	}
	h.pages = pages
	h.assets = assets
	h.Web.SetErrorPage("", h.errorPage)
	h.routes(app)
	return nil
}
