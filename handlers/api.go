package handlers

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

//go:embed openapi.json
var openAPIDoc []byte

// openAPIServed is the document as served: without the indentation that
// keeps the file readable in the repository (164 KB served as 106 KB to a
// client that takes no compression; brotli's copy shrinks a little too).
var openAPIServed = compactJSON(openAPIDoc)

// compactJSON runs once, when the program starts: the document is embedded
// in the binary, and a broken one stops the start (and every test) instead
// of reaching a client.
func compactJSON(doc []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, doc); err != nil {
		panic(fmt.Errorf("handlers: the embedded openapi.json is not JSON: %w", err))
	}
	return b.Bytes()
}

func (h *Handler) apiOpenAPI(c *fiber.Ctx) error {
	// Kept with its ETag and compressed copies: hashing and compressing
	// its 106 KB on every request cost milliseconds.
	return h.siteData(c, h.site.fixed, "/api/v1/openapi.json", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		c.Response().SetBodyRaw(openAPIServed)
		return nil
	})
}

// apiValidation is the 422 body: a Chinese message per field key.
type apiValidation struct {
	Error     string      `json:"error"`
	Errors    FieldErrors `json:"errors"`
	RequestID string      `json:"requestId"`
}

// apiReceipt is the body of 201 (new case) and of 200 (a replay of a request
// with the same Idempotency-Key and content).
type apiReceipt struct {
	Number         string    `json:"number"`
	AccessCode     string    `json:"accessCode"`
	Status         string    `json:"status"`
	StatusLabel    string    `json:"statusLabel"`
	Channel        string    `json:"channel"`
	ChannelNotice  string    `json:"channelNotice"`
	CreatedAt      time.Time `json:"createdAt"`
	AcceptDeadline time.Time `json:"acceptDeadline"`
	// Files are the evidence files filed with the report.
	Files []apiFile `json:"files"`
}

// decodeJSON reads exactly one JSON object with known fields only, matched
// exactly: encoding/json would match "DESCRIPTION" or "\u212aind" (Kelvin
// sign) to a field by case and Unicode folding, and let the last of two
// equal keys win, so what a client meant and what was stored could differ.
// It uses the JSON v2 decoder (github.com/go-json-experiment/json, the
// staging module of encoding/json/v2), which matches names exactly and
// refuses duplicates. Errors are 415 for a media type other than
// application/json (UTF-8), 400 for malformed JSON or a duplicate key, 422
// for a field of the wrong type, an unknown field or a null, each in
// Chinese.
func decodeJSON(c *fiber.Ctx, dst any) (FieldErrors, error) {
	if !isJSONMediaType(c.Get(fiber.HeaderContentType)) {
		return nil, web.NewHTTPError(fiber.StatusUnsupportedMediaType, "类型不支持",
			"请求体须为 UTF-8 编码的 JSON，并设置 Content-Type: application/json。")
	}
	if bytes.Equal(bytes.Trim(c.Body(), " \t\r\n"), []byte("null")) {
		return nil, web.NewHTTPError(fiber.StatusBadRequest, "格式错误", "请求体须为一个 JSON 对象。")
	}
	// Invalid UTF-8 in a string is let through as U+FFFD, so the field's own
	// check names the field ("包含无法识别的字符") instead of a 400 for the
	// whole body.
	err := jsonv2.Unmarshal(c.Body(), dst, jsonv2.RejectUnknownMembers(true), jsontext.AllowInvalidUTF8(true))
	if err == nil {
		return nullMembers(c.Body(), reflect.TypeOf(dst)), nil
	}
	if errors.Is(err, jsontext.ErrDuplicateName) {
		return nil, web.NewHTTPError(fiber.StatusBadRequest, "格式错误",
			"请求体中有重复出现的字段"+pointerName(duplicatePointer(err))+"，每个字段只能出现一次。")
	}
	var serr *jsonv2.SemanticError
	if errors.As(err, &serr) {
		field := fieldPath(serr.JSONPointer)
		switch {
		case errors.Is(serr.Err, jsonv2.ErrUnknownName):
			return FieldErrors{clip(field, 64): "不支持的字段，请对照接口文档 /api/v1/openapi.json 检查字段名（区分大小写）"}, nil
		case field == "":
			return nil, web.NewHTTPError(fiber.StatusBadRequest, "格式错误", "请求体须为一个 JSON 对象。")
		case serr.GoType != nil:
			return FieldErrors{field: "字段类型不正确（应为" + jsonTypeCN(serr.GoType.Kind().String()) + "）"}, nil
		}
	}
	if oneValueThenMore(c.Body()) {
		return nil, web.NewHTTPError(fiber.StatusBadRequest, "格式错误", "请求体只能包含一个 JSON 对象。")
	}
	return nil, web.NewHTTPError(fiber.StatusBadRequest, "格式错误", "请求体不是有效的 JSON，请检查后重试。")
}

