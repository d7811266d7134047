package admin

// Hostile input on the publishing forms (信息公开): every field of the
// create and edit forms of each kind, the upload, the leader's return and
// withdrawal reasons, and the :id of every publishing route get their share
// of the payloads, judged by the rules of hostile_test.go (no 5xx, a 4xx is
// the admin page with a Chinese message, no active markup, nothing
// reflected unescaped). A refused form stores nothing: the number of
// publications and the version of the one edited stay as they were.

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"fundwatch/casework/caseflow"
	"fundwatch/store"
)

// publishingFields are the fields that share the payloads.
var publishingFields = []string{
	"news title", "news summary", "news body", "news region", "news scheduledAt",
	"announcement eventDate", "announcement amount", "announcement insuranceTypes", "announcement handlingResult",
	"announcement caseNumber",
	"fund year", "fund region", "fund cell", "fund balance",
	"account rate", "account fundSize", "account returns",
	"kind", "save title", "save body", "save correctionNote", "save version",
	"return note", "withdraw reason",
	"upload file", "upload name",
	"query /admin/publications", "id GET /admin/publications/{id}", "id POST /admin/publications/{id}/submit",
	"id GET /admin/publications/{id}/revisions/{n}",
}

func TestHostilePublishingForms(t *testing.T) {
	if testing.Short() {
		t.Skip("hostile input runs in the full suite")
	}
	payloads := hostilePayloads(t)
	e := newAdminEnv(t)
	pub := e.addUser("hpublisher", store.RolePublisher, "220100")
	leader := e.addUser("hleader", store.RoleLeader, "220100")
	pc, lc := e.client(), e.client()
	pc.login(pub)
	lc.login(leader)
	ctx := context.Background()
	sys := caseflow.SystemActor("test", e.regions)
	j := newJudge(t)
	start := time.Now()

	count := func() int {
		_, n, err := e.st.ListPublications(ctx, store.PublicationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// A published news item to correct, return and withdraw; a draft to save.
	published, err := e.svc.CreatePublication(ctx, sys, store.PubNews, "220100", 0, "", caseflow.PublicationDraft{Title: "新闻", Body: "正文"})
	if err != nil {
		t.Fatal(err)
	}
	pid := published.Publication.ID
	if _, err := e.svc.SubmitPublication(ctx, sys, pid, published.Publication.Version); err != nil {
		t.Fatal(err)
	}
	p, _ := e.publication(pid)
	if _, err := e.svc.ApprovePublication(ctx, sys, pid, p.Version); err != nil {
		t.Fatal(err)
	}
	draft, err := e.svc.CreatePublication(ctx, sys, store.PubNews, "220100", 0, "", caseflow.PublicationDraft{Title: "草稿", Body: "正文"})
	if err != nil {
		t.Fatal(err)
	}
	did := draft.Publication.ID
	for _, path := range []string{"/admin/publications", "/admin/publications/" + pid, "/admin/publications/" + did,
		"/admin/publications/new?kind=fund_report", "/admin/publications/new?kind=announcement", "/admin/publications/import"} {
		resp, body := pc.get(path)
		j.addBaseline(path, resp, body)
	}

	fundRow := func(v url.Values, cell, balance string) {
		fundFormRow(v, "pension", cell, "1", "1", "0", "0", "0", "2", "1", "0", "0", balance, "100")
	}
	for i, payload := range payloads {
		field := publishingFields[i%len(publishingFields)]
		before := count()
		kind, _, _ := strings.Cut(field, " ")
		v := url.Values{}
		switch kind {
		case "news", "announcement", "fund", "account", "kind":
			k := map[string]string{"news": store.PubNews, "announcement": store.PubAnnouncement, "fund": store.PubFundReport,
				"account": store.PubAccountNote, "kind": store.PubNews}[kind]
			v.Set("kind", k)
			v.Set("region", "220100")
			v.Set("title", "标题")
			v.Set("body", "正文")
			v.Set("year", "2024")
			fundRow(v, "10", "0")
			switch field {
			case "news title", "news summary", "news body", "news region", "news scheduledAt",
				"announcement eventDate", "announcement amount", "announcement handlingResult", "announcement caseNumber",
				"fund year", "fund region", "account rate", "account fundSize", "account returns":
				_, name, _ := strings.Cut(field, " ")
				v.Set(name, payload)
			case "announcement insuranceTypes":
				v["insuranceTypes"] = []string{"pension", payload}
			case "fund cell":
				fundRow(v, payload, "0")
			case "fund balance":
				fundRow(v, "10", payload)
			case "kind":
				v.Set("kind", payload)
			}
			// The year moves on so that fund tables and account notes
			// that are accepted do not collide.
			if kind == "fund" || kind == "account" {
				if field != "fund year" {
					v.Set("year", strconv.Itoa(2000+i%26))
				}
			}
			resp, body := pc.postWith("/admin/publications/new?kind=news", "/admin/publications", v)
			j.check(field, payload, resp, body)
			if resp.StatusCode == http.StatusSeeOther {
				if after := count(); after != before+1 {
					j.failf("%s with %q: accepted, but %d publications became %d", field, clip(payload, 60), before, after)
				}
				resp, body = pc.get(resp.Header.Get("Location"))
				j.check(field+" (page after)", payload, resp, body)
			} else if after := count(); after != before {
				j.failf("%s with %q: refused (%d), but %d publications became %d", field, clip(payload, 60), resp.StatusCode, before, after)
			}
		case "save":
			p, _ := e.publication(did)
			v.Set("title", "草稿")
			v.Set("body", "正文")
			v.Set("version", strconv.FormatInt(p.Version, 10))
			_, name, _ := strings.Cut(field, " ")
			v.Set(name, payload)
			v.Set("_csrf", pc.token("/admin/publications/"+did))
			resp, body := pc.post("/admin/publications/"+did, v)
			j.check(field, payload, resp, body)
			after, _ := e.publication(did)
			if resp.StatusCode == http.StatusSeeOther {
				resp, body = pc.get("/admin/publications/" + did)
				j.check(field+" (page after)", payload, resp, body)
			} else if after.Version != p.Version {
				j.failf("%s with %q: refused (%d), but the version moved from %d to %d", field, clip(payload, 60), resp.StatusCode, p.Version, after.Version)
			}
		case "return", "withdraw":
			// The leader's reasons: a withdrawal that is accepted would end
			// the published item, so it is posted with a stale version —
			// the reason is checked (and refused) before the version.
			p, _ := e.publication(pid)
			name := map[string]string{"return": "note", "withdraw": "reason"}[kind]
			v.Set(name, payload)
			v.Set("version", strconv.FormatInt(p.Version+1000, 10))
			v.Set("_csrf", lc.token("/admin/publications/"+pid))
			resp, body := lc.post("/admin/publications/"+pid+"/"+kind, v)
			j.check(field, payload, resp, body)
			if after, _ := e.publication(pid); after.Version != p.Version || after.Withdrawn() {
				j.failf("%s with %q: the published item changed (%d)", field, clip(payload, 60), resp.StatusCode)
			}
		case "upload":
			fileName, content := "t.csv", "\ufeff"+fundHeader+"2024,220100,长春市,失业保险,"+payload+",0,0,0,0,0,1,1,0,0,0,1\n"
			if field == "upload name" {
				fileName, content = payload, "\ufeff"+fundHeader
			}
			resp, body := pc.postMultipart("/admin/publications/import", map[string]string{"_csrf": pc.token("/admin/publications/import")}, fileName, content)
			j.check(field, payload, resp, body)
			if resp.StatusCode != http.StatusOK && count() != before {
				j.failf("%s with %q: refused (%d), but publications were stored", field, clip(payload, 60), resp.StatusCode)
			}
		case "query":
			resp, body := pc.get("/admin/publications?kind=" + url.QueryEscape(payload) + "&state=" + url.QueryEscape(payload) + "&page=" + url.QueryEscape(payload))
			j.check(field, payload, resp, body)
		case "id":
			path := strings.NewReplacer("{id}", url.PathEscape(payload), "{n}", url.PathEscape(payload)).Replace(strings.SplitN(field, " ", 3)[2])
			var resp *http.Response
			var body string
			if strings.Contains(field, "POST") {
				resp, body = pc.post(path, url.Values{"_csrf": {pc.token("/admin/publications")}, "version": {"1"}})
			} else {
				resp, body = pc.get(path)
			}
			if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
				j.failf("%s with %q: status %d, want 404 (or 400 for a path the router refuses)", field, clip(payload, 60), resp.StatusCode)
			}
			j.check(field, payload, resp, body)
		}
	}
	j.summary(start)
}
