package handlers

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"fundwatch/casework/caseflow"
	"fundwatch/casework/evidence"
	"fundwatch/casework/evidence/evidencetest"
	"fundwatch/store"
	"fundwatch/store/sqlite"
)

// upload is a file part of a multipart test request.
type upload struct {
	name string
	data []byte
}

// multipartBody encodes fields and files the way a browser sends a form
// with enctype multipart/form-data: fields first, then the files.
func multipartBody(t testing.TB, fields url.Values, files []upload) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("files", f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, mw.FormDataContentType()
}

func (e *testEnv) postMultipart(path string, fields url.Values, files []upload, headers map[string]string) (*http.Response, string) {
	e.t.Helper()
	body, ct := multipartBody(e.t, fields, files)
	req := httptest.NewRequest(http.MethodPost, path, body)
	req.Header.Set("Content-Type", ct)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return e.do(req)
}

// submitWithFiles posts the valid report form with files attached.
func (e *testEnv) submitWithFiles(edit func(url.Values), files ...upload) (*http.Response, string) {
	e.t.Helper()
	csrf, idem := e.formTokens("/report")
	v := validReportForm(csrf, idem)
	if edit != nil {
		edit(v)
	}
	return e.postMultipart("/report", v, files, nil)
}

// blobCount is how many blobs the env's file store holds.
func (e *testEnv) blobCount() int {
	e.t.Helper()
	n := 0
	err := e.blobs.Blobs(context.Background(), time.Now().Add(time.Hour), func(string, time.Time) error {
		n++
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// rawBlob is a stored blob as it lies in the file store.
func (e *testEnv) rawBlob(id string) []byte {
	e.t.Helper()
	rc, err := e.blobs.OpenBlob(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// gpsMarker is planted in a photo's Exif GPS data; it must never be served.
const gpsMarker = "GPS-39.9042N-116.4074E"

// zipBombDOCX is a .docx whose document inflates to 20 MB of zeros from a
// few kilobytes.
func zipBombDOCX(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("[Content_Types].xml")
	io.WriteString(w, `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	w, _ = zw.Create("word/document.xml")
	zeros := make([]byte, 1<<20)
	for range 20 {
		w.Write(zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var fileLink = regexp.MustCompile(`href="/followup/case/files/([0-9a-z]{26})"[^>]*>([^<]+)</a>`)

func TestReportWithEvidenceFiles(t *testing.T) {
	e := newTestEnv(t)
	photo, pdf := evidencetest.PhonePhoto(gpsMarker), evidencetest.PDF("")
	if !bytes.Contains(photo, []byte(gpsMarker)) || !bytes.Contains(photo, evidencetest.GPSPointer) {
		t.Fatal("the test photo carries no GPS data")
	}
	resp, body := e.submitWithFiles(nil, upload{"现场照片.jpg", photo}, upload{"工资表 2025.pdf", pdf})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	number, code := receiptOf(t, body)
	for _, want := range []string{`id="receipt-files"`, "现场照片.jpg", "工资表 2025.pdf"} {
		if !strings.Contains(body, want) {
			t.Errorf("receipt does not show %q", want)
		}
	}
	cs := e.caseByNumber(number)
	files, err := e.store.CaseFiles(context.Background(), cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || e.blobCount() != 2 {
		t.Fatalf("%d file records, %d blobs; want 2 and 2", len(files), e.blobCount())
	}
	for _, f := range files {
		raw := e.rawBlob(f.ID)
		if bytes.Contains(raw, []byte("%PDF-")) || bytes.Contains(raw, []byte(gpsMarker)) || bytes.Contains(raw, []byte("JFIF")) {
			t.Errorf("blob %s (%s) holds plaintext", f.ID, f.Name)
		}
		if f.Author != store.AuthorReporter || f.HiddenFromReporter {
			t.Errorf("file %s: author %q hidden %v", f.Name, f.Author, f.HiddenFromReporter)
		}
	}

	// The reporter sees both on the follow-up page and downloads them.
	e.mustLogin(number, code)
	_, page := e.get("/followup/case")
	links := fileLink.FindAllStringSubmatch(page, -1)
	if len(links) != 2 {
		t.Fatalf("follow-up page links %d files, want 2", len(links))
	}
	got := map[string][]byte{}
	for _, l := range links {
		resp, data := e.get("/followup/case/files/" + l[1])
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("download %s: status %d", l[2], resp.StatusCode)
		}
		cd := resp.Header.Get("Content-Disposition")
		if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''") {
			t.Errorf("%s: Content-Disposition %q", l[2], cd)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("%s: headers %v", l[2], resp.Header)
		}
		got[resp.Header.Get("Content-Type")] = []byte(data)
	}
	jpg, ok := got["image/jpeg"]
	if !ok {
		t.Fatalf("no image/jpeg download: %v", keys(got))
	}
	if bytes.Contains(jpg, []byte(gpsMarker)) || bytes.Contains(jpg, evidencetest.GPSPointer) {
		t.Error("the downloaded photo still carries its GPS data")
	}
	if _, err := jpeg.Decode(bytes.NewReader(jpg)); err != nil {
		t.Errorf("the downloaded photo does not decode: %v", err)
	}
	if !bytes.Equal(got["application/pdf"], pdf) {
		t.Error("the downloaded PDF differs from the one sent")
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRefusedUploadsStoreNothing(t *testing.T) {
	pe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF"), make([]byte, 400)...)
	html := []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
	pdf := evidencetest.PDF("")
	many := make([]upload, 11)
	for i := range many {
		many[i] = upload{fmt.Sprintf("材料%d.pdf", i+1), pdf}
	}
	tests := []struct {
		name  string
		files []upload
		want  string
	}{
		{"a PE executable renamed .pdf", []upload{{"合同.pdf", pdf}, {"发票.pdf", pe}},
			"文件“发票.pdf”的类型不受支持"},
		{"an HTML file renamed .png", []upload{{"截图.png", html}}, "文件“截图.png”的类型不受支持"},
		{"a zip bomb renamed .docx", []upload{{"说明.docx", zipBombDOCX(t)}}, "文件“说明.docx”的内容无法确认安全"},
		{"too many files", many, "一次最多上传 10 个文件，您选择了 11 个"},
		{"a file over the size limit", []upload{{"扫描件.pdf", append(bytes.Repeat([]byte("%PDF-1.4\n"), 1), make([]byte, 70<<10)...)}},
			"文件“扫描件.pdf”超过 64 KB 的大小限制"},
		{"files over the case's total", []upload{{"a.pdf", evidencetest.PDFOfSize("", 40<<10)}, {"b.pdf", evidencetest.PDFOfSize("", 40<<10)}, {"c.pdf", evidencetest.PDFOfSize("", 40<<10)}},
			"文件合计不能超过 100 KB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, func(h *Handler) {
				h.Cases.FileLimits = evidence.Limits{MaxFiles: 10, MaxFileBytes: 64 << 10, MaxCaseBytes: 100 << 10}
			})
			resp, body := e.submitWithFiles(nil, tt.files...)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", resp.StatusCode, clip(body, 400))
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("page does not say %q", tt.want)
			}
			if !strings.Contains(body, `id="e-files"`) || !strings.Contains(body, "长春某某商贸有限公司") {
				t.Error("the form did not come back with the message at the files and the text kept")
			}
			if n := e.caseCount(); n != 0 {
				t.Errorf("%d cases stored", n)
			}
			if n := e.blobCount(); n != 0 {
				t.Errorf("%d blobs left", n)
			}
		})
	}
}

func TestFormThatComesBackDropsItsFiles(t *testing.T) {
	e := newTestEnv(t)
	resp, body := e.submitWithFiles(func(v url.Values) { v.Set("description", "太短") }, upload{"照片.jpg", evidencetest.PhonePhoto(gpsMarker)})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !strings.Contains(body, msgChooseFilesAgain) {
		t.Error("the page does not ask to choose the files again")
	}
	if e.caseCount() != 0 || e.blobCount() != 0 {
		t.Errorf("%d cases, %d blobs left", e.caseCount(), e.blobCount())
	}
}

func TestRepeatedSubmissionWithFilesKeepsOneCopy(t *testing.T) {
	e := newTestEnv(t)
	csrf, idem := e.formTokens("/report")
	v := validReportForm(csrf, idem)
	pdf := evidencetest.PDF("")
	resp, first := e.postMultipart("/report", v, []upload{{"a.pdf", pdf}}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	resp, again := e.postMultipart("/report", v, []upload{{"a.pdf", pdf}}, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(again, "这份内容已经提交过") {
		t.Fatalf("repeat: status %d", resp.StatusCode)
	}
	n1, _ := receiptOf(t, first)
	n2, _ := receiptOf(t, again)
	if n1 != n2 || e.caseCount() != 1 || e.blobCount() != 1 {
		t.Errorf("numbers %s %s, %d cases, %d blobs", n1, n2, e.caseCount(), e.blobCount())
	}
	if !strings.Contains(again, "a.pdf") {
		t.Error("the repeated receipt does not list the file")
	}
}

func TestFilesOfAnotherCaseAreNotServed(t *testing.T) {
	e := newTestEnv(t)
	_, body := e.submitWithFiles(nil, upload{"甲.pdf", evidencetest.PDF("")})
	numA, codeA := receiptOf(t, body)
	_, body = e.submitWithFiles(func(v url.Values) { v.Set("subject.name", "另一家公司") }, upload{"乙.pdf", evidencetest.PDF("")})
	numB, _ := receiptOf(t, body)
	filesB, err := e.store.CaseFiles(context.Background(), e.caseByNumber(numB).ID)
	if err != nil || len(filesB) != 1 {
		t.Fatalf("case B files: %v %v", filesB, err)
	}
	e.mustLogin(numA, codeA)
	for _, path := range []string{"/followup/case/files/" + filesB[0].ID, "/followup/case/files/..%2f..%2fetc%2fpasswd", "/followup/case/files/x"} {
		resp, _ := e.get(path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
		}
	}
	resp, _ := e.getWith("/api/v1/reports/"+numA+"/files/"+filesB[0].ID, map[string]string{"X-Access-Code": codeA})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("API: status %d, want 404", resp.StatusCode)
	}
	// Without the follow-up session there is nothing to download.
	e.cookies = map[string]string{}
	resp, _ = e.get("/followup/case/files/" + filesB[0].ID)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("without a session: status %d, want 303", resp.StatusCode)
	}
}

func TestFollowupAddsFiles(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	e.mustLogin(number, code)
	_, page := e.get("/followup/case")
	csrf := csrfField.FindStringSubmatch(page)[1]
	idem := idemField.FindStringSubmatch(page)[1]
	resp, body := e.postMultipart("/followup/case/messages", url.Values{"_csrf": {csrf}, "idem": {idem}, "body": {""}},
		[]upload{{"补充照片.jpg", evidencetest.PhonePhoto(gpsMarker)}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d\n%s", resp.StatusCode, clip(body, 500))
	}
	_, page = e.get("/followup/case")
	if links := fileLink.FindAllStringSubmatch(page, -1); len(links) != 1 || links[0][2] != "补充照片.jpg" {
		t.Errorf("follow-up page links %v", links)
	}
	// A refused file keeps the typed text and stores nothing.
	_, page = e.get("/followup/case")
	csrf = csrfField.FindStringSubmatch(page)[1]
	resp, body = e.postMultipart("/followup/case/messages", url.Values{"_csrf": {csrf}, "idem": {idemField.FindStringSubmatch(page)[1]},
		"body": {"另附一份说明材料，请查收。"}}, []upload{{"说明.pdf", []byte("<html>not a pdf</html>")}}, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "文件“说明.pdf”的类型不受支持") ||
		!strings.Contains(body, "另附一份说明材料") {
		t.Errorf("refused file: status %d\n%s", resp.StatusCode, clip(body, 500))
	}
	if e.blobCount() != 1 {
		t.Errorf("%d blobs, want 1", e.blobCount())
	}
}

func TestAPIFiles(t *testing.T) {
	e := newTestEnv(t)
	report := validReportJSON
	resp, body := e.postMultipart("/api/v1/reports", url.Values{"report": {report}},
		[]upload{{"现场照片.jpg", evidencetest.PhonePhoto(gpsMarker)}}, map[string]string{"Idempotency-Key": "api-files-test-0001"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: status %d\n%s", resp.StatusCode, body)
	}
	var rec struct {
		Number, AccessCode string
		Files              []apiFile
	}
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Files) != 1 || rec.Files[0].Name != "现场照片.jpg" || rec.Files[0].Type != "image/jpeg" || rec.Files[0].Size == 0 {
		t.Fatalf("receipt files %+v", rec.Files)
	}
	auth := map[string]string{"X-Access-Code": rec.AccessCode}

	// Follow-up adds a PDF.
	resp, body = e.postMultipart("/api/v1/reports/"+rec.Number+"/files", nil, []upload{{"补充.pdf", evidencetest.PDF("")}}, auth)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, "补充.pdf") {
		t.Fatalf("add files: status %d\n%s", resp.StatusCode, body)
	}
	// A wrong code stores nothing.
	before := e.blobCount()
	resp, _ = e.postMultipart("/api/v1/reports/"+rec.Number+"/files", nil, []upload{{"x.pdf", evidencetest.PDF("")}},
		map[string]string{"X-Access-Code": "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"})
	if resp.StatusCode != http.StatusNotFound || e.blobCount() != before {
		t.Errorf("wrong code: status %d, blobs %d → %d", resp.StatusCode, before, e.blobCount())
	}

	resp, body = e.getWith("/api/v1/reports/"+rec.Number, auth)
	var view struct{ Files []apiFile }
	if err := json.Unmarshal([]byte(body), &view); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("view: %d %v", resp.StatusCode, err)
	}
	if len(view.Files) != 2 {
		t.Fatalf("view lists %d files, want 2", len(view.Files))
	}
	resp, data := e.getWith("/api/v1/reports/"+rec.Number+"/files/"+view.Files[0].ID, auth)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" ||
		bytes.Contains([]byte(data), []byte(gpsMarker)) {
		t.Errorf("download: status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// A refused file is 422 at "files", and nothing is stored.
	cases := e.caseCount()
	resp, body = e.postMultipart("/api/v1/reports", url.Values{"report": {report}}, []upload{{"a.png", []byte("<svg onload=alert(1)>")}}, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"files"`) || e.caseCount() != cases {
		t.Errorf("refused: status %d\n%s", resp.StatusCode, body)
	}
	// The report part is required.
	resp, body = e.postMultipart("/api/v1/reports", url.Values{"other": {"x"}}, nil, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"report"`) {
		t.Errorf("no report part: status %d\n%s", resp.StatusCode, body)
	}
	// JSON still answers, with an empty list of files.
	resp, body = e.postJSON("/api/v1/reports", strings.Replace(report, "王某某", "赵某某", 1), nil)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"files":[]`) {
		t.Errorf("JSON: status %d\n%s", resp.StatusCode, body)
	}
}

// bigPDF streams a PDF of n bytes: the header, filler lines, the end.
func bigPDF(n int) io.Reader {
	head, tail := "%PDF-1.4\n", "\n%%EOF\n"
	line := "% " + strings.Repeat("举报材料扫描件", 9) + "\n"
	fill := n - len(head) - len(tail)
	return io.MultiReader(strings.NewReader(head),
		io.LimitReader(&repeatReader{s: line}, int64(fill)), strings.NewReader(tail))
}

type repeatReader struct {
	s string
	i int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.s[r.i:])
		n += k
		r.i = (r.i + k) % len(r.s)
	}
	return n, nil
}

// peakHeap runs f and returns how far the live heap (objects, garbage not
// yet collected included) rose above where it was, sampled every
// millisecond.
func peakHeap(f func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	peak := base
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				peak = max(peak, read())
			}
		}
	}()
	f()
	close(done)
	<-stopped
	return peak - base
}