// nullMembers refuses every null in a decoded body. The JSON v2 decoder,
// like encoding/json, reads null as "leave the zero value", so
// "anonymous": null would be a named report and "reporter": null no
// reporter, while the OpenAPI document allows null nowhere: a client that
// sends null has a bug, and guessing what it meant is how what was meant
// and what was stored come apart. The message names the type the field
// takes and says to leave the field out instead.
func nullMembers(body []byte, t reflect.Type) FieldErrors {
	if !bytes.Contains(body, []byte("null")) {
		return nil
	}
	var fe FieldErrors
	dec := jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowInvalidUTF8(true))
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return fe
		}
		if tok.Kind() != 'n' {
			continue
		}
		ptr := dec.StackPointer()
		want := jsonTypeCN(kindAt(t, ptr).String())
		if want == "布尔值" {
			want += "（true 或 false）"
		}
		if fe == nil {
			fe = FieldErrors{}
		}
		fe.Add(fieldPath(ptr), "不能为 null，应为"+want+"；不填写的字段请省略")
	}
}

// kindAt is the Go kind of the value a JSON pointer names in a value of
// type t, found by the fields' json names; array indices name the element.
func kindAt(t reflect.Type, p jsontext.Pointer) reflect.Kind {
	for tok := range p.Tokens() {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Slice:
			t = t.Elem()
			continue
		case reflect.Struct:
		default:
			return reflect.Invalid
		}
		found := false
		for i := range t.NumField() {
			f := t.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == tok {
				t, found = f.Type, true
				break
			}
		}
		if !found {
			return reflect.Invalid
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind()
}

// oneValueThenMore tells whether body holds one whole JSON value followed by
// more than white space (two objects, say), to say so rather than "invalid".
func oneValueThenMore(body []byte) bool {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	if _, err := dec.ReadValue(); err != nil {
		return false
	}
	_, err := dec.ReadToken()
	return err != io.EOF
}

// isJSONMediaType accepts application/json, in any letter case, with no
// parameter but charset=utf-8.
func isJSONMediaType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != fiber.MIMEApplicationJSON {
		return false
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return false
		}
	}
	return true
}

// fieldPath turns a JSON pointer ("/subject/name", "/insuranceTypes/2")
// into the dotted field key of the form and the 422 body ("subject.name",
// "insuranceTypes").
func fieldPath(p jsontext.Pointer) string {
	var parts []string
	for tok := range p.Tokens() {
		if tok != "" && strings.Trim(tok, "0123456789") == "" {
			continue // an array index
		}
		parts = append(parts, tok)
	}
	return strings.Join(parts, ".")
}

// duplicatePointer is where a duplicate key was found, if the error says.
func duplicatePointer(err error) jsontext.Pointer {
	var serr *jsonv2.SemanticError
	if errors.As(err, &serr) {
		return serr.JSONPointer
	}
	var syn *jsontext.SyntacticError
	if errors.As(err, &syn) {
		return syn.JSONPointer
	}
	return ""
}

