// Package meili is the Meilisearch engine of search.Index (Meilisearch
// v1.10 or later: it needs localizedAttributes and search locales).
//
// Text is searched through the units search.Units reads (see document.go),
// so Meilisearch finds what the reference reading finds; filters are built
// from fixed field names and quoted values (filter.go); the settings are
// compared at Open and only what differs is changed (settings.go). Every
// write waits for its task, so a Put that returned nil is searchable.
package meili

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"fundwatch/search"
)

// Config says where the Meilisearch server is.
type Config struct {
	URL    string // e.g. http://127.0.0.1:7700
	APIKey string // a key allowed to manage the indexes; "" for a server without a master key
	// IndexPrefix is put before the index name to make the index uid
	// ("fundwatch_public"); DefaultIndexPrefix when "".
	IndexPrefix string
	// Timeout bounds each HTTP request; DefaultTimeout when 0. A write also
	// polls its task until its context ends.
	Timeout time.Duration
}

// Defaults of Config.
const (
	DefaultIndexPrefix = "fundwatch_"
	DefaultTimeout     = 10 * time.Second
)

// taskPoll is how often a task is polled while waiting for it.
const taskPoll = 50 * time.Millisecond

// uidPattern is what Meilisearch accepts as an index uid; the same rule
// holds for document ids (and at most 511 bytes).
var uidPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Index is one Meilisearch index. It implements search.Index.
type Index struct {
	cfg    Config
	name   string
	uid    string
	client meilisearch.ServiceManager
	index  meilisearch.IndexManager
	closed atomic.Bool
}

var _ search.Index = (*Index)(nil)

// Open connects to the server, creates the index name (search.IndexPublic
// or search.IndexCases) if it is missing, with primary key "id", and
// brings its settings to this package's, waiting for every task. An
// unreachable server gives an error wrapping search.ErrUnavailable.
func Open(ctx context.Context, cfg Config, name string) (*Index, error) {
	ix, err := newIndex(cfg, name)
	if err != nil {
		return nil, err
	}
	if err := ix.ensureIndex(ctx); err != nil {
		ix.client.Close()
		return nil, err
	}
	if err := ix.applySettings(ctx); err != nil {
		ix.client.Close()
		return nil, err
	}
	return ix, nil
}

// Drop deletes the index name from the server with everything in it,
// waiting for the task; a missing index is not an error. Tests clean up
// with it; fundwatch never calls it.
func Drop(ctx context.Context, cfg Config, name string) error {
	ix, err := newIndex(cfg, name)
	if err != nil {
		return err
	}
	defer ix.client.Close()
	info, err := ix.client.DeleteIndex(ctx, ix.uid)
	if err != nil {
		return ix.fail("delete index", err)
	}
	err = ix.wait(ctx, info)
	if code := taskErrorCode(err); code == meilisearch.APIErrCodeIndexNotFound {
		return nil
	}
	return err
}

func newIndex(cfg Config, name string) (*Index, error) {
	if name != search.IndexPublic && name != search.IndexCases {
		return nil, fmt.Errorf("search/meili: unknown index %q", name)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("search/meili: the URL %q is not an http(s) address", cfg.URL)
	}
	if cfg.IndexPrefix == "" {
		cfg.IndexPrefix = DefaultIndexPrefix
	}
	if !uidPattern.MatchString(cfg.IndexPrefix) {
		return nil, fmt.Errorf("search/meili: the index prefix %q may hold only letters, digits, - and _", cfg.IndexPrefix)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	// Requests are not retried here: a search fails fast (the page says
	// search is unavailable) and the sync loop retries writes.
	client := meilisearch.New(cfg.URL,
		meilisearch.WithAPIKey(cfg.APIKey),
		meilisearch.WithCustomClient(&http.Client{Timeout: cfg.Timeout, Transport: http.DefaultTransport.(*http.Transport).Clone()}),
		meilisearch.DisableRetries(),
	)
	uid := cfg.IndexPrefix + name
	return &Index{cfg: cfg, name: name, uid: uid, client: client, index: client.Index(uid)}, nil
}

// Config returns the configuration the index was opened with (defaults
// filled in), and Name its name: what a reopen needs.
func (ix *Index) Config() Config { return ix.cfg }

// Name returns the index name given to Open.
func (ix *Index) Name() string { return ix.name }

// UID returns the Meilisearch index uid.
func (ix *Index) UID() string { return ix.uid }

// ensureIndex creates the index if it does not exist. Another process
// creating it at the same time is not an error.
func (ix *Index) ensureIndex(ctx context.Context) error {
	info, err := ix.index.FetchInfo(ctx)
	if err == nil {
		if info.PrimaryKey != "" && info.PrimaryKey != fieldID {
			return fmt.Errorf("search/meili: index %s has primary key %q, not %q", ix.uid, info.PrimaryKey, fieldID)
		}
		return nil
	}
	if apiErrorCode(err) != meilisearch.APIErrCodeIndexNotFound {
		return ix.fail("read index", err)
	}
	task, err := ix.client.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: ix.uid, PrimaryKey: fieldID})
	if err != nil {
		return ix.fail("create index", err)
	}
	err = ix.wait(ctx, task)
	if taskErrorCode(err) == meilisearch.APIErrCodeIndexAlreadyExists {
		return nil
	}
	return err
}

