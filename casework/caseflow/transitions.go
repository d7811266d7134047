package caseflow

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"fundwatch/casework"
	"fundwatch/store"
)

// TransitionInput is a status change as a member of staff asked for it on
// the case page (see casework.TransitionRequest for what each target needs).
type TransitionInput struct {
	To              string
	Note            string
	Result          string
	Mode            string
	TransferRegion  string
	TransferChannel string
	Conclusion      store.Conclusion
	// Version is the case version the page showed; a change made since
	// makes the action fail with MsgStale and change nothing.
	Version int64
}

// Transition moves a case the actor may see to another status, with the
// deadline that starts or ends with it, and audits the change. The note and
// the measures must be plain text (PlainText; line breaks as "\n"). The reporter
// sees the status and the note on the follow-up page.
func (s *Service) Transition(ctx context.Context, a Actor, caseID string, in TransitionInput) (*store.Case, error) {
	if err := s.require(a, transitionPermission(in.To)); err != nil {
		return nil, err
	}
	// The note is shown to the reporter and the measures may be published:
	// text a person can type, as everywhere else (PlainText), not control
	// characters or bidirectional overrides that hide or reorder it.
	note, err := checkNote(in.Note, false, "")
	if err != nil {
		return nil, err
	}
	in.Note = note
	measures := strings.TrimSpace(strings.ReplaceAll(in.Conclusion.Measures, "\r\n", "\n"))
	if !PlainText(measures) {
		return nil, store.Errorf(store.EINVALID, "处理措施含有无法识别的字符，请重新填写。")
	}
	in.Conclusion.Measures = measures
	c, err := s.Store.CaseInRegions(ctx, caseID, a.Scope)
	if err != nil {
		return nil, err
	}
	now := s.now()
	u, err := casework.PlanTransition(c, casework.TransitionRequest{
		To: in.To, Note: in.Note, Result: in.Result, Mode: in.Mode,
		TransferRegion: in.TransferRegion, TransferChannel: in.TransferChannel, Conclusion: in.Conclusion,
		ExpectVersion: in.Version, Actor: a.recordedAs(), At: now, EventID: store.NewID(),
	}, s.Regions)
	if err != nil {
		return nil, err
	}
	due := s.dueAfter(c, in.To, now)
	u.Set.DueAt = &due
	updated, err := s.Store.UpdateCase(ctx, u)
	if err != nil {
		return nil, err
	}
	detail := c.Number + " " + casework.StatusLabel(c.Status) + " → " + casework.StatusLabel(in.To)
	if u.Set.RegionCode != nil {
		detail += "（转往" + s.Regions.FullName(*u.Set.RegionCode) + "）"
	}
	if u.Set.Channel != nil {
		detail += "（转往" + casework.ChannelLabel(*u.Set.Channel) + "）"
	}
	if err := s.audit(ctx, a, AuditCaseStatus, "case", c.ID, c.RegionCode, detail); err != nil {
		return nil, err
	}
	if u.Set.RegionCode != nil && *u.Set.RegionCode != c.RegionCode {
		s.notifyNewCase(ctx, updated, true, a.RequestID)
	}
	s.notifyReporter(ctx, updated, u.Event.ID, a.RequestID)
	return updated, nil
}

// transitionPermission is the permission a move to status to needs.
func transitionPermission(to string) casework.Permission {
	switch to {
	case store.StatusAccepted:
		return casework.PermAcceptCase
	case store.StatusRejected:
		return casework.PermRejectCase
	case store.StatusTransferred:
		return casework.PermTransferCase
	case store.StatusInvestigating:
		return casework.PermInvestigateCase
	case store.StatusConcluded:
		return casework.PermConcludeCase
	case store.StatusClosed:
		return casework.PermCloseCase
	}
	// An unknown status: PlanTransition refuses it; until then it needs
	// the permission every case worker has.
	return casework.PermViewCases
}

// dueAfter is the deadline that runs once a case moves to status to at now:
// the investigation deadline from acceptance (kept through investigating),
// a fresh acceptance deadline for the receiving office of a transfer, and
// none once the case is decided.
func (s *Service) dueAfter(c *store.Case, to string, now time.Time) time.Time {
	cal, rules := s.Rules.Calendar(), s.Rules.Deadlines()
	switch to {
	case store.StatusAccepted:
		return casework.InvestigationDue(now, 0, cal, rules)
	case store.StatusTransferred:
		return casework.AcceptanceDue(now, cal, rules)
	case store.StatusInvestigating:
		if c.Status == store.StatusAccepted && !c.DueAt.IsZero() {
			return c.DueAt
		}
		return casework.InvestigationDue(now, c.ExtensionDays, cal, rules)
	}
	return time.Time{}
}

// investigationStart is when the investigation period of c began: its last
// acceptance, or its investigation when it went there straight from a
// transfer. ok is false when the timeline has neither.
func investigationStart(events []store.Event) (time.Time, bool) {
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if e.Action != "" && e.Action != store.ActionStatus {
			continue
		}
		if e.ToStatus == store.StatusAccepted ||
			(e.ToStatus == store.StatusInvestigating && e.FromStatus == store.StatusTransferred) {
			return e.At, true
		}
	}
	return time.Time{}, false
}

