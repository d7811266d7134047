package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/store"
)

// Fund disclosure (基金收支和结余) by year, region and insurance type: the
// table of DOMAIN.md in 万元, a trend across years, and downloads of exactly
// what the table shows.

// fundColumn is one column of the fund table, in DOMAIN.md's order.
type fundColumn struct {
	Key   string // the JSON name
	Label string
	Part  bool // one of the parts (其中) of the total before it
	fen   func(*store.FundRow) int64
}

var fundColumns = []fundColumn{
	{"income", "基金收入", false, func(r *store.FundRow) int64 { return r.IncomeFen }},
	{"premium", "保险费收入", true, func(r *store.FundRow) int64 { return r.PremiumFen }},
	{"subsidy", "财政补贴收入", true, func(r *store.FundRow) int64 { return r.SubsidyFen }},
	{"interest", "利息收入", true, func(r *store.FundRow) int64 { return r.InterestFen }},
	{"transferIn", "转移收入", true, func(r *store.FundRow) int64 { return r.TransferInFen }},
	{"otherIncome", "其他收入", true, func(r *store.FundRow) int64 { return r.OtherIncomeFen }},
	{"expenditure", "基金支出", false, func(r *store.FundRow) int64 { return r.ExpenditureFen }},
	{"benefit", "社会保险待遇支出", true, func(r *store.FundRow) int64 { return r.BenefitFen }},
	{"transferOut", "转移支出", true, func(r *store.FundRow) int64 { return r.TransferOutFen }},
	{"otherExpenditure", "其他支出", true, func(r *store.FundRow) int64 { return r.OtherExpenditureFen }},
	{"balance", "本年收支结余", false, func(r *store.FundRow) int64 { return r.BalanceFen }},
	{"accumulated", "年末滚存结余", false, func(r *store.FundRow) int64 { return r.AccumulatedFen }},
}

// Column positions the trend reads.
const (
	colIncome      = 0
	colExpenditure = 6
	colAccumulated = 11
)

// fundRowView is one line of the table: an insurance type's row, or the
// total (合计) of the rows shown.
type fundRowView struct {
	Type  string // insurance type code; "total" for the total
	Label string
	Fen   []int64 // per fundColumns
}

// Cells are the row's figures as the page shows them ("12,345.678901").
func (r fundRowView) Cells() []string {
	out := make([]string, len(r.Fen))
	for i, f := range r.Fen {
		out[i] = wanGrouped(f)
	}
	return out
}

func rowView(r *store.FundRow) fundRowView {
	v := fundRowView{Type: r.InsuranceType, Label: casework.InsuranceTypeLabel(r.InsuranceType), Fen: make([]int64, len(fundColumns))}
	if v.Label == "" {
		v.Label = r.InsuranceType
	}
	for i, c := range fundColumns {
		v.Fen[i] = c.fen(r)
	}
	return v
}

// totalRowType is the code of the total row in the downloads and the API.
const totalRowType = "total"

func totalOf(rows []fundRowView) fundRowView {
	t := fundRowView{Type: totalRowType, Label: "合计", Fen: make([]int64, len(fundColumns))}
	for _, r := range rows {
		for i, f := range r.Fen {
			t.Fen[i] += f
		}
	}
	return t
}

// fundTable is the table of one fund report for one insurance type or all.
type fundTable struct {
	Pub        *store.Publication
	Live       *store.Revision
	Year       int
	Region     string
	RegionName string
	Type       string // "" for every type
	Rows       []fundRowView
	Total      *fundRowView // the 合计 row, when more than one row is shown
}

func (h *Handler) fundTableOf(p store.Published, typ string) *fundTable {
	t := &fundTable{Pub: p.Publication, Live: p.Live, Year: p.Publication.Year, Region: p.Publication.RegionCode,
		RegionName: h.regionLabel(p.Publication.RegionCode), Type: typ}
	for i := range p.Live.FundRows {
		r := &p.Live.FundRows[i]
		if typ == "" || r.InsuranceType == typ {
			t.Rows = append(t.Rows, rowView(r))
		}
	}
	if len(t.Rows) > 1 {
		total := totalOf(t.Rows)
		t.Total = &total
	}
	return t
}

// Caption names the table: "2024年 吉林省 社会保险基金收支和结余（企业职工基本养老保险）".
func (t *fundTable) Caption() string {
	c := strconv.Itoa(t.Year) + "年 " + t.RegionName + " 社会保险基金收支和结余"
	if t.Type != "" {
		c += "（" + typeName(t.Type) + "）"
	}
	return c
}

