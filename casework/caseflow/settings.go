package caseflow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
)

// Keys of the settings that hold the rules administrators change, each a
// JSON document of the casework type.
const (
	SettingDeadlines = "deadlines" // casework.DeadlineRules
	SettingImportant = "important" // casework.ImportantCaseRules
)

// MsgProvinceOnly answers a city or county administrator who tries to change
// the calendar or the rules: deadlines must be counted alike across the
// province, so they are the province's to set.
const MsgProvinceOnly = "工作日历、办理期限和要情标准全省统一，只能由省级系统管理员修改。"

// RuleSettings is everything administrators maintain about the rules, read
// from the store at one moment over the defaults built into the binary.
type RuleSettings struct {
	// Calendar is the embedded calendar with every year administrators
	// stored replacing that year wholly.
	Calendar *casework.Calendar
	// StoredYears are the years whose entries come from the store, not
	// from the binary, ascending.
	StoredYears []int
	Deadlines   casework.DeadlineRules
	Important   casework.ImportantCaseRules
	// DeadlinesSetting and ImportantSetting are the stored settings
	// (without their values), with the version a form must send back; nil
	// for a setting never saved, whose version is 0.
	DeadlinesSetting *store.Setting
	ImportantSetting *store.Setting
}

// DeadlinesVersion is the version a deadline form starts from.
func (rs *RuleSettings) DeadlinesVersion() int64 { return settingVersion(rs.DeadlinesSetting) }

// ImportantVersion is the version a 要情 rules form starts from.
func (rs *RuleSettings) ImportantVersion() int64 { return settingVersion(rs.ImportantSetting) }

func settingVersion(s *store.Setting) int64 {
	if s == nil {
		return 0
	}
	return s.Version
}

// defaultRuleSettings are the rules before anything was read from the store.
var defaultRuleSettings = sync.OnceValue(func() *RuleSettings {
	return &RuleSettings{
		Calendar:  casework.DefaultCalendar(),
		Deadlines: casework.DefaultDeadlineRules(),
		Important: casework.DefaultImportantCaseRules(),
	}
})

// ReadRuleSettings reads the calendar years and the settings administrators
// stored and lays them over the defaults. A stored value the rules refuse
// (it was checked when it was saved, so the store was changed behind the
// portal's back) is an EINTERNAL error naming the setting for the log:
// deadlines counted from rules nobody chose would be worse than no start.
func ReadRuleSettings(ctx context.Context, st store.SettingsStore) (*RuleSettings, error) {
	entries, err := st.CalendarEntries(ctx)
	if err != nil {
		return nil, err
	}
	days := make([]casework.CalendarDay, len(entries))
	rs := &RuleSettings{}
	for i, e := range entries {
		days[i] = casework.CalendarDay{Date: e.Date, Name: e.Name, OffDay: e.OffDay}
		if y, err := strconv.Atoi(e.Date[:min(4, len(e.Date))]); err == nil && !slices.Contains(rs.StoredYears, y) {
			rs.StoredYears = append(rs.StoredYears, y)
		}
	}
	slices.Sort(rs.StoredYears)
	if rs.Calendar, err = casework.DefaultCalendar().ReplaceYears(days); err != nil {
		return nil, store.Wrap(store.EINTERNAL, fmt.Errorf("stored calendar: %w", err), store.MsgInternal)
	}
	rs.Deadlines = casework.DefaultDeadlineRules()
	if rs.DeadlinesSetting, err = readSetting(ctx, st, SettingDeadlines, &rs.Deadlines); err != nil {
		return nil, err
	}
	if err := rs.Deadlines.Validate(); err != nil {
		return nil, store.Wrap(store.EINTERNAL, fmt.Errorf("stored setting %q: %w", SettingDeadlines, err), store.MsgInternal)
	}
	rs.Important = casework.DefaultImportantCaseRules()
	if rs.ImportantSetting, err = readSetting(ctx, st, SettingImportant, &rs.Important); err != nil {
		return nil, err
	}
	if err := rs.Important.Validate(); err != nil {
		return nil, store.Wrap(store.EINTERNAL, fmt.Errorf("stored setting %q: %w", SettingImportant, err), store.MsgInternal)
	}
	return rs, nil
}

// readSetting decodes the setting key over dst, which holds the defaults: a
// field the stored document lacks (one added in a later release) keeps its
// default. It returns the setting without its value, or nil when none was
// ever saved.
func readSetting(ctx context.Context, st store.SettingsStore, key string, dst any) (*store.Setting, error) {
	s, err := st.SettingByKey(ctx, key)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(s.Value, dst); err != nil {
		return nil, store.Wrap(store.EINTERNAL, fmt.Errorf("stored setting %q: %w", key, err), store.MsgInternal)
	}
	meta := *s
	meta.Value = nil
	return &meta, nil
}

