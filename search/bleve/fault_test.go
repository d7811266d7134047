package bleve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"fundwatch/search"
	"fundwatch/store/storetest/faultfs"
)

// TestFaultFullDiskFailsABatchAndTheIndexRecovers fills the index's disk
// (a small tmpfs; needs root) under an open index. A batch that cannot be
// persisted is ErrUnavailable; the index must stay usable (Bleve closes
// the failed batch's segment while the index still holds it, and the next
// batch or search panicked) and take batches again once there is room,
// without being reopened by its owner.
func TestFaultFullDiskFailsABatchAndTheIndexRecovers(t *testing.T) {
	dir := faultfs.Tmpfs(t, 4<<20)
	ctx := context.Background()
	idx, err := Open(dir, search.IndexPublic)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idx.Close() })
	doc := func(n int) search.Document {
		d := testDoc(fmt.Sprintf("doc-%d", n))
		d.Title = fmt.Sprintf("社会保险基金监督第%d号公告", n)
		return d
	}
	if err := idx.Put(ctx, []search.Document{doc(1)}); err != nil {
		t.Fatal(err)
	}

	filler := faultfs.Fill(t, dir)
	for n := 2; n <= 4; n++ {
		if err := idx.Put(ctx, []search.Document{doc(n)}); !errors.Is(err, search.ErrUnavailable) {
			t.Errorf("put %d on a full disk: err = %v, want ErrUnavailable", n, err)
		}
	}
	// What was stored before the disk filled is still found.
	if res, err := idx.Search(ctx, search.Query{Text: "第1号"}); err != nil && !errors.Is(err, search.ErrUnavailable) {
		t.Errorf("search on a full disk: err = %v, want a result or ErrUnavailable", err)
	} else if err == nil && res.Total != 1 {
		t.Errorf("search on a full disk: %d hits, want the document stored before", res.Total)
	}
	if err := idx.Delete(ctx, []string{"doc-2"}); err != nil && !errors.Is(err, search.ErrUnavailable) {
		t.Errorf("delete on a full disk: err = %v, want nil or ErrUnavailable", err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	docs := []search.Document{doc(1), doc(2), doc(3), doc(4)}
	if err := idx.Put(ctx, docs); err != nil {
		t.Fatalf("put once there is room again: %v", err)
	}
	if n := countOf(t, idx); n != 4 {
		t.Errorf("Count = %d after the room came back, want 4", n)
	}
	for i := 1; i <= 4; i++ {
		res, err := idx.Search(ctx, search.Query{Text: fmt.Sprintf("第%d号", i)})
		if err != nil || res.Total != 1 {
			t.Errorf("search 第%d号 after the room came back: %v, %v; want one hit", i, res, err)
		}
	}

	// What the index took after the fault is on disk.
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(dir, search.IndexPublic)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if n := countOf(t, again); n != 4 {
		t.Errorf("Count = %d after reopening, want 4", n)
	}
}
