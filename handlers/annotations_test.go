package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"margin/models"
)

// articleID finds the sample article.
func (ts *testServer) articleID() uint {
	ts.t.Helper()
	docs, err := models.ListDocuments(ts.db)
	if err != nil {
		ts.t.Fatal(err)
	}
	for _, d := range docs {
		if d.Title == "The Short-lived NATO-Russia Honeymoon" {
			return d.ID
		}
	}
	ts.t.Fatal("no sample article")
	return 0
}

var eventAttribute = regexp.MustCompile(`<[a-zA-Z][^>]*\son[a-z]+\s*=`)

var annotationLocation = regexp.MustCompile(`#a-(\d+)$`)

// annotate posts the composer form and returns the new annotation's id.
func (c *client) annotate(doc uint, form url.Values) (uint, response) {
	c.ts.t.Helper()
	c.get(fmt.Sprintf("/documents/%d/annotate?p=%s", doc, form.Get("passage")))
	res := c.post(fmt.Sprintf("/documents/%d/annotations", doc), form)
	m := annotationLocation.FindStringSubmatch(res.header.Get("Location"))
	if res.status != http.StatusSeeOther || m == nil {
		return 0, res
	}
	var id uint
	fmt.Sscan(m[1], &id)
	return id, res
}

func TestEachKindThroughTheForms(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	c, _ := ts.loggedIn("kinduser", models.RoleReader)
	cases := []struct {
		kind string
		form url.Values
		want []string
	}{
		{"comment", url.Values{"body": {"A **fine** summary."}}, []string{"<strong>fine</strong>", "Comment"}},
		{"question", url.Values{"body": {"Who attended the meeting?"}, "quote": {"Manfred Woerner"}}, []string{"Question", `<mark class="hl" data-range="`}},
		{"disagreement", url.Values{"body": {"The photo shows more."}, "counterpoint": {"It was a staged meeting."}}, []string{"Counterpoint:", "It was a staged meeting."}},
		{"reference", url.Values{"cite_title": {"NSA briefing book", ""}, "cite_url": {"https://nsarchive.gwu.edu/briefing-book", ""}, "cite_text": {"", "Sarotte, M. E. Not One Inch. Yale, 2021."}},
			[]string{`<a href="https://nsarchive.gwu.edu/briefing-book" rel="nofollow ugc noopener">NSA briefing book</a>`, "<cite>Sarotte, M. E. Not One Inch. Yale, 2021.</cite>"}},
		{"context", url.Values{"body": {"Yeltsin had been president since 1991."}}, []string{"Context"}},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			tc.form.Set("kind", tc.kind)
			tc.form.Set("passage", "1")
			id, res := c.annotate(doc, tc.form)
			if id == 0 {
				t.Fatalf("post: %d\n%s", res.status, res.body)
			}
			page := c.get(fmt.Sprintf("/documents/%d", doc))
			mustContain(t, page.body, append(tc.want, fmt.Sprintf(`id="a-%d"`, id))...)
			perma := c.get(fmt.Sprintf("/annotations/%d", id))
			if perma.status != http.StatusOK {
				t.Fatalf("permalink: %d", perma.status)
			}
			mustContain(t, perma.body, tc.want[0])
		})
	}
}

