package models_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"margin/models"
)

// searchNote posts a note with body by u, public unless class is given.
func (f *classFixture) searchNote(u *models.User, class *models.Class, body string, status models.Status) *models.Annotation {
	f.t.Helper()
	in := models.AnnotationInput{Kind: models.KindComment, Body: body, Passage: 1, QuoteHint: -1}
	if class != nil {
		in.Visibility, in.ClassID = models.VisibilityClass, &class.ID
	}
	a, err := models.CreateAnnotation(f.db, u, f.doc, in, status)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// allPages follows a search page by page and returns every note id in order.
func allPages(t *testing.T, f *classFixture, viewer *models.User, q string) []uint {
	t.Helper()
	var ids []uint
	for page := 1; ; page++ {
		r, err := models.Search(f.db, viewer, models.SearchRequest{Query: q, Page: page})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range r.Notes {
			ids = append(ids, n.ID)
		}
		if !r.More {
			return ids
		}
		if page > 100 {
			t.Fatal("search pages never end")
		}
	}
}

func noteIDs(r models.SearchResults) []uint {
	var ids []uint
	for _, n := range r.Notes {
		ids = append(ids, n.ID)
	}
	return ids
}

// A note the viewer may not see never appears, is never counted, and never
// moves what they do see: the pages are the same with and without such
// notes, however well they would rank.
func TestSearchIgnoresNotesTheViewerMayNotSee(t *testing.T) {
	for _, window := range []int{1000, 7} { // 7: pages run past the ranked window
		t.Run(fmt.Sprint("window ", window), func(t *testing.T) {
			defer models.SetRankWindow(window)()
			f := newClassFixture(t)
			viewer := f.student("viewer")
			other := f.student("classmate")
			seminar, err := models.CreateClass(f.db, f.educator, models.ClassInput{Name: "Seminar"}, f.now)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range []*models.User{viewer, other} {
				if err := models.JoinClass(f.db, u, seminar, f.now); err != nil {
					t.Fatal(err)
				}
			}
			elsewhere, err := models.CreateClass(f.db, f.educator, models.ClassInput{Name: "Elsewhere"}, f.now)
			if err != nil {
				t.Fatal(err)
			}
			stranger := f.user("stranger", models.RoleReader)
			if err := models.JoinClass(f.db, stranger, elsewhere, f.now); err != nil {
				t.Fatal(err)
			}
			// What the viewer sees: public notes, their classes' notes, their own private one.
			for i := range 30 {
				f.searchNote(stranger, nil, "lantern "+strings.Repeat("word ", i%9)+strings.Repeat("lantern ", i%4), models.StatusPublished)
			}
			f.searchNote(other, f.class, "lantern in the first class", models.StatusPublished)
			f.searchNote(other, seminar, "lantern lantern in the seminar", models.StatusPublished)
			mine := f.searchNote(viewer, nil, "my own private lantern", models.StatusPublished)
			if err := f.db.Model(mine).Update("visibility", models.VisibilityPrivate).Error; err != nil {
				t.Fatal(err)
			}
			before := map[string][]uint{"viewer": allPages(t, f, viewer, "lantern"), "anonymous": allPages(t, f, nil, "lantern")}
			if len(before["viewer"]) != 33 || len(before["anonymous"]) != 30 {
				t.Fatalf("found %d and %d notes, want 33 for the member, 30 anonymously", len(before["viewer"]), len(before["anonymous"]))
			}

			// Every kind of note the viewer may not see, each worded to rank first.
			loud := "lantern lantern lantern lantern"
			hidden := map[string]*models.Annotation{
				"private":       f.searchNote(stranger, nil, loud+" private", models.StatusPublished),
				"other class":   f.searchNote(stranger, elsewhere, loud+" other class", models.StatusPublished),
				"held":          f.searchNote(stranger, nil, loud+" held", models.StatusPending),
				"spam":          f.searchNote(stranger, nil, loud+" spam", models.StatusSpam),
				"hidden":        f.searchNote(stranger, nil, loud+" hidden", models.StatusPublished),
				"rejected":      f.searchNote(stranger, nil, loud+" rejected", models.StatusPublished),
				"deleted":       f.searchNote(stranger, nil, loud+" deleted", models.StatusPublished),
				"purged":        f.searchNote(stranger, nil, loud+" purged", models.StatusPublished),
				"until posted":  nil,
				"class held":    f.searchNote(other, f.class, loud+" class held", models.StatusPending),
				"seminar draft": f.searchNote(other, seminar, loud+" seminar hidden", models.StatusPublished),
			}
			set := func(a *models.Annotation, col string, v any) {
				if err := f.db.Model(a).UpdateColumn(col, v).Error; err != nil {
					t.Fatal(err)
				}
			}
			set(hidden["private"], "visibility", models.VisibilityPrivate)
			set(hidden["hidden"], "status", models.StatusHidden)
			set(hidden["rejected"], "status", models.StatusRejected)
			set(hidden["seminar draft"], "status", models.StatusHidden)
			set(hidden["purged"], "purged_at", f.now)
			if err := models.DeleteAnnotation(f.db, stranger, hidden["deleted"], f.now); err != nil {
				t.Fatal(err)
			}
			// A classmate's note on a reading the viewer must post on first.
			reading := f.document("Hidden reading", "A passage.")
			f.assign(f.class, models.AssignmentInput{DocumentID: reading.ID, HideUntilPosted: true, MinAnnotations: 1})
			a, err := models.CreateAnnotation(f.db, other, reading, models.AnnotationInput{Kind: models.KindComment, Body: loud + " until posted",
				Passage: 1, QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &f.class.ID}, models.StatusPublished)
			if err != nil {
				t.Fatal(err)
			}
			hidden["until posted"] = a

			for who, viewerOf := range map[string]*models.User{"viewer": viewer, "anonymous": nil} {
				after := allPages(t, f, viewerOf, "lantern")
				if !slices.Equal(after, before[who]) {
					t.Errorf("%s: pages changed when notes they may not see were added:\n before %v\n after  %v", who, before[who], after)
				}
				for kind, a := range hidden {
					if slices.Contains(after, a.ID) {
						t.Errorf("%s found the %s note", who, kind)
					}
				}
			}
			// Its author still finds their own held note.
			if !slices.Contains(allPages(t, f, stranger, "lantern"), hidden["held"].ID) {
				t.Error("the author of a held note does not find it")
			}
		})
	}
}

func TestSearchQueries(t *testing.T) {
	f := newClassFixture(t)
	u := f.student("writer")
	n := map[string]*models.Annotation{}
	for key, body := range map[string]string{
		"treaties": "The treaties were signed in Paris.",
		"treaty":   "A TREATY of peace.",
		"navy":     "The treaty of the navy.",
		"phrase":   "North Atlantic alliance and more.",
		"apart":    "Atlantic is far from north.",
		"word":     "Mushroom soup.",
	} {
		n[key] = f.searchNote(u, nil, body, models.StatusPublished)
	}
	cases := []struct {
		q    string
		want []string
	}{
		{"treaty", []string{"treaties", "treaty", "navy"}}, // stemmed, any case
		{"treaty -navy", []string{"treaties", "treaty"}},
		{`"north atlantic"`, []string{"phrase"}},
		{"north atlantic", []string{"phrase", "apart"}},
		{"mush*", []string{"word"}},
		{"mush", nil}, // whole words only
		{"-navy", nil},
		{`"; DROP TABLE annotations; --`, nil},
	}
	for _, c := range cases {
		r, err := models.Search(f.db, nil, models.SearchRequest{Query: c.q})
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		var want []uint
		for _, k := range c.want {
			want = append(want, n[k].ID)
		}
		got := noteIDs(r)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%q found %v, want %v", c.q, got, want)
		}
	}
	// The note with the word twice in few words ranks above one with it once.
	f.searchNote(u, nil, "Zither.", models.StatusPublished)
	twice := f.searchNote(u, nil, "Zither, zither.", models.StatusPublished)
	f.searchNote(u, nil, "A zither in a long sentence of many other words about other things entirely.", models.StatusPublished)
	r, _ := models.Search(f.db, nil, models.SearchRequest{Query: "zither"})
	if len(r.Notes) != 3 || r.Notes[0].ID != twice.ID {
		t.Errorf("zither ranked %v, want %d first", noteIDs(r), twice.ID)
	}
	// Snippets mark the words and cut at word boundaries.
	long := f.searchNote(u, nil, strings.Repeat("filler words here ", 20)+"the quokka sleeps "+strings.Repeat("more words after ", 20), models.StatusPublished)
	r, _ = models.Search(f.db, nil, models.SearchRequest{Query: "quokka"})
	if len(r.Notes) != 1 || r.Notes[0].ID != long.ID {
		t.Fatalf("quokka found %v", noteIDs(r))
	}
	var text strings.Builder
	marked := 0
	for _, p := range r.Notes[0].Snippet {
		text.WriteString(p.Text)
		if p.Match {
			marked++
			if strings.ToLower(p.Text) != "quokka" {
				t.Errorf("marked %q", p.Text)
			}
		}
	}
	s := text.String()
	if marked != 1 || !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") || len(s) > 300 {
		t.Errorf("snippet %q: want the match marked once, ellipses at both ends, short", s)
	}
	for _, w := range strings.Fields(strings.Trim(s, "… ")) {
		if !slices.Contains([]string{"filler", "words", "here", "the", "quokka", "sleeps", "more", "after"}, w) {
			t.Errorf("snippet %q cuts a word: %q", s, w)
		}
	}
	// Titles and passages.
	r, _ = models.Search(f.db, nil, models.SearchRequest{Query: "potsdam"})
	if len(r.Passages) != 1 || r.Passages[0].Number != 2 {
		t.Errorf("potsdam passages: %+v", r.Passages)
	}
	r, _ = models.Search(f.db, nil, models.SearchRequest{Query: "reading"})
	if len(r.Documents) != 1 || r.Documents[0].ID != f.doc.ID {
		t.Errorf("title search: %+v", r.Documents)
	}
}

