package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"gorm.io/gorm"

	"margin/models"
	"margin/models/spamfilter"
)

const spamUsage = `Usage: margin spam COMMAND [flags] [FILE...]

Commands:
  train FILE...   learn labelled messages into the spam model, adding to what it knows
  eval FILE...    score labelled messages against the model and print precision, recall, F1,
                  the false-positive rate and the confusion matrix, then the same as one JSON
                  line; the model is not changed
  stats           say what the model holds
  reset           forget everything the site's model learnt (moderators' decisions teach it
                  afresh; the seed shipped in the binary stays under it)
  purge           erase rejected and spam notes that no one restored within 30 days

Margin ships a seed model learnt from several kinds of site (video, SMS, forum, news and
social comments), used from the first note: a new site needs no training. What the site
learns (moderators' decisions, margin spam train) weighs 8 times a seed message, so the
site's own judgement takes over as it accumulates. Train only on labelled messages of
your own site: another site's comments teach its topics, not spam.

FILE is a YouTube Spam Collection CSV (a header with CONTENT and CLASS columns; CLASS 1 is
spam) or an SMS Spam Collection TSV (each line "ham" or "spam", a tab, the text); the format
is told by the first line. A text repeated within one training run is learnt once.

Every command reads -data / MARGIN_DATA and DATABASE_URL; margin spam COMMAND -h lists its flags.

  margin spam train my-site-labelled.csv
  margin spam eval ../shared/spam/youtube/Youtube03-LMFAO.csv
`

func spamCommand(e cliEnv, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprint(e.stdout, spamUsage)
		if len(args) == 0 {
			return errors.New("spam: a command is required")
		}
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "train":
		return spamTrain(e, args)
	case "eval":
		return spamEval(e, args)
	case "stats":
		return spamStats(e, args)
	case "reset":
		return spamReset(e, args)
	case "purge":
		return spamPurge(e, args)
	}
	fmt.Fprint(e.stderr, spamUsage)
	return fmt.Errorf("spam: unknown command %q", sub)
}

// readCorpora reads every labelled file, naming the one that fails.
func readCorpora(files []string) ([]spamfilter.Example, error) {
	var all []spamfilter.Example
	for _, f := range files {
		ex, err := spamfilter.ReadFile(f)
		if err != nil {
			return nil, err
		}
		all = append(all, ex...)
	}
	return all, nil
}

func spamTrain(e cliEnv, args []string) error {
	fs := newFlagSet(e, "spam train", "margin spam train [flags] FILE...",
		"Learns labelled messages into the spam model stored in the database, adding to what it\n"+
			"knows (run margin spam reset first to start afresh). Seed it with comments close to the\n"+
			"site's own, such as the YouTube corpora; moderators' decisions then teach it the rest.")
	var store storeFlags
	store.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("spam train: name at least one labelled file")
	}
	examples, err := readCorpora(fs.Args())
	if err != nil {
		return fmt.Errorf("spam train: %w", err)
	}
	// Learnt in memory first, then added to the stored counts in one
	// transaction: seconds instead of one transaction per message.
	mem := spamfilter.NewMemoryStore()
	if err := spamfilter.New(mem).LearnAll(examples); err != nil {
		return fmt.Errorf("spam train: %w", err)
	}
	db, err := store.open(e)
	if err != nil {
		return err
	}
	defer models.Close(db)
	if err := models.MergeSpamModel(db, mem); err != nil {
		return fmt.Errorf("spam train: %w", err)
	}
	spam, ham, _ := mem.Totals()
	fmt.Fprintf(e.stdout, "learnt %d spam and %d ham messages from %d file(s) (%d repeats skipped)\n",
		spam, ham, fs.NArg(), int64(len(examples))-spam-ham)
	return printModel(e, db)
}

func printModel(e cliEnv, db *gorm.DB) error {
	st, err := models.SpamModelInfo(db)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "the model holds %d spam and %d ham messages, %d features\n", st.SpamDocs, st.HamDocs, st.Features)
	if st.FeatureVersion != 0 && st.FeatureVersion != spamfilter.FeatureVersion {
		fmt.Fprintf(e.stdout, "it was learnt with feature vocabulary %d, this Margin uses %d: it scores as untrained until margin spam reset and train\n",
			st.FeatureVersion, spamfilter.FeatureVersion)
	}
	return nil
}

