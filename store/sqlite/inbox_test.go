package sqlite

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fundwatch/store"
)

// inboxScope is an 80-code region scope, the size of a city's tree: the
// scope a provincial or city user passes to every inbox query.
func inboxScope() []string {
	codes := make([]string, 0, 80)
	for i := range 80 {
		codes = append(codes, fmt.Sprintf("22%02d%02d", 1+i/10, i%10))
	}
	return codes
}

// inboxFilters are the inbox's filters, one at a time, as the admin pages
// send them: each with the region scope.
func inboxFilters() []struct {
	name   string
	column string // the column whose index must serve the filter
	filter store.CaseFilter
} {
	scope := inboxScope()
	no := false
	return []struct {
		name   string
		column string
		filter store.CaseFilter
	}{
		{"scope only", "region_code", store.CaseFilter{RegionCodes: scope}},
		{"statuses", "status", store.CaseFilter{RegionCodes: scope, Statuses: []string{store.StatusReceived, store.StatusTransferred}}},
		{"kind", "kind", store.CaseFilter{RegionCodes: scope, Kind: store.KindComplaint}},
		{"category", "category", store.CaseFilter{RegionCodes: scope, Category: "embezzlement"}},
		{"insurance type", "type", store.CaseFilter{RegionCodes: scope, InsuranceType: "medical"}},
		{"channel", "channel", store.CaseFilter{RegionCodes: scope, Channel: store.ChannelLabourInspection}},
		{"important class", "important_class", store.CaseFilter{RegionCodes: scope, ImportantClass: store.ClassMajor}},
		{"assignee", "assignee_id", store.CaseFilter{RegionCodes: scope, AssigneeID: "user-7"}},
		{"unassigned", "assignee_id", store.CaseFilter{RegionCodes: scope, Unassigned: true}},
		{"due before", "due_at", store.CaseFilter{RegionCodes: scope, DueBefore: benchBase.Add(30 * 24 * time.Hour)}},
		{"discovered", "discovered_on", store.CaseFilter{RegionCodes: scope, DiscoveredFrom: "2026-01-01", DiscoveredTo: "2026-03-31"}},
		{"demo", "demo", store.CaseFilter{RegionCodes: scope, Demo: &no}},
	}
}

