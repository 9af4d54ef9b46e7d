package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"margin/models"
	"margin/models/passhash"
	"margin/models/spamfilter"
)

const (
	youtubeSample = "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n" +
		"1,a,2014-01-01,Check out my channel and subscribe http://bit.ly/promo,1\n" +
		"2,b,2014-01-01,\"SUBSCRIBE to my channel please!!! www.mychannel.com\",1\n" +
		"3,c,2014-01-01,I love this song so much,0\n" +
		"4,d,2014-01-01,\"This song brings back memories, of summer\",0\n" +
		"5,a,2014-01-01,Check out my channel and subscribe http://bit.ly/promo,1\n"
	smsSample = "spam\tFree entry to win a prize, text WIN to 80086 now\n" +
		"ham\tSee you at the station at six\n" +
		"ham\tDid you finish the reading for class?\n"
)

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func modelOf(t *testing.T, data string) models.SpamModelStats {
	t.Helper()
	db, err := models.Open(models.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	st, err := models.SpamModelInfo(db)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestSpamTrainEvalReset(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	yt := writeFile(t, dir, "yt.csv", youtubeSample)
	sms := writeFile(t, dir, "sms.tsv", smsSample)
	out, _, err := runCLI(t, "", "spam", "train", "-data", data, yt, sms)
	if err != nil {
		t.Fatal(err)
	}
	mustHave(t, out, "learnt 3 spam and 4 ham messages from 2 file(s) (1 repeats skipped)", "the model holds 3 spam and 4 ham messages")
	before := modelOf(t, data)
	out, _, err = runCLI(t, "", "spam", "eval", "-data", data, yt, sms)
	if err != nil {
		t.Fatal(err)
	}
	mustHave(t, out, "8 messages, threshold "+fmt.Sprintf("%.2f", spamfilter.DefaultThreshold), "called spam", "precision", "recall", "F1", "false-positive rate")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var res evalResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("last line is not JSON: %q", lines[len(lines)-1])
	}
	if res.Examples != 8 || res.TP+res.FP+res.TN+res.FN != 8 || res.F1 <= 0 || res.Threshold != spamfilter.DefaultThreshold {
		t.Errorf("eval JSON %+v", res)
	}
	if after := modelOf(t, data); after != before {
		t.Errorf("eval changed the model: %+v → %+v", before, after)
	}
	out, _, err = runCLI(t, "", "spam", "reset", "-data", data)
	if err != nil || !strings.Contains(out, "forgot 3 spam and 4 ham messages") {
		t.Fatalf("reset: %v %s", err, out)
	}
	if st := modelOf(t, data); st.SpamDocs != 0 || st.Features != 0 {
		t.Errorf("after reset: %+v", st)
	}
	if _, _, err := runCLI(t, "", "spam", "eval", "-data", data, yt); err == nil || !strings.Contains(err.Error(), "untrained") {
		t.Errorf("eval on an empty model: %v", err)
	}
	bad := writeFile(t, dir, "bad.txt", "not a corpus\n")
	if _, _, err := runCLI(t, "", "spam", "train", "-data", data, bad); err == nil || !strings.Contains(err.Error(), "bad.txt:1") {
		t.Errorf("a bad file: %v", err)
	}
}

// The acceptance split through the CLI on the real corpora, when present:
// learn Psy and KatyPerry, judge LMFAO.
func TestSpamEvalAcceptanceSplit(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "spam", "youtube")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared spam corpora not present")
	}
	data := t.TempDir()
	if _, _, err := runCLI(t, "", "spam", "train", "-data", data,
		filepath.Join(dir, "Youtube01-Psy.csv"), filepath.Join(dir, "Youtube02-KatyPerry.csv")); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "", "spam", "eval", "-data", data, filepath.Join(dir, "Youtube03-LMFAO.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var res evalResult
	json.Unmarshal([]byte(lines[len(lines)-1]), &res)
	t.Logf("Psy + KatyPerry → LMFAO: %s", lines[len(lines)-1])
	// Time per message is reported, not asserted: a busy machine doubles it.
	// The speed of scoring is BenchmarkScore's to measure.
	if res.Examples != 438 || res.F1 < 0.92 || res.FPR > 0.03 || res.MicrosPer <= 0 {
		t.Errorf("acceptance split: %+v", res)
	}
}

