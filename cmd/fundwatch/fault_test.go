package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"fundwatch/casework/evidence/evidencetest"
	"fundwatch/store"
	"fundwatch/store/sqlite"
	"fundwatch/store/storetest/faultfs"
)

// The fault tests run the real binary on a data directory of their own
// filesystem and take the disk away under it: filled up (a small tmpfs),
// or turned read-only by the kernel (an ext4 image on a loop device). A
// submission then answers 503 saying nothing was saved, with no receipt;
// reads go on; the server does not die; and every receipt given before the
// fault can still be followed up afterwards. They need root (see
// internal/faultfs).

// faultWays are the four ways a citizen submits: the JSON API, the API with
// an evidence file (multipart), the web form, the web form with a file.
var faultWays = []string{"api", "api+file", "form", "form+file"}

// faultStatement is the evidence file the reporters attach.
var faultStatement = evidencetest.PDFOfSize("fault", 120<<10)

const faultStatementName = "工资明细.pdf"

// faultAnswer is what the server answered to one submission, with the
// receipt it carries if any.
type faultAnswer struct {
	way, key     string
	status       int
	body         string
	header       http.Header
	number, code string
}

func (a faultAnswer) String() string {
	return fmt.Sprintf("%s (key %s): status %d: %s", a.way, a.key, a.status, crashClip([]byte(a.body), 300))
}

// faultReceipt is a receipt the client holds, with the files it sent.
type faultReceipt struct {
	way, number, code string
	files             map[string][32]byte
}

// faultClient submits reports to one server as citizens would: the API
// with an Idempotency-Key, and the web form after loading it (cookies,
// CSRF token and the form's own key).
type faultClient struct {
	t        *testing.T
	srv      *crashServer
	browser  *http.Client // with a cookie jar, for the form
	receipts []faultReceipt
}

func newFaultClient(t *testing.T, srv *crashServer) *faultClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &faultClient{t: t, srv: srv, browser: &http.Client{Jar: jar, Timeout: 15 * time.Second}}
}

// use points the client at a restarted server.
func (f *faultClient) use(srv *crashServer) { f.srv = srv }

var (
	faultFormField     = regexp.MustCompile(`name="(_csrf|idem)" value="([^"]+)"`)
	faultReceiptNumber = regexp.MustCompile(`id="receipt-number">([^<]+)<`)
	faultReceiptCode   = regexp.MustCompile(`id="receipt-code">(.+?)</dd>`)
	faultTags          = regexp.MustCompile(`<[^>]*>`)
	// faultCaseNumber is anything shaped like a case number (2026-000001).
	faultCaseNumber = regexp.MustCompile(`\b20\d\d-\d{6}\b`)
)

// submit files a report one way and records the answer; a receipt in a
// 200 or 201 is kept.
func (f *faultClient) submit(way string) faultAnswer {
	f.t.Helper()
	a := faultAnswer{way: way, key: fmt.Sprintf("fault-%s-%016x", strings.ReplaceAll(way, "+", "-"), rand.Uint64())}
	return f.send(a)
}

// resend sends an API submission again with its key, as a client
// retrying it.
func (f *faultClient) resend(a faultAnswer) faultAnswer {
	f.t.Helper()
	return f.send(faultAnswer{way: a.way, key: a.key})
}

// faultAddedFile is the evidence file a reporter adds to a case later.
var faultAddedFile = evidencetest.PDFOfSize("added", 40<<10)

const faultAddedFileName = "补充材料.pdf"

