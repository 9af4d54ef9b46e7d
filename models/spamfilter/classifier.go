package spamfilter

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// DefaultThreshold is the spam probability at or above which a message is
// treated as spam (held for a moderator). Scores are calibrated (see
// calibrate): 0.58 means that about six in ten messages scored so were spam, in
// the leave-one-source-out runs of docs/spam-eval.md with both classes
// weighed alike. It sits above the middle because hiding a genuine comment
// costs more than letting a spam through to the moderators; it was chosen
// as the threshold that keeps genuine comments held under 3% on every
// source of two classes left out while video comments keep an F1 near 0.9.
const DefaultThreshold = 0.58

// calibrationSlope and calibrationOffset map the combined evidence onto a
// probability, σ(slope·logit(p) + offset): a logistic fit (Platt scaling)
// of the leave-one-source-out scores of the sources that hold both
// classes, for the messages with a signal (the others never reach a
// hold), each source and class weighing alike. Chi-squared combining is
// sure of itself; the fit tempers it.
const (
	calibrationSlope  = 0.599
	calibrationOffset = 0.234
)

func calibrate(p float64) float64 {
	p = math.Min(math.Max(p, 1e-9), 1-1e-9)
	return 1 / (1 + math.Exp(-(calibrationSlope*math.Log(p/(1-p)) + calibrationOffset)))
}

const (
	// strength is how many sightings' worth of weight the neutral prior
	// (0.5) has against a feature's own counts (Robinson's s).
	strength = 1.0
	// minDeviation leaves out features whose probability lies this close
	// to 0.5: they say little and would only dilute the combined score.
	minDeviation = 0.1
	// maxClues is how many of the most telling features are combined; a
	// long message's remaining features mostly repeat them.
	maxClues   = 150
	maxReasons = 4
	// lengthBits reserved features hold the binary digits of a learnt
	// message's number of features; 2^lengthBits exceeds any message's.
	lengthBits   = 24
	prefixLength = "#features-bit:"
)

// lengthFeatures are the reserved features whose counts, weighted by
// powers of two, give how many features were learnt from each class. A
// feature's evidence is its rate per feature learnt rather than per
// message learnt; otherwise every common word would look like spam,
// spam being longer than ham.
var lengthFeatures = func() []string {
	fs := make([]string, lengthBits)
	for b := range fs {
		fs[b] = prefixLength + strconv.Itoa(b)
	}
	return fs
}()

// Classifier scores messages against the counts in its Store and learns
// from verdicts. It holds no state of its own, so any number of classifiers
// (in any number of processes) may share one store. A Seed, when set, is
// counted under the store's own counts, each message learnt by the store
// weighing SiteWeight seed messages.
type Classifier struct {
	Store Store
	Seed  *Seed
}

// SiteWeight is how many seed messages one message a site learnt weighs:
// a moderator's decision is about this site's comments, the seed about
// other sites'.
const SiteWeight = 8.0

// New returns a Classifier backed by store.
func New(store Store) *Classifier { return &Classifier{Store: store} }

// Learn records text as spam or ham.
func (c *Classifier) Learn(text string, spam bool) error {
	return c.Store.Add(learnedFeatures(text), spam, 1)
}

// Unlearn takes back an earlier Learn of text with the same label, for a
// moderator who changes a verdict.
func (c *Classifier) Unlearn(text string, spam bool) error {
	return c.Store.Add(learnedFeatures(text), spam, -1)
}

// learnedFeatures is what a message adds to the store: its features and
// the binary digits of their number, as reserved features. Unlearning the
// same text removes exactly the same ones.
func learnedFeatures(text string) []string {
	features := Features(text)
	n := len(features)
	for b := 0; b < lengthBits; b++ {
		if n>>b&1 == 1 {
			features = append(features, lengthFeatures[b])
		}
	}
	return features
}

// LearnAll learns every example, to seed a store from a labelled corpus. A
// text repeated in the corpus is learnt once: a spammer posting the same
// message fifty times should not make each of its words fifty times more
// telling.
func (c *Classifier) LearnAll(examples []Example) error {
	seen := make(map[string]bool, len(examples))
	for _, e := range examples {
		key := strconv.FormatBool(e.Spam) + "\x00" + strings.Join(Features(e.Text), "\x00")
		if seen[key] {
			continue
		}
		seen[key] = true
		if err := c.Learn(e.Text, e.Spam); err != nil {
			return fmt.Errorf("learning %s: %w", e.Source, err)
		}
	}
	return nil
}

// clue is one feature's evidence: the probability that a message holding
// it is spam.
type clue struct {
	feature string
	prob    float64
}

