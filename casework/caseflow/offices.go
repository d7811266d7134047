package caseflow

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fundwatch/casework"
	"fundwatch/store"
)

// SettingOfficesPrefix starts the keys of the offices settings: one setting
// per region, "offices/220100", holding that region's offices (受理机构) as
// officesValue JSON. One setting per region, not one for the province, so
// that two cities' administrators saving at once never conflict, and each
// region's version and audit trail are its own.
const SettingOfficesPrefix = "offices/"

// OfficesKey is the setting key of region's offices.
func OfficesKey(region string) string { return SettingOfficesPrefix + region }

// officesValue is the JSON document of one region's offices.
type officesValue struct {
	Offices []casework.Office `json:"offices"`
}

// MsgOfficesOutOfScope answers an administrator who tries to change the
// offices of a region outside their own.
const MsgOfficesOutOfScope = "您只能维护本地区及下辖地区的受理机构；其他地区的受理机构，由该地区或省级系统管理员维护。"

// ReadOffices reads every region's offices from the store into a directory
// over the shipped defaults. A stored document that does not decode, or
// names a region the tree does not have, is an EINTERNAL error naming it
// for the log: someone changed the store behind the portal's back.
func ReadOffices(ctx context.Context, st store.SettingsStore, regions *casework.Regions) (*casework.OfficeDirectory, error) {
	all, err := st.ListSettings(ctx)
	if err != nil {
		return nil, err
	}
	var entered []casework.Office
	for _, s := range all {
		region, ok := strings.CutPrefix(s.Key, SettingOfficesPrefix)
		if !ok {
			continue
		}
		offices, err := decodeOffices(s, region, regions)
		if err != nil {
			return nil, err
		}
		entered = append(entered, offices...)
	}
	return casework.NewOfficeDirectory(regions, entered), nil
}

func decodeOffices(s *store.Setting, region string, regions *casework.Regions) ([]casework.Office, error) {
	if _, ok := regions.Lookup(region); !ok {
		return nil, store.Wrap(store.EINTERNAL, fmt.Errorf("stored setting %q: unknown region", s.Key), store.MsgInternal)
	}
	var v officesValue
	if len(s.Value) > 0 {
		if err := json.Unmarshal(s.Value, &v); err != nil {
			return nil, store.Wrap(store.EINTERNAL, fmt.Errorf("stored setting %q: %w", s.Key, err), store.MsgInternal)
		}
	}
	for i := range v.Offices {
		v.Offices[i].RegionCode = region
	}
	return v.Offices, nil
}

// RegionOffices is what an administrator edits: the offices entered for
// one region, with the version the form must send back (0 when never saved)
// and the stored setting without its value, nil when never saved.
type RegionOffices struct {
	Region  casework.Region
	Offices []casework.Office
	Version int64
	Setting *store.Setting
}

// ReadRegionOffices reads the offices entered for region.
func ReadRegionOffices(ctx context.Context, st store.SettingsStore, regions *casework.Regions, region string) (*RegionOffices, error) {
	r, ok := regions.Lookup(region)
	if !ok {
		return nil, store.NotFound(store.MsgNotFound)
	}
	out := &RegionOffices{Region: r}
	s, err := st.SettingByKey(ctx, OfficesKey(region))
	if store.ErrorCode(err) == store.ENOTFOUND {
		return out, nil
	} else if err != nil {
		return nil, err
	}
	if out.Offices, err = decodeOffices(s, region, regions); err != nil {
		return nil, err
	}
	meta := *s
	meta.Value = nil
	out.Setting, out.Version = &meta, s.Version
	return out, nil
}

// MayChangeOffices reports whether a may change the offices of region: an
// administrator (PermManageSettings) of that region or one above it.
func (s *Service) MayChangeOffices(a Actor, region string) bool {
	return s.requireOfficeScope(a, region) == nil
}

func (s *Service) requireOfficeScope(a Actor, region string) error {
	if err := s.require(a, casework.PermManageSettings); err != nil {
		return err
	}
	if !a.System && !slices.Contains(a.Scope, region) {
		return store.Errorf(store.EFORBIDDEN, MsgOfficesOutOfScope)
	}
	return nil
}

