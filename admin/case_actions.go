package admin

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// form reads one field of the url-encoded body (never the query string).
func form(c *fiber.Ctx, name string) string {
	return string(c.Request().PostArgs().Peek(name))
}

// formVersion is the version of the case or user the page was made from,
// as the page wrote it: a positive number. The service layer skips the
// version check for 0, so a form without a version, or with anything else
// in it, would change a case or a user whatever it looked like since; such
// a form is refused as made from a stale page (stale is MsgStale or
// MsgStaleRecord).
func formVersion(c *fiber.Ctx, stale string) (int64, error) {
	s := form(c, "version")
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 || strconv.FormatInt(v, 10) != s {
		return 0, store.Conflict(stale)
	}
	return v, nil
}

// afterAction answers a case action: on success a redirect back to the case
// page with a confirmation; on a refusal the case page again with the
// message at the form and what was typed kept (422 for bad input, 409 for a
// stale page, 403 for a forbidden one); anything else goes to the error
// handler.
func (a *Admin) afterAction(c *fiber.Ctx, name string, err error, input map[string]string) error {
	id := c.Params("id")
	if err == nil {
		return c.Redirect(web.AdminPrefix+"/cases/"+id+"?done="+name, fiber.StatusSeeOther)
	}
	status := 0
	switch store.ErrorCode(err) {
	case store.EINVALID:
		status = fiber.StatusUnprocessableEntity
	case store.ECONFLICT:
		status = fiber.StatusConflict
	case store.EFORBIDDEN:
		status = fiber.StatusForbidden
	default:
		return err
	}
	return a.renderCase(c, id, pageState{Status: status, Problem: store.ErrorMessage(err), Form: name, Input: input})
}

// caseTransition handles the status forms: accept, reject, transfer,
// investigate, conclude, close. The route says which.
func (a *Admin) caseTransition(c *fiber.Ctx) error {
	name := actionPath(c)
	act := caseAction{}
	for _, sa := range statusActions {
		if sa.Name == name {
			act = sa
		}
	}
	in := caseflow.TransitionInput{
		To:   act.To,
		Note: form(c, "note"),
	}
	input := map[string]string{"note": clip(in.Note, casework.MaxNoteRunes+10)}
	var err error
	if in.Version, err = formVersion(c, store.MsgStale); err != nil {
		return a.afterAction(c, name, err, input)
	}
	switch act.To {
	case store.StatusTransferred:
		target := form(c, "target")
		if ch, ok := strings.CutPrefix(target, "channel:"); ok {
			in.TransferChannel = ch
		} else {
			in.TransferRegion = strings.TrimPrefix(target, "region:")
		}
		input["target"] = clip(target, 64)
	case store.StatusInvestigating:
		in.Mode = form(c, "mode")
		input["mode"] = clip(in.Mode, 16)
	case store.StatusConcluded:
		in.Result = form(c, "result")
		in.Conclusion.Measures = form(c, "measures")
		in.Conclusion.RectifyBy = strings.TrimSpace(form(c, "rectifyBy"))
		involved, recovered := strings.TrimSpace(form(c, "amountInvolved")), strings.TrimSpace(form(c, "amountRecovered"))
		for k, v := range map[string]string{"result": in.Result, "measures": clip(in.Conclusion.Measures, 5010),
			"rectifyBy": clip(in.Conclusion.RectifyBy, 20), "amountInvolved": clip(involved, 40), "amountRecovered": clip(recovered, 40)} {
			input[k] = v
		}
		if in.Conclusion.AmountInvolvedFen, err = parseAmount(involved, "查实涉及金额"); err != nil {
			return a.afterAction(c, name, err, input)
		}
		if in.Conclusion.AmountRecoveredFen, err = parseAmount(recovered, "追回金额"); err != nil {
			return a.afterAction(c, name, err, input)
		}
	}
	_, err = a.Cases.Transition(c.UserContext(), a.actor(c), c.Params("id"), in)
	return a.afterAction(c, name, err, input)
}

// parseAmount reads an amount in yuan typed on an admin form; empty is 0.
func parseAmount(s, label string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	fen, err := casework.ParseYuan(s)
	if err != nil {
		return 0, store.Errorf(store.EINVALID, "%s：%s", label, amountProblem(err))
	}
	return fen, nil
}