// pointerName quotes the field a pointer names, for a message; "" when none.
func pointerName(p jsontext.Pointer) string {
	if f := fieldPath(p); f != "" {
		return "“" + clip(f, 64) + "”"
	}
	return ""
}

func jsonTypeCN(kind string) string {
	switch kind {
	case "string":
		return "字符串"
	case "bool":
		return "布尔值"
	case "slice":
		return "数组"
	case "struct", "ptr":
		return "对象"
	}
	return "文档所列的类型"
}

func (h *Handler) apiInvalid(c *fiber.Ctx, fe FieldErrors) error {
	return c.Status(fiber.StatusUnprocessableEntity).JSON(apiValidation{
		Error: "提交的内容有需要修改的地方", Errors: fe, RequestID: web.RequestID(c),
	})
}

// apiMaxLengths are the maxLength of the string fields of ReportInput in
// the OpenAPI document, which counts characters of the value as sent. The
// checks after normalize count the trimmed value; without this a name of
// 100 characters and a trailing space, or a phone number padded with
// spaces, would be taken although the document forbids it. Codes are
// bounded by their enums and patterns instead.
// TestAPIMaxLengthsAreTheDocuments keeps this table and the document one.
var apiMaxLengths = map[string]int{
	"subject.name":                100,
	"subject.creditCode":          40,
	"subject.idNumber":            40,
	"subject.address":             200,
	"subject.legalRepresentative": 50,
	"amountYuan":                  40,
	"occurredFrom":                40,
	"occurredTo":                  40,
	"occurredOn":                  40,
	"description":                 5000,
	"complaint.request":           1000,
	"complaint.hiredOn":           40,
	"complaint.position":          50,
	"reporter.name":               50,
	"reporter.idNumber":           40,
	"reporter.phone":              40,
	"reporter.email":              100,
	"organisation.name":           100,
	"organisation.creditCode":     40,
	"organisation.contactPerson":  50,
	"organisation.contactPhone":   40,
}

// Messages of the API's own checks on the request as sent (apiStructure).
const (
	msgAnonymousNoReporter = "匿名反映不提交反映人信息，请删去 reporter；如需实名反映，请将 anonymous 设为 false"
	msgAnonymousNoOrg      = "匿名反映不提交反映单位信息，请删去 organisation；如需实名反映，请将 anonymous 设为 false"
	msgCitizenNoOrg        = "公民反映不提交单位信息，请删去 organisation；反映人本人的信息填在 reporter 中"
	msgOrgNoReporter       = "用人单位或其他社会组织反映时，实名信息填在 organisation 中，请删去 reporter"
	msgReportNoComplaint   = "举报不提交投诉请求事项和劳动关系，请删去 complaint；如是为本人权益投诉，请将 kind 设为 complaint"
	msgOrgComplaintNoJob   = "用人单位或其他社会组织投诉不填写此项，请删去"
)

