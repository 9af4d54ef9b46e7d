package textdiff

import (
	"strings"
	"testing"
)

func render(ops []Op) string {
	var b strings.Builder
	for _, o := range ops {
		switch o.Kind {
		case Delete:
			b.WriteString("[-" + o.Text + "-]")
		case Insert:
			b.WriteString("{+" + o.Text + "+}")
		default:
			b.WriteString(o.Text)
		}
	}
	return b.String()
}

func TestWords(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{"same text", "same text", "same text"},
		{"", "new words", "{+new words+}"},
		{"old words", "", "[-old words-]"},
		{"The treaty was signed in 1949.", "The treaty was signed in April 1949.", "The treaty was signed in {+April +}1949."},
		{"a quick brown fox", "a slow brown dog", "a [-quick-]{+slow+} brown [-fox-]{+dog+}"},
		{"naïve café", "naïve bistro", "naïve [-café-]{+bistro+}"},
		{"line one\nline two", "line one\nline three", "line one\nline [-two-]{+three+}"},
		{"A second try", "A second try, with a source", "A second try{+, with a source+}"},
	} {
		if got := render(Words(tc.old, tc.new)); got != tc.want {
			t.Errorf("Words(%q, %q) = %q, want %q", tc.old, tc.new, got, tc.want)
		}
	}
}

// Both sides can always be read back from the ops.
func TestWordsKeepsBothTexts(t *testing.T) {
	old, new := "one two three four five six", "zero two four five seven six eight"
	var a, b strings.Builder
	for _, o := range Words(old, new) {
		if o.Kind != Insert {
			a.WriteString(o.Text)
		}
		if o.Kind != Delete {
			b.WriteString(o.Text)
		}
	}
	if a.String() != old || b.String() != new {
		t.Errorf("read back %q and %q", a.String(), b.String())
	}
}
