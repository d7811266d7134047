package admin

// Hostile input on the admin forms added after hostile_test.go was written:
// 要情 reports, quarterly statistics, the working-day calendar, the
// settings and the outbox, with their query strings and :id — each field
// gets its share of the payloads (laterFields) and is judged by the rules
// of hostile_test.go. A refusal must leave every 要情 report (status,
// version, text, signature), every quarterly report, the calendar entries,
// the settings and their versions, the outbox and the audit log as they
// were (recordsState: each form is held to the records it may change, the
// audit log to all); an accepted form makes one change with its audit
// entry, and what it stored is a value the form allows.

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/store"
)

// cityStaff signs in, once, a handler of 长春市 (drafts, edits, submits and
// corrects reports) and a leader of the province (sees every city's
// quarterly statistics, and picks the city in the query); the leader of
// 长春市 (h.leader) signs reports and submits the quarterly statistics.
func (h *hostile) cityStaff() {
	h.t.Helper()
	if h.hc != nil {
		return
	}
	h.handler = h.e.addUser("hhandler", store.RoleHandler, "220100")
	h.provLeader = h.e.addUser("hprovleader", store.RoleLeader, "220000")
	h.hc, h.pc = h.e.client(), h.e.client()
	h.hc.login(h.handler)
	h.pc.login(h.provLeader)
	h.hcToken = h.hc.token("/admin")
	h.audit.since()
}

// classifiedCase returns a new case of 长春市南关区, accepted and classified
// 重大要情 (250,000 yuan of embezzlement discovered on Friday 2026-11-27):
// the first classified through the service layer, the next copies of it.
func (h *hostile) classifiedCase() string {
	h.t.Helper()
	const key = "classified"
	if _, ok := h.protos[key]; ok {
		return h.copyCase(key)
	}
	ctx := context.Background()
	id := h.caseIn(store.StatusAccepted, "embezzlement")
	c, err := h.e.svc.Classify(ctx, caseflow.SystemActor("test", h.e.regions), id, 0, "2026-11-27", false)
	if err != nil {
		h.t.Fatalf("classify a case: %v", err)
	}
	if c.ImportantClass != store.ClassMajor {
		h.t.Fatalf("classified as %q, want major", c.ImportantClass)
	}
	events, err := h.e.st.CaseEvents(ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	h.protos[key] = protoCase{c, events}
	h.audit.since()
	return id
}

// Areas of the records the later forms change, for recordsState.
const (
	recReports   = 1 << iota // every 要情 report: status, version, text, signature
	recQuarterly             // the quarterly statistics submitted
	recCalendar              // the calendar entries administrators stored
	recSettings              // the settings, with their versions
	recMail                  // the outbox
)

// records is the state of some areas of records at one moment.
type records struct {
	areas int
	state string
}

func (h *hostile) records(areas int) records {
	h.t.Helper()
	return records{areas, h.recordsState(areas)}
}

// changed says how the areas of r differ now; "" when they do not.
func (r records) changed(h *hostile) string {
	h.t.Helper()
	return firstDiff(r.state, h.recordsState(r.areas))
}

// recordsState is the records of areas as one string. A form is checked
// against the areas it may change (reading everything for every request
// would make most of the test's time); the audit log is checked for all.
func (h *hostile) recordsState(areas int) string {
	h.t.Helper()
	ctx := context.Background()
	st := h.e.st
	var b strings.Builder
	if areas&recReports != 0 {
		// No region filter: the store's internal reading of every report.
		for off := 0; ; {
			rs, total, err := st.ListImportantReports(ctx, store.ImportantFilter{Limit: store.MaxLimit, Offset: off})
			if err != nil {
				h.t.Fatal(err)
			}
			for _, r := range rs {
				fmt.Fprintf(&b, "report %s|%s|%d|%d|%s|%q|%q|%q|%s|%s|%s|%v\n", r.ID, r.Status, r.Version, r.Revision, r.Supersedes,
					r.Title, r.Body, r.ChangeNote, r.SignedBy, r.SignedHash, r.SubmittedBy, r.UpdatedAt)
			}
			off += len(rs)
			if len(rs) == 0 || off >= total {
				break
			}
		}
	}
	if areas&recQuarterly != 0 {
		qs, _, err := st.ListQuarterlyReports(ctx, store.MaxLimit, 0)
		if err != nil {
			h.t.Fatal(err)
		}
		for _, q := range qs {
			fmt.Fprintf(&b, "quarterly %s|%s|%d|%v\n", q.ID, q.SubmittedBy, len(q.Rows), q.SubmittedAt)
		}
	}
	if areas&recCalendar != 0 {
		cal, err := st.CalendarEntries(ctx)
		if err != nil {
			h.t.Fatal(err)
		}
		for _, c := range cal {
			fmt.Fprintf(&b, "calendar %s|%q|%v\n", c.Date, c.Name, c.OffDay)
		}
	}
	if areas&recSettings != 0 {
		settings, err := st.ListSettings(ctx)
		if err != nil {
			h.t.Fatal(err)
		}
		for _, s := range settings {
			fmt.Fprintf(&b, "setting %s|%d|%s\n", s.Key, s.Version, s.Value)
		}
	}
	if areas&recMail != 0 {
		f := store.MailFilter{Limit: store.MaxLimit}
		for {
			mails, total, err := st.ListMail(ctx, f)
			if err != nil {
				h.t.Fatal(err)
			}
			for _, m := range mails {
				fmt.Fprintf(&b, "mail %s|%s|%d|%v|%q\n", m.ID, m.Status, m.Attempts, m.NextAttemptAt, m.LastError)
			}
			f.Offset += len(mails)
			if len(mails) == 0 || f.Offset >= total {
				break
			}
		}
	}
	return b.String()
}

// judgeForm applies what every later form must keep after the generic
// checks: a success (status 303 to one of done) made a change (changed says
// whether it did, "" when it did) with exactly the audit entries want, and
// took a value the form allows (problem ""); anything else below 400 but a
// 200 is wrong; a refusal (or a 200, a form shown again) changed nothing.
func (h *hostile) judgeForm(what, p string, resp *http.Response, before records, done []string, want []string,
	changed func() string, problem func() string) bool {
	h.t.Helper()
	entries := h.audit.since()
	accepted := resp.StatusCode == http.StatusSeeOther && slices.Contains(done, resp.Header.Get("Location"))
	switch {
	case accepted:
		if got := actions(entries); !slices.Equal(got, want) {
			h.j.failf("%s with %q: accepted with audit entries %v, want %v", what, clip(p, 80), got, want)
		}
		if why := changed(); why != "" {
			h.j.failf("%s with %q: accepted, but %s", what, clip(p, 80), why)
		}
		if why := problem(); why != "" {
			h.j.failf("%s with %q: accepted, but %s", what, clip(p, 80), why)
		}
	case resp.StatusCode < 400 && resp.StatusCode != http.StatusOK:
		h.j.failf("%s with %q: status %d to %q", what, clip(p, 80), resp.StatusCode, resp.Header.Get("Location"))
	default:
		if diff := before.changed(h); diff != "" {
			h.j.failf("%s with %q: refused (%d) but records changed:\n%s", what, clip(p, 80), resp.StatusCode, diff)
		}
		if len(entries) > 0 {
			h.j.failf("%s with %q: refused (%d) but audited %v", what, clip(p, 80), resp.StatusCode, actions(entries))
		}
	}
	return accepted
}

// firstDiff shows the first line where two states differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		x, y := "", ""
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "  before: " + clip(x, 200) + "\n  after:  " + clip(y, 200)
		}
	}
	return ""
}

