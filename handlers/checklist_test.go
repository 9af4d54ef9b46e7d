package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"margin/models"
)

// After the first admin is created their home shows a short checklist that
// ticks itself off step by step and disappears when done, for admins only.
func TestAdminChecklistTicksOffAndGoes(t *testing.T) {
	ts := newTestServer(t)
	admin, _ := ts.loggedIn("root", models.RoleAdmin)
	edu, _ := ts.loggedIn("teacher", models.RoleReader)
	steps := func() (todo int, shown bool) {
		page := admin.get("/").body
		return strings.Count(page, `<span class="checklist__state">To do:</span>`), strings.Contains(page, "First steps for your site")
	}
	if todo, shown := steps(); !shown || todo != 4 {
		t.Fatalf("a new site's admin sees the checklist %v with %d steps to do", shown, todo)
	}
	mustContain(t, admin.get("/").body, `href="/documents/new"`, `href="/admin/users"`, `href="/classes/new"`, "margin spam train")
	mustNotContain(t, edu.get("/").body, "First steps for your site")

	if _, err := models.SetRole(ts.db, "teacher", models.RoleEducator); err != nil {
		t.Fatal(err)
	}
	if todo, _ := steps(); todo != 3 {
		t.Errorf("after giving a role, %d steps to do", todo)
	}
	edu.get("/documents/new")
	if res := edu.upload("/documents", nil, "file", "notes.md", []byte("# Notes\n\nA first paragraph of notes.\n")); res.status != http.StatusSeeOther {
		t.Fatalf("import: %d", res.status)
	}
	edu.get("/classes/new")
	edu.post("/classes", url.Values{"name": {"Treaties"}})
	if todo, _ := steps(); todo != 1 {
		t.Errorf("after an import and a class, %d steps to do", todo)
	}
	mustNotContain(t, edu.get("/").body, "First steps for your site")
	ts.trainSpam()
	if _, shown := steps(); shown {
		t.Error("the checklist stays once every step is done")
	}
}

// An admin may put the list away before it is done; no one else may.
func TestAdminChecklistDismissed(t *testing.T) {
	ts := newTestServer(t)
	admin, _ := ts.loggedIn("root", models.RoleAdmin)
	reader, _ := ts.loggedIn("reader", models.RoleReader)
	reader.get("/")
	if res := reader.post("/admin/checklist/dismiss", nil); res.status != http.StatusForbidden {
		t.Errorf("a reader puts the checklist away: %d", res.status)
	}
	mustContain(t, admin.get("/").body, "First steps for your site", "Put this list away")
	if res := admin.post("/admin/checklist/dismiss", nil); res.status != http.StatusSeeOther {
		t.Fatalf("dismiss: %d", res.status)
	}
	page := admin.get("/").body
	mustNotContain(t, page, "First steps for your site")
	mustContain(t, page, "The first steps are put away")
	other, _ := ts.loggedIn("root2", models.RoleAdmin)
	mustNotContain(t, other.get("/").body, "First steps for your site")
}
