package handlers

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"fundwatch/handlers/web"
	"fundwatch/store"
)

// The report and follow-up forms, as GET shows them, are the same for every
// visitor but for what is the visitor's own: the CSRF token (masked afresh
// in every response and tied to the visitor's cookie), on the report form
// the idempotency token of the submission, and the request id should a
// template show it. Executing the report form's template was nine tenths of
// its time (docs/load.md, issue 11). So each form is rendered once per text
// size, variant and day (the report form's date fields end today) with
// stand-ins — random strings made at start, in the same characters as the
// tokens, so the template escapes them as it would the tokens — in their
// place, split at the stand-ins, and filled in per request. Every response
// carries tokens of its own; nothing of one request is kept for another.
// The pages stay no-store. Their gzip is put together per response from
// parts compressed once, with the tokens stored uncompressed between them
// (web.SplicedPage); brotli, for the clients that prefer it, is made per
// response as before (web/compress.go says why both are safe for them).
type formPages struct {
	// standIns are what the kept pages hold in place of each hole.
	standIns [formHoles]string

	mu    sync.Mutex
	day   int // the CST day the kept pages were rendered on, as yyyymmdd
	pages map[formKey]*formPage
}

// formHole is one per-request value of a form page.
type formHole uint8

const (
	holeCSRF formHole = iota
	holeIdem
	holeRequestID
	formHoles
)

// formKey is what a kept form page depends on besides the day.
type formKey struct {
	name    string
	large   bool // 大字版
	expired bool // the follow-up form's note that the session ended
}

// formPage is a rendered form, split at its holes: part 0, holes[0],
// part 1, … part len(holes); the parts are kept compressed too.
type formPage struct {
	page  *web.SplicedPage
	holes []formHole
}

func newFormPages() *formPages {
	fp := &formPages{pages: map[formKey]*formPage{}}
	for i := range fp.standIns {
		var b [16]byte
		_, _ = rand.Read(b[:])
		// Lower-case letters and digits, as the tokens are: hex for the
		// CSRF token and the request id, base32 for the idempotency
		// token (store.NewID).
		fp.standIns[i] = "fwhole" + hex.EncodeToString(b[:])
	}
	return fp
}

// split cuts a page rendered with the stand-ins at each of them.
func (fp *formPages) split(page []byte) *formPage {
	out := &formPage{}
	var parts [][]byte
	for {
		at, hole := -1, formHole(0)
		for h, s := range fp.standIns {
			if i := bytes.Index(page, []byte(s)); i >= 0 && (at < 0 || i < at) {
				at, hole = i, formHole(h)
			}
		}
		if at < 0 {
			out.page = web.NewSplicedPage(append(parts, page))
			return out
		}
		parts = append(parts, page[:at])
		out.holes = append(out.holes, hole)
		page = page[at+len(fp.standIns[hole]):]
	}
}

// values are the values of p's holes, in order.
func (p *formPage) values(of [formHoles]string) []string {
	out := make([]string, len(p.holes))
	for i, h := range p.holes {
		out[i] = of[h]
	}
	return out
}

// keptForm returns the kept page of key, rendering it with data on the first
// request of the day.
func (h *Handler) keptForm(c *fiber.Ctx, key formKey, data func() fiber.Map) (*formPage, error) {
	fp := h.forms
	t := h.now().In(store.CST)
	y, m, d := t.Date()
	day := y*10000 + int(m)*100 + d
	fp.mu.Lock()
	if fp.day != day {
		fp.day = day
		clear(fp.pages)
	}
	p := fp.pages[key]
	fp.mu.Unlock()
	if p != nil {
		return p, nil
	}
	view := data()
	view["CSRF"] = fp.standIns[holeCSRF]
	view["RequestID"] = fp.standIns[holeRequestID]
	h.baseData(c, key.name, view)
	page, err := h.pages.RenderBytes(key.name, view)
	if err != nil {
		return nil, err
	}
	p = fp.split(page)
	fp.mu.Lock()
	if fp.day == day {
		fp.pages[key] = p
	}
	fp.mu.Unlock()
	return p, nil
}

// serveForm answers a GET of a form page: the kept page of key with this
// visitor's CSRF token (setting the cookie it is tied to when there is
// none), a fresh idempotency token and this request's id, as renderPage
// would have rendered it.
func (h *Handler) serveForm(c *fiber.Ctx, key formKey, data func() fiber.Map) error {
	p, err := h.keptForm(c, key, data)
	if err != nil {
		return err
	}
	var values [formHoles]string
	values[holeCSRF] = h.formToken(c)
	values[holeRequestID] = web.RequestID(c)
	for _, hole := range p.holes {
		if hole == holeIdem {
			values[holeIdem] = web.NewToken()
			break
		}
	}
	c.Status(fiber.StatusOK)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Vary(fiber.HeaderCookie)
	if publicPages[key.name].compressGET {
		h.Web.SendSpliced(c, p.page, p.values(values))
	} else {
		c.Response().SetBodyRaw(p.page.Body(p.values(values)))
	}
	return nil
}

// formBack is the page a form comes back to after switching the text
// size: its own path (and the follow-up form's note), never what else the
// query held.
func formBack(key formKey) string {
	var b strings.Builder
	b.WriteString("/" + key.name)
	if key.expired {
		b.WriteString("?expired=1")
	}
	return b.String()
}
