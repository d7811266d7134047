package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// waitIndexed reads the cases' backlog from the metrics page, waits while
// it is above 0, and says so when it never reaches 0 or is not there.
func TestWaitIndexedFollowsTheBacklog(t *testing.T) {
	var polls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := 3 - polls.Add(1) // 2, 1, 0, -1 …
		if n < 0 {
			n = 0
		}
		w.Write([]byte("# TYPE fundwatch_search_index_backlog gauge\n" +
			`fundwatch_search_index_backlog{area="publications"} 7` + "\n" +
			`fundwatch_search_index_backlog{area="cases"} ` + string(rune('0'+n)) + "\n"))
	}))
	defer srv.Close()
	if err := waitIndexed(context.Background(), srv.URL, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if p := polls.Load(); p != 3 {
		t.Errorf("%d polls, want 3 (backlog 2, 1, then 0)", p)
	}

	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`fundwatch_search_index_backlog{area="cases"} 12` + "\n"))
	}))
	defer stuck.Close()
	if err := waitIndexed(context.Background(), stuck.URL, 200*time.Millisecond); err == nil || !strings.Contains(err.Error(), "12 cases still pending") {
		t.Errorf("a backlog that stays: %v, want the cases still pending", err)
	}

	missing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("go_goroutines 12\n"))
	}))
	defer missing.Close()
	if err := waitIndexed(context.Background(), missing.URL, 200*time.Millisecond); err == nil || !strings.Contains(err.Error(), "no fundwatch_search_index_backlog") {
		t.Errorf("no backlog series: %v, want it named", err)
	}
}
