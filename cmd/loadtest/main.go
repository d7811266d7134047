// Command loadtest measures fundwatch at a steady request rate, or with a
// fixed number of clients in a closed loop (-clients), against a baseline
// measured in the same run: a plain Fiber handler that returns a short
// text. Machines here are shared and noisy, so the figures to compare
// between runs are the ratios fundwatch/baseline, not the absolute numbers
// (-baseline-each measures the baseline again right before every target).
//
// It builds fundwatch from this module, runs it and the baseline as separate
// processes on free 127.0.0.1 ports (fundwatch on a temporary data directory
// with the submission and follow-up limits off), attacks each with vegeta for
// a bounded time, prints one table and stops everything. The scenarios
// (-scenarios) are the intake API (POST /api/v1/reports), the follow-up read
// of what it filed, the first page of the admin inbox, filtered or not, for
// a handler of 长春市 and one of the province, the public pages and read
// APIs (home, guide, contact, the report and follow-up forms, the
// disclosure pages, an article, a feed, the statistics, the JSON read API;
// scenarios.go lists them), and search. For the inbox and public scenarios
// -cases cases (100,000) are generated into a fresh store before fundwatch
// starts (and for the public ones a disclosure is published), and the two
// handlers sign in. Run it from the module root:
//
//	go run ./cmd/loadtest                      # every scenario, 200 req/s for 10 s each
//	go run ./cmd/loadtest -scenarios inbox -rate 20
//	go run ./cmd/loadtest -scenarios public -clients 32 -baseline-each   # requests/s against the baseline
//	go run ./cmd/loadtest -scenarios intake,followup -rate 1000   # past saturation on 2 cores
//	go run ./cmd/loadtest -find-max -duration 5s  # raise the rate until a target saturates
//
// See docs/load.md for what the columns mean and the figures of some runs.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// reportJSON is a valid POST /api/v1/reports body (as handlers'
// validReportJSON); every request sends it with its own Idempotency-Key.
const reportJSON = `{
  "kind": "report", "reporterType": "citizen", "anonymous": false,
  "category": "fraudulent_claims", "insuranceTypes": ["pension"], "regionCode": "220281",
  "subject": {"name": "王某某"}, "amountYuan": "126000",
  "description": "王某某的父亲已于2021年去世，家属未办理注销，至今仍在按月领取养老金。",
  "reporter": {"name": "李四", "idNumber": "440524188001015368", "phone": "13900139000"},
  "acknowledgeNotice": true
}`

type options struct {
	rate         int
	duration     time.Duration
	warmup       time.Duration
	pause        time.Duration
	timeout      time.Duration
	workers      uint64
	maxWorkers   uint64
	findMax      bool
	maxSteps     int
	maxP99       time.Duration
	fundwatchBin string
	keep         bool
	scenarios    []string // chosen, in allScenarios order
	cases        int      // cases seeded for the inbox and public scenarios
	clients      int      // > 0: closed loop with this many clients instead of -rate
	baseEach     bool     // measure the baseline again right before each target
	seedDir      string   // where the seed store is written before it is copied
	storeCache   string   // "": generate the store every run; else keep it here and reuse it
	profileDir   string   // "": no profiles; else where each scenario's profiles are saved
}

func main() {
	os.Exit(run())
}