// Put adds or replaces docs and waits until Meilisearch has indexed them.
// A failed task is an error: then none of docs was written (Meilisearch
// applies a batch whole or not at all).
func (ix *Index) Put(ctx context.Context, docs []search.Document) error {
	if err := ix.open(); err != nil {
		return err
	}
	if len(docs) == 0 {
		return nil
	}
	out := make([]document, len(docs))
	for i, d := range docs {
		if err := checkID(d.ID); err != nil {
			return err
		}
		out[i] = toDocument(d)
	}
	pk := fieldID
	info, err := ix.index.AddDocuments(ctx, out, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	if err != nil {
		return ix.fail("add documents", err)
	}
	return ix.wait(ctx, info)
}

// Delete removes the documents with these ids and waits for it.
func (ix *Index) Delete(ctx context.Context, ids []string) error {
	if err := ix.open(); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		if err := checkID(id); err != nil {
			return err
		}
	}
	info, err := ix.index.DeleteDocuments(ctx, ids, nil)
	if err != nil {
		return ix.fail("delete documents", err)
	}
	return ix.wait(ctx, info)
}

// checkID refuses an id Meilisearch would refuse (the whole batch's task
// would fail): store ids (26 base32 characters) always pass.
func checkID(id string) error {
	if len(id) > 511 || !uidPattern.MatchString(id) {
		return fmt.Errorf("search/meili: document id %q is not 1–511 letters, digits, - or _", id)
	}
	return nil
}

// facetFields are the facets a search asks for when its query wants them.
var facetFields = []string{fieldType, fieldYear}

// searchSort orders hits of equal relevance: newest first, then by id.
var searchSort = []string{fieldDate + ":desc", fieldID + ":asc"}

// Search runs q: its words, each a quoted phrase (see queryString), all
// required; its filters; the facets type and year; the page by
// search.Bounds. Titles and snippets are marked here from search's own
// reading of the words, over the escaped stored text.
func (ix *Index) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	if err := ix.open(); err != nil {
		return nil, err
	}
	if ix.name == search.IndexCases && len(q.RegionCodes) == 0 {
		return nil, search.ErrScopeRequired
	}
	words, err := search.ParseQuery(q.Text)
	if err != nil {
		return nil, err
	}
	req := searchRequest(words, q)
	raw, err := ix.index.SearchRaw(ctx, req.Query, req)
	if err != nil {
		return nil, ix.fail("search", err)
	}
	var resp searchResponse
	if err := json.Unmarshal(*raw, &resp); err != nil {
		return nil, fmt.Errorf("search/meili: read search response: %w", err)
	}
	return resp.result(words), nil
}

// searchRequest is the body of the search for words and q.
func searchRequest(words []search.Word, q search.Query) *meilisearch.SearchRequest {
	req := &meilisearch.SearchRequest{
		Query:            queryString(words),
		Locales:          slices.Clone(locales),
		MatchingStrategy: meilisearch.All,
		Sort:             slices.Clone(searchSort),
		ShowRankingScore: true,
	}
	if f := buildFilter(q); f != "" {
		req.Filter = f
	}
	if q.Facets {
		req.Facets = slices.Clone(facetFields)
	}
	offset, limit := search.Bounds(q.Offset, q.Limit)
	if limit == 0 {
		// Past the window: no hits, only the total and the facets. The
		// client leaves out a zero limit (Meilisearch would then return 20
		// hits), so ask for a page of zero hits instead.
		zero := int64(0)
		req.HitsPerPage = &zero
	} else {
		req.Offset, req.Limit = int64(offset), int64(limit)
	}
	return req
}

type searchResponse struct {
	Hits []struct {
		ID         string  `json:"id"`
		Type       string  `json:"type"`
		Title      string  `json:"title"`
		Body       string  `json:"body"`
		RegionCode string  `json:"regionCode"`
		Year       int     `json:"year"`
		Date       int64   `json:"date"`
		Score      float64 `json:"_rankingScore"`
	} `json:"hits"`
	// EstimatedTotalHits comes with offset/limit, TotalHits with
	// hitsPerPage; both count at most the pagination's maxTotalHits.
	EstimatedTotalHits *int                      `json:"estimatedTotalHits"`
	TotalHits          *int                      `json:"totalHits"`
	FacetDistribution  map[string]map[string]int `json:"facetDistribution"`
}

