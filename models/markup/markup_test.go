package markup

import (
	"errors"
	"html/template"
	"regexp"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// allowedElements is what a rendered body may contain, and nothing else.
var allowedElements = map[string]bool{
	"p": true, "br": true, "hr": true, "em": true, "strong": true, "del": true, "code": true, "pre": true,
	"blockquote": true, "ul": true, "ol": true, "li": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "a": true,
}

var safeHref = regexp.MustCompile(`^(?:https?://[^/\\]|mailto:|/(?:[^/\\]|$))`)

// assertInert parses out as a browser would and fails on any element,
// attribute or URL that could run script, load content or leave the site
// unmarked.
func assertInert(t *testing.T, out template.HTML) {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(string(out)), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if !allowedElements[n.Data] {
				t.Errorf("element <%s> in %s", n.Data, out)
			}
			rel := ""
			for _, a := range n.Attr {
				switch {
				case strings.HasPrefix(strings.ToLower(a.Key), "on"), a.Key == "style", a.Key == "src", a.Namespace != "":
					t.Errorf("attribute %s=%q in %s", a.Key, a.Val, out)
				case a.Key == "href" && !safeHref.MatchString(a.Val):
					t.Errorf("href %q in %s", a.Val, out)
				case a.Key == "rel":
					rel = a.Val
				}
			}
			if n.Data == "a" && rel != linkRel {
				t.Errorf("link without rel=%q in %s", linkRel, out)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
}

func TestRenderXSS(t *testing.T) {
	payloads := []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`text <img src="x" onerror="alert(1)"> inline`,
		`[click](javascript:alert(1))`,
		`[click](JaVaScRiPt:alert(1))`,
		`[click](java&#115;cript:alert(1))`,
		`[click](&#106;avascript:alert(1))`,
		`[click](javascript&colon;alert(1))`,
		`[click](<javascript:alert(1)>)`,
		`[click](  javascript:alert(1) )`,
		"[click](java\tscript:alert(1))",
		`[click](vbscript:msgbox(1))`,
		`[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
		`[click](file:///etc/passwd)`,
		`[click](//evil.example/phish)`,
		`[click](/\evil.example)`,
		"[ref][1]\n\n[1]: javascript:alert(1)",
		`<javascript:alert(1)>`,
		`<vbscript:msgbox(1)>`,
		`<data:text/html,<script>alert(1)</script>>`,
		`![x](javascript:alert(1))`,
		`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
		`[![x](data:image/png;base64,AAAA)](javascript:alert(1))`,
		`<div onmouseover="alert(1)">raw block</div>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="https://ok.example" onclick="alert(1)">x</a>`,
		`<svg onload=alert(1)>`,
		`<svg><script>alert(1)</script></svg>`,
		`<svg/onload=alert(1)>`,
		`<math><mi xlink:href="javascript:alert(1)">x</mi></math>`,
		`<iframe src="https://evil.example"></iframe>`,
		`<style>body{display:none}</style>`,
		`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
		`<form action="https://evil.example"><input name=x></form>`,
		`<details open ontoggle=alert(1)>`,
		`<!-- <script>alert(1)</script> -->`,
		`[t](https://example.org "a\" onmouseover=\"alert(1)")`,
		`[t](https://example.org 'x" onclick="alert(1)')`,
		`[t](https://example.org" onclick="alert(1))`,
		`[t](<https://example.org/a b" onclick="alert(1)>)`,
		`https://example.org/"onmouseover="alert(1)`,
		`www.example.org/<script>alert(1)</script>`,
		`@bob"onmouseover=alert(1)`,
		"```html\n<script>alert(1)</script>\n```",
		"`<img src=x onerror=alert(1)>`",
		"| <script>alert(1)</script> | [x](javascript:alert(1)) |\n|---|---|\n| <img src=x onerror=alert(1)> | b |",
		"> <iframe srcdoc='<script>alert(1)</script>'>",
		"- [x](javascript:alert(1))\n- <a href=javascript:alert(1)>y</a>",
		"\x00<script>alert(1)</script>\xff",
	}
	for _, p := range payloads {
		t.Run(p, func(t *testing.T) {
			out, err := Render(p)
			if err != nil && !errors.Is(err, ErrEmpty) {
				t.Fatalf("Render: %v", err)
			}
			assertInert(t, out)
			if lower := strings.ToLower(string(out)); strings.Contains(lower, "<script") ||
				strings.Contains(lower, "href=\"javascript") || strings.Contains(lower, "<img") {
				t.Errorf("unsafe output %s", out)
			}
		})
	}
}

func TestRender(t *testing.T) {
	rel := `rel="nofollow ugc noopener"`
	tests := []struct {
		name, in, want string
	}{
		{"emphasis and hard wrap", "*one* **two**\n~~three~~",
			"<p><em>one</em> <strong>two</strong><br>\n<del>three</del></p>"},
		{"markdown link", "[site](https://example.org/a?b=1&c=2)",
			`<p><a href="https://example.org/a?b=1&amp;c=2" ` + rel + `>site</a></p>`},
		{"link title kept when plain", `[site](https://example.org "The site")`,
			`<p><a href="https://example.org" title="The site" ` + rel + `>site</a></p>`},
		{"same-site link", "[doc](/documents/3#p4)", `<p><a href="/documents/3#p4" ` + rel + `>doc</a></p>`},
		{"mailto link", "[me](mailto:ada@example.org)", `<p><a href="mailto:ada@example.org" ` + rel + `>me</a></p>`},
		{"angle autolink", "<https://example.org>", `<p><a href="https://example.org" ` + rel + `>https://example.org</a></p>`},
		{"bare URL", "see https://example.org.", `<p>see <a href="https://example.org" ` + rel + `>https://example.org</a>.</p>`},
		{"www URL", "www.example.org", `<p><a href="http://www.example.org" ` + rel + `>www.example.org</a></p>`},
		{"e-mail address", "ada@example.org", `<p><a href="mailto:ada@example.org" ` + rel + `>ada@example.org</a></p>`},
		{"ftp is not linked", "ftp://example.org and [f](ftp://example.org)", "<p>ftp://example.org and f</p>"},
		{"javascript link keeps its text", "[click me](javascript:alert(1))", "<p>click me</p>"},
		{"image becomes a link", `![a chart](https://img.example/c.png)`,
			`<p><a href="https://img.example/c.png" ` + rel + `>a chart</a></p>`},
		{"image without alt shows its URL", `![](https://img.example/c.png)`,
			`<p><a href="https://img.example/c.png" ` + rel + `>https://img.example/c.png</a></p>`},
		{"image inside a link keeps its alt text", `[![logo](https://img.example/l.png)](https://example.org)`,
			`<p><a href="https://example.org" ` + rel + `>logo</a></p>`},
		{"mention", "thanks @Ada_L!", `<p>thanks <a href="/users/ada_l" class="mention" ` + rel + `>@Ada_L</a>!</p>`},
		{"mention in link text is not nested", "[@ada](https://example.org)",
			`<p><a href="https://example.org" ` + rel + `>@ada</a></p>`},
		{"mention in code is text", "`@ada`", "<p><code>@ada</code></p>"},
		{"raw HTML dropped, text kept", "a <b>bold</b> move", "<p>a bold move</p>"},
		{"fenced code", "```go\nx := \"<b>\"\n```", "<pre><code class=\"language-go\">x := &#34;&lt;b&gt;&#34;\n</code></pre>"},
		{"bad code language class dropped", "```a\"b\nx\n```", "<pre><code>x\n</code></pre>"},
		{"ordered list start", "3. three\n4. four", "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>"},
		{"table alignment", "| a | b |\n|:-:|--:|\n| 1 | 2 |",
			"<table>\n<thead>\n<tr>\n<th align=\"center\">a</th>\n<th align=\"right\">b</th>\n</tr>\n</thead>\n" +
				"<tbody>\n<tr>\n<td align=\"center\">1</td>\n<td align=\"right\">2</td>\n</tr>\n</tbody>\n</table>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Render(tt.in)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if got := strings.TrimSpace(string(out)); got != tt.want {
				t.Errorf("Render(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			assertInert(t, out)
		})
	}
}

func TestRenderLimits(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrEmpty},
		{"whitespace", " \n\t\n ", ErrEmpty},
		{"only raw HTML", "<script>alert(1)</script>", ErrEmpty},
		{"multibyte at the limit", strings.Repeat("é", MaxBodyLen), nil},
		{"emoji at the limit", strings.Repeat("🙂", MaxBodyLen), nil},
		{"one past the limit", strings.Repeat("a", MaxBodyLen+1), ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(tt.in)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"hi @ada and @Bob_1", []string{"ada", "bob_1"}},
		{"@ada @ADA @Ada again", []string{"ada"}},
		{"@Ada_L, (@carl-x) **@dee** @eve.", []string{"ada_l", "carl-x", "dee", "eve"}},
		{"mail ada@example.org or x.@bob", nil},
		{"`@ada` and\n\n```\n@bob\n```\n\n    @carl indented code", nil},
		{"[@ada](https://example.org) and https://example.org/@bob", nil},
		{"@ab is too short, @abc is not", []string{"abc"}},
		{"@" + strings.Repeat("a", 32) + " @" + strings.Repeat("b", 33), []string{strings.Repeat("a", 32)}},
		{"@ada@example.org @bobé", nil},
		{"no mentions here", nil},
		{"> quoted @ada\n- listed @bob", []string{"ada", "bob"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Mentions(tt.in)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Mentions(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidURL(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  string // part of the message
	}{
		{"https://example.org/a?b=1#c", "https://example.org/a?b=1#c", ""},
		{"  http://example.org  \n", "http://example.org", ""},
		{"HTTPS://Example.org/Path", "https://Example.org/Path", ""},
		{"https://example.org:8443/x", "https://example.org:8443/x", ""},
		{"https://bücher.example/", "https://bücher.example/", ""},
		{"", "", "enter a web address"},
		{"   ", "", "enter a web address"},
		{"example.org", "", "starting with https://"},
		{"/documents/3", "", "starting with https://"},
		{"//example.org/x", "", "starting with https://"},
		{"javascript:alert(1)", "", "only web addresses starting with http:// or https://"},
		{"JavaScript:alert(1)", "", "only web addresses starting with http:// or https://"},
		{"data:text/html,<script>alert(1)</script>", "", "only web addresses"},
		{"vbscript:msgbox(1)", "", "only web addresses"},
		{"ftp://example.org", "", "only web addresses"},
		{"mailto:ada@example.org", "", "only web addresses"},
		{"https://", "", "no site name"},
		{"https:///path", "", "no site name"},
		{"http:example.org", "", "no site name"},
		{"https://user:pass@example.org", "", "user name or password"},
		{"https://example.org/a b", "", "cannot contain spaces"},
		{"https://exa\tmple.org", "", "cannot contain spaces"},
		{"https://example.org/%zz", "", "not a valid web address"},
		{"https://example.org/" + strings.Repeat("a", 2100), "", "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ValidURL(tt.in)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Errorf("ValidURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrInvalidURL) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ValidURL(%q) error = %v, want ErrInvalidURL saying %q", tt.in, err, tt.wantErr)
			}
			if got != "" {
				t.Errorf("ValidURL(%q) returned %q with an error", tt.in, got)
			}
		})
	}
}

func TestPlain(t *testing.T) {
	body := "# Title\n\nSome *emphasis*, a [link](https://x.example) &amp; `code &amp;` <b>raw</b>\n" +
		"@Ada said so.\n\n- one\n- two\n\n```\nblock\n```\n\n![alt](https://img.example/a.png)"
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"syntax removed", body, 0,
			"Title Some emphasis, a link & code &amp; raw @Ada said so. one two block alt"},
		{"no cut when it fits", "short text", 10, "short text"},
		{"cut at a word boundary", "The quick brown fox jumps over the lazy dog", 20, "The quick brown fox…"},
		{"cut mid-word backs off", "The quick brown fox jumps", 13, "The quick…"},
		{"trailing punctuation dropped", "One, two, three, four", 10, "One, two…"},
		{"one long word is cut hard", "Supercalifragilistic", 8, "Superca…"},
		{"multibyte counted as characters", "éééé ééé ééé", 9, "éééé ééé…"},
		{"whitespace collapsed", "a\n\n\nb   c", 0, "a b c"},
		{"raw HTML only", "<div>\n<script>x</script>\n</div>", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Plain(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("Plain(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if tt.max > 0 && len([]rune(got)) > tt.max {
				t.Errorf("Plain returned %d characters, max %d", len([]rune(got)), tt.max)
			}
		})
	}
}

