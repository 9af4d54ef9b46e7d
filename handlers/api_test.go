package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"margin/models"
	"margin/models/w3c"
	"margin/models/w3c/w3ctest"
)

const w3cAssertions = "../../shared/w3c/annotation-model"

const jsonLD = `application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`

// getJSONLD fetches path asking for JSON-LD, and decodes a 200's body.
func (c *client) getJSONLD(path string) (response, map[string]any) {
	c.ts.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.ts.URL+path, nil)
	req.Header.Set("Accept", jsonLD)
	res := c.do(req)
	if res.status != http.StatusOK {
		return res, nil
	}
	if ct := res.header.Get("Content-Type"); ct != w3c.MediaType {
		c.ts.t.Errorf("%s: Content-Type %q", path, ct)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(res.body), &doc); err != nil {
		c.ts.t.Fatalf("%s: %v\n%s", path, err, res.body)
	}
	return res, doc
}

// reply posts a reply form and returns the reply's id.
func (c *client) reply(parent uint, form url.Values) uint {
	c.ts.t.Helper()
	c.get(fmt.Sprintf("/annotations/%d", parent))
	res := c.post(fmt.Sprintf("/annotations/%d/replies", parent), form)
	m := annotationLocation.FindStringSubmatch(res.header.Get("Location"))
	if res.status != http.StatusSeeOther || m == nil {
		c.ts.t.Fatalf("reply to %d: %d\n%s", parent, res.status, res.body)
	}
	var id uint
	fmt.Sscan(m[1], &id)
	return id
}

