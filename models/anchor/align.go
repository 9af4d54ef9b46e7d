package anchor

import (
	"slices"
	"sort"
)

// alignment maps code points of an old revision onto a new one: segs are the
// runs kept, sorted by old position and never overlapping there. Runs found
// by the main diff keep their order; runs of a moved passage do not.
type alignment struct {
	old, new revision
	segs     []seg
	newToks  tokens
	fresh    []span // new text no run reaches, cut at passage bounds
}

func align(old, new revision) *alignment {
	vocab := vocabulary{}
	ta, tb := vocab.tokenize(old.runes), vocab.tokenize(new.runes)
	segs := toRunes(diffTokens(ta.id, tb.id, len(vocab)), ta, tb)
	segs = cleanup(segs, len(old.runes), len(new.runes))
	segs = slide(segs, old.runes, new.runes)
	segs = refineTypos(segs, old.runes, new.runes)
	al := &alignment{old: old, new: new, segs: segs, newToks: tb}
	al.followMoved(ta, tb, len(vocab))
	al.fresh = al.freshSpans()
	return al
}

// freshSpans lists the new text no run reaches, cut at passage bounds.
func (al *alignment) freshSpans() []span {
	byNew := slices.Clone(al.segs)
	sort.Slice(byNew, func(i, j int) bool { return byNew[i].b < byNew[j].b })
	var gaps []span
	at := 0
	for _, s := range byNew {
		if s.b > at {
			gaps = append(gaps, span{at, s.b})
		}
		at = max(at, s.b+s.n)
	}
	if at < len(al.new.runes) {
		gaps = append(gaps, span{at, len(al.new.runes)})
	}
	var out []span
	for _, g := range gaps {
		for _, p := range al.new.passages {
			if lo, hi := max(g.start, p.Start), min(g.end, p.End); lo < hi {
				out = append(out, span{lo, hi})
			}
		}
	}
	return out
}

// firstEndingAfter is the index of the first run whose old side ends after i.
func (al *alignment) firstEndingAfter(i int) int {
	return sort.Search(len(al.segs), func(k int) bool { return al.segs[k].a+al.segs[k].n > i })
}

// newPos maps old code point i to its new position, if it was kept.
func (al *alignment) newPos(i int) (int, bool) {
	k := al.firstEndingAfter(i)
	if k < len(al.segs) && al.segs[k].a <= i {
		return al.segs[k].b + i - al.segs[k].a, true
	}
	return 0, false
}

// mapSpan carries the old span [s, e) onto the new text: from the first kept
// code point to the last, widened over what replaced a deleted start or end.
// When the kept code points went to several passages (a paragraph split
// inside the quote, a sentence of it moved), the span is the part in the
// passage that received most of them, and split is set. ok is false when
// nothing of the span was kept.
func (al *alignment) mapSpan(s, e int) (out span, split, ok bool) {
	k1 := al.firstEndingAfter(s)
	if k1 == len(al.segs) || al.segs[k1].a >= e {
		return span{}, false, false
	}
	k2 := sort.Search(len(al.segs), func(k int) bool { return al.segs[k].a >= e }) - 1
	type piece struct {
		k        int
		old, new span
		passage  Passage
	}
	var pieces []piece
	byPassage := map[int]int{}
	for k := k1; k <= k2; k++ {
		g := al.segs[k]
		lo, hi := max(s, g.a), min(e, g.a+g.n)
		np, ok := al.new.passageAt(g.b + lo - g.a)
		if !ok || lo >= hi {
			continue
		}
		pieces = append(pieces, piece{k, span{lo, hi}, span{g.b + lo - g.a, g.b + hi - g.a}, np})
		byPassage[np.Number] += hi - lo
	}
	if len(pieces) == 0 {
		return span{}, false, false
	}
	best := pieces[0].passage
	for _, p := range pieces {
		if c := byPassage[p.passage.Number]; c > byPassage[best.Number] {
			best = p.passage
		}
	}
	split = len(byPassage) > 1
	var first, last *piece
	out = span{-1, -1}
	for i := range pieces {
		p := &pieces[i]
		if p.passage.Number != best.Number {
			continue
		}
		if first == nil {
			first = p
		}
		last = p
		if out.start < 0 || p.new.start < out.start {
			out.start = p.new.start
		}
		out.end = max(out.end, min(p.new.end, best.End))
	}
	if first.old.start > s && first.k == k1 {
		// The quote's first words were deleted or replaced.
		oldFrom, newFrom := 0, 0
		if k1 > 0 {
			p := al.segs[k1-1]
			oldFrom, newFrom = p.a+p.n, p.b+p.n
		}
		if newFrom <= out.start && newFrom >= best.Start {
			out.start = al.extend(span{oldFrom, first.old.start}, span{newFrom, out.start}, s-oldFrom, true)
		}
	}
	if last.old.end < e && last.k == k2 {
		oldTo, newTo := len(al.old.runes), len(al.new.runes)
		if k2+1 < len(al.segs) {
			n := al.segs[k2+1]
			oldTo, newTo = n.a, n.b
		}
		if newTo >= out.end && newTo <= best.End {
			out.end = al.extend(span{last.old.end, oldTo}, span{out.end, newTo}, oldTo-e, false)
		}
	}
	// A quote that began or ended on a word boundary still does, though a
	// typo fixed at its edge moved a letter.
	r := al.old.runes
	if isWordRune(r[s]) && (s == 0 || !isWordRune(r[s-1])) {
		out.start = max(best.Start, al.wordStart(out.start))
	}
	if isWordRune(r[e-1]) && (e == len(r) || !isWordRune(r[e])) {
		out.end = min(best.End, al.wordEnd(out.end))
	}
	return out, split, out.start < out.end
}