// addToCase adds to the case of r, through the API with its access code,
// a follow-up message (way "message") or an evidence file (way "files").
// A file stored is added to r's files.
func (f *faultClient) addToCase(way string, r faultReceipt) faultAnswer {
	f.t.Helper()
	a := faultAnswer{way: way, key: fmt.Sprintf("fault-%s-%016x", way, rand.Uint64())}
	var body io.Reader
	ct := "application/json"
	switch way {
	case "message":
		body = strings.NewReader(`{"body": "补充一点：王某某的家属每月初在银行柜台取款。"}`)
	case "files":
		b, mct := faultMultipartFile(faultAddedFileName, faultAddedFile)
		body, ct = bytes.NewReader(b), mct
	default:
		f.t.Fatalf("unknown way %q", way)
	}
	req, err := http.NewRequest(http.MethodPost, f.srv.base+"/api/v1/reports/"+r.number+"/"+map[string]string{"message": "messages", "files": "files"}[way], body)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("X-Access-Code", r.code)
	req.Header.Set("Idempotency-Key", a.key)
	resp, err := f.srv.client.Do(req)
	if err != nil {
		f.t.Fatalf("%s: %v (did the server die? log:\n%s)", way, err, crashTail(f.srv.logPath, 3000))
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a.status, a.body, a.header = resp.StatusCode, string(b), resp.Header
	if way == "files" && a.status == http.StatusCreated {
		r.files[faultAddedFileName] = sha256.Sum256(faultAddedFile)
	}
	return a
}

// faultMessages is how many messages the reporter's view of r shows.
func faultMessages(t *testing.T, srv *crashServer, r faultReceipt) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.base+"/api/v1/reports/"+r.number, nil)
	req.Header.Set("X-Access-Code", r.code)
	resp, err := srv.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var view struct{ Messages []json.RawMessage }
	if err := json.NewDecoder(resp.Body).Decode(&view); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET report %s: status %d, %v", r.number, resp.StatusCode, err)
	}
	return len(view.Messages)
}

func (f *faultClient) send(a faultAnswer) faultAnswer {
	f.t.Helper()
	var req *http.Request
	var err error
	client := f.srv.client
	switch a.way {
	case "api":
		req, err = http.NewRequest(http.MethodPost, f.srv.base+"/api/v1/reports", strings.NewReader(crashReportJSON))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	case "api+file":
		body, ct := faultMultipart([][2]string{{"report", crashReportJSON}}, faultStatement)
		req, err = http.NewRequest(http.MethodPost, f.srv.base+"/api/v1/reports", bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", ct)
		}
	case "form", "form+file":
		client = f.browser
		csrf, idem := f.formTokens()
		a.key = idem
		var file []byte
		if a.way == "form+file" {
			file = faultStatement
		}
		body, ct := faultMultipart(faultFormFields(csrf, idem), file)
		req, err = http.NewRequest(http.MethodPost, f.srv.base+"/report", bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", ct)
		}
	default:
		f.t.Fatalf("unknown way %q", a.way)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	if strings.HasPrefix(a.way, "api") {
		req.Header.Set("Idempotency-Key", a.key)
	}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatalf("%s: %v (did the server die? log:\n%s)", a.way, err, crashTail(f.srv.logPath, 3000))
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		f.t.Fatalf("%s: read the answer: %v", a.way, err)
	}
	a.status, a.body, a.header = resp.StatusCode, string(b), resp.Header
	if strings.HasPrefix(a.way, "api") {
		var r crashReceiptBody
		if json.Unmarshal(b, &r) == nil {
			a.number, a.code = r.Number, r.AccessCode
		}
	} else {
		if m := faultReceiptNumber.FindStringSubmatch(a.body); m != nil {
			a.number = strings.TrimSpace(m[1])
		}
		if m := faultReceiptCode.FindStringSubmatch(a.body); m != nil {
			a.code = strings.TrimSpace(faultTags.ReplaceAllString(m[1], ""))
		}
	}
	if (a.status == http.StatusCreated || a.status == http.StatusOK) && a.number != "" && a.code != "" {
		r := faultReceipt{way: a.way, number: a.number, code: a.code, files: map[string][32]byte{}}
		if strings.HasSuffix(a.way, "+file") {
			r.files[faultStatementName] = sha256.Sum256(faultStatement)
		}
		f.receipts = append(f.receipts, r)
	}
	return a
}

