package admin

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// The publishing pages (信息公开): publishers prepare fund reports, account
// notes and articles and submit them; a leader of the same region approves
// (which publishes, or schedules) or sends them back, and withdraws what
// should no longer be public. Every step goes through caseflow, which
// audits it.

// pubStates are the list's tabs: what is waiting for whom.
var pubStates = []struct{ Code, Label string }{
	{"", "全部"},
	{store.RevDraft, "草稿"},
	{store.RevSubmitted, "待审核"},
	{store.RevApproved, "已审核待发布"},
}

func (a *Admin) publicationList(c *fiber.Ctx) error {
	actor := a.actor(c)
	page := max(queryInt(c, "page"), 1)
	f := store.PublicationFilter{RegionCodes: actor.Scope, Limit: 50, Offset: (page - 1) * 50}
	kind := c.Query("kind")
	if slices.Contains(caseflow.PublicationKinds(), kind) {
		f.Kinds = []string{kind}
	} else {
		kind = ""
	}
	state := c.Query("state")
	switch state {
	case store.RevDraft, store.RevSubmitted, store.RevApproved:
		f.PendingStatuses = []string{state}
	default:
		state = ""
	}
	pubs, total, err := a.Store.ListPublications(c.UserContext(), f)
	if err != nil {
		return err
	}
	base := url.Values{}
	if kind != "" {
		base.Set("kind", kind)
	}
	if state != "" {
		base.Set("state", state)
	}
	return a.render(c, fiber.StatusOK, "publications", fiber.Map{
		"Title": "信息公开", "Nav": "publications", "Pubs": pubs, "Total": total, "Kind": kind, "State": state,
		"States": pubStates, "Kinds": caseflow.PublicationKinds(), "Page": page, "Pages": (total + 49) / 50, "Base": base,
	})
}

func queryInt(c *fiber.Ctx, name string) int {
	n, err := strconv.Atoi(c.Query(name))
	if err != nil {
		return 0
	}
	return n
}

// pubForm is what the edit form holds, as typed, so a refused form comes
// back as the publisher left it.
type pubForm struct {
	Kind, Region, Year                    string
	Title, Summary, Body                  string
	EventDate, Amount, HandlingResult     string
	InsuranceTypes                        []string
	Rows                                  map[string]map[string]string // insurance type → column key → value
	Rate, FundSize, Returns               string
	CorrectionNote, ScheduledAt, CaseFrom string
}

// fundColumns are the amount columns of a fund report row, in table order:
// casework's one list, which the file import, the checks and the public
// table read too.
var fundColumns = casework.FundColumns()

// readPubForm reads the posted form of a publication of kind.
func readPubForm(c *fiber.Ctx, kind string) *pubForm {
	f := &pubForm{
		Kind: kind, Region: form(c, "region"), Year: form(c, "year"),
		Title: clip(form(c, "title"), 300), Summary: clip(form(c, "summary"), 600), Body: clip(form(c, "body"), 60000),
		EventDate: clip(form(c, "eventDate"), 20), Amount: clip(form(c, "amount"), 40), HandlingResult: clip(form(c, "handlingResult"), 2100),
		Rate: clip(form(c, "rate"), 20), FundSize: clip(form(c, "fundSize"), 40), Returns: clip(form(c, "returns"), 40),
		CorrectionNote: clip(form(c, "correctionNote"), 1100), ScheduledAt: clip(form(c, "scheduledAt"), 20),
		CaseFrom: clip(form(c, "caseNumber"), 30),
		Rows:     map[string]map[string]string{},
	}
	for _, v := range c.Request().PostArgs().PeekMulti("insuranceTypes") {
		if len(f.InsuranceTypes) < 10 {
			f.InsuranceTypes = append(f.InsuranceTypes, clip(string(v), 30))
		}
	}
	if kind == store.PubFundReport {
		for _, t := range casework.InsuranceTypes() {
			row := map[string]string{}
			for _, col := range fundColumns {
				if v := strings.TrimSpace(form(c, "row-"+t.Code+"-"+col.Key)); v != "" {
					row[col.Key] = clip(v, 40)
				}
			}
			if len(row) > 0 {
				f.Rows[t.Code] = row
			}
		}
	}
	return f
}

