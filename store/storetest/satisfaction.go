package storetest

import (
	"slices"
	"testing"
	"time"

	"fundwatch/store"
)

// concludedCase stores a fresh case without handling and moves it to
// status, returning it as read back.
func concludedCase(t *testing.T, s store.CaseStore, id, region string, types []string, status string, created time.Time) *store.Case {
	t.Helper()
	c := newCase(id, created)
	unhandled(c)
	c.RegionCode, c.InsuranceTypes = region, types
	mustCreate(t, s, c)
	if status != store.StatusReceived {
		mustUpdate(t, s, statusUpdate(mustGet(t, s, id), "ev-"+id+"-"+status, status, created.Add(time.Minute)))
	}
	return mustGet(t, s, id)
}

func rating(caseID, status, code, reason string, when time.Time) store.CaseRating {
	return store.CaseRating{CaseID: caseID, ExpectStatus: status,
		Satisfaction: store.Satisfaction{Rating: code, Reason: reason, At: when}}
}

func testRateCase(t *testing.T, open func(t *testing.T) store.CaseStore) {
	t.Run("records the rating, bumps the version and changes nothing else", func(t *testing.T) {
		s := open(t)
		before := concludedCase(t, s, "case-rate-1", "220102", []string{"pension"}, store.StatusConcluded, at(0))
		events := mustEvents(t, s, before.ID)
		when := at(3*time.Hour + 123*time.Microsecond).In(store.CST)
		got, err := s.RateCase(t.Context(), rating(before.ID, store.StatusConcluded, store.SatisfactionDissatisfied, "处理太慢 "+unicodeText, when))
		if err != nil {
			t.Fatalf("RateCase: %v", err)
		}
		want := *before
		want.Satisfaction = store.Satisfaction{Rating: store.SatisfactionDissatisfied, Reason: "处理太慢 " + unicodeText, At: store.Truncate(when)}
		want.UpdatedAt = store.Truncate(when)
		want.Version = before.Version + 1
		checkCase(t, "RateCase result", &want, got)
		checkCase(t, "CaseByID after RateCase", &want, mustGet(t, s, before.ID))
		checkEvents(t, "timeline after RateCase", events, mustEvents(t, s, before.ID))
	})

	t.Run("replaces an earlier rating unless only the first is wanted", func(t *testing.T) {
		s := open(t)
		c := concludedCase(t, s, "case-rate-2", "220102", nil, store.StatusConcluded, at(0))
		if _, err := s.RateCase(t.Context(), rating(c.ID, store.StatusConcluded, store.SatisfactionDissatisfied, "慢", at(time.Hour))); err != nil {
			t.Fatalf("first RateCase: %v", err)
		}
		got, err := s.RateCase(t.Context(), rating(c.ID, store.StatusConcluded, store.SatisfactionSatisfied, "", at(2*time.Hour)))
		if err != nil {
			t.Fatalf("second RateCase: %v", err)
		}
		if got.Satisfaction.Rating != store.SatisfactionSatisfied || got.Satisfaction.Reason != "" || !got.Satisfaction.At.Equal(at(2*time.Hour)) {
			t.Errorf("after a change the rating is %+v, want satisfied without a reason at the second time", got.Satisfaction)
		}
		once := rating(c.ID, store.StatusConcluded, store.SatisfactionBasically, "", at(3*time.Hour))
		once.OnlyFirst = true
		_, err = s.RateCase(t.Context(), once)
		wantCode(t, "RateCase OnlyFirst on a rated case", err, store.ECONFLICT)
		if msg := store.ErrorMessage(err); msg != store.MsgAlreadyDone {
			t.Errorf("OnlyFirst on a rated case: message %q, want %q", msg, store.MsgAlreadyDone)
		}
		after := mustGet(t, s, c.ID)
		if after.Satisfaction.Rating != store.SatisfactionSatisfied || after.Version != got.Version {
			t.Errorf("a refused rating changed the case: %+v, version %d, want satisfied at version %d", after.Satisfaction, after.Version, got.Version)
		}
	})

	t.Run("OnlyFirst rates a case not rated yet", func(t *testing.T) {
		s := open(t)
		c := concludedCase(t, s, "case-rate-3", "220102", nil, store.StatusClosed, at(0))
		r := rating(c.ID, store.StatusClosed, store.SatisfactionBasically, "", at(time.Hour))
		r.OnlyFirst = true
		got, err := s.RateCase(t.Context(), r)
		if err != nil || got.Satisfaction.Rating != store.SatisfactionBasically {
			t.Fatalf("RateCase OnlyFirst: %+v, %v; want basically satisfied", got, err)
		}
	})

	t.Run("a case no longer in the expected status is stale and unchanged", func(t *testing.T) {
		s := open(t)
		c := concludedCase(t, s, "case-rate-4", "220102", nil, store.StatusClosed, at(0))
		_, err := s.RateCase(t.Context(), rating(c.ID, store.StatusConcluded, store.SatisfactionSatisfied, "", at(time.Hour)))
		wantCode(t, "RateCase with a stale status", err, store.ECONFLICT)
		if msg := store.ErrorMessage(err); msg != store.MsgStale {
			t.Errorf("stale status: message %q, want %q", msg, store.MsgStale)
		}
		checkCase(t, "case after a stale rating", c, mustGet(t, s, c.ID))
	})

	t.Run("a missing case is not found; missing fields are invalid", func(t *testing.T) {
		s := open(t)
		c := concludedCase(t, s, "case-rate-5", "220102", nil, store.StatusConcluded, at(0))
		_, err := s.RateCase(t.Context(), rating("no-such-case", store.StatusConcluded, store.SatisfactionSatisfied, "", at(time.Hour)))
		wantCode(t, "RateCase on a missing case", err, store.ENOTFOUND)
		for name, r := range map[string]store.CaseRating{
			"no expected status": rating(c.ID, "", store.SatisfactionSatisfied, "", at(time.Hour)),
			"no rating":          rating(c.ID, store.StatusConcluded, "", "", at(time.Hour)),
			"no time":            rating(c.ID, store.StatusConcluded, store.SatisfactionSatisfied, "", time.Time{}),
		} {
			_, err := s.RateCase(t.Context(), r)
			wantCode(t, "RateCase with "+name, err, store.EINVALID)
		}
		checkCase(t, "case after refused ratings", c, mustGet(t, s, c.ID))
	})

	t.Run("the Satisfaction filter counts rated cases in a scope", func(t *testing.T) {
		s := open(t)
		for i, f := range []struct {
			id, region string
			types      []string
			rating     string
		}{
			{"r1", "220102", []string{"pension"}, store.SatisfactionSatisfied},
			{"r2", "220102", []string{"medical"}, store.SatisfactionDissatisfied},
			{"r3", "220201", []string{"pension"}, store.SatisfactionSatisfied},
			{"r4", "220102", []string{"pension", "medical"}, store.SatisfactionSatisfied},
			{"r5", "220102", []string{"pension"}, ""},
		} {
			c := concludedCase(t, s, f.id, f.region, f.types, store.StatusConcluded, at(time.Duration(i)*time.Hour))
			if f.rating != "" {
				if _, err := s.RateCase(t.Context(), rating(c.ID, store.StatusConcluded, f.rating, "", at(time.Duration(i)*time.Hour+time.Minute))); err != nil {
					t.Fatalf("RateCase %s: %v", f.id, err)
				}
			}
		}
		for _, tc := range []struct {
			name   string
			filter store.CaseFilter
			want   []string
		}{
			{"satisfied", store.CaseFilter{Satisfaction: store.SatisfactionSatisfied}, []string{"r4", "r3", "r1"}},
			{"satisfied in a scope", store.CaseFilter{Satisfaction: store.SatisfactionSatisfied, RegionCodes: []string{"220102"}}, []string{"r4", "r1"}},
			{"satisfied with an insurance type", store.CaseFilter{Satisfaction: store.SatisfactionSatisfied, InsuranceType: "medical"}, []string{"r4"}},
			{"dissatisfied with an insurance type in a scope", store.CaseFilter{Satisfaction: store.SatisfactionDissatisfied,
				InsuranceType: "medical", RegionCodes: []string{"220102"}}, []string{"r2"}},
			{"a rating nobody gave", store.CaseFilter{Satisfaction: store.SatisfactionBasically}, nil},
			{"a code that is no rating", store.CaseFilter{Satisfaction: "satisfi"}, nil},
		} {
			cases, total, err := s.ListCases(t.Context(), tc.filter)
			if err != nil {
				t.Fatalf("%s: ListCases: %v", tc.name, err)
			}
			if got := caseIDs(cases); !slices.Equal(got, tc.want) || total != len(tc.want) {
				t.Errorf("%s: ListCases gave %q (total %d), want %q", tc.name, got, total, tc.want)
			}
			counts, err := s.CountCasesByStatus(t.Context(), tc.filter)
			if err != nil {
				t.Fatalf("%s: CountCasesByStatus: %v", tc.name, err)
			}
			if counts[store.StatusConcluded] != len(tc.want) {
				t.Errorf("%s: CountCasesByStatus gave %v, want %d concluded", tc.name, counts, len(tc.want))
			}
		}
	})
}
