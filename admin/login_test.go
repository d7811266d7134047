package admin

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"fundwatch/store"
)

var requestIDs = regexp.MustCompile(`<code>[0-9a-f]{16}</code>|name="_csrf" value="[^"]*"`)

// loginAnswer posts a sign-in and returns the status and the page without
// its request id and token.
func loginAnswer(cl *client, username, password string) (int, string) {
	resp, body := cl.postWith("/admin/login", "/admin/login", url.Values{"username": {username}, "password": {password}})
	return resp.StatusCode, requestIDs.ReplaceAllString(body, "")
}

func TestSignInAnswersUnknownUsersLikeWrongPasswords(t *testing.T) {
	e := newAdminEnv(t)
	e.addUser("zhaoliu", store.RoleHandler, "220100")
	s1, wrong := loginAnswer(e.client(), "zhaoliu", "not the password at all")
	s2, unknown := loginAnswer(e.client(), "nobody", "not the password at all")
	if s1 != http.StatusUnauthorized || s2 != http.StatusUnauthorized {
		t.Fatalf("statuses %d and %d, want 401 for both", s1, s2)
	}
	wrong = strings.ReplaceAll(wrong, "zhaoliu", "NAME")
	unknown = strings.ReplaceAll(unknown, "nobody", "NAME")
	if wrong != unknown {
		t.Errorf("a wrong password and an unknown user get different pages")
	}
	if !strings.Contains(wrong, msgBadLogin) {
		t.Errorf("no Chinese message on a failed sign-in")
	}
	for _, want := range []string{"login.failure", "login.failure"} {
		found := false
		for _, a := range e.auditActions() {
			found = found || a == want
		}
		if !found {
			t.Errorf("audit log lacks %s", want)
		}
	}
}

