package storetest

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"fundwatch/store"
)

var numberPattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{6}$`)

func testCreateCase(t *testing.T, open func(t *testing.T) store.CaseStore) {
	t.Run("round trip of every field through each lookup", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-full", at(0)))
		want := stored(c)
		lookups := []struct {
			name string
			get  func() (*store.Case, error)
		}{
			{"CaseByID", func() (*store.Case, error) { return s.CaseByID(t.Context(), c.ID) }},
			{"CaseByNumber", func() (*store.Case, error) { return s.CaseByNumber(t.Context(), c.Number) }},
			{"CaseByIdempotencyKey", func() (*store.Case, error) { return s.CaseByIdempotencyKey(t.Context(), c.IdempotencyKey) }},
		}
		for _, l := range lookups {
			t.Run(l.name, func(t *testing.T) {
				got, err := l.get()
				if err != nil {
					t.Fatalf("%s: %v", l.name, err)
				}
				checkCase(t, l.name, want, got)
			})
		}
	})

	t.Run("writes number, year, seq and version back into the case", func(t *testing.T) {
		s := open(t)
		c := mustCreate(t, s, newCase("case-writeback", at(0)))
		if c.Number != "2026-000001" || c.Year != 2026 || c.Seq != 1 || c.Version != 1 {
			t.Errorf("after CreateCase: Number %q Year %d Seq %d Version %d, want 2026-000001 2026 1 1",
				c.Number, c.Year, c.Seq, c.Version)
		}
		if !numberPattern.MatchString(c.Number) {
			t.Errorf("Number %q does not match %s", c.Number, numberPattern)
		}
		got := mustGet(t, s, c.ID)
		if got.Number != c.Number || got.Year != c.Year || got.Seq != c.Seq || got.Version != c.Version {
			t.Errorf("stored Number %q Year %d Seq %d Version %d, written back %q %d %d %d",
				got.Number, got.Year, got.Seq, got.Version, c.Number, c.Year, c.Seq, c.Version)
		}
	})

	t.Run("ignores caller-supplied number, version and indexed version", func(t *testing.T) {
		s := open(t)
		c := newCase("case-presets", at(0))
		c.Number, c.Year, c.Seq = "1999-999999", 1999, 999999
		c.Version, c.IndexedVersion = 7, 5
		mustCreate(t, s, c)
		got := mustGet(t, s, c.ID)
		if got.Number != "2026-000001" || got.Year != 2026 || got.Seq != 1 || got.Version != 1 || got.IndexedVersion != 0 {
			t.Errorf("stored Number %q Year %d Seq %d Version %d IndexedVersion %d, want 2026-000001 2026 1 1 0",
				got.Number, got.Year, got.Seq, got.Version, got.IndexedVersion)
		}
		if c.Number != "2026-000001" || c.Version != 1 {
			t.Errorf("written back Number %q Version %d, want 2026-000001 1", c.Number, c.Version)
		}
	})

	t.Run("empty and zero fields come back empty, with nil slices", func(t *testing.T) {
		tests := []struct {
			name  string
			empty func(c *store.Case)
		}{
			{"nil slices", func(c *store.Case) {
				c.InsuranceTypes, c.ReporterSealed, c.AccessCodeHash = nil, nil, nil
			}},
			{"empty non-nil slices", func(c *store.Case) {
				c.InsuranceTypes, c.ReporterSealed, c.AccessCodeHash = []string{}, []byte{}, []byte{}
			}},
		}
		s := open(t)
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := newCase(fmt.Sprintf("case-empty-%d", i), at(time.Duration(i)*time.Minute))
				tt.empty(c)
				c.Anonymous, c.AmountGiven, c.Demo = false, false, false
				c.AmountFen, c.OccurredFrom, c.OccurredTo, c.Description = 0, "", "", ""
				c.Subject = store.Party{}
				c.Complaint, c.NoticeVersion = store.Complaint{}, ""
				c.Category, c.Channel, c.SubmissionHash = "", "", ""
				unhandled(c)
				mustCreate(t, s, c)
				got := mustGet(t, s, c.ID)
				checkCase(t, "CaseByID", stored(c), got)
				if got.InsuranceTypes != nil || got.ReporterSealed != nil || got.AccessCodeHash != nil {
					t.Errorf("InsuranceTypes %#v ReporterSealed %#v AccessCodeHash %#v, want all nil",
						got.InsuranceTypes, got.ReporterSealed, got.AccessCodeHash)
				}
				if !got.DueAt.IsZero() || got.ImportantClass != store.ClassNone {
					t.Errorf("DueAt %s ImportantClass %q, want zero and %q", got.DueAt, got.ImportantClass, store.ClassNone)
				}
			})
		}
	})

	t.Run("a new case without handling is unclassified", func(t *testing.T) {
		s := open(t)
		c := newCase("case-unclassified", at(0))
		unhandled(c)
		mustCreate(t, s, c)
		got := mustGet(t, s, c.ID)
		if got.ImportantClass != store.ClassNone {
			t.Errorf("ImportantClass %q, want %q", got.ImportantClass, store.ClassNone)
		}
		checkCase(t, "CaseByID", stored(c), got)
	})

	t.Run("times come back in UTC truncated to milliseconds", func(t *testing.T) {
		s := open(t)
		created := time.Date(2026, 5, 1, 8, 0, 0, 123_456_789, store.CST)
		c := newCase("case-times", created)
		c.UpdatedAt = created.Add(1500*time.Microsecond + 7)
		c.DueAt = created.Add(72*time.Hour + 999_999)
		first := firstEvent(c)
		first.At = created.Add(999_999)
		if err := s.CreateCase(t.Context(), c, first); err != nil {
			t.Fatalf("CreateCase: %v", err)
		}
		got := mustGet(t, s, c.ID)
		var d differ
		d.time("CreatedAt", store.Truncate(created), got.CreatedAt)
		d.time("UpdatedAt", store.Truncate(c.UpdatedAt), got.UpdatedAt)
		d.time("DueAt", store.Truncate(c.DueAt), got.DueAt)
		evs := mustEvents(t, s, c.ID)
		if len(evs) != 1 {
			t.Fatalf("got %d events, want 1", len(evs))
		}
		d.time("first event At", store.Truncate(first.At), evs[0].At)
		if d.String() != "" {
			t.Errorf("times differ:\n\t%s", d.String())
		}
	})

	t.Run("stores the first event with the case ID filled in", func(t *testing.T) {
		s := open(t)
		c := newCase("case-first-event", at(0))
		first := firstEvent(c)
		if err := s.CreateCase(t.Context(), c, first); err != nil {
			t.Fatalf("CreateCase: %v", err)
		}
		want := first
		want.CaseID = c.ID
		checkEvents(t, "CaseEvents", []store.Event{want}, mustEvents(t, s, c.ID))
		if ms := mustMessages(t, s, c.ID); len(ms) != 0 {
			t.Errorf("new case has messages %v, want none", messageIDs(ms))
		}
	})

	t.Run("a canceled context fails and creates nothing", func(t *testing.T) {
		s := open(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		c := newCase("case-canceled", at(0))
		err := s.CreateCase(ctx, c, firstEvent(c))
		if err == nil {
			t.Fatal("CreateCase with a canceled context succeeded")
		}
		checkError(t, "CreateCase", err)
		_, err = s.CaseByID(t.Context(), c.ID)
		wantCode(t, "CaseByID after canceled CreateCase", err, store.ENOTFOUND)
		existing := mustCreate(t, s, newCase("case-existing", at(time.Hour)))
		if _, err := s.CaseByID(ctx, existing.ID); err == nil {
			t.Error("CaseByID with a canceled context succeeded")
		} else {
			checkError(t, "CaseByID", err)
		}
	})
}

func testNumbers(t *testing.T, open func(t *testing.T) store.CaseStore) {
	t.Run("sequential per year of CreatedAt in China Standard Time", func(t *testing.T) {
		s := open(t)
		// Created in this order; the sequence follows creation, the year
		// follows the CST calendar day of CreatedAt.
		tests := []struct {
			name      string
			createdAt time.Time
			number    string
			year      int
			seq       int64
		}{
			{"first case of 2026", time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC), "2026-000001", 2026, 1},
			{"2026-12-31 16:30 UTC is 2027 in CST", time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC), "2027-000001", 2027, 1},
			{"last millisecond of 2026 in CST continues 2026", time.Date(2026, 12, 31, 15, 59, 59, 999_000_000, time.UTC), "2026-000002", 2026, 2},
			{"2027 continues separately", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), "2027-000002", 2027, 2},
			{"midnight CST on 2027-01-01 is 2027", time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), "2027-000003", 2027, 3},
			{"2025-12-31 20:00 UTC is 2026 in CST", time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC), "2026-000003", 2026, 3},
			{"an older year starts at 1", time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC), "2024-000001", 2024, 1},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := mustCreate(t, s, newCase(fmt.Sprintf("case-year-%d", i), tt.createdAt))
				if c.Number != tt.number || c.Year != tt.year || c.Seq != tt.seq {
					t.Errorf("written back %q year %d seq %d, want %q %d %d", c.Number, c.Year, c.Seq, tt.number, tt.year, tt.seq)
				}
				got, err := s.CaseByNumber(t.Context(), tt.number)
				if err != nil {
					t.Fatalf("CaseByNumber(%q): %v", tt.number, err)
				}
				if got.ID != c.ID || got.Year != tt.year || got.Seq != tt.seq {
					t.Errorf("CaseByNumber(%q) = %q year %d seq %d, want %q %d %d",
						tt.number, got.ID, got.Year, got.Seq, c.ID, tt.year, tt.seq)
				}
			})
		}
	})

	t.Run("concurrent creates get numbers 1 to 24 without gaps or duplicates", func(t *testing.T) {
		s := open(t)
		const n = 24
		cases := make([]*store.Case, n)
		errs := make([]error, n)
		var start, done sync.WaitGroup
		start.Add(1)
		for i := range n {
			cases[i] = newCase(fmt.Sprintf("case-concurrent-%02d", i), at(time.Duration(i)*time.Second))
			done.Go(func() {
				start.Wait()
				errs[i] = s.CreateCase(t.Context(), cases[i], firstEvent(cases[i]))
			})
		}
		start.Done()
		done.Wait()
		var seqs []int64
		numbers := map[string]string{}
		for i, c := range cases {
			if errs[i] != nil {
				t.Errorf("CreateCase(%q): %v", c.ID, errs[i])
				continue
			}
			if other, dup := numbers[c.Number]; dup {
				t.Errorf("cases %q and %q both got number %q", other, c.ID, c.Number)
			}
			numbers[c.Number] = c.ID
			if want := fmt.Sprintf("2026-%06d", c.Seq); c.Number != want || c.Year != 2026 {
				t.Errorf("case %q: Number %q Year %d Seq %d are inconsistent", c.ID, c.Number, c.Year, c.Seq)
			}
			seqs = append(seqs, c.Seq)
		}
		sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
		for i, seq := range seqs {
			if seq != int64(i+1) {
				t.Fatalf("sequences %v, want exactly 1..%d", seqs, n)
			}
		}
		for number, id := range numbers {
			got, err := s.CaseByNumber(t.Context(), number)
			if err != nil {
				t.Errorf("CaseByNumber(%q): %v", number, err)
			} else if got.ID != id {
				t.Errorf("CaseByNumber(%q) = %q, want %q", number, got.ID, id)
			}
		}
		if total := countCases(t, s); total != n {
			t.Errorf("store holds %d cases, want %d", total, n)
		}
	})
}

func testIdempotency(t *testing.T, open func(t *testing.T) store.CaseStore) {
	t.Run("a reused idempotency key is a conflict and creates nothing", func(t *testing.T) {
		s := open(t)
		first := mustCreate(t, s, newCase("case-original", at(0)))
		want := stored(first)

		retry := newCase("case-retry", at(time.Minute))
		retry.IdempotencyKey = first.IdempotencyKey
		retry.Description = "a different submission reusing the key"
		err := s.CreateCase(t.Context(), retry, firstEvent(retry))
		wantCode(t, "CreateCase with a reused key", err, store.ECONFLICT)

		got, err := s.CaseByIdempotencyKey(t.Context(), first.IdempotencyKey)
		if err != nil {
			t.Fatalf("CaseByIdempotencyKey: %v", err)
		}
		checkCase(t, "CaseByIdempotencyKey after the conflict", want, got)
		_, err = s.CaseByID(t.Context(), retry.ID)
		wantCode(t, "CaseByID of the rejected case", err, store.ENOTFOUND)
		_, err = s.CaseEvents(t.Context(), retry.ID)
		wantCode(t, "CaseEvents of the rejected case", err, store.ENOTFOUND)
		if n := len(mustEvents(t, s, first.ID)); n != 1 {
			t.Errorf("original case has %d events, want 1", n)
		}
		if total := countCases(t, s); total != 1 {
			t.Errorf("store holds %d cases, want 1", total)
		}

		next := mustCreate(t, s, newCase("case-next", at(2*time.Minute)))
		if next.Number == first.Number {
			t.Errorf("next case got the original's number %q", next.Number)
		}
	})

	t.Run("a reused case ID is a conflict and creates nothing", func(t *testing.T) {
		s := open(t)
		first := mustCreate(t, s, newCase("case-same-id", at(0)))
		want := stored(first)

		dup := newCase("case-same-id", at(time.Minute))
		dup.IdempotencyKey = "idem-another-submission"
		dup.RegionCode = "220201"
		ev := firstEvent(dup)
		ev.ID = "ev-another-submission"
		err := s.CreateCase(t.Context(), dup, ev)
		wantCode(t, "CreateCase with a reused ID", err, store.ECONFLICT)

		checkCase(t, "CaseByID after the conflict", want, mustGet(t, s, first.ID))
		_, err = s.CaseByIdempotencyKey(t.Context(), dup.IdempotencyKey)
		wantCode(t, "CaseByIdempotencyKey of the rejected case", err, store.ENOTFOUND)
		if evs := mustEvents(t, s, first.ID); len(evs) != 1 || evs[0].ID != firstEvent(first).ID {
			t.Errorf("original case has events %v, want only %q", eventIDs(evs), firstEvent(first).ID)
		}
		if total := countCases(t, s); total != 1 {
			t.Errorf("store holds %d cases, want 1", total)
		}
	})

	t.Run("concurrent retries with one key create exactly one case", func(t *testing.T) {
		s := open(t)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				c := newCase(fmt.Sprintf("case-retry-%d", i), at(0))
				c.IdempotencyKey = "idem-double-click"
				errs[i] = s.CreateCase(t.Context(), c, firstEvent(c))
			})
		}
		wg.Wait()
		created := 0
		for i, err := range errs {
			switch {
			case err == nil:
				created++
			default:
				wantCode(t, fmt.Sprintf("CreateCase %d", i), err, store.ECONFLICT)
			}
		}
		if created != 1 {
			t.Errorf("%d creates succeeded, want exactly 1", created)
		}
		if total := countCases(t, s); total != 1 {
			t.Errorf("store holds %d cases, want 1", total)
		}
		if _, err := s.CaseByIdempotencyKey(t.Context(), "idem-double-click"); err != nil {
			t.Errorf("CaseByIdempotencyKey: %v", err)
		}
	})
}

func testInvalid(t *testing.T, open func(t *testing.T) store.CaseStore) {
	s := open(t)
	existing := mustCreate(t, s, newCase("case-existing", at(0)))
	want := stored(existing)

	tests := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"CreateCase without case ID", func(ctx context.Context) error {
			c := newCase("", at(time.Minute))
			c.IdempotencyKey = "idem-no-id"
			ev := firstEvent(c)
			ev.ID = "ev-no-id"
			return s.CreateCase(ctx, c, ev)
		}},
		{"CreateCase without idempotency key", func(ctx context.Context) error {
			c := newCase("case-no-key", at(time.Minute))
			c.IdempotencyKey = ""
			return s.CreateCase(ctx, c, firstEvent(c))
		}},
		{"CreateCase without first event ID", func(ctx context.Context) error {
			c := newCase("case-no-event-id", at(time.Minute))
			ev := firstEvent(c)
			ev.ID = ""
			return s.CreateCase(ctx, c, ev)
		}},
		{"UpdateCase without event ID", func(ctx context.Context) error {
			u := statusUpdate(existing, "", store.StatusAccepted, at(time.Hour))
			_, err := s.UpdateCase(ctx, u)
			return err
		}},
		{"UpdateCase without ExpectStatus", func(ctx context.Context) error {
			u := statusUpdate(existing, "ev-no-expect", store.StatusAccepted, at(time.Hour))
			u.ExpectStatus, u.Event.FromStatus = "", ""
			_, err := s.UpdateCase(ctx, u)
			return err
		}},
		{"UpdateCase without ToStatus", func(ctx context.Context) error {
			u := statusUpdate(existing, "ev-no-to", "", at(time.Hour))
			_, err := s.UpdateCase(ctx, u)
			return err
		}},
		{"UpdateCase with FromStatus other than ExpectStatus", func(ctx context.Context) error {
			u := statusUpdate(existing, "ev-from-differs", store.StatusInvestigating, at(time.Hour))
			u.Event.FromStatus = store.StatusAccepted
			_, err := s.UpdateCase(ctx, u)
			return err
		}},
		{"AddMessage without message ID", func(ctx context.Context) error {
			return s.AddMessage(ctx, &store.Message{
				CaseID: existing.ID, At: at(time.Hour), Author: store.AuthorReporter, Body: "补充材料",
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is invalid", func(t *testing.T) {
			err := tt.call(t.Context())
			wantCode(t, tt.name, err, store.EINVALID)
			if msg := store.ErrorMessage(err); strings.HasPrefix(tt.name, "UpdateCase") && msg != store.MsgIncomplete {
				t.Errorf("message %q, want %q", msg, store.MsgIncomplete)
			}
		})
	}

	t.Run("invalid calls leave no trace", func(t *testing.T) {
		if total := countCases(t, s); total != 1 {
			t.Errorf("store holds %d cases, want 1", total)
		}
		checkCase(t, "existing case", want, mustGet(t, s, existing.ID))
		if n := len(mustEvents(t, s, existing.ID)); n != 1 {
			t.Errorf("existing case has %d events, want 1", n)
		}
		if n := len(mustMessages(t, s, existing.ID)); n != 0 {
			t.Errorf("existing case has %d messages, want 0", n)
		}
	})
}

func testNotFound(t *testing.T, open func(t *testing.T) store.CaseStore) {
	s := open(t)
	existing := mustCreate(t, s, newCase("case-existing", at(0)))
	want := stored(existing)
	const missing = "case-missing"

	getters := []struct {
		name string
		get  func(ctx context.Context) (*store.Case, error)
	}{
		{"CaseByID", func(ctx context.Context) (*store.Case, error) { return s.CaseByID(ctx, missing) }},
		{"CaseByID with empty ID", func(ctx context.Context) (*store.Case, error) { return s.CaseByID(ctx, "") }},
		{"CaseByNumber", func(ctx context.Context) (*store.Case, error) { return s.CaseByNumber(ctx, "2026-999999") }},
		{"CaseByNumber of another year", func(ctx context.Context) (*store.Case, error) { return s.CaseByNumber(ctx, "2025-000001") }},
		{"CaseByNumber with a malformed number", func(ctx context.Context) (*store.Case, error) { return s.CaseByNumber(ctx, "not-a-number") }},
		{"CaseByIdempotencyKey", func(ctx context.Context) (*store.Case, error) { return s.CaseByIdempotencyKey(ctx, "idem-missing") }},
		{"CaseByIdempotencyKey with empty key", func(ctx context.Context) (*store.Case, error) { return s.CaseByIdempotencyKey(ctx, "") }},
		{"UpdateCase", func(ctx context.Context) (*store.Case, error) {
			u := statusUpdate(existing, "ev-missing", store.StatusAccepted, at(time.Hour))
			u.CaseID = missing
			return s.UpdateCase(ctx, u)
		}},
		{"UpdateCase with empty ID", func(ctx context.Context) (*store.Case, error) {
			u := statusUpdate(existing, "ev-missing", store.StatusAccepted, at(time.Hour))
			u.CaseID = ""
			return s.UpdateCase(ctx, u)
		}},
		{"CaseInRegions", func(ctx context.Context) (*store.Case, error) {
			return s.CaseInRegions(ctx, missing, []string{existing.RegionCode})
		}},
	}
	for _, g := range getters {
		t.Run(g.name+" of a missing case is ENOTFOUND", func(t *testing.T) {
			got, err := g.get(t.Context())
			wantCode(t, g.name, err, store.ENOTFOUND)
			if msg := store.ErrorMessage(err); msg != store.MsgCaseNotFound {
				t.Errorf("%s: message %q, want %q", g.name, msg, store.MsgCaseNotFound)
			}
			if got != nil {
				t.Errorf("%s returned case %q along with the error, want nil", g.name, got.ID)
			}
		})
	}

	t.Run("CaseEvents of a missing case is ENOTFOUND", func(t *testing.T) {
		evs, err := s.CaseEvents(t.Context(), missing)
		wantCode(t, "CaseEvents", err, store.ENOTFOUND)
		if len(evs) != 0 {
			t.Errorf("CaseEvents returned %d events along with the error", len(evs))
		}
	})
	t.Run("CaseMessages of a missing case is ENOTFOUND", func(t *testing.T) {
		ms, err := s.CaseMessages(t.Context(), missing)
		wantCode(t, "CaseMessages", err, store.ENOTFOUND)
		if len(ms) != 0 {
			t.Errorf("CaseMessages returned %d messages along with the error", len(ms))
		}
	})
	t.Run("AddMessage to a missing case is ENOTFOUND", func(t *testing.T) {
		err := s.AddMessage(t.Context(), &store.Message{
			ID: "msg-missing", CaseID: missing, At: at(time.Hour), Author: store.AuthorReporter, Body: "补充",
		})
		wantCode(t, "AddMessage", err, store.ENOTFOUND)
	})
	t.Run("the existing case is untouched", func(t *testing.T) {
		checkCase(t, "existing case", want, mustGet(t, s, existing.ID))
		if n := len(mustEvents(t, s, existing.ID)); n != 1 {
			t.Errorf("existing case has %d events, want 1", n)
		}
	})
}
