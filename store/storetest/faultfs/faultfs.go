// Package faultfs gives tests a small filesystem of their own that they can
// fill up or have the kernel turn read-only under a running server: a tmpfs
// of a chosen size, and an ext4 image on a loop device. Both need root
// (CI runs as root); without it, or when the kernel refuses the mount, the
// test fails when CI is set and is skipped with the reason otherwise.
// Everything is unmounted in t.Cleanup, also when the test fails. Only
// tests import it.
//
// Linux does not remount a filesystem read-only while a process holds a
// file open for writing ("mount point is busy"), and a server always holds
// its SQLite database so. A running server sees its disk turn read-only
// only when the filesystem forces it after an error (ext4's
// errors=remount-ro): Ext4.ForceReadOnly makes that happen. Such a
// filesystem stays read-only until it is unmounted and checked.
package faultfs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// unavailable fails the test under CI (CI runs as root and can mount) and
// skips it otherwise.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI is set: CI runs as root and must be able to mount)", msg)
	}
	t.Skipf("%s; skipped (run as root to test disk faults)", msg)
}

func needRoot(t testing.TB, what string) {
	t.Helper()
	if os.Geteuid() != 0 {
		unavailable(t, "%s needs root to mount a filesystem, and this test runs as uid %d", what, os.Geteuid())
	}
}

// Tmpfs mounts a tmpfs of size bytes (a multiple of 4 KiB) on a new
// directory under t.TempDir() and returns the directory.
func Tmpfs(t testing.TB, size int64) string {
	t.Helper()
	needRoot(t, "a small tmpfs")
	dir := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput(); err != nil {
		unavailable(t, "mount a tmpfs: %v: %s", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { unmount(t, dir) })
	return dir
}

// Remount remounts the filesystem mounted on dir with opts ("ro", "rw").
// Turning a filesystem read-only fails while a process holds a file on it
// open for writing.
func Remount(dir, opts string) error {
	if out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput(); err != nil {
		return fmt.Errorf("mount -o remount,%s %s: %v: %s", opts, dir, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Fill writes a file in dir until the filesystem has no room left and
// returns its path: removing it gives the room back.
func Fill(t testing.TB, dir string) string {
	t.Helper()
	f, err := os.CreateTemp(dir, "filler-")
	if err != nil {
		t.Fatalf("create the filler: %v", err)
	}
	defer f.Close()
	block := make([]byte, 64<<10)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", dir, err)
			}
			break
		}
	}
	// The last pages too: a write of one byte must fail.
	for {
		if _, err := f.Write(block[:1]); err != nil {
			break
		}
	}
	return f.Name()
}

// Free is the room left on the filesystem of dir, in bytes.
func Free(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1
	}
	return int64(st.Bavail) * st.Bsize
}

// Ext4 is an ext4 filesystem in an image file, mounted through a loop
// device with errors=remount-ro.
type Ext4 struct {
	Dir    string // where it is mounted
	image  string
	device string // loopN, while mounted
}

// NewExt4 makes an ext4 image of size bytes and mounts it on a new
// directory under t.TempDir().
func NewExt4(t testing.TB, size int64) *Ext4 {
	t.Helper()
	needRoot(t, "an ext4 image on a loop device")
	base := t.TempDir()
	fs := &Ext4{Dir: filepath.Join(base, "ext4"), image: filepath.Join(base, "ext4.img")}
	if err := os.Mkdir(fs.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(fs.image)
	if err == nil {
		err = f.Truncate(size)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", fs.image).CombinedOutput(); err != nil {
		unavailable(t, "mkfs.ext4 (Debian package e2fsprogs): %v: %s", err, strings.TrimSpace(string(out)))
	}
	if err := fs.Mount(); err != nil {
		unavailable(t, "mount an ext4 image on a loop device: %v", err)
	}
	t.Cleanup(func() {
		if fs.device != "" {
			unmount(t, fs.Dir)
		}
	})
	return fs
}

// Mount mounts the image again (after Unmount), read-write unless opts
// says otherwise ("ro").
func (fs *Ext4) Mount(opts ...string) error {
	o := strings.Join(append([]string{"loop", "errors=remount-ro"}, opts...), ",")
	if out, err := exec.Command("mount", "-t", "ext4", "-o", o, fs.image, fs.Dir).CombinedOutput(); err != nil {
		return fmt.Errorf("mount -o %s: %v: %s", o, err, strings.TrimSpace(string(out)))
	}
	out, err := exec.Command("findmnt", "-n", "-o", "SOURCE", "--mountpoint", fs.Dir).Output()
	if err != nil {
		return fmt.Errorf("findmnt %s: %v", fs.Dir, err)
	}
	fs.device = filepath.Base(strings.TrimSpace(string(out)))
	return nil
}

// ForceReadOnly reports a filesystem error to ext4, as a failing disk
// would: with errors=remount-ro the kernel aborts the journal and refuses
// every further write (EROFS), also through files already open.
func (fs *Ext4) ForceReadOnly() error {
	path := filepath.Join("/sys/fs/ext4", fs.device, "trigger_fs_error")
	if err := os.WriteFile(path, []byte("fault test: data directory turned read-only\n"), 0o200); err != nil {
		return fmt.Errorf("trigger an ext4 error through %s: %w", path, err)
	}
	return nil
}

// Unmount unmounts the filesystem; nothing may hold a file on it.
func (fs *Ext4) Unmount() error {
	if out, err := exec.Command("umount", fs.Dir).CombinedOutput(); err != nil {
		return fmt.Errorf("umount %s: %v: %s", fs.Dir, err, strings.TrimSpace(string(out)))
	}
	fs.device = ""
	return nil
}

// Check runs e2fsck on the unmounted image, repairing what the forced
// error left (the journal is replayed), and returns its report. Exit
// status 1 (errors corrected) is no error.
func (fs *Ext4) Check() (string, error) {
	out, err := exec.Command("e2fsck", "-f", "-y", fs.image).CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		err = nil
	}
	return string(out), err
}

// unmount unmounts dir, waiting briefly for processes that are still
// letting go of it, then lazily so that the test's temporary directory can
// be removed.
func unmount(t testing.TB, dir string) {
	t.Helper()
	var out []byte
	var err error
	for range 50 {
		if out, err = exec.Command("umount", dir).CombinedOutput(); err == nil {
			return
		}
		if strings.Contains(string(out), "not mounted") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("umount %s: %v: %s; unmounting lazily", dir, err, strings.TrimSpace(string(out)))
	_ = exec.Command("umount", "-l", dir).Run()
}
