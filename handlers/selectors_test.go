package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"

	"margin/models"
	"margin/models/textimport"
)

// importText adds a document with this text, as an educator.
func (ts *testServer) importText(name, text string) uint {
	ts.t.Helper()
	parsed, err := textimport.Parse(name+".txt", []byte(text), "", 0)
	if err != nil {
		ts.t.Fatal(err)
	}
	var importer models.User
	if err := ts.db.Where("role = ?", models.RoleAdmin).First(&importer).Error; err != nil {
		importer = *ts.createUser("importer", models.RoleAdmin)
	}
	res, err := models.ImportDocument(ts.db, parsed, &importer)
	if err != nil {
		ts.t.Fatal(err)
	}
	return res.Document.ID
}

const emojiText = `Emoji and accents

Before the phrase: I 😀 like 🎉 this 🧵 pretty phrase and cafe\u0301 au lait, the quoted words, then 👍 more 👍 words 👍 after it all.

A second passage with e\u0301le\u0300ve, x\u0303 and q\u0307 and 🇫🇷 flags, and a final quoted words too.`

// Every selector Margin writes is exact in the text its source serves: a
// client counting code points in the text/plain finds the quote at the
// position, with the prefix just before it and the suffix just after, each
// within 32 UTF-16 code units.
func TestSelectorsAreExactInTheirSource(t *testing.T) {
	ts := newTestServer(t)
	text := norm.NFC.String(strings.NewReplacer(`\u0301`, "\u0301", `\u0300`, "\u0300", `\u0303`, "\u0303", `\u0307`, "\u0307").Replace(emojiText))
	emoji := ts.importText("emoji", text)
	article := ts.articleID()
	c, _ := ts.loggedIn("counter", models.RoleReader)
	for _, f := range []url.Values{
		{"passage": {"1"}, "quote": {"the quoted words"}},
		{"passage": {"1"}, "quote": {"café au lait"}},
		{"passage": {"2"}, "quote": {"élève, x\u0303 and q\u0307"}},
		{"passage": {"2"}, "quote": {"quoted words"}},
		{"passage": {"2"}},
	} {
		f.Set("kind", "comment")
		f.Set("body", "Counting.")
		if id, res := c.annotate(emoji, f); id == 0 {
			t.Fatalf("%v: %d %s", f, res.status, res.body)
		}
	}
	for i, q := range []string{"Manfred Woerner", "Boris Yeltsin"} {
		c.annotate(article, url.Values{"kind": {"comment"}, "passage": {"1"}, "quote": {q}, "body": {fmt.Sprint("On ", i)}})
	}
	c.annotate(article, url.Values{"kind": {"comment"}, "passage": {"4"}, "body": {"Whole passage."}})

	checked := 0
	for _, doc := range []uint{emoji, article} {
		res := ts.bearer("GET", fmt.Sprintf("/documents/%d/annotations/", doc), "", "")
		first := decodeJSON(t, res)["first"].(map[string]any)
		for _, it := range first["items"].([]any) {
			target := it.(map[string]any)["target"].(map[string]any)
			source := target["source"].(string)
			served := ts.bearer("GET", strings.TrimPrefix(source, ts.URL), "", "")
			if served.status != http.StatusOK || served.header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Fatalf("source %s: %d %s", source, served.status, served.header.Get("Content-Type"))
			}
			if scope, _ := target["scope"].(string); !strings.HasPrefix(scope, fmt.Sprintf("%s/documents/%d?rev=", ts.URL, doc)) {
				t.Errorf("scope %q", scope)
			}
			runes := []rune(served.body)
			var start, end int
			var quote map[string]any
			for _, s := range target["selector"].([]any) {
				sel := s.(map[string]any)
				switch sel["type"] {
				case "TextPositionSelector":
					start, end = int(sel["start"].(float64)), int(sel["end"].(float64))
				case "TextQuoteSelector":
					quote = sel
				case "FragmentSelector":
					if sel["conformsTo"] != "http://tools.ietf.org/rfc/rfc5147" {
						t.Errorf("fragment %v", sel)
					}
				}
			}
			if start < 0 || end > len(runes) || start >= end {
				t.Errorf("%s: position %d-%d in %d code points", source, start, end, len(runes))
				continue
			}
			if quote == nil {
				continue
			}
			exact, prefix, suffix := quote["exact"].(string), quote["prefix"].(string), quote["suffix"].(string)
			if got := string(runes[start:end]); got != exact {
				t.Errorf("position %d-%d selects %q, quote %q", start, end, got, exact)
			}
			if !strings.HasSuffix(string(runes[:start]), prefix) || !strings.HasPrefix(string(runes[end:]), suffix) {
				t.Errorf("%q: prefix %q or suffix %q not around it", exact, prefix, suffix)
			}
			for _, s := range []string{prefix, suffix} {
				if n := len(utf16.Encode([]rune(s))); n > 32 || n < 30 && s != "" && len([]rune(s)) == 32 {
					t.Errorf("%q: context %q is %d UTF-16 code units", exact, s, n)
				}
			}
			// The same quote, looked up by a UTF-16 client: its position in
			// UTF-16 units maps back to the same code points.
			if u := utf16.Encode(runes); string(utf16.Decode(u[len(utf16.Encode(runes[:start])):len(utf16.Encode(runes[:end]))])) != exact {
				t.Errorf("%q not where UTF-16 counting puts it", exact)
			}
			checked++
		}
	}
	if checked != 6 {
		t.Errorf("checked %d phrases, want 6", checked)
	}
	// The source carries a link to the reading view, and a validator.
	res := ts.bearer("GET", fmt.Sprintf("/documents/%d/revisions/1/text", emoji), "", "")
	rev, _ := models.RevisionByNumber(ts.db, emoji, 1)
	if res.body != rev.Text || !strings.Contains(res.body, "x\u0303 and q\u0307") || !strings.Contains(res.header.Get("Link"), `rel="alternate"; type="text/html"`) || res.header.Get("ETag") == "" {
		t.Errorf("served text: %v", res.header)
	}
	if r := ts.bearer("GET", fmt.Sprintf("/documents/%d/revisions/9/text", emoji), "", ""); r.status != http.StatusNotFound {
		t.Errorf("missing revision: %d", r.status)
	}
}

