package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"margin/models"
)

func TestMailCommands(t *testing.T) {
	data := t.TempDir()
	t.Setenv("MARGIN_SMTP_URL", "")
	// A new account with an address has its confirmation queued.
	if _, _, err := runCLI(t, "a long enough password\n", "user", "create", "-data", data, "-email", "ivy@example.org", "ivy"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "", "mail", "status", "-data", data)
	if err != nil {
		t.Fatal(err)
	}
	mustHave(t, out, "queued   1", "sent     0", "unknown  0")
	if _, _, err := runCLI(t, "", "mail", "test", "-data", data, "ivy@example.org"); err == nil || !strings.Contains(err.Error(), "MARGIN_SMTP_URL is not set") {
		t.Errorf("mail test without a server: %v", err)
	}
	if _, _, err := runCLI(t, "", "mail", "retry", "-data", data, "1"); err == nil || !strings.Contains(err.Error(), "no failed or unknown message 1") {
		t.Errorf("retrying a queued message: %v", err)
	}
	// A message that failed days ago is not requeued, since the worker
	// would drop it as queued too long ago: retry says so.
	db, err := models.Open(models.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Model(&models.OutboxMessage{}).Where("id = 1").Updates(map[string]any{
		"state": models.OutboxFailed, "created_at": time.Now().UTC().Add(-5 * 24 * time.Hour)}).Error; err != nil {
		t.Fatal(err)
	}
	models.Close(db)
	if _, _, err := runCLI(t, "", "mail", "retry", "-data", data, "1"); err == nil || !strings.Contains(err.Error(), "queued 5 days ago") {
		t.Errorf("retrying a message of 5 days ago: %v", err)
	}
	t.Setenv("MARGIN_SMTP_URL", "http://mail.example")
	if _, _, err := runCLI(t, "", "mail", "test", "-data", data, "ivy@example.org"); err == nil || !strings.Contains(err.Error(), "smtp:// or smtps://") {
		t.Errorf("a bad MARGIN_SMTP_URL: %v", err)
	}
}

// inbox is a go-smtp server on loopback keeping the recipients and data
// of what it is given.
type inbox struct {
	mu   sync.Mutex
	got  []string
	addr string
}

type inboxSession struct {
	in *inbox
	to string
}

func (s *inboxSession) Reset()                                    {}
func (s *inboxSession) Logout() error                             { return nil }
func (s *inboxSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *inboxSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *inboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.in.mu.Lock()
	s.in.got = append(s.in.got, s.to+"\n"+string(b))
	s.in.mu.Unlock()
	return err
}

func startInbox(t *testing.T) *inbox {
	in := &inbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &inboxSession{in: in}, nil }))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	in.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return in
}

func (in *inbox) messages() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.got...)
}

// margin serve with MARGIN_SMTP_URL runs the worker: the confirmation of
// an account made with margin user create goes out, with a link to the
// base URL; margin mail test reaches the same server.
func TestServeSendsMailThroughMarginSMTPURL(t *testing.T) {
	in := startInbox(t)
	data := t.TempDir()
	t.Setenv("MARGIN_SMTP_URL", "smtp://"+in.addr+"?starttls=none")
	t.Setenv("MARGIN_SESSION_KEY", "")
	if _, _, err := runCLI(t, "a long enough password\n", "user", "create", "-data", data, "-email", "ivy@example.org", "ivy"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out, errOut bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "-data", data, "-addr", "127.0.0.1:0", "-base-url", "https://margin.example",
			"-mail-from", "Margin <margin@margin.example>"}, strings.NewReader(""), &out, &errOut)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for len(in.messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\n%s", err, errOut.String())
	}
	got := in.messages()
	if len(got) != 1 || !strings.HasPrefix(got[0], "ivy@example.org\n") || !strings.Contains(got[0], "https://margin.example/mail/confirm/") {
		t.Fatalf("the server got %d messages:\n%v\n%s", len(got), got, errOut.String())
	}
	mustHave(t, errOut.String(), "e-mail is on")
	status, _, err := runCLI(t, "", "mail", "status", "-data", data)
	if err != nil {
		t.Fatal(err)
	}
	mustHave(t, status, "sent     1")
	if out, _, err := runCLI(t, "", "mail", "test", "-data", data, "ops@example.org"); err != nil || !strings.Contains(out, "took a test message") {
		t.Fatalf("mail test: %v %s", err, out)
	}
	if got := in.messages(); len(got) != 2 || !strings.HasPrefix(got[1], "ops@example.org\n") {
		t.Fatalf("after mail test: %d messages", len(got))
	}
}

// margin serve says once at start what becomes of e-mail: off without
// MARGIN_SMTP_URL; on, with a warning when the links in messages would
// point at the listening address (no base URL) or lack https.
func TestServeSaysOnceWhatBecomesOfMail(t *testing.T) {
	data := t.TempDir()
	t.Setenv("MARGIN_SESSION_KEY", "")
	t.Setenv("MARGIN_BASE_URL", "")
	serve := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // serve starts, then shuts down at once
		var out, errOut bytes.Buffer
		if err := run(ctx, append([]string{"serve", "-data", data, "-addr", "127.0.0.1:0"}, args...), strings.NewReader(""), &out, &errOut); err != nil {
			t.Fatalf("serve: %v\n%s", err, errOut.String())
		}
		return errOut.String()
	}
	t.Setenv("MARGIN_SMTP_URL", "")
	if log := serve(); strings.Count(log, "e-mail is off") != 1 || strings.Contains(log, "e-mail:") {
		t.Errorf("without MARGIN_SMTP_URL:\n%s", log)
	}
	t.Setenv("MARGIN_SMTP_URL", "smtp://127.0.0.1:1?starttls=none")
	mustHave(t, serve(), "e-mail is on", "no -base-url / MARGIN_BASE_URL")
	mustHave(t, serve("-base-url", "http://margin.example"), "no one-click unsubscribe")
	if log := serve("-base-url", "https://margin.example"); strings.Contains(log, "e-mail:") {
		t.Errorf("a warning with an https base URL:\n%s", log)
	}
}

// margin mail test signs nothing, so it reads no session key and makes none.
func TestMailTestMakesNoSessionKey(t *testing.T) {
	in := startInbox(t)
	data := t.TempDir()
	t.Setenv("MARGIN_SMTP_URL", "smtp://"+in.addr+"?starttls=none")
	t.Setenv("MARGIN_SESSION_KEY", "")
	if out, _, err := runCLI(t, "", "mail", "test", "-data", data, "ops@example.org"); err != nil || !strings.Contains(out, "took a test message") {
		t.Fatalf("mail test: %v %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(data, "session.key")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("mail test left a session key: %v", err)
	}
}
