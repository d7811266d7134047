package mongo_test

import (
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"fundwatch/store"
)

// TestAuditTampering edits the audit collection behind the store's back, the
// way someone with access to the database could, and checks that walking
// the chain with store.VerifyAuditChain (what `fundwatch audit verify` does)
// names the first entry that no longer fits.
func TestAuditTampering(t *testing.T) {
	const n = 6
	set := func(field string, value any) bson.D {
		return bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: value}}}}
	}
	seq := func(s int64) bson.D { return bson.D{{Key: "_id", Value: s}} }
	tests := []struct {
		name            string
		tamper          func(t *testing.T, audit *mongo.Collection, entries []store.AuditEntry)
		checked, broken int64
	}{
		{"an edited detail breaks that entry's hash", func(t *testing.T, audit *mongo.Collection, _ []store.AuditEntry) {
			rawUpdateOne(t, audit, seq(3), set("detail", "无异常"))
		}, 2, 3},
		{"an edited time breaks that entry's hash", func(t *testing.T, audit *mongo.Collection, es []store.AuditEntry) {
			rawUpdateOne(t, audit, seq(5), set("at", es[4].At.Add(time.Millisecond)))
		}, 4, 5},
		{"an edit with its hash recomputed breaks the next entry's link", func(t *testing.T, audit *mongo.Collection, es []store.AuditEntry) {
			e := es[2]
			e.Detail = "无异常"
			rawUpdateOne(t, audit, seq(3), bson.D{{Key: "$set", Value: bson.D{
				{Key: "detail", Value: e.Detail}, {Key: "hash", Value: store.AuditHash(e)},
			}}})
		}, 3, 4},
		{"a removed entry breaks the sequence", func(t *testing.T, audit *mongo.Collection, _ []store.AuditEntry) {
			rawDeleteOne(t, audit, seq(3))
		}, 2, 4},
		// The chain alone cannot show this; comparing the last hash with
		// one kept elsewhere can. The test documents the limit.
		{"removing the last entry leaves a shorter intact chain", func(t *testing.T, audit *mongo.Collection, _ []store.AuditEntry) {
			rawDeleteOne(t, audit, seq(n))
		}, n - 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, uri, name := fresh(t)
			for i := range n {
				e := store.AuditEntry{
					At: time.Date(2026, 5, 1, 9, i, 0, 0, time.UTC), ActorID: "user-1", ActorName: "zhang.san",
					Action: "case.accept", TargetType: "case", TargetID: fmt.Sprintf("case-%d", i),
					RegionCode: "220102", Detail: fmt.Sprintf("受理第 %d 件", i), IP: "192.0.2.1",
				}
				if err := db.AppendAudit(t.Context(), &e); err != nil {
					t.Fatalf("AppendAudit: %v", err)
				}
			}
			if checked, firstBad, err := store.VerifyAuditChain(t.Context(), db, 2); err != nil || checked != n || firstBad != 0 {
				t.Fatalf("before tampering: VerifyAuditChain = %d, %d, %v; want %d, 0, nil", checked, firstBad, err, n)
			}
			entries, err := db.AuditEntries(t.Context(), 0, n)
			if err != nil {
				t.Fatalf("AuditEntries: %v", err)
			}

			tc.tamper(t, raw(t, uri, name).Collection("audit"), entries)

			checked, firstBad, err := store.VerifyAuditChain(t.Context(), db, 2)
			if err != nil {
				t.Fatalf("VerifyAuditChain: %v", err)
			}
			if checked != tc.checked || firstBad != tc.broken {
				t.Errorf("VerifyAuditChain = checked %d, first bad %d; want %d, %d", checked, firstBad, tc.checked, tc.broken)
			}
		})
	}
}

func rawUpdateOne(t *testing.T, coll *mongo.Collection, filter, update bson.D) {
	t.Helper()
	res, err := coll.UpdateOne(t.Context(), filter, update)
	if err != nil || res.ModifiedCount != 1 {
		t.Fatalf("UpdateOne(%v): %+v, %v; want one document changed", filter, res, err)
	}
}

func rawDeleteOne(t *testing.T, coll *mongo.Collection, filter bson.D) {
	t.Helper()
	res, err := coll.DeleteOne(t.Context(), filter)
	if err != nil || res.DeletedCount != 1 {
		t.Fatalf("DeleteOne(%v): %+v, %v; want one document removed", filter, res, err)
	}
}
