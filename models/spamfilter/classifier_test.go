package spamfilter

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var tinyCorpus = []Example{
	{Text: "Check out my channel and subscribe http://bit.ly/promo", Spam: true},
	{Text: "SUBSCRIBE to my channel please!!! www.mychannel.com", Spam: true},
	{Text: "Visit my website for free gift cards http://free-gifts.ru/x", Spam: true},
	{Text: "check out my new video, please subscribe and like", Spam: true},
	{Text: "Free money, click here http://bit.ly/cash", Spam: true},
	{Text: "I love this song so much", Spam: false},
	{Text: "This song brings back memories of summer", Spam: false},
	{Text: "Who is still listening in 2015?", Spam: false},
	{Text: "The dance in this video is amazing lol", Spam: false},
	{Text: "best song ever, her voice is beautiful", Spam: false},
}

func trained(t testing.TB, examples []Example) (*Classifier, *MemoryStore) {
	t.Helper()
	store := NewMemoryStore()
	c := New(store)
	if err := c.LearnAll(examples); err != nil {
		t.Fatal(err)
	}
	return c, store
}

func TestScoreUntrained(t *testing.T) {
	c := New(NewMemoryStore())
	must(t, c.Learn("only spam so far http://x.com", true))
	prob, reasons, err := c.Score("anything")
	must(t, err)
	if prob != 0.5 || len(reasons) != 1 || reasons[0] != "classifier untrained" {
		t.Errorf("Score = %v, %q; want 0.5, [classifier untrained]", prob, reasons)
	}
}

func TestScoreSeparatesAndExplains(t *testing.T) {
	c, _ := trained(t, tinyCorpus)
	spamProb, spamReasons, err := c.Score("please subscribe to my channel http://bit.ly/new")
	must(t, err)
	hamProb, hamReasons, err := c.Score("I love her voice in this song")
	must(t, err)
	if spamProb < DefaultThreshold || hamProb >= DefaultThreshold {
		t.Errorf("spam scored %.3f, ham %.3f; threshold %.2f", spamProb, hamProb, DefaultThreshold)
	}
	for _, reasons := range [][]string{spamReasons, hamReasons} {
		if len(reasons) < 2 || len(reasons) > 1+maxReasons || !strings.HasPrefix(reasons[0], "classifier ") {
			t.Errorf("reasons %q: want \"classifier x.xx\" and 1 to %d signals", reasons, maxReasons)
		}
	}
	joined := strings.Join(spamReasons, "; ")
	if !strings.Contains(joined, `"subscribe"`) && !strings.Contains(joined, "link to bit.ly") && !strings.Contains(joined, `"my channel"`) {
		t.Errorf("spam reasons %q name none of the obvious signals", spamReasons)
	}
	if strings.Contains(joined, prefixLength) {
		t.Errorf("reasons expose reserved features: %q", spamReasons)
	}
}

func TestLearnAllSkipsRepeats(t *testing.T) {
	once, _ := trained(t, tinyCorpus)
	repeated := append([]Example{}, tinyCorpus...)
	for range 20 {
		repeated = append(repeated, tinyCorpus[0])
	}
	twenty, _ := trained(t, repeated)
	a, _, _ := once.Score("check this out")
	b, _, _ := twenty.Score("check this out")
	if a != b {
		t.Errorf("repeating one message changed scores: %.4f vs %.4f", a, b)
	}
}

func TestEvaluateDoesNotChangeStore(t *testing.T) {
	c, store := trained(t, tinyCorpus)
	before := snap(t, store)
	m, err := Evaluate(c, tinyCorpus, DefaultThreshold)
	must(t, err)
	if m.TP+m.FP+m.TN+m.FN != len(tinyCorpus) {
		t.Errorf("confusion matrix %+v does not add up to %d", m, len(tinyCorpus))
	}
	if !snap(t, store).equal(before) {
		t.Error("Evaluate changed the store")
	}
}

