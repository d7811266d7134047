package admin

import (
	"embed"
	"io/fs"
)

//go:embed templates
var templatesFS embed.FS

//go:embed static
var staticFS embed.FS

// Templates and Static are the admin site's page templates and assets,
// embedded so the binary needs nothing on disk.
var (
	Templates = mustSub(templatesFS, "templates")
	Static    = mustSub(staticFS, "static")
)

func mustSub(f embed.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}
