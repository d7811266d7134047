package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fundwatch/casework/evidence/evidencetest"
	"fundwatch/store"
	"fundwatch/store/disk"
	"fundwatch/store/mongo"
)

// TestCrashLeavesNoOrphanFiles kills the real binary (SIGKILL) while
// reporters upload evidence files, three times, with one upload always cut
// off half-way (its first file stored, its second arriving), then checks:
//   - every report acknowledged with 201 still lists its files, and each
//     downloads to the bytes sent;
//   - the kills left files that no case points at (the cut-off upload's),
//     and no temporary file survives a restart;
//   - the sweep removes those files once they are older than --orphan-age,
//     and nothing else: afterwards the stored files are exactly the ones
//     the cases record.
func TestCrashLeavesNoOrphanFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	tmp := t.TempDir()
	bin := crashBuild(t, tmp)
	storeArgs := testStoreArgs(t)
	data := filepath.Join(tmp, "data")

	type acked struct {
		number, code string
		sums         map[string][32]byte // by file name
	}
	var (
		mu   sync.Mutex
		acks []acked
	)
	statement := evidencetest.PDFOfSize("", 200<<10)
	scan := evidencetest.PDFOfSize("", 1<<20)
	sums := map[string][32]byte{"工资明细.pdf": sha256.Sum256(statement), "扫描件.pdf": sha256.Sum256(scan)}

	for cycle := range 3 {
		srv := crashStart(t, bin, data, filepath.Join(tmp, fmt.Sprintf("files-%d.log", cycle)), storeArgs...)
		mu.Lock()
		for _, a := range acks {
			if p := crashCheckFiles(srv, a.number, a.code, a.sums); p != "" {
				t.Errorf("cycle %d: %s", cycle, p)
			}
		}
		mu.Unlock()

		// Reporters upload two files each, as fast as they can.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					status, number, code := crashUpload(srv, fmt.Sprintf("c%d-w%d-%d", cycle, w, i), statement, scan)
					if status == http.StatusCreated {
						mu.Lock()
						acks = append(acks, acked{number, code, sums})
						mu.Unlock()
					}
				}
			}()
		}
		// One upload stops half-way through its second file.
		conn := crashHalfUpload(t, srv, statement, scan)
		time.Sleep(time.Duration(300+cycle*200) * time.Millisecond)
		srv.kill()
		close(stop)
		wg.Wait()
		conn.Close()
	}

	// Offline: the kills left files no case points at.
	db := crashOpenStore(t, data, storeArgs)
	blobs := crashBlobs(t, db, data)
	orphans := crashOrphans(t, db, blobs)
	if len(orphans) == 0 {
		t.Error("no file without a case after the kills: the cut-off uploads left nothing to sweep")
	}
	blobs.Close()
	db.Close()

	// Restart with a short --orphan-age: the sweep runs and removes them.
	srv := crashStart(t, bin, data, filepath.Join(tmp, "files-final.log"), append([]string{"--orphan-age", "2s"}, storeArgs...)...)
	if len(storeArgs) == 0 {
		if left, _ := os.ReadDir(filepath.Join(data, "files", "tmp")); len(left) > 0 {
			t.Errorf("%d temporary files survived the restart", len(left))
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for !crashLogHas(srv.logPath, "removed evidence files no case points at") && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	mu.Lock()
	for _, a := range acks {
		if p := crashCheckFiles(srv, a.number, a.code, a.sums); p != "" {
			t.Errorf("after the sweep: %s", p)
		}
	}
	mu.Unlock()
	srv.stop(t)

	db = crashOpenStore(t, data, storeArgs)
	defer db.Close()
	blobs = crashBlobs(t, db, data)
	defer blobs.Close()
	if left := crashOrphans(t, db, blobs); len(left) > 0 {
		t.Errorf("%d files without a case after the sweep: %v", len(left), left)
	}
	t.Logf("figures: %d reports with files acknowledged over 3 kills, %d files without a case before the sweep, none after",
		len(acks), len(orphans))
}

const crashFilesReportJSON = `{"kind":"report","reporterType":"citizen","anonymous":true,"category":"unpaid_contributions",` +
	`"insuranceTypes":["pension"],"regionCode":"220102","subject":{"name":"某某物流有限公司"},` +
	`"description":"该公司未为全部职工缴纳养老保险，工资明细和扫描件附后。","acknowledgeNotice":true}`

// crashUploadBody is a report with two files, as multipart.
func crashUploadBody(statement, scan []byte) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("report", crashFilesReportJSON)
	w, _ := mw.CreateFormFile("files", "工资明细.pdf")
	w.Write(statement)
	w, _ = mw.CreateFormFile("files", "扫描件.pdf")
	w.Write(scan)
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// crashUpload files a report with two files; the status is 0 when the
// server died.
func crashUpload(srv *crashServer, key string, statement, scan []byte) (status int, number, code string) {
	body, ct := crashUploadBody(statement, scan)
	req, _ := http.NewRequest(http.MethodPost, srv.base+"/api/v1/reports", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Idempotency-Key", "crash-files-"+key+"-0000000000")
	resp, err := srv.client.Do(req)
	if err != nil {
		return 0, "", ""
	}
	defer resp.Body.Close()
	var r crashReceiptBody
	if resp.StatusCode == http.StatusCreated && json.NewDecoder(resp.Body).Decode(&r) != nil {
		return 0, "", ""
	}
	return resp.StatusCode, r.Number, r.AccessCode
}

// crashHalfUpload sends a report's upload up to the middle of its second
// file and leaves the connection open: the first file is stored, the case
// is not.
func crashHalfUpload(t *testing.T, srv *crashServer, statement, scan []byte) net.Conn {
	t.Helper()
	body, ct := crashUploadBody(statement, scan)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	half := len(body) - len(scan)/2
	fmt.Fprintf(conn, "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", ct, len(body))
	if _, err := conn.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	return conn
}

// crashCheckFiles checks through the API that a report lists its files and
// that each downloads to the bytes sent; "" when all is well.
func crashCheckFiles(srv *crashServer, number, code string, sums map[string][32]byte) string {
	get := func(path string) (*http.Response, []byte, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.base+path, nil)
		req.Header.Set("X-Access-Code", code)
		resp, err := srv.client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	resp, body, err := get("/api/v1/reports/" + number)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("report %s: %v %v", number, err, resp)
	}
	var view struct {
		Files []struct{ ID, Name string }
	}
	if err := json.Unmarshal(body, &view); err != nil {
		return fmt.Sprintf("report %s: %v", number, err)
	}
	if len(view.Files) != len(sums) {
		return fmt.Sprintf("report %s lists %d files, want %d", number, len(view.Files), len(sums))
	}
	for _, f := range view.Files {
		resp, b, err := get("/api/v1/reports/" + number + "/files/" + f.ID)
		if err != nil || resp.StatusCode != http.StatusOK || sha256.Sum256(b) != sums[f.Name] {
			return fmt.Sprintf("report %s file %s (%s): %v, %d bytes not as sent", number, f.ID, f.Name, err, len(b))
		}
	}
	return ""
}

// crashBlobs opens where the server keeps evidence files.
func crashBlobs(t *testing.T, db store.Store, data string) store.BlobStore {
	t.Helper()
	if m, ok := db.(*mongo.DB); ok {
		return m.Blobs()
	}
	// Attach: leave dir/tmp to the server, whose restart must clear it.
	b, err := disk.Attach(filepath.Join(data, "files"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// crashOrphans lists the stored files no case record names.
func crashOrphans(t *testing.T, db store.Store, blobs store.BlobStore) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	if err := blobs.Blobs(ctx, time.Now().Add(time.Hour), func(id string, _ time.Time) error {
		ids = append(ids, id)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	known, err := db.FilesKnown(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, id := range ids {
		if !known[id] {
			out = append(out, id)
		}
	}
	return out
}

// crashLogHas tells whether the server's log holds s.
func crashLogHas(path, s string) bool {
	b, err := os.ReadFile(path)
	return err == nil && bytes.Contains(b, []byte(s))
}
