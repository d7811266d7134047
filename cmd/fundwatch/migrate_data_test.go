package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"fundwatch/store"
	"fundwatch/store/mongo/mongotest"
	"fundwatch/store/sqlite"
)

// seedCases fills s with n cases, each with a transition and a message.
func seedCases(t *testing.T, s store.Store, n int) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		at := base.Add(time.Duration(i) * time.Hour)
		c := &store.Case{
			ID: fmt.Sprintf("case-%03d", i), Kind: store.KindReport, ReporterType: store.ReporterCitizen,
			Category: "unpaid_contributions", InsuranceTypes: []string{"pension"}, RegionCode: "220102",
			Subject: store.Party{Name: fmt.Sprintf("某某公司%d", i)}, AmountFen: int64(i) * 100, AmountGiven: i%2 == 0,
			Description: "迁移测试：用人单位少报缴费基数。<b>不是标记</b>", Channel: store.ChannelFundSupervision,
			Status: store.StatusReceived, ReporterSealed: []byte{1, 2, byte(i)}, AccessCodeHash: []byte{9, byte(i)},
			IdempotencyKey: fmt.Sprintf("idem-%03d", i), SubmissionHash: "h", CreatedAt: at, UpdatedAt: at,
		}
		if err := s.CreateCase(ctx, c, store.Event{ID: c.ID + "-e0", At: at, ToStatus: store.StatusReceived}); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := s.UpdateCase(ctx, store.CaseUpdate{CaseID: c.ID, ExpectStatus: store.StatusReceived,
				Event: store.Event{ID: c.ID + "-e1", At: at.Add(time.Minute), Action: store.ActionStatus,
					FromStatus: store.StatusReceived, ToStatus: store.StatusAccepted, Note: "已受理", Actor: "u1"}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.AddMessage(ctx, &store.Message{ID: c.ID + "-m1", CaseID: c.ID, At: at.Add(2 * time.Minute),
			Author: store.AuthorReporter, Body: "补充信息"}); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			// Handled: assigned, classified, with a deadline and a conclusion
			// so far, recorded by an internal event.
			cur, err := s.CaseByID(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			due := at.Add(60 * 24 * time.Hour)
			assignee, class, national, discovered := fmt.Sprintf("user-%d", i), store.ClassMajor, i%2 == 0, "2026-03-01"
			mode, extension := store.ModeOnSite, 30
			conclusion := store.Conclusion{AmountInvolvedFen: int64(i) * 1000, Measures: "责令整改", RectifyBy: "2026-06-30"}
			if _, err := s.UpdateCase(ctx, store.CaseUpdate{CaseID: c.ID, ExpectStatus: cur.Status, ExpectVersion: cur.Version,
				Event: store.Event{ID: c.ID + "-e2", At: at.Add(3 * time.Minute), Action: store.ActionClassify,
					FromStatus: cur.Status, ToStatus: cur.Status, Note: "定为重大要情", Actor: "leader-1", Internal: true},
				Set: store.CaseChanges{AssigneeID: &assignee, DueAt: &due, ImportantClass: &class, National: &national,
					SeriousImpact: &national, DiscoveredOn: &discovered, InvestigationMode: &mode,
					ExtensionDays: &extension, Conclusion: &conclusion},
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func runMigrate(t *testing.T, from, to string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := migrateData(context.Background(), []string{"--from", from, "--to", to}, &out)
	return code, out.String()
}

func TestMigrateDataRoundTripSQLiteToMongoAndBack(t *testing.T) {
	dir := t.TempDir()
	srcPath := filepath.Join(dir, "src.db")
	src, err := sqlite.Open(srcPath)
	if err != nil {
		t.Fatal(err)
	}
	seedCases(t, src, 25)
	src.Close()

	uri := mongotest.URI(t)
	dbName := mongotest.DatabaseName(t)
	mongoSpec := "mongo:" + withDatabase(uri, dbName)

	code, out := runMigrate(t, "sqlite:"+srcPath, mongoSpec)
	if code != 0 || !strings.Contains(out, "source cases 25, copied 25, already present 0, mismatched 0, destination cases 25") {
		t.Fatalf("first copy: exit %d\n%s", code, out)
	}
	code, out = runMigrate(t, "sqlite:"+srcPath, mongoSpec)
	if code != 0 || !strings.Contains(out, "copied 0, already present 25, mismatched 0") {
		t.Fatalf("re-run: exit %d\n%s", code, out)
	}

	backPath := filepath.Join(dir, "back.db")
	code, out = runMigrate(t, mongoSpec, "sqlite:"+backPath)
	if code != 0 || !strings.Contains(out, "copied 25") {
		t.Fatalf("copy back: exit %d\n%s", code, out)
	}

	// The round trip preserved every case byte for byte.
	a, _ := sqlite.Open(srcPath)
	defer a.Close()
	b, _ := sqlite.Open(backPath)
	defer b.Close()
	ids, err := allCaseIDs(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		c1, e1, m1, err := loadFull(context.Background(), a, id)
		if err != nil {
			t.Fatal(err)
		}
		c2, e2, m2, err := loadFull(context.Background(), b, id)
		if err != nil {
			t.Fatalf("case %s missing after the round trip: %v", id, err)
		}
		if caseHash(c1, e1, m1) != caseHash(c2, e2, m2) {
			t.Errorf("case %s differs after the round trip", c1.Number)
		}
	}

	// The handling of a case came through, not only equal hashes of nothing.
	handled, err := b.CaseByID(context.Background(), "case-003")
	if err != nil {
		t.Fatal(err)
	}
	if handled.AssigneeID != "user-3" || handled.ImportantClass != store.ClassMajor || handled.DueAt.IsZero() ||
		handled.ExtensionDays != 30 || handled.Conclusion.AmountInvolvedFen != 3000 {
		t.Errorf("handled case after the round trip: %+v", handled)
	}
	evs, err := b.CaseEvents(context.Background(), "case-003")
	if err != nil || len(evs) != 3 || evs[2].Action != store.ActionClassify || !evs[2].Internal {
		t.Errorf("handled case's events after the round trip: %+v, %v", evs, err)
	}

	// New cases in the copy continue numbering after the copied ones.
	next := &store.Case{ID: "after", Kind: store.KindReport, Status: store.StatusReceived, IdempotencyKey: "after-key",
		CreatedAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
	if err := b.CreateCase(context.Background(), next, store.Event{ID: "after-e0", At: next.CreatedAt, ToStatus: store.StatusReceived}); err != nil {
		t.Fatal(err)
	}
	if next.Number != "2026-000026" {
		t.Errorf("first new case after migration got %s, want 2026-000026", next.Number)
	}
}

// TestMigrateDataHashCoversEveryField guards the verification of migrate-data: a
// field of a case, an event or a message that the content hash left out
// could differ between source and destination unnoticed.
func TestMigrateDataHashCoversEveryField(t *testing.T) {
	at := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	c := &store.Case{ID: "c", Number: "2026-000001", Year: 2026, Seq: 1, Kind: store.KindReport,
		InsuranceTypes: []string{"pension"}, ReporterSealed: []byte{1}, AccessCodeHash: []byte{2},
		DueAt: at, CreatedAt: at, UpdatedAt: at, Version: 3}
	events := []store.Event{{ID: "e", CaseID: "c", At: at, Action: store.ActionAssign, Internal: true}}
	msgs := []store.Message{{ID: "m", CaseID: "c", At: at, Author: store.AuthorNote, Body: "内部"}}
	want := caseHash(c, events, msgs)

	check := func(what string, v reflect.Value, hash func() string, skip ...string) {
		t.Helper()
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			if slices.Contains(skip, name) {
				continue
			}
			f := v.Field(i)
			saved := reflect.New(f.Type()).Elem()
			saved.Set(f)
			if !perturb(f) {
				t.Errorf("%s.%s: cannot change a %s; extend perturb", what, name, f.Type())
				continue
			}
			if hash() == want {
				t.Errorf("a change of %s.%s leaves the content hash as it was", what, name)
			}
			f.Set(saved)
		}
	}
	h := func() string { return caseHash(c, events, msgs) }
	// IndexedVersion belongs to each installation's own search index.
	check("Case", reflect.ValueOf(c).Elem(), h, "IndexedVersion")
	check("Event", reflect.ValueOf(&events[0]).Elem(), h)
	check("Message", reflect.ValueOf(&msgs[0]).Elem(), h)
	c.IndexedVersion++
	if h() != want {
		t.Error("IndexedVersion changes the content hash")
	}
}

// perturb changes f to a different value of its type.
func perturb(f reflect.Value) bool {
	if f.Type() == reflect.TypeFor[time.Time]() {
		f.Set(reflect.ValueOf(f.Interface().(time.Time).Add(time.Millisecond)))
		return true
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(f.String() + "x")
	case reflect.Bool:
		f.SetBool(!f.Bool())
	case reflect.Int, reflect.Int64:
		f.SetInt(f.Int() + 1)
	case reflect.Slice:
		f.Set(reflect.Append(f, reflect.Zero(f.Type().Elem())))
	case reflect.Struct:
		for i := range f.NumField() {
			if !perturb(f.Field(i)) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

func TestMigrateDataReportsAChangedDestinationCaseAndDoesNotOverwriteIt(t *testing.T) {
	dir := t.TempDir()
	srcPath, dstPath := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db")
	src, err := sqlite.Open(srcPath)
	if err != nil {
		t.Fatal(err)
	}
	seedCases(t, src, 3)
	src.Close()
	if code, out := runMigrate(t, "sqlite:"+srcPath, "sqlite:"+dstPath); code != 0 {
		t.Fatalf("copy: exit %d\n%s", code, out)
	}
	dst, err := sqlite.Open(dstPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.UpdateCase(context.Background(), store.CaseUpdate{CaseID: "case-001", ExpectStatus: store.StatusReceived,
		Event: store.Event{ID: "x", At: time.Now(), Action: store.ActionStatus,
			FromStatus: store.StatusReceived, ToStatus: store.StatusAccepted, Actor: "u"}}); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	code, out := runMigrate(t, "sqlite:"+srcPath, "sqlite:"+dstPath)
	if code != 1 || !strings.Contains(out, "mismatched 1") || !strings.Contains(out, "2026-000002 differs") {
		t.Fatalf("want exit 1 and the changed case named; got %d\n%s", code, out)
	}
	dst, _ = sqlite.Open(dstPath)
	defer dst.Close()
	if c, err := dst.CaseByID(context.Background(), "case-001"); err != nil || c.Status != store.StatusAccepted {
		t.Errorf("the destination's changed case was overwritten: %v %v", c, err)
	}
}

func TestMigrateDataRefusesBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--from", "sqlite:a.db"},
		{"--from", "sqlite:a.db", "--to", "sqlite:a.db"},
	} {
		if code := migrateData(context.Background(), args, &bytes.Buffer{}); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code := migrateData(context.Background(), []string{"--from", "postgres:x", "--to", "sqlite:" + filepath.Join(t.TempDir(), "b.db")}, &bytes.Buffer{}); code != 1 {
		t.Errorf("unknown store kind: exit %d, want 1", code)
	}
}

// withDatabase puts name as the database path of a MongoDB URI.
func withDatabase(uri, name string) string {
	base, query, _ := strings.Cut(uri, "?")
	scheme, rest, _ := strings.Cut(base, "://")
	host, _, _ := strings.Cut(rest, "/")
	out := scheme + "://" + host + "/" + name
	if query != "" {
		out += "?" + query
	}
	return out
}
