package mongo_test

import (
	"testing"

	"fundwatch/store/mongo/mongotest"
)

// TestAccountsMigration checks that step 5 creates the accounts and audit
// collections with their indexes, once, however often the database is
// opened.
func TestAccountsMigration(t *testing.T) {
	uri, name := mongotest.URI(t), mongotest.DatabaseName(t)
	for range 3 {
		openDB(t, uri, name)
	}
	r := raw(t, uri, name)
	want := map[string][]string{
		"users":          {"username_unique", "region_code_username", "role_username"},
		"sessions":       {"user_id", "expires_at", "last_seen_at"},
		"login_throttle": {},
		"audit":          {"region_code_seq", "actor_id_seq", "action_seq", "target_id_seq", "at"},
	}
	for coll, indexes := range want {
		specs, err := r.Collection(coll).Indexes().ListSpecifications(t.Context())
		if err != nil {
			t.Fatalf("list indexes of %s: %v", coll, err)
		}
		seen := map[string]int{}
		unique := map[string]bool{}
		for _, s := range specs {
			seen[s.Name]++
			unique[s.Name] = s.Unique != nil && *s.Unique
		}
		if seen["_id_"] != 1 {
			t.Errorf("%s: no _id index (indexes %v)", coll, seen)
		}
		for _, index := range indexes {
			if seen[index] != 1 {
				t.Errorf("%s: index %q present %d times, want once (indexes %v)", coll, index, seen[index], seen)
			}
		}
		if len(seen) != len(indexes)+1 {
			t.Errorf("%s: indexes %v, want _id_ and %v", coll, seen, indexes)
		}
		if coll == "users" && !unique["username_unique"] {
			t.Errorf("users: username_unique is not unique")
		}
	}
}
