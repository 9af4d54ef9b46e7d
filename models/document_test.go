package models_test

import (
	"os"
	"path/filepath"
	"testing"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/textimport"
)

const readings = "../../shared/readings"

func readingFiles(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(readings, "*.txt"))
	long, _ := filepath.Glob(filepath.Join(readings, "long", "*.txt"))
	files = append(files, long...)
	if len(files) == 0 {
		t.Skip("../shared/readings not found: reading import tests skipped")
	}
	return files
}

func TestEveryReadingImports(t *testing.T) {
	db := modeltest.Open(t)
	for _, path := range readingFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := textimport.Parse(filepath.Base(path), data, "", 0)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		res, err := models.ImportDocument(db, parsed, nil)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		rev, err := models.RevisionByID(db, res.Document.CurrentRevisionID)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := models.Passages(db, rev.ID)
		if err != nil || len(ps) == 0 || len(ps) != rev.PassageCount {
			t.Errorf("%s: %d passages stored, revision says %d (%v)", path, len(ps), rev.PassageCount, err)
			continue
		}
		// Offsets are code points into the revision text.
		runes := []rune(rev.Text)
		for _, p := range ps {
			if string(runes[p.Start:p.End]) != p.Text {
				t.Errorf("%s passage %d: offsets %d-%d do not cut its text", path, p.Number, p.Start, p.End)
				break
			}
		}
	}
}

func TestMobyDickEncodingsImportIdentically(t *testing.T) {
	readingFiles(t)
	db := modeltest.Open(t)
	var texts [2][]string
	for i, name := range []string{"moby_dick_pg2701.txt", "moby_dick_pg2701.utf8.txt"} {
		data, err := os.ReadFile(filepath.Join(readings, "long", name))
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := textimport.Parse(name, data, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		res, err := models.ImportDocument(db, parsed, nil)
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 && res.Created {
			t.Error("the UTF-8 copy of the same text made a second document")
		}
		ps, _ := models.Passages(db, res.Document.CurrentRevisionID)
		for _, p := range ps {
			texts[i] = append(texts[i], p.Text)
		}
	}
	if len(texts[0]) != len(texts[1]) || len(texts[0]) < 1000 {
		t.Fatalf("passage counts differ or too few: %d vs %d", len(texts[0]), len(texts[1]))
	}
	for i := range texts[0] {
		if texts[0][i] != texts[1][i] {
			t.Fatalf("passage %d differs:\n%q\n%q", i+1, texts[0][i], texts[1][i])
		}
	}
}

func TestSampleArticleTitle(t *testing.T) {
	db := modeltest.Open(t)
	if _, err := models.SeedSamples(db); err != nil {
		t.Fatal(err)
	}
	docs, err := models.ListDocuments(db)
	if err != nil || len(docs) != 2 {
		t.Fatalf("samples: %d documents, %v", len(docs), err)
	}
	var article *models.DocumentSummary
	for i := range docs {
		if docs[i].Title == "The Short-lived NATO-Russia Honeymoon" {
			article = &docs[i]
		}
	}
	if article == nil {
		t.Fatalf("article title not detected: %+v", docs)
	}
	doc, _ := models.DocumentByID(db, article.ID)
	ps, _ := models.Passages(db, doc.CurrentRevisionID)
	for _, p := range ps {
		if p.Text == article.Title {
			t.Errorf("passage %d repeats the title", p.Number)
		}
	}
	// Seeding again leaves the library alone.
	if n, _ := models.SeedSamples(db); n != 0 {
		t.Errorf("second seed imported %d", n)
	}
}
