// Package mailer sends the mail that the service layer (casework/caseflow)
// writes into the outbox: an SMTP client, and a worker that claims pending
// mail from the store, sends it, and records success or schedules a retry
// with backoff. caseflow never speaks SMTP; this package never decides who
// hears of what.
//
// The client is net/smtp on a connection this package dials and owns, so
// every step — dial, greeting, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, the
// final answer — runs under its own deadline. net/smtp is frozen but
// complete for sending one message per connection; its errors carry the
// server's reply code (*textproto.Error), which is all the retry policy
// needs. emersion/go-smtp's client would add a dependency to the binary for
// nothing this needs, so it is used only by the tests, as a real server.
package mailer

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// TLS modes of the connection to the mail server.
const (
	// TLSStartTLS connects in plain text and upgrades with STARTTLS before
	// anything else; a server that does not offer it is refused (port 587).
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (port 465).
	TLSImplicit = "tls"
	// TLSNone sends in plain text unless the server offers STARTTLS. It is
	// for a test server on the loopback address only; cmd refuses it for
	// any other host, and no password is ever sent without TLS.
	TLSNone = "none"
)

// DefaultTimeout bounds the dial and every step of a conversation.
const DefaultTimeout = 30 * time.Second

// Config is the mail server and the sender's address.
type Config struct {
	Addr     string // host:port
	User     string // "" for no authentication
	Password string
	// From is the sender, an address or "名称 <address>".
	From string
	// TLS is TLSStartTLS (the default when ""), TLSImplicit or TLSNone.
	TLS string
	// Timeout bounds the dial and each step; DefaultTimeout when 0.
	Timeout time.Duration
	// HelloName is the name given in EHLO; "localhost" when "".
	HelloName string
	// TLSConfig, when set, is cloned for the connection (tests use it for
	// their own certificate authority); ServerName defaults to the host of
	// Addr.
	TLSConfig *tls.Config
}

// SMTP sends one message per connection to the configured server.
type SMTP struct {
	cfg  Config
	host string
	from *mail.Address
}

// NewSMTP checks cfg and returns a sender.
func NewSMTP(cfg Config) (*SMTP, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("mailer: address %q: want host:port", cfg.Addr)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mailer: sender %q: %v", cfg.From, err)
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("mailer: TLS mode %q: want starttls, tls or none", cfg.TLS)
	}
	if cfg.User != "" && cfg.TLS == TLSNone {
		return nil, errors.New("mailer: a user name needs TLS: the password is never sent in plain text")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.HelloName == "" {
		cfg.HelloName = "localhost"
	}
	return &SMTP{cfg: cfg, host: host, from: from}, nil
}

// Message is one mail to one recipient.
type Message struct {
	// ID names the message: it becomes the Message-ID, so a message sent
	// twice (a retry after a lost answer) is recognisably the same one.
	ID      string
	To      string
	Subject string
	Body    string // plain text, lines separated by \n
	Date    time.Time
}

// Error is a failed send with what the retry policy needs to know.
type Error struct {
	// Step is what was being done: "dial", "greeting", "starttls", "auth",
	// "mail", "rcpt", "data", "message".
	Step string
	// Code is the server's reply code, 0 when it did not answer (a network
	// error, a timeout) or the message could not be built.
	Code int
	// Permanent is true when sending the same message again cannot succeed:
	// a 5xx reply, or a message that cannot be built.
	Permanent bool
	Err       error
}

func (e *Error) Error() string { return "smtp " + e.Step + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Describe says in Chinese what went wrong, with the server's answer or the
// network error as it came, for the administrators' outbox page.
func Describe(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return "发送失败：" + err.Error()
	}
	var ne net.Error
	detail := e.Err.Error()
	if errors.As(e.Err, &ne) && ne.Timeout() {
		return "邮件服务器在规定时间内没有响应（" + e.Step + "）：" + detail
	}
	switch e.Step {
	case "dial":
		return "无法连接邮件服务器：" + detail
	case "message":
		return "邮件无法生成：" + detail
	case "auth":
		return "登录邮件服务器失败：" + detail
	case "mail", "rcpt", "data":
		if e.Code != 0 {
			return "邮件服务器拒收（" + e.Step + "）：" + detail
		}
		return "发送中断（" + e.Step + "）：" + detail
	}
	return "与邮件服务器建立会话失败（" + e.Step + "）：" + detail
}

