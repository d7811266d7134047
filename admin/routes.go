package admin

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/handlers/web"
)

// policy is who may use a route: anyone (the sign-in pages), anyone signed
// in (the dashboard, one's own account), or holders of a permission, which
// the role × permission table of casework grants. Deny by default: a route
// is added only through handle, with its policy.
type policy struct {
	kind int
	perm casework.Permission
}

const (
	kindPublic    = iota + 1
	kindPending   // a session between password and second factor
	kindSignedIn  // any fully signed-in user
	kindPermitted // a signed-in user whose role has perm
)

var (
	public   = policy{kind: kindPublic}
	pending  = policy{kind: kindPending}
	signedIn = policy{kind: kindSignedIn}
)

func allow(p casework.Permission) policy { return policy{kind: kindPermitted, perm: p} }

// Policies returns the policy of every admin route, keyed "METHOD /path";
// the route-policy test compares it with the app's routes.
func (a *Admin) Policies() map[string]string {
	out := map[string]string{}
	for k, p := range a.policies {
		switch p.kind {
		case kindPublic:
			out[k] = "public"
		case kindPending:
			out[k] = "pending"
		case kindSignedIn:
			out[k] = "signed-in"
		case kindPermitted:
			out[k] = string(p.perm)
		}
	}
	return out
}

// handle registers one route with its policy. The guard runs before the
// handler: it sends a visitor who is not signed in to the sign-in page,
// refuses a role without the permission with 403, and checks the CSRF token
// of every POST.
func (a *Admin) handle(r fiber.Router, method, path string, p policy, h fiber.Handler) {
	full := web.AdminPrefix + path
	if p.kind == 0 {
		panic("admin: route " + method + " " + full + " has no policy")
	}
	a.policies[method+" "+full] = p
	r.Add(method, path, a.guard(p), h)
}

