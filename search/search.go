// Package search is fundwatch's full-text search: the Index interface both
// engines implement (search/bleve, the embedded default, and search/meili),
// the documents they hold, the one way user text is read (text.go: NFKC,
// units, synonyms, amounts), the escaped-then-marked snippets (snippet.go),
// and the loop that feeds the indexes from the store (sync.go).
//
// Hits carry ids only as far as the callers are concerned: what a page shows
// is loaded back through the store with the caller's scope, so the store
// stays the authority on who may see what. The store never imports search.
//
// There are two indexes, each an Index of its own: the public one (published
// content: announcements, news, notices, fund reports, account notes) and
// the cases one (admin only). A case document holds what a handler needs to
// find a case and never anything of the reporter's identity.
package search

import (
	"context"
	"errors"
	"time"
)

// Index names: one directory (Bleve) or index uid (Meilisearch) each.
const (
	IndexPublic = "public"
	IndexCases  = "cases"
)

// Document types. The public ones are the store's publication kinds.
const (
	TypeAnnouncement = "announcement" // 重大违纪案件通报
	TypeNews         = "news"         // 新闻发布
	TypeNotice       = "notice"       // 听证会公告
	TypeFundReport   = "fund_report"  // 基金收支和结余
	TypeAccountNote  = "account_note" // 个人账户基金保值增值情况
	TypeCase         = "case"         // a complaint or report (cases index only)
)

// Document is one record as an index holds it. Title, Body and Extra are
// searched (Title weighs most); the other fields filter, facet and sort.
type Document struct {
	ID   string // the record's id in the store
	Type string // one of the Type* constants

	Title string // a publication's title; a case's number and reported party
	Body  string // a publication's text; a case's description
	// Extra is other text worth finding the record by, shown in no snippet
	// of its own: a publication's summary and region name, a case's
	// category, status, class, kind, insurance types and region names.
	Extra string

	RegionCode string    // the record's region (6-digit code)
	Year       int       // the year reported (fund tables), published or filed
	Date       time.Time // published at (publications) or filed at (cases); sorts ties

	// Case-only keywords, for the admin filters ("" on publications).
	Status   string
	Class    string
	Category string
	Kind     string

	// Version is the store record's version this document was built from.
	Version int64
}

// Query is one search. Text is what the user typed (see ParseQuery for how
// it is read); the other fields filter and combine with AND.
type Query struct {
	Text string

	Types []string // any of these types; empty does not filter
	// RegionCodes keeps documents whose RegionCode is one of these: the
	// caller's scope on the cases index (built on the server, never from
	// the request), a chosen region and its descendants on the public one.
	// Empty does not filter (public index only; the cases index refuses it).
	RegionCodes []string
	Year        int // 0 does not filter
	Statuses    []string
	Class       string
	Category    string

	Offset, Limit int // see Bounds
	// Facets asks for Result.Facets; without it the engine does not count
	// the matches per type and year (on 100,000 cases that counting was
	// most of a search's time).
	Facets bool
}

// Page bounds: a Limit of 0 is DefaultLimit, above MaxLimit is MaxLimit; no
// engine pages past MaxWindow results (Meilisearch's default, and deep pages
// are of no use to a reader), so Offset+Limit is cut to it.
const (
	DefaultLimit = 10
	MaxLimit     = 50
	MaxWindow    = 1000
)

// Bounds applies the page rules above, so both engines page alike. An offset
// at or past the window gives a zero limit (an empty page with the total).
func Bounds(offset, limit int) (int, int) {
	switch {
	case limit <= 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	offset = max(offset, 0)
	if offset >= MaxWindow {
		return offset, 0
	}
	return offset, min(limit, MaxWindow-offset)
}

// Result is one page of hits, the best first (score, then the newest Date;
// hits equal in both come in an order of the engine's), with the number of matching documents in all and, when the
// query asked (Query.Facets), the counts per type and per year over all
// matches.
type Result struct {
	Total  int
	Hits   []Hit
	Facets Facets
}

// Facets counts the matches per value, the largest count first (then by
// value). Years are counted as decimal strings.
type Facets struct {
	Types []FacetCount
	Years []FacetCount
}

// FacetCount is one value of a facet and how many matches have it.
type FacetCount struct {
	Value string
	Count int
}

// Hit is one matching document. TitleHTML and SnippetHTML are safe HTML:
// the document's text escaped first, then the matched words wrapped in
// <mark>…</mark> (see Snippet); TitleHTML is the whole title, SnippetHTML a
// window of Body around the first match (its start when the words matched
// elsewhere; "" for an empty Body).
type Hit struct {
	ID          string
	Type        string
	RegionCode  string
	Year        int
	Date        time.Time
	Score       float64
	TitleHTML   string
	SnippetHTML string
}

// Index is one full-text index of one engine. Its methods are safe for
// concurrent use. Every method reports an engine that cannot be reached
// (down, timing out, refusing) as an error wrapping ErrUnavailable, so a
// caller can tell "search is down" from a bad query (a *QueryError).
type Index interface {
	// Put adds or replaces documents by ID, all of them or (on error) any
	// subset; putting the same documents again is harmless.
	Put(ctx context.Context, docs []Document) error
	// Delete removes documents by ID; a missing ID is not an error.
	Delete(ctx context.Context, ids []string) error
	// Search runs q. Its text must pass ParseQuery (a *QueryError
	// otherwise); on the cases index RegionCodes must not be empty.
	Search(ctx context.Context, q Query) (*Result, error)
	// Count tells how many documents the index holds.
	Count(ctx context.Context) (int64, error)
	// Ping tells whether the engine can serve requests.
	Ping(ctx context.Context) error
	// Close releases the index; the engine's data stays.
	Close() error
}

// ErrUnavailable is wrapped by every error of an engine that cannot serve:
// the pages say 搜索暂时不可用 and writes carry on (the sync loop retries).
var ErrUnavailable = errors.New("search: engine unavailable")

// Unavailable wraps err as an ErrUnavailable error.
func Unavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) {
		return err
	}
	return &unavailableError{err}
}

type unavailableError struct{ err error }

func (e *unavailableError) Error() string   { return "search unavailable: " + e.err.Error() }
func (e *unavailableError) Unwrap() []error { return []error{ErrUnavailable, e.err} }

// ErrScopeRequired is returned by a cases-index search without RegionCodes:
// every case search carries the user's scope.
var ErrScopeRequired = errors.New("search: a cases search needs the caller's region scope")