// Permanent reports whether err is a send that must not be retried.
func Permanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Permanent
}

func stepError(step string, err error) error {
	e := &Error{Step: step, Err: err}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		e.Code = tp.Code
		e.Permanent = tp.Code >= 500 && tp.Code <= 599
	}
	return e
}

// Send delivers m, or returns an *Error. ctx ends the conversation early
// (the connection is closed).
func (s *SMTP) Send(ctx context.Context, m Message) error {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return &Error{Step: "message", Permanent: true, Err: errors.New("收件人地址无效")}
	}
	msg := Compose(s.from, to, m)

	d := net.Dialer{Timeout: s.cfg.Timeout}
	raw, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return stepError("dial", err)
	}
	defer raw.Close()
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	// Every step gets the whole timeout; the deadline is on the raw
	// connection, so it holds under TLS too.
	step := func() { _ = raw.SetDeadline(time.Now().Add(s.cfg.Timeout)) }

	var conn net.Conn = raw
	if s.cfg.TLS == TLSImplicit {
		step()
		tc := tls.Client(raw, s.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			return stepError("tls", err)
		}
		conn = tc
	}
	step()
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return stepError("greeting", err)
	}
	step()
	if err := c.Hello(s.cfg.HelloName); err != nil {
		return stepError("ehlo", err)
	}
	if s.cfg.TLS != TLSImplicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			step()
			if err := c.StartTLS(s.tlsConfig()); err != nil {
				return stepError("starttls", err)
			}
		} else if s.cfg.TLS == TLSStartTLS {
			return &Error{Step: "starttls", Err: errors.New("邮件服务器未提供 STARTTLS，按配置不以明文发送")}
		}
	}
	if s.cfg.User != "" {
		if _, isTLS := c.TLSConnectionState(); !isTLS {
			return &Error{Step: "auth", Err: errors.New("连接未加密，不发送口令")}
		}
		if ok, mechs := c.Extension("AUTH"); !ok || !hasWord(mechs, "PLAIN") {
			return &Error{Step: "auth", Err: errors.New("邮件服务器不支持 AUTH PLAIN")}
		}
		step()
		if err := c.Auth(smtp.PlainAuth("", s.cfg.User, s.cfg.Password, s.host)); err != nil {
			return stepError("auth", err)
		}
	}
	step()
	if err := c.Mail(s.from.Address); err != nil {
		return stepError("mail", err)
	}
	step()
	if err := c.Rcpt(to.Address); err != nil {
		return stepError("rcpt", err)
	}
	step()
	w, err := c.Data()
	if err != nil {
		return stepError("data", err)
	}
	step()
	if _, err := w.Write(msg); err != nil {
		return stepError("data", err)
	}
	step()
	if err := w.Close(); err != nil {
		return stepError("data", err)
	}
	step()
	_ = c.Quit() // the message is accepted; a lost goodbye changes nothing
	return nil
}

func (s *SMTP) tlsConfig() *tls.Config {
	cfg := &tls.Config{}
	if s.cfg.TLSConfig != nil {
		cfg = s.cfg.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = s.host
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

func hasWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if strings.EqualFold(w, word) {
			return true
		}
	}
	return false
}

// Compose renders m as an RFC 5322 message in UTF-8: the Subject and the
// sender's name as RFC 2047 encoded-words, the body as base64 text/plain
// with CRLF line ends, a Message-ID made from m.ID and the sender's domain,
// and Auto-Submitted so auto-responders stay quiet.
func Compose(from, to *mail.Address, m Message) []byte {
	domain := "localhost"
	if at := strings.LastIndexByte(from.Address, '@'); at >= 0 {
		domain = from.Address[at+1:]
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	var b bytes.Buffer
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("From", from.String())
	header("To", (&mail.Address{Address: to.Address}).String())
	header("Subject", mime.BEncoding.Encode("UTF-8", m.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+m.ID+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "base64")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}
