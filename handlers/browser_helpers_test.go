package handlers

// Helpers for tests that drive a real Chromium through chromedp. A test gets
// a headless browser with newBrowser (and more private tabs with newTab),
// logs in with browserLogin, moves through pages with visit, typeInto and
// navigateBy, runs other actions with step and read, and checks accessibility
// with runAxe. When it fails, each tab's screenshot and HTML are kept.

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

const (
	// browserTestTimeout bounds a whole browser test, so a hung Chromium
	// fails the test instead of the package's 10-minute timeout.
	browserTestTimeout = 2 * time.Minute
	// browserStepTimeout bounds one step (a navigation, a wait, an axe run).
	browserStepTimeout = 15 * time.Second
)

// chromiumPath finds the browser. Without one the test is skipped, except
// under CI=true, where a missing browser is a broken CI image.
func chromiumPath(t testing.TB) string {
	t.Helper()
	candidates := []string{os.Getenv("MARGIN_CHROMIUM"), "/usr/bin/chromium"}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, p)
		}
	}
	for _, p := range candidates {
		if fi, err := os.Stat(p); p != "" && err == nil && !fi.IsDir() {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but Chromium is not installed: .ci/run must install it")
	}
	t.Skip("chromium not installed: browser tests skipped")
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile for this test
// and returns the context of its first tab. The browser closes when the test
// ends; if the test failed, a screenshot and the HTML of the tab are saved
// first (see watchForFailure).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	testCtx, cancelTest := context.WithTimeout(context.Background(), browserTestTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(testCtx, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit, before TempDir removes its profile
		cancelTest()
	})
	// The first Do starts the browser; the browser lives as long as ctx.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	watchForFailure(t, ctx, "tab")
	return ctx
}

// newTab opens a tab in a browser context of its own (separate cookies, like
// a private window) in the browser that ctx belongs to.
func newTab(t *testing.T, ctx context.Context, label string) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open tab %s: %v", label, err)
	}
	watchForFailure(t, tab, label)
	return tab
}

// disableJavaScript turns script execution off in the tab, as for a visitor
// who has JavaScript turned off; it holds for later navigations too.
func disableJavaScript(t *testing.T, ctx context.Context) {
	t.Helper()
	step(t, ctx, "disable JavaScript", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
}

// watchForFailure saves a screenshot and the HTML of the tab if the test
// fails; see artifactDir for where.
func watchForFailure(t *testing.T, ctx context.Context, label string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		url, err := chromedp.Run(sctx, chromedp.Location())
		if err != nil || url == "about:blank" {
			return // a tab the test never used, or one already gone
		}
		dir, err := artifactDir(t)
		if err != nil {
			t.Logf("%s was at %s; no screenshot: %v", label, url, err)
			return
		}
		base := filepath.Join(dir, safeFileName(t.Name())+"-"+label)
		png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(base+".png", png, 0o644)
		}
		if err != nil {
			t.Logf("%s was at %s; no screenshot: %v", label, url, err)
			return
		}
		if html, err := chromedp.Run(sctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
			os.WriteFile(base+".html", []byte(html), 0o644)
		}
		t.Logf("%s was at %s; screenshot and HTML saved as %s.{png,html}", label, url, base)
	})
}

var artifactDirs sync.Map // *testing.T → string

