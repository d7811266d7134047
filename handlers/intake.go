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
// and the API's error keys.
type reportInput struct {
	Kind              string       `json:"kind" label:"事项类型" validate:"kind"`
	ReporterType      string       `json:"reporterType" label:"反映人类型" validate:"reportertype"`
	Anonymous         bool         `json:"anonymous"`
	Category          string       `json:"category" label:"问题类别" validate:"category"`
	InsuranceTypes    []string     `json:"insuranceTypes" label:"涉及险种" validate:"min=1,max=8,unique,dive,insurancetype"`
	RegionCode        string       `json:"regionCode" label:"发生地区" validate:"region"`
	Subject           subjectInput `json:"subject"`
	AmountYuan        string       `json:"amountYuan" label:"涉及金额" validate:"max=40,singleline"`
	OccurredOn        string       `json:"occurredOn" label:"发生时间" validate:"omitempty,isodate"`
	Description       string       `json:"description" label:"问题描述" validate:"min=20,max=5000,plaintext"`
	Reporter          *personInput `json:"reporter,omitempty"`
	Organisation      *orgInput    `json:"organisation,omitempty"`
	ConfirmCreditCode bool         `json:"confirmCreditCode"`
}

type subjectInput struct {
	Name       string `json:"name" label:"被反映对象名称" validate:"required,max=100,singleline"`
	CreditCode string `json:"creditCode" label:"被反映单位统一社会信用代码" validate:"omitempty,creditcode"`
	IDNumber   string `json:"idNumber" label:"被反映人身份证号码" validate:"omitempty,idnumber"`
	Address    string `json:"address" label:"被反映对象地址" validate:"max=200,singleline"`
}

type personInput struct {
	Name     string `json:"name" label:"姓名" validate:"required,max=50,singleline"`
	IDNumber string `json:"idNumber" label:"身份证号码" validate:"required,idnumber"`
	Phone    string `json:"phone" label:"手机号码" validate:"required,mobile"`
	Email    string `json:"email" label:"电子邮箱" validate:"omitempty,max=100,email"`
}

type orgInput struct {
	Name          string `json:"name" label:"单位名称" validate:"required,max=100,singleline"`
	CreditCode    string `json:"creditCode" label:"统一社会信用代码" validate:"required,creditcode"`
	ContactPerson string `json:"contactPerson" label:"联系人" validate:"required,max=50,singleline"`
	ContactPhone  string `json:"contactPhone" label:"联系电话" validate:"required,phone"`
}

// normalize trims and canonicalises what people type (spaces, lowercase x in
// ID numbers, +86 prefixes, Windows line ends), and drops the identity section
// that does not apply, so nothing the reporter did not mean to give is stored.
func (in *reportInput) normalize() {
	in.Kind = strings.TrimSpace(in.Kind)
	in.ReporterType = strings.TrimSpace(in.ReporterType)
	in.Category = strings.TrimSpace(in.Category)
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	for i := range in.InsuranceTypes {
		in.InsuranceTypes[i] = strings.TrimSpace(in.InsuranceTypes[i])
	}
	in.Subject.Name = strings.TrimSpace(in.Subject.Name)
	in.Subject.CreditCode = casework.NormalizeCreditCode(in.Subject.CreditCode)
	in.Subject.IDNumber = casework.NormalizeIDNumber(in.Subject.IDNumber)
	in.Subject.Address = strings.TrimSpace(in.Subject.Address)
	in.AmountYuan = strings.TrimSpace(in.AmountYuan)
	in.OccurredOn = strings.TrimSpace(in.OccurredOn)
	in.Description = strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n"))

	switch {
	case in.Anonymous:
		in.Reporter, in.Organisation = nil, nil
	case in.ReporterType == store.ReporterCitizen:
		in.Organisation = nil
		if in.Reporter == nil {
			in.Reporter = &personInput{}
		}
		in.Reporter.Name = strings.TrimSpace(in.Reporter.Name)
		in.Reporter.IDNumber = casework.NormalizeIDNumber(in.Reporter.IDNumber)
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
// may be stored. amountFen is the parsed amount when one was given.
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
	if in.OccurredOn != "" && validDate(in.OccurredOn) {
		d, _ := time.ParseInLocation("2006-01-02", in.OccurredOn, store.CST)
		today := h.now().In(store.CST)
		if d.After(today) {
			fe.Add("occurredOn", "发生时间不能晚于今天")
		} else if d.Year() < 1990 {
			fe.Add("occurredOn", "发生时间不能早于1990年")
		}
	}
	if !in.ConfirmCreditCode {
		if in.Subject.CreditCode != "" && casework.CreditCodeStatus(in.Subject.CreditCode) == casework.CreditCodeBadChecksum {
			fe.Add("subject.creditCode", creditCodeConfirmMsg)
		}
		if in.Organisation != nil && casework.CreditCodeStatus(in.Organisation.CreditCode) == casework.CreditCodeBadChecksum {
			fe.Add("organisation.creditCode", creditCodeConfirmMsg)
		}
	}
	if len(fe) == 0 {
		return nil, amountFen, amountGiven
	}
	return fe, amountFen, amountGiven
}

// amountMessage is the Chinese message of casework's amount errors, which are
// written for the user; anything else gets a generic one.
func amountMessage(err error) string {
	var ae casework.AmountError
	if errors.As(err, &ae) {
		return string(ae)
	}
	return "涉及金额格式不正确，请填写以元为单位的数字，如 12000.50"
}

const creditCodeConfirmMsg = "统一社会信用代码的校验位不符，可能有输入错误。请核对；如确认无误，请勾选“我已核对统一社会信用代码，确认无误”后再次提交。"

// submit stores a checked submission as a new case through the service
// layer and returns its receipt. idemKey identifies the submission: a retry
// with the same key and the same content returns the first receipt; the same
// key with other content is a conflict. Submissions queue for the store
// through a bounded number of slots (see acquireWriteSlot).
func (h *Handler) submit(ctx context.Context, in *reportInput, amountFen int64, amountGiven bool, idemKey, requestID string) (*caseflow.Receipt, error) {
	digest, err := submissionDigest(h.Keyring, in)
	if err != nil {
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
			Name:       in.Subject.Name,
			CreditCode: in.Subject.CreditCode,
			IDNumber:   in.Subject.IDNumber,
			Address:    in.Subject.Address,
		},
		AmountFen:      amountFen,
		AmountGiven:    amountGiven,
		OccurredOn:     in.OccurredOn,
		Description:    in.Description,
		Identity:       in.identity(),
		IdempotencyKey: idemKey,
		Digest:         digest,
		RequestID:      requestID,
	}
	release, err := h.acquireWriteSlot(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return h.Cases.FileCase(ctx, f)
}

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
			Name: in.Reporter.Name, IDNumber: in.Reporter.IDNumber,
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
// can be recognised without storing anything that could be reversed.
func submissionDigest(k *casework.Keyring, in *reportInput) (string, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	return k.Digest("submission", b), nil
}

func validDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// plainText accepts what a person can type (see caseflow.PlainText).
func plainText(s string) bool { return caseflow.PlainText(s) }
