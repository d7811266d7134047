package mailer_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"fundwatch/casework/mailer"
	"fundwatch/casework/mailer/mailtest"
)

const testFrom = "社保基金监督平台 <noreply@jb.example.gov.cn>"

func newSender(t *testing.T, cfg mailer.Config) *mailer.SMTP {
	t.Helper()
	if cfg.From == "" {
		cfg.From = testFrom
	}
	if cfg.TLS == "" {
		cfg.TLS = mailer.TLSNone
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	s, err := mailer.NewSMTP(cfg)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	return s
}

// parsed is a received message, decoded.
type parsed struct {
	header  mail.Header
	subject string
	body    string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject %q does not decode: %v", m.Header.Get("Subject"), err)
	}
	raw, _ := io.ReadAll(m.Body)
	body, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
	if err != nil {
		t.Fatalf("body is not base64: %v", err)
	}
	return parsed{header: m.Header, subject: subject, body: string(body)}
}

func TestSendDeliversAUTF8MessageWithEncodedHeaders(t *testing.T) {
	srv := mailtest.StartServer(t, mailtest.ServerOptions{})
	s := newSender(t, mailer.Config{Addr: srv.Addr})
	date := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	err := s.Send(context.Background(), mailer.Message{
		ID: "ml0123", To: "handler@example.gov.cn", Subject: "【新案件】2026-000001 欺诈冒领（吉林省 长春市）",
		Body: "您好：\n案件编号：2026-000001\n", Date: date,
	})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.From != "noreply@jb.example.gov.cn" || len(r.To) != 1 || r.To[0] != "handler@example.gov.cn" {
		t.Errorf("envelope from %q to %q", r.From, r.To)
	}
	p := parse(t, r.Data)
	checks := []struct{ name, got, want string }{
		{"subject", p.subject, "【新案件】2026-000001 欺诈冒领（吉林省 长春市）"},
		{"body", p.body, "您好：\r\n案件编号：2026-000001\r\n"},
		{"Content-Type", p.header.Get("Content-Type"), "text/plain; charset=UTF-8"},
		{"Content-Transfer-Encoding", p.header.Get("Content-Transfer-Encoding"), "base64"},
		{"MIME-Version", p.header.Get("MIME-Version"), "1.0"},
		{"Message-ID", p.header.Get("Message-ID"), "<ml0123@jb.example.gov.cn>"},
		{"To", p.header.Get("To"), "<handler@example.gov.cn>"},
		{"Auto-Submitted", p.header.Get("Auto-Submitted"), "auto-generated"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if d, err := p.header.Date(); err != nil || !d.Equal(date) {
		t.Errorf("Date = %q (%v), want %v", p.header.Get("Date"), err, date)
	}
	if from, err := p.header.AddressList("From"); err != nil || len(from) != 1 || from[0].Name != "社保基金监督平台" || from[0].Address != "noreply@jb.example.gov.cn" {
		t.Errorf("From = %q: %v %v", p.header.Get("From"), from, err)
	}
	if strings.Contains(p.header.Get("Subject"), "新案件") {
		t.Errorf("raw Subject %q is not RFC 2047 encoded", p.header.Get("Subject"))
	}
	for _, line := range strings.Split(string(r.Data), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line of %d bytes", len(line))
		}
	}
}

func TestSubjectWithLineBreaksCannotInjectHeaders(t *testing.T) {
	from, _ := mail.ParseAddress(testFrom)
	to, _ := mail.ParseAddress("a@example.gov.cn")
	msg := string(mailer.Compose(from, to, mailer.Message{ID: "x", Subject: "ok\r\nBcc: evil@example.com", Body: "b"}))
	if strings.Contains(msg, "\r\nBcc:") {
		t.Errorf("a line break in the subject made a header:\n%s", msg)
	}
}

func TestSTARTTLSIsUsedAndPasswordsGoOnlyOverTLS(t *testing.T) {
	serverTLS, roots := mailtest.TLSPair(t)
	clientTLS := &tls.Config{RootCAs: roots}
	tests := []struct {
		name     string
		server   mailtest.ServerOptions
		cfg      mailer.Config
		wantSent bool
		wantTLS  bool
		wantUser string
	}{
		{"starttls with auth", mailtest.ServerOptions{TLS: serverTLS, User: "fw", Password: "s3cret"},
			mailer.Config{TLS: mailer.TLSStartTLS, User: "fw", Password: "s3cret", TLSConfig: clientTLS}, true, true, "fw"},
		{"starttls offered in mode none is used", mailtest.ServerOptions{TLS: serverTLS},
			mailer.Config{TLS: mailer.TLSNone, TLSConfig: clientTLS}, true, true, ""},
		{"starttls required but not offered", mailtest.ServerOptions{},
			mailer.Config{TLS: mailer.TLSStartTLS, User: "fw", Password: "s3cret", TLSConfig: clientTLS}, false, false, ""},
		{"certificate not trusted", mailtest.ServerOptions{TLS: serverTLS},
			mailer.Config{TLS: mailer.TLSStartTLS}, false, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.StartServer(t, tc.server)
			tc.cfg.Addr = srv.Addr
			err := newSender(t, tc.cfg).Send(context.Background(), mailer.Message{ID: "m1", To: "h@example.gov.cn", Subject: "主题", Body: "正文"})
			got := srv.Messages()
			if !tc.wantSent {
				if err == nil || len(got) != 0 {
					t.Fatalf("sent (err %v, %d received), want refused", err, len(got))
				}
				if mailer.Permanent(err) {
					t.Errorf("%v is permanent; a TLS problem is retried", err)
				}
				return
			}
			if err != nil || len(got) != 1 {
				t.Fatalf("send: %v, %d received", err, len(got))
			}
			if got[0].TLS != tc.wantTLS || got[0].AuthUser != tc.wantUser {
				t.Errorf("received with TLS %v as %q, want TLS %v as %q", got[0].TLS, got[0].AuthUser, tc.wantTLS, tc.wantUser)
			}
		})
	}
}

