package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fundwatch/casework"
	"fundwatch/casework/evidence"
)

// config is everything fundwatch reads from flags and FUNDWATCH_* variables,
// parsed and validated once at start.
type config struct {
	Addr           string
	DataDir        string
	KeyFile        string
	BaseURL        string
	TrustedProxies []string
	Store          string
	MongoURI       string
	MongoDB        string
	Demo           bool
	LogFormat      string
	SubmitLimit    int
	FollowupLimit  int
	SearchLimit    int
	// DebugAddr is a loopback host:port where Go's profiler (pprof) is
	// served, apart from the app; "" (the default) serves none.
	DebugAddr string

	// Evidence files: how many a case may carry, and how large each and
	// all together may be, in MB.
	MaxFiles  int
	MaxFileMB int
	MaxCaseMB int
	// OrphanAge is how old a stored evidence file no case points at must
	// be before the sweep removes it.
	OrphanAge time.Duration
	// RetentionYears is how long after a case ended its reporter identity
	// and evidence files are kept; 0 keeps them (no purge by the server).
	RetentionYears int

	// Search: the engine (bleve, embedded under DataDir/search, or meili)
	// and, for Meilisearch, where it is and its key. SearchSync runs the
	// loop that feeds the indexes from the store (one instance per store).
	Search      string
	MeiliURL    string
	MeiliKey    string
	MeiliPrefix string
	SearchSync  bool

	// Outgoing mail; SMTPAddr "" means none is configured and notifications
	// stay in the outbox.
	SMTPAddr     string
	SMTPUser     string
	SMTPPassword string
	SMTPFrom     string
	SMTPTLS      string

	// Metrics for Prometheus, never public: MetricsAddr serves /metrics on
	// a listener of its own (plain, for a private network), MetricsToken
	// also on the app's address to requests carrying it as a bearer
	// token. Both "" is off.
	MetricsAddr  string
	MetricsToken string

	// Who runs the portal, for the footer and the contact page; each is
	// left out where not configured.
	SiteSponsor string
	SiteAddress string
	SitePhone   string
	SiteEmail   string
	SiteCode    string
	SiteICP     string
}

// flagHelp reports that -h was asked for and the usage was printed.
var flagHelp = errors.New("help requested")

// env returns FUNDWATCH_<name>, or the content of the file named by
// FUNDWATCH_<name>_FILE (for secrets mounted as files), or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv("FUNDWATCH_" + name); ok {
		return v
	}
	if f, ok := os.LookupEnv("FUNDWATCH_" + name + "_FILE"); ok && f != "" {
		if b, err := os.ReadFile(f); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	return def
}

func envBool(name string, def bool) bool {
	v := env(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def
	}
	return b
}

