package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// migration is one step of the schema. MongoDB has no schema to alter, so
// steps create collections and indexes. Every step must be idempotent: two
// fundwatch processes may open the same database at once and both run it,
// and a crash between running a step and recording it runs it again.
type migration struct {
	ID   int
	Name string
	Up   func(ctx context.Context, db *mongo.Database) error
}

// migrations are applied in order and never edited once released; a change
// is a new step at the end.
var migrations = []migration{
	{1, "create collections", func(ctx context.Context, db *mongo.Database) error {
		for _, name := range []string{collCases, collCounters} {
			if err := createCollection(ctx, db, name); err != nil {
				return err
			}
		}
		return nil
	}},
	{2, "case indexes", func(ctx context.Context, db *mongo.Database) error {
		_, err := db.Collection(collCases).Indexes().CreateMany(ctx, []mongo.IndexModel{
			// The unique indexes are what make numbers and idempotency keys
			// unique: an insert either claims them or fails as a whole.
			{Keys: bson.D{{Key: fieldNumber, Value: 1}},
				Options: options.Index().SetName("number_unique").SetUnique(true)},
			{Keys: bson.D{{Key: fieldIdempotencyKey, Value: 1}},
				Options: options.Index().SetName("idempotency_key_unique").SetUnique(true)},
			// An admin's list is always scoped to regions and sorted newest
			// first; seq breaks ties between cases created in the same
			// millisecond.
			{Keys: bson.D{{Key: fieldRegionCode, Value: 1}, {Key: fieldCreatedAt, Value: -1}, {Key: fieldSeq, Value: -1}},
				Options: options.Index().SetName("region_code_created_at")},
			{Keys: bson.D{{Key: fieldStatus, Value: 1}},
				Options: options.Index().SetName("status")},
		})
		return err
	}},
	{3, "key-value collection with expiry", func(ctx context.Context, db *mongo.Database) error {
		if err := createCollection(ctx, db, collKV); err != nil {
			return err
		}
		// Expired entries are filtered on read anyway; the TTL index only
		// keeps the collection small. FerretDB v1 has no TTL indexes: there a
		// plain index serves KV's own sweep of expired entries.
		_, err := db.Collection(collKV).Indexes().CreateOne(ctx, mongo.IndexModel{
			Keys:    bson.D{{Key: "exp", Value: 1}},
			Options: options.Index().SetName("exp_ttl").SetExpireAfterSeconds(0),
		})
		var ce mongo.CommandError
		if errors.As(err, &ce) && ce.HasErrorCode(238) { // NotImplemented
			_, err = db.Collection(collKV).Indexes().CreateOne(ctx, mongo.IndexModel{
				Keys: bson.D{{Key: "exp", Value: 1}}, Options: options.Index().SetName("exp"),
			})
		}
		return err
	}},
	// Steps 4–7 belong to the areas of the admin work, one each; their
	// functions live in the area's file.
	{4, "case handling indexes", migrateCaseHandling},
	{5, "accounts and sessions", migrateAccounts},
	{6, "audit log, settings and outbox", migrateAuditSettingsOutbox},
	{7, "important-case reports", migrateImportant},
	{8, "satisfaction index", func(ctx context.Context, db *mongo.Database) error {
		// The statistics count the rated cases of a region scope per rating.
		_, err := db.Collection(collCases).Indexes().CreateOne(ctx, mongo.IndexModel{
			Keys:    bson.D{{Key: fieldRating, Value: 1}, {Key: fieldRegionCode, Value: 1}},
			Options: options.Index().SetName("satisfaction_rating_region_code"),
		})
		return err
	}},
	{9, "publications", migratePublications},
	{10, "search index bookkeeping", migrateSearchIndex},
	{11, "evidence file records", migrateFiles},
	{12, "evidence files (GridFS)", migrateBlobs},
}

// migrationDoc records an applied step in the migrations collection.
type migrationDoc struct {
	ID        int       `bson:"_id"`
	Name      string    `bson:"name"`
	AppliedAt time.Time `bson:"applied_at"`
}

// migrate applies every step that the migrations collection does not record
// yet, in order. Recording a step is an insert keyed by its ID, so a step
// another process recorded first is a duplicate key, which is fine.
func migrate(ctx context.Context, db *mongo.Database) error {
	cur, err := db.Collection(collMigrations).Find(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("read applied migrations: %w", err)
	}
	var applied []migrationDoc
	if err := cur.All(ctx, &applied); err != nil {
		return fmt.Errorf("read applied migrations: %w", err)
	}
	done := make(map[int]bool, len(applied))
	for _, m := range applied {
		done[m.ID] = true
	}
	for _, m := range migrations {
		if done[m.ID] {
			continue
		}
		if err := m.Up(ctx, db); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.ID, m.Name, err)
		}
		rec := migrationDoc{ID: m.ID, Name: m.Name, AppliedAt: time.Now().UTC().Truncate(time.Millisecond)}
		if _, err := db.Collection(collMigrations).InsertOne(ctx, rec); err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("record migration %d (%s): %w", m.ID, m.Name, err)
		}
	}
	return nil
}

// createCollection creates a collection unless it exists. Creating it up
// front, rather than implicitly on first insert, keeps index builds and
// writes from racing to create it.
func createCollection(ctx context.Context, db *mongo.Database, name string) error {
	err := db.CreateCollection(ctx, name)
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.HasErrorCode(48) { // NamespaceExists
		return nil
	}
	return err
}