// StoredRules is the RuleSource of a running portal: the rules as
// administrators stored them (ReadRuleSettings). Load reads them at start
// and again after every change made through the Service; Run reads them
// periodically so that a change made on another instance is picked up.
// Readers never wait: each Load swaps in a whole new snapshot. Safe for
// concurrent use.
type StoredRules struct {
	store store.SettingsStore
	log   *slog.Logger
	// Every is how often Run reads the rules again; a minute when zero.
	Every time.Duration

	mu  sync.Mutex // one Load at a time, so an older read never replaces a newer one
	cur atomic.Pointer[RuleSettings]
}

// NewStoredRules returns rules read from st; until the first Load they are
// the built-in defaults.
func NewStoredRules(st store.SettingsStore, log *slog.Logger) *StoredRules {
	if log == nil {
		log = slog.Default()
	}
	return &StoredRules{store: st, log: log}
}

// Load reads the rules from the store and makes them current. On an error
// the rules in use stay as they were.
func (r *StoredRules) Load(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	rs, err := ReadRuleSettings(ctx, r.store)
	if err != nil {
		return err
	}
	r.cur.Store(rs)
	return nil
}

// Run reloads the rules every r.Every until ctx ends. A failed reload is
// logged and the rules in use stay as they were.
func (r *StoredRules) Run(ctx context.Context) {
	every := r.Every
	if every <= 0 {
		every = time.Minute
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		lctx, cancel := context.WithTimeout(ctx, max(every, 30*time.Second))
		if err := r.Load(lctx); err != nil && ctx.Err() == nil {
			r.log.Warn("rules not reloaded from the store; keeping the current ones", "error", err)
		}
		cancel()
	}
}

// Current is the snapshot in use.
func (r *StoredRules) Current() *RuleSettings {
	if rs := r.cur.Load(); rs != nil {
		return rs
	}
	return defaultRuleSettings()
}

func (r *StoredRules) Calendar() *casework.Calendar           { return r.Current().Calendar }
func (r *StoredRules) Deadlines() casework.DeadlineRules      { return r.Current().Deadlines }
func (r *StoredRules) Important() casework.ImportantCaseRules { return r.Current().Important }

// reloadRules makes a change visible in this process at once, when the
// rules come from the store; other instances see it at their next periodic
// reload. The change is already stored, so a failed reload is logged, not
// returned: the periodic reload catches up.
func (s *Service) reloadRules(ctx context.Context) {
	r, ok := s.Rules.(interface{ Load(context.Context) error })
	if !ok {
		return
	}
	if err := r.Load(ctx); err != nil {
		s.log().Error("rules not reloaded after a change; the periodic reload will retry", "error", err)
	}
}

// MayChangeRules reports whether a may change the province-wide calendar
// (PermManageCalendar) or rules (PermManageSettings): an administrator of
// the province itself, or the system. Others see them read-only.
func (s *Service) MayChangeRules(a Actor, perm casework.Permission) bool {
	return s.requireProvince(a, perm) == nil
}

// requireProvince refuses (EFORBIDDEN) an actor without perm, or one whose
// region is not the province: the calendar and the rules are the same for
// every region, so a city administrator may not change them for the others.
func (s *Service) requireProvince(a Actor, perm casework.Permission) error {
	if err := s.require(a, perm); err != nil {
		return err
	}
	if !a.System && a.RegionCode != s.Regions.Root().Code {
		return store.Errorf(store.EFORBIDDEN, MsgProvinceOnly)
	}
	return nil
}

// PutCalendarYear stores the holidays and adjusted working days of year as
// an administrator entered them, replacing whatever was stored for year and,
// for deadline counting, the embedded entries of that year. No entries
// removes the administrators' version: the embedded one (if the binary has
// that year) applies again. The entries must pass
// casework.CheckCalendarYear; the first problems are named in the EINVALID
// error and nothing is stored.
func (s *Service) PutCalendarYear(ctx context.Context, a Actor, year int, days []casework.CalendarDay) error {
	if err := s.requireProvince(a, casework.PermManageCalendar); err != nil {
		return err
	}
	if year < casework.MinCalendarYear || year > casework.MaxCalendarYear {
		return store.Errorf(store.EINVALID, "年份应在 %d 至 %d 年之间。", casework.MinCalendarYear, casework.MaxCalendarYear)
	}
	if err := casework.CalendarYearError(casework.CheckCalendarYear(year, days)); err != nil {
		return err
	}
	if err := s.Store.PutCalendarYear(ctx, year, storeEntries(days)); err != nil {
		return err
	}
	s.reloadRules(ctx)
	return s.auditCalendarYear(ctx, a, year, days, "")
}

// MaxCalendarCSVBytes bounds an imported calendar file: a year has a few
// dozen lines, so this holds decades.
const MaxCalendarCSVBytes = 200 * 1024

