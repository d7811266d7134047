package mongo

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"fundwatch/store"
)

// statsDoc is what CaseStatistics reads of a case.
type statsDoc struct {
	CreatedAt  time.Time `bson:"created_at"`
	RegionCode string    `bson:"region_code"`
	Demo       bool      `bson:"demo"`
	Status     string    `bson:"status"`
	Result     string    `bson:"result"`
	Conclusion struct {
		AmountRecoveredFen int64 `bson:"amount_recovered_fen"`
	} `bson:"conclusion"`
}

// CaseStatistics counts the cases per year, region and demo flag. It reads
// six fields of every case with one projected find and counts in Go rather
// than with $group: the year is a calendar year in China Standard Time,
// which a pipeline would compute with date operators and a timezone, beyond
// the aggregation subset of FerretDB v1 ($group with $sum and $count, and
// $sum of a field returned 0 in a test here). The handlers cache the result
// for a minute, so the scan runs at most that often.
func (db *DB) CaseStatistics(ctx context.Context) ([]store.CaseStatsRow, error) {
	projection := bson.D{
		{Key: fieldCreatedAt, Value: 1}, {Key: fieldRegionCode, Value: 1}, {Key: fieldDemo, Value: 1},
		{Key: fieldStatus, Value: 1}, {Key: fieldResult, Value: 1},
		{Key: fieldConclusion + ".amount_recovered_fen", Value: 1},
	}
	cur, err := db.cases.Find(ctx, bson.D{}, options.Find().SetProjection(projection))
	if err != nil {
		return nil, translate("case statistics", err)
	}
	defer cur.Close(ctx)
	type key struct {
		year   int
		region string
		demo   bool
	}
	groups := map[key]*store.CaseStatsRow{}
	for cur.Next(ctx) {
		var d statsDoc
		if err := cur.Decode(&d); err != nil {
			return nil, translate("decode case statistics", err)
		}
		k := key{d.CreatedAt.In(store.CST).Year(), d.RegionCode, d.Demo}
		r := groups[k]
		if r == nil {
			r = &store.CaseStatsRow{Year: k.year, RegionCode: k.region, Demo: k.demo}
			groups[k] = r
		}
		r.Received++
		if store.StatsAccepted(d.Status) {
			r.Accepted++
		}
		if store.StatsConcluded(d.Status, d.Result) {
			r.Concluded++
			if d.Conclusion.AmountRecoveredFen > 0 {
				r.RecoveredFen += d.Conclusion.AmountRecoveredFen
				r.RecoveredCases++
			}
		}
	}
	if err := cur.Err(); err != nil {
		return nil, translate("case statistics", err)
	}
	out := make([]store.CaseStatsRow, 0, len(groups))
	for _, r := range groups {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b store.CaseStatsRow) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), strings.Compare(a.RegionCode, b.RegionCode), cmpBool(a.Demo, b.Demo))
	})
	return out, nil
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
