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

// serialPool lets one transaction at a time into SQLite. SQLite has a single
// writer anyway; without this, concurrent writers collide on the database
// lock and back off in SQLite's busy handler, sleeping for milliseconds while
// the lock is already free. Queries outside transactions are not held up.
type serialPool struct {
	*sql.DB
	slot chan struct{}
	wait time.Duration
}

func newSerialPool(db *sql.DB, wait time.Duration) *serialPool {
	return &serialPool{DB: db, slot: make(chan struct{}, 1), wait: wait}
}

// BeginTx waits for the slot as long as SQLite's busy timeout would have.
func (p *serialPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	timer := time.NewTimer(p.wait)
	defer timer.Stop()
	select {
	case p.slot <- struct{}{}:
	case <-timer.C:
		return nil, errors.New("database is busy: another transaction held it too long")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	tx, err := p.DB.BeginTx(ctx, opts)
	if err != nil {
		<-p.slot
		return nil, err
	}
	return &serialTx{Tx: tx, pool: p}, nil
}

// GetDBConn gives GORM the pool for db.DB().
func (p *serialPool) GetDBConn() (*sql.DB, error) { return p.DB, nil }

type serialTx struct {
	*sql.Tx
	pool *serialPool
	once sync.Once
}

func (t *serialTx) release() { t.once.Do(func() { <-t.pool.slot }) }

func (t *serialTx) Commit() error {
	defer t.release()
	return t.Tx.Commit()
}

func (t *serialTx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}
