package ftsquery

import (
	"strings"
	"unicode"
)

// Part is a piece of a snippet: a matched word or the text between.
type Part struct {
	Text  string
	Match bool
}

type token struct{ start, end int }

// Snippet cuts text to about n words around the best match of q, whole
// words only, with "…" where it cuts and each word that q looks for marked.
// The engines decide what matches; this only marks, comparing words folded
// for case and accents and lightly stemmed, so it agrees with them on the
// common English forms (treaty, treaties) without asking the database again.
func (q Query) Snippet(text string, n int) []Part {
	toks := tokenize(text)
	hit := make([]bool, len(toks))
	any := false
	for i, t := range toks {
		hit[i] = q.marks(text[t.start:t.end])
		any = any || hit[i]
	}
	first, last := 0, min(len(toks), n)-1
	if any && len(toks) > n {
		best, bestAt := -1, 0
		count := 0
		for i := range toks { // the window of n words holding the most marks, earliest first
			if hit[i] {
				count++
			}
			if i >= n && hit[i-n] {
				count--
			}
			if i >= n-1 && count > best {
				best, bestAt = count, i-n+1
			}
		}
		// Slide so the first mark has a few words of context before it.
		for bestAt < len(toks)-n && !anyIn(hit, bestAt, bestAt+4) {
			bestAt++
		}
		first, last = bestAt, bestAt+n-1
	}
	if len(toks) == 0 {
		return []Part{{Text: text}}
	}
	var out []Part
	from := 0
	if first > 0 {
		out = append(out, Part{Text: "… "})
		from = toks[first].start
	}
	end := len(text)
	if last < len(toks)-1 {
		end = toks[last].end
	}
	at := from
	for i := first; i <= last; i++ {
		if !hit[i] {
			continue
		}
		t := toks[i]
		if t.start > at {
			out = append(out, Part{Text: text[at:t.start]})
		}
		out = append(out, Part{Text: text[t.start:t.end], Match: true})
		at = t.end
	}
	if end > at {
		out = append(out, Part{Text: text[at:end]})
	}
	if last < len(toks)-1 {
		out = append(out, Part{Text: " …"})
	}
	return out
}

func anyIn(hit []bool, from, to int) bool {
	for i := from; i < to && i < len(hit); i++ {
		if hit[i] {
			return true
		}
	}
	return false
}

// HasMatch tells whether text holds a word q looks for.
func (q Query) HasMatch(text string) bool {
	for _, t := range tokenize(text) {
		if q.marks(text[t.start:t.end]) {
			return true
		}
	}
	return false
}

func (q Query) marks(word string) bool {
	w := fold(word)
	for _, t := range q.Terms {
		if t.Exclude {
			continue
		}
		for i, qw := range t.Words {
			f := fold(qw)
			if t.Prefix && i == len(t.Words)-1 {
				if strings.HasPrefix(w, f) {
					return true
				}
			} else if stem(w) == stem(f) {
				return true
			}
		}
	}
	return false
}

func tokenize(text string) []token {
	var out []token
	start := -1
	for i, r := range text {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if word && start < 0 {
			start = i
		} else if !word && start >= 0 {
			out = append(out, token{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, token{start, len(text)})
	}
	return out
}

// fold compares words as the index does.
func fold(w string) string { return strings.ToLower(Fold(w)) }

// stem strips the commonest English endings, enough to pair the forms the
// engines' stemmers pair.
func stem(w string) string {
	if len(w) <= 3 {
		return w
	}
	for _, s := range []struct{ suffix, with string }{
		{"sses", "ss"}, {"ies", "i"}, {"ied", "i"}, {"ness", ""}, {"ment", ""}, {"ings", ""}, {"ing", ""},
		{"edly", ""}, {"ed", ""}, {"ly", ""}, {"es", ""}, {"ss", "ss"}, {"s", ""},
	} {
		if strings.HasSuffix(w, s.suffix) && len(w)-len(s.suffix) >= 3 {
			w = w[:len(w)-len(s.suffix)] + s.with
			break
		}
	}
	if strings.HasSuffix(w, "y") {
		return w[:len(w)-1] + "i"
	}
	return strings.TrimSuffix(w, "e")
}
