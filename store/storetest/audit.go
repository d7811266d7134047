package storetest

import (
	"testing"

	"fundwatch/store"
)

// testAudit is the conformance suite of the audit area; its cases are
// written with the area's implementation.
func testAudit(t *testing.T, open func(t *testing.T) store.Store) {}
