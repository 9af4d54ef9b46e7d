package handlers

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"margin/models"
)

func TestLibraryAndSampleArticle(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client()
	lib := c.get("/")
	if lib.status != http.StatusOK {
		t.Fatalf("library: %d", lib.status)
	}
	mustContain(t, strings.ToLower(lib.body), "the short-lived nato-russia honeymoon", "north atlantic treaty", "passages")
	docs, _ := models.ListDocuments(ts.db)
	var article uint
	for _, d := range docs {
		if d.Title == "The Short-lived NATO-Russia Honeymoon" {
			article = d.ID
		}
	}
	if article == 0 {
		t.Fatal("sample article not in the library")
	}
	page := c.get(fmt.Sprintf("/documents/%d", article))
	if page.status != http.StatusOK {
		t.Fatalf("document: %d", page.status)
	}
	mustContain(t, page.body, `id="p-1"`, `href="#p-1"`, "Meeting between NATO Secretary General",
		`passage passage--caption`, `<p class="caption-label">Photo caption</p><p class="ptext caption">`)
	withoutLinks := regexp.MustCompile(`<link [^>]*>`).ReplaceAllString(page.body, "")
	if n := strings.Count(withoutLinks, "The Short-lived NATO-Russia Honeymoon"); n > 2 {
		// <title> and <h1> only (and the feed's <link>, set aside): the
		// duplicated title line is not a passage.
		t.Errorf("title appears %d times", n)
	}
	for _, path := range []string{"/documents/999999", "/documents/abc", "/documents/1?rev=9"} {
		if res := c.get(path); res.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.status)
		}
	}
}

func TestImportFromBrowser(t *testing.T) {
	ts := newTestServer(t)
	edu, _ := ts.loggedIn("importer", models.RoleEducator)
	edu.get("/documents/new")
	md := "# Notes on Federalist 10\n\nFactions are *dangerous*.\n\n- first point\n- second point\n\n> A quoted passage.\n"
	res := edu.upload("/documents", nil, "file", "notes.md", []byte(md))
	if res.status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", res.status, res.body)
	}
	loc := res.header.Get("Location")
	page := edu.get(loc)
	mustContain(t, page.body, "Notes on Federalist 10", "Factions are dangerous.", "first point", "A quoted passage.", "Imported")

	// The same content again: no duplicate, same document.
	res = edu.upload("/documents", nil, "file", "copy.md", []byte(md))
	if res.header.Get("Location") != loc {
		t.Fatalf("re-import went to %q, want %q", res.header.Get("Location"), loc)
	}
	mustContain(t, edu.get(loc).body, "already in the library")

	// Pasted text with a title given.
	edu.get("/documents/new")
	res = edu.upload("/documents", url.Values{"content": {"First paragraph.\n\nSecond paragraph."}, "title": {"Pasted"}}, "", "", nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("paste: %d\n%s", res.status, res.body)
	}
	mustContain(t, edu.get(res.header.Get("Location")).body, "<h1 id=\"doc-title\">Pasted</h1>")
}

func TestImportRejectsBadInput(t *testing.T) {
	ts := newTestServer(t)
	edu, _ := ts.loggedIn("importer2", models.RoleEducator)
	before, _ := models.ListDocuments(ts.db)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
	cases := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"binary", "picture.png", png, "not a text document"},
		{"empty", "empty.txt", []byte("  \n\n "), "empty"},
		{"nothing", "", nil, "Choose a file to upload or paste the text."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			edu.get("/documents/new")
			field := "file"
			if tc.file == "" {
				field = ""
			}
			res := edu.upload("/documents", nil, field, tc.file, tc.data)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.status)
			}
			mustContain(t, res.body, tc.want)
		})
	}
	ts.app.cfg.MaxImportBytes = 1 << 20
	edu.get("/documents/new")
	res := edu.upload("/documents", nil, "file", "big.txt", []byte(strings.Repeat("word ", 300_000)))
	if res.status != http.StatusUnprocessableEntity && res.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized: %d", res.status)
	}
	mustContain(t, res.body, "larger than the limit")
	after, _ := models.ListDocuments(ts.db)
	if len(after) != len(before) {
		t.Fatalf("bad input changed the library: %d -> %d documents", len(before), len(after))
	}
}

