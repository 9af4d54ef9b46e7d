package models_test

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/textimport"
)

// TestPostgres checks what only a shared PostgreSQL can show: several
// instances starting at once on one schema, migrations that run again
// harmlessly, and imports that read back exactly. It runs in every test run
// that has MARGIN_TEST_POSTGRES, whatever MARGIN_TEST_DB says.
func TestPostgres(t *testing.T) {
	base := modeltest.PostgresURL(t)
	if base == "" {
		t.Skip("MARGIN_TEST_POSTGRES is not set: PostgreSQL checks skipped")
	}
	url := freshSchema(t, base)

	// Two instances start at the same moment on an empty schema: both must
	// come up, the migration lock letting one create the tables first.
	const instances = 2
	dbs := make([]*gorm.DB, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = models.Open(models.Options{DatabaseURL: url}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: open: %v", i, err)
		}
		t.Cleanup(func() { models.Close(dbs[i]) })
	}
	db, other := dbs[0], dbs[1]
	if !models.IsPostgres(db) {
		t.Fatalf("dialect is %q, want postgres", db.Dialector.Name())
	}

	t.Run("migrations are idempotent", func(t *testing.T) {
		before := schemaVersions(t, db)
		if len(before) == 0 {
			t.Fatal("no schema version recorded after migrating")
		}
		for i := range 2 {
			if err := models.Migrate(db); err != nil {
				t.Fatalf("migration run %d: %v", i+2, err)
			}
		}
		after := schemaVersions(t, db)
		if fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("schema versions changed on re-migration: %v, then %v", before, after)
		}
		for i, v := range after {
			if v != i+1 {
				t.Fatalf("schema versions %v: want 1..%d, each once", after, len(after))
			}
		}
	})

	t.Run("import reads back identical", func(t *testing.T) {
		parsed := parseSample(t)
		res, err := models.ImportDocument(db, parsed, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created {
			t.Fatal("first import of new text: Created = false")
		}
		// Read through the other instance: the data is shared, not cached.
		doc, err := models.DocumentByID(other, res.Document.ID)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Title != parsed.Title || doc.Author != parsed.Author {
			t.Errorf("read back title %q author %q, want %q %q", doc.Title, doc.Author, parsed.Title, parsed.Author)
		}
		rev, err := models.RevisionByID(other, doc.CurrentRevisionID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := models.Passages(other, rev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(parsed.Passages) || rev.PassageCount != len(parsed.Passages) {
			t.Fatalf("read back %d passages (revision says %d), imported %d", len(got), rev.PassageCount, len(parsed.Passages))
		}
		text := []rune(rev.Text)
		for i, p := range got {
			want := parsed.Passages[i]
			if p.Number != i+1 || p.Kind != string(want.Kind) || p.Level != want.Level || p.Text != want.Text {
				t.Errorf("passage %d: got #%d %s/%d %q, want #%d %s/%d %q",
					i, p.Number, p.Kind, p.Level, p.Text, i+1, want.Kind, want.Level, want.Text)
			}
			// Offsets are code points into the revision text, also past non-ASCII.
			if p.Start < 0 || p.End > len(text) || p.Start > p.End || string(text[p.Start:p.End]) != want.Text {
				t.Errorf("passage %d: offsets [%d,%d) do not cut %q out of the revision text", i+1, p.Start, p.End, want.Text)
			}
		}
	})

	t.Run("duplicate import finds the same document", func(t *testing.T) {
		first, err := models.ImportDocument(db, parseSample(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		again, err := models.ImportDocument(other, parseSample(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.Created || again.Document.ID != first.Document.ID {
			t.Errorf("re-import: Created=%v id=%d, want the existing document %d", again.Created, again.Document.ID, first.Document.ID)
		}
	})

	t.Run("racing imports of new text make one document", func(t *testing.T) {
		// Both instances pass the "already there?" check before either
		// commits; the unique index must turn the loser into a lookup.
		parsed := parseSample(t)
		parsed.Passages = append(parsed.Passages, textimport.Passage{Kind: textimport.Paragraph,
			Text: fmt.Sprintf("Raced at %d.", time.Now().UnixNano())})
		results := make([]models.ImportResult, 8)
		errs := make([]error, len(results))
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() { results[i], errs[i] = models.ImportDocument(dbs[i%instances], parsed, nil) })
		}
		wg.Wait()
		created := 0
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("import %d: %v", i, errs[i])
			}
			if r.Created {
				created++
			}
			if r.Document.ID != results[0].Document.ID {
				t.Errorf("import %d found document %d, import 0 found %d", i, r.Document.ID, results[0].Document.ID)
			}
		}
		if created != 1 {
			t.Errorf("%d imports say they created the document, want exactly 1", created)
		}
	})
}

// freshSchema makes an empty schema for this test and returns a URL that uses
// it; the schema is dropped afterwards.
func freshSchema(t *testing.T, base string) string {
	t.Helper()
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("connect to test PostgreSQL: %v", err)
	}
	schema := fmt.Sprintf("pgcheck_%d_%d", os.Getpid(), time.Now().UnixNano())
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		models.Close(admin)
	})
	return modeltest.WithSearchPath(base, schema)
}

func schemaVersions(t *testing.T, db *gorm.DB) []int {
	t.Helper()
	var vs []int
	if err := db.Model(&models.SchemaVersion{}).Order("version").Pluck("version", &vs).Error; err != nil {
		t.Fatal(err)
	}
	return vs
}

// parseSample is a small document with a heading, a list and text outside
// ASCII, so offsets in code points and bytes differ.
func parseSample(t *testing.T) *textimport.Document {
	t.Helper()
	md := strings.Join([]string{
		"---", "title: Über die Grenzen", "author: Zoë Ångström", "---",
		"# Erster Teil",
		"Ein Absatz mit „Anführungszeichen“, einem Gedankenstrich – und 🌍.",
		"- erster Punkt", "- zweiter Punkt: 東京",
		"> Ein Zitat, das bleibt.",
		"Letzter Absatz.",
	}, "\n\n")
	parsed, err := textimport.Parse("grenzen.md", []byte(md), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed.Passages) < 5 {
		t.Fatalf("sample parsed into %d passages, want at least 5: %+v", len(parsed.Passages), parsed.Passages)
	}
	return parsed
}

// Migrations 2 and 3 drop indexes that others made redundant, on a
// database that has them, and leave the ones that replace them.
func TestMigrationsDropRedundantIndexes(t *testing.T) {
	for _, c := range []struct {
		version    int
		model      any
		create     string
		gone, kept string
	}{
		{2, &models.Screening{}, "CREATE INDEX idx_screenings_author_id ON screenings (author_id)",
			"idx_screenings_author_id", "idx_screening_author_at"},
		{3, &models.Annotation{}, "CREATE INDEX idx_annotation_author_status ON annotations (author_id, status)",
			"idx_annotation_author_status", "idx_annotation_author_status_vis"},
	} {
		db := modeltest.Open(t)
		if err := db.Exec(c.create).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("DELETE FROM schema_versions WHERE version >= ?", c.version).Error; err != nil {
			t.Fatal(err)
		}
		if err := models.Migrate(db); err != nil {
			t.Fatal(err)
		}
		if db.Migrator().HasIndex(c.model, c.gone) {
			t.Errorf("migration %d: %s is still there", c.version, c.gone)
		}
		if !db.Migrator().HasIndex(c.model, c.kept) {
			t.Errorf("migration %d: %s is missing", c.version, c.kept)
		}
	}
}
