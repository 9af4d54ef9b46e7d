package anchor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readReading(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "readings", name))
	return string(b), err
}

// paragraphs turns a plain text file into a revision: blank-line separated
// paragraphs, each trimmed.
func paragraphs(raw string) (string, []Passage) {
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	var texts []string
	for _, p := range strings.Split(raw, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			texts = append(texts, p)
		}
	}
	return build(texts...)
}

// locate is Locate that fails the test on error.
func locate(t *testing.T, text string, passages []Passage, p int, exact string) Selector {
	t.Helper()
	sel, err := Locate(text, passages, p, exact, -1)
	if err != nil {
		t.Fatalf("Locate(%d, %q): %v", p, exact, err)
	}
	return sel
}

const (
	para1 = "Le café était chaud 🙂 et la terrasse pleine de monde ce matin-là."
	para2 = "Nobody expected the inquisition to arrive before the tea was served."
	para3 = "東京の夜は長い。the tea was served again. The end of the story."
)

func TestReanchor(t *testing.T) {
	oldText, oldPassages := build(para1, para2, para3)
	tests := []struct {
		name       string
		passage    int
		exact      string
		newTexts   []string
		wantStatus Status
		wantExact  string
		wantPass   int
	}{
		{
			name: "unchanged text", passage: 2, exact: "the inquisition",
			newTexts:   []string{para1, para2, para3},
			wantStatus: Exact, wantExact: "the inquisition", wantPass: 2,
		},
		{
			name: "insertion before the quote in the same passage", passage: 2, exact: "the inquisition",
			newTexts:   []string{para1, "Frankly, nobody expected the inquisition to arrive before the tea was served.", para3},
			wantStatus: Changed /* same words, new context */, wantExact: "the inquisition", wantPass: 2,
		},
		{
			name: "multibyte insertion in an earlier passage shifts code points", passage: 3, exact: "the tea was served",
			newTexts:   []string{"Préambule ✓ 東京", para1, para2, para3},
			wantStatus: Moved, wantExact: "the tea was served", wantPass: 4,
		},
		{
			name: "repeated phrase follows its context after a shift", passage: 3, exact: "the tea was served",
			newTexts:   []string{para1 + " Encore du café.", "Nobody expected the tea was served early.", para2, para3},
			wantStatus: Moved, wantExact: "the tea was served", wantPass: 4,
		},
		{
			name: "passage deleted before the quote", passage: 3, exact: "The end of the story",
			newTexts:   []string{para1, para3},
			wantStatus: Moved, wantExact: "The end of the story", wantPass: 2,
		},
		{
			name: "edit inside the quote", passage: 2, exact: "expected the inquisition to arrive before",
			newTexts:   []string{para1, "Nobody expected the Inquisition to come before the tea was served.", para3},
			wantStatus: Changed, wantExact: "expected the Inquisition to come before", wantPass: 2,
		},
		{
			name: "edit inside a multibyte quote", passage: 1, exact: "café était chaud 🙂 et la terrasse",
			newTexts:   []string{"Le café était très chaud 🙂 et la terrasse pleine de monde ce matin-là.", para2, para3},
			wantStatus: Changed, wantExact: "café était très chaud 🙂 et la terrasse", wantPass: 1,
		},
		{
			name: "whitespace reflowed inside the quote", passage: 2, exact: "the inquisition to arrive",
			newTexts:   []string{para1, "Nobody expected the inquisition\nto  arrive before the tea was served.", para3},
			wantStatus: Changed, wantExact: "the inquisition\nto  arrive", wantPass: 2,
		},
		{
			name: "quote deleted", passage: 2, exact: "the inquisition to arrive",
			newTexts:   []string{para1, "Nobody expected anything at all.", para3},
			wantStatus: Orphaned, wantExact: "the inquisition to arrive", wantPass: 2,
		},
		{
			name: "quote rewritten beyond a fifth", passage: 2, exact: "the inquisition to arrive",
			newTexts:   []string{para1, "Nobody expected the Spanish police to show up before the tea was served.", para3},
			wantStatus: Orphaned, wantExact: "the inquisition to arrive", wantPass: 2,
		},
		{
			name: "quote now split across two passages keeps the larger part", passage: 2, exact: "inquisition to arrive",
			newTexts:   []string{para1, "Nobody expected the inquisition", "to arrive before the tea was served.", para3},
			wantStatus: Changed, wantExact: "inquisition", wantPass: 2,
		},
		{
			name: "short quote changed is not fuzzed", passage: 2, exact: "tea",
			newTexts:   []string{para1, "Nobody expected the inquisition to arrive before the coffee.", "東京の夜は長い。the coffee was served again."},
			wantStatus: Orphaned, wantExact: "tea", wantPass: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := locate(t, oldText, oldPassages, tt.passage, tt.exact)
			newText, newPassages := build(tt.newTexts...)
			got, status := Reanchor(old, Text{oldText, oldPassages}, Text{newText, newPassages})
			if status != tt.wantStatus {
				t.Fatalf("status = %s, want %s (got %+v)", status, tt.wantStatus, got)
			}
			if got.Quote.Exact != tt.wantExact || got.Passage != tt.wantPass {
				t.Fatalf("got %q in passage %d, want %q in passage %d", got.Quote.Exact, got.Passage, tt.wantExact, tt.wantPass)
			}
			if status == Orphaned {
				if got != old {
					t.Errorf("orphaned selector changed: %+v, was %+v", got, old)
				}
				return
			}
			check(t, newText, got)
			p, _ := findPassage(newPassages, got.Passage)
			if got.Position.Start < p.Start || got.Position.End > p.End {
				t.Errorf("position %v outside passage %+v", got.Position, p)
			}
		})
	}
}

