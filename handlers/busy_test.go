package handlers

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"margin/models"
)

// busyArticle fills the sample article with n notes by a dozen readers, as a
// busy class would leave it: a third of them on one passage (onBusy), a
// quarter quoting a phrase, every fifth a reply, every kind represented,
// references with citations and disagreements with counterpoints.
func (ts *testServer) busyArticle(n, busyPassage, onBusy int) (*models.Document, []*models.Annotation) {
	ts.t.Helper()
	doc, err := models.DocumentByID(ts.db, ts.articleID())
	if err != nil {
		ts.t.Fatal(err)
	}
	passages, err := models.Passages(ts.db, doc.CurrentRevisionID)
	if err != nil {
		ts.t.Fatal(err)
	}
	var authors []*models.User
	for i := range 12 {
		authors = append(authors, ts.createUser(fmt.Sprintf("reader%02d", i), models.RoleReader))
	}
	kinds := []models.Kind{models.KindComment, models.KindQuestion, models.KindDisagreement, models.KindReference, models.KindContext}
	var out []*models.Annotation
	for i := range n {
		author := authors[i%len(authors)]
		k := kinds[(i/3)%len(kinds)]
		in := models.AnnotationInput{Kind: k, QuoteHint: -1, Visibility: models.VisibilityPublic,
			Body: fmt.Sprintf("Note %d on this passage: the *tone* is warmer than the record suggests, and the sources disagree on why. See [the archive](https://example.org/archive/%d).", i, i)}
		switch k {
		case models.KindDisagreement:
			in.Counterpoint = fmt.Sprintf("The record shows the opposite (%d).", i)
		case models.KindReference:
			in.Citations = []models.Citation{{Title: fmt.Sprintf("Archive box %d", i), URL: fmt.Sprintf("https://example.org/box/%d", i)}}
		}
		p := passages[i%len(passages)]
		if i < onBusy {
			p = passages[busyPassage-1]
		}
		in.Passage = p.Number
		if words := strings.Fields(p.Text); i%4 == 1 && len(words) >= 8 {
			start := (i * 7) % (len(words) - 4)
			in.Quote = strings.Join(words[start:start+3+i%2], " ")
		}
		var a *models.Annotation
		if i%5 == 4 && len(out) > 0 {
			parent := out[(i*13)%len(out)]
			for parent.ParentID != nil {
				parent = out[(i*17)%len(out)]
			}
			in.Quote, in.Counterpoint, in.Citations = "", "", nil
			if k == models.KindReference || k == models.KindDisagreement {
				in.Kind = models.KindComment
			}
			a, err = models.CreateReply(ts.db, author, parent, in, models.StatusPublished)
		} else {
			a, err = models.CreateAnnotation(ts.db, author, doc, in, models.StatusPublished)
		}
		if err != nil {
			ts.t.Fatalf("busy note %d: %v", i, err)
		}
		out = append(out, a)
	}
	doc, err = models.DocumentByID(ts.db, doc.ID)
	if err != nil {
		ts.t.Fatal(err)
	}
	return doc, out
}

// BenchmarkDocumentAfterWrite is the reading view's cost on a 500-note
// article right after a note was added to one passage: what every reader
// pays while others write (`go test -bench DocumentAfterWrite ./handlers`).
func BenchmarkDocumentAfterWrite(b *testing.B) {
	ts := newTestServer(b)
	doc, _ := ts.busyArticle(500, 3, 60)
	writer := ts.createUser("writer", models.RoleReader)
	user, _ := ts.loggedIn("bench_reader", models.RoleReader)
	for who, c := range map[string]*client{"anon": ts.client(), "user": user} {
		b.Run(who, func(b *testing.B) {
			path := fmt.Sprintf("/documents/%d", doc.ID)
			for i := range b.N {
				b.StopTimer()
				in := models.AnnotationInput{Kind: models.KindComment, Passage: 1 + i%10, QuoteHint: -1,
					Visibility: models.VisibilityPublic, Body: fmt.Sprintf("Fresh note %d.", i)}
				if _, err := models.CreateAnnotation(ts.db, writer, doc, in, models.StatusPublished); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if res := c.get(path); res.status != http.StatusOK {
					b.Fatalf("status %d", res.status)
				}
			}
		})
	}
}

