package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"margin/models"
	"margin/models/w3c/w3ctest"
)

func decodeJSON(t *testing.T, res response) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(res.body), &m); err != nil {
		t.Fatalf("%d: not JSON: %v\n%s", res.status, err, res.body)
	}
	return m
}

func header(res response, name string) string { return strings.Join(res.header.Values(name), ", ") }

// The Protocol's requirements on containers (W3C annotation-protocol,
// server tests): headers, Prefer, paging, HEAD and OPTIONS.
func TestProtocolContainer(t *testing.T) {
	suite := w3ctest.Load(t, w3cAssertions)
	ts := newTestServer(t)
	doc := ts.articleID()
	c, _ := ts.loggedIn("poster", models.RoleReader)
	for i := 0; i < 3; i++ {
		c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {fmt.Sprint(i + 1)}, "body": {fmt.Sprintf("Note %d.", i)}})
	}
	cont := fmt.Sprintf("/documents/%d/annotations/", doc)
	full := ts.URL + cont

	res := ts.bearer("GET", cont, "", "")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "application/ld+json") {
		t.Fatalf("GET container: %d %s", res.status, res.header.Get("Content-Type"))
	}
	suite.Check(t, []byte(res.body))
	for name, want := range map[string]*regexp.Regexp{
		"Allow":            regexp.MustCompile(`GET.*HEAD.*OPTIONS.*POST`),
		"Link":             regexp.MustCompile(`<http://www.w3.org/ns/ldp#BasicContainer>; *rel="type".*<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"`),
		"Accept-Post":      regexp.MustCompile(`application/ld\+json; profile="http://www.w3.org/ns/anno.jsonld"`),
		"Vary":             regexp.MustCompile(`Accept.*Prefer`),
		"ETag":             regexp.MustCompile(`^".+"$`),
		"Content-Location": regexp.MustCompile("^" + regexp.QuoteMeta(full) + "$"),
	} {
		if !want.MatchString(header(res, name)) {
			t.Errorf("%s: %q", name, header(res, name))
		}
	}
	body := decodeJSON(t, res)
	if body["id"] != full || body["total"] != 3.0 {
		t.Errorf("container %v %v", body["id"], body["total"])
	}
	first := body["first"].(map[string]any)
	if items := first["items"].([]any); len(items) != 3 || items[0].(map[string]any)["@context"] == nil {
		t.Errorf("descriptions by default: %v", first["items"])
	}
	if res.header.Get("Preference-Applied") != "" {
		t.Error("Preference-Applied without Prefer")
	}

	// Conditional GET.
	req, _ := http.NewRequest("GET", ts.URL+cont, nil)
	req.Header.Set("If-None-Match", res.header.Get("ETag"))
	if again := ts.client().do(req); again.status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", again.status)
	}

	prefer := func(include string) response {
		return ts.bearer("GET", cont, "", "", "Prefer", `return=representation;include="`+include+`"`)
	}
	minimal := prefer("http://www.w3.org/ns/ldp#PreferMinimalContainer")
	mb := decodeJSON(t, minimal)
	if mb["first"] != full+"?page=0" || mb["last"] != full+"?page=0" || mb["items"] != nil || mb["total"] != 3.0 ||
		minimal.header.Get("Preference-Applied") != "return=representation" || minimal.header.Get("Prefer") != "" {
		t.Errorf("minimal container: %s %v", minimal.body, minimal.header)
	}
	irisRes := prefer("http://www.w3.org/ns/oa#PreferContainedIRIs")
	ib := decodeJSON(t, irisRes)
	items := ib["first"].(map[string]any)["items"].([]any)
	if ib["id"] != full+"?iris=1" || irisRes.header.Get("Content-Location") != full+"?iris=1" || len(items) != 3 || !strings.HasPrefix(items[0].(string), full) {
		t.Errorf("contained IRIs: %s", irisRes.body)
	}
	suite.Check(t, []byte(irisRes.body))
	if desc := decodeJSON(t, prefer("http://www.w3.org/ns/oa#PreferContainedDescriptions")); desc["id"] != full {
		t.Errorf("descriptions: %v", desc["id"])
	}

	// The pages, on their own.
	page := ts.bearer("GET", cont+"?page=0", "", "")
	suite.Check(t, []byte(page.body))
	pb := decodeJSON(t, page)
	if pb["partOf"].(map[string]any)["id"] != full || pb["type"] != "AnnotationPage" {
		t.Errorf("page: %s", page.body)
	}
	if res := ts.bearer("GET", cont+"?page=1", "", ""); res.status != http.StatusNotFound || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
		t.Errorf("past the last page: %d %s", res.status, res.header.Get("Content-Type"))
	}

	// HEAD and OPTIONS answer 200 with the headers.
	for _, m := range []string{"HEAD", "OPTIONS"} {
		res := ts.bearer(m, cont, "", "")
		if res.status != http.StatusOK || !strings.Contains(header(res, "Allow"), "POST") || res.body != "" {
			t.Errorf("%s: %d %v %q", m, res.status, res.header, res.body)
		}
	}
	// The slash is kept; without it the address leads to the container.
	if res := ts.bearer("GET", strings.TrimSuffix(cont, "/"), "", ""); res.status != http.StatusMovedPermanently || res.header.Get("Location") != cont {
		t.Errorf("no slash: %d %s", res.status, res.header.Get("Location"))
	}
	// A browser asking for HTML is sent to the reading view.
	if res := c.get(cont); res.status != http.StatusSeeOther {
		t.Errorf("browser: %d", res.status)
	}
	// Unknown documents and methods answer in JSON.
	for _, r := range [][2]string{{"GET", "/documents/999/annotations/"}, {"PATCH", cont}, {"DELETE", cont}} {
		res := ts.bearer(r[0], r[1], "", "")
		if res.status < 400 || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: %d %s", r[0], r[1], res.status, res.header.Get("Content-Type"))
		}
	}
}