func run() int {
	var o options
	serveBaseline := flag.String("serve-baseline", "", "internal: serve the baseline Fiber app on this address and nothing else")
	flag.IntVar(&o.rate, "rate", 200, "requests per second sent to each target (in -find-max: the first step)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long each target is attacked (in -find-max: each step)")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured warm-up at the same rate before each target; 0 for none")
	flag.DurationVar(&o.pause, "pause", 2*time.Second, "idle time between targets and steps, so one attack's backlog does not spill into the next")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Second, "per-request timeout; a request that takes longer counts as an error")
	flag.Uint64Var(&o.workers, "workers", 10, "initial number of vegeta workers (more are added to hold the rate)")
	flag.Uint64Var(&o.maxWorkers, "max-workers", 512, "upper bound on vegeta workers, i.e. on requests in flight")
	flag.BoolVar(&o.findMax, "find-max", false, "double the rate from -rate each step until a target saturates, and report the highest rate it held")
	flag.IntVar(&o.maxSteps, "max-steps", 6, "in -find-max: at most this many steps per target")
	flag.DurationVar(&o.maxP99, "max-p99", 500*time.Millisecond, "in -find-max: a step with a higher p99 counts as saturated")
	flag.StringVar(&o.fundwatchBin, "fundwatch-bin", "", "use this fundwatch binary instead of building one from the module")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (fundwatch's data and both servers' logs)")
	scenarios := flag.String("scenarios", "all", "comma-separated scenarios to measure against the baseline: "+
		strings.Join(scenarioNames(), ", ")+"; \"inbox\", \"public\" and \"search\" for every scenario of that group, \"all\" for everything")
	flag.IntVar(&o.clients, "clients", 0, "closed loop: this many clients, each sending its next request when the last is answered, for -duration per target (instead of -rate)")
	flag.BoolVar(&o.baseEach, "baseline-each", false, "measure the baseline again right before every target and compare each target with that measurement (on a machine whose load changes from minute to minute)")
	flag.IntVar(&o.cases, "cases", 100000, "cases generated into a fresh store before the run, for the inbox and public scenarios")
	flag.StringVar(&o.seedDir, "seed-dir", defaultSeedDir(), "directory (a tmpfs) the seed store is written in before it is copied to fundwatch's data directory; \"\" writes it in place")
	flag.StringVar(&o.storeCache, "store-cache", "", "keep the generated and indexed store in this directory and copy it from there in later runs with the same -cases and kind of scenarios, instead of generating it again (minutes on a busy machine)")
	flag.StringVar(&o.profileDir, "profile", "", "save fundwatch's CPU profile and allocation profile taken during each scenario's measured attack into this directory (fundwatch runs with --debug-addr on a loopback port); see profile.go")
	flag.Parse()

	if *serveBaseline != "" {
		return runBaseline(*serveBaseline)
	}
	if o.rate <= 0 || o.duration <= 0 || o.maxSteps <= 0 || o.cases <= 0 || o.clients < 0 {
		fmt.Fprintln(os.Stderr, "loadtest: -rate, -duration, -max-steps and -cases must be positive, -clients not negative")
		return 2
	}
	if o.baseEach && o.findMax {
		fmt.Fprintln(os.Stderr, "loadtest: -baseline-each compares at one rate; it does not go with -find-max")
		return 2
	}
	if o.clients > 0 && o.findMax {
		fmt.Fprintln(os.Stderr, "loadtest: -clients (closed loop) and -find-max (rising rates) do not go together")
		return 2
	}
	var err error
	if o.scenarios, err = parseScenarios(*scenarios); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := measure(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		return 1
	}
	return 0
}

// runBaseline is the child process that serves the baseline: Fiber's
// defaults, one route, a short text, no middleware.
func runBaseline(addr string) int {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = app.ShutdownWithTimeout(5 * time.Second)
	}()
	if err := app.Listen(addr); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		return 1
	}
	return 0
}

// server is one child process under test.
type server struct {
	name    string
	cmd     *exec.Cmd
	base    string
	logPath string
	done    chan struct{}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer runs argv (with {addr} replaced by a free 127.0.0.1 port) and
// waits until readyPath answers 200.
func startServer(ctx context.Context, name, dir string, argv []string, readyPath string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := make([]string, len(argv))
	for i, a := range argv {
		args[i] = strings.ReplaceAll(a, "{addr}", addr)
	}
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, cmd: cmd, base: "http://" + addr, logPath: logPath, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(s.done)
	}()
	client := &http.Client{Timeout: time.Second}
	// Two minutes: on a machine busy with other jobs, fundwatch opening a
	// generated 100,000-case store and its index once took more than 30 s.
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited at start (%v); log: %s\n%s", name, cmd.ProcessState, logPath, tail(logPath))
		default:
		}
		if resp, err := client.Get(s.base + readyPath); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("%s not ready on %s within 2 minutes; log: %s", name, s.base, logPath)
}

