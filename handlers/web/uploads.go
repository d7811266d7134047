package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"fundwatch/casework/evidence"
	"fundwatch/store"
)

// Request bodies are streamed (fiber's StreamRequestBody): fasthttp hands
// the handler a reader instead of reading the whole body first, so an upload
// of 100 MB never sits in memory. Every other route must not see a stream it
// could read without bound, so readBody, the first middleware to look at a
// body, reads it for them up to MaxBodyBytes, exactly as fasthttp did before.
// Only the routes a site declared with Uploads, and only for a
// multipart/form-data body, keep the stream; their middleware reads the
// parts one by one, storing each file as it arrives.

// UploadStore is where the upload middleware puts files as they arrive:
// caseflow.Service, which checks each by its content, encrypts and stores
// it.
type UploadStore interface {
	StoreUpload(ctx context.Context, name string, r io.Reader, maxBytes int64) (store.Attachment, error)
	DiscardUploads(ctx context.Context, files []store.Attachment)
	EvidenceLimits() evidence.Limits
}

// FilesField is the name of the multipart parts that carry files, on the
// forms and in the API.
const FilesField = "files"

// uploadReadTimeout is how long an upload may take to arrive: a phone on a
// slow link needs minutes for 100 MB, and a timeout of the server's usual
// 30 seconds would cut it off.
const uploadReadTimeout = 15 * time.Minute

// uploadTextBytes bounds what the text parts of an upload carry together:
// the same as any other form.
const uploadTextBytes = MaxBodyBytes

// maxUploadParts bounds the parts of one upload, files and fields: the
// largest form has a few dozen fields.
const maxUploadParts = 500

type uploadRoute struct {
	method string
	segs   []string // ":name" matches any one segment
}

func (r uploadRoute) match(method, path string) bool {
	if method != r.method {
		return false
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) != len(r.segs) {
		return false
	}
	for i, s := range r.segs {
		if !(strings.HasPrefix(s, ":") && segs[i] != "") && s != segs[i] {
			return false
		}
	}
	return true
}

// uploadRoute reports whether method and path (as the client sent it,
// before any unescaping) are a route declared with Uploads.
func (w *Web) isUploadRoute(method, path []byte) bool {
	m, p := string(method), string(path)
	for _, r := range w.uploadRoutes {
		if r.match(m, p) {
			return true
		}
	}
	return false
}

// IsMultipart tells a multipart/form-data body by its declared type. It
// runs for every request (the body guard), so the common answer, no, costs
// no parsing.
func IsMultipart(contentType []byte) bool {
	const prefix = fiber.MIMEMultipartForm
	if len(contentType) < len(prefix) || !bytes.EqualFold(contentType[:len(prefix)], []byte(prefix)) {
		return false
	}
	mt, _, err := mime.ParseMediaType(string(contentType))
	return err == nil && mt == prefix
}

// streamsUpload is the one test of whether a request's body stays a stream
// for an upload route, used when the header arrives and before routing.
func (w *Web) streamsUpload(h *fasthttp.RequestHeader) bool {
	if len(w.uploadRoutes) == 0 || !IsMultipart(h.ContentType()) {
		return false
	}
	path := h.RequestURI()
	if i := bytes.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	return w.isUploadRoute(h.Method(), path)
}

// maxUploadBody bounds a whole upload: the files of a case at most, plus
// its text and the multipart framing.
func maxUploadBody(l evidence.Limits) int64 {
	return l.MaxCaseBytes + uploadTextBytes + int64(l.MaxFiles+maxUploadParts)*1024
}

// readBody is the body guard (see the top of this file).
func (w *Web) readBody(c *fiber.Ctx) error {
	req := c.Request()
	if !req.IsBodyStream() {
		return c.Next()
	}
	if w.streamsUpload(&req.Header) {
		// A declared length over the limit was refused before routing
		// (Finish); a chunked upload is counted as it is read. Whatever
		// of the body was not read would be taken for the next request on
		// the connection: unless the upload was read to its end, the
		// connection closes after the answer.
		err := c.Next()
		if u := UploadsOf(c); u == nil || !u.drained {
			c.Context().SetConnectionClose()
		}
		return err
	}
	switch n := req.Header.ContentLength(); {
	case n > MaxBodyBytes:
		// Refused before routing (Finish); here only if a test calls the
		// app directly.
		c.Context().SetConnectionClose()
		return fiber.ErrRequestEntityTooLarge
	case n >= 0:
		// Known and within the limit: fasthttp reads it into its pooled
		// buffer, as it did before streaming.
		req.Body()
		return c.Next()
	}
	// Chunked: read at most one byte beyond the limit.
	body, err := io.ReadAll(io.LimitReader(req.BodyStream(), MaxBodyBytes+1))
	switch {
	case len(body) > MaxBodyBytes:
		c.Context().SetConnectionClose()
		return fiber.ErrRequestEntityTooLarge
	case err != nil:
		c.Context().SetConnectionClose()
		return errBrokenUpload
	}
	req.SetBodyRaw(body)
	return c.Next()
}