// TestUploadMemoryDoesNotGrowWithFileSize sends a 4 MB and a 19 MB PDF to
// a live server, streamed from the client, and watches the heap: a server
// that held a file in memory would rise by at least its size. It runs on
// SQLite and the disk file store whatever FUNDWATCH_TEST_STORE says: with
// MongoDB the tests' embedded FerretDB shares this process's heap, and
// GridFS's driver buffers 16 MiB per upload by design (docs/load.md).
func TestUploadMemoryDoesNotGrowWithFileSize(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "fundwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := newTestEnvWithStore(t, db)
	e.contractOff = "a live server, not held against the document"
	addr := liveApp(t, e)
	send := func(size int) (status int, took time.Duration) {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			mw.WriteField("report", validReportJSON)
			w, _ := mw.CreateFormFile("files", "扫描件.pdf")
			io.Copy(w, bigPDF(size))
			pw.CloseWithError(mw.Close())
		}()
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/reports", pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, time.Since(start)
	}
	var small, large uint64
	var status int
	var took time.Duration
	small = peakHeap(func() { status, _ = send(4 << 20) })
	if status != http.StatusCreated {
		t.Fatalf("4 MB: status %d", status)
	}
	large = peakHeap(func() { status, took = send(19 << 20) })
	if status != http.StatusCreated {
		t.Fatalf("19 MB: status %d", status)
	}
	t.Logf("heap rise: 4 MB upload %.1f MB, 19 MB upload %.1f MB; the 19 MB upload took %v",
		float64(small)/(1<<20), float64(large)/(1<<20), took.Round(time.Millisecond))
	if large > 12<<20 {
		t.Errorf("the heap rose by %.1f MB during a 19 MB upload: the file is being held in memory", float64(large)/(1<<20))
	}
	if e.blobCount() != 2 {
		t.Errorf("%d blobs, want 2", e.blobCount())
	}
}

