package handlers

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

//go:embed openapi.json
var openAPIDoc []byte

func (h *Handler) apiOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set("Cache-Control", "public, max-age=300")
	return c.Send(openAPIDoc)
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

// decodeJSON reads exactly one JSON object with known fields only. Errors are
// 415 for a wrong content type, 400 for malformed JSON, 422 for a field of
// the wrong type or an unknown field, each with a Chinese message.
func decodeJSON(c *fiber.Ctx, dst any) (FieldErrors, error) {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationJSON) {
		return nil, web.NewHTTPError(fiber.StatusUnsupportedMediaType, "类型不支持", "请求体须为 JSON，并设置 Content-Type: application/json。")
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if dec.More() || dec.Decode(&struct{}{}) != io.EOF {
			return nil, web.NewHTTPError(fiber.StatusBadRequest, "格式错误", "请求体只能包含一个 JSON 对象。")
		}
		return nil, nil
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return nil, web.NewHTTPError(fiber.StatusBadRequest, "格式错误", "请求体须为一个 JSON 对象。")
		}
		return FieldErrors{field: "字段类型不正确（应为" + jsonTypeCN(typeErr.Type.Kind().String()) + "）"}, nil
	// encoding/json has no error type for an unknown field: its text is
	// parsed for the field name, which is the client's own input.
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return FieldErrors{clip(name, 64): "不支持的字段，请对照接口文档 /api/v1/openapi.json 检查字段名"}, nil
	}
	return nil, web.NewHTTPError(fiber.StatusBadRequest, "格式错误", "请求体不是有效的 JSON，请检查后重试。")
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
func (h *Handler) apiCaseFor(c *fiber.Ctx) (*store.Case, error) {
	number := c.Params("number")
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
	m, err := h.Cases.AddReporterMessage(c.UserContext(), cs, body, idem)
	if err != nil {
		if store.ErrorCode(err) == store.EINVALID {
			return h.apiInvalid(c, FieldErrors{"body": store.ErrorMessage(err)})
		}
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(apiMessage{At: m.At, Author: m.Author, Body: m.Body})
}