// TestRenderConcurrent renders from many goroutines at once; run with -race
// it shows the shared renderer holds no per-call state.
func TestRenderConcurrent(t *testing.T) {
	bodies := []string{"*a* @ada", "[x](https://example.org)", "| a |\n|---|\n| b |", "```\ncode\n```", "www.example.org"}
	want := make([]template.HTML, len(bodies))
	for i, b := range bodies {
		want[i], _ = Render(b)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				k := (g + i) % len(bodies)
				if got, _ := Render(bodies[k]); got != want[k] {
					t.Errorf("concurrent Render(%q) = %s, want %s", bodies[k], got, want[k])
				}
				Mentions(bodies[k])
				Plain(bodies[k], 10)
			}
		})
	}
	wg.Wait()
}

func BenchmarkRender(b *testing.B) {
	para := "An *annotation* on the **passage**, citing https://example.org/source and [the report](https://example.org/r), " +
		"with a word for @ada_l and some `code`.\n"
	var body strings.Builder
	for body.Len() < 2000 {
		body.WriteString(para)
		body.WriteString("\n- a point\n- another point\n\n> a quote from the text\n\n")
	}
	src := body.String()[:2000]
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Render(src); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMentionsInHTMLAgreeWithMentions(t *testing.T) {
	for _, body := range []string{
		"thanks @Ada_L and @bob-2, and @ada_l again",
		"`@code` and [@linked](https://example.org) and mail@example.org and @real_one",
		"no mentions here",
		"> quoting @someone\n\n- list @another",
	} {
		html, err := Render(body)
		if err != nil {
			t.Fatal(err)
		}
		got, want := MentionsInHTML(string(html)), Mentions(body)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%q: from HTML %v, from source %v", body, got, want)
		}
	}
}
