package anchor

import (
	"sort"
	"strings"
	"unicode"
)

// A revision is compared with the next one once, as a diff of their tokens
// (words, whitespace runs, single punctuation marks), and every note's old
// position is carried through that diff. The diff is a patience diff: tokens
// that occur exactly once on both sides anchor the alignment, so a repeated
// phrase is carried by the unique words around it, never matched to another
// occurrence because it also fits; gaps without such anchors fall back to a
// bounded Myers diff.

// seg is a run of n code points kept from old position a to new position b.
type seg struct{ a, b, n int }

// tokens cuts runes into words (letters, digits and marks), whitespace runs
// and single other code points, and names each distinct token by an id.
type tokens struct {
	start []int   // code point where each token starts; one extra at the end
	id    []int32 // the token's id, equal for equal text
}

type vocabulary map[uint64]int32

func (v vocabulary) tokenize(runes []rune) tokens {
	var t tokens
	t.start = make([]int, 0, len(runes)/3+2)
	t.id = make([]int32, 0, len(runes)/3+1)
	for i := 0; i < len(runes); {
		j := i + 1
		switch {
		case isWordRune(runes[i]):
			for j < len(runes) && isWordRune(runes[j]) {
				j++
			}
		case unicode.IsSpace(runes[i]):
			for j < len(runes) && unicode.IsSpace(runes[j]) {
				j++
			}
		}
		h := uint64(14695981039346656037) // FNV-1a over the code points
		for _, r := range runes[i:j] {
			h = (h ^ uint64(r)) * 1099511628211
		}
		id, ok := v[h]
		if !ok {
			id = int32(len(v))
			v[h] = id
		}
		t.start = append(t.start, i)
		t.id = append(t.id, id)
		i = j
	}
	t.start = append(t.start, len(runes))
	return t
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// differ holds scratch space for one diff of token sequences a and b.
type differ struct {
	a, b   []int32
	out    []seg // in token units
	countA []int32
	countB []int32
	where  []int32
	stamp  []int32
	gen    int32
}

func newDiffer(a, b []int32, vocab int) *differ {
	return &differ{a: a, b: b, countA: make([]int32, vocab), countB: make([]int32, vocab), where: make([]int32, vocab),
		stamp: make([]int32, vocab)}
}

// diffTokens returns the kept runs of a against b, in token units, ordered
// on both sides.
func diffTokens(a, b []int32, vocab int) []seg {
	return newDiffer(nil, nil, vocab).run(a, b)
}

// run diffs a against b with d's scratch space, which serves any number of
// runs over the same vocabulary.
func (d *differ) run(a, b []int32) []seg {
	d.a, d.b, d.out = a, b, nil
	d.diff(0, len(a), 0, len(b), 0)
	return d.out
}

func (d *differ) emit(a, b, n int) {
	if n <= 0 {
		return
	}
	if k := len(d.out) - 1; k >= 0 && d.out[k].a+d.out[k].n == a && d.out[k].b+d.out[k].n == b {
		d.out[k].n += n
		return
	}
	d.out = append(d.out, seg{a, b, n})
}

func (d *differ) diff(a0, a1, b0, b1, depth int) {
	n := 0
	for a0+n < a1 && b0+n < b1 && d.a[a0+n] == d.b[b0+n] {
		n++
	}
	d.emit(a0, b0, n)
	a0, b0 = a0+n, b0+n
	tail := 0
	for a1-tail > a0 && b1-tail > b0 && d.a[a1-tail-1] == d.b[b1-tail-1] {
		tail++
	}
	a1, b1 = a1-tail, b1-tail
	if a0 < a1 && b0 < b1 {
		anchors := d.uniqueCommon(a0, a1, b0, b1)
		if len(anchors) == 0 || depth > 64 {
			d.myers(a0, a1, b0, b1)
		} else {
			pa, pb := a0, b0
			for _, p := range anchors {
				d.diff(pa, p.a, pb, p.b, depth+1)
				d.emit(p.a, p.b, 1)
				pa, pb = p.a+1, p.b+1
			}
			d.diff(pa, a1, pb, b1, depth+1)
		}
	}
	d.emit(a1, b1, tail)
}

// uniqueCommon finds the tokens occurring once in a[a0:a1] and once in
// b[b0:b1] and returns the longest run of them in the same order on both
// sides (patience sorting).
func (d *differ) uniqueCommon(a0, a1, b0, b1 int) []seg {
	d.gen++
	g := d.gen
	for i := a0; i < a1; i++ {
		id := d.a[i]
		if d.stamp[id] != g {
			d.stamp[id], d.countA[id], d.countB[id], d.where[id] = g, 0, 0, int32(i)
		}
		d.countA[id]++
	}
	for j := b0; j < b1; j++ {
		if id := d.b[j]; d.stamp[id] == g {
			d.countB[id]++
		}
	}
	var pairs []seg
	for j := b0; j < b1; j++ {
		id := d.b[j]
		if d.stamp[id] == g && d.countA[id] == 1 && d.countB[id] == 1 {
			pairs = append(pairs, seg{a: int(d.where[id]), b: j})
		}
	}
	return longestIncreasing(pairs)
}

// longestIncreasing returns the longest subsequence of pairs (ordered by b)
// whose a also increases.
func longestIncreasing(pairs []seg) []seg {
	if len(pairs) == 0 {
		return nil
	}
	tails := []int{}                // index in pairs of the smallest tail of each length
	prev := make([]int, len(pairs)) // predecessor in the best chain
	for i, p := range pairs {
		k := sort.Search(len(tails), func(k int) bool { return pairs[tails[k]].a >= p.a })
		if k > 0 {
			prev[i] = tails[k-1]
		} else {
			prev[i] = -1
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	out := make([]seg, len(tails))
	for i, k := tails[len(tails)-1], len(tails)-1; k >= 0; i, k = prev[i], k-1 {
		out[k] = pairs[i]
	}
	return out
}

// maxMyersEdits bounds the Myers fallback: a gap that needs more edits than
// this is taken as replaced outright.
const maxMyersEdits = 600

// myers emits the longest common subsequence of a[a0:a1] and b[b0:b1] by
// Myers' O(ND) algorithm, or nothing when more than maxMyersEdits edits
// would be needed.
func (d *differ) myers(a0, a1, b0, b1 int) {
	n, m := a1-a0, b1-b0
	maxD := min(n+m, maxMyersEdits)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	for e := 0; e <= maxD; e++ {
		for k := -e; k <= e; k += 2 {
			var x int
			if k == -e || k != e && v[off+k-1] < v[off+k+1] {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && d.a[a0+x] == d.b[b0+y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				trace = append(trace, append([]int(nil), v[off-e:off+e+1]...))
				d.backtrack(trace, a0, b0, n, m)
				return
			}
		}
		trace = append(trace, append([]int(nil), v[off-e:off+e+1]...))
	}
}

// backtrack walks Myers' trace back from (n, m) and emits the diagonals.
// trace[e] holds the furthest x reached on diagonals -e..e after e edits.
func (d *differ) backtrack(trace [][]int, a0, b0, n, m int) {
	x, y := n, m
	var runs []seg
	for e := len(trace) - 1; e > 0; e-- {
		k := x - y
		prevAt := func(k int) int { return trace[e-1][k+e-1] }
		pk := k - 1
		if k == -e || k != e && prevAt(k-1) < prevAt(k+1) {
			pk = k + 1
		}
		px := prevAt(pk)
		py := px - pk
		sx := px // the snake starts after the edit
		if pk == k-1 {
			sx++ // a deletion moved right
		}
		if x > sx {
			runs = append(runs, seg{a0 + sx, b0 + sx - k, x - sx})
		}
		x, y = px, py
	}
	if x > 0 {
		runs = append(runs, seg{a0, b0, x})
	}
	for i := len(runs) - 1; i >= 0; i-- {
		d.emit(runs[i].a, runs[i].b, runs[i].n)
	}
}

// toRunes turns token runs into code point runs.
func toRunes(ts []seg, ta, tb tokens) []seg {
	out := make([]seg, 0, len(ts))
	for _, s := range ts {
		a, b := ta.start[s.a], tb.start[s.b]
		n := ta.start[s.a+s.n] - a
		if k := len(out) - 1; k >= 0 && out[k].a+out[k].n == a && out[k].b+out[k].n == b {
			out[k].n += n
			continue
		}
		out = append(out, seg{a, b, n})
	}
	return out
}

// cleanup drops kept runs too short to trust between larger changes (a "the"
// or a space shared by a deleted paragraph and the one written in its
// place), as diff-match-patch's semantic cleanup does: a run no longer than
// half the change on each side of it is folded into the change (a word kept
// between two words replaced stays kept). na and nb are
// the lengths of the two texts.
func cleanup(segs []seg, na, nb int) []seg {
	out := make([]seg, 0, len(segs)+2)
	out = append(out, seg{0, 0, 0})
	for _, s := range append(segs, seg{na, nb, 0}) {
		out = append(out, s)
		for len(out) >= 3 {
			k := len(out) - 2
			l, mid, r := out[k-1], out[k], out[k+1]
			leftA, leftB := mid.a-(l.a+l.n), mid.b-(l.b+l.n)
			rightA, rightB := r.a-(mid.a+mid.n), r.b-(mid.b+mid.n)
			if 2*mid.n > max(leftA, leftB) || 2*mid.n > max(rightA, rightB) {
				break
			}
			out = append(out[:k], r)
		}
	}
	kept := out[:0]
	for _, s := range out {
		if s.n > 0 {
			kept = append(kept, s)
		}
	}
	return kept
}

// maxSlide bounds how far slide moves one change.
const maxSlide = 4000

// slide moves each pure deletion or insertion along the text it can shift
// through without changing the result (deleting the second of two
// paragraphs that begin alike can be told as deleting from the middle of the
// first to the middle of the second) to where its ends fall on the best
// boundaries: passage breaks, then sentence ends, then spaces.
func slide(segs []seg, old, new []rune) []seg {
	for i := 0; i+1 < len(segs); i++ {
		l, r := &segs[i], &segs[i+1]
		text, lEnd, rStart := old, l.a+l.n, r.a // a deletion from old
		switch {
		case l.b+l.n == r.b && r.a > lEnd:
		case l.a+l.n == r.a && r.b > l.b+l.n:
			text, lEnd, rStart = new, l.b+l.n, r.b // an insertion into new
		default:
			continue
		}
		// The change is text[lEnd:rStart]; it may move left by up to
		// l.n and right by up to r.n code points.
		left := 0
		for left < l.n && left < maxSlide && text[lEnd-1-left] == text[rStart-1-left] {
			left++
		}
		right := 0
		for right < r.n && right < maxSlide && text[lEnd+right] == text[rStart+right] {
			right++
		}
		bestShift, bestScore := 0, -1
		for d := -left; d <= right; d++ {
			if s := boundary(text, lEnd+d) + boundary(text, rStart+d); s > bestScore {
				bestShift, bestScore = d, s
			}
		}
		if bestShift != 0 {
			l.n += bestShift
			r.a, r.b, r.n = r.a+bestShift, r.b+bestShift, r.n-bestShift
		}
	}
	kept := segs[:0]
	for _, s := range segs {
		if s.n > 0 {
			kept = append(kept, s)
		}
	}
	return kept
}

// boundary scores position i of text as a place for a change to start or
// end.
func boundary(text []rune, i int) int {
	switch {
	case i <= 0 || i >= len(text):
		return 4
	case text[i-1] == '\n' && text[i] != '\n', text[i] == '\n' && text[i-1] != '\n':
		return 4 // a passage's start or end
	case unicode.IsSpace(text[i-1]) && i >= 2 && strings.ContainsRune(".;:?!", text[i-2]),
		unicode.IsSpace(text[i]) && strings.ContainsRune(".;:?!", text[i-1]):
		return 3 // either side of the space after a sentence
	case unicode.IsSpace(text[i-1]) != unicode.IsSpace(text[i]):
		return 2
	case isWordRune(text[i-1]) != isWordRune(text[i]):
		return 1
	}
	return 0
}
