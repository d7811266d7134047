package admin

// Hostile input on the admin site: the payload lists of the public site's
// hostile tests (handlers/hostile_test.go) sent through every field of every
// admin form, the query strings of the inbox, the audit log and the other
// pages, and the :id of the routes that take one — each payload in one field
// with the rest of the form valid, as a signed-in user whose role may use
// the form. An answer passes when
//
//   - it is never a 5xx;
//   - a 4xx is the admin site's Chinese page: the admin layout with the
//     error page's title, or the form again with a Chinese message at it;
//   - no page carries active markup (a script, an event-handler attribute,
//     a javascript: URL …), and no payload holding '<', '"' or '\'' comes back
//     as it was sent, in the body or a header (payloads that occur in pages
//     anyway are left out of that check, as in handlers);
//   - a refusal changed nothing: the case's version, status, events and
//     messages, the user list (passwords and second factors included), and
//     the audit log, but for the record of a failed sign-in;
//   - an accepted form made one change with its one audit entry, and the
//     value it took is one the form allows: a code from its list, a date, an
//     amount, the version of the page, free text a person can type
//     (caseflow.PlainText).
//
// Payloads: every line of wfuzz's Injections lists (read at run time from
// the Debian package, as in handlers: without it the test skips locally and
// fails under CI) and 200 strings of the Big List of Naughty Strings, spread
// evenly over handlers/testdata/hostile/blns.json. Every payload goes
// through one field, and free text and the filters get a larger share (see
// hostileFields); the forms added later (要情 reports, quarterly
// statistics, the calendar, the settings, the outbox: hostile_areas_test.go)
// share the payloads again among their own fields (laterFields). Then what
// the lists lack: invalid UTF-8 in every field, control characters and
// bidirectional overrides in free text, a 1 MB field, 10,000 repeated
// fields, wrong content types.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

const (
	wfuzzInjections = "/usr/share/wfuzz/wordlist/Injections"
	// blnsPath is the public site's vendored copy (MIT; see its README).
	blnsPath   = "../handlers/testdata/hostile/blns.json"
	blnsSample = 200
)

var (
	payloadsOnce sync.Once
	payloadsList []string
	payloadsErr  error
	payloadsFrom string
)

// hostilePayloads returns every line of the wfuzz Injections lists (files
// by name, lines in file order; bad_chars.txt holds Latin-1, i.e. invalid
// UTF-8, which is wanted) and then blnsSample strings of blns.json, evenly
// spread, without duplicates.
func hostilePayloads(t *testing.T) []string {
	t.Helper()
	if _, err := os.Stat(wfuzzInjections); err != nil {
		msg := "wfuzz payload lists not found in " + wfuzzInjections + ": install them with `apt-get install -y wfuzz`"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	payloadsOnce.Do(func() {
		seen := map[string]bool{}
		add := func(s string) bool {
			if s == "" || seen[s] {
				return false
			}
			seen[s] = true
			payloadsList = append(payloadsList, s)
			return true
		}
		files, err := filepath.Glob(filepath.Join(wfuzzInjections, "*.txt"))
		if err != nil || len(files) == 0 {
			payloadsErr = fmt.Errorf("no wordlists in %s", wfuzzInjections)
			return
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				payloadsErr = err
				return
			}
			for _, line := range strings.Split(string(b), "\n") {
				add(strings.TrimSuffix(line, "\r"))
			}
		}
		nWfuzz := len(payloadsList)
		b, err := os.ReadFile(blnsPath)
		if err != nil {
			payloadsErr = err
			return
		}
		var blns []string
		if err := json.Unmarshal(b, &blns); err != nil {
			payloadsErr = fmt.Errorf("blns.json: %w", err)
			return
		}
		taken := 0
		step := max(1, len(blns)/blnsSample)
		for start := 0; start < step && taken < blnsSample; start++ {
			for i := start; i < len(blns) && taken < blnsSample; i += step {
				if add(blns[i]) {
					taken++
				}
			}
		}
		payloadsFrom = fmt.Sprintf("%d from %d wfuzz lists, %d from blns", nWfuzz, len(files), taken)
	})
	if payloadsErr != nil {
		t.Fatal(payloadsErr)
	}
	return payloadsList
}

// hostileFields names every field the payloads go through, as
// "area field". Field k of K gets the payloads whose index modulo K is k,
// so that each payload goes through exactly one field; free text that is
// stored and shown again, and the filters shown back on their page, also
// get one payload in freeTextEvery. With 700 payloads and 52 fields that is
// about 14 per field and some 1,100 requests: about half a minute with
// -race on two idle cores. Set freeTextEvery to 1 for every payload through
// each of them.
var hostileFields = []string{
	"case note", "case target", "case mode", "case result", "case amountInvolved", "case amountRecovered",
	"case measures", "case rectifyBy", "case assignee", "case body", "case idem", "case discoveredOn",
	"case serious", "case version",
	"user create username", "user create name", "user create role", "user create region", "user create email",
	"user create password",
	"user edit name", "user edit role", "user edit region", "user edit email", "user edit disabled",
	"user edit version", "user reset password",
	"login username", "login password", "totp code", "enrol code", "enrol sealed",
	"account current", "account new", "account confirm", "account totp code", "account totp sealed",
	"query /admin/cases", "query /admin/audit", "query /admin/users", "query /admin/users/{id}",
	"query /admin/cases/{id}", "query /admin/account", "query /admin", "query /admin/login",
	"id GET /admin/cases/{id}", "id POST /admin/cases/{id}/note", "id POST /admin/cases/{id}/accept",
	"id GET /admin/users/{id}", "id POST /admin/users/{id}", "id POST /admin/users/{id}/password",
	"id POST /admin/users/{id}/totp",
}

// laterFields are the fields of the forms added after hostileFields was
// written: 要情 reports, quarterly statistics, the calendar, the settings,
// the outbox (hostile_areas_test.go). They share the payloads among
// themselves as hostileFields do, so every payload goes through one field
// of each list: with 45 fields, some 15 payloads each, and free text
// again one in freeTextEvery.
var laterFields = []string{
	"report title", "report body", "report changeNote", "report version", "report sign version",
	"quarterly submit year", "quarterly submit quarter", "quarterly stored codes",
	"calendar year", "calendar rows", "calendar date", "calendar name", "calendar kind", "calendar more",
	"calendar import csv", "calendar import file", "calendar import year",
	"settings acceptWorkingDays", "settings notifyWorkingDays", "settings investigationDays",
	"settings extensionDays", "settings deadlines version",
	"settings majorThreshold", "settings nationalThreshold", "settings importantDays", "settings majorDays",
	"settings important version",
	"outbox lastError",
	"query /admin/reports", "query /admin/reports/{id}", "query /admin/reports/{id}/print",
	"query /admin/quarterly", "query /admin/quarterly/export.csv", "query /admin/quarterly/print",
	"query /admin/calendar", "query /admin/settings", "query /admin/outbox",
	"id POST /admin/cases/{id}/report", "id GET /admin/reports/{id}", "id GET /admin/reports/{id}/print",
	"id POST /admin/reports/{id}", "id POST /admin/reports/{id}/sign", "id POST /admin/reports/{id}/submit",
	"id POST /admin/reports/{id}/correct", "id POST /admin/outbox/{id}/retry",
}

const freeTextEvery = 8

// share is field's part of the payloads (see hostileFields and
// laterFields); every > 0 adds one payload in every.
func share(payloads []string, field string, every int) []string {
	fields := hostileFields
	k := slices.Index(fields, field)
	if k < 0 {
		fields = laterFields
		k = slices.Index(fields, field)
	}
	if k < 0 {
		panic("hostile test: field " + field + " is in neither hostileFields nor laterFields")
	}
	var out []string
	for i, p := range payloads {
		if i%len(fields) == k || (every > 0 && i%every == k%every) {
			out = append(out, p)
		}
	}
	return out
}

// judge applies the rules that hold for every answer, and keeps the report
// readable: after maxReported failures they are only counted.
type judge struct {
	t        *testing.T
	baseline []string
	inBase   map[string]bool
	requests int
	failures int
	skipped  int
	byStatus map[int]int
}

const maxReported = 30

