package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/casework/evidence"
	"fundwatch/store"
)

// purgeCommand is `fundwatch purge [--dry-run]`: remove the reporter
// identity and the evidence files of the cases that ended more than
// --retention-years ago (caseflow.PurgeExpired), or with --dry-run list
// them and change nothing. The server does the same once a day.
func purgeCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var dryRun bool
	cfg, err := parseConfig("purge", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "list what would be purged and change nothing")
	})
	if errors.Is(err, flagHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch purge: bad configuration:", err)
		return 2
	}
	if cfg.RetentionYears == 0 {
		fmt.Fprintln(stderr, "fundwatch purge: --retention-years is 0 (keep everything): nothing to purge")
		return 2
	}
	log := newLogger(cfg.LogFormat)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch purge: cannot open the store:", err)
		return 1
	}
	defer st.Close()
	blobs, err := openBlobs(cfg, st, log, false)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch purge:", err)
		return 1
	}
	defer blobs.Close()
	svc := &caseflow.Service{Store: st, Blobs: blobs, Regions: casework.DefaultRegions(), Clock: time.Now, Log: log}
	before := time.Now().AddDate(-cfg.RetentionYears, 0, 0)
	var list []caseflow.Expired
	if dryRun {
		list, err = svc.ExpiredCases(ctx, before)
	} else {
		list, err = svc.PurgeExpired(ctx, before)
	}
	verb := "purged"
	if dryRun {
		verb = "would purge"
	}
	files, size := 0, int64(0)
	for _, e := range list {
		what := ""
		if e.Identity {
			what = "identity"
		}
		if e.Files > 0 {
			if what != "" {
				what += " and "
			}
			what += fmt.Sprintf("%d files (%s)", e.Files, evidence.SizeText(e.Bytes))
		}
		fmt.Fprintf(stdout, "%s %s: ended %s, %s\n", verb, e.Case.Number, e.EndedAt.In(store.CST).Format(time.DateOnly), what)
		files += e.Files
		size += e.Bytes
	}
	fmt.Fprintf(stdout, "%s %d cases that ended before %s (%d years ago): %d evidence files, %s\n",
		verb, len(list), before.In(store.CST).Format(time.DateOnly), cfg.RetentionYears, files, evidence.SizeText(size))
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch purge:", err, "(what is listed above was done; run it again to go on)")
		return 1
	}
	return 0
}

// purgeDaily runs the retention purge ten minutes after start and then
// every day, unless retention is off.
func purgeDaily(ctx context.Context, cases *caseflow.Service, years int, log *slog.Logger) {
	if years == 0 {
		return
	}
	wait := 10 * time.Minute
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = 24 * time.Hour
		done, err := cases.PurgeExpired(ctx, time.Now().AddDate(-years, 0, 0))
		if len(done) > 0 {
			log.Info("retention: purged the identity and evidence files of cases that ended long ago", "cases", len(done), "years", years)
		}
		if err != nil && ctx.Err() == nil {
			log.Error("retention purge failed; it goes on tomorrow", "error", err)
		}
	}
}
