package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// followupSessionTTL is how long a reporter's view stays open without a new
// entry of number and code.
const followupSessionTTL = 30 * time.Minute

// noSuchCase stands in for a missing case when checking an access code: its
// hash is non-empty so the check does the full work and fails.
var noSuchCase = &store.Case{AccessCodeHash: make([]byte, 32)}

const msgWrongCredentials = "查询编号或查询码不正确。请核对回执上的编号和查询码（不区分大小写）后重试。"

// lookupCase finds the case for a number and access code. A wrong number and
// a wrong code give the same ENOTFOUND. Guessing is bounded three ways, none
// of which lets a third party lock a reporter out of their case:
//   - per client: FollowupPerIP attempts per Window, any number;
//   - per client and number: FollowupPerClientNumber wrong codes per
//     FollowupNumberSpan — that client alone then waits;
//   - per number, from everyone: past FollowupPerNumber wrong codes in a
//     span, one attempt per FollowupSlowInterval — a slow-down, not a lock.
//
// Only wrong codes for numbers that exist are counted, so nothing is kept
// for a number not yet issued. A refusal says truthfully how long to wait.
func (h *Handler) lookupCase(ctx context.Context, ip, number, code string) (*store.Case, error) {
	lim := h.Config.Limits
	if ok, wait := h.limiter.AllowWait("followup-ip:"+ip, lim.FollowupPerIP, lim.Window); !ok {
		return nil, web.TooMany(wait)
	}
	year, seq, ok := casework.ParseCaseNumber(number)
	canonical := ""
	if ok {
		canonical = casework.FormatCaseNumber(year, seq)
		if over, wait := h.limiter.ExceededWait(clientNumberKey(ip, canonical), lim.FollowupPerClientNumber, lim.FollowupNumberSpan); over {
			return nil, web.TooMany(wait)
		}
		if wait := h.numberSlowedFor(canonical); wait > 0 {
			return nil, web.TooMany(wait)
		}
	}
	var c *store.Case
	if ok {
		var err error
		c, err = h.Store.CaseByNumber(ctx, canonical)
		if err != nil && store.ErrorCode(err) != store.ENOTFOUND {
			return nil, err
		}
	}
	if c == nil {
		// Do the same keyed hash and comparison as for a real case, so a
		// missing number takes as long as a wrong code.
		h.Keyring.CheckAccessCode(noSuchCase, code)
		return nil, store.Errorf(store.ENOTFOUND, msgWrongCredentials)
	}
	if h.Keyring.CheckAccessCode(c, code) {
		return c, nil
	}
	h.limiter.Allow(clientNumberKey(ip, canonical), lim.FollowupPerClientNumber, lim.FollowupNumberSpan)
	if !h.limiter.Allow("followup-number:"+canonical, lim.FollowupPerNumber, lim.FollowupNumberSpan) {
		h.slowNumber(canonical)
	}
	return nil, store.Errorf(store.ENOTFOUND, msgWrongCredentials)
}

func clientNumberKey(ip, number string) string { return "followup-client:" + ip + ":" + number }

func slowKey(number string) string { return "followup-slow:" + number }

// slowNumber makes the next attempt on number wait FollowupSlowInterval.
func (h *Handler) slowNumber(number string) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(h.Clock().UnixNano()))
	_ = h.Storage.Set(slowKey(number), b[:], h.Config.Limits.FollowupSlowInterval)
}

// numberSlowedFor is how long an attempt on number must still wait.
func (h *Handler) numberSlowedFor(number string) time.Duration {
	if h.Config.Limits.FollowupPerNumber < 0 {
		return 0
	}
	b, err := h.Storage.Get(slowKey(number))
	if err != nil || len(b) != 8 {
		return 0
	}
	since := time.Unix(0, int64(binary.BigEndian.Uint64(b)))
	return max(since.Add(h.Config.Limits.FollowupSlowInterval).Sub(h.Clock()), 0)
}

