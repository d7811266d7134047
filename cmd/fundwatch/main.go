// Command fundwatch runs the 社保基金监督公开平台 portal: the public site, the
// JSON API and (later) the admin pages, on an embedded SQLite store by default
// or on MongoDB when configured. It is the only place that chooses backends.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"fundwatch/admin"
	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/casework/mailer"
	"fundwatch/handlers"
	"fundwatch/handlers/web"
	"fundwatch/store"
	"fundwatch/store/disk"
	"fundwatch/store/mongo"
	"fundwatch/store/sqlite"

	"github.com/gofiber/fiber/v2"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `fundwatch — 社保基金监督公开平台

usage:
  fundwatch [serve] [flags]   run the portal (the default)
  fundwatch migrate [flags]   create or upgrade the store's schema, then exit
  fundwatch version           print the version
  fundwatch migrate-data --from sqlite:PATH --to mongo:URI
                              copy a whole installation between stores (and back), verified
  fundwatch healthcheck       exit 0 if the local server answers /readyz (for container HEALTHCHECK)
  fundwatch user add|passwd|disable|enable|list
                              manage staff accounts (the first administrator comes from here)
  fundwatch audit verify      walk the audit log's hash chain and name the first broken entry
  fundwatch import articles FILE.jsonl | fund-reports FILE.csv|FILE.xlsx
                              move an old site's published content over (checked, idempotent, audited)
  fundwatch reindex [public|cases]
                              index every record again from the store (with Bleve, stop the server first)
  fundwatch purge [--dry-run] remove the reporter identity and evidence files of cases that ended more
                              than --retention-years ago (the server does it daily); --dry-run lists them

Run "fundwatch serve -h" for the flags; each has a FUNDWATCH_* variable.
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "version":
		fmt.Println("fundwatch", version)
		return 0
	case "help":
		fmt.Print(usage)
		return 0
	case "healthcheck":
		return healthcheck(args)
	case "migrate-data":
		return migrateData(ctx, args, os.Stdout)
	case "user":
		return userCommand(ctx, args, os.Stdin, os.Stdout, os.Stderr)
	case "audit":
		return auditCommand(ctx, args, os.Stdout, os.Stderr)
	case "import":
		return importCommand(ctx, args, os.Stdout, os.Stderr)
	case "reindex":
		return reindexCommand(ctx, args, os.Stdout, os.Stderr)
	case "purge":
		return purgeCommand(ctx, args, os.Stdout, os.Stderr)
	case "serve", "migrate":
	default:
		fmt.Fprintf(os.Stderr, "fundwatch: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	cfg, err := parseConfig(cmd, args)
	if errors.Is(err, flagHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fundwatch: bad configuration:")
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(os.Stderr, "  -", line)
		}
		return 2
	}
	log := newLogger(cfg.LogFormat)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := openStore(ctx, cfg, log)
	if err != nil {
		log.Error("cannot open the store", "store", cfg.Store, "error", err)
		return 1
	}
	defer st.Close()
	if cmd == "migrate" {
		log.Info("store is migrated", "store", cfg.Store)
		return 0
	}
	if err := serve(ctx, cfg, st, log); err != nil {
		log.Error("server stopped", "error", err)
		return 1
	}
	return 0
}

func newLogger(format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// Access log batches: a request's line is written at most this long after
// it ended, or sooner when this many bytes of lines are waiting.
const (
	accessLogInterval = 100 * time.Millisecond
	accessLogBatch    = 32 << 10
)

func openStore(ctx context.Context, cfg *config, log *slog.Logger) (store.Store, error) {
	switch cfg.Store {
	case "mongo":
		return openMongo(ctx, cfg)
	default:
		if err := checkDataDir(cfg.DataDir); err != nil {
			return nil, err
		}
		path := filepath.Join(cfg.DataDir, "fundwatch.db")
		log.Info("opening embedded store", "path", path)
		db, err := sqlite.Open(path)
		if err != nil {
			return nil, err
		}
		return db, nil
	}
}

// checkDataDir creates the data directory if needed and writes a small
// file in it, so that a data directory the portal cannot write stops the
// start with a line naming the directory and the cause (read-only file
// system, permission denied, no space left on device) rather than SQLite's
// "unable to open database file" or "disk I/O error": SQLite cannot even
// open its database on a full disk, having to create its 32 KiB
// shared-memory file. (A portal already running when the disk fills keeps
// serving reads and answers 503 to writes until there is room.)
func checkDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the data directory %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-check-")
	if err != nil {
		return fmt.Errorf("cannot write in the data directory %s: %w", dir, err)
	}
	_, err = f.Write(make([]byte, 64<<10))
	err = errors.Join(err, f.Close(), os.Remove(f.Name()))
	if err != nil {
		return fmt.Errorf("cannot write in the data directory %s: %w", dir, err)
	}
	return nil
}

// openBlobs opens where evidence files are kept: GridFS in the same
// database as a MongoDB store, files under DATA/files beside the embedded
// one. The server owns that directory (owner: it clears what a crash left
// in it); a command beside a running server attaches to it.
func openBlobs(cfg *config, st store.Store, log *slog.Logger, owner bool) (store.BlobStore, error) {
	if m, ok := st.(*mongo.DB); ok {
		return m.Blobs(), nil
	}
	dir := filepath.Join(cfg.DataDir, "files")
	log.Info("opening the evidence file store", "dir", dir)
	open := disk.Attach
	if owner {
		open = disk.Open
	}
	b, err := open(dir)
	if err != nil {
		return nil, fmt.Errorf("open the evidence file store: %w", err)
	}
	return b, nil
}

// sweepOrphanFiles removes the evidence files of submissions that never
// completed (see caseflow.SweepOrphanFiles) once they are older than age:
// first soon after start, then hourly (more often when age is shorter).
func sweepOrphanFiles(ctx context.Context, cases *caseflow.Service, age time.Duration, log *slog.Logger) {
	wait := min(age, time.Minute)
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(age, time.Hour)
		if _, err := cases.SweepOrphanFiles(ctx, time.Now().Add(-age)); err != nil && ctx.Err() == nil {
			log.Warn("sweep of orphan evidence files failed; retrying later", "error", err, "retry_in", wait)
		}
	}
}

func serve(ctx context.Context, cfg *config, st store.Store, log *slog.Logger) error {
	key, err := loadOrCreateKey(cfg, log)
	if err != nil {
		return err
	}
	keyring, err := casework.NewKeyring(key)
	if err != nil {
		return err
	}
	regions := casework.DefaultRegions()
	validate, err := handlers.NewValidator(regions)
	if err != nil {
		return err
	}
	// Metrics first: the store's commit hook is set before anything
	// writes (observeCommitBatches is where db.ObserveCommits will be
	// called: HOOK(group commit) in metrics.go), and the plumbing is built
	// with its observer.
	om := newOperatorMetrics(cfg, st, log)
	if om != nil {
		observeCommitBatches(st, om.ObserveCommitBatch)
	}
	var shared fiber.Storage // nil: in memory, for one instance
	if m, ok := st.(*mongo.DB); ok {
		// Several instances share one MongoDB: keep CSRF tokens, follow-up
		// sessions and rate counters there so they behave as one.
		shared = m.KV()
	}
	// The request lines go to the same stderr in batches (web.LogBuffer):
	// a write per request was a fifth of a kept page's time. Closed (and
	// so written out) when serve returns, after the app has stopped. They
	// are formatted by web.NewLogHandler, the same lines as newLogger's
	// in half the time.
	accessOut := web.NewLogBuffer(os.Stderr, accessLogBatch, accessLogInterval)
	defer accessOut.Close()
	w := web.New(web.Config{
		BaseURL:        cfg.BaseURL,
		TrustedProxies: cfg.TrustedProxies,
		Version:        version,
		Log:            log,
		AccessLog:      slog.New(web.NewLogHandler(cfg.LogFormat == "json", accessOut, slog.LevelInfo)),
		Clock:          time.Now,
		Storage:        shared,
		Observer:       om.observer(),
	})
	defer w.Close()
	// The calendar and the rules as administrators stored them: read now,
	// so a store that cannot give them stops the start rather than letting
	// deadlines be counted by rules nobody chose, then every minute so a
	// change made on another instance arrives here too.
	rules := caseflow.NewStoredRules(st, log)
	if err := rules.Load(ctx); err != nil {
		return fmt.Errorf("cannot read the working-day calendar and the rules administrators set (deadlines, 要情 thresholds) from the store: %w", err)
	}
	go rules.Run(ctx)
	if warn := calendarGap(rules.Calendar(), time.Now()); warn != "" {
		log.Warn(warn)
	}
	// The offices (受理机构) administrators entered, read like the rules.
	offices := caseflow.NewStoredOffices(st, regions, log)
	if err := offices.Load(ctx); err != nil {
		return fmt.Errorf("cannot read the offices (受理机构) administrators entered from the store: %w", err)
	}
	go offices.Run(ctx)
	blobs, err := openBlobs(cfg, st, log, true)
	if err != nil {
		return err
	}
	defer blobs.Close()
	cases := &caseflow.Service{
		Store:      st,
		Blobs:      blobs,
		FileLimits: cfg.fileLimits(),
		Keyring:    keyring,
		Regions:    regions,
		Rules:      rules,
		Offices:    offices,
		Clock:      time.Now,
		Log:        log,
		BaseURL:    cfg.BaseURL,
		// Every filing reads the users to notify; they change seldom.
		ActiveUsers: &caseflow.ActiveUsers{},
	}
	go sweepOrphanFiles(ctx, cases, cfg.OrphanAge, log)
	go purgeDaily(ctx, cases, cfg.RetentionYears, log)
	mailCtx, stopMail := context.WithCancel(ctx)
	mailDone, err := startMailer(mailCtx, cfg, st, keyring, cases, log)
	if err != nil {
		stopMail()
		return err
	}
	// The store closes only after the worker has stopped.
	defer func() { stopMail(); <-mailDone }()
	if n, err := cases.RehashIdempotencyKeys(ctx); err != nil {
		return fmt.Errorf("hash the idempotency keys stored in clear: %w", err)
	} else if n > 0 {
		log.Info("hashed idempotency keys that an older version stored in clear", "cases", n)
	}
	ix, err := openSearch(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer ix.Close()
	syncer := newSyncer(st, ix, regions, log)
	if om != nil {
		syncer.Failed = om.SearchSyncFailed
	}
	h := &handlers.Handler{
		Search:   ix.Public,
		Cases:    cases,
		Store:    st,
		Keyring:  keyring,
		Regions:  regions,
		Calendar: casework.DefaultCalendar(),
		Validate: validate,
		Offices:  offices,
		Web:      w,
		Config: handlers.Config{
			BaseURL:        cfg.BaseURL,
			TrustedProxies: cfg.TrustedProxies,
			Demo:           cfg.Demo,
			Version:        version,
			Limits:         handlers.Limits{SubmitPerIP: cfg.SubmitLimit, FollowupPerIP: cfg.FollowupLimit, SearchPerIP: cfg.SearchLimit},
			Site: handlers.SiteInfo{Sponsor: cfg.SiteSponsor, Address: cfg.SiteAddress, Phone: cfg.SitePhone,
				Email: cfg.SiteEmail, SiteCode: cfg.SiteCode, ICP: cfg.SiteICP},
		},
	}
	if om != nil {
		h.Filed = om.SubmissionFiled
	}
	adm := &admin.Admin{
		Search:  ix.Cases,
		Syncer:  syncer,
		Web:     w,
		Cases:   cases,
		Store:   st,
		Keyring: keyring,
		Regions: regions,
		Config:  admin.Config{Demo: cfg.Demo, Version: version, MailConfigured: cfg.SMTPAddr != ""},
	}
	if cfg.Demo {
		creds, err := loadDemo(ctx, cases, time.Now())
		if err != nil {
			return fmt.Errorf("load demo content: %w", err)
		}
		h.Config.DemoCases = creds
		logins, err := loadDemoStaff(ctx, cases)
		if err != nil {
			return fmt.Errorf("load demo content: %w", err)
		}
		adm.Config.DemoLogins = logins
		if err := loadDemoDisclosure(ctx, cases); err != nil {
			return fmt.Errorf("load demo content: %w", err)
		}
		log.Info("demo content loaded (marked 示例 on every page)", "cases", len(creds), "staff", len(logins))
	}
	go publishScheduled(ctx, cases, log)
	app := w.NewApp()
	// The admin site first: its routes and middleware are its own, and the
	// public site's CSRF middleware skips its paths.
	if err := adm.Mount(app); err != nil {
		return err
	}
	if err := h.Mount(app); err != nil {
		return err
	}
	if om != nil && cfg.MetricsToken != "" {
		w.ServeMetrics(app, cfg.MetricsToken, om.handler)
		log.Info("serving metrics on the portal's address to the bearer of --metrics-token", "path", web.MetricsPath)
	}
	w.Finish(app)
	if om != nil && cfg.MetricsAddr != "" {
		mctx, stopMetrics := context.WithCancel(ctx)
		done, err := serveMetricsListener(mctx, cfg.MetricsAddr, om.handler, log)
		if err != nil {
			stopMetrics()
			return err
		}
		defer func() { stopMetrics(); <-done }()
	}
	// A publication, correction or withdrawal made here empties the public
	// page cache at once; one made on another instance (MongoDB), or by
	// fundwatch import, reaches this instance's cache through the store's
	// published stamp within publicCachePoll.
	cases.PublicChanged = func() { h.InvalidatePublic(); syncer.Kick() }
	if cfg.SearchSync {
		// The indexes follow the store: what changed since it was last
		// indexed is indexed within a second, and what changed while
		// search was down (or this process was killed) once it is back.
		go syncer.Run(ctx)
	}
	go h.PublicCache.Watch(ctx, publicCachePoll, st.PublishedStamp, log)
	if cfg.DebugAddr != "" {
		if err := startDebug(ctx, cfg.DebugAddr, log); err != nil {
			return fmt.Errorf("--debug-addr: %w", err)
		}
	}
	// Answers sent while shutting down tell clients to reconnect elsewhere.
	app.Server().CloseOnShutdown = true
	errc := make(chan error, 1)
	go func() {
		log.Info("fundwatch is serving", "addr", cfg.Addr, "base_url", cfg.BaseURL, "store", cfg.Store, "version", version)
		errc <- app.Listen(cfg.Addr)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	if err := app.ShutdownWithTimeout(10 * time.Second); err != nil {
		// A client holding a connection open (half a request, an idle
		// connection that raced the shutdown) must not keep the process
		// alive or make the stop look like a failure: every submission that
		// was answered is already durable in the store.
		log.Warn("connections still open after 10s; stopping anyway", "error", err)
	}
	return nil
}

// publicCachePoll is how often each instance asks the store whether
// anything public changed elsewhere.
const publicCachePoll = 3 * time.Second

// publishScheduled publishes approved publications whose scheduled time
// has come, checking every 30 seconds. With several instances each checks;
// the store's version guard lets exactly one publish each.
func publishScheduled(ctx context.Context, cases *caseflow.Service, log *slog.Logger) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		if n, err := cases.PublishDue(ctx); err != nil && ctx.Err() == nil {
			log.Error("scheduled publication failed; retrying in 30s", "error", err)
		} else if n > 0 {
			log.Info("scheduled publications published", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// calendarGap says, for the log at start, when this year's or next year's
// holidays are missing from the calendar: deadlines reaching into such a
// year count weekends only. The admin dashboard shows the same warning.
func calendarGap(cal *casework.Calendar, now time.Time) string {
	this := now.In(store.CST).Year()
	for _, y := range []int{this, this + 1} {
		if !slices.Contains(cal.Years(), y) {
			return fmt.Sprintf("the working-day calendar has no holidays for %d: deadlines reaching into it count weekends only; an administrator should enter them on /admin/calendar", y)
		}
	}
	return ""
}

// startMailer starts the worker that sends the outbox and queues the daily
// deadline reminders, when a mail server is configured. Without one,
// notifications stay in the outbox (the admin dashboard says so) and no
// reminders are queued: a digest is worth something only on its day. The
// returned channel is closed once the worker has stopped.
func startMailer(ctx context.Context, cfg *config, st store.Store, keyring *casework.Keyring, cases *caseflow.Service, log *slog.Logger) (<-chan struct{}, error) {
	done := make(chan struct{})
	if cfg.SMTPAddr == "" {
		close(done)
		log.Warn("no mail server configured (--smtp-addr): notifications are kept in the outbox and not sent")
		return done, nil
	}
	sender, err := mailer.NewSMTP(mailer.Config{
		Addr: cfg.SMTPAddr, User: cfg.SMTPUser, Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS,
		HelloName: helloName(cfg.BaseURL),
	})
	if err != nil {
		return nil, err
	}
	w := &mailer.Worker{Store: st, Sender: sender, Keyring: keyring, Reminders: cases.QueueDeadlineReminders, Clock: time.Now, Log: log}
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	log.Info("sending notifications", "smtp_addr", cfg.SMTPAddr, "smtp_tls", cfg.SMTPTLS)
	return done, nil
}

// helloName is the name the portal gives itself in EHLO: the host of its
// public address.
func helloName(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

// loadOrCreateKey reads the 32-byte master key (64 hex characters). On the
// first start of the embedded default, when the file is the default one in the
// data directory and does not exist, it is generated with 0600 permissions.
func loadOrCreateKey(cfg *config, log *slog.Logger) ([]byte, error) {
	b, err := os.ReadFile(cfg.KeyFile)
	if errors.Is(err, fs.ErrNotExist) && cfg.KeyFile == filepath.Join(cfg.DataDir, "secret.key") {
		key, gerr := casework.GenerateMasterKey()
		if gerr != nil {
			return nil, gerr
		}
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(cfg.KeyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create secret key file: %w", err)
		}
		if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		log.Warn("generated a new secret key file with 0600 permissions; back it up: without it the reporters' identities cannot be decrypted and access codes stop working",
			"path", cfg.KeyFile)
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secret key file %s: %w", cfg.KeyFile, err)
	}
	if fi, err := os.Stat(cfg.KeyFile); err == nil && fi.Mode().Perm()&0o077 != 0 {
		log.Warn("secret key file is readable by group or others; chmod 600 it", "path", cfg.KeyFile, "mode", fi.Mode().Perm().String())
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("secret key file %s must hold 64 hex characters (32 bytes)", cfg.KeyFile)
	}
	return key, nil
}

// healthcheck asks the server on FUNDWATCH_ADDR (or --addr) whether it is
// ready. It exists because the container image has no curl or wget.
func healthcheck(args []string) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	addr := fs.String("addr", env("ADDR", "127.0.0.1:8080"), "address the server listens on")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck: bad --addr:", err)
		return 2
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/readyz")
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "healthcheck: status", resp.StatusCode)
		return 1
	}
	return 0
}