func TestSpamPurge(t *testing.T) {
	data := t.TempDir()
	db, err := models.Open(models.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	models.SeedSamples(db)
	u, _ := models.CreateUser(db, models.NewUser{Username: "spammer", Password: "a long enough password 1"}, passhash.Fast)
	mod, _ := models.CreateUser(db, models.NewUser{Username: "moddy", Password: "a long enough password 1", Role: models.RoleModerator}, passhash.Fast)
	doc, _ := models.DocumentByID(db, 1)
	var ids []uint
	for _, body := range []string{"old spam", "new spam"} {
		a, err := models.CreateAnnotation(db, u, doc, models.AnnotationInput{Kind: models.KindComment, Body: body, Passage: 1, QuoteHint: -1}, models.StatusPending)
		if err != nil {
			t.Fatal(err)
		}
		models.Decide(db, mod, a.ID, models.ActionSpam, "", time.Now())
		ids = append(ids, a.ID)
	}
	db.Model(&models.Annotation{}).Where("id = ?", ids[0]).UpdateColumn("updated_at", time.Now().AddDate(0, 0, -40))
	models.Close(db)

	if out, _, err := runCLI(t, "", "spam", "purge", "-data", data, "-dry-run"); err != nil || !strings.Contains(out, "would purge 1 note") {
		t.Fatalf("dry run: %v %s", err, out)
	}
	if out, _, err := runCLI(t, "", "spam", "purge", "-data", data); err != nil || !strings.Contains(out, "purged 1 note") {
		t.Fatalf("purge: %v %s", err, out)
	}
	if _, _, err := runCLI(t, "", "spam", "purge", "-data", data, "-older-than", "1h"); err == nil {
		t.Error("purging notes an hour old was allowed")
	}
	db, _ = models.Open(models.Options{DataDir: data})
	defer models.Close(db)
	if _, err := models.AnnotationByID(db, ids[0]); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("old spam: %v", err)
	}
	if _, err := models.AnnotationByID(db, ids[1]); err != nil {
		t.Errorf("recent spam: %v", err)
	}
}

func TestSpamHelp(t *testing.T) {
	for _, args := range [][]string{{"spam", "-h"}, {"spam", "train", "-h"}, {"spam", "eval", "-h"}, {"spam", "stats", "-h"},
		{"spam", "reset", "-h"}, {"spam", "purge", "-h"}} {
		out, errOut, err := runCLI(t, "", args...)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: %v", args, err)
		}
		if len(out+errOut) < 100 || !strings.Contains(out+errOut, "-data") {
			t.Errorf("%v: help lacks the store flags: %q", args, out+errOut)
		}
	}
	if _, _, err := runCLI(t, "", "spam", "frobnicate"); err == nil {
		t.Error("unknown spam command accepted")
	}
	out, _, _ := runCLI(t, "", "-h")
	mustHave(t, out, "margin spam train|eval|stats|reset|purge")
}

func TestServeScreenFlags(t *testing.T) {
	var s screenFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	s.register(fs)
	t.Setenv("MARGIN_AKISMET_KEY", "secret")
	if err := fs.Parse([]string{"-hold-new", "0", "-flag-threshold", "5"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := s.config("https://margin.example")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NewAccountHeld != -1 || cfg.FlagThreshold != 5 || cfg.Akismet == nil || cfg.Akismet.Key != "secret" ||
		cfg.Akismet.Blog != "https://margin.example" || cfg.Akismet.BaseURL != models.AkismetDefaultURL {
		t.Errorf("config %+v akismet %+v", cfg, cfg.Akismet)
	}
	fs.Parse([]string{"-spam-hold-score", "0.95", "-spam-score", "0.9"})
	if _, err := s.config(""); err == nil {
		t.Error("a hold score above the spam score was accepted")
	}
}