// expectAudit fails the test unless the audit entries since the last look
// are want: for the valid steps that prepare a payload's form.
func (h *hostile) expectAudit(what string, want ...string) {
	h.t.Helper()
	if got := actions(h.audit.since()); !slices.Equal(got, want) {
		h.t.Fatalf("%s: audit entries %v, want %v", what, got, want)
	}
}

func (h *hostile) report(id string) *store.ImportantReport {
	h.t.Helper()
	r, err := h.e.st.ImportantReportInRegions(context.Background(), id, h.e.regions.Descendants("220100"))
	if err != nil {
		h.t.Fatalf("report %s: %v", id, err)
	}
	return r
}

// draftReport drafts the report of a new classified case through its form,
// as the handler.
func (h *hostile) draftReport() string {
	h.t.Helper()
	cs := h.classifiedCase()
	resp, body := h.hc.post("/admin/cases/"+cs+"/report", url.Values{"_csrf": {h.hcToken}})
	h.j.check("POST /admin/cases/{id}/report", "", resp, body)
	m := reportLink.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		h.t.Fatalf("draft a report: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	h.expectAudit("draft a report", caseflow.AuditReportDraft)
	return m[1]
}

// correction drafts a report, has the leader sign it and the handler
// submit and correct it, each through its form, and returns the
// correction: a draft of revision 2.
func (h *hostile) correction() string {
	h.t.Helper()
	id := h.draftReport()
	steps := []struct {
		cl     *client
		token  string
		action string
		form   url.Values
		audit  string
	}{
		{h.lc, h.lcToken, "sign", url.Values{"version": {strconv.FormatInt(h.report(id).Version, 10)}}, caseflow.AuditReportSign},
		{h.hc, h.hcToken, "submit", url.Values{}, caseflow.AuditReportSubmit},
		{h.hc, h.hcToken, "correct", url.Values{}, caseflow.AuditReportCorrect},
	}
	loc := ""
	for _, s := range steps {
		s.form.Set("_csrf", s.token)
		resp, body := s.cl.post("/admin/reports/"+id+"/"+s.action, s.form)
		h.j.check("POST /admin/reports/{id}/"+s.action, "", resp, body)
		if resp.StatusCode != http.StatusSeeOther {
			h.t.Fatalf("%s a report: status %d\n%s", s.action, resp.StatusCode, clip(body, 300))
		}
		h.expectAudit(s.action+" a report", s.audit)
		loc = resp.Header.Get("Location")
	}
	m := reportLink.FindStringSubmatch(loc)
	if m == nil || m[1] == id {
		h.t.Fatalf("correct a report went to %q", loc)
	}
	if r := h.report(m[1]); r.Revision != 2 || r.Status != store.ReportDraft {
		h.t.Fatalf("the correction is revision %d, %s", r.Revision, r.Status)
	}
	return m[1]
}

// reportSupply keeps a draft of each revision (1, and 2: a correction) and
// replaces one that a payload signed.
type reportSupply struct {
	h      *hostile
	drafts map[int]string
}

func (s *reportSupply) draft(revision int) string {
	if id, ok := s.drafts[revision]; ok {
		return id
	}
	id := s.h.draftReport()
	if revision > 1 {
		id = s.h.correction()
	}
	s.drafts[revision] = id
	return id
}

const (
	validReportTitle = "关于某某商贸有限公司挪用社会保险费的重大要情报告"
	validReportBody  = "一、基本情况\n某某商贸有限公司财务人员挪用社会保险费25万元。\n二、目前查明的情况\n已调取银行流水。"
	validChangeNote  = "补充核实的金额。"
)

// reportForms: the draft's form (title, body, the correction note, version)
// as the handler, and signing (version) as the leader.
func (h *hostile) reportForms(payloads []string) {
	h.t.Helper()
	h.cityStaff()
	s := &reportSupply{h: h, drafts: map[int]string{}}
	h.reportBaselines(s)
	for _, field := range []string{"title", "body", "changeNote", "version"} {
		every := freeTextEvery
		if field == "version" {
			every = 0
		}
		for i, p := range share(payloads, "report "+field, every) {
			// The note is a field of a correction's form; a first report's
			// form has none, so one sent to it is forged.
			revision := 1
			if field == "changeNote" && i%3 != 0 {
				revision = 2
			}
			h.postReport(s, revision, field, p)
		}
	}
	for _, p := range share(payloads, "report sign version", 0) {
		h.postSign(s, p)
	}
}

// reportBaselines adds the report pages, as they are without payloads, to
// the judge's baseline.
func (h *hostile) reportBaselines(s *reportSupply) {
	h.t.Helper()
	for _, rev := range []int{1, 2} {
		id := s.draft(rev)
		for _, path := range []string{"/admin/reports/" + id, "/admin/reports/" + id + "/print"} {
			resp, body := h.hc.get(path)
			h.j.addBaseline(path, resp, body)
		}
	}
	resp, body := h.hc.get("/admin/reports")
	h.j.addBaseline("reports", resp, body)
}

func (h *hostile) postReport(s *reportSupply, revision int, field, p string) {
	h.t.Helper()
	id := s.draft(revision)
	before := h.report(id)
	records := h.records(recReports)
	v := url.Values{"title": {validReportTitle}, "body": {validReportBody}, "version": {strconv.FormatInt(before.Version, 10)},
		"_csrf": {h.hcToken}}
	if revision > 1 {
		v.Set("changeNote", validChangeNote)
	}
	v.Set(field, p)
	what := fmt.Sprintf("POST /admin/reports/{id} (revision %d) field %s", revision, field)
	resp, body := h.hc.post("/admin/reports/"+id, v)
	h.j.check(what, p, resp, body)
	after := h.report(id)
	accepted := h.judgeForm(what, p, resp, records, []string{"/admin/reports/" + id + "?done=saved"},
		[]string{caseflow.AuditReportUpdate},
		func() string {
			if after.Version != before.Version+1 || after.Status != store.ReportDraft {
				return fmt.Sprintf("version %d → %d, status %s", before.Version, after.Version, after.Status)
			}
			return ""
		},
		func() string { return storedReportProblem(field, p, revision, before, after) })
	if accepted && len(rawForms(p)) > 0 {
		h.showsReport(id, p)
	}
}

// storedReportProblem says what is wrong with the text a report form
// stored when field held p; "" when nothing is. Title and body keep what
// was typed, the title on one line, the body without surrounding blank
// space; every part is text a person can type.
func storedReportProblem(field, p string, revision int, before, after *store.ImportantReport) string {
	for _, part := range []string{after.Title, after.Body, after.ChangeNote} {
		if !caseflow.PlainText(part) {
			return fmt.Sprintf("it stored %q, which is not plain text", clip(part, 80))
		}
	}
	switch field {
	case "title":
		if want := strings.Join(strings.Fields(p), " "); after.Title != want || want == "" {
			return fmt.Sprintf("the title stored is %q", clip(after.Title, 80))
		}
	case "body":
		if want := strings.TrimSpace(strings.ReplaceAll(p, "\r\n", "\n")); after.Body != want || want == "" {
			return fmt.Sprintf("the body stored is %q", clip(after.Body, 80))
		}
	case "changeNote":
		want := strings.TrimSpace(p)
		if revision == 1 {
			if after.ChangeNote != "" {
				return fmt.Sprintf("a first report stored the correction note %q, which its form does not have", clip(after.ChangeNote, 80))
			}
		} else if after.ChangeNote != want || want == "" {
			return fmt.Sprintf("the note stored is %q", clip(after.ChangeNote, 80))
		}
	case "version":
		if p != strconv.FormatInt(before.Version, 10) {
			return "not the version of the page"
		}
	}
	return ""
}

// showsReport loads a report's page and print view after a payload was
// stored in it, and checks that neither shows it as it was sent.
func (h *hostile) showsReport(id, p string) {
	h.t.Helper()
	for _, path := range []string{"/admin/reports/" + id, "/admin/reports/" + id + "/print"} {
		resp, body := h.hc.get(path)
		what := "GET " + strings.Replace(path, id, "{id}", 1) + " showing what was stored"
		h.j.check(what, p, resp, body)
		if resp.StatusCode != http.StatusOK {
			h.j.failf("%s: status %d", what, resp.StatusCode)
		}
	}
}

func (h *hostile) postSign(s *reportSupply, p string) {
	h.t.Helper()
	id := s.draft(1)
	before := h.report(id)
	records := h.records(recReports)
	what := "POST /admin/reports/{id}/sign field version"
	resp, body := h.lc.post("/admin/reports/"+id+"/sign", url.Values{"version": {p}, "_csrf": {h.lcToken}})
	h.j.check(what, p, resp, body)
	after := h.report(id)
	if h.judgeForm(what, p, resp, records, []string{"/admin/reports/" + id + "?done=signed"}, []string{caseflow.AuditReportSign},
		func() string {
			if after.Status != store.ReportSigned || after.Version != before.Version+1 || after.SignedBy != h.leader.User.ID {
				return fmt.Sprintf("status %s, version %d → %d, signed by %q", after.Status, before.Version, after.Version, after.SignedBy)
			}
			return ""
		},
		func() string {
			if p != strconv.FormatInt(before.Version, 10) {
				return "not the version of the page"
			}
			return ""
		}) {
		delete(s.drafts, 1)
	}
}

// quarterlyForms: submitting 长春市's statistics (year, quarter) as its
// leader.
func (h *hostile) quarterlyForms(payloads []string) {
	h.t.Helper()
	h.cityStaff()
	h.classifiedCase() // one 要情 in 2026 Q4, and the statistics pages
	for _, c := range []struct {
		cl   *client
		path string
	}{
		{h.lc, "/admin/quarterly"}, {h.pc, "/admin/quarterly?year=2026&quarter=3&city=220100"},
		{h.lc, "/admin/quarterly/print"}, {h.lc, "/admin/quarterly/export.csv"},
	} {
		resp, body := c.cl.get(c.path)
		h.j.addBaseline(c.path, resp, body)
	}
	h.quarterlyStoredCodes(payloads)
	for _, field := range []string{"year", "quarter"} {
		for _, p := range share(payloads, "quarterly submit "+field, 0) {
			v := url.Values{"year": {"2026"}, "quarter": {"3"}}
			v.Set(field, p)
			year, yerr := strconv.Atoi(v.Get("year"))
			quarter, qerr := strconv.Atoi(v.Get("quarter"))
			id := casework.QuarterlyReportID("220100", year, quarter)
			_, stored := h.quarterly(id)
			records := h.records(recQuarterly)
			v.Set("_csrf", h.lcToken)
			what := "POST /admin/quarterly/submit field " + field
			resp, body := h.lc.post("/admin/quarterly/submit", v)
			h.j.check(what, p, resp, body)
			done := fmt.Sprintf("/admin/quarterly?done=submitted&quarter=%d&year=%d", quarter, year)
			h.judgeForm(what, p, resp, records, []string{done}, []string{caseflow.AuditQuarterly},
				func() string {
					if q, ok := h.quarterly(id); !ok || stored || q.SubmittedBy != h.leader.User.ID {
						return "no new statistics " + id + " submitted by the leader"
					}
					return ""
				},
				func() string {
					// A quarter that has ended (the tests' day is in 2026 Q4)
					// of a year the page offers.
					if yerr != nil || qerr != nil || year < 2000 || quarter < 1 || quarter > 4 || year*4+quarter > 2026*4+3 {
						return fmt.Sprintf("year %q and quarter %q are not a quarter that has ended", v.Get("year"), v.Get("quarter"))
					}
					return ""
				})
		}
	}
}

// quarterlyStoredCodes: cases whose problem category and insurance type
// are payloads, as a store written behind the portal's back (an import,
// another installation's data) could hold them. Where no label fits, the
// statistics show a code as it is: the pages must escape it, and the CSV
// export must keep every cell from being read as a formula.
func (h *hostile) quarterlyStoredCodes(payloads []string) {
	h.t.Helper()
	h.classifiedCase() // the case the copies are made from
	codes := share(payloads, "quarterly stored codes", 0)
	for _, p := range codes {
		h.copyCase("classified", func(c *store.Case) {
			c.Category, c.InsuranceTypes = p, []string{p, "pension"}
		})
	}
	const q = "?year=2026&quarter=4"
	for _, path := range []string{"/admin/quarterly" + q, "/admin/quarterly/print" + q, "/admin/quarterly/export.csv" + q} {
		what := "GET " + path + " with codes that are payloads"
		resp, body := h.lc.get(path)
		if resp.StatusCode != http.StatusOK {
			h.j.failf("%s: status %d", what, resp.StatusCode)
			continue
		}
		if !strings.Contains(path, ".csv") {
			h.j.check(what, "", resp, body)
			for _, p := range codes {
				h.j.notReflected(what, p, resp, body)
			}
			continue
		}
		h.j.checkCSV(what, "", resp, body)
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
		r.FieldsPerRecord = -1
		rows, _ := r.ReadAll()
		for _, p := range codes {
			// The cell as WriteCSV neutralises it; a CSV writer ending
			// lines with CRLF drops a lone carriage return.
			want := strings.ReplaceAll(casework.NeutraliseCSVCell(strings.ToValidUTF8(p, "\uFFFD")), "\r", "")
			if !slices.ContainsFunc(rows, func(row []string) bool {
				return len(row) > 2 && strings.ReplaceAll(strings.ToValidUTF8(row[1], "\uFFFD"), "\r", "") == want
			}) {
				h.j.failf("%s: no row of the category %q", what, clip(p, 80))
			}
		}
	}
}

// quarterly returns the statistics stored under id.
func (h *hostile) quarterly(id string) (*store.QuarterlyReport, bool) {
	h.t.Helper()
	qs, _, err := h.e.st.ListQuarterlyReports(context.Background(), store.MaxLimit, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, q := range qs {
		if q.ID == id {
			return q, true
		}
	}
	return nil, false
}

// calendarFields maps a field of the calendar's year form to the form
// name it is sent as; the form is calendarBase with that one value set.
var calendarFields = map[string]string{
	"year": "year", "rows": "rows", "date": "date0", "name": "name0", "kind": "kind0", "more": "more",
}

// calendarBase is the year form for 2027 with one holiday and two blank
// rows; for the kind field its day is a Saturday, where both kinds are
// allowed.
func calendarBase(field string) url.Values {
	v := url.Values{"year": {"2027"}, "rows": {"3"}, "date0": {"2027-01-01"}, "name0": {"元旦"}, "kind0": {"off"},
		"kind1": {"off"}, "kind2": {"off"}}
	if field == "kind" {
		v.Set("date0", "2027-01-02")
	}
	return v
}

// calendarAndSettingsForms: the calendar's year form and its import, and
// both settings forms, as the province's administrator.
func (h *hostile) calendarAndSettingsForms(payloads []string) {
	h.t.Helper()
	for _, path := range []string{"/admin/calendar", "/admin/calendar?year=2026", "/admin/settings"} {
		resp, body := h.ac.get(path)
		h.j.addBaseline(path, resp, body)
	}
	for _, field := range []string{"year", "rows", "date", "name", "kind", "more"} {
		every := 0
		if field == "name" {
			every = freeTextEvery
		}
		for _, p := range share(payloads, "calendar "+field, every) {
			h.postCalendar(field, p)
		}
	}
	for _, field := range []string{"csv", "file", "year"} {
		every := 0
		if field == "csv" {
			every = freeTextEvery
		}
		for i, p := range share(payloads, "calendar import "+field, every) {
			h.postCalendarImport(field, p, i%2 == 0)
		}
	}
	for _, f := range settingsFields {
		for _, p := range share(payloads, "settings "+f.share, 0) {
			h.postSettings(f.form, f.field, p)
		}
	}
}

func (h *hostile) postCalendar(field, p string) {
	h.t.Helper()
	v := calendarBase(field)
	name := calendarFields[field]
	v.Set(name, p)
	want := store.CalendarEntry{Date: v.Get("date0"), Name: v.Get("name0"), OffDay: v.Get("kind0") != "work"}
	want.Date, want.Name = strings.TrimSpace(want.Date), strings.TrimSpace(want.Name)
	records := h.records(recCalendar)
	v.Set("_csrf", h.acToken)
	what := "POST /admin/calendar field " + name
	resp, body := h.ac.post("/admin/calendar", v)
	h.j.check(what, p, resp, body)
	stored := h.calendarYear("2027")
	h.judgeForm(what, p, resp, records, []string{"/admin/calendar?year=2027&done=saved", "/admin/calendar?year=2027&done=cleared"},
		[]string{caseflow.AuditCalendar},
		func() string {
			if len(stored) != 1 || stored[0] != want {
				return fmt.Sprintf("2027 holds %+v, want %+v", stored, want)
			}
			return ""
		},
		func() string {
			for _, e := range stored {
				if why := calendarEntryProblem(e); why != "" {
					return why
				}
			}
			switch field {
			case "year":
				if n, err := strconv.Atoi(p); err != nil || n != 2027 {
					return "not the year of the page"
				}
			case "rows":
				if n, err := strconv.Atoi(p); err != nil || n < 1 || strconv.Itoa(n) != p {
					return "not a number of rows of the page"
				}
			case "kind":
				if p != "off" && p != "work" {
					return "not a kind of day the form offers"
				}
			case "more":
				return "adding rows stored the year"
			}
			return ""
		})
}

// calendarEntryProblem says what is wrong with a stored calendar entry: a
// real date of the years administrators may enter, and a name that is one
// line of visible text (casework.SingleLineText), as names are.
func calendarEntryProblem(e store.CalendarEntry) string {
	d, err := time.Parse(time.DateOnly, e.Date)
	switch {
	case err != nil || d.Year() < casework.MinCalendarYear || d.Year() > casework.MaxCalendarYear:
		return fmt.Sprintf("it stored the date %q", clip(e.Date, 40))
	case e.Name == "" || utf8.RuneCountInString(e.Name) > casework.MaxHolidayNameRunes || !casework.SingleLineText(e.Name) ||
		strings.TrimSpace(e.Name) != e.Name:
		return fmt.Sprintf("it stored the name %q, which is not one line of visible text", clip(e.Name, 40))
	}
	return ""
}

func (h *hostile) calendarYear(year string) []store.CalendarEntry {
	h.t.Helper()
	all, err := h.e.st.CalendarEntries(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	var out []store.CalendarEntry
	for _, e := range all {
		if strings.HasPrefix(e.Date, year+"-") {
			out = append(out, e)
		}
	}
	return out
}

// validCalendarCSV is a file of one 2028 holiday.
const validCalendarCSV = "date,name,off_day\n2028-01-01,元旦,true\n"

// postCalendarImport sends the import form, multipart as the page does:
// the payload as the pasted text (whole, or as a holiday's name on a line
// of its own), as the uploaded file (whole, or as a name written by a CSV
// writer), or as the year (with a good file, or none).
func (h *hostile) postCalendarImport(field, p string, whole bool) {
	h.t.Helper()
	fields := map[string]string{"_csrf": h.acToken, "year": "2028"}
	fileName, file := "", ""
	switch field {
	case "csv":
		fields["csv"] = p
		if !whole {
			fields["csv"] = "date,name,off_day\n2028-01-01," + p + ",true\n"
		}
	case "file":
		fileName, file = "holidays.csv", p
		if !whole {
			var b bytes.Buffer
			w := csv.NewWriter(&b)
			_ = w.WriteAll([][]string{{"date", "name", "off_day"}, {"2028-01-01", p, "true"}})
			file = b.String()
		}
	case "year":
		fields["year"] = p
		if whole {
			fields["csv"] = validCalendarCSV
		}
	}
	records := h.records(recCalendar)
	what := fmt.Sprintf("POST /admin/calendar/import field %s (whole %v)", field, whole)
	resp, body := h.ac.postMultipart("/admin/calendar/import", fields, fileName, file)
	h.j.check(what, p, resp, body)
	loc := resp.Header.Get("Location")
	q, _ := url.ParseQuery(strings.TrimPrefix(loc, "/admin/calendar?"))
	years := strings.Split(q.Get("years"), ",")
	var audits []string
	for range years {
		audits = append(audits, caseflow.AuditCalendar)
	}
	done := []string{}
	if strings.HasPrefix(loc, "/admin/calendar?") && q.Get("done") == "imported" {
		done = append(done, loc)
	}
	h.judgeForm(what, p, resp, records, done, audits,
		func() string {
			for _, y := range years {
				if len(h.calendarYear(y)) == 0 {
					return "nothing stored for " + y
				}
			}
			return ""
		},
		func() string {
			for _, y := range years {
				for _, e := range h.calendarYear(y) {
					if why := calendarEntryProblem(e); why != "" {
						return why
					}
				}
			}
			return ""
		})
}

// settingsFields are the fields of the two settings forms, with the share
// each takes its payloads from.
var settingsFields = []struct{ form, field, share string }{
	{caseflow.SettingDeadlines, "acceptWorkingDays", "acceptWorkingDays"},
	{caseflow.SettingDeadlines, "notifyWorkingDays", "notifyWorkingDays"},
	{caseflow.SettingDeadlines, "investigationDays", "investigationDays"},
	{caseflow.SettingDeadlines, "extensionDays", "extensionDays"},
	{caseflow.SettingDeadlines, "version", "deadlines version"},
	{caseflow.SettingImportant, "majorThreshold", "majorThreshold"},
	{caseflow.SettingImportant, "nationalThreshold", "nationalThreshold"},
	{caseflow.SettingImportant, "importantDays", "importantDays"},
	{caseflow.SettingImportant, "majorDays", "majorDays"},
	{caseflow.SettingImportant, "version", "important version"},
}

// settingsBase is a settings form filled in with the defaults.
func settingsBase(form string) url.Values {
	if form == caseflow.SettingDeadlines {
		return url.Values{"acceptWorkingDays": {"5"}, "notifyWorkingDays": {"10"}, "investigationDays": {"60"}, "extensionDays": {"30"}}
	}
	return url.Values{"majorThreshold": {"100,000.00"}, "nationalThreshold": {"500,000.00"}, "importantDays": {"2"}, "majorDays": {"3"}}
}

func (h *hostile) settingVersion(key string) int64 {
	h.t.Helper()
	s, err := h.e.st.SettingByKey(context.Background(), key)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return 0
	} else if err != nil {
		h.t.Fatal(err)
	}
	return s.Version
}

// postSettings sends a settings form with field set to p. A success must
// leave the rules in force at exactly the values typed: whole numbers of
// days, amounts in yuan as casework.ParseYuan reads them.
func (h *hostile) postSettings(form, field, p string) {
	h.t.Helper()
	v := settingsBase(form)
	version := h.settingVersion(form)
	v.Set("version", strconv.FormatInt(version, 10))
	v.Set(field, p)
	typed := map[string]string{}
	for k := range v {
		typed[k] = v.Get(k)
	}
	records := h.records(recSettings)
	v.Set("_csrf", h.acToken)
	what := "POST /admin/settings/" + form + " field " + field
	resp, body := h.ac.post("/admin/settings/"+form, v)
	h.j.check(what, p, resp, body)
	h.judgeForm(what, p, resp, records, []string{"/admin/settings?done=" + form}, []string{caseflow.AuditSettings},
		func() string {
			if got := h.settingVersion(form); got != version+1 {
				return fmt.Sprintf("setting version %d → %d", version, got)
			}
			return ""
		},
		func() string {
			if field == "version" && p != strconv.FormatInt(version, 10) {
				return "not the version of the page"
			}
			var got map[string]int64
			if form == caseflow.SettingDeadlines {
				r := h.e.rules.Deadlines()
				got = map[string]int64{"acceptWorkingDays": int64(r.AcceptWorkingDays), "notifyWorkingDays": int64(r.NotifyWorkingDays),
					"investigationDays": int64(r.InvestigationDays), "extensionDays": int64(r.ExtensionDays)}
			} else {
				r := h.e.rules.Important()
				got = map[string]int64{"majorThreshold": r.MajorThresholdFen, "nationalThreshold": r.NationalThresholdFen,
					"importantDays": int64(r.ImportantDays), "majorDays": int64(r.MajorDays)}
			}
			for name, n := range got {
				var want int64
				var err error
				if strings.HasSuffix(name, "Threshold") {
					want, err = casework.ParseYuan(typed[name])
				} else {
					var i int
					i, err = strconv.Atoi(strings.TrimSpace(typed[name]))
					want = int64(i)
				}
				if err != nil || n != want {
					return fmt.Sprintf("%s is %d in force, from %q typed", name, n, clip(typed[name], 60))
				}
			}
			return ""
		})
}

// outboxForms: mail whose server answer is a payload, shown on the outbox
// page; sending a failed mail again, and again (a second click).
func (h *hostile) outboxForms(payloads []string) {
	h.t.Helper()
	ctx := context.Background()
	var stored []string
	var first string
	for _, p := range share(payloads, "outbox lastError", 0) {
		m := &store.Mail{ID: store.NewID(), To: "ops@example.gov.cn", Subject: "新案件通知", Body: "有新的举报投诉，请及时处理。",
			Kind: caseflow.MailNewCase, RegionCode: "220100", CreatedAt: store.Truncate(h.e.clock())}
		if err := h.e.st.EnqueueMail(ctx, m); err != nil {
			h.t.Fatal(err)
		}
		if err := h.e.st.MarkMailFailed(ctx, m.ID, p, m.CreatedAt, true); err != nil {
			h.j.failf("the outbox refuses the server answer %q: %v", clip(p, 80), err)
			continue
		}
		stored = append(stored, p)
		if first == "" {
			first = m.ID
		}
	}
	resp, body := h.ac.get("/admin/outbox")
	h.j.check("GET /admin/outbox with server answers that are payloads", "", resp, body)
	if resp.StatusCode != http.StatusOK {
		h.j.failf("GET /admin/outbox: status %d", resp.StatusCode)
	}
	for _, p := range stored {
		h.j.notReflected("GET /admin/outbox showing a server answer", p, resp, body)
	}
	for i, done := range []string{"/admin/outbox?done=retry", "/admin/outbox"} {
		records := h.records(recMail)
		what := "POST /admin/outbox/{id}/retry"
		if i > 0 {
			what += " again"
		}
		resp, body := h.ac.post("/admin/outbox/"+first+"/retry", url.Values{"_csrf": {h.acToken}})
		h.j.check(what, "", resp, body)
		diff := records.changed(h)
		got := actions(h.audit.since())
		switch {
		case resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != done:
			h.j.failf("%s: status %d to %q, want %s", what, resp.StatusCode, resp.Header.Get("Location"), done)
		case i == 0 && (diff == "" || !slices.Equal(got, []string{caseflow.AuditMailSend})):
			h.j.failf("%s: changed %v, audited %v", what, diff != "", got)
		case i > 0 && (diff != "" || len(got) > 0):
			h.j.failf("%s: a second click changed something or audited %v", what, got)
		}
	}
}

// laterBaselines adds the later pages, as they are without payloads, to
// the judge's baseline.
func (h *hostile) laterBaselines(report string) {
	h.t.Helper()
	for _, pg := range []struct {
		cl   *client
		path string
	}{
		{h.hc, "/admin/reports"}, {h.hc, "/admin/reports/" + report}, {h.hc, "/admin/reports/" + report + "/print"},
		{h.lc, "/admin/quarterly"}, {h.lc, "/admin/quarterly/export.csv"}, {h.lc, "/admin/quarterly/print"},
		{h.pc, "/admin/quarterly"}, {h.pc, "/admin/quarterly?city=220100"},
		{h.ac, "/admin/calendar"}, {h.ac, "/admin/settings"}, {h.ac, "/admin/outbox"},
	} {
		resp, body := pg.cl.get(pg.path)
		h.j.addBaseline(pg.path, resp, body)
	}
}

// laterQueries: the query strings of the later pages, every parameter set
// to the payload at once and the payload as a parameter name. Reading
// changes nothing; a CSV export keeps every cell neutralised.
func (h *hostile) laterQueries(payloads []string, report string) {
	h.t.Helper()
	pages := []struct {
		cl     *client
		path   string
		key    string
		params []string
		status []int
		areas  int
	}{
		{h.hc, "/admin/reports", "", []string{"status", "overdue"}, nil, recReports},
		{h.hc, "/admin/reports/" + report, "/admin/reports/{id}", []string{"done"}, nil, recReports},
		{h.hc, "/admin/reports/" + report + "/print", "/admin/reports/{id}/print", nil, nil, recReports},
		{h.lc, "/admin/quarterly", "", []string{"year", "quarter", "city", "done"}, nil, recQuarterly},
		{h.lc, "/admin/quarterly/export.csv", "", []string{"year", "quarter", "city"}, nil, recQuarterly},
		{h.lc, "/admin/quarterly/print", "", []string{"year", "quarter", "city"}, nil, recQuarterly},
		// The province picks the city in the query: not one, nothing.
		{h.pc, "/admin/quarterly", "", []string{"year", "quarter", "city", "done"}, nil, recQuarterly},
		{h.pc, "/admin/quarterly/export.csv", "", []string{"year", "quarter", "city"}, []int{http.StatusNotFound}, recQuarterly},
		{h.pc, "/admin/quarterly/print", "", []string{"year", "quarter", "city"}, []int{http.StatusNotFound}, recQuarterly},
		{h.ac, "/admin/calendar", "", []string{"year", "done", "years"}, nil, recCalendar | recSettings},
		{h.ac, "/admin/settings", "", []string{"done"}, nil, recCalendar | recSettings},
		{h.ac, "/admin/outbox", "", []string{"done"}, nil, recMail},
	}
	byKey := map[string][]int{}
	for i, pg := range pages {
		key := pg.key
		if key == "" {
			key = pg.path
		}
		byKey[key] = append(byKey[key], i)
	}
	for _, key := range slices.Sorted(maps.Keys(byKey)) {
		idx := byKey[key]
		for n, p := range share(payloads, "query "+key, 0) {
			pg := pages[idx[n%len(idx)]]
			q := url.QueryEscape(p)
			var parts []string
			for _, k := range pg.params {
				parts = append(parts, k+"="+q)
			}
			parts = append(parts, q+"=1")
			target := pg.path + "?" + strings.Join(parts, "&")
			records := h.records(pg.areas)
			resp, body := pg.cl.do(httptest.NewRequest(http.MethodGet, target, nil))
			what := "GET " + key + " query"
			if strings.HasSuffix(pg.path, ".csv") && resp.StatusCode == http.StatusOK {
				h.j.checkCSV(what, p, resp, body)
			} else {
				h.j.check(what, p, resp, body)
			}
			want := append([]int{http.StatusOK}, pg.status...)
			if !slices.Contains(want, resp.StatusCode) {
				h.j.failf("%s with %q: status %d, want one of %v", what, clip(p, 80), resp.StatusCode, want)
			}
			if entries := h.audit.since(); len(entries) > 0 || records.changed(h) != "" {
				h.j.failf("%s with %q: a page view changed something (audit %v)", what, clip(p, 80), actions(entries))
			}
		}
	}
}

// checkCSV judges a CSV download, to which the rules of pages do not
// apply (its cells are the data as they are): a browser never takes it
// for a page — text/csv, an attachment, no type sniffing — and no cell can
// start a formula (unsafeCSV). The payload must not be in its headers.
func (j *judge) checkCSV(what, payload string, resp *http.Response, body string) {
	j.t.Helper()
	if payload != "" {
		sent.Store(payload, true)
	}
	j.requests++
	j.byStatus[resp.StatusCode]++
	switch {
	case !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv"):
		j.failf("%s with %q: Content-Type %q", what, clip(payload, 80), resp.Header.Get("Content-Type"))
	case !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment"):
		j.failf("%s with %q: Content-Disposition %q", what, clip(payload, 80), resp.Header.Get("Content-Disposition"))
	case resp.Header.Get("X-Content-Type-Options") != "nosniff":
		j.failf("%s with %q: X-Content-Type-Options %q", what, clip(payload, 80), resp.Header.Get("X-Content-Type-Options"))
	}
	if why := unsafeCSV(body); why != "" {
		j.failf("%s with %q: %s", what, clip(payload, 80), why)
	}
	for _, p := range rawForms(payload) {
		for k, vs := range resp.Header {
			for _, v := range vs {
				if strings.Contains(v, p) {
					j.failf("%s: payload %q appears in header %s", what, clip(p, 80), k)
				}
			}
		}
	}
}

// unsafeCSV says what is wrong with an export: it is UTF-8 CSV after a
// byte-order mark, and no cell starts with a character that makes a
// spreadsheet read it as a formula (= + - @, a tab or a carriage return)
// unless an apostrophe comes first.
func unsafeCSV(body string) string {
	text, ok := strings.CutPrefix(body, "\ufeff")
	if !ok {
		return "the CSV does not start with a byte-order mark"
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return "the CSV does not parse: " + err.Error()
	}
	for _, rec := range records {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				return fmt.Sprintf("the cell %q could run as a formula", clip(cell, 60))
			}
		}
	}
	return ""
}