const sampleAnnotation = `{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
 "body": {"type": "TextualBody", "value": "I like this page!"},
 "target": "http://www.example.com/index.html", "canonical": "urn:uuid:6b2e1b2a-9c1f-4a52-9e3a-0c8c1f0b7f11"}`

func TestProtocolWrites(t *testing.T) {
	suite := w3ctest.Load(t, w3cAssertions)
	ts := newTestServer(t)
	doc := ts.articleID()
	owner, _ := ts.loggedIn("writer", models.RoleReader)
	token := owner.newToken("tool", models.ScopeWrite, "30")
	reader := owner.newToken("reader", models.ScopeRead, "30")
	cont := fmt.Sprintf("/documents/%d/annotations/", doc)
	ld := []string{"Content-Type", "application/ld+json"}

	// Without a token, or with a read-only one, nothing is written.
	if res := ts.bearer("POST", cont, "", sampleAnnotation, ld...); res.status != http.StatusForbidden && res.status != http.StatusUnauthorized {
		t.Errorf("anonymous POST: %d", res.status)
	}
	if res := ts.bearer("POST", cont, reader, sampleAnnotation, ld...); res.status != http.StatusForbidden {
		t.Errorf("read-only token POST: %d", res.status)
	}
	if res := ts.bearer("POST", cont, token, sampleAnnotation, "Content-Type", "text/plain"); res.status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain POST: %d", res.status)
	}

	// An annotation on another page: kept, canonical and target as sent.
	res := ts.bearer("POST", cont, token, sampleAnnotation, ld...)
	if res.status != http.StatusCreated {
		t.Fatalf("POST: %d %s", res.status, res.body)
	}
	created := decodeJSON(t, res)
	id, _ := created["id"].(string)
	if !strings.HasPrefix(id, ts.URL+cont) || res.header.Get("Location") != id || res.header.Get("ETag") == "" ||
		created["canonical"] != "urn:uuid:6b2e1b2a-9c1f-4a52-9e3a-0c8c1f0b7f11" || created["target"] != "http://www.example.com/index.html" {
		t.Fatalf("created: %v %s", res.header, res.body)
	}
	suite.Check(t, []byte(res.body))
	path := strings.TrimPrefix(id, ts.URL)

	// Reading it back: the Protocol's headers on an annotation.
	got := ts.bearer("GET", path, "", "")
	if got.status != http.StatusOK || !strings.Contains(header(got, "Link"), `<http://www.w3.org/ns/ldp#Resource>; rel="type"`) ||
		!strings.Contains(header(got, "Allow"), "PUT") || !strings.Contains(header(got, "Vary"), "Accept") || got.header.Get("ETag") != res.header.Get("ETag") {
		t.Errorf("GET annotation: %d %v", got.status, got.header)
	}
	for _, m := range []string{"HEAD", "OPTIONS"} {
		if r := ts.bearer(m, path, "", ""); r.status != http.StatusOK || r.header.Get("Allow") == "" {
			t.Errorf("%s annotation: %d", m, r.status)
		}
	}

	// PUT needs the current ETag.
	created["target"] = "http://other.example/"
	updated, _ := json.Marshal(created)
	if r := ts.bearer("PUT", path, token, string(updated), ld...); r.status != http.StatusPreconditionRequired {
		t.Errorf("PUT without If-Match: %d", r.status)
	}
	if r := ts.bearer("PUT", path, token, string(updated), "Content-Type", "application/ld+json", "If-Match", `"stale"`); r.status != http.StatusPreconditionFailed {
		t.Errorf("PUT with a stale ETag: %d", r.status)
	}
	put := ts.bearer("PUT", path, token, string(updated), "Content-Type", "application/ld+json", "If-Match", res.header.Get("ETag"))
	if put.status != http.StatusOK || decodeJSON(t, put)["target"] != "http://other.example/" || put.header.Get("ETag") == res.header.Get("ETag") {
		t.Fatalf("PUT: %d %s", put.status, put.body)
	}
	// Someone else's token cannot change or delete it.
	other, _ := ts.loggedIn("other", models.RoleReader)
	otherToken := other.newToken("t", models.ScopeWrite, "7")
	if r := ts.bearer("DELETE", path, otherToken, ""); r.status != http.StatusForbidden {
		t.Errorf("someone else's DELETE: %d", r.status)
	}
	if r := ts.bearer("DELETE", path, token, "", "If-Match", res.header.Get("ETag")); r.status != http.StatusPreconditionFailed {
		t.Errorf("DELETE with a stale ETag: %d", r.status)
	}
	if r := ts.bearer("DELETE", path, token, ""); r.status != http.StatusNoContent {
		t.Errorf("DELETE: %d %s", r.status, r.body)
	}
	if r := ts.bearer("GET", path, "", ""); r.status != http.StatusNotFound {
		t.Errorf("deleted: %d", r.status)
	}

	// On a phrase of the document: placed like a form's note, and a reply.
	onPhrase := fmt.Sprintf(`{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "motivation": "questioning",
	 "body": {"type": "TextualBody", "value": "Who *else*?", "format": "text/markdown"},
	 "target": {"source": "%s/documents/%d", "selector": {"type": "TextQuoteSelector", "exact": "Manfred Woerner"}}}`, ts.URL, doc)
	res = ts.bearer("POST", cont, token, onPhrase, ld...)
	if res.status != http.StatusCreated {
		t.Fatalf("POST on a phrase: %d %s", res.status, res.body)
	}
	var ann models.Annotation
	ts.db.Order("id DESC").First(&ann)
	if ann.Exact != "Manfred Woerner" || ann.PassageNumber == 0 || ann.Kind != models.KindQuestion || ann.Status != models.StatusPublished {
		t.Errorf("stored %+v", ann)
	}
	reply := fmt.Sprintf(`{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "motivation": "replying",
	 "body": {"type": "TextualBody", "value": "Nobody else."}, "target": "%s"}`, decodeJSON(t, res)["id"])
	if r := ts.bearer("POST", cont, otherToken, reply, ld...); r.status != http.StatusCreated || decodeJSON(t, r)["motivation"] != "replying" {
		t.Errorf("reply: %d %s", r.status, r.body)
	}
	// The form's page shows the note the token wrote.
	mustContain(t, ts.client().get(fmt.Sprintf("/documents/%d", doc)).body, "Who <em>else</em>?")

	// A body the model refuses is a 422 in JSON.
	empty := `{"type": "Annotation", "target": "http://example.com/", "body": {"type": "TextualBody", "value": "   "}}`
	if r := ts.bearer("POST", cont, token, empty, ld...); r.status != http.StatusUnprocessableEntity || decodeJSON(t, r)["fields"] == nil {
		t.Errorf("empty body: %d %s", r.status, r.body)
	}
	if r := ts.bearer("POST", cont, token, `{"type": "Person"}`, ld...); r.status != http.StatusBadRequest {
		t.Errorf("not an annotation: %d", r.status)
	}
}