func TestAnnotationValidation(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	c, _ := ts.loggedIn("validator", models.RoleReader)
	long := strings.Repeat("word ", 2001)
	cases := []struct {
		name string
		form url.Values
		want string
	}{
		{"quote not in passage", url.Values{"kind": {"comment"}, "body": {"x"}, "passage": {"1"}, "quote": {"Boris Yeltsin in defiance"}}, "does not occur in passage 1"},
		{"disagreement without counterpoint", url.Values{"kind": {"disagreement"}, "body": {"No."}, "passage": {"1"}}, "states its counterpoint"},
		{"reference without citation", url.Values{"kind": {"reference"}, "body": {"See."}, "passage": {"1"}}, "at least one citation"},
		{"javascript citation", url.Values{"kind": {"reference"}, "passage": {"1"}, "cite_title": {"x"}, "cite_url": {"javascript:alert(1)"}}, "Citation 1"},
		{"data citation", url.Values{"kind": {"reference"}, "passage": {"1"}, "cite_title": {"x"}, "cite_url": {"data:text/html,<script>alert(1)</script>"}}, "Citation 1"},
		{"too long", url.Values{"kind": {"comment"}, "body": {long}, "passage": {"1"}}, "under 10,000 characters"},
		{"empty", url.Values{"kind": {"comment"}, "body": {"  "}, "passage": {"1"}}, "Write something first."},
		{"no kind", url.Values{"body": {"hello"}, "passage": {"1"}}, "Choose what kind"},
	}
	before := countAnnotations(t, ts)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.get(fmt.Sprintf("/documents/%d/annotate?p=1", doc))
			res := c.post(fmt.Sprintf("/documents/%d/annotations", doc), tc.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.status)
			}
			mustContain(t, res.body, tc.want)
			if b := tc.form.Get("body"); b != "" && len(b) < 200 && strings.TrimSpace(b) != "" {
				mustContain(t, res.body, ">"+b+"</textarea>")
			}
		})
	}
	// The long text is kept in the form.
	c.get(fmt.Sprintf("/documents/%d/annotate?p=1", doc))
	res := c.post(fmt.Sprintf("/documents/%d/annotations", doc), url.Values{"kind": {"comment"}, "body": {long}, "passage": {"1"}})
	mustContain(t, res.body, long[:5000])
	// A passage that does not exist.
	res = c.post(fmt.Sprintf("/documents/%d/annotations", doc), url.Values{"kind": {"comment"}, "body": {"x"}, "passage": {"999"}})
	if res.status != http.StatusBadRequest {
		t.Errorf("missing passage: %d, want 400", res.status)
	}
	if n := countAnnotations(t, ts); n != before {
		t.Fatalf("invalid posts stored annotations: %d -> %d", before, n)
	}
}

func countAnnotations(t *testing.T, ts *testServer) int64 {
	var n int64
	if err := ts.db.Model(&models.Annotation{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAnnotationXSSRendersInert(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	c, _ := ts.loggedIn("attacker", models.RoleReader)
	payloads := []string{
		`<script>alert("body")</script>`,
		`<img src=x onerror=alert("img")>`,
		`[click](javascript:alert("link"))`,
		`<a href="javascript:alert('raw')">raw</a>`,
		`[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
		`<svg onload=alert("svg")>`,
		`"><script>alert("attr")</script>`,
	}
	id, res := c.annotate(doc, url.Values{"kind": {"reference"}, "passage": {"2"}, "body": {strings.Join(payloads, "\n\n")},
		"cite_title": {`<script>alert("title")</script>`}, "cite_url": {`https://example.org/?q="><script>alert("url")</script>`}})
	if id == 0 {
		t.Fatalf("post: %d\n%s", res.status, res.body)
	}
	ts.publish(id) // links and scripts look like spam; what matters here is how a published note renders
	for _, path := range []string{fmt.Sprintf("/documents/%d", doc), fmt.Sprintf("/annotations/%d", id), "/users/attacker"} {
		body := ts.client().get(path).body
		for _, bad := range []string{`<script>alert`, `javascript:`, `href="data:`, `<svg`, `<img`} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
		if m := eventAttribute.FindString(body); m != "" {
			t.Errorf("%s has an event attribute: %s", path, m)
		}
		if !strings.HasPrefix(path, "/users") {
			mustContain(t, body, "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;")
		}
	}
}

func TestAuthorisationOnAnnotations(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	owner, _ := ts.loggedIn("owner", models.RoleReader)
	other, _ := ts.loggedIn("intruder", models.RoleReader)
	public, _ := owner.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"1"}, "body": {"Public note by owner."}})
	private, _ := owner.annotate(doc, url.Values{"kind": {"question"}, "passage": {"3"}, "body": {"Private thought of owner."}, "visibility": {"private"}})
	if public == 0 || private == 0 {
		t.Fatal("could not create annotations")
	}
	other.get("/")
	for _, path := range []string{"/annotations/%d/edit", "/annotations/%d/delete"} {
		res := other.post(fmt.Sprintf(path, public), url.Values{"kind": {"comment"}, "body": {"Defaced."}})
		if res.status != http.StatusForbidden {
			t.Errorf("POST %s by another user: %d, want 403", fmt.Sprintf(path, public), res.status)
		}
	}
	if res := other.get(fmt.Sprintf("/annotations/%d/edit", public)); res.status != http.StatusForbidden {
		t.Errorf("GET edit by another user: %d", res.status)
	}
	a, _ := models.AnnotationByID(ts.db, public)
	if a.Body != "Public note by owner." || a.IsDeleted() {
		t.Fatal("another user changed the annotation")
	}
	// The private one is invisible to everyone else, everywhere.
	for name, c := range map[string]*client{"other": other, "anonymous": ts.client()} {
		for _, path := range []string{fmt.Sprintf("/annotations/%d", private), fmt.Sprintf("/annotations/%d/history", private)} {
			if res := c.get(path); res.status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", name, path, res.status)
			}
		}
		if res := c.post(fmt.Sprintf("/annotations/%d/replies", private), url.Values{"kind": {"comment"}, "body": {"hi"}}); res.status != http.StatusNotFound && res.status != http.StatusForbidden {
			t.Errorf("%s reply to private: %d", name, res.status)
		}
		page := c.get(fmt.Sprintf("/documents/%d", doc)).body
		mustNotContain(t, page, "Private thought of owner.", fmt.Sprintf(`id="a-%d"`, private))
		mustContain(t, page, "Public note by owner.")
		profile := c.get("/users/owner").body
		mustNotContain(t, profile, "Private thought of owner.")
	}
	// Counts: the passage with only the private note shows no count to others.
	page := other.get(fmt.Sprintf("/documents/%d", doc)).body
	if strings.Contains(sectionOf(page, 3), "notes__counts") {
		t.Errorf("passage 3 shows a count to another user: %s", sectionOf(page, 3))
	}
	// The owner sees it, marked private.
	mine := owner.get(fmt.Sprintf("/documents/%d", doc)).body
	mustContain(t, mine, "Private thought of owner.", "Private: only you")
}

