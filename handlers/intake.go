package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/store"
)

// reportInput is one complaint or report as submitted, by the HTML form or the
// JSON API. The json names are the field keys of both: the form's input names
// and the API's error keys. What each check says is in fieldMessages; the
// rules that span fields are in check.
type reportInput struct {
	Kind           string   `json:"kind" validate:"required,kind"`
	ReporterType   string   `json:"reporterType" validate:"required,reportertype"`
	Anonymous      bool     `json:"anonymous"`
	Category       string   `json:"category" validate:"required,category"`
	InsuranceTypes []string `json:"insuranceTypes" validate:"min=1,max=8,unique,dive,insurancetype"`
	RegionCode     string   `json:"regionCode" validate:"required,region"`
	// OccurredFrom and OccurredTo are the period of the violation,
	// checked by casework.CheckOccurredPeriod. OccurredOn is their
	// one-day predecessor of API 1.0, read as OccurredFrom.
	OccurredFrom string          `json:"occurredFrom"`
	OccurredTo   string          `json:"occurredTo"`
	OccurredOn   string          `json:"occurredOn,omitempty"`
	AmountYuan   string          `json:"amountYuan" validate:"max=40,singleline"`
	Subject      subjectInput    `json:"subject"`
	Description  string          `json:"description" validate:"required,min=20,max=5000,plaintext"`
	Complaint    *complaintInput `json:"complaint,omitempty"`
	Reporter     *personInput    `json:"reporter,omitempty"`
	Organisation *orgInput       `json:"organisation,omitempty"`
	// ConfirmCreditCode confirms every credit code whose check character
	// does not match (the API's one flag); the HTML form confirms each
	// code by the box next to it (ConfirmSubjectCode, ConfirmOrgCode).
	ConfirmCreditCode  bool `json:"confirmCreditCode"`
	ConfirmSubjectCode bool `json:"-"`
	ConfirmOrgCode     bool `json:"-"`
	// AcknowledgeNotice says the reporter read the 《举报须知》
	// (casework.ReportNotice); required.
	AcknowledgeNotice bool `json:"acknowledgeNotice"`
}

type subjectInput struct {
	Name                string `json:"name" validate:"required,max=100,singleline"`
	CreditCode          string `json:"creditCode" validate:"omitempty,creditcode"`
	IDNumber            string `json:"idNumber" validate:"omitempty,idnumber"`
	Address             string `json:"address" validate:"max=200,singleline"`
	LegalRepresentative string `json:"legalRepresentative" validate:"max=50,singleline"`
}

// complaintInput is what only a complaint carries: what the complainant
// asks for and, for a citizen, the job with the reported employer (when
// they started, the post, whether there is a written contract) — the facts
// labour inspection asks first, since they decide whether and how the
// complaint can be acted on. Whether they still work there, wages and
// working hours belong in the description.
type complaintInput struct {
	Request        string `json:"request" validate:"required,min=4,max=1000,plaintext"`
	HiredOn        string `json:"hiredOn"`
	Position       string `json:"position" validate:"max=50,singleline"`
	LabourContract string `json:"labourContract" validate:"omitempty,contract"`
}

type personInput struct {
	Name string `json:"name" validate:"required,max=50,singleline"`
	// IDType is the document IDNumber belongs to; "" is the resident ID
	// card (API 1.0 knew no other). IDNumber is checked against it in check.
	IDType   string `json:"idType" validate:"iddoctype"`
	IDNumber string `json:"idNumber" validate:"required"`
	Phone    string `json:"phone" validate:"required,mobile"`
	Email    string `json:"email" validate:"omitempty,max=100,email"`
}

type orgInput struct {
	Name          string `json:"name" validate:"required,max=100,singleline"`
	CreditCode    string `json:"creditCode" validate:"required,creditcode"`
	ContactPerson string `json:"contactPerson" validate:"required,max=50,singleline"`
	ContactPhone  string `json:"contactPhone" validate:"required,phone"`
}

