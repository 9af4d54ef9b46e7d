package models_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/textimport"
)

// TestSearchAtScale times search over 1,000,000 notes and 10,000 passages.
// It is opt-in, being long: MARGIN_SEARCH_BENCH=1 (or a number of notes)
// go test ./models -run TestSearchAtScale -v -timeout 60m; with
// MARGIN_TEST_DB=postgres it runs on PostgreSQL. See README, Benchmarks.
func TestSearchAtScale(t *testing.T) {
	notes := scaleNotes(t, "MARGIN_SEARCH_BENCH", "to time search over a million notes")
	db, s := openSearchScale(t, notes)

	type query struct {
		name string
		req  models.SearchRequest
	}
	queries := []query{
		{"rare word", models.SearchRequest{Query: s.Rare}},
		{"common word", models.SearchRequest{Query: s.Common}},
		{"phrase", models.SearchRequest{Query: `"silver lantern"`}},
		{"filtered", models.SearchRequest{Query: s.Common, Filter: models.SearchFilter{Kind: models.KindQuestion, Replies: "none",
			From: s.Now.AddDate(0, -6, 0)}}},
		{"common, page 3", models.SearchRequest{Query: s.Common, Page: 3}},
	}
	viewers := []struct {
		name string
		u    *models.User
	}{{"anonymous", nil}, {"member of 5 classes", s.Member}}
	const runs = 100
	// Wall time depends on what else the machine runs; on SQLite the
	// query runs on this goroutine's thread, whose CPU time does not.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var load [3]float64
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Sscan(string(b), &load[0], &load[1], &load[2])
	}
	t.Logf("load average before: %.2f (%d CPUs)", load[0], runtime.NumCPU())
	t.Logf("%-16s %-20s %8s %8s %8s %9s %9s %6s", "query", "viewer", "p50 ms", "p99 ms", "max ms", "cpu p50", "cpu p99", "notes")
	for _, q := range queries {
		for _, v := range viewers {
			var times, cpus []time.Duration
			var found int
			for i := range runs + 3 {
				began, cpuBegan := time.Now(), threadCPU()
				r, err := models.Search(db, v.u, q.req)
				took, cpu := time.Since(began), threadCPU()-cpuBegan
				if err != nil {
					t.Fatal(err)
				}
				found = len(r.Notes)
				if i >= 3 { // the first runs warm the caches
					times, cpus = append(times, took), append(cpus, cpu)
				}
			}
			slices.Sort(times)
			slices.Sort(cpus)
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			p50, p99 := times[len(times)/2], times[len(times)*99/100]
			t.Logf("%-16s %-20s %8.2f %8.2f %8.2f %9.2f %9.2f %6d", q.name, v.name, ms(p50), ms(p99), ms(times[len(times)-1]),
				ms(cpus[len(cpus)/2]), ms(cpus[len(cpus)*99/100]), found)
			if found == 0 {
				t.Errorf("%s as %s found nothing", q.name, v.name)
			}
			if p50 > 30*time.Millisecond || p99 > 100*time.Millisecond {
				t.Errorf("%s as %s: p50 %.1f ms, p99 %.1f ms; want under 30 and 100", q.name, v.name, ms(p50), ms(p99))
			}
		}
	}
	t.Logf("rare word %q is in %d notes, common word %q in %d, the phrase in %d", s.Rare, s.RareCount, s.Common, s.CommonCount, s.PhraseCount)
}

// threadCPU is the CPU time of the calling thread so far.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type searchScale struct {
	Now                                 time.Time
	Member                              *models.User
	Passages                            int
	Rare, Common                        string
	RareCount, CommonCount, PhraseCount int
}

