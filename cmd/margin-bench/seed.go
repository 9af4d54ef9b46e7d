package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"margin/models"
	"margin/models/passhash"
)

// articleTitle names the sample article every scenario reads and annotates.
const articleTitle = "The Short-lived NATO-Russia Honeymoon"

// Seed sizes, from the issue: 500 annotations, a fifth of them replies, a
// quarter with a quote, by 20 users. A few top-level notes are private, so
// that logged-in pages really differ by viewer and the sanity checks can
// prove one viewer never sees another's private note.
const (
	seedUsers       = 20
	seedAnnotations = 500
	seedPrivate     = 10
)

// benchPassword is every bench user's password (it contains none of their names).
const benchPassword = "load test pass phrase 2024"

var userNames = []string{
	"amara", "bastien", "chioma", "dmitri", "elena", "farid", "greta", "hiroshi", "ines", "jonas",
	"kavya", "lukas", "mireille", "nikolai", "olufemi", "priya", "quentin", "rosa", "sven", "tamar",
}

// fixture is what the scenarios need to know about the seeded database.
type fixture struct {
	doc      *models.Document
	passages []models.Passage
	users    []*models.User
	// private maps a user index to the markers of their private notes.
	private map[int][]string
	counts  map[string]int // what was seeded, for the report
}

// seed fills an empty database: the samples, the users and the annotations.
func seed(db *gorm.DB) (*fixture, error) {
	if _, err := models.SeedSamples(db); err != nil {
		return nil, err
	}
	fx := &fixture{private: map[int][]string{}, counts: map[string]int{}}
	docs, err := models.ListDocuments(db)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		if d.Title == articleTitle {
			fx.doc, err = models.DocumentByID(db, d.ID)
			if err != nil {
				return nil, err
			}
		}
	}
	if fx.doc == nil {
		return nil, fmt.Errorf("the sample article %q was not seeded", articleTitle)
	}
	if fx.passages, err = models.Passages(db, fx.doc.CurrentRevisionID); err != nil {
		return nil, err
	}
	for _, name := range userNames[:seedUsers] {
		u, err := models.CreateUser(db, models.NewUser{Username: name, Email: name + "@example.org",
			Password: benchPassword}, passhash.Fast)
		if err != nil {
			return nil, fmt.Errorf("create user %s: %w", name, err)
		}
		fx.users = append(fx.users, u)
	}
	return fx, seedAnnotationsInto(db, fx)
}

// seedAnnotationsInto writes the annotations through the model functions the
// handlers use, so anchors, rendered bodies and notifications are real.
// Every fifth one is a reply; 5 of every 16 top-level notes quote a phrase
// (125 of 400, a quarter of all 500).
func seedAnnotationsInto(db *gorm.DB, fx *fixture) error {
	w := newWriter(1, fx.passages, userNames[:seedUsers])
	var public []*models.Annotation
	topLevel := 0
	for i := 0; i < seedAnnotations; i++ {
		author := fx.users[w.rng.IntN(len(fx.users))]
		if i%5 == 4 {
			parent := public[w.rng.IntN(len(public))]
			in := w.input(w.replyKind(), false)
			if _, err := models.CreateReply(db, author, parent, in, models.StatusPublished); err != nil {
				return fmt.Errorf("seed reply %d: %w", i, err)
			}
			fx.counts["replies"]++
			fx.counts[string(in.Kind)]++
			continue
		}
		in := w.input(w.topKind(), topLevel%16 < 5)
		if topLevel%40 == 7 && fx.counts["private"] < seedPrivate {
			marker := fmt.Sprintf("bench-private-%02d", fx.counts["private"]+1)
			in.Visibility = models.VisibilityPrivate
			in.Body += "\n\nOnly for me: " + marker + "."
			idx := indexOf(fx.users, author)
			fx.private[idx] = append(fx.private[idx], marker)
			fx.counts["private"]++
		}
		ann, err := models.CreateAnnotation(db, author, fx.doc, in, models.StatusPublished)
		if err != nil {
			return fmt.Errorf("seed annotation %d: %w", i, err)
		}
		if in.Quote != "" {
			fx.counts["quoted"]++
		}
		if in.Visibility != models.VisibilityPrivate {
			public = append(public, ann)
		}
		fx.counts[string(in.Kind)]++
		topLevel++
	}
	if fx.counts["private"] != seedPrivate {
		return errors.New("seed plan made the wrong number of private notes")
	}
	return nil
}

func indexOf(users []*models.User, u *models.User) int {
	for i, x := range users {
		if x.ID == u.ID {
			return i
		}
	}
	return -1
}

