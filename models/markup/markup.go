// Package markup turns annotation bodies written in Markdown into safe HTML
// and plain-text excerpts, finds @mentions, and checks citation URLs.
//
// Rendering is two locks on one door: goldmark never passes raw HTML through
// and marks every link, then bluemonday keeps only the elements and
// attributes that this Markdown can produce.
package markup

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// MaxBodyLen is the longest body accepted, in characters (code points).
const MaxBodyLen = 10000

var (
	ErrTooLong = fmt.Errorf("the text is longer than %d characters", MaxBodyLen)
	ErrEmpty   = errors.New("the text is empty")
)

// linkRel is set on every link: user content, not endorsed, no window.opener.
const linkRel = "nofollow ugc noopener"

// The engine is built once and only read afterwards: goldmark.Markdown and a
// configured bluemonday.Policy are both safe for concurrent use.
var (
	markdown = newMarkdown()
	policy   = newPolicy()
)

func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			extension.NewLinkify(extension.WithLinkifyAllowedProtocols([]string{"http:", "https:"})),
			extension.Strikethrough,
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		),
		goldmark.WithParserOptions(
			parser.WithInlineParsers(util.Prioritized(mentionParser{}, 600)),
			parser.WithASTTransformers(util.Prioritized(linkTransformer{}, 100)),
		),
		goldmark.WithRendererOptions(
			// No html.WithUnsafe: raw HTML and dangerous URLs are dropped here
			// already, before the sanitiser sees them.
			html.WithHardWraps(),
			renderer.WithNodeRenderers(util.Prioritized(mentionRenderer{}, 100)),
		),
	)
}

// hrefPattern admits absolute http(s) URLs with a host, mailto URLs and
// same-site paths ("/users/ada"), but not protocol-relative ones
// ("//evil.example", "/\evil") nor a bare "http://", which the sanitiser
// would write as "http:", a link to nowhere.
var hrefPattern = regexp.MustCompile(`^(?:(?i:https?://[^/\\\s?#]|mailto:)|/(?:[^/\\]|$))`)

// newPolicy allows exactly what the Markdown renderer above emits.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "em", "strong", "del", "code", "pre", "blockquote",
		"ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
		"table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(?:left|center|right)$`)).OnElements("th", "td")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+#.-]{1,40}$`)).OnElements("code")
	p.AllowAttrs("href").Matching(hrefPattern).OnElements("a")
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + linkRel + `$`)).OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^mention$`)).OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true)
	p.RequireNoFollowOnLinks(true)
	return p
}

// checkBody returns the body as valid UTF-8, or why it cannot be used.
func checkBody(body string) (string, error) {
	body = strings.ToValidUTF8(body, "\uFFFD")
	if strings.TrimSpace(body) == "" {
		return "", ErrEmpty
	}
	if utf8.RuneCountInString(body) > MaxBodyLen {
		return "", ErrTooLong
	}
	return body, nil
}

// Render converts a Markdown body to sanitised HTML. Links keep only http,
// https, mailto and same-site URLs and all carry rel="nofollow ugc noopener";
// images become links; @mentions link to /users/{name}. A body that renders
// to nothing (only raw HTML, say) is ErrEmpty.
func Render(body string) (template.HTML, error) {
	body, err := checkBody(body)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(body), &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	out := policy.SanitizeBytes(buf.Bytes())
	if len(bytes.TrimSpace(out)) == 0 {
		return "", ErrEmpty
	}
	return template.HTML(out), nil
}

// parse returns the document tree of body.
func parse(body string) (ast.Node, []byte) {
	src := []byte(strings.ToValidUTF8(body, "\uFFFD"))
	return markdown.Parser().Parse(text.NewReader(src)), src
}

// linkTransformer marks every link with linkRel, unwraps links whose URL the
// sanitiser would drop anyway (javascript:, data:, ftp:, "//host" ...) so no
// dead <a> remains, and turns images into links to the image (or, inside a
// link, into their alt text): bodies never load third-party images into
// readers' browsers.
type linkTransformer struct{}

func (linkTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var links, images []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch n.(type) {
			case *ast.Link, *ast.AutoLink:
				links = append(links, n)
			case *ast.Image:
				images = append(images, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range images {
		img := n.(*ast.Image)
		if insideLink(img) {
			unwrap(img)
			continue
		}
		link := ast.NewLink()
		link.Destination, link.Title = img.Destination, img.Title
		for c := img.FirstChild(); c != nil; c = img.FirstChild() {
			link.AppendChild(link, c)
		}
		if !link.HasChildren() {
			link.AppendChild(link, ast.NewString(img.Destination))
		}
		img.Parent().ReplaceChild(img.Parent(), img, link)
		links = append(links, link)
	}
	for _, n := range links {
		switch link := n.(type) {
		case *ast.Link:
			if !hrefPattern.Match(bytes.TrimSpace(link.Destination)) {
				unwrap(link)
				continue
			}
		case *ast.AutoLink:
			if link.AutoLinkType != ast.AutoLinkEmail && !hrefPattern.Match(link.URL(src)) {
				link.Parent().ReplaceChild(link.Parent(), link, ast.NewString(link.Label(src)))
				continue
			}
		}
		n.SetAttributeString("rel", []byte(linkRel))
	}
}

// unwrap replaces n by its children.
func unwrap(n ast.Node) {
	parent := n.Parent()
	for c := n.FirstChild(); c != nil; c = n.FirstChild() {
		parent.InsertBefore(parent, n, c)
	}
	parent.RemoveChild(parent, n)
}

// insideLink reports whether n has a link among its ancestors, where another
// link would nest.
func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		switch p.(type) {
		case *ast.Link, *ast.AutoLink:
			return true
		}
	}
	return false
}