// Writes through a token meet the same screening and posting limits as the
// forms.
func TestProtocolWritesAreScreened(t *testing.T) {
	ts := newTestServer(t)
	ts.app.cfg.Screen.NewAccountHeld = 1
	ts.app.cfg.PostPerUser = 2
	doc := ts.articleID()
	c, _ := ts.loggedIn("newcomer", models.RoleReader)
	token := c.newToken("tool", models.ScopeWrite, "30")
	cont := fmt.Sprintf("/documents/%d/annotations/", doc)
	post := func(text string) response {
		return ts.bearer("POST", cont, token, `{"type": "Annotation", "target": "`+ts.URL+fmt.Sprintf("/documents/%d", doc)+`",
		 "body": {"type": "TextualBody", "value": "`+text+`"}}`, "Content-Type", "application/ld+json")
	}
	res := post("My first note through a script.")
	if res.status != http.StatusCreated {
		t.Fatalf("%d %s", res.status, res.body)
	}
	var ann models.Annotation
	ts.db.Order("id DESC").First(&ann)
	if ann.Status != models.StatusPending {
		t.Errorf("a new account's first note through a token: %s, want held", ann.Status)
	}
	var reasons string
	ts.db.Model(&models.Screening{}).Select("reasons").Where("annotation_id = ?", ann.ID).Scan(&reasons)
	if strings.Contains(reasons, "form") || reasons == "" {
		t.Errorf("reasons %q", reasons)
	}
	// Held: the author reads it back, nobody else does.
	path := strings.TrimPrefix(decodeJSON(t, res)["id"].(string), ts.URL)
	if r := ts.bearer("GET", path, token, ""); r.status != http.StatusOK {
		t.Errorf("author reads a held note: %d", r.status)
	}
	if r := ts.bearer("GET", path, "", ""); r.status != http.StatusNotFound {
		t.Errorf("visitor reads a held note: %d", r.status)
	}
	post("A second note.")
	if r := post("A third note, over the limit."); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("over the posting limit: %d", r.status)
	}
}

