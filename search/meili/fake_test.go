package meili

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeMeili is an httptest server that answers like Meilisearch v1.x for
// the routes this package uses (response shapes from the API reference and
// meilisearch-go's tests) and records every request. Tasks are enqueued
// and take effect when polled: each stays "enqueued", then "processing",
// for pollsPending polls, so a caller that does not wait sees nothing
// done. Searches are answered by the test's searchReply.
type fakeMeili struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	requests []fakeRequest
	indexes  map[string]*fakeIndex
	tasks    []*fakeTask
	// apiKey, when set, is required as a bearer token.
	apiKey string
	// failNext makes the next task of a type fail with this error.
	failNext map[string]fakeAPIError
	// searchReply answers a search; by default no hits.
	searchReply func(uid string, body map[string]any) any
	// override, when set, answers every request instead of the routes.
	override http.HandlerFunc
}

const pollsPending = 2

type fakeRequest struct {
	Method, Path, RawQuery, Auth string
	Body                         []byte
}

type fakeIndex struct {
	primaryKey string
	settings   map[string]any
	docs       map[string]map[string]any
}

type fakeTask struct {
	uid             int64
	indexUID, kind  string
	polls           int
	apply           func() *fakeAPIError
	status          string
	err             *fakeAPIError
	done            bool
	forcedFailure   *fakeAPIError
	enqueuedAtStamp string
}

type fakeAPIError struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Type    string `json:"type"`
	Link    string `json:"link"`
}

func apiErr(code, message string) fakeAPIError {
	typ := "invalid_request"
	if code == "internal" {
		typ = "internal"
	}
	return fakeAPIError{Message: message, Code: code, Type: typ, Link: "https://docs.meilisearch.com/errors#" + code}
}

func newFakeMeili(t *testing.T) *fakeMeili {
	t.Helper()
	f := &fakeMeili{t: t, indexes: map[string]*fakeIndex{}, failNext: map[string]fakeAPIError{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"status": "available"})
	})
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"commitSha": "b46889b5", "commitDate": "2025-06-01T00:00:00Z", "pkgVersion": "1.15.2"})
	})
	mux.HandleFunc("POST /indexes", f.createIndex)
	mux.HandleFunc("GET /indexes/{uid}", f.getIndex)
	mux.HandleFunc("DELETE /indexes/{uid}", f.deleteIndex)
	mux.HandleFunc("GET /indexes/{uid}/settings", f.getSettings)
	mux.HandleFunc("PATCH /indexes/{uid}/settings", f.patchSettings)
	mux.HandleFunc("DELETE /indexes/{uid}/settings/{name}", f.resetSetting)
	mux.HandleFunc("POST /indexes/{uid}/documents", f.addDocuments)
	mux.HandleFunc("POST /indexes/{uid}/documents/delete-batch", f.deleteDocuments)
	mux.HandleFunc("POST /indexes/{uid}/search", f.search)
	mux.HandleFunc("GET /indexes/{uid}/stats", f.stats)
	mux.HandleFunc("GET /tasks/{id}", f.getTask)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, fakeRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), body})
		override, key := f.override, f.apiKey
		f.mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		if override != nil {
			override(w, r)
			return
		}
		if key != "" && r.Header.Get("Authorization") != "Bearer "+key {
			e := apiErr("invalid_api_key", "The provided API key is invalid.")
			e.Type = "auth"
			reply(w, 403, e)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeMeili) setOverride(h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.override = h
}

