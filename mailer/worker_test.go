package mailer

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/passhash"
)

var siteKey = bytes.Repeat([]byte{1}, 64)

// mailWorld is a database with the sample documents, an SMTP server on
// loopback and a worker whose clock the test moves.
type mailWorld struct {
	t    *testing.T
	db   *gorm.DB
	smtp *smtpServer
	now  time.Time
	doc  *models.Document
}

func newMailWorld(t *testing.T, db *gorm.DB, configure func(*smtpServer)) *mailWorld {
	t.Helper()
	if db == nil {
		db = modeltest.Open(t)
	}
	if _, err := models.SeedSamples(db); err != nil {
		t.Fatal(err)
	}
	docs, err := models.ListDocuments(db)
	if err != nil || len(docs) == 0 {
		t.Fatal(err)
	}
	doc, err := models.DocumentByID(db, docs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	// The clock runs a minute ahead, so that what the test queues is due.
	now := time.Now().UTC().Add(time.Minute).Truncate(time.Microsecond)
	return &mailWorld{t: t, db: db, smtp: startSMTP(t, configure), now: now, doc: doc}
}

// worker is a fresh worker (a restarted process) on db.
func (mw *mailWorld) worker(db *gorm.DB) *Worker {
	mw.t.Helper()
	cfg := SMTPConfig{Host: "127.0.0.1", Port: mw.smtp.port(), Security: "none", Auth: "auto", Timeout: 5 * time.Second}
	w := &Worker{DB: db, Sender: NewSMTPSender(cfg), From: "Margin <margin@margin.example>",
		SiteURL: "https://margin.example", SiteKey: siteKey, Now: func() time.Time { return mw.now },
		Backoff: func(n int) time.Duration { return time.Duration(n) * time.Minute }, MaxAttempts: 4, DigestHour: 7}
	if err := w.Init(); err != nil {
		mw.t.Fatal(err)
	}
	return w
}

func (mw *mailWorld) run(w *Worker) int {
	mw.t.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil {
		mw.t.Fatal(err)
	}
	return n
}

// user makes an account with a confirmed address and replies mailed as mode says.
func (mw *mailWorld) user(name string, mode models.MailMode) *models.User {
	mw.t.Helper()
	u, err := models.CreateUser(mw.db, models.NewUser{Username: name, Email: name + "@example.org",
		Password: "a long enough password"}, passhash.Fast)
	if err != nil {
		mw.t.Fatal(err)
	}
	mw.confirm(u)
	if err := models.SaveMailChoice(mw.db, u.ID, models.MailChoice{Replies: mode, Follows: models.MailDigest, Teaching: models.MailDigest}); err != nil {
		mw.t.Fatal(err)
	}
	return u
}

// setRole gives u role, in the database and in u.
func (mw *mailWorld) setRole(u *models.User, role models.Role) {
	mw.t.Helper()
	if _, err := models.SetRole(mw.db, u.Username, role); err != nil {
		mw.t.Fatal(err)
	}
	u.Role = role
}

// confirm confirms u's address and drops the confirmation still queued.
func (mw *mailWorld) confirm(u *models.User) {
	mw.t.Helper()
	if err := models.ConfirmEmail(mw.db, u, mw.now); err != nil {
		mw.t.Fatal(err)
	}
}

func (mw *mailWorld) note(author *models.User, body string) *models.Annotation {
	mw.t.Helper()
	a, err := models.CreateAnnotation(mw.db, author, mw.doc, models.AnnotationInput{Kind: models.KindComment,
		Body: body, Passage: 1, QuoteHint: -1}, models.StatusPublished)
	if err != nil {
		mw.t.Fatal(err)
	}
	return a
}

func (mw *mailWorld) reply(author *models.User, parent *models.Annotation, body string) *models.Annotation {
	mw.t.Helper()
	a, err := models.CreateReply(mw.db, author, parent, models.AnnotationInput{Kind: models.KindComment, Body: body}, models.StatusPublished)
	if err != nil {
		mw.t.Fatal(err)
	}
	return a
}

// outbox lists the outbox's messages of kind.
func (mw *mailWorld) outbox(kind models.OutboxKind) []models.OutboxMessage {
	mw.t.Helper()
	var out []models.OutboxMessage
	if err := mw.db.Where("kind = ?", kind).Order("id").Find(&out).Error; err != nil {
		mw.t.Fatal(err)
	}
	return out
}

// to lists what the server got for address.
func (mw *mailWorld) to(address string) []parsed {
	var out []parsed
	for _, r := range mw.smtp.messages() {
		if len(r.To) == 1 && r.To[0] == address {
			out = append(out, parse(mw.t, r))
		}
	}
	return out
}

func TestAReplyIsMailedAtOnceWithEverythingAMessageCarries(t *testing.T) {
	mw := newMailWorld(t, nil, nil)
	w := mw.worker(mw.db)
	alice := mw.user("alice", models.MailNow)
	bob := mw.user("bob", models.MailNow)
	note := mw.note(alice, "A note on the treaty.")
	reply := mw.reply(bob, note, "I disagree <script>alert(1)</script> & so on.")
	mw.run(w)

	got := mw.to("alice@example.org")
	if len(got) != 1 {
		t.Fatalf("alice got %d messages, want 1 (all: %d)", len(got), len(mw.smtp.messages()))
	}
	m := got[0]
	if s := m.Subject; !strings.Contains(s, "bob replied to your note") {
		t.Errorf("Subject %q", s)
	}
	link := fmt.Sprintf("https://margin.example/annotations/%d", reply.ID)
	for _, part := range []struct{ name, body string }{{"text", m.Text}, {"html", m.HTML}} {
		for _, want := range []string{link, "You get this message because bob replied to your note", "/mail/unsubscribe/", "/account#email"} {
			if !strings.Contains(part.body, want) {
				t.Errorf("the %s part lacks %q:\n%s", part.name, want, part.body)
			}
		}
	}
	if !strings.Contains(m.Text, "I disagree <script>alert(1)</script> & so on.") {
		t.Errorf("the text part does not quote the reply as written:\n%s", m.Text)
	}
	if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "I disagree &lt;script&gt;alert(1)&lt;/script&gt; &amp; so on.") {
		t.Errorf("the HTML part does not escape the reply:\n%s", m.HTML)
	}
	unsub := m.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(unsub, "<https://margin.example/mail/unsubscribe/") || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe %q, List-Unsubscribe-Post %q", unsub, m.Header.Get("List-Unsubscribe-Post"))
	}
	token := strings.TrimSuffix(strings.TrimPrefix(unsub, "<https://margin.example/mail/unsubscribe/"), ">")
	if uid, list, err := models.ParseUnsubscribeToken(siteKey, token); err != nil || uid != alice.ID || list != models.ListReplies {
		t.Errorf("the unsubscribe token names user %d, list %q (%v)", uid, list, err)
	}
	row := mw.outbox(models.OutboxNote)[0]
	if m.Header.Get("Message-Id") != row.MessageID("margin.example") || row.State != models.OutboxSent || row.SentAt == nil {
		t.Errorf("Message-ID %q, row %+v", m.Header.Get("Message-Id"), row)
	}
	// Bob wrote it: he is told of nothing. A second round sends nothing more.
	if len(mw.to("bob@example.org")) != 0 || mw.run(w) != 0 || len(mw.smtp.messages()) != 1 {
		t.Errorf("a second round or bob got mail: %d messages", len(mw.smtp.messages()))
	}
	// A month on, the settled message leaves the outbox.
	mw.now = mw.now.Add(31 * 24 * time.Hour)
	mw.run(w)
	if n := len(mw.outbox(models.OutboxNote)); n != 0 {
		t.Errorf("%d settled messages kept after a month", n)
	}
}

