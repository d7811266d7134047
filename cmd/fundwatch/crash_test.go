package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/search"
	searchbleve "fundwatch/search/bleve"
	"fundwatch/store"
	"fundwatch/store/mongo"
	"fundwatch/store/sqlite"
)

// crashReportJSON is a valid POST /api/v1/reports body (the same as
// handlers' validReportJSON). Every submission sends it unchanged, so a retry
// with the same Idempotency-Key is a true replay.
const crashReportJSON = `{
  "kind": "report", "reporterType": "citizen", "anonymous": false,
  "category": "fraudulent_claims", "insuranceTypes": ["pension"], "regionCode": "220281",
  "subject": {"name": "王某某"}, "amountYuan": "126000",
  "description": "王某某的父亲已于2021年去世，家属未办理注销，至今仍在按月领取养老金。",
  "reporter": {"name": "李四", "idNumber": "440524188001015368", "phone": "13900139000"},
  "acknowledgeNotice": true
}`

// crashReceipt is what a client holds after a 201: the promise that the case
// is stored and can be followed up with this number and code.
type crashReceipt struct {
	Number, Code, Key string
	Cycle             int
}

// crashLedger is the client's memory across all cycles: every receipt it got,
// and every key whose request was in flight when the server died (the case
// may or may not be stored; the client does not know).
type crashLedger struct {
	mu        sync.Mutex
	byKey     map[string]crashReceipt
	stored    map[string]crashReceipt // byKey by the stored form of the key
	byNumber  map[string]string       // number → key
	uncertain map[string]bool         // keys sent without an answer
	dupes     []string
}

func newCrashLedger() *crashLedger {
	return &crashLedger{byKey: map[string]crashReceipt{}, byNumber: map[string]string{}, uncertain: map[string]bool{}}
}

// add records a receipt and notes any number handed out for a second key, or
// a key answered with a second number.
func (l *crashLedger) add(r crashReceipt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if prev, ok := l.byKey[r.Key]; ok && (prev.Number != r.Number || prev.Code != r.Code) {
		l.dupes = append(l.dupes, fmt.Sprintf("key %s answered %s/%s, earlier %s/%s", r.Key, r.Number, r.Code, prev.Number, prev.Code))
	}
	if k, ok := l.byNumber[r.Number]; ok && k != r.Key {
		l.dupes = append(l.dupes, fmt.Sprintf("number %s handed out twice: keys %s (cycle %d) and %s", r.Number, k, l.byKey[k].Cycle, r.Key))
	}
	if _, ok := l.byKey[r.Key]; !ok {
		l.byKey[r.Key] = r
	}
	l.byNumber[r.Number] = r.Key
	delete(l.uncertain, r.Key)
}

