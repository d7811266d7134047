package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestProfilerSavesACPUProfileAndTheAllocationsOfTheAttack: against a
// server of net/http/pprof, the profiler leaves exactly the two profiles,
// and the allocation profile is the difference of the heaps around the
// attack.
func TestProfilerSavesACPUProfileAndTheAllocationsOfTheAttack(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a second of CPU profile")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dir := t.TempDir()
	p := &profiler{dir: dir, base: srv.URL, goBin: goCommand()}
	wait := p.during("home", time.Second)
	var keep [][]byte
	for range 1000 {
		keep = append(keep, make([]byte, 4096))
	}
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	_ = keep
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != "home.allocs.pprof" || names[1] != "home.cpu.pprof" {
		t.Fatalf("files %v, want home.allocs.pprof and home.cpu.pprof", names)
	}
	for _, n := range names {
		if fi, err := os.Stat(filepath.Join(dir, n)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v, %v", n, fi, err)
		}
	}
}