func TestMetrics(t *testing.T) {
	m := MetricsOf(8, 2, 88, 2)
	want := Metrics{TP: 8, FP: 2, TN: 88, FN: 2, Precision: 0.8, Recall: 0.8, F1: 0.8, FPR: 2.0 / 90, Accuracy: 0.96}
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"precision", m.Precision, want.Precision}, {"recall", m.Recall, want.Recall}, {"F1", m.F1, want.F1},
		{"FPR", m.FPR, want.FPR}, {"accuracy", m.Accuracy, want.Accuracy},
	} {
		if math.Abs(f.got-f.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
	if zero := MetricsOf(0, 0, 0, 0); zero.F1 != 0 || zero.Precision != 0 || math.IsNaN(zero.FPR) {
		t.Errorf("empty matrix gives %+v", zero)
	}
	table := m.Table()
	for _, s := range []string{"called spam", "F1 0.800", "precision 0.800", "false-positive rate 0.022", " 88"} {
		if !strings.Contains(table, s) {
			t.Errorf("Table lacks %q:\n%s", s, table)
		}
	}
}

func TestChi2Q(t *testing.T) {
	// With two degrees of freedom the survival function is exp(-x/2).
	for _, x := range []float64{0.5, 3, 20} {
		if got, want := chi2Q(x, 2), math.Exp(-x/2); math.Abs(got-want) > 1e-12 {
			t.Errorf("chi2Q(%v, 2) = %v, want %v", x, got, want)
		}
	}
	// Mean of chi-squared is dof: Q there is a bit under one half.
	if q := chi2Q(300, 300); q < 0.4 || q > 0.55 {
		t.Errorf("chi2Q(300, 300) = %v", q)
	}
	if q := chi2Q(5000, 300); q != 0 && (math.IsNaN(q) || q > 1e-100) {
		t.Errorf("chi2Q(5000, 300) = %v, want about 0", q)
	}
}

// The labelled corpora of /work/shared; see docs/spam-eval.md.
const corpusDir = "../../../shared/spam"

func readCorpus(t testing.TB, path string) []Example {
	t.Helper()
	examples, err := ReadFile(filepath.Join(corpusDir, path))
	if err != nil {
		t.Fatal(err)
	}
	return examples
}

func skipWithoutCorpora(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("shared spam corpora absent:", corpusDir)
	}
}

func judge(t *testing.T, train, test []Example) Metrics {
	t.Helper()
	c, _ := trained(t, train)
	m, err := Evaluate(c, test, DefaultThreshold)
	must(t, err)
	t.Logf("\n%s", m.Table())
	return m
}

func TestQualityYouTubeAcrossVideos(t *testing.T) {
	skipWithoutCorpora(t)
	psy := readCorpus(t, "youtube/Youtube01-Psy.csv")
	katy := readCorpus(t, "youtube/Youtube02-KatyPerry.csv")
	lmfao := readCorpus(t, "youtube/Youtube03-LMFAO.csv")
	if len(psy) != 350 || len(katy) != 350 || len(lmfao) != 438 {
		t.Fatalf("read %d, %d, %d comments; want 350, 350, 438", len(psy), len(katy), len(lmfao))
	}
	cat := func(a, b []Example) []Example { return append(append([]Example{}, a...), b...) }

	// A store learnt from videos alone, without the seed: the round-one
	// acceptance split and its cross-checks. Issue 14 put genuine notes
	// first: calibrated scores, no hold without a signal and courtesy that
	// never counts as spam cost these in-domain figures a little recall
	// (F1 0.923 / 0.938 / 0.960 before) and took every false positive out.
	for _, x := range []struct {
		name        string
		train, test []Example
		f1          float64
	}{
		{"Psy+KatyPerry -> LMFAO", cat(psy, katy), lmfao, 0.90},
		{"Psy+LMFAO -> KatyPerry", cat(psy, lmfao), katy, 0.89},
		{"KatyPerry+LMFAO -> Psy", cat(katy, lmfao), psy, 0.93},
	} {
		m := judge(t, x.train, x.test)
		if m.F1 < x.f1 || m.FPR > 0.01 {
			t.Errorf("%s: F1 %.3f (want >= %.2f), FPR %.3f (want <= 0.01)", x.name, m.F1, x.f1, m.FPR)
		}
	}
}