// writer makes plausible annotations on the article: varied Markdown
// sentences, some links and mentions, citations for references,
// counterpoints for disagreements, quotes cut from the passage's own text.
// It is not safe for concurrent use: every load client has its own.
type writer struct {
	seq      int // numbers this writer's notes, so no two are the same text
	rng      *rand.Rand
	passages []models.Passage
	quotable []models.Passage // passages long enough to quote from
	names    []string
}

func newWriter(seed uint64, passages []models.Passage, names []string) *writer {
	w := &writer{rng: rand.New(rand.NewPCG(seed, 0x6d617267696e)), passages: passages, names: names}
	for _, p := range passages {
		if len(strings.Fields(p.Text)) >= 12 {
			w.quotable = append(w.quotable, p)
		}
	}
	if len(w.quotable) == 0 {
		w.quotable = passages
	}
	return w
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func (w *writer) topKind() models.Kind {
	return weighted(w.rng, []models.Kind{models.KindComment, models.KindQuestion, models.KindDisagreement,
		models.KindReference, models.KindContext}, []int{35, 20, 15, 15, 15})
}

func (w *writer) replyKind() models.Kind {
	return weighted(w.rng, []models.Kind{models.KindComment, models.KindQuestion, models.KindDisagreement,
		models.KindReference, models.KindContext}, []int{50, 20, 15, 5, 10})
}

func weighted[T any](rng *rand.Rand, xs []T, weights []int) T {
	total := 0
	for _, n := range weights {
		total += n
	}
	r := rng.IntN(total)
	for i, n := range weights {
		if r < n {
			return xs[i]
		}
		r -= n
	}
	return xs[len(xs)-1]
}

// input makes one annotation of kind k; withQuote anchors it to a phrase.
func (w *writer) input(k models.Kind, withQuote bool) models.AnnotationInput {
	in := models.AnnotationInput{Kind: k, QuoteHint: -1}
	p := pick(w.rng, w.passages)
	if withQuote {
		p = pick(w.rng, w.quotable)
		in.Quote = w.quote(p.Text)
	}
	in.Passage = p.Number
	in.Body = w.body(k)
	switch k {
	case models.KindDisagreement:
		in.Counterpoint = pick(w.rng, counterpoints)
	case models.KindReference:
		n := 1 + w.rng.IntN(2)
		for _, i := range w.rng.Perm(len(citations))[:n] {
			in.Citations = append(in.Citations, citations[i])
		}
	}
	return in
}

// quote cuts 3 to 9 consecutive words out of text.
func (w *writer) quote(text string) string {
	words := strings.Fields(text)
	n := min(3+w.rng.IntN(7), len(words))
	start := w.rng.IntN(len(words) - n + 1)
	return strings.Join(words[start:start+n], " ")
}

func (w *writer) body(k models.Kind) string {
	var parts []string
	lead := pick(w.rng, sentences[k])
	if w.rng.IntN(5) == 0 {
		lead = emphasize(lead)
	}
	parts = append(parts, lead)
	if w.rng.IntN(2) == 0 {
		parts[0] += " " + pick(w.rng, sentences[models.KindComment])
	}
	if w.rng.IntN(5) == 0 {
		l := pick(w.rng, links)
		parts = append(parts, fmt.Sprintf("See [%s](%s).", l[0], l[1]))
	}
	if w.rng.IntN(7) == 0 {
		parts = append(parts, "@"+pick(w.rng, w.names)+" "+pick(w.rng, mentionAsides))
	}
	if w.rng.IntN(10) == 0 {
		parts = append(parts, "- "+pick(w.rng, sentences[models.KindContext])+"\n- "+pick(w.rng, sentences[models.KindQuestion]))
	}
	// Real comments are each written anew: without this the spam check would
	// rightly hold the repeats.
	w.seq++
	parts = append(parts, fmt.Sprintf("(Reading note %d.%d.)", w.rng.IntN(1_000_000), w.seq))
	return strings.Join(parts, "\n\n")
}

// emphasize puts the sentence's second to fourth words in italics.
func emphasize(s string) string {
	words := strings.Fields(s)
	if len(words) < 5 {
		return s
	}
	return strings.Join(words[:1], " ") + " *" + strings.Join(words[1:4], " ") + "* " + strings.Join(words[4:], " ")
}

// form is in as the composer would post it, with the composer's hidden
// fields: the signed time it was shown and the empty honeypot.
func form(in models.AnnotationInput, csrf, rendered string) url.Values {
	f := url.Values{"_csrf": {csrf}, "kind": {string(in.Kind)}, "body": {in.Body},
		"passage": {strconv.Itoa(in.Passage)}, "rendered": {rendered}, "homepage": {""}}
	if in.Quote != "" {
		f.Set("quote", in.Quote)
	}
	if in.Counterpoint != "" {
		f.Set("counterpoint", in.Counterpoint)
	}
	for _, c := range in.Citations {
		f.Add("cite_title", c.Title)
		f.Add("cite_url", c.URL)
		f.Add("cite_text", c.Text)
	}
	return f
}

var sentences = map[models.Kind][]string{
	models.KindComment: {
		"This is the crux of the whole publication.",
		"Worth reading next to the transcripts of the Duma delegation's visit a year later.",
		"The tone here is remarkably warm for a meeting that took place barely two years after the Soviet collapse.",
		"Note how carefully the phrasing avoids any promise about membership.",
		"The archive's editors clearly chose this excerpt to set up the contrast with what came after.",
		"Perry's enthusiasm reads very differently with hindsight.",
		"It is easy to forget how much nuclear risk reduction actually happened in these years.",
		"The Fort Riley exercises deserve more attention than they usually get.",
		"This matches what the memoirs of the period describe, almost word for word.",
	},
	models.KindQuestion: {
		"Who else was in the room for this conversation?",
		"Was this transcript shared with the other allies at the time?",
		"How did the Russian side record the same meeting?",
		"Did anyone in Washington object to this framing?",
		"What happened to the joint force for Bosnia after 1996?",
		"Is the full memo available, or only this excerpt?",
		"Why does the publication date differ from the date in the dateline?",
	},
	models.KindDisagreement: {
		"I do not think the evidence supports calling this a honeymoon.",
		"This overstates how much the Supreme Soviet could commit to.",
		"The summary leaves out the disputes over the Baltic states.",
		"Calling the visit a smashing success ignores the tense first day.",
	},
	models.KindReference: {
		"The standard account of these negotiations is below.",
		"Two sources that cover the same meetings:",
		"The treaty text itself is worth having open alongside.",
		"",
	},
	models.KindContext: {
		"In early 1992 the Russian Federation was barely two months old as an independent state.",
		"Khasbulatov and Yeltsin would be at open war with each other by October 1993.",
		"The Partnership for Peace was launched in January 1994, between these two meetings.",
		"Manfred Woerner was already seriously ill during much of this period.",
		"The Minuteman silos at Whiteman were being dismantled under START I.",
	},
}

var counterpoints = []string{
	"Cooperation was real but shallow, and both sides knew it by 1994.",
	"The decisive choices were made in Washington, not at these meetings.",
	"Expansion was already on the table; the warmth was diplomatic courtesy.",
	"The parliament's view never carried weight with the Yeltsin government.",
}

var citations = []models.Citation{
	{Title: "NATO Expansion: What Gorbachev Heard", URL: "https://nsarchive.gwu.edu/briefing-book/russia-programs/2017-12-12/nato-expansion-what-gorbachev-heard-western-leaders-early"},
	{Title: "The North Atlantic Treaty", URL: "https://www.nato.int/cps/en/natohq/official_texts_17120.htm"},
	{Title: "Partnership for Peace: Framework Document", URL: "https://www.nato.int/cps/en/natohq/official_texts_24469.htm"},
	{Text: "M. E. Sarotte, Not One Inch: America, Russia, and the Making of Post-Cold War Stalemate (Yale University Press, 2021)."},
	{Text: "James Goldgeier and Michael McFaul, Power and Purpose: U.S. Policy toward Russia after the Cold War (Brookings, 2003)."},
	{Title: "Founding Act on Mutual Relations, Cooperation and Security between NATO and the Russian Federation",
		URL: "https://www.nato.int/cps/en/natohq/official_texts_25468.htm", Text: "Paris, 27 May 1997."},
}

var links = [][2]string{
	{"the Archive's briefing book", "https://nsarchive.gwu.edu/briefing-book/russia-programs/2024-04-04/short-lived-nato-russia-honeymoon"},
	{"the treaty text", "https://www.nato.int/cps/en/natohq/official_texts_17120.htm"},
	{"this overview of START I", "https://en.wikipedia.org/wiki/START_I"},
	{"the Fort Riley exercise report", "https://nsarchive.gwu.edu/"},
}

var mentionAsides = []string{
	"you asked about this last week.",
	"this is the passage I mentioned in class.",
	"does this match your reading of the memo?",
}