// formTokens loads the report form, as a browser does before submitting.
func (f *faultClient) formTokens() (csrf, idem string) {
	f.t.Helper()
	resp, err := f.browser.Get(f.srv.base + "/report")
	if err != nil {
		f.t.Fatalf("GET /report: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("GET /report: status %d", resp.StatusCode)
	}
	for _, m := range faultFormField.FindAllStringSubmatch(string(b), -1) {
		if m[1] == "_csrf" {
			csrf = m[2]
		} else {
			idem = m[2]
		}
	}
	if csrf == "" || idem == "" {
		f.t.Fatalf("GET /report: no CSRF token or form key in the page")
	}
	return csrf, idem
}

// faultFormFields is a named citizen's report as the form sends it.
func faultFormFields(csrf, idem string) [][2]string {
	return [][2]string{
		{"_csrf", csrf}, {"idem", idem}, {"kind", "report"}, {"reporterType", "citizen"}, {"anonymous", "false"},
		{"category", "unpaid_contributions"}, {"insuranceTypes", "pension"}, {"insuranceTypes", "unemployment"},
		{"regionCode", "220102"}, {"subject.name", "长春某某商贸有限公司"}, {"subject.creditCode", "91350200776049653A"},
		{"amountYuan", "86,500.00"}, {"occurredFrom", "2026-03-01"},
		{"description", "该公司自2025年3月起按最低缴费基数为全部职工申报养老保险，实际工资远高于申报基数。"},
		{"reporter.name", "张三"}, {"reporter.idNumber", "11010519491231002x"}, {"reporter.phone", "138 0013 8000"},
		{"acknowledgeNotice", "true"},
	}
}

// faultReporterData is what the submissions say about their reporters
// and must never reach a log line.
var faultReporterData = []string{"李四", "440524188001015368", "13900139000", "张三", "11010519491231002", "138 0013 8000",
	"13800138000", "至今仍在按月领取养老金", "实际工资远高于申报基数"}

// faultMultipart is fields and, unless nil, the statement as the file.
func faultMultipart(fields [][2]string, file []byte) ([]byte, string) {
	return faultMultipartWith(fields, faultStatementName, file)
}

func faultMultipartFile(name string, file []byte) ([]byte, string) {
	return faultMultipartWith(nil, name, file)
}

func faultMultipartWith(fields [][2]string, name string, file []byte) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, kv := range fields {
		mw.WriteField(kv[0], kv[1])
	}
	if file != nil {
		w, _ := mw.CreateFormFile("files", name)
		w.Write(file)
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// faultStored checks a submission that must have been stored.
func faultStored(t *testing.T, phase string, a faultAnswer) {
	t.Helper()
	want := http.StatusCreated
	if strings.HasPrefix(a.way, "form") {
		want = http.StatusOK
	}
	if a.status != want || a.number == "" || a.code == "" {
		t.Errorf("%s: %v; want %d with a receipt", phase, a, want)
	}
}

// faultRefused checks a submission made while the disk could not be
// written: 503 with Retry-After, a sentence saying nothing was saved, no
// receipt, and nothing of the cause.
func faultRefused(t *testing.T, phase string, a faultAnswer) {
	t.Helper()
	if a.status != http.StatusServiceUnavailable {
		t.Errorf("%s: %v; want 503", phase, a)
		return
	}
	if a.header.Get("Retry-After") == "" {
		t.Errorf("%s: %s answered 503 without Retry-After", phase, a.way)
	}
	if !strings.Contains(a.body, "未被保存") && !strings.Contains(a.body, "没有提交") {
		t.Errorf("%s: %s: the 503 does not say that nothing was saved: %s", phase, a.way, crashClip([]byte(a.body), 300))
	}
	if a.number != "" || a.code != "" || faultCaseNumber.MatchString(a.body) || strings.Contains(a.body, "accessCode") ||
		strings.Contains(a.body, "receipt-code") || strings.Contains(a.body, "提交成功") {
		t.Errorf("%s: %s: the 503 carries a receipt: %s", phase, a.way, crashClip([]byte(a.body), 300))
	}
	low := strings.ToLower(a.body)
	for _, cause := range []string{"no space", "disk is full", "disk i/o", "read-only", "readonly", "sqlite", "bleve"} {
		if strings.Contains(low, cause) {
			t.Errorf("%s: %s: the 503 shows the cause (%q)", phase, a.way, cause)
		}
	}
}

// faultCheckReceipts follows up every receipt with its code through the
// API and downloads its files.
func faultCheckReceipts(t *testing.T, phase string, srv *crashServer, receipts []faultReceipt) {
	t.Helper()
	for _, r := range receipts {
		if p := crashCheckFiles(srv, r.number, r.code, r.files); p != "" {
			t.Errorf("%s: receipt %s (%s) cannot be followed up: %s", phase, r.number, r.way, p)
		}
	}
}

// faultBlobs lists the evidence files stored under data/files and what is
// left in data/files/tmp.
func faultBlobs(t *testing.T, data string) (blobs, tmp []string) {
	t.Helper()
	root := filepath.Join(data, "files")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if strings.HasPrefix(rel, "tmp"+string(filepath.Separator)) {
			tmp = append(tmp, rel)
		} else {
			blobs = append(blobs, rel)
		}
		return nil
	})
	if err != nil {
		t.Errorf("list the evidence files: %v", err)
	}
	sort.Strings(blobs)
	return blobs, tmp
}