// TestUploadLeavesTheConnectionUsable sends an upload and then another
// request on the same connection: the second answer must be its own, not
// the server reading what was left of the upload as a request. An upload
// refused before it is read closes the connection instead.
func TestUploadLeavesTheConnectionUsable(t *testing.T) {
	e := newTestEnv(t)
	addr := liveApp(t, e)
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(conn)
	body, ct := multipartBody(t, url.Values{"report": {validReportJSON}}, []upload{{"a.pdf", evidencetest.PDF("")}})
	fmt.Fprintf(conn, "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", ct, body.Len())
	conn.Write(body.Bytes())
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusCreated || resp.Close {
		t.Fatalf("upload: status %d, close %v", resp.StatusCode, resp.Close)
	}
	io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(got), "ok") {
		t.Errorf("the request after the upload: status %d %q", resp.StatusCode, got)
	}

	// Refused before the body is read (no such case): the connection ends.
	conn2, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	conn2.SetDeadline(time.Now().Add(20 * time.Second))
	body, ct = multipartBody(t, nil, []upload{{"a.pdf", evidencetest.PDF("")}})
	fmt.Fprintf(conn2, "POST /api/v1/reports/2026-999999/files HTTP/1.1\r\nHost: x\r\nX-Access-Code: AAAA-AAAA-AAAA-AAAA-AAAA-AAAA\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", ct, body.Len())
	conn2.Write(body.Bytes())
	resp, err = http.ReadResponse(bufio.NewReader(conn2), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotFound || !resp.Close {
		t.Errorf("refused upload: status %d, close %v", resp.StatusCode, resp.Close)
	}
	if n := e.blobCount(); n != 1 {
		t.Errorf("%d blobs, want 1", n)
	}
}

