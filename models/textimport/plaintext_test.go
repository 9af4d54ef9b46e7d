package textimport

import (
	"strings"
	"testing"
	"time"
)

func TestParseTextPassages(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Passage
	}{
		{
			name: "hard-wrapped lines flow into paragraphs",
			in:   "It was a dark\nand stormy\nnight.\n\n\n\nThe end came\n   soon.",
			want: []Passage{para("It was a dark and stormy night."), para("The end came soon.")},
		},
		{
			name: "headings",
			in: "Opening remark.\n\nNORTH ATLANTIC TREATY\n\nArticle 5\n\nArticle  12\n\nCHAPTER 1. Loomings.\n\n" +
				"PART II\n\nChapter Three: The Voyage\n\nPreamble\n\nII.\n\nFEDERALIST No. 10\n\nText.",
			want: []Passage{
				para("Opening remark."), head(2, "NORTH ATLANTIC TREATY"), head(3, "Article 5"),
				head(3, "Article 12"), head(2, "CHAPTER 1. Loomings."), head(1, "PART II"),
				head(2, "Chapter Three: The Voyage"), head(2, "Preamble"), head(3, "II."),
				head(2, "FEDERALIST No. 10"), para("Text."),
			},
		},
		{
			name: "lines that are not headings",
			in: "Opening remark.\n\nSection 2 applies to everyone.\n\nsection 3\n\nI met NATO officials\n\n" +
				"Part did.\n\nAMERICA,\n\n“QUOTED CAPITALS”\n\n" +
				"THIS LINE IS IN CAPITALS BUT IT IS MUCH TOO LONG TO BE TAKEN FOR A HEADING OF ANY SORT\n\n" +
				"Section 3. This rule applies to every member of the council without exception.",
			want: []Passage{
				para("Opening remark."), para("Section 2 applies to everyone."), para("section 3"),
				para("I met NATO officials"), para("Part did."), para("AMERICA,"), para("“QUOTED CAPITALS”"),
				para("THIS LINE IS IN CAPITALS BUT IT IS MUCH TOO LONG TO BE TAKEN FOR A HEADING OF ANY SORT"),
				para("Section 3. This rule applies to every member of the council without exception."),
			},
		},
		{
			name: "bare heading directly above its text",
			in:   "Opening remark.\n\nArticle 6\nEveryone has the right to recognition\neverywhere.",
			want: []Passage{para("Opening remark."), head(3, "Article 6"), para("Everyone has the right to recognition everywhere.")},
		},
		{
			name: "keyword starting a wrapped paragraph is not split off",
			in:   "Opening remark.\n\nSECTION. 1. All legislative Powers herein granted shall be vested in a\nCongress of the United States.",
			want: []Passage{para("Opening remark."), para("SECTION. 1. All legislative Powers herein granted shall be vested in a Congress of the United States.")},
		},
		{
			name: "bullet lists",
			in:   "Opening remark.\n\n- one\n- two\n\n* star\n* more\n\n• dot\n• dots\n\n+ plus",
			want: []Passage{para("Opening remark."), item("one"), item("two"), item("star"), item("more"), item("dot"), item("dots"), item("plus")},
		},
		{
			name: "numbered lists keep their numbers",
			in:   "Opening remark.\n\n1. First point.\n2. Second point.\n10) Tenth point.",
			want: []Passage{para("Opening remark."), item("1. First point."), item("2. Second point."), item("10) Tenth point.")},
		},
		{
			name: "list items with indented continuation lines",
			in: "Opening remark.\n\n    • You pay a royalty fee of 20% of the gross profits you derive from\n" +
				"        the use of Project Gutenberg works.\n    • You comply with all other terms.",
			want: []Passage{para("Opening remark."), item("You pay a royalty fee of 20% of the gross profits you derive from the use of Project Gutenberg works."), item("You comply with all other terms.")},
		},
		{
			name: "not lists",
			in: "Opening remark.\n\n- a dash starts this line\nbut the paragraph goes on\n\n*       *       *       *       *\n\n" +
				"1.F.3. LIMITED RIGHT OF REPLACEMENT\nOR REFUND\n\n1984. It was a bright cold day.\nThe clocks struck thirteen.",
			want: []Passage{
				para("Opening remark."), para("- a dash starts this line but the paragraph goes on"), para("* * * * *"),
				para("1.F.3. LIMITED RIGHT OF REPLACEMENT OR REFUND"),
				para("1984. It was a bright cold day. The clocks struck thirteen."),
			},
		},
		{
			name: "block quotes",
			in:   "He wrote:\n> the first quoted\n> paragraph\n>\n> the second\n\n> > nested reply",
			want: []Passage{para("He wrote:"), quote("the first quoted paragraph"), quote("the second"), quote("nested reply")},
		},
		{
			name: "one paragraph per long line",
			in: "Opening remark.\n\n" +
				"He has refused his Assent to Laws, the most wholesome and necessary for the public good, time after time and again.\n" +
				"He has forbidden his Governors to pass Laws of immediate and pressing importance, unless suspended in their operation.\n" +
				"For cutting off our Trade with all parts of the world:",
			want: []Passage{
				para("Opening remark."),
				para("He has refused his Assent to Laws, the most wholesome and necessary for the public good, time after time and again."),
				para("He has forbidden his Governors to pass Laws of immediate and pressing importance, unless suspended in their operation."),
				para("For cutting off our Trade with all parts of the world:"),
			},
		},
		{
			name: "double-spaced hard-wrapped prose is reflowed",
			in: "Opening remark.\n\n\n\nTO WHAT expedient, then, shall we finally resort, for maintaining\n\n" +
				"in practice the necessary partition of power among the several\n\n" +
				"departments, as laid down in the Constitution? The only answer\n\n" +
				"PREVENTING AND CORRECTING INFRACTIONS OF THE CONSTITUTION. It\n\n" +
				"that can be given is, that as all these exterior provisions are\n\n" +
				"found to be inadequate, the defect must be supplied.\n\n" +
				"A new paragraph starts here and runs on for a while before it\n\n" +
				"ends in the middle of the page, as paragraphs will do when\n\n" +
				"the writer has said enough.\n\n\n\nPUBLIUS.",
			want: []Passage{
				para("Opening remark."),
				para("TO WHAT expedient, then, shall we finally resort, for maintaining in practice the necessary partition of power among the several departments, as laid down in the Constitution? The only answer PREVENTING AND CORRECTING INFRACTIONS OF THE CONSTITUTION. It that can be given is, that as all these exterior provisions are found to be inadequate, the defect must be supplied."),
				para("A new paragraph starts here and runs on for a while before it ends in the middle of the page, as paragraphs will do when the writer has said enough."),
				head(2, "PUBLIUS."),
			},
		},
		{
			name: "short one-line paragraphs are not reflowed",
			in: "Opening remark.\n\n“Where are you going?” asked the old man.\n\n“To the sea,” said the boy.\n\n" +
				"“Why would you want to go?”\n\n“Because it is there, and I am here.”\n\n“That is no reason at all,” he said.\n\n" +
				"“It is the best one I have.”\n\n“Then go, and come back soon.”",
			want: []Passage{
				para("Opening remark."), para("“Where are you going?” asked the old man."), para("“To the sea,” said the boy."),
				para("“Why would you want to go?”"), para("“Because it is there, and I am here.”"), para("“That is no reason at all,” he said."),
				para("“It is the best one I have.”"), para("“Then go, and come back soon.”"),
			},
		},
		{
			name: "whitespace and Unicode normalisation",
			in:   "Opening remark.\n\nNon\u00a0breaking\u2003spaces,\ttabs  and\u200a hair.\n\nCafe\u0301 cre\u0300me\ufeff.\n\nBell\x07 rings.",
			want: []Passage{para("Opening remark."), para("Non breaking spaces, tabs and hair."), para("Caf\u00e9 cr\u00e8me."), para("Bell rings.")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse("test.txt", []byte(tt.in), FormatText, 0)
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, doc)
			if d := diffPassages(doc.Passages, tt.want); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestParseTextMetadata(t *testing.T) {
	gutenberg := "The Project Gutenberg EBook of The Federalist Papers, by\nAlexander Hamilton and John Jay and James Madison\n\n" +
		"Title: The Federalist Papers\n\nAuthor: Alexander Hamilton\n        John Jay\n        James Madison\n\n" +
		"*** START OF THIS PROJECT GUTENBERG EBOOK THE FEDERALIST PAPERS ***\n\nFEDERALIST. No. 1\n\nText.\n"
	tests := []struct {
		name, file, in             string
		title, author, date, first string
		passages                   int
	}{
		{name: "first line is the title", file: "a.txt", in: "My Title\n\nBody text.", title: "My Title", first: "Body text.", passages: 1},
		{name: "repeated title is dropped", file: "a.txt", in: "My Title\n\nMy Title\n\nMY TITLE\n\nBody text.", title: "My Title", first: "Body text.", passages: 1},
		{name: "title is not repeated further down", file: "a.txt", in: "My Title\n\nBody.\n\nMy Title", title: "My Title", first: "Body.", passages: 2},
		{name: "sentence is not a title", file: "my_essay_2024.txt", in: "This is a sentence.\n\nMore.", title: "my essay 2024", first: "This is a sentence.", passages: 2},
		{name: "wrapped first paragraph is not a title", file: "x.txt", in: "Short line\ncontinued here\n\nMore", title: "x", first: "Short line continued here", passages: 2},
		{name: "generic heading is not a title", file: "constitution.txt", in: "PREAMBLE\n\nWe the People.", title: "constitution", first: "PREAMBLE", passages: 2},
		{name: "long first line is not a title", file: "decl.txt", in: strings.Repeat("word ", 30) + "\n\nMore", title: "decl", passages: 2},
		{name: "no name and no title line", file: "", in: "Just one sentence.", title: "Untitled", first: "Just one sentence.", passages: 1},
		{name: "a lone line is both title and passage", file: "a.txt", in: "Only a title", title: "Only a title", first: "Only a title", passages: 1},
		{name: "date line near the top", file: "a.txt", in: "Headline\n\nApril 8, 2024\n\nWashington, D.C., April 4, 2024 – Text.", title: "Headline", date: "April 8, 2024", first: "April 8, 2024", passages: 2},
		{name: "date line with weekday", file: "a.txt", in: "Headline\n\nFriday, November 23, 1787.\n\nText.", title: "Headline", date: "Friday, November 23, 1787", passages: 2},
		{name: "date inside a sentence is not a date line", file: "a.txt", in: "Headline\n\nOn April 8, 2024 we met.", title: "Headline", passages: 1},
		{name: "byline", file: "a.txt", in: "Headline\n\nBy Jane van der Berg\n\nText.", title: "Headline", author: "Jane van der Berg", passages: 2},
		{name: "metadata lines", file: "a.txt", in: "Title: Notes on X\nAuthor: Ann\nDate: 2024-01-02\n\nBody.", title: "Notes on X", author: "Ann", date: "2024-01-02", first: "Body.", passages: 1},
		{name: "mail headers are not metadata", file: "mail.txt", in: "Subject: Hello\nFrom: Bob\n\nBody.", title: "mail", first: "Subject: Hello From: Bob", passages: 2},
		{name: "older gutenberg header without start line", file: "pg.txt", in: "The Project Gutenberg Etext of Old Book\n\nTitle: Old Book\n\nAuthor: Someone Old\n\nText.", title: "Old Book", author: "Someone Old", first: "The Project Gutenberg Etext of Old Book", passages: 4},
		{name: "gutenberg header", file: "pg18.txt", in: gutenberg, title: "The Federalist Papers", author: "Alexander Hamilton, John Jay, James Madison", first: "The Project Gutenberg EBook of The Federalist Papers, by Alexander Hamilton and John Jay and James Madison", passages: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse(tt.file, []byte(tt.in), "", 0)
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, doc)
			if doc.Title != tt.title || doc.Author != tt.author || doc.Date != tt.date {
				t.Errorf("title, author, date = %q, %q, %q; want %q, %q, %q", doc.Title, doc.Author, doc.Date, tt.title, tt.author, tt.date)
			}
			if len(doc.Passages) != tt.passages {
				t.Errorf("got %d passages, want %d:%s", len(doc.Passages), tt.passages, dump(doc.Passages))
			}
			if tt.first != "" && len(doc.Passages) > 0 && doc.Passages[0].Text != tt.first {
				t.Errorf("first passage %q, want %q", doc.Passages[0].Text, tt.first)
			}
		})
	}
}

func TestTitleIsClipped(t *testing.T) {
	in := "<title>" + strings.Repeat("Very long title ", 40) + "</title><p>Body</p>"
	doc, err := Parse("a.html", []byte(in), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(doc.Title)); n > maxTitleRunes+1 || n < maxTitleRunes/2 || !strings.HasSuffix(doc.Title, " Very…") {
		t.Errorf("title of %d runes: %q", n, doc.Title)
	}
}

// A long run of one-line paragraphs is a candidate for reflowing at every
// line; looking at each line only once keeps parsing linear.
func TestManyOneLineParagraphsParseQuickly(t *testing.T) {
	in := strings.Repeat("This short paragraph stands on a line of its own.\n\n", 50000)
	start := time.Now()
	doc, err := Parse("a.txt", []byte(in), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Passages) != 50000 {
		t.Errorf("got %d passages", len(doc.Passages))
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
}
