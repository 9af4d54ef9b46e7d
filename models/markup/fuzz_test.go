package markup

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var mentionName = regexp.MustCompile(`^[a-z0-9_-]{3,32}$`)

// FuzzRender: whatever the body, rendering never panics and gives inert
// HTML (only the elements, attributes and URLs this Markdown may produce,
// every link marked), valid UTF-8, or says the body is empty or too long.
// The plain excerpt is one line within its length, and every mention is a
// username that the rendered HTML links to as well.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"Plain *emphasis*, **strong**, [a link](https://example.org) and @ada.",
		"<script>alert(1)</script>",
		"[x](javascript:alert(1)) [y](//evil.example) [z](/\\evil) ![i](data:image/png;base64,AAAA)",
		"| a | b |\n|:-|-:|\n| <b>1</b> | `2` |",
		"```js\nlet x = '<img src=x onerror=alert(1)>'\n```",
		"> quote\n\n1. one\n2. two\n\n- [ ] task\n\n---\n\n~~gone~~",
		"bob@example.org and @Bob_1, `@code`, [@link](/users/x)",
		"\xff\xfe not UTF-8 \x00 and a NUL",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		out, err := Render(body)
		switch {
		case err == nil:
			assertInert(t, out)
			if !utf8.ValidString(string(out)) {
				t.Fatalf("output is not UTF-8: %q", out)
			}
		case errors.Is(err, ErrEmpty), errors.Is(err, ErrTooLong):
		default:
			t.Fatalf("Render(%q): %v", body, err)
		}
		plain := Plain(body, 80)
		if n := utf8.RuneCountInString(plain); n > 81 || strings.ContainsAny(plain, "\n\r") {
			t.Fatalf("Plain(%q, 80) = %q (%d code points)", body, plain, n)
		}
		for _, name := range Mentions(body) {
			if !mentionName.MatchString(name) {
				t.Fatalf("mention %q in %q is not a username", name, body)
			}
			if err == nil && !strings.Contains(string(out), `href="/users/`+name+`"`) {
				t.Fatalf("mention %q not linked in %s", name, out)
			}
		}
		if text := TextOfHTML(body); !utf8.ValidString(text) && utf8.ValidString(body) {
			t.Fatalf("TextOfHTML(%q) = %q, not UTF-8", body, text)
		}
	})
}
