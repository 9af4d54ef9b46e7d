package spamfilter

import (
	"math"
	"sort"
	"strings"
)

// NaiveBayes is the plain baseline the filter is measured against: a
// multinomial naive Bayes over word unigrams and bigrams, Laplace
// smoothing, trained on the examples as they come (no weighting, no
// seed, no signals).
type NaiveBayes struct {
	counts     map[string][2]float64 // [ham, spam]
	total      [2]float64            // tokens per class
	docs       [2]float64
	vocabulary float64
}

func baselineTokens(features []string) []string {
	var out []string
	for _, f := range features {
		if strings.HasPrefix(f, prefixWord) || strings.HasPrefix(f, prefixBigram) {
			out = append(out, f)
		}
	}
	return out
}

// TrainNaiveBayes learns the baseline from examples.
func TrainNaiveBayes(examples []Featured) *NaiveBayes {
	nb := &NaiveBayes{counts: map[string][2]float64{}}
	for _, e := range examples {
		c := b2i(e.Spam)
		nb.docs[c]++
		for _, f := range baselineTokens(e.Features) {
			n := nb.counts[f]
			n[c]++
			nb.counts[f] = n
			nb.total[c]++
		}
	}
	nb.vocabulary = float64(len(nb.counts))
	return nb
}

// Score is the baseline's probability of spam.
func (nb *NaiveBayes) Score(features []string) float64 {
	if nb.docs[0] == 0 || nb.docs[1] == 0 {
		return 0.5
	}
	logOdds := math.Log(nb.docs[1]) - math.Log(nb.docs[0])
	for _, f := range baselineTokens(features) {
		n := nb.counts[f]
		logOdds += math.Log((n[1]+1)/(nb.total[1]+nb.vocabulary)) - math.Log((n[0]+1)/(nb.total[0]+nb.vocabulary))
	}
	return 1 / (1 + math.Exp(-logOdds))
}

// SourceResult is one row of a leave-one-source-out run: the filter at
// its threshold, and the baseline at 0.5 and at the filter's
// false-positive rate (where the judged source has both classes).
type SourceResult struct {
	Name                string
	Filter              Metrics
	Baseline            Metrics // at 0.5
	BaselineAtFilterFPR Metrics // thresholded to let no more genuine notes through than the filter
	HasBothClasses      bool
}

// LeaveOneSourceOut judges every group by a seed built from all the others
// (and an empty site store), as a new site would meet comments of a kind
// it never saw.
func LeaveOneSourceOut(groups []Group, opts SeedOptions, threshold float64) ([]SourceResult, error) {
	featured := make([][]Featured, len(groups))
	for gi, g := range groups {
		for _, e := range g.Examples {
			featured[gi] = append(featured[gi], Featured{Features(e.Text), e.Spam})
		}
	}
	var out []SourceResult
	for j := range groups {
		var others [][]Featured
		var flat []Featured
		for i, f := range featured {
			if i != j {
				others = append(others, f)
				flat = append(flat, f...)
			}
		}
		c := &Classifier{Store: NewMemoryStore(), Seed: BuildSeedFeatured(others, opts)}
		nb := TrainNaiveBayes(flat)
		r := SourceResult{Name: groups[j].Name}
		var hamNB []float64
		nbScores := make([]float64, len(featured[j]))
		var classes [2]bool
		for k, e := range featured[j] {
			p, _, err := c.ScoreFeatures(e.Features)
			if err != nil {
				return nil, err
			}
			r.Filter.count(p >= threshold, e.Spam)
			nbScores[k] = nb.Score(e.Features)
			r.Baseline.count(nbScores[k] >= 0.5, e.Spam)
			if !e.Spam {
				hamNB = append(hamNB, nbScores[k])
			}
			classes[b2i(e.Spam)] = true
		}
		r.HasBothClasses = classes[0] && classes[1]
		r.Filter.compute()
		r.Baseline.compute()
		if r.HasBothClasses {
			// the baseline calls spam only what scores above the
			// (FP+1)-th highest genuine score
			sort.Sort(sort.Reverse(sort.Float64Slice(hamNB)))
			cut := hamNB[min(r.Filter.FP, len(hamNB)-1)]
			for k, e := range featured[j] {
				r.BaselineAtFilterFPR.count(nbScores[k] > cut, e.Spam)
			}
			r.BaselineAtFilterFPR.compute()
		}
		out = append(out, r)
	}
	return out, nil
}
