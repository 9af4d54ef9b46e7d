package anchor

import (
	"math/rand"
	"testing"
	"time"
)

// federalistRevision is the benchmark of issue 13: 10,000 notes on the
// Federalist Papers, and a revision with one paragraph inserted at the top
// and 50 typo fixes spread through the text.
func federalistRevision(b testing.TB) ([]Selector, Text, Text) {
	texts := loadParagraphs(b, "federalist_papers_pg18.txt")
	oldText, oldPassages := build(texts...)
	runes := []rune(oldText)
	rnd := rand.New(rand.NewSource(13))
	sels := make([]Selector, 0, 10_000)
	for len(sels) < 10_000 {
		p := oldPassages[rnd.Intn(len(oldPassages))]
		ws := wordsOf(runes[p.Start:p.End])
		switch {
		case len(ws) == 0:
			continue
		case len(sels)%10 == 0:
			sels = append(sels, passageSelector(runes, p))
			continue
		}
		i := rnd.Intn(len(ws))
		j := min(len(ws)-1, i+rnd.Intn(12))
		sels = append(sels, phraseSelector(runes, p.Number, span{p.Start + ws[i].start, p.Start + ws[j].end}))
	}
	edited := append([]string{"A new introduction, written for this edition, comes before the first paper."}, texts...)
	for range 50 {
		k := 1 + rnd.Intn(len(texts))
		ws := wordsOf([]rune(edited[k]))
		for _, w := range ws[rnd.Intn(len(ws)):] {
			if w.end-w.start >= 5 {
				r := []rune(edited[k])
				r[w.start+1], r[w.start+2] = r[w.start+2], r[w.start+1]
				edited[k] = string(r)
				break
			}
		}
	}
	newText, newPassages := build(edited...)
	return sels, Text{oldText, oldPassages}, Text{newText, newPassages}
}

// BenchmarkReanchorFederalist re-anchors 10,000 notes; the ceiling run is
// the least any re-anchoring must do, decoding both texts, for the ratio.
func BenchmarkReanchorFederalist(b *testing.B) {
	sels, old, new := federalistRevision(b)
	b.Run("ceiling", func(b *testing.B) {
		for b.Loop() {
			_ = newRevision(old.Text, old.Passages)
			_ = newRevision(new.Text, new.Passages)
		}
	})
	b.Run("10000-notes", func(b *testing.B) {
		for b.Loop() {
			_, sts := ReanchorAll(sels, old, new)
			if n := countStatus(sts, Orphaned); n > 0 {
				b.Fatalf("%d notes orphaned by typo fixes", n)
			}
		}
	})
}

func countStatus(sts []Status, want Status) int {
	n := 0
	for _, s := range sts {
		if s == want {
			n++
		}
	}
	return n
}

// TestReanchorRewriteIsBounded: a revision that replaces the whole text
// orphans every note quickly instead of searching the new text once per note.
func TestReanchorRewriteIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("long text")
	}
	sels, old, _ := federalistRevision(t)
	other := loadParagraphs(t, "common_sense_paine_pg147.txt")
	newText, newPassages := build(other...)
	start := time.Now()
	_, sts := ReanchorAll(sels, old, Text{newText, newPassages})
	if n := countStatus(sts, Orphaned); n < len(sels)*9/10 {
		t.Errorf("%d of %d notes orphaned by a wholly new text", n, len(sels))
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("re-anchoring onto a wholly new text took %v", d)
	}
	t.Logf("%d notes onto a wholly new text in %v", len(sels), time.Since(start))
}
