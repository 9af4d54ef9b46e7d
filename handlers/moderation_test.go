package handlers

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"margin/models"
)

// strictScreening turns on the spam check's rules that the shared test
// server leaves off, with the defaults a real site runs with.
func (ts *testServer) strictScreening() {
	ts.app.cfg.Screen = models.ScreenConfig{}.WithDefaults()
}

// trainSpam seeds the classifier, as `margin spam train` would.
func (ts *testServer) trainSpam() {
	ts.t.Helper()
	c := models.NewClassifier(ts.db)
	for _, e := range []struct {
		text string
		spam bool
	}{
		{"Check out my channel and subscribe http://bit.ly/promo", true},
		{"Cheap pills, free money, click here http://pills.example/buy", true},
		{"Visit my website for free gift cards http://free-gifts.example/x", true},
		{"Free money!!! click here http://bit.ly/cash", true},
		{"The treaty was signed in Washington in April 1949.", false},
		{"This passage understates how contested the enlargement was.", false},
		{"Who attended the meeting? The source does not say.", false},
		{"Compare article 5 with the Rio treaty of 1947.", false},
	} {
		if err := c.Learn(e.text, e.spam); err != nil {
			ts.t.Fatal(err)
		}
	}
}

// compose opens the composer of passage p (which signs its render time),
// lets time pass as a person would, and posts form.
func (c *client) compose(doc uint, p int, form url.Values) (uint, response) {
	c.ts.t.Helper()
	page := c.get(fmt.Sprintf("/documents/%d/annotate?p=%d", doc, p))
	form.Set("passage", fmt.Sprint(p))
	if form.Get("kind") == "" {
		form.Set("kind", "comment")
	}
	if _, set := form["rendered"]; !set {
		form.Set("rendered", stampOf(c.ts.t, page.body))
	}
	c.ts.now = c.ts.now.Add(30 * time.Second)
	res := c.post(fmt.Sprintf("/documents/%d/annotations", doc), form)
	m := annotationLocation.FindStringSubmatch(res.header.Get("Location"))
	if res.status != http.StatusSeeOther || m == nil {
		return 0, res
	}
	var id uint
	fmt.Sscan(m[1], &id)
	return id, res
}

var stampInput = regexp.MustCompile(`name="rendered" value="([^"]+)"`)

func stampOf(t testing.TB, body string) string {
	t.Helper()
	m := stampInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the composer has no signed render time")
	}
	return m[1]
}

// publish stands for a moderator's approval of a note the spam check held,
// for tests about something else than screening.
func (ts *testServer) publish(id uint) {
	ts.t.Helper()
	if err := ts.db.Model(&models.Annotation{}).Where("id = ?", id).Update("status", models.StatusPublished).Error; err != nil {
		ts.t.Fatal(err)
	}
}

func (ts *testServer) status(id uint) models.Status {
	ts.t.Helper()
	a, err := models.AnnotationByID(ts.db, id)
	if err != nil {
		ts.t.Fatal(err)
	}
	return a.Status
}

