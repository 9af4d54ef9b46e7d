package models_test

import (
	"os"
	"strings"
	"testing"

	"gorm.io/gorm"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/passhash"
	"margin/models/w3c"
)

const articleURL = "https://nsarchive.gwu.edu/briefing-book/russia-programs/2024-04-04/short-lived-nato-russia-honeymoon"

func importFixture(t *testing.T) (*gorm.DB, *models.Document, *models.User, func(file string, doc *models.Document) models.ImportReport) {
	t.Helper()
	db := modeltest.Open(t)
	if _, err := models.SeedSamples(db); err != nil {
		t.Fatal(err)
	}
	docs, _ := models.ListDocuments(db)
	var article *models.Document
	for _, d := range docs {
		if strings.Contains(d.Title, "Honeymoon") {
			article, _ = models.DocumentByID(db, d.ID)
		}
	}
	if err := models.UpdateDocumentMeta(db, article.ID, models.DocumentMeta{Title: article.Title, SourceURL: articleURL}); err != nil {
		t.Fatal(err)
	}
	u, err := models.CreateUser(db, models.NewUser{Username: "importer", Password: "correct horse battery staple", Role: models.RoleReader}, passhash.Fast)
	if err != nil {
		t.Fatal(err)
	}
	run := func(file string, doc *models.Document) models.ImportReport {
		t.Helper()
		data, err := os.ReadFile("testdata/annotations/" + file)
		if err != nil {
			t.Fatal(err)
		}
		notes, bad, err := w3c.ParseFile(data)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := models.ImportAnnotations(db, notes, models.ImportOptions{Document: doc, Author: u, Site: w3c.Site{Base: "https://margin.example"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range bad {
			rep.Problems = append(rep.Problems, e.Error())
		}
		return rep
	}
	return db, article, u, run
}

func TestImportW3CCollection(t *testing.T) {
	db, article, u, run := importFixture(t)
	rep := run("w3c-collection.jsonld", nil) // matched by the document's source URL
	if rep.Placed != 2 || rep.Replies != 1 || rep.Orphaned != 1 || rep.Existing != 0 || len(rep.Problems) != 1 || len(rep.Orphans) != 1 {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "item 5") {
		t.Errorf("the bare IRI is not reported: %v", rep.Problems)
	}
	var notes []models.Annotation
	db.Where("document_id = ? AND author_id = ?", article.ID, u.ID).Order("id").Find(&notes)
	if len(notes) != 4 {
		t.Fatalf("%d notes", len(notes))
	}
	// Replies are stored after every note they could reply to.
	q, c, ref, r := notes[0], notes[1], notes[2], notes[3]
	if q.Kind != models.KindQuestion || q.Exact != "Manfred Woerner" || q.Start != 39 || q.PassageNumber != 1 {
		t.Errorf("question %+v", q)
	}
	if c.Exact != "Chateau du Stuyvenbergh" || c.Body != "The Chateau is in Brussels." {
		t.Errorf("comment %+v", c)
	}
	if r.ParentID == nil || *r.ParentID != q.ID {
		t.Errorf("reply %+v", r)
	}
	if ref.Kind != models.KindReference || ref.PassageNumber != 0 || ref.AnchorStatus != "orphaned" {
		t.Errorf("unplaced reference %+v", ref)
	}
	origins, _ := models.Origins(db, []uint{c.ID, ref.ID})
	if tags := origins[c.ID].TagList(); len(tags) != 1 || tags[0] != "places" || origins[c.ID].Via != "https://annotations.example/anno/2" {
		t.Errorf("origin %+v", origins[c.ID])
	}
	if !strings.Contains(origins[ref.ID].Target, "a phrase this article never had") {
		t.Errorf("orphan's target not kept: %+v", origins[ref.ID])
	}
	// Twice: nothing new.
	again := run("w3c-collection.jsonld", nil)
	var n int64
	db.Model(&models.Annotation{}).Where("author_id = ?", u.ID).Count(&n)
	if again.Existing != 4 || again.Imported() != 0 || n != 4 {
		t.Errorf("second import %+v, %d notes", again, n)
	}
}

func TestImportHypothesis(t *testing.T) {
	db, article, u, run := importFixture(t)
	rep := run("hypothesis-search.json", article)
	if rep.Placed != 1 || rep.Replies != 1 || rep.Orphaned != 1 {
		t.Fatalf("report %+v", rep)
	}
	var notes []models.Annotation
	db.Where("author_id = ?", u.ID).Order("id").Find(&notes)
	if len(notes) != 3 || notes[0].Exact != "Boris Yeltsin" || notes[0].Body != "Yeltsin in **1993**: still hopeful." ||
		notes[2].ParentID == nil || *notes[2].ParentID != notes[0].ID || notes[1].PassageNumber != 0 {
		t.Fatalf("notes %+v", notes)
	}
	origins, _ := models.Origins(db, []uint{notes[0].ID})
	if tags := origins[notes[0].ID].TagList(); len(tags) != 2 {
		t.Errorf("tags %v", tags)
	}
	if again := run("hypothesis-search.json", article); again.Existing != 3 || again.Imported() != 0 {
		t.Errorf("second import %+v", again)
	}
}
