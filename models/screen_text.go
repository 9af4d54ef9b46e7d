package models

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ScreenedText is what the classifier and Akismet read of a note: its
// body, counterpoint and citations.
func ScreenedText(in AnnotationInput) string {
	parts := []string{in.Body, in.Counterpoint}
	for _, c := range in.Citations {
		parts = append(parts, c.Title, c.URL, c.Text)
	}
	return strings.TrimSpace(strings.Join(nonEmpty(parts), "\n"))
}

// AnnotationText is ScreenedText of a stored annotation.
func AnnotationText(a *Annotation) string {
	return ScreenedText(AnnotationInput{Body: a.Body, Counterpoint: a.Counterpoint, Citations: a.Citations})
}

func nonEmpty(xs []string) []string {
	out := xs[:0:0]
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			out = append(out, x)
		}
	}
	return out
}

// minDuplicateRunes leaves short replies ("Agreed.", "Thank you!") out of
// duplicate detection: many people rightly write them.
const minDuplicateRunes = 20

// bodyHash identifies a body for duplicate detection, ignoring case and
// spacing; "" for bodies too short to count.
func bodyHash(body string) string {
	norm := strings.Join(strings.Fields(strings.ToLower(body)), " ")
	if utf8.RuneCountInString(norm) < minDuplicateRunes {
		return ""
	}
	sum := sha256.Sum256([]byte(norm))
	return hex.EncodeToString(sum[:])
}

// linkInText finds the web addresses in a note's Markdown source as written:
// links, autolinks and bare addresses alike, without rendering it.
var linkInText = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>()\[\]"'` + "`" + `]+`)

// countLinks counts the distinct web addresses in a body (Markdown links,
// autolinks and bare addresses alike; an address in a code span counts
// too: it is still there for a reader to copy).
func countLinks(body string) int {
	seen := map[string]bool{}
	for _, u := range linkInText.FindAllString(body, -1) {
		u = strings.TrimRight(strings.ToLower(u), ".,;:!?/")
		u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
		seen[u] = true
	}
	return len(seen)
}

// containsTerm finds a blocked term in text, ignoring case; a term made of
// letters and digits only matches whole words ("ass" is not in "class").
func containsTerm(text, term string) bool {
	text, term = strings.ToLower(text), strings.ToLower(strings.TrimSpace(term))
	if term == "" {
		return false
	}
	wordy := strings.IndexFunc(term, func(r rune) bool { return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ') }) < 0
	for from := 0; ; {
		i := strings.Index(text[from:], term)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(term)
		if !wordy || (isBoundary(text, start, true) && isBoundary(text, end, false)) {
			return true
		}
		from = start + 1
	}
}

func isBoundary(text string, at int, before bool) bool {
	var r rune
	if before {
		if at == 0 {
			return true
		}
		r, _ = utf8.DecodeLastRuneInString(text[:at])
	} else {
		if at >= len(text) {
			return true
		}
		r, _ = utf8.DecodeRuneInString(text[at:])
	}
	return !(unicode.IsLetter(r) || unicode.IsDigit(r))
}

func roundDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return plural(int(d.Seconds()), "second")
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute")
	}
	return plural(int(d.Hours()), "hour")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}
