package textimport

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Plain text has no markup, so structure is guessed from layout: blank lines
// separate blocks, and a few conservative patterns mark headings, lists and
// quotations. Anything doubtful stays a paragraph.

var (
	// listMarker matches "- item", "* item", "• item", "1. item", "2) item".
	listMarker = regexp.MustCompile(`^([-*+•◦▪‣]|\d{1,3}[.)])[ \t]+\S`)

	// keywordHeading matches "Article 5", "CHAPTER 1. Loomings.",
	// "SECTION. 2", "Part Two: The Voyage". Group 1 is the keyword, group 3
	// the optional title after a separator.
	keywordHeading = regexp.MustCompile(`^((?i:book|part|volume|title|act|chapter|adventure|letter|stave|canto|article|section|amendment|appendix|annex|schedule|scene))\.? +(?:(?i:no)\. ?)?(\d{1,4}[a-zA-Z]?|[IVXLCDM]+|(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))\b\.?(?: *[.:—–-] *(.+))?$`)

	// bareHeadings are section names that stand alone on a line.
	bareHeadings = map[string]bool{
		"preamble": true, "prologue": true, "epilogue": true, "introduction": true,
		"contents": true, "table of contents": true, "foreword": true, "preface": true,
		"afterword": true, "conclusion": true, "appendix": true, "glossary": true,
		"bibliography": true, "references": true, "notes": true, "abstract": true,
		"acknowledgements": true, "acknowledgments": true,
	}

	romanNumeralLine = regexp.MustCompile(`^[IVXLC]+\.$`)
)

// maxHeadingRunes is the longest line the heuristics will call a heading.
const maxHeadingRunes = 80

// maxTextTitleRunes is the longest first line taken as a title.
const maxTextTitleRunes = 120

func parseText(s string) *Document {
	lines := strings.Split(s, "\n")
	doc := &Document{}
	var gutenberg bool
	doc.Title, doc.Author, gutenberg = textHeaderMeta(lines)
	if !gutenberg {
		if meta, body := splitFrontMatter(s); len(meta) > 0 {
			lines = strings.Split(body, "\n")
			doc.Title, doc.Author, doc.Date = meta["title"], meta["author"], meta["date"]
		}
	}
	blocks := splitBlocks(lines)
	if doc.Title == "" && len(blocks) > 0 && len(blocks[0].lines) == 1 {
		doc.Title = textTitle(blocks[0].lines[0])
	}
	tp := &textParser{}
	for i := 0; i < len(blocks); {
		n, ok := doubleSpacedRun(blocks[i:])
		if ok {
			tp.reflow(blocks[i : i+n])
			i += n
			continue
		}
		// Blocks just rejected as a run are not looked at again, which
		// keeps long runs of one-line paragraphs linear.
		for _, b := range blocks[i : i+max(n, 1)] {
			tp.block(b.lines)
		}
		i += max(n, 1)
	}
	doc.Passages = tp.passages
	return doc
}

type textParser struct {
	passages []Passage
}

func (tp *textParser) emit(kind Kind, level int, text string) {
	if text = clean(text); text != "" {
		tp.passages = append(tp.passages, Passage{Kind: kind, Level: level, Text: text})
	}
}

// block handles the lines between two blank lines: runs of "> " lines are
// quotations, the rest prose.
func (tp *textParser) block(lines []string) {
	for i := 0; i < len(lines); {
		quoted := isQuoteLine(lines[i])
		j := i + 1
		for j < len(lines) && isQuoteLine(lines[j]) == quoted {
			j++
		}
		if quoted {
			tp.quote(lines[i:j])
		} else {
			tp.prose(lines[i:j])
		}
		i = j
	}
}

func (tp *textParser) prose(lines []string) {
	if items, ok := listItems(lines); ok {
		for _, item := range items {
			tp.emit(ListItem, 0, item)
		}
		return
	}
	first := clean(lines[0])
	if len(lines) == 1 {
		if level := headingLevel(first); level > 0 {
			tp.emit(Heading, level, first)
		} else {
			tp.emit(Paragraph, 0, first)
		}
		return
	}
	// "Article 6" directly above its text, with no blank line between. Only
	// the bare form counts: "SECTION. 1. All legislative Powers herein..."
	// is the first line of a hard-wrapped paragraph.
	if m := keywordHeading.FindStringSubmatch(first); m != nil && m[3] == "" && startsUpper(first) {
		tp.emit(Heading, keywordLevel(m[1]), first)
		tp.prose(lines[1:])
		return
	}
	if !hardWrapped(lines) {
		for _, line := range lines {
			tp.prose([]string{line})
		}
		return
	}
	tp.emit(Paragraph, 0, strings.Join(lines, " "))
}