func (l *crashLedger) receipts() []crashReceipt {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]crashReceipt, 0, len(l.byKey))
	for _, r := range l.byKey {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

func (l *crashLedger) uncertainKeys() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.uncertain))
	for k := range l.uncertain {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestCrashConsistency runs the real binary on one data directory, drives
// concurrent submissions, kills it with SIGKILL at random moments (and once
// right after a receipt was read), restarts it and checks that every receipt
// ever issued is still retrievable with its code, that no number was handed
// out twice, that a retried submission replays its receipt, and finally that
// the stored numbers are exactly 1..N per year. FUNDWATCH_CRASH_SEED replays a
// run; FUNDWATCH_CRASH_CYCLES changes the number of kills.
func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("crash-consistency test builds and kills the real binary; skipped with -short")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("FUNDWATCH_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("FUNDWATCH_CRASH_SEED=%q: %v", s, err)
		}
		seed = n
	}
	cycles := 8
	if s := os.Getenv("FUNDWATCH_CRASH_CYCLES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("FUNDWATCH_CRASH_CYCLES=%q: want a positive number", s)
		}
		cycles = n
	}
	t.Logf("seed %d (rerun with FUNDWATCH_CRASH_SEED=%d), %d cycles", seed, seed, cycles)
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))

	tmp := t.TempDir()
	bin := crashBuild(t, tmp)
	// With FUNDWATCH_TEST_STORE=mongo the killed server writes to MongoDB
	// (an embedded FerretDB lives in this test process and survives the kills).
	storeArgs := testStoreArgs(t)
	data := filepath.Join(tmp, "data")
	ledger := newCrashLedger()
	// The bounded form (CI) stops after 90 s; a number of cycles asked for
	// by hand (the long form, docs/crash.md) runs them all.
	budget := time.Now().Add(90 * time.Second)
	if os.Getenv("FUNDWATCH_CRASH_CYCLES") != "" {
		budget = time.Now().Add(24 * time.Hour)
	}

	var kills, afterReceiptKills, sent, inFlight, replays int
	var lastKey string // the receipt read right before a kill
	for cycle := 0; cycle < cycles; cycle++ {
		if cycle > 2 && time.Now().After(budget) {
			t.Logf("time budget spent; stopping after %d cycles", cycle)
			break
		}
		if cycle > 0 {
			crashCheckIntegrity(t, data, storeArgs)
		}
		srv := crashStart(t, bin, data, filepath.Join(tmp, fmt.Sprintf("server-%02d.log", cycle)), storeArgs...)
		// What the previous cycles promised must have survived the kill.
		crashVerifyReceipts(t, srv, ledger.receipts())
		if lastKey != "" {
			if crashReplay(t, srv, ledger, lastKey, cycle) {
				replays++
			}
		}
		if t.Failed() {
			srv.kill()
			t.FailNow()
		}

		// Every other cycle dies right after the k-th receipt was read;
		// the others at a random moment while requests are in flight.
		afterReceipt := cycle%2 == 1
		killAfter := 1 + rng.IntN(400)
		killAt := time.Duration(20+rng.IntN(3500)) * time.Millisecond
		workers := 4 + rng.IntN(5)
		if afterReceipt {
			t.Logf("cycle %d: %d workers, kill right after receipt #%d", cycle, workers, killAfter)
		} else {
			t.Logf("cycle %d: %d workers, kill after %v", cycle, workers, killAt)
		}
		res := crashDrive(t, srv, ledger, cycle, workers, afterReceipt, killAfter, killAt)
		kills++
		if afterReceipt && res.killedAfterReceipt {
			afterReceiptKills++
		}
		sent += res.sent
		inFlight += res.inFlight
		if res.lastKey != "" {
			lastKey = res.lastKey
		}
		t.Logf("cycle %d: sent %d, receipts %d, in flight at kill %d, killed %v after start of load",
			cycle, res.sent, res.receipts, res.inFlight, res.killedAfter.Round(time.Millisecond))
		if res.unexpected != "" {
			t.Errorf("cycle %d: unexpected answer before the kill: %s", cycle, res.unexpected)
		}
	}

	// Final restart: every receipt is there, the last one replays, and every
	// request that died in flight is resolved by retrying it, as a client would.
	srv := crashStart(t, bin, data, filepath.Join(tmp, "server-final.log"), storeArgs...)
	crashVerifyReceipts(t, srv, ledger.receipts())
	if lastKey != "" && crashReplay(t, srv, ledger, lastKey, cycles) {
		replays++
	}
	var resolvedStored, resolvedNew int
	for _, key := range ledger.uncertainKeys() {
		status, r, err := crashPost(srv.client, srv.base, key)
		switch {
		case err != nil:
			t.Errorf("retry of in-flight key %s: %v", key, err)
		case status == http.StatusOK:
			resolvedStored++
		case status == http.StatusCreated:
			resolvedNew++
		default:
			t.Errorf("retry of in-flight key %s: status %d", key, status)
		}
		if err == nil && (status == http.StatusOK || status == http.StatusCreated) {
			ledger.add(crashReceipt{Number: r.Number, Code: r.AccessCode, Key: key, Cycle: cycles})
		}
	}
	srv.stop(t)

	for _, d := range ledger.dupes {
		t.Error(d)
	}
	crashCheckIntegrity(t, data, storeArgs)
	crashCheckSearch(t, crashOpenStore(t, data, storeArgs), data, ledger)
	crashCheckStore(t, crashOpenStore(t, data, storeArgs), len(storeArgs) > 0, ledger, crashKeyring(t, data))
	t.Logf("figures: %d cycles, %d kills (%d right after a receipt), %d submissions sent, %d receipts (201) kept, "+
		"%d requests in flight at kills (on retry: %d had been stored, %d had not), %d idempotent replays after restart, %d distinct numbers",
		kills, kills, afterReceiptKills, sent, len(ledger.receipts())-resolvedNew-resolvedStored, inFlight,
		resolvedStored, resolvedNew, replays, len(ledger.byNumber))
}