// shown is every row of the table as shown, the total last.
func (t *fundTable) shown() []fundRowView {
	if t.Total == nil {
		return t.Rows
	}
	return append(slices.Clone(t.Rows), *t.Total)
}

// fundSelection is the reader's choice of region, year and insurance type
// among the published fund reports.
type fundSelection struct {
	byRegion map[string][]store.Published // each newest year first
	Regions  []string
	Region   string
	Year     int
	Type     string
	Report   *store.Published // nil when nothing is published
}

// query is the canonical query of the selection.
func (s *fundSelection) query() string {
	v := url.Values{"region": {s.Region}, "year": {strconv.Itoa(s.Year)}}
	if s.Type != "" {
		v.Set("type", s.Type)
	}
	return v.Encode()
}

// selectFunds reads region, year and type from the query among the
// published fund reports. Missing values take the defaults (the first
// region of the tree that has reports, its latest year, every type); exact
// is false when a value was given that is not published, and the
// selection then holds the nearest choice.
func (h *Handler) selectFunds(ctx context.Context, c *fiber.Ctx) (sel *fundSelection, exact bool, err error) {
	all, err := h.allPublished(ctx, store.PublishedFilter{Kinds: []string{store.PubFundReport}})
	if err != nil {
		return nil, false, err
	}
	sel = &fundSelection{byRegion: map[string][]store.Published{}}
	for _, p := range all {
		if p.Live == nil {
			continue
		}
		code := p.Publication.RegionCode
		if _, ok := sel.byRegion[code]; !ok {
			sel.Regions = append(sel.Regions, code)
		}
		sel.byRegion[code] = append(sel.byRegion[code], p)
	}
	exact = true
	if len(sel.Regions) == 0 {
		return sel, c.Query("region") == "" && c.Query("year") == "" && c.Query("type") == "", nil
	}
	sel.Regions = h.regionOrder(sel.Regions)
	for _, reports := range sel.byRegion {
		slices.SortFunc(reports, func(a, b store.Published) int { return b.Publication.Year - a.Publication.Year })
	}
	sel.Region = sel.Regions[0]
	if r := c.Query("region"); r != "" {
		if _, ok := sel.byRegion[r]; ok {
			sel.Region = r
		} else {
			exact = false
		}
	}
	reports := sel.byRegion[sel.Region]
	report := &reports[0]
	if y := c.Query("year"); y != "" {
		i := slices.IndexFunc(reports, func(p store.Published) bool { return strconv.Itoa(p.Publication.Year) == y })
		if i >= 0 {
			report = &reports[i]
		} else {
			exact = false
		}
	}
	sel.Report, sel.Year = report, report.Publication.Year
	if t := c.Query("type"); t != "" {
		if slices.ContainsFunc(report.Live.FundRows, func(r store.FundRow) bool { return r.InsuranceType == t }) {
			sel.Type = t
		} else {
			exact = false
		}
	}
	return sel, exact, nil
}

// trendRow is one year of the trend table; the figures are "" where that
// year's report has no row of the chosen type.
type trendRow struct {
	Year                             int
	Income, Expenditure, Accumulated string
	fen                              [3]int64
	has                              bool
}

// fundTrend is the trend across years of the chosen region and type:
// income, expenditure and year-end balance, each year's total of the
// chosen type (or of every type).
func (h *Handler) fundTrend(sel *fundSelection) []trendRow {
	reports := sel.byRegion[sel.Region]
	out := make([]trendRow, 0, len(reports))
	for i := len(reports) - 1; i >= 0; i-- { // oldest first
		t := h.fundTableOf(reports[i], sel.Type)
		row := trendRow{Year: reports[i].Publication.Year}
		if len(t.Rows) > 0 {
			sum := totalOf(t.Rows)
			row.has = true
			row.fen = [3]int64{sum.Fen[colIncome], sum.Fen[colExpenditure], sum.Fen[colAccumulated]}
			row.Income, row.Expenditure, row.Accumulated = wanGrouped(row.fen[0]), wanGrouped(row.fen[1]), wanGrouped(row.fen[2])
		}
		out = append(out, row)
	}
	return out
}

// typeName names the chosen type for sentences: "企业职工基本养老保险" or
// "各险种合计".
func typeName(typ string) string {
	if typ == "" {
		return "各险种合计"
	}
	if l := casework.InsuranceTypeLabel(typ); l != "" {
		return l
	}
	return typ
}

