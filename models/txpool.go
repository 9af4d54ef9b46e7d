package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// txPool is the connection pool GORM sees. It does what database/sql and
// GORM do not do on their own.
//
// It prepares a transaction's statements on the pool (see
// txPoolTx.PrepareContext), on both databases.
//
// On SQLite it takes turns and commits in groups. SQLite has a single
// writer: transactions that run side by side collide on the database lock
// and back off in SQLite's busy handler, sleeping for milliseconds while the
// lock is already free. Here one transaction at a time has the turn, and the
// others wait in line. When a transaction finishes its work while others are
// waiting, it does not commit: it hands the turn, and the still open SQLite
// transaction, to the next in line, whose work follows in the same SQLite
// transaction under a savepoint of its own. The last of the group commits
// for all. A commit writes every page the group changed once, where
// one-by-one commits wrote the pages they share (the table's last page, the
// indexes) once each; and the turn passes without a BEGIN and a COMMIT in
// between.
//
// Each transaction still succeeds or fails on its own: one that rolls back
// is undone to its savepoint and the others' work stands; one that commits
// is told so only once the group's COMMIT has succeeded, and is told of its
// failure if it fails. Queries outside transactions are not held up.
type txPool struct {
	*sql.DB
	grouped bool          // false: transactions run side by side (PostgreSQL)
	wait    time.Duration // how long a transaction waits for its turn
	// maxGroup bounds how many transactions share one commit, and so how
	// long the first of them waits to hear that its work is saved.
	maxGroup int

	mu    sync.Mutex
	busy  bool            // a transaction has the turn
	queue []chan struct{} // transactions waiting for it, first come first served
	open  *txGroup        // the SQLite transaction the turn's holder works in
	seq   uint64          // names savepoints
	// writer is the one connection grouped transactions run on. SQLite
	// throws a connection's page cache away whenever another connection
	// has written since its last transaction; with every write on one
	// connection, its cache stays warm from one group to the next.
	writer *sql.Conn

	commits atomic.Int64 // SQLite COMMITs, each for a group
}

// txGroup is one SQLite transaction shared by a group of Margin transactions.
type txGroup struct {
	tx      *sql.Tx
	members int           // transactions that finished their work in it
	saved   int           // of those, the ones that kept their work
	done    chan struct{} // closed once the group has committed or failed
	err     error         // why it failed, readable after done
}

// defaultMaxGroup bounds a commit group; past a few dozen the gain is spent
// and the first member waits longer.
const defaultMaxGroup = 32

// newSerialPool takes turns and commits in groups, each transaction waiting
// up to wait for its turn.
func newSerialPool(db *sql.DB, wait time.Duration) *txPool {
	return &txPool{DB: db, grouped: true, wait: wait, maxGroup: defaultMaxGroup}
}

// newTxPool lets transactions run side by side.
func newTxPool(db *sql.DB) *txPool { return &txPool{DB: db} }

// errBusy is what a transaction that waited too long for its turn gets.
var errBusy = errors.New("database is busy: another transaction held it too long")

// BeginTx starts a transaction. On SQLite it waits for its turn as long as
// SQLite's busy timeout would have, then joins the open SQLite transaction
// or begins one. The transaction's context only governs the wait and is
// not kept by the SQLite transaction, which is shared. (A statement run with
// a context that is then cancelled would still end the whole group, since
// SQLite rolls back an interrupted transaction; every member would be told
// it failed. Margin's queries carry no cancellable context.)
func (p *txPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	if !p.grouped {
		tx, err := p.DB.BeginTx(ctx, opts)
		if err != nil {
			return nil, err
		}
		return &txPoolTx{Tx: tx, pool: p}, nil
	}
	if opts != nil && (opts.ReadOnly || opts.Isolation != sql.LevelDefault) {
		return nil, fmt.Errorf("SQLite transactions take no options (asked for %+v)", *opts)
	}
	if err := p.takeTurn(ctx); err != nil {
		return nil, err
	}
	g := p.open
	if g == nil {
		tx, err := p.beginOnWriter(context.WithoutCancel(ctx))
		if err != nil {
			p.passTurn()
			return nil, err
		}
		g = &txGroup{tx: tx, done: make(chan struct{})}
		p.open = g
	}
	p.seq++
	savepoint := fmt.Sprintf("margin_tx_%d", p.seq)
	if _, err := g.tx.Exec("SAVEPOINT " + savepoint); err != nil {
		p.fail(g, err)
		return nil, err
	}
	return &txPoolTx{Tx: g.tx, pool: p, group: g, savepoint: savepoint}, nil
}

// beginOnWriter begins a SQLite transaction on the writer connection,
// taking a fresh one if it broke. Only the turn's holder calls it.
func (p *txPool) beginOnWriter(ctx context.Context) (*sql.Tx, error) {
	for attempt := 0; ; attempt++ {
		if p.writer == nil {
			w, err := p.DB.Conn(ctx)
			if err != nil {
				return nil, err
			}
			p.writer = w
		}
		tx, err := p.writer.BeginTx(ctx, nil)
		if err == nil || attempt > 0 || !errors.Is(err, driver.ErrBadConn) && !errors.Is(err, sql.ErrConnDone) {
			return tx, err
		}
		p.writer.Close()
		p.writer = nil
	}
}

