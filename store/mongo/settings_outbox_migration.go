package mongo

import (
	"context"

	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
)

// migrateAuditSettingsOutbox is the migration step of the audit, settings
// and outbox areas (see migrate.go).
func migrateAuditSettingsOutbox(ctx context.Context, db *mongodrv.Database) error { return nil }
