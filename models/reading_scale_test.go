package models_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
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
		cache  bool
	}{{"anon", nil, false}, {"member", s.Member, false}, {"anon-outline-cache-cold", nil, true}} {
		b.Run(v.name, func(b *testing.B) {
			// SQLite runs on the calling thread, whose CPU time a shared
			// machine's load does not inflate as it does wall time.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpuBegan := threadCPU()
			for range b.N {
				opts := models.ReadingOptions{Sort: "newest", Preview: 3}
				if v.cache {
					opts.Outlines = models.NewOutlineCache()
				}
				views, err := models.ReadingView(db, s.Rev, s.Passages, v.viewer, opts)
				if err != nil || len(views) != len(s.Passages) {
					b.Fatal(len(views), err)
				}
			}
			b.ReportMetric(float64((threadCPU()-cpuBegan).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// TestReadingViewAtScale times the reading view of a 500-note document in
// a database of 1,000,000 notes over 1,000 documents, as a visitor and as
// a member of five classes, and logs the plan of every query it makes. It
// is opt-in, being long: MARGIN_READING_BENCH=1 (or a number of notes)
// go test ./models -run TestReadingViewAtScale -v -timeout 60m; with
// MARGIN_TEST_DB=postgres it runs on PostgreSQL; on SQLite,
// MARGIN_READING_BENCH_DIR keeps the seeded database for the next run.
// See README, Benchmarks.
func TestReadingViewAtScale(t *testing.T) {
	notes := scaleNotes(t, "MARGIN_READING_BENCH", "to time the reading view in a database of a million notes")
	db, s := openReadingScale(t, notes)
	rec := recordQueries(db)
	for _, v := range []struct {
		name   string
		viewer *models.User
	}{{"anonymous", nil}, {"member of 5 classes", s.Member}} {
		rec.start()
		views, err := models.ReadingView(db, s.Rev, s.Passages, v.viewer, models.ReadingOptions{Sort: "newest", Preview: 3})
		if err != nil {
			t.Fatal(err)
		}
		shown := 0
		for _, pv := range views {
			shown += pv.All
		}
		for _, q := range rec.stop() {
			t.Logf("%s: %s\n%s", v.name, abbreviate(q.SQL, 300), strings.Join(queryPlan(t, db, q), "\n"))
		}
		p50, p99, cpu := timeRuns(t, 50, func() {
			if _, err := models.ReadingView(db, s.Rev, s.Passages, v.viewer, models.ReadingOptions{Sort: "newest", Preview: 3}); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("%-20s p50 %6.2f ms  p99 %6.2f ms  cpu p50 %6.2f ms  (%d notes shown of %d on the document)", v.name, ms(p50), ms(p99), ms(cpu), shown, s.Notes)
		if p50 > 30*time.Millisecond {
			t.Errorf("the reading view of a %d-note document as %s takes %.1f ms (p50); want under 30", s.Notes, v.name, ms(p50))
		}
	}
	t.Logf("load average: %s", loadAverage())
}

// openReadingScale seeds a fresh database, or on SQLite with
// MARGIN_READING_BENCH_DIR set reuses the one seeded there before, then
// keeps its statistics as Margin does.
func openReadingScale(t *testing.T, notes int) (*gorm.DB, readingScale) {
	dir := os.Getenv("MARGIN_READING_BENCH_DIR")
	if dir == "" || modeltest.UsePostgres() {
		db := modeltest.Open(t)
		start := time.Now()
		s := seedReadingScale(t, db, 1000, notes, 500)
		t.Logf("seeded %d notes in %s (%s)", notes, time.Since(start).Round(time.Second), db.Dialector.Name())
		if err := models.RefreshStatistics(db); err != nil {
			t.Fatal(err)
		}
		return db, s
	}
	db, err := models.Open(models.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { models.Close(db) })
	var ids struct{ Doc, Rev, Member uint }
	saved := filepath.Join(dir, "reading.json")
	if b, err := os.ReadFile(saved); err == nil {
		if err := json.Unmarshal(b, &ids); err != nil {
			t.Fatal(err)
		}
		s := readingScale{Notes: 500, Member: &models.User{}}
		s.Doc, err = models.DocumentByID(db, ids.Doc)
		if err == nil {
			s.Rev, err = models.RevisionByID(db, ids.Rev)
		}
		if err == nil {
			s.Passages, err = models.Passages(db, ids.Rev)
		}
		if err == nil {
			err = db.First(s.Member, ids.Member).Error
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("reusing %s", dir)
		if err := models.RefreshStatistics(db); err != nil {
			t.Fatal(err)
		}
		return db, s
	}
	start := time.Now()
	s := seedReadingScale(t, db, 1000, notes, 500)
	t.Logf("seeded %d notes in %s (sqlite, kept in %s)", notes, time.Since(start).Round(time.Second), dir)
	if err := models.RefreshStatistics(db); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(struct{ Doc, Rev, Member uint }{s.Doc.ID, s.Rev.ID, s.Member.ID})
	if err := os.WriteFile(saved, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return db, s
}

// timeRuns runs fn n times after three to warm the caches, and gives the
// median and 99th percentile wall times and the median CPU time of this
// thread (SQLite's work, which the machine's load does not inflate).
func timeRuns(t *testing.T, n int, fn func()) (p50, p99, cpu50 time.Duration) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var times, cpus []time.Duration
	for i := range n + 3 {
		began, cpuBegan := time.Now(), threadCPU()
		fn()
		if i >= 3 {
			times, cpus = append(times, time.Since(began)), append(cpus, threadCPU()-cpuBegan)
		}
	}
	slices.Sort(times)
	slices.Sort(cpus)
	return times[len(times)/2], times[len(times)*99/100], cpus[len(cpus)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(b))[:min(3, len(strings.Fields(string(b))))], " ")
}

func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// TestReadingViewPlanUsesThePassageIndex: told the statistics of a
// database of a million notes over a thousand documents (sqlite_stat1
// rows as ANALYZE writes them there), SQLite reads the reading view's
// notes by document, revision and passage (idx_annotation_passage, or
// the covering idx_annotation_passage_outline), not by status: in such a
// database the status index reads every published note of every document
// (462 ms, against 9 ms by the document's notes).
func TestReadingViewPlanUsesThePassageIndex(t *testing.T) {
	db := modeltest.Open(t)
	if models.IsPostgres(db) {
		t.Skip("sqlite_stat1 is SQLite's; TestReadingViewAtScale logs PostgreSQL's plans")
	}
	s := seedReadingScale(t, db, 3, 600, 200)
	stats := map[string]string{
		"":                                 "1000000",
		"idx_annotations_status":           "1000000 200000",
		"idx_annotation_passage":           "1000000 1000 1000 25",
		"idx_annotation_doc":               "1000000 1000 1",
		"idx_annotation_doc_author":        "1000000 1000 20",
		"idx_annotation_author_status_vis": "1000000 500 200 150",
		"idx_annotation_parent":            "200000 3",
		"idx_annotations_root_id":          "1000000 4",
		"idx_annotations_class_id":         "1000000 20000",
	}
	var indexes []string
	if err := db.Raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'annotations'").Scan(&indexes).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("DELETE FROM sqlite_stat1 WHERE tbl = 'annotations'").Error; err != nil {
		t.Fatal(err)
	}
	for _, name := range append(indexes, "") {
		stat, ok := stats[name]
		if !ok {
			stat = "1000000 1" // an index the list above does not know: a unique one
		}
		var idx any
		if name != "" {
			idx = name
		}
		if err := db.Exec("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('annotations', ?, ?)", idx, stat).Error; err != nil {
			t.Fatal(err)
		}
	}
	// Statistics are read when a connection opens: new ones, then.
	reopenConnections(t, db)
	rec := recordQueries(db)
	for _, viewer := range []*models.User{nil, s.Member} {
		rec.start()
		if _, err := models.ReadingView(db, s.Rev, s.Passages, viewer, models.ReadingOptions{Sort: "newest", Preview: 3}); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, q := range rec.stop() {
			if !strings.Contains(q.SQL, "passage_number IN") {
				continue
			}
			found = true
			plan := queryPlan(t, db, q)
			// The passage index, or on SQLite the one that covers the outline (migration 7).
			if !planUses(plan, "INDEX idx_annotation_passage") || planUses(plan, "idx_annotations_status") {
				t.Errorf("as %v the reading view reads its notes by\n%s", viewer != nil, strings.Join(plan, "\n"))
			}
		}
		if !found {
			t.Fatal("no query read the passages' notes")
		}
	}
}

// reopenConnections closes the pool's idle connections, so the next
// queries open new ones, which read SQLite's statistics as they stand. By
// hand, as RefreshStatistics does it, so that the tests of that function
// do not lean on it.
func reopenConnections(t *testing.T, db *gorm.DB) *sql.DB {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxIdleConns(0)
	sqlDB.SetMaxIdleConns(8)
	return sqlDB
}

// TestRefreshStatisticsReachesEveryConnection: SQLite reads statistics
// when a connection opens, so RefreshStatistics renews the pool's idle
// connections; without that, connections opened before it kept planning
// by what they had read (here statistics that make the status index look
// selective) until they closed.
func TestRefreshStatisticsReachesEveryConnection(t *testing.T) {
	db := modeltest.Open(t)
	if models.IsPostgres(db) {
		t.Skip("PostgreSQL's statistics are shared by every connection")
	}
	// The document holds 100 of 2,000 notes over 20: by the document is
	// the better plan for its published notes, as it is among a million.
	s := seedReadingScale(t, db, 20, 2000, 100)
	bad := map[string]string{"idx_annotations_status": "1000000 1", "idx_annotation_doc": "1000000 1000000 1",
		"idx_annotation_doc_author": "1000000 1000000 1000000", "idx_annotation_passage": "1000000 1000000 1000000 1000000",
		"idx_annotation_passage_outline": "1000000 1000000 1000000 1000000 1000000 1000000 1000000 1 1 1 1 1 1 1 1 1 1"}
	for idx, stat := range bad {
		if err := db.Exec("UPDATE sqlite_stat1 SET stat = ? WHERE idx = ?", stat, idx).Error; err != nil {
			t.Fatal(err)
		}
	}
	sqlDB := reopenConnections(t, db)
	// The reading view reads in no order, which its covering index wins
	// however its statistics read; a query ordered by id, as the status
	// index is, shows the planner following the statistics.
	q := struct {
		SQL  string
		Vars []any
	}{"SELECT id, helpful_count FROM annotations WHERE status = ? AND document_id = ? ORDER BY id", []any{string(models.StatusPublished), s.Rev.DocumentID}}
	plans := func() []string {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var conns []*sql.Conn
		for range 3 {
			c, err := sqlDB.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		var out []string
		for _, c := range conns {
			var id, parent, unused int
			var detail string
			if err := c.QueryRowContext(ctx, "EXPLAIN QUERY PLAN "+q.SQL, driverValues(q.Vars)...).Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			out = append(out, detail)
			c.Close()
		}
		return out
	}
	for _, p := range plans() {
		if !strings.Contains(p, "idx_annotations_status") {
			t.Fatalf("with statistics that favour it the status index is not chosen (%s): the test proves nothing", p)
		}
	}
	if err := models.RefreshStatistics(db); err != nil {
		t.Fatal(err)
	}
	for _, p := range plans() {
		if strings.Contains(p, "idx_annotations_status") {
			t.Errorf("after RefreshStatistics a connection plans %s", p)
		}
	}
}

// BenchmarkReadingViewBusyPassage is the reading view of the busiest
// passage of a 30,000-note document (867 notes), its visitors' notes in the outline
// cache: what re-rendering one passage after a note costs the models,
// which grows with the notes on the passage (the page shows three of its
// threads, but counts, orders and highlights them all):
// go test ./models -run '^$' -bench ReadingViewBusyPassage -cpu 1.
func BenchmarkReadingViewBusyPassage(b *testing.B) {
	db := modeltest.Open(b)
	s := seedReadingScale(b, db, 1, 30000, 30000)
	var busiest models.Passage
	var most int64
	for _, p := range s.Passages {
		var n int64
		if err := db.Model(&models.Annotation{}).Where("revision_id = ? AND passage_number = ?", s.Rev.ID, p.Number).Count(&n).Error; err != nil {
			b.Fatal(err)
		}
		if n > most {
			busiest, most = p, n
		}
	}
	cache := models.NewOutlineCache()
	for _, v := range []struct {
		name   string
		viewer *models.User
	}{{"anon", nil}, {"member", s.Member}} {
		b.Run(v.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			opts := models.ReadingOptions{Sort: "newest", Preview: 3, Outlines: cache, Epoch: s.Doc.NotesEpoch, SeesVisitorsNotes: true}
			if _, err := models.ReadingView(db, s.Rev, []models.Passage{busiest}, v.viewer, opts); err != nil {
				b.Fatal(err)
			}
			cpuBegan := threadCPU()
			for range b.N {
				views, err := models.ReadingView(db, s.Rev, []models.Passage{busiest}, v.viewer, opts)
				if err != nil || len(views) != 1 {
					b.Fatal(len(views), err)
				}
			}
			b.ReportMetric(float64((threadCPU()-cpuBegan).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(most), "notes")
		})
	}
}