// evalResult is eval's JSON line.
type evalResult struct {
	Files     []string `json:"files"`
	Examples  int      `json:"examples"`
	Threshold float64  `json:"threshold"`
	TP        int      `json:"tp"`
	FP        int      `json:"fp"`
	TN        int      `json:"tn"`
	FN        int      `json:"fn"`
	Precision float64  `json:"precision"`
	Recall    float64  `json:"recall"`
	F1        float64  `json:"f1"`
	FPR       float64  `json:"fpr"`
	Accuracy  float64  `json:"accuracy"`
	MicrosPer float64  `json:"micros_per_message"`
}

func spamEval(e cliEnv, args []string) error {
	fs := newFlagSet(e, "spam eval", "margin spam eval [flags] FILE...",
		"Scores labelled messages against the stored spam model, without changing it, and prints\n"+
			"the confusion matrix, precision, recall, F1, false-positive rate and accuracy, then the\n"+
			"same figures as one JSON line. Spam is the positive class.")
	var store storeFlags
	store.register(fs)
	threshold := fs.Float64("threshold", spamfilter.DefaultThreshold, "spam probability from which a message counts as spam")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("spam eval: name at least one labelled file")
	}
	if *threshold <= 0 || *threshold > 1 {
		return fmt.Errorf("spam eval: -threshold must be in (0, 1], got %v", *threshold)
	}
	examples, err := readCorpora(fs.Args())
	if err != nil {
		return fmt.Errorf("spam eval: %w", err)
	}
	db, err := store.open(e)
	if err != nil {
		return err
	}
	defer models.Close(db)
	if st, err := models.SpamModelInfo(db); err != nil {
		return err
	} else if st.SpamDocs == 0 || st.HamDocs == 0 {
		return errors.New("spam eval: the model is untrained (it needs spam and ham): run margin spam train first")
	}
	start := time.Now()
	m, err := spamfilter.Evaluate(models.NewClassifier(db), examples, *threshold)
	if err != nil {
		return fmt.Errorf("spam eval: %w", err)
	}
	per := float64(time.Since(start).Microseconds()) / float64(max(len(examples), 1))
	fmt.Fprintf(e.stdout, "%d messages, threshold %.2f\n\n%s\n", len(examples), *threshold, m.Table())
	line, _ := json.Marshal(evalResult{Files: fs.Args(), Examples: len(examples), Threshold: *threshold,
		TP: m.TP, FP: m.FP, TN: m.TN, FN: m.FN, Precision: round3(m.Precision), Recall: round3(m.Recall),
		F1: round3(m.F1), FPR: round3(m.FPR), Accuracy: round3(m.Accuracy), MicrosPer: float64(int(per*10)) / 10})
	fmt.Fprintln(e.stdout, string(line))
	return nil
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

func spamStats(e cliEnv, args []string) error {
	fs := newFlagSet(e, "spam stats", "margin spam stats [flags]", "Says what the stored spam model holds.")
	var store storeFlags
	store.register(fs)
	db, err := store.parseAndOpen(e, fs, args)
	if err != nil {
		return err
	}
	defer models.Close(db)
	return printModel(e, db)
}

func spamReset(e cliEnv, args []string) error {
	fs := newFlagSet(e, "spam reset", "margin spam reset [flags]",
		"Forgets everything the spam model learnt, from training and from moderators' decisions.\n"+
			"Until it is trained again the classifier scores every note 0.5 and holds nothing.")
	var store storeFlags
	store.register(fs)
	db, err := store.parseAndOpen(e, fs, args)
	if err != nil {
		return err
	}
	defer models.Close(db)
	before, err := models.SpamModelInfo(db)
	if err != nil {
		return err
	}
	if err := models.ResetSpamModel(db); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "the spam model is empty (forgot %d spam and %d ham messages, %d features)\n",
		before.SpamDocs, before.HamDocs, before.Features)
	return nil
}

