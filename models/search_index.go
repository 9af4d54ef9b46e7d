package models

import (
	"sort"

	"gorm.io/gorm"

	"margin/models/ftsquery"
)

// ftsIndex is one full-text index: the table it covers and the text columns,
// most important first (a match in the first counts most in the ranking).
type ftsIndex struct {
	table   string
	columns []string
	// typicalLength is the usual length in words of a row's text: BM25's
	// length normalisation compares each row to it.
	typicalLength float64
}

var (
	notesIndex    = ftsIndex{table: "annotations", columns: []string{"body", "counterpoint", "exact"}, typicalLength: 30}
	passagesIndex = ftsIndex{table: "passages", columns: []string{"text"}, typicalLength: 80}
	titlesIndex   = ftsIndex{table: "documents", columns: []string{"title"}, typicalLength: 8}
	searchIndexes = []ftsIndex{notesIndex, passagesIndex, titlesIndex}
)

// searchEngine is full-text search in one dialect (see searchEngineFor in
// dialect.go): SQLite's FTS4 or PostgreSQL's tsvector. Both index the same
// columns, kept in step by triggers, so every write that changes a text,
// whatever the code path, changes its index in the same transaction.
type searchEngine interface {
	// install creates the indexes and their triggers and fills them from
	// the rows already there.
	install(tx *gorm.DB) error
	// rebuild makes the indexes again, as install makes them now, from the
	// rows already there.
	rebuild(tx *gorm.DB) error
	// repair puts back what a table rebuild may have dropped.
	repair(tx *gorm.DB) error
	// session runs one search's queries.
	session(db *gorm.DB, fn func(*gorm.DB) error) error
	// candidates runs base (a query on idx.table, already narrowed by the
	// privacy rules and filters) for the rows matching q, newest first, at
	// most limit, each with its score.
	candidates(base *gorm.DB, idx ftsIndex, q ftsquery.Query, limit int) ([]scored, error)
	// remainder is like candidates without scores, for rows older than below.
	remainder(base *gorm.DB, idx ftsIndex, q ftsquery.Query, below uint, offset, limit int) ([]uint, error)
}

type scored struct {
	ID    uint
	Score float64
}

// rankWindow is how many of the newest matches are ranked by relevance. A
// word in more notes than that would cost a score for each of them on every
// query; the older matches follow the ranked ones, newest first, so paging
// still reaches every match. The window is taken after the privacy rules,
// so what the viewer cannot see never takes a place in it.
var rankWindow = 1000 // a variable only so that tests can make it small

// sideWindow is rankWindow for titles and passages, of which a search
// shows the first few only.
const sideWindow = 200

// rankedPage returns the ids of one page of the rows base finds matching q:
// the window newest ranked by score (ties newest first), then the
// older ones newest first. more says whether another page follows.
func rankedPage(eng searchEngine, base func() *gorm.DB, idx ftsIndex, q ftsquery.Query, window, offset, limit int) (ids []uint, more bool, err error) {
	cands, err := eng.candidates(base(), idx, q, window+1)
	if err != nil {
		return nil, false, err
	}
	overflow := len(cands) > window
	if overflow {
		cands = cands[:window]
	}
	oldest := uint(0)
	for _, c := range cands {
		if oldest == 0 || c.ID < oldest {
			oldest = c.ID
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].Score != cands[j].Score {
			return cands[i].Score > cands[j].Score
		}
		return cands[i].ID > cands[j].ID
	})
	for i := offset; i < len(cands) && len(ids) < limit; i++ {
		ids = append(ids, cands[i].ID)
	}
	if !overflow {
		return ids, offset+limit < len(cands), nil
	}
	need := limit - len(ids)
	if need == 0 { // the row past the window follows
		return ids, true, nil
	}
	rest, err := eng.remainder(base(), idx, q, oldest, max(0, offset-len(cands)), need+1)
	if err != nil {
		return nil, false, err
	}
	if len(rest) > need {
		return append(ids, rest[:need]...), true, nil
	}
	return append(ids, rest...), false, nil
}

// Snippet is an extract around a match, ready to be escaped piece by piece.
type Snippet = []ftsquery.Part

// installSearch is the data migration that builds the indexes.
func installSearch(tx *gorm.DB) error { return searchEngineFor(tx).install(tx) }

// rebuildSearch is the data migration that makes them again as install
// does now: newest first (migration 5), of folded text (6).
func rebuildSearch(tx *gorm.DB) error { return searchEngineFor(tx).rebuild(tx) }
