package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
)

// Group commit.
//
// With synchronous=FULL every commit waits for an fsync of the WAL, and the
// disk allows a few thousand of those a second. Writes that arrive while one
// commit is waiting for its fsync would otherwise each wait for their own.
// The writer goroutine below takes whatever writes are waiting when it is
// free, runs each in a savepoint of one shared transaction and commits them
// with one fsync. Nothing waits to fill a group: a write that arrives when
// the writer is idle is committed alone and at once, so groups form only
// under load, of the writes that would have queued anyway.
//
// The contract of inWriteTx stays that of one transaction per call:
//   - a caller learns its outcome only after the COMMIT (and so the fsync)
//     that covers its write, and an error means its write is not stored;
//   - a write that fails rolls back to its savepoint and fails alone; the
//     others of its group commit;
//   - should the shared transaction itself be lost before COMMIT (SQLite
//     rolls a whole transaction back on SQLITE_FULL or an I/O error, for
//     instance), the writes of the group that had not failed are run again,
//     each in a transaction of its own, so one write's fault never fails
//     another's;
//   - if COMMIT fails, no write of the group is stored and all of them get
//     the error, as one caller would have.

// maxGroup bounds a group: a long queue is committed in several fsyncs
// rather than in one transaction that holds every caller until its end.
const maxGroup = 128

// writeRequest is one inWriteTx call waiting for the writer.
type writeRequest struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *sql.Tx) error
	done chan error // buffered: the writer never blocks on an answer
}

// writer runs the write transactions of a DB on its single connection.
type writer struct {
	db       *sql.DB
	hot      prepared           // the savepoint statements
	requests chan *writeRequest // unbuffered: a request is either taken or its caller still waits
	quit     chan struct{}
	stopped  sync.WaitGroup
	stopOnce sync.Once
	observe  atomic.Pointer[func(size int)]
	waiting  atomic.Int64 // calls not yet taken into a group
}

func newWriter(db *sql.DB, hot prepared) *writer {
	w := &writer{db: db, hot: hot, requests: make(chan *writeRequest), quit: make(chan struct{})}
	w.stopped.Add(1)
	go w.run()
	return w
}

// stop ends the writer after the group in progress; calls after that fail
// as writes to a closed database.
func (w *writer) stop() {
	w.stopOnce.Do(func() { close(w.quit) })
	w.stopped.Wait()
}

// ObserveCommits has fn called with the number of writes after every
// successful commit of the write transactions (1 for a write committed
// alone), e.g. to feed a histogram of group sizes. fn runs on the writer
// and must be quick.
func (db *DB) ObserveCommits(fn func(size int)) {
	if fn == nil {
		db.writer.observe.Store(nil)
		return
	}
	db.writer.observe.Store(&fn)
}

// WritesWaiting is the number of writes queued for the writer and not yet
// taken into a group: the store's backlog of the moment.
func (db *DB) WritesWaiting() int { return int(db.writer.waiting.Load()) }

// inWriteTx runs fn in a transaction on the writer and returns once that
// transaction is committed (fn's work is durable) or has failed (none of
// it is stored). fn may share its transaction with other calls (see the
// comment at the top of this file), so it must do all its work through tx
// and ctx, the context it is given: that context keeps the caller's values
// but not its cancellation, because interrupting one statement would make
// SQLite roll back the whole shared transaction. A caller cancelled before
// the writer takes its call gets an error and nothing is written. Errors
// come back translated.
func (db *DB) inWriteTx(ctx context.Context, op string, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return translate(op, db.write1(ctx, fn))
}

// exec runs one statement as a write of its own through the writer (see
// inWriteTx), so that it too shares a group's fsync. Its error comes back
// as the driver gave it, for the caller to translate.
func (db *DB) exec(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	err = db.write1(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// write1 hands one write to the writer and waits for its outcome; the
// error is not translated.
func (db *DB) write1(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &writeRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	if err := db.writer.enqueue(ctx, r); err != nil {
		return err
	}
	// Once taken, the request is answered within one group's time, and
	// its answer says whether it was stored, so it is always awaited.
	return <-r.done
}

// enqueue waits until the writer takes r, ctx ends or the writer stops.
func (w *writer) enqueue(ctx context.Context, r *writeRequest) error {
	w.waiting.Add(1)
	defer w.waiting.Add(-1)
	select {
	case w.requests <- r:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-w.quit:
		return sql.ErrConnDone
	}
}

func (w *writer) run() {
	defer w.stopped.Done()
	group := make([]*writeRequest, 0, maxGroup)
	for {
		select {
		case <-w.quit:
			return
		case r := <-w.requests:
			group = append(group[:0], r)
		}
	gather:
		for len(group) < maxGroup {
			select {
			case r := <-w.requests:
				group = append(group, r)
			default:
				break gather
			}
		}
		w.commit(group)
		clear(group)
	}
}

// commit runs a group and answers every request in it.
func (w *writer) commit(group []*writeRequest) {
	live := group[:0:0]
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	switch len(live) {
	case 0:
		return
	case 1:
		err := w.solo(live[0])
		live[0].done <- err
		if err == nil {
			w.observed(1)
		}
		return
	}
	tx, err := w.db.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range live {
			r.done <- err
		}
		return
	}
	ok := live[:0:0]
	for i, r := range live {
		ferr, intact := w.runInSavepoint(tx, r)
		if !intact {
			// The shared transaction is gone: what ran in it is not
			// stored. The request that broke it has its answer; the
			// others run again on their own.
			_ = tx.Rollback()
			r.done <- errors.Join(ferr, errGroupLost)
			for _, o := range append(ok, live[i+1:]...) {
				err := w.solo(o)
				o.done <- err
				if err == nil {
					w.observed(1)
				}
			}
			return
		}
		if ferr != nil {
			r.done <- ferr
			continue
		}
		ok = append(ok, r)
	}
	err = tx.Commit()
	for _, r := range ok {
		r.done <- err
	}
	if err == nil {
		w.observed(len(ok))
	}
}

// errGroupLost marks a write whose failure also lost the transaction it
// shared with others (SQLite rolled it back whole).
var errGroupLost = errors.New("the shared write transaction was rolled back")

// runInSavepoint runs r's function inside a savepoint of tx. ferr is the
// function's error (its work is undone); intact is false when tx itself no
// longer stands, which SQLite reports as a savepoint that no longer exists.
func (w *writer) runInSavepoint(tx *sql.Tx, r *writeRequest) (ferr error, intact bool) {
	ctx := context.WithoutCancel(r.ctx)
	if _, err := w.hot.exec(ctx, tx, savepointSQL); err != nil {
		return err, false
	}
	if ferr = r.fn(ctx, tx); ferr != nil {
		if _, err := w.hot.exec(ctx, tx, rollbackToSavepointSQL); err != nil {
			return ferr, false
		}
	}
	if _, err := w.hot.exec(ctx, tx, releaseSavepointSQL); err != nil {
		return ferr, false
	}
	return ferr, true
}

// The savepoint of each write in a group (prepared on open).
const (
	savepointSQL           = `SAVEPOINT grp`
	rollbackToSavepointSQL = `ROLLBACK TO grp`
	releaseSavepointSQL    = `RELEASE grp`
)

// solo runs r in a transaction of its own.
func (w *writer) solo(r *writeRequest) error {
	ctx := context.WithoutCancel(r.ctx)
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := r.fn(ctx, tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (w *writer) observed(size int) {
	if fn := w.observe.Load(); fn != nil {
		(*fn)(size)
	}
}
