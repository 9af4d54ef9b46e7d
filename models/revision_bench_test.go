package models_test

import (
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/passhash"
	"margin/models/textimport"
)

// BenchmarkReviseDocumentFederalist is the whole revision, database writes
// included: 10,000 notes on the Federalist Papers, a paragraph inserted at
// the top and 50 typo fixes.
func BenchmarkReviseDocumentFederalist(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "shared", "readings", "federalist_papers_pg18.txt"))
	if err != nil {
		b.Skip("shared readings not available")
	}
	db := modeltest.Open(b)
	parsed, err := textimport.Parse("f.txt", raw, "", 0)
	if err != nil {
		b.Fatal(err)
	}
	res, err := models.ImportDocument(db, parsed, nil)
	if err != nil {
		b.Fatal(err)
	}
	u, _ := models.CreateUser(db, models.NewUser{Username: "reviser", Password: "a long password 123"}, passhash.Fast)
	doc := res.Document
	ps, _ := models.Passages(db, doc.CurrentRevisionID)
	rnd := rand.New(rand.NewSource(13))
	var notes []models.Annotation
	for len(notes) < 10_000 {
		p := ps[rnd.Intn(len(ps))]
		r := []rune(p.Text)
		if len(r) < 40 {
			continue
		}
		at := rnd.Intn(len(r) - 30)
		notes = append(notes, models.Annotation{DocumentID: doc.ID, RevisionID: doc.CurrentRevisionID, PassageNumber: p.Number,
			Exact: string(r[at : at+25]), Start: p.Start + at, End: p.Start + at + 25, AuthorID: u.ID, Kind: models.KindComment,
			Body: "n", BodyHTML: "<p>n</p>", AnchorStatus: "exact", Status: models.StatusPublished, Visibility: models.VisibilityPublic})
	}
	if err := db.CreateInBatches(notes, 500).Error; err != nil {
		b.Fatal(err)
	}
	edited := make([]textimport.Passage, 0, len(parsed.Passages)+1)
	edited = append(edited, textimport.Passage{Kind: textimport.Paragraph, Text: "A new introduction comes first."})
	edited = append(edited, parsed.Passages...)
	for range 50 {
		k := 1 + rnd.Intn(len(edited)-1)
		if w := strings.Fields(edited[k].Text); len(w) > 3 && len(w[2]) > 4 {
			rw := []rune(w[2])
			rw[1], rw[2] = rw[2], rw[1]
			edited[k].Text = strings.Replace(edited[k].Text, w[2], string(rw), 1)
		}
	}
	revised := *parsed
	revised.Passages = edited
	b.ResetTimer()
	start := time.Now()
	report, err := models.ReviseDocument(db, doc.ID, &revised, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/revision")
	b.Logf("counts %v", report.Counts)

}
