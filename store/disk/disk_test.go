package disk_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"fundwatch/store"
	"fundwatch/store/disk"
	"fundwatch/store/storetest"
)

func open(t *testing.T, dir string) *disk.Store {
	t.Helper()
	s, err := disk.Open(dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.RunBlobs(t, func(t *testing.T) store.BlobStore {
		return open(t, filepath.Join(t.TempDir(), "files"))
	})
}

// tmpFiles lists what is in dir/tmp.
func tmpFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "tmp"))
	if err != nil {
		t.Fatalf("ReadDir(tmp): %v", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestFailedPutLeavesNoTemporaryFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "files")
	s := open(t, dir)
	broken := errors.New("broken upload")
	_, err := s.PutBlob(t.Context(), store.NewID(), io.MultiReader(strings.NewReader("部分内容"), iotest.ErrReader(broken)))
	if !errors.Is(err, broken) {
		t.Fatalf("PutBlob with a failing reader: %v, want %v", err, broken)
	}
	if names := tmpFiles(t, dir); len(names) != 0 {
		t.Errorf("after a failed put dir/tmp holds %v", names)
	}
	if _, err := s.PutBlob(t.Context(), store.NewID(), strings.NewReader("完整内容")); err != nil {
		t.Fatalf("PutBlob: %v", err)
	}
	if names := tmpFiles(t, dir); len(names) != 0 {
		t.Errorf("after a put dir/tmp holds %v", names)
	}
}

func TestOpenRemovesLeftoverTemporaryFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "files")
	s := open(t, dir)
	kept := store.NewID()
	if _, err := s.PutBlob(t.Context(), kept, strings.NewReader("保留")); err != nil {
		t.Fatalf("PutBlob: %v", err)
	}
	// What a crash in the middle of a put leaves.
	for _, name := range []string{"put-123456", "put-crashed"} {
		if err := os.WriteFile(filepath.Join(dir, "tmp", name), []byte("半截"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A command beside the running server attaches: it must not touch
	// the server's puts in progress.
	attached, err := disk.Attach(dir)
	if err != nil {
		t.Fatal(err)
	}
	attached.Close()
	if names := tmpFiles(t, dir); len(names) != 2 {
		t.Errorf("Attach changed dir/tmp: %v", names)
	}
	open(t, dir)
	if names := tmpFiles(t, dir); len(names) != 0 {
		t.Errorf("after Open dir/tmp still holds %v", names)
	}
	rc, err := s.OpenBlob(t.Context(), kept)
	if err != nil {
		t.Fatalf("OpenBlob of a stored blob after reopening: %v", err)
	}
	_ = rc.Close()
}

func TestModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "files")
	s := open(t, dir)
	id := store.NewID()
	if _, err := s.PutBlob(t.Context(), id, strings.NewReader("只有本进程可读")); err != nil {
		t.Fatalf("PutBlob: %v", err)
	}
	want := map[string]fs.FileMode{
		dir:                            0o700 | fs.ModeDir,
		filepath.Join(dir, "tmp"):      0o700 | fs.ModeDir,
		filepath.Join(dir, id[:2]):     0o700 | fs.ModeDir,
		filepath.Join(dir, id[:2], id): 0o600,
	}
	for path, mode := range want {
		info, err := os.Stat(path)
		if err != nil {
			t.Errorf("Stat(%s): %v", path, err)
			continue
		}
		if info.Mode() != mode {
			t.Errorf("%s has mode %s, want %s", path, info.Mode(), mode)
		}
	}
}

func TestLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "files")
	s := open(t, dir)
	id := store.NewID()
	if _, err := s.PutBlob(t.Context(), id, strings.NewReader("证据")); err != nil {
		t.Fatalf("PutBlob: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, id[:2], id))
	if err != nil || string(b) != "证据" {
		t.Errorf("dir/%s/%s holds %q (%v), want the blob", id[:2], id, b, err)
	}
}

func TestBlobsSkipsWhatIsNotABlob(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "files")
	s := open(t, dir)
	id := store.NewID()
	if _, err := s.PutBlob(t.Context(), id, strings.NewReader("证据")); err != nil {
		t.Fatalf("PutBlob: %v", err)
	}
	misplaced := store.NewID()
	for misplaced[:2] == id[:2] {
		misplaced = store.NewID()
	}
	for _, path := range []string{
		filepath.Join(dir, "README"),
		filepath.Join(dir, id[:2], "notes.txt"),
		filepath.Join(dir, id[:2], misplaced),
		filepath.Join(dir, "tmp", store.NewID()),
	} {
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err := s.Blobs(t.Context(), time.Now().Add(time.Hour), func(id string, _ time.Time) error {
		got = append(got, id)
		return nil
	})
	if err != nil {
		t.Fatalf("Blobs: %v", err)
	}
	if len(got) != 1 || got[0] != id {
		t.Errorf("Blobs lists %v, want only %s", got, id)
	}
}

func TestOpenRefusesAnEmptyDirectory(t *testing.T) {
	_, err := disk.Open("")
	if store.ErrorCode(err) != store.EINVALID {
		t.Errorf("Open(\"\"): %v, want EINVALID", err)
	}
}
