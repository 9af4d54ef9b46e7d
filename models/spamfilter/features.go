// Package spamfilter is the statistical part of Margin's spam check: it turns
// an annotation into features, scores it against counts learnt from earlier
// verdicts, and measures how well that works on labelled corpora.
//
// The model is nothing but counters: for each feature, how many learnt spam
// and ham messages contained it, plus the number of spam and ham messages
// learnt. A database holds them as rows incremented atomically (see Store),
// so any number of server processes can learn and score against one model.
// Scoring is Robinson's smoothing and chi-squared (Fisher) combining of the
// most telling features, as in SpamBayes, with each feature's rate taken
// per feature learnt rather than per message (see Classifier.Score).
package spamfilter

import (
	"html"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FeatureVersion names the feature vocabulary. Counts stored under one
// version mean nothing to another: a store should be retrained when it changes.
const FeatureVersion = 3

const (
	// maxTextRunes bounds the work done on a pathological message; the
	// first 20,000 characters say all there is to say.
	maxTextRunes = 20000
	// maxWordRunes keeps feature keys short enough for a database index.
	// Longer runs of letters are gibberish and get a shape feature instead.
	maxWordRunes = 30
)

// Feature prefixes. Count features are bare words ("links:2") so that
// they read well in the reasons given for a score.
const (
	prefixWord   = "w:"
	prefixBigram = "b:"
	prefixFirst  = "first:"
	prefixHost   = "host:"
	prefixDomain = "dom:"
)

var (
	hrefPattern = regexp.MustCompile(`(?i)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))`)
	// Only things that look like real tags are removed, so "I <3 this"
	// keeps its heart.
	tagPattern = regexp.MustCompile(`<(?:[a-zA-Z][a-zA-Z0-9]*|/[a-zA-Z][a-zA-Z0-9]*|!--)[^<>]*>`)
	// A URL with a scheme or "www.", or a bare host with a common top-level
	// domain ("bit.ly/x", "image2you.ru/48051"), which is how spam often
	// dodges link detection.
	urlPattern = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]{}]+` +
		`|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|ru|ly|gl|co|me|tv|io|us|uk|de|fr|br|in|be|to|tk|cc|ws|xyz|online|site|club)\b(?:/[^\s<>"'()\[\]{}]*)?`)
	emailPattern = regexp.MustCompile(`(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b`)
	// Seven or more digits, possibly split by spaces, dots, dashes or
	// brackets: phone numbers and premium-rate numbers alike.
	phonePattern = regexp.MustCompile(`\+?\(?\d(?:[\s.\-()]{0,2}\d){9,14}`)
	// Dates, times, versions and decimals have the digits of a phone
	// number but not its shape.
	notPhone = regexp.MustCompile(`\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|\b\d{1,2}:\d{2}(?::\d{2})?\b|\b\d+(?:e[-+]?\d+)\b`)
	dotted   = regexp.MustCompile(`\d+(?:\.\d+)+`)
	// "1,000,000" and "2.000.000.000" are counts (of views, say), not phones.
	thousands = regexp.MustCompile(`\b\d{1,3}(?:[.,]\d{3})+\b`)
	// Short codes and prices, both typical of SMS spam.
	moneyPattern = regexp.MustCompile(`[$£€¥]\s?\d|\d\s?(?:[$£€¥]|p\b|pence\b|usd\b|gbp\b)`)
	mentionPatt  = regexp.MustCompile(`(?:^|\s)@[\pL\pN_.]{2,}`)
	hashtagPatt  = regexp.MustCompile(`(?:^|\s)#[\pL\pN_]{2,}`)
)

// urlMark stands for a URL in the prose; a private-use character, so no
// text can contain it once invisible and private-use characters are
// dropped. splitWords turns it into urlWord, which no run of letters and
// digits can spell.
const (
	urlMark = '\uE000'
	urlWord = "<url>"
)

// invisible characters that carry no meaning but split words or pad a
// comment: byte order mark, zero-width space/joiners, word joiner, soft
// hyphen; and urlMark, which only Features may write.
var invisible = strings.NewReplacer("\uFEFF", "", "\u200B", "", "\u200C", "", "\u200D", "", "\u2060", "", "\u00AD", "",
	string(urlMark), "")

// Features returns the deduplicated, sorted feature list of one message.
// HTML is reduced to text first: the targets of links are kept as URLs,
// tags are removed, entities unescaped and invisible characters dropped.
// The features are
//   - words ("w:song") and pairs of adjacent words ("b:my channel"), and
//     the first word ("first:check"); each link counts as the word "<url>"
//     where it stands ("b:out <url>", "first:<url>");
//   - the host and domain of each link ("host:on.mtv.com", "dom:mtv.com"),
//     "url-shortener";
//   - counts put into buckets: "links:2", "len:50-99", "exclamations:3+",
//     "digits:4-7", "caps-ratio:high";
//   - flags: "has-phone-number", "has-email", "has-money", "has-mention",
//     "has-hashtag", "has-emoji", "elongated-word".
func Features(text string) []string {
	clean, hrefs := plainText(text)
	set := make(map[string]struct{}, 4*len(clean)/3+16)
	add := func(f string) { set[f] = struct{}{} }
	clean = normalise(clean, add)

	// E-mail addresses go first, or their domains would pass for links.
	// (Each pattern is only run on text that holds the characters it
	// needs: most comments have no address, link, phone number or money.)
	if strings.IndexByte(clean, '@') >= 0 && emailPattern.MatchString(clean) {
		add("has-email")
		clean = emailPattern.ReplaceAllString(clean, " ")
	}
	// The text with each URL replaced by one <url> word: random URL paths
	// do not become words (the hosts were already recorded), but where a
	// link stands is kept, so "check out <url>", "<url> subscribe" and a
	// message opening with a link are features like any phrase.
	prose := clean
	var urls []string
	if strings.ContainsAny(clean, ".:") { // every URL the pattern knows has one
		var b strings.Builder
		last := 0
		for _, m := range urlPattern.FindAllStringIndex(clean, -1) {
			urls = append(urls, clean[m[0]:m[1]])
			b.WriteString(clean[last:m[0]])
			b.WriteString(" " + string(urlMark) + " ")
			last = m[1]
		}
		if urls != nil {
			b.WriteString(clean[last:])
			prose = b.String()
		}
	}
	urls = append(urls, hrefs...)
	for _, u := range urls {
		urlFeatures(u, add)
	}
	links := countLinks(urls)

	wordFeatures(prose, add)
	shapeFeatures(clean, prose, links, add)
	callFeatures(prose, add)

	features := make([]string, 0, len(set))
	for f := range set {
		features = append(features, f)
	}
	sort.Strings(features)
	return features
}

// plainText strips HTML from text and returns it with the targets of any
// links it contained (a link's text and its target often differ).
func plainText(text string) (string, []string) {
	if utf8.RuneCountInString(text) > maxTextRunes {
		text = string([]rune(text)[:maxTextRunes])
	}
	text = strings.ToValidUTF8(text, " ")
	var hrefs []string
	var found [][]string
	if strings.IndexByte(text, '=') >= 0 { // no "href=" without one
		found = hrefPattern.FindAllStringSubmatch(text, -1)
	}
	for _, m := range found {
		target := html.UnescapeString(strings.TrimSpace(m[1] + m[2] + m[3]))
		// Only links leading off the page; "mailto:" and "#top" are not.
		lower := strings.ToLower(target)
		if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "www.") {
			hrefs = append(hrefs, target)
		}
	}
	// Tags go before entities are decoded, so "&lt;b&gt;" stays visible text.
	if strings.IndexByte(text, '<') >= 0 {
		text = tagPattern.ReplaceAllString(text, " ")
	}
	text = html.UnescapeString(text)
	text = invisible.Replace(text)
	return text, hrefs
}