// laterIDs: the :id of the report and outbox routes.
func (h *hostile) laterIDs(payloads []string) {
	h.t.Helper()
	routes := []struct {
		cl     *client
		token  string
		method string
		path   string
		form   url.Values
		areas  int
	}{
		{h.hc, h.hcToken, http.MethodPost, "/admin/cases/{id}/report", url.Values{}, recReports},
		{h.hc, "", http.MethodGet, "/admin/reports/{id}", nil, recReports},
		{h.hc, "", http.MethodGet, "/admin/reports/{id}/print", nil, recReports},
		{h.hc, h.hcToken, http.MethodPost, "/admin/reports/{id}", url.Values{"title": {validReportTitle}, "body": {validReportBody}, "version": {"1"}}, recReports},
		{h.lc, h.lcToken, http.MethodPost, "/admin/reports/{id}/sign", url.Values{"version": {"1"}}, recReports},
		{h.hc, h.hcToken, http.MethodPost, "/admin/reports/{id}/submit", url.Values{}, recReports},
		{h.hc, h.hcToken, http.MethodPost, "/admin/reports/{id}/correct", url.Values{}, recReports},
		{h.ac, h.acToken, http.MethodPost, "/admin/outbox/{id}/retry", url.Values{}, recMail},
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
				v := url.Values{"_csrf": {r.token}}
				for k, vs := range r.form {
					v[k] = vs
				}
				req = httptest.NewRequest(r.method, target, strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			records := h.records(r.areas)
			resp, body := r.cl.do(req)
			what := r.method + " " + r.path + " with the payload as {id}"
			h.j.check(what, p, resp, body)
			if resp.StatusCode < 400 {
				h.j.failf("%s with %q: status %d, want a refusal", what, clip(p, 80), resp.StatusCode)
			}
			if entries := h.audit.since(); len(entries) > 0 || records.changed(h) != "" {
				h.j.failf("%s with %q: refused (%d) but changed something (audit %v)", what, clip(p, 80), resp.StatusCode, actions(entries))
			}
		}
	}
}

