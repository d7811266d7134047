package caseflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fundwatch/casework"
	"fundwatch/store"
)

// Audit actions of the publishing workflow.
const (
	AuditPubCreate   = "publication.create"
	AuditPubSave     = "publication.save"
	AuditPubSubmit   = "publication.submit"
	AuditPubReturn   = "publication.return"
	AuditPubApprove  = "publication.approve"
	AuditPubPublish  = "publication.publish"
	AuditPubCorrect  = "publication.correct"
	AuditPubWithdraw = "publication.withdraw"
	AuditPubImport   = "publication.import"
)

// Limits of a publication's text.
const (
	MaxPubTitleRunes   = 200
	MaxPubSummaryRunes = 500
	MaxPubBodyRunes    = 50000
	MaxPubNoteRunes    = 1000
)

// Sentences of the publishing workflow.
const (
	MsgPubOutOfScope   = "您只能发布本地区及下辖地区的信息。"
	MsgPubSameRegion   = "信息公开内容须由同级（同一地区）的负责人审核。"
	MsgPubKind         = "请选择公开信息的类别。"
	MsgPubTitle        = "请填写标题（不超过200字）。"
	MsgPubBody         = "请填写正文（不超过5万字）。"
	MsgPubText         = "标题、摘要或正文中包含无法识别的字符，请删除后重试。"
	MsgPubSummary      = "摘要不能超过500字。"
	MsgPubYear         = "请填写正确的年度。"
	MsgPubRows         = "请至少填写一个险种的收支数据。"
	MsgPubRowType      = "险种填写有误，或同一险种填写了两行。"
	MsgPubEventDate    = "日期格式应为“年-月-日”，例如 2026-03-15。"
	MsgPubAmount       = "涉及金额不能为负数。"
	MsgPubInsurance    = "险种选择有误，请重新选择。"
	MsgPubResult       = "处理结果不能超过2000字。"
	MsgPubCorrection   = "这是对已发布内容的更正，请写明更正说明（更正了什么、为什么），它会和更正后的内容一起公开。"
	MsgPubNote         = "请写明原因（不超过1000字）。"
	MsgPubSchedulePast = "定时发布时间不能早于现在；如需立即发布，请留空。"
	MsgPubRate         = "记账利率应在 0 到 100% 之间。"
	MsgPubNegative     = "基金规模和投资收益不能为负数。"
	MsgPubOwnApproval  = "不能审核自己编辑或提交的内容。"
)

// PublicationDraft is what a publisher enters for one revision: the fields
// that apply to its kind (DOMAIN.md "Disclosure").
type PublicationDraft struct {
	Title   string
	Summary string
	Body    string

	EventDate      string // announcements: YYYY-MM-DD
	AmountFen      int64
	InsuranceTypes []string
	HandlingResult string

	FundRows []store.FundRow

	RateBasisPoints int64
	FundSizeFen     int64
	ReturnsFen      int64

	CorrectionNote string
	ScheduledAt    time.Time // zero: as soon as approved
}

// PublicationResult is what a save returns: the publication as stored and
// the warnings the publisher should read before submitting (balance
// identities that do not hold, personal data in an announcement's text).
type PublicationResult struct {
	Publication *store.Publication
	Warnings    []string
}

// PublicationTitle is the title of a fund report or account note, made from
// its year and region so that every region titles alike.
func PublicationTitle(kind string, year int, regionName string) string {
	switch kind {
	case store.PubFundReport:
		return fmt.Sprintf("%d年度%s社会保险基金收支情况", year, regionName)
	case store.PubAccountNote:
		return fmt.Sprintf("%d年度%s个人账户基金运营保值增值情况", year, regionName)
	}
	return ""
}

// PublicationKind is how one kind of publication is named: its Chinese
// label and its folder on the public site (/disclosure/<slug>/<id>), the
// same on the admin pages and the public site.
type PublicationKind struct {
	Kind  string // store.Pub*
	Slug  string
	Label string
}

