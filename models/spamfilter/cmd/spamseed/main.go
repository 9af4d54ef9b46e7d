// Command spamseed learns the spam filter's shipped seed from the labelled
// corpora and writes it where the spamfilter package embeds it:
//
//	go run ./models/spamfilter/cmd/spamseed -data ../shared/spam -out models/spamfilter/seed.bin
//
// Every corpus is one group (see spamfilter.BuildSeed); nothing but the
// corpora of the -data directory is read.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"margin/models/spamfilter"
)

// Sources are the corpora of ../shared/spam, one group each.
var Sources = []string{
	"youtube/Youtube01-Psy.csv", "youtube/Youtube02-KatyPerry.csv", "youtube/Youtube03-LMFAO.csv",
	"sms/SMSSpamCollection",
	"extra/stackexchange-spam.csv", "extra/instagram-scamspot.csv",
	"extra/docusign-forum-ham.csv", "extra/foxnews-comments-ham.csv",
}

func main() {
	dir := flag.String("data", "../shared/spam", "directory of the labelled corpora")
	out := flag.String("out", "models/spamfilter/seed.bin", "file to write")
	flag.Parse()
	var groups []spamfilter.Group
	for _, f := range Sources {
		ex, err := spamfilter.ReadFile(filepath.Join(*dir, f))
		if err != nil {
			fmt.Fprintln(os.Stderr, "spamseed:", err)
			os.Exit(1)
		}
		groups = append(groups, spamfilter.Group{Name: f, Examples: ex})
	}
	seed := spamfilter.BuildSeed(groups, spamfilter.DefaultSeedOptions)
	w, err := os.Create(*out)
	if err == nil {
		err = spamfilter.WriteSeed(w, seed)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "spamseed:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d features, %.0f spam and %.0f genuine messages' worth\n", *out, len(seed.Counts), seed.SpamDocs, seed.HamDocs)
}
