// Command margin-bench measures Margin under load and against two ceilings.
//
// It seeds a temporary SQLite database with the sample article and 500
// annotations by 20 users, serves Margin in-process on a loopback port and
// drives it with its own load generator: anonymous reads of the document
// page, the same page logged in, and new annotations posted through the
// real form with session and CSRF token. The ceilings are the same page
// bytes from a bare net/http handler under the same load, and single-row
// INSERT transactions on SQLite with Margin's settings. It prints a table,
// then one JSON line; it exits non-zero only when a sanity check fails (a
// missed target is marked MISSED).
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"margin/handlers"
	"margin/models"
	"margin/models/passhash"
)

// The write scenario posts far faster than any person, from one address:
// for the run each user may post postLimit notes per postWindow, and the
// per-address limit is off. The per-user check still runs on every post.
const (
	postLimit  = 10_000
	postWindow = time.Second
)

type options struct {
	duration     time.Duration
	anonClients  int
	userClients  int
	writeClients int
	mixedReaders int
	mixedWriters int
	keep         bool
	jsonOnly     bool
	cpuProfile   string
	slice        time.Duration
	sqliteSync   string
	mixedOnly    bool
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	progress := stderr
	if opts.jsonOnly {
		progress = io.Discard
	}
	b, err := newBench(opts, progress, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "margin-bench:", err)
		return 1
	}
	defer b.close()
	if opts.cpuProfile != "" {
		f, err := os.Create(opts.cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "margin-bench:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "margin-bench:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	runs, err := b.runAll()
	if err != nil {
		fmt.Fprintln(stderr, "margin-bench: SANITY CHECK FAILED:", err)
		return 1
	}
	runs.print(stdout, opts)
	return 0
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("margin-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each timed run")
	fs.IntVar(&o.anonClients, "anon-clients", 32, "concurrent clients reading the page anonymously")
	fs.IntVar(&o.userClients, "user-clients", 32, "concurrent clients reading the page logged in (one of the 20 users each)")
	fs.IntVar(&o.writeClients, "write-clients", 16, "concurrent clients posting annotations")
	fs.IntVar(&o.mixedReaders, "mixed-readers", 32, "readers in the mixed scenario (half of them logged in)")
	fs.IntVar(&o.mixedWriters, "mixed-writers", 8, "writers posting to the document in the mixed scenario")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory (database, ceiling database)")
	fs.BoolVar(&o.jsonOnly, "json-only", false, "print only the final JSON line")
	fs.DurationVar(&o.slice, "slice", time.Second, "alternate each Margin run and its ceiling in slices this long, so both see the same "+
		"background load (each still gets -duration in total); 0 runs them back to back")
	fs.StringVar(&o.sqliteSync, "sqlite-sync", "full", "SQLite `durability` of Margin and of the write ceiling alike: full (Margin's default) or normal (MARGIN_SQLITE_SYNC=normal)")
	fs.BoolVar(&o.mixedOnly, "mixed-only", false, "run the checks and the mixed scenario only (to iterate on it; its ratios are within the run)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the timed runs to `file`; samples carry the labels scenario and side (client/server)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.duration <= 0 || o.anonClients < 1 || o.userClients < 1 || o.writeClients < 1 || o.mixedReaders < 2 || o.mixedWriters < 1 {
		fmt.Fprintln(stderr, "margin-bench: -duration and every client count must be positive")
		return o, flag.ErrHelp
	}
	return o, nil
}

// bench is one run's database, fixture and in-process Margin.
type bench struct {
	opts     options
	progress io.Writer
	stderr   io.Writer
	dir      string
	db       *gorm.DB
	fx       *fixture
	margin   *server
	docURL   string
	wrap     func(http.Handler) http.Handler
}

func newBench(opts options, progress, stderr io.Writer) (*bench, error) {
	dir, err := os.MkdirTemp("", "margin-bench-")
	if err != nil {
		return nil, err
	}
	b := &bench{opts: opts, progress: progress, stderr: stderr, dir: dir, wrap: func(h http.Handler) http.Handler { return h }}
	if opts.cpuProfile != "" {
		b.wrap = labelScenario
	}
	fmt.Fprintf(progress, "seeding %s …\n", dir)
	if b.db, err = models.Open(models.Options{DataDir: filepath.Join(dir, "margin"), SQLiteSync: opts.sqliteSync}); err != nil {
		b.close()
		return nil, err
	}
	if b.fx, err = seed(b.db); err != nil {
		b.close()
		return nil, err
	}
	e, err := handlers.New(b.db, handlers.Config{
		SessionHashKey:  randomBytes(64),
		SessionBlockKey: randomBytes(32),
		PasswordCost:    passhash.Fast,
		Logger:          slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		PostPerUser:     postLimit,
		PostPerIP:       -1,
		PostWindow:      postWindow,
	})
	if err != nil {
		b.close()
		return nil, err
	}
	if b.margin, err = serve(b.wrap(e)); err != nil {
		b.close()
		return nil, err
	}
	b.docURL = fmt.Sprintf("%s/documents/%d", b.margin.base, b.fx.doc.ID)
	return b, nil
}

func (b *bench) close() {
	if b.margin != nil {
		b.margin.close()
	}
	if b.db != nil {
		models.Close(b.db)
	}
	if b.opts.keep {
		fmt.Fprintln(b.stderr, "margin-bench: kept", b.dir)
		return
	}
	os.RemoveAll(b.dir)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// labelScenario tags the server's work on each request with its scenario,
// so `go tool pprof -tagfocus=scenario=write -tagignore=side=client` shows
// the server side of one of them.
func labelScenario(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		labels := pprof.Labels("side", "server", "scenario", r.Header.Get(scenarioHeader))
		pprof.Do(r.Context(), labels, func(ctx context.Context) { h.ServeHTTP(w, r.WithContext(ctx)) })
	})
}

