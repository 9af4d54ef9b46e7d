package handlers

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"margin/models"
)

// privacyWorld has two classes, each with an educator and a student, a class
// note in class A that mentions people in and out of it, and a reply to it.
type privacyWorld struct {
	*classWorld
	actors  map[string]*client
	student *models.User
	note    uint // class A's note, by its student
	reply   uint
	secret  string
}

// The actors of the matrix. "member" is class A's student, "educator" its
// teacher; "other" is the student of class B; "outsider" is in no class;
// "admin" and "moderator" are site staff outside class A.
var privacyActors = []string{"educator", "member", "other", "outsider", "admin", "moderator", "anonymous"}

func newPrivacyWorld(t *testing.T) *privacyWorld {
	t.Helper()
	w := &privacyWorld{classWorld: newClassWorld(t, models.AssignmentInput{}), secret: "Classified thought about Yeltsin"}
	ts := w.ts
	member, mu := w.classWorld.student("member")
	w.student = mu
	other, ou := ts.loggedIn("other", models.RoleReader)
	bTeacher := ts.createUser("bteacher", models.RoleEducator)
	classB, err := models.CreateClass(ts.db, bTeacher, models.ClassInput{Name: "Class B"}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.JoinClass(ts.db, ou, classB, ts.now); err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateAssignment(ts.db, bTeacher, classB.ID, models.AssignmentInput{DocumentID: w.doc, Zone: "UTC",
		DueAt: "2030-01-01T00:00", MinAnnotations: 1}); err != nil {
		t.Fatal(err)
	}
	outsider, _ := ts.loggedIn("outsider", models.RoleReader)
	admin, _ := ts.loggedIn("admin", models.RoleAdmin)
	moderator, _ := ts.loggedIn("moderator", models.RoleModerator)
	w.actors = map[string]*client{"educator": w.teacher, "member": member, "other": other, "outsider": outsider,
		"admin": admin, "moderator": moderator, "anonymous": ts.client()}
	// The note mentions everyone, so the inbox is tested too.
	w.note = w.classNote(member, 3, "question", w.secret+" @teacher @other @outsider @admin @moderator")
	w.teacher.get(fmt.Sprintf("/annotations/%d", w.note))
	res := w.teacher.post(fmt.Sprintf("/annotations/%d/replies", w.note), url.Values{"kind": {"comment"}, "body": {"Reply in class @member"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("reply: %d\n%s", res.status, res.body)
	}
	var replyID uint
	fmt.Sscanf(res.header.Get("Location"), "/annotations/%d", &replyID)
	w.reply = replyID
	return w
}

// inClassA tells whether an actor is a member (student or educator) of class A.
func inClassA(actor string) bool { return actor == "educator" || actor == "member" }

// TestPrivacyMatrixClassRoutes: every class and assignment route, GET and
// POST, for every actor. Outsiders get 404, whatever the route; visitors
// are sent to log in; students are refused educators' routes.
func TestPrivacyMatrixClassRoutes(t *testing.T) {
	w := newPrivacyWorld(t)
	cid, aid, sid := w.class.ID, w.assignment.ID, w.student.ID
	type route struct {
		method, path string
		form         url.Values
		student      int // status for class A's student
	}
	routes := []route{
		{"GET", fmt.Sprintf("/classes/%d", cid), nil, 200},
		{"GET", fmt.Sprintf("/classes/%d/roster", cid), nil, 403},
		{"GET", fmt.Sprintf("/classes/%d/annotations.csv", cid), nil, 403},
		{"GET", fmt.Sprintf("/classes/%d/assignments/new", cid), nil, 403},
		{"GET", fmt.Sprintf("/assignments/%d", aid), nil, 200},
		{"GET", fmt.Sprintf("/assignments/%d/edit", aid), nil, 403},
		{"GET", fmt.Sprintf("/assignments/%d/grades.csv", aid), nil, 403},
		{"GET", fmt.Sprintf("/assignments/%d/students/%d", aid, sid), nil, 403},
		{"POST", fmt.Sprintf("/classes/%d/code", cid), nil, 403},
		{"POST", fmt.Sprintf("/classes/%d/educators", cid), url.Values{"username": {"outsider"}}, 403},
		{"POST", fmt.Sprintf("/classes/%d/students/%d/remove", cid, sid), nil, 403},
		{"POST", fmt.Sprintf("/assignments/%d/edit", aid), url.Values{"document_id": {"1"}, "zone": {"UTC"}, "due_at": {"2030-01-01T00:00"}, "min_replies": {"3"}}, 403},
		{"POST", fmt.Sprintf("/assignments/%d/copy", aid), url.Values{"class_id": {fmt.Sprint(cid)}}, 403},
		{"POST", fmt.Sprintf("/assignments/%d/students/%d/points", aid, sid), url.Values{"points": {"10"}}, 403},
		{"POST", fmt.Sprintf("/assignments/%d/students/%d/feedback", aid, sid), url.Values{"annotation_id": {fmt.Sprint(w.note)}, "feedback": {"x"}}, 403},
		{"POST", fmt.Sprintf("/assignments/%d/delete", aid), nil, 403},
	}
	for _, actor := range privacyActors {
		if actor == "educator" {
			continue // the educator's routes change things: checked by the feature tests
		}
		c := w.actors[actor]
		c.get("/login") // a visitor's CSRF token, so a POST reaches the route
		for _, r := range routes {
			var res response
			if r.method == "GET" {
				res = c.get(r.path)
			} else {
				form := url.Values{}
				for k, v := range r.form {
					form[k] = v
				}
				res = c.post(r.path, form)
			}
			want := http.StatusNotFound
			switch {
			case actor == "anonymous" && r.method == "GET":
				want = http.StatusSeeOther
			case actor == "anonymous":
				want = http.StatusUnauthorized
			case actor == "member":
				want = r.student
			}
			if res.status != want {
				t.Errorf("%s %s %s: status %d, want %d", actor, r.method, r.path, res.status, want)
			}
			if actor == "anonymous" && r.method == "GET" && !strings.HasPrefix(res.header.Get("Location"), "/login?next=") {
				t.Errorf("anonymous GET %s: redirected to %q", r.path, res.header.Get("Location"))
			}
			if want != http.StatusOK {
				mustNotContain(t, res.body, w.secret, "Diplomacy 101", w.class.JoinCode)
			}
		}
	}
	// Nothing changed: the class is as it was.
	as, _ := models.AssignmentByID(w.ts.db, aid)
	if as.MinReplies != 0 {
		t.Error("someone outside the educators edited the assignment")
	}
	if role, _ := models.MembershipOf(w.ts.db, cid, sid); role != models.MemberStudent {
		t.Error("someone outside the educators removed the student")
	}
	if p, _ := models.PointsOf(w.ts.db, aid, sid); p != nil {
		t.Error("someone outside the educators gave points")
	}
	// Lists of one's classes and assignments name only one's own.
	for _, actor := range []string{"other", "outsider", "admin", "moderator"} {
		for _, path := range []string{"/classes", "/assignments"} {
			res := w.actors[actor].get(path)
			if res.status != http.StatusOK {
				t.Errorf("%s GET %s: status %d", actor, path, res.status)
			}
			mustNotContain(t, res.body, "Diplomacy 101", fmt.Sprintf(`href="/assignments/%d"`, aid))
		}
	}
	mustContain(t, w.actors["member"].get("/assignments").body, fmt.Sprintf(`href="/assignments/%d"`, aid))
	mustContain(t, w.actors["other"].get("/classes").body, "Class B")
	// A class that does not exist answers like one that does.
	for _, path := range []string{"/classes/999999", "/assignments/999999", "/classes/999999/roster"} {
		if res := w.actors["outsider"].get(path); res.status != http.StatusNotFound {
			t.Errorf("outsider GET %s: %d", path, res.status)
		}
	}
}

// TestPrivacyMatrixClassNotes: the class's note and its reply on every
// page that shows annotations: permalinks, history, the API, the reading
// view and its counts, profiles, inbox and unread count.
func TestPrivacyMatrixClassNotes(t *testing.T) {
	w := newPrivacyWorld(t)
	for _, actor := range privacyActors {
		c := w.actors[actor]
		sees := inClassA(actor)
		for _, path := range []string{
			fmt.Sprintf("/annotations/%d", w.note), fmt.Sprintf("/annotations/%d", w.reply),
			fmt.Sprintf("/annotations/%d/history", w.note), fmt.Sprintf("/api/annotations/%d", w.note),
		} {
			res := c.get(path)
			if sees && res.status != http.StatusOK || !sees && res.status != http.StatusNotFound {
				t.Errorf("%s GET %s: status %d", actor, path, res.status)
			}
			if !sees {
				mustNotContain(t, res.body, w.secret, "Reply in class")
			}
		}
		// Acting on the note is as hidden as reading it.
		if actor != "anonymous" && !sees {
			c.get("/")
			for _, path := range []string{fmt.Sprintf("/annotations/%d/replies", w.note), fmt.Sprintf("/annotations/%d/helpful", w.note)} {
				if res := c.post(path, url.Values{"kind": {"comment"}, "body": {"hi"}}); res.status != http.StatusNotFound {
					t.Errorf("%s POST %s: status %d", actor, path, res.status)
				}
			}
		}
		pages := map[string]string{
			"reading view": fmt.Sprintf("/documents/%d", w.doc),
			"API listing":  fmt.Sprintf("/api/documents/%d/annotations", w.doc),
			"profile":      "/users/member",
			"educator's":   "/users/teacher",
		}
		for what, path := range pages {
			res := c.get(path)
			if res.status != http.StatusOK {
				t.Errorf("%s GET %s: status %d", actor, path, res.status)
				continue
			}
			if what == "educator's" {
				if has := strings.Contains(res.body, "Reply in class"); has != sees {
					t.Errorf("%s: the educator's class reply on their profile: shown %v", actor, has)
				}
				continue
			}
			if has := strings.Contains(res.body, "Classified thought"); has != sees {
				t.Errorf("%s: the class note on the %s: shown %v", actor, what, has)
			}
		}
		// The reading view's counts: passage 3 has only the class's thread.
		doc := c.get(fmt.Sprintf("/documents/%d", w.doc)).body
		section := passageSection(doc, 3)
		if has := strings.Contains(section, "2 notes"); has != sees {
			t.Errorf("%s: passage 3 counts the class's two notes: %v\n%s", actor, has, section)
		}
		if actor == "anonymous" {
			continue
		}
		if !sees {
			inbox := c.get("/inbox").body
			mustNotContain(t, inbox, "Classified thought", "Reply in class", "mentioned you", `class="badge"`)
		}
	}
	// Those in the class were told: the educator of the mention, the student
	// of the reply, each with an unread count.
	// (Opening the inbox reads what it shows, so the count is read first.)
	mustContain(t, w.actors["educator"].get("/").body, `class="badge"`)
	mustContain(t, w.actors["educator"].get("/inbox").body, "mentioned you", "Classified thought", "inbox__item--unread")
	mustContain(t, w.actors["member"].get("/").body, `class="badge"`)
	mustContain(t, w.actors["member"].get("/inbox").body, "replied to your annotation", "Reply in class", "inbox__item--unread")
}

// passageSection cuts passage n's section out of a reading view.
func passageSection(page string, n int) string {
	start := strings.Index(page, fmt.Sprintf(`id="p-%d"`, n))
	if start < 0 {
		return ""
	}
	end := strings.Index(page[start:], "</section>")
	if end < 0 {
		return page[start:]
	}
	return page[start : start+end]
}

// TestPrivacyAfterLeaving: a student who leaves or is removed loses the
// class's notes but keeps their own.
func TestPrivacyAfterLeaving(t *testing.T) {
	w := newPrivacyWorld(t)
	member := w.actors["member"]
	classmate, _ := w.classWorld.student("classmate")
	theirs := w.classNote(classmate, 4, "comment", "A classmate's view")
	if res := member.get(fmt.Sprintf("/annotations/%d", theirs)); res.status != http.StatusOK {
		t.Fatalf("member reading a classmate's note: %d", res.status)
	}
	member.post(fmt.Sprintf("/classes/%d/leave", w.class.ID), nil)
	if res := member.get(fmt.Sprintf("/annotations/%d", theirs)); res.status != http.StatusNotFound {
		t.Errorf("after leaving, a classmate's note: %d", res.status)
	}
	if res := member.get(fmt.Sprintf("/annotations/%d", w.note)); res.status != http.StatusOK {
		t.Errorf("after leaving, their own note: %d", res.status)
	}
	page := member.get(fmt.Sprintf("/documents/%d", w.doc)).body
	mustNotContain(t, page, "A classmate's view", "Reply in class")
	mustContain(t, page, "Classified thought")
}

// TestSharedPassagesKeepEachReadersOwnParts: a passage where readers see
// what a visitor sees is rendered once for all of them, and each still
// gets their own parts of it: the author's Edit and Delete, the reader's
// own helpful mark, the moderator's Hide, a visitor no form at all, and in
// every form the reader's own CSRF token; a private note stays its
// author's, on a passage rendered for them alone.
func TestSharedPassagesKeepEachReadersOwnParts(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	path := fmt.Sprintf("/documents/%d", doc)
	author, _ := ts.loggedIn("sp_author", models.RoleReader)
	reader, _ := ts.loggedIn("sp_reader", models.RoleReader)
	other, _ := ts.loggedIn("sp_other", models.RoleReader)
	mod, _ := ts.loggedIn("sp_mod", models.RoleModerator)
	visitor := ts.client()
	id, res := author.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"A public note on passage two."}})
	if id == 0 {
		t.Fatalf("post: %d", res.status)
	}
	ts.publish(id)
	if pid, res := author.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"4"}, "visibility": {"private"},
		"body": {"A private aside of the author."}}); pid == 0 {
		t.Fatalf("private post: %d", res.status)
	}
	reader.get(path)
	if res := reader.post(fmt.Sprintf("/annotations/%d/helpful", id), url.Values{"back": {path}}); res.status != http.StatusSeeOther {
		t.Fatalf("helpful: %d", res.status)
	}
	note := func(body string) string {
		t.Helper()
		at := strings.Index(body, fmt.Sprintf(`id="a-%d"`, id))
		if at < 0 {
			t.Fatalf("the public note is not on the page")
		}
		end := strings.Index(body[at:], "</article>")
		return body[at : at+end]
	}
	tokensAre := func(who string, body, want string) {
		t.Helper()
		for _, m := range csrfInput.FindAllStringSubmatch(body, -1) {
			if html.UnescapeString(m[1]) != want {
				t.Fatalf("%s's page holds another token in a form: %s", who, m[0])
			}
		}
	}
	before := ts.app.passageRenders.Load()
	v := visitor.get(path).body
	if n := ts.app.passageRenders.Load() - before; n != 1 {
		t.Fatalf("the visitor's page rendered %d passages after the mark, want passage 2's", n)
	}
	before = ts.app.passageRenders.Load()
	pages := map[string]string{}
	for who, c := range map[string]*client{"author": author, "reader": reader, "other": other, "mod": mod} {
		pages[who] = c.get(path).body
		tokensAre(who, pages[who], c.csrf)
	}
	if n := ts.app.passageRenders.Load() - before; n != 1 {
		t.Errorf("four readers rendered %d passages, want 1: the author's own passage 4", n)
	}

	check := func(v string, pages map[string]string) {
		t.Helper()
		mustNotContain(t, v, `name="_csrf"`, "Annotate<span", "A private aside of the author.")
		mustContain(t, note(v), `chip--static`)
		mustNotContain(t, note(v), "/edit\"", "/flag\"", "#reply\"")

		mustContain(t, pages["author"], "A private aside of the author.")
		mustContain(t, note(pages["author"]), "/edit\"", "/delete\"")
		mustNotContain(t, note(pages["author"]), "/helpful\"", "/flag\"", "/moderate\"")

		mustContain(t, note(pages["reader"]), `chip chip--on`, `aria-pressed="true"`, "/flag\"")
		mustContain(t, note(pages["other"]), `aria-pressed="false"`, "/flag\"")
		mustNotContain(t, note(pages["other"]), `chip--on`)
		for _, who := range []string{"reader", "other", "mod"} {
			mustNotContain(t, pages[who], "A private aside of the author.")
			mustNotContain(t, note(pages[who]), "/edit\"", "/delete\"")
			mustContain(t, pages[who], "Annotate<span")
		}
		mustContain(t, note(pages["mod"]), "/moderate\"", `value="hide"`)
		mustNotContain(t, note(pages["reader"]), "/moderate\"")
	}
	check(v, pages)

	// A note on another passage puts every page together again: passage
	// 2 is then each reader's copy of it, kept from the first time, and
	// must still be their own.
	if nid, res := other.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"6"}, "body": {"Meanwhile, on passage six."}}); nid == 0 {
		t.Fatalf("post on passage 6: %d", res.status)
	} else {
		ts.publish(nid)
	}
	v = visitor.get(path).body
	mustContain(t, v, "Meanwhile, on passage six.")
	for who, c := range map[string]*client{"author": author, "reader": reader, "other": other, "mod": mod} {
		pages[who] = c.get(path).body
		mustContain(t, pages[who], "Meanwhile, on passage six.")
		tokensAre(who, pages[who], c.csrf)
	}
	check(v, pages)
}
