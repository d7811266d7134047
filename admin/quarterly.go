package admin

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// quarterQuery reads year and quarter from the query, defaulting to the last
// quarter that has ended.
func (a *Admin) quarterQuery(c *fiber.Ctx) (year, quarter int) {
	y, q := casework.QuarterOf(a.now())
	q--
	if q == 0 {
		y, q = y-1, 4
	}
	if v, err := strconv.Atoi(c.Query("year")); err == nil && v >= 2000 && v <= 2200 {
		y = v
	}
	if v, err := strconv.Atoi(c.Query("quarter")); err == nil && v >= 1 && v <= 4 {
		q = v
	}
	return y, q
}

// cityOf is the city whose statistics the user works with: their own city
// (or the city their county lies in is not theirs to report: ok false), or
// for the province the city chosen in the query.
func (a *Admin) quarterCity(c *fiber.Ctx, actor caseflow.Actor) (string, bool) {
	r, ok := a.Regions.Lookup(actor.RegionCode)
	if !ok {
		return "", false
	}
	switch r.Level {
	case casework.LevelCity:
		return r.Code, true
	case casework.LevelProvince:
		city := c.Query("city")
		if cr, ok := a.Regions.Lookup(city); ok && cr.Level == casework.LevelCity {
			return city, true
		}
	}
	return "", false
}

// quarterlyPage shows the quarterly 要情 statistics: a city sees its own
// (computed from the cases, and what it submitted) and its leader submits
// them; the province sees every city's status — submitted, late or
// missing — and each city's figures.
func (a *Admin) quarterlyPage(c *fiber.Ctx) error {
	return a.renderQuarterly(c, fiber.StatusOK, "")
}

func (a *Admin) renderQuarterly(c *fiber.Ctx, status int, problem string) error {
	actor := a.actor(c)
	ctx := c.UserContext()
	year, quarter := a.quarterQuery(c)
	data := fiber.Map{
		"Title": "要情季度统计", "Nav": "quarterly", "Year": year, "Quarter": quarter,
		"QuarterName": caseflow.QuarterName(year, quarter), "Problem": problem,
		"Years": yearsAround(a.now().In(store.CST).Year()),
	}
	if c.Query("done") == "submitted" {
		data["Flash"] = "已报送省级。报送后的数据即为本季度正式统计。"
	}
	me, _ := a.Regions.Lookup(actor.RegionCode)
	if me.Level == casework.LevelProvince {
		overview, err := a.Cases.ProvinceQuarter(ctx, actor, year, quarter)
		if err != nil {
			return err
		}
		data["Overview"] = overview
		data["Province"] = true
	}
	if city, ok := a.quarterCity(c, actor); ok {
		st, err := a.Cases.QuarterlyStats(ctx, actor, city, year, quarter)
		if err != nil {
			return err
		}
		data["Stats"] = st
		data["Rows"] = quarterRows(st)
		data["CanSubmit"] = me.Level == casework.LevelCity && casework.RoleAllows(current(c).User.Role, casework.PermSubmitQuarterly) && st.Submitted == nil
	} else if me.Level == casework.LevelCounty {
		data["CountyNote"] = "季度要情统计由市（州）汇总报送，县级可在案件办理中查看本地区的要情案件。"
	}
	return a.render(c, status, "quarterly", data)
}

func yearsAround(y int) []int { return []int{y - 2, y - 1, y} }

// quarterRows are the rows shown: the submitted snapshot once there is one,
// else the figures computed now.
func quarterRows(st *caseflow.QuarterStats) []store.QuarterlyRow {
	if st.Submitted != nil {
		return st.Submitted.Rows
	}
	return st.Rows
}

func (a *Admin) quarterlySubmit(c *fiber.Ctx) error {
	year, _ := strconv.Atoi(form(c, "year"))
	quarter, _ := strconv.Atoi(form(c, "quarter"))
	_, err := a.Cases.SubmitQuarterly(c.UserContext(), a.actor(c), year, quarter)
	q := url.Values{"year": {strconv.Itoa(year)}, "quarter": {strconv.Itoa(quarter)}}
	if err == nil {
		q.Set("done", "submitted")
		return c.Redirect(web.AdminPrefix+"/quarterly?"+q.Encode(), fiber.StatusSeeOther)
	}
	switch store.ErrorCode(err) {
	case store.EINVALID, store.ECONFLICT, store.EFORBIDDEN:
		c.Request().URI().SetQueryString(q.Encode())
		status := map[string]int{store.EINVALID: 422, store.ECONFLICT: 409, store.EFORBIDDEN: 403}[store.ErrorCode(err)]
		return a.renderQuarterly(c, status, store.ErrorMessage(err))
	}
	return err
}

// quarterlyExport is the statistics as CSV (UTF-8 with a byte-order mark so
// Excel reads the Chinese, cells that could start a formula neutralised).
func (a *Admin) quarterlyExport(c *fiber.Ctx) error {
	actor := a.actor(c)
	year, quarter := a.quarterQuery(c)
	city, ok := a.quarterCity(c, actor)
	if !ok {
		return store.NotFound(store.MsgNotFound)
	}
	st, err := a.Cases.QuarterlyStats(c.UserContext(), actor, city, year, quarter)
	if err != nil {
		return err
	}
	basis := "截至导出时的办理数据（未报送）"
	if st.Submitted != nil {
		basis = "已报送数据（" + st.Submitted.SubmittedAt.In(store.CST).Format("2006-01-02 15:04") + "）"
	}
	rows := [][]string{
		{"地区", a.Regions.FullName(city), "统计期", caseflow.QuarterName(year, quarter), "数据", basis},
		{"要情类别", "问题性质", "险种", "件数", "涉及金额（元）"},
	}
	for _, r := range quarterRows(st) {
		rows = append(rows, []string{casework.ImportantClassLabel(r.Class), casework.CategoryLabel(r.Category),
			casework.InsuranceTypeLabel(r.InsuranceType), strconv.Itoa(r.Count), casework.FormatYuan(r.AmountFen)})
	}
	var buf bytes.Buffer
	if err := casework.WriteCSV(&buf, rows); err != nil {
		return err
	}
	name := fmt.Sprintf("要情季度统计-%s-%dQ%d.csv", city, year, quarter)
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="quarterly-%s-%dQ%d.csv"; filename*=UTF-8''%s`,
		city, year, quarter, url.PathEscape(name)))
	return c.Send(buf.Bytes())
}

func (a *Admin) quarterlyPrint(c *fiber.Ctx) error {
	actor := a.actor(c)
	year, quarter := a.quarterQuery(c)
	city, ok := a.quarterCity(c, actor)
	if !ok {
		return store.NotFound(store.MsgNotFound)
	}
	st, err := a.Cases.QuarterlyStats(c.UserContext(), actor, city, year, quarter)
	if err != nil {
		return err
	}
	return a.renderPrint(c, "quarterly_print", fiber.Map{
		"Title": a.Regions.FullName(city) + caseflow.QuarterName(year, quarter) + "要情统计", "Stats": st,
		"Rows": quarterRows(st), "QuarterName": caseflow.QuarterName(year, quarter), "CityName": a.Regions.FullName(city),
	})
}
