package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// profiler takes fundwatch's CPU and allocation profiles while a scenario
// is attacked (-profile DIR): fundwatch runs with --debug-addr, a loopback
// listener of its own serving net/http/pprof. For each measured attack
// (not the warm-up) it takes a CPU profile over the attack's duration and
// the heap profile right before and right after the attack, each after a
// garbage collection (a heap profile shows the allocations up to the last
// completed collection, so a delta over the attack without one shows what
// the previous attack allocated). They are saved as
// DIR/<scenario>.cpu.pprof and DIR/<scenario>.allocs.pprof (the difference
// of the two heap profiles, made with go tool pprof -base), to read with
//
//	go tool pprof -top DIR/home.cpu.pprof
//	go tool pprof -sample_index=alloc_space -top DIR/home.allocs.pprof
//
// Profiling costs the server a little CPU (sampling at 100 Hz), so the
// figures of a run with -profile are not those of a run without.
type profiler struct {
	dir   string
	base  string // http://127.0.0.1:PORT of fundwatch's --debug-addr
	goBin string
}

// during starts both profiles for d and returns a function that waits for
// them and saves them under scenario's name.
func (p *profiler) during(scenario string, d time.Duration) (wait func() error) {
	seconds := strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
	cpu := filepath.Join(p.dir, scenario+".cpu.pprof")
	heap0, heap1 := filepath.Join(p.dir, scenario+".heap0.pprof"), filepath.Join(p.dir, scenario+".heap1.pprof")
	errHeap0 := p.save("/debug/pprof/heap?gc=1", heap0, d)
	done := make(chan error, 1)
	go func() { done <- p.save("/debug/pprof/profile?seconds="+seconds, cpu, d) }()
	return func() error {
		errCPU := <-done
		if err := errors.Join(errHeap0, p.save("/debug/pprof/heap?gc=1", heap1, d)); err != nil {
			return errors.Join(errCPU, err)
		}
		allocs := filepath.Join(p.dir, scenario+".allocs.pprof")
		out, err := exec.Command(p.goBin, "tool", "pprof", "-proto", "-base", heap0, heap1).Output()
		if err != nil {
			return errors.Join(errCPU, fmt.Errorf("go tool pprof -base %s %s: %w (both kept)", heap0, heap1, err))
		}
		if err := os.WriteFile(allocs, out, 0o644); err != nil {
			return errors.Join(errCPU, err)
		}
		return errors.Join(errCPU, os.Remove(heap0), os.Remove(heap1))
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
