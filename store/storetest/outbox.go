package storetest

import (
	"testing"

	"fundwatch/store"
)

// testOutbox is the conformance suite of the outbox area; its cases are
// written with the area's implementation.
func testOutbox(t *testing.T, open func(t *testing.T) store.Store) {}