var publicationKinds = []PublicationKind{
	{store.PubFundReport, "funds", "基金收支和结余"},
	{store.PubAccountNote, "accounts", "个人账户基金保值增值情况"},
	{store.PubAnnouncement, "announcements", "重大违纪案件通报"},
	{store.PubNews, "news", "新闻发布"},
	{store.PubNotice, "notices", "听证会公告"},
}

// PublicationKindInfo lists the kinds in the order the pages show them.
func PublicationKindInfo() []PublicationKind { return slices.Clone(publicationKinds) }

// PublicationKindOf is the naming of kind; an unknown kind gets a generic
// one.
func PublicationKindOf(kind string) PublicationKind {
	for _, k := range publicationKinds {
		if k.Kind == kind {
			return k
		}
	}
	return PublicationKind{Kind: kind, Slug: "items", Label: "公开信息"}
}

// PublicationKindLabel is the Chinese name of a kind of publication.
func PublicationKindLabel(kind string) string { return PublicationKindOf(kind).Label }

// PublicationPath is where the public reads a publication.
func PublicationPath(p *store.Publication) string {
	return "/disclosure/" + PublicationKindOf(p.Kind).Slug + "/" + p.ID
}

// PublicationKinds lists the kinds in the order the pages show them.
func PublicationKinds() []string {
	out := make([]string, len(publicationKinds))
	for i, k := range publicationKinds {
		out[i] = k.Kind
	}
	return out
}

// RevisionStatusLabel is the Chinese name of a revision status.
func RevisionStatusLabel(status string) string {
	switch status {
	case store.RevDraft:
		return "草稿"
	case store.RevSubmitted:
		return "待审核"
	case store.RevApproved:
		return "已审核，待发布"
	case store.RevPublished:
		return "已发布"
	case store.RevSuperseded:
		return "已被更正"
	}
	return status
}

func (s *Service) requirePublishing(a Actor, perm casework.Permission, region string) error {
	if err := s.require(a, perm); err != nil {
		return err
	}
	if !a.System && !slices.Contains(a.Scope, region) {
		return store.Errorf(store.EFORBIDDEN, MsgPubOutOfScope)
	}
	return nil
}

// CreatePublication starts a publication of kind in region (year for fund
// reports and account notes) with d as its first draft.
func (s *Service) CreatePublication(ctx context.Context, a Actor, kind, region string, year int, fromCase string, d PublicationDraft) (*PublicationResult, error) {
	if !slices.Contains(PublicationKinds(), kind) {
		return nil, store.Errorf(store.EINVALID, MsgPubKind)
	}
	if _, ok := s.Regions.Lookup(region); !ok {
		return nil, store.Errorf(store.EINVALID, MsgPubOutOfScope)
	}
	if err := s.requirePublishing(a, casework.PermPublish, region); err != nil {
		return nil, err
	}
	if yearly(kind) {
		if year < 1990 || year > s.now().In(store.CST).Year() {
			return nil, store.Errorf(store.EINVALID, MsgPubYear)
		}
		d.Title = PublicationTitle(kind, year, s.Regions.TitleName(region))
	} else {
		year = 0
	}
	d.CorrectionNote = ""
	warnings, err := s.checkDraft(ctx, kind, region, year, d, false, fromCase)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := &store.Publication{ID: store.NewID(), Kind: kind, RegionCode: region, Year: year, FromCaseID: fromCase,
		CreatedBy: a.recordedAs(), CreatedAt: now, UpdatedAt: now}
	r := revisionFrom(d)
	r.CreatedBy, r.CreatedAt, r.UpdatedAt = a.recordedAs(), now, now
	if err := s.Store.CreatePublication(ctx, p, r); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditPubCreate, "publication", p.ID, region, PublicationKindLabel(kind)+" 《"+p.Title+"》 新建草稿"); err != nil {
		return nil, err
	}
	return &PublicationResult{Publication: p, Warnings: warnings}, nil
}

func yearly(kind string) bool { return kind == store.PubFundReport || kind == store.PubAccountNote }