func TestSearchFilters(t *testing.T) {
	f := newClassFixture(t)
	ann, bea := f.student("ann"), f.student("bea")
	other := f.document("Other reading", "Elsewhere entirely.")
	public := f.searchNote(ann, nil, "kestrel public", models.StatusPublished)
	class := f.searchNote(bea, f.class, "kestrel in class", models.StatusPublished)
	question, err := models.CreateAnnotation(f.db, bea, other, models.AnnotationInput{Kind: models.KindQuestion, Body: "kestrel question?",
		Passage: 1, Quote: "Elsewhere", QuoteHint: -1}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	reply, err := models.CreateReply(f.db, ann, public, models.AnnotationInput{Kind: models.KindComment, Body: "kestrel reply"}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 5, 1, 12, 0, 0, 0, time.UTC)
	f.at(public, old)
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	cases := []struct {
		name string
		f    models.SearchFilter
		want []*models.Annotation
	}{
		{"none", models.SearchFilter{}, []*models.Annotation{public, class, question, reply}},
		{"kind", models.SearchFilter{Kind: models.KindQuestion}, []*models.Annotation{question}},
		{"author", models.SearchFilter{Author: "ann"}, []*models.Annotation{public, reply}},
		{"document", models.SearchFilter{DocumentID: other.ID}, []*models.Annotation{question}},
		{"class", models.SearchFilter{ClassID: f.class.ID}, []*models.Annotation{class}},
		{"from", models.SearchFilter{From: day("2021-01-01")}, []*models.Annotation{class, question, reply}},
		{"to", models.SearchFilter{To: day("2020-05-02")}, []*models.Annotation{public}},
		{"with quote", models.SearchFilter{Quote: "with"}, []*models.Annotation{question}},
		{"without quote", models.SearchFilter{Quote: "without"}, []*models.Annotation{public, class, reply}},
		{"replies", models.SearchFilter{Replies: "only"}, []*models.Annotation{reply}},
		{"no replies", models.SearchFilter{Replies: "none"}, []*models.Annotation{public, class, question}},
		{"combined", models.SearchFilter{Author: "ann", Replies: "none"}, []*models.Annotation{public}},
	}
	for _, c := range cases {
		r, err := models.Search(f.db, ann, models.SearchRequest{Query: "kestrel", Filter: c.f})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var want []uint
		for _, a := range c.want {
			want = append(want, a.ID)
		}
		got := noteIDs(r)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: found %v, want %v", c.name, got, want)
		}
	}
	// A class filter shows nothing of a class to someone outside it.
	outsider := f.user("outsider", models.RoleReader)
	r, _ := models.Search(f.db, outsider, models.SearchRequest{Query: "kestrel", Filter: models.SearchFilter{ClassID: f.class.ID}})
	if len(r.Notes) != 0 {
		t.Errorf("an outsider filtering by class found %v", noteIDs(r))
	}
}

