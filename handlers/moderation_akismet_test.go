package handlers

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"margin/models"
)

// fakeAkismet is a local Akismet that keeps every form it is sent.
type fakeAkismet struct {
	mu    sync.Mutex
	paths []string
	forms []url.Values
	spam  bool // comment-check's answer
	fail  bool // submit-spam and submit-ham answer 500
}

// fakeAkismet points the app at a new fake Akismet.
func (ts *testServer) fakeAkismet() *fakeAkismet {
	f := &fakeAkismet{}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	ts.t.Cleanup(srv.Close)
	ts.app.cfg.Screen.Akismet = &models.Akismet{Key: "k", BaseURL: srv.URL, Blog: "https://margin.example"}
	return f
}

func (f *fakeAkismet) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(b))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paths, f.forms = append(f.paths, r.URL.Path), append(f.forms, form)
	switch {
	case r.URL.Path == "/1.1/comment-check":
		io.WriteString(w, strconv.FormatBool(f.spam))
	case f.fail:
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
	default:
		io.WriteString(w, "Thanks for making the web a better place.")
	}
}

// sent returns the forms posted to one method, such as "submit-spam".
func (f *fakeAkismet) sent(method string) []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []url.Values
	for i, p := range f.paths {
		if p == "/1.1/"+method {
			out = append(out, f.forms[i])
		}
	}
	return out
}

func (f *fakeAkismet) failing(fail bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fail
}

// A ban files its subject's waiting notes as spam; Akismet hears of each,
// as of a moderator's own spam verdict, and an Akismet that fails does not
// stop the ban.
func TestBanReportsItsSpamToAkismet(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	fake := ts.fakeAkismet()
	doc := ts.articleID()
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	ban := func(name string, bodies ...string) {
		t.Helper()
		c, u := ts.loggedIn(name, models.RoleReader)
		var ids []uint
		for _, body := range bodies {
			id, _ := c.compose(doc, 1, url.Values{"body": {body}})
			if ts.status(id) != models.StatusPending {
				t.Fatalf("%q is %s, want it waiting", body, ts.status(id))
			}
			ids = append(ids, id)
		}
		mod.get(fmt.Sprintf("/moderation/users/%d", u.ID))
		if res := mod.post(fmt.Sprintf("/moderation/users/%d/ban", u.ID), url.Values{"duration": {"7d"}}); res.status != http.StatusSeeOther {
			t.Fatalf("ban %s: %d %s", name, res.status, res.body)
		}
		for _, id := range ids {
			if ts.status(id) != models.StatusSpam {
				t.Errorf("%s's note %d is %s after the ban", name, id, ts.status(id))
			}
		}
	}

	bodies := []string{"My first note, waiting as a new account's.", "A second note, also waiting for review."}
	ban("troll", bodies...)
	got := fake.sent("submit-spam")
	if len(got) != len(bodies) {
		t.Fatalf("%d submit-spam requests, want %d", len(got), len(bodies))
	}
	for i, form := range got {
		if form.Get("comment_content") != bodies[i] || form.Get("comment_author") != "troll" || form.Get("user_ip") == "" {
			t.Errorf("submit-spam %d: %v", i, form)
		}
	}

	// Akismet down: the ban stands, and its reports stop at the first
	// failure rather than make the moderator wait for each.
	fake.failing(true)
	ban("troll2", "A note waiting when Akismet is down.", "Another one.", "And a third.")
	if n := len(fake.sent("submit-spam")); n != len(bodies)+1 {
		t.Errorf("Akismet was asked %d times in all, want %d", n, len(bodies)+1)
	}
}

// A note Akismet called spam that a moderator marks not spam goes back to
// Akismet as submit-ham, in the fields its documentation lists.
func TestNotSpamTellsAkismetHam(t *testing.T) {
	ts := newTestServer(t)
	fake := ts.fakeAkismet()
	fake.spam = true
	doc := ts.articleID()
	c, _ := ts.loggedIn("misjudged", models.RoleReader)
	body := "A genuine remark that Akismet took for spam."
	id, _ := c.compose(doc, 1, url.Values{"body": {body}})
	posted := ts.now
	if ts.status(id) != models.StatusSpam {
		t.Fatalf("the note Akismet called spam is %s", ts.status(id))
	}
	mod, _ := ts.loggedIn("moddy", models.RoleModerator)
	mod.get(fmt.Sprintf("/moderation/items/%d", id))
	if res := mod.post(fmt.Sprintf("/moderation/items/%d", id), url.Values{"action": {"not-spam"}}); res.status != http.StatusSeeOther {
		t.Fatalf("not spam: %d %s", res.status, res.body)
	}
	if ts.status(id) != models.StatusPublished {
		t.Fatalf("after not spam the note is %s", ts.status(id))
	}
	ham := fake.sent("submit-ham")
	if len(ham) != 1 || len(fake.sent("submit-spam")) != 0 {
		t.Fatalf("Akismet got %d submit-ham and %d submit-spam, want 1 and 0", len(ham), len(fake.sent("submit-spam")))
	}
	want := map[string]string{"api_key": "k", "blog": "https://margin.example", "user_ip": "127.0.0.1",
		"user_agent": "Go-http-client/1.1", "permalink": fmt.Sprintf("https://margin.example/documents/%d", doc),
		"comment_type": "comment", "comment_author": "misjudged", "comment_content": body,
		"comment_date_gmt": posted.UTC().Format(time.RFC3339), "user_role": "reader", "blog_lang": "en", "blog_charset": "UTF-8"}
	for k, v := range want {
		if got := ham[0].Get(k); got != v {
			t.Errorf("submit-ham %s = %q, want %q", k, got, v)
		}
	}
	scr, err := models.ScreeningOf(ts.db, &models.Annotation{ID: id})
	if err != nil {
		t.Fatal(err)
	}
	if scr.Akismet != "ham" {
		t.Errorf("the screening records Akismet's view as %q, want ham", scr.Akismet)
	}
}