// Score returns the probability that text is spam, in [0, 1], with a few
// short reasons: the classifier's figure first, then the features that
// weighed most in the direction of the verdict. Until the store (or the
// seed) has learnt at least one spam and one ham message every score is
// 0.5, with the reason "classifier untrained". A message that looks like
// nothing learnt, too few of its features known, scores 0.5 too: the
// classifier abstains rather than guess.
func (c *Classifier) Score(text string) (float64, []string, error) {
	return c.ScoreFeatures(Features(text))
}

// ScoreFeatures is Score for a message already turned into its features.
func (c *Classifier) ScoreFeatures(features []string) (float64, []string, error) {
	untrained := []string{"classifier untrained"}
	siteSpam, siteHam, siteCounts, err := c.read(features)
	if err != nil {
		return 0, nil, err
	}
	m := c.merge(features, siteSpam, siteHam, siteCounts)
	if m.spamDocs <= 0 || m.hamDocs <= 0 || m.spamFeatures <= 0 || m.hamFeatures <= 0 {
		return 0.5, untrained, nil
	}
	clues, known := strongestClues(features, m.counts, m.spamFeatures, m.hamFeatures)
	if known < minKnown {
		return 0.5, []string{abstains}, nil
	}
	prob := calibrate(fisherCombine(clues))
	out := reasons(prob, clues)
	if prob > unsignalled && !HasSignal(features) {
		// Odd words alone never hold a note: it must ask something of its
		// readers (go to a link, call, write, pay) or hide how to reach
		// its author.
		out[0] = fmt.Sprintf("classifier %.2f, lowered to %.2f: no link, contact or call to action", prob, unsignalled)
		prob = unsignalled
	}
	return prob, out, nil
}

// unsignalled is the highest score of a message without any signal (see
// isSignal): under every hold threshold that makes sense.
const unsignalled = 0.5

// abstains is the reason given for a message the classifier will not judge.
const abstains = "classifier abstains: unlike what it has learnt"

// minKnown is how many of a message's features the model must know well
// before it judges the message.
const minKnown = 2

// merged is the evidence of the store and the seed together.
type merged struct {
	spamDocs, hamDocs, spamFeatures, hamFeatures float64
	counts                                       map[string]Weighted
}

func (c *Classifier) merge(features []string, siteSpam, siteHam int64, siteCounts map[string]Counts) merged {
	m := merged{counts: make(map[string]Weighted, len(features))}
	w := 1.0
	if c.Seed != nil {
		w = SiteWeight
	}
	if siteSpam > 0 || siteHam > 0 {
		sf, hf := learnedLength(siteCounts)
		m.spamDocs, m.hamDocs = w*float64(siteSpam), w*float64(siteHam)
		m.spamFeatures, m.hamFeatures = w*sf, w*hf
		for _, f := range features {
			if n, ok := siteCounts[f]; ok {
				m.counts[f] = Weighted{w * float64(n.Spam), w * float64(n.Ham)}
			}
		}
	}
	if s := c.Seed; s != nil {
		m.spamDocs += s.SpamDocs
		m.hamDocs += s.HamDocs
		m.spamFeatures += s.SpamFeatures
		m.hamFeatures += s.HamFeatures
		for _, f := range features {
			if n, ok := s.Counts[f]; ok {
				x := m.counts[f]
				m.counts[f] = Weighted{x.Spam + n.Spam, x.Ham + n.Ham}
			}
		}
	}
	return m
}

// read fetches the totals and the counts of features and of the reserved
// length features, in one read when the store is a Snapshotter.
func (c *Classifier) read(features []string) (spamDocs, hamDocs int64, counts map[string]Counts, err error) {
	wanted := make([]string, 0, len(features)+len(lengthFeatures))
	wanted = append(append(wanted, features...), lengthFeatures...)
	if s, ok := c.Store.(Snapshotter); ok {
		spamDocs, hamDocs, counts, err = s.Snapshot(wanted)
		if err != nil {
			err = fmt.Errorf("spam model: %w", err)
		}
		return spamDocs, hamDocs, counts, err
	}
	if spamDocs, hamDocs, err = c.Store.Totals(); err != nil {
		return 0, 0, nil, fmt.Errorf("spam totals: %w", err)
	}
	if spamDocs <= 0 || hamDocs <= 0 {
		return spamDocs, hamDocs, nil, nil
	}
	if counts, err = c.Store.Lookup(wanted); err != nil {
		return 0, 0, nil, fmt.Errorf("spam feature counts: %w", err)
	}
	return spamDocs, hamDocs, counts, nil
}