// timed runs drive for d, labelling the clients' side for the profile.
func (b *bench) timed(name string, loops []request) func(time.Duration) *result {
	return func(d time.Duration) *result {
		var res *result
		pprof.Do(context.Background(), pprof.Labels("side", "client", "scenario", name), func(context.Context) {
			res = drive(name, loops, d)
		})
		return res
	}
}

// compare measures a Margin scenario against its ceiling, interleaved.
func (b *bench) compare(name string, margin []request, ceilingName string, ceiling []request) (*result, *result) {
	fmt.Fprintf(b.progress, "running %s (%d clients) against %s (%d), %s each, alternating every %s …\n",
		name, len(margin), ceilingName, len(ceiling), b.opts.duration, b.opts.slice)
	return interleave(b.timed(name, margin), b.timed(ceilingName, ceiling), b.opts.duration, b.opts.slice)
}

// runs is everything one invocation measured.
type runs struct {
	pageBytes, userPageBytes int
	anon, anonCeiling        *result
	user, userCeiling        *result
	write, insertCeiling     *result
	mixed                    *mixedRuns
	seeded                   map[string]int
}

func (b *bench) runAll() (*runs, error) {
	o := b.opts
	rs := &runs{seeded: b.fx.counts}
	anonBody, anonETag, err := checkAnon(newClient(newTransport(1)), b.docURL, b.fx)
	if err != nil {
		return nil, err
	}
	rs.pageBytes = len(anonBody)
	userTr := newTransport(o.userClients)
	userClients, err := b.loggedIn(userTr, o.userClients)
	if err != nil {
		return nil, err
	}
	userBody, err := checkUsers(userClients, b.docURL, b.fx, anonBody, anonETag)
	if err != nil {
		return nil, err
	}
	rs.userPageBytes = len(userBody)
	if o.mixedOnly {
		rs.anon, rs.anonCeiling, rs.user, rs.userCeiling = &result{}, &result{}, &result{}, &result{}
		rs.write, rs.insertCeiling = &result{}, &result{}
		var newest newestAnnotation
		if rs.mixed, err = b.mixed(&newest); err != nil {
			return nil, err
		}
		return rs, nil
	}

	anonTr := newTransport(o.anonClients)
	anonLoops := make([]request, o.anonClients)
	for i := range anonLoops {
		anonLoops[i] = getLoop(newClient(anonTr), b.docURL, "read anon", len(anonBody))
	}
	bare, stop, err := pageCeiling("bare anon page", anonBody, o.anonClients, b.wrap)
	if err != nil {
		return nil, err
	}
	rs.anon, rs.anonCeiling = b.compare("read anon", anonLoops, "bare anon page", bare)
	stop()

	userLoops := make([]request, len(userClients))
	for i, c := range userClients {
		userLoops[i] = getLoop(c, b.docURL, "read user", 0)
	}
	if bare, stop, err = pageCeiling("bare user page", userBody, o.userClients, b.wrap); err != nil {
		return nil, err
	}
	rs.user, rs.userCeiling = b.compare("read user", userLoops, "bare user page", bare)
	stop()

	var newest newestAnnotation
	if rs.mixed, err = b.mixed(&newest); err != nil {
		return nil, err
	}
	writeLoops, err := b.writers(o.writeClients, 100, &newest)
	if err != nil {
		return nil, err
	}
	sqlDB, err := b.db.DB()
	if err != nil {
		return nil, err
	}
	inserts, stop, err := insertCeiling(b.dir, o.sqliteSync, o.writeClients, sqlDB.Stats().MaxOpenConnections)
	if err != nil {
		return nil, err
	}
	rs.write, rs.insertCeiling = b.compare("write", writeLoops, "sqlite insert", inserts)
	stop()
	// A post the spam check held is not shown to visitors: look for the
	// newest one that was published.
	var published uint64
	if err := b.db.Model(&models.Annotation{}).Where("id <= ? AND status = ? AND visibility = ?", newest.id,
		models.StatusPublished, models.VisibilityPublic).Select("COALESCE(MAX(id), 0)").Scan(&published).Error; err != nil {
		return nil, err
	}
	if err := checkAfterWrites(newClient(newTransport(1)), b.docURL, anonETag, published); err != nil {
		return nil, err
	}
	return rs, nil
}

