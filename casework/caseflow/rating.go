package caseflow

import (
	"context"
	"strings"
	"unicode/utf8"

	"fundwatch/casework"
	"fundwatch/store"
)

// MaxRatingReasonRunes bounds what a reporter writes with a rating.
const MaxRatingReasonRunes = 500

// Sentences of a refused rating.
const (
	MsgRatingNotYet     = "调查完毕后才能进行满意度评价。"
	MsgRatingFinal      = "本件已结案归档，满意度评价已经提交，不能再修改。"
	MsgRatingChoose     = "请选择“满意”“基本满意”或“不满意”。"
	MsgRatingNeedReason = "选择“不满意”时，请写明不满意的原因，以便改进工作。"
	MsgRatingTooLong    = "评价说明不能超过500字。"
	MsgRatingBadText    = "评价说明包含无法识别的字符，请删除后重试。"
)

// CheckRating trims the reason of a rating and returns a problem with the
// rating, or "" when it may be stored: a known rating, and with 不满意 a
// reason (what went wrong is the point of asking).
func CheckRating(rating, reason string) (string, string) {
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	switch {
	case !casework.ValidSatisfaction(rating):
		return reason, MsgRatingChoose
	case rating == store.SatisfactionDissatisfied && reason == "":
		return reason, MsgRatingNeedReason
	case utf8.RuneCountInString(reason) > MaxRatingReasonRunes:
		return reason, MsgRatingTooLong
	case !PlainText(reason):
		return reason, MsgRatingBadText
	}
	return reason, ""
}

// RateCase records the reporter's satisfaction rating of c (found by
// number and access code): allowed once the investigation is concluded,
// changeable until the case is closed, and once after closing if it was
// never rated (casework.ReporterMayRate). A refusal is EINVALID with the
// reason; a case that moved on meanwhile is the store's ECONFLICT.
func (s *Service) RateCase(ctx context.Context, c *store.Case, rating, reason string) (*store.Case, error) {
	if !casework.ReporterMayRate(c) {
		if c.Status == store.StatusClosed {
			return nil, store.Errorf(store.EINVALID, MsgRatingFinal)
		}
		return nil, store.Errorf(store.EINVALID, MsgRatingNotYet)
	}
	reason, problem := CheckRating(rating, reason)
	if problem != "" {
		return nil, store.Errorf(store.EINVALID, "%s", problem)
	}
	return s.Store.RateCase(ctx, store.CaseRating{
		CaseID:       c.ID,
		ExpectStatus: c.Status,
		OnlyFirst:    casework.RatingFinal(c),
		Satisfaction: store.Satisfaction{Rating: rating, Reason: reason, At: s.now()},
	})
}
