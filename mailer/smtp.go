// Package mailer sends Margin's e-mail: it drains the outbox that the
// models fill in the transactions of what causes a message, puts each
// message together at send time through the visibility rules, and hands it
// to an SMTP server.
package mailer

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig is where and how messages are handed over, read from
// MARGIN_SMTP_URL.
type SMTPConfig struct {
	Host string
	Port int
	// Security is "starttls" (required), "starttls-optional", "tls"
	// (implicit TLS, smtps) or "none".
	Security string
	Username string
	Password string
	// Auth is the SASL mechanism: "auto" picks the strongest the server offers.
	Auth string
	// TLS overrides the TLS settings (tests trust their own certificate).
	TLS     *tls.Config
	Timeout time.Duration
}

// ParseSMTPURL reads a MARGIN_SMTP_URL:
//
//	smtp://user:pass@host:587       STARTTLS, required (the default port is 587)
//	smtps://user:pass@host:465      TLS from the first byte (the default port is 465)
//	smtp://host:25?starttls=optional  STARTTLS when the server offers it
//	smtp://127.0.0.1:25?starttls=none a relay on the same machine, no TLS
//	...?auth=plain|login|cram-md5|scram-sha-256|auto (default auto)
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("MARGIN_SMTP_URL: %w", err)
	}
	cfg := SMTPConfig{Host: u.Hostname(), Auth: "auto", Timeout: 30 * time.Second}
	switch u.Scheme {
	case "smtp":
		cfg.Security, cfg.Port = "starttls", 587
		switch v := u.Query().Get("starttls"); v {
		case "", "required":
		case "optional":
			cfg.Security = "starttls-optional"
		case "none":
			cfg.Security = "none"
		default:
			return SMTPConfig{}, fmt.Errorf("MARGIN_SMTP_URL: starttls=%q: use required, optional or none", v)
		}
	case "smtps":
		cfg.Security, cfg.Port = "tls", 465
	default:
		return SMTPConfig{}, fmt.Errorf("MARGIN_SMTP_URL must start with smtp:// or smtps:// (got %q)", u.Scheme)
	}
	if cfg.Host == "" {
		return SMTPConfig{}, fmt.Errorf("MARGIN_SMTP_URL names no host")
	}
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil || cfg.Port <= 0 || cfg.Port > 65535 {
			return SMTPConfig{}, fmt.Errorf("MARGIN_SMTP_URL: bad port %q", p)
		}
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	if a := u.Query().Get("auth"); a != "" {
		cfg.Auth = strings.ToLower(a)
	}
	if _, ok := authTypes[cfg.Auth]; !ok {
		return SMTPConfig{}, fmt.Errorf("MARGIN_SMTP_URL: auth=%q: use plain, login, cram-md5, scram-sha-256 or auto", cfg.Auth)
	}
	return cfg, nil
}

var authTypes = map[string]gomail.SMTPAuthType{
	"auto": gomail.SMTPAuthAutoDiscover, "plain": gomail.SMTPAuthPlain, "login": gomail.SMTPAuthLogin,
	"cram-md5": gomail.SMTPAuthCramMD5, "scram-sha-256": gomail.SMTPAuthSCRAMSHA256,
}

// Redacted is the configuration as it may be logged.
func (c SMTPConfig) Redacted() string {
	user := ""
	if c.Username != "" {
		user = c.Username + ":***@"
	}
	return fmt.Sprintf("%s%s:%d (%s)", user, c.Host, c.Port, c.Security)
}

// Sender hands one message to a server. An error means it was not
// delivered, unless the message says it was (gomail.Msg.IsDelivered).
type Sender interface {
	Send(ctx context.Context, m *gomail.Msg) error
}

// SMTPSender sends through go-mail, one connection per message.
type SMTPSender struct{ cfg SMTPConfig }

// NewSMTPSender makes a sender for cfg.
func NewSMTPSender(cfg SMTPConfig) *SMTPSender { return &SMTPSender{cfg: cfg} }

func (s *SMTPSender) client() (*gomail.Client, error) {
	c := s.cfg
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(c.Timeout)}
	switch c.Security {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "starttls-optional":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if c.TLS != nil {
		opts = append(opts, gomail.WithTLSConfig(c.TLS))
	}
	if c.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(authTypes[c.Auth]), gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	return gomail.NewClient(c.Host, opts...)
}

// Send delivers m.
func (s *SMTPSender) Send(ctx context.Context, m *gomail.Msg) error {
	client, err := s.client()
	if err != nil {
		return err
	}
	return client.DialAndSendWithContext(ctx, m)
}
