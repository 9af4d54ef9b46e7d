package handlers

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"margin/models"
)

// shooter returns a function that saves a screenshot of the tab's window
// under the test's name and the given one.
func shooter(t *testing.T) func(ctx context.Context, name string) {
	dir, err := artifactDir(t)
	if err != nil {
		t.Fatal(err)
	}
	return func(ctx context.Context, name string) {
		t.Helper()
		png := read(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join(dir, safeFileName(t.Name()+"-"+name)+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// textBoxesFromFirst measures every passage's text from the first
// passage's top: a filter's line in the bar above moves the whole text
// down, but nothing in it.
const textBoxesFromFirst = `(() => { const first = document.querySelector('.passage__text').getBoundingClientRect().top;
	return Array.from(document.querySelectorAll('.passage__text')).map(e => { const r = e.getBoundingClientRect(); return [r.top - first, r.height, r.left, r.width]; }); })()`

// TestBrowserReadingFilters: a reader filters the busy article by author
// with the form (Show), by kind with the links, sees what the filter shows
// and drops it again; the text stays where it was throughout. axe-core
// checks the filtered page.
func TestBrowserReadingFilters(t *testing.T) {
	ts := newTestServer(t)
	doc, _ := ts.busyArticle(144, 6, 30)
	ts.createUser("filterer", models.RoleReader)
	ctx := newBrowser(t)
	shot := shooter(t)
	browserLogin(t, ctx, ts.URL, "filterer", passwordOf("filterer"))
	step(t, ctx, "laptop window", chromedp.EmulateViewport(1366, 900))
	visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, doc.ID), http.StatusOK)
	before := read(t, ctx, "measure the text", chromedp.Evaluate[[][]float64](textBoxesFromFirst))
	step(t, ctx, "choose an author", chromedp.SetValue(chromedp.CSS("#f-filter-author"), "reader03"))
	navigateBy(t, ctx, "show their notes", http.StatusOK, chromedp.Click(chromedp.CSS(`.filters__who button[type=submit]`)))
	if u := pageURL(t, ctx); !strings.HasSuffix(u, "?author=reader03") {
		t.Errorf("the filter form went to %s", u)
	}
	active := read(t, ctx, "read the active filter", chromedp.Text(chromedp.CSS(".filters__active")))
	if !strings.Contains(active, "by reader03") || !strings.Contains(active, "of 144 notes") {
		t.Errorf("the active filter reads %q", active)
	}
	if moved := firstMoved(before, read(t, ctx, "measure the filtered text", chromedp.Evaluate[[][]float64](textBoxesFromFirst))); moved >= 0 {
		t.Errorf("filtering by author moved passage %d's text", moved+1)
	}
	if n := read(t, ctx, "threads without the author", chromedp.Evaluate[int](`Array.from(document.querySelectorAll('.notes__body > article.note')).filter(n => !Array.from(n.querySelectorAll('.note__author')).some(a => a.textContent === 'reader03')).length`)); n != 0 {
		t.Errorf("%d threads shown hold no note by reader03", n)
	}
	shot(ctx, "1366x900-author")
	navigateBy(t, ctx, "only their questions", http.StatusOK, chromedp.Click(chromedp.CSS(`.filters__kinds a[href*="kind=question"]`)))
	if u := pageURL(t, ctx); !strings.Contains(u, "author=reader03") || !strings.Contains(u, "kind=question") {
		t.Errorf("the kind link dropped the author: %s", u)
	}
	if sel := read(t, ctx, "read the author choice", chromedp.Value(chromedp.CSS("#f-filter-author"))); sel != "reader03" {
		t.Errorf("the author choice shows %q under the filter", sel)
	}
	runAxe(t, ctx, "filtered reading view")
	step(t, ctx, "phone", chromedp.EmulateViewport(390, 844))
	visit(t, ctx, pageURL(t, ctx), http.StatusOK)
	if sideways := read(t, ctx, "page width", chromedp.Evaluate[float64](`document.scrollingElement.scrollWidth - innerWidth`)); sideways > 0 {
		t.Errorf("390 px: the filtered page scrolls %v px sideways", sideways)
	}
	shot(ctx, "390x844-filtered")
	step(t, ctx, "laptop window again", chromedp.EmulateViewport(1366, 900))
	navigateBy(t, ctx, "show every note", http.StatusOK, chromedp.Click(chromedp.Search(`//a[normalize-space()="Show every note"]`)))
	if n := read(t, ctx, "is the filter gone", chromedp.Evaluate[int](`document.querySelectorAll('.filters__active').length`)); n != 0 {
		t.Error("Show every note left a filter on")
	}
}

// TestBrowserSelectionAcrossPassages: a selection from one passage into the
// next opens the composer on the first passage, quoting its part, with a
// note on how to annotate the second.
func TestBrowserSelectionAcrossPassages(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser("spanner", models.RoleReader)
	doc := ts.articleID()
	ctx := newBrowser(t)
	browserLogin(t, ctx, ts.URL, "spanner", passwordOf("spanner"))
	visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, doc), http.StatusOK)
	read(t, ctx, "select from passage 5 into 6", chromedp.Evaluate[bool](`(() => {
		const a = document.querySelector('#p-5 .ptext'), b = document.querySelector('#p-6 .ptext');
		a.scrollIntoView({block: 'center'});
		const r = document.createRange(); r.setStart(a.firstChild, 10); r.setEnd(b.firstChild, 12);
		const s = getSelection(); s.removeAllRanges(); s.addRange(r); return true; })()`))
	step(t, ctx, "the button shows", chromedp.WaitVisible(chromedp.CSS("#selection-button")))
	if label := read(t, ctx, "read the button", chromedp.Text(chromedp.CSS("#selection-button"))); !strings.Contains(label, "to the end of passage 5") {
		t.Errorf("the button reads %q", label)
	}
	step(t, ctx, "annotate", chromedp.Click(chromedp.CSS("#selection-button")), chromedp.WaitVisible(chromedp.CSS("#composer")))
	note := read(t, ctx, "read the composer's note", chromedp.Evaluate[string](`(() => { const n = document.querySelector('#composer [data-composer-note]'); return n && !n.hidden && n.offsetParent ? n.textContent : ''; })()`))
	if !strings.Contains(note, "passage 5") || !strings.Contains(note, "second note") {
		t.Errorf("the composer's note on a selection across passages reads %q", note)
	}
	quote := read(t, ctx, "read the quote", chromedp.Value(chromedp.CSS("#f-quote-inline")))
	p5 := read(t, ctx, "read passage 5", chromedp.Evaluate[string](`document.querySelector('#p-5 .ptext').textContent.replace(/\s+/g, ' ').trim()`))
	if !strings.HasSuffix(p5, quote) || len(quote) < 20 {
		t.Errorf("the quote %q is not the end of passage 5", quote)
	}
	runAxe(t, ctx, "composer for a selection across passages")
	step(t, ctx, "close", chromedp.KeyEvent("\x1b"))
	if in := read(t, ctx, "where is the focus", chromedp.Evaluate[bool](`!!document.activeElement.closest('#p-5')`)); !in {
		t.Error("Escape did not return the focus to the passage annotated")
	}
	// A selection within one passage has no such note.
	read(t, ctx, "select within passage 5", chromedp.Evaluate[bool](selectInPassage5))
	step(t, ctx, "annotate it", chromedp.WaitVisible(chromedp.CSS("#selection-button")), chromedp.Click(chromedp.CSS("#selection-button")))
	if shown := read(t, ctx, "is the note hidden", chromedp.Evaluate[bool](`!document.querySelector('#composer [data-composer-note]').hidden`)); shown {
		t.Error("the across-passages note shows for a selection within one passage")
	}
}