// stop asks the process to shut down and kills it after 10 s.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// peakRSS is the process's high-water resident set (VmHWM) in KiB, or 0 when
// /proc cannot tell (not Linux, or the process is gone).
func (s *server) peakRSS() int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// cpuTime is the CPU time (user and system) the process has used so far,
// from /proc/PID/stat in clock ticks of 1/100 s (Linux's USER_HZ), or 0
// when /proc cannot tell.
func (s *server) cpuTime() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) is in parentheses and may hold spaces;
	// utime and stime are fields 14 and 15, the 12th and 13th after it.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// selfCPUTime is the CPU time this process has used so far.
func selfCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// perRequest is CPU time per request in microseconds.
func perRequest(cpu time.Duration, requests uint64) float64 {
	if requests == 0 {
		return 0
	}
	return float64(cpu) / float64(time.Microsecond) / float64(requests)
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// buildFundwatch builds the fundwatch command of the module in the current
// directory into dir.
func buildFundwatch(dir string) (string, error) {
	goBin := goCommand()
	out, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run loadtest from inside the fundwatch module (or pass -fundwatch-bin)")
	}
	bin := filepath.Join(dir, "fundwatch")
	cmd := exec.Command(goBin, "build", "-o", bin, "fundwatch/cmd/fundwatch")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build fundwatch: %w\n%s", err, out)
	}
	return bin, nil
}