func TestAPIServesEveryKindAsValidW3C(t *testing.T) {
	suite := w3ctest.Load(t, w3cAssertions)
	ts := newTestServer(t)
	doc := ts.articleID()
	c, _ := ts.loggedIn("annotator", models.RoleReader)
	other, _ := ts.loggedIn("replier", models.RoleReader)

	made := map[string]uint{}
	for name, form := range map[string]url.Values{
		"phrase comment":  {"kind": {"comment"}, "passage": {"1"}, "quote": {"Manfred Woerner"}, "body": {"A **fine** point & more."}},
		"passage comment": {"kind": {"comment"}, "passage": {"2"}, "body": {"On the whole passage."}},
		"question":        {"kind": {"question"}, "passage": {"1"}, "quote": {"Boris Yeltsin"}, "body": {"Who else attended?"}},
		"disagreement":    {"kind": {"disagreement"}, "passage": {"3"}, "body": {"The photo shows more."}, "counterpoint": {"It was staged."}},
		"reference": {"kind": {"reference"}, "passage": {"4"}, "cite_title": {"NSA briefing book", ""},
			"cite_url": {"https://nsarchive.gwu.edu/briefing-book?a=1&b=2", ""}, "cite_text": {"", "Sarotte, M. E. Not One Inch. Yale, 2021."}},
		"context": {"kind": {"context"}, "passage": {"5"}, "body": {"Yeltsin had been president since 1991."}},
	} {
		id, res := c.annotate(doc, form)
		if id == 0 {
			t.Fatalf("%s: %d\n%s", name, res.status, res.body)
		}
		made[name] = id
	}
	made["reply"] = other.reply(made["question"], url.Values{"kind": {"comment"}, "body": {"Nobody else."}})
	made["reply question"] = other.reply(made["reply"], url.Values{"kind": {"question"}, "body": {"Are you sure?"}})
	c.get(fmt.Sprintf("/annotations/%d/edit", made["context"]))
	if res := c.post(fmt.Sprintf("/annotations/%d/edit", made["context"]), url.Values{"kind": {"context"}, "body": {"Yeltsin had been president since July 1991."}}); res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.status)
	}

	docRow, _ := models.DocumentByID(ts.db, doc)
	rev, _ := models.RevisionByID(ts.db, docRow.CurrentRevisionID)
	text := []rune(rev.Text)
	reader := ts.client()
	for name, id := range made {
		t.Run(name, func(t *testing.T) {
			res, a := reader.getJSONLD(fmt.Sprintf("/api/annotations/%d", id))
			if res.status != http.StatusOK {
				t.Fatalf("status %d\n%s", res.status, res.body)
			}
			suite.Check(t, []byte(res.body))
			if want := ts.URL + fmt.Sprintf("/documents/%d/annotations/%d", doc, id); a["id"] != want {
				t.Errorf("id %v, want %s", a["id"], want)
			}
			// The permalink serves the same JSON-LD to a client asking for it.
			if perma, _ := reader.getJSONLD(fmt.Sprintf("/annotations/%d", id)); perma.body != res.body {
				t.Errorf("permalink JSON-LD differs:\n%s\n%s", perma.body, res.body)
			}
			target, _ := a["target"].(map[string]any)
			switch name {
			case "reply", "reply question":
				parent := made["question"]
				if name == "reply question" {
					parent = made["reply"]
				}
				if want := ts.URL + fmt.Sprintf("/documents/%d/annotations/%d", doc, parent); a["target"] != want {
					t.Errorf("reply target %v, want %s", a["target"], want)
				}
			case "phrase comment", "question":
				quote, pos := selectorOf(target, "TextQuoteSelector"), selectorOf(target, "TextPositionSelector")
				start, end := int(pos["start"].(float64)), int(pos["end"].(float64))
				if string(text[start:end]) != quote["exact"] {
					t.Errorf("positions %d-%d select %q, quote is %q", start, end, string(text[start:end]), quote["exact"])
				}
			default:
				if selectorOf(target, "TextQuoteSelector") != nil {
					t.Error("a whole-passage annotation has a TextQuoteSelector")
				}
				if frag := selectorOf(target, "FragmentSelector"); frag == nil || !strings.HasPrefix(frag["value"].(string), "char=") {
					t.Errorf("whole passage: no passage fragment in %v", target)
				}
			}
			if target != nil {
				if target["source"] != fmt.Sprintf("%s/documents/%d/revisions/1/text", ts.URL, doc) {
					t.Errorf("source %v", target["source"])
				}
			}
		})
	}

	want := map[string]any{
		"phrase comment": "commenting", "passage comment": "commenting", "question": "questioning", "disagreement": "assessing",
		"reference": "linking", "context": "describing", "reply": "replying", "reply question": []any{"replying", "questioning"},
	}
	for name, id := range made {
		_, a := reader.getJSONLD(fmt.Sprintf("/api/annotations/%d", id))
		if fmt.Sprint(a["motivation"]) != fmt.Sprint(want[name]) {
			t.Errorf("%s: motivation %v, want %v", name, a["motivation"], want[name])
		}
	}
	_, ctx := reader.getJSONLD(fmt.Sprintf("/api/annotations/%d", made["context"]))
	if ctx["modified"] == nil || !strings.Contains(fmt.Sprint(ctx["body"]), "since July 1991") {
		t.Errorf("edited annotation: %v", ctx)
	}
	_, ref := reader.getJSONLD(fmt.Sprintf("/api/annotations/%d", made["reference"]))
	mustContain(t, fmt.Sprint(ref["body"]), "https://nsarchive.gwu.edu/briefing-book?a=1&b=2", "NSA briefing book", "Sarotte, M. E. Not One Inch")

	// The collection holds them all, oldest first, and is valid as a
	// collection, as an embedded first page and per item.
	res, coll := reader.getJSONLD(fmt.Sprintf("/api/documents/%d/annotations", doc))
	if res.status != http.StatusOK {
		t.Fatalf("collection: %d\n%s", res.status, res.body)
	}
	suite.Check(t, []byte(res.body))
	if ids := itemIDs(t, coll["first"]); !slices.Equal(ids, sortedIDs(ts, made)) {
		t.Errorf("collection items %v, want %v", ids, sortedIDs(ts, made))
	}
	if coll["total"] != float64(len(made)) {
		t.Errorf("total %v, want %d", coll["total"], len(made))
	}
	res, page := reader.getJSONLD(fmt.Sprintf("/api/documents/%d/annotations?page=0", doc))
	suite.Check(t, []byte(res.body))
	if page["type"] != "AnnotationPage" || len(itemIDs(t, page)) != len(made) {
		t.Errorf("page 0: %s", res.body)
	}
}

