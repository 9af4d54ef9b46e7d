package anchor

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
