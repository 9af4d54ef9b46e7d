package textimport

import (
	"strings"
	"unicode/utf8"
)

// Hard-wrapped text comes in more layouts than "lines of one paragraph
// between blank lines"; these helpers recognise the others.

// maxWrapRunes is wider than any usual hard-wrap width (Gutenberg wraps at
// 70-78 characters).
const maxWrapRunes = 100

// minDoubleSpacedRun is the fewest lines taken as double-spaced prose.
const minDoubleSpacedRun = 6

// A textBlock is a run of non-blank lines.
type textBlock struct {
	lines        []string
	blanksBefore int
}

func splitBlocks(lines []string) []textBlock {
	var blocks []textBlock
	blanks := 0
	for i := 0; i < len(lines); {
		if isBlank(lines[i]) {
			blanks++
			i++
			continue
		}
		j := i + 1
		for j < len(lines) && !isBlank(lines[j]) {
			j++
		}
		blocks = append(blocks, textBlock{lines: lines[i:j], blanksBefore: blanks})
		blanks = 0
		i = j
	}
	return blocks
}

// hardWrapped reports whether the lines of a block are one paragraph broken
// to a fixed width. When most lines are longer than any usual wrap width
// (the Declaration of Independence has one grievance per line), each line
// is a paragraph of its own.
func hardWrapped(lines []string) bool {
	long := 0
	for _, line := range lines[:len(lines)-1] {
		if utf8.RuneCountInString(line) > maxWrapRunes {
			long++
		}
	}
	return long*2 <= len(lines)-1
}

// doubleSpacedRun returns the number of leading blocks that are the lines
// of hard-wrapped prose with a blank line after each one, as in parts of
// the Gutenberg Federalist Papers. When ok is false, the first n blocks
// were looked at and are not the start of such a run.
// Wrapped lines mostly end mid-sentence, which one-line paragraphs do not.
func doubleSpacedRun(blocks []textBlock) (n int, ok bool) {
	sentenceEnds := 0
	for ; n < len(blocks); n++ {
		b := blocks[n]
		if len(b.lines) != 1 || (n > 0 && b.blanksBefore != 1) || !wrappedLine(b.lines[0], n > 0) {
			break
		}
		if endsSentence(b.lines[0]) {
			sentenceEnds++
		}
	}
	return n, n >= minDoubleSpacedRun && sentenceEnds*3 <= n
}

// wrappedLine reports a line that could be one line of wrapped prose.
// Inside a run, a long line in capitals that stops mid-sentence is prose
// set in capitals for emphasis, not a heading.
func wrappedLine(line string, inRun bool) bool {
	t := clean(line)
	n := utf8.RuneCountInString(t)
	if n < 20 || n > maxWrapRunes || listMarker.MatchString(t) || isQuoteLine(t) || isDateLine(t) {
		return false
	}
	return headingLevel(t) == 0 || inRun && n >= 40 && !endsSentence(t)
}

// reflow joins a double-spaced run into paragraphs. The original paragraph
// breaks are lost; a short line ending a sentence is the best guess.
func (tp *textParser) reflow(blocks []textBlock) {
	width := 0
	for _, b := range blocks {
		width = max(width, utf8.RuneCountInString(strings.TrimSpace(b.lines[0])))
	}
	var para []string
	for _, b := range blocks {
		line := strings.TrimSpace(b.lines[0])
		para = append(para, line)
		if endsSentence(line) && utf8.RuneCountInString(line)*100 < width*85 {
			tp.emit(Paragraph, 0, strings.Join(para, " "))
			para = para[:0]
		}
	}
	tp.emit(Paragraph, 0, strings.Join(para, " "))
}

// endsSentence reports a line whose last character, closing quotes and
// brackets aside, is a full stop, question or exclamation mark or colon.
func endsSentence(line string) bool {
	t := strings.TrimRight(line, " \t\"'”’)]")
	last, _ := utf8.DecodeLastRuneInString(t)
	return strings.ContainsRune(".!?:", last)
}
