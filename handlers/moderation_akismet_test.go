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

	fake.failing(true)
	ban("troll2", "A note waiting when Akismet is down.")
	if n := len(fake.sent("submit-spam")); n != len(bodies)+1 {
		t.Errorf("Akismet was asked %d times in all, want %d", n, len(bodies)+1)
	}
}
