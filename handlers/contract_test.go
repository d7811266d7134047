package handlers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gofiber/fiber/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/valyala/fasthttp"

	"fundwatch/casework/caseflow"
)

// The API contract check: every request a handler test sends under /api/
// and every response it gets are held against the OpenAPI document
// (openapi.json, the one the server embeds and serves) by kin-openapi's
// openapi3filter: in testEnv.do, in the fuzz targets' send and in
// rawExchange (the hostile tests' raw connections). A test fails when the
// server and the document disagree:
//
//   - the document forbids a request and the server still takes it (any
//     answer outside 4xx): what a client validating against the document
//     would never send, the server must refuse, with a 4xx. A forbidden
//     request refused with 400, 413, 415 or 422 is agreement — that is how
//     the tests of those answers work — so every test, hostile and fuzz
//     tests included, runs the check on requests too;
//   - a response whose status the operation does not declare, whose body
//     does not match the declared schema for its content type, whose
//     declared headers are missing (when required) or malformed, or that
//     carries a header of the API (Retry-After, Idempotent-Replayed, …)
//     the document does not declare for it;
//   - a path or method the document does not know answered other than 404
//     or 405 with the JSON error body.
//
// A request the document allows may still be refused: the server checks
// what a schema cannot (check characters, dates against today, the region
// list, a complaint's rules across fields), each with a 422 the document
// describes.
type apiContract struct {
	doc    *openapi3.T
	router routers.Router
	// Bodies are validated by the JSON Schema 2020-12 engine kin-openapi
	// uses (santhosh-tekuri/jsonschema), on schemas compiled once from the
	// same document: kin-openapi v0.153.0 compiles a 3.1 schema anew on
	// every validation (getkin/kin-openapi#1186, unmerged), which made the
	// contract check 14 times slower than the hostile API test it checks
	// (87 s against 6 s). Parameters, headers, security, status codes and
	// routing stay with openapi3filter.
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema
}

// contractURL names the document as a JSON Schema resource; it is never
// fetched.
const contractURL = "https://fundwatch.invalid/api/v1/openapi.json"

var loadContract = sync.OnceValues(func() (*apiContract, error) {
	return newAPIContract(openAPIDoc)
})

// newAPIContract loads and validates an OpenAPI document (the examples in
// it included) and builds its router.
func newAPIContract(doc []byte) (*apiContract, error) {
	loader := openapi3.NewLoader()
	d, err := loader.LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document: %w", err)
	}
	if !d.IsOpenAPI31OrLater() {
		return nil, fmt.Errorf("OpenAPI document is %s, want 3.1", d.OpenAPI)
	}
	if err := d.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("OpenAPI document is not valid: %w", err)
	}
	r, err := gorillamux.NewRouter(d)
	if err != nil {
		return nil, fmt.Errorf("route OpenAPI document: %w", err)
	}
	whole, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	compiler := jsonschema.NewCompiler()
	compiler.DefaultDraft(jsonschema.Draft2020)
	compiler.AssertFormat()
	if err := compiler.AddResource(contractURL, whole); err != nil {
		return nil, err
	}
	c := &apiContract{doc: d, router: r, compiler: compiler, schemas: map[string]*jsonschema.Schema{}}
	if _, err := c.schema("/components/schemas/Error"); err != nil {
		return nil, err
	}
	return c, nil
}

// schema is the compiled schema at a JSON pointer into the document.
func (c *apiContract) schema(ptr string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.schemas[ptr]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(contractURL + "#" + ptr)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", ptr, err)
	}
	c.schemas[ptr] = s
	return s, nil
}

