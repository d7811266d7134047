package mongo_test

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"fundwatch/store"
)

// TestCaseHandlingMigration checks step 4 on a case stored before it: the
// document has none of the handling fields and its events no action, as
// the program before case handling wrote them. After the step the case
// reads as unhandled, its events as status changes shown to the reporter,
// and the inbox filters on the new fields find it.
func TestCaseHandlingMigration(t *testing.T) {
	_, uri, name := fresh(t)
	r := raw(t, uri, name)
	at := base.Add(-24 * time.Hour)
	legacy := bson.D{
		{Key: "_id", Value: "case-legacy"}, {Key: "number", Value: "2026-000009"}, {Key: "year", Value: 2026},
		{Key: "seq", Value: int64(9)}, {Key: "kind", Value: store.KindReport}, {Key: "reporter_type", Value: store.ReporterCitizen},
		{Key: "anonymous", Value: false}, {Key: "category", Value: "embezzlement"},
		{Key: "insurance_types", Value: bson.A{"pension", "medical"}}, {Key: "region_code", Value: "220102"},
		{Key: "subject", Value: bson.D{{Key: "name", Value: "某公司"}, {Key: "credit_code", Value: ""},
			{Key: "id_number", Value: ""}, {Key: "address", Value: ""}}},
		{Key: "amount_fen", Value: int64(0)}, {Key: "amount_given", Value: false}, {Key: "occurred_on", Value: ""},
		{Key: "description", Value: "旧案件"}, {Key: "channel", Value: store.ChannelFundSupervision},
		{Key: "status", Value: store.StatusAccepted}, {Key: "result", Value: ""}, {Key: "reporter_sealed", Value: nil},
		{Key: "access_code_hash", Value: nil}, {Key: "idempotency_key", Value: "idem-legacy"},
		{Key: "submission_hash", Value: ""}, {Key: "demo", Value: false}, {Key: "created_at", Value: at},
		{Key: "updated_at", Value: at}, {Key: "version", Value: int64(2)}, {Key: "indexed_version", Value: int64(0)},
		{Key: "events", Value: bson.A{
			bson.D{{Key: "id", Value: "ev-l1"}, {Key: "at", Value: at}, {Key: "from_status", Value: ""},
				{Key: "to_status", Value: store.StatusReceived}, {Key: "result", Value: ""}, {Key: "note", Value: "已收到"},
				{Key: "actor", Value: "system"}},
			bson.D{{Key: "id", Value: "ev-l2"}, {Key: "at", Value: at.Add(time.Hour)}, {Key: "from_status", Value: store.StatusReceived},
				{Key: "to_status", Value: store.StatusAccepted}, {Key: "result", Value: ""}, {Key: "note", Value: "已受理"},
				{Key: "actor", Value: "user-1"}},
		}},
		{Key: "messages", Value: bson.A{}},
	}
	if _, err := r.Collection("cases").InsertOne(t.Context(), legacy); err != nil {
		t.Fatal(err)
	}
	// Forget step 4 and reopen, as a database from before it is opened.
	if _, err := r.Collection("migrations").DeleteOne(t.Context(), bson.D{{Key: "_id", Value: 4}}); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, uri, name)

	c, err := db.CaseByID(t.Context(), "case-legacy")
	if err != nil {
		t.Fatalf("CaseByID: %v", err)
	}
	if c.AssigneeID != "" || !c.DueAt.IsZero() || c.ImportantClass != store.ClassNone || c.National ||
		c.SeriousImpact || c.DiscoveredOn != "" || c.InvestigationMode != "" || c.ExtensionDays != 0 ||
		c.Conclusion != (store.Conclusion{}) {
		t.Errorf("legacy case reads with handling %+v, want none", c)
	}
	evs, err := db.CaseEvents(t.Context(), c.ID)
	if err != nil || len(evs) != 2 {
		t.Fatalf("CaseEvents = %v, %v", evs, err)
	}
	for _, e := range evs {
		if e.Action != store.ActionStatus || e.Internal {
			t.Errorf("legacy event %s: Action %q Internal %v, want status, shown", e.ID, e.Action, e.Internal)
		}
	}
	for _, f := range []store.CaseFilter{
		{ImportantClass: store.ClassNone, Unassigned: true},
		{InsuranceType: "medical", RegionCodes: []string{"220102"}},
		{Sort: store.SortDue, Statuses: []string{store.StatusAccepted}},
	} {
		got, total, err := db.ListCases(t.Context(), f)
		if err != nil || total != 1 || len(got) != 1 {
			t.Errorf("ListCases(%+v) = %d of %d, %v; want the legacy case", f, len(got), total, err)
		}
	}
	u := store.CaseUpdate{CaseID: c.ID, ExpectStatus: c.Status, ExpectVersion: c.Version,
		Event: store.Event{ID: "ev-l3", At: at.Add(2 * time.Hour), FromStatus: c.Status,
			ToStatus: store.StatusInvestigating, Actor: "user-2"},
		Set: store.CaseChanges{AssigneeID: new(string)}}
	*u.Set.AssigneeID = "user-2"
	got, err := db.UpdateCase(t.Context(), u)
	if err != nil || got.AssigneeID != "user-2" || got.Version != 3 {
		t.Errorf("UpdateCase = %+v, %v", got, err)
	}
	// A replay of the first legacy event's ID is refused like any other.
	u.ExpectStatus, u.Event.FromStatus, u.ExpectVersion, u.Event.ID = got.Status, got.Status, got.Version, "ev-l1"
	_, err = db.UpdateCase(t.Context(), u)
	wantCode(t, "UpdateCase reusing a legacy event ID", err, store.ECONFLICT)
}
