// Package admin is the admin site where case handlers (承办人), leaders
// (负责人), publishers and administrators of the province, the cities and
// the counties work: sign-in with a second factor, the case inbox and case
// page with one form per action allowed now, 要情 reports and quarterly
// statistics, users, the calendar and settings, the outbox and the audit log.
//
// Every route is registered through a policy (see routes.go) that names the
// permission it needs; a route without one cannot be added. Everything a user
// sees is limited to their region scope by the store queries themselves.
// admin imports handlers/web, the service layer (casework/caseflow),
// casework and store — never handlers.
package admin

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/search"
	"fundwatch/store"
)

// Config is what the admin site needs to know about the deployment.
type Config struct {
	// Demo marks every page as demo content (示例).
	Demo    bool
	Version string
	// IdleTimeout and AbsoluteTimeout end a session after that long without
	// a request, and that long after sign-in whatever happens.
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	// Issuer names the portal in authenticator apps.
	Issuer string
	// MailConfigured tells the dashboard whether notifications can leave
	// the outbox.
	MailConfigured bool
	// DemoLogins are the demo staff accounts, listed on the sign-in page in
	// demo mode so visitors can try the admin site.
	DemoLogins []DemoLogin
	// LoginPerIP bounds sign-in attempts per client address per LoginWindow.
	LoginPerIP  int
	LoginWindow time.Duration
}

// DemoLogin is a demo staff account as the sign-in page lists it.
type DemoLogin struct {
	Username, Password, Label string
}

func (c Config) withDefaults() Config {
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.AbsoluteTimeout == 0 {
		c.AbsoluteTimeout = 12 * time.Hour
	}
	if c.Issuer == "" {
		c.Issuer = "社保基金监督平台"
	}
	if c.LoginPerIP == 0 {
		c.LoginPerIP = 30
	}
	if c.LoginWindow == 0 {
		c.LoginWindow = 10 * time.Minute
	}
	return c
}

// Admin carries the admin site's dependencies. cmd builds it; nothing here is
// a package global.
type Admin struct {
	// Search is the cases index (nil: full-text search answers that it is
	// unavailable; finding by number and the filters still work); Syncer,
	// when set, reports the indexes' backlog on the dashboard.
	Search  search.Index
	Syncer  *search.Syncer
	Web     *web.Web
	Cases   *caseflow.Service
	Store   store.Store
	Keyring *casework.Keyring
	Regions *casework.Regions
	Config  Config

	pages    *web.Renderer
	print    *web.Renderer
	policies map[string]policy // "METHOD /path" → policy, for the route-policy test
}

// Mount adds the admin site under web.AdminPrefix to app, whose plumbing is
// a.Web. Templates are parsed here, so a broken one fails the boot.
func (a *Admin) Mount(app *fiber.App) error {
	if a.Web == nil || a.Cases == nil || a.Store == nil || a.Keyring == nil || a.Regions == nil {
		return fmt.Errorf("admin: Web, Cases, Store, Keyring and Regions are required")
	}
	a.Config = a.Config.withDefaults()
	assets, err := web.NewAssets(web.AdminPrefix+"/static", Static)
	if err != nil {
		return err
	}
	funcs := web.TemplateFuncs(a.Regions)
	for k, v := range a.templateFuncs() {
		funcs[k] = v
	}
	funcs["asset"] = assets.URL
	if a.pages, err = web.NewRenderer(Templates, "layouts/main", funcs); err != nil {
		return err
	}
	if a.print, err = web.NewRenderer(Templates, "layouts/print", funcs); err != nil {
		return err
	}
	a.Web.SetErrorPage(web.AdminPrefix, a.errorPage)
	a.policies = map[string]policy{}

	// Static assets need no session; they are the only route outside the
	// session middleware, and have a policy like every other. They are
	// served by content-hashed name (web.Assets).
	app.Get(web.AdminPrefix+"/static/*", assets.Serve)
	a.policies["GET "+web.AdminPrefix+"/static/*"] = public
	g := app.Group(web.AdminPrefix, a.loadSession)
	a.policies["USE "+web.AdminPrefix] = public // the session middleware itself
	a.routes(g)
	return nil
}

// Now is the injected clock in the stored form.
func (a *Admin) now() time.Time { return a.Web.Now() }
