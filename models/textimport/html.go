package textimport

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// droppedElements never contribute text: code, embedded content, form
// controls and anything a browser would not show as the page's prose.
var droppedElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Object: true,
	atom.Embed: true, atom.Template: true, atom.Noscript: true, atom.Svg: true,
	atom.Math: true, atom.Canvas: true, atom.Audio: true, atom.Video: true,
	atom.Applet: true, atom.Frame: true, atom.Frameset: true, atom.Noframes: true,
	atom.Noembed: true, atom.Button: true, atom.Select: true, atom.Textarea: true,
	atom.Datalist: true, atom.Title: true, atom.Img: true, atom.Picture: true,
}

// blockElements end the text run before them and start a new one.
var blockElements = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Body: true, atom.Caption: true, atom.Center: true, atom.Dd: true,
	atom.Details: true, atom.Dialog: true, atom.Dir: true, atom.Div: true,
	atom.Dl: true, atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true,
	atom.Figure: true, atom.Footer: true, atom.Form: true, atom.H1: true,
	atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Header: true, atom.Hgroup: true, atom.Hr: true, atom.Html: true,
	atom.Legend: true, atom.Li: true, atom.Main: true, atom.Menu: true,
	atom.Nav: true, atom.Ol: true, atom.P: true, atom.Pre: true,
	atom.Section: true, atom.Summary: true, atom.Table: true, atom.Tbody: true,
	atom.Td: true, atom.Tfoot: true, atom.Th: true, atom.Thead: true,
	atom.Tr: true, atom.Ul: true,
}

var headingLevels = map[atom.Atom]int{
	atom.H1: 1, atom.H2: 2, atom.H3: 3, atom.H4: 4, atom.H5: 5, atom.H6: 6,
}

func parseHTML(s string) (*Document, error) {
	root, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return nil, fmt.Errorf("%w: the HTML could not be read: %v", ErrEncoding, err)
	}
	x := &htmlExtractor{}
	x.state.kind = Paragraph
	x.walk(root)
	x.flush()
	doc := &Document{
		Title:     firstNonEmpty(x.title, x.ogTitle, x.firstH1),
		Author:    x.author,
		Date:      firstNonEmpty(x.metaDate, x.timeDate),
		SourceURL: firstNonEmpty(x.canonical, x.ogURL),
		Passages:  x.passages,
	}
	return doc, nil
}

// htmlFragmentPassages extracts the passages of a piece of HTML embedded in
// another format (Markdown's raw HTML).
func htmlFragmentPassages(s string) []Passage {
	doc, err := parseHTML(s)
	if err != nil {
		return nil
	}
	return doc.Passages
}

// htmlState is what a block element changes for the text inside it.
type htmlState struct {
	kind  Kind
	level int
	quote bool
}

type htmlExtractor struct {
	passages []Passage
	buf      strings.Builder
	state    htmlState
	brRun    bool   // the last thing written was a <br>
	lists    []int  // per open list, the next item number; -1 for unordered
	prefix   string // "3. " waiting for the first text of an ordered list item

	title, ogTitle, firstH1 string
	author, metaDate        string
	timeDate                string
	canonical, ogURL        string
}

func (x *htmlExtractor) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		x.buf.WriteString(n.Data)
		if strings.TrimSpace(n.Data) != "" {
			x.brRun = false
		}
	case html.DocumentNode:
		x.children(n)
	case html.ElementNode:
		x.element(n)
	}
}

func (x *htmlExtractor) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		x.walk(c)
	}
}

