package spamfilter

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Features that carry meaning from one site to another: what a spammer
// does to get a reader to go somewhere, call someone or pay, and what he
// does to slip a link or a number past a filter. A site's own vocabulary
// tells little about another's ("iPhone" is spam on one forum and the
// topic of another), so the model shipped with Margin leans on these.

// lookalike maps Cyrillic and Greek letters that look like Latin ones onto
// them, for words that mix scripts to dodge word filters ("Frее" with
// Cyrillic e's).
var lookalike = map[rune]rune{
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j', 'ѕ': 's',
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T', 'Х': 'X',
	'α': 'a', 'ο': 'o', 'ν': 'v', 'ι': 'i', 'κ': 'k', 'τ': 't', 'ρ': 'p',
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Χ': 'X',
}

const tlds = `com|net|org|info|biz|ru|ly|gl|co|me|tv|io|us|uk|de|fr|br|in|be|to|tk|cc|ws|xyz|online|site|club|shop|store|top|live|pro`

var (
	// "example. com", "example .com", "example dot com", "example(dot)com", "example[.]com"
	// (not "ASP .NET": a space before the dot only is how ".NET" is written)
	spacedDot = regexp.MustCompile(`(?i)\b([a-z0-9][a-z0-9-]{1,})(?:\s*\.\s+|\s*[\(\[\{]\s*(?:dot|\.)\s*[\)\]\}]\s*|\s+dot\s+)(` + tlds + `)\b`)
	// "bit.ly\Kw769F": a backslash for the slash
	backslashPath = regexp.MustCompile(`(?i)\b([a-z0-9-]+\.(?:` + tlds + `))\\([a-z0-9])`)
	// "HDMovieStream.COMl": a letter glued after the domain's ending
	gluedTLD = regexp.MustCompile(`(?i)\b([a-z0-9][a-z0-9-]{2,}\.(?:com|net|org))[a-z]{1,2}\b`)
	// 0 written as O, 1 as l or I, inside a run of digits: "1-8OO-555"
	dodgedDigits = regexp.MustCompile(`\d[\dOoIl\s.\-()]{5,}\d`)
)

