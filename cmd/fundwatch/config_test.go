package main

import (
	"bytes"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigDefaultsRunTheEmbeddedStoreOnLocalhost(t *testing.T) {
	for _, k := range []string{"ADDR", "DATA", "KEY_FILE", "BASE_URL", "STORE", "MONGO_URI", "DEMO"} {
		t.Setenv("FUNDWATCH_"+k, "")
		os.Unsetenv("FUNDWATCH_" + k)
	}
	c, err := parseConfig("serve", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.Store != "sqlite" ||
		c.KeyFile != filepath.Join("./data", "secret.key") || c.BaseURL != "http://localhost:8080" || c.Demo {
		t.Errorf("defaults = %+v", c)
	}
}

func TestConfigReadsEnvironmentAndSecretFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "uri")
	if err := os.WriteFile(secret, []byte("mongodb://u:p@db:27017/?replicaSet=rs0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FUNDWATCH_ADDR", "0.0.0.0:9000")
	t.Setenv("FUNDWATCH_STORE", "mongo")
	t.Setenv("FUNDWATCH_MONGO_URI_FILE", secret)
	t.Setenv("FUNDWATCH_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1")
	t.Setenv("FUNDWATCH_BASE_URL", "https://jb.example.gov.cn/")
	c, err := parseConfig("serve", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" || c.MongoURI != "mongodb://u:p@db:27017/?replicaSet=rs0" ||
		len(c.TrustedProxies) != 2 || c.BaseURL != "https://jb.example.gov.cn" {
		t.Errorf("config = %+v", c)
	}
	// A flag wins over the environment.
	c, err = parseConfig("serve", []string{"--addr", "127.0.0.1:7000"})
	if err != nil || c.Addr != "127.0.0.1:7000" {
		t.Errorf("flag over env: %+v %v", c, err)
	}
}

func TestConfigRejectsEachBadValueWithItsOwnMessage(t *testing.T) {
	_, err := parseConfig("serve", []string{
		"--addr", "nowhere", "--base-url", "ftp://x/y", "--trusted-proxies", "10.0.0.0/99,proxy.local",
		"--store", "postgres", "--log-format", "xml", "--submit-limit", "-5",
	})
	if err == nil {
		t.Fatal("bad configuration accepted")
	}
	msg := err.Error()
	for _, want := range []string{"--addr", "--base-url", `"10.0.0.0/99"`, `"proxy.local"`, "--store", "--log-format", "--submit-limit"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not name %s:\n%s", want, msg)
		}
	}
	if n := strings.Count(msg, "\n") + 1; n != 7 {
		t.Errorf("%d messages, want one per bad value (7):\n%s", n, msg)
	}
	_, err = parseConfig("serve", []string{"--store", "mongo"})
	if err == nil || !strings.Contains(err.Error(), "--mongo-uri") {
		t.Errorf("mongo without a URI: %v", err)
	}
}

func TestKeyFileIsGeneratedOnceWith0600AndReused(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	cfg := &config{DataDir: dir, KeyFile: filepath.Join(dir, "secret.key")}
	key, err := loadOrCreateKey(cfg, log)
	if err != nil || len(key) != 32 {
		t.Fatalf("generate: %d bytes, %v", len(key), err)
	}
	fi, err := os.Stat(cfg.KeyFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if !strings.Contains(logs.String(), "generated a new secret key file") || strings.Contains(logs.String(), hex.EncodeToString(key)) {
		t.Errorf("log must announce the new file and never print the key:\n%s", logs.String())
	}
	again, err := loadOrCreateKey(cfg, log)
	if err != nil || !bytes.Equal(again, key) {
		t.Fatalf("second start read another key: %v", err)
	}
}

func TestKeyFileElsewhereIsNeverGeneratedAndMustHold32Bytes(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	missing := &config{DataDir: dir, KeyFile: filepath.Join(dir, "secrets", "fundwatch.key")}
	if _, err := loadOrCreateKey(missing, log); err == nil {
		t.Error("a missing key file outside the data directory was accepted (it must not be generated)")
	}
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte("abcd\n"), 0o600)
	if _, err := loadOrCreateKey(&config{DataDir: dir, KeyFile: short}, log); err == nil || !strings.Contains(err.Error(), "64 hex") {
		t.Errorf("short key: %v", err)
	}
}

func TestRunRefusesBadConfigurationWithExit2(t *testing.T) {
	if code := run(t.Context(), []string{"serve", "--addr", "bad"}); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if code := run(t.Context(), []string{"frobnicate"}); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

func TestRunFailsClearlyWhenTheDataDirectoryCannotBeCreated(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	os.WriteFile(file, []byte("x"), 0o600)
	if code := run(t.Context(), []string{"migrate", "--data", filepath.Join(file, "data")}); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
}

func TestConfigReadsTheMailServerWithAPasswordFile(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FUNDWATCH_SMTP_ADDR", "smtp.example.gov.cn:587")
	t.Setenv("FUNDWATCH_SMTP_USER", "fundwatch")
	t.Setenv("FUNDWATCH_SMTP_PASSWORD_FILE", secret)
	t.Setenv("FUNDWATCH_SMTP_FROM", "社保基金监督平台 <noreply@example.gov.cn>")
	c, err := parseConfig("serve", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPAddr != "smtp.example.gov.cn:587" || c.SMTPUser != "fundwatch" || c.SMTPPassword != "s3cret" ||
		c.SMTPFrom != "社保基金监督平台 <noreply@example.gov.cn>" || c.SMTPTLS != "starttls" {
		t.Errorf("mail config = %q %q %q %q %q", c.SMTPAddr, c.SMTPUser, c.SMTPPassword, c.SMTPFrom, c.SMTPTLS)
	}
}

func TestConfigRefusesUnsafeOrIncompleteMailSettings(t *testing.T) {
	for _, k := range []string{"SMTP_ADDR", "SMTP_USER", "SMTP_PASSWORD", "SMTP_FROM", "SMTP_TLS"} {
		t.Setenv("FUNDWATCH_"+k, "")
		os.Unsetenv("FUNDWATCH_" + k)
	}
	from := []string{"--smtp-from", "noreply@example.gov.cn"}
	tests := []struct {
		name string
		args []string
		want string // "" for accepted
	}{
		{"no mail server", nil, ""},
		{"plain text to a test server", append([]string{"--smtp-addr", "127.0.0.1:2525", "--smtp-tls", "none"}, from...), ""},
		{"implicit TLS with a password", append([]string{"--smtp-addr", "smtp.example.gov.cn:465", "--smtp-tls", "tls", "--smtp-user", "u", "--smtp-password", "p"}, from...), ""},
		{"plain text to a real server", append([]string{"--smtp-addr", "smtp.example.gov.cn:25", "--smtp-tls", "none"}, from...), "--smtp-tls=none"},
		{"a password in plain text", append([]string{"--smtp-addr", "127.0.0.1:2525", "--smtp-tls", "none", "--smtp-user", "u", "--smtp-password", "p"}, from...), "never sent in plain text"},
		{"no sender", []string{"--smtp-addr", "smtp.example.gov.cn:587"}, "--smtp-from"},
		{"a bad sender", []string{"--smtp-addr", "smtp.example.gov.cn:587", "--smtp-from", "平台"}, "--smtp-from"},
		{"a user without a password", append([]string{"--smtp-addr", "smtp.example.gov.cn:587", "--smtp-user", "u"}, from...), "go together"},
		{"an unknown TLS mode", append([]string{"--smtp-addr", "smtp.example.gov.cn:587", "--smtp-tls", "ssl"}, from...), "--smtp-tls"},
		{"a bad address", append([]string{"--smtp-addr", "smtp.example.gov.cn"}, from...), "--smtp-addr"},
		{"settings without a server", from, "need --smtp-addr"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig("serve", tc.args)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
}

func TestConfigSiteDetailsAreOptionalAndChecked(t *testing.T) {
	c, err := parseConfig("serve", []string{"--site-sponsor", "吉林省人力资源和社会保障厅", "--site-phone", "0431-88888888",
		"--site-email", "jijin@example.gov.cn", "--site-code", "2200000001", "--site-icp", "吉ICP备00000000号"})
	if err != nil {
		t.Fatal(err)
	}
	if c.SiteSponsor != "吉林省人力资源和社会保障厅" || c.SiteCode != "2200000001" || c.SiteICP != "吉ICP备00000000号" || c.SiteAddress != "" {
		t.Errorf("site details %+v", c)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--site-code", "22000"}, "10 digits"},
		{[]string{"--site-icp", "12345678"}, "ICP 备案号"},
		{[]string{"--site-email", "李 <a@b.cn>"}, "plain address"},
		{[]string{"--site-sponsor", "甲\u202e乙"}, "one line"},
		{[]string{"--site-address", "第一行\n第二行"}, "one line"},
	} {
		_, err := parseConfig("serve", tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one saying %q", tc.args, err, tc.want)
		}
	}
}

func TestConfigChecksTheSearchEngine(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string // "" when accepted
	}{
		{"the embedded default", nil, ""},
		{"Meilisearch with its address", []string{"--search", "meili", "--meili-url", "http://127.0.0.1:7700"}, ""},
		{"Meilisearch without an address", []string{"--search", "meili"}, "--search=meili needs --meili-url"},
		{"Meilisearch at a bad address", []string{"--search", "meili", "--meili-url", "127.0.0.1:7700"}, "--search=meili needs --meili-url"},
		{"a bad index prefix", []string{"--search", "meili", "--meili-url", "http://m:7700", "--meili-prefix", "a b"}, "--meili-prefix"},
		{"an unknown engine", []string{"--search", "elastic"}, `--search "elastic": want bleve or meili`},
		{"a bad search limit", []string{"--search-limit", "-2"}, "--search-limit -2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig("serve", append([]string{"--data", t.TempDir()}, tc.args...))
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestConfigDebugAddrOnlyOnLoopback(t *testing.T) {
	t.Setenv("FUNDWATCH_DEBUG_ADDR", "")
	os.Unsetenv("FUNDWATCH_DEBUG_ADDR")
	c, err := parseConfig("serve", nil)
	if err != nil || c.DebugAddr != "" {
		t.Fatalf("default: %q, %v; want off", c.DebugAddr, err)
	}
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:6060", true},
		{"127.0.0.1:0", true},
		{"[::1]:6060", true},
		{"localhost:6060", true},
		{"0.0.0.0:6060", false},
		{":6060", false},
		{"192.0.2.1:6060", false},
		{"example.com:6060", false},
		{"127.0.0.1", false},
		{"127.0.0.1:99999", false},
		{"127.0.0.1:8080", false}, // the app's own address
	}
	for _, tt := range tests {
		_, err := parseConfig("serve", []string{"--debug-addr", tt.addr})
		if (err == nil) != tt.ok {
			t.Errorf("--debug-addr %q: error %v, want accepted %v", tt.addr, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--debug-addr") {
			t.Errorf("--debug-addr %q: message %q does not name the flag", tt.addr, err)
		}
	}
	t.Setenv("FUNDWATCH_DEBUG_ADDR", "127.0.0.1:6061")
	if c, err := parseConfig("serve", nil); err != nil || c.DebugAddr != "127.0.0.1:6061" {
		t.Errorf("from the environment: %q, %v", c.DebugAddr, err)
	}
}
