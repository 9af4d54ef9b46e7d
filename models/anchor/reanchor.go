package anchor

import (
	"sort"
	"strings"
	"unicode"
)

// Status says how well a selector survived the move to a new revision.
type Status string

const (
	Exact   Status = "exact"   // same words, same context, same place
	Moved   Status = "moved"   // same words and context, elsewhere or in a renumbered passage
	Changed Status = "changed" // carried by the edit, but its words or their context changed
	// Orphaned: its text was deleted; the old selector is returned unchanged.
	Orphaned Status = "orphaned"
	// Fuzzy is what earlier versions called Changed; stored rows may hold it.
	Fuzzy Status = "fuzzy"
)

// Text is one revision: its full text and its passages.
type Text struct {
	Text     string
	Passages []Passage
}

// revision is a text prepared once for re-anchoring many selectors.
type revision struct {
	runes    []rune
	passages []Passage // only those inside the text, by position
}

func newRevision(text string, passages []Passage) revision {
	rev := revision{runes: []rune(text)}
	for _, p := range passages {
		if inBounds(p, len(rev.runes)) {
			rev.passages = append(rev.passages, p)
		}
	}
	sort.SliceStable(rev.passages, func(i, j int) bool { return rev.passages[i].Start < rev.passages[j].Start })
	return rev
}

// passageAt returns the passage holding code point i.
func (rev revision) passageAt(i int) (Passage, bool) {
	k := sort.Search(len(rev.passages), func(k int) bool { return rev.passages[k].End > i })
	if k < len(rev.passages) && rev.passages[k].Start <= i {
		return rev.passages[k], true
	}
	return Passage{}, false
}

// Reanchor maps sel, made against old, onto new. See ReanchorAll.
func Reanchor(sel Selector, old, new Text) (Selector, Status) {
	out, st := ReanchorAll([]Selector{sel}, old, new)
	return out[0], st[0]
}

// ReanchorAll maps selectors made against old onto new. The two texts are
// compared once; each selector's position is carried through that diff and
// then checked against its quote. A quote whose words were mostly deleted
// where it stood is looked for only in text the new revision added (a
// paragraph moved, a sentence rewritten), with its context, and is
// otherwise orphaned: it never jumps to a look-alike that was already in the
// text. Orphaned selectors are returned unchanged.
func ReanchorAll(sels []Selector, old, new Text) ([]Selector, []Status) {
	al := align(newRevision(old.Text, old.Passages), newRevision(new.Text, new.Passages))
	out := make([]Selector, len(sels))
	statuses := make([]Status, len(sels))
	budget := fuzzyBudget
	for i, sel := range sels {
		out[i], statuses[i] = al.reanchor(sel, &budget)
	}
	return out, statuses
}

func (al *alignment) reanchor(sel Selector, budget *int) (Selector, Status) {
	if sel.WholePassage() {
		return al.reanchorPassage(sel)
	}
	s, e := sel.Position.Start, sel.Position.End
	exact := []rune(sel.Quote.Exact)
	if s < 0 || e > len(al.old.runes) || e-s != len(exact) || !equalRunes(al.old.runes[s:e], exact) {
		// The selector does not fit the old text: look for its quote.
		return al.new.search(sel)
	}
	op, ok := al.old.passageAt(s)
	if !ok || e > op.End {
		return al.new.search(sel)
	}
	if to, split, ok := al.mapSpan(s, e); ok {
		within := to
		if split {
			within = span{0, len(al.new.runes)} // a split quote keeps its words in both parts
		}
		if al.kept(s, e, within) {
			if placed, st, ok := al.place(sel, op, to); ok {
				if split {
					st = Changed
				}
				return placed, st
			}
		}
	}
	if m, ok := al.searchFresh(sel, op, budget); ok {
		if placed, st, ok := al.place(sel, op, m.span); ok {
			return placed, st
		}
	}
	return sel, Orphaned
}

// place builds the selector for new span to (trimmed, and kept to one
// passage) and labels it against the old quote and its context.
func (al *alignment) place(sel Selector, op Passage, to span) (Selector, Status, bool) {
	r := al.new.runes
	// Trim the spacing an edit left at the ends, but not what the quote
	// itself began or ended with.
	exact := []rune(sel.Quote.Exact)
	start, end := trimSpace(r, to.start, to.end)
	if len(exact) > 0 && !unicode.IsSpace(exact[0]) {
		to.start = start
	}
	if len(exact) > 0 && !unicode.IsSpace(exact[len(exact)-1]) {
		to.end = end
	}
	if to.start >= to.end {
		return sel, Orphaned, false
	}
	np, ok := al.new.passageAt(to.start)
	clipped := false
	if ok && to.end > np.End {
		// A paragraph split inside the quote: keep the larger part.
		if last, ok2 := al.new.passageAt(to.end - 1); ok2 && to.end-last.Start > np.End-to.start {
			np, to.start = last, last.Start
		} else {
			to.end = np.End
		}
		clipped = true
	}
	if !ok {
		if np, ok = al.new.passageAt(to.end - 1); !ok {
			return sel, Orphaned, false
		}
		to.start, clipped = np.Start, true
	}
	moved := phraseSelector(r, np.Number, to)
	same := !clipped && moved.Quote.Exact == sel.Quote.Exact &&
		al.old.prefixIn(op, sel.Position.Start) == al.new.prefixIn(np, to.start) &&
		al.old.suffixIn(op, sel.Position.End) == al.new.suffixIn(np, to.end)
	switch {
	case !same:
		return moved, Changed, true
	case np.Number == sel.Passage && moved.Position == sel.Position:
		return moved, Exact, true
	default:
		return moved, Moved, true
	}
}

