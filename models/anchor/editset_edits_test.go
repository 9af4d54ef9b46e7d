package anchor

import (
	"fmt"
	"math/rand"
	"slices"
)

// The kinds of edit of the edit set, each applied to the cell model of a
// document (see editset_test.go), at random or aimed at a note.

var filler = []string{
	"moreover", "indeed", "plainly", "certainly", "entire", "public", "general", "several", "national", "common",
}

type editor struct {
	rnd    *rand.Rand
	spares []string // paragraphs from other documents, for insertions
}

func (ed *editor) para(d editDoc, minLen int) int {
	for range 50 {
		if i := ed.rnd.Intn(len(d)); len(d[i]) >= minLen {
			return i
		}
	}
	return ed.rnd.Intn(len(d))
}

type edit struct {
	name  string
	apply func(ed *editor, d editDoc, target *noteAt) editDoc
}

// noteAt is where a note's quote stands in the document being edited, for
// edits aimed at notes.
type noteAt struct{ para, start, end int }

func (ed *editor) wordIn(d editDoc, t *noteAt, minLen int) (int, span, bool) {
	if t != nil {
		ws := words(d[t.para][t.start:t.end])
		if len(ws) > 0 {
			w := ws[ed.rnd.Intn(len(ws))]
			return t.para, span{w.start + t.start, w.end + t.start}, true
		}
	}
	i := ed.para(d, minLen)
	ws := words(d[i])
	if len(ws) == 0 {
		return i, span{}, false
	}
	return i, ws[ed.rnd.Intn(len(ws))], true
}

