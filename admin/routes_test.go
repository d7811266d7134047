package admin

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"fundwatch/casework"
	"fundwatch/store"
)

// TestEveryAdminRouteHasAPolicy enumerates the app's routes and fails when
// one under /admin was added without going through handle (deny by
// default: a route nobody declared a policy for is a hole).
func TestEveryAdminRouteHasAPolicy(t *testing.T) {
	e := newAdminEnv(t)
	policies := e.adm.Policies()
	// Middleware added with Use is listed under every method, CONNECT
	// included, which no route of ours uses: that tells the two apart.
	routes := e.app.GetRoutes(false)
	isUse := map[string]bool{}
	for _, r := range routes {
		if r.Method == http.MethodConnect {
			isUse[r.Path] = true
		}
	}
	keys := map[string]bool{}
	for _, r := range routes {
		if !strings.HasPrefix(r.Path, "/admin") {
			continue
		}
		key := r.Method + " " + r.Path
		switch {
		case isUse[r.Path]:
			key = "USE " + r.Path
		case r.Method == http.MethodHead:
			key = "GET " + r.Path // Fiber adds HEAD for every GET
		}
		keys[key] = true
	}
	if len(keys) < 20 {
		t.Fatalf("found only %d admin routes; is the admin site mounted?", len(keys))
	}
	for key := range keys {
		if _, ok := policies[key]; !ok {
			t.Errorf("route %s has no policy", key)
		}
	}
	for _, key := range sortedKeys(policies) {
		if !keys[key] {
			t.Errorf("policy %s names no route", key)
		}
	}
}

// TestRolesWithoutThePermissionAreRefused signs in one user of every role
// and calls every permission-guarded route: a role the table does not
// allow gets 403, and nothing happens.
func TestRolesWithoutThePermissionAreRefused(t *testing.T) {
	e := newAdminEnv(t)
	cs := e.fileCase("220102", "embezzlement", 150_000_00)
	users := map[string]staff{}
	for _, role := range []string{store.RoleHandler, store.RoleLeader, store.RolePublisher, store.RoleAdmin} {
		users[role] = e.addUser("u"+role, role, "220000")
	}
	target := e.addUser("someone", store.RoleHandler, "220100")
	for role, s := range users {
		cl := e.client()
		cl.login(s)
		csrf := cl.token("/admin/account")
		for key, perm := range e.adm.Policies() {
			if perm == "public" || perm == "pending" || perm == "signed-in" {
				continue
			}
			method, path, _ := strings.Cut(key, " ")
			path = strings.ReplaceAll(path, ":id", map[bool]string{true: cs.ID, false: target.User.ID}[strings.HasPrefix(path, "/admin/cases")])
			if strings.Contains(path, "*") {
				continue
			}
			var resp *http.Response
			if method == http.MethodGet {
				resp, _ = cl.get(path)
			} else {
				resp, _ = cl.post(path, url.Values{"_csrf": {csrf}})
			}
			allowed := casework.RoleAllows(role, casework.Permission(perm))
			if !allowed && resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s as %s (no %s): status %d, want 403", method, path, role, perm, resp.StatusCode)
			}
			if allowed && resp.StatusCode == http.StatusForbidden {
				t.Errorf("%s %s as %s (has %s): status 403", method, path, role, perm)
			}
		}
	}
	if got := e.mustGetCase(cs.ID); got.Status != store.StatusReceived && !slices.Contains([]string{store.StatusAccepted, store.StatusRejected, store.StatusTransferred}, got.Status) {
		t.Errorf("case status %s after the sweep", got.Status)
	}
}

// TestSignedOutVisitorsGoToTheSignInPage: every page but the sign-in pages
// sends a visitor without a session to sign in, and every form refuses.
func TestSignedOutVisitorsGoToTheSignInPage(t *testing.T) {
	e := newAdminEnv(t)
	cs := e.fileCase("220102", "embezzlement", 0)
	cl := e.client()
	for key, p := range e.adm.Policies() {
		method, path, _ := strings.Cut(key, " ")
		if p == "public" || strings.Contains(path, "*") || method == "USE" {
			continue
		}
		path = strings.ReplaceAll(path, ":id", cs.ID)
		if method == http.MethodGet {
			resp, _ := cl.get(path)
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
				t.Errorf("GET %s signed out: status %d to %q, want 303 to the sign-in page", path, resp.StatusCode, resp.Header.Get("Location"))
			}
		} else {
			resp, _ := cl.post(path, url.Values{})
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s signed out: status %d, want 403", path, resp.StatusCode)
			}
		}
	}
}
