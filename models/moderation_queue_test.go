package models_test

import (
	"testing"

	"margin/models"
)

// A queue item shows no score from a classifier that had learnt nothing or
// abstained, and leaves their non-opinions and the standing recorded at
// posting time out of its reasons (the queue reads the standing afresh).
func TestQueueItemScoreAndReasons(t *testing.T) {
	for _, tc := range []struct {
		reasons string
		score   float64
		percent int
		kept    []string
	}{
		{"first post of a new account\nclassifier untrained", 0.5, -1, nil},
		{"4 links\nclassifier abstains: unlike what it has learnt", 0.5, -1, []string{"4 links"}},
		{"new account: 0 of 1 notes approved so far\nclassifier 0.82", 0.82, 82, []string{"classifier 0.82"}},
		{"trusted author (4 notes approved)\nclassifier 0.10", 0.1, 10, []string{"classifier 0.10"}},
	} {
		it := models.QueueItem{Screening: &models.Screening{Reasons: tc.reasons, Score: tc.score}}
		if got := it.ScorePercent(); got != tc.percent {
			t.Errorf("%q: score %d%%, want %d", tc.reasons, got, tc.percent)
		}
		got := it.Reasons()
		if len(got) != len(tc.kept) || (len(got) > 0 && got[0] != tc.kept[0]) {
			t.Errorf("%q: reasons %q, want %q", tc.reasons, got, tc.kept)
		}
	}
}

func TestQueueItemContextCutsAtWords(t *testing.T) {
	before := "Washington, D.C., April 4, 2024 – Top NATO and U.S. officials worked out cooperative agreements with senior "
	after := " officials in the months after the Soviet Union fell apart, according to the documents published today."
	it := models.QueueItem{Before: before, Quote: "Russian", After: after}
	b, a := it.Context()
	if b[:len("…")] != "…" || a[len(a)-len("…"):] != "…" {
		t.Fatalf("context %q / %q is not marked as cut", b, a)
	}
	if b != "…NATO and U.S. officials worked out cooperative agreements with senior " {
		t.Errorf("before %q", b)
	}
	if a != " officials in the months after the Soviet Union fell apart, according…" {
		t.Errorf("after %q", a)
	}
	if b, a := (models.QueueItem{Before: "Short passage.", Quote: ""}).Context(); b != "" || a != "Short passage." {
		t.Errorf("a whole short passage: %q %q", b, a)
	}
}