func (x *htmlExtractor) element(n *html.Node) {
	if n.Namespace != "" { // <svg> and <math> content
		return
	}
	switch n.DataAtom {
	case atom.Head:
		x.head(n)
		return
	case atom.Meta, atom.Link:
		x.meta(n)
		return
	case atom.Time:
		if x.timeDate == "" {
			x.timeDate = attr(n, "datetime")
		}
	case atom.Br:
		// One <br> is a line break inside a paragraph; two in a row are
		// how old pages separate paragraphs.
		if x.brRun {
			x.flush()
		} else {
			x.buf.WriteByte(' ')
			x.brRun = true
		}
		return
	}
	if droppedElements[n.DataAtom] {
		return
	}
	if !blockElements[n.DataAtom] {
		x.children(n)
		return
	}
	x.flush()
	saved, savedPrefix := x.state, x.prefix
	x.enterBlock(n)
	x.children(n)
	x.flush()
	x.state = saved
	if n.DataAtom == atom.Li {
		x.prefix = savedPrefix
	}
	if n.DataAtom == atom.Ol || n.DataAtom == atom.Ul || n.DataAtom == atom.Menu || n.DataAtom == atom.Dir {
		x.lists = x.lists[:len(x.lists)-1]
	}
}

// enterBlock sets the state for the content of block element n.
func (x *htmlExtractor) enterBlock(n *html.Node) {
	s := &x.state
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		s.kind, s.level = Heading, headingLevels[n.DataAtom]
	case atom.Figcaption:
		s.kind, s.level = Caption, 0
	case atom.Blockquote:
		s.quote = true
	case atom.Ol:
		next := 1
		if start, err := strconv.Atoi(attr(n, "start")); err == nil {
			next = start
		}
		x.lists = append(x.lists, next)
	case atom.Ul, atom.Menu, atom.Dir:
		x.lists = append(x.lists, -1)
	case atom.Li:
		s.kind, s.level, x.prefix = ListItem, 0, ""
		if len(x.lists) == 0 || x.lists[len(x.lists)-1] < 0 {
			return
		}
		number := x.lists[len(x.lists)-1]
		if v, err := strconv.Atoi(attr(n, "value")); err == nil {
			number = v
		}
		x.prefix = strconv.Itoa(number) + ". "
		x.lists[len(x.lists)-1] = number + 1
	}
}

// flush turns the text collected since the last block boundary into a
// passage.
func (x *htmlExtractor) flush() {
	text := clean(x.buf.String())
	x.buf.Reset()
	x.brRun = false
	if text == "" {
		return
	}
	kind, level := x.state.kind, x.state.level
	if x.state.quote {
		kind, level = BlockQuote, 0
	}
	if x.prefix != "" {
		text = x.prefix + text
		x.prefix = ""
	}
	if kind == Heading && level == 1 && x.firstH1 == "" {
		x.firstH1 = text
	}
	x.passages = append(x.passages, Passage{Kind: kind, Level: level, Text: text})
}

// head reads the metadata in <head>; none of its text is content.
func (x *htmlExtractor) head(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Title:
			if x.title == "" {
				x.title = textContent(c)
			}
		case atom.Meta, atom.Link:
			x.meta(c)
		}
	}
}

func (x *htmlExtractor) meta(n *html.Node) {
	if n.DataAtom == atom.Link {
		for _, rel := range strings.Fields(strings.ToLower(attr(n, "rel"))) {
			if rel == "canonical" && x.canonical == "" {
				x.canonical = webURL(attr(n, "href"))
			}
		}
		return
	}
	content := attr(n, "content")
	for _, key := range []string{attr(n, "name"), attr(n, "property")} {
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "author":
			x.author = firstNonEmpty(x.author, content)
		case "date", "article:published_time", "dcterms.date", "dc.date", "citation_publication_date":
			x.metaDate = firstNonEmpty(x.metaDate, content)
		case "og:url":
			x.ogURL = firstNonEmpty(x.ogURL, webURL(content))
		case "og:title":
			x.ogTitle = firstNonEmpty(x.ogTitle, content)
		}
	}
}

// webURL returns s when it is an absolute http or https URL, else "": a
// "javascript:" canonical link must not become a document's source link.
func webURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) {
		return ""
	}
	return u.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func textContent(n *html.Node) string {
	var b strings.Builder
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return b.String()
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
