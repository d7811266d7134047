package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"fundwatch/store"
)

// openGroupTest opens a fresh database whose group sizes are recorded.
func openGroupTest(t testing.TB) (*DB, func() []int) {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "fundwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	var (
		mu     sync.Mutex
		groups []int
	)
	db.ObserveCommits(func(size int) {
		mu.Lock()
		groups = append(groups, size)
		mu.Unlock()
	})
	return db, func() []int {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(groups)
	}
}

// groupCase is a minimal new case as the intake files it.
func groupCase(id string) (*store.Case, store.Event) {
	now := store.Truncate(time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC))
	c := &store.Case{
		ID: id, Kind: store.KindReport, ReporterType: store.ReporterCitizen, Anonymous: true,
		Category: "fraudulent_claims", InsuranceTypes: []string{"medical"}, RegionCode: "220102",
		Subject: store.Party{Name: "某某医院"}, Description: "虚构住院骗取医保基金 " + id,
		Channel: store.ChannelMedicalSecurity, Status: store.StatusReceived, ImportantClass: store.ClassNone,
		AccessCodeHash: []byte("hash-" + id), IdempotencyKey: "idem-" + id, SubmissionHash: "sha256:" + id,
		CreatedAt: now, UpdatedAt: now,
	}
	return c, store.Event{ID: "ev-" + id, At: now, ToStatus: store.StatusReceived, Note: "已收到"}
}

// holdWriter makes the writer busy with a write that waits until release
// is called, so that the writes sent meanwhile queue up and form a group.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	started, hold, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.inWriteTx(context.Background(), "hold", func(ctx context.Context, tx *sql.Tx) error {
			close(started)
			<-hold
			return nil
		})
	}()
	<-started
	return func() {
		close(hold)
		if err := <-done; err != nil {
			t.Errorf("the write that held the writer: %v", err)
		}
	}
}

// waitQueued waits until n writes wait for the writer, and a little more
// so that each is parked on the writer's channel.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for db.WritesWaiting() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes waiting, want %d", db.WritesWaiting(), n)
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
}

// TestGroupCommitOneFailureFailsAlone files 20 cases at once, one of them
// a second submission with an idempotency key already stored: they are
// committed in groups, the duplicate alone fails, and every other case is
// stored whole and numbered once.
func TestGroupCommitOneFailureFailsAlone(t *testing.T) {
	db, groups := openGroupTest(t)
	ctx := context.Background()
	first, ev := groupCase("c-existing")
	if err := db.CreateCase(ctx, first, ev); err != nil {
		t.Fatal(err)
	}

	release := holdWriter(t, db)
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, e := groupCase(fmt.Sprintf("c-%02d", i))
			if i == 7 {
				c.IdempotencyKey = first.IdempotencyKey
			}
			errs[i] = db.CreateCase(ctx, c, e)
		})
	}
	waitQueued(t, db, n)
	release()
	wg.Wait()

	for i, err := range errs {
		switch {
		case i == 7 && store.ErrorCode(err) != store.ECONFLICT:
			t.Errorf("the duplicate: err = %v, want ECONFLICT", err)
		case i != 7 && err != nil:
			t.Errorf("case %d: %v", i, err)
		}
	}
	sizes := groups()
	if slices.Max(sizes) < 2 {
		t.Fatalf("group sizes %v: no two writes shared a commit", sizes)
	}
	sum := 0
	for _, s := range sizes {
		sum += s
	}
	// The first case, the write that held the writer, and 19 filed.
	if sum != 2+n-1 {
		t.Errorf("group sizes %v add up to %d writes committed, want %d", sizes, sum, 2+n-1)
	}
	t.Logf("20 concurrent filings committed in groups of %v", sizes[2:])

	numbers := map[string]bool{}
	for i := range n {
		if i == 7 {
			if _, err := db.CaseByID(ctx, "c-07"); store.ErrorCode(err) != store.ENOTFOUND {
				t.Errorf("the failed duplicate was stored: %v", err)
			}
			continue
		}
		id := fmt.Sprintf("c-%02d", i)
		c, err := db.CaseByID(ctx, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if numbers[c.Number] {
			t.Errorf("number %s handed out twice", c.Number)
		}
		numbers[c.Number] = true
		if evs, err := db.CaseEvents(ctx, id); err != nil || len(evs) != 1 {
			t.Errorf("%s: events %v, %v; want its first event", id, evs, err)
		}
	}
	// The duplicate's number was rolled back with it: 20 cases, 1…20.
	var last int64
	if err := db.read.QueryRow(`SELECT last_seq FROM case_counters`).Scan(&last); err != nil || last != n {
		t.Errorf("counter at %d (%v), want %d", last, err, n)
	}
}

