package mongo

import (
	"context"
	"errors"
	"time"

	"fundwatch/store"
)

// Placeholders until this area is implemented; they keep the package
// compiling while the area is built. Nothing calls them yet.

var _ = time.Time{}

func todoOutbox() error {
	return store.Wrap(store.EINTERNAL, errors.New("mongo: outbox not implemented"), store.MsgInternal)
}

func (db *DB) EnqueueMail(ctx context.Context, m *store.Mail) error { return todoOutbox() }

func (db *DB) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*store.Mail, error) {
	return nil, todoOutbox()
}

func (db *DB) MarkMailSent(ctx context.Context, id string, at time.Time) error { return todoOutbox() }

func (db *DB) MarkMailFailed(ctx context.Context, id string, lastError string, next time.Time, final bool) error {
	return todoOutbox()
}

func (db *DB) RequeueMail(ctx context.Context, id string, at time.Time) error { return todoOutbox() }

func (db *DB) ListMail(ctx context.Context, f store.MailFilter) ([]*store.Mail, int, error) {
	return nil, 0, todoOutbox()
}

func (db *DB) CountMail(ctx context.Context, regionCodes []string) (map[string]int, error) {
	return nil, todoOutbox()
}