// Notes written before the index existed are found: the migration fills it,
// and a trigger lost to a table rebuild is put back with the index rebuilt.
func TestSearchIndexIsRepaired(t *testing.T) {
	f := newClassFixture(t)
	u := f.student("writer")
	if models.IsPostgres(f.db) {
		t.Skip("PostgreSQL alters tables in place: its triggers are never dropped")
	}
	if err := f.db.Exec("DROP TRIGGER annotations_fts_ai").Error; err != nil {
		t.Fatal(err)
	}
	a := f.searchNote(u, nil, "written while the trigger was missing: ocelot", models.StatusPublished)
	if r, _ := models.Search(f.db, nil, models.SearchRequest{Query: "ocelot"}); len(r.Notes) != 0 {
		t.Fatal("found without the trigger: the test proves nothing")
	}
	if err := models.Migrate(f.db); err != nil {
		t.Fatal(err)
	}
	if r, _ := models.Search(f.db, nil, models.SearchRequest{Query: "ocelot"}); len(r.Notes) != 1 || r.Notes[0].ID != a.ID {
		t.Errorf("after repair, found %v", noteIDs(r))
	}
}

// Matching folds case and accents on both engines ("cafe" finds "café",
// "ÉMILE" finds "émile") and still stems English; an edit takes the old
// words out of the index.
func TestSearchFoldsCaseAndAccents(t *testing.T) {
	f := newClassFixture(t)
	u := f.student("writer")
	cafe := f.searchNote(u, nil, "Un café noir chez Émile.", models.StatusPublished)
	cafes := f.searchNote(u, nil, "Two CAFÉS on the square.", models.StatusPublished)
	plain := f.searchNote(u, nil, "The cafe opens early; emile knows.", models.StatusPublished)
	decomposed := f.searchNote(u, nil, "Le cafe\u0301 de Zoe\u0308.", models.StatusPublished)
	doc := f.document("Notes from Zürich", "The Café Odéon stood on the Limmatquai.")
	cases := []struct {
		q    string
		want []*models.Annotation
	}{
		{"cafe", []*models.Annotation{cafe, cafes, plain, decomposed}}, // stemmed: cafés is café
		{"CAFÉ", []*models.Annotation{cafe, cafes, plain, decomposed}},
		{"cafés", []*models.Annotation{cafe, cafes, plain, decomposed}},
		{"ÉMILE", []*models.Annotation{cafe, plain}},
		{"emile", []*models.Annotation{cafe, plain}},
		{"zoë", []*models.Annotation{decomposed}},
		{`"cafe noir"`, []*models.Annotation{cafe}},
		{"caf*", []*models.Annotation{cafe, cafes, plain, decomposed}},
		{"opening", []*models.Annotation{plain}}, // stemming still works
	}
	for _, c := range cases {
		r, err := models.Search(f.db, nil, models.SearchRequest{Query: c.q})
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		var want []uint
		for _, a := range c.want {
			want = append(want, a.ID)
		}
		got := noteIDs(r)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%q found %v, want %v", c.q, got, want)
		}
	}
	r, err := models.Search(f.db, nil, models.SearchRequest{Query: "cafe"})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range r.Notes {
		if n.ID == cafe.ID {
			if got := snippetText(n.Snippet); got != "[café]" {
				t.Errorf("the extract marks %q, want the accented words as written", got)
			}
		}
	}
	if len(r.Documents) != 0 {
		t.Errorf("cafe found titles %v", r.Documents)
	}
	if r, _ := models.Search(f.db, nil, models.SearchRequest{Query: "zurich"}); len(r.Documents) != 1 || r.Documents[0].ID != doc.ID {
		t.Errorf("zurich found titles %+v, want Zürich", r.Documents)
	}
	if r, _ := models.Search(f.db, nil, models.SearchRequest{Query: "odeon"}); len(r.Passages) != 1 || r.Passages[0].DocumentID != doc.ID {
		t.Errorf("odeon found passages %+v, want Odéon", r.Passages)
	}
	if err := models.UpdateAnnotation(f.db, u, cafe, models.AnnotationInput{Kind: models.KindComment, Body: "Un thé vert."}, nil, f.now); err != nil {
		t.Fatal(err)
	}
	if r, _ := models.Search(f.db, nil, models.SearchRequest{Query: "emile"}); !slices.Equal(noteIDs(r), []uint{plain.ID}) {
		t.Errorf("after the edit, emile found %v, want only %d", noteIDs(r), plain.ID)
	}
	if r, _ := models.Search(f.db, nil, models.SearchRequest{Query: "THE VERT"}); !slices.Equal(noteIDs(r), []uint{cafe.ID}) {
		t.Errorf("after the edit, thé vert found %v, want %d", noteIDs(r), cafe.ID)
	}
	if !models.IsPostgres(f.db) {
		if err := f.db.Exec("INSERT INTO annotations_fts(annotations_fts) VALUES ('integrity-check')").Error; err != nil {
			t.Errorf("the index no longer matches the folded text: %v", err)
		}
	}
}