func envInt(name string, def int) int {
	v := env(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return n
}

// envDuration is FUNDWATCH_<name> as a duration (e.g. 24h), or def.
func envDuration(name string, def time.Duration) time.Duration {
	v := env(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return def
	}
	return d
}

// parseConfig reads flags over environment over defaults and validates the
// result, returning one message per bad value.
//
// extra adds a subcommand's own flags to the same set.
func parseConfig(name string, args []string, extra ...func(*flag.FlagSet)) (*config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	for _, add := range extra {
		add(fs)
	}
	c := &config{}
	fs.StringVar(&c.Addr, "addr", env("ADDR", "127.0.0.1:8080"), "listen address host:port (FUNDWATCH_ADDR)")
	fs.StringVar(&c.DataDir, "data", env("DATA", "./data"), "data directory for the embedded store (FUNDWATCH_DATA)")
	fs.StringVar(&c.KeyFile, "key-file", env("KEY_FILE", ""), "secret key file, 32 bytes hex; default DATA/secret.key, generated on first start (FUNDWATCH_KEY_FILE)")
	fs.StringVar(&c.BaseURL, "base-url", env("BASE_URL", ""), "public base URL, e.g. https://jb.example.gov.cn; https turns on secure cookies and HSTS (FUNDWATCH_BASE_URL)")
	proxies := fs.String("trusted-proxies", env("TRUSTED_PROXIES", ""), "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is trusted (FUNDWATCH_TRUSTED_PROXIES)")
	fs.StringVar(&c.Store, "store", env("STORE", "sqlite"), "store backend: sqlite or mongo (FUNDWATCH_STORE)")
	fs.StringVar(&c.MongoURI, "mongo-uri", env("MONGO_URI", ""), "MongoDB URI when --store=mongo (FUNDWATCH_MONGO_URI or FUNDWATCH_MONGO_URI_FILE)")
	fs.StringVar(&c.MongoDB, "mongo-db", env("MONGO_DB", "fundwatch"), "MongoDB database name (FUNDWATCH_MONGO_DB)")
	fs.BoolVar(&c.Demo, "demo", envBool("DEMO", false), "load demo content, marked 示例 on every page (FUNDWATCH_DEMO)")
	fs.StringVar(&c.LogFormat, "log-format", env("LOG_FORMAT", "text"), "log format: text or json (FUNDWATCH_LOG_FORMAT)")
	fs.IntVar(&c.SubmitLimit, "submit-limit", envInt("SUBMIT_LIMIT", 0), "submissions per client per 10 minutes; 0 default (20), -1 off, for load tests only (FUNDWATCH_SUBMIT_LIMIT)")
	fs.IntVar(&c.FollowupLimit, "followup-limit", envInt("FOLLOWUP_LIMIT", 0), "follow-up attempts per client per 10 minutes; 0 default (60), -1 off (FUNDWATCH_FOLLOWUP_LIMIT)")
	fs.IntVar(&c.MaxFiles, "max-files", envInt("MAX_FILES", 10), "evidence files per case (FUNDWATCH_MAX_FILES)")
	fs.IntVar(&c.MaxFileMB, "max-file-mb", envInt("MAX_FILE_MB", 20), "size of one evidence file, MB (FUNDWATCH_MAX_FILE_MB)")
	fs.IntVar(&c.MaxCaseMB, "max-case-mb", envInt("MAX_CASE_MB", 100), "size of all evidence files of a case, MB (FUNDWATCH_MAX_CASE_MB)")
	fs.DurationVar(&c.OrphanAge, "orphan-age", envDuration("ORPHAN_AGE", 24*time.Hour), "age after which an evidence file that no case points at (an upload cut off by a crash) is removed; far beyond any upload in progress (FUNDWATCH_ORPHAN_AGE)")
	fs.IntVar(&c.RetentionYears, "retention-years", envInt("RETENTION_YEARS", 5), "years after a case ended (结案归档 or 不予受理) that its reporter identity and evidence files are kept; then the server purges them daily (fundwatch purge does it by hand); 0 keeps them (FUNDWATCH_RETENTION_YEARS)")
	fs.StringVar(&c.Search, "search", env("SEARCH", "bleve"), "search engine: bleve (embedded, under DATA/search) or meili (FUNDWATCH_SEARCH)")
	fs.StringVar(&c.MeiliURL, "meili-url", env("MEILI_URL", ""), "Meilisearch address when --search=meili, e.g. http://127.0.0.1:7700 (FUNDWATCH_MEILI_URL)")
	fs.StringVar(&c.MeiliKey, "meili-key", env("MEILI_KEY", ""), "Meilisearch API key (FUNDWATCH_MEILI_KEY or FUNDWATCH_MEILI_KEY_FILE)")
	fs.StringVar(&c.MeiliPrefix, "meili-prefix", env("MEILI_PREFIX", "fundwatch_"), "prefix of the Meilisearch index names, so several portals can share one server (FUNDWATCH_MEILI_PREFIX)")
	fs.BoolVar(&c.SearchSync, "search-sync", envBool("SEARCH_SYNC", true), "feed the search indexes from the store; with several instances on one store, leave it on for one only (FUNDWATCH_SEARCH_SYNC)")
	fs.IntVar(&c.SearchLimit, "search-limit", envInt("SEARCH_LIMIT", 0), "searches per client per minute; 0 default (120), -1 off, for load tests only (FUNDWATCH_SEARCH_LIMIT)")
	fs.StringVar(&c.DebugAddr, "debug-addr", env("DEBUG_ADDR", ""), "loopback host:port serving Go's profiler (/debug/pprof/) apart from the app, e.g. 127.0.0.1:6060, for measuring; empty: off (FUNDWATCH_DEBUG_ADDR)")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", env("SMTP_ADDR", ""), "mail server host:port for notifications; none: mail stays in the outbox (FUNDWATCH_SMTP_ADDR)")
	fs.StringVar(&c.SMTPUser, "smtp-user", env("SMTP_USER", ""), "mail server user for AUTH PLAIN, sent only over TLS (FUNDWATCH_SMTP_USER)")
	fs.StringVar(&c.SMTPPassword, "smtp-password", env("SMTP_PASSWORD", ""), "mail server password (FUNDWATCH_SMTP_PASSWORD or FUNDWATCH_SMTP_PASSWORD_FILE)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", env("SMTP_FROM", ""), "sender of notifications, e.g. \"社保基金监督平台 <noreply@example.gov.cn>\" (FUNDWATCH_SMTP_FROM)")
	fs.StringVar(&c.SMTPTLS, "smtp-tls", env("SMTP_TLS", "starttls"), "starttls (required), tls (implicit, port 465) or none (127.0.0.1 test servers only) (FUNDWATCH_SMTP_TLS)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("METRICS_ADDR", ""), "serve Prometheus metrics at /metrics on this host:port, a listener of its own for a private network; none: not served there (FUNDWATCH_METRICS_ADDR)")
	fs.StringVar(&c.MetricsToken, "metrics-token", env("METRICS_TOKEN", ""), "also serve /metrics on --addr to requests with \"Authorization: Bearer TOKEN\", at least 16 characters; none: /metrics there is an unknown page (FUNDWATCH_METRICS_TOKEN or FUNDWATCH_METRICS_TOKEN_FILE)")
	fs.StringVar(&c.SiteSponsor, "site-sponsor", env("SITE_SPONSOR", ""), "主办单位 shown in the footer, e.g. 吉林省人力资源和社会保障厅; none: left out (FUNDWATCH_SITE_SPONSOR)")
	fs.StringVar(&c.SiteAddress, "site-address", env("SITE_ADDRESS", ""), "the sponsor's address, for the footer and 联系我们 (FUNDWATCH_SITE_ADDRESS)")
	fs.StringVar(&c.SitePhone, "site-phone", env("SITE_PHONE", ""), "a contact phone number, for the footer and 联系我们 (FUNDWATCH_SITE_PHONE)")
	fs.StringVar(&c.SiteEmail, "site-email", env("SITE_EMAIL", ""), "a contact e-mail address, for the footer and 联系我们 (FUNDWATCH_SITE_EMAIL)")
	fs.StringVar(&c.SiteCode, "site-code", env("SITE_CODE", ""), "网站标识码 of a government website, 10 digits (FUNDWATCH_SITE_CODE)")
	fs.StringVar(&c.SiteICP, "site-icp", env("SITE_ICP", ""), "ICP 备案号, e.g. 吉ICP备12345678号 (FUNDWATCH_SITE_ICP)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, flagHelp
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if c.KeyFile == "" {
		c.KeyFile = filepath.Join(c.DataDir, "secret.key")
	}
	if c.BaseURL == "" {
		_, port, _ := net.SplitHostPort(c.Addr)
		c.BaseURL = "http://localhost:" + port
	}
	return c, c.validate()
}

func (c *config) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if host, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("--addr %q: want host:port, e.g. 127.0.0.1:8080", c.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("--addr %q: port must be a number 0-65535", c.Addr)
	} else if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		bad("--addr %q: host must be an IP address or localhost", c.Addr)
	}
	if c.DebugAddr != "" {
		if _, port, err := net.SplitHostPort(c.DebugAddr); err != nil || !loopbackAddr(c.DebugAddr) {
			bad("--debug-addr %q: want a loopback host:port, e.g. 127.0.0.1:6060 (the profiler is never served to the network)", c.DebugAddr)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			bad("--debug-addr %q: port must be a number 0-65535", c.DebugAddr)
		} else if c.DebugAddr == c.Addr {
			bad("--debug-addr %q: must differ from --addr", c.DebugAddr)
		}
	}
	if c.DataDir == "" {
		bad("--data must not be empty")
	}
	c.validateMetrics(bad)
	if c.RetentionYears < 0 || c.RetentionYears > 100 {
		bad("--retention-years %d: want 0 (keep) to 100", c.RetentionYears)
	}
	if c.OrphanAge < time.Second {
		bad("--orphan-age %s: want at least 1s", c.OrphanAge)
	}
	switch {
	case c.MaxFiles < 1 || c.MaxFiles > 100:
		bad("--max-files %d: want 1-100", c.MaxFiles)
	case c.MaxFileMB < 1 || c.MaxFileMB > 1024:
		bad("--max-file-mb %d: want 1-1024", c.MaxFileMB)
	case c.MaxCaseMB < c.MaxFileMB || c.MaxCaseMB > 10240:
		bad("--max-case-mb %d: want at least --max-file-mb (%d) and at most 10240", c.MaxCaseMB, c.MaxFileMB)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		bad("--base-url %q: want an absolute http(s) URL without a path, e.g. https://jb.example.gov.cn", c.BaseURL)
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	for _, p := range c.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				bad("--trusted-proxies: %q is neither an IP address nor a CIDR", p)
			}
		}
	}
	switch c.Store {
	case "sqlite":
	case "mongo":
		if c.MongoURI == "" {
			bad("--store=mongo needs --mongo-uri (or FUNDWATCH_MONGO_URI / FUNDWATCH_MONGO_URI_FILE)")
		} else if !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
			bad("--mongo-uri must start with mongodb:// or mongodb+srv://")
		}
		if c.MongoDB == "" {
			bad("--mongo-db must not be empty")
		}
	default:
		bad("--store %q: want sqlite or mongo", c.Store)
	}
	switch c.Search {
	case "bleve":
	case "meili":
		if u, err := url.Parse(c.MeiliURL); c.MeiliURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("--search=meili needs --meili-url, an http(s) address such as http://127.0.0.1:7700 (or FUNDWATCH_MEILI_URL)")
		}
		if c.MeiliPrefix == "" || strings.Trim(c.MeiliPrefix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
			bad("--meili-prefix %q: want letters, digits, _ or -", c.MeiliPrefix)
		}
	default:
		bad("--search %q: want bleve or meili", c.Search)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("--log-format %q: want text or json", c.LogFormat)
	}
	if c.SubmitLimit < -1 {
		bad("--submit-limit %d: want -1 (off), 0 (default) or a positive number", c.SubmitLimit)
	}
	if c.SearchLimit < -1 {
		bad("--search-limit %d: want -1 (off), 0 (default) or a positive number", c.SearchLimit)
	}
	if c.FollowupLimit < -1 {
		bad("--followup-limit %d: want -1 (off), 0 (default) or a positive number", c.FollowupLimit)
	}
	c.validateSMTP(bad)
	c.validateSite(bad)
	return errors.Join(errs...)
}

