// Package mongo is the MongoDB backend of store.Store, on
// go.mongodb.org/mongo-driver/v2.
//
// Correctness never relies on multi-document transactions, which standalone
// servers and FerretDB do not have. Instead a case is a single document that
// embeds its timeline and its messages, so creating a case with its first
// event, a status transition with its event, and a new message are each one
// single-document write, which MongoDB applies atomically. The only write
// that touches two documents is numbering: CreateCase first takes the next
// number from a per-year counter document, then inserts the case. A crash
// between the two leaves a gap in the numbers and nothing else; numbers stay
// unique (a unique index guards them) and increasing. Evidence files
// (BlobBucket) are GridFS, many documents each by nature; blobs.go says how
// a put still either fully happens or leaves nothing.
//
// Every write that a receipt depends on uses write concern majority with
// journaling, so CreateCase returns only once the case survives a crash or
// a failover; reads use read concern majority, so nobody is shown a case that
// a failover could roll back.
//
// The package also runs against FerretDB v1 (the embedded server of the
// tests), whose SQLite handler speaks the same protocol with three
// differences that matter here: it accepts and ignores write and read
// concerns, so durability is whatever its SQLite gives; it executes updates
// as an unisolated read-modify-write, see writeGate for how the store
// compensates; and it scans for any filter but a bare {_id}, see
// DB.precheck. FerretDB is detected at Open.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"fundwatch/store"
)

// pingTimeout bounds how long Open waits for the server: mongo.Connect does
// not dial, so Open pings to fail fast on a wrong address instead of on the
// first request.
const pingTimeout = 10 * time.Second

// DB is a store.Store on one MongoDB database. It is safe for concurrent use.
type DB struct {
	client *mongo.Client
	// database is the handle with the durable write concern; areas take
	// their collections from it.
	database *mongo.Database

	cases    *mongo.Collection
	counters *mongo.Collection
	kv       *mongo.Collection
	kvSets   atomic.Uint64
	// casesLocal reads with read concern local. It is used only to find out
	// why an insert hit a unique index: the document that caused the
	// conflict exists on the primary but need not be majority-committed yet.
	casesLocal *mongo.Collection

	gate writeGate
	// precheck makes CreateCase look for a duplicate ID or idempotency key
	// before it takes a number, so an ordinary retried submission costs no
	// number. It is on for MongoDB, where that is two index lookups, and
	// off for FerretDB v1, which answers every filter other than a bare
	// {_id} by decoding the whole collection (about 0.4 ms per case here),
	// which would make each create slower than the last. Without it the
	// unique indexes still reject the duplicate; it only costs a number.
	precheck bool
}

var _ store.Store = (*DB)(nil)

// Open connects to the server at uri, checks that it answers, and brings the
// database dbName up to date with the migrations. ctx bounds the whole
// opening, not the life of the returned DB.
func Open(ctx context.Context, uri string, dbName string) (*DB, error) {
	if dbName == "" {
		return nil, store.Errorf(store.EINVALID, "未配置 MongoDB 数据库名称。")
	}
	return openClient(ctx, options.Client().ApplyURI(uri), dbName)
}

// openClient is Open with the client options already built, so tests can
// add a command monitor.
func openClient(ctx context.Context, opts *options.ClientOptions, dbName string) (*DB, error) {
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, store.Wrap(store.EINVALID, fmt.Errorf("mongo connect: %w", err), "MongoDB 连接串无效。")
	}
	db, err := open(ctx, client, dbName)
	if err != nil {
		dctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
		defer cancel()
		_ = client.Disconnect(dctx)
		return nil, err
	}
	return db, nil
}

func open(ctx context.Context, client *mongo.Client, dbName string) (*DB, error) {
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := client.Ping(pctx, readpref.Primary()); err != nil {
		return nil, translate("ping", err)
	}

	// The durability settings are set on the database handle, not taken from
	// the URI, so a connection string cannot weaken them by accident.
	wc := writeconcern.Majority()
	journal := true
	wc.Journal = &journal
	database := client.Database(dbName, options.Database().
		SetWriteConcern(wc).
		SetReadConcern(readconcern.Majority()))

	ferret, err := isFerretDB(ctx, database)
	if err != nil {
		return nil, translate("buildInfo", err)
	}
	if err := migrate(ctx, database); err != nil {
		return nil, translate("migrate", err)
	}
	return &DB{
		client:     client,
		database:   database,
		cases:      database.Collection(collCases),
		counters:   database.Collection(collCounters),
		kv:         database.Collection(collKV),
		casesLocal: database.Collection(collCases, options.Collection().SetReadConcern(readconcern.Local())),
		gate:       writeGate{serialize: ferret},
		precheck:   !ferret,
	}, nil
}

// isFerretDB tells FerretDB from MongoDB by the ferretdbVersion field that
// FerretDB adds to buildInfo.
func isFerretDB(ctx context.Context, db *mongo.Database) (bool, error) {
	var info bson.Raw
	if err := db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return false, err
	}
	_, err := info.LookupErr("ferretdbVersion")
	return err == nil, nil
}

// Ping tells whether the primary answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	return translate("ping", db.client.Ping(ctx, readpref.Primary()))
}

// Close disconnects from the server. Closing twice is not an error.
func (db *DB) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	err := db.client.Disconnect(ctx)
	if errors.Is(err, mongo.ErrClientDisconnected) {
		return nil
	}
	return translate("disconnect", err)
}

// writeGate makes up for FerretDB v1 not isolating updates. On MongoDB a
// filtered update ({_id, status: from} → $set, $push, $inc) is atomic on
// the document, which is what UpdateCase, AddMessage and the case
// counter rely on. FerretDB v1.24 instead reads the matching document,
// applies the operators in its own process and writes the whole document
// back by _id, with nothing in between held: two concurrent transitions
// from the same status would both succeed, two concurrent $push would lose
// one, and two concurrent $inc would hand out the same number.
//
// Detected at Open, FerretDB gets those writes serialized within this
// process: per case for updates, and one at a time for creation. That makes
// one fundwatch process on FerretDB correct; several processes sharing one
// FerretDB are not, and are not supported (numbers still stay unique there,
// because CreateCase retries on a collision with the unique index). On
// MongoDB the gate does nothing.
type writeGate struct {
	serialize bool
	create    sync.Mutex
	cases     [64]sync.Mutex
}

func (g *writeGate) lockCreate() func() {
	if !g.serialize {
		return func() {}
	}
	g.create.Lock()
	return g.create.Unlock
}

func (g *writeGate) lockCase(id string) func() {
	if !g.serialize {
		return func() {}
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	m := &g.cases[h.Sum32()%uint32(len(g.cases))]
	m.Lock()
	return m.Unlock
}
