package admin

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/pquerna/otp/totp"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/search"
	searchbleve "fundwatch/search/bleve"
	"fundwatch/store"
	"fundwatch/store/disk"
	"fundwatch/store/mongo"
	"fundwatch/store/mongo/mongotest"
	"fundwatch/store/sqlite"
)

// testKey is a fixed master key for tests only.
var testKey = bytes.Repeat([]byte{0x24}, 32)

// adminEnv is a real admin site on a real store (SQLite in a temp dir, or
// MongoDB with FUNDWATCH_TEST_STORE=mongo) with a clock the test controls.
type adminEnv struct {
	t       testing.TB
	app     *fiber.App
	adm     *Admin
	st      store.Store
	svc     *caseflow.Service
	rules   *caseflow.StoredRules
	keyring *casework.Keyring
	regions *casework.Regions
	logs    *syncBuffer
	// index is the cases index (Bleve in a temp dir) and sync the loop
	// feeding it; tests call e.sync() after filing to index what changed.
	index  search.Index
	syncer *search.Syncer

	mu  sync.Mutex
	now time.Time
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func openTestStore(t testing.TB) store.Store {
	t.Helper()
	switch os.Getenv("FUNDWATCH_TEST_STORE") {
	case "", "sqlite":
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "fundwatch.db"))
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	case "mongo":
		db, err := mongo.Open(context.Background(), mongotest.URI(t), mongotest.DatabaseName(t))
		if err != nil {
			t.Fatalf("open mongo store: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	t.Fatalf("FUNDWATCH_TEST_STORE=%q: want sqlite or mongo", os.Getenv("FUNDWATCH_TEST_STORE"))
	return nil
}

// The tests' day: Monday 2026-11-30, 10:00 CST.
var testStart = time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)

// newAdminEnv builds the environment; opts may change the admin site (its
// Config) before it is mounted.
func newAdminEnv(t testing.TB, opts ...func(*Admin)) *adminEnv {
	t.Helper()
	return newAdminEnvOn(t, openTestStore(t), Config{Version: "test"}, opts...)
}

// newAdminEnvOn is newAdminEnv on a given store and site configuration.
func newAdminEnvOn(t testing.TB, st store.Store, cfg Config, opts ...func(*Admin)) *adminEnv {
	t.Helper()
	k, err := casework.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	e := &adminEnv{t: t, st: st, keyring: k, regions: casework.DefaultRegions(), logs: &syncBuffer{}, now: testStart}
	log := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w := web.New(web.Config{BaseURL: "http://localhost:8080", Version: "test", Log: log, Clock: e.clock})
	t.Cleanup(func() { w.Close() })
	e.rules = caseflow.NewStoredRules(st, log)
	if err := e.rules.Load(context.Background()); err != nil {
		t.Fatalf("load rules: %v", err)
	}
	var blobs store.BlobStore
	if m, ok := st.(*mongo.DB); ok {
		blobs = m.Blobs()
	} else {
		d, err := disk.Open(filepath.Join(t.TempDir(), "files"))
		if err != nil {
			t.Fatal(err)
		}
		blobs = d
	}
	e.svc = &caseflow.Service{Store: st, Blobs: blobs, Keyring: k, Regions: e.regions, Rules: e.rules, Clock: e.clock, Log: log}
	idx, err := searchbleve.Open(filepath.Join(t.TempDir(), "search"), search.IndexCases)
	if err != nil {
		t.Fatalf("open the cases index: %v", err)
	}
	t.Cleanup(func() { idx.Close() })
	e.index = idx
	e.syncer = &search.Syncer{Source: st, Regions: e.regions, Cases: idx, Log: log}
	e.adm = &Admin{Web: w, Cases: e.svc, Store: st, Keyring: k, Regions: e.regions, Config: cfg,
		Search: idx, Syncer: e.syncer}
	for _, o := range opts {
		o(e.adm)
	}
	e.app = w.NewApp()
	if err := e.adm.Mount(e.app); err != nil {
		t.Fatalf("mount admin: %v", err)
	}
	w.Finish(e.app)
	return e
}

// sync indexes every case changed since the last sync.
func (e *adminEnv) sync() {
	e.t.Helper()
	if _, err := e.syncer.SyncOnce(context.Background()); err != nil {
		e.t.Fatalf("sync the search index: %v", err)
	}
}

func (e *adminEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *adminEnv) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// staff is a user the tests sign in as.
type staff struct {
	User     *store.User
	Password string
	Secret   string // TOTP secret, "" for none
}

const testPassword = "Chang-Bai-Shan 2026 tianchi"

// addUser creates a user through the service layer as the system; users
// whose role needs a second factor get one.
func (e *adminEnv) addUser(username, role, region string) staff {
	e.t.Helper()
	in := caseflow.NewUser{Username: username, Name: "测试" + username, Role: role, RegionCode: region, Password: testPassword}
	if casework.RoleRequiresTOTP(role) {
		secret, _, err := casework.NewTOTPSecret("test", username)
		if err != nil {
			e.t.Fatal(err)
		}
		in.TOTPSecret = secret
	}
	u, err := e.svc.CreateUser(context.Background(), caseflow.SystemActor("test", e.regions), in)
	if err != nil {
		e.t.Fatalf("create user %s: %v", username, err)
	}
	return staff{User: u, Password: testPassword, Secret: in.TOTPSecret}
}

// fileCase files a named citizen report in region through the service layer.
func (e *adminEnv) fileCase(region, category string, amountFen int64) *store.Case {
	e.t.Helper()
	r, err := e.svc.FileCase(context.Background(), caseflow.Filing{
		Kind: store.KindReport, ReporterType: store.ReporterCitizen, Category: category,
		InsuranceTypes: []string{"pension"}, RegionCode: region,
		Subject:   store.Party{Name: "某某商贸有限公司"},
		AmountFen: amountFen, AmountGiven: amountFen > 0,
		Description:    "该公司少报缴费基数，长期按最低基数为职工申报养老保险。",
		Identity:       &casework.ReporterIdentity{Name: "张建国", IDNumber: "11010519491231002X", Phone: "13812345678", Email: "zhang@example.com"},
		IdempotencyKey: web.NewToken(), Digest: "test",
	})
	if err != nil {
		e.t.Fatalf("file case: %v", err)
	}
	return r.Case
}

// client is one browser: its own cookies.
type client struct {
	e       *adminEnv
	cookies map[string]string
	ip      string
	last    string // the body of the last page
}

func (e *adminEnv) client() *client {
	return &client{e: e, cookies: map[string]string{}, ip: "192.0.2.50"}
}

func (cl *client) do(req *http.Request) (*http.Response, string) {
	cl.e.t.Helper()
	for name, v := range cl.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	req.RemoteAddr = cl.ip + ":1234"
	resp, err := cl.e.app.Test(req, 20000)
	if err != nil {
		cl.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) || c.Value == "" {
			delete(cl.cookies, c.Name)
		} else {
			cl.cookies[c.Name] = c.Value
		}
	}
	cl.last = string(body)
	return resp, string(body)
}