// followupForm is the empty follow-up form, kept rendered with each
// visitor's token filled in (formcache.go).
func (h *Handler) followupForm(c *fiber.Ctx) error {
	key := formKey{name: "followup", large: h.largeText(c), expired: c.Query("expired") != ""}
	return h.serveForm(c, key, func() fiber.Map {
		general := ""
		if key.expired {
			general = msgFollowupEnded
		}
		data := h.followupData("", general)
		data["Back"] = formBack(key)
		return data
	})
}

// msgFollowupEnded is the note of a follow-up form shown after the
// session ended.
const msgFollowupEnded = "查询已超时或已退出，请重新输入查询编号和查询码。"

func (h *Handler) renderFollowupForm(c *fiber.Ctx, status int, number, general string) error {
	return h.renderPage(c, status, "followup", h.followupData(number, general))
}

// followupData is the view model of the follow-up form.
func (h *Handler) followupData(number, general string) fiber.Map {
	return fiber.Map{
		"Title":     "进度查询",
		"Nav":       "followup",
		"Number":    number,
		"General":   general,
		"DemoCases": h.Config.DemoCases,
	}
}

// followupLogin checks number and code, both posted in the body (never in a
// URL), and opens a short server-side session for the reporter's view.
func (h *Handler) followupLogin(c *fiber.Ctx) error {
	number := strings.TrimSpace(postValue(c, "number"))
	code := postValue(c, "code")
	if number == "" || strings.TrimSpace(code) == "" || len(number) > 64 || len(code) > 128 {
		return h.renderFollowupForm(c, fiber.StatusUnprocessableEntity, clip(number, 64), "请填写回执上的查询编号和查询码。")
	}
	cs, err := h.lookupCase(c.UserContext(), h.clientIP(c), number, code)
	if err != nil {
		if store.ErrorCode(err) == store.ENOTFOUND {
			return h.renderFollowupForm(c, fiber.StatusUnprocessableEntity, clip(number, 64), msgWrongCredentials)
		}
		return err
	}
	token := web.NewToken()
	if err := h.Storage.Set(followupKey(token), []byte(cs.ID), followupSessionTTL); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name:     h.cookieName("fw_followup"),
		Value:    token,
		Path:     "/",
		HTTPOnly: true,
		Secure:   h.secure(),
		SameSite: fiber.CookieSameSiteStrictMode,
	})
	return c.Redirect("/followup/case", fiber.StatusSeeOther)
}

func followupKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "followup:" + hex.EncodeToString(sum[:])
}

// followupCase returns the case of the current reporter session, or nil.
func (h *Handler) followupCase(c *fiber.Ctx) (*store.Case, error) {
	token := c.Cookies(h.cookieName("fw_followup"))
	if !web.ValidToken(token) {
		return nil, nil
	}
	id, err := h.Storage.Get(followupKey(token))
	if err != nil || len(id) == 0 {
		return nil, err
	}
	cs, err := h.Store.CaseByID(c.UserContext(), string(id))
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil, nil
	}
	return cs, err
}

func (h *Handler) followupView(c *fiber.Ctx) error {
	cs, err := h.followupCase(c)
	if err != nil {
		return err
	}
	if cs == nil {
		return c.Redirect("/followup?expired=1", fiber.StatusSeeOther)
	}
	flash := ""
	switch {
	case c.Query("sent") != "":
		flash = "补充信息已提交，承办人员将一并处理。"
	case c.Query("rated") != "":
		flash = "感谢您的评价，已经记录。"
	}
	return h.renderCaseView(c, fiber.StatusOK, cs, "", "", flash)
}

// ratingForm is the satisfaction form as the reporter filled it in, for
// showing it again with the problem.
type ratingForm struct {
	Rating, Reason, Problem string
}

func (h *Handler) renderCaseView(c *fiber.Ctx, status int, cs *store.Case, draft, draftErr, flash string) error {
	return h.renderCase(c, status, cs, draft, draftErr, flash, ratingForm{})
}

