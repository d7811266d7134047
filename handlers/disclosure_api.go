package handlers

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/handlers/web"
	"fundwatch/store"
)

// The open-data API of the disclosure (/api/v1/articles, /api/v1/disclosures,
// /api/v1/fund-table): what the public pages show, as JSON, served from the
// same cache with the same ETag and Last-Modified. Figures are exact
// decimal strings (万元, yuan, percent); times are RFC 3339 UTC.

// apiPubSummary is a publication in a list.
type apiPubSummary struct {
	ID               string     `json:"id"`
	Kind             string     `json:"kind"`
	KindLabel        string     `json:"kindLabel"`
	Title            string     `json:"title"`
	Summary          string     `json:"summary,omitempty"`
	RegionCode       string     `json:"regionCode"`
	RegionName       string     `json:"regionName"`
	Year             int        `json:"year,omitempty"`
	FirstPublishedAt time.Time  `json:"firstPublishedAt"`
	LastPublishedAt  time.Time  `json:"lastPublishedAt"`
	Revision         int        `json:"revision"`
	Corrected        bool       `json:"corrected"`
	Withdrawn        bool       `json:"withdrawn"`
	WithdrawnAt      *time.Time `json:"withdrawnAt,omitempty"`
	URL              string     `json:"url"`
}

func (h *Handler) apiSummary(p store.Published) apiPubSummary {
	pub := p.Publication
	s := apiPubSummary{
		ID: pub.ID, Kind: pub.Kind, KindLabel: pubKindLabel(pub.Kind), Title: pub.Title,
		RegionCode: pub.RegionCode, RegionName: h.regionLabel(pub.RegionCode), Year: pub.Year,
		FirstPublishedAt: pub.FirstPublishedAt, LastPublishedAt: pub.LastPublishedAt, Revision: pub.LiveRevision,
		Corrected: pub.LiveRevision > 1, Withdrawn: pub.Withdrawn(), URL: h.absolute(itemPath(pub)),
	}
	if pub.Withdrawn() {
		at := pub.WithdrawnAt
		s.WithdrawnAt = &at
	}
	if p.Live != nil && !pub.Withdrawn() {
		s.Summary = p.Live.Summary
	}
	return s
}

type apiList struct {
	Items    []apiPubSummary `json:"items"`
	Total    int             `json:"total"`
	Page     int             `json:"page"`
	PageSize int             `json:"pageSize"`
	Pages    int             `json:"pages"`
}

// apiRevision is one public revision of a publication.
type apiRevision struct {
	Number         int       `json:"number"`
	Status         string    `json:"status"` // published or superseded
	PublishedAt    time.Time `json:"publishedAt"`
	CorrectionNote string    `json:"correctionNote,omitempty"`
	URL            string    `json:"url"`
}

type apiCorrection struct {
	Note        string    `json:"note"`
	PublishedAt time.Time `json:"publishedAt"`
}

type apiAccountNote struct {
	RatePercent string `json:"ratePercent"`
	FundSizeWan string `json:"fundSizeWan"`
	ReturnsWan  string `json:"returnsWan"`
}

// apiPublication is one publication with its live revision: an article's
// text and announcement fields, or a disclosure's figures.
type apiPublication struct {
	apiPubSummary
	Body           string          `json:"body"`
	EventDate      string          `json:"eventDate,omitempty"`
	AmountYuan     string          `json:"amountYuan,omitempty"`
	InsuranceTypes []string        `json:"insuranceTypes,omitempty"`
	HandlingResult string          `json:"handlingResult,omitempty"`
	FundTable      *fundTableJSON  `json:"fundTable,omitempty"`
	AccountNote    *apiAccountNote `json:"accountNote,omitempty"`
	Correction     *apiCorrection  `json:"correction,omitempty"`
	Revisions      []apiRevision   `json:"revisions"`
}

// apiWithdrawn is the 410 body of a withdrawn publication. It carries no
// request id: it is cached and the same for everyone.
type apiWithdrawn struct {
	Error            string    `json:"error"`
	ID               string    `json:"id"`
	Kind             string    `json:"kind"`
	Title            string    `json:"title"`
	Withdrawn        bool      `json:"withdrawn"`
	WithdrawnAt      time.Time `json:"withdrawnAt"`
	WithdrawnReason  string    `json:"withdrawnReason"`
	FirstPublishedAt time.Time `json:"firstPublishedAt"`
}

func apiBadRequest(msg string) error {
	return web.NewHTTPError(fiber.StatusBadRequest, "参数错误", msg)
}

// articleKinds and disclosureKinds are the kinds each API lists.
var (
	articleKinds    = []string{store.PubAnnouncement, store.PubNews, store.PubNotice}
	disclosureKinds = []string{store.PubFundReport, store.PubAccountNote}
)

