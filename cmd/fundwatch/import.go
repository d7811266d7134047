package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/casework/fundfile"
	"fundwatch/store"
)

const importUsage = `fundwatch import — 从旧网站迁移公开内容

  fundwatch import articles FILE.jsonl      导入公告、新闻和听证会公告（每行一篇）
  fundwatch import fund-reports FILE.csv|FILE.xlsx
                                            导入并发布基金收支情况表

articles 每行一个 JSON 对象：
  {"id", "type": "announcement"|"news"|"notice", "title", "body"（纯文本，段落之间空一行）,
   "regionCode", "publishedAt": "YYYY-MM-DD", "amountYuan"?, "insuranceTypes"?}
按原发布日期发布；id 已导入过的条目保持不变，重复运行不会重复导入。
任何一行有错误时，列出所有错误的行号，不导入任何内容。
每条导入都记入审计日志。存储相关参数（--data、--store、--mongo-uri 等）与 fundwatch serve 相同。
`

// maxImportFile bounds an import file (articles or fund reports).
const maxImportFile = 64 << 20

// importCommand runs `fundwatch import …` through the service layer as
// the system actor "import", so imported content is checked like content
// entered in the admin pages and every item is audited.
func importCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) < 2 || args[0] == "-h" || args[0] == "help" || args[0] == "--help" {
		fmt.Fprint(stdout, importUsage)
		if len(args) < 2 && !(len(args) == 1 && (args[0] == "-h" || args[0] == "help" || args[0] == "--help")) {
			return 2
		}
		return 0
	}
	what, file, rest := args[0], args[1], args[2:]
	if what != "articles" && what != "fund-reports" {
		fmt.Fprintf(stderr, "fundwatch import: 不认识 %q，只能导入 articles 或 fund-reports\n", what)
		return 2
	}
	cfg, err := parseConfig("import "+what, rest)
	if errors.Is(err, flagHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch import:", err)
		return 2
	}
	data, err := readImportFile(file)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch import:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch import: 无法打开存储：", store.ErrorMessage(err))
		return 1
	}
	defer st.Close()
	key, err := loadOrCreateKey(cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch import:", err)
		return 1
	}
	keyring, err := casework.NewKeyring(key)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch import:", err)
		return 1
	}
	regions := casework.DefaultRegions()
	svc := &caseflow.Service{Store: st, Keyring: keyring, Regions: regions, Rules: caseflow.DefaultRules(), Log: log}
	actor := caseflow.SystemActor("import", regions)
	if what == "articles" {
		return importArticles(ctx, svc, actor, data, stdout, stderr)
	}
	return importFundReports(ctx, svc, actor, file, data, stdout, stderr)
}

func readImportFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("无法打开文件 %s：%w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxImportFile+1))
	if err != nil {
		return nil, fmt.Errorf("无法读取文件 %s：%w", name, err)
	}
	if len(data) > maxImportFile {
		return nil, fmt.Errorf("文件 %s 超过 %d MB，请分成几个文件导入", name, maxImportFile>>20)
	}
	return data, nil
}

// importedArticleLine is one line of an articles file.
type importedArticleLine struct {
	ID             string         `json:"id"`
	Type           string         `json:"type"`
	Title          string         `json:"title"`
	Body           string         `json:"body"`
	RegionCode     string         `json:"regionCode"`
	PublishedAt    string         `json:"publishedAt"`
	AmountYuan     jsontext.Value `json:"amountYuan,omitzero"`
	InsuranceTypes []string       `json:"insuranceTypes,omitzero"`
}

// parseArticleLines reads an articles file: one JSON object a line (blank
// lines skipped), keys matched exactly, unknown or duplicate keys refused,
// amounts read exactly from the number's text. It returns the articles and
// the problems of every bad line.
func parseArticleLines(data []byte) ([]caseflow.ImportedArticle, []caseflow.ImportProblem) {
	var items []caseflow.ImportedArticle
	var problems []caseflow.ImportProblem
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), maxImportFile)
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
		}
		if len(raw) == 0 {
			continue
		}
		var in importedArticleLine
		if err := jsonv2.Unmarshal(raw, &in, jsonv2.RejectUnknownMembers(true)); err != nil {
			problems = append(problems, caseflow.ImportProblem{Line: line, Message: jsonProblem(err)})
			continue
		}
		it := caseflow.ImportedArticle{Line: line, SourceID: strings.TrimSpace(in.ID), Kind: in.Type,
			RegionCode: in.RegionCode, PublishedAt: in.PublishedAt,
			Draft: caseflow.PublicationDraft{Title: strings.TrimSpace(in.Title), Body: in.Body, InsuranceTypes: in.InsuranceTypes}}
		if len(in.AmountYuan) > 0 && string(in.AmountYuan) != "null" {
			text := string(in.AmountYuan)
			if in.AmountYuan.Kind() == '"' {
				_ = jsonv2.Unmarshal(in.AmountYuan, &text)
			}
			fen, err := casework.ParseYuan(text)
			if err != nil {
				problems = append(problems, caseflow.ImportProblem{Line: line, Message: "amountYuan：" + err.Error()})
				continue
			}
			it.Draft.AmountFen = fen
		}
		if in.Type == store.PubAnnouncement && it.Draft.EventDate == "" {
			it.Draft.EventDate = in.PublishedAt
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, caseflow.ImportProblem{Line: line + 1, Message: "无法读取这一行：" + err.Error()})
	}
	return items, problems
}

