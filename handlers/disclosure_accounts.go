package handlers

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/store"
)

// Personal-account value preservation (个人账户基金保值增值情况): by region,
// a line per year with the credited interest rate (记账利率) as a percent
// and the fund size and returns in 万元.

// accountLine is one year's note.
type accountLine struct {
	Pub     *store.Publication
	Year    int
	Rate    string // "6.12", percent
	Size    string // 万元, grouped
	Returns string // 万元, grouped
	Path    string
	rev     *store.Revision
}

// accountSelection is the reader's choice of region among the published
// account notes.
type accountSelection struct {
	Regions  []string
	Region   string
	Lines    []accountLine // newest year first
	byRegion map[string][]store.Published
}

func (s *accountSelection) query() string { return url.Values{"region": {s.Region}}.Encode() }

// selectAccounts reads the region from the query, as selectFunds does.
func (h *Handler) selectAccounts(ctx context.Context, c *fiber.Ctx) (sel *accountSelection, exact bool, err error) {
	all, err := h.allPublished(ctx, store.PublishedFilter{Kinds: []string{store.PubAccountNote}})
	if err != nil {
		return nil, false, err
	}
	sel = &accountSelection{byRegion: map[string][]store.Published{}}
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
	if len(sel.Regions) == 0 {
		return sel, c.Query("region") == "", nil
	}
	sel.Regions = h.regionOrder(sel.Regions)
	sel.Region, exact = sel.Regions[0], true
	if r := c.Query("region"); r != "" {
		if _, ok := sel.byRegion[r]; ok {
			sel.Region = r
		} else {
			exact = false
		}
	}
	notes := sel.byRegion[sel.Region]
	slices.SortFunc(notes, func(a, b store.Published) int { return b.Publication.Year - a.Publication.Year })
	for _, p := range notes {
		sel.Lines = append(sel.Lines, accountLine{
			Pub: p.Publication, Year: p.Publication.Year, Rate: percentOfBasisPoints(p.Live.RateBasisPoints),
			Size: wanGrouped(p.Live.FundSizeFen), Returns: wanGrouped(p.Live.ReturnsFen), Path: itemPath(p.Publication),
			rev: p.Live,
		})
	}
	return sel, exact, nil
}

// rateSummary says in one sentence what the rate chart shows.
func rateSummary(regionName string, lines []accountLine) string {
	switch len(lines) {
	case 0:
		return ""
	case 1:
		return regionName + strconv.Itoa(lines[0].Year) + "年个人账户记账利率为" + lines[0].Rate + "%。"
	}
	first, last := lines[len(lines)-1], lines[0]
	lo, hi := first, first
	for _, l := range lines {
		if l.rev.RateBasisPoints < lo.rev.RateBasisPoints {
			lo = l
		}
		if l.rev.RateBasisPoints > hi.rev.RateBasisPoints {
			hi = l
		}
	}
	return strconv.Itoa(first.Year) + "年至" + strconv.Itoa(last.Year) + "年，" + regionName + "个人账户记账利率在" +
		lo.Rate + "%至" + hi.Rate + "%之间，" + strconv.Itoa(last.Year) + "年为" + last.Rate + "%。"
}

func rateChart(title string, lines []accountLine) chartData {
	d := chartData{Title: title, Unit: "%"}
	s := chartSeries{Name: "记账利率", Type: "line"}
	for i := len(lines) - 1; i >= 0; i-- {
		d.Categories = append(d.Categories, strconv.Itoa(lines[i].Year)+"年")
		s.Data = append(s.Data, json.Number(lines[i].Rate))
	}
	d.Series = []chartSeries{s}
	return d
}

