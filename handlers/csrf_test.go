package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// forgery is one way a state-changing request may come from elsewhere.
type forgery struct {
	name string
	// token is the _csrf sent in the body; query, when set, goes in the
	// address instead.
	token, query string
	header       map[string]string
}

func forgeries(own, foreign string) []forgery {
	return []forgery{
		{name: "missing token"},
		{name: "foreign token", token: foreign},
		{name: "token in the query string", query: own},
		{name: "cross-origin", token: own, header: map[string]string{"Origin": "https://evil.example"}},
		{name: "look-alike origin", token: own, header: map[string]string{"Origin": "http://127.0.0.1.evil.example"}},
		{name: "null origin", token: own, header: map[string]string{"Origin": "null"}},
		{name: "cross-site fetch", token: own, header: map[string]string{"Sec-Fetch-Site": "cross-site"}},
	}
}

// send posts f to path as c's browser.
func (f forgery) send(c *client, path string) response {
	c.ts.t.Helper()
	target := c.ts.URL + path
	if f.query != "" {
		target += "?" + url.Values{"_csrf": {f.query}}.Encode()
	}
	form := url.Values{"reason": {"spam"}, "note": {"forged"}, "body": {"Forged."}, "kind": {"comment"}}
	if f.token != "" {
		form.Set("_csrf", f.token)
	}
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range f.header {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

var routeParam = regexp.MustCompile(`:[a-z]+|\*`)

// Every state-changing route in the route table refuses a request without
// the session's token, with another session's, with the token in the
// address, or from another site's page even with the right token. A route
// added without the CSRF check fails this test by itself.
func TestEveryStateChangingRouteRefusesForgedRequests(t *testing.T) {
	ts := newTestServer(t)
	admin, _ := ts.loggedIn("routeadmin", models.RoleAdmin)
	admin.get("/account")
	own := admin.csrf
	other, _ := ts.loggedIn("routeother", models.RoleReader)
	other.get("/account")
	if own == "" || other.csrf == "" || own == other.csrf {
		t.Fatalf("tokens %q and %q: the test needs two sessions with tokens of their own", own, other.csrf)
	}
	failures, checked := forgedRouteFailures(admin, ts.app.echo(), own, other.csrf)
	for _, f := range failures {
		t.Error(f)
	}
	if checked < 40 {
		t.Fatalf("only %d state-changing routes in the table", checked)
	}
	// None of it acted: the admin is still logged in, with the same token.
	if res := admin.get("/account"); res.status != http.StatusOK || admin.csrf != own {
		t.Fatalf("after the forgeries: %d", res.status)
	}
	// The same request from this site's own page goes through.
	ok := forgery{token: own, header: map[string]string{"Origin": ts.URL, "Sec-Fetch-Site": "same-origin"}}
	if res := ok.send(admin, "/inbox/read"); res.status != http.StatusSeeOther {
		t.Fatalf("a same-origin post with the right token: %d\n%s", res.status, res.body)
	}
	// Behind a proxy that rewrites Host, the host the browser used comes as X-Forwarded-Host.
	proxied := forgery{token: own, header: map[string]string{"Origin": "https://margin.example", "X-Forwarded-Host": "margin.example", "X-Forwarded-Proto": "https"}}
	if res := proxied.send(admin, "/inbox/read"); res.status != http.StatusSeeOther {
		t.Fatalf("a post through a proxy passing X-Forwarded-Host: %d", res.status)
	}
}

// forgedRouteFailures sends every state-changing route of e's table each
// forgery as c's browser, and says which were not refused as forged.
func forgedRouteFailures(c *client, e *echo.Echo, own, foreign string) (failures []string, checked int) {
	for _, r := range e.Routes() {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue
		}
		if _, exempt := csrfExempt[r.Method+" "+r.Path]; exempt {
			continue // TestCSRFExemptions
		}
		path := routeParam.ReplaceAllString(r.Path, "1")
		for _, f := range forgeries(own, foreign) {
			res := f.send(c, path)
			if res.status != http.StatusForbidden || !strings.Contains(res.body, "did not come from this site") {
				failures = append(failures, fmt.Sprintf("%s %s with %s: %d, want the 403 of a forged form", r.Method, r.Path, f.name, res.status))
			}
		}
		checked++
	}
	return failures, checked
}

// The route-table test catches a route added without the CSRF check.
func TestForgedRouteCheckCatchesAnUnprotectedRoute(t *testing.T) {
	ts := newTestServer(t)
	e := ts.app.echo()
	e.POST("/unprotected", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	ts.Server = httptest.NewServer(e)
	t.Cleanup(ts.Server.Close)
	admin, _ := ts.loggedIn("careless", models.RoleAdmin)
	admin.get("/account")
	failures, _ := forgedRouteFailures(admin, e, admin.csrf, "not-a-token")
	if len(failures) != len(forgeries("", "")) || !strings.Contains(failures[0], "POST /unprotected") {
		t.Fatalf("an unprotected route gave %d failures, want one per forgery, all for it:\n%s", len(failures), strings.Join(failures, "\n"))
	}
}

// Pages made for a logged-in user are kept out of every cache.
func TestPersonalPagesAreNotStored(t *testing.T) {
	ts := newTestServer(t)
	mod, _ := ts.loggedIn("privatemod", models.RoleModerator)
	for _, path := range []string{"/inbox", "/account", "/assignments", "/moderation", "/moderation/log", "/classes", "/", "/search?q=nato"} {
		res := mod.get(path)
		if res.status != http.StatusOK {
			t.Errorf("%s: %d", path, res.status)
			continue
		}
		if got := res.header.Get("Cache-Control"); got != "private, no-store" {
			t.Errorf("%s: Cache-Control %q, want private, no-store", path, got)
		}
	}
	// A visitor's pages may be kept, and revalidated.
	if got := ts.client().get("/").header.Get("Cache-Control"); got != "no-cache" {
		t.Errorf("visitor's library: Cache-Control %q", got)
	}
}

// The writes that take no CSRF token are declared here as well as in
// csrfExempt: adding one takes changing both.
func TestCSRFExemptions(t *testing.T) {
	want := []string{"POST /mail/unsubscribe/:token"} // RFC 8058 one-click, from a mail client
	if len(csrfExempt) != len(want) {
		t.Fatalf("csrfExempt has %d routes, want %v", len(csrfExempt), want)
	}
	for _, key := range want {
		if csrfExempt[key] == "" {
			t.Errorf("%s is not exempt, or without its reason", key)
		}
	}
}
