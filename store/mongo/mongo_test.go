package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"fundwatch/store"
	mongostore "fundwatch/store/mongo"
	"fundwatch/store/mongo/mongotest"
	"fundwatch/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mongotest.Stop()
	os.Exit(code)
}

// openDB opens the store on the given database and closes it when the test
// ends.
func openDB(t *testing.T, uri, dbName string) *mongostore.DB {
	t.Helper()
	db, err := mongostore.Open(t.Context(), uri, dbName)
	if err != nil {
		t.Fatalf("Open(%s): %v", dbName, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// fresh opens the store on a database of the test's own and returns the URI
// and name too, for tests that look at the documents directly.
func fresh(t *testing.T) (db *mongostore.DB, uri, dbName string) {
	t.Helper()
	uri = mongotest.URI(t)
	dbName = mongotest.DatabaseName(t)
	return openDB(t, uri, dbName), uri, dbName
}

// raw connects to the same database with the plain driver, to inspect or
// tamper with documents the way a crash or an operator would.
func raw(t *testing.T, uri, dbName string) *mongo.Database {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatalf("mongo.Connect: %v", err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database(dbName)
}

func TestConformance(t *testing.T) {
	uri := mongotest.URI(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return openDB(t, uri, mongotest.DatabaseName(t))
	})
}

func TestImportConformance(t *testing.T) {
	uri := mongotest.URI(t)
	storetest.RunImports(t, func(t *testing.T) store.Store {
		return openDB(t, uri, mongotest.DatabaseName(t))
	})
}

var base = time.Date(2026, 3, 14, 1, 26, 53, 589_000_000, time.UTC)

func newCase(id string, createdAt time.Time) (*store.Case, store.Event) {
	c := &store.Case{
		ID:             id,
		Kind:           store.KindReport,
		ReporterType:   store.ReporterCitizen,
		Category:       "fraudulent_claims",
		InsuranceTypes: []string{"medical"},
		RegionCode:     "220102",
		Subject:        store.Party{Name: "某定点医院"},
		Description:    "虚构住院骗取医保基金",
		Channel:        store.ChannelMedicalSecurity,
		Status:         store.StatusReceived,
		IdempotencyKey: "idem-" + id,
		SubmissionHash: "sha256:" + id,
		CreatedAt:      createdAt,
		UpdatedAt:      createdAt,
	}
	ev := store.Event{ID: "ev-" + id, At: createdAt, ToStatus: store.StatusReceived, Actor: "system"}
	return c, ev
}

func mustCreate(t *testing.T, s store.Store, id string, createdAt time.Time) *store.Case {
	t.Helper()
	c, ev := newCase(id, createdAt)
	if err := s.CreateCase(t.Context(), c, ev); err != nil {
		t.Fatalf("CreateCase(%q): %v", id, err)
	}
	return c
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := store.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (err %v), want %q", what, got, err, code)
	}
	var se *store.Error
	if err != nil && (!errors.As(err, &se) || se.Message == "") {
		t.Errorf("%s: %v is not a *store.Error with a message", what, err)
	}
}

func countDocs(t *testing.T, db *mongo.Database, coll string, filter bson.D) int64 {
	t.Helper()
	n, err := db.Collection(coll).CountDocuments(t.Context(), filter)
	if err != nil {
		t.Fatalf("count %s: %v", coll, err)
	}
	return n
}

func counterValue(t *testing.T, db *mongo.Database, year int) int64 {
	t.Helper()
	var ctr struct {
		Seq int64 `bson:"seq"`
	}
	err := db.Collection("counters").FindOne(t.Context(), bson.D{{Key: "_id", Value: fmt.Sprintf("case_seq_%d", year)}}).Decode(&ctr)
	if err != nil {
		t.Fatalf("read counter %d: %v", year, err)
	}
	return ctr.Seq
}

func TestMigrations(t *testing.T) {
	t.Run("re-opening applies nothing twice and keeps the data", func(t *testing.T) {
		uri, name := mongotest.URI(t), mongotest.DatabaseName(t)
		db := openDB(t, uri, name)
		c := mustCreate(t, db, "case-before-reopen", base)

		for range 3 {
			openDB(t, uri, name)
		}
		r := raw(t, uri, name)
		var applied []struct {
			ID   int    `bson:"_id"`
			Name string `bson:"name"`
		}
		cur, err := r.Collection("migrations").Find(t.Context(), bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
		if err != nil {
			t.Fatal(err)
		}
		if err := cur.All(t.Context(), &applied); err != nil {
			t.Fatal(err)
		}
		if len(applied) == 0 {
			t.Fatal("no migrations recorded")
		}
		for i, m := range applied {
			if m.ID != i+1 || m.Name == "" {
				t.Errorf("migration record %d is %+v, want ID %d with a name", i, m, i+1)
			}
		}

		specs, err := r.Collection("cases").Indexes().ListSpecifications(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, s := range specs {
			seen[s.Name]++
		}
		for _, name := range []string{"number_unique", "idempotency_key_unique", "region_code_created_at", "status",
			"status_region_code_created_at", "kind_region_code_created_at", "category_region_code_created_at",
			"insurance_types_region_code_created_at", "channel_region_code_created_at",
			"important_class_region_code_created_at", "assignee_id_region_code_created_at",
			"demo_region_code_created_at", "region_code_due_at", "region_code_discovered_on", "due_at"} {
			if seen[name] != 1 {
				t.Errorf("index %q present %d times, want once (indexes %v)", name, seen[name], seen)
			}
		}

		got, err := db.CaseByID(t.Context(), c.ID)
		if err != nil || got.Number != c.Number {
			t.Errorf("after re-opening: CaseByID = %v, %v; want number %q", got, err, c.Number)
		}
		next := mustCreate(t, db, "case-after-reopen", base.Add(time.Minute))
		if next.Seq != c.Seq+1 {
			t.Errorf("after re-opening the next seq is %d, want %d", next.Seq, c.Seq+1)
		}
	})

	t.Run("concurrent opens of a new database all succeed", func(t *testing.T) {
		if !mongotest.External() {
			t.Skip("MongoDB only: FerretDB v1.24.2 panics (and drops the connection) when createIndexes runs concurrently on one new database; set TEST_MONGO_URI to run")
		}
		uri, name := mongotest.URI(t), mongotest.DatabaseName(t)
		const n = 4
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				db, err := mongostore.Open(t.Context(), uri, name)
				if err == nil {
					err = db.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("Open %d: %v", i, err)
			}
		}
		r := raw(t, uri, name)
		if n := countDocs(t, r, "migrations", bson.D{}); n != int64(mongostore.MigrationSteps) {
			t.Errorf("%d migration records, want %d", n, mongostore.MigrationSteps)
		}
	})
}

func TestNumbering(t *testing.T) {
	t.Run("24 concurrent creates take 1 to 24 from the counter", func(t *testing.T) {
		db, uri, name := fresh(t)
		const n = 24
		cases := make([]*store.Case, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			c, ev := newCase(fmt.Sprintf("case-%02d", i), base.Add(time.Duration(i)*time.Second))
			cases[i] = c
			wg.Go(func() { errs[i] = db.CreateCase(t.Context(), c, ev) })
		}
		wg.Wait()
		var seqs []int64
		for i, c := range cases {
			if errs[i] != nil {
				t.Fatalf("CreateCase(%q): %v", c.ID, errs[i])
			}
			seqs = append(seqs, c.Seq)
		}
		sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
		for i, s := range seqs {
			if s != int64(i+1) {
				t.Fatalf("seqs %v, want 1..%d", seqs, n)
			}
		}
		if got := counterValue(t, raw(t, uri, name), 2026); got != n {
			t.Errorf("counter is %d, want %d", got, n)
		}
	})

	t.Run("a crash between counter and insert leaves a gap and nothing half-visible", func(t *testing.T) {
		db, uri, name := fresh(t)
		first := mustCreate(t, db, "case-before-crash", base)
		r := raw(t, uri, name)

		// What CreateCase leaves behind if the process dies after taking a
		// number and before the insert: the counter moved on, no case.
		_, err := r.Collection("counters").UpdateOne(t.Context(),
			bson.D{{Key: "_id", Value: "case_seq_2026"}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: int64(1)}}}})
		if err != nil {
			t.Fatal(err)
		}

		lost := fmt.Sprintf("2026-%06d", first.Seq+1)
		_, err = db.CaseByNumber(t.Context(), lost)
		wantCode(t, "CaseByNumber of the lost number", err, store.ENOTFOUND)
		cases, total, err := db.ListCases(t.Context(), store.CaseFilter{})
		if err != nil || total != 1 || len(cases) != 1 || cases[0].ID != first.ID {
			t.Errorf("ListCases after the crash = %d cases of %d, %v; want only %q", len(cases), total, err, first.ID)
		}
		if n := countDocs(t, r, "cases", bson.D{}); n != 1 {
			t.Errorf("%d case documents, want 1", n)
		}

		next := mustCreate(t, db, "case-after-crash", base.Add(time.Minute))
		if next.Seq != first.Seq+2 {
			t.Errorf("next case got seq %d, want %d (one gap)", next.Seq, first.Seq+2)
		}
		evs, err := db.CaseEvents(t.Context(), next.ID)
		if err != nil || len(evs) != 1 || evs[0].CaseID != next.ID {
			t.Errorf("CaseEvents of the next case = %v, %v; want its first event", evs, err)
		}
	})

	t.Run("a counter set back skips the numbers already taken", func(t *testing.T) {
		db, uri, name := fresh(t)
		for i := range 3 {
			mustCreate(t, db, fmt.Sprintf("case-%d", i), base.Add(time.Duration(i)*time.Minute))
		}
		r := raw(t, uri, name)
		// As after restoring the cases from a newer backup than the counters.
		_, err := r.Collection("counters").UpdateOne(t.Context(),
			bson.D{{Key: "_id", Value: "case_seq_2026"}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: int64(1)}}}})
		if err != nil {
			t.Fatal(err)
		}
		c := mustCreate(t, db, "case-after-reset", base.Add(time.Hour))
		if c.Seq != 4 || c.Number != "2026-000004" {
			t.Errorf("after the reset the case got %q (seq %d), want 2026-000004", c.Number, c.Seq)
		}
		if n := countDocs(t, r, "cases", bson.D{}); n != 4 {
			t.Errorf("%d case documents, want 4", n)
		}
	})

	t.Run("two store handles on one database never share a number", func(t *testing.T) {
		// Two handles stand for two processes: the FerretDB write gate is
		// per handle, so on FerretDB only the unique index and the retry
		// keep numbers apart.
		uri, name := mongotest.URI(t), mongotest.DatabaseName(t)
		handles := []*mongostore.DB{openDB(t, uri, name), openDB(t, uri, name)}
		const n = 16
		cases := make([]*store.Case, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			c, ev := newCase(fmt.Sprintf("case-%02d", i), base)
			cases[i] = c
			wg.Go(func() { errs[i] = handles[i%2].CreateCase(t.Context(), c, ev) })
		}
		wg.Wait()
		numbers := map[string]string{}
		for i, c := range cases {
			if errs[i] != nil {
				t.Errorf("CreateCase(%q): %v", c.ID, errs[i])
				continue
			}
			if other, dup := numbers[c.Number]; dup {
				t.Errorf("%q and %q share number %q", other, c.ID, c.Number)
			}
			numbers[c.Number] = c.ID
		}
		if total := countDocs(t, raw(t, uri, name), "cases", bson.D{}); total != n {
			t.Errorf("%d cases stored, want %d", total, n)
		}
	})
}

