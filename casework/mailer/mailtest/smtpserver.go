package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// ServerOptions say how a test SMTP server behaves. The zero value accepts
// every message without TLS or authentication.
type ServerOptions struct {
	// RcptReply, when set, answers every RCPT TO (e.g. 550 or 451).
	RcptReply *smtp.SMTPError
	// DataReply, when set, answers the end of every message.
	DataReply *smtp.SMTPError
	// HangData reads the message and then says nothing until the test
	// ends: a server that hangs mid-conversation.
	HangData bool
	// TLS, when set, offers STARTTLS with this configuration.
	TLS *tls.Config
	// User and Password, when set, require AUTH PLAIN (only offered over
	// TLS) before MAIL FROM.
	User, Password string
}

// Received is one message the server accepted, or (with a refusing
// server) was offered.
type Received struct {
	From     string
	To       []string
	Data     []byte
	AuthUser string // who authenticated, "" for nobody
	TLS      bool   // whether the session was encrypted when the message came
}

// Server is a real SMTP server on 127.0.0.1, run for one test.
type Server struct {
	Addr string

	opts     ServerOptions
	mu       sync.Mutex
	received []Received
	sessions int
	release  chan struct{}
}

// StartServer runs an SMTP server on 127.0.0.1:0 until the test ends.
func StartServer(t testing.TB, opts ServerOptions) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &Server{Addr: l.Addr().String(), opts: opts, release: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.sessions++
		s.mu.Unlock()
		return &session{srv: s, conn: c}, nil
	}))
	srv.Domain = "mail.test"
	srv.TLSConfig = opts.TLS
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() {
		close(s.release)
		_ = srv.Close()
	})
	return s
}

// Messages returns what the server received so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Sessions counts the SMTP sessions (connections that said EHLO).
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

type session struct {
	srv  *Server
	conn *smtp.Conn
	msg  Received
	user string
}

func (se *session) AuthMechanisms() []string {
	if se.srv.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (se *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != se.srv.opts.User || password != se.srv.opts.Password {
			return smtp.ErrAuthFailed
		}
		se.user = username
		return nil
	}), nil
}

func (se *session) Mail(from string, opts *smtp.MailOptions) error {
	if se.srv.opts.User != "" && se.user == "" {
		return smtp.ErrAuthRequired
	}
	_, isTLS := se.conn.TLSConnectionState()
	se.msg = Received{From: from, AuthUser: se.user, TLS: isTLS}
	return nil
}

func (se *session) Rcpt(to string, opts *smtp.RcptOptions) error {
	se.msg.To = append(se.msg.To, to)
	if r := se.srv.opts.RcptReply; r != nil {
		se.record()
		return r
	}
	return nil
}

func (se *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	se.msg.Data = b
	se.record()
	if se.srv.opts.HangData {
		<-se.srv.release
		return errors.New("test over")
	}
	if r := se.srv.opts.DataReply; r != nil {
		return r
	}
	return nil
}

func (se *session) record() {
	se.srv.mu.Lock()
	defer se.srv.mu.Unlock()
	se.srv.received = append(se.srv.received, se.msg)
}

func (se *session) Reset()        { se.msg = Received{} }
func (se *session) Logout() error { return nil }

// Silent listens on 127.0.0.1:0 and accepts connections but never says a
// word (no greeting): a mail server that hangs from the start. It returns
// the address.
func Silent(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// TLSPair makes a throwaway certificate for 127.0.0.1: the server's
// configuration, and the pool a client must trust to verify it.
func TLSPair(t testing.TB) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mail.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}, pool
}
