package caseflow

import (
	"context"
	"fmt"
	"time"

	"fundwatch/store"
)

// Retention: once a case has ended (结案归档 or 不予受理) longer ago than the
// retention period, the reporter's identity and the evidence files are
// removed for good. The case itself, its facts, timeline and messages stay
// for the statistics and the record; what could identify the reporter or
// holds their material goes. The encrypted blobs are deleted first (GridFS
// removes their chunks), then the identity and each file's key in one store
// write (SQLite overwrites freed pages: secure_delete), then the purge is
// audited. A crash in between leaves the case with its keys and without
// its blobs: the next run lists it again and finishes it (deleting a blob
// that is gone is no error).

// DefaultRetention is how long after a case ended its identity and files
// are kept.
const DefaultRetention = 5 * 365 * 24 * time.Hour

// Expired is a case whose retention period is over, with what a purge
// would remove.
type Expired struct {
	Case     store.Case
	EndedAt  time.Time
	Identity bool // a sealed identity is still stored
	Files    int  // files whose key is still stored
	Bytes    int64
	fileIDs  []string
}

// ExpiredCases lists the ended cases whose end lies before `before` and
// that still hold an identity or files: what PurgeExpired removes. It reads
// every ended case, oldest first, in pages.
func (s *Service) ExpiredCases(ctx context.Context, before time.Time) ([]Expired, error) {
	var out []Expired
	const page = 500
	for offset := 0; ; offset += page {
		cases, _, err := s.Store.ListCases(ctx, store.CaseFilter{
			Statuses: []string{store.StatusClosed, store.StatusRejected},
			Sort:     store.SortOldest, Limit: page, Offset: offset,
		})
		if err != nil {
			return nil, err
		}
		for _, c := range cases {
			e, ok, err := s.expired(ctx, *c, before)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, e)
			}
		}
		if len(cases) < page {
			return out, nil
		}
	}
}

func (s *Service) expired(ctx context.Context, c store.Case, before time.Time) (Expired, bool, error) {
	e := Expired{Case: c, Identity: len(c.ReporterSealed) > 0}
	files, err := s.Store.CaseFiles(ctx, c.ID)
	if err != nil {
		return e, false, err
	}
	for _, f := range files {
		if f.PurgedAt.IsZero() {
			e.Files++
			e.Bytes += f.Size
			e.fileIDs = append(e.fileIDs, f.ID)
		}
	}
	if !e.Identity && e.Files == 0 {
		return e, false, nil
	}
	// When it ended: the last move into its final status.
	events, err := s.Store.CaseEvents(ctx, c.ID)
	if err != nil {
		return e, false, err
	}
	for _, ev := range events {
		if ev.ToStatus == c.Status {
			e.EndedAt = ev.At
		}
	}
	if e.EndedAt.IsZero() || !e.EndedAt.Before(before) {
		return e, false, nil
	}
	return e, true, nil
}

// PurgeExpired removes the identity and the files of every case that ended
// before `before` (see ExpiredCases), auditing each as AuditPurge, and
// returns what it removed. It stops at the first error; what was purged
// stays purged, and a run again goes on from there.
func (s *Service) PurgeExpired(ctx context.Context, before time.Time) ([]Expired, error) {
	list, err := s.ExpiredCases(ctx, before)
	if err != nil {
		return nil, err
	}
	actor := SystemActor("retention", s.Regions)
	var done []Expired
	for _, e := range list {
		for _, id := range e.fileIDs {
			if s.Blobs == nil {
				return done, store.Errorf(store.EUNAVAILABLE, MsgFilesDown)
			}
			if err := s.Blobs.DeleteBlob(ctx, id); err != nil {
				return done, fmt.Errorf("delete the file %s of case %s: %w", id, e.Case.Number, err)
			}
		}
		ids, err := s.Store.PurgeCaseIdentity(ctx, e.Case.ID, s.now())
		if err != nil {
			return done, err
		}
		what := fmt.Sprintf("%s 结案已满保存期限（%s 办结），删除", e.Case.Number, e.EndedAt.In(store.CST).Format("2006-01-02"))
		switch {
		case e.Identity && len(ids) > 0:
			what += fmt.Sprintf("举报人身份信息和证据材料 %d 个", len(ids))
		case e.Identity:
			what += "举报人身份信息"
		default:
			what += fmt.Sprintf("证据材料 %d 个", len(ids))
		}
		if err := s.audit(ctx, actor, AuditPurge, "case", e.Case.ID, e.Case.RegionCode, what); err != nil {
			return done, err
		}
		done = append(done, e)
	}
	return done, nil
}
