package models_test

import (
	"strings"
	"testing"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/passhash"
	"margin/models/textimport"
)

func TestReviseDocumentReanchors(t *testing.T) {
	db := modeltest.Open(t)
	original := "# Treaty\n\nThe Parties agree that an armed attack against one shall be considered an attack against them all.\n\nEach Party shall consult the others.\n\nThis paragraph will be removed entirely from the text.\n"
	parsed, err := textimport.Parse("t.md", []byte(original), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := models.ImportDocument(db, parsed, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := res.Document
	u, _ := models.CreateUser(db, models.NewUser{Username: "reviser", Password: "a long password 123"}, passhash.Fast)
	moved, err := models.CreateAnnotation(db, u, doc, models.AnnotationInput{Kind: models.KindComment, Body: "Article 5.", Passage: 1, Quote: "an armed attack", QuoteHint: -1}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := models.CreateReply(db, u, moved, models.AnnotationInput{Kind: models.KindComment, Body: "Indeed."}, models.StatusPublished)
	gone, err := models.CreateAnnotation(db, u, doc, models.AnnotationInput{Kind: models.KindQuestion, Body: "Why?", Passage: 3, Quote: "will be removed entirely", QuoteHint: -1}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := models.Passages(db, doc.CurrentRevisionID)
	md := models.RevisionMarkdown(doc.Title, ps)
	if !strings.HasPrefix(md, "# Treaty\n\n") {
		t.Fatalf("markdown: %q", md)
	}
	edited := strings.Replace(md, "# Treaty\n\n", "# Treaty\n\nA new preamble comes first.\n\n", 1)
	edited = strings.Replace(edited, "This paragraph will be removed entirely from the text.\n", "", 1)
	parsed2, _ := textimport.Parse("t.md", []byte(edited), "markdown", 0)
	report, err := models.ReviseDocument(db, doc.ID, parsed2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if report.Revision.Number != 2 || report.Counts["orphaned"] != 1 {
		t.Fatalf("report: rev %d counts %v", report.Revision.Number, report.Counts)
	}
	a, _ := models.AnnotationByID(db, moved.ID)
	if a.RevisionID != report.Revision.ID || a.PassageNumber != 2 || a.Exact != "an armed attack" {
		t.Fatalf("moved annotation: rev %d passage %d exact %q", a.RevisionID, a.PassageNumber, a.Exact)
	}
	rev2, _ := models.RevisionByID(db, report.Revision.ID)
	if got := string([]rune(rev2.Text)[a.Start:a.End]); got != "an armed attack" {
		t.Fatalf("positions cut %q", got)
	}
	r, _ := models.AnnotationByID(db, reply.ID)
	if r.RevisionID != report.Revision.ID || r.PassageNumber != 2 {
		t.Fatal("the reply did not follow its thread")
	}
	o, _ := models.AnnotationByID(db, gone.ID)
	if o.RevisionID == report.Revision.ID || o.AnchorStatus != "orphaned" {
		t.Fatalf("orphan: rev %d status %s", o.RevisionID, o.AnchorStatus)
	}
	d, _ := models.DocumentByID(db, doc.ID)
	if n, _ := models.OrphanedCount(db, d, nil); n != 1 {
		t.Fatalf("orphaned count %d", n)
	}
	// The old revision stays readable.
	old, err := models.RevisionByNumber(db, doc.ID, 1)
	if err != nil || !strings.Contains(old.Text, "will be removed entirely") {
		t.Fatal("revision 1 lost")
	}
	// The same text again is refused.
	if _, err := models.ReviseDocument(db, doc.ID, parsed2, nil); err == nil {
		t.Fatal("an identical revision was accepted")
	}
}
