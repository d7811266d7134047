package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// startDebug serves Go's profiler (net/http/pprof) on addr, a loopback
// address of its own (--debug-addr), until ctx ends; an address it cannot
// listen on stops the start, as --addr does. It is never mounted on
// the public app: a CPU profile or a goroutine dump is for the operator on
// the machine, and one profile request costs the server seconds of CPU. The
// handlers are registered on a mux of their own rather than through the
// package's side effect on http.DefaultServeMux.
func startDebug(ctx context.Context, addr string, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// WriteTimeout is unset: /debug/pprof/profile?seconds=N answers after N
	// seconds.
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	log.Warn("profiler listening (--debug-addr); for measuring, not for production", "addr", l.Addr().String())
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("profiler stopped", "error", err)
		}
	}()
	return nil
}

// loopbackAddr tells whether addr is host:port on a loopback address
// (127.0.0.0/8, ::1, localhost), the only place the profiler may listen.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