// crashBuild builds this command into dir once, with the go tool that
// runs the test.
func crashBuild(t *testing.T, dir string) string {
	t.Helper()
	goBin := "go"
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); crashFileExists(p) {
			goBin = p
		}
	}
	if goBin == "go" {
		if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
			if p := filepath.Join(strings.TrimSpace(string(out)), "bin", "go"); crashFileExists(p) {
				goBin = p
			}
		}
	}
	bin := filepath.Join(dir, "fundwatch")
	start := time.Now()
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built %s in %v", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

func crashFileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// crashServer is one run of the binary.
type crashServer struct {
	cmd     *exec.Cmd
	base    string
	client  *http.Client
	logPath string
	done    chan struct{}
	killed  atomic.Bool
}

// kill sends SIGKILL (once) and waits for the process to be gone.
func (s *crashServer) kill() {
	if s.killed.CompareAndSwap(false, true) {
		_ = s.cmd.Process.Kill()
	}
	<-s.done
	s.client.CloseIdleConnections()
}

// stop asks for a graceful shutdown and fails if the process does not exit 0.
func (s *crashServer) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.kill()
		t.Errorf("fundwatch did not stop within 20s of SIGTERM; killed")
		return
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("fundwatch exited %d after SIGTERM\n%s", code, crashTail(s.logPath, 2000))
	}
	s.client.CloseIdleConnections()
}

// crashStart starts the binary on a free port and waits for /readyz.
func crashStart(t *testing.T, bin, data, logPath string, storeArgs ...string) *crashServer {
	t.Helper()
	for attempt := 0; ; attempt++ {
		srv, err := crashTryStart(bin, data, logPath, storeArgs...)
		if err == nil {
			t.Cleanup(srv.kill)
			return srv
		}
		if attempt == 2 {
			t.Fatalf("start fundwatch: %v\n%s", err, crashTail(logPath, 4000))
		}
	}
}

func crashTryStart(bin, data, logPath string, storeArgs ...string) (*crashServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--addr", addr, "--data", data, "--submit-limit", "-1", "--followup-limit", "-1"}, storeArgs...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "FUNDWATCH_DEMO=false")
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	srv := &crashServer{
		cmd:     cmd,
		base:    "http://" + addr,
		logPath: logPath,
		done:    make(chan struct{}),
		client: &http.Client{
			Timeout:   15 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true},
		},
	}
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(srv.done)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-srv.done:
			return nil, fmt.Errorf("fundwatch exited before it was ready: %v", cmd.ProcessState)
		default:
		}
		resp, err := srv.client.Get(srv.base + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return srv, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	srv.kill()
	return nil, errors.New("fundwatch not ready within 30s")
}

type crashReceiptBody struct {
	Number     string `json:"number"`
	AccessCode string `json:"accessCode"`
	Status     string `json:"status"`
}

