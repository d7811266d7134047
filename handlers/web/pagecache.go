package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/valyala/fasthttp"
)

// PageCache keeps rendered public responses — the disclosure pages, their
// downloads, feeds and API answers — in memory, so a popular page costs a
// map lookup instead of store reads and a template. Everything in it is the
// same for everyone and holds nothing private (cache.go).
//
// What is published changes only when a publication is published, corrected
// or withdrawn. The one writer of publications calls Invalidate after each
// such step, which empties the cache. With several instances (MongoDB), each
// instance also runs Watch over the store's published stamp, which changes
// with every such step on any instance; when it changes, the instance
// empties its own cache, so another instance's publication is served within
// one poll interval.
//
// A response built while Invalidate runs is not kept: each entry is stored
// only if no invalidation happened since its build started (a generation
// count), so a page read from the store before a publication can never be
// cached after it.
//
// Each entry carries a weak ETag (a hash of its body) and a Last-Modified
// (when the cache was last emptied, which is after the last change of
// anything it shows), answers If-None-Match and If-Modified-Since with 304,
// and is compressed once, on first demand, with brotli and gzip.
type PageCache struct {
	clock       func() time.Time
	maxEntries  int
	maxBytes    int
	minCompress int
	// cacheControl is the Cache-Control of every answer: public, for
	// PublicMaxAge unless SetMaxAge said otherwise.
	cacheControl []byte

	mu      sync.Mutex
	gen     uint64
	since   time.Time // Last-Modified of what this generation renders
	entries map[string]*cachedResponse
	order   []string // keys in the order stored, for eviction
	size    int      // bytes of the identity bodies
}

// Bounds of a PageCache: past them the oldest entries go first. The keys
// of the public site are built from the parameters a page reads (never
// from the raw query string), and a response is kept only when those
// parameters named something published (anything else is redirected or
// refused, and such answers are not kept), so the keys kept are bounded by
// what is published; the bounds only stop a very large site from using
// more memory than this.
const (
	DefaultPageCacheEntries = 4000
	DefaultPageCacheBytes   = 64 << 20
)

// NewPageCache returns an empty cache; clock is the injected clock.
func NewPageCache(clock func() time.Time) *PageCache {
	if clock == nil {
		clock = time.Now
	}
	return &PageCache{
		clock: clock, maxEntries: DefaultPageCacheEntries, maxBytes: DefaultPageCacheBytes,
		minCompress:  defaultCompressMinBytes,
		cacheControl: publicCacheControl,
		since:        clock().UTC().Truncate(time.Second),
		entries:      map[string]*cachedResponse{},
	}
}

// SetBounds changes how many entries and bytes the cache keeps (tests).
func (pc *PageCache) SetBounds(entries, bytes int) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.maxEntries, pc.maxBytes = entries, bytes
	pc.evictLocked()
}

// SetMaxAge sets how long browsers and proxies may keep an answer of this
// cache before they revalidate it (PublicMaxAge unless set). Call it before
// the cache serves anything.
func (pc *PageCache) SetMaxAge(d time.Duration) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.cacheControl = []byte("public, max-age=" + strconv.Itoa(int(d/time.Second)))
}

// Invalidate empties the cache. The writer of publications calls it after
// every publication, correction and withdrawal; Watch calls it when
// another instance did one.
func (pc *PageCache) Invalidate() {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.gen++
	// Last-Modified has whole seconds: each generation gets a later one,
	// so a client holding a page of the last generation never gets a 304
	// for a page of this one.
	pc.since = pc.since.Add(time.Second)
	if now := pc.clock().UTC().Truncate(time.Second); now.After(pc.since) {
		pc.since = now
	}
	clear(pc.entries)
	pc.order = pc.order[:0]
	pc.size = 0
}

// Generation counts the invalidations so far: what was computed from the
// store under one generation is current until it changes (the home page
// keeps its latest publications by it).
func (pc *PageCache) Generation() uint64 {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.gen
}

// Len is how many responses the cache holds.
func (pc *PageCache) Len() int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return len(pc.entries)
}

// PublicMaxAge is how long a browser or proxy may keep a cached public
// response before revalidating it: short, so a correction reaches readers
// within a minute, and a revalidation is a 304 from memory.
const PublicMaxAge = time.Minute

