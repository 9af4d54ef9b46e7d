package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"margin/models"
)

// offSite are targets a browser would follow off the site, or that would
// put a control character in a response header.
var offSite = []string{
	"", "evil.example", "http://evil.example/", "https://evil.example", "HTTP://evil.example",
	"javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
	"mailto:a@evil.example", "//evil.example", "///evil.example", "////evil.example",
	"/\\evil.example", "\\\\evil.example", "\\/evil.example", "/\\/evil.example", "/a\\b",
	"/\t/evil.example/", "/\t\\evil", "/\t\t/", "\t//evil.example", "/\n/evil.example",
	"/\r/evil.example", "/\r\n/evil.example", "/%00x", "/\x00x", "/\x7f/evil", "/\x0b/evil",
	"/\x0c/evil", "/\x1b/evil", "/%09/evil.example/", "/%0a/evil.example", "/%0d%0aSet-Cookie:x=1",
	"/%2f/evil.example", "/%2F%2Fevil.example", "/%5cevil.example", "/%5C%5Cevil.example",
	"/%252f/evil.example", "/%25252f/evil.example", "/%2525252f/evil.example", "/%zz", "/%",
	"/%e2%80%8b/evil.example", "/\u200b/evil.example", "/\u2028/evil.example", "/\u00a0/evil.example",
	"/\ufeff/evil.example", "/\xff\xfe", "/%ff", " /", " //evil.example", "https:/evil.example",
	"/\u3000/evil.example", "/\u200e/evil.example", "/x%00", "/documents/1\t",
}

// onSite are ordinary local targets that must pass unchanged.
var onSite = []string{
	"/", "/documents/1", "/documents/1?p=2#a-3", "/search?q=a+b&page=2", "/annotations/7/history",
	"/moderation", "/users/ana%20maria", "/search?q=%E2%9C%93", "/documents/1#note-12",
	"/classes/3/assignments/4", "/search?q=50%25", "/a:b", "/inbox?next=//evil.example",
	"/docs/caf\u00e9", "/a b",
}

func TestSafeLocalPathCorpus(t *testing.T) {
	if len(offSite)+len(onSite) < 50 {
		t.Fatalf("corpus has %d forms, want 50 or more", len(offSite)+len(onSite))
	}
	for _, p := range offSite {
		if got := safeLocalPath(p, "/fallback"); got != "/fallback" {
			t.Errorf("safeLocalPath(%q) = %q, want the fallback", p, got)
		}
	}
	for _, p := range onSite {
		if got := safeLocalPath(p, "/fallback"); got != p {
			t.Errorf("safeLocalPath(%q) = %q, want it unchanged", p, got)
		}
	}
}

// Every redirect that takes its target from the request goes through
// safeLocalPath: ?next= on /login (already logged in, and on submit) and
// the back field of note forms.
func TestRedirectTargetsStayOnSite(t *testing.T) {
	ts := newTestServer(t)
	author, _ := ts.loggedIn("scribe", models.RoleReader)
	noteID, res := author.annotate(ts.articleID(), url.Values{"kind": {"question"}, "passage": {"6"}, "body": {"Which officials?"}})
	if noteID == 0 {
		t.Fatalf("annotate: %d\n%s", res.status, res.body)
	}
	c, _ := ts.loggedIn("wanderer", models.RoleReader)
	c.get(fmt.Sprintf("/annotations/%d", noteID))
	check := func(how, target string, res response, want string) {
		t.Helper()
		if res.status == http.StatusBadRequest && (strings.Contains(target, "\x00") || !utf8.ValidString(target)) {
			return // checkText turned it away before any handler
		}
		if res.status != http.StatusSeeOther || res.header.Get("Location") != want {
			t.Errorf("%s %q: %d Location %q, want 303 to %q", how, target, res.status, res.header.Get("Location"), want)
		}
	}
	for _, p := range offSite {
		if p == "" {
			continue
		}
		check("login?next=", p, c.get("/login?next="+url.QueryEscape(p)), "/")
		form := url.Values{"back": {p}}
		check("helpful back", p, c.post(fmt.Sprintf("/annotations/%d/helpful", noteID), form), fmt.Sprintf("/annotations/%d", noteID))
	}
	check("login?next=", "/documents/1?p=2", c.get("/login?next="+url.QueryEscape("/documents/1?p=2")), "/documents/1?p=2")

	anon := ts.createUser("returner", models.RoleReader)
	fresh := ts.client()
	fresh.get("/login")
	check("login submit next", "/\t/evil.example/", fresh.post("/login", url.Values{
		"username": {anon.Username}, "password": {passwordOf(anon.Username)}, "next": {"/\t/evil.example/"},
	}), "/")
}
