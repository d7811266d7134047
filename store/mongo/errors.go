package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"fundwatch/store"
)

// Safe messages, shown to users through store.ErrorMessage: the sentences
// of store/messages.go. They never contain driver text.
const (
	msgNotFound       = store.MsgCaseNotFound
	msgDuplicate      = store.MsgDuplicateCase
	msgDuplicateEntry = store.MsgConflict
	msgUnavailable    = store.MsgUnavailable
	msgInternal       = store.MsgInternal
)

// Server error codes that mean "not now" rather than "never": the node is
// shutting down, stepping down or not (or no longer) the primary, or a
// write concern could not be satisfied in time. A retry may succeed, so
// they are EUNAVAILABLE, like network errors.
var unavailableCodes = []int{
	64,    // WriteConcernFailed (includes wtimeout)
	91,    // ShutdownInProgress
	189,   // PrimarySteppedDown
	10107, // NotWritablePrimary
	11600, // InterruptedAtShutdown
	11602, // InterruptedDueToReplStateChange
	13435, // NotPrimaryNoSecondaryOk
	13436, // NotPrimaryOrSecondary
}

// translate turns a driver error into a *store.Error. It is the one place
// that knows which driver errors mean what, so every method reports the same
// condition with the same code. op names the operation for the logs; it is
// kept in Err, never in the user-facing Message.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *store.Error
	if errors.As(err, &se) {
		return err
	}
	wrapped := fmt.Errorf("mongo %s: %w", op, err)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return store.Wrap(store.ENOTFOUND, wrapped, msgNotFound)
	case mongo.IsDuplicateKeyError(err):
		return store.Wrap(store.ECONFLICT, wrapped, msgDuplicateEntry)
	case isUnavailable(err):
		return store.Wrap(store.EUNAVAILABLE, wrapped, msgUnavailable)
	default:
		return store.Wrap(store.EINTERNAL, wrapped, msgInternal)
	}
}

// translateBlob is translate for the blob bucket, whose missing and
// duplicate things are files, not cases or records.
func translateBlob(op string, err error) error {
	var se *store.Error
	switch {
	case err == nil || errors.As(err, &se):
		return err
	case errors.Is(err, mongo.ErrFileNotFound), errors.Is(err, mongo.ErrNoDocuments):
		return store.Wrap(store.ENOTFOUND, fmt.Errorf("mongo %s: %w", op, err), store.MsgFileNotFound)
	case mongo.IsDuplicateKeyError(err):
		return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo %s: %w", op, err), store.MsgFileExists)
	}
	return translate(op, err)
}

func invalidBlobID(id string) error {
	return store.Wrap(store.EINVALID, fmt.Errorf("mongo: invalid blob id %q", id), store.MsgFileID)
}

func blobExists(id string) error {
	return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo: blob %s exists", id), store.MsgFileExists)
}

// isUnavailable reports whether err says the server could not be reached or
// did not answer in time. A cancelled request context counts too: the
// operation did not happen, and nothing is wrong with the data.
func isUnavailable(err error) bool {
	if mongo.IsNetworkError(err) || mongo.IsTimeout(err) ||
		errors.Is(err, context.Canceled) ||
		errors.Is(err, mongo.ErrClientDisconnected) {
		return true
	}
	var sel topology.ServerSelectionError
	if errors.As(err, &sel) {
		return true
	}
	var srv mongo.ServerError
	if errors.As(err, &srv) {
		if srv.HasErrorLabel("RetryableWriteError") {
			return true
		}
		for _, code := range unavailableCodes {
			if srv.HasErrorCode(code) {
				return true
			}
		}
	}
	return false
}
