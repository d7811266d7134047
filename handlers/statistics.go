package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// Public statistics of complaints and reports (统计数据): received,
// accepted, concluded and amounts recovered per year, city and province,
// with the suppression rules of casework.PublicStatistics. The same figures
// are served as a page (/statistics), a CSV download (/statistics.csv), a
// JSON download (/statistics.json) and the API (GET /api/v1/statistics),
// and as a summary on the home page. All are public, kept rendered until
// the figures change (sitecache.go), cached by browsers and proxies for
// web.PageMaxAge and revalidated by ETag or Last-Modified.

// statsDefaultYears is how many years the statistics show unless asked.
const statsDefaultYears = 3

// Sentences of the statistics, the same on every form of them.
const (
	statsNoteSmall = "“<3”表示不足3件。为防止据此识别具体案件，件数为1件或2件的不公布具体数字。"
	statsNoteStar  = "“*”表示不予公布：追回金额涉及的案件不足3件的，以及为防止由合计推算出不足3件的数字或个别案件的追回金额而一并隐去的数字。"
	statsNoteScope = "按收到举报投诉的年度（北京时间）和案件现所在的市（州）统计，县（市、区）的案件计入所属市（州）；转办的案件计入转往的地区。数字随案件办理进展更新。"
	statsNoteTerms = "受理：已受理、调查中和已办结的件数（转办后待接收地区决定的不计入）；办结：调查完毕（含已结案）的件数；追回金额：办结案件追回的基金金额，单位万元，四舍五入保留两位小数。"
)

var statsNotes = []string{statsNoteScope, statsNoteTerms, statsNoteSmall, statsNoteStar}

// statsView is what every form of the statistics is built from.
type statsView struct {
	Years    []casework.StatsYear // newest first
	From, To int
	// First and Current bound the years on offer: the first year with a
	// case and the current year (China Standard Time).
	First, Current int
	Modified       time.Time
}

// statsRange reads the from and to query parameters: four-digit years
// between first and current, from no later than to. Missing ones default
// to the last statsDefaultYears years (no earlier than first).
func statsRange(c *fiber.Ctx, first, current int) (from, to int, err error) {
	bad := func(msg string) (int, int, error) {
		return 0, 0, web.NewHTTPError(fiber.StatusBadRequest, "年份有误", msg)
	}
	year := func(name string, def int) (int, bool) {
		s := strings.TrimSpace(c.Query(name))
		if s == "" {
			return def, true
		}
		y, err := strconv.Atoi(s)
		if err != nil || len(s) != 4 || y < first || y > current {
			return 0, false
		}
		return y, true
	}
	span := fmt.Sprintf("请选择 %d 年至 %d 年之间的年份。", first, current)
	from, ok := year("from", max(first, current-statsDefaultYears+1))
	if !ok {
		return bad("起始年份有误，" + span)
	}
	to, ok = year("to", current)
	if !ok {
		return bad("截止年份有误，" + span)
	}
	if from > to {
		return bad("起始年份不能晚于截止年份。")
	}
	return from, to, nil
}

// statsFor builds the statistics the request asks for.
func (h *Handler) statsFor(c *fiber.Ctx) (*statsView, error) {
	snap, err := h.caseStatistics(c.UserContext())
	if err != nil {
		return nil, err
	}
	current := h.now().In(store.CST).Year()
	first := casework.StatsFirstYear(snap.rows, current, h.Config.Demo)
	from, to, err := statsRange(c, first, current)
	if err != nil {
		return nil, err
	}
	v := &statsView{From: from, To: to, First: first, Current: current, Modified: h.lastModified(snap.changedAt)}
	for y := to; y >= from; y-- {
		v.Years = append(v.Years, casework.PublicStatistics(snap.rows, h.Regions, y, h.Config.Demo))
	}
	return v, nil
}

