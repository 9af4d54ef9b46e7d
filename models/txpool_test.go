package models

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// groupedDB is a SQLite database behind a grouping txPool, with one table.
func groupedDB(t *testing.T) (*gorm.DB, *txPool) {
	t.Helper()
	sqlDB, err := sql.Open(sqlite.DriverName, sqliteDSN(filepath.Join(t.TempDir(), "g.db")))
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(8)
	t.Cleanup(func() { sqlDB.Close() })
	pool := newSerialPool(sqlDB, 10*time.Second)
	db, err := gorm.Open(sqlite.New(sqlite.Config{Conn: pool}), &gorm.Config{PrepareStmt: true, Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, owner TEXT NOT NULL UNIQUE)").Error; err != nil {
		t.Fatal(err)
	}
	return db, pool
}

func rowExists(t *testing.T, db *gorm.DB, owner string) bool {
	t.Helper()
	var n int64
	if err := db.Raw("SELECT count(*) FROM rows WHERE owner = ?", owner).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// holdTurn begins a transaction on pool that writes a row and keeps the turn.
func holdTurn(t *testing.T, pool *txPool, owner string) *txPoolTx {
	t.Helper()
	tx, err := pool.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(t.Context(), "INSERT INTO rows (owner) VALUES (?)", owner); err != nil {
		t.Fatal(err)
	}
	return tx.(*txPoolTx)
}

// waitQueued waits until n callers wait for the turn.
func waitQueued(t *testing.T, pool *txPool, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		pool.mu.Lock()
		queued := len(pool.queue)
		pool.mu.Unlock()
		if queued == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d callers wait for the turn, want %d", queued, n)
		}
	}
}

var errUndo = errors.New("undo this one")

// TestGroupedTransactionsSucceedAndFailAlone runs many transactions at
// once: every one that commits is saved and visible as soon as it returns,
// every one that fails (by its own choice, by a constraint, inside a nested
// transaction) leaves nothing and takes nothing of the others with it.
func TestGroupedTransactionsSucceedAndFailAlone(t *testing.T) {
	db, pool := groupedDB(t)
	const workers, each = 16, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				owner := fmt.Sprintf("w%d-%d", w, i)
				err := db.Transaction(func(tx *gorm.DB) error {
					if err := tx.Exec("INSERT INTO rows (owner) VALUES (?)", owner).Error; err != nil {
						return err
					}
					switch i % 5 {
					case 1: // gives up after writing
						return errUndo
					case 2: // breaks a constraint after writing
						return tx.Exec("INSERT INTO rows (owner) VALUES (?)", owner).Error
					case 3: // a nested transaction that fails, inside one that commits
						nested := tx.Transaction(func(inner *gorm.DB) error {
							if err := inner.Exec("INSERT INTO rows (owner) VALUES (?)", owner+"-inner").Error; err != nil {
								return err
							}
							return errUndo
						})
						if !errors.Is(nested, errUndo) {
							return fmt.Errorf("nested: %v", nested)
						}
					}
					return nil
				})
				want := i%5 != 1 && i%5 != 2
				switch {
				case want && err != nil:
					errs <- fmt.Errorf("%s: %v", owner, err)
				case !want && err == nil:
					errs <- fmt.Errorf("%s: committed, want an error", owner)
				case rowExists(t, db, owner) != want:
					errs <- fmt.Errorf("%s: saved %v just after the transaction returned, want %v", owner, !want, want)
				case rowExists(t, db, owner+"-inner"):
					errs <- fmt.Errorf("%s: the failed nested transaction's row was saved", owner)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int64
	db.Raw("SELECT count(*) FROM rows").Scan(&n)
	if want := int64(workers * each * 3 / 5); n != want {
		t.Errorf("%d rows saved, want %d", n, want)
	}
	t.Logf("%d transactions, %d SQLite commits", workers*each, pool.commits.Load())
}

// TestWaitingTransactionsShareOneCommit holds the turn while five others
// queue for it: when it ends they run one after another in the same SQLite
// transaction, and one COMMIT saves all six.
func TestWaitingTransactionsShareOneCommit(t *testing.T) {
	db, pool := groupedDB(t)
	first := holdTurn(t, pool, "first")
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Go(func() {
			errs[i] = db.Transaction(func(tx *gorm.DB) error {
				return tx.Exec("INSERT INTO rows (owner) VALUES (?)", fmt.Sprintf("queued-%d", i)).Error
			})
		})
	}
	waitQueued(t, pool, 5)
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("queued %d: %v", i, err)
		}
	}
	var n int64
	db.Raw("SELECT count(*) FROM rows").Scan(&n)
	if n != 6 {
		t.Errorf("%d rows, want 6", n)
	}
	if c := pool.commits.Load(); c != 1 {
		t.Errorf("%d commits, want 1 for the group of six", c)
	}
}