func newJudge(t *testing.T) *judge {
	return &judge{t: t, inBase: map[string]bool{}, byStatus: map[int]int{}}
}

func (j *judge) failf(format string, args ...any) {
	j.t.Helper()
	j.failures++
	if j.failures <= maxReported {
		j.t.Errorf(format, args...)
	} else if j.failures == maxReported+1 {
		j.t.Errorf("… further failures are counted, not shown")
	}
}

func (j *judge) summary(start time.Time) {
	j.t.Helper()
	j.t.Logf("%d requests in %v; statuses %v; %d payloads not checked for reflection (they occur in pages anyway); %d failures",
		j.requests, time.Since(start).Round(time.Millisecond), j.byStatus, j.skipped, j.failures)
}

// activeMarkup returns the first piece of markup in body that would run
// something: a tag that runs or embeds code, an event-handler attribute, a
// javascript: (vbscript:, data:text/html) URL in an attribute that takes
// a URL, a meta refresh. The admin templates have none (no scripts, no inline handlers:
// the CSP forbids them), and html/template escapes the '<' of everything it
// inserts, so every tag in an answer is the templates' own unless input got
// through unescaped. Tags are read with their attributes, quoted values
// included, so an escaped payload inside a value is not taken for markup.
func activeMarkup(body string) string {
	const space = " \t\n\r\f"
	s := body
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return ""
		}
		tag := s[i:]
		s = s[i+1:]
		n := 0
		for n < len(s) && (s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z' || n > 0 && (s[n] >= '0' && s[n] <= '9' || s[n] == '-')) {
			n++
		}
		if n == 0 {
			continue // a closing tag, a comment, the doctype
		}
		name := strings.ToLower(s[:n])
		if activeTags[name] {
			return clip(tag, 80)
		}
		s = s[n:]
		for {
			s = strings.TrimLeft(s, space+"/")
			if s == "" {
				return ""
			}
			if s[0] == '>' {
				s = s[1:]
				break
			}
			k := 0
			for k < len(s) && !strings.ContainsRune(space+"/>=", rune(s[k])) {
				k++
			}
			attr := strings.ToLower(s[:k])
			s = strings.TrimLeft(s[k:], space)
			val := ""
			if s != "" && s[0] == '=' {
				s = strings.TrimLeft(s[1:], space)
				if s != "" && (s[0] == '"' || s[0] == '\'') {
					end := strings.IndexByte(s[1:], s[0])
					if end < 0 {
						val, s = s[1:], ""
					} else {
						val, s = s[1:1+end], s[2+end:]
					}
				} else {
					k := 0
					for k < len(s) && !strings.ContainsRune(space+">", rune(s[k])) {
						k++
					}
					val, s = s[:k], s[k:]
				}
			}
			v := strings.ToLower(strings.Map(func(r rune) rune {
				if r <= ' ' {
					return -1
				}
				return r
			}, html.UnescapeString(val)))
			switch {
			case strings.HasPrefix(attr, "on"), attr == "formaction", attr == "srcdoc",
				name == "meta" && attr == "http-equiv",
				urlAttrs[attr] && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") ||
					strings.HasPrefix(v, "livescript:") || strings.HasPrefix(v, "data:text/html")):
				return clip(tag, 80)
			}
		}
	}
}

// urlAttrs take a URL that a browser loads or follows.
var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "data": true,
	"lowsrc": true, "dynsrc": true, "background": true, "poster": true, "xlink:href": true, "codebase": true,
	"cite": true, "srcset": true, "ping": true, "style": true, "content": true}

var activeTags = map[string]bool{"script": true, "iframe": true, "frame": true, "frameset": true, "object": true,
	"embed": true, "applet": true, "svg": true, "math": true, "base": true, "xss": true, "xml": true, "style": true, "link": false}

// alertText is the message of the admin error page or of a form's alert or
// field error.
var alertText = regexp.MustCompile(`(?s)(?:id="err-title">|class="alert"[^>]*>|class="field-error"[^>]*>)([^<]*)`)

var hanRune = regexp.MustCompile(`\p{Han}`)

// adminPage tells whether a 4xx answer is the admin site's own Chinese page.
func adminPage(resp *http.Response, body string) string {
	switch {
	case !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"):
		return "Content-Type " + resp.Header.Get("Content-Type")
	case !strings.Contains(body, "- 社保基金监督业务管理</title>"):
		return "not the admin layout"
	}
	for _, m := range alertText.FindAllStringSubmatch(body, -1) {
		if hanRune.MatchString(m[1]) {
			return ""
		}
	}
	return "no Chinese error message or form problem"
}