// TestBrowserAssignedReading: a student on an assigned reading sees the
// bar (requirements, live progress, due time in their zone, classmates
// hidden until they post); the class's educator lays the heat map over the
// text and comes to a passage from the dashboard's table. Screenshots at
// 1366 and 390 px; axe-core on each page.
func TestBrowserAssignedReading(t *testing.T) {
	ts := newTestServer(t)
	doc, _ := ts.busyArticle(144, 6, 30)
	teacherU := ts.createUser("heatteacher", models.RoleEducator)
	class, err := models.CreateClass(ts.db, teacherU, models.ClassInput{Name: "Diplomacy 101"}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	as, err := models.CreateAssignment(ts.db, teacherU, class.ID, models.AssignmentInput{DocumentID: doc.ID, Zone: "America/New_York",
		DueAt: time.Now().Add(72 * time.Hour).In(mustZone(t, "America/New_York")).Format(models.LocalTimeLayout), MinAnnotations: 2,
		Kinds: []models.Kind{models.KindQuestion}, HideUntilPosted: true})
	if err != nil {
		t.Fatal(err)
	}
	// Six of the readers are students who also wrote for the class.
	for i := range 6 {
		u, err := models.UserByName(ts.db, fmt.Sprintf("reader%02d", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := models.JoinClass(ts.db, u, class, ts.now); err != nil {
			t.Fatal(err)
		}
		for j := range 4 {
			in := models.AnnotationInput{Kind: []models.Kind{models.KindQuestion, models.KindDisagreement, models.KindComment}[(i+j)%3],
				Passage: 4 + (i*j)%6, QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &class.ID,
				Body: fmt.Sprintf("For the class: point %d of reader %d.", j, i)}
			if in.Kind == models.KindDisagreement {
				in.Counterpoint = "The record says otherwise."
			}
			if _, err := models.CreateAnnotation(ts.db, u, doc, in, models.StatusPublished); err != nil {
				t.Fatal(err)
			}
		}
	}
	student := ts.createUser("heatstudent", models.RoleReader)
	if err := models.JoinClass(ts.db, student, class, ts.now); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	shot := shooter(t)
	browserLogin(t, ctx, ts.URL, "heatstudent", passwordOf("heatstudent"))
	for _, w := range []int64{1366, 390} {
		step(t, ctx, "window", chromedp.EmulateViewport(w, 900))
		visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, doc.ID), http.StatusOK)
		bar := read(t, ctx, "read the assignment bar", chromedp.Text(chromedp.CSS(".assignment-bar")))
		for _, want := range []string{"Diplomacy 101", "due", "question", "hidden until you post"} {
			if !strings.Contains(strings.ToLower(bar), strings.ToLower(want)) {
				t.Errorf("%d px: the assignment bar lacks %q: %q", w, want, bar)
			}
		}
		if strings.Contains(bar, "UTC") {
			t.Errorf("%d px: the due time is not in the reader's zone: %q", w, bar)
		}
		shot(ctx, fmt.Sprintf("%d-student", w))
	}
	runAxe(t, ctx, "assigned reading, student")
	// Progress is live: a question posted through the page shows in the bar.
	step(t, ctx, "laptop", chromedp.EmulateViewport(1366, 900))
	read(t, ctx, "select a phrase", chromedp.Evaluate[bool](selectInPassage5))
	step(t, ctx, "annotate", chromedp.WaitVisible(chromedp.CSS("#selection-button")), chromedp.Click(chromedp.CSS("#selection-button")))
	step(t, ctx, "a question", chromedp.Click(chromedp.CSS(`#composer input[name=kind][value=question]`)))
	step(t, ctx, "for the class", chromedp.SetValue(chromedp.CSS(`#composer select[name=visibility]`), fmt.Sprintf("class:%d", class.ID)))
	typeInto(t, ctx, "#f-body-inline", "Why did the honeymoon end so soon?")
	step(t, ctx, "post", chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)))
	waitForPage(t, ctx, "the new note", `/^#a-\d+$/.test(location.hash)`)
	bar := read(t, ctx, "read the bar again", chromedp.Text(chromedp.CSS(".assignment-bar")))
	if strings.Contains(bar, "hidden until you post") || !strings.Contains(bar, "1") {
		t.Errorf("after posting, the bar reads %q", bar)
	}

	// The educator lays the heat map over the text.
	tab := newTab(t, ctx, "educator")
	browserLogin(t, tab, ts.URL, "heatteacher", passwordOf("heatteacher"))
	step(t, tab, "laptop", chromedp.EmulateViewport(1366, 900))
	visit(t, tab, fmt.Sprintf("%s/documents/%d", ts.URL, doc.ID), http.StatusOK)
	navigateBy(t, tab, "show the heat map", http.StatusOK, chromedp.Click(chromedp.CSS(`.heat-offer a`)))
	if n := read(t, tab, "count shaded passages", chromedp.Evaluate[int](`document.querySelectorAll('.passage[class*="passage--heat"]').length`)); n == 0 {
		t.Error("no passage is shaded by the heat map")
	}
	badges := read(t, tab, "read the heat badges", chromedp.Evaluate[string](`Array.from(document.querySelectorAll('.heat-badge')).map(b => b.textContent).join(' | ')`))
	if !strings.Contains(badges, "question") || !strings.Contains(badges, "disagreement") {
		t.Errorf("the heat badges do not name questions and disagreements in words: %q", badges)
	}
	shot(tab, "1366-heat")
	runAxe(t, tab, "reading with the heat map")
	visit(t, tab, fmt.Sprintf("%s/assignments/%d", ts.URL, as.ID), http.StatusOK)
	navigateBy(t, tab, "click through to a passage", http.StatusOK, chromedp.Click(chromedp.CSS(`.heat-table tbody a`)))
	u := pageURL(t, tab)
	if !strings.Contains(u, fmt.Sprintf("heat=%d", as.ID)) || !strings.Contains(u, "#p-") {
		t.Errorf("the dashboard's passage link went to %s", u)
	}
	if focused := read(t, tab, "where is the focus", chromedp.Evaluate[string](`document.activeElement.id`)); !strings.HasPrefix(focused, "p-") {
		t.Errorf("after the click through, the focus is on %q, not the passage", focused)
	}
	step(t, tab, "phone", chromedp.EmulateViewport(390, 844))
	visit(t, tab, strings.Split(u, "#")[0], http.StatusOK)
	shot(tab, "390-heat")
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	return loc
}