// openSearchScale seeds a fresh database, or, on SQLite with
// MARGIN_SEARCH_BENCH_DIR set, reuses the one seeded there before, so the
// timings can be run again without ten minutes of seeding.
func openSearchScale(t *testing.T, notes int) (*gorm.DB, searchScale) {
	dir := os.Getenv("MARGIN_SEARCH_BENCH_DIR")
	var db *gorm.DB
	if schema := os.Getenv("MARGIN_SEARCH_BENCH_SCHEMA"); schema != "" && dir != "" && modeltest.UsePostgres() {
		// A schema kept from an earlier run, whose words scale.json in dir
		// records; the first run creates and seeds it.
		b, err := os.ReadFile(filepath.Join(dir, "scale.json"))
		if os.IsNotExist(err) {
			if err := db0Exec(t, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
				t.Fatal(err)
			}
		}
		if db, err = models.Open(models.Options{DatabaseURL: modeltest.WithSearchPath(modeltest.PostgresURL(t), schema)}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { models.Close(db) })
		var s searchScale
		if b == nil {
			start := time.Now()
			s = seedSearchScale(t, db, notes)
			t.Logf("seeded %d notes, %d passages in %s into schema %s", notes, s.Passages, time.Since(start).Round(time.Second), schema)
			b, _ = json.Marshal(s)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "scale.json"), b, 0o600); err != nil {
				t.Fatal(err)
			}
			return db, s
		}
		if err == nil {
			err = json.Unmarshal(b, &s)
		}
		if err == nil {
			err = db.Where("username = ?", s.Member.Username).First(s.Member).Error
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("reusing schema %s", schema)
		return db, s
	}
	if dir == "" || modeltest.UsePostgres() {
		db = modeltest.Open(t)
	} else {
		var err error
		if db, err = models.Open(models.Options{DataDir: dir}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { models.Close(db) })
		if b, err := os.ReadFile(filepath.Join(dir, "scale.json")); err == nil {
			var s searchScale
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}
			t.Logf("reusing %s: %d notes", dir, notes)
			// An index made since the seed (a later migration) has no
			// statistics beside ones that do, and SQLite then takes it for
			// the most selective: give the tables that have one theirs.
			var stale []string
			must := func(err error) {
				if err != nil {
					t.Fatal(err)
				}
			}
			must(db.Raw(`SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
				AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)
				AND tbl_name IN (SELECT tbl FROM sqlite_stat1 WHERE idx IS NOT NULL)`).Scan(&stale).Error)
			for _, table := range stale {
				must(db.Exec("ANALYZE " + table).Error)
				t.Logf("analyzed %s, which has an index made since the seed", table)
			}
			return db, s
		}
	}
	start := time.Now()
	s := seedSearchScale(t, db, notes)
	t.Logf("seeded %d notes, %d passages in %s (%s)", notes, s.Passages, time.Since(start).Round(time.Second), db.Dialector.Name())
	if dir != "" && !modeltest.UsePostgres() {
		b, _ := json.Marshal(s)
		if err := os.WriteFile(filepath.Join(dir, "scale.json"), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return db, s
}

// seedSearchScale fills db: 100 documents of 100 passages, 2,000 writers,
// 50 classes (two of the member's with a post-first reading), and notes of 10 to 40 words drawn from a Zipf vocabulary of
// 20,000 made-up words (so the commonest is in most notes), 20% replies, a
// quarter quoting a phrase, most public and published, the rest private,
// class, held, hidden or spam. Rows go in as multi-row INSERTs, 50,000 to a
// transaction, through the triggers that keep the index.
func seedSearchScale(t *testing.T, db *gorm.DB, notes int) searchScale {
	t.Helper()
	rng := rand.New(rand.NewPCG(16, 2026))
	vocab := madeUpWords(rng, 20_000)
	zipf := rand.NewZipf(rng, 1.07, 1, uint64(len(vocab)-1))
	words := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = vocab[zipf.Uint64()]
		}
		return out
	}
	s := searchScale{Now: time.Now().UTC().Truncate(time.Second), Common: vocab[0]}

	type docRev struct{ doc, rev uint }
	var docs []docRev
	for d := range 100 {
		var md strings.Builder
		fmt.Fprintf(&md, "# Document %d %s\n\n", d, strings.Join(words(4), " "))
		for range 100 {
			md.WriteString(strings.Join(words(40), " ") + ".\n\n")
		}
		parsed, err := textimport.Parse("d.md", []byte(md.String()), textimport.FormatMarkdown, 0)
		if err != nil {
			t.Fatal(err)
		}
		res, err := models.ImportDocument(db, parsed, nil)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, docRev{res.Document.ID, res.Document.CurrentRevisionID})
		s.Passages += len(parsed.Passages)
	}

	const writers, classes = 2000, 50
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	bulk(t, db, "users", []string{"username", "password_hash", "role", "session_epoch", "created_at", "updated_at"}, writers,
		func(i int) []any { return []any{fmt.Sprintf("writer%d", i), "x", "reader", 0, s.Now, s.Now} })
	bulk(t, db, "classes", []string{"name", "join_code", "created_by_id", "created_at", "updated_at"}, classes,
		func(i int) []any {
			return []any{fmt.Sprintf("Class %d", i), fmt.Sprintf("CODE%08d", i), 1, s.Now, s.Now}
		})
	var member models.User
	must(db.Where("username = ?", "writer7").First(&member).Error)
	s.Member = &member
	// Writers are in one class each; the member is in five.
	bulk(t, db, "class_members", []string{"class_id", "user_id", "role", "joined_at"}, writers+4, func(i int) []any {
		if i >= writers {
			return []any{i - writers + 2, member.ID, "student", s.Now}
		}
		return []any{i%classes + 1, i + 1, "student", s.Now}
	})

	// Two of the member's classes read a document each with "hide until
	// posted", on which the member has not posted: every note there takes
	// the privacy rule's walk up its thread.
	bulk(t, db, "assignments", []string{"class_id", "document_id", "due_at", "time_zone", "min_annotations", "min_replies",
		"hide_until_posted", "created_by_id", "created_at", "updated_at"}, 2, func(i int) []any {
		return []any{2 + i, docs[i].doc, s.Now.AddDate(0, 1, 0), "UTC", 0, 0, true, 1, s.Now, s.Now}
	})

	cols := []string{"document_id", "revision_id", "passage_number", "exact", "prefix", "suffix", "start", `"end"`, "anchor_status",
		"parent_id", "root_id", "author_id", "kind", "counterpoint", "body", "body_html", "visibility", "class_id", "status",
		"helpful_count", "created_at", "updated_at"}
	span := 3 * 365 * 24 * time.Hour
	rareCounts := map[string]int{}
	// A note's thread and document, by id (the table starts empty): a
	// reply is in its parent's thread, on its parent's document.
	roots, docOf := make([]int32, notes+1), make([]uint8, notes+1)
	bulk(t, db, "annotations", cols, notes, func(i int) []any {
		di := rng.IntN(len(docs))
		ws := words(10 + rng.IntN(31))
		switch x := rng.IntN(1000); {
		case x < 2:
			ws = slices.Insert(ws, rng.IntN(len(ws)), "silver", "lantern")
			s.PhraseCount++
		case x < 12:
			ws = append(ws, "silver")
		case x < 22:
			ws = append(ws, "lantern")
		}
		if slices.Contains(ws, s.Common) {
			s.CommonCount++
		}
		for _, w := range ws {
			if w == vocab[9000] || w == vocab[12000] || w == vocab[15000] {
				rareCounts[w]++
			}
		}
		body := strings.Join(ws, " ")
		var exact string
		var parent, root any
		if rng.IntN(5) == 0 && i > 0 {
			p := rng.IntN(i) + 1
			parent, root = p, int(roots[p])
			roots[i+1], di = roots[p], int(docOf[p])
		} else {
			roots[i+1] = int32(i + 1)
			if rng.IntN(4) == 0 {
				exact = strings.Join(words(3+rng.IntN(4)), " ")
			}
		}
		kind := models.Kinds[rng.IntN(len(models.Kinds))]
		vis, status := models.VisibilityPublic, models.StatusPublished
		var class any
		switch x := rng.IntN(100); {
		case x < 8:
			vis = models.VisibilityPrivate
		case x < 15:
			vis, class = models.VisibilityClass, rng.IntN(classes)+1
		}
		switch x := rng.IntN(100); {
		case x < 3:
			status = models.StatusPending
		case x < 5:
			status = models.StatusHidden
		case x < 6:
			status = models.StatusSpam
		}
		docOf[i+1] = uint8(di)
		d := docs[di]
		at := s.Now.Add(-span + time.Duration(int64(span)/int64(notes)*int64(i)))
		return []any{d.doc, d.rev, 1 + rng.IntN(100), exact, "", "", 0, 0, "exact", parent, root, rng.IntN(writers) + 1,
			kind, "", body, "<p>" + body + "</p>", vis, class, status, 0, at, at}
	})
	// The rare word: the one of three whose count is nearest 30.
	s.Rare = vocab[9000]
	for w, n := range rareCounts {
		if abs(n-30) < abs(rareCounts[s.Rare]-30) {
			s.Rare = w
		}
	}
	s.RareCount = rareCounts[s.Rare]
	if models.IsPostgres(db) {
		// What autovacuum does soon after a bulk load: besides the
		// statistics, it empties the GIN indexes' pending lists, which
		// every search otherwise reads through (10 ms of a phrase's 20).
		must(db.Exec("ANALYZE").Error)
		must(db.Exec("VACUUM annotations, annotations_search, passages, passages_search, documents, documents_search").Error)
	} else {
		must(db.Exec("INSERT INTO annotations_fts(annotations_fts) VALUES ('optimize')").Error)
		must(db.Exec("ANALYZE").Error)
	}
	return s
}

