package admin

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"fundwatch/store"
)

var userLink = regexp.MustCompile(`href="/admin/users/([0-9a-z]{26})">([^<]+)<`)

func TestAdministratorsManageUsersOfTheirScope(t *testing.T) {
	e := newAdminEnv(t)
	cityAdmin := e.addUser("ccadmin", store.RoleAdmin, "220100")
	other := e.addUser("jlhandler", store.RoleHandler, "220200")
	cl := e.client()
	cl.login(cityAdmin)

	form := url.Values{"username": {"wang.wu"}, "name": {"王五"}, "role": {"handler"}, "region": {"220102"},
		"email": {"wangwu@example.com"}, "password": {"Nanguan district 2026 spring"}}
	// Mistakes come back with messages at the fields and the input kept.
	bad := url.Values{"username": {"Wang Wu"}, "name": {""}, "role": {"boss"}, "region": {"220200"}, "email": {"x@"}, "password": {"123456789012"}}
	resp, body := cl.postWith("/admin/users/new", "/admin/users", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad user form: %d", resp.StatusCode)
	}
	for _, id := range []string{"e-username", "e-name", "e-role", "e-region", "e-email", "e-password"} {
		if !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("bad user form lacks the message %s", id)
		}
	}
	if strings.Contains(body, "123456789012") {
		t.Error("the password typed was sent back in the page")
	}
	resp, _ = cl.postWith("/admin/users/new", "/admin/users", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	resp, body = cl.postWith("/admin/users/new", "/admin/users", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, store.MsgUsernameTaken) {
		t.Errorf("same username again: %d", resp.StatusCode)
	}
	u, err := e.st.UserByUsername(context.Background(), "wang.wu")
	if err != nil || !u.MustChangePassword || u.RegionCode != "220102" {
		t.Fatalf("created user = %+v, %v", u, err)
	}
	// The list holds the scope's users only.
	_, list := cl.get("/admin/users")
	if !strings.Contains(list, "wang.wu") || strings.Contains(list, "jlhandler") {
		t.Errorf("user list of 长春市: wang.wu listed %v, jlhandler listed %v", strings.Contains(list, "wang.wu"), strings.Contains(list, "jlhandler"))
	}
	// Another city's user answers like a missing one.
	if resp, _ := cl.get("/admin/users/" + other.User.ID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another city's user: %d", resp.StatusCode)
	}
	// The new user must choose a password at first sign-in.
	s := staff{User: u, Password: "Nanguan district 2026 spring"}
	nu := e.client()
	resp, _ = nu.postWith("/admin/login", "/admin/login", url.Values{"username": {"wang.wu"}, "password": {s.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d", resp.StatusCode)
	}
	if resp, _ := nu.get("/admin/cases"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/account") {
		t.Errorf("before changing the initial password the inbox answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Disabling ends the user's sessions at once.
	resp, _ = cl.postWith("/admin/users/"+u.ID, "/admin/users/"+u.ID, url.Values{"name": {"王五"}, "role": {"handler"},
		"region": {"220102"}, "email": {""}, "disabled": {"true"}, "version": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := nu.get("/admin/account"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled user's session still opens pages: %d", resp.StatusCode)
	}
	if st, _ := loginAnswer(e.client(), "wang.wu", s.Password); st != http.StatusUnauthorized {
		t.Errorf("a disabled user signs in: %d", st)
	}
	// A stale form (version 1 again) changes nothing.
	resp, _ = cl.postWith("/admin/users/"+u.ID, "/admin/users/"+u.ID, url.Values{"name": {"王五五"}, "role": {"leader"},
		"region": {"220102"}, "version": {"1"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("stale user form: %d", resp.StatusCode)
	}
	// An administrator cannot disable themselves.
	resp, _ = cl.postWith("/admin/users/"+cityAdmin.User.ID, "/admin/users/"+cityAdmin.User.ID, url.Values{"name": {"x"},
		"role": {"admin"}, "region": {"220100"}, "disabled": {"true"}, "version": {"1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("disabling oneself: %d", resp.StatusCode)
	}
	var actions []string
	for _, a := range e.auditActions() {
		if strings.HasPrefix(a, "user.") {
			actions = append(actions, a)
		}
	}
	// The two users the test environment made, the one made here, disabled.
	if strings.Join(actions, ",") != "user.create,user.create,user.create,user.disable" {
		t.Errorf("user audit = %v", actions)
	}
}

func TestAdministratorsResetPasswordsAndSecondFactors(t *testing.T) {
	e := newAdminEnv(t)
	admin := e.addUser("provadmin", store.RoleAdmin, "220000")
	leader := e.addUser("ldr", store.RoleLeader, "220100")
	cl := e.client()
	cl.login(admin)
	lc := e.client()
	lc.login(leader)
	page := "/admin/users/" + leader.User.ID
	if resp, _ := cl.postWith(page, page+"/password", url.Values{"password": {"short"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("weak reset password: %d", resp.StatusCode)
	}
	if resp, _ := cl.postWith(page, page+"/totp", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset TOTP: %d", resp.StatusCode)
	}
	if resp, _ := lc.get("/admin"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the leader's session survived the TOTP reset: %d", resp.StatusCode)
	}
	got, _ := e.st.UserByID(context.Background(), leader.User.ID)
	if len(got.TOTPSealed) != 0 {
		t.Error("TOTP secret kept after the reset")
	}
	// Without a second factor, the leader is sent to enrol.
	resp, _ := e.client().postWith("/admin/login", "/admin/login", url.Values{"username": {"ldr"}, "password": {leader.Password}})
	if resp.Header.Get("Location") != "/admin/login/enrol" {
		t.Errorf("a leader without TOTP went to %q, want the enrolment page", resp.Header.Get("Location"))
	}
	if resp, _ := cl.postWith(page, page+"/password", url.Values{"password": {"Yitong river 2026 bright"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset password: %d", resp.StatusCode)
	}
	got, _ = e.st.UserByID(context.Background(), leader.User.ID)
	if !got.MustChangePassword {
		t.Error("a reset password need not be changed")
	}
	if ok := userLink.MatchString(func() string { _, b := cl.get("/admin/users"); return b }()); !ok {
		t.Error("the user list links no user")
	}
}