// formFromDraft fills the form from a stored revision.
func formFromDraft(p *store.Publication, d caseflow.PublicationDraft) *pubForm {
	f := &pubForm{Kind: p.Kind, Region: p.RegionCode, Title: d.Title, Summary: d.Summary, Body: d.Body,
		EventDate: d.EventDate, HandlingResult: d.HandlingResult, InsuranceTypes: d.InsuranceTypes,
		CorrectionNote: d.CorrectionNote, Rows: map[string]map[string]string{}}
	if p.Year > 0 {
		f.Year = strconv.Itoa(p.Year)
	}
	if d.AmountFen > 0 {
		f.Amount = casework.FormatYuan(d.AmountFen)
	}
	if p.Kind == store.PubAccountNote {
		f.Rate = casework.FormatBasisPoints(d.RateBasisPoints)
		f.FundSize, f.Returns = casework.FormatWanYuan(d.FundSizeFen), casework.FormatWanYuan(d.ReturnsFen)
	}
	for _, r := range d.FundRows {
		row := map[string]string{}
		for _, col := range fundColumns {
			row[col.Key] = casework.FormatWanYuan(col.Amount(r))
		}
		f.Rows[r.InsuranceType] = row
	}
	if !d.ScheduledAt.IsZero() {
		f.ScheduledAt = d.ScheduledAt.In(store.CST).Format("2006-01-02T15:04")
	}
	return f
}

// draft turns the form into a draft for the service, or names the field
// that cannot be read (the service checks the rest).
func (f *pubForm) draft() (caseflow.PublicationDraft, string) {
	d := caseflow.PublicationDraft{Title: strings.TrimSpace(f.Title), Summary: strings.TrimSpace(f.Summary), Body: f.Body,
		EventDate: strings.TrimSpace(f.EventDate), HandlingResult: strings.TrimSpace(f.HandlingResult),
		InsuranceTypes: f.InsuranceTypes, CorrectionNote: strings.TrimSpace(f.CorrectionNote)}
	if strings.TrimSpace(f.Amount) != "" {
		fen, err := casework.ParseYuan(f.Amount)
		if err != nil {
			return d, "涉及金额：" + amountProblem(err)
		}
		d.AmountFen = fen
	}
	if f.ScheduledAt != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", f.ScheduledAt, store.CST)
		if err != nil {
			return d, "定时发布时间格式应为“年-月-日 时:分”。"
		}
		d.ScheduledAt = store.Truncate(t)
	}
	switch f.Kind {
	case store.PubAccountNote:
		if strings.TrimSpace(f.Rate) != "" {
			bp, err := casework.ParseBasisPoints(f.Rate)
			if err != nil {
				return d, "记账利率：" + amountProblem(err)
			}
			d.RateBasisPoints = bp
		}
		for _, x := range []struct {
			v    string
			dst  *int64
			name string
		}{{f.FundSize, &d.FundSizeFen, "基金规模"}, {f.Returns, &d.ReturnsFen, "投资收益"}} {
			if strings.TrimSpace(x.v) == "" {
				continue
			}
			fen, err := casework.ParseWanYuan(x.v, false)
			if err != nil {
				return d, x.name + "：" + amountProblem(err)
			}
			*x.dst = fen
		}
	case store.PubFundReport:
		for _, t := range casework.InsuranceTypes() {
			values, ok := f.Rows[t.Code]
			if !ok {
				continue
			}
			row := store.FundRow{InsuranceType: t.Code}
			for _, col := range fundColumns {
				v := values[col.Key]
				if v == "" && !col.Required {
					continue // a blank part is 0, as in printed tables
				}
				if v == "" {
					return d, t.Label + "：请填写“" + col.Header + "”（没有发生额的填 0）。"
				}
				fen, err := casework.ParseWanYuan(v, col.NegativeOK)
				if err != nil {
					return d, t.Label + "“" + col.Header + "”：" + amountProblem(err)
				}
				col.SetAmount(&row, fen)
			}
			d.FundRows = append(d.FundRows, row)
		}
	}
	return d, ""
}

// publicationNew shows the empty form of a new publication.
func (a *Admin) publicationNew(c *fiber.Ctx) error {
	kind := c.Query("kind")
	if !slices.Contains(caseflow.PublicationKinds(), kind) {
		kind = store.PubNews
	}
	actor := a.actor(c)
	f := &pubForm{Kind: kind, Region: actor.RegionCode, Rows: map[string]map[string]string{}}
	if yearlyKind(kind) {
		f.Year = strconv.Itoa(a.now().In(store.CST).Year() - 1)
	}
	return a.renderPubForm(c, fiber.StatusOK, nil, f, "", nil)
}