func revisionFrom(d PublicationDraft) *store.Revision {
	return &store.Revision{
		Title: d.Title, Summary: d.Summary, Body: d.Body,
		EventDate: d.EventDate, AmountFen: d.AmountFen, InsuranceTypes: d.InsuranceTypes, HandlingResult: d.HandlingResult,
		FundRows:        d.FundRows,
		RateBasisPoints: d.RateBasisPoints, FundSizeFen: d.FundSizeFen, ReturnsFen: d.ReturnsFen,
		CorrectionNote: d.CorrectionNote, ScheduledAt: d.ScheduledAt,
	}
}

// DraftFromRevision is the draft a revision holds, to fill a form or start
// a correction from.
func DraftFromRevision(r *store.Revision) PublicationDraft {
	return PublicationDraft{
		Title: r.Title, Summary: r.Summary, Body: r.Body,
		EventDate: r.EventDate, AmountFen: r.AmountFen, InsuranceTypes: slices.Clone(r.InsuranceTypes), HandlingResult: r.HandlingResult,
		FundRows:        slices.Clone(r.FundRows),
		RateBasisPoints: r.RateBasisPoints, FundSizeFen: r.FundSizeFen, ReturnsFen: r.ReturnsFen,
		CorrectionNote: r.CorrectionNote, ScheduledAt: r.ScheduledAt,
	}
}

// SavePublicationDraft writes d as the pending draft of a publication seen
// at version: it edits the draft there is, or — for a published
// publication without one — starts a correction (revision Live+1), which
// needs a CorrectionNote by the time it is submitted.
func (s *Service) SavePublicationDraft(ctx context.Context, a Actor, id string, version int64, d PublicationDraft) (*PublicationResult, error) {
	p, err := s.Store.PublicationInRegions(ctx, id, a.Scope)
	if err != nil {
		return nil, err
	}
	if err := s.requirePublishing(a, casework.PermPublish, p.RegionCode); err != nil {
		return nil, err
	}
	if p.Withdrawn() {
		return nil, store.Conflict(store.MsgPublicationWithdrawn)
	}
	if yearly(p.Kind) {
		d.Title = PublicationTitle(p.Kind, p.Year, s.Regions.TitleName(p.RegionCode))
	}
	number, correcting := p.PendingRevision, false
	if number == 0 {
		number, correcting = p.LiveRevision+1, true
	}
	if number == 1 {
		d.CorrectionNote = ""
	}
	warnings, err := s.checkDraft(ctx, p.Kind, p.RegionCode, p.Year, d, false, p.FromCaseID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := revisionFrom(d)
	r.Number, r.UpdatedAt = number, now
	if correcting {
		r.CreatedBy, r.CreatedAt = a.recordedAs(), now
	}
	p, err = s.Store.SaveDraft(ctx, id, version, r)
	if err != nil {
		return nil, err
	}
	action, detail := AuditPubSave, fmt.Sprintf("《%s》 保存第%d版草稿", p.Title, number)
	if correcting {
		action, detail = AuditPubCorrect, fmt.Sprintf("《%s》 新建更正（第%d版）", p.Title, number)
	}
	if err := s.audit(ctx, a, action, "publication", p.ID, p.RegionCode, detail); err != nil {
		return nil, err
	}
	s.changed(p)
	return &PublicationResult{Publication: p, Warnings: warnings}, nil
}

// StartCorrection opens a correction of a published publication: a draft
// (revision Live+1) holding the live content, for the publisher to change
// and explain.
func (s *Service) StartCorrection(ctx context.Context, a Actor, id string, version int64) (*PublicationResult, error) {
	p, err := s.Store.PublicationInRegions(ctx, id, a.Scope)
	if err != nil {
		return nil, err
	}
	if p.PendingRevision != 0 || p.LiveRevision == 0 {
		return &PublicationResult{Publication: p}, nil // a draft is already open: edit it
	}
	revs, err := s.Store.Revisions(ctx, id)
	if err != nil {
		return nil, err
	}
	live := revs[p.LiveRevision-1]
	d := DraftFromRevision(live)
	d.CorrectionNote, d.ScheduledAt = "", time.Time{}
	// A correction draft may be saved without its note; submission needs it.
	return s.savePublicationDraftUnchecked(ctx, a, p, version, d)
}

func (s *Service) savePublicationDraftUnchecked(ctx context.Context, a Actor, p *store.Publication, version int64, d PublicationDraft) (*PublicationResult, error) {
	if err := s.requirePublishing(a, casework.PermPublish, p.RegionCode); err != nil {
		return nil, err
	}
	now := s.now()
	r := revisionFrom(d)
	r.Number, r.CreatedBy, r.CreatedAt, r.UpdatedAt = p.LiveRevision+1, a.recordedAs(), now, now
	p, err := s.Store.SaveDraft(ctx, p.ID, version, r)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditPubCorrect, "publication", p.ID, p.RegionCode, fmt.Sprintf("《%s》 新建更正（第%d版）", p.Title, r.Number)); err != nil {
		return nil, err
	}
	return &PublicationResult{Publication: p}, nil
}

