package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"fundwatch/store"
)

// blockingStore holds CreateCase until release is closed, to fill the queue of
// writes the way a slow disk would.
type blockingStore struct {
	store.Store
	entered chan struct{}
	release chan struct{}
}

func (b *blockingStore) CreateCase(ctx context.Context, c *store.Case, first store.Event) error {
	b.entered <- struct{}{}
	<-b.release
	return b.Store.CreateCase(ctx, c, first)
}

func TestSubmissionsBeyondThePendingWriteLimitGet503AndNothingIsStored(t *testing.T) {
	st, _ := openTestStore(t)
	bs := &blockingStore{Store: st, entered: make(chan struct{}, 4), release: make(chan struct{})}
	e := newTestEnvWithStore(t, bs, func(h *Handler) {
		h.Config.Limits.PendingWrites = 1
		h.Config.Limits.WriteWait = 50 * time.Millisecond
		h.Config.Limits.SubmitPerIP = -1
	})

	first := make(chan int, 1)
	go func() {
		resp, _ := e.postJSON("/api/v1/reports", validReportJSON, map[string]string{"Idempotency-Key": "first-submission-0001"})
		first <- resp.StatusCode
	}()
	<-bs.entered // the first submission now holds the only slot

	resp, body := e.postJSON("/api/v1/reports", validReportJSON, map[string]string{"Idempotency-Key": "second-submission-001"})
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("second submission: status %d, want 503\n%s", resp.StatusCode, body)
	}
	if resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "未被保存") || strings.Contains(body, "accessCode") {
		t.Errorf("503 must say nothing was saved, carry Retry-After and no receipt: %s", body)
	}

	close(bs.release)
	if code := <-first; code != http.StatusCreated {
		t.Errorf("first submission: status %d, want 201", code)
	}
	if n := e.caseCount(); n != 1 {
		t.Errorf("%d cases stored, want only the first", n)
	}
	// The slot is free again: a retry of the shed submission now succeeds.
	resp, body = e.postJSON("/api/v1/reports", validReportJSON, map[string]string{"Idempotency-Key": "second-submission-001"})
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("retry after the queue drained: status %d, want 201\n%s", resp.StatusCode, body)
	}
	if got := fmt.Sprint(e.caseCount()); got != "2" {
		t.Errorf("cases after the retry = %s, want 2", got)
	}
}
