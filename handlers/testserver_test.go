package handlers

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/passhash"
)

// testServer is Margin on a real database and real templates, behind
// httptest, with a clock tests can move.
type testServer struct {
	*httptest.Server
	t   testing.TB
	db  *gorm.DB
	app *App
	now time.Time
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	return newTestServers(t, 1)[0]
}

// newTestServers starts n instances of Margin on one seeded database, as
// several servers behind a load balancer; they share the session keys and
// each has its own pool, caches and clock.
func newTestServers(t testing.TB, n int) []*testServer {
	t.Helper()
	dbs := modeltest.OpenShared(t, n)
	if _, err := models.SeedSamples(dbs[0]); err != nil {
		t.Fatal(err)
	}
	servers := make([]*testServer, n)
	for i, db := range dbs {
		servers[i] = newTestServerOn(t, db)
	}
	return servers
}

func newTestServerOn(t testing.TB, db *gorm.DB) *testServer {
	t.Helper()
	ts := &testServer{t: t, db: db, now: time.Date(2026, 4, 4, 12, 0, 0, 0, time.UTC)}
	cfg := Config{
		SessionHashKey:  bytes.Repeat([]byte{1}, 64),
		SessionBlockKey: bytes.Repeat([]byte{2}, 32),
		PasswordCost:    passhash.Fast,
		Now:             func() time.Time { return ts.now },
		// The clock stands still and most tests post as new accounts: the
		// spam check's speed and new-account rules would hold every note.
		// Moderation tests turn them on (strictScreening).
		Screen: models.ScreenConfig{NewAccountHeld: -1, MinFormTime: -1},
	}
	app, err := newApp(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.app = app
	ts.Server = httptest.NewServer(app.echo())
	t.Cleanup(ts.Close)
	return ts
}

// client is one browser: its own cookie jar, no automatic redirects.
type client struct {
	ts   *testServer
	http *http.Client
	csrf string
	// from, when set, is the address the client's requests come from, as a
	// proxy in front of Margin would say it (X-Forwarded-For).
	from string
}

func (ts *testServer) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{ts: ts, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	status int
	header http.Header
	body   string
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *client) do(req *http.Request) response {
	c.ts.t.Helper()
	if c.from != "" {
		req.Header.Set("X-Forwarded-For", c.from)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.ts.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	body := string(b)
	if m := csrfInput.FindStringSubmatch(body); m != nil {
		c.csrf = html.UnescapeString(m[1])
	}
	return response{status: res.StatusCode, header: res.Header, body: body}
}

// browserAccept is what browsers ask for when they follow a link.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

func (c *client) get(path string) response {
	c.ts.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.ts.URL+path, nil)
	req.Header.Set("Accept", browserAccept)
	return c.do(req)
}

// post sends a form with the CSRF token of the last page seen (unless the
// form sets _csrf itself).
func (c *client) post(path string, form url.Values) response {
	c.ts.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["_csrf"]; !set {
		if c.csrf == "" {
			c.get("/")
		}
		form.Set("_csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// upload posts a multipart form with one file.
func (c *client) upload(path string, fields url.Values, fileField, fileName string, data []byte) response {
	c.ts.t.Helper()
	if c.csrf == "" {
		c.get("/")
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", c.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if fileField != "" {
		fw, _ := w.CreateFormFile(fileField, fileName)
		fw.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.ts.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// createUser makes an account directly in the database.
func (ts *testServer) createUser(name string, role models.Role) *models.User {
	ts.t.Helper()
	u, err := models.CreateUser(ts.db, models.NewUser{Username: name, Password: passwordOf(name), Role: role}, passhash.Fast)
	if err != nil {
		ts.t.Fatal(err)
	}
	return u
}

// passwordOf is the password createUser gives an account.
func passwordOf(name string) string { return "correct horse battery staple #" + fmt.Sprint(len(name)) }

// loggedIn returns a client logged in as a new user with that role.
func (ts *testServer) loggedIn(name string, role models.Role) (*client, *models.User) {
	ts.t.Helper()
	u := ts.createUser(name, role)
	c := ts.client()
	c.get("/login")
	res := c.post("/login", url.Values{"username": {name}, "password": {passwordOf(name)}})
	if res.status != http.StatusSeeOther {
		ts.t.Fatalf("login as %s: status %d\n%s", name, res.status, res.body)
	}
	return c, u
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page does not contain %q", w)
		}
	}
}

func mustNotContain(t *testing.T, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("page contains %q", b)
		}
	}
}

func newHTTPServer(a *App) *httptest.Server { return httptest.NewServer(a.echo()) }
