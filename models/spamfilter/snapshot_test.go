package spamfilter

import "testing"

// snapshotStore is a MemoryStore that also answers in one read, and counts
// how it was asked.
type snapshotStore struct {
	*MemoryStore
	snapshots, lookups int
}

func (s *snapshotStore) Snapshot(features []string) (int64, int64, map[string]Counts, error) {
	s.snapshots++
	spam, ham, _ := s.MemoryStore.Totals()
	counts, _ := s.MemoryStore.Lookup(features)
	return spam, ham, counts, nil
}

func (s *snapshotStore) Lookup(features []string) (map[string]Counts, error) {
	s.lookups++
	return s.MemoryStore.Lookup(features)
}

// A store offering Snapshot is read once per score, with the same result
// as through Totals and Lookup.
func TestScoreUsesSnapshot(t *testing.T) {
	plain, mem := trained(t, tinyCorpus)
	snap := &snapshotStore{MemoryStore: mem}
	viaSnapshot := New(snap)
	for _, text := range []string{"please subscribe to my channel http://bit.ly/new", "I love her voice in this song", ""} {
		a, ra, err := plain.Score(text)
		must(t, err)
		b, rb, err := viaSnapshot.Score(text)
		must(t, err)
		if a != b || len(ra) != len(rb) {
			t.Errorf("%q: %v %q through Lookup, %v %q through Snapshot", text, a, ra, b, rb)
		}
	}
	if snap.snapshots != 3 || snap.lookups != 0 {
		t.Errorf("%d snapshots and %d lookups for 3 scores, want 3 and 0", snap.snapshots, snap.lookups)
	}
	if p, reasons, _ := New(&snapshotStore{MemoryStore: NewMemoryStore()}).Score("anything"); p != 0.5 || reasons[0] != "classifier untrained" {
		t.Errorf("empty snapshot store scored %v %q", p, reasons)
	}
}
