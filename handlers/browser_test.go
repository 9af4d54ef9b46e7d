package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"margin/models"
)

const sampleArticle = "The Short-lived NATO-Russia Honeymoon"

// TestBrowserReadingJourney walks a new reader through Margin in a real
// browser: sign up by keyboard (with one mistake first), log out, log in,
// open the sample article and follow a passage link. Every page on the way
// is checked with axe-core in both themes.
func TestBrowserReadingJourney(t *testing.T) {
	ts := newTestServer(t)
	ctx := newBrowser(t)
	const user, pass = "ada_reads", "margins are for thinking 42"

	visit(t, ctx, ts.URL+"/signup", http.StatusOK)
	runAxe(t, ctx, "sign-up")
	typeInto(t, ctx, "#f-username", user)
	typeInto(t, ctx, "#f-email", "ada@example.org")
	typeInto(t, ctx, "#f-password", pass)
	// Enter in the last field submits the form, as it does for a keyboard user.
	navigateBy(t, ctx, "sign up with differing passwords", http.StatusUnprocessableEntity,
		chromedp.SendKeys(chromedp.CSS("#f-password_confirm"), "margins are for typos 43\n"))
	mustContain(t, read(t, ctx, "read the form errors", chromedp.Text(chromedp.CSS("main"))), "The two passwords differ.")
	runAxe(t, ctx, "sign-up with errors")
	if got := read(t, ctx, "read the kept username", chromedp.Value(chromedp.CSS("#f-username"))); got != user {
		t.Errorf("after a failed sign-up the username field holds %q, want %q kept", got, user)
	}
	typeInto(t, ctx, "#f-password", pass)
	navigateBy(t, ctx, "sign up", http.StatusOK, chromedp.SendKeys(chromedp.CSS("#f-password_confirm"), pass+"\n"))
	if got := pageURL(t, ctx); got != ts.URL+"/" {
		t.Errorf("after signing up the browser is at %s, want the library", got)
	}
	if flash := read(t, ctx, "read the welcome", chromedp.Text(chromedp.CSS(".flash"))); !strings.HasPrefix(flash, "Welcome to Margin, "+user+". ") ||
		!strings.Contains(flash, "the link to confirm ada@example.org") {
		t.Errorf("welcome flash = %q", flash)
	}
	runAxe(t, ctx, "library")

	navigateBy(t, ctx, "log out", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	if flash := read(t, ctx, "read the goodbye", chromedp.Text(chromedp.CSS(".flash"))); flash != "You are logged out." {
		t.Errorf("logout flash = %q", flash)
	}
	if nav := read(t, ctx, "read the navigation", chromedp.Text(chromedp.CSS(".site-nav"))); strings.Contains(nav, user) {
		t.Errorf("after logging out the navigation still names the user: %q", nav)
	}

	visit(t, ctx, ts.URL+"/login", http.StatusOK)
	runAxe(t, ctx, "login")
	browserLogin(t, ctx, ts.URL, user, pass)
	navigateBy(t, ctx, "open the account page", http.StatusOK, chromedp.Click(chromedp.CSS(`.site-nav a[href="/account"]`)))
	runAxe(t, ctx, "account")

	visit(t, ctx, ts.URL+"/", http.StatusOK)
	openSampleArticle(t, ctx)
	runAxe(t, ctx, "document")

	followPassageLink(t, ctx, 2)
	// app.js moves the focus to the passage so keyboard users land there. It
	// does so on hashchange, which fires after the click returns: wait for it.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.activeElement.id === 'p-2'`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		id, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
		t.Errorf("after following the passage link the focus is on %q, want p-2 (%v)", id, err)
	}
	if shadow := read(t, ctx, "read the highlight", chromedp.Evaluate[string](`getComputedStyle(document.getElementById('p-2')).boxShadow`)); shadow == "none" {
		t.Error("the targeted passage is not highlighted")
	}
	runAxe(t, ctx, "document with a passage targeted")
}

