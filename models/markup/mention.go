package markup

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Usernames are 3 to 32 of [a-z0-9_-], compared case-insensitively.
const (
	minNameLen = 3
	maxNameLen = 32
)

func isNameByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_' || b == '-'
}

// Mentions returns the distinct usernames @mentioned in body, lowercased, in
// order of first mention. Text in code spans and blocks, e-mail addresses and
// link texts does not mention anyone.
func Mentions(body string) []string {
	doc, _ := parse(body)
	var names []string
	seen := map[string]bool{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if m, ok := n.(*mentionNode); ok && entering && !insideLink(m) && !seen[m.name] {
			seen[m.name] = true
			names = append(names, m.name)
		}
		return ast.WalkContinue, nil
	})
	return names
}

var kindMention = ast.NewNodeKind("Mention")

// mentionNode is "@Name" in the text; name is lowercased, label as typed.
type mentionNode struct {
	ast.BaseInline
	name  string
	label []byte
}

func (n *mentionNode) Kind() ast.NodeKind { return kindMention }

func (n *mentionNode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Name": n.name}, nil)
}

// mentionParser reads "@name" where it stands on its own: not inside a word
// or an address (bob@example.org, example.org/@bob), nor followed by more
// name-like characters.
type mentionParser struct{}

func (mentionParser) Trigger() []byte { return []byte{'@'} }

func (mentionParser) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
	prev := block.PrecendingCharacter()
	if unicode.IsLetter(prev) || unicode.IsDigit(prev) || strings.ContainsRune("_-.+@/`", prev) {
		return nil
	}
	line, _ := block.PeekLine()
	end := 1
	for end < len(line) && isNameByte(line[end]) {
		end++
	}
	if n := end - 1; n < minNameLen || n > maxNameLen {
		return nil
	}
	if end < len(line) {
		next, _ := utf8.DecodeRune(line[end:])
		if next == '@' || unicode.IsLetter(next) || unicode.IsDigit(next) {
			return nil
		}
	}
	label := append([]byte(nil), line[:end]...)
	block.Advance(end)
	return &mentionNode{name: strings.ToLower(string(label[1:])), label: label}
}

// mentionRenderer links a mention to the user's page, or writes it as text
// where a link would nest inside another.
type mentionRenderer struct{}

func (mentionRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMention, renderMention)
}

func renderMention(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*mentionNode)
	if insideLink(n) {
		_, _ = w.Write(util.EscapeHTML(n.label))
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<a href="/users/` + url.PathEscape(n.name) + `" class="mention" rel="` + linkRel + `">`)
	_, _ = w.Write(util.EscapeHTML(n.label))
	_, _ = w.WriteString(`</a>`)
	return ast.WalkContinue, nil
}

var mentionLink = regexp.MustCompile(`<a href="/users/([a-z0-9_-]{3,32})" class="mention"`)

// MentionsInHTML returns the distinct usernames mentioned in HTML that Render
// produced, in order of first mention: the same names Mentions finds in the
// source, without parsing the Markdown a second time.
func MentionsInHTML(html string) []string {
	var names []string
	seen := map[string]bool{}
	for _, m := range mentionLink.FindAllStringSubmatch(html, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			names = append(names, m[1])
		}
	}
	return names
}
