package casework

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"fundwatch/store"
)

// The rules of a filing that several sites apply alike (the HTML form, the
// JSON API, the service layer): the period of the violation, a complaint's
// employment facts, and the 《举报须知》 a reporter acknowledges. Problems
// come back as the Chinese sentence the person reads, saying what to do.

// EarliestOccurrence is the first day a violation may be said to have
// started: the funds as the portal knows them date from the 1990s, and an
// earlier date is a typing slip (19 for 2019).
const EarliestOccurrence = "1990-01-01"

// PeriodProblems are the problems of an occurrence period, by field.
type PeriodProblems struct {
	From, To string
}

// CheckOccurredPeriod checks the period of a violation as typed (trimmed
// YYYY-MM-DD strings, "" when not given) against today (the date in China
// Standard Time of now): each day a real date from EarliestOccurrence to
// today, the end not before the start, and no end without a start. An
// empty period is fine: the reporter may not know.
func CheckOccurredPeriod(from, to string, now time.Time) PeriodProblems {
	var p PeriodProblems
	today := now.In(store.CST).Format(time.DateOnly)
	day := func(s, what string) string {
		switch {
		case s == "":
			return ""
		case !ValidDate(s):
			return what + "应为有效日期，格式如 2026-01-31"
		case s < EarliestOccurrence:
			return what + "不能早于1990年1月1日，请核对年份"
		case s > today:
			return what + "不能晚于今天"
		}
		return ""
	}
	p.From = day(from, "开始日期")
	p.To = day(to, "结束日期")
	if to != "" && from == "" {
		p.From = "填写了结束日期的，请同时填写开始日期；只知道一个日期的，填在开始日期即可"
	}
	if p.From == "" && p.To == "" && from != "" && to != "" && to < from {
		p.To = "结束日期不能早于开始日期"
	}
	return p
}

// ValidDate reports whether s is a real calendar date written YYYY-MM-DD.
func ValidDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// NormalizeMonth reads a year and month as people write them —
// "2019-07", "2019-7", "2019/7", "2019.07", "2019年7月", full-width digits —
// into YYYY-MM; ok is false for anything else. A browser's month field
// sends YYYY-MM; the others come from browsers without one.
func NormalizeMonth(s string) (string, bool) {
	s = strings.TrimSpace(foldWidth(s))
	s = strings.TrimSuffix(s, "月")
	y, m, found := strings.Cut(s, "年")
	if !found {
		i := strings.IndexFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' || isDash(r) })
		if i < 0 {
			return "", false
		}
		y, m = s[:i], s[i:]
		_, size := firstRune(m)
		m = m[size:]
	}
	y, m = strings.TrimFunc(y, unicode.IsSpace), strings.TrimFunc(m, unicode.IsSpace)
	if len(y) != 4 || !allDigits(y) || len(m) < 1 || len(m) > 2 || !allDigits(m) {
		return "", false
	}
	month, _ := strconv.Atoi(m)
	if month < 1 || month > 12 {
		return "", false
	}
	return y + "-" + twoDigits(uint64(month)), true
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// CheckHiredOn checks the month a complainant started work (YYYY-MM, as
// NormalizeMonth gives it): from 1950 to this month in China Standard Time.
func CheckHiredOn(month string, now time.Time) string {
	switch {
	case month == "":
		return "请填写入职时间（年月），如 2019-07"
	case month < "1950-01":
		return "入职时间不能早于1950年，请核对年份"
	case month > now.In(store.CST).Format("2006-01"):
		return "入职时间不能晚于本月"
	}
	return ""
}

// Labour contract answers, with the labels the form shows.
var contractOptions = []Option{
	{store.ContractSigned, "签订了书面劳动合同"},
	{store.ContractNotSigned, "没有签订书面劳动合同"},
}

// ContractOptions lists the answers to "did you sign a labour contract".
func ContractOptions() []Option { return append([]Option(nil), contractOptions...) }

// ContractLabel is the Chinese answer for a contract code.
func ContractLabel(code string) string { return label(contractOptions, code) }

// ValidContract reports whether code is one of the answers.
func ValidContract(code string) bool { return known(contractOptions, code) }

// MsgComplaintNotAnonymous refuses an anonymous complaint: a complaint
// asks for one's own rights, which cannot be restored to nobody.
const MsgComplaintNotAnonymous = "投诉是为维护您本人的权益，须实名提交，承办人员才能核实和为您处理。不愿透露身份的，请改选“举报”。"

// NoticeVersion names the text of ReportNotice; a changed text gets a new
// version, so each case records which text its reporter acknowledged.
const NoticeVersion = "2026-1"

// ReportNotice is the 《举报须知》 a reporter acknowledges before filing,
// as 12345 and the ministries' reporting sites ask: what is taken in, where
// it goes, what is not accepted, truthfulness, confidentiality. It is short
// on purpose; the guide (/guide) says more.
var ReportNotice = []string{
	"本平台受理社会保险基金征缴、支付、管理中违法违规问题的举报，以及本人社会保险权益受到侵害的投诉。只涉及医疗保险、生育保险的，转医疗保障部门办理；本人权益的投诉，转劳动保障监察机构办理。",
	"请如实反映，写明被反映对象和具体事实、线索。捏造事实、诬告陷害他人的，依法承担法律责任。",
	"没有具体对象或线索、不属于社会保险基金监督范围，或者已经申请仲裁、提起诉讼、依法处理完毕又无新线索的事项，可能不予受理，平台会告知原因。",
	"实名反映人的身份信息加密保存、严格保密。匿名举报同样登记办理，但无法正式告知结果，也不能申领举报奖励；投诉须实名。",
	"提交后请妥善保存查询编号和查询码，凭此查询进度、补充信息。",
}