// The first test: a spam-like note is not public and is in the
// queue, with its reasons; approving it publishes it.
func TestSpamLikeNoteWaitsAndApprovalPublishes(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	ts.trainSpam()
	doc := ts.articleID()
	author, _ := ts.loggedIn("linkdropper", models.RoleReader)
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	other, _ := ts.loggedIn("bystander", models.RoleReader)
	anon := ts.client()
	body := "Free money, click here http://bit.ly/cash and https://a.example https://b.example https://c.example"
	id, res := author.compose(doc, 1, url.Values{"body": {body}})
	if id == 0 {
		t.Fatalf("post: %d %s", res.status, res.body)
	}
	if ts.status(id) == models.StatusPublished {
		t.Fatal("the spam-like note was published")
	}
	page := author.get(fmt.Sprintf("/documents/%d", doc))
	mustContain(t, page.body, "Awaiting review", "bit.ly/cash", "until then only you can see it")
	for name, c := range map[string]*client{"visitor": anon, "another reader": other} {
		if page := c.get(fmt.Sprintf("/documents/%d", doc)); strings.Contains(page.body, "bit.ly/cash") {
			t.Errorf("%s sees the held note", name)
		}
		if res := c.get(fmt.Sprintf("/annotations/%d", id)); res.status != http.StatusNotFound {
			t.Errorf("%s opens the held note's permalink: %d", name, res.status)
		}
		if res := c.get("/users/linkdropper"); strings.Contains(res.body, "click here") {
			t.Errorf("%s sees the held note on the profile", name)
		}
		if res := c.get(fmt.Sprintf("/api/annotations/%d", id)); res.status != http.StatusNotFound {
			t.Errorf("%s reads the held note through the API: %d", name, res.status)
		}
		if res := c.get(fmt.Sprintf("/api/documents/%d/annotations?page=0", doc)); strings.Contains(res.body, "click here") {
			t.Errorf("%s finds the held note in the API's collection", name)
		}
	}
	queue := mod.get("/moderation/" + string(ts.status(id)))
	if queue.status != http.StatusOK {
		t.Fatalf("queue: %d", queue.status)
	}
	mustContain(t, queue.body, fmt.Sprintf(`id="item-%d"`, id), "4 links", "linkdropper</a>, joined")
	if !regexp.MustCompile(`new account, 0 of 1 approved|0 approved, has spam`).MatchString(queue.body) {
		t.Error("the queue does not say the author is new")
	}
	if !regexp.MustCompile(`[;>] ?classifier [01]\.\d\d[;<]`).MatchString(queue.body) {
		t.Error("the queue does not show the classifier's score among the reasons")
	}
	// The badge counts what waits for a decision; a note the filter put
	// straight into the Spam folder does not wait.
	nav := mod.get("/")
	if st := ts.status(id); st == models.StatusSpam {
		mustNotContain(t, nav.body, `<span class="visually-hidden"> waiting</span>`)
	} else {
		mustContain(t, nav.body, `Moderation <span class="badge">1<span class="visually-hidden"> waiting</span>`)
	}

	res = mod.post(fmt.Sprintf("/moderation/items/%d", id), url.Values{"action": {"approve"}, "note": {"links are fine"}, "back": {"/moderation"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/moderation" {
		t.Fatalf("approve: %d %s", res.status, res.header.Get("Location"))
	}
	if ts.status(id) != models.StatusPublished {
		t.Fatalf("after approval the note is %s", ts.status(id))
	}
	mustContain(t, anon.get(fmt.Sprintf("/documents/%d", doc)).body, "bit.ly/cash")
	mustContain(t, anon.get(fmt.Sprintf("/api/documents/%d/annotations?page=0", doc)).body, "click here")
	if res := anon.get(fmt.Sprintf("/api/annotations/%d", id)); res.status != http.StatusOK {
		t.Errorf("the approved note is not in the API: %d", res.status)
	}
	log := mod.get("/moderation/log")
	mustContain(t, log.body, "approved", fmt.Sprintf("note %d", id), "links are fine", "moddy")
	mustNotContain(t, mod.get("/").body, `Moderation <span class="badge">`)
}

// A held reply notifies no one until it is approved.
func TestHeldReplyNotifiesOnApproval(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	op, _ := ts.loggedIn("originalposter", models.RoleReader)
	parent, _ := op.annotate(doc, url.Values{"kind": {"comment"}, "body": {"A first note."}, "passage": {"1"}})
	ts.strictScreening()
	replier, _ := ts.loggedIn("replier", models.RoleReader)
	replier.get(fmt.Sprintf("/annotations/%d", parent))
	res := replier.post(fmt.Sprintf("/annotations/%d/replies", parent), url.Values{"kind": {"comment"}, "body": {"A reply from a new account."}})
	m := annotationLocation.FindStringSubmatch(res.header.Get("Location"))
	if m == nil {
		t.Fatalf("reply: %d %s", res.status, res.body)
	}
	var reply uint
	fmt.Sscan(m[1], &reply)
	if ts.status(reply) != models.StatusPending {
		t.Fatalf("reply from a new account is %s", ts.status(reply))
	}
	if inbox := op.get("/inbox"); strings.Contains(inbox.body, "replied to your annotation") {
		t.Error("the held reply reached the inbox")
	}
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	mod.get("/moderation")
	mod.post(fmt.Sprintf("/moderation/items/%d", reply), url.Values{"action": {"approve"}})
	mustContain(t, op.get("/inbox").body, "replied to your annotation")
}

func TestHoneypotAndForgedStamp(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	ts.app.cfg.Screen.NewAccountHeld = -1
	doc := ts.articleID()
	c, _ := ts.loggedIn("robot", models.RoleReader)
	id, _ := c.compose(doc, 1, url.Values{"body": {"A note with the trap filled in."}, "homepage": {"http://spam.example"}})
	if ts.status(id) != models.StatusSpam {
		t.Errorf("honeypot: %s", ts.status(id))
	}
	id, _ = c.compose(doc, 1, url.Values{"body": {"A note with a forged render time."}, "rendered": {"1775300000.forged"}})
	if ts.status(id) != models.StatusPending {
		t.Errorf("forged stamp: %s", ts.status(id))
	}
	// Another user's stamp does not pass either.
	other, _ := ts.loggedIn("human", models.RoleReader)
	stamp := stampOf(t, other.get(fmt.Sprintf("/documents/%d/annotate?p=1", doc)).body)
	id, _ = c.compose(doc, 1, url.Values{"body": {"A note with someone else's render time."}, "rendered": {stamp}})
	if ts.status(id) != models.StatusPending {
		t.Errorf("another user's stamp: %s", ts.status(id))
	}
	id, _ = c.compose(doc, 1, url.Values{"body": {"A careful note, written at a human pace."}})
	if ts.status(id) != models.StatusPublished {
		t.Errorf("an honest note: %s", ts.status(id))
	}
	// Too fast: posted at once after the form was shown.
	page := c.get(fmt.Sprintf("/documents/%d/annotate?p=1", doc))
	res := c.post(fmt.Sprintf("/documents/%d/annotations", doc), url.Values{"kind": {"comment"}, "passage": {"1"},
		"body": {"Posted within a second of seeing the form."}, "rendered": {stampOf(t, page.body)}})
	if m := annotationLocation.FindStringSubmatch(res.header.Get("Location")); m == nil {
		t.Fatalf("fast post: %d", res.status)
	} else {
		var fast uint
		fmt.Sscan(m[1], &fast)
		if ts.status(fast) != models.StatusPending {
			t.Errorf("too fast: %s", ts.status(fast))
		}
	}
}

// A cached reading page still gives each view its own form stamp, and one
// shown form carries one note, until it is too old to post with.
func TestFormStampsFreshAndSingleUse(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	ts.app.cfg.Screen.NewAccountHeld = -1
	ts.app.cfg.Screen.TrustedAfter = 1000 // the form checks skip trusted authors
	doc := ts.articleID()
	c, _ := ts.loggedIn("stamper", models.RoleReader)
	first := c.get(fmt.Sprintf("/documents/%d", doc)).body
	ts.now = ts.now.Add(10 * time.Second)
	res := c.get(fmt.Sprintf("/documents/%d", doc))
	again := res.body
	s1, s2 := stampOf(t, first), stampOf(t, again)
	if s1 == s2 {
		t.Fatalf("two views of the cached page share the stamp %s", s1)
	}
	mustNotContain(t, again, "stamp-")
	// The stamps are written around the cached bytes: the length announced is the length sent.
	if n := res.header.Get("Content-Length"); n != fmt.Sprint(len(again)) {
		t.Errorf("Content-Length %s for a body of %d bytes", n, len(again))
	}
	// The browser's copy revalidates for the day; the next day it gets fresh stamps.
	revalidate := func() int {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/documents/%d", ts.URL, doc), nil)
		req.Header.Set("If-None-Match", res.header.Get("ETag"))
		return c.do(req).status
	}
	if got := revalidate(); got != http.StatusNotModified {
		t.Errorf("revalidating the same day: %d, want 304", got)
	}
	ts.now = ts.now.Add(24 * time.Hour)
	if got := revalidate(); got != http.StatusOK {
		t.Errorf("revalidating the next day: %d, want 200", got)
	}

	reasons := func(id uint) string {
		a, err := models.AnnotationByID(ts.db, id)
		if err != nil {
			t.Fatal(err)
		}
		s, err := models.ScreeningOf(ts.db, a)
		if err != nil {
			t.Fatal(err)
		}
		return s.Reasons
	}
	id, _ := c.compose(doc, 2, url.Values{"body": {"A first note from this view."}, "rendered": {s2}})
	if ts.status(id) != models.StatusPublished {
		t.Fatalf("first note from a fresh form: %s (%s)", ts.status(id), reasons(id))
	}
	id, _ = c.compose(doc, 2, url.Values{"body": {"A second note from the same view."}, "rendered": {s2}})
	if ts.status(id) != models.StatusPending || !strings.Contains(reasons(id), "form already used for another note") {
		t.Fatalf("a reused form: %s (%s)", ts.status(id), reasons(id))
	}
	// Two forms shown in the same second (tabs opened together) each carry a note.
	tab1 := stampOf(t, c.get(fmt.Sprintf("/documents/%d", doc)).body)
	tab2 := stampOf(t, c.get(fmt.Sprintf("/documents/%d", doc)).body)
	for i, stamp := range []string{tab1, tab2} {
		id, _ := c.compose(doc, 5, url.Values{"body": {fmt.Sprintf("A note from tab %d.", i+1)}, "rendered": {stamp}})
		if ts.status(id) != models.StatusPublished {
			t.Errorf("tab %d: %s (%s)", i+1, ts.status(id), reasons(id))
		}
	}
	// A form sent back to be corrected has carried no note yet.
	fresh := stampOf(t, c.get(fmt.Sprintf("/documents/%d", doc)).body)
	ts.now = ts.now.Add(30 * time.Second)
	if res := c.post(fmt.Sprintf("/documents/%d/annotations", doc), url.Values{"kind": {"comment"}, "passage": {"6"},
		"body": {""}, "rendered": {fresh}}); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("an empty note: %d, want 422", res.status)
	}
	id, _ = c.compose(doc, 6, url.Values{"body": {"The corrected note."}, "rendered": {fresh}})
	if ts.status(id) != models.StatusPublished {
		t.Errorf("the corrected note: %s (%s)", ts.status(id), reasons(id))
	}
	// A stamp from before stamps had a random part still passes.
	u, _ := models.UserByName(ts.db, "stamper")
	unix := fmt.Sprint(ts.now.Add(-time.Minute).Unix())
	id, _ = c.compose(doc, 7, url.Values{"body": {"From a page shown before the upgrade."}, "rendered": {unix + "." + ts.app.stampMAC(u.ID, unix)}})
	if ts.status(id) != models.StatusPublished {
		t.Errorf("a stamp without the random part: %s (%s)", ts.status(id), reasons(id))
	}

	old := stampOf(t, c.get(fmt.Sprintf("/documents/%d/annotate?p=3", doc)).body)
	ts.now = ts.now.Add(50 * time.Hour)
	id, _ = c.compose(doc, 3, url.Values{"body": {"A note from a form left open for two days."}, "rendered": {old}})
	if ts.status(id) != models.StatusPending || !strings.Contains(reasons(id), "hours after the form was shown") {
		t.Fatalf("a stale form: %s (%s)", ts.status(id), reasons(id))
	}
}

// moderationPaths lists every moderation route with real ids filled in.
func moderationPaths(ts *testServer, annID, userID, decisionID uint) [][2]string {
	var out [][2]string
	for _, r := range ts.app.echo().Routes() {
		if !strings.HasPrefix(r.Path, "/moderation") && r.Path != "/annotations/:id/moderate" {
			continue
		}
		p := r.Path
		switch {
		case strings.HasPrefix(p, "/moderation/users/"):
			p = strings.Replace(p, ":id", fmt.Sprint(userID), 1)
		case strings.HasPrefix(p, "/moderation/log/"):
			p = strings.Replace(p, ":id", fmt.Sprint(decisionID), 1)
		default:
			p = strings.Replace(p, ":id", fmt.Sprint(annID), 1)
		}
		p = strings.Replace(p, ":queue", "spam", 1)
		out = append(out, [2]string{r.Method, p})
	}
	return out
}

// Every moderation page and action answers a reader 403, even with a valid
// CSRF token, and changes nothing; a visitor is sent to log in. Being a
// student of a class does not make one a moderator (its educators are).
func TestReadersCannotModerate(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	doc := ts.articleID()
	author, authorUser := ts.loggedIn("newcomer", models.RoleReader)
	id, _ := author.compose(doc, 1, url.Values{"body": {"Held as a new account's first note."}})
	mod, modUser := ts.loggedIn("moddy", models.RoleModerator)
	mod.get("/moderation")
	mod.post(fmt.Sprintf("/moderation/items/%d", id), url.Values{"action": {"reject"}})
	log, _ := models.DecisionLog(ts.db, modUser, 1, 0)
	reader, readerUser := ts.loggedIn("curious", models.RoleReader)
	teacher := ts.createUser("teacher", models.RoleEducator)
	class, err := models.CreateClass(ts.db, teacher, models.ClassInput{Name: "A class"}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.JoinClass(ts.db, readerUser, class, ts.now); err != nil {
		t.Fatal(err)
	}
	reader.get("/") // a page with a form: the reader's own valid token
	mustNotContain(t, reader.get("/").body, `href="/moderation"`)
	if reader.csrf == "" {
		t.Fatal("no CSRF token")
	}
	paths := moderationPaths(ts, id, authorUser.ID, log[0].ID)
	if len(paths) < 15 {
		t.Fatalf("only %d moderation routes found: %v", len(paths), paths)
	}
	anon := ts.client()
	anon.get("/login")
	form := url.Values{"action": {"approve"}, "ids": {fmt.Sprint(id)}, "duration": {"forever"}, "on": {"1"}, "hold": {"x"}}
	for _, p := range paths {
		var res, visitor response
		if p[0] == http.MethodGet {
			res, visitor = reader.get(p[1]), anon.get(p[1])
		} else {
			res, visitor = reader.post(p[1], form), anon.post(p[1], form)
		}
		if res.status != http.StatusForbidden {
			t.Errorf("reader %s %s: %d, want 403", p[0], p[1], res.status)
		}
		if visitor.status != http.StatusSeeOther && visitor.status != http.StatusUnauthorized && visitor.status != http.StatusForbidden {
			t.Errorf("visitor %s %s: %d", p[0], p[1], visitor.status)
		}
	}
	if ts.status(id) != models.StatusRejected {
		t.Errorf("a reader's request changed the note to %s", ts.status(id))
	}
	u, _ := models.UserByID(ts.db, authorUser.ID)
	if u.BannedUntil != nil {
		t.Error("a reader's request banned someone")
	}
	// Admins only: a moderator cannot change the blocked terms.
	if res := mod.post("/moderation/settings/terms", url.Values{"hold": {"casino"}}); res.status != http.StatusForbidden {
		t.Errorf("moderator changed blocked terms: %d", res.status)
	}
	_ = modUser
}

func TestBanEndsSessionsAtOnce(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	doc := ts.articleID()
	troll, trollUser := ts.loggedIn("troll", models.RoleReader)
	second := ts.client() // the same account on a second device
	second.get("/login")
	second.post("/login", url.Values{"username": {"troll"}, "password": {passwordOf("troll")}})
	id, _ := troll.compose(doc, 1, url.Values{"body": {"A note still waiting for review."}})
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	page := mod.get(fmt.Sprintf("/moderation/users/%d", trollUser.ID))
	mustContain(t, page.body, "Ban troll", "For good")
	res := mod.post(fmt.Sprintf("/moderation/users/%d/ban", trollUser.ID), url.Values{"duration": {"7d"}, "note": {"abuse"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("ban: %d %s", res.status, res.body)
	}
	for _, c := range []*client{troll, second} {
		if nav := c.get("/"); strings.Contains(nav.body, "Log out") {
			t.Error("a banned user's session survived the ban")
		}
	}
	if ts.status(id) != models.StatusSpam {
		t.Errorf("the banned user's waiting note is %s", ts.status(id))
	}
	login := ts.client()
	login.get("/login")
	if res := login.post("/login", url.Values{"username": {"troll"}, "password": {passwordOf("troll")}}); res.status == http.StatusSeeOther {
		t.Error("a banned user logged in")
	}
	mustContain(t, mod.get("/moderation/log").body, "banned", "troll", "abuse", "until")
	// A reader cannot be made to ban: a moderator cannot ban an admin.
	admin := ts.createUser("boss", models.RoleAdmin)
	if res := mod.post(fmt.Sprintf("/moderation/users/%d/ban", admin.ID), url.Values{"duration": {"forever"}}); res.status != http.StatusForbidden {
		t.Errorf("moderator banned an admin: %d", res.status)
	}
}

// flag has a reader flag a note through the form.
func (c *client) flag(id uint, reason string) response {
	c.ts.t.Helper()
	c.get(fmt.Sprintf("/annotations/%d/flag", id))
	return c.post(fmt.Sprintf("/annotations/%d/flag", id), url.Values{"reason": {reason}, "note": {"not appropriate"}})
}

func TestFlagsHideAtThreshold(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	author, _ := ts.loggedIn("opinionated", models.RoleReader)
	id, _ := author.annotate(doc, url.Values{"kind": {"comment"}, "body": {"A provocative note."}, "passage": {"2"}})
	anon := ts.client()
	mustContain(t, anon.get(fmt.Sprintf("/documents/%d", doc)).body, "A provocative note.")
	if res := author.get(fmt.Sprintf("/annotations/%d/flag", id)); res.status != http.StatusForbidden {
		t.Errorf("author's own flag form: %d", res.status)
	}
	for i := 1; i <= 3; i++ {
		c, _ := ts.loggedIn(fmt.Sprintf("flagger%d", i), models.RoleReader)
		mustContain(t, c.get(fmt.Sprintf("/annotations/%d", id)).body, fmt.Sprintf(`href="/annotations/%d/flag"`, id))
		if res := c.flag(id, "abusive"); res.status != http.StatusSeeOther {
			t.Fatalf("flag %d: %d %s", i, res.status, res.body)
		}
		if i == 1 {
			if res := c.flag(id, "spam"); res.status != http.StatusConflict {
				t.Errorf("flagging twice: %d", res.status)
			}
		}
		visible := strings.Contains(anon.get(fmt.Sprintf("/documents/%d", doc)).body, "A provocative note.")
		if visible != (i < 3) {
			t.Fatalf("after %d flags visible=%v", i, visible)
		}
	}
	mustContain(t, author.get(fmt.Sprintf("/documents/%d", doc)).body, "A provocative note.")
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	queue := mod.get("/moderation/flagged")
	mustContain(t, queue.body, "Abusive or hateful", "flagger1", "first flag", "not appropriate")
	mod.post(fmt.Sprintf("/moderation/items/%d", id), url.Values{"action": {"approve"}})
	mustContain(t, anon.get(fmt.Sprintf("/documents/%d", doc)).body, "A provocative note.")
	other, _ := author.annotate(doc, url.Values{"kind": {"comment"}, "body": {"Another note."}, "passage": {"3"}})
	c := ts.client()
	c.get("/login")
	c.post("/login", url.Values{"username": {"flagger1"}, "password": {passwordOf("flagger1")}})
	c.flag(other, "spam")
	mustContain(t, mod.get("/moderation/flagged").body, "0% of 1 earlier flags upheld")
}

func TestBulkDecisionsUndoAndClaims(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	doc := ts.articleID()
	var ids []uint
	for i := range 3 {
		c, _ := ts.loggedIn(fmt.Sprintf("newbie%d", i), models.RoleReader)
		id, _ := c.compose(doc, 1, url.Values{"body": {fmt.Sprintf("First note number %d of a new account.", i)}})
		ids = append(ids, id)
	}
	alice, _ := ts.loggedIn("alice", models.RoleModerator)
	bob, _ := ts.loggedIn("bob", models.RoleModerator)
	if res := alice.get(fmt.Sprintf("/moderation/items/%d", ids[0])); res.status != http.StatusOK {
		t.Fatalf("item page: %d", res.status)
	}
	queue := bob.get("/moderation")
	mustContain(t, queue.body, "<strong>alice</strong> has this note open")
	mustContain(t, bob.get(fmt.Sprintf("/moderation/items/%d", ids[0])).body, "<strong>alice</strong> has this note open")
	res := bob.post("/moderation/bulk", url.Values{"action": {"spam"}, "ids": {fmt.Sprint(ids[0]), fmt.Sprint(ids[1])}, "note": {"a wave"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("bulk: %d %s", res.status, res.body)
	}
	if ts.status(ids[0]) != models.StatusSpam || ts.status(ids[1]) != models.StatusSpam || ts.status(ids[2]) != models.StatusPending {
		t.Fatalf("after bulk spam: %s %s %s", ts.status(ids[0]), ts.status(ids[1]), ts.status(ids[2]))
	}
	spamDocs, _, _ := models.NewSpamStore(ts.db).Totals()
	if spamDocs != 2 {
		t.Errorf("the classifier learnt %d spams from the bulk decision", spamDocs)
	}
	// Undo straight from the queue page's recent decisions.
	recent := bob.get("/moderation/spam")
	mustContain(t, recent.body, "Your last decisions")
	entries, _ := models.RecentDecisionsBy(ts.db, &models.User{ID: bobID(t, ts)}, 3)
	res = bob.post(fmt.Sprintf("/moderation/log/%d/undo", entries[0].ID), url.Values{"back": {"/moderation/spam"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("undo: %d %s", res.status, res.body)
	}
	if ts.status(*entries[0].AnnotationID) != models.StatusPending {
		t.Errorf("after undo: %s", ts.status(*entries[0].AnnotationID))
	}
	if spamDocs, _, _ := models.NewSpamStore(ts.db).Totals(); spamDocs != 1 {
		t.Errorf("after undo the classifier holds %d spams", spamDocs)
	}
	if res := bob.post(fmt.Sprintf("/moderation/log/%d/undo", entries[0].ID), nil); res.status != http.StatusConflict {
		t.Errorf("undo twice: %d", res.status)
	}
}

// The issue: an admin bans a moderator; another moderator, who may not
// ban moderators, cannot lift that ban through the log's Undo either.
func TestUndoOfABanNeedsTheRightToBan(t *testing.T) {
	ts := newTestServer(t)
	admin, adminUser := ts.loggedIn("boss", models.RoleAdmin)
	_, banned := ts.loggedIn("rogue", models.RoleModerator)
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	admin.get(fmt.Sprintf("/moderation/users/%d", banned.ID))
	if res := admin.post(fmt.Sprintf("/moderation/users/%d/ban", banned.ID), url.Values{"duration": {"forever"}}); res.status != http.StatusSeeOther {
		t.Fatalf("ban: %d %s", res.status, res.body)
	}
	log, err := models.DecisionsAboutUser(ts.db, adminUser, banned.ID, 1)
	if err != nil || len(log) != 1 || log[0].Action != models.ActionBan {
		t.Fatalf("the ban's log entry: %+v %v", log, err)
	}
	mod.get("/moderation/log")
	res := mod.post(fmt.Sprintf("/moderation/log/%d/undo", log[0].ID), nil)
	if res.status != http.StatusForbidden {
		t.Fatalf("a moderator undid the ban of a moderator: %d", res.status)
	}
	mustContain(t, res.body, "admins also ban moderators")
	if u, _ := models.UserByID(ts.db, banned.ID); !u.IsBanned(ts.now) {
		t.Error("the ban was lifted")
	}
}

func bobID(t *testing.T, ts *testServer) uint {
	u, err := models.UserByName(ts.db, "bob")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// The navigation's queue count is exact on cached document pages too.
func TestQueueCountOnCachedPages(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	docs, _ := models.ListDocuments(ts.db)
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	first := mod.get(fmt.Sprintf("/documents/%d", docs[0].ID))
	mustNotContain(t, first.body, `Moderation <span class="badge">`)
	newbie, _ := ts.loggedIn("newbie", models.RoleReader)
	newbie.compose(docs[1].ID, 1, url.Values{"body": {"Held on the other document."}})
	again := mod.get(fmt.Sprintf("/documents/%d", docs[0].ID))
	mustContain(t, again.body, `Moderation <span class="badge">1<span`)
}

func TestSettingsPremoderationAndTerms(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	admin, _ := ts.loggedIn("boss", models.RoleAdmin)
	mustContain(t, mod.get("/moderation/settings").body, "The classifier is untrained", "Only admins can change the lists")
	mod.post("/moderation/settings/premoderation", url.Values{"document": {fmt.Sprint(doc)}, "on": {"1"}})
	veteran, _ := ts.loggedIn("veteran", models.RoleReader)
	id, _ := veteran.compose(doc, 1, url.Values{"body": {"On a pre-moderated document."}})
	if ts.status(id) != models.StatusPending {
		t.Errorf("note on a pre-moderated document: %s", ts.status(id))
	}
	mod.post("/moderation/settings/premoderation", url.Values{"document": {fmt.Sprint(doc)}, "on": {"0"}})
	admin.get("/moderation/settings")
	res := admin.post("/moderation/settings/terms", url.Values{"hold": {"Casino\npayday loans"}, "spam": {"viagra\ncasino"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a term in both lists: %d", res.status)
	}
	mustContain(t, res.body, "A term is in both lists", "payday loans")
	res = admin.post("/moderation/settings/terms", url.Values{"hold": {"Casino\npayday loans"}, "spam": {"viagra"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("terms: %d", res.status)
	}
	id, _ = veteran.compose(doc, 1, url.Values{"body": {"Cheap viagra here."}})
	if ts.status(id) != models.StatusSpam {
		t.Errorf("blocked spam term: %s", ts.status(id))
	}
	mustContain(t, mod.get("/moderation/settings").body, "casino\npayday loans")
}

// Akismet is asked about new notes and told about moderators' verdicts,
// through a local server that checks the requests.
func TestAkismetThroughTheForms(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		mu.Lock()
		calls = append(calls, r.URL.Path+" "+form.Get("comment_content"))
		mu.Unlock()
		if form.Get("api_key") != "k" || form.Get("user_ip") == "" || form.Get("blog") != "https://margin.example" {
			t.Errorf("Akismet request lacks fields: %v", form)
		}
		if r.URL.Path == "/1.1/comment-check" {
			io.WriteString(w, "false")
			return
		}
		io.WriteString(w, "Thanks for making the web a better place.")
	}))
	defer srv.Close()
	ts := newTestServer(t)
	ts.app.cfg.Screen.Akismet = &models.Akismet{Key: "k", BaseURL: srv.URL, Blog: "https://margin.example"}
	doc := ts.articleID()
	c, _ := ts.loggedIn("sneaky", models.RoleReader)
	id, _ := c.compose(doc, 1, url.Values{"body": {"Subtle spam Akismet missed."}})
	if ts.status(id) != models.StatusPublished {
		t.Fatalf("note: %s", ts.status(id))
	}
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	mod.get("/moderation")
	mod.post(fmt.Sprintf("/moderation/items/%d", id), url.Values{"action": {"spam"}})
	mu.Lock()
	defer mu.Unlock()
	want := []string{"/1.1/comment-check Subtle spam Akismet missed.", "/1.1/submit-spam Subtle spam Akismet missed."}
	if strings.Join(calls, "|") != strings.Join(want, "|") {
		t.Errorf("Akismet calls %q, want %q", calls, want)
	}
}

// moderationPageSamples gives the moderation pages their data for
// TestEveryPageRenders: a held note with reasons, flags and a claim.
func moderationPageSamples(ts *testServer, doc *models.Document) map[string]any {
	ts.t.Helper()
	author := ts.createUser("heldauthor", models.RoleReader)
	flagger := ts.createUser("flagsample", models.RoleReader)
	mod := ts.createUser("modsample", models.RoleModerator)
	in := models.AnnotationInput{Kind: models.KindComment, Body: "Held **note** https://x.example", Passage: 1, QuoteHint: -1}
	a, err := models.CreateAnnotation(ts.db, author, doc, in, models.StatusPublished)
	if err != nil {
		ts.t.Fatal(err)
	}
	models.RecordScreening(ts.db, a, models.Verdict{Status: models.StatusPublished, Score: 0.7, Reasons: []string{"classifier 0.70", "1 link"}})
	models.FlagAnnotation(ts.db, flagger, a, models.FlagInput{Reason: models.FlagSpam, Note: "ads"}, 3, ts.now)
	models.ClaimItem(ts.db, mod, a.ID, ts.now)
	models.Decide(ts.db, mod, a.ID, models.ActionReject, "sample", ts.now)
	until := ts.now.Add(time.Hour)
	models.Ban(ts.db, mod, author.ID, &until, "sample ban", ts.now)
	viewer := &models.User{ID: 999, Role: models.RoleAdmin}
	it, err := models.QueueItemByID(ts.db, viewer, a.ID, ts.now)
	if err != nil {
		ts.t.Fatal(err)
	}
	views, err := ts.app.itemViews([]models.QueueItem{*it})
	if err != nil {
		ts.t.Fatal(err)
	}
	view := views[0]
	log, _ := models.DecisionLog(ts.db, mod, 10, 0)
	settings := settingsPage{Site: true, Held: []models.Document{*doc}, HoldTerms: "casino", SpamTerms: "viagra", CanEdit: true}
	return map[string]any{
		"moderation": queuePage{Queue: models.QueuePending, Queues: models.Queues, Items: []queueItemView{view},
			Recent: log[:1], Actions: models.ItemActions, More: true},
		"moderation_item": queueItemPage{Item: view, History: log, CanBan: true, Actions: models.ItemActions},
		"moderation_log":  logPage{Entries: log, Page: 2, More: true},
		"moderation_user": moderationUserPage{Profile: author, Standing: models.Standing{Approved: 1}, Joined: "1 day ago",
			CanBan: true, History: log, Durations: banDurations},
		"moderation_settings": settings,
		"moderation_flag":     flagPage{Annotation: a, Reasons: models.FlagReasons},
	}
}

// A moderator decides on the words they were shown: if the author edits a
// waiting note after the queue was opened, the decision is refused until
// the moderator has looked again, one note at a time or in bulk.
func TestDecisionOnEditedWordsIsRefused(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	doc := ts.articleID()
	author, _ := ts.loggedIn("switcher", models.RoleReader)
	id, _ := author.compose(doc, 1, url.Values{"body": {"An innocent first note."}})
	if ts.status(id) != models.StatusPending {
		t.Fatalf("not held: %s", ts.status(id))
	}
	mod, _ := ts.loggedIn("watchful", models.RoleModerator)
	seenInput := regexp.MustCompile(fmt.Sprintf(`name="seen-%d" value="(\d+)"`, id))
	seenOf := func() string {
		m := seenInput.FindStringSubmatch(mod.get("/moderation").body)
		if m == nil {
			t.Fatal("the queue does not say which version of the note it shows")
		}
		return m[1]
	}
	seen := seenOf()
	ts.now = ts.now.Add(time.Minute)
	author.get(fmt.Sprintf("/annotations/%d/edit", id))
	author.post(fmt.Sprintf("/annotations/%d/edit", id), url.Values{"kind": {"comment"}, "body": {"Now it sells pills."}})

	key := fmt.Sprintf("seen-%d", id)
	res := mod.post(fmt.Sprintf("/moderation/items/%d", id), url.Values{"action": {"approve"}, key: {seen}})
	wantStatus(t, "approve the words shown before the edit", res, http.StatusConflict)
	mustContain(t, res.body, "edited note")
	mod.post("/moderation/bulk", url.Values{"action": {"approve"}, "ids": {fmt.Sprint(id)}, key: {seen}})
	if ts.status(id) != models.StatusPending {
		t.Fatalf("a decision on the old words went through: %s", ts.status(id))
	}
	res = mod.post(fmt.Sprintf("/moderation/items/%d", id), url.Values{"action": {"spam"}, key: {seenOf()}})
	wantStatus(t, "decide after looking again", res, http.StatusSeeOther)
	if ts.status(id) != models.StatusSpam {
		t.Fatalf("after looking again: %s", ts.status(id))
	}
}

// No one decides on their own note, and the page says so.
func TestOwnNoteIsNotForTheAuthorToDecide(t *testing.T) {
	ts := newTestServer(t)
	doc, err := models.DocumentByID(ts.db, ts.articleID())
	if err != nil {
		t.Fatal(err)
	}
	mod, modU := ts.loggedIn("selfjudge", models.RoleModerator)
	own, err := models.CreateAnnotation(ts.db, modU, doc, models.AnnotationInput{Kind: models.KindComment,
		Body: "My own note, hidden by readers' flags.", Passage: 1, QuoteHint: -1}, models.StatusHidden)
	if err != nil {
		t.Fatal(err)
	}
	mod.get("/moderation")
	res := mod.post(fmt.Sprintf("/moderation/items/%d", own.ID), url.Values{"action": {"approve"}})
	wantStatus(t, "approve one's own note", res, http.StatusForbidden)
	mustContain(t, res.body, "You cannot decide on your own note")
	if ts.status(own.ID) != models.StatusHidden {
		t.Errorf("one's own note became %s", ts.status(own.ID))
	}
}
