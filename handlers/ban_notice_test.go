package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"margin/models"
)

// A banned reader is told on their next request that a moderator suspended
// the account, with the ban's end when it has one, once; not silently
// logged out to learn why at the next login.
func TestBannedReaderIsToldAtOnce(t *testing.T) {
	ts := newTestServer(t)
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	for _, tc := range []struct {
		name, duration, want string
	}{
		{"troll", "7d", "a moderator suspended your account until 11 April 2026 12:00 UTC."},
		{"spammer", "forever", "a moderator suspended your account."},
	} {
		c, u := ts.loggedIn(tc.name, models.RoleReader)
		second := ts.client() // the same account on a second device
		second.get("/login")
		second.post("/login", url.Values{"username": {tc.name}, "password": {passwordOf(tc.name)}})
		mod.get(fmt.Sprintf("/moderation/users/%d", u.ID))
		if res := mod.post(fmt.Sprintf("/moderation/users/%d/ban", u.ID), url.Values{"duration": {tc.duration}}); res.status != http.StatusSeeOther {
			t.Fatalf("ban %s: %d %s", tc.name, res.status, res.body)
		}
		for _, dev := range []*client{c, second} {
			page := dev.get(fmt.Sprintf("/documents/%d", ts.articleID())).body
			mustContain(t, page, "You have been logged out: "+tc.want)
			mustNotContain(t, page, "Log out")
			mustNotContain(t, dev.get("/").body, "You have been logged out") // said once
		}
	}
}
