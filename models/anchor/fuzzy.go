package anchor

import (
	"sort"
	"unicode"
)

// fuzzyBudget bounds the dynamic-programming cells computed for one fuzzy
// search, so a long quote against a long text cannot stall a request.
// Passages nearest the old position are searched first.
const fuzzyBudget = 20_000_000

// maxEdits is the largest edit distance accepted for a fuzzy match of
// exact: a fifth of its length, and for a quote of three words or more at
// least one word's worth more (its longest word and a space), so that one
// word inserted, deleted or substituted still matches. Callers guard such
// matches with context.
func maxEdits(exact []rune) int {
	k := len(exact) / 5
	words, longest, run := 0, 0, 0
	for _, r := range exact {
		if isWordRune(r) {
			if run == 0 {
				words++
			}
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if words >= 3 {
		k = max(k, min(longest+1, len(exact)/3))
	}
	return k
}

// fuzzy finds the substring of one passage closest to exact in edit
// distance, if within maxEdits; ties go to better context, then nearness.
func (rev revision) fuzzy(sel Selector, exact []rune) (match, bool) {
	k := maxEdits(exact)
	if k == 0 {
		return match{}, false
	}
	var found []match
	work := 0
	for _, p := range rev.searchOrder(sel) {
		if work > fuzzyBudget {
			break
		}
		text := rev.runes[p.Start:p.End]
		var cells int
		for _, m := range approxMatches(text, exact, k, &cells) {
			m = refine(text, exact, m)
			if m.start < m.end {
				found = append(found, match{span: span{p.Start + m.start, p.Start + m.end}, passage: p.Number, cost: m.cost})
			}
		}
		work += cells
		if good := k / 2; len(found) > 0 && cheapestCost(found) <= good {
			// A match this close is what we are after; passages further
			// from the old position would lose on nearness anyway.
			break
		}
	}
	if len(found) == 0 {
		return match{}, false
	}
	cheapest := cheapestCost(found)
	var best []match
	for _, m := range found {
		if m.cost == cheapest {
			best = append(best, m)
		}
	}
	return rev.best(sel, best), true
}

func cheapestCost(found []match) int {
	c := found[0].cost
	for _, m := range found[1:] {
		c = min(c, m.cost)
	}
	return c
}

// searchOrder lists the passages to search: the one with the old number
// first, then by distance from the old position.
func (rev revision) searchOrder(sel Selector) []Passage {
	order := append([]Passage(nil), rev.passages...)
	distance := func(p Passage) int {
		switch {
		case p.Number == sel.Passage:
			return -1
		case p.End <= sel.Position.Start:
			return sel.Position.Start - p.End
		case p.Start >= sel.Position.End:
			return p.Start - sel.Position.End
		}
		return 0
	}
	sort.SliceStable(order, func(i, j int) bool { return distance(order[i]) < distance(order[j]) })
	return order
}

type approx struct{ start, end, cost int }

// approxMatches runs Sellers' semi-global edit distance of pattern against
// every substring of text, with Ukkonen's cut-off (only rows that can still
// stay within k are computed), and reports, for each end position where the
// whole pattern matches within k edits, the best start and its cost. Adjacent
// ends are reduced to the cheapest. cells counts the work done.
func approxMatches(text, pattern []rune, k int, cells *int) []approx {
	m := len(pattern)
	cost := make([]int, m+1)  // column for the current text position
	start := make([]int, m+1) // where the alignment ending in that cell starts
	for i := range cost {
		cost[i] = i
	}
	last := min(k, m) // deepest row whose cost is <= k
	var out []approx
	prevEnd := -1
	for j := 1; j <= len(text); j++ {
		diag, diagStart := cost[0], start[0]
		cost[0], start[0] = 0, j
		limit := min(m, last+1)
		for i := 1; i <= limit; i++ {
			left, leftStart := cost[i], start[i]
			if i > last {
				left = k + 1 // stale: known only to exceed k
			}
			c, s := diag, diagStart
			if pattern[i-1] != text[j-1] {
				c++
			}
			if up := cost[i-1] + 1; up < c {
				c, s = up, start[i-1]
			}
			if left+1 < c {
				c, s = left+1, leftStart
			}
			diag, diagStart = left, leftStart
			cost[i], start[i] = c, s
		}
		*cells += limit
		last = limit
		for last > 0 && cost[last] > k {
			last--
		}
		if last == m {
			a := approx{start[m], j, cost[m]}
			// An alignment one position longer or shorter is the same
			// match: keep the cheaper of neighbours.
			if n := len(out); n > 0 && prevEnd == j-1 {
				if a.cost < out[n-1].cost {
					out[n-1] = a
				}
			} else {
				out = append(out, a)
			}
			prevEnd = j
		}
	}
	return out
}

func trimSpace(text []rune, start, end int) (int, int) {
	for start < end && unicode.IsSpace(text[start]) {
		start++
	}
	for end > start && unicode.IsSpace(text[end-1]) {
		end--
	}
	return start, end
}

// refine moves the ends of an approximate match by up to two code points
// each to the span closest to pattern, and between equally close spans to
// the one whose ends fall on word boundaries (so "formerly" is not returned
// as "ormerly"), then the longer (so a closing quote mark is kept).
func refine(text, pattern []rune, m approx) approx {
	best, bestBad := m, -1
	for ds := -2; ds <= 2; ds++ {
		for de := -2; de <= 2; de++ {
			s, e := m.start+ds, m.end+de
			if s < 0 || e > len(text) || s >= e {
				continue
			}
			s, e = trimSpace(text, s, e)
			if s >= e {
				continue
			}
			c := levenshtein(text[s:e], pattern, m.cost+2)
			bad := 0
			if s > 0 && isWordRune(text[s-1]) && isWordRune(text[s]) {
				bad++
			}
			if e < len(text) && isWordRune(text[e-1]) && isWordRune(text[e]) {
				bad++
			}
			better := bestBad < 0 || c < best.cost || c == best.cost && (bad < bestBad ||
				bad == bestBad && e-s > best.end-best.start)
			if better {
				best, bestBad = approx{s, e, c}, bad
			}
		}
	}
	return best
}

// levenshtein is the edit distance of a and b, or limit+1 when above limit.
func levenshtein(a, b []rune, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
			rowMin = min(rowMin, c)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
