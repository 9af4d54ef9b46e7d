package models

// This file holds the only SQL that differs between SQLite and PostgreSQL.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// migrationLockKey is an arbitrary constant shared by every Margin instance.
const migrationLockKey = 7_305_020_601

// withMigrationLock serialises schema changes across instances sharing one
// PostgreSQL. SQLite has one writer at a time anyway.
func withMigrationLock(db *gorm.DB, fn func(*gorm.DB) error) error {
	if !IsPostgres(db) {
		return fn(db)
	}
	return db.Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("SELECT pg_advisory_lock(?)", migrationLockKey).Error; err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		defer conn.Exec("SELECT pg_advisory_unlock(?)", migrationLockKey)
		// Connection hands over a chained instance: without a fresh session each
		// query inherits the clauses of the one before (a Select leaks into the
		// next Create, which then inserts DEFAULT VALUES).
		return fn(conn.Session(&gorm.Session{NewDB: true}))
	})
}

// caseInsensitiveLike returns the operator for a case-insensitive LIKE.
func caseInsensitiveLike(db *gorm.DB) string {
	if IsPostgres(db) {
		return "ILIKE"
	}
	return "LIKE"
}

// inStrings returns a condition "column is one of values" that binds the
// whole list as one parameter, so the statement's text is the same whatever
// the number of values and drivers can reuse its prepared form: an array
// on PostgreSQL, a JSON array read by json_each on SQLite.
func inStrings(db *gorm.DB, column string, values []string) (string, any) {
	if IsPostgres(db) {
		var b strings.Builder
		b.WriteByte('{')
		for i, v := range values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			b.WriteString(pgArrayEscaper.Replace(v))
			b.WriteByte('"')
		}
		b.WriteByte('}')
		return column + " = ANY(CAST(? AS text[]))", b.String()
	}
	list, _ := json.Marshal(values)
	return column + " IN (SELECT value FROM json_each(?))", string(list)
}

var pgArrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// txPool is the connection pool GORM sees. It does two things database/sql
// and GORM do not do on their own.
//
// It prepares a transaction's statements on the pool (see txPoolTx.PrepareContext).
//
// With a slot (SQLite), it lets one transaction at a time in. SQLite has a
// single writer anyway; without this, concurrent writers collide on the
// database lock and back off in SQLite's busy handler, sleeping for
// milliseconds while the lock is already free. Queries outside transactions
// are not held up.
type txPool struct {
	*sql.DB
	slot chan struct{} // nil: transactions run side by side (PostgreSQL)
	wait time.Duration
}

// newSerialPool serialises transactions, waiting up to wait for the slot.
func newSerialPool(db *sql.DB, wait time.Duration) *txPool {
	return &txPool{DB: db, slot: make(chan struct{}, 1), wait: wait}
}

// newTxPool lets transactions run side by side.
func newTxPool(db *sql.DB) *txPool { return &txPool{DB: db} }

// BeginTx waits for the slot, if there is one, as long as SQLite's busy
// timeout would have.
func (p *txPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	if p.slot != nil {
		timer := time.NewTimer(p.wait)
		defer timer.Stop()
		select {
		case p.slot <- struct{}{}:
		case <-timer.C:
			return nil, errors.New("database is busy: another transaction held it too long")
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	tx, err := p.DB.BeginTx(ctx, opts)
	if err != nil {
		if p.slot != nil {
			<-p.slot
		}
		return nil, err
	}
	return &txPoolTx{Tx: tx, pool: p}, nil
}

// GetDBConn gives GORM the pool for db.DB().
func (p *txPool) GetDBConn() (*sql.DB, error) { return p.DB, nil }

type txPoolTx struct {
	*sql.Tx
	pool *txPool
	once sync.Once
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

func (t *txPoolTx) release() {
	if t.pool.slot != nil {
		t.once.Do(func() { <-t.pool.slot })
	}
}

func (t *txPoolTx) Commit() error {
	defer t.release()
	return t.Tx.Commit()
}

func (t *txPoolTx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}