// Serve answers c with the response cached under key, or runs build,
// which renders the response on c as any handler would (without caching
// headers), and keeps it when it is a 200 or a 410 (a tombstone) that sets
// no cookie. Any other status, and an error, is passed on as it is.
func (pc *PageCache) Serve(c *fiber.Ctx, key string, build func(*fiber.Ctx) error) error {
	pc.mu.Lock()
	e := pc.entries[key]
	gen, since, cc := pc.gen, pc.since, pc.cacheControl
	pc.mu.Unlock()
	if e != nil {
		e.write(c, pc.minCompress, cc)
		return nil
	}
	if err := build(c); err != nil {
		return err
	}
	resp := c.Response()
	if st := resp.StatusCode(); (st != fiber.StatusOK && st != fiber.StatusGone) || setsCookie(c) || resp.IsBodyStream() {
		return nil
	}
	e = newCachedResponse(resp, since)
	pc.put(key, gen, e)
	e.write(c, pc.minCompress, cc)
	return nil
}

func (pc *PageCache) put(key string, gen uint64, e *cachedResponse) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if gen != pc.gen || len(e.body) > pc.maxBytes/8 {
		return
	}
	key = strings.Clone(key) // it may point into a reused request buffer
	if old, ok := pc.entries[key]; ok {
		pc.size -= len(old.body)
	} else {
		pc.order = append(pc.order, key)
	}
	pc.entries[key] = e
	pc.size += len(e.body)
	pc.evictLocked()
}

func (pc *PageCache) evictLocked() {
	for len(pc.order) > 0 && (len(pc.entries) > pc.maxEntries || pc.size > pc.maxBytes) {
		key := pc.order[0]
		pc.order = pc.order[1:]
		if old, ok := pc.entries[key]; ok {
			pc.size -= len(old.body)
			delete(pc.entries, key)
		}
	}
}