// extend widens a carried span over what replaced its deleted first or
// last words. oldGap was replaced by newGap; the quote holds oldGap but for
// its first outside code points (atStart: the quote's head is the gap's
// tail) or its last ones. Word for word replacements give the matching
// words; a gap the quote holds whole gives all of its replacement unless
// that is much longer; otherwise what filled the gap is unrelated text (a
// deletion beside an insertion) and the span is not widened. It returns the
// new bound.
func (al *alignment) extend(oldGap, newGap span, outside int, atStart bool) int {
	keep := newGap.start
	if atStart {
		keep = newGap.end
	}
	oldWords := wordsOf(al.old.runes[oldGap.start:oldGap.end])
	newWords := wordsOf(al.new.runes[newGap.start:newGap.end])
	var inQuote int // old gap words inside the quote
	for _, w := range oldWords {
		if atStart && w.start >= outside || !atStart && w.end <= oldGap.end-oldGap.start-outside {
			inQuote++
		}
	}
	switch {
	case len(oldWords) == 0 && len(newWords) == 0:
		// Punctuation or spacing: in proportion, rounded.
		oldLen, newLen := oldGap.end-oldGap.start, newGap.end-newGap.start
		take := ((oldLen-outside)*newLen*2 + oldLen) / (2 * oldLen)
		if atStart {
			return newGap.end - take
		}
		return newGap.start + take
	case inQuote == 0:
		return keep
	case len(oldWords) == len(newWords):
		if atStart {
			return newGap.start + newWords[len(newWords)-inQuote].start
		}
		return newGap.start + newWords[inQuote-1].end
	case outside == 0 && len(newWords) <= 2*len(oldWords)+1:
		if atStart {
			return newGap.start
		}
		return newGap.end
	}
	return keep
}

func (al *alignment) wordStart(i int) int {
	r := al.new.runes
	for i > 0 && i < len(r) && isWordRune(r[i-1]) && isWordRune(r[i]) {
		i--
	}
	return i
}

func (al *alignment) wordEnd(i int) int {
	r := al.new.runes
	for i > 0 && i < len(r) && isWordRune(r[i-1]) && isWordRune(r[i]) {
		i++
	}
	return i
}

// kept tells whether enough of old span [s, e) was carried into the new
// span to for it to be the same quote: at least half of its words, and of
// its letters, and a third of them. A word counts as kept when half of its
// code points are (a typo fixed keeps its word; a word replaced by another
// does not), so "public good" becoming "common good" is kept and changed,
// "the inquisition to arrive" becoming "the Spanish police to show up" is not.
func (al *alignment) kept(s, e int, to span) bool {
	r := al.old.runes
	words, keptWords, letters, keptLetters := 0, 0, 0, 0
	for i := s; i < e; {
		if !isWordRune(r[i]) {
			i++
			continue
		}
		j, in := i, 0
		for j < e && isWordRune(r[j]) {
			if at, ok := al.newPos(j); ok && to.start <= at && at < to.end {
				in++
			}
			j++
		}
		words++
		letters += j - i
		if in*2 >= j-i {
			keptWords++
			keptLetters += j - i
		}
		i = j
	}
	if words == 0 {
		return true // punctuation only: carried is enough
	}
	return keptWords*2 >= words && keptLetters*3 >= letters
}

// passageShares says how many code points of old passage p went into each
// new passage.
func (al *alignment) passageShares(p Passage) map[int]int {
	shares := map[int]int{}
	for k := al.firstEndingAfter(p.Start); k < len(al.segs) && al.segs[k].a < p.End; k++ {
		s := al.segs[k]
		lo, hi := max(s.a, p.Start), min(s.a+s.n, p.End)
		for from := s.b + lo - s.a; from < s.b+hi-s.a; {
			to := s.b + hi - s.a
			np, ok := al.new.passageAt(from)
			if !ok {
				from++ // a separator between passages
				continue
			}
			end := min(to, np.End)
			shares[np.Number] += end - from
			from = end
		}
	}
	return shares
}

// wordsOf returns the [start, end) of every word in r.
func wordsOf(r []rune) []span {
	var out []span
	for i := 0; i < len(r); {
		if !isWordRune(r[i]) {
			i++
			continue
		}
		j := i
		for j < len(r) && isWordRune(r[j]) {
			j++
		}
		out = append(out, span{i, j})
		i = j
	}
	return out
}
