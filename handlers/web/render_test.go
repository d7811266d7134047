package web

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// TestARenderedPageKeepsItsBody: a page is rendered into a pooled buffer;
// the answer must not share it, or the next page rendered (another user's)
// overwrites the first before fasthttp writes it.
func TestARenderedPageKeepsItsBody(t *testing.T) {
	fsys := fstest.MapFS{
		"layouts/main.html": {Data: []byte(`<main>{{embed}}</main>`)},
		"page.html":         {Data: []byte(`{{.}}`)},
	}
	r, err := NewRenderer(fsys, "layouts/main", nil)
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	first := app.AcquireCtx(&fasthttp.RequestCtx{})
	defer app.ReleaseCtx(first)
	if err := r.Render(first, fiber.StatusOK, "page", strings.Repeat("甲", 100)); err != nil {
		t.Fatal(err)
	}
	want := "<main>" + strings.Repeat("甲", 100) + "</main>"
	for range 10 {
		next := app.AcquireCtx(&fasthttp.RequestCtx{})
		if err := r.Render(next, fiber.StatusOK, "page", strings.Repeat("乙", 100)); err != nil {
			t.Fatal(err)
		}
		app.ReleaseCtx(next)
	}
	if got := string(first.Response().Body()); got != want {
		t.Errorf("the first answer changed after other pages were rendered:\n%.60s…", got)
	}
}