// jsonProblem says in Chinese what is wrong with a line's JSON.
func jsonProblem(err error) string {
	var serr *jsonv2.SemanticError
	switch {
	case errors.Is(err, jsontext.ErrDuplicateName):
		return "同一字段出现了两次。"
	case errors.As(err, &serr) && errors.Is(serr.Err, jsonv2.ErrUnknownName):
		return "有不认识的字段 " + string(serr.JSONPointer) + "；只能使用 id、type、title、body、regionCode、publishedAt、amountYuan、insuranceTypes。"
	case errors.As(err, &serr) && serr.JSONPointer != "":
		return "字段 " + string(serr.JSONPointer) + " 的类型不对（文字须加引号，insuranceTypes 须为文字数组）。"
	}
	return "不是一个完整的 JSON 对象（每行一个对象，字段名和文字用英文双引号）。"
}

func importArticles(ctx context.Context, svc *caseflow.Service, actor caseflow.Actor, data []byte, stdout, stderr io.Writer) int {
	items, problems := parseArticleLines(data)
	problems = append(problems, svc.CheckImportedArticles(ctx, items)...)
	if len(problems) > 0 {
		sortProblems(problems)
		fmt.Fprintf(stderr, "fundwatch import: 发现 %d 处错误，没有导入任何内容：\n", len(problems))
		for _, p := range problems {
			fmt.Fprintln(stderr, "  "+p.String())
		}
		return 2
	}
	published, skipped, err := svc.ImportArticles(ctx, actor, items)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch import:", store.ErrorMessage(err))
		fmt.Fprintf(stderr, "已导入 %d 篇，跳过 %d 篇已导入过的；修正后重新运行即可继续（已导入的不会重复）。\n", published, skipped)
		return 1
	}
	fmt.Fprintf(stdout, "导入完成：新发布 %d 篇，%d 篇此前已导入、保持不变。\n", published, skipped)
	return 0
}

func sortProblems(ps []caseflow.ImportProblem) {
	slices.SortStableFunc(ps, func(a, b caseflow.ImportProblem) int { return a.Line - b.Line })
}

// importFundReports reads a fund report file with the admin upload's
// checks and publishes its tables dated now; tables already published with
// the same figures are left alone.
func importFundReports(ctx context.Context, svc *caseflow.Service, actor caseflow.Actor, file string, data []byte, stdout, stderr io.Writer) int {
	res, err := fundfile.Parse(bytes.NewReader(data), filepath.Base(file), fundfile.Options{Regions: svc.Regions})
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch import:", err)
		return 1
	}
	if !res.OK() {
		fmt.Fprintf(stderr, "fundwatch import: 发现 %d 处错误，没有导入任何内容：\n", len(res.Errors))
		for _, p := range res.Errors {
			fmt.Fprintln(stderr, "  "+fundProblemLine(p))
		}
		return 2
	}
	for _, p := range res.Warnings {
		fmt.Fprintln(stderr, "提示："+fundProblemLine(p))
	}
	tables := make([]caseflow.FundTable, 0, len(res.Reports))
	for _, r := range res.Reports {
		tables = append(tables, caseflow.FundTable{Year: r.Year, RegionCode: r.RegionCode, Rows: r.Rows})
	}
	published, unchanged, problems, err := svc.PublishFundTables(ctx, actor, tables, store.Now())
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch import:", store.ErrorMessage(err))
		return 1
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "fundwatch import: 没有导入任何内容：\n")
		for _, p := range problems {
			fmt.Fprintln(stderr, "  "+p)
		}
		return 2
	}
	fmt.Fprintf(stdout, "导入完成：发布 %d 张基金收支表，%d 张此前已发布且数据相同、保持不变。\n", published, unchanged)
	return 0
}

func fundProblemLine(p fundfile.Problem) string {
	var b strings.Builder
	if p.Row > 0 {
		fmt.Fprintf(&b, "第 %d 行", p.Row)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, "“%s”列", p.Column)
	}
	if b.Len() > 0 {
		b.WriteString("：")
	}
	b.WriteString(p.Message)
	return b.String()
}
