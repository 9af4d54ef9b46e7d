package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"margin/models"
)

// copyCookies gives thief the cookies from's browser holds for its server,
// as someone who read them off the wire or the disk would.
func copyCookies(from, thief *client) {
	src, _ := url.Parse(from.ts.URL)
	dst, _ := url.Parse(thief.ts.URL)
	thief.http.Jar.SetCookies(dst, from.http.Jar.Cookies(src))
	thief.csrf = from.csrf
}

func isAnonymous(t *testing.T, c *client) bool {
	t.Helper()
	res := c.get("/account")
	return res.status == http.StatusSeeOther && strings.HasPrefix(res.header.Get("Location"), "/login")
}

// Logging out ends the session in the database: a cookie copied before
// POST /logout is anonymous afterwards on every instance, and its token
// changes nothing.
func TestLogoutEndsSessionOnEveryInstance(t *testing.T) {
	servers := newTestServers(t, 2)
	one, two := servers[0], servers[1]
	victim, _ := one.loggedIn("victim", models.RoleReader)
	victim.get("/account")

	thiefOne, thiefTwo := one.client(), two.client()
	copyCookies(victim, thiefOne)
	copyCookies(victim, thiefTwo)
	for _, thief := range []*client{thiefOne, thiefTwo} {
		if isAnonymous(t, thief) {
			t.Fatal("the copied cookie did not work before logout: the test proves nothing")
		}
	}
	stolenToken := victim.csrf

	if res := victim.post("/logout", nil); res.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.status)
	}
	for i, thief := range []*client{thiefOne, thiefTwo} {
		if !isAnonymous(t, thief) {
			t.Errorf("instance %d: the cookie copied before logout still logs in", i+1)
		}
		form := url.Values{"_csrf": {stolenToken}, "current_password": {passwordOf("victim")},
			"password": {"stolen passphrase here"}, "password_confirm": {"stolen passphrase here"}}
		if res := thief.post("/account/password", form); res.status < 400 {
			t.Errorf("instance %d: the old cookie and token changed the password: %d", i+1, res.status)
		}
	}
	if n := countSessions(t, one, "victim"); n != 0 {
		t.Errorf("%d session rows left after logout", n)
	}
}

// Each login has a CSRF token of its own: two sessions of one account do
// not share it, a new login gets a new one, and a token of one session is
// refused in another.
func TestCSRFTokenBelongsToOneSession(t *testing.T) {
	ts := newTestServer(t)
	a, _ := ts.loggedIn("twosessions", models.RoleReader)
	a.get("/account")
	b := ts.client()
	b.get("/login")
	b.post("/login", url.Values{"username": {"twosessions"}, "password": {passwordOf("twosessions")}})
	b.get("/account")
	if a.csrf == "" || a.csrf == b.csrf {
		t.Fatalf("two sessions of one account share the CSRF token %q", a.csrf)
	}
	// b's token in a's session is forged there.
	res := a.post("/account/sessions", url.Values{"_csrf": {b.csrf}})
	if res.status != http.StatusForbidden {
		t.Fatalf("another session's token: %d, want 403", res.status)
	}
	// Logging in again (after logout) makes a new token.
	old := a.csrf
	a.post("/logout", nil)
	a.get("/login")
	a.post("/login", url.Values{"username": {"twosessions"}, "password": {passwordOf("twosessions")}})
	a.get("/account")
	if a.csrf == old {
		t.Error("a new login kept the old session's CSRF token")
	}
	if res := a.post("/account/sessions", url.Values{"_csrf": {old}}); res.status != http.StatusForbidden {
		t.Errorf("the token of the ended session: %d, want 403", res.status)
	}
}

func countSessions(t *testing.T, ts *testServer, username string) int64 {
	t.Helper()
	u, err := models.UserByName(ts.db, username)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := ts.db.Model(&models.Session{}).Where("user_id = ?", u.ID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