func TestDuplicates(t *testing.T) {
	t.Run("a reused idempotency key is ECONFLICT and creates nothing", func(t *testing.T) {
		db, uri, name := fresh(t)
		first := mustCreate(t, db, "case-first", base)
		dup, ev := newCase("case-dup", base.Add(time.Minute))
		dup.IdempotencyKey = first.IdempotencyKey
		err := db.CreateCase(t.Context(), dup, ev)
		wantCode(t, "CreateCase with a reused key", err, store.ECONFLICT)
		if dup.Number != "" || dup.Version != 0 {
			t.Errorf("rejected case was written back: number %q version %d", dup.Number, dup.Version)
		}
		r := raw(t, uri, name)
		if n := countDocs(t, r, "cases", bson.D{}); n != 1 {
			t.Errorf("%d case documents, want 1", n)
		}
		// Only MongoDB looks for the duplicate before taking a number; on
		// FerretDB the unique index rejects it after (see DB.precheck).
		if got := counterValue(t, r, 2026); mongotest.External() && got != 1 {
			t.Errorf("counter is %d after the conflict, want 1", got)
		}
		got, err := db.CaseByIdempotencyKey(t.Context(), first.IdempotencyKey)
		if err != nil || got.ID != first.ID {
			t.Errorf("CaseByIdempotencyKey = %v, %v; want %q", got, err, first.ID)
		}
	})

	t.Run("a reused event or message ID is ECONFLICT and appends nothing", func(t *testing.T) {
		db, _, _ := fresh(t)
		c := mustCreate(t, db, "case-ids", base)
		u := store.CaseUpdate{CaseID: c.ID, ExpectStatus: store.StatusReceived,
			Event: store.Event{ID: "ev-case-ids", At: base.Add(time.Hour), FromStatus: store.StatusReceived,
				ToStatus: store.StatusAccepted}}
		_, err := db.UpdateCase(t.Context(), u)
		wantCode(t, "UpdateCase reusing the first event's ID", err, store.ECONFLICT)

		m := &store.Message{ID: "msg-1", CaseID: c.ID, At: base.Add(time.Hour), Author: store.AuthorReporter, Body: "补充"}
		if err := db.AddMessage(t.Context(), m); err != nil {
			t.Fatalf("AddMessage: %v", err)
		}
		err = db.AddMessage(t.Context(), m)
		wantCode(t, "AddMessage replayed", err, store.ECONFLICT)

		got, err := db.CaseByID(t.Context(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != store.StatusReceived || got.Version != 2 {
			t.Errorf("Status %q Version %d, want received 2", got.Status, got.Version)
		}
		if ms, err := db.CaseMessages(t.Context(), c.ID); err != nil || len(ms) != 1 {
			t.Errorf("CaseMessages = %d, %v; want 1", len(ms), err)
		}
	})
}

// TestOperatorInjection stores and looks up values that would be query
// operators if the store built filters from parsed input. They must be
// stored and matched as the literal strings they are.
func TestOperatorInjection(t *testing.T) {
	db, uri, name := fresh(t)
	plain := mustCreate(t, db, "case-plain", base)

	evil, ev := newCase("$where", base.Add(time.Minute))
	evil.IdempotencyKey = `{"$gt": ""}`
	evil.RegionCode = "$in"
	evil.Kind = `{"$ne": "report"}`
	ev.ID = "$push"
	if err := db.CreateCase(t.Context(), evil, ev); err != nil {
		t.Fatalf("CreateCase with operator-like values: %v", err)
	}

	misses := []struct {
		name string
		get  func() (*store.Case, error)
	}{
		{"number {\"$ne\": \"\"}", func() (*store.Case, error) { return db.CaseByNumber(t.Context(), `{"$ne": ""}`) }},
		{"number $regex", func() (*store.Case, error) { return db.CaseByNumber(t.Context(), "$regex") }},
		{"key {\"$ne\": \"\"}", func() (*store.Case, error) { return db.CaseByIdempotencyKey(t.Context(), `{"$ne": ""}`) }},
		{"key $exists", func() (*store.Case, error) { return db.CaseByIdempotencyKey(t.Context(), "$exists") }},
		{"id {\"$gt\": \"\"}", func() (*store.Case, error) { return db.CaseByID(t.Context(), `{"$gt": ""}`) }},
	}
	for _, m := range misses {
		t.Run(m.name+" matches nothing", func(t *testing.T) {
			got, err := m.get()
			wantCode(t, m.name, err, store.ENOTFOUND)
			if got != nil {
				t.Errorf("%s found case %q", m.name, got.ID)
			}
		})
	}

	t.Run("operator-like values are found literally", func(t *testing.T) {
		for _, get := range []func() (*store.Case, error){
			func() (*store.Case, error) { return db.CaseByID(t.Context(), "$where") },
			func() (*store.Case, error) { return db.CaseByIdempotencyKey(t.Context(), `{"$gt": ""}`) },
			func() (*store.Case, error) { return db.CaseByNumber(t.Context(), evil.Number) },
		} {
			got, err := get()
			if err != nil || got.ID != "$where" || got.RegionCode != "$in" || got.Kind != `{"$ne": "report"}` {
				t.Errorf("lookup = %+v, %v; want the $where case with its literal fields", got, err)
			}
		}
		evs, err := db.CaseEvents(t.Context(), "$where")
		if err != nil || len(evs) != 1 || evs[0].ID != "$push" {
			t.Errorf("CaseEvents($where) = %v, %v; want the $push event", evs, err)
		}
	})

	t.Run("list filters compare literally", func(t *testing.T) {
		for _, f := range []store.CaseFilter{
			{RegionCodes: []string{`{"$ne": ""}`}},
			{Statuses: []string{`{"$exists": true}`}},
			{Kind: "$ne"},
		} {
			got, total, err := db.ListCases(t.Context(), f)
			if err != nil || total != 0 || len(got) != 0 {
				t.Errorf("ListCases(%+v) = %d cases of %d, %v; want none", f, len(got), total, err)
			}
		}
		got, total, err := db.ListCases(t.Context(), store.CaseFilter{RegionCodes: []string{"$in"}, Kind: `{"$ne": "report"}`})
		if err != nil || total != 1 || len(got) != 1 || got[0].ID != "$where" {
			t.Errorf("ListCases of the literal values = %d of %d, %v; want only $where", len(got), total, err)
		}
	})

	t.Run("transition and message with operator-like text", func(t *testing.T) {
		_, err := db.UpdateCase(t.Context(), store.CaseUpdate{
			CaseID: "$where", ExpectStatus: store.StatusReceived,
			Event: store.Event{ID: "$set", At: base.Add(time.Hour), FromStatus: store.StatusReceived,
				ToStatus: store.StatusAccepted, Note: `{"$unset": {"status": 1}}`},
		})
		if err != nil {
			t.Fatalf("UpdateCase: %v", err)
		}
		if err := db.AddMessage(t.Context(), &store.Message{ID: "$inc", CaseID: "$where", At: base.Add(2 * time.Hour),
			Author: store.AuthorReporter, Body: `{"$set": {"status": "closed"}}`}); err != nil {
			t.Fatalf("AddMessage: %v", err)
		}
		got, err := db.CaseByID(t.Context(), "$where")
		if err != nil || got.Status != store.StatusAccepted || got.Version != 3 {
			t.Errorf("case after updates = %+v, %v; want accepted, version 3", got, err)
		}
		other, err := db.CaseByID(t.Context(), plain.ID)
		if err != nil || other.Status != store.StatusReceived || other.Version != 1 {
			t.Errorf("the other case = %+v, %v; want untouched", other, err)
		}
	})

	t.Run("stored documents hold the literal strings", func(t *testing.T) {
		var doc bson.M
		err := raw(t, uri, name).Collection("cases").FindOne(t.Context(), bson.D{{Key: "_id", Value: "$where"}}).Decode(&doc)
		if err != nil {
			t.Fatal(err)
		}
		if doc["idempotency_key"] != `{"$gt": ""}` || doc["region_code"] != "$in" {
			t.Errorf("stored idempotency_key %v region_code %v", doc["idempotency_key"], doc["region_code"])
		}
	})
}

func TestListOmitsHistory(t *testing.T) {
	db, _, _ := fresh(t)
	c := mustCreate(t, db, "case-long-history", base)
	for i := range 20 {
		if err := db.AddMessage(t.Context(), &store.Message{ID: fmt.Sprintf("m%02d", i), CaseID: c.ID,
			At: base.Add(time.Duration(i+1) * time.Minute), Author: store.AuthorReporter, Body: "补充"}); err != nil {
			t.Fatal(err)
		}
	}
	got, total, err := db.ListCases(t.Context(), store.CaseFilter{})
	if err != nil || total != 1 || len(got) != 1 || got[0].Version != 21 {
		t.Fatalf("ListCases = %v of %d, %v", got, total, err)
	}
}

func TestUnavailable(t *testing.T) {
	t.Run("Open of an unreachable server is EUNAVAILABLE", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		_, err := mongostore.Open(ctx, "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300&connectTimeoutMS=300", "fw_unreachable")
		wantCode(t, "Open", err, store.EUNAVAILABLE)
		if msg := store.ErrorMessage(err); msg == "" || msg == err.Error() {
			t.Errorf("message %q is not a safe message", msg)
		}
	})

	t.Run("a closed store is EUNAVAILABLE", func(t *testing.T) {
		db, err := mongostore.Open(t.Context(), mongotest.URI(t), mongotest.DatabaseName(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		wantCode(t, "Ping after Close", db.Ping(t.Context()), store.EUNAVAILABLE)
		_, err = db.CaseByID(t.Context(), "case-x")
		wantCode(t, "CaseByID after Close", err, store.EUNAVAILABLE)
	})

	t.Run("an empty database name is EINVALID", func(t *testing.T) {
		_, err := mongostore.Open(t.Context(), mongotest.URI(t), "")
		wantCode(t, "Open", err, store.EINVALID)
	})
}

// TestTwoProcessesTransition races transitions through two store handles,
// standing for two fundwatch processes. On MongoDB the filtered update is
// atomic on the server, so exactly one wins whatever process sent it.
func TestTwoProcessesTransition(t *testing.T) {
	if !mongotest.External() {
		t.Skip("MongoDB only: FerretDB v1 does not isolate updates, and the store serializes them only within one process; set TEST_MONGO_URI to run")
	}
	uri, name := mongotest.URI(t), mongotest.DatabaseName(t)
	handles := []*mongostore.DB{openDB(t, uri, name), openDB(t, uri, name)}
	c := mustCreate(t, handles[0], "case-race", base)
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = handles[i%2].UpdateCase(t.Context(), store.CaseUpdate{
				CaseID: c.ID, ExpectStatus: store.StatusReceived,
				Event: store.Event{ID: fmt.Sprintf("ev-%d", i), At: base.Add(time.Minute),
					FromStatus: store.StatusReceived, ToStatus: store.StatusAccepted},
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
		wantCode(t, fmt.Sprintf("transition %d", i), err, store.ECONFLICT)
	}
	if wins != 1 {
		t.Errorf("%d transitions won, want 1", wins)
	}
	evs, err := handles[1].CaseEvents(t.Context(), c.ID)
	if err != nil || len(evs) != 2 {
		t.Errorf("CaseEvents = %d events, %v; want 2", len(evs), err)
	}
}

func TestImportCase(t *testing.T) {
	db, uri, name := fresh(t)
	at := base.Add(-48 * time.Hour)
	c, _ := newCase("case-imported", at)
	c.Number, c.Year, c.Seq = "2026-000041", 2026, 41
	c.Status, c.Result = store.StatusClosed, store.ResultSubstantiated
	c.Version, c.IndexedVersion = 5, 5
	c.UpdatedAt = at.Add(time.Hour)
	events := []store.Event{
		{ID: "ev-1", At: at, ToStatus: store.StatusReceived, Actor: "system"},
		{ID: "ev-2", At: at.Add(time.Minute), FromStatus: store.StatusReceived, ToStatus: store.StatusConcluded,
			Result: store.ResultSubstantiated, Note: "查实", Actor: "user-1"},
	}
	msgs := []store.Message{{ID: "m-1", At: at.Add(2 * time.Minute), Author: store.AuthorHandler, Body: "已处理", Actor: "user-1"}}
	if err := db.ImportCase(t.Context(), c, events, msgs); err != nil {
		t.Fatalf("ImportCase: %v", err)
	}

	got, err := db.CaseByNumber(t.Context(), c.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != c.ID || got.Version != 5 || got.IndexedVersion != 0 || got.Result != store.ResultSubstantiated || !got.UpdatedAt.Equal(c.UpdatedAt) {
		t.Errorf("imported case = %+v", got)
	}
	evs, err := db.CaseEvents(t.Context(), c.ID)
	if err != nil || len(evs) != 2 || evs[1].ID != "ev-2" || evs[1].CaseID != c.ID {
		t.Errorf("CaseEvents = %+v, %v", evs, err)
	}
	ms, err := db.CaseMessages(t.Context(), c.ID)
	if err != nil || len(ms) != 1 || ms[0].Body != "已处理" || ms[0].CaseID != c.ID {
		t.Errorf("CaseMessages = %+v, %v", ms, err)
	}
	if v := counterValue(t, raw(t, uri, name), 2026); v != 41 {
		t.Errorf("counter %d after import, want 41", v)
	}
	next := mustCreate(t, db, "case-new", base)
	if next.Number != "2026-000042" {
		t.Errorf("first new case after the import got %q, want 2026-000042", next.Number)
	}

	err = db.ImportCase(t.Context(), c, events, msgs)
	wantCode(t, "ImportCase again", err, store.ECONFLICT)
	other, _ := newCase("case-other", at)
	other.Number, other.Year, other.Seq = c.Number, c.Year, c.Seq
	wantCode(t, "ImportCase of a taken number", db.ImportCase(t.Context(), other, nil, nil), store.ECONFLICT)
	noNumber, _ := newCase("case-no-number", at)
	wantCode(t, "ImportCase without a number", db.ImportCase(t.Context(), noNumber, nil, nil), store.EINVALID)
	if n := countDocs(t, raw(t, uri, name), "cases", bson.D{}); n != 2 {
		t.Errorf("%d cases stored, want 2", n)
	}
}
