// Package ftsquery reads what a person types into a search box (words,
// "quoted phrases", -excluded words, prefix*) and writes it out in the match
// syntax of SQLite FTS4 or PostgreSQL's to_tsquery. Only letters and digits
// reach either engine, so no input can inject an operator.
package ftsquery

import (
	"strings"
	"unicode"
)

// Term is one word, or a phrase of several words in order.
type Term struct {
	Words   []string
	Prefix  bool // the last word matches any word it begins
	Exclude bool
}

// Query is the terms that must all match, and those that must not.
type Query struct{ Terms []Term }

// Parse reads q. A word that holds punctuation becomes a phrase of its parts
// ("e-mail" is the phrase "e mail"), the way both engines tokenize the text.
func Parse(q string) Query {
	var out Query
	for len(q) > 0 {
		q = strings.TrimLeftFunc(q, unicode.IsSpace)
		if q == "" {
			break
		}
		var t Term
		if q[0] == '-' {
			t.Exclude, q = true, q[1:]
		}
		var raw string
		if strings.HasPrefix(q, `"`) {
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				raw, q = q[1:], ""
			} else {
				raw, q = q[1:end+1], q[end+2:]
			}
		} else {
			end := strings.IndexFunc(q, unicode.IsSpace)
			if end < 0 {
				end = len(q)
			}
			raw, q = q[:end], q[end:]
			t.Prefix = strings.HasSuffix(raw, "*")
		}
		t.Words = words(raw)
		if len(t.Words) > 0 {
			out.Terms = append(out.Terms, t)
		}
	}
	return out
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Empty says whether nothing must match: a query of only exclusions finds
// nothing rather than everything.
func (q Query) Empty() bool {
	for _, t := range q.Terms {
		if !t.Exclude {
			return false
		}
	}
	return true
}

// SQLite writes the query in FTS4's enhanced syntax, each word folded as
// the index is (see Fold): terms side by side must all match, "a b" is a phrase, a* a prefix, NOT excludes. NOT is a binary
// operator there ("NOT navy" alone is malformed), so exclusions come last,
// after every term that must match.
func (q Query) SQLite() string {
	var b strings.Builder
	for _, t := range q.ordered() {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if t.Exclude {
			b.WriteString("NOT ")
		}
		folded := make([]string, len(t.Words))
		for i, w := range t.Words {
			folded[i] = Fold(w)
		}
		s := strings.Join(folded, " ")
		if t.Prefix {
			s += "*"
		}
		if len(t.Words) > 1 {
			s = `"` + s + `"`
		}
		b.WriteString(s)
	}
	return b.String()
}

// ordered lists the terms that must match before those that must not.
func (q Query) ordered() []Term {
	out := make([]Term, 0, len(q.Terms))
	for _, exclude := range []bool{false, true} {
		for _, t := range q.Terms {
			if t.Exclude == exclude {
				out = append(out, t)
			}
		}
	}
	return out
}

// Postgres writes the query for to_tsquery, whose text search
// configuration folds accents itself (unaccent): & between terms, <-> between
// the words of a phrase, :* for a prefix, ! to exclude.
func (q Query) Postgres() string {
	parts := make([]string, 0, len(q.Terms))
	for _, t := range q.Terms {
		ws := make([]string, len(t.Words))
		for i, w := range t.Words {
			ws[i] = "'" + w + "'"
		}
		if t.Prefix {
			ws[len(ws)-1] += ":*"
		}
		s := strings.Join(ws, " <-> ")
		if len(ws) > 1 {
			s = "(" + s + ")"
		}
		if t.Exclude {
			s = "!" + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " & ")
}