// ImportCalendarCSV stores the years of a calendar file in the format of
// casework/data/cn-holidays.csv (date,name,off_day[,source]), each year in
// the file replacing that year as PutCalendarYear does. The whole file is
// checked first: if any line is wrong, the error names the lines and
// nothing is stored. It returns the years stored, ascending.
func (s *Service) ImportCalendarCSV(ctx context.Context, a Actor, r io.Reader) ([]int, error) {
	if err := s.requireProvince(a, casework.PermManageCalendar); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxCalendarCSVBytes+1))
	if err != nil {
		return nil, store.Wrap(store.EINVALID, err, "节假日文件无法读取，请重新上传。")
	}
	if len(b) > MaxCalendarCSVBytes {
		return nil, store.Errorf(store.EINVALID, "节假日文件过大（最多 %d KB），请按年份分开导入。", MaxCalendarCSVBytes/1024)
	}
	days, err := casework.ReadCalendarCSV(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	byYear := map[int][]casework.CalendarDay{}
	for _, d := range days {
		y, _ := strconv.Atoi(d.Date[:4]) // ReadCalendarCSV checked the date
		byYear[y] = append(byYear[y], d)
	}
	years := slices.Sorted(maps.Keys(byYear))
	// One store call per year: a failure part-way (the database, not the
	// file) leaves the years before it stored, each whole, and the error
	// says to try again; importing the same file again is harmless.
	for _, y := range years {
		if err := s.Store.PutCalendarYear(ctx, y, storeEntries(byYear[y])); err != nil {
			s.reloadRules(ctx)
			return nil, err
		}
	}
	s.reloadRules(ctx)
	for _, y := range years {
		if err := s.auditCalendarYear(ctx, a, y, byYear[y], "导入"); err != nil {
			return nil, err
		}
	}
	return years, nil
}

func storeEntries(days []casework.CalendarDay) []store.CalendarEntry {
	out := make([]store.CalendarEntry, len(days))
	for i, d := range days {
		out[i] = store.CalendarEntry{Date: d.Date, Name: d.Name, OffDay: d.OffDay}
	}
	return out
}

func (s *Service) auditCalendarYear(ctx context.Context, a Actor, year int, days []casework.CalendarDay, how string) error {
	off := 0
	for _, d := range days {
		if d.OffDay {
			off++
		}
	}
	detail := fmt.Sprintf("%s%d 年工作日历：放假 %d 天，调休上班 %d 天", how, year, off, len(days)-off)
	if how == "" {
		detail = "保存" + detail
	}
	if len(days) == 0 {
		detail = fmt.Sprintf("清除录入的 %d 年工作日历（有内置数据的年份恢复内置数据）", year)
	}
	return s.audit(ctx, a, AuditCalendar, "calendar", strconv.Itoa(year), s.Regions.Root().Code, detail)
}

// PutDeadlineRules stores the case-handling deadlines an administrator set
// on a page made from version (0 when they were never saved): rules that
// fail Validate are EINVALID, a version someone else has saved over is
// ECONFLICT (MsgStaleRecord). Deadlines already set on cases stay; new ones
// follow the new rules.
func (s *Service) PutDeadlineRules(ctx context.Context, a Actor, r casework.DeadlineRules, version int64) error {
	if err := s.requireProvince(a, casework.PermManageSettings); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	detail := fmt.Sprintf("修改案件办理期限：受理 %d 个工作日，告知举报人 %d 个工作日，调查 %d 日，可延长 %d 日",
		r.AcceptWorkingDays, r.NotifyWorkingDays, r.InvestigationDays, r.ExtensionDays)
	return s.putSetting(ctx, a, SettingDeadlines, r, version, detail)
}

// PutImportantRules stores the 要情 thresholds and reporting deadlines as
// PutDeadlineRules stores the deadlines. Classes already decided stay.
func (s *Service) PutImportantRules(ctx context.Context, a Actor, r casework.ImportantCaseRules, version int64) error {
	if err := s.requireProvince(a, casework.PermManageSettings); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	detail := fmt.Sprintf("修改要情标准：重大要情 %s 元起，报送国家 %s 元起，要情 %d 个工作日内报告，重大要情 %d 个工作日内报告",
		casework.FormatYuan(r.MajorThresholdFen), casework.FormatYuan(r.NationalThresholdFen), r.ImportantDays, r.MajorDays)
	return s.putSetting(ctx, a, SettingImportant, r, version, detail)
}

func (s *Service) putSetting(ctx context.Context, a Actor, key string, value any, version int64, detail string) error {
	b, err := json.Marshal(value)
	if err != nil {
		return store.Wrap(store.EINTERNAL, err, store.MsgInternal)
	}
	st := &store.Setting{Key: key, Value: b, Version: max(version, 0), UpdatedAt: s.now(), UpdatedBy: a.recordedAs()}
	if err := s.Store.PutSetting(ctx, st); err != nil {
		return err
	}
	s.reloadRules(ctx)
	return s.audit(ctx, a, AuditSettings, "setting", key, s.Regions.Root().Code, detail)
}
