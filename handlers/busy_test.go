package handlers

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// BenchmarkPassageRender is what the first reader after a new note pays
// for the passage it is on: the busy passage of the 500-note article read
// and rendered for the passage cache, then written out for a visitor and a
// reader (`go test -run '^$' -bench PassageRender -cpu 1 ./handlers`).
// Each note goes again after its render, so the passage stays as busy.
// "shared" is the render that every reader who sees a visitor's notes
// shares, "own" that of a reader with a private note there.
func BenchmarkPassageRender(b *testing.B) {
	ts := newTestServer(b)
	doc, _ := ts.busyArticle(500, 3, 60)
	rev, err := models.RevisionByID(ts.db, doc.CurrentRevisionID)
	if err != nil {
		b.Fatal(err)
	}
	writer := ts.createUser("writer", models.RoleReader)
	owner := ts.createUser("owner", models.RoleReader)
	mine := models.AnnotationInput{Kind: models.KindComment, Passage: 3, QuoteHint: -1,
		Visibility: models.VisibilityPrivate, Body: "My own thought."}
	if _, err := models.CreateAnnotation(ts.db, owner, doc, mine, models.StatusPublished); err != nil {
		b.Fatal(err)
	}
	page := documentPage{Document: doc, Revision: rev, IsCurrent: true, Kinds: models.Kinds}
	page.setFilter(readingFilter{Sort: "newest"})
	data := &templateData{Title: doc.Title, Path: fmt.Sprintf("/documents/%d", doc.ID), Page: &page,
		tmpl: ts.app.pages["document"], csrf: func() string { return "token" }}
	readers := []*pageViewer{{csrf: data.CSRF}, {user: &models.User{ID: writer.ID + 100, Role: models.RoleReader}, csrf: data.CSRF}}
	for _, side := range []string{"shared", "own"} {
		b.Run(side, func(b *testing.B) {
			as := sharedData(data)
			if side == "own" {
				d := *data
				d.User = owner
				as = &d
			}
			busy := func() models.Passage {
				p, err := models.PassageByNumber(ts.db, rev.ID, 3)
				if err != nil {
					b.Fatal(err)
				}
				return *p
			}
			render := func(p models.Passage) {
				frags, err := ts.app.renderPassages(as, &page, []models.Passage{p}, true)
				if err != nil {
					b.Fatal(err)
				}
				var buf bytes.Buffer
				for _, v := range readers {
					if err := ts.app.writeFragment(&buf, frags[0], v); err != nil {
						b.Fatal(err)
					}
				}
			}
			render(busy()) // the outline cache holds the passage from now on
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				in := models.AnnotationInput{Kind: models.KindComment, Passage: 3, QuoteHint: -1,
					Visibility: models.VisibilityPublic, Body: fmt.Sprintf("Fresh note %d.", i)}
				fresh, err := models.CreateAnnotation(ts.db, writer, doc, in, models.StatusPublished)
				if err != nil {
					b.Fatal(err)
				}
				p := busy()
				b.StartTimer()
				render(p)
				b.StopTimer()
				// Refused, then erased, the note leaves the passage as busy as
				// it was, and the outline cache as true (it never holds a
				// refused note).
				if err := models.SetAnnotationStatus(ts.db, fresh, models.StatusRejected); err != nil {
					b.Fatal(err)
				}
				if err := ts.db.Unscoped().Delete(fresh).Error; err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// TestReadingViewRendersOnlyTheChangedPassage checks the passage cache: a
// note on one passage costs the next reader the render of that passage
// alone, and one render serves visitors and every logged-in reader who sees
// what a visitor sees there; what each sees is still their own (a private
// note shows to its author only, whose passage is rendered for them alone).
// A class note's passage-wide effects are TestHideUntilPostedOnTheReadingView's.
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
	renders(reader, 0, "first logged-in read: the visitor's passages")
	renders(ts.client(), 0, "second visitor")

	if _, res := writer.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"Passage two, freshly noted."}}); res.status != http.StatusSeeOther {
		t.Fatalf("post: status %d\n%s", res.status, res.body)
	}
	renders(anon, 1, "visitor after a note on passage 2", "Passage two, freshly noted.")
	renders(reader, 0, "reader after a note on passage 2", "Passage two, freshly noted.")

	if _, res := writer.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"3"}, "visibility": {"private"}, "body": {"Only the writer reads this."}}); res.status != http.StatusSeeOther {
		t.Fatalf("private post: status %d\n%s", res.status, res.body)
	}
	body := renders(anon, 1, "visitor after a private note")
	mustNotContain(t, body, "Only the writer reads this.")
	body = renders(reader, 0, "reader after another's private note")
	mustNotContain(t, body, "Only the writer reads this.")
	body = renders(writer, 1, "the writer's first read: their own passage 3", "Only the writer reads this.", "Passage two, freshly noted.")
	mustContain(t, sectionOf(body, 2), "/edit\"")
	mustNotContain(t, sectionOf(renders(reader, 0, "the reader after the writer"), 2), "/edit\"")

	// A second session of the same reader has its own CSRF token in every form.
	again := ts.client()
	again.get("/login")
	if res := again.post("/login", url.Values{"username": {"reader"}, "password": {passwordOf("reader")}}); res.status != http.StatusSeeOther {
		t.Fatalf("second login: status %d", res.status)
	}
	body = renders(again, 0, "the reader's second session")
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