// TestGroupFailureReachesEveryMember breaks the shared transaction under a
// member that had been handed the turn: the members that committed before
// it are told their work was not saved, and it was not.
func TestGroupFailureReachesEveryMember(t *testing.T) {
	db, pool := groupedDB(t)
	first := holdTurn(t, pool, "first")
	second := make(chan error, 1)
	go func() {
		second <- db.Transaction(func(tx *gorm.DB) error {
			// Ends the shared SQLite transaction behind the pool's back,
			// as SQLite itself does after some errors.
			if err := tx.Exec("ROLLBACK").Error; err != nil {
				return err
			}
			return nil
		})
	}()
	waitQueued(t, pool, 1)
	if err := first.Commit(); err == nil {
		t.Error("the first transaction was told it committed")
	}
	if err := <-second; err == nil {
		t.Error("the second transaction was told it committed")
	}
	if rowExists(t, db, "first") {
		t.Error("the first transaction's row was saved")
	}
	// The pool is usable again.
	if err := db.Transaction(func(tx *gorm.DB) error {
		return tx.Exec("INSERT INTO rows (owner) VALUES ('after')").Error
	}); err != nil || !rowExists(t, db, "after") {
		t.Errorf("after the failure: %v", err)
	}
}

// TestCloseReleasesTheWriterConnection: the connection grouped
// transactions run on goes back when the database is closed.
func TestCloseReleasesTheWriterConnection(t *testing.T) {
	db, err := Open(Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Transaction(func(tx *gorm.DB) error {
		return tx.Exec("INSERT INTO moderation_settings (name, value, updated_at) VALUES ('x', 'y', CURRENT_TIMESTAMP)").Error
	}); err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	if err := Close(db); err != nil {
		t.Fatal(err)
	}
	if open := sqlDB.Stats().OpenConnections; open != 0 {
		t.Errorf("%d connections still open after Close", open)
	}
}

// TestCloseSettlesAGroupHandedToIt: closing while a transaction holds the
// turn waits for it, commits what it was handed, then releases the writer.
func TestCloseSettlesAGroupHandedToIt(t *testing.T) {
	db, pool := groupedDB(t)
	first := holdTurn(t, pool, "before close")
	closed := make(chan struct{})
	go func() { pool.close(); close(closed) }()
	waitQueued(t, pool, 1)
	committed := make(chan error, 1)
	go func() { committed <- first.Commit() }()
	select {
	case err := <-committed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the commit handed to close never finished")
	}
	<-closed
	if !rowExists(t, db, "before close") {
		t.Error("the row committed before close was lost")
	}
	if pool.writer != nil {
		t.Error("close kept the writer connection")
	}
}

// TestSerialPoolWaitIsBounded checks that a transaction waiting for its
// turn at SQLite gives up with an error, as SQLite's busy timeout would,
// instead of hanging.
func TestSerialPoolWaitIsBounded(t *testing.T) {
	db, err := Open(Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer Close(db)
	sqlDB, _ := db.DB()
	pool := newSerialPool(sqlDB, 50*time.Millisecond)
	held, err := pool.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := pool.BeginTx(t.Context(), nil); err == nil || !strings.Contains(err.Error(), "busy") {
		t.Fatalf("second transaction: %v, want a busy error", err)
	}
	if waited := time.Since(start); waited < 40*time.Millisecond || waited > 2*time.Second {
		t.Fatalf("waited %v", waited)
	}
	if err := held.(*txPoolTx).Rollback(); err != nil {
		t.Fatal(err)
	}
	next, err := pool.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatalf("after the first ended: %v", err)
	}
	next.(*txPoolTx).Commit()
}