// TestUploadLimitsApplyPerRoute: the upload routes take bodies of the
// case's limit; every other route keeps the 256 KiB limit, multipart or not.
func TestUploadLimitsApplyPerRoute(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) {
		h.Cases.FileLimits = evidence.Limits{MaxFiles: 2, MaxFileBytes: 1 << 20, MaxCaseBytes: 1 << 20}
	})
	addr := liveApp(t, e)
	// Declared over the upload route's limit (1 MB + the form): 413 at once.
	resp := postDeclaringLength(t, addr, "/api/v1/reports", "multipart/form-data; boundary=x", 4<<20)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !resp.Close {
		t.Errorf("upload over the route's limit: status %d, close %v", resp.StatusCode, resp.Close)
	}
	// 600 KB to an upload route is read; to another route it is too large.
	resp, body := e.postMultipart("/api/v1/reports", url.Values{"report": {validReportJSON}},
		[]upload{{"a.pdf", evidencetest.PDFOfSize("", 600<<10)}}, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("600 KB upload: status %d\n%s", resp.StatusCode, clip(body, 300))
	}
	resp = postDeclaringLength(t, addr, "/followup", "multipart/form-data; boundary=x", 600<<10)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("600 KB multipart to /followup: status %d, want 413", resp.StatusCode)
	}
	// More parts than any form has: 413, nothing stored.
	many := url.Values{"report": {validReportJSON}}
	for i := range 600 {
		many.Set(fmt.Sprintf("field%d", i), "x")
	}
	before := e.caseCount()
	resp, body = e.postMultipart("/api/v1/reports", many, nil, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || e.caseCount() != before {
		t.Errorf("600 parts: status %d\n%s", resp.StatusCode, clip(body, 300))
	}
}

