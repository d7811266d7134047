package mongo

import (
	"context"
	"errors"
	"time"

	"fundwatch/store"

	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
)

// Placeholders until this area is implemented; they keep the package
// compiling while the area is built. Nothing calls them yet.

var _ = time.Time{}

func todoImportant() error {
	return store.Wrap(store.EINTERNAL, errors.New("mongo: important not implemented"), store.MsgInternal)
}

func (db *DB) CreateImportantReport(ctx context.Context, r *store.ImportantReport) error {
	return todoImportant()
}

func (db *DB) ImportantReportInRegions(ctx context.Context, id string, regionCodes []string) (*store.ImportantReport, error) {
	return nil, todoImportant()
}

func (db *DB) UpdateImportantDraft(ctx context.Context, r *store.ImportantReport) error {
	return todoImportant()
}

func (db *DB) SignImportantReport(ctx context.Context, id string, version int64, signerID, signerName string, at time.Time, hash string) (*store.ImportantReport, error) {
	return nil, todoImportant()
}

func (db *DB) SubmitImportantReport(ctx context.Context, id string, by string, at time.Time) (*store.ImportantReport, error) {
	return nil, todoImportant()
}

func (db *DB) ListImportantReports(ctx context.Context, f store.ImportantFilter) ([]*store.ImportantReport, int, error) {
	return nil, 0, todoImportant()
}

func (db *DB) SubmitQuarterlyReport(ctx context.Context, q *store.QuarterlyReport) error {
	return todoImportant()
}

func (db *DB) QuarterlyReports(ctx context.Context, year, quarter int, cityCodes []string) ([]*store.QuarterlyReport, error) {
	return nil, todoImportant()
}

// migrateImportant is this area's migration step (see migrate.go).
func migrateImportant(ctx context.Context, db *mongodrv.Database) error { return nil }
