package ftsquery

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold is text as the SQLite index holds it and the query looks for it:
// lower case, accents taken off ("Émile" is "emile"), the Latin letters
// that carry no separable accent written as PostgreSQL's unaccent writes
// them ("Łódź" is "lodz", "Straße" "strasse"), and every character that is
// neither a letter, a digit nor ASCII made a space, so that words split
// where Parse splits them ("don’t" is "don t", as "don't" is). ASCII text
// comes back as it is: FTS4's porter tokenizer folds its case itself.
func Fold(text string) string {
	ascii := true
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return text
	}
	lower := strings.ToLower(text)
	if stripped, _, err := transform.String(stripMarks, lower); err == nil {
		lower = stripped
	}
	var b strings.Builder
	b.Grow(len(lower))
	for _, r := range lower {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case latinLetters[r] != "":
			b.WriteString(latinLetters[r])
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

var stripMarks = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// latinLetters are the lower-case letters NFD does not decompose, spelt as
// unaccent spells them.
var latinLetters = map[rune]string{
	'æ': "ae", 'œ': "oe", 'ø': "o", 'ß': "ss", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ħ': "h", 'ı': "i",
	'ŀ': "l", 'ŧ': "t", 'ƒ': "f", 'ĸ': "k", 'ŉ': "n", 'ŋ': "n", 'ſ': "s",
}