func TestProtocolCORS(t *testing.T) {
	ts := newTestServer(t)
	ts.app.cfg.CORSOrigins = []string{"https://tool.example"}
	doc := ts.articleID()
	cont := fmt.Sprintf("/documents/%d/annotations/", doc)
	preflight := func(origin, method, headers string) response {
		return ts.bearer("OPTIONS", cont, "", "", "Origin", origin, "Access-Control-Request-Method", method, "Access-Control-Request-Headers", headers)
	}
	// Public reads from anywhere, without credentials.
	r := ts.bearer("GET", cont, "", "", "Origin", "https://elsewhere.example")
	if r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("Access-Control-Allow-Credentials") != "" ||
		!strings.Contains(r.header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Errorf("public read: %v", r.header)
	}
	if p := preflight("https://elsewhere.example", "GET", "prefer"); p.header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(p.header.Get("Access-Control-Allow-Headers"), "Prefer") {
		t.Errorf("read preflight: %v", p.header)
	}
	// Writes and tokens only from the origins an admin allows.
	if p := preflight("https://elsewhere.example", "POST", "authorization,content-type"); p.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("write preflight from an unknown origin: %v", p.header)
	}
	p := preflight("https://tool.example", "PUT", "authorization,content-type,if-match")
	if p.header.Get("Access-Control-Allow-Origin") != "https://tool.example" || !strings.Contains(p.header.Get("Access-Control-Allow-Methods"), "PUT") ||
		!strings.Contains(p.header.Get("Access-Control-Allow-Headers"), "Authorization") || p.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("write preflight from the allowed origin: %v", p.header)
	}
	c, _ := ts.loggedIn("cors-writer", models.RoleReader)
	token := c.newToken("t", models.ScopeWrite, "7")
	if r := ts.bearer("POST", cont, token, sampleAnnotation, "Content-Type", "application/ld+json", "Origin", "https://elsewhere.example"); r.status != http.StatusForbidden {
		t.Errorf("write from an unknown origin: %d", r.status)
	}
	if r := ts.bearer("POST", cont, token, sampleAnnotation, "Content-Type", "application/ld+json", "Origin", "https://tool.example"); r.status != http.StatusCreated ||
		r.header.Get("Access-Control-Allow-Origin") != "https://tool.example" {
		t.Errorf("write from the allowed origin: %d %v", r.status, r.header)
	}
}