// amountProblem is the parsers' own sentence for an amount they cannot
// read (a casework.AmountError, written for users), and never the text of
// any other error.
func amountProblem(err error) string {
	if ae, ok := err.(casework.AmountError); ok {
		return string(ae)
	}
	return "请填写以元为单位的数字，如 12000.50"
}

func (a *Admin) caseOnSite(c *fiber.Ctx) error {
	note := form(c, "note")
	version, err := formVersion(c, store.MsgStale)
	if err == nil {
		_, err = a.Cases.OpenOnSite(c.UserContext(), a.actor(c), c.Params("id"), version, note)
	}
	return a.afterAction(c, "onsite", err, map[string]string{"note": clip(note, casework.MaxNoteRunes+10)})
}

func (a *Admin) caseExtend(c *fiber.Ctx) error {
	note := form(c, "note")
	version, err := formVersion(c, store.MsgStale)
	if err == nil {
		_, err = a.Cases.Extend(c.UserContext(), a.actor(c), c.Params("id"), version, note)
	}
	return a.afterAction(c, "extend", err, map[string]string{"note": clip(note, casework.MaxNoteRunes+10)})
}

func (a *Admin) caseAssign(c *fiber.Ctx) error {
	assignee := strings.TrimSpace(form(c, "assignee"))
	if len(assignee) > 64 {
		assignee = "?"
	}
	version, err := formVersion(c, store.MsgStale)
	if err == nil {
		_, err = a.Cases.Assign(c.UserContext(), a.actor(c), c.Params("id"), version, assignee)
	}
	return a.afterAction(c, "assign", err, map[string]string{"assignee": assignee})
}

func (a *Admin) caseReply(c *fiber.Ctx) error {
	body, idem := form(c, "body"), form(c, "idem")
	if !web.ValidToken(idem) {
		idem = ""
	}
	input := map[string]string{"body": clip(body, caseflow.MaxMessageRunes+10)}
	if p := uploadProblem(c); p != "" {
		return a.afterAction(c, "reply", web.UploadsOf(c).Err, input)
	}
	_, err := a.Cases.Reply(c.UserContext(), a.actor(c), c.Params("id"), body, idem, web.UploadsOf(c).Claim()...)
	return a.afterAction(c, "reply", err, input)
}

func (a *Admin) caseNote(c *fiber.Ctx) error {
	body, idem := form(c, "body"), form(c, "idem")
	if !web.ValidToken(idem) {
		idem = ""
	}
	input := map[string]string{"body": clip(body, caseflow.MaxMessageRunes+10)}
	if p := uploadProblem(c); p != "" {
		return a.afterAction(c, "note", web.UploadsOf(c).Err, input)
	}
	_, err := a.Cases.AddNote(c.UserContext(), a.actor(c), c.Params("id"), body, idem, web.UploadsOf(c).Claim()...)
	return a.afterAction(c, "note", err, input)
}

func (a *Admin) caseClassify(c *fiber.Ctx) error {
	day := strings.TrimSpace(form(c, "discoveredOn"))
	serious := form(c, "serious") == "true"
	version, err := formVersion(c, store.MsgStale)
	if err == nil {
		_, err = a.Cases.Classify(c.UserContext(), a.actor(c), c.Params("id"), version, day, serious)
	}
	in := map[string]string{"discoveredOn": clip(day, 20)}
	if serious {
		in["serious"] = "true"
	}
	return a.afterAction(c, "classify", err, in)
}

// caseIdentity shows the reporter's identity in full to someone working the
// case. It is a POST (never prefetched or bookmarked, CSRF-checked), the
// answer is not cached, and the service audits the showing before it opens
// the identity.
func (a *Admin) caseIdentity(c *fiber.Ctx) error {
	_, id, err := a.Cases.RevealIdentity(c.UserContext(), a.actor(c), c.Params("id"))
	if err != nil {
		return a.afterAction(c, "identity", err, nil)
	}
	return a.renderCase(c, c.Params("id"), pageState{Status: fiber.StatusOK, Identity: &id,
		Flash: "已显示举报人身份信息。本次查看已记入审计日志；请严格保密，不得向被举报人或无关人员透露。"})
}

// parseDay reads a YYYY-MM-DD day in China Standard Time.
func parseDay(s string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, s, store.CST)
}