// Watch asks stamp every interval until ctx ends, and empties the cache
// whenever the answer differs from the last one — the first answer too, so
// nothing cached before the watch began outlives a change it missed. A
// failing stamp is logged and changes nothing; the next poll tries again.
// cmd runs it in a goroutine with the store's published stamp.
func (pc *PageCache) Watch(ctx context.Context, interval time.Duration, stamp func(context.Context) (string, error), log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	last := ""
	for {
		last = pc.CheckStamp(ctx, last, stamp, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CheckStamp is one poll of Watch: it asks stamp, empties the cache when the
// answer is not last, and returns the answer to compare the next one with
// (last again when stamp failed).
func (pc *PageCache) CheckStamp(ctx context.Context, last string, stamp func(context.Context) (string, error), log *slog.Logger) string {
	s, err := stamp(ctx)
	if err != nil {
		if ctx.Err() == nil && log != nil {
			log.Warn("published stamp unavailable; the public cache keeps what it has", "error", err)
		}
		return last
	}
	if s != last || last == "" {
		pc.Invalidate()
	}
	return s
}

// cachedResponse is one kept response; its bytes are never changed once
// stored, so every request may send them as they are. Everything a hit
// sends is worked out when the entry is made: the header lines, ready to
// be set without being parsed or normalised again, the ETag, the
// Last-Modified date and the Vary line.
type cachedResponse struct {
	status       int
	header       []headerLine // Content-Type, Content-Disposition
	vary         []byte       // the kept Vary, with Accept-Encoding when compressible; nil when none was kept
	body         []byte
	etag         string
	etagBytes    []byte
	lastModified time.Time
	lastModHTTP  []byte // lastModified as an HTTP date
	compressible bool

	once     sync.Once
	gzip, br []byte // nil when not smaller
}

// headerLine is a response header in canonical form, for SetCanonical.
type headerLine struct{ key, value []byte }

// Header names and values every hit sets, in canonical form.
var (
	headerCacheControl  = []byte(fiber.HeaderCacheControl)
	headerLastModified  = []byte(fiber.HeaderLastModified)
	headerETag          = []byte(fiber.HeaderETag)
	headerVary          = []byte(fiber.HeaderVary)
	publicCacheControl  = []byte("public, max-age=" + strconv.Itoa(int(PublicMaxAge/time.Second)))
	cachedHeaderToKeep  = []string{fiber.HeaderContentType, fiber.HeaderContentDisposition}
	encodingBr, encodGz = []byte("br"), []byte("gzip")
)

// newCachedResponse keeps what resp says, to be sent again with
// Last-Modified since.
func newCachedResponse(resp *fasthttp.Response, since time.Time) *cachedResponse {
	e := &cachedResponse{
		status:       resp.StatusCode(),
		body:         bytes.Clone(resp.Body()),
		lastModified: since,
		lastModHTTP:  []byte(since.UTC().Format(http.TimeFormat)),
		compressible: cacheCompressible(resp.Header.ContentType()),
	}
	for _, h := range cachedHeaderToKeep {
		if v := resp.Header.Peek(h); len(v) > 0 {
			e.header = append(e.header, headerLine{[]byte(h), bytes.Clone(v)})
		}
	}
	if vary := string(resp.Header.Peek(fiber.HeaderVary)); vary != "" {
		if e.compressible && !varyHas(vary, fiber.HeaderAcceptEncoding) {
			vary += ", " + fiber.HeaderAcceptEncoding
		}
		e.vary = []byte(vary)
	}
	e.etag = bodyETag(e.body)
	e.etagBytes = []byte(e.etag)
	return e
}

func (e *cachedResponse) compressed(minBytes int) (gz, br []byte) {
	if !e.compressible || len(e.body) < minBytes {
		return nil, nil
	}
	e.once.Do(func() {
		if out := fasthttp.AppendGzipBytesLevel(nil, e.body, dynamicGzipLevel); len(out) < len(e.body) {
			e.gzip = out
		}
		if out := fasthttp.AppendBrotliBytesLevel(nil, e.body, dynamicBrotliLevel); len(out) < len(e.body) {
			e.br = out
		}
	})
	return e.gzip, e.br
}

// write sends the entry as the answer to c: its status, headers and body
// in the encoding the client prefers, or 304 when the client's copy is
// current.
func (e *cachedResponse) write(c *fiber.Ctx, minCompress int, cacheControl []byte) {
	resp := c.Response()
	resp.ResetBody()
	resp.Header.Del(fiber.HeaderContentEncoding)
	c.Status(e.status)
	for _, h := range e.header {
		resp.Header.SetCanonical(h.key, h.value)
	}
	resp.Header.SetCanonical(headerCacheControl, cacheControl)
	resp.Header.SetCanonical(headerLastModified, e.lastModHTTP)
	gz, br := e.compressed(minCompress)
	// A kept Vary replaces one set before, as the kept headers do; without
	// one, Accept-Encoding is added to whatever is there.
	switch {
	case e.vary != nil:
		resp.Header.SetCanonical(headerVary, e.vary)
	case e.compressible:
		addVary(c, fiber.HeaderAcceptEncoding)
	}
	if e.status == fiber.StatusOK {
		resp.Header.SetCanonical(headerETag, e.etagBytes)
		if get := c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead; get && e.notModified(c) {
			c.Status(fiber.StatusNotModified)
			return
		}
	}
	body := e.body
	switch preferredEncoding(requestHeader(c, fiber.HeaderAcceptEncoding), br != nil, gz != nil, "br") {
	case "br":
		body = br
		resp.Header.SetContentEncodingBytes(encodingBr)
	case "gzip":
		body = gz
		resp.Header.SetContentEncodingBytes(encodGz)
	}
	resp.SetBodyRaw(body)
}

// notModified applies If-None-Match, or without it If-Modified-Since
// (RFC 9110, 13.2.2).
func (e *cachedResponse) notModified(c *fiber.Ctx) bool {
	if inm := requestHeader(c, fiber.HeaderIfNoneMatch); inm != "" {
		return etagMatches(inm, e.etag)
	}
	ims := requestHeader(c, fiber.HeaderIfModifiedSince)
	if ims == "" {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !e.lastModified.Truncate(time.Second).After(t)
}

// cacheCompressible: the text types compressibleType names, and the
// downloads and feeds of the public site.
func cacheCompressible(ct []byte) bool {
	if compressibleType(ct) {
		return true
	}
	mt, _, _ := bytes.Cut(ct, []byte(";"))
	switch strings.ToLower(string(bytes.TrimSpace(mt))) {
	case "text/csv", "application/atom+xml", "application/xml":
		return true
	}
	return false
}

// requestHeader is a request header's value for reading during the
// request only: without the copy c.Get makes (the app is Immutable), a hit
// reads its three headers without allocating. Never keep it.
func requestHeader(c *fiber.Ctx, name string) string {
	return utils.UnsafeString(c.Request().Header.Peek(name))
}