func TestReanchorPrefersContextOverNearness(t *testing.T) {
	text, passages := build("one two three. The same words here. four five six. The same words here. seven eight")
	second, err := Locate(text, passages, 1, "The same words here", 60)
	if err != nil || second.Position.Start != 51 {
		t.Fatalf("Locate = %+v, %v; want the second occurrence at 51", second, err)
	}
	// After this edit the first occurrence sits next to where the second
	// was, but only the second still has the old context.
	newText, newPassages := build("alpha beta gamma delta epsilon zeta eta theta iota. The same words here. four five six. The same words here. seven eight")
	got, status := Reanchor(second, Text{text, passages}, Text{newText, newPassages})
	if status != Moved {
		t.Fatalf("status = %s", status)
	}
	if got.Quote.Suffix != ". seven eight" {
		t.Errorf("anchored to the wrong occurrence: %+v", got)
	}
}

func TestReanchorWholePassage(t *testing.T) {
	oldText, oldPassages := build(para1, para2, para3)
	tests := []struct {
		name       string
		newTexts   []string
		wantStatus Status
		wantPass   int
	}{
		{"unchanged", []string{para1, para2, para3}, Exact, 2},
		{"renumbered", []string{"New opening.", para1, para2, para3}, Moved, 3},
		{"shifted by an edit in an earlier passage", []string{"Le café. " + para1, para2, para3}, Moved, 2},
		{"passage itself edited", []string{para1, para2 + " Again.", para3}, Changed, 2},
		{"neighbour edited at the boundary", []string{para1 + " Fin.", para2, para3}, Moved, 2},
		{"moved to the end", []string{para1, para3, para2}, Moved, 3},
		{"heading inserted before it", []string{para1, "A heading", para2, para3}, Moved, 3},
		{"split in two follows the larger part", []string{para1, "Nobody expected", "the inquisition to arrive before the tea was served.", para3}, Changed, 3},
		{"joined with the next", []string{para1, para2 + " " + para3}, Changed, 2},
		{"deleted, its neighbours kept", []string{para1, para3}, Orphaned, 2},
		{"passage and neighbours replaced", []string{"a", "b", "c"}, Orphaned, 2},
		{"passage gone, fewer passages", []string{para1}, Orphaned, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := locate(t, oldText, oldPassages, 2, "")
			newText, newPassages := build(tt.newTexts...)
			got, status := Reanchor(old, Text{oldText, oldPassages}, Text{newText, newPassages})
			if status != tt.wantStatus || got.Passage != tt.wantPass {
				t.Fatalf("got passage %d %s, want passage %d %s", got.Passage, status, tt.wantPass, tt.wantStatus)
			}
			if !got.WholePassage() {
				t.Errorf("whole-passage selector became a phrase: %+v", got)
			}
			if status != Orphaned {
				p, _ := findPassage(newPassages, got.Passage)
				if got.Position != (Position{p.Start, p.End}) {
					t.Errorf("position %v, want passage bounds %+v", got.Position, p)
				}
			}
		})
	}
}

func TestReanchorAll(t *testing.T) {
	oldText, oldPassages := build(para1, para2, para3)
	sels := []Selector{
		locate(t, oldText, oldPassages, 1, "terrasse"),
		locate(t, oldText, oldPassages, 2, "the inquisition"),
		locate(t, oldText, oldPassages, 3, ""),
	}
	newText, newPassages := build("Intro.", para1, para2, para3)
	got, statuses := ReanchorAll(sels, Text{oldText, oldPassages}, Text{newText, newPassages})
	for i, sel := range sels {
		one, st := Reanchor(sel, Text{oldText, oldPassages}, Text{newText, newPassages})
		if got[i] != one || statuses[i] != st {
			t.Errorf("%d: ReanchorAll = %+v %s, Reanchor = %+v %s", i, got[i], statuses[i], one, st)
		}
		if st != Moved || got[i].Passage != sel.Passage+1 {
			t.Errorf("%d: %s in passage %d", i, st, got[i].Passage)
		}
	}
}

