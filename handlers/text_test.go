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

// badTexts are the two kinds of bytes no text in Margin may hold.
var badTexts = map[string]string{"invalid UTF-8": "caf\xe9 \xff\xfe", "NUL": "a\x00b"}

// Every route in the route table refuses a query field (and, for a POST, a
// form field) holding invalid UTF-8 or a NUL with a 400 that names the
// field, before its handler runs; a new route, or a new group of routes,
// is covered by itself.
func TestEveryRouteRefusesBadText(t *testing.T) {
	ts := newTestServer(t)
	admin, _ := ts.loggedIn("edgeadmin", models.RoleAdmin)
	admin.get("/")
	for _, r := range ts.app.echo().Routes() {
		parts := strings.Split(r.Path, "/")
		for i, p := range parts {
			if strings.HasPrefix(p, ":") || p == "*" {
				parts[i] = "1"
			}
		}
		path := strings.Join(parts, "/")
		for what, bad := range badTexts {
			var res response
			switch r.Method {
			case http.MethodGet:
				res = admin.get(path + "?ok=fine&body=" + url.QueryEscape(bad))
			case http.MethodPost:
				res = admin.post(path, url.Values{"ok": {"fine"}, "body": {bad}})
			default:
				continue
			}
			if res.status != http.StatusBadRequest || !strings.Contains(res.body, "field “body”") {
				t.Errorf("%s %s with %s in body: %d, want 400 naming the field\n%.300s", r.Method, path, what, res.status, res.body)
			}
		}
	}
}

// The fields the attack found stored raw on SQLite and answered 500 on
// PostgreSQL: each is refused, named, and nothing is stored.
func TestBadTextInFormsIsRefusedAndNotStored(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	edu, _ := ts.loggedIn("edgeedu", models.RoleEducator)
	for what, bad := range badTexts {
		for _, field := range []string{"body", "counterpoint", "cite_title", "cite_text", "quote"} {
			form := url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"A fine note."}}
			form.Set(field, bad)
			id, res := edu.annotate(doc, form)
			if id != 0 || res.status != http.StatusBadRequest || !strings.Contains(res.body, "“"+field+"”") {
				t.Errorf("note with %s in %s: id %d, %d\n%.300s", what, field, id, res.status, res.body)
			}
		}
		edu.get("/classes/new")
		res := edu.post("/classes", url.Values{"name": {"Class " + bad}, "term": {"Spring"}})
		if res.status != http.StatusBadRequest || !strings.Contains(res.body, "“name”") {
			t.Errorf("class with %s in its name: %d\n%.300s", what, res.status, res.body)
		}
		res = edu.upload("/documents", url.Values{"content": {"First paragraph.\n\nSecond."}, "title": {bad}}, "", "", nil)
		if res.status != http.StatusBadRequest || !strings.Contains(res.body, "“title”") {
			t.Errorf("pasted document with %s in its title: %d\n%.300s", what, res.status, res.body)
		}
	}
	var n int64
	ts.db.Model(&models.Annotation{}).Count(&n)
	if n != 0 {
		t.Errorf("%d notes stored", n)
	}
	var classes []models.Class
	ts.db.Find(&classes)
	for _, c := range classes {
		if strings.HasPrefix(c.Name, "Class ") {
			t.Errorf("class %q stored", c.Name)
		}
	}
}

// Paths and queries are checked at the same edge: 400 naming what is
// wrong, never a 500 (PostgreSQL refused these with SQLSTATE 22021).
func TestBadTextInPathsAndQueries(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client()
	for _, tc := range []struct{ path, want string }{
		{"/users/%00", "its name holds a NUL"},
		{"/users/%FF%FE", "its name holds bytes that are not UTF-8"},
		{"/search?q=%FF%FE", "query field “q” holds bytes that are not UTF-8"},
		{"/search?q=%00", "query field “q” holds a NUL"},
		{fmt.Sprintf("/documents/%d?sort=%%00", ts.articleID()), "“sort”"},
	} {
		res := c.get(tc.path)
		if res.status != http.StatusBadRequest || !strings.Contains(res.body, tc.want) {
			t.Errorf("GET %s: %d, want 400 saying %q\n%.300s", tc.path, res.status, tc.want, res.body)
		}
	}
}

// Uploaded files are repaired as the importer documents, not refused: bad
// bytes in the file and its name become U+FFFD (or Windows-1252 when the
// whole file reads so), and what is stored is text. (A NUL in a part's
// header makes the multipart form unreadable: 400 before any of this.)
func TestUploadedFilesAreRepaired(t *testing.T) {
	ts := newTestServer(t)
	edu, _ := ts.loggedIn("edgeimporter", models.RoleEducator)
	edu.get("/documents/new")
	res := edu.upload("/documents", nil, "file", "report \xff.txt", []byte("Caf\xc3\xa9 first paragraph, then a bad byte \xff here.\n\nSecond paragraph.\n"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", res.status, res.body)
	}
	var docs []models.Document
	if err := ts.db.Order("id DESC").Limit(1).Find(&docs).Error; err != nil || len(docs) == 0 {
		t.Fatal(err)
	}
	d, err := models.DocumentByID(ts.db, docs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	passages, err := models.Passages(ts.db, d.CurrentRevisionID)
	if err != nil || len(passages) == 0 {
		t.Fatalf("passages: %v", err)
	}
	texts := []string{d.Title, d.Author}
	for _, p := range passages {
		texts = append(texts, p.Text)
	}
	for _, s := range texts {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			t.Errorf("stored %q", s)
		}
	}
}

// The browser's own headers that a note's screening keeps (User-Agent,
// Referer) are repaired, not refused: a note posted with bad bytes in them
// is stored, on PostgreSQL too.
func TestScreeningHeadersAreRepaired(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	c, _ := ts.loggedIn("edgeagent", models.RoleReader)
	c.get(fmt.Sprintf("/documents/%d/annotate?p=2", doc))
	form := url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"A note from an odd browser."}, "_csrf": {c.csrf}}
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/documents/%d/annotations", ts.URL, doc), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "Odd\xff\xfeBrowser/1.0")
	req.Header.Set("Referer", ts.URL+"/\xff")
	if res := c.do(req); res.status != http.StatusSeeOther {
		t.Fatalf("post with odd headers: %d\n%.300s", res.status, res.body)
	}
}
