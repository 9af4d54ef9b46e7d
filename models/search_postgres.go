package models

import (
	"database/sql"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"margin/models/ftsquery"
)

// postgresSearch keeps a tsvector per row in a side table (a column on the
// table itself would travel with every SELECT * of it), indexed with GIN
// and filled by a trigger. The text search configuration margin_search is
// English (stemming, stop words) with unaccent in front when the extension
// can be had, so "cafe" finds "café"; without it, words are only
// lower-cased and stemmed.
type postgresSearch struct{}

const pgSearchConfig = "margin_search"

func pgSearchTable(idx ftsIndex) string { return idx.table + "_search" }

// pgVector is the expression for a row's tsvector, each column weighted A,
// B, C in the order of importance.
func pgVector(idx ftsIndex, row string) string {
	parts := make([]string, len(idx.columns))
	for i, col := range idx.columns {
		parts[i] = fmt.Sprintf("setweight(to_tsvector('%s', coalesce(%s.%s, '')), '%c')", pgSearchConfig, row, col, 'A'+i)
	}
	return strings.Join(parts, " || ")
}

func (postgresSearch) install(tx *gorm.DB) error {
	if err := installSearchConfig(tx); err != nil {
		return err
	}
	for _, idx := range searchIndexes {
		side, fn := pgSearchTable(idx), "margin_"+pgSearchTable(idx)
		stmts := []string{
			fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (id bigint PRIMARY KEY REFERENCES %s(id) ON DELETE CASCADE, vector tsvector NOT NULL)", side, idx.table),
			fmt.Sprintf("INSERT INTO %s (id, vector) SELECT id, %s FROM %s ON CONFLICT (id) DO UPDATE SET vector = EXCLUDED.vector",
				side, pgVector(idx, idx.table), idx.table),
			fmt.Sprintf("CREATE INDEX IF NOT EXISTS idx_%s_vector ON %s USING GIN (vector)", side, side),
			fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO %s (id, vector) VALUES (NEW.id, %s)
	ON CONFLICT (id) DO UPDATE SET vector = EXCLUDED.vector;
	RETURN NULL;
END $$`, fn, side, pgVector(idx, "NEW")),
			fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %s", fn, idx.table),
			fmt.Sprintf("CREATE TRIGGER %s AFTER INSERT OR UPDATE OF %s ON %s FOR EACH ROW EXECUTE FUNCTION %s()",
				fn, strings.Join(idx.columns, ", "), idx.table, fn),
		}
		for _, s := range stmts {
			if err := tx.Exec(s).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// installSearchConfig creates margin_search, with unaccent if the extension
// is installed or may be (it is a trusted extension: a database owner may
// create it). It goes in public so that every schema of the database can
// share it.
func installSearchConfig(tx *gorm.DB) error {
	tx.SavePoint("unaccent")
	if err := tx.Exec("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public").Error; err != nil {
		tx.RollbackTo("unaccent")
	}
	var schema string
	if err := tx.Raw("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'").Scan(&schema).Error; err != nil {
		return err
	}
	var exists bool
	if err := tx.Raw("SELECT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = ? AND cfgnamespace = current_schema()::regnamespace)", pgSearchConfig).Scan(&exists).Error; err != nil {
		return err
	}
	if exists { // the migration runs again (tests do that)
		return nil
	}
	if err := tx.Exec("CREATE TEXT SEARCH CONFIGURATION " + pgSearchConfig + " (COPY = pg_catalog.english)").Error; err != nil {
		return err
	}
	if schema == "" {
		return nil
	}
	return tx.Exec(fmt.Sprintf("ALTER TEXT SEARCH CONFIGURATION %s ALTER MAPPING FOR hword, hword_part, word WITH %s.unaccent, english_stem",
		pgSearchConfig, schema)).Error
}

// rebuild has nothing to do: a GIN index has no order, and margin_search
// folds accents with unaccent since migration 4 made it.
func (postgresSearch) rebuild(*gorm.DB) error { return nil }

// repair has nothing to do: PostgreSQL changes columns in place, triggers stay.
func (postgresSearch) repair(*gorm.DB) error { return nil }

// session runs fn in a read-only transaction that plans each statement for
// its own query. Margin prepares every statement, and after five runs
// PostgreSQL may switch to one generic plan that cannot know how common
// the words are: a plan made for a common word (walk the newest notes,
// test each) then serves a rare word or a phrase, and reads every note.
// JIT is off: the privacy rule's subqueries push a common word's estimated
// cost past jit_above_cost, and compiling them took 700 ms of a 10 ms query.
// No parallel workers either: starting them costs more than a search that
// stops at its window (20 ms of 40, and 250 ms under load).
func (postgresSearch) session(db *gorm.DB, fn func(*gorm.DB) error) error {
	return db.Transaction(func(tx *gorm.DB) error {
		for _, set := range []string{"SET LOCAL plan_cache_mode = force_custom_plan", "SET LOCAL jit = off",
			"SET LOCAL max_parallel_workers_per_gather = 0"} {
			if err := tx.Exec(set).Error; err != nil {
				return err
			}
		}
		return fn(tx)
	}, &sql.TxOptions{ReadOnly: true})
}

func pgQuery() string { return "to_tsquery('" + pgSearchConfig + "', ?)" }

func (postgresSearch) match(base *gorm.DB, idx ftsIndex, q ftsquery.Query) *gorm.DB {
	side := pgSearchTable(idx)
	return base.Joins(fmt.Sprintf("JOIN %s ON %s.id = %s.id", side, side, idx.table)).
		Where(side+".vector @@ "+pgQuery(), q.Postgres())
}

func (e postgresSearch) candidates(base *gorm.DB, idx ftsIndex, q ftsquery.Query, limit int) ([]scored, error) {
	side := pgSearchTable(idx)
	var out []scored
	// ts_rank reads only the row's own vector: no corpus-wide count, so no
	// note the viewer may not see moves the ranking (see bm25). Weights
	// match columnWeight. No length normalisation: the options divide by
	// the whole length or its log, and either outweighs a second occurrence.
	err := e.match(base, idx, q).
		Select(fmt.Sprintf("%s.id, ts_rank('{0.4, 0.4, 0.6, 1}'::real[], %s.vector, %s) AS score", idx.table, side, pgQuery()), q.Postgres()).
		Order(idx.table + ".id DESC").Limit(limit).Scan(&out).Error
	return out, err
}

func (e postgresSearch) remainder(base *gorm.DB, idx ftsIndex, q ftsquery.Query, below uint, offset, limit int) ([]uint, error) {
	var ids []uint
	err := e.match(base, idx, q).Where(idx.table+".id < ?", below).
		Order(idx.table+".id DESC").Offset(offset).Limit(limit).Pluck(idx.table+".id", &ids).Error
	return ids, err
}
