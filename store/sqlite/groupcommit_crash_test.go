package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The child process of TestGroupCommitCrash: it files cases from many
// goroutines at once into the database in crashChildEnv, and prints a line
// for each acknowledged one, until it is killed.
const crashChildEnv = "FUNDWATCH_GROUPCRASH_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		groupCrashChild(path)
		return
	}
	os.Exit(m.Run())
}

func groupCrashChild(path string) {
	db, err := Open(path)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	var out sync.Mutex
	say := func(format string, args ...any) {
		out.Lock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
		out.Unlock()
	}
	db.ObserveCommits(func(size int) {
		if size > 1 {
			say("group %d", size)
		}
	})
	const writers = 24
	for g := range writers {
		go func() {
			for k := 0; ; k++ {
				id := fmt.Sprintf("p%d-g%d-n%d", os.Getpid(), g, k)
				c, e := groupCase(id)
				if err := db.CreateCase(context.Background(), c, e); err != nil {
					say("error %s %v", id, err)
					continue
				}
				say("ack %s %s", id, c.Number)
			}
		}()
	}
	select {}
}

// TestGroupCommitCrash kills a process with SIGKILL while it commits cases
// in groups, several times over on one database, and checks after each
// kill what a receipt promises: every case whose CreateCase returned is
// there whole (case, first event, its number), no number is handed out
// twice, no case lacks its first event, and the file passes SQLite's
// integrity check. FUNDWATCH_CRASH_CYCLES sets the number of kills
// (default 3).
func TestGroupCommitCrash(t *testing.T) {
	cycles := 3
	if v := os.Getenv("FUNDWATCH_CRASH_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("FUNDWATCH_CRASH_CYCLES=%q: want a positive number", v)
		}
		cycles = n
	}
	path := filepath.Join(t.TempDir(), "fundwatch.db")
	acked := map[string]string{} // case ID → number
	groupsSeen, biggest := 0, 0
	for cycle := range cycles {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a random number of acknowledgements, once groups
		// have formed, so that the kill lands while groups commit.
		killAt := 50 + rand.IntN(400)
		lines := bufio.NewScanner(stdout)
		acks, groups := 0, 0
		timeout := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
		for lines.Scan() {
			f := strings.Fields(lines.Text())
			switch {
			case len(f) == 3 && f[0] == "ack":
				acked[f[1]] = f[2]
				acks++
			case len(f) == 2 && f[0] == "group":
				groups++
				size, _ := strconv.Atoi(f[1])
				biggest = max(biggest, size)
			default:
				_ = cmd.Process.Kill()
				t.Fatalf("child: %s", lines.Text())
			}
			if acks >= killAt && groups > 0 {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
		timeout.Stop()
		_ = cmd.Wait()
		if acks < killAt || groups == 0 {
			t.Fatalf("cycle %d: the child stopped after %d acknowledgements and %d groups", cycle, acks, groups)
		}
		groupsSeen += groups
		checkAfterCrash(t, path, acked)
	}
	t.Logf("%d SIGKILLs, %d acknowledged cases all stored whole; %d groups of 2 or more were committed, the biggest of %d",
		cycles, len(acked), groupsSeen, biggest)
}

// checkAfterCrash reopens the database and checks it against what was
// acknowledged.
func checkAfterCrash(t *testing.T, path string, acked map[string]string) {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatalf("reopen after the kill: %v", err)
	}
	defer func() { _ = db.Close() }()
	ctx := context.Background()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	stored := map[string]string{}
	rows, err := db.read.Query(`SELECT id, number FROM cases`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, number string
		if err := rows.Scan(&id, &number); err != nil {
			t.Fatal(err)
		}
		stored[id] = number
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for id, number := range acked {
		if got, ok := stored[id]; !ok || got != number {
			t.Fatalf("acknowledged case %s (%s) lost or renumbered: %q", id, number, got)
		}
	}
	var cases, numbers, noEvent int
	var maxSeq, lastSeq int64
	err = db.read.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT number), COALESCE(MAX(seq), 0),
		(SELECT COUNT(*) FROM cases WHERE id NOT IN (SELECT case_id FROM case_events)),
		(SELECT COALESCE(MAX(last_seq), 0) FROM case_counters)
		FROM cases`).Scan(&cases, &numbers, &maxSeq, &noEvent, &lastSeq)
	if err != nil {
		t.Fatal(err)
	}
	if numbers != cases {
		t.Errorf("%d cases share %d numbers", cases, numbers)
	}
	if noEvent != 0 {
		t.Errorf("%d cases without their first event (half-written)", noEvent)
	}
	if maxSeq != int64(cases) || lastSeq != int64(cases) {
		t.Errorf("%d cases, highest number %d, counter at %d: numbers skipped or reused", cases, maxSeq, lastSeq)
	}
	if cases < len(acked) {
		t.Errorf("%d cases stored, %d acknowledged", cases, len(acked))
	}
	// One acknowledged case through the store, the way a receipt is
	// looked up.
	for id, number := range acked {
		if c, err := db.CaseByID(ctx, id); err != nil || c.Number != number {
			t.Errorf("CaseByID(%s) after reopening: %v, %v", id, c, err)
		}
		break
	}
}
