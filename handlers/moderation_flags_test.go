package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"margin/models"
)

// hideByFlags has three readers flag the note, which hides it.
func (ts *testServer) hideByFlags(id uint) {
	ts.t.Helper()
	for i := 1; i <= 3; i++ {
		c, _ := ts.loggedIn(fmt.Sprintf("flagger%d", i), models.RoleReader)
		c.flag(id, "abusive")
	}
	if ts.status(id) != models.StatusHidden {
		ts.t.Fatalf("three flags left note %d %s", id, ts.status(id))
	}
}

// A note hidden by readers' flags tells its author what happened (not "a
// moderator") and offers what fits: edit and delete, no reply.
func TestFlagHiddenNoteSaysWhatHappened(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	author, _ := ts.loggedIn("opinionated", models.RoleReader)
	id, _ := author.annotate(doc, url.Values{"kind": {"comment"}, "body": {"A provocative note."}, "passage": {"2"}})
	ts.hideByFlags(id)

	permalink := fmt.Sprintf("/annotations/%d", id)
	for _, path := range []string{fmt.Sprintf("/documents/%d", doc), permalink} {
		page := author.get(path).body
		mustContain(t, page, "Hidden after readers’ flags, waiting for a moderator", permalink+"/edit")
		mustNotContain(t, page, "Hidden by a moderator", `href="`+permalink+`#reply"`, `action="`+permalink+`/replies"`)
	}
	mustContain(t, author.get(permalink).body, "if they keep it, it returns and takes replies again", "You can still edit or delete it.")

	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	mod.get("/moderation/flagged")
	mod.post(fmt.Sprintf("/moderation/items/%d", id), url.Values{"action": {"hide"}})
	page := author.get(permalink).body
	mustContain(t, page, "Hidden by a moderator", "A moderator hid this note: it takes no replies.")
	mustNotContain(t, page, "waiting for a moderator", `action="`+permalink+`/replies"`)
}

// The queue reads an author's standing when it shows the item, not from the
// reasons recorded when the note came in, and shows no score from a
// classifier that had learnt nothing.
func TestQueueStandingIsReadWhenShown(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	doc := ts.articleID()
	author, _ := ts.loggedIn("newcomer", models.RoleReader)
	var ids []uint
	for i := 1; i <= 5; i++ {
		id, res := author.compose(doc, i, url.Values{"body": {fmt.Sprintf("Note number %d on this passage, written while new.", i)}})
		if id == 0 || ts.status(id) != models.StatusPending {
			t.Fatalf("note %d: %d %s", i, res.status, ts.status(id))
		}
		ids = append(ids, id)
	}
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	queue := mod.get("/moderation").body
	mustContain(t, queue, "New account: 0 of 1 approved notes needed", "none: the classifier had learnt nothing yet")
	mustNotContain(t, queue, "50%", "classifier untrained")
	for _, id := range ids[:4] {
		if res := mod.post(fmt.Sprintf("/moderation/items/%d", id), url.Values{"action": {"approve"}}); res.status != http.StatusSeeOther {
			t.Fatalf("approve %d: %d %s", id, res.status, res.body)
		}
	}
	for _, page := range []string{mod.get("/moderation").body, mod.get(fmt.Sprintf("/moderation/items/%d", ids[4])).body} {
		mustContain(t, page, "Trusted (4 notes approved, no spam)")
		mustNotContain(t, page, "0 of 1", "new account", "New account", "50%")
	}

	ts.trainSpam()
	ts.app.cfg.Screen.TrustedAfter = 10
	scored, _ := author.compose(doc, 6, url.Values{"body": {"Who attended the meeting in 1949? http://a.example http://b.example http://c.example http://d.example"}})
	if ts.status(scored) != models.StatusPending {
		t.Fatalf("the note with links is %s", ts.status(scored))
	}
	page := mod.get(fmt.Sprintf("/moderation/items/%d", scored)).body
	mustContain(t, page, "4 notes approved; trusted at 10")
	if !regexp.MustCompile(`<dd>\d+%</dd>`).MatchString(page) {
		t.Error("a trained classifier's score is not shown")
	}
}