// TestHostileCSVCells writes every payload through casework.WriteCSV, alone,
// among other cells and after a line break or a carriage return, and reads
// the file back as a spreadsheet would: the rows and cells are those
// written, and no cell can start a formula.
func TestHostileCSVCells(t *testing.T) {
	t.Parallel()
	payloads := hostilePayloads(t)
	extra := []string{"=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\r\n=1", "\n=1", "'=1", "\"=1\"", "=\"a\"\"b\"",
		"\ufeff=1", " =1", "=cmd|' /C calc'!A0", "-12.50", "\x00=1"}
	failures := 0
	for _, p := range append(slices.Clone(payloads), extra...) {
		rows := [][]string{{p}, {"地区", p, "统计期"}, {p, p + "\r\n" + p, "\r" + p, "\t" + p}}
		var b bytes.Buffer
		if err := casework.WriteCSV(&b, rows); err != nil {
			t.Errorf("WriteCSV with %q: %v", clip(p, 80), err)
			continue
		}
		why := unsafeCSV(b.String())
		if why == "" {
			r := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff")))
			r.FieldsPerRecord = -1
			got, _ := r.ReadAll()
			if len(got) != len(rows) {
				why = fmt.Sprintf("%d rows written, %d read", len(rows), len(got))
			}
			for i := range min(len(got), len(rows)) {
				if len(got[i]) != len(rows[i]) {
					why = fmt.Sprintf("row %d: %d cells written, %d read", i+1, len(rows[i]), len(got[i]))
				}
			}
		}
		if why != "" {
			failures++
			if failures <= maxReported {
				t.Errorf("WriteCSV with %q: %s", clip(p, 80), why)
			}
		}
	}
	t.Logf("%d payloads and %d more through WriteCSV; %d failures", len(payloads), len(extra), failures)
}