var errBrokenUpload = NewHTTPError(fiber.StatusBadRequest, "提交不完整",
	"提交的内容没有完整送达，可能是网络中断。请检查网络后重新提交。")

// Uploads is what the upload middleware read from a multipart body: the
// files it stored, or why it stored none.
type Uploads struct {
	// Files are the stored uploads, in the order sent. They belong to no
	// case yet: a handler takes them with Claim and gives them to the
	// write that records them; those it does not claim are deleted when
	// the request ends.
	Files []store.Attachment
	// Err is why none of the files were kept: EINVALID with the sentence
	// naming the file or the limit, EUNAVAILABLE while files cannot be
	// stored. The form's text was still read.
	Err error
	// Count is how many files were sent.
	Count   int
	claimed bool
	drained bool // the body was read to its end
}

// Claim hands the stored files to the caller, which must give them to a
// write (that records them or discards them); they are no longer deleted
// when the request ends.
func (u *Uploads) Claim() []store.Attachment {
	if u == nil {
		return nil
	}
	u.claimed = true
	return u.Files
}

const uploadsKey = "fundwatch.uploads"

// UploadsOf returns what the upload middleware read, or nil when the
// request carried no multipart body.
func UploadsOf(c *fiber.Ctx) *Uploads {
	u, _ := c.Locals(uploadsKey).(*Uploads)
	return u
}

// Uploads declares a route that takes files and returns its middleware,
// which goes before the route's CSRF check. For a multipart/form-data body
// it reads the parts in order: each file (a part named FilesField) is
// checked and stored as it arrives (files.StoreUpload); the other parts
// become the request's url-encoded form, so the CSRF check and the handler
// read them with PostArgs as from any form. Any other body passes through
// as the body guard read it.
//
// A file that is refused, or a limit passed, stops the storing: what was
// stored is deleted, the rest of the body is still read (so the form comes
// back filled in), and Uploads.Err says why. A body that breaks off is 400.
func (w *Web) Uploads(method, pattern string, files UploadStore) fiber.Handler {
	w.uploadRoutes = append(w.uploadRoutes, uploadRoute{method, strings.Split(strings.Trim(pattern, "/"), "/")})
	w.uploads = files
	return func(c *fiber.Ctx) error {
		if !IsMultipart(c.Request().Header.ContentType()) {
			return c.Next()
		}
		up := &Uploads{}
		c.Locals(uploadsKey, up)
		defer func() {
			if !up.claimed && len(up.Files) > 0 {
				files.DiscardUploads(c.UserContext(), up.Files)
			}
		}()
		if err := w.readUpload(c, files, up); err != nil {
			c.Context().SetConnectionClose()
			return err
		}
		return c.Next()
	}
}

// partReader remembers how the body failed, to tell a broken upload from a
// file the store refused or could not keep.
type partReader struct {
	r   io.Reader
	n   int64
	max int64
	err error
}

var errUploadTooBig = errors.New("web: upload over its limit")

func (p *partReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if p.n > p.max {
		p.err = errUploadTooBig
		return n, p.err
	}
	if err != nil && err != io.EOF {
		p.err = err
	}
	return n, err
}

