package textimport

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	gutenbergStart = regexp.MustCompile(`^\*\*\*\s*START OF (THE|THIS) PROJECT GUTENBERG`)

	dateLine = func() *regexp.Regexp {
		month := `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`
		weekday := `(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,? +)?`
		day := `\d{1,2}(?:st|nd|rd|th)?`
		return regexp.MustCompile(`(?i)^` + weekday + `(?:` + month + ` +` + day + `,? +\d{4}|` +
			day + ` +(?:of +)?` + month + `,? +\d{4}|\d{4}-\d{2}-\d{2})\.?$`)
	}()

	bylineRE = regexp.MustCompile(`^[Bb]y +(\p{Lu}[\p{L}.'’-]*(?: +(?:\p{Lu}[\p{L}.'’-]*|and|de|van|von|der|da|la|&)){1,7})$`)

	htmlSignal = regexp.MustCompile(`(?i)<(!doctype html|html|head|body|p|div|h[1-6]|ul|ol|table|article|section|span|a)[\s>]`)
	mdSignal   = regexp.MustCompile("(?m)^(#{1,6}[ \t]+\\S|```|~~~|\\[[^\\]\\n]+\\]:[ \t]*\\S)|\\[[^\\]\\n]+\\]\\([^)\\s]+\\)")
)

// textHeaderMeta reads "Title:" and "Author:" lines from the header of a
// Project Gutenberg file: everything before the "*** START OF" line, or the
// first 60 lines of an older file that names Project Gutenberg on its first
// line. Indented lines below continue the value: Gutenberg lists co-authors
// that way. ok is false for any other text.
func textHeaderMeta(lines []string) (title, author string, ok bool) {
	end := -1
	for i := 0; i < len(lines) && i < 400; i++ {
		if gutenbergStart.MatchString(lines[i]) {
			end = i
			break
		}
	}
	if end < 0 && len(lines) > 0 && strings.Contains(strings.ToLower(lines[0]), "project gutenberg") {
		end = min(len(lines), 60)
	}
	if end < 0 {
		return "", "", false
	}
	for i := 0; i < end; i++ {
		key, value, ok := strings.Cut(lines[i], ":")
		if !ok || indentWidth(lines[i]) > 0 {
			continue
		}
		values := []string{strings.TrimSpace(value)}
		for i+1 < end && indentWidth(lines[i+1]) > 0 && !isBlank(lines[i+1]) {
			i++
			values = append(values, strings.TrimSpace(lines[i]))
		}
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "title":
			if title == "" {
				title = strings.Join(values, " ")
			}
		case "author":
			if author == "" {
				author = strings.Join(values, ", ")
			}
		}
	}
	return clean(title), clean(author), true
}

// textTitle returns line when it can serve as the title of a plain text:
// short, not a sentence, not a generic heading such as "Preamble".
func textTitle(line string) string {
	t := clean(line)
	n := utf8.RuneCountInString(t)
	if n == 0 || n >= maxTextTitleRunes {
		return ""
	}
	last, _ := utf8.DecodeLastRuneInString(t)
	switch {
	case strings.ContainsRune(".,;:", last),
		!strings.ContainsFunc(t, unicode.IsLetter),
		keywordHeading.MatchString(t),
		bareHeadings[strings.ToLower(t)],
		isDateLine(t),
		listMarker.MatchString(t),
		isQuoteLine(t):
		return ""
	}
	return t
}

// isDateLine reports a passage that is only a date: "April 8, 2024",
// "Friday, November 23, 1787.", "8 April 2024", "2024-04-08".
func isDateLine(s string) bool {
	return len(s) <= 40 && dateLine.MatchString(s)
}

// byline returns "Jane Doe" for a passage "By Jane Doe", else "".
func byline(s string) string {
	if len(s) > 80 {
		return ""
	}
	if m := bylineRE.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// sniffFormat guesses the format of text that came without a file name.
func sniffFormat(text string) Format {
	head := text[:min(len(text), 64<<10)]
	if strings.HasPrefix(strings.TrimLeft(head, " \t\n\ufeff"), "<") && htmlSignal.MatchString(head[:min(len(head), 4<<10)]) {
		return FormatHTML
	}
	if mdSignal.MatchString(head) {
		return FormatMarkdown
	}
	return FormatText
}
