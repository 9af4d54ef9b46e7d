package handlers

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"

	"margin/models"
	"margin/models/w3c/w3ctest"
)

// noteShape is what a round trip must keep of a note: its words, kind and
// place, and the words of the note it replies to.
type noteShape struct{ kind, body, exact, parent string }

func shapes(t *testing.T, ts *testServer, doc uint) []string {
	t.Helper()
	var anns []models.Annotation
	ts.db.Where("document_id = ? AND deleted_at IS NULL", doc).Order("id").Find(&anns)
	byID := map[uint]models.Annotation{}
	for _, x := range anns {
		byID[x.ID] = x
	}
	var out []string
	for _, x := range anns {
		parent := ""
		if x.ParentID != nil {
			parent = byID[*x.ParentID].Body
		}
		out = append(out, fmt.Sprintf("%s|%s|%q@%d:%d-%d|%s", x.Kind, x.Body, x.Exact, x.PassageNumber, x.Start, x.End, parent))
	}
	sort.Strings(out)
	return out
}

func TestExportAndImportRoundTrip(t *testing.T) {
	suite := w3ctest.Load(t, w3cAssertions)
	from := newTestServer(t)
	doc := from.articleID()
	c, _ := from.loggedIn("author", models.RoleReader)
	q, _ := c.annotate(doc, url.Values{"kind": {"question"}, "passage": {"1"}, "quote": {"Manfred Woerner"}, "body": {"Who *else*?"}})
	c.annotate(doc, url.Values{"kind": {"context"}, "passage": {"3"}, "body": {"Background."}})
	c.annotate(doc, url.Values{"kind": {"disagreement"}, "passage": {"1"}, "quote": {"Boris Yeltsin"}, "body": {"Not so."}, "counterpoint": {"He was."}})
	c.annotate(doc, url.Values{"kind": {"reference"}, "passage": {"2"}, "cite_title": {"NATO"}, "cite_url": {"https://www.nato.int/"}})
	c.reply(q, url.Values{"kind": {"comment"}, "body": {"Kozyrev."}})
	private, _ := c.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"1"}, "body": {"My own."}, "visibility": {"private"}})

	// A visitor's export of the document leaves the private note out.
	res := from.client().get(fmt.Sprintf("/documents/%d/annotations.jsonld", doc))
	if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", res.status, res.header)
	}
	suite.Check(t, []byte(res.body))
	mustNotContain(t, res.body, "My own.")
	// The author's own export has it, in both formats.
	mine := c.get("/account/annotations.jsonld")
	mustContain(t, mine.body, "My own.", "Who *else*?")
	csvRes := c.get("/account/annotations.csv")
	rows, err := csv.NewReader(strings.NewReader(csvRes.body)).ReadAll()
	if err != nil || len(rows) != 7 || rows[0][0] != "ID" {
		t.Fatalf("account CSV: %v %d rows", err, len(rows))
	}
	mustContain(t, csvRes.body, fmt.Sprintf("/annotations/%d", private))
	if r := from.client().get("/account/annotations.csv"); r.status != http.StatusSeeOther {
		t.Errorf("a visitor's account export: %d", r.status)
	}
	if r := c.get(fmt.Sprintf("/documents/%d/annotations.xml", doc)); r.status != http.StatusNotFound {
		t.Errorf("unknown format: %d", r.status)
	}

	// Into a fresh Margin: the same notes on the same phrases.
	to := newTestServer(t)
	importer, _ := to.loggedIn("importer", models.RoleReader)
	token := importer.newToken("import", models.ScopeWrite, "7")
	path := fmt.Sprintf("/api/documents/%d/import", to.articleID())
	imp := to.bearer("POST", path, token, res.body, "Content-Type", "application/ld+json")
	if imp.status != http.StatusOK {
		t.Fatalf("import: %d %s", imp.status, imp.body)
	}
	rep := decodeJSON(t, imp)
	if rep["imported"] != 5.0 || rep["replies"] != 1.0 || rep["orphaned"] != 0.0 {
		t.Errorf("report %s", imp.body)
	}
	want, got := shapes(t, from, doc), shapes(t, to, to.articleID())
	want = slicesWithout(want, "My own.")
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("round trip:\n got %s\nwant %s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Again: no duplicates.
	again := decodeJSON(t, to.bearer("POST", path, token, res.body, "Content-Type", "application/ld+json"))
	if again["imported"] != 0.0 || again["existing"] != 5.0 {
		t.Errorf("second import: %v", again)
	}
	// A read-only token cannot import; neither can a forged form.
	ro := importer.newToken("ro", models.ScopeRead, "7")
	if r := to.bearer("POST", path, ro, res.body, "Content-Type", "application/ld+json"); r.status != http.StatusForbidden {
		t.Errorf("read-only import: %d", r.status)
	}
}

func TestImportHypothesisThroughTheAPI(t *testing.T) {
	ts := newTestServer(t)
	data, err := os.ReadFile("../models/testdata/annotations/hypothesis-search.json")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := ts.loggedIn("hypo", models.RoleReader)
	token := c.newToken("import", models.ScopeWrite, "7")
	res := ts.bearer("POST", fmt.Sprintf("/api/documents/%d/import", ts.articleID()), token, string(data), "Content-Type", "application/json")
	rep := decodeJSON(t, res)
	if res.status != http.StatusOK || rep["placed"] != 1.0 || rep["replies"] != 1.0 || rep["orphaned"] != 1.0 {
		t.Fatalf("%d %s", res.status, res.body)
	}
	// The tags come back out as tagging bodies.
	coll := ts.bearer("GET", fmt.Sprintf("/documents/%d/annotations/", ts.articleID()), "", "")
	mustContain(t, coll.body, `"purpose":"tagging","value":"yeltsin"`, "hypothesis:Hj7kQm2aEe-pYw")
}

func TestClassExportInJSONLD(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{})
	student, _ := w.student("pupil")
	w.classNote(student, 1, "question", "A class question.")
	path := fmt.Sprintf("/classes/%d/annotations.jsonld", w.class.ID)
	r := w.teacher.get(path)
	if r.status != http.StatusOK {
		t.Fatalf("educator's class export: %d", r.status)
	}
	mustContain(t, r.body, "AnnotationCollection", "A class question.")
	if r := student.get(path); r.status == http.StatusOK {
		t.Errorf("a student reads the class export")
	}
	other, _ := w.ts.loggedIn("outsider", models.RoleReader)
	if r := other.get(path); r.status != http.StatusNotFound {
		t.Errorf("outsider's class export: %d", r.status)
	}
}

func slicesWithout(xs []string, sub string) []string {
	var out []string
	for _, x := range xs {
		if !strings.Contains(x, sub) {
			out = append(out, x)
		}
	}
	return out
}
