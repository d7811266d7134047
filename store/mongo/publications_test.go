package mongo_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"fundwatch/store"
	mongostore "fundwatch/store/mongo"
	"fundwatch/store/mongo/mongotest"
)

func newFundReport(id string) (*store.Publication, *store.Revision) {
	return &store.Publication{ID: id, Kind: store.PubFundReport, RegionCode: "220100", Year: 2025,
			CreatedBy: "user-publisher", CreatedAt: base, UpdatedAt: base},
		&store.Revision{Title: "2025年度基金收支情况 " + id, CreatedAt: base, UpdatedAt: base}
}

// TestPublicationSlotHoldsAcrossProcesses creates fund reports of one
// region and year through two store handles at once, standing for two
// fundwatch processes: the unique slot key, not a check in one process,
// keeps exactly one. Inserts are isolated on FerretDB too, so this runs on
// both servers.
func TestPublicationSlotHoldsAcrossProcesses(t *testing.T) {
	uri, name := mongotest.URI(t), mongotest.DatabaseName(t)
	handles := []*mongostore.DB{openDB(t, uri, name), openDB(t, uri, name)}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p, r := newFundReport(fmt.Sprintf("pub-%d", i))
			errs[i] = handles[i%2].CreatePublication(t.Context(), p, r)
		})
	}
	wg.Wait()
	wins := 0
	for i, err := range errs {
		if err == nil {
			wins++
			continue
		}
		if store.ErrorCode(err) != store.ECONFLICT || store.ErrorMessage(err) != store.MsgPublicationExists {
			t.Errorf("create %d: %v, want ECONFLICT %q", i, err, store.MsgPublicationExists)
		}
	}
	if wins != 1 {
		t.Errorf("%d fund reports of one region and year created, want 1", wins)
	}
	if n := countDocs(t, raw(t, uri, name), "publications", bson.D{}); n != 1 {
		t.Errorf("%d publication documents, want 1", n)
	}
}

// TestTwoProcessesStepPublication races one step through two store
// handles. On MongoDB the replace guarded by the version is atomic on the
// server, so exactly one wins whatever process sent it.
func TestTwoProcessesStepPublication(t *testing.T) {
	if !mongotest.External() {
		t.Skip("MongoDB only: FerretDB v1 does not isolate replaces, and the store serializes them only within one process; set TEST_MONGO_URI to run")
	}
	uri, name := mongotest.URI(t), mongotest.DatabaseName(t)
	handles := []*mongostore.DB{openDB(t, uri, name), openDB(t, uri, name)}
	p, r := newFundReport("pub-race")
	if err := handles[0].CreatePublication(t.Context(), p, r); err != nil {
		t.Fatal(err)
	}
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = handles[i%2].StepPublication(t.Context(), store.PublicationStep{
				ID: p.ID, ExpectVersion: 1, From: store.RevDraft, To: store.RevSubmitted,
				By: fmt.Sprintf("user-%d", i), At: base.Add(time.Minute),
			})
		})
	}
	wg.Wait()
	wins := 0
	for i, err := range errs {
		if err == nil {
			wins++
			continue
		}
		wantCode(t, fmt.Sprintf("step %d", i), err, store.ECONFLICT)
	}
	if wins != 1 {
		t.Errorf("%d steps won, want 1", wins)
	}
	got, err := handles[1].PublicationInRegions(t.Context(), p.ID, []string{p.RegionCode})
	if err != nil || got.Version != 2 {
		t.Errorf("after the race: %+v, %v; want version 2", got, err)
	}
}