// BenchmarkMixedReadWrite reads the 500-note article with 16 visitors and
// 16 logged-in readers while 8 writers add notes to it, through the real
// routes: b.N is the number of reads (`go test -bench MixedReadWrite
// -blockprofile block.out ./handlers` shows where they wait).
func BenchmarkMixedReadWrite(b *testing.B) {
	ts := newTestServer(b)
	doc, _ := ts.busyArticle(500, 3, 60)
	path := fmt.Sprintf("/documents/%d", doc.ID)
	var readers []*client
	for i := range 32 {
		if i%2 == 0 {
			readers = append(readers, ts.client())
			continue
		}
		c, _ := ts.loggedIn(fmt.Sprintf("mixed_reader%02d", i), models.RoleReader)
		readers = append(readers, c)
	}
	var writers []*client
	for i := range 8 {
		c, _ := ts.loggedIn(fmt.Sprintf("mixed_writer%02d", i), models.RoleReader)
		c.get(path)
		writers = append(writers, c)
	}
	ts.app.cfg.PostPerUser, ts.app.cfg.PostPerIP = -1, -1
	stop := make(chan struct{})
	var writes atomic.Int64
	var wg sync.WaitGroup
	for i, w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				res := w.post(path+"/annotations", url.Values{"kind": {"comment"}, "passage": {fmt.Sprint(1 + (i+n)%10)},
					"body": {fmt.Sprintf("Writer %d, note %d: a thought on the passage.", i, n)}})
				if res.status != http.StatusSeeOther {
					b.Errorf("post: %d %s", res.status, res.body[:min(len(res.body), 300)])
					return
				}
				writes.Add(1)
			}
		}()
	}
	var reads atomic.Int64
	renders := ts.app.passageRenders.Load()
	start := time.Now()
	b.ResetTimer()
	var rg sync.WaitGroup
	for _, r := range readers {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for reads.Add(1) <= int64(b.N) {
				if res := r.get(path); res.status != http.StatusOK {
					b.Errorf("read: %d", res.status)
					return
				}
			}
		}()
	}
	rg.Wait()
	b.StopTimer()
	close(stop)
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	b.ReportMetric(float64(b.N)/elapsed, "reads/s")
	b.ReportMetric(float64(writes.Load())/elapsed, "writes/s")
	b.ReportMetric(float64(ts.app.passageRenders.Load()-renders)/float64(max(writes.Load(), 1)), "renders/write")
}

// TestBusyPassageShowsAPreview: the reading view shows the newest few
// threads of a busy passage with their text and links to the passage's own
// page, which has them all; counts and highlights still cover every note.
func TestBusyPassageShowsAPreview(t *testing.T) {
	ts := newTestServer(t)
	doc, notes := ts.busyArticle(40, 3, 30)
	page := ts.client().get(fmt.Sprintf("/documents/%d", doc.ID)).body
	busy := sectionOf(page, 3)
	if n := strings.Count(busy, `<article class="note note--`); n < marginPreview || n > 3*marginPreview {
		t.Errorf("the busy passage shows %d notes, want its first %d threads", n, marginPreview)
	}
	total, oldest, newest := 0, uint(0), uint(0)
	for _, n := range notes {
		if n.PassageNumber != 3 {
			continue
		}
		total++
		if n.ParentID == nil {
			oldest, newest = min(oldest-1, n.ID-1)+1, max(newest, n.ID)
		}
	}
	more := fmt.Sprintf(`href="/documents/%d/passages/3" data-more-notes>`, doc.ID)
	mustContain(t, busy, more, fmt.Sprintf("%d notes", total))
	mustContain(t, busy, fmt.Sprintf(`id="a-%d"`, newest))
	mustNotContain(t, busy, fmt.Sprintf(`id="a-%d"`, oldest))

	all := ts.client().get(fmt.Sprintf("/documents/%d/passages/3", doc.ID))
	if all.status != http.StatusOK {
		t.Fatalf("passage page: %d", all.status)
	}
	if n := strings.Count(all.body, `<article class="note note--`); n != total {
		t.Errorf("the passage page shows %d notes, want all %d", n, total)
	}
	mustNotContain(t, all.body, "data-more-notes")
	mustContain(t, all.body, fmt.Sprintf(`href="/documents/%d#p-3"`, doc.ID))
	for _, bad := range []string{"/passages/0", "/passages/999", "/passages/x"} {
		if res := ts.client().get(fmt.Sprintf("/documents/%d%s", doc.ID, bad)); res.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", bad, res.status)
		}
	}
	// The first page of a busy document stays small.
	if len(page) > 150_000 {
		t.Errorf("the reading view is %d bytes", len(page))
	}
}

// TestInlineComposerIsToldWhereToGo: a form the composer's script sends
// itself gets 204 and the note's address (a followed redirect would drop its
// #fragment); invalid input still answers 422 with the messages.
func TestInlineComposerIsToldWhereToGo(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	c, _ := ts.loggedIn("inline", models.RoleReader)
	c.get(fmt.Sprintf("/documents/%d", doc))
	send := func(form url.Values) response {
		form.Set("_csrf", c.csrf)
		req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/documents/%d/annotations", ts.URL, doc), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(fetchHeader, "1")
		return c.do(req)
	}
	res := send(url.Values{"kind": {"disagreement"}, "passage": {"2"}, "body": {"Not so."}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a disagreement without a counterpoint: %d", res.status)
	}
	mustContain(t, res.body, `class="field-error"`)
	res = send(url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"Quite so."}})
	if loc := res.header.Get(locationHeader); res.status != http.StatusNoContent || !annotationLocation.MatchString(loc) {
		t.Fatalf("a good note: status %d, location %q", res.status, loc)
	}
}
