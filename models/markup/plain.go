package markup

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
)

// Plain returns body as one line of plain text (Markdown syntax and raw HTML
// removed, whitespace collapsed) for lists, feeds and notifications, cut at a
// word boundary and ended with "…" when it exceeds max code points; max <= 0
// means no limit. The result is text, not HTML: templates must escape it.
func Plain(body string, max int) string {
	doc, src := parse(body)
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				b.WriteByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			value := n.Segment.Value(src)
			if _, code := n.Parent().(*ast.CodeSpan); !code {
				value = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(value)))
			}
			b.Write(value)
			if n.SoftLineBreak() || n.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(n.Value)
		case *ast.AutoLink:
			b.Write(n.Label(src))
		case *mentionNode:
			b.Write(n.label)
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			lines := n.Lines()
			for i := range lines.Len() {
				seg := lines.At(i)
				b.Write(seg.Value(src))
			}
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return truncate(strings.Join(strings.Fields(b.String()), " "), max)
}

// truncate cuts s to at most max code points including the trailing "…",
// at the last word boundary when there is one in the second half.
func truncate(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)[:max-1]
	cut := len(runes)
	if !unicode.IsSpace([]rune(s)[cut]) {
		for i := cut - 1; i > 0; i-- {
			if unicode.IsSpace(runes[i]) {
				if i >= (max-1)/2 {
					cut = i
				}
				break
			}
		}
	}
	kept := strings.TrimRightFunc(string(runes[:cut]), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:.-–—", r)
	})
	return kept + "…"
}

// textOfHTMLPolicy keeps no element at all.
var textOfHTMLPolicy = bluemonday.StrictPolicy()

// TextOfHTML is the text of an HTML fragment (a Web Annotation client's
// text/html body), paragraphs kept apart by blank lines, for storing as
// Markdown source.
func TextOfHTML(fragment string) string {
	breaks := strings.NewReplacer("</p>", "</p>\n\n", "<br>", "\n", "<br/>", "\n", "<br />", "\n", "</li>", "</li>\n")
	text := html.UnescapeString(textOfHTMLPolicy.Sanitize(breaks.Replace(fragment)))
	return strings.TrimSpace(text)
}