// validateMetrics checks the metrics listener (an address like --addr's,
// and not the same one) and the token (long enough not to be guessed, and
// sendable as it is in a header).
func (c *config) validateMetrics(bad func(string, ...any)) {
	if c.MetricsAddr != "" {
		host, port, err := net.SplitHostPort(c.MetricsAddr)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 ||
			(host != "" && net.ParseIP(host) == nil && host != "localhost") {
			bad("--metrics-addr %q: want host:port with an IP address or localhost, e.g. 127.0.0.1:9100", c.MetricsAddr)
		} else if c.MetricsAddr == c.Addr {
			bad("--metrics-addr %q: must differ from --addr: the metrics listener is not public", c.MetricsAddr)
		}
	}
	if c.MetricsToken != "" {
		if len(c.MetricsToken) < 16 {
			bad("--metrics-token: want at least 16 characters, e.g. from openssl rand -hex 32")
		}
		if strings.IndexFunc(c.MetricsToken, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
			bad("--metrics-token: want printable ASCII without spaces")
		}
	}
}

// validateSite checks what the footer shows: one line of visible text each,
// of a sensible length, and the forms the codes have.
func (c *config) validateSite(bad func(string, ...any)) {
	for _, f := range []struct {
		flag, value string
		max         int
	}{
		{"--site-sponsor", c.SiteSponsor, 60}, {"--site-address", c.SiteAddress, 100}, {"--site-phone", c.SitePhone, 40},
		{"--site-email", c.SiteEmail, 100}, {"--site-code", c.SiteCode, 10}, {"--site-icp", c.SiteICP, 40},
	} {
		if !casework.SingleLineText(f.value) || utf8.RuneCountInString(f.value) > f.max {
			bad("%s: want one line of at most %d characters", f.flag, f.max)
		}
	}
	if c.SiteEmail != "" {
		if a, err := mail.ParseAddress(c.SiteEmail); err != nil || a.Name != "" {
			bad("--site-email %q: want a plain address, e.g. jijin@example.gov.cn", c.SiteEmail)
		}
	}
	if c.SiteCode != "" && (len(c.SiteCode) != 10 || strings.Trim(c.SiteCode, "0123456789") != "") {
		bad("--site-code %q: a 网站标识码 is 10 digits", c.SiteCode)
	}
	if c.SiteICP != "" && !strings.Contains(c.SiteICP, "ICP") {
		bad("--site-icp %q: want the ICP 备案号 as issued, e.g. 吉ICP备12345678号", c.SiteICP)
	}
}

