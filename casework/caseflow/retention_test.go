package caseflow

import (
	"bytes"
	"context"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
)

// A case that ended more than the retention period ago loses its reporter
// identity and its files, audited; a recent one and an open one keep theirs.
func TestPurgeExpiredCases(t *testing.T) {
	ctx := context.Background()
	s, blobs, _ := filesService(t)
	now := time.Date(2020, 3, 2, 2, 0, 0, 0, time.UTC)
	s.Clock = func() time.Time { return now }
	system := SystemActor("test", s.Regions)

	file := func(key string) *store.Case {
		up, err := s.StoreUpload(ctx, "现场照片.png", bytes.NewReader(pngFile(t)), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		f := testFiling(key, up)
		f.Anonymous = false
		f.Identity = &casework.ReporterIdentity{Name: "王立新", IDNumber: "11010519491231002X", Phone: "13812345678"}
		r, err := s.FileCase(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return r.Case
	}
	reject := func(c *store.Case) {
		if _, err := s.Transition(ctx, system, c.ID, TransitionInput{To: store.StatusRejected, Version: c.Version,
			Note: "经审查，反映的问题不属于社会保险基金监督受理范围。"}); err != nil {
			t.Fatal(err)
		}
	}
	old := file("old-case-0000000001")
	reject(old) // ended on 2020-03-02
	now = time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	recent := file("recent-case-00000001")
	reject(recent) // ended today
	open := file("open-case-0000000001")
	if n := blobCount(t, blobs); n != 3 {
		t.Fatalf("%d blobs, want 3", n)
	}

	before := now.Add(-DefaultRetention)
	list, err := s.ExpiredCases(ctx, before)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Case.ID != old.ID || !list[0].Identity || list[0].Files != 1 || list[0].Bytes == 0 {
		t.Fatalf("expired: %+v", list)
	}
	if n := blobCount(t, blobs); n != 3 {
		t.Fatal("listing removed something")
	}

	done, err := s.PurgeExpired(ctx, before)
	if err != nil || len(done) != 1 {
		t.Fatalf("purge: %d, %v", len(done), err)
	}
	got, err := s.Store.CaseByID(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.ReporterSealed) != 0 || got.Description != old.Description {
		t.Errorf("after the purge: sealed %d bytes, description %q", len(got.ReporterSealed), got.Description)
	}
	files, _ := s.Store.CaseFiles(ctx, old.ID)
	if len(files) != 1 || files[0].PurgedAt.IsZero() || len(files[0].SealedKey) != 0 {
		t.Errorf("the old case's file after the purge: %+v", files)
	}
	if n := blobCount(t, blobs); n != 2 {
		t.Errorf("%d blobs after the purge, want 2", n)
	}
	if _, _, err := s.OpenFileForReporter(ctx, got, files[0].ID); store.ErrorCode(err) != store.ENOTFOUND {
		t.Errorf("opening a purged file: %v", err)
	}
	for _, c := range []*store.Case{recent, open} {
		c2, _ := s.Store.CaseByID(ctx, c.ID)
		fs, _ := s.Store.CaseFiles(ctx, c.ID)
		if len(c2.ReporterSealed) == 0 || len(fs) != 1 || !fs[0].PurgedAt.IsZero() {
			t.Errorf("case %s lost its identity or file", c.Number)
		}
	}
	entries, err := s.Store.AuditEntries(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	purges := 0
	for _, e := range entries {
		if e.Action == AuditPurge {
			purges++
			if e.TargetID != old.ID || !bytes.Contains([]byte(e.Detail), []byte("举报人身份信息和证据材料 1 个")) {
				t.Errorf("audit entry %+v", e)
			}
		}
	}
	if purges != 1 {
		t.Errorf("%d purge audit entries, want 1", purges)
	}
	// A second run finds nothing.
	if again, err := s.PurgeExpired(ctx, before); err != nil || len(again) != 0 {
		t.Errorf("second purge: %d, %v", len(again), err)
	}
}
