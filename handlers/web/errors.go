package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/store"
)

// ErrInternalLogged is a 500 whose cause has already been logged.
var ErrInternalLogged = &store.Error{Code: store.EINTERNAL, Message: store.MsgInternal}

// HTTPError is an error with an HTTP status and a safe Chinese title and
// message, for conditions that are not store errors (rate limits, bad CSRF
// tokens, …).
type HTTPError struct {
	Status  int
	Title   string
	Message string
	// RetryAfter, in seconds, is sent as Retry-After when non-zero; it
	// overrides the default of the status.
	RetryAfter int
}

func (e *HTTPError) Error() string { return e.Message }

// NewHTTPError builds an HTTPError.
func NewHTTPError(status int, title, message string) *HTTPError {
	return &HTTPError{Status: status, Title: title, Message: message}
}

// TooMany is the 429 of a limit that frees up after wait, saying so.
func TooMany(wait time.Duration) *HTTPError {
	secs := int((wait + time.Second - 1) / time.Second)
	e := *ErrTooMany
	e.RetryAfter = max(secs, 1)
	e.Message = fmt.Sprintf("操作过于频繁，请在 %s 后再试。如需紧急反映问题，可拨打12345政务服务便民热线或12333人社服务热线。", humanWait(secs))
	return &e
}

// humanWait writes a wait in Chinese: "45 秒", "12 分钟", "1 小时 5 分钟".
func humanWait(secs int) string {
	switch {
	case secs < 60:
		return fmt.Sprintf("%d 秒", max(secs, 1))
	case secs < 3600:
		return fmt.Sprintf("%d 分钟", (secs+59)/60)
	}
	h, m := secs/3600, (secs%3600+59)/60
	if m == 0 {
		return fmt.Sprintf("%d 小时", h)
	}
	return fmt.Sprintf("%d 小时 %d 分钟", h, m)
}

// Errors every site uses.
var (
	ErrNotFound = NewHTTPError(fiber.StatusNotFound, "页面不存在",
		"您访问的页面不存在或已被移除。请检查地址，或从首页重新进入。")
	ErrCSRF = NewHTTPError(fiber.StatusForbidden, "页面已过期",
		"页面停留时间过长或在其他窗口中已提交，安全校验未通过。请返回上一页，刷新后重新提交。")
	ErrTooMany = NewHTTPError(fiber.StatusTooManyRequests, "操作过于频繁",
		"您的操作过于频繁，请稍后再试。如需紧急反映问题，可拨打12345政务服务便民热线或12333人社服务热线。")
)

// StatusOf maps an error to the HTTP status and the safe title and message a
// client may see.
func StatusOf(err error) (int, string, string) {
	var he *HTTPError
	var fe *fiber.Error
	switch {
	case errors.As(err, &he):
		return he.Status, he.Title, he.Message
	case errors.As(err, &fe):
		switch fe.Code {
		case fiber.StatusNotFound:
			return ErrNotFound.Status, ErrNotFound.Title, ErrNotFound.Message
		case fiber.StatusRequestEntityTooLarge:
			return fe.Code, "提交内容过大", "提交的内容超过了允许的大小，请精简后重新提交。"
		case fiber.StatusMethodNotAllowed:
			return fe.Code, "请求方式不正确", "该页面不支持这种访问方式，请从页面上的链接或按钮进入。"
		case fiber.StatusTooManyRequests:
			return ErrTooMany.Status, ErrTooMany.Title, ErrTooMany.Message
		case fiber.StatusRequestTimeout:
			return fe.Code, "请求超时", "请求超时，请稍后再试。"
		}
		if fe.Code >= 400 && fe.Code < 500 {
			return fe.Code, "请求无法处理", "请求的格式不正确，请返回上一页重新操作。"
		}
		return fiber.StatusInternalServerError, "系统繁忙", store.MsgInternal
	}
	switch store.ErrorCode(err) {
	case store.ENOTFOUND:
		return fiber.StatusNotFound, "内容不存在", store.ErrorMessage(err)
	case store.ECONFLICT:
		return fiber.StatusConflict, "提交冲突", store.ErrorMessage(err)
	case store.EINVALID:
		return fiber.StatusUnprocessableEntity, "填写有误", store.ErrorMessage(err)
	case store.EFORBIDDEN:
		return fiber.StatusForbidden, "无权访问", store.ErrorMessage(err)
	case store.EUNAVAILABLE:
		return fiber.StatusServiceUnavailable, "服务暂时不可用",
			"系统正在维护或暂时繁忙，您的内容未被保存，请稍后重新提交。"
	}
	return fiber.StatusInternalServerError, "系统繁忙", "系统内部错误，请稍后再试。如问题持续，请记下页面上的请求编号并联系我们。"
}

