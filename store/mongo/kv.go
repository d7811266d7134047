package mongo

import (
	"context"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const (
	collKV    = "kv"
	kvTimeout = 5 * time.Second
)

// KV is a small key-value store with expiry in the same database. Its
// methods are those of fiber.Storage (without importing Fiber), so the web
// layer can keep CSRF tokens, reporters' follow-up sessions and rate-limit
// counters here: several fundwatch instances behind a proxy then share them
// and behave as one. Expired entries are never returned; a TTL index removes
// them in the background where the server supports it.
type KV struct {
	coll *mongo.Collection
	now  func() time.Time
	sets *atomic.Uint64
}

// sweepEvery is how many Sets pass between two deletions of expired entries,
// for servers without TTL indexes (FerretDB v1).
const sweepEvery = 512

type kvDoc struct {
	Key string     `bson:"_id"`
	Val []byte     `bson:"v"`
	Exp *time.Time `bson:"exp,omitempty"`
}

// KV returns the key-value store of this database.
func (db *DB) KV() *KV {
	return &KV{coll: db.kv, now: time.Now, sets: &db.kvSets}
}

// Get returns nil, nil for a missing or expired key, as fiber.Storage wants.
func (kv *KV) Get(key string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
	defer cancel()
	var d kvDoc
	err := kv.coll.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return nil, nil
	} else if err != nil {
		return nil, translate("kv get", err)
	}
	if d.Exp != nil && !kv.now().Before(*d.Exp) {
		return nil, nil
	}
	return d.Val, nil
}

// Set stores val under key; exp 0 means no expiry. An empty key or value is
// ignored, as fiber.Storage allows.
func (kv *KV) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	d := kvDoc{Key: key, Val: val}
	if exp > 0 {
		t := kv.now().Add(exp).UTC().Truncate(time.Millisecond)
		d.Exp = &t
	}
	ctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
	defer cancel()
	_, err := kv.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: key}}, d, options.Replace().SetUpsert(true))
	if err == nil && kv.sets.Add(1)%sweepEvery == 0 {
		_, _ = kv.coll.DeleteMany(ctx, bson.D{{Key: "exp", Value: bson.D{{Key: "$lt", Value: kv.now().UTC()}}}})
	}
	return translate("kv set", err)
}

// Delete removes key; a missing key is not an error.
func (kv *KV) Delete(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
	defer cancel()
	_, err := kv.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: key}})
	return translate("kv delete", err)
}

// Reset removes every entry.
func (kv *KV) Reset() error {
	ctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
	defer cancel()
	_, err := kv.coll.DeleteMany(ctx, bson.D{})
	return translate("kv reset", err)
}

// Close does nothing: the KV lives as long as its DB.
func (kv *KV) Close() error { return nil }
