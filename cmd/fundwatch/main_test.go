package main

import (
	"os"
	"testing"

	"fundwatch/store/mongo/mongotest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mongotest.Stop()
	os.Exit(code)
}
