package handlers

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// maxMultiValues bounds how many values of one repeated form field are read;
// there are eight insurance types, anything beyond is hostile.
const maxMultiValues = 16

// parseReportForm reads the HTML form into a reportInput. Every section is
// always filled (so the form can be shown again as typed); normalize later
// drops the ones that do not apply.
func parseReportForm(c *fiber.Ctx) *reportInput {
	args := c.Request().PostArgs()
	get := func(k string) string { return string(args.Peek(k)) }
	in := &reportInput{
		Kind:         get("kind"),
		ReporterType: get("reporterType"),
		Anonymous:    get("anonymous") == "true",
		Category:     get("category"),
		RegionCode:   get("regionCode"),
		Subject: subjectInput{
			Name:                get("subject.name"),
			CreditCode:          get("subject.creditCode"),
			IDNumber:            get("subject.idNumber"),
			Address:             get("subject.address"),
			LegalRepresentative: get("subject.legalRepresentative"),
		},
		AmountYuan:   get("amountYuan"),
		OccurredFrom: get("occurredFrom"),
		OccurredTo:   get("occurredTo"),
		Description:  get("description"),
		Complaint: &complaintInput{
			Request:        get("complaint.request"),
			HiredOn:        get("complaint.hiredOn"),
			Position:       get("complaint.position"),
			LabourContract: get("complaint.labourContract"),
		},
		Reporter: &personInput{
			Name:     get("reporter.name"),
			IDType:   get("reporter.idType"),
			IDNumber: get("reporter.idNumber"),
			Phone:    get("reporter.phone"),
			Email:    get("reporter.email"),
		},
		Organisation: &orgInput{
			Name:          get("organisation.name"),
			CreditCode:    get("organisation.creditCode"),
			ContactPerson: get("organisation.contactPerson"),
			ContactPhone:  get("organisation.contactPhone"),
		},
		ConfirmSubjectCode: get("subject.confirmCreditCode") == "true",
		ConfirmOrgCode:     get("organisation.confirmCreditCode") == "true",
		AcknowledgeNotice:  get("acknowledgeNotice") == "true",
	}
	for i, v := range args.PeekMulti("insuranceTypes") {
		if i >= maxMultiValues {
			// Enough to be over the limit of eight, so validation reports it.
			break
		}
		in.InsuranceTypes = append(in.InsuranceTypes, string(v))
	}
	return in
}

// clone copies the input deeply enough for normalize not to touch the copy
// that is shown back to the user.
func (in *reportInput) clone() *reportInput {
	out := *in
	out.InsuranceTypes = append([]string(nil), in.InsuranceTypes...)
	if in.Complaint != nil {
		c := *in.Complaint
		out.Complaint = &c
	}
	if in.Reporter != nil {
		r := *in.Reporter
		out.Reporter = &r
	}
	if in.Organisation != nil {
		o := *in.Organisation
		out.Organisation = &o
	}
	return &out
}

// reportForm is the empty report form, kept rendered with each visitor's
// tokens filled in (formcache.go).
func (h *Handler) reportForm(c *fiber.Ctx) error {
	key := formKey{name: "report", large: h.largeText(c)}
	return h.serveForm(c, key, func() fiber.Map {
		form := &reportInput{
			Kind: "report", ReporterType: "citizen", Anonymous: false,
			Complaint: &complaintInput{}, Reporter: &personInput{IDType: casework.DocResidentID}, Organisation: &orgInput{},
		}
		data := h.reportData(form, nil, h.forms.standIns[holeIdem], "")
		data["Back"] = formBack(key)
		return data
	})
}

func (h *Handler) renderReportForm(c *fiber.Ctx, status int, form *reportInput, errs FieldErrors, idem, general string) error {
	return h.renderPage(c, status, "report", h.reportData(form, errs, idem, general))
}

// reportData is the view model of the report form.
func (h *Handler) reportData(form *reportInput, errs FieldErrors, idem, general string) fiber.Map {
	return fiber.Map{
		"Title":          "我要举报投诉",
		"Nav":            "report",
		"Form":           form,
		"Errors":         errs,
		"ErrorList":      errs.inOrder(reportFieldOrder),
		"ErrorCount":     len(errs),
		"General":        general,
		"Idem":           idem,
		"ConfirmSubject": errs["subject.creditCode"] == creditCodeConfirmMsg || form.ConfirmSubjectCode,
		"ConfirmOrg":     errs["organisation.creditCode"] == creditCodeConfirmMsg || form.ConfirmOrgCode,
		"Categories":     casework.Categories(),
		"InsuranceTypes": casework.InsuranceTypes(),
		"RegionGroups":   h.regionGroups(),
		"IDDocuments":    casework.IDDocuments(),
		"Contracts":      casework.ContractOptions(),
		"Notice":         casework.ReportNotice,
		"Today":          h.now().In(store.CST).Format(time.DateOnly),
		"ThisMonth":      h.now().In(store.CST).Format("2006-01"),
		"FilesHint":      h.Cases.EvidenceLimits().Describe(),
		"FilesAccept":    web.FilesAccept(),
	}
}

