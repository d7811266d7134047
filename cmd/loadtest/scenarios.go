package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// inboxScenario is one first page of the admin inbox, as a signed-in
// handler sees it.
type inboxScenario struct {
	user  string // cityUser or provinceUser
	path  string
	scope string // for the table: city or province
	who   string
}

func (s inboxScenario) label() string { return "inbox " + s.scope + " GET " + s.path }

const (
	cityWho     = "handler of 长春市 220100, scope: the city and its 15 districts and counties"
	provinceWho = "handler of the province 220000, scope: every region"
)

// inboxScenarios are the inbox pages measured: unfiltered, new cases by
// deadline (the morning's triage), and one category, for a handler of
// 长春市 and one of the province. Every one runs the page's list query, the
// count per status and the list of the scope's case workers.
var inboxScenarios = map[string]inboxScenario{
	"inbox-city":                  {cityUser, "/admin/cases", "city", cityWho},
	"inbox-city-received-due":     {cityUser, "/admin/cases?status=received&sort=due", "city", cityWho},
	"inbox-city-category":         {cityUser, "/admin/cases?category=embezzlement", "city", cityWho},
	"inbox-province":              {provinceUser, "/admin/cases", "province", provinceWho},
	"inbox-province-received-due": {provinceUser, "/admin/cases?status=received&sort=due", "province", provinceWho},
	"inbox-province-category":     {provinceUser, "/admin/cases?category=embezzlement", "province", provinceWho},
}

// publicScenario is one page or answer of the public site, read without a
// session, as a browser asks for it: the same for everyone, or (a form)
// the same but for the visitor's CSRF token and cookie.
type publicScenario struct {
	path string
	// find, when set, finds the path on the running server (an article's
	// address holds its generated id); path is then what the table shows.
	find func(base string) (string, error)
	what string // for the summary above the table
}

func (s publicScenario) label() string { return "public GET " + s.path }

// seedFundPage is the fund table the public scenarios read: the
// province's latest year, every insurance type, with its trend over the
// five years seeded (the heaviest page of the disclosure). The query is
// the canonical one, so the page answers 200 and not a redirect to it.
const seedFundQuery = "region=220000&year=2025"

// publicScenarios are the public pages and read APIs people use, each as
// a browser or a client asks for it: the pages of the citizen's way in
// (home, guide, contact, the report and follow-up forms), the disclosure
// (index, fund table, account notes, an article list, an article, a feed),
// the statistics, and the JSON read API. The two forms carry a CSRF token
// per visitor and set its cookie (the requests send none, as a first
// visit does); everything else is the same for everyone.
var publicScenarios = map[string]publicScenario{
	"home":             {path: "/", what: "the home page: this year's and last year's statistics summary, the latest publications"},
	"guide":            {path: "/guide", what: "办事指南"},
	"contact":          {path: "/contact", what: "联系我们, the offices that handle cases"},
	"report-form":      {path: "/report", what: "the report form (each answer with a CSRF token, its cookie and an idempotency token of its own)"},
	"followup-form":    {path: "/followup", what: "the follow-up form (each answer with a CSRF token and its cookie of its own)"},
	"disclosure-index": {path: "/disclosure", what: "the disclosure index, the latest five of every kind (cached page)"},
	"disclosure-funds": {path: "/disclosure/funds?" + seedFundQuery,
		what: "the fund table of 吉林省 2025, six insurance types, with its trend over 2021–2025 (cached page)"},
	"disclosure-accounts": {path: "/disclosure/accounts", what: "the personal-account notes, every region (cached page)"},
	"disclosure-list":     {path: "/disclosure/announcements", what: "the list of announcements, first page (cached page)"},
	"article": {path: "/disclosure/announcements/{id}", find: firstAnnouncementPage,
		what: "the latest announcement (cached page)"},
	"feed":       {path: "/feeds/announcements.atom", what: "the Atom feed of the announcements (cached)"},
	"statistics": {path: "/statistics", what: "the statistics page, three years"},
	"api-fund-table": {path: "/api/v1/fund-table?" + seedFundQuery,
		what: "the fund table of the page above from the JSON API (cached answer)"},
	"api-articles": {path: "/api/v1/articles", what: "the list of articles from the JSON API, first page (cached answer)"},
	"api-article": {path: "/api/v1/articles/{id}", find: firstAnnouncementAPI,
		what: "the latest announcement from the JSON API (cached answer)"},
	"api-statistics": {path: "/api/v1/statistics", what: "the statistics from the JSON API, three years"},
	"api-openapi":    {path: "/api/v1/openapi.json", what: "the OpenAPI document of the API"},
}