func spamPurge(e cliEnv, args []string) error {
	fs := newFlagSet(e, "spam purge", "margin spam purge [flags]",
		"Erases, for good, rejected and spam notes whose status has not changed for -older-than\n"+
			"(30 days by default): their text, quote, earlier versions, citations, screening, reactions\n"+
			"and notifications. Each keeps a row without content that no one sees, and its readers'\n"+
			"flags, so that authors' standing and flaggers' records stay as they were; the moderation\n"+
			"log keeps its entries. Also forgets the address, browser and referrer recorded with older\n"+
			"notes. Until then moderators can restore any of them. Run it daily, from cron or a timer.")
	var store storeFlags
	store.register(fs)
	olderThan := fs.Duration("older-than", 30*24*time.Hour, "purge what has been rejected or spam for longer than this")
	dryRun := fs.Bool("dry-run", false, "only count what would be purged")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *olderThan < 24*time.Hour {
		return fmt.Errorf("spam purge: -older-than %v is under a day; moderators need time to restore", *olderThan)
	}
	db, err := store.open(e)
	if err != nil {
		return err
	}
	defer models.Close(db)
	res, err := models.PurgeModerated(db, time.Now().UTC().Add(-*olderThan), *dryRun)
	if err != nil {
		return err
	}
	if *dryRun {
		fmt.Fprintf(e.stdout, "would purge %d note(s)\n", res.Annotations)
		return nil
	}
	fmt.Fprintf(e.stdout, "purged %d note(s); forgot the network details of %d older note(s)\n", res.Annotations, res.Scrubbed)
	return nil
}

// screenFlags are serve's settings of the spam check and of flags.
type screenFlags struct {
	holdNew, trustedAfter, flagThreshold int
	holdScore, spamScore                 float64
	akismetURL                           string
	envErr                               error
}

func (s *screenFlags) register(fs *flag.FlagSet) {
	envInt := func(key string, def int) int {
		v, err := strconv.Atoi(envOr(key, strconv.Itoa(def)))
		if err != nil {
			s.envErr = fmt.Errorf("%s must be a whole number", key)
			return def
		}
		return v
	}
	envFloat := func(key string, def float64) float64 {
		v, err := strconv.ParseFloat(envOr(key, strconv.FormatFloat(def, 'f', -1, 64)), 64)
		if err != nil {
			s.envErr = fmt.Errorf("%s must be a number", key)
			return def
		}
		return v
	}
	fs.IntVar(&s.holdNew, "hold-new", envInt("MARGIN_HOLD_NEW", 1), "hold a new account's notes until this many are approved; 0 turns it off (env MARGIN_HOLD_NEW)")
	fs.IntVar(&s.trustedAfter, "trusted-after", envInt("MARGIN_TRUSTED_AFTER", 3), "approved notes, with no spam, that make an author trusted (env MARGIN_TRUSTED_AFTER)")
	fs.IntVar(&s.flagThreshold, "flag-threshold", envInt("MARGIN_FLAG_THRESHOLD", 3), "readers' flags that hide a note until a moderator reviews it (env MARGIN_FLAG_THRESHOLD)")
	fs.Float64Var(&s.holdScore, "spam-hold-score", envFloat("MARGIN_SPAM_HOLD_SCORE", spamfilter.DefaultThreshold), "classifier score from which a note is held for review (env MARGIN_SPAM_HOLD_SCORE)")
	fs.Float64Var(&s.spamScore, "spam-score", envFloat("MARGIN_SPAM_SCORE", 0.9), "classifier score from which a note goes straight to spam (env MARGIN_SPAM_SCORE)")
	fs.StringVar(&s.akismetURL, "akismet-url", envOr("MARGIN_AKISMET_URL", models.AkismetDefaultURL), "Akismet endpoint, used when MARGIN_AKISMET_KEY is set (env MARGIN_AKISMET_URL)")
}

// config builds the spam check's settings. Akismet is used only when
// MARGIN_AKISMET_KEY is set: an API key is never a flag, so it stays out
// of shell history and process lists.
func (s *screenFlags) config(site string) (models.ScreenConfig, error) {
	if s.envErr != nil {
		return models.ScreenConfig{}, s.envErr
	}
	switch {
	case s.holdNew < 0, s.trustedAfter < 1, s.flagThreshold < 1:
		return models.ScreenConfig{}, errors.New("-hold-new must be 0 or more, -trusted-after and -flag-threshold 1 or more")
	case s.holdScore <= 0.5 || s.holdScore > 1 || s.spamScore < s.holdScore || s.spamScore > 1:
		return models.ScreenConfig{}, errors.New("need 0.5 < -spam-hold-score <= -spam-score <= 1")
	}
	cfg := models.ScreenConfig{NewAccountHeld: s.holdNew, TrustedAfter: s.trustedAfter, FlagThreshold: s.flagThreshold,
		HoldScore: s.holdScore, SpamScore: s.spamScore}
	if s.holdNew == 0 {
		cfg.NewAccountHeld = -1
	}
	if key := os.Getenv("MARGIN_AKISMET_KEY"); key != "" {
		cfg.Akismet = &models.Akismet{Key: key, BaseURL: s.akismetURL, Blog: site}
	}
	return cfg, nil
}