func TestAdminsAllowOrigins(t *testing.T) {
	ts := newTestServer(t)
	cont := fmt.Sprintf("/documents/%d/annotations/", ts.articleID())
	c, _ := ts.loggedIn("origin-writer", models.RoleReader)
	token := c.newToken("t", models.ScopeWrite, "7")
	write := func() int {
		return ts.bearer("POST", cont, token, sampleAnnotation, "Content-Type", "application/ld+json", "Origin", "https://tool.example").status
	}
	if s := write(); s != http.StatusForbidden {
		t.Fatalf("before the admin allows it: %d", s)
	}
	admin, _ := ts.loggedIn("origin-admin", models.RoleAdmin)
	admin.get("/admin/tokens")
	if r := admin.post("/admin/origins", url.Values{"origins": {"https://tool.example/\nftp://nope.example"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a bad origin: %d", r.status)
	}
	if r := admin.post("/admin/origins", url.Values{"origins": {"https://Tool.example/\nhttp://localhost:8000"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save origins: %d", r.status)
	}
	mustContain(t, admin.get("/admin/tokens").body, "https://tool.example\nhttp://localhost:8000")
	if s := write(); s != http.StatusCreated {
		t.Errorf("after the admin allowed it: %d", s)
	}
	moderator, _ := ts.loggedIn("origin-mod", models.RoleModerator)
	moderator.get("/")
	if r := moderator.post("/admin/origins", url.Values{"origins": {"https://evil.example"}}); r.status != http.StatusForbidden {
		t.Errorf("a moderator sets origins: %d", r.status)
	}
}

// A PUT's new words are screened like a form's edit (editVerdict): an
// approved note cannot be turned into spam through the API unseen.
func TestProtocolPutIntoSpamIsHeldAgain(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	owner, _ := ts.loggedIn("putter", models.RoleReader)
	token := owner.newToken("tool", models.ScopeWrite, "30")
	cont := fmt.Sprintf("/documents/%d/annotations/", doc)
	sober := fmt.Sprintf(`{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "motivation": "commenting",
	 "body": {"type": "TextualBody", "value": "A sober remark on the evidence."},
	 "target": {"source": "%s/documents/%d", "selector": {"type": "TextQuoteSelector", "exact": "Manfred Woerner"}}}`, ts.URL, doc)
	res := ts.bearer("POST", cont, token, sober, "Content-Type", "application/ld+json")
	if res.status != http.StatusCreated {
		t.Fatalf("POST: %d %s", res.status, res.body)
	}
	created := decodeJSON(t, res)
	iri, _ := created["id"].(string)
	n, err := strconv.ParseUint(iri[strings.LastIndexByte(iri, '/')+1:], 10, 64)
	if err != nil {
		t.Fatalf("id %q: %v", iri, err)
	}
	id := uint(n)
	if ts.status(id) != models.StatusPublished {
		t.Fatalf("the sober note: %s", ts.status(id))
	}
	created["body"] = map[string]any{"type": "TextualBody",
		"value": "Cheap pills https://a.example https://b.example https://c.example https://d.example https://e.example"}
	updated, _ := json.Marshal(created)
	put := ts.bearer("PUT", strings.TrimPrefix(iri, ts.URL), token, string(updated), "Content-Type", "application/ld+json", "If-Match", res.header.Get("ETag"))
	if put.status != http.StatusOK {
		t.Fatalf("PUT: %d %s", put.status, put.body)
	}
	if ts.status(id) == models.StatusPublished {
		t.Fatal("a PUT with five links stayed published")
	}
}
