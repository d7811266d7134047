package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"fundwatch/store"
)

// The orders of ListCases. Ties end on seq, which is unique within a
// year, so pages never overlap or skip a case. A NULL due_at is a case
// without a deadline: "due_at IS NULL" sorts those last.
var caseOrders = map[string]string{
	store.SortNewest: "created_at DESC, seq DESC",
	store.SortOldest: "created_at ASC, seq ASC",
	store.SortDue:    "due_at IS NULL, due_at ASC, created_at DESC, seq DESC",
}

// A caseSource is the table a list or count reads matches from: cases
// itself, or case_insurance_types when that table's copies of the case
// columns answer the whole filter (see migration 0002). Both name the
// scope, status and sort columns alike; key is the source's column that
// identifies the case, caseKey the column of cases it equals.
type caseSource struct {
	table, key, caseKey string
}

var (
	fromCases         = caseSource{table: "cases", key: "rowid", caseKey: "rowid"}
	fromInsuranceType = caseSource{table: "case_insurance_types", key: "case_id", caseKey: "id"}
)

// sourceFor picks the source that answers f with the least reading: the
// insurance-type table when f filters by insurance type and otherwise only
// by scope, status and deadline.
func sourceFor(f store.CaseFilter) caseSource {
	if f.InsuranceType != "" && f.Kind == "" && f.Category == "" && f.Channel == "" && f.ImportantClass == "" &&
		f.AssigneeID == "" && !f.Unassigned && f.DiscoveredFrom == "" && f.DiscoveredTo == "" && f.Satisfaction == "" && f.Demo == nil {
		return fromInsuranceType
	}
	return fromCases
}

// caseFilter renders f as a WHERE clause on src (without the keyword; "1"
// for no filter) and its arguments. withStatuses is false for the counts by
// status, which ignore f.Statuses. Every condition is a column compared
// with a bound value, so the indexes of migration 0002 can serve it.
func caseFilter(f store.CaseFilter, src caseSource, withStatuses bool) (string, []any) {
	var conds []string
	var args []any
	in := func(column string, values []string) {
		conds = append(conds, column+" IN ("+placeholders(len(values))+")")
		for _, v := range values {
			args = append(args, v)
		}
	}
	eq := func(column string, value any) {
		conds = append(conds, column+" = ?")
		args = append(args, value)
	}
	if f.InsuranceType != "" {
		if src == fromInsuranceType {
			eq("type", f.InsuranceType)
		} else {
			conds = append(conds, "id IN (SELECT case_id FROM case_insurance_types WHERE type = ?)")
			args = append(args, f.InsuranceType)
		}
	}
	if len(f.RegionCodes) > 0 {
		in("region_code", f.RegionCodes)
	}
	if withStatuses && len(f.Statuses) > 0 {
		in("status", f.Statuses)
	}
	if f.Kind != "" {
		eq("kind", f.Kind)
	}
	if f.Category != "" {
		eq("category", f.Category)
	}
	if f.Channel != "" {
		eq("channel", f.Channel)
	}
	if f.ImportantClass != "" {
		eq("important_class", f.ImportantClass)
	}
	if f.AssigneeID != "" {
		eq("assignee_id", f.AssigneeID)
	}
	if f.Unassigned {
		eq("assignee_id", "")
	}
	if !f.DueBefore.IsZero() {
		// NULL (no deadline) is never less than anything.
		conds = append(conds, "due_at < ?")
		args = append(args, millis(f.DueBefore))
	}
	if f.DiscoveredFrom != "" || f.DiscoveredTo != "" {
		// A range, not "<> ''", so the index can seek to it.
		conds = append(conds, "discovered_on > ''")
	}
	if f.DiscoveredFrom != "" {
		conds = append(conds, "discovered_on >= ?")
		args = append(args, f.DiscoveredFrom)
	}
	if f.DiscoveredTo != "" {
		conds = append(conds, "discovered_on <= ?")
		args = append(args, f.DiscoveredTo)
	}
	if f.Satisfaction != "" {
		eq("satisfaction", f.Satisfaction)
	}
	if f.Demo != nil {
		eq("demo", *f.Demo)
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

// listQueries are the two statements of one ListCases call: the count of
// all matches and the page. The page is picked by key in a subquery that
// the inbox indexes answer from index entries alone, so only the page's
// own rows (with their long descriptions) are read from cases, never those
// of every match that had to be sorted.
func listQueries(f store.CaseFilter) (count, page string, countArgs, pageArgs []any) {
	src := sourceFor(f)
	where, args := caseFilter(f, src, true)
	order, ok := caseOrders[f.Sort]
	if !ok {
		order = caseOrders[store.SortNewest]
	}
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	count = `SELECT COUNT(*) FROM ` + src.table + ` WHERE ` + where
	page = `SELECT ` + caseColumns + ` FROM cases WHERE ` + src.caseKey + ` IN (
		SELECT ` + src.key + ` FROM ` + src.table + ` WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?)
		ORDER BY ` + order
	return count, page, args, append(slices.Clone(args), limit, offset)
}

// ListCases returns one page of matching cases in the filter's order and
// the number of matches in all; both come from one snapshot.
func (db *DB) ListCases(ctx context.Context, f store.CaseFilter) ([]*store.Case, int, error) {
	count, page, countArgs, pageArgs := listQueries(f)
	var total int
	cases := []*store.Case{}
	err := db.inReadTx(ctx, "list cases", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, count, countArgs...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, page, pageArgs...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				return err
			}
			cases = append(cases, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, err
	}
	return cases, total, nil
}

// countByStatusQuery is the statement of CountCasesByStatus.
func countByStatusQuery(f store.CaseFilter) (string, []any) {
	src := sourceFor(f)
	where, args := caseFilter(f, src, false)
	return `SELECT status, COUNT(*) FROM ` + src.table + ` WHERE ` + where + ` GROUP BY status`, args
}

// CountCasesByStatus counts the cases matching f per status, ignoring
// f.Statuses and paging.
func (db *DB) CountCasesByStatus(ctx context.Context, f store.CaseFilter) (map[string]int, error) {
	query, args := countByStatusQuery(f)
	counts := map[string]int{}
	err := db.inReadTx(ctx, "count cases by status", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var status string
			var n int
			if err := rows.Scan(&status, &n); err != nil {
				return err
			}
			counts[status] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}
