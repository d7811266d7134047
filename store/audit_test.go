package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"fundwatch/store"
)

// sliceLog is an AuditStore over a slice kept in Seq order, so a test can
// hand VerifyAuditChain any log, broken however it likes.
type sliceLog struct {
	entries []store.AuditEntry
	err     error // returned by AuditEntries once calls reaches failAt
	failAt  int
	calls   int
	limits  []int
}

func (l *sliceLog) AppendAudit(context.Context, *store.AuditEntry) error {
	return errors.ErrUnsupported
}

func (l *sliceLog) ListAudit(context.Context, store.AuditFilter) ([]store.AuditEntry, int, error) {
	return nil, 0, errors.ErrUnsupported
}

func (l *sliceLog) ImportAuditEntry(context.Context, store.AuditEntry) error {
	return errors.ErrUnsupported
}

func (l *sliceLog) AuditEntries(_ context.Context, afterSeq int64, limit int) ([]store.AuditEntry, error) {
	l.calls++
	l.limits = append(l.limits, limit)
	if l.err != nil && l.calls >= l.failAt {
		return nil, l.err
	}
	var out []store.AuditEntry
	for _, e := range l.entries {
		if e.Seq > afterSeq && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

// chain builds an intact log of n entries.
func chain(n int) []store.AuditEntry {
	var es []store.AuditEntry
	prev := ""
	for i := 1; i <= n; i++ {
		e := store.AuditEntry{
			Seq: int64(i), At: time.Date(2026, 5, 1, 9, i, 0, 0, time.UTC), ActorID: "user-1",
			ActorName: "zhang.san", Action: "case.accept", TargetType: "case", TargetID: fmt.Sprintf("case-%d", i),
			Detail: fmt.Sprintf("受理第 %d 件", i), PrevHash: prev,
		}
		e.Hash = store.AuditHash(e)
		prev = e.Hash
		es = append(es, e)
	}
	return es
}

// rehash recomputes the hashes of es from index i on, as someone covering
// an edit would.
func rehash(es []store.AuditEntry, i int) {
	for ; i < len(es); i++ {
		if i > 0 {
			es[i].PrevHash = es[i-1].Hash
		}
		es[i].Hash = store.AuditHash(es[i])
	}
}

func TestVerifyAuditChain(t *testing.T) {
	tests := []struct {
		name            string
		log             func() []store.AuditEntry
		checked, broken int64
	}{
		{"empty", func() []store.AuditEntry { return nil }, 0, 0},
		{"intact", func() []store.AuditEntry { return chain(7) }, 7, 0},
		{"edited detail", func() []store.AuditEntry {
			es := chain(7)
			es[3].Detail = "无异常"
			return es
		}, 3, 4},
		{"edited and its own hash recomputed", func() []store.AuditEntry {
			es := chain(7)
			es[3].Detail = "无异常"
			es[3].Hash = store.AuditHash(es[3])
			return es
		}, 4, 5},
		// A consistent rewrite of everything from the edit on goes unseen:
		// only a copy of the last hash kept elsewhere shows it.
		{"an edit with every hash after it recomputed", func() []store.AuditEntry {
			es := chain(7)
			es[3].Detail = "无异常"
			rehash(es, 3)
			return es
		}, 7, 0},
		{"removed entry", func() []store.AuditEntry {
			es := chain(7)
			return append(es[:2:2], es[3:]...)
		}, 2, 4},
		{"removed entry with the rest re-linked", func() []store.AuditEntry {
			es := chain(7)
			es = append(es[:2:2], es[3:]...)
			rehash(es, 2)
			return es
		}, 2, 4},
		{"first entry with a PrevHash", func() []store.AuditEntry {
			es := chain(3)
			es[0].PrevHash = "00"
			rehash(es, 0)
			return es
		}, 0, 1},
		{"a chain that does not start at 1", func() []store.AuditEntry { return chain(5)[2:] }, 0, 3},
		{"an entry whose Seq was changed", func() []store.AuditEntry {
			es := chain(5)
			es[4].Seq = 9
			return es
		}, 4, 9},
	}
	for _, tc := range tests {
		for _, batch := range []int{1, 2, 3, 100} {
			t.Run(fmt.Sprintf("%s, batch %d", tc.name, batch), func(t *testing.T) {
				log := &sliceLog{entries: tc.log()}
				checked, firstBad, err := store.VerifyAuditChain(t.Context(), log, batch)
				if err != nil {
					t.Fatalf("VerifyAuditChain: %v", err)
				}
				if checked != tc.checked || firstBad != tc.broken {
					t.Errorf("VerifyAuditChain = checked %d, first bad %d; want %d, %d", checked, firstBad, tc.checked, tc.broken)
				}
			})
		}
	}
}

// repeatingLog ignores afterSeq, as a broken backend might: the walk must
// stop rather than loop, and must not report a broken place as 0.
type repeatingLog struct{ sliceLog }

func (l *repeatingLog) AuditEntries(_ context.Context, _ int64, limit int) ([]store.AuditEntry, error) {
	return l.entries[:min(limit, len(l.entries))], nil
}

func TestVerifyAuditChainOnAStoreIgnoringAfterSeq(t *testing.T) {
	log := &repeatingLog{sliceLog{entries: chain(4)}}
	checked, firstBad, err := store.VerifyAuditChain(t.Context(), log, 2)
	if err != nil || checked != 2 || firstBad != 3 {
		t.Errorf("VerifyAuditChain = %d, %d, %v; want 2, 3 (the place after the last sound entry), nil", checked, firstBad, err)
	}
}

func TestVerifyAuditChainBatch(t *testing.T) {
	for _, tc := range []struct{ batch, want int }{
		{0, store.DefaultLimit}, {-1, store.DefaultLimit}, {7, 7}, {store.MaxLimit + 1, store.MaxLimit},
	} {
		log := &sliceLog{entries: chain(3)}
		if _, _, err := store.VerifyAuditChain(t.Context(), log, tc.batch); err != nil {
			t.Fatalf("VerifyAuditChain: %v", err)
		}
		for _, l := range log.limits {
			if l != tc.want {
				t.Errorf("batch %d: AuditEntries asked for %d, want %d", tc.batch, l, tc.want)
			}
		}
	}
}

func TestVerifyAuditChainReportsStoreErrors(t *testing.T) {
	want := store.Errorf(store.EUNAVAILABLE, store.MsgUnavailable)
	log := &sliceLog{entries: chain(5), err: want, failAt: 2}
	checked, firstBad, err := store.VerifyAuditChain(t.Context(), log, 2)
	if !errors.Is(err, want) || checked != 2 || firstBad != 0 {
		t.Errorf("VerifyAuditChain = %d, %d, %v; want 2 checked, 0, the store's error", checked, firstBad, err)
	}
}
