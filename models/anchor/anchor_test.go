package anchor

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// build joins passage texts with "\n\n" as a revision does and numbers the
// passages from 1.
func build(texts ...string) (string, []Passage) {
	var passages []Passage
	offset := 0
	for i, t := range texts {
		n := utf8.RuneCountInString(t)
		passages = append(passages, Passage{Number: i + 1, Start: offset, End: offset + n})
		offset += n + 2
	}
	return strings.Join(texts, "\n\n"), passages
}

// check asserts that sel is self-consistent against text: the position holds
// Exact and the context is the text around it.
func check(t *testing.T, text string, sel Selector) {
	t.Helper()
	if sel.WholePassage() {
		return
	}
	if got := Slice(text, sel.Position.Start, sel.Position.End); got != sel.Quote.Exact {
		t.Errorf("text at %v = %q, want Exact %q", sel.Position, got, sel.Quote.Exact)
	}
	if got := Slice(text, sel.Position.Start-ContextLen, sel.Position.Start); got != sel.Quote.Prefix {
		t.Errorf("prefix = %q, want %q", sel.Quote.Prefix, got)
	}
	if got := Slice(text, sel.Position.End, sel.Position.End+ContextLen); got != sel.Quote.Suffix {
		t.Errorf("suffix = %q, want %q", sel.Quote.Suffix, got)
	}
}

func TestLocate(t *testing.T) {
	text, passages := build(
		"Café au lait, s'il vous plaît. Déjà vu.",            // 1
		"🙂 emoji 🙂 before the word target and after.",        // 2
		"東京は日本の首都です。東京は大きい。",                                 // 3
		"the cat sat on the mat; the cat ran; the cat slept", // 4
		"Line one\nline two  with   spaces\tand\u00a0nbsp.",  // 5
		"only here", // 6
	)
	p2 := passages[1]
	p4 := passages[3]
	tests := []struct {
		name      string
		passage   int
		exact     string
		hint      int
		wantExact string
		wantStart int // code points into text
	}{
		{"accented", 1, "s'il vous plaît", -1, "s'il vous plaît", 14},
		{"after emoji counts code points", 2, "target", -1, "target", p2.Start + 26},
		{"emoji in quote", 2, "🙂 before", -1, "🙂 before", p2.Start + 8},
		{"CJK first occurrence without hint", 3, "東京", -1, "東京", passages[2].Start},
		{"CJK second occurrence by hint", 3, "東京", passages[2].Start + 12, "東京", passages[2].Start + 11},
		{"repeated phrase, no hint takes first", 4, "the cat", -1, "the cat", p4.Start},
		{"repeated phrase, hint near second", 4, "the cat", p4.Start + 25, "the cat", p4.Start + 24},
		{"repeated phrase, hint near third", 4, "the cat", p4.Start + 100, "the cat", p4.Start + 37},
		{"hint between occurrences picks nearer", 4, "the cat", p4.Start + 30, "the cat", p4.Start + 24},
		{"selection with collapsed whitespace", 5, "one line two with spaces and nbsp", -1, "one\nline two  with   spaces\tand\u00a0nbsp", passages[4].Start + 5},
		{"selection with extra whitespace", 5, "  two\n\nwith \t spaces ", -1, "two  with   spaces", passages[4].Start + 14},
		{"phrase at the very start of the text", 1, "Café", -1, "Café", 0},
		{"phrase at the very end of the text", 6, "here", -1, "here", passages[5].End - 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := Locate(text, passages, tt.passage, tt.exact, tt.hint)
			if err != nil {
				t.Fatalf("Locate: %v", err)
			}
			if sel.Quote.Exact != tt.wantExact || sel.Position.Start != tt.wantStart || sel.Passage != tt.passage {
				t.Fatalf("got passage %d %q at %d, want passage %d %q at %d",
					sel.Passage, sel.Quote.Exact, sel.Position.Start, tt.passage, tt.wantExact, tt.wantStart)
			}
			if want := tt.wantStart + utf8.RuneCountInString(tt.wantExact); sel.Position.End != want {
				t.Errorf("End = %d, want %d", sel.Position.End, want)
			}
			check(t, text, sel)
		})
	}
}

func TestLocateContextAtBoundaries(t *testing.T) {
	text, passages := build("Début du texte é, puis une longue suite de mots pour dépasser trente-deux", "fin ✓")
	first, err := Locate(text, passages, 1, "Début", -1)
	if err != nil {
		t.Fatal(err)
	}
	if first.Quote.Prefix != "" {
		t.Errorf("prefix at text start = %q, want empty", first.Quote.Prefix)
	}
	if n := utf8.RuneCountInString(first.Quote.Suffix); n != ContextLen {
		t.Errorf("suffix has %d code points, want %d", n, ContextLen)
	}
	last, err := Locate(text, passages, 2, "✓", -1)
	if err != nil {
		t.Fatal(err)
	}
	if last.Quote.Suffix != "" {
		t.Errorf("suffix at text end = %q, want empty", last.Quote.Suffix)
	}
	// The prefix crosses into passage 1: context comes from the full text.
	if !strings.HasSuffix(last.Quote.Prefix, "trente-deux\n\nfin ") || utf8.RuneCountInString(last.Quote.Prefix) != ContextLen {
		t.Errorf("prefix = %q", last.Quote.Prefix)
	}
	check(t, text, first)
	check(t, text, last)
}

