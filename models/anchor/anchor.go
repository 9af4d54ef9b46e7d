// Package anchor attaches annotations to a document revision's text and moves
// them onto later revisions. Every offset is in code points (runes) into the
// revision's full text, the unit W3C TextPositionSelector uses, never bytes.
package anchor

import (
	"errors"
	"fmt"
	"unicode"
)

// Passage is one numbered passage of a revision; Start and End (exclusive)
// are code point offsets into the revision's full text.
type Passage struct{ Number, Start, End int }

// Quote is a W3C TextQuoteSelector: the exact text and up to ContextLen code
// points either side of it, taken from the full text.
type Quote struct{ Exact, Prefix, Suffix string }

// Position is a W3C TextPositionSelector, in code points, End exclusive.
type Position struct{ Start, End int }

// Selector locates an annotation. For a whole-passage annotation Quote.Exact
// is "", Position holds the passage bounds and Prefix/Suffix the context
// around the passage (so the passage can be recognised after renumbering).
type Selector struct {
	Passage  int
	Quote    Quote
	Position Position
}

// WholePassage reports whether the selector targets a whole passage rather
// than a phrase inside it.
func (s Selector) WholePassage() bool { return s.Quote.Exact == "" }

// ContextLen is the most code points kept in Quote.Prefix and Quote.Suffix.
const ContextLen = 32

var (
	ErrQuoteNotFound = errors.New("the quoted text does not occur in this passage")
	ErrBadPassage    = errors.New("this passage does not exist in this revision")
)

// passageError names the passage in its message while still matching the
// sentinel with errors.Is.
type passageError struct {
	sentinel error
	msg      string
}

func (e *passageError) Error() string { return e.msg }
func (e *passageError) Unwrap() error { return e.sentinel }

// span is a half-open code point range.
type span struct{ start, end int }

// Locate finds exact inside passage p of text and returns its selector.
// Whitespace runs in exact (browser selections turn line breaks and
// non-breaking spaces into other whitespace) match any whitespace run in the
// document, and the returned Exact is the document's own text. When exact
// occurs several times, the occurrence starting nearest hintStart (a code
// point offset into text, -1 for none) wins, else the first. An exact that is
// empty or only whitespace selects the whole passage.
func Locate(text string, passages []Passage, p int, exact string, hintStart int) (Selector, error) {
	runes := []rune(text)
	pass, ok := findPassage(passages, p)
	if !ok || !inBounds(pass, len(runes)) {
		return Selector{}, &passageError{ErrBadPassage, fmt.Sprintf("passage %d does not exist in this revision", p)}
	}
	pattern := []rune(collapseSpace(exact))
	if len(pattern) == 0 {
		return passageSelector(runes, pass), nil
	}
	found := findCollapsed(runes[pass.Start:pass.End], pattern)
	if len(found) == 0 {
		return Selector{}, &passageError{ErrQuoteNotFound, fmt.Sprintf("the quoted text does not occur in passage %d", p)}
	}
	best := found[0]
	if hintStart >= 0 {
		for _, s := range found[1:] {
			if abs(s.start+pass.Start-hintStart) < abs(best.start+pass.Start-hintStart) {
				best = s
			}
		}
	}
	return phraseSelector(runes, pass.Number, span{best.start + pass.Start, best.end + pass.Start}), nil
}

func findPassage(passages []Passage, number int) (Passage, bool) {
	for _, p := range passages {
		if p.Number == number {
			return p, true
		}
	}
	return Passage{}, false
}

func inBounds(p Passage, n int) bool { return 0 <= p.Start && p.Start <= p.End && p.End <= n }

func phraseSelector(runes []rune, passage int, s span) Selector {
	return Selector{
		Passage: passage,
		Quote: Quote{
			Exact:  string(runes[s.start:s.end]),
			Prefix: prefixAt(runes, s.start),
			Suffix: suffixAt(runes, s.end),
		},
		Position: Position{s.start, s.end},
	}
}

func passageSelector(runes []rune, p Passage) Selector {
	return Selector{
		Passage:  p.Number,
		Quote:    Quote{Prefix: prefixAt(runes, p.Start), Suffix: suffixAt(runes, p.End)},
		Position: Position{p.Start, p.End},
	}
}

func prefixAt(runes []rune, start int) string {
	return string(runes[max(0, start-ContextLen):start])
}

func suffixAt(runes []rune, end int) string {
	return string(runes[end:min(len(runes), end+ContextLen)])
}

// collapseSpace trims s and turns every whitespace run into one space.
func collapseSpace(s string) string {
	out := make([]rune, 0, len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = len(out) > 0
			continue
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, r)
	}
	return string(out)
}

// findCollapsed finds every occurrence of pattern (already collapsed by
// collapseSpace) in text, comparing with whitespace runs collapsed, and
// returns the occurrences as spans of the original text.
func findCollapsed(text, pattern []rune) []span {
	collapsed := make([]rune, 0, len(text))
	origin := make([]int, 0, len(text)) // index in text of each collapsed rune
	for i, r := range text {
		if unicode.IsSpace(r) {
			if i > 0 && unicode.IsSpace(text[i-1]) {
				continue
			}
			r = ' '
		}
		collapsed = append(collapsed, r)
		origin = append(origin, i)
	}
	var found []span
	for _, at := range indexAll(collapsed, pattern) {
		// pattern neither starts nor ends with a space, so both ends map to
		// real runes of text.
		found = append(found, span{origin[at], origin[at+len(pattern)-1] + 1})
	}
	return found
}

// indexAll returns the start of every (possibly overlapping) occurrence of
// pattern in text.
func indexAll(text, pattern []rune) []int {
	if len(pattern) == 0 {
		return nil
	}
	var at []int
	first := pattern[0]
	for i := 0; i+len(pattern) <= len(text); i++ {
		if text[i] == first && equalRunes(text[i:i+len(pattern)], pattern) {
			at = append(at, i)
		}
	}
	return at
}

func containsRunes(text, pattern []rune) bool {
	first := pattern[0]
	for i := 0; i+len(pattern) <= len(text); i++ {
		if text[i] == first && equalRunes(text[i:i+len(pattern)], pattern) {
			return true
		}
	}
	return false
}

func equalRunes(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
