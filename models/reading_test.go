package models_test

import (
	"fmt"
	"testing"

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
