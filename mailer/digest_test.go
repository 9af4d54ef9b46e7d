package mailer

import (
	"strings"
	"testing"
	"time"

	"margin/models"
)

// digestWorld has an hour before the next digest hour: what the test
// writes now falls in the window of the digest sent at that hour.
func digestWorld(t *testing.T) (*mailWorld, *Worker, time.Time) {
	mw := newMailWorld(t, nil, nil)
	w := mw.worker(mw.db)
	w.DigestHour = (mw.now.Hour() + 2) % 24
	at := time.Date(mw.now.Year(), mw.now.Month(), mw.now.Day(), w.DigestHour, 0, 0, 0, time.UTC)
	if at.Before(mw.now) {
		at = at.AddDate(0, 0, 1)
	}
	return mw, w, at
}

// sinceAnHourAgo moves the start of u's next digest an hour back, to
// before the notes the test writes (the world's clock runs a minute ahead).
func (mw *mailWorld) sinceAnHourAgo(u *models.User) {
	mw.t.Helper()
	if err := mw.db.Model(&models.MailSettings{}).Where("user_id = ?", u.ID).
		Update("digest_through", mw.now.Add(-time.Hour)).Error; err != nil {
		mw.t.Fatal(err)
	}
}

func (mw *mailWorld) classNote(author *models.User, class *models.Class, body string, status models.Status) *models.Annotation {
	mw.t.Helper()
	a, err := models.CreateAnnotation(mw.db, author, mw.doc, models.AnnotationInput{Kind: models.KindComment, Body: body,
		Passage: 1, QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &class.ID}, status)
	if err != nil {
		mw.t.Fatal(err)
	}
	return a
}

