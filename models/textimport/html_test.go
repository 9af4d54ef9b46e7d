package textimport

import (
	"strings"
	"testing"
)

func TestParseHTMLStructure(t *testing.T) {
	in := `<!DOCTYPE html>
<html><head>
  <title>  The Page &amp; Its Title </title>
  <meta name="author" content="Ann Author">
  <meta property="article:published_time" content="2024-04-08T10:00:00Z">
  <link rel="stylesheet canonical" href="https://example.com/page">
  <meta property="og:url" content="https://example.com/other">
  <script>var headScript = 1;</script><style>p { color: red }</style>
</head>
<body>
  <nav>Site</nav>
  <h1>Main <em>heading</em></h1>
  <p>First   paragraph,
     with a <a href="/x">link</a> and&nbsp;a <b>bold</b> word.</p>
  <h3>Third level</h3>
  <ul><li>apple</li><li><p>banana</p><p>bread</p></li></ul>
  <ol start="3"><li>three<ul><li>inner</li></ul></li><li value="7">seven</li><li>eight</li></ol>
  <blockquote><p>Quoted one.</p><p>Quoted two.</p>Bare quoted.</blockquote>
  <pre>line one
    line two</pre>
  <div>Loose text in a div<div>nested div</div>tail text</div>
  <table><tr><th>Head</th><td>Cell</td></tr></table>
  <p>line<br>break</p>
  <div>old style<br><br>paragraphs</div>
  <p><time datetime="2001-01-01">New Year</time></p>
</body></html>`
	doc, err := Parse("page.html", []byte(in), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	checkDocument(t, doc)
	want := []Passage{
		para("Site"),
		head(1, "Main heading"),
		para("First paragraph, with a link and a bold word."),
		head(3, "Third level"),
		item("apple"), item("banana"), item("bread"),
		item("3. three"), item("inner"), item("7. seven"), item("8. eight"),
		quote("Quoted one."), quote("Quoted two."), quote("Bare quoted."),
		para("line one line two"),
		para("Loose text in a div"), para("nested div"), para("tail text"),
		para("Head"), para("Cell"),
		para("line break"),
		para("old style"), para("paragraphs"),
		para("New Year"),
	}
	if d := diffPassages(doc.Passages, want); d != "" {
		t.Error(d)
	}
	if doc.Title != "The Page & Its Title" {
		t.Errorf("Title = %q", doc.Title)
	}
	if doc.Author != "Ann Author" || doc.Date != "2024-04-08T10:00:00Z" || doc.SourceURL != "https://example.com/page" {
		t.Errorf("Author, Date, SourceURL = %q, %q, %q", doc.Author, doc.Date, doc.SourceURL)
	}
}

func TestParseHTMLMetadataFallbacks(t *testing.T) {
	tests := []struct {
		name, in                    string
		title, date, url, firstText string
	}{
		{
			name:  "title from the first h1, which is then not a passage",
			in:    `<body><h1>Only Heading</h1><p>Text.</p><h1>Second</h1></body>`,
			title: "Only Heading", firstText: "Text.",
		},
		{
			name:  "h1 repeating the title is dropped",
			in:    `<title>Same</title><h1>Same</h1><p>Text.</p>`,
			title: "Same", firstText: "Text.",
		},
		{
			name:  "og:url and time datetime",
			in:    `<meta property="og:url" content="http://example.org/a"><p>Posted <time datetime="2020-02-02">Feb 2</time></p>`,
			title: "page", date: "2020-02-02", url: "http://example.org/a", firstText: "Posted Feb 2",
		},
		{
			name:  "meta date beats time",
			in:    `<meta name="date" content="1999-12-31"><p><time datetime="2020-02-02">x</time></p>`,
			title: "page", date: "1999-12-31", firstText: "x",
		},
		{
			name:  "script URLs are not source URLs",
			in:    `<link rel="canonical" href="javascript:alert(1)"><meta property="og:url" content="data:text/html,x"><p>x</p>`,
			title: "page", firstText: "x",
		},
		{
			name:  "relative canonical is ignored",
			in:    `<link rel="canonical" href="/relative"><p>x</p>`,
			title: "page", firstText: "x",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse("page.html", []byte(tt.in), "", 0)
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, doc)
			if doc.Title != tt.title || doc.Date != tt.date || doc.SourceURL != tt.url {
				t.Errorf("title, date, url = %q, %q, %q; want %q, %q, %q", doc.Title, doc.Date, doc.SourceURL, tt.title, tt.date, tt.url)
			}
			if doc.Passages[0].Text != tt.firstText {
				t.Errorf("first passage %q, want %q", doc.Passages[0].Text, tt.firstText)
			}
		})
	}
}

// The payloads come from the OWASP XSS filter evasion cheat sheet and
// html5sec.org. Passage text is plain text, so none of their code may
// survive as text either.
func TestParseHTMLDropsActiveContent(t *testing.T) {
	payloads := []string{
		`<script>alert('xss')</script>`,
		`<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>`,
		`<script>document.write("<p>alert</p>")</script>`,
		`<img src=x onerror="alert('xss')">`,
		`<body onload=alert('xss')>`,
		`<svg/onload=alert('xss')><text>alert</text></svg>`,
		`<iframe src="javascript:alert('xss')">alert</iframe>`,
		`<object data="javascript:alert('xss')">alert</object>`,
		`<embed src="javascript:alert('xss')">`,
		`<style>body{background:url("javascript:alert('xss')")}</style>`,
		`<template><p>alert</p></template>`,
		`<noscript><p>alert</p></noscript>`,
		`<math><mtext><table><mglyph><style><img src=x onerror=alert('xss')></style></mglyph></table></mtext></math>`,
		`<form><button formaction="javascript:alert('xss')">alert</button></form>`,
		`<select><option>alert</option></select><textarea>alert</textarea>`,
		`<input onfocus=alert('xss') autofocus>`,
		`<details open ontoggle=alert('xss')>`,
		`<!-- <script>alert('xss')</script> -->`,
		`<a href="javascript:alert('xss')" onclick="alert('xss')">click</a>`,
		`<div style="background:url(javascript:alert('xss'))" onmouseover="alert('xss')">hover</div>`,
		`<marquee onstart=alert('xss')>scroll</marquee>`,
		`<head><title>T</title><script>alert('xss')</script></head>`,
	}
	for _, payload := range payloads {
		t.Run(payload, func(t *testing.T) {
			in := "<p>before</p>" + payload + "<p>after</p>"
			doc, err := Parse("x.html", []byte(in), "", 0)
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, doc)
			var all strings.Builder
			for _, p := range doc.Passages {
				all.WriteString(p.Text + "\n")
			}
			text := strings.ToLower(all.String() + doc.Title + doc.Author + doc.SourceURL)
			for _, bad := range []string{"alert", "xss", "onerror", "onload", "onclick", "javascript", "<", "document.write"} {
				if strings.Contains(text, bad) {
					t.Errorf("%q survived in %q", bad, text)
				}
			}
			if !strings.Contains(text, "before") || !strings.Contains(text, "after") {
				t.Errorf("the surrounding text was lost: %q", text)
			}
		})
	}
}

// Escaped markup is what the author wrote as text: it stays, as text, and
// whoever renders it escapes it again.
func TestParseHTMLKeepsEscapedMarkupAsText(t *testing.T) {
	doc, err := Parse("x.html", []byte(`<p>Write &lt;script&gt;alert(1)&lt;/script&gt; to test.</p>`), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Passages[0].Text; got != "Write <script>alert(1)</script> to test." {
		t.Errorf("text = %q", got)
	}
}