func (a *Admin) routes(g fiber.Router) {
	get, post := fiber.MethodGet, fiber.MethodPost

	a.handle(g, get, "/login", public, a.loginForm)
	a.handle(g, post, "/login", public, a.loginSubmit)
	a.handle(g, get, "/login/totp", pending, a.totpForm)
	a.handle(g, post, "/login/totp", pending, a.totpSubmit)
	a.handle(g, get, "/login/enrol", pending, a.enrolForm)
	a.handle(g, post, "/login/enrol", pending, a.enrolSubmit)
	a.handle(g, post, "/logout", signedIn, a.logout)

	a.handle(g, get, "/", signedIn, a.dashboard)
	a.handle(g, get, "/account", signedIn, a.accountPage)
	a.handle(g, post, "/account/password", signedIn, a.changePassword)
	a.handle(g, post, "/account/totp", signedIn, a.accountEnrolTOTP)

	a.handle(g, get, "/cases", allow(casework.PermViewCases), a.caseList)
	a.handle(g, get, "/cases/:id", allow(casework.PermViewCases), a.caseView)
	a.handle(g, post, "/cases/:id/accept", allow(casework.PermAcceptCase), a.caseTransition)
	a.handle(g, post, "/cases/:id/reject", allow(casework.PermRejectCase), a.caseTransition)
	a.handle(g, post, "/cases/:id/transfer", allow(casework.PermTransferCase), a.caseTransition)
	a.handle(g, post, "/cases/:id/investigate", allow(casework.PermInvestigateCase), a.caseTransition)
	a.handle(g, post, "/cases/:id/conclude", allow(casework.PermConcludeCase), a.caseTransition)
	a.handle(g, post, "/cases/:id/close", allow(casework.PermCloseCase), a.caseTransition)
	a.handle(g, post, "/cases/:id/onsite", allow(casework.PermInvestigateCase), a.caseOnSite)
	a.handle(g, post, "/cases/:id/extend", allow(casework.PermApproveExtension), a.caseExtend)
	a.handle(g, post, "/cases/:id/assign", allow(casework.PermAssignCase), a.caseAssign)
	a.handleUpload(g, "/cases/:id/reply", allow(casework.PermReplyCase), a.caseReply)
	a.handleUpload(g, "/cases/:id/note", allow(casework.PermNoteCase), a.caseNote)
	a.handle(g, get, "/cases/:id/files/:file", allow(casework.PermViewCases), a.caseFile)
	a.handle(g, post, "/cases/:id/files/:file/hide", allow(casework.PermReplyCase), a.caseFileHide)
	a.handle(g, post, "/cases/:id/classify", allow(casework.PermClassifyCase), a.caseClassify)
	a.handle(g, post, "/cases/:id/identity", allow(casework.PermRevealIdentity), a.caseIdentity)

	a.handle(g, post, "/cases/:id/report", allow(casework.PermDraftReport), a.reportDraft)
	a.handle(g, get, "/reports", allow(casework.PermDraftReport), a.reportList)
	a.handle(g, get, "/reports/:id", allow(casework.PermDraftReport), a.reportView)
	a.handle(g, get, "/reports/:id/print", allow(casework.PermDraftReport), a.reportPrint)
	a.handle(g, post, "/reports/:id", allow(casework.PermDraftReport), a.reportUpdate)
	a.handle(g, post, "/reports/:id/sign", allow(casework.PermSignReport), a.reportSign)
	a.handle(g, post, "/reports/:id/submit", allow(casework.PermSubmitReport), a.reportSubmit)
	a.handle(g, post, "/reports/:id/correct", allow(casework.PermDraftReport), a.reportCorrect)

	a.handle(g, get, "/quarterly", allow(casework.PermViewQuarterly), a.quarterlyPage)
	a.handle(g, post, "/quarterly/submit", allow(casework.PermSubmitQuarterly), a.quarterlySubmit)
	a.handle(g, get, "/quarterly/export.csv", allow(casework.PermViewQuarterly), a.quarterlyExport)
	a.handle(g, get, "/quarterly/print", allow(casework.PermViewQuarterly), a.quarterlyPrint)

	a.handle(g, get, "/publications", allow(casework.PermViewPublications), a.publicationList)
	a.handle(g, get, "/publications/new", allow(casework.PermPublish), a.publicationNew)
	a.handle(g, post, "/publications", allow(casework.PermPublish), a.publicationCreate)
	a.handle(g, get, "/publications/import", allow(casework.PermPublish), a.fundImportForm)
	a.handle(g, post, "/publications/import", allow(casework.PermPublish), a.fundImport)
	a.handle(g, get, "/publications/template.csv", allow(casework.PermPublish), a.fundTemplate)
	a.handle(g, get, "/publications/template.xlsx", allow(casework.PermPublish), a.fundTemplate)
	a.handle(g, get, "/publications/:id", allow(casework.PermViewPublications), a.publicationView)
	a.handle(g, post, "/publications/:id", allow(casework.PermPublish), a.publicationSave)
	a.handle(g, get, "/publications/:id/revisions/:n", allow(casework.PermViewPublications), a.publicationRevision)
	a.handle(g, post, "/publications/:id/submit", allow(casework.PermPublish), a.publicationStep)
	a.handle(g, post, "/publications/:id/correct", allow(casework.PermPublish), a.publicationStep)
	a.handle(g, post, "/publications/:id/return", allow(casework.PermApprovePublication), a.publicationStep)
	a.handle(g, post, "/publications/:id/approve", allow(casework.PermApprovePublication), a.publicationStep)
	a.handle(g, post, "/publications/:id/withdraw", allow(casework.PermApprovePublication), a.publicationStep)

	a.handle(g, get, "/users", allow(casework.PermManageUsers), a.userList)
	a.handle(g, get, "/users/new", allow(casework.PermManageUsers), a.userNew)
	a.handle(g, post, "/users", allow(casework.PermManageUsers), a.userCreate)
	a.handle(g, get, "/users/:id", allow(casework.PermManageUsers), a.userEdit)
	a.handle(g, post, "/users/:id", allow(casework.PermManageUsers), a.userUpdate)
	a.handle(g, post, "/users/:id/password", allow(casework.PermManageUsers), a.userResetPassword)
	a.handle(g, post, "/users/:id/totp", allow(casework.PermManageUsers), a.userResetTOTP)

	a.handle(g, get, "/calendar", allow(casework.PermManageCalendar), a.calendarPage)
	a.handle(g, post, "/calendar", allow(casework.PermManageCalendar), a.calendarSave)
	a.handle(g, post, "/calendar/import", allow(casework.PermManageCalendar), a.calendarImport)
	a.handle(g, get, "/settings", allow(casework.PermManageSettings), a.settingsPage)
	a.handle(g, post, "/settings/deadlines", allow(casework.PermManageSettings), a.settingsSaveDeadlines)
	a.handle(g, post, "/settings/important", allow(casework.PermManageSettings), a.settingsSaveImportant)
	a.handle(g, get, "/offices", allow(casework.PermManageSettings), a.officesPage)
	a.handle(g, post, "/offices", allow(casework.PermManageSettings), a.officesSave)

	a.handle(g, get, "/audit", allow(casework.PermReadAudit), a.auditLog)
	a.handle(g, get, "/outbox", allow(casework.PermReadOutbox), a.outbox)
	a.handle(g, post, "/outbox/:id/retry", allow(casework.PermReadOutbox), a.outboxRetry)
}

// actionPath is the last path element of a case action route, e.g.
// "accept" for /admin/cases/:id/accept.
func actionPath(c *fiber.Ctx) string {
	p := c.Path()
	return p[strings.LastIndexByte(p, '/')+1:]
}

// sortedKeys lists a map's keys in order, for stable test output.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
