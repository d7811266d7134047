package caseflow

import (
	"context"
	"time"

	"fundwatch/store"
)

// Audit actions: what the audit log calls each kind of entry. Administrators
// filter the log by their prefixes ("login.", "case.", …).
const (
	AuditLoginSuccess   = "login.success"
	AuditLoginFailure   = "login.failure"
	AuditLoginTOTPFail  = "login.totp_failure"
	AuditLogout         = "logout"
	AuditPasswordChange = "password.change"
	AuditTOTPEnrol      = "totp.enrol"

	AuditUserCreate  = "user.create"
	AuditUserUpdate  = "user.update"
	AuditUserDisable = "user.disable"
	AuditUserEnable  = "user.enable"
	AuditUserReset   = "user.password_reset"

	AuditCaseStatus   = "case.status" // Detail names the transition
	AuditCaseAssign   = "case.assign"
	AuditCaseReply    = "case.reply"
	AuditCaseNote     = "case.note"
	AuditCaseOnSite   = "case.onsite"
	AuditCaseClassify = "case.classify"
	AuditCaseExtend   = "case.extend"
	AuditIdentityShow = "identity.reveal"

	AuditReportDraft   = "report.draft"
	AuditReportUpdate  = "report.update"
	AuditReportSign    = "report.sign"
	AuditReportSubmit  = "report.submit"
	AuditReportCorrect = "report.correct"
	AuditQuarterly     = "quarterly.submit"

	AuditCalendar = "calendar.update"
	AuditSettings = "settings.update"
	AuditMailSend = "mail.requeue"
)

// audit appends one entry for what actor did. The store call that made the
// change has already succeeded; if the entry cannot be written even after a
// retry, the error is returned (and the action, already stored, is logged
// with everything the entry would have held except its hash), so an
// operator sees it.
func (s *Service) audit(ctx context.Context, a Actor, action, targetType, targetID, region, detail string) error {
	e := &store.AuditEntry{
		At:         s.now(),
		ActorID:    a.UserID,
		ActorName:  a.Username,
		Action:     action,
		TargetType: targetType,
		TargetID:   targetID,
		RegionCode: region,
		Detail:     detail,
		IP:         a.IP,
		RequestID:  a.RequestID,
	}
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
		}
		if err = s.Store.AppendAudit(ctx, e); err == nil {
			return nil
		}
		if store.ErrorCode(err) != store.EUNAVAILABLE {
			break
		}
	}
	s.log().Error("audit entry not written", "action", action, "actor", a.Username, "target_type", targetType,
		"target_id", targetID, "request_id", a.RequestID, "error", err)
	return err
}

// Audit records an action that happens outside the service layer's writes —
// sign-ins, exports, reading the log — with the same entry format.
func (s *Service) Audit(ctx context.Context, a Actor, action, targetType, targetID, region, detail string) error {
	return s.audit(ctx, a, action, targetType, targetID, region, detail)
}
