package caseflow

import (
	"context"
	"fmt"
	"slices"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
)

// checkFundRows applies the checks of DOMAIN.md to a fund report's rows:
// what blocks (an unknown or repeated insurance type, a negative amount
// where none may be, parts above their total) and what only warns (a
// balance that is not income minus expenditure, a year-end balance that
// does not carry on from the previous year's published one).
func (s *Service) checkFundRows(ctx context.Context, region string, year int, rows []store.FundRow) (problems, warnings []string) {
	if len(rows) == 0 {
		return []string{MsgPubRows}, nil
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.InsuranceType] {
			problems = append(problems, MsgPubRowType)
			continue
		}
		seen[r.InsuranceType] = true
		label := casework.InsuranceTypeLabel(r.InsuranceType) + "："
		blocking, warn := casework.CheckFundRow(r)
		for _, p := range blocking {
			problems = append(problems, label+p.Message)
		}
		for _, p := range warn {
			warnings = append(warnings, label+p.Message)
		}
	}
	if len(problems) > 0 || year <= 0 {
		return problems, warnings
	}
	prev, _, err := s.Store.ListPublished(ctx, store.PublishedFilter{Kinds: []string{store.PubFundReport},
		RegionCodes: []string{region}, Year: year - 1, Limit: 1})
	if err != nil {
		s.log().Warn("previous year's fund report not read for the balance check", "region", region, "year", year-1, "error", err)
		return problems, warnings
	}
	if len(prev) == 0 || prev[0].Live == nil {
		return problems, warnings
	}
	before := map[string]store.FundRow{}
	for _, r := range prev[0].Live.FundRows {
		before[r.InsuranceType] = r
	}
	for _, r := range rows {
		if p, ok := before[r.InsuranceType]; ok {
			for _, w := range casework.CheckAccumulated(p, r) {
				warnings = append(warnings, fmt.Sprintf("%s（与%d年度已公开数据比较）：%s", casework.InsuranceTypeLabel(r.InsuranceType), year-1, w.Message))
			}
		}
	}
	return problems, warnings
}

// personalDataWarnings looks through an article's text for what looks like
// personal data — ID numbers, phone numbers and, for an announcement made
// from a case, the reporter's name — and says where, masked. The
// reporter's identity is opened only to be compared here; it is never
// shown or returned.
func (s *Service) personalDataWarnings(ctx context.Context, d PublicationDraft, fromCase string) []string {
	var names []string
	if fromCase != "" && s.Keyring != nil {
		if c, err := s.Store.CaseByID(ctx, fromCase); err == nil && len(c.ReporterSealed) > 0 {
			if id, err := s.Keyring.OpenIdentity(c.ID, c.ReporterSealed); err == nil {
				for _, n := range []string{id.Name, id.ContactPerson} {
					if n != "" {
						names = append(names, n)
					}
				}
			} else {
				s.log().Error("reporter identity not opened for the personal data check", "case", c.Number, "error", err)
			}
		}
	}
	var out []string
	for _, f := range []struct{ name, text string }{
		{"标题", d.Title}, {"摘要", d.Summary}, {"正文", d.Body}, {"处理结果", d.HandlingResult},
	} {
		for _, p := range casework.FindPersonalData(f.text, names) {
			msg := fmt.Sprintf("%s第 %d 个字起有%s", f.name, p.StartChar+1, p.Description)
			if p.Kind == casework.PersonalName {
				msg = fmt.Sprintf("%s第 %d 个字起出现了举报人的姓名", f.name, p.StartChar+1)
			}
			out = append(out, msg+"。通报不得公开举报人和无关人员的个人信息，请核对。")
		}
	}
	return out
}

// FundTable is one year of one region's fund report as an uploaded file
// holds it.
type FundTable struct {
	Year       int
	RegionCode string
	Rows       []store.FundRow
}

// FundImportOutcome says what an upload did with one table.
type FundImportOutcome struct {
	Publication *store.Publication
	Year        int
	RegionCode  string
	Action      string // "created", "updated" (an open draft), "correction" (of the published table), "unchanged"
}

// MsgFundTableFrozen refuses an upload over a table that waits for approval.
const MsgFundTableFrozen = "%d年度%s的基金收支表已提交审核（或已审核待发布），不能用上传的文件覆盖；请由负责人退回后再导入。"

