package handlers

import (
	"net/url"
	"testing"

	"margin/models"
)

// Empty states speak to who reads them: an educator without classes is
// offered to create one (not told to wait for a join code), the only
// educator of a class is not offered to leave it, and an empty assignment
// list says what to do next to an educator and what to expect to a student.
func TestEmptyStatesSpeakToTheReader(t *testing.T) {
	ts := newTestServer(t)
	teacher, _ := ts.loggedIn("teacher", models.RoleEducator)
	reader, _ := ts.loggedIn("reader", models.RoleReader)

	page := teacher.get("/classes").body
	mustContain(t, page, "Create your first class", "You have no classes yet.", `href="/classes/new"`)
	mustNotContain(t, page, "Your educator gives you")
	mustContain(t, teacher.get("/assignments").body, "No readings are assigned to you", `href="/classes"`)
	page = reader.get("/classes").body
	mustContain(t, page, "Your educator gives you a join code", `href="/join"`)
	mustNotContain(t, page, "Create your first class", `href="/classes/new"`)

	teacher.get("/classes/new")
	res := teacher.post("/classes", url.Values{"name": {"Treaties"}})
	path := res.header.Get("Location")
	page = teacher.get(path).body
	mustContain(t, page, "You are this class's only educator", "No students yet: share the code", "Assign the first reading", path+"/assignments/new")
	mustNotContain(t, page, `action="`+path+`/leave"`, "When your educator assigns")
	mustContain(t, teacher.get("/classes").body, "New class")

	var class models.Class
	ts.db.Where("name = ?", "Treaties").First(&class)
	if err := models.JoinClass(ts.db, mustUser(t, ts, "reader"), &class, ts.now); err != nil {
		t.Fatal(err)
	}
	page = reader.get(path).body
	mustContain(t, page, "When your educator assigns a reading", `action="`+path+`/leave"`)
	mustNotContain(t, page, "Assign the first reading", "only educator")

	ts.createUser("colleague", models.RoleEducator)
	teacher.get(path + "/roster")
	teacher.post(path+"/educators", url.Values{"username": {"colleague"}})
	page = teacher.get(path).body
	mustContain(t, page, `action="`+path+`/leave"`)
	mustNotContain(t, page, "only educator", "No students yet")
}

func mustUser(t *testing.T, ts *testServer, name string) *models.User {
	t.Helper()
	u, err := models.UserByName(ts.db, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
