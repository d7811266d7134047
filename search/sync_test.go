package search_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/search"
	searchbleve "fundwatch/search/bleve"
	"fundwatch/store"
	"fundwatch/store/sqlite"
)

// The sync loop on the embedded pair (SQLite and Bleve): the indexes follow
// the store, a write never waits for search, what changed while the engine
// was down is indexed once it is back, and the cases index never holds
// anything of a reporter's identity.

var testKey = bytes.Repeat([]byte{0x5a}, 32)

// The reporter of every named case below. Neither the name nor the ID
// number may reach an index.
var reporter = &casework.ReporterIdentity{Name: "欧阳建国", IDNumber: "11010519491231002X", Phone: "13812345678", Email: "oyjg@example.com"}

type rig struct {
	st      store.Store
	svc     *caseflow.Service
	dir     string
	pub     search.Index
	cases   search.Index
	sync    *search.Syncer
	regions *casework.Regions
}

func newRig(t *testing.T) *rig {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "fundwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	k, err := casework.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{st: st, dir: filepath.Join(dir, "search"), regions: casework.DefaultRegions()}
	r.svc = &caseflow.Service{Store: st, Keyring: k, Regions: r.regions, Rules: caseflow.DefaultRules(),
		Clock: func() time.Time { return time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC) }}
	r.open(t)
	return r
}

// open opens (or reopens) both Bleve indexes and a syncer over them.
func (r *rig) open(t *testing.T) {
	t.Helper()
	var err error
	if r.pub, err = searchbleve.Open(r.dir, search.IndexPublic); err != nil {
		t.Fatal(err)
	}
	if r.cases, err = searchbleve.Open(r.dir, search.IndexCases); err != nil {
		t.Fatal(err)
	}
	pub, cases := r.pub, r.cases
	t.Cleanup(func() { pub.Close(); cases.Close() })
	r.sync = &search.Syncer{Source: r.st, Regions: r.regions, Public: r.pub, Cases: r.cases}
}

func (r *rig) close() { r.pub.Close(); r.cases.Close() }

func (r *rig) file(t *testing.T, region, party, description string) *store.Case {
	t.Helper()
	key := "sync-test-" + store.NewID()
	rc, err := r.svc.FileCase(context.Background(), caseflow.Filing{Kind: store.KindReport, ReporterType: store.ReporterCitizen,
		Category: "fraudulent_claims", InsuranceTypes: []string{"pension"}, RegionCode: region,
		Subject: store.Party{Name: party}, Description: description, Identity: reporter, IdempotencyKey: key, Digest: key})
	if err != nil {
		t.Fatalf("file a case: %v", err)
	}
	return rc.Case
}

func (r *rig) syncOnce(t *testing.T) int {
	t.Helper()
	n, err := r.sync.SyncOnce(context.Background())
	if err != nil {
		t.Fatalf("SyncOnce: %v", err)
	}
	return n
}

func (r *rig) pending(t *testing.T, area string) (int64, int64) {
	t.Helper()
	p, i, err := r.st.IndexState(context.Background(), area)
	if err != nil {
		t.Fatal(err)
	}
	return p, i
}

// find searches the cases index within all of 吉林省 and returns the ids.
func (r *rig) find(t *testing.T, q string) []string {
	t.Helper()
	return hitIDs(t, r.cases, search.Query{Text: q, RegionCodes: r.regions.Descendants("220000"), Limit: search.MaxLimit})
}

// findPublic searches the public index.
func (r *rig) findPublic(t *testing.T, q string) []string {
	t.Helper()
	return hitIDs(t, r.pub, search.Query{Text: q, Limit: search.MaxLimit})
}

