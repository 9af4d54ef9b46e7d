package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"margin/models"
)

// TestBrowserModerationKeyboard works the pending queue with the keyboard
// alone in Chromium (j/k to move, a/s/r to act, each a real form POST),
// and checks the moderation pages with axe-core in both themes.
func TestBrowserModerationKeyboard(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	doc := ts.articleID()
	var ids []uint
	for i, body := range []string{"A first note to approve.", "Buy cheap followers at my shop.", "An off-topic rant about football."} {
		c, _ := ts.loggedIn(fmt.Sprintf("newcomer%d", i), models.RoleReader)
		id, res := c.compose(doc, 1+i, url.Values{"body": {body}})
		if id == 0 || ts.status(id) != models.StatusPending {
			t.Fatalf("note %d: %d %s", i, res.status, res.body)
		}
		ids = append(ids, id)
	}
	ts.createUser("keyboardmod", models.RoleModerator)
	ctx := newBrowser(t)
	browserLogin(t, ctx, ts.URL, "keyboardmod", passwordOf("keyboardmod"))
	if nav := read(t, ctx, "read the navigation", chromedp.Text(chromedp.CSS(`.site-nav a[href="/moderation"]`))); !strings.Contains(nav, "3") {
		t.Errorf("navigation reads %q, want the count 3", nav)
	}
	navigateBy(t, ctx, "open the moderation queue", http.StatusOK, chromedp.Click(chromedp.CSS(`.site-nav a[href="/moderation"]`)))
	runAxe(t, ctx, "moderation queue")

	focused := func() string {
		return read(t, ctx, "read the focus", chromedp.Evaluate[string](`document.activeElement.id`))
	}
	press := func(key string) {
		t.Helper()
		step(t, ctx, "press "+key, chromedp.KeyEvent(key))
	}
	press("j")
	if got := focused(); got != fmt.Sprintf("item-%d", ids[0]) {
		t.Fatalf("after j the focus is on %q, want item-%d", got, ids[0])
	}
	press("j")
	press("k")
	if got := focused(); got != fmt.Sprintf("item-%d", ids[0]) {
		t.Fatalf("after j, j, k the focus is on %q, want item-%d", got, ids[0])
	}
	// Moving to a note claims it (a fetch with the CSRF header), so other
	// moderators see who has it open.
	claimed := false
	for i := 0; i < 50 && !claimed; i++ {
		claims, _ := models.ActiveClaims(ts.db, []uint{ids[0], ids[1]}, ts.now)
		claimed = len(claims) == 2 && claims[ids[0]].Moderator.Username == "keyboardmod"
		time.Sleep(20 * time.Millisecond)
	}
	if !claimed {
		t.Error("moving through the queue with j and k claimed nothing")
	}
	navigateBy(t, ctx, "approve with a", http.StatusOK, chromedp.KeyEvent("a"))
	if flash := read(t, ctx, "read the flash", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "approved") {
		t.Errorf("flash after a: %q", flash)
	}
	press("j") // the approved note is gone: the first note is now the shop
	navigateBy(t, ctx, "mark spam with s", http.StatusOK, chromedp.KeyEvent("s"))
	press("j")
	navigateBy(t, ctx, "reject with r", http.StatusOK, chromedp.KeyEvent("r"))
	want := []models.Status{models.StatusPublished, models.StatusSpam, models.StatusRejected}
	for i, id := range ids {
		if got := ts.status(id); got != want[i] {
			t.Errorf("note %d is %s, want %s", id, got, want[i])
		}
	}
	if empty := read(t, ctx, "read the empty queue", chromedp.Text(chromedp.CSS(".mod-empty"))); !strings.Contains(empty, "Nothing in pending") {
		t.Errorf("the emptied queue reads %q", empty)
	}
	runAxe(t, ctx, "empty queue with recent decisions")

	// The shop's note from the spam queue; then the log, the settings and a note's page.
	visit(t, ctx, ts.URL+"/moderation/spam", http.StatusOK)
	runAxe(t, ctx, "spam queue")
	visit(t, ctx, ts.URL+"/moderation/log", http.StatusOK)
	runAxe(t, ctx, "moderation log")
	visit(t, ctx, fmt.Sprintf("%s/moderation/items/%d", ts.URL, ids[1]), http.StatusOK)
	runAxe(t, ctx, "moderation item")
	visit(t, ctx, ts.URL+"/moderation/settings", http.StatusOK)
	runAxe(t, ctx, "moderation settings")
}

