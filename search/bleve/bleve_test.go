package bleve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"

	"fundwatch/search"
	"fundwatch/search/searchtest"
)

// harness opens every index in its own t.TempDir().
func harness() searchtest.Harness {
	dirs := map[search.Index]string{}
	return searchtest.Harness{
		New: func(t *testing.T, name string) search.Index {
			t.Helper()
			dir := t.TempDir()
			idx, err := Open(dir, name)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { _ = idx.Close() })
			dirs[idx] = dir
			return idx
		},
		Reopen: func(t *testing.T, old search.Index) search.Index {
			t.Helper()
			if err := old.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			idx, err := Open(dirs[old], old.(*Index).name)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			t.Cleanup(func() { _ = idx.Close() })
			dirs[idx] = dirs[old]
			return idx
		},
	}
}

func TestConformance(t *testing.T) {
	searchtest.Run(t, harness())
}

func TestRelevance(t *testing.T) {
	searchtest.RunRelevance(t, harness())
}

func testDoc(id string) search.Document {
	return search.Document{
		ID: id, Type: search.TypeNews, Title: "社会保险基金监督", Body: "正文。",
		RegionCode: "220100", Year: 2025, Date: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
	}
}

func countOf(t *testing.T, idx *Index) int64 {
	t.Helper()
	n, err := idx.Count(context.Background())
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	return n
}

func TestOpenRebuilds(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		spoil   func(t *testing.T, dir string) // what happens to the index between two opens
		wantLen int64
	}{
		{"same version keeps the documents", func(*testing.T, string) {}, 2},
		{"another mapping version starts empty", nil, 0},
		{"corrupt metadata starts empty", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, search.IndexPublic+".bleve", "index_meta.json"), []byte("{not json"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, 0},
		{"a directory that is no index starts empty", func(t *testing.T, dir string) {
			path := filepath.Join(dir, search.IndexPublic+".bleve")
			if err := os.RemoveAll(path); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(path, "junk"), 0o750); err != nil {
				t.Fatal(err)
			}
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			version := MappingVersion
			if tc.spoil == nil {
				version = "old-" + MappingVersion
			}
			old, err := open(dir, search.IndexPublic, version)
			if err != nil {
				t.Fatal(err)
			}
			if err := old.Put(ctx, []search.Document{testDoc("d1"), testDoc("d2")}); err != nil {
				t.Fatal(err)
			}
			if err := old.Close(); err != nil {
				t.Fatal(err)
			}
			if tc.spoil != nil {
				tc.spoil(t, dir)
			}
			idx, err := Open(dir, search.IndexPublic)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer idx.Close()
			if n := countOf(t, idx); n != tc.wantLen {
				t.Errorf("Count = %d, want %d", n, tc.wantLen)
			}
			// The rebuilt index serves and keeps the current version.
			if err := idx.Put(ctx, []search.Document{testDoc("d3")}); err != nil {
				t.Fatal(err)
			}
			if err := idx.Close(); err != nil {
				t.Fatal(err)
			}
			idx, err = Open(dir, search.IndexPublic)
			if err != nil {
				t.Fatal(err)
			}
			defer idx.Close()
			if n := countOf(t, idx); n != tc.wantLen+1 {
				t.Errorf("Count after reopen = %d, want %d", n, tc.wantLen+1)
			}
		})
	}
}

func TestOpenRefusesAnIndexInUse(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(dir, search.IndexCases)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if err := first.Put(context.Background(), []search.Document{testDoc("kept")}); err != nil {
		t.Fatal(err)
	}
	if second, err := Open(dir, search.IndexCases); !errors.Is(err, search.ErrUnavailable) {
		if second != nil {
			second.Close()
		}
		t.Fatalf("second Open: err = %v, want ErrUnavailable", err)
	}
	if n := countOf(t, first); n != 1 {
		t.Errorf("the index in use was touched: Count = %d, want 1", n)
	}
}

func TestOpenUnknownName(t *testing.T) {
	if _, err := Open(t.TempDir(), "other"); err == nil {
		t.Error("Open of an unknown index name succeeded")
	}
}

func TestClosedIndexIsUnavailable(t *testing.T) {
	idx, err := Open(t.TempDir(), search.IndexPublic)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	ctx := context.Background()
	calls := map[string]error{
		"Put":    idx.Put(ctx, []search.Document{testDoc("x")}),
		"Delete": idx.Delete(ctx, []string{"x"}),
		"Ping":   idx.Ping(ctx),
	}
	_, calls["Count"] = idx.Count(ctx)
	_, calls["Search"] = idx.Search(ctx, search.Query{Text: "基金"})
	for name, err := range calls {
		if !errors.Is(err, search.ErrUnavailable) {
			t.Errorf("%s on a closed index: err = %v, want ErrUnavailable", name, err)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	idx, err := Open(t.TempDir(), search.IndexPublic)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = idx.Put(ctx, []search.Document{testDoc("x")})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, search.ErrUnavailable) {
		t.Errorf("Put with a cancelled context: err = %v", err)
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		name, text   string
		bigram, unig []string
	}{
		{"chinese run", "吉林市", []string{"吉林@1", "林市@2"}, []string{"吉@1", "林@2", "市@3"}},
		{"gap breaks bigrams", "吉林，市场", []string{"吉林@1", "市场@4"}, []string{"吉@1", "林@2", "市@4", "场@5"}},
		{"isolated unit", "医 保", []string{"医@1", "保@3"}, []string{"医@1", "保@3"}},
		{"amount", "12.6万元", []string{"12.6万@1", "万元@2"}, []string{"12.6@1", "¥126000@1", "万@2", "元@3"}},
		{"full width", "２０２５年", []string{"2025年@1"}, []string{"2025@1", "¥2025@1", "年@2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			units := search.Units(tc.text)
			if got := render(bigramTokens(units)); !slices.Equal(got, tc.bigram) {
				t.Errorf("bigrams = %v, want %v", got, tc.bigram)
			}
			if got := render(unigramTokens(units)); !slices.Equal(got, tc.unig) {
				t.Errorf("unigrams = %v, want %v", got, tc.unig)
			}
		})
	}
}

func render(stream analysis.TokenStream) []string {
	out := make([]string, len(stream))
	for i, tok := range stream {
		out[i] = fmt.Sprintf("%s@%d", tok.Term, tok.Position)
	}
	return out
}
