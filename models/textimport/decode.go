package textimport

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// binarySignatures are the openings of formats people often upload by
// mistake; they are rejected before any decoding is attempted.
var binarySignatures = []struct {
	magic string
	what  string
}{
	{"%PDF-", "a PDF"},
	{"\x89PNG", "a PNG image"},
	{"GIF8", "a GIF image"},
	{"\xff\xd8\xff", "a JPEG image"},
	{"PK\x03\x04", "a ZIP archive or an office document"},
	{"\xd0\xcf\x11\xe0", "an old office document"},
}

// Decode turns uploaded bytes into text. It accepts UTF-8 (a byte order mark
// is removed), UTF-16 little or big endian with a byte order mark, and falls
// back to Windows-1252 when the bytes are not UTF-8. Line ends become "\n".
func Decode(b []byte) (string, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return "", ErrEmpty
	}
	for _, sig := range binarySignatures {
		if bytes.HasPrefix(b, []byte(sig.magic)) {
			return "", fmt.Errorf("%w: it is %s", ErrBinary, sig.what)
		}
	}
	var s string
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe, 0, 0}), bytes.HasPrefix(b, []byte{0, 0, 0xfe, 0xff}):
		return "", fmt.Errorf("%w (UTF-32 was found)", ErrEncoding)
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		s = lossyUTF8(b[3:])
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		u, err := decodeUTF16(b[2:], false)
		if err != nil {
			return "", err
		}
		s = u
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		u, err := decodeUTF16(b[2:], true)
		if err != nil {
			return "", err
		}
		s = u
	default:
		// Checked before decoding so a large binary file is rejected cheaply.
		if bytes.IndexByte(b, 0) >= 0 {
			return "", ErrBinary
		}
		s = decode8bit(b)
	}
	if looksBinary(s) {
		return "", ErrBinary
	}
	s = normalizeNewlines(strings.TrimPrefix(s, "\ufeff"))
	if strings.TrimSpace(s) == "" {
		return "", ErrEmpty
	}
	return s, nil
}

// decode8bit reads bytes without a byte order mark. Text that is nearly all
// valid UTF-8 (a truncated or damaged file) stays UTF-8 with the bad bytes
// replaced, since reading it as Windows-1252 would garble every accent.
func decode8bit(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	valid, invalid := 0, 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			invalid++
		case size > 1:
			valid++
		}
		i += size
	}
	if valid > 3*invalid {
		return lossyUTF8(b)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil { // cannot happen: every byte has a mapping or U+FFFD
		return lossyUTF8(b)
	}
	return string(out)
}

func lossyUTF8(b []byte) string {
	return strings.ToValidUTF8(string(b), "\ufffd")
}

func decodeUTF16(b []byte, bigEndian bool) (string, error) {
	if len(b)%2 != 0 {
		return "", fmt.Errorf("%w (the UTF-16 text is cut off in the middle of a character)", ErrEncoding)
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			units[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(units)), nil
}

// looksBinary reports a NUL character, or control characters (other than
// tab, line ends and form feed) in more than 2% of the text.
func looksBinary(s string) bool {
	controls, total := 0, 0
	for _, r := range s {
		total++
		switch {
		case r == 0:
			return true
		case r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v':
		case r < 0x20 || r == 0x7f:
			controls++
		}
	}
	return controls*50 > total
}

// normalizeNewlines turns CRLF and lone CR into LF.
func normalizeNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
