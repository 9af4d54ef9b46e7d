package spamfilter

import (
	"fmt"
	"strings"
)

// Metrics is a confusion matrix, spam being the positive class, and the
// figures drawn from it.
type Metrics struct {
	TP, FP, TN, FN int
	Precision      float64 // of the messages called spam, the share that were
	Recall         float64 // of the spam, the share caught
	F1             float64
	FPR            float64 // of the ham, the share wrongly called spam
	Accuracy       float64
}

// Evaluate scores every example against c's store, calling it spam when its
// probability is at least threshold. It only reads the store.
func Evaluate(c *Classifier, examples []Example, threshold float64) (Metrics, error) {
	var m Metrics
	for _, e := range examples {
		prob, _, err := c.Score(e.Text)
		if err != nil {
			return Metrics{}, fmt.Errorf("scoring %s: %w", e.Source, err)
		}
		m.count(prob >= threshold, e.Spam)
	}
	m.compute()
	return m, nil
}

// MetricsOf computes the figures of a confusion matrix, for instance one
// pooled over the folds of a cross-validation.
func MetricsOf(tp, fp, tn, fn int) Metrics {
	m := Metrics{TP: tp, FP: fp, TN: tn, FN: fn}
	m.compute()
	return m
}

func (m *Metrics) count(predictedSpam, spam bool) {
	switch {
	case predictedSpam && spam:
		m.TP++
	case predictedSpam:
		m.FP++
	case spam:
		m.FN++
	default:
		m.TN++
	}
}

func (m *Metrics) compute() {
	m.Precision = ratio(m.TP, m.TP+m.FP)
	m.Recall = ratio(m.TP, m.TP+m.FN)
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	m.FPR = ratio(m.FP, m.FP+m.TN)
	m.Accuracy = ratio(m.TP+m.TN, m.TP+m.FP+m.TN+m.FN)
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Table renders the confusion matrix and the figures as plain text.
func (m Metrics) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %14s %14s\n", "", "called spam", "called ham")
	fmt.Fprintf(&b, "%-12s %14d %14d\n", "spam", m.TP, m.FN)
	fmt.Fprintf(&b, "%-12s %14d %14d\n", "ham", m.FP, m.TN)
	fmt.Fprintf(&b, "precision %.3f  recall %.3f  F1 %.3f  false-positive rate %.3f  accuracy %.3f\n",
		m.Precision, m.Recall, m.F1, m.FPR, m.Accuracy)
	return b.String()
}

// SplitEvery divides examples deterministically by position: the ones
// whose index modulo mod is below keep train, the rest test. SplitEvery(x,
// 10, 7) gives a 70/30 split that keeps the corpus's order.
func SplitEvery(examples []Example, mod, keep int) (train, test []Example) {
	for i, e := range examples {
		if i%mod < keep {
			train = append(train, e)
		} else {
			test = append(test, e)
		}
	}
	return train, test
}
