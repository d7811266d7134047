package caseflow

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
	"fundwatch/store/sqlite"
)

func openSQLite(t *testing.T) store.Store {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "fundwatch.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestStoredRulesOnSQLite runs the same tests on the real SQLite store.
func TestStoredRulesOnSQLite(t *testing.T) {
	testStoredRules(t, openSQLite)
}

// testKey is a fixed master key for tests only.
var testKey = bytes.Repeat([]byte{0x42}, 32)

type rulesEnv struct {
	t     *testing.T
	st    store.Store
	rules *StoredRules
	svc   *Service
	now   time.Time
}

// newRulesEnv is a service on st whose rules come from the store, loaded,
// at Wednesday 2026-12-30 10:00 CST.
func newRulesEnv(t *testing.T, st store.Store) *rulesEnv {
	t.Helper()
	k, err := casework.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &rulesEnv{t: t, st: st, rules: NewStoredRules(st, log), now: time.Date(2026, 12, 30, 2, 0, 0, 0, time.UTC)}
	e.svc = &Service{Store: st, Keyring: k, Regions: casework.DefaultRegions(), Rules: e.rules, Clock: func() time.Time { return e.now }, Log: log}
	if err := e.rules.Load(context.Background()); err != nil {
		t.Fatalf("load rules: %v", err)
	}
	return e
}

func provinceAdmin(regions *casework.Regions) Actor {
	return Actor{UserID: "admin-province", Username: "admin", Role: store.RoleAdmin, RegionCode: "220000", Scope: regions.Descendants("220000")}
}

// fileCase files a report and returns its acceptance deadline.
func (e *rulesEnv) fileCase() time.Time {
	e.t.Helper()
	r, err := e.svc.FileCase(context.Background(), Filing{
		Kind: store.KindReport, ReporterType: store.ReporterCitizen, Category: casework.CategoryEmbezzlement,
		InsuranceTypes: []string{"pension"}, RegionCode: "220102", Subject: store.Party{Name: "某某商贸有限公司"},
		Description: "该公司少报缴费基数，长期按最低基数为职工申报养老保险。", Anonymous: true,
		IdempotencyKey: store.NewID(), Digest: "test",
	})
	if err != nil {
		e.t.Fatalf("file case: %v", err)
	}
	return r.Case.DueAt
}

// auditCount counts the audit entries of action.
func (e *rulesEnv) auditCount(action string) int {
	e.t.Helper()
	entries, err := e.st.AuditEntries(context.Background(), 0, 500)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, en := range entries {
		if en.Action == action {
			n++
		}
	}
	return n
}

func endOfDayCST(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d+1, 0, 0, 0, 0, store.CST).UTC()
}

var newYear2027 = []casework.CalendarDay{
	{Date: "2027-01-01", Name: "元旦", OffDay: true},
	{Date: "2027-01-02", Name: "元旦", OffDay: true},
	{Date: "2027-01-03", Name: "元旦", OffDay: true},
}