func (r *searchResponse) result(words []search.Word) *search.Result {
	res := &search.Result{Hits: make([]search.Hit, 0, len(r.Hits))}
	switch {
	case r.TotalHits != nil:
		res.Total = *r.TotalHits
	case r.EstimatedTotalHits != nil:
		res.Total = *r.EstimatedTotalHits
	}
	for _, h := range r.Hits {
		res.Hits = append(res.Hits, search.Hit{
			ID:          h.ID,
			Type:        h.Type,
			RegionCode:  h.RegionCode,
			Year:        h.Year,
			Date:        dateFromMillis(h.Date),
			Score:       h.Score,
			TitleHTML:   search.Mark(h.Title, highlightSpans(words, h.Title)),
			SnippetHTML: search.Snippet(h.Body, highlightSpans(words, h.Body)),
		})
	}
	res.Facets.Types = facetCounts(r.FacetDistribution[fieldType])
	res.Facets.Years = facetCounts(r.FacetDistribution[fieldYear])
	return res
}

// facetCounts sorts a facet's counts: the largest first, then by value.
func facetCounts(m map[string]int) []search.FacetCount {
	if len(m) == 0 {
		return nil
	}
	out := make([]search.FacetCount, 0, len(m))
	for v, n := range m {
		out = append(out, search.FacetCount{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b search.FacetCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		switch {
		case a.Value < b.Value:
			return -1
		case a.Value > b.Value:
			return 1
		}
		return 0
	})
	return out
}

// Count tells how many documents the index holds.
func (ix *Index) Count(ctx context.Context) (int64, error) {
	if err := ix.open(); err != nil {
		return 0, err
	}
	st, err := ix.index.GetStats(ctx, nil)
	if err != nil {
		return 0, ix.fail("read stats", err)
	}
	return st.NumberOfDocuments, nil
}

// Ping asks the server's health.
func (ix *Index) Ping(ctx context.Context) error {
	if err := ix.open(); err != nil {
		return err
	}
	h, err := ix.client.Health(ctx)
	if err != nil {
		return ix.fail("health", err)
	}
	if h.Status != "available" {
		return search.Unavailable(fmt.Errorf("search/meili: server status %q", h.Status))
	}
	return nil
}

// Close releases the client's connections; the index stays on the server.
// Every call after Close is an error.
func (ix *Index) Close() error {
	if ix.closed.Swap(true) {
		return nil
	}
	ix.client.Close()
	return nil
}

// ErrClosed is returned by the methods of a closed Index.
var ErrClosed = errors.New("search/meili: index closed")

func (ix *Index) open() error {
	if ix.closed.Load() {
		return ErrClosed
	}
	return nil
}

// wait waits for the task of info to finish; a failed or canceled task is
// an error of its own (a *TaskError), not an unavailable engine.
func (ix *Index) wait(ctx context.Context, info *meilisearch.TaskInfo) error {
	task, err := ix.client.WaitForTask(ctx, info.TaskUID, taskPoll)
	if err != nil {
		return ix.fail("wait for task "+strconv.FormatInt(info.TaskUID, 10), err)
	}
	if task.Status != meilisearch.TaskStatusSucceeded {
		return &TaskError{UID: info.TaskUID, Type: string(task.Type), Status: string(task.Status),
			Code: task.Error.Code, Message: task.Error.Message}
	}
	return nil
}

// TaskError is a Meilisearch task that failed or was canceled.
type TaskError struct {
	UID     int64
	Type    string
	Status  string
	Code    meilisearch.APIErrCode
	Message string
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("search/meili: task %d (%s) %s: %s (%s)", e.UID, e.Type, e.Status, e.Message, e.Code)
}

func taskErrorCode(err error) meilisearch.APIErrCode {
	var te *TaskError
	if errors.As(err, &te) {
		return te.Code
	}
	return ""
}

func apiErrorCode(err error) meilisearch.APIErrCode {
	var me *meilisearch.Error
	if errors.As(err, &me) {
		return me.APIError.Code
	}
	return ""
}

// fail names what failed and tells an engine that cannot serve (see
// unavailable) from an ordinary error (a request Meilisearch refused as
// invalid: a bug here, not an outage).
func (ix *Index) fail(what string, err error) error {
	err = fmt.Errorf("search/meili: %s on %s: %w", what, ix.uid, err)
	if unavailable(err) {
		return search.Unavailable(err)
	}
	return err
}

// unavailable tells the errors of an engine that cannot serve: no
// connection, a timeout (the request's or the context's deadline), a 5xx,
// a key refused (401, 403), too many requests (429), or the index gone
// (index_not_found). A cancelled context is the caller's doing, not an
// outage.
func unavailable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var me *meilisearch.Error
	if errors.As(err, &me) {
		switch me.ErrCode {
		case meilisearch.TimeoutError, meilisearch.CommunicationError, meilisearch.MaxRetriesExceeded:
			return true
		case meilisearch.APIError, meilisearch.APIErrorWithoutMessage:
			switch {
			case me.StatusCode >= 500,
				me.StatusCode == http.StatusUnauthorized,
				me.StatusCode == http.StatusForbidden,
				me.StatusCode == http.StatusTooManyRequests,
				me.APIError.Code == meilisearch.APIErrCodeIndexNotFound:
				return true
			}
			return false
		}
	}
	var ne net.Error
	return errors.As(err, &ne)
}
