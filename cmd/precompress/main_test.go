package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// precompress writes both forms, each decoding to the file, and a second
// run over an unchanged file rewrites neither (go generate leaves the tree
// clean); a changed file gets new forms.
func TestPrecompressWritesFormsThatDecodeToTheFile(t *testing.T) {
	name := filepath.Join(t.TempDir(), "lib.js")
	body := []byte(strings.Repeat("function chart(){return 42;}\n", 300))
	if err := os.WriteFile(name, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := precompress(name); err != nil {
		t.Fatal(err)
	}
	check := func(want []byte) {
		t.Helper()
		gz, err := os.ReadFile(name + ".gz")
		if err != nil {
			t.Fatal(err)
		}
		br, err := os.ReadFile(name + ".br")
		if err != nil {
			t.Fatal(err)
		}
		if plain, err := fasthttp.AppendGunzipBytes(nil, gz); err != nil || !bytes.Equal(plain, want) {
			t.Errorf(".gz does not decode to the file: %v", err)
		}
		if plain, err := fasthttp.AppendUnbrotliBytes(nil, br); err != nil || !bytes.Equal(plain, want) {
			t.Errorf(".br does not decode to the file: %v", err)
		}
		if len(gz) >= len(want) || len(br) >= len(want) {
			t.Errorf("forms of %d and %d bytes for a file of %d", len(gz), len(br), len(want))
		}
	}
	check(body)

	old := time.Now().Add(-time.Hour)
	for _, f := range []string{name + ".gz", name + ".br"} {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := precompress(name); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{name + ".gz", name + ".br"} {
		if st, err := os.Stat(f); err != nil || !st.ModTime().Equal(old) {
			t.Errorf("%s was written again for an unchanged file", filepath.Base(f))
		}
	}

	changed := append(body, []byte("var version = 2;\n")...)
	if err := os.WriteFile(name, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := precompress(name); err != nil {
		t.Fatal(err)
	}
	check(changed)
}