// artifactDir is where a failed test's screenshots go: $MARGIN_BROWSER_ARTIFACTS
// when set, else one new directory per test under the system temp directory.
// Not t.TempDir(), which is deleted when the test ends, taking the evidence.
func artifactDir(t *testing.T) (string, error) {
	if dir, ok := artifactDirs.Load(t); ok {
		return dir.(string), nil
	}
	dir := os.Getenv("MARGIN_BROWSER_ARTIFACTS")
	var err error
	if dir == "" {
		dir, err = os.MkdirTemp("", "margin-browser-")
	} else {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return "", err
	}
	artifactDirs.Store(t, dir)
	return dir, nil
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeFileName(s string) string { return unsafeFileChars.ReplaceAllString(s, "_") }

// step runs browser actions with a per-step timeout and fails the test,
// naming the step, if they do not succeed.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// read runs one browser action that returns a value, as step does.
func read[T any](t *testing.T, ctx context.Context, what string, action chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// visit loads a URL and checks the status of the page.
func visit(t *testing.T, ctx context.Context, url string, wantStatus int) {
	t.Helper()
	res := read(t, ctx, "open "+url, chromedp.NavigateResponse(url))
	if int(res.Status) != wantStatus {
		t.Fatalf("open %s: status %d, want %d", url, res.Status, wantStatus)
	}
}

// navigateBy runs an action that leaves the page (a click on a submit button
// or a link, Enter in a form field), waits for the next page and checks its
// status; a redirect is followed, so this is the status of where it ends.
func navigateBy(t *testing.T, ctx context.Context, what string, wantStatus int, action chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(sctx, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if int(res.Status) != wantStatus {
		alert, _ := chromedp.Run(sctx, chromedp.Evaluate[string](`(document.querySelector('.alert, .field-error') || {}).textContent || ''`))
		t.Fatalf("%s: %s answered %d, want %d %s", what, res.URL, res.Status, wantStatus, strings.TrimSpace(alert))
	}
}

// typeInto focuses a field and types text into it, key by key.
func typeInto(t *testing.T, ctx context.Context, selector, text string) {
	t.Helper()
	step(t, ctx, "type into "+selector, chromedp.SendKeys(chromedp.CSS(selector), text))
}

// browserLogin logs in through the login form, typing like a person, and
// checks that the page afterwards shows the user as logged in. It works with
// JavaScript on or off.
func browserLogin(t *testing.T, ctx context.Context, baseURL, user, pass string) {
	t.Helper()
	visit(t, ctx, baseURL+"/login", http.StatusOK)
	typeInto(t, ctx, "#f-username", user)
	typeInto(t, ctx, "#f-password", pass)
	navigateBy(t, ctx, "log in as "+user, http.StatusOK, chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	if nav := read(t, ctx, "read the navigation", chromedp.Text(chromedp.CSS(".site-nav"))); !strings.Contains(nav, user) || !strings.Contains(nav, "Log out") {
		t.Fatalf("after logging in as %s the navigation reads %q", user, nav)
	}
}

// pageURL is where the tab is.
func pageURL(t *testing.T, ctx context.Context) string {
	t.Helper()
	return read(t, ctx, "read the location", chromedp.Location())
}

// setColorScheme emulates prefers-color-scheme, and checks that the page's
// media queries see it, so a theme test cannot pass by testing the other theme.
func setColorScheme(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	step(t, ctx, "emulate prefers-color-scheme: "+scheme, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	}))
	query := fmt.Sprintf(`matchMedia('(prefers-color-scheme: %s)').matches`, scheme)
	if !read(t, ctx, "check the color scheme", chromedp.Evaluate[bool](query)) {
		t.Fatalf("emulated prefers-color-scheme: %s, but the page does not match it", scheme)
	}
}

//go:embed testdata/axe-4.14.1.min.js
var axeSource string

// axeViolation is the part of an axe-core result a failure message needs.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  []string `json:"target"`
		Summary string   `json:"summary"`
	} `json:"nodes"`
}

// axeRun injects axe-core if the page does not have it yet, runs every rule on
// the document and returns the violations.
const axeRun = `(async () => {
	const r = await axe.run(document, {resultTypes: ['violations']});
	return JSON.stringify(r.violations.map(v => ({
		id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({target: n.target.map(String), summary: n.failureSummary || ''})),
	})));
})()`

func axeViolations(t *testing.T, ctx context.Context) []axeViolation {
	t.Helper()
	if !read(t, ctx, "look for axe", chromedp.Evaluate[bool](`typeof axe === 'object'`)) {
		step(t, ctx, "inject axe-core", chromedp.Evaluate[chromedp.Void](axeSource))
	}
	out := read(t, ctx, "run axe-core", chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("axe result: %v", err)
	}
	return vs
}

// runAxe checks the page in the tab with axe-core, in the light and the dark
// theme, and fails the test with every serious or critical violation. Lesser
// ones are logged. The tab is left in the light theme.
func runAxe(t *testing.T, ctx context.Context, pageName string) {
	t.Helper()
	for _, scheme := range []string{"dark", "light"} {
		setColorScheme(t, ctx, scheme)
		for _, v := range axeViolations(t, ctx) {
			var where strings.Builder
			for _, n := range v.Nodes {
				fmt.Fprintf(&where, "\n\t\t%s", strings.Join(n.Target, " "))
				if n.Summary != "" {
					fmt.Fprintf(&where, ": %s", strings.ReplaceAll(n.Summary, "\n", " "))
				}
			}
			msg := fmt.Sprintf("axe on %s page (%s theme): %s [%s] %s (%s)%s", pageName, scheme, v.ID, v.Impact, v.Help, v.HelpURL, where.String())
			switch v.Impact {
			case "serious", "critical":
				t.Error(msg)
			default:
				t.Log(msg)
			}
		}
	}
}