func TestAMentionInTheDigestModeIsNotMailedAtOnce(t *testing.T) {
	mw := newMailWorld(t, nil, nil)
	carol := mw.user("carol", models.MailDigest)
	dave := mw.user("dave", models.MailNever)
	erin := mw.user("erin", models.MailNow)
	mw.note(erin, "Asking @carol and @dave.")
	if n := len(mw.outbox(models.OutboxNote)); n != 0 {
		t.Fatalf("%d messages queued at once for readers who want the digest or nothing", n)
	}
	for _, u := range []*models.User{carol, dave} {
		var n int64
		mw.db.Model(&models.Notification{}).Where("user_id = ?", u.ID).Count(&n)
		if n != 1 {
			t.Errorf("%s has %d notifications in the inbox, want 1", u.Username, n)
		}
	}
}

func TestStartTLSWithALogin(t *testing.T) {
	mw := newMailWorld(t, nil, func(s *smtpServer) { s.user, s.pass = "margin", "s3cret" })
	cfg, err := ParseSMTPURL(fmt.Sprintf("smtp://margin:s3cret@127.0.0.1:%d", mw.smtp.port()))
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLS = mw.smtp.clientTLS(t)
	w := mw.worker(mw.db)
	w.Sender = NewSMTPSender(cfg)
	alice := mw.user("alice", models.MailNow)
	mw.reply(mw.user("bob", models.MailNow), mw.note(alice, "A note."), "A reply.")
	mw.run(w)
	got := mw.smtp.messages()
	if len(got) != 1 || !got[0].TLS || mw.smtp.authed != 1 {
		t.Fatalf("%d messages, TLS %v, logins %d", len(got), len(got) > 0 && got[0].TLS, mw.smtp.authed)
	}
	// The wrong password: nothing goes, the message waits for its retry.
	cfg.Password = "wrong"
	w.Sender = NewSMTPSender(cfg)
	mw.reply(mw.user("carl", models.MailNow), mw.note(alice, "Another note."), "Another reply.")
	mw.run(w)
	rows := mw.outbox(models.OutboxNote)
	if len(mw.smtp.messages()) != 1 || rows[1].State != models.OutboxQueued || rows[1].LastError == "" {
		t.Fatalf("after a refused login: %d messages, row %+v", len(mw.smtp.messages()), rows[1])
	}
}

