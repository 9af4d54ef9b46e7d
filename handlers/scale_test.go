package handlers

import (
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"margin/models"
)

// TestReadingViewOfAHundredThousandNotes: a document with 100,000 notes
// shows, as a visitor and as a reader, in a page no larger than the same
// document's with 2,000 notes (the margin previews a few threads a
// passage), and no statement Margin sends for it grows with the notes: the
// ids any one names are at most a batch (models' idBatch, 500). It seeds
// for half a minute, so it is opt-in: MARGIN_SCALE_TESTS=1.
func TestReadingViewOfAHundredThousandNotes(t *testing.T) {
	if testing.Short() || os.Getenv("MARGIN_SCALE_TESTS") == "" {
		t.Skip("set MARGIN_SCALE_TESTS=1 to read a document of 100,000 notes")
	}
	ts := newTestServer(t)
	doc, err := models.DocumentByID(ts.db, ts.articleID())
	if err != nil {
		t.Fatal(err)
	}
	user, _ := ts.loggedIn("scale_reader", models.RoleReader)
	path := fmt.Sprintf("/documents/%d", doc.ID)
	sizes := map[string]int{}
	var stmts []statementSize
	seeded := 0
	for _, notes := range []int{2_000, 100_000} {
		began := time.Now()
		addBulkNotes(t, ts.db, doc, notes-seeded)
		seeded = notes
		t.Logf("%d notes on the document (seeded in %s)", notes, time.Since(began).Round(time.Millisecond))
		for who, c := range map[string]*client{"visitor": ts.client(), "reader": user} {
			var res response
			stmts = watchStatements(ts.db, func() {
				began := time.Now()
				res = c.get(path)
				t.Logf("%s at %d notes: %d in %s, %d bytes", who, notes, res.status, time.Since(began).Round(time.Millisecond), len(res.body))
			})
			if os.Getenv("MARGIN_SCALE_PAGE") != "" {
				os.WriteFile(fmt.Sprintf("%s/%s-%d.html", os.Getenv("MARGIN_SCALE_PAGE"), who, notes), []byte(res.body), 0o644)
			}
			if res.status != http.StatusOK {
				t.Fatalf("%s at %d notes: status %d", who, notes, res.status)
			}
			sizes[fmt.Sprint(who, notes)] = len(res.body)
			for _, s := range stmts {
				if s.vars > 520 || s.chars > 12_000 {
					t.Errorf("%s at %d notes: a statement of %d characters with %d values: %.200s", who, notes, s.chars, s.vars, s.sql)
				}
			}
		}
	}
	for _, who := range []string{"visitor", "reader"} {
		small, big := sizes[fmt.Sprint(who, 2_000)], sizes[fmt.Sprint(who, 100_000)]
		if big > small+small/4 {
			t.Errorf("the %s's page is %d bytes at 100,000 notes, %d at 2,000: it grows with the notes", who, big, small)
		}
	}
}

// statementSize is the size of one statement sent to the database.
type statementSize struct {
	sql         string
	chars, vars int
}

// watchStatements runs fn and gives the size of every statement the
// handle sent meanwhile (GORM callbacks after each query, row and raw
// statement).
func watchStatements(db *gorm.DB, fn func()) []statementSize {
	var mu sync.Mutex
	var out []statementSize
	keep := func(tx *gorm.DB) {
		mu.Lock()
		defer mu.Unlock()
		sql := tx.Statement.SQL.String()
		out = append(out, statementSize{sql: sql, chars: len(sql), vars: len(tx.Statement.Vars)})
	}
	name := fmt.Sprintf("test:size_%p", &out)
	db.Callback().Query().After("gorm:query").Register(name, keep)
	db.Callback().Row().After("gorm:row").Register(name, keep)
	db.Callback().Raw().After("gorm:raw").Register(name, keep)
	defer func() {
		db.Callback().Query().Remove(name)
		db.Callback().Row().Remove(name)
		db.Callback().Raw().Remove(name)
	}()
	fn()
	mu.Lock()
	defer mu.Unlock()
	return out
}

// addBulkNotes adds n published public notes to doc's passages by a
// hundred authors, every fifth a reply, every fourth quoting a phrase,
// every kind, a thousand to an INSERT.
func addBulkNotes(t *testing.T, db *gorm.DB, doc *models.Document, n int) {
	t.Helper()
	passages, err := models.Passages(db, doc.CurrentRevisionID)
	if err != nil {
		t.Fatal(err)
	}
	var authors []uint
	for i := range 100 {
		u := models.User{Username: fmt.Sprintf("bulk%03d_%d", i, n), PasswordHash: "x", Role: models.RoleReader}
		if err := db.Create(&u).Error; err != nil {
			t.Fatal(err)
		}
		authors = append(authors, u.ID)
	}
	now := time.Now().UTC()
	batch := make([]models.Annotation, 0, 1000)
	var roots []models.Annotation
	for i := range n {
		p := passages[i%len(passages)]
		a := models.Annotation{DocumentID: doc.ID, RevisionID: doc.CurrentRevisionID, PassageNumber: p.Number,
			AuthorID: authors[i%len(authors)], Kind: models.Kinds[i%len(models.Kinds)], Body: "bulk",
			BodyHTML: fmt.Sprintf("<p>Bulk note %d.</p>", i), Visibility: models.VisibilityPublic,
			Status: models.StatusPublished, AnchorStatus: "exact", CreatedAt: now, UpdatedAt: now}
		if i%4 == 1 && len(p.Text) > 40 {
			from := (i * 7) % 20
			a.Exact, a.Start, a.End = string([]rune(p.Text)[from:from+12]), p.Start+from, p.Start+from+12
		}
		if i%5 == 4 && len(roots) > 0 {
			parent := roots[(i*13)%len(roots)]
			a.ParentID, a.RootID, a.PassageNumber, a.Exact, a.Start, a.End = &parent.ID, &parent.ID, parent.PassageNumber, "", 0, 0
		}
		batch = append(batch, a)
		if len(batch) == cap(batch) || i == n-1 {
			if err := db.CreateInBatches(&batch, len(batch)).Error; err != nil {
				t.Fatal(err)
			}
			for _, b := range batch {
				if b.ParentID == nil && len(roots) < 5000 {
					roots = append(roots, b)
				}
			}
			batch = batch[:0]
		}
	}
	if err := db.Exec("UPDATE documents SET version = version + 1, notes_epoch = notes_epoch + 1 WHERE id = ?", doc.ID).Error; err != nil {
		t.Fatal(err)
	}
}