// trendSummary says in one sentence what the trend chart shows, for
// screen readers and readers without JavaScript.
func trendSummary(regionName, typ string, rows []trendRow) string {
	var have []trendRow
	for _, r := range rows {
		if r.has {
			have = append(have, r)
		}
	}
	subject := regionName + "（" + typeName(typ) + "）"
	switch len(have) {
	case 0:
		return subject + "暂无可比较的年度数据。"
	case 1:
		r := have[0]
		return subject + strconv.Itoa(r.Year) + "年基金收入" + r.Income + "万元，基金支出" + r.Expenditure +
			"万元，年末滚存结余" + r.Accumulated + "万元。"
	}
	first, last := have[0], have[len(have)-1]
	return strconv.Itoa(first.Year) + "年至" + strconv.Itoa(last.Year) + "年，" + subject +
		"基金收入由" + first.Income + "万元变为" + last.Income + "万元，基金支出由" + first.Expenditure +
		"万元变为" + last.Expenditure + "万元，年末滚存结余由" + first.Accumulated + "万元变为" + last.Accumulated + "万元。"
}

// chartData is what public/static/charts.js draws, carried in a
// <script type="application/json"> element: categories along the x axis
// and series of figures written as JSON numbers from exact decimal text
// (null where there is no figure).
type chartData struct {
	Title      string        `json:"title"`
	Unit       string        `json:"unit"`
	Categories []string      `json:"categories"`
	Series     []chartSeries `json:"series"`
}

type chartSeries struct {
	Name string `json:"name"`
	Type string `json:"type"` // "bar" or "line"
	Data []any  `json:"data"` // json.Number or nil
}