func TestARefusedMessageIsRetriedWithBackoffAcrossARestart(t *testing.T) {
	mw := newMailWorld(t, nil, nil)
	alice := mw.user("alice", models.MailNow)
	mw.reply(mw.user("bob", models.MailNow), mw.note(alice, "A note."), "A reply.")
	mw.smtp.setRefuse(2)

	w := mw.worker(mw.db)
	mw.run(w)
	row := mw.outbox(models.OutboxNote)[0]
	if row.State != models.OutboxQueued || row.Attempts != 1 || !row.NextAttemptAt.Equal(mw.now.Add(time.Minute).Truncate(time.Microsecond)) {
		t.Fatalf("after a refusal: %+v", row)
	}
	if !strings.Contains(row.LastError, "451") {
		t.Errorf("the refusal is not recorded: %q", row.LastError)
	}
	// Not due yet: nothing is claimed.
	mw.now = mw.now.Add(30 * time.Second)
	if n := mw.run(w); n != 0 {
		t.Fatalf("claimed %d before the backoff ran out", n)
	}
	// A new process (the old one restarted) picks the message up when due.
	mw.now = mw.now.Add(31 * time.Second)
	w = mw.worker(mw.db)
	mw.run(w)
	row = mw.outbox(models.OutboxNote)[0]
	if row.State != models.OutboxQueued || row.Attempts != 2 || !row.NextAttemptAt.After(mw.now.Add(119*time.Second)) {
		t.Fatalf("after the second refusal: %+v", row)
	}
	mw.now = mw.now.Add(2 * time.Minute)
	mw.run(w)
	if got := mw.to("alice@example.org"); len(got) != 1 {
		t.Fatalf("alice got %d messages", len(got))
	}
	if row = mw.outbox(models.OutboxNote)[0]; row.State != models.OutboxSent || row.Attempts != 3 {
		t.Fatalf("after delivery: %+v", row)
	}
}

func TestAMessageRefusedEveryTimeFailsAfterItsAttempts(t *testing.T) {
	mw := newMailWorld(t, nil, nil)
	alice := mw.user("alice", models.MailNow)
	mw.reply(mw.user("bob", models.MailNow), mw.note(alice, "A note."), "A reply.")
	mw.smtp.setRefuse(100)
	w := mw.worker(mw.db)
	for range 6 {
		mw.run(w)
		mw.now = mw.now.Add(time.Hour)
	}
	row := mw.outbox(models.OutboxNote)[0]
	if row.State != models.OutboxFailed || row.Attempts != 4 {
		t.Fatalf("%+v", row)
	}
}

