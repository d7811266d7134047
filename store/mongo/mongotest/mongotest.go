// Package mongotest gives tests a MongoDB-compatible server without any
// set-up: the server named by TEST_MONGO_URI when it is set, otherwise an
// embedded FerretDB (SQLite handler) started once per test binary. Every
// test gets a database of its own, so tests never see each other's data and
// may run in parallel.
//
// A test binary that uses it should stop the embedded server when it ends,
// so its temporary directory is removed:
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		mongotest.Stop()
//		os.Exit(code)
//	}
package mongotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// EnvURI names the environment variable that points the tests at a real
// MongoDB server (for example a replica set in CI).
const EnvURI = "TEST_MONGO_URI"

var embedded struct {
	once sync.Once
	uri  string
	err  error
	dir  string

	cancel context.CancelFunc
	done   chan struct{}
}

// External reports whether the tests run against the server in
// TEST_MONGO_URI rather than the embedded FerretDB. MongoDB-only tests skip
// themselves when it is false.
func External() bool { return os.Getenv(EnvURI) != "" }

// URI returns the connection string of the server to test against: the
// value of TEST_MONGO_URI, or that of the embedded FerretDB, which it starts
// on first use. It fails the test if the server cannot be started.
func URI(t testing.TB) string {
	t.Helper()
	if uri := os.Getenv(EnvURI); uri != "" {
		return uri
	}
	embedded.once.Do(startFerretDB)
	if embedded.err != nil {
		t.Fatalf("mongotest: start embedded FerretDB: %v", embedded.err)
	}
	return embedded.uri
}

// startFerretDB runs FerretDB with its SQLite handler in a temporary
// directory, listening on a free loopback port. The directory outlives any
// single test, so it is not a t.TempDir; Stop removes it.
func startFerretDB() {
	dir, err := os.MkdirTemp("", "fundwatch-ferretdb-")
	if err != nil {
		embedded.err = err
		return
	}
	embedded.dir = dir

	// FerretDB logs every connection at info level; only its errors are
	// worth a line in test output.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		embedded.err = err
		return
	}

	ctx, cancel := context.WithCancel(context.Background())
	embedded.cancel = cancel
	embedded.done = make(chan struct{})
	go func() {
		defer close(embedded.done)
		if err := f.Run(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "mongotest: embedded FerretDB stopped: %v\n", err)
		}
	}()

	// MongoDBURI blocks until the listener has its address (see its doc
	// comment), so calling it after Run has started is what waits for the
	// server to be ready. If Run fails before listening, MongoDBURI would
	// block forever, hence the select.
	uri := make(chan string, 1)
	go func() { uri <- f.MongoDBURI() }()
	select {
	case embedded.uri = <-uri:
	case <-embedded.done:
		embedded.err = fmt.Errorf("FerretDB exited before listening")
	case <-time.After(time.Minute):
		embedded.err = fmt.Errorf("FerretDB did not start listening within a minute")
	}
}

// Stop shuts the embedded FerretDB down, if it was started, and removes its
// data directory. Call it from TestMain after m.Run.
func Stop() {
	if embedded.cancel != nil {
		embedded.cancel()
		<-embedded.done
		embedded.cancel = nil
	}
	if embedded.dir != "" {
		_ = os.RemoveAll(embedded.dir)
		embedded.dir = ""
	}
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_]+`)

// DatabaseName returns a database name no other test uses, derived from the
// test's name so a leftover database on a shared server can be traced back
// to its test. It satisfies both MongoDB's rules and FerretDB's stricter
// ^[a-zA-Z0-9_-]{1,63}$. On a server from TEST_MONGO_URI the database is
// dropped when the test ends; the embedded server's directory is removed
// as a whole by Stop.
func DatabaseName(t testing.TB) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	suffix := hex.EncodeToString(b[:])
	prefix := strings.Trim(unsafeName.ReplaceAllString(t.Name(), "_"), "_")
	const maxLen = 63
	if max := maxLen - len("fw__") - len(suffix); len(prefix) > max {
		prefix = prefix[:max]
	}
	name := "fw_" + prefix + "_" + suffix

	if External() {
		uri := os.Getenv(EnvURI)
		t.Cleanup(func() { dropDatabase(t, uri, name) })
	}
	return name
}

// dropDatabase removes a test's database from a shared server. A failure is
// only logged: it leaves litter, not a wrong result.
func dropDatabase(t testing.TB, uri, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Logf("mongotest: drop database %s: %v", name, err)
		return
	}
	defer func() { _ = client.Disconnect(ctx) }()
	if err := client.Database(name).Drop(ctx); err != nil {
		t.Logf("mongotest: drop database %s: %v", name, err)
	}
}
