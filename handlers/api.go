package handlers

import (
	"bytes"
	_ "embed"
	"errors"
	"io"
	"mime"
	"net/url"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

//go:embed openapi.json
var openAPIDoc []byte

func (h *Handler) apiOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Response().SetBodyRaw(openAPIDoc)
	web.CachePublic(c, web.PageMaxAge)
	return nil
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
}

// decodeJSON reads exactly one JSON object with known fields only, matched
// exactly: encoding/json would match "DESCRIPTION" or "\u212aind" (Kelvin
// sign) to a field by case and Unicode folding, and let the last of two
// equal keys win, so what a client meant and what was stored could differ.
// It uses the JSON v2 decoder (github.com/go-json-experiment/json, the
// staging module of encoding/json/v2), which matches names exactly and
// refuses duplicates. Errors are 415 for a media type other than
// application/json (UTF-8), 400 for malformed JSON or a duplicate key, 422
// for a field of the wrong type or an unknown field, each in Chinese.
func decodeJSON(c *fiber.Ctx, dst any) (FieldErrors, error) {
	if !isJSONMediaType(c.Get(fiber.HeaderContentType)) {
		return nil, web.NewHTTPError(fiber.StatusUnsupportedMediaType, "类型不支持",
			"请求体须为 UTF-8 编码的 JSON，并设置 Content-Type: application/json。")
	}
	// Invalid UTF-8 in a string is let through as U+FFFD, so the field's own
	// check names the field ("包含无法识别的字符") instead of a 400 for the
	// whole body.
	err := jsonv2.Unmarshal(c.Body(), dst, jsonv2.RejectUnknownMembers(true), jsontext.AllowInvalidUTF8(true))
	if err == nil {
		return nil, nil
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
	return kind
}

func (h *Handler) apiInvalid(c *fiber.Ctx, fe FieldErrors) error {
	return c.Status(fiber.StatusUnprocessableEntity).JSON(apiValidation{
		Error: "提交的内容有需要修改的地方", Errors: fe, RequestID: web.RequestID(c),
	})
}

// apiCreateReport is POST /api/v1/reports. An Idempotency-Key header (16–128
// characters of [A-Za-z0-9_-]) makes retries safe: the same key with the same
// body answers the first receipt again with 200.
func (h *Handler) apiCreateReport(c *fiber.Ctx) error {
	if !h.limiter.Allow("submit:"+h.clientIP(c), h.Config.Limits.SubmitPerIP, h.Config.Limits.Window) {
		return errTooMany
	}
	idem := c.Get("Idempotency-Key")
	if idem == "" {
		idem = web.NewToken()
	} else if !web.ValidToken(idem) {
		return h.apiInvalid(c, FieldErrors{"Idempotency-Key": "Idempotency-Key 须为16至128位字母、数字、连字符或下划线"})
	}
	in := &reportInput{}
	fe, err := decodeJSON(c, in)
	if err != nil {
		return err
	}
	if fe != nil {
		return h.apiInvalid(c, fe)
	}
	in.normalize()
	fe, fen, given := h.check(in)
	if fe != nil {
		return h.apiInvalid(c, fe)
	}
	r, err := h.submit(c.UserContext(), in, fen, given, idem, web.RequestID(c))
	if err != nil {
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
	m, err := h.Cases.AddReporterMessage(c.UserContext(), cs, body, idem)
	if err != nil {
		if store.ErrorCode(err) == store.EINVALID {
			return h.apiInvalid(c, FieldErrors{"body": store.ErrorMessage(err)})
		}
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(apiMessage{At: m.At, Author: m.Author, Body: m.Body})
}