// hitIDs runs q on idx and returns the hits' ids.
func hitIDs(t *testing.T, idx search.Index, q search.Query) []string {
	t.Helper()
	res, err := idx.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("search %q: %v", q.Text, err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func TestSyncIndexesCasesWithoutTheReporter(t *testing.T) {
	r := newRig(t)
	a := r.file(t, "220102", "长春市宏达建筑工程有限公司", "该公司为已去世的退休职工继续冒领养老金，涉及金额约12.6万元。")
	b := r.file(t, "220203", "吉林市某医药连锁公司", "药店串换药品，骗取医疗保险基金。")
	if p, _ := r.pending(t, store.IndexCases); p != 2 {
		t.Fatalf("pending after filing two cases = %d, want 2", p)
	}
	if n := r.syncOnce(t); n != 2 {
		t.Errorf("SyncOnce indexed %d, want 2", n)
	}
	if p, i := r.pending(t, store.IndexCases); p != 0 || i != 2 {
		t.Errorf("after the sync: pending %d indexed %d, want 0 and 2", p, i)
	}
	for q, want := range map[string]string{"去世的退休职工": a.ID, "126000": a.ID, "医保": b.ID, a.Number: a.ID, "宏达建筑": a.ID} {
		if got := r.find(t, q); len(got) != 1 || got[0] != want {
			t.Errorf("search %q = %v, want [%s]", q, got, want)
		}
	}
	for _, q := range []string{reporter.Name, reporter.IDNumber, reporter.Phone} {
		if got := r.find(t, q); len(got) != 0 {
			t.Errorf("search for the reporter's %q found %v", q, got)
		}
	}
	// Nothing of the reporter in the index's files, in any form Bleve
	// might keep text: the name's UTF-8 bytes, the ID number, the phone.
	r.close()
	var files int
	err := filepath.WalkDir(r.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, secret := range []string{reporter.Name, reporter.IDNumber, reporter.Phone, reporter.Email, "欧阳", "1231002X", "1231002x"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("index file %s holds the reporter's %q", path, secret)
			}
		}
		// The case itself is there: the grep would find a leak.
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("walk the index files: %d files, %v", files, err)
	}
	found := false
	_ = filepath.WalkDir(r.dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			found = found || bytes.Contains(b, []byte("宏达建筑"))
		}
		return nil
	})
	if !found {
		t.Error("the reported party's name is not in the index files either: the grep above proves nothing")
	}
}

// flaky is an index that fails with ErrUnavailable while down is set.
type flaky struct {
	search.Index
	down atomic.Bool
	puts atomic.Int64
}

func (f *flaky) Put(ctx context.Context, docs []search.Document) error {
	if f.down.Load() {
		return search.Unavailable(errors.New("connection refused"))
	}
	f.puts.Add(1)
	return f.Index.Put(ctx, docs)
}

func (f *flaky) Count(ctx context.Context) (int64, error) {
	if f.down.Load() {
		return 0, search.Unavailable(errors.New("connection refused"))
	}
	return f.Index.Count(ctx)
}

func TestSyncCatchesUpAfterTheEngineWasDown(t *testing.T) {
	r := newRig(t)
	fl := &flaky{Index: r.cases}
	fl.down.Store(true)
	r.sync.Cases = fl
	// Writes go on while search is down.
	var ids []string
	for i := range 5 {
		ids = append(ids, r.file(t, "220102", "长春市某某商贸有限公司", "少报职工工资基数，按最低基数缴纳养老保险费。第"+string(rune('一'+i))+"件").ID)
	}
	_, err := r.sync.SyncOnce(context.Background())
	if !errors.Is(err, search.ErrUnavailable) {
		t.Fatalf("SyncOnce while down: %v, want ErrUnavailable", err)
	}
	st, err := r.sync.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var cases search.AreaStatus
	for _, s := range st {
		if s.Area == store.IndexCases {
			cases = s
		}
	}
	if cases.Pending != 5 || cases.Failing == "" || cases.FailingSince.IsZero() {
		t.Errorf("status while down = %+v, want 5 pending and failing", cases)
	}
	if p, _ := r.pending(t, store.IndexCases); p != 5 {
		t.Errorf("pending while down = %d, want 5", p)
	}
	fl.down.Store(false)
	if n := r.syncOnce(t); n != 5 {
		t.Errorf("catch-up indexed %d, want 5", n)
	}
	if got := r.find(t, "最低基数"); len(got) != 5 {
		t.Errorf("after catching up, search finds %d cases, want 5", len(got))
	}
	st, _ = r.sync.Status(context.Background())
	for _, s := range st {
		if s.Failing != "" || s.Pending != 0 {
			t.Errorf("status after catching up = %+v", s)
		}
	}
}