// db0Exec runs one statement on the test server outside any schema.
func db0Exec(t *testing.T, stmt string) error {
	admin, err := gorm.Open(postgres.Open(modeltest.PostgresURL(t)), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return err
	}
	defer models.Close(admin)
	return admin.Exec(stmt).Error
}

// scaleNotes is how many notes an opt-in scale test seeds: it skips unless
// env is set (and under -short), 1 means a million, a larger number that many.
func scaleNotes(t *testing.T, env, why string) int {
	t.Helper()
	setting := os.Getenv(env)
	if setting == "" || testing.Short() {
		t.Skipf("set %s=1 %s", env, why)
	}
	if n, err := strconv.Atoi(setting); err == nil && n > 1 {
		return n
	}
	return 1_000_000
}

func abs(n int) int { return max(n, -n) }

// bulk inserts n rows into table, 500 to a statement and 50,000 to a transaction.
func bulk(t testing.TB, db *gorm.DB, table string, cols []string, n int, row func(i int) []any) {
	t.Helper()
	const perStatement, perTx = 500, 50_000
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for from := 0; from < n; from += perTx {
		err := db.Transaction(func(tx *gorm.DB) error {
			for at := from; at < min(n, from+perTx); at += perStatement {
				k := min(perStatement, n-at, from+perTx-at)
				args := make([]any, 0, k*len(cols))
				for i := at; i < at+k; i++ {
					args = append(args, row(i)...)
				}
				stmt := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", k), ", ")
				if err := tx.Exec(stmt, args...).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("insert into %s: %v", table, err)
		}
	}
}

// madeUpWords returns n distinct pronounceable words of two to four syllables.
func madeUpWords(rng *rand.Rand, n int) []string {
	cons, vows := "bdfgklmnprstvz", "aeiou"
	seen := map[string]bool{"silver": true, "lantern": true}
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteByte(cons[rng.IntN(len(cons))])
			b.WriteByte(vows[rng.IntN(len(vows))])
		}
		b.WriteByte(cons[rng.IntN(len(cons))])
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