// normalise folds compatibility characters (fancy-font letters,
// full-width forms) into plain ones, undoes the usual ways of hiding a
// link, and notes that it did.
func normalise(text string, add func(string)) string {
	if !isASCII(text) {
		folded := norm.NFKC.String(text)
		if folded != text {
			fancy := false
			for _, r := range text {
				if r >= 0x1D400 && r <= 0x1D7FF || r >= 0xFF01 && r <= 0xFF5E || r >= 0x24B6 && r <= 0x24E9 {
					fancy = true
					break
				}
			}
			if fancy {
				add("fancy-letters")
			}
			text = folded
		}
		text = foldMixedScripts(text, add)
	}
	if strings.ContainsAny(text, ". ([{") {
		if spacedDot.MatchString(text) {
			add("obfuscated-link")
			text = spacedDot.ReplaceAllString(text, "$1.$2")
		}
	}
	if strings.IndexByte(text, '\\') >= 0 && backslashPath.MatchString(text) {
		add("obfuscated-link")
		text = backslashPath.ReplaceAllString(text, "$1/$2")
	}
	if strings.IndexByte(text, '.') >= 0 && gluedTLD.MatchString(text) {
		add("obfuscated-link")
		text = gluedTLD.ReplaceAllString(text, "$1")
	}
	if m := dodgedDigits.FindAllString(text, -1); m != nil {
		for _, run := range m {
			if strings.ContainsAny(run, "OoIl") {
				digits := 0
				for _, r := range run {
					if r >= '0' && r <= '9' || r == 'O' || r == 'o' || r == 'I' || r == 'l' {
						digits++
					}
				}
				// a word such as "10 loo" is not a number: the letters
				// must sit between digits and the run be phone-long
				if digits >= 7 && !strings.ContainsAny(run, " ") {
					add("dodged-number")
					text = strings.Replace(text, run, strings.NewReplacer("O", "0", "o", "0", "I", "1", "l", "1").Replace(run), 1)
				}
			}
		}
	}
	return text
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// foldMixedScripts replaces look-alike letters in words that mix them
// with Latin ones; a word wholly in Cyrillic or Greek is left alone.
func foldMixedScripts(text string, add func(string)) string {
	var b strings.Builder
	mixed := false
	word := []rune{}
	flush := func() {
		latin, alike := false, false
		for _, r := range word {
			if _, ok := lookalike[r]; ok {
				alike = true
			} else if r < 0x250 && unicode.IsLetter(r) {
				latin = true
			}
		}
		if latin && alike {
			mixed = true
			for i, r := range word {
				if l, ok := lookalike[r]; ok {
					word[i] = l
				}
			}
		}
		b.WriteString(string(word))
		word = word[:0]
	}
	for _, r := range text {
		if unicode.IsLetter(r) {
			word = append(word, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	if mixed {
		add("mixed-scripts")
	}
	return b.String()
}

// calls are the commercial calls to action and lures, by kind. Each kind
// found is one feature ("call:contact"); the model learns how much each
// weighs. They are phrases rather than single words where a word alone is
// ordinary ("call" is, "call now" is not).
var calls = anchorCalls([]struct {
	kind    string
	pattern *regexp.Regexp
}{
	{"contact", regexp.MustCompile(`\b(?:call (?:us|now|me|today|at|on|our)|contact (?:us|me) (?:at|on|via)|whats ?app|telegram|wechat|signal me|text me|dm me|inbox me|message me (?:on|at|via)|email me at|hotline|help ?line|toll ?free|customer (?:care|service|support) (?:number|phone|line)|support (?:number|phone|line)|phone number|tech(?:nical)? support|helpdesk number)\b`)},
	{"visit", regexp.MustCompile(`\b(?:check (?:out )?(?:my|our)|check out (?:this|these|the new) (?:video|playlist|song|channel|page|site|link|app|game)|check (?:it|this|them|me) out|checking (?:me|my|out my)|subscribers?|sub back|subscribe back|like this comment|give (?:me|it) a (?:like|try)|visit (?:my|our|us|the site|the website|this site|here)|click (?:here|the link|on the link|this link|below)|follow (?:me|my|us)|subscribe|sub 4 sub|sub to|my (?:channel|page|profile|website|site|blog|store|shop|music|video|videos|song|songs|playlist)|link in (?:my )?bio|(?:go|head) to (?:my|our))\b`)},
	{"commerce", regexp.MustCompile(`\b(?:buy (?:now|online|cheap|it|from)|order (?:now|today|online)|discount|coupon|promo(?:tion)? code|free (?:trial|gift|shipping|download|money|iphone|cash)|best (?:price|quality|service|deals?)|lowest price|cheap(?:est)? (?:price|online)|for sale|shop now|limited (?:time|offer)|special offer|money back)\b`)},
	{"money", regexp.MustCompile(`\b(?:earn(?:ing|ed)? (?:money|cash|\$|up to)|make money|making money|extra income|passive income|work(?:ing)? from home|per (?:day|week|hour|month) from|investment (?:plan|platform|manager)|invest(?:ed)? with|profits?|bitcoins?|btc|crypto(?:currency)?|forex|binary options?|account manager|financial freedom|loan|payday|credit repair)\b`)},
	{"trade", regexp.MustCompile(`\b(?:viagra|cialis|pills?|weight loss|lose weight|diet (?:pills?|supplement)|supplements?|keto|testosterone|casino|betting|poker|porn|xxx|sex|dating site|escorts?|seo (?:services?|expert|company)|backlinks?|essay (?:writing|writer|service|help)|(?:do|write) my (?:\w+ )?(?:essay|homework|assignment|paper|thesis)s?|(?:college|custom|cheap|buy) essays?|assignment help|homework help|dissertation (?:help|writing)|followers|likes and)\b`)},
	{"lure", regexp.MustCompile(`\b(?:hack(?:er|ed)? (?:my|your|his|her)|recover(?:y|ed)? (?:my|your|lost|stolen|funds)|spell ?caster|testimon(?:y|ies)|legit (?:hacker|company|site|platform)|guaranteed|100 ?% (?:free|legit|guaranteed|safe|working|real)|congratulations|you (?:have )?won|winners?|prizes?|claim (?:your|now|it)|giveaway|generator|free (?:coins|gems|robux|vbucks)|cheat codes?)\b`)},
})

// call is a kind of call to action: its pattern and, for callFound, the
// same anchored at the start of the text, the bytes a match can start
// with, and the longest a match can be (0: no bound).
type call struct {
	kind              string
	pattern, anchored *regexp.Regexp
	starts            [256]bool
	longest           int
}

func anchorCalls(list []struct {
	kind    string
	pattern *regexp.Regexp
}) []call {
	out := make([]call, len(list))
	for i, c := range list {
		out[i] = call{kind: c.kind, pattern: c.pattern, anchored: regexp.MustCompile(`^(?:` + c.pattern.String() + `)`)}
		re, err := syntax.Parse(c.pattern.String(), syntax.Perl)
		if err != nil {
			panic(err)
		}
		firsts, ok := firstRunes(re)
		for _, r := range firsts {
			if r > unicode.MaxASCII {
				ok = false
			}
		}
		for b := range out[i].starts {
			out[i].starts[b] = !ok // without a known start, every byte may be one
		}
		for _, r := range firsts {
			if r <= unicode.MaxASCII {
				out[i].starts[r] = true
			}
		}
		out[i].longest = longestMatch(re)
	}
	return out
}

// firstRunes is what a match of re can start with, when re is made of
// literals, classes, groups, alternatives, optional parts and \b.
func firstRunes(re *syntax.Regexp) ([]rune, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 || re.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		return re.Rune[:1], true
	case syntax.OpCharClass:
		var out []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] > 64 {
				return nil, false
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				out = append(out, r)
			}
		}
		return out, true
	case syntax.OpCapture:
		return firstRunes(re.Sub[0])
	case syntax.OpAlternate:
		var out []rune
		for _, sub := range re.Sub {
			rs, ok := firstRunes(sub)
			if !ok {
				return nil, false
			}
			out = append(out, rs...)
		}
		return out, true
	case syntax.OpConcat:
		var out []rune
		for _, sub := range re.Sub {
			switch sub.Op {
			case syntax.OpWordBoundary:
				continue
			case syntax.OpQuest, syntax.OpStar:
				rs, ok := firstRunes(sub.Sub[0])
				if !ok {
					return nil, false
				}
				out = append(out, rs...)
				continue
			}
			rs, ok := firstRunes(sub)
			return append(out, rs...), ok
		}
	}
	return nil, false
}

// longestMatch is the most bytes a match of re can take, 0 when there is
// no bound.
func longestMatch(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(string(re.Rune))
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch, syntax.OpBeginText, syntax.OpEndText, syntax.OpBeginLine, syntax.OpEndLine:
		return 0
	case syntax.OpCapture, syntax.OpQuest:
		return longestMatch(re.Sub[0])
	case syntax.OpConcat, syntax.OpAlternate:
		n := 0
		for _, sub := range re.Sub {
			m := longestMatch(sub)
			if m < 0 {
				return -1
			}
			if re.Op == syntax.OpConcat {
				n += m
			} else {
				n = max(n, m)
			}
		}
		return n
	}
	return -1
}