func (h *Handler) renderCase(c *fiber.Ctx, status int, cs *store.Case, draft, draftErr, flash string, rf ratingForm) error {
	events, err := h.Store.CaseEvents(c.UserContext(), cs.ID)
	if err != nil {
		return err
	}
	msgs, err := h.Store.CaseMessages(c.UserContext(), cs.ID)
	if err != nil {
		return err
	}
	files, err := h.Cases.ReporterFiles(c.UserContext(), cs)
	if err != nil {
		return err
	}
	filesErr, _ := c.Locals(filesErrKey).(string)
	return h.renderPage(c, status, "case", fiber.Map{
		"Files":       files,
		"FilesErr":    filesErr,
		"FilesHint":   h.Cases.EvidenceLimits().Describe(),
		"FilesAccept": web.FilesAccept(),
		"Title":       "办理进度",
		"Nav":         "followup",
		"Case":        cs,
		"Events":      casework.ReporterEvents(events),
		"Messages":    casework.ReporterMessages(msgs),
		"Draft":       draft,
		"DraftErr":    draftErr,
		"Flash":       flash,
		"CanAdd":      casework.ReporterMayAddMessage(cs.Status),
		"Idem":        web.NewToken(),
		"Notice":      casework.CaseRoutingNotice(cs),
		"Steps":       casework.ReporterSteps(cs.Status),
		"Guide":       casework.ReporterStageGuide(cs),
		"Deadline":    deadlineOrNil(cs, h.now()),
		"Office":      h.officeFor(cs.RegionCode, cs.Channel),
		"MayRate":     casework.ReporterMayRate(cs),
		"RateOnce":    casework.RatingFinal(cs),
		"Rating":      rf,
		"Ratings":     casework.Satisfactions(),
	})
}

// deadlineOrNil is the deadline running on cs, or nil when none runs.
func deadlineOrNil(cs *store.Case, now time.Time) *casework.Deadline {
	d, ok := casework.ReporterDeadline(cs, now)
	if !ok {
		return nil
	}
	return &d
}

// followupRate records the reporter's satisfaction rating: after the
// investigation is concluded, changeable until the case is closed.
func (h *Handler) followupRate(c *fiber.Ctx) error {
	cs, err := h.followupCase(c)
	if err != nil {
		return err
	}
	if cs == nil {
		return c.Redirect("/followup?expired=1", fiber.StatusSeeOther)
	}
	rf := ratingForm{Rating: clip(postValue(c, "rating"), 40), Reason: clip(postValue(c, "reason"), caseflow.MaxRatingReasonRunes+100)}
	if _, err := h.Cases.RateCase(c.UserContext(), cs, rf.Rating, rf.Reason); err != nil {
		switch store.ErrorCode(err) {
		case store.EINVALID, store.ECONFLICT:
			rf.Problem = store.ErrorMessage(err)
			if store.ErrorCode(err) == store.ECONFLICT {
				// The case moved on meanwhile: show it as it is now.
				if fresh, ferr := h.Store.CaseByID(c.UserContext(), cs.ID); ferr == nil {
					cs = fresh
				}
			}
			return h.renderCase(c, fiber.StatusUnprocessableEntity, cs, "", "", "", rf)
		}
		return err
	}
	return c.Redirect("/followup/case?rated=1", fiber.StatusSeeOther)
}

// reporterMessage checks the text a reporter adds to a case.
func reporterMessage(body string) (string, string) {
	body, problem := caseflow.CheckMessageText(body)
	switch problem {
	case "":
		return body, ""
	case "请填写内容":
		return body, "请填写补充信息"
	}
	return body, strings.Replace(problem, "内容", "补充信息", 1)
}

