package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Assets serve one site's embedded static files under a URL prefix, each
// named by a hash of its content ("site.css" is "/static/site.3f2a9c1b7d.css"),
// computed when the Assets are made. A page links the hashed name through
// the template function URL, so a new build changes the URL of every asset
// that changed, and a browser or proxy may keep each one for a year without
// asking again ("immutable"). An unhashed name, or the hash of another build,
// still answers — old pages in caches, a rolling deployment where the
// previous instance gets the new name — with the current content for five
// minutes only, so nothing wrong is kept for long.
//
// Files are read, hashed and compressed (brotli and gzip, at the best
// levels) once; a request only picks bytes from memory, GET and HEAD alike,
// and a name is looked up in a map, never on a file system, so no path can
// leave the tree.
//
// A large file may come with its compressed forms made at build time
// (cmd/precompress writes "x.js.br" and "x.js.gz" beside "x.js"): brotli at
// its best level takes seconds of CPU for the vendored ECharts, which every
// start would otherwise pay before it can answer. Such a sibling is used only
// if it decodes to exactly the file's bytes — a stale one is an error at
// start, never wrong bytes served — and is not served under a name of its
// own.
type Assets struct {
	prefix string
	byName map[string]*asset // "site.css"
	byHash map[string]*asset // "site.3f2a9c1b7d.css"
}

type asset struct {
	url         string
	hash        string
	contentType string
	identity    []byte
	gzip, br    []byte // nil when not worth it
}

// assetHashLen is how many hex digits of the SHA-256 name an asset: 40 bits,
// plenty to tell the builds of one file apart.
const assetHashLen = 10

// Cache lifetimes of assets under their current hashed name and under any
// other.
const (
	immutableCacheControl = "public, max-age=31536000, immutable"
	unhashedCacheControl  = "public, max-age=300"
)

// NewAssets reads every file of fsys, to be served under prefix (e.g.
// "/static").
func NewAssets(prefix string, fsys fs.FS) (*Assets, error) {
	a := &Assets{prefix: strings.TrimSuffix(prefix, "/"), byName: map[string]*asset{}, byHash: map[string]*asset{}}
	files := map[string]bool{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files[name] = true
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("web: read assets for %s: %w", prefix, err)
	}
	err = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if isPrecompressedSibling(name, files) {
			return nil
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		as := &asset{
			hash:        hex.EncodeToString(sum[:])[:assetHashLen],
			contentType: assetContentType(name),
			identity:    body,
		}
		hashed := hashedName(name, as.hash)
		as.url = a.prefix + "/" + hashed
		if compressibleType([]byte(as.contentType)) {
			gz, br, found, err := precompressed(fsys, name, body, files)
			if err != nil {
				return err
			}
			if found {
				as.gzip, as.br = gz, br
			} else {
				as.gzip, as.br = compressedAsset(sum, body)
			}
		}
		a.byName[name] = as
		a.byHash[hashed] = as
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: read assets for %s: %w", prefix, err)
	}
	return a, nil
}

// URL is the hashed URL of the asset name ("site.css"), for templates. An
// unknown name is an error, so a typo fails the page's render (and its
// test) instead of linking nothing.
func (a *Assets) URL(name string) (string, error) {
	as := a.byName[name]
	if as == nil {
		return "", fmt.Errorf("web: no asset %q under %s", name, a.prefix)
	}
	return as.url, nil
}

// Serve answers GET and HEAD of prefix + "/*". Mount it with app.Get, which
// registers HEAD too.
func (a *Assets) Serve(c *fiber.Ctx) error {
	name := c.Params("*")
	as, current := a.byHash[name]
	if !current {
		as = a.byName[name]
		if as == nil {
			if base, ok := stripAssetHash(name); ok {
				as = a.byName[base]
			}
		}
		if as == nil {
			return fiber.ErrNotFound
		}
	}
	c.Set(fiber.HeaderContentType, as.contentType)
	if current {
		c.Set(fiber.HeaderCacheControl, immutableCacheControl)
	} else {
		c.Set(fiber.HeaderCacheControl, unhashedCacheControl)
	}
	body, enc := as.identity, ""
	if as.gzip != nil || as.br != nil {
		addVary(c, fiber.HeaderAcceptEncoding)
		switch preferredEncoding(c.Get(fiber.HeaderAcceptEncoding), as.br != nil, as.gzip != nil, "br") {
		case "br":
			body, enc = as.br, "br"
		case "gzip":
			body, enc = as.gzip, "gzip"
		}
	}
	// A strong validator per encoding: each names exact bytes.
	etag := `"` + as.hash + `"`
	if enc != "" {
		etag = `"` + as.hash + "-" + enc + `"`
		c.Set(fiber.HeaderContentEncoding, enc)
	}
	c.Set(fiber.HeaderETag, etag)
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), etag) {
		c.Status(fiber.StatusNotModified)
		return nil
	}
	// The bytes are shared by every request and never changed: the
	// compression middleware skips a response with a Content-Encoding, and
	// no other code touches an asset's body.
	c.Response().SetBodyRaw(body)
	return nil
}

