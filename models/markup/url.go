package markup

import (
	"errors"
	"net/url"
	"strings"
	"unicode"
)

// ErrInvalidURL matches every error of ValidURL; each one's message says
// what is wrong in words a user understands.
var ErrInvalidURL = errors.New("not a valid web address")

type urlError string

func (e urlError) Error() string        { return string(e) }
func (e urlError) Is(target error) bool { return target == ErrInvalidURL }

const maxURLLen = 2048

// ValidURL checks a citation URL: absolute http or https with a host, no
// spaces, no user name or password. It returns the URL trimmed, with its scheme in lower case.
func ValidURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return "", urlError("enter a web address")
	case len(s) > maxURLLen:
		return "", urlError("the web address is too long")
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return "", urlError("a web address cannot contain spaces")
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", urlError("this is not a valid web address")
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return "", urlError("enter the full web address, starting with https://")
	default:
		return "", urlError("only web addresses starting with http:// or https:// are allowed")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return "", urlError("the web address has no site name")
	}
	if u.User != nil {
		return "", urlError("web addresses with a user name or password are not allowed")
	}
	// The text as typed, not u.String(), which would percent-encode an
	// internationalised host name.
	return u.Scheme + s[len(u.Scheme):], nil
}
