package handlers

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"margin/models"
)

var noteTotal = regexp.MustCompile(`class="notes__total">(\d+) notes?`)

// countedNotes adds up the passages' counts of a reading view.
func countedNotes(page string) int {
	sum := 0
	for _, m := range noteTotal.FindAllStringSubmatch(page, -1) {
		n, _ := strconv.Atoi(m[1])
		sum += n
	}
	return sum
}

// notesBy counts the live notes each author has among notes.
func notesBy(notes []*models.Annotation, authorID uint, kind models.Kind) int {
	n := 0
	for _, a := range notes {
		if a.AuthorID == authorID && (kind == "" || a.Kind == kind) {
			n++
		}
	}
	return n
}

// TestReadingFilterByAuthor: ?author= keeps the threads with that author's
// notes, the counts (the bar's and each passage's) are of their notes, the
// filter shows with a way out, and the kind links and the order keep it.
func TestReadingFilterByAuthor(t *testing.T) {
	ts := newTestServer(t)
	doc, notes := ts.busyArticle(72, 6, 12)
	author, err := models.UserByName(ts.db, "reader05")
	if err != nil {
		t.Fatal(err)
	}
	want := notesBy(notes, author.ID, "")
	res := ts.client().get(fmt.Sprintf("/documents/%d?author=Reader05", doc.ID))
	page := res.body
	mustContain(t, page, fmt.Sprintf("Showing %d of 72 notes", want), `<span class="filter-chip">by reader05`,
		`<option value="reader05" selected>reader05 (6)</option>`,
		fmt.Sprintf(`href="/documents/%d?author=reader05&amp;kind=question"`, doc.ID),
		fmt.Sprintf(`href="/documents/%d?author=reader05&amp;sort=helpful"`, doc.ID),
		fmt.Sprintf(`href="/documents/%d">Show every note</a>`, doc.ID))
	if got := countedNotes(page); got != want {
		t.Errorf("the passages count %d notes under the author filter, want reader05's %d", got, want)
	}
	// Every thread shown holds a note by the author.
	for p := 1; p <= 18; p++ {
		section := passageSection(page, p)
		threads := strings.Count(section, `<article class="note note--`) - strings.Count(section, "note--reply")
		if threads > 0 && !strings.Contains(section, `href="/users/reader05"`) {
			t.Errorf("passage %d shows threads without reader05's notes", p)
		}
	}
	// With a kind too, both must hold.
	q := notesBy(notes, author.ID, models.KindQuestion)
	page = ts.client().get(fmt.Sprintf("/documents/%d?author=reader05&kind=question", doc.ID)).body
	mustContain(t, page, fmt.Sprintf("Showing %d of 72 notes", q), `<span class="filter-chip">questions`)
	if got := countedNotes(page); got != q {
		t.Errorf("the passages count %d notes, want reader05's %d questions", got, q)
	}
	// Each option says how many notes choosing it would show.
	mustContain(t, page, fmt.Sprintf(`reader00 (%d)`, notesBy(notes, notes[0].AuthorID, models.KindQuestion)))
	// Another author is another page, and other passages (the cache keys
	// name the author).
	other := ts.client().get(fmt.Sprintf("/documents/%d?author=reader06&kind=question", doc.ID)).body
	mustContain(t, other, `by reader06`)
	mustNotContain(t, other, `by reader05`)
	// Nonsense is no filter.
	plain := ts.client().get(fmt.Sprintf("/documents/%d?author=%%3Cb%%3E", doc.ID)).body
	mustNotContain(t, plain, "filters__active", "&lt;b&gt;")
	if got := countedNotes(plain); got != 72 {
		t.Errorf("an invalid author counts %d notes", got)
	}
	// So is a name of no account: made-up names are one cached page, not one each.
	cached := ts.app.pageCache.entries()
	for _, name := range []string{"nobody01", "nobody02", "nobody03"} {
		page := ts.client().get(fmt.Sprintf("/documents/%d?author=%s", doc.ID, name)).body
		mustNotContain(t, page, "filters__active", name)
	}
	if grown := ts.app.pageCache.entries() - cached; grown > 1 {
		t.Errorf("three made-up authors added %d entries to the page cache", grown)
	}
}

// TestReadingFilterOnThePassagePage: the passage's own page takes the same
// filter, says so, and its links keep it.
func TestReadingFilterOnThePassagePage(t *testing.T) {
	ts := newTestServer(t)
	doc, notes := ts.busyArticle(60, 6, 30)
	author, _ := models.UserByName(ts.db, "reader02")
	want := 0
	for _, a := range notes {
		if a.AuthorID == author.ID && a.PassageNumber == 6 {
			want++
		}
	}
	page := ts.client().get(fmt.Sprintf("/documents/%d/passages/6?author=reader02", doc.ID)).body
	mustContain(t, page, "Showing only", "by reader02", fmt.Sprintf(`href="/documents/%d/passages/6">Show every note</a>`, doc.ID),
		fmt.Sprintf(`href="/documents/%d?author=reader02#p-6"`, doc.ID))
	if got := countedNotes(page); got != want {
		t.Errorf("the passage page counts %d notes, want reader02's %d there", got, want)
	}
	if n := strings.Count(page, `<article class="note note--`) - strings.Count(page, "note--reply"); n > want {
		t.Errorf("%d threads shown for %d notes of reader02", n, want)
	}
	// The reading view's "more threads" link keeps the filter.
	view := ts.client().get(fmt.Sprintf("/documents/%d?kind=comment", doc.ID)).body
	mustContain(t, view, fmt.Sprintf(`href="/documents/%d/passages/6?kind=comment" data-more-notes`, doc.ID))
}