// TestHostileAdminAreasExtras covers, for the later forms, what the lists
// do not: invalid UTF-8 in every field; control characters, bidirectional
// overrides and invisible characters in free text and holiday names; a
// settings value longer than its field; a calendar form with more rows
// than a year has days; a 1 MB report; wrong content types on the import.
func TestHostileAdminAreasExtras(t *testing.T) {
	t.Parallel()
	h := newHostile(t)
	h.cityStaff()
	addr := liveServer(t, h.e)
	s := &reportSupply{h: h, drafts: map[int]string{}}
	report := h.draftReport()
	h.laterBaselines(report)

	run := func(name string, f func(t *testing.T)) {
		t.Run(name, func(st *testing.T) {
			parent := h.t
			h.t, h.j.t, h.e.t = st, st, st
			defer func() { h.t, h.j.t, h.e.t = parent, parent, parent }()
			f(st)
		})
	}

	run("invalid UTF-8 in every field", func(t *testing.T) {
		for _, bad := range []string{"\xff", "张\xe5\xbc三", "\xed\xa0\x80"} {
			for _, field := range []string{"title", "body", "changeNote", "version"} {
				valid := map[string]string{"title": validReportTitle, "body": validReportBody, "changeNote": validChangeNote,
					"version": strconv.FormatInt(h.report(s.draft(2)).Version, 10)}[field]
				h.postReport(s, 2, field, valid+bad)
			}
			h.postSign(s, "1"+bad)
			for _, field := range []string{"year", "quarter"} {
				v := url.Values{"year": {"2026"}, "quarter": {"2"}, "_csrf": {h.lcToken}}
				v.Set(field, v.Get(field)+bad)
				records := h.records(recQuarterly)
				resp, body := h.lc.post("/admin/quarterly/submit", v)
				what := "POST /admin/quarterly/submit invalid UTF-8 in " + field
				h.j.check(what, bad, resp, body)
				h.judgeForm(what, bad, resp, records, nil, nil, nil, nil)
			}
			for _, field := range []string{"year", "rows", "date", "name", "kind", "more"} {
				h.postCalendar(field, calendarBase(field).Get(calendarFields[field])+bad)
			}
			h.postCalendarImport("csv", "元旦"+bad, false)
			h.postCalendarImport("file", "元旦"+bad, false)
			for _, f := range settingsFields {
				value := settingsBase(f.form).Get(f.field)
				if f.field == "version" {
					value = strconv.FormatInt(h.settingVersion(f.form), 10)
				}
				h.postSettings(f.form, f.field, value+bad)
			}
		}
	})

	run("control, bidirectional and invisible characters", func(t *testing.T) {
		// Free text refuses what no person types (caseflow.PlainText); a
		// holiday's name is one line of visible text as every name is
		// (casework.SingleLineText): no invisible or direction marks.
		for _, bad := range []string{"\x00", "\x1b[31m红\x1b[0m", "\u202e", "\u2066隐藏\u2069", "\x7f", "\u0085", "\x08\x08"} {
			h.postReport(s, 2, "title", "报告"+bad+"标题")
			h.postReport(s, 2, "body", "正文"+bad+validReportBody)
			h.postReport(s, 2, "changeNote", "说明"+bad+validChangeNote)
		}
		for _, bad := range []string{"\x00", "\u202e", "\u200f", "\u200e", "\u061c", "\u200b", "\ufeff", "\u2028", "\u00ad",
			"\U000E0041", "\ufdd0", "\t"} {
			h.postCalendar("name", "元"+bad+"旦")
			h.postCalendarImport("csv", "元"+bad+"旦", false)
			h.postCalendarImport("file", "元"+bad+"旦", false)
		}
	})

	run("a settings value longer than its field", func(t *testing.T) {
		// The page shows at most 40 characters of a refused value; what is
		// checked and stored is what was sent.
		pad := strings.Repeat(" ", 40)
		for _, c := range []struct{ form, field, value string }{
			{caseflow.SettingDeadlines, "acceptWorkingDays", "5" + pad + "x"},
			{caseflow.SettingDeadlines, "investigationDays", "60" + pad + "天以上"},
			{caseflow.SettingImportant, "majorThreshold", "100000" + pad + "万"},
			{caseflow.SettingImportant, "majorDays", "3" + pad + "3"},
		} {
			h.postSettings(c.form, c.field, c.value)
		}
	})

	run("more rows than a year has days", func(t *testing.T) {
		for _, n := range []int{maxCalendarRows, maxCalendarRows + 1, 100000} {
			v := calendarBase("")
			v.Set("rows", strconv.Itoa(n))
			v.Set("date"+strconv.Itoa(n-1), "2027-10-01")
			v.Set("name"+strconv.Itoa(n-1), "国庆节")
			records := h.records(recCalendar)
			v.Set("_csrf", h.acToken)
			what := fmt.Sprintf("POST /admin/calendar with %d rows", n)
			resp, body := h.ac.post("/admin/calendar", v)
			h.j.check(what, "", resp, body)
			stored := h.calendarYear("2027")
			h.judgeForm(what, "", resp, records, []string{"/admin/calendar?year=2027&done=saved"}, []string{caseflow.AuditCalendar},
				func() string {
					if len(stored) != 2 {
						return fmt.Sprintf("2027 holds %v, want both rows", stored)
					}
					return ""
				},
				func() string {
					if n > maxCalendarRows {
						return "a form with more rows than the page can have was taken"
					}
					return ""
				})
		}
		// Adding rows never makes a form of more rows than may be posted.
		v := calendarBase("")
		v.Set("rows", strconv.Itoa(maxCalendarRows))
		v.Set("more", "1")
		v.Set("_csrf", h.acToken)
		resp, body := h.ac.post("/admin/calendar", v)
		h.j.check("POST /admin/calendar adding rows to a full form", "", resp, body)
		if m := regexp.MustCompile(`name="rows" value="(\d+)"`).FindStringSubmatch(body); m == nil || m[1] != strconv.Itoa(maxCalendarRows) {
			h.j.failf("adding rows to a form of %d: the page has rows %v", maxCalendarRows, m)
		}
	})

	run("1 MB report gets 413", func(t *testing.T) {
		big := strings.Repeat("举", 350*1024)
		id := s.draft(1)
		for _, field := range []string{"title", "body"} {
			records := h.records(recReports)
			v := url.Values{"_csrf": {h.hcToken}, "title": {validReportTitle}, "body": {validReportBody},
				"version": {strconv.FormatInt(h.report(id).Version, 10)}}
			v.Set(field, big)
			resp, body, err := rawPost(addr, "/admin/reports/"+id, "application/x-www-form-urlencoded", h.hc, []byte(v.Encode()))
			if err != nil {
				t.Fatalf("1 MB %s: %v", field, err)
			}
			h.j.check("POST /admin/reports/{id} 1 MB "+field, "", resp, body)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || records.changed(h) != "" || len(h.audit.since()) > 0 {
				h.j.failf("1 MB %s: status %d, want 413 and nothing stored", field, resp.StatusCode)
			}
		}
	})

	run("wrong content types on the forms", func(t *testing.T) {
		id := s.draft(1)
		form := url.Values{"_csrf": {h.hcToken}, "title": {validReportTitle}, "body": {validReportBody},
			"version": {strconv.FormatInt(h.report(id).Version, 10)}}
		var mp strings.Builder
		for k := range form {
			fmt.Fprintf(&mp, "--xyz\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", k, form.Get(k))
		}
		mp.WriteString("--xyz--\r\n")
		importForm := url.Values{"_csrf": {h.acToken}, "csv": {validCalendarCSV}}
		for _, c := range []struct {
			cl       *client
			path, ct string
			body     string
			areas    int
		}{
			{h.hc, "/admin/reports/" + id, "text/plain", form.Encode(), recReports},
			{h.hc, "/admin/reports/" + id, "application/json", `{"title":"x","body":"y"}`, recReports},
			{h.hc, "/admin/reports/" + id, "multipart/form-data; boundary=xyz", mp.String(), recReports},
			{h.hc, "/admin/reports/" + id, "", form.Encode(), recReports},
			// The import takes the page's multipart form and a url-encoded one.
			{h.ac, "/admin/calendar/import", "text/plain", importForm.Encode(), recCalendar},
			{h.ac, "/admin/calendar/import", "multipart/form-data; boundary=xyz", importForm.Encode(), recCalendar},
			{h.ac, "/admin/calendar/import", "multipart/form-data", importForm.Encode(), recCalendar},
			{h.ac, "/admin/calendar/import", "application/json", `{"csv":"date,name,off_day\n2028-01-01,元旦,true\n"}`, recCalendar},
		} {
			records := h.records(c.areas)
			resp, body, err := rawPost(addr, c.path, c.ct, c.cl, []byte(c.body))
			if err != nil {
				t.Fatalf("Content-Type %q: %v", c.ct, err)
			}
			what := fmt.Sprintf("POST %s Content-Type %q", c.path, c.ct)
			h.j.check(what, "", resp, body)
			if resp.StatusCode < 400 {
				h.j.failf("%s: status %d, want a refusal", what, resp.StatusCode)
			}
			if records.changed(h) != "" || len(h.audit.since()) > 0 {
				h.j.failf("%s: something was stored", what)
			}
		}
	})
	h.j.summary(h.start)
}