// normalize trims and canonicalises what people type (spaces, lowercase x in
// ID numbers, +86 prefixes, Windows line ends), and drops the sections that
// do not apply (an identity when anonymous, a complaint's details in a
// report), so nothing the reporter did not mean to give is stored. The HTML
// form hides those sections but a browser without JavaScript still posts
// them; the API refuses them before this (apiStructure). Codes (kind,
// reporterType, category, regionCode, insuranceTypes, reporter.idType,
// complaint.labourContract) are chosen from lists, not typed, and are taken
// exactly as sent, as the OpenAPI document's enums say.
func (in *reportInput) normalize() {
	in.Subject.Name = strings.TrimSpace(in.Subject.Name)
	in.Subject.CreditCode = casework.NormalizeCreditCode(in.Subject.CreditCode)
	in.Subject.IDNumber = casework.NormalizeIDNumber(in.Subject.IDNumber)
	in.Subject.Address = strings.TrimSpace(in.Subject.Address)
	in.Subject.LegalRepresentative = strings.TrimSpace(in.Subject.LegalRepresentative)
	in.AmountYuan = strings.TrimSpace(in.AmountYuan)
	in.OccurredFrom = strings.TrimSpace(in.OccurredFrom)
	in.OccurredTo = strings.TrimSpace(in.OccurredTo)
	in.OccurredOn = strings.TrimSpace(in.OccurredOn)
	if in.OccurredFrom == "" {
		in.OccurredFrom, in.OccurredOn = in.OccurredOn, ""
	}
	in.Description = strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n"))

	if in.Kind == store.KindComplaint {
		if in.Complaint == nil {
			in.Complaint = &complaintInput{}
		}
		in.Complaint.Request = strings.TrimSpace(strings.ReplaceAll(in.Complaint.Request, "\r\n", "\n"))
		in.Complaint.Position = strings.TrimSpace(in.Complaint.Position)
		in.Complaint.HiredOn = strings.TrimSpace(in.Complaint.HiredOn)
		if m, ok := casework.NormalizeMonth(in.Complaint.HiredOn); ok {
			in.Complaint.HiredOn = m
		}
		if in.ReporterType != store.ReporterCitizen {
			// An organisation's complaint has no job with the employer.
			in.Complaint.HiredOn, in.Complaint.Position, in.Complaint.LabourContract = "", "", ""
		}
	} else {
		in.Complaint = nil
	}

	switch {
	case in.Anonymous && in.Kind != store.KindComplaint:
		in.Reporter, in.Organisation = nil, nil
	case in.ReporterType == store.ReporterCitizen:
		in.Organisation = nil
		if in.Reporter == nil {
			in.Reporter = &personInput{}
		}
		in.Reporter.Name = strings.TrimSpace(in.Reporter.Name)
		if in.Reporter.IDType == "" {
			in.Reporter.IDType = casework.DocResidentID
		}
		in.Reporter.IDNumber = casework.NormalizeIDDocumentNumber(in.Reporter.IDNumber)
		in.Reporter.Phone = casework.NormalizeMobile(in.Reporter.Phone)
		in.Reporter.Email = strings.TrimSpace(in.Reporter.Email)
	case in.ReporterType == store.ReporterEmployer || in.ReporterType == store.ReporterOrganization:
		in.Reporter = nil
		if in.Organisation == nil {
			in.Organisation = &orgInput{}
		}
		in.Organisation.Name = strings.TrimSpace(in.Organisation.Name)
		in.Organisation.CreditCode = casework.NormalizeCreditCode(in.Organisation.CreditCode)
		in.Organisation.ContactPerson = strings.TrimSpace(in.Organisation.ContactPerson)
		in.Organisation.ContactPhone = normalizePhone(in.Organisation.ContactPhone)
	default:
		in.Reporter, in.Organisation = nil, nil
	}
}

// normalizePhone keeps a landline as typed (trimmed) and canonicalises a mobile.
func normalizePhone(s string) string {
	s = strings.TrimSpace(s)
	if m := casework.NormalizeMobile(s); casework.ValidMobile(m) {
		return m
	}
	return s
}