// sectionOf returns the HTML of passage n's section.
func sectionOf(page string, n int) string {
	start := strings.Index(page, fmt.Sprintf(`id="p-%d"`, n))
	if start < 0 {
		return ""
	}
	end := strings.Index(page[start:], "</section>")
	return page[start : start+end]
}

func TestRepliesHelpfulEditDelete(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	alice, _ := ts.loggedIn("alice", models.RoleReader)
	bob, _ := ts.loggedIn("bobby", models.RoleReader)
	q, _ := alice.annotate(doc, url.Values{"kind": {"question"}, "passage": {"6"}, "body": {"Which officials?"}})
	bob.get(fmt.Sprintf("/annotations/%d", q))
	res := bob.post(fmt.Sprintf("/annotations/%d/replies", q), url.Values{"kind": {"disagreement"}, "body": {"The framing is wrong."}, "counterpoint": {"It was not cooperation."}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("reply: %d\n%s", res.status, res.body)
	}
	// One disagreement, even in a reply, is an objection, not a dispute.
	page := ts.client().get(fmt.Sprintf("/documents/%d", doc)).body
	mustContain(t, sectionOf(page, 6), "The framing is wrong.")
	mustNotContain(t, sectionOf(page, 6), "Contested")

	// Helpful: once per user, not on one's own.
	bob.get("/")
	bob.post(fmt.Sprintf("/annotations/%d/helpful", q), nil)
	a, _ := models.AnnotationByID(ts.db, q)
	if a.HelpfulCount != 1 {
		t.Fatalf("helpful count %d", a.HelpfulCount)
	}
	bob.post(fmt.Sprintf("/annotations/%d/helpful", q), nil) // toggles off
	a, _ = models.AnnotationByID(ts.db, q)
	if a.HelpfulCount != 0 {
		t.Fatalf("second press did not undo: %d", a.HelpfulCount)
	}
	alice.get("/")
	if res := alice.post(fmt.Sprintf("/annotations/%d/helpful", q), nil); res.status != http.StatusForbidden {
		t.Fatalf("own helpful: %d", res.status)
	}

	// Edit keeps history.
	alice.get(fmt.Sprintf("/annotations/%d/edit", q))
	res = alice.post(fmt.Sprintf("/annotations/%d/edit", q), url.Values{"kind": {"question"}, "body": {"Which U.S. officials?"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.status, res.body)
	}
	perma := ts.client().get(fmt.Sprintf("/annotations/%d", q)).body
	mustContain(t, perma, "Which U.S. officials?", ">edited</a>")
	hist := ts.client().get(fmt.Sprintf("/annotations/%d/history", q)).body
	mustContain(t, hist, "Which officials?", "Which U.S. officials?")

	// Delete leaves a tombstone; the reply keeps its place.
	alice.get("/")
	if res := alice.post(fmt.Sprintf("/annotations/%d/delete", q), url.Values{"confirm": {"yes"}}); res.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.status)
	}
	page = ts.client().get(fmt.Sprintf("/documents/%d", doc)).body
	mustContain(t, sectionOf(page, 6), "Deleted by its author.", "The framing is wrong.")
	// The tombstone carries no kind: no question's colour, badge or icon.
	mustContain(t, sectionOf(page, 6), fmt.Sprintf(`<article class="note note--removed" id="a-%d"`, q))
	mustNotContain(t, page, "Which U.S. officials?")
	var stored models.Annotation
	ts.db.First(&stored, q)
	if stored.Body != "Which U.S. officials?" {
		t.Error("delete lost the text moderators need to restore it")
	}
}