// prefixIn and suffixIn are the context of a span inside its passage.
func (rev revision) prefixIn(p Passage, start int) string {
	return string(rev.runes[max(p.Start, start-ContextLen):start])
}

func (rev revision) suffixIn(p Passage, end int) string {
	return string(rev.runes[end:min(p.End, end+ContextLen)])
}

// searchFresh looks for a quote whose text the edit deleted in the text the
// new revision added, with its context: a moved sentence, or the quote
// rewritten in place. It accepts only candidates whose in-passage context
// matches at least half of the old one.
func (al *alignment) searchFresh(sel Selector, op Passage, budget *int) (match, bool) {
	if len(al.fresh) == 0 {
		return match{}, false
	}
	exact := []rune(sel.Quote.Exact)
	prefix := []rune(al.old.prefixIn(op, sel.Position.Start))
	suffix := []rune(al.old.suffixIn(op, sel.Position.End))
	need := (len(prefix) + len(suffix) + 1) / 2
	if need == 0 && len(exact) < 20 {
		return match{}, false // too little to tell it from a look-alike
	}
	var found []match
	for _, f := range al.fresh {
		if *budget <= 0 {
			break // a rewrite this large leaves the rest orphaned, not the request stalled
		}
		*budget -= (f.end - f.start) / 8 // a scan costs far less than a fuzzy cell
		for _, at := range indexAll(al.new.runes[f.start:f.end], exact) {
			found = append(found, match{span: span{f.start + at, f.start + at + len(exact)}})
		}
	}
	if len(found) == 0 {
		found = al.fuzzyFresh(exact, budget)
	}
	bestScore := -1
	var best match
	for _, m := range found {
		score := al.new.contextScore(m.span, prefix, suffix)
		if score < need {
			continue
		}
		if score-m.cost > bestScore {
			bestScore, best = score-m.cost, m
		}
	}
	return best, bestScore >= 0
}

// fuzzyFresh finds approximate matches of exact that lie mostly in fresh
// text, searching each fresh span widened by the quote's length inside its
// passage.
func (al *alignment) fuzzyFresh(exact []rune, budget *int) []match {
	k := maxEdits(exact)
	if k == 0 {
		return nil
	}
	var found []match
	for _, f := range al.fresh {
		if *budget <= 0 {
			break
		}
		p, _ := al.new.passageAt(f.start)
		lo, hi := max(p.Start, f.start-len(exact)), min(p.End, f.end+len(exact))
		text := al.new.runes[lo:hi]
		cells := 0
		for _, m := range approxMatches(text, exact, k, &cells) {
			m = refine(text, exact, m)
			s := span{lo + m.start, lo + m.end}
			if overlap := min(s.end, f.end) - max(s.start, f.start); overlap*2 < s.end-s.start {
				continue
			}
			found = append(found, match{span: s, cost: m.cost})
		}
		*budget -= cells
	}
	return found
}

// reanchorPassage moves a whole-passage selector to the new passage that
// received most of its text; a passage more than half deleted orphans its
// notes. Exact means the passage's text and place are unchanged, Moved that
// its text is unchanged elsewhere.
func (al *alignment) reanchorPassage(sel Selector) (Selector, Status) {
	op, ok := findPassage(al.old.passages, sel.Passage)
	if !ok {
		return sel, Orphaned
	}
	shares := al.passageShares(op)
	total, bestN, bestShare := 0, 0, 0
	for n, c := range shares {
		total += c
		if c > bestShare || c == bestShare && n < bestN {
			bestN, bestShare = n, c
		}
	}
	if total*2 < op.End-op.Start || bestShare == 0 {
		return sel, Orphaned
	}
	np, _ := findPassage(al.new.passages, bestN)
	moved := passageSelector(al.new.runes, np)
	switch {
	case string(al.new.runes[np.Start:np.End]) != string(al.old.runes[op.Start:op.End]):
		return moved, Changed
	case np.Number == op.Number && np.Start == op.Start:
		return moved, Exact
	default:
		return moved, Moved
	}
}

// search is the fallback for a selector that does not fit the old text: the
// exact text where its context matches best, or nearest the old position;
// then the text with whitespace collapsed; then a fuzzy match.
func (rev revision) search(sel Selector) (Selector, Status) {
	if sel.WholePassage() {
		return sel, Orphaned
	}
	exact := []rune(sel.Quote.Exact)
	if found := rev.occurrences(exact); len(found) > 0 {
		m := rev.best(sel, found)
		return phraseSelector(rev.runes, m.passage, m.span), Changed
	}
	if found := rev.collapsedOccurrences(sel.Quote.Exact); len(found) > 0 {
		m := rev.best(sel, found)
		return phraseSelector(rev.runes, m.passage, m.span), Changed
	}
	if m, ok := rev.fuzzy(sel, exact); ok {
		return phraseSelector(rev.runes, m.passage, m.span), Changed
	}
	return sel, Orphaned
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