// faultCheckLog reads a server's log: no panic; every 503 it answered
// logged once at ERROR with its request id, and at least one of them
// naming cause; no reporter data and no access code.
func faultCheckLog(t *testing.T, logPath string, refused []faultAnswer, cause []string, codes []string) {
	t.Helper()
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	if strings.Contains(log, "panic") || strings.Contains(log, "goroutine ") {
		t.Errorf("the server's log shows a panic:\n%s", crashTail(logPath, 4000))
	}
	lines := strings.Split(log, "\n")
	named := false
	for _, a := range refused {
		id := a.header.Get("X-Request-Id")
		n := 0
		for _, l := range lines {
			if strings.Contains(l, "level=ERROR") && strings.Contains(l, "request_id="+id) {
				n++
				for _, c := range cause {
					named = named || strings.Contains(l, c)
				}
			}
		}
		if n != 1 {
			t.Errorf("the 503 to %s (request %s) is logged at ERROR %d times, want once", a.way, id, n)
		}
	}
	if len(refused) > 0 && !named {
		t.Errorf("no error line names the cause (any of %q):\n%s", cause, crashTail(logPath, 3000))
	}
	for _, s := range append(slices.Clone(faultReporterData), codes...) {
		if strings.Contains(log, s) {
			t.Errorf("the server's log holds reporter data or an access code: %q", s)
		}
	}
}

