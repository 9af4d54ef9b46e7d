package textimport

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// readingsDir holds the project's real-world sample documents.
const readingsDir = "../../../shared/readings"

func readReading(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(readingsDir, rel))
	if os.IsNotExist(err) {
		t.Skip("shared readings not available: " + rel)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseReading(t testing.TB, rel string) *Document {
	t.Helper()
	doc, err := Parse(filepath.Base(rel), readReading(t, rel), "", 0)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return doc
}

func TestReadingsParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(readingsDir, "*.txt"))
	long, _ := filepath.Glob(filepath.Join(readingsDir, "long", "*.txt"))
	files = append(files, long...)
	if len(files) == 0 {
		t.Skip("shared readings not available in " + readingsDir)
	}
	// What a reader would expect of the files whose metadata can be told.
	expect := map[string]struct{ title, author string }{
		"000_b1de3841c2bcba46.txt":                 {title: "The Short-lived NATO-Russia Honeymoon"},
		"common_sense_paine_pg147.txt":             {"Common Sense", "Thomas Paine"},
		"echr_1950_en.txt":                         {title: "Convention for the Protection of Human Rights and Fundamental Freedoms"},
		"federalist_10.txt":                        {title: "FEDERALIST No. 10"},
		"federalist_papers_pg18.txt":               {"The Federalist Papers", "Alexander Hamilton, John Jay, James Madison"},
		"north_atlantic_treaty_1949.txt":           {title: "NORTH ATLANTIC TREATY"},
		"udhr_1948_en.txt":                         {title: "Universal Declaration of Human Rights"},
		"un_charter_1945_en.txt":                   {title: "Charter of the United Nations"},
		"us_constitution_with_amendments.txt":      {title: "us constitution with amendments"},
		"us_declaration_of_independence_1776.txt":  {title: "us declaration of independence 1776"},
		"adventures_of_sherlock_holmes_pg1661.txt": {"The Adventures of Sherlock Holmes", "Arthur Conan Doyle"},
		"moby_dick_pg2701.txt":                     {"Moby Dick; Or, The Whale", "Herman Melville"},
		"moby_dick_pg2701.utf8.txt":                {"Moby Dick; Or, The Whale", "Herman Melville"},
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(name, b, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, doc)
			if len(doc.Passages) == 0 {
				t.Fatal("no passages")
			}
			for i, p := range doc.Passages {
				if strings.ContainsAny(p.Text, "\r\n\ufeff\ufffd") {
					t.Errorf("passage %d holds a line end, BOM or replacement character: %q", i, p.Text)
				}
			}
			if want, ok := expect[name]; ok && (doc.Title != want.title || doc.Author != want.author) {
				t.Errorf("title, author = %q, %q; want %q, %q", doc.Title, doc.Author, want.title, want.author)
			}
		})
	}
}

func TestMobyDickEncodingsGiveTheSamePassages(t *testing.T) {
	cp1252 := parseReading(t, "long/moby_dick_pg2701.txt")
	utf8 := parseReading(t, "long/moby_dick_pg2701.utf8.txt")
	if !slices.Equal(cp1252.Passages, utf8.Passages) {
		t.Fatalf("passages differ: %s", diffPassages(cp1252.Passages, utf8.Passages))
	}
	if cp1252.Title != utf8.Title || cp1252.Author != utf8.Author {
		t.Errorf("metadata differs: %+v vs %+v", cp1252, utf8)
	}
	// Equal but both wrong would pass above: check a Windows-1252 quote.
	if !slices.ContainsFunc(cp1252.Passages, func(p Passage) bool {
		return strings.HasPrefix(p.Text, "Call me Ishmael. Some years ago—never mind how long precisely—")
	}) {
		t.Error("the first sentence of Loomings, with its em dashes, was not found")
	}
	if !slices.Contains(cp1252.Passages, head(2, "CHAPTER 1. Loomings.")) {
		t.Error(`"CHAPTER 1. Loomings." is not a heading`)
	}
}

