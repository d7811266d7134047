package caseflow

import (
	"context"
	"fmt"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
)

// QuarterStats are a city's 要情 statistics for one quarter: computed from
// the classified cases discovered in the quarter, and the snapshot the city
// submitted, if it did.
type QuarterStats struct {
	City      casework.Region
	Year      int
	Quarter   int
	Rows      []store.QuarterlyRow // computed now from the cases
	Submitted *store.QuarterlyReport
	DueAt     time.Time
	Status    string // casework.Quarterly* status
}

// QuarterlyStats computes a city's statistics for a quarter within the
// actor's scope (ENOTFOUND for a city outside it).
func (s *Service) QuarterlyStats(ctx context.Context, a Actor, cityCode string, year, quarter int) (*QuarterStats, error) {
	if err := s.require(a, casework.PermViewQuarterly); err != nil {
		return nil, err
	}
	city, ok := s.Regions.Lookup(cityCode)
	if !ok || city.Level != casework.LevelCity || !contains(a.Scope, cityCode) {
		return nil, store.NotFound(store.MsgNotFound)
	}
	if quarter < 1 || quarter > 4 || year < 2000 || year > 2200 {
		return nil, store.Errorf(store.EINVALID, "请选择有效的年度和季度。")
	}
	first, last := casework.QuarterBounds(year, quarter)
	var cases []*store.Case
	for offset := 0; ; offset += store.MaxLimit {
		page, total, err := s.Store.ListCases(ctx, store.CaseFilter{
			RegionCodes: s.Regions.Descendants(cityCode), DiscoveredFrom: first, DiscoveredTo: last,
			Limit: store.MaxLimit, Offset: offset, Sort: store.SortOldest,
		})
		if err != nil {
			return nil, err
		}
		cases = append(cases, page...)
		if offset+len(page) >= total || len(page) == 0 {
			break
		}
	}
	reports, err := s.Store.QuarterlyReports(ctx, year, quarter, []string{cityCode})
	if err != nil {
		return nil, err
	}
	st := &QuarterStats{City: city, Year: year, Quarter: quarter, Rows: casework.AggregateQuarter(cases),
		DueAt: casework.QuarterlyDue(year, quarter, s.Rules.Calendar())}
	if len(reports) > 0 {
		st.Submitted = reports[0]
	}
	st.Status = casework.QuarterlyStatus(st.Submitted, st.DueAt, s.now())
	return st, nil
}

// SubmitQuarterly sends a city's statistics for an ended quarter to the
// province: a snapshot of the rows as computed now, once per quarter. Only
// a leader of the city itself submits.
func (s *Service) SubmitQuarterly(ctx context.Context, a Actor, year, quarter int) (*store.QuarterlyReport, error) {
	if err := s.require(a, casework.PermSubmitQuarterly); err != nil {
		return nil, err
	}
	city, ok := s.Regions.Lookup(a.RegionCode)
	if !ok || city.Level != casework.LevelCity {
		return nil, store.Errorf(store.EINVALID, "季度统计由各市（州）负责人报送，省级负责人在此查看各地报送情况。")
	}
	_, last := casework.QuarterBounds(year, quarter)
	end, err := time.ParseInLocation(time.DateOnly, last, store.CST)
	if err != nil {
		return nil, store.Errorf(store.EINVALID, "请选择有效的年度和季度。")
	}
	if s.now().Before(end.AddDate(0, 0, 1)) {
		return nil, store.Errorf(store.EINVALID, "该季度尚未结束，结束后才能报送统计。")
	}
	st, err := s.QuarterlyStats(ctx, a, city.Code, year, quarter)
	if err != nil {
		return nil, err
	}
	q := &store.QuarterlyReport{
		ID: casework.QuarterlyReportID(city.Code, year, quarter), CityCode: city.Code, Year: year, Quarter: quarter,
		Rows: st.Rows, DueAt: st.DueAt, SubmittedBy: a.recordedAs(), SubmittedByName: a.Name, SubmittedAt: s.now(),
	}
	if err := s.Store.SubmitQuarterlyReport(ctx, q); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditQuarterly, "quarterly", q.ID, city.Code,
		city.Name+" 报送 "+QuarterName(year, quarter)+" 要情统计"); err != nil {
		return nil, err
	}
	return q, nil
}

// ProvinceQuarter is the province's view of a quarter: each city with where
// its statistics stand.
func (s *Service) ProvinceQuarter(ctx context.Context, a Actor, year, quarter int) ([]QuarterStats, error) {
	if err := s.require(a, casework.PermViewQuarterly); err != nil {
		return nil, err
	}
	var cities []string
	for _, c := range s.Regions.Cities() {
		if contains(a.Scope, c.Code) {
			cities = append(cities, c.Code)
		}
	}
	reports, err := s.Store.QuarterlyReports(ctx, year, quarter, cities)
	if err != nil {
		return nil, err
	}
	byCity := map[string]*store.QuarterlyReport{}
	for _, r := range reports {
		byCity[r.CityCode] = r
	}
	due := casework.QuarterlyDue(year, quarter, s.Rules.Calendar())
	now := s.now()
	var out []QuarterStats
	for _, code := range cities {
		city, _ := s.Regions.Lookup(code)
		r := byCity[code]
		out = append(out, QuarterStats{City: city, Year: year, Quarter: quarter, Submitted: r, DueAt: due,
			Status: casework.QuarterlyStatus(r, due, now)})
	}
	return out, nil
}

// QuarterName is how a quarter is written: "2026年第三季度".
func QuarterName(year, quarter int) string {
	if quarter < 1 || quarter > 4 {
		return fmt.Sprintf("%d年", year)
	}
	return fmt.Sprintf("%d年第%s季度", year, []string{"一", "二", "三", "四"}[quarter-1])
}