// faultCheckStore opens the stopped server's database: PRAGMA
// integrity_check is ok, and it holds exactly the cases receipts were given
// for, numbered 1..N with no gap (a refused submission took no number).
func faultCheckStore(t *testing.T, data string, receipts []faultReceipt) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(data, "fundwatch.db"))
	if err != nil {
		t.Fatalf("open the database after the run: %v", err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Errorf("after the fault: %v", err)
	}
	cases, total, err := db.ListCases(ctx, store.CaseFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for _, c := range cases {
		stored = append(stored, c.Number)
	}
	sort.Strings(stored)
	var given []string
	for _, r := range receipts {
		given = append(given, r.number)
	}
	sort.Strings(given)
	if !slices.Equal(stored, given) {
		t.Errorf("the store holds cases %v (%d), the receipts name %v", stored, total, given)
	}
	for i, n := range stored {
		if want := fmt.Sprintf("-%06d", i+1); !strings.HasSuffix(n, want) {
			t.Errorf("case numbers are not 1..%d: position %d is %s", len(stored), i+1, n)
			break
		}
	}
	t.Logf("store: integrity_check ok, %d cases, numbered 1..%d without a gap", len(stored), len(stored))
}

func faultCodes(receipts []faultReceipt) []string {
	var out []string
	for _, r := range receipts {
		out = append(out, r.code)
	}
	return out
}

// faultPrepare skips the fault tests where they do not apply.
func faultPrepare(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("fault tests build and run the real binary; skipped with -short")
	}
	if len(testStoreArgs(t)) > 0 {
		t.Skip("the data-directory faults are the embedded store's; MongoDB's are in handlers' TestMongoGoneAnswers503AndHandsOutNoReceipt")
	}
}

// faultBinary builds the binary once for all fault tests.
var faultBuild struct {
	once sync.Once
	dir  string
	bin  string
}

func faultBinary(t *testing.T) string {
	t.Helper()
	faultBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "fundwatch-fault-")
		if err != nil {
			t.Fatal(err)
		}
		faultBuild.dir = dir
		faultBuild.bin = crashBuild(t, dir)
	})
	if faultBuild.bin == "" {
		t.Fatal("the build failed in an earlier test")
	}
	return faultBuild.bin
}

// faultCleanup removes the binary the fault tests built; TestMain calls it.
func faultCleanup() {
	if faultBuild.dir != "" {
		os.RemoveAll(faultBuild.dir)
	}
}

