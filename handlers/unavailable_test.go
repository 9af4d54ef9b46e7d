package handlers

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"

	"margin/models"
	"margin/models/modeltest"
)

// diskFull is the error this test's database gives when its disk is full.
func diskFull() error {
	if modeltest.UsePostgres() {
		return &pgconn.PgError{Severity: "ERROR", Code: "53100", Message: "could not extend file: No space left on device"}
	}
	return sqlite3.Error{Code: sqlite3.ErrFull, ExtendedCode: sqlite3.ErrFull.Extend(0)}
}

// storeFault makes the database fail as a full disk does: writes (and,
// with reads set, every statement) answer diskFull while it is on.
type storeFault struct {
	writes, reads atomic.Bool
}

func newStoreFault(t *testing.T, ts *testServer) *storeFault {
	t.Helper()
	f := &storeFault{}
	fail := func(write bool) func(*gorm.DB) {
		return func(db *gorm.DB) {
			if f.reads.Load() || write && f.writes.Load() {
				db.AddError(diskFull())
			}
		}
	}
	cb := ts.db.Callback()
	for _, err := range []error{
		cb.Create().Before("gorm:create").Register("test:fault-create", fail(true)),
		cb.Update().Before("gorm:update").Register("test:fault-update", fail(true)),
		cb.Delete().Before("gorm:delete").Register("test:fault-delete", fail(true)),
		cb.Query().Before("gorm:query").Register("test:fault-query", fail(false)),
		cb.Row().Before("gorm:row").Register("test:fault-row", fail(false)),
		cb.Raw().Before("gorm:raw").Register("test:fault-raw", fail(false)),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func countNotes(t *testing.T, ts *testServer, body string) int64 {
	t.Helper()
	var n int64
	if err := ts.db.Model(&models.Annotation{}).Where("body = ?", body).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// A note the store fails to save (a full disk) is not lost behind a
// generic 500: the composer comes back with 503, Retry-After, a message
// that nothing was saved and every word kept; sent again once the disk has
// room, it is stored once.
func TestFullDiskKeepsTheNoteInItsForm(t *testing.T) {
	ts := newTestServer(t)
	fault := newStoreFault(t, ts)
	doc := ts.articleID()
	c, _ := ts.loggedIn("fulldisk", models.RoleReader)
	body := "A careful reading of <the> second passage & its claims."
	form := url.Values{"kind": {"disagreement"}, "passage": {"2"}, "body": {body}, "counterpoint": {"The treaty says otherwise."}}
	c.get(fmt.Sprintf("/documents/%d/annotate?p=2", doc))
	fault.writes.Store(true)
	res := c.post(fmt.Sprintf("/documents/%d/annotations", doc), form)
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" {
		t.Fatalf("post on a full disk: %d Retry-After %q\n%.500s", res.status, res.header.Get("Retry-After"), res.body)
	}
	mustContain(t, res.body, "Nothing was saved", html.EscapeString(body), "The treaty says otherwise.", `name="body"`)
	fault.writes.Store(false)
	if n := countNotes(t, ts, body); n != 0 {
		t.Fatalf("%d notes stored by a failed post", n)
	}
	res = c.post(fmt.Sprintf("/documents/%d/annotations", doc), form)
	if res.status != http.StatusSeeOther || countNotes(t, ts, body) != 1 {
		t.Fatalf("sent again: %d, %d stored\n%.300s", res.status, countNotes(t, ts, body), res.body)
	}

	// An edit and a reply keep their words the same way.
	id, _ := c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"3"}, "body": {"First words."}})
	fault.writes.Store(true)
	c.get(fmt.Sprintf("/annotations/%d/edit", id))
	res = c.post(fmt.Sprintf("/annotations/%d/edit", id), url.Values{"kind": {"comment"}, "body": {"Second, better words."}})
	if res.status != http.StatusServiceUnavailable {
		t.Fatalf("edit on a full disk: %d", res.status)
	}
	mustContain(t, res.body, "Nothing was saved", "Second, better words.")
	c.get(fmt.Sprintf("/annotations/%d", id))
	res = c.post(fmt.Sprintf("/annotations/%d/replies", id), url.Values{"kind": {"comment"}, "body": {"A reply kept."}})
	if res.status != http.StatusServiceUnavailable {
		t.Fatalf("reply on a full disk: %d", res.status)
	}
	mustContain(t, res.body, "Nothing was saved", "A reply kept.")
}

var keptForm = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)" class="kept-form">(.*?)</form>`)
var keptInput = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">|<textarea id="kept-\d+" name="([^"]*)" rows="6">([^<]*)</textarea>`)

// When the store cannot even be read (PostgreSQL down), no form can be
// drawn from it: the 503 page itself keeps what was sent (never a
// password), in a form that sends it again.
func TestStoreDownKeepsTheTextOnTheErrorPage(t *testing.T) {
	ts := newTestServer(t)
	fault := newStoreFault(t, ts)
	doc := ts.articleID()
	c, _ := ts.loggedIn("storedown", models.RoleReader)
	body := "Words that must survive an outage."
	c.get(fmt.Sprintf("/documents/%d/annotate?p=2", doc))
	fault.reads.Store(true)
	res := c.post(fmt.Sprintf("/documents/%d/annotations", doc), url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {body}})
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" {
		t.Fatalf("post with the store down: %d %q\n%.500s", res.status, res.header.Get("Retry-After"), res.body)
	}
	mustContain(t, res.body, "Nothing was saved", body, "Send again")
	m := keptForm.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no form to send again\n%s", res.body)
	}
	again := url.Values{}
	for _, f := range keptInput.FindAllStringSubmatch(m[2], -1) {
		if f[1] != "" {
			again.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
		} else {
			again.Add(html.UnescapeString(f[3]), html.UnescapeString(f[4]))
		}
	}
	fault.reads.Store(false)
	if res := c.post(html.UnescapeString(m[1]), again); res.status != http.StatusSeeOther || countNotes(t, ts, body) != 1 {
		t.Fatalf("sent again from the error page: %d, %d stored\n%.500s", res.status, countNotes(t, ts, body), res.body)
	}

	// A login while the store is down: 503, and the password is not
	// written back into the page.
	anon := ts.client()
	anon.get("/login")
	fault.reads.Store(true)
	res = anon.post("/login", url.Values{"username": {"storedown"}, "password": {"a secret passphrase 42"}})
	fault.reads.Store(false)
	if res.status != http.StatusServiceUnavailable || strings.Contains(res.body, "a secret passphrase 42") {
		t.Fatalf("login with the store down: %d, password in page: %v", res.status, strings.Contains(res.body, "a secret passphrase 42"))
	}

	// A page read while the store is down: 503 with Retry-After too.
	fault.reads.Store(true)
	res = ts.client().get(fmt.Sprintf("/users/%s", "storedown"))
	fault.reads.Store(false)
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" {
		t.Fatalf("page with the store down: %d %q", res.status, res.header.Get("Retry-After"))
	}
}
