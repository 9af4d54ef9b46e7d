package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"margin/models"
)

// Undoing a decision is deciding again: whoever may not decide on a note,
// its author first of all, may not undo a decision on it either (issue 10,
// item 4).
func TestUndoFollowsTheRulesOfDeciding(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{})
	ts := w.ts
	doc, err := models.DocumentByID(ts.db, w.doc)
	if err != nil {
		t.Fatal(err)
	}
	judge, _ := ts.loggedIn("judge", models.RoleModerator)
	author, authorU := ts.loggedIn("judged", models.RoleModerator)
	assistant, assistantU := w.student("assistant")
	if _, err := models.AddEducator(ts.db, w.class, "assistant", ts.now); err != nil {
		t.Fatal(err)
	}
	public, err := models.CreateAnnotation(ts.db, authorU, doc, models.AnnotationInput{Kind: models.KindComment,
		Body: "A moderator's own note.", Passage: 1, QuoteHint: -1}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	classNote, err := models.CreateAnnotation(ts.db, assistantU, doc, models.AnnotationInput{Kind: models.KindComment,
		Body: "A co-educator's own class note.", Passage: 1, QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &w.class.ID},
		models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what          string
		decider, self *client
		note          uint
	}{
		{"a moderator", judge, author, public.ID},
		{"a class's educator", w.teacher, assistant, classNote.ID},
	} {
		c.decider.get("/moderation")
		wantStatus(t, c.what+" rejects", c.decider.post(fmt.Sprintf("/moderation/items/%d", c.note), url.Values{"action": {"reject"}}), http.StatusSeeOther)
		decisions, err := models.DecisionsAbout(ts.db, c.note)
		if err != nil || len(decisions) != 1 {
			t.Fatalf("the decision: %v %v", decisions, err)
		}
		if c.self == author {
			mustNotContain(t, c.self.get("/moderation/log").body, fmt.Sprintf(`action="/moderation/log/%d/undo"`, decisions[0].ID))
			mustContain(t, c.decider.get("/moderation/log").body, fmt.Sprintf(`action="/moderation/log/%d/undo"`, decisions[0].ID))
		}
		c.self.get("/moderation")
		res := c.self.post(fmt.Sprintf("/moderation/items/%d", c.note), url.Values{"action": {"approve"}})
		wantStatus(t, "its author approves", res, http.StatusForbidden)
		res = c.self.post(fmt.Sprintf("/moderation/log/%d/undo", decisions[0].ID), nil)
		wantStatus(t, "its author undoes "+c.what+"'s rejection", res, http.StatusForbidden)
		mustContain(t, res.body, "You cannot decide on your own note")
		if ts.status(c.note) != models.StatusRejected {
			t.Errorf("after its author's undo the note is %s", ts.status(c.note))
		}
		// The one who decided still may.
		wantStatus(t, c.what+" undoes", c.decider.post(fmt.Sprintf("/moderation/log/%d/undo", decisions[0].ID), nil), http.StatusSeeOther)
		if ts.status(c.note) != models.StatusPublished {
			t.Errorf("after the undo the note is %s", ts.status(c.note))
		}
	}
}