// OpenOnSite records that an off-site investigation found what needs an
// on-site one (DOMAIN.md: a problem found off-site leads to on-site
// supervision). It is internal: the reporter's view does not change.
func (s *Service) OpenOnSite(ctx context.Context, a Actor, caseID string, version int64, note string) (*store.Case, error) {
	if err := s.require(a, casework.PermInvestigateCase); err != nil {
		return nil, err
	}
	note, err := checkNote(note, true, "转现场监督须写明非现场监督发现的问题。")
	if err != nil {
		return nil, err
	}
	c, err := s.Store.CaseInRegions(ctx, caseID, a.Scope)
	if err != nil {
		return nil, err
	}
	if c.Status != store.StatusInvestigating || c.InvestigationMode != store.ModeOffSite {
		return nil, store.Errorf(store.EINVALID, "只有正在进行非现场监督的案件才能转为现场监督。")
	}
	mode := store.ModeOnSite
	updated, err := s.Store.UpdateCase(ctx, s.internalUpdate(c, version, a, store.ActionOnSite, note,
		store.CaseChanges{InvestigationMode: &mode}))
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditCaseOnSite, "case", c.ID, c.RegionCode, c.Number+" 非现场监督转现场监督"); err != nil {
		return nil, err
	}
	return updated, nil
}

// Extend approves the one extension of the investigation deadline (a
// leader's decision; DOMAIN.md: 60 days, extendable once by 30).
func (s *Service) Extend(ctx context.Context, a Actor, caseID string, version int64, note string) (*store.Case, error) {
	if err := s.require(a, casework.PermApproveExtension); err != nil {
		return nil, err
	}
	note, err := checkNote(note, true, "延期须写明理由。")
	if err != nil {
		return nil, err
	}
	c, err := s.Store.CaseInRegions(ctx, caseID, a.Scope)
	if err != nil {
		return nil, err
	}
	switch {
	case c.Status != store.StatusInvestigating && c.Status != store.StatusAccepted:
		return nil, store.Errorf(store.EINVALID, "只有已受理或调查中的案件才能延长办理期限。")
	case c.ExtensionDays > 0:
		return nil, store.Errorf(store.EINVALID, "本案已延期一次，不能再次延期。")
	case c.DueAt.IsZero():
		return nil, store.Errorf(store.EINVALID, "本案当前没有办理期限，无需延期。")
	}
	rules := s.Rules.Deadlines()
	if rules.ExtensionDays <= 0 {
		return nil, store.Errorf(store.EINVALID, "按现行设置，调查期限不允许延长。")
	}
	events, err := s.Store.CaseEvents(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	start, ok := investigationStart(events)
	if !ok {
		return nil, store.Errorf(store.EINVALID, "本案尚未开始计算调查期限，无需延期。")
	}
	days := rules.ExtensionDays
	due := casework.InvestigationDue(start, days, s.Rules.Calendar(), rules)
	updated, err := s.Store.UpdateCase(ctx, s.internalUpdate(c, version, a, store.ActionExtend, note,
		store.CaseChanges{ExtensionDays: &days, DueAt: &due}))
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditCaseExtend, "case", c.ID, c.RegionCode, c.Number+" 批准延期"); err != nil {
		return nil, err
	}
	return updated, nil
}

// Assign gives a case to a handler of its region (or takes it, for a
// handler taking it); assigneeID "" unassigns it. The assignee
// must be an active user who works cases and whose region contains the
// case's.
func (s *Service) Assign(ctx context.Context, a Actor, caseID string, version int64, assigneeID string) (*store.Case, error) {
	if err := s.require(a, casework.PermAssignCase); err != nil {
		return nil, err
	}
	c, err := s.Store.CaseInRegions(ctx, caseID, a.Scope)
	if err != nil {
		return nil, err
	}
	if c.Status == store.StatusClosed || c.Status == store.StatusRejected {
		return nil, store.Errorf(store.EINVALID, "本件%s，无需再分配。", casework.StatusLabel(c.Status))
	}
	note := "取消分配"
	if assigneeID != "" {
		u, err := s.Store.UserByID(ctx, assigneeID)
		if store.ErrorCode(err) == store.ENOTFOUND {
			return nil, store.Errorf(store.EINVALID, "请从列表中选择承办人。")
		} else if err != nil {
			return nil, err
		}
		if u.Disabled || !casework.RoleAllows(u.Role, casework.PermAcceptCase) || !s.Regions.IsWithin(c.RegionCode, u.RegionCode) {
			return nil, store.Errorf(store.EINVALID, "所选人员不能承办本地区的案件，请从列表中选择承办人。")
		}
		note = "分配给 " + u.Name
	}
	if assigneeID == c.AssigneeID {
		return nil, store.Errorf(store.EINVALID, "案件已由该承办人办理。")
	}
	updated, err := s.Store.UpdateCase(ctx, s.internalUpdate(c, version, a, store.ActionAssign, note,
		store.CaseChanges{AssigneeID: &assigneeID}))
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditCaseAssign, "case", c.ID, c.RegionCode, c.Number+" "+note); err != nil {
		return nil, err
	}
	return updated, nil
}

