package main

import (
	"strings"
	"testing"

	"margin/models"
)

func TestAnnotationsImportCommand(t *testing.T) {
	data := t.TempDir()
	db, err := models.Open(models.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.SeedSamples(db); err != nil {
		t.Fatal(err)
	}
	models.Close(db)
	if _, _, err := runCLI(t, "a long enough passphrase\n", "user", "create", "-data", data, "importer"); err != nil {
		t.Fatal(err)
	}
	files := []string{"../../models/testdata/annotations/w3c-collection.jsonld", "../../models/testdata/annotations/hypothesis-search.json"}
	args := append([]string{"annotations", "import", "-data", data, "-document", "2", "-as", "importer"}, files...)
	out, errOut, err := runCLI(t, "", args...)
	if err == nil {
		t.Fatalf("the bare IRI in the collection went unreported\n%s", out)
	}
	mustHave(t, out, "7 imported: 3 on their passages, 2 replies, 2 kept as orphans; 0 already there", "kept as an orphan of document 2")
	mustHave(t, errOut, "item 5")
	out, _, _ = runCLI(t, "", args...)
	mustHave(t, out, "0 imported", "7 already there")
	if _, errOut, err := runCLI(t, "", "annotations", "import", "-data", data, files[0]); err == nil || !strings.Contains(errOut, "-as") {
		t.Errorf("no -as: %v %s", err, errOut)
	}
}