// apiListHandler serves /api/v1/articles (kindParam "type") and
// /api/v1/disclosures (kindParam "kind", with region and year).
func (h *Handler) apiListHandler(kinds []string, kindParam string, withRegionYear bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f := store.PublishedFilter{Kinds: kinds, WithTombstones: true, Limit: listPageSize}
		key := url.Values{}
		if k := c.Query(kindParam); k != "" {
			if !containsString(kinds, k) {
				return apiBadRequest("参数 " + kindParam + " 不正确，可选值为 " + strings.Join(kinds, "、") + "。")
			}
			f.Kinds = []string{k}
			key.Set(kindParam, k)
		}
		if withRegionYear {
			if r := c.Query("region"); r != "" {
				if _, ok := h.Regions.Lookup(r); !ok {
					return apiBadRequest("参数 region 不是吉林省的地区代码。")
				}
				f.RegionCodes = []string{r}
				key.Set("region", r)
			}
			if y := c.Query("year"); y != "" {
				n, err := strconv.Atoi(y)
				if err != nil || n < 1990 || n > 2100 || strconv.Itoa(n) != y {
					return apiBadRequest("参数 year 应为1990至2100之间的年份。")
				}
				f.Year = n
				key.Set("year", y)
			}
		}
		page, ok := pageNumber(c)
		if !ok {
			return apiBadRequest("参数 page 应为正整数。")
		}
		f.Offset = (page - 1) * listPageSize
		key.Set("page", strconv.Itoa(page))
		return h.cachedData(c, c.Route().Path+"?"+key.Encode(), func(c *fiber.Ctx) error {
			items, total, err := h.Store.ListPublished(c.UserContext(), f)
			if err != nil {
				return err
			}
			if page > 1 && len(items) == 0 {
				return web.NewHTTPError(fiber.StatusNotFound, "页面不存在", "没有这一页，共 "+strconv.Itoa(total)+" 条。")
			}
			out := apiList{Items: []apiPubSummary{}, Total: total, Page: page, PageSize: listPageSize,
				Pages: max(1, (total+listPageSize-1)/listPageSize)}
			for _, p := range items {
				out.Items = append(out.Items, h.apiSummary(p))
			}
			return sendJSON(c, fiber.StatusOK, out)
		})
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// apiOneHandler serves /api/v1/articles/{id} and /api/v1/disclosures/{id}:
// a publication of kinds, 404 for any other or an unpublished one, 410
// for a withdrawn one.
func (h *Handler) apiOneHandler(kinds []string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		// Keyed by the id as asked, so a hit reads nothing from the
		// store; an answer is kept only for a publication of kinds.
		return h.cachedData(c, c.Route().Path+" "+c.Params("id"), func(c *fiber.Ctx) error {
			p, err := h.publicPublication(c.UserContext(), c.Params("id"))
			if err != nil {
				return err
			}
			if !containsString(kinds, p.Kind) {
				return errPublicationNotFound
			}
			if p.Withdrawn() {
				return sendJSON(c, fiber.StatusGone, apiWithdrawn{
					Error: "该信息已于" + p.WithdrawnAt.In(store.CST).Format("2006年01月02日") + "撤回。撤回原因：" + p.WithdrawnReason,
					ID:    p.ID, Kind: p.Kind, Title: p.Title, Withdrawn: true, WithdrawnAt: p.WithdrawnAt,
					WithdrawnReason: p.WithdrawnReason, FirstPublishedAt: p.FirstPublishedAt,
				})
			}
			revs, err := h.publicRevisions(c.UserContext(), p)
			if err != nil {
				return err
			}
			var live *store.Revision
			out := apiPublication{Revisions: []apiRevision{}}
			for _, r := range revs {
				status := store.RevSuperseded
				if r.Number == p.LiveRevision {
					live, status = r, store.RevPublished
				}
				out.Revisions = append(out.Revisions, apiRevision{Number: r.Number, Status: status, PublishedAt: r.PublishedAt,
					CorrectionNote: r.CorrectionNote, URL: h.absolute(revisionOrItemPath(p, r.Number))})
			}
			if live == nil {
				return errPublicationNotFound
			}
			out.apiPubSummary = h.apiSummary(store.Published{Publication: p, Live: live})
			out.Body = live.Body
			out.EventDate = live.EventDate
			if live.AmountFen > 0 {
				out.AmountYuan = yuanPlain(live.AmountFen)
			}
			out.InsuranceTypes = live.InsuranceTypes
			out.HandlingResult = live.HandlingResult
			if live.Number > 1 && live.CorrectionNote != "" {
				out.Correction = &apiCorrection{Note: live.CorrectionNote, PublishedAt: live.PublishedAt}
			}
			switch p.Kind {
			case store.PubFundReport:
				t := h.fundTableBody(h.fundTableOf(store.Published{Publication: p, Live: live}, ""))
				out.FundTable = &t
			case store.PubAccountNote:
				out.AccountNote = &apiAccountNote{RatePercent: percentOfBasisPoints(live.RateBasisPoints),
					FundSizeWan: wanPlain(live.FundSizeFen), ReturnsWan: wanPlain(live.ReturnsFen)}
			}
			return sendJSON(c, fiber.StatusOK, out)
		})
	}
}

// apiFundTable serves /api/v1/fund-table: the table /disclosure/funds
// shows for the same region, year and type, as its JSON download.
func (h *Handler) apiFundTable(c *fiber.Ctx) error {
	return h.cachedData(c, "api fund-table?"+queryKey(c, "region", "year", "type"), func(c *fiber.Ctx) error {
		sel, exact, err := h.selectFunds(c.UserContext(), c)
		if err != nil {
			return err
		}
		if !exact || sel.Report == nil {
			return errNoFundReport
		}
		return sendJSON(c, fiber.StatusOK, h.fundTableBody(h.fundTableOf(*sel.Report, sel.Type)))
	})
}