// TestFaultDiskFull fills the data directory's filesystem (a 32 MiB tmpfs)
// while the server runs, right after a case was stored so that the search
// index fails too. Every write a citizen makes (a report by API, API with a
// file, web form, web form with a file; a message or a file added to a
// case) answers 503 with Retry-After, saying nothing was saved, with no
// receipt, logged once with the cause; the receipts given before are still
// followed up and their files downloaded; no evidence file is stored or
// left half-written; the server stays up (Bleve's second batch after a
// failed one used to panic it), and a second server started on the full
// disk stops at once saying why. Once the filler is removed, without a
// restart, the next write of each kind is stored, a report refused during
// the fault and sent again with its Idempotency-Key is stored as new, and
// search indexing works again. After a stop the database passes
// integrity_check and holds exactly the receipted cases numbered without a
// gap, all of them in the search index.
func TestFaultDiskFull(t *testing.T) {
	faultPrepare(t)
	t.Parallel()
	mnt := faultfs.Tmpfs(t, 32<<20)
	bin := faultBinary(t)
	data := filepath.Join(mnt, "data")
	logPath := filepath.Join(t.TempDir(), "server.log") // not on the full disk
	srv := crashStart(t, bin, data, logPath)
	f := newFaultClient(t, srv)

	for _, way := range faultWays {
		faultStored(t, "before the fault", f.submit(way))
	}
	blobsBefore, _ := faultBlobs(t, data)

	// The disk fills right after a case was stored, before the search
	// index took it (the sync loop looks every second), so that indexing
	// fails during the fault too; should the index have been quicker, again.
	var filler string
	var indexFailed time.Time
	for attempt := 1; ; attempt++ {
		faultStored(t, "right before the disk fills", f.submit("api"))
		start := time.Now()
		filler = faultfs.Fill(t, mnt)
		fillInfo, _ := os.Stat(filler)
		t.Logf("filled the disk with %d MiB in %v; %d bytes free", fillInfo.Size()>>20, time.Since(start).Round(time.Millisecond), faultfs.Free(mnt))
		if faultWaitLog(logPath, "search indexing fails", 3*time.Second) {
			indexFailed = time.Now()
			break
		}
		if attempt == 3 {
			t.Log("the search index took the case before the disk filled, three times: indexing is not tested under the fault")
			break
		}
		if err := os.Remove(filler); err != nil {
			t.Fatal(err)
		}
	}
	before := slices.Clone(f.receipts)

	var refused []faultAnswer
	for round := range 2 {
		for _, way := range faultWays {
			a := f.submit(way)
			faultRefused(t, fmt.Sprintf("disk full, round %d", round+1), a)
			refused = append(refused, a)
		}
	}
	for _, way := range []string{"message", "files"} {
		a := f.addToCase(way, before[0])
		faultRefused(t, "disk full, adding to a case", a)
		refused = append(refused, a)
	}
	faultCheckReceipts(t, "disk full", srv, before)
	if blobs, tmp := faultBlobs(t, data); !slices.Equal(blobs, blobsBefore) || len(tmp) > 0 {
		t.Errorf("disk full: evidence files %v (before %v), temporary %v; want no new file and no temporary one", blobs, blobsBefore, tmp)
	}
	readyz := faultGet(t, srv, "/readyz")
	home := faultGet(t, srv, "/")
	t.Logf("disk full: %d writes refused with 503; receipts followed up; /readyz %d, home page %d", len(refused), readyz, home)
	// A second server started on the full disk stops at once and says why
	// (it fails before it touches what the running one holds).
	out, code, took := faultStartFails(t, bin, data)
	if code == 0 || !strings.Contains(out, "no space left on device") || !strings.Contains(out, data) {
		t.Errorf("a start on the full data directory: exit %d after %v; want a failure naming the directory and the cause:\n%s", code, took, out)
	} else {
		t.Logf("a start on the full data directory exits %d after %v: %s", code, took.Round(time.Millisecond), faultErrorLine(out))
	}

	// The sync loop retries a second after its first failure: the disk
	// stays full until it has, so that the index takes a batch after a
	// failed one while there is still no room (that batch panicked).
	if !indexFailed.IsZero() {
		time.Sleep(time.Until(indexFailed.Add(2 * time.Second)))
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	freed := time.Now()
	first := f.submit("api")
	recovery := time.Since(freed)
	faultStored(t, "first submission after the room came back", first)
	for _, way := range faultWays[1:] {
		faultStored(t, "after the room came back", f.submit(way))
	}
	for _, a := range refused[:2] { // the API's: a retry with the same key is stored as new
		if again := f.resend(a); again.status != http.StatusCreated || again.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("the refused %s sent again with its key: %v; want 201, stored now", a.way, again)
		}
	}
	for _, way := range []string{"message", "files"} {
		if a := f.addToCase(way, before[0]); a.status != http.StatusCreated {
			t.Errorf("after the room came back, adding to a case: %v; want 201", a)
		}
	}
	if n := faultMessages(t, srv, before[0]); n != 2 {
		t.Errorf("the case shows %d messages, want the two added after the fault (a message, and the file with its own)", n)
	}
	faultCheckReceipts(t, "after the fault", srv, f.receipts)
	searchDown := faultSearchRecovers(t, logPath, 30*time.Second)
	srv.stop(t)

	if _, tmp := faultBlobs(t, data); len(tmp) > 0 {
		t.Errorf("temporary files left in files/tmp: %v", tmp)
	}
	faultCheckDataDir(t, data)
	faultCheckLog(t, logPath, refused, []string{"database or disk is full", "no space left on device"}, faultCodes(f.receipts))
	faultCheckStore(t, data, f.receipts)
	faultCheckSearch(t, data, f.receipts)
	t.Logf("figures: %d receipts before the fault, %d writes refused (503) while full, first submission after freeing the disk stored in %v, %d receipts in all; %s",
		len(before), len(refused), recovery.Round(time.Millisecond), len(f.receipts), searchDown)
}