var benchBase = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// fillCases inserts n generated cases in one transaction, straight into the
// tables (CreateCase one by one would take minutes): regions from the
// 80-code scope plus a few outside it, every status, and the handling
// fields spread so that each filter selects a fraction.
func fillCases(tb testing.TB, db *DB, n int) {
	tb.Helper()
	ctx := tb.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	scope := inboxScope()
	statuses := []string{store.StatusReceived, store.StatusAccepted, store.StatusRejected, store.StatusTransferred,
		store.StatusInvestigating, store.StatusConcluded, store.StatusClosed}
	categories := []string{"unpaid_contributions", "fraudulent_claims", "embezzlement", "misappropriation",
		"improper_storage", "agency_misconduct", "other"}
	types := []string{"pension", "resident_pension", "medical", "unemployment", "work_injury", "maternity", "annuity", "other"}
	channels := []string{store.ChannelFundSupervision, store.ChannelMedicalSecurity, store.ChannelLabourInspection}
	classes := []string{store.ClassNone, store.ClassNone, store.ClassNone, store.ClassNone, store.ClassImportant, store.ClassMajor}
	description := strings.Repeat("用人单位少报缴费基数，涉及多名职工。", 20)

	// A page cache that holds every index being filled, so the one
	// transaction does not spill to the file half-way (the pragma stays on
	// the writer connection of this test's database only).
	if _, err := db.write.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
		tb.Fatal(err)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	insertCase, err := tx.PrepareContext(ctx, `INSERT INTO cases (`+caseColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, '某某公司', '', '', '', 0, 0, '', ?, ?, ?, '', NULL, NULL, ?, '', ?, ?, ?, 1, 0,
			?, ?, ?, 0, 0, ?, '', 0, 0, 0, '', '', '', '', '', '', '', '', '', '', '', NULL)`)
	if err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		id := fmt.Sprintf("case-%06d", i)
		created := benchBase.Add(time.Duration(i) * 7 * time.Minute)
		year := created.In(store.CST).Year()
		region := scope[rng.IntN(len(scope))]
		if rng.IntN(10) == 0 {
			region = fmt.Sprintf("2299%02d", rng.IntN(20)) // outside the scope
		}
		status := statuses[rng.IntN(len(statuses))]
		var due any
		if status == store.StatusReceived || status == store.StatusTransferred || status == store.StatusInvestigating {
			due = created.Add(time.Duration(5+rng.IntN(60)) * 24 * time.Hour).UnixMilli()
		}
		assignee := ""
		if rng.IntN(3) > 0 {
			assignee = fmt.Sprintf("user-%d", rng.IntN(40))
		}
		class := classes[rng.IntN(len(classes))]
		discovered := ""
		if class != store.ClassNone {
			discovered = created.In(store.CST).Format(time.DateOnly)
		}
		kind := store.KindReport
		if rng.IntN(4) == 0 {
			kind = store.KindComplaint
		}
		caseTypes := []string{types[rng.IntN(len(types))]}
		if rng.IntN(3) == 0 {
			caseTypes = append(caseTypes, types[rng.IntN(len(types))])
		}
		encoded, err := encodeTypes(caseTypes)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := insertCase.ExecContext(ctx, id, formatNumber(year, int64(i+1)), year, int64(i+1), kind,
			store.ReporterCitizen, categories[rng.IntN(len(categories))], encoded, region, description,
			channels[rng.IntN(len(channels))], status, "idem-"+id, rng.IntN(20) == 0, created.UnixMilli(),
			created.UnixMilli(), assignee, due, class, discovered); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// queryPlan returns the lines of EXPLAIN QUERY PLAN for query.
func queryPlan(t *testing.T, db *sql.DB, query string, args []any) []string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN: %v\n%s", err, query)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestInboxQueryPlans checks that SQLite answers every inbox query through
// the indexes of migration 0002: for each filter with an 80-code region
// scope and each sort, the count, the page and the counts by status must
// seek (SEARCH) a covering index whose constraint names the filter's
// column, and must never scan cases or case_insurance_types whole. The
// planner works without statistics here, as it does in production, where
// nothing runs ANALYZE.
func TestInboxQueryPlans(t *testing.T) {
	db := openTemp(t)
	type query struct {
		name  string
		sql   string
		args  []any
		sorts bool // whether the sort order matters to the plan
	}
	for _, f := range inboxFilters() {
		for _, sort := range []string{store.SortNewest, store.SortOldest, store.SortDue} {
			filter := f.filter
			filter.Sort = sort
			count, page, countArgs, pageArgs := listQueries(filter)
			byStatus, byStatusArgs := countByStatusQuery(filter)
			queries := []query{{"page", page, pageArgs, true}}
			if sort == store.SortNewest {
				queries = append(queries, query{"count", count, countArgs, false},
					query{"counts by status", byStatus, byStatusArgs, false})
			}
			for _, q := range queries {
				name := f.name + "/" + q.name
				if q.sorts {
					name += "/" + cmpOr(sort, "newest")
				}
				column := f.column
				if q.name == "counts by status" && column == "status" {
					column = "region_code" // the counts ignore Statuses
				}
				t.Run(name, func(t *testing.T) {
					plan := queryPlan(t, db.read, q.sql, q.args)
					if problem := planProblem(plan, column); problem != "" {
						t.Errorf("%s\nplan:\n\t%s\nquery: %s", problem, strings.Join(plan, "\n\t"), q.sql)
					}
				})
			}
		}
	}
}

// planProblem says what is wrong with plan for a filter on column, or "".
func planProblem(plan []string, column string) string {
	served := false
	for _, line := range plan {
		if strings.HasPrefix(line, "SCAN cases") || strings.HasPrefix(line, "SCAN case_insurance_types") {
			return "a full scan: " + line
		}
		// e.g. SEARCH cases USING COVERING INDEX cases_kind (kind=? AND region_code=?)
		_, constraint, ok := strings.Cut(line, " (")
		if strings.HasPrefix(line, "SEARCH ") && strings.Contains(line, "USING COVERING INDEX") && ok &&
			(strings.Contains(constraint, column+"=") || strings.Contains(constraint, column+">") ||
				strings.Contains(constraint, column+"<")) {
			served = true
		}
	}
	if !served {
		return "no covering index search on " + column
	}
	return ""
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// BenchmarkListCases100k measures the admin inbox on 100,000 cases: the
// first page (ListCases, count included) for each filter with an 80-code
// region scope, in each sort order, and CountCasesByStatus for each filter.
//
//	go test -run '^$' -bench ListCases100k -benchtime 20x ./store/sqlite/
func BenchmarkListCases100k(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "fundwatch.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	fillCases(b, db, 100_000)

	for _, f := range inboxFilters() {
		for _, sort := range []string{store.SortNewest, store.SortOldest, store.SortDue} {
			filter := f.filter
			filter.Sort = sort
			b.Run("page/"+strings.ReplaceAll(f.name, " ", "_")+"/"+cmpOr(sort, "newest"), func(b *testing.B) {
				var total int
				for b.Loop() {
					page, n, err := db.ListCases(b.Context(), filter)
					if err != nil || len(page) == 0 {
						b.Fatalf("ListCases: %d cases, %v", len(page), err)
					}
					total = n
				}
				b.ReportMetric(float64(total), "matches")
			})
		}
	}
	// The province sees the whole tree, which the admin site passes as no
	// region filter at all.
	for _, f := range []store.CaseFilter{{}, {Statuses: []string{store.StatusReceived}, Sort: store.SortDue}} {
		name := "province"
		if len(f.Statuses) > 0 {
			name += "_received_due"
		}
		b.Run("page/"+name, func(b *testing.B) {
			for b.Loop() {
				if page, _, err := db.ListCases(b.Context(), f); err != nil || len(page) == 0 {
					b.Fatalf("ListCases: %d cases, %v", len(page), err)
				}
			}
		})
		b.Run("count_by_status/"+name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.CountCasesByStatus(b.Context(), f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, f := range inboxFilters() {
		b.Run("count_by_status/"+strings.ReplaceAll(f.name, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				if _, err := db.CountCasesByStatus(b.Context(), f.filter); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