// requestsTo returns the recorded requests with this method and path.
func (f *fakeMeili) requestsTo(method, path string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.requests {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeMeili) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// writes lists the recorded requests that are not GETs.
func (f *fakeMeili) writes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// enqueue records a task and answers 202 with its summary, as Meilisearch
// does for every asynchronous operation.
func (f *fakeMeili) enqueue(w http.ResponseWriter, uid, kind string, apply func() *fakeAPIError) {
	f.mu.Lock()
	task := &fakeTask{uid: int64(len(f.tasks)), indexUID: uid, kind: kind, apply: apply, status: "enqueued",
		enqueuedAtStamp: "2025-06-01T10:00:00.000000Z"}
	if e, ok := f.failNext[kind]; ok {
		delete(f.failNext, kind)
		task.forcedFailure = &e
	}
	f.tasks = append(f.tasks, task)
	f.mu.Unlock()
	reply(w, 202, map[string]any{
		"taskUid": task.uid, "indexUid": uid, "status": "enqueued", "type": kind, "enqueuedAt": task.enqueuedAtStamp,
	})
}

func (f *fakeMeili) getTask(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil || id < 0 || id >= len(f.tasks) {
		reply(w, 404, apiErr("task_not_found", fmt.Sprintf("Task `%s` not found.", r.PathValue("id"))))
		return
	}
	task := f.tasks[id]
	task.polls++
	switch {
	case task.done:
	case task.polls <= pollsPending:
		task.status = "processing"
		if task.polls == 1 {
			task.status = "enqueued"
		}
	default:
		task.done = true
		task.err = task.forcedFailure
		if task.err == nil {
			task.err = task.apply()
		}
		task.status = "succeeded"
		if task.err != nil {
			task.status = "failed"
		}
	}
	body := map[string]any{
		"uid": task.uid, "batchUid": task.uid, "indexUid": task.indexUID, "status": task.status, "type": task.kind,
		"canceledBy": nil, "details": map[string]any{}, "error": nil, "duration": nil,
		"enqueuedAt": task.enqueuedAtStamp, "startedAt": nil, "finishedAt": nil,
	}
	if task.done {
		body["duration"] = "PT0.012S"
		body["startedAt"] = "2025-06-01T10:00:00.001000Z"
		body["finishedAt"] = "2025-06-01T10:00:00.013000Z"
	}
	if task.err != nil {
		body["error"] = task.err
	}
	reply(w, 200, body)
}

// index returns the index or answers 404; call with f.mu held.
func (f *fakeMeili) index(w http.ResponseWriter, uid string) *fakeIndex {
	ix := f.indexes[uid]
	if ix == nil {
		reply(w, 404, apiErr("index_not_found", fmt.Sprintf("Index `%s` not found.", uid)))
	}
	return ix
}

func (f *fakeMeili) createIndex(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UID        string `json:"uid"`
		PrimaryKey string `json:"primaryKey"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		reply(w, 400, apiErr("bad_request", err.Error()))
		return
	}
	f.enqueue(w, body.UID, "indexCreation", func() *fakeAPIError {
		if f.indexes[body.UID] != nil {
			e := apiErr("index_already_exists", fmt.Sprintf("Index `%s` already exists.", body.UID))
			return &e
		}
		f.indexes[body.UID] = &fakeIndex{primaryKey: body.PrimaryKey, settings: defaultSettings(), docs: map[string]map[string]any{}}
		return nil
	})
}

// addIndex creates an index at once, as if another process had.
func (f *fakeMeili) addIndex(uid, primaryKey string, settings map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := defaultSettings()
	maps.Copy(s, settings)
	f.indexes[uid] = &fakeIndex{primaryKey: primaryKey, settings: s, docs: map[string]map[string]any{}}
}

func (f *fakeMeili) getIndex(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ix := f.index(w, r.PathValue("uid"))
	if ix == nil {
		return
	}
	var pk any
	if ix.primaryKey != "" {
		pk = ix.primaryKey
	}
	reply(w, 200, map[string]any{
		"uid": r.PathValue("uid"), "createdAt": "2025-06-01T10:00:00.000000Z", "updatedAt": "2025-06-01T10:00:00.000000Z",
		"primaryKey": pk,
	})
}

func (f *fakeMeili) deleteIndex(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	f.enqueue(w, uid, "indexDeletion", func() *fakeAPIError {
		if f.indexes[uid] == nil {
			e := apiErr("index_not_found", fmt.Sprintf("Index `%s` not found.", uid))
			return &e
		}
		delete(f.indexes, uid)
		return nil
	})
}

// defaultSettings is GET /indexes/{uid}/settings of a new index.
func defaultSettings() map[string]any {
	return map[string]any{
		"displayedAttributes":  []any{"*"},
		"searchableAttributes": []any{"*"},
		"filterableAttributes": []any{},
		"sortableAttributes":   []any{},
		"rankingRules":         []any{"words", "typo", "proximity", "attribute", "sort", "exactness"},
		"stopWords":            []any{},
		"nonSeparatorTokens":   []any{},
		"separatorTokens":      []any{},
		"dictionary":           []any{},
		"synonyms":             map[string]any{},
		"distinctAttribute":    nil,
		"proximityPrecision":   "byWord",
		"typoTolerance": map[string]any{
			"enabled": true, "minWordSizeForTypos": map[string]any{"oneTypo": 5, "twoTypos": 9},
			"disableOnWords": []any{}, "disableOnAttributes": []any{}, "disableOnNumbers": false,
		},
		"faceting":            map[string]any{"maxValuesPerFacet": 100, "sortFacetValuesBy": map[string]any{"*": "alpha"}},
		"pagination":          map[string]any{"maxTotalHits": 1000},
		"embedders":           map[string]any{},
		"searchCutoffMs":      nil,
		"localizedAttributes": nil,
		"facetSearch":         true,
		"prefixSearch":        "indexingTime",
	}
}

var settingsRoutes = map[string]string{
	"dictionary": "dictionary", "synonyms": "synonyms", "stop-words": "stopWords",
	"separator-tokens": "separatorTokens", "non-separator-tokens": "nonSeparatorTokens",
}

func (f *fakeMeili) getSettings(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ix := f.index(w, r.PathValue("uid")); ix != nil {
		reply(w, 200, ix.settings)
	}
}

func (f *fakeMeili) patchSettings(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		reply(w, 400, apiErr("bad_request", err.Error()))
		return
	}
	f.enqueue(w, uid, "settingsUpdate", func() *fakeAPIError {
		ix := f.indexes[uid]
		if ix == nil {
			// Meilisearch creates the index on a settings update.
			ix = &fakeIndex{settings: defaultSettings(), docs: map[string]map[string]any{}}
			f.indexes[uid] = ix
		}
		defaults := defaultSettings()
		for k, v := range body {
			if v == nil {
				v = defaults[k]
			}
			// Meilisearch keeps these as sets and lists them sorted.
			if k == "filterableAttributes" || k == "sortableAttributes" {
				list := v.([]any)
				slices.SortFunc(list, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
			}
			ix.settings[k] = v
		}
		return nil
	})
}

func (f *fakeMeili) resetSetting(w http.ResponseWriter, r *http.Request) {
	uid, name := r.PathValue("uid"), r.PathValue("name")
	key, ok := settingsRoutes[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.enqueue(w, uid, "settingsUpdate", func() *fakeAPIError {
		if ix := f.indexes[uid]; ix != nil {
			ix.settings[key] = defaultSettings()[key]
		}
		return nil
	})
}

func (f *fakeMeili) addDocuments(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	var docs []map[string]any
	if err := json.NewDecoder(r.Body).Decode(&docs); err != nil {
		reply(w, 400, apiErr("malformed_payload", err.Error()))
		return
	}
	pk := r.URL.Query().Get("primaryKey")
	f.enqueue(w, uid, "documentAdditionOrUpdate", func() *fakeAPIError {
		ix := f.indexes[uid]
		if ix == nil {
			ix = &fakeIndex{settings: defaultSettings(), docs: map[string]map[string]any{}}
			f.indexes[uid] = ix
		}
		if ix.primaryKey == "" {
			ix.primaryKey = pk
		}
		for _, d := range docs {
			id, _ := d[ix.primaryKey].(string)
			if id == "" {
				e := apiErr("missing_document_id", "Document doesn't have a `"+ix.primaryKey+"` attribute")
				return &e
			}
			ix.docs[id] = d
		}
		return nil
	})
}

func (f *fakeMeili) deleteDocuments(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	var ids []string
	if err := json.NewDecoder(r.Body).Decode(&ids); err != nil {
		reply(w, 400, apiErr("malformed_payload", err.Error()))
		return
	}
	f.enqueue(w, uid, "documentDeletion", func() *fakeAPIError {
		if ix := f.indexes[uid]; ix != nil {
			for _, id := range ids {
				delete(ix.docs, id)
			}
		}
		return nil
	})
}

func (f *fakeMeili) search(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		reply(w, 400, apiErr("bad_request", err.Error()))
		return
	}
	f.mu.Lock()
	ix, searchReply := f.index(w, uid), f.searchReply
	f.mu.Unlock()
	if ix == nil {
		return
	}
	if searchReply != nil {
		reply(w, 200, searchReply(uid, body))
		return
	}
	reply(w, 200, map[string]any{
		"hits": []any{}, "query": body["q"], "processingTimeMs": 0, "limit": 20, "offset": 0, "estimatedTotalHits": 0,
	})
}

func (f *fakeMeili) stats(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ix := f.index(w, r.PathValue("uid")); ix != nil {
		reply(w, 200, map[string]any{
			"numberOfDocuments": len(ix.docs), "rawDocumentDbSize": 4096, "avgDocumentSize": 512,
			"isIndexing": false, "numberOfEmbeddings": 0, "numberOfEmbeddedDocuments": 0,
			"fieldDistribution": map[string]any{"id": len(ix.docs)},
		})
	}
}

// modelSearch answers a search from the stored documents under the model
// of document_test.go (a phrase matches adjacent tokens of one field) and
// filter_test.go's reading of filters; ties are sorted by date, newest
// first, then id, as the sort setting asks. Relevance is not modelled.
func (f *fakeMeili) modelSearch(uid string, body map[string]any) any {
	f.mu.Lock()
	var docs []map[string]any
	for _, d := range f.indexes[uid].docs {
		docs = append(docs, d)
	}
	f.mu.Unlock()
	q, _ := body["q"].(string)
	filter, _ := body["filter"].(string)
	clauses, err := parseFilter(filter)
	if err != nil {
		f.t.Errorf("filter %q: %v", filter, err)
	}
	var hits []map[string]any
	for _, d := range docs {
		doc := document{}
		for field, dst := range map[string]*string{
			"titleUnits": &doc.TitleUnits, "titleAlt": &doc.TitleAlt, "extraUnits": &doc.ExtraUnits,
			"extraAlt": &doc.ExtraAlt, "bodyUnits": &doc.BodyUnits, "bodyAlt": &doc.BodyAlt,
		} {
			*dst, _ = d[field].(string)
		}
		if modelMatches(doc, q) && clauses.match(d) {
			hits = append(hits, d)
		}
	}
	slices.SortFunc(hits, func(a, b map[string]any) int {
		if da, db := a["date"].(float64), b["date"].(float64); da != db {
			if da > db {
				return -1
			}
			return 1
		}
		return strings.Compare(a["id"].(string), b["id"].(string))
	})
	facets := map[string]any{}
	asked, _ := body["facets"].([]any)
	for _, field := range []string{"type", "year"} {
		if !slices.Contains(asked, any(field)) {
			continue
		}
		counts := map[string]int{}
		for _, h := range hits {
			counts[fmt.Sprint(h[field])]++
		}
		facets[field] = counts
	}
	total := min(len(hits), 1000)
	page := []any{}
	resp := map[string]any{"query": q, "processingTimeMs": 0, "facetDistribution": facets}
	if hpp, ok := body["hitsPerPage"]; ok && hpp == float64(0) {
		resp["hitsPerPage"], resp["page"], resp["totalPages"], resp["totalHits"] = 0, 1, 0, total
	} else {
		offset, _ := body["offset"].(float64)
		limit := 20.0
		if l, ok := body["limit"].(float64); ok {
			limit = l
		}
		for i := int(offset); i < min(int(offset+limit), total); i++ {
			h := map[string]any{"_rankingScore": 1.0}
			for _, k := range []string{"id", "type", "title", "body", "regionCode", "year", "date"} {
				h[k] = hits[i][k]
			}
			page = append(page, h)
		}
		resp["offset"], resp["limit"], resp["estimatedTotalHits"] = offset, limit, total
	}
	resp["hits"] = page
	return resp
}

type filterClause struct {
	field  string
	values []string // a number is kept as written
}

type filterClauses []filterClause

func (cs filterClauses) match(doc map[string]any) bool {
	for _, c := range cs {
		v := doc[c.field]
		s, ok := v.(string)
		if !ok {
			s = strconv.FormatFloat(v.(float64), 'f', -1, 64)
		}
		if !slices.Contains(c.values, s) {
			return false
		}
	}
	return true
}

// parseFilter reads the filters buildFilter writes: clauses `field = v` or
// `field IN [v, …]` joined by AND, v quoted or a number.
func parseFilter(s string) (filterClauses, error) {
	var out filterClauses
	word := func() string {
		s = strings.TrimLeft(s, " ")
		i := strings.IndexFunc(s, func(r rune) bool { return r == ' ' || r == ']' || r == ',' })
		if i < 0 {
			i = len(s)
		}
		w := s[:i]
		s = s[i:]
		return w
	}
	value := func() (string, error) {
		s = strings.TrimLeft(s, " ")
		if strings.HasPrefix(s, `"`) {
			v, rest, err := readQuoted(s)
			s = rest
			return v, err
		}
		return word(), nil
	}
	for strings.TrimSpace(s) != "" {
		c := filterClause{field: word()}
		switch op := word(); op {
		case "=":
			v, err := value()
			if err != nil {
				return nil, err
			}
			c.values = []string{v}
		case "IN":
			s = strings.TrimPrefix(strings.TrimLeft(s, " "), "[")
			for {
				v, err := value()
				if err != nil {
					return nil, err
				}
				c.values = append(c.values, v)
				s = strings.TrimLeft(s, " ")
				if strings.HasPrefix(s, "]") {
					s = s[1:]
					break
				}
				if !strings.HasPrefix(s, ",") {
					return nil, fmt.Errorf("expected , or ] at %q", s)
				}
				s = s[1:]
			}
		default:
			return nil, fmt.Errorf("unknown operator %q", op)
		}
		out = append(out, c)
		if rest := strings.TrimLeft(s, " "); rest != "" {
			if !strings.HasPrefix(rest, "AND ") {
				return nil, fmt.Errorf("expected AND at %q", rest)
			}
			s = rest[4:]
		}
	}
	return out, nil
}