// What Margin serves, a client can post back: a note placed from the
// source's own selectors lands on the same words.
func TestSelectorsRoundTripThroughTheProtocol(t *testing.T) {
	ts := newTestServer(t)
	text := norm.NFC.String(strings.NewReplacer(`\u0301`, "\u0301", `\u0300`, "\u0300", `\u0303`, "\u0303", `\u0307`, "\u0307").Replace(emojiText))
	doc := ts.importText("emoji", text)
	c, _ := ts.loggedIn("placer", models.RoleReader)
	id, _ := c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "quote": {"quoted words"}, "body": {"Second one."}})
	passage, _ := c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"1"}, "body": {"A passage."}})
	token := c.newToken("t", models.ScopeWrite, "7")
	for _, orig := range []uint{id, passage} {
		res := ts.bearer("GET", fmt.Sprintf("/documents/%d/annotations/%d", doc, orig), "", "")
		body := strings.Replace(res.body, `"Second one.`, `"Copied.`, 1)
		body = strings.Replace(body, `"A passage.`, `"Copied passage.`, 1)
		posted := ts.bearer("POST", fmt.Sprintf("/documents/%d/annotations/", doc), token, body, "Content-Type", "application/ld+json")
		if posted.status != http.StatusCreated {
			t.Fatalf("%d %s", posted.status, posted.body)
		}
		var a, b models.Annotation
		ts.db.First(&a, orig)
		ts.db.Order("id DESC").First(&b)
		if a.PassageNumber != b.PassageNumber || a.Start != b.Start || a.End != b.End || a.Exact != b.Exact {
			t.Errorf("posted back: %+v, was %+v", b, a)
		}
		// PUT of the same target keeps the note where it is.
		put := ts.bearer("PUT", strings.TrimPrefix(decodeJSON(t, posted)["id"].(string), ts.URL), token, posted.body,
			"Content-Type", "application/ld+json", "If-Match", posted.header.Get("ETag"))
		if put.status != http.StatusOK {
			t.Errorf("PUT back: %d %s", put.status, put.body)
		}
	}
}