// rawForms are the forms in which a payload would be dangerous if found in
// an answer: as sent, and trimmed as the forms trim it; only those holding
// a character html/template escapes in every context.
func rawForms(p string) []string {
	var out []string
	for _, s := range []string{p, strings.TrimSpace(p), strings.ReplaceAll(strings.TrimSpace(p), "\r\n", "\n")} {
		if strings.ContainsAny(s, `<"'`) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// addBaseline records an answer that carries no payload; its active markup
// would be the templates' own, which the rules above say they have none of.
func (j *judge) addBaseline(what string, resp *http.Response, body string) {
	j.t.Helper()
	if resp.StatusCode >= 500 {
		j.t.Fatalf("baseline %s: status %d", what, resp.StatusCode)
	}
	if m := activeMarkup(body); m != "" {
		j.t.Fatalf("baseline %s has active markup %q: the check would flag every page", what, m)
	}
	j.baseline = append(j.baseline, body)
	for k, vs := range resp.Header {
		j.baseline = append(j.baseline, k+": "+strings.Join(vs, ", "))
	}
}

// sent counts the payloads that went through at least one field.
var sent sync.Map

// check judges one answer by the rules every answer must keep.
func (j *judge) check(what, payload string, resp *http.Response, body string) {
	j.t.Helper()
	if payload != "" {
		sent.Store(payload, true)
	}
	j.requests++
	j.byStatus[resp.StatusCode]++
	if resp.StatusCode >= 500 {
		j.failf("%s with %q: status %d\n%s", what, clip(payload, 80), resp.StatusCode, clip(body, 400))
	}
	if resp.StatusCode >= 400 && resp.StatusCode < 500 {
		if why := adminPage(resp, body); why != "" {
			j.failf("%s with %q: status %d is not the admin error or form page (%s): %s", what, clip(payload, 80),
				resp.StatusCode, why, clip(body, 300))
		}
	}
	if m := activeMarkup(body); m != "" {
		j.failf("%s with %q: answer (status %d) carries active markup %q", what, clip(payload, 80), resp.StatusCode, m)
	}
	j.notReflected(what, payload, resp, body)
}

// notReflected fails when the payload is found as it was sent.
func (j *judge) notReflected(what, payload string, resp *http.Response, body string) {
	j.t.Helper()
	for _, p := range rawForms(payload) {
		if j.inBaseline(p) {
			j.skipped++
			continue
		}
		if strings.Contains(body, p) {
			j.failf("%s: payload %q appears unescaped in the answer (status %d)", what, clip(p, 80), resp.StatusCode)
		}
		for k, vs := range resp.Header {
			for _, v := range vs {
				if strings.Contains(v, p) {
					j.failf("%s: payload %q appears in header %s", what, clip(p, 80), k)
				}
			}
		}
	}
}

func (j *judge) inBaseline(p string) bool {
	if in, ok := j.inBase[p]; ok {
		return in
	}
	in := false
	for _, b := range j.baseline {
		if strings.Contains(b, p) {
			in = true
			break
		}
	}
	j.inBase[p] = in
	return in
}

// auditTail reads the audit entries appended since the last look.
type auditTail struct {
	e   *adminEnv
	seq int64
}

func (a *auditTail) since() []store.AuditEntry {
	a.e.t.Helper()
	var out []store.AuditEntry
	for {
		entries, err := a.e.st.AuditEntries(context.Background(), a.seq, store.MaxLimit)
		if err != nil {
			a.e.t.Fatal(err)
		}
		out = append(out, entries...)
		if len(entries) == 0 {
			return out
		}
		a.seq = entries[len(entries)-1].Seq
	}
}

func actions(entries []store.AuditEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Action
	}
	return out
}

// hostile is one environment for a group of forms: a leader of 长春市 (every
// case permission), an administrator of the province, both signed in, and
// the judge with its baseline.
type hostile struct {
	t      *testing.T
	e      *adminEnv
	j      *judge
	audit  *auditTail
	leader staff
	admin  staff
	lc, ac *client // the leader's and the administrator's browsers
	// lcToken and acToken are their sessions' CSRF tokens.
	lcToken, acToken string
	// A handler of 长春市 and a leader of the province, for the later
	// forms (cityStaff): their browsers and the handler's CSRF token.
	handler, provLeader staff
	hc, pc              *client
	hcToken             string
	start               time.Time
	protos              map[string]protoCase // see caseIn
	seq                 int64
}

func newHostile(t *testing.T) *hostile {
	t.Helper()
	e := newAdminEnv(t, func(a *Admin) {
		// Thousands of sign-ins from one address are judged on their
		// content here, not counted.
		a.Config.LoginPerIP = 1 << 30
	})
	h := &hostile{t: t, e: e, j: newJudge(t), audit: &auditTail{e: e}, start: time.Now(),
		protos: map[string]protoCase{}}
	h.leader = e.addUser("hleader", store.RoleLeader, "220100")
	h.admin = e.addUser("hadmin", store.RoleAdmin, "220000")
	h.lc, h.ac = e.client(), e.client()
	h.lc.login(h.leader)
	h.ac.login(h.admin)
	h.lcToken, h.acToken = h.lc.token("/admin"), h.ac.token("/admin")

	add := func(what string, cl *client, path string) {
		resp, body := cl.get(path)
		h.j.addBaseline(what, resp, body)
	}
	anon := e.client()
	add("login", anon, "/admin/login?expired=1")
	resp, body := anon.postWith("/admin/login", "/admin/login", url.Values{"username": {"nobody"}, "password": {"x"}})
	h.j.addBaseline("failed login", resp, body)
	add("dashboard", h.lc, "/admin")
	add("inbox", h.lc, "/admin/cases")
	for _, status := range []string{store.StatusReceived, store.StatusInvestigating, store.StatusConcluded} {
		add("case page "+status, h.lc, "/admin/cases/"+h.caseIn(status, "embezzlement"))
	}
	add("account", h.lc, "/admin/account")
	add("404", h.lc, "/admin/nope")
	add("users", h.ac, "/admin/users")
	add("new user", h.ac, "/admin/users/new")
	add("user", h.ac, "/admin/users/"+h.leader.User.ID)
	add("audit", h.ac, "/admin/audit")
	h.audit.since()
	return h
}

// caseIn returns a new case in 长春市南关区 in status (received, accepted,
// investigating off-site or concluded). The first of each kind is filed and
// moved through the service layer, as the system; the next are copies of it
// (store.ImportCase: one transaction instead of up to seven), anonymous,
// with their own id, number (of year+100) and event ids.
func (h *hostile) caseIn(status, category string) string {
	h.t.Helper()
	e := h.e
	ctx := context.Background()
	key := status + " " + category
	if _, ok := h.protos[key]; ok {
		return h.copyCase(key)
	}
	cs := e.fileCase("220102", category, 250_000_00)
	sys := caseflow.SystemActor("test", e.regions)
	steps := []caseflow.TransitionInput{
		{To: store.StatusAccepted},
		{To: store.StatusInvestigating, Mode: store.ModeOffSite},
		{To: store.StatusConcluded, Result: store.ResultNotSubstantiated},
	}
	for _, in := range steps {
		if cs.Status == status {
			break
		}
		var err error
		if cs, err = e.svc.Transition(ctx, sys, cs.ID, in); err != nil {
			h.t.Fatalf("prepare a case %s: %v", status, err)
		}
	}
	if cs.Status != status {
		h.t.Fatalf("prepare a case %s: got %s", status, cs.Status)
	}
	events, err := e.st.CaseEvents(ctx, cs.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	h.protos[key] = protoCase{cs, events}
	return cs.ID
}

// copyCase stores a copy of the case kept under key (see caseIn), changed
// by edit if given, and returns its id.
func (h *hostile) copyCase(key string, edit ...func(*store.Case)) string {
	h.t.Helper()
	p := h.protos[key]
	h.seq++
	c := *p.c
	for _, f := range edit {
		f(&c)
	}
	// Numbers of a year the filed cases never reach, so that the
	// store's counter for the real year is not raised past them.
	c.ID, c.Year, c.Seq, c.IdempotencyKey = store.NewID(), c.Year+100, h.seq, web.NewToken()
	c.Number = fmt.Sprintf("%d-%06d", c.Year, c.Seq)
	c.Anonymous, c.ReporterSealed = true, nil
	events := slices.Clone(p.events)
	for i := range events {
		events[i].ID, events[i].CaseID = store.NewID(), c.ID
	}
	if err := h.e.st.ImportCase(context.Background(), &c, events, nil); err != nil {
		h.t.Fatalf("copy a case %s: %v", key, err)
	}
	return c.ID
}

type protoCase struct {
	c      *store.Case
	events []store.Event
}

// caseState is what a refused form must leave as it was. Every event and
// message added to a case raises its version, so the version stands for
// them.
type caseState struct {
	Version            int64
	Status, Region     string
	Channel, Assignee  string
	Class, Discovered  string
	Serious            bool
	Measures, Involved string
	Updated            time.Time
}

func (h *hostile) caseState(id string) caseState {
	h.t.Helper()
	c, err := h.e.st.CaseByID(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return caseState{c.Version, c.Status, c.RegionCode, c.Channel, c.AssigneeID, c.ImportantClass, c.DiscoveredOn,
		c.SeriousImpact, c.Conclusion.Measures, strconv.FormatInt(c.Conclusion.AmountInvolvedFen, 10), c.UpdatedAt}
}

// usersState is the whole user list as a string, hashes and second factors
// included: what a refused user form must leave as it was.
func (h *hostile) usersState() string {
	h.t.Helper()
	users, err := h.e.st.ListUsers(context.Background(), store.UserFilter{IncludeDisabled: true})
	if err != nil {
		h.t.Fatal(err)
	}
	var b strings.Builder
	for _, u := range users {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%s|%v|%v|%d|%s|%x\n", u.ID, u.Username, u.Name, u.Role, u.RegionCode, u.Email,
			u.Disabled, u.MustChangePassword, u.Version, u.PasswordHash, u.TOTPSealed)
	}
	return b.String()
}

// plain is whether free text, as the forms trim it, is text a person can
// type: what may be stored.
func plain(p string) bool {
	return caseflow.PlainText(strings.TrimSpace(strings.ReplaceAll(p, "\r\n", "\n")))
}

func validDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// caseForm is one form of the case page.
type caseForm struct {
	action   string
	status   string // the status a case must be in for the form to apply
	category string
	valid    func() url.Values // the form filled in correctly, without _csrf and version
	audit    string            // the audit action of a success
	// consumes: after a success the form no longer applies to the case (or
	// would be refused as a repeat), so the next request needs a new one.
	consumes bool
}

// caseFields lists each field of the case forms and the forms it is sent
// through: a field on several forms goes through them in turn.
var caseFields = []struct {
	field string
	forms []string
}{
	{"note", []string{"accept", "reject", "transfer", "investigate", "conclude", "close", "onsite", "extend"}},
	{"target", []string{"transfer"}},
	{"mode", []string{"investigate"}},
	{"result", []string{"conclude"}},
	{"amountInvolved", []string{"conclude"}},
	{"amountRecovered", []string{"conclude"}},
	{"measures", []string{"conclude"}},
	{"rectifyBy", []string{"conclude"}},
	{"assignee", []string{"assign"}},
	{"body", []string{"reply", "note"}},
	{"idem", []string{"reply", "note"}},
	{"discoveredOn", []string{"classify"}},
	{"serious", []string{"classify"}},
	{"version", []string{"accept", "assign", "classify", "investigate", "extend", "conclude", "onsite", "close"}},
}

var freeText = map[string]bool{"note": true, "measures": true, "body": true}

func (h *hostile) caseForms() map[string]*caseForm {
	leaderID := h.leader.User.ID
	vals := func(kv ...string) func() url.Values {
		return func() url.Values {
			v := url.Values{}
			for i := 0; i < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
	}
	withIdem := func(f func() url.Values) func() url.Values {
		return func() url.Values { v := f(); v.Set("idem", web.NewToken()); return v }
	}
	status, classify := caseflow.AuditCaseStatus, caseflow.AuditCaseClassify
	return map[string]*caseForm{
		"accept":   {action: "accept", status: store.StatusReceived, valid: vals("note", "经审查，属于受理范围。"), audit: status, consumes: true},
		"reject":   {action: "reject", status: store.StatusReceived, valid: vals("note", "不属于社会保险基金监督范围。"), audit: status, consumes: true},
		"transfer": {action: "transfer", status: store.StatusReceived, valid: vals("note", "属宽城区管辖，转宽城区办理。", "target", "region:220103"), audit: status, consumes: true},
		"investigate": {action: "investigate", status: store.StatusAccepted, valid: vals("mode", store.ModeOffSite, "note", "调取缴费数据比对。"),
			audit: status, consumes: true},
		"conclude": {action: "conclude", status: store.StatusInvestigating, valid: vals("result", store.ResultSubstantiated,
			"amountInvolved", "86,500.00", "amountRecovered", "61200", "measures", "责令补缴社会保险费及滞纳金。",
			"rectifyBy", "2026-12-31", "note", "经核查，反映情况属实。"), audit: status, consumes: true},
		"close":    {action: "close", status: store.StatusConcluded, valid: vals("note", "整改完成，予以结案。"), audit: status, consumes: true},
		"onsite":   {action: "onsite", status: store.StatusInvestigating, valid: vals("note", "比对缴费数据发现少报基数。"), audit: caseflow.AuditCaseOnSite, consumes: true},
		"extend":   {action: "extend", status: store.StatusAccepted, valid: vals("note", "案情复杂，需延长调查期限。"), audit: caseflow.AuditCaseExtend, consumes: true},
		"assign":   {action: "assign", status: store.StatusReceived, valid: vals("assignee", leaderID), audit: caseflow.AuditCaseAssign, consumes: true},
		"reply":    {action: "reply", status: store.StatusAccepted, valid: withIdem(vals("body", "您反映的问题已受理，我们将组织核查。")), audit: caseflow.AuditCaseReply},
		"note":     {action: "note", status: store.StatusAccepted, valid: withIdem(vals("body", "内部：该公司去年已被处罚过一次。")), audit: caseflow.AuditCaseNote},
		"classify": {action: "classify", status: store.StatusAccepted, category: "embezzlement", valid: vals("discoveredOn", "2026-11-27"), audit: classify},
	}
}

// acceptableCaseValue says whether a form may rightly accept payload p in
// field; "" when it may.
func (h *hostile) acceptableCaseValue(field, p string, before caseState) string {
	t := strings.TrimSpace(p)
	ok := true
	switch field {
	case "version":
		ok = p == strconv.FormatInt(before.Version, 10)
	case "mode":
		ok = p == store.ModeOnSite || p == store.ModeOffSite
	case "result":
		ok = casework.ValidResult(p)
	case "assignee":
		ok = t == h.leader.User.ID
	case "amountInvolved", "amountRecovered":
		_, err := casework.ParseYuan(t)
		ok = t == "" || err == nil
	case "rectifyBy":
		ok = t == "" || validDay(t)
	case "discoveredOn":
		ok = validDay(t)
	case "target":
		code := strings.TrimPrefix(strings.TrimPrefix(p, "region:"), "channel:")
		_, region := h.e.regions.Lookup(code)
		ok = region || casework.ValidChannel(code)
	case "note", "measures", "body":
		ok = utf8.ValidString(p) && plain(p)
	}
	if !ok {
		return "the form took a value it does not allow"
	}
	return ""
}

// caseSupply keeps one case per form and replaces it when a success used it
// up (or after perCase successes, so that its page stays small). Before a
// case is let go, its page is loaded once and checked for every payload
// stored on it.
type caseSupply struct {
	h      *hostile
	cases  map[string]string   // form → case id
	used   map[string]int      // form → successes on its case
	stored map[string][]string // case id → payloads stored on it
}

const perCase = 60

func (s *caseSupply) get(f *caseForm) string {
	if id, ok := s.cases[f.action]; ok {
		return id
	}
	cat := f.category
	if cat == "" {
		cat = "unpaid_contributions"
	}
	id := s.h.caseIn(f.status, cat)
	s.h.audit.since() // what preparing it audited
	s.cases[f.action] = id
	s.used[f.action] = 0
	return id
}

func (s *caseSupply) succeeded(f *caseForm, id, payload string) {
	if len(rawForms(payload)) > 0 {
		s.stored[id] = append(s.stored[id], payload)
	}
	s.used[f.action]++
	if f.consumes || s.used[f.action] >= perCase {
		s.retire(f.action)
	}
}

func (s *caseSupply) retire(form string) {
	id, ok := s.cases[form]
	if !ok {
		return
	}
	delete(s.cases, form)
	if len(s.stored[id]) == 0 {
		return
	}
	resp, body := s.h.lc.get("/admin/cases/" + id)
	s.h.j.check("GET a case page with stored payloads", "", resp, body)
	if resp.StatusCode != http.StatusOK {
		s.h.j.failf("GET the page of case %s with stored payloads: status %d", id, resp.StatusCode)
	}
	for _, p := range s.stored[id] {
		s.h.j.notReflected("GET /admin/cases/{id} showing what was stored", p, resp, body)
	}
	delete(s.stored, id)
}

func (s *caseSupply) retireAll() {
	for form := range s.cases {
		s.retire(form)
	}
}

// postCase sends one case form with field set to p and judges the answer
// and what it stored.
func (h *hostile) postCase(s *caseSupply, f *caseForm, field, p string) {
	h.t.Helper()
	id := s.get(f)
	before := h.caseState(id)
	v := f.valid()
	v.Set("version", strconv.FormatInt(before.Version, 10))
	v.Set(field, p)
	v.Set("_csrf", h.lcToken)
	what := "POST /admin/cases/{id}/" + f.action + " field " + field
	resp, body := h.lc.post("/admin/cases/"+id+"/"+f.action, v)
	h.j.check(what, p, resp, body)
	after := h.caseState(id)
	entries := h.audit.since()
	switch {
	case resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/admin/cases/"+id+"?done="+f.action:
		if after.Version != before.Version+1 {
			h.j.failf("%s with %q: accepted, version %d → %d", what, clip(p, 80), before.Version, after.Version)
		}
		if len(entries) != 1 || entries[0].Action != f.audit {
			h.j.failf("%s with %q: accepted with audit entries %v, want [%s]", what, clip(p, 80), actions(entries), f.audit)
		}
		if why := h.acceptableCaseValue(field, p, before); why != "" {
			h.j.failf("%s with %q: accepted, but %s", what, clip(p, 80), why)
		}
		s.succeeded(f, id, p)
	case resp.StatusCode < 400:
		h.j.failf("%s with %q: status %d to %q", what, clip(p, 80), resp.StatusCode, resp.Header.Get("Location"))
	default:
		if after != before {
			h.j.failf("%s with %q: refused (%d) but the case changed: %+v → %+v", what, clip(p, 80), resp.StatusCode, before, after)
		}
		if len(entries) > 0 {
			h.j.failf("%s with %q: refused (%d) but audited %v", what, clip(p, 80), resp.StatusCode, actions(entries))
		}
	}
}

func TestHostileAdminForms(t *testing.T) {
	t.Parallel()
	payloads := hostilePayloads(t)
	t.Cleanup(func() {
		n := 0
		for _, p := range payloads {
			if _, ok := sent.Load(p); ok {
				n++
			}
		}
		t.Logf("payloads: %d (%s); %d of them went through at least one field", len(payloads), payloadsFrom, n)
	})
	// The case forms in two halves that run side by side: free text, which
	// takes the most payloads, and the other fields.
	for _, half := range []bool{true, false} {
		name := "case forms, free text"
		if !half {
			name = "case forms, other fields"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHostile(t)
			forms := h.caseForms()
			s := &caseSupply{h: h, cases: map[string]string{}, used: map[string]int{}, stored: map[string][]string{}}
			for _, cf := range caseFields {
				if freeText[cf.field] != half {
					continue
				}
				every := 0
				if freeText[cf.field] {
					every = freeTextEvery
				}
				for i, p := range share(payloads, "case "+cf.field, every) {
					h.postCase(s, forms[cf.forms[i%len(cf.forms)]], cf.field, p)
				}
			}
			s.retireAll()
			h.j.summary(h.start)
		})
	}
	t.Run("user forms", func(t *testing.T) {
		t.Parallel()
		h := newHostile(t)
		h.userForms(payloads)
		h.j.summary(h.start)
	})
	t.Run("sign-in", func(t *testing.T) {
		t.Parallel()
		h := newHostile(t)
		h.signInForms(payloads)
		h.j.summary(h.start)
	})
	t.Run("account", func(t *testing.T) {
		t.Parallel()
		h := newHostile(t)
		h.accountForms(payloads)
		h.j.summary(h.start)
	})
	t.Run("query strings and ids", func(t *testing.T) {
		t.Parallel()
		h := newHostile(t)
		h.queryStrings(payloads)
		h.pathIDs(payloads)
		h.j.summary(h.start)
	})
	// The forms added later (hostile_areas_test.go).
	t.Run("要情 reports", func(t *testing.T) {
		t.Parallel()
		h := newHostile(t)
		h.reportForms(payloads)
		h.j.summary(h.start)
	})
	t.Run("quarterly statistics, calendar and settings", func(t *testing.T) {
		t.Parallel()
		h := newHostile(t)
		h.quarterlyForms(payloads)
		h.calendarAndSettingsForms(payloads)
		h.j.summary(h.start)
	})
	t.Run("outbox, and the later pages' query strings and ids", func(t *testing.T) {
		t.Parallel()
		h := newHostile(t)
		h.cityStaff()
		report := h.draftReport()
		h.laterBaselines(report)
		h.outboxForms(payloads)
		h.laterQueries(payloads, report)
		h.laterIDs(payloads)
		h.j.summary(h.start)
	})
}

// userForms: creating a user, editing one, resetting a password, as the
// province's administrator.
func (h *hostile) userForms(payloads []string) {
	h.t.Helper()
	target := h.e.addUser("hostiletarget", store.RoleHandler, "220100")
	h.audit.since()
	n := 0
	newUsername := func() string { n++; return fmt.Sprintf("hostile%04d", n) }
	const goodPassword = "Songhua-River 2026 spring"
	createFields := []string{"username", "name", "role", "region", "email", "password"}
	for _, field := range createFields {
		for _, p := range share(payloads, "user create "+field, 0) {
			v := url.Values{"username": {newUsername()}, "name": {"王测试"}, "role": {store.RoleHandler},
				"region": {"220100"}, "email": {"wang@example.com"}, "password": {goodPassword}}
			v.Set(field, p)
			username := casework.NormalizeUsername(v.Get("username"))
			ok := ""
			switch field {
			case "username":
				ok = casework.CheckUsername(strings.TrimSpace(p))
			case "name":
				if t := strings.TrimSpace(p); t == "" || utf8.RuneCountInString(t) > 50 || !plain(t) {
					ok = "not a name"
				}
			case "role":
				if !casework.ValidRole(p) {
					ok = "not a role"
				}
			case "region":
				if !h.e.regions.ValidUserRegion(p) {
					ok = "not a region"
				}
			case "email":
				if t := strings.TrimSpace(p); t != "" && !casework.ValidEmail(t) {
					ok = "not an e-mail address"
				}
			case "password":
				ok = casework.CheckNewPassword(p, username)
			}
			h.postUser("POST /admin/users field "+field, p, "/admin/users", v, "/admin/users?done=created", caseflow.AuditUserCreate, ok)
		}
	}

	editFields := []string{"name", "role", "region", "email", "disabled", "version"}
	for _, field := range editFields {
		for _, p := range share(payloads, "user edit "+field, 0) {
			u, err := h.e.st.UserByID(context.Background(), target.User.ID)
			if err != nil {
				h.t.Fatal(err)
			}
			v := url.Values{"name": {"李测试"}, "role": {store.RoleHandler}, "region": {"220100"}, "email": {""},
				"version": {strconv.FormatInt(u.Version, 10)}}
			v.Set(field, p)
			ok := ""
			switch field {
			case "name":
				if t := strings.TrimSpace(p); t == "" || utf8.RuneCountInString(t) > 50 || !plain(t) {
					ok = "not a name"
				}
			case "role":
				if !casework.ValidRole(p) {
					ok = "not a role"
				}
			case "region":
				if !h.e.regions.ValidUserRegion(p) {
					ok = "not a region"
				}
			case "email":
				if t := strings.TrimSpace(p); t != "" && !casework.ValidEmail(t) {
					ok = "not an e-mail address"
				}
			case "version":
				if p != strconv.FormatInt(u.Version, 10) {
					ok = "not the version of the page"
				}
			}
			audits := []string{caseflow.AuditUserUpdate, caseflow.AuditUserDisable, caseflow.AuditUserEnable}
			h.postUser("POST /admin/users/{id} field "+field, p, "/admin/users/"+target.User.ID, v,
				"/admin/users/"+target.User.ID+"?done=saved", strings.Join(audits, "|"), ok)
		}
	}

	for _, p := range share(payloads, "user reset password", 0) {
		h.postUser("POST /admin/users/{id}/password field password", p, "/admin/users/"+target.User.ID+"/password",
			url.Values{"password": {p}}, "/admin/users/"+target.User.ID+"?done=password", caseflow.AuditUserReset,
			casework.CheckNewPassword(p, target.User.Username))
	}
}

// postUser sends one user form and judges the answer and the user list:
// success goes to done with one audit entry of audit ("a|b" for either),
// and only for a value the form allows (problem "").
func (h *hostile) postUser(what, p, path string, v url.Values, done, audit, problem string) {
	h.t.Helper()
	before := h.usersState()
	v.Set("_csrf", h.acToken)
	resp, body := h.ac.post(path, v)
	h.j.check(what, p, resp, body)
	after := h.usersState()
	entries := h.audit.since()
	switch {
	case resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == done:
		if after == before {
			h.j.failf("%s with %q: accepted, but no user changed", what, clip(p, 80))
		}
		if len(entries) != 1 || !slices.Contains(strings.Split(audit, "|"), entries[0].Action) {
			h.j.failf("%s with %q: accepted with audit entries %v, want [%s]", what, clip(p, 80), actions(entries), audit)
		}
		if problem != "" {
			h.j.failf("%s with %q: accepted, but %s", what, clip(p, 80), problem)
		}
	case resp.StatusCode < 400:
		h.j.failf("%s with %q: status %d to %q", what, clip(p, 80), resp.StatusCode, resp.Header.Get("Location"))
	default:
		if after != before {
			h.j.failf("%s with %q: refused (%d) but the users changed", what, clip(p, 80), resp.StatusCode)
		}
		if len(entries) > 0 {
			h.j.failf("%s with %q: refused (%d) but audited %v", what, clip(p, 80), resp.StatusCode, actions(entries))
		}
	}
}

// signInForms: the password step, the TOTP step and TOTP enrolment at
// first sign-in. A failed step is recorded in the audit log
// (login.failure, login.totp_failure); nothing else may be.
func (h *hostile) signInForms(payloads []string) {
	h.t.Helper()
	e := h.e
	ctx := context.Background()
	anon := e.client()
	token := anon.token("/admin/login")
	clearThrottle := func(username string) {
		if err := e.st.ClearLoginFailures(ctx, casework.ThrottleKey(e.keyring, username)); err != nil {
			h.t.Fatal(err)
		}
	}
	// Sign-in checks a password with argon2id whatever the username: both
	// fields get the password share.
	for _, field := range []string{"username", "password"} {
		for _, p := range share(payloads, "login "+field, 0) {
			v := url.Values{"_csrf": {token}, "username": {h.leader.User.Username}, "password": {h.leader.Password}}
			v.Set(field, p)
			// The failures of one username would soon make every answer a
			// wait (429) or a lock; each payload is judged on its own.
			clearThrottle(v.Get("username"))
			before := h.usersState()
			resp, body := anon.post("/admin/login", v)
			what := "POST /admin/login field " + field
			h.j.check(what, p, resp, body)
			h.refusedSignIn(what, p, resp, before, caseflow.AuditLoginFailure)
		}
	}

	// The TOTP step of a leader whose password was right.
	pending := e.client()
	resp, _ := pending.postWith("/admin/login", "/admin/login", url.Values{"username": {h.leader.User.Username}, "password": {h.leader.Password}})
	if resp.Header.Get("Location") != "/admin/login/totp" {
		h.t.Fatalf("password step went to %q", resp.Header.Get("Location"))
	}
	totpToken := pending.token("/admin/login/totp")
	for _, p := range share(payloads, "totp code", 0) {
		clearThrottle(h.leader.User.Username)
		before := h.usersState()
		resp, body := pending.post("/admin/login/totp", url.Values{"_csrf": {totpToken}, "code": {p}})
		h.j.check("POST /admin/login/totp field code", p, resp, body)
		h.refusedSignIn("POST /admin/login/totp field code", p, resp, before, caseflow.AuditLoginTOTPFail)
	}

	// Enrolment of a leader without a second factor yet.
	s := e.addUser("hnewleader", store.RoleHandler, "220100")
	u := s.User
	u.Role = store.RoleLeader
	if err := e.st.UpdateUser(ctx, u); err != nil {
		h.t.Fatal(err)
	}
	h.audit.since()
	enrol := e.client()
	resp, _ = enrol.postWith("/admin/login", "/admin/login", url.Values{"username": {"hnewleader"}, "password": {s.Password}})
	if resp.Header.Get("Location") != "/admin/login/enrol" {
		h.t.Fatalf("password step went to %q", resp.Header.Get("Location"))
	}
	h.audit.since()
	_, page := enrol.get("/admin/login/enrol")
	sealed := sealedField.FindStringSubmatch(page)
	if sealed == nil {
		h.t.Fatal("no sealed secret on the enrolment page")
	}
	enrolToken := enrol.token("")
	for _, field := range []string{"code", "sealed"} {
		for _, p := range share(payloads, "enrol "+field, 0) {
			v := url.Values{"_csrf": {enrolToken}, "code": {"123456"}, "sealed": {sealed[1]}}
			v.Set(field, p)
			before := h.usersState()
			resp, body := enrol.post("/admin/login/enrol", v)
			what := "POST /admin/login/enrol field " + field
			h.j.check(what, p, resp, body)
			h.refusedSignIn(what, p, resp, before, "")
		}
	}
}

var sealedField = regexp.MustCompile(`name="sealed" value="([^"]+)"`)

// refusedSignIn: a sign-in step with a payload never signs in, changes no
// user, and audits at most its own failure (allowed, or nothing when
// allowed is "").
func (h *hostile) refusedSignIn(what, p string, resp *http.Response, before, allowed string) {
	h.t.Helper()
	if resp.StatusCode < 400 {
		h.j.failf("%s with %q: status %d to %q, want a refusal", what, clip(p, 80), resp.StatusCode, resp.Header.Get("Location"))
	}
	if after := h.usersState(); after != before {
		h.j.failf("%s with %q: refused (%d) but the users changed", what, clip(p, 80), resp.StatusCode)
	}
	for _, en := range h.audit.since() {
		if en.Action != allowed {
			h.j.failf("%s with %q: refused (%d) but audited %s", what, clip(p, 80), resp.StatusCode, en.Action)
		}
	}
}

// accountForms: changing one's own password and binding an optional second
// factor, as a handler.
func (h *hostile) accountForms(payloads []string) {
	h.t.Helper()
	e := h.e
	s := e.addUser("hacct", store.RoleHandler, "220100")
	cl := e.client()
	cl.login(s)
	h.audit.since()
	password := s.Password
	token := cl.token("/admin/account")
	fresh := 0
	nextPassword := func() string { fresh++; return fmt.Sprintf("Tumen-River %d autumn", fresh) }
	for _, field := range []string{"current", "new", "confirm"} {
		for _, p := range share(payloads, "account "+field, 0) {
			np := nextPassword()
			v := url.Values{"current": {password}, "new": {np}, "confirm": {np}}
			switch field {
			case "current":
				v.Set("current", p)
			case "new":
				v.Set("new", p)
				v.Set("confirm", p)
			case "confirm":
				v.Set("confirm", p)
			}
			v.Set("_csrf", token)
			before := h.usersState()
			what := "POST /admin/account/password field " + field
			resp, body := cl.post("/admin/account/password", v)
			h.j.check(what, p, resp, body)
			after := h.usersState()
			entries := h.audit.since()
			switch {
			case resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/admin/account?done=password":
				if len(entries) != 1 || entries[0].Action != caseflow.AuditPasswordChange || after == before {
					h.j.failf("%s with %q: accepted with audit %v", what, clip(p, 80), actions(entries))
				}
				allowed := false
				switch field {
				case "current":
					allowed = p == password
				case "new":
					allowed = p != password && casework.CheckNewPassword(p, s.User.Username) == ""
				case "confirm":
					allowed = p == np
				}
				if !allowed {
					h.j.failf("%s with %q: accepted a password change it should refuse", what, clip(p, 80))
				}
				password = v.Get("new")
				token = cl.token("/admin/account") // a new session, a new token
			case resp.StatusCode < 400:
				h.j.failf("%s with %q: status %d to %q", what, clip(p, 80), resp.StatusCode, resp.Header.Get("Location"))
			default:
				if after != before || len(entries) > 0 {
					h.j.failf("%s with %q: refused (%d) but changed users or audited %v", what, clip(p, 80), resp.StatusCode, actions(entries))
				}
			}
		}
	}
	_, page := cl.get("/admin/account")
	sealed := sealedField.FindStringSubmatch(page)
	if sealed == nil {
		h.t.Fatal("no sealed secret on the account page")
	}
	for _, field := range []string{"code", "sealed"} {
		for _, p := range share(payloads, "account totp "+field, 0) {
			v := url.Values{"code": {"123456"}, "sealed": {sealed[1]}}
			v.Set(field, p)
			v.Set("_csrf", token)
			before := h.usersState()
			what := "POST /admin/account/totp field " + field
			resp, body := cl.post("/admin/account/totp", v)
			h.j.check(what, p, resp, body)
			h.refusedSignIn(what, p, resp, before, "")
		}
	}
}

// queryStrings: every filter of the inbox and the audit log, and the
// query parameters other pages read, all set to the payload at once (and
// the payload as a parameter name). Reading changes nothing.
func (h *hostile) queryStrings(payloads []string) {
	h.t.Helper()
	cs := h.caseIn(store.StatusAccepted, "embezzlement")
	h.audit.since()
	anon := h.e.client()
	pages := []struct {
		cl     *client
		path   string
		params []string
	}{
		{h.lc, "/admin/cases", []string{"status", "region", "category", "insurance", "channel", "class", "assignee", "due", "demo", "sort", "page"}},
		{h.ac, "/admin/audit", []string{"action", "target", "from", "to", "actor", "page"}},
		{h.ac, "/admin/users", []string{"role", "done"}},
		{h.ac, "/admin/users/" + h.leader.User.ID, []string{"done"}},
		{h.lc, "/admin/cases/" + cs, []string{"done"}},
		{h.lc, "/admin/account", []string{"done", "must"}},
		{h.lc, "/admin", []string{"next"}},
		{anon, "/admin/login", []string{"next", "expired"}},
	}
	for _, pg := range pages {
		every, key := 0, pg.path
		switch {
		case pg.path == "/admin/cases" || pg.path == "/admin/audit":
			every = freeTextEvery
		case strings.HasPrefix(pg.path, "/admin/cases/"):
			key = "/admin/cases/{id}"
		case strings.HasPrefix(pg.path, "/admin/users/"):
			key = "/admin/users/{id}"
		}
		for _, p := range share(payloads, "query "+key, every) {
			q := url.QueryEscape(p)
			var parts []string
			for _, k := range pg.params {
				parts = append(parts, k+"="+q)
			}
			parts = append(parts, q+"=1")
			target := pg.path + "?" + strings.Join(parts, "&")
			before := h.caseState(cs)
			users := h.usersState()
			resp, body := pg.cl.do(httptest.NewRequest(http.MethodGet, target, nil))
			what := "GET " + pg.path + " query"
			h.j.check(what, p, resp, body)
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnprocessableEntity {
				h.j.failf("%s with %q: status %d", what, clip(p, 80), resp.StatusCode)
			}
			if entries := h.audit.since(); len(entries) > 0 || h.caseState(cs) != before || h.usersState() != users {
				h.j.failf("%s with %q: a page view changed something (audit %v)", what, clip(p, 80), actions(entries))
			}
		}
	}
}

// pathIDs: the :id of the case and user routes.
func (h *hostile) pathIDs(payloads []string) {
	h.t.Helper()
	routes := []struct {
		cl     *client
		method string
		path   string // {id} is replaced
		form   url.Values
	}{
		{h.lc, http.MethodGet, "/admin/cases/{id}", nil},
		{h.lc, http.MethodPost, "/admin/cases/{id}/note", url.Values{"body": {"内部：核查工作正在进行。"}}},
		{h.lc, http.MethodPost, "/admin/cases/{id}/accept", url.Values{"note": {"经审查，属于受理范围。"}, "version": {"1"}}},
		{h.ac, http.MethodGet, "/admin/users/{id}", nil},
		{h.ac, http.MethodPost, "/admin/users/{id}", url.Values{"name": {"李测试"}, "role": {store.RoleHandler}, "region": {"220100"}, "version": {"1"}}},
		{h.ac, http.MethodPost, "/admin/users/{id}/password", url.Values{"password": {"Songhua-River 2026 spring"}}},
		{h.ac, http.MethodPost, "/admin/users/{id}/totp", url.Values{}},
	}
	for _, r := range routes {
		for _, p := range share(payloads, "id "+r.method+" "+r.path, 0) {
			esc := url.PathEscape(p)
			if esc == "." || esc == ".." {
				continue // the path is normalised to another route
			}
			target := strings.Replace(r.path, "{id}", esc, 1)
			var req *http.Request
			if r.method == http.MethodGet {
				req = httptest.NewRequest(r.method, target, nil)
			} else {
				v := url.Values{}
				for k, vs := range r.form {
					v[k] = vs
				}
				v.Set("_csrf", map[*client]string{h.lc: h.lcToken, h.ac: h.acToken}[r.cl])
				req = httptest.NewRequest(r.method, target, strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			before := h.usersState()
			resp, body := r.cl.do(req)
			what := r.method + " " + r.path + " with the payload as {id}"
			h.j.check(what, p, resp, body)
			if resp.StatusCode < 400 {
				h.j.failf("%s with %q: status %d, want a refusal", what, clip(p, 80), resp.StatusCode)
			}
			if entries := h.audit.since(); len(entries) > 0 || h.usersState() != before {
				h.j.failf("%s with %q: refused (%d) but changed something (audit %v)", what, clip(p, 80), resp.StatusCode, actions(entries))
			}
		}
	}
}

// liveServer serves the app on a loopback port, for requests app.Test
// cannot carry: fasthttp refuses a body over the limit before any handler
// runs, and app.Test then returns only an error.
func liveServer(t *testing.T, e *adminEnv) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	t.Cleanup(func() { _ = e.app.ShutdownWithTimeout(5 * time.Second) })
	return ln.Addr().String()
}

// rawPost writes a POST with body onto a new connection, reading the
// answer while the body is written: the server may answer 413 and close
// before taking it all. It tries three times, since such a close can reset
// the connection before the answer is read.
func rawPost(addr, path, contentType string, cl *client, body []byte) (*http.Response, string, error) {
	var cookies []string
	for k, v := range cl.cookies {
		cookies = append(cookies, k+"="+v)
	}
	sort.Strings(cookies)
	head := "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
		contentTypeLine(contentType) + "Cookie: " + strings.Join(cookies, "; ") + "\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	var lastErr error
	for range 3 {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			return nil, "", err
		}
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
		go func() {
			if _, err := conn.Write([]byte(head)); err == nil {
				_, _ = conn.Write(body)
			}
		}()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			conn.Close()
			lastErr = err
			continue
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		conn.Close()
		if err != nil {
			lastErr = err
			continue
		}
		return resp, string(b), nil
	}
	return nil, "", lastErr
}

func contentTypeLine(ct string) string {
	if ct == "" {
		return ""
	}
	return "Content-Type: " + ct + "\r\n"
}

// TestHostileAdminExtras covers what the lists do not: invalid UTF-8 in
// every field, control characters in free text, a 1 MB field, 10,000
// repeated fields, wrong content types.
func TestHostileAdminExtras(t *testing.T) {
	t.Parallel()
	h := newHostile(t)
	e := h.e
	addr := liveServer(t, e)
	forms := h.caseForms()
	s := &caseSupply{h: h, cases: map[string]string{}, used: map[string]int{}, stored: map[string][]string{}}
	target := e.addUser("hostiletarget", store.RoleHandler, "220100")
	h.audit.since()

	// run is t.Run with the environment reporting to the subtest.
	run := func(name string, f func(t *testing.T)) {
		t.Run(name, func(st *testing.T) {
			h.t, h.j.t, e.t = st, st, st
			defer func() { h.t, h.j.t, e.t = t, t, t }()
			f(st)
		})
	}

	run("invalid UTF-8 in every field", func(t *testing.T) {
		for _, bad := range []string{"\xff", "张\xe5\xbc三", "\xed\xa0\x80"} {
			for _, cf := range caseFields {
				if cf.field == "serious" || cf.field == "idem" {
					continue // "true" or a token, else no: broken bytes are a valid no
				}
				f := forms[cf.forms[0]]
				p := f.valid().Get(cf.field) + bad
				if cf.field == "version" {
					p = "1" + bad
				}
				h.postCase(s, f, cf.field, p)
			}
			create := url.Values{"username": {"badutf"}, "name": {"王测试"}, "role": {store.RoleHandler},
				"region": {"220100"}, "email": {"wang@example.com"}, "password": {"Songhua-River 2026 spring"}}
			for _, field := range []string{"username", "name", "role", "region", "email", "password"} {
				v := url.Values{}
				for k, vs := range create {
					v[k] = slices.Clone(vs)
				}
				v.Set(field, v.Get(field)+bad)
				h.postUser("POST /admin/users invalid UTF-8 in "+field, bad, "/admin/users", v, "", "", "invalid UTF-8")
			}
			for _, field := range []string{"name", "role", "region", "email", "version"} {
				u, err := e.st.UserByID(context.Background(), target.User.ID)
				if err != nil {
					t.Fatal(err)
				}
				v := url.Values{"name": {"李测试"}, "role": {store.RoleHandler}, "region": {"220100"},
					"email": {"li@example.com"}, "version": {strconv.FormatInt(u.Version, 10)}}
				v.Set(field, v.Get(field)+bad)
				h.postUser("POST /admin/users/{id} invalid UTF-8 in "+field, bad, "/admin/users/"+target.User.ID, v, "", "", "invalid UTF-8")
			}
			h.postUser("POST /admin/users/{id}/password invalid UTF-8", bad, "/admin/users/"+target.User.ID+"/password",
				url.Values{"password": {"Songhua-River 2026 spring" + bad}}, "", "", "invalid UTF-8")
		}
		s.retireAll()
	})

	run("control characters and bidi overrides in free text", func(t *testing.T) {
		// Valid UTF-8 that no person types and that reorders or hides text
		// on screen: every free-text field refuses it, as the public site
		// does (caseflow.PlainText).
		for _, bad := range []string{"\x00", "\x1b[31m红\x1b[0m", "\u202e", "\u2066隐藏\u2069", "\x7f", "\u0085", "\x08\x08"} {
			for _, cf := range caseFields {
				if !freeText[cf.field] {
					continue
				}
				for _, name := range cf.forms {
					f := forms[name]
					h.postCase(s, f, cf.field, "内容"+bad+f.valid().Get(cf.field))
				}
			}
			u, err := e.st.UserByID(context.Background(), target.User.ID)
			if err != nil {
				t.Fatal(err)
			}
			h.postUser("POST /admin/users/{id} control characters in name", bad, "/admin/users/"+target.User.ID,
				url.Values{"name": {"李" + bad + "测试"}, "role": {store.RoleHandler}, "region": {"220100"},
					"version": {strconv.FormatInt(u.Version, 10)}}, "", "", "not plain text")
		}
		s.retireAll()
	})

	run("1 MB field gets 413", func(t *testing.T) {
		big := strings.Repeat("举", 350*1024) // 1.05 MB of UTF-8
		token := h.lcToken
		cs := s.get(forms["note"])
		for _, field := range []string{"body", "idem", "_csrf"} {
			before := h.caseState(cs)
			v := url.Values{"_csrf": {token}, "body": {"内部：核查工作正在进行。"}, "idem": {web.NewToken()}}
			v.Set(field, big)
			resp, body, err := rawPost(addr, "/admin/cases/"+cs+"/note", "application/x-www-form-urlencoded", h.lc, []byte(v.Encode()))
			if err != nil {
				t.Fatalf("1 MB %s: %v", field, err)
			}
			h.j.check("POST /admin/cases/{id}/note 1 MB "+field, "", resp, body)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				h.j.failf("1 MB %s: status %d, want 413", field, resp.StatusCode)
			}
			if h.caseState(cs) != before || len(h.audit.since()) > 0 {
				h.j.failf("1 MB %s: something was stored", field)
			}
		}
		for _, field := range []string{"name", "password"} {
			before := h.usersState()
			v := url.Values{"_csrf": {h.acToken}, "username": {"bigfield"}, "name": {"王测试"}, "role": {store.RoleHandler},
				"region": {"220100"}, "password": {"Songhua-River 2026 spring"}}
			v.Set(field, big)
			resp, body, err := rawPost(addr, "/admin/users", "application/x-www-form-urlencoded", h.ac, []byte(v.Encode()))
			if err != nil {
				t.Fatalf("1 MB %s: %v", field, err)
			}
			h.j.check("POST /admin/users 1 MB "+field, "", resp, body)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || h.usersState() != before || len(h.audit.since()) > 0 {
				h.j.failf("1 MB user %s: status %d, want 413 and nothing stored", field, resp.StatusCode)
			}
		}
		anon := e.client()
		v := url.Values{"_csrf": {anon.token("/admin/login")}, "username": {big}, "password": {"x"}}
		resp, body, err := rawPost(addr, "/admin/login", "application/x-www-form-urlencoded", anon, []byte(v.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		h.j.check("POST /admin/login 1 MB username", "", resp, body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || len(h.audit.since()) > 0 {
			h.j.failf("1 MB username: status %d, want 413 and nothing audited", resp.StatusCode)
		}
	})

	run("10,000 repeated fields", func(t *testing.T) {
		// The form with one field repeated 10,000 times after its valid
		// value: the first value is read, so the form is valid — except
		// version, whose repeats carry a stale number first.
		for _, c := range []struct {
			form, field, value string
		}{
			{"note", "body", "x"}, {"note", "idem", "x"}, {"reply", "body", "<b>x</b>"},
			{"conclude", "measures", "x"}, {"conclude", "result", "x"},
			{"transfer", "target", "region:220300"}, {"accept", "version", "999"}, {"assign", "assignee", "nobody"},
		} {
			f := forms[c.form]
			id := s.get(f)
			before := h.caseState(id)
			v := f.valid()
			version := strconv.FormatInt(before.Version, 10)
			v.Set("version", version)
			v.Set("_csrf", h.lcToken)
			enc := v.Encode()
			if c.field == "version" {
				enc = strings.Replace(enc, "version="+version, "version="+c.value+"&version="+version, 1)
			}
			enc += strings.Repeat("&"+url.QueryEscape(c.field)+"="+url.QueryEscape(c.value), 10000)
			req := httptest.NewRequest(http.MethodPost, "/admin/cases/"+id+"/"+f.action, strings.NewReader(enc))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			began := time.Now()
			resp, body := h.lc.do(req)
			what := fmt.Sprintf("POST /admin/cases/{id}/%s 10,000 × %s (%d KB)", f.action, c.field, len(enc)/1024)
			h.j.check(what, c.value, resp, body)
			after := h.caseState(id)
			entries := h.audit.since()
			accepted := resp.StatusCode == http.StatusSeeOther
			wantAccepted := c.field != "version"
			if accepted != wantAccepted {
				h.j.failf("%s: status %d, want accepted %v", what, resp.StatusCode, wantAccepted)
			}
			if accepted && (after.Version != before.Version+1 || len(entries) != 1) {
				h.j.failf("%s: accepted, version %d → %d, audit %v", what, before.Version, after.Version, actions(entries))
			}
			if !accepted && (after != before || len(entries) > 0) {
				h.j.failf("%s: refused, but changed the case or audited %v", what, actions(entries))
			}
			if accepted {
				s.succeeded(f, id, "")
			}
			t.Logf("%s: status %d in %v", what, resp.StatusCode, time.Since(began).Round(time.Millisecond))
		}
		before := h.usersState()
		v := url.Values{"_csrf": {h.acToken}, "username": {"repeated"}, "name": {"王测试"}, "role": {store.RoleHandler},
			"region": {"220100"}, "password": {"Songhua-River 2026 spring"}}
		enc := v.Encode() + strings.Repeat("&role=admin&region=220000", 10000)
		req := httptest.NewRequest(http.MethodPost, "/admin/users", strings.NewReader(enc))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, body := h.ac.do(req)
		h.j.check("POST /admin/users 10,000 × role and region", "", resp, body)
		users, err := e.st.UserByUsername(context.Background(), "repeated")
		if resp.StatusCode != http.StatusSeeOther || err != nil || users.Role != store.RoleHandler || users.RegionCode != "220100" {
			h.j.failf("10,000 × role: status %d, user %+v, %v; want a handler of 220100", resp.StatusCode, users, err)
		}
		if after := h.usersState(); after == before || len(h.audit.since()) != 1 {
			h.j.failf("10,000 × role: want one user and one audit entry more")
		}
	})

	run("wrong content types are refused", func(t *testing.T) {
		f := forms["note"]
		id := s.get(f)
		form := url.Values{"_csrf": {h.lcToken}, "body": {"内部：核查工作正在进行。"}, "idem": {web.NewToken()}}
		var mp strings.Builder
		for k := range form {
			fmt.Fprintf(&mp, "--xyz\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", k, form.Get(k))
		}
		mp.WriteString("--xyz--\r\n")
		jsonBody, _ := json.Marshal(map[string]string{"_csrf": form.Get("_csrf"), "body": form.Get("body")})
		for _, c := range []struct{ ct, body string }{
			{"text/plain", form.Encode()},
			{"application/json", string(jsonBody)},
			// (A well-formed multipart body is how the note form is sent
			// now that it takes files: accepted below.)
			{"multipart/form-data; boundary=xyz", form.Encode()}, // not multipart at all
			{"multipart/form-data", form.Encode()},
			{"application/xml", "<note><body>x</body></note>"},
			{"", form.Encode()},
		} {
			before := h.caseState(id)
			// Through a real connection: when fasthttp refuses a body before
			// any handler (as it did a malformed multipart one, until
			// web.NewApp stopped it parsing them), app.Test returns only an
			// error.
			resp, body, err := rawPost(addr, "/admin/cases/"+id+"/note", c.ct, h.lc, []byte(c.body))
			if err != nil {
				t.Fatalf("Content-Type %q: %v", c.ct, err)
			}
			what := fmt.Sprintf("POST /admin/cases/{id}/note Content-Type %q", c.ct)
			h.j.check(what, "", resp, body)
			if resp.StatusCode < 400 {
				h.j.failf("%s: status %d, want a refusal", what, resp.StatusCode)
			}
			if h.caseState(id) != before || len(h.audit.since()) > 0 {
				h.j.failf("%s: something was stored", what)
			}
		}
		resp, body, err := rawPost(addr, "/admin/cases/"+id+"/note", "multipart/form-data; boundary=xyz", h.lc, []byte(mp.String()))
		if err != nil {
			t.Fatal(err)
		}
		h.j.check("POST /admin/cases/{id}/note multipart", "", resp, body)
		if resp.StatusCode != http.StatusSeeOther || len(h.audit.since()) != 1 {
			h.j.failf("a well-formed multipart note: status %d, want 303 and one audit entry", resp.StatusCode)
		}
	})
	h.j.summary(h.start)
}