func TestSignInWithTOTPRegeneratesTheSessionAndRefusesAReplayedCode(t *testing.T) {
	e := newAdminEnv(t)
	leader := e.addUser("leader1", store.RoleLeader, "220100")
	cl := e.client()
	resp, _ := cl.postWith("/admin/login", "/admin/login", url.Values{"username": {"LEADER1"}, "password": {leader.Password}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/login/totp" {
		t.Fatalf("password step: %d to %q, want the TOTP page", resp.StatusCode, resp.Header.Get("Location"))
	}
	pending := cl.cookies[cookieSession]
	// A pending session opens nothing but the TOTP page.
	if resp, _ := cl.get("/admin/cases"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("pending session opened the inbox: %d", resp.StatusCode)
	}
	e.advance(31 * time.Second)
	code := e.code(leader.Secret, e.clock())
	if resp, body := cl.postWith("/admin/login/totp", "/admin/login/totp", url.Values{"code": {"000000"}}); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "动态验证码不正确") {
		t.Errorf("wrong code: %d", resp.StatusCode)
	}
	resp, _ = cl.postWith("/admin/login/totp", "/admin/login/totp", url.Values{"code": {code}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		t.Fatalf("TOTP step: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	full := cl.cookies[cookieSession]
	if full == "" || full == pending {
		t.Errorf("session id not regenerated at sign-in (pending %q, full %q)", pending, full)
	}
	if resp, _ := cl.get("/admin/cases"); resp.StatusCode != http.StatusOK {
		t.Errorf("inbox after sign-in: %d", resp.StatusCode)
	}
	// The same code again, in a second browser within the same 30 s: refused.
	other := e.client()
	other.postWith("/admin/login", "/admin/login", url.Values{"username": {"leader1"}, "password": {leader.Password}})
	if resp, _ := other.postWith("/admin/login/totp", "/admin/login/totp", url.Values{"code": {code}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("replayed TOTP code: status %d, want 401", resp.StatusCode)
	}
}

func TestLeadersWithoutASecondFactorEnrolAtFirstSignIn(t *testing.T) {
	e := newAdminEnv(t)
	s := e.addUser("leader2", store.RoleHandler, "220100")
	// Promote to leader without a TOTP secret, as an admin would.
	u := s.User
	u.Role = store.RoleLeader
	if err := e.st.UpdateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	cl := e.client()
	resp, _ := cl.postWith("/admin/login", "/admin/login", url.Values{"username": {"leader2"}, "password": {s.Password}})
	if resp.Header.Get("Location") != "/admin/login/enrol" {
		t.Fatalf("went to %q, want the enrolment page", resp.Header.Get("Location"))
	}
	_, body := cl.get("/admin/login/enrol")
	secret := regexp.MustCompile(`id="totp-secret">([^<]+)<`).FindStringSubmatch(body)
	sealed := regexp.MustCompile(`name="sealed" value="([^"]+)"`).FindStringSubmatch(body)
	if secret == nil || sealed == nil || !strings.Contains(body, `src="data:image/png;base64,`) {
		t.Fatalf("enrolment page lacks the secret, the QR code or the sealed secret")
	}
	plain := strings.ReplaceAll(secret[1], " ", "")
	if resp, _ := cl.post("/admin/login/enrol", url.Values{"_csrf": {cl.token("")}, "sealed": {sealed[1]}, "code": {"123456"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("wrong enrolment code: %d", resp.StatusCode)
	}
	resp, _ = cl.post("/admin/login/enrol", url.Values{"_csrf": {cl.token("")}, "sealed": {sealed[1]}, "code": {e.code(plain, e.clock())}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		t.Fatalf("enrolment: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	got, _ := e.st.UserByID(t.Context(), u.ID)
	if len(got.TOTPSealed) == 0 {
		t.Error("the secret was not stored")
	}
	if strings.Contains(string(got.TOTPSealed), plain) {
		t.Error("the TOTP secret is stored in clear")
	}
}

func TestFailedSignInsSlowDownAndLock(t *testing.T) {
	e := newAdminEnv(t)
	s := e.addUser("wangwu", store.RoleHandler, "220100")
	cl := e.client()
	for i := range 10 {
		status, _ := loginAnswer(cl, "wangwu", "wrong password number")
		if status != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d", i+1, status)
		}
		e.advance(40 * time.Second) // past every delay
	}
	// Locked now: even the right password is refused, with the same words.
	status, body := loginAnswer(cl, "wangwu", s.Password)
	if status != http.StatusUnauthorized || !strings.Contains(body, msgBadLogin) || !strings.Contains(body, "后再试") {
		t.Fatalf("locked account with the right password: status %d", status)
	}
	// An unknown name is throttled exactly alike.
	for range 10 {
		loginAnswer(cl, "ghost", "wrong password number")
		e.advance(40 * time.Second)
	}
	if status, body := loginAnswer(cl, "ghost", "anything at all"); status != http.StatusUnauthorized || !strings.Contains(body, "后再试") {
		t.Errorf("unknown user after 10 failures: status %d, want the same lock", status)
	}
	// The lock ends by itself.
	e.advance(16 * time.Minute)
	cl.login(s)
	if resp, _ := cl.get("/admin"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the lock: dashboard %d", resp.StatusCode)
	}
}

func TestEarlyRetryIsRefusedWithTheWaitingTime(t *testing.T) {
	e := newAdminEnv(t)
	s := e.addUser("sunqi", store.RoleHandler, "220100")
	cl := e.client()
	loginAnswer(cl, "sunqi", "wrong password number")
	loginAnswer(cl, "sunqi", "wrong password number")
	// The third failure in a row waits; trying at once is refused unchecked.
	status, body := loginAnswer(cl, "sunqi", s.Password)
	if status != http.StatusTooManyRequests || !strings.Contains(body, "秒后再试") {
		t.Errorf("retry within the delay: status %d", status)
	}
	e.advance(5 * time.Second)
	cl.login(s)
}

func TestSessionsTimeOut(t *testing.T) {
	e := newAdminEnv(t)
	s := e.addUser("idle", store.RoleHandler, "220100")
	cl := e.client()
	cl.login(s)
	e.advance(29 * time.Minute)
	if resp, _ := cl.get("/admin"); resp.StatusCode != http.StatusOK {
		t.Fatalf("after 29 idle minutes: %d", resp.StatusCode)
	}
	e.advance(31 * time.Minute)
	resp, _ := cl.get("/admin")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "expired=1") {
		t.Fatalf("after 31 idle minutes: %d to %q, want the sign-in page saying it expired", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Absolute: active all along, still out after 12 hours.
	cl.login(s)
	for range 25 {
		e.advance(29 * time.Minute)
		cl.get("/admin")
	}
	if resp, _ := cl.get("/admin"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after 12 active hours: %d, want 303 to sign in", resp.StatusCode)
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	e := newAdminEnv(t)
	s := e.addUser("bye", store.RoleHandler, "220100")
	cl := e.client()
	cl.login(s)
	token := cl.cookies[cookieSession]
	if resp, _ := cl.postWith("/admin", "/admin/logout", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if _, ok := cl.cookies[cookieSession]; ok {
		t.Error("session cookie kept after logout")
	}
	// The old token no longer opens anything.
	cl.cookies[cookieSession] = token
	if resp, _ := cl.get("/admin"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("old token after logout: %d", resp.StatusCode)
	}
}

func TestUsersChangeTheirOwnPassword(t *testing.T) {
	e := newAdminEnv(t)
	s := e.addUser("pwuser", store.RoleHandler, "220100")
	cl := e.client()
	cl.login(s)
	other := e.client()
	other.login(s)
	post := func(cur, next, confirm string) (int, string) {
		resp, body := cl.postWith("/admin/account", "/admin/account/password", url.Values{"current": {cur}, "new": {next}, "confirm": {confirm}})
		return resp.StatusCode, body
	}
	if st, body := post("wrong", "Songhua River 1998 flood", "Songhua River 1998 flood"); st != http.StatusUnprocessableEntity || !strings.Contains(body, "当前密码不正确") {
		t.Errorf("wrong current password: %d", st)
	}
	if st, body := post(s.Password, "password1234", "password1234"); st != http.StatusUnprocessableEntity || !strings.Contains(body, "常见") {
		t.Errorf("common password: %d", st)
	}
	if st, _ := post(s.Password, "short", "short"); st != http.StatusUnprocessableEntity {
		t.Errorf("short password: %d", st)
	}
	if st, _ := post(s.Password, "Songhua River 1998 flood", "Songhua River 1998 flooD"); st != http.StatusUnprocessableEntity {
		t.Errorf("mismatched confirmation: %d", st)
	}
	if st, _ := post(s.Password, "Songhua River 1998 flood", "Songhua River 1998 flood"); st != http.StatusSeeOther {
		t.Fatalf("good change: %d", st)
	}
	if resp, _ := cl.get("/admin"); resp.StatusCode != http.StatusOK {
		t.Errorf("this browser signed out by its own password change: %d", resp.StatusCode)
	}
	if resp, _ := other.get("/admin"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the other browser still signed in after the password change: %d", resp.StatusCode)
	}
	s.Password = "Songhua River 1998 flood"
	e.client().login(s)
}

func TestFormsWithoutTheSessionTokenAreRefused(t *testing.T) {
	e := newAdminEnv(t)
	s := e.addUser("csrf", store.RoleHandler, "220100")
	cs := e.fileCase("220102", "unpaid_contributions", 0)
	cl := e.client()
	cl.login(s)
	for _, token := range []string{"", "0123456789abcdef0123456789abcdef"} {
		resp, _ := cl.post("/admin/cases/"+cs.ID+"/accept", url.Values{"_csrf": {token}, "version": {"1"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("token %q: status %d, want 403", token, resp.StatusCode)
		}
	}
	// A token in the query string does not count.
	tok := cl.token("/admin/cases/" + cs.ID)
	resp, _ := cl.post("/admin/cases/"+cs.ID+"/accept?_csrf="+tok, url.Values{"version": {"1"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("token in the query string: %d", resp.StatusCode)
	}
	if got := e.mustGetCase(cs.ID); got.Status != store.StatusReceived {
		t.Errorf("case changed to %s by refused forms", got.Status)
	}
}

func TestNextOnlyLeadsWithinTheAdminSite(t *testing.T) {
	for next, want := range map[string]string{
		"/admin/cases?status=received": "/admin/cases?status=received",
		"//evil.example/admin/":        "",
		"https://evil.example/":        "",
		"/admin/../report":             "",
		"/adminx":                      "",
		"/admin\\\\evil":               "",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
