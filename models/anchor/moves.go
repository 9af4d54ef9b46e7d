package anchor

import (
	"slices"
	"sort"
	"strings"
	"unicode"
)

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
	d := newDiffer(nil, nil, vocab)
	for _, pr := range pairs {
		op, np := pr[0], pr[1]
		i0, i1 := tokenRange(ta, op)
		j0, j1 := tokenRange(tb, np)
		sub := d.run(ta.id[i0:i1], tb.id[j0:j1])
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
