package handlers

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"margin/models"
)

// parsedFeed is an Atom feed as a strict XML parser reads it.
type parsedFeed struct {
	XMLName xml.Name `xml:"feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Author  struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Link struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

// readFeed checks what RFC 4287 requires of a feed and its entries and
// returns the entries' contents.
func readFeed(t *testing.T, res response) string {
	t.Helper()
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s", res.status, res.header.Get("Content-Type"))
	}
	var f parsedFeed
	d := xml.NewDecoder(strings.NewReader(res.body))
	d.Strict = true
	if err := d.Decode(&f); err != nil {
		t.Fatalf("feed is not well-formed XML: %v", err)
	}
	if f.XMLName.Space != "http://www.w3.org/2005/Atom" {
		t.Errorf("namespace %q", f.XMLName.Space)
	}
	checkTime := func(what, s string) {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s %q is not an RFC 3339 date", what, s)
		}
	}
	if f.ID == "" || f.Title == "" || len(f.Author) == 0 || f.Author[0].Name == "" {
		t.Errorf("feed lacks id, title or author: %+v", f)
	}
	checkTime("feed updated", f.Updated)
	self := false
	for _, l := range f.Links {
		self = self || (l.Rel == "self" && strings.HasPrefix(l.Href, "http"))
	}
	if !self {
		t.Error("no absolute rel=self link")
	}
	var all strings.Builder
	for _, e := range f.Entries {
		if e.ID == "" || e.Title == "" || e.Author.Name == "" || e.Link.Rel != "alternate" || !strings.HasPrefix(e.Link.Href, "http") || e.Content.Type != "html" {
			t.Errorf("entry lacks what Atom asks: %+v", e)
		}
		checkTime("entry updated", e.Updated)
		all.WriteString(e.Content.Body + "\n")
	}
	return all.String()
}

var feedAddress = regexp.MustCompile(`value="(http[^"]+/feeds/private/[^"]+)"`)

func TestFeedsShowOnlyWhatTheirReaderMaySee(t *testing.T) {
	ts := newTestServer(t)
	docID := ts.articleID()
	doc, _ := models.DocumentByID(ts.db, docID)
	teacher := ts.createUser("feedteacher", models.RoleEducator)
	class, err := models.CreateClass(ts.db, teacher, models.ClassInput{Name: "Feed seminar"}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	me, meUser := ts.loggedIn("feedreader", models.RoleReader)
	otherUser := ts.createUser("feedwriter", models.RoleReader)
	for _, u := range []*models.User{meUser, otherUser} {
		if err := models.JoinClass(ts.db, u, class, ts.now); err != nil {
			t.Fatal(err)
		}
	}
	post := func(u *models.User, body string, vis models.Visibility, status models.Status) *models.Annotation {
		in := models.AnnotationInput{Kind: models.KindComment, Body: body, Passage: 2, QuoteHint: -1, Visibility: vis}
		if vis == models.VisibilityClass {
			in.ClassID = &class.ID
		}
		a, err := models.CreateAnnotation(ts.db, u, doc, in, status)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	mine := post(meUser, "My public note.", models.VisibilityPublic, models.StatusPublished)
	post(otherUser, "Public <script>alert(1)</script> note.", models.VisibilityPublic, models.StatusPublished)
	post(otherUser, "Private note.", models.VisibilityPrivate, models.StatusPublished)
	post(otherUser, "Class note.", models.VisibilityClass, models.StatusPublished)
	post(otherUser, "Held note.", models.VisibilityPublic, models.StatusPending)
	hidden := post(otherUser, "Hidden note.", models.VisibilityPublic, models.StatusPublished)
	models.SetAnnotationStatus(ts.db, hidden, models.StatusHidden)
	deleted := post(otherUser, "Deleted note.", models.VisibilityPublic, models.StatusPublished)
	models.DeleteAnnotation(ts.db, otherUser, deleted, ts.now)
	if _, err := models.CreateReply(ts.db, otherUser, mine, models.AnnotationInput{Kind: models.KindComment, Body: "A reply to you."}, models.StatusPublished); err != nil {
		t.Fatal(err)
	}
	secret := post(otherUser, "Class secret.", models.VisibilityClass, models.StatusPublished)
	if _, err := models.CreateReply(ts.db, otherUser, secret, models.AnnotationInput{Kind: models.KindComment, Body: "Class reply."}, models.StatusPublished); err != nil {
		t.Fatal(err)
	}
	never := []string{"Private note.", "Held note.", "Hidden note.", "Deleted note.", "<script>"}

	anon := ts.client()
	for _, path := range []string{"/feeds/notes", fmt.Sprintf("/feeds/documents/%d", docID), "/feeds/users/feedwriter"} {
		body := readFeed(t, anon.get(path))
		mustContain(t, body, "<p>Public ")
		mustNotContain(t, body, append(never, "Class note.", "Class reply.")...)
		// The same whoever asks: public feeds are public.
		mustNotContain(t, readFeed(t, me.get(path)), "Class note.")
	}
	mustNotContain(t, readFeed(t, anon.get("/feeds/users/feedwriter")), "My public note.")

	// Pages announce their feeds.
	mustContain(t, anon.get(fmt.Sprintf("/documents/%d", docID)).body, `<link rel="alternate" type="application/atom+xml"`, fmt.Sprintf(`href="/feeds/documents/%d"`, docID))
	mustContain(t, anon.get("/users/feedwriter").body, `href="/feeds/users/feedwriter"`)
	mustContain(t, anon.get("/").body, `href="/feeds/notes"`)

	// Private feeds, through the address on the account page.
	addrs := feedAddress.FindAllStringSubmatch(me.get("/account").body, -1)
	if len(addrs) != 2 {
		t.Fatalf("account page shows %d feed addresses, want replies and one class", len(addrs))
	}
	path := func(u string) string { return u[strings.Index(u, "/feeds/"):] }
	replies, classFeed := path(addrs[0][1]), path(addrs[1][1])
	body := readFeed(t, anon.get(replies))
	mustContain(t, body, "A reply to you.")
	mustNotContain(t, body, append(never, "My public note.", "Class reply.")...)
	body = readFeed(t, anon.get(classFeed))
	mustContain(t, body, "Class note.", "Class secret.", "Class reply.")
	mustNotContain(t, body, append(never, "My public note.", "A reply to you.")...)

	// Another member's key does not open a class they are not in; a forged key opens nothing.
	outsider, _ := ts.loggedIn("feedoutsider", models.RoleReader)
	theirs := feedAddress.FindStringSubmatch(outsider.get("/account").body)
	if theirs == nil {
		t.Fatal("no feed address for the outsider")
	}
	key := strings.Split(path(theirs[1]), "/")[3]
	if res := anon.get(fmt.Sprintf("/feeds/private/%s/classes/%d", key, class.ID)); res.status != http.StatusNotFound {
		t.Errorf("an outsider's key on the class feed: %d, want 404", res.status)
	}
	forged := strings.Replace(replies, "/replies", "", 1)
	forged = forged[:len(forged)-3] + "AAA/replies"
	if res := anon.get(forged); res.status != http.StatusNotFound {
		t.Errorf("forged key: %d, want 404", res.status)
	}

	// ETag and If-None-Match.
	first := anon.get(replies)
	etag := first.header.Get("ETag")
	req, _ := http.NewRequest(http.MethodGet, ts.URL+replies, nil)
	req.Header.Set("If-None-Match", etag)
	if res := anon.do(req); etag == "" || res.status != http.StatusNotModified {
		t.Errorf("If-None-Match %q: %d, want 304", etag, res.status)
	}
	if first.header.Get("Cache-Control") != "private, no-cache" {
		t.Errorf("private feed Cache-Control %q", first.header.Get("Cache-Control"))
	}
	if _, err := models.CreateReply(ts.db, otherUser, mine, models.AnnotationInput{Kind: models.KindComment, Body: "Second reply."}, models.StatusPublished); err != nil {
		t.Fatal(err)
	}
	if res := anon.do(req); res.status != http.StatusOK || !strings.Contains(res.body, "Second reply.") {
		t.Errorf("after a new reply, the old ETag gets %d", res.status)
	}

	// Renewing retires the old addresses.
	me.get("/account")
	if res := me.post("/account/feeds", nil); res.status != http.StatusSeeOther {
		t.Fatalf("renew: %d", res.status)
	}
	if res := anon.get(replies); res.status != http.StatusNotFound {
		t.Errorf("old address after renewal: %d, want 404", res.status)
	}
	fresh := feedAddress.FindStringSubmatch(me.get("/account").body)
	if fresh == nil || path(fresh[1]) == replies {
		t.Fatal("no new address after renewal")
	}
	readFeed(t, anon.get(path(fresh[1])))
}
