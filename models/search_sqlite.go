package models

import (
	"encoding/binary"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"margin/models/ftsquery"
)

// sqliteSearch is FTS4, which mattn/go-sqlite3 builds in (FTS5 needs the
// sqlite_fts5 build tag, which `go run` and `go test` would then need too).
// Each index is an external-content table: it stores only the index, the
// text stays in its table, and triggers keep the two in step. The porter
// tokenizer stems English words but folds only ASCII case, and FTS4 cannot
// put it behind unicode61's folding; so the index is of the text folded by
// margin_fold (ftsquery.Fold, registered on every connection), and its
// external content is a view of the folded text, which FTS4 reads to take
// a row's old words out. Extracts are cut from the text itself.
type sqliteSearch struct{}

func ftsTable(idx ftsIndex) string { return idx.table + "_fts" }

// ftsText is the view of idx's folded text, with the row's id as rowid.
func ftsText(idx ftsIndex) string { return ftsTable(idx) + "_text" }

func ftsTextView(idx ftsIndex) string {
	cols := make([]string, len(idx.columns))
	for i, c := range idx.columns {
		cols[i] = fmt.Sprintf("margin_fold(%s) AS %s", c, c)
	}
	return fmt.Sprintf("CREATE VIEW IF NOT EXISTS %s AS SELECT id AS rowid, %s FROM %s", ftsText(idx), strings.Join(cols, ", "), idx.table)
}

// ftsTriggers are the statements that keep idx's FTS table in step, as
// SQLite's documentation sets out for external-content tables: the old
// entry goes before a row changes or goes, the new one comes after.
func ftsTriggers(idx ftsIndex) map[string]string {
	fts, cols := ftsTable(idx), strings.Join(idx.columns, ", ")
	newCols := "margin_fold(new." + strings.Join(idx.columns, "), margin_fold(new.") + ")"
	del := fmt.Sprintf("DELETE FROM %s WHERE docid = old.id;", fts)
	ins := fmt.Sprintf("INSERT INTO %s(docid, %s) VALUES (new.id, %s);", fts, cols, newCols)
	on := idx.table
	return map[string]string{
		fts + "_bu": fmt.Sprintf("BEFORE UPDATE OF %s ON %s BEGIN %s END", cols, on, del),
		fts + "_bd": fmt.Sprintf("BEFORE DELETE ON %s BEGIN %s END", on, del),
		fts + "_au": fmt.Sprintf("AFTER UPDATE OF %s ON %s BEGIN %s END", cols, on, ins),
		fts + "_ai": fmt.Sprintf("AFTER INSERT ON %s BEGIN %s END", on, ins),
	}
}

func (sqliteSearch) install(tx *gorm.DB) error {
	for _, idx := range searchIndexes {
		if err := tx.Exec(ftsTextView(idx)).Error; err != nil {
			return err
		}
		// order=DESC stores the newest first: a search reads its window of
		// newest matches without loading a common word's whole list.
		err := tx.Exec(fmt.Sprintf("CREATE VIRTUAL TABLE IF NOT EXISTS %s USING fts4(content=%q, %s, tokenize=porter, order=DESC)",
			ftsTable(idx), ftsText(idx), strings.Join(idx.columns, ", "))).Error
		if err != nil {
			return err
		}
	}
	return sqliteSearch{}.repair(tx)
}

