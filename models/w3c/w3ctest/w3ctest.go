// Package w3ctest checks JSON-LD against the W3C Web Annotation working
// group's conformance assertions (the annotation-model folder of
// web-platform-tests, kept in the shared test data). Only tests use it.
package w3ctest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Assertion is one compiled assertion file.
type Assertion struct {
	Name    string // the path in its .test list, e.g. "annotations/3.1-annotationIdValidated.json"
	Valid   bool   // its expectedResult
	Message string // its errorMessage
	schema  *jsonschema.Schema
}

// Suite holds the MUST assertions of each kind of object.
type Suite struct {
	Annotation, Collection, Page []Assertion
}

// Load compiles the MUST lists under dir, the annotation-model folder. It
// skips the test when dir is absent, and fails it when an assertion does
// not compile.
func Load(t testing.TB, dir string) *Suite {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "definitions")); err != nil {
		t.Skipf("W3C annotation assertions not found at %s", dir)
	}
	s, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func load(dir string) (*Suite, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	c.UseLoader(jsonschema.SchemeURLLoader{"file": definitionsLoader{root: abs}})
	var s Suite
	lists := []struct {
		file string
		into *[]Assertion
	}{
		{"annotations/annotationMusts.test", &s.Annotation},
		{"collections/collectionMusts.test", &s.Collection},
		{"collections/pages/pageMusts.test", &s.Page},
	}
	for _, l := range lists {
		if *l.into, err = compileList(c, abs, l.file); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

// definitionsLoader reads schema files, sending a $ref to a definitions file
// by bare name ("bodyTarget.json"), resolved against the assertion's own
// folder, to the definitions folder.
type definitionsLoader struct{ root string }

func (l definitionsLoader) Load(rawURL string) (any, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	path := u.Path
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join(l.root, "definitions", filepath.Base(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

func compileList(c *jsonschema.Compiler, root, list string) ([]Assertion, error) {
	raw, err := os.ReadFile(filepath.Join(root, list))
	if err != nil {
		return nil, err
	}
	var test struct{ Assertions []string }
	if err := json.Unmarshal(raw, &test); err != nil {
		return nil, fmt.Errorf("%s: %w", list, err)
	}
	if len(test.Assertions) == 0 {
		return nil, fmt.Errorf("%s lists no assertions", list)
	}
	var out []Assertion
	for _, name := range test.Assertions {
		path := filepath.Join(root, filepath.FromSlash(name))
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var meta struct{ ExpectedResult, ErrorMessage string }
		if err := json.Unmarshal(raw, &meta); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		sch, err := c.Compile((&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, Assertion{Name: name, Valid: meta.ExpectedResult != "invalid", Message: meta.ErrorMessage, schema: sch})
	}
	return out, nil
}

// Failures lists, for the JSON object in doc, every assertion whose result
// is not the expected one, picking the lists by the top-level type:
// collectionMusts, and pageMusts when the first page is embedded, for an
// AnnotationCollection; pageMusts for an AnnotationPage; annotationMusts for
// anything else, which ought to be an Annotation.
// The annotations inside a page are checked as Annotations too, each given
// the page's @context.
func (s *Suite) Failures(doc []byte) ([]string, error) {
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(doc)))
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	var fails []string
	switch topType(obj["type"]) {
	case "AnnotationCollection":
		fails = check(s.Collection, v, "")
		if first, ok := obj["first"].(map[string]any); ok {
			fails = append(fails, check(s.Page, v, "")...)
			fails = append(fails, s.items(first, obj["@context"])...)
		}
	case "AnnotationPage":
		fails = append(check(s.Page, v, ""), s.items(obj, obj["@context"])...)
	default:
		fails = check(s.Annotation, v, "")
	}
	return fails, nil
}

// topType is the W3C type of an object whose type may be a list, as a
// Protocol container's is (BasicContainer and AnnotationCollection).
func topType(t any) any {
	list, ok := t.([]any)
	if !ok {
		return t
	}
	for _, v := range list {
		if v == "AnnotationCollection" || v == "AnnotationPage" {
			return v
		}
	}
	return t
}

func (s *Suite) items(page map[string]any, context any) []string {
	items, _ := page["items"].([]any)
	var fails []string
	for i, it := range items {
		obj, ok := it.(map[string]any)
		if !ok {
			continue // an IRI
		}
		withContext := map[string]any{"@context": context}
		for k, v := range obj {
			withContext[k] = v
		}
		fails = append(fails, check(s.Annotation, withContext, fmt.Sprintf("items[%d] %v: ", i, obj["id"]))...)
	}
	return fails
}

func check(list []Assertion, v any, prefix string) []string {
	var fails []string
	for _, a := range list {
		err := a.schema.Validate(v)
		if (err == nil) != a.Valid {
			msg := prefix + a.Name + ": " + a.Message
			if err != nil {
				msg += "\n" + err.Error()
			}
			fails = append(fails, msg)
		}
	}
	return fails
}

// Check fails the test for every assertion doc does not meet.
func (s *Suite) Check(t testing.TB, doc []byte) {
	t.Helper()
	fails, err := s.Failures(doc)
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	for _, f := range fails {
		t.Error(f)
	}
	if len(fails) > 0 {
		t.Logf("document:\n%s", doc)
	}
}
