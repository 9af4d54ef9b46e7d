package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"margin/models"
)

// classCompose posts a note shared with the class through the composer,
// as a person would (signed form, time to write).
func (w *classWorld) classCompose(c *client, p int, body string) uint {
	w.ts.t.Helper()
	id, res := c.compose(w.doc, p, url.Values{"body": {body}, "visibility": {fmt.Sprintf("class:%d", w.class.ID)}})
	if id == 0 {
		w.ts.t.Fatalf("post a class note: %d\n%s", res.status, res.body)
	}
	return id
}

const queueBadge = `Moderation <span class="badge">1<span`

// A new student's first class note is held; the class's educator, and no
// site moderator outside the class, reviews it; approving it publishes it
// to the class, counts it for the assignment and lifts "hide until posted".
func TestClassEducatorsModerateTheirClassNotes(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{MinAnnotations: 1, HideUntilPosted: true})
	ts := w.ts
	ts.strictScreening()
	peer, peerU := w.student("peer")
	reading, _ := models.DocumentByID(ts.db, w.doc)
	if _, err := models.CreateAnnotation(ts.db, peerU, reading, models.AnnotationInput{Kind: models.KindComment,
		Body: "A published thought by the peer.", Passage: 2, QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &w.class.ID},
		models.StatusPublished); err != nil {
		t.Fatal(err)
	}
	stu, _ := w.student("newstudent")
	id := w.classCompose(stu, 1, "My first thought on this reading.")
	if ts.status(id) != models.StatusPending {
		t.Fatalf("the new student's first class note is %s, want pending", ts.status(id))
	}
	doc := fmt.Sprintf("/documents/%d", w.doc)
	mustNotContain(t, stu.get(doc).body, "A published thought by the peer.")
	mustContain(t, stu.get("/assignments").body, "Annotations 0/1")

	// Site moderators and admins outside the class see nothing of it.
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	admin, _ := ts.loggedIn("boss", models.RoleAdmin)
	for name, c := range map[string]*client{"moderator": mod, "admin": admin} {
		queue := c.get("/moderation")
		wantStatus(t, name+"'s queue", queue, http.StatusOK)
		mustNotContain(t, queue.body, "My first thought", queueBadge)
		mustNotContain(t, c.get("/").body, queueBadge)
		wantStatus(t, name+" opens the permalink", c.get(fmt.Sprintf("/annotations/%d", id)), http.StatusNotFound)
		wantStatus(t, name+" opens the item", c.get(fmt.Sprintf("/moderation/items/%d", id)), http.StatusNotFound)
		wantStatus(t, name+" approves", c.post(fmt.Sprintf("/moderation/items/%d", id), url.Values{"action": {"approve"}}), http.StatusNotFound)
	}
	if ts.status(id) != models.StatusPending {
		t.Fatalf("a moderator outside the class changed the note to %s", ts.status(id))
	}

	// The class's educator sees it, counted in the navigation, and approves it.
	mustContain(t, w.teacher.get("/").body, queueBadge)
	queue := w.teacher.get("/moderation")
	wantStatus(t, "the educator's queue", queue, http.StatusOK)
	mustContain(t, queue.body, "My first thought on this reading.", queueBadge, `<span class="tag tag--class">Class only</span>`)
	mustNotContain(t, queue.body, `href="/moderation/log"`, `href="/moderation/settings"`, `href="/moderation/users/`)
	wantStatus(t, "the educator opens the item", w.teacher.get(fmt.Sprintf("/moderation/items/%d", id)), http.StatusOK)
	mustContain(t, w.teacher.get(fmt.Sprintf("/annotations/%d", id)).body, "My first thought on this reading.")
	res := w.teacher.post(fmt.Sprintf("/moderation/items/%d", id), url.Values{"action": {"approve"}})
	wantStatus(t, "the educator approves", res, http.StatusSeeOther)
	if ts.status(id) != models.StatusPublished {
		t.Fatalf("after approval: %s", ts.status(id))
	}
	mustNotContain(t, w.teacher.get("/").body, queueBadge)

	mustContain(t, peer.get(doc).body, "My first thought on this reading.")
	mustContain(t, stu.get(doc).body, "A published thought by the peer.")
	mustContain(t, stu.get("/assignments").body, "Annotations 1/1", "Complete")
	wantStatus(t, "the moderator opens the approved permalink", mod.get(fmt.Sprintf("/annotations/%d", id)), http.StatusNotFound)
}