// callFeatures adds a feature for each kind of call to action in prose.
func callFeatures(prose string, add func(string)) {
	lower := strings.ToLower(prose)
	n := 0
	for i, c := range calls {
		if callFound(&calls[i], lower) {
			add("call:" + c.kind)
			n++
		}
	}
	if n >= 2 {
		add("calls:2+")
	}
}

// callFound tells whether a call's pattern matches text, trying it only
// where a word starts. Every call starts a word (\b, then a letter or a
// digit: TestCallsStartWords), so that is where a match can begin; tried
// at every byte instead, the patterns' alternatives were a fifth of a
// post's cost (margin-bench write).
// It tries only there, where a match can start (c.starts), and on no more
// of the text than a match can take and the byte after it, which the
// closing \b looks at.
func callFound(c *call, text string) bool {
	for i := 0; i < len(text); i++ {
		if !c.starts[text[i]] || i > 0 && isWordByte(text[i-1]) || !isWordByte(text[i]) {
			continue
		}
		end := len(text)
		if c.longest > 0 {
			end = min(end, i+c.longest+1)
		}
		if c.anchored.MatchString(text[i:end]) {
			return true
		}
	}
	return false
}

// isWordByte is \w as regexp's \b reads it (ASCII).
func isWordByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// courtesy words are what polite people write everywhere ("hi", "please
// help", "thank you"). They never weigh as spam: a feature made only of
// them and of function words can count for ham but not against it.
var courtesy = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`please pls plz kindly hi hello hey hiya dear greetings thanks thank thx ty tq cheers
		regards appreciate appreciated grateful sorry welcome help helps helped helpful you u your yours me i im my we us our
		can could would will should may might someone somebody anyone anybody everyone sir madam mam guys folks friend friends
		all everybody good morning afternoon evening day nice great awesome advance much so very lot a an the to for of and or
		in on at with is are was be been am it its this that there here do does did have has had not no yes ok okay just
		wonderful love lovely amazing beautiful cool wow lol`) {
		m[w] = true
	}
	return m
}()

// isCourtesy tells whether a feature is made only of courtesy words.
func isCourtesy(feature string) bool {
	var rest string
	switch {
	case strings.HasPrefix(feature, prefixWord):
		rest = feature[len(prefixWord):]
	case strings.HasPrefix(feature, prefixFirst):
		rest = feature[len(prefixFirst):]
	case strings.HasPrefix(feature, prefixBigram):
		rest = feature[len(prefixBigram):]
	default:
		return false
	}
	for _, w := range strings.Split(rest, " ") {
		if !courtesy[w] {
			return false
		}
	}
	return true
}

// signals are the features that can carry a hold: a way to reach the
// spammer (a link, an address, a number, a handle) or a call to act.
// Without one a message can be odd, but it asks nothing of its readers.
func isSignal(f string) bool {
	switch {
	case strings.HasPrefix(f, "call:"), f == "calls:2+",
		f == "links:1", f == "links:2", f == "links:3+", f == "url-shortener", f == "obfuscated-link",
		f == "dodged-number", f == "mixed-scripts", f == "fancy-letters",
		f == "has-phone-number", f == "has-email", f == "has-money", f == "has-mention", f == "has-hashtag":
		return true
	}
	return false
}

// HasSignal tells whether features hold a signal (see isSignal).
func HasSignal(features []string) bool {
	for _, f := range features {
		if isSignal(f) {
			return true
		}
	}
	return false
}