func TestSyncTellsFailedOfEveryFailedRoundButNotOfACancelledOne(t *testing.T) {
	r := newRig(t)
	fl := &flaky{Index: r.cases}
	fl.down.Store(true)
	r.sync.Cases = fl
	type failure struct {
		area string
		err  error
	}
	var failures []failure
	r.sync.Failed = func(area string, err error) { failures = append(failures, failure{area, err}) }
	r.file(t, "220102", "长春市某某商贸有限公司", "少报职工工资基数，按最低基数缴纳养老保险费。")
	for range 3 {
		if _, err := r.sync.SyncOnce(context.Background()); err == nil {
			t.Fatal("SyncOnce succeeded while the engine was down")
		}
	}
	if len(failures) != 3 {
		t.Fatalf("Failed told %d times after 3 failed rounds, want 3: %v", len(failures), failures)
	}
	for _, f := range failures {
		if f.area != store.IndexCases || !errors.Is(f.err, search.ErrUnavailable) {
			t.Errorf("Failed told %s %v, want the cases area and the engine's error", f.area, f.err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _ = r.sync.SyncOnce(ctx)
	if len(failures) != 3 {
		t.Errorf("Failed told of a round cut short by shutting down: %v", failures[3:])
	}
	fl.down.Store(false)
	r.syncOnce(t)
	if len(failures) != 3 {
		t.Errorf("Failed told of a round that succeeded: %v", failures[3:])
	}
}

func TestSyncRun(t *testing.T) {
	r := newRig(t)
	r.sync.Interval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.sync.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	c := r.file(t, "220102", "长春市安达物流有限公司", "单位拖欠职工工伤保险费。")
	r.sync.Kick()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := r.find(t, "安达物流"); len(got) == 1 && got[0] == c.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the running loop did not index a filed case within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// publish creates and publishes an announcement through the store's
// workflow steps, as the service layer does.
func publish(t *testing.T, st store.Store, title, body string) *store.Publication {
	t.Helper()
	ctx := context.Background()
	now := store.Truncate(time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC))
	p := &store.Publication{ID: store.NewID(), Kind: store.PubAnnouncement, RegionCode: "220100", CreatedBy: "u1", CreatedAt: now, UpdatedAt: now}
	r := &store.Revision{Title: title, Summary: "摘要", Body: body, CreatedBy: "u1", CreatedAt: now, UpdatedAt: now}
	if err := st.CreatePublication(ctx, p, r); err != nil {
		t.Fatal(err)
	}
	var err error
	for _, step := range [][2]string{{store.RevDraft, store.RevSubmitted}, {store.RevSubmitted, store.RevApproved}, {store.RevApproved, store.RevPublished}} {
		if p, err = st.StepPublication(ctx, store.PublicationStep{ID: p.ID, ExpectVersion: p.Version, From: step[0], To: step[1], By: "u2", At: now}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func TestSyncPublicationsFollowTheLiveRevision(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	now := store.Truncate(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
	// A draft never published stays out of the public index.
	draft := &store.Publication{ID: store.NewID(), Kind: store.PubNews, RegionCode: "220100", CreatedBy: "u1", CreatedAt: now, UpdatedAt: now}
	if err := r.st.CreatePublication(ctx, draft, &store.Revision{Title: "尚未发布的草稿标题", Body: "草稿正文", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	p := publish(t, r.st, "长春市通报一起骗取失业保险金案件", "经查，某公司虚构劳动关系骗取失业保险金3.2万元。")
	r.syncOnce(t)
	if got := r.findPublic(t, "失业金"); len(got) != 1 || got[0] != p.ID {
		t.Errorf("published announcement by a synonym: %v", got)
	}
	if got := r.findPublic(t, "草稿"); len(got) != 0 {
		t.Errorf("a draft is searchable: %v", got)
	}
	// A correction's draft does not reach the index; the live text stays.
	p2, err := r.st.SaveDraft(ctx, p.ID, p.Version, &store.Revision{Number: 2, Title: "更正中的标题", Body: "更正稿正文：追回资金", CorrectionNote: "更正金额", CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	r.syncOnce(t)
	if got := r.findPublic(t, "更正稿"); len(got) != 0 {
		t.Errorf("a correction's draft is searchable: %v", got)
	}
	if got := r.findPublic(t, "虚构劳动关系"); len(got) != 1 {
		t.Errorf("the live text after a correction draft: %v", got)
	}
	// Withdrawn: gone from the index.
	if _, err := r.st.WithdrawPublication(ctx, p.ID, p2.Version, "u2", "内容有误", now); err != nil {
		t.Fatal(err)
	}
	r.syncOnce(t)
	if got := r.findPublic(t, "虚构劳动关系"); len(got) != 0 {
		t.Errorf("a withdrawn publication is searchable: %v", got)
	}
	if p, _ := r.pending(t, store.IndexPublications); p != 0 {
		t.Errorf("publications pending = %d", p)
	}
}

func TestSyncRefeedsALostIndex(t *testing.T) {
	r := newRig(t)
	r.file(t, "220102", "长春市远航汽车销售有限公司", "少缴失业保险费。")
	r.syncOnce(t)
	// Reopened as it was: nothing to do.
	r.close()
	r.open(t)
	if err := r.sync.Prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := r.syncOnce(t); n != 0 {
		t.Errorf("after a clean reopen SyncOnce indexed %d, want 0", n)
	}
	if got := r.find(t, "远航汽车"); len(got) != 1 {
		t.Errorf("after reopening: %v", got)
	}
	// The index directory lost: the store still says indexed, the index is
	// empty, and Prepare has every record indexed again.
	r.close()
	if err := os.RemoveAll(r.dir); err != nil {
		t.Fatal(err)
	}
	r.open(t)
	if err := r.sync.Prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := r.syncOnce(t); n != 1 {
		t.Errorf("after losing the index SyncOnce indexed %d, want 1", n)
	}
	if got := r.find(t, "远航汽车"); len(got) != 1 {
		t.Errorf("after re-feeding: %v", got)
	}
	// Reindex rewrites every record.
	n, err := r.sync.Reindex(context.Background(), store.IndexCases)
	if err != nil || n != 1 {
		t.Errorf("Reindex = %d, %v; want 1", n, err)
	}
}

func TestLazyOpensWhenTheEngineComesBack(t *testing.T) {
	r := newRig(t)
	var up atomic.Bool
	var opens atomic.Int64
	lazy := search.NewLazy(func(ctx context.Context) (search.Index, error) {
		opens.Add(1)
		if !up.Load() {
			return nil, errors.New("dial tcp 127.0.0.1:7700: connection refused")
		}
		return r.pub, nil
	}, time.Millisecond)
	ctx := context.Background()
	if _, err := lazy.Count(ctx); !errors.Is(err, search.ErrUnavailable) {
		t.Errorf("Count while down: %v", err)
	}
	var qe *search.QueryError
	if _, err := lazy.Search(ctx, search.Query{Text: "   "}); !errors.As(err, &qe) {
		t.Errorf("a bad query while down: %v, want the QueryError", err)
	}
	up.Store(true)
	time.Sleep(2 * time.Millisecond)
	if _, err := lazy.Count(ctx); err != nil {
		t.Errorf("Count once up: %v", err)
	}
	if _, err := lazy.Count(ctx); err != nil || opens.Load() != 2 {
		t.Errorf("a second call opened again: %d opens, %v", opens.Load(), err)
	}
}

// A batch larger than the store reads by ID at once is cut to that size: a
// syncer configured with one would otherwise fail every round and index
// nothing (as one did in a load test with Batch 1000).
func TestSyncBatchIsBoundedByTheStore(t *testing.T) {
	r := newRig(t)
	r.sync.Batch = 2 * store.MaxLimit
	for i := range store.MaxLimit + 20 {
		r.file(t, "220102", fmt.Sprintf("批量单位%04d", i), "冒领养老金")
	}
	if n := r.syncOnce(t); n != store.MaxLimit+20 {
		t.Errorf("indexed %d cases, want %d", n, store.MaxLimit+20)
	}
	if p, _ := r.pending(t, store.IndexCases); p != 0 {
		t.Errorf("%d cases still pending", p)
	}
}