func testStoredRules(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()

	t.Run("defaults until anything is stored", func(t *testing.T) {
		e := newRulesEnv(t, open(t))
		rs := e.rules.Current()
		if rs.StoredYears != nil || rs.DeadlinesVersion() != 0 || rs.ImportantVersion() != 0 {
			t.Errorf("stored years %v, versions %d/%d; want none", rs.StoredYears, rs.DeadlinesVersion(), rs.ImportantVersion())
		}
		if e.rules.Deadlines() != casework.DefaultDeadlineRules() || e.rules.Important() != casework.DefaultImportantCaseRules() {
			t.Errorf("rules = %+v, %+v; want the defaults", e.rules.Deadlines(), e.rules.Important())
		}
		if got := e.rules.Calendar().Years(); !slices.Equal(got, []int{2024, 2025, 2026}) {
			t.Errorf("calendar years = %v, want the embedded 2024–2026", got)
		}
	})

	t.Run("next year's holidays change a deadline at once", func(t *testing.T) {
		e := newRulesEnv(t, open(t))
		// Received Wednesday 2026-12-30: without 2027, 2027-01-01 is a
		// Friday like any other: Thu 31, Fri 1, Mon 4, Tue 5, Wed 6.
		if got, want := e.fileCase(), endOfDayCST(2027, 1, 6); !got.Equal(want) {
			t.Fatalf("acceptance due before = %v, want %v", got, want)
		}
		if err := e.svc.PutCalendarYear(ctx, provinceAdmin(e.svc.Regions), 2027, newYear2027); err != nil {
			t.Fatal(err)
		}
		if got, want := e.fileCase(), endOfDayCST(2027, 1, 7); !got.Equal(want) {
			t.Errorf("acceptance due after = %v, want %v (元旦 skipped)", got, want)
		}
		if got := e.rules.Current().StoredYears; !slices.Equal(got, []int{2027}) {
			t.Errorf("stored years = %v, want [2027]", got)
		}
		if n := e.auditCount(AuditCalendar); n != 1 {
			t.Errorf("%d %s entries, want 1", n, AuditCalendar)
		}
	})

	t.Run("a stored year replaces the embedded one until it is cleared", func(t *testing.T) {
		e := newRulesEnv(t, open(t))
		admin := provinceAdmin(e.svc.Regions)
		national := time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC)
		if err := e.svc.PutCalendarYear(ctx, admin, 2026, []casework.CalendarDay{{Date: "2026-10-12", Name: "国庆节", OffDay: true}}); err != nil {
			t.Fatal(err)
		}
		if !e.rules.Calendar().IsWorkingDay(national) {
			t.Error("2026-10-01 is still off after the administrators' 2026 left it out")
		}
		if err := e.svc.PutCalendarYear(ctx, admin, 2026, nil); err != nil {
			t.Fatal(err)
		}
		if e.rules.Calendar().IsWorkingDay(national) || len(e.rules.Current().StoredYears) != 0 {
			t.Errorf("clearing 2026 did not bring back the embedded year (stored %v)", e.rules.Current().StoredYears)
		}
	})

	t.Run("bad entries are refused with every problem and nothing is stored", func(t *testing.T) {
		e := newRulesEnv(t, open(t))
		err := e.svc.PutCalendarYear(ctx, provinceAdmin(e.svc.Regions), 2027, []casework.CalendarDay{
			{Date: "2027-01-01", Name: "元旦", OffDay: true},
			{Date: "2026-12-31", Name: "元旦", OffDay: true},
			{Date: "2027-01-04", Name: "元旦", OffDay: false},
			{Date: "2027-01-01", Name: "元旦", OffDay: true},
		})
		msg := store.ErrorMessage(err)
		if store.ErrorCode(err) != store.EINVALID || !strings.Contains(msg, "第 2 行：日期 2026-12-31 不在 2027 年内") ||
			!strings.Contains(msg, "第 3 行：2027-01-04 是周一至周五") || !strings.Contains(msg, "第 4 行：日期 2027-01-01 重复出现") {
			t.Errorf("err = %v", err)
		}
		if err := e.svc.PutCalendarYear(ctx, provinceAdmin(e.svc.Regions), 1999, nil); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("year 1999: %v, want EINVALID", err)
		}
		if entries, _ := e.st.CalendarEntries(ctx); len(entries) != 0 {
			t.Errorf("stored %v", entries)
		}
		if n := e.auditCount(AuditCalendar); n != 0 {
			t.Errorf("%d audit entries for a refused change", n)
		}
	})

	t.Run("only an administrator of the province may change them", func(t *testing.T) {
		e := newRulesEnv(t, open(t))
		city := Actor{UserID: "admin-cc", Username: "cc", Role: store.RoleAdmin, RegionCode: "220100", Scope: e.svc.Regions.Descendants("220100")}
		leader := Actor{UserID: "leader", Username: "leader", Role: store.RoleLeader, RegionCode: "220000", Scope: e.svc.Regions.Descendants("220000")}
		calls := []struct {
			name string
			perm casework.Permission
			call func(Actor) error
		}{
			{"calendar year", casework.PermManageCalendar, func(a Actor) error { return e.svc.PutCalendarYear(ctx, a, 2027, newYear2027) }},
			{"calendar import", casework.PermManageCalendar, func(a Actor) error {
				_, err := e.svc.ImportCalendarCSV(ctx, a, strings.NewReader("date,name,off_day\n2027-01-01,元旦,true\n"))
				return err
			}},
			{"deadlines", casework.PermManageSettings, func(a Actor) error {
				return e.svc.PutDeadlineRules(ctx, a, casework.DefaultDeadlineRules(), 0)
			}},
			{"要情 rules", casework.PermManageSettings, func(a Actor) error {
				return e.svc.PutImportantRules(ctx, a, casework.DefaultImportantCaseRules(), 0)
			}},
		}
		for _, c := range calls {
			if err := c.call(city); store.ErrorCode(err) != store.EFORBIDDEN || store.ErrorMessage(err) != MsgProvinceOnly {
				t.Errorf("%s by a city administrator: %v, want EFORBIDDEN %q", c.name, err, MsgProvinceOnly)
			}
			if err := c.call(leader); store.ErrorCode(err) != store.EFORBIDDEN || store.ErrorMessage(err) != MsgForbidden {
				t.Errorf("%s by a leader: %v, want EFORBIDDEN %q", c.name, err, MsgForbidden)
			}
			if e.svc.MayChangeRules(city, c.perm) || e.svc.MayChangeRules(leader, c.perm) || !e.svc.MayChangeRules(provinceAdmin(e.svc.Regions), c.perm) {
				t.Errorf("MayChangeRules(%s) disagrees with the service", c.perm)
			}
		}
		if entries, _ := e.st.CalendarEntries(ctx); len(entries) != 0 {
			t.Errorf("stored %v", entries)
		}
		if _, err := e.st.SettingByKey(ctx, SettingDeadlines); store.ErrorCode(err) != store.ENOTFOUND {
			t.Errorf("deadlines setting after refused changes: %v, want ENOTFOUND", err)
		}
	})

	t.Run("a CSV file stores each of its years, or nothing", func(t *testing.T) {
		e := newRulesEnv(t, open(t))
		admin := provinceAdmin(e.svc.Regions)
		bad := "date,name,off_day,source\n2027-01-01,元旦,true,\n2028-01-01,元旦,true,\n2028-01-03,元旦,false,\n"
		if _, err := e.svc.ImportCalendarCSV(ctx, admin, strings.NewReader(bad)); store.ErrorCode(err) != store.EINVALID ||
			!strings.Contains(store.ErrorMessage(err), "第 4 行") {
			t.Errorf("bad file: %v, want EINVALID naming line 4", err)
		}
		if entries, _ := e.st.CalendarEntries(ctx); len(entries) != 0 {
			t.Fatalf("a bad file stored %v", entries)
		}
		good := "date,name,off_day,source\n2027-01-01,元旦,true,\n2028-01-01,元旦,true,\n2028-01-02,元旦,true,\n"
		years, err := e.svc.ImportCalendarCSV(ctx, admin, strings.NewReader(good))
		if err != nil || !slices.Equal(years, []int{2027, 2028}) {
			t.Fatalf("import = %v, %v; want [2027 2028]", years, err)
		}
		if got := e.rules.Calendar().Years(); !slices.Equal(got, []int{2024, 2025, 2026, 2027, 2028}) {
			t.Errorf("calendar years = %v", got)
		}
		if n := e.auditCount(AuditCalendar); n != 2 {
			t.Errorf("%d audit entries, want one per year", n)
		}
		big := strings.NewReader("date,name,off_day\n" + strings.Repeat("#", MaxCalendarCSVBytes))
		if _, err := e.svc.ImportCalendarCSV(ctx, admin, big); store.ErrorCode(err) != store.EINVALID || !strings.Contains(store.ErrorMessage(err), "过大") {
			t.Errorf("oversized file: %v", err)
		}
	})

	t.Run("deadline rules are versioned and apply to new deadlines", func(t *testing.T) {
		e := newRulesEnv(t, open(t))
		admin := provinceAdmin(e.svc.Regions)
		rules := casework.DeadlineRules{AcceptWorkingDays: 3, NotifyWorkingDays: 8, InvestigationDays: 45, ExtensionDays: 15}
		if err := e.svc.PutDeadlineRules(ctx, admin, rules, 0); err != nil {
			t.Fatal(err)
		}
		if e.rules.Deadlines() != rules {
			t.Errorf("rules in use = %+v, want %+v", e.rules.Deadlines(), rules)
		}
		v := e.rules.Current().DeadlinesVersion()
		if v == 0 {
			t.Error("no version after saving")
		}
		// Three working days from Wed 2026-12-30: Thu 31, Fri 1 (2027 not entered), Mon 4.
		if got, want := e.fileCase(), endOfDayCST(2027, 1, 4); !got.Equal(want) {
			t.Errorf("acceptance due = %v, want %v (3 working days)", got, want)
		}
		stale := rules
		stale.AcceptWorkingDays = 7
		if err := e.svc.PutDeadlineRules(ctx, admin, stale, 0); store.ErrorCode(err) != store.ECONFLICT || store.ErrorMessage(err) != store.MsgStaleRecord {
			t.Errorf("stale save: %v, want ECONFLICT %q", err, store.MsgStaleRecord)
		}
		if e.rules.Deadlines() != rules {
			t.Errorf("a stale save changed the rules to %+v", e.rules.Deadlines())
		}
		invalid := rules
		invalid.NotifyWorkingDays = 2
		if err := e.svc.PutDeadlineRules(ctx, admin, invalid, v); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("invalid rules: %v, want EINVALID", err)
		}
		if err := e.svc.PutDeadlineRules(ctx, admin, casework.DefaultDeadlineRules(), v); err != nil {
			t.Errorf("save from the current version: %v", err)
		}
		if n := e.auditCount(AuditSettings); n != 2 {
			t.Errorf("%d %s entries, want 2", n, AuditSettings)
		}
	})

	t.Run("要情 rules are versioned and classify new cases", func(t *testing.T) {
		e := newRulesEnv(t, open(t))
		rules := casework.ImportantCaseRules{MajorThresholdFen: 50_000_00, NationalThresholdFen: 300_000_00, ImportantDays: 1, MajorDays: 2}
		if err := e.svc.PutImportantRules(ctx, provinceAdmin(e.svc.Regions), rules, 0); err != nil {
			t.Fatal(err)
		}
		if e.rules.Important() != rules {
			t.Errorf("rules in use = %+v", e.rules.Important())
		}
		if class, _ := casework.ClassifyImportantCase(casework.CategoryEmbezzlement, 60_000_00, false, e.rules.Important()); class != casework.ClassMajor {
			t.Errorf("60,000 yuan under a 50,000 threshold: %s, want major", class)
		}
		if err := e.svc.PutImportantRules(ctx, provinceAdmin(e.svc.Regions), rules, 0); store.ErrorCode(err) != store.ECONFLICT {
			t.Errorf("stale save: %v, want ECONFLICT", err)
		}
		bad := rules
		bad.NationalThresholdFen = 1
		if err := e.svc.PutImportantRules(ctx, provinceAdmin(e.svc.Regions), bad, e.rules.Current().ImportantVersion()); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("national below major: %v, want EINVALID", err)
		}
	})

	t.Run("another instance picks a change up when it reloads", func(t *testing.T) {
		st := open(t)
		e := newRulesEnv(t, st)
		other := NewStoredRules(st, nil)
		if err := other.Load(ctx); err != nil {
			t.Fatal(err)
		}
		other.Every = time.Millisecond
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { other.Run(runCtx); close(done) }()
		if err := e.svc.PutCalendarYear(ctx, provinceAdmin(e.svc.Regions), 2027, newYear2027); err != nil {
			t.Fatal(err)
		}
		// Waiting for an event, not measuring speed: Run reloads every
		// millisecond, the bound only keeps a broken Run from hanging.
		for wait := time.Now().Add(20 * time.Second); !slices.Contains(other.Calendar().Years(), 2027); {
			if time.Now().After(wait) {
				t.Fatal("the other instance never saw 2027")
			}
			time.Sleep(5 * time.Millisecond)
		}
		stop()
		<-done
	})

	t.Run("a stored value the rules refuse fails Load and keeps the rules in use", func(t *testing.T) {
		e := newRulesEnv(t, open(t))
		rules := casework.DeadlineRules{AcceptWorkingDays: 4, NotifyWorkingDays: 8, InvestigationDays: 60, ExtensionDays: 30}
		if err := e.svc.PutDeadlineRules(ctx, provinceAdmin(e.svc.Regions), rules, 0); err != nil {
			t.Fatal(err)
		}
		for _, value := range []string{`{"acceptWorkingDays": 0}`, `not json`} {
			cur, err := e.st.SettingByKey(ctx, SettingDeadlines)
			if err != nil {
				t.Fatal(err)
			}
			cur.Value = []byte(value)
			if err := e.st.PutSetting(ctx, cur); err != nil {
				t.Fatal(err)
			}
			err = e.rules.Load(ctx)
			if store.ErrorCode(err) != store.EINTERNAL || !strings.Contains(err.Error(), `"deadlines"`) {
				t.Errorf("Load with %s: %v, want EINTERNAL naming the setting", value, err)
			}
			if e.rules.Deadlines() != rules {
				t.Errorf("rules in use = %+v after a failed load, want %+v", e.rules.Deadlines(), rules)
			}
		}
	})

	t.Run("a stored setting missing a field keeps that field's default", func(t *testing.T) {
		e := newRulesEnv(t, open(t))
		if err := e.st.PutSetting(ctx, &store.Setting{Key: SettingImportant, Value: []byte(`{"majorDays": 5}`), UpdatedAt: e.now}); err != nil {
			t.Fatal(err)
		}
		if err := e.rules.Load(ctx); err != nil {
			t.Fatal(err)
		}
		want := casework.DefaultImportantCaseRules()
		want.MajorDays = 5
		if e.rules.Important() != want {
			t.Errorf("rules = %+v, want %+v", e.rules.Important(), want)
		}
	})
}

