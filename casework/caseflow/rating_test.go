package caseflow

import (
	"context"
	"strings"
	"testing"

	"fundwatch/store"
)

func TestRateCaseOnceConcludedChangeableUntilClosed(t *testing.T) {
	e := newRulesEnv(t, openSQLite(t))
	ctx := context.Background()
	actor := SystemActor("test", e.svc.Regions)
	r, err := e.svc.FileCase(ctx, Filing{
		Kind: store.KindReport, ReporterType: store.ReporterCitizen, Category: "embezzlement",
		InsuranceTypes: []string{"pension"}, RegionCode: "220102", Subject: store.Party{Name: "某某商贸有限公司"},
		Description: "该公司少报缴费基数，长期按最低基数为职工申报养老保险。", Anonymous: true,
		IdempotencyKey: store.NewID(), Digest: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Case
	rate := func(rating, reason string) (*store.Case, error) {
		t.Helper()
		cur, err := e.st.CaseByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return e.svc.RateCase(ctx, cur, rating, reason)
	}
	move := func(in TransitionInput) {
		t.Helper()
		cur, err := e.st.CaseByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		in.Version = cur.Version
		if _, err := e.svc.Transition(ctx, actor, c.ID, in); err != nil {
			t.Fatalf("transition to %s: %v", in.To, err)
		}
	}

	if _, err := rate(store.SatisfactionSatisfied, ""); store.ErrorMessage(err) != MsgRatingNotYet {
		t.Errorf("rating a received case: %v, want %q", err, MsgRatingNotYet)
	}
	move(TransitionInput{To: store.StatusAccepted, Note: "受理"})
	move(TransitionInput{To: store.StatusInvestigating, Mode: store.ModeOnSite})
	move(TransitionInput{To: store.StatusConcluded, Result: store.ResultNotSubstantiated})

	for _, tc := range []struct{ rating, reason, want string }{
		{"", "", MsgRatingChoose},
		{"great", "", MsgRatingChoose},
		{store.SatisfactionDissatisfied, "  ", MsgRatingNeedReason},
		{store.SatisfactionDissatisfied, strings.Repeat("慢", MaxRatingReasonRunes+1), MsgRatingTooLong},
		{store.SatisfactionDissatisfied, "慢\u202e", MsgRatingBadText},
	} {
		if _, err := rate(tc.rating, tc.reason); store.ErrorCode(err) != store.EINVALID || store.ErrorMessage(err) != tc.want {
			t.Errorf("rate(%q, %q): %v, want %q", tc.rating, shortText(tc.reason), err, tc.want)
		}
	}
	got, err := rate(store.SatisfactionDissatisfied, "  调查结论没有说明依据。 ")
	if err != nil || got.Satisfaction.Rating != store.SatisfactionDissatisfied || got.Satisfaction.Reason != "调查结论没有说明依据。" ||
		!got.Satisfaction.At.Equal(store.Truncate(e.now)) {
		t.Fatalf("first rating: %+v, %v", got, err)
	}
	if got, err = rate(store.SatisfactionBasically, ""); err != nil || got.Satisfaction.Rating != store.SatisfactionBasically {
		t.Fatalf("changing the rating before closing: %+v, %v", got, err)
	}
	move(TransitionInput{To: store.StatusClosed})
	if _, err := rate(store.SatisfactionSatisfied, ""); store.ErrorMessage(err) != MsgRatingFinal {
		t.Errorf("changing the rating after closing: %v, want %q", err, MsgRatingFinal)
	}
}

func shortText(s string) string {
	if r := []rune(s); len(r) > 10 {
		return string(r[:10]) + "…"
	}
	return s
}
