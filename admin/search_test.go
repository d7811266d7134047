package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/search"
	"fundwatch/store"
)

// 查找案件 in the inbox: a case number opens that case as before; words
// search the cases index within the user's scope, and the hits are loaded
// back through the store with the same scope.

func (e *adminEnv) fileWith(region, party, description string) *store.Case {
	e.t.Helper()
	r, err := e.svc.FileCase(context.Background(), caseflow.Filing{
		Kind: store.KindReport, ReporterType: store.ReporterCitizen, Category: "fraudulent_claims",
		InsuranceTypes: []string{"pension"}, RegionCode: region, Subject: store.Party{Name: party},
		Description:    description,
		Identity:       &casework.ReporterIdentity{Name: "张建国", IDNumber: "11010519491231002X", Phone: "13812345678"},
		IdempotencyKey: web.NewToken(), Digest: "test",
	})
	if err != nil {
		e.t.Fatalf("file case: %v", err)
	}
	return r.Case
}

func TestInboxFullTextSearchStaysInScope(t *testing.T) {
	e := newAdminEnv(t)
	changchun := e.addUser("cchandler", store.RoleHandler, "220100")
	own := e.fileWith("220102", "长春市宏达建筑工程有限公司", "该公司为已去世的退休职工冒领养老金，涉及金额约12.6万元。")
	other := e.fileWith("220202", "吉林市宏达建筑工程有限公司", "该公司冒领已去世职工的养老金。")
	unrelated := e.fileWith("220102", "长春市某医药连锁公司", "药店串换药品，骗取医疗保险基金。")
	e.sync()
	cl := e.client()
	cl.login(changchun)

	resp, page := cl.get("/admin/cases?q=" + url.QueryEscape("宏达建筑 养老金"))
	list := between(page, `<p id="result-count">`, "</table>")
	if resp.StatusCode != http.StatusOK || !strings.Contains(list, own.Number) || strings.Contains(list, other.Number) ||
		strings.Contains(list, unrelated.Number) || !strings.Contains(page, "共 1 件") {
		t.Errorf("search within 长春市: status %d, own %v, other city's %v, unrelated %v", resp.StatusCode,
			strings.Contains(list, own.Number), strings.Contains(list, other.Number), strings.Contains(list, unrelated.Number))
	}
	// The snippet marks the words, escaped first.
	if !strings.Contains(list, "<mark>养老金</mark>") {
		t.Errorf("no marked snippet in %s", list)
	}
	// An amount, however written; a synonym.
	for q, want := range map[string]*store.Case{"126000": own, "12.6万": own, "医保": unrelated} {
		_, page := cl.get("/admin/cases?q=" + url.QueryEscape(q))
		if !strings.Contains(between(page, `<p id="result-count">`, "</table>"), want.Number) {
			t.Errorf("search %q does not list %s", q, want.Number)
		}
	}
	// A region filter narrows the search; the status filter too.
	_, page = cl.get("/admin/cases?q=" + url.QueryEscape("养老金") + "&region=220103")
	if strings.Contains(between(page, `<p id="result-count">`, "</table>"), own.Number) {
		t.Error("the region filter 220103 still lists a case of 220102")
	}
	_, page = cl.get("/admin/cases?q=" + url.QueryEscape("养老金") + "&status=closed")
	if strings.Contains(between(page, `<p id="result-count">`, "</table>"), own.Number) {
		t.Error("status=closed lists a received case")
	}
	// The reporter is not searchable.
	_, page = cl.get("/admin/cases?q=" + url.QueryEscape("张建国"))
	if !strings.Contains(page, "共 0 件") {
		t.Error("searching for the reporter's name lists cases")
	}
	// A case number still finds the case, in any spelling.
	_, page = cl.get("/admin/cases?q=" + url.QueryEscape(strings.Replace(own.Number, "-", "－", 1)))
	if !strings.Contains(page, "共 1 件") || !strings.Contains(page, own.Number) {
		t.Error("a number typed into 查找案件 does not find its case")
	}
}

