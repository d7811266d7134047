package mongo_test

import (
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"fundwatch/store"
)

// TestSearchIndexMigration checks step 10 on records stored before it: a
// case without index_pending and a publication without indexed_version
// either, as the program before the sync loop wrote them. After the step
// both are pending at their versions and read IndexedVersion 0, a record
// this version already marked is left as it was, and the bookkeeping works
// on from there.
func TestSearchIndexMigration(t *testing.T) {
	db, uri, name := fresh(t)
	ctx := t.Context()
	for _, id := range []string{"case-legacy", "case-marked"} {
		c := &store.Case{ID: id, IdempotencyKey: "idem-" + id, RegionCode: "220102", Status: store.StatusReceived,
			CreatedAt: base, UpdatedAt: base}
		if err := db.CreateCase(ctx, c, store.Event{ID: "ev-" + id, At: base, ToStatus: store.StatusReceived}); err != nil {
			t.Fatal(err)
		}
	}
	p := &store.Publication{ID: "pub-legacy", Kind: store.PubNews, RegionCode: "220100", CreatedAt: base, UpdatedAt: base}
	if err := db.CreatePublication(ctx, p, &store.Revision{Title: "旧新闻", CreatedAt: base, UpdatedAt: base}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveDraft(ctx, p.ID, p.Version, &store.Revision{Number: 1, Title: "旧新闻（改）",
		UpdatedAt: base.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkIndexed(ctx, store.IndexCases, []store.IndexMark{{ID: "case-marked", Version: 1}}); err != nil {
		t.Fatal(err)
	}

	// Make the legacy records what the program before step 10 left, and
	// forget the step.
	r := raw(t, uri, name)
	for _, u := range []struct {
		coll, id string
		unset    bson.D
	}{
		{"cases", "case-legacy", bson.D{{Key: "index_pending", Value: ""}}},
		{"publications", "pub-legacy", bson.D{{Key: "index_pending", Value: ""}, {Key: "indexed_version", Value: ""}}},
	} {
		res, err := r.Collection(u.coll).UpdateOne(ctx, bson.D{{Key: "_id", Value: u.id}}, bson.D{{Key: "$unset", Value: u.unset}})
		if err != nil || res.ModifiedCount != 1 {
			t.Fatalf("unset %v of %s: %+v, %v", u.unset, u.id, res, err)
		}
	}
	if _, err := r.Collection("migrations").DeleteOne(ctx, bson.D{{Key: "_id", Value: 10}}); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, uri, name)

	got, err := db.PendingIndex(ctx, store.IndexCases, 10)
	if err != nil || !slices.Equal(got, []store.IndexMark{{ID: "case-legacy", Version: 1}}) {
		t.Errorf("PendingIndex(cases) after step 10 = %v, %v; want [case-legacy at 1]", got, err)
	}
	got, err = db.PendingIndex(ctx, store.IndexPublications, 10)
	if err != nil || !slices.Equal(got, []store.IndexMark{{ID: "pub-legacy", Version: 2}}) {
		t.Errorf("PendingIndex(publications) after step 10 = %v, %v; want [pub-legacy at 2]", got, err)
	}
	if pending, indexed, err := db.IndexState(ctx, store.IndexCases); err != nil || pending != 1 || indexed != 1 {
		t.Errorf("IndexState(cases) after step 10 = %d, %d, %v; want 1 pending (legacy), 1 indexed (marked)", pending, indexed, err)
	}
	pub, err := db.PublicationInRegions(ctx, p.ID, []string{"220100"})
	if err != nil || pub.IndexedVersion != 0 || pub.Version != 2 {
		t.Fatalf("legacy publication after step 10: %+v, %v", pub, err)
	}

	if err := db.MarkIndexed(ctx, store.IndexPublications, []store.IndexMark{{ID: p.ID, Version: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkIndexed(ctx, store.IndexCases, []store.IndexMark{{ID: "case-legacy", Version: 1}}); err != nil {
		t.Fatal(err)
	}
	for _, area := range []string{store.IndexCases, store.IndexPublications} {
		if pending, _, err := db.IndexState(ctx, area); err != nil || pending != 0 {
			t.Errorf("IndexState(%s) after marking the legacy records: %d pending, %v; want none", area, pending, err)
		}
	}
	if _, err := db.StepPublication(ctx, store.PublicationStep{ID: p.ID, ExpectVersion: 2, From: store.RevDraft,
		To: store.RevSubmitted, By: "user-1", At: base.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, err = db.PendingIndex(ctx, store.IndexPublications, 10)
	if err != nil || !slices.Equal(got, []store.IndexMark{{ID: "pub-legacy", Version: 3}}) {
		t.Errorf("PendingIndex(publications) after a change of the legacy publication = %v, %v; want [pub-legacy at 3]", got, err)
	}
}
