// Package textdiff compares two short texts word by word, for showing what
// an edit changed: the edit history of a note marks the words taken out
// and put in between one version and the next.
package textdiff

import (
	"strings"
	"unicode"
)

// Kind says whether a piece of text is in both versions, only the old one
// or only the new one.
type Kind int

const (
	Equal Kind = iota
	Delete
	Insert
)

// Op is a run of text and where it is.
type Op struct {
	Kind Kind
	Text string
}

// Deleted and Inserted are for templates.
func (o Op) Deleted() bool  { return o.Kind == Delete }
func (o Op) Inserted() bool { return o.Kind == Insert }

// maxCells bounds the comparison table (old words × new words): longer
// texts are shown as replaced whole rather than compared slowly.
const maxCells = 4_000_000

// Words compares old and new as runs of words and of the spaces between
// them, and returns the runs in order, neighbours of one kind merged.
func Words(old, new string) []Op {
	a, b := split(old), split(new)
	// Common ends first: most edits touch a few words in the middle.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []Op
	add := func(k Kind, s string) {
		if s == "" {
			return
		}
		if n := len(ops); n > 0 && ops[n-1].Kind == k {
			ops[n-1].Text += s
			return
		}
		ops = append(ops, Op{Kind: k, Text: s})
	}
	add(Equal, strings.Join(a[:pre], ""))
	middle(a[pre:len(a)-suf], b[pre:len(b)-suf], add)
	add(Equal, strings.Join(a[len(a)-suf:], ""))
	return ops
}

// middle is the longest common subsequence of the words between the
// common ends, by the textbook table.
func middle(a, b []string, add func(Kind, string)) {
	n, m := len(a), len(b)
	if n*m > maxCells {
		add(Delete, strings.Join(a, ""))
		add(Insert, strings.Join(b, ""))
		return
	}
	// lcs[i][j] is the common length of a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			add(Equal, a[i])
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			add(Delete, a[i])
			i++
		default:
			add(Insert, b[j])
			j++
		}
	}
	add(Delete, strings.Join(a[i:], ""))
	add(Insert, strings.Join(b[j:], ""))
}

// split cuts s into words (letters, digits and marks), whitespace runs
// and single other characters, so "try" and "try," share their word.
func split(s string) []string {
	var out []string
	class := func(r rune) int {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			return 1
		case unicode.IsSpace(r):
			return 2
		}
		return 0
	}
	start, prev := 0, -1
	for i, r := range s {
		c := class(r)
		if i > start && (c != prev || c == 0) {
			out = append(out, s[start:i])
			start = i
		}
		prev = c
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