// loggedIn makes n clients, each logged in as one of the seeded users in
// turn, each with its own cookie jar and session.
func (b *bench) loggedIn(tr *http.Transport, n int) ([]*http.Client, error) {
	out := make([]*http.Client, n)
	for i := range out {
		out[i] = newClient(tr)
		if err := login(out[i], b.margin.base, b.fx.users[i%len(b.fx.users)].Username, benchPassword); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// writers logs in n posting clients, reads each one's CSRF token from the
// composer on the document page, and returns their request loops; their
// texts are seeded from seed up, so no two writers repeat each other.
func (b *bench) writers(n int, seed uint64, newest *newestAnnotation) ([]request, error) {
	tr := newTransport(n)
	clients, err := b.loggedIn(tr, n)
	if err != nil {
		return nil, err
	}
	target := fmt.Sprintf("%s/documents/%d/annotations", b.margin.base, b.fx.doc.ID)
	loops := make([]request, len(clients))
	for i, c := range clients {
		p, err := fetch(c, http.MethodGet, b.docURL, "write", nil, nil)
		if err != nil {
			return nil, err
		}
		token := csrfOf(p.body)
		if p.status != http.StatusOK || token == "" {
			return nil, fmt.Errorf("write client %d: the document page (status %d) has no form with a CSRF token", i, p.status)
		}
		w := newWriter(seed+uint64(i), b.fx.passages, userNames[:seedUsers])
		loops[i] = postLoop(c, target, token, renderedOf(p.body), w, newest.record)
	}
	return loops, nil
}

// newestAnnotation remembers the highest annotation id the posts were sent to.
type newestAnnotation struct {
	mu sync.Mutex
	id uint64
}

func (n *newestAnnotation) record(location string) {
	_, frag, ok := strings.Cut(location, "#a-")
	if !ok {
		return
	}
	id, err := strconv.ParseUint(frag, 10, 64)
	if err != nil {
		return
	}
	n.mu.Lock()
	n.id = max(n.id, id)
	n.mu.Unlock()
}