// snippetText is an extract's marked words, each in brackets.
func snippetText(s models.Snippet) string {
	var marked []string
	for _, p := range s {
		if p.Match {
			marked = append(marked, "["+p.Text+"]")
		}
	}
	return strings.Join(marked, " ")
}

// A database from before the index was folded (migration 6) finds its old
// notes by their unaccented words once migrated; and GORM's way of
// changing a column (copy the table, drop it, rename the copy) still works
// beside the index's views.
func TestSearchIndexIsFoldedForOlderData(t *testing.T) {
	f := newClassFixture(t)
	if models.IsPostgres(f.db) {
		t.Skip("PostgreSQL's index was folded from the start, by unaccent")
	}
	u := f.student("writer")
	// The index as migration 5 left it: the text as it is, no views.
	for _, stmt := range []string{
		"DROP TRIGGER annotations_fts_ai", "DROP TRIGGER annotations_fts_au", "DROP TRIGGER annotations_fts_bu", "DROP TRIGGER annotations_fts_bd",
		"DROP TABLE annotations_fts", "DROP VIEW annotations_fts_text",
		`CREATE VIRTUAL TABLE annotations_fts USING fts4(content="annotations", body, counterpoint, exact, tokenize=porter, order=DESC)`,
		"CREATE TRIGGER annotations_fts_ai AFTER INSERT ON annotations BEGIN INSERT INTO annotations_fts(docid, body, counterpoint, exact) VALUES (new.id, new.body, new.counterpoint, new.exact); END",
		"DELETE FROM schema_versions WHERE version >= 6",
	} {
		if err := f.db.Exec(stmt).Error; err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	old := f.searchNote(u, nil, "Written before: Éloïse at the café.", models.StatusPublished)
	if r, _ := models.Search(f.db, nil, models.SearchRequest{Query: "eloise"}); len(r.Notes) != 0 {
		t.Fatal("the unfolded index found eloise: the test proves nothing")
	}
	if err := models.Migrate(f.db); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"eloise", "Éloïse", "cafe"} {
		if r, _ := models.Search(f.db, nil, models.SearchRequest{Query: q}); !slices.Equal(noteIDs(r), []uint{old.ID}) {
			t.Errorf("after the migration, %q found %v, want %d", q, noteIDs(r), old.ID)
		}
	}
	if err := f.db.Migrator().AlterColumn(&models.Annotation{}, "Kind"); err != nil {
		t.Fatalf("GORM's table copy beside the views: %v", err)
	}
	if err := models.Migrate(f.db); err != nil { // puts back the triggers the copy dropped
		t.Fatal(err)
	}
	later := f.searchNote(u, nil, "Written after: Noël.", models.StatusPublished)
	if r, _ := models.Search(f.db, nil, models.SearchRequest{Query: "noel"}); !slices.Equal(noteIDs(r), []uint{later.ID}) {
		t.Errorf("after the table copy, noel found %v, want %d", noteIDs(r), later.ID)
	}
}
