package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fundwatch/search"
	searchbleve "fundwatch/search/bleve"
)

// fundwatch reindex indexes every record again from the store, one index
// or both; an unknown index name is refused with the choices.
func TestReindexFeedsTheIndexesFromTheStore(t *testing.T) {
	in := newInstallation(t)
	if code, out := in.command("", "import", "articles", writeFile(t, "good.jsonl", goodArticles)); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	code, out := in.command("", "reindex", "public")
	if code != 0 || !strings.Contains(out, "publications: 3 records indexed") || strings.Contains(out, "cases:") {
		t.Fatalf("reindex public: exit %d\n%s", code, out)
	}
	code, out = in.command("", "reindex")
	if code != 0 || !strings.Contains(out, "publications: 3 records indexed") || !strings.Contains(out, "cases: 0 records indexed") {
		t.Fatalf("reindex: exit %d\n%s", code, out)
	}
	if code, out := in.command("", "reindex", "everything"); code != 2 || !strings.Contains(out, "want public or cases") {
		t.Errorf("reindex everything: exit %d\n%s", code, out)
	}
	// What the command indexed is in the server's index directory.
	idx, err := searchbleve.Open(filepath.Join(in.args[1], "search"), search.IndexPublic)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if n, err := idx.Count(context.Background()); err != nil || n != 3 {
		t.Errorf("the public index holds %d documents (%v), want 3", n, err)
	}
}