// validateSMTP checks the mail settings: all or nothing, a sender address,
// a TLS mode, plain text only to a test server on the loopback address, and
// a password only where TLS carries it.
func (c *config) validateSMTP(bad func(string, ...any)) {
	if c.SMTPAddr == "" {
		if c.SMTPUser != "" || c.SMTPPassword != "" || c.SMTPFrom != "" {
			bad("--smtp-user, --smtp-password and --smtp-from need --smtp-addr")
		}
		return
	}
	host, port, err := net.SplitHostPort(c.SMTPAddr)
	if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
		bad("--smtp-addr %q: want host:port, e.g. smtp.example.gov.cn:587", c.SMTPAddr)
	}
	if c.SMTPFrom == "" {
		bad("--smtp-addr needs --smtp-from, the sender's address")
	} else if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
		bad("--smtp-from %q: want an address, e.g. noreply@example.gov.cn or \"社保基金监督平台 <noreply@example.gov.cn>\"", c.SMTPFrom)
	}
	if (c.SMTPUser == "") != (c.SMTPPassword == "") {
		bad("--smtp-user and --smtp-password go together")
	}
	switch c.SMTPTLS {
	case "starttls", "tls":
	case "none":
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			bad("--smtp-tls=none is only for a test mail server on 127.0.0.1; use starttls or tls")
		}
		if c.SMTPUser != "" {
			bad("--smtp-user needs --smtp-tls starttls or tls: the password is never sent in plain text")
		}
	default:
		bad("--smtp-tls %q: want starttls, tls or none", c.SMTPTLS)
	}
}

// fileLimits are the configured limits on evidence files.
func (c *config) fileLimits() evidence.Limits {
	return evidence.Limits{MaxFiles: c.MaxFiles, MaxFileBytes: int64(c.MaxFileMB) << 20, MaxCaseBytes: int64(c.MaxCaseMB) << 20}
}