// compressedAssets keeps the compressed forms of every asset body compressed
// in this process, by the body's SHA-256. Brotli at its best level takes
// about two seconds for the vendored ECharts (715 KB): paid once per
// process, not once per Assets — every handler test builds its own app, and
// the embedded files are the same each time. It only ever holds the
// compressed forms of files embedded in the binary, so it is bounded by
// them; the bytes of equal bodies are equal, so sharing them is safe.
var compressedAssets sync.Map // [32]byte → *compressedBody

type compressedBody struct {
	once     sync.Once
	gzip, br []byte
}

// compressedAsset returns body compressed with gzip and brotli at their
// best levels, each nil when it is not smaller than body.
func compressedAsset(sum [32]byte, body []byte) (gz, br []byte) {
	v, _ := compressedAssets.LoadOrStore(sum, &compressedBody{})
	cb := v.(*compressedBody)
	cb.once.Do(func() {
		if gz := fasthttp.AppendGzipBytesLevel(nil, body, fasthttp.CompressBestCompression); len(gz) < len(body) {
			cb.gzip = gz
		}
		if br := fasthttp.AppendBrotliBytesLevel(nil, body, fasthttp.CompressBrotliBestCompression); len(br) < len(body) {
			cb.br = br
		}
	})
	return cb.gzip, cb.br
}

// Suffixes of the compressed forms made at build time (cmd/precompress).
const (
	precompressedGzip   = ".gz"
	precompressedBrotli = ".br"
)

// isPrecompressedSibling reports whether name is the build-time compressed
// form of another file of the tree ("x.js.br" beside "x.js").
func isPrecompressedSibling(name string, files map[string]bool) bool {
	for _, suffix := range []string{precompressedGzip, precompressedBrotli} {
		if base, ok := strings.CutSuffix(name, suffix); ok && files[base] {
			return true
		}
	}
	return false
}

// precompressed returns name's build-time compressed siblings, each nil
// when missing or not smaller than body, and whether there was any. Each
// sibling must decode to body: one left over from an older version of the
// file is an error, so a rebuild that forgot to run cmd/precompress fails at
// start (and in every test that builds the site) instead of serving the old
// script to the browsers that ask for brotli.
func precompressed(fsys fs.FS, name string, body []byte, files map[string]bool) (gz, br []byte, found bool, err error) {
	for _, suffix := range []string{precompressedGzip, precompressedBrotli} {
		if !files[name+suffix] {
			continue
		}
		found = true
		packed, err := fs.ReadFile(fsys, name+suffix)
		if err != nil {
			return nil, nil, false, err
		}
		var plain []byte
		if suffix == precompressedGzip {
			plain, err = fasthttp.AppendGunzipBytes(nil, packed)
		} else {
			plain, err = fasthttp.AppendUnbrotliBytes(nil, packed)
		}
		if err != nil || !bytes.Equal(plain, body) {
			return nil, nil, false, fmt.Errorf("web: %s%s does not decode to %s (run go generate ./public/ after changing it): %v", name, suffix, name, err)
		}
		if len(packed) >= len(body) {
			continue
		}
		if suffix == precompressedGzip {
			gz = packed
		} else {
			br = packed
		}
	}
	return gz, br, found, nil
}

// hashedName puts hash before the extension: "css/site.css" →
// "css/site.3f2a9c1b7d.css"; "LICENSE" → "LICENSE.3f2a9c1b7d".
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// stripAssetHash undoes hashedName for any hash, current or not.
func stripAssetHash(name string) (string, bool) {
	dir, file := path.Split(name)
	parts := strings.Split(file, ".")
	for i := len(parts) - 1; i >= 1 && i >= len(parts)-2; i-- {
		if isAssetHash(parts[i]) {
			return dir + strings.Join(append(parts[:i:i], parts[i+1:]...), "."), true
		}
	}
	return "", false
}

func isAssetHash(s string) bool {
	if len(s) != assetHashLen {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// assetContentType names the types of the portal's assets itself, so the
// answer does not depend on the host's /etc/mime.types.
func assetContentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".json":
		return "application/json; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	case ".woff2":
		return "font/woff2"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