// Adding to the library takes the right to import, whatever form the text
// comes through: a reader made a class's co-educator may assign readings
// from the library, not paste new ones into it (issue 10, item 5).
func TestAssignmentImportNeedsTheRightToImport(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{})
	ts := w.ts
	assistant, _ := w.student("assistant")
	if _, err := models.AddEducator(ts.db, w.class, "assistant", ts.now); err != nil {
		t.Fatal(err)
	}
	count := func() int64 {
		var n int64
		if err := ts.db.Model(&models.Document{}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	path := fmt.Sprintf("/classes/%d/assignments", w.class.ID)
	form := wantStatusBody(t, "the co-educator's form", assistant.get(path+"/new"), http.StatusOK)
	mustNotContain(t, form, `name="content"`, `name="file"`)
	fields := url.Values{"zone": {"UTC"}, "due_at": {"2030-01-01T00:00"}, "min_annotations": {"1"},
		"content": {"A reading the co-educator pasted.\n\nIts second paragraph."}}
	res := assistant.upload(path, fields, "", "", nil)
	wantStatus(t, "the co-educator pastes a reading", res, http.StatusForbidden)
	res = assistant.upload(path, fields, "file", "reading.txt", []byte("An uploaded reading.\n\nA second paragraph."))
	wantStatus(t, "the co-educator uploads a reading", res, http.StatusForbidden)
	if n := count(); n != before {
		t.Fatalf("the library grew from %d to %d documents", before, n)
	}
	// The class's educator, who may import, still can.
	w.teacher.get(path + "/new")
	wantStatus(t, "the educator pastes a reading", w.teacher.upload(path, fields, "", "", nil), http.StatusSeeOther)
	if n := count(); n != before+1 {
		t.Fatalf("the educator's reading: %d documents, want %d", n, before+1)
	}
}

func wantStatusBody(t *testing.T, what string, res response, status int) string {
	t.Helper()
	wantStatus(t, what, res, status)
	return res.body
}

// An author's record counts what the moderator reading it may see: notes
// shared with a class the moderator is not in are not counted, in the
// record or beside the author's notes in the queues (issue 10, item 6).
func TestAuthorRecordCountsOnlyWhatTheModeratorMaySee(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{})
	ts := w.ts
	doc, err := models.DocumentByID(ts.db, w.doc)
	if err != nil {
		t.Fatal(err)
	}
	_, student := w.student("learner")
	post := func(body string, vis models.Visibility, status models.Status) uint {
		in := models.AnnotationInput{Kind: models.KindComment, Body: body, Passage: 1, QuoteHint: -1, Visibility: vis}
		if vis == models.VisibilityClass {
			in.ClassID = &w.class.ID
		}
		a, err := models.CreateAnnotation(ts.db, student, doc, in, status)
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	post("An approved class note.", models.VisibilityClass, models.StatusPublished)
	post("A held class note.", models.VisibilityClass, models.StatusPending)
	post("A private note.", models.VisibilityPrivate, models.StatusPublished)
	heldPublic := post("A held public note.", models.VisibilityPublic, models.StatusPending)
	outside, _ := ts.loggedIn("outsidemod", models.RoleModerator)
	inside, insideU := w.student("insidemod")
	if err := ts.db.Model(insideU).Update("role", models.RoleModerator).Error; err != nil {
		t.Fatal(err)
	}
	record := fmt.Sprintf("/moderation/users/%d", student.ID)
	mustContain(t, wantStatusBody(t, "the outside moderator's record", outside.get(record), http.StatusOK),
		"0 approved, 1 pending, 0 spam")
	mustContain(t, wantStatusBody(t, "the class's moderator's record", inside.get(record), http.StatusOK),
		"1 approved, 2 pending, 0 spam")
	// The queue and the note under review show the same record.
	mustContain(t, outside.get("/moderation").body, "A held public note.", "0 approved, trusted at")
	mustContain(t, inside.get("/moderation").body, "1 approved, trusted at")
	item := fmt.Sprintf("/moderation/items/%d", heldPublic)
	mustContain(t, outside.get(item).body, "0 approved, 1 pending, 0 spam")
	mustContain(t, inside.get(item).body, "1 approved, 2 pending, 0 spam")
}

// A viewer's ETag names what that viewer sees: someone else's private,
// class or held note leaves an outsider's page, and so its ETag, as it
// was; a note the outsider can see changes both (issue 10, item 7).
func TestETagChangesOnlyWithWhatTheViewerSees(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{})
	ts := w.ts
	doc, err := models.DocumentByID(ts.db, w.doc)
	if err != nil {
		t.Fatal(err)
	}
	_, student := w.student("learner")
	outsider, _ := ts.loggedIn("outsider", models.RoleReader)
	path := fmt.Sprintf("/documents/%d", w.doc)
	revalidate := func(c *client, etag string) response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		req.Header.Set("If-None-Match", etag)
		return c.do(req)
	}
	for _, viewer := range []struct {
		name string
		c    *client
	}{{"outsider", outsider}, {"visitor", ts.client()}} {
		first := viewer.c.get(path)
		etag := first.header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", viewer.name)
		}
		for _, n := range []struct {
			what   string
			vis    models.Visibility
			status models.Status
		}{
			{"private", models.VisibilityPrivate, models.StatusPublished},
			{"class", models.VisibilityClass, models.StatusPublished},
			{"held", models.VisibilityPublic, models.StatusPending},
		} {
			in := models.AnnotationInput{Kind: models.KindComment, Body: "Unseen " + n.what + " note for " + viewer.name,
				Passage: 1, QuoteHint: -1, Visibility: n.vis}
			if n.vis == models.VisibilityClass {
				in.ClassID = &w.class.ID
			}
			if _, err := models.CreateAnnotation(ts.db, student, doc, in, n.status); err != nil {
				t.Fatal(err)
			}
			if res := revalidate(viewer.c, etag); res.status != http.StatusNotModified {
				t.Errorf("%s after someone's %s note: status %d, ETag %s (was %s)", viewer.name, n.what, res.status, res.header.Get("ETag"), etag)
			}
		}
		if _, err := models.CreateAnnotation(ts.db, student, doc, models.AnnotationInput{Kind: models.KindComment,
			Body: "A public note for " + viewer.name, Passage: 1, QuoteHint: -1}, models.StatusPublished); err != nil {
			t.Fatal(err)
		}
		res := revalidate(viewer.c, etag)
		wantStatus(t, viewer.name+" after a public note", res, http.StatusOK)
		mustContain(t, res.body, "A public note for "+viewer.name)
	}
}

