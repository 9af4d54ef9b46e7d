package mailer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	gomail "github.com/wneessen/go-mail"
	"gorm.io/gorm"

	"margin/models"
)

// Worker drains the outbox. Any number of workers, on any number of
// instances, may share one database: each message is claimed by one of
// them (a compare-and-set on its state), held under a lease, sent, and
// marked.
//
// Never twice: a claimed message is put together ("claimed"), then marked
// "sending" just before it is handed to the server, then marked with the
// answer: sent; put back with a backoff after a refusal or a failure
// before the end of the message; failed for good after a permanent
// refusal. A worker that stops while a message is only claimed leaves it
// to go back to the queue when the lease runs out: it never reached the
// server. One that stops while sending (a crash, a kill, a connection
// lost after the message's last byte) leaves it "sending": when the lease
// runs out it becomes "unknown" and is not sent again, since the server
// may have taken it. So a message goes at most once; the price is that a
// crash in that window (from the handover to the one UPDATE after the
// server's answer, milliseconds) may lose one, which `margin mail status`
// shows and `margin mail retry ID` resends on purpose, with the same
// Message-ID, so that a resend is recognisably the same message.
type Worker struct {
	DB     *gorm.DB
	Sender Sender
	// From is the From address: Margin <margin@example.org>.
	From string
	// SiteURL is the public address links point to, without a trailing slash.
	SiteURL string
	// SiteKey signs confirmation and unsubscribe links (the session hash key).
	SiteKey []byte
	Log     *slog.Logger
	// Now is the clock; tests move it.
	Now func() time.Time
	// Backoff is the wait before attempt n+1 after n failed attempts.
	Backoff func(attempts int) time.Duration
	// MaxAttempts bounds the attempts of one message.
	MaxAttempts int
	// Lease is how long a claimed message is held; it must outlast an
	// attempt (Sender's timeout).
	Lease time.Duration
	// Poll is the pause between rounds when there was nothing to send.
	Poll time.Duration
	// DigestHour is the hour (UTC, 0–23) of the daily digest.
	DigestHour int
	// MaxAge: a message queued longer ago (the site had no SMTP server
	// then, or it was down for days) is dropped rather than sent late.
	MaxAge time.Duration
	// Batch bounds the messages claimed in one round.
	Batch int
	// Owner names this worker in its leases; unique per process.
	Owner string
	// Keep is how long settled messages stay in the outbox (for margin
	// mail status) before they are deleted.
	Keep time.Duration

	// afterSend, in tests, runs between a send and its mark; an error
	// stops the round there, as a crash would.
	afterSend func(*models.OutboxMessage) error
	tmpl      templates
	lastPurge time.Time
}

// DefaultMaxAge is how long a queued message may wait before it is
// dropped rather than sent late (Worker.MaxAge).
const DefaultMaxAge = 3 * 24 * time.Hour