func yearlyKind(kind string) bool { return kind == store.PubFundReport || kind == store.PubAccountNote }

// publicationCreate stores a new publication from the form.
func (a *Admin) publicationCreate(c *fiber.Ctx) error {
	kind := form(c, "kind")
	if !slices.Contains(caseflow.PublicationKinds(), kind) {
		return a.errorPage(c, fiber.StatusUnprocessableEntity, "无法保存", caseflow.MsgPubKind)
	}
	f := readPubForm(c, kind)
	d, problem := f.draft()
	if problem != "" {
		return a.renderPubForm(c, fiber.StatusUnprocessableEntity, nil, f, problem, nil)
	}
	year, _ := strconv.Atoi(f.Year)
	actor := a.actor(c)
	var res *caseflow.PublicationResult
	var err error
	if kind == store.PubAnnouncement && strings.TrimSpace(f.CaseFrom) != "" {
		res, err = a.Cases.CreateAnnouncementFromCase(c.UserContext(), actor, f.Region, f.CaseFrom, d)
	} else {
		res, err = a.Cases.CreatePublication(c.UserContext(), actor, kind, f.Region, year, "", d)
	}
	if err != nil {
		return a.pubRefused(c, err, func(status int, msg string) error {
			return a.renderPubForm(c, status, nil, f, msg, nil)
		})
	}
	return c.Redirect(web.AdminPrefix+"/publications/"+res.Publication.ID+"?done=created", fiber.StatusSeeOther)
}

// pubRefused shows a refusal the user can act on (422, 409, 403) with
// show; anything else goes to the error handler.
func (a *Admin) pubRefused(c *fiber.Ctx, err error, show func(status int, msg string) error) error {
	switch store.ErrorCode(err) {
	case store.EINVALID:
		return show(fiber.StatusUnprocessableEntity, store.ErrorMessage(err))
	case store.ECONFLICT:
		return show(fiber.StatusConflict, store.ErrorMessage(err))
	case store.EFORBIDDEN:
		return show(fiber.StatusForbidden, store.ErrorMessage(err))
	}
	return err
}

// renderPubForm shows the edit form: for a new publication (p nil) or the
// draft of p.
func (a *Admin) renderPubForm(c *fiber.Ctx, status int, p *store.Publication, f *pubForm, problem string, warnings []string) error {
	actor := a.actor(c)
	regions := []casework.Region{}
	for _, code := range actor.Scope {
		if r, ok := a.Regions.Lookup(code); ok {
			regions = append(regions, r)
		}
	}
	title := "新建" + caseflow.PublicationKindLabel(f.Kind)
	if p != nil {
		title = "修改 " + p.Title
	}
	return a.render(c, status, "publication_form", fiber.Map{
		"Title": title, "Nav": "publications", "Pub": p, "Form": f, "Problem": problem, "Warnings": warnings,
		"Regions": regions, "InsuranceTypes": casework.InsuranceTypes(), "Columns": fundColumns,
	})
}

// publicationView shows a publication: where it stands, the pending
// revision (its form while a draft and the user may edit), the actions the
// user may take, and every revision.
func (a *Admin) publicationView(c *fiber.Ctx) error {
	return a.renderPublication(c, fiber.StatusOK, pubDone[c.Query("done")], "", nil)
}

var pubDone = map[string]string{
	"created":   "草稿已创建。检查无误后请提交审核。",
	"saved":     "草稿已保存。",
	"submitted": "已提交审核，等待同级负责人审核。",
	"returned":  "已退回修改。",
	"approved":  "审核通过。",
	"correct":   "已创建更正稿。请修改内容并写明更正说明，然后提交审核；审核发布前，公众看到的仍是当前版本。",
	"withdrawn": "已撤回。公众访问原链接时将看到撤回说明。",
}

