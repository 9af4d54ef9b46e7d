package models_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/textimport"
)

// readingScale is a database seeded for the reading view at scale: one
// target document among others, a member of five classes to read as.
type readingScale struct {
	Doc      *models.Document
	Rev      *models.Revision
	Passages []models.Passage
	Member   *models.User
	Notes    int // on the target document
}

// seedReadingScale fills db with documents of 40 passages and notes on
// them: onTarget notes on the first (the target), the rest of notes spread
// over the others. 500 writers, 20 classes (the member is in five), and
// the notes as a busy site has them: 20% replies, a quarter of the others
// quoting a phrase, every kind, 85% public, the rest private or for a
// class, 94% published, the rest held, hidden or spam. Rows go in as
// multi-row INSERTs (bulk).
func seedReadingScale(t testing.TB, db *gorm.DB, documents, notes, onTarget int) readingScale {
	t.Helper()
	rng := rand.New(rand.NewPCG(11, 7))
	now := time.Now().UTC().Truncate(time.Second)
	type docRev struct {
		doc, rev uint
		passages []models.Passage
	}
	var docs []docRev
	for d := range documents {
		var md strings.Builder
		fmt.Fprintf(&md, "# Reading %d\n\n", d)
		for p := range 39 {
			fmt.Fprintf(&md, "Paragraph %d of reading %d, long enough to quote a phrase or two from, as readers do when they annotate a text closely and often.\n\n", p, d)
		}
		parsed, err := textimport.Parse("d.md", []byte(md.String()), textimport.FormatMarkdown, 0)
		if err != nil {
			t.Fatal(err)
		}
		res, err := models.ImportDocument(db, parsed, nil)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := models.Passages(db, res.Document.CurrentRevisionID)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, docRev{res.Document.ID, res.Document.CurrentRevisionID, ps})
	}
	const writers, classes = 500, 20
	var firstUser uint
	if err := db.Raw("SELECT COALESCE(MAX(id), 0) FROM users").Scan(&firstUser).Error; err != nil {
		t.Fatal(err)
	}
	firstUser++
	bulk(t, db, "users", []string{"username", "password_hash", "role", "session_epoch", "created_at", "updated_at"}, writers,
		func(i int) []any { return []any{fmt.Sprintf("scale_writer%d", i), "x", "reader", 0, now, now} })
	var firstClass uint
	if err := db.Raw("SELECT COALESCE(MAX(id), 0) FROM classes").Scan(&firstClass).Error; err != nil {
		t.Fatal(err)
	}
	firstClass++
	bulk(t, db, "classes", []string{"name", "join_code", "created_by_id", "created_at", "updated_at"}, classes,
		func(i int) []any {
			return []any{fmt.Sprintf("Scale class %d", i), fmt.Sprintf("SCALE%07d", i), firstUser, now, now}
		})
	var member models.User
	if err := db.Where("username = ?", "scale_writer7").First(&member).Error; err != nil {
		t.Fatal(err)
	}
	bulk(t, db, "class_members", []string{"class_id", "user_id", "role", "joined_at"}, writers+4, func(i int) []any {
		if i >= writers {
			return []any{firstClass + uint(i-writers+1), member.ID, "student", now}
		}
		return []any{firstClass + uint(i%classes), firstUser + uint(i), "student", now}
	})

	var firstNote uint
	if err := db.Raw("SELECT COALESCE(MAX(id), 0) FROM annotations").Scan(&firstNote).Error; err != nil {
		t.Fatal(err)
	}
	firstNote++
	cols := []string{"document_id", "revision_id", "passage_number", "exact", "prefix", "suffix", "start", `"end"`, "anchor_status",
		"parent_id", "root_id", "author_id", "kind", "counterpoint", "body", "body_html", "visibility", "class_id", "status",
		"helpful_count", "created_at", "updated_at"}
	// A note's document, thread and passage by its index: a reply is on
	// its parent's passage, in its parent's thread.
	docOf, rootOf, passageOf := make([]int32, notes), make([]int32, notes), make([]int16, notes)
	bulk(t, db, "annotations", cols, notes, func(i int) []any {
		di := 0
		if i >= onTarget && len(docs) > 1 {
			di = 1 + rng.IntN(len(docs)-1)
		}
		pi := rng.IntN(len(docs[di].passages))
		var parent, root any
		exact, start, end := "", 0, 0
		// A reply answers an earlier note of the target, or of the others,
		// on its parent's document and passage.
		rootOf[i] = int32(i)
		from := 0
		if i >= onTarget {
			from = onTarget
		}
		if i > from && rng.IntN(5) == 0 {
			p := from + rng.IntN(i-from)
			parent, root = firstNote+uint(p), firstNote+uint(rootOf[p])
			di, pi, rootOf[i] = int(docOf[p]), int(passageOf[p]), rootOf[p]
		}
		docOf[i], passageOf[i] = int32(di), int16(pi)
		ps := docs[di].passages[pi]
		if parent == nil && rng.IntN(4) == 0 {
			words := strings.Fields(ps.Text)
			exact = strings.Join(words[2:5], " ")
			start = ps.Start + strings.Index(ps.Text, exact)
			end = start + len(exact)
		}
		kind := models.Kinds[rng.IntN(len(models.Kinds))]
		vis, status := models.VisibilityPublic, models.StatusPublished
		var class any
		switch x := rng.IntN(100); {
		case x < 8:
			vis = models.VisibilityPrivate
		case x < 15:
			vis, class = models.VisibilityClass, firstClass+uint(rng.IntN(classes))
		}
		switch x := rng.IntN(100); {
		case x < 3:
			status = models.StatusPending
		case x < 5:
			status = models.StatusHidden
		case x < 6:
			status = models.StatusSpam
		}
		body := fmt.Sprintf("Note %d: the tone here is warmer than the record suggests, and the sources disagree on why.", i)
		at := now.Add(-time.Duration(notes-i) * time.Minute)
		return []any{docs[di].doc, docs[di].rev, ps.Number, exact, "", "", start, end, "exact", parent, root,
			firstUser + uint(rng.IntN(writers)), kind, "", body, "<p>" + body + "</p>", vis, class, status, rng.IntN(3), at, at}
	})
	doc, err := models.DocumentByID(db, docs[0].doc)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := models.RevisionByID(db, docs[0].rev)
	if err != nil {
		t.Fatal(err)
	}
	return readingScale{Doc: doc, Rev: rev, Passages: docs[0].passages, Member: &member, Notes: onTarget}
}

// BenchmarkReadingView5000 is the reading view's queries and assembly for a
// 5,000-note document with the page's preview of three threads a passage:
// go test ./models -run '^$' -bench ReadingView5000 -cpu 1.
func BenchmarkReadingView5000(b *testing.B) {
	db := modeltest.Open(b)
	s := seedReadingScale(b, db, 1, 5000, 5000)
	for _, v := range []struct {
		name   string
		viewer *models.User
	}{{"anon", nil}, {"member", s.Member}} {
		b.Run(v.name, func(b *testing.B) {
			// SQLite runs on the calling thread, whose CPU time a shared
			// machine's load does not inflate as it does wall time.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpuBegan := threadCPU()
			for range b.N {
				views, err := models.ReadingView(db, s.Rev, s.Passages, v.viewer, models.ReadingOptions{Sort: "newest", Preview: 3})
				if err != nil || len(views) != len(s.Passages) {
					b.Fatal(len(views), err)
				}
			}
			b.ReportMetric(float64((threadCPU()-cpuBegan).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
