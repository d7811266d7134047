package main

import (
	"context"
	"errors"

	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"fundwatch/casework"
	"fundwatch/search"
	searchbleve "fundwatch/search/bleve"
	"fundwatch/search/meili"
	"fundwatch/store"
)

// indexes are the two search indexes of an installation.
type indexes struct {
	Public, Cases search.Index
}

func (ix indexes) Close() {
	for _, idx := range []search.Index{ix.Public, ix.Cases} {
		if idx != nil {
			_ = idx.Close()
		}
	}
}

// openSearch opens both indexes on the configured engine. Bleve lives under
// DATA/search and belongs to this process alone: failing to open it stops
// the start. Meilisearch is reached lazily: a server that is down at start
// (or later) makes search answer 搜索暂时不可用 while reports are still taken,
// and the sync loop catches up once it is back.
func openSearch(ctx context.Context, cfg *config, log *slog.Logger) (indexes, error) {
	switch cfg.Search {
	case "meili":
		mc := meili.Config{URL: cfg.MeiliURL, APIKey: cfg.MeiliKey, IndexPrefix: cfg.MeiliPrefix, Timeout: 5 * time.Second}
		lazy := func(name string) search.Index {
			return search.NewLazy(func(ctx context.Context) (search.Index, error) {
				return meili.Open(ctx, mc, name)
			}, 5*time.Second)
		}
		log.Info("search on Meilisearch", "url", cfg.MeiliURL, "prefix", cfg.MeiliPrefix)
		return indexes{Public: lazy(search.IndexPublic), Cases: lazy(search.IndexCases)}, nil
	default:
		dir := filepath.Join(cfg.DataDir, "search")
		log.Info("opening embedded search indexes", "dir", dir)
		pub, err := searchbleve.Open(dir, search.IndexPublic)
		if err != nil {
			return indexes{}, fmt.Errorf("open the public search index under %s (is another fundwatch running on this data directory?): %w", dir, err)
		}
		cases, err := searchbleve.Open(dir, search.IndexCases)
		if err != nil {
			_ = pub.Close()
			return indexes{}, fmt.Errorf("open the cases search index under %s: %w", dir, err)
		}
		return indexes{Public: pub, Cases: cases}, nil
	}
}

// newSyncer is the loop feeding ix from st.
func newSyncer(st store.Store, ix indexes, regions *casework.Regions, log *slog.Logger) *search.Syncer {
	return &search.Syncer{Source: st, Regions: regions, Public: ix.Public, Cases: ix.Cases, Log: log}
}

// reindexCommand is `fundwatch reindex [public|cases]`: every record of the
// area (both without an argument) is marked pending and indexed again from
// the store. With Bleve the server must be stopped (one process owns the
// index); with Meilisearch it may run alongside.
func reindexCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	areas := []string{store.IndexPublications, store.IndexCases}
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		switch args[0] {
		case "public":
			areas = []string{store.IndexPublications}
		case "cases":
			areas = []string{store.IndexCases}
		default:
			fmt.Fprintf(stderr, "fundwatch reindex: unknown index %q: want public or cases (or nothing for both)\n", args[0])
			return 2
		}
		args = args[1:]
	}
	cfg, err := parseConfig("reindex", args)
	if errors.Is(err, flagHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch reindex: bad configuration:", err)
		return 2
	}
	log := newLogger(cfg.LogFormat)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch reindex: cannot open the store:", err)
		return 1
	}
	defer st.Close()
	ix, err := openSearch(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch reindex:", err)
		return 1
	}
	defer ix.Close()
	sy := newSyncer(st, ix, casework.DefaultRegions(), log)
	for _, area := range areas {
		start := time.Now()
		n, err := sy.Reindex(ctx, area)
		if err != nil {
			fmt.Fprintf(stderr, "fundwatch reindex %s: %v (indexed %d before the error; run it again, or the server's loop finishes it)\n", area, err, n)
			return 1
		}
		fmt.Fprintf(stdout, "%s: %d records indexed in %s\n", area, n, time.Since(start).Round(time.Millisecond))
	}
	return 0
}