// TestBrowserWithoutJavaScript checks that Margin needs no JavaScript: a
// visitor with scripts off logs in, reads and links to a passage.
func TestBrowserWithoutJavaScript(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser("noscript", models.RoleReader)
	tab := newTab(t, newBrowser(t), "no-js")
	disableJavaScript(t, tab)

	browserLogin(t, tab, ts.URL, "noscript", passwordOf("noscript"))
	openSampleArticle(t, tab)
	followPassageLink(t, tab, 1)
	// With scripts on, app.js would have made the passage focusable.
	if attrs := read(t, tab, "read the passage", chromedp.Attributes(chromedp.CSS("#p-1"))); attrs["tabindex"] != "" {
		t.Errorf("passage has tabindex %q: JavaScript ran although it is off", attrs["tabindex"])
	}
	navigateBy(t, tab, "log out", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	if flash := read(t, tab, "read the goodbye", chromedp.Text(chromedp.CSS(".flash"))); flash != "You are logged out." {
		t.Errorf("logout flash = %q", flash)
	}
}

// TestBrowserEducatorImport checks the import page with axe-core, empty and
// with errors, imports pasted text through it and checks the details form.
func TestBrowserEducatorImport(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser("teacher", models.RoleEducator)
	ctx := newBrowser(t)
	browserLogin(t, ctx, ts.URL, "teacher", passwordOf("teacher"))

	navigateBy(t, ctx, "open the import page", http.StatusOK, chromedp.Click(chromedp.CSS(`.site-nav a[href="/documents/new"]`)))
	runAxe(t, ctx, "import")
	navigateBy(t, ctx, "import nothing", http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	runAxe(t, ctx, "import with errors")

	typeInto(t, ctx, "#f-content", "A Pasted Reading\n\nThe first paragraph.\n\nThe second paragraph.")
	typeInto(t, ctx, "#f-title", "Pasted in a browser")
	navigateBy(t, ctx, "import pasted text", http.StatusOK, chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	if flash := read(t, ctx, "read the flash", chromedp.Text(chromedp.CSS(".flash"))); flash != "Imported “Pasted in a browser”." {
		t.Errorf("import flash = %q", flash)
	}
	if !strings.Contains(pageURL(t, ctx), "/documents/") {
		t.Errorf("after importing the browser is at %s, want the new document", pageURL(t, ctx))
	}
	mustContain(t, read(t, ctx, "read the document", chromedp.Text(chromedp.CSS(".passages"))), "The first paragraph.", "The second paragraph.")
	navigateBy(t, ctx, "open the details form", http.StatusOK, chromedp.Click(chromedp.Search(`//a[normalize-space()="Edit details"]`)))
	runAxe(t, ctx, "document details")
}

// openSampleArticle clicks the sample article's title in the library.
func openSampleArticle(t *testing.T, ctx context.Context) {
	t.Helper()
	navigateBy(t, ctx, "open the sample article", http.StatusOK,
		chromedp.Click(chromedp.Search(`//a[normalize-space()="`+sampleArticle+`"]`)))
	if h1 := read(t, ctx, "read the title", chromedp.Text(chromedp.CSS("h1"))); h1 != sampleArticle {
		t.Fatalf("the article's heading is %q, want %q", h1, sampleArticle)
	}
}

// followPassageLink clicks passage n's number and checks that the address
// and the :target passage follow.
func followPassageLink(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	id := "p-" + strconv.Itoa(n)
	link := `a.passage__num[href="#` + id + `"]`
	if text := read(t, ctx, "read the passage number", chromedp.Text(chromedp.CSS(link))); text != strconv.Itoa(n) {
		t.Fatalf("passage link reads %q, want %d", text, n)
	}
	step(t, ctx, "follow the link to passage "+strconv.Itoa(n), chromedp.Click(chromedp.CSS(link)))
	if u := pageURL(t, ctx); !strings.HasSuffix(u, "#"+id) {
		t.Errorf("after following the passage link the address is %s, want #%s", u, id)
	}
	// DOM.querySelector, not page script: this works with JavaScript off too.
	target := read(t, ctx, "find the :target passage", chromedp.Attributes(chromedp.CSS(":target")))
	if target["id"] != id {
		t.Errorf(":target is %v, want the passage %s", target, id)
	}
}