func (h *Handler) followupAddMessage(c *fiber.Ctx) error {
	cs, err := h.followupCase(c)
	if err != nil {
		return err
	}
	if cs == nil {
		return c.Redirect("/followup?expired=1", fiber.StatusSeeOther)
	}
	up := web.UploadsOf(c)
	body, problem := reporterMessage(postValue(c, "body"))
	if problem != "" && strings.TrimSpace(body) == "" && up != nil && up.Err == nil && len(up.Files) > 0 {
		problem = "" // files alone are a contribution too
	}
	if up != nil && up.Err != nil {
		c.Locals(filesErrKey, store.ErrorMessage(up.Err))
		status := fiber.StatusUnprocessableEntity
		if store.ErrorCode(up.Err) == store.EUNAVAILABLE {
			h.filesDown(c, up.Err)
			status = fiber.StatusServiceUnavailable
		}
		return h.renderCaseView(c, status, cs, clip(body, 6000), problem, "")
	}
	if problem != "" {
		if up != nil && up.Count > 0 {
			c.Locals(filesErrKey, msgChooseFilesAgain)
		}
		return h.renderCaseView(c, fiber.StatusUnprocessableEntity, cs, clip(body, 6000), problem, "")
	}
	idem := postValue(c, "idem")
	if !web.ValidToken(idem) {
		idem = ""
	}
	if err := h.allowMessage(c, cs); err != nil {
		// Keep what was typed: the form comes back with the wait.
		var he *web.HTTPError
		if errors.As(err, &he) {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(he.RetryAfter))
			return h.renderCaseView(c, he.Status, cs, body, he.Message, "")
		}
		return err
	}
	if _, err := h.Cases.AddReporterMessage(c.UserContext(), cs, body, idem, up.Claim()); err != nil {
		if store.ErrorCode(err) == store.EINVALID {
			if up != nil && up.Count > 0 {
				c.Locals(filesErrKey, store.ErrorMessage(err))
				return h.renderCaseView(c, fiber.StatusUnprocessableEntity, cs, body, "", "")
			}
			return h.renderCaseView(c, fiber.StatusUnprocessableEntity, cs, body, store.ErrorMessage(err), "")
		}
		return err
	}
	return c.Redirect("/followup/case?sent=1", fiber.StatusSeeOther)
}

// filesErrKey holds, for the follow-up page, why the files sent with a
// message were not kept.
const filesErrKey = "fundwatch.filesErr"

func (h *Handler) followupLogout(c *fiber.Ctx) error {
	if token := c.Cookies(h.cookieName("fw_followup")); web.ValidToken(token) {
		_ = h.Storage.Delete(followupKey(token))
	}
	c.Cookie(&fiber.Cookie{
		Name: h.cookieName("fw_followup"), Value: "", Path: "/", HTTPOnly: true,
		Secure: h.secure(), SameSite: fiber.CookieSameSiteStrictMode, Expires: time.Unix(0, 0),
	})
	return c.Redirect("/followup?expired=1", fiber.StatusSeeOther)
}

// allowMessage applies the limits on what reporters add: per client and per
// case within MessageWindow. A refusal is a 429 that says how long to wait.
func (h *Handler) allowMessage(c *fiber.Ctx, cs *store.Case) error {
	lim := h.Config.Limits
	if ok, wait := h.limiter.AllowWait("message-ip:"+h.clientIP(c), lim.MessagesPerIP, lim.MessageWindow); !ok {
		return web.TooMany(wait)
	}
	if ok, wait := h.limiter.AllowWait("message-case:"+cs.ID, lim.MessagesPerCase, lim.MessageWindow); !ok {
		return web.TooMany(wait)
	}
	return nil
}

// postValue reads a field of the url-encoded POST body only. fasthttp's
// FormValue would also take it from the query string, and credentials and
// what a reporter writes do not belong in URLs, logs or a proxy's history.
func postValue(c *fiber.Ctx, name string) string {
	return string(c.Request().PostArgs().Peek(name))
}

// clip cuts s to at most n runes, for echoing input back safely sized.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
