package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"margin/models"
)

func TestTheAccountPageSetsAnAddressAndWhatIsMailed(t *testing.T) {
	ts := newTestServer(t)
	c, u := ts.loggedIn("mailer", models.RoleReader)
	page := c.get("/account")
	mustContain(t, page.body, `id="email"`, "You have given no address", "no mail server set up yet", `value="digest" checked`)

	if res := c.post("/account/email", url.Values{"email": {"not an address"}}); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad address: %d", res.status)
	}
	if res := c.post("/account/email", url.Values{"email": {"mailer@example.org"}}); res.status != http.StatusSeeOther {
		t.Fatalf("saving the address: %d", res.status)
	}
	mustContain(t, c.get("/account").body, "mailer@example.org", "not confirmed yet", "Send the link again")
	var confirms int64
	ts.db.Model(&models.OutboxMessage{}).Where("user_id = ? AND kind = ?", u.ID, models.OutboxConfirm).Count(&confirms)
	if confirms != 1 {
		t.Fatalf("%d confirmations queued", confirms)
	}
	// Again within the hour: no second message to the same address.
	c.post("/account/email/confirm", nil)
	ts.db.Model(&models.OutboxMessage{}).Where("user_id = ? AND kind = ?", u.ID, models.OutboxConfirm).Count(&confirms)
	if confirms != 1 {
		t.Fatalf("%d confirmations queued after sending again", confirms)
	}

	if res := c.post("/account/mail", url.Values{"replies": {"sometimes"}, "follows": {"digest"}}); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad choice: %d", res.status)
	}
	if res := c.post("/account/mail", url.Values{"replies": {"now"}, "follows": {"never"}}); res.status != http.StatusSeeOther {
		t.Fatalf("saving the choice: %d", res.status)
	}
	s, err := models.MailSettingsOf(ts.db, u.ID)
	if err != nil || s.Replies != models.MailNow || s.Follows != models.MailNever || s.Teaching != models.MailDigest {
		t.Fatalf("saved %+v (%v)", s, err)
	}
}

func TestAConfirmationLinkConfirmsOnlyByItsButton(t *testing.T) {
	ts := newTestServer(t)
	u := ts.createUser("confirmer", models.RoleReader)
	if err := models.SetEmail(ts.db, u, "confirmer@example.org", ts.now); err != nil {
		t.Fatal(err)
	}
	token := models.ConfirmToken(ts.app.cfg.SessionHashKey, u, ts.now.Add(time.Hour))
	visitor := ts.client() // not logged in: the link works from any browser
	page := visitor.get("/mail/confirm/" + token)
	if page.status != http.StatusOK {
		t.Fatalf("the link: %d", page.status)
	}
	mustContain(t, page.body, "Confirm <strong>confirmer@example.org</strong>", `action="/mail/confirm/`+token+`"`)
	if s, _ := models.MailSettingsOf(ts.db, u.ID); s.Confirmed(u.Email) {
		t.Fatal("opening the link confirmed the address: a mail scanner would")
	}
	if res := visitor.post("/mail/confirm/"+token, nil); res.status != http.StatusOK || !strings.Contains(res.body, "Address confirmed") {
		t.Fatalf("confirming: %d", res.status)
	}
	if s, _ := models.MailSettingsOf(ts.db, u.ID); !s.Confirmed(u.Email) {
		t.Fatal("not confirmed")
	}
	if res := visitor.get("/mail/confirm/" + token + "x"); res.status != http.StatusNotFound {
		t.Errorf("a forged link: %d", res.status)
	}
	ts.now = ts.now.Add(2 * time.Hour)
	if res := visitor.get("/mail/confirm/" + token); res.status != http.StatusGone {
		t.Errorf("an expired link: %d", res.status)
	}
	// A link for an address the account no longer has confirms nothing.
	fresh := models.ConfirmToken(ts.app.cfg.SessionHashKey, u, ts.now.Add(time.Hour))
	if err := models.SetEmail(ts.db, u, "elsewhere@example.org", ts.now); err != nil {
		t.Fatal(err)
	}
	if res := visitor.get("/mail/confirm/" + fresh); res.status != http.StatusNotFound {
		t.Errorf("a link for the old address: %d", res.status)
	}
}

