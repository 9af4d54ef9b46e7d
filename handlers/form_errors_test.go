package handlers

import (
	"net/http"
	"net/url"
	"testing"

	"margin/models"
)

// Forms report every field's error at once: a bad username with a short
// password that also differs from its confirmation shows all three.
func TestFormsShowEveryError(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client()
	c.get("/signup")
	res := c.post("/signup", url.Values{"username": {"A!"}, "email": {"not an address"}, "password": {"short"}, "password_confirm": {"shorter"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("signup: %d", res.status)
	}
	mustContain(t, res.body, "Use 3 to 32 characters", "This does not look like an e-mail address.",
		"Use at least", "The two passwords differ.", `value="not an address"`)

	acct, _ := ts.loggedIn("alicia", models.RoleReader)
	acct.get("/account")
	res = acct.post("/account/password", url.Values{"current_password": {passwordOf("alicia")}, "password": {"short"}, "password_confirm": {"other"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("password change: %d", res.status)
	}
	mustContain(t, res.body, "Use at least", "The two passwords differ.")
}
