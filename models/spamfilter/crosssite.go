package spamfilter

import (
	"regexp"
	"strings"
	"unicode"

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
var calls = []struct {
	kind    string
	pattern *regexp.Regexp
}{
	{"contact", regexp.MustCompile(`\b(?:call (?:us|now|me|today|at|on|our)|contact (?:us|me) (?:at|on|via)|whats ?app|telegram|wechat|signal me|text me|dm me|inbox me|message me (?:on|at|via)|email me at|hotline|help ?line|toll ?free|customer (?:care|service|support) (?:number|phone|line)|support (?:number|phone|line)|phone number|tech(?:nical)? support|helpdesk number)\b`)},
	{"visit", regexp.MustCompile(`\b(?:check (?:out )?(?:my|our)|check out (?:this|these|the new) (?:video|playlist|song|channel|page|site|link|app|game)|check (?:it|this|them|me) out|checking (?:me|my|out my)|subscribers?|sub back|subscribe back|like this comment|give (?:me|it) a (?:like|try)|visit (?:my|our|us|the site|the website|this site|here)|click (?:here|the link|on the link|this link|below)|follow (?:me|my|us)|subscribe|sub 4 sub|sub to|my (?:channel|page|profile|website|site|blog|store|shop|music|video|videos|song|songs|playlist)|link in (?:my )?bio|(?:go|head) to (?:my|our))\b`)},
	{"commerce", regexp.MustCompile(`\b(?:buy (?:now|online|cheap|it|from)|order (?:now|today|online)|discount|coupon|promo(?:tion)? code|free (?:trial|gift|shipping|download|money|iphone|cash)|best (?:price|quality|service|deals?)|lowest price|cheap(?:est)? (?:price|online)|for sale|shop now|limited (?:time|offer)|special offer|money back)\b`)},
	{"money", regexp.MustCompile(`\b(?:earn(?:ing|ed)? (?:money|cash|\$|up to)|make money|making money|extra income|passive income|work(?:ing)? from home|per (?:day|week|hour|month) from|investment (?:plan|platform|manager)|invest(?:ed)? with|profits?|bitcoins?|btc|crypto(?:currency)?|forex|binary options?|account manager|financial freedom|loan|payday|credit repair)\b`)},
	{"trade", regexp.MustCompile(`\b(?:viagra|cialis|pills?|weight loss|lose weight|diet (?:pills?|supplement)|supplements?|keto|testosterone|casino|betting|poker|porn|xxx|sex|dating site|escorts?|seo (?:services?|expert|company)|backlinks?|essay (?:writing|writer|service|help)|(?:do|write) my (?:\w+ )?(?:essay|homework|assignment|paper|thesis)s?|(?:college|custom|cheap|buy) essays?|assignment help|homework help|dissertation (?:help|writing)|followers|likes and)\b`)},
	{"lure", regexp.MustCompile(`\b(?:hack(?:er|ed)? (?:my|your|his|her)|recover(?:y|ed)? (?:my|your|lost|stolen|funds)|spell ?caster|testimon(?:y|ies)|legit (?:hacker|company|site|platform)|guaranteed|100 ?% (?:free|legit|guaranteed|safe|working|real)|congratulations|you (?:have )?won|winners?|prizes?|claim (?:your|now|it)|giveaway|generator|free (?:coins|gems|robux|vbucks)|cheat codes?)\b`)},
}

// callFeatures adds a feature for each kind of call to action in prose.
func callFeatures(prose string, add func(string)) {
	lower := strings.ToLower(prose)
	n := 0
	for _, c := range calls {
		if c.pattern.MatchString(lower) {
			add("call:" + c.kind)
			n++
		}
	}
	if n >= 2 {
		add("calls:2+")
	}
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
