package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"margin/models"
)

func TestCSRFRequiredOnEveryStateChange(t *testing.T) {
	ts := newTestServer(t)
	reader, _ := ts.loggedIn("csrfreader", models.RoleReader)
	educator, _ := ts.loggedIn("csrfeducator", models.RoleEducator)
	posts := []struct {
		c    *client
		path string
		form url.Values
	}{
		{ts.client(), "/signup", url.Values{"username": {"newbie"}, "password": {"long enough pw"}, "password_confirm": {"long enough pw"}}},
		{ts.client(), "/login", url.Values{"username": {"csrfreader"}, "password": {passwordOf("csrfreader")}}},
		{reader, "/logout", nil},
		{reader, "/account/sessions", nil},
		{reader, "/account/password", url.Values{"current_password": {passwordOf("csrfreader")}, "password": {"another long pw"}, "password_confirm": {"another long pw"}}},
		{educator, "/documents/1/edit", url.Values{"title": {"Hijacked"}}},
		{educator, "/documents", url.Values{"content": {"Injected document."}}},
	}
	for _, p := range posts {
		for _, token := range []string{"", "forged-token"} {
			t.Run(p.path+"/"+token, func(t *testing.T) {
				form := url.Values{}
				for k, v := range p.form {
					form[k] = v
				}
				form.Set("_csrf", token)
				res := p.c.post(p.path, form)
				if res.status != http.StatusForbidden {
					t.Fatalf("status %d, want 403", res.status)
				}
				mustContain(t, res.body, "did not come from this site")
			})
		}
	}
	// Nothing changed.
	if u, _ := models.UserByName(ts.db, "newbie"); u != nil {
		t.Error("account created without CSRF token")
	}
	if d, _ := models.DocumentByID(ts.db, 1); d.Title == "Hijacked" {
		t.Error("document edited without CSRF token")
	}
	// The session survived the forged logout.
	if res := reader.get("/account"); res.status != http.StatusOK {
		t.Errorf("forged logout logged the reader out: %d", res.status)
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client()
	for _, path := range []string{"/", "/login", "/documents/1", "/nope", "/healthz"} {
		res := c.get(path)
		csp := res.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: weak CSP %q", path, csp)
		}
		if res.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", path)
		}
		if res.header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: no Referrer-Policy", path)
		}
	}
	res := ts.client().get("/login")
	cookie := res.header.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Errorf("session cookie flags: %q", cookie)
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("Secure cookie over plain HTTP would never come back: %q", cookie)
	}
	// Behind a TLS-terminating proxy the cookie is Secure.
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/login", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if !strings.Contains(res2.Header.Get("Set-Cookie"), "Secure") {
		t.Errorf("cookie behind an https proxy is not Secure: %q", res2.Header.Get("Set-Cookie"))
	}
	// No inline script in any page.
	for _, path := range []string{"/", "/login", "/signup", "/documents/1"} {
		body := c.get(path).body
		if strings.Contains(body, "<script>") || strings.Contains(body, " onclick=") {
			t.Errorf("%s has inline script", path)
		}
	}
}

func TestRoleChecks(t *testing.T) {
	ts := newTestServer(t)
	reader, _ := ts.loggedIn("plainreader", models.RoleReader)
	moderator, _ := ts.loggedIn("plainmod", models.RoleModerator)
	educator, _ := ts.loggedIn("teacher", models.RoleEducator)
	anon := ts.client()
	for _, path := range []string{"/documents/new", "/documents/1/edit"} {
		for name, c := range map[string]*client{"reader": reader, "moderator": moderator} {
			if res := c.get(path); res.status != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", name, path, res.status)
			}
		}
		if res := anon.get(path); res.status != http.StatusSeeOther {
			t.Errorf("anonymous GET %s: %d, want a redirect to log in", path, res.status)
		}
		if res := educator.get(path); res.status != http.StatusOK {
			t.Errorf("educator GET %s: %d", path, res.status)
		}
	}
	// A valid CSRF token does not make a reader an educator.
	reader.get("/")
	if res := reader.post("/documents/1/edit", url.Values{"title": {"Mine now"}}); res.status != http.StatusForbidden {
		t.Errorf("reader edit: %d", res.status)
	}
	if res := reader.upload("/documents", url.Values{"content": {"Reader upload."}}, "", "", nil); res.status != http.StatusForbidden {
		t.Errorf("reader import: %d", res.status)
	}
}

func TestBodyLimit(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client()
	c.get("/login")
	res := c.post("/login", url.Values{"username": {strings.Repeat("x", 100<<10)}, "password": {"whatever pw"}})
	if res.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("100 KB login form: %d, want 413", res.status)
	}
	mustContain(t, res.body, "too large")
}

func TestNULInFormsRefused(t *testing.T) {
	ts := newTestServer(t)
	edu, _ := ts.loggedIn("nuleditor", models.RoleEducator)
	edu.get("/documents/1/edit")
	res := edu.post("/documents/1/edit", url.Values{"title": {"Nul\x00title"}})
	if res.status != http.StatusBadRequest {
		t.Fatalf("NUL in a title: %d, want 400", res.status)
	}
	mustContain(t, res.body, "NUL character")
	if d, _ := models.DocumentByID(ts.db, 1); strings.ContainsRune(d.Title, 0) {
		t.Fatal("the NUL was stored")
	}
}
