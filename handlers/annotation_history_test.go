package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"margin/models"
)

// The edit history renders every version as the note shows it (not the
// earlier ones as Markdown source), newest first, with the words changed
// from the version before marked.
func TestHistoryRendersEveryVersionWithChanges(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	alice, _ := ts.loggedIn("alicia", models.RoleReader)
	id, _ := alice.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"5"}, "body": {"A **bold** first try <script>alert(1)</script>"}})
	edit := func(form url.Values) {
		t.Helper()
		alice.get(fmt.Sprintf("/annotations/%d/edit", id))
		if res := alice.post(fmt.Sprintf("/annotations/%d/edit", id), form); res.status != http.StatusSeeOther {
			t.Fatalf("edit: %d\n%s", res.status, res.body)
		}
	}
	edit(url.Values{"kind": {"comment"}, "body": {"A **bold** second try"}})
	edit(url.Values{"kind": {"reference"}, "body": {"A **bold** second try, with a source"},
		"cite_title": {"The treaty"}, "cite_url": {"https://example.org/treaty"}, "cite_text": {""}})
	ts.publish(id) // the spam check may hold an edit that adds a link; the history of a published note is what is tested

	// Read as its author: a filter may hold the edited note for review.
	hist := alice.get(fmt.Sprintf("/annotations/%d/history", id)).body
	if n := strings.Count(hist, "<strong>bold</strong>"); n != 3 {
		t.Errorf("%d versions rendered, want 3", n)
	}
	mustNotContain(t, hist, "**bold**", "note__source", "<script>alert")
	mustContain(t, hist, "Version 3 (now)", "Version 1 (the first)",
		"What changed from version 1", "<del>first</del><ins>second</ins>",
		"What changed from version 2", "<ins>, with a source", "<del>Comment</del><ins>Reference</ins>",
		`<a href="https://example.org/treaty" rel="nofollow ugc noopener">The treaty</a>`)
	if strings.Index(hist, "Version 3") > strings.Index(hist, "Version 1") {
		t.Error("versions are not newest first")
	}
	mustContain(t, hist, "3 versions")
}

// Delete asks first without JavaScript too: the form's first post shows a
// page that asks, and only its confirmed post deletes.
func TestDeleteAsksFirst(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	alice, _ := ts.loggedIn("alicia", models.RoleReader)
	id, _ := alice.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"5"}, "body": {"A note to think twice about."}})
	mustContain(t, alice.get(fmt.Sprintf("/annotations/%d", id)).body, `data-confirm="Delete this annotation?`)
	res := alice.post(fmt.Sprintf("/annotations/%d/delete", id), nil)
	if res.status != http.StatusOK {
		t.Fatalf("unconfirmed delete: %d", res.status)
	}
	mustContain(t, res.body, "Delete this annotation?", "A note to think twice about.", `name="confirm" value="yes"`, "Keep it")
	if a, _ := models.AnnotationByID(ts.db, id); a.IsDeleted() {
		t.Fatal("deleted without being confirmed")
	}
	if res := alice.post(fmt.Sprintf("/annotations/%d/delete", id), url.Values{"confirm": {"yes"}}); res.status != http.StatusSeeOther {
		t.Fatalf("confirmed delete: %d", res.status)
	}
	if a, _ := models.AnnotationByID(ts.db, id); !a.IsDeleted() {
		t.Fatal("the confirmed delete did not delete")
	}
	other, _ := ts.loggedIn("mallory", models.RoleReader)
	id2, _ := alice.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"5"}, "body": {"Not mallory's."}})
	if res := other.post(fmt.Sprintf("/annotations/%d/delete", id2), nil); res.status < 400 {
		t.Errorf("another user reaches the confirmation: %d", res.status)
	}
}

// A reference citing a title alone is accepted: the legend offers "a title
// with a link, or a bibliographic entry", and a title is an entry.
func TestTitleOnlyCitation(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	alice, _ := ts.loggedIn("alicia", models.RoleReader)
	id, res := alice.annotate(doc, url.Values{"kind": {"reference"}, "passage": {"5"}, "body": {"See the treaty itself."},
		"cite_title": {"The North Atlantic Treaty, 1949"}, "cite_url": {""}, "cite_text": {""}})
	if id == 0 {
		t.Fatalf("a title-only citation refused: %d\n%s", res.status, res.body)
	}
	mustContain(t, alice.get(fmt.Sprintf("/annotations/%d", id)).body, "<li>The North Atlantic Treaty, 1949</li>")
	// A link still needs its title.
	if id, res := alice.annotate(doc, url.Values{"kind": {"reference"}, "passage": {"5"}, "body": {"A bare link."},
		"cite_url": {"https://example.org"}}); id != 0 || res.status != http.StatusUnprocessableEntity {
		t.Errorf("a link without a title: %d", res.status)
	}
}
