package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"fundwatch/store"
)

// generateStore generates the store of plan into dataDir and indexes it,
// and says what it holds.
//
// The search scenarios read indexes that are complete, and every other
// scenario wants a server whose search sync is idle, as it is once it has
// caught up: started on a generated store it never indexed, fundwatch
// spends its first minutes indexing 100,000 cases (a third of its CPU in
// the profile of the home page) while it is being measured. So the
// generated store is indexed before the server starts (and the time it
// took is said).
func generateStore(ctx context.Context, o options, bin, dataDir string, plan seedPlan) (string, error) {
	fmt.Fprintf(os.Stderr, "loadtest: generating %d cases (and the disclosure: %v) …\n", plan.cases, plan.disclosure)
	st, err := seedStore(ctx, dataDir, o.seedDir, plan, store.Truncate(time.Now().UTC()), os.Stderr)
	if err != nil {
		return "", fmt.Errorf("generate the store: %w", err)
	}
	fmt.Fprintf(os.Stderr, "loadtest: %s\n", st)
	fmt.Fprintln(os.Stderr, "loadtest: indexing the generated store (fundwatch reindex) …")
	out, err := exec.CommandContext(ctx, bin, "reindex", "--data", dataDir).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("fundwatch reindex: %v\n%s", err, out)
	}
	fmt.Fprintf(os.Stderr, "loadtest: %s", out)
	// What reindex says, without its log lines.
	var said []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "time=") && !strings.HasPrefix(l, "{") {
			said = append(said, l)
		}
	}
	return st.String() + "; indexed with fundwatch reindex (" + strings.Join(said, "; ") + ")", nil
}

// storeCache keeps a generated and indexed store between runs
// (-store-cache DIR): DIR/data is the data directory as it was before the
// server first started on it, DIR/plan says for which plan, DIR/info what
// it holds. The public and inbox scenarios write nothing the next run
// would see (intake does, but into the copy).
type storeCache struct{ dir string }

func (p seedPlan) String() string {
	return fmt.Sprintf("cases=%d disclosure=%v", p.cases, p.disclosure)
}

// load copies the kept store of plan into dataDir; ok is false when there
// is none for plan (or no cache).
func (sc storeCache) load(plan seedPlan, dataDir string) (info string, ok bool, err error) {
	if sc.dir == "" {
		return "", false, nil
	}
	b, err := os.ReadFile(filepath.Join(sc.dir, "plan"))
	if errors.Is(err, fs.ErrNotExist) || (err == nil && strings.TrimSpace(string(b)) != plan.String()) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	i, err := os.ReadFile(filepath.Join(sc.dir, "info"))
	if err != nil {
		return "", false, err
	}
	if err := copyTree(filepath.Join(sc.dir, "data"), dataDir); err != nil {
		return "", false, err
	}
	return strings.TrimSpace(string(i)) + " (kept in " + sc.dir + " by an earlier run)", true, nil
}

// save keeps a copy of dataDir as the store of plan.
func (sc storeCache) save(plan seedPlan, dataDir, info string) error {
	if sc.dir == "" {
		return nil
	}
	if err := os.RemoveAll(sc.dir); err != nil {
		return err
	}
	if err := copyTree(dataDir, filepath.Join(sc.dir, "data")); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(sc.dir, "info"), []byte(info+"\n"), 0o600); err != nil {
		return err
	}
	// Written last: a cache without it is not used.
	return os.WriteFile(filepath.Join(sc.dir, "plan"), []byte(plan.String()+"\n"), 0o600)
}

// copyTree copies the directories and regular files under from to to.
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return copyFile(path, dst)
	})
}