// TestStoredRulesReadersNeverSeeAHalfLoad reads the rules from many
// goroutines while they are saved and reloaded (meaningful under -race):
// every read is a whole snapshot whose rules validate.
func TestStoredRulesReadersNeverSeeAHalfLoad(t *testing.T) {
	ctx := context.Background()
	e := newRulesEnv(t, openSQLite(t))
	admin := provinceAdmin(e.svc.Regions)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				rs := e.rules.Current()
				if rs.Calendar == nil || rs.Deadlines.Validate() != nil || rs.Important.Validate() != nil {
					t.Errorf("a reader saw %+v", rs)
					return
				}
				_ = e.rules.Calendar().IsWorkingDay(e.now)
			}
		})
	}
	for i := range 20 {
		r := casework.DefaultDeadlineRules()
		r.AcceptWorkingDays = 1 + i%5
		if err := e.svc.PutDeadlineRules(ctx, admin, r, e.rules.Current().DeadlinesVersion()); err != nil {
			t.Fatal(err)
		}
		if err := e.rules.Load(ctx); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if got := e.rules.Deadlines().AcceptWorkingDays; got != 5 {
		t.Errorf("last rules: accept %d, want 5", got)
	}
}

func TestStaticRulesAreNotReloaded(t *testing.T) {
	st := openSQLite(t)
	svc := &Service{Store: st, Regions: casework.DefaultRegions(), Rules: DefaultRules()}
	// reloadRules does nothing for rules that do not come from the store.
	svc.reloadRules(context.Background())
	if err := svc.PutCalendarYear(context.Background(), provinceAdmin(svc.Regions), 2027, newYear2027); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(svc.Rules.Calendar().Years(), 2027) {
		t.Error("static rules changed")
	}
}
