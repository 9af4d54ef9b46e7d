package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"margin/models"
)

// TestBrowserDeleteAsksFirst: with JavaScript the browser's own dialog asks
// and its yes deletes at once; without, the server's page asks.
func TestBrowserDeleteAsksFirst(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	alice, _ := ts.loggedIn("alicia", models.RoleReader)
	first, _ := alice.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"5"}, "body": {"Deleted with a script."}})
	second, _ := alice.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"6"}, "body": {"Deleted without one."}})
	deleted := func(id uint) bool {
		a, err := models.AnnotationByID(ts.db, id)
		return err == nil && a.IsDeleted()
	}
	ctx := newBrowser(t)
	browserLogin(t, ctx, ts.URL, "alicia", passwordOf("alicia"))
	visit(t, ctx, fmt.Sprintf("%s/annotations/%d", ts.URL, first), http.StatusOK)
	// The reader says yes to the browser's question (and it was asked).
	read(t, ctx, "answer yes", chromedp.Evaluate[bool](`window.asked = ""; window.confirm = (m) => { window.asked = m; return true; }; true`))
	step(t, ctx, "delete with the dialog", chromedp.Click(chromedp.CSS(`form[action$="/delete"] button`)))
	for i := 0; i < 50 && !deleted(first); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if !deleted(first) {
		t.Error("accepting the browser's question did not delete")
	}

	nojs := newTab(t, ctx, "no script")
	disableJavaScript(t, nojs)
	browserLogin(t, nojs, ts.URL, "alicia", passwordOf("alicia"))
	visit(t, nojs, fmt.Sprintf("%s/annotations/%d", ts.URL, second), http.StatusOK)
	navigateBy(t, nojs, "delete without a script", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action$="/delete"] button`)))
	if deleted(second) {
		t.Fatal("deleted without asking")
	}
	if h := read(t, nojs, "read the question", chromedp.Text(chromedp.CSS("main h1"))); h != "Delete this annotation?" {
		t.Errorf("the page asks %q", h)
	}
	navigateBy(t, nojs, "confirm", http.StatusOK, chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	if !deleted(second) {
		t.Error("confirming on the page did not delete")
	}
}
