package models

import (
	"sort"
	"strings"
	"unicode"

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
	// repair puts back what a table rebuild may have dropped.
	repair(tx *gorm.DB) error
	// candidates runs base (a query on idx.table, already narrowed by the
	// privacy rules and filters) for the rows matching q, newest first, at
	// most limit, each with its score.
	candidates(base *gorm.DB, idx ftsIndex, q ftsquery.Query, limit int) ([]scored, error)
	// remainder is like candidates without scores, for rows older than below.
	remainder(base *gorm.DB, idx ftsIndex, q ftsquery.Query, below uint, offset, limit int) ([]uint, error)
	// snippets returns, for each id among ids, a short extract around the
	// match with the matched words between snippetStart and snippetStop.
	snippets(db *gorm.DB, idx ftsIndex, q ftsquery.Query, ids []uint) (map[uint]string, error)
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

// Markers the engines put around matched words. Control characters never
// typed into a note; the text is split on them and escaped piece by piece.
const (
	snippetStart = "\x01"
	snippetStop  = "\x02"
)

// rankedPage returns the ids of one page of the rows base finds matching q:
// the rankWindow newest ranked by score (ties newest first), then the
// older ones newest first. more says whether another page follows.
func rankedPage(eng searchEngine, base func() *gorm.DB, idx ftsIndex, q ftsquery.Query, offset, limit int) (ids []uint, more bool, err error) {
	cands, err := eng.candidates(base(), idx, q, rankWindow+1)
	if err != nil {
		return nil, false, err
	}
	overflow := len(cands) > rankWindow
	if overflow {
		cands = cands[:rankWindow]
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

// SnippetPart is a piece of a snippet: matched words or the text between.
type SnippetPart struct {
	Text  string
	Match bool
}

// Snippet is an extract around a match, ready to be escaped piece by piece.
type Snippet []SnippetPart

// parseSnippet splits an engine's marked extract. fulls are the texts it may
// have been taken from: an extract that reaches neither's start (or end)
// says so with an ellipsis, unless the engine put one there.
func parseSnippet(marked string, fulls ...string) Snippet {
	var out Snippet
	plain := strings.NewReplacer(snippetStart, "", snippetStop, "").Replace(marked)
	trimmed := strings.TrimSpace(plain)
	// ts_headline leaves out punctuation at the edges: compare words only.
	words := func(s string) string {
		return strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	reaches := func(edge func(s, affix string) bool) bool {
		for _, f := range fulls {
			if edge(words(f), words(trimmed)) {
				return true
			}
		}
		return false
	}
	if trimmed != "" && !reaches(strings.HasPrefix) && !strings.HasPrefix(trimmed, "…") {
		out = append(out, SnippetPart{Text: "… "})
	}
	for marked != "" {
		i := strings.Index(marked, snippetStart)
		if i < 0 {
			out = append(out, SnippetPart{Text: marked})
			break
		}
		if i > 0 {
			out = append(out, SnippetPart{Text: marked[:i]})
		}
		marked = marked[i+len(snippetStart):]
		j := strings.Index(marked, snippetStop)
		if j < 0 {
			j = len(marked)
		}
		out = append(out, SnippetPart{Text: marked[:j], Match: true})
		marked = marked[min(len(marked), j+len(snippetStop)):]
	}
	if trimmed != "" && !reaches(strings.HasSuffix) && !strings.HasSuffix(trimmed, "…") {
		out = append(out, SnippetPart{Text: " …"})
	}
	return out
}

// HasMatch tells whether any word of the snippet is marked.
func (s Snippet) HasMatch() bool {
	for _, p := range s {
		if p.Match {
			return true
		}
	}
	return false
}

// installSearch is the data migration that builds the indexes.
func installSearch(tx *gorm.DB) error { return searchEngineFor(tx).install(tx) }