func TestACrashBetweenSendAndMarkSendsNothingTwice(t *testing.T) {
	mw := newMailWorld(t, nil, nil)
	alice := mw.user("alice", models.MailNow)
	mw.reply(mw.user("bob", models.MailNow), mw.note(alice, "A note."), "A reply.")
	w := mw.worker(mw.db)
	w.afterSend = func(*models.OutboxMessage) error { return errStopped }
	if _, err := w.RunOnce(context.Background()); err != errStopped {
		t.Fatalf("the round went on: %v", err)
	}
	if row := mw.outbox(models.OutboxNote)[0]; row.State != models.OutboxSending {
		t.Fatalf("after the crash: %+v", row)
	}
	// Restarted, within the lease and after it: the message is not sent again.
	for _, later := range []time.Duration{time.Minute, 10 * time.Minute, time.Hour} {
		mw.now = mw.now.Add(later)
		mw.run(mw.worker(mw.db))
	}
	got := mw.to("alice@example.org")
	if len(got) != 1 {
		t.Fatalf("alice got %d messages after a crash between send and mark", len(got))
	}
	row := mw.outbox(models.OutboxNote)[0]
	if row.State != models.OutboxUnknown || !strings.Contains(row.LastError, "not sent again") {
		t.Fatalf("the crashed message: %+v", row)
	}
	// A worker that stops after claiming a message, before sending it,
	// loses nothing: the message goes back to the queue after the lease.
	carl := mw.user("carl", models.MailNow)
	mw.run(mw.worker(mw.db)) // carl's confirmation, confirmed already: dropped
	mw.reply(carl, mw.note(alice, "Another note."), "Another reply.")
	if claimed, err := models.ClaimOutbox(mw.db, "a worker that dies", mw.now, mw.now.Add(5*time.Minute), 10); err != nil || len(claimed) != 1 {
		t.Fatalf("claimed %d (%v)", len(claimed), err)
	}
	mw.run(mw.worker(mw.db))
	if n := len(mw.to("alice@example.org")); n != 1 {
		t.Fatalf("a message held by another worker's lease went: %d", n)
	}
	mw.now = mw.now.Add(6 * time.Minute)
	mw.run(mw.worker(mw.db))
	if n := len(mw.to("alice@example.org")); n != 2 {
		t.Fatalf("the claimed message was not sent after its lease: %d", n)
	}
	// An operator may resend the unknown one on purpose: the same Message-ID.
	if err := models.RequeueOutbox(mw.db, row.ID, mw.now); err != nil {
		t.Fatal(err)
	}
	mw.run(mw.worker(mw.db))
	got = mw.to("alice@example.org")
	if len(got) != 3 || got[0].Header.Get("Message-Id") != got[2].Header.Get("Message-Id") {
		t.Fatalf("the resend: %d messages", len(got))
	}
}