// learnedLength decodes the reserved length features.
func learnedLength(counts map[string]Counts) (spam, ham float64) {
	for b, f := range lengthFeatures {
		n := counts[f]
		spam += float64(n.Spam) * float64(int64(1)<<b)
		ham += float64(n.Ham) * float64(int64(1)<<b)
	}
	return spam, ham
}

// strongestClues turns counts into per-feature spam probabilities and
// keeps the most telling, strongest first, with how many of the features
// the model knows well (seen at least knownSeen times). A feature's rate
// in each class is its count over the features learnt in that class, which
// makes the classes comparable whatever their sizes and message lengths;
// the probability is drawn towards 0.5 the fewer times the feature was
// seen (Robinson's smoothing), so a word met once is weak evidence.
// Courtesy ("please", "thank you", a leading "hi") never counts as spam.
func strongestClues(features []string, counts map[string]Weighted, spamFeatures, hamFeatures float64) ([]clue, int) {
	clues := make([]clue, 0, len(features))
	known := 0
	for _, f := range features {
		n, ok := counts[f]
		if !ok {
			continue
		}
		spamRate, hamRate := n.Spam/spamFeatures, n.Ham/hamFeatures
		if spamRate+hamRate == 0 {
			continue
		}
		p := spamRate / (spamRate + hamRate)
		seen := n.Spam + n.Ham
		if seen >= knownSeen && (lexical(f) || isSignal(f)) {
			known++
		}
		prob := (strength*0.5 + seen*p) / (strength + seen)
		if prob > 0.5 && isCourtesy(f) {
			continue
		}
		if math.Abs(prob-0.5) >= minDeviation {
			clues = append(clues, clue{f, prob})
		}
	}
	sort.Slice(clues, func(i, j int) bool {
		di, dj := math.Abs(clues[i].prob-0.5), math.Abs(clues[j].prob-0.5)
		if di != dj {
			return di > dj
		}
		return clues[i].feature < clues[j].feature
	})
	if len(clues) > maxClues {
		clues = clues[:maxClues]
	}
	return clues, known
}

// knownSeen is how many (weighted) sightings make a feature known.
const knownSeen = 3.0

// fisherCombine is Robinson's chi-squared combining, as in SpamBayes: how
// unlikely the clues would be if they were random, tested once for spam
// and once for ham, the two verdicts averaged. Many weak clues in
// agreement add up; evidence split both ways comes out near 0.5.
func fisherCombine(clues []clue) float64 {
	if len(clues) == 0 {
		return 0.5
	}
	var lnSpam, lnHam float64
	for _, c := range clues {
		lnSpam += math.Log(c.prob)
		lnHam += math.Log1p(-c.prob)
	}
	dof := 2 * len(clues)
	spamminess := 1 - chi2Q(-2*lnHam, dof)
	hamminess := 1 - chi2Q(-2*lnSpam, dof)
	return (spamminess - hamminess + 1) / 2
}

// chi2Q is the probability that a chi-squared variable with dof (even)
// degrees of freedom exceeds x2, summed in log space so that large
// statistics do not underflow.
func chi2Q(x2 float64, dof int) float64 {
	m := x2 / 2
	if m <= 0 {
		return 1
	}
	logM := math.Log(m)
	logTerm := -m
	logSum := logTerm
	for i := 1; i < dof/2; i++ {
		logTerm += logM - math.Log(float64(i))
		logSum = logAddExp(logSum, logTerm)
	}
	return math.Min(math.Exp(logSum), 1)
}

func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// reasons explains a score: the figure itself, then the strongest clues
// that agree with it, described in words a moderator can read.
func reasons(prob float64, clues []clue) []string {
	out := []string{fmt.Sprintf("classifier %.2f", prob)}
	spammy := prob >= 0.5
	for _, c := range clues {
		if len(out) > maxReasons {
			break
		}
		if (c.prob >= 0.5) != spammy {
			continue
		}
		out = append(out, fmt.Sprintf("%s (%.2f)", describe(c.feature), c.prob))
	}
	return out
}

// describe words a feature for a person.
func describe(feature string) string {
	for _, p := range []struct{ prefix, format string }{
		{prefixWord, "word %q"},
		{prefixBigram, "phrase %q"},
		{prefixFirst, "starts with %q"},
		{prefixHost, "link to %s"},
		{prefixDomain, "link to %s"},
	} {
		if rest, ok := strings.CutPrefix(feature, p.prefix); ok {
			return fmt.Sprintf(p.format, rest)
		}
	}
	// count features read as they are, once spaced: "links: 2"
	return strings.Replace(feature, ":", ": ", 1)
}
