package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"margin/models"
)

func TestSearchFindsOnlyWhatTheViewerMaySee(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	owner, _ := ts.loggedIn("searcher", models.RoleReader)
	other, _ := ts.loggedIn("snoop", models.RoleReader)
	owner.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"Zanzibar public remark."}})
	owner.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"Zanzibar private musing."}, "visibility": {"private"}})

	res := ts.client().get("/search?q=zanzibar")
	if res.status != http.StatusOK {
		t.Fatalf("search: %d", res.status)
	}
	mustContain(t, res.body, "<mark>Zanzibar</mark> public remark")
	mustNotContain(t, res.body, "private musing.")
	mustNotContain(t, other.get("/search?q=zanzibar").body, "private musing.")
	mustContain(t, owner.get("/search?q=zanzibar").body, "<mark>Zanzibar</mark> private musing", "Private: only you")

	// Titles and passages of the library, case-insensitively.
	lib := ts.client().get("/search?q=" + url.QueryEscape("north atlantic")).body
	mustContain(t, strings.ToLower(lib), "north atlantic treaty")
	mustContain(t, ts.client().get("/search?q=Stuyvenbergh").body, "passage 1")

	// LIKE wildcards are searched for literally.
	mustContain(t, ts.client().get("/search?q="+url.QueryEscape("%")).body, "Nothing found")
	mustContain(t, ts.client().get("/search?q="+url.QueryEscape("_")).body, "Nothing found")

	if res := ts.client().get("/search?q=" + strings.Repeat("x", 201)); res.status != http.StatusBadRequest {
		t.Errorf("overlong query: %d, want 400", res.status)
	}
}

func TestSearchKeepsClassNotesInTheClass(t *testing.T) {
	ts := newTestServer(t)
	doc, _ := models.DocumentByID(ts.db, ts.articleID())
	teacher := ts.createUser("searchteacher", models.RoleEducator)
	member, _ := ts.loggedIn("searchmember", models.RoleReader)
	outsider, _ := ts.loggedIn("searchoutsider", models.RoleReader)
	class, err := models.CreateClass(ts.db, teacher, models.ClassInput{Name: "Seminar"}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := models.UserByName(ts.db, "searchmember")
	if err := models.JoinClass(ts.db, m, class, ts.now); err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateAnnotation(ts.db, m, doc, models.AnnotationInput{Kind: models.KindComment, Body: "Quixotic class-only thought.",
		Passage: 3, QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &class.ID}, models.StatusPublished); err != nil {
		t.Fatal(err)
	}
	mustContain(t, member.get("/search?q=quixotic").body, "<mark>Quixotic</mark> class-only thought", "Class only")
	mustNotContain(t, outsider.get("/search?q=quixotic").body, "Quixotic")
	mustNotContain(t, ts.client().get("/search?q=quixotic").body, "Quixotic")
}

func TestSearchPagesAndFilters(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	writer, _ := ts.loggedIn("pager", models.RoleReader)
	for i := range models.SearchPageSize + 3 {
		writer.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {fmt.Sprintf("Pangolin number %d.", i)}})
	}
	writer.annotate(doc, url.Values{"kind": {"question"}, "passage": {"2"}, "body": {"Pangolin <b>question</b>?"}})
	first := ts.client().get("/search?q=pangolin")
	mustContain(t, first.body, `rel="next"`, "/search?page=2&amp;q=pangolin")
	mustNotContain(t, first.body, `rel="prev"`, "<b>question</b>")
	second := ts.client().get("/search?q=pangolin&page=2")
	mustContain(t, second.body, "Notes, page 2", `rel="prev"`)
	mustNotContain(t, second.body, `rel="next"`)
	if n := strings.Count(first.body, "<mark>Pangolin</mark>") + strings.Count(second.body, "<mark>Pangolin</mark>"); n != models.SearchPageSize+4 {
		t.Errorf("%d notes over both pages, want %d", n, models.SearchPageSize+4)
	}
	q := ts.client().get("/search?q=pangolin&kind=question")
	mustContain(t, q.body, "&lt;b&gt;question&lt;/b&gt;", `<option value="question" selected>`)
	mustNotContain(t, q.body, "Pangolin</mark> number", "<h2>Passages</h2>")
	for _, bad := range []string{"kind=poem", "from=yesterday", "page=0", "page=9999", "quote=maybe", "replies=x", "class=abc"} {
		if res := ts.client().get("/search?q=pangolin&" + bad); res.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, res.status)
		}
	}
}
