package handlers

import (
	"fmt"
	"net/url"
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