func TestReanchorIgnoresPassagesOutsideText(t *testing.T) {
	old := Selector{Passage: 1, Quote: Quote{Exact: "word"}, Position: Position{0, 4}}
	_, status := Reanchor(old, Text{"word", []Passage{{Number: 1, Start: 0, End: 4}}}, Text{"word", []Passage{{Number: 1, Start: 0, End: 10}}})
	if status != Orphaned {
		t.Errorf("status = %s, want orphaned for a passage beyond the text", status)
	}
}

// TestReanchorReadings edits a real document the way a new revision would
// (a paragraph inserted at the top, one word changed in every paragraph) and
// checks that quotes follow.
func TestReanchorReadings(t *testing.T) {
	raw, err := readReading("federalist_10.txt")
	if err != nil {
		t.Skip("shared readings not available:", err)
	}
	text, passages := paragraphs(raw)
	runes := []rune(text)
	var sels []Selector
	for _, p := range passages {
		if p.End-p.Start < 120 {
			continue
		}
		sels = append(sels, locate(t, text, passages, p.Number, string(runes[p.Start+20:p.Start+100])))
	}
	const note = "An editor's note added to the new revision, with é and 🙂."
	shift := len([]rune(note)) + 2
	edited := []string{note}
	for _, p := range passages {
		para := string(runes[p.Start:p.End])
		if p.End-p.Start >= 120 {
			r := []rune(para)
			r[60] = '#' // one substitution inside every quote
			para = string(r)
		}
		edited = append(edited, para)
	}
	newText, newPassages := build(edited...)
	start := time.Now()
	got, statuses := ReanchorAll(sels, Text{text, passages}, Text{newText, newPassages})
	for i, sel := range sels {
		if statuses[i] != Changed || got[i].Passage != sel.Passage+1 {
			t.Errorf("quote %d: %s in passage %d, want fuzzy in %d", i, statuses[i], got[i].Passage, sel.Passage+1)
			continue
		}
		check(t, newText, got[i])
		want := Position{sel.Position.Start + shift, sel.Position.End + shift}
		if got[i].Position != want || !strings.Contains(got[i].Quote.Exact, "#") {
			t.Errorf("quote %d: fuzzy match %q at %v, want the edited quote at %v", i, got[i].Quote.Exact, got[i].Position, want)
		}
	}
	t.Logf("re-anchored %d quotes in %v", len(sels), time.Since(start))
}

func BenchmarkReanchorFuzzy(b *testing.B) {
	for _, name := range []string{"federalist_10.txt", "federalist_papers_pg18.txt"} {
		b.Run(name, func(b *testing.B) {
			raw, err := readReading(name)
			if err != nil {
				b.Skip("shared readings not available:", err)
			}
			text, passages := paragraphs(raw)
			runes := []rune(text)
			// A 100 code point quote from the last long passage.
			var p Passage
			for _, q := range passages {
				if q.End-q.Start > 150 {
					p = q
				}
			}
			sel, err := Locate(text, passages, p.Number, string(runes[p.Start+20:p.Start+120]), -1)
			if err != nil {
				b.Fatal(err)
			}
			// Worst case: the quote was edited and every passage renumbered,
			// so the search cannot start from the right passage.
			exact := []rune(sel.Quote.Exact)
			edited := string(exact[:40]) + "XXXXX" + string(exact[45:])
			newText := strings.Replace(text, sel.Quote.Exact, edited, 1)
			newPassages := append([]Passage(nil), passages...)
			for i := range newPassages {
				newPassages[i].Number += len(passages)
			}
			for b.Loop() {
				if _, st := Reanchor(sel, Text{text, passages}, Text{newText, newPassages}); st != Changed {
					b.Fatalf("status %s", st)
				}
			}
		})
	}
}

// TestFuzzyBoundaries: between approximate matches as close as each other,
// the one whose ends fall on word boundaries wins, then the longer, so a
// word keeps its first letter and a quotation its closing mark.
func TestFuzzyBoundaries(t *testing.T) {
	tests := []struct{ text, pattern, want string }{
		{"he was formerly a clerk in the town", "formerly a clerc", "formerly a clerk"},
		{"she wrote “the public good” twice", "“the publick good”", "“the public good”"},
		{"Moscow with the Supreme Soviet chairman", "Moscow with Supreme Soviet", "Moscow with the Supreme Soviet"},
	}
	for _, tt := range tests {
		text, pattern := []rune(tt.text), []rune(tt.pattern)
		cells := 0
		found := approxMatches(text, pattern, maxEdits(pattern), &cells)
		if len(found) == 0 {
			t.Errorf("%q: no match within %d edits", tt.pattern, maxEdits(pattern))
			continue
		}
		best := found[0]
		for _, m := range found[1:] {
			if m.cost < best.cost {
				best = m
			}
		}
		m := refine(text, pattern, best)
		if got := string(text[m.start:m.end]); got != tt.want {
			t.Errorf("%q in %q: got %q, want %q", tt.pattern, tt.text, got, tt.want)
		}
	}
}