func TestAnnotationPermalinkNegotiatesTheFormat(t *testing.T) {
	ts := newTestServer(t)
	doc := ts.articleID()
	c, _ := ts.loggedIn("negotiator", models.RoleReader)
	id, _ := c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"1"}, "body": {"Negotiated."}})
	for accept, wantJSON := range map[string]bool{
		"": true,
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": false,
		"*/*":                                  true,
		"text/*":                               true,
		"text/html, application/ld+json":       true,
		"application/ld+json":                  true,
		jsonLD:                                 true,
		"application/json":                     true,
		"application/ld+json;q=0.5, text/html": false,
		"text/html;q=0.5, application/ld+json": true,
		"application/*, text/html;q=0.9":       true,
	} {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/annotations/%d", ts.URL, id), nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		res := c.do(req)
		isJSON := strings.HasPrefix(res.header.Get("Content-Type"), "application/ld+json")
		if res.status != http.StatusOK || isJSON != wantJSON {
			t.Errorf("Accept %q: %d %s, want JSON %t", accept, res.status, res.header.Get("Content-Type"), wantJSON)
		}
		if !strings.Contains(strings.Join(res.header.Values("Vary"), ","), "Accept") {
			t.Errorf("Accept %q: no Vary: Accept", accept)
		}
	}
}

func TestAPIKeepsPrivateAndHeldAnnotationsPrivate(t *testing.T) {
	suite := w3ctest.Load(t, w3cAssertions)
	ts := newTestServer(t)
	doc := ts.articleID()
	owner, _ := ts.loggedIn("keeper", models.RoleReader)
	other, _ := ts.loggedIn("snoop", models.RoleReader)
	mod, _ := ts.loggedIn("warden", models.RoleModerator)
	public, _ := owner.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"1"}, "body": {"Public note."}})
	private, _ := owner.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {"Private note."}, "visibility": {"private"}})
	held, _ := owner.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"3"}, "body": {"Held note."}})
	hidden, _ := owner.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"4"}, "body": {"Hidden note."}})
	deleted, _ := owner.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"5"}, "body": {"Deleted note."}})
	for id, status := range map[uint]models.Status{held: models.StatusPending, hidden: models.StatusHidden} {
		a, err := models.AnnotationByID(ts.db, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := models.SetAnnotationStatus(ts.db, a, status); err != nil {
			t.Fatal(err)
		}
	}
	owner.get("/")
	if res := owner.post(fmt.Sprintf("/annotations/%d/delete", deleted), url.Values{"confirm": {"yes"}}); res.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.status)
	}

	cases := []struct {
		name    string
		c       *client
		visible []uint
	}{
		{"anonymous", ts.client(), []uint{public}},
		{"another reader", other, []uint{public}},
		{"a moderator", mod, []uint{public}},
		// The author sees their private note, but the API shows only
		// what is published, even to them.
		{"the author", owner, []uint{public, private}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, id := range []uint{public, private, held, hidden, deleted} {
				for _, path := range []string{"/api/annotations/%d", "/annotations/%d"} {
					res, _ := tc.c.getJSONLD(fmt.Sprintf(path, id))
					want := http.StatusNotFound
					if slices.Contains(tc.visible, id) {
						want = http.StatusOK
					}
					if res.status != want {
						t.Errorf("GET %s: %d, want %d", fmt.Sprintf(path, id), res.status, want)
					}
					if want == http.StatusNotFound {
						mustNotContain(t, res.body, "note.")
						if !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
							t.Errorf("GET %s: a 404 in %s", fmt.Sprintf(path, id), res.header.Get("Content-Type"))
						}
					}
				}
			}
			res, coll := tc.c.getJSONLD(fmt.Sprintf("/api/documents/%d/annotations", doc))
			suite.Check(t, []byte(res.body))
			if ids := itemIDs(t, coll["first"]); !slices.Equal(ids, iris(ts, tc.visible)) {
				t.Errorf("collection items %v, want %v", ids, iris(ts, tc.visible))
			}
			if coll["total"] != float64(len(tc.visible)) {
				t.Errorf("total %v, want %d", coll["total"], len(tc.visible))
			}
			for _, bad := range []string{"Held note.", "Hidden note.", "Deleted note."} {
				mustNotContain(t, res.body, bad)
			}
			if tc.c != owner {
				mustNotContain(t, res.body, "Private note.")
			}
		})
	}
}