// accountsPage is /disclosure/accounts.
func (h *Handler) accountsPage(c *fiber.Ctx) error {
	return h.cachedPage(c, "/disclosure/accounts?"+queryKey(c, "region"), func(c *fiber.Ctx) error {
		sel, exact, err := h.selectAccounts(c.UserContext(), c)
		if err != nil {
			return err
		}
		if !exact {
			return c.Redirect("/disclosure/accounts?"+sel.query(), fiber.StatusFound)
		}
		canonical := "/disclosure/accounts"
		if sel.Region != "" {
			canonical += "?" + sel.query()
		}
		data := fiber.Map{"Title": "个人账户基金保值增值情况", "Nav": "disclosure", "Back": canonical, "Disclosure": true}
		if sel.Region != "" {
			var regions []option
			for _, r := range sel.Regions {
				regions = append(regions, option{r, h.regionLabel(r), r == sel.Region})
			}
			name := h.regionLabel(sel.Region)
			title := name + "个人账户记账利率历年趋势"
			data["Charts"] = len(sel.Lines) > 1
			data["Regions"] = regions
			data["RegionName"] = name
			data["Lines"] = sel.Lines
			data["TrendTitle"] = title
			data["Summary"] = rateSummary(name, sel.Lines)
			data["Chart"] = rateChart(title, sel.Lines)
			data["CSV"] = "/disclosure/accounts.csv?" + sel.query()
			data["JSON"] = "/disclosure/accounts.json?" + sel.query()
		}
		return h.renderPage(c, fiber.StatusOK, "disclosure/accounts", data)
	})
}

// accountTableJSON is the account-note table of a region as the JSON
// download gives it.
type accountTableJSON struct {
	RegionCode string            `json:"regionCode"`
	RegionName string            `json:"regionName"`
	Unit       string            `json:"unit"`
	Rows       []accountLineJSON `json:"rows"`
}

type accountLineJSON struct {
	Year          int       `json:"year"`
	RatePercent   string    `json:"ratePercent"`
	FundSizeWan   string    `json:"fundSizeWan"`
	ReturnsWan    string    `json:"returnsWan"`
	PublicationID string    `json:"publicationId"`
	Revision      int       `json:"revision"`
	PublishedAt   time.Time `json:"publishedAt"`
	URL           string    `json:"url"`
}

func (h *Handler) accountTableBody(sel *accountSelection) accountTableJSON {
	out := accountTableJSON{RegionCode: sel.Region, RegionName: h.regionLabel(sel.Region), Unit: "万元", Rows: []accountLineJSON{}}
	for _, l := range sel.Lines {
		out.Rows = append(out.Rows, accountLineJSON{
			Year: l.Year, RatePercent: l.Rate, FundSizeWan: wanPlain(l.rev.FundSizeFen), ReturnsWan: wanPlain(l.rev.ReturnsFen),
			PublicationID: l.Pub.ID, Revision: l.Pub.LiveRevision, PublishedAt: l.Pub.LastPublishedAt, URL: h.absolute(l.Path),
		})
	}
	return out
}

func accountTableCSV(regionCode, regionName string, lines []accountLine) [][]string {
	rows := [][]string{{"年度", "地区代码", "地区", "记账利率（%）", "基金规模（万元）", "投资收益（万元）"}}
	for _, l := range lines {
		rows = append(rows, []string{strconv.Itoa(l.Year), regionCode, regionName, l.Rate,
			wanPlain(l.rev.FundSizeFen), wanPlain(l.rev.ReturnsFen)})
	}
	return rows
}

// accountsDownload serves /disclosure/accounts.csv and .json.
func (h *Handler) accountsDownload(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return h.cachedData(c, "accounts."+format+"?"+queryKey(c, "region"), func(c *fiber.Ctx) error {
			sel, exact, err := h.selectAccounts(c.UserContext(), c)
			if err != nil {
				return err
			}
			if !exact || sel.Region == "" {
				return errNoAccountNote
			}
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="account-notes-`+sel.Region+`.`+format+`"`)
			if format == "csv" {
				return sendCSV(c, accountTableCSV(sel.Region, h.regionLabel(sel.Region), sel.Lines))
			}
			return sendJSON(c, fiber.StatusOK, h.accountTableBody(sel))
		})
	}
}

var errNoAccountNote = store.NotFound("没有所选地区的个人账户基金保值增值情况公开数据。")
