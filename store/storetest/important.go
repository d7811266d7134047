package storetest

import (
	"testing"

	"fundwatch/store"
)

// testImportant is the conformance suite of the important area; its cases are
// written with the area's implementation.
func testImportant(t *testing.T, open func(t *testing.T) store.Store) {}
