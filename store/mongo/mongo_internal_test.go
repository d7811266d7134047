package mongo

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"fundwatch/store"
	"fundwatch/store/mongo/mongotest"
)

// TestCommandsOnTheWire checks what the store actually sends: the
// durability settings a receipt depends on, and a list query that leaves the
// embedded history out. No behavioural test on a single node can observe
// either.
func TestCommandsOnTheWire(t *testing.T) {
	var mu sync.Mutex
	var sent []bson.Raw
	monitor := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, append(bson.Raw(nil), e.Command...))
	}}
	opts := options.Client().ApplyURI(mongotest.URI(t)).SetMonitor(monitor)
	db, err := openClient(t.Context(), opts, mongotest.DatabaseName(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if !mongotest.External() && !db.gate.serialize {
		t.Error("embedded FerretDB was not detected: its updates would run without the write gate")
	}

	mu.Lock()
	sent = nil
	mu.Unlock()
	at := time.Date(2026, 3, 14, 1, 0, 0, 0, time.UTC)
	c := &store.Case{ID: "case-wire", IdempotencyKey: "idem-wire", Status: store.StatusReceived, CreatedAt: at}
	if err := db.CreateCase(t.Context(), c, store.Event{ID: "ev-wire", ToStatus: store.StatusReceived}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateCase(t.Context(), store.CaseUpdate{CaseID: c.ID, ExpectStatus: store.StatusReceived,
		Event: store.Event{ID: "ev-2", At: at, FromStatus: store.StatusReceived, ToStatus: store.StatusAccepted}}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddMessage(t.Context(), &store.Message{ID: "m1", CaseID: c.ID, At: at, Author: store.AuthorReporter}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ListCases(t.Context(), store.CaseFilter{}); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	seen := map[string]bool{}
	for _, cmd := range sent {
		name := cmd.Index(0).Key()
		seen[name] = true
		switch name {
		case "insert", "update", "findAndModify":
			w, _ := cmd.Lookup("writeConcern", "w").StringValueOK()
			j, _ := cmd.Lookup("writeConcern", "j").BooleanOK()
			if w != "majority" || !j {
				t.Errorf("%s sent writeConcern %v, want {w: majority, j: true}", name, cmd.Lookup("writeConcern"))
			}
		case "find", "aggregate":
			level, _ := cmd.Lookup("readConcern", "level").StringValueOK()
			if level == "" {
				t.Errorf("%s sent no read concern: %v", name, cmd)
			}
		}
		if name == "find" && cmd.Lookup("filter").String() == "{}" {
			proj := cmd.Lookup("projection")
			ev, _ := proj.Document().Lookup(fieldEvents).AsInt64OK()
			ms, _ := proj.Document().Lookup(fieldMessages).AsInt64OK()
			if proj.IsZero() || ev != 0 || ms != 0 || proj.Document().Lookup(fieldEvents).IsZero() {
				t.Errorf("list find sent projection %v, want events and messages excluded", proj)
			}
		}
	}
	for _, name := range []string{"insert", "findAndModify", "update", "find", "aggregate"} {
		if !seen[name] {
			t.Errorf("no %s command seen (saw %v)", name, seen)
		}
	}
}

// TestPrecheckCostsNoNumber runs the MongoDB path of CreateCase (duplicates
// looked for before a number is taken) on whatever server is available, so
// it is covered without TEST_MONGO_URI too.
func TestPrecheckCostsNoNumber(t *testing.T) {
	db, err := Open(t.Context(), mongotest.URI(t), mongotest.DatabaseName(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	db.precheck = true

	at := time.Date(2026, 3, 14, 1, 0, 0, 0, time.UTC)
	first := &store.Case{ID: "case-1", IdempotencyKey: "idem-1", Status: store.StatusReceived, CreatedAt: at}
	if err := db.CreateCase(t.Context(), first, store.Event{ID: "ev-1"}); err != nil {
		t.Fatal(err)
	}
	for _, dup := range []*store.Case{
		{ID: "case-2", IdempotencyKey: "idem-1", CreatedAt: at},
		{ID: "case-1", IdempotencyKey: "idem-2", CreatedAt: at},
	} {
		err := db.CreateCase(t.Context(), dup, store.Event{ID: "ev-2"})
		if store.ErrorCode(err) != store.ECONFLICT || store.ErrorMessage(err) == "" {
			t.Errorf("CreateCase(%s, %s) = %v, want ECONFLICT", dup.ID, dup.IdempotencyKey, err)
		}
	}
	next := &store.Case{ID: "case-3", IdempotencyKey: "idem-3", CreatedAt: at}
	if err := db.CreateCase(t.Context(), next, store.Event{ID: "ev-3"}); err != nil {
		t.Fatal(err)
	}
	if next.Seq != 2 {
		t.Errorf("after two rejected duplicates the next case got seq %d, want 2", next.Seq)
	}
}