// TestBrowserFiveHundredNotes: axe-core on a document with 500 notes, with
// the busiest passage's notes open, in both themes, and on the phone; the
// empty treaty beside it.
func TestBrowserFiveHundredNotes(t *testing.T) {
	ts := newTestServer(t)
	doc, _ := ts.busyArticle(500, 6, 100)
	ts.createUser("axereader", models.RoleReader)
	ctx := newBrowser(t)
	shot := shooter(t)
	browserLogin(t, ctx, ts.URL, "axereader", passwordOf("axereader"))
	step(t, ctx, "laptop window", chromedp.EmulateViewport(1366, 900))
	visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, doc.ID), http.StatusOK)
	step(t, ctx, "open the busy passage's notes", chromedp.Click(chromedp.CSS("#p-6 details.notes > summary")))
	runAxe(t, ctx, "500-note document, notes open")
	shot(ctx, "1366x900")
	step(t, ctx, "phone", chromedp.EmulateViewport(390, 844))
	visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, doc.ID), http.StatusOK)
	runAxe(t, ctx, "500-note document on a phone")
	var treaty uint
	docs, err := models.ListDocuments(ts.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if d.ID != doc.ID {
			treaty = d.ID
		}
	}
	for _, w := range []int64{1366, 390} {
		step(t, ctx, "window", chromedp.EmulateViewport(w, 844))
		visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, treaty), http.StatusOK)
		shot(ctx, fmt.Sprintf("%d-empty", w))
	}
	runAxe(t, ctx, "document without notes")
	visit(t, ctx, fmt.Sprintf("%s/documents/%d/passages/6", ts.URL, doc.ID), http.StatusOK)
	runAxe(t, ctx, "a passage's every thread")
}

