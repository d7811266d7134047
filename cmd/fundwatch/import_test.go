package main

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fundwatch/store"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// openInstallationStore opens the installation's store after a command
// has closed it, to look at what the command left.
func (in *installation) openStore() store.Store {
	in.t.Helper()
	cfg, err := parseConfig("serve", in.args)
	if err != nil {
		in.t.Fatal(err)
	}
	st, err := openStore(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		in.t.Fatal(err)
	}
	in.t.Cleanup(func() { st.Close() })
	return st
}

const goodArticles = `{"id":"old-2019-001","type":"announcement","title":"关于某公司骗取工伤保险待遇的通报","body":"经查，某公司虚构工伤事故。\n\n已追回全部基金。","regionCode":"220100","publishedAt":"2019-04-02","amountYuan":126000.5,"insuranceTypes":["work_injury"]}
{"id":"old-2020-007","type":"news","title":"全省社保基金监督工作会议召开","body":"会议部署了全年工作。","regionCode":"220000","publishedAt":"2020-01-15"}

{"id":"old-2021-003","type":"notice","title":"听证会公告","body":"定于3月召开听证会。","regionCode":"220000","publishedAt":"2021-02-20"}
`

func TestImportArticlesIsCheckedIdempotentAndAudited(t *testing.T) {
	in := newInstallation(t)
	// Every bad line is reported with its number, and nothing is imported.
	bad := goodArticles +
		`{"id":"old-2019-001","type":"news","title":"重复的编号","body":"正文","regionCode":"220000","publishedAt":"2019-05-01"}` + "\n" +
		`{"id":"x1","type":"blog","title":"类别不对","body":"正文","regionCode":"220000","publishedAt":"2019-05-01"}` + "\n" +
		`{"id":"x2","type":"news","title":"日期不对","body":"正文","regionCode":"220000","publishedAt":"2019/05/01"}` + "\n" +
		`{"id":"x3","type":"news","title":"地区不对","body":"正文","regionCode":"110000","publishedAt":"2019-05-01"}` + "\n" +
		`{"id":"x4","type":"news","title":"多了字段","body":"正文","regionCode":"220000","publishedAt":"2019-05-01","author":"某某"}` + "\n" +
		`{"id":"x5","type":"news","title":"字段重复","title":"两次","body":"正文","regionCode":"220000","publishedAt":"2019-05-01"}` + "\n" +
		`{"id":"x6","type":"announcement","title":"金额不对","body":"正文","regionCode":"220000","publishedAt":"2019-05-01","amountYuan":"十二万"}` + "\n" +
		`{"id":"x7","type":"news","title":"","body":"正文","regionCode":"220000","publishedAt":"2019-05-01"}` + "\n" +
		`not json` + "\n"
	code, out := in.command("", "import", "articles", writeFile(t, "bad.jsonl", bad))
	if code != 2 {
		t.Fatalf("bad file: exit %d\n%s", code, out)
	}
	for _, want := range []string{"第 5 行", "第 6 行", "第 7 行", "第 8 行", "第 9 行", "第 10 行", "第 11 行", "第 12 行", "第 13 行",
		"与第 1 行重复", "announcement、news 或 notice", "YYYY-MM-DD", "regionCode", "author", "两次", "amountYuan", "标题", "JSON"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	st := in.openStore()
	if _, n, err := st.ListPublications(context.Background(), store.PublicationFilter{}); err != nil || n != 0 {
		t.Fatalf("a bad file imported %d articles (%v)", n, err)
	}
	st.Close()

	file := writeFile(t, "good.jsonl", "\ufeff"+goodArticles)
	code, out = in.command("", "import", "articles", file)
	if code != 0 || !strings.Contains(out, "新发布 3 篇") {
		t.Fatalf("good file: exit %d\n%s", code, out)
	}
	code, out = in.command("", "import", "articles", file)
	if code != 0 || !strings.Contains(out, "新发布 0 篇，3 篇此前已导入") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}
	st = in.openStore()
	ctx := context.Background()
	p, err := st.PublicationBySource(ctx, "old-2019-001")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.FirstPublishedAt.In(store.CST).Format("2006-01-02"); got != "2019-04-02" || p.LiveRevision != 1 || p.Kind != store.PubAnnouncement {
		t.Errorf("imported announcement: published %s, %+v", got, p)
	}
	revs, err := st.Revisions(ctx, p.ID)
	if err != nil || revs[0].AmountFen != 12_600_050 || revs[0].InsuranceTypes[0] != "work_injury" || !strings.Contains(revs[0].Body, "\n\n") {
		t.Errorf("imported revision: %+v, %v", revs, err)
	}
	if _, n, _ := st.ListPublished(ctx, store.PublishedFilter{}); n != 3 {
		t.Errorf("%d published after two runs, want 3", n)
	}
	entries, _, err := st.ListAudit(ctx, store.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	imports := 0
	for _, e := range entries {
		if e.Action == "publication.import" {
			imports++
		}
	}
	if imports != 3 {
		t.Errorf("%d import entries in the audit log, want 3 (one per article, none for the re-run)", imports)
	}
}

func TestImportFundReportsPublishesCheckedTablesOnce(t *testing.T) {
	in := newInstallation(t)
	header := "年度,地区代码,地区,险种,基金收入（万元）,保险费收入（万元）,财政补贴收入（万元）,利息收入（万元）,转移收入（万元）,其他收入（万元）,基金支出（万元）,社会保险待遇支出（万元）,转移支出（万元）,其他支出（万元）,本年收支结余（万元）,年末滚存结余（万元）\n"
	rows := "2023,220000,吉林省,企业职工基本养老保险,1000,700,200,50,30,20,800,700,50,50,200,5000\n" +
		"2024,220000,吉林省,企业职工基本养老保险,1100,800,200,50,30,20,900,800,50,50,200,5200\n"
	bad := "2024,220000,吉林省,失业保险,10,20,0,0,0,0,5,5,0,0,5,50\n" // parts above the total
	code, out := in.command("", "import", "fund-reports", writeFile(t, "bad.csv", header+rows+bad))
	if code != 2 || !strings.Contains(out, "第 4 行") || !strings.Contains(out, "没有导入") {
		t.Fatalf("bad file: exit %d\n%s", code, out)
	}
	file := writeFile(t, "good.csv", header+rows)
	if code, out = in.command("", "import", "fund-reports", file); code != 0 || !strings.Contains(out, "发布 2 张") {
		t.Fatalf("good file: exit %d\n%s", code, out)
	}
	if code, out = in.command("", "import", "fund-reports", file); code != 0 || !strings.Contains(out, "发布 0 张基金收支表，2 张此前已发布") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}
	changed := strings.Replace(rows, "5200", "5300", 1)
	if code, out = in.command("", "import", "fund-reports", writeFile(t, "changed.csv", header+changed)); code != 2 || !strings.Contains(out, "只能在管理页面中更正") {
		t.Fatalf("changed figures: exit %d\n%s", code, out)
	}
	st := in.openStore()
	got, n, err := st.ListPublished(context.Background(), store.PublishedFilter{Kinds: []string{store.PubFundReport}})
	if err != nil || n != 2 {
		t.Fatalf("%d fund reports published, %v", n, err)
	}
	titles := map[string]int64{}
	for _, g := range got {
		titles[g.Publication.Title] = g.Live.FundRows[0].AccumulatedFen
	}
	want := map[string]int64{"2023年度吉林省社会保险基金收支情况": 5000 * 1_000_000, "2024年度吉林省社会保险基金收支情况": 5200 * 1_000_000}
	if !maps.Equal(titles, want) {
		t.Errorf("published tables %v, want %v", titles, want)
	}
}
