package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"fundwatch/store"
)

// Safe messages for users, the sentences of store/messages.go; the driver
// error stays in store.Error.Err for logs.
const (
	msgNotFound    = store.MsgNotFound
	msgConflict    = store.MsgConflict
	msgUnavailable = store.MsgUnavailable
	msgInternal    = store.MsgInternal
)

func caseNotFound() error { return store.NotFound(store.MsgCaseNotFound) }

// staleCase is a conditional case update whose view of the case is out of
// date: the status or version moved on.
func staleCase() error { return store.Conflict(store.MsgStale) }

// alreadyDone is a case update whose event the case already has: a retried
// request that went through the first time.
func alreadyDone() error { return store.Conflict(store.MsgAlreadyDone) }

func incomplete(what string) error { return store.Incomplete("sqlite", what) }

// translate is the one place where database/sql and driver errors become
// store errors, so handlers see codes and never a driver message. op names
// the operation in the logged error. Errors that already are store errors
// pass through unchanged.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *store.Error
	if errors.As(err, &se) {
		return err
	}
	code, message := classify(err)
	return store.Wrap(code, fmt.Errorf("sqlite: %s: %w", op, err), message)
}

func classify(err error) (code, message string) {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return store.ENOTFOUND, msgNotFound
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, sql.ErrConnDone), errors.Is(err, driver.ErrBadConn):
		return store.EUNAVAILABLE, msgUnavailable
	}
	var le *sqlite.Error
	if errors.As(err, &le) {
		switch le.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return store.ECONFLICT, msgConflict
		}
		// Extended result codes carry the primary code in the low byte.
		switch le.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
			sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM,
			sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_INTERRUPT:
			return store.EUNAVAILABLE, msgUnavailable
		}
		return store.EINTERNAL, msgInternal
	}
	// database/sql reports use after Close with unexported errors (of the
	// pool, or of a statement prepared on open, closed with it), and some
	// driver paths return plain errors; their texts are stable.
	text := err.Error()
	if strings.Contains(text, "sql: database is closed") || strings.Contains(text, "sql: statement is closed") ||
		strings.Contains(text, "database is locked") {
		return store.EUNAVAILABLE, msgUnavailable
	}
	return store.EINTERNAL, msgInternal
}
