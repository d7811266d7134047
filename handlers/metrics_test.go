package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"fundwatch/cmd/fundwatch/metrics"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// newMetricsEnv is a test env whose plumbing and handler report to the
// real metrics, as cmd wires them, on a registry of the test's own.
func newMetricsEnv(t *testing.T, configure ...func(*Handler)) (*testEnv, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg, "test")
	e := newTestEnv(t, append([]func(*Handler){func(h *Handler) {
		h.Web = web.New(web.Config{BaseURL: h.Config.BaseURL, Version: h.Config.Version, Log: h.Log, Clock: h.Clock, Observer: m})
		h.Filed = m.SubmissionFiled
	}}, configure...)...)
	return e, reg
}

// scrapeMetrics is what Prometheus would read from reg.
func scrapeMetrics(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.Handler(reg, slog.New(slog.NewTextHandler(io.Discard, nil))).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d", rec.Code)
	}
	return rec.Body.String()
}

// metricValue is the value of the series line that starts with series
// (name and labels as exposed), or "" when there is none.
func metricValue(text, series string) string {
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			return v
		}
	}
	return ""
}

func TestMetricsLabelRequestsWithTheRoutePatternNeverTheReceiptNumber(t *testing.T) {
	e, reg := newMetricsEnv(t)
	formNumber, formCode := e.submitValid()
	number, code := e.apiSubmit(validReportJSON, nil)
	if resp, body := e.getWith("/api/v1/reports/"+number, map[string]string{"X-Access-Code": code}); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the report: status %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := e.getWith("/api/v1/reports/"+number, map[string]string{"X-Access-Code": formCode}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET the report with another case's code: status %d, want 404", resp.StatusCode)
	}
	e.contractOff = "requests the OpenAPI document does not describe, on purpose"
	if resp, _ := e.get("/api/v1/reports/" + number + "/receipt"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET an unknown path with the number: status %d, want 404", resp.StatusCode)
	}
	if resp, _ := e.request(http.MethodDelete, "/api/v1/reports/"+formNumber, nil, nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE the report: status %d, want 405", resp.StatusCode)
	}
	if resp, _ := e.get("/nothing/" + formNumber + "?code=" + url.QueryEscape(formCode)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET an unknown page: status %d, want 404", resp.StatusCode)
	}

	text := scrapeMetrics(t, reg)
	for _, want := range []struct{ series, value string }{
		{`fundwatch_http_requests_total{method="GET",route="/api/v1/reports/:number",status="200"}`, "1"},
		{`fundwatch_http_requests_total{method="GET",route="/api/v1/reports/:number",status="404"}`, "1"},
		{`fundwatch_http_requests_total{method="POST",route="/api/v1/reports",status="201"}`, "1"},
		{`fundwatch_http_requests_total{method="POST",route="/report",status="200"}`, "1"},
		{`fundwatch_http_requests_total{method="GET",route="/report",status="200"}`, "1"},
		{`fundwatch_http_requests_total{method="GET",route="unmatched",status="404"}`, "2"},
		{`fundwatch_http_requests_total{method="DELETE",route="unmatched",status="405"}`, "1"},
		{`fundwatch_http_request_duration_seconds_count{method="GET",route="/api/v1/reports/:number"}`, "2"},
		{`fundwatch_store_errors_total{code="not_found"}`, "1"},
	} {
		if got := metricValue(text, want.series); got != want.value {
			t.Errorf("%s = %q, want %s", want.series, got, want.value)
		}
	}
	for _, secret := range []string{number, formNumber, code, formCode, strings.ReplaceAll(formCode, "-", "")} {
		if strings.Contains(text, secret) {
			t.Errorf("the metrics carry %q, a receipt's number or code", secret)
		}
	}
}

func TestMetricsCountEachNewSubmissionOnceByKindAndVia(t *testing.T) {
	e, reg := newMetricsEnv(t)
	count := func(kind, via string) string {
		t.Helper()
		return metricValue(scrapeMetrics(t, reg), `fundwatch_submissions_total{kind="`+kind+`",via="`+via+`"}`)
	}

	// The form, and the same form posted again (a double click): one case.
	csrf, idem := e.formTokens("/report")
	form := validReportForm(csrf, idem)
	for range 2 {
		if resp, body := e.postForm("/report", form); resp.StatusCode != http.StatusOK {
			t.Fatalf("submit the form: status %d\n%s", resp.StatusCode, mainOf(body))
		}
	}
	if got := count(store.KindReport, ViaWeb); got != "1" {
		t.Errorf("reports by the form = %q after one filing and its repeat, want 1", got)
	}
	if resp, _ := e.submitForm(complaintForm); resp.StatusCode != http.StatusOK {
		t.Fatalf("submit a complaint: status %d", resp.StatusCode)
	}
	if resp, _ := e.submitForm(func(v url.Values) { v.Del("subject.name") }); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("submit an incomplete form: status %d, want 422", resp.StatusCode)
	}
	if got := count(store.KindComplaint, ViaWeb); got != "1" {
		t.Errorf("complaints by the form = %q, want 1", got)
	}
	if got := count(store.KindReport, ViaWeb); got != "1" {
		t.Errorf("reports by the form = %q after a refused form, want still 1", got)
	}

	// The API, and a retry with the same Idempotency-Key: one case.
	key := map[string]string{"Idempotency-Key": "app-metrics-5d1e-4c2a"}
	e.apiSubmit(validReportJSON, key)
	if resp, body := e.postJSON("/api/v1/reports", validReportJSON, key); resp.StatusCode != http.StatusOK {
		t.Fatalf("replay: status %d, want 200\n%s", resp.StatusCode, body)
	}
	if got := count(store.KindReport, ViaAPI); got != "1" {
		t.Errorf("reports by the API = %q after one filing and its replay, want 1", got)
	}
	if got := count(store.KindReport, ViaWeb); got != "1" {
		t.Errorf("reports by the form = %q after API filings, want still 1", got)
	}
}

func TestMetricsCountNoSubmissionTheStoreRefused(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg, "test")
	e, fs := newFaultEnv(t, func(h *Handler) {
		h.Web = web.New(web.Config{BaseURL: h.Config.BaseURL, Version: h.Config.Version, Log: h.Log, Clock: h.Clock, Observer: m})
		h.Filed = m.SubmissionFiled
	})
	fs.createCase = func(context.Context, *store.Case, store.Event) error {
		return store.Errorf(store.EUNAVAILABLE, "down")
	}
	if resp, _ := e.postJSON("/api/v1/reports", validReportJSON, nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("submit to a store that is down: status %d, want 503", resp.StatusCode)
	}
	text := scrapeMetrics(t, reg)
	if got := metricValue(text, `fundwatch_submissions_total{kind="report",via="api"}`); got != "" && got != "0" {
		t.Errorf("submissions = %s after the store refused the only one", got)
	}
	if got := metricValue(text, `fundwatch_store_errors_total{code="unavailable"}`); got != "1" {
		t.Errorf("store errors unavailable = %q, want 1", got)
	}
	if got := metricValue(text, `fundwatch_http_requests_total{method="POST",route="/api/v1/reports",status="503"}`); got != "1" {
		t.Errorf("503 answers of POST /api/v1/reports = %q, want 1", got)
	}
}