// "Hide classmates until I post" hides a classmate's note whole: the
// replies under it, an educator's too, are not shown under a placeholder,
// nor on their own, nor counted; an educator's own thread stays, less the
// classmate's branch (issue 10, item 8).
func TestHiddenClassmateNoteHidesItsWholeBranch(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{HideUntilPosted: true})
	early, _ := w.student("early")
	late, _ := w.student("late")
	reply := func(c *client, parent uint, body string) uint {
		t.Helper()
		c.get(fmt.Sprintf("/annotations/%d", parent))
		res := c.post(fmt.Sprintf("/annotations/%d/replies", parent), url.Values{"kind": {"comment"}, "body": {body}})
		wantStatus(t, "reply", res, http.StatusSeeOther)
		var id uint
		fmt.Sscanf(res.header.Get("Location"), "/annotations/%d", &id)
		return id
	}
	classmate := w.classNote(early, 2, "question", "A classmate question.")
	answer := reply(w.teacher, classmate, "The educator answer to it.")
	deeper := reply(early, answer, "The classmate thanks.")
	lecture := w.classNote(w.teacher, 4, "context", "The educator own note.")
	branch := reply(early, lecture, "A classmate reply to the educator.")
	under := reply(w.teacher, branch, "The educator answering the classmate reply.")
	sibling := reply(w.teacher, lecture, "The educator adding to their note.")

	page := late.get(fmt.Sprintf("/documents/%d", w.doc)).body
	mustNotContain(t, page, "A classmate question.", "The educator answer to it.", "The classmate thanks.",
		"A classmate reply to the educator.", "The educator answering the classmate reply.",
		"This annotation is not available.")
	mustContain(t, page, "The educator own note.", "The educator adding to their note.")
	mustNotContain(t, passageSection(page, 2), "1 note", "2 notes", "3 notes")
	mustContain(t, passageSection(page, 4), "2 notes")
	for _, id := range []uint{classmate, answer, deeper, branch, under} {
		if res := late.get(fmt.Sprintf("/annotations/%d", id)); res.status != http.StatusNotFound {
			t.Errorf("the hidden branch's note %d: status %d", id, res.status)
		}
	}
	thread := wantStatusBody(t, "the educator's thread", late.get(fmt.Sprintf("/annotations/%d", sibling)), http.StatusOK)
	mustNotContain(t, thread, "A classmate reply to the educator.", "The educator answering the classmate reply.")
	profile := late.get("/users/teacher").body
	mustNotContain(t, profile, "The educator answer to it.", "The educator answering the classmate reply.")
	mustContain(t, profile, "The educator own note.")

	// Once the student has posted, the whole of it shows.
	w.classNote(late, 3, "comment", "My own view.")
	mustContain(t, late.get(fmt.Sprintf("/documents/%d", w.doc)).body, "A classmate question.", "The educator answer to it.",
		"The classmate thanks.", "The educator answering the classmate reply.")
}

// A held note opens at its permalink for its author and for those who may
// decide on it, marked as awaiting review, and for no one else; it stays
// off the document's page, even for moderators (issue 10, item 10).
func TestHeldNotePermalinkIsForItsAuthorAndItsModerators(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{})
	ts := w.ts
	doc, err := models.DocumentByID(ts.db, w.doc)
	if err != nil {
		t.Fatal(err)
	}
	author, authorU := w.student("heldauthor")
	reader, _ := ts.loggedIn("reader", models.RoleReader)
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	admin, _ := ts.loggedIn("boss", models.RoleAdmin)
	held := func(body string, class bool) uint {
		in := models.AnnotationInput{Kind: models.KindComment, Body: body, Passage: 1, QuoteHint: -1}
		if class {
			in.Visibility, in.ClassID = models.VisibilityClass, &w.class.ID
		}
		a, err := models.CreateAnnotation(ts.db, authorU, doc, in, models.StatusPending)
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	public := held("A held public note.", false)
	class := held("A held class note.", true)
	for _, c := range []struct {
		who             string
		c               *client
		public, inClass bool
	}{
		{"author", author, true, true},
		{"moderator", mod, true, false},
		{"admin", admin, true, false},
		{"class educator", w.teacher, false, true},
		{"reader", reader, false, false},
		{"visitor", ts.client(), false, false},
	} {
		for _, n := range []struct {
			id   uint
			body string
			want bool
		}{{public, "A held public note.", c.public}, {class, "A held class note.", c.inClass}} {
			res := c.c.get(fmt.Sprintf("/annotations/%d", n.id))
			if !n.want {
				wantStatus(t, c.who+" opens "+n.body, res, http.StatusNotFound)
				mustNotContain(t, res.body, n.body)
				continue
			}
			wantStatus(t, c.who+" opens "+n.body, res, http.StatusOK)
			mustContain(t, res.body, n.body, "Awaiting review")
		}
		page := c.c.get(fmt.Sprintf("/documents/%d", w.doc)).body
		if c.who != "author" {
			mustNotContain(t, page, "A held public note.", "A held class note.")
		}
	}
}