func TestTheDailyDigestGroupsWhatTheReaderMaySee(t *testing.T) {
	mw, w, at := digestWorld(t)
	alice := mw.user("alice", models.MailDigest)
	bob := mw.user("bob", models.MailNow)
	carol := mw.user("carol", models.MailNever)
	erin := mw.user("erin", models.MailNever)
	teacher := mw.user("teacher", models.MailNever)
	mw.setRole(teacher, models.RoleEducator)
	mine, err := models.CreateClass(mw.db, teacher, models.ClassInput{Name: "Alice's class"}, mw.now)
	if err != nil {
		t.Fatal(err)
	}
	other, err := models.CreateClass(mw.db, teacher, models.ClassInput{Name: "Another class"}, mw.now)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range []struct {
		u *models.User
		c *models.Class
	}{{alice, mine}, {erin, mine}, {carol, other}} {
		if err := models.JoinClass(mw.db, j.u, j.c, mw.now); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct{ doc, class uint }{{mw.doc.ID, 0}, {0, mine.ID}, {0, other.ID}} {
		if err := models.SetFollowing(mw.db, alice.ID, f.doc, f.class, true, mw.now); err != nil {
			t.Fatal(err)
		}
	}
	mw.sinceAnHourAgo(alice)

	note := mw.note(alice, "Alice's own note.")
	mw.reply(bob, note, "Bob's reply to alice.")
	mw.note(bob, "Bob's public note on the followed document.")
	mw.classNote(erin, mine, "Erin's note for alice's class.", models.StatusPublished)
	// What alice may not see: another class's note (a follow of a class she
	// is not in shows nothing), a private note, a hidden one, a held one.
	mw.classNote(carol, other, "SECRET another class's note.", models.StatusPublished)
	if _, err := models.CreateAnnotation(mw.db, bob, mw.doc, models.AnnotationInput{Kind: models.KindComment,
		Body: "SECRET bob's private note.", Passage: 1, QuoteHint: -1, Visibility: models.VisibilityPrivate}, models.StatusPublished); err != nil {
		t.Fatal(err)
	}
	hidden := mw.note(bob, "SECRET hidden after it was written.")
	if err := models.SetAnnotationStatus(mw.db, hidden, models.StatusHidden); err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateAnnotation(mw.db, bob, mw.doc, models.AnnotationInput{Kind: models.KindComment,
		Body: "SECRET held for review.", Passage: 1, QuoteHint: -1}, models.StatusPending); err != nil {
		t.Fatal(err)
	}

	// Before the hour: no digest.
	mw.run(w)
	if got := mw.to("alice@example.org"); len(got) != 0 {
		t.Fatalf("alice got %d messages before the digest hour", len(got))
	}
	mw.now = at.Add(time.Minute)
	mw.run(w)
	got := mw.to("alice@example.org")
	if len(got) != 1 {
		t.Fatalf("alice got %d digests", len(got))
	}
	d := got[0]
	// Each note once, in its first part: the reply under replies, bob's
	// note under the document, erin's under the document too (it is on it).
	for _, part := range []struct{ body, q string }{{d.Text, "'"}, {d.HTML, "&#39;"}} {
		for _, want := range []string{"Replies and mentions", "bob replied to your note", "Bob's reply to alice.",
			"New on ", "The Short-lived NATO-Russia Honeymoon", "(2)", "Bob's public note on the followed document.",
			"Erin's note for alice's class.", "Stop the daily digest"} {
			if want = strings.ReplaceAll(want, "'", part.q); !strings.Contains(part.body, want) {
				t.Errorf("the digest lacks %q:\n%s", want, part.body)
			}
		}
		for _, once := range []string{"Bob's reply to alice.", "Erin's note for alice's class."} {
			if n := strings.Count(part.body, strings.ReplaceAll(once, "'", part.q)); n != 1 {
				t.Errorf("%q is told of %d times", once, n)
			}
		}
		if strings.Contains(part.body, "Alice"+part.q+"s class") {
			t.Errorf("the class's part is there with nothing new in it:\n%s", part.body)
		}
		if strings.Contains(part.body, "SECRET") || strings.Contains(part.body, "own note") {
			t.Errorf("the digest reveals what it must not:\n%s", part.body)
		}
	}
	if !strings.Contains(d.Subject, "1 reply or mention") || !strings.Contains(d.Subject, "2 new notes you follow") {
		t.Errorf("Subject %q", d.Subject)
	}
	token := strings.TrimSuffix(strings.TrimPrefix(d.Header.Get("List-Unsubscribe"), "<https://margin.example/mail/unsubscribe/"), ">")
	if uid, list, err := models.ParseUnsubscribeToken(siteKey, token); err != nil || uid != alice.ID || list != models.ListDigest {
		t.Errorf("the digest's unsubscribe token: user %d, list %q (%v)", uid, list, err)
	}
	// Bob asked for replies at once and follows nothing: no digest for him
	// (there was nothing for it), and no mention of alice's own note.
	if n := len(mw.to("bob@example.org")); n != 0 {
		t.Errorf("bob got %d messages", n)
	}

	// Later the same day, and with a second instance planning too: one digest a day.
	mw.now = mw.now.Add(3 * time.Hour)
	mw.run(w)
	mw.run(mw.worker(mw.db))
	if n := len(mw.to("alice@example.org")); n != 1 {
		t.Fatalf("alice got %d digests in a day", n)
	}
	// The next day, with nothing new: nothing is sent.
	mw.now = mw.now.Add(24 * time.Hour)
	mw.run(w)
	if n := len(mw.to("alice@example.org")); n != 1 {
		t.Fatalf("an empty digest was sent")
	}
	if rows := mw.outbox(models.OutboxDigest); rows[len(rows)-1].State != models.OutboxDropped {
		t.Errorf("the empty digest: %+v", rows[len(rows)-1])
	}
}

func TestEducatorsGetTheirClassesNewWorkAndTheirQueue(t *testing.T) {
	mw, w, at := digestWorld(t)
	teacher := mw.user("teacher", models.MailNever)
	mw.setRole(teacher, models.RoleEducator)
	class, err := models.CreateClass(mw.db, teacher, models.ClassInput{Name: "Seminar"}, mw.now)
	if err != nil {
		t.Fatal(err)
	}
	students := []*models.User{mw.user("sam", models.MailNever), mw.user("sue", models.MailNever)}
	for _, s := range students {
		if err := models.JoinClass(mw.db, s, class, mw.now); err != nil {
			t.Fatal(err)
		}
	}
	reader := mw.user("reader", models.MailNever)
	mw.sinceAnHourAgo(teacher)
	mw.sinceAnHourAgo(reader)
	mw.classNote(students[0], class, "Sam's first note.", models.StatusPublished)
	mw.classNote(students[1], class, "Sue's note.", models.StatusPublished)
	mw.classNote(students[1], class, "Sue's note waiting for review.", models.StatusPending)
	mw.note(students[0], "A public note, not class work.")

	mw.now = at.Add(time.Minute)
	mw.run(w)
	got := mw.to("teacher@example.org")
	if len(got) != 1 {
		t.Fatalf("the teacher got %d digests", len(got))
	}
	text := got[0].Text
	for _, want := range []string{"Your classes", "Seminar: 2 new notes", "Sam's first note.", "Sue's note.",
		"1 note waits in your moderation queue: https://margin.example/moderation"} {
		if !strings.Contains(text, want) {
			t.Errorf("the educator's digest lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "waiting for review.") || strings.Contains(text, "not class work") {
		t.Errorf("the educator's digest lists a held or a public note:\n%s", text)
	}
	// A reader who teaches nothing and follows nothing gets no digest;
	// an educator who turned the summary off neither.
	if n := len(mw.to("reader@example.org")); n != 0 {
		t.Errorf("a reader got %d digests", n)
	}
	if err := models.SaveMailChoice(mw.db, teacher.ID, models.MailChoice{Replies: models.MailNever, Follows: models.MailNever, Teaching: models.MailNever}); err != nil {
		t.Fatal(err)
	}
	mw.classNote(students[0], class, "Sam's second note.", models.StatusPublished)
	mw.now = mw.now.Add(24 * time.Hour)
	mw.run(w)
	if n := len(mw.to("teacher@example.org")); n != 1 {
		t.Errorf("after turning the summary off the teacher got %d digests", n)
	}
}

// The digest of a followed document or class keeps to what the student may
// see: nothing by classmates on a reading that hides them until the
// student has posted (until they post), and nothing of a class they left.
func TestTheDigestKeepsClassmatesHiddenAndAClassLeftOut(t *testing.T) {
	mw, w, at := digestWorld(t)
	sam := mw.user("sam", models.MailNever)
	tess := mw.user("tess", models.MailNever)
	leo := mw.user("leo", models.MailNever)
	teacher := mw.user("teacher", models.MailNever)
	mw.setRole(teacher, models.RoleEducator)
	hiding, err := models.CreateClass(mw.db, teacher, models.ClassInput{Name: "Post first"}, mw.now)
	if err != nil {
		t.Fatal(err)
	}
	left, err := models.CreateClass(mw.db, teacher, models.ClassInput{Name: "Left class"}, mw.now)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range []struct {
		u *models.User
		c *models.Class
	}{{sam, hiding}, {tess, hiding}, {sam, left}, {leo, left}} {
		if err := models.JoinClass(mw.db, j.u, j.c, mw.now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.CreateAssignment(mw.db, teacher, hiding.ID, models.AssignmentInput{DocumentID: mw.doc.ID, Zone: "UTC",
		DueAt: mw.now.Add(7 * 24 * time.Hour).Format(models.LocalTimeLayout), MinAnnotations: 1, HideUntilPosted: true}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ doc, class uint }{{mw.doc.ID, 0}, {0, hiding.ID}, {0, left.ID}} {
		if err := models.SetFollowing(mw.db, sam.ID, f.doc, f.class, true, mw.now); err != nil {
			t.Fatal(err)
		}
	}
	mw.sinceAnHourAgo(sam)
	mw.classNote(tess, hiding, "SECRET tess's class note before sam posts.", models.StatusPublished)
	mw.note(tess, "SECRET tess's public note before sam posts.")
	mw.classNote(leo, left, "SECRET leo's note in the class sam left.", models.StatusPublished)
	mw.note(teacher, "The teacher's public note.")
	if err := models.LeaveClass(mw.db, left.ID, sam.ID, mw.now); err != nil {
		t.Fatal(err)
	}
	mw.now = at.Add(time.Minute)
	mw.run(w)
	got := mw.to("sam@example.org")
	if len(got) != 1 {
		t.Fatalf("sam got %d digests", len(got))
	}
	for _, body := range []string{got[0].Text, got[0].HTML, got[0].Subject} {
		if strings.Contains(body, "SECRET") || strings.Contains(body, "Left class") {
			t.Errorf("the digest reveals what sam may not see:\n%s", body)
		}
	}
	if !strings.Contains(got[0].Text, "The teacher") || !strings.Contains(got[0].Subject, "1 new note you follow") {
		t.Errorf("the digest lacks the teacher's note (%q):\n%s", got[0].Subject, got[0].Text)
	}
}

// A note held for review and published a day later is told of in the
// digest of the day it was published, not lost in the window it was
// written in, when no one could see it; and once only.
func TestANoteApprovedLaterIsInTheDigestOfItsPublication(t *testing.T) {
	mw, w, at := digestWorld(t)
	alice := mw.user("alice", models.MailNever)
	bob := mw.user("bob", models.MailNever)
	mod := mw.user("mod", models.MailNever)
	mw.setRole(mod, models.RoleModerator)
	if err := models.SetFollowing(mw.db, alice.ID, mw.doc.ID, 0, true, mw.now); err != nil {
		t.Fatal(err)
	}
	mw.sinceAnHourAgo(alice)
	held, err := models.CreateAnnotation(mw.db, bob, mw.doc, models.AnnotationInput{Kind: models.KindComment,
		Body: "Held for review, approved the next day.", Passage: 1, QuoteHint: -1}, models.StatusPending)
	if err != nil {
		t.Fatal(err)
	}
	mw.note(bob, "Published at once.")
	mw.now = at.Add(time.Minute)
	mw.run(w)
	got := mw.to("alice@example.org")
	if len(got) != 1 || strings.Contains(got[0].Text, "Held for review") || !strings.Contains(got[0].Text, "Published at once.") {
		t.Fatalf("the first digest (%d): %v", len(got), got)
	}
	// Approved after the first digest's window closed: in the next one.
	if _, err := models.Decide(mw.db, mod, held.ID, models.ActionApprove, "", mw.now); err != nil {
		t.Fatal(err)
	}
	mw.now = at.Add(24*time.Hour + time.Minute)
	mw.run(w)
	got = mw.to("alice@example.org")
	if len(got) != 2 || !strings.Contains(got[1].Text, "Held for review, approved the next day.") || strings.Contains(got[1].Text, "Published at once.") {
		t.Fatalf("the second digest (%d of them): %v", len(got), got)
	}
}