// ErrorPage renders a site's error page with a status, a title and a safe
// message; the request id is in RequestID(c).
type ErrorPage func(c *fiber.Ctx, status int, title, message string) error

// SetErrorPage makes page the error page of every path under prefix; the
// longest matching prefix wins, "" is the default. Paths under APIPrefix
// always get JSON.
func (w *Web) SetErrorPage(prefix string, page ErrorPage) {
	w.errorPages = append(w.errorPages, errorPage{prefix, page})
}

type errorPage struct {
	prefix string
	page   ErrorPage
}

// APIError is the JSON body of every error under /api/.
type APIError struct {
	Error     string `json:"error"`
	RequestID string `json:"requestId"`
}

// HandleError is the one place errors become responses: the status comes
// from the error's code, 5xx are logged once with the request id, and the
// client sees only the safe message — as JSON under /api/, as the error page
// of the path's site elsewhere.
func (w *Web) HandleError(c *fiber.Ctx, err error) error {
	if RequestID(c) == "" {
		// Errors the server raises before routing (a body over BodyLimit,
		// headers too large, a read timeout) come here without having passed
		// the middleware: give their page the same request id and headers.
		setRequestID(c)
		w.setSecurityHeaders(c)
	}
	// An error page is never kept, whatever the handler had set before
	// it failed.
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Response().Header.Del(fiber.HeaderETag)
	status, title, msg := StatusOf(err)
	w.countError(err)
	if status >= 500 && !errors.Is(err, ErrInternalLogged) {
		w.Log.Error("request failed", "request_id", RequestID(c), "method", c.Method(), "path", c.Path(),
			"status", status, "error", err)
	}
	var he *HTTPError
	switch {
	case errors.As(err, &he) && he.RetryAfter > 0:
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(he.RetryAfter))
	case status == fiber.StatusServiceUnavailable:
		c.Set(fiber.HeaderRetryAfter, "30")
	case status == fiber.StatusTooManyRequests:
		c.Set(fiber.HeaderRetryAfter, "600")
	}
	c.Status(status)
	if strings.HasPrefix(c.Path(), APIPrefix) || w.apiBodies.take(&c.Context().Request.Header) {
		return c.JSON(APIError{Error: msg, RequestID: RequestID(c)})
	}
	var best *errorPage
	for i, p := range w.errorPages {
		if strings.HasPrefix(c.Path(), p.prefix) && (best == nil || len(p.prefix) > len(best.prefix)) {
			best = &w.errorPages[i]
		}
	}
	if best == nil {
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString(title + "：" + msg + "（请求编号 " + RequestID(c) + "）")
	}
	return best.page(c, status, title, msg)
}

// LogError logs, once and with the request id, an error a handler answers
// itself rather than through HandleError (a page that still renders while a
// dependency such as search is down). The path is the route's pattern, as
// in the access log.
func (w *Web) LogError(c *fiber.Ctx, msg string, err error) {
	w.countError(err)
	w.Log.Error(msg, "request_id", RequestID(c), "method", c.Method(), "path", c.Route().Path, "error", err)
}

// countError tells the Observer of an error a request ended with, unless
// it is an HTTP condition (those show in the request's status) or a panic
// (logged with its stack, and a 500 in the request counts).
func (w *Web) countError(err error) {
	if w.Observer == nil || err == nil || errors.Is(err, ErrInternalLogged) {
		return
	}
	var he *HTTPError
	var fe *fiber.Error
	if errors.As(err, &he) || errors.As(err, &fe) {
		return
	}
	w.Observer.RequestError(err)
}
