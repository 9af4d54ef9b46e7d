package textimport

import (
	"strings"
	"testing"
)

func TestParseMarkdownStructure(t *testing.T) {
	in := "---\ntitle: \"Front Title\"\nauthor: Ann Author\n\ndate: 2024-04-08\ntags:\n  - x\n---\n" +
		"# Heading One\n\n" +
		"Some *emphasis*, **strong**, `a < b`, a [link](http://example.com), ![an image](x.png) <https://auto.link> &amp; \\*escaped\\*\nsoft break.\n\n" +
		"Setext heading\n--------------\n\n" +
		"###### Six\n\n" +
		"- item one\n- item two\n  continued\n  - nested\n\n" +
		"3. three\n4. four\n\n" +
		"> Quoted para one\n> still one\n>\n> # Quoted heading\n>\n> - quoted item\n\n" +
		"    indented code\n    more code\n\n" +
		"```go\nfunc main() {}\n```\n\n" +
		"***\n\n" +
		"| Name | Value |\n|------|-------|\n| a    | 1     |\n\n" +
		"~~struck~~ text\n"
	doc, err := Parse("notes.md", []byte(in), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	checkDocument(t, doc)
	want := []Passage{
		head(1, "Heading One"),
		para("Some emphasis, strong, a < b, a link, https://auto.link & *escaped* soft break."),
		head(2, "Setext heading"),
		head(6, "Six"),
		item("item one"), item("item two continued"), item("nested"),
		item("3. three"), item("4. four"),
		quote("Quoted para one still one"), quote("Quoted heading"), quote("quoted item"),
		para("indented code more code"),
		para("func main() {}"),
		para("Name"), para("Value"), para("a"), para("1"),
		para("struck text"),
	}
	if d := diffPassages(doc.Passages, want); d != "" {
		t.Error(d)
	}
	if doc.Title != "Front Title" || doc.Author != "Ann Author" || doc.Date != "2024-04-08" {
		t.Errorf("title, author, date = %q, %q, %q", doc.Title, doc.Author, doc.Date)
	}
}

func TestParseMarkdownMetadata(t *testing.T) {
	tests := []struct {
		name, in                      string
		title, author, url, firstText string
	}{
		{
			name:  "title from the first h1, which is then not a passage",
			in:    "# The Title\n\nBody.",
			title: "The Title", firstText: "Body.",
		},
		{
			name:  "an h1 further down is the title but stays a passage",
			in:    "Intro.\n\n# Later Title\n\nBody.",
			title: "Later Title", firstText: "Intro.",
		},
		{
			name:  "metadata lines",
			in:    "Title: Meta Title\nAuthor: Meta Author\nURL: https://example.com/post\n\nBody.",
			title: "Meta Title", author: "Meta Author", url: "https://example.com/post", firstText: "Body.",
		},
		{
			name:  "a colon in the first paragraph is not metadata",
			in:    "Note: this is a paragraph.\n\nBody.",
			title: "doc", firstText: "Note: this is a paragraph.",
		},
		{
			name:  "a thematic break is not front matter",
			in:    "---\nJust text\n\n---\n",
			title: "doc", firstText: "Just text",
		},
		{
			name:  "front matter URL must be a web URL",
			in:    "---\ntitle: T\nurl: javascript:alert(1)\n---\nBody.",
			title: "T", firstText: "Body.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse("doc.md", []byte(tt.in), "", 0)
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, doc)
			if doc.Title != tt.title || doc.Author != tt.author || doc.SourceURL != tt.url {
				t.Errorf("title, author, url = %q, %q, %q; want %q, %q, %q", doc.Title, doc.Author, doc.SourceURL, tt.title, tt.author, tt.url)
			}
			if doc.Passages[0].Text != tt.firstText {
				t.Errorf("first passage %q, want %q", doc.Passages[0].Text, tt.firstText)
			}
		})
	}
}

func TestParseMarkdownDropsActiveHTML(t *testing.T) {
	in := "Before <span onclick=\"steal()\">inline</span> <script>alert('xss')</script>and <img src=x onerror=alert(1)> after.\n\n" +
		"<div onload=\"alert('xss')\">\n<p>Block para</p>\n<script>\nalert('xss')\n</script>\n</div>\n\n" +
		"<script>\nalert('xss')\n</script>\n\n" +
		"<style>body { background: url(javascript:alert(1)) }</style>\n\n" +
		"<iframe src=\"javascript:alert(1)\"></iframe>\n\n" +
		"> <p>quoted <b>html</b></p>\n\n" +
		"End."
	doc, err := Parse("x.md", []byte(in), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	checkDocument(t, doc)
	want := []Passage{
		para("Before inline and after."),
		para("Block para"),
		quote("quoted html"),
		para("End."),
	}
	if d := diffPassages(doc.Passages, want); d != "" {
		t.Error(d)
	}
	for _, p := range doc.Passages {
		low := strings.ToLower(p.Text)
		for _, bad := range []string{"alert", "steal", "onclick", "onerror", "javascript", "<"} {
			if strings.Contains(low, bad) {
				t.Errorf("%q survived in %q", bad, p.Text)
			}
		}
	}
}