// TestFaultReadOnly has the kernel turn the data directory's filesystem
// read-only while the server runs, as ext4 does with errors=remount-ro when
// its disk fails (Linux refuses "mount -o remount,ro" while the server
// holds its database open for writing, which the test shows first). Every
// write a citizen makes answers 503 with no receipt, logged with the cause;
// reads go on; the server keeps running and stops cleanly. Such a
// filesystem stays read-only until it is unmounted and checked: after
// e2fsck, a start on it mounted read-only fails at once with a line that
// says so, and a start on it mounted read-write serves every receipt given
// before the fault (and none of the refused writes) and takes new
// submissions; the database passes integrity_check.
func TestFaultReadOnly(t *testing.T) {
	faultPrepare(t)
	t.Parallel()
	disk := faultfs.NewExt4(t, 64<<20)
	bin := faultBinary(t)
	data := filepath.Join(disk.Dir, "data")
	logDir := t.TempDir()
	srv := crashStart(t, bin, data, filepath.Join(logDir, "server.log"))
	f := newFaultClient(t, srv)

	for _, way := range faultWays {
		faultStored(t, "before the fault", f.submit(way))
	}
	before := slices.Clone(f.receipts)

	if err := faultfs.Remount(disk.Dir, "ro"); err != nil {
		t.Logf("as expected, the kernel refuses to remount the data directory read-only under the server: %v", err)
	} else {
		t.Errorf("the kernel remounted the data directory read-only under the running server; this test assumes it refuses")
		if err := faultfs.Remount(disk.Dir, "rw"); err != nil {
			t.Fatal(err)
		}
	}
	if err := disk.ForceReadOnly(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(disk.Dir, "probe"), []byte("x"), 0o600); err == nil {
		t.Fatal("the filesystem still takes writes after the forced error")
	}

	var refused []faultAnswer
	for round := range 2 {
		for _, way := range faultWays {
			a := f.submit(way)
			faultRefused(t, fmt.Sprintf("read-only, round %d", round+1), a)
			refused = append(refused, a)
		}
	}
	for _, way := range []string{"message", "files"} {
		a := f.addToCase(way, before[0])
		faultRefused(t, "read-only, adding to a case", a)
		refused = append(refused, a)
	}
	faultCheckReceipts(t, "read-only", srv, before)
	readyz := faultGet(t, srv, "/readyz")
	home := faultGet(t, srv, "/")
	t.Logf("read-only: %d writes refused with 503; receipts followed up; /readyz %d, home page %d", len(refused), readyz, home)
	srv.stop(t)
	faultCheckLog(t, filepath.Join(logDir, "server.log"), refused,
		[]string{"disk I/O error", "read-only file system", "readonly"}, faultCodes(f.receipts))

	// The repair an operator makes: unmount, check, mount again.
	if err := disk.Unmount(); err != nil {
		t.Fatal(err)
	}
	report, err := disk.Check()
	if err != nil {
		t.Fatalf("e2fsck: %v\n%s", err, report)
	}
	t.Logf("e2fsck after the forced error:\n%s", strings.TrimSpace(report))

	// Started on a read-only data directory, the server stops at once and
	// says why.
	if err := disk.Mount("ro"); err != nil {
		t.Fatal(err)
	}
	out, code, took := faultStartFails(t, bin, data)
	if code == 0 || !strings.Contains(out, "read-only file system") || !strings.Contains(out, data) {
		t.Errorf("a start on a read-only data directory: exit %d after %v; want a failure naming the directory and the cause:\n%s", code, took, out)
	} else {
		t.Logf("a start on the read-only data directory exits %d after %v: %s", code, took.Round(time.Millisecond), faultErrorLine(out))
	}
	if err := disk.Unmount(); err != nil {
		t.Fatal(err)
	}

	if err := disk.Mount(); err != nil {
		t.Fatal(err)
	}
	srv = crashStart(t, bin, data, filepath.Join(logDir, "server-after.log"))
	f.use(srv)
	faultCheckReceipts(t, "after the repair", srv, before)
	if n := faultMessages(t, srv, before[0]); n != 0 {
		t.Errorf("the case shows %d messages, want none: the one sent while read-only was refused", n)
	}
	for _, way := range faultWays {
		faultStored(t, "after the repair", f.submit(way))
	}
	srv.stop(t)
	faultCheckDataDir(t, data)
	faultCheckStore(t, data, f.receipts)
	t.Logf("figures: %d receipts before the fault, %d writes refused (503) while read-only, all followed up after e2fsck and a restart, %d receipts in all",
		len(before), len(refused), len(f.receipts))
}

