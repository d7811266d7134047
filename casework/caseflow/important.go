package caseflow

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fundwatch/casework"
	"fundwatch/store"
)

// Limits of a 要情 report's text.
const (
	MaxReportTitleRunes = 200
	MaxReportBodyRunes  = 10000
)

// DraftImportantReport starts the 要情 report of a classified case,
// prefilled from it: the class and recipients, the discovery date and the
// deadline that counts from it, the amount, nature and insurance types, and
// a first text of the situation for the handler to complete. A case has one
// report line: while its first report exists, drafting again opens it
// (ECONFLICT is not an error here, the existing report is returned).
func (s *Service) DraftImportantReport(ctx context.Context, a Actor, caseID string) (*store.ImportantReport, error) {
	if err := s.require(a, casework.PermDraftReport); err != nil {
		return nil, err
	}
	c, err := s.Store.CaseInRegions(ctx, caseID, a.Scope)
	if err != nil {
		return nil, err
	}
	if c.ImportantClass != store.ClassImportant && c.ImportantClass != store.ClassMajor {
		return nil, store.Errorf(store.EINVALID, "请先进行要情认定（填写发现日期），再起草要情报告。")
	}
	existing, _, err := s.Store.ListImportantReports(ctx, store.ImportantFilter{RegionCodes: a.Scope, CaseID: c.ID, Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		return latestRevision(existing), nil
	}
	discovered, err := time.ParseInLocation(time.DateOnly, c.DiscoveredOn, store.CST)
	if err != nil {
		return nil, store.Errorf(store.EINVALID, "请先在要情认定中填写发现日期。")
	}
	due, _ := casework.ImportantCaseDeadline(c.ImportantClass, discovered, s.Rules.Calendar(), s.Rules.Important())
	amount, _ := casework.InvolvedAmount(c)
	now := s.now()
	r := &store.ImportantReport{
		ID:             store.NewID(),
		CaseID:         c.ID,
		CaseNumber:     c.Number,
		RegionCode:     c.RegionCode,
		Revision:       1,
		Class:          c.ImportantClass,
		National:       c.National,
		DiscoveredOn:   c.DiscoveredOn,
		DueAt:          due,
		AmountFen:      amount,
		Category:       c.Category,
		InsuranceTypes: c.InsuranceTypes,
		Title:          "关于" + oneLineText(c.Subject.Name) + "涉嫌" + casework.CategoryLabel(c.Category) + "问题的" + casework.ImportantClassLabel(c.ImportantClass) + "报告",
		Body:           draftBody(c),
		Recipients:     casework.ImportantRecipients(c.ImportantClass, c.National),
		DraftedBy:      a.recordedAs(),
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if err := s.Store.CreateImportantReport(ctx, r); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditReportDraft, "report", r.ID, r.RegionCode, c.Number+" 起草"+casework.ImportantClassLabel(r.Class)+"报告"); err != nil {
		return nil, err
	}
	return r, nil
}

// draftBody is the first text of a report: the facts the case holds, for
// the handler to complete with what has been found. It carries nothing of
// the reporter.
func draftBody(c *store.Case) string {
	var b strings.Builder
	b.WriteString("一、基本情况\n")
	b.WriteString("被反映对象：" + oneLineText(c.Subject.Name) + "。")
	if c.Subject.CreditCode != "" {
		b.WriteString("统一社会信用代码：" + c.Subject.CreditCode + "。")
	}
	b.WriteString("\n问题线索来源：群众举报（案件编号 " + c.Number + "）。\n")
	b.WriteString("\n二、目前查明的情况\n")
	if c.Result != "" {
		b.WriteString("调查结论：" + casework.ResultLabel(c.Result) + "。")
		if c.Conclusion.Measures != "" {
			b.WriteString("处理措施：" + c.Conclusion.Measures)
		}
		b.WriteString("\n")
	} else {
		b.WriteString("（请填写核查发现的事实、涉及人员和资金流向。）\n")
	}
	b.WriteString("\n三、已采取的措施和下一步工作\n（请填写。）\n")
	return b.String()
}

func oneLineText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func latestRevision(rs []*store.ImportantReport) *store.ImportantReport {
	best := rs[0]
	for _, r := range rs[1:] {
		if r.Revision > best.Revision {
			best = r
		}
	}
	return best
}

// ReportEdit is what the report form changes in a draft.
type ReportEdit struct {
	Title, Body, ChangeNote string
	Version                 int64
}

// UpdateImportantDraft saves the text of a draft; a signed report is frozen
// (ECONFLICT MsgReportFrozen). A correction (revision 2 on) must say why in
// ChangeNote; a first report has no change note (EINVALID if one is sent),
// since the report text would then claim to correct something.
func (s *Service) UpdateImportantDraft(ctx context.Context, a Actor, id string, in ReportEdit) (*store.ImportantReport, error) {
	if err := s.require(a, casework.PermDraftReport); err != nil {
		return nil, err
	}
	r, err := s.Store.ImportantReportInRegions(ctx, id, a.Scope)
	if err != nil {
		return nil, err
	}
	title := oneLineText(in.Title)
	body := strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	note := strings.TrimSpace(in.ChangeNote)
	switch {
	case title == "":
		return nil, store.Errorf(store.EINVALID, "请填写报告标题。")
	case utf8.RuneCountInString(title) > MaxReportTitleRunes:
		return nil, store.Errorf(store.EINVALID, "报告标题最多 %d 个字。", MaxReportTitleRunes)
	case body == "":
		return nil, store.Errorf(store.EINVALID, "请填写报告正文。")
	case utf8.RuneCountInString(body) > MaxReportBodyRunes:
		return nil, store.Errorf(store.EINVALID, "报告正文最多 %d 个字。", MaxReportBodyRunes)
	case !casework.SingleLineText(title) || !PlainText(body) || !PlainText(note):
		return nil, store.Errorf(store.EINVALID, "报告含有无法识别的字符，请删除后重试。")
	case r.Revision <= 1 && note != "":
		return nil, store.Errorf(store.EINVALID, "首次报告不填写更正说明，更正说明只用于更正版本。")
	case r.Revision > 1 && note == "":
		return nil, store.Errorf(store.EINVALID, "更正版本须填写更正说明。")
	case utf8.RuneCountInString(note) > casework.MaxNoteRunes:
		return nil, store.Errorf(store.EINVALID, "更正说明最多 %d 个字。", casework.MaxNoteRunes)
	}
	r.Title, r.Body, r.ChangeNote, r.UpdatedAt = title, body, note, s.now()
	if in.Version > 0 {
		r.Version = in.Version
	}
	if err := s.Store.UpdateImportantDraft(ctx, r); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditReportUpdate, "report", r.ID, r.RegionCode, r.CaseNumber+" 修改要情报告草稿"); err != nil {
		return nil, err
	}
	return r, nil
}

