package models_test

import (
	"testing"

	"margin/models"
)

// An edit's re-check goes by the note's status at the time of the edit,
// not the one the editor loaded: a note a moderator approved meanwhile is
// held again when the new words call for it.
func TestEditRecheckSeesTheStatusNow(t *testing.T) {
	f := newModFixture(t)
	in := models.AnnotationInput{Kind: models.KindComment, Body: "A first, careful reading.", Passage: 1, QuoteHint: -1}
	a, err := models.CreateAnnotation(f.db, f.reader, f.doc, in, models.StatusPending)
	if err != nil {
		t.Fatal(err)
	}
	stale := *a // the editor's copy, loaded while the note waited
	if _, err := models.Decide(f.db, f.mod, a.ID, models.ActionApprove, "", f.now); err != nil {
		t.Fatal(err)
	}
	in.Body = "Cheap pills https://a.example https://b.example https://c.example https://d.example https://e.example"
	hold := models.Verdict{Status: models.StatusPending, Score: 0.2, Reasons: []string{"5 links"}}
	if err := models.UpdateAnnotation(f.db, f.reader, &stale, in, &hold, f.now); err != nil {
		t.Fatal(err)
	}
	if got := f.status(a); got != models.StatusPending {
		t.Fatalf("the approved note edited into spam is %s, want pending", got)
	}
}