// faultGet answers the status of GET path.
func faultGet(t *testing.T, srv *crashServer, path string) int {
	t.Helper()
	resp, err := srv.client.Get(srv.base + path)
	if err != nil {
		t.Errorf("GET %s: %v", path, err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// faultStartFails runs the server on data and returns what it printed,
// its exit status and how long it took; it must exit within 20 seconds.
func faultStartFails(t *testing.T, bin, data string) (string, int, time.Duration) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", addr, "--data", data)
	cmd.Env = append(os.Environ(), "FUNDWATCH_DEMO=false")
	start := time.Now()
	out, _ := cmd.CombinedOutput()
	took := time.Since(start)
	if ctx.Err() != nil {
		t.Errorf("the server started on a read-only data directory did not exit within 20s")
	}
	return string(out), cmd.ProcessState.ExitCode(), took
}

// faultErrorLine is the first ERROR line of a log.
func faultErrorLine(log string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "level=ERROR") {
			return l
		}
	}
	return ""
}

// faultCheckDataDir: the data directory holds what docs/deploy.md lists
// and nothing a fault left behind.
func faultCheckDataDir(t *testing.T, data string) {
	t.Helper()
	entries, err := os.ReadDir(data)
	if err != nil {
		t.Fatal(err)
	}
	known := []string{"fundwatch.db", "fundwatch.db-wal", "fundwatch.db-shm", "secret.key", "files", "search"}
	for _, e := range entries {
		if !slices.Contains(known, e.Name()) {
			t.Errorf("the data directory holds %s, which the fault left behind", e.Name())
		}
	}
}

// faultCheckSearch: the cases index the server wrote opens, and one round
// of the sync loop indexes whatever it had not yet, so every receipted case
// is found (crashCheckSearch).
func faultCheckSearch(t *testing.T, data string, receipts []faultReceipt) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(data, "fundwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	ledger := newCrashLedger()
	for _, r := range receipts {
		ledger.add(crashReceipt{Number: r.number, Code: r.code, Key: r.number})
	}
	crashCheckSearch(t, db, data, ledger)
}

// faultWaitLog waits up to wait for s in the log and tells whether it came.
func faultWaitLog(logPath, s string, wait time.Duration) bool {
	for start := time.Now(); time.Since(start) < wait; time.Sleep(50 * time.Millisecond) {
		if crashLogHas(logPath, s) {
			return true
		}
	}
	return crashLogHas(logPath, s)
}

// faultSearchRecovers: if the server's search indexing failed during the
// fault, it must log that it works again (the sync loop retries with
// backoff, up to the wait) — without a restart. It returns what it saw.
func faultSearchRecovers(t *testing.T, logPath string, wait time.Duration) string {
	t.Helper()
	if !crashLogHas(logPath, "search indexing fails") {
		return "search indexing did not fail during the fault (nothing was pending)"
	}
	start := time.Now()
	if !faultWaitLog(logPath, "search indexing works again", wait) {
		t.Errorf("search indexing failed during the fault and did not work again within %v after it:\n%s", wait, crashTail(logPath, 3000))
		return "search indexing did not recover"
	}
	return fmt.Sprintf("search indexing failed during the fault and worked again %v after the checks ended (the sync loop's backoff)",
		time.Since(start).Round(100*time.Millisecond))
}
