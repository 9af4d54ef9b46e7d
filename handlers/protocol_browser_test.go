package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"margin/models"
)

// toolPage is another site's page that uses Margin's Protocol with fetch:
// it reads the container with a Prefer header, then posts, edits and
// deletes an annotation with a token, and writes what happened into #out.
const toolPage = `<!doctype html><html><head><title>tool</title></head><body><pre id="out"></pre><script>
(async () => {
  const out = {};
  const base = %[1]q + "/documents/%[2]d/annotations/";
  const auth = {"Authorization": "Bearer %[3]s"};
  try {
    let r = await fetch(base, {headers: {"Prefer": 'return=representation;include="http://www.w3.org/ns/oa#PreferContainedIRIs"'}});
    out.read = r.status;
    out.etag = r.headers.get("ETag") !== null;
    out.link = r.headers.get("Link");
    out.applied = r.headers.get("Preference-Applied");
    out.total = (await r.json()).total;
  } catch (e) { out.read = "blocked: " + e; }
  try {
    const body = {"@context": "http://www.w3.org/ns/anno.jsonld", type: "Annotation",
      body: {type: "TextualBody", value: "Written on another site."},
      target: {source: %[1]q + "/documents/%[2]d", selector: {type: "TextQuoteSelector", exact: "Manfred Woerner"}}};
    let r = await fetch(base, {method: "POST", headers: {...auth, "Content-Type": "application/ld+json"}, body: JSON.stringify(body)});
    out.post = r.status;
    const loc = r.headers.get("Location"), etag = r.headers.get("ETag");
    const made = await r.json();
    made.body = {type: "TextualBody", value: "Edited on another site."};
    r = await fetch(loc, {method: "PUT", headers: {...auth, "Content-Type": "application/ld+json", "If-Match": etag}, body: JSON.stringify(made)});
    out.put = r.status;
    out.edited = (await r.json()).body[0].items[0].value;
    r = await fetch(loc, {method: "DELETE", headers: auth});
    out.delete = r.status;
  } catch (e) { out.post = "blocked: " + e; }
  document.getElementById("out").textContent = JSON.stringify(out);
  document.getElementById("out").dataset.done = "1";
})();
</script></body></html>`

func TestBrowserUsesTheProtocolFromAnotherOrigin(t *testing.T) {
	ts := newTestServer(t)
	ctx := newBrowser(t)
	u := ts.createUser("toolmaker", models.RoleReader)
	secret, _, err := models.CreateAPIToken(ts.db, u, models.NewToken{Name: "tool", Scope: models.ScopeWrite}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	doc := ts.articleID()
	serve := func() *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, toolPage, ts.URL, doc, secret)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	allowed, stranger := serve(), serve()
	ts.app.cfg.CORSOrigins = []string{allowed.URL}

	run := func(site string) map[string]any {
		t.Helper()
		visit(t, ctx, site, http.StatusOK)
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("out").dataset.done === "1"`)); err != nil {
			t.Fatalf("%s: the page's script did not finish: %v", site, err)
		}
		text := read(t, ctx, "read the results", chromedp.Text(chromedp.CSS("#out")))
		var out map[string]any
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			t.Fatalf("%s: %v\n%s", site, err, text)
		}
		return out
	}

	got := run(allowed.URL)
	if got["read"] != 200.0 || got["etag"] != true || !strings.Contains(fmt.Sprint(got["link"]), "BasicContainer") ||
		got["applied"] != "return=representation" {
		t.Errorf("read from the allowed origin: %v", got)
	}
	if got["post"] != 201.0 || got["put"] != 200.0 || got["edited"] != "Edited on another site." || got["delete"] != 204.0 {
		t.Errorf("writes from the allowed origin: %v", got)
	}

	// Another origin reads public annotations, and cannot write.
	got = run(stranger.URL)
	if got["read"] != 200.0 || got["etag"] != true {
		t.Errorf("read from another origin: %v", got)
	}
	if post, _ := got["post"].(string); !strings.HasPrefix(post, "blocked") {
		t.Errorf("write from an origin no admin allowed: %v", got)
	}
	var n int64
	ts.db.Model(&models.Annotation{}).Where("author_id = ?", u.ID).Count(&n)
	if n != 1 {
		t.Errorf("%d notes by the tool's user, want the one deleted", n)
	}
}

// The token pages in a browser: the secret is shown once after creating
// it, and both pages pass axe-core.
func TestBrowserTokenPages(t *testing.T) {
	ts := newTestServer(t)
	ctx := newBrowser(t)
	ts.createUser("keyholder", models.RoleAdmin)
	browserLogin(t, ctx, ts.URL, "keyholder", passwordOf("keyholder"))
	visit(t, ctx, ts.URL+"/account", http.StatusOK)
	typeInto(t, ctx, "#f-name", "reading-group script")
	step(t, ctx, "choose read and write", chromedp.Click(chromedp.CSS(`input[name=scope][value=write]`)))
	navigateBy(t, ctx, "create the token", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/account/tokens"] button`)))
	secret := read(t, ctx, "read the secret", chromedp.Text(chromedp.CSS(".token-secret")))
	if !strings.HasPrefix(secret, "margin_") {
		t.Fatalf("secret %q", secret)
	}
	runAxe(t, ctx, "account with a new token")
	visit(t, ctx, ts.URL+"/account", http.StatusOK)
	if body := read(t, ctx, "read the account page", chromedp.Text(chromedp.CSS("main"))); strings.Contains(body, secret) || !strings.Contains(body, "read and write") {
		t.Errorf("account page after the token was made: %s", body)
	}
	visit(t, ctx, ts.URL+"/admin/tokens", http.StatusOK)
	runAxe(t, ctx, "admin token list")
}