// apiStructure applies the API's checks on a report as sent, before
// normalize trims it and drops what does not apply: the lengths as the
// OpenAPI document counts them, and the sections that do not apply, which
// the API refuses rather than drops. Dropping them silently would let a
// client believe it had filed what it had not (a named report sent with
// anonymous: true stays anonymous), and identity data sent with an
// anonymous report should not have been sent at all. The HTML form drops
// them instead: it hides those sections, and a browser without JavaScript
// still posts them.
func (in *reportInput) apiStructure() FieldErrors {
	fe := FieldErrors{}
	for field, value := range in.apiStrings() {
		if utf8.RuneCountInString(value) > apiMaxLengths[field] {
			fe.Add(field, tooLongMessage(field))
		}
	}
	citizen := in.ReporterType == store.ReporterCitizen
	org := in.ReporterType == store.ReporterEmployer || in.ReporterType == store.ReporterOrganization
	switch {
	case in.Anonymous && in.Kind != store.KindComplaint:
		// A complaint is never anonymous (check says so at "anonymous");
		// its reporter is not what is wrong with it.
		if in.Reporter != nil {
			fe.Add("reporter", msgAnonymousNoReporter)
		}
		if in.Organisation != nil {
			fe.Add("organisation", msgAnonymousNoOrg)
		}
	case citizen && in.Organisation != nil:
		fe.Add("organisation", msgCitizenNoOrg)
	case org && in.Reporter != nil:
		fe.Add("reporter", msgOrgNoReporter)
	}
	switch c := in.Complaint; {
	case c == nil:
	case in.Kind == store.KindReport:
		fe.Add("complaint", msgReportNoComplaint)
	case in.Kind == store.KindComplaint && org:
		if c.HiredOn != "" {
			fe.Add("complaint.hiredOn", msgOrgComplaintNoJob)
		}
		if c.Position != "" {
			fe.Add("complaint.position", msgOrgComplaintNoJob)
		}
		if c.LabourContract != "" {
			fe.Add("complaint.labourContract", msgOrgComplaintNoJob)
		}
	}
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// apiStrings are the string fields of a report that apiMaxLengths bounds,
// by key, as sent.
func (in *reportInput) apiStrings() map[string]string {
	m := map[string]string{
		"subject.name":                in.Subject.Name,
		"subject.creditCode":          in.Subject.CreditCode,
		"subject.idNumber":            in.Subject.IDNumber,
		"subject.address":             in.Subject.Address,
		"subject.legalRepresentative": in.Subject.LegalRepresentative,
		"amountYuan":                  in.AmountYuan,
		"occurredFrom":                in.OccurredFrom,
		"occurredTo":                  in.OccurredTo,
		"occurredOn":                  in.OccurredOn,
		"description":                 in.Description,
	}
	if c := in.Complaint; c != nil {
		m["complaint.request"], m["complaint.hiredOn"], m["complaint.position"] = c.Request, c.HiredOn, c.Position
	}
	if r := in.Reporter; r != nil {
		m["reporter.name"], m["reporter.idNumber"], m["reporter.phone"], m["reporter.email"] = r.Name, r.IDNumber, r.Phone, r.Email
	}
	if o := in.Organisation; o != nil {
		m["organisation.name"], m["organisation.creditCode"] = o.Name, o.CreditCode
		m["organisation.contactPerson"], m["organisation.contactPhone"] = o.ContactPerson, o.ContactPhone
	}
	return m
}

// tooLongMessage is the message for a field longer than the document
// allows: the field's own "too long" message where it has one, else what
// the field should hold.
func tooLongMessage(field string) string {
	if m, ok := fieldMessages[field]["max"]; ok {
		return m
	}
	switch field {
	case "subject.creditCode", "organisation.creditCode":
		return msgCredit
	case "subject.idNumber":
		return fieldMessages[field]["idnumber"]
	case "occurredFrom", "occurredTo", "occurredOn":
		return "日期应为有效日期，格式如 2026-01-31"
	case "complaint.hiredOn":
		return "入职时间请填写年和月，如 2019-07"
	case "reporter.idNumber":
		return "证件号码太长了，请照证件核对后重新填写"
	case "reporter.phone":
		return fieldMessages[field]["mobile"]
	case "organisation.contactPhone":
		return fieldMessages[field]["phone"]
	}
	return fmt.Sprintf("最多%d个字", apiMaxLengths[field])
}

// apiCreateReport is POST /api/v1/reports. An Idempotency-Key header (16–128
// characters of [A-Za-z0-9_-]) makes retries safe: the same key with the same
// body answers the first receipt again with 200.
func (h *Handler) apiCreateReport(c *fiber.Ctx) error {
	idem := c.Get("Idempotency-Key")
	if idem == "" {
		idem = web.NewToken()
	} else if !web.ValidToken(idem) {
		return h.apiInvalid(c, FieldErrors{"Idempotency-Key": "Idempotency-Key 须为16至128位字母、数字、连字符或下划线"})
	}
	up := web.UploadsOf(c)
	if up != nil {
		// multipart/form-data: the report is the part "report", the files
		// were stored as they arrived.
		if up.Err != nil {
			return h.apiUploadsError(c, up)
		}
		report := c.Request().PostArgs().Peek("report")
		if report == nil {
			return h.apiInvalid(c, FieldErrors{"report": "缺少 report 部分：请把举报投诉内容（JSON）放在名为 report 的部分中，文件放在名为 files 的部分中。"})
		}
		c.Request().Header.SetContentType(fiber.MIMEApplicationJSON)
		c.Request().SetBody(report)
	}
	in := &reportInput{}
	fe, err := decodeJSON(c, in)
	if err != nil {
		return err
	}
	if fe != nil {
		return h.apiInvalid(c, fe)
	}
	structure := in.apiStructure()
	in.normalize()
	fe, fen, given := h.check(in)
	if structure != nil {
		for k, v := range fe {
			structure.Add(k, v)
		}
		fe = structure
	}
	if fe != nil {
		return h.apiInvalid(c, fe)
	}
	r, err := h.submit(c.UserContext(), in, fen, given, idem, web.RequestID(c), up.Claim(), ViaAPI)
	if err != nil {
		if store.ErrorCode(err) == store.EINVALID && up != nil && up.Count > 0 {
			return h.apiInvalid(c, FieldErrors{web.FilesField: store.ErrorMessage(err)})
		}
		return err
	}
	status := fiber.StatusCreated
	if r.Repeat {
		status = fiber.StatusOK
		c.Set("Idempotent-Replayed", "true")
	}
	return c.Status(status).JSON(apiReceipt{
		Number:         r.Case.Number,
		AccessCode:     r.AccessCode,
		Status:         r.Case.Status,
		StatusLabel:    casework.StatusLabel(r.Case.Status),
		Channel:        r.Case.Channel,
		ChannelNotice:  r.ChannelNotice,
		CreatedAt:      r.Case.CreatedAt,
		AcceptDeadline: r.AcceptDeadline,
		Files:          apiFiles(r.Case.Files),
	})
}

type apiEvent struct {
	At          time.Time `json:"at"`
	Status      string    `json:"status"`
	StatusLabel string    `json:"statusLabel"`
	Result      string    `json:"result,omitempty"`
	ResultLabel string    `json:"resultLabel,omitempty"`
	Note        string    `json:"note,omitempty"`
}

type apiMessage struct {
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Body   string    `json:"body"`
}

// apiCase is the reporter's view of a case: what was filed, never who filed it.
type apiCase struct {
	Number         string       `json:"number"`
	Kind           string       `json:"kind"`
	Category       string       `json:"category"`
	InsuranceTypes []string     `json:"insuranceTypes"`
	RegionCode     string       `json:"regionCode"`
	RegionName     string       `json:"regionName"`
	Channel        string       `json:"channel"`
	Status         string       `json:"status"`
	StatusLabel    string       `json:"statusLabel"`
	Result         string       `json:"result,omitempty"`
	CreatedAt      time.Time    `json:"createdAt"`
	UpdatedAt      time.Time    `json:"updatedAt"`
	Timeline       []apiEvent   `json:"timeline"`
	Messages       []apiMessage `json:"messages"`
	Files          []apiFile    `json:"files"`
	Demo           bool         `json:"demo,omitempty"`
}

// apiCaseFor authenticates the reporter by number (URL) and access code
// (X-Access-Code header): 404 for a wrong number and a wrong code alike.
// The number is read as a person types it (ParseCaseNumber), so the path
// segment is unescaped first: Fiber hands it over percent-encoded, and
// "2026%20000123" or full-width digits are spellings of a number too.
func (h *Handler) apiCaseFor(c *fiber.Ctx) (*store.Case, error) {
	number := c.Params("number")
	if len(number) <= 256 {
		if u, err := url.PathUnescape(number); err == nil {
			number = u
		}
	}
	code := c.Get("X-Access-Code")
	if len(number) > 64 || len(code) > 128 || code == "" {
		return nil, store.Errorf(store.ENOTFOUND, msgWrongCredentials)
	}
	return h.lookupCase(c.UserContext(), h.clientIP(c), number, code)
}

func (h *Handler) apiGetReport(c *fiber.Ctx) error {
	cs, err := h.apiCaseFor(c)
	if err != nil {
		return err
	}
	return h.apiSendCase(c, fiber.StatusOK, cs)
}

func (h *Handler) apiSendCase(c *fiber.Ctx, status int, cs *store.Case) error {
	ctx := c.UserContext()
	events, err := h.Store.CaseEvents(ctx, cs.ID)
	if err != nil {
		return err
	}
	msgs, err := h.Store.CaseMessages(ctx, cs.ID)
	if err != nil {
		return err
	}
	out := apiCase{
		Number: cs.Number, Kind: cs.Kind, Category: cs.Category,
		InsuranceTypes: cs.InsuranceTypes, RegionCode: cs.RegionCode,
		RegionName: h.Regions.FullName(cs.RegionCode), Channel: cs.Channel,
		Status: cs.Status, StatusLabel: casework.StatusLabel(cs.Status), Result: cs.Result,
		CreatedAt: cs.CreatedAt, UpdatedAt: cs.UpdatedAt, Demo: cs.Demo,
		Timeline: []apiEvent{}, Messages: []apiMessage{},
	}
	for _, e := range casework.ReporterEvents(events) {
		ae := apiEvent{At: e.At, Status: e.ToStatus, StatusLabel: casework.StatusLabel(e.ToStatus), Note: e.Note}
		if e.Result != "" {
			ae.Result, ae.ResultLabel = e.Result, casework.ResultLabel(e.Result)
		}
		out.Timeline = append(out.Timeline, ae)
	}
	for _, m := range casework.ReporterMessages(msgs) {
		out.Messages = append(out.Messages, apiMessage{At: m.At, Author: m.Author, Body: m.Body})
	}
	files, err := h.Cases.ReporterFiles(ctx, cs)
	if err != nil {
		return err
	}
	out.Files = apiFiles(files)
	return c.Status(status).JSON(out)
}

type apiMessageInput struct {
	Body string `json:"body"`
}

// apiAddMessage is POST /api/v1/reports/{number}/messages: the reporter adds
// information. An Idempotency-Key header makes a retry store it once.
func (h *Handler) apiAddMessage(c *fiber.Ctx) error {
	cs, err := h.apiCaseFor(c)
	if err != nil {
		return err
	}
	var in apiMessageInput
	fe, err := decodeJSON(c, &in)
	if err != nil {
		return err
	}
	if fe != nil {
		return h.apiInvalid(c, fe)
	}
	body, problem := reporterMessage(in.Body)
	if utf8.RuneCountInString(in.Body) > caseflow.MaxMessageRunes {
		// The document's maxLength counts the body as sent.
		problem = "补充信息不能超过5000字，请精简或分次提交"
	}
	if problem != "" {
		return h.apiInvalid(c, FieldErrors{"body": problem})
	}
	idem := c.Get("Idempotency-Key")
	if idem != "" && !web.ValidToken(idem) {
		return h.apiInvalid(c, FieldErrors{"Idempotency-Key": "Idempotency-Key 须为16至128位字母、数字、连字符或下划线"})
	}
	if err := h.allowMessage(c, cs); err != nil {
		return err
	}
	m, err := h.Cases.AddReporterMessage(c.UserContext(), cs, body, idem, nil)
	if err != nil {
		if store.ErrorCode(err) == store.EINVALID {
			return h.apiInvalid(c, FieldErrors{"body": store.ErrorMessage(err)})
		}
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(apiMessage{At: m.At, Author: m.Author, Body: m.Body})
}
