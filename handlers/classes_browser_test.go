package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"margin/models"
)

// TestBrowserClassAssignment walks the class feature in a real browser: an
// educator creates a class and an assignment, a student joins with the code
// and annotates the reading, and the educator sees the progress. The
// dashboard and the student's assignment page are checked with axe-core.
func TestBrowserClassAssignment(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser("teacher", models.RoleEducator)
	ts.createUser("student", models.RoleReader)
	doc := ts.articleID()
	ctx := newBrowser(t)

	// The educator creates a class.
	browserLogin(t, ctx, ts.URL, "teacher", passwordOf("teacher"))
	navigateBy(t, ctx, "open Classes", http.StatusOK, chromedp.Click(chromedp.CSS(`.site-nav a[href="/classes"]`)))
	navigateBy(t, ctx, "open the new class form", http.StatusOK, chromedp.Click(chromedp.CSS(`main a[href="/classes/new"]`)))
	typeInto(t, ctx, "#f-name", "Diplomacy 101")
	typeInto(t, ctx, "#f-term", "Spring 2026")
	navigateBy(t, ctx, "create the class", http.StatusOK, chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	code := read(t, ctx, "read the join code", chromedp.Text(chromedp.CSS(".join-code")))
	if len(code) != 14 {
		t.Fatalf("join code %q", code)
	}

	// ... and assigns the sample article, due in the educator's time zone.
	navigateBy(t, ctx, "open the new assignment form", http.StatusOK, chromedp.Click(chromedp.Search(`//a[normalize-space()="New assignment"]`)))
	zone := read(t, ctx, "read the browser's zone", chromedp.Evaluate[string](`Intl.DateTimeFormat().resolvedOptions().timeZone`))
	if got := read(t, ctx, "read the zone chosen", chromedp.Value(chromedp.CSS("#f-zone"))); got != zone {
		t.Errorf("the zone select is %q, want the browser's zone %q", got, zone)
	}
	step(t, ctx, "choose the reading", chromedp.SetValue(chromedp.CSS("#f-document_id"), fmt.Sprint(doc)))
	step(t, ctx, "set the due date", chromedp.SetValue(chromedp.CSS("#f-due_at"), "2099-06-30T17:00"))
	typeInto(t, ctx, "#f-instructions", "Note where the honeymoon ends.")
	step(t, ctx, "require a question", chromedp.Click(chromedp.CSS(`input[name=kinds][value=question]`)))
	navigateBy(t, ctx, "assign", http.StatusOK, chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	dashboard := pageURL(t, ctx)
	if !strings.Contains(dashboard, "/assignments/") {
		t.Fatalf("after assigning the browser is at %s", dashboard)
	}
	runAxe(t, ctx, "assignment dashboard, no work yet")

	// The student joins with the code, typed in lower case.
	tab := newTab(t, ctx, "student")
	browserLogin(t, tab, ts.URL, "student", passwordOf("student"))
	navigateBy(t, tab, "open Classes", http.StatusOK, chromedp.Click(chromedp.CSS(`.site-nav a[href="/classes"]`)))
	navigateBy(t, tab, "open the join form", http.StatusOK, chromedp.Click(chromedp.CSS(`main a[href="/join"]`)))
	typeInto(t, tab, "#f-code", strings.ToLower(code))
	navigateBy(t, tab, "join", http.StatusOK, chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	if h1 := read(t, tab, "read the class page", chromedp.Text(chromedp.CSS("h1"))); h1 != "Diplomacy 101" {
		t.Fatalf("after joining the page is %q", h1)
	}
	navigateBy(t, tab, "open the assignment", http.StatusOK, chromedp.Click(chromedp.Search(`//a[normalize-space()="`+sampleArticle+`"]`)))
	mustContain(t, read(t, tab, "read the assignment", chromedp.Text(chromedp.CSS("main"))), "Not started", "Note where the honeymoon ends.", "Question: 0 of 1")
	runAxe(t, tab, "student's assignment page")

	// ... opens the reading and annotates a passage: the note goes to the class.
	navigateBy(t, tab, "open the reading", http.StatusOK, chromedp.Click(chromedp.Search(`//a[normalize-space()="Open the reading"]`)))
	navigateBy(t, tab, "annotate passage 2", http.StatusOK, chromedp.Click(chromedp.CSS(`#p-2 .annotate-link`)))
	visibility := read(t, tab, "read who can see it", chromedp.Value(chromedp.CSS("#f-visibility-new")))
	if !strings.HasPrefix(visibility, "class:") {
		t.Errorf("on the assigned reading the composer shares with %q, want the class", visibility)
	}
	step(t, tab, "choose a question", chromedp.Click(chromedp.CSS(`input[name=kind][value=question]`)))
	typeInto(t, tab, "#f-body-new", "Why did it end so soon?")
	navigateBy(t, tab, "post the note", http.StatusOK, chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	mustContain(t, read(t, tab, "read the reading view", chromedp.Text(chromedp.CSS("#p-2"))), "Class only")

	visit(t, tab, ts.URL+"/assignments", http.StatusOK)
	mustContain(t, read(t, tab, "read my assignments", chromedp.Text(chromedp.CSS("main"))), "Complete")
	navigateBy(t, tab, "open the assignment again", http.StatusOK, chromedp.Click(chromedp.Search(`//tbody//a[normalize-space()="`+sampleArticle+`"]`)))
	mustContain(t, read(t, tab, "read the progress", chromedp.Text(chromedp.CSS("main"))), "Complete", "Question: 1 of 1", "Why did it end so soon?")
	runAxe(t, tab, "student's assignment page, complete")

	// The educator sees the progress.
	visit(t, ctx, dashboard, http.StatusOK)
	row := read(t, ctx, "read the student's row", chromedp.Text(chromedp.Search(`//tr[th//a[normalize-space()="student"]]`)))
	for _, want := range []string{"student", "Complete"} {
		if !strings.Contains(row, want) {
			t.Errorf("the student's row %q lacks %q", row, want)
		}
	}
	mustContain(t, read(t, ctx, "read the heat map table", chromedp.Text(chromedp.CSS(".heat-table"))), "2", "1")
	runAxe(t, ctx, "assignment dashboard with progress")
}
