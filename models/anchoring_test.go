package models

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"gorm.io/gorm"

	"margin/models/anchor"
	"margin/models/textimport"
)

// TestLocateWindowMatchesWholeText checks that anchoring in a window of
// passages gives exactly the selector anchoring in the whole text gives:
// the treaty's short "Article N" headings make the window fall back.
func TestLocateWindowMatchesWholeText(t *testing.T) {
	// A list of very short items: three neighbours hold less than the 32
	// characters of context, so the window must widen to the whole text.
	short := "# Short items\n\n- a\n- bb\n- c\n- dd\n- e\n- ff\n- g\n- hh\n- i\n- jj\n\nA longer closing paragraph with words to quote.\n"
	data, err := os.ReadFile("../../shared/readings/north_atlantic_treaty_1949.txt")
	if err != nil {
		t.Log("../shared/readings not found: only the synthetic document is compared")
	}
	db, err := Open(Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer Close(db)
	for _, doc := range []struct{ name, text string }{{"short.md", short}, {"treaty.txt", string(data)}} {
		if doc.text != "" {
			compareLocate(t, db, doc.name, []byte(doc.text))
		}
	}
}

func compareLocate(t *testing.T, db *gorm.DB, name string, data []byte) {
	t.Helper()
	parsed, err := textimport.Parse(name, data, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ImportDocument(db, parsed, nil)
	if err != nil {
		t.Fatal(err)
	}
	rev, _ := RevisionByID(db, res.Document.CurrentRevisionID)
	passages, _ := Passages(db, rev.ID)
	for _, p := range passages {
		words := strings.Fields(p.Text)
		quotes := []string{"", words[0], words[len(words)-1]}
		if len(words) > 4 {
			quotes = append(quotes, strings.Join(words[1:4], " "))
		}
		for _, q := range quotes {
			want, werr := anchor.Locate(rev.Text, anchorPassages(passages), p.Number, q, -1)
			got, gerr := locateInRevision(db, rev.ID, p.Number, q, -1)
			if (werr == nil) != (gerr == nil) || got != want {
				t.Fatalf("passage %d, quote %q:\nwindow %+v (%v)\nwhole  %+v (%v)", p.Number, q, got, gerr, want, werr)
			}
			if q != "" && utf8.RuneCountInString(got.Quote.Prefix) < anchor.ContextLen && got.Position.Start >= anchor.ContextLen {
				t.Fatalf("passage %d, quote %q: short prefix %q", p.Number, q, got.Quote.Prefix)
			}
		}
	}
}
