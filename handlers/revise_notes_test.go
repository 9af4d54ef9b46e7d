package handlers

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"margin/models"
)

// passageWith finds the number of the passage of page holding text.
func passageWith(t *testing.T, page, text string) int {
	t.Helper()
	for n := 1; n < 200; n++ {
		if strings.Contains(sectionOf(page, n), text) {
			return n
		}
	}
	t.Fatalf("no passage holds %q", text)
	return 0
}

// reviseWith revises doc with edit applied to its Markdown.
func reviseWith(t *testing.T, edu *client, doc uint, edit func(string) string, extra url.Values) response {
	t.Helper()
	form := edu.get(fmt.Sprintf("/documents/%d/revise", doc))
	m := regexp.MustCompile(`(?s)<textarea[^>]*name="content"[^>]*>(.*?)</textarea>`).FindStringSubmatch(form.body)
	fields := url.Values{"content": {edit(html.UnescapeString(m[1]))}}
	for k, v := range extra {
		fields[k] = v
	}
	return edu.upload(fmt.Sprintf("/documents/%d/revise", doc), fields, "", "", nil)
}

// TestRevisionChangedAndOrphanedNotes: a quote whose words an edit changed
// shows both wordings to everyone; a note whose text was deleted is listed
// as orphaned to its author and the editors only, and its author can
// re-attach it.
func TestRevisionChangedAndOrphanedNotes(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	edu, _ := ts.loggedIn("reviser", models.RoleEducator)
	author, _ := ts.loggedIn("annotator", models.RoleReader)
	other, _ := ts.loggedIn("otherreader", models.RoleReader)
	page := ts.client().get(fmt.Sprintf("/documents/%d", doc)).body
	riley := passageWith(t, page, "Fort Riley")
	anniversary := passageWith(t, page, "75th anniversary")
	gone, _ := author.annotate(doc, url.Values{"kind": {"comment"}, "passage": {fmt.Sprint(riley)}, "quote": {"exercises at Fort Riley"}, "body": {"Kansas in winter."}})
	changed, _ := author.annotate(doc, url.Values{"kind": {"comment"}, "passage": {fmt.Sprint(anniversary)}, "quote": {"75th anniversary of the signing"}, "body": {"Seventy-five years."}})
	if gone == 0 || changed == 0 {
		t.Fatal("notes not posted")
	}
	res := reviseWith(t, edu, doc, func(md string) string {
		var kept []string
		for _, para := range strings.Split(md, "\n\n") {
			if !strings.Contains(para, "Fort Riley") {
				kept = append(kept, para)
			}
		}
		return strings.Replace(strings.Join(kept, "\n\n"), "75th anniversary of the signing", "75th anniversary of the formal signing", 1)
	}, nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("revise: %d\n%s", res.status, res.body)
	}
	mustContain(t, edu.get(fmt.Sprintf("/documents/%d", doc)).body, "1 changed", "1 could not be placed")

	anon := ts.client().get(fmt.Sprintf("/documents/%d", doc)).body
	mustContain(t, anon, "Text changed", "Written on: <q>75th anniversary of the signing</q>", "75th anniversary of the formal signing")
	mustNotContain(t, anon, "could not be placed", "Orphaned notes")
	mustContain(t, ts.client().get(fmt.Sprintf("/annotations/%d", changed)).body, "Text changed", "Written on: <q>75th anniversary of the signing</q>")
	mustNotContain(t, other.get(fmt.Sprintf("/documents/%d", doc)).body, "could not be placed", "Orphaned notes", "Kansas")
	mine := author.get(fmt.Sprintf("/documents/%d", doc)).body
	mustContain(t, mine, "1 note could not be placed", `href="#orphaned"`, "Orphaned notes", "exercises at Fort Riley",
		fmt.Sprintf(`href="/documents/%d?rev=1#a-%d"`, doc, gone), fmt.Sprintf(`/annotations/%d/reattach`, gone))
	mustContain(t, edu.get(fmt.Sprintf("/documents/%d", doc)).body, "Orphaned notes", "exercises at Fort Riley")

	// Re-attaching: only the author and editors, only for an orphan.
	if res := other.get(fmt.Sprintf("/annotations/%d/reattach", gone)); res.status != http.StatusForbidden {
		t.Fatalf("another reader opened the re-attach form: %d", res.status)
	}
	if res := author.get(fmt.Sprintf("/annotations/%d/reattach", changed)); res.status != http.StatusConflict {
		t.Fatalf("re-attach form for a placed note: %d", res.status)
	}
	form := author.get(fmt.Sprintf("/annotations/%d/reattach", gone))
	mustContain(t, form.body, "Re-attach a note", "exercises at Fort Riley")
	res = author.post(fmt.Sprintf("/annotations/%d/reattach", gone), url.Values{"passage": {fmt.Sprint(anniversary)}, "quote": {"no such words here"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("re-attach to missing words: %d", res.status)
	}
	res = author.post(fmt.Sprintf("/annotations/%d/reattach", gone), url.Values{"passage": {fmt.Sprint(anniversary)}, "quote": {"formal signing"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("re-attach: %d\n%s", res.status, res.body)
	}
	now := ts.client().get(fmt.Sprintf("/documents/%d", doc)).body
	mustContain(t, sectionOf(now, anniversary), "Kansas in winter.", "Written on: <q>exercises at Fort Riley</q>")
	mustNotContain(t, author.get(fmt.Sprintf("/documents/%d", doc)).body, "could not be placed")
}

// TestRevisePreview: the revise page shows what saving would do to the notes
// and stores nothing.
func TestRevisePreview(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	edu, _ := ts.loggedIn("reviser", models.RoleEducator)
	author, _ := ts.loggedIn("annotator", models.RoleReader)
	page := ts.client().get(fmt.Sprintf("/documents/%d", doc)).body
	riley := passageWith(t, page, "Fort Riley")
	anniversary := passageWith(t, page, "75th anniversary")
	author.annotate(doc, url.Values{"kind": {"comment"}, "passage": {fmt.Sprint(riley)}, "quote": {"exercises at Fort Riley"}, "body": {"Kansas."}})
	author.annotate(doc, url.Values{"kind": {"comment"}, "passage": {fmt.Sprint(anniversary)}, "quote": {"75th anniversary of the signing"}, "body": {"Years."}})
	author.annotate(doc, url.Values{"kind": {"comment"}, "passage": {fmt.Sprint(riley)}, "quote": {"Fort Riley, Kansas"}, "body": {"Mine alone."}, "visibility": {"private"}})
	res := reviseWith(t, edu, doc, func(md string) string {
		var kept []string
		for _, para := range strings.Split(md, "\n\n") {
			if !strings.Contains(para, "Fort Riley") {
				kept = append(kept, para)
			}
		}
		return strings.Replace(strings.Join(kept, "\n\n"), "of the signing", "of the formal signing", 1)
	}, url.Values{"preview": {"1"}})
	if res.status != http.StatusOK {
		t.Fatalf("preview: %d\n%s", res.status, res.body)
	}
	mustContain(t, res.body, "If you save this text", "1 changed, 2 orphaned", "Nothing is saved yet",
		"<q>75th anniversary of the signing</q> becomes <q>75th anniversary of the formal signing</q>",
		"<q>exercises at Fort Riley</q>", "1 other note, private or not published, is counted but not listed",
		"of the formal signing") // the edited text is kept in the box
	mustNotContain(t, res.body, "Fort Riley, Kansas</q>")
	if revs := ts.client().get(fmt.Sprintf("/documents/%d", doc)).body; strings.Contains(revs, "formal signing") || !strings.Contains(revs, "Kansas.") {
		t.Fatal("the preview saved the revision")
	}
}

// TestBrowserReattachBySelecting: on the re-attach page, selecting words in
// the current text fills in the passage and quote, and the note lands there.
func TestBrowserReattachBySelecting(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	edu, _ := ts.loggedIn("reviser", models.RoleEducator)
	author, _ := ts.loggedIn("annotator", models.RoleReader)
	page := ts.client().get(fmt.Sprintf("/documents/%d", doc)).body
	riley := passageWith(t, page, "Fort Riley")
	gone, _ := author.annotate(doc, url.Values{"kind": {"comment"}, "passage": {fmt.Sprint(riley)}, "quote": {"exercises at Fort Riley"}, "body": {"Kansas in winter."}})
	reviseWith(t, edu, doc, func(md string) string {
		return strings.Replace(md, "joint U.S.-Russian peacekeeping exercises at Fort Riley, Kansas, ", "", 1)
	}, nil)
	if a, _ := models.AnnotationByID(ts.db, gone); a.AnchorStatus != "orphaned" {
		t.Fatalf("the note is %s, want orphaned", a.AnchorStatus)
	}
	ctx := newBrowser(t)
	browserLogin(t, ctx, ts.URL, "annotator", passwordOf("annotator"))
	visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, doc), http.StatusOK)
	runAxe(t, ctx, "document with an orphaned note")
	visit(t, ctx, fmt.Sprintf("%s/annotations/%d/reattach", ts.URL, gone), http.StatusOK)
	runAxe(t, ctx, "re-attach page")
	const phrase = "breakthrough understandings"
	read(t, ctx, "select words in the current text", chromedp.Evaluate[bool](`(() => {
		const p = [...document.querySelectorAll('.reattach-text .ptext')].find(p => p.textContent.includes('`+phrase+`'));
		const node = p.firstChild, i = node.textContent.indexOf('`+phrase+`');
		const r = document.createRange();
		r.setStart(node, i); r.setEnd(node, i + `+fmt.Sprint(len(phrase))+`);
		const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
		return true;
	})()`))
	waitForPage(t, ctx, "the form is filled in", `document.querySelector('#f-quote').value === '`+phrase+`'`)
	passage := read(t, ctx, "read the passage", chromedp.Value(chromedp.CSS("#f-passage")))
	if passage != fmt.Sprint(riley) {
		t.Errorf("passage %s, want %d", passage, riley)
	}
	navigateBy(t, ctx, "re-attach", http.StatusOK, chromedp.Click(chromedp.CSS(`#reattach-form button[type=submit]`)))
	a, _ := models.AnnotationByID(ts.db, gone)
	if a.AnchorStatus == "orphaned" || a.Exact != phrase {
		t.Fatalf("after re-attaching: %s %q", a.AnchorStatus, a.Exact)
	}

	// The editor previews a revision that would orphan the note again.
	tab := newTab(t, ctx, "editor")
	browserLogin(t, tab, ts.URL, "reviser", passwordOf("reviser"))
	visit(t, tab, fmt.Sprintf("%s/documents/%d/revise", ts.URL, doc), http.StatusOK)
	read(t, tab, "edit the text", chromedp.Evaluate[bool](`(() => {
		const box = document.querySelector('textarea[name=content]');
		box.value = box.value.replace('breakthrough understandings', 'agreements');
		return true;
	})()`))
	navigateBy(t, tab, "preview", http.StatusOK, chromedp.Click(chromedp.CSS(`button[name=preview]`)))
	if got := read(t, tab, "read the preview", chromedp.Text(chromedp.CSS(".revise-preview"))); !strings.Contains(got, "1 orphaned") {
		t.Errorf("preview reads %q", got)
	}
	runAxe(t, tab, "revise preview")
}
