package mailer

import (
	"strings"
	"testing"

	"margin/models"
)

// A document's title and a username reach the Subject: a title with a line
// break in it must not add a header (a Bcc) or end the headers early.
func TestATitleWithALineBreakAddsNoHeader(t *testing.T) {
	mw := newMailWorld(t, nil, nil)
	w := mw.worker(mw.db)
	alice := mw.user("alice", models.MailNow)
	bob := mw.user("bob", models.MailNever)
	title := "Treaty\r\nBcc: evil@attacker.example\r\n\r\nInjected body"
	if err := mw.db.Model(&models.Document{}).Where("id = ?", mw.doc.ID).Update("title", title).Error; err != nil {
		t.Fatal(err)
	}
	mw.reply(bob, mw.note(alice, "A note."), "A reply.")
	mw.run(w)
	all := mw.smtp.messages()
	if len(all) != 1 || len(all[0].To) != 1 || all[0].To[0] != "alice@example.org" {
		t.Fatalf("the server got %d messages, the first for %v", len(all), all[0].To)
	}
	m := parse(t, all[0])
	if m.Header.Get("Bcc") != "" || strings.Contains(m.Text, "Injected body\n\nA reply") {
		t.Errorf("the title added a header or a body:\n%s", all[0].Data)
	}
	if !strings.Contains(m.Subject, "Treaty") {
		t.Errorf("Subject %q", m.Subject)
	}
}
