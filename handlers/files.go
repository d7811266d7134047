package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/handlers/web"
	"fundwatch/store"
)

// Evidence files on the public side: the reporter's follow-up page lists
// the files of their case they may see and downloads them; the API does the
// same with the access code. Uploads arrive through web.Uploads (the intake
// form, the follow-up form, the API) and are recorded by the service layer.

// apiFile is a file as the API shows it.
type apiFile struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Size   int64     `json:"size"`
	Type   string    `json:"type"`
	Author string    `json:"author"`
	At     time.Time `json:"at"`
	// PurgedAt is when retention removed the file; it no longer downloads.
	PurgedAt *time.Time `json:"purgedAt,omitempty"`
}

func apiFiles(files []store.Attachment) []apiFile {
	out := make([]apiFile, 0, len(files))
	for _, f := range files {
		a := apiFile{ID: f.ID, Name: f.Name, Size: f.Size, Type: f.Type, Author: f.Author, At: f.At}
		if !f.PurgedAt.IsZero() {
			a.PurgedAt = &f.PurgedAt
		}
		out = append(out, a)
	}
	return out
}

// followupFile downloads a file of the reporter's case (the follow-up
// session) that they may see.
func (h *Handler) followupFile(c *fiber.Ctx) error {
	cs, err := h.followupCase(c)
	if err != nil {
		return err
	}
	if cs == nil {
		return c.Redirect("/followup?expired=1", fiber.StatusSeeOther)
	}
	return h.sendReporterFile(c, cs, c.Params("id"))
}

// sendReporterFile sends a file of case cs that its reporter may see.
func (h *Handler) sendReporterFile(c *fiber.Ctx, cs *store.Case, id string) error {
	if !store.ValidID(id) {
		return store.NotFound(store.MsgFileNotFound)
	}
	f, rc, err := h.Cases.OpenFileForReporter(c.UserContext(), cs, id)
	if err != nil {
		return err
	}
	return web.SendFile(c, f, rc)
}

// apiUploadsError is what an upload that stored nothing answers on the API:
// 422 at "files" for a refused file or a limit, 503 while files cannot be
// stored.
func (h *Handler) apiUploadsError(c *fiber.Ctx, up *web.Uploads) error {
	if store.ErrorCode(up.Err) == store.EINVALID {
		return h.apiInvalid(c, FieldErrors{web.FilesField: store.ErrorMessage(up.Err)})
	}
	return up.Err
}

// filesDown does for a form whose files could not be stored (a full or
// read-only disk), which comes back with 503 and what was typed, what the
// error handler does for every other 503: the cause is logged once with the
// request id, so operators see why, and Retry-After is set.
func (h *Handler) filesDown(c *fiber.Ctx, err error) {
	h.Web.LogError(c, "request failed", err)
	c.Set(fiber.HeaderRetryAfter, "30")
}

const apiCaseKey = "fundwatch.apiCase"

// apiCaseFirst authenticates the reporter (number and X-Access-Code) before
// an upload is read, so files are only stored for a case whose code was
// given.
func (h *Handler) apiCaseFirst(c *fiber.Ctx) error {
	cs, err := h.apiCaseFor(c)
	if err != nil {
		return err
	}
	c.Locals(apiCaseKey, cs)
	return c.Next()
}

// apiAddFiles is POST /api/v1/reports/{number}/files: the reporter adds
// evidence files (multipart parts named files) to their case, recorded as
// a message of theirs carrying the files. An Idempotency-Key header makes a
// retry record them once.
func (h *Handler) apiAddFiles(c *fiber.Ctx) error {
	cs, _ := c.Locals(apiCaseKey).(*store.Case)
	up := web.UploadsOf(c)
	if cs == nil {
		return store.Errorf(store.ENOTFOUND, msgWrongCredentials)
	}
	if up == nil {
		return web.NewHTTPError(fiber.StatusUnsupportedMediaType, "类型不支持",
			"请以 multipart/form-data 提交，文件放在名为 files 的部分中。")
	}
	if up.Err != nil {
		return h.apiUploadsError(c, up)
	}
	if len(up.Files) == 0 {
		return h.apiInvalid(c, FieldErrors{web.FilesField: "请至少选择一个文件，放在名为 files 的部分中。"})
	}
	idem := c.Get("Idempotency-Key")
	if idem != "" && !web.ValidToken(idem) {
		return h.apiInvalid(c, FieldErrors{"Idempotency-Key": "Idempotency-Key 须为16至128位字母、数字、连字符或下划线"})
	}
	if err := h.allowMessage(c, cs); err != nil {
		return err
	}
	m, err := h.Cases.AddReporterMessage(c.UserContext(), cs, "", idem, up.Claim())
	if err != nil {
		if store.ErrorCode(err) == store.EINVALID {
			return h.apiInvalid(c, FieldErrors{web.FilesField: store.ErrorMessage(err)})
		}
		return err
	}
	files, err := h.Cases.ReporterFiles(c.UserContext(), cs)
	if err != nil {
		return err
	}
	var added []store.Attachment
	for _, f := range files {
		if f.MessageID == m.ID {
			added = append(added, f)
		}
	}
	return c.Status(fiber.StatusCreated).JSON(struct {
		Files []apiFile `json:"files"`
	}{apiFiles(added)})
}

// apiGetFile is GET /api/v1/reports/{number}/files/{id}: one file of the
// case the reporter may see, as an attachment.
func (h *Handler) apiGetFile(c *fiber.Ctx) error {
	cs, err := h.apiCaseFor(c)
	if err != nil {
		return err
	}
	return h.sendReporterFile(c, cs, c.Params("id"))
}