// latestAnnouncement is the id and address of the newest announcement,
// from the API's list.
func latestAnnouncement(base string) (id, path string, err error) {
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(base + "/api/v1/articles?type=announcement")
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var list struct {
		Items []struct{ ID, URL string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("list of announcements: status %d, %v", resp.StatusCode, err)
	}
	if len(list.Items) == 0 {
		return "", "", errors.New("no announcement published")
	}
	u, err := url.Parse(list.Items[0].URL)
	if err != nil || list.Items[0].ID == "" {
		return "", "", fmt.Errorf("announcement %q at %q", list.Items[0].ID, list.Items[0].URL)
	}
	return list.Items[0].ID, u.Path, nil
}

func firstAnnouncementPage(base string) (string, error) {
	_, path, err := latestAnnouncement(base)
	return path, err
}

func firstAnnouncementAPI(base string) (string, error) {
	id, _, err := latestAnnouncement(base)
	return "/api/v1/articles/" + url.PathEscape(id), err
}

// searchScenario is a full-text search, each request the next of a list of
// queries people type: the public search page or API (over the seeded
// disclosure), or the inbox's 查找案件 over the generated cases within a
// handler's scope.
type searchScenario struct {
	path    string   // the page or API, the query is added as q=
	user    string   // "" for the public site, else who signs in
	queries []string // taken in turn
	what    string
}

func (s searchScenario) label() string { return "search GET " + s.path }

var publicQueries = []string{"养老保险", "基金收支", "长春市 2025", "医保", "通报", "失业险", "险", "吉林市 基金"}

var caseQueries = []string{"冒领", "养老金", "建筑 公司", "长春", "骗", "未按规定缴纳", "医疗保险 药房", "挪用 基金"}

var searchScenarios = map[string]searchScenario{
	"search-page": {"/search", "", publicQueries, "the public search page, eight queries in turn (one character to three words)"},
	"api-search":  {"/api/v1/search", "", publicQueries, "the same queries from the JSON API"},
	"inbox-city-search": {"/admin/cases", cityUser, caseQueries,
		"查找案件 in the inbox of a handler of 长春市 (the city's codes as the index filter), eight queries in turn over the generated cases"},
}

func isSearch(name string) bool { _, ok := searchScenarios[name]; return ok }

// browserAcceptEncoding is what the public scenarios send, as a browser
// does: the cached pages are answered with their stored brotli copy.
const browserAcceptEncoding = "gzip, deflate, br"

// allScenarios in the order they run: the inbox first, on exactly the
// generated cases, then the public pages, then intake (which files more)
// and the follow-up read of what intake filed.
var allScenarios = []string{
	"inbox-city", "inbox-city-received-due", "inbox-city-category",
	"inbox-province", "inbox-province-received-due", "inbox-province-category",
	"home", "guide", "contact", "report-form", "followup-form",
	"disclosure-index", "disclosure-funds", "disclosure-accounts", "disclosure-list", "article", "feed",
	"statistics", "api-fund-table", "api-articles", "api-article", "api-statistics", "api-openapi",
	"search-page", "api-search", "inbox-city-search",
	"intake", "followup",
}

func scenarioNames() []string { return slices.Clone(allScenarios) }

func isInbox(name string) bool { _, ok := inboxScenarios[name]; return ok }

func isPublic(name string) bool { _, ok := publicScenarios[name]; return ok }

// parseScenarios reads -scenarios: names from allScenarios, "inbox" for
// all inbox scenarios, "public" for all public ones, "all" for
// everything; returned in allScenarios order. followup reads what intake
// filed, so it needs intake.
func parseScenarios(s string) ([]string, error) {
	want := map[string]bool{}
	for _, name := range strings.Split(s, ",") {
		switch name = strings.TrimSpace(name); name {
		case "":
		case "all":
			for _, n := range allScenarios {
				want[n] = true
			}
		case "inbox":
			for n := range inboxScenarios {
				want[n] = true
			}
		case "public":
			for n := range publicScenarios {
				want[n] = true
			}
		case "search":
			for n := range searchScenarios {
				want[n] = true
			}
		default:
			if !slices.Contains(allScenarios, name) {
				return nil, fmt.Errorf("-scenarios: unknown scenario %q (known: %s, inbox, public, search, all)", name, strings.Join(allScenarios, ", "))
			}
			want[name] = true
		}
	}
	if want["followup"] && !want["intake"] {
		return nil, errors.New("-scenarios: followup reads the cases intake files; add intake")
	}
	var out []string
	for _, n := range allScenarios {
		if want[n] {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("-scenarios: none chosen")
	}
	return out, nil
}

// defaultSeedDir is a tmpfs when there is one: the seed store is written
// there (an fsync per case costs nothing) and copied to the data directory.
func defaultSeedDir() string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		return "/dev/shm"
	}
	return ""
}

