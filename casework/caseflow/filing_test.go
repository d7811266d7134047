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

// The rules every site applies hold in the service layer too, so a site or
// tool that forgets one cannot store such a case.
func TestFileCaseRefusesAnonymousComplaintsAndBadPeriods(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	k, err := casework.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	svc := &Service{Store: st, Keyring: k, Regions: casework.DefaultRegions(), Rules: DefaultRules(),
		Clock: func() time.Time { return time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC) }}
	base := func(key string) Filing {
		return Filing{Kind: store.KindReport, ReporterType: store.ReporterCitizen, Anonymous: true, Category: "other",
			InsuranceTypes: []string{"pension"}, RegionCode: "220102", Subject: store.Party{Name: "某单位"},
			Description: "该单位长期少报职工工资，按最低基数缴纳养老保险费。", IdempotencyKey: key, Digest: key,
			Complaint: store.Complaint{Request: "不属于举报的内容"}}
	}
	tests := []struct {
		name string
		edit func(f *Filing)
		want string
	}{
		{"anonymous complaint", func(f *Filing) { f.Kind = store.KindComplaint }, casework.MsgComplaintNotAnonymous},
		{"period ending before it starts", func(f *Filing) { f.OccurredFrom, f.OccurredTo = "2025-03-01", "2025-02-01" },
			"发生时间有误：结束日期不能早于开始日期"},
		{"period starting tomorrow", func(f *Filing) { f.OccurredFrom = "2026-12-01" }, "发生时间有误：开始日期不能晚于今天"},
		{"an end without a start", func(f *Filing) { f.OccurredTo = "2025-02-01" },
			"发生时间有误：填写了结束日期的，请同时填写开始日期；只知道一个日期的，填在开始日期即可"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base("refused-filing-" + strings.Repeat("x", i+1))
			tt.edit(&f)
			_, err := svc.FileCase(ctx, f)
			if store.ErrorCode(err) != store.EINVALID || store.ErrorMessage(err) != tt.want {
				t.Errorf("FileCase = %v (%s), want EINVALID %q", err, store.ErrorCode(err), tt.want)
			}
		})
	}
	if _, n, _ := st.ListCases(ctx, store.CaseFilter{}); n != 0 {
		t.Errorf("%d cases stored from refused filings", n)
	}

	f := base("kept-filing-000001")
	f.OccurredFrom, f.OccurredTo, f.NoticeVersion = "2025-03-01", "2026-11-30", casework.NoticeVersion
	r, err := svc.FileCase(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.CaseByID(ctx, r.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.OccurredFrom != "2025-03-01" || got.OccurredTo != "2026-11-30" || got.NoticeVersion != casework.NoticeVersion {
		t.Errorf("stored period %q–%q, notice %q", got.OccurredFrom, got.OccurredTo, got.NoticeVersion)
	}
	if got.Complaint != (store.Complaint{}) {
		t.Errorf("a report stored complaint details %+v", got.Complaint)
	}
}
