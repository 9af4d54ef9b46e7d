package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"margin/models"
)

// classPageSamples gives the class and assignment pages their data for
// TestEveryPageRenders.
func classPageSamples(ts *testServer, doc *models.Document) map[string]any {
	t := ts.t
	teacher := ts.createUser("sampleteacher", models.RoleEducator)
	class, err := models.CreateClass(ts.db, teacher, models.ClassInput{Name: "Sample class", Term: "Spring", Description: "About <things>."}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	as, err := models.CreateAssignment(ts.db, teacher, class.ID, models.AssignmentInput{DocumentID: doc.ID, Instructions: "Read **closely**.",
		OpensAt: "2026-04-01T09:00", DueAt: "2026-04-10T17:00", Zone: "Europe/Berlin", MinAnnotations: 2, MinReplies: 1,
		Kinds: []models.Kind{models.KindQuestion}, HideUntilPosted: true})
	if err != nil {
		t.Fatal(err)
	}
	as, _ = models.AssignmentByID(ts.db, as.ID)
	student := ts.createUser("samplestudent", models.RoleReader)
	models.JoinClass(ts.db, student, class, ts.now)
	note, err := models.CreateAnnotation(ts.db, student, doc, models.AnnotationInput{Kind: models.KindQuestion, Body: "Why?", Passage: 2,
		QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &class.ID}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.AddFeedback(ts.db, teacher, note, "Good question."); err != nil {
		t.Fatal(err)
	}
	header := ts.app.assignmentHeader(class, as)
	progress, _ := models.StudentProgress(ts.db, as, student.ID, ts.now)
	work, _ := ts.app.studentWork(student, as, student.ID)
	rows, _ := models.AssignmentTable(ts.db, as, ts.now)
	heat, _ := models.Heat(ts.db, as)
	classes, _ := models.ClassesOf(ts.db, teacher.ID)
	roster, _ := models.Roster(ts.db, class.ID)
	mine, _ := models.StudentAssignments(ts.db, student, ts.now)
	form, _ := ts.app.assignmentFormPage(class, nil, url.Values{})
	points := 7.5
	return map[string]any{
		"classes":              classListPage{Classes: classes},
		"class_form":           nil,
		"class":                classPage{Class: class, Role: models.MemberEducator, JoinURL: "http://x/join/" + class.JoinCode, Students: 1, Assignments: []classAssignment{{Assignment: *as, Due: newMoment(as.DueAt, as), Progress: &progress}}},
		"class_roster":         rosterPage{Class: class, Members: roster},
		"class_join":           joinPage{Class: class, Code: class.DisplayCode()},
		"assignments":          myAssignmentsPage{Items: []myAssignment{{StudentAssignment: mine[0], Due: newMoment(as.DueAt, as)}}},
		"assignment":           studentAssignmentPage{assignmentHeader: header, Progress: progress, Points: &points, Work: work, Waiting: true},
		"assignment_form":      form,
		"assignment_dashboard": dashboardPage{assignmentHeader: header, Rows: rows, Kinds: models.Kinds, Heat: newHeatMap(doc.ID, heat), CopyTargets: []models.Class{*class}},
		"assignment_student":   reviewPage{assignmentHeader: header, Student: student, Progress: progress, Work: work},
	}
}

// classWorld is a test server with an educator's class that has the sample
// article as an assignment.
type classWorld struct {
	ts         *testServer
	teacher    *client
	teacherU   *models.User
	class      *models.Class
	assignment *models.Assignment
	doc        uint
}

func newClassWorld(t *testing.T, in models.AssignmentInput) *classWorld {
	t.Helper()
	ts := newTestServer(t)
	w := &classWorld{ts: ts, doc: ts.articleID()}
	w.teacher, w.teacherU = ts.loggedIn("teacher", models.RoleEducator)
	var err error
	w.class, err = models.CreateClass(ts.db, w.teacherU, models.ClassInput{Name: "Diplomacy 101", Term: "Spring 2026"}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	in.DocumentID, in.Zone = w.doc, "UTC"
	if in.DueAt == "" {
		// Annotations are stamped by the database's clock, not the test server's.
		in.DueAt = time.Now().UTC().Add(7 * 24 * time.Hour).Format(models.LocalTimeLayout)
	}
	if in.MinAnnotations == 0 && in.MinReplies == 0 && len(in.Kinds) == 0 {
		in.MinAnnotations = 1
	}
	w.assignment, err = models.CreateAssignment(ts.db, w.teacherU, w.class.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// student logs in a new reader who has joined the class.
func (w *classWorld) student(name string) (*client, *models.User) {
	w.ts.t.Helper()
	c, u := w.ts.loggedIn(name, models.RoleReader)
	if err := models.JoinClass(w.ts.db, u, w.class, w.ts.now); err != nil {
		w.ts.t.Fatal(err)
	}
	return c, u
}

// classNote posts a note on passage p through the form, shared with the class.
func (w *classWorld) classNote(c *client, p int, kind, body string) uint {
	w.ts.t.Helper()
	form := url.Values{"kind": {kind}, "body": {body}, "passage": {fmt.Sprint(p)}, "visibility": {fmt.Sprintf("class:%d", w.class.ID)}}
	if kind == "disagreement" {
		form.Set("counterpoint", "The opposite.")
	}
	id, res := c.annotate(w.doc, form)
	if id == 0 {
		w.ts.t.Fatalf("post a class note: %d\n%s", res.status, res.body)
	}
	return id
}

func wantStatus(t *testing.T, what string, res response, status int) {
	t.Helper()
	if res.status != status {
		t.Fatalf("%s: status %d, want %d\n%.2000s", what, res.status, status, res.body)
	}
}

var classLocation = regexp.MustCompile(`^/classes/(\d+)$`)

func TestClassLifecycleThroughTheForms(t *testing.T) {
	ts := newTestServer(t)
	teacher, _ := ts.loggedIn("teacher", models.RoleEducator)
	reader, _ := ts.loggedIn("reader", models.RoleReader)

	reader.get("/classes")
	wantStatus(t, "a reader creating a class", reader.post("/classes", url.Values{"name": {"Mine"}}), http.StatusForbidden)

	teacher.get("/classes/new")
	res := teacher.post("/classes", url.Values{"name": {""}, "term": {"Autumn"}})
	wantStatus(t, "a class without a name", res, http.StatusUnprocessableEntity)
	mustContain(t, res.body, "A class needs a name.", `value="Autumn"`)
	res = teacher.post("/classes", url.Values{"name": {"Treaties & Alliances"}, "term": {"Autumn"}, "description": {"We read <treaties>."}})
	wantStatus(t, "create a class", res, http.StatusSeeOther)
	m := classLocation.FindStringSubmatch(res.header.Get("Location"))
	if m == nil {
		t.Fatalf("redirected to %q", res.header.Get("Location"))
	}
	page := teacher.get(res.header.Get("Location"))
	mustContain(t, page.body, "Treaties &amp; Alliances", "We read &lt;treaties&gt;.", "Join code", "/join/")
	var class models.Class
	ts.db.First(&class, m[1])
	mustContain(t, page.body, class.DisplayCode())

	// Join by the code as typed: lower case, with spaces.
	student, su := ts.loggedIn("student", models.RoleReader)
	student.get("/join")
	res = student.post("/join", url.Values{"code": {"WRONG-CODE-1234"}})
	wantStatus(t, "a wrong code", res, http.StatusUnprocessableEntity)
	mustContain(t, res.body, "No class has this code")
	typed := strings.ToLower(strings.ReplaceAll(class.DisplayCode(), "-", " "))
	res = student.post("/join", url.Values{"code": {typed}})
	wantStatus(t, "join with the code", res, http.StatusSeeOther)
	if role, _ := models.MembershipOf(ts.db, class.ID, su.ID); role != models.MemberStudent {
		t.Fatalf("after joining, role %q", role)
	}
	page = student.get(classPath(class.ID))
	wantStatus(t, "the class page for a student", page, http.StatusOK)
	mustNotContain(t, page.body, class.DisplayCode(), "Roster")

	// Join by the link: following it asks first.
	linker, lu := ts.loggedIn("linker", models.RoleReader)
	page = linker.get("/join/" + class.JoinCode)
	wantStatus(t, "follow the join link", page, http.StatusOK)
	mustContain(t, page.body, "Join Treaties &amp; Alliances")
	if role, _ := models.MembershipOf(ts.db, class.ID, lu.ID); role != "" {
		t.Fatal("following the link alone joined the class")
	}
	wantStatus(t, "confirm the join", linker.post("/join", url.Values{"code": {class.DisplayCode()}}), http.StatusSeeOther)
	wantStatus(t, "a stale join link", linker.get("/join/ABCDEFGHJKLM"), http.StatusNotFound)
	anon := ts.client()
	if res := anon.get("/join/" + class.JoinCode); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login?next=") {
		t.Errorf("a visitor following the link: %d to %s", res.status, res.header.Get("Location"))
	}

	// Roster: remove a student, add a co-educator.
	page = teacher.get(classPath(class.ID) + "/roster")
	mustContain(t, page.body, ">student<", ">linker<")
	wantStatus(t, "a student on the roster", student.get(classPath(class.ID)+"/roster"), http.StatusForbidden)
	wantStatus(t, "remove a student", teacher.post(fmt.Sprintf("/classes/%d/students/%d/remove", class.ID, lu.ID), nil), http.StatusSeeOther)
	wantStatus(t, "the removed student's class page", linker.get(classPath(class.ID)), http.StatusNotFound)
	res = teacher.post(fmt.Sprintf("/classes/%d/educators", class.ID), url.Values{"username": {"nobody"}})
	wantStatus(t, "add an unknown co-educator", res, http.StatusUnprocessableEntity)
	mustContain(t, res.body, "There is no user called")
	wantStatus(t, "add a co-educator", teacher.post(fmt.Sprintf("/classes/%d/educators", class.ID), url.Values{"username": {"reader"}}), http.StatusSeeOther)
	wantStatus(t, "the co-educator's roster", reader.get(classPath(class.ID)+"/roster"), http.StatusOK)

	// Leaving: a student may; the last educator may not; with a co-educator, yes.
	wantStatus(t, "a student leaves", student.post(classPath(class.ID)+"/leave", nil), http.StatusSeeOther)
	wantStatus(t, "after leaving", student.get(classPath(class.ID)), http.StatusNotFound)
	wantStatus(t, "the co-educator leaves", reader.post(classPath(class.ID)+"/leave", nil), http.StatusSeeOther)
	wantStatus(t, "the last educator leaves", teacher.post(classPath(class.ID)+"/leave", nil), http.StatusConflict)

	// A new code ends the old one.
	old := class.JoinCode
	wantStatus(t, "a new join code", teacher.post(classPath(class.ID)+"/code", nil), http.StatusSeeOther)
	wantStatus(t, "the old link", student.get("/join/"+old), http.StatusNotFound)
}

func TestJoinAttemptsAreLimited(t *testing.T) {
	ts := newTestServer(t)
	c, _ := ts.loggedIn("guesser", models.RoleReader)
	c.get("/join")
	for i := 0; i < joinAttempts; i++ {
		wantStatus(t, "a wrong code", c.post("/join", url.Values{"code": {"AAAABBBBCCCC"}}), http.StatusUnprocessableEntity)
	}
	res := c.post("/join", url.Values{"code": {"AAAABBBBCCCC"}})
	wantStatus(t, "one guess too many", res, http.StatusTooManyRequests)
	if res.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

var assignmentLocation = regexp.MustCompile(`^/assignments/(\d+)$`)

func TestAssignmentForm(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{})
	ts, c := w.ts, w.teacher
	path := fmt.Sprintf("/classes/%d/assignments", w.class.ID)
	page := c.get(path + "/new")
	wantStatus(t, "the new assignment form", page, http.StatusOK)
	mustContain(t, page.body, "data-zone-auto", `<option value="America/New_York"`, "The Short-lived NATO-Russia Honeymoon")

	res := c.upload(path, url.Values{"document_id": {fmt.Sprint(w.doc)}, "due_at": {"2026-05-01T09:00"}, "opens_at": {"2026-05-02T09:00"},
		"zone": {"Asia/Kolkata"}, "min_annotations": {"many"}, "instructions": {"Keep this text."}}, "", "", nil)
	wantStatus(t, "an invalid assignment", res, http.StatusUnprocessableEntity)
	mustContain(t, res.body, "The due date must come after the opening.", "Use a number from 0 to 1,000.", "Keep this text.",
		`<option value="Asia/Kolkata" selected>`)
	mustNotContain(t, res.body, "data-zone-auto")

	res = c.upload(path, url.Values{"document_id": {fmt.Sprint(w.doc)}, "due_at": {"2026-05-01T23:59"}, "zone": {"Asia/Kolkata"},
		"min_annotations": {"2"}, "min_replies": {"1"}, "kinds": {"question", "reference"}, "hide_until_posted": {"on"}}, "", "", nil)
	wantStatus(t, "create an assignment", res, http.StatusSeeOther)
	m := assignmentLocation.FindStringSubmatch(res.header.Get("Location"))
	if m == nil {
		t.Fatalf("redirected to %q", res.header.Get("Location"))
	}
	var as models.Assignment
	ts.db.First(&as, m[1])
	if want := time.Date(2026, 5, 1, 18, 29, 0, 0, time.UTC); !as.DueAt.Equal(want) || as.TimeZone != "Asia/Kolkata" {
		t.Errorf("due %v in %s, want %v", as.DueAt, as.TimeZone, want)
	}
	if as.RequiredKinds != "question,reference" || !as.HideUntilPosted || as.MinReplies != 1 {
		t.Errorf("stored %+v", as)
	}
	page = c.get(assignmentPath(as.ID))
	mustContain(t, page.body, `datetime="2026-05-01T18:29:00Z"`, "Fri 1 May 2026, 23:59 IST, Asia/Kolkata")
	page = c.get(assignmentPath(as.ID) + "/edit")
	mustContain(t, page.body, `value="2026-05-01T23:59"`, `<option value="Asia/Kolkata" selected>`)

	// Import a reading in the same form.
	res = c.upload(path, url.Values{"due_at": {"2026-05-08T12:00"}, "zone": {"UTC"}, "min_annotations": {"1"},
		"content": {"A brand new reading\n\nIts first paragraph.\n\nIts second paragraph."}}, "", "", nil)
	wantStatus(t, "assign an imported reading", res, http.StatusSeeOther)
	m = assignmentLocation.FindStringSubmatch(res.header.Get("Location"))
	imported, err := models.AssignmentByID(ts.db, uint(atoiOr(m[1])))
	if err != nil || imported.DocumentID == w.doc || imported.Document.Title != "A brand new reading" {
		t.Fatalf("imported assignment: %+v, %v", imported, err)
	}

	// Copy to another class the teacher teaches.
	other, err := models.CreateClass(ts.db, w.teacherU, models.ClassInput{Name: "Section B"}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	c.get(assignmentPath(as.ID))
	res = c.post(assignmentPath(as.ID)+"/copy", url.Values{"class_id": {fmt.Sprint(other.ID)}})
	wantStatus(t, "copy", res, http.StatusSeeOther)
	list, _ := models.ClassAssignments(ts.db, other.ID)
	if len(list) != 1 || !list[0].DueAt.Equal(as.DueAt) {
		t.Errorf("copied: %+v", list)
	}
	theirs, _ := models.CreateClass(ts.db, ts.createUser("foreign", models.RoleEducator), models.ClassInput{Name: "Theirs"}, ts.now)
	wantStatus(t, "copy to a class one does not teach", c.post(assignmentPath(as.ID)+"/copy", url.Values{"class_id": {fmt.Sprint(theirs.ID)}}), http.StatusForbidden)

	wantStatus(t, "delete", c.post(assignmentPath(as.ID)+"/delete", nil), http.StatusSeeOther)
	wantStatus(t, "the deleted assignment", c.get(assignmentPath(as.ID)), http.StatusNotFound)
}

func atoiOr(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

// TestAnnotatingIntoTheClass: on an assigned reading the composer defaults
// to the class; the server refuses a class the author is not in.
func TestAnnotatingIntoTheClass(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{})
	ts := w.ts
	stu, su := w.student("stu")
	option := fmt.Sprintf(`<option value="class:%d" selected>My class: Diplomacy 101</option>`, w.class.ID)
	page := stu.get(fmt.Sprintf("/documents/%d/annotate?p=1", w.doc))
	mustContain(t, page.body, option)
	mustContain(t, stu.get(fmt.Sprintf("/documents/%d", w.doc)).body, option)

	id := w.classNote(stu, 1, "question", "Who was there?")
	ann, _ := models.AnnotationByID(ts.db, id)
	if ann.Visibility != models.VisibilityClass || ann.ClassID == nil || *ann.ClassID != w.class.ID {
		t.Errorf("stored as %s in %v", ann.Visibility, ann.ClassID)
	}
	// Private stays possible.
	id, _ = stu.annotate(w.doc, url.Values{"kind": {"comment"}, "body": {"Mine alone."}, "passage": {"1"}, "visibility": {"private"}})
	if ann, _ := models.AnnotationByID(ts.db, id); ann == nil || ann.Visibility != models.VisibilityPrivate {
		t.Error("a private note on an assigned reading was not stored as private")
	}

	// A forged class id: someone else's class.
	other, _ := models.CreateClass(ts.db, w.teacherU, models.ClassInput{Name: "Other"}, ts.now)
	before := countAnnotations(t, ts)
	res := stu.post(fmt.Sprintf("/documents/%d/annotations", w.doc), url.Values{"kind": {"comment"}, "body": {"Sneaking in."},
		"passage": {"1"}, "visibility": {fmt.Sprintf("class:%d", other.ID)}})
	wantStatus(t, "posting into another class", res, http.StatusUnprocessableEntity)
	mustContain(t, res.body, "You can share only with a class you are in.")
	for _, v := range []string{"class", "class:", "class:abc", "class:0"} {
		res := stu.post(fmt.Sprintf("/documents/%d/annotations", w.doc), url.Values{"kind": {"comment"}, "body": {"x"}, "passage": {"1"}, "visibility": {v}})
		wantStatus(t, "visibility "+v, res, http.StatusUnprocessableEntity)
	}
	if countAnnotations(t, ts) != before {
		t.Error("a refused class note was stored")
	}

	// Someone in no class sees no class option and no default.
	loner, _ := ts.loggedIn("loner", models.RoleReader)
	mustNotContain(t, loner.get(fmt.Sprintf("/documents/%d/annotate?p=1", w.doc)).body, "My class:")
	_ = su
}

// TestMembershipChangesTheCachedDocumentPage: the reading view is cached;
// joining a class must show its option at once.
func TestMembershipChangesTheCachedDocumentPage(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{})
	c, u := w.ts.loggedIn("latecomer", models.RoleReader)
	path := fmt.Sprintf("/documents/%d", w.doc)
	mustNotContain(t, c.get(path).body, "My class:")
	mustNotContain(t, c.get(path).body, "My class:") // served from the cache
	w.ts.now = w.ts.now.Add(time.Second)
	if err := models.JoinClass(w.ts.db, u, w.class, w.ts.now); err != nil {
		t.Fatal(err)
	}
	mustContain(t, c.get(path).body, "My class: Diplomacy 101")
}

// TestAssigningChangesTheCachedDocumentPage: once the reading is assigned,
// the composer on its cached page defaults to the class.
func TestAssigningChangesTheCachedDocumentPage(t *testing.T) {
	ts := newTestServer(t)
	teacher := ts.createUser("teacher", models.RoleEducator)
	class, err := models.CreateClass(ts.db, teacher, models.ClassInput{Name: "Diplomacy 101"}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	c, u := ts.loggedIn("stu", models.RoleReader)
	if err := models.JoinClass(ts.db, u, class, ts.now); err != nil {
		t.Fatal(err)
	}
	doc := ts.articleID()
	path := fmt.Sprintf("/documents/%d", doc)
	selected := fmt.Sprintf(`<option value="class:%d" selected>`, class.ID)
	page := c.get(path).body
	mustContain(t, page, "My class: Diplomacy 101")
	mustNotContain(t, page, selected)
	if _, err := models.CreateAssignment(ts.db, teacher, class.ID, models.AssignmentInput{DocumentID: doc, Zone: "UTC",
		DueAt: "2030-01-01T00:00", MinAnnotations: 1}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, c.get(path).body, selected)
}

func TestProgressFeedbackAndPoints(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{MinAnnotations: 2, Kinds: []models.Kind{models.KindQuestion}})
	stu, su := w.student("stu")
	peer, _ := w.student("peer")
	q := w.classNote(stu, 1, "question", "Which meeting?")
	w.classNote(peer, 2, "disagreement", "Not a honeymoon.")

	mine := stu.get("/assignments")
	mustContain(t, mine.body, "The Short-lived NATO-Russia Honeymoon", "In progress", "Annotations 1/2", "Question 1/1")
	page := stu.get(assignmentPath(w.assignment.ID))
	wantStatus(t, "the student's assignment page", page, http.StatusOK)
	mustContain(t, page.body, "Annotations: 1 of 2", "to do", "Question: 1 of 1", "Which meeting?")
	mustNotContain(t, page.body, "Not a honeymoon.", "points-form")

	dash := w.teacher.get(assignmentPath(w.assignment.ID))
	wantStatus(t, "the dashboard", dash, http.StatusOK)
	mustContain(t, dash.body, ">stu</a>", ">peer</a>", "0 of 2 students complete on time", "Notes per passage",
		"Passages with notes from students (2)")

	// Feedback: seen by its student, not by the classmate.
	review := reviewPath(w.assignment.ID, su.ID)
	w.teacher.get(review)
	res := w.teacher.post(review+"/feedback", url.Values{"annotation_id": {fmt.Sprint(q)}, "feedback": {""}})
	wantStatus(t, "empty feedback", res, http.StatusUnprocessableEntity)
	mustContain(t, res.body, "Write the feedback first.")
	res = w.teacher.post(review+"/feedback", url.Values{"annotation_id": {fmt.Sprint(q)}, "feedback": {"Name the *summit*."}})
	wantStatus(t, "feedback", res, http.StatusSeeOther)
	mustContain(t, stu.get(assignmentPath(w.assignment.ID)).body, "Feedback from teacher", "Name the <em>summit</em>.")
	mustContain(t, stu.get("/assignments").body, "1 piece of feedback")
	// The student hears of it in their inbox, with a link to the assignment; the classmate does not.
	inbox := stu.get("/inbox").body
	mustContain(t, inbox, "Your educator left feedback on your annotation",
		fmt.Sprintf(`href="%s"`, assignmentPath(w.assignment.ID)), `<span class="tag">New</span>`)
	mustNotContain(t, peer.get("/inbox").body, "left feedback")
	// On a classmate's note through the wrong student's page: refused.
	peerNote := w.classNote(peer, 3, "comment", "Another.")
	wantStatus(t, "feedback on another student's note", w.teacher.post(review+"/feedback",
		url.Values{"annotation_id": {fmt.Sprint(peerNote)}, "feedback": {"x"}}), http.StatusNotFound)
	wantStatus(t, "a student giving feedback", peer.post(review+"/feedback",
		url.Values{"annotation_id": {fmt.Sprint(q)}, "feedback": {"x"}}), http.StatusForbidden)

	// Points from the dashboard table.
	res = w.teacher.post(review+"/points", url.Values{"points": {"=1+1"}, "back": {assignmentPath(w.assignment.ID)}})
	wantStatus(t, "bad points", res, http.StatusUnprocessableEntity)
	res = w.teacher.post(review+"/points", url.Values{"points": {"8,5"}, "back": {assignmentPath(w.assignment.ID)}})
	wantStatus(t, "points", res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != assignmentPath(w.assignment.ID) {
		t.Errorf("after points, back to %s", loc)
	}
	mustContain(t, w.teacher.get(assignmentPath(w.assignment.ID)).body, `value="8.5"`)
	mustContain(t, stu.get(assignmentPath(w.assignment.ID)).body, "<strong>Points:</strong> 8.5")

	// Completing the work shows on both sides.
	w.classNote(stu, 4, "comment", "Second note.")
	mustContain(t, stu.get("/assignments").body, "Complete")
	mustContain(t, w.teacher.get(assignmentPath(w.assignment.ID)).body, "1 of 2 students complete on time")
}

// TestHideUntilPostedOnTheReadingView: before posting, a student's reading
// view has no classmates' notes; after, it has.
func TestHideUntilPostedOnTheReadingView(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{HideUntilPosted: true})
	early, _ := w.student("early")
	late, _ := w.student("late")
	w.classNote(early, 2, "comment", "An early thought.")
	path := fmt.Sprintf("/documents/%d", w.doc)
	mustNotContain(t, late.get(path).body, "An early thought.")
	mustContain(t, late.get(assignmentPath(w.assignment.ID)).body, "hidden until you post your first note")
	w.classNote(late, 3, "comment", "My own view.")
	mustContain(t, late.get(path).body, "An early thought.", "My own view.")
	mustNotContain(t, late.get(assignmentPath(w.assignment.ID)).body, "hidden until you post your first note")
	mustContain(t, w.teacher.get(path).body, "An early thought.")
}

// An educator renames the class; its students see the new name at once,
// on cached pages too; students and outsiders cannot edit it.
func TestClassEdit(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{MinAnnotations: 1})
	ts := w.ts
	stu, _ := w.student("renamewatcher")
	doc := fmt.Sprintf("/documents/%d", w.doc)
	mustContain(t, stu.get(doc).body, "My class: Diplomacy 101")
	edit := fmt.Sprintf("/classes/%d/edit", w.class.ID)

	wantStatus(t, "a student opens the form", stu.get(edit), http.StatusForbidden)
	wantStatus(t, "a student posts it", stu.post(edit, url.Values{"name": {"Hijacked"}}), http.StatusForbidden)
	outsider, _ := ts.loggedIn("outsider", models.RoleEducator)
	wantStatus(t, "an outsider opens the form", outsider.get(edit), http.StatusNotFound)

	form := w.teacher.get(edit)
	wantStatus(t, "the educator opens the form", form, http.StatusOK)
	mustContain(t, form.body, `value="Diplomacy 101"`, "Spring 2026")
	res := w.teacher.post(edit, url.Values{"name": {"  "}, "term": {"Spring 2026"}})
	wantStatus(t, "an empty name", res, http.StatusUnprocessableEntity)
	mustContain(t, res.body, "A class needs a name.")
	res = w.teacher.post(edit, url.Values{"name": {"Diplomacy 102"}, "term": {"Autumn 2026"}, "description": {"Treaties, read closely."}})
	wantStatus(t, "the educator saves", res, http.StatusSeeOther)

	mustContain(t, stu.get(fmt.Sprintf("/classes/%d", w.class.ID)).body, "Diplomacy 102", "Autumn 2026", "Treaties, read closely.")
	page := stu.get(doc).body
	mustContain(t, page, "My class: Diplomacy 102")
	mustNotContain(t, page, "Diplomacy 101")
}
