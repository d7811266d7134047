package handlers

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// visitor is one browser: its cookies, swapped into the env for its
// requests.
type visitor struct{ cookies map[string]string }

func (v *visitor) get(e *testEnv, path string) (*http.Response, string) {
	e.t.Helper()
	saved := e.cookies
	e.cookies = v.cookies
	defer func() { e.cookies = saved }()
	return e.get(path)
}

func (v *visitor) post(e *testEnv, path string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	saved := e.cookies
	e.cookies = v.cookies
	defer func() { e.cookies = saved }()
	return e.postForm(path, form)
}

// withoutTokens is a form page with its tokens taken out.
func withoutTokens(body string) string {
	body = csrfField.ReplaceAllString(body, `name="_csrf" value="…"`)
	return idemField.ReplaceAllString(body, `name="idem" value="…"`)
}

// TestKeptFormsGiveEveryVisitorTokensOfTheirOwn: the report and follow-up
// forms are kept rendered, and each answer carries its own CSRF token,
// tied to its own visitor's cookie, and its own idempotency token; a token
// of one visitor does not pass with another's cookie.
func TestKeptFormsGiveEveryVisitorTokensOfTheirOwn(t *testing.T) {
	e := newTestEnv(t)
	for _, path := range []string{"/report", "/followup"} {
		t.Run(path, func(t *testing.T) {
			e := e.in(t)
			a, b := &visitor{map[string]string{}}, &visitor{map[string]string{}}
			respA, pageA := a.get(e, path)
			respB, pageB := b.get(e, path)
			cookieA, cookieB := setCookie(respA, "fw_csrf"), setCookie(respB, "fw_csrf")
			if cookieA == nil || cookieB == nil || cookieA.Value == cookieB.Value {
				t.Fatalf("CSRF cookies %v and %v: want one each, different", cookieA, cookieB)
			}
			tokenA, tokenB := csrfField.FindStringSubmatch(pageA), csrfField.FindStringSubmatch(pageB)
			if tokenA == nil || tokenB == nil || tokenA[1] == tokenB[1] {
				t.Fatalf("tokens %q and %q: want one each, different", tokenA, tokenB)
			}
			if path == "/report" {
				idemA, idemB := idemField.FindStringSubmatch(pageA), idemField.FindStringSubmatch(pageB)
				if idemA == nil || idemB == nil || idemA[1] == idemB[1] {
					t.Errorf("idempotency tokens %q and %q: want one each, different", idemA, idemB)
				}
			}
			if withoutTokens(pageA) != withoutTokens(pageB) {
				t.Error("the two visitors' pages differ beyond their tokens")
			}
			if strings.Contains(pageA, "fwhole") {
				t.Error("a stand-in is left in the page")
			}
			// The same visitor again: the cookie stays, the token is new
			// and still tied to it.
			respA2, pageA2 := a.get(e, path)
			if setCookie(respA2, "fw_csrf") != nil {
				t.Error("a visitor with the cookie got a new one")
			}
			tokenA2 := csrfField.FindStringSubmatch(pageA2)
			if tokenA2 == nil || tokenA2[1] == tokenA[1] {
				t.Errorf("the second token %q is not a fresh one", tokenA2)
			}
			if got := unmaskCSRF(tokenA2[1]); string(got) != string(e.h.csrfDigest(a.cookies["fw_csrf"])) {
				t.Error("the second token is not tied to the visitor's cookie")
			}
			if string(unmaskCSRF(tokenA[1])) == string(e.h.csrfDigest(b.cookies["fw_csrf"])) {
				t.Error("visitor a's token is tied to visitor b's cookie")
			}
		})
	}
	// Posting: b's token with b's cookie passes the check; a's token with
	// b's cookie is refused (the form comes back, 403).
	a, b := &visitor{map[string]string{}}, &visitor{map[string]string{}}
	_, pageA := a.get(e, "/followup")
	_, pageB := b.get(e, "/followup")
	tokenA, tokenB := csrfField.FindStringSubmatch(pageA)[1], csrfField.FindStringSubmatch(pageB)[1]
	if resp, _ := b.post(e, "/followup", url.Values{"_csrf": {tokenB}, "number": {"X"}, "code": {"Y"}}); resp.StatusCode == http.StatusForbidden {
		t.Errorf("b's own token refused: status %d", resp.StatusCode)
	}
	if resp, _ := b.post(e, "/followup", url.Values{"_csrf": {tokenA}, "number": {"X"}, "code": {"Y"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a's token with b's cookie: status %d, want 403", resp.StatusCode)
	}
}

// TestKeptFormIsWhatTheTemplateRenders: the kept report form with a
// visitor's tokens filled in is byte for byte the template rendered with
// those tokens.
func TestKeptFormIsWhatTheTemplateRenders(t *testing.T) {
	e := newTestEnv(t)
	for _, large := range []bool{false, true} {
		headers := map[string]string{}
		if large {
			headers["Cookie"] = "fw_textsize=large"
		}
		resp, body := e.getWith("/report", headers)
		csrf, idem := csrfField.FindStringSubmatch(body)[1], idemField.FindStringSubmatch(body)[1]
		form := &reportInput{
			Kind: "report", ReporterType: "citizen",
			Complaint: &complaintInput{}, Reporter: &personInput{IDType: "resident_id"}, Organisation: &orgInput{},
		}
		data := e.h.reportData(form, nil, idem, "")
		data["CSRF"], data["RequestID"], data["Back"] = csrf, resp.Header.Get("X-Request-Id"), "/report"
		var rc fasthttp.RequestCtx
		rc.Request.SetRequestURI("/report")
		if large {
			rc.Request.Header.SetCookie("fw_textsize", "large")
		}
		c := e.app.AcquireCtx(&rc)
		e.h.baseData(c, "report", data)
		e.app.ReleaseCtx(c)
		want, err := e.h.pages.RenderBytes("report", data)
		if err != nil {
			t.Fatal(err)
		}
		if body != string(want) {
			t.Errorf("large text %v: the kept form differs from the rendered one", large)
		}
	}
}

// TestKeptReportFormEndsItsDatesToday: the date fields end today, also
// after midnight (China Standard Time).
func TestKeptReportFormEndsItsDatesToday(t *testing.T) {
	e := newTestEnv(t) // 2026-11-27 10:00 CST
	if _, body := e.get("/report"); !strings.Contains(body, `max="2026-11-27"`) || !strings.Contains(body, `max="2026-11"`) {
		t.Fatal("the form does not end its dates on 2026-11-27")
	}
	e.advance(14 * time.Hour) // 2026-11-28 00:00 CST
	if _, body := e.get("/report"); !strings.Contains(body, `max="2026-11-28"`) {
		t.Error("after midnight the form still ends its dates the day before")
	}
	e.advance(4 * 24 * time.Hour)
	if _, body := e.get("/report"); !strings.Contains(body, `max="2026-12"`) {
		t.Error("in December the month field still ends in November")
	}
}

// TestFollowupFormKeepsItsNoteApart: the note that a follow-up session
// ended is on the form asked for with it, never on the plain one.
func TestFollowupFormKeepsItsNoteApart(t *testing.T) {
	e := newTestEnv(t)
	for _, path := range []string{"/followup?expired=1", "/followup", "/followup?expired=1", "/followup"} {
		_, body := e.get(path)
		if got, want := strings.Contains(body, msgFollowupEnded), strings.Contains(path, "expired"); got != want {
			t.Errorf("GET %s: the note shown %v, want %v", path, got, want)
		}
	}
}

// TestKeptFormsGzipIsThePage: the gzip answer put together from the kept
// parts is the page, tokens and all, and its tokens pass.
func TestKeptFormsGzipIsThePage(t *testing.T) {
	e := newTestEnv(t)
	for _, path := range []string{"/report", "/followup"} {
		_, plain := e.get(path)
		resp, body := e.getWith(path, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: Content-Encoding %q", path, resp.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		page, err := io.ReadAll(zr) // checks the CRC-32 and the length
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if withoutTokens(string(page)) != withoutTokens(plain) {
			t.Errorf("%s: the gzip answer is not the page", path)
		}
		token := csrfField.FindStringSubmatch(string(page))
		if token == nil || string(unmaskCSRF(token[1])) != string(e.h.csrfDigest(e.cookies["fw_csrf"])) {
			t.Errorf("%s: the gzip answer's token does not pass with the visitor's cookie", path)
		}
		t.Logf("%s: %d bytes, gzip %d", path, len(page), len(body))
		if len(body) > len(page)*6/10 {
			t.Errorf("%s: %d bytes of gzip for a page of %d", path, len(body), len(page))
		}
	}
}