// TestFileNamesNeverRunAsMarkup: a file name is the uploader's text; it is
// shown escaped and downloaded under a cleaned name.
func TestFileNamesNeverRunAsMarkup(t *testing.T) {
	e := newTestEnv(t)
	name := `<img src=x onerror=alert(1)>"'.pdf`
	resp, body := e.submitWithFiles(nil, upload{name, evidencetest.PDF("")})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if strings.Contains(body, "<img src=x") {
		t.Error("the receipt shows the file name as markup")
	}
	number, code := receiptOf(t, body)
	e.mustLogin(number, code)
	_, page := e.get("/followup/case")
	// Angle brackets and quotes are not kept in names (evidence.SafeName);
	// the apostrophe is, and the page escapes it.
	if strings.Contains(page, "<img src=x") || !strings.Contains(page, "_img src=x onerror=alert(1)__&#39;.pdf") {
		t.Error("the follow-up page does not show the cleaned name, escaped")
	}
	links := fileLink.FindAllStringSubmatch(page, -1)
	if len(links) != 1 {
		t.Fatalf("%d links", len(links))
	}
	resp, _ = e.get("/followup/case/files/" + links[0][1])
	cd := resp.Header.Get("Content-Disposition")
	if strings.ContainsAny(cd, "<>\r\n") || strings.Count(cd, `"`) != 2 || !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") {
		t.Errorf("download CSP %q", csp)
	}
}

