package sqlite

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkCreateCaseParallel files cases from GOMAXPROCS×16 callers at
// once, straight into the store: the writer's work per case (its share of
// a group's transaction and fsync) without HTTP, validation or sealing.
// writes/commit tells how large the groups were. Run it with
//
//	go test -run '^$' -bench CreateCaseParallel -cpuprofile cpu.out ./store/sqlite/
func BenchmarkCreateCaseParallel(b *testing.B) {
	db, _ := openGroupTest(b)
	var commits, writes, seq atomic.Int64
	db.ObserveCommits(func(size int) { commits.Add(1); writes.Add(int64(size)) })
	ctx := context.Background()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c, e := groupCase(fmt.Sprintf("bench-%d", seq.Add(1)))
			if err := db.CreateCase(ctx, c, e); err != nil {
				b.Fatal(err)
			}
		}
	})
	if n := commits.Load(); n > 0 {
		b.ReportMetric(float64(writes.Load())/float64(n), "writes/commit")
	}
}