// validateBody checks a JSON body against the schema of the media type
// content documents for contentType; base is the JSON pointer of the
// object holding that content (a request body or a response).
func (c *apiContract) validateBody(base string, content openapi3.Content, contentType string, body []byte) error {
	if len(content) == 0 {
		return nil
	}
	mt := content.Get(contentType)
	if mt == nil {
		return fmt.Errorf("Content-Type %q is not documented", contentType)
	}
	if mt.Schema == nil {
		return nil
	}
	key := ""
	for k, v := range content {
		if v == mt {
			key = k
		}
	}
	if !strings.HasSuffix(key, "json") {
		return nil // an HTML page: its media type is all the document says
	}
	s, err := c.schema(base + "/content/" + pointerToken(key) + "/schema")
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON: %v", err)
	}
	return s.Validate(v)
}

// pointerToken escapes one JSON pointer token (RFC 6901).
func pointerToken(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// refOr is the JSON pointer of a component a reference names, or else the
// pointer where the object is written inline.
func refOr(ref, inline string) string {
	if ref != "" {
		return strings.TrimPrefix(ref, "#")
	}
	return inline
}

// genericHeaders are response headers of HTTP itself and of the whole site
// (security, caching, compression), which the document need not declare
// per response. Any other header an API response carries must be declared.
var genericHeaders = []string{
	"Content-Type", "Content-Length", "Content-Encoding", "Date", "Vary", "Connection",
	"Cache-Control", "Allow",
	"Content-Security-Policy", "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options",
	"Referrer-Policy", "Permissions-Policy", "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy",
	"Cross-Origin-Embedder-Policy", "Origin-Agent-Cluster", "X-Dns-Prefetch-Control", "X-Download-Options",
	"X-Permitted-Cross-Domain-Policies", "X-Xss-Protection",
}

// routedRequest is one request as the server received it, routed in the
// document.
type routedRequest struct {
	req    *http.Request // a GET for a HEAD, header values trimmed
	route  *routers.Route
	params map[string]string
	input  *openapi3filter.RequestValidationInput
	opPtr  string // JSON pointer of the operation in the document
}

// route finds the documented operation of req (sent with body); err when
// the document has no such path or method.
func (c *apiContract) route(req *http.Request, body []byte) (*routedRequest, error) {
	routed := req.Clone(context.Background())
	if req.Method == http.MethodHead {
		routed.Method = http.MethodGet // Fiber answers HEAD for every GET route
	}
	routed.Body = io.NopCloser(bytes.NewReader(body))
	// A field value on the wire has no leading or trailing white space
	// (RFC 9110, 5.5): hold the document against what the server receives.
	for name, values := range routed.Header {
		for i, v := range values {
			values[i] = strings.Trim(v, " \t")
		}
		routed.Header[name] = values
	}
	route, params, err := c.router.FindRoute(routed)
	if err != nil {
		return nil, err
	}
	// The router hands path parameters over percent-encoded; the document
	// describes them decoded ("2026%20000123" is the number "2026 000123").
	for k, v := range params {
		if u, err := url.PathUnescape(v); err == nil {
			params[k] = u
		}
	}
	return &routedRequest{
		req: routed, route: route, params: params,
		opPtr: "/paths/" + pointerToken(route.Path) + "/" + strings.ToLower(routed.Method),
		input: &openapi3filter.RequestValidationInput{
			Request: routed, PathParams: params, Route: route,
			Options: &openapi3filter.Options{
				AuthenticationFunc:  accessCodeGiven,
				SkipSettingDefaults: true,
				MultiError:          true,
				ExcludeRequestBody:  true, // validateBody
				ExcludeResponseBody: true,
			},
		},
	}, nil
}

// requestError says why the document forbids a routed request (its
// parameters, headers, security and body), or nil when it allows it.
func (c *apiContract) requestError(r *routedRequest, body []byte) error {
	if err := openapi3filter.ValidateRequest(context.Background(), r.input); err != nil {
		return errors.New(shortErr(err))
	}
	rb := r.route.Operation.RequestBody
	switch {
	case rb == nil || rb.Value == nil:
		return nil
	case len(body) == 0 && rb.Value.Required:
		return errors.New("the request body is required")
	case len(body) > 0:
		return c.validateBody(refOr(rb.Ref, r.opPtr+"/requestBody"), rb.Value.Content, r.req.Header.Get("Content-Type"), body)
	}
	return nil
}

// check returns every disagreement between the document and one exchange:
// req with its body as sent, resp with its body as received.
func (c *apiContract) check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	r, err := c.route(req, reqBody)
	if err != nil {
		// Not in the document: the server must not answer it either.
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			bad("%s %s is not in the document (%v), but the server answered %d", req.Method, req.URL.Path, err, resp.StatusCode)
		}
		if req.Method != http.MethodHead {
			s, err := c.schema("/components/schemas/Error")
			if err != nil {
				bad("%v", err)
				return problems
			}
			if v, err := jsonschema.UnmarshalJSON(bytes.NewReader(respBody)); err != nil {
				bad("the %d of an undocumented path is not JSON: %v", resp.StatusCode, err)
			} else if err := s.Validate(v); err != nil {
				bad("the %d of an undocumented path is not an Error: %v", resp.StatusCode, err)
			}
		}
		return problems
	}

	if err := c.requestError(r, reqBody); err != nil && (resp.StatusCode < 400 || resp.StatusCode >= 500) {
		bad("the document forbids %s %s:\n%s\nbut the server answered %d to %s",
			req.Method, req.URL.Path, clip(err.Error(), 3000), resp.StatusCode, clip(string(reqBody), 600))
	}

	body, err := decodedBody(resp, respBody)
	if err != nil {
		bad("%v", err)
		return problems
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: r.input,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: true},
	}
	out.SetBodyBytes(body)
	ref := r.route.Operation.Responses.Status(resp.StatusCode)
	if req.Method == http.MethodHead {
		// ValidateResponse skips HEAD; its status must still be declared.
		if ref == nil {
			bad("HEAD %s answered %d, which GET does not declare", req.URL.Path, resp.StatusCode)
		}
	} else if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		bad("the %d of %s %s does not match the document:\n%v", resp.StatusCode, req.Method, req.URL.Path, shortErr(err))
	} else if ref != nil && ref.Value != nil && resp.StatusCode != http.StatusNotModified {
		base := refOr(ref.Ref, r.opPtr+"/responses/"+strconv.Itoa(resp.StatusCode))
		if err := c.validateBody(base, ref.Value.Content, resp.Header.Get("Content-Type"), body); err != nil {
			bad("the %d body of %s %s does not match the document:\n%s", resp.StatusCode, req.Method, req.URL.Path, clip(err.Error(), 3000))
		}
	}
	if ref != nil && ref.Value != nil {
		for name := range resp.Header {
			if slices.ContainsFunc(genericHeaders, func(g string) bool { return strings.EqualFold(g, name) }) {
				continue
			}
			if !declaredFold(ref.Value.Headers, name) {
				bad("the %d of %s %s carries header %s, which the document does not declare", resp.StatusCode, req.Method, req.URL.Path, name)
			}
		}
	}
	return problems
}

