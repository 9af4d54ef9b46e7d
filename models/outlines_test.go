package models_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"margin/models"
)

// A visitor's reading view from the outline cache, kept up to date from
// the passages' change logs, is the view read afresh after every kind of
// change to the notes: new notes and replies of every audience, edits,
// deletions, moderation, helpful marks, a class note (which moves the
// notes epoch), and a reader so far behind that the log no longer
// reaches back to them. Readers (who see every note a visitor does here:
// no reading hides their classmates) get the cached notes and their own.
func TestOutlineCacheFollowsEveryChange(t *testing.T) {
	restore := models.SetChangeLogKept(8)
	defer restore()
	f := newClassFixture(t)
	rng := rand.New(rand.NewPCG(11, 12))
	users := []*models.User{f.educator, f.student("ada"), f.student("ben"), f.user("cyd", models.RoleReader)}
	cache, behind := models.NewOutlineCache(), models.NewOutlineCache()
	var notes []*models.Annotation
	kinds := []models.Kind{models.KindComment, models.KindQuestion, models.KindDisagreement, models.KindReference, models.KindContext}
	check := func(step int, what string, caches ...*models.OutlineCache) {
		t.Helper()
		doc, err := models.DocumentByID(f.db, f.doc.ID)
		if err != nil {
			t.Fatal(err)
		}
		rev, err := models.RevisionByID(f.db, doc.CurrentRevisionID)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := models.Passages(f.db, rev.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, viewer := range append([]*models.User{nil}, users...) {
			opts := models.ReadingOptions{Sort: "newest", Preview: 3}
			want, err := models.ReadingView(f.db, rev, ps, viewer, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range caches {
				opts.Outlines, opts.Epoch, opts.SeesVisitorsNotes = c, doc.NotesEpoch, true
				got, err := models.ReadingView(f.db, rev, ps, viewer, opts)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d (%s): the cached view for %v differs from a fresh read", step, what, viewer)
				}
			}
		}
	}
	now := time.Now().UTC()
	for step := range 300 {
		u := users[rng.IntN(len(users))]
		var what string
		switch op := rng.IntN(10); {
		case op < 3 || len(notes) == 0:
			what = "a new note"
			in := models.AnnotationInput{Kind: kinds[rng.IntN(len(kinds))], Body: fmt.Sprintf("note %d", step), Passage: 1 + rng.IntN(3), QuoteHint: -1,
				Counterpoint: "Not so.", Citations: []models.Citation{{Text: "A book."}}}
			switch rng.IntN(40) {
			case 0, 1, 2, 3, 4, 5:
				in.Visibility = models.VisibilityPrivate
			case 6:
				what, in.Visibility, in.ClassID = "a class note", models.VisibilityClass, &f.class.ID
			}
			status := models.StatusPublished
			if rng.IntN(5) == 0 {
				status = models.StatusPending
			}
			if u == users[3] && in.Visibility == models.VisibilityClass {
				in.Visibility, in.ClassID = models.VisibilityPublic, nil
			}
			a, err := models.CreateAnnotation(f.db, u, f.doc, in, status)
			if err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			notes = append(notes, a)
		case op == 3:
			what = "a reply"
			parent := notes[rng.IntN(len(notes))]
			if parent.DeletedAt != nil || parent.Visibility != models.VisibilityPublic {
				continue
			}
			a, err := models.CreateReply(f.db, u, parent, models.AnnotationInput{Kind: models.KindComment, Body: "a reply"}, models.StatusPublished)
			if err != nil {
				continue // a reply the rules refuse (to a held note, say)
			}
			notes = append(notes, a)
		case op == 4:
			what = "an edit"
			a := notes[rng.IntN(len(notes))]
			if a.DeletedAt != nil {
				continue
			}
			in := models.AnnotationInput{Kind: kinds[rng.IntN(len(kinds))], Body: fmt.Sprintf("edited %d", step), Passage: a.PassageNumber, QuoteHint: -1,
				Counterpoint: "Not so.", Citations: []models.Citation{{Text: "A book."}}, Visibility: a.Visibility, ClassID: a.ClassID}
			if a.ParentID != nil {
				in = models.AnnotationInput{Kind: a.Kind, Body: fmt.Sprintf("edited %d", step), Counterpoint: "Not so.", Citations: []models.Citation{{Text: "A book."}}}
			}
			author, _ := models.UserByID(f.db, a.AuthorID)
			_ = models.UpdateAnnotation(f.db, author, a, in, nil, now)
		case op == 5:
			what = "a deletion"
			a := notes[rng.IntN(len(notes))]
			author, _ := models.UserByID(f.db, a.AuthorID)
			if a.DeletedAt == nil {
				if err := models.DeleteAnnotation(f.db, author, a, now); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
			}
		case op < 8:
			what = "moderation"
			a := notes[rng.IntN(len(notes))]
			status := []models.Status{models.StatusHidden, models.StatusPublished, models.StatusSpam}[rng.IntN(3)]
			if err := models.SetAnnotationStatusAt(f.db, a, status, now); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
		default:
			what = "a helpful mark"
			a := notes[rng.IntN(len(notes))]
			if _, err := models.ToggleHelpful(f.db, u, a); err != nil {
				continue // one's own note, say
			}
		}
		check(step, what, cache)
		if step%25 == 24 {
			check(step, what+", read after a long pause", behind)
		}
	}
}
