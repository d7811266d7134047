package handlers

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"fundwatch/store/mongo"
	"fundwatch/store/mongo/mongotest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mongotest.Stop()
	os.Exit(code)
}

// twoInstances builds two portals on one MongoDB database, each with the
// store's shared key-value storage, as two fundwatch processes behind a
// proxy would be.
func twoInstances(t *testing.T) (a, b *testEnv) {
	t.Helper()
	uri, name := mongotest.URI(t), mongotest.DatabaseName(t)
	open := func() *mongo.DB {
		db, err := mongo.Open(context.Background(), uri, name)
		if err != nil {
			t.Fatalf("open mongo: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	da, db := open(), open()
	// Both behind one proxy, as in deploy/compose.yaml, so each client
	// counts as itself.
	a = newTestEnvWithStore(t, da, func(h *Handler) { h.Storage = da.KV(); h.Config.TrustedProxies = []string{"192.0.2.10"} })
	b = newTestEnvWithStore(t, db, func(h *Handler) { h.Storage = db.KV(); h.Config.TrustedProxies = []string{"192.0.2.10"} })
	return a, b
}

func TestInstancesOnMongoShareFollowupSessionsAndCSRFTokens(t *testing.T) {
	a, b := twoInstances(t)
	number, code := a.submitValid()

	// Log in on instance A, then carry the browser's cookies to instance B.
	a.mustLogin(number, code)
	for k, v := range a.cookies {
		b.cookies[k] = v
	}
	resp, body := b.get("/followup/case")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, number) {
		t.Fatalf("instance B does not know the session opened on A: %d", resp.StatusCode)
	}
	// A form rendered by B is accepted by A: the CSRF token is shared.
	csrf, idem := b.formTokens("/report")
	for k, v := range b.cookies {
		a.cookies[k] = v
	}
	resp, _ = a.postForm("/report", validReportForm(csrf, idem))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("instance A refused a form rendered by B: %d", resp.StatusCode)
	}
}

func TestInstancesOnMongoShareTheSlowDownOfACaseNumber(t *testing.T) {
	a, b := twoInstances(t)
	number, code := a.submitValid()
	limit := a.h.Config.Limits.FollowupPerNumber
	for i := 0; i < limit+1; i++ {
		env := a
		if i%2 == 1 {
			env = b
		}
		csrf := env.csrfToken("/followup")
		env.postFormFrom("/followup", map[string][]string{"_csrf": {csrf}, "number": {number}, "code": {"AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"}},
			map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i)})
	}
	// Both instances counted the failures: the number is slowed on either.
	for name, env := range map[string]*testEnv{"A": a, "B": b} {
		csrf := env.csrfToken("/followup")
		resp, _ := env.postFormFrom("/followup", map[string][]string{"_csrf": {csrf}, "number": {number}, "code": {code}},
			map[string]string{"X-Forwarded-For": "198.51.100.20"})
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Errorf("instance %s after %d failures split across instances: status %d, want 429 with Retry-After", name, limit+1, resp.StatusCode)
		}
	}
}

func TestMongoGoneAnswers503AndHandsOutNoReceipt(t *testing.T) {
	db, err := mongo.Open(context.Background(), mongotest.URI(t), mongotest.DatabaseName(t))
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnvWithStore(t, db)
	csrf, idem := e.formTokens("/report")
	db.Close() // the database goes away between the form and the submission

	resp, body := e.postForm("/report", validReportForm(csrf, idem))
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("submit with the store gone: status %d, want 503", resp.StatusCode)
	}
	if strings.Contains(body, `id="receipt-code"`) || !strings.Contains(body, "未被保存") {
		t.Errorf("503 page must say nothing was saved and show no receipt:\n%s", mainOf(body))
	}
	resp, _ = e.postJSON("/api/v1/reports", validReportJSON, nil)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("API submit with the store gone: status %d, want 503", resp.StatusCode)
	}
	if resp, _ := e.get("/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the store gone: %d, want 503", resp.StatusCode)
	}
}