// TestBrowserAxeOnTheOtherPages runs axe-core, in both themes, on the pages
// no other browser test checks: classes and their forms, the roster, the
// assignment forms and a student's review, the admin's users, a profile,
// the inbox, the composer and edit pages without JavaScript's composer, a
// note's history, the join form, the delete question and the 404 page.
func TestBrowserAxeOnTheOtherPages(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.createUser("axeadmin", models.RoleAdmin)
	student := ts.createUser("axestudent", models.RoleReader)
	doc, err := models.DocumentByID(ts.db, ts.articleID())
	if err != nil {
		t.Fatal(err)
	}
	class, err := models.CreateClass(ts.db, admin, models.ClassInput{Name: "Diplomacy 101", Term: "Spring"}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.JoinClass(ts.db, student, class, ts.now); err != nil {
		t.Fatal(err)
	}
	as, err := models.CreateAssignment(ts.db, admin, class.ID, models.AssignmentInput{DocumentID: doc.ID, Zone: "UTC",
		DueAt: time.Now().Add(48 * time.Hour).Format(models.LocalTimeLayout), MinAnnotations: 1})
	if err != nil {
		t.Fatal(err)
	}
	note, err := models.CreateAnnotation(ts.db, student, doc, models.AnnotationInput{Kind: models.KindQuestion, Passage: 5, QuoteHint: -1,
		Visibility: models.VisibilityClass, ClassID: &class.ID, Body: "Who drafted this?"}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	browserLogin(t, ctx, ts.URL, "axeadmin", passwordOf("axeadmin"))
	for _, p := range []struct{ name, path string }{
		{"admin users", "/admin/users"},
		{"classes", "/classes"},
		{"new class", "/classes/new"},
		{"class", fmt.Sprintf("/classes/%d", class.ID)},
		{"class edit", fmt.Sprintf("/classes/%d/edit", class.ID)},
		{"roster", fmt.Sprintf("/classes/%d/roster", class.ID)},
		{"new assignment", fmt.Sprintf("/classes/%d/assignments/new", class.ID)},
		{"assignments", "/assignments"},
		{"assignment edit", fmt.Sprintf("/assignments/%d/edit", as.ID)},
		{"a student's work", fmt.Sprintf("/assignments/%d/students/%d", as.ID, student.ID)},
		{"profile", "/users/axestudent"},
		{"inbox", "/inbox"},
		{"composer without JavaScript", fmt.Sprintf("/documents/%d/annotate?p=5", doc.ID)},
		{"history", fmt.Sprintf("/annotations/%d/history", note.ID)},
		{"join", "/join"},
	} {
		visit(t, ctx, ts.URL+p.path, http.StatusOK)
		runAxe(t, ctx, p.name)
	}
	visit(t, ctx, ts.URL+"/documents/999999", http.StatusNotFound)
	runAxe(t, ctx, "not found")

	// The student edits their note, then deletes it without JavaScript: the
	// server asks first, on a page of its own.
	tab := newTab(t, ctx, "student")
	browserLogin(t, tab, ts.URL, "axestudent", passwordOf("axestudent"))
	visit(t, tab, fmt.Sprintf("%s/annotations/%d/edit", ts.URL, note.ID), http.StatusOK)
	runAxe(t, tab, "edit a note")
	disableJavaScript(t, tab)
	visit(t, tab, fmt.Sprintf("%s/annotations/%d", ts.URL, note.ID), http.StatusOK)
	navigateBy(t, tab, "delete without JavaScript", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action$="/delete"] button[type=submit]`)))
	step(t, tab, "turn JavaScript on again for axe", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		return err
	}))
	runAxe(t, tab, "delete question")
}

// TestBrowserReplyAndEditInTheCard: Reply and Edit open inside the note's
// card in the reading view and leave the text where it was; an error shows
// there with the words kept; once saved the reading view shows the reply,
// and the edit, at the note.
func TestBrowserReplyAndEditInTheCard(t *testing.T) {
	ts := newTestServer(t)
	doc, err := models.DocumentByID(ts.db, ts.articleID())
	if err != nil {
		t.Fatal(err)
	}
	other := ts.createUser("carder", models.RoleReader)
	me := ts.createUser("replier", models.RoleReader)
	theirs, err := models.CreateAnnotation(ts.db, other, doc, models.AnnotationInput{Kind: models.KindQuestion, Passage: 5, QuoteHint: -1,
		Visibility: models.VisibilityPublic, Body: "Which delegation?"}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := models.CreateAnnotation(ts.db, me, doc, models.AnnotationInput{Kind: models.KindComment, Passage: 5, QuoteHint: -1,
		Visibility: models.VisibilityPublic, Body: "A first thought."}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	// Newer threads push both notes out of the margin's first three.
	for i := range marginPreview {
		if _, err := models.CreateAnnotation(ts.db, other, doc, models.AnnotationInput{Kind: models.KindComment, Passage: 5, QuoteHint: -1,
			Visibility: models.VisibilityPublic, Body: fmt.Sprintf("Later remark %d.", i)}, models.StatusPublished); err != nil {
			t.Fatal(err)
		}
	}
	ctx := newBrowser(t)
	browserLogin(t, ctx, ts.URL, "replier", passwordOf("replier"))
	step(t, ctx, "laptop", chromedp.EmulateViewport(1366, 900))
	page := fmt.Sprintf("%s/documents/%d", ts.URL, doc.ID)
	visit(t, ctx, page, http.StatusOK)
	step(t, ctx, "open passage 5's notes", chromedp.Click(chromedp.CSS("#p-5 details.notes > summary")))
	step(t, ctx, "bring the other threads", chromedp.Click(chromedp.CSS("#p-5 [data-more-notes]")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#a-%d", theirs.ID))))
	before := read(t, ctx, "measure the text", chromedp.Evaluate[[][]float64](textBoxesFromFirst))
	card := fmt.Sprintf("#a-%d", theirs.ID)
	step(t, ctx, "reply in the card", chromedp.Click(chromedp.CSS(card+" a[data-inline=reply]")),
		chromedp.WaitVisible(chromedp.CSS(card+" [data-inline-box] textarea[name=body]")))
	if moved := firstMoved(before, read(t, ctx, "measure the text with the form", chromedp.Evaluate[[][]float64](textBoxesFromFirst))); moved >= 0 {
		t.Errorf("the reply form in the card moved passage %d's text", moved+1)
	}
	if u := pageURL(t, ctx); u != page {
		t.Errorf("Reply went to %s", u)
	}
	shooter(t)(ctx, "1366-reply-in-card")
	runAxe(t, ctx, "reply form in a card")
	step(t, ctx, "post it empty", chromedp.Click(chromedp.CSS(card+" [data-inline-box] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(card+" [data-inline-box] .field-error")))
	typeInto(t, ctx, card+" [data-inline-box] textarea[name=body]", "The Duma's.")
	step(t, ctx, "post the reply", chromedp.Click(chromedp.CSS(card+" [data-inline-box] button[type=submit]")))
	waitForPage(t, ctx, "the reading view at the reply", `/^#a-\d+$/.test(location.hash) && location.hash !== '#a-`+fmt.Sprint(theirs.ID)+`'`)
	if u := pageURL(t, ctx); !strings.HasPrefix(u, page+"#a-") {
		t.Errorf("after the reply the browser is at %s", u)
	}
	if text := read(t, ctx, "read the thread", chromedp.Text(chromedp.CSS(card))); !strings.Contains(text, "The Duma's.") {
		t.Errorf("the thread reads %q", text)
	}
	if moved := firstMoved(before, read(t, ctx, "measure the text after the reply", chromedp.Evaluate[[][]float64](textBoxesFromFirst))); moved >= 0 {
		t.Errorf("saving the reply moved passage %d's text", moved+1)
	}
	if n := read(t, ctx, "the counts follow", chromedp.Text(chromedp.CSS("#p-5 .notes__total"))); n != "6 notes" {
		t.Errorf("after the reply passage 5 counts %q", n)
	}
	// Edit my own note in its card.
	mineCard := fmt.Sprintf("#a-%d", mine.ID)
	step(t, ctx, "edit in the card", chromedp.Click(chromedp.CSS(mineCard+" a[data-inline=edit]")),
		chromedp.WaitVisible(chromedp.CSS(mineCard+" [data-inline-box] textarea[name=body]")))
	step(t, ctx, "change the words", chromedp.SetValue(chromedp.CSS(mineCard+" [data-inline-box] textarea[name=body]"), "A second thought."))
	step(t, ctx, "save", chromedp.Click(chromedp.CSS(mineCard+" [data-inline-box] button[type=submit]")))
	waitForPage(t, ctx, "the edited note", `location.hash === '#a-`+fmt.Sprint(mine.ID)+`' && document.querySelector('`+mineCard+`').textContent.includes('A second thought.')`)
	if u := pageURL(t, ctx); !strings.HasPrefix(u, page) {
		t.Errorf("after the edit the browser is at %s", u)
	}
	// Escape closes a card's form and gives the focus back to its link.
	step(t, ctx, "reply again", chromedp.Click(chromedp.CSS(card+" a[data-inline=reply]")),
		chromedp.WaitVisible(chromedp.CSS(card+" [data-inline-box] textarea[name=body]")))
	step(t, ctx, "Escape", chromedp.KeyEvent("\x1b"))
	if ok := read(t, ctx, "closed, focus on Reply", chromedp.Evaluate[bool](`!document.querySelector('[data-inline-box]') && document.activeElement.matches('a[data-inline=reply]')`)); !ok {
		t.Error("Escape left the card's form open or dropped the focus")
	}
}

// TestBrowserNoteLinkShowsCardAndPhrase: a #a-N link brings the note's card
// into view with its phrase visible beside it (above the sheet on a phone),
// on a laptop and on a phone; on the phone, opening a passage's notes
// leaves every passage's text where it was.
func TestBrowserNoteLinkShowsCardAndPhrase(t *testing.T) {
	ts := newTestServer(t)
	doc, notes := ts.busyArticle(144, 6, 30)
	var phrase *models.Annotation
	for _, n := range notes {
		if n.PassageNumber == 8 && n.ParentID == nil && n.Exact != "" {
			phrase = n // the newest, so in the margin's first threads
		}
	}
	if phrase == nil {
		t.Fatal("no phrase note on passage 8")
	}
	ctx := newBrowser(t)
	inView := fmt.Sprintf(`(() => {
		const vis = e => { const r = e.getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; };
		const note = document.getElementById('a-%d'), [s, e] = note ? note.dataset.range.split('-').map(Number) : [];
		const mark = note && Array.from(note.closest('[data-passage]').querySelectorAll('mark.hl')).find(m => { const [ms, me] = m.dataset.range.split('-').map(Number); return s <= ms && me <= e; });
		// Seen, not under the margin's panel or a phone's sheet.
		const uncovered = m => { const r = m.getClientRects()[0]; return m.contains(document.elementFromPoint(r.left + 2, r.top + r.height / 2)); };
		return [!!note && vis(note.querySelector('.note__head') || note), !!mark && vis(mark) && uncovered(mark)];
	})()`, phrase.ID)
	for _, vp := range [][2]int64{{1366, 900}, {1280, 720}, {390, 844}} {
		step(t, ctx, "window", chromedp.EmulateViewport(vp[0], vp[1]))
		visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, doc.ID), http.StatusOK)
		visit(t, ctx, fmt.Sprintf("%s/documents/%d?sort=newest#a-%d", ts.URL, doc.ID, phrase.ID), http.StatusOK)
		time.Sleep(200 * time.Millisecond)
		got := read(t, ctx, "are the card and its phrase in view", chromedp.Evaluate[[]bool](inView))
		if !got[0] || !got[1] {
			t.Errorf("%dx%d: after #a-%d the card is in view: %v, its phrase: %v", vp[0], vp[1], phrase.ID, got[0], got[1])
		}
	}
	// The phone: notes open in a sheet over the window's foot; no text moves.
	visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, doc.ID), http.StatusOK)
	before := read(t, ctx, "measure the text", chromedp.Evaluate[[][]float64](textBoxesFromFirst))
	step(t, ctx, "open passage 6's notes", chromedp.Click(chromedp.CSS("#p-6 details.notes > summary")))
	after := read(t, ctx, "measure again", chromedp.Evaluate[[][]float64](textBoxesFromFirst))
	if moved := firstMoved(before, after); moved >= 0 {
		t.Errorf("390 px: opening passage 6's notes moved passage %d's text", moved+1)
	}
}