// check validates the input and returns field errors in Chinese; nil means it
// may be stored. amountFen is the parsed amount when one was given. Besides
// each field's own checks (Validate.Struct) it applies the rules that span
// fields: the period, a complaint's conditions, the document number for its
// type, the credit codes to confirm, the 《举报须知》.
func (h *Handler) check(in *reportInput) (fe FieldErrors, amountFen int64, amountGiven bool) {
	fe = h.Validate.Struct(in)
	if fe == nil {
		fe = FieldErrors{}
	}
	if in.AmountYuan != "" {
		fen, err := casework.ParseYuan(in.AmountYuan)
		if err != nil {
			fe.Add("amountYuan", amountMessage(err))
		} else {
			amountFen, amountGiven = fen, true
		}
	}
	if in.OccurredOn != "" {
		fe.Add("occurredOn", "occurredOn 是 occurredFrom 的旧名称，两者只能填写一个，请只填写 occurredFrom")
	}
	p := casework.CheckOccurredPeriod(in.OccurredFrom, in.OccurredTo, h.now())
	if p.From != "" {
		fe.Add("occurredFrom", p.From)
	}
	if p.To != "" {
		fe.Add("occurredTo", p.To)
	}
	if in.Kind == store.KindComplaint {
		if in.Anonymous {
			fe.Add("anonymous", casework.MsgComplaintNotAnonymous)
		}
		if c := in.Complaint; c != nil && in.ReporterType == store.ReporterCitizen {
			if _, ok := casework.NormalizeMonth(c.HiredOn); c.HiredOn != "" && !ok {
				fe.Add("complaint.hiredOn", "入职时间请填写年和月，如 2019-07")
			} else if msg := casework.CheckHiredOn(c.HiredOn, h.now()); msg != "" {
				fe.Add("complaint.hiredOn", msg)
			}
			if c.LabourContract == "" {
				fe.Add("complaint.labourContract", "请选择是否与单位签订了书面劳动合同")
			}
		}
	}
	if r := in.Reporter; r != nil && r.IDNumber != "" && casework.ValidIDDocumentType(r.IDType) &&
		!casework.ValidIDDocument(r.IDType, r.IDNumber) {
		fe.Add("reporter.idNumber", casework.IDDocumentProblem(r.IDType))
	}
	if in.Subject.CreditCode != "" && !in.ConfirmCreditCode && !in.ConfirmSubjectCode &&
		casework.CreditCodeStatus(in.Subject.CreditCode) == casework.CreditCodeBadChecksum {
		fe.Add("subject.creditCode", creditCodeConfirmMsg)
	}
	if in.Organisation != nil && !in.ConfirmCreditCode && !in.ConfirmOrgCode &&
		casework.CreditCodeStatus(in.Organisation.CreditCode) == casework.CreditCodeBadChecksum {
		fe.Add("organisation.creditCode", creditCodeConfirmMsg)
	}
	if !in.AcknowledgeNotice {
		fe.Add("acknowledgeNotice", msgAcknowledgeNotice)
	}
	if len(fe) == 0 {
		return nil, amountFen, amountGiven
	}
	return fe, amountFen, amountGiven
}

const msgAcknowledgeNotice = "请阅读《举报须知》，并勾选“我已阅读并知晓《举报须知》”"

// amountMessage is the Chinese message of casework's amount errors, which are
// written for the user; anything else gets a generic one.
func amountMessage(err error) string {
	var ae casework.AmountError
	if errors.As(err, &ae) {
		return string(ae)
	}
	return "涉及金额格式不正确，请填写以元为单位的数字，如 12000.50"
}

const creditCodeConfirmMsg = "统一社会信用代码的校验位不符，可能有输入错误。请照营业执照核对；如确认无误，请勾选下方的“我已核对统一社会信用代码，确认无误”后再次提交。"