func TestOneClickUnsubscribeNeedsNoLoginAndNoCSRFToken(t *testing.T) {
	ts := newTestServer(t)
	u := ts.createUser("leaver", models.RoleReader)
	if err := models.SaveMailChoice(ts.db, u.ID, models.MailChoice{Replies: models.MailNow, Follows: models.MailDigest, Teaching: models.MailDigest}); err != nil {
		t.Fatal(err)
	}
	key := ts.app.cfg.SessionHashKey
	replies := "/mail/unsubscribe/" + models.UnsubscribeToken(key, u.ID, models.ListReplies)

	// The page a person opens: it asks, and changes nothing.
	page := ts.client().get(replies)
	mustContain(t, page.body, "Stop the messages sent at once", `action="`+replies+`"`)
	if s, _ := models.MailSettingsOf(ts.db, u.ID); s.Replies != models.MailNow {
		t.Fatal("opening the page unsubscribed")
	}
	// What a mail client sends (RFC 8058): a POST with no cookie, no token, no Origin.
	oneClick := func(path string) *http.Response {
		res, err := http.Post(ts.URL+path, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := oneClick(replies); res.StatusCode != http.StatusOK {
		t.Fatalf("one-click: %d", res.StatusCode)
	}
	s, _ := models.MailSettingsOf(ts.db, u.ID)
	if s.Replies != models.MailNever || s.Follows != models.MailDigest {
		t.Fatalf("after unsubscribing from replies: %+v", s)
	}
	if res := oneClick("/mail/unsubscribe/" + models.UnsubscribeToken(key, u.ID, models.ListDigest)); res.StatusCode != http.StatusOK {
		t.Fatalf("one-click from the digest: %d", res.StatusCode)
	}
	s, _ = models.MailSettingsOf(ts.db, u.ID)
	if s.Follows != models.MailNever || s.Teaching != models.MailNever {
		t.Fatalf("after unsubscribing from the digest: %+v", s)
	}
	// A forged token, or one for another user, is refused.
	forged := strings.Replace(replies, "-replies-", "-digest-", 1)
	if res := oneClick(forged); res.StatusCode != http.StatusNotFound {
		t.Errorf("a forged token: %d", res.StatusCode)
	}
}

func TestFollowButtonsOnTheDocumentAndClassPages(t *testing.T) {
	ts := newTestServer(t)
	w := newMatrixWorld(t, ts, ts.articleID(), "")
	rc, sc := w.clients[reader], w.clients[student]
	doc := "/documents/" + w.ids["document"]
	page := rc.get(doc)
	mustContain(t, page.body, `action="`+doc+`/follow"`, ">Follow</button>")
	if res := rc.post(doc+"/follow", url.Values{"follow": {"1"}}); res.status != http.StatusSeeOther {
		t.Fatalf("follow: %d", res.status)
	}
	// The cached reading view shows the change at once.
	mustContain(t, rc.get(doc).body, "Following: new notes come in your daily digest.", "Stop following")
	if ok, _ := models.IsFollowing(ts.db, w.users[reader].ID, w.doc, 0); !ok {
		t.Fatal("not following the document")
	}
	rc.post(doc+"/follow", url.Values{"follow": {"0"}})
	if ok, _ := models.IsFollowing(ts.db, w.users[reader].ID, w.doc, 0); ok {
		t.Fatal("still following the document")
	}
	if strings.Contains(w.clients[anonymous].get(doc).body, "/follow") {
		t.Error("a visitor is offered to follow")
	}

	class := "/classes/" + w.ids["class"]
	mustContain(t, sc.get(class).body, `action="`+class+`/follow"`)
	if res := sc.post(class+"/follow", nil); res.status != http.StatusSeeOther {
		t.Fatalf("following the class: %d", res.status)
	}
	if ok, _ := models.IsFollowing(ts.db, w.users[student].ID, 0, w.class.ID); !ok {
		t.Fatal("not following the class")
	}
	if res := rc.post(class+"/follow", nil); res.status != http.StatusNotFound {
		t.Errorf("an outsider following the class: %d", res.status)
	}
}