// TestReadingViewRendersOnlyTheChangedPassage checks the passage cache: a
// note on one passage costs the next reader the render of that passage
// alone, for visitors and for each logged-in reader, and what each sees is
// still their own (a private note shows to its author only). A class
// note's passage-wide effects are TestHideUntilPostedOnTheReadingView's.
func TestReadingViewRendersOnlyTheChangedPassage(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	path := fmt.Sprintf("/documents/%d", doc)
	passages, err := models.Passages(ts.db, mustDoc(t, ts, doc).CurrentRevisionID)
	if err != nil {
		t.Fatal(err)
	}
	writer, _ := ts.loggedIn("writer", models.RoleReader)
	reader, _ := ts.loggedIn("reader", models.RoleReader)
	anon := ts.client()
	renders := func(c *client, want int64, what string, bodyWants ...string) string {
		t.Helper()
		before := ts.app.passageRenders.Load()
		res := c.get(path)
		if res.status != http.StatusOK {
			t.Fatalf("%s: status %d", what, res.status)
		}
		if got := ts.app.passageRenders.Load() - before; got != want {
			t.Errorf("%s: %d passages rendered, want %d", what, got, want)
		}
		mustContain(t, res.body, bodyWants...)
		return res.body
	}
	all := int64(len(passages))
	renders(anon, all, "first visitor")
	renders(reader, all, "first logged-in read")
	renders(ts.client(), 0, "second visitor")

	if _, res := writer.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"Passage two, freshly noted."}}); res.status != http.StatusSeeOther {
		t.Fatalf("post: status %d\n%s", res.status, res.body)
	}
	renders(anon, 1, "visitor after a note on passage 2", "Passage two, freshly noted.")
	renders(reader, 1, "reader after a note on passage 2", "Passage two, freshly noted.")

	if _, res := writer.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"3"}, "visibility": {"private"}, "body": {"Only the writer reads this."}}); res.status != http.StatusSeeOther {
		t.Fatalf("private post: status %d\n%s", res.status, res.body)
	}
	body := renders(anon, 1, "visitor after a private note")
	mustNotContain(t, body, "Only the writer reads this.")
	body = renders(reader, 1, "reader after another's private note")
	mustNotContain(t, body, "Only the writer reads this.")
	renders(writer, all, "the writer's first read", "Only the writer reads this.", "Passage two, freshly noted.")

	// A second session of the same reader has its own CSRF token in every form.
	again := ts.client()
	again.get("/login")
	if res := again.post("/login", url.Values{"username": {"reader"}, "password": {passwordOf("reader")}}); res.status != http.StatusSeeOther {
		t.Fatalf("second login: status %d", res.status)
	}
	body = renders(again, all, "the reader's second session")
	for _, m := range csrfInput.FindAllStringSubmatch(body, -1) {
		if html.UnescapeString(m[1]) != again.csrf {
			t.Fatalf("the second session's page holds another token in a form: %s", m[0])
		}
	}
	if n := len(csrfInput.FindAllString(body, -1)); n < 3 {
		t.Errorf("the page has %d forms with a token, want the notes' helpful forms too", n)
	}

	// A filter is a view of its own.
	before := ts.app.passageRenders.Load()
	if res := anon.get(path + "?kind=comment"); res.status != http.StatusOK || !strings.Contains(res.body, "Passage two, freshly noted.") {
		t.Errorf("filtered page: status %d, or the comment is missing", res.status)
	}
	if got := ts.app.passageRenders.Load() - before; got != all {
		t.Errorf("the filtered page rendered %d passages, want all %d", got, all)
	}
}

func mustDoc(t *testing.T, ts *testServer, id uint) *models.Document {
	t.Helper()
	d, err := models.DocumentByID(ts.db, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
