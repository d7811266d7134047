package admin

import (
	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// reportList lists the 要情 reports of the user's scope, the most urgent
// first; those past their deadline and not yet submitted are flagged — at
// the level that waits for them, too, since its scope holds them.
func (a *Admin) reportList(c *fiber.Ctx) error {
	actor := a.actor(c)
	f := store.ImportantFilter{RegionCodes: actor.Scope, Limit: 200}
	switch c.Query("status") {
	case store.ReportDraft, store.ReportSigned, store.ReportSubmitted:
		f.Statuses = []string{c.Query("status")}
	}
	if c.Query("overdue") != "" {
		f.DueBefore = a.now()
		f.Statuses = []string{store.ReportDraft, store.ReportSigned}
	}
	reports, total, err := a.Store.ListImportantReports(c.UserContext(), f)
	if err != nil {
		return err
	}
	now := a.now()
	rows := make([]reportRow, 0, len(reports))
	for _, r := range reports {
		rows = append(rows, reportRow{Report: r, Due: a.due(r.DueAt, now),
			Late: r.Status != store.ReportSubmitted && !now.Before(r.DueAt)})
	}
	return a.render(c, fiber.StatusOK, "reports", fiber.Map{
		"Title": "要情报告", "Nav": "reports", "Rows": rows, "Total": total, "Status": c.Query("status"),
		"Overdue": c.Query("overdue") != "",
	})
}

type reportRow struct {
	Report *store.ImportantReport
	Due    dueInfo
	Late   bool
}

// reportDraft starts (or opens) the report of a case.
func (a *Admin) reportDraft(c *fiber.Ctx) error {
	r, err := a.Cases.DraftImportantReport(c.UserContext(), a.actor(c), c.Params("id"))
	if err != nil {
		return a.afterAction(c, "report", err, nil)
	}
	return c.Redirect(web.AdminPrefix+"/reports/"+r.ID, fiber.StatusSeeOther)
}

func (a *Admin) reportView(c *fiber.Ctx) error {
	return a.renderReport(c, fiber.StatusOK, reportDone[c.Query("done")], "", nil)
}

// renderReport shows a report: its text as it will be signed, the form
// while it is a draft, the sign, submit and correct actions the role may
// use, and for a correction what changed against the report it corrects.
func (a *Admin) renderReport(c *fiber.Ctx, status int, flash, problem string, in *caseflow.ReportEdit) error {
	ctx := c.UserContext()
	actor := a.actor(c)
	r, err := a.Store.ImportantReportInRegions(ctx, c.Params("id"), actor.Scope)
	if err != nil {
		return err
	}
	regionName := a.Regions.FullName(r.RegionCode)
	text := casework.ImportantReportText(r, regionName)
	data := fiber.Map{
		"Title": "要情报告 " + r.CaseNumber, "Nav": "reports", "Report": r, "Text": text,
		"RegionName": regionName, "Flash": flash, "Problem": problem, "Due": a.due(r.DueAt, a.now()),
		"Late": r.Status != store.ReportSubmitted && !a.now().Before(r.DueAt),
	}
	if in != nil {
		data["Input"] = in
	} else {
		data["Input"] = &caseflow.ReportEdit{Title: r.Title, Body: r.Body, ChangeNote: r.ChangeNote}
	}
	if r.Supersedes != "" {
		if old, err := a.Store.ImportantReportInRegions(ctx, r.Supersedes, actor.Scope); err == nil {
			data["Previous"] = old
			data["Diff"] = casework.DiffLines(casework.ImportantReportText(old, a.Regions.FullName(old.RegionCode)), text)
		}
	}
	if r.Status != store.ReportDraft && r.SignedHash != "" {
		data["HashOK"] = casework.ImportantReportHash(text) == r.SignedHash
	}
	return a.render(c, status, "report", data)
}

// reportDone names what the redirect after a report action confirms.
var reportDone = map[string]string{
	"saved":     "草稿已保存。",
	"signed":    "报告已签发，内容已冻结。",
	"submitted": "已记录报送时间。",
	"corrected": "已创建更正版本草稿，请修改后重新签发。",
}

func (a *Admin) reportAfter(c *fiber.Ctx, id, done string, err error, in *caseflow.ReportEdit) error {
	if err == nil {
		return c.Redirect(web.AdminPrefix+"/reports/"+id+"?done="+done, fiber.StatusSeeOther)
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
	return a.renderReport(c, status, "", store.ErrorMessage(err), in)
}

func (a *Admin) reportUpdate(c *fiber.Ctx) error {
	in := &caseflow.ReportEdit{Title: form(c, "title"), Body: form(c, "body"), ChangeNote: form(c, "changeNote")}
	version, err := formVersion(c, store.MsgStaleRecord)
	if err == nil {
		in.Version = version
		_, err = a.Cases.UpdateImportantDraft(c.UserContext(), a.actor(c), c.Params("id"), *in)
	}
	in.Title, in.Body, in.ChangeNote = clip(in.Title, 300), clip(in.Body, 12000), clip(in.ChangeNote, 2100)
	return a.reportAfter(c, c.Params("id"), "saved", err, in)
}

func (a *Admin) reportSign(c *fiber.Ctx) error {
	version, err := formVersion(c, store.MsgStaleRecord)
	if err == nil {
		_, err = a.Cases.SignImportantReport(c.UserContext(), a.actor(c), c.Params("id"), version)
	}
	return a.reportAfter(c, c.Params("id"), "signed", err, nil)
}

func (a *Admin) reportSubmit(c *fiber.Ctx) error {
	_, err := a.Cases.SubmitImportantReport(c.UserContext(), a.actor(c), c.Params("id"))
	return a.reportAfter(c, c.Params("id"), "submitted", err, nil)
}

func (a *Admin) reportCorrect(c *fiber.Ctx) error {
	r, err := a.Cases.CorrectImportantReport(c.UserContext(), a.actor(c), c.Params("id"))
	if err != nil {
		return a.reportAfter(c, c.Params("id"), "", err, nil)
	}
	return c.Redirect(web.AdminPrefix+"/reports/"+r.ID+"?done=corrected", fiber.StatusSeeOther)
}

// reportPrint is the report as an official document for printing: the text
// signed, the signature block, and the hash that fixes the text.
func (a *Admin) reportPrint(c *fiber.Ctx) error {
	r, err := a.Store.ImportantReportInRegions(c.UserContext(), c.Params("id"), a.actor(c).Scope)
	if err != nil {
		return err
	}
	regionName := a.Regions.FullName(r.RegionCode)
	text := casework.ImportantReportText(r, regionName)
	return a.renderPrint(c, "report_print", fiber.Map{
		"Title": casework.ImportantClassLabel(r.Class) + "报告 " + r.CaseNumber, "Report": r, "RegionName": regionName,
		"Text": text, "Hash": casework.ImportantReportHash(text),
		"Insurance": insuranceLabels(r.InsuranceTypes),
	})
}

func insuranceLabels(types []string) string {
	out := ""
	for i, t := range types {
		if i > 0 {
			out += "、"
		}
		out += casework.InsuranceTypeLabel(t)
	}
	return out
}
