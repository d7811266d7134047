package mongo

import (
	"context"
	"errors"

	"fundwatch/store"

	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
)

// Placeholders until the case-handling part of CaseStore is implemented.

func todoCases() error {
	return store.Wrap(store.EINTERNAL, errors.New("mongo: case handling not implemented"), store.MsgInternal)
}

func (db *DB) CaseInRegions(ctx context.Context, id string, regionCodes []string) (*store.Case, error) {
	return nil, todoCases()
}

func (db *DB) CountCasesByStatus(ctx context.Context, f store.CaseFilter) (map[string]int, error) {
	return nil, todoCases()
}

func (db *DB) UpdateCase(ctx context.Context, u store.CaseUpdate) (*store.Case, error) {
	return nil, todoCases()
}

// migrateCaseHandling is this area's migration step (see migrate.go).
func migrateCaseHandling(ctx context.Context, db *mongodrv.Database) error { return nil }
