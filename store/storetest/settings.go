package storetest

import (
	"testing"

	"fundwatch/store"
)

// testSettings is the conformance suite of the settings area; its cases are
// written with the area's implementation.
func testSettings(t *testing.T, open func(t *testing.T) store.Store) {}