// statsKey is what a request for the statistics chooses, for the key it is
// kept under: the years it names, as numbers. Whether they can be shown is
// decided by the build (statsRange); only a 200 is kept, so the keys kept
// stay bounded by the years there are.
func statsKey(c *fiber.Ctx) string {
	var b strings.Builder
	for _, name := range []string{"from", "to"} {
		s := strings.TrimSpace(c.Query(name))
		if s == "" {
			continue
		}
		y, err := strconv.Atoi(s)
		if err != nil {
			y = -1
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(strconv.Itoa(y))
	}
	return b.String()
}

// statsQuery is the query string that asks for v's years again, for the
// download links.
func (v *statsView) query() string {
	return url.Values{"from": {strconv.Itoa(v.From)}, "to": {strconv.Itoa(v.To)}}.Encode()
}

// statisticsPage is 统计数据: a table per year, years chosen with a GET
// form, and the downloads; kept rendered until the figures change.
func (h *Handler) statisticsPage(c *fiber.Ctx) error {
	canonical := "/statistics"
	if q := statsKey(c); q != "" {
		canonical += "?" + q
	}
	return h.sitePage(c, h.site.stats, canonical, func(c *fiber.Ctx) error {
		v, err := h.statsFor(c)
		if err != nil {
			return err
		}
		var offered []int
		for y := v.Current; y >= v.First; y-- {
			offered = append(offered, y)
		}
		return h.renderPage(c, fiber.StatusOK, "statistics", fiber.Map{
			"Title":   "统计数据",
			"Nav":     "statistics",
			"Back":    canonical,
			"Stats":   v,
			"Offered": offered,
			"CSVURL":  "/statistics.csv?" + v.query(),
			"JSONURL": "/statistics.json?" + v.query(),
			"Notes":   statsNotes,
		})
	})
}

// statsRowName names a row as the page and the CSV do: the province's row
// is its total.
func statsRowName(r casework.StatsRow) string {
	if r.Kind == casework.StatsRowTotal {
		return r.RegionName + "合计"
	}
	return r.RegionName
}

// statsCSVHeader is the header row of the CSV download.
var statsCSVHeader = []string{"年度", "地区代码", "地区", "收到件数", "受理件数", "办结件数", "追回金额（万元）"}

// statisticsCSV is the CSV download: UTF-8 with a byte order mark, one
// row per year and region, the figures exactly as the page shows them.
func (h *Handler) statisticsCSV(c *fiber.Ctx) error {
	return h.siteData(c, h.site.stats, "/statistics.csv?"+statsKey(c), func(c *fiber.Ctx) error {
		v, err := h.statsFor(c)
		if err != nil {
			return err
		}
		rows := [][]string{statsCSVHeader}
		for _, y := range v.Years {
			for _, r := range y.Rows {
				rows = append(rows, []string{strconv.Itoa(y.Year), r.RegionCode, statsRowName(r), r.Received.CountText(),
					r.Accepted.CountText(), r.Concluded.CountText(), r.Recovered.AmountText()})
			}
		}
		var buf bytes.Buffer
		if err := casework.WriteCSV(&buf, rows); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		setAttachment(c, v, "csv")
		c.Response().SetBodyRaw(buf.Bytes())
		return nil
	})
}

// setAttachment names the download of v's years: an ASCII name for old
// clients and the Chinese one (RFC 6266 filename*) for the rest.
func setAttachment(c *fiber.Ctx, v *statsView, ext string) {
	years := fmt.Sprintf("%d-%d", v.From, v.To)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="statistics-%s.%s"; filename*=UTF-8''%s`,
		years, ext, url.PathEscape("举报投诉统计_"+years+"."+ext)))
}

// apiStats is the statistics in JSON (the API and the JSON download).
type apiStats struct {
	From       int            `json:"from"`
	To         int            `json:"to"`
	UpdatedAt  time.Time      `json:"updatedAt"`
	AmountUnit string         `json:"amountUnit"`
	Notes      []string       `json:"notes"`
	Years      []apiStatsYear `json:"years"`
}

type apiStatsYear struct {
	Year int           `json:"year"`
	Rows []apiStatsRow `json:"rows"`
}

type apiStatsRow struct {
	Kind       string         `json:"kind"`
	RegionCode string         `json:"regionCode,omitempty"`
	RegionName string         `json:"regionName"`
	Received   apiStatsCount  `json:"received"`
	Accepted   apiStatsCount  `json:"accepted"`
	Concluded  apiStatsCount  `json:"concluded"`
	Recovered  apiStatsAmount `json:"recovered"`
}

// apiStatsCount is a count: its value, or why it is not published; text is
// what the page shows either way.
type apiStatsCount struct {
	Value      *int64 `json:"value,omitempty"`
	Text       string `json:"text"`
	Suppressed string `json:"suppressed,omitempty"`
}

// apiStatsAmount is an amount: exact in fen and in 万元 as the page shows
// it, or why it is not published.
type apiStatsAmount struct {
	Fen        *int64 `json:"fen,omitempty"`
	WanYuan    string `json:"wanYuan,omitempty"`
	Text       string `json:"text"`
	Suppressed string `json:"suppressed,omitempty"`
}

func statsCount(c casework.StatsCell) apiStatsCount {
	out := apiStatsCount{Text: c.CountText(), Suppressed: c.Suppressed}
	if c.Suppressed == "" {
		out.Value = &c.Value
	}
	return out
}

func statsAmount(c casework.StatsCell) apiStatsAmount {
	out := apiStatsAmount{Text: c.AmountText(), Suppressed: c.Suppressed}
	if c.Suppressed == "" {
		out.Fen, out.WanYuan = &c.Value, out.Text
	}
	return out
}

func (v *statsView) api() apiStats {
	out := apiStats{From: v.From, To: v.To, UpdatedAt: v.Modified, AmountUnit: "万元", Notes: statsNotes,
		Years: []apiStatsYear{}}
	for _, y := range v.Years {
		ay := apiStatsYear{Year: y.Year}
		for _, r := range y.Rows {
			ay.Rows = append(ay.Rows, apiStatsRow{
				Kind: r.Kind, RegionCode: r.RegionCode, RegionName: r.RegionName,
				Received: statsCount(r.Received), Accepted: statsCount(r.Accepted), Concluded: statsCount(r.Concluded),
				Recovered: statsAmount(r.Recovered),
			})
		}
		out.Years = append(out.Years, ay)
	}
	return out
}

// sendStatsJSON answers with v as JSON, as a download when download.
func sendStatsJSON(c *fiber.Ctx, v *statsView, download bool) error {
	// "<3" stays "<3" in the file rather than "\u003c3": the body is
	// JSON under its own content type (and nosniff), never HTML.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v.api()); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	if download {
		setAttachment(c, v, "json")
	}
	c.Response().SetBodyRaw(buf.Bytes())
	return nil
}

// statisticsJSON is the JSON download: the API's answer as a file.
func (h *Handler) statisticsJSON(c *fiber.Ctx) error {
	return h.siteData(c, h.site.stats, "/statistics.json?"+statsKey(c), func(c *fiber.Ctx) error {
		v, err := h.statsFor(c)
		if err != nil {
			return err
		}
		return sendStatsJSON(c, v, true)
	})
}

// apiStatistics is GET /api/v1/statistics.
func (h *Handler) apiStatistics(c *fiber.Ctx) error {
	return h.siteData(c, h.site.stats, "/api/v1/statistics?"+statsKey(c), func(c *fiber.Ctx) error {
		v, err := h.statsFor(c)
		if err != nil {
			return err
		}
		return sendStatsJSON(c, v, false)
	})
}

// homeStats is the summary on the home page: the province's figures of the
// current year and, once there were cases then, of the year before.
type homeStats struct {
	Years    []casework.StatsYear // current year first
	Modified time.Time
}

// homeSummary builds the home page's summary, or nil if the store cannot
// count: the home page is shown without it rather than not at all.
func (h *Handler) homeSummary(c *fiber.Ctx) *homeStats {
	snap, err := h.caseStatistics(c.UserContext())
	if err != nil {
		h.Log.Warn("home page without statistics", "request_id", web.RequestID(c), "error", err)
		return nil
	}
	current := h.now().In(store.CST).Year()
	s := &homeStats{Modified: h.lastModified(snap.changedAt)}
	s.Years = append(s.Years, casework.PublicStatistics(snap.rows, h.Regions, current, h.Config.Demo))
	if casework.StatsFirstYear(snap.rows, current, h.Config.Demo) < current {
		s.Years = append(s.Years, casework.PublicStatistics(snap.rows, h.Regions, current-1, h.Config.Demo))
	}
	return s
}