// crashPost files the report with the given Idempotency-Key and returns the
// status and, for 200/201, the receipt. A 200 must say Idempotent-Replayed.
func crashPost(client *http.Client, base, key string) (int, crashReceiptBody, error) {
	var r crashReceiptBody
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/reports", strings.NewReader(crashReportJSON))
	if err != nil {
		return 0, r, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		return 0, r, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, r, err
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return resp.StatusCode, r, fmt.Errorf("status %d: %s", resp.StatusCode, crashClip(body, 300))
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Number == "" || r.AccessCode == "" {
		return resp.StatusCode, r, fmt.Errorf("status %d with no receipt: %s", resp.StatusCode, crashClip(body, 300))
	}
	if resp.StatusCode == http.StatusOK && resp.Header.Get("Idempotent-Replayed") != "true" {
		return resp.StatusCode, r, fmt.Errorf("200 without Idempotent-Replayed: true")
	}
	return resp.StatusCode, r, nil
}

type crashDriveResult struct {
	sent, receipts, inFlight int
	killedAfter              time.Duration
	killedAfterReceipt       bool
	lastKey                  string
	unexpected               string
}

// crashDrive posts reports from several goroutines until the server is
// killed: after killAt, or (afterReceipt) by the goroutine that has just read
// the killAfter-th receipt, before it does anything else.
func crashDrive(t *testing.T, srv *crashServer, ledger *crashLedger, cycle, workers int,
	afterReceipt bool, killAfter int, killAt time.Duration) crashDriveResult {
	t.Helper()
	var (
		mu         sync.Mutex
		res        crashDriveResult
		receipts   atomic.Int64
		stopped    = make(chan struct{})
		stopOnce   sync.Once
		start      = time.Now()
		wg         sync.WaitGroup
		killedWhen time.Duration
	)
	killNow := func(key string, byReceipt bool) {
		stopOnce.Do(func() {
			killedWhen = time.Since(start)
			srv.killed.Store(true)
			_ = srv.cmd.Process.Kill()
			close(stopped)
			mu.Lock()
			res.killedAfterReceipt = byReceipt
			if key != "" {
				res.lastKey = key
			}
			mu.Unlock()
		})
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stopped:
					return
				default:
				}
				key := fmt.Sprintf("crash-c%02d-w%02d-%06d-%08x", cycle, w, n, rand.Uint32())
				ledger.mu.Lock()
				ledger.uncertain[key] = true
				ledger.mu.Unlock()
				mu.Lock()
				res.sent++
				mu.Unlock()
				status, r, err := crashPost(srv.client, srv.base, key)
				if err == nil && status == http.StatusCreated {
					ledger.add(crashReceipt{Number: r.Number, Code: r.AccessCode, Key: key, Cycle: cycle})
					got := receipts.Add(1)
					if afterReceipt && got == int64(killAfter) {
						killNow(key, true)
						return
					}
					mu.Lock()
					res.lastKey = key
					mu.Unlock()
					continue
				}
				if srv.killed.Load() {
					// The server died under this request: its fate is unknown.
					// (killed is set before the SIGKILL, so no error caused by
					// the kill gets past this check.)
					return
				}
				// An answer other than a receipt while the server was up.
				ledger.mu.Lock()
				delete(ledger.uncertain, key)
				ledger.mu.Unlock()
				mu.Lock()
				if res.unexpected == "" {
					res.unexpected = fmt.Sprintf("key %s: status %d: %v", key, status, err)
				}
				mu.Unlock()
				if err != nil && status == 0 {
					// A transport error while the server should be up:
					// keep the key as uncertain and stop this worker.
					ledger.mu.Lock()
					ledger.uncertain[key] = true
					ledger.mu.Unlock()
					return
				}
			}
		}()
	}
	if afterReceipt {
		// Should the k-th receipt never come, kill anyway.
		killAt = 20 * time.Second
	}
	timer := time.AfterFunc(killAt, func() { killNow("", false) })
	wg.Wait()
	timer.Stop()
	killNow("", false)
	<-srv.done
	srv.client.CloseIdleConnections()

	res.receipts = int(receipts.Load())
	res.killedAfter = killedWhen
	ledger.mu.Lock()
	for k := range ledger.uncertain {
		if strings.HasPrefix(k, fmt.Sprintf("crash-c%02d-", cycle)) {
			res.inFlight++
		}
	}
	ledger.mu.Unlock()
	return res
}

