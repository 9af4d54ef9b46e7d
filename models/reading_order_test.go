package models

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFirstThreadsAreTheSortedOnes: the margin's preview, found in one
// pass, is the head of the whole sorted list, in both orders, ties of
// helpfulness included.
func TestFirstThreadsAreTheSortedOnes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 500 {
		ts := make([]*Thread, rng.IntN(40))
		for i := range ts {
			ts[i] = &Thread{Annotation: &Annotation{ID: uint(rng.IntN(10_000)) + uint(i)*10_000, HelpfulCount: rng.IntN(4)}}
		}
		rng.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
		for _, order := range []string{"newest", "helpful"} {
			n := 1 + rng.IntN(5)
			sorted := slices.Clone(ts)
			sortThreads(sorted, order)
			want := sorted[:min(n, len(sorted))]
			if got := firstThreads(slices.Clone(ts), order, n); !slices.Equal(got, want) {
				t.Fatalf("round %d, %s, first %d: got %v, want %v", round, order, n, ids(got), ids(want))
			}
		}
	}
}

func ids(ts []*Thread) []uint {
	out := make([]uint, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}