func TestSortAndFilter(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	a, _ := ts.loggedIn("sorter", models.RoleReader)
	b, _ := ts.loggedIn("voter", models.RoleReader)
	first, _ := a.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"7"}, "body": {"Older but helpful."}})
	a.annotate(doc, url.Values{"kind": {"question"}, "passage": {"7"}, "body": {"Newer question."}})
	b.get("/")
	b.post(fmt.Sprintf("/annotations/%d/helpful", first), nil)
	newest := sectionOf(ts.client().get(fmt.Sprintf("/documents/%d", doc)).body, 7)
	helpful := sectionOf(ts.client().get(fmt.Sprintf("/documents/%d?sort=helpful", doc)).body, 7)
	if strings.Index(newest, "Newer question.") > strings.Index(newest, "Older but helpful.") {
		t.Error("newest order puts the older note first")
	}
	if strings.Index(helpful, "Older but helpful.") > strings.Index(helpful, "Newer question.") {
		t.Error("helpful order does not put the helpful note first")
	}
	questions := sectionOf(ts.client().get(fmt.Sprintf("/documents/%d?kind=question", doc)).body, 7)
	mustContain(t, questions, "Newer question.")
	mustNotContain(t, questions, "Older but helpful.")
}

func TestInboxRepliesAndMentions(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	alice, _ := ts.loggedIn("alicia", models.RoleReader)
	bob, _ := ts.loggedIn("roberto", models.RoleReader)
	carol, _ := ts.loggedIn("carolina", models.RoleReader)
	q, _ := alice.annotate(doc, url.Values{"kind": {"question"}, "passage": {"5"}, "body": {"Anyone?"}})
	bob.get(fmt.Sprintf("/annotations/%d", q))
	bob.post(fmt.Sprintf("/annotations/%d/replies", q), url.Values{"kind": {"comment"}, "body": {"Yes, and @carolina knows more."}})
	// A private note that mentions carolina must not reach her.
	alice.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"5"}, "body": {"Secret note about @carolina"}, "visibility": {"private"}})

	mustContain(t, alice.get("/").body, `<span class="badge">1`)
	inbox := alice.get("/inbox").body
	mustContain(t, inbox, "replied to your annotation", `inbox__item--unread`)
	cinbox := carol.get("/inbox").body
	mustContain(t, cinbox, "mentioned you")
	mustNotContain(t, cinbox, "Secret note")
	if n := strings.Count(cinbox, `<li class="inbox__item`); n != 1 {
		t.Errorf("carolina has %d notifications, want 1", n)
	}
	// Seeing the notification read it: the badge is gone from the inbox's
	// own navigation and from every page after, and it is no longer New.
	mustNotContain(t, inbox, `<span class="badge">`)
	mustNotContain(t, alice.get("/").body, `<span class="badge">`)
	mustNotContain(t, alice.get("/inbox").body, `<span class="badge">`, `inbox__item--unread`)
}