func TestNewSMTPRefusesAPasswordWithoutTLS(t *testing.T) {
	_, err := mailer.NewSMTP(mailer.Config{Addr: "127.0.0.1:25", From: testFrom, TLS: mailer.TLSNone, User: "fw", Password: "x"})
	if err == nil {
		t.Error("a user with TLS none was accepted")
	}
}

func TestSendFailuresSayWhetherToRetry(t *testing.T) {
	tests := []struct {
		name      string
		addr      func(t *testing.T) string
		permanent bool
		code      int
	}{
		{"550 on RCPT is final", func(t *testing.T) string {
			return mailtest.StartServer(t, mailtest.ServerOptions{RcptReply: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}}).Addr
		}, true, 550},
		{"554 after DATA is final", func(t *testing.T) string {
			return mailtest.StartServer(t, mailtest.ServerOptions{DataReply: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Rejected"}}).Addr
		}, true, 554},
		{"451 is retried", func(t *testing.T) string {
			return mailtest.StartServer(t, mailtest.ServerOptions{RcptReply: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}}).Addr
		}, false, 451},
		{"a server hanging after DATA is retried", func(t *testing.T) string {
			return mailtest.StartServer(t, mailtest.ServerOptions{HangData: true}).Addr
		}, false, 0},
		{"a server that never greets is retried", func(t *testing.T) string { return mailtest.Silent(t) }, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSender(t, mailer.Config{Addr: tc.addr(t), Timeout: 300 * time.Millisecond})
			err := s.Send(context.Background(), mailer.Message{ID: "m1", To: "h@example.gov.cn", Subject: "主题", Body: "正文"})
			var me *mailer.Error
			if !errors.As(err, &me) {
				t.Fatalf("send: %v, want a *mailer.Error", err)
			}
			if mailer.Permanent(err) != tc.permanent || me.Code != tc.code {
				t.Errorf("%v: permanent %v code %d, want %v %d", err, mailer.Permanent(err), me.Code, tc.permanent, tc.code)
			}
			if d := mailer.Describe(err); d == "" || !strings.ContainsAny(d, "邮件服务器发送") {
				t.Errorf("Describe = %q", d)
			}
		})
	}
}