// Classify sets the 要情 class of a case of embezzlement, misappropriation
// or fraudulent claims from its amount, the day the problem was discovered
// and (a leader's call) whether it is serious. The class and whether it goes
// national come from casework.ClassifyImportantCase; the reporting deadline
// counts from discoveredOn.
func (s *Service) Classify(ctx context.Context, a Actor, caseID string, version int64, discoveredOn string, serious bool) (*store.Case, error) {
	if err := s.require(a, casework.PermClassifyCase); err != nil {
		return nil, err
	}
	c, err := s.Store.CaseInRegions(ctx, caseID, a.Scope)
	if err != nil {
		return nil, err
	}
	if serious != c.SeriousImpact {
		if err := s.require(a, casework.PermMarkSerious); err != nil {
			return nil, store.Errorf(store.EFORBIDDEN, "“性质严重、造成一定社会影响”须由负责人认定。")
		}
	}
	if !casework.IsImportantCategory(c.Category) {
		return nil, store.Errorf(store.EINVALID, "只有侵吞贪污、挤占挪用、欺诈冒领类问题适用要情报告制度。")
	}
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(discoveredOn), store.CST)
	if err != nil {
		return nil, store.Errorf(store.EINVALID, "请填写发现日期，格式如 2026-11-30。")
	}
	if d.After(s.now().In(store.CST)) {
		return nil, store.Errorf(store.EINVALID, "发现日期不能晚于今天。")
	}
	day := d.Format(time.DateOnly)
	amount, _ := casework.InvolvedAmount(c)
	class, national := casework.ClassifyImportantCase(c.Category, amount, serious, s.Rules.Important())
	updated, err := s.Store.UpdateCase(ctx, s.internalUpdate(c, version, a, store.ActionClassify,
		casework.ImportantClassLabel(class)+"，发现日期 "+day,
		store.CaseChanges{ImportantClass: &class, National: &national, SeriousImpact: &serious, DiscoveredOn: &day}))
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, AuditCaseClassify, "case", c.ID, c.RegionCode,
		c.Number+" 认定为"+casework.ImportantClassLabel(class)); err != nil {
		return nil, err
	}
	return updated, nil
}

// internalUpdate is an update that records an internal event without
// moving the case.
func (s *Service) internalUpdate(c *store.Case, version int64, a Actor, action, note string, set store.CaseChanges) store.CaseUpdate {
	return store.CaseUpdate{
		CaseID:        c.ID,
		ExpectStatus:  c.Status,
		ExpectVersion: version,
		Event: store.Event{
			ID: store.NewID(), CaseID: c.ID, At: s.now(), Action: action,
			FromStatus: c.Status, ToStatus: c.Status, Note: note, Actor: a.recordedAs(), Internal: true,
		},
		Set: set,
	}
}

// checkNote trims a note and checks its length and characters; required
// notes may not be empty (missing is the message then).
func checkNote(note string, required bool, missing string) (string, error) {
	note = strings.TrimSpace(strings.ReplaceAll(note, "\r\n", "\n"))
	switch {
	case required && note == "":
		return "", store.Errorf(store.EINVALID, "%s", missing)
	case utf8.RuneCountInString(note) > casework.MaxNoteRunes:
		return "", store.Errorf(store.EINVALID, "说明最多 %d 个字。", casework.MaxNoteRunes)
	case !PlainText(note):
		return "", store.Errorf(store.EINVALID, "说明含有无法识别的字符，请重新填写。")
	}
	return note, nil
}

// RevealIdentity opens a named reporter's identity for a member of staff
// working the case. The showing is audited first: if the audit entry cannot
// be written, nothing is shown.
func (s *Service) RevealIdentity(ctx context.Context, a Actor, caseID string) (*store.Case, casework.ReporterIdentity, error) {
	if err := s.require(a, casework.PermRevealIdentity); err != nil {
		return nil, casework.ReporterIdentity{}, err
	}
	c, err := s.Store.CaseInRegions(ctx, caseID, a.Scope)
	if err != nil {
		return nil, casework.ReporterIdentity{}, err
	}
	if c.Anonymous || len(c.ReporterSealed) == 0 {
		return nil, casework.ReporterIdentity{}, store.Errorf(store.EINVALID, "本件为匿名举报，没有举报人身份信息。")
	}
	if err := s.audit(ctx, a, AuditIdentityShow, "case", c.ID, c.RegionCode, c.Number+" 查看举报人身份信息"); err != nil {
		return nil, casework.ReporterIdentity{}, err
	}
	id, err := s.Keyring.OpenIdentity(c.ID, c.ReporterSealed)
	if err != nil {
		return nil, casework.ReporterIdentity{}, err
	}
	return c, id, nil
}