// rebuild drops the indexes and makes them again from the rows: migration 5
// (newest first) and 6 (folded).
func (sqliteSearch) rebuild(tx *gorm.DB) error {
	for _, idx := range searchIndexes {
		for name := range ftsTriggers(idx) {
			if err := tx.Exec("DROP TRIGGER IF EXISTS " + name).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec("DROP TABLE IF EXISTS " + ftsTable(idx)).Error; err != nil {
			return err
		}
		if err := tx.Exec("DROP VIEW IF EXISTS " + ftsText(idx)).Error; err != nil {
			return err
		}
	}
	return sqliteSearch{}.install(tx)
}

// repair re-creates missing triggers and then rebuilds that index: GORM's
// SQLite migrator changes a column by copying the table, which drops its
// triggers, and the index may have missed writes since.
func (sqliteSearch) repair(tx *gorm.DB) error {
	for _, idx := range searchIndexes {
		triggers := ftsTriggers(idx)
		var have int64
		names := make([]string, 0, len(triggers))
		for name := range triggers {
			names = append(names, name)
		}
		cond, arg := inStrings(tx, "name", names)
		if err := tx.Table("sqlite_master").Where("type = 'trigger' AND "+cond, arg).Count(&have).Error; err != nil {
			return err
		}
		if int(have) == len(triggers) {
			continue
		}
		for name, body := range triggers {
			if err := tx.Exec("CREATE TRIGGER IF NOT EXISTS " + name + " " + body).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec(fmt.Sprintf("INSERT INTO %[1]s(%[1]s) VALUES ('rebuild')", ftsTable(idx))).Error; err != nil {
			return err
		}
	}
	return nil
}

// session runs fn as it is: a transaction would take SQLite's write lock
// (the pool opens them IMMEDIATE).
func (sqliteSearch) session(db *gorm.DB, fn func(*gorm.DB) error) error { return fn(db) }

func (sqliteSearch) match(base *gorm.DB, idx ftsIndex, q ftsquery.Query) *gorm.DB {
	fts := ftsTable(idx)
	return base.Joins(fmt.Sprintf("JOIN %s ON %s.docid = %s.id", fts, fts, idx.table)).
		Where(fts+" MATCH ?", q.SQLite())
}

func (e sqliteSearch) candidates(base *gorm.DB, idx ftsIndex, q ftsquery.Query, limit int) ([]scored, error) {
	fts := ftsTable(idx)
	rows, err := e.match(base, idx, q).
		Select(fmt.Sprintf("%s.id, matchinfo(%s, 'pcyl')", idx.table, fts)).
		Order(fts + ".docid DESC").Limit(limit).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scored
	for rows.Next() {
		var s scored
		var info []byte
		if err := rows.Scan(&s.ID, &info); err != nil {
			return nil, err
		}
		s.Score = bm25(info, idx)
		out = append(out, s)
	}
	return out, rows.Err()
}

func (e sqliteSearch) remainder(base *gorm.DB, idx ftsIndex, q ftsquery.Query, below uint, offset, limit int) ([]uint, error) {
	fts := ftsTable(idx)
	var ids []uint
	err := e.match(base, idx, q).Where(fts+".docid < ?", below).
		Order(fts+".docid DESC").Offset(offset).Limit(limit).Pluck(idx.table+".id", &ids).Error
	return ids, err
}

// BM25's usual constants.
const bm25K1, bm25B = 1.2, 0.75

// bm25 scores one row from FTS4's matchinfo 'pcyl': the number of phrases
// and columns, then per phrase and column the hits in this row, then each
// column's length in this row. It uses only this row's counts (which is
// also cheaper: 'x' would gather corpus-wide counts on every query): corpus-wide counts (how many rows hold a word, how long
// rows are on average) include notes the viewer may not see, and would let
// them move what the viewer sees. Every term weighs the same, and a row is
// compared to a typical length rather than the average.
func bm25(info []byte, idx ftsIndex) float64 {
	n := len(info) / 4
	at := func(i int) float64 {
		if i >= n {
			return 0
		}
		return float64(binary.NativeEndian.Uint32(info[4*i:]))
	}
	phrases, cols := int(at(0)), int(at(1))
	lengths := 2 + phrases*cols
	score := 0.0
	for p := 0; p < phrases; p++ {
		for c := 0; c < cols; c++ {
			tf := at(2 + p*cols + c)
			if tf == 0 {
				continue
			}
			norm := 1 - bm25B + bm25B*at(lengths+c)/idx.typicalLength
			score += columnWeight(c) * tf * (bm25K1 + 1) / (tf + bm25K1*norm)
		}
	}
	return score
}

// columnWeight is how much a match in an index's c-th column counts: the
// note's own words most, then its counterpoint, then the passage it quotes.
func columnWeight(c int) float64 {
	return [...]float64{1, 0.6, 0.4}[min(c, 2)]
}