// downBlobs is a file store on a full or read-only disk.
type downBlobs struct{ store.BlobStore }

func (downBlobs) PutBlob(ctx context.Context, id string, r io.Reader) (int64, error) {
	io.CopyN(io.Discard, r, 1000)
	return 0, store.Wrap(store.EUNAVAILABLE, errors.New("disk put: write files/tmp/put-1: no space left on device"), store.MsgFileUnavailable)
}

// With the file store down, a submission with files is 503 on every route
// that takes files: the form comes back with what was typed and says
// nothing was submitted, and like every other 503 it has Retry-After and
// its cause is logged once with the request id.
func TestFilesDownAnswer503LoggedWithRetryAfter(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	e.h.Cases.Blobs = downBlobs{e.blobs}
	check := func(route string, resp *http.Response, body string, want ...string) {
		t.Helper()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503\n%s", route, resp.StatusCode, clip(body, 500))
			return
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", route)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: answer lacks %q", route, w)
			}
		}
		if strings.Contains(body, "no space") {
			t.Errorf("%s: answer shows the cause", route)
		}
		lines := e.errorLogs(resp.Header.Get("X-Request-Id"))
		if len(lines) != 1 || !strings.Contains(fmt.Sprint(lines[0]["error"]), "no space left on device") {
			t.Errorf("%s: error log lines %v, want one with the cause", route, lines)
		}
	}
	resp, body := e.submitWithFiles(nil, upload{"工资明细.pdf", evidencetest.PDF("")})
	check("report form", resp, body, caseflow.MsgFilesDown, "长春某某商贸有限公司")
	resp, body = e.postMultipart("/api/v1/reports", url.Values{"report": {validReportJSON}},
		[]upload{{"工资明细.pdf", evidencetest.PDF("")}}, map[string]string{"Idempotency-Key": "files-down-test-0001"})
	check("API report", resp, body, "未被保存")
	resp, body = e.postMultipart("/api/v1/reports/"+number+"/files", nil,
		[]upload{{"补充.pdf", evidencetest.PDF("")}}, map[string]string{"X-Access-Code": code})
	check("API files", resp, body, "未被保存")
	e.mustLogin(number, code)
	_, page := e.get("/followup/case")
	resp, body = e.postMultipart("/followup/case/messages", url.Values{"_csrf": {csrfField.FindStringSubmatch(page)[1]},
		"idem": {idemField.FindStringSubmatch(page)[1]}, "body": {"另附一份说明材料，请查收。"}}, []upload{{"说明.pdf", evidencetest.PDF("")}}, nil)
	check("follow-up message", resp, body, "另附一份说明材料")
	if n := e.caseCount(); n != 1 {
		t.Errorf("%d cases, want the one filed before", n)
	}
}