// reportFieldOrder is the order of the fields on the report form, so the
// error summary lists problems top to bottom as the user will meet them.
var reportFieldOrder = []string{
	"kind", "category", "insuranceTypes", "regionCode", "occurredFrom", "occurredTo", "occurredOn", "amountYuan",
	"subject.name", "subject.creditCode", "subject.legalRepresentative", "subject.idNumber", "subject.address",
	"description", "files", "complaint.request", "complaint.hiredOn", "complaint.position", "complaint.labourContract",
	"reporterType", "anonymous",
	"reporter.name", "reporter.idType", "reporter.idNumber", "reporter.phone", "reporter.email",
	"organisation.name", "organisation.creditCode", "organisation.contactPerson", "organisation.contactPhone",
	"acknowledgeNotice",
}

// regionGroup is one city with its counties, for a select with optgroups that
// works without JavaScript.
type regionGroup struct {
	City     casework.Region
	Counties []casework.Region
}

func (h *Handler) regionGroups() []regionGroup {
	var out []regionGroup
	for _, city := range h.Regions.Cities() {
		out = append(out, regionGroup{City: city, Counties: h.Regions.Counties(city.Code)})
	}
	return out
}

// msgChooseFilesAgain is said at the file field of a form that comes back
// for another field: a browser cannot keep the files chosen, and nothing of
// the submission was stored.
const msgChooseFilesAgain = "表单中有需要修改的内容，所选文件未保存。修改后请重新选择文件再提交。"

// reportSubmit takes the HTML form. On bad input the form comes back with 422,
// everything the user typed and a message at each field; on success the
// receipt page is the response to this POST, so the code never sits in a URL.
func (h *Handler) reportSubmit(c *fiber.Ctx) error {
	form := parseReportForm(c)
	idem := strings.TrimSpace(string(c.Request().PostArgs().Peek("idem")))
	if !web.ValidToken(idem) {
		// A form without its token was not rendered by us (or is very old):
		// give a fresh form with the input kept.
		return h.renderReportForm(c, fiber.StatusUnprocessableEntity, form, nil, web.NewToken(),
			"表单已失效，请核对内容后再次提交。")
	}
	if len(c.Request().PostArgs().Peek("website")) > 0 {
		h.Log.Info("honeypot field filled", "request_id", web.RequestID(c))
		return h.renderReportForm(c, fiber.StatusUnprocessableEntity, form, nil, idem,
			"提交未通过自动校验，请检查后重新提交。")
	}
	in := form.clone()
	in.normalize()
	errs, fen, given := h.check(in)
	up := web.UploadsOf(c)
	if up != nil && up.Err != nil {
		if store.ErrorCode(up.Err) == store.EUNAVAILABLE {
			h.filesDown(c, up.Err)
			return h.renderReportForm(c, fiber.StatusServiceUnavailable, form, errs, idem, caseflow.MsgFilesDown)
		}
		if errs == nil {
			errs = FieldErrors{}
		}
		errs.Add("files", store.ErrorMessage(up.Err))
	} else if errs != nil && up != nil && up.Count > 0 {
		// The files arrived but are not kept with a form that comes back:
		// say so where they were chosen.
		errs.Add("files", msgChooseFilesAgain)
	}
	if errs != nil {
		return h.renderReportForm(c, fiber.StatusUnprocessableEntity, form, errs, idem,
			"提交的内容有需要修改的地方，请按提示修改后再次提交。")
	}
	r, err := h.submit(c.UserContext(), in, fen, given, idem, web.RequestID(c), up.Claim(), ViaWeb)
	if err != nil {
		if store.ErrorCode(err) == store.EINVALID && up != nil && up.Count > 0 {
			// The limits per case, checked with the case.
			return h.renderReportForm(c, fiber.StatusUnprocessableEntity, form, FieldErrors{"files": store.ErrorMessage(err)}, idem,
				"提交的内容有需要修改的地方，请按提示修改后再次提交。")
		}
		return err
	}
	return h.renderPage(c, fiber.StatusOK, "receipt", fiber.Map{
		"Title":   "提交成功",
		"Nav":     "report",
		"Receipt": r,
		"Office":  h.officeFor(r.Case.RegionCode, r.Case.Channel),
	})
}