// More than a page of unread notifications: the inbox marks what it shows
// and says that older ones are still unread, with the button for them.
func TestInboxMarksWhatItShows(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	alice, au := ts.loggedIn("alicia", models.RoleReader)
	q, _ := alice.annotate(doc, url.Values{"kind": {"question"}, "passage": {"5"}, "body": {"Anyone?"}})
	for i := 0; i < 102; i++ {
		if err := ts.db.Create(&models.Notification{UserID: au.ID, AnnotationID: q, Reason: models.ReasonMention, CreatedAt: ts.now}).Error; err != nil {
			t.Fatal(err)
		}
	}
	// The badge stops counting where it stops telling numbers apart.
	mustContain(t, alice.get("/").body, `<span class="badge">99+<`)
	page := alice.get("/inbox").body
	mustContain(t, page, "2 older notifications are not shown here and still unread", "Mark all as read", `<span class="badge">2`)
	alice.post("/inbox/read", nil)
	mustNotContain(t, alice.get("/").body, `<span class="badge">`)
}

func TestPageCacheIsExactAcrossInstances(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	// A second Margin instance on the same database.
	other, err := newApp(ts.db, ts.app.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts2 := &testServer{t: t, db: ts.db, app: other, now: ts.now}
	srv2 := newHTTPServer(other)
	defer srv2.Close()
	ts2.Server = srv2

	reader := ts2.client()
	before := reader.get(fmt.Sprintf("/documents/%d", doc))
	etag := before.header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/documents/%d", ts2.URL, doc), nil)
	req.Header.Set("If-None-Match", etag)
	if res := reader.do(req); res.status != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d, want 304", res.status)
	}
	writer, _ := ts.loggedIn("writer1", models.RoleReader)
	writer.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"4"}, "body": {"Written on instance one."}})
	after := reader.get(fmt.Sprintf("/documents/%d", doc))
	mustContain(t, after.body, "Written on instance one.")
	if after.header.Get("ETag") == etag {
		t.Error("ETag unchanged after a write")
	}
	req.Header.Set("If-None-Match", etag)
	if res := reader.do(req); res.status != http.StatusOK {
		t.Fatalf("stale ETag: %d, want 200", res.status)
	}
	// The writer's private note, cached for the writer, never reaches another viewer.
	writer.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"4"}, "body": {"Private aside of the writer."}, "visibility": {"private"}})
	mustContain(t, writer.get(fmt.Sprintf("/documents/%d", doc)).body, "Private aside of the writer.")
	mustNotContain(t, reader.get(fmt.Sprintf("/documents/%d", doc)).body, "Private aside of the writer.")
	mustNotContain(t, ts.client().get(fmt.Sprintf("/documents/%d", doc)).body, "Private aside of the writer.")
	// Anonymous document pages set no cookie.
	if c := ts.client().get(fmt.Sprintf("/documents/%d", doc)).header.Get("Set-Cookie"); c != "" {
		t.Errorf("anonymous page set a cookie: %q", c)
	}
}

func TestPostingRateLimit(t *testing.T) {
	ts := newTestServer(t)
	ts.app.cfg.PostPerUser = 2
	doc := ts.articleID()
	c, _ := ts.loggedIn("fastposter", models.RoleReader)
	for i := 0; i < 2; i++ {
		if id, res := c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {fmt.Sprintf("Note number %d.", i)}}); id == 0 {
			t.Fatalf("post %d: %d", i, res.status)
		}
	}
	_, res := c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"One too many."}})
	if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
		t.Fatalf("third post: %d, want 429 with Retry-After", res.status)
	}
	mustContain(t, res.body, "posting faster than this site allows", "try again in 10 minutes")
	// Another account is not held up by this one.
	other, _ := ts.loggedIn("calmposter", models.RoleReader)
	if id, res := other.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"My first."}}); id == 0 {
		t.Fatalf("other account: %d", res.status)
	}
	ts.now = ts.now.Add(11 * time.Minute)
	if id, res := c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"After the window."}}); id == 0 {
		t.Fatalf("after the window: %d", res.status)
	}
}

// Many accounts behind one address share its posting limit; another
// address is not held up by it.
func TestPostingRateLimitPerAddress(t *testing.T) {
	ts := newTestServer(t)
	ts.app.cfg.PostPerIP = 3
	doc := ts.articleID()
	for i := 0; i < 4; i++ {
		c, _ := ts.loggedIn(fmt.Sprintf("classmate%d", i), models.RoleReader)
		c.from = "203.0.113.7"
		id, res := c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {fmt.Sprintf("Classmate %d's note.", i)}})
		if i < 3 && id == 0 {
			t.Fatalf("post %d from the shared address: %d", i, res.status)
		}
		if i == 3 {
			if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
				t.Fatalf("fourth post from the shared address: %d, want 429 with Retry-After", res.status)
			}
			mustContain(t, res.body, "posting faster than this site allows")
		}
	}
	elsewhere, _ := ts.loggedIn("elsewhere", models.RoleReader)
	elsewhere.from = "198.51.100.9"
	if id, res := elsewhere.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"From another address."}}); id == 0 {
		t.Fatalf("another address: %d", res.status)
	}
}

