package caseflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"fundwatch/casework"
	"fundwatch/store"
)

// MaxMessageRunes bounds a message on a case, from either side.
const MaxMessageRunes = 5000

// What one reporter may add to one case in all: enough for any real
// follow-up, and a bound on what a leaked code can be used to pile up.
const (
	MaxReporterMessages = 50
	MaxReporterRunes    = 60000
)

// MsgReporterCap answers information added beyond the caps.
const MsgReporterCap = "本件的补充信息已达上限（最多 50 条、合计 6 万字），不能再在线补充。如有重要的新情况，请联系承办机构或重新提交举报投诉。"

// CheckMessageText trims a message and returns a Chinese problem with it, or
// "" when it may be stored: 5 to 5,000 characters of text a person can type.
func CheckMessageText(body string) (string, string) {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	n := utf8.RuneCountInString(body)
	switch {
	case n == 0:
		return body, "请填写内容"
	case n < 5:
		return body, "内容至少需要5个字"
	case n > MaxMessageRunes:
		return body, "内容不能超过5000字，请精简或分次提交"
	case !PlainText(body):
		return body, "内容包含无法识别的字符，请删除后重试"
	}
	return body, ""
}

// PlainText accepts what a person can type into a text area
// (casework.PlainText).
func PlainText(s string) bool { return casework.PlainText(s) }

// messageID derives a message's id from the form's or request's
// idempotency token, so a double-click or a retried request stores the
// message once; without a token the id is random.
func messageID(caseID, idem string) string {
	if idem == "" {
		return store.NewID()
	}
	sum := sha256.Sum256([]byte(caseID + "\x00" + idem))
	return "m" + hex.EncodeToString(sum[:16])
}

