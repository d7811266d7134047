package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// prepared are the statements of the busiest write paths (filing a case,
// the writer's savepoints), prepared once on the writer's connection when
// the store opens. Preparing (parsing SQLite's SQL and planning it) took a
// third of the writer's time per case in BenchmarkCreateCaseParallel, and
// the writer is the one goroutine every write passes through.
type prepared map[string]*sql.Stmt

// hotStatements are the statements prepared on open.
var hotStatements = []string{
	nextSeqSQL, insertCaseSQL, insertEventSQL, insertFileSQL,
	savepointSQL, rollbackToSavepointSQL, releaseSavepointSQL,
}

// readStatements are prepared on the reader pool on open: the reads every
// follow-up and case page runs (a case by its number, its events, messages
// and files). SQLite parsed and planned them anew each time, a third of a
// follow-up request's CPU in its profile under load. database/sql prepares
// such a statement on each connection of the pool the first time that
// connection runs it — in a transaction, on the transaction's own
// connection — so no read ever waits for a second connection. (A cache
// that prepared on first use through the pool did: under 32 clients every
// reader connection was held by a transaction waiting to prepare, and
// follow-ups hung.)
var readStatements = []string{
	caseByIDSQL, caseByNumberSQL, caseByIdempotencyKeySQL, caseExistsSQL,
	caseEventsSQL, caseMessagesSQL, caseFilesSQL,
}

// prepare prepares queries on db. It must run while no transaction holds
// the writer's only connection.
func prepare(ctx context.Context, db *sql.DB, queries ...string) (prepared, error) {
	p := make(prepared, len(queries))
	for _, q := range queries {
		s, err := db.PrepareContext(ctx, q)
		if err != nil {
			_ = p.close()
			return nil, translate("prepare", err)
		}
		p[q] = s
	}
	return p, nil
}

// exec runs query in tx, as its prepared statement when it is one.
func (p prepared) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if s, ok := p[query]; ok {
		return tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// query runs query in tx, as its prepared statement when it is one.
func (p prepared) query(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if s, ok := p[query]; ok {
		return tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, query, args...)
}

// queryRow runs query in tx, as its prepared statement when it is one.
func (p prepared) queryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if s, ok := p[query]; ok {
		return tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

func (p prepared) close() error {
	var errs []error
	for _, s := range p {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
