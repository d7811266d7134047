// Package public holds the public site's templates and static assets, embedded
// into the binary so the portal needs nothing on disk and nothing from the
// internet.
package public

import (
	"embed"
	"io/fs"
)

//go:embed templates
var templates embed.FS

// The vendored ECharts is compressed at build time (brotli at its best level
// takes seconds of CPU, which every start would pay); handlers/web.NewAssets
// refuses a compressed form that does not decode to the file.
//go:generate go run ../cmd/precompress static/vendor/echarts/echarts.common.min.js

//go:embed static
var static embed.FS

// Templates is the tree of page templates (layouts/main.html wraps each page).
var Templates = mustSub(templates, "templates")

// Static is the tree of CSS, scripts and images served under /static/.
var Static = mustSub(static, "static")

func mustSub(f embed.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}
