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

func todoAccounts() error {
	return store.Wrap(store.EINTERNAL, errors.New("mongo: accounts not implemented"), store.MsgInternal)
}

func (db *DB) CreateUser(ctx context.Context, u *store.User) error { return todoAccounts() }

func (db *DB) UserByID(ctx context.Context, id string) (*store.User, error) {
	return nil, todoAccounts()
}

func (db *DB) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	return nil, todoAccounts()
}

func (db *DB) ListUsers(ctx context.Context, f store.UserFilter) ([]*store.User, error) {
	return nil, todoAccounts()
}

func (db *DB) UpdateUser(ctx context.Context, u *store.User) error { return todoAccounts() }

func (db *DB) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	return todoAccounts()
}

func (db *DB) RecordLoginFailure(ctx context.Context, key string, at time.Time) (store.LoginThrottle, error) {
	return store.LoginThrottle{}, todoAccounts()
}

func (db *DB) LoginFailures(ctx context.Context, key string) (store.LoginThrottle, error) {
	return store.LoginThrottle{}, todoAccounts()
}

func (db *DB) ClearLoginFailures(ctx context.Context, key string) error { return todoAccounts() }

func (db *DB) CreateSession(ctx context.Context, s *store.Session) error { return todoAccounts() }

func (db *DB) SessionByID(ctx context.Context, id string) (*store.Session, error) {
	return nil, todoAccounts()
}

func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error { return todoAccounts() }

func (db *DB) DeleteSession(ctx context.Context, id string) error { return todoAccounts() }

func (db *DB) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	return 0, todoAccounts()
}

func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int, error) {
	return 0, todoAccounts()
}

// migrateAccounts is this area's migration step (see migrate.go).
func migrateAccounts(ctx context.Context, db *mongodrv.Database) error { return nil }
