package anchor

import "unicode/utf8"

// RuneOffset converts a byte offset into s to a code point offset. Offsets
// are clamped to s; one inside a multi-byte character counts that character.
func RuneOffset(s string, byteOffset int) int {
	byteOffset = max(0, min(byteOffset, len(s)))
	return utf8.RuneCountInString(s[:byteOffset])
}

// ByteOffset converts a code point offset into s to a byte offset, clamped
// to s.
func ByteOffset(s string, runeOffset int) int {
	if runeOffset <= 0 {
		return 0
	}
	count := 0
	for i := range s {
		if count == runeOffset {
			return i
		}
		count++
	}
	return len(s)
}

// Slice returns the code points [start, end) of s, clamped to s.
func Slice(s string, start, end int) string {
	from := ByteOffset(s, start)
	to := ByteOffset(s, end)
	if to < from {
		return ""
	}
	return s[from:to]
}
