package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"margin/models"
)

// Admins find accounts by name and role on the Users page, with their role,
// standing, sign-up date and last activity; change a role and end sessions
// there, each logged like a moderation decision; and reach the ban page.
func TestAdminUsersPage(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	admin, au := ts.loggedIn("root", models.RoleAdmin)
	bob, bu := ts.loggedIn("bobby", models.RoleReader)
	ts.loggedIn("carla", models.RoleEducator)
	bob.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"A public note."}})
	bob.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"Private.", ""}, "visibility": {"private"}})

	page := admin.get("/admin/users").body
	mustContain(t, page, ">bobby</a>", ">carla</a>", ">root</a>", `<span class="tag">you</span>`,
		"1 approved", "1 live login", fmt.Sprintf(`action="/admin/users/%d/role"`, bu.ID),
		fmt.Sprintf(`href="/moderation/users/%d"`, bu.ID), `href="/admin/users"`)
	mustNotContain(t, page, fmt.Sprintf(`action="/admin/users/%d/role"`, au.ID)) // not one's own
	found := admin.get("/admin/users?q=BOB").body
	mustContain(t, found, ">bobby</a>")
	mustNotContain(t, found, ">carla</a>")
	byRole := admin.get("/admin/users?role=educator").body
	mustContain(t, byRole, ">carla</a>")
	mustNotContain(t, byRole, ">bobby</a>")
	mustNotContain(t, admin.get("/admin/users?q=%25").body, ">bobby</a>") // LIKE's wildcards are literal

	res := admin.post(fmt.Sprintf("/admin/users/%d/role", bu.ID), url.Values{"role": {"moderator"}, "back": {"/admin/users?q=bob"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/users?q=bob" {
		t.Fatalf("change role: %d %s", res.status, res.header.Get("Location"))
	}
	if u, _ := models.UserByID(ts.db, bu.ID); u.Role != models.RoleModerator {
		t.Fatalf("bobby is %s", u.Role)
	}
	mustContain(t, admin.get("/admin/users?q=bob").body, "bobby is now moderator (was reader)")
	mustContain(t, bob.get("/moderation").body, "Moderation: Pending") // the new role holds at once

	res = admin.post(fmt.Sprintf("/admin/users/%d/sessions", bu.ID), url.Values{"back": {"/admin/users"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("end sessions: %d", res.status)
	}
	if strings.Contains(bob.get("/").body, "Log out") {
		t.Error("bobby is still logged in")
	}
	log := admin.get("/moderation/log").body
	mustContain(t, log, "changed the role of", "(reader → moderator)", "ended the sessions of", ">bobby</a>")

	if res := admin.post(fmt.Sprintf("/admin/users/%d/role", au.ID), url.Values{"role": {"reader"}}); res.status != http.StatusForbidden {
		t.Errorf("an admin changing their own role: %d", res.status)
	}
	if res := admin.post(fmt.Sprintf("/admin/users/%d/role", bu.ID), url.Values{"role": {"emperor"}}); res.status != http.StatusBadRequest {
		t.Errorf("an unknown role: %d", res.status)
	}
}

// The Users page and its actions are for admins only, CSRF-checked.
func TestAdminUsersForAdminsOnly(t *testing.T) {
	ts := newTestServer(t)
	admin, _ := ts.loggedIn("root", models.RoleAdmin)
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	_, bu := ts.loggedIn("bobby", models.RoleReader)
	mod.get("/")
	for _, c := range []*client{mod, ts.client()} {
		if res := c.get("/admin/users"); res.status != http.StatusForbidden && res.status != http.StatusSeeOther {
			t.Errorf("the Users page for a non-admin: %d", res.status)
		}
		for _, path := range []string{fmt.Sprintf("/admin/users/%d/role", bu.ID), fmt.Sprintf("/admin/users/%d/sessions", bu.ID)} {
			if res := c.post(path, url.Values{"role": {"admin"}}); res.status < 400 && res.status != http.StatusSeeOther {
				t.Errorf("%s by a non-admin: %d", path, res.status)
			}
		}
	}
	if u, _ := models.UserByID(ts.db, bu.ID); u.Role != models.RoleReader {
		t.Fatalf("a non-admin changed a role to %s", u.Role)
	}
	admin.get("/admin/users")
	if res := admin.post(fmt.Sprintf("/admin/users/%d/role", bu.ID), url.Values{"role": {"admin"}, "_csrf": {"forged"}}); res.status != http.StatusForbidden {
		t.Errorf("a forged CSRF token: %d", res.status)
	}
	mustNotContain(t, mod.get("/moderation").body, `href="/admin/users"`)
	mustContain(t, admin.get("/moderation").body, `href="/admin/users"`)
}
