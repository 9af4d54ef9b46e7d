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
	if n, _ := models.OrphanedCount(db, d, u); n != 1 {
		t.Fatalf("orphaned count for the author %d", n)
	}
	if n, _ := models.OrphanedCount(db, d, nil); n != 0 {
		t.Fatalf("orphaned count for a visitor %d: only authors and editors hear of orphans", n)
	}
	if list, err := models.Orphans(db, d, u); err != nil || len(list) != 1 || list[0].RevisionNumber != 1 || list[0].Author.Username != "reviser" {
		t.Fatalf("orphans: %+v, %v", list, err)
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

// TestReviseDocumentFollowsTheEdit checks the re-anchoring follows the edit
// itself: a note on a deleted paragraph orphans though its phrase stands
// elsewhere, a whole-passage note follows its paragraph's move, and a quote
// with a word inserted is carried, marked changed, keeping its first wording.
func TestReviseDocumentFollowsTheEdit(t *testing.T) {
	db := modeltest.Open(t)
	original := "# Memo\n\nAbove all, the public good is served by this plan.\n\nNobody here doubts the public good of such a treaty.\n\nThe delegation flew to Moscow with Supreme Soviet approval.\n"
	parsed, _ := textimport.Parse("m.md", []byte(original), "", 0)
	res, err := models.ImportDocument(db, parsed, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := res.Document
	u, _ := models.CreateUser(db, models.NewUser{Username: "reviser", Password: "a long password 123"}, passhash.Fast)
	note := func(passage int, quote string) *models.Annotation {
		a, err := models.CreateAnnotation(db, u, doc, models.AnnotationInput{Kind: models.KindComment, Body: "A note.", Passage: passage, Quote: quote, QuoteHint: -1}, models.StatusPublished)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	deleted := note(2, "the public good")
	whole := note(3, "")
	inserted := note(3, "Moscow with Supreme")
	edited := "# Memo\n\nThe delegation flew to Moscow with the Supreme Soviet approval.\n\nAbove all, the public good is served by this plan.\n"
	parsed2, _ := textimport.Parse("m.md", []byte(edited), "markdown", 0)
	report, err := models.ReviseDocument(db, doc.ID, parsed2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if report.Counts["orphaned"] != 1 || report.Counts["changed"] != 2 {
		t.Errorf("counts %v, want 1 orphaned and 2 changed", report.Counts)
	}
	if a, _ := models.AnnotationByID(db, deleted.ID); a.AnchorStatus != "orphaned" || a.RevisionID == report.Revision.ID {
		t.Errorf("note on the deleted paragraph: %s on revision %d, want orphaned on the first", a.AnchorStatus, a.RevisionID)
	}
	if a, _ := models.AnnotationByID(db, whole.ID); a.PassageNumber != 1 || a.RevisionID != report.Revision.ID {
		t.Errorf("whole-passage note on passage %d (%s), want 1, where its paragraph went", a.PassageNumber, a.AnchorStatus)
	}
	a, _ := models.AnnotationByID(db, inserted.ID)
	if a.PassageNumber != 1 || a.Exact != "Moscow with the Supreme" || a.PreviousExact != "Moscow with Supreme" || a.AnchorStatus != "changed" {
		t.Errorf("quote with a word inserted: passage %d %q (was %q) %s", a.PassageNumber, a.Exact, a.PreviousExact, a.AnchorStatus)
	}
}
