package anchor

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzRevision splits text into passages at blank lines, as a revision
// joins them; texts that are not UTF-8 never reach anchoring (the importer
// repairs them), so they are skipped.
func fuzzRevision(t *testing.T, raw string) (string, []Passage, bool) {
	if !utf8.ValidString(raw) || len(raw) > 4096 {
		return "", nil, false
	}
	var texts []string
	for _, p := range strings.Split(raw, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			texts = append(texts, p)
		}
	}
	if len(texts) == 0 {
		return "", nil, false
	}
	text, passages := build(texts...)
	return text, passages, true
}

// pick chooses a phrase of passage p by code points from and n, clamped.
func pick(text string, passages []Passage, p, from, n int) (Passage, string) {
	pass := passages[abs(p)%len(passages)]
	runes := []rune(text)[pass.Start:pass.End]
	a := abs(from) % (len(runes) + 1)
	b := min(len(runes), a+abs(n)%64)
	return pass, string(runes[a:b])
}

// FuzzLocate: a phrase cut from a passage is always found in it, and the
// selector found is self-consistent (the position holds Exact, the context
// is the text around it) and inside the passage.
func FuzzLocate(f *testing.F) {
	f.Add("First passage here.\n\nSecond one, with a phrase.", 1, 3, 9, -1)
	f.Add("Le café était chaud 🙂 et la terrasse pleine.\n\n東京の夜は長い。 the tea  was\tserved.", 0, 5, 20, 40)
	f.Add("a a a a a a\n\na a", 0, 2, 3, 7)
	f.Fuzz(func(t *testing.T, raw string, p, from, n, hint int) {
		text, passages, ok := fuzzRevision(t, raw)
		if !ok {
			return
		}
		pass, exact := pick(text, passages, p, from, n)
		sel, err := Locate(text, passages, pass.Number, exact, hint)
		if err != nil {
			t.Fatalf("Locate(%d, %q) in %q: %v", pass.Number, exact, text, err)
		}
		if sel.Passage != pass.Number || sel.Position.Start < pass.Start || sel.Position.End > pass.End || sel.Position.Start > sel.Position.End {
			t.Fatalf("selector %+v outside passage %+v", sel, pass)
		}
		if strings.TrimSpace(exact) == "" != sel.WholePassage() {
			t.Fatalf("exact %q gave whole passage %v", exact, sel.WholePassage())
		}
		check(t, text, sel)
		if collapseSpace(sel.Quote.Exact) != collapseSpace(exact) {
			t.Fatalf("found %q for %q", sel.Quote.Exact, exact)
		}
		// A passage that does not exist is refused, never a panic.
		if _, err := Locate(text, passages, len(passages)+1, exact, hint); !errors.Is(err, ErrBadPassage) {
			t.Fatalf("passage %d of %d: %v", len(passages)+1, len(passages), err)
		}
	})
}

// FuzzReanchor: a selector carried onto any new revision either stays
// consistent with the new text (inside it, holding its Exact, inside the
// passage it names) or is orphaned and returned unchanged.
func FuzzReanchor(f *testing.F) {
	f.Add("Nobody expected the inquisition.\n\nThe tea was served.", "A new first paragraph.\n\nNobody expected the inquisition.\n\nThe tea was served.", 0, 8, 12)
	f.Add("One two three four.", "One two tree four.", 0, 4, 9)
	f.Add("Gone soon.\n\nStays here.", "Stays here.", 0, 0, 9)
	f.Fuzz(func(t *testing.T, oldRaw, newRaw string, p, from, n int) {
		oldText, oldPassages, ok := fuzzRevision(t, oldRaw)
		if !ok {
			return
		}
		newText, newPassages, ok := fuzzRevision(t, newRaw)
		if !ok {
			return
		}
		pass, exact := pick(oldText, oldPassages, p, from, n)
		sel, err := Locate(oldText, oldPassages, pass.Number, exact, -1)
		if err != nil {
			t.Fatalf("Locate: %v", err)
		}
		got, status := Reanchor(sel, Text{oldText, oldPassages}, Text{newText, newPassages})
		switch status {
		case Orphaned:
			if got != sel {
				t.Fatalf("orphaned selector changed: %+v, was %+v", got, sel)
			}
			return
		case Exact, Moved, Changed:
		default:
			t.Fatalf("status %q", status)
		}
		np, found := findPassage(newPassages, got.Passage)
		if !found || got.Position.Start < np.Start || got.Position.End > np.End || got.Position.Start > got.Position.End {
			t.Fatalf("%s selector %+v outside its passage %+v of %q", status, got, np, newText)
		}
		check(t, newText, got)
		if status == Exact && got.Quote.Exact != sel.Quote.Exact {
			t.Fatalf("exact match changed words: %q, was %q", got.Quote.Exact, sel.Quote.Exact)
		}
	})
}
