package storetest

import (
	"testing"

	"fundwatch/store"
)

// testAccounts is the conformance suite of the accounts area; its cases are
// written with the area's implementation.
func testAccounts(t *testing.T, open func(t *testing.T) store.Store) {}