func TestQualitySMS(t *testing.T) {
	skipWithoutCorpora(t)
	sms := readCorpus(t, "sms/SMSSpamCollection")
	if len(sms) != 5574 {
		t.Fatalf("read %d messages, want 5574", len(sms))
	}
	train, test := SplitEvery(sms, 10, 7)
	m := judge(t, train, test)
	if m.F1 < 0.91 || m.FPR > 0.005 {
		t.Errorf("SMS 70/30: F1 %.3f (want >= 0.91), FPR %.3f (want <= 0.005)", m.F1, m.FPR)
	}
}

func BenchmarkScore(b *testing.B) {
	skipWithoutCorpora(b)
	train := append(readCorpus(b, "youtube/Youtube01-Psy.csv"), readCorpus(b, "youtube/Youtube02-KatyPerry.csv")...)
	test := readCorpus(b, "youtube/Youtube03-LMFAO.csv")
	c, _ := trained(b, train)
	c.Seed = DefaultSeed() // as a site scores: its own counts over the shipped seed
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, _, err := c.Score(test[i%len(test)].Text); err != nil {
			b.Fatal(err)
		}
	}
}

// The leave-one-source-out table of docs/spam-eval.md, kept from
// regressing: every source judged by a seed learnt from all the others.
func TestQualityLeaveOneSourceOut(t *testing.T) {
	skipWithoutCorpora(t)
	if testing.Short() || os.Getenv("MARGIN_TEST_DB") == "postgres" {
		t.Skip("leave-one-source-out builds eight seeds: not in -short, nor again in the PostgreSQL pass (no database in it)")
	}
	files := []struct{ name, path string }{
		{"Psy", "youtube/Youtube01-Psy.csv"}, {"KatyPerry", "youtube/Youtube02-KatyPerry.csv"},
		{"LMFAO", "youtube/Youtube03-LMFAO.csv"}, {"SMS", "sms/SMSSpamCollection"},
		{"StackExchange", "extra/stackexchange-spam.csv"}, {"Instagram", "extra/instagram-scamspot.csv"},
		{"DocuSign", "extra/docusign-forum-ham.csv"}, {"FoxNews", "extra/foxnews-comments-ham.csv"},
	}
	var groups []Group
	for _, f := range files {
		groups = append(groups, Group{Name: f.name, Examples: readCorpus(t, f.path)})
	}
	results, err := LeaveOneSourceOut(groups, DefaultSeedOptions, DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	// Bars a little under the figures of docs/spam-eval.md. DocuSign's
	// 15.7% misses the 3%: with the one forum of genuine posts
	// left out, nothing learnt has their register (see the doc).
	want := map[string]struct{ minF1, maxFPR, minRecall float64 }{
		"Psy":           {0.88, 0.01, 0},
		"KatyPerry":     {0.86, 0.015, 0},
		"LMFAO":         {0.85, 0.015, 0},
		"SMS":           {0.76, 0.02, 0},
		"StackExchange": {0, 0, 0.43},
		"Instagram":     {0.24, 0.03, 0},
		"DocuSign":      {0, 0.17, 0},
		"FoxNews":       {0, 0.01, 0},
	}
	for _, r := range results {
		w := want[r.Name]
		m := r.Filter
		t.Logf("%s: F1 %.3f FPR %.3f recall %.3f; naive Bayes at the same FPR F1 %.3f", r.Name, m.F1, m.FPR, m.Recall, r.BaselineAtFilterFPR.F1)
		if m.F1 < w.minF1 || m.FPR > w.maxFPR || m.Recall < w.minRecall {
			t.Errorf("%s left out: F1 %.3f (want >= %.2f), FPR %.3f (want <= %.3f), recall %.3f (want >= %.2f)",
				r.Name, m.F1, w.minF1, m.FPR, w.maxFPR, m.Recall, w.minRecall)
		}
		if r.HasBothClasses && r.BaselineAtFilterFPR.F1 >= m.F1 {
			t.Errorf("%s: naive Bayes does as well at the same FPR (%.3f >= %.3f)", r.Name, r.BaselineAtFilterFPR.F1, m.F1)
		}
	}
}
