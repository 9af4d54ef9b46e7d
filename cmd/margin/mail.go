package main

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"margin/mailer"
	"margin/models"
)

const mailUsage = `Usage: margin mail COMMAND [flags] ...

Commands:
  test ADDRESS   send a test message to ADDRESS now, through MARGIN_SMTP_URL, and say how it went
  status         count the outbox's messages by state and list those that failed or may be lost
  retry ID       send message ID again: one that failed, or whose fate is unknown after a crash
                 (it keeps its Message-ID, so the recipient can tell it is the same message)

MARGIN_SMTP_URL (environment only: it may hold a password) names the server:
  smtp://user:pass@host:587  (STARTTLS, required)   smtps://user:pass@host:465  (TLS)
  smtp://127.0.0.1:25?starttls=none  (a relay on this machine)
`

// mailFlags are the e-mail settings of serve and margin mail.
type mailFlags struct {
	from       string
	digestHour int
	baseURL    string
}

func (m *mailFlags) register(fsFrom interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
}) {
	fsFrom.StringVar(&m.from, "mail-from", envOr("MARGIN_MAIL_FROM", ""), "From `address` of Margin's e-mail, e.g. 'Margin <margin@example.org>'; default margin@ the base URL's host (env MARGIN_MAIL_FROM)")
	hour, _ := strconv.Atoi(envOr("MARGIN_DIGEST_HOUR", "7"))
	fsFrom.IntVar(&m.digestHour, "digest-hour", hour, "`hour` (0-23, UTC) at which the daily digests go out (env MARGIN_DIGEST_HOUR)")
}

// smtpConfig reads MARGIN_SMTP_URL; ok is false when it is not set.
func smtpConfig() (cfg mailer.SMTPConfig, ok bool, err error) {
	raw := os.Getenv("MARGIN_SMTP_URL")
	if raw == "" {
		return cfg, false, nil
	}
	cfg, err = mailer.ParseSMTPURL(raw)
	return cfg, err == nil, err
}

// worker builds the mail worker, or nil when MARGIN_SMTP_URL is not set:
// then nothing is sent and the inbox works alone.
func (m *mailFlags) worker(db *gorm.DB, site string, siteKey []byte, log *slog.Logger) (*mailer.Worker, error) {
	cfg, ok, err := smtpConfig()
	if err != nil || !ok {
		return nil, err
	}
	if m.digestHour < 0 || m.digestHour > 23 {
		return nil, fmt.Errorf("-digest-hour / MARGIN_DIGEST_HOUR must be 0 to 23 (got %d)", m.digestHour)
	}
	from := m.from
	if from == "" {
		host := "localhost"
		if u, err := url.Parse(site); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		from = "Margin <margin@" + host + ">"
	}
	w := &mailer.Worker{DB: db, Sender: mailer.NewSMTPSender(cfg), From: from, SiteURL: strings.TrimRight(site, "/"),
		SiteKey: siteKey, Log: log, DigestHour: m.digestHour}
	if err := w.Init(); err != nil {
		return nil, err
	}
	log.Info("e-mail is on", "smtp", cfg.Redacted(), "from", from, "digest_hour_utc", m.digestHour)
	return w, nil
}

func mailCommand(e cliEnv, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprint(e.stdout, mailUsage)
		if len(args) == 0 {
			return errors.New("mail: a command is required")
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet(e, "mail "+sub, "margin mail "+sub+" [flags] ...", "Margin's e-mail; see margin mail -h.")
	var store storeFlags
	store.register(fs)
	var mf mailFlags
	mf.register(fs)
	baseURL := fs.String("base-url", envOr("MARGIN_BASE_URL", "http://127.0.0.1:8080"), "public `URL` of the site (env MARGIN_BASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	want := map[string]int{"test": 1, "status": 0, "retry": 1}
	n, ok := want[sub]
	if !ok {
		fmt.Fprint(e.stderr, mailUsage)
		return fmt.Errorf("mail: unknown command %q", sub)
	}
	if fs.NArg() != n {
		return fmt.Errorf("mail %s: expected %d argument(s), got %d (see margin mail -h)", sub, n, fs.NArg())
	}
	db, err := store.open(e)
	if err != nil {
		return err
	}
	defer models.Close(db)
	switch sub {
	case "status":
		return mailStatus(e, db)
	case "retry":
		id, err := strconv.ParseUint(fs.Arg(0), 10, 32)
		if err != nil {
			return fmt.Errorf("mail retry: %q is not a message number", fs.Arg(0))
		}
		// The worker drops a message queued too long ago rather than send
		// it late: requeued, it would be dropped at once, not sent.
		if m, err := models.OutboxByID(db, uint(id)); err == nil && time.Since(m.CreatedAt) > mailer.DefaultMaxAge {
			return fmt.Errorf("mail retry: message %d was queued %.0f days ago, and one queued more than %.0f days ago is dropped rather than sent late; nothing changed",
				id, time.Since(m.CreatedAt).Hours()/24, mailer.DefaultMaxAge.Hours()/24)
		}
		if err := models.RequeueOutbox(db, uint(id), time.Now()); errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("mail retry: no failed or unknown message %d", id)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Message %d is queued again; the server's worker sends it.\n", id)
		return nil
	}
	// A test message carries no signed link: no session key is read (or
	// made, in a data directory a PostgreSQL site may not use).
	w, err := mf.worker(db, cmp.Or(*baseURL, "http://127.0.0.1:8080"), nil, e.logger())
	if err != nil {
		return err
	}
	if w == nil {
		return errors.New("mail test: MARGIN_SMTP_URL is not set, so Margin sends no e-mail")
	}
	if err := w.SendTest(e.ctx, fs.Arg(0)); err != nil {
		return fmt.Errorf("mail test: %w", err)
	}
	fmt.Fprintf(e.stdout, "The server took a test message for %s.\n", fs.Arg(0))
	return nil
}

func mailStatus(e cliEnv, db *gorm.DB) error {
	counts, err := models.OutboxCounts(db)
	if err != nil {
		return err
	}
	for _, s := range []models.OutboxState{models.OutboxQueued, models.OutboxClaimed, models.OutboxSending, models.OutboxSent,
		models.OutboxDropped, models.OutboxFailed, models.OutboxUnknown} {
		fmt.Fprintf(e.stdout, "%-8s %d\n", s, counts[s])
	}
	problems, err := models.OutboxProblems(db, 20)
	if err != nil || len(problems) == 0 {
		return err
	}
	fmt.Fprintln(e.stdout, "\nFailed, or maybe lost (margin mail retry ID sends one again):")
	for _, m := range problems {
		fmt.Fprintf(e.stdout, "  %d  %s  %s to user %d, %d attempt(s), queued %s: %s\n", m.ID, m.State, m.Kind, m.UserID,
			m.Attempts, m.CreatedAt.UTC().Format(time.RFC3339), m.LastError)
	}
	return nil
}
