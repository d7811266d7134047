package sqlite

import (
	"context"
	"errors"
	"time"

	"fundwatch/store"
)

// Placeholders until this area is implemented; they keep the package
// compiling while the area is built. Nothing calls them yet.

var _ = time.Time{}

func todoImportant() error {
	return store.Wrap(store.EINTERNAL, errors.New("sqlite: important not implemented"), store.MsgInternal)
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
