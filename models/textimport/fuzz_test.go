package textimport

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzFormats = []Format{"", FormatText, FormatMarkdown, FormatHTML}

// FuzzParse: whatever bytes are uploaded under whatever name, the importer
// never panics and either refuses them with one of its sentinel errors or
// gives a document that keeps every promise (see checkDocument): a clean
// title, clean non-empty passages, and metadata that is valid UTF-8 without
// a NUL, so that any store can hold it.
func FuzzParse(f *testing.F) {
	for _, s := range []struct {
		name string
		data string
	}{
		{"federalist_10.txt", "THE FEDERALIST No. 10\n\nTo the People of the State of New York:\n\nAMONG the numerous advantages\npromised by a well-constructed Union.\n"},
		{"notes.md", "# Title\n\nBy Ada Lovelace\n\n- one\n- two\n\n> quoted *text*\n\n```\ncode\n```\n"},
		{"page.html", "<html><head><title>T</title><meta name=author content=A></head><body><h1>T</h1><p>One<script>x</script></p><ul><li>a</li></ul></body></html>"},
		{"latin1.txt", "Caf\xe9 cr\xe8me, na\xefve fa\xe7ade.\n\nSecond."},
		{"bom16.txt", "\xff\xfeH\x00i\x00\n\x00\n\x00T\x00h\x00e\x00r\x00e\x00"},
		{"bad \xff name.txt", "Mostly UTF-8 caf\xc3\xa9 with one bad byte \xff here.\n\nNext."},
		{"", "\ufeffTitle: A Book\nAuthor: Someone\n\n*** START OF THE PROJECT GUTENBERG EBOOK ***\n\nText.\n"},
		{"image.png", "\x89PNG\r\n\x1a\n\x00\x00"},
	} {
		for i := range fuzzFormats {
			f.Add(s.name, []byte(s.data), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, name string, data []byte, format uint8) {
		doc, err := Parse(name, data, fuzzFormats[int(format)%len(fuzzFormats)], 1<<16)
		if err != nil {
			for _, known := range []error{ErrEmpty, ErrBinary, ErrTooLarge, ErrEncoding, ErrUnknownFormat} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("Parse(%q, %q): an error no sentinel names: %v", name, data, err)
		}
		checkDocument(t, doc)
		if len(doc.Passages) == 0 {
			t.Fatal("a document without passages")
		}
		for what, s := range map[string]string{"title": doc.Title, "author": doc.Author, "source": doc.SourceURL, "date": doc.Date} {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("%s %q is not storable text", what, s)
			}
		}
		for i, p := range doc.Passages {
			if !utf8.ValidString(p.Text) || strings.IndexByte(p.Text, 0) >= 0 {
				t.Fatalf("passage %d %q is not storable text", i, p.Text)
			}
		}
	})
}

// FuzzDecode: decoded text is always valid UTF-8 without a NUL, with "\n"
// line ends only, or the bytes are refused.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"plain\r\ntext\r", "\xef\xbb\xbfBOM \xff bad", "\xfe\xff\x00H\x00i", "\xff\xfe\x00\xd8", "caf\xe9", "a\x00b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(data)
		if err != nil {
			return
		}
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 || strings.ContainsRune(s, '\r') {
			t.Fatalf("Decode(%q) = %q", data, s)
		}
	})
}
