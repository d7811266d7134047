package storetest

import (
	"strings"
	"testing"
	"time"

	"fundwatch/store"
)

func testRehashIdempotencyKeys(t *testing.T, open func(t *testing.T) store.CaseStore) {
	hash := func(k string) string { return "h1:" + strings.ToUpper(k) }
	t.Run("replaces the keys in clear and leaves the hashed ones", func(t *testing.T) {
		s := open(t)
		clear1 := mustCreate(t, s, newCase("rh-1", at(0)))
		clear2 := mustCreate(t, s, newCase("rh-2", at(time.Second)))
		hashed := newCase("rh-3", at(2*time.Second))
		hashed.IdempotencyKey = "h1:already"
		mustCreate(t, s, hashed)
		n, err := s.RehashIdempotencyKeys(t.Context(), "h1:", hash)
		if err != nil || n != 2 {
			t.Fatalf("RehashIdempotencyKeys = %d, %v; want 2, nil", n, err)
		}
		for _, c := range []*store.Case{clear1, clear2} {
			got, err := s.CaseByIdempotencyKey(t.Context(), hash(c.IdempotencyKey))
			if err != nil || got.ID != c.ID {
				t.Errorf("case %s by its rehashed key: %v, %v", c.ID, got, err)
			}
			if _, err := s.CaseByIdempotencyKey(t.Context(), c.IdempotencyKey); store.ErrorCode(err) != store.ENOTFOUND {
				t.Errorf("case %s still found by its key in clear: %v", c.ID, err)
			}
			// Nothing else of the case changes.
			after := mustGet(t, s, c.ID)
			if after.Version != c.Version || !after.UpdatedAt.Equal(c.UpdatedAt) {
				t.Errorf("case %s: version %d→%d, updated %v→%v", c.ID, c.Version, after.Version, c.UpdatedAt, after.UpdatedAt)
			}
		}
		if got := mustGet(t, s, "rh-3"); got.IdempotencyKey != "h1:already" {
			t.Errorf("a hashed key changed to %q", got.IdempotencyKey)
		}
		n, err = s.RehashIdempotencyKeys(t.Context(), "h1:", hash)
		if err != nil || n != 0 {
			t.Errorf("a second run = %d, %v; want 0, nil", n, err)
		}
	})
	t.Run("an empty store has nothing to rehash", func(t *testing.T) {
		n, err := open(t).RehashIdempotencyKeys(t.Context(), "h1:", hash)
		if err != nil || n != 0 {
			t.Errorf("RehashIdempotencyKeys = %d, %v", n, err)
		}
	})
}