func trendChart(title string, rows []trendRow) chartData {
	d := chartData{Title: title, Unit: "万元"}
	series := []chartSeries{{Name: "基金收入", Type: "bar"}, {Name: "基金支出", Type: "bar"}, {Name: "年末滚存结余", Type: "line"}}
	for _, r := range rows {
		d.Categories = append(d.Categories, strconv.Itoa(r.Year)+"年")
		for i := range series {
			if r.has {
				series[i].Data = append(series[i].Data, json.Number(wanPlain(r.fen[i])))
			} else {
				series[i].Data = append(series[i].Data, nil)
			}
		}
	}
	d.Series = series
	return d
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// fundsPage is /disclosure/funds: the selectors, the table of the chosen
// year, region and type, and the trend across years.
func (h *Handler) fundsPage(c *fiber.Ctx) error {
	return h.cachedPage(c, "/disclosure/funds?"+queryKey(c, "region", "year", "type"), func(c *fiber.Ctx) error {
		sel, exact, err := h.selectFunds(c.UserContext(), c)
		if err != nil {
			return err
		}
		if !exact {
			return c.Redirect("/disclosure/funds?"+sel.query(), fiber.StatusFound)
		}
		canonical := "/disclosure/funds"
		if sel.Report != nil {
			canonical += "?" + sel.query()
		}
		data := fiber.Map{"Title": "基金收支和结余", "Nav": "disclosure", "Back": canonical, "Disclosure": true}
		if sel.Report == nil {
			return h.renderPage(c, fiber.StatusOK, "disclosure/funds", data)
		}
		table := h.fundTableOf(*sel.Report, sel.Type)
		var regions, years, types []option
		for _, r := range sel.Regions {
			regions = append(regions, option{r, h.regionLabel(r), r == sel.Region})
		}
		for _, p := range sel.byRegion[sel.Region] {
			y := strconv.Itoa(p.Publication.Year)
			years = append(years, option{y, y + "年", p.Publication.Year == sel.Year})
		}
		types = append(types, option{"", "全部险种", sel.Type == ""})
		for _, r := range sel.Report.Live.FundRows {
			types = append(types, option{r.InsuranceType, typeName(r.InsuranceType), r.InsuranceType == sel.Type})
		}
		trend := h.fundTrend(sel)
		title := table.RegionName + "（" + typeName(sel.Type) + "）基金收支历年趋势"
		summary := trendSummary(table.RegionName, sel.Type, trend)
		data["Charts"] = true
		data["Regions"], data["Years"], data["Types"] = regions, years, types
		data["Columns"] = fundColumns
		data["Table"] = table
		data["Report"] = h.latestItem(*sel.Report)
		data["Trend"] = trend
		data["TrendTitle"] = title
		data["Summary"] = summary
		data["Chart"] = trendChart(title, trend)
		data["CSV"] = "/disclosure/funds.csv?" + sel.query()
		data["JSON"] = "/disclosure/funds.json?" + sel.query()
		return h.renderPage(c, fiber.StatusOK, "disclosure/funds", data)
	})
}

// fundTableJSON is the fund table as the JSON download and the API give
// it: figures are exact decimal strings in 万元.
type fundTableJSON struct {
	Title         string        `json:"title"`
	Year          int           `json:"year"`
	RegionCode    string        `json:"regionCode"`
	RegionName    string        `json:"regionName"`
	InsuranceType string        `json:"insuranceType,omitempty"`
	Unit          string        `json:"unit"`
	PublicationID string        `json:"publicationId"`
	Revision      int           `json:"revision"`
	PublishedAt   time.Time     `json:"publishedAt"`
	URL           string        `json:"url"`
	Columns       []columnJSON  `json:"columns"`
	Rows          []fundRowJSON `json:"rows"`
	Total         *fundRowJSON  `json:"total,omitempty"`
}

type columnJSON struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// fundRowJSON is a row: the insurance type and a figure per column key.
type fundRowJSON map[string]string

func (h *Handler) fundTableBody(t *fundTable) fundTableJSON {
	out := fundTableJSON{
		Title: t.Live.Title, Year: t.Year, RegionCode: t.Region, RegionName: t.RegionName, InsuranceType: t.Type,
		Unit: "万元", PublicationID: t.Pub.ID, Revision: t.Pub.LiveRevision, PublishedAt: t.Pub.LastPublishedAt,
		URL: h.absolute(itemPath(t.Pub)),
	}
	for _, c := range fundColumns {
		out.Columns = append(out.Columns, columnJSON{c.Key, c.Label})
	}
	row := func(r fundRowView) fundRowJSON {
		m := fundRowJSON{"insuranceType": r.Type, "insuranceTypeLabel": r.Label}
		for i, c := range fundColumns {
			m[c.Key] = wanPlain(r.Fen[i])
		}
		return m
	}
	out.Rows = []fundRowJSON{}
	for _, r := range t.Rows {
		out.Rows = append(out.Rows, row(r))
	}
	if t.Total != nil {
		total := row(*t.Total)
		out.Total = &total
	}
	return out
}

// fundTableCSV is the table as CSV rows: a header, then a line per row
// shown, the total last; figures in 万元, plain.
func fundTableCSV(t *fundTable) [][]string {
	header := []string{"年度", "地区代码", "地区", "险种"}
	for _, c := range fundColumns {
		header = append(header, c.Label+"（万元）")
	}
	rows := [][]string{header}
	for _, r := range t.shown() {
		line := []string{strconv.Itoa(t.Year), t.Region, t.RegionName, r.Label}
		for _, f := range r.Fen {
			line = append(line, wanPlain(f))
		}
		rows = append(rows, line)
	}
	return rows
}

// downloadName is the file name of a download: ASCII only, so every
// browser keeps it.
func (s *fundSelection) downloadName(ext string) string {
	name := "fund-report-" + s.Region + "-" + strconv.Itoa(s.Year)
	if s.Type != "" {
		name += "-" + s.Type
	}
	return name + "." + ext
}

// fundsDownload serves /disclosure/funds.csv and .json: exactly the table
// the page with the same query shows. A choice that is not published is
// 404 (a download is not redirected to other figures).
func (h *Handler) fundsDownload(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return h.cachedData(c, "funds."+format+"?"+queryKey(c, "region", "year", "type"), func(c *fiber.Ctx) error {
			sel, exact, err := h.selectFunds(c.UserContext(), c)
			if err != nil {
				return err
			}
			if !exact || sel.Report == nil {
				return errNoFundReport
			}
			t := h.fundTableOf(*sel.Report, sel.Type)
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+sel.downloadName(format)+`"`)
			if format == "csv" {
				return sendCSV(c, fundTableCSV(t))
			}
			return sendJSON(c, fiber.StatusOK, h.fundTableBody(t))
		})
	}
}

var errNoFundReport = store.NotFound("没有所选地区、年度和险种的基金收支公开数据。")

// sendCSV answers with rows as a CSV download (UTF-8 with BOM).
func sendCSV(c *fiber.Ctx, rows [][]string) error {
	var b bytes.Buffer
	if err := writeTableCSV(&b, rows); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().SetBody(b.Bytes())
	return nil
}

// sendJSON answers with v as JSON. encoding/json escapes <, > and &, so
// a title can never close a script or start markup wherever the JSON is
// put.
func sendJSON(c *fiber.Ctx, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Response().SetBody(b)
	return nil
}

// absolute makes a site path into an address on the configured BaseURL.
func (h *Handler) absolute(path string) string {
	return strings.TrimSuffix(h.Config.BaseURL, "/") + path
}