// TestGroupCommitLostTransactionRerunsTheOthers breaks the shared
// transaction from inside one write (as SQLite does when it rolls a whole
// transaction back on a full disk): that write fails, and the others of
// its group, before and after it, are run again and stored.
func TestGroupCommitLostTransactionRerunsTheOthers(t *testing.T) {
	db, groups := openGroupTest(t)
	ctx := context.Background()
	release := holdWriter(t, db)

	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if i == 4 {
				errs[i] = db.inWriteTx(ctx, "break", func(ctx context.Context, tx *sql.Tx) error {
					if _, err := tx.ExecContext(ctx, `INSERT INTO case_counters (year, last_seq) VALUES (1999, 1)`); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `ROLLBACK`)
					return errors.Join(err, errors.New("disk full"))
				})
				return
			}
			c, e := groupCase(fmt.Sprintf("c-%02d", i))
			errs[i] = db.CreateCase(ctx, c, e)
		})
	}
	waitQueued(t, db, n)
	release()
	wg.Wait()

	if !errors.Is(errs[4], errGroupLost) {
		t.Errorf("the write that broke the transaction: err = %v, want it to have lost its group's transaction", errs[4])
	}
	for i := range n {
		if i == 4 {
			continue
		}
		if errs[i] != nil {
			t.Errorf("case %d failed with another write's fault: %v", i, errs[i])
			continue
		}
		if _, err := db.CaseByID(ctx, fmt.Sprintf("c-%02d", i)); err != nil {
			t.Errorf("case %d acknowledged but not stored: %v", i, err)
		}
	}
	var n1999 int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM case_counters WHERE year = 1999`).Scan(&n1999); err != nil || n1999 != 0 {
		t.Errorf("the failed write's row is stored (%d, %v)", n1999, err)
	}
	t.Logf("group sizes %v", groups())
}

// TestGroupCommitCancelledWhileQueued: a caller that gives up before the
// writer takes its write gets an error and nothing is stored; a caller
// whose write was taken is answered with the outcome however its context
// ends meanwhile.
func TestGroupCommitCancelledWhileQueued(t *testing.T) {
	db, _ := openGroupTest(t)
	release := holdWriter(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		c, e := groupCase("c-cancelled")
		done <- db.CreateCase(ctx, c, e)
	}()
	waitQueued(t, db, 1)
	cancel()
	if err := <-done; store.ErrorCode(err) != store.EUNAVAILABLE {
		t.Errorf("cancelled while queued: err = %v, want EUNAVAILABLE", err)
	}
	release()
	if _, err := db.CaseByID(context.Background(), "c-cancelled"); store.ErrorCode(err) != store.ENOTFOUND {
		t.Errorf("a cancelled write was stored: %v", err)
	}

	// Taken, then cancelled while it runs: it commits, and says so.
	ctx, cancel = context.WithCancel(context.Background())
	err := db.inWriteTx(ctx, "taken", func(ctx context.Context, tx *sql.Tx) error {
		cancel()
		_, err := tx.ExecContext(ctx, `INSERT INTO case_counters (year, last_seq) VALUES (2001, 1)`)
		return err
	})
	if err != nil {
		t.Fatalf("a write cancelled after it was taken: %v", err)
	}
	var n int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM case_counters WHERE year = 2001`).Scan(&n); err != nil || n != 1 {
		t.Errorf("acknowledged write not stored (%d, %v)", n, err)
	}
}

// TestGroupCommitAfterClose: writes after Close fail as unavailable and do
// not hang.
func TestGroupCommitAfterClose(t *testing.T) {
	db, _ := openGroupTest(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	c, e := groupCase("c-late")
	if err := db.CreateCase(context.Background(), c, e); store.ErrorCode(err) != store.EUNAVAILABLE {
		t.Errorf("CreateCase after Close: %v, want EUNAVAILABLE", err)
	}
}
