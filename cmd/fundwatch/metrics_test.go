package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testMetricsToken = "test-metrics-token-5b7f0c2e9a41"

// freeAddr is a 127.0.0.1 address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// getMetrics GETs url with the Authorization header auth ("" for none) and
// returns the status and the body.
func getMetrics(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// exposedValue is the value of the series line that starts with series, or "".
func exposedValue(text, series string) string {
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			return v
		}
	}
	return ""
}

// wantServedMetrics fails unless text holds a metric of each family the
// server exposes: its own, the Go runtime's and the process's.
func wantServedMetrics(t *testing.T, text string) {
	t.Helper()
	for _, name := range []string{
		"fundwatch_build_info{", "fundwatch_http_requests_total{", "fundwatch_http_request_duration_seconds_bucket{",
		"fundwatch_submissions_total{", "fundwatch_store_errors_total{", "fundwatch_search_errors_total{",
		`fundwatch_outbox_mails{status="pending"}`, `fundwatch_search_index_backlog{area="cases"}`,
		`fundwatch_store_commit_batch_size_bucket{le="128"}`, "go_goroutines ", "go_memstats_heap_alloc_bytes ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(text, "\n"+name) {
			t.Errorf("no %s… in the metrics", name)
		}
	}
}

func TestMetricsOnTheAppAreAnUnknownPageWithoutAToken(t *testing.T) {
	base := startServer(t)
	for _, auth := range []string{"", "Bearer " + testMetricsToken, "Bearer "} {
		status, body := getMetrics(t, base+"/metrics", auth)
		if status != http.StatusNotFound || !strings.Contains(body, "页面不存在") || strings.Contains(body, "fundwatch_") {
			t.Errorf("GET /metrics (Authorization %q) without --metrics-token: status %d, want the 404 page\n%s", auth, status, body)
		}
	}
}

func TestMetricsOnTheAppAnswerOnlyTheBearerToken(t *testing.T) {
	base := startServer(t, "--metrics-token", testMetricsToken)
	for _, auth := range []string{"", "Bearer wrong-token-0000000000", "Bearer " + testMetricsToken + "0", "Basic " + testMetricsToken, testMetricsToken} {
		status, body := getMetrics(t, base+"/metrics", auth)
		if status != http.StatusNotFound || strings.Contains(body, "fundwatch_") {
			t.Errorf("GET /metrics with Authorization %q: status %d, want 404 without metrics", auth, status)
		}
	}

	number, code := fileByAPI(t, base, "fraudulent_claims", "220102", "1000")
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/reports/"+number, nil)
	req.Header.Set("X-Access-Code", code)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the filed report: status %d", resp.StatusCode)
	}

	status, text := getMetrics(t, base+"/metrics", "Bearer "+testMetricsToken)
	if status != http.StatusOK {
		t.Fatalf("GET /metrics with the token: status %d\n%s", status, text)
	}
	wantServedMetrics(t, text)
	for series, want := range map[string]string{
		`fundwatch_submissions_total{kind="report",via="api"}`:                                     "1",
		`fundwatch_submissions_total{kind="complaint",via="web"}`:                                  "0",
		`fundwatch_http_requests_total{method="GET",route="/api/v1/reports/:number",status="200"}`: "1",
		`fundwatch_http_requests_total{method="GET",route="/metrics",status="404"}`:                "5",
		`fundwatch_http_request_duration_seconds_count{method="POST",route="/api/v1/reports"}`:     "1",
		`fundwatch_build_info{version="` + version + `"}`:                                          "1",
	} {
		if got := exposedValue(text, series); got != want {
			t.Errorf("%s = %q, want %s", series, got, want)
		}
	}
	if strings.Contains(text, number) || strings.Contains(text, code) {
		t.Errorf("the metrics carry the receipt's number %s or code", number)
	}
}

func TestMetricsListenerServesTheMetricsApartFromTheApp(t *testing.T) {
	addr := freeAddr(t)
	base := startServer(t, "--metrics-addr", addr)
	fileByAPI(t, base, "fraudulent_claims", "220102", "1000")

	status, text := getMetrics(t, "http://"+addr+"/metrics", "")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics on --metrics-addr: status %d\n%s", status, text)
	}
	wantServedMetrics(t, text)
	if got := exposedValue(text, `fundwatch_submissions_total{kind="report",via="api"}`); got != "1" {
		t.Errorf("submissions by the API = %q after one, want 1", got)
	}
	if status, _ := getMetrics(t, "http://"+addr+"/", ""); status != http.StatusNotFound {
		t.Errorf("GET / on --metrics-addr: status %d, want 404: it serves /metrics only", status)
	}
	if status, body := getMetrics(t, base+"/metrics", ""); status != http.StatusNotFound || strings.Contains(body, "fundwatch_") {
		t.Errorf("GET /metrics on --addr without --metrics-token: status %d, want 404", status)
	}
}

func TestMetricsListenerOnATakenAddressStopsTheStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// Bounded: a server that went on without its metrics listener would
	// serve until cancelled, then return 0.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	code := run(ctx, []string{"serve", "--addr", freeAddr(t), "--data", t.TempDir(), "--metrics-addr", ln.Addr().String()})
	if code != 1 {
		t.Errorf("run with --metrics-addr on a taken port returned %d, want 1", code)
	}
}

func TestConfigReadsTheMetricsSettingsAndTheTokenFromAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "metrics_token")
	if err := os.WriteFile(file, []byte(testMetricsToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FUNDWATCH_METRICS_ADDR", "0.0.0.0:9100")
	t.Setenv("FUNDWATCH_METRICS_TOKEN_FILE", file)
	c, err := parseConfig("serve", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "0.0.0.0:9100" || c.MetricsToken != testMetricsToken {
		t.Errorf("metrics addr %q token %q, want 0.0.0.0:9100 and the file's content", c.MetricsAddr, c.MetricsToken)
	}
}

func TestConfigMetricsAreOffByDefault(t *testing.T) {
	for _, k := range []string{"FUNDWATCH_METRICS_ADDR", "FUNDWATCH_METRICS_TOKEN", "FUNDWATCH_METRICS_TOKEN_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	c, err := parseConfig("serve", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "" || c.MetricsToken != "" {
		t.Errorf("metrics addr %q token %q by default, want both off", c.MetricsAddr, c.MetricsToken)
	}
}

func TestConfigRefusesABadMetricsAddressOrAWeakToken(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--metrics-addr", "metrics:9100"}, "--metrics-addr"},
		{[]string{"--metrics-addr", "127.0.0.1"}, "--metrics-addr"},
		{[]string{"--metrics-addr", "127.0.0.1:70000"}, "--metrics-addr"},
		{[]string{"--addr", "127.0.0.1:8080", "--metrics-addr", "127.0.0.1:8080"}, "must differ from --addr"},
		{[]string{"--metrics-token", "short"}, "at least 16 characters"},
		{[]string{"--metrics-token", "a token with spaces in it"}, "printable ASCII"},
		{[]string{"--metrics-token", "令牌令牌令牌令牌令牌令牌"}, "printable ASCII"},
	} {
		_, err := parseConfig("serve", tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one saying %q", tt.args, err, tt.want)
		}
	}
	if _, err := parseConfig("serve", []string{"--metrics-addr", "127.0.0.1:9100", "--metrics-token", testMetricsToken}); err != nil {
		t.Errorf("good metrics settings refused: %v", err)
	}
}