func (w *Web) readUpload(c *fiber.Ctx, files UploadStore, up *Uploads) error {
	req := c.Request()
	boundary := string(req.Header.MultipartFormBoundary())
	if boundary == "" {
		return NewHTTPError(fiber.StatusBadRequest, "请求无法处理", "上传的内容格式不正确，请从页面上的表单重新提交。")
	}
	limits := files.EvidenceLimits()
	var src io.Reader
	if req.IsBodyStream() {
		src = req.BodyStream()
	} else {
		src = bytes.NewReader(req.Body())
	}
	body := &partReader{r: src, max: maxUploadBody(limits)}
	mr := multipart.NewReader(body, boundary)
	form := fasthttp.AcquireArgs()
	defer fasthttp.ReleaseArgs(form)
	ctx := c.UserContext()
	var text, total int64
	fail := func(err error) {
		if up.Err == nil {
			up.Err = err
			files.DiscardUploads(ctx, up.Files)
			up.Files = nil
		}
	}
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return w.uploadReadError(body)
		}
		if parts >= maxUploadParts {
			return fiber.ErrRequestEntityTooLarge
		}
		name := p.FormName()
		if name != FilesField {
			if name == "" {
				_, err = io.Copy(io.Discard, p)
			} else {
				var v []byte
				v, err = io.ReadAll(io.LimitReader(p, uploadTextBytes-text+1))
				text += int64(len(v))
				if text > uploadTextBytes {
					return fiber.ErrRequestEntityTooLarge
				}
				form.AddBytesV(name, v)
			}
			if err != nil {
				return w.uploadReadError(body)
			}
			continue
		}
		// What the part fails with is the body breaking off or its framing
		// being wrong, never the file's fault.
		part := &partReader{r: p, max: 1 << 62}
		fileName := p.FileName()
		var in io.Reader = part
		if fileName == "" {
			// A file field left empty still sends a part, with no name and
			// no content; anything else without a name is still a file.
			var first [1]byte
			n, _ := io.ReadFull(part, first[:])
			if n == 0 {
				if body.err != nil || part.err != nil {
					return w.uploadReadError(body)
				}
				continue
			}
			fileName = "未命名文件"
			in = io.MultiReader(bytes.NewReader(first[:n]), part)
		}
		err = w.storeOne(ctx, files, up, fileName, in, limits, &total, fail)
		if err == nil {
			_, err = io.Copy(io.Discard, part)
		}
		switch {
		case body.err != nil || part.err != nil:
			return w.uploadReadError(body)
		case err != nil:
			return err
		}
	}
	// After the closing boundary a client may send an epilogue (Go's
	// writer ends with a line break): read it, within reason, so the
	// connection can carry the next request.
	if n, err := io.Copy(io.Discard, io.LimitReader(body, 64<<10+1)); err == nil && n <= 64<<10 && body.err == nil {
		up.drained = true
	}
	if up.Count > limits.MaxFiles {
		fail(store.Errorf(store.EINVALID, "一次最多上传 %d 个文件，您选择了 %d 个。请减少文件后再提交。", limits.MaxFiles, up.Count))
	}
	req.Header.SetContentType(fiber.MIMEApplicationForm)
	encoded := form.QueryString()
	req.SetBodyRaw(append([]byte(nil), encoded...))
	req.Header.SetContentLength(len(encoded))
	return nil
}

// storeOne stores one file part unless the upload has already failed or
// passed a limit; the error it returns is the store failing, not the file.
func (w *Web) storeOne(ctx context.Context, files UploadStore, up *Uploads, name string, r io.Reader,
	limits evidence.Limits, total *int64, fail func(error)) error {
	up.Count++
	if up.Err != nil || up.Count > limits.MaxFiles {
		return nil
	}
	a, err := files.StoreUpload(ctx, name, r, limits.MaxFileBytes)
	switch store.ErrorCode(err) {
	case "":
	case store.EINVALID, store.EUNAVAILABLE:
		fail(err)
		return nil
	default:
		return err
	}
	up.Files = append(up.Files, a)
	*total += a.Size
	if *total > limits.MaxCaseBytes {
		fail(store.Errorf(store.EINVALID, "文件合计不能超过 %s，请减少文件后再提交。", evidence.SizeText(limits.MaxCaseBytes)))
	}
	return nil
}

func (w *Web) uploadReadError(body *partReader) error {
	if body.err == errUploadTooBig {
		return fiber.ErrRequestEntityTooLarge
	}
	return errBrokenUpload
}

// SendFile answers with a stored evidence file: always as an attachment
// under its safe name, with the type its content was checked to be, never
// sniffed, never cached, and sandboxed should a browser render it anyway.
// rc is closed once sent. The public site and admin both serve files so.
func SendFile(c *fiber.Ctx, f *store.Attachment, rc io.ReadCloser) error {
	mime := "application/octet-stream"
	if t, ok := evidence.TypeByMIME(f.Type); ok {
		mime = t.MIME
	}
	c.Set(fiber.HeaderContentType, mime)
	c.Set(fiber.HeaderContentDisposition, evidence.ContentDisposition(f.Name))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderContentSecurityPolicy, "sandbox; default-src 'none'")
	c.Set(fiber.HeaderCrossOriginResourcePolicy, "same-origin")
	c.Context().SetBodyStream(rc, int(f.Size))
	return nil
}
