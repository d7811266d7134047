package caseflow

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/evidence/evidencetest"
	"fundwatch/store"
	"fundwatch/store/disk"
)

// filesService is a service on SQLite with evidence files on disk.
func filesService(t *testing.T) (*Service, *disk.Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "files")
	blobs, err := disk.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	k, err := casework.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	return &Service{Store: openSQLite(t), Blobs: blobs, Keyring: k, Regions: casework.DefaultRegions(),
		Rules: DefaultRules(), Clock: func() time.Time { return now }}, blobs, dir
}

func pngFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		img.Set(x, x%30, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func blobCount(t *testing.T, b store.BlobStore) int {
	t.Helper()
	n := 0
	if err := b.Blobs(t.Context(), time.Now().Add(time.Hour), func(string, time.Time) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func testFiling(key string, files ...store.Attachment) Filing {
	return Filing{Kind: store.KindReport, ReporterType: store.ReporterCitizen, Anonymous: true, Category: "other",
		InsuranceTypes: []string{"pension"}, RegionCode: "220102", Subject: store.Party{Name: "某单位"},
		Description: "某单位长期少缴职工养老保险费，证据见附件照片。", IdempotencyKey: key, Digest: "digest-" + key, Files: files}
}

// A file is stored encrypted, comes back as it was checked, and goes in
// with its case; the reporter and staff in scope can open it.
func TestEvidenceFilesGoInWithTheCase(t *testing.T) {
	ctx := context.Background()
	svc, blobs, dir := filesService(t)
	photo := pngFile(t)
	up, err := svc.StoreUpload(ctx, "现场照片.png", bytes.NewReader(photo), 20<<20)
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "现场照片.png" || up.Type != "image/png" || up.Size != int64(len(photo)) || len(up.SealedKey) == 0 {
		t.Fatalf("upload record: %+v", up)
	}
	// The blob on disk is ciphertext.
	raw, err := blobs.OpenBlob(ctx, up.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(raw)
	raw.Close()
	if bytes.Contains(stored, photo[:64]) || bytes.Contains(stored, []byte("IHDR")) {
		t.Error("the stored blob holds the file in clear")
	}
	_ = dir

	r, err := svc.FileCase(ctx, testFiling("files-case-1", up))
	if err != nil {
		t.Fatal(err)
	}
	files, err := svc.ReporterFiles(ctx, r.Case)
	if err != nil || len(files) != 1 || files[0].ID != up.ID || files[0].Author != store.AuthorReporter {
		t.Fatalf("reporter's files: %+v, %v", files, err)
	}
	f, rc, err := svc.OpenFileForReporter(ctx, r.Case, up.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if sum := sha256.Sum256(got); !bytes.Equal(got, photo) || !bytes.Equal(sum[:], f.SHA256) {
		t.Errorf("the reporter got %d bytes back, want the %d uploaded", len(got), len(photo))
	}

	city := Actor{UserID: "u1", Username: "handler", Role: store.RoleHandler, RegionCode: "220100",
		Scope: svc.Regions.Descendants("220100")}
	_, rc, err = svc.OpenFileForStaff(ctx, city, r.Case.ID, up.ID)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	entries, _, err := svc.Store.ListAudit(ctx, store.AuditFilter{ActionPrefix: AuditFileDownload})
	if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Detail, "现场照片.png") {
		t.Errorf("the download's audit entry: %+v, %v", entries, err)
	}
	other := city
	other.RegionCode, other.Scope = "220200", svc.Regions.Descendants("220200")
	if _, _, err := svc.OpenFileForStaff(ctx, other, r.Case.ID, up.ID); store.ErrorCode(err) != store.ENOTFOUND {
		t.Errorf("another city's handler opened the file: %v", err)
	}
}

// A refused file, a refused filing and a repeated one leave no blob.
func TestRefusedUploadsLeaveNothing(t *testing.T) {
	ctx := context.Background()
	svc, blobs, _ := filesService(t)
	for name, body := range map[string][]byte{
		"合同.pdf":   append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 4096)...),
		"照片.png":   []byte("<html><script>alert(1)</script></html>"),
		"空文件.jpg":  nil,
		"超大照片.png": append(pngFile(t), bytes.Repeat([]byte{0}, 2<<20)...),
	} {
		_, err := svc.StoreUpload(ctx, name, bytes.NewReader(body), 1<<20)
		if store.ErrorCode(err) != store.EINVALID || !strings.Contains(store.ErrorMessage(err), name) {
			t.Errorf("%s: %v; want EINVALID naming the file", name, err)
		}
	}
	if n := blobCount(t, blobs); n != 0 {
		t.Fatalf("%d blobs left by refused files", n)
	}

	up, err := svc.StoreUpload(ctx, "a.png", bytes.NewReader(pngFile(t)), 20<<20)
	if err != nil {
		t.Fatal(err)
	}
	bad := testFiling("files-bad-period", up)
	bad.OccurredFrom = "2099-01-01"
	if _, err := svc.FileCase(ctx, bad); store.ErrorCode(err) != store.EINVALID {
		t.Fatalf("a filing in the future: %v", err)
	}
	if n := blobCount(t, blobs); n != 0 {
		t.Errorf("a refused filing left %d blobs", n)
	}

	first, _ := svc.StoreUpload(ctx, "a.png", bytes.NewReader(pngFile(t)), 20<<20)
	if _, err := svc.FileCase(ctx, testFiling("files-repeat", first)); err != nil {
		t.Fatal(err)
	}
	again, _ := svc.StoreUpload(ctx, "a.png", bytes.NewReader(pngFile(t)), 20<<20)
	r, err := svc.FileCase(ctx, testFiling("files-repeat", again))
	if err != nil || !r.Repeat {
		t.Fatalf("the retry: %+v, %v", r, err)
	}
	if n := blobCount(t, blobs); n != 1 {
		t.Errorf("%d blobs after a case and its retry, want the case's one", n)
	}
}

// Over the count or the total size of a case is refused with what is over.
func TestCaseFileLimits(t *testing.T) {
	svc, _, _ := filesService(t)
	svc.FileLimits.MaxFiles, svc.FileLimits.MaxFileBytes, svc.FileLimits.MaxCaseBytes = 2, 10<<20, 15<<20
	f := func(size int64) store.Attachment { return store.Attachment{Size: size} }
	if err := svc.CheckCaseFiles([]store.Attachment{f(1)}, []store.Attachment{f(1)}); err != nil {
		t.Errorf("two files: %v", err)
	}
	if err := svc.CheckCaseFiles([]store.Attachment{f(1)}, []store.Attachment{f(1), f(1)}); !strings.Contains(store.ErrorMessage(err), "最多上传 2 个文件") {
		t.Errorf("three files: %v", err)
	}
	if err := svc.CheckCaseFiles([]store.Attachment{f(10 << 20)}, []store.Attachment{f(6 << 20)}); !strings.Contains(store.ErrorMessage(err), "15 MB") {
		t.Errorf("16 MB: %v", err)
	}
	purged := f(10 << 20)
	purged.PurgedAt = time.Now()
	if err := svc.CheckCaseFiles([]store.Attachment{purged}, []store.Attachment{f(10 << 20)}); err != nil {
		t.Errorf("a purged file counted: %v", err)
	}
}

// The sweep removes blobs no record names once they are old enough, and
// nothing else.
func TestSweepRemovesOrphanFiles(t *testing.T) {
	ctx := context.Background()
	svc, blobs, _ := filesService(t)
	kept, _ := svc.StoreUpload(ctx, "kept.png", bytes.NewReader(pngFile(t)), 20<<20)
	if _, err := svc.FileCase(ctx, testFiling("files-sweep", kept)); err != nil {
		t.Fatal(err)
	}
	orphan, _ := svc.StoreUpload(ctx, "orphan.png", bytes.NewReader(pngFile(t)), 20<<20)
	if n, err := svc.SweepOrphanFiles(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("a sweep of old blobs only: %d, %v", n, err)
	}
	n, err := svc.SweepOrphanFiles(ctx, time.Now().Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v; want the orphan", n, err)
	}
	if _, err := blobs.OpenBlob(ctx, orphan.ID); store.ErrorCode(err) != store.ENOTFOUND {
		t.Errorf("the orphan is still there: %v", err)
	}
	if rc, err := blobs.OpenBlob(ctx, kept.ID); err != nil {
		t.Errorf("the case's file went: %v", err)
	} else {
		rc.Close()
	}
}

// Files added with a message count with the case's files already stored,
// for the reporter and for staff alike, and a refused message leaves none
// of its uploads behind.
func TestMessageFilesCountWithTheCase(t *testing.T) {
	ctx := context.Background()
	svc, blobs, _ := filesService(t)
	svc.FileLimits.MaxFiles, svc.FileLimits.MaxFileBytes, svc.FileLimits.MaxCaseBytes = 2, 1<<20, 2<<20
	upload := func() store.Attachment {
		a, err := svc.StoreUpload(ctx, "照片.png", bytes.NewReader(pngFile(t)), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	r, err := svc.FileCase(ctx, testFiling("limits-case-00000001", upload()))
	if err != nil {
		t.Fatal(err)
	}
	c := r.Case
	if _, err := svc.AddReporterMessage(ctx, c, "补充一张照片。", "", []store.Attachment{upload()}); err != nil {
		t.Fatal(err)
	}
	if n := blobCount(t, blobs); n != 2 {
		t.Fatalf("%d blobs, want 2", n)
	}
	_, err = svc.AddReporterMessage(ctx, c, "再补充一张照片。", "", []store.Attachment{upload()})
	if !strings.Contains(store.ErrorMessage(err), "最多上传 2 个文件，本次提交后将有 3 个") {
		t.Errorf("a third file from the reporter: %v", err)
	}
	system := SystemActor("test", svc.Regions)
	_, err = svc.Reply(ctx, system, c.ID, "附核查通知书。", "", upload())
	if !strings.Contains(store.ErrorMessage(err), "本次提交后将有 3 个") {
		t.Errorf("a third file from staff: %v", err)
	}
	if n := blobCount(t, blobs); n != 2 {
		t.Errorf("%d blobs after the refused messages, want 2", n)
	}
}

// fullBlobs is a blob store on a disk that fills up after some bytes of a
// put, as the disk store reports it.
type fullBlobs struct {
	store.BlobStore
	room int64
}

func (b fullBlobs) PutBlob(ctx context.Context, id string, r io.Reader) (int64, error) {
	n, _ := io.CopyN(io.Discard, r, b.room)
	return n, store.Wrap(store.EUNAVAILABLE, errors.New("disk put: write: no space left on device"), store.MsgFileUnavailable)
}

// A file the store cannot keep (its disk is full) is the store failing,
// EUNAVAILABLE, never the reporter's file "not uploaded completely".
func TestUploadToAFullDiskIsUnavailable(t *testing.T) {
	svc, blobs, _ := filesService(t)
	scan := evidencetest.PDFOfSize("", 1<<20)
	for _, room := range []int64{0, 100, 300 << 10} {
		svc.Blobs = fullBlobs{BlobStore: blobs, room: room}
		_, err := svc.StoreUpload(t.Context(), "扫描件.pdf", bytes.NewReader(scan), 20<<20)
		if store.ErrorCode(err) != store.EUNAVAILABLE {
			t.Errorf("disk full after %d bytes: %v (%s), want EUNAVAILABLE", room, err, store.ErrorMessage(err))
		}
	}
	if n := blobCount(t, blobs); n != 0 {
		t.Errorf("%d blobs left", n)
	}
}
