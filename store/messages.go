package store

// The sentences users read when a store call fails, in one place: backends
// build their errors from these (through the helpers below), so SQLite and
// MongoDB word the same condition the same way, and the web layers show
// store.ErrorMessage(err) as it is.
const (
	MsgNotFound             = "记录不存在。"
	MsgCaseNotFound         = "案件不存在。"
	MsgUserNotFound         = "用户不存在。"
	MsgSessionNotFound      = "登录已失效，请重新登录。"
	MsgReportNotFound       = "要情报告不存在。"
	MsgConflict             = "该记录已存在，请勿重复提交。"
	MsgDuplicateCase        = "该提交已受理，请勿重复提交。"
	MsgStale                = "案件已被他人更新，本次操作未执行。请刷新页面，查看最新情况后重新操作。"
	MsgStaleRecord          = "内容已被他人修改，本次操作未执行。请刷新页面后重新操作。"
	MsgUsernameTaken        = "该用户名已被使用，请换一个。"
	MsgCodeUsed             = "该动态验证码已使用过，请等待下一个验证码。"
	MsgReportFrozen         = "该报告已签发，不能再修改；如需更正，请新建更正版本。"
	MsgAlreadyDone          = "该事项已经办理，请勿重复操作。"
	MsgIncomplete           = "提交的信息不完整。"
	MsgCalendarDate         = "日历日期无效：须为所选年份内的真实日期，且每个日期只能出现一次。"
	MsgPublicationNotFound  = "该公开信息不存在。"
	MsgPublicationExists    = "该地区该年度的此类公开信息已经存在，请打开原条目修改或更正。"
	MsgPublicationFrozen    = "该版本已提交审核，不能再修改；如需修改，请由负责人退回后再改。"
	MsgPublicationWithdrawn = "该公开信息已撤回，不能再修改。"
	MsgNotPublished         = "该公开信息尚未发布，无需撤回；草稿可直接修改。"
	MsgUnavailable          = "数据库暂时无法访问，请稍后再试。"
	MsgInternal             = "系统内部错误，请稍后再试。"
)

// The sentences of the blob stores (store/disk, GridFS in store/mongo),
// for evidence files. An invalid id is a bug of the caller, never a user's
// typo, so it needs no advice.
const (
	MsgFileNotFound    = "文件不存在。"
	MsgFileExists      = "该文件已存在，请勿重复上传。"
	MsgFileID          = "文件编号无效。"
	MsgFileUnavailable = "文件存储暂时无法写入，请稍后再试。"
)

// Constructors for the errors every backend returns, so the code and the
// sentence always travel together.

// NotFound is ENOTFOUND with the given sentence (MsgCaseNotFound, …).
func NotFound(msg string) *Error { return &Error{Code: ENOTFOUND, Message: msg} }

// Conflict is ECONFLICT with the given sentence (MsgStale, MsgConflict, …).
func Conflict(msg string) *Error { return &Error{Code: ECONFLICT, Message: msg} }

// Incomplete is EINVALID for a call that lacks a required field; what is
// kept for the log, never shown.
func Incomplete(backend, what string) *Error {
	return &Error{Code: EINVALID, Message: MsgIncomplete, Err: errorString(backend + ": missing " + what)}
}

type errorString string

func (e errorString) Error() string { return string(e) }
