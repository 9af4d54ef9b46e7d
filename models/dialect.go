package models

// This file holds the SQL that differs between SQLite and PostgreSQL, and
// picks the full-text search engine (searchEngineFor), whose two dialects
// are search_sqlite.go and search_postgres.go.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

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

// rateLockClass sets the rate-limit buckets' advisory locks apart from any
// other use of PostgreSQL's advisory locks.
const rateLockClass = 7305

// lockRateBuckets makes the caller's transaction the only one counting in
// these buckets until it ends, so a check and the count that follows it are
// one step. On PostgreSQL that is an advisory lock per bucket (its name
// hashed), taken in order so two transactions never wait on each other.
// SQLite needs nothing: a write transaction begins IMMEDIATE, which keeps
// every other writer, in any process, out until it ends.
func lockRateBuckets(tx *gorm.DB, buckets []string) error {
	if !IsPostgres(tx) {
		return nil
	}
	sorted := slices.Clone(buckets)
	slices.Sort(sorted)
	for _, b := range slices.Compact(sorted) {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(CAST(? AS integer), hashtext(?))", rateLockClass, b).Error; err != nil {
			return fmt.Errorf("lock rate bucket: %w", err)
		}
	}
	return nil
}

// hiddenUntilPostedQuery is the query for the notes hidden until posted
// (see hiddenUntilPosted), with the same named arguments. On PostgreSQL it
// is a call of margin_hidden_until_posted, which runs that query: written
// out, PostgreSQL costs it by the recursion's guess (a hundred thousand
// units for what takes a millisecond) and charges that on every rescan of
// an inner index scan, so a phrase's few hundred matches were joined by
// reading every note (2 s) instead of fetched by id. The function tells
// it the truth: called once per query, a few rows.
func hiddenUntilPostedQuery(db *gorm.DB) string {
	if IsPostgres(db) {
		return "SELECT margin_hidden_until_posted(@viewer, @student, @published)"
	}
	return sqliteHiddenUntilPosted
}

// hiddenUntilPostedNone is, on SQLite, a test that the viewer has no
// post-first reading at all (no class where they are a student has an
// assignment hidden until posting), joined by OR before the hidden notes'
// list: then that list is empty, and SQLite, which evaluates a subquery
// that names no outer column once per statement, skips building it. Most
// viewers have none, and every logged-in page counts the unread badge
// through this rule (margin-bench read_user: the list cost each page
// about 20 µs of SQLite's time). PostgreSQL's function is left as it is.
func hiddenUntilPostedNone(db *gorm.DB) string {
	if IsPostgres(db) {
		return ""
	}
	return `NOT EXISTS (SELECT 1 FROM class_members me JOIN assignments hide ON hide.class_id = me.class_id
		AND hide.hide_until_posted = TRUE WHERE me.user_id = @viewer AND me.role = @student) OR `
}

// sqliteHiddenUntilPosted names the index for a classmate's notes on a
// reading: SQLite otherwise chose by its statistics, and with an index made
// after the last ANALYZE (so without any) it took that one, reading all of
// a reading's notes for each classmate (55 ms a search at a million notes).
var sqliteHiddenUntilPosted = strings.Replace(hiddenUntilPosted,
	"JOIN annotations peers ON", "JOIN annotations peers INDEXED BY idx_annotation_doc_author ON", 1)

// installPrivacyFunctions (re)creates margin_hidden_until_posted from the
// query in this build, so the function is never older than the code.
// STABLE: it reads in the snapshot of the statement that calls it.
// PL/pgSQL keeps the query's plan for the session (an SQL function plans
// it anew on every call: 2 ms), a plan made without the arguments' values
// after a few calls; readings is
// MATERIALIZED so that the plan starts from the viewer's few readings
// (else a merge join read every classmate's every note: 400 ms). No JIT:
// the recursion's guess passes jit_above_cost, and compiling took 60 ms.
func installPrivacyFunctions(tx *gorm.DB) error {
	if !IsPostgres(tx) {
		return nil
	}
	body := strings.NewReplacer("@viewer", "$1", "@student", "$2", "@published", "$3").Replace(hiddenUntilPosted)
	return tx.Exec(`CREATE OR REPLACE FUNCTION margin_hidden_until_posted(bigint, text, text) RETURNS SETOF bigint
		LANGUAGE plpgsql STABLE ROWS 100 SET jit = off AS $$ BEGIN RETURN QUERY ` + body + `; END $$`).Error
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

// searchEngineFor picks full-text search's engine: FTS4 on SQLite (see
// search_sqlite.go), tsvector with GIN on PostgreSQL (search_postgres.go).
func searchEngineFor(db *gorm.DB) searchEngine {
	if IsPostgres(db) {
		return postgresSearch{}
	}
	return sqliteSearch{}
}