// SubmitPublication sends the pending draft to a leader of the
// publication's region for approval. The draft is checked again as it
// stands; a correction must say what it corrects.
func (s *Service) SubmitPublication(ctx context.Context, a Actor, id string, version int64) (*PublicationResult, error) {
	p, err := s.Store.PublicationInRegions(ctx, id, a.Scope)
	if err != nil {
		return nil, err
	}
	if err := s.requirePublishing(a, casework.PermPublish, p.RegionCode); err != nil {
		return nil, err
	}
	r, err := s.pendingRevision(ctx, p)
	if err != nil {
		return nil, err
	}
	warnings, err := s.checkDraft(ctx, p.Kind, p.RegionCode, p.Year, DraftFromRevision(r), r.Number > 1, p.FromCaseID)
	if err != nil {
		return nil, err
	}
	if !r.ScheduledAt.IsZero() && r.ScheduledAt.Before(s.now()) {
		return nil, store.Errorf(store.EINVALID, MsgPubSchedulePast)
	}
	p, err = s.step(ctx, a, p, version, store.RevDraft, store.RevSubmitted, "", AuditPubSubmit, "提交审核")
	if err != nil {
		return nil, err
	}
	return &PublicationResult{Publication: p, Warnings: warnings}, nil
}

// ReturnPublication sends a submitted revision back to its publisher with
// the leader's reason.
func (s *Service) ReturnPublication(ctx context.Context, a Actor, id string, version int64, note string) (*store.Publication, error) {
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > MaxPubNoteRunes || !casework.PlainText(note) {
		return nil, store.Errorf(store.EINVALID, MsgPubNote)
	}
	p, err := s.leaderPublication(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.step(ctx, a, p, version, store.RevSubmitted, store.RevDraft, note, AuditPubReturn, "退回修改："+note)
}

// ApprovePublication approves a submitted revision; unless it is scheduled
// for later, it is published at once.
func (s *Service) ApprovePublication(ctx context.Context, a Actor, id string, version int64) (*store.Publication, error) {
	p, err := s.leaderPublication(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if r, err := s.pendingRevision(ctx, p); err != nil {
		return nil, err
	} else if !a.System && (r.SubmittedBy == a.recordedAs() || r.CreatedBy == a.recordedAs()) {
		return nil, store.Errorf(store.EFORBIDDEN, MsgPubOwnApproval)
	}
	p, err = s.step(ctx, a, p, version, store.RevSubmitted, store.RevApproved, "", AuditPubApprove, "审核通过")
	if err != nil {
		return nil, err
	}
	if !p.ScheduledAt.IsZero() && p.ScheduledAt.After(s.now()) {
		return p, nil
	}
	return s.publish(ctx, a, p)
}

func (s *Service) publish(ctx context.Context, a Actor, p *store.Publication) (*store.Publication, error) {
	return s.step(ctx, a, p, p.Version, store.RevApproved, store.RevPublished, "", AuditPubPublish, "发布")
}

// PublishDue publishes the approved revisions whose time has come; the
// server calls it every minute. It returns how many it published.
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	ids, err := s.Store.DuePublications(ctx, s.now(), 100)
	if err != nil {
		return 0, err
	}
	a := SystemActor("定时发布", s.Regions)
	n := 0
	for _, id := range ids {
		p, err := s.Store.PublicationInRegions(ctx, id, a.Scope)
		if err != nil {
			return n, err
		}
		if p.PendingStatus != store.RevApproved {
			continue // published or withdrawn meanwhile
		}
		if _, err := s.publish(ctx, a, p); err != nil {
			if store.ErrorCode(err) == store.ECONFLICT {
				continue // another instance was quicker
			}
			return n, err
		}
		n++
	}
	return n, nil
}

// WithdrawPublication takes a published publication off the public site,
// leaving a tombstone that says when and why.
func (s *Service) WithdrawPublication(ctx context.Context, a Actor, id string, version int64, reason string) (*store.Publication, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxPubNoteRunes || !casework.PlainText(reason) {
		return nil, store.Errorf(store.EINVALID, MsgPubNote)
	}
	p, err := s.leaderPublication(ctx, a, id)
	if err != nil {
		return nil, err
	}
	p, err = s.Store.WithdrawPublication(ctx, id, version, a.recordedAs(), reason, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditPubWithdraw, "publication", p.ID, p.RegionCode, "《"+p.Title+"》 撤回："+reason); err != nil {
		return nil, err
	}
	s.changed(p)
	return p, nil
}

func (s *Service) leaderPublication(ctx context.Context, a Actor, id string) (*store.Publication, error) {
	if err := s.require(a, casework.PermApprovePublication); err != nil {
		return nil, err
	}
	p, err := s.Store.PublicationInRegions(ctx, id, a.Scope)
	if err != nil {
		return nil, err
	}
	if !a.System && a.RegionCode != p.RegionCode {
		return nil, store.Errorf(store.EFORBIDDEN, MsgPubSameRegion)
	}
	return p, nil
}

func (s *Service) pendingRevision(ctx context.Context, p *store.Publication) (*store.Revision, error) {
	if p.PendingRevision == 0 {
		return nil, store.Conflict(store.MsgStaleRecord)
	}
	revs, err := s.Store.Revisions(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if p.PendingRevision > len(revs) {
		return nil, store.Conflict(store.MsgStaleRecord)
	}
	return revs[p.PendingRevision-1], nil
}

// step makes one workflow step and audits it; publishing also tells the
// public side its pages changed.
func (s *Service) step(ctx context.Context, a Actor, p *store.Publication, version int64, from, to, note, action, what string) (*store.Publication, error) {
	number := p.PendingRevision
	p, err := s.Store.StepPublication(ctx, store.PublicationStep{ID: p.ID, ExpectVersion: version, From: from, To: to,
		By: a.recordedAs(), At: s.now(), Note: note})
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, action, "publication", p.ID, p.RegionCode, fmt.Sprintf("《%s》 第%d版 %s", p.Title, number, what)); err != nil {
		return nil, err
	}
	if to == store.RevPublished {
		s.changed(p)
	}
	return p, nil
}

// changed tells the public side that what it shows may have changed.
func (s *Service) changed(p *store.Publication) {
	if s.PublicChanged != nil && (p.LiveRevision > 0 || p.Withdrawn()) {
		s.PublicChanged()
	}
}

// checkDraft applies the rules of a revision's kind; it returns the
// warnings to show and an EINVALID error naming what to fix.
// needNote is set when submitting: a correction may be saved as a draft
// before its note is written, but not submitted without one.
func (s *Service) checkDraft(ctx context.Context, kind, region string, year int, d PublicationDraft, needNote bool, fromCase string) ([]string, error) {
	var problems, warnings []string
	if needNote && strings.TrimSpace(d.CorrectionNote) == "" {
		problems = append(problems, MsgPubCorrection)
	}
	for _, t := range []string{d.Title, d.Summary, d.Body, d.HandlingResult, d.CorrectionNote} {
		if !casework.PlainText(t) {
			problems = append(problems, MsgPubText)
			break
		}
	}
	if t := strings.TrimSpace(d.Title); t == "" || utf8.RuneCountInString(t) > MaxPubTitleRunes || !casework.SingleLineText(t) {
		problems = append(problems, MsgPubTitle)
	}
	if utf8.RuneCountInString(d.Summary) > MaxPubSummaryRunes {
		problems = append(problems, MsgPubSummary)
	}
	if utf8.RuneCountInString(d.Body) > MaxPubBodyRunes {
		problems = append(problems, MsgPubBody)
	}
	if utf8.RuneCountInString(d.CorrectionNote) > MaxPubNoteRunes {
		problems = append(problems, MsgPubNote)
	}
	if !d.ScheduledAt.IsZero() && d.ScheduledAt.Before(s.now().Add(-time.Minute)) {
		problems = append(problems, MsgPubSchedulePast)
	}
	switch kind {
	case store.PubFundReport:
		p, w := s.checkFundRows(ctx, region, year, d.FundRows)
		problems, warnings = append(problems, p...), append(warnings, w...)
	case store.PubAccountNote:
		if d.RateBasisPoints < 0 || d.RateBasisPoints > 10000 {
			problems = append(problems, MsgPubRate)
		}
		if d.FundSizeFen < 0 || d.ReturnsFen < 0 {
			problems = append(problems, MsgPubNegative)
		}
	default:
		if strings.TrimSpace(d.Body) == "" {
			problems = append(problems, MsgPubBody)
		}
		if kind == store.PubAnnouncement {
			if d.EventDate != "" {
				if _, err := time.Parse(time.DateOnly, d.EventDate); err != nil {
					problems = append(problems, MsgPubEventDate)
				}
			}
			if d.AmountFen < 0 {
				problems = append(problems, MsgPubAmount)
			}
			for _, t := range d.InsuranceTypes {
				if !casework.ValidInsuranceType(t) {
					problems = append(problems, MsgPubInsurance)
					break
				}
			}
			if utf8.RuneCountInString(d.HandlingResult) > 2000 {
				problems = append(problems, MsgPubResult)
			}
		}
		warnings = append(warnings, s.personalDataWarnings(ctx, d, fromCase)...)
	}
	if len(problems) > 0 {
		return warnings, store.Errorf(store.EINVALID, "%s", strings.Join(problems, ""))
	}
	return warnings, nil
}

// MsgPubCaseNotClosed refuses to start an announcement from a case that is
// not closed (or not found in the publisher's region).
const MsgPubCaseNotClosed = "没有找到该案件，或该案件尚未结案。重大违纪案件通报只能由本地区已结案的案件生成。"

// CreateAnnouncementFromCase starts a serious-case announcement (重大违纪案件
// 通报) from a closed case of the publisher's region: what the publisher
// left empty in d is filled from the case — the region, the amount, the
// insurance types, the handling result and a first text from the
// reported party, the nature and the outcome. Nothing of the reporter is
// carried over; the case stays linked (for staff only) so the personal
// data check can look for the reporter's name in the text.
func (s *Service) CreateAnnouncementFromCase(ctx context.Context, a Actor, region, number string, d PublicationDraft) (*PublicationResult, error) {
	if err := s.require(a, casework.PermPublish); err != nil {
		return nil, err
	}
	year, seq, ok := casework.ParseCaseNumber(number)
	if !ok {
		return nil, store.Errorf(store.EINVALID, MsgPubCaseNotClosed)
	}
	c, err := s.Store.CaseByNumber(ctx, casework.FormatCaseNumber(year, seq))
	if store.ErrorCode(err) == store.ENOTFOUND || (err == nil && (!slices.Contains(a.Scope, c.RegionCode) || c.Status != store.StatusClosed)) {
		return nil, store.Errorf(store.EINVALID, MsgPubCaseNotClosed)
	} else if err != nil {
		return nil, err
	}
	if strings.TrimSpace(d.Title) == "" {
		d.Title = "关于" + oneLineText(c.Subject.Name) + casework.CategoryLabel(c.Category) + "问题的通报"
	}
	if d.AmountFen == 0 {
		if c.Conclusion.AmountInvolvedFen > 0 {
			d.AmountFen = c.Conclusion.AmountInvolvedFen
		} else if c.AmountGiven {
			d.AmountFen = c.AmountFen
		}
	}
	if len(d.InsuranceTypes) == 0 {
		d.InsuranceTypes = slices.Clone(c.InsuranceTypes)
	}
	if strings.TrimSpace(d.HandlingResult) == "" {
		d.HandlingResult = c.Conclusion.Measures
	}
	if strings.TrimSpace(d.Body) == "" {
		d.Body = announcementBody(c, s.Regions.TitleName(c.RegionCode))
	}
	if d.EventDate == "" {
		d.EventDate = s.now().In(store.CST).Format(time.DateOnly)
	}
	return s.CreatePublication(ctx, a, store.PubAnnouncement, c.RegionCode, 0, c.ID, d)
}

// announcementBody is the first text of an announcement made from a case:
// the reported party, the nature, the result and the measures — facts of
// the violation, never of who reported it.
func announcementBody(c *store.Case, regionName string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "经调查，%s%s存在%s问题", regionName, oneLineText(c.Subject.Name), casework.CategoryLabel(c.Category))
	if c.Conclusion.AmountInvolvedFen > 0 {
		fmt.Fprintf(&b, "，涉及社会保险基金%s元", casework.FormatYuan(c.Conclusion.AmountInvolvedFen))
	}
	b.WriteString("。")
	if c.Conclusion.AmountRecoveredFen > 0 {
		fmt.Fprintf(&b, "已追回基金%s元。", casework.FormatYuan(c.Conclusion.AmountRecoveredFen))
	}
	if m := strings.TrimSpace(c.Conclusion.Measures); m != "" {
		b.WriteString("\n\n处理情况：" + m)
	}
	return b.String()
}

