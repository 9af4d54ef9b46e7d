package anchor

import (
	"strings"
)

// Status says how well a selector survived the move to a new revision.
type Status string

const (
	Exact    Status = "exact"    // same text at the same position in the same passage
	Moved    Status = "moved"    // same text, found elsewhere or in a renumbered passage
	Fuzzy    Status = "fuzzy"    // similar text found; the reader should check it
	Orphaned Status = "orphaned" // nothing close enough; the old selector is returned unchanged
)

// revision is a new text prepared once for re-anchoring many selectors.
type revision struct {
	runes    []rune
	passages []Passage // only those inside the text
}

func newRevision(text string, passages []Passage) revision {
	rev := revision{runes: []rune(text)}
	for _, p := range passages {
		if inBounds(p, len(rev.runes)) {
			rev.passages = append(rev.passages, p)
		}
	}
	return rev
}

// Reanchor maps sel, made against an older text, onto newText. It tries, in
// order: the same text at the same position; the exact text where its
// prefix/suffix context matches best; the exact text nearest the old
// position; the text with whitespace runs collapsed; and finally a fuzzy
// match within an edit distance of a fifth of its length. A match must lie
// within one passage. An orphaned selector is returned unchanged.
func Reanchor(sel Selector, newText string, newPassages []Passage) (Selector, Status) {
	return newRevision(newText, newPassages).reanchor(sel)
}

// ReanchorAll is Reanchor for many selectors against the same new text,
// which is decoded only once.
func ReanchorAll(sels []Selector, newText string, newPassages []Passage) ([]Selector, []Status) {
	rev := newRevision(newText, newPassages)
	out := make([]Selector, len(sels))
	statuses := make([]Status, len(sels))
	for i, sel := range sels {
		out[i], statuses[i] = rev.reanchor(sel)
	}
	return out, statuses
}

func (rev revision) reanchor(sel Selector) (Selector, Status) {
	if sel.WholePassage() {
		return rev.reanchorPassage(sel)
	}
	exact := []rune(sel.Quote.Exact)
	old := span{sel.Position.Start, sel.Position.End}
	if old.start >= 0 && old.end <= len(rev.runes) && old.end-old.start == len(exact) &&
		equalRunes(rev.runes[old.start:old.end], exact) {
		if p, ok := rev.containing(old); ok {
			return rev.result(sel, p.Number, old, Exact)
		}
	}
	if found := rev.occurrences(exact); len(found) > 0 {
		m := rev.best(sel, found)
		return rev.result(sel, m.passage, m.span, Exact)
	}
	if found := rev.collapsedOccurrences(sel.Quote.Exact); len(found) > 0 {
		m := rev.best(sel, found)
		return rev.result(sel, m.passage, m.span, Fuzzy)
	}
	if m, ok := rev.fuzzy(sel, exact); ok {
		return rev.result(sel, m.passage, m.span, Fuzzy)
	}
	return sel, Orphaned
}

// result builds the new selector; an "exact" result that changed place is
// reported as Moved.
func (rev revision) result(old Selector, passage int, s span, st Status) (Selector, Status) {
	sel := phraseSelector(rev.runes, passage, s)
	if st == Exact && (passage != old.Passage || sel.Position != old.Position) {
		st = Moved
	}
	return sel, st
}

func (rev revision) containing(s span) (Passage, bool) {
	for _, p := range rev.passages {
		if p.Start <= s.start && s.end <= p.End {
			return p, true
		}
	}
	return Passage{}, false
}

// match is a candidate location in the new text.
type match struct {
	span
	passage int
	cost    int // edit distance, for fuzzy matches
}

func (rev revision) occurrences(exact []rune) []match {
	var found []match
	for _, p := range rev.passages {
		for _, at := range indexAll(rev.runes[p.Start:p.End], exact) {
			found = append(found, match{span: span{p.Start + at, p.Start + at + len(exact)}, passage: p.Number})
		}
	}
	return found
}

func (rev revision) collapsedOccurrences(exact string) []match {
	pattern := []rune(collapseSpace(exact))
	if len(pattern) == 0 {
		return nil
	}
	// Collapsing a passage costs a copy; skip those lacking the quote's
	// longest word.
	var word []rune
	for _, w := range strings.Fields(string(pattern)) {
		if len([]rune(w)) > len(word) {
			word = []rune(w)
		}
	}
	var found []match
	for _, p := range rev.passages {
		text := rev.runes[p.Start:p.End]
		if !containsRunes(text, word) {
			continue
		}
		for _, s := range findCollapsed(text, pattern) {
			found = append(found, match{span: span{p.Start + s.start, p.Start + s.end}, passage: p.Number})
		}
	}
	return found
}

// best picks among candidates: the best-matching context wins when it
// matches at least half of the stored context, otherwise (and between
// equals) the one nearest the old position.
func (rev revision) best(sel Selector, found []match) match {
	prefix, suffix := []rune(sel.Quote.Prefix), []rune(sel.Quote.Suffix)
	threshold := (len(prefix) + len(suffix) + 1) / 2
	if threshold == 0 {
		threshold = 1 // no stored context: fall through to nearest
	}
	bestScore := -1
	var bestAt match
	for _, m := range found {
		score := rev.contextScore(m.span, prefix, suffix)
		if score < threshold {
			score = 0
		}
		if score > bestScore || score == bestScore && nearer(m, bestAt, sel.Position.Start) {
			bestScore, bestAt = score, m
		}
	}
	return bestAt
}

func nearer(a, b match, to int) bool { return abs(a.start-to) < abs(b.start-to) }

// contextScore counts the code points of prefix and suffix that agree with
// the text around s, reading outward from s.
func (rev revision) contextScore(s span, prefix, suffix []rune) int {
	score := 0
	for i := 1; i <= len(prefix) && s.start-i >= 0 && rev.runes[s.start-i] == prefix[len(prefix)-i]; i++ {
		score++
	}
	for i := 0; i < len(suffix) && s.end+i < len(rev.runes) && rev.runes[s.end+i] == suffix[i]; i++ {
		score++
	}
	return score
}

// reanchorPassage moves a whole-passage selector: the passage whose
// surrounding context is unchanged is the same passage (Exact if also at the
// same place, Moved if renumbered or shifted with its length kept, Fuzzy if
// its length changed). With one side of the context changed, the passage with
// the same number is kept as Fuzzy.
func (rev revision) reanchorPassage(sel Selector) (Selector, Status) {
	oldLen := sel.Position.End - sel.Position.Start
	var (
		best  Passage
		found bool
	)
	for _, p := range rev.passages {
		if prefixAt(rev.runes, p.Start) != sel.Quote.Prefix || suffixAt(rev.runes, p.End) != sel.Quote.Suffix {
			continue
		}
		if !found || abs(p.Number-sel.Passage) < abs(best.Number-sel.Passage) {
			best, found = p, true
		}
	}
	if found {
		moved := passageSelector(rev.runes, best)
		switch {
		case best.Number == sel.Passage && moved.Position == sel.Position:
			return moved, Exact
		case best.End-best.Start == oldLen:
			return moved, Moved
		default:
			return moved, Fuzzy
		}
	}
	if p, ok := findPassage(rev.passages, sel.Passage); ok &&
		(prefixAt(rev.runes, p.Start) == sel.Quote.Prefix || suffixAt(rev.runes, p.End) == sel.Quote.Suffix) {
		return passageSelector(rev.runes, p), Fuzzy
	}
	return sel, Orphaned
}
