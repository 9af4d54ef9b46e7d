package textimport

import (
	"bufio"
	stdhtml "html"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer/html"
	gtext "github.com/yuin/goldmark/text"
)

// metaLine matches a "Title: ..." line of YAML front matter or of a
// MultiMarkdown-style metadata block.
var metaLine = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_ -]{0,30}):[ \t]*(.*)$`)

func parseMarkdown(s string) *Document {
	meta, body := splitFrontMatter(s)
	src := []byte(body)
	md := goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))
	root := md.Parser().Parse(gtext.NewReader(src))
	w := &mdWalker{src: src, kind: Paragraph}
	w.children(root)
	return &Document{
		Title:     firstNonEmpty(meta["title"], w.firstH1),
		Author:    firstNonEmpty(meta["author"], meta["authors"]),
		Date:      meta["date"],
		SourceURL: webURL(firstNonEmpty(meta["url"], meta["source"], meta["canonical_url"])),
		Passages:  w.passages,
	}
}

// splitFrontMatter takes YAML front matter ("---" ... "---") or a leading
// block of "Key: value" lines off the text and returns the keys in lower
// case. Text without either is returned unchanged.
func splitFrontMatter(s string) (map[string]string, string) {
	lines := strings.SplitAfter(s, "\n")
	meta := map[string]string{}
	start, yaml := 0, false
	if strings.TrimSpace(lines[0]) == "---" {
		start, yaml = 1, true
	}
	end := start
	for ; end < len(lines); end++ {
		line := strings.TrimRight(lines[end], "\n")
		if yaml && (line == "---" || line == "...") {
			break
		}
		if !yaml && isBlank(line) {
			break
		}
		if yaml && isBlank(line) {
			continue
		}
		if m := metaLine.FindStringSubmatch(line); m != nil {
			meta[strings.ToLower(strings.TrimSpace(m[1]))] = strings.Trim(strings.TrimSpace(m[2]), `"'`)
		} else if !yaml || indentWidth(line) == 0 && !strings.HasPrefix(line, "-") {
			return map[string]string{}, s // not metadata after all
		}
	}
	if yaml && end == len(lines) {
		return map[string]string{}, s // no closing line
	}
	if !yaml && meta["title"] == "" && meta["author"] == "" {
		return map[string]string{}, s
	}
	if yaml {
		end++
	}
	return meta, strings.Join(lines[end:], "")
}

type mdWalker struct {
	src      []byte
	passages []Passage
	kind     Kind   // Paragraph, or ListItem inside a list item
	quote    int    // depth of block quotes
	prefix   string // "3. " waiting for the first text of an ordered list item
	firstH1  string
}

func (w *mdWalker) children(n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		w.node(c)
	}
}

func (w *mdWalker) node(n ast.Node) {
	switch n := n.(type) {
	case *ast.Heading:
		text := w.emit(Heading, n.Level, w.inline(n))
		if n.Level == 1 && w.quote == 0 && w.firstH1 == "" {
			w.firstH1 = text
		}
	case *ast.Paragraph, *ast.TextBlock:
		w.emit(w.kind, 0, w.inline(n))
	case *ast.Blockquote:
		w.quote++
		w.children(n)
		w.quote--
	case *ast.List:
		w.list(n)
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		w.emit(w.kind, 0, string(n.Lines().Value(w.src)))
	case *ast.HTMLBlock:
		raw := string(n.Lines().Value(w.src))
		if n.HasClosure() {
			raw += string(n.ClosureLine.Value(w.src))
		}
		for _, p := range htmlFragmentPassages(raw) {
			if p.Kind == Paragraph {
				p.Kind = w.kind
			}
			w.emit(p.Kind, p.Level, p.Text)
		}
	case *ast.ThematicBreak:
	case *east.Table:
		for row := n.FirstChild(); row != nil; row = row.NextSibling() {
			for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
				w.emit(w.kind, 0, w.inline(cell))
			}
		}
	default:
		w.children(n)
	}
}

func (w *mdWalker) list(l *ast.List) {
	savedKind, savedPrefix := w.kind, w.prefix
	number := l.Start
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		w.kind, w.prefix = ListItem, ""
		if l.IsOrdered() {
			w.prefix = strconv.Itoa(number) + ". "
			number++
		}
		w.children(item)
	}
	w.kind, w.prefix = savedKind, savedPrefix
}

// emit appends a passage and returns its final text.
func (w *mdWalker) emit(kind Kind, level int, text string) string {
	text = clean(text)
	if text == "" {
		return ""
	}
	if w.quote > 0 {
		kind, level = BlockQuote, 0
	}
	if kind != Heading {
		level = 0
	}
	if w.prefix != "" {
		text = w.prefix + text
		w.prefix = ""
	}
	w.passages = append(w.passages, Passage{Kind: kind, Level: level, Text: text})
	return text
}

// inline returns the plain text of a block's inline content. The content
// is first written as HTML, the way goldmark resolves entities and
// backslash escapes; inline raw HTML then goes through the HTML extractor
// so that "<script>...</script>" inside a paragraph leaves no text.
func (w *mdWalker) inline(n ast.Node) string {
	var sb strings.Builder
	out := bufio.NewWriter(&sb)
	hasRaw := false
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || c == n {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			if c.IsRaw() {
				html.DefaultWriter.RawWrite(out, c.Value(w.src))
			} else {
				html.DefaultWriter.Write(out, c.Value(w.src))
			}
			if c.SoftLineBreak() || c.HardLineBreak() {
				_ = out.WriteByte(' ')
			}
		case *ast.String:
			html.DefaultWriter.RawWrite(out, c.Value)
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					html.DefaultWriter.RawWrite(out, t.Value(w.src))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			html.DefaultWriter.RawWrite(out, c.Label(w.src))
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			hasRaw = true
			_, _ = out.Write(c.Segments.Value(w.src))
		case *ast.Image:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	_ = out.Flush()
	if !hasRaw {
		return stdhtml.UnescapeString(sb.String())
	}
	var parts []string
	for _, p := range htmlFragmentPassages(sb.String()) {
		parts = append(parts, p.Text)
	}
	return strings.Join(parts, " ")
}
