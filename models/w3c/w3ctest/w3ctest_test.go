package w3ctest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const dir = "../../../../shared/w3c/annotation-model"

// The suite must pass the Recommendation's own examples and refuse the
// known-bad samples; otherwise a pass proves nothing.
func TestSpecExamplesPassAndInvalidOnesFail(t *testing.T) {
	s := Load(t, dir)
	if len(s.Annotation) < 40 || len(s.Collection) < 5 || len(s.Page) < 10 {
		t.Fatalf("lists too short: %d annotation, %d collection, %d page assertions", len(s.Annotation), len(s.Collection), len(s.Page))
	}
	spec, _ := filepath.Glob(filepath.Join(dir, "examples/spec/*.json"))
	invalid, _ := filepath.Glob(filepath.Join(dir, "examples/invalid/*.json"))
	if len(spec) != 44 || len(invalid) == 0 {
		t.Fatalf("found %d spec examples and %d invalid ones", len(spec), len(invalid))
	}
	for _, path := range spec {
		name := filepath.Base(path)
		// 42-44 use Composite, List and Independents, removed from the model.
		removed := name >= "example42.json"
		t.Run(name, func(t *testing.T) {
			fails := failures(t, s, path)
			if removed && len(fails) == 0 {
				t.Error("passes although it uses classes removed from the model")
			}
			if !removed && len(fails) > 0 {
				t.Error(strings.Join(fails, "\n"))
			}
		})
	}
	for _, path := range invalid {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if len(failures(t, s, path)) == 0 {
				t.Error("an invalid sample passes every assertion")
			}
		})
	}
}

func failures(t *testing.T, s *Suite, path string) []string {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fails, err := s.Failures(doc)
	if err != nil {
		t.Fatal(err)
	}
	return fails
}