// countLinks counts distinct links. A link's visible text is often its
// target shortened ("bit.ly/x" for "https://bit.ly/x?ref=1"), so a URL
// that begins another one is the same link.
func countLinks(urls []string) int {
	keys := make([]string, 0, len(urls))
	for _, u := range urls {
		k := strings.ToLower(u)
		if i := strings.Index(k, "://"); i >= 0 {
			k = k[i+3:]
		}
		keys = append(keys, strings.TrimRight(strings.TrimPrefix(k, "www."), "/"))
	}
	sort.Strings(keys)
	n := 0
	for i, k := range keys {
		// sorted, so a prefix comes just before the keys it begins
		if i+1 < len(keys) && strings.HasPrefix(keys[i+1], k) {
			continue
		}
		n++
	}
	return n
}

// hostOf returns the lowercased host of a URL, without "www.".
func hostOf(u string) string {
	s := strings.ToLower(u)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "www."), ".")
	return s
}

// urlFeatures describes a link by its host and registrable domain (an
// approximation: the last two labels). One link yields few features on
// purpose: naive Bayes counts correlated features as independent evidence.
func urlFeatures(u string, add func(string)) {
	host := hostOf(u)
	if host == "" || len(host) > 100 {
		return
	}
	labels := strings.Split(host, ".")
	if n := len(labels); n > 2 {
		add(prefixHost + host)
		add(prefixDomain + labels[n-2] + "." + labels[n-1])
	} else {
		add(prefixDomain + host)
	}
	if isShortener(host) {
		add("url-shortener")
	}
}

func isShortener(host string) bool {
	switch host {
	case "bit.ly", "goo.gl", "tinyurl.com", "t.co", "ow.ly", "is.gd", "buff.ly", "adf.ly", "youtu.be", "tiny.cc", "shorte.st", "cutt.ly", "rebrand.ly":
		return true
	}
	return false
}

// wordFeatures adds word unigrams and bigrams, and the first word on its
// own: solicitations tend to open with an imperative ("check", "subscribe",
// "visit"). Words are lowercased runs of letters and digits; apostrophes
// inside words vanish ("don't" and "dont" are one word) and letters
// repeated three or more times are cut to two ("sooooo" is "soo").
func wordFeatures(prose string, add func(string)) {
	elongated := false
	prev := ""
	for i, w := range splitWords(prose) {
		var was bool
		w, was = squeezeRepeats(w)
		elongated = elongated || was
		token := wordToken(w)
		if token != urlWord { // "links:1" says it already
			add(prefixWord + token)
		}
		if i == 0 {
			add(prefixFirst + token)
		} else {
			add(prefixBigram + prev + " " + token)
		}
		prev = token
	}
	if elongated {
		add("elongated-word")
	}
}

