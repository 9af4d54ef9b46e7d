package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"margin/models"
)

func TestSignupLoginLogout(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client()
	c.get("/signup")
	res := c.post("/signup", url.Values{"username": {"Ada_L"}, "email": {"ada@example.org"},
		"password": {"engines of analysis"}, "password_confirm": {"engines of analysis"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("signup: %d\n%s", res.status, res.body)
	}
	home := c.get("/")
	mustContain(t, home.body, "Welcome to Margin, ada_l.", `action="/logout"`)

	c.post("/logout", nil)
	mustNotContain(t, c.get("/").body, `action="/logout"`)

	c.get("/login")
	res = c.post("/login", url.Values{"username": {"ADA_L"}, "password": {"engines of analysis"}, "next": {"/documents/1"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/documents/1" {
		t.Fatalf("login: %d to %q", res.status, res.header.Get("Location"))
	}
}

func TestSignupValidation(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser("taken", models.RoleReader)
	cases := []struct {
		name string
		form url.Values
		want string
	}{
		{"short password", url.Values{"username": {"bob"}, "password": {"short"}, "password_confirm": {"short"}}, "at least 10 characters"},
		{"password contains name", url.Values{"username": {"roberta"}, "password": {"xxroberta123"}, "password_confirm": {"xxroberta123"}}, "must not contain your username"},
		{"bad username", url.Values{"username": {"a b"}, "password": {"long enough pw"}, "password_confirm": {"long enough pw"}}, "3 to 32 characters"},
		{"taken", url.Values{"username": {"taken"}, "password": {"long enough pw"}, "password_confirm": {"long enough pw"}}, "That username is taken."},
		{"mismatch", url.Values{"username": {"carol"}, "password": {"long enough pw"}, "password_confirm": {"long enough px"}}, "The two passwords differ."},
		{"bad email", url.Values{"username": {"dave"}, "email": {"not-an-address"}, "password": {"long enough pw"}, "password_confirm": {"long enough pw"}}, "does not look like an e-mail"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ts.client()
			c.get("/signup")
			res := c.post("/signup", tc.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.status)
			}
			mustContain(t, res.body, tc.want, `aria-invalid="true"`)
			if u := tc.form.Get("username"); u != "" && u != "a b" {
				mustContain(t, res.body, `value="`+u+`"`)
			}
		})
	}
}

func TestLoginThrottle(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser("victim", models.RoleReader)
	c := ts.client()
	c.get("/login")
	for i := 0; i < 5; i++ {
		res := c.post("/login", url.Values{"username": {"victim"}, "password": {"wrong password " + string(rune('a'+i))}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: status %d", i, res.status)
		}
	}
	// Even the right password is refused now, with a time to try again.
	res := c.post("/login", url.Values{"username": {"victim"}, "password": {passwordOf("victim")}})
	if res.status != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures: status %d, want 429", res.status)
	}
	mustContain(t, res.body, "Too many failed attempts. Try again in 15 minutes.")
	if res.header.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
	// Another client from the same address, other account: still allowed.
	ts.createUser("other", models.RoleReader)
	c2 := ts.client()
	c2.get("/login")
	if res := c2.post("/login", url.Values{"username": {"other"}, "password": {passwordOf("other")}}); res.status != http.StatusSeeOther {
		t.Fatalf("other account blocked: %d", res.status)
	}
	// After the window, the account opens again.
	ts.now = ts.now.Add(16 * time.Minute)
	if res := c.post("/login", url.Values{"username": {"victim"}, "password": {passwordOf("victim")}}); res.status != http.StatusSeeOther {
		t.Fatalf("after the window: status %d", res.status)
	}
}

func TestLoginThrottlePerIP(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client()
	c.get("/login")
	for i := 0; i < 30; i++ {
		c.post("/login", url.Values{"username": {"ghost" + strings.Repeat("x", i%7)}, "password": {"nope nope nope"}})
	}
	ts.createUser("innocent", models.RoleReader)
	res := c.post("/login", url.Values{"username": {"innocent"}, "password": {passwordOf("innocent")}})
	if res.status != http.StatusTooManyRequests {
		t.Fatalf("30 failures from one address then a new account: %d, want 429", res.status)
	}
}

func TestSessionEpochEndsEverySession(t *testing.T) {
	ts := newTestServer(t)
	c1, u := ts.loggedIn("reader1", models.RoleReader)
	c2 := ts.client()
	c2.get("/login")
	c2.post("/login", url.Values{"username": {"reader1"}, "password": {passwordOf("reader1")}})
	mustContain(t, c2.get("/account").body, "Log out everywhere")

	c1.get("/account")
	if res := c1.post("/account/sessions", nil); res.status != http.StatusSeeOther {
		t.Fatalf("end sessions: %d", res.status)
	}
	if res := c2.get("/account"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
		t.Fatalf("second session still alive: %d", res.status)
	}
	// A ban also ends sessions at once.
	c3 := ts.client()
	c3.get("/login")
	c3.post("/login", url.Values{"username": {"reader1"}, "password": {passwordOf("reader1")}})
	until := ts.now.Add(time.Hour)
	ts.db.Model(u).Update("banned_until", until)
	if res := c3.get("/account"); res.status != http.StatusSeeOther {
		t.Fatalf("banned user still logged in: %d", res.status)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	ts := newTestServer(t)
	c1, _ := ts.loggedIn("writer", models.RoleReader)
	c2 := ts.client()
	c2.get("/login")
	c2.post("/login", url.Values{"username": {"writer"}, "password": {passwordOf("writer")}})
	c1.get("/account")
	res := c1.post("/account/password", url.Values{"current_password": {passwordOf("writer")},
		"password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("change password: %d\n%s", res.status, res.body)
	}
	if res := c1.get("/account"); res.status != http.StatusOK {
		t.Fatalf("the changing session was logged out: %d", res.status)
	}
	if res := c2.get("/account"); res.status != http.StatusSeeOther {
		t.Fatalf("the other session survived: %d", res.status)
	}
}

func TestFirstAdminSetup(t *testing.T) {
	ts := newTestServer(t)
	token, err := models.NewSetupToken(ts.db, time.Now())
	if err != nil || token == "" {
		t.Fatalf("token: %q %v", token, err)
	}
	c := ts.client()
	if res := c.get("/setup?token=wrong"); res.status != http.StatusNotFound {
		t.Fatalf("wrong token: %d", res.status)
	}
	res := c.get("/setup?token=" + token)
	if res.status != http.StatusOK {
		t.Fatalf("setup page: %d", res.status)
	}
	res = c.post("/setup", url.Values{"token": {token}, "username": {"root"}, "password": {"the first admin pw"}, "password_confirm": {"the first admin pw"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("setup: %d\n%s", res.status, res.body)
	}
	u, _ := models.UserByName(ts.db, "root")
	if u == nil || u.Role != models.RoleAdmin {
		t.Fatalf("admin not created: %+v", u)
	}
	// The link is spent.
	if res := ts.client().get("/setup?token=" + token); res.status != http.StatusNotFound {
		t.Fatalf("token reusable: %d", res.status)
	}
	if tok, _ := models.NewSetupToken(ts.db, time.Now()); tok != "" {
		t.Fatal("a setup token was issued although an admin exists")
	}
}

func TestSignupThrottlePerAddress(t *testing.T) {
	ts := newTestServer(t)
	ts.app.cfg.SignupsPerIP = 3
	for i := 0; i < 3; i++ {
		c := ts.client()
		c.get("/signup")
		name := fmt.Sprintf("newcomer%d", i)
		res := c.post("/signup", url.Values{"username": {name}, "password": {"a long enough pw"}, "password_confirm": {"a long enough pw"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("signup %d: %d", i, res.status)
		}
	}
	c := ts.client()
	c.get("/signup")
	res := c.post("/signup", url.Values{"username": {"onetoomany"}, "password": {"a long enough pw"}, "password_confirm": {"a long enough pw"}})
	if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
		t.Fatalf("fourth signup from one address: %d, want 429", res.status)
	}
	mustContain(t, res.body, "Too many accounts were made from your address", `value="onetoomany"`)
	if u, _ := models.UserByName(ts.db, "onetoomany"); u != nil {
		t.Fatal("the refused account was created")
	}
	ts.now = ts.now.Add(61 * time.Minute)
	if res := c.post("/signup", url.Values{"username": {"onetoomany"}, "password": {"a long enough pw"}, "password_confirm": {"a long enough pw"}}); res.status != http.StatusSeeOther {
		t.Fatalf("after the hour: %d", res.status)
	}
}