// PutRegionOffices stores the offices of region as an administrator
// entered them on a page made from version (0 when never saved): a channel
// whose fields are all empty has no office of its own (the region above
// serves it). Offices that casework.CheckOffices refuses are EINVALID; a
// version someone else has saved over is ECONFLICT (MsgStaleRecord); a
// region outside the administrator's scope is EFORBIDDEN. The change is
// audited and visible in this process at once.
func (s *Service) PutRegionOffices(ctx context.Context, a Actor, region string, offices []casework.Office, version int64) error {
	if err := s.require(a, casework.PermManageSettings); err != nil {
		return err
	}
	r, ok := s.Regions.Lookup(region)
	if !ok {
		return store.NotFound(store.MsgNotFound)
	}
	if err := s.requireOfficeScope(a, region); err != nil {
		return err
	}
	var keep []casework.Office
	for _, o := range offices {
		o.Name, o.Address, o.Phone, o.Hours = strings.TrimSpace(o.Name), strings.TrimSpace(o.Address),
			strings.TrimSpace(o.Phone), strings.TrimSpace(o.Hours)
		if o.Name == "" && o.Address == "" && o.Phone == "" && o.Hours == "" {
			continue
		}
		o.RegionCode, o.Example = region, false
		keep = append(keep, o)
	}
	if problems := casework.CheckOffices(keep); len(problems) > 0 {
		return store.Errorf(store.EINVALID, "%s", problems[0].Message)
	}
	b, err := json.Marshal(officesValue{Offices: keep})
	if err != nil {
		return store.Wrap(store.EINTERNAL, err, store.MsgInternal)
	}
	st := &store.Setting{Key: OfficesKey(region), Value: b, Version: max(version, 0), UpdatedAt: s.now(), UpdatedBy: a.recordedAs()}
	if err := s.Store.PutSetting(ctx, st); err != nil {
		return err
	}
	if s.Offices != nil {
		if err := s.Offices.Load(ctx); err != nil {
			s.log().Error("offices not reloaded after a change; the periodic reload will retry", "error", err)
		}
	}
	var names []string
	for _, o := range keep {
		names = append(names, casework.ChannelLabel(o.Channel)+"："+o.Name)
	}
	detail := "修改" + r.Name + "的受理机构：" + strings.Join(names, "；")
	if len(keep) == 0 {
		detail = "清除" + r.Name + "的受理机构（由上级地区的受理机构受理）"
	}
	return s.audit(ctx, a, AuditSettings, "setting", OfficesKey(region), region, detail)
}

// StoredOffices is the office directory of a running portal, read from the
// store at start, after every change made through the Service, and
// periodically (Run) for changes made on another instance. Readers never
// wait: each Load swaps in a whole new directory. Safe for concurrent use.
type StoredOffices struct {
	store   store.SettingsStore
	regions *casework.Regions
	log     *slog.Logger
	// Every is how often Run reads the offices again; a minute when zero.
	Every time.Duration

	mu  sync.Mutex
	cur atomic.Pointer[casework.OfficeDirectory]
}

// NewStoredOffices returns the offices of st; until the first Load only
// the shipped defaults.
func NewStoredOffices(st store.SettingsStore, regions *casework.Regions, log *slog.Logger) *StoredOffices {
	if log == nil {
		log = slog.Default()
	}
	return &StoredOffices{store: st, regions: regions, log: log}
}

// Load reads the offices from the store and makes them current; on an
// error the directory in use stays.
func (o *StoredOffices) Load(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, err := ReadOffices(ctx, o.store, o.regions)
	if err != nil {
		return err
	}
	o.cur.Store(d)
	return nil
}

// Run reloads the offices every o.Every until ctx ends.
func (o *StoredOffices) Run(ctx context.Context) {
	every := o.Every
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
		if err := o.Load(lctx); err != nil && ctx.Err() == nil {
			o.log.Warn("offices not reloaded from the store; keeping the current ones", "error", err)
		}
		cancel()
	}
}

// Directory is the directory in use.
func (o *StoredOffices) Directory() *casework.OfficeDirectory {
	if d := o.cur.Load(); d != nil {
		return d
	}
	return casework.NewOfficeDirectory(o.regions, nil)
}