func TestImportHTMLIsSanitised(t *testing.T) {
	ts := newTestServer(t)
	edu, _ := ts.loggedIn("importer3", models.RoleEducator)
	edu.get("/documents/new")
	doc := `<html><head><title>Safe &amp; sound</title><script>alert(1)</script><style>body{}</style></head>
<body onload="alert(2)"><h1>Safe &amp; sound</h1><p onclick="alert(3)">Hello <b>world</b><img src=x onerror=alert(4)></p>
<iframe src="https://evil.example"></iframe><p>&lt;script&gt;alert(5)&lt;/script&gt; stays text</p></body></html>`
	res := edu.upload("/documents", nil, "file", "page.html", []byte(doc))
	if res.status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", res.status, res.body)
	}
	page := edu.get(res.header.Get("Location"))
	mustContain(t, page.body, "Hello world", "&lt;script&gt;alert(5)&lt;/script&gt; stays text")
	mustNotContain(t, page.body, "alert(1)", "alert(2)", "alert(3)", "onerror", "<iframe", "evil.example", "<script>alert")
}

func TestDocumentEditDetails(t *testing.T) {
	ts := newTestServer(t)
	edu, _ := ts.loggedIn("editor", models.RoleEducator)
	edu.get("/documents/1/edit")
	res := edu.post("/documents/1/edit", url.Values{"title": {""}, "source_url": {"javascript:alert(1)"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid edit: %d", res.status)
	}
	mustContain(t, res.body, "A document needs a title.", "http:// or https://")
	res = edu.post("/documents/1/edit", url.Values{"title": {"A better title"}, "author": {"Someone"}, "source_url": {"https://example.org/a"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.status)
	}
	mustContain(t, edu.get("/documents/1").body, "A better title", "Someone", `href="https://example.org/a"`)
}

func TestHealthz(t *testing.T) {
	ts := newTestServer(t)
	res := ts.client().get("/healthz")
	if res.status != http.StatusOK || res.header.Get("Set-Cookie") != "" {
		t.Fatalf("healthz: %d cookie %q", res.status, res.header.Get("Set-Cookie"))
	}
	sqlDB, _ := ts.db.DB()
	sqlDB.Close()
	ts.now = ts.now.Add(healthCacheFor)
	if res := ts.client().get("/healthz"); res.status != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database closed: %d", res.status)
	}
}

func TestReviseTextMovesNotes(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	edu, _ := ts.loggedIn("reviser", models.RoleEducator)
	reader, _ := ts.loggedIn("annotator", models.RoleReader)
	id, _ := reader.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"7"}, "quote": {"75th anniversary"}, "body": {"Seventy-five years."}})
	if id == 0 {
		t.Fatal("no annotation")
	}
	form := edu.get(fmt.Sprintf("/documents/%d/revise", doc))
	mustContain(t, form.body, "# The Short-lived NATO-Russia Honeymoon", "Marking the 75th")
	if res := reader.get(fmt.Sprintf("/documents/%d/revise", doc)); res.status != http.StatusForbidden {
		t.Fatalf("reader may revise: %d", res.status)
	}
	m := regexp.MustCompile(`(?s)<textarea[^>]*name="content"[^>]*>(.*?)</textarea>`).FindStringSubmatch(form.body)
	text := html.UnescapeString(m[1])
	text = strings.Replace(text, "Meeting between NATO", "A new first paragraph.\n\nMeeting between NATO", 1)
	res := edu.upload(fmt.Sprintf("/documents/%d/revise", doc), url.Values{"content": {text}}, "", "", nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("revise: %d\n%s", res.status, res.body)
	}
	page := ts.client().get(fmt.Sprintf("/documents/%d", doc)).body
	mustContain(t, page, "A new first paragraph.", `<mark class="hl" data-range="`)
	mustContain(t, sectionOf(page, 8), "Seventy-five years.")
	mustContain(t, ts.client().get(fmt.Sprintf("/documents/%d?rev=1", doc)).body, "You are reading revision 1")
	// Saving the same text again is refused with a message.
	res = edu.upload(fmt.Sprintf("/documents/%d/revise", doc), url.Values{"content": {text}}, "", "", nil)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("identical revision: %d", res.status)
	}
	mustContain(t, res.body, "same as the current revision")
}