// splitWords cuts text into lowercased words.
func splitWords(text string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '\u2019':
			// joins "don't" into "dont"; a leading or trailing quote is dropped too
		case r == urlMark:
			flush()
			words = append(words, urlWord)
		default:
			flush()
		}
	}
	flush()
	return words
}

func squeezeRepeats(w string) (string, bool) {
	var b strings.Builder
	var last rune
	run := 0
	squeezed := false
	for _, r := range w {
		if r == last {
			run++
		} else {
			last, run = r, 1
		}
		if run > 2 && unicode.IsLetter(r) {
			squeezed = true
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), squeezed
}

// wordToken maps words that would only add noise to the vocabulary onto
// shapes: long numbers by their length, over-long words to one token.
func wordToken(w string) string {
	n := utf8.RuneCountInString(w)
	if n > maxWordRunes {
		return "<long-word>"
	}
	digits := 0
	for _, r := range w {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	switch {
	case digits == n && n >= 5:
		return "<num" + strconv.Itoa(min(n, 12)) + ">"
	case digits >= 4 && digits < n:
		// codes such as "87121txt" or "2005pm": keep the letters' shape
		var b strings.Builder
		for _, r := range w {
			if r >= '0' && r <= '9' {
				r = '9'
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	return w
}

// shapeFeatures adds features that describe the message as a whole, each
// count bucketed so that it becomes an ordinary token.
func shapeFeatures(clean, prose string, links int, add func(string)) {
	add("links:" + bucket(links, 0, 1, 2, 3))
	runes := utf8.RuneCountInString(strings.TrimSpace(clean))
	add("len:" + bucket(runes, 0, 20, 50, 100, 200, 400))

	letters, upper, digits, exclaims, symbols := 0, 0, 0, 0, 0
	for _, r := range prose {
		switch {
		case unicode.IsLetter(r):
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		case unicode.IsDigit(r):
			digits++
		case r == '!':
			exclaims++
		case unicode.Is(unicode.So, r) || r >= 0x1F000:
			symbols++
		}
	}
	add("exclamations:" + bucket(exclaims, 0, 1, 2, 3))
	add("digits:" + bucket(digits, 0, 1, 4, 8))
	if letters >= 8 {
		ratio := float64(upper) / float64(letters)
		switch {
		case ratio > 0.6:
			add("caps-ratio:high")
		case ratio > 0.25:
			add("caps-ratio:mid")
		default:
			add("caps-ratio:low")
		}
	}
	if symbols > 0 {
		add("has-emoji")
	}
	// The patterns' \d is ASCII, which unicode.IsDigit counts too: a phone
	// number needs seven digits, a price one.
	if digits >= 10 && hasPhoneNumber(prose) {
		add("has-phone-number")
	}
	if digits > 0 && moneyPattern.MatchString(strings.ToLower(prose)) {
		add("has-money")
	}
	if strings.IndexByte(prose, '@') >= 0 && mentionPatt.MatchString(prose) {
		add("has-mention")
	}
	if strings.IndexByte(prose, '#') >= 0 && hashtagPatt.MatchString(prose) {
		add("has-hashtag")
	}
}

// hasPhoneNumber tells whether prose holds ten or more digits written as a
// phone number is: once counts, dates, times, versions and decimals are
// set aside.
func hasPhoneNumber(prose string) bool {
	rest := notPhone.ReplaceAllString(thousands.ReplaceAllString(prose, " "), " ")
	// a decimal has one dot; "1.800.555.0199" is dialled
	rest = dotted.ReplaceAllStringFunc(rest, func(m string) string {
		if strings.Count(m, ".") == 1 {
			return " "
		}
		return m
	})
	for _, m := range phonePattern.FindAllString(rest, -1) {
		if strings.ContainsAny(m, " .-()") {
			return true
		}
		// a bare run of digits is an id or an amount unless it is dialled:
		// ten or eleven digits from 0, 1 or +
		if n := len(strings.TrimPrefix(m, "+")); n <= 11 && (m[0] == '+' || m[0] == '0' || m[0] == '1') {
			return true
		}
	}
	return false
}

// bucket names the range of limits that n falls in: with limits 0,1,2,3
// it gives "0", "1", "2" and "3+"; with 0,20,50 it gives "0-19", "20-49", "50+".
func bucket(n int, limits ...int) string {
	last := limits[len(limits)-1]
	if n >= last {
		return strconv.Itoa(last) + "+"
	}
	for i := len(limits) - 2; i >= 0; i-- {
		if n >= limits[i] {
			if limits[i+1]-limits[i] == 1 {
				return strconv.Itoa(limits[i])
			}
			return strconv.Itoa(limits[i]) + "-" + strconv.Itoa(limits[i+1]-1)
		}
	}
	return "<" + strconv.Itoa(limits[0])
}
