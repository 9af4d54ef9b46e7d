package spamfilter

import (
	"os"
	"path/filepath"
	"regexp/syntax"
	"strings"
	"testing"
	"unicode"
)

// Every call's pattern can only start matching where a word starts: it
// opens with \b and each of its alternatives with a letter or a digit, so
// callFound may try it there alone; and callFound knows each one's first
// bytes.
func TestCallsStartWords(t *testing.T) {
	for _, c := range calls {
		re, err := syntax.Parse(c.pattern.String(), syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if re.Op != syntax.OpConcat || re.Sub[0].Op != syntax.OpWordBoundary {
			t.Errorf("%s: the pattern does not open with \\b", c.kind)
			continue
		}
		firsts, ok := firstRunes(re.Sub[1])
		if !ok {
			t.Errorf("%s: cannot tell how its alternatives start", c.kind)
		}
		for _, r := range firsts {
			if r > unicode.MaxASCII || !isWordByte(byte(r)) {
				t.Errorf("%s: an alternative starts with %q, not a letter or a digit", c.kind, r)
			}
		}
		if c.starts['%'] || !c.starts[firsts[0]] {
			t.Errorf("%s: callFound's first bytes are not the pattern's", c.kind)
		}
	}
}

// callFound finds what the patterns find, on every text of the corpora
// (a third of each, their first 300 bytes) and on edge cases of word starts.
func TestCallFoundMatchesThePatterns(t *testing.T) {
	texts := []string{"", "call now", "xcall now", "_call now", "recall now", "please call now!", "(call us) at 5",
		"whatsapp", "what's app", "1 call now", "call now1", "é call now", "100% free", "100 % legit", "earn $500"}
	if _, err := os.Stat(corpusDir); err == nil {
		files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*"))
		for _, f := range files {
			if strings.HasSuffix(f, ".md") {
				continue
			}
			examples, err := ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for k, e := range examples {
				if k%3 != 0 {
					continue // a third of each corpus keeps the test short
				}
				// The first 300 bytes, which are all of most notes: the
				// patterns' own cost grows with the text's length.
				text := e.Text
				if len(text) > 300 {
					text = text[:300]
				}
				texts = append(texts, text)
			}
		}
	}
	if len(texts) < 500 && os.Getenv("CI") != "" {
		t.Fatalf("read only %d texts: the corpora are missing", len(texts))
	}
	for _, text := range texts {
		lower := strings.ToLower(text)
		for _, c := range calls {
			if got, want := callFound(&c, lower), c.pattern.MatchString(lower); got != want {
				t.Errorf("%s on %q: callFound %v, the pattern %v", c.kind, text, got, want)
			}
		}
	}
	t.Logf("%d texts", len(texts))
}