// ImportFundTables takes the tables of an uploaded file into drafts: a new
// draft where the region has no table for the year, the open draft
// updated, or a correction of the published table (which needs its
// correction note before it is submitted). Every table is checked against
// the store before anything is written, so a file that cannot be taken
// whole is refused whole (problems say why); the drafts are then written
// one by one.
func (s *Service) ImportFundTables(ctx context.Context, a Actor, tables []FundTable) ([]FundImportOutcome, []string, error) {
	type plan struct {
		t        FundTable
		existing *store.Publication
	}
	var plans []plan
	var problems []string
	for _, t := range tables {
		if err := s.requirePublishing(a, casework.PermPublish, t.RegionCode); err != nil {
			return nil, nil, err
		}
		existing, err := s.liveFundReport(ctx, t.RegionCode, t.Year)
		if err != nil {
			return nil, nil, err
		}
		if existing != nil && (existing.PendingStatus == store.RevSubmitted || existing.PendingStatus == store.RevApproved) {
			problems = append(problems, fmt.Sprintf(MsgFundTableFrozen, t.Year, s.Regions.TitleName(t.RegionCode)))
		}
		plans = append(plans, plan{t, existing})
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	var out []FundImportOutcome
	for _, p := range plans {
		o := FundImportOutcome{Year: p.t.Year, RegionCode: p.t.RegionCode}
		if p.existing == nil {
			res, err := s.CreatePublication(ctx, a, store.PubFundReport, p.t.RegionCode, p.t.Year, "", PublicationDraft{FundRows: p.t.Rows})
			if err != nil {
				return out, nil, err
			}
			o.Publication, o.Action = res.Publication, "created"
			out = append(out, o)
			continue
		}
		base, err := s.draftBase(ctx, p.existing)
		if err != nil {
			return out, nil, err
		}
		base.FundRows = p.t.Rows
		o.Action = "updated"
		if p.existing.PendingRevision == 0 {
			o.Action = "correction"
			base.CorrectionNote, base.ScheduledAt = "", time.Time{}
			res, err := s.savePublicationDraftUnchecked(ctx, a, p.existing, p.existing.Version, base)
			if err != nil {
				return out, nil, err
			}
			o.Publication = res.Publication
		} else {
			res, err := s.SavePublicationDraft(ctx, a, p.existing.ID, p.existing.Version, base)
			if err != nil {
				return out, nil, err
			}
			o.Publication = res.Publication
		}
		out = append(out, o)
	}
	return out, nil, nil
}

// liveFundReport is the region's fund report of year that is not
// withdrawn, or nil.
func (s *Service) liveFundReport(ctx context.Context, region string, year int) (*store.Publication, error) {
	pubs, _, err := s.Store.ListPublications(ctx, store.PublicationFilter{RegionCodes: []string{region},
		Kinds: []string{store.PubFundReport}, Year: year, Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	for _, p := range pubs {
		if !p.Withdrawn() {
			return p, nil
		}
	}
	return nil, nil
}

// draftBase is what a new draft of p starts from: its pending revision, or
// the live one.
func (s *Service) draftBase(ctx context.Context, p *store.Publication) (PublicationDraft, error) {
	revs, err := s.Store.Revisions(ctx, p.ID)
	if err != nil {
		return PublicationDraft{}, err
	}
	n := p.PendingRevision
	if n == 0 {
		n = p.LiveRevision
	}
	if n < 1 || n > len(revs) {
		return PublicationDraft{}, store.Conflict(store.MsgStaleRecord)
	}
	return DraftFromRevision(revs[n-1]), nil
}

// PublishFundTables publishes tables moved over from an old site (fundwatch
// import fund-reports), dated at: a table the region already has for the
// year with the same figures is left alone, so running the import again
// changes nothing; one with other figures is refused (problems), since a
// published table changes only by a correction made in the admin pages.
// Every table is checked before anything is written.
func (s *Service) PublishFundTables(ctx context.Context, a Actor, tables []FundTable, at time.Time) (published, unchanged int, problems []string, err error) {
	var todo []FundTable
	for _, t := range tables {
		existing, err := s.liveFundReport(ctx, t.RegionCode, t.Year)
		if err != nil {
			return 0, 0, nil, err
		}
		if existing == nil {
			todo = append(todo, t)
			continue
		}
		same := false
		if existing.LiveRevision > 0 {
			if base, err := s.draftBase(ctx, &store.Publication{ID: existing.ID, LiveRevision: existing.LiveRevision}); err == nil {
				same = slices.Equal(base.FundRows, t.Rows)
			}
		}
		if same {
			unchanged++
			continue
		}
		problems = append(problems, fmt.Sprintf("%d年度%s的基金收支表已经存在且数据不同；已发布的表只能在管理页面中更正。", t.Year, s.Regions.TitleName(t.RegionCode)))
	}
	if len(problems) > 0 {
		return 0, unchanged, problems, nil
	}
	for _, t := range todo {
		if _, err := s.PublishImported(ctx, a, store.PubFundReport, t.RegionCode, t.Year, "", PublicationDraft{FundRows: t.Rows}, at); err != nil {
			return published, unchanged, nil, err
		}
		published++
	}
	return published, unchanged, nil, nil
}
