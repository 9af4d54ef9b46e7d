package handlers

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// safeLocalPath returns p if it is a path on this site that every browser
// reads the same way, else fallback. It is the one gate for redirects whose
// target comes from the request (?next=, the "back" field of forms).
//
// Browsers drop tabs and newlines inside URLs and read "\" as "/", so
// "/\t/evil.example" and "/\evil.example" both leave the site; a header
// must never carry a control character either. The checks therefore run on
// the text as given and on every percent-decoding of it.
func safeLocalPath(p, fallback string) string {
	s := p
	for round := 0; ; round++ {
		if !plainLocalPath(s) {
			return fallback
		}
		d, err := url.PathUnescape(s)
		if err != nil && round > 0 {
			// A literal "%" left by the last decoding ("50%25" is "50%").
			break
		}
		if err != nil || (d != s && round == 3) {
			// Encoded four times over: no page of ours links like that.
			return fallback
		}
		if d == s {
			break
		}
		s = d
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	return p
}

// plainLocalPath is one round of safeLocalPath's checks: starts with one
// "/", no backslash, no control or invisible characters, valid UTF-8.
func plainLocalPath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\\' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || (unicode.IsSpace(r) && r != ' ') {
			return false
		}
	}
	return true
}