// PublicationWarnings are the warnings of a revision as it stands, for the
// publication page (the same as saving it would give).
func (s *Service) PublicationWarnings(ctx context.Context, p *store.Publication, r *store.Revision) []string {
	w, _ := s.checkDraft(ctx, p.Kind, p.RegionCode, p.Year, DraftFromRevision(r), r.Number > 1, p.FromCaseID)
	return w
}

// ImportedArticle is one article of an old site moved over by fundwatch
// import articles: published on PublishedAt (YYYY-MM-DD, CST) under its
// old ID, which makes the import idempotent.
type ImportedArticle struct {
	Line        int // where it was in the file, for messages
	SourceID    string
	Kind        string
	RegionCode  string
	PublishedAt string
	Draft       PublicationDraft
}

// ImportProblem is what is wrong with one line (or row) of an imported
// file, in Chinese.
type ImportProblem struct {
	Line    int
	Message string
}

func (p ImportProblem) String() string { return fmt.Sprintf("第 %d 行：%s", p.Line, p.Message) }

// CheckImportedArticles checks every article as the admin pages would and
// returns the problems of every line; nothing should be imported unless
// there are none.
func (s *Service) CheckImportedArticles(ctx context.Context, items []ImportedArticle) []ImportProblem {
	var out []ImportProblem
	seen := map[string]int{}
	today := s.now().In(store.CST).Format(time.DateOnly)
	for _, it := range items {
		add := func(msg string) { out = append(out, ImportProblem{Line: it.Line, Message: msg}) }
		switch {
		case it.SourceID == "" || utf8.RuneCountInString(it.SourceID) > 100 || !casework.SingleLineText(it.SourceID):
			add("id 须为不超过100个字符的文字。")
		case seen[it.SourceID] > 0:
			add(fmt.Sprintf("id “%s”与第 %d 行重复。", it.SourceID, seen[it.SourceID]))
		default:
			seen[it.SourceID] = it.Line
		}
		if it.Kind != store.PubAnnouncement && it.Kind != store.PubNews && it.Kind != store.PubNotice {
			add("type 须为 announcement、news 或 notice。")
			continue
		}
		if _, ok := s.Regions.Lookup(it.RegionCode); !ok {
			add("regionCode 不是已知的地区代码。")
		}
		if d, err := time.Parse(time.DateOnly, it.PublishedAt); err != nil || d.Format(time.DateOnly) != it.PublishedAt {
			add("publishedAt 须为“YYYY-MM-DD”格式的日期。")
		} else if it.PublishedAt > today {
			add("publishedAt 不能晚于今天。")
		}
		if _, err := s.checkDraft(ctx, it.Kind, it.RegionCode, 0, it.Draft, false, ""); err != nil {
			add(store.ErrorMessage(err))
		}
	}
	return out
}