// TestReadingFilterPrivacy: the author filter counts only what the viewer
// may see (a member's class note is 0 to those outside the class, their
// private note 0 to everyone but them, and their name is offered only where
// a note of theirs shows), and the class filter is only for the viewer's
// own classes: anyone else's ?class= is no filter at all.
func TestReadingFilterPrivacy(t *testing.T) {
	w := newPrivacyWorld(t)
	ts := w.ts
	doc, err := models.DocumentByID(ts.db, w.doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateAnnotation(ts.db, w.student, doc, models.AnnotationInput{Kind: models.KindComment, Passage: 5, QuoteHint: -1,
		Visibility: models.VisibilityPrivate, Body: "My own private aside"}, models.StatusPublished); err != nil {
		t.Fatal(err)
	}
	class := w.class.ID
	for _, actor := range privacyActors {
		c := w.actors[actor]
		sees := inClassA(actor)
		all := c.get(fmt.Sprintf("/documents/%d", w.doc)).body
		byMember := c.get(fmt.Sprintf("/documents/%d?author=member", w.doc)).body
		switch actor {
		case "member":
			mustContain(t, all, `My notes (2)`)
			mustContain(t, byMember, "Showing 2 of 3 notes", "by me", "My own private aside")
			continue
		case "educator":
			mustNotContain(t, byMember, "My own private aside")
			mustContain(t, all, `<option value="member">member (1)</option>`)
			mustContain(t, byMember, "Showing 1 of 2 notes", w.secret)
		default:
			mustNotContain(t, byMember, "My own private aside")
			mustNotContain(t, all, `value="member"`, w.secret)
			mustContain(t, byMember, "Showing 0 of 0 notes")
			mustNotContain(t, byMember, w.secret, "Reply in class")
			if got := countedNotes(byMember); got != 0 {
				t.Errorf("%s: the author filter counts %d of member's notes", actor, got)
			}
		}
		byClass := c.get(fmt.Sprintf("/documents/%d?class=%d", w.doc, class)).body
		if sees {
			mustContain(t, all, fmt.Sprintf(`<option value="%d">Diplomacy 101</option>`, class))
			mustContain(t, byClass, "shared with Diplomacy 101", w.secret)
			continue
		}
		mustNotContain(t, all, "Diplomacy 101")
		mustNotContain(t, byClass, "Diplomacy 101", "filters__active", w.secret)
		if byClass != all && actor == "anonymous" {
			t.Errorf("anonymous: another class's filter changed the page")
		}
	}
	// Class B's student sees their own class offered, once there is a
	// note to filter (a text without notes says so instead of a filter).
	mustContain(t, w.actors["other"].get(fmt.Sprintf("/documents/%d", w.doc)).body, "No notes on this text yet")
	if _, err := models.CreateAnnotation(ts.db, w.teacherU, doc, models.AnnotationInput{Kind: models.KindComment, Passage: 2, QuoteHint: -1,
		Visibility: models.VisibilityPublic, Body: "A public remark"}, models.StatusPublished); err != nil {
		t.Fatal(err)
	}
	mustContain(t, w.actors["other"].get(fmt.Sprintf("/documents/%d", w.doc)).body, ">Class B</option>")
}

// entries counts what the cache holds.
func (pc *pageCache) entries() int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return len(pc.items)
}

// TestFilterBarMarksTheActiveChoices: the kind and order links, kept with
// the page's shell for every request it serves (Kept), mark the filter of
// the page asked for, for a visitor and a reader, whichever page they saw
// before; and they do not hold the counts, which the bar's other parts
// bring up to date after a note.
func TestFilterBarMarksTheActiveChoices(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	path := fmt.Sprintf("/documents/%d", doc)
	writer, _ := ts.loggedIn("fb_writer", models.RoleReader)
	reader, _ := ts.loggedIn("fb_reader", models.RoleReader)
	post := func(body string) {
		t.Helper()
		id, res := writer.annotate(doc, url.Values{"kind": {"question"}, "passage": {"2"}, "body": {body}})
		if id == 0 {
			t.Fatalf("post: %d", res.status)
		}
		ts.publish(id)
	}
	post("Which question is this?")
	for _, c := range []*client{ts.client(), reader} {
		for _, q := range []struct{ query, current string }{
			{"", `>All kinds</a>`},
			{"?kind=question", `?kind=question" aria-current="true">`},
			{"?sort=helpful", `?sort=helpful" aria-current="true">most helpful`},
			{"?kind=comment&sort=helpful", `?kind=comment&amp;sort=helpful" aria-current="true">`},
			{"", `>All kinds</a>`},
		} {
			page := c.get(path + q.query).body
			kinds := page[strings.Index(page, `class="filters__kinds"`):]
			kinds = kinds[:strings.Index(kinds, "</ul>")]
			if got := strings.Count(kinds, `aria-current="true"`); got != 1 {
				t.Errorf("%q: %d kinds marked current, want 1", q.query, got)
			}
			mustContain(t, page, q.current)
			if q.query == "" {
				mustContain(t, page, `<a href="/documents/`+strconv.Itoa(int(doc))+`" aria-current="true">All kinds</a>`, `aria-current="true">newest</a>`)
			}
		}
	}
	mustContain(t, reader.get(path).body, `>fb_writer (1)</option>`)
	post("And which is this one?")
	mustContain(t, reader.get(path).body, "And which is this one?", `>fb_writer (2)</option>`)
}