func (s seedStats) String() string {
	where := "in place"
	if s.where != "" {
		where = "in " + s.where + ", then copied"
	}
	var parts []string
	for _, st := range []string{"received", "accepted", "transferred", "investigating", "concluded", "closed", "rejected"} {
		parts = append(parts, fmt.Sprintf("%s %d", st, s.byStatus[st]))
	}
	published := ""
	if d := s.disclosure; d != nil {
		published = fmt.Sprintf(", published %d fund tables, %d account notes and %d articles through PublishImported",
			d.fundReports, d.accountNotes, d.articles)
	}
	return fmt.Sprintf("generated %d cases (%d events; %s) and %d users through store.ImportCase, one transaction per case%s, in %v, %s; database %.0f MiB",
		s.cases, s.events, strings.Join(parts, ", "), s.users, published, s.took.Round(100*time.Millisecond), where, float64(s.dbBytes)/(1<<20))
}

// getPage sends one GET of target with header, following no redirect,
// and returns the answer with its whole body: the checks before a scenario
// and the wait for the search index after one.
func getPage(ctx context.Context, target string, header http.Header) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// checkPublic loads a public page once as a browser would and once asking
// for no compression, and says what it answered: the page must be a 200.
func checkPublic(target string) (string, error) {
	get := func(acceptEncoding string) (*http.Response, int, error) {
		resp, body, err := getPage(context.Background(), target, http.Header{"Accept-Encoding": {acceptEncoding}})
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: status %d, want 200", target, resp.StatusCode)
		}
		return resp, len(body), err
	}
	plain, plainBytes, err := get("identity")
	if err != nil {
		return "", err
	}
	browser, browserBytes, err := get(browserAcceptEncoding)
	if err != nil {
		return "", err
	}
	enc := browser.Header.Get("Content-Encoding")
	if enc == "" {
		enc = "identity"
	}
	return fmt.Sprintf("%s, %d bytes (%s %d bytes), ETag %v, Cache-Control %q",
		plain.Header.Get("Content-Type"), plainBytes, enc, browserBytes, browser.Header.Get("ETag") != "",
		browser.Header.Get("Cache-Control")), nil
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn signs username in to the admin site at base with the password and
// returns the session cookie as a Cookie header value. The inbox users are
// handlers, whose role needs no second factor.
func signIn(base, username, password string) (string, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return "", err
	}
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(base + "/admin/login")
	if err != nil {
		return "", err
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	m := csrfField.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		return "", fmt.Errorf("sign-in page: status %d, token found %v", resp.StatusCode, m != nil)
	}
	resp, err = client.PostForm(base+"/admin/login", url.Values{"_csrf": {string(m[1])}, "username": {username}, "password": {password}})
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		return "", fmt.Errorf("sign in as %s: status %d to %q", username, resp.StatusCode, resp.Header.Get("Location"))
	}
	u, _ := url.Parse(base)
	for _, c := range jar.Cookies(u) {
		if strings.HasSuffix(c.Name, "fw_admin") {
			return c.Name + "=" + c.Value, nil
		}
	}
	return "", fmt.Errorf("sign in as %s: no session cookie", username)
}

var resultCount = regexp.MustCompile(`id="result-count">共 (\d+) 件`)

// checkInbox loads an inbox page once and returns how many cases match.
func checkInbox(target, cookie string) (int, error) {
	resp, body, err := getPage(context.Background(), target, http.Header{"Cookie": {cookie}})
	if err != nil {
		return 0, err
	}
	m := resultCount.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		return 0, fmt.Errorf("GET %s: status %d, not the inbox", target, resp.StatusCode)
	}
	return strconv.Atoi(string(m[1]))
}

// checkSearch asks target once, as the scenario will, and wants a 200
// with at least one hit: a search scenario that finds nothing measures
// nothing worth knowing.
func checkSearch(target, cookie string) (int, error) {
	header := http.Header{}
	if cookie != "" {
		header.Set("Cookie", cookie)
	}
	resp, body, err := getPage(context.Background(), target, header)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: status %d, want 200", target, resp.StatusCode)
	}
	// A hit on the public page, a row of the inbox, or an API total.
	if bytes.Contains(body, []byte(`class="search-hit"`)) || bytes.Contains(body, []byte(`id="inbox"`)) ||
		bytes.Contains(body, []byte(`"total":`)) && !bytes.Contains(body, []byte(`"total":0,`)) {
		return len(body), nil
	}
	return 0, fmt.Errorf("GET %s: no hit; the scenario would measure an empty search", target)
}
