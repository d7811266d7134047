package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"fundwatch/store"
)

// area is one kind of record that migrate-data copies after the cases: how
// to walk all of them in a store, what identifies one across stores, what
// to call it in a message, and how to store it as it is.
type area[T any] struct {
	plural string
	// each calls fn with every record of s, in pages.
	each func(ctx context.Context, s store.Store, fn func(T) error) error
	key  func(T) string
	name func(T) string
	// put stores the record in dst as it is; ECONFLICT means something in
	// dst holds its place.
	put func(ctx context.Context, dst store.Store, rec T) error
}

// copy copies every record of src that dst does not hold, compares those it
// holds by content hash, then reads every source record back from dst.
func (a area[T]) copy(ctx context.Context, src, dst store.Store) (areaReport, error) {
	rep := areaReport{Plural: a.plural}
	differs := func(rec T, clash bool) { rep.differs(mismatch{Name: a.name(rec), Clash: clash, key: a.key(rec)}) }
	held, err := a.hashes(ctx, dst)
	if err != nil {
		return rep, fmt.Errorf("list destination %s: %w", a.plural, err)
	}
	err = a.each(ctx, src, func(rec T) error {
		rep.Source++
		if h, ok := held[a.key(rec)]; ok {
			if h == contentHash(rec) {
				rep.Present++
			} else {
				differs(rec, false)
			}
			return nil
		}
		err := a.put(ctx, dst, rec)
		switch store.ErrorCode(err) {
		case "":
			rep.Copied++
		case store.ECONFLICT:
			differs(rec, true)
		default:
			return fmt.Errorf("copy %s: %w", a.name(rec), err)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}

	// Verify from scratch: every source record, read back from the
	// destination.
	after, err := a.hashes(ctx, dst)
	if err != nil {
		return rep, fmt.Errorf("verify %s: %w", a.plural, err)
	}
	rep.Destination = len(after)
	seen := 0
	err = a.each(ctx, src, func(rec T) error {
		seen++
		if after[a.key(rec)] != contentHash(rec) {
			differs(rec, false)
		}
		return nil
	})
	if err == nil && seen != rep.Source {
		err = fmt.Errorf("the source's %s changed while copying (%d, then %d): stop the portal and re-run", a.plural, rep.Source, seen)
	}
	return rep, err
}

// hashes maps the key of every record of s to its content hash.
func (a area[T]) hashes(ctx context.Context, s store.Store) (map[string]string, error) {
	out := map[string]string{}
	err := a.each(ctx, s, func(rec T) error {
		out[a.key(rec)] = contentHash(rec)
		return nil
	})
	return out, err
}

// contentHash is a SHA-256 over the JSON of a whole record, so a field
// added to a store type is covered without a change here
// (TestMigrateDataHashCoversEveryField checks that it stays so).
func contentHash(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Every store type marshals; should one stop, no two records
		// compare equal, rather than all of them.
		b = []byte("unhashable " + store.NewID())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// pages walks a List method with Limit and Offset that returns the total,
// until it has seen total records. A total that moves is caught by the
// count check of area.copy.
func pages[T any](list func(limit, offset int) ([]T, int, error), fn func(T) error) error {
	for offset := 0; ; {
		page, total, err := list(store.MaxLimit, offset)
		if err != nil {
			return err
		}
		for _, rec := range page {
			if err := fn(rec); err != nil {
				return err
			}
		}
		offset += len(page)
		if len(page) == 0 || offset >= total {
			return nil
		}
	}
}

func eachOf[T any](list []T, err error, fn func(T) error) error {
	if err != nil {
		return err
	}
	for _, rec := range list {
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

var userArea = area[*store.User]{
	plural: "users",
	each: func(ctx context.Context, s store.Store, fn func(*store.User) error) error {
		users, err := s.ListUsers(ctx, store.UserFilter{IncludeDisabled: true})
		return eachOf(users, err, fn)
	},
	key:  func(u *store.User) string { return u.ID },
	name: func(u *store.User) string { return fmt.Sprintf("user %s (%s)", u.Username, u.ID) },
	put:  func(ctx context.Context, dst store.Store, u *store.User) error { return dst.ImportUser(ctx, u) },
}

var importantArea = area[*store.ImportantReport]{
	plural: "important reports",
	each: func(ctx context.Context, s store.Store, fn func(*store.ImportantReport) error) error {
		return pages(func(limit, offset int) ([]*store.ImportantReport, int, error) {
			return s.ListImportantReports(ctx, store.ImportantFilter{Limit: limit, Offset: offset})
		}, fn)
	},
	key: func(r *store.ImportantReport) string { return r.ID },
	name: func(r *store.ImportantReport) string {
		return fmt.Sprintf("important report %s (case %s, revision %d)", r.ID, r.CaseNumber, r.Revision)
	},
	put: func(ctx context.Context, dst store.Store, r *store.ImportantReport) error {
		return dst.ImportImportantReport(ctx, r)
	},
}

var quarterlyArea = area[*store.QuarterlyReport]{
	plural: "quarterly reports",
	each: func(ctx context.Context, s store.Store, fn func(*store.QuarterlyReport) error) error {
		return pages(func(limit, offset int) ([]*store.QuarterlyReport, int, error) {
			return s.ListQuarterlyReports(ctx, limit, offset)
		}, fn)
	},
	key:  func(q *store.QuarterlyReport) string { return q.ID },
	name: func(q *store.QuarterlyReport) string { return "quarterly report " + q.ID },
	// SubmitQuarterlyReport stores every field as given: it is the import.
	put: func(ctx context.Context, dst store.Store, q *store.QuarterlyReport) error {
		return dst.SubmitQuarterlyReport(ctx, q)
	},
}

// calendarYear is the unit of the calendar: PutCalendarYear replaces a whole
// year, so a year is copied, compared and reported whole.
type calendarYear struct {
	Year    int
	Entries []store.CalendarEntry
}

var calendarArea = area[calendarYear]{
	plural: "calendar years",
	each: func(ctx context.Context, s store.Store, fn func(calendarYear) error) error {
		entries, err := s.CalendarEntries(ctx)
		if err != nil {
			return err
		}
		// CalendarEntries is by date, so each year's days are together.
		var years []calendarYear
		for _, e := range entries {
			d, err := time.Parse(time.DateOnly, e.Date)
			if err != nil {
				return fmt.Errorf("calendar date %q: %w", e.Date, err)
			}
			if n := len(years); n == 0 || years[n-1].Year != d.Year() {
				years = append(years, calendarYear{Year: d.Year()})
			}
			years[len(years)-1].Entries = append(years[len(years)-1].Entries, e)
		}
		return eachOf(years, nil, fn)
	},
	key:  func(y calendarYear) string { return strconv.Itoa(y.Year) },
	name: func(y calendarYear) string { return fmt.Sprintf("calendar year %d", y.Year) },
	// Called only for a year the destination does not hold (area.copy
	// compares the years it holds), so it never replaces anything.
	put: func(ctx context.Context, dst store.Store, y calendarYear) error {
		return dst.PutCalendarYear(ctx, y.Year, y.Entries)
	},
}

var settingArea = area[*store.Setting]{
	plural: "settings",
	each: func(ctx context.Context, s store.Store, fn func(*store.Setting) error) error {
		settings, err := s.ListSettings(ctx)
		return eachOf(settings, err, fn)
	},
	key:  func(st *store.Setting) string { return st.Key },
	name: func(st *store.Setting) string { return "setting " + st.Key },
	put:  func(ctx context.Context, dst store.Store, st *store.Setting) error { return dst.ImportSetting(ctx, st) },
}

var mailArea = area[*store.Mail]{
	plural: "mails",
	each: func(ctx context.Context, s store.Store, fn func(*store.Mail) error) error {
		return pages(func(limit, offset int) ([]*store.Mail, int, error) {
			return s.ListMail(ctx, store.MailFilter{Limit: limit, Offset: offset})
		}, fn)
	},
	key:  func(m *store.Mail) string { return m.ID },
	name: func(m *store.Mail) string { return "mail " + m.ID },
	put:  func(ctx context.Context, dst store.Store, m *store.Mail) error { return dst.ImportMail(ctx, m) },
}

// publicationRecord is the unit of the publications area: a publication
// with every revision, which ImportPublication stores together, so it is
// copied, compared and reported whole. Its IndexedVersion is read as 0:
// it belongs to each installation's own search index (the destination's
// starts at 0), so it is neither copied nor compared.
type publicationRecord struct {
	Publication *store.Publication
	Revisions   []*store.Revision
}

var publicationArea = area[publicationRecord]{
	plural: "publications",
	each: func(ctx context.Context, s store.Store, fn func(publicationRecord) error) error {
		// No scope: migrate-data copies every region's publications.
		return pages(func(limit, offset int) ([]*store.Publication, int, error) {
			return s.ListPublications(ctx, store.PublicationFilter{Limit: limit, Offset: offset})
		}, func(p *store.Publication) error {
			revs, err := s.Revisions(ctx, p.ID)
			if err != nil {
				return fmt.Errorf("revisions of publication %s: %w", p.ID, err)
			}
			p.IndexedVersion = 0
			return fn(publicationRecord{Publication: p, Revisions: revs})
		})
	},
	key: func(r publicationRecord) string { return r.Publication.ID },
	name: func(r publicationRecord) string {
		return fmt.Sprintf("publication %s (%s, region %s)", r.Publication.ID, r.Publication.Kind, r.Publication.RegionCode)
	},
	put: func(ctx context.Context, dst store.Store, r publicationRecord) error {
		return dst.ImportPublication(ctx, r.Publication, r.Revisions)
	},
}

// copyAudit copies the audit log in Seq order, each entry as stored, and
// verifies the chain on the destination.
//
// An entry the destination holds differently ends the copying: an entry
// copied after it would link to the source's entry, not to the one in its
// place, and break the destination's chain by construction. The later
// entries are counted as not copied, and every source entry up to there is
// still compared.
func copyAudit(ctx context.Context, src, dst store.Store) (areaReport, error) {
	rep := areaReport{Plural: "audit entries"}
	var divergedAt int64 // Seq of the first entry that differs; 0 while none does
	notCopied := 0
	differs := func(e store.AuditEntry, clash bool) {
		k := strconv.FormatInt(e.Seq, 10)
		rep.differs(mismatch{Name: "audit entry " + k, Clash: clash, key: k})
		if divergedAt == 0 {
			divergedAt = e.Seq
		}
	}
	err := walkAudit(ctx, src, dst, func(e store.AuditEntry, held *store.AuditEntry) error {
		rep.Source++
		switch {
		case held != nil && contentHash(*held) == contentHash(e):
			rep.Present++
		case held != nil:
			differs(e, false)
		case divergedAt != 0:
			notCopied++
		default:
			err := dst.ImportAuditEntry(ctx, e)
			switch store.ErrorCode(err) {
			case "":
				rep.Copied++
			case store.ECONFLICT:
				differs(e, true)
			default:
				return fmt.Errorf("copy audit entry %d: %w", e.Seq, err)
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}

	// Verify from scratch: every source entry, read back from the
	// destination (those not copied after a divergence aside).
	seen := 0
	err = walkAudit(ctx, src, dst, func(e store.AuditEntry, held *store.AuditEntry) error {
		seen++
		if held == nil && divergedAt != 0 && e.Seq > divergedAt {
			return nil
		}
		if held == nil || contentHash(*held) != contentHash(e) {
			differs(e, false)
		}
		return nil
	})
	if err == nil && seen != rep.Source {
		err = fmt.Errorf("the source's audit log changed while copying (%d, then %d entries): stop the portal and re-run", rep.Source, seen)
	}
	if err != nil {
		return rep, err
	}
	if _, rep.Destination, err = dst.ListAudit(ctx, store.AuditFilter{Limit: 1}); err != nil {
		return rep, err
	}
	if notCopied > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d audit entries after entry %d not copied: the destination's log "+
			"differs from the source's there, and they would not link to it", notCopied, divergedAt))
	}

	checked, firstBad, err := store.VerifyAuditChain(ctx, dst, store.MaxLimit)
	if err != nil {
		return rep, fmt.Errorf("verify the destination's audit chain: %w", err)
	}
	if firstBad == 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("audit chain verified on the destination: %d entries, intact", checked))
		return rep, nil
	}
	rep.Broken = true
	srcChecked, srcBad, err := store.VerifyAuditChain(ctx, src, store.MaxLimit)
	if err != nil {
		return rep, fmt.Errorf("verify the source's audit chain: %w", err)
	}
	source := fmt.Sprintf("the source's chain is intact (%d entries)", srcChecked)
	if srcBad != 0 {
		source = fmt.Sprintf("the source's chain is broken at entry %d too, and was copied as it is", srcBad)
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("the destination's audit chain is broken at entry %d (the %d entries before it are sound); %s",
		firstBad, checked, source))
	return rep, nil
}

// walkAudit calls fn with every entry of src in Seq order, and with the
// entry of the same Seq in dst, or nil when dst has none.
func walkAudit(ctx context.Context, src, dst store.Store, fn func(e store.AuditEntry, held *store.AuditEntry) error) error {
	var after int64
	for {
		page, err := src.AuditEntries(ctx, after, store.MaxLimit)
		if err != nil {
			return fmt.Errorf("read the source's audit log after entry %d: %w", after, err)
		}
		if len(page) == 0 {
			return nil
		}
		last := page[len(page)-1].Seq
		held, err := auditRange(ctx, dst, after, last)
		if err != nil {
			return fmt.Errorf("read the destination's audit log after entry %d: %w", after, err)
		}
		for _, e := range page {
			var h *store.AuditEntry
			if d, ok := held[e.Seq]; ok {
				h = &d
			}
			if err := fn(e, h); err != nil {
				return err
			}
		}
		after = last
	}
}

// auditRange returns the entries of s with after < Seq ≤ upto, by Seq.
func auditRange(ctx context.Context, s store.Store, after, upto int64) (map[int64]store.AuditEntry, error) {
	out := map[int64]store.AuditEntry{}
	for after < upto {
		page, err := s.AuditEntries(ctx, after, store.MaxLimit)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if e.Seq <= upto {
				out[e.Seq] = e
			}
		}
		after = page[len(page)-1].Seq
	}
	return out, nil
}
