package textimport

import (
	"fmt"
	"strings"
	"testing"
)

// Passage constructors keep the expectation tables readable.
func para(text string) Passage            { return Passage{Kind: Paragraph, Text: text} }
func head(level int, text string) Passage { return Passage{Kind: Heading, Level: level, Text: text} }
func item(text string) Passage            { return Passage{Kind: ListItem, Text: text} }
func quote(text string) Passage           { return Passage{Kind: BlockQuote, Text: text} }

// checkDocument asserts what every parsed document promises, whatever its
// format: a title, and passages whose text is already clean.
func checkDocument(t testing.TB, doc *Document) {
	t.Helper()
	if doc.Title == "" {
		t.Error("empty title")
	}
	if doc.Title != clean(doc.Title) {
		t.Errorf("title %q is not normalised", doc.Title)
	}
	for i, p := range doc.Passages {
		switch {
		case p.Kind != Paragraph && p.Kind != Heading && p.Kind != ListItem && p.Kind != BlockQuote && p.Kind != Caption:
			t.Errorf("passage %d: unknown kind %q", i, p.Kind)
		case p.Kind == Heading && (p.Level < 1 || p.Level > 6):
			t.Errorf("passage %d: heading level %d", i, p.Level)
		case p.Kind != Heading && p.Level != 0:
			t.Errorf("passage %d: %s with level %d", i, p.Kind, p.Level)
		case p.Text == "":
			t.Errorf("passage %d: empty text", i)
		case p.Text != clean(p.Text):
			t.Errorf("passage %d: text not normalised: %q", i, p.Text)
		}
	}
}

// diffPassages describes the first difference between two passage lists.
func diffPassages(got, want []Passage) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("passage %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("got %d passages, want %d:\n got %s\nwant %s", len(got), len(want), dump(got), dump(want))
	}
	return ""
}

func dump(ps []Passage) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "\n  %s/%d %q", p.Kind, p.Level, p.Text)
	}
	return b.String()
}