// submit stores a checked submission as a new case through the service
// layer and returns its receipt. idemKey identifies the submission: a retry
// with the same key and the same content returns the first receipt; the same
// key with other content is a conflict. Submissions queue for the store
// through a bounded number of slots (see acquireWriteSlot).
//
// files are the evidence files stored for the submission (web.Uploads);
// FileCase records them with the case or discards them. via is how the
// submission came (ViaWeb, ViaAPI), for Filed.
func (h *Handler) submit(ctx context.Context, in *reportInput, amountFen int64, amountGiven bool, idemKey, requestID string,
	files []store.Attachment, via string) (*caseflow.Receipt, error) {
	digest, err := submissionDigest(h.Keyring, in, files)
	if err != nil {
		h.Cases.DiscardUploads(ctx, files)
		return nil, err
	}
	f := caseflow.Filing{
		Kind:           in.Kind,
		ReporterType:   in.ReporterType,
		Anonymous:      in.Anonymous,
		Category:       in.Category,
		InsuranceTypes: in.InsuranceTypes,
		RegionCode:     in.RegionCode,
		Subject: store.Party{
			Name:                in.Subject.Name,
			CreditCode:          in.Subject.CreditCode,
			IDNumber:            in.Subject.IDNumber,
			Address:             in.Subject.Address,
			LegalRepresentative: in.Subject.LegalRepresentative,
		},
		AmountFen:      amountFen,
		AmountGiven:    amountGiven,
		OccurredFrom:   in.OccurredFrom,
		OccurredTo:     in.OccurredTo,
		Description:    in.Description,
		NoticeVersion:  casework.NoticeVersion,
		Identity:       in.identity(),
		IdempotencyKey: idemKey,
		Digest:         digest,
		RequestID:      requestID,
		Files:          files,
	}
	if c := in.Complaint; c != nil {
		f.Complaint = store.Complaint{Request: c.Request, HiredOn: c.HiredOn, Position: c.Position, Contract: c.LabourContract}
	}
	release, err := h.acquireWriteSlot(ctx)
	if err != nil {
		h.Cases.DiscardUploads(ctx, files)
		return nil, err
	}
	defer release()
	r, err := h.Cases.FileCase(ctx, f)
	if err == nil && !r.Repeat && h.Filed != nil {
		h.Filed(r.Case.Kind, via)
	}
	return r, err
}

// How a submission came, for Filed.
const (
	ViaWeb = "web" // the HTML form at /report
	ViaAPI = "api" // POST /api/v1/reports
)

// errOverloaded answers a submission that could not even queue for the
// store: nothing was saved, and the client is told so and to retry.
var errOverloaded = store.Errorf(store.EUNAVAILABLE, "系统繁忙，您的内容未被保存，请稍后重新提交。")

// acquireWriteSlot waits up to WriteWait for one of PendingWrites places in
// the queue to the store, so that overload sheds with a clear 503 instead of
// piling up requests that time out without an answer.
func (h *Handler) acquireWriteSlot(ctx context.Context) (release func(), err error) {
	select {
	case h.writeSlots <- struct{}{}:
		return func() { <-h.writeSlots }, nil
	default:
	}
	t := time.NewTimer(h.Config.Limits.WriteWait)
	defer t.Stop()
	select {
	case h.writeSlots <- struct{}{}:
		return func() { <-h.writeSlots }, nil
	case <-t.C:
		h.Log.Warn("submission shed: too many writes pending", "pending", cap(h.writeSlots))
		return nil, errOverloaded
	case <-ctx.Done():
		return nil, errOverloaded
	}
}

// identity is the reporter's identity to seal, or nil when anonymous.
func (in *reportInput) identity() *casework.ReporterIdentity {
	switch {
	case in.Reporter != nil:
		return &casework.ReporterIdentity{
			Name: in.Reporter.Name, IDType: in.Reporter.IDType, IDNumber: in.Reporter.IDNumber,
			Phone: in.Reporter.Phone, Email: in.Reporter.Email,
		}
	case in.Organisation != nil:
		return &casework.ReporterIdentity{
			OrgName: in.Organisation.Name, CreditCode: in.Organisation.CreditCode,
			ContactPerson: in.Organisation.ContactPerson, ContactPhone: in.Organisation.ContactPhone,
		}
	}
	return nil
}

// submissionDigest is a keyed digest of the normalised submission, so a retry
// can be recognised without storing anything that could be reversed. The
// files count by their content: a retry sends the same bytes again, which
// are stored anew, so only their hashes can say it is the same submission.
func submissionDigest(k *casework.Keyring, in *reportInput, files []store.Attachment) (string, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	for _, f := range files {
		b = append(b, '\n')
		b = append(b, f.SHA256...)
	}
	return k.Digest("submission", b), nil
}

// plainText accepts what a person can type (see caseflow.PlainText).
func plainText(s string) bool { return caseflow.PlainText(s) }