func (a *Admin) renderPublication(c *fiber.Ctx, status int, flash, problem string, f *pubForm) error {
	ctx := c.UserContext()
	actor := a.actor(c)
	p, err := a.Store.PublicationInRegions(ctx, c.Params("id"), actor.Scope)
	if err != nil {
		return err
	}
	revs, err := a.Store.Revisions(ctx, p.ID)
	if err != nil {
		return err
	}
	var pending, live *store.Revision
	if p.PendingRevision > 0 && p.PendingRevision <= len(revs) {
		pending = revs[p.PendingRevision-1]
	}
	if p.LiveRevision > 0 && p.LiveRevision <= len(revs) {
		live = revs[p.LiveRevision-1]
	}
	var warnings []string
	if pending != nil {
		warnings = a.Cases.PublicationWarnings(ctx, p, pending)
		if f == nil && pending.Status == store.RevDraft {
			f = formFromDraft(p, caseflow.DraftFromRevision(pending))
		}
	}
	if flash == "" && p.PendingStatus == store.RevApproved && !p.ScheduledAt.IsZero() {
		flash = "已审核，将于 " + p.ScheduledAt.In(store.CST).Format("2006-01-02 15:04") + " 自动发布。"
	}
	sameRegionLeader := actor.RegionCode == p.RegionCode
	return a.render(c, status, "publication", fiber.Map{
		"Title": p.Title, "Nav": "publications", "Pub": p, "Revisions": revs, "Pending": pending, "Live": live,
		"Form": f, "Flash": flash, "Problem": problem, "Warnings": warnings, "Approver": sameRegionLeader,
		"InsuranceTypes": casework.InsuranceTypes(), "Columns": fundColumns, "RegionName": a.Regions.FullName(p.RegionCode),
		"PublicURL": publicURL(p),
	})
}

// publicURL is where the public reads a publication.
func publicURL(p *store.Publication) string { return caseflow.PublicationPath(p) }

// publicationSave saves the draft.
func (a *Admin) publicationSave(c *fiber.Ctx) error {
	p, err := a.Store.PublicationInRegions(c.UserContext(), c.Params("id"), a.actor(c).Scope)
	if err != nil {
		return err
	}
	f := readPubForm(c, p.Kind)
	d, problem := f.draft()
	version, verr := formVersion(c, store.MsgStaleRecord)
	if problem == "" && verr != nil {
		problem = store.ErrorMessage(verr)
	}
	if problem != "" {
		return a.renderPublication(c, fiber.StatusUnprocessableEntity, "", problem, f)
	}
	if _, err := a.Cases.SavePublicationDraft(c.UserContext(), a.actor(c), p.ID, version, d); err != nil {
		return a.pubRefused(c, err, func(status int, msg string) error {
			return a.renderPublication(c, status, "", msg, f)
		})
	}
	return c.Redirect(web.AdminPrefix+"/publications/"+p.ID+"?done=saved", fiber.StatusSeeOther)
}

// publicationStep runs one workflow action from the publication page.
func (a *Admin) publicationStep(c *fiber.Ctx) error {
	ctx, actor, id := c.UserContext(), a.actor(c), c.Params("id")
	version, err := formVersion(c, store.MsgStaleRecord)
	done := actionPath(c)
	if err == nil {
		switch done {
		case "submit":
			_, err = a.Cases.SubmitPublication(ctx, actor, id, version)
			done = "submitted"
		case "return":
			_, err = a.Cases.ReturnPublication(ctx, actor, id, version, clip(form(c, "note"), 1100))
			done = "returned"
		case "approve":
			_, err = a.Cases.ApprovePublication(ctx, actor, id, version)
			done = "approved"
		case "correct":
			_, err = a.Cases.StartCorrection(ctx, actor, id, version)
		case "withdraw":
			_, err = a.Cases.WithdrawPublication(ctx, actor, id, version, clip(form(c, "reason"), 1100))
			done = "withdrawn"
		default:
			return fiber.ErrNotFound
		}
	}
	if err != nil {
		return a.pubRefused(c, err, func(status int, msg string) error {
			return a.renderPublication(c, status, "", msg, nil)
		})
	}
	return c.Redirect(web.AdminPrefix+"/publications/"+id+"?done="+done, fiber.StatusSeeOther)
}

// publicationRevision shows one revision as it was.
func (a *Admin) publicationRevision(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, err := a.Store.PublicationInRegions(ctx, c.Params("id"), a.actor(c).Scope)
	if err != nil {
		return err
	}
	revs, err := a.Store.Revisions(ctx, p.ID)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 || n > len(revs) {
		return store.NotFound(store.MsgPublicationNotFound)
	}
	return a.render(c, fiber.StatusOK, "publication_revision", fiber.Map{
		"Title": p.Title + " 第" + strconv.Itoa(n) + "版", "Nav": "publications", "Pub": p, "Rev": revs[n-1],
		"Columns": fundColumns, "RegionName": a.Regions.FullName(p.RegionCode),
	})
}
