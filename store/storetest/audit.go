package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"fundwatch/store"
)

// testAudit is the conformance suite of the audit area. Beyond the doc
// comments of store.AuditStore it pins down: entries come back exactly as
// stored, times in UTC truncated to the millisecond; ListAudit's region
// filter matches codes exactly and always includes entries with no region.
func testAudit(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("AppendAudit", func(t *testing.T) { testAppendAudit(t, open) })
	t.Run("concurrent appends", func(t *testing.T) { testConcurrentAudit(t, open) })
	t.Run("AuditEntries", func(t *testing.T) { testAuditEntries(t, open) })
	t.Run("ListAudit", func(t *testing.T) { testListAudit(t, open) })
	t.Run("VerifyAuditChain", func(t *testing.T) { testVerifyAuditChain(t, open) })
}

// newAuditEntry returns an entry with every field the caller sets filled
// in, so a field a backend forgets to store shows up as a difference (and
// as a broken hash).
func newAuditEntry(i int) store.AuditEntry {
	return store.AuditEntry{
		At:         base.Add(time.Duration(i)*time.Minute + 654_321*time.Nanosecond).In(store.CST),
		ActorID:    fmt.Sprintf("user-%d", i),
		ActorName:  fmt.Sprintf("zhang.san.%d", i),
		Action:     "case.accept",
		TargetType: "case",
		TargetID:   fmt.Sprintf("case-%d", i),
		RegionCode: "220102",
		Detail:     fmt.Sprintf("受理案件 %d：%s", i, unicodeText),
		IP:         "2001:db8::1",
		RequestID:  fmt.Sprintf("req-%d", i),
	}
}

func mustAppend(t *testing.T, s store.AuditStore, e store.AuditEntry) store.AuditEntry {
	t.Helper()
	if err := s.AppendAudit(t.Context(), &e); err != nil {
		t.Fatalf("AppendAudit(%q): %v", e.Action, err)
	}
	return e
}

func auditDiff(want, got store.AuditEntry) string {
	var d differ
	d.field("Seq", want.Seq, got.Seq)
	d.time("At", want.At, got.At)
	d.field("ActorID", want.ActorID, got.ActorID)
	d.field("ActorName", want.ActorName, got.ActorName)
	d.field("Action", want.Action, got.Action)
	d.field("TargetType", want.TargetType, got.TargetType)
	d.field("TargetID", want.TargetID, got.TargetID)
	d.field("RegionCode", want.RegionCode, got.RegionCode)
	d.field("Detail", want.Detail, got.Detail)
	d.field("IP", want.IP, got.IP)
	d.field("RequestID", want.RequestID, got.RequestID)
	d.field("PrevHash", want.PrevHash, got.PrevHash)
	d.field("Hash", want.Hash, got.Hash)
	return d.String()
}

func checkAudit(t *testing.T, what string, want, got []store.AuditEntry) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d entries %v, want %d %v", what, len(got), auditSeqs(got), len(want), auditSeqs(want))
		return
	}
	for i := range want {
		if diff := auditDiff(want[i], got[i]); diff != "" {
			t.Errorf("%s: entry %d (Seq %d) differs:\n\t%s", what, i, want[i].Seq, diff)
		}
	}
}

func auditSeqs(es []store.AuditEntry) []int64 {
	seqs := []int64{}
	for _, e := range es {
		seqs = append(seqs, e.Seq)
	}
	return seqs
}

// allAudit reads the whole log in Seq order.
func allAudit(t *testing.T, s store.AuditStore) []store.AuditEntry {
	t.Helper()
	var all []store.AuditEntry
	var after int64
	for {
		page, err := s.AuditEntries(t.Context(), after, store.MaxLimit)
		if err != nil {
			t.Fatalf("AuditEntries(%d): %v", after, err)
		}
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		after = page[len(page)-1].Seq
	}
}

