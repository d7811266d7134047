package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"fundwatch/casework"
	"fundwatch/casework/evidence"
	"fundwatch/store"
)

// Renderer renders one site's templates inside its layout. Each site has its
// own, so two sites may both have an "error" page. Templates are parsed when
// the Renderer is made, so a broken template fails the boot, not a request.
type Renderer struct {
	engine *html.Engine
	layout string
}

// NewRenderer parses every .html file of fsys with funcs available; layout
// (e.g. "layouts/main") wraps each page through {{embed}}.
func NewRenderer(fsys fs.FS, layout string, funcs map[string]any) (*Renderer, error) {
	engine := html.NewFileSystem(http.FS(fsys), ".html")
	engine.AddFuncMap(funcs)
	if err := engine.Load(); err != nil {
		return nil, fmt.Errorf("web: load templates: %w", err)
	}
	return &Renderer{engine: engine, layout: layout}, nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Render writes the page name with data and status as the response. Nothing
// is sent if the template fails, so the error handler can still answer.
func (r *Renderer) Render(c *fiber.Ctx, status int, name string, data any) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := r.engine.Render(buf, name, data, r.layout); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	// SetBody copies. c.Send would keep buf itself as the body (fasthttp's
	// SetBodyRaw) while buf goes back to the pool: the next page rendered
	// into it, another user's perhaps, would overwrite this answer before
	// it is written.
	c.Response().SetBody(buf.Bytes())
	return nil
}

// RenderBytes renders the page name with data and returns it, for a page
// kept rendered (handlers' form pages) rather than sent.
func (r *Renderer) RenderBytes(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := r.engine.Render(&buf, name, data, r.layout); err != nil {
		return nil, fmt.Errorf("web: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// TemplateFuncs are the helpers every site's templates may call. They only
// format; no rule lives in a template.
func TemplateFuncs(regions *casework.Regions) map[string]any {
	return map[string]any{
		"kindLabel":          casework.KindLabel,
		"categoryLabel":      casework.CategoryLabel,
		"insuranceTypeLabel": casework.InsuranceTypeLabel,
		"channelLabel":       casework.ChannelLabel,
		"statusLabel":        casework.StatusLabel,
		"resultLabel":        casework.ResultLabel,
		"classLabel":         casework.ImportantClassLabel,
		"satisfactionLabel":  casework.SatisfactionLabel,
		"regionName":         regions.FullName,
		"yuan":               casework.FormatYuan,
		"cstTime":            func(t time.Time) string { return t.In(store.CST).Format("2006年01月02日 15:04") },
		"cstDate":            func(t time.Time) string { return t.In(store.CST).Format("2006年01月02日") },
		// deadlineDay names the last day of a deadline that ends at 24:00 CST.
		"deadlineDay": func(t time.Time) string {
			return t.Add(-time.Millisecond).In(store.CST).Format("2006年01月02日")
		},
		"isoTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"has": func(list []string, v string) bool {
			for _, s := range list {
				if s == v {
					return true
				}
			}
			return false
		},
		"paragraphs": Paragraphs,
		// idDocLabel names a reporter's identity document ("" is the
		// resident ID card of identities sealed before there was a choice).
		"idDocLabel":    casework.IDDocumentLabel,
		"contractLabel": casework.ContractLabel,
		"period":        OccurredPeriod,
		"fileSize":      evidence.SizeText,
		"fileType":      FileTypeLabel,
	}
}

// OccurredPeriod shows the period of a violation: "2024-01-01 至
// 2025-06-30", or "2024-01-01 起" when no end was given (it goes on, or the
// reporter knew one date), or "" when none was given.
func OccurredPeriod(from, to string) string {
	switch {
	case from == "":
		return ""
	case to == "":
		return from + " 起"
	}
	return from + " 至 " + to
}

// Paragraphs splits user text on blank lines into escaped paragraphs with line
// breaks. The text is escaped first; only our own <p> and <br> are added.
func Paragraphs(s string) template.HTML {
	var b strings.Builder
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		b.WriteString("<p>")
		lines := strings.Split(p, "\n")
		for i, l := range lines {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(template.HTMLEscapeString(l))
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}

// FileTypeLabel names an evidence file's checked type (“PDF 文档”).
func FileTypeLabel(mime string) string {
	if t, ok := evidence.TypeByMIME(mime); ok {
		return t.Label
	}
	return "文件"
}

// FilesAccept is the accept attribute of an upload field: the extensions
// and types a file picker offers (the server still checks the content).
func FilesAccept() string {
	var parts []string
	for _, t := range evidence.Types() {
		parts = append(parts, t.Ext)
		if t.Ext == ".jpg" {
			parts = append(parts, ".jpeg")
		}
		parts = append(parts, t.MIME)
	}
	return strings.Join(parts, ",")
}
