package textimport

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
)

func utf16Bytes(s string, bigEndian bool) []byte {
	var b []byte
	if bigEndian {
		b = []byte{0xfe, 0xff}
	} else {
		b = []byte{0xff, 0xfe}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"ascii", []byte("hello\nworld"), "hello\nworld"},
		{"utf-8", []byte("Grüße, café 😀"), "Grüße, café 😀"},
		{"utf-8 with BOM", []byte("\xef\xbb\xbfTitle\nBody"), "Title\nBody"},
		{"CRLF", []byte("one\r\ntwo\r\n\r\nthree"), "one\ntwo\n\nthree"},
		{"lone CR", []byte("one\rtwo\r\rthree"), "one\ntwo\n\nthree"},
		{"utf-16le", utf16Bytes("Grüße 😀\r\nzwei", false), "Grüße 😀\nzwei"},
		{"utf-16be", utf16Bytes("Grüße 😀\r\nzwei", true), "Grüße 😀\nzwei"},
		{"windows-1252", []byte("\x93Quoted\x94 \x96 caf\xe9 \x805 \x85"), "“Quoted” – café €5 …"},
		{"windows-1252 CRLF", []byte("Ishmael\x92s\r\nwhale"), "Ishmael’s\nwhale"},
		{"damaged utf-8 stays utf-8", []byte("café naïve résumé \xff end"), "café naïve résumé \ufffd end"},
		{"form feed is text", []byte("page one\fpage two"), "page one\fpage two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.in)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got != tt.want {
				t.Errorf("Decode = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"nil", nil, ErrEmpty},
		{"whitespace", []byte(" \n\t\r\n "), ErrEmpty},
		{"BOM only", []byte("\xef\xbb\xbf"), ErrEmpty},
		{"BOM and spaces", []byte("\xef\xbb\xbf  \r\n"), ErrEmpty},
		{"utf-16 spaces", utf16Bytes("  \n ", false), ErrEmpty},
		{"png", png, ErrBinary},
		{"png without signature", png[8:], ErrBinary},
		{"NUL in text", []byte("hello\x00world"), ErrBinary},
		{"NUL in utf-16", utf16Bytes("hello\x00world", true), ErrBinary},
		{"control characters", []byte("a\x01b\x02c\x03d\x04e\x05f\x06"), ErrBinary},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), ErrBinary},
		{"zip", []byte("PK\x03\x04\x14\x00\x06\x00"), ErrBinary},
		{"utf-16 odd length", append(utf16Bytes("hi", false), 'x'), ErrEncoding},
		{"utf-32", []byte{0xff, 0xfe, 0, 0, 'h', 0, 0, 0}, ErrEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %q, %v; want error %v", got, err, tt.want)
			}
		})
	}
}

func TestDecodeToleratesFewControlCharacters(t *testing.T) {
	in := "An old file with one stray \x1a control character in a long enough line of text."
	got, err := Decode([]byte(in))
	if err != nil || got != in {
		t.Fatalf("Decode = %q, %v", got, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		in       []byte
		format   Format
		maxBytes int
		want     error
	}{
		{"too large", "a.txt", []byte("twelve bytes"), "", 11, ErrTooLarge},
		{"size checked before decoding", "a.png", bytes.Repeat([]byte{0}, 100), "", 10, ErrTooLarge},
		{"empty", "a.txt", nil, "", 0, ErrEmpty},
		{"binary", "a.txt", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "", 0, ErrBinary},
		{"html without readable text", "a.html", []byte("<script>alert(1)</script><p> </p>"), "", 0, ErrEmpty},
		{"markdown without readable text", "a.md", []byte("---\n\n***\n"), "", 0, ErrEmpty},
		{"unknown format", "a.txt", []byte("text"), Format("pdf"), 0, ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse(tt.file, tt.in, tt.format, tt.maxBytes)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse = %+v, %v; want error %v", doc, err, tt.want)
			}
			if doc != nil {
				t.Errorf("Parse returned a document with an error")
			}
		})
	}
}

func TestParseSizeLimit(t *testing.T) {
	exactly := []byte(strings.Repeat("a", 100))
	if _, err := Parse("a.txt", exactly, "", 100); err != nil {
		t.Errorf("a file of exactly maxBytes: %v", err)
	}
	big := bytes.Repeat([]byte("word "), DefaultMaxBytes/5+1)
	if _, err := Parse("a.txt", big, "", 0); !errors.Is(err, ErrTooLarge) {
		t.Errorf("maxBytes 0 must mean DefaultMaxBytes; got %v", err)
	}
	_, err := Parse("a.txt", big, "", -1)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "10 MB") {
		t.Errorf("error should name the limit: %v", err)
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name, text string
		want       Format
	}{
		{"notes.md", "", FormatMarkdown},
		{"NOTES.MARKDOWN", "", FormatMarkdown},
		{`C:\Users\ann\essay.md`, "", FormatMarkdown},
		{"page.htm", "", FormatHTML},
		{"page.HTML", "plain words", FormatHTML},
		{"book.txt", "<html><body><p>x</p></body></html>", FormatText},
		{"scan.pdf", "# looks like markdown", FormatText},
		{"archive.tar.gz", "", FormatText},
		{"", "<!DOCTYPE html>\n<html><head><title>x</title></head></html>", FormatHTML},
		{"", "  <p>Hello</p>", FormatHTML},
		{"", "# Title\n\nSome text.", FormatMarkdown},
		{"", "Text with a [link](https://example.com).", FormatMarkdown},
		{"", "```\ncode\n```", FormatMarkdown},
		{"README", "## Install\n\nRun it.", FormatMarkdown},
		{"", "Plain words, 3 < 4 and 5 > 2.", FormatText},
		{"", "<not really html", FormatText},
		{"", "#hashtag is not a heading", FormatText},
	}
	for _, tt := range tests {
		if got := DetectFormat(tt.name, tt.text); got != tt.want {
			t.Errorf("DetectFormat(%q, %q) = %q, want %q", tt.name, tt.text, got, tt.want)
		}
	}
}
