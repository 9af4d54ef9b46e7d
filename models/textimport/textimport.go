// Package textimport turns an uploaded file into a Document: its metadata and
// an ordered list of plain-text passages that annotations can anchor to.
//
// It understands plain text (including hard-wrapped Project Gutenberg books),
// Markdown and HTML. Passage text is always plain text: NFC-normalised, every
// run of whitespace collapsed to one space, no markup. Callers that display it
// must still escape it like any other user input.
package textimport

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Format is the markup language of an uploaded file.
type Format string

const (
	FormatText     Format = "text"
	FormatMarkdown Format = "markdown"
	FormatHTML     Format = "html"
)

// Kind is the role of a passage in its document.
type Kind string

const (
	Paragraph  Kind = "paragraph"
	Heading    Kind = "heading"
	ListItem   Kind = "list_item"
	BlockQuote Kind = "blockquote"
	// Caption is the caption of a photo or figure (HTML <figcaption>).
	Caption Kind = "caption"
)

// Passage is one block of a document.
type Passage struct {
	Kind  Kind
	Level int    // heading level 1-6, else 0
	Text  string // plain text, NFC, single spaces, no leading or trailing space
}

// Document is the result of importing one file. Title is never empty.
type Document struct {
	Title, Author, SourceURL, Date string
	Passages                       []Passage
}

// DefaultMaxBytes is the upload limit used when Parse is given none.
const DefaultMaxBytes = 10 << 20

// Sentinel errors. Their messages are meant to be shown to the person who
// uploaded the file.
var (
	ErrEmpty         = errors.New("the file contains no text")
	ErrBinary        = errors.New("the file is not a text file (it looks like an image, a PDF or another binary format)")
	ErrTooLarge      = errors.New("the file is too large")
	ErrEncoding      = errors.New("the file's character encoding is not supported; save it as UTF-8 and try again")
	ErrUnknownFormat = errors.New("unknown document format")
)

// maxTitleRunes keeps a runaway <title> or first line from becoming a title
// nobody can display.
const maxTitleRunes = 200

// Parse imports one file: it checks the size, decodes the bytes, detects the
// format when format is empty, splits the text into passages and fills in the
// metadata it can find. maxBytes <= 0 means DefaultMaxBytes.
func Parse(name string, b []byte, format Format, maxBytes int) (*Document, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if len(b) > maxBytes {
		size, limit := byteSize(len(b)), byteSize(maxBytes)
		if size == limit {
			size = "over " + limit
		}
		return nil, fmt.Errorf("%w: it is %s and the limit is %s", ErrTooLarge, size, limit)
	}
	text, err := Decode(b)
	if err != nil {
		return nil, err
	}
	if format == "" {
		format = DetectFormat(name, text)
	}
	var doc *Document
	switch format {
	case FormatText:
		doc = parseText(text)
	case FormatMarkdown:
		doc = parseMarkdown(text)
	case FormatHTML:
		doc, err = parseHTML(text)
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w %q", ErrUnknownFormat, format)
	}
	if len(doc.Passages) == 0 {
		return nil, fmt.Errorf("%w: nothing readable was found in it", ErrEmpty)
	}
	finish(doc, name)
	return doc, nil
}

// DetectFormat decides the format from the file name's extension; when the
// name is empty or has no extension it looks at the text itself.
func DetectFormat(name string, text string) Format {
	base := name[strings.LastIndexAny(name, `/\`)+1:]
	ext := ""
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		ext = strings.ToLower(base[i:])
	}
	switch ext {
	case ".md", ".markdown", ".mdown", ".mkd", ".mkdn":
		return FormatMarkdown
	case ".html", ".htm", ".xhtml":
		return FormatHTML
	case "":
		return sniffFormat(text)
	}
	return FormatText
}

// finish fills the metadata every format shares: a title that is never
// empty, no leading passage that merely repeats the title, and a date or
// author found near the top when the format gave none.
func finish(doc *Document, name string) {
	doc.Title = clipRunes(clean(doc.Title), maxTitleRunes)
	if doc.Title == "" {
		doc.Title = clipRunes(titleFromName(name), maxTitleRunes)
	}
	if doc.Title == "" {
		doc.Title = "Untitled"
	}
	for len(doc.Passages) > 1 && strings.EqualFold(doc.Passages[0].Text, doc.Title) {
		doc.Passages = doc.Passages[1:]
	}
	doc.Author = clean(doc.Author)
	doc.Date = clean(doc.Date)
	doc.SourceURL = clean(doc.SourceURL)
	for i, p := range doc.Passages {
		if i == 8 {
			break
		}
		if p.Kind != Paragraph && p.Kind != Heading {
			continue
		}
		if doc.Date == "" && isDateLine(p.Text) {
			doc.Date = strings.TrimSuffix(p.Text, ".")
		}
		if doc.Author == "" {
			doc.Author = byline(p.Text)
		}
	}
}

// titleFromName turns "federalist_10.txt" into "federalist 10".
func titleFromName(name string) string {
	base := name[strings.LastIndexAny(name, `/\`)+1:]
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	return clean(strings.ReplaceAll(base, "_", " "))
}

// clean makes s a valid passage text: NFC, control characters and byte
// order marks removed, every run of Unicode whitespace (no-break spaces
// included) collapsed to one space, no space at either end.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case r == '\ufeff' || unicode.Is(unicode.Cc, r):
			// invisible: drop
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	out := b.String()
	if norm.NFC.IsNormalString(out) {
		return out
	}
	// Composition never creates whitespace, so the collapsing above holds.
	return norm.NFC.String(out)
}

// clipRunes shortens s to at most n runes, at a word boundary when it can.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if n == 0 {
			cut = i
			break
		}
		n--
	}
	s = s[:cut]
	if i := strings.LastIndexByte(s, ' '); i > len(s)/2 {
		s = s[:i]
	}
	return strings.TrimRight(s, " ,;:") + "…"
}

// byteSize formats a byte count for error messages: "10 MB", "1.5 KB".
func byteSize(n int) string {
	unit, div := "bytes", 1.0
	switch {
	case n >= 1<<20:
		unit, div = "MB", 1<<20
	case n >= 1<<10:
		unit, div = "KB", 1<<10
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/div), ".0") + " " + unit
}
