package meili

import (
	"context"
	"os"
	"testing"

	"fundwatch/search"
	"fundwatch/search/searchtest"
)

// TestConformance runs the conformance suite and the relevance set that
// Bleve passes on a real Meilisearch (TEST_MEILI_URL; skipped with that
// message without one).
func TestConformance(t *testing.T) {
	if os.Getenv("TEST_MEILI_URL") == "" {
		t.Skip("TEST_MEILI_URL is not set: no Meilisearch server to test against; the conformance suite and the relevance set run on Bleve")
	}
	h := searchtest.Harness{
		New: func(t *testing.T, name string) search.Index {
			cfg := liveConfig(t)
			idx, err := Open(context.Background(), cfg, name)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { idx.Close() })
			return idx
		},
		Reopen: func(t *testing.T, idx search.Index) search.Index {
			m := idx.(*Index)
			cfg, name := m.Config(), m.Name()
			m.Close()
			re, err := Open(context.Background(), cfg, name)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { re.Close() })
			return re
		},
	}
	t.Run("suite", func(t *testing.T) { searchtest.Run(t, h) })
	t.Run("relevance", func(t *testing.T) { searchtest.RunRelevance(t, h) })
}

// TestConformanceOnTheModel runs the relevance set against the recording
// fake answering searches by the model of Meilisearch's matching: no
// server, so it checks the adapter's documents, queries and filters rather
// than Meilisearch. The whole suite does not hold on the model: it does not
// rank (a title match first), and the synonym windows over-match one
// character (保 finds 养老金发放 through its window 养老保险金发放), a
// known cost of that encoding.
func TestConformanceOnTheModel(t *testing.T) {
	h := searchtest.Harness{
		New: func(t *testing.T, name string) search.Index {
			idx, err := Open(context.Background(), modelConfig(t), name)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { idx.Close() })
			return idx
		},
	}
	searchtest.RunRelevance(t, h)
}