// checkChain checks that es is an unbroken chain 1..len(es), each entry
// linked to the one before and hashed with store.AuditHash.
func checkChain(t *testing.T, es []store.AuditEntry) {
	t.Helper()
	prev := ""
	for i, e := range es {
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d has Seq %d, want %d", i, e.Seq, i+1)
		}
		if e.PrevHash != prev {
			t.Errorf("entry Seq %d: PrevHash %q, want the Hash before it %q", e.Seq, e.PrevHash, prev)
		}
		if h := store.AuditHash(e); e.Hash != h {
			t.Errorf("entry Seq %d: Hash %q, want AuditHash %q", e.Seq, e.Hash, h)
		}
		prev = e.Hash
	}
}

func testAppendAudit(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("sets Seq, PrevHash and Hash and stores every field", func(t *testing.T) {
		s := open(t)
		var want []store.AuditEntry
		for i := range 5 {
			e := newAuditEntry(i)
			// Whatever the caller puts in the chain fields is replaced.
			e.Seq, e.PrevHash, e.Hash = 99, "forged", "forged"
			in := e
			if err := s.AppendAudit(t.Context(), &e); err != nil {
				t.Fatalf("AppendAudit %d: %v", i, err)
			}
			in.At = store.Truncate(in.At)
			in.Seq = int64(i + 1)
			in.PrevHash = ""
			if i > 0 {
				in.PrevHash = want[i-1].Hash
			}
			in.Hash = store.AuditHash(in)
			if diff := auditDiff(in, e); diff != "" {
				t.Errorf("entry %d as written back differs:\n\t%s", i, diff)
			}
			want = append(want, in)
		}
		checkChain(t, want)
		checkAudit(t, "AuditEntries", want, allAudit(t, s))
	})

	t.Run("keeps empty fields empty", func(t *testing.T) {
		s := open(t)
		e := mustAppend(t, s, store.AuditEntry{At: at(0), ActorName: "system", Action: "calendar.import"})
		checkAudit(t, "AuditEntries", []store.AuditEntry{e}, allAudit(t, s))
		checkChain(t, []store.AuditEntry{e})
	})

	t.Run("a zero At or an empty Action is EINVALID and appends nothing", func(t *testing.T) {
		s := open(t)
		noTime := newAuditEntry(0)
		noTime.At = time.Time{}
		wantError(t, "AppendAudit without At", s.AppendAudit(t.Context(), &noTime), store.EINVALID, store.MsgIncomplete)
		noAction := newAuditEntry(0)
		noAction.Action = ""
		wantError(t, "AppendAudit without Action", s.AppendAudit(t.Context(), &noAction), store.EINVALID, store.MsgIncomplete)
		if n := len(allAudit(t, s)); n != 0 {
			t.Errorf("%d entries stored, want none", n)
		}
		if e := mustAppend(t, s, newAuditEntry(1)); e.Seq != 1 {
			t.Errorf("the first valid entry got Seq %d, want 1", e.Seq)
		}
	})
}

func testConcurrentAudit(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("20 writers at once leave one unbroken chain of 20", func(t *testing.T) {
		s := open(t)
		const n = 20
		errs := make([]error, n)
		got := make([]store.AuditEntry, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				e := newAuditEntry(i)
				errs[i] = s.AppendAudit(t.Context(), &e)
				got[i] = e
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("AppendAudit %d: %v", i, err)
			}
		}
		all := allAudit(t, s)
		if len(all) != n {
			t.Fatalf("%d entries stored, want %d", len(all), n)
		}
		checkChain(t, all)
		// Each writer was told the place its entry took.
		bySeq := map[int64]store.AuditEntry{}
		for _, e := range all {
			bySeq[e.Seq] = e
		}
		seen := map[int64]bool{}
		for i, e := range got {
			if seen[e.Seq] {
				t.Errorf("writer %d was told Seq %d, which another writer was told too", i, e.Seq)
			}
			seen[e.Seq] = true
			if diff := auditDiff(bySeq[e.Seq], e); diff != "" {
				t.Errorf("writer %d's entry differs from the stored Seq %d:\n\t%s", i, e.Seq, diff)
			}
		}
	})
}

