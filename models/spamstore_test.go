package models_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/spamfilter"
)

var spamExamples = []spamfilter.Example{
	{Text: "Check out my channel and subscribe http://bit.ly/promo", Spam: true},
	{Text: "SUBSCRIBE to my channel please!!! www.mychannel.com", Spam: true},
	{Text: "Visit my website for free gift cards http://free-gifts.ru/x", Spam: true},
	{Text: "Free money, click here http://bit.ly/cash", Spam: true},
	{Text: "The treaty was signed in Washington in April 1949.", Spam: false},
	{Text: "This passage understates how contested the enlargement was.", Spam: false},
	{Text: "Who attended the meeting? The source does not say.", Spam: false},
	{Text: "Compare article 5 with the Rio treaty of 1947.", Spam: false},
}

// The database store must behave exactly like the reference MemoryStore:
// same totals, same counts, same scores, and unlearning leaves it empty.
func TestSpamStoreMatchesMemoryStore(t *testing.T) {
	db := modeltest.Open(t)
	mem := spamfilter.NewMemoryStore()
	store := models.NewSpamStore(db)
	for _, c := range []*spamfilter.Classifier{spamfilter.New(mem), spamfilter.New(store)} {
		if err := c.LearnAll(spamExamples); err != nil {
			t.Fatal(err)
		}
	}
	ms, mh, _ := mem.Totals()
	ds, dh, err := store.Totals()
	if err != nil || ds != ms || dh != mh || ds != 4 {
		t.Fatalf("totals: db %d/%d (%v), memory %d/%d", ds, dh, err, ms, mh)
	}
	var features []string
	mem.Each(func(f string, _ spamfilter.Counts) { features = append(features, f) })
	got, err := store.Lookup(append(features, "w:never-seen"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(features) {
		t.Fatalf("lookup found %d features, want %d", len(got), len(features))
	}
	want, _ := mem.Lookup(features)
	for f, c := range want {
		if got[f] != c {
			t.Errorf("%s: db %+v, memory %+v", f, got[f], c)
		}
	}
	for _, text := range []string{"subscribe to my channel http://bit.ly/x", "The treaty of 1949 and its article 5"} {
		a, _, _ := spamfilter.New(mem).Score(text)
		b, _, err := spamfilter.New(store).Score(text)
		if err != nil || a != b {
			t.Errorf("score of %q: db %v (%v), memory %v", text, b, err, a)
		}
	}
	// Unlearning what was never learnt changes nothing.
	c := spamfilter.New(store)
	if err := c.Unlearn("a text never learnt at all", true); !errors.Is(err, spamfilter.ErrNegativeCount) {
		t.Fatalf("unlearning an unknown text: %v, want ErrNegativeCount", err)
	}
	if s, _, _ := store.Totals(); s != 4 {
		t.Fatalf("a refused unlearn changed the totals to %d", s)
	}
	for _, e := range spamExamples {
		if err := c.Unlearn(e.Text, e.Spam); err != nil {
			t.Fatal(err)
		}
	}
	info, err := models.SpamModelInfo(db)
	if err != nil || info.SpamDocs != 0 || info.HamDocs != 0 || info.Features != 0 {
		t.Fatalf("after unlearning everything: %+v %v", info, err)
	}
}

// Concurrent learners must not lose increments (one transaction each, with
// atomic upserts), on SQLite and on PostgreSQL.
func TestSpamStoreConcurrentLearning(t *testing.T) {
	db := modeltest.Open(t)
	const workers, each = 6, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := models.NewClassifier(db)
			for i := range each {
				errs <- c.Learn(fmt.Sprintf("shared words in every message, worker %d item %d", w, i), w%2 == 0)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	spam, ham, _ := models.NewSpamStore(db).Totals()
	counts, _ := models.NewSpamStore(db).Lookup([]string{"w:shared", "b:every message"})
	if spam != 15 || ham != 15 || counts["w:shared"] != (spamfilter.Counts{Spam: 15, Ham: 15}) || counts["b:every message"].Spam != 15 {
		t.Fatalf("after %d concurrent learns: totals %d/%d, counts %+v", workers*each, spam, ham, counts)
	}
}

func TestMergeAndResetSpamModel(t *testing.T) {
	db := modeltest.Open(t)
	mem := spamfilter.NewMemoryStore()
	if err := spamfilter.New(mem).LearnAll(spamExamples); err != nil {
		t.Fatal(err)
	}
	for range 2 { // merging twice doubles every count
		if err := models.MergeSpamModel(db, mem); err != nil {
			t.Fatal(err)
		}
	}
	counts, _ := models.NewSpamStore(db).Lookup([]string{"w:subscribe"})
	memCounts, _ := mem.Lookup([]string{"w:subscribe"})
	if counts["w:subscribe"].Spam != 2*memCounts["w:subscribe"].Spam || counts["w:subscribe"].Spam == 0 {
		t.Fatalf("merged counts %+v, memory %+v", counts, memCounts)
	}
	info, _ := models.SpamModelInfo(db)
	if info.SpamDocs != 8 || info.HamDocs != 8 || info.Features != int64(mem.Len()) || info.FeatureVersion != spamfilter.FeatureVersion {
		t.Fatalf("after two merges: %+v", info)
	}
	if err := models.ResetSpamModel(db); err != nil {
		t.Fatal(err)
	}
	if info, _ := models.SpamModelInfo(db); info != (models.SpamModelStats{FeatureVersion: spamfilter.FeatureVersion}) {
		t.Fatalf("after reset: %+v", info)
	}
}

// Two instances share one database, each with the counts it has read in
// memory: whatever one learns, unlearns or resets, the other's next score
// is the score of the stored model, as a store that keeps nothing in
// memory gives it.
func TestSpamScoresExactAcrossInstances(t *testing.T) {
	dbs := modeltest.OpenShared(t, 2)
	scorer, learner := models.NewClassifier(dbs[0]), models.NewClassifier(dbs[1])
	texts := []string{"Check out my channel and subscribe http://bit.ly/promo", "Compare article 5 with the Rio treaty of 1947.",
		"free gift cards for everyone who subscribes", "Who drafted this article?"}
	check := func(stage string) {
		t.Helper()
		for _, text := range texts {
			for range 2 { // the second time from memory
				got, _, err := scorer.Score(text)
				if err != nil {
					t.Fatal(err)
				}
				// A store inside a transaction keeps nothing in memory.
				var want float64
				dbs[0].Transaction(func(tx *gorm.DB) error {
					want, _, err = models.NewClassifier(tx).Score(text)
					return err
				})
				if got != want {
					t.Errorf("%s: %q scored %v, the stored model gives %v", stage, text, got, want)
				}
			}
		}
	}
	check("untrained")
	if err := learner.LearnAll(spamExamples); err != nil {
		t.Fatal(err)
	}
	check("trained")
	learner.Learn("free gift cards for everyone who subscribes", true)
	check("after learning a spam")
	learner.Unlearn("free gift cards for everyone who subscribes", true)
	learner.Learn("free gift cards for everyone who subscribes", false)
	check("after a changed verdict")
	if err := models.ResetSpamModel(dbs[1]); err != nil {
		t.Fatal(err)
	}
	check("after reset")
	learner.Learn("Who drafted this article?", true)
	learner.Learn("Compare article 5 with the Rio treaty of 1947.", false)
	check("retrained")
}

// Counts learnt under another feature vocabulary are not used, and not
// added to, until the model is reset.
func TestSpamModelFromAnotherVocabulary(t *testing.T) {
	db := modeltest.Open(t)
	c := models.NewClassifier(db)
	for _, e := range spamExamples {
		if err := c.Learn(e.Text, e.Spam); err != nil {
			t.Fatal(err)
		}
	}
	db.Model(&models.SpamTotal{}).Where("id = 1").Update("feature_version", spamfilter.FeatureVersion+1)
	// Only the seed shipped in the binary is heard.
	seedOnly := &spamfilter.Classifier{Store: spamfilter.NewMemoryStore(), Seed: spamfilter.DefaultSeed()}
	want, _, _ := seedOnly.Score("subscribe to my channel")
	if p, reasons, _ := c.Score("subscribe to my channel"); p != want {
		t.Errorf("scored %v %q with a foreign model, want the seed's %v", p, reasons, want)
	}
	bare := &spamfilter.Classifier{Store: models.NewSpamStore(db)}
	if p, reasons, _ := bare.Score("subscribe to my channel"); p != 0.5 || reasons[0] != "classifier untrained" {
		t.Errorf("scored %v %q with a foreign model and no seed", p, reasons)
	}
	if err := c.Learn("more spam http://bit.ly/x", true); !errors.Is(err, models.ErrSpamModelVersion) {
		t.Errorf("learning into a foreign model: %v", err)
	}
}

// youtubeCorpus reads the shared YouTube corpora, or skips.
func youtubeCorpus(t testing.TB, names ...string) []spamfilter.Example {
	t.Helper()
	var out []spamfilter.Example
	for _, n := range names {
		path := filepath.Join("..", "..", "shared", "spam", "youtube", n)
		if _, err := os.Stat(path); err != nil {
			t.Skip("shared spam corpora not present")
		}
		ex, err := spamfilter.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ex...)
	}
	return out
}

func trainedDB(t testing.TB) (*spamfilter.Classifier, []spamfilter.Example) {
	train := youtubeCorpus(t, "Youtube01-Psy.csv", "Youtube02-KatyPerry.csv")
	test := youtubeCorpus(t, "Youtube03-LMFAO.csv")
	db := modeltest.Open(t)
	mem := spamfilter.NewMemoryStore()
	if err := spamfilter.New(mem).LearnAll(train); err != nil {
		t.Fatal(err)
	}
	if err := models.MergeSpamModel(db, mem); err != nil {
		t.Fatal(err)
	}
	return models.NewClassifier(db), test
}

// Scoring a note against the database model takes under a millisecond on
// average (the budget), measured on real comments. The best of
// three passes is taken, so that other processes on a busy machine do not
// decide the outcome.
func TestScoreSpeedWithDatabaseStore(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	c, test := trainedDB(t)
	best := time.Hour
	for range 3 {
		start := time.Now()
		for _, e := range test {
			if _, _, err := c.Score(e.Text); err != nil {
				t.Fatal(err)
			}
		}
		best = min(best, time.Since(start)/time.Duration(len(test)))
	}
	t.Logf("%v per comment (%d comments, %s)", best, len(test), map[bool]string{true: "PostgreSQL", false: "SQLite"}[modeltest.UsePostgres()])
	if best > time.Millisecond {
		t.Errorf("scoring takes %v per comment, budget 1ms", best)
	}
}

func BenchmarkScoreDatabaseStore(b *testing.B) {
	c, test := trainedDB(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := c.Score(test[i%len(test)].Text); err != nil {
			b.Fatal(err)
		}
	}
}