// quote turns "> " lines into block quotes; a line holding only ">" ends
// one quoted paragraph and starts the next.
func (tp *textParser) quote(lines []string) {
	var para []string
	for _, line := range lines {
		text := strings.TrimLeft(line, " \t>")
		if text == "" {
			tp.emit(BlockQuote, 0, strings.Join(para, " "))
			para = para[:0]
			continue
		}
		para = append(para, text)
	}
	tp.emit(BlockQuote, 0, strings.Join(para, " "))
}

func isQuoteLine(line string) bool {
	t := strings.TrimLeft(line, " \t")
	return len(line)-len(t) <= 3 && (t == ">" || strings.HasPrefix(t, "> ") || strings.HasPrefix(t, ">>"))
}

func isBlank(line string) bool {
	return strings.TrimSpace(line) == ""
}

// listItems reads lines that all start with a list marker, each possibly
// followed by continuation lines indented deeper than its marker. Bullets
// are dropped; numbers are kept because legal texts cite them.
func listItems(lines []string) ([]string, bool) {
	var items []string
	indent := 0
	for _, line := range lines {
		body := strings.TrimLeft(line, " \t")
		lineIndent := indentWidth(line)
		if listMarker.MatchString(body) {
			text := body
			if r, size := utf8.DecodeRuneInString(body); !unicode.IsDigit(r) {
				text = body[size:]
			}
			if !hasLetterOrDigit(text) {
				return nil, false // "* * * * *" is a scene break, not a list
			}
			items = append(items, text)
			indent = lineIndent
			continue
		}
		if len(items) == 0 || lineIndent <= indent {
			return nil, false
		}
		items[len(items)-1] += " " + body
	}
	return items, true
}

// hasLetterOrDigit reports whether s contains a letter or digit other than
// a leading list number.
func hasLetterOrDigit(s string) bool {
	s = strings.TrimLeft(s, "0123456789.) \t")
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

func indentWidth(line string) int {
	w := 0
	for _, r := range line {
		switch r {
		case ' ':
			w++
		case '\t':
			w += 4
		default:
			return w
		}
	}
	return w
}

// headingLevel returns the heading level of a line standing alone, or 0
// when it does not look like a heading. Plain text has no real hierarchy,
// so levels come from the keyword: parts and books 1, chapters and
// all-capitals lines 2, articles and sections 3.
func headingLevel(line string) int {
	n := utf8.RuneCountInString(line)
	if n == 0 || n > maxHeadingRunes || !startsUpperOrDigit(line) {
		return 0
	}
	if m := keywordHeading.FindStringSubmatch(line); m != nil && startsUpper(line) && plausibleHeadingTitle(m[3]) {
		return keywordLevel(m[1])
	}
	if bareHeadings[strings.ToLower(strings.TrimSuffix(line, "."))] {
		return 2
	}
	if romanNumeralLine.MatchString(line) {
		return 3
	}
	if isCapitals(line) && !strings.HasSuffix(line, ",") {
		return 2
	}
	return 0
}

// plausibleHeadingTitle rejects text after "Section 3." that reads like the
// start of a sentence rather than a short title.
func plausibleHeadingTitle(title string) bool {
	if title == "" {
		return true
	}
	return len(strings.Fields(title)) <= 8 && !strings.ContainsAny(title[len(title)-1:], ",;")
}

func keywordLevel(keyword string) int {
	switch strings.ToLower(keyword) {
	case "book", "part", "volume", "title", "act":
		return 1
	case "chapter", "adventure", "letter", "stave", "canto":
		return 2
	}
	return 3
}

// isCapitals reports a line whose letters are (nearly) all capitals, such as
// "NORTH ATLANTIC TREATY" or "FEDERALIST No. 10".
func isCapitals(line string) bool {
	letters, upper := 0, 0
	for _, r := range line {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	return upper >= 2 && upper*100 >= letters*85
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

func startsUpperOrDigit(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || unicode.IsDigit(r)
}
