package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
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
// classifier that had learnt nothing (since the seed, there is none).
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
	// The seed shipped in the binary scores from the first note: the
	// score shown is its calibrated one, never an untrained 50%.
	mustContain(t, queue, "new account, 0 of 1 approved", "spam score ")
	mustNotContain(t, queue, "classifier untrained", "filter untrained")
	item := mod.get(fmt.Sprintf("/moderation/items/%d", ids[4])).body
	mustContain(t, item, "New account: 0 of 1 approved notes needed")
	mustNotContain(t, item, "classifier untrained", "the classifier had learnt nothing yet")
	for _, id := range ids[:4] {
		if res := mod.post(fmt.Sprintf("/moderation/items/%d", id), url.Values{"action": {"approve"}}); res.status != http.StatusSeeOther {
			t.Fatalf("approve %d: %d %s", id, res.status, res.body)
		}
	}
	mustContain(t, mod.get("/moderation").body, "trusted, 4 approved")
	mustContain(t, mod.get(fmt.Sprintf("/moderation/items/%d", ids[4])).body, "Trusted (4 notes approved, no spam)")
	for _, page := range []string{mod.get("/moderation").body, mod.get(fmt.Sprintf("/moderation/items/%d", ids[4])).body} {
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

// The Flagged queue names its actions for what they do there (keep the note
// and dismiss the flags, hide it, spam), and so do the flash and the log.
func TestFlaggedQueueNamesItsActions(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	author, _ := ts.loggedIn("opinionated", models.RoleReader)
	kept, _ := author.annotate(doc, url.Values{"kind": {"comment"}, "body": {"A provocative note."}, "passage": {"2"}})
	hidden, _ := author.annotate(doc, url.Values{"kind": {"comment"}, "body": {"A rude note."}, "passage": {"3"}})
	ts.hideByFlags(kept)
	for i := 1; i <= 3; i++ {
		c := ts.client()
		c.get("/login")
		c.post("/login", url.Values{"username": {fmt.Sprintf("flagger%d", i)}, "password": {passwordOf(fmt.Sprintf("flagger%d", i))}})
		c.flag(hidden, "abusive")
	}
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	queue := mod.get("/moderation/flagged").body
	mustContain(t, queue, `value="keep"`, "Keep, dismiss the flags", `value="hide"`, `data-key="r"`, `value="spam"`,
		"keep it and dismiss the flags", `<option value="keep">Keep, dismiss the flags</option>`)
	mustNotContain(t, queue, `value="approve"`, `value="reject"`, `value="not-spam"`, "Approve", "approves")
	mustContain(t, mod.get(fmt.Sprintf("/moderation/items/%d", kept)).body, "Keep, dismiss the flags")

	res := mod.post(fmt.Sprintf("/moderation/items/%d", kept), url.Values{"action": {"keep"}, "back": {"/moderation/flagged"}})
	if res.status != http.StatusSeeOther || ts.status(kept) != models.StatusPublished {
		t.Fatalf("keep: %d, note %s", res.status, ts.status(kept))
	}
	mustContain(t, mod.get("/moderation/flagged").body, fmt.Sprintf("Note #%d kept, 3 flags dismissed.", kept))
	mod.post(fmt.Sprintf("/moderation/items/%d", hidden), url.Values{"action": {"hide"}, "back": {"/moderation/flagged"}})
	mustContain(t, mod.get("/moderation/flagged").body, fmt.Sprintf("Note #%d hidden, 3 flags upheld.", hidden))
	if ts.status(hidden) != models.StatusHidden {
		t.Errorf("hidden note is %s", ts.status(hidden))
	}
	log := mod.get("/moderation/log").body
	mustContain(t, log, "kept", "3 flags dismissed", "3 flags upheld")
	mustNotContain(t, log, "approved")
	// The pending queue keeps its own words.
	mustContain(t, mod.get("/moderation").body, "approve")
}

// A queue item is compact: the quoted phrase with a line of context, cut at
// word boundaries, the whole passage on demand, the note's own page in full.
func TestQueueItemIsCompact(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	doc := ts.articleID()
	d, err := models.DocumentByID(ts.db, doc)
	if err != nil {
		t.Fatal(err)
	}
	passage, err := models.PassageByNumber(ts.db, d.CurrentRevisionID, 6)
	if err != nil {
		t.Fatal(err)
	}
	words := strings.Fields(passage.Text)
	quote := strings.Join(words[len(words)/2:len(words)/2+2], " ")
	author, _ := ts.loggedIn("newcomer", models.RoleReader)
	id, res := author.compose(doc, 6, url.Values{"body": {"What does this phrase mean here?"}, "quote": {quote}})
	if id == 0 {
		t.Fatalf("post: %d %s", res.status, res.body)
	}
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	page := mod.get("/moderation").body
	item := page[strings.Index(page, fmt.Sprintf(`id="item-%d"`, id)):]
	item = item[:strings.Index(item, "</article>")]
	summary := regexp.MustCompile(`(?s)<summary>(.*?)</summary>`).FindStringSubmatch(item)
	if summary == nil {
		t.Fatal("no context line that opens to the passage")
	}
	line := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(summary[1], "")
	if !strings.Contains(summary[1], "<mark>"+quote+"</mark>") || !strings.HasPrefix(strings.TrimSpace(line[strings.Index(line, "¶6")+len("¶6"):]), "…") {
		t.Errorf("context line %q", line)
	}
	if n := len([]rune(line)); n > 200 {
		t.Errorf("the context line has %d characters", n)
	}
	for _, cut := range regexp.MustCompile(`…(\S+)|(\S+)…`).FindAllStringSubmatch(line, -1) {
		if w := cut[1] + cut[2]; !strings.Contains(" "+passage.Text+" ", " "+w+" ") && !strings.HasPrefix(w, quote) {
			t.Errorf("the context is cut inside a word: %q", w)
		}
	}
	mustContain(t, item, `<details class="mod-item__context">`, passage.Text[:40], "What does this phrase mean here?", `data-key="a"`)
	mustNotContain(t, item, `name="note"`) // the note for the log is on the note's own page
	mustContain(t, mod.get(fmt.Sprintf("/moderation/items/%d", id)).body, `name="note"`, `<blockquote class="mod-item__passage" aria-label="The passage">`)
}