func TestAPICollectionPagesAndETags(t *testing.T) {
	suite := w3ctest.Load(t, w3cAssertions)
	ts := newTestServer(t)
	doc := ts.articleID()
	docRow, _ := models.DocumentByID(ts.db, doc)
	author := ts.createUser("prolific", models.RoleReader)
	const n = 2*w3c.PageSize + 5
	for i := 0; i < n; i++ {
		in := models.AnnotationInput{Kind: models.KindComment, Body: fmt.Sprintf("Note %d.", i), Passage: 1 + i%5, QuoteHint: -1}
		if _, err := models.CreateAnnotation(ts.db, author, docRow, in, models.StatusPublished); err != nil {
			t.Fatal(err)
		}
	}
	reader := ts.client()
	coll := fmt.Sprintf("/api/documents/%d/annotations", doc)
	res, c := reader.getJSONLD(coll)
	suite.Check(t, []byte(res.body))
	if c["total"] != float64(n) || c["last"] != ts.URL+coll+"?page=2" || len(itemIDs(t, c["first"])) != w3c.PageSize {
		t.Errorf("collection: total %v, last %v, %d items", c["total"], c["last"], len(itemIDs(t, c["first"])))
	}
	var seen []string
	for page, items := range []int{w3c.PageSize, w3c.PageSize, 5} {
		res, p := reader.getJSONLD(fmt.Sprintf("%s?page=%d", coll, page))
		if res.status != http.StatusOK {
			t.Fatalf("page %d: %d", page, res.status)
		}
		suite.Check(t, []byte(res.body))
		ids := itemIDs(t, p)
		if len(ids) != items || p["startIndex"] != float64(page*w3c.PageSize) {
			t.Errorf("page %d: %d items from %v", page, len(ids), p["startIndex"])
		}
		seen = append(seen, ids...)
	}
	if len(seen) != n || len(slices.Compact(slices.Clone(seen))) != n {
		t.Errorf("pages hold %d annotations, want %d distinct", len(seen), n)
	}
	for query, want := range map[string]int{"?page=3": http.StatusNotFound, "?page=-1": http.StatusBadRequest, "?page=x": http.StatusBadRequest} {
		if res, _ := reader.getJSONLD(coll + query); res.status != want {
			t.Errorf("%s: %d, want %d", query, res.status, want)
		}
	}
	if res, _ := reader.getJSONLD("/api/documents/999999/annotations"); res.status != http.StatusNotFound {
		t.Errorf("missing document: %d", res.status)
	}

	// ETag: unchanged document, 304; a new annotation, a new tag.
	res, _ = reader.getJSONLD(coll)
	etag := res.header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on the collection")
	}
	ifNoneMatch := func(cl *client, tag string) int {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+coll, nil)
		req.Header.Set("Accept", jsonLD)
		req.Header.Set("If-None-Match", tag)
		return cl.do(req).status
	}
	if st := ifNoneMatch(reader, etag); st != http.StatusNotModified {
		t.Errorf("If-None-Match with the current tag: %d, want 304", st)
	}
	writer, _ := ts.loggedIn("writer2", models.RoleReader)
	writer.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"1"}, "body": {"For everyone."}})
	if st := ifNoneMatch(reader, etag); st != http.StatusOK {
		t.Errorf("after a write, the old tag: %d, want 200", st)
	}
	// A private note makes the writer's collection, and its tag, their own.
	writer.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"1"}, "body": {"Mine alone."}, "visibility": {"private"}})
	mine, _ := writer.getJSONLD(coll + "?page=2")
	mustContain(t, mine.body, "Mine alone.")
	req, _ := http.NewRequest(http.MethodGet, ts.URL+coll+"?page=2", nil)
	req.Header.Set("If-None-Match", mine.header.Get("ETag"))
	if theirs := reader.do(req); theirs.status != http.StatusOK || strings.Contains(theirs.body, "Mine alone.") {
		t.Errorf("another viewer with the writer's tag: %d\n%s", theirs.status, theirs.body)
	}
}

func selectorOf(target map[string]any, typ string) map[string]any {
	sels, _ := target["selector"].([]any)
	for _, s := range sels {
		if m, ok := s.(map[string]any); ok && m["type"] == typ {
			return m
		}
	}
	return nil
}

func itemIDs(t *testing.T, page any) []string {
	t.Helper()
	p, ok := page.(map[string]any)
	if !ok {
		return nil
	}
	items, ok := p["items"].([]any)
	if !ok {
		t.Fatalf("page has no items: %v", p)
	}
	var ids []string
	for _, it := range items {
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	return ids
}

func iris(ts *testServer, ids []uint) []string {
	var out []string
	for _, id := range ids {
		out = append(out, fmt.Sprintf("%s/documents/%d/annotations/%d", ts.URL, ts.articleID(), id))
	}
	return out
}

func sortedIDs(ts *testServer, made map[string]uint) []string {
	var ids []uint
	for _, id := range made {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return iris(ts, ids)
}
