package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestDebugListenerServesTheProfilerAndStopsWithTheServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	if err := startDebug(ctx, addr, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		cancel()
		t.Fatal(err)
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/allocs?debug=1", "/debug/pprof/cmdline"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("GET %s: status %d, %d bytes", path, resp.StatusCode, len(body))
		}
	}
	// A second listener on the same address fails the start.
	if err := startDebug(ctx, addr, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
		t.Error("a second profiler on the same address started")
	}
	cancel()
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/debug/pprof/")
		if err != nil {
			break
		}
		resp.Body.Close()
		if i > 100 {
			t.Fatal("profiler still answering a second after the server stopped")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
