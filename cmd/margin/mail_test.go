package main

import (
	"strings"
	"testing"
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
	t.Setenv("MARGIN_SMTP_URL", "http://mail.example")
	if _, _, err := runCLI(t, "", "mail", "test", "-data", data, "ivy@example.org"); err == nil || !strings.Contains(err.Error(), "smtp:// or smtps://") {
		t.Errorf("a bad MARGIN_SMTP_URL: %v", err)
	}
}
