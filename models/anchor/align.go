package anchor

import (
	"slices"
	"sort"
	"strings"
	"unicode"
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

// followMoved finds old passages the diff lost (most of their text deleted)
// whose text now stands, whole or edited, as a new passage the diff found
// inserted, and maps one onto the other: a paragraph moved or swapped
// carries its notes. Then the same for sentences, so a sentence moved to
// another paragraph carries its notes too.
func (al *alignment) followMoved(ta, tb tokens, vocab int) {
	al.followMovedChunks(al.old.passages, al.new.passages, false, ta, tb, vocab)
	// A sentence moved into another paragraph is new text inside a kept
	// passage: look for lost sentences within the new text no run reaches.
	var fresh []Passage
	for i, f := range al.freshSpans() {
		if f.end-f.start >= minSentence {
			fresh = append(fresh, Passage{Number: i + 1, Start: f.start, End: f.end})
		}
	}
	al.followMovedChunks(sentenceChunks(al.old), fresh, true, ta, tb, vocab)
}

// minSentence is the shortest sentence, in code points, paired as moved;
// shorter ones than similarSentence pair only with the same text.
const (
	minSentence     = 8
	similarSentence = 24
)

// sentenceChunks cuts every passage at its sentence ends, as chunks
// numbered in order.
func sentenceChunks(rev revision) []Passage {
	var out []Passage
	r := rev.runes
	add := func(start, end int) {
		if end-start >= minSentence {
			out = append(out, Passage{Number: len(out) + 1, Start: start, End: end})
		}
	}
	for _, p := range rev.passages {
		from := p.Start
		for i := p.Start + 2; i < p.End; i++ {
			if r[i-1] == ' ' && strings.ContainsRune(".;?!:", r[i-2]) && startsSentence(r[i]) {
				add(from, i-1)
				from = i
			}
		}
		add(from, p.End)
	}
	return out
}

func startsSentence(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("\"'“‘(", r)
}

func (al *alignment) followMovedChunks(oldChunks, newChunks []Passage, within bool, ta, tb tokens, vocab int) {
	lost := passagesBelowHalf(oldChunks, al.segs, func(s seg) (int, int) { return s.a, s.a + s.n })
	byNew := slices.Clone(al.segs)
	sort.Slice(byNew, func(i, j int) bool { return byNew[i].b < byNew[j].b })
	fresh := passagesBelowHalf(newChunks, byNew, func(s seg) (int, int) { return s.b, s.b + s.n })
	if len(lost) == 0 || len(fresh) == 0 {
		return
	}
	pairs := pairPassages(al.old, al.new, lost, fresh, within, ta, tb)
	if len(pairs) == 0 {
		return
	}
	var moved []seg
	var clipOld, clipNew []span
	for _, pr := range pairs {
		op, np := pr[0], pr[1]
		i0, i1 := tokenRange(ta, op)
		j0, j1 := tokenRange(tb, np)
		sub := diffTokens(ta.id[i0:i1], tb.id[j0:j1], vocab)
		for k := range sub {
			sub[k].a += i0
			sub[k].b += j0
		}
		rs := cleanupWithin(toRunes(sub, ta, tb), op, np)
		moved = append(moved, rs...)
		clipOld = append(clipOld, span{op.Start, op.End})
		for _, r := range rs {
			// Only the new text the moved runs take, so kept text that
			// shares the new passage keeps its own runs.
			clipNew = append(clipNew, span{r.b, r.b + r.n})
		}
	}
	var kept []seg
	for _, s := range al.segs {
		kept = append(kept, clip(s, clipOld, clipNew)...)
	}
	kept = append(kept, moved...)
	sort.Slice(kept, func(i, j int) bool { return kept[i].a < kept[j].a })
	al.segs = kept
}

// cleanupWithin is cleanup for the runs between two passages.
func cleanupWithin(rs []seg, op, np Passage) []seg {
	for k := range rs {
		rs[k].a -= op.Start
		rs[k].b -= np.Start
	}
	rs = cleanup(rs, op.End-op.Start, np.End-np.Start)
	for k := range rs {
		rs[k].a += op.Start
		rs[k].b += np.Start
	}
	return rs
}

// clip removes from s the parts whose old side falls in one of oldSpans or
// whose new side falls in one of newSpans.
func clip(s seg, oldSpans, newSpans []span) []seg {
	parts := []seg{s}
	cut := func(lo, hi int, onNew bool) {
		var out []seg
		for _, p := range parts {
			from := p.a
			if onNew {
				from = p.b
			}
			to := from + p.n
			if hi <= from || to <= lo {
				out = append(out, p)
				continue
			}
			if lo > from {
				out = append(out, seg{p.a, p.b, lo - from})
			}
			if hi < to {
				d := hi - from
				out = append(out, seg{p.a + d, p.b + d, p.n - d})
			}
		}
		parts = out
	}
	for _, o := range oldSpans {
		cut(o.start, o.end, false)
	}
	for _, n := range newSpans {
		cut(n.start, n.end, true)
	}
	return parts
}

// passagesBelowHalf lists the passages less than half of whose text the runs
// reach; segs must be sorted by the side side reads.
func passagesBelowHalf(passages []Passage, segs []seg, side func(seg) (int, int)) []Passage {
	var out []Passage
	k := 0
	for _, p := range passages {
		for k < len(segs) {
			if _, to := side(segs[k]); to <= p.Start {
				k++
				continue
			}
			break
		}
		covered := 0
		for j := k; j < len(segs); j++ {
			from, to := side(segs[j])
			if from >= p.End {
				break
			}
			covered += min(to, p.End) - max(from, p.Start)
		}
		if n := p.End - p.Start; n > 0 && covered*2 < n {
			out = append(out, p)
		}
	}
	return out
}

// maxPairings bounds the lost x fresh passage comparisons by similarity; past
// it only identical passages are paired. maxContainmentScan bounds the code
// points scanned looking for lost sentences in new text.
const (
	maxPairings        = 40_000
	maxContainmentScan = 100_000_000
)

// pairPassages pairs lost old passages with fresh new ones: identical texts
// first, then, greedily, the most similar by shared word pairs (at least
// half of them). With within, fresh chunks are stretches of new text that
// may hold more than one lost chunk: a lost chunk pairs with one holding its
// text, or most of its word pairs.
func pairPassages(old, new revision, lost, fresh []Passage, within bool, ta, tb tokens) [][2]Passage {
	var pairs [][2]Passage
	usedOld := map[int]bool{}
	usedNew := map[int]bool{}
	text := func(rev revision, p Passage) string { return string(rev.runes[p.Start:p.End]) }
	if within {
		freshTotal := 0
		freshTexts := make([]string, len(fresh))
		for i, np := range fresh {
			freshTexts[i] = text(new, np)
			freshTotal += np.End - np.Start
		}
		if len(lost)*freshTotal > maxContainmentScan {
			return nil // a rewrite, not moved sentences
		}
		for _, op := range lost {
			t := text(old, op)
			for i, np := range fresh {
				if strings.Contains(freshTexts[i], t) {
					pairs = append(pairs, [2]Passage{op, np})
					usedOld[op.Number] = true
					break
				}
			}
		}
	} else {
		byText := map[string][]Passage{}
		for _, np := range fresh {
			byText[text(new, np)] = append(byText[text(new, np)], np)
		}
		for _, op := range lost {
			t := text(old, op)
			if c := byText[t]; len(c) > 0 {
				pairs = append(pairs, [2]Passage{op, c[0]})
				byText[t] = c[1:]
				usedOld[op.Number], usedNew[c[0].Number] = true, true
			}
		}
	}
	if len(lost)*len(fresh) > maxPairings {
		return pairs
	}
	type scored struct {
		o, n  Passage
		score float64
	}
	var cands []scored
	oldBigrams := make([]map[uint64]bool, len(lost))
	for i, op := range lost {
		oldBigrams[i] = wordBigrams(old.runes, ta, op)
	}
	for _, np := range fresh {
		if usedNew[np.Number] || np.End-np.Start < similarSentence {
			continue
		}
		nb := wordBigrams(new.runes, tb, np)
		for i, op := range lost {
			if usedOld[op.Number] || op.End-op.Start < similarSentence {
				continue
			}
			score := dice(oldBigrams[i], nb)
			if within {
				score = containment(oldBigrams[i], nb)
			}
			if score >= 0.5 {
				cands = append(cands, scored{op, np, score})
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	for _, c := range cands {
		if usedOld[c.o.Number] || !within && usedNew[c.n.Number] {
			continue
		}
		usedOld[c.o.Number], usedNew[c.n.Number] = true, true
		pairs = append(pairs, [2]Passage{c.o, c.n})
	}
	return pairs
}

// containment is the share of a found in b.
func containment(a, b map[uint64]bool) float64 {
	if len(a) == 0 {
		return 0
	}
	common := 0
	for k := range a {
		if b[k] {
			common++
		}
	}
	return float64(common) / float64(len(a))
}

// tokenRange returns the tokens inside passage p.
func tokenRange(t tokens, p Passage) (int, int) {
	n := len(t.start) - 1
	i0 := sort.SearchInts(t.start[:n], p.Start)
	i1 := sort.SearchInts(t.start[:n], p.End)
	return i0, i1
}

// wordBigrams is the set of consecutive word-token pairs in p (whitespace
// and punctuation skipped), or of single words for a one-word passage.
func wordBigrams(runes []rune, t tokens, p Passage) map[uint64]bool {
	i0, i1 := tokenRange(t, p)
	set := map[uint64]bool{}
	prev := int32(-1)
	for i := i0; i < i1; i++ {
		if !isWordRune(runes[t.start[i]]) {
			continue
		}
		id := t.id[i]
		set[uint64(id)<<32|uint64(uint32(prev))] = true
		prev = id
	}
	return set
}

func dice(a, b map[uint64]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	common := 0
	for k := range a {
		if b[k] {
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
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

// maxTypoGap is the longest change, in code points, compared letter by
// letter to find a typo fix.
const maxTypoGap = 32

// refineTypos compares short changes between kept runs letter by letter: a
// word with a letter fixed ("recieve" to "receive") keeps most of its
// letters, where the word diff saw it replaced. A change that differs by
// more than a third is a different word and stays replaced.
func refineTypos(segs []seg, old, new []rune) []seg {
	out := make([]seg, 0, len(segs))
	prevA, prevB := 0, 0
	emitGap := func(a0, a1, b0, b1 int) {
		if a0 >= a1 || b0 >= b1 || a1-a0 > maxTypoGap || b1-b0 > maxTypoGap {
			return
		}
		x, y := old[a0:a1], new[b0:b1]
		if limit := max(1, max(len(x), len(y))/3); typoDistance(x, y) > limit {
			return
		}
		for _, s := range lcsRuns(x, y) {
			out = append(out, seg{a0 + s.a, b0 + s.b, s.n})
		}
	}
	for _, s := range segs {
		if s.a >= prevA && s.b >= prevB {
			emitGap(prevA, s.a, prevB, s.b)
		}
		out = append(out, s)
		prevA, prevB = s.a+s.n, s.b+s.n
	}
	emitGap(prevA, len(old), prevB, len(new))
	return out
}

// typoDistance is the edit distance of two short texts counting two
// neighbouring letters swapped as one edit (optimal string alignment).
func typoDistance(x, y []rune) int {
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			c := 1
			if x[i-1] == y[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

// lcsRuns is the longest common subsequence of two short texts as runs.
func lcsRuns(x, y []rune) []seg {
	n, m := len(x), len(y)
	l := make([][]int, n+1)
	for i := range l {
		l[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var runs []seg
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case x[i] == y[j]:
			if k := len(runs) - 1; k >= 0 && runs[k].a+runs[k].n == i && runs[k].b+runs[k].n == j {
				runs[k].n++
			} else {
				runs = append(runs, seg{i, j, 1})
			}
			i, j = i+1, j+1
		case l[i+1][j] >= l[i][j+1]:
			i++
		default:
			j++
		}
	}
	return runs
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