var edits = []edit{
	{"move paragraph", func(ed *editor, d editDoc, _ *noteAt) editDoc {
		i := ed.para(d, 80)
		p := d[i]
		d = slices.Delete(d, i, i+1)
		j := ed.rnd.Intn(len(d) + 1)
		return slices.Insert(d, j, p)
	}},
	{"swap paragraphs", func(ed *editor, d editDoc, _ *noteAt) editDoc {
		i := ed.rnd.Intn(len(d) - 1)
		d[i], d[i+1] = d[i+1], d[i]
		return d
	}},
	{"insert heading", func(ed *editor, d editDoc, _ *noteAt) editDoc {
		j := ed.rnd.Intn(len(d) + 1)
		return slices.Insert(d, j, newCells(fmt.Sprintf("Part %d: %s matters", ed.rnd.Intn(9)+1, filler[ed.rnd.Intn(len(filler))])))
	}},
	{"insert paragraph", func(ed *editor, d editDoc, _ *noteAt) editDoc {
		j := ed.rnd.Intn(len(d) + 1)
		return slices.Insert(d, j, newCells(ed.spares[ed.rnd.Intn(len(ed.spares))]))
	}},
	{"delete paragraph", func(ed *editor, d editDoc, t *noteAt) editDoc {
		i := ed.para(d, 1)
		if t != nil {
			i = t.para
		}
		return slices.Delete(d, i, i+1)
	}},
	{"delete sentence", func(ed *editor, d editDoc, t *noteAt) editDoc {
		i := ed.para(d, 200)
		if t != nil {
			i = t.para
		}
		ss := sentences(d[i])
		if len(ss) == 0 {
			return d
		}
		k := ed.rnd.Intn(len(ss))
		end := len(d[i])
		if k+1 < len(ss) {
			end = ss[k+1]
		}
		from := ss[k]
		if end == len(d[i]) {
			from-- // take the space before the last sentence
		}
		d[i] = slices.Delete(slices.Clone(d[i]), from, end)
		return d
	}},
	{"insert word", func(ed *editor, d editDoc, t *noteAt) editDoc {
		i, w, ok := ed.wordIn(d, t, 40)
		if !ok {
			return d
		}
		d[i] = slices.Insert(slices.Clone(d[i]), w.start, newCells(filler[ed.rnd.Intn(len(filler))]+" ")...)
		return d
	}},
	{"substitute word", func(ed *editor, d editDoc, t *noteAt) editDoc {
		i, w, ok := ed.wordIn(d, t, 40)
		if !ok {
			return d
		}
		old := d[i][w.start:w.end]
		word := []rune(filler[ed.rnd.Intn(len(filler))])
		repl := make([]cell, len(word))
		for k, r := range word {
			repl[k] = cell{r, -1, old[k*len(old)/len(word)].id}
		}
		d[i] = slices.Replace(slices.Clone(d[i]), w.start, w.end, repl...)
		return d
	}},
	{"fix typo", func(ed *editor, d editDoc, t *noteAt) editDoc {
		i, w, ok := ed.wordIn(d, t, 40)
		if !ok || w.end-w.start < 4 {
			return d
		}
		p := slices.Clone(d[i])
		at := w.start + 1 + ed.rnd.Intn(w.end-w.start-2)
		switch ed.rnd.Intn(3) {
		case 0: // transposed letters
			p[at], p[at+1] = p[at+1], p[at]
		case 1: // a letter dropped
			p = slices.Delete(p, at, at+1)
		default: // a letter changed
			p[at] = cell{'e', -1, p[at].id}
			if p[at].r == d[i][at].r {
				p[at].r = 'a'
			}
		}
		d[i] = p
		return d
	}},
	{"split paragraph", func(ed *editor, d editDoc, t *noteAt) editDoc {
		i := ed.para(d, 200)
		if t != nil {
			i = t.para
		}
		ss := sentences(d[i])
		if len(ss) == 0 {
			return d
		}
		at := ss[ed.rnd.Intn(len(ss))]
		first, second := slices.Clone(d[i][:at-1]), slices.Clone(d[i][at:])
		d = slices.Replace(d, i, i+1, first, second)
		return d
	}},
	{"merge paragraphs", func(ed *editor, d editDoc, t *noteAt) editDoc {
		i := ed.rnd.Intn(len(d) - 1)
		if t != nil && t.para+1 < len(d) {
			i = t.para
		}
		joined := append(append(slices.Clone(d[i]), newCells(" ")...), d[i+1]...)
		return slices.Replace(d, i, i+2, joined)
	}},
	{"typography", func(ed *editor, d editDoc, t *noteAt) editDoc {
		i := ed.para(d, 1)
		if t != nil {
			i = t.para
		}
		return typography(d, i)
	}},
	{"typography everywhere", func(ed *editor, d editDoc, _ *noteAt) editDoc {
		for i := range d {
			d = typography(d, i)
		}
		return d
	}},
	{"rewrite sentence", func(ed *editor, d editDoc, t *noteAt) editDoc {
		i := ed.para(d, 80)
		if t != nil {
			i = t.para
		}
		p := slices.Clone(d[i])
		ws := words(p)
		from := ed.rnd.Intn(max(1, len(ws)-8))
		for k := min(len(ws)-1, from+8); k >= from; k-- {
			if ed.rnd.Intn(5) < 2 {
				w := ws[k]
				word := []rune(filler[ed.rnd.Intn(len(filler))])
				repl := make([]cell, len(word))
				for j, r := range word {
					repl[j] = cell{r, -1, p[w.start+j*(w.end-w.start)/len(word)].id}
				}
				p = slices.Replace(p, w.start, w.end, repl...)
			}
		}
		d[i] = p
		return d
	}},
	{"move sentence", func(ed *editor, d editDoc, t *noteAt) editDoc {
		i := ed.para(d, 200)
		if t != nil {
			i = t.para
		}
		ss := sentences(d[i])
		if len(ss) == 0 || len(d) < 2 {
			return d
		}
		k := ed.rnd.Intn(len(ss))
		end := len(d[i])
		if k+1 < len(ss) {
			end = ss[k+1]
		}
		from := ss[k]
		sentence := slices.Clone(d[i][from:end])
		if end == len(d[i]) {
			from--
		}
		d[i] = slices.Delete(slices.Clone(d[i]), from, end)
		j := ed.rnd.Intn(len(d))
		for len(sentence) > 0 && sentence[len(sentence)-1].r == ' ' {
			sentence = sentence[:len(sentence)-1]
		}
		d[j] = append(append(slices.Clone(d[j]), newCells(" ")...), sentence...)
		return d
	}},
	{"move and edit paragraph", func(ed *editor, d editDoc, t *noteAt) editDoc {
		i := ed.para(d, 120)
		if t != nil {
			i = t.para
		}
		p := slices.Clone(d[i])
		ws := words(p)
		if len(ws) > 3 {
			w := ws[ed.rnd.Intn(len(ws))]
			p = slices.Insert(p, w.start, newCells(filler[ed.rnd.Intn(len(filler))]+" ")...)
		}
		d = slices.Delete(d, i, i+1)
		j := ed.rnd.Intn(len(d) + 1)
		return slices.Insert(d, j, p)
	}},
	{"delete words", func(ed *editor, d editDoc, t *noteAt) editDoc {
		i, w, ok := ed.wordIn(d, t, 60)
		if !ok {
			return d
		}
		ws := words(d[i])
		k := slices.Index(ws, w)
		last := ws[min(len(ws)-1, k+1+ed.rnd.Intn(5))]
		end := last.end
		if end < len(d[i]) && d[i][end].r == ' ' {
			end++
		}
		d[i] = slices.Delete(slices.Clone(d[i]), w.start, end)
		return d
	}},
}

func typography(d editDoc, i int) editDoc {
	p := slices.Clone(d[i])
	open := true
	for k := range p {
		switch p[k].r {
		case '"':
			p[k] = cell{'”', -1, p[k].id}
			if open {
				p[k].r = '“'
			}
			open = !open
		case '\'':
			p[k] = cell{'’', -1, p[k].id}
		case '-':
			if k > 0 && p[k-1].r == '-' {
				p[k-1] = cell{'—', -1, p[k-1].id}
				p[k] = cell{'\u200b', -1, -1}
			}
		}
	}
	d[i] = slices.DeleteFunc(p, func(c cell) bool { return c.r == '\u200b' })
	return d
}
