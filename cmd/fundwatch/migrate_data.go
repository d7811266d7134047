package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fundwatch/store"
	"fundwatch/store/disk"
	"fundwatch/store/mongo"
	"fundwatch/store/sqlite"
)

// migrateData copies a whole installation between backends:
//
//	fundwatch migrate-data --from sqlite:./data/fundwatch.db --to mongo:mongodb://host/fundwatch
//
// It copies area by area: the cases with their numbers, timelines and
// messages; then the staff users, the audit log, the 要情 reports, the
// quarterly statistics, the calendar years, the settings, the outbox and
// the publications with their revisions (withdrawn ones and drafts too).
// Sessions and sign-in throttle counts are not copied: people sign in again.
// A record already in the destination is compared by content hash and
// counted as present when equal; one that differs is reported and never
// overwritten, so the command is safe to re-run. Each area ends by reading
// every source record back from the destination and comparing hashes, and
// the destination's audit chain is verified. Run it with the portal
// stopped.
func migrateData(ctx context.Context, args []string, out io.Writer) int {
	fs := flag.NewFlagSet("migrate-data", flag.ContinueOnError)
	from := fs.String("from", "", "source store: sqlite:PATH or mongo:URI (database from the URI path, default fundwatch; "+
		"with credentials of another database, add authSource to the URI)")
	to := fs.String("to", "", "destination store, same forms as --from")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *from == "" || *to == "" || *from == *to {
		fmt.Fprintln(os.Stderr, "migrate-data: give --from and --to, two different stores (sqlite:PATH or mongo:URI)")
		return 2
	}
	src, err := openStoreSpec(ctx, *from)
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate-data: open source:", err)
		return 1
	}
	defer src.Close()
	dst, err := openStoreSpec(ctx, *to)
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate-data: open destination:", err)
		return 1
	}
	defer dst.Close()
	srcBlobs, err := openBlobSpec(*from, src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate-data: open the source's evidence files:", err)
		return 1
	}
	defer srcBlobs.Close()
	dstBlobs, err := openBlobSpec(*to, dst)
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate-data: open the destination's evidence files:", err)
		return 1
	}
	defer dstBlobs.Close()
	reps, err := copyStore(ctx, src, dst)
	if err == nil {
		var rep areaReport
		rep, err = copyBlobs(ctx, srcBlobs, dstBlobs)
		reps = append(reps, rep)
	}
	failed := false
	for _, rep := range reps {
		rep.print(out)
		failed = failed || rep.failed()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate-data:", err)
		return 1
	}
	if failed {
		return 1
	}
	fmt.Fprintln(out, "migrate-data: verified: every source record is in the destination with the same content hash, "+
		"and the destination's audit chain is intact")
	return 0
}