// SignImportantReport is a leader's sign-off (签名并加盖公章): it records who
// signed, when, and the SHA-256 of exactly the text they read
// (casework.ImportantReportText), and freezes the report. Only a leader
// whose region contains the report's may sign, from the version they read.
func (s *Service) SignImportantReport(ctx context.Context, a Actor, id string, version int64) (*store.ImportantReport, error) {
	if err := s.require(a, casework.PermSignReport); err != nil {
		return nil, err
	}
	r, err := s.Store.ImportantReportInRegions(ctx, id, a.Scope)
	if err != nil {
		return nil, err
	}
	if r.Status != store.ReportDraft {
		return nil, store.Conflict(store.MsgReportFrozen)
	}
	if version > 0 && version != r.Version {
		return nil, store.Conflict(store.MsgStaleRecord)
	}
	text := casework.ImportantReportText(r, s.Regions.FullName(r.RegionCode))
	hash := casework.ImportantReportHash(text)
	signed, err := s.Store.SignImportantReport(ctx, r.ID, r.Version, a.recordedAs(), a.Name, s.now(), hash)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditReportSign, "report", r.ID, r.RegionCode, r.CaseNumber+" 签发要情报告 SHA-256 "+hash[:16]+"…"); err != nil {
		return nil, err
	}
	return signed, nil
}

// SubmitImportantReport records that a signed report went to the next level.
func (s *Service) SubmitImportantReport(ctx context.Context, a Actor, id string) (*store.ImportantReport, error) {
	if err := s.require(a, casework.PermSubmitReport); err != nil {
		return nil, err
	}
	r, err := s.Store.ImportantReportInRegions(ctx, id, a.Scope)
	if err != nil {
		return nil, err
	}
	if r.Status == store.ReportDraft {
		return nil, store.Errorf(store.EINVALID, "报告须经负责人签发后才能报送。")
	}
	sub, err := s.Store.SubmitImportantReport(ctx, r.ID, a.recordedAs(), s.now())
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditReportSubmit, "report", r.ID, r.RegionCode, r.CaseNumber+" 报送要情报告"); err != nil {
		return nil, err
	}
	return sub, nil
}

// CorrectImportantReport starts a correction of a signed or submitted
// report: a new draft, the next revision, superseding it, with the same
// text to edit and a note of why.
func (s *Service) CorrectImportantReport(ctx context.Context, a Actor, id string) (*store.ImportantReport, error) {
	if err := s.require(a, casework.PermDraftReport); err != nil {
		return nil, err
	}
	old, err := s.Store.ImportantReportInRegions(ctx, id, a.Scope)
	if err != nil {
		return nil, err
	}
	if old.Status == store.ReportDraft {
		return nil, store.Errorf(store.EINVALID, "草稿可直接修改，无需更正。")
	}
	all, _, err := s.Store.ListImportantReports(ctx, store.ImportantFilter{RegionCodes: a.Scope, CaseID: old.CaseID, Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	if latest := latestRevision(all); latest.ID != old.ID {
		if latest.Status == store.ReportDraft {
			return latest, nil // a correction is already being drafted
		}
		return nil, store.Errorf(store.EINVALID, "该报告已有更新的版本，请更正最新版本。")
	}
	now := s.now()
	r := *old
	r.ID = store.NewID()
	r.Revision = old.Revision + 1
	r.Supersedes = old.ID
	r.ChangeNote = ""
	r.Status = store.ReportDraft
	r.DraftedBy = a.recordedAs()
	r.CreatedAt, r.UpdatedAt = now, now
	r.SignedBy, r.SignedByName, r.SignedAt, r.SignedHash = "", "", time.Time{}, ""
	r.SubmittedBy, r.SubmittedAt = "", time.Time{}
	r.Version = 0
	if err := s.Store.CreateImportantReport(ctx, &r); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditReportCorrect, "report", r.ID, r.RegionCode, r.CaseNumber+" 起草更正版本（第 "+strconv.Itoa(r.Revision)+" 版）"); err != nil {
		return nil, err
	}
	return &r, nil
}