func TestInboxSearchRefusalsAndOutage(t *testing.T) {
	down := &downIndex{}
	e := newAdminEnv(t)
	h := e.addUser("cchandler", store.RoleHandler, "220100")
	e.fileWith("220102", "长春市某公司", "少缴养老保险费。")
	e.sync()
	cl := e.client()
	cl.login(h)
	for _, tc := range []struct{ q, want string }{
		{strings.Repeat("养", 101), search.MsgQueryTooLong},
		{"，。！", search.MsgQueryNoLetter},
		{"一 二 三 四 五 六 七 八 九 十 十一", search.MsgQueryTooMany},
	} {
		resp, page := cl.get("/admin/cases?q=" + url.QueryEscape(tc.q))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, tc.want) || !strings.Contains(page, `id="search-error"`) {
			t.Errorf("q=%.20q: status %d, message shown %v", tc.q, resp.StatusCode, strings.Contains(page, tc.want))
		}
	}
	// 100 characters are accepted.
	if resp, _ := cl.get("/admin/cases?q=" + url.QueryEscape(strings.Repeat("养", 100))); resp.StatusCode != http.StatusOK {
		t.Errorf("100 characters: status %d", resp.StatusCode)
	}
	// Search down: the inbox still opens, says so, and logs it once.
	e.adm.Search = down
	resp, page := cl.get("/admin/cases?q=" + url.QueryEscape("养老保险"))
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page, "全文查找暂时不可用") || !strings.Contains(page, `id="inbox"`) && !strings.Contains(page, "没有符合条件的案件") {
		t.Errorf("search down: status %d", resp.StatusCode)
	}
	if n := strings.Count(e.logs.String(), "case search unavailable"); n != 1 {
		t.Errorf("logged %d times, want once", n)
	}
	// The plain inbox and the number search do not need search.
	if resp, _ := cl.get("/admin/cases"); resp.StatusCode != http.StatusOK {
		t.Errorf("inbox with search down: %d", resp.StatusCode)
	}
}

// downIndex is a search engine that cannot be reached.
type downIndex struct{ search.Index }

func (downIndex) Search(context.Context, search.Query) (*search.Result, error) {
	return nil, search.Unavailable(errors.New("connection refused"))
}

func TestDashboardShowsTheSearchBacklog(t *testing.T) {
	e := newAdminEnv(t)
	adm := e.addUser("sysadmin", store.RoleAdmin, "220000")
	h := e.addUser("cchandler", store.RoleHandler, "220100")
	e.fileWith("220102", "长春市某公司", "少缴养老保险费。")
	e.fileWith("220102", "长春市另一公司", "少缴失业保险费。")
	cl := e.client()
	cl.login(adm)
	_, page := cl.get("/admin/")
	if !strings.Contains(page, `id="search-cases"`) || !strings.Contains(between(page, `id="search-cases"`, "</li>"), "待索引 2 条") {
		t.Errorf("the administrator's dashboard does not show 2 cases waiting: %s", between(page, `id="search-backlog"`, "</div>"))
	}
	e.sync()
	_, page = cl.get("/admin/")
	if !strings.Contains(between(page, `id="search-cases"`, "</li>"), "待索引 0 条，已索引 2 条") {
		t.Errorf("after the sync: %s", between(page, `id="search-backlog"`, "</div>"))
	}
	// A handler sees nothing of it while search works …
	hc := e.client()
	hc.login(h)
	if _, page := hc.get("/admin/"); strings.Contains(page, `id="search-backlog"`) {
		t.Error("a handler's dashboard shows the index status while search works")
	}
	// … and the warning while it fails.
	e.syncer.Cases = failingIndex{e.index}
	e.fileWith("220102", "长春市第三公司", "少缴工伤保险费。")
	if _, err := e.syncer.SyncOnce(context.Background()); !errors.Is(err, search.ErrUnavailable) {
		t.Fatalf("SyncOnce with the engine down: %v", err)
	}
	_, page = hc.get("/admin/")
	if !strings.Contains(page, "全文搜索暂时不可用") || !strings.Contains(between(page, `id="search-cases"`, "</li>"), "待索引 1 条") {
		t.Errorf("a handler's dashboard while search fails: %s", between(page, `id="search-backlog"`, "</div>"))
	}
}

// failingIndex refuses every write as an engine that is down.
type failingIndex struct{ search.Index }

func (failingIndex) Put(context.Context, []search.Document) error {
	return search.Unavailable(errors.New("connection refused"))
}