func TestSampleArticle(t *testing.T) {
	doc := parseReading(t, "000_b1de3841c2bcba46.txt")
	if doc.Title != "The Short-lived NATO-Russia Honeymoon" {
		t.Errorf("Title = %q", doc.Title)
	}
	for i, p := range doc.Passages {
		if p.Text == doc.Title {
			t.Errorf("passage %d repeats the title", i)
		}
	}
	if first := doc.Passages[0].Text; !strings.HasPrefix(first, "Meeting between NATO Secretary General") {
		t.Errorf("first passage = %q", first)
	}
	if doc.Date != "April 8, 2024" || !slices.Contains(doc.Passages, para("April 8, 2024")) {
		t.Errorf("Date = %q; the date line must also stay a passage", doc.Date)
	}
	joined := "Documents include transcripts of NATO secretary general with Russian parliament leaders, " +
		"U.S. defense secretary with high-level Duma delegation, and reports on Russian defense minister at joint U.S.-Russian exercises"
	if !slices.Contains(doc.Passages, para(joined)) {
		t.Error("the hard-wrapped paragraph was not joined into one passage")
	}
}

func TestCommonSenseHasNoBOMOrCR(t *testing.T) {
	b := readReading(t, "common_sense_paine_pg147.txt")
	text, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(text, "\ufeff\r") {
		t.Error("decoded text still holds a BOM or CR")
	}
	doc := parseReading(t, "common_sense_paine_pg147.txt")
	for i, p := range doc.Passages {
		if strings.ContainsAny(p.Text, "\ufeff\r") {
			t.Errorf("passage %d holds a BOM or CR: %q", i, p.Text)
		}
	}
	if strings.ContainsAny(doc.Title+doc.Author, "\ufeff\r") {
		t.Errorf("metadata holds a BOM or CR: %q %q", doc.Title, doc.Author)
	}
}

func TestReadingsStructure(t *testing.T) {
	tests := []struct {
		file    string
		want    []Passage // must appear in this order, consecutively
		comment string
	}{
		{"north_atlantic_treaty_1949.txt", []Passage{head(3, "Article 5")}, "Article headings"},
		{"udhr_1948_en.txt", []Passage{head(3, "Article 6"), para("Everyone has the right to recognition everywhere as a person before the law.")}, "heading with no blank line below"},
		{"echr_1950_en.txt", []Passage{head(3, "Article 4"), item("Prohibition of slavery and forced labour"), item("1. No one shall be held in slavery or servitude."), item("2. No one shall be required to perform forced or compulsory labour.")}, "numbered lists"},
		{"us_declaration_of_independence_1776.txt", []Passage{para("For cutting off our Trade with all parts of the world:"), para("For imposing Taxes on us without our Consent:")}, "one paragraph per line"},
		{"federalist_papers_pg18.txt", []Passage{para("To the People of the State of New York:")}, "a salutation stays a paragraph"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc := parseReading(t, tt.file)
			for i := range doc.Passages {
				if len(doc.Passages)-i >= len(tt.want) && slices.Equal(doc.Passages[i:i+len(tt.want)], tt.want) {
					return
				}
			}
			t.Errorf("%s: %s not found", tt.comment, dump(tt.want))
		})
	}
}

// Federalist No. 51 is double-spaced in the Gutenberg file: every line of
// prose stands alone between blank lines.
func TestFederalist51DoubleSpacingIsReflowed(t *testing.T) {
	doc := parseReading(t, "federalist_51.txt")
	found := slices.ContainsFunc(doc.Passages, func(p Passage) bool {
		return strings.HasPrefix(p.Text, "TO WHAT expedient, then, shall we finally resort, for maintaining in practice the necessary partition")
	})
	if !found {
		t.Errorf("the double-spaced lines were not joined:%s", dump(doc.Passages[:min(8, len(doc.Passages))]))
	}
	if len(doc.Passages) > 20 {
		t.Errorf("%d passages: double-spaced lines were taken one by one", len(doc.Passages))
	}
}

func BenchmarkParseMobyDick(b *testing.B) {
	data := readReading(b, "long/moby_dick_pg2701.txt")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("moby_dick_pg2701.txt", data, "", 0); err != nil {
			b.Fatal(err)
		}
	}
}