// DefaultBackoff waits a minute after the first failure, doubling up to
// six hours.
func DefaultBackoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// Init fills in the defaults and parses the templates.
func (w *Worker) Init() error {
	if w.Log == nil {
		w.Log = slog.Default()
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Backoff == nil {
		w.Backoff = DefaultBackoff
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 10
	}
	if w.Lease <= 0 {
		w.Lease = 5 * time.Minute
	}
	if w.Poll <= 0 {
		w.Poll = 5 * time.Second
	}
	if w.MaxAge <= 0 {
		w.MaxAge = DefaultMaxAge
	}
	if w.Batch <= 0 {
		w.Batch = 20
	}
	if w.Keep <= 0 {
		w.Keep = 30 * 24 * time.Hour
	}
	if w.Owner == "" {
		host, _ := os.Hostname()
		b := make([]byte, 6)
		rand.Read(b)
		w.Owner = fmt.Sprintf("%.30s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	return w.parseTemplates()
}

func (w *Worker) now() time.Time { return w.Now().UTC() }

// Run sends until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("mail worker", "err", err)
		}
		wait := w.Poll
		if n >= w.Batch {
			wait = 0 // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// errStopped is what a test's afterSend returns to stop a round mid-way.
var errStopped = errors.New("the worker stopped between a send and its mark")

// RunOnce does one round: settles what a stopped worker left, plans the
// daily digests that are due, deletes (hourly) what was settled more than
// Keep ago, then claims and sends the due messages. It returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	now := w.now()
	if n, err := models.ReapOutbox(w.DB, now); err != nil {
		return 0, err
	} else if n > 0 {
		w.Log.Warn("mail: messages left mid-send by a stopped worker are not sent again", "count", n)
	}
	if _, err := models.PlanDigests(w.DB, now, w.DigestHour); err != nil {
		return 0, err
	}
	if now.Sub(w.lastPurge) > time.Hour {
		if _, err := models.PurgeOutbox(w.DB, now.Add(-w.Keep)); err != nil {
			return 0, err
		}
		w.lastPurge = now
	}
	msgs, err := models.ClaimOutbox(w.DB, w.Owner, now, now.Add(w.Lease), w.Batch)
	if err != nil {
		return 0, err
	}
	for i := range msgs {
		m := &msgs[i]
		if ctx.Err() != nil {
			// Shutting down: give back what was claimed and not tried.
			o := models.OutboxOutcome{State: models.OutboxQueued, RetryAt: now, Error: "given back at shutdown"}
			if err := models.FinishOutbox(w.DB, m, w.Owner, o, now); err != nil {
				return len(msgs), err
			}
			continue
		}
		o, err := w.attempt(context.WithoutCancel(ctx), m)
		if err != nil {
			return len(msgs), err
		}
		if o == nil {
			continue // another worker holds it now
		}
		if o.State == models.OutboxSent && w.afterSend != nil {
			if err := w.afterSend(m); err != nil {
				return len(msgs), err
			}
		}
		if err := models.FinishOutbox(w.DB, m, w.Owner, *o, w.now()); err != nil {
			return len(msgs), err
		}
		if o.State != models.OutboxSent && o.State != models.OutboxDropped {
			w.Log.Warn("mail not sent", "id", m.ID, "kind", m.Kind, "state", o.State, "attempts", m.Attempts, "err", o.Error)
		}
	}
	return len(msgs), nil
}

// attempt composes and sends m once and says what came of it, or nil
// when m is no longer this worker's to send. The context is not
// cancelled mid-send (the Sender's timeout bounds it): a send cut short
// after its last byte could not tell whether the server took it.
func (w *Worker) attempt(ctx context.Context, m *models.OutboxMessage) (*models.OutboxOutcome, error) {
	o, msg := w.prepare(m)
	if o != nil {
		return o, nil
	}
	if mine, err := models.BeginSend(w.DB, m, w.Owner); err != nil || !mine {
		return nil, err
	}
	o = w.send(ctx, m, msg)
	return o, nil
}

// prepare puts m together, or says why it is not to be sent (or not now).
func (w *Worker) prepare(m *models.OutboxMessage) (*models.OutboxOutcome, *gomail.Msg) {
	now := w.now()
	if now.Sub(m.CreatedAt) > w.MaxAge {
		return &models.OutboxOutcome{State: models.OutboxDropped, Error: "queued too long ago to be sent now"}, nil
	}
	msg, err := w.compose(m)
	var nothing *models.ErrNothingToSend
	if errors.As(err, &nothing) {
		return &models.OutboxOutcome{State: models.OutboxDropped, Error: nothing.Reason}, nil
	}
	if err != nil {
		o := w.retry(m, now, "put together: "+err.Error())
		return &o, nil
	}
	return nil, msg
}

// send hands msg to the server and reads what came of it.
func (w *Worker) send(ctx context.Context, m *models.OutboxMessage, msg *gomail.Msg) *models.OutboxOutcome {
	now := w.now()
	err := w.Sender.Send(ctx, msg)
	if err == nil || msg.IsDelivered() {
		return &models.OutboxOutcome{State: models.OutboxSent}
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		switch {
		case se.Reason == gomail.ErrSMTPDataClose && se.ErrorCode() == 0:
			// The whole message went out and no answer came back: the
			// server may have taken it.
			return &models.OutboxOutcome{State: models.OutboxUnknown, Error: err.Error()}
		case se.ErrorCode() >= 500 && !se.IsTemp():
			return &models.OutboxOutcome{State: models.OutboxFailed, Error: err.Error()}
		}
	}
	o := w.retry(m, now, err.Error())
	return &o
}

// retry puts m back in the queue after its backoff, or fails it for good
// once it has had its attempts.
func (w *Worker) retry(m *models.OutboxMessage, now time.Time, why string) models.OutboxOutcome {
	if m.Attempts >= w.MaxAttempts {
		return models.OutboxOutcome{State: models.OutboxFailed, Error: fmt.Sprintf("after %d attempts: %s", m.Attempts, why)}
	}
	return models.OutboxOutcome{State: models.OutboxQueued, RetryAt: now.Add(w.Backoff(m.Attempts)), Error: why}
}

// SendTest sends a test message to address straight away (margin mail
// test), outside the outbox, and returns the server's answer.
func (w *Worker) SendTest(ctx context.Context, address string) error {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(w.From); err != nil {
		return fmt.Errorf("MARGIN_MAIL_FROM %q: %w", w.From, err)
	}
	if err := msg.To(address); err != nil {
		return err
	}
	msg.Subject("A test message from Margin")
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, "Margin at "+w.SiteURL+" can send e-mail through this server.\n")
	return w.Sender.Send(ctx, msg)
}