// ImportArticles publishes imported articles with their original dates,
// each audited; an article whose id was imported before is left as it is,
// so running an import again changes nothing. Call CheckImportedArticles
// first: ImportArticles stops at the first article the store refuses. It
// returns how many it published and how many it skipped.
func (s *Service) ImportArticles(ctx context.Context, a Actor, items []ImportedArticle) (published, skipped int, err error) {
	if err := s.require(a, casework.PermPublish); err != nil {
		return 0, 0, err
	}
	for _, it := range items {
		if _, err := s.Store.PublicationBySource(ctx, it.SourceID); err == nil {
			skipped++
			continue
		} else if store.ErrorCode(err) != store.ENOTFOUND {
			return published, skipped, err
		}
		day, _ := time.ParseInLocation(time.DateOnly, it.PublishedAt, store.CST)
		at := store.Truncate(day.Add(9 * time.Hour))
		if _, err := s.PublishImported(ctx, a, it.Kind, it.RegionCode, 0, it.SourceID, it.Draft, at); err != nil {
			return published, skipped, fmt.Errorf("第 %d 行：%w", it.Line, err)
		}
		published++
	}
	return published, skipped, nil
}

// PublishImported publishes content approved elsewhere — an old site's
// articles and tables, the demo's content — at its original date: it
// stores a publication of kind with d as its first revision, takes it
// through the workflow at once, dated at, and writes one audit entry
// saying it was imported. sourceID (the id it had there, or "") makes the
// import idempotent through the store's uniqueness of SourceID. The draft
// is checked as the admin pages check it.
func (s *Service) PublishImported(ctx context.Context, a Actor, kind, region string, year int, sourceID string, d PublicationDraft, at time.Time) (*store.Publication, error) {
	if err := s.requirePublishing(a, casework.PermPublish, region); err != nil {
		return nil, err
	}
	if yearly(kind) {
		d.Title = PublicationTitle(kind, year, s.Regions.TitleName(region))
	} else {
		year = 0
	}
	if _, err := s.checkDraft(ctx, kind, region, year, d, false, ""); err != nil {
		return nil, err
	}
	p := &store.Publication{ID: store.NewID(), Kind: kind, RegionCode: region, Year: year, SourceID: sourceID}
	what := "导入"
	if sourceID != "" {
		what = "导入（原编号 " + sourceID + "）"
	}
	at = store.Truncate(at)
	if err := s.publishImported(ctx, a, p, d, at, what); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) publishImported(ctx context.Context, a Actor, p *store.Publication, d PublicationDraft, at time.Time, what string) error {
	by := a.recordedAs()
	p.CreatedBy, p.CreatedAt, p.UpdatedAt = by, at, at
	r := revisionFrom(d)
	r.CreatedBy, r.CreatedAt, r.UpdatedAt = by, at, at
	if err := s.Store.CreatePublication(ctx, p, r); err != nil {
		return err
	}
	q := p
	var err error
	for _, st := range [][2]string{{store.RevDraft, store.RevSubmitted}, {store.RevSubmitted, store.RevApproved}, {store.RevApproved, store.RevPublished}} {
		q, err = s.Store.StepPublication(ctx, store.PublicationStep{ID: p.ID, ExpectVersion: q.Version, From: st[0], To: st[1], By: by, At: at})
		if err != nil {
			return err
		}
	}
	*p = *q
	if err := s.audit(ctx, a, AuditPubImport, "publication", p.ID, p.RegionCode, "《"+p.Title+"》 "+what+"，发布日期 "+at.In(store.CST).Format(time.DateOnly)); err != nil {
		return err
	}
	s.changed(p)
	return nil
}
