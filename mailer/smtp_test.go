package mailer

import (
	"strings"
	"testing"
)

func TestParseSMTPURL(t *testing.T) {
	for _, c := range []struct {
		raw, want string
	}{
		{"smtp://user:pass@mail.example", "user:***@mail.example:587 (starttls)"},
		{"smtp://user:p%40ss@mail.example:2525", "user:***@mail.example:2525 (starttls)"},
		{"smtps://user:pass@mail.example", "user:***@mail.example:465 (tls)"},
		{"smtp://mail.example:25?starttls=optional", "mail.example:25 (starttls-optional)"},
		{"smtp://127.0.0.1:25?starttls=none", "127.0.0.1:25 (none)"},
	} {
		cfg, err := ParseSMTPURL(c.raw)
		if err != nil || cfg.Redacted() != c.want {
			t.Errorf("%s: %q (%v), want %q", c.raw, cfg.Redacted(), err, c.want)
		}
	}
	if cfg, _ := ParseSMTPURL("smtp://user:p%40ss@mail.example"); cfg.Password != "p@ss" || cfg.Auth != "auto" {
		t.Errorf("password %q, auth %q", cfg.Password, cfg.Auth)
	}
	for _, bad := range []string{"http://mail.example", "smtp://", "smtp://mail.example?starttls=maybe", "smtp://mail.example?auth=magic", "smtp://mail.example:99999"} {
		if _, err := ParseSMTPURL(bad); err == nil || !strings.Contains(err.Error(), "MARGIN_SMTP_URL") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