func TestLocateWholePassage(t *testing.T) {
	text, passages := build("first", "second passage", "third")
	for _, exact := range []string{"", "  \n\t "} {
		sel, err := Locate(text, passages, 2, exact, -1)
		if err != nil {
			t.Fatal(err)
		}
		want := Selector{Passage: 2, Quote: Quote{Prefix: "first\n\n", Suffix: "\n\nthird"}, Position: Position{7, 21}}
		if sel != want {
			t.Errorf("Locate(%q) = %+v, want %+v", exact, sel, want)
		}
	}
}

func TestLocateErrors(t *testing.T) {
	text, passages := build("alpha beta", "gamma delta", "epsilon")
	tests := []struct {
		name    string
		passage int
		exact   string
		want    error
		message string
	}{
		{"quote only in another passage", 1, "gamma", ErrQuoteNotFound, "the quoted text does not occur in passage 1"},
		{"quote absent everywhere", 3, "zeta", ErrQuoteNotFound, "the quoted text does not occur in passage 3"},
		{"quote spanning two passages", 1, "beta gamma", ErrQuoteNotFound, "the quoted text does not occur in passage 1"},
		{"case matters", 2, "Gamma", ErrQuoteNotFound, "the quoted text does not occur in passage 2"},
		{"unknown passage", 4, "alpha", ErrBadPassage, "passage 4 does not exist in this revision"},
		{"passage zero", 0, "alpha", ErrBadPassage, "passage 0 does not exist in this revision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Locate(text, passages, tt.passage, tt.exact, -1)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err.Error() != tt.message {
				t.Errorf("message = %q, want %q", err.Error(), tt.message)
			}
		})
	}
	// A passage whose bounds lie outside the text is as bad as a missing one.
	_, err := Locate("short", []Passage{{Number: 1, Start: 0, End: 50}}, 1, "short", -1)
	if !errors.Is(err, ErrBadPassage) {
		t.Errorf("out-of-bounds passage: err = %v, want ErrBadPassage", err)
	}
}

func TestOffsets(t *testing.T) {
	s := "aé🙂東z"
	// byte offsets of each code point: a=0 é=1 🙂=3 東=7 z=10, len 11
	for i, b := range []int{0, 1, 3, 7, 10, 11} {
		if got := ByteOffset(s, i); got != b {
			t.Errorf("ByteOffset(%d) = %d, want %d", i, got, b)
		}
		if got := RuneOffset(s, b); got != i {
			t.Errorf("RuneOffset(%d) = %d, want %d", b, got, i)
		}
	}
	if got := ByteOffset(s, 99); got != len(s) {
		t.Errorf("ByteOffset past end = %d", got)
	}
	if got := ByteOffset(s, -3); got != 0 {
		t.Errorf("ByteOffset negative = %d", got)
	}
	if got := RuneOffset(s, 99); got != 5 {
		t.Errorf("RuneOffset past end = %d", got)
	}
	if got := RuneOffset(s, 2); got != 2 {
		t.Errorf("RuneOffset inside é = %d, want 2", got)
	}
	if got := Slice(s, 1, 4); got != "é🙂東" {
		t.Errorf("Slice = %q", got)
	}
	if got := Slice(s, 3, 1); got != "" {
		t.Errorf("reversed Slice = %q", got)
	}
}

// TestLocateReadings anchors phrases in real documents from the shared test
// data, where passages are paragraphs.
func TestLocateReadings(t *testing.T) {
	raw, err := readReading("udhr_1948_en.txt")
	if err != nil {
		t.Skip("shared readings not available:", err)
	}
	text, passages := paragraphs(raw)
	if len(passages) < 10 {
		t.Fatalf("only %d passages", len(passages))
	}
	runes := []rune(text)
	// Every passage's middle third must be found back at its own place.
	for _, p := range passages {
		third := (p.End - p.Start) / 3
		if third < 5 {
			continue
		}
		// Locate trims surrounding whitespace, as a browser selection may
		// carry some.
		var want span
		want.start, want.end = trimSpace(runes, p.Start+third, p.End-third)
		exact := string(runes[want.start:want.end])
		sel, err := Locate(text, passages, p.Number, exact, want.start)
		if err != nil {
			t.Fatalf("passage %d: %v", p.Number, err)
		}
		if sel.Position != (Position{want.start, want.end}) {
			t.Errorf("passage %d: at %v, want %v", p.Number, sel.Position, want)
		}
		check(t, text, sel)
	}
}