// close gives the writer connection back, so that the pool can close. It
// waits for its turn like a transaction, and settles a group handed to it.
func (p *txPool) close() {
	if err := p.takeTurn(context.Background()); err != nil {
		return // held for longer than the busy timeout: the pool closes it
	}
	p.settle()
	if p.writer != nil {
		p.writer.Close()
		p.writer = nil
	}
	p.passTurn()
}

// takeTurn waits until the caller has the turn.
func (p *txPool) takeTurn(ctx context.Context) error {
	p.mu.Lock()
	if !p.busy {
		p.busy = true
		p.mu.Unlock()
		return nil
	}
	mine := make(chan struct{})
	p.queue = append(p.queue, mine)
	p.mu.Unlock()

	timer := time.NewTimer(p.wait)
	defer timer.Stop()
	var err error
	select {
	case <-mine:
		return nil
	case <-timer.C:
		err = errBusy
	case <-ctx.Done():
		err = ctx.Err()
	}
	p.mu.Lock()
	for i, c := range p.queue {
		if c == mine {
			p.queue = append(p.queue[:i], p.queue[i+1:]...)
			p.mu.Unlock()
			return err
		}
	}
	p.mu.Unlock()
	// The turn was handed over as we gave up: pass it on, so that a group
	// left open for us is committed by someone.
	p.endTurn()
	return err
}

// endTurn is called by the turn's holder when its work is over (kept or
// undone). With others waiting and room in the group it hands them the
// turn and the open transaction; otherwise it commits the group (or rolls
// back one whose every member undid its work) and then passes the turn.
func (p *txPool) endTurn() {
	p.mu.Lock()
	g := p.open
	if g != nil && len(p.queue) > 0 && g.members < p.maxGroup {
		p.handOverLocked()
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	p.settle()
	p.passTurn()
}

// settle commits the open group (or rolls back one whose every member
// undid its work) and tells its members. Only the turn's holder calls it.
func (p *txPool) settle() {
	g := p.open
	if g == nil {
		return
	}
	p.open = nil
	var err error
	if g.saved > 0 {
		p.commits.Add(1)
		err = g.tx.Commit()
	} else {
		err = g.tx.Rollback()
	}
	g.finish(err)
}

// passTurn gives the turn to the next in line, or frees it.
func (p *txPool) passTurn() {
	p.mu.Lock()
	if len(p.queue) > 0 {
		p.handOverLocked()
	} else {
		p.busy = false
	}
	p.mu.Unlock()
}

func (p *txPool) handOverLocked() {
	next := p.queue[0]
	p.queue = p.queue[1:]
	close(next)
}

// fail abandons a group whose SQLite transaction broke (SQLite rolls back
// a whole transaction after some errors): every member is told, and the
// turn passes.
func (p *txPool) fail(g *txGroup, err error) {
	p.open = nil
	g.tx.Rollback()
	g.finish(fmt.Errorf("the shared transaction failed: %w", err))
	p.passTurn()
}

func (g *txGroup) finish(err error) {
	g.err = err
	close(g.done)
}

// GetDBConn gives GORM the pool for db.DB().
func (p *txPool) GetDBConn() (*sql.DB, error) { return p.DB, nil }

// txPoolTx is one Margin transaction: a database/sql transaction of its
// own on PostgreSQL, a member of a group under a savepoint on SQLite.
type txPoolTx struct {
	*sql.Tx
	pool      *txPool
	group     *txGroup // nil on PostgreSQL
	savepoint string
	ended     bool
}

// poolPrepareWait bounds how long a transaction waits for a free connection
// to prepare a statement on before preparing it on its own.
const poolPrepareWait = time.Second

// PrepareContext prepares query on the pool rather than on the
// transaction's connection. GORM keeps the first statement it prepares for
// a query and hands it to every later transaction; a statement prepared by
// a transaction belongs to that transaction, and database/sql prepares it
// again on every later use (a tenth of a millisecond on SQLite for each
// statement of each write, a round trip on PostgreSQL). A pool statement is
// prepared once per connection and reused. If no connection comes free
// quickly (every one held by a transaction), the statement is prepared on
// the transaction's own: slower later, never stuck.
func (t *txPoolTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	wait, cancel := context.WithTimeout(ctx, poolPrepareWait)
	defer cancel()
	stmt, err := t.pool.DB.PrepareContext(wait, query)
	if err == nil || ctx.Err() != nil {
		return stmt, err
	}
	return t.Tx.PrepareContext(ctx, query)
}

// Commit keeps the transaction's work. In a group it returns once the
// group's COMMIT has succeeded, or with the reason it failed.
func (t *txPoolTx) Commit() error {
	if t.group == nil {
		return t.Tx.Commit()
	}
	if err := t.end("RELEASE "+t.savepoint, true); err != nil {
		return err
	}
	<-t.group.done
	return t.group.err
}

// Rollback undoes the transaction's work; the rest of its group is not
// touched.
func (t *txPoolTx) Rollback() error {
	if t.group == nil {
		return t.Tx.Rollback()
	}
	return t.end("ROLLBACK TO "+t.savepoint+"; RELEASE "+t.savepoint, false)
}

// end closes the member's savepoint with closing and ends its turn; a
// failure means the shared transaction broke, and the whole group fails.
func (t *txPoolTx) end(closing string, saved bool) error {
	if t.ended {
		return sql.ErrTxDone
	}
	t.ended = true
	g, p := t.group, t.pool
	if _, err := g.tx.Exec(closing); err != nil {
		p.fail(g, err)
		return err
	}
	g.members++
	if saved {
		g.saved++
	}
	p.endTurn()
	return nil
}