func TestSeveralInstancesSendEachMessageOnce(t *testing.T) {
	dbs := modeltest.OpenShared(t, 3)
	mw := newMailWorld(t, dbs[0], nil)
	bob := mw.user("bob", models.MailNow)
	const readers = 12
	for i := range readers {
		u := mw.user(fmt.Sprintf("reader%d", i), models.MailNow)
		mw.reply(bob, mw.note(u, "A note."), "A reply.")
	}
	var wg sync.WaitGroup
	for _, db := range dbs {
		w := mw.worker(db)
		w.Batch = 3
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 8 {
				if _, err := w.RunOnce(context.Background()); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for _, r := range mw.smtp.messages() {
		seen[parse(t, r).Header.Get("Message-Id")]++
	}
	if len(seen) != readers {
		t.Errorf("%d distinct messages, want %d", len(seen), readers)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s sent %d times", id, n)
		}
	}
}

func TestNoMessageRevealsANoteTheRecipientMayNotSee(t *testing.T) {
	mw := newMailWorld(t, nil, nil)
	w := mw.worker(mw.db)
	alice := mw.user("alice", models.MailNow)
	bob := mw.user("bob", models.MailNow)
	mod := mw.user("mod", models.MailNever)
	mw.setRole(mod, models.RoleModerator)
	note := mw.note(alice, "A note.")

	hidden := mw.reply(bob, note, "Hidden after it was queued.")
	if _, err := models.Decide(mw.db, mod, hidden.ID, models.ActionHide, "", mw.now); err != nil {
		t.Fatal(err)
	}
	deleted := mw.reply(bob, note, "Deleted after it was queued.")
	if err := models.DeleteAnnotation(mw.db, bob, deleted, mw.now); err != nil {
		t.Fatal(err)
	}
	mw.reply(bob, note, "Still visible.")
	mw.run(w)
	rows := mw.outbox(models.OutboxNote)
	if len(rows) != 3 {
		t.Fatalf("%d queued", len(rows))
	}
	for _, r := range rows[:2] {
		if r.State != models.OutboxDropped || !strings.Contains(r.LastError, "may no longer see") {
			t.Errorf("message %d: %s %q", r.ID, r.State, r.LastError)
		}
	}
	if len(mw.to("alice@example.org")) != 1 {
		t.Fatalf("alice got %d messages", len(mw.to("alice@example.org")))
	}

	// Alice stops wanting mail at once after one was queued: it does not go.
	mw.reply(bob, note, "Queued before alice changed her mind.")
	choose := func(mode models.MailMode) {
		if err := models.SaveMailChoice(mw.db, alice.ID, models.MailChoice{Replies: mode, Follows: models.MailDigest, Teaching: models.MailDigest}); err != nil {
			t.Fatal(err)
		}
	}
	choose(models.MailDigest)
	mw.run(w)
	rows = mw.outbox(models.OutboxNote)
	if last := rows[len(rows)-1]; last.State != models.OutboxDropped || len(mw.to("alice@example.org")) != 1 {
		t.Errorf("after alice chose the digest: %s %q", last.State, last.LastError)
	}
	choose(models.MailNow)

	// Her address changes: nothing goes to either address until the new one is confirmed.
	mw.reply(bob, note, "After the change of address.")
	if err := models.SetEmail(mw.db, alice, "alice@new.example", mw.now); err != nil {
		t.Fatal(err)
	}
	mw.run(w)
	rows = mw.outbox(models.OutboxNote)
	if last := rows[len(rows)-1]; last.State != models.OutboxDropped || last.LastError != "no confirmed address" {
		t.Errorf("after the change of address: %s %q", last.State, last.LastError)
	}
	if n := len(mw.to("alice@example.org")); n != 1 {
		t.Errorf("the old address got %d messages", n)
	}
	if got := mw.to("alice@new.example"); len(got) != 1 || !strings.Contains(got[0].Text, "/mail/confirm/") {
		t.Fatalf("the new address got %d messages, want only its confirmation", len(got))
	}
	mw.reply(bob, note, "Before the new address is confirmed.")
	if n := len(mw.outbox(models.OutboxNote)); n != len(rows) {
		t.Errorf("a reply to an unconfirmed address was queued")
	}
}

func TestAnAddressIsConfirmedBeforeAnythingElseIsSent(t *testing.T) {
	mw := newMailWorld(t, nil, nil)
	w := mw.worker(mw.db)
	fay, err := models.CreateUser(mw.db, models.NewUser{Username: "fay", Email: "fay@example.org", Password: "a long enough password"}, passhash.Fast)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.SaveMailChoice(mw.db, fay.ID, models.MailChoice{Replies: models.MailNow, Follows: models.MailDigest, Teaching: models.MailDigest}); err != nil {
		t.Fatal(err)
	}
	mw.reply(mw.user("gus", models.MailNow), mw.note(fay, "A note."), "A reply before confirmation.")
	mw.run(w)
	got := mw.to("fay@example.org")
	if len(got) != 1 || !strings.Contains(got[0].Subject, "Confirm") {
		t.Fatalf("fay got %d messages before confirming, want the confirmation alone", len(got))
	}
	text := got[0].Text
	i := strings.Index(text, "https://margin.example/mail/confirm/")
	if i < 0 {
		t.Fatalf("no link:\n%s", text)
	}
	token := strings.Fields(text[i+len("https://margin.example/mail/confirm/"):])[0]
	u, err := models.UserByConfirmToken(mw.db, siteKey, token, mw.now)
	if err != nil || u.ID != fay.ID {
		t.Fatalf("the link's token: %v", err)
	}
	if _, err := models.UserByConfirmToken(mw.db, siteKey, token, mw.now.Add(8*24*time.Hour)); err != models.ErrLinkExpired {
		t.Errorf("a week later the link still works: %v", err)
	}
	if _, err := models.UserByConfirmToken(mw.db, siteKey, token+"x", mw.now); err != models.ErrNotFound {
		t.Errorf("a forged token: %v", err)
	}
	mw.confirm(u)
	mw.reply(mw.user("hal", models.MailNow), mw.note(fay, "Another note."), "A reply after confirmation.")
	mw.run(w)
	if got := mw.to("fay@example.org"); len(got) != 2 || !strings.Contains(got[1].Text, "A reply after confirmation.") {
		t.Fatalf("after confirming fay got %d messages", len(got))
	}
}

func TestFeedbackIsMailedWithTheEducatorsWords(t *testing.T) {
	mw := newMailWorld(t, nil, nil)
	w := mw.worker(mw.db)
	teacher := mw.user("teacher", models.MailNever)
	mw.setRole(teacher, models.RoleEducator)
	class, err := models.CreateClass(mw.db, teacher, models.ClassInput{Name: "Seminar"}, mw.now)
	if err != nil {
		t.Fatal(err)
	}
	sam := mw.user("sam", models.MailNow)
	if err := models.JoinClass(mw.db, sam, class, mw.now); err != nil {
		t.Fatal(err)
	}
	note := mw.classNote(sam, class, "Sam's class note.", models.StatusPublished)
	if _, err := models.AddFeedback(mw.db, teacher, note, "Good point <b>but</b> cite it."); err != nil {
		t.Fatal(err)
	}
	mw.run(w)
	got := mw.to("sam@example.org")
	if len(got) != 1 {
		t.Fatalf("sam got %d messages", len(got))
	}
	if !strings.Contains(got[0].Subject, "teacher left feedback on your note") ||
		!strings.Contains(got[0].Text, "Good point <b>but</b> cite it.") || !strings.Contains(got[0].HTML, "Good point &lt;b&gt;but&lt;/b&gt; cite it.") {
		t.Fatalf("the feedback message:\n%s\n%s\n%s", got[0].Subject, got[0].Text, got[0].HTML)
	}
}

func TestAServerThatHangsUpAfterTheMessageIsNotSentItAgain(t *testing.T) {
	mw := newMailWorld(t, nil, nil)
	alice := mw.user("alice", models.MailNow)
	mw.reply(mw.user("bob", models.MailNow), mw.note(alice, "A note."), "A reply.")
	mw.smtp.mu.Lock()
	mw.smtp.hangUp = 1
	mw.smtp.mu.Unlock()
	w := mw.worker(mw.db)
	mw.run(w)
	row := mw.outbox(models.OutboxNote)[0]
	if row.State != models.OutboxUnknown {
		t.Fatalf("after the server hung up on the end of the message: %s %q", row.State, row.LastError)
	}
	mw.now = mw.now.Add(time.Hour)
	mw.run(w)
	if n := len(mw.to("alice@example.org")); n != 1 {
		t.Fatalf("the server got %d copies", n)
	}
}

func TestABannedUserIsSentNothing(t *testing.T) {
	mw, w, at := digestWorld(t)
	alice := mw.user("alice", models.MailNow)
	bob := mw.user("bob", models.MailNever)
	mod := mw.user("mod", models.MailNever)
	mw.setRole(mod, models.RoleModerator)
	if err := models.SetFollowing(mw.db, alice.ID, mw.doc.ID, 0, true, mw.now); err != nil {
		t.Fatal(err)
	}
	mw.sinceAnHourAgo(alice)
	note := mw.note(alice, "Alice's note.")
	mw.reply(bob, note, "A reply queued before the ban.")
	mw.note(bob, "A note for the digest of a followed document.")
	if _, err := models.Ban(mw.db, mod, alice.ID, nil, "spam", mw.now); err != nil {
		t.Fatal(err)
	}
	mw.run(w)
	mw.now = at.Add(time.Minute)
	mw.run(w)
	if got := mw.to("alice@example.org"); len(got) != 0 {
		t.Fatalf("a banned user got %d messages: %q", len(got), got[0].Subject)
	}
	for _, kind := range []models.OutboxKind{models.OutboxNote, models.OutboxDigest} {
		var rows []models.OutboxMessage
		for _, r := range mw.outbox(kind) {
			if r.UserID == alice.ID {
				rows = append(rows, r)
			}
		}
		if len(rows) != 1 || rows[0].State != models.OutboxDropped || rows[0].LastError != "the account is banned" {
			t.Errorf("%s: %+v", kind, rows)
		}
	}
}