func TestEditIntoSpamIsHeldAgain(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	c, _ := ts.loggedIn("editor1", models.RoleReader)
	id, _ := c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"4"}, "body": {"A sober remark on the evidence."}})
	mustContain(t, ts.client().get(fmt.Sprintf("/documents/%d", doc)).body, "A sober remark on the evidence.")

	// Changing only the kind is no new text: nothing to check.
	c.get(fmt.Sprintf("/annotations/%d/edit", id))
	c.post(fmt.Sprintf("/annotations/%d/edit", id), url.Values{"kind": {"context"}, "body": {"A sober remark on the evidence."}})
	if a, _ := models.AnnotationByID(ts.db, id); a.Status != models.StatusPublished {
		t.Fatalf("a kind change held the note: %s", a.Status)
	}

	spam := "Cheap pills https://a.example https://b.example https://c.example https://d.example https://e.example"
	c.get(fmt.Sprintf("/annotations/%d/edit", id))
	res := c.post(fmt.Sprintf("/annotations/%d/edit", id), url.Values{"kind": {"comment"}, "body": {spam}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.status)
	}
	a, _ := models.AnnotationByID(ts.db, id)
	if a.Status == models.StatusPublished {
		t.Fatal("an edit with five links stayed published")
	}
	mustNotContain(t, ts.client().get(fmt.Sprintf("/documents/%d", doc)).body, "Cheap pills")
	mustContain(t, c.get(fmt.Sprintf("/annotations/%d", id)).body, "Awaiting review", "once a moderator has looked at it")
	s, err := models.ScreeningOf(ts.db, a)
	if err != nil || !strings.Contains(s.Reasons, "after an edit") || !strings.Contains(s.Reasons, "5 links") {
		t.Fatalf("reasons not recorded: %+v %v", s, err)
	}
}

// The new words and the hold they earn are one change: if holding the note
// fails, the edit does not happen either, so the words are never public
// unchecked.
func TestEditAndItsHoldAreOneChange(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	c, _ := ts.loggedIn("editor2", models.RoleReader)
	id, _ := c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"4"}, "body": {"A careful first reading."}})
	// Fail the status change rescreening makes.
	err := ts.db.Callback().Update().Before("gorm:update").Register("test:fail-hold", func(db *gorm.DB) {
		if m, ok := db.Statement.Dest.(map[string]any); ok {
			if _, ok := m["status"]; ok {
				db.AddError(errors.New("injected failure"))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	spam := "Cheap pills https://a.example https://b.example https://c.example https://d.example https://e.example"
	c.get(fmt.Sprintf("/annotations/%d/edit", id))
	if res := c.post(fmt.Sprintf("/annotations/%d/edit", id), url.Values{"kind": {"comment"}, "body": {spam}}); res.status != http.StatusInternalServerError {
		t.Fatalf("edit with a failing hold: %d, want 500", res.status)
	}
	a, _ := models.AnnotationByID(ts.db, id)
	if a.Body != "A careful first reading." || a.Status != models.StatusPublished {
		t.Fatalf("after a failed hold the note reads %q (%s); want the old words, published", a.Body, a.Status)
	}
	mustNotContain(t, ts.client().get(fmt.Sprintf("/documents/%d", doc)).body, "Cheap pills")
}

func TestCountsByKindArePlural(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	c, _ := ts.loggedIn("counter", models.RoleReader)
	for _, body := range []string{"First question?", "Second question?"} {
		c.annotate(doc, url.Values{"kind": {"question"}, "passage": {"9"}, "body": {body}})
	}
	c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"9"}, "body": {"A remark."}})
	mustContain(t, sectionOf(ts.client().get(fmt.Sprintf("/documents/%d", doc)).body, 9), "3 notes", `1<span class="visually-hidden"> comment</span>`, `2<span class="visually-hidden"> questions</span>`)
}
