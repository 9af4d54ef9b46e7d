package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"margin/models"
)

// Undoing a decision is deciding again: whoever may not decide on a note,
// its author first of all, may not undo a decision on it either (issue 10,
// item 4).
func TestUndoFollowsTheRulesOfDeciding(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{})
	ts := w.ts
	doc, err := models.DocumentByID(ts.db, w.doc)
	if err != nil {
		t.Fatal(err)
	}
	judge, _ := ts.loggedIn("judge", models.RoleModerator)
	author, authorU := ts.loggedIn("judged", models.RoleModerator)
	assistant, assistantU := w.student("assistant")
	if _, err := models.AddEducator(ts.db, w.class, "assistant", ts.now); err != nil {
		t.Fatal(err)
	}
	public, err := models.CreateAnnotation(ts.db, authorU, doc, models.AnnotationInput{Kind: models.KindComment,
		Body: "A moderator's own note.", Passage: 1, QuoteHint: -1}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	classNote, err := models.CreateAnnotation(ts.db, assistantU, doc, models.AnnotationInput{Kind: models.KindComment,
		Body: "A co-educator's own class note.", Passage: 1, QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &w.class.ID},
		models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what          string
		decider, self *client
		note          uint
	}{
		{"a moderator", judge, author, public.ID},
		{"a class's educator", w.teacher, assistant, classNote.ID},
	} {
		c.decider.get("/moderation")
		wantStatus(t, c.what+" rejects", c.decider.post(fmt.Sprintf("/moderation/items/%d", c.note), url.Values{"action": {"reject"}}), http.StatusSeeOther)
		decisions, err := models.DecisionsAbout(ts.db, c.note)
		if err != nil || len(decisions) != 1 {
			t.Fatalf("the decision: %v %v", decisions, err)
		}
		c.self.get("/moderation")
		res := c.self.post(fmt.Sprintf("/moderation/items/%d", c.note), url.Values{"action": {"approve"}})
		wantStatus(t, "its author approves", res, http.StatusForbidden)
		res = c.self.post(fmt.Sprintf("/moderation/log/%d/undo", decisions[0].ID), nil)
		wantStatus(t, "its author undoes "+c.what+"'s rejection", res, http.StatusForbidden)
		mustContain(t, res.body, "You cannot decide on your own note")
		if ts.status(c.note) != models.StatusRejected {
			t.Errorf("after its author's undo the note is %s", ts.status(c.note))
		}
		// The one who decided still may.
		wantStatus(t, c.what+" undoes", c.decider.post(fmt.Sprintf("/moderation/log/%d/undo", decisions[0].ID), nil), http.StatusSeeOther)
		if ts.status(c.note) != models.StatusPublished {
			t.Errorf("after the undo the note is %s", ts.status(c.note))
		}
	}
}