// AddReporterMessage stores information a reporter adds to their case (c
// was found by number and access code). body must have passed
// CheckMessageText. A closed or rejected case takes no more messages
// (EINVALID with the reason). files are evidence files stored by
// StoreUpload, taken in with the message within the case's limits; when no
// new message is stored (a refusal, a retry) they are discarded.
func (s *Service) AddReporterMessage(ctx context.Context, c *store.Case, body, idem string, files []store.Attachment) (m *store.Message, err error) {
	stored := false
	defer func() {
		if len(files) > 0 && !stored {
			s.DiscardUploads(ctx, files)
		}
	}()
	if !casework.ReporterMayAddMessage(c.Status) {
		// The status label names why: 已结案归档 or 不予受理.
		return nil, store.Errorf(store.EINVALID, "本件%s，不能再补充信息。如有新的事实或证据，请重新提交举报投诉，并在问题描述中注明本件查询编号。",
			casework.StatusLabel(c.Status))
	}
	m = &store.Message{ID: messageID(c.ID, idem), CaseID: c.ID, At: s.now(), Author: store.AuthorReporter, Body: body}
	m.Files = fileRecords(files, store.AuthorReporter, "", false, m.At)
	msgs, err := s.Store.CaseMessages(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	count, runes := 0, utf8.RuneCountInString(body)
	for _, old := range msgs {
		if old.Author == store.AuthorReporter {
			if old.ID == m.ID {
				return s.storedRetry(ctx, m) // a retry: answered before the caps
			}
			count++
			runes += utf8.RuneCountInString(old.Body)
		}
	}
	if count+1 > MaxReporterMessages || runes > MaxReporterRunes {
		return nil, store.Errorf(store.EINVALID, MsgReporterCap)
	}
	if err := s.checkAddedFiles(ctx, c.ID, files); err != nil {
		return nil, err
	}
	err = s.Store.AddMessage(ctx, m)
	if store.ErrorCode(err) == store.ECONFLICT && idem != "" {
		return s.storedRetry(ctx, m)
	}
	stored = err == nil
	return m, err
}

// MsgKeyReused answers a message whose idempotency key was used for another
// message.
const MsgKeyReused = "这次提交使用的标识（Idempotency-Key）已用于另一条内容不同的补充信息。如需补充新的内容，请使用新的标识重新提交。"

// storedRetry answers a message whose id (derived from its idempotency key)
// is already stored: the stored message when it is the same one (a retry),
// ECONFLICT when the key was reused for other content — which is not
// stored, and not echoed back.
func (s *Service) storedRetry(ctx context.Context, m *store.Message) (*store.Message, error) {
	msgs, err := s.Store.CaseMessages(ctx, m.CaseID)
	if err != nil {
		return nil, err
	}
	for i := range msgs {
		if msgs[i].ID != m.ID {
			continue
		}
		if msgs[i].Body != m.Body || msgs[i].Author != m.Author {
			return nil, store.Errorf(store.ECONFLICT, MsgKeyReused)
		}
		return &msgs[i], nil
	}
	return nil, store.Errorf(store.ECONFLICT, MsgKeyReused)
}

// Reply sends a handler's reply to the reporter: it is shown on their
// follow-up page, and a named reporter who gave an e-mail address hears that
// there is an update. files (stored by StoreUpload) go with it and the
// reporter can download them.
func (s *Service) Reply(ctx context.Context, a Actor, caseID, body, idem string, files ...store.Attachment) (*store.Message, error) {
	return s.addStaffMessage(ctx, a, caseID, body, idem, store.AuthorHandler, files)
}

// AddNote records an internal note between staff, never shown to the
// reporter; files attached to it are hidden from the reporter.
func (s *Service) AddNote(ctx context.Context, a Actor, caseID, body, idem string, files ...store.Attachment) (*store.Message, error) {
	return s.addStaffMessage(ctx, a, caseID, body, idem, store.AuthorNote, files)
}

func (s *Service) addStaffMessage(ctx context.Context, a Actor, caseID, body, idem, author string,
	files []store.Attachment) (m *store.Message, err error) {
	stored := false
	defer func() {
		if len(files) > 0 && !stored {
			s.DiscardUploads(ctx, files)
		}
	}()
	perm := casework.PermReplyCase
	if author == store.AuthorNote {
		perm = casework.PermNoteCase
	}
	if err := s.require(a, perm); err != nil {
		return nil, err
	}
	body, problem := CheckMessageText(body)
	if problem != "" {
		return nil, store.Errorf(store.EINVALID, "%s", problem)
	}
	c, err := s.Store.CaseInRegions(ctx, caseID, a.Scope)
	if err != nil {
		return nil, err
	}
	if author == store.AuthorHandler && (c.Status == store.StatusClosed || c.Status == store.StatusRejected) {
		return nil, store.Errorf(store.EINVALID, "本件%s，不能再答复举报人。", casework.StatusLabel(c.Status))
	}
	m = &store.Message{ID: messageID(c.ID, idem), CaseID: c.ID, At: s.now(), Author: author, Body: body, Actor: a.recordedAs()}
	m.Files = fileRecords(files, store.AuthorHandler, a.recordedAs(), author == store.AuthorNote, m.At)
	if err := s.checkAddedFiles(ctx, c.ID, files); err != nil {
		return nil, err
	}
	err = s.Store.AddMessage(ctx, m)
	if store.ErrorCode(err) == store.ECONFLICT && idem != "" {
		return s.storedRetry(ctx, m)
	}
	if err != nil {
		return nil, err
	}
	stored = true
	action, detail := AuditCaseReply, "答复举报人"
	if author == store.AuthorNote {
		action, detail = AuditCaseNote, "添加内部备注"
	}
	if len(files) > 0 {
		detail += fmt.Sprintf("，附文件 %d 个", len(files))
	}
	if err := s.audit(ctx, a, action, "case", c.ID, c.RegionCode, c.Number+" "+detail); err != nil {
		return nil, err
	}
	if author == store.AuthorHandler {
		s.notifyReporter(ctx, c, m.ID, a.RequestID)
	}
	return m, nil
}
