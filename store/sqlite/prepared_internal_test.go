package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// The reads of a follow-up use the statements prepared on open and give the
// same answers as before; a query built from a list of values runs
// unprepared. Under many concurrent follow-ups (more than the reader pool
// has connections) none waits for another: a cache that prepared on first
// use through the pool hung them all.
func TestReadStatementsPreparedOnOpen(t *testing.T) {
	db, _ := openGroupTest(t)
	ctx := context.Background()
	c, ev := groupCase("READ0001")
	if err := db.CreateCase(ctx, c, ev); err != nil {
		t.Fatal(err)
	}
	stored, err := db.CaseByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(db.reads) != len(readStatements) {
		t.Fatalf("%d read statements prepared, want %d", len(db.reads), len(readStatements))
	}
	followUp := func() error {
		got, err := db.CaseByNumber(ctx, stored.Number)
		if err != nil || got.ID != c.ID {
			return fmt.Errorf("CaseByNumber(%s) = %v, %v", stored.Number, got, err)
		}
		evs, err := db.CaseEvents(ctx, c.ID)
		if err != nil || len(evs) != 1 || evs[0].ID != ev.ID {
			return fmt.Errorf("CaseEvents = %v, %v; want the filing event", evs, err)
		}
		if _, err := db.CaseMessages(ctx, c.ID); err != nil {
			return err
		}
		_, err = db.CaseFiles(ctx, c.ID)
		return err
	}
	// More concurrent follow-ups than reader connections, on connections
	// that have not run the statements yet.
	errs := make(chan error, 64*5)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for range 64 {
			wg.Go(func() {
				for range 5 {
					errs <- followUp()
				}
			})
		}
		wg.Wait()
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("64 concurrent follow-ups did not finish in 30 s: reads wait for each other")
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		regions := []string{c.RegionCode}
		for j := range i {
			regions = append(regions, fmt.Sprintf("2202%02d", j+1))
		}
		if _, err := db.CaseInRegions(ctx, c.ID, regions); err != nil {
			t.Fatalf("CaseInRegions(%v): %v", regions, err)
		}
	}
	// A case that does not exist is reported as before.
	if _, err := db.CaseEvents(ctx, "no-such-case"); err == nil {
		t.Error("CaseEvents of a missing case: no error")
	}
}
