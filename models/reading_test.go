package models_test

import (
	"fmt"
	"testing"
	"time"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/passhash"
)

// TestReadingViewOfAHugeDocument reads a document with more notes than
// SQLite takes variables in one query (32,766): loading their authors,
// citations and the viewer's helpful marks one IN list each answered
// "too many SQL variables" and the page a 500.
func TestReadingViewOfAHugeDocument(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 33,000 notes")
	}
	db := modeltest.Open(t)
	if _, err := models.SeedSamples(db); err != nil {
		t.Fatal(err)
	}
	docs, err := models.ListDocuments(db)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := models.DocumentByID(db, docs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := models.RevisionByID(db, doc.CurrentRevisionID)
	if err != nil {
		t.Fatal(err)
	}
	passages, err := models.Passages(db, rev.ID)
	if err != nil {
		t.Fatal(err)
	}
	reader, err := models.CreateUser(db, models.NewUser{Username: "bulk_reader", Password: "a long enough password 1"}, passhash.Fast)
	if err != nil {
		t.Fatal(err)
	}
	const n = 33_000
	notes := make([]models.Annotation, n)
	for i := range notes {
		notes[i] = models.Annotation{DocumentID: doc.ID, RevisionID: rev.ID, PassageNumber: passages[i%len(passages)].Number,
			AuthorID: reader.ID, Kind: models.KindComment, Body: "x", BodyHTML: fmt.Sprintf("<p>bulk %d</p>", i),
			Visibility: models.VisibilityPublic, Status: models.StatusPublished}
	}
	if err := db.CreateInBatches(notes, 1000).Error; err != nil {
		t.Fatal(err)
	}
	cites := []models.Citation{{AnnotationID: notes[0].ID, Title: "First"}, {AnnotationID: notes[n-1].ID, Title: "Last"}}
	if err := db.Create(&cites).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&models.Reaction{AnnotationID: notes[n-1].ID, UserID: reader.ID}).Error; err != nil {
		t.Fatal(err)
	}
	for _, viewer := range []*models.User{nil, reader} {
		views, err := models.ReadingView(db, rev, passages, viewer, models.ReadingOptions{})
		if err != nil {
			t.Fatalf("reading view of %d notes: %v", n, err)
		}
		total, marked := 0, 0
		var citations []string
		for _, v := range views {
			total += v.Total
			for _, th := range v.Threads {
				if th.Marked {
					marked++
				}
				for _, c := range th.Citations {
					citations = append(citations, c.Title)
				}
				if th.Author.Username != "bulk_reader" {
					t.Fatalf("note %d has author %q", th.ID, th.Author.Username)
				}
			}
		}
		if total != n {
			t.Errorf("the view counts %d notes, want %d", total, n)
		}
		if len(citations) != 2 {
			t.Errorf("citations %v, want First and Last", citations)
		}
		if want := map[bool]int{true: 0, false: 1}[viewer == nil]; marked != want {
			t.Errorf("viewer %v: %d notes marked helpful, want %d", viewer != nil, marked, want)
		}
	}
}

// TestContestedMeansADispute: one disagreement is an objection, not a
// dispute; two open ones, or one with a reply, mark the passage Contested,
// and a deleted one no longer counts. Under a kind filter the counts are of
// that kind.
func TestContestedMeansADispute(t *testing.T) {
	db := modeltest.Open(t)
	if _, err := models.SeedSamples(db); err != nil {
		t.Fatal(err)
	}
	docs, _ := models.ListDocuments(db)
	doc, err := models.DocumentByID(db, docs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	rev, _ := models.RevisionByID(db, doc.CurrentRevisionID)
	passages, _ := models.Passages(db, rev.ID)
	var users []*models.User
	for _, name := range []string{"ana", "ben", "cai"} {
		u, err := models.CreateUser(db, models.NewUser{Username: name, Password: "a long enough password 1"}, passhash.Fast)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	note := func(u *models.User, p int, k models.Kind) *models.Annotation {
		t.Helper()
		in := models.AnnotationInput{Kind: k, Passage: p, QuoteHint: -1, Body: "On this point.", Visibility: models.VisibilityPublic}
		if k == models.KindDisagreement {
			in.Counterpoint = "The opposite."
		}
		a, err := models.CreateAnnotation(db, u, doc, in, models.StatusPublished)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	view := func(opts models.ReadingOptions) []models.PassageView {
		t.Helper()
		v, err := models.ReadingView(db, rev, passages, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	contested := func(p int) bool { return view(models.ReadingOptions{})[p-1].Contested }

	first := note(users[0], 1, models.KindDisagreement)
	note(users[1], 1, models.KindQuestion)
	if contested(1) {
		t.Error("one disagreement marks the passage Contested")
	}
	second := note(users[1], 1, models.KindDisagreement)
	if !contested(1) {
		t.Error("two open disagreements do not mark the passage Contested")
	}
	if err := models.DeleteAnnotation(db, users[1], second, time.Now()); err != nil {
		t.Fatal(err)
	}
	if contested(1) {
		t.Error("a deleted disagreement still marks the passage Contested")
	}
	if _, err := models.CreateReply(db, users[2], first, models.AnnotationInput{Kind: models.KindComment, Body: "Why so?"}, models.StatusPublished); err != nil {
		t.Fatal(err)
	}
	if !contested(1) {
		t.Error("a disagreement with a reply does not mark the passage Contested")
	}

	v := view(models.ReadingOptions{Kind: models.KindQuestion})[0]
	if v.Total != 1 || v.All != 3 || len(v.Counts) != 1 || v.Counts[0].Kind != models.KindQuestion {
		t.Errorf("filtered by question: total %d of %d, counts %+v; want 1 of 3 (the deleted one gone), questions only", v.Total, v.All, v.Counts)
	}
}