func testAuditEntries(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	var all []store.AuditEntry
	for i := range 7 {
		all = append(all, mustAppend(t, s, newAuditEntry(i)))
	}
	tests := []struct {
		name     string
		afterSeq int64
		limit    int
		want     []store.AuditEntry
	}{
		{"from the start", 0, 3, all[:3]},
		{"from the middle", 3, 3, all[3:6]},
		{"the rest", 6, 3, all[6:]},
		{"past the end", 7, 3, nil},
		{"a negative afterSeq is the start", -5, 2, all[:2]},
		{"limit 0 means the default", 0, 0, all},
		{"a limit above the maximum is the maximum", 2, store.MaxLimit + 1, all[2:]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.AuditEntries(t.Context(), tc.afterSeq, tc.limit)
			if err != nil {
				t.Fatalf("AuditEntries(%d, %d): %v", tc.afterSeq, tc.limit, err)
			}
			checkAudit(t, fmt.Sprintf("AuditEntries(%d, %d)", tc.afterSeq, tc.limit), tc.want, got)
		})
	}
}

func testListAudit(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	fixtures := []struct {
		actor, action, target, region string
	}{
		{"user-1", "login.success", "user-1", ""},           // 1
		{"user-1", "case.accept", "case-a", "220102"},       // 2
		{"user-2", "case.reject", "case-b", "220103"},       // 3
		{"", "login.failure", "", ""},                       // 4
		{"user-2", "identity.reveal", "case-a", "220102"},   // 5
		{"user-3", "case.accept", "case-c", "2201"},         // 6
		{"user-1", "CASE.accept", "case-d", "220102"},       // 7: prefix is case-sensitive
		{"user-3", "casework.note", "case-c", "2201"},       // 8
		{"user-2", "login.success", "user-2", ""},           // 9
		{"user-1", "user.password_reset", "user-2", "2201"}, // 10
	}
	var all []store.AuditEntry // in Seq order
	for i, f := range fixtures {
		e := newAuditEntry(i)
		e.ActorID, e.Action, e.TargetID, e.RegionCode = f.actor, f.action, f.target, f.region
		all = append(all, mustAppend(t, s, e))
	}
	seqs := func(ns ...int64) []store.AuditEntry {
		var out []store.AuditEntry
		for _, n := range ns {
			out = append(out, all[n-1])
		}
		return out
	}
	tests := []struct {
		name   string
		filter store.AuditFilter
		want   []store.AuditEntry // newest first
		total  int
	}{
		{"no filter lists everything newest first", store.AuditFilter{},
			seqs(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 10},
		{"regions include entries with no region", store.AuditFilter{RegionCodes: []string{"220102"}},
			seqs(9, 7, 5, 4, 2, 1), 6},
		{"several regions", store.AuditFilter{RegionCodes: []string{"220103", "2201"}},
			seqs(10, 9, 8, 6, 4, 3, 1), 7},
		{"actor", store.AuditFilter{ActorID: "user-2"}, seqs(9, 5, 3), 3},
		{"action prefix", store.AuditFilter{ActionPrefix: "case."}, seqs(6, 3, 2), 3},
		{"action prefix without the dot", store.AuditFilter{ActionPrefix: "case"}, seqs(8, 6, 3, 2), 4},
		{"a whole action", store.AuditFilter{ActionPrefix: "login.success"}, seqs(9, 1), 2},
		{"a prefix is not a pattern", store.AuditFilter{ActionPrefix: "login.%"}, nil, 0},
		{"a prefix is not a regular expression", store.AuditFilter{ActionPrefix: "login.*"}, nil, 0},
		{"target", store.AuditFilter{TargetID: "case-a"}, seqs(5, 2), 2},
		{"time range is [From, To)", store.AuditFilter{From: all[2].At, To: all[5].At}, seqs(5, 4, 3), 3},
		{"From only", store.AuditFilter{From: all[7].At}, seqs(10, 9, 8), 3},
		{"To only, in another zone", store.AuditFilter{To: all[1].At.In(store.CST)}, seqs(1), 1},
		{"everything together", store.AuditFilter{
			RegionCodes: []string{"220102"}, ActorID: "user-1", ActionPrefix: "login.", From: all[0].At, To: all[9].At,
		}, seqs(1), 1},
		{"page", store.AuditFilter{Limit: 3, Offset: 2}, seqs(8, 7, 6), 10},
		{"last page", store.AuditFilter{Limit: 4, Offset: 8}, seqs(2, 1), 10},
		{"past the end", store.AuditFilter{Limit: 4, Offset: 20}, nil, 10},
		{"a negative offset is 0", store.AuditFilter{Limit: 2, Offset: -3}, seqs(10, 9), 10},
		{"page of a filter", store.AuditFilter{RegionCodes: []string{"220102"}, Limit: 2, Offset: 1}, seqs(7, 5), 6},
		{"no match", store.AuditFilter{ActorID: "nobody"}, nil, 0},
	}
	t.Run("prefixes beyond ASCII match by bytes", func(t *testing.T) {
		s := open(t)
		// 叿 is U+53FF (e5 8f bf), the last character before 吀 (U+5400,
		// e5 90 80): a byte range that mishandles the carry matches both.
		var es []store.AuditEntry
		for i, action := range []string{"叿.受理", "吀.受理", "叿", "叿叿", "受理", "叾.受理"} {
			e := newAuditEntry(i)
			e.Action = action
			es = append(es, mustAppend(t, s, e))
		}
		for _, tc := range []struct {
			prefix string
			want   []store.AuditEntry
		}{
			{"叿", []store.AuditEntry{es[3], es[2], es[0]}},
			{"叿.", []store.AuditEntry{es[0]}},
			{"受", []store.AuditEntry{es[4]}},
			{"吀", []store.AuditEntry{es[1]}},
		} {
			got, total, err := s.ListAudit(t.Context(), store.AuditFilter{ActionPrefix: tc.prefix})
			if err != nil {
				t.Fatalf("ListAudit(%q): %v", tc.prefix, err)
			}
			if total != len(tc.want) {
				t.Errorf("ListAudit(%q): total %d, want %d", tc.prefix, total, len(tc.want))
			}
			checkAudit(t, fmt.Sprintf("ListAudit(%q)", tc.prefix), tc.want, got)
		}
	})

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := s.ListAudit(t.Context(), tc.filter)
			if err != nil {
				t.Fatalf("ListAudit: %v", err)
			}
			if total != tc.total {
				t.Errorf("total %d, want %d", total, tc.total)
			}
			checkAudit(t, "ListAudit", tc.want, got)
		})
	}
}

func testVerifyAuditChain(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("an empty log is intact", func(t *testing.T) {
		s := open(t)
		checked, firstBad, err := store.VerifyAuditChain(t.Context(), s, 10)
		if err != nil || checked != 0 || firstBad != 0 {
			t.Errorf("VerifyAuditChain = %d, %d, %v; want 0, 0, nil", checked, firstBad, err)
		}
	})

	t.Run("an appended log is intact, whatever the batch", func(t *testing.T) {
		s := open(t)
		const n = 11
		for i := range n {
			mustAppend(t, s, newAuditEntry(i))
		}
		for _, batch := range []int{1, 2, 5, 11, 0, store.MaxLimit + 1} {
			checked, firstBad, err := store.VerifyAuditChain(t.Context(), s, batch)
			if err != nil || checked != n || firstBad != 0 {
				t.Errorf("VerifyAuditChain(batch %d) = %d, %d, %v; want %d, 0, nil", batch, checked, firstBad, err, n)
			}
		}
	})
}