// TestBrowserFlagForm flags a note through its form and checks the form
// with axe-core.
func TestBrowserFlagForm(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	author, _ := ts.loggedIn("noteauthor", models.RoleReader)
	id, _ := author.annotate(doc, url.Values{"kind": {"comment"}, "body": {"A note to flag."}, "passage": {"1"}})
	ts.createUser("watchful", models.RoleReader)
	ctx := newBrowser(t)
	browserLogin(t, ctx, ts.URL, "watchful", passwordOf("watchful"))
	visit(t, ctx, fmt.Sprintf("%s/annotations/%d", ts.URL, id), http.StatusOK)
	navigateBy(t, ctx, "follow the flag link", http.StatusOK, chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/annotations/%d/flag"]`, id))))
	runAxe(t, ctx, "flag form")
	navigateBy(t, ctx, "flag without a reason", http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	runAxe(t, ctx, "flag form with errors")
	step(t, ctx, "choose off-topic", chromedp.Click(chromedp.CSS(`input[name=reason][value=off-topic]`)))
	navigateBy(t, ctx, "flag", http.StatusOK, chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	if flash := read(t, ctx, "read the flash", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "A moderator will look") {
		t.Errorf("flash after flagging: %q", flash)
	}
}

// TestBrowserQueueFitsTen: queue items are compact enough that ten short
// notes fit in a laptop's 1366×900 window, and j still moves through them.
func TestBrowserQueueFitsTen(t *testing.T) {
	ts := newTestServer(t)
	ts.strictScreening()
	doc := ts.articleID()
	for i := 0; i < 10; i++ {
		c, _ := ts.loggedIn(fmt.Sprintf("newcomer%d", i), models.RoleReader)
		if id, res := c.compose(doc, 4+i, url.Values{"body": {fmt.Sprintf("A short note, number %d, on this passage.", i)}}); id == 0 {
			t.Fatalf("note %d: %d %s", i, res.status, res.body)
		}
	}
	ts.createUser("keyboardmod", models.RoleModerator)
	ctx := newBrowser(t)
	step(t, ctx, "laptop window", chromedp.EmulateViewport(1366, 900))
	browserLogin(t, ctx, ts.URL, "keyboardmod", passwordOf("keyboardmod"))
	visit(t, ctx, ts.URL+"/moderation", http.StatusOK)
	span := read(t, ctx, "measure the items", chromedp.Evaluate[float64](
		`(() => { const items = document.querySelectorAll('.mod-item'); const first = items[0].getBoundingClientRect(), last = items[items.length-1].getBoundingClientRect(); return items.length === 10 ? last.bottom - first.top : -1; })()`))
	if span < 0 || span > 900 {
		t.Fatalf("ten queue items span %.0f px, more than a 900 px window", span)
	}
	for i := 0; i < 10; i++ {
		step(t, ctx, "press j", chromedp.KeyEvent("j"))
	}
	if got := read(t, ctx, "read the focus", chromedp.Evaluate[string](`document.activeElement.closest('.mod-item') === document.querySelectorAll('.mod-item')[9] ? 'last' : document.activeElement.id`)); got != "last" {
		t.Errorf("ten presses of j leave the focus on %q, not the tenth note", got)
	}
	runAxe(t, ctx, "compact queue")
}
