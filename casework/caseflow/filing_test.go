package caseflow

import (
	"context"
	"strings"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
)

// TestKeysStoredInClearByOlderVersionsAreRehashed: a case stored with its
// idempotency key in clear (as before issue 7's fix) gets the hashed form
// at the next start, and its submitter's retry still finds it.
func TestKeysStoredInClearByOlderVersionsAreRehashed(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	k, err := casework.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	svc := &Service{Store: st, Keyring: k, Regions: casework.DefaultRegions(), Rules: DefaultRules(),
		Clock: func() time.Time { return time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC) }}
	const key = "an-old-form-token-0001"
	code := k.AccessCodeFor(key)
	norm, _ := casework.NormalizeAccessCode(code)
	now := store.Truncate(svc.Clock())
	old := &store.Case{ID: store.NewID(), Kind: store.KindReport, ReporterType: store.ReporterCitizen, Anonymous: true,
		Category: "other", InsuranceTypes: []string{"pension"}, RegionCode: "220102", Subject: store.Party{Name: "某单位"},
		Description: "旧版本保存的案件，提交标识未加密保存。", Channel: store.ChannelFundSupervision, Status: store.StatusReceived,
		AccessCodeHash: k.HashAccessCode(norm), IdempotencyKey: key, SubmissionHash: "digest", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateCase(ctx, old, store.Event{ID: store.NewID(), At: now, ToStatus: store.StatusReceived}); err != nil {
		t.Fatal(err)
	}
	n, err := svc.RehashIdempotencyKeys(ctx)
	if err != nil || n != 1 {
		t.Fatalf("RehashIdempotencyKeys = %d, %v; want 1", n, err)
	}
	got, err := st.CaseByID(ctx, old.ID)
	if err != nil || strings.Contains(got.IdempotencyKey, key) || !strings.HasPrefix(got.IdempotencyKey, HashedKeyPrefix) {
		t.Fatalf("stored key after the rehash: %q, %v", got.IdempotencyKey, err)
	}
	r, err := svc.FileCase(ctx, Filing{Kind: old.Kind, ReporterType: old.ReporterType, Anonymous: true, Category: old.Category,
		InsuranceTypes: old.InsuranceTypes, RegionCode: old.RegionCode, Subject: old.Subject, Description: old.Description,
		IdempotencyKey: key, Digest: "digest"})
	if err != nil || !r.Repeat || r.Case.ID != old.ID || r.AccessCode != code {
		t.Errorf("the submitter's retry after the rehash: %+v, %v", r, err)
	}
	if n, _ := svc.RehashIdempotencyKeys(ctx); n != 0 {
		t.Errorf("a second start rehashed %d keys", n)
	}
}
