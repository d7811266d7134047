package casework

import (
	"slices"

	"fundwatch/store"
)

// Permission is one thing a member of staff may do on the admin pages. Every
// admin route names the permission it needs; RoleAllows decides. What a
// permission covers is always limited further to the user's region scope
// (Regions.Descendants of the user's region), which the store applies.
type Permission string

// Permissions of the admin pages.
const (
	PermViewCases        Permission = "case.view"        // list and read cases (identity masked)
	PermAcceptCase       Permission = "case.accept"      // 受理
	PermRejectCase       Permission = "case.reject"      // 不予受理
	PermTransferCase     Permission = "case.transfer"    // 转办
	PermInvestigateCase  Permission = "case.investigate" // 立案调查 (on-site or off-site)
	PermConcludeCase     Permission = "case.conclude"    // 办结, with the result
	PermCloseCase        Permission = "case.close"       // 结案
	PermReplyCase        Permission = "case.reply"       // reply to the reporter
	PermNoteCase         Permission = "case.note"        // internal note between staff
	PermAssignCase       Permission = "case.assign"      // assign a handler (承办人)
	PermRevealIdentity   Permission = "identity.reveal"  // show a named reporter's identity (audited each time)
	PermClassifyCase     Permission = "case.classify"    // set the 要情 class
	PermMarkSerious      Permission = "case.serious"     // 性质严重、造成一定社会影响 (makes a case 重大要情)
	PermApproveExtension Permission = "case.extend"      // extend the investigation deadline once
	PermDraftReport      Permission = "report.draft"     // prepare a 要情 report or its correction
	PermSignReport       Permission = "report.sign"      // sign (签名并加盖公章) a 要情 report
	PermSubmitReport     Permission = "report.submit"    // record that a signed report was sent up
	PermSubmitQuarterly  Permission = "quarterly.submit" // submit a city's quarterly 要情 statistics
	PermViewQuarterly    Permission = "quarterly.view"   // see quarterly statistics and who is late
	PermManageUsers      Permission = "users.manage"
	PermManageCalendar   Permission = "calendar.manage"
	PermManageSettings   Permission = "settings.manage"
	PermReadAudit        Permission = "audit.read"
	PermReadOutbox       Permission = "outbox.read"
	PermPublish          Permission = "publish" // prepare disclosures and announcements and submit them
	// PermViewPublications lets publishers and leaders read the publishing
	// pages; PermApprovePublication is a leader's: approve (and so publish),
	// send back, withdraw.
	PermViewPublications   Permission = "publication.view"
	PermApprovePublication Permission = "publication.approve"
)

// permissionOptions lists every permission with its Chinese label, in the
// order an administrator's role overview shows them.
var permissionOptions = []struct {
	perm  Permission
	label string
}{
	{PermViewCases, "查看案件"},
	{PermAcceptCase, "受理案件"},
	{PermRejectCase, "不予受理"},
	{PermTransferCase, "转办案件"},
	{PermInvestigateCase, "开展调查"},
	{PermConcludeCase, "办结案件"},
	{PermCloseCase, "结案"},
	{PermReplyCase, "答复举报人"},
	{PermNoteCase, "添加内部备注"},
	{PermAssignCase, "分派承办人"},
	{PermRevealIdentity, "查看举报人身份"},
	{PermClassifyCase, "认定要情类别"},
	{PermMarkSerious, "认定性质严重"},
	{PermApproveExtension, "批准延长调查期限"},
	{PermDraftReport, "起草要情报告"},
	{PermSignReport, "签发要情报告"},
	{PermSubmitReport, "报送要情报告"},
	{PermSubmitQuarterly, "报送季度要情统计"},
	{PermViewQuarterly, "查看季度要情统计"},
	{PermManageUsers, "管理用户"},
	{PermManageCalendar, "维护工作日历"},
	{PermManageSettings, "修改系统设置"},
	{PermReadAudit, "查阅审计日志"},
	{PermReadOutbox, "查看邮件发送队列"},
	{PermPublish, "编辑信息公开内容"},
	{PermViewPublications, "查看信息公开内容"},
	{PermApprovePublication, "审核发布信息公开内容"},
}

// handlerPermissions is what a handler (承办人) may do: work the cases of
// their region from acceptance to closing, see reporters' identities (each
// showing audited), classify 要情 and draft and send the reports.
var handlerPermissions = []Permission{
	PermViewCases, PermAcceptCase, PermRejectCase, PermTransferCase, PermInvestigateCase, PermConcludeCase,
	PermCloseCase, PermReplyCase, PermNoteCase, PermAssignCase, PermRevealIdentity, PermClassifyCase,
	PermDraftReport, PermSubmitReport, PermViewQuarterly,
}

// rolePermissions is the role × permission table. A leader does all a
// handler does plus what needs a leader under the seed notice and the 2023
// rules: signing 要情 reports, the serious-nature flag, extending an
// investigation, submitting the quarterly statistics, approving what a
// publisher prepared for publication (so no one publishes alone). A
// publisher only prepares publications. An administrator runs the system (users, calendar, settings,
// audit log, outbox) and deliberately does not work cases or see who
// reported: separation of duties keeps the people who can create accounts
// away from reporters' identities.
var rolePermissions = map[string][]Permission{
	store.RoleHandler: handlerPermissions,
	store.RoleLeader: append(slices.Clone(handlerPermissions),
		PermSignReport, PermMarkSerious, PermApproveExtension, PermSubmitQuarterly,
		PermViewPublications, PermApprovePublication),
	store.RolePublisher: {PermPublish, PermViewPublications},
	store.RoleAdmin:     {PermManageUsers, PermManageCalendar, PermManageSettings, PermReadAudit, PermReadOutbox},
}

var roleOptions = []Option{
	{store.RoleHandler, "承办人"},
	{store.RoleLeader, "负责人"},
	{store.RolePublisher, "信息公开人员"},
	{store.RoleAdmin, "系统管理员"},
}

// RoleAllows reports whether a user with role may do perm. Unknown roles and
// permissions are allowed nothing.
func RoleAllows(role string, perm Permission) bool {
	return slices.Contains(rolePermissions[role], perm)
}

// RolePermissions returns what role may do, in the order of Permissions.
func RolePermissions(role string) []Permission {
	var out []Permission
	for _, p := range permissionOptions {
		if RoleAllows(role, p.perm) {
			out = append(out, p.perm)
		}
	}
	return out
}

// Permissions lists every permission.
func Permissions() []Permission {
	out := make([]Permission, len(permissionOptions))
	for i, p := range permissionOptions {
		out[i] = p.perm
	}
	return out
}

// PermissionLabel returns the Chinese label of a permission, or its code
// when unknown.
func PermissionLabel(p Permission) string {
	for _, o := range permissionOptions {
		if o.perm == p {
			return o.label
		}
	}
	return string(p)
}

// Roles lists the staff roles.
func Roles() []Option { return slices.Clone(roleOptions) }

// RoleLabel returns the Chinese label of a role code.
func RoleLabel(code string) string { return label(roleOptions, code) }

// ValidRole reports whether code is a known role.
func ValidRole(code string) bool { return known(roleOptions, code) }
