package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// profiler takes fundwatch's CPU and allocation profiles while a scenario
// is attacked (-profile DIR): fundwatch runs with --debug-addr, a loopback
// listener of its own serving net/http/pprof, and for each measured attack
// (not the warm-up) two requests ask it for a CPU profile and a delta of
// the allocation profile over the attack's duration. They are saved as
// DIR/<scenario>.cpu.pprof and DIR/<scenario>.allocs.pprof, to read with
//
//	go tool pprof -top DIR/home.cpu.pprof
//	go tool pprof -sample_index=alloc_space -top DIR/home.allocs.pprof
//
// Profiling costs the server a little CPU (sampling at 100 Hz), so the
// figures of a run with -profile are not those of a run without.
type profiler struct {
	dir  string
	base string // http://127.0.0.1:PORT of fundwatch's --debug-addr
}

// during starts both profiles for d and returns a function that waits for
// them and saves them under scenario's name.
func (p *profiler) during(scenario string, d time.Duration) (wait func() error) {
	seconds := strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, kind := range []struct{ path, file string }{
		{"/debug/pprof/profile?seconds=" + seconds, scenario + ".cpu.pprof"},
		{"/debug/pprof/allocs?seconds=" + seconds, scenario + ".allocs.pprof"},
	} {
		wg.Go(func() { errs[i] = p.save(kind.path, filepath.Join(p.dir, kind.file), d) })
	}
	return func() error {
		wg.Wait()
		return errors.Join(errs...)
	}
}

func (p *profiler) save(path, file string, d time.Duration) error {
	client := &http.Client{Timeout: d + 30*time.Second}
	resp, err := client.Get(p.base + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return fmt.Errorf("GET %s: status %d: %s", path, resp.StatusCode, b)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