func (cl *client) get(path string) (*http.Response, string) {
	cl.e.t.Helper()
	return cl.do(httptest.NewRequest(http.MethodGet, path, nil))
}

func (cl *client) post(path string, v url.Values) (*http.Response, string) {
	cl.e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cl.do(req)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// token returns the CSRF token of the last page loaded, or of path.
func (cl *client) token(path string) string {
	cl.e.t.Helper()
	if path != "" {
		if resp, _ := cl.get(path); resp.StatusCode != http.StatusOK {
			cl.e.t.Fatalf("GET %s: status %d", path, resp.StatusCode)
		}
	}
	m := csrfField.FindStringSubmatch(cl.last)
	if m == nil {
		cl.e.t.Fatalf("no CSRF token in page:\n%s", cl.last)
	}
	return m[1]
}

// postWith posts a form with the CSRF token of page (loaded first).
func (cl *client) postWith(page, path string, v url.Values) (*http.Response, string) {
	cl.e.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	v.Set("_csrf", cl.token(page))
	return cl.post(path, v)
}

// code is the TOTP code of secret at the environment's clock.
func (e *adminEnv) code(secret string, at time.Time) string {
	e.t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// login signs s in fully (password, then the second factor when there is
// one) and fails the test otherwise.
func (cl *client) login(s staff) {
	cl.e.t.Helper()
	resp, body := cl.postWith("/admin/login", "/admin/login", url.Values{"username": {s.User.Username}, "password": {s.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		cl.e.t.Fatalf("login %s: status %d\n%s", s.User.Username, resp.StatusCode, body)
	}
	loc := resp.Header.Get("Location")
	if strings.HasPrefix(loc, "/admin/login/totp") {
		// A fresh step for every sign-in, so a code is never reused.
		cl.e.advance(31 * time.Second)
		resp, body = cl.postWith("/admin/login/totp", "/admin/login/totp", url.Values{"code": {cl.e.code(s.Secret, cl.e.clock())}})
		if resp.StatusCode != http.StatusSeeOther {
			cl.e.t.Fatalf("totp %s: status %d\n%s", s.User.Username, resp.StatusCode, body)
		}
		loc = resp.Header.Get("Location")
	}
	if loc != "/admin" && !strings.HasPrefix(loc, "/admin/") {
		cl.e.t.Fatalf("login %s went to %q", s.User.Username, loc)
	}
}

// versionOf reads the case version shown in the case page's forms.
var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

func (cl *client) caseVersion(id string) string {
	cl.e.t.Helper()
	resp, body := cl.get("/admin/cases/" + id)
	if resp.StatusCode != http.StatusOK {
		cl.e.t.Fatalf("GET case %s: status %d", id, resp.StatusCode)
	}
	m := versionField.FindStringSubmatch(body)
	if m == nil {
		cl.e.t.Fatalf("no version in case page:\n%s", body)
	}
	return m[1]
}

// act posts a case action from a freshly loaded case page.
func (cl *client) act(id, action string, v url.Values) (*http.Response, string) {
	cl.e.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	if v.Get("version") == "" {
		v.Set("version", cl.caseVersion(id))
	}
	v.Set("_csrf", cl.token(""))
	return cl.post("/admin/cases/"+id+"/"+action, v)
}

// mustGetCase reads a case straight from the store.
func (e *adminEnv) mustGetCase(id string) *store.Case {
	e.t.Helper()
	c, err := e.st.CaseByID(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// auditActions lists the actions of the audit log, oldest first.
func (e *adminEnv) auditActions() []string {
	e.t.Helper()
	entries, err := e.st.AuditEntries(context.Background(), 0, 500)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, en := range entries {
		out = append(out, en.Action)
	}
	return out
}