// crashVerifyReceipts follows up every receipt with its code: 200, same number,
// status received.
func crashVerifyReceipts(t *testing.T, srv *crashServer, receipts []crashReceipt) {
	t.Helper()
	var (
		mu       sync.Mutex
		problems []string
		next     atomic.Int64
		wg       sync.WaitGroup
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(receipts) {
					return
				}
				r := receipts[i]
				if p := crashFollowUp(srv, r); p != "" {
					mu.Lock()
					problems = append(problems, p)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	sort.Strings(problems)
	for i, p := range problems {
		if i == 20 {
			t.Errorf("… and %d more lost or wrong receipts", len(problems)-20)
			break
		}
		t.Errorf("LOST RECEIPT: %s", p)
	}
}

func crashFollowUp(srv *crashServer, r crashReceipt) string {
	req, err := http.NewRequest(http.MethodGet, srv.base+"/api/v1/reports/"+r.Number, nil)
	if err != nil {
		return err.Error()
	}
	req.Header.Set("X-Access-Code", r.Code)
	resp, err := srv.client.Do(req)
	if err != nil {
		return fmt.Sprintf("%s (cycle %d, key %s): %v", r.Number, r.Cycle, r.Key, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("%s (cycle %d, key %s): GET status %d: %s", r.Number, r.Cycle, r.Key, resp.StatusCode, crashClip(body, 200))
	}
	var c struct{ Number, Status string }
	if err := json.Unmarshal(body, &c); err != nil {
		return fmt.Sprintf("%s: bad JSON: %v", r.Number, err)
	}
	if c.Number != r.Number || c.Status != store.StatusReceived {
		return fmt.Sprintf("%s (cycle %d): got number %q status %q", r.Number, r.Cycle, c.Number, c.Status)
	}
	return ""
}

// crashReplay retries the submission of a receipt issued before the last
// kill: the same key must answer 200, Idempotent-Replayed, the same number.
func crashReplay(t *testing.T, srv *crashServer, ledger *crashLedger, key string, cycle int) bool {
	t.Helper()
	ledger.mu.Lock()
	want, ok := ledger.byKey[key]
	ledger.mu.Unlock()
	if !ok {
		return false
	}
	status, r, err := crashPost(srv.client, srv.base, key)
	if err != nil || status != http.StatusOK {
		t.Errorf("cycle %d: retry of %s (receipt %s): status %d, %v; want 200 Idempotent-Replayed", cycle, key, want.Number, status, err)
		return false
	}
	if r.Number != want.Number || r.AccessCode != want.Code {
		t.Errorf("cycle %d: retry of %s answered %s/%s, the receipt was %s/%s", cycle, key, r.Number, r.AccessCode, want.Number, want.Code)
		return false
	}
	return true
}

// byStoredKey is the receipts by the form of their key the store keeps
// (a keyed hash), computed with the installation's key. The caller holds mu.
func (l *crashLedger) byStoredKey(k *casework.Keyring) map[string]crashReceipt {
	if l.stored == nil {
		l.stored = map[string]crashReceipt{}
		for key, r := range l.byKey {
			l.stored[caseflow.StoredIdempotencyKey(k, key)] = r
		}
	}
	return l.stored
}

// crashKeyring reads the key the server generated in its data directory.
func crashKeyring(t *testing.T, data string) *casework.Keyring {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(data, "secret.key"))
	if err != nil {
		t.Fatalf("read the server's key: %v", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("the server's key: %v", err)
	}
	k, err := casework.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// crashCheckStore opens the stopped server's database and checks that the
// stored numbers are exactly 1..N for each year, that each belongs to a key
// this client sent, and that every receipt is among them.
//
// On MongoDB a kill between taking a number and inserting the case may leave
// a gap (never a duplicate), so there numbers need only be unique and
// increasing. On both, every stored case is whole: its timeline holds exactly
// the first "received" event — a reader never sees a case half-written.
func crashCheckStore(t *testing.T, db store.Store, gapsAllowed bool, ledger *crashLedger, k *casework.Keyring) {
	t.Helper()
	defer db.Close()
	ctx := context.Background()
	var all []*store.Case
	total := -1
	for off := 0; total < 0 || off < total; off += 500 {
		page, n, err := db.ListCases(ctx, store.CaseFilter{Limit: 500, Offset: off})
		if err != nil {
			t.Fatalf("list cases: %v", err)
		}
		total = n
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
	}
	if len(all) != total {
		t.Errorf("listed %d cases, the store counts %d", len(all), total)
	}
	seqs := map[int][]int64{}
	stored := map[string]bool{}
	for _, c := range all {
		if stored[c.Number] {
			t.Errorf("number %s stored twice", c.Number)
		}
		stored[c.Number] = true
		seqs[c.Year] = append(seqs[c.Year], c.Seq)
		if want := fmt.Sprintf("%04d-%06d", c.Year, c.Seq); c.Number != want {
			t.Errorf("case %s: number %q does not match year %d seq %d", c.ID, c.Number, c.Year, c.Seq)
		}
		if evs, err := db.CaseEvents(ctx, c.ID); err != nil || len(evs) != 1 || evs[0].ToStatus != store.StatusReceived ||
			c.Status != store.StatusReceived || c.Version != 1 {
			t.Errorf("case %s is not whole: status %q version %d, events %v (%v)", c.Number, c.Status, c.Version, evs, err)
		}
		ledger.mu.Lock()
		r, ok := ledger.byStoredKey(k)[c.IdempotencyKey]
		ledger.mu.Unlock()
		if !ok {
			t.Errorf("stored case %s (key %s) has no receipt even after retrying every in-flight request", c.Number, c.IdempotencyKey)
		} else if r.Number != c.Number {
			t.Errorf("stored case %s (key %s) but that key's receipt says %s", c.Number, c.IdempotencyKey, r.Number)
		}
	}
	for year, s := range seqs {
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		for i, q := range s {
			if gapsAllowed {
				if i > 0 && q == s[i-1] {
					t.Errorf("year %d: seq %d stored twice", year, q)
				}
				continue
			}
			if q != int64(i+1) {
				t.Errorf("year %d: numbers are not 1..%d: position %d holds seq %d (gap or duplicate)", year, len(s), i+1, q)
				break
			}
		}
		if gapsAllowed {
			t.Logf("store: year %d holds %d distinct numbers up to %d-%06d (%d gaps from kills between counter and insert)",
				year, len(s), year, s[len(s)-1], int(s[len(s)-1])-len(s))
		} else {
			t.Logf("store: year %d holds numbers %d-000001 … %d-%06d, no gaps, no duplicates", year, year, year, len(s))
		}
	}
	for _, r := range ledger.receipts() {
		if !stored[r.Number] {
			t.Errorf("LOST RECEIPT: %s (cycle %d, key %s) is not in the store", r.Number, r.Cycle, r.Key)
		}
	}
}

func crashTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

func crashClip(b []byte, n int) string {
	b = bytes.TrimSpace(b)
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// crashOpenStore opens the store the servers wrote to.
// crashCheckSearch: the killed servers' search indexes open (Bleve
// survived the kills, or is rebuilt), whatever was written but not yet
// indexed when a server died is still pending in the store, and one round
// of the sync loop — what the next start runs — indexes it: every case a
// receipt was given for is then found by its number within the province.
func crashCheckSearch(t *testing.T, db store.Store, data string, ledger *crashLedger) {
	t.Helper()
	defer db.Close()
	ctx := context.Background()
	idx, err := searchbleve.Open(filepath.Join(data, "search"), search.IndexCases)
	if err != nil {
		t.Fatalf("open the cases index the killed servers wrote: %v", err)
	}
	defer idx.Close()
	before, indexed, err := db.IndexState(ctx, store.IndexCases)
	if err != nil {
		t.Fatal(err)
	}
	regions := casework.DefaultRegions()
	sy := &search.Syncer{Source: db, Regions: regions, Cases: idx}
	if err := sy.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := sy.SyncOnce(ctx)
	if err != nil {
		t.Fatalf("catch up the cases index: %v", err)
	}
	if pending, _, _ := db.IndexState(ctx, store.IndexCases); pending != 0 {
		t.Errorf("after catching up %d cases are still pending", pending)
	}
	scope := regions.Descendants(regions.Root().Code)
	missing := 0
	for _, r := range ledger.receipts() {
		res, err := idx.Search(ctx, search.Query{Text: r.Number, RegionCodes: scope})
		if err != nil {
			t.Fatalf("search %s: %v", r.Number, err)
		}
		found := false
		for _, h := range res.Hits {
			found = found || strings.Contains(h.TitleHTML, r.Number[5:])
		}
		if !found {
			missing++
			if missing <= 5 {
				t.Errorf("case %s (receipt of cycle %d) is not in the cases index after catching up", r.Number, r.Cycle)
			}
		}
	}
	t.Logf("search: %d cases indexed by the servers, %d still pending after the last stop, %d indexed on catching up; %d receipts all searchable: %v",
		indexed, before, n, len(ledger.receipts()), missing == 0)
}

// crashCheckIntegrity runs SQLite's integrity check on the data left by a
// killed (or stopped) server; MongoDB has no such check from outside.
func crashCheckIntegrity(t *testing.T, data string, storeArgs []string) {
	t.Helper()
	if len(storeArgs) > 0 {
		return
	}
	db := crashOpenStore(t, data, storeArgs).(*sqlite.DB)
	defer db.Close()
	if err := db.IntegrityCheck(context.Background()); err != nil {
		t.Fatalf("after the kill: %v", err)
	}
}

func crashOpenStore(t *testing.T, data string, storeArgs []string) store.Store {
	t.Helper()
	if len(storeArgs) == 0 {
		db, err := sqlite.Open(filepath.Join(data, "fundwatch.db"))
		if err != nil {
			t.Fatalf("open the store after the run: %v", err)
		}
		return db
	}
	var uri, name string
	for i := 0; i+1 < len(storeArgs); i++ {
		switch storeArgs[i] {
		case "--mongo-uri":
			uri = storeArgs[i+1]
		case "--mongo-db":
			name = storeArgs[i+1]
		}
	}
	db, err := mongo.Open(context.Background(), uri, name)
	if err != nil {
		t.Fatalf("open the store after the run: %v", err)
	}
	return db
}
