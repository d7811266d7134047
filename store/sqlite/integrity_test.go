package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestIntegrityCheck(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fundwatch.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		createTestCase(t, db, fmt.Sprintf("case-%03d", i), time.Date(2026, 4, 1, 2, 3, 4, 0, time.UTC))
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Errorf("a sound database: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Spoil the last pages of the file (the cases' indexes), as a disk
	// that lost writes would.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	copy(b[len(b)-3*4096:], bytes.Repeat([]byte{0x5a}, 2*4096))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path)
	if err != nil {
		t.Skipf("the spoiled database does not open (%v): nothing left to check", err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err == nil {
		t.Error("a spoiled database passed the integrity check")
	} else {
		t.Logf("spoiled database: %v", err)
	}
}
