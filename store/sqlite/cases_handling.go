package sqlite

import (
	"context"
	"errors"

	"fundwatch/store"
)

// Placeholders until the case-handling part of CaseStore is implemented.

func todoCases() error {
	return store.Wrap(store.EINTERNAL, errors.New("sqlite: case handling not implemented"), store.MsgInternal)
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