// openStoreSpec opens "sqlite:PATH" or "mongo:URI".
func openStoreSpec(ctx context.Context, spec string) (store.Store, error) {
	kind, rest, ok := strings.Cut(spec, ":")
	switch {
	case ok && kind == "sqlite" && rest != "":
		s, err := sqlite.Open(rest)
		if err != nil {
			return nil, err
		}
		return s, nil
	case ok && kind == "mongo" && rest != "":
		u, err := url.Parse(rest)
		if err != nil {
			return nil, errors.New("bad MongoDB URI")
		}
		db := strings.Trim(u.Path, "/")
		if db == "" {
			db = "fundwatch"
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		m, err := mongo.Open(ctx, rest, db)
		if err != nil {
			return nil, err
		}
		return m, nil
	}
	return nil, fmt.Errorf("%q: want sqlite:PATH or mongo:URI", redactSpec(spec))
}

// openBlobSpec opens the evidence files of the store of spec: the files
// directory beside a SQLite database (DATA/files), GridFS of a MongoDB one.
func openBlobSpec(spec string, st store.Store) (store.BlobStore, error) {
	if m, ok := st.(*mongo.DB); ok {
		return m.Blobs(), nil
	}
	_, path, _ := strings.Cut(spec, ":")
	return disk.Attach(filepath.Join(filepath.Dir(path), "files"))
}

// copyBlobs copies every evidence file (its encrypted bytes, as they are:
// the keys travel sealed in the file records) and verifies each by the
// SHA-256 of its stored bytes. A file the destination holds differently is
// reported, never overwritten.
func copyBlobs(ctx context.Context, src, dst store.BlobStore) (areaReport, error) {
	rep := areaReport{Plural: "evidence files"}
	list := func(b store.BlobStore) ([]string, error) {
		var ids []string
		err := b.Blobs(ctx, time.Now().Add(time.Hour), func(id string, _ time.Time) error {
			ids = append(ids, id)
			return nil
		})
		return ids, err
	}
	ids, err := list(src)
	if err != nil {
		return rep, fmt.Errorf("list the source's evidence files: %w", err)
	}
	rep.Source = len(ids)
	differs := func(id string) { rep.differs(mismatch{Name: "evidence file " + id, key: id}) }
	for _, id := range ids {
		want, err := blobHash(ctx, src, id)
		if err != nil {
			return rep, fmt.Errorf("read the source's evidence file %s: %w", id, err)
		}
		got, err := blobHash(ctx, dst, id)
		switch {
		case store.ErrorCode(err) == store.ENOTFOUND:
			rc, err := src.OpenBlob(ctx, id)
			if err != nil {
				return rep, err
			}
			_, err = dst.PutBlob(ctx, id, rc)
			rc.Close()
			if err != nil {
				return rep, fmt.Errorf("copy the evidence file %s: %w", id, err)
			}
			rep.Copied++
		case err != nil:
			return rep, fmt.Errorf("read the destination's evidence file %s: %w", id, err)
		case got == want:
			rep.Present++
		default:
			differs(id)
		}
	}
	for _, id := range ids {
		want, err := blobHash(ctx, src, id)
		if err != nil {
			return rep, err
		}
		if got, err := blobHash(ctx, dst, id); err != nil || got != want {
			differs(id)
		}
	}
	all, err := list(dst)
	rep.Destination = len(all)
	return rep, err
}

// blobHash is the SHA-256 of a blob's stored bytes.
func blobHash(ctx context.Context, b store.BlobStore, id string) (string, error) {
	rc, err := b.OpenBlob(ctx, id)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// redactSpec keeps credentials of a MongoDB URI out of messages.
func redactSpec(spec string) string {
	if i := strings.Index(spec, "@"); i >= 0 {
		if j := strings.Index(spec, "://"); j >= 0 && j < i {
			return spec[:j+3] + "…" + spec[i:]
		}
	}
	return spec
}

// areaReport is what migrate-data did in one area.
type areaReport struct {
	Plural                               string // "cases", "users" …
	Source, Copied, Present, Destination int
	// Mismatched names the source records that the destination holds
	// differently, or whose place a different record holds; none of them
	// was overwritten.
	Mismatched []mismatch
	// Notes are further lines (the audit chain's verification); Broken says
	// that one of them reports a failure.
	Notes  []string
	Broken bool

	reported map[string]bool // keys of Mismatched
}

type mismatch struct {
	Name string // "case 2026-000002", "user li.si (…)"
	// Clash is true when another record holds its place in the destination
	// (its username, or its case and revision), rather than a different
	// version of the record itself.
	Clash bool
	key   string // what identifies the record across stores
}

// maxMismatchLines bounds the lines printed per area; the summary line has
// the count.
const maxMismatchLines = 20

func (r *areaReport) print(out io.Writer) {
	fmt.Fprintf(out, "migrate-data: source %s %d, copied %d, already present %d, mismatched %d, destination %s %d\n",
		r.Plural, r.Source, r.Copied, r.Present, len(r.Mismatched), r.Plural, r.Destination)
	for i, m := range r.Mismatched {
		if i == maxMismatchLines {
			fmt.Fprintf(out, "migrate-data: … and %d more mismatched %s\n", len(r.Mismatched)-i, r.Plural)
			break
		}
		if m.Clash {
			fmt.Fprintf(out, "migrate-data: %s clashes with another record in the destination; not copied\n", m.Name)
		} else {
			fmt.Fprintf(out, "migrate-data: %s differs between source and destination; not overwritten\n", m.Name)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintln(out, "migrate-data:", n)
	}
}

func (r *areaReport) failed() bool { return len(r.Mismatched) > 0 || r.Broken }

// differs records m once, however often the copy and the verification
// find it.
func (r *areaReport) differs(m mismatch) {
	if r.reported[m.key] {
		return
	}
	if r.reported == nil {
		r.reported = map[string]bool{}
	}
	r.reported[m.key] = true
	r.Mismatched = append(r.Mismatched, m)
}

// copyStore copies every area of src into dst and verifies the result. It
// returns the reports of the areas it finished; an error stops it.
func copyStore(ctx context.Context, src, dst store.Store) ([]areaReport, error) {
	steps := []func(ctx context.Context, src, dst store.Store) (areaReport, error){
		copyCases,
		userArea.copy,
		copyAudit,
		importantArea.copy,
		quarterlyArea.copy,
		calendarArea.copy,
		settingArea.copy,
		mailArea.copy,
		publicationArea.copy,
	}
	var reps []areaReport
	for _, step := range steps {
		rep, err := step(ctx, src, dst)
		if err != nil {
			return reps, err
		}
		reps = append(reps, rep)
	}
	return reps, nil
}

// copyCases copies every case of src into dst and verifies the result.
func copyCases(ctx context.Context, src, dst store.Store) (areaReport, error) {
	rep := areaReport{Plural: "cases"}
	differs := func(c *store.Case) { rep.differs(mismatch{Name: "case " + c.Number, key: c.ID}) }
	ids, err := allCaseIDs(ctx, src)
	if err != nil {
		return rep, fmt.Errorf("list source cases: %w", err)
	}
	rep.Source = len(ids)
	for _, id := range ids {
		c, events, msgs, err := loadFull(ctx, src, id)
		if err != nil {
			return rep, fmt.Errorf("read source case %s: %w", id, err)
		}
		err = dst.ImportCase(ctx, c, events, msgs)
		switch store.ErrorCode(err) {
		case "":
			rep.Copied++
		case store.ECONFLICT:
			same, derr := sameInDestination(ctx, dst, c, events, msgs)
			if derr != nil {
				return rep, fmt.Errorf("compare case %s: %w", c.Number, derr)
			}
			if same {
				rep.Present++
			} else {
				differs(c)
			}
		default:
			return rep, fmt.Errorf("copy case %s: %w", c.Number, err)
		}
	}
	// Verify from scratch: every source case, read back from the destination.
	for _, id := range ids {
		c, events, msgs, err := loadFull(ctx, src, id)
		if err != nil {
			return rep, err
		}
		same, err := sameInDestination(ctx, dst, c, events, msgs)
		if err != nil {
			return rep, fmt.Errorf("verify case %s: %w", c.Number, err)
		}
		if !same {
			differs(c)
		}
	}
	_, rep.Destination, err = dst.ListCases(ctx, store.CaseFilter{Limit: 1})
	return rep, err
}

// allCaseIDs pages through every case of s.
func allCaseIDs(ctx context.Context, s store.Store) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	for offset := 0; ; {
		page, total, err := s.ListCases(ctx, store.CaseFilter{Limit: 500, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			if !seen[c.ID] {
				seen[c.ID] = true
				ids = append(ids, c.ID)
			}
		}
		offset += len(page)
		if len(page) == 0 || offset >= total {
			if len(ids) != total {
				return nil, fmt.Errorf("store changed while listing (%d of %d cases): stop the portal and re-run", len(ids), total)
			}
			return ids, nil
		}
	}
}

func loadFull(ctx context.Context, s store.Store, id string) (*store.Case, []store.Event, []store.Message, error) {
	c, err := s.CaseByID(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	events, err := s.CaseEvents(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	msgs, err := s.CaseMessages(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	// The records of the evidence files go with what they came with.
	files, err := s.CaseFiles(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, f := range files {
		if f.MessageID == "" {
			c.Files = append(c.Files, f)
			continue
		}
		for i := range msgs {
			if msgs[i].ID == f.MessageID {
				msgs[i].Files = append(msgs[i].Files, f)
			}
		}
	}
	return c, events, msgs, nil
}

func sameInDestination(ctx context.Context, dst store.Store, c *store.Case, events []store.Event, msgs []store.Message) (bool, error) {
	d, devents, dmsgs, err := loadFull(ctx, dst, c.ID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return caseHash(c, events, msgs) == caseHash(d, devents, dmsgs), nil
}

// caseHash is a SHA-256 over everything a case holds except IndexedVersion,
// which belongs to each installation's own search index. It hashes the JSON
// of the whole structs, so a field added to store.Case, Event or Message
// is covered without a change here (TestMigrateDataHashCoversEveryField
// checks that it stays so).
func caseHash(c *store.Case, events []store.Event, msgs []store.Message) string {
	cc := *c
	cc.IndexedVersion = 0
	b, _ := json.Marshal(struct {
		Case     store.Case
		Events   []store.Event
		Messages []store.Message
	}{cc, events, msgs})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