func declaredFold(headers openapi3.Headers, name string) bool {
	for k := range headers {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// accessCodeGiven stands for the accessCode scheme: the document can only
// say the header is there; whether the code is right is the server's 404.
func accessCodeGiven(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecurityScheme.In == "header" && in.RequestValidationInput.Request.Header.Get(in.SecurityScheme.Name) == "" {
		return fmt.Errorf("header %s missing", in.SecurityScheme.Name)
	}
	return nil
}

// decodedBody undoes the Content-Encoding of a response (the API document
// may be sent compressed).
func decodedBody(resp *http.Response, body []byte) ([]byte, error) {
	switch enc := resp.Header.Get("Content-Encoding"); enc {
	case "":
		return body, nil
	case "br":
		return fasthttp.AppendUnbrotliBytes(nil, body)
	case "gzip":
		return fasthttp.AppendGunzipBytes(nil, body)
	default:
		return nil, fmt.Errorf("response Content-Encoding %q is not one the server uses", enc)
	}
}

// shortErr keeps a validation error readable in a test log: kin-openapi
// follows each reason with the whole schema and value, indented.
func shortErr(err error) string {
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l == "" || l == "Schema:" || l == "Value:" || strings.HasPrefix(l, " ") {
			continue
		}
		lines = append(lines, "  "+l)
	}
	s := strings.Join(lines, "\n")
	if len(s) > 3000 {
		s = s[:3000] + "…"
	}
	return s
}

// documentForbids says why the document forbids a request, or nil; the
// request is not sent.
func documentForbids(t *testing.T, method, path, body string, headers map[string]string) error {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	r, err := c.route(req, []byte(body))
	if err != nil {
		return err
	}
	return c.requestError(r, []byte(body))
}

// docExample is the value of a named example of the document.
func docExample(t *testing.T, name string) map[string]any {
	t.Helper()
	var doc struct {
		Components struct {
			Examples map[string]struct {
				Value map[string]any `json:"value"`
			} `json:"examples"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	v := doc.Components.Examples[name].Value
	if v == nil {
		t.Fatalf("no example %s in the document", name)
	}
	return v
}

// driftedEnv is a test env whose "server" is a stand-in that answers the
// API's routes as the test says (X-Drift), to show that the contract check
// catches a server that drifts from the document.
func driftedEnv(t *testing.T) *testEnv {
	t.Helper()
	receipt := docExample(t, "Receipt")
	caseView := map[string]any{
		"number": "2026-000123", "kind": "report", "category": "other", "insuranceTypes": []string{"pension"},
		"regionCode": "220102", "regionName": "吉林省长春市南关区", "channel": "fund_supervision",
		"status": "received", "statusLabel": "已收到", "createdAt": "2026-03-02T01:23:45.123Z",
		"updatedAt": "2026-03-02T01:23:45.123Z", "timeline": []any{}, "messages": []any{}, "files": []any{},
	}
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		c.Set("X-Request-Id", "8f3a1c2d4e5b6a79")
		return c.Next()
	})
	errorBody := fiber.Map{"error": "操作过于频繁", "requestId": "8f3a1c2d4e5b6a79"}
	app.Post("/api/v1/reports", func(c *fiber.Ctx) error {
		switch c.Get("X-Drift") {
		case "receipt without access code":
			r := maps.Clone(receipt)
			delete(r, "accessCode")
			return c.Status(fiber.StatusCreated).JSON(r)
		case "429 without Retry-After":
			return c.Status(fiber.StatusTooManyRequests).JSON(errorBody)
		}
		return c.Status(fiber.StatusCreated).JSON(receipt) // takes anything
	})
	app.Get("/api/v1/reports/:number", func(c *fiber.Ctx) error {
		v := maps.Clone(caseView)
		switch c.Get("X-Drift") {
		case "undeclared header":
			c.Set("X-Debug-Case", "1")
		case "undeclared status":
			return c.Status(fiber.StatusTeapot).JSON(errorBody)
		case "status not in the enum":
			v["status"] = "lost"
		case "time not RFC 3339":
			v["createdAt"] = "2026/03/02 09:23"
		case "no X-Request-Id":
			c.Response().Header.Del("X-Request-Id")
		}
		return c.JSON(v)
	})
	app.Get("/api/v1/secret", func(c *fiber.Ctx) error { return c.SendString("not in the document") })
	return &testEnv{t: t, app: app, cookies: map[string]string{}}
}

// The contract check is only worth having if it fails: against a stand-in
// server that takes what the document forbids and answers what it does
// not declare, every drift is caught; the same requests to the real server,
// which refuses them, agree with the document.
func TestContractCheckCatchesARequestTheDocumentForbidsAndAResponseThatDrifts(t *testing.T) {
	drifted := driftedEnv(t)
	real := newTestEnv(t)
	forbidden := reportJSON(t, func(m map[string]any) {
		m["reporter"].(map[string]any)["phone"] = "请打我电话"
	})
	accessCode := map[string]string{"X-Access-Code": "K7QX-M3PD-9RTF-2WHA-BC4N-8Y1E"}
	tests := []struct {
		name, method, path, body string
		headers                  map[string]string
		want                     string // in a problem; "" for none
	}{
		{"a valid report taken", http.MethodPost, "/api/v1/reports", validReportJSON, nil, ""},
		{"a forbidden phone taken", http.MethodPost, "/api/v1/reports", forbidden, nil, "the document forbids POST /api/v1/reports"},
		{"anonymous: null taken", http.MethodPost, "/api/v1/reports",
			reportJSON(t, func(m map[string]any) { m["anonymous"] = nil }), nil, "the document forbids"},
		{"a report as text/plain taken", http.MethodPost, "/api/v1/reports", validReportJSON,
			map[string]string{"Content-Type": "text/plain"}, "the document forbids"},
		{"receipt without access code", http.MethodPost, "/api/v1/reports", validReportJSON,
			map[string]string{"X-Drift": "receipt without access code"}, "accessCode"},
		{"429 without Retry-After", http.MethodPost, "/api/v1/reports", validReportJSON,
			map[string]string{"X-Drift": "429 without Retry-After"}, "Retry-After"},
		{"a case", http.MethodGet, "/api/v1/reports/2026-000123", "", accessCode, ""},
		{"a case asked for without the code", http.MethodGet, "/api/v1/reports/2026-000123", "", nil, "the document forbids GET"},
		{"undeclared header", http.MethodGet, "/api/v1/reports/2026-000123", "",
			map[string]string{"X-Access-Code": "K7QX", "X-Drift": "undeclared header"}, "X-Debug-Case"},
		{"undeclared status", http.MethodGet, "/api/v1/reports/2026-000123", "",
			map[string]string{"X-Access-Code": "K7QX", "X-Drift": "undeclared status"}, "status is not supported"},
		{"status not in the enum", http.MethodGet, "/api/v1/reports/2026-000123", "",
			map[string]string{"X-Access-Code": "K7QX", "X-Drift": "status not in the enum"}, "/status"},
		{"time not RFC 3339", http.MethodGet, "/api/v1/reports/2026-000123", "",
			map[string]string{"X-Access-Code": "K7QX", "X-Drift": "time not RFC 3339"}, "date-time"},
		{"no X-Request-Id", http.MethodGet, "/api/v1/reports/2026-000123", "",
			map[string]string{"X-Access-Code": "K7QX", "X-Drift": "no X-Request-Id"}, "X-Request-Id"},
		{"a path the document does not know", http.MethodGet, "/api/v1/secret", "", nil, "is not in the document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := map[string]string{"Content-Type": "application/json"}
			maps.Copy(headers, tt.headers)
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			for k, v := range headers {
				req.Header.Set(k, v)
			}
			_, _, problems := drifted.in(t).exchange(req)
			all := strings.Join(problems, "\n")
			switch {
			case tt.want == "" && len(problems) > 0:
				t.Errorf("a server that keeps to the document: %s", all)
			case tt.want != "" && !strings.Contains(all, tt.want):
				t.Errorf("drift not caught: want a problem with %q, got %q", tt.want, all)
			}
		})
	}
	// The real server refuses the forbidden requests: no disagreement.
	for _, body := range []string{forbidden, reportJSON(t, func(m map[string]any) { m["anonymous"] = nil })} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/reports", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, out, problems := real.exchange(req)
		if resp.StatusCode != http.StatusUnprocessableEntity || len(problems) > 0 {
			t.Errorf("real server: status %d, problems %q\n%s", resp.StatusCode, problems, out)
		}
	}
}

// Every component the document defines is used, so nothing in it
// describes what the API does not do (as the unused ValidationError
// response once did), and the license the validator asks for is there.
func TestOpenAPIComponentsAreAllUsedAndTheLicenseIsDeclared(t *testing.T) {
	var doc struct {
		Info struct {
			License struct {
				Name string `json:"name"`
			} `json:"license"`
		} `json:"info"`
		Components map[string]map[string]json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info.License.Name == "" {
		t.Error("info.license.name is empty")
	}
	refs := regexp.MustCompile(`"\$ref": "#/components/([A-Za-z]+)/([^"]+)"`).FindAllStringSubmatch(string(openAPIDoc), -1)
	used := map[string]bool{}
	for _, m := range refs {
		used[m[1]+"/"+m[2]] = true
	}
	for kind, items := range doc.Components {
		for name := range items {
			switch {
			case kind == "securitySchemes":
				if !strings.Contains(string(openAPIDoc), `"`+name+`": []`) {
					t.Errorf("security scheme %s is not required by any operation", name)
				}
			case !used[kind+"/"+name]:
				t.Errorf("components/%s/%s is defined but not used", kind, name)
			}
		}
	}
}

// apiMaxLengths is the document's maxLength of every string of a report,
// and the document bounds every string it does not enumerate.
func TestAPIMaxLengthsAreTheDocuments(t *testing.T) {
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]int{}
	var walk func(prefix string, s *openapi3.Schema)
	walk = func(prefix string, s *openapi3.Schema) {
		for name, p := range s.Properties {
			key := prefix + name
			switch v := p.Value; {
			case v.Type.Is("object"):
				walk(key+".", v)
			case v.Type.Is("string") && v.MaxLength != nil:
				documented[key] = int(*v.MaxLength)
			case v.Type.Is("string") && len(v.Enum) == 0 && v.Pattern == "":
				t.Errorf("%s: a string with no maxLength, enum or pattern", key)
			}
		}
	}
	walk("", c.doc.Components.Schemas["ReportInput"].Value)
	if !maps.Equal(documented, apiMaxLengths) {
		t.Errorf("document's maxLength %v\nserver's apiMaxLengths %v", documented, apiMaxLengths)
	}
	body := c.doc.Components.Schemas["MessageInput"].Value.Properties["body"].Value
	if body.MaxLength == nil || int(*body.MaxLength) != caseflow.MaxMessageRunes {
		t.Errorf("MessageInput.body maxLength %v, the server's limit %d", body.MaxLength, caseflow.MaxMessageRunes)
	}
}

