package sqlite

import (
	"context"
	"database/sql"

	"fundwatch/store"
)

// caseStatisticsQuery groups every case by its year in China Standard Time
// (created_at is UTC milliseconds; 28800 s is UTC+8), region and demo flag.
// The conditions mirror store.StatsAccepted and store.StatsConcluded.
//
// It reads the whole table once: no index holds status, result and the
// recovered amount together, and none is added for it, because the public
// statistics run it at most once a minute (handlers cache the result) while
// an index would cost every write of a case. EXPLAIN QUERY PLAN: SCAN
// cases, USE TEMP B-TREE FOR GROUP BY.
const caseStatisticsQuery = `
SELECT year, region_code, demo,
	COUNT(*),
	COALESCE(SUM(status IN ('accepted', 'investigating', 'concluded', 'closed')), 0),
	COALESCE(SUM(concluded), 0),
	COALESCE(SUM(CASE WHEN concluded AND recovered > 0 THEN recovered ELSE 0 END), 0),
	COALESCE(SUM(concluded AND recovered > 0), 0)
FROM (
	SELECT CAST(strftime('%Y', created_at / 1000 + 28800, 'unixepoch') AS INTEGER) AS year,
		region_code, demo, status,
		(status = 'concluded' OR (status = 'closed' AND result <> '')) AS concluded,
		conclusion_amount_recovered_fen AS recovered
	FROM cases
)
GROUP BY year, region_code, demo
ORDER BY year, region_code, demo`

// CaseStatistics counts the cases per year, region and demo flag in one
// read snapshot.
func (db *DB) CaseStatistics(ctx context.Context) ([]store.CaseStatsRow, error) {
	out := []store.CaseStatsRow{}
	err := db.inReadTx(ctx, "case statistics", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, caseStatisticsQuery)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r store.CaseStatsRow
			if err := rows.Scan(&r.Year, &r.RegionCode, &r.Demo, &r.Received, &r.Accepted, &r.Concluded,
				&r.RecoveredFen, &r.RecoveredCases); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
