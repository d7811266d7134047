package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// migrateAuditSettingsOutbox is the migration step of the audit, settings
// and outbox areas (see migrate.go).
func migrateAuditSettingsOutbox(ctx context.Context, db *mongodrv.Database) error {
	// Settings and calendar years are read by _id only; the outbox is
	// claimed by due time and listed newest first.
	for _, name := range []string{collSettings, collCalendar, collOutbox} {
		if err := createCollection(ctx, db, name); err != nil {
			return err
		}
	}
	return createIndexesOneByOne(ctx, db.Collection(collOutbox), []mongodrv.IndexModel{
		// ClaimMail: pending mail whose attempt is due.
		{Keys: bson.D{{Key: fieldStatus, Value: 1}, {Key: mailFieldNextAttemptAt, Value: 1}},
			Options: options.Index().SetName("status_next_attempt_at")},
		// ListMail: newest first, across all regions or within a scope.
		{Keys: bson.D{{Key: fieldCreatedAt, Value: -1}, {Key: fieldID, Value: -1}},
			Options: options.Index().SetName("created_at")},
		{Keys: bson.D{{Key: fieldRegionCode, Value: 1}, {Key: fieldCreatedAt, Value: -1}},
			Options: options.Index().SetName("region_code_created_at")},
	})
}