// An educator moderates only their own classes' notes: another class's
// and public notes are out of reach, even with a valid CSRF token, and so
// are bans, settings and the full log.
func TestClassEducatorsStayInTheirClass(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{})
	ts := w.ts
	ts.strictScreening()
	otherTeacher, otherTeacherU := ts.loggedIn("otherteacher", models.RoleEducator)
	other, err := models.CreateClass(ts.db, otherTeacherU, models.ClassInput{Name: "Other class"}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	outsider, outsiderU := ts.loggedIn("outsider", models.RoleReader)
	if err := models.JoinClass(ts.db, outsiderU, other, ts.now); err != nil {
		t.Fatal(err)
	}
	theirs, res := outsider.compose(w.doc, 1, url.Values{"body": {"Held in the other class."}, "visibility": {fmt.Sprintf("class:%d", other.ID)}})
	if theirs == 0 {
		t.Fatalf("post in the other class: %d", res.status)
	}
	newcomer, newcomerU := ts.loggedIn("newcomer", models.RoleReader)
	public, _ := newcomer.compose(w.doc, 2, url.Values{"body": {"Held in public."}})
	if ts.status(theirs) != models.StatusPending || ts.status(public) != models.StatusPending {
		t.Fatalf("not held: %s, %s", ts.status(theirs), ts.status(public))
	}
	// The other class's educator rejects its note, so there is a decision to undo.
	mustContain(t, otherTeacher.get("/moderation").body, "Held in the other class.")
	wantStatus(t, "the other educator rejects", otherTeacher.post(fmt.Sprintf("/moderation/items/%d", theirs),
		url.Values{"action": {"reject"}}), http.StatusSeeOther)
	decisions, _ := models.DecisionsAbout(ts.db, theirs)
	mod, modU := ts.loggedIn("moddy", models.RoleModerator)
	mod.get("/moderation")
	mod.post(fmt.Sprintf("/moderation/users/%d/ban", newcomerU.ID), url.Values{"duration": {"1d"}})
	about, _ := models.DecisionsAboutUser(ts.db, modU, newcomerU.ID, 10)
	var ban *models.Decision
	for i := range about {
		if about[i].Action == models.ActionBan {
			ban = &about[i]
		}
	}
	if ban == nil {
		t.Fatal("no ban to undo")
	}
	mod.post(fmt.Sprintf("/moderation/users/%d/unban", newcomerU.ID), nil)

	teacher := w.teacher
	teacher.get("/moderation")
	mustNotContain(t, teacher.get("/moderation/removed").body, "Held in the other class.")
	mustNotContain(t, teacher.get("/moderation/spam").body, "Held in public.")
	for _, id := range []uint{theirs, public} {
		wantStatus(t, "open another's note", teacher.get(fmt.Sprintf("/moderation/items/%d", id)), http.StatusNotFound)
		wantStatus(t, "claim another's note", teacher.post(fmt.Sprintf("/moderation/items/%d/claim", id), nil), http.StatusNotFound)
		wantStatus(t, "approve another's note", teacher.post(fmt.Sprintf("/moderation/items/%d", id),
			url.Values{"action": {"approve"}}), http.StatusNotFound)
		teacher.post("/moderation/bulk", url.Values{"action": {"approve"}, "ids": {fmt.Sprint(id)}})
	}
	wantStatus(t, "undo another class's decision", teacher.post(fmt.Sprintf("/moderation/log/%d/undo", decisions[0].ID), nil), http.StatusForbidden)
	wantStatus(t, "undo a ban", teacher.post(fmt.Sprintf("/moderation/log/%d/undo", ban.ID), nil), http.StatusForbidden)
	if ts.status(theirs) != models.StatusRejected || ts.status(public) != models.StatusSpam {
		t.Errorf("another's notes changed: %s, %s", ts.status(theirs), ts.status(public))
	}

	// Bans, settings, the full log and the thread's Hide button: site moderators only.
	form := url.Values{"action": {"hide"}, "duration": {"forever"}, "on": {"1"}, "hold": {"x"}}
	for _, p := range moderationPaths(ts, theirs, newcomerU.ID, ban.ID) {
		if !siteModeratorsOnly(p[1]) {
			continue
		}
		var res response
		if p[0] == http.MethodGet {
			res = teacher.get(p[1])
		} else {
			res = teacher.post(p[1], form)
		}
		if res.status != http.StatusForbidden {
			t.Errorf("educator %s %s: %d, want 403", p[0], p[1], res.status)
		}
	}
	if u, _ := models.UserByID(ts.db, newcomerU.ID); u.BannedUntil != nil && u.IsBanned(ts.now) {
		t.Error("an educator banned someone")
	}
	if s, _ := models.ReadScreenSettings(ts.db, 0); s.Site {
		t.Error("an educator put the site on pre-moderation")
	}
}

// siteModeratorsOnly names the moderation routes an educator may not use.
func siteModeratorsOnly(path string) bool {
	return path == "/moderation/log" || strings.HasPrefix(path, "/moderation/users/") ||
		strings.HasPrefix(path, "/moderation/settings") || strings.HasSuffix(path, "/moderate")
}

// The navigation's count is exact for an educator on cached document
// pages too, even of another document: a note held in their class changes
// the page's key.
func TestClassQueueCountOnCachedPages(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{})
	w.ts.strictScreening()
	stu, _ := w.student("newstudent")
	docs, _ := models.ListDocuments(w.ts.db)
	other := docs[0].ID
	if other == w.doc {
		other = docs[1].ID
	}
	page := fmt.Sprintf("/documents/%d", other)
	mustNotContain(t, w.teacher.get(page).body, queueBadge)
	w.classCompose(stu, 1, "Held for the educator.")
	mustContain(t, w.teacher.get(page).body, queueBadge)
}
