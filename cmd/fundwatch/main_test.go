package main

import (
	"os"
	"testing"

	"fundwatch/store/mongo/mongotest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mongotest.Stop()
	faultCleanup()
	os.Exit(code)
}

// testStoreArgs are the serve flags that choose the store of a test server:
// the embedded SQLite default, or MongoDB when FUNDWATCH_TEST_STORE=mongo —
// the server in TEST_MONGO_URI, else an embedded FerretDB — with a database
// of the test's own.
func testStoreArgs(t *testing.T) []string {
	t.Helper()
	switch os.Getenv("FUNDWATCH_TEST_STORE") {
	case "", "sqlite":
		return nil
	case "mongo":
		return []string{"--store", "mongo", "--mongo-uri", mongotest.URI(t), "--mongo-db", mongotest.DatabaseName(t)}
	default:
		t.Fatalf("FUNDWATCH_TEST_STORE=%q: want sqlite or mongo", os.Getenv("FUNDWATCH_TEST_STORE"))
		return nil
	}
}