// goCommand is the go command of the Go installation to build with.
func goCommand() string {
	if p := filepath.Join(runtimeGOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

// runtimeGOROOT is the Go installation to build with: $GOROOT when set, else
// what `go env GOROOT` says.
func runtimeGOROOT() string {
	if r := os.Getenv("GOROOT"); r != "" {
		return r
	}
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		return strings.TrimSpace(string(out))
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// credential is a receipt from the POST attack, reused by the GET attack.
type credential struct{ number, code string }

type credPool struct {
	mu    sync.Mutex
	creds []credential
}

func (p *credPool) add(body []byte) {
	var r struct{ Number, AccessCode string }
	if json.Unmarshal(body, &r) != nil || r.Number == "" {
		return
	}
	p.mu.Lock()
	if len(p.creds) < 20000 {
		p.creds = append(p.creds, credential{r.Number, r.AccessCode})
	}
	p.mu.Unlock()
}

func (p *credPool) snapshot() []credential {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]credential(nil), p.creds...)
}

// target is one thing to attack: a server and the requests to send it.
type target struct {
	name     string
	scenario string // its -scenarios name: the name of its profiles
	srv      *server
	maxBody  int64
	targeter func() vegeta.Targeter
	onResult func(*vegeta.Result)
	// expect, when set, is the only status that counts as a success: a
	// signed-out inbox answers 303 to the sign-in page, which vegeta would
	// count as one.
	expect int
	// settle, when set, waits after each attack for the work the attack
	// left behind (the search index of new cases): that work is part of
	// what a request costs, and the next attack must not inherit it.
	settle func(ctx context.Context) error
}

// row is the outcome of one attack at one rate (or, closed loop, with
// -clients clients).
type row struct {
	target string
	rate   int // 0 in a closed loop
	m      vegeta.Metrics
	errors uint64
	codes  string
	topErr string
	rssKiB int64
	// CPU time the server process and this process (the load generator)
	// used during the attack, from /proc and getrusage.
	serverCPU, clientCPU time.Duration
	stopped              bool
	ok                   uint64 // answers with the expected status
	// With a target's settle: how long after the attack the work it left
	// behind was done, and the server's CPU time until then (beside
	// serverCPU, which is the attack's only); settleErr when it was not.
	settled, settleCPU time.Duration
	settleErr          error
}

func (r row) saturated(o options) bool {
	return r.m.Success < 0.99 || r.m.Throughput < 0.9*float64(r.rate) || r.m.Latencies.P99 > o.maxP99
}

// attack sends rate req/s to t for du and returns the metrics; with
// -clients it runs a closed loop instead: that many workers, each sending
// its next request as soon as the last one is answered (vegeta's infinite
// rate with a fixed number of workers).
func attack(ctx context.Context, o options, t target, rate int, du time.Duration, name string) row {
	workers, maxWorkers, pace := o.workers, o.maxWorkers, vegeta.Rate{Freq: rate, Per: time.Second}
	if o.clients > 0 {
		workers, maxWorkers, pace, rate = uint64(o.clients), uint64(o.clients), vegeta.Rate{}, 0
	}
	a := vegeta.NewAttacker(
		vegeta.Workers(workers),
		vegeta.MaxWorkers(maxWorkers),
		vegeta.Timeout(o.timeout),
		vegeta.KeepAlive(true),
		vegeta.MaxBody(t.maxBody),
		vegeta.Redirects(vegeta.NoFollow),
	)
	serverBefore, clientBefore := t.srv.cpuTime(), selfCPUTime()
	res := a.Attack(t.targeter(), pace, du, name)
	r := row{target: t.name, rate: rate}
	errs := map[string]int{}
	for {
		select {
		case <-ctx.Done():
			a.Stop()
			r.stopped = true
			for range res {
			}
			r.m.Close()
			return r
		case x, ok := <-res:
			if !ok {
				r.m.Close()
				if t.expect != 0 && r.m.Requests > 0 {
					r.m.Success = float64(r.ok) / float64(r.m.Requests)
				}
				r.rssKiB = t.srv.peakRSS()
				r.serverCPU, r.clientCPU = t.srv.cpuTime()-serverBefore, selfCPUTime()-clientBefore
				if t.settle != nil {
					start, cpu := time.Now(), t.srv.cpuTime()
					r.settleErr = t.settle(ctx)
					r.settled, r.settleCPU = time.Since(start), t.srv.cpuTime()-cpu
				}
				var codes []string
				for c, n := range r.m.StatusCodes {
					codes = append(codes, fmt.Sprintf("%s×%d", c, n))
				}
				sort.Strings(codes)
				r.codes = strings.Join(codes, " ")
				best := 0
				for e, n := range errs {
					if n > best || (n == best && e < r.topErr) {
						r.topErr, best = e, n
					}
				}
				return r
			}
			if t.expect != 0 && x.Error == "" && int(x.Code) != t.expect {
				x.Error = fmt.Sprintf("status %d, want %d", x.Code, t.expect)
			}
			if t.expect == 0 || int(x.Code) == t.expect {
				r.ok++
			}
			r.m.Add(x)
			if x.Error != "" {
				r.errors++
				errs[x.Error]++
			}
			if t.onResult != nil {
				t.onResult(x)
			}
		}
	}
}

func measure(ctx context.Context, o options) error {
	dir, err := os.MkdirTemp("", "fundwatch-load-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "loadtest: keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	self, err := os.Executable()
	if err != nil {
		return err
	}
	bin := o.fundwatchBin
	if bin == "" {
		fmt.Fprintln(os.Stderr, "loadtest: building fundwatch …")
		if bin, err = buildFundwatch(dir); err != nil {
			return err
		}
	}
	dataDir := filepath.Join(dir, "data")
	var storeInfo string // what the store is, for the summary; "" when none was made
	searching := slices.ContainsFunc(o.scenarios, isSearch)
	if slices.ContainsFunc(o.scenarios, isInbox) || slices.ContainsFunc(o.scenarios, isPublic) || searching {
		plan := seedPlan{cases: o.cases, disclosure: slices.ContainsFunc(o.scenarios, isPublic) || searching}
		cache := storeCache{dir: o.storeCache}
		if info, ok, err := cache.load(plan, dataDir); err != nil {
			return fmt.Errorf("-store-cache: %w", err)
		} else if ok {
			storeInfo = info
			fmt.Fprintf(os.Stderr, "loadtest: store copied from %s: %s\n", o.storeCache, info)
		} else {
			if storeInfo, err = generateStore(ctx, o, bin, dataDir, plan); err != nil {
				return err
			}
			if err := cache.save(plan, dataDir, storeInfo); err != nil {
				return fmt.Errorf("-store-cache: %w", err)
			}
		}
	}
	base, err := startServer(ctx, "baseline", dir, []string{self, "-serve-baseline", "{addr}"}, "/")
	if err != nil {
		return err
	}
	defer base.stop()
	metricsAddr, err := freeAddr()
	if err != nil {
		return err
	}
	fwArgs := []string{bin, "serve", "--addr", "{addr}", "--metrics-addr", metricsAddr,
		"--data", dataDir, "--submit-limit", "-1", "--followup-limit", "-1", "--search-limit", "-1"}
	var prof *profiler
	if o.profileDir != "" {
		if err := os.MkdirAll(o.profileDir, 0o755); err != nil {
			return err
		}
		debugAddr, err := freeAddr()
		if err != nil {
			return err
		}
		fwArgs = append(fwArgs, "--debug-addr", debugAddr)
		prof = &profiler{dir: o.profileDir, base: "http://" + debugAddr, goBin: goCommand()}
	}
	fw, err := startServer(ctx, "fundwatch", dir, fwArgs, "/readyz")
	if err != nil {
		return err
	}
	defer fw.stop()

	pool := &credPool{}
	var seq atomic.Uint64
	keyPrefix := fmt.Sprintf("load-%d-%08x", time.Now().Unix(), rand.Uint32())
	targets := []target{{
		name: "baseline GET /", srv: base, maxBody: 0,
		targeter: func() vegeta.Targeter {
			return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: base.base + "/"})
		},
	}}
	var inboxInfo, publicInfo []string
	sessions := map[string]string{} // username → session cookie
	for _, sc := range o.scenarios {
		switch {
		case sc == "intake":
			targets = append(targets, target{
				name: "fundwatch POST /api/v1/reports", srv: fw, maxBody: 4096,
				targeter: func() vegeta.Targeter {
					body := []byte(reportJSON)
					return func(t *vegeta.Target) error {
						t.Method, t.URL, t.Body = http.MethodPost, fw.base+"/api/v1/reports", body
						t.Header = http.Header{
							"Content-Type":    {"application/json"},
							"Idempotency-Key": {fmt.Sprintf("%s-%010d", keyPrefix, seq.Add(1))},
						}
						return nil
					}
				},
				onResult: func(r *vegeta.Result) {
					if r.Code == http.StatusCreated {
						pool.add(r.Body)
					}
				},
				settle: func(ctx context.Context) error {
					return waitIndexed(ctx, "http://"+metricsAddr+"/metrics", time.Minute)
				},
			})
		case sc == "followup":
			targets = append(targets, target{
				name: "fundwatch GET /api/v1/reports/{n}", srv: fw, maxBody: 0,
				targeter: func() vegeta.Targeter {
					creds := pool.snapshot()
					var i atomic.Uint64
					return func(t *vegeta.Target) error {
						if len(creds) == 0 {
							return errors.New("no receipts to follow up: every POST failed")
						}
						c := creds[(i.Add(1)-1)%uint64(len(creds))]
						t.Method, t.URL, t.Body = http.MethodGet, fw.base+"/api/v1/reports/"+c.number, nil
						t.Header = http.Header{"X-Access-Code": {c.code}}
						return nil
					}
				},
			})
		case isSearch(sc):
			ss := searchScenarios[sc]
			var cookie string
			if ss.user != "" {
				var ok bool
				if cookie, ok = sessions[ss.user]; !ok {
					if cookie, err = signIn(fw.base, ss.user, loadPassword); err != nil {
						return fmt.Errorf("%s: %w", sc, err)
					}
					sessions[ss.user] = cookie
				}
			}
			urls := make([]string, len(ss.queries))
			for i, q := range ss.queries {
				urls[i] = fw.base + ss.path + "?q=" + neturl.QueryEscape(q)
				if _, err := checkSearch(urls[i], cookie); err != nil {
					// Measured all the same (an empty search costs too),
					// but said.
					fmt.Fprintf(os.Stderr, "loadtest: %s: %v\n", sc, err)
				}
			}
			publicInfo = append(publicInfo, fmt.Sprintf("  %s: %s", ss.label(), ss.what))
			targets = append(targets, target{
				name: ss.label(), srv: fw, maxBody: 0, expect: http.StatusOK,
				targeter: func() vegeta.Targeter {
					var i atomic.Uint64
					return func(t *vegeta.Target) error {
						t.Method, t.URL, t.Body = http.MethodGet, urls[(i.Add(1)-1)%uint64(len(urls))], nil
						t.Header = http.Header{"Accept-Encoding": {browserAcceptEncoding}}
						if cookie != "" {
							t.Header.Set("Cookie", cookie)
						}
						return nil
					}
				},
			})
		case isPublic(sc):
			ps := publicScenarios[sc]
			path := ps.path
			if ps.find != nil {
				if path, err = ps.find(fw.base); err != nil {
					return fmt.Errorf("%s: %w", sc, err)
				}
			}
			url := fw.base + path
			info, err := checkPublic(url)
			if err != nil {
				return fmt.Errorf("%s: %w", sc, err)
			}
			publicInfo = append(publicInfo, fmt.Sprintf("  %s: %s;\n    %s", ps.label(), ps.what, info))
			targets = append(targets, target{
				name: ps.label(), srv: fw, maxBody: 0, expect: http.StatusOK,
				targeter: func() vegeta.Targeter {
					return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: url,
						Header: http.Header{"Accept-Encoding": {browserAcceptEncoding}}})
				},
			})
		default:
			in := inboxScenarios[sc]
			cookie, ok := sessions[in.user]
			if !ok {
				if cookie, err = signIn(fw.base, in.user, loadPassword); err != nil {
					return fmt.Errorf("%s: %w", sc, err)
				}
				sessions[in.user] = cookie
			}
			url := fw.base + in.path
			total, err := checkInbox(url, cookie)
			if err != nil {
				return fmt.Errorf("%s: %w", sc, err)
			}
			inboxInfo = append(inboxInfo, fmt.Sprintf("  %s (%s): %d cases match", in.label(), in.who, total))
			targets = append(targets, target{
				name: in.label(), srv: fw, maxBody: 0, expect: http.StatusOK,
				targeter: func() vegeta.Targeter {
					return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: url,
						Header: http.Header{"Cookie": {cookie}}})
				},
			})
		}
		targets[len(targets)-1].scenario = sc
	}

	started := time.Now()
	fmt.Fprintf(os.Stderr, "loadtest: %d CPUs, GOMAXPROCS %d; baseline pid %d on %s, fundwatch pid %d on %s\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), base.cmd.Process.Pid, base.base, fw.cmd.Process.Pid, fw.base)
	var rows []row
	best := map[string]row{}
	unsaturated := map[string]bool{} // held every step of -find-max
	paired := map[string]row{}       // with -baseline-each: the baseline measured right before each target
	for i, t := range targets {
		if i > 0 {
			time.Sleep(o.pause)
		}
		if i > 0 && o.baseEach {
			if o.warmup > 0 {
				attack(ctx, o, targets[0], o.rate, o.warmup, "warmup")
			}
			fmt.Fprintf(os.Stderr, "loadtest: %s again, before %s …\n", targets[0].name, t.name)
			r := attack(ctx, o, targets[0], o.rate, o.duration, targets[0].name)
			if r.stopped {
				return ctx.Err()
			}
			rows = append(rows, r)
			paired[t.name] = r
			time.Sleep(o.pause)
		}
		if o.warmup > 0 {
			attack(ctx, o, t, o.rate, o.warmup, "warmup")
		}
		rate := o.rate
		for step := 0; step < o.maxSteps; step++ {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if o.clients > 0 {
				fmt.Fprintf(os.Stderr, "loadtest: %s, %d clients in a closed loop for %v …\n", t.name, o.clients, o.duration)
			} else {
				fmt.Fprintf(os.Stderr, "loadtest: %s at %d req/s for %v …\n", t.name, rate, o.duration)
			}
			var saveProfiles func() error
			if prof != nil && t.scenario != "" {
				name := t.scenario
				if o.findMax {
					name += "-" + strconv.Itoa(rate)
				}
				saveProfiles = prof.during(name, o.duration)
			}
			r := attack(ctx, o, t, rate, o.duration, t.name)
			if saveProfiles != nil {
				if err := saveProfiles(); err != nil {
					return fmt.Errorf("profiles of %s: %w", t.scenario, err)
				}
			}
			if r.stopped {
				return ctx.Err()
			}
			rows = append(rows, r)
			if !o.findMax {
				best[t.name] = r
				break
			}
			if r.saturated(o) {
				break
			}
			best[t.name] = r
			if step == o.maxSteps-1 {
				unsaturated[t.name] = true
			}
			rate *= 2
			time.Sleep(o.pause)
		}
	}

	fmt.Printf("\nfundwatch load test, %s, %d CPUs, %v per step, warm-up %v, took %v\n\n",
		started.Format("2006-01-02 15:04 MST"), runtime.NumCPU(), o.duration, o.warmup, time.Since(started).Round(time.Second))
	if storeInfo != "" {
		fmt.Printf("store: %s\n", storeInfo)
		if len(inboxInfo) > 0 {
			fmt.Println("inbox pages (first page, 50 rows):")
			for _, l := range inboxInfo {
				fmt.Println(l)
			}
		}
		if len(publicInfo) > 0 {
			fmt.Printf("public pages, asked for with Accept-Encoding %q:\n", browserAcceptEncoding)
			for _, l := range publicInfo {
				fmt.Println(l)
			}
		}
		fmt.Println()
	}
	if o.clients > 0 {
		fmt.Printf("closed loop: %d clients per target, each sending its next request when the last is answered\n\n", o.clients)
	}
	if prof != nil {
		fmt.Printf("profiles of fundwatch during each attack in %s (<scenario>.cpu.pprof, <scenario>.allocs.pprof); profiling costs the server some CPU, so these figures are not those of a run without -profile\n\n", o.profileDir)
	}
	rateHeader := "rate"
	if o.clients > 0 {
		rateHeader = "clients"
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\t"+rateHeader+"\trequests\tthroughput/s\tp50\tp99\tmax\tsuccess\terrors\tpeak RSS\tserver CPU\tclient CPU")
	for _, r := range rows {
		rate := r.rate
		if o.clients > 0 {
			rate = o.clients
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%s\t%s\t%s\t%.2f%%\t%d\t%.1f MiB\t%.1fµs/req\t%.1fµs/req\n",
			r.target, rate, r.m.Requests, r.m.Throughput, ms(r.m.Latencies.P50), ms(r.m.Latencies.P99),
			ms(r.m.Latencies.Max), 100*r.m.Success, r.errors, float64(r.rssKiB)/1024,
			perRequest(r.serverCPU, r.m.Requests), perRequest(r.clientCPU, r.m.Requests))
	}
	tw.Flush()
	fmt.Println()
	for _, r := range rows {
		switch {
		case r.settleErr != nil:
			fmt.Printf("%s: the search index did not catch up after the attack: %v\n", r.target, r.settleErr)
		case r.settled > 0:
			fmt.Printf("%s: the search index held every new case %.1f s after the attack; server CPU counting that catch-up %.1fµs/req\n",
				r.target, r.settled.Seconds(), perRequest(r.serverCPU+r.settleCPU, r.m.Requests))
		}
	}
	for _, r := range rows {
		if r.errors > 0 {
			at := fmt.Sprintf("at %d/s", r.rate)
			if o.clients > 0 {
				at = fmt.Sprintf("with %d clients", o.clients)
			}
			fmt.Printf("%s %s: status codes %s; most frequent error: %s\n", r.target, at, r.codes, r.topErr)
		}
	}

	width := 0
	for _, t := range targets {
		width = max(width, utf8.RuneCountInString(t.name))
	}
	pad := func(s string) string { return s + strings.Repeat(" ", width-utf8.RuneCountInString(s)) }
	b, ok := best[targets[0].name]
	if !ok {
		fmt.Println("the baseline saturated at the first rate; no ratios")
		return nil
	}
	against := func(name string) row {
		if p, ok := paired[name]; ok {
			return p
		}
		return b
	}
	if o.baseEach {
		fmt.Println("each target is compared with the baseline row right above it")
	}
	if o.clients > 0 {
		fmt.Printf("ratios fundwatch/baseline with the same %d clients:\n", o.clients)
		for _, t := range targets[1:] {
			r, b := best[t.name], against(t.name)
			fmt.Printf("  %s  throughput ×%.2f   p50 ×%.1f   p99 ×%.1f   peak RSS ×%.1f   server CPU/req ×%.1f\n", pad(t.name),
				r.m.Throughput/b.m.Throughput, ratio(r.m.Latencies.P50, b.m.Latencies.P50),
				ratio(r.m.Latencies.P99, b.m.Latencies.P99), float64(r.rssKiB)/float64(max(b.rssKiB, 1)),
				cpuRatio(r, b))
		}
		return nil
	}
	if !o.findMax {
		fmt.Println("ratios fundwatch/baseline at the same rate:")
		for _, t := range targets[1:] {
			r, b := best[t.name], against(t.name)
			fmt.Printf("  %s  throughput ×%.2f   p99 ×%.1f   peak RSS ×%.1f   server CPU/req ×%.1f\n", pad(t.name),
				r.m.Throughput/b.m.Throughput, ratio(r.m.Latencies.P99, b.m.Latencies.P99),
				float64(r.rssKiB)/float64(max(b.rssKiB, 1)), cpuRatio(r, b))
		}
		return nil
	}
	// In -find-max the capacity ratio compares the highest rates held, and
	// the p99 ratio compares fundwatch at its highest rate with the baseline
	// at that same rate (both ramps start at -rate and double).
	held := func(name string) string {
		r, ok := best[name]
		switch {
		case !ok:
			return fmt.Sprintf("below %d req/s", o.rate)
		case unsaturated[name]:
			return fmt.Sprintf("≥ %d req/s (held every step; raise -max-steps)", r.rate)
		}
		return fmt.Sprintf("%d req/s", r.rate)
	}
	fmt.Printf("highest rate held (success ≥ 99%%, throughput ≥ 90%% of rate, p99 ≤ %v):\n", o.maxP99)
	for _, t := range targets {
		fmt.Printf("  %s  %s\n", pad(t.name), held(t.name))
	}
	fmt.Println("ratios fundwatch/baseline:")
	for _, t := range targets[1:] {
		r, ok := best[t.name]
		if !ok {
			fmt.Printf("  %s  held no step; start lower with -rate\n", pad(t.name))
			continue
		}
		bound := ""
		if unsaturated[b.target] {
			bound = "≤ "
		}
		line := fmt.Sprintf("  %s  capacity %s×%.2f", pad(t.name), bound, float64(r.rate)/float64(b.rate))
		for _, br := range rows {
			if br.target == b.target && br.rate == r.rate {
				line += fmt.Sprintf("   p99 at %d req/s ×%.1f", r.rate, ratio(r.m.Latencies.P99, br.m.Latencies.P99))
			}
		}
		fmt.Println(line)
	}
	return nil
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(max(b, 1)) }

// waitIndexed polls fundwatch's metrics until its search index backlog of
// cases is 0, for at most limit.
func waitIndexed(ctx context.Context, metricsURL string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		n, err := indexBacklog(ctx, metricsURL)
		if err == nil && n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("%d cases still pending", n)
			}
			return fmt.Errorf("after %v: %w", limit, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// indexBacklog reads fundwatch_search_index_backlog{area="cases"} from a
// Prometheus text page.
func indexBacklog(ctx context.Context, metricsURL string) (int, error) {
	resp, body, err := getPage(ctx, metricsURL, nil)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", metricsURL, resp.Status)
	}
	const series = `fundwatch_search_index_backlog{area="cases"} `
	for line := range strings.Lines(string(body)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), series); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("no %s in %s", strings.TrimSpace(series), metricsURL)
}

// cpuRatio compares the server CPU time per request of two rows.
func cpuRatio(r, b row) float64 {
	return perRequest(r.serverCPU, r.m.Requests) / max(perRequest(b.serverCPU, b.m.Requests), 1e-9)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}
