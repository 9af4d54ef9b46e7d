package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"margin/models"
)

var tokenSecret = regexp.MustCompile(`<code class="token-secret">(margin_[0-9a-f]+)</code>`)

// newToken makes a token on the account page and returns its secret.
func (c *client) newToken(name string, scope models.TokenScope, expires string) string {
	c.ts.t.Helper()
	c.get("/account")
	res := c.post("/account/tokens", url.Values{"name": {name}, "scope": {string(scope)}, "expires": {expires}})
	m := tokenSecret.FindStringSubmatch(res.body)
	if res.status != http.StatusOK || m == nil {
		c.ts.t.Fatalf("create token: %d\n%s", res.status, res.body)
	}
	if cc := res.header.Get("Cache-Control"); cc != "no-store" {
		c.ts.t.Errorf("page with the secret: Cache-Control %q", cc)
	}
	return m[1]
}

// bearer sends a request with a token and no cookie.
func (ts *testServer) bearer(method, path, token string, body string, headers ...string) response {
	ts.t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return ts.client().do(req)
}

func TestTokensOnTheAccountPage(t *testing.T) {
	ts := newTestServer(t)
	c, u := ts.loggedIn("scripter", models.RoleReader)
	secret := c.newToken("my script", models.ScopeRead, "30")

	// Shown once: the account page lists the token by name, never the secret.
	page := c.get("/account")
	mustContain(t, page.body, "my script", "read only", secret[:13]+"…")
	mustNotContain(t, page.body, secret)
	var stored models.APIToken
	ts.db.Where("user_id = ?", u.ID).First(&stored)
	if strings.Contains(stored.Hash, secret) || stored.ExpiresAt == nil || !stored.ExpiresAt.Equal(ts.now.AddDate(0, 0, 30)) {
		t.Errorf("stored %+v", stored)
	}

	// A bad form re-renders with its errors.
	if res := c.post("/account/tokens", url.Values{"name": {""}, "scope": {"all"}, "expires": {"30"}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("bad token form: %d", res.status)
	}
	// Without the CSRF token the form is refused.
	if res := c.post("/account/tokens", url.Values{"_csrf": {"forged"}, "name": {"x"}, "scope": {"read"}, "expires": {"7"}}); res.status != http.StatusForbidden {
		t.Errorf("forged token form: %d", res.status)
	}

	// Another user cannot revoke it; its owner can.
	other, _ := ts.loggedIn("other", models.RoleReader)
	other.get("/account")
	if res := other.post(fmt.Sprintf("/account/tokens/%d/revoke", stored.ID), nil); res.status != http.StatusNotFound {
		t.Errorf("someone else revoked it: %d", res.status)
	}
	if res := ts.bearer("GET", "/api/documents/1/annotations", secret, ""); res.status != http.StatusOK {
		t.Fatalf("token before revoking: %d %s", res.status, res.body)
	}
	if res := c.post(fmt.Sprintf("/account/tokens/%d/revoke", stored.ID), nil); res.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.status)
	}
	if res := ts.bearer("GET", "/api/documents/1/annotations", secret, ""); res.status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d", res.status)
	}
}

func TestAdminsListAndRevokeTokens(t *testing.T) {
	ts := newTestServer(t)
	c, _ := ts.loggedIn("owner", models.RoleReader)
	secret := c.newToken("owner's tool", models.ScopeWrite, "never")
	admin, _ := ts.loggedIn("boss", models.RoleAdmin)
	moderator, _ := ts.loggedIn("mod", models.RoleModerator)
	if res := moderator.get("/admin/tokens"); res.status != http.StatusForbidden {
		t.Errorf("moderator sees the token list: %d", res.status)
	}
	res := admin.get("/admin/tokens")
	mustContain(t, res.body, "owner", "owner&#39;s tool", "read and write", "never")
	mustNotContain(t, res.body, secret)
	var tok models.APIToken
	ts.db.First(&tok)
	if res := admin.post(fmt.Sprintf("/admin/tokens/%d/revoke", tok.ID), nil); res.status != http.StatusSeeOther {
		t.Fatalf("admin revoke: %d", res.status)
	}
	if res := ts.bearer("GET", "/api/documents/1/annotations", secret, ""); res.status != http.StatusUnauthorized {
		t.Errorf("token revoked by an admin: %d", res.status)
	}
}

func TestBearerTokenOnTheAPI(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	c, _ := ts.loggedIn("writer", models.RoleReader)
	private, _ := c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"1"}, "body": {"Only for me."}, "visibility": {"private"}})
	secret := c.newToken("reader", models.ScopeRead, "7")
	path := fmt.Sprintf("/api/annotations/%d", private)

	// The token sees what its owner sees; a visitor does not.
	if res := ts.bearer("GET", path, secret, ""); res.status != http.StatusOK {
		t.Errorf("owner's token on a private note: %d %s", res.status, res.body)
	}
	if res := ts.bearer("GET", path, "", ""); res.status != http.StatusNotFound {
		t.Errorf("visitor on a private note: %d", res.status)
	}

	// A bad token is refused in JSON, never answered as the cookie's user.
	for name, auth := range map[string]string{"unknown": "Bearer margin_0000", "not bearer": "Basic d3JpdGVyOnB3", "empty": "Bearer "} {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Authorization", auth)
		res := c.do(req) // c holds a logged-in session cookie
		var body map[string]any
		if res.status != http.StatusUnauthorized || json.Unmarshal([]byte(res.body), &body) != nil || body["status"] != float64(401) {
			t.Errorf("%s: %d %s", name, res.status, res.body)
		}
		if res.header.Get("WWW-Authenticate") == "" || res.header.Get("Set-Cookie") != "" {
			t.Errorf("%s: headers %v", name, res.header)
		}
	}
	// A token request never sets a cookie.
	if res := ts.bearer("GET", "/api/documents/1/annotations", secret, ""); res.header.Get("Set-Cookie") != "" {
		t.Errorf("token request set a cookie")
	}

	// Expired tokens stop.
	ts.now = ts.now.Add(8 * 24 * time.Hour)
	if res := ts.bearer("GET", path, secret, ""); res.status != http.StatusUnauthorized {
		t.Errorf("expired token: %d", res.status)
	}
}