// contractError lists the disagreements of one exchange with the document.
type contractError []string

func (e contractError) Error() string {
	return "API and OpenAPI document disagree: " + strings.Join(e, "\n")
}

// checkRawExchange holds an exchange made on a raw connection (what
// app.Test cannot carry) against the document when its target is under
// /api/. A head too broken to parse is held by its request line alone.
func checkRawExchange(head string, body []byte, resp *http.Response, respBody []byte) []string {
	method, rest, _ := strings.Cut(head, " ")
	target, _, _ := strings.Cut(rest, " ")
	if !strings.HasPrefix(target, "/api/") {
		return nil
	}
	c, err := loadContract()
	if err != nil {
		return []string{err.Error()}
	}
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
	if err != nil {
		u, perr := url.ParseRequestURI(target)
		if perr != nil {
			return nil // not a request any router could take
		}
		req = &http.Request{Method: method, URL: u, Header: http.Header{}}
	}
	return c.check(req, body, resp, respBody)
}

// The document is valid OpenAPI 3.1, its examples included: loading it
// would fail on an example its own schema forbids.
func TestOpenAPIDocumentAndItsExamplesAreValid(t *testing.T) {
	if _, err := newAPIContract(openAPIDoc); err != nil {
		t.Fatal(err)
	}
	for name, broken := range map[string][2]string{
		"request example": {`"phone": "13800138000",`, `"phone": "请打我电话",`},
		"receipt example": {`"accessCode": "K7QX-M3PD-9RTF-2WHA-BC4N-8Y1E",`, `"accessCode": "K7QX",`},
	} {
		doc := strings.Replace(string(openAPIDoc), broken[0], broken[1], 1)
		if doc == string(openAPIDoc) {
			t.Fatalf("%s: %q not in the document", name, broken[0])
		}
		if _, err := newAPIContract([]byte(doc)); err == nil {
			t.Errorf("a document with a broken %s loads", name)
		}
	}
}
